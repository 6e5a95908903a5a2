#!/usr/bin/env bash
# bench/lint.sh - rfguard lint against a bare libyaml parse of the same
# files (bench/yaml_parse.c: the baseline), on one core. Not a test: it
# prints Markdown tables for the README.
#
# Usage: bench/lint.sh [path/to/rfguard] [N]
#   N failovers (default 100000), each with its own Secret, in files of
#   100 (bench/gen_corpus.py), cached in bench-lint/corpus-N next to the
#   rfguard binary (build/rfguard by default).
#   RUNS=K (default 5, at least 3) rounds; each round runs the bare
#   parse, `rfguard lint --jobs 1` (both pinned to one CPU) and
#   `rfguard lint` on all cores, one after the other, so that a noisy
#   neighbour hits the sides alike. For each side the tables give the
#   min/median/max of wall time and of CPU time (user + system), and the
#   ratio lint/parse computed round by round. Memory: the max RSS of
#   `lint --jobs 1` and that divided by N (an upper bound of what lint
#   keeps per failover until the cluster-wide rules run), and the
#   marginal cost, (max RSS at N - max RSS at N/2) / (N/2), which leaves
#   out what does not grow with N (the binary, the compiled schemas).
# A quick run that checks the script end to end: bench/lint.sh "" 2000
# (a few seconds). Needs python3, a C compiler, libyaml's headers and GNU
# time (/usr/bin/time); taskset is used when present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rfguard=${1:-}
[ -n "$rfguard" ] || rfguard=$root/build/rfguard
n=${2:-100000}
runs=${RUNS:-5}
[ "$runs" -ge 3 ] || runs=3
work=$(cd "$(dirname "$rfguard")" && pwd)/bench-lint
corpus=$work/corpus-$n
tm=/usr/bin/time

if [ ! -x "$rfguard" ]; then
    echo "bench/lint.sh: no rfguard at $rfguard" >&2
    exit 2
fi
if [ ! -x "$tm" ]; then
    echo "bench/lint.sh: GNU time ($tm) is needed" >&2
    exit 2
fi
mkdir -p "$work"
cc -O2 -o "$work/yaml_parse" "$here/yaml_parse.c" \
    $(pkg-config --cflags --libs yaml-0.1)
half=$((n / 2))
for c in "$n" "$half"; do
    if [ ! -f "$work/corpus-$c/.done" ]; then
        rm -rf "$work/corpus-$c"
        python3 "$here/gen_corpus.py" "$work/corpus-$c" "$c" 100
        touch "$work/corpus-$c/.done"
    fi
done
files=$(find "$corpus" -name '*.yaml' | wc -l)
bytes=$(find "$corpus" -name '*.yaml' -exec cat {} + | wc -c)
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""

# One timed run of "$@": appends "wall cpu maxrss_kb" to the file $out.
timed() {
    local out=$1
    shift
    "$tm" -o "$work/time.out" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || {
        echo "bench/lint.sh: failed: $*" >&2
        exit 1
    }
    awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time.out" >>"$out"
}

rm -f "$work"/run.*
for ((i = 0; i < runs; i++)); do
    timed "$work/run.parse" $pin "$work/yaml_parse" "$corpus"/*.yaml
    timed "$work/run.lint1" $pin "$rfguard" lint --jobs 1 --quiet "$corpus"
    timed "$work/run.lintn" "$rfguard" lint --quiet "$corpus"
done
timed "$work/run.half" $pin "$rfguard" lint --jobs 1 --quiet \
    "$work/corpus-$half"
"$rfguard" lint --jobs 1 --no-color "$corpus" | tail -1

# min/median/max of column $2 of file $1, formatted with $3 (a printf
# format for one number).
stats() {
    sort -g <(awk -v c="$2" '{ print $c }' "$1") | awk -v f="$3" '
        { v[NR] = $1 }
        END {
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
            printf f " / " f " / " f, v[1], m, v[NR];
        }'
}

# Per-round ratios lint/parse: column $2 of $1 over the same of run.parse.
ratios() {
    paste -d ' ' "$1" "$work/run.parse" | awk -v c="$2" '
        { n = NF / 2; print ($(c + n) > 0 ? $c / $(c + n) : 0) }' \
        >"$work/ratio.tmp"
    stats "$work/ratio.tmp" 1 "%.2fx"
}

cores=$(nproc 2>/dev/null || echo "?")
echo
echo "Corpus: $n failovers + $n Secrets, $files files, $(awk -v b="$bytes" \
    'BEGIN { printf "%.1f MB", b / 1e6 }'); $runs alternated rounds;" \
    "min / median / max."
echo
echo "| side | wall time | CPU time (user + sys) | wall vs parse | CPU vs parse | failovers/s (median wall) |"
echo "|---|---|---|---|---|---|"
for side in parse lint1 lintn; do
    case $side in
    parse) name="bare libyaml parse, 1 core" ;;
    lint1) name="rfguard lint --jobs 1" ;;
    lintn) name="rfguard lint, $cores cores" ;;
    esac
    med=$(stats "$work/run.$side" 1 "%s" | awk '{ print $3 }')
    if [ "$side" = parse ]; then
        vs_wall="1x"
        vs_cpu="1x"
    else
        vs_wall=$(ratios "$work/run.$side" 1)
        vs_cpu=$(ratios "$work/run.$side" 2)
    fi
    printf '| %s | %s s | %s s | %s | %s | %s |\n' "$name" \
        "$(stats "$work/run.$side" 1 "%.2f")" \
        "$(stats "$work/run.$side" 2 "%.2f")" "$vs_wall" "$vs_cpu" \
        "$(awk -v n="$n" -v t="$med" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')"
done
echo
echo "| side | max RSS | max RSS / N | marginal, per failover |"
echo "|---|---|---|---|"
rss_half=$(awk '{ print $3 }' "$work/run.half")
for side in parse lint1; do
    name="bare libyaml parse"
    [ "$side" = lint1 ] && name="rfguard lint --jobs 1"
    rss=$(sort -g <(awk '{ print $3 }' "$work/run.$side") | tail -1)
    awk -v name="$name" -v r="$rss" -v h="$rss_half" -v n="$n" \
        -v half="$half" -v side="$side" 'BEGIN {
        m = side == "lint1" && half > 0 ? \
            sprintf("%.2f KB", (r - h) / (n - half)) : "-";
        printf "| %s | %.1f MB | %.2f KB | %s |\n", name, r / 1024, r / n, m }'
done
