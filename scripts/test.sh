#!/usr/bin/env bash
# Build rfguard and run every test: a gcc build with -Werror, then the
# whole suite again under ASan and UBSan (clang), then the server and
# cluster-view integration tests under TSan (clang; libmicrohttpd's
# threads, the request-deadline watchdog, the cluster-view threads, the
# log's flusher).
# Usage: scripts/test.sh
# Set RFG_SKIP_SANITIZE=1 to run the plain build only, RFG_SKIP_TSAN=1
# to skip the TSan pass. The soak test runs only with RFG_SOAK=1.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (gcc, -Werror)"
cmake -S . -B build -DRFG_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

if [ "${RFG_SKIP_SANITIZE:-0}" != 1 ]; then
    echo "== build (clang, ASan + UBSan)"
    CC=clang cmake -S . -B build-asan -DRFG_WERROR=ON \
        -DRFG_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug >/dev/null
    cmake --build build-asan -j"$jobs"
    echo "== tests (ASan + UBSan)"
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --output-on-failure -j"$jobs")
fi

if [ "${RFG_SKIP_SANITIZE:-0}" != 1 ] && [ "${RFG_SKIP_TSAN:-0}" != 1 ]; then
    echo "== build (clang, TSan)"
    CC=clang cmake -S . -B build-tsan -DRFG_WERROR=ON \
        -DRFG_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build build-tsan -j"$jobs" --target rfguard test_logline
    echo "== server and cluster tests, and the log's writer threads (TSan)"
    # No suppressions: every race found so far was ours and is fixed.
    (cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        ctest --output-on-failure -j"$jobs" \
        -R '^(integration\.(serve|cluster|abuse)|unit\.logline$)')
fi
