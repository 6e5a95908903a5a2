#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# audit_live.sh - ctest integration.audit_live: `rfguard audit` against a
# live cluster (tests/kapi/kapi.py holding the objects of
# tests/audit/dump.json) finds what `rfguard audit -f dump.json` finds,
# in the json and policyreport formats, against the installed CRD's
# schema (a missing CRD: the compiled-in one); KUBECONFIG works as
# --kubeconfig, and --context picks a context; pages of --chunk-size
# objects add up to the same; it sends GETs only; --namespace lists one
# namespace; a 403 on Secrets is a warning, and the Secret rules of a
# failover with auth are then skipped, never missing nor passed;
# --no-secrets lists none; a 403 on RedisFailovers and a 401 are errors
# (exit 2); OpsTree RedisSentinels and RedisReplications: a 404 (no CRD)
# lists none silently, served they are audited as -f audits them, a 403
# is a warning; without the RedisFailover CRD (404) the OpsTree kinds are
# still audited, a 404 on RedisFailovers while their CRD is installed and
# a cluster serving none of the three kinds are errors (exit 2); no
# password appears in any output.
#
# Usage: audit_live.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

DUMP=$SRC/tests/audit/dump.json
PW=Known-Pa55word-4-audit-tests
cluster_setup || exit 1

# the dump's objects, one by one, into kapi
python3 -c '
import json, sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(json.dumps(it))' "$DUMP" >"$WORK/objs"
loaded=0
while IFS= read -r o; do
    printf '%s' "$o" | kctl /objects - >/dev/null && loaded=$((loaded + 1))
done <"$WORK/objs"
check "kapi holds the dump's $loaded objects" [ "$loaded" = "$(wc -l <"$WORK/objs")" ]

run() {   # run NAME ARGS...: rfguard audit ARGS > $WORK/NAME.out, .err, .rc
    local name=$1
    shift
    "$RFG" audit --no-color "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}
rc_is() { [ "$(cat "$WORK/$1.rc")" = "$2" ]; }

# the CRD kapi serves, for -f to check against the same schema as live
curl -sf --cacert "$WORK/kcerts/ca.crt" -H "Authorization: Bearer $KAPI_TOKEN" \
    "https://127.0.0.1:$KPORT/apis/apiextensions.k8s.io/v1/customresourcedefinitions/redisfailovers.databases.spotahome.com" \
    >"$WORK/crd.json"
check "kapi serves the RedisFailover CRD" grep -q CustomResourceDefinition "$WORK/crd.json"

kctl /calls/reset >/dev/null
run file -f "$DUMP" -o json --crd "$WORK/crd.json"
run live --kubeconfig "$WORK/kubeconfig" -o json
check "live: exits 1 on the deny findings, as -f does" rc_is live 1
check "-f: exits 1" rc_is file 1
kctl /calls >"$WORK/calls.json"
KUBECONFIG=$WORK/kubeconfig run env_kc -o policyreport
check "KUBECONFIG: exits 1" rc_is env_kc 1
run file_pr -f "$DUMP" -o policyreport --crd "$WORK/crd.json"
run paged --kubeconfig "$WORK/kubeconfig" -o json --chunk-size 2
check "--chunk-size 2: exits 1" rc_is paged 1
kctl /calls >"$WORK/calls-paged.json"
run ns --kubeconfig "$WORK/kubeconfig" -o json -n team-c
check "--namespace team-c: exits 1" rc_is ns 1
kctl /calls >"$WORK/calls-all.json"
run text --kubeconfig "$WORK/kubeconfig"
# --context: a kubeconfig whose current context has a wrong token
python3 - "$WORK/kubeconfig" "$WORK/kubeconfig2" <<'PY'
import sys
t = open(sys.argv[1]).read()
t = t.replace("current-context: test", "current-context: wrong")
t = t.replace("users:\n", "users:\n- name: nobody\n  user:\n    token: wrong\n", 1)
t += "- name: wrong\n  context: {cluster: kapi, user: nobody}\n"
open(sys.argv[2], "w").write(t)
PY
run ctx --kubeconfig "$WORK/kubeconfig2" --context test -o json
check "--context test: exits 1 as with the current context" rc_is ctx 1
run noctx --kubeconfig "$WORK/kubeconfig2" -o json
check "the current context's wrong token: exit 2" rc_is noctx 2
grep -q "cannot list redisfailovers: HTTP 401" "$WORK/noctx.err" && ok "a 401 says so" ||
    bad "401: $(cat "$WORK/noctx.err")"

python3 - "$WORK" <<'PY'
import json, re, sys
w = sys.argv[1]
fails = 0
def check(cond, what):
    global fails
    print(("ok   " if cond else "FAIL ") + what)
    fails += 0 if cond else 1
def keys(name):
    return sorted((x["object"], x["rule"], x["severity"], x.get("pointer", ""))
                  for x in json.load(open(w + "/" + name + ".out"))["findings"])
f, l = keys("file"), keys("live")
check(f and f == l, "live findings are the dump's (object, rule, severity, pointer)")
check(keys("paged") == f, "--chunk-size 2: the same findings")
check(keys("ctx") == f, "--context test: the same findings")
check(any(r == "schema-unknown-field" for _, r, _, _ in l),
      "live: fields the installed CRD lacks are found (its schema counts)")
live = json.load(open(w + "/live.out"))["findings"]
check(all("line" not in x or not x["line"] for x in live),
      "live findings carry no line:col of a file")
ns = keys("ns")
check(ns and all(o.startswith("team-c/") for o, _, _, _ in ns), "--namespace team-c: team-c only")
check(any(r == "auth-secret-unique" for _, r, _, _ in ns), "--namespace team-c: the shared password")
calls = json.load(open(w + "/calls.json"))
calls = calls.get("calls", calls) if isinstance(calls, dict) else calls
check(calls and all(c["method"] == "GET" for c in calls), "audit sends GETs only")
check({c["resource"] for c in calls} >= {"redisfailovers", "secrets", "networkpolicies"},
      "audit lists redisfailovers, secrets and networkpolicies")
paged = json.load(open(w + "/calls-paged.json"))
paged = paged.get("calls", paged) if isinstance(paged, dict) else paged
sec = [c for c in paged[len(calls):] if c["resource"] == "secrets"]
check(len(sec) >= 3, "--chunk-size 2: Secrets in several pages (%d lists)" % len(sec))
allc = json.load(open(w + "/calls-all.json"))
allc = allc.get("calls", allc) if isinstance(allc, dict) else allc
nsc = [c for c in allc[len(paged):]
       if c["resource"] in ("redisfailovers", "secrets", "networkpolicies")]
check(nsc and all(c.get("namespace") == "team-c" for c in nsc),
      "--namespace team-c lists in team-c only")
def reports(name):
    d = json.load(open(w + "/" + name + ".out"))
    out = {}
    for r in d["items"]:
        for x in r["results"]:
            x.pop("timestamp")
            x["resources"][0].pop("uid", None)
            # the dump's messages name where the other object is defined
            x["message"] = re.sub(r"[;,] (it is |the other is )?defined at [^;]*", "", x["message"])
            # -f names the CRD file that live finds installed
            x["message"] = re.sub(r"the CRD in \S*crd\.json", "the installed CRD", x["message"])
        out[r["metadata"]["namespace"]] = r
    return out
a, b = reports("env_kc"), reports("file_pr")
check(a == b, "KUBECONFIG, -o policyreport: the dump's reports (but for timestamps and uids)")
for ns in sorted(set(a) | set(b)):
    ra, rb = a.get(ns, {}).get("results", []), b.get(ns, {}).get("results", [])
    diff = [(x, y) for x, y in zip(ra, rb) if x != y]
    if diff or len(ra) != len(rb):
        print("  %s: %d and %d results; first difference: %s" % (ns, len(ra), len(rb), diff[:1]))
sys.exit(1 if fails else 0)
PY
check "live and -f agree (checks above)" [ $? = 0 ]
grep -q "schema: the installed CRD's (version v1)" "$WORK/live.err" &&
    ok "live: checks against the installed CRD's schema" || bad "installed CRD: $(cat "$WORK/live.err")"
kctl /set '{"flavor": "none"}' >/dev/null
run nocrd --kubeconfig "$WORK/kubeconfig" -o json
check "no CRD installed: still exits 1" rc_is nocrd 1
grep -q "cannot read the installed CRD (HTTP 404" "$WORK/nocrd.err" &&
    ok "no CRD installed: says the compiled-in schema applies" || bad "no CRD: $(cat "$WORK/nocrd.err")"
kctl /set '{"flavor": "spotahome"}' >/dev/null
grep -qE '^https://127\.0\.0\.1:[0-9]+: team-a/cache: error: .*\[auth-required\]$' "$WORK/text.out" &&
    ok "text: the server and namespace/name locate a finding" ||
    bad "text: $(head -3 "$WORK/text.out")"

# Secrets forbidden: a warning, no missing-Secret finding, still a result
kctl /set '{"forbidden": ["secrets"]}' >/dev/null
run nosec --kubeconfig "$WORK/kubeconfig" -o json
check "Secrets forbidden: exits 1 (the other deny findings)" rc_is nosec 1
grep -q "cannot list secrets (HTTP 403" "$WORK/nosec.err" && ok "Secrets forbidden: a warning says so" ||
    bad "Secrets forbidden: stderr: $(cat "$WORK/nosec.err")"
python3 - "$WORK/nosec.out" <<'PY' && ok "Secrets forbidden: no missing or shared Secret is reported" ||
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
sys.exit(1 if any(x["rule"] in ("auth-secret-exists", "auth-secret-unique") for x in f) else 0)
PY
    bad "Secrets forbidden: a Secret rule still reports: $(head -c 600 "$WORK/nosec.out")"
run nosec_pr --kubeconfig "$WORK/kubeconfig" -o policyreport
python3 - "$WORK/nosec_pr.out" <<'PY' && ok "Secrets forbidden: the Secret rules of a failover with auth are skip, not pass" ||
import json, sys
r = {x["metadata"]["namespace"]: x for x in json.load(open(sys.argv[1]))["items"]}
res = [(x["resources"][0]["name"], x["rule"], x["result"]) for x in r["team-e"]["results"]]
want = {("ghost", "auth-secret-exists", "skip"), ("ghost", "auth-password-key", "skip")}
noauth = [x for x in r["team-a"]["results"] if x["rule"] == "auth-secret-exists"]
sys.exit(0 if want <= set(res) and [x["result"] for x in noauth] == ["pass"] else 1)
PY
    bad "Secrets forbidden: $(grep -B3 -A3 auth-secret-exists "$WORK/nosec_pr.out" | head -30)"
grep -q '"auth-required"' "$WORK/nosec.out" && ok "Secrets forbidden: the other rules still run" ||
    bad "Secrets forbidden: $(head -c 400 "$WORK/nosec.out")"
kctl /set '{"forbidden": []}' >/dev/null
kctl /calls/reset >/dev/null
run nosecflag --kubeconfig "$WORK/kubeconfig" -o json --no-secrets
check "--no-secrets: exits 1" rc_is nosecflag 1
kctl /calls | python3 -c '
import json, sys
c = json.load(sys.stdin)
c = c.get("calls", c) if isinstance(c, dict) else c
sys.exit(1 if any(x["resource"] == "secrets" for x in c) else 0)' &&
    ok "--no-secrets: no Secret is listed" || bad "--no-secrets listed Secrets"
kctl /set '{"forbidden": ["redisfailovers"]}' >/dev/null
run norf --kubeconfig "$WORK/kubeconfig"
check "RedisFailovers forbidden: exit 2" rc_is norf 2
grep -q "cannot list redisfailovers: HTTP 403" "$WORK/norf.err" && ok "RedisFailovers forbidden: says so" ||
    bad "RedisFailovers forbidden: $(cat "$WORK/norf.err")"
kctl /set '{"forbidden": []}' >/dev/null

# OpsTree kinds: not served (no CRDs) lists none and says nothing; served,
# they are audited as the dump's are; forbidden, a warning
kctl /set '{"opstree": false}' >/dev/null
run no_ot --kubeconfig "$WORK/kubeconfig" -o json
check "no OpsTree CRDs: exits 1 as before" rc_is no_ot 1
if grep -q "redissentinels\|redisreplications" "$WORK/no_ot.err"; then
    bad "no OpsTree CRDs: $(cat "$WORK/no_ot.err")"
else
    ok "no OpsTree CRDs: nothing said about them"
fi
kctl /set '{"opstree": true}' >/dev/null
DUMP_OT=$SRC/tests/audit/dump-opstree.json
python3 -c '
import json, sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(json.dumps(it))' "$DUMP_OT" | while IFS= read -r o; do
    printf '%s' "$o" | kctl /objects - >/dev/null
done
python3 - "$DUMP" "$DUMP_OT" "$WORK/mixed.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
a["items"] += json.load(open(sys.argv[2]))["items"]
json.dump(a, open(sys.argv[3], "w"), indent=1)
PY
run ot_file -f "$WORK/mixed.json" -o json --crd "$WORK/crd.json"
run ot_live --kubeconfig "$WORK/kubeconfig" -o json
run ot_pr --kubeconfig "$WORK/kubeconfig" -o policyreport
rm -f "$WORK/mixed.json"   # it holds the dump's Secrets
python3 - "$WORK" <<'PY' && ok "OpsTree served: live finds what -f finds, naming the kinds" ||
import json, sys
w = sys.argv[1]
def keys(name):
    return sorted((x["object"], x["rule"], x["severity"])
                  for x in json.load(open(w + "/" + name + ".out"))["findings"])
f, l = keys("ot_file"), keys("ot_live")
ot = [k for k in l if k[0].startswith(("RedisReplication team-o/", "RedisSentinel team-o/"))]
r = {x["metadata"]["namespace"]: x for x in json.load(open(w + "/ot_pr.out"))["items"]}
kinds = {x["resources"][0]["kind"] for x in r["team-o"]["results"]}
sys.exit(0 if f == l and ot and kinds == {"RedisReplication", "RedisSentinel"} else 1)
PY
    bad "OpsTree live: $(grep -c team-o "$WORK/ot_live.out") team-o findings; $(cat "$WORK/ot_live.err")"
kctl /set '{"unserved": ["redisfailovers"]}' >/dev/null
run rf_404 --kubeconfig "$WORK/kubeconfig" -o json
check "a 404 on redisfailovers while their CRD is installed: exit 2" rc_is rf_404 2
check "... saying to try again" grep -q "not served yet: try again" "$WORK/rf_404.err"
kctl /set '{"flavor": "none"}' >/dev/null
run no_rf --kubeconfig "$WORK/kubeconfig" -o json
check "no RedisFailover CRD (404): the OpsTree kinds are still audited" \
    grep -q '"RedisReplication team-o/cache"' "$WORK/no_rf.out"
check "... and no RedisFailover" \
    bash -c "! grep -q '\"team-a/cache\"' '$WORK/no_rf.out'"
kctl /set '{"unserved": ["redisfailovers", "redissentinels", "redisreplications"]}' >/dev/null
run no_kinds --kubeconfig "$WORK/kubeconfig" -o json
check "none of the three kinds served: exit 2" rc_is no_kinds 2
check "... saying which CRDs to install" \
    grep -q "serves no redisfailovers, redissentinels or redisreplications" "$WORK/no_kinds.err"
kctl /set '{"unserved": [], "flavor": "spotahome"}' >/dev/null
kctl /set '{"forbidden": ["redisreplications"]}' >/dev/null
run ot_forbidden --kubeconfig "$WORK/kubeconfig" -o json
check "redisreplications forbidden: exits 1, not 2" rc_is ot_forbidden 1
grep -q "cannot list redisreplications (HTTP 403" "$WORK/ot_forbidden.err" &&
    ok "redisreplications forbidden: a warning says so" ||
    bad "redisreplications forbidden: $(cat "$WORK/ot_forbidden.err")"
kctl /set '{"forbidden": []}' >/dev/null

leak=
for f in "$WORK"/*.out "$WORK"/*.err; do
    grep -qF "$PW" "$f" && leak="$leak ${f##*/}"
done
check "no password in any output${leak:+:$leak}" [ -z "$leak" ]
finish
