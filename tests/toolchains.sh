#!/usr/bin/env bash
# First use with a component another toolchain built: componentize-py (CPython inside,
# from PyPI, pinned) builds tests/toolchains/python; witpipe must warn about what it
# needs at start-up and its init hook, explain the denial when its first call traps
# (no backtrace), call it by its bare function name, and run it once granted.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
tools=$PWD/.tools/componentize-py
if [ ! -x "$tools/bin/componentize-py" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools" componentize-py==0.25.1
fi
componentize_py() { PYTHONPATH="$tools" "$tools/bin/componentize-py" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests/toolchains/python/. "$work/"
(cd "$work" && componentize_py -d wit -w hello componentize app -o hello.wasm >/dev/null)
cargo build -q --locked
witpipe=target/debug/witpipe

warnings=$("$witpipe" check "$work/default.yaml" 2>&1 >/dev/null)
check --contains "check warns that CPython asks for randomness at start-up" \
  'instance `py` looks built by componentize-py: CPython asks `wasi:random` for a seed on its first call, which its grants deny' \
  "$(echo "$warnings" | tr -s ' \n│' ' ')"
check --contains "check warns about the init hook" \
  'instance `py` exports `exports`, the build-time `init` hook componentize-py leaves' \
  "$(echo "$warnings" | tr -s ' \n│' ' ')"

# (the warnings above come first; the error is the last line)
err=$("$witpipe" call "$work/default.yaml" 'hello("x")' 2>&1 | tail -n 1 || true)
check "the first call's denial is explained, without a backtrace" \
  "error: $work/default.yaml: instance \`py\` was stopped by its policy: it asked for random numbers (\`wasi:random\`), which its grants deny. To allow it, grant it under \`py\` in the pipeline file: \`grants: { random: allow }\`; \`random: deterministic\` gives a fixed-seed sequence instead" \
  "$err"

check "no warning once granted and exported by name" "" \
  "$("$witpipe" check "$work/granted.yaml" 2>&1 >/dev/null)"
check "a bare function name calls it, once granted" '"hello x"' \
  "$("$witpipe" call "$work/granted.yaml" 'hello("x")')"
err=$("$witpipe" call "$work/granted.yaml" 'helo("x")' 2>&1 || true)
check "an unknown name is reported with what there is" \
  "error: $work/granted.yaml: no exported function \`helo\`; the component exports: demo:hello/greet#hello" "$err"
echo "toolchains: $passed checks passed"
