#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# rule_docs.sh - ctest cli.rule_docs: `rfguard explain` and the rule docs
# as a user meets them. Every rule `rfguard rules` lists has a
# docs/rules/<id>.md and every doc is such a rule; `rfguard explain ID`
# prints the doc and cites nothing a user cannot follow; an unknown id
# is a usage error. The Fails example of each rule, linted by the binary
# with the target its first line names, reports the rule and the Passes
# example does not (update rules compare two objects, which lint cannot:
# unit.rule_docs evaluates those, and checks the complete set of rules
# each example reports).
# Usage: rule_docs.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-rule-docs

"$rfguard" rules >"$work/rules"
ids=$(awk 'NR > 1 && NF > 1 && $1 ~ /^[a-z][a-z0-9-]*$/ {print $1}' "$work/rules")
updates=" $(awk '/\[update\]/ {print $1}' "$work/rules" | tr '\n' ' ')"
n=$(echo "$ids" | wc -l)
if [ "$n" -ge 60 ]; then ok "rfguard rules lists $n rules"; else
    bad "rfguard rules lists $n rules"; fi

# The docs folder and the catalogue name the same rules.
docs=$(cd "$src/docs/rules" && ls ./*.md | sed 's|^\./||; s|\.md$||')
if [ "$(echo "$ids" | sort)" = "$(echo "$docs" | sort)" ]; then
    ok "docs/rules has one doc per rule, and no other"
else
    bad "docs/rules and the catalogue differ:"
    diff <(echo "$ids" | sort) <(echo "$docs" | sort)
fi

# block FILE SECTION: the ```yaml block under "## SECTION" of FILE.
block() {
    awk -v sec="## $2" '
        $0 == sec { in_sec = 1; next }
        in_sec && /^## / { exit }
        in_sec && !in_yaml && $0 == "```yaml" { in_yaml = 1; next }
        in_yaml && $0 == "```" { exit }
        in_yaml { print }' "$1"
}

# lint_rules FILE: the rule ids `rfguard lint` reports for FILE.
lint_rules() {
    local target
    target=$(sed -n '1s/^# rfguard lint --target //p' "$1")
    "$rfguard" lint --format json ${target:+--target "$target"} "$1" \
        2>"$work/lint.err" |
        sed -n 's/^[[:space:]]*"rule":[[:space:]]*"\([a-z0-9-]*\)",*$/\1/p' |
        sort -u
}

explain_bad=0
examples_bad=0
nupdate=0
for id in $ids; do
    doc=$src/docs/rules/$id.md
    if ! "$rfguard" explain "$id" >"$work/explain" 2>"$work/err"; then
        bad "rfguard explain $id fails"
        explain_bad=$((explain_bad + 1))
        continue
    fi
    for want in "$id (default: " "# $id: " "## Why" "## Fails" "## Passes" \
                "## Fix"; do
        if ! grep -qF -- "$want" "$work/explain"; then
            bad "rfguard explain $id: no '$want'"
            explain_bad=$((explain_bad + 1))
        fi
    done
    if grep -nE 'rules\.md|§|README\.md:' "$work/explain" "$doc"; then
        bad "rfguard explain $id cites notes users do not have"
        explain_bad=$((explain_bad + 1))
    fi
    if [[ "$updates" == *" $id "* ]]; then
        nupdate=$((nupdate + 1))
        continue
    fi
    block "$doc" Fails >"$work/fails.yaml"
    block "$doc" Passes >"$work/passes.yaml"
    if ! lint_rules "$work/fails.yaml" | grep -qx -- "$id"; then
        bad "$id: the Fails example does not report $id"
        examples_bad=$((examples_bad + 1))
    fi
    if lint_rules "$work/passes.yaml" | grep -qx -- "$id"; then
        bad "$id: the Passes example reports $id"
        examples_bad=$((examples_bad + 1))
    fi
done
[ "$explain_bad" = 0 ] && ok "rfguard explain prints every doc, citing nothing users lack"
[ "$examples_bad" = 0 ] && ok "rfguard lint: every Fails example reports its rule, no Passes example does ($nupdate update rules left to unit.rule_docs)"

# SARIF points each rule's helpUri at its doc in the project's repository.
"$rfguard" lint --format sarif "$src/tests/lint/headline.yaml" >"$work/out.sarif"
uris=$(sed -n 's/^[[:space:]]*"helpUri":[[:space:]]*"\([^"]*\)",*$/\1/p' "$work/out.sarif")
sarif_bad=0
for u in $uris; do
    case $u in
    https://github.com/rfguard/rfguard/blob/main/docs/rules/*.md)
        [ -f "$src/docs/rules/${u##*/}" ] || { bad "SARIF helpUri $u: no such doc"; sarif_bad=1; } ;;
    *) bad "SARIF helpUri $u is not a rule doc"; sarif_bad=1 ;;
    esac
done
if [ -n "$uris" ] && [ "$sarif_bad" = 0 ]; then
    ok "SARIF helpUri of $(echo "$uris" | wc -l) rules points at their docs"
elif [ -z "$uris" ]; then
    bad "SARIF output has no helpUri"
fi

"$rfguard" explain no-such-rule >"$work/out" 2>"$work/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "unknown rule 'no-such-rule'" "$work/err"; then
    ok "rfguard explain no-such-rule: usage error"
else
    bad "rfguard explain no-such-rule: exit $rc"; cat "$work/err"
fi
cli_finish
