#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# abuse_soak.sh - ctest integration.abuse_soak (label soak): rfguard serve
# on 127.0.0.1 under steady load for RFG_SOAK_SECONDS (default 120): 8
# clients on keep-alive connections post every review fixture to
# /validate and /mutate, mixed with malformed bodies (400), a new
# connection every 50 requests, and metrics scrapes. The server's RSS is
# sampled every 5 s; after a 15 s warm-up it must not grow by 5% or more,
# and every request must get its expected status. It takes minutes, so
# it runs only when RFG_SOAK=1 (scripts/soak.sh); plain ctest skips it.
#
# Usage: abuse_soak.sh RFGUARD SOURCE_DIR BUILD_DIR
if [ "${RFG_SOAK:-0}" != 1 ]; then
    echo "SKIP: the soak test runs with RFG_SOAK=1 (scripts/soak.sh)"
    exit 77
fi
. "$(dirname "$0")/serve_common.bash"

secs=${RFG_SOAK_SECONDS:-120}
make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --timeout 10 --no-cluster || exit 1

check "soak ${secs}s: all answered, RSS growth under 5%" \
    timeout $((secs + 120)) python3 - "$PORT" "$MPORT" "$CERTS/ca.crt" \
    "$SERVER_PID" "$secs" "$FIX" <<'PY'
import glob, http.client, ssl, sys, threading, time, urllib.request
port, mport, ca, pid, secs, fix = (int(sys.argv[1]), int(sys.argv[2]),
    sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
ctx = ssl.create_default_context(cafile=ca)
bodies = [open(f, "rb").read() for f in sorted(glob.glob(fix + "/*.json"))]
bad = [b'{"a":', b"[]", b'{"apiVersion":"admission.k8s.io/v1"}', b"\xff"]
stop = time.time() + secs
counts = {"ok": 0, "bad": 0}
errors = []
lock = threading.Lock()

def rss_kb():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def client(n):
    conn, i = None, 0
    while time.time() < stop and not errors:
        if conn is None or i % 50 == 0:
            if conn:
                conn.close()
            conn = http.client.HTTPSConnection("localhost", port,
                                               context=ctx, timeout=30)
        i += 1
        if i % 10 == 0:
            body, want = bad[(i // 10) % len(bad)], 400
        else:
            body, want = bodies[(i + n) % len(bodies)], 200
        ep = "/validate" if i % 2 else "/mutate"
        try:
            conn.request("POST", ep, body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            st = r.status
        except Exception as e:          # record, then stop everyone
            with lock:
                errors.append(repr(e))
            return
        with lock:
            if st == want:
                counts["ok" if want == 200 else "bad"] += 1
            else:
                errors.append("%s -> %d, want %d" % (ep, st, want))

threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
t0 = time.time()
for t in threads:
    t.start()
samples = []
base = None
while time.time() < stop and not errors:
    time.sleep(5)
    r = rss_kb()
    samples.append((round(time.time() - t0), r))
    if base is None and time.time() - t0 >= 15:
        base = r
    urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mport).read()
for t in threads:
    t.join(60)
final = rss_kb()
total = counts["ok"] + counts["bad"]
print("requests: %d (%d ok, %d refused as expected), %.0f/s"
      % (total, counts["ok"], counts["bad"], total / (time.time() - t0)))
print("RSS kB by second:", samples)
growth = 100.0 * (final - base) / base
print("RSS after warm-up %d kB, at the end %d kB: %+.2f%%"
      % (base, final, growth))
assert not errors, errors[:5]
assert growth < 5.0, "RSS grew by %.2f%%" % growth
PY
check "SIGTERM exits 0" stop_server
finish
