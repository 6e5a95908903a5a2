#!/usr/bin/env bash
# Run the server integration tests with every rfguard process under
# `valgrind --leak-check=full` (a gcc Debug build in build-vg/, no
# sanitizers), then summarise the valgrind logs: any memory error or
# definitely/indirectly lost block fails. Takes several minutes; not part
# of scripts/test.sh. abuse_conns (1000 TLS handshakes) and the soak are
# left out: under valgrind they measure valgrind.
# Usage: scripts/valgrind.sh [TEST-REGEX]   (default: serve_ and abuse_)
set -euo pipefail
cd "$(dirname "$0")/.."
regex=${1:-'^integration\.(serve_|abuse_(slowloris|tls|limits))'}
command -v valgrind >/dev/null || { echo "valgrind not installed" >&2; exit 2; }
cmake -S . -B build-vg -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-vg -j"$(nproc 2>/dev/null || echo 2)" --target rfguard
logs=$PWD/build-vg/valgrind
rm -rf "$logs"
mkdir -p "$logs"
# The tests run whatever binary they are given: give them a wrapper.
cat >build-vg/rfguard-vg <<WRAP
#!/bin/sh
exec valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \\
    --log-file="$logs/vg.%p.log" "$PWD/build-vg/rfguard" "\$@"
WRAP
chmod +x build-vg/rfguard-vg
fails=0
for t in tests/integration/*.sh; do
    name=integration.$(basename "$t" .sh)
    [[ $name =~ $regex ]] || continue
    echo "== $name (under valgrind)"
    rc=0
    timeout 900 bash "$t" "$PWD/build-vg/rfguard-vg" "$PWD" "$PWD/build-vg" \
        >"$logs/$name.out" 2>&1 || rc=$?
    case $rc in
    0) echo "   passed" ;;
    77) echo "   skipped" ;;
    *) echo "   FAILED (exit $rc): see $logs/$name.out"; fails=1 ;;
    esac
done
nlogs=$(find "$logs" -name 'vg.*.log' | wc -l)
bad=$(find "$logs" -name 'vg.*.log' -size +0 | wc -l)
echo "== $nlogs rfguard processes ran under valgrind; $bad reported something"
for f in $(find "$logs" -name 'vg.*.log' -size +0); do
    echo "--- $f"
    head -n 40 "$f"
    fails=1
done
exit "$fails"
