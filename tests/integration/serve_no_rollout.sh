#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_no_rollout.sh - ctest integration.serve_no_rollout: no surprise
# rollouts, end to end over HTTPS. Under the default policy, /mutate on
# the UPDATE of a running failover without spread rules
# (tests/review/update-nospread.v1.request.json) sends no patch that
# touches a pod template, and warns instead, naming `rfguard fix`; the
# CREATE of the same failover still gets the spread, with a preferred
# (not required) anti-affinity over nodes. With a policy that says
# podTemplateMutations: always, the UPDATE is patched too.
#
# Usage: serve_no_rollout.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }

cat >"$WORK/check.py" <<'PY'
import base64, json, sys

# Fields of spec.redis / spec.sentinel that the operator does not copy
# into the pod templates (read at run time, ConfigMaps, PDBs, PVCs).
OUTSIDE = ("replicas", "customConfig", "customCommandRenames",
           "disablePodDisruptionBudget", "disableMyMaster", "storage")

def pod_template_ops(ops):
    out = []
    for op in ops:
        parts = op["path"].split("/")[1:]
        if parts[:1] == ["metadata"] and parts[1:2] != ["labels"]:
            continue
        if parts[:1] == ["spec"] and len(parts) >= 3 and \
                parts[1] in ("redis", "sentinel") and parts[2] in OUTSIDE:
            continue
        out.append(op)
    return out

mode, reqf, respf = sys.argv[1:4]
req, resp = json.load(open(reqf)), json.load(open(respf))
r = resp["response"]
assert r["uid"] == req["request"]["uid"], "uid not echoed"
assert r["allowed"] is True, r
ops = json.loads(base64.b64decode(r["patch"])) if "patch" in r else []
w = r.get("warnings", [])
assert all(len(x) < 120 for x in w), w
if mode == "update-held":
    bad = pod_template_ops(ops)
    assert not bad, "UPDATE patches the pod template: %s" % bad
    assert any(x.startswith("[spread-missing] ") and "rfguard fix" in x
               for x in w), w
elif mode == "create-spread":
    assert r["patchType"] == "JSONPatch", r
    paths = [op["path"] for op in ops]
    assert "/spec/redis/affinity" in paths, paths
    assert "/spec/sentinel/topologySpreadConstraints" in paths, paths
    text = json.dumps(ops)
    assert "preferredDuringSchedulingIgnoredDuringExecution" in text, text
    assert "requiredDuringScheduling" not in text, text
    assert not w, w
elif mode == "update-patched":
    assert r["patchType"] == "JSONPatch", r
    assert "/spec/redis/affinity" in [op["path"] for op in ops], ops
    assert not w, w
elif mode == "validate-warns":
    assert "patch" not in r, r
    assert any(x.startswith("[spread-missing] ") for x in w), w
else:
    raise SystemExit("bad mode " + mode)
PY
chk() {   # chk MODE FIXTURE ENDPOINT
    local mode=$1 f=$2 ep=$3
    post "$ep" "$f" >/dev/null
    if [ "$(cat "$WORK/code")" != 200 ]; then
        bad "$ep $(basename "$f"): HTTP $(cat "$WORK/code")"
        return
    fi
    if python3 "$WORK/check.py" "$mode" "$f" "$WORK/out.json" \
            >"$WORK/check.out" 2>&1; then
        ok "$ep $(basename "$f") -> $mode"
    else
        bad "$ep $(basename "$f") -> $mode: $(tail -n 2 "$WORK/check.out")"
        echo "    $(cat "$WORK/out.json")"
    fi
}

UPDATE=$FIX/update-nospread.v1.request.json
CREATE=$FIX/create-nospread.v1.request.json

# Default policy: UPDATE held back with a warning, CREATE patched.
start_server || exit 1
chk update-held "$UPDATE" mutate
chk validate-warns "$UPDATE" validate
chk create-spread "$CREATE" mutate
check "the /mutate UPDATE is logged as allowed, not patched" \
    wait_for log_has '"endpoint":"mutate".*"operation":"UPDATE".*"verdict":"allowed"|"verdict":"allowed".*"operation":"UPDATE".*"endpoint":"mutate"'
stop_server || bad "server exit status"

# A policy that opts in: the UPDATE gets the spread too.
cat >"$WORK/always.yaml" <<'YAML'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata: {name: rollouts-allowed}
spec:
  podTemplateMutations: always
YAML
start_server --policy "$WORK/always.yaml" || exit 1
chk update-patched "$UPDATE" mutate
stop_server || bad "server exit status"
finish
