#!/usr/bin/env bash
# bench/lint-scale.sh - how rfguard lint's CPU time grows with the shape
# of the cluster, for the README. Not a test. Three corpora of small
# RedisFailovers (no auth, in files of 100):
#   unique       every failover on its own redis port, with its own name
#   classes100   100 failovers per redis port
#   all-default  every failover on the default identity (port 6379, no
#                auth, master name mymaster): one class holds them all
# at each size in SIZES (default "5000 20000 50000"). Each cell runs
# rfguard lint RUNS times (default 3), the corpora alternated within a
# round, and reports CPU time (user + sys) and max RSS from GNU time as
# min / median / max, and the ratio of all-default (and classes100) to
# unique at the same size (median over median).
# Usage: bench/lint-scale.sh [path/to/rfguard]
# A quick run: SIZES="2000 5000" RUNS=3 bench/lint-scale.sh build/rfguard
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
rfguard=${1:-$root/build/rfguard}
sizes=${SIZES:-5000 20000 50000}
runs=${RUNS:-3}
work=${WORK:-$root/build/bench-lint-scale}
shapes="unique classes100 all-default"
mkdir -p "$work"
if [ ! -x /usr/bin/time ]; then
    echo "lint-scale.sh: needs GNU time (/usr/bin/time)" >&2
    exit 1
fi

# gen DIR SHAPE N: write the corpus once (a stamp file marks it done).
gen() {
    [ -f "$1.done" ] && return
    rm -rf "$1"
    python3 - "$1" "$2" "$3" <<'EOF'
import os, sys
out, shape, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out)
per = 100
for f in range(0, n, per):
    docs = []
    for i in range(f, min(n, f + per)):
        if shape == "unique":
            port = "\n    port: %d" % (10000 + i)
        elif shape == "classes100":
            port = "\n    port: %d" % (10000 + i // 100)
        else:
            port = ""
        docs.append("""---
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: rf%d
  namespace: team%d
spec:
  sentinel:
    replicas: 3
  redis:
    replicas: 3%s
""" % (i, i % 50, port))
    with open(os.path.join(out, "f%06d.yaml" % f), "w") as fh:
        fh.write("".join(docs))
EOF
    touch "$1.done"
}

# one DIR: "cpu_seconds rss_kb" of one lint run (findings make exit 1).
one() {
    /usr/bin/time -f '%U %S %M' -o "$work/time.out" \
        "$rfguard" lint --quiet "$1" >/dev/null 2>&1 || true
    tail -n 1 "$work/time.out" | awk '{ printf "%.3f %d\n", $1 + $2, $3 }'
}

for n in $sizes; do
    for s in $shapes; do
        gen "$work/$s.$n" "$s" "$n"
        : >"$work/res.$s.$n"
    done
    for _ in $(seq "$runs"); do
        for s in $shapes; do
            one "$work/$s.$n" >>"$work/res.$s.$n"
        done
    done
done

# stats FILE COL: "min median max" of column COL.
stats() {
    cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%s %s %s\n", v[1], m, v[NR] }'
}

echo "| failovers | shape | CPU s (min / median / max) | max RSS MB (median) | CPU vs unique (median) |"
echo "|---|---|---|---|---|"
for n in $sizes; do
    base=$(stats "$work/res.unique.$n" 1 | cut -d' ' -f2)
    for s in $shapes; do
        read -r lo med hi <<<"$(stats "$work/res.$s.$n" 1)"
        rss=$(stats "$work/res.$s.$n" 2 | cut -d' ' -f2)
        awk -v n="$n" -v s="$s" -v lo="$lo" -v med="$med" -v hi="$hi" \
            -v rss="$rss" -v base="$base" 'BEGIN {
            printf "| %d | %s | %.2f / %.2f / %.2f | %.0f | %.2fx |\n",
                n, s, lo, med, hi, rss / 1024, (base > 0 ? med / base : 0) }'
    done
done
echo
echo "$runs runs per cell, shapes alternated; rfguard lint --quiet (all cores), CPU = user + sys."
