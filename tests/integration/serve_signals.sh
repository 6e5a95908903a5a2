#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_signals.sh - ctest integration.serve_signals: SIGTERM with a
# request in flight (the request is answered, new connections are not
# accepted, exit 0), and SIGHUP policy reloads (a broken policy is refused
# and the old one kept; a good one takes effect without a restart).
#
# Usage: serve_signals.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
cp "$SRC/policies/default.yaml" "$WORK/policy.yaml"
start_server --policy "$WORK/policy.yaml" || exit 1
unsafe=$FIX/create-unsafe.v1.request.json

verdict() {
    post validate "$unsafe" | python3 -c '
import json,sys; print("allowed" if json.load(sys.stdin)["response"]["allowed"] else "denied")'
}
check "unsafe object denied under the default policy" test "$(verdict)" = denied

# SIGHUP with a broken policy: refused, logged, old policy kept.
printf 'apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec: [\n' >"$WORK/policy.yaml"
kill -HUP "$SERVER_PID"
sleep 1.5
check "broken policy logged and refused" \
    grep -q '"msg":"policy reload failed; keeping the old policy"' "$WORK/server.log"
check "old policy still in force" test "$(verdict)" = denied

# SIGHUP with a good policy that only warns: takes effect.
sed -e 's/auth-required: deny/auth-required: warn/' \
    -e '/sentinel-replicas:/,/severity:/ s/severity: deny/severity: warn/' \
    "$SRC/policies/default.yaml" >"$WORK/policy.yaml"
kill -HUP "$SERVER_PID"
sleep 1.5
check "policy reload logged" grep -q '"msg":"policy reloaded"' "$WORK/server.log"
check "new policy in force without a restart" test "$(verdict)" = allowed
curl -sS "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt"
check "reloads counted" grep -q 'rfguard_policy_reloads_total{result="ok"} 1' "$WORK/metrics.txt"
check "failed reloads counted" grep -q 'rfguard_policy_reloads_total{result="error"} 1' "$WORK/metrics.txt"

# SIGTERM while a request is half sent.
check "SIGTERM: in-flight request answered, no new connections" \
    python3 - "$PORT" "$CERTS/ca.crt" "$SERVER_PID" "$unsafe" <<'PY'
import os, signal, socket, ssl, sys, time
port, ca, pid, f = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
body = open(f, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                    server_hostname="localhost")
head = ("POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
        "application/json\r\nContent-Length: %d\r\n\r\n" % len(body)).encode()
half = len(body) // 2
s.sendall(head + body[:half])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(1)
os.kill(pid, 0)                      # still running: draining
try:                                 # not accepting: no TLS handshake
    n = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port),
                                                 timeout=1),
                        server_hostname="localhost")
    raise SystemExit("new connection accepted while draining")
except (OSError, ssl.SSLError):
    pass
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
