#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_signals.sh - ctest integration.serve_signals: SIGTERM with a
# request in flight (the request is answered, new connections are not
# accepted, exit 0), and SIGHUP policy reloads (a broken policy is refused
# and the old one kept; a good one takes effect without a restart). Each
# step waits for the server's own evidence (a log line, /readyz, a "100
# Continue"), never for a fixed time.
#
# Usage: serve_signals.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
cp "$SRC/policies/default.yaml" "$WORK/policy.yaml"
start_server --policy "$WORK/policy.yaml" --shutdown-grace "$RFG_WAIT" ||
    exit 1
unsafe=$FIX/create-unsafe.v1.request.json

verdict() {
    post validate "$unsafe" | python3 -c '
import json,sys; print("allowed" if json.load(sys.stdin)["response"]["allowed"] else "denied")'
}
check "unsafe object denied under the default policy" test "$(verdict)" = denied

# SIGHUP with a broken policy: refused, logged, old policy kept.
printf 'apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec: [\n' >"$WORK/policy.yaml"
kill -HUP "$SERVER_PID"
check "broken policy logged and refused" \
    wait_for log_has '"msg":"policy reload failed; keeping the old policy"'
check "old policy still in force" test "$(verdict)" = denied

# SIGHUP with a good policy that only warns: takes effect.
sed -e 's/auth-required: deny/auth-required: warn/' \
    -e '/sentinel-replicas:/,/severity:/ s/severity: deny/severity: warn/' \
    "$SRC/policies/default.yaml" >"$WORK/policy.yaml"
kill -HUP "$SERVER_PID"
check "policy reload logged" wait_for log_has '"msg":"policy reloaded"'
check "new policy in force without a restart" test "$(verdict)" = allowed
curl -sS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
check "reloads counted" grep -q 'rfguard_policy_reloads_total{result="ok"} 1' "$WORK/metrics.txt"
check "failed reloads counted" grep -q 'rfguard_policy_reloads_total{result="error"} 1' "$WORK/metrics.txt"

# SIGTERM while a request is half sent. "Expect: 100-continue" makes the
# server say when it has the headers (the request is in flight then);
# /readyz on the metrics port turns 503 once SIGTERM is handled.
check "SIGTERM: in-flight request answered, no new connections" \
    python3 - "$PORT" "$MPORT" "$CERTS/ca.crt" "$SERVER_PID" "$unsafe" \
    "$RFG_WAIT" <<'PY'
import os, signal, socket, ssl, sys, time, urllib.error, urllib.request
port, mport, ca, pid, f, hang = (int(sys.argv[1]), int(sys.argv[2]),
                                 sys.argv[3], int(sys.argv[4]), sys.argv[5],
                                 float(sys.argv[6]))
body = open(f, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
                                             timeout=hang),
                    server_hostname="localhost")
head = ("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        "application/json\r\nExpect: 100-continue\r\nContent-Length: %d"
        "\r\n\r\n" % len(body)).encode()
s.sendall(head)
cont = b""
while b"\r\n\r\n" not in cont:
    chunk = s.recv(4096)
    assert chunk, "closed before 100 Continue"
    cont += chunk
assert cont.startswith(b"HTTP/1.1 100"), cont[:200]
half = len(body) // 2
s.sendall(body[:half])

def readyz():
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/readyz" % mport,
                                    timeout=hang) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

end = time.time() + hang          # a ceiling for a hang, not a measure
assert readyz() == 200, "not ready before SIGTERM"
os.kill(pid, signal.SIGTERM)
while readyz() != 503:
    assert time.time() < end, "SIGTERM never handled"
    time.sleep(0.05)
os.kill(pid, 0)                      # still running: draining

def handshake():
    """True if a new connection gets a TLS handshake (within 2 s)."""
    try:
        n = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
                                                     timeout=2),
                            server_hostname="localhost")
        n.close()
        return True
    except (OSError, ssl.SSLError):
        return False

# Not accepting: new connections get no handshake. (Each try that does
# get one is a connection accepted before the listener was closed.)
while handshake():
    assert time.time() < end, "new connections accepted while draining"
os.kill(pid, 0)                      # still running: draining
s.sendall(body[half:])
resp = b""
while b"\r\n\r\n" not in resp or not resp.rstrip().endswith(b"}"):
    chunk = s.recv(65536)
    if not chunk:
        break
    resp += chunk
assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
assert b'"allowed":true' in resp or b'"allowed":false' in resp, resp
PY
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
check "exit status 0 after SIGTERM" test "$rc" = 0
check "drain logged" grep -q '"msg":"drained; stopping"' "$WORK/server.log"
finish
