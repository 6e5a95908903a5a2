#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# limits.sh - ctest cli.limits: every hostile-input limit of the YAML
# loader, end to end through `rfguard lint`: alias expansion (billion
# laughs), nesting depth, scalar, document and file size, node and
# document count, and bytes that are not UTF-8. Each must fail fast with exit 2
# and a message naming the limit at file:line:col (the file-size limit,
# checked before parsing, names the file only). A valid file next to the
# hostile one is still linted. The webhook's limits (body size, JSON
# nesting, non-UTF-8 bodies) are tested by tests/integration/
# abuse_limits.sh. Nothing is timed (bench/ measures speed): `timeout`
# with RFG_WAIT seconds (default 180) only turns a hang into a failure.
# Usage: limits.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-limits
hang=${RFG_WAIT:-180}

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found"
    exit 77
fi

# Generate the hostile files (python3 writes them quickly and exactly).
python3 - "$work" <<'PY'
import sys
d = sys.argv[1]
def w(name, data, mode="w"):
    with open(f"{d}/{name}", mode) as f:
        f.write(data)
# Billion laughs: 9 levels of 10 aliases = 10^9 nodes if expanded.
lol = ['a0: &a0 ["lol"]']
for i in range(1, 10):
    lol.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
w("laughs.yaml", "\n".join(lol) + "\n")
# Nesting: 200 flow sequences, and 200 block mappings.
w("deep-flow.yaml", "x: " + "[" * 200 + "]" * 200 + "\n")
w("deep-block.yaml", "".join("  " * i + f"k{i}:\n" for i in range(200)) +
  "  " * 200 + "v\n")
# A scalar of 1 MiB + 1 byte (the limit is 1 MiB).
w("scalar.yaml", "a: ok\nbig: " + "x" * ((1 << 20) + 1) + "\n")
# A document of 9 MiB (the limit is 8 MiB), made of legal scalars.
w("doc.yaml", "".join(f"k{i}: {'y' * 1000000}\n" for i in range(9)))
# One document of 1000001 nodes (the limit is 1000000), 2 MiB of text.
w("nodes.yaml", "[" + "1," * 1000000 + "1]\n")
# 100001 documents (the limit is 100000).
w("docs.yaml", "a: 1\n---\n" * 100000 + "a: 1\n")
# A file of 64 MiB + 1 byte (the limit is 64 MiB): one long comment.
w("huge.yaml", "#" + " " * (64 << 20) + "\n")
# Not UTF-8: a Latin-1 byte in a value on line 3, and UTF-16 garbage.
w("latin1.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata:\n  k: caf\xe9\n",
  "wb")
w("badutf8.yaml", b"a: 1\nb: \xc3\x28\n", "wb")
w("overlong.yaml", b"a: \xc0\xaf\n", "wb")
w("surrogate.yaml", b"a: \xed\xa0\x80\n", "wb")
PY
cp "$src/tests/fixtures/yaml/redisfailover.yaml" "$work/good.yaml"

# expect_limit FILE WANT-REGEX DESC: exit 2 and the message matches.
expect_limit() {
    local file=$1 want=$2 desc=$3 rc
    timeout "$hang" "$rfguard" lint "$work/$file" "$work/good.yaml" \
        >"$work/out" 2>"$work/err"
    rc=$?
    if [ "$rc" = 124 ]; then
        bad "$desc: no result after $hang s (a hang?)"
        return
    fi
    if [ "$rc" != 2 ]; then
        bad "$desc: exit $rc, want 2"
        head -c 2000 "$work/out" "$work/err"
        return
    fi
    if ! grep -Eq -- "$want" "$work/out" "$work/err"; then
        bad "$desc: no '$want' in the output"
        head -c 2000 "$work/out" "$work/err"
        return
    fi
    # The good file is still linted: its findings (rf1 has no auth) show.
    if ! grep -q "good.yaml:" "$work/out" "$work/err"; then
        bad "$desc: the valid file next to it was not linted"
        head -c 2000 "$work/out" "$work/err"
        return
    fi
    ok "$desc: $(grep -Eo -- "$want" "$work/out" \
        "$work/err" | head -n1 | cut -c1-120)"
}

expect_limit laughs.yaml "laughs\.yaml:[0-9]+:[0-9]+: .*alias" \
    "billion laughs"
expect_limit deep-flow.yaml "deep-flow\.yaml:1:[0-9]+: .*(depth|nest)" \
    "flow nesting depth"
expect_limit deep-block.yaml "deep-block\.yaml:[0-9]+:[0-9]+: .*(depth|nest)" \
    "block nesting depth"
expect_limit scalar.yaml "scalar\.yaml:2:[0-9]+: .*scalar" \
    "scalar over 1 MiB"
expect_limit doc.yaml "doc\.yaml:[0-9]+:[0-9]+: .*document" \
    "document over 8 MiB"
expect_limit nodes.yaml "nodes\.yaml:1:[0-9]+: .*nodes" \
    "more than 1000000 nodes in a document"
expect_limit docs.yaml "docs\.yaml:[0-9]+:[0-9]+: .*documents" \
    "more than 100000 documents"
expect_limit huge.yaml "huge\.yaml: .*larger than 64 MiB" \
    "file over 64 MiB"
expect_limit latin1.yaml "latin1\.yaml:4:[0-9]+: .*(UTF-8|utf-8)" \
    "Latin-1 byte"
expect_limit badutf8.yaml "badutf8\.yaml:2:[0-9]+: .*(UTF-8|utf-8)" \
    "invalid UTF-8 continuation"
expect_limit overlong.yaml "overlong\.yaml:1:[0-9]+: .*(UTF-8|utf-8)" \
    "overlong UTF-8 encoding"
expect_limit surrogate.yaml "surrogate\.yaml:1:[0-9]+: .*Unicode.*U\+D800" \
    "UTF-8-encoded surrogate"

# JSON is YAML to the linter: deep JSON meets the same depth limit.
python3 -c 'print("{\"a\":" * 150 + "1" + "}" * 150)' >"$work/deep.json"
expect_limit deep.json "deep\.json:1:[0-9]+: .*(depth|nest)" \
    "JSON nesting in a linted file"

# On stdin too.
timeout "$hang" "$rfguard" lint - <"$work/laughs.yaml" >"$work/out" \
    2>"$work/err"
rc=$?
if [ "$rc" = 2 ] && grep -Eq "<stdin>:[0-9]+:[0-9]+: .*alias" "$work/out" \
        "$work/err"; then
    ok "billion laughs on stdin"
else
    bad "billion laughs on stdin: exit $rc"
    head -c 2000 "$work/out" "$work/err"
fi

cli_finish
