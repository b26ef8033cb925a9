#!/usr/bin/env bash
# Push and pull through a real OCI registry (Debian's docker-registry on loopback):
# the composed counter goes up as a Wasm OCI artifact and comes back byte-identical,
# with the media types wasmCloud and wkg read. Needs docker-registry (CI installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-registry >/dev/null || apt-get install -y -q docker-registry >/dev/null
work=$(mktemp -d)
port=18950
cat >"$work/config.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

check() { # name expected actual
  if [ "$2" != "$3" ]; then printf 'FAIL %s\n  expected: %s\n  actual:   %s\n' "$1" "$2" "$3"; exit 1; fi
  echo "ok: $1"
}
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
echo "registry: 6 passed"
