#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_netpol.sh - ctest integration.cluster_netpol: `rfguard serve`
# watches NetworkPolicies (tests/kapi/kapi.py) and lets one that guards a
# failover's sentinel pods count for sentinel-no-auth, as `rfguard lint`
# does with a policy among its files. Covers: with a policy in the
# failover's namespace that selects its sentinel pods and admits only the
# failovers' pods to 26379, sentinel-no-auth does not fire, while a
# failover whose sentinels it does not select still gets it; after the
# policy is deleted (a watch event) the finding is back; a policy
# opening 26379 to every source is named in the finding; RBAC
# refusing the NetworkPolicy watch (403) or list from the start keeps the
# view available and ready, and the rule fires, never the reverse.
#
# Usage: cluster_netpol.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

PW=Vb7nMq2wEr5tYu8iOp3a
cluster_setup --flavor freshworks || exit 1
write_policy "$WORK/policy.yaml"
# a denial carries the rule's whole message, a warning is cut to fit a
# line: deny, to read the message that names an open policy in full
echo '    sentinel-no-auth: {severity: deny}' >>"$WORK/policy.yaml"
add_secret a auth-a "$PW" >/dev/null
add_netpol() { rft netpol "$@" | kctl /objects - >/dev/null; }
del_netpol() {
    kctl /delete "{\"kind\": \"NetworkPolicy\", \"namespace\": \"$1\", \"name\": \"$2\"}" >/dev/null
}
# sna NAME: the verdict on failover a/NAME, about sentinel-no-auth only
sna() { validate a "$1" --secret auth-a --rules sentinel-no-auth; }
NOAUTH='\[sentinel-no-auth\] sentinels of this failover accept unauthenticated'
# not "cannot verify": the view is available
AVAILABLE='^(allowed$|denied-other: )'

add_netpol a cache-sentinels cache
# a long stale limit and API deadline: no verdict here depends on how
# fast a loaded machine answers
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --api-deadline 30s || exit 1
if wait_ready "$PORT"; then ok "ready"; else bad "never ready"; fi

expect "a guarding NetworkPolicy in the cluster quiets sentinel-no-auth" \
    '^allowed$' sna cache
expect "a failover whose sentinels it does not select still gets it" \
    "^denied: $NOAUTH" sna web
expect "the other cluster rules are unaffected" '^allowed$' \
    validate a cache --secret auth-a

# deleted: the watch brings the event, and the finding is back
del_netpol a cache-sentinels
expect_eventually "after the policy is deleted the finding is back" \
    "^denied: $NOAUTH" sna cache

# a policy that lets every source reach 26379 guards nothing
add_netpol a wide-open cache --open
expect_eventually "a policy open to every source is named in the finding" \
    '^denied: \[sentinel-no-auth\] NetworkPolicy a/wide-open .*lets any source reach port 26379' \
    sna cache

# RBAC revokes the NetworkPolicy watch: the view stays available and the
# policy no longer counts
del_netpol a wide-open
add_netpol a cache-sentinels cache
expect_eventually "guarded again" '^allowed$' sna cache
kctl /set '{"forbidden": ["networkpolicies"]}' >/dev/null
kctl /drop >/dev/null
check "the refusal is logged" \
    wait_for log_has 'cannot list networkpolicies; no NetworkPolicy counts as guarding sentinels.*HTTP 403'
expect_eventually "refused: the rule fires again" \
    "^denied: $NOAUTH" sna cache
expect "refused: readyz stays 200" '^200$' readyz_code
expect "refused: the view is available (no cannot verify)" "$AVAILABLE" \
    validate a cache --secret auth-a
check "rfguard stops cleanly" stop_server
# after the stop: every line is written
if grep -q "$PW" "$WORK/server.log"; then bad "a password is in the log"; else
    ok "no password in the server log"; fi

# refused from the start: ready all the same, and the rule fires
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --api-deadline 30s || exit 1
if wait_ready "$PORT"; then ok "ready while NetworkPolicies are forbidden"
else bad "never ready while NetworkPolicies are forbidden"; fi
check "the refused list is logged" \
    wait_for log_has 'cannot list networkpolicies'
expect "refused from the start: the rule fires" "^denied: $NOAUTH" \
    sna cache
check "the refusal is logged once, not at each retry" \
    test "$(log_count 'cannot list networkpolicies')" -eq 1
expect "refused from the start: the view is available" "$AVAILABLE" \
    validate a cache --secret auth-a
kctl /set '{"forbidden": []}' >/dev/null
expect_eventually "allowed again: the policy is listed and counts" \
    '^allowed$' sna cache
check "rfguard stops cleanly" stop_server
finish
