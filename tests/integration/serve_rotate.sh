#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_rotate.sh - ctest integration.serve_rotate: the serving
# certificate is renewed on disk (`rfguard certs` again: same CA, new
# leaf, files renamed into place like cert-manager's Secret volume) three
# times while clients keep sending requests over new and kept-alive
# connections. No request may fail, and new handshakes must see the new
# certificate without a restart.
#
# Usage: serve_rotate.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server || exit 1
serial() {
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
        </dev/null 2>/dev/null | openssl x509 -noout -serial
}
s0=$(serial)
check "serving the first certificate" test "$s0" = "$(openssl x509 -in "$CERTS/tls.crt" -noout -serial)"

python3 - "$PORT" "$CERTS/ca.crt" "$FIX/create-unsafe.v1.request.json" \
    "$WORK/load.out" <<'PY' &
import http.client, ssl, sys, time
port, ca, f, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
body = open(f, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
ok = bad = 0
errors = []
keep = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
end = time.time() + 6
while time.time() < end:
    for c in (keep, http.client.HTTPSConnection("localhost", port,
                                                context=ctx, timeout=10)):
        try:
            c.request("POST", "/validate", body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            if r.status == 200 and b'"uid"' in data:
                ok += 1
            else:
                bad += 1
                errors.append("HTTP %d" % r.status)
        except Exception as e:
            bad += 1
            errors.append(repr(e))
        if c is not keep:
            c.close()
open(out, "w").write("%d %d %s\n" % (ok, bad, errors[:3]))
PY
load=$!
for i in 1 2 3; do
    sleep 1.2
    "$RFG" certs --service rfguard --namespace rfguard --out "$CERTS" --dev \
        >/dev/null 2>>"$WORK/certs.log" || bad "rotation $i"
done
wait "$load"
read -r nok nbad rest <"$WORK/load.out"
check "requests during rotation: $nok ok, $nbad failed $rest" \
    test "$nbad" = 0 -a "$nok" -gt 50
sleep 1.5
s1=$(serial)
check "new handshakes get the renewed certificate" \
    test "$s1" = "$(openssl x509 -in "$CERTS/tls.crt" -noout -serial)" -a "$s1" != "$s0"
check "reloads logged" \
    test "$(grep -c '"msg":"TLS certificate reloaded"' "$WORK/server.log")" -ge 1
check "CA kept across renewals" grep -q 'reused the CA' "$WORK/certs.log"

# A broken key file is refused and the current certificate kept.
printf 'not a key\n' >"$CERTS/tls.key.new" && mv "$CERTS/tls.key.new" "$CERTS/tls.key"
sleep 1.5
check "broken key logged" grep -q 'TLS certificate reload failed' "$WORK/server.log"
check "still serving with the previous credential" \
    test "$(curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' "https://localhost:$PORT/healthz")" = 200
check "SIGTERM exits 0" stop_server
finish
