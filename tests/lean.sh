#!/usr/bin/env bash
# The lean composer: `--no-default-features` builds witpipe without the runtime and
# the network clients. It must not link wasmtime, cranelift, the OCI or NATS clients,
# must offer exactly the composing commands, and must write byte-identical outputs to
# the full build (which the tests build in target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
lean_dir=target/lean
cargo build -q --locked --no-default-features --target-dir "$lean_dir"
lean=$lean_dir/debug/witpipe
full=target/debug/witpipe
[ -x "$full" ] || cargo build -q --locked

tree=$(cargo tree --locked --no-default-features -e normal --prefix none -p witpipe)
for crate in wasmtime cranelift-codegen oci-client async-nats tokio hyper wasm-compose serde_yaml2 yaml-rust2; do
  check "the lean build has no $crate" "" "$(grep -E "^$crate v" <<<"$tree" || true)"
done
check "the lean build offers the composing commands only" \
  "check compose inspect graph layer verify completion cache help" \
  "$("$lean" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on {print $1}' | tr '\n' ' ' | sed 's/ $//')"
check --contains "run is not in the lean build" "unrecognized subcommand 'run'" "$("$lean" run x.yaml 2>&1 || true)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for example in wordfreq shout counter; do
  "$lean" compose "pipelines/$example/pipeline.yaml" -o "$work/$example-lean.wasm" >/dev/null
  "$full" compose "pipelines/$example/pipeline.yaml" -o "$work/$example-full.wasm" >/dev/null
  check "$example: the lean and the full build write the same bytes" \
    "$(sha256sum <"$work/$example-full.wasm")" "$(sha256sum <"$work/$example-lean.wasm")"
done
check "check prints the same report" \
  "$("$full" check pipelines/wordfreq/pipeline.yaml)" "$("$lean" check pipelines/wordfreq/pipeline.yaml)"
printf 'version: 1\ncomponents:\n  a: oci://127.0.0.1:1/x/y:1\n' >"$work/oci.yaml"
check --contains "an oci:// reference says how to get a build that pulls" \
  "built without registry support" "$("$lean" check "$work/oci.yaml" 2>&1 | tr '\n│' '  ' | tr -s ' ' || true)"
echo "lean: $passed passed"
