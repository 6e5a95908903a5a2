#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# certs.sh - ctest integration.certs: `rfguard certs` writes an ECDSA P-256
# CA and a serving certificate with the Service DNS names (plus localhost
# and 127.0.0.1 with --dev), keys with mode 0600, the caBundle in
# ca-bundle.b64 and on stdout; a second run keeps the CA; bad names and
# missing flags are refused.
#
# Usage: certs.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

D=$WORK/c
( umask 000 && "$RFG" certs --service hook --namespace infra --out "$D" ) \
    >"$WORK/stdout" 2>"$WORK/stderr"
check "exit 0" test $? = 0
for f in ca.crt ca.key tls.crt tls.key ca-bundle.b64; do
    check "$f written" test -s "$D/$f"
done
check "keys are 0600 even with umask 000" \
    test "$(stat -c %a "$D/tls.key") $(stat -c %a "$D/ca.key")" = "600 600"
check "caBundle printed = ca-bundle.b64 = base64(ca.crt)" python3 - "$D" "$WORK/stdout" <<'PY'
import base64, sys
d, out = sys.argv[1], sys.argv[2]
ca = open(d + "/ca.crt", "rb").read()
b = open(d + "/ca-bundle.b64").read().strip()
assert base64.b64decode(b) == ca
assert open(out).read().strip() == b
PY
text=$(openssl x509 -in "$D/tls.crt" -noout -text)
check "serving key is P-256" grep -q 'NIST CURVE: P-256' <<<"$text"
check "SANs are the Service names" grep -q 'DNS:hook, DNS:hook.infra, DNS:hook.infra.svc, DNS:hook.infra.svc.cluster.local$' <<<"$text"
check "no localhost without --dev" bash -c '! grep -q localhost <<<"$1"' _ "$text"
check "serverAuth" grep -q 'TLS Web Server Authentication' <<<"$text"
check "chain verifies" openssl verify -CAfile "$D/ca.crt" "$D/tls.crt"
check "CA is a CA" bash -c 'openssl x509 -in "$1" -noout -text | grep -q "CA:TRUE"' _ "$D/ca.crt"
check "key matches certificate" test \
    "$(openssl pkey -in "$D/tls.key" -pubout)" = "$(openssl x509 -in "$D/tls.crt" -noout -pubkey)"

ca_before=$(openssl x509 -in "$D/ca.crt" -noout -fingerprint)
leaf_before=$(openssl x509 -in "$D/tls.crt" -noout -serial)
"$RFG" certs --service hook --namespace infra --out "$D" --dev >/dev/null 2>&1
check "second run keeps the CA" test "$(openssl x509 -in "$D/ca.crt" -noout -fingerprint)" = "$ca_before"
check "second run renews the leaf" test "$(openssl x509 -in "$D/tls.crt" -noout -serial)" != "$leaf_before"
check "--dev adds localhost and 127.0.0.1" bash -c \
    'openssl x509 -in "$1" -noout -ext subjectAltName | grep -q "DNS:localhost, IP Address:127.0.0.1"' _ "$D/tls.crt"
check "no temporary files left" test "$(ls -A "$D" | grep -c '^\.')" = 0

check "bad service name refused" bash -c '! "$1" certs --service "a,DNS:evil" --namespace x --out "$2/x" 2>/dev/null' _ "$RFG" "$WORK"
check "missing --out refused" bash -c '! "$1" certs --service a --namespace b 2>/dev/null' _ "$RFG"
check "--help works" "$RFG" certs --help
finish
