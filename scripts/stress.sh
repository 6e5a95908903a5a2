#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# stress.sh - run the tests N times in a row (default 3) while
# `stress-ng --cpu 4` loads the machine. No test may depend on timing:
# one that passes quietly and fails here is a bug in the test (or a race
# in rfguard). Stops at the first failing pass.
# Usage: scripts/stress.sh [BUILD_DIR] [N] [CTEST ARGS...]
#   e.g. scripts/stress.sh build 3 -L 'unit|cli|integration'
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-3}
shift $(($# < 2 ? $# : 2))
if ! command -v stress-ng >/dev/null 2>&1; then
    echo "stress.sh: stress-ng not found (scripts/deps.txt installs it)" >&2
    exit 2
fi
stress-ng --cpu 4 --quiet &
load=$!
trap 'kill "$load" 2>/dev/null; wait "$load" 2>/dev/null || true' EXIT
jobs=$(nproc 2>/dev/null || echo 2)
for i in $(seq 1 "$n"); do
    echo "== pass $i of $n (stress-ng --cpu 4 beside it)"
    (cd "$build" && ctest --output-on-failure -j"$jobs" "$@")
done
echo "stress.sh: $n passes, all green"
