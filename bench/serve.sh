#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/serve.sh - benchmark `rfguard serve` POST /validate over TLS
# keep-alive against nginx serving a static AdmissionReview response over
# TLS on the same machine, with the same load generator (wrk + a Lua
# script POSTing the same ~2 KiB RedisFailover review), at 8 and 64
# connections. Prints requests/s for both, the ratio, p50/p99 and
# rfguard's RSS as a Markdown table. Not a test: run it by hand.
#
# Loopback only; every run is bounded (DURATION seconds, default 10).
# Installs wrk and nginx-light with apt-get when missing (needs root).
#
# Usage: bench/serve.sh [RFGUARD] (default: build/rfguard)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
rfg=${1:-$src/build/rfguard}
duration=${DURATION:-10}
threads=${THREADS:-2}
fixture=$src/tests/review/create-clean.v1.request.json

if ! command -v wrk >/dev/null || ! [ -x /usr/sbin/nginx ]; then
    echo "installing wrk and nginx-light" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk nginx-light \
        >/dev/null
fi
[ -x "$rfg" ] || { echo "no rfguard binary at $rfg" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The review as the API server sends it: compact JSON (~2.3 KiB).
body=$work/review.json
python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2],"w"), separators=(",",":"))' \
    "$fixture" "$body"

"$rfg" certs --service rfguard --namespace bench --out "$work/certs" --dev \
    >/dev/null 2>&1

# The response nginx returns: what rfguard answers for this body.
resp='{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800001","allowed":true}}'

nport=$(free_port)
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$nport ssl;
        ssl_certificate $work/certs/tls.crt;
        ssl_certificate_key $work/certs/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location = /validate {
            default_type application/json;
            return 200 '$resp';
        }
    }
}
NGINX
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" \
    -g 'daemon off;' &
pids+=($!)

"$rfg" serve --listen 127.0.0.1:0 --metrics-listen off \
    --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    2>"$work/rfguard.log" &
rpid=$!
pids+=($rpid)
for _ in $(seq 1 100); do
    grep -q '"msg":"listening"' "$work/rfguard.log" && break
    sleep 0.1
done
rport=$(grep -o '"https_port":[0-9]*' "$work/rfguard.log" | cut -d: -f2)
# Keep the per-request log lines from filling the disk during the run.
: >"$work/rfguard.log"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$body", "rb")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
    io.write(string.format("RESULT %.0f %.3f %.3f\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

# Both must answer the review before we measure.
for p in "$nport" "$rport"; do
    curl -sf --cacert "$work/certs/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$body" "https://localhost:$p/validate" >/dev/null
done

run() {   # run PORT CONNS [SECONDS] -> "rps p50ms p99ms"
    wrk -t "$threads" -c "$2" -d "${3:-$duration}s" -s "$work/post.lua" \
        "https://localhost:$1/validate" | awk '/^RESULT/ {print $2, $3, $4}'
}

echo "body: $(wc -c <"$body") bytes; ${duration}s per run; wrk -t $threads;" \
     "$(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| connections | nginx req/s | rfguard req/s | ratio | nginx p50 / p99 (ms) | rfguard p50 / p99 (ms) | rfguard RSS (MB) |"
echo "|---|---|---|---|---|---|---|"
for c in 8 64; do
    run "$nport" "$c" 2 >/dev/null                # warm up both
    run "$rport" "$c" 2 >/dev/null
    read -r nrps np50 np99 < <(run "$nport" "$c")
    read -r rrps rp50 rp99 < <(run "$rport" "$c")
    rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$rpid/status")
    ratio=$(awk -v a="$rrps" -v b="$nrps" 'BEGIN {printf "%.2f", a / b}')
    echo "| $c | $nrps | $rrps | $ratio | $np50 / $np99 | $rp50 / $rp99 | $rss |"
    : >"$work/rfguard.log"
done
