#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# warnings.sh - ctest cli.warnings: every finding's brief fits one
# admission warning whole. A finding message reads "BRIEF: consequence",
# BRIEF being the text before the first ": " outside quotes, parentheses
# and brackets ("cannot verify: WHY" keeps the brief of WHY too); when
# "[id] message" is too long for a warning, the webhook sends
# "[id] BRIEF (rfguard explain id)" or "[id] BRIEF" (src/webhook/review.c,
# rules_msg_brief in src/rules/rules.h). This lints every rule fixture
# (tests/rules), every example (examples/) and the Fails and Passes
# examples of docs/rules/*.md, each block with the target its first line
# names, and checks each finding's "[id] BRIEF": at most 119 bytes (the
# webhook's REVIEW_WARN_MAX_LEN), not empty, not ending in a dangling
# word or punctuation, and free of file positions (those belong after
# the ": "). Exempt from the length: a brief with a name or field path
# of more than 48 bytes (a deep schema-type path, a 49-character name),
# where the webhook's last resort, a cut, is expected; they are counted,
# and must stay few.
# Usage: warnings.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
cli_workdir "$build" cli-warnings

# The docs' examples, one file per block, sorted by the target they name.
mkdir -p "$work/docs"
for doc in "$src"/docs/rules/*.md; do
    id=$(basename "$doc" .md)
    for sec in Fails Passes; do
        awk -v sec="## $sec" '
            $0 == sec { in_sec = 1; next }
            in_sec && /^## / { exit }
            in_sec && !in_yaml && $0 == "```yaml" { in_yaml = 1; next }
            in_yaml && $0 == "```" { exit }
            in_yaml { print }' "$doc" >"$work/docs/$id-$sec.yaml"
        [ -s "$work/docs/$id-$sec.yaml" ] || rm -f "$work/docs/$id-$sec.yaml"
    done
done
ndocs=$(ls "$work/docs" | wc -l)
if [ "$ndocs" -ge 100 ]; then ok "$ndocs doc examples extracted"; else
    bad "only $ndocs doc examples extracted"; fi

# lint_json OUT ARGS...: the findings of one lint run, as JSON in OUT.
lint_json() {
    local out=$1
    shift
    "$rfguard" lint --format json "$@" >"$out" 2>>"$work/lint.err"
    [ -s "$out" ] || bad "rfguard lint $* printed no JSON"
}
n=0
lint_json "$work/f$((n += 1)).json" "$src/tests/rules" "$src/examples"
for f in "$work"/docs/*.yaml; do
    target=$(sed -n '1s/^# rfguard lint --target //p' "$f")
    [ -n "$target" ] || continue
    lint_json "$work/f$((n += 1)).json" --target "$target" "$f"
    rm -f "$f"
done
lint_json "$work/f$((n += 1)).json" "$work/docs"

python3 - "$work"/f*.json <<'EOF'
import json, re, sys

MAX = 119       # REVIEW_WARN_MAX_LEN: kubectl shows each warning on a line
DANGLING_WORDS = {"a", "an", "and", "as", "at", "but", "by", "for", "from",
                  "in", "is", "its", "of", "on", "or", "so", "that", "the",
                  "to", "which", "with"}
POSITION = re.compile(r"\.(ya?ml|json):\d+|<stdin>:\d+")

def word_char(c):
    return c.isascii() and c.isalnum()

def brief(m):
    """rules_msg_brief, as src/rules/rules_report.c computes it."""
    i, depth, quote, n = 0, 0, None, len(m)
    if m.startswith("cannot verify: "):
        i = len("cannot verify: ")
    while i < n:
        c = m[i]
        if quote:
            if c == quote and (quote != "'" or i + 1 >= n
                               or not word_char(m[i + 1])):
                quote = None
        elif c in "\"`" or (c == "'" and (i == 0 or not word_char(m[i - 1]))):
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= depth > 0
        elif c == ":" and i + 1 < n and m[i + 1] == " " and depth == 0:
            break
        i += 1
    return m[:i].rstrip(" ")

# The checker must catch what it is for.
assert brief("x is bad: why") == "x is bad"
assert brief("defined (a.yaml:3, b: c): why") == "defined (a.yaml:3, b: c)"
assert brief("the operator's 'a: b' line: why") == "the operator's 'a: b' line"
assert POSITION.search("defined (a.yaml:3, b.yaml:9)")

def problems(rule, msg):
    b = brief(msg)
    line = "[%s] %s" % (rule, b)
    out = []
    if not b.strip():
        out.append("empty brief")
        return out
    if len(line.encode()) > MAX:
        out.append("%d bytes" % len(line.encode()))
    last = b.rstrip()[-1]
    if last in " ,;:([{=-" or b.split()[-1].lower() in DANGLING_WORDS:
        out.append("ends in a dangling '%s'" % b.split()[-1])
    if POSITION.search(b):
        out.append("carries a file position")
    return out

total = exempt = 0
bad = {}
for path in sys.argv[1:]:
    for f in json.load(open(path))["findings"]:
        total += 1
        rule, msg = f["rule"], f["message"]
        longest = max(len(w.encode()) for w in (brief(msg) or "-").split())
        p = problems(rule, msg)
        if len(p) == 1 and p[0].endswith(" bytes") and longest > 48:
            exempt += 1
            continue
        if p:
            bad.setdefault(rule, []).append((p, "[%s] %s" % (rule, brief(msg))))
for rule, v in sorted(bad.items()):
    print("FAIL %s (%d findings), e.g. %s: %s"
          % (rule, len(v), ", ".join(v[0][0]), v[0][1]))
print("checked %d findings, %d exempt (a name or path over 48 bytes)"
      % (total, exempt))
ok = total > 3000 and not bad and exempt <= 10
sys.exit(0 if ok else 1)
EOF
if [ $? = 0 ]; then
    ok "every finding's [id] BRIEF fits one warning, whole and position-free"
else
    bad "some briefs do not fit one warning (see above)"
fi
cli_finish
