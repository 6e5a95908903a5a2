#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# stdin_filename.sh - ctest cli.stdin_filename: `--stdin-filename NAME`
# names stdin in every lint format (text, json, sarif, junit, github) and
# in fix's output, for findings and input errors alike; a document with a
# Helm "# Source:" comment also names its template (the github format
# files the annotation under it), and one without falls back to NAME.
# The github format lists errors before warnings and ends with a summary
# notice. Misuse (no - input, an empty name) is a usage error.
# Usage: stdin_filename.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
cli_workdir "$3" cli-stdin-filename
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
cd "$work" || exit 1
lint=$src/tests/lint
# Helm output (two templates) and a plain failover with no # Source:
{ cat "$lint/helm.stdin"; echo "---"; cat "$lint/headline.yaml"; } >mixed.yaml
tpl=shop/templates/redisfailover.yaml

has() { grep -qF -- "$1" "$2"; }
hasnt() { ! grep -qF -- "$1" "$2"; }

# text
"$rfguard" lint --no-color --stdin-filename rendered.yaml - <mixed.yaml >text.out 2>text.err
rc=$?
[ "$rc" = 1 ] && ok "text: exit 1" || bad "text: exit $rc"
has "rendered.yaml:19:5: error: the password in shop/cache-auth" text.out &&
    has "    template: $tpl" text.out &&
    has "rendered.yaml:31:5: error: spec.sentinel.replicas is 2" text.out &&
    hasnt "<stdin>" text.out && hasnt "<stdin>" text.err &&
    ok "text: findings at rendered.yaml:LINE:COL, the template beside them" ||
    { bad "text names"; cat text.out; }

# a note on stdin is named too, and its advice still names no directory
has "rendered.yaml:10:1: note: RedisFailover shop/cache has no spec.redis" text.err &&
    has '`kubectl kustomize DIR | rfguard lint -`' text.err &&
    ok "note: named rendered.yaml, advice says kubectl kustomize DIR" ||
    { bad "note"; cat text.err; }

# json, sarif, junit: parsed as their consumers parse them
for f in json sarif junit; do
    "$rfguard" lint --format $f --stdin-filename rendered.yaml - <mixed.yaml >out.$f 2>/dev/null
done
python3 - "$tpl" <<'PY' && ok "json, sarif, junit name rendered.yaml and the template" || bad "json/sarif/junit names"
import json, sys, xml.etree.ElementTree as ET
tpl = sys.argv[1]
j = json.load(open("out.json"))
fs = j["findings"]
assert fs and all(f["file"] == "rendered.yaml" for f in fs), "json file"
assert any(f.get("template") == tpl for f in fs), "json template"
assert any("template" not in f and f["line"] > 30 for f in fs), "json plain doc"
s = json.load(open("out.sarif"))
res = s["runs"][0]["results"]
uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in res}
assert uris == {"rendered.yaml"}, uris
assert any(r.get("properties", {}).get("template") == tpl for r in res), "sarif template"
t = ET.parse("out.junit").getroot()
cls = {c.get("classname") for c in t.iter("testcase")}
assert cls == {"rendered.yaml"}, cls
fail = "".join(x.text or "" for x in t.iter("failure"))
assert "rendered.yaml:19:5: " in fail and "(template " + tpl + ")" in fail, fail
PY

# github: template wins per document, NAME is the fallback; errors first
"$rfguard" lint --format github --stdin-filename rendered.yaml - <mixed.yaml >gh.out 2>/dev/null
python3 - "$tpl" <<'PY' && ok "github: template or NAME as file, errors first, summary last" || { bad "github order/names"; cat gh.out; }
import sys
tpl = sys.argv[1]
lines = open("gh.out").read().splitlines()
kinds = [l.split(" ", 1)[0] for l in lines]
assert kinds[-1] == "::notice", kinds
body = kinds[:-1]
assert body == sorted(body, key=lambda k: k != "::error"), body
assert any(l.startswith("::error file=" + tpl + ",title=") and "(rendered at rendered.yaml:19:5)" in l for l in lines)
assert any(l.startswith("::error file=rendered.yaml,line=9,col=5,") or
           l.startswith("::error file=rendered.yaml,line=") for l in lines)
assert not any("<stdin>" in l for l in lines)
n_err = kinds.count("::error"); n_warn = kinds.count("::warning")
assert lines[-1].startswith("::notice title=rfguard::%d errors, %d warnings in 2 files;" % (n_err, n_warn)), lines[-1]
# more than 10 of a kind: the notice says where the rest are
assert n_warn > 10 and "only 10 annotations of each kind" in lines[-1], lines[-1]
PY

# an input error on stdin is named too
printf 'kind: RedisFailover\nspec: [\n' | "$rfguard" lint --no-color --stdin-filename bad.yaml - >perr.out 2>&1
rc=$?
[ "$rc" = 2 ] && has "bad.yaml:" perr.out && hasnt "<stdin>" perr.out &&
    ok "a parse error on stdin is named bad.yaml" || { bad "parse error name (exit $rc)"; cat perr.out; }

# without the flag, stdin is still <stdin>
"$rfguard" lint --no-color - <"$lint/headline.yaml" >plain.out 2>&1
has "<stdin>:9:5: error" plain.out && ok "default name <stdin>" || bad "default name"

# fix: the patch header names NAME and the template
"$rfguard" fix --stdin-filename rendered.yaml - <mixed.yaml >fix.out 2>fix.err
rc=$?
[ "$rc" = 0 ] && has "# rendered.yaml:10: RedisFailover shop/cache (template $tpl)" fix.out &&
    has "# rendered.yaml:" fix.out && hasnt "<stdin>" fix.out &&
    ok "fix: patch headers name rendered.yaml and the template" || { bad "fix names (exit $rc)"; cat fix.out fix.err; }
printf 'kind: RedisFailover\nspec: [\n' | "$rfguard" fix --stdin-filename bad.yaml - >/dev/null 2>fixerr.out
has "bad.yaml:" fixerr.out && hasnt "<stdin>" fixerr.out &&
    ok "fix: a parse error on stdin is named bad.yaml" || { bad "fix error name"; cat fixerr.out; }

# misuse
expect_exit 2 "lint --stdin-filename without - is a usage error" \
    "$rfguard" lint --stdin-filename x.yaml "$lint/clean.yaml"
has "no input is -" "$work/err" && ok "... and says so" || bad "message: $(cat "$work/err")"
expect_exit 2 "fix --stdin-filename '' is a usage error" \
    "$rfguard" fix --stdin-filename "" -
expect_exit 2 "lint --stdin-filename with no value is a usage error" \
    "$rfguard" lint - --stdin-filename
cli_finish
