#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint_crd_chart.sh - ctest cli.lint_crd_chart: the CRD of the freshworks
# v3.3.5 Helm chart lacks spec.sentinel.disableMyMaster (the release's
# own CRD has it), so a chart user's disableMyMaster is pruned and the
# sentinels keep "mymaster". `rfguard lint --crd` with that CRD says so;
# without it, under freshworks-v3.3, it does not. Reads the CRD from
# ../shared/reference next to the source tree; exits 77 without it.
# Usage: lint_crd_chart.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
chart=$src/../shared/reference/crd-freshworks-v3.3.5-chart.yaml
if [ ! -r "$chart" ]; then
    echo "SKIP: $chart not found"
    exit 77
fi
cli_workdir "$build" cli-lint-crd-chart
fo=$src/tests/crd/failover.yaml

"$rfguard" lint --target freshworks-v3.3 --crd "$chart" -o json "$fo" \
    >"$work/out" 2>"$work/err"
rc=$?
if [ "$rc" = 1 ]; then ok "lint --crd chart denies (exit 1)"; else
    bad "exit $rc, want 1"; cat "$work/out" "$work/err"; fi
if grep -q '"schema-unknown-field"' "$work/out" &&
   grep -q '/spec/sentinel/disableMyMaster' "$work/out"; then
    ok "disableMyMaster is a schema-unknown-field finding"
else
    bad "no pruning finding for disableMyMaster"; cat "$work/out"
fi
if grep -qF "crd-freshworks-v3.3.5-chart.yaml (version v1) replaces the compiled-in freshworks-v3.3 CRD" "$work/err"; then
    ok "stderr names the chart CRD"
else
    bad "no schema note"; cat "$work/err"
fi
"$rfguard" lint --target freshworks-v3.3 -o json "$fo" >"$work/out2" 2>&1
if ! grep -q '/spec/sentinel/disableMyMaster' "$work/out2"; then
    ok "the compiled-in freshworks-v3.3 CRD keeps disableMyMaster"
else
    bad "disableMyMaster reported without --crd"; cat "$work/out2"
fi

# Two failovers that rely on disableMyMaster to keep their sentinels
# apart: with the chart's CRD the field is pruned, both monitor mymaster
# on port 6379 without a password, and the identity rules say so; the
# fix does not offer the pruned field.
cat > "$work/pair.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: cache
  namespace: shop
  labels:
    redis-failover.freshworks.com/operator-group: default
spec:
  sentinel:
    disableMyMaster: true
---
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: sessions
  namespace: web
  labels:
    redis-failover.freshworks.com/operator-group: default
spec:
  sentinel:
    disableMyMaster: true
YAML
"$rfguard" lint --target freshworks-v3.3 -o json "$work/pair.yaml" >"$work/out3" 2>&1
if ! grep -q '"sentinel-identity-shared"' "$work/out3"; then
    ok "with disableMyMaster kept, the pair does not share an identity"
else
    bad "identity shared although disableMyMaster is kept"; cat "$work/out3"
fi
"$rfguard" lint --target freshworks-v3.3 --crd "$chart" -o json "$work/pair.yaml" >"$work/out4" 2>&1
n=$(grep -c '"rule":.*"sentinel-identity-shared"' "$work/out4")
if [ "$n" = 2 ]; then
    ok "with the chart CRD both failovers share mymaster's identity"
else
    bad "$n sentinel-identity-shared findings with the chart CRD, want 2"; cat "$work/out4"
fi
if grep -q '"hint":.*own spec.redis.port' "$work/out4" &&
   ! grep -q '"hint":.*set spec.sentinel.disableMyMaster' "$work/out4"; then
    ok "the hint is a port or password, not the pruned field"
else
    bad "hint offers the pruned field"; cat "$work/out4"
fi
"$rfguard" fix --target freshworks-v3.3 --crd "$chart" "$work/pair.yaml" >"$work/out5" 2>&1
if ! grep -q '"value": true' "$work/out5" || ! grep -q disableMyMaster "$work/out5"; then
    ok "fix does not add the pruned disableMyMaster"
else
    bad "fix adds disableMyMaster under the chart CRD"; cat "$work/out5"
fi
cli_finish
