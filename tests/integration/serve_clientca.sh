#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_clientca.sh - ctest integration.serve_clientca: with --client-ca
# the webhook requires a client certificate signed by that CA (as the API
# server presents with a kubeconfig for admission webhooks). A client
# without one, or with one from another CA, gets nothing; a client with a
# good one is served.
#
# Usage: serve_clientca.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
"$RFG" certs --service other --namespace other --out "$WORK/other" \
    >/dev/null 2>&1 || exit 1
# A client certificate from our CA, and one from another CA.
client_cert() {   # client_cert CA_DIR OUT_PREFIX
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$2.key" -out "$2.csr" -subj "/CN=kube-apiserver" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\n' >"$2.ext" &&
    openssl x509 -req -in "$2.csr" -CA "$1/ca.crt" -CAkey "$1/ca.key" \
        -CAcreateserial -days 1 -out "$2.crt" -extfile "$2.ext" 2>/dev/null
}
client_cert "$CERTS" "$WORK/good" || { echo "openssl failed"; exit 1; }
client_cert "$WORK/other" "$WORK/evil" || { echo "openssl failed"; exit 1; }

start_server --client-ca "$CERTS/ca.crt" || exit 1
URL=https://localhost:$PORT/validate
req() {
    curl -s --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$FIX/create-clean.v1.request.json" -o "$WORK/out" \
        -w '%{http_code}' "$@" "$URL"
}
check "no client certificate: refused" test "$(req)" = 000
check "client certificate from another CA: refused" \
    test "$(req --cert "$WORK/evil.crt" --key "$WORK/evil.key")" = 000
check "client certificate from the CA: served" \
    test "$(req --cert "$WORK/good.crt" --key "$WORK/good.key")" = 200
check "and answered" grep -q '"allowed":true' "$WORK/out"
check "metrics listener needs no client certificate" \
    test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/readyz")" = 200
check "SIGTERM exits 0" stop_server
finish
