#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_outage.sh - ctest integration.cluster_outage: what `rfguard serve`
# does when its API server (tests/kapi) misbehaves. The server refusing
# connections, going away for good and coming back on the same address
# (a relist from the persisted state), answering slowly, hanging, a token
# that rotates (kubeconfig tokenFile, re-read after a 401), a token that
# is refused (401 Status) and RBAC refusing Secrets (403 Status). While
# the view is stale each cluster rule applies its onUnavailable: deny
# with "cannot verify: cluster view unavailable ... since <time>", or
# allow with a warning; a review gets its verdict even from a view whose
# API server hangs. Every wait is for a verdict or a log line, never for
# a duration (the view turns stale after --cluster-stale-ms, so a healthy
# state is also awaited: a loaded machine may be slow to reconnect).
#
# Usage: cluster_outage.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

cluster_setup --flavor freshworks || exit 1
write_policy "$WORK/policy.yaml"
printf '%s\n' "$KAPI_TOKEN" >"$WORK/token"
sed -e "s|^    token: .*|    tokenFile: token|" "$WORK/kubeconfig" \
    >"$WORK/kubeconfig.tf"
add_secret a auth Qw3eRt5yUi7oPa9sDf1g >/dev/null
start_server --kubeconfig "$WORK/kubeconfig.tf" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 1000 || exit 1
wait_ready "$PORT" || bad "not ready"
expect_eventually "baseline: admitted" '^allowed' validate a one --secret auth

UNAV='cannot verify: cluster view unavailable \(API server unreachable\) since [0-9]{4}-[0-9]{2}-[0-9]{2}T'

# connections refused (reset)
kctl /set '{"down": true}' >/dev/null
expect_eventually "refused: a rule with onUnavailable deny says cannot verify" \
    "denied: .*\[master-name-clusterwide-unique\] $UNAV" \
    validate a two --secret auth
expect "refused: onUnavailable warn rules do not deny" '^0$' \
    sh -c "python3 '$RFT' validate $PORT '$CERTS/ca.crt' a two --secret auth | grep -c 'auth-secret-exists'"
expect "refused: onUnavailable warn allows with a warning" \
    "^allowed warnings=.*\[auth-secret-exists\] $UNAV" \
    validate a nine --secret auth --mymaster --port 7002
expect "refused: readyz stays 200 after the first sync" '^200$' readyz_code
kctl /set '{"down": false}' >/dev/null
expect_eventually "back: admitted again" '^allowed' \
    validate a two --secret auth

# gone for good, then back on the same address with its state
stop_kapi
expect_eventually "killed: cannot verify" "denied: .*$UNAV" \
    validate a three --secret auth
start_kapi --flavor freshworks || exit 1
add_secret b fresh Zx2cVb4nMq6wEr8tYu0i >/dev/null
expect_eventually "restarted: the new Secret is seen (relist)" '^allowed' \
    validate b three --secret fresh
check "restarted: relisted after 410" wait_for log_has relisting

# slow API server: admission still answers, and the view catches up
# (how long a review takes is bench/'s business, not a test's)
kctl /set '{"delay_ms": 1500}' >/dev/null
kctl /drop >/dev/null
expect "slow: admission still answers" '^(allowed|denied)' \
    validate a quick --secret auth --mymaster --port 7001
add_secret c slow As4dFg6hJk8lQw0eRt2y >/dev/null
expect_eventually "slow: caught up" '^allowed' validate c four --secret slow
kctl /set '{"delay_ms": 0}' >/dev/null

# hanging API server (accepts, never answers)
kctl /set '{"hang": true}' >/dev/null
kctl /drop >/dev/null
expect_eventually "hang: cannot verify once stale" "denied: .*$UNAV" \
    validate a five --secret auth
kctl /set '{"hang": false}' >/dev/null
expect_eventually "hang over: admitted again" '^allowed' \
    validate a five --secret auth

# token rotation: the file changes, the API server follows
printf '%s\n' rotated-token-2 >"$WORK/token.new"
mv "$WORK/token.new" "$WORK/token"
kctl /set '{"token": "rotated-token-2"}' >/dev/null
kctl /drop >/dev/null
add_secret d rot Pl0oKi9jUh8yGt7fRd6e >/dev/null
expect_eventually "rotated token is re-read" '^allowed' \
    validate d six --secret rot

# refused token: 401
kctl /set '{"token": "not-ours"}' >/dev/null
kctl /drop >/dev/null
expect_eventually "401: cannot verify" "denied: .*$UNAV" \
    validate d seven --secret rot
check "401: the Status message is logged" \
    wait_for log_has 'HTTP 401: Unauthorized'
kctl /set '{"token": "rotated-token-2"}' >/dev/null
expect_eventually "401 over: admitted again" '^allowed' \
    validate d seven --secret rot

# RBAC: Secrets forbidden (403)
kctl /set '{"forbidden": ["secrets"]}' >/dev/null
kctl /drop >/dev/null
expect_eventually "403: cannot verify" "denied: .*$UNAV" \
    validate d eight --secret rot
check "403: the Status message is logged" \
    wait_for log_has 'HTTP 403: secrets is forbidden'
kctl /set '{"forbidden": []}' >/dev/null
expect_eventually "403 over: admitted again" '^allowed' \
    validate d eight --secret rot

check "rfguard stops cleanly" stop_server
# after the stop: every line is written
if grep -q -e "$KAPI_TOKEN" -e rotated-token-2 "$WORK/server.log"; then
    bad "a token is in the log"
else
    ok "no token in the server log"
fi
finish
