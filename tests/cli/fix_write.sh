#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fix_write.sh - ctest cli.fix_write: `rfguard fix --write` patches files
# in place, touching only the patched lines: comments, key order and
# quoting stay; a second run changes nothing; templates, stdin and
# anchored nodes are refused and left untouched; flow style, replaced
# scalars, removed keys and List items work.
# Usage: fix_write.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
cli_workdir "$3" fix-write

# only_added ORIG NEW: every line of ORIG is still in NEW, in order
only_added() {
    if diff "$1" "$2" | grep -q '^<'; then return 1; fi
    return 0
}

cat > "$work/rf.yaml" <<'YAML'
# Production cache. Keep this comment!
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: cache   # the name
  namespace: shop
spec:
  auth:
    secretPath: cache-auth   # made by the platform team
  sentinel:
    replicas: 3
    customConfig: ["down-after-milliseconds 5000", 'failover-timeout 10000']
  redis:
    replicas: 3
    topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: topology.kubernetes.io/zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector:
          matchLabels:
            app.kubernetes.io/component: redis  # only component!
# trailing comment
---
apiVersion: v1
kind: Secret
metadata: {name: cache-auth, namespace: shop}
stringData: {password: "Xk3d9Qw7LmZp2Rt8Vb"}
YAML
cp "$work/rf.yaml" "$work/orig.yaml"
"$rfguard" fix --write "$work/rf.yaml" 2>"$work/err"
[ $? = 0 ] && ok "fix --write exits 0" || { bad "fix --write exit"; cat "$work/err"; }
grep -q "fixed 1 failover" "$work/err" && ok "reports what it fixed" || bad "no report"
only_added "$work/orig.yaml" "$work/rf.yaml" && ok "no original line changed" || { bad "lines changed"; diff "$work/orig.yaml" "$work/rf.yaml"; }
n=$(diff "$work/orig.yaml" "$work/rf.yaml" | grep -c '^>')
# spread (22 lines: preferred anti-affinity and a zone spread) and the
# pinned redis and sentinel images (2)
[ "$n" = 24 ] && ok "24 lines added" || bad "added $n lines"
grep -q "# Production cache. Keep this comment!" "$work/rf.yaml" && ok "comments kept" || bad "comment lost"
"$rfguard" lint --no-color "$work/rf.yaml" > "$work/lint.out"
[ $? = 0 ] && ok "fixed file lints clean" || { bad "fixed file not clean"; cat "$work/lint.out"; }
cp "$work/rf.yaml" "$work/once.yaml"
"$rfguard" fix --write "$work/rf.yaml" 2>"$work/err"
cmp -s "$work/once.yaml" "$work/rf.yaml" && ok "second run changes nothing" || bad "second run changed the file"
grep -q "nothing to fix" "$work/err" && ok "second run says nothing to fix" || bad "second run message"

# flow style: keys go before the closing brace
cat > "$work/flow.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata: {name: flow, namespace: shop}
spec: {auth: {secretPath: flow-auth}, sentinel: {replicas: 3}, redis: {replicas: 3}}
YAML
"$rfguard" fix --write "$work/flow.yaml" 2>"$work/err"
[ $? = 0 ] && ok "flow style rewritten" || { bad "flow style"; cat "$work/err"; }
[ "$(wc -l < "$work/flow.yaml")" = 4 ] && ok "flow style stays on its lines" || bad "flow lines"
"$rfguard" fix "$work/flow.yaml" | grep -v '^#' > "$work/p"
[ "$(cat "$work/p")" = "[]" ] && ok "flow result needs no more fixes" || bad "flow not fixed"

# replace a scalar (policy: sentinel-replicas fix) and remove a pruned key
printf 'apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n  rules:\n    sentinel-replicas: {severity: deny, fix: true}\n    spread-missing: off\n' > "$work/pol.yaml"
cat > "$work/rep.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: rep
spec:
  auth:
    secretPath: rep-auth
  sentinel:
    replicas: 1  # too few
    disableMyMaster: true
    image: redis:7.2
YAML
"$rfguard" fix --write --policy "$work/pol.yaml" "$work/rep.yaml" 2>"$work/err"
[ $? = 0 ] && ok "replace and remove" || { bad "replace/remove"; cat "$work/err"; }
grep -q "replicas: 3  # too few" "$work/rep.yaml" && ok "scalar replaced, comment kept" || { bad "scalar"; cat "$work/rep.yaml"; }
grep -q "disableMyMaster" "$work/rep.yaml" && bad "pruned key still there" || ok "pruned key removed"
grep -q "image: redis:7.2" "$work/rep.yaml" && ok "neighbour kept" || bad "neighbour lost"

# List items
cat > "$work/list.yaml" <<'YAML'
apiVersion: v1
kind: List
items:
  - apiVersion: databases.spotahome.com/v1
    kind: RedisFailover
    metadata:
      name: listed
    spec:
      auth:
        secretPath: listed-auth
YAML
"$rfguard" fix --write "$work/list.yaml" 2>"$work/err"
[ $? = 0 ] && ok "List item rewritten" || { bad "List item"; cat "$work/err"; }
"$rfguard" fix "$work/list.yaml" | grep -v '^#' > "$work/p"
[ "$(cat "$work/p")" = "[]" ] && ok "List item fixed" || bad "List item not fixed"

# refusals leave files untouched
printf 'apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: {{ .Release.Name }}\nspec: {}\n' > "$work/tpl.yaml"
cp "$work/tpl.yaml" "$work/tpl.orig"
"$rfguard" fix --write "$work/tpl.yaml" 2>"$work/err"
rc=$?
[ $rc = 2 ] && ok "template refused (exit 2)" || bad "template exit $rc"
grep -q "tpl.yaml:4:9: this is a template (\`{{\`): render it first (\`helm template .* | rfguard fix -\`)" "$work/err" && ok "template message names the token" || { bad "template message"; cat "$work/err"; }
[ "$(wc -l < "$work/err")" = 1 ] && ok "template: one message, no parser error" || { bad "template: more than one message"; cat "$work/err"; }
cmp -s "$work/tpl.yaml" "$work/tpl.orig" && ok "template untouched" || bad "template changed"
# a legacy API is an error naming it, in every mode, and is never
# rewritten (not even the fixable failover of a current API beside it)
printf 'apiVersion: storage.spotahome.com/v1alpha2\nkind: RedisFailover\nmetadata:\n  name: old\nspec:\n  redis:\n    replicas: 3\n---\napiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: new\nspec:\n  auth:\n    secretPath: new-auth\n' > "$work/legacy.yaml"
cp "$work/legacy.yaml" "$work/legacy.orig"
for mode in "" --apply --write; do
    "$rfguard" fix $mode "$work/legacy.yaml" >/dev/null 2>"$work/err"
    rc=$?
    [ $rc = 2 ] && grep -q "legacy.yaml:1:1: RedisFailover of apiVersion storage.spotahome.com/v1alpha2: no operator serves this API" "$work/err" &&
        ok "legacy API: fix ${mode:-(patch)} exits 2 naming the API" || { bad "legacy API: fix $mode exit $rc"; cat "$work/err"; }
done
cmp -s "$work/legacy.yaml" "$work/legacy.orig" && ok "legacy API: file untouched" || bad "legacy API: file changed"
# a quoted "{{" is data, not a template: the file is fixed
printf 'apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: quoted\n  annotations:\n    note: "{{ not a template }}"\nspec:\n  auth:\n    secretPath: quoted-auth\n' > "$work/quoted.yaml"
"$rfguard" fix --write "$work/quoted.yaml" 2>"$work/err"
[ $? = 0 ] && grep -q 'fixed 1 failover' "$work/err" &&
    grep -q 'note: "{{ not a template }}"' "$work/quoted.yaml" && ok "quoted {{ is data: file fixed" || { bad "quoted {{"; cat "$work/err"; }
cat > "$work/anchor.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: anchored
spec: &spec
  auth:
    secretPath: anchored-auth
YAML
cp "$work/anchor.yaml" "$work/anchor.orig"
"$rfguard" fix --write "$work/anchor.yaml" 2>"$work/err"
rc=$?
[ $rc = 2 ] && ok "anchored node refused (exit 2)" || bad "anchor exit $rc"
grep -q "anchor.yaml:5:7: cannot rewrite in place: anchors" "$work/err" && ok "anchor message has the position" || { bad "anchor message"; cat "$work/err"; }
cmp -s "$work/anchor.yaml" "$work/anchor.orig" && ok "anchored file untouched" || bad "anchored file changed"
"$rfguard" fix --write - < "$work/orig.yaml" 2>"$work/err"
[ $? = 2 ] && grep -q "cannot rewrite stdin" "$work/err" && ok "stdin refused" || bad "stdin"

cli_finish
