#!/usr/bin/env bash
# Compile time of a large generated component (6,000 functions, ~300 KB), as
# `witpipe compile --no-cache` spends it: the cost of a first `run` off the cache.
# Usage: benches/compile.sh [WITPIPE]   (default: a release build of this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
witpipe=${1:-target/release/witpipe}
[ -x "$witpipe" ] || cargo build --release --locked -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import sys
n, out = 6000, sys.argv[1]
funcs = []
for i in range(n):
    call = f"call $f{i-1}" if i else ""
    funcs.append(f"(func $f{i} (param i32) (result i32) (local i32) local.get 0 i32.const {i} i32.add local.set 1 "
                 f"block loop local.get 1 i32.const 3 i32.mul i32.const 7 i32.xor local.set 1 local.get 1 i32.const {i+1} "
                 f"i32.rem_u br_if 0 end end local.get 1 {call})")
open(f"{out}/big.wat", "w").write(
    "(component (core module $m " + "\n".join(funcs) +
    f' (func (export "run") (result i32) i32.const 1 call $f{n-1}))'
    ' (core instance $i (instantiate $m))'
    ' (func (export "run") (result u32) (canon lift (core func $i "run"))))')
open(f"{out}/pipeline.yaml", "w").write("version: 1\ncomponents:\n  big: big.wat\nexports: big\n")
PY
"$witpipe" compose "$work/pipeline.yaml" -o "$work/big.wasm" >/dev/null
for i in 1 2 3; do
  /usr/bin/time -f "%e s, %M KB peak" "$witpipe" compile --no-cache "$work/big.wasm" -o "$work/big.cwasm" 2>&1 | tail -1
done
