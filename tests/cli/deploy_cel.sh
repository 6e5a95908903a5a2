#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# deploy_cel.sh - ctest cli.deploy_cel: the webhooks' matchConditions, as
# rendered from deploy/cert-manager, evaluated by a CEL implementation on
# the requests that matter: CREATE, UPDATEs that change the spec or the
# labels (sent), UPDATEs that change only annotations or nothing (not
# sent), objects without spec or labels (never an evaluation error, which
# the API server would count as a webhook failure), the status
# subresource (not sent). No API server here, so this is a CEL
# evaluator's view, not Kubernetes' own: it checks syntax, the has()
# guards and the logic, not Kubernetes' type checking.
#
# The evaluator is the npm package @bufbuild/cel (and @marcbachmann/cel-js
# when present) in the node_modules directory RFG_CEL_MODULES, e.g.:
#   npm install --prefix /tmp/cel @bufbuild/cel @marcbachmann/cel-js
#   RFG_CEL_MODULES=/tmp/cel/node_modules ctest -R cli.deploy_cel
# Exit 77 (skip) without it, node, python3-yaml or kubectl.
#
# Usage: deploy_cel.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"

src=$2
build=$3
kubectl=${KUBECTL:-kubectl}
mods=${RFG_CEL_MODULES:-}

if [ -z "$mods" ] || [ ! -d "$mods/@bufbuild/cel" ]; then
    echo "SKIP: no CEL evaluator: set RFG_CEL_MODULES to a node_modules" \
         "directory holding @bufbuild/cel"
    exit 77
fi
command -v node >/dev/null 2>&1 || { echo "SKIP: node not found"; exit 77; }
python3 -c 'import yaml' 2>/dev/null ||
    { echo "SKIP: python3 cannot import yaml (python3-yaml)"; exit 77; }
"$kubectl" kustomize "$src/deploy/cert-manager" >/dev/null 2>&1 ||
    { echo "SKIP: $kubectl kustomize cannot render deploy/cert-manager"; exit 77; }

cli_workdir "$build" deploy-cel
"$kubectl" kustomize "$src/deploy/cert-manager" >"$work/r.yaml"
python3 - "$work/r.yaml" >"$work/conds.json" <<'PY'
import json, sys
import yaml
out = []
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] in ("MutatingWebhookConfiguration",
                           "ValidatingWebhookConfiguration"):
        for w in d["webhooks"]:
            for c in w.get("matchConditions", []):
                out.append([w["name"], c["name"], c["expression"]])
json.dump(out, sys.stdout)
PY

cat >"$work/cel.cjs" <<'JS'
const fs = require('fs')
const path = require('path')
const mods = process.env.RFG_CEL_MODULES
const conds = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const impls = [['@bufbuild/cel', (m) => (e, v) => m.run(e, v)],
               ['@marcbachmann/cel-js', (m) => (e, v) => m.evaluate(e, v)]]
  .filter(([name]) => fs.existsSync(path.join(mods, name)))
  .map(([name, f]) => [name, f(require(path.join(mods, name)))])
const rf = (spec, labels, ann) => {
  const m = {name: 'a', namespace: 'ns'}
  if (labels !== undefined) m.labels = labels
  if (ann !== undefined) m.annotations = ann
  const o = {apiVersion: 'databases.spotahome.com/v1', kind: 'RedisFailover', metadata: m}
  if (spec !== undefined) o.spec = spec
  return o
}
const S1 = {redis: {replicas: 3}, sentinel: {replicas: 3}}
const S2 = {redis: {replicas: 5}, sentinel: {replicas: 3}}
const req = (op, sub) => {
  const r = {operation: op, resource: {group: 'databases.spotahome.com', version: 'v1', resource: 'redisfailovers'}}
  if (sub !== undefined) r.subResource = sub
  return r
}
// name, request, object, oldObject, want not-status, want spec-or-labels-changed
const cases = [
  ['CREATE', req('CREATE'), rf(S1), null, true, true],
  ['CREATE, subResource ""', req('CREATE', ''), rf(S1), null, true, true],
  ['UPDATE spec changed', req('UPDATE'), rf(S2), rf(S1), true, true],
  ['UPDATE labels added', req('UPDATE'), rf(S1, {a: 'b'}), rf(S1), true, true],
  ['UPDATE labels removed', req('UPDATE'), rf(S1), rf(S1, {a: 'b'}), true, true],
  ['UPDATE labels changed', req('UPDATE'), rf(S1, {a: 'c'}), rf(S1, {a: 'b'}), true, true],
  ['UPDATE annotations only, no labels', req('UPDATE'), rf(S1, undefined, {x: 'y'}), rf(S1), true, false],
  ['UPDATE annotations only, same labels', req('UPDATE'), rf(S1, {a: 'b'}, {x: 'y'}), rf(S1, {a: 'b'}), true, false],
  ['UPDATE nothing changed', req('UPDATE'), rf(S1, {a: 'b'}), rf(S1, {a: 'b'}), true, false],
  ['UPDATE no spec on either side', req('UPDATE'), rf(undefined), rf(undefined), true, true],
  ['UPDATE spec removed', req('UPDATE'), rf(undefined), rf(S1), true, true],
  ['UPDATE of /status', req('UPDATE', 'status'), rf(S1), rf(S1), false, false],
  ['UPDATE of /status, spec differs', req('UPDATE', 'status'), rf(S2), rf(S1), false, true],
]
let pass = 0, fail = 0
for (const [impl, evalf] of impls) {
  for (const [hook, cname, expr] of conds) {
    let bad = []
    for (const [name, request, object, oldObject, wantSt, wantUpd] of cases) {
      const want = cname === 'not-status' ? wantSt : wantUpd
      let got
      try { got = evalf(expr, {request, object, oldObject}) } catch (e) { got = 'error: ' + e.message }
      if (got !== want) bad.push(`[${name}] got ${String(got).split('\n')[0]}, want ${want}`)
    }
    if (bad.length) { fail++; console.log(`FAIL ${impl}: ${hook} ${cname}:\n  ${bad.join('\n  ')}`) }
    else { pass++; console.log(`ok   ${impl}: ${hook} ${cname}: ${cases.length} requests`) }
  }
}
if (conds.length !== 4) { fail++; console.log(`FAIL ${conds.length} matchConditions rendered, want 2 per webhook`) }
console.log(`${pass} passed, ${fail} failed`)
process.exit(fail ? 1 : 0)
JS
RFG_CEL_MODULES=$mods node "$work/cel.cjs" "$work/conds.json"
