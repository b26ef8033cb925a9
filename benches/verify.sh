#!/usr/bin/env bash
# `witpipe verify OUT PIPELINE` against `witpipe compose PIPELINE` of the same
# pipeline (issue 31's target: verify ≤ 2× compose), interleaved, median of RUNS
# (default 15) each. Prints a markdown table for BENCHMARKS.md.
#   bash benches/verify.sh [PIPELINE]
set -euo pipefail
cd "$(dirname "$0")/.."
pipeline=${1:-pipelines/wordfreq/pipeline.yaml}
runs=${RUNS:-15}
cargo build -q --release --locked
witpipe=$PWD/target/release/witpipe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$witpipe" compose "$pipeline" -o "$work/out.wasm" >/dev/null
python3 - "$witpipe" "$pipeline" "$work" "$runs" <<'PY'
import statistics, subprocess, sys, time
witpipe, pipeline, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
commands = {
    "compose": [witpipe, "compose", pipeline, "-o", f"{work}/again.wasm"],
    "verify (with the pipeline: compose again, compare)": [witpipe, "verify", f"{work}/out.wasm", pipeline],
    "verify (the section against the output only)": [witpipe, "verify", f"{work}/out.wasm"],
}
times = {name: [] for name in commands}
for _ in range(runs):
    for name, argv in commands.items():
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - start)
compose = statistics.median(times["compose"])
print(f"| `{pipeline}` | median of {runs} (ms) | × compose |")
print("|---|---:|---:|")
for name, t in times.items():
    m = statistics.median(t)
    print(f"| {name} | {m * 1000:.1f} | {m / compose:.2f}× |")
PY
