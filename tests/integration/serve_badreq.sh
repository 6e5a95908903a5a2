#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_badreq.sh - ctest integration.serve_badreq: what rfguard serve does
# with requests it must refuse. 404 unknown path, 405 with Allow, 415 for
# a non-JSON content type, 400 with the reason for malformed JSON and for
# JSON that is no AdmissionReview, 413 for bodies over 3 MiB (announced
# by Content-Length or chunked), TLS older than 1.2 refused, idle and
# slow connections timed out, the connection cap, garbage on the socket;
# and the server still answers afterwards. Nothing is timed: the
# requests go to a server whose timeouts no loaded machine reaches, the
# raw-socket cases to a second one with --timeout 2, and each waits for
# the server to close a socket, with a ceiling only a hang reaches.
#
# Usage: serve_badreq.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --timeout 600 --max-connections 6 --threads 2 || exit 1
URL=https://localhost:$PORT
C=(curl -sS --cacert "$CERTS/ca.crt")
code() { "${C[@]}" -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' "$@"; }
good=$FIX/create-clean.v1.request.json

check "GET /healthz 200" test "$(code "$URL/healthz")" = 200
check "GET /readyz 200" test "$(code "$URL/readyz")" = 200
check "unknown path 404" test "$(code "$URL/nope")" = 404
check "POST to unknown path 404" \
    test "$(code -H 'Content-Type: application/json' -d '{}' "$URL/x")" = 404
check "GET /validate 405" test "$(code "$URL/validate")" = 405
check "405 carries Allow: POST" grep -qi '^Allow: POST' "$WORK/headers"
check "PUT /mutate 405" \
    test "$(code -X PUT -H 'Content-Type: application/json' -d '{}' "$URL/mutate")" = 405
check "POST /healthz 405" test "$(code -d x "$URL/healthz")" = 405
check "text/plain 415" \
    test "$(code -H 'Content-Type: text/plain' --data-binary "@$good" "$URL/validate")" = 415
check "no content type 415" \
    test "$(code -H 'Content-Type:' --data-binary "@$good" "$URL/validate")" = 415
check "application/json; charset=utf-8 accepted" \
    test "$(code -H 'Content-Type: application/json; charset=utf-8' --data-binary "@$good" "$URL/validate")" = 200
check "malformed JSON 400" \
    test "$(code -H 'Content-Type: application/json' -d '{"apiVersion":' "$URL/validate")" = 400
check "400 body says why (JSON Status)" python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["kind"]=="Status" and d["code"]==400 and "invalid JSON" in d["message"], d' "$WORK/body"
check "trailing garbage 400" \
    test "$(code -H 'Content-Type: application/json' -d '{} {}' "$URL/validate")" = 400
check "not an AdmissionReview 400" \
    test "$(code -H 'Content-Type: application/json' -d '{"kind":"Pod","apiVersion":"v1"}' "$URL/mutate")" = 400
check "400 names the problem" grep -q 'apiVersion' "$WORK/body"
check "AdmissionReview without uid 400" \
    test "$(code -H 'Content-Type: application/json' -d '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{}}' "$URL/validate")" = 400
check "empty body 400" \
    test "$(code -H 'Content-Type: application/json' -X POST "$URL/validate")" = 400

# Bodies over 3 MiB: a valid review padded past the limit.
python3 - "$good" "$WORK/big.json" "$WORK/edge.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["request"]["object"]["metadata"]["annotations"]["pad"] = "x" * (3 << 20)
json.dump(d, open(sys.argv[2], "w"))
d["request"]["object"]["metadata"]["annotations"]["pad"] = ""
s = json.dumps(d)
d["request"]["object"]["metadata"]["annotations"]["pad"] = "y" * ((3 << 20) - len(s))
open(sys.argv[3], "w").write(json.dumps(d))
PY
check "body of exactly 3 MiB accepted" \
    test "$(code -H 'Content-Type: application/json' --data-binary "@$WORK/edge.json" "$URL/validate")" = 200
check "Content-Length over 3 MiB 413" \
    test "$(code -H 'Content-Type: application/json' --data-binary "@$WORK/big.json" "$URL/validate")" = 413
check "chunked body over 3 MiB 413" \
    test "$(code -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary "@$WORK/big.json" "$URL/validate")" = 413

# TLS below 1.2 is refused; 1.2 and 1.3 work.
check "TLS 1.2 accepted" \
    test "$(code --tlsv1.2 --tls-max 1.2 "$URL/healthz")" = 200
check "TLS 1.3 accepted" test "$(code --tlsv1.3 "$URL/healthz")" = 200
check "TLS 1.1 refused" \
    test "$(curl -s --cacert "$CERTS/ca.crt" --tlsv1.0 --tls-max 1.1 -o /dev/null -w '%{http_code}' "$URL/healthz")" = 000

curl -sS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
check "refusals are counted" python3 - "$WORK/metrics.txt" <<'PY'
import sys
m = dict(l.rsplit(" ", 1) for l in open(sys.argv[1]) if not l.startswith("#"))
g = lambda c: float(m['rfguard_http_refused_total{code="%s"}' % c])
assert g(404) == 2 and g(405) == 3 and g(415) == 2 and g(413) >= 2, m
e = 'rfguard_admission_requests_total{endpoint="%s",operation="unknown",verdict="error"}'
assert float(m[e % "validate"]) == 4 and float(m[e % "mutate"]) == 1, m
PY
check "metrics port serves /healthz" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/healthz")" = 200

# Raw sockets: idle and slow connections, the cap, garbage; on a server
# with --timeout 2 (a request must be complete 6 s after it starts).
check "SIGTERM exits 0" stop_server
start_server --timeout 2 --max-connections 6 --threads 2 || exit 1
URL=https://localhost:$PORT
check "idle, slow and excess connections are closed; garbage is survived" \
    python3 - "$PORT" "$CERTS/ca.crt" "$RFG_WAIT" <<'PY'
import select, socket, ssl, sys, time
port, ca, hang = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)

def tls():
    s = socket.create_connection(("127.0.0.1", port), timeout=hang)
    return ctx.wrap_socket(s, server_hostname="localhost")

def closed_eventually(s):
    """True once the peer closes (an alert may come first); False if it
    has not after `hang` seconds, which only a hang reaches."""
    s.settimeout(hang)
    try:
        while s.recv(100) != b"":
            pass
        return True
    except (ConnectionResetError, ssl.SSLError):
        return True
    except socket.timeout:
        return False

def closed_now(s):
    """Has the server closed `s`? Does not wait. (TLS 1.3 session tickets
    make an open connection readable too; they are consumed here.)"""
    s.setblocking(False)
    try:
        return s.recv(1) == b""
    except (ssl.SSLWantReadError, BlockingIOError):
        return False
    except (OSError, ssl.SSLError):
        return True

# Idle TLS connection: closed after --timeout 2.
s = tls()
assert closed_eventually(s), "idle connection not closed"
# Slow request: headers trickled, never finished.
s = tls()
s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\n")
time.sleep(1)
s.sendall(b"Content-Type: application/json\r\n")
assert closed_eventually(s), "slow request not closed"
# Slow body: announced 100 bytes, sent 10.
s = tls()
s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
          b"application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
assert closed_eventually(s), "slow body not closed"
# Plain TCP that never says hello.
r = socket.create_connection(("127.0.0.1", port))
assert closed_eventually(r), "silent TCP connection not closed"
# Garbage instead of a TLS hello, and plain HTTP to the TLS port.
for junk in (b"\x16\x03\x01\xff\xff" + b"\x00" * 300,
             b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", bytes(range(256)) * 8):
    r = socket.create_connection(("127.0.0.1", port), timeout=hang)
    r.sendall(junk)
    try:
        r.recv(100)
    except (ConnectionResetError, socket.timeout):
        pass
    r.close()

# Connection cap (--max-connections 6): with 6 connections open, a 7th
# waits in the backlog (or is closed) and gets no handshake until the
# server itself closes one of the 6 (their idle timeout). One try:
# True (cap held), False (the 7th was served while 6 were open) or None
# (inconclusive: one of the 6 was already closed when the 7th asked, as
# a loaded machine may make happen; then try again).
def cap_try():
    held = [tls() for _ in range(6)]
    x = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
                                                 timeout=hang),
                        server_hostname="localhost",
                        do_handshake_on_connect=False)
    x.setblocking(False)
    try:
        try:
            x.do_handshake()                # sends the ClientHello
            return False
        except ssl.SSLWantReadError:
            pass
        except (OSError, ssl.SSLError):
            return True                     # closed at once: refused
        if any(closed_now(h) for h in held):
            return None
        while True:
            r, _, _ = select.select(held + [x], [], [], hang)
            assert r, "neither the 7th nor the 6 heard of after %d s" % hang
            # the server closes one of the 6 before it takes the 7th
            if any(closed_now(h) for h in held):
                return True
            if x in r:
                try:
                    x.do_handshake()
                    return False            # handshake done: served
                except ssl.SSLWantReadError:
                    return False            # a server flight: served
                except (OSError, ssl.SSLError):
                    return True             # closed: refused
    finally:
        for h in held:
            h.close()
        x.close()

end = time.time() + hang                    # a ceiling for a hang
while True:
    got = cap_try()
    assert got is not False, "connection over the cap was served"
    if got:
        break
    assert time.time() < end, "cap test never conclusive"
s = tls()
s.settimeout(hang)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
assert s.recv(100).startswith(b"HTTP/1.1 200"), "not serving after the cap"
PY

check "still serving after all that" \
    test "$(code -H 'Content-Type: application/json' --data-binary "@$good" "$URL/validate")" = 200
check "SIGTERM exits 0" stop_server
finish
