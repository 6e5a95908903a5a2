#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# cluster_lint.sh - ctest integration.cluster_lint: `rfguard lint
# --cluster-state FILE` with FILE in the shape `kubectl get
# redisfailovers,secrets -A -o json` prints (a v1 List; Secret items with
# base64 data). The same cross-object answers as the webhook's cluster
# view, offline: a master name used in another namespace, a Secret that
# exists only in the cluster, a password shared with a cluster Secret;
# and no password from the state file in the output.
#
# Usage: cluster_lint.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
RFG=$1
BUILD=$3
failed=0
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
WORK=$(mktemp -d "$BUILD/cluster-lint.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }

PW=Qw3eRt5yUi7oPa9sDf1g
python3 - "$WORK/state.json" "$PW" <<'PY'
import base64, json, sys
path, pw = sys.argv[1], sys.argv[2]
b64 = lambda s: base64.b64encode(s.encode()).decode()
def rf(ns, name, secret):
    return {"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": "11",
                         "uid": "u-" + name},
            "spec": {"sentinel": {"replicas": 3, "disableMyMaster": True},
                     "redis": {"replicas": 3}, "auth": {"secretPath": secret}}}
def sec(ns, name, password):
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": ns, "resourceVersion": "12"},
            "data": {"password": b64(password)}}
items = [rf("prod", "cache", "cache-auth"), sec("prod", "cache-auth", pw),
         sec("web", "in-cluster", "Zx2cVb4nMq6wEr8tYu0i"),
         sec("ops", "reused", pw)]
json.dump({"apiVersion": "v1", "kind": "List", "items": items,
           "metadata": {"resourceVersion": ""}}, open(path, "w"), indent=2)
PY

cat >"$WORK/same-name.yaml" <<'EOF2'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: cache
  namespace: staging
  labels: {redis-failover.freshworks.com/operator-group: default}
spec:
  sentinel: {replicas: 3, disableMyMaster: true}
  redis: {replicas: 3}
  auth: {secretPath: staging-auth}
---
apiVersion: v1
kind: Secret
metadata: {name: staging-auth, namespace: staging}
stringData: {password: Hh3kLp9QwErTy7UiOp2s}
EOF2
cat >"$WORK/uses-cluster-secret.yaml" <<'EOF2'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: shop
  namespace: web
  labels: {redis-failover.freshworks.com/operator-group: default}
spec:
  sentinel: {replicas: 3, disableMyMaster: true}
  redis: {replicas: 3}
  auth: {secretPath: in-cluster}
EOF2
cat >"$WORK/reuse.yaml" <<'EOF2'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: jobs
  namespace: ops
  labels: {redis-failover.freshworks.com/operator-group: default}
spec:
  sentinel: {replicas: 3, disableMyMaster: true}
  redis: {replicas: 3}
  auth: {secretPath: reused}
EOF2

run() {  # run FILE [ARGS]: output in $WORK/out, status in $rc
    local f=$1
    shift
    rc=0
    "$RFG" lint -t freshworks-v3.3 --no-color "$@" "$WORK/$f" >"$WORK/out" 2>&1 || rc=$?
}

run same-name.yaml
if [ "$rc" = 0 ]; then ok "without the state the name looks free"; else bad "no-state lint: rc=$rc"; cat "$WORK/out"; fi
run same-name.yaml --cluster-state "$WORK/state.json"
if [ "$rc" = 1 ] && grep -q 'master name "cache" is also used by RedisFailover prod/cache' "$WORK/out"; then
    ok "same name in another namespace of the cluster is denied, naming it"
else
    bad "same-name with state: rc=$rc"; cat "$WORK/out"
fi
run uses-cluster-secret.yaml
if grep -q 'auth-secret-exists' "$WORK/out"; then ok "without the state the Secret is not known"; else bad "secret unknown"; cat "$WORK/out"; fi
run uses-cluster-secret.yaml --cluster-state "$WORK/state.json"
if [ "$rc" = 0 ] && ! grep -q 'auth-secret-exists' "$WORK/out"; then
    ok "a Secret that exists in the cluster satisfies auth-secret-exists"
else
    bad "cluster secret: rc=$rc"; cat "$WORK/out"
fi
run reuse.yaml --cluster-state "$WORK/state.json"
if grep -q 'auth-secret-unique' "$WORK/out" && grep -q 'prod/cache' "$WORK/out"; then
    ok "a password shared with a cluster Secret is found"
else
    bad "shared password: rc=$rc"; cat "$WORK/out"
fi
if grep -rq "$PW" "$WORK/out"; then bad "password in the output"; else ok "no password in the output"; fi
[ "$failed" = 0 ] && echo "all passed"
exit "$failed"
