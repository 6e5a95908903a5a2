#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# install_doc.sh - ctest integration.install_doc: docs/install.md's
# "Verify" step says what `kubectl apply -f bad-rf.yaml` prints. This test
# sends that manifest (taken from the doc) to a local `rfguard serve` the
# way the API server does: /mutate first, its patch applied, then
# /validate. It renders the answer as kubectl shows it (one "Warning:"
# line per warning, then the Forbidden error with rfguard's message) and
# requires the doc's expected-output block to be exactly that. No cluster.
#
# Usage: install_doc.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

# Debian's python3 with python3-yaml and python3-jsonpatch (scripts/deps.txt).
py=/usr/bin/python3
if ! "$py" -c 'import yaml, jsonpatch' 2>/dev/null; then
    echo "SKIP: $py cannot import yaml and jsonpatch (python3-yaml, python3-jsonpatch)"
    exit 77
fi

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server || exit 1

cat >"$WORK/doc.py" <<'PY'
import base64, json, subprocess, sys
import jsonpatch
import yaml

doc, port, ca = sys.argv[1:4]
text = open(doc, encoding="utf-8").read()

# The manifest: the heredoc written to bad-rf.yaml.
start = text.index("cat > bad-rf.yaml <<'EOF'\n") + len("cat > bad-rf.yaml <<'EOF'\n")
manifest = text[start:text.index("\nEOF\n", start)]
obj = yaml.safe_load(manifest)

# The expected output: the first fenced block holding the Forbidden line.
want = None
for i, block in enumerate(text.split("```")):
    if i % 2 and "Error from server (Forbidden)" in block:
        want = block.strip("\n")
        break
assert want is not None, "no expected-output block in " + doc

def post(ep, o):
    meta = o["metadata"]
    body = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {
                "uid": "0f6f6c8e-install-doc", "operation": "CREATE",
                "kind": {"group": "databases.spotahome.com", "version": "v1",
                         "kind": "RedisFailover"},
                "resource": {"group": "databases.spotahome.com",
                             "version": "v1", "resource": "redisfailovers"},
                "name": meta["name"], "namespace": meta["namespace"],
                "userInfo": {"username": "kubernetes-admin",
                             "groups": ["system:masters",
                                        "system:authenticated"]},
                "object": o, "oldObject": None, "dryRun": False}}
    out = subprocess.run(
        ["curl", "-sS", "--cacert", ca, "-H", "Content-Type: application/json",
         "--data-binary", "@-", "https://localhost:%s/%s" % (port, ep)],
        input=json.dumps(body).encode(), capture_output=True, check=True)
    return json.loads(out.stdout)["response"]

m = post("mutate", obj)
assert m["allowed"] is True, m
if "patch" in m:
    obj = jsonpatch.apply_patch(obj, json.loads(base64.b64decode(m["patch"])))
v = post("validate", obj)
assert v["allowed"] is False, "the doc's example is not denied: %r" % v
lines = ["Warning: " + w for w in (m.get("warnings") or [])]
lines += ["Warning: " + w for w in (v.get("warnings") or [])]
lines.append('Error from server (Forbidden): error when creating '
             '"bad-rf.yaml": admission webhook "validate.rfguard.io" denied '
             'the request: ' + v["status"]["message"])
got = "\n".join(lines)
if got != want:
    print("--- docs/install.md says\n" + want + "\n--- rfguard serve sends\n"
          + got)
    sys.exit(1)
PY

check "docs/install.md's expected output is what serve sends" \
    "$py" "$WORK/doc.py" "$SRC/docs/install.md" "$PORT" "$CERTS/ca.crt"
finish
