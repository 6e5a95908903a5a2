#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_race_sentinel.sh - ctest integration.cluster_race_sentinel: the
# Spotahome sentinel identity (master mymaster, redis port, password) is
# unique across webhook replicas when sentinel-identity-shared denies. Two
# `rfguard serve` processes share one API server (tests/kapi, Spotahome
# CRD). Each round sends both, at the same moment, a CREATE of a failover
# with the same identity that is not in the cluster yet, so only the Lease
# claim can tell them apart: exactly one is admitted and the other's
# denial names the winner. Even rounds: two failovers of one namespace
# sharing one auth Secret on one port; odd rounds: two failovers without
# a password in two namespaces on one port. Then: the winner's retry is
# admitted (its own claim), the loser is denied on either replica, a
# dryRun writes nothing, no Lease holds a password or its hash, and the
# reconcile releases the claim of a failover that is gone, as it does
# for master names.
#
# Usage: cluster_race_sentinel.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

ROUNDS=12
PASSWORD=Qw3eRt5yUi7oPa9sDf1g
cluster_setup --flavor spotahome || exit 1
cat >"$WORK/policy.yaml" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: cluster-race-sentinel
spec:
  target: spotahome-v1.3
  mutations: false
  rules:
    spread-missing: off
    auth-required: off
    sentinel-identity-shared: {severity: deny, onUnavailable: deny}
    auth-secret-exists: {severity: deny, onUnavailable: warn}
    auth-password-key: {severity: deny, onUnavailable: warn}
    auth-password-charset: {severity: deny, onUnavailable: warn}
    auth-secret-unique: {severity: deny, onUnavailable: warn}
    redis-port-unique: {severity: deny, onUnavailable: warn}
EOF
add_secret red auth "$PASSWORD" >/dev/null

# the racing failovers are never added to the cluster: a long grace keeps
# the reconcile from releasing their claims until the end. A long API
# deadline keeps a loaded machine from turning a claim into "cannot
# verify" (cluster_deadline tests the deadline).
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --claim-grace 600 --api-deadline 20s || exit 1
PORT1=$PORT
FIRST_PID=$SERVER_PID
EXTRA_PIDS=$FIRST_PID
mv "$WORK/server.log" "$WORK/server1.log"
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --claim-grace 600 --api-deadline 20s || exit 1
PORT2=$PORT
for p in $PORT1 $PORT2; do
    rft wait-ready "$p" "$CERTS/ca.crt" "$RFG_WAIT" || bad "replica on $p not ready"
done

cat >"$WORK/race.py" <<'PY'
import json, sys, threading
sys.path.insert(0, sys.argv[1])
import rftool
ca, p1, p2, rounds = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
bad = 0
for i in range(rounds):
    port = 7000 + i
    if i % 2 == 0:   # one namespace, one Secret
        sides = [("red", "a%d" % i, "auth"), ("red", "b%d" % i, "auth")]
    else:            # no password, two namespaces
        sides = [("red", "n%d" % i, None), ("blue", "n%d" % i, None)]
    out = {}
    barrier = threading.Barrier(2)
    def go(sport, ns, name, secret):
        obj = rftool.rf(ns, name, secret, port, mymaster=True)
        body = json.dumps(rftool.review(obj)).encode()
        barrier.wait()
        out[ns + "/" + name] = rftool.verdict(
            rftool.https_post(sport, ca, "/validate", body, timeout=60))
    # alternate which replica gets which side
    a, b = (p1, p2) if i % 2 == 0 else (p2, p1)
    t = [threading.Thread(target=go, args=(a,) + sides[0]),
         threading.Thread(target=go, args=(b,) + sides[1])]
    for x in t: x.start()
    for x in t: x.join()
    won = [k for k, v in out.items() if v == "allowed"]
    lost = [k for k, v in out.items() if v.startswith("denied")]
    if len(won) != 1 or len(lost) != 1:
        print("round %d: %s" % (i, out)); bad += 1; continue
    msg = out[lost[0]]
    want = "[sentinel-identity-shared] sentinel identity (master mymaster, port %d, " % port
    if want not in msg or "is already claimed by RedisFailover %s " % won[0] not in msg:
        print("round %d: denial does not name the identity and the winner: %s" % (i, msg)); bad += 1
    print("round %d: %s won" % (i, won[0]))
print("rounds=%d bad=%d" % (rounds, bad))
sys.exit(1 if bad else 0)
PY
if PYTHONDONTWRITEBYTECODE=1 python3 "$WORK/race.py" "$SRC/tests/kapi" "$CERTS/ca.crt" "$PORT1" "$PORT2" \
    "$ROUNDS" >"$WORK/race.out" 2>&1; then
    ok "exactly one of two racing replicas admits each sentinel identity ($(tail -n1 "$WORK/race.out"))"
else
    bad "race: $(cat "$WORK/race.out")"
fi

leases() { kctl /leases; }
nleases() { leases | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))'; }
# holder_of IDENTITY
holder_of() {
    leases | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    if l["metadata"]["annotations"]["rfguard.io/identity"] == sys.argv[1]:
        print(l["spec"]["holderIdentity"])' "$1"
}
check "one Lease per identity ($(nleases))" test "$(nleases)" -eq "$ROUNDS"
if leases | grep -q -e "$PASSWORD" -e "$(printf %s "$PASSWORD" | sha256sum | cut -c1-16)"; then
    bad "a Lease holds the password or its SHA-256"
else
    ok "no Lease holds the password or its SHA-256"
fi

# round 0: one Secret in one namespace
winner=$(holder_of sentinel/7000/secret:red/auth)
case "$winner" in
red/a0) loser=b0 ;;
red/b0) loser=a0 ;;
*) bad "round 0 has no holder: '$winner'"; loser=none ;;
esac
PORT=$PORT1
expect "the winner's retry is admitted (same holder)" '^allowed$' \
    validate red "${winner#red/}" --secret auth --port 7000 --mymaster
expect "the loser is denied on replica 1" \
    "denied: \[sentinel-identity-shared\] sentinel identity \(master mymaster, port 7000, password of Secret red/auth\) is already claimed by RedisFailover $winner " \
    validate red "$loser" --secret auth --port 7000 --mymaster
PORT=$PORT2
expect "the loser is denied on replica 2" \
    "denied: .*already claimed by RedisFailover $winner " \
    validate red "$loser" --secret auth --port 7000 --mymaster
expect "a dryRun by the loser predicts the denial" \
    "denied: .*already claimed by RedisFailover $winner " \
    validate red "$loser" --secret auth --port 7000 --mymaster --dry-run
check "the retries and dryRuns wrote nothing ($(nleases) Leases)" \
    test "$(nleases)" -eq "$ROUNDS"
# another port, or another Secret, is another identity
expect "the same Secret on another port is not the same identity" \
    '^allowed$' validate red "$loser" --secret auth --port 7100 --mymaster

# the reconcile keeps the claim of a failover that exists and releases
# those of failovers that are gone: replica 2 again, reconciling every
# second with a grace of 1 s
check "replica 2 stops cleanly" stop_server
add_rf red "${winner#red/}" --secret auth --port 7000 --mymaster >/dev/null
mv "$WORK/server.log" "$WORK/server2.log"
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --claim-grace 1 --claim-reconcile 1 --api-deadline 20s || exit 1
rft wait-ready "$PORT" "$CERTS/ca.crt" "$RFG_WAIT" || bad "replica 2 not ready again"
expect_eventually "claims of failovers that never appeared are released" 120 \
    '^1$' nleases
check "the existing failover keeps its claim" \
    test "$(holder_of sentinel/7000/secret:red/auth)" = "$winner"
kctl /delete "{\"kind\": \"RedisFailover\", \"namespace\": \"red\", \"name\": \"${winner#red/}\"}" >/dev/null
expect_eventually "its claim is released once it is deleted" 120 '^0$' nleases

check "replica 2 stops cleanly (again)" stop_server
SERVER_PID=$FIRST_PID
check "replica 1 stops cleanly" stop_server
EXTRA_PIDS=
finish
