#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# abuse_slowloris.sh - ctest integration.abuse_slowloris: rfguard serve
# under a slowloris attack on 127.0.0.1. 120 attackers at once: idle TLS
# connections, silent TCP connections, and clients that trickle header or
# body bytes much faster than the idle timeout, so that only the request
# deadline (3 x --timeout) can end them. Once every attacker is in, real
# /validate requests are sent: each must be answered 200. Every attacker
# must be disconnected by the server; the tricklers keep sending until it
# does. Nothing is timed: how fast is bench/'s business; a ceiling
# (RFG_WAIT) only catches a hang.
#
# Usage: abuse_slowloris.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
# All attackers come from 127.0.0.1: the per-address cap (64 by default)
# would refuse most of them before the timeouts are ever tested.
start_server --timeout 4 --threads 2 --max-connections-per-ip 1024 \
    --no-cluster || exit 1

check "slowloris: attackers closed, real requests served" \
    python3 - "$PORT" "$CERTS/ca.crt" "$FIX/create-clean.v1.request.json" \
    "$RFG_WAIT" <<'PY'
import socket, ssl, sys, threading, time
port, ca, body = int(sys.argv[1]), sys.argv[2], open(sys.argv[3], "rb").read()
hang = float(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
closed = set()          # attackers the server disconnected
failed = {}             # attackers that could not even start
lock = threading.Lock()
ready = threading.Semaphore(0)      # one release per attacker that is in

def tls():
    s = socket.create_connection(("127.0.0.1", port), timeout=hang)
    return ctx.wrap_socket(s, server_hostname="localhost")

def wait_closed(s, name):
    """Read until the server closes `s`; the socket timeout is a ceiling."""
    try:
        while s.recv(100) != b"":
            pass
    except socket.timeout:
        return
    except (OSError, ssl.SSLError):
        pass
    with lock:
        closed.add(name)

def attacker(fn):
    def run(name, *args):
        try:
            fn(name, *args)
        except Exception as e:          # noqa: anything is a failure
            with lock:
                failed[name] = repr(e)
            ready.release()
    return run

@attacker
def idle_tls(name):
    s = tls()
    ready.release()
    wait_closed(s, name)

@attacker
def silent_tcp(name):
    s = socket.create_connection(("127.0.0.1", port), timeout=hang)
    ready.release()
    wait_closed(s, name)

@attacker
def trickle(name, head):
    """Send `head`, then a byte every 0.25 s (the idle timeout is 4 s)
    until the server closes the connection."""
    s = tls()
    s.sendall(head)
    ready.release()
    end = time.time() + hang            # a ceiling for a hang
    try:
        while time.time() < end:
            time.sleep(0.25)
            s.sendall(b"X")
    except (OSError, ssl.SSLError):
        with lock:
            closed.add(name)

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
for _ in attackers:                     # every attacker is in
    ready.acquire()
assert not failed, "attackers could not connect: %s" % failed

# Real requests while the attack goes on; each is answered.
served = 0
open_at_answer = []
for i in range(16):
    s = tls()
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
    assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
    served += 1
    with lock:
        open_at_answer.append(len(attackers) - len(closed))

for t in threads:
    t.join()
missing = [n for n, _, _ in attackers if n not in closed]
assert not missing, "never closed by the server: %s" % missing
print("served %d real requests (attackers still connected at each answer:"
      " %s); all %d attackers closed by the server"
      % (served, open_at_answer, len(attackers)))
PY
check "still serving afterwards" \
    test "$(curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' \
        "https://localhost:$PORT/healthz")" = 200
check "SIGTERM exits 0" stop_server
finish
