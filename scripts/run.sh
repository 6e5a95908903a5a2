#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: install dependencies, build,
# and run rfguard on its embedded defaults. Usage: scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $(cat scripts/deps.txt) >/dev/null
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)"
echo "== rfguard lint examples/ (built-in default policy)"
./build/rfguard lint examples/ || true
