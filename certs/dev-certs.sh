#!/usr/bin/env bash
# Make development certificates for running rfguard on this machine:
# a CA and a serving certificate for localhost, in certs/dev/ (ignored by
# git). Usage: certs/dev-certs.sh [path/to/rfguard]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rfguard=${1:-rfguard}
"$rfguard" certs --service rfguard --namespace rfguard --out "$here/dev" --dev >/dev/null
echo "dev certificates in $(basename "$here")/dev: ca.crt, tls.crt, tls.key"
