#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# abuse_tls.sh - ctest integration.abuse_tls: what rfguard serve does with
# hostile bytes on its TLS port (127.0.0.1): TLS 1.0 and 1.1 handshakes
# refused (openssl s_client, each version alone) while 1.2 and 1.3 work;
# plain HTTP, an SSLv2-style hello, and 300 connections of random bytes
# (seeded, so a failure can be replayed) are dropped without an answer;
# oversized request lines and headers get a 4xx or a close, never a 200,
# a 5xx or a crash. After each group the server must still answer, and
# its RSS must not have grown by more than 20 MiB (not checked under
# sanitizers or valgrind, whose own memory dominates). Nothing is timed:
# every wait is for the server to answer or close, with a ceiling
# (RFG_WAIT) that only a hang reaches.
#
# Usage: abuse_tls.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server --timeout 2 --no-cluster || exit 1
URL=https://localhost:$PORT
healthy() {
    test "$(curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' \
        --max-time "$RFG_WAIT" "$URL/healthz")" = 200
}
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }

# s_client VERSION-FLAG: exit 0 if a cipher was negotiated. The client
# is told to allow the old versions (SECLEVEL=0), so a refusal is the
# server's, not the client's: it must have sent its hello.
handshake() {
    timeout "$RFG_WAIT" openssl s_client -connect "127.0.0.1:$PORT" "$1" \
        -cipher 'DEFAULT@SECLEVEL=0' -CAfile "$CERTS/ca.crt" \
        -servername localhost </dev/null >"$WORK/sc.out" 2>&1
    if grep -q "no protocols available" "$WORK/sc.out"; then
        echo "client refused $1 itself: test cannot judge"
        return 2
    fi
    ! grep -q "Cipher is (NONE)" "$WORK/sc.out"
}
refused() { handshake "$1"; test $? = 1; }
rss0=$(rss_kb)
check "TLS 1.0 refused" refused -tls1
check "TLS 1.1 refused" refused -tls1_1
check "TLS 1.2 accepted" handshake -tls1_2
check "TLS 1.3 accepted" handshake -tls1_3
check "serving after the old-TLS attempts" healthy

check "plain HTTP, SSLv2 hello and 300 random-byte streams dropped" \
    python3 - "$PORT" "$RFG_WAIT" <<'PY'
import concurrent.futures, random, socket, sys
port, hang = int(sys.argv[1]), float(sys.argv[2])
rng = random.Random(20261124)

def send(junk):
    """Send junk; the answer must be nothing, or a TLS alert - never
    HTTP. The server must close the connection (`hang` only catches a
    server that never does)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=hang)
    try:
        s.sendall(junk)
    except OSError:
        pass
    got = b""
    try:
        while len(got) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        raise AssertionError("never closed: %r" % junk[:40])
    s.close()
    assert not got.startswith(b"HTTP/"), got[:100]
    assert not got or got[0] in (0x15, 0x16), got[:20]  # alert/handshake

send(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
send(b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
send(b"\x80\x2e\x01\x00\x02\x00\x15\x00\x00\x00\x10" + b"\x00" * 37)
send(b"\x16\x03\x01\xff\xff" + b"\x00" * 300)      # hello longer than sent
send(b"\x16\x03\x03\x00\x05\x01\x00\x00\x01\x00")  # truncated hello
junks = []
for i in range(300):
    n = rng.choice([1, 5, 64, 517, 4096, 20000])
    junk = bytes(rng.getrandbits(8) for _ in range(n))
    if i % 3 == 0:      # a valid record header with garbage inside
        junk = b"\x16\x03\x01" + n.to_bytes(2, "big") + junk
    junks.append(junk)
# 50 at a time: a stream that stops mid-record waits for the idle timeout.
with concurrent.futures.ThreadPoolExecutor(50) as ex:
    for f in [ex.submit(send, j) for j in junks]:
        f.result()
PY
check "serving after the junk" healthy

check "oversized request lines and headers refused" \
    python3 - "$PORT" "$CERTS/ca.crt" "$RFG_WAIT" <<'PY'
import socket, ssl, sys
port, ca, hang = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)

def status(req):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), hang),
                        server_hostname="localhost")
    try:
        s.sendall(req)
    except (OSError, ssl.SSLError):
        pass
    got = b""
    try:
        while not got.endswith(b"\r\n\r\n") and len(got) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (OSError, ssl.SSLError):
        pass
    s.close()
    return int(got.split(b" ")[1]) if got.startswith(b"HTTP/1.") else 0

big = b"a" * (1 << 20)
cases = {
    "1 MiB URL": b"GET /" + big + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "1 MiB header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + big +
                    b"\r\n\r\n",
    "20000 headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                     b"X-H: 0123456789\r\n" * 20000 + b"\r\n",
    "64 KiB cookie": b"GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " +
                     b"c=" + b"x" * 65536 + b"\r\n\r\n",
    "huge Content-Length": b"POST /validate HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\n"
                           b"Content-Length: 99999999999999999999\r\n\r\n{}",
    "negative Content-Length": b"POST /validate HTTP/1.1\r\nHost: x\r\n"
                               b"Content-Type: application/json\r\n"
                               b"Content-Length: -1\r\n\r\n{}",
    "header without colon": b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                            b"no colon here\r\n\r\n",
    "bad chunk size": b"POST /validate HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\nzzzz\r\n{}\r\n0\r\n\r\n",
}
bad = {}
for name, req in cases.items():
    st = status(req)
    print("%-24s -> %s" % (name, st or "closed"))
    if st == 200 or st >= 500:
        bad[name] = st
assert not bad, bad
PY
check "serving after the oversized requests" healthy
rss1=$(rss_kb)
echo "RSS ${rss0} kB before, ${rss1} kB after"
# Under ASan (its quarantine keeps freed memory), TSan or a valgrind
# wrapper script the RSS is the tool's, not rfguard's: no bound then.
if [ "$(head -c 4 "$RFG" | od -An -tx1 | tr -d ' ')" != 7f454c46 ] ||
    grep -qaE '__(asan|tsan|msan)_init' "$RFG"; then
    ok "RSS bound skipped: instrumented or wrapped binary"
else
    check "RSS grew by less than 20 MiB" test $((rss1 - rss0)) -lt 20480
fi
check "SIGTERM exits 0" stop_server
finish
