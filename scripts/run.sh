#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build,
# make development certificates, and run the admission webhook with the
# built-in default policy. Ctrl-C stops it. Usage: scripts/run.sh
#
# It listens on this machine only unless told otherwise:
#   RFG_LISTEN          webhook HTTPS address     (default 127.0.0.1:8443)
#   RFG_METRICS_LISTEN  plain-HTTP /metrics, /healthz, /readyz
#                                                 (default 127.0.0.1:9090,
#                                                  'off' disables it)
# Addresses are HOST:PORT, :PORT (every interface) or [V6]:PORT, as for
# `rfguard serve --listen`. The development certificate is valid for
# localhost, 127.0.0.1 and ::1.
set -euo pipefail
cd "$(dirname "$0")/.."
listen=${RFG_LISTEN:-127.0.0.1:8443}
metrics=${RFG_METRICS_LISTEN:-127.0.0.1:9090}

# The URL a client on this machine uses for address $1 and scheme $2.
url_of() {
    local addr=$1 scheme=$2 host port
    port=${addr##*:}
    host=${addr%:*}
    case $host in
    "" | 0.0.0.0) host=localhost ;;
    "[::]") host="[::1]" ;;
    esac
    echo "$scheme://$host:$port"
}

case $listen in
*:[0-9]*) ;;
*)
    echo "scripts/run.sh: RFG_LISTEN='$listen' is not HOST:PORT, :PORT or [V6]:PORT" >&2
    exit 2
    ;;
esac
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(cat scripts/deps.txt) >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
certs/dev-certs.sh build/rfguard
url=$(url_of "$listen" https)
echo "== rfguard serve on $url (listening on $listen; default policy, dev certificates)"
if [ "$metrics" != off ]; then
    echo "   metrics on $(url_of "$metrics" http)/metrics"
fi
cat <<MSG
   try: curl -s --cacert certs/dev/ca.crt -H 'Content-Type: application/json' \\
          --data-binary @tests/review/create-unsafe.v1.request.json \\
          $url/validate
MSG
exec build/rfguard serve --tls-cert certs/dev/tls.crt --tls-key certs/dev/tls.key \
    --listen "$listen" --metrics-listen "$metrics"
