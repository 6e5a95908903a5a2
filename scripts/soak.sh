#!/usr/bin/env bash
# Run the 2-minute soak test (tests/integration/abuse_soak.sh: steady
# load, RSS growth under 5%) against a build. Not part of scripts/test.sh.
# Usage: scripts/soak.sh [BUILD_DIR] [SECONDS]   (defaults: build, 120)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export RFG_SOAK=1 RFG_SOAK_SECONDS=${2:-120}
if [ ! -x "$build/rfguard" ]; then
    cmake -S . -B "$build" >/dev/null
    cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" --target rfguard
fi
bash tests/integration/abuse_soak.sh "$PWD/$build/rfguard" "$PWD" "$PWD/$build"
