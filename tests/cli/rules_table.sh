#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# rules_table.sh - ctest cli.rules_table: the README's per-operator table
# of rules is what scripts/rules-table.sh makes from the built catalogue.
# First the script itself: every rule has one row, the cells of each kind
# column are the rules `rfguard rules --kind KIND` lists, and --check and
# --update behave on a scratch file. Then README.md: when its section
# (between <!-- rules-table:begin --> and <!-- rules-table:end -->)
# differs, the test fails with the diff and the command that regenerates
# it. While README.md has no such markers there is nothing to compare:
# the test is skipped (77) after the script's own checks.
# Usage: rules_table.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
script=$src/scripts/rules-table.sh
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 is not installed (scripts/rules-table.sh needs it)"
    exit 77
fi
cli_workdir "$build" cli-rules-table

expect_exit 0 "rules-table.sh prints the section" \
    "$script" --rfguard "$rfguard"
cp "$work/out" "$work/section"
if [ "$(head -1 "$work/section")" = "<!-- rules-table:begin -->" ] &&
    [ "$(tail -1 "$work/section")" = "<!-- rules-table:end -->" ]; then
    ok "the section starts and ends with its markers"
else
    bad "the section's first and last lines are not the markers"
fi

# rows: "id cell cell cell" per rule, from the table (empty cells as -)
awk -F' [|] ' '/^[|] \[`/ {
        id = $1; sub(/^[|] \[`/, "", id); sub(/`.*/, "", id)
        line = id
        for (i = 2; i <= NF; i++) {
            c = $i; sub(/ *[|]$/, "", c); gsub(/ /, "", c)
            line = line " " (c == "" ? "-" : c)
        }
        print line
    }' "$work/section" >"$work/rows"
"$rfguard" rules -o json >"$work/rules.json"
python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rules"]:
    print(r["id"])' "$work/rules.json" >"$work/ids"
if [ -s "$work/ids" ] && diff <(cut -d' ' -f1 "$work/rows") "$work/ids"; then
    ok "one row per rule, in catalogue order ($(wc -l <"$work/ids") rules)"
else
    bad "the table's rows and the catalogue differ"
fi

# Each kind column has a mark exactly where `rfguard rules --kind` lists
# the rule (the C filter and the script agree).
col=2
for kind in RedisFailover RedisSentinel RedisReplication; do
    "$rfguard" rules --kind "$kind" |
        awk 'NR > 1 && $1 ~ /^[a-z][a-z0-9-]*$/ {print $1}' >"$work/want"
    awk -v c="$col" '$c != "-" {print $1}' "$work/rows" >"$work/got"
    if [ -s "$work/want" ] && diff "$work/want" "$work/got" >"$work/d"; then
        ok "the $kind column marks the $(wc -l <"$work/want") rules 'rfguard rules --kind $kind' lists"
    else
        bad "the $kind column and 'rfguard rules --kind $kind' differ:"
        cat "$work/d"
    fi
    col=$((col + 1))
done
# A RedisFailover-only rule that lists every target is marked for
# RedisFailover alone; a rule limited to some targets names them.
if grep -qx 'port-change ✓ - -' "$work/rows"; then
    ok "port-change: RedisFailover under every RedisFailover target"
else
    bad "port-change row: $(grep '^port-change ' "$work/rows")"
fi
limited=$(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["rules"]:
    if r["kinds"] == ["RedisFailover"] and len(r["targets"]) < 3:
        print(r["id"], ",".join(r["targets"]))
        break' "$work/rules.json")
if [ -z "$limited" ]; then
    ok "no rule is limited to some RedisFailover targets"
elif grep -qx "${limited%% *} ${limited#* } - -" "$work/rows"; then
    ok "${limited%% *}: its cell names ${limited#* }"
else
    bad "${limited%% *} row: $(grep "^${limited%% *} " "$work/rows")"
fi

# --check and --update on a scratch copy
printf '# doc\n\nbefore\n\n<!-- rules-table:begin -->\nold\n<!-- rules-table:end -->\n\nafter\n' \
    >"$work/doc.md"
expect_exit 1 "--check on a stale section" \
    "$script" --rfguard "$rfguard" --check "$work/doc.md"
if grep -q '^-old$' "$work/out" &&
    grep -qF -- "--update $work/doc.md" "$work/err"; then
    ok "--check shows the diff and the command that fixes it"
else
    bad "--check output:"; cat "$work/out" "$work/err"
fi
expect_exit 0 "--update" "$script" --rfguard "$rfguard" --update "$work/doc.md"
expect_exit 0 "--check after --update" \
    "$script" --rfguard "$rfguard" --check "$work/doc.md"
if [ "$(head -4 "$work/doc.md")" = "$(printf '# doc\n\nbefore\n')" ] &&
    [ "$(tail -3 "$work/doc.md")" = "$(printf '<!-- rules-table:end -->\n\nafter')" ] &&
    diff <(sed -n '/^<!-- rules-table:begin -->$/,/^<!-- rules-table:end -->$/p' \
        "$work/doc.md") "$work/section" >/dev/null; then
    ok "--update replaces the section and keeps the rest"
else
    bad "--update result:"; cat "$work/doc.md"
fi
cp "$work/doc.md" "$work/doc.before"
expect_exit 0 "--update again" "$script" --rfguard "$rfguard" --update "$work/doc.md"
if cmp -s "$work/doc.md" "$work/doc.before" &&
    grep -q "up to date" "$work/err"; then
    ok "a second --update changes nothing"
else
    bad "a second --update changed the file"
fi
printf '# doc\n' >"$work/none.md"
expect_exit 2 "--check on a file without markers" \
    "$script" --rfguard "$rfguard" --check "$work/none.md"
if grep -q "needs one line '<!-- rules-table:begin -->'" "$work/err"; then
    ok "a file without markers: the error says where they go"
else
    bad "no-marker error:"; cat "$work/err"
fi
expect_exit 2 "an unknown option" "$script" --bogus

# README.md itself
readme=$src/README.md
if ! grep -qxF '<!-- rules-table:begin -->' "$readme" &&
    ! grep -qxF '<!-- rules-table:end -->' "$readme"; then
    cli_finish || exit 1
    echo "SKIP: README.md has no rules table yet: add the lines"
    echo "  <!-- rules-table:begin --> and <!-- rules-table:end --> where it"
    echo "  goes, then run scripts/rules-table.sh --update README.md"
    exit 77
fi
if "$script" --rfguard "$rfguard" --check "$readme" >"$work/out" 2>"$work/err"
then
    ok "README.md's rules table matches the catalogue"
else
    bad "README.md's rules table differs from the catalogue:"
    cat "$work/out" "$work/err"
fi
cli_finish
