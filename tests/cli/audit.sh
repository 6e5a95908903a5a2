#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# audit.sh - ctest cli.audit: `rfguard audit -f` over dumps of a cluster
# (tests/audit). Checks the findings per failover and across failovers
# (namespace/name and the dump's line:col), exit codes as lint, usage
# errors, --namespace, -A and --selector, --no-secrets, a dump that does
# not parse, JSON, YAML and stdin dumps, every output format, the PolicyReports
# (one per namespace, results consistent with the findings, the summary,
# stable order, a fixed failover flipping to pass, the size cap), OpsTree
# RedisSentinels and RedisReplications in the List (audited, named by
# their kind, compared with the RedisFailovers, their PolicyReport
# results free of RedisFailover-only rules) and that no Secret's password
# appears in any output.
# Usage: audit.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
rfguard=$1
src=$2
build=$3
. "$(dirname "$0")/cli_common.bash"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
cli_workdir "$build" audit
cd "$src/tests/audit" || exit 1

PW=Known-Pa55word-4-audit-tests
PW64=$(printf %s "$PW" | base64)

audit() { "$rfguard" audit --no-color "$@"; }

# ---- usage ----
expect_exit 0 "audit --help" "$rfguard" audit --help
grep -q -- '--selector' "$work/out" && grep -q -- 'policyreport' "$work/out" &&
    ok "--help names --selector and policyreport" || bad "--help: $(cat "$work/out")"
expect_exit 2 "unknown format" audit -f dump.json -o yaml
expect_exit 2 "a bad selector" audit -f dump.json -l 'tier=(x'
grep -q "label selector" "$work/err" && ok "a bad selector says why" ||
    bad "bad selector: $(cat "$work/err")"
expect_exit 2 "-f and --kubeconfig together" audit -f dump.json --kubeconfig x
expect_exit 2 "a missing dump" audit -f no-such-dump.json
expect_exit 2 "no cluster and no -f" env -u KUBECONFIG HOME="$work" \
    KUBERNETES_SERVICE_HOST= "$rfguard" audit
grep -q -- "-f FILE" "$work/err" && ok "no cluster: says to give -f or --kubeconfig" ||
    bad "no cluster: $(cat "$work/err")"

printf '{"apiVersion": "v1", "kind": "List", "items": [\n  {"kind": \n' >"$work/broken.json"
expect_exit 2 "a dump that does not parse" audit -f "$work/broken.json" -o policyreport
[ ! -s "$work/out" ] && grep -q 'broken.json:[0-9]*:[0-9]*: error' "$work/err" &&
    ok "a broken dump: no report, the error at its line:col on stderr" ||
    bad "broken dump: out: $(cat "$work/out") err: $(cat "$work/err")"

expect_exit 2 "--context without a kubeconfig" env -u KUBECONFIG HOME="$work" \
    "$rfguard" audit --context test
grep -q "needs a kubeconfig" "$work/err" && ok "--context without a kubeconfig says so" ||
    bad "--context: $(cat "$work/err")"

# ---- text ----
expect_exit 1 "a deny finding exits 1" audit -f dump.json
cp "$work/out" "$work/text"
tline() {   # tline DESC REGEX: a line of the text output matches
    if grep -qE -- "$2" "$work/text"; then ok "$1"; else bad "$1: no line matches $2"; fi
}
tline "no password: auth-required names team-a/cache at line:col" \
    '^dump\.json:[0-9]+:[0-9]+: team-a/cache: error: .*\[auth-required\]$'
tline "missing Secret: auth-secret-exists names team-e/ghost" \
    '^dump\.json:[0-9]+:[0-9]+: team-e/ghost: error: Secret team-e/ghost-auth does not exist.*\[auth-secret-exists\]$'
tline "shared password: team-c/orders" \
    '^dump\.json:[0-9]+:[0-9]+: team-c/orders: error: .*same as in team-c/payments-auth.*\[auth-secret-unique\]$'
tline "shared password: team-c/payments" \
    '^dump\.json:[0-9]+:[0-9]+: team-c/payments: error: .*same as in team-c/orders-auth.*\[auth-secret-unique\]$'
tline "sentinel identity shared across namespaces: team-a with team-b" \
    'team-a/cache: warning: sentinel identity \(mymaster, port 6379\) is shared with RedisFailover team-b/sessions.*\[sentinel-identity-shared\]$'
tline "sentinel identity shared across namespaces: team-b with team-a" \
    'team-b/sessions: warning: sentinel identity .* shared with RedisFailover team-a/cache.*\[sentinel-identity-shared\]$'
tline "summary counts the failovers" \
    '^1 file, 10 documents, 6 failovers: 5 errors, [0-9]+ warnings'
if grep -q 'shop/sidekiq' "$work/text"; then
    bad "the clean failover has findings: $(grep shop/sidekiq "$work/text")"
else
    ok "the clean failover shop/sidekiq has no finding"
fi

# ---- --namespace, --selector ----
expect_exit 0 "--namespace shop: the clean one alone exits 0" audit -f dump.json -n shop
grep -q ' 1 failover: 0 errors, 0 warnings' "$work/out" && ok "--namespace shop audits one failover" ||
    bad "--namespace shop: $(cat "$work/out")"
expect_exit 1 "--namespace team-e" audit -f dump.json -n team-e -o json
python3 - "$work/out" <<'PY' && ok "--namespace team-e: only team-e/ghost" || bad "--namespace team-e"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
sys.exit(0 if f and all(x["object"] == "team-e/ghost" for x in f) else 1)
PY
objects() {   # objects ARGS...: the audited failovers, sorted, one line
    audit -f dump.json -o junit "$@" 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.stdin)
print(" ".join(sorted(c.get("name").split()[1] for c in t.iter("testcase"))))'
}
sel() {   # sel DESC WANT ARGS...
    local got
    got=$(objects "${@:3}")
    if [ "$got" = "$2" ]; then ok "$1"; else bad "$1: got '$got', want '$2'"; fi
}
sel "-l tier=backend" "shop/sidekiq team-c/orders team-c/payments team-e/ghost" -l tier=backend
sel "-l tier!=backend" "team-a/cache team-b/sessions" -l 'tier!=backend'
sel "-l 'app in (cache,orders)'" "team-a/cache team-c/orders" -l 'app in (cache,orders)'
sel "-l 'app notin (cache,orders),tier'" "shop/sidekiq team-b/sessions team-c/payments team-e/ghost" \
    -l 'app notin (cache,orders),tier'
sel "-l tier=frontend -n team-b" "team-b/sessions" -l tier=frontend -n team-b
sel "-A wins over -n, as in kubectl" \
    "shop/sidekiq team-a/cache team-b/sessions team-c/orders team-c/payments team-e/ghost" -n shop -A
expect_exit 0 "-l '!tier' selects nothing" audit -f dump.json -l '!tier'
grep -q "no RedisFailover" "$work/err" && ok "nothing selected: a note says so" ||
    bad "nothing selected: $(cat "$work/err")"
# the view still holds every failover: team-a/cache alone still conflicts
expect_exit 1 "-n team-a still sees the other namespaces" audit -f dump.json -n team-a
grep -q 'shared with RedisFailover team-b/sessions' "$work/out" &&
    ok "--namespace narrows the audit, not the view" || bad "-n team-a: $(cat "$work/out")"

# ---- --no-secrets: a dump without Secrets ----
expect_exit 0 "--no-secrets: team-e/ghost's missing Secret is not a deny" \
    audit -f dump.json -n team-e --no-secrets
grep -qE 'team-e/ghost: skipped: cannot verify: the Secrets could not be listed.*\[auth-secret-exists\]' \
    "$work/out" && ok "--no-secrets: the Secret rules are skipped, saying why" ||
    bad "--no-secrets: $(grep -v hint "$work/out")"

# ---- formats ----
for fmt in json sarif junit github policyreport; do
    audit -f dump.json -o $fmt >"$work/out.$fmt" 2>"$work/err.$fmt"
    rc=$?
    [ "$rc" = 1 ] && ok "-o $fmt exits 1" || bad "-o $fmt: exit $rc: $(cat "$work/err.$fmt")"
done
audit -f dump-fixed.json -o policyreport >"$work/fixed.policyreport" 2>"$work/err.fixed"
audit -f dump.json -o policyreport >"$work/again.policyreport" 2>/dev/null
audit -f dump.yaml -o json >"$work/yaml.json" 2>"$work/err.yaml"
rc=$?
[ "$rc" = 1 ] && ok "a YAML dump exits 1" || bad "YAML dump: exit $rc: $(cat "$work/err.yaml")"
audit -f - -o json <dump.json >"$work/stdin.json" 2>/dev/null

python3 - "$work" "$src/tests/audit" <<'PY'
import json, os, re, sys, xml.etree.ElementTree as ET
w, fx = sys.argv[1], sys.argv[2]
fails = passes = 0
def check(cond, what):
    global fails, passes
    print(("ok   " if cond else "FAIL ") + what)
    fails += 0 if cond else 1
    passes += 1 if cond else 0

# where each item of dump.json is: [first, last] line, by ns/name
ranges, start = {}, None
lines = open(fx + "/dump.json").read().split("\n")
for i, l in enumerate(lines, 1):
    if l == "        {":
        start = i
    elif l.rstrip(",") == "        }" and start:
        item = json.loads("\n".join(lines[start - 1:i]).rstrip(","))
        md = item["metadata"]
        ranges[md["namespace"] + "/" + md["name"], item["kind"]] = (start, i, md.get("uid"))
        start = None
rfs = {k[0]: v for k, v in ranges.items() if k[1] == "RedisFailover"}
check(len(rfs) == 6, "the dump holds six failovers")

j = json.load(open(w + "/out.json"))
fs = j["findings"]
check(fs and all(x["object"] in rfs for x in fs), "json: every finding names an audited failover")
check(all(rfs[x["object"]][0] <= x["line"] <= rfs[x["object"]][1] and x["column"] > 0
          for x in fs), "json: every finding's line:col is inside its failover's object")
check(all(x["file"] == "dump.json" for x in fs), "json: findings name the dump")
st = json.load(open(w + "/stdin.json"))["findings"]
check(st and all(x["file"] == "<stdin>" for x in st) and len(st) == len(fs),
      "-f -: the same findings, named <stdin>")
y = json.load(open(w + "/yaml.json"))["findings"]
check(any(x["object"] == "jobs/queue" and x["rule"] == "auth-secret-exists" and x["line"] > 1
          for x in y), "a YAML dump: the missing Secret of jobs/queue at its line")
check(any(x["object"] == "web/cache" and x["rule"] == "auth-required" for x in y),
      "a YAML dump: web/cache has no password")

s = json.load(open(w + "/out.sarif"))
check(s.get("version") == "2.1.0" and "$schema" in s, "sarif: 2.1.0 with $schema")
res = s["runs"][0]["results"]
check(len(res) == len(fs), "sarif: one result per finding")
check(all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dump.json"
          and r["locations"][0]["physicalLocation"]["region"]["startLine"] > 0
          and r["properties"]["object"] in rfs for r in res),
      "sarif: every result has the dump's region and the object")
ids = {r["id"] for r in s["runs"][0]["tool"]["driver"]["rules"]}
check(all(r["ruleId"] in ids for r in res), "sarif: every ruleId is a declared rule")

t = ET.parse(w + "/out.junit")
check(len(list(t.iter("testcase"))) >= 6, "junit: parses, a testcase per failover")
gh = open(w + "/out.github").read().splitlines()
check(gh and all(l.startswith("::") for l in gh), "github: workflow commands only")
check(sum(l.startswith("::error file=dump.json,line=") for l in gh) == 5,
      "github: five errors with the dump's positions")

def reports(path):
    d = json.load(open(path))
    assert d["kind"] == "List" and d["apiVersion"] == "v1"
    return {r["metadata"]["namespace"]: r for r in d["items"]}
rep = reports(w + "/out.policyreport")
check(sorted(rep) == ["shop", "team-a", "team-b", "team-c", "team-e"],
      "policyreport: one report per namespace with a failover")
check(all(r["apiVersion"] == "wgpolicyk8s.io/v1alpha2" and r["kind"] == "PolicyReport"
          and r["metadata"]["name"] == "rfguard" and "scope" not in r
          and r["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "rfguard"}
          for r in rep.values()), "policyreport: kind, name, label, no scope")
ok = True
for ns, r in rep.items():
    res = r["results"]
    cnt = {k: sum(x["result"] == k for x in res) for k in ("pass", "fail", "warn", "error", "skip")}
    ok = ok and cnt == r["summary"]
check(ok, "policyreport: the summary counts the results")
enum_ok = all(x["result"] in ("pass", "fail", "warn", "error", "skip")
              and x["severity"] in ("critical", "high", "medium", "low", "info")
              and x["policy"] == "rfguard" and x["source"] == "rfguard" and x["rule"]
              and x["message"] and set(x["timestamp"]) == {"seconds", "nanos"}
              for r in rep.values() for x in r["results"])
check(enum_ok, "policyreport: result, severity, policy, source, timestamp as the API has them")
res_ok = True
for r in rep.values():
    for x in r["results"]:
        (o,) = x["resources"]
        key = o["namespace"] + "/" + o["name"]
        res_ok = res_ok and key in rfs and o["uid"] == rfs[key][2] \
            and o["kind"] == "RedisFailover" and o["apiVersion"] == "databases.spotahome.com/v1" \
            and o["namespace"] == r["metadata"]["namespace"]
check(res_ok, "policyreport: each result's resource is its failover, with its uid")
# consistent with the findings: fail = deny, warn = warning, no pass where one was found
for ns, r in rep.items():
    mine = [x for x in fs if x["object"].split("/")[0] == ns]
    fails_f = sorted((x["object"], x["rule"]) for x in mine if x["severity"] == "error")
    warns_f = sorted((x["object"], x["rule"]) for x in mine if x["severity"] == "warning")
    def of(kind):
        return sorted((x["resources"][0]["namespace"] + "/" + x["resources"][0]["name"], x["rule"])
                      for x in r["results"] if x["result"] == kind)
    check(of("fail") == fails_f and of("warn") == warns_f,
          "policyreport %s: fail and warn results are the deny and warning findings" % ns)
    found = set(fails_f + warns_f)
    check(not any(p in found for p in of("pass")), "policyreport %s: no pass for a rule that found something" % ns)
    order = [(x["resources"][0]["name"], x["rule"]) for x in r["results"]]
    check(order == sorted(order), "policyreport %s: results by failover, then rule" % ns)
check(rep["shop"]["summary"]["fail"] == 0 and rep["shop"]["summary"]["warn"] == 0
      and rep["shop"]["summary"]["pass"] > 20, "policyreport shop: the clean failover passes every rule")
sev = {x["rule"]: x["severity"] for x in rep["team-e"]["results"] if x["result"] == "fail"}
check(sev.get("auth-secret-exists") == "high", "policyreport: a deny finding is fail/high")
check(all(x["severity"] == "medium" for x in rep["team-a"]["results"] if x["result"] == "warn"),
      "policyreport: a warning is warn/medium")

def strip(rs):
    for r in rs.values():
        for x in r["results"]:
            x.pop("timestamp")
    return rs
check(strip(reports(w + "/out.policyreport")) == strip(reports(w + "/again.policyreport")),
      "policyreport: the same dump gives the same reports but for timestamps")
fixed = reports(w + "/fixed.policyreport")
a = fixed["team-a"]["summary"]
check(a["fail"] == 0 and a["warn"] == 0 and a["pass"] > 20, "fixed dump: team-a/cache flips to pass")
pay = [x["result"] for x in fixed["team-c"]["results"]
       if x["resources"][0]["name"] == "payments" and x["rule"] == "auth-secret-unique"]
check(pay == ["pass"], "fixed dump: team-c/payments' auth-secret-unique flips to pass")
sys.exit(1 if fails else 0)
PY
[ $? = 0 ] && ok "formats and PolicyReports (checks above)" || bad "formats and PolicyReports (see FAIL above)"

# ---- size: a namespace's report past the cap drops its pass results ----
python3 - "$work/big.json" <<'PY'
import json, sys
items = [{"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
          "metadata": {"name": "rf-%03d" % i, "namespace": "big",
                       "uid": "00000000-0000-4000-9000-%012d" % i},
          "spec": {"sentinel": {"replicas": 3}, "redis": {"replicas": 3, "port": 7000 + i}}}
         for i in range(60)]
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, open(sys.argv[1], "w"))
PY
audit -f "$work/big.json" -o policyreport >"$work/big.out" 2>"$work/big.err"
python3 - "$work/big.out" <<'PY' && ok "a report past 1 MiB keeps no pass result, counts them, says so" ||
import json, sys
txt = open(sys.argv[1]).read()
(r,) = json.loads(txt)["items"]
ann = r["metadata"].get("annotations", {})
npass = r["summary"]["pass"]
ok = npass > 0 and not any(x["result"] == "pass" for x in r["results"]) \
    and str(npass) in ann.get("rfguard.io/omitted-pass-results", "") \
    and len(json.dumps(r, separators=(",", ":"))) <= 1 << 20
sys.exit(0 if ok else 1)
PY
    bad "size cap: $(head -c 600 "$work/big.out") $(cat "$work/big.err")"

# ---- OpsTree RedisSentinels and RedisReplications in the List ----
python3 - "$work/mixed.json" <<'PY'
import json, sys
a = json.load(open("dump.json"))
a["items"] += json.load(open("dump-opstree.json"))["items"]
json.dump(a, open(sys.argv[1], "w"), indent=1)
PY
expect_exit 1 "a List with OpsTree objects: exits 1" audit -f "$work/mixed.json"
grep -qE '^[^ ]*mixed\.json:[0-9]+:[0-9]+: RedisReplication team-o/cache: warning: sentinel identity \(mymaster, port 6379\) is shared with RedisFailover team-[ab]/.*\[sentinel-identity-shared\]$' "$work/out" &&
    ok "a RedisReplication's finding names its kind and the RedisFailover it clashes with" ||
    bad "OpsTree findings: $(grep team-o "$work/out" | head -5)"
grep -qE ': RedisSentinel team-o/watch: ' "$work/out" &&
    ok "a RedisSentinel is audited, named by its kind" || bad "no RedisSentinel finding: $(tail -3 "$work/out")"
audit -f "$work/mixed.json" -o policyreport >"$work/mixed-pr.out" 2>"$work/mixed-pr.err"
python3 - "$work/mixed-pr.out" <<'PY' && ok "PolicyReports: OpsTree results name their kind and apiVersion, and no RedisFailover-only rule" ||
import json, sys
r = {x["metadata"]["namespace"]: x for x in json.load(open(sys.argv[1]))["items"]}
res = r["team-o"]["results"]
kinds = {(x["resources"][0]["kind"], x["resources"][0]["name"],
          x["resources"][0]["apiVersion"]) for x in res}
want = {("RedisReplication", "cache", "redis.redis.opstreelabs.in/v1beta2"),
        ("RedisSentinel", "watch", "redis.redis.opstreelabs.in/v1beta2")}
rf_only = {"disablemymaster-pruned", "spread-missing", "storage-ephemeral"}
ok = kinds == want and not any(x["rule"] in rf_only for x in res) and \
    any(x["rule"] == "sentinel-identity-shared" and x["result"] == "warn"
        for x in res) and \
    all(x["resources"][0]["kind"] == "RedisFailover"
        for x in r["team-a"]["results"])
sys.exit(0 if ok else 1)
PY
    bad "OpsTree PolicyReports: $(head -c 800 "$work/mixed-pr.out") $(cat "$work/mixed-pr.err")"
rm -f "$work/mixed.json"   # the dump's Secrets: the output check below

# ---- no Secret value anywhere ----
leak=
for f in "$work"/*; do
    if grep -qF -e "$PW" -e "$PW64" "$f"; then leak="$leak ${f##*/}"; fi
done
[ -z "$leak" ] && ok "no password (plain or base64) in any output" || bad "password in:$leak"

cli_finish
