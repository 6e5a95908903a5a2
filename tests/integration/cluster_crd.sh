#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_crd.sh - ctest integration.cluster_crd: `rfguard serve` judges
# pruning by the RedisFailover CRD installed in the cluster, listed from
# tests/kapi/kapi.py at start and watched: each change arrives as a
# watch event. Covers: a failover setting spec.sentinel.disableMyMaster
# is admitted while the installed CRD has the field and is reported as
# pruned once the installed CRD lacks it (as the freshworks chart's CRD
# does), and admitted again when the field is back; a field only the
# installed CRD lacks (spec.redis.port) is reported as not a field of
# the installed CRD; a CRD whose schema cannot be used is logged and the
# last good schema stays; a deleted CRD is logged and the last schema
# stays; the start-up line and each change say which schema is in use;
# the deprecated --crd-poll is accepted and ignored; a serve that may
# not read CRDs (403) is ready all the same and uses the compiled-in
# schema.
#
# Usage: cluster_crd.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

PW=Xc4vBn6mQw8eRt2yUi0p
cluster_setup --flavor freshworks || exit 1
write_policy "$WORK/policy.yaml"
add_secret a auth-a "$PW" >/dev/null

# a long stale limit and API deadline: no verdict here depends on how
# fast a loaded machine answers. The CRD is watched: a --crd-poll of a
# day would hide every change below if it were still obeyed.
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --api-deadline 30s --crd-poll 86400s || exit 1
if wait_ready "$PORT"; then ok "ready"; else bad "never ready"; fi
check "the start-up line says which schema is in use" \
    grep -q '"msg":"listening".*"schema":"the ' "$WORK/server.log"
check "reading the installed CRD is logged with its digest" \
    wait_for log_has '"msg":"schema: the installed CRD.*redisfailovers.databases.spotahome.com v1, sha256 [0-9a-f]{12}'
check "--crd-poll is logged as deprecated and ignored" \
    log_has '"msg":"--crd-poll is deprecated and ignored'

# the installed CRD has disableMyMaster: admitted
expect "disableMyMaster is kept by a CRD that has it" '^allowed' \
    validate a one --secret auth-a

# the installed CRD loses the field (the chart's CRD): pruned
kctl /set '{"flavor": "spotahome"}' >/dev/null
expect_eventually "disableMyMaster is reported as pruned once the CRD lacks it" \
    'denied-other: .*spec\.sentinel\.disableMyMaster is not in the .*prunes' \
    validate a two --secret auth-a
check "the change is logged" wait_for log_has '"msg":"schema: the installed CRD' 2

# and gets it back
kctl /set '{"flavor": "freshworks"}' >/dev/null
expect_eventually "admitted again once the CRD has the field" '^allowed' \
    validate a three --secret auth-a

# a CRD without spec.redis.port: only the installed schema knows
python3 - "$SRC/tests/kapi" >"$WORK/noport.json" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import kapi
c = kapi.crd("freshworks")
spec = c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
del spec["spec"]["properties"]["redis"]["properties"]["port"]
print(json.dumps({"crd": c}))
PY
kctl /set "@$WORK/noport.json" >/dev/null
expect_eventually "a field the installed CRD lacks is not a field of it" \
    'denied-other: .*spec\.redis\.port is not in the installed CRD, though the compiled-in .* CRDs have it' \
    validate a four --secret auth-a --port 6380
expect "without that field the failover is admitted" '^allowed' \
    validate a five --secret auth-a

# a CRD whose schema cannot be used: logged, the last good one stays
kctl /set '{"crd": {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "redisfailovers.databases.spotahome.com"}, "spec": {"versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {"type": "object", "properties": ["spec"]}}}]}}}' >/dev/null
check "an unusable CRD schema is logged" \
    wait_for log_has "the installed CRD's schema cannot be used"
expect "the last good schema (and target) stays" \
    'denied-other: .*spec\.redis\.port is not in the installed CRD, though the compiled-in .* CRDs have it' \
    validate a six --secret auth-a --port 6380
check "nor does the operator target change (disableMyMaster is kept)" \
    sh -c "! python3 '$RFT' validate $PORT '$CERTS/ca.crt' a seven --secret auth-a | grep -q disableMyMaster"
check "the CRD was listed once: its changes came as watch events" \
    test "$(kstat list customresourcedefinitions)" -eq 1

# the CRD is deleted (an operator uninstall): logged, the last schema stays
kctl /delete '{"kind": "CustomResourceDefinition", "name": "redisfailovers.databases.spotahome.com"}' >/dev/null
check "a deleted CRD is logged" \
    wait_for log_has 'the redisfailovers CRD was deleted; the last schema and operator target stay'
expect "after the deletion the last good schema stays" \
    'denied-other: .*spec\.redis\.port is not in the installed CRD' \
    validate a eight --secret auth-a --port 6380
check "rfguard stops cleanly" stop_server
# after the stop: every line is written
if grep -q "$PW" "$WORK/server.log"; then bad "a password is in the log"; else
    ok "no password in the server log"; fi

# RBAC does not let it read CRDs: ready all the same, compiled-in schema
kctl /set '{"crd": null, "flavor": "spotahome"}' >/dev/null
kctl /set '{"forbidden": ["customresourcedefinitions"]}' >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" \
    --cluster-stale-ms 3600000 --api-deadline 30s || exit 1
if wait_ready "$PORT"; then ok "ready while CRDs are forbidden"; else
    bad "never ready while CRDs are forbidden"; fi
check "the refused CRD list is logged" \
    wait_for log_has "cannot read the redisfailovers CRD; the policy's target and the compiled-in schema are used.*HTTP 403"
check "the installed CRD's schema is not in use" \
    sh -c "! grep -q '\"msg\":\"schema: the installed CRD' '$WORK/server.log'"
expect "the compiled-in schema keeps disableMyMaster and spec.redis.port" \
    '^allowed' validate a nine --secret auth-a --port 6380
expect "nor is the view unavailable" '^allowed' \
    validate a ten --secret auth-a

check "rfguard stops cleanly" stop_server
# after the stop: every line is written
if grep -q "$PW" "$WORK/server.log"; then bad "a password is in the log"; else
    ok "no password in the server log"; fi
finish
