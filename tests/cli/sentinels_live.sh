#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# sentinels_live.sh - ctest cli.sentinels_live: `rfguard sentinels` against
# a live cluster (tests/kapi/kapi.py, the stand-in API server, holding
# failovers, their pods and a password Secret): it lists the failovers
# (one namespace with -n) and the pods labelled part-of=redis-failover,
# reads the Secret of --password-secret with a GET, sends GETs only, and
# finds what -f finds over the same objects (sentinels on loopback
# addresses where nothing listens: unreachable, exit 0). A 403 on pods and
# a 401 are errors (exit 2) that say what to grant; no password appears in
# any output. The Redis protocol is tested by tests/integration.
# Usage: sentinels_live.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/../integration/cluster_common.bash"

PW=Live-Sentinel-Pa55word
cluster_setup || exit 1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# two failovers in two namespaces, their sentinel pods, the Secret
python3 - "$WORK/dump.json" "$PW" <<'PY'
import base64, json, sys
def pod(ns, name, rf, ip):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {
                "app.kubernetes.io/name": rf,
                "app.kubernetes.io/component": "sentinel",
                "app.kubernetes.io/part-of": "redis-failover"}},
            "status": {"phase": "Running", "podIP": ip}}
items = [{"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
          "metadata": {"name": n, "namespace": ns}, "spec": {}}
         for ns, n in (("shop", "cache"), ("team-b", "queue"))]
items += [pod("shop", "rfs-cache-0", "cache", "127.0.0.2"),
          pod("shop", "rfs-cache-1", "cache", "127.0.0.3"),
          pod("team-b", "rfs-queue-0", "queue", "127.0.0.4")]
items.append({"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": "sentinel-auth", "namespace": "shop"},
              "data": {"password": base64.b64encode(sys.argv[2].encode()).decode()}})
json.dump({"apiVersion": "v1", "kind": "List", "items": items},
          open(sys.argv[1], "w"))
for it in items:
    print(json.dumps(it), file=open(sys.argv[1] + ".objs", "a"))
PY
loaded=0
while IFS= read -r o; do
    printf '%s' "$o" | kctl /objects - >/dev/null && loaded=$((loaded + 1))
done <"$WORK/dump.json.objs"
check "kapi holds the $loaded objects" [ "$loaded" = 6 ]

run() {   # run NAME ARGS...: rfguard sentinels ARGS > $WORK/NAME.out, .err, .rc
    local name=$1
    shift
    "$RFG" sentinels --no-color --sentinel-port "$port" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
    cat "$WORK/$name.out" "$WORK/$name.err" >>"$WORK/all"
}
rc_is() { [ "$(cat "$WORK/$1.rc")" = "$2" ]; }
findings() {   # the findings of a JSON run as sorted "rule object message" lines
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [print(x["rule"], x["object"], x["message"]) for x in sorted(d["findings"], key=lambda x: x["message"])]' "$1"
}

kctl /calls/reset >/dev/null
run live --kubeconfig "$WORK/kubeconfig" -o json
kctl /calls >"$WORK/calls.json"
run file -f "$WORK/dump.json" -o json
check "live: exit 0 (unreachable sentinels are warnings)" rc_is live 0
check "live: each sentinel pod reported unreachable" \
    [ "$(grep -c '"sentinel-unreachable"' "$WORK/live.out")" = 3 ]
check "live finds what -f finds" \
    diff <(findings "$WORK/live.out") <(findings "$WORK/file.out")
check "live: GET requests only, redisfailovers and pods" python3 -c '
import json, sys
calls = json.load(open(sys.argv[1]))
assert calls and all(c["method"] == "GET" for c in calls), calls
assert {c["resource"] for c in calls} == {"redisfailovers", "pods"}, calls' "$WORK/calls.json"

kctl /calls/reset >/dev/null
run ns --kubeconfig "$WORK/kubeconfig" -n shop --password-secret sentinel-auth
kctl /calls >"$WORK/calls-ns.json"
check "-n shop: exit 0, shop's two sentinels only" eval \
    'rc_is ns 0 && [ "$(grep -c sentinel-unreachable "$WORK/ns.out")" = 2 ] && ! grep -q team-b "$WORK/ns.out"'
check "-n shop: the failovers of shop listed, the Secret read with a GET" python3 -c '
import json, sys
calls = json.load(open(sys.argv[1]))
rf = [c for c in calls if c["resource"] == "redisfailovers"]
assert rf and all(c["namespace"] == "shop" for c in rf), calls
sec = [c for c in calls if c["resource"] == "secrets"]
assert len(sec) == 1 and sec[0]["verb"] == "get" and sec[0]["name"] == "sentinel-auth", calls' "$WORK/calls-ns.json"

run nosecret --kubeconfig "$WORK/kubeconfig" -n team-b --password-secret sentinel-auth
check "a missing password Secret: the sentinel is not asked, said why, exit 0" eval \
    'rc_is nosecret 0 && grep -q "Secret team-b/sentinel-auth" "$WORK/nosecret.out"'

kctl /set '{"forbidden": ["pods"]}' >/dev/null
run forbidden --kubeconfig "$WORK/kubeconfig"
kctl /set '{"forbidden": []}' >/dev/null
check "a 403 on pods: exit 2, says what to grant" eval \
    'rc_is forbidden 2 && grep -q "cannot list pods: HTTP 403" "$WORK/forbidden.err" && grep -q "list on redisfailovers and pods" "$WORK/forbidden.err"'

write_kubeconfig "$WORK/kubeconfig-bad" wrong-token
run unauth --kubeconfig "$WORK/kubeconfig-bad"
check "a 401: exit 2" rc_is unauth 2

check "the password appears in no output" eval '! grep -q -- "$PW" "$WORK/all"'
finish
