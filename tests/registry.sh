#!/usr/bin/env bash
# Push and pull through a real OCI registry (Debian's docker-registry on loopback):
# the composed counter goes up as a Wasm OCI artifact and comes back byte-identical,
# with the media types wasmCloud and wkg read. Needs docker-registry (CI installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
work=$(mktemp -d)
port=18950
trap 'kill $registry_pid 2>/dev/null || true; rm -rf "$work"' EXIT
start_registry "$work" $port

witpipe="cargo run -q --locked --"
ref="127.0.0.1:$port/witpipe/counter:0.1.0"
$witpipe compose pipelines/counter/pipeline.yaml -o "$work/counter.wasm" >/dev/null
$witpipe push pipelines/counter/pipeline.yaml "$ref" --insecure
$witpipe pull "$ref" -o "$work/pulled.wasm" --insecure
check "pulled bytes equal the composed output" "$(sha256sum <"$work/counter.wasm")" "$(sha256sum <"$work/pulled.wasm")"
manifest=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/witpipe/counter/manifests/0.1.0")
media() { python3 -c "import json,sys; m=json.loads(sys.argv[1]); print($2)" "$manifest"; }
check "config media type" "application/vnd.wasm.config.v0+json" "$(media "$manifest" "m['config']['mediaType']")"
check "one application/wasm layer" "['application/wasm']" "$(media "$manifest" "[l['mediaType'] for l in m['layers']]")"
# Pushing the same output twice gives the same manifest digest (reproducible config).
$witpipe push "$work/counter.wasm" "127.0.0.1:$port/witpipe/counter:again" --insecure
digest() { curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/witpipe/counter/manifests/$1" | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r'; }
check "same output, same manifest digest" "$(digest 0.1.0)" "$(digest again)"
# A missing tag is an error that names it.
if $witpipe pull "127.0.0.1:$port/witpipe/counter:nope" -o "$work/nope.wasm" --insecure 2>"$work/err"; then
  echo "FAIL pulling a missing tag succeeded"; exit 1
fi
grep -q "cannot pull 127.0.0.1:$port/witpipe/counter:nope" "$work/err" && echo "ok: a missing tag is reported"
[ ! -e "$work/nope.wasm" ] && echo "ok: no output file for a failed pull"

# A Spin application (`push --spin`), pulled back through the registry and checked
# field by field against Spin's format; pushing the same output again gives the same
# manifest digest.
spin_ref="127.0.0.1:$port/witpipe/spin-test:0.1.0"
$witpipe compose tests/spin/pipeline.yaml -o "$work/spin.wasm" >/dev/null
$witpipe push tests/spin/pipeline.yaml "$spin_ref" --insecure --spin 2>"$work/spin.err" || { cat "$work/spin.err"; exit 1; }
python3 tests/check-spin-artifact.py "127.0.0.1:$port" witpipe/spin-test 0.1.0 "$work/spin.wasm" tests/spin/static
$witpipe push tests/spin/pipeline.yaml "127.0.0.1:$port/witpipe/spin-test:again" --insecure --spin 2>/dev/null
spin_digest() { curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/witpipe/spin-test/manifests/$1" | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r'; }
check "same output, same Spin application digest" "$(spin_digest 0.1.0)" "$(spin_digest again)"
# A large static file is streamed, never read whole: a 1 GiB sparse file in the grant
# costs the push no more than a few tens of MiB of memory.
mkdir -p "$work/big"
truncate -s 1G "$work/big/large.bin"
sed -e "s#\.\./guests/#$PWD/tests/guests/#" -e "s#\./static#$work/big#" tests/spin/pipeline.yaml >"$work/spin-big.yaml"
cargo build -q --locked
/usr/bin/time -f '%M' -o "$work/rss" target/debug/witpipe push "$work/spin-big.yaml" "127.0.0.1:$port/witpipe/big:1" --insecure --spin 2>/dev/null
rss_kib=$(tail -1 "$work/rss")
echo "push --spin of a 1 GiB file: peak RSS $((rss_kib / 1024)) MiB"
[ "$rss_kib" -lt $((256 * 1024)) ] || { echo "FAIL push --spin held the file in memory ($rss_kib KiB)"; exit 1; }
echo "ok: a 1 GiB static file is streamed"
# What Spin cannot serve is refused before anything is pushed: a read-write directory.
sed -e 's/mode: ro/mode: rw/' -e "s#\.\./guests/#$PWD/tests/guests/#" -e "s#\./static#$PWD/tests/spin/static#" \
  tests/spin/pipeline.yaml >"$work/spin-rw.yaml"
if $witpipe push "$work/spin-rw.yaml" "127.0.0.1:$port/witpipe/never:1" --insecure --spin 2>"$work/err"; then
  echo "FAIL a read-write directory became a Spin application"; exit 1
fi
check --contains "a read-write directory is refused for a Spin application" \
  "a Spin application cannot provide (read-write directory /static)" "$(tr -d '\n│' <"$work/err")"

# Pipelines may name components by OCI reference: pulled once, cached by digest.
export WITPIPE_CACHE_DIR="$work/cache"
$witpipe push tests/guests/components/lattice-front.wasm "127.0.0.1:$port/parts/front:1" --insecure
$witpipe push tests/guests/components/probe.wasm "127.0.0.1:$port/parts/probe:1" --insecure
probe_digest=$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://127.0.0.1:$port/v2/parts/probe/manifests/1" | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }' | tr -d '\r')
sed -e "s|path: ../guests/components/lattice-front.wasm|path: oci://127.0.0.1:$port/parts/front:1|" \
    -e "s|path: ../guests/components/probe.wasm|path: oci://127.0.0.1:$port/parts/probe@$probe_digest|" \
    tests/lattice/pipeline.yaml >"$work/remote.yaml"
grep -q "oci://127.0.0.1:$port/parts/front:1" "$work/remote.yaml"
$witpipe compose tests/lattice/pipeline.yaml -o "$work/local.wasm" >/dev/null
$witpipe compose "$work/remote.yaml" -o "$work/remote.wasm" 2>"$work/pulls" >/dev/null
check "OCI references compose to the same bytes as local paths" "$(sha256sum <"$work/local.wasm")" "$(sha256sum <"$work/remote.wasm")"
check "each referenced component pulled once" "2" "$(grep -c '^witpipe: pulled' "$work/pulls")"
$witpipe compose "$work/remote.yaml" -o "$work/again.wasm" 2>"$work/pulls" >/dev/null
check "the second compose pulls nothing" "0" "$(grep -c '^witpipe: pulled' "$work/pulls" || true)"
kill $registry_pid && wait $registry_pid 2>/dev/null || true
printf 'version: 1\ncomponents:\n  probe: oci://127.0.0.1:%s/parts/probe@%s\n' "$port" "$probe_digest" >"$work/pinned.yaml"
$witpipe compose "$work/pinned.yaml" -o "$work/pinned.wasm" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
echo "ok: a digest-pinned reference composes from the cache with the registry down"
if $witpipe compose "$work/remote.yaml" -o "$work/down.wasm" 2>"$work/err"; then echo "FAIL: a tag resolved with the registry down"; exit 1; fi
flat=$(tr -d '\n│ ' <"$work/err")
[[ $flat == *"cannotfetchcomponentoci://127.0.0.1:$port/parts/front:1"* ]] && grep -q "remote.yaml:[0-9]*:[0-9]*" "$work/err" \
  && echo "ok: an unreachable tag is reported at its line" || { cat "$work/err"; exit 1; }

# A registry that wants credentials: refused without, with a hint; accepted from
# WITPIPE_REGISTRY_USERNAME/PASSWORD and from Docker's config.json.
auth_port=18952
[ -d .tools/py/bcrypt ] || python3 -m pip install --quiet --disable-pip-version-check --target .tools/py bcrypt
PYTHONPATH=.tools/py python3 -c "import bcrypt; print('witpipe:' + bcrypt.hashpw(b'hunter2', bcrypt.gensalt(rounds=5)).decode())" >"$work/htpasswd"
start_registry "$work" $auth_port "$work/htpasswd"
private="127.0.0.1:$auth_port/private/counter:1"
if DOCKER_CONFIG="$work/nodocker" $witpipe push "$work/counter.wasm" "$private" --insecure 2>"$work/err"; then echo "FAIL: pushed without credentials"; exit 1; fi
grep -q "WITPIPE_REGISTRY_USERNAME" "$work/err" && echo "ok: refused without credentials, with a hint" || { cat "$work/err"; exit 1; }
WITPIPE_REGISTRY_USERNAME=witpipe WITPIPE_REGISTRY_PASSWORD=hunter2 $witpipe push "$work/counter.wasm" "$private" --insecure
echo "ok: pushed with credentials from the environment"
mkdir -p "$work/docker"
printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$auth_port" "$(printf witpipe:hunter2 | base64)" >"$work/docker/config.json"
DOCKER_CONFIG="$work/docker" $witpipe pull "$private" -o "$work/private.wasm" --insecure
check "pulled with credentials from Docker's config.json" "$(sha256sum <"$work/counter.wasm")" "$(sha256sum <"$work/private.wasm")"
# Docker Desktop, ECR and GCR logins live in a credential helper, not in `auths`.
mkdir -p "$work/bin" "$work/helper"
cat >"$work/bin/docker-credential-witpipe-test" <<'HELPER'
#!/bin/sh
read -r server
[ "$1" = get ] && [ "$server" = "$WANT" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"witpipe","Secret":"hunter2"}' "$server"
HELPER
chmod +x "$work/bin/docker-credential-witpipe-test"
rm -f "$work/private.wasm"
for key in credHelpers credsStore; do
  case $key in
    credHelpers) printf '{"credHelpers":{"127.0.0.1:%s":"witpipe-test"}}' "$auth_port" >"$work/helper/config.json" ;;
    credsStore) printf '{"credsStore":"witpipe-test"}' >"$work/helper/config.json" ;;
  esac
  PATH="$work/bin:$PATH" WANT="127.0.0.1:$auth_port" DOCKER_CONFIG="$work/helper" $witpipe pull "$private" -o "$work/private-$key.wasm" --insecure
  check "pulled with credentials from Docker's $key helper" "$(sha256sum <"$work/counter.wasm")" "$(sha256sum <"$work/private-$key.wasm")"
done
# A helper that fails leaves the pull anonymous, and the refusal names the helper.
if PATH="$work/bin:$PATH" WANT=elsewhere DOCKER_CONFIG="$work/helper" $witpipe pull "$private" -o "$work/x.wasm" --insecure 2>"$work/err"; then echo "FAIL: pulled with a failing helper"; exit 1; fi
grep -q "docker-credential-witpipe-test" "$work/err" && echo "ok: a failing credential helper is named" || { cat "$work/err"; exit 1; }
echo "registry: all checks passed"
