#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint_inputs.sh - ctest cli.lint_inputs: input that is not a plain
# manifest says so on stderr. A kustomization, a file a kustomization
# lists as a patch and a failover lacking spec.redis or spec.sentinel get
# one note each (not a failure: exit 0 when nothing else is wrong);
# --quiet drops the notes; a template is one error, for lint and fix.
# Usage: lint_inputs.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
cli_workdir "$3" cli-lint-inputs

# the kustomize tree of the golden tests, copied so paths are ours
cp -r "$src/tests/lint/kustomize" "$work/k"
cd "$work" || exit 1
"$rfguard" lint --no-color k >out 2>err
rc=$?
[ $rc = 0 ] && ok "kustomize tree: exit 0" || { bad "kustomize tree: exit $rc"; cat out err; }
grep -qF 'k/base/kustomization.yaml:3:1: note: a kustomization is not linted: lint what it builds with `kubectl kustomize k/base | rfguard lint -`' err &&
    ok "kustomization without kind: note by file name" || { bad "base note"; cat err; }
grep -qF 'k/overlay/kustomization.yaml:1:1: note: a kustomization is not linted' err &&
    ok "kind: Kustomization: note" || { bad "overlay note"; cat err; }
grep -qF 'k/overlay/redis-memory.yaml:3:1: note: RedisFailover shop/sidekiq is a patch (k/overlay/kustomization.yaml lists this file): not linted on its own' err &&
    ok "patch file: note, not linted" || { bad "patch note"; cat err; }
[ "$(wc -l <err)" = 3 ] && ok "one note each" || { bad "notes: $(wc -l <err) lines"; cat err; }
grep -q redis-memory out && { bad "patch linted"; cat out; } || ok "no finding on the patch"
"$rfguard" lint --no-color --quiet k >out 2>err
[ $? = 0 ] && [ ! -s err ] && ok "--quiet: no notes" || { bad "--quiet"; cat err; }

# the patch alone (no kustomization in the run): linted as a whole
# object, and the note says so
"$rfguard" lint --no-color k/overlay/redis-memory.yaml >out 2>err
rc=$?
[ $rc = 1 ] && ok "patch alone: linted (exit 1)" || { bad "patch alone: exit $rc"; cat out err; }
grep -qF 'redis-memory.yaml:3:1: note: RedisFailover shop/sidekiq has no spec.sentinel: it was judged as a complete object' err &&
    ok "partial failover: note" || { bad "partial note"; cat err; }
printf 'apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: bare\n' |
    "$rfguard" lint --no-color - >out 2>err
grep -qF '<stdin>:1:1: note: RedisFailover default/bare has no spec: it was judged as a complete object, as the API server would get it; if it is a kustomize patch, lint the built output instead (`kubectl kustomize DIR | rfguard lint -`)' err &&
    ok "stdin: note names DIR" || { bad "stdin note"; cat err; }
"$rfguard" lint --no-color "$src/tests/lint/clean.yaml" >out 2>err
[ ! -s err ] && ok "complete failover: no note" || { bad "note on a complete failover"; cat err; }

# templates: one error, lint and fix alike, exit 2
for cmd in lint fix; do
    "$rfguard" $cmd "$src/tests/lint/template.yaml" >out 2>err
    rc=$?
    [ $rc = 2 ] && ok "$cmd template: exit 2" || bad "$cmd template: exit $rc"
    grep -qF "template.yaml:6:9: " out err &&
        grep -qF "this is a template (\`{{\`): render it first (\`helm template … | rfguard $cmd -\`)" out err &&
        ok "$cmd template: the message, at the first token" || { bad "$cmd template message"; cat out err; }
    grep -q "mapping\|parsing\|scanning" out err && bad "$cmd: a parser error too" || ok "$cmd: no parser error"
done
cli_finish
