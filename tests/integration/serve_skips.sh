#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_skips.sh - ctest integration.serve_skips: exemptions are governed
# and audited, end to end over HTTPS. Reviews carry request.userInfo.
# Under the default policy an rfguard.io/skip annotation skips a warn
# rule but not a deny rule (auth-required): that review is denied, and a
# warning says the skip is not honoured. Under a policy with spec.skips,
# auth-required may be skipped in namespace lab (by anyone) and
# sentinel-replicas by user alice or group platform-admins (anywhere):
# each allowed case is allowed, each other one denied with the reason.
# Every honoured skip is in the admission log line (rule, user, reason)
# and in rfguard_skips_total{rule} on /metrics (counted on /validate
# only, like findings).
#
# Usage: serve_skips.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }

# mkreview OUT UID NS USER GROUPS SKIP REASON [no-auth] [one-sentinel]
# writes a CREATE review of tests/review/create-clean's failover.
cat >"$WORK/mk.py" <<'PY'
import json, sys
src, out, uid, ns, user, groups, skip, reason = sys.argv[1:9]
flags = sys.argv[9:]
r = json.load(open(src))
q = r["request"]
q["uid"] = uid
q["namespace"] = ns
q["userInfo"] = {"username": user,
                 "groups": [g for g in groups.split(",") if g]}
o = q["object"]
o["metadata"]["namespace"] = ns
o["metadata"]["annotations"]["rfguard.io/skip"] = skip
o["metadata"]["annotations"]["rfguard.io/skip-reason"] = reason
if "no-auth" in flags:
    del o["spec"]["auth"]
if "one-sentinel" in flags:
    o["spec"]["sentinel"]["replicas"] = 1
if "no-pvc" in flags:
    del o["spec"]["redis"]["storage"]
json.dump(r, open(out, "w"))
PY
mkreview() {
    local name=$1
    shift
    python3 "$WORK/mk.py" "$SRC/tests/review/create-clean.v1.request.json" \
        "$WORK/$name.json" "$@"
}
# verdict NAME: "allowed" or "denied"; the response in $WORK/NAME.out
verdict() {
    post validate "$WORK/$1.json" >"$WORK/$1.out"
    python3 - "$WORK/$1.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["response"]
print("allowed" if r["allowed"] else "denied")
PY
}
# said NAME TEXT: the response's status message or warnings contain TEXT
said() {
    python3 - "$WORK/$1.out" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["response"]
text = r.get("status", {}).get("message", "") + "\n" + \
    "\n".join(r.get("warnings", []))
sys.exit(0 if sys.argv[2] in text else 1)
PY
}
expect() {   # expect NAME VERDICT [TEXT]
    local got
    got=$(verdict "$1")
    if [ "$got" != "$2" ]; then
        bad "$1: $got, want $2"
        echo "    $(cat "$WORK/$1.out")"
        return
    fi
    if [ -n "${3:-}" ] && ! said "$1" "$3"; then
        bad "$1: $2 but without \"$3\""
        echo "    $(cat "$WORK/$1.out")"
        return
    fi
    ok "$1 -> $2${3:+ (\"$3\")}"
}
metric() {   # metric RULE: rfguard_skips_total{rule=RULE}, 0 when absent
    curl -sS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt" || return 1
    awk -v k="rfguard_skips_total{rule=\"$1\"}" \
        '$1 == k { v = $2 } END { print v + 0 }' "$WORK/metrics.txt"
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }

WHY="lab cache, rebuilt from the seed job nightly"

# ---- default policy: warn rules only --------------------------------
mkreview d-deny u-d1 shop bob dev auth-required "$WHY" no-auth
mkreview d-warn u-d2 shop bob dev storage-ephemeral "$WHY" no-pvc
mkreview d-short u-d3 shop bob dev storage-ephemeral "n/a" no-pvc
start_server || exit 1
expect d-deny denied \
    "[skip-annotation] auth-required is not skipped: it is a deny rule and policy default lets no annotation skip it"
check "the refused skip leaves the auth-required denial" \
    said d-deny "auth-required"
check "a refused skip is logged with the user and no skipped rule" \
    wait_for log_has '"uid":"u-d1".*"verdict":"denied".*"user":"bob"'
check "... and nothing skipped" \
    bash -c "! grep '\"uid\":\"u-d1\"' '$WORK/server.log' | grep -q skipped"
expect d-warn allowed "[storage-ephemeral] skipped: $WHY"
check "the honoured warn skip is in the log line (rule, user, reason)" \
    wait_for log_has '"uid":"u-d2".*"user":"bob","skipped":\["storage-ephemeral"\],"skipReason":"lab cache, rebuilt from the seed job nightly"'
expect d-short denied "is too short: it needs at least 10 characters"
check "rfguard_skips_total counts the warn skip" \
    wait_for metric_is storage-ephemeral 1
check "... and no auth-required skip" metric_is auth-required 0
stop_server || bad "server exit status"

# ---- a policy that grants skips of deny rules -----------------------
cat >"$WORK/skips.yaml" <<'YAML'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata: {name: lab-skips}
spec:
  skips:
    - denyRules: [auth-required]
      namespaces: [lab]
    - denyRules: [sentinel-replicas]
      users: [alice]
      groups: [platform-admins]
YAML
mkreview g-ns-ok u-g1 lab bob dev auth-required "$WHY" no-auth
mkreview g-ns-bad u-g2 prod alice "" auth-required "$WHY" no-auth
mkreview g-user-ok u-g3 prod alice "" sentinel-replicas "$WHY" one-sentinel
mkreview g-group-ok u-g4 prod carol "platform-admins,system:authenticated" \
    sentinel-replicas "$WHY" one-sentinel
mkreview g-user-bad u-g5 prod bob "dev,system:authenticated" \
    sentinel-replicas "$WHY" one-sentinel
start_server --policy "$WORK/skips.yaml" || exit 1
expect g-ns-ok allowed "[auth-required] skipped: $WHY"
expect g-ns-bad denied \
    "auth-required is not skipped: policy lab-skips allows that skip in other namespaces, not in prod"
expect g-user-ok allowed "[sentinel-replicas] skipped: $WHY"
expect g-group-ok allowed "[sentinel-replicas] skipped: $WHY"
expect g-user-bad denied \
    "sentinel-replicas is not skipped: user bob may not skip it under policy lab-skips"
check "the log names alice and the rule she skipped" \
    wait_for log_has '"uid":"u-g3".*"verdict":"allowed".*"user":"alice","skipped":\["sentinel-replicas"\],"skipReason":"lab cache'
check "the log names carol (by group) and the rule" \
    wait_for log_has '"uid":"u-g4".*"user":"carol","skipped":\["sentinel-replicas"\]'
check "the log names bob and the namespace-granted skip" \
    wait_for log_has '"uid":"u-g1".*"user":"bob","skipped":\["auth-required"\]'
check "rfguard_skips_total{rule=sentinel-replicas} is 2" \
    wait_for metric_is sentinel-replicas 2
check "rfguard_skips_total{rule=auth-required} is 1" metric_is auth-required 1
# /mutate evaluates (and logs) skips too, but counts nothing: one kubectl
# apply goes through both endpoints.
post mutate "$WORK/g-user-ok.json" >/dev/null
check "/mutate logs the skip" \
    wait_for log_has '"endpoint":"mutate","uid":"u-g3".*"skipped":\["sentinel-replicas"\]'
check "/mutate does not count it" metric_is sentinel-replicas 2
stop_server || bad "server exit status"
finish
