#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# formats.sh - ctest cli.formats: machine formats are valid for their
# consumers. SARIF has the 2.1.0 required fields and a region with
# startLine/startColumn on every result; JUnit parses as XML with a
# testcase per document; JSON parses and matches the text summary.
# Usage: formats.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
rfguard=$1
src=$2
cd "$src/tests/lint" || exit 1
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

"$rfguard" lint --format sarif headline.yaml broken.yaml list.yaml > "$3/out.sarif"
"$rfguard" lint --format junit headline.yaml broken.yaml other-kinds.yaml > "$3/out.junit"
"$rfguard" lint --format json headline.yaml list.yaml > "$3/out.json"
python3 - "$3" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
fails = 0
passes = 0
def check(cond, what):
    global fails, passes
    print(("ok   " if cond else "FAIL ") + what)
    fails += 0 if cond else 1
    passes += 1 if cond else 0

s = json.load(open(d + "/out.sarif"))
check(s.get("version") == "2.1.0", "sarif version 2.1.0")
check("$schema" in s, "sarif $schema")
run = s["runs"][0]
drv = run["tool"]["driver"]
check(drv["name"] == "rfguard" and drv.get("version"), "sarif driver name and version")
ids = [r["id"] for r in drv["rules"]]
check(len(ids) == len(set(ids)) and len(ids) >= 4, "sarif rules unique")
check(all("shortDescription" in r and "help" in r and "text" in r["help"] for r in drv["rules"]), "sarif rule help text")
res = run["results"]
check(len(res) >= 8, "sarif results present")
for r in res:
    loc = r["locations"][0]["physicalLocation"]
    ok = (r["ruleId"] in ids and r["level"] in ("error", "warning", "note")
          and r["message"]["text"] and loc["artifactLocation"]["uri"]
          and loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
          and ids[r["ruleIndex"]] == r["ruleId"])
    if not ok:
        check(False, "sarif result " + json.dumps(r))
check(any(r["ruleId"] == "input-error" for r in res), "sarif reports the parse error")

t = ET.parse(d + "/out.junit").getroot()
check(t.tag == "testsuites", "junit root")
cases = t.findall(".//testcase")
check(len(cases) == 4, "junit: a testcase per document plus the unreadable file (%d)" % len(cases))
check(len(t.findall(".//failure")) == 1, "junit: one failing document")
check(len(t.findall(".//error")) == 1, "junit: one input error")
suite = t.find("testsuite")
check(suite.get("tests") == "4" and suite.get("failures") == "1", "junit counts")

j = json.load(open(d + "/out.json"))
check(j["version"] == 1 and j["summary"]["files"] == 2, "json summary")
check(all(f["line"] >= 1 and f["column"] >= 1 for f in j["findings"]), "json positions")
check(j["summary"]["errors"] == sum(f["severity"] == "error" for f in j["findings"]), "json error count")
print("%d passed, %d failed" % (passes, fails))
sys.exit(1 if fails else 0)
PY
