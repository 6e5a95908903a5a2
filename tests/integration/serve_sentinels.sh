#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_sentinels.sh - ctest integration.serve_sentinels: `rfguard serve
# --sentinel-check-interval` asks the sentinel pods of the cluster's
# RedisFailovers (pods served by tests/kapi/kapi.py) in the background.
# Covers: a failover whose sentinel pods have loopback addresses where
# nothing listens is sentinel-unreachable, rfguard_sentinel_merged 0 and
# rfguard_sentinel_unreachable counts them, and the finding joins the
# background audit's PolicyReport; with redis-server and redis-sentinel
# installed, a real sentinel whose master has a replica that is another
# failover's redis pod makes rfguard_sentinel_merged 1 for its failover
# and a sentinel-merged `fail` result in its namespace's report, naming
# the other failover (that sentinel requires a password, read from the
# Secret --sentinel-password-secret names, and found in no log line,
# metric or report); nothing is written to Redis (the master's data and
# the replication are as before); bad values and --no-cluster exit 2
# with a message; pods the API server refuses make the check fail (said
# once, counted as an error); the policy's spec.audit.sentinelInterval turns the
# check on where no flag is given, and only warns without a cluster view. No wait is timed: /metrics and Sentinel's discovery
# are polled with a ceiling (RFG_WAIT) that only a hang reaches.
#
# Usage: serve_sentinels.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

failed=0
metrics() { curl -sS "http://127.0.0.1:$MPORT/metrics"; }
# add_pod NS NAME FAILOVER COMPONENT IP: a Running pod as the operator
# labels it
add_pod() {
    python3 - "$@" <<'EOF' | kctl /objects - >/dev/null
import json, sys
ns, name, rf, comp, ip = sys.argv[1:6]
print(json.dumps({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": name, "namespace": ns, "labels": {
                      "app.kubernetes.io/name": rf,
                      "app.kubernetes.io/component": comp,
                      "app.kubernetes.io/part-of": "redis-failover"}},
                  "spec": {"containers": [{"name": comp}]},
                  "status": {"phase": "Running", "podIP": ip}}))
EOF
}
# results NS: "FAILOVER RULE RESULT MESSAGE" lines of rfguard's report in NS
results() {
    curl -sS "http://127.0.0.1:$CPORT/policyreports" | python3 -c '
import json, sys
for r in json.load(sys.stdin):
    if r["metadata"]["namespace"] != sys.argv[1]:
        continue
    for x in r.get("results", []):
        for res in x.get("resources", []):
            print(res["name"], x["rule"], x["result"], x.get("message", ""))' "$1"
}

# --- usage ---------------------------------------------------------------
make_certs || { cat "$WORK/certs.log"; exit 1; }
for v in 30s 25h soon; do
    out=$("$RFG" serve --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
          --sentinel-check-interval "$v" 2>&1)
    rc=$?
    if [ $rc = 2 ] && printf '%s' "$out" | grep -q "1m to 24h"; then
        ok "--sentinel-check-interval $v: exit 2, says the range"
    else
        bad "--sentinel-check-interval $v: exit $rc: $out"
    fi
done
out=$("$RFG" serve --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
      --no-cluster --sentinel-check-interval 5m 2>&1)
rc=$?
if [ $rc = 2 ] && printf '%s' "$out" | grep -q "needs the cluster view"; then
    ok "--sentinel-check-interval with --no-cluster: exit 2"
else
    bad "--sentinel-check-interval with --no-cluster: exit $rc: $out"
fi
for v in ':k' 'name:' ''; do
    out=$("$RFG" serve --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
          --sentinel-check-interval 5m --sentinel-password-secret "$v" 2>&1)
    rc=$?
    if [ $rc = 2 ] && printf '%s' "$out" | grep -q "NAME or NAME:KEY"; then
        ok "--sentinel-password-secret '$v': exit 2"
    else
        bad "--sentinel-password-secret '$v': exit $rc: $out"
    fi
done
out=$("$RFG" serve --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
      --sentinel-password-secret auth 2>&1)
rc=$?
if [ $rc = 2 ] && printf '%s' "$out" | grep -q "needs --sentinel-check-interval"; then
    ok "--sentinel-password-secret without the check: exit 2"
else
    bad "--sentinel-password-secret without the check: exit $rc: $out"
fi
help_flat() { "$RFG" serve --help | tr '\n' ' ' | tr -s ' '; }
expect "--help shows the option and that no report is written without the audit" \
    'sentinel-check-interval DUR .*without --audit-interval no report is written' \
    help_flat

# --- the cluster ---------------------------------------------------------
cluster_setup || exit 1
# a /24 of loopback picked per run, so parallel runs do not meet
BASE=127.$((10 + RANDOM % 240)).$((RANDOM % 256))
ip() { echo "$BASE.$1"; }

PW=Sx$RANDOM$RANDOM-q7Lm$RANDOM
# a/cache: sentinels on addresses where nothing listens
add_rf a cache --mymaster >/dev/null
add_secret a sentinel-auth "other-$PW" >/dev/null
add_pod a rfs-cache-0 cache sentinel "$(ip 2)"
add_pod a rfs-cache-1 cache sentinel "$(ip 3)"
add_pod a rfr-cache-0 cache redis "$(ip 4)"

# b/cache and c/other: a real sentinel of b/cache whose master has a
# replica that is c/other's redis pod (what a reused pod IP does)
REAL=0
PIDS=()
real_cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill -KILL "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    cluster_cleanup
}
trap real_cleanup EXIT
can_bind() {
    python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0))' \
        "$1" 2>/dev/null
}
rcli() { timeout 10 redis-cli -h "$1" -p "$2" "${@:3}" 2>/dev/null; }
# launch NAME BINARY IP PORT CONFIG-LINES...: start and wait for PONG
launch() {
    local name=$1 bin=$2 host=$3 port=$4 d
    d=$(cd "$WORK" && pwd)/$1   # redis reads paths after its chdir
    shift 4
    mkdir -p "$d"
    { printf '%s\n' "port $port" "bind $host" "protected-mode no" \
          "daemonize no" "dir $d" "logfile $d/log" 'save ""'; \
      printf '%s\n' "$@"; } >"$d/$name.conf"
    [ "$bin" = redis-sentinel ] && sed -i '/^save/d' "$d/$name.conf"
    "$bin" "$d/$name.conf" >"$d/stdout" 2>&1 &
    PIDS+=($!)
    if ! wait_for pong_or_gone $! "$host" "$port" || ! pong "$host" "$port"; then
        tail -n 20 "$d/log" "$d/stdout" 2>/dev/null
        return 1
    fi
}
pong() {   # it answers (NOAUTH from one that wants a password)
    case $(rcli "$1" "$2" PING) in PONG | NOAUTH*) return 0 ;; esac
    return 1
}
pong_or_gone() { pong "$2" "$3" || ! kill -0 "$1" 2>/dev/null; }
replica_seen() {   # the sentinel of b lists c's redis among the replicas
    REDISCLI_AUTH=$PW rcli "$(ip 12)" 26379 SENTINEL REPLICAS mymaster |
        grep -qx "$(ip 11)"
}
master_has_replica() {
    rcli "$(ip 10)" 6379 INFO replication | grep -q '^connected_slaves:1'
}
if command -v redis-server >/dev/null && command -v redis-sentinel >/dev/null &&
   command -v redis-cli >/dev/null && can_bind "$(ip 10)"; then
    if launch b-redis redis-server "$(ip 10)" 6379 "appendonly no" &&
       launch c-redis redis-server "$(ip 11)" 6379 "appendonly no" \
           "replica-announce-ip $(ip 11)" "replicaof $(ip 10) 6379" &&
       wait_for master_has_replica &&
       launch b-sentinel redis-sentinel "$(ip 12)" 26379 \
           "sentinel announce-ip $(ip 12)" "requirepass $PW" \
           "sentinel monitor mymaster $(ip 10) 6379 1" \
           "sentinel down-after-milliseconds mymaster 60000" &&
       wait_for replica_seen; then
        REAL=1
        rcli "$(ip 10)" 6379 SET canary untouched >/dev/null
        add_rf b cache --mymaster >/dev/null
        add_secret b sentinel-auth "$PW" >/dev/null
        add_pod b rfs-cache-0 cache sentinel "$(ip 12)"
        add_pod b rfr-cache-0 cache redis "$(ip 10)"
        add_rf c other --mymaster >/dev/null
        add_pod c rfr-other-0 other redis "$(ip 11)"
    else
        bad "could not start redis-server and redis-sentinel on $(ip 10)-$(ip 12)"
    fi
else
    echo "note: redis-server/redis-sentinel not installed (or no loopback" \
         "beyond 127.0.0.1): only the unreachable case runs"
fi

# --- one check -----------------------------------------------------------
start_server --kubeconfig "$WORK/kubeconfig" --sentinel-check-interval 1h \
    --sentinel-password-secret sentinel-auth \
    --audit-interval 1h --audit-debounce 1s || exit 1
check "the check runs once the view has synced" \
    wait_for log_has '"msg":"sentinels: checked"'
expect "rfguard_sentinel_checks_total counts it" \
    '^rfguard_sentinel_checks_total\{result="ok"\} 1$' metrics
expect "a failover whose sentinels cannot be reached is not merged" \
    '^rfguard_sentinel_merged\{namespace="a",name="cache"\} 0$' metrics
expect "rfguard_sentinel_unreachable counts its two sentinels" \
    '^rfguard_sentinel_unreachable 2$' metrics
expect_eventually "the audit's report of namespace a has sentinel-unreachable" \
    "^cache sentinel-unreachable warn .*$(ip 2)" results a
if [ $REAL = 1 ]; then
    expect "a sentinel whose master has another failover's redis as a replica: merged 1" \
        '^rfguard_sentinel_merged\{namespace="b",name="cache"\} 1$' metrics
    expect "the other failover, whose sentinels know nothing foreign, is 0" \
        '^rfguard_sentinel_merged\{namespace="c",name="other"\} 0$' metrics
    expect_eventually "the report of namespace b fails sentinel-merged, naming c/other" \
        '^cache sentinel-merged fail .*c/other' results b
    expect "the log names the merge" '"merged":"b/cache with c/other' \
        cat "$WORK/server.log"
    expect "nothing was written to the master" '^untouched$' \
        rcli "$(ip 10)" 6379 GET canary
    expect "the replica is still a replica of the master" \
        "master_host:$(ip 10)" rcli "$(ip 11)" 6379 INFO replication
    expect "the sentinel still monitors mymaster with its replica" \
        "^$(ip 11)\$" env REDISCLI_AUTH="$PW" \
        timeout 10 redis-cli -h "$(ip 12)" -p 26379 SENTINEL REPLICAS mymaster
fi
pw_seen() {   # the password (plain or base64) in the log, metrics or reports
    local b64
    b64=$(printf '%s' "$PW" | base64)
    { cat "$WORK/server.log"; metrics; curl -sS "http://127.0.0.1:$CPORT/policyreports"; } |
        grep -qF -e "$PW" -e "$b64"
}
check "the password is in no log line, metric or report" eval '! pw_seen'
check "SIGTERM stops it" stop_server

# --- pods refused (RBAC): a failed check, said once, gauges kept absent --
kctl /set '{"forbidden": ["pods"]}' >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" --sentinel-check-interval 1h || exit 1
check "a check that cannot list pods fails, naming the grant" \
    wait_for log_has '"msg":"sentinels: the check failed.*get and list on pods'
expect "rfguard_sentinel_checks_total counts the error" \
    '^rfguard_sentinel_checks_total\{result="error"\} 1$' metrics
if metrics | grep -q '^rfguard_sentinel_merged'; then
    bad "a failed first check set rfguard_sentinel_merged"
else
    ok "a failed first check sets no rfguard_sentinel_merged"
fi
check "SIGTERM stops it" stop_server
kctl /set '{"forbidden": []}' >/dev/null

# --- the policy's spec.audit.sentinelInterval, where no flag is given ----
printf '%s\n' 'apiVersion: rfguard.io/v1alpha1' 'kind: Policy' \
    'metadata: {name: sentinel-check}' 'spec:' '  audit:' \
    '    sentinelInterval: 1h' >"$WORK/policy.yaml"
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" || exit 1
check "the policy's sentinelInterval turns the check on" \
    wait_for log_has '"msg":"sentinels: checked"'
check "SIGTERM stops it" stop_server
start_server --no-cluster --policy "$WORK/policy.yaml" || exit 1
expect "without the cluster view the policy's check is off, said once" \
    'sentinelInterval needs the cluster view; no sentinel check' \
    cat "$WORK/server.log"
check "SIGTERM stops it" stop_server
finish
