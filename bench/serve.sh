#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/serve.sh - benchmark `rfguard serve` POST /validate over TLS
# keep-alive against two baselines on the same machine, with the same load
# generator (wrk + a Lua script POSTing the same ~2.7 KiB RedisFailover
# review), at 8 and 64 connections:
#   - nginx serving a static AdmissionReview response over TLS;
#   - bare_mhd (bench/bare_mhd.c, built here with cc): libmicrohttpd and
#     GnuTLS set up as rfguard sets them up, answering every POST with the
#     same static response, so the difference to rfguard is rfguard's work.
# Each round runs the three back to back (the order rotates every round)
# for DURATION seconds each; RUNS rounds (default 3). Prints Markdown
# tables for the README: requests/s (min / median / max over the rounds),
# the ratios to nginx (each taken within a round), latency, and CPU time
# per request of each server (utime + stime from /proc/PID/stat, before
# and after each run, over the requests wrk counted). Not a test: run it
# by hand, on a quiet machine.
#
# Quick end-to-end check (about a minute): DURATION=2 RUNS=3 bench/serve.sh
# The real run: bench/serve.sh (DURATION=10, RUNS=3: about 4 minutes).
#
# Loopback only; every run is bounded (DURATION seconds). Installs wrk,
# nginx-light and the libmicrohttpd headers with apt-get when missing
# (needs root).
#
# Usage: [DURATION=s] [RUNS=n] [THREADS=n] bench/serve.sh [RFGUARD]
#        (default RFGUARD: build/rfguard)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
rfg=${1:-$src/build/rfguard}
duration=${DURATION:-10}
runs=${RUNS:-3}
threads=${THREADS:-2}
fixture=$src/tests/review/create-clean.v1.request.json

if ! command -v wrk >/dev/null || ! [ -x /usr/sbin/nginx ] ||
   ! pkg-config --exists libmicrohttpd; then
    echo "installing wrk, nginx-light and libmicrohttpd-dev" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk nginx-light \
        libmicrohttpd-dev pkg-config >/dev/null
fi
[ -x "$rfg" ] || { echo "no rfguard binary at $rfg" >&2; exit 2; }
[ "$runs" -ge 1 ] || { echo "RUNS must be at least 1" >&2; exit 2; }

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

cc -O2 -o "$work/bare_mhd" "$here/bare_mhd.c" \
    $(pkg-config --cflags --libs libmicrohttpd) -pthread

# The review as the API server sends it: compact JSON.
body=$work/review.json
python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1])), open(sys.argv[2],"w"), separators=(",",":"))' \
    "$fixture" "$body"

"$rfg" certs --service rfguard --namespace bench --out "$work/certs" --dev \
    >/dev/null 2>&1

# The response nginx and bare_mhd return: what rfguard answers for this
# body (bare_mhd.c holds the same bytes).
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
npid=$!
pids+=($npid)

"$work/bare_mhd" "$work/certs/tls.crt" "$work/certs/tls.key" \
    >"$work/bare.out" 2>"$work/bare.log" &
bpid=$!
pids+=($bpid)

# rfguard logs one line per request: appended (so truncating the file
# between runs keeps it small), as a log collector's file would be.
: >"$work/rfguard.log"
"$rfg" serve --listen 127.0.0.1:0 --metrics-listen off \
    --tls-cert "$work/certs/tls.crt" --tls-key "$work/certs/tls.key" \
    2>>"$work/rfguard.log" &
rpid=$!
pids+=($rpid)
for _ in $(seq 1 100); do
    grep -q '"msg":"listening"' "$work/rfguard.log" &&
        grep -q '^port ' "$work/bare.out" && break
    sleep 0.1
done
rport=$(grep -o '"https_port":[0-9]*' "$work/rfguard.log" | cut -d: -f2)
bport=$(awk '/^port / {print $2}' "$work/bare.out")
[ -n "$rport" ] && [ -n "$bport" ] || {
    echo "a server did not start" >&2
    cat "$work/rfguard.log" "$work/bare.log" >&2
    exit 1
}
: >"$work/rfguard.log"

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$body", "rb")
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
    io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n",
        summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.requests,
        summary.errors.status + summary.errors.connect +
        summary.errors.read + summary.errors.write +
        summary.errors.timeout))
end
LUA

# All three must answer the review the same before we measure.
for p in "$nport" "$bport" "$rport"; do
    got=$(curl -sf --cacert "$work/certs/ca.crt" \
        -H 'Content-Type: application/json' --data-binary "@$body" \
        "https://localhost:$p/validate")
    [ "$got" = "$resp" ] || {
        echo "port $p answered: $got" >&2
        exit 1
    }
done

clk=$(getconf CLK_TCK)
# CPU ticks (user + system) of a process and, for nginx, its workers.
ticks() {
    local p t=0 kids
    kids=$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)
    for p in "$1" $kids; do
        [ -r "/proc/$p/stat" ] || continue
        t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$t"
}

run() {   # run PORT CONNS [SECONDS] -> "rps p50ms p99ms requests errors"
    wrk -t "$threads" -c "$2" -d "${3:-$duration}s" -s "$work/post.lua" \
        "https://localhost:$1/validate" | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

# One measured run of server NAME: appends "rps p50 p99 us_per_req" to
# $work/NAME.CONNS.
measure() {   # measure NAME PORT PID CONNS
    local t0 t1 rps p50 p99 n err us
    t0=$(ticks "$3")
    read -r rps p50 p99 n err < <(run "$2" "$4")
    t1=$(ticks "$3")
    if [ "${err:-1}" != 0 ] || [ "${n:-0}" = 0 ]; then
        echo "$1: $err errors in $n requests" >&2
        exit 1
    fi
    us=$(awk -v d="$((t1 - t0))" -v c="$clk" -v n="$n" \
        'BEGIN {printf "%.1f", d / c * 1e6 / n}')
    echo "$rps $p50 $p99 $us" >>"$work/$1.$4"
    : >"$work/rfguard.log"
}

# "min / median / max" of the numbers on stdin.
stats() {
    sort -g | awk '{v[NR] = $1}
        END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
             printf "%s / %s / %s", v[1], m, v[NR]}'
}
median() {
    sort -g | awk '{v[NR] = $1}
        END {printf "%s", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
col() { awk -v c="$2" '{print $c}' "$work/$1"; }   # col FILE N
ratios() {   # ratios A B CONNS: per-round ratio of column 1 of A to B
    paste -d' ' "$work/$1.$3" "$work/$2.$3" |
        awk '{printf "%.2f\n", $1 / $5}'
}

names=(nginx bare rfguard)
ports=("$nport" "$bport" "$rport")
procs=("$npid" "$bpid" "$rpid")
for c in 8 64; do
    for i in 0 1 2; do
        run "${ports[$i]}" "$c" 2 >/dev/null       # warm up
        : >"$work/${names[$i]}.$c"
    done
    : >"$work/rfguard.log"
    for r in $(seq 0 $((runs - 1))); do
        for k in 0 1 2; do                          # rotate the order
            i=$(((r + k) % 3))
            measure "${names[$i]}" "${ports[$i]}" "${procs[$i]}" "$c"
        done
    done
done
rss=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$rpid/status")

echo "body: $(wc -c <"$body") bytes; ${duration}s per run, $runs rounds" \
     "(order rotated); wrk -t $threads; $(nproc) CPUs:" \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "Requests/s, min / median / max over the rounds; ratios to nginx taken within each round:"
echo
echo "| connections | nginx | bare libmicrohttpd | rfguard | bare / nginx | rfguard / nginx |"
echo "|---|---|---|---|---|---|"
for c in 8 64; do
    echo "| $c | $(col nginx.$c 1 | stats) | $(col bare.$c 1 | stats)" \
         "| $(col rfguard.$c 1 | stats) | $(ratios bare nginx $c | stats)" \
         "| $(ratios rfguard nginx $c | stats) |"
done
echo
echo "Latency, median of the rounds' p50 / p99 (ms), and CPU time per request (µs, min / median / max):"
echo
echo "| connections | nginx p50 / p99 | bare p50 / p99 | rfguard p50 / p99 | nginx CPU/req | bare CPU/req | rfguard CPU/req | rfguard / bare CPU |"
echo "|---|---|---|---|---|---|---|---|"
for c in 8 64; do
    lat() { echo "$(col "$1.$c" 2 | median) / $(col "$1.$c" 3 | median)"; }
    cpu_ratio=$(paste -d' ' "$work/rfguard.$c" "$work/bare.$c" |
        awk '{printf "%.2f\n", $4 / $8}' | stats)
    echo "| $c | $(lat nginx) | $(lat bare) | $(lat rfguard)" \
         "| $(col nginx.$c 4 | stats) | $(col bare.$c 4 | stats)" \
         "| $(col rfguard.$c 4 | stats) | $cpu_ratio |"
done
echo
echo "rfguard peak RSS: $rss MB"
