#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_opstree.sh - ctest integration.cluster_opstree: `rfguard serve`
# with its cluster view fed by tests/kapi/kapi.py, and OpsTree
# RedisReplications (redis.redis.opstreelabs.in/v1beta2) beside
# RedisFailovers. Covers: an API server without the OpsTree CRDs (404 on
# redissentinels and redisreplications) still lets the view sync, logged
# once per resource; a RedisReplication CREATE is reviewed: it shares the
# sentinel identity (mymaster, 6379, no password) of RedisFailover
# shop/orders in the view (a warning by default), and a misspelt spec
# field is denied naming it; /mutate leaves an UPDATE unpatched; once the
# CRDs are served the view lists and watches RedisReplications, so a
# RedisFailover CREATE is told about RedisReplication team-a/cache (and,
# after a deletion and an addition, about team-b/store instead), and
# under a policy that sets sentinel-identity-shared to deny both
# directions are denied. The background audit (--audit-interval) runs
# without the OpsTree CRDs and, with them, writes the RedisReplication's
# PolicyReport results under its kind. Under a policy target naming both
# operators, the installed redisfailovers CRD decides only the
# RedisFailover target. A cluster without the RedisFailover CRD (404 on
# redisfailovers) gets ready too; a 404 on them while the CRD is there
# keeps the view unsynced.
#
# Usage: cluster_opstree.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

cluster_setup || exit 1
# the OpsTree CRDs are not installed: their resources answer 404
kctl /set '{"opstree": false}' >/dev/null

cat >"$WORK/policy.yaml" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: opstree-test
spec:
  mutations: true
  rules:
    sentinel-identity-shared: {severity: warn, onUnavailable: warn}
    auth-required: warn
EOF
sed 's/severity: warn, onUnavailable: warn/severity: deny, onUnavailable: warn/; s/name: opstree-test/name: opstree-deny/' \
    "$WORK/policy.yaml" >"$WORK/policy-deny.yaml"

# kinds_in_reports NS: the kinds of the resources in kapi's PolicyReport
# of NS, sorted, on one line
kinds_in_reports() {
    curl -sS "http://127.0.0.1:$CPORT/policyreports" | python3 -c '
import json, sys
k = {res["kind"] for r in json.load(sys.stdin)
     if r["metadata"]["namespace"] == sys.argv[1]
     for x in r.get("results", []) for res in x.get("resources", [])}
print(" ".join(sorted(k)) or "none")' "$1"
}

add_rf shop orders --mymaster >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --api-deadline 30s --audit-interval 10s ||
    exit 1
if wait_ready "$PORT"; then
    ok "ready without the OpsTree CRDs (404 on their lists)"
else
    bad "never ready without the OpsTree CRDs"
    tail -n 20 "$WORK/server.log"
fi
expect "the missing redisreplications are logged" \
    'redisreplications are not served' cat "$WORK/server.log"
expect "the missing redissentinels are logged" \
    'redissentinels are not served' cat "$WORK/server.log"
expect_eventually "the background audit runs without the OpsTree CRDs" \
    '^RedisFailover$' kinds_in_reports shop
expect "... and does not fail on them" '^0$' log_count '"audit: failed'

IDR=sentinel-identity-shared
expect "a RedisReplication sharing mymaster/6379 with a RedisFailover warns" \
    "^allowed warnings=.*\[$IDR\] .*RedisFailover shop/orders" \
    validate team-a cache --kind rr
expect "a misspelt RedisReplication field is denied, naming it" \
    '^denied: \[schema-unknown-field\] spec\.clustreSize is not a field' \
    validate team-a cache --kind rr --typo --rules schema-unknown-field
# (--rules none: the whole message, as kubectl shows it)
expect "the denial names the kind and object" \
    '^denied-other: rfguard denied RedisReplication team-a/cache: ' \
    validate team-a cache --kind rr --typo --rules none
expect "/mutate does not patch a RedisReplication UPDATE" \
    '^no patch$' validate team-a cache --kind rr --op UPDATE --mutate

# the CRDs arrive: the next list finds the resource, and the watch feeds
# the view
kctl /set '{"opstree": true}' >/dev/null
rft rr team-a cache | kctl /objects - >/dev/null
kctl /delete '{"kind": "RedisFailover", "namespace": "shop", "name": "orders"}' \
    >/dev/null
expect_eventually "a RedisFailover CREATE names the RedisReplication in the view" \
    "^allowed warnings=.*\[$IDR\] .*RedisReplication team-a/cache" \
    validate shop orders --mymaster
expect "the view is available with the OpsTree resources" '^200$' readyz_code
# a deletion and an addition through the watch
kctl /delete '{"kind": "RedisReplication", "namespace": "team-a", "name": "cache"}' \
    >/dev/null
rft rr team-b store | kctl /objects - >/dev/null
expect_eventually "a RedisReplication added later reaches the view" \
    "^allowed warnings=.*\[$IDR\] .*RedisReplication team-b/store" \
    validate shop orders --mymaster
n=$(log_count 'redisreplications are not served')
if [ "$n" -eq 1 ]; then
    ok "the 404 was logged once"
else
    bad "the 404 was logged $n times"
fi

# the same view, under a policy that denies shared identities
stop_server
kctl /delete '{"kind": "RedisReplication", "namespace": "team-b", "name": "store"}' \
    >/dev/null
rft rr team-a cache | kctl /objects - >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" \
    --policy "$WORK/policy-deny.yaml" --cluster-stale-ms 3600000 \
    --api-deadline 30s --audit-interval 10s || exit 1
wait_ready "$PORT" || bad "not ready under the deny policy"
expect_eventually "the background audit reports the RedisReplication, by kind" \
    '^RedisReplication$' kinds_in_reports team-a
expect "denied under a deny policy: RedisFailover vs RedisReplication" \
    "^denied: \[$IDR\] .*RedisReplication team-a/cache" \
    validate shop orders --mymaster
add_rf shop orders --mymaster >/dev/null
kctl /delete '{"kind": "RedisReplication", "namespace": "team-a", "name": "cache"}' \
    >/dev/null
expect_eventually "denied under a deny policy: RedisReplication vs RedisFailover" \
    "^denied: \[$IDR\] .*RedisFailover shop/orders" \
    validate team-a cache --kind rr
# a policy whose target names both operators, on a cluster whose
# redisfailovers CRD is Spotahome's: the CRD decides the RedisFailover
# target (disableMyMaster is pruned), the OpsTree one stays the policy's
stop_server
sed 's/^spec:$/spec:\n  target: "freshworks-v3.3,opstree-v0.26"/' "$WORK/policy-deny.yaml" \
    >"$WORK/policy-set.yaml"
start_server --kubeconfig "$WORK/kubeconfig" \
    --policy "$WORK/policy-set.yaml" --cluster-stale-ms 3600000 \
    --api-deadline 30s || exit 1
wait_ready "$PORT" || bad "not ready under the two-operator policy"
expect "the installed CRD overrides the RedisFailover target of the set" \
    '^denied: \[disablemymaster-pruned\] ' \
    validate shop other --rules disablemymaster-pruned
expect "... and the OpsTree target of the set stays" \
    '^denied: \[schema-unknown-field\] spec\.clustreSize is not a field of the opstree-v0\.26 RedisReplication CRD' \
    validate team-a cache --kind rr --typo --rules schema-unknown-field

# a 404 on redisfailovers while their CRD is installed (an API server
# that has not loaded its CRDs yet) is an outage, not an empty kind
stop_server
kctl /set '{"unserved": ["redisfailovers"]}' >/dev/null
kctl /calls/reset >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" \
    --policy "$WORK/policy-deny.yaml" --cluster-stale-ms 3600000 \
    --api-deadline 30s || exit 1
# rf_404s_ge N: kapi answered at least N lists of redisfailovers with 404
rf_404s_ge() {
    kctl /calls | python3 -c '
import json, sys
n = sum(1 for c in json.load(sys.stdin)
        if c["resource"] == "redisfailovers" and c["status"] == 404)
sys.exit(0 if n >= int(sys.argv[1]) else 1)' "$1"
}
check "the 404 on redisfailovers is retried" wait_for rf_404s_ge 2
expect "not ready while the CRD is there but its objects answer 404" \
    '^503$' readyz_code

# a cluster with the OpsTree operator only: no RedisFailover CRD (404)
stop_server
kctl /set '{"flavor": "none"}' >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" \
    --policy "$WORK/policy-deny.yaml" --cluster-stale-ms 3600000 \
    --api-deadline 30s --audit-interval 10s || exit 1
if wait_ready "$PORT"; then
    ok "ready without the RedisFailover CRD (404 on its list)"
else
    bad "never ready without the RedisFailover CRD"
fi
expect "the missing redisfailovers are logged" \
    'redisfailovers are not served' cat "$WORK/server.log"
expect "... so the RedisFailover in the store is not in the view" \
    '^allowed$' validate team-a cache --kind rr --rules sentinel-identity-shared
rft rr team-c only | kctl /objects - >/dev/null
expect_eventually "the background audit reports the OpsTree objects there" \
    '^RedisReplication$' kinds_in_reports team-c
kctl /set '{"unserved": [], "flavor": "spotahome"}' >/dev/null
check "no Secret value or token in the log" \
    bash -c "! grep -qF -e '$KAPI_TOKEN' '$WORK/server.log'"
finish
