#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_deadline.sh - ctest integration.cluster_deadline: the API calls of
# one admission review (the Lease claims) share one deadline,
# `--api-deadline`. Against a fake API server (tests/kapi) that is slow on
# purpose, it checks the verdict and the calls the server saw, never how
# long anything took:
#   - a create whose answer comes after the deadline: the review is denied
#     ("cannot verify", onUnavailable deny) and the Lease that landed
#     anyway is deleted again (no ghost claim stays behind); the failover
#     is admitted once the API server is quick again;
#   - calls that are each short but add up past the deadline (409, then a
#     GET that cannot finish in time): "cannot verify", where a per-call
#     timeout would have waited for the answer and said "already claimed";
#   - with onUnavailable warn (a sentinel identity claim), the same late
#     answer admits with a warning and the claim is not released;
#   - a dryRun only reads, within the deadline too;
#   - --api-deadline is in serve --help, and a bad value exits 2.
#
# Usage: cluster_deadline.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

# --- the option itself
if "$RFG" serve --help 2>/dev/null | grep -q -- '--api-deadline DUR'; then
    ok "serve --help lists --api-deadline"
else
    bad "serve --help lists --api-deadline"
fi
for v in 5 2x 0.5ms 0ms 31s; do
    rc=0
    "$RFG" serve --api-deadline "$v" >/dev/null 2>"$WORK/opt.err" || rc=$?
    if [ "$rc" = 2 ] && grep -q -- "'--api-deadline'" "$WORK/opt.err"; then
        ok "--api-deadline $v is refused (exit 2, names the option)"
    else
        bad "--api-deadline $v: exit $rc: $(cat "$WORK/opt.err")"
    fi
done

cluster_setup --flavor freshworks || exit 1
cat >"$WORK/policy.yaml" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: cluster-deadline
spec:
  target: freshworks-v3.3
  mutations: false
  rules:
    spread-missing: off
    master-name-clusterwide-unique: {severity: deny, onUnavailable: deny}
    sentinel-identity-shared: {severity: deny, onUnavailable: warn}
    auth-secret-exists: {severity: deny, onUnavailable: warn}
    auth-password-key: {severity: deny, onUnavailable: warn}
    auth-password-charset: {severity: deny, onUnavailable: warn}
    auth-secret-unique: {severity: deny, onUnavailable: warn}
    redis-port-unique: {severity: deny, onUnavailable: warn}
EOF
add_secret a auth Qw3eRt5yUi7oPa9sDf1g >/dev/null
add_secret b auth Zx2cVb4nMq6wEr8tYu0i >/dev/null
add_secret c auth As4dFg6hJk8lQw0eRt2y >/dev/null

# --claim-grace 600: the reconcile of claims whose failover is gone cannot
# be what removes a ghost claim here
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --api-deadline 3s --claim-grace 600 || exit 1
rft wait-ready "$PORT" "$CERTS/ca.crt" "$RFG_WAIT" || bad "not ready"

# calls: the calls kapi saw on single Leases since the last reset, one per
# line: "METHOD verb name status" (not the lists of the periodic reconcile)
calls() {
    kctl /calls | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c["resource"] == "leases" and c["verb"] != "list":
        print(c["method"], c["verb"], c["name"], c["status"])'
}
# lease_of IDENTITY: "holder claim-id" of the Lease for IDENTITY, or nothing
lease_of() {
    kctl /leases | python3 -c '
import json, sys
for l in json.load(sys.stdin):
    a = l["metadata"].get("annotations", {})
    if a.get("rfguard.io/identity") == sys.argv[1]:
        print(l["spec"]["holderIdentity"], a.get("rfguard.io/claim-id", "-"))' "$1"
}
lease_name() {
    python3 -c 'import hashlib,sys
print("rfguard-id-" + hashlib.sha256(sys.argv[1].encode()).hexdigest()[:20])' "$1"
}
delays() { kctl /set "{\"delays\": $1}" >/dev/null; }
reset_calls() { kctl /calls/reset >/dev/null; }

DEADLINE_MSG="the API server did not answer within rfguard's 3000 ms deadline for API calls"

# --- baseline: one create, answered at once
reset_calls
expect "quick API server: admitted" '^allowed$' validate a alpha --secret auth
check "quick API server: one Lease create, nothing else" \
    test "$(calls)" = "POST create $(lease_name master/alpha) 201"

# --- the create lands, its answer comes after the deadline
GHOST=$(lease_name master/ghost)
reset_calls
delays '[{"method": "POST", "resource": "leases", "after_ms": 6000, "times": 1}]'
expect "late create answer: denied, cannot verify" \
    "^denied: \[master-name-clusterwide-unique\] cannot verify: claiming master name \"ghost\": $DEADLINE_MSG" \
    validate a ghost --secret auth
expect "late create answer: the create reached the API server" \
    "^POST create $GHOST 201$" calls
expect_eventually "late create answer: the Lease that landed is deleted again" \
    120 "^DELETE delete $GHOST 200$" calls
check "late create answer: no claim stays behind" \
    test -z "$(lease_of master/ghost)"
expect "late create answer: the release is logged" \
    'released the claim of a denied review' cat "$WORK/server.log"
delays '[]'
expect "quick again: the same failover is admitted" '^allowed$' \
    validate a ghost --secret auth
expect "quick again: it holds the claim" '^a/ghost ' lease_of master/ghost

# --- each call under the deadline, together past it (the API server at
# 1.6 s per call: a create that finds the name taken, then the GET that
# would say by whom)
expect "another failover takes master name \"taken\"" '^allowed$' \
    validate b taken --secret auth
reset_calls
delays '[{"resource": "leases", "before_ms": 1600}]'
expect "409 then a GET past the deadline: denied, cannot verify" \
    "^denied: \[master-name-clusterwide-unique\] cannot verify: claiming master name \"taken\": $DEADLINE_MSG" \
    validate c taken --secret auth
expect_eventually "409 then a GET past the deadline: the create was refused (409)" \
    20 "^POST create $(lease_name master/taken) 409" calls
delays '[]'
expect "the claim is still the first failover's" '^b/taken ' \
    lease_of master/taken
expect "quick again: the loser is told who holds it" \
    'denied: .*master name "taken" is already claimed by RedisFailover b/taken' \
    validate c taken --secret auth

# --- onUnavailable warn: the late create admits with a warning, keeps
# the claim (the failover is admitted: the claim is its own)
SID=sentinel/7101/secret:a/auth
reset_calls
delays '[{"method": "POST", "resource": "leases", "after_ms": 6000, "times": 1}]'
expect "sentinel identity, late answer, onUnavailable warn: admitted with a warning" \
    "^allowed warnings=\[sentinel-identity-shared\] cannot verify: claiming sentinel identity… \(rfguard explain sentinel-identity-shared\)$" \
    validate a sid --secret auth --mymaster --port 7101
delays '[]'
expect "sentinel identity, late answer: the claim landed and stays" \
    '^a/sid ' lease_of "$SID"
# a later review of the same failover finds its own claim: no release is
# pending for it, so its claim id is unchanged by anyone
id1=$(lease_of "$SID" | cut -d' ' -f2)
expect "sentinel identity: the admitted failover's update is admitted" \
    '^allowed$' validate a sid --secret auth --mymaster --port 7101 --op UPDATE
check "sentinel identity: still the same claim" \
    test "$(lease_of "$SID" | cut -d' ' -f2)" = "$id1"
if calls | grep -q "^DELETE delete $(lease_name "$SID")"; then
    bad "the admitted failover's claim was deleted"
else
    ok "the admitted failover's claim was never deleted"
fi

# --- a dryRun only reads, and also within the deadline
DRY=$(lease_name master/dry)
reset_calls
delays '[{"method": "GET", "resource": "leases", "before_ms": 5000}]'
expect "slow dryRun: cannot verify" \
    "^denied: \[master-name-clusterwide-unique\] cannot verify: claiming master name \"dry\": $DEADLINE_MSG" \
    validate a dry --secret auth --dry-run
delays '[]'
out=$(calls)
if printf '%s\n' "$out" | grep -q "^GET get $DRY " &&
    ! printf '%s\n' "$out" | grep -qE '^(POST|PUT|DELETE) '; then
    ok "slow dryRun: a GET of its Lease, no write"
else
    bad "slow dryRun: calls: $out"
fi
check "rfguard stops cleanly" stop_server
finish
