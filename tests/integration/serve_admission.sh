#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_admission.sh - ctest integration.serve_admission: rfguard serve over
# HTTPS with certificates from `rfguard certs`. Real AdmissionReview shapes
# (tests/review: managedFields, options, userInfo) in v1 and v1beta1:
# allow, deny (403 Forbidden, every denying rule), warnings within limits,
# the /mutate patch (base64 JSONPatch) equal to `rfguard fix` and applying
# cleanly, UPDATE, DELETE and other kinds untouched, dryRun, uid and
# version echo, the JSON log lines and the metrics counting all of it.
#
# Usage: serve_admission.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server || exit 1

cat >"$WORK/check.py" <<'PY'
import base64, json, subprocess, sys

def apply_patch(doc, ops):
    """Minimal RFC 6902 add/replace/remove, enough for rfguard's patches."""
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~")
                 for p in op["path"].split("/")[1:]]
        parent = doc
        for p in parts[:-1]:
            parent = parent[int(p)] if isinstance(parent, list) else parent[p]
        last = parts[-1]
        if op["op"] == "add":
            if isinstance(parent, list):
                parent.insert(len(parent) if last == "-" else int(last),
                              op["value"])
            else:
                parent[last] = op["value"]
        elif op["op"] == "replace":
            if isinstance(parent, list):
                parent[int(last)] = op["value"]
            else:
                assert last in parent, "replace of a missing member"
                parent[last] = op["value"]
        elif op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        else:
            raise SystemExit("unexpected op " + op["op"])
    return doc

def main():
    mode, reqf, respf = sys.argv[1:4]
    req = json.load(open(reqf))
    resp = json.load(open(respf))
    r = resp["response"]
    assert resp["apiVersion"] == req["apiVersion"], "version not echoed"
    assert resp["kind"] == "AdmissionReview"
    assert r["uid"] == req["request"]["uid"], "uid not echoed"
    w = r.get("warnings", [])
    assert all(len(x) < 120 for x in w), "warning too long"
    assert sum(len(x) for x in w) <= 4096, "warnings over 4 KiB"
    if mode == "allow":
        assert r["allowed"] is True and "status" not in r, r
        assert "patch" not in r and "patchType" not in r, r
    elif mode == "allow-clean":
        assert r["allowed"] is True and not w and "patch" not in r, r
    elif mode == "warn":
        assert r["allowed"] is True and w, r
        assert any(x.startswith("[spread-missing] ") for x in w), w
    elif mode == "deny":
        assert r["allowed"] is False, r
        st = r["status"]
        assert st["code"] == 403 and st["reason"] == "Forbidden", st
        m = st["message"]
        assert m.startswith("rfguard denied RedisFailover shop/sidekiq: "), m
        assert "[auth-required] " in m and "[sentinel-replicas] " in m, m
        assert "; [" in m, m
    elif mode == "patch":
        # patch FIX_OUTPUT OUT_OBJECT
        assert r["allowed"] is True and r["patchType"] == "JSONPatch", r
        ops = json.loads(base64.b64decode(r["patch"], validate=True))
        assert isinstance(ops, list) and ops, ops
        fix = open(sys.argv[4]).read()
        fix_ops = json.loads("\n".join(l for l in fix.splitlines()
                                       if not l.startswith("#")))
        assert ops == fix_ops, "webhook patch differs from rfguard fix"
        obj = apply_patch(req["request"]["object"], ops)
        req["request"]["object"] = obj
        req["request"]["uid"] = req["request"]["uid"] + "-again"
        json.dump(req, open(sys.argv[5], "w"))
    else:
        raise SystemExit("bad mode")

main()
PY
chk() {   # chk MODE FIXTURE ENDPOINT [EXTRA...]
    local mode=$1 f=$2 ep=$3
    shift 3
    post "$ep" "$f" >/dev/null
    if [ "$(cat "$WORK/code")" != 200 ]; then
        bad "$ep $(basename "$f"): HTTP $(cat "$WORK/code")"
        return
    fi
    if python3 "$WORK/check.py" "$mode" "$f" "$WORK/out.json" "$@"; then
        ok "$ep $(basename "$f") -> $mode"
    else
        bad "$ep $(basename "$f") -> $mode: $(cat "$WORK/out.json")"
    fi
}

chk allow-clean "$FIX/create-clean.v1.request.json" validate
chk allow-clean "$FIX/create-clean.v1.request.json" mutate
chk deny "$FIX/create-unsafe.v1.request.json" validate
chk deny "$FIX/create-unsafe.v1beta1.request.json" validate
chk warn "$FIX/create-nospread.v1.request.json" validate
chk warn "$FIX/create-nospread.v1beta1.request.json" validate
chk allow-clean "$FIX/update-clean.v1.request.json" validate
chk allow "$FIX/delete.v1.request.json" validate
chk allow "$FIX/delete.v1.request.json" mutate
chk allow "$FIX/other-kind.v1.request.json" validate
chk allow "$FIX/other-kind.v1.request.json" mutate

# /mutate: the same patch `rfguard fix` prints, applying cleanly; the
# patched object then has no spread warning and needs no further patch.
for v in v1 v1beta1; do
    f=$FIX/create-nospread.$v.request.json
    python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["request"]["object"], open(sys.argv[2],"w"))' \
        "$f" "$WORK/obj.json"
    "$RFG" fix "$WORK/obj.json" >"$WORK/fix.out" 2>"$WORK/fix.err"
    chk patch "$f" mutate "$WORK/fix.out" "$WORK/patched.json"
    chk allow-clean "$WORK/patched.json" mutate
    chk allow-clean "$WORK/patched.json" validate
done

# Every log line is JSON; admission lines carry the fields, never a body.
# (Requests that come fast have their lines written together, at most a
# moment later.)
check "the 17 admission lines are written" \
    wait_for log_has '"msg":"admission"' 17
check "log lines are JSON with uid, verdict, rules and microseconds" \
    python3 - "$WORK/server.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("msg") == "admission":
        for k in ("uid", "kind", "namespace", "name", "operation",
                  "verdict", "rules", "us", "endpoint"):
            assert k in d, (k, d)
        assert "object" not in d and "password" not in line
        n += 1
assert n == 17, n
PY

# Metrics count what was sent.
curl -sS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
check "metrics count requests, findings, latency and the certificate" \
    python3 - "$WORK/metrics.txt" <<'PY'
import re, sys, time
m = {}
for line in open(sys.argv[1]):
    if line.startswith("#") or not line.strip():
        continue
    k, v = line.rsplit(" ", 1)
    m[k] = float(v)
def g(k): return m.get(k, 0)
R = 'rfguard_admission_requests_total{endpoint="%s",operation="%s",verdict="%s"}'
want = {
    ("validate", "CREATE", "denied"): 2,
    ("validate", "CREATE", "allowed"): 5,   # clean, 2 warned, 2 patched
    ("validate", "CREATE", "skipped"): 1,   # ConfigMap
    ("validate", "UPDATE", "allowed"): 1,
    ("validate", "DELETE", "skipped"): 1,
    ("mutate", "CREATE", "allowed"): 3,
    ("mutate", "CREATE", "patched"): 2,
    ("mutate", "CREATE", "skipped"): 1,
    ("mutate", "DELETE", "skipped"): 1,
}
for k, n in want.items():
    assert g(R % k) == n, (k, g(R % k))
assert sum(v for k, v in m.items()
           if k.startswith("rfguard_admission_requests_total")) == 17
F = 'rfguard_findings_total{rule="%s",severity="%s"}'
assert g(F % ("auth-required", "deny")) == 2
assert g(F % ("sentinel-replicas", "deny")) == 2
assert g(F % ("spread-missing", "warn")) == 8
H = 'rfguard_admission_duration_seconds_%s{endpoint="%s"%s}'
assert g(H % ("count", "validate", "")) == 10
assert g(H % ("bucket", "validate", ',le="+Inf"')) == 10
assert g(H % ("count", "mutate", "")) == 7
assert g(H % ("sum", "validate", "")) > 0
exp = g("rfguard_tls_certificate_expiry_timestamp_seconds")
assert exp > time.time() + 300 * 86400, exp
PY
finish
