#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_race.sh - ctest integration.cluster_race: two `rfguard serve`
# processes (two webhook replicas) share one API server (tests/kapi). For
# each of several names, both are sent a CREATE of a same-named failover
# with disableMyMaster, in different namespaces, at the same moment.
# Neither failover is in the cluster yet, so only the Lease claim can tell
# them apart: exactly one must be admitted, and the other's denial must
# name the winner. A retry by the winner is admitted again (its own
# claim), and a dryRun by the loser predicts its denial but writes nothing.
# The API deadline is long: a Lease call that a loaded machine answers
# late must not turn into "cannot verify" (cluster_deadline tests that).
#
# Usage: cluster_race.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

ROUNDS=12
cluster_setup --flavor freshworks || exit 1
write_policy "$WORK/policy.yaml"
add_secret red auth Qw3eRt5yUi7oPa9sDf1g >/dev/null
add_secret blue auth Zx2cVb4nMq6wEr8tYu0i >/dev/null

start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --api-deadline 30s || exit 1
PORT1=$PORT
FIRST_PID=$SERVER_PID
EXTRA_PIDS=$FIRST_PID
mv "$WORK/server.log" "$WORK/server1.log"
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --api-deadline 30s || exit 1
PORT2=$PORT
for p in $PORT1 $PORT2; do
    wait_ready "$p" || bad "replica on $p not ready"
done

cat >"$WORK/race.py" <<'PY'
import json, ssl, sys, threading, urllib.request
sys.path.insert(0, sys.argv[1])
import rftool
ca, p1, p2, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
bad = 0
for i in range(rounds):
    name = "race%d" % i
    out = {}
    barrier = threading.Barrier(2)
    def go(port, ns):
        body = json.dumps(rftool.review(rftool.rf(ns, name, "auth"))).encode()
        barrier.wait()
        out[ns] = rftool.verdict(rftool.https_post(port, ca, "/validate", body))
    # alternate which replica gets which namespace
    a, b = (p1, p2) if i % 2 == 0 else (p2, p1)
    t = [threading.Thread(target=go, args=(a, "red")),
         threading.Thread(target=go, args=(b, "blue"))]
    for x in t: x.start()
    for x in t: x.join()
    won = [ns for ns, v in out.items() if v.startswith("allowed")]
    lost = [ns for ns, v in out.items() if v.startswith("denied")]
    if len(won) != 1 or len(lost) != 1:
        print("round %d: %s" % (i, out)); bad += 1; continue
    msg = out[lost[0]]
    if "already claimed by RedisFailover %s/%s" % (won[0], name) not in msg:
        print("round %d: denial does not name the winner: %s" % (i, msg)); bad += 1
print("rounds=%d bad=%d" % (rounds, bad))
sys.exit(1 if bad else 0)
PY
if python3 "$WORK/race.py" "$SRC/tests/kapi" "$CERTS/ca.crt" "$PORT1" "$PORT2" \
    "$ROUNDS" >"$WORK/race.out" 2>&1; then
    ok "exactly one of two racing replicas admits each name ($(tail -n1 "$WORK/race.out"))"
else
    bad "race: $(cat "$WORK/race.out")"
fi
leases=$(kctl /leases | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))')
check "one Lease per name ($leases)" test "$leases" -eq "$ROUNDS"
winner=$(kctl /leases | python3 -c '
import json,sys
for l in json.load(sys.stdin):
    if l["metadata"]["annotations"]["rfguard.io/identity"] == "master/race0":
        print(l["spec"]["holderIdentity"].split("/")[0])')
loser=red
[ "$winner" = red ] && loser=blue
PORT=$PORT1
expect "the winner's retry is admitted (same holder)" '^allowed' \
    validate "$winner" race0 --secret auth
PORT=$PORT2
expect "the loser is denied on the other replica too" \
    "denied: .*already claimed by RedisFailover $winner/race0" \
    validate "$loser" race0 --secret auth
expect "a dryRun by the loser predicts the denial" \
    "denied: .*already claimed by RedisFailover $winner/race0" \
    validate "$loser" race0 --secret auth --dry-run
n=$(kctl /leases | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))')
check "the dryRuns wrote nothing ($n Leases)" test "$n" -eq "$ROUNDS"
check "replica 2 stops cleanly" stop_server
SERVER_PID=$FIRST_PID
check "replica 1 stops cleanly" stop_server
EXTRA_PIDS=
finish
