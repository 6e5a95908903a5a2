#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# serve_secrets.sh - ctest integration.serve_secrets: Secret values do not
# outlive their hashing in `rfguard serve`'s memory, and the process is
# not dumpable.
#   - serve marks itself non-dumpable: run as an unprivileged user, its
#     /proc/PID files belong to root (the kernel's sign of
#     PR_SET_DUMPABLE 0), so no core file and no ptrace by that user.
#   - A core of serve taken after its cluster view read Secrets (listed at
#     start, then added, changed and deleted through the watch) and after
#     reviews that used them holds no password, neither in plain text nor
#     as the base64 the API server sends.
# Needs root (to switch user and to take the core with gdb's gcore, which
# passes the non-dumpable flag with CAP_SYS_PTRACE); exits 77 otherwise.
#
# Usage: serve_secrets.sh RFGUARD SOURCE_DIR BUILD_DIR
. "$(dirname "$0")/cluster_common.bash"

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (setpriv, gcore)"
    exit 77
fi
for tool in setpriv gcore; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found (scripts/deps.txt installs it)"
        exit 77
    fi
done

# Distinctive passwords: one listed at start, one arriving by watch, one
# changed by watch, one deleted. Fragments are looked for too: the first
# 16 characters of each, and of each one's base64.
PW_LIST=rfgCanaryListQ7w3e9r1t5y
PW_WATCH=rfgCanaryWatchZ4x8c2v6b0
PW_OLD=rfgCanaryBeforeK3j7h1g5f
PW_NEW=rfgCanaryAfterM2n6b0v4c8d
PW_GONE=rfgCanaryDeletedP9o5i1u3y
ALL="$PW_LIST $PW_WATCH $PW_OLD $PW_NEW $PW_GONE"

not() { ! "$@"; }

cluster_setup || exit 1
write_policy "$WORK/policy.yaml"

# --- non-dumpable --------------------------------------------------------------
# The unprivileged server needs to read its certificate and key.
chmod 755 "$WORK" "$CERTS"
chmod 644 "$CERTS/tls.key" "$CERTS/tls.crt"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$RFG" serve --listen 127.0.0.1:0 --metrics-listen off --no-cluster \
    --tls-cert "$CERTS/tls.crt" --tls-key "$CERTS/tls.key" \
    2>"$WORK/nobody.log" &
NOBODY=$!
EXTRA_PIDS="$EXTRA_PIDS $NOBODY"
check "an unprivileged serve starts" \
    wait_for grep -q '"msg":"listening"' "$WORK/nobody.log"
check "it runs as that user" \
    grep -qE '^Uid:[[:space:]]+65534' "/proc/$NOBODY/status"
check "its /proc files belong to root: not dumpable" \
    test "$(stat -c %u "/proc/$NOBODY/environ")" = 0
kill -TERM "$NOBODY" 2>/dev/null
wait "$NOBODY" 2>/dev/null
chmod 600 "$CERTS/tls.key"

# --- no Secret value in memory ---------------------------------------------------
add_secret a listed "$PW_LIST" >/dev/null
add_secret a changing "$PW_OLD" >/dev/null
add_secret a doomed "$PW_GONE" >/dev/null
add_rf a cache --secret listed >/dev/null
add_rf a user --secret changing >/dev/null
start_server --kubeconfig "$WORK/kubeconfig" --policy "$WORK/policy.yaml" ||
    exit 1
if rft wait-ready "$PORT" "$CERTS/ca.crt" 300; then
    ok "ready after the first sync"
else
    bad "never ready"
    finish
fi
add_secret b watched "$PW_WATCH" >/dev/null
add_secret a changing "$PW_NEW" >/dev/null
kctl /delete '{"kind": "Secret", "namespace": "a", "name": "doomed"}' \
    >/dev/null
# Each probe reviews a new failover name, so that no claim of an earlier
# probe answers for it; wait_for repeats them until the view has caught up
# with the watch (its ceiling only catches a hang).
n=0
probe() {   # probe NS SECRET: the verdict on a new failover, in probe.out
    n=$((n + 1))
    validate "$1" "probe$n" --secret "$2" >"$WORK/probe.out" 2>&1
}
seen() {    # seen NS SECRET: the view knows the Secret
    probe "$1" "$2"
    [ -s "$WORK/probe.out" ] &&
        ! grep -q "Secret $1/$2 does not exist" "$WORK/probe.out"
}
gone() {
    probe "$1" "$2"
    grep -q "Secret $1/$2 does not exist" "$WORK/probe.out"
}
check "a Secret added by watch is seen" wait_for seen b watched
check "a deleted Secret is gone" wait_for gone a doomed
# The changed one: its new password, used by a/user, is the one of a
# fresh Secret, which the view can only tell once it hashed the new value.
add_secret a twin "$PW_NEW" >/dev/null
shared() {
    probe a twin
    grep -q 'auth-secret-unique' "$WORK/probe.out"
}
check "a changed Secret's new password is seen (shared with another)" \
    wait_for shared
validate a cache --secret listed >/dev/null

# A sanitizer build maps terabytes of shadow memory, which gcore cannot
# write out whole: the memory check needs a plain build (the first pass
# of scripts/test.sh).
if nm "$RFG" 2>/dev/null | grep -qE '__(asan|tsan|msan)_init'; then
    echo "note: sanitizer build: the core check runs on the plain build only"
    check "SIGTERM exits 0" stop_server
    finish
fi
gcore -o "$WORK/core" "$SERVER_PID" >"$WORK/gcore.log" 2>&1
CORE=$(ls "$WORK"/core.* 2>/dev/null | head -n1)
if [ -z "$CORE" ]; then
    bad "gcore made no core: $(tail -n 3 "$WORK/gcore.log")"
else
    ok "core taken"
    # The memory of the core: its LOAD segments. (The notes hold the
    # threads' registers, where the last string a SIMD copy moved may
    # still sit; that is not a buffer anyone can free or wipe.)
    python3 - "$CORE" "$WORK/memory" <<'PY'
import struct, sys
core, out = sys.argv[1], sys.argv[2]
with open(core, "rb") as f, open(out, "wb") as o:
    h = f.read(64)
    assert h[:4] == b"\x7fELF" and h[4] == 2, "not a 64-bit ELF core"
    phoff, = struct.unpack_from("<Q", h, 32)
    phentsize, phnum = struct.unpack_from("<HH", h, 54)
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        ptype, _, off, _, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
        if ptype == 1 and filesz:            # PT_LOAD
            f.seek(off)
            o.write(f.read(filesz))
            o.write(b"\n")
PY
    check "the core holds the process memory (the API server's address)" \
        grep -qaF "https://127.0.0.1:$KPORT" "$WORK/memory"
    for pw in $ALL; do
        b64=$(printf '%s' "$pw" | base64 -w0)
        check "no plain password ${pw:0:16}... in memory" \
            not grep -qaF -- "${pw:0:16}" "$WORK/memory"
        check "no base64 password ${b64:0:16}... in memory" \
            not grep -qaF -- "${b64:0:16}" "$WORK/memory"
    done
    rm -f "$WORK/memory"
    rm -f "$CORE"
fi
check "SIGTERM exits 0" stop_server
finish
