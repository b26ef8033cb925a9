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
