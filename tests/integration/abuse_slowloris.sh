#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# abuse_slowloris.sh - ctest integration.abuse_slowloris: rfguard serve
# under a slowloris attack on 127.0.0.1. 120 attackers at once: idle TLS
# connections, silent TCP connections, and clients that trickle header or
# body bytes faster than the idle timeout (which alone would never close
# them). Real /validate requests sent meanwhile must all be answered
# within 3 s, and every attacker must be disconnected: idle ones after
# --timeout, trickling ones after the request deadline (3 x --timeout).
# Bounded: about 20 s.
#
# Usage: abuse_slowloris.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --timeout 2 --threads 2 --no-cluster || exit 1

check "slowloris: attackers closed, real requests served" \
    timeout 90 python3 - "$PORT" "$CERTS/ca.crt" \
    "$FIX/create-clean.v1.request.json" <<'PY'
import socket, ssl, sys, threading, time
port, ca, body = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read()
ctx = ssl.create_default_context(cafile=ca)
TIMEOUT, DEADLINE = 2, 6
closed_at = {}          # attacker name -> seconds until the server closed it
lock = threading.Lock()
t0 = time.time()

def tls(timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return ctx.wrap_socket(s, server_hostname="localhost")

def done(name):
    with lock:
        closed_at[name] = time.time() - t0

def wait_closed(s, name, limit):
    end = t0 + limit
    try:
        while time.time() < end:
            s.settimeout(max(end - time.time(), 0.05))
            if s.recv(100) == b"":
                return done(name)
    except (OSError, ssl.SSLError):
        return done(name)

def idle_tls(name):
    wait_closed(tls(), name, 30)

def silent_tcp(name):
    wait_closed(socket.create_connection(("127.0.0.1", port)), name, 30)

def trickle(name, head):
    """Send `head`, then one byte every 0.5 s (< the 2 s idle timeout)."""
    try:
        s = tls()
        s.sendall(head)
        for _ in range(60):         # at most 30 s
            time.sleep(0.5)
            s.sendall(b"X")
    except (OSError, ssl.SSLError):
        return done(name)

attackers = []
for i in range(40):
    attackers.append(("idle%d" % i, idle_tls, ()))
for i in range(40):
    attackers.append(("tcp%d" % i, silent_tcp, ()))
for i in range(20):
    attackers.append(("hdr%d" % i, trickle,
                      (b"POST /validate HTTP/1.1\r\nHost: x\r\nX-Slow: ",)))
for i in range(20):
    attackers.append(("body%d" % i, trickle,
                      (b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       b"application/json\r\nContent-Length: 100000\r\n\r\n",)))
threads = []
for name, fn, args in attackers:
    t = threading.Thread(target=fn, args=(name,) + args, daemon=True)
    t.start()
    threads.append(t)

# Real requests while the attack goes on.
slow = []
served = 0
for i in range(16):
    a = time.time()
    s = tls(5)
    s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
              b"application/json\r\nConnection: close\r\nContent-Length: %d"
              b"\r\n\r\n" % len(body) + body)
    resp = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        resp += chunk
    s.close()
    took = time.time() - a
    assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
    served += 1
    if took > 3:
        slow.append(took)
    time.sleep(0.5)
assert not slow, "real requests too slow during the attack: %s" % slow

for t in threads:
    t.join(35)
missing = [n for n, _, _ in attackers if n not in closed_at]
assert not missing, "never closed: %s" % missing
late_idle = {n: round(v, 1) for n, v in closed_at.items()
             if n.startswith(("idle", "tcp")) and v > TIMEOUT + 3}
late_slow = {n: round(v, 1) for n, v in closed_at.items()
             if n.startswith(("hdr", "body")) and v > DEADLINE + 4}
assert not late_idle, "idle connections closed late: %s" % late_idle
assert not late_slow, "trickling connections closed late: %s" % late_slow
print("served %d real requests; idle closed by %.1f s, trickling by %.1f s"
      % (served, max(v for n, v in closed_at.items()
                     if n.startswith(("idle", "tcp"))),
         max(v for n, v in closed_at.items()
             if n.startswith(("hdr", "body")))))
PY
check "still serving afterwards" \
    test "$(curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' \
        "https://localhost:$PORT/healthz")" = 200
check "SIGTERM exits 0" stop_server
finish
