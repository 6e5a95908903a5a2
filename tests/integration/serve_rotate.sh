#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_rotate.sh - ctest integration.serve_rotate: the serving
# certificate is renewed on disk (`rfguard certs` again: same CA, new
# leaf, files renamed into place like cert-manager's Secret volume) three
# times while clients keep sending requests over new and kept-alive
# connections. No request may fail, requests must be answered between
# every two renewals, and new handshakes must see the new certificate
# without a restart. Every step waits for an event (a reload log line, a
# number of answered requests), never for a fixed time.
#
# Usage: serve_rotate.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
# A long idle timeout: a kept-alive client on a loaded machine must not
# lose its connection to it.
start_server --timeout 600 || exit 1
serial() {
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost \
        </dev/null 2>/dev/null | openssl x509 -noout -serial
}
file_serial() { openssl x509 -in "$CERTS/tls.crt" -noout -serial; }
s0=$(serial)
check "serving the first certificate" test "$s0" = "$(file_serial)"

# The load: until $WORK/stop exists, a kept-alive connection and a new
# connection take turns posting a review; $WORK/progress holds the count
# of answered requests, $WORK/load.out the result at the end.
python3 - "$PORT" "$CERTS/ca.crt" "$FIX/create-unsafe.v1.request.json" \
    "$WORK" "$RFG_WAIT" <<'PY' &
import http.client, os, ssl, sys
port, ca, f, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
hang = float(sys.argv[5])
body = open(f, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
ok = bad = 0
errors = []
keep = http.client.HTTPSConnection("localhost", port, context=ctx,
                                   timeout=hang)
while not os.path.exists(work + "/stop"):
    for c in (keep, http.client.HTTPSConnection("localhost", port,
                                                context=ctx, timeout=hang)):
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
        with open(work + "/progress.tmp", "w") as p:
            p.write("%d\n" % ok)
        os.replace(work + "/progress.tmp", work + "/progress")
open(work + "/load.out", "w").write("%d %d %s\n" % (ok, bad, errors[:3]))
PY
load=$!
answered() { cat "$WORK/progress" 2>/dev/null || echo 0; }
# answered_past N: more than N requests answered
answered_past() { [ "$(answered)" -gt "$1" ]; }
served=$(answered)
for i in 1 2 3; do
    # 10 more requests before each renewal; the reload is logged; 10 more
    # after it
    wait_for answered_past $((served + 10)) || bad "no requests before renewal $i"
    reloads=$(log_count '"msg":"TLS certificate reloaded"')
    "$RFG" certs --service rfguard --namespace rfguard --out "$CERTS" --dev \
        >/dev/null 2>>"$WORK/certs.log" || bad "rotation $i"
    check "renewal $i: reload logged" \
        wait_for log_has '"msg":"TLS certificate reloaded"' $((reloads + 1))
    served=$(answered)
    wait_for answered_past $((served + 10)) || bad "no requests after renewal $i"
    served=$(answered)
done
touch "$WORK/stop"
wait "$load"
read -r nok nbad rest <"$WORK/load.out"
check "requests during renewals: $nok ok, $nbad failed $rest" \
    test "$nbad" = 0 -a "$nok" -gt 60
s1=$(serial)
check "new handshakes get the renewed certificate" \
    test "$s1" = "$(file_serial)" -a "$s1" != "$s0"
check "CA kept across renewals" grep -q 'reused the CA' "$WORK/certs.log"

# A broken key file is refused and the current certificate kept.
failures=$(log_count 'TLS certificate reload failed')
printf 'not a key\n' >"$CERTS/tls.key.new" && mv "$CERTS/tls.key.new" "$CERTS/tls.key"
check "broken key logged" \
    wait_for log_has 'TLS certificate reload failed' $((failures + 1))
check "still serving with the previous credential" \
    test "$(curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' "https://localhost:$PORT/healthz")" = 200
check "SIGTERM exits 0" stop_server
finish
