#!/usr/bin/env bash
# bench/lint.sh - rfguard lint throughput against a bare libyaml parse of
# the same files, on one core. Not a test: it prints a table for the
# README. Usage: bench/lint.sh [path/to/rfguard] [N]
# Builds bench/yaml_parse.c, writes a corpus of N (default 100000)
# RedisFailovers + Secrets in files of 100 under build/bench-corpus, runs
# each side 3 times pinned to one CPU and keeps the best run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rfguard=${1:-$root/build/rfguard}
n=${2:-100000}
work=$root/build/bench-lint
mkdir -p "$work"
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq time >/dev/null   # GNU time, for max RSS
fi
cc -O2 -o "$work/yaml_parse" "$here/yaml_parse.c" $(pkg-config --cflags --libs yaml-0.1)
if [ ! -f "$work/corpus.$n" ]; then
    rm -rf "$work/corpus"
    python3 "$here/gen_corpus.py" "$work/corpus" "$n" 100
    touch "$work/corpus.$n"
fi
files=$(ls "$work/corpus"/*.yaml | wc -l)
bytes=$(cat "$work/corpus"/*.yaml | wc -c)
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""

best() { # best wall time in seconds of 3 runs of "$@"
    local b="" t
    for _ in 1 2 3; do
        t=$( { TIMEFORMAT=%R; time "$@" >/dev/null 2>&1; } 2>&1 )
        if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    done
    echo "$b"
}

t_parse=$(best $pin "$work/yaml_parse" "$work"/corpus/*.yaml)
t_lint=$(best $pin "$rfguard" lint --jobs 1 --quiet "$work/corpus")
t_lint2=$(best "$rfguard" lint --quiet "$work/corpus")
"$rfguard" lint --jobs 1 --no-color "$work/corpus" | tail -1
rss=$( { /usr/bin/env time -f %M "$rfguard" lint --jobs 1 --quiet "$work/corpus" >/dev/null; } 2>&1 | tail -1) || rss="?"
awk -v n="$n" -v p="$t_parse" -v l="$t_lint" -v l2="$t_lint2" -v f="$files" \
    -v b="$bytes" -v rss="$rss" 'BEGIN {
    printf "| corpus | bare libyaml parse (1 core) | rfguard lint --jobs 1 | ratio | failovers/s (1 core) | rfguard lint, all cores | max RSS |\n";
    printf "|---|---|---|---|---|---|---|\n";
    printf "| %d failovers + %d Secrets, %d files, %.1f MB | %.2f s | %.2f s | %.2fx | %.0f | %.2f s (%.0f/s) | %.0f MB |\n",
        n, n, f, b / 1e6, p, l, l / p, n / l, l2, n / l2, rss / 1024;
}'
