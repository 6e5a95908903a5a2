#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# compare.py - the comparison half of the differential YAML test
# (tests/cli/yaml_diff.sh). For every input it runs rfguard's loader
# (ydoc2json) and kubectl's library (yaml2json) and compares what each
# prints as JSON values: objects compare without regard to key order,
# numbers by exact value (an integer above 2^53 must keep every digit),
# strings byte for byte. When both sides refuse an input, the documents
# read before the refusal must still agree. Inputs listed in
# exceptions.txt are the documented intended differences: they are
# skipped, and an exception that no longer differs is reported so the
# list stays exact. The tricky inputs (scalars, tags, anchors, merge keys,
# separators, block scalars) are written by write_cases().
#
# Usage: compare.py YDOC2JSON YAML2JSON WORKDIR EXCEPTIONS FILE...
import json
import os
import subprocess
import sys

# name -> text. Names are what exceptions.txt refers to.
CASES = {
    "scalars-bool": "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: Yes\n"
                    "h: OFF\ni: true\nj: False\n",
    "scalars-null": "a: ~\nb: null\nc:\nd: Null\ne: NULL\nf: \"~\"\n",
    "scalars-int": "a: 0x1F\nb: 0o17\nc: 017\nd: 1_000\ne: +1\nf: -0\n"
                   "g: 0b101\nh: 09\ni: -0x10\nj: 1__0\n",
    "scalars-float": "a: 1e3\nb: 1.5\nc: -.5\nd: 1.\ne: 6.02e+23\n"
                     "f: 1E-3\ng: 1_0.5\n",
    "scalars-inf": "a: .inf\n",
    "scalars-ninf": "a: -.Inf\n",
    "scalars-nan": "a: .nan\n",
    "scalars-quoted": "a: \"quoted\"\nb: 'single'\nc: \"yes\"\nd: '0x1F'\n"
                      "e: \"a\\tb\\u00e9\"\nf: 'it''s'\n",
    "scalars-timestamp": "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n"
                         "c: 2001-12-14 21:59:43.10 -5\n",
    "scalars-bigint": "a: 9007199254740993\nb: 18446744073709551615\n"
                      "c: -9223372036854775808\nd: 12345678901234567890123\n",
    "scalars-keys": "1: a\n1.5: b\ntrue: c\n0x10: f\n",
    "key-null": "~: d\n",
    "key-on": "on: e\n",
    "tag-str": "a: !!str 123\nb: !!str yes\nc: !!str\n",
    "tag-int": "a: !!int 42\nb: !!int \"7\"\n",
    "tag-float": "a: !!float 1\nb: !!float 2.5\n",
    "tag-binary": "a: !!binary aGVsbG8gd29ybGQ=\n"
                  "b: !!binary |\n  aGVs\n  bG8=\n"
                  "c: !!binary \"/+7/\"\n"
                  "!!binary a2V5: d\n",
    "tag-binary-nul": "a: !!binary |\n"
                      "  R0lGODlhDAAMAIQAAP//\n",
    "tag-binary-bad": "a: !!binary aGVsbG8\n",
    "tag-local": "a: !foo bar\nb: !!timestamp 2001-12-14\n",
    "anchors": "base: &b {x: 1, y: [1, 2]}\ncopy: *b\nlist: [*b, *b]\n"
               "s: &s hello\nt: *s\n",
    "merge-basic": "base: &b {replicas: 1, image: r}\n"
                   "sentinel: {<<: *b, replicas: 3}\n",
    "merge-override-order": "base: &b {replicas: 1}\n"
                            "sentinel: {replicas: 3, <<: *b}\n",
    "merge-later-wins": "a: &a {k: 1, x: a}\nb: &b {k: 2, y: b}\n"
                        "m: {<<: *a, <<: *b}\n",
    "merge-list": "a: &a {k: 1, x: a}\nb: &b {k: 2, y: b}\n"
                  "m: {<<: [*a, *b]}\nn: {k: 0, <<: [*a, *b], z: 1}\n",
    "merge-inline": "m:\n  a: 1\n  <<: {a: 2, b: 2}\n  c: 3\n",
    "merge-nested": "a: &a {k: {x: 1}, j: 1}\nm:\n  <<: *a\n  k: {y: 2}\n",
    "merge-block": "base: &base\n  replicas: 1\n  port: 6379\n"
                   "sentinel:\n  replicas: 3\n  <<: *base\n",
    "sep-docs": "a: 1\n---\nb: 2\n---\n---\nc: 3\n",
    "sep-comment": "a: 1\n--- # second\nb: 2\n",
    "sep-end": "a: 1\n...\n---\nb: 2\n...\n",
    "sep-leading": "---\na: 1\n",
    "sep-null": "---\n~\n---\na: 1\n",
    "sep-inline": "a: 1\n--- {b: 2}\n",
    "sep-dashes4": "a: 1\n----\nb: 2\n",
    "sep-dots-doc": "a: 1\n...\nb: 2\n",
    "sep-directive": "%YAML 1.1\n---\na: 1\n",
    "sep-indented": "a: |\n  x\n  ---\n  y\n",
    "limit-depth": "a: " + "[" * 150 + "]" * 150 + "\n",
    "limit-alias": "a: &a [" + ", ".join(["x"] * 150) + "]\n"
                   "b: [" + ", ".join(["*a"] * 150) + "]\n",
    "block-literal-eof": "a: |\n  line1\n  line2",
    "block-strip-eof": "a: |-\n  line1\n  line2",
    "block-keep-eof": "a: >+\n  line1\n  line2",
    "block-keep-trail": "a: >+\n  line1\n\n\n",
    "block-folded": "a: >\n  one\n  two\n\n  three\n",
    "block-literal-nl": "a: |\n  x\n",
    "flow": "a: {b: [1, 2, {c: d}], e: f}\n",
    "json-concat": "{\"a\": 1}\n{\"b\": [2]}\n{\"c\": {\"d\": \"}{\"}}\n",
    "json-concat-pretty": "{\n  \"a\": 1\n}\n{\n  \"b\": 2\n}\n",
    "json-concat-bom": "\ufeff{\"a\": 1}\n{\"b\": 2}\n",
    "json-concat-ws": "\n  {\"a\": [1, 2]} {\"b\": \"x\\\"}\"}\n"
                      "[{\"c\": 3}]\n",
    "json-then-yaml": "{\"a\": 1}\n---\nb: 2\n",
    "flow-concat": "{a: 1}\n{b: 2}\n",
    "json-single": "{\"kind\": \"List\", \"items\": []}\n",
    "dup-key": "a: 1\na: 2\n",
    "nul": "a: \"x\\0y\"\n",
    "unicode": "a: caf\u00e9\nb: \"\\U0001F600\"\n",
    "crlf": "a: 1\r\nb: |\r\n  x\r\n  y\r\n",
}


def write_cases(workdir):
    """Write every tricky case as WORKDIR/cases/<name>.yaml."""
    d = os.path.join(workdir, "cases")
    os.makedirs(d, exist_ok=True)
    paths = []
    for name, text in sorted(CASES.items()):
        p = os.path.join(d, name + ".yaml")
        with open(p, "wb") as f:
            f.write(text.encode("utf-8"))
        paths.append(p)
    return paths


class Dup(Exception):
    pass


def pairs(items):
    out = {}
    for k, v in items:
        if k in out:
            raise Dup(k)
        out[k] = v
    return out


def run(tool, path):
    """(documents, error or None) as the tool prints them."""
    p = subprocess.run([tool, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        return None, "tool failed (%d): %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip())
    docs, err = [], None
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("ERROR "):
            err = line[6:]
            break
        try:
            docs.append(json.loads(line, object_pairs_hook=pairs))
        except (ValueError, Dup) as e:
            return None, "unreadable output %r: %s" % (line[:80], e)
    return docs, err


def same(a, b):
    """Equal JSON values; an int and a float are equal only when they
    stand for exactly the same number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def load_exceptions(path):
    """name or repository path -> reason."""
    ex = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, reason = line.partition(" ")
            ex[key] = reason.strip()
    return ex


def main():
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    ours, ref, workdir, expath = sys.argv[1:5]
    files = sys.argv[5:]
    ex = load_exceptions(expath)
    srcdir = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(expath))))
    inputs = [(os.path.relpath(p, srcdir), p) for p in files]
    inputs += [("case:" + os.path.basename(p)[:-5], p)
               for p in write_cases(workdir)]
    passed = failed = skipped = 0
    used = set()
    for name, path in inputs:
        a, aerr = run(ours, path)
        b, berr = run(ref, path)
        if a is None or b is None:
            print("FAIL %s: %s" % (name, aerr if a is None else berr))
            failed += 1
            continue
        agree = same(a, b) and (aerr is None) == (berr is None)
        if name in ex:
            used.add(name)
            if agree:
                print("FAIL %s: listed in exceptions.txt (%s) but rfguard "
                      "and kubectl now agree" % (name, ex[name]))
                failed += 1
            else:
                print("skip %s: %s" % (name, ex[name]))
                skipped += 1
            continue
        if agree:
            passed += 1
            continue
        failed += 1
        print("FAIL %s" % name)
        print("  rfguard: %s%s" % (json.dumps(a)[:400],
                                   " ERROR " + aerr if aerr else ""))
        print("  kubectl: %s%s" % (json.dumps(b)[:400],
                                   " ERROR " + berr if berr else ""))
    for name in sorted(set(ex) - used):
        print("FAIL exceptions.txt names %s, which is not an input" % name)
        failed += 1
    print("%d agree, %d documented differences, %d failed"
          % (passed, skipped, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
