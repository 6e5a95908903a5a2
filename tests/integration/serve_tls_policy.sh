#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_tls_policy.sh - ctest integration.serve_tls_policy: what the TLS
# listener accepts and refuses.
#   - A missing --tls-cert or --tls-key file: serve refuses to start (exit
#     2, the message names the file) instead of listening with no
#     certificate.
#   - Mozilla's intermediate profile: AEAD suites with forward secrecy
#     only. CBC-SHA1 suites and static-RSA key exchange are refused, with
#     an ECDSA and with an RSA serving certificate.
#   - --client-ca: a client certificate whose extendedKeyUsage lacks
#     clientAuth is refused, one with clientAuth is served.
#   - --max-connections-per-ip: one address holding idle connections
#     cannot lock out another address, and gets in again once it lets go.
#
# Usage: serve_tls_policy.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
not() { ! "$@"; }

# --- refuse to start without a certificate --------------------------------
refuses() {   # refuses WHAT_MISSING ARGS...: exit 2, names the file
    local missing=$1 rc=0
    shift
    timeout 120 "$RFG" serve --listen 127.0.0.1:0 --metrics-listen off \
        --no-cluster "$@" >"$WORK/nocert.out" 2>&1 || rc=$?
    [ "$rc" = 2 ] && grep -q -- "$missing" "$WORK/nocert.out" &&
        ! grep -q '"msg":"listening"' "$WORK/nocert.out"
}
check "missing certificate and key files: exit 2 naming the certificate" \
    refuses "$WORK/absent.crt" --tls-cert "$WORK/absent.crt" \
    --tls-key "$WORK/absent.key"
check "missing certificate file: exit 2 naming it" \
    refuses "$WORK/absent.crt" --tls-cert "$WORK/absent.crt" \
    --tls-key "$CERTS/tls.key"
check "missing key file: exit 2 naming it" \
    refuses "$WORK/absent.key" --tls-cert "$CERTS/tls.crt" \
    --tls-key "$WORK/absent.key"
: >"$WORK/empty.crt"
check "empty certificate file: exit 2 naming it" \
    refuses "$WORK/empty.crt" --tls-cert "$WORK/empty.crt" \
    --tls-key "$CERTS/tls.key"

# --- an expired certificate: served, but not ready ---------------------------
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$WORK/old.key" -out "$WORK/old.csr" -subj "/CN=localhost" \
    2>/dev/null && : >"$WORK/index.txt" && echo 01 >"$WORK/serial" &&
cat >"$WORK/ca.cnf" <<EOF &&
[ca]
default_ca = d
[d]
database = $WORK/index.txt
new_certs_dir = $WORK
serial = $WORK/serial
default_md = sha256
policy = p
[p]
commonName = supplied
EOF
openssl ca -batch -config "$WORK/ca.cnf" -cert "$CERTS/ca.crt" \
    -keyfile "$CERTS/ca.key" -in "$WORK/old.csr" -out "$WORK/old.crt" \
    -startdate 20200101000000Z -enddate 20200102000000Z >/dev/null 2>&1 ||
    { echo "openssl ca failed"; exit 1; }
ready_code() {
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/readyz"
}
TLS_CERT=$WORK/old.crt TLS_KEY=$WORK/old.key start_server --no-cluster ||
    exit 1
check "expired certificate: a warning says so" \
    grep -q 'serving certificate has expired' "$WORK/server.log"
check "expired certificate: /readyz is 503" test "$(ready_code)" = 503
check "SIGTERM exits 0" stop_server
start_server --no-cluster || exit 1
check "valid certificate: /readyz is 200" test "$(ready_code)" = 200
check "SIGTERM exits 0" stop_server

# --- cipher suites -----------------------------------------------------------
# handshake CIPHER [openssl args]: 0 when a TLS 1.2 handshake with exactly
# that suite succeeds.
handshake() {
    local cipher=$1
    shift
    timeout 120 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
        -cipher "$cipher" -servername localhost "$@" </dev/null \
        >"$WORK/s_client.out" 2>&1 &&
        grep -q "Cipher is $cipher" "$WORK/s_client.out"
}
start_server --no-cluster || exit 1
check "ECDSA: ECDHE-ECDSA-AES128-GCM-SHA256 accepted" \
    handshake ECDHE-ECDSA-AES128-GCM-SHA256
check "ECDSA: ECDHE-ECDSA-CHACHA20-POLY1305 accepted" \
    handshake ECDHE-ECDSA-CHACHA20-POLY1305
check "ECDSA: CBC-SHA1 suite ECDHE-ECDSA-AES128-SHA refused" \
    not handshake ECDHE-ECDSA-AES128-SHA
check "ECDSA: CBC suite ECDHE-ECDSA-AES256-SHA384 refused" \
    not handshake ECDHE-ECDSA-AES256-SHA384
check "TLS 1.3 accepted" \
    sh -c "timeout 120 openssl s_client -connect 127.0.0.1:$PORT -tls1_3 \
        -servername localhost </dev/null 2>&1 | grep -q 'TLSv1.3'"
check "SIGTERM exits 0" stop_server

# An RSA serving certificate from the same CA, for the key exchanges.
openssl req -new -newkey rsa:2048 -nodes -keyout "$WORK/rsa.key" \
    -out "$WORK/rsa.csr" -subj "/CN=localhost" 2>/dev/null &&
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n' \
    >"$WORK/rsa.ext" &&
openssl x509 -req -in "$WORK/rsa.csr" -CA "$CERTS/ca.crt" \
    -CAkey "$CERTS/ca.key" -CAcreateserial -days 1 -out "$WORK/rsa.crt" \
    -extfile "$WORK/rsa.ext" 2>/dev/null || { echo "openssl failed"; exit 1; }
TLS_CERT=$WORK/rsa.crt TLS_KEY=$WORK/rsa.key start_server --no-cluster ||
    exit 1
check "RSA: ECDHE-RSA-AES128-GCM-SHA256 accepted" \
    handshake ECDHE-RSA-AES128-GCM-SHA256
check "RSA: static-RSA AES128-GCM-SHA256 refused" \
    not handshake AES128-GCM-SHA256
check "RSA: static-RSA CBC-SHA1 AES128-SHA refused" \
    not handshake AES128-SHA
check "RSA: ECDHE-RSA-AES128-SHA (CBC-SHA1) refused" \
    not handshake ECDHE-RSA-AES128-SHA
check "SIGTERM exits 0" stop_server

# --- client certificates need clientAuth -------------------------------------
client_cert() {   # client_cert OUT_PREFIX EKU
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$1.key" -out "$1.csr" -subj "/CN=kube-apiserver" \
        2>/dev/null &&
    printf 'extendedKeyUsage=%s\n' "$2" >"$1.ext" &&
    openssl x509 -req -in "$1.csr" -CA "$CERTS/ca.crt" \
        -CAkey "$CERTS/ca.key" -CAcreateserial -days 1 -out "$1.crt" \
        -extfile "$1.ext" 2>/dev/null
}
client_cert "$WORK/client" clientAuth &&
client_cert "$WORK/server-only" serverAuth ||
    { echo "openssl failed"; exit 1; }
start_server --client-ca "$CERTS/ca.crt" --no-cluster || exit 1
req() {
    curl -s --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$FIX/create-clean.v1.request.json" -o "$WORK/out" \
        -w '%{http_code}' "$@" "https://localhost:$PORT/validate"
}
check "client certificate with clientAuth: served" \
    test "$(req --cert "$WORK/client.crt" --key "$WORK/client.key")" = 200
check "client certificate for serverAuth only: refused" \
    test "$(req --cert "$WORK/server-only.crt" \
            --key "$WORK/server-only.key")" = 000
check "SIGTERM exits 0" stop_server

# --- per-address connection limit ---------------------------------------------
start_server --no-cluster --max-connections-per-ip 3 || exit 1
hold="$WORK/hold"
mkfifo "$hold.go"
# Three idle TLS connections from 127.0.0.1, held until told to let go.
python3 - "$PORT" "$CERTS/ca.crt" "$hold" <<'PY' &
import socket, ssl, sys
port, ca, hold = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
socks = []
for _ in range(3):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(ctx.wrap_socket(s, server_hostname="localhost"))
open(hold + ".ready", "w").close()
open(hold + ".go").read()          # blocks until the test writes
for s in socks:
    s.close()
PY
HOLDER=$!
check "three idle connections held" wait_for test -e "$hold.ready"
check "a fourth from the same address is refused" \
    test "$(req --interface 127.0.0.1)" = 000
check "another address is still served" \
    test "$(req --interface 127.0.0.2)" = 200
echo go >"$hold.go"
wait "$HOLDER"
served_here() { [ "$(req --interface 127.0.0.1)" = 200 ]; }
check "the first address is served once it lets go" wait_for served_here
check "SIGTERM exits 0" stop_server
finish
