#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/slow-api.sh - admission latency of `rfguard serve` POST /validate
# when the API server is slow. tests/kapi/kapi.py stands in for the API
# server and delays every Lease call (create, get, update, delete) by 0,
# 0.5, 1.5 and 3 s; the cluster view's list and watch are not delayed.
# rfguard runs with its default --api-deadline (2 s) unless API_DEADLINE
# is set. Two cases per delay:
#   free   a CREATE whose master name nobody holds: one Lease create;
#   taken  a CREATE whose master name another failover holds: the create
#          answers 409, then a GET says by whom (two calls in a row).
# Each review is sent on a new TLS connection and timed by the client.
# RUNS passes (default 3) alternate the delays (0, 0.5, 1.5, 3, 0, ...)
# so a slow moment of the machine is spread over all of them; each pass
# sends N reviews (default 10) per delay and case. Prints min / median /
# max in ms and the verdicts as a Markdown table. Not a test: run it by
# hand. Loopback only.
#
# Usage: bench/slow-api.sh [RFGUARD] [N]   (default: build/rfguard 10)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
rfg=${1:-$src/build/rfguard}
n=${2:-10}
runs=${RUNS:-3}
delays=${DELAYS:-"0 500 1500 3000"}

[ -x "$rfg" ] || { echo "no rfguard binary at $rfg" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$rfg" certs --service rfguard --namespace bench --out "$work/certs" --dev \
    >/dev/null 2>&1
"$rfg" certs --service kapi --namespace bench --out "$work/kcerts" --dev \
    >/dev/null 2>&1
token=bench-$RANDOM$RANDOM
python3 "$src/tests/kapi/kapi.py" --cert "$work/kcerts/tls.crt" \
    --key "$work/kcerts/tls.key" --token "$token" --flavor freshworks \
    --portfile "$work/kapi.ports" 2>"$work/kapi.log" &
pids+=($!)
for _ in $(seq 1 100); do
    [ -s "$work/kapi.ports" ] && break
    sleep 0.1
done
kport=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["port"])' "$work/kapi.ports")
cport=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["control"])' "$work/kapi.ports")

cat >"$work/kubeconfig" <<EOF
apiVersion: v1
kind: Config
current-context: bench
clusters:
- name: kapi
  cluster:
    server: https://127.0.0.1:$kport
    certificate-authority: $work/kcerts/ca.crt
users:
- name: rfguard
  user:
    token: $token
contexts:
- name: bench
  context: {cluster: kapi, user: rfguard, namespace: default}
EOF
cat >"$work/policy.yaml" <<'EOF'
apiVersion: rfguard.io/v1alpha1
kind: Policy
metadata:
  name: slow-api
spec:
  target: freshworks-v3.3
  mutations: false
  rules:
    spread-missing: off
    master-name-clusterwide-unique: {severity: deny, onUnavailable: deny}
EOF
for ns in bench other; do
    python3 "$src/tests/kapi/rftool.py" secret "$ns" auth Qw3eRt5yUi7oPa9sDf1g |
        python3 "$src/tests/kapi/rftool.py" ctl "$cport" /objects - >/dev/null
done

deadline_arg=()
[ -n "${API_DEADLINE:-}" ] && deadline_arg=(--api-deadline "$API_DEADLINE")
"$rfg" serve --listen 127.0.0.1:0 --metrics-listen off \
    --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    --kubeconfig "$work/kubeconfig" --policy "$work/policy.yaml" \
    --claim-grace 3600 "${deadline_arg[@]}" 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 1 100); do
    grep -q '"msg":"listening"' "$work/serve.log" && break
    sleep 0.1
done
port=$(grep -o '"https_port":[0-9]*' "$work/serve.log" | head -n1 | cut -d: -f2)
python3 "$src/tests/kapi/rftool.py" wait-ready "$port" "$work/certs/ca.crt" 60

PYTHONDONTWRITEBYTECODE=1 python3 - "$src/tests/kapi" "$port" \
    "$work/certs/ca.crt" "$cport" "$n" "$runs" "$delays" \
    "${API_DEADLINE:-2s (default)}" <<'PY'
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import rftool
port, ca, cport = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
n, runs = int(sys.argv[5]), int(sys.argv[6])
delays = [int(d) for d in sys.argv[7].split()]
deadline = sys.argv[8]

def review(ns, name):
    return json.dumps(rftool.review(rftool.rf(ns, name, "auth"))).encode()

def send(body):
    t0 = time.perf_counter()
    v = rftool.verdict(rftool.https_post(port, ca, "/validate", body,
                                         timeout=60))
    return (time.perf_counter() - t0) * 1000.0, v

def kind(v):
    if v.startswith("allowed"):
        return "allowed"
    if "cannot verify" in v:
        return "cannot verify"
    if "already claimed" in v:
        return "already claimed"
    return v[:40]

# a name held by another failover, for the "taken" case
rftool.ctl(cport, "/set", json.dumps({"delays": []}))
send(review("bench", "held"))
res = {}
seq = 0
for r in range(runs):
    for d in delays:
        rftool.ctl(cport, "/set", json.dumps(
            {"delays": [{"resource": "leases", "before_ms": d}]}))
        for case in ("free", "taken"):
            for i in range(n):
                seq += 1
                if case == "free":
                    body = review("bench", "f%d" % seq)
                else:
                    body = review("other", "held")
                ms, v = send(body)
                res.setdefault((d, case), []).append((ms, kind(v)))
rftool.ctl(cport, "/set", json.dumps({"delays": []}))
print("rfguard --api-deadline %s; %d passes x %d reviews per delay and case"
      % (deadline, runs, n))
print()
print("| API delay per Lease call | case | min (ms) | median (ms) | max (ms) | verdicts |")
print("|---|---|---|---|---|---|")
for d in delays:
    for case in ("free", "taken"):
        xs = res[(d, case)]
        ms = [x[0] for x in xs]
        kinds = {}
        for _, k in xs:
            kinds[k] = kinds.get(k, 0) + 1
        print("| %.1f s | %s | %.1f | %.1f | %.1f | %s |" % (
            d / 1000.0, case, min(ms), statistics.median(ms), max(ms),
            ", ".join("%d %s" % (c, k) for k, c in sorted(kinds.items()))))
PY
