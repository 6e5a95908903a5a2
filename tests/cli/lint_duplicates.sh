#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint_duplicates.sh - ctest cli.lint_duplicates: duplicate-object as a
# user meets it over several files. A failover defined in two linted files
# is a warning on each copy that names both places (file:line); the same
# failover in --cluster-state is the cluster, not a copy, and is not one.
# A NetworkPolicy in another linted file guards the sentinels
# (sentinel-no-auth), as the view joins every file of the run.
# Usage: lint_duplicates.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-lint-duplicates
rf="$src/tests/rules/sentinel-no-auth/fail.yaml"
cp "$rf" "$work/a.yaml"
{ echo "# a copy"; cat "$rf"; } >"$work/b.yaml"

out=$(cd "$work" && "$rfguard" lint a.yaml b.yaml 2>&1)
n=$(grep -c "RedisFailover shop/cache is defined 2 times: at a.yaml:2, b.yaml:3;" <<<"$out")
if [ "$n" = 2 ]; then ok "two copies: each warned, both places named"; else
    bad "two copies: $n warnings naming a.yaml:2 and b.yaml:3"; echo "$out"; fi
if grep -q "Secret shop/cache-auth is defined 2 times: at a.yaml:32, b.yaml:33;" <<<"$out"; then
    ok "the failover's Secret defined twice is named too"
else bad "no warning on the Secret defined twice"; echo "$out"; fi

out=$(cd "$work" && "$rfguard" lint --cluster-state b.yaml a.yaml 2>&1)
if grep -q "duplicate-object" <<<"$out"; then
    bad "--cluster-state counted as a second definition"; echo "$out"
else ok "--cluster-state is the cluster, not a copy"; fi

cat >"$work/np.yaml" <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: sentinels
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/component: sentinel
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app.kubernetes.io/part-of: redis-failover
YAML
out=$(cd "$work" && "$rfguard" lint a.yaml 2>&1)
if grep -q "sentinel-no-auth" <<<"$out"; then ok "no policy: sentinel-no-auth"
else bad "sentinel-no-auth missing without a policy"; echo "$out"; fi
out=$(cd "$work" && "$rfguard" lint a.yaml np.yaml 2>&1)
if grep -q "sentinel-no-auth" <<<"$out"; then
    bad "a NetworkPolicy in another file does not guard"; echo "$out"
else ok "a NetworkPolicy in another linted file guards the sentinels"; fi
cli_finish
