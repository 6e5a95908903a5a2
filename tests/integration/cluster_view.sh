#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_view.sh - ctest integration.cluster_view: `rfguard serve` over
# HTTPS with its cluster view fed by tests/kapi/kapi.py (list+watch of
# RedisFailovers, Secrets, NetworkPolicies and the CRD; Leases). Covers: /readyz unready
# until the first full sync (an API server that answers nothing, then
# one that refuses to list RedisFailovers); the same master name in another namespace
# denied with a message naming the other object; a missing Secret denied,
# then allowed once the Secret arrives through the watch; a shared
# password detected (same namespace: deny, across namespaces: warn);
# deletions; a relist after 410 Expired (an object the watch never
# delivered appears); dropped watch connections; dryRun makes no claim;
# a claimed master name denied to a second failover; the reconcile
# releasing the claim of a failover that never appeared; no Secret value
# in any log line.
#
# Usage: cluster_view.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

PW_A=Zq8vPx2LmN4rT6yB9wKc
cluster_setup --flavor freshworks || exit 1
write_policy "$WORK/policy.yaml"
add_secret a auth-a "$PW_A" >/dev/null
add_rf a cache --secret auth-a >/dev/null

# kapi answers nothing while hung: rfguard listens but is not ready.
# Staleness is cluster_outage's subject and the API deadline
# cluster_deadline's: here a view is never stale and a Lease call has 30 s,
# so no verdict depends on how fast a loaded machine answers.
kctl /set '{"hang": true}' >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --claim-grace 1 --claim-reconcile 1 \
    --api-deadline 30s || exit 1
expect "readyz is 503 before the first sync" '^503$' readyz_code
expect "cannot verify before the first sync" \
    'denied: .*\[master-name-clusterwide-unique\] cannot verify: cluster view not synced yet' \
    validate z early --secret auth-a
# Then RBAC refuses the RedisFailover list (403) but answers everything
# else: still not ready, whatever a hung request did meanwhile; the CRD
# is listed before anything else, so its answer is in before the view
# can sync.
kctl /set '{"forbidden": ["redisfailovers"]}' >/dev/null
kctl /set '{"hang": false}' >/dev/null
check "the refused list is retried" wait_for kstat_ge forbidden 2
expect "readyz stays 503 while the list is refused" '^503$' readyz_code
expect "still cannot verify" 'cannot verify: cluster view not synced yet' \
    validate z early --secret auth-a
kctl /set '{"forbidden": []}' >/dev/null
if wait_ready "$PORT"; then
    ok "readyz turns 200 after the first full sync"
else
    bad "readyz never turned 200"
fi
expect "operator target detected from the CRD" 'freshworks-v3.3' \
    grep 'operator target from the CRD' "$WORK/server.log"

# same master name in another namespace
expect "same name in another namespace is denied, naming the other" \
    'denied: .*\[master-name-clusterwide-unique\] master name "cache" is also used by RedisFailover a/cache' \
    validate b cache --secret auth-a

# missing Secret, then the Secret arrives through the watch
add_secret b auth-b Hh3kLp9QwErTy7UiOp2s >/dev/null
expect "missing Secret is denied" \
    'denied: .*\[auth-secret-exists\] Secret b/late does not exist' \
    validate b web --secret late
add_secret b late Hq2wErTy6UiOp0AsDf3g >/dev/null
expect_eventually "allowed once the Secret appears in the watch" \
    '^allowed' validate b web --secret late

# shared passwords (compared by SHA-256)
add_secret a auth-a2 "$PW_A" >/dev/null
add_rf a twin --secret auth-a2 >/dev/null
add_secret c auth-c "$PW_A" >/dev/null
add_secret a auth-a3 "$PW_A" >/dev/null
expect_eventually "shared password in the same namespace is denied" \
    'denied: .*\[auth-secret-unique\] the password in a/auth-a3 is the same as in a/auth-a2?[,:] .*used by RedisFailover a/' \
    validate a third --secret auth-a3
expect_eventually "shared password across namespaces warns" \
    'allowed warnings=.*\[auth-secret-unique\] the password in c/auth-c is the same as in a/' \
    validate c other --secret auth-c

# deletion through the watch frees the name
kctl /delete '{"kind":"RedisFailover","namespace":"a","name":"cache"}' >/dev/null
expect_eventually "a deleted failover no longer conflicts" '^allowed' \
    validate b cache --secret auth-b --dry-run

# 410: an object the watch never delivered appears after the relist
rft secret d hidden Kj8hGf5dSa2QwE4rTy6U | kctl '/objects?silent=1' - >/dev/null
expect "an object missing from the watch is not seen" \
    'denied: .*Secret d/hidden does not exist' validate d app --secret hidden
lists_before=$(kstat list secrets)
kctl /compact >/dev/null
expect_eventually "after 410 Expired rfguard relists and sees it" \
    '^allowed' validate d app --secret hidden
lists_after=$(kstat list secrets)
check "the Secrets were listed again ($lists_before -> $lists_after)" \
    test "$lists_after" -gt "$lists_before"
check "the relist is logged" wait_for log_has 'relisting'

# dropped watch connections: reconnect from the last resourceVersion
dropped=$(kctl /drop)
add_secret e after-drop Po9iUy7tRe5wQ3aSd1fG >/dev/null
expect_eventually "watches reconnect after a dropped connection ($dropped)" \
    '^allowed' validate e app --secret after-drop

# dryRun: no Lease
add_secret f auth-f Lk4jHg6fDs8aQw2eRt5y >/dev/null
expect_eventually "dryRun admits a free name" '^allowed' \
    validate f dryname --secret auth-f --dry-run
expect "dryRun made no claim" '^0$' \
    sh -c "python3 '$RFT' ctl $CPORT /leases | grep -c 'master/dryname'"

# claims: admitted names hold a Lease; a second failover is denied
# (stored first, and seen by the view before its review: with
# --claim-grace 1 a claim whose failover is not in the view a second
# later is fair game for the reconcile)
add_secret g auth-g Mn5bVc7xZa9sDf2gHj4k >/dev/null
add_rf f unique --secret auth-f >/dev/null
expect_eventually "the stored failover is in the view" \
    'master name "unique" is also used by RedisFailover f/unique' \
    validate g unique --secret auth-g --dry-run
expect "a unique name is admitted" '^allowed' validate f unique --secret auth-f
expect "its Lease names the failover" '"holderIdentity": "f/unique"' \
    kctl /leases
expect_eventually "the claimed name is denied in another namespace" \
    'denied: .*master name "unique" is (already claimed by|also used by) RedisFailover f/unique' \
    validate g unique --secret auth-g

# reconcile: a claim whose failover never appeared is released
creates=$(kstat lease_creates)
expect "a ghost name is admitted" '^allowed' validate g ghost --secret auth-g
check "its Lease was created" test "$(kstat lease_creates)" -eq $((creates + 1))
expect_eventually "the reconcile releases the ghost's claim" \
    '^gone$' sh -c "python3 '$RFT' ctl $CPORT /leases | grep -q 'master/ghost' && echo held || echo gone"
expect "the stored failover keeps its claim" 'master/unique' kctl /leases

check "rfguard stops cleanly" stop_server
# no Secret value in the logs (after the stop: every line is written)
for pw in "$PW_A" Hh3kLp9QwErTy7UiOp2s Kj8hGf5dSa2QwE4rTy6U; do
    if grep -q "$pw" "$WORK/server.log"; then bad "a password is in the log"; fi
done
ok "no password in the server log"
finish
