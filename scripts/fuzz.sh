#!/usr/bin/env bash
# Build the libFuzzer targets (clang, ASan + UBSan, -DRFG_FUZZ=ON) in
# build-fuzz/ and run each for SECONDS seconds (default 60), JOBS targets
# at a time (default: the number of CPUs). Each target starts from its
# committed corpus (tests/fuzz/corpus/<t>/) plus what earlier runs found
# (build-fuzz/corpus/<t>/, not committed; review_scan starts from
# review's corpus); crashes land in
# build-fuzz/artifacts/<t>/ and the log in build-fuzz/logs/<t>.log, whose
# last "#N DONE" line gives the executions. Exit 1 if any target crashed.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   e.g. scripts/fuzz.sh 600            all targets, 10 minutes each
#        scripts/fuzz.sh 60 ydoc jpatch
# A crasher is reproduced with build-fuzz/fuzz/fuzz_<t> <file>; commit it
# as tests/fuzz/corpus/<t>/crash-<what> together with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ydoc review review_scan policy jpatch yedit)
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
case "$secs" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a number" >&2; exit 2;; esac

CC=clang cmake -S . -B build-fuzz -DRFG_FUZZ=ON \
    -DRFG_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$jobs" $(printf -- '--target fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p build-fuzz/logs
run_one() {
    local t=$1
    mkdir -p "build-fuzz/corpus/$t" "build-fuzz/artifacts/$t"
    # -rss_limit_mb and -timeout turn runaway memory or time into
    # findings; -max_len keeps inputs at what a webhook or a repository
    # file could plausibly hold per node.
    "build-fuzz/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=20 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/artifacts/$t/" \
        "build-fuzz/corpus/$t" "tests/fuzz/corpus/${t%_scan}" \
        >"build-fuzz/logs/$t.log" 2>&1
}
fails=0
pids=()
names=()
for t in "${targets[@]}"; do
    [ -f "tests/fuzz/fuzz_$t.c" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
    echo "== fuzz_$t for ${secs}s"
    run_one "$t" &
    pids+=($!)
    names+=("$t")
done
for i in "${!pids[@]}"; do
    t=${names[$i]}
    if wait "${pids[$i]}"; then
        status=ok
    else
        status=CRASH
        fails=1
    fi
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
        "build-fuzz/logs/$t.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz_$t: $status, ${execs} executions (build-fuzz/logs/$t.log)"
done
exit "$fails"
