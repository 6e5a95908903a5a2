#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_hostile.sh - ctest integration.serve_hostile: AdmissionReviews
# built to hide from the rules or to break the answer, over HTTPS.
#  - A NUL character (a \u0000 escape, or a raw 0 byte) in any string or
#    key of the body: cJSON would cut the string there, so the rules would
#    pass "maxmemory 100mb" while the operator writes the whole line, the
#    injected config after the NUL included, into redis.conf. /validate
#    and /mutate answer 400 with a Status naming the JSON pointer; an
#    escaped backslash before "u0000" is text and is reviewed as usual.
#  - A 5 KB untagged image: /validate denies it (403, image-pinned) with
#    the image quoted shortened with an ellipsis, and /mutate allows it;
#    never a 500.
#  - An UPDATE nesting 40 levels deep in old and new objects is answered
#    (comparing them must not take exponential time).
# The server keeps answering afterwards.
#
# Usage: serve_hostile.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/serve_common.bash"

make_certs || { cat "$WORK/certs.log"; exit 1; }
start_server || exit 1

python3 - "$FIX/create-clean.v1.request.json" "$WORK" <<'PY'
import json, sys
base, d = sys.argv[1], sys.argv[2]

def review(edit):
    r = json.load(open(base))
    edit(r["request"]["object"]["spec"])
    return json.dumps(r)

def write(name, text):
    with open(f"{d}/{name}", "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)

def cc(v):
    def e(spec):
        spec["redis"]["customConfig"] = [v]
    return e

# json.dumps writes U+0000 as the escape \u0000.
write("nul-config.json", review(cc(
    "maxmemory 100mb\x00\nuser evil on nopass ~* &* +@all")))
def key(spec):
    spec["redis"]["image\x00x"] = "redis:7.2"
write("nul-key.json", review(key))
r = json.load(open(base))
r["request"]["uid"] = r["request"]["uid"] + "\x00"
write("nul-uid.json", json.dumps(r))
# A raw 0 byte inside a string (JSON forbids it, cJSON would take it).
write("nul-raw.json",
      review(cc("maxmemory 100mb@@NUL@@x")).encode().replace(b"@@NUL@@",
                                                             b"\x00"))
# An escaped backslash, then the text u0000: no NUL, a normal review.
r = json.load(open(base))
r["request"]["object"]["metadata"].setdefault("annotations", {})[
    "example.com/note"] = "a\\u0000b"
write("not-nul.json", json.dumps(r))
assert b"a\\\\u0000b" in open(f"{d}/not-nul.json", "rb").read()
def big(spec):
    spec["redis"]["image"] = "registry.example.com/" + "a" * 5000 + "/redis"
write("big-image.json", review(big))
# An UPDATE whose old and new objects nest 40 levels in a field the
# update rules compare (a tree compare that looks at each object member
# twice takes 2^40 steps here).
deep = 1
for _ in range(40):
    deep = {"x": deep}
r = json.load(open(base))
r["request"]["operation"] = "UPDATE"
r["request"]["object"]["spec"]["redis"]["customCommandRenames"] = [deep]
r["request"]["oldObject"] = json.loads(json.dumps(r["request"]["object"]))
write("deep-update.json", json.dumps(r))
PY

# is_400 FILE POINTER: 400 with a Status that names the NUL and where.
is_400() {
    [ "$(cat "$WORK/code")" = 400 ] && python3 - "$WORK/out.json" "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["kind"] == "Status" and s["code"] == 400, s
assert s["reason"] == "BadRequest", s
m = s["message"]
assert "NUL character" in m and sys.argv[2] in m, m
PY
}

for ep in validate mutate; do
    post "$ep" "$WORK/nul-config.json" >/dev/null
    check "$ep: NUL in customConfig is a 400 naming the string" \
        is_400 /request/object/spec/redis/customConfig/0
    post "$ep" "$WORK/nul-key.json" >/dev/null
    check "$ep: NUL in a key is a 400" \
        is_400 '/request/object/spec/redis/image\u0000x'
    post "$ep" "$WORK/nul-uid.json" >/dev/null
    check "$ep: NUL in the uid is a 400" is_400 /request/uid
    post "$ep" "$WORK/nul-raw.json" >/dev/null
    check "$ep: a raw 0 byte in a string is a 400" \
        is_400 /request/object/spec/redis/customConfig/0
done

# allowed MODE: the response to the last post (200, the review's verdict)
verdict() {
    [ "$(cat "$WORK/code")" = 200 ] && python3 - "$WORK/out.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["response"]
mode = sys.argv[2]
w = r.get("warnings", [])
assert all(len(x) < 120 for x in w), "warning too long"
assert sum(len(x) for x in w) <= 4096, "warnings over 4 KiB"
if mode == "allow":
    assert r["allowed"] is True, r
elif mode == "deny-image":
    assert r["allowed"] is False, r
    st = r["status"]
    assert st["code"] == 403, st
    m = st["message"]
    assert "[image-pinned] " in m, m
    # the image is quoted: its start, an ellipsis, never all 5 KB
    assert "\"registry.example.com/aaaa" in m, m
    assert "a\u2026\"" in m, m
    assert "a" * 200 not in m and len(m) < 2000, len(m)
PY
}

post validate "$WORK/not-nul.json" >/dev/null
check "validate: an escaped backslash before u0000 is reviewed" verdict allow
post validate "$WORK/big-image.json" >/dev/null
check "validate: a 5 KB untagged image is denied, quoted shortened" \
    verdict deny-image
post mutate "$WORK/big-image.json" >/dev/null
check "mutate: a 5 KB image is allowed" verdict allow

answered() {   # a 200 with a verdict
    [ "$(cat "$WORK/code")" = 200 ] && python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["response"]
assert r["allowed"] in (True, False), r' "$WORK/out.json"
}
for ep in validate mutate; do
    post "$ep" "$WORK/deep-update.json" >/dev/null
    check "$ep: an UPDATE nested 40 levels deep is answered" answered
done

# Still serving, and the clean review is still allowed.
post validate "$FIX/create-clean.v1.request.json" >/dev/null
check "a clean review afterwards is allowed" verdict allow
check "the server is still running" kill -0 "$SERVER_PID"
check "the 400s are logged as errors" \
    wait_for log_has '"verdict":"error"' 8

stop_server || bad "server did not exit cleanly"
finish
