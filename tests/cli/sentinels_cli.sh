#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sentinels_cli.sh - ctest cli.sentinels_cli: `rfguard sentinels -f` without
# Redis. Usage errors and --help; a dump whose sentinel pods are on
# loopback addresses where nothing listens (each sentinel unreachable,
# the others still asked, exit 0); sentinels that accept but never answer
# (--timeout, and --deadline: the ones not started in time are reported,
# not waited for); the JSON shape; every output format; YAML and stdin
# dumps; -n and -l; audit --sentinels (findings in the audit's JSON and
# PolicyReports); and that the sentinel password never appears in any
# output. The Redis protocol is tested against real redis-server and
# redis-sentinel processes by tests/integration.
# Usage: sentinels_cli.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
rfguard=$1
build=$3
. "$(dirname "$0")/cli_common.bash"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
cli_workdir "$build" sentinels_cli
listener=""
trap '[ -n "$listener" ] && kill "$listener" 2>/dev/null; rm -rf "$work"' EXIT

PW=Sentinel-Pa55word-never-shown
sen() { "$rfguard" sentinels --no-color "$@"; }

# A port on 127.0.0.1 nobody listens on: bound, then let go.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# dump FILE PORT: failover shop/cache (3 sentinel pods on 127.0.0.2-4,
# labelled team=a), failover other/queue (1 sentinel pod, a Pending one
# that is not asked), a Secret with the password.
dump() {
    python3 - "$1" "$PW" <<'PY'
import base64, json, sys
def pod(ns, name, rf, comp, ip, phase="Running"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {
                "app.kubernetes.io/name": rf,
                "app.kubernetes.io/component": comp,
                "app.kubernetes.io/part-of": "redis-failover"}},
            "status": {"phase": phase, "podIP": ip}}
def rf(ns, name, labels):
    return {"apiVersion": "databases.spotahome.com/v1",
            "kind": "RedisFailover",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"sentinel": {"replicas": 3}}}
items = [rf("shop", "cache", {"team": "a"}), rf("other", "queue", {})]
items += [pod("shop", "rfs-cache-%d" % i, "cache", "sentinel",
              "127.0.0.%d" % (i + 2)) for i in range(3)]
items += [pod("other", "rfs-queue-0", "queue", "sentinel", "127.0.0.5"),
          pod("other", "rfs-queue-1", "queue", "sentinel", "127.0.0.6",
              "Pending")]
for ns in ("shop", "other"):
    items.append({"apiVersion": "v1", "kind": "Secret",
                  "metadata": {"name": "sentinel-auth", "namespace": ns},
                  "data": {"password":
                           base64.b64encode(sys.argv[2].encode()).decode()}})
json.dump({"apiVersion": "v1", "kind": "List", "items": items},
          open(sys.argv[1], "w"), indent=1)
PY
}
dump "$work/dump.json"
port=$(free_port)

# ---- usage ----
expect_exit 0 "sentinels --help" "$rfguard" sentinels --help
grep -q "only reads" "$work/out" && grep -q "never" "$work/out" &&
    grep -q -- "--password-secret" "$work/out" &&
    ok "--help says rfguard only reads" || bad "--help: $(cat "$work/out")"
"$rfguard" --help | grep -q "sentinels" && ok "rfguard --help lists sentinels" ||
    bad "rfguard --help lacks sentinels"
expect_exit 2 "unknown format" sen -f "$work/dump.json" -o yaml
expect_exit 2 "a bare number as --timeout" sen -f "$work/dump.json" --timeout 2
grep -q "duration" "$work/err" && ok "--timeout says what it wants" ||
    bad "--timeout: $(cat "$work/err")"
expect_exit 2 "a bad --deadline" sen -f "$work/dump.json" --deadline soon
expect_exit 2 "port 0" sen -f "$work/dump.json" --sentinel-port 0
expect_exit 2 "--parallel 0" sen -f "$work/dump.json" --parallel 0
expect_exit 2 "an empty secret name" sen -f "$work/dump.json" --password-secret :k
expect_exit 2 "a bad selector" sen -f "$work/dump.json" -l 'a in (b'
expect_exit 2 "-f and --kubeconfig together" sen -f "$work/dump.json" --kubeconfig x
expect_exit 2 "an argument" sen "$work/dump.json"
expect_exit 2 "a missing dump" sen -f "$work/no-such.json"
expect_exit 2 "no cluster and no -f" env -u KUBECONFIG HOME="$work" \
    "$rfguard" sentinels
grep -q -- "-f FILE" "$work/err" && ok "no cluster: says to give -f or --kubeconfig" ||
    bad "no cluster: $(cat "$work/err")"
printf 'items: [\n' >"$work/broken.yaml"
expect_exit 2 "a dump that does not parse" sen -f "$work/broken.yaml"

# ---- nothing listens: every sentinel unreachable, not fatal ----
expect_exit 0 "refused sentinels are warnings" \
    sen -f "$work/dump.json" --sentinel-port "$port" --password-secret sentinel-auth
n=$(grep -c "sentinel-unreachable" "$work/out")
[ "$n" = 4 ] && ok "each Running sentinel pod asked (4 unreachable)" ||
    bad "want 4 unreachable, got $n: $(cat "$work/out")"
grep -q "127.0.0.3:$port (pod rfs-cache-1) could not be asked: connect: " "$work/out" &&
    ok "the finding names the sentinel, its pod and the error" ||
    bad "unreachable message: $(cat "$work/out")"
grep -q "rfs-queue-1" "$work/out" && bad "a Pending sentinel pod was asked" ||
    ok "a Pending sentinel pod is not asked"
grep -q "^2 failovers, 4 sentinels asked (4 could not be): 0 merged" "$work/out" &&
    ok "text summary" || bad "summary: $(tail -2 "$work/out")"
grep -q "How to clean up" "$work/out" && bad "a clean-up without a merge" ||
    ok "no clean-up steps without a merge"

expect_exit 0 "-n shop" sen -f "$work/dump.json" --sentinel-port "$port" -n shop
[ "$(grep -c sentinel-unreachable "$work/out")" = 3 ] && ok "-n checks one namespace" ||
    bad "-n: $(cat "$work/out")"
expect_exit 0 "-l team=a" sen -f "$work/dump.json" --sentinel-port "$port" -l team=a
[ "$(grep -c sentinel-unreachable "$work/out")" = 3 ] && ok "-l selects failovers" ||
    bad "-l: $(cat "$work/out")"
expect_exit 0 "no failover matches" sen -f "$work/dump.json" -n nowhere
grep -q "no RedisFailover in namespace nowhere" "$work/err" &&
    ok "says when there is nothing to check" || bad "none: $(cat "$work/err")"

# ---- JSON shape ----
expect_exit 0 "-o json" sen -f "$work/dump.json" --sentinel-port "$port" -o json
python3 - "$work/out" <<'PY' && ok "JSON: findings and per-failover verdicts" || bad "JSON shape: $(head -c 2000 "$work/out")"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
assert len(f) == 4 and all(x["rule"] == "sentinel-unreachable" for x in f), f
assert all(x["severity"] == "warning" for x in f)
assert {x["object"] for x in f} == {"shop/cache", "other/queue"}
rfs = {x["namespace"] + "/" + x["name"]: x for x in d["failovers"]}
assert set(rfs) == {"shop/cache", "other/queue"}
for v in rfs.values():
    assert v["merged"] is False and v["mergedWith"] == [] and v["master"] == "mymaster"
    assert "procedure" not in v
assert d["summary"]["warnings"] == 4
PY

# ---- every format; the password in none ----
for fmt in text json sarif junit github policyreport; do
    expect_exit 0 "-o $fmt" sen -f "$work/dump.json" --sentinel-port "$port" \
        --password-secret sentinel-auth -o "$fmt"
    cat "$work/out" "$work/err" >>"$work/all"
done
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]; ids=[x["id"] for x in r["tool"]["driver"]["rules"]]; assert ids==["sentinel-unreachable"], ids; assert all(x["ruleIndex"]==0 for x in r["results"])' \
    <(sen -f "$work/dump.json" --sentinel-port "$port" -o sarif) &&
    ok "SARIF describes the sentinel rules it uses" || bad "SARIF rules"
sen -f "$work/dump.json" --sentinel-port "$port" -o policyreport |
    python3 -c 'import json,sys; d=json.load(sys.stdin); ns=sorted(r["metadata"]["namespace"] for r in d["items"]); assert ns==["other","shop"], ns; res=[x for r in d["items"] for x in r["results"]]; assert len(res)==4 and all(x["result"]=="warn" and x["rule"]=="sentinel-unreachable" and x["resources"][0]["kind"]=="RedisFailover" for x in res), res' &&
    ok "PolicyReports: one per namespace, a warn result per finding" || bad "policyreport"
grep -q -- "$PW" "$work/all" && bad "the password appears in an output" ||
    ok "the password appears in no output"

# ---- YAML and stdin ----
python3 -c 'import json,sys,yaml; yaml.safe_dump(json.load(open(sys.argv[1])), open(sys.argv[2],"w"))' \
    "$work/dump.json" "$work/dump.yaml" 2>/dev/null && {
    expect_exit 0 "a YAML dump" sen -f "$work/dump.yaml" --sentinel-port "$port"
    [ "$(grep -c sentinel-unreachable "$work/out")" = 4 ] && ok "YAML dump read" ||
        bad "YAML: $(cat "$work/out")"
}
expect_exit 0 "stdin" sh -c "\"$rfguard\" sentinels --no-color -f - --sentinel-port $port <\"$work/dump.json\""
[ "$(grep -c sentinel-unreachable "$work/out")" = 4 ] && ok "stdin dump read" ||
    bad "stdin: $(cat "$work/out")"

# ---- audit --sentinels: the same check joins the audit's report ----
expect_exit 1 "audit --sentinels (the audit's own deny rules)" "$rfguard" audit -f "$work/dump.json" --sentinels \
    --sentinel-port "$port" -o json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=[x for x in d["findings"] if x["rule"]=="sentinel-unreachable"]; assert len(f)==4 and {x["object"] for x in f}=={"shop/cache","other/queue"}, f' \
    "$work/out" && ok "audit --sentinels: the sentinel findings in the audit's JSON" ||
    bad "audit --sentinels: $(head -c 2000 "$work/out")"
"$rfguard" audit -f "$work/dump.json" --sentinels --sentinel-port "$port" -o policyreport |
    python3 -c 'import json,sys; d=json.load(sys.stdin); res=[x for r in d["items"] for x in r["results"] if x["rule"]=="sentinel-unreachable"]; assert len(res)==4 and all(x["result"]=="warn" for x in res), res' &&
    ok "audit --sentinels: PolicyReport results" || bad "audit --sentinels policyreport"
expect_exit 1 "audit without --sentinels asks none" "$rfguard" audit -f "$work/dump.json" -o json
grep -q sentinel-unreachable "$work/out" && bad "audit asked sentinels unasked" ||
    ok "audit asks no sentinel without --sentinels"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["items"]=[x for x in d["items"] if x["kind"]!="Pod"]; json.dump(d,open(sys.argv[2],"w"))' \
    "$work/dump.json" "$work/nopods.json"
expect_exit 1 "audit --sentinels over a dump without pods" "$rfguard" audit \
    -f "$work/nopods.json" --sentinels
grep -q "no pod of any failover in the input" "$work/err" &&
    ok "a dump without pods: says to dump them too" || bad "no pods: $(cat "$work/err")"
expect_exit 2 "audit: a bad --password-secret" "$rfguard" audit -f "$work/dump.json" \
    --sentinels --password-secret name:

# ---- sentinels that never answer: --timeout and --deadline ----
python3 -c '
import socket, sys, time
s = [socket.socket() for _ in range(3)]
s[0].bind(("127.0.0.2", 0))
port = s[0].getsockname()[1]
for i in (1, 2):
    s[i].bind(("127.0.0.%d" % (i + 2), port))
for x in s:
    x.listen(64)
print(port, flush=True)
time.sleep(900)
' >"$work/silent" &
listener=$!
for _ in $(seq 1 1800); do [ -s "$work/silent" ] && break; sleep 0.1; done
sport=$(head -1 "$work/silent")
if [ -z "$sport" ]; then
    bad "no silent listener"
else
    expect_exit 0 "--timeout against silent sentinels" \
        sen -f "$work/dump.json" -n shop --sentinel-port "$sport" --timeout 200ms
    [ "$(grep -c "timed out, no reply within 200 ms" "$work/out")" = 3 ] &&
        ok "--timeout: each silent sentinel gives up with the timeout" ||
        bad "--timeout: $(cat "$work/out")"
    expect_exit 0 "--deadline against silent sentinels" \
        sen -f "$work/dump.json" -n shop --sentinel-port "$sport" \
        --timeout 10m --deadline 300ms --parallel 1
    grep -q "(pod rfs-cache-0) could not be asked: .*no reply within" "$work/out" &&
        [ "$(grep -c "could not be asked: deadline passed" "$work/out")" = 2 ] &&
        ok "--deadline: the sentinels not started in time are reported, not waited for" ||
        bad "--deadline: $(cat "$work/out")"
    grep -q "asked" "$work/err" && bad "progress printed to a stderr that is no terminal" ||
        ok "no progress when stderr is not a terminal"
    # on a terminal: "asked N/M sentinels..." (script(1) gives one)
    if command -v script >/dev/null; then
        script -qec "\"$rfguard\" sentinels --no-color -f \"$work/dump.json\" -n shop --sentinel-port $sport --timeout 100ms --parallel 1 >/dev/null" \
            "$work/typescript" >/dev/null 2>&1 </dev/null
        grep -q "asked [0-9]/3 sentinels" "$work/typescript" &&
            ok "progress on a terminal: asked N/3 sentinels" ||
            bad "no progress on a terminal: $(cat -v "$work/typescript")"
    fi
fi

cli_finish
