#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# hostile_input.sh - ctest cli.hostile_input: values crafted to hide from
# the rules or to break the report, through `rfguard lint`.
#  - A NUL character (YAML "\0", "\x00", "\u0000"; JSON "\u0000") in a
#    string or a mapping key would cut the C string the rules read, while
#    the operator still writes the whole value (customConfig goes into
#    redis.conf). Each is an error at file:line:col, exit 2, in manifests,
#    .json files and --cluster-state; the other files are still linted.
#  - A 5 KB untagged image name (and other 5 KB values, ASCII and multi-
#    byte) gives a normal finding that quotes it shortened with an
#    ellipsis, in every output format, as valid UTF-8: never "out of
#    memory" and a failed run.
# Usage: hostile_input.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-hostile

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP: python3 not found"
    exit 77
fi

python3 - "$work" "$src/tests/fixtures/hostile-base.yaml" <<'PY'
import json, sys
d, good_path = sys.argv[1], sys.argv[2]
good = open(good_path).read()
redis = "  redis:\n    replicas: 3\n"
assert redis in good
def w(name, text):
    with open(f"{d}/{name}", "w", encoding="utf-8") as f:
        f.write(text)
def with_redis(extra):
    return good.replace(redis, "  redis:\n" + extra + "    replicas: 3\n", 1)
# NUL in YAML: the attack (config line), each escape spelling, a key.
w("nul-config.yaml", with_redis(
    '    customConfig: ["maxmemory 100mb\\0\\nuser evil on nopass ~* +@all"]\n'))
w("nul-x00.yaml", with_redis('    image: "redis:7.2\\x00-evil"\n'))
w("nul-u0000.yaml", with_redis('    image: "redis:7.2\\u0000-evil"\n'))
w("nul-key.yaml", with_redis('    "image\\0x": redis:7.2\n'))
# Not NUL: a literal backslash and 0 (single quotes, escaped backslash).
w("not-nul.yaml", with_redis(
    "    customConfig: ['maxmemory-policy a\\0b', \"maxmemory 100mb\"]\n"))
# NUL in JSON files: a value and a key.
rf = {"apiVersion": "databases.spotahome.com/v1", "kind": "RedisFailover",
      "metadata": {"name": "a", "namespace": "shop"},
      "spec": {"redis": {"customConfig": ["maxmemory 100mb"]}}}
text = json.dumps(rf)
w("nul-value.json", text.replace("maxmemory 100mb",
                                 "maxmemory 100mb\\u0000\\nreplicaof x 1"))
w("nul-key.json", text.replace('"customConfig"', '"customConfig\\u0000x"'))
w("not-nul.json", text.replace("maxmemory 100mb", "maxmemory\\\\u0000"))
state = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "v1", "kind": "Secret",
     "metadata": {"name": "s\\u0000", "namespace": "shop"},
     "data": {"password": "cGFzc3dvcmQ="}}]}
w("state-nul.json", json.dumps(state).replace("\\\\u0000", "\\u0000"))
# 5 KB values: an untagged image, multi-byte text, an unknown key.
w("big-image.yaml", with_redis(
    "    image: registry.example.com/" + "a" * 5000 + "/redis\n"))
w("big-utf8.yaml", with_redis(
    "    image: " + "\u00e9" * 5000 + "\n"
    "    ? " + "\u20ac" * 3000 + "\n    : 1\n").replace(
    "name: sidekiq\n  namespace: shop",
    "name: " + "\u00e9" * 5000 + "\n  namespace: " + "\u20ac" * 3000, 1))
PY

# --- NUL characters -----------------------------------------------------

nul_case() {    # file line col what
    local f=$1 line=$2 col=$3 what=$4 out rc
    out=$("$rfguard" lint --no-color "$work/$f" 2>&1)
    rc=$?
    if [ "$rc" -eq 2 ] &&
        grep -qF "$f:$line:$col: error: a NUL character (U+0000) is not allowed in a $what" \
            <<<"$out"; then
        ok "$f: refused at $line:$col"
    else
        bad "$f: want exit 2 and a NUL error at $line:$col, got $rc:"
        echo "$out" | cut -c1-300
    fi
}

nul_case nul-config.yaml 34 20 string
nul_case nul-x00.yaml 34 12 string
nul_case nul-u0000.yaml 34 12 string
nul_case nul-key.yaml 34 5 "mapping key"
nul_case nul-value.json 1 155 string
nul_case nul-key.json 1 138 "mapping key"

for f in not-nul.yaml not-nul.json; do
    out=$("$rfguard" lint --no-color "$work/$f" 2>&1)
    rc=$?
    if [ "$rc" -lt 2 ] && ! grep -q "NUL" <<<"$out"; then
        ok "$f: a backslash and 0 is text, not a NUL"
    else
        bad "$f: exit $rc"
        echo "$out" | head -5
    fi
done

# The other files of the run are still linted, and JSON output says why.
out=$("$rfguard" lint --format json "$work/nul-config.yaml" \
    "$src/examples/redisfailover-bad.yaml" 2>/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && python3 -c '
import json, sys
r = json.load(sys.stdin)
errs = [e for e in r["errors"] if "NUL character" in e["message"]]
assert len(errs) == 1 and errs[0]["line"] == 34, errs
assert any(f["file"].endswith("redisfailover-bad.yaml")
           for f in r["findings"]), "other file not linted"
' <<<"$out"; then
    ok "NUL file is an input error in JSON output; the other file is linted"
else
    bad "json output with a NUL file (exit $rc)"
fi

# --cluster-state is read with the same loader.
out=$("$rfguard" lint --no-color --cluster-state "$work/state-nul.json" \
    "$src/tests/fixtures/hostile-base.yaml" 2>&1)
rc=$?
if [ "$rc" -eq 2 ] &&
    grep -qE "state-nul.json:1:[0-9]+: error: a NUL character" <<<"$out"; then
    ok "--cluster-state with a NUL is refused"
else
    bad "--cluster-state with a NUL: exit $rc"
    echo "$out" | tail -3
fi

# --- 5 KB values --------------------------------------------------------

for fmt in text json sarif junit github; do
    out=$("$rfguard" lint --no-color --format "$fmt" "$work/big-image.yaml" \
        2>&1)
    rc=$?
    if [ "$rc" -ne 1 ] || grep -q "rfguard lint:" <<<"$out"; then
        bad "big-image.yaml --format $fmt: exit $rc"
        echo "$out" | tail -3 | cut -c1-300
        continue
    fi
    # The image is quoted: its first characters, then an ellipsis, never
    # the whole 5 KB.
    if grep -qF "registry.example.com/aaaa" <<<"$out" &&
        grep -qF "a…" <<<"$out" && ! grep -q "a\{200\}" <<<"$out"; then
        ok "big-image.yaml --format $fmt: denied, image quoted shortened"
    else
        bad "big-image.yaml --format $fmt: image not quoted shortened"
        echo "$out" | grep image-pinned | cut -c1-400
    fi
done

out=$("$rfguard" lint --no-color "$work/big-image.yaml" 2>&1)
line=$(grep "image-pinned" <<<"$out" | grep "error:")
if [ -n "$line" ] && [ "${#line}" -lt 400 ]; then
    ok "the finding line is short (${#line} characters)"
else
    bad "finding line: '${line:0:300}'"
fi

for fmt in text json sarif junit github; do
    "$rfguard" lint --no-color --format "$fmt" "$work/big-utf8.yaml" \
        >"$work/out.$fmt" 2>&1
    rc=$?
    if [ "$rc" -eq 1 ] && python3 -c '
import sys
data = open(sys.argv[1], "rb").read()
text = data.decode("utf-8")            # raises on a cut character
assert "rfguard lint:" not in text
assert "\u2026" in text, "no ellipsis"
# JSON pointers are exact data, the rest is quoted text
assert max(len(l) for l in text.splitlines() if "\"pointer\"" not in l) < 1200

' "$work/out.$fmt"; then
        ok "big-utf8.yaml --format $fmt: valid UTF-8, values shortened"
    else
        bad "big-utf8.yaml --format $fmt: exit $rc"
        head -c 600 "$work/out.$fmt"
    fi
done

# A big file next to a normal one: both are linted in one run.
out=$("$rfguard" lint --no-color "$work/big-image.yaml" \
    "$src/examples/redisfailover-bad.yaml" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "redisfailover-bad.yaml:.*auth-required" <<<"$out" &&
    grep -q "big-image.yaml:.*image-pinned" <<<"$out"; then
    ok "both files linted"
else
    bad "big file next to a normal one: exit $rc"
fi

cli_finish
