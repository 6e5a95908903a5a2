#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build,
# make development certificates, and run the admission webhook on
# https://localhost:8443 with the built-in default policy (metrics on
# http://localhost:9090/metrics). Ctrl-C stops it. Usage: scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(cat scripts/deps.txt) >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
certs/dev-certs.sh build/rfguard
cat <<'MSG'
== rfguard serve on https://localhost:8443 (default policy, dev certificates)
   try: curl -s --cacert certs/dev/ca.crt -H 'Content-Type: application/json' \
          --data-binary @tests/review/create-unsafe.v1.request.json \
          https://localhost:8443/validate
MSG
exec build/rfguard serve --tls-cert certs/dev/tls.crt --tls-key certs/dev/tls.key
