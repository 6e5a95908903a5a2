#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_burst.sh - ctest integration.serve_burst: a burst of requests that
# all arrive while the server is not looking is answered in full.
#
# One worker thread, 128 and then 300 keep-alive TLS connections, each
# already served once (so every handshake is complete on both sides).
# The server is stopped with SIGSTOP, every connection sends its review,
# and SIGCONT lets the server see them all at once. Every review must be
# answered 200 with its own uid, while the clients wait and send nothing
# more. 128 is the batch size of libmicrohttpd 0.9.75's epoll loop: a
# full batch made it wait for one more event before serving the batch,
# and since every client was waiting for its answer, none came.
#
# Nothing is timed: each wait has the RFG_WAIT ceiling, which only a hang
# reaches.
#
# Usage: serve_burst.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

need_open_files 1024
make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --threads 1 --timeout 3600 --max-connections-per-ip 1024 \
    --no-cluster || exit 1

burst() {   # burst N: N connections, one review each in one burst
    python3 - "$PORT" "$CERTS/ca.crt" "$FIX/create-clean.v1.request.json" \
        "$RFG_WAIT" "$SERVER_PID" "$1" <<'PY'
import json, os, selectors, signal, socket, ssl, sys, time
port, ca, fixture = int(sys.argv[1]), sys.argv[2], sys.argv[3]
hang, pid, n = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
ctx = ssl.create_default_context(cafile=ca)
review = json.load(open(fixture))

def read_response(s):
    """One HTTP/1.1 response with a Content-Length: (head, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, "connection closed before the answer"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(65536)
        assert chunk, "connection closed in the answer"
        body += chunk
    return head, body

conns = []
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), hang),
                        server_hostname="localhost")
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _ = read_response(s)
    assert head.startswith(b"HTTP/1.1 200"), head[:80]
    conns.append(s)
print("%d keep-alive connections, each served once" % n)

os.kill(pid, signal.SIGSTOP)
try:
    for i, s in enumerate(conns):
        review["request"]["uid"] = "burst-%d" % i
        body = json.dumps(review).encode()
        s.sendall(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/json\r\nContent-Length: %d\r\n\r\n"
                  % len(body) + body)
finally:
    os.kill(pid, signal.SIGCONT)

# every answer, with a ceiling that only a hang reaches
answered = 0
end = time.monotonic() + hang
for i, s in enumerate(conns):
    s.settimeout(max(end - time.monotonic(), 0.1))
    try:
        head, body = read_response(s)
    except socket.timeout:
        print("no answer for %d of %d reviews after %d s"
              % (n - answered, n, hang))
        sys.exit(1)
    assert head.startswith(b"HTTP/1.1 200"), head[:80]
    assert json.loads(body)["response"]["uid"] == "burst-%d" % i
    answered += 1
print("%d/%d answered" % (answered, n))
for s in conns:
    s.close()
PY
}

check "a burst of 128 reviews on one worker, all answered" burst 128
check "a burst of 300 reviews on one worker, all answered" burst 300
check "server still running" kill -0 "$SERVER_PID"
check "SIGTERM exits 0" stop_server
finish
