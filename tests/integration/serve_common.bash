# SPDX-License-Identifier: Apache-2.0
#
# serve_common.bash - shared by the tests/integration/serve_*.sh tests
# (sourced, not a test itself: ctest globs only *.sh). Makes throwaway
# certificates with `rfguard certs` in a mktemp dir under the build dir,
# starts `rfguard serve` on 127.0.0.1 with port 0 and reads the ports it
# bound from its "listening" log line. Everything is cleaned up on exit.
#
# No test here times anything. A test waits for an event (a log line, a
# verdict, a counter, a closed socket) with wait_for; RFG_WAIT seconds
# (default 180) is only the ceiling that turns a hang into a failure, so
# a slow or loaded machine makes a test slower, never red. Latency is
# measured in bench/, not here.
#
# Usage: . serve_common.bash "$@"   (RFGUARD SOURCE_DIR BUILD_DIR)
set -u

RFG=$1
SRC=$2
BUILD=$3
FIX=$SRC/tests/review
RFG_WAIT=${RFG_WAIT:-180}
failed=0

for tool in curl python3 openssl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (scripts/deps.txt installs it)"
        exit 77
    fi
done

WORK=$(mktemp -d "$BUILD/serve-test.XXXXXX")
CERTS=$WORK/certs
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { echo "ok   $*"; }
bad() {
    echo "FAIL $*"
    failed=1
}
check() {   # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
finish() {
    if [ "$failed" != 0 ]; then
        echo "--- server log (last 40 lines)"
        tail -n 40 "$WORK/server.log" 2>/dev/null
        exit 1
    fi
    echo "all passed"
    exit 0
}

# wait_for COMMAND...: run COMMAND until it succeeds (every 0.1 s);
# returns 1 once RFG_WAIT seconds have passed without success.
wait_for() {
    local end=$((SECONDS + RFG_WAIT))
    until "$@"; do
        if [ "$SECONDS" -ge "$end" ]; then
            echo "waited ${RFG_WAIT} s (a hang?) for: $*"
            return 1
        fi
        sleep 0.1
    done
}

# log_count PATTERN: how many server log lines match (grep -E)
log_count() { grep -cE -- "$1" "$WORK/server.log"; }
# log_has PATTERN [N]: at least N (default 1) server log lines match
log_has() { [ "$(log_count "$1")" -ge "${2:-1}" ]; }

# need_open_files N: raise the open-file limit to N, or skip (77)
need_open_files() {
    if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$1" ]; then
        ulimit -n "$1" 2>/dev/null || {
            echo "SKIP: need $1 open files (ulimit -n is $(ulimit -n))"
            exit 77
        }
    fi
}

make_certs() {   # make_certs [DIR]
    "$RFG" certs --service rfguard --namespace rfguard --out "${1:-$CERTS}" \
        --dev >"$WORK/bundle.txt" 2>"$WORK/certs.log"
}

# start_server [ARGS...]: sets SERVER_PID, PORT, MPORT. TLS_CERT and
# TLS_KEY name another certificate and key than $CERTS/tls.{crt,key}.
start_server() {
    : >"$WORK/server.log"
    "$RFG" serve --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 \
        --tls-cert "${TLS_CERT:-$CERTS/tls.crt}" \
        --tls-key "${TLS_KEY:-$CERTS/tls.key}" "$@" \
        2>>"$WORK/server.log" &
    SERVER_PID=$!
    if ! wait_for started_or_gone; then
        echo "server did not start"
        cat "$WORK/server.log"
        return 1
    fi
    if ! grep -q '"msg":"listening"' "$WORK/server.log"; then
        echo "server exited early:"
        cat "$WORK/server.log"
        return 1
    fi
    PORT=$(grep -o '"https_port":[0-9]*' "$WORK/server.log" |
           head -n1 | cut -d: -f2)
    MPORT=$(grep -o '"metrics_port":[0-9]*' "$WORK/server.log" |
            head -n1 | cut -d: -f2)
}
started_or_gone() {
    grep -q '"msg":"listening"' "$WORK/server.log" ||
        ! kill -0 "$SERVER_PID" 2>/dev/null
}

# stop_server: SIGTERM and wait; returns the exit status.
stop_server() {
    local rc=0
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
    return $rc
}

# post ENDPOINT FILE [CURL ARGS...]: body on stdout, HTTP code in $WORK/code
post() {
    local ep=$1 file=$2
    shift 2
    curl -sS --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$file" -o "$WORK/out.json" -w '%{http_code}' \
        "$@" "https://localhost:$PORT/$ep" >"$WORK/code" 2>"$WORK/curl.err"
    cat "$WORK/out.json" 2>/dev/null
}
