#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_badreq.sh - ctest integration.serve_badreq: what rfguard serve does
# with requests it must refuse. 404 unknown path, 405 with Allow, 415 for
# a non-JSON content type, 400 with the reason for malformed JSON and for
# JSON that is no AdmissionReview, 413 for bodies over 3 MiB (announced
# by Content-Length or chunked), TLS older than 1.2 refused, idle and
# slow connections timed out, the connection cap, garbage on the socket;
# and the server still answers afterwards.
#
# Usage: serve_badreq.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --timeout 2 --max-connections 6 --threads 2 || exit 1
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

# Raw sockets: idle and slow connections, the cap, garbage.
check "idle, slow and excess connections are closed; garbage is survived" \
    python3 - "$PORT" "$CERTS/ca.crt" <<'PY'
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)

def tls(timeout=10):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return ctx.wrap_socket(s, server_hostname="localhost")

def closed_within(s, secs):
    """True if the peer closes (an alert may come first) within secs."""
    end = time.time() + secs
    try:
        while time.time() < end:
            s.settimeout(max(end - time.time(), 0.01))
            if s.recv(100) == b"":
                return True
    except (ConnectionResetError, ssl.SSLError):
        return True
    except socket.timeout:
        return False
    return False

# Idle TLS connection: closed after --timeout 2.
s = tls()
assert closed_within(s, 6), "idle connection not closed"
# Slow request: headers trickled, never finished.
s = tls()
s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\n")
time.sleep(1)
s.sendall(b"Content-Type: application/json\r\n")
assert closed_within(s, 6), "slow request not closed"
# Slow body: announced 100 bytes, sent 10.
s = tls()
s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
          b"application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
assert closed_within(s, 6), "slow body not closed"
# Plain TCP that never says hello.
r = socket.create_connection(("127.0.0.1", port))
assert closed_within(r, 6), "silent TCP connection not closed"
# Garbage instead of a TLS hello, and plain HTTP to the TLS port.
for junk in (b"\x16\x03\x01\xff\xff" + b"\x00" * 300,
             b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", bytes(range(256)) * 8):
    r = socket.create_connection(("127.0.0.1", port), timeout=5)
    r.sendall(junk)
    try:
        r.recv(100)
    except (ConnectionResetError, socket.timeout):
        pass
    r.close()
# Connection cap (--max-connections 6): the 7th waits in the backlog
# (or is closed) while the others are open; idle ones go after 2 s.
held = [tls() for _ in range(6)]
extra_ok = True
try:
    x = tls(1)
    x.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    x.settimeout(0.5)
    extra_ok = x.recv(100) == b""
except (ConnectionResetError, ssl.SSLError, socket.timeout, OSError):
    extra_ok = True
assert extra_ok, "connection over the cap was served"
for h in held:
    h.close()
time.sleep(0.5)
s = tls()
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
assert s.recv(100).startswith(b"HTTP/1.1 200"), "not serving after the cap"
PY

check "still serving after all that" \
    test "$(code -H 'Content-Type: application/json' --data-binary "@$good" "$URL/validate")" = 200
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
check "SIGTERM exits 0" stop_server
finish
