#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# patch_compose.sh - ctest cli.patch_compose: every patch `rfguard fix`
# prints, applied op by op by an independent RFC 6902 implementation
# (Debian's python3-jsonpatch), gives exactly the object `fix --apply`
# prints, and a second `fix` of that object prints []. Run over every
# rule fixture (tests/rules/<rule>/*.yaml) and over generated shapes
# that make several fixes meet on missing parents: no spec, spec: {},
# null blocks, spec without redis or sentinel, empty affinity...; under
# the default and strict policies and a policy that turns every fix on
# (freshworks target). Patches must be 2-space indented JSON, not tabs.
# Skips (77) without /usr/bin/python3 and its jsonpatch and yaml modules
# (scripts/deps.txt installs python3-jsonpatch and python3-yaml).
#
# Usage: patch_compose.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
py=/usr/bin/python3
if ! "$py" -c 'import jsonpatch, yaml' 2>/dev/null; then
    echo "SKIP: $py cannot import jsonpatch and yaml (python3-jsonpatch, python3-yaml)"
    exit 77
fi
cli_workdir "$3" patch-compose

# Policies: the two shipped ones that mutate, and one with every fix on.
cat >"$work/all-fixes.yaml" <<'YAML'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata: {name: all-fixes}
spec:
  target: freshworks-v3.3
  mutations: true
  rules:
    sentinel-replicas: {severity: deny, fix: true}
    fw-operator-group: {severity: deny, group: blue}
    spread-missing: {severity: warn, mode: required, zoneSpread: true}
YAML
cat >"$work/no-fixes.yaml" <<'YAML'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata: {name: no-fixes}
spec:
  mutations: false
YAML

# Generated shapes: every way the parents of the fixes can be missing.
mkdir -p "$work/shapes"
"$py" - "$work/shapes" <<'PY'
import json, os, sys
out = sys.argv[1]
meta = {"name": "cache", "namespace": "shop",
        "labels": {"helm.sh/chart": "cache-1.2.3", "team": "shop"}}
def rf(spec=None, has_spec=True, **kw):
    o = {"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
         "metadata": dict(meta, **kw)}
    if has_spec:
        o["spec"] = spec
    return o
shapes = {
    "no-spec": rf(has_spec=False),
    "spec-null": rf(None),
    "spec-empty": rf({}),
    "no-redis": rf({"sentinel": {"replicas": 1}}),
    "no-sentinel": rf({"redis": {"replicas": 1}}),
    "redis-empty": rf({"redis": {}, "sentinel": {"replicas": 3}}),
    "sentinel-empty": rf({"redis": {"replicas": 3}, "sentinel": {}}),
    "both-empty": rf({"redis": {}, "sentinel": {}}),
    "both-null": rf({"redis": None, "sentinel": None}),
    "affinity-empty": rf({"redis": {"affinity": {}},
                          "sentinel": {"affinity": {}}}),
    "affinity-null": rf({"redis": {"affinity": None}, "sentinel": None}),
    "auth-only": rf({"auth": {"secretPath": "cache-auth"}}),
    "storage-both": rf({"redis": {"storage": {
        "emptyDir": {}, "persistentVolumeClaim": {"spec": {}}}}}),
    "exporter": rf({"redis": {
        "exporter": {"enabled": True},
        "customCommandRenames": [{"from": "CONFIG", "to": "cfg"},
                                 {"from": "SLAVEOF", "to": "x"},
                                 {"from": "FLUSHALL", "to": ""}],
        "customConfig": ["port 7000", "maxmemory 10mb", "bind 0.0.0.0"]},
        "sentinel": {"customConfig": ["quorum 2", "auth-pass x",
                                      "down-after-milliseconds 3000"]}}),
    "hostnetwork": rf({"redis": {"hostNetwork": True},
                       "sentinel": {"hostNetwork": True}}),
    "bootstrap": rf({"bootstrapNode": {"host": "10.0.0.1"}}),
    "selectors": rf({"redis": {"affinity": {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "failure-domain.beta.kubernetes.io/zone",
             "labelSelector": {"matchLabels": {"redisfailovers-role": "slave"},
                               "matchExpressions": [
                                   {"key": "redisfailovers-role",
                                    "operator": "In", "values": ["a"]},
                                   {"key": "x", "operator": "Exists"},
                                   {"key": "redisfailovers-role",
                                    "operator": "Exists"}]}},
            {"topologyKey": "kubernetes.io/hostname"}]}}}}),
    "no-name": {"apiVersion": "databases.spotahome.com/v1",
                "kind": "RedisFailover", "metadata": {"namespace": "shop"}},
}
for name, obj in shapes.items():
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(obj, f, indent=2)
PY

cat >"$work/check.py" <<'PY'
"""check.py PATCHES ORIG_YAML APPLIED_YAML: apply each patch of PATCHES
(rfguard fix output) op by op with python3-jsonpatch to the failovers of
ORIG_YAML and compare with the failovers of APPLIED_YAML.
check.py PATCHES: every patch is []."""
import json, sys
import jsonpatch, yaml

def patches(text):
    """The (header, patch) pairs of `rfguard fix` output, in order."""
    out, head, cur = [], None, []
    for line in text.splitlines():
        if line.startswith("# "):
            if head is not None:
                out.append((head, json.loads("\n".join(cur))))
            head, cur = line[2:], []
        else:
            assert "\t" not in line, "tab in the patch: %r" % line
            cur.append(line)
    if head is not None:
        out.append((head, json.loads("\n".join(cur))))
    return out

def failovers(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    items = []
    for d in docs:
        items.extend(d.get("items", []) if d.get("kind") == "List" else [d])
    return [d for d in items if isinstance(d, dict) and
            ((d.get("kind") == "RedisFailover" and
              str(d.get("apiVersion", "")).startswith("databases.spotahome.com/")) or
             (d.get("kind") in ("RedisSentinel", "RedisReplication") and
              str(d.get("apiVersion", "")).startswith("redis.redis.opstreelabs.in/")))]

ps = patches(open(sys.argv[1]).read())
if len(sys.argv) == 2:      # check.py PATCHES: every patch is empty
    bad = ["%s: %s" % (h, json.dumps(p)) for h, p in ps if p != []]
    if bad:
        raise SystemExit("second fix is not empty:\n" + "\n".join(bad))
    print("%d failovers, every second patch is []" % len(ps))
    raise SystemExit(0)
orig, applied = failovers(sys.argv[2]), failovers(sys.argv[3])
assert len(ps) == len(orig) == len(applied), (len(ps), len(orig), len(applied))
nops = 0
for (head, p), o, a in zip(ps, orig, applied):
    doc = o
    for k, op in enumerate(p):
        try:
            doc = jsonpatch.apply_patch(doc, [op])
        except Exception as e:
            raise SystemExit("%s: op %d %s does not apply: %s"
                             % (head, k, json.dumps(op), e))
    nops += len(p)
    if doc != a:
        raise SystemExit("%s: python-jsonpatch gives\n%s\nbut fix --apply "
                         "prints\n%s\nfor the patch\n%s"
                         % (head, json.dumps(doc, indent=2, sort_keys=True),
                            json.dumps(a, indent=2, sort_keys=True),
                            json.dumps(p, indent=2)))
print("%d failovers, %d ops: python-jsonpatch agrees with fix --apply"
      % (len(ps), nops))
assert nops > 0, "no op at all: the check checked nothing"
PY


# run_policy POLICY: the checks for every input at once under one policy
# (one run: the inputs share one cluster view, as a lint run does).
run_policy() {
    local pol=$1 name
    name=$(basename "$pol")
    set -- "$work"/shapes/*.json "$src"/tests/rules/*/*.yaml
    if ! "$rfguard" fix --policy "$pol" "$@" >"$work/p.out" 2>"$work/p.err"
    then
        bad "$name: fix failed: $(head -n 5 "$work/p.err")"
        return
    fi
    if ! "$rfguard" fix --policy "$work/no-fixes.yaml" --apply "$@" \
            >"$work/orig.yaml" 2>"$work/o.err"; then
        bad "$name: fix --apply (no fixes) failed: $(head -n 5 "$work/o.err")"
        return
    fi
    if ! "$rfguard" fix --policy "$pol" --apply "$@" >"$work/applied.yaml" \
            2>"$work/a.err"; then
        bad "$name: fix --apply failed: $(head -n 5 "$work/a.err")"
        return
    fi
    if "$py" "$work/check.py" "$work/p.out" "$work/orig.yaml" \
            "$work/applied.yaml" >"$work/c.out" 2>&1; then
        ok "$name: $(tail -n 1 "$work/c.out")"
    else
        bad "$name: $(cat "$work/c.out")"
    fi
    "$rfguard" fix --policy "$pol" "$work/applied.yaml" >"$work/p2.out" \
        2>"$work/p2.err"
    if "$py" "$work/check.py" "$work/p2.out" >"$work/e.out" 2>&1; then
        ok "$name: $(tail -n 1 "$work/e.out")"
    else
        bad "$name: $(cat "$work/e.out")"
    fi
}

for pol in "$src/policies/default.yaml" "$src/policies/strict.yaml" \
           "$work/all-fixes.yaml"; do
    run_policy "$pol"
done

# The ugly layout is gone: 2-space indentation, [] for nothing to do.
"$rfguard" fix "$work/shapes/no-spec.json" >"$work/p.out" 2>/dev/null
if grep -q "$(printf '\t')" "$work/p.out"; then
    bad "patch printed with tabs"
elif ! grep -q '^  {$' "$work/p.out" ||
     ! grep -q '^    "op": "add",$' "$work/p.out"; then
    bad "patch is not 2-space indented JSON"; head -n 12 "$work/p.out"
else
    ok "patches are 2-space indented JSON"
fi
"$rfguard" fix "$work/shapes/no-spec.json" --apply >"$work/a.yaml" 2>/dev/null
"$rfguard" fix "$work/a.yaml" >"$work/p2.out" 2>/dev/null
if [ "$(grep -v '^#' "$work/p2.out")" = "[]" ]; then
    ok "a fixed object prints []"
else
    bad "a fixed object does not print []"; cat "$work/p2.out"
fi

cli_finish
