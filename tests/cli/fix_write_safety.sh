#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fix_write_safety.sh - ctest cli.fix_write_safety: `rfguard fix --write`
# never loses a user's file. A symbolic link stays a link and its target
# is fixed; an edit made by someone else during the run is kept and the
# fix refused; owner, group and mode stay; files with several hard links
# and read-only files are refused; CRLF files stay CRLF; the directory is
# fsync'd after the rename; SIGTERM and SIGINT leave no temporary file.
# Races are made deterministic by the RFG_TEST_FIX_PAUSE_FILE hook: the
# command writes its pid into that file (here a FIFO, so the test waits
# for the moment itself) once the new text is in its temporary file, and
# goes on when the file is removed.
# Usage: fix_write_safety.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
cli_workdir "$3" fix-safety

rf() {
    cat <<YAML
# the $1 cache
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: $1
  namespace: shop
spec:
  auth:
    secretPath: $1-auth
  sentinel:
    replicas: 3
  redis:
    replicas: 3
YAML
}

# fixed FILE: fix has nothing more to do for FILE
fixed() { [ "$("$rfguard" fix "$1" | grep -v '^#')" = "[]" ]; }
# no_temp DIR...: no temporary file of fix --write is left in DIR
no_temp() { ! ls -a "$@" | grep -q 'rfguard-'; }

# start_paused NAME ARGS...: run `fix --write ARGS` in the background,
# paused by the hook; returns once it is paused, with its pid in $pid
# (1 if it ended without pausing). finish NAME waits for it and sets $rc.
start_paused() {
    local p=$work/$1.pause
    shift
    rm -f "$p.rc"
    mkfifo "$p"
    {
        RFG_TEST_FIX_PAUSE_FILE=$p "$rfguard" fix --write "$@" 2> "$p.err"
        echo $? > "$p.rc"
        # a command that never paused: let the reader below go on. Opened
        # read-write, which never blocks: if the command did pause and was
        # killed, nobody reads any more, and a write-only open would wait
        # for a reader forever.
        if [ -p "$p" ]; then : 1<> "$p"; fi
    } 2> /dev/null &
    sub=$!
    pid=$(cat "$p")
    [ ! -e "$p.rc" ] && [ -n "$pid" ]
}
finish() {
    local p=$work/$1.pause
    rm -f "$p"
    wait "$sub"
    rc=$(cat "$p.rc" 2> /dev/null || echo none)
}

# --- a symbolic link stays a link; the temporary file goes beside the
# target, and the target is fixed
mkdir -p "$work/real" "$work/links"
rf linked > "$work/real/rf.yaml"
ln -s ../real/rf.yaml "$work/links/rf.yaml"
if start_paused link "$work/links/rf.yaml"; then
    ls -a "$work/real" | grep -q '^rf.yaml.rfguard-' && ok "temporary file beside the target" || bad "no temporary file beside the target"
    ls -a "$work/links" | grep -q 'rfguard-' && bad "temporary file beside the link" || ok "nothing written beside the link"
else
    bad "link: the command did not pause"
fi
finish link
[ "$rc" = 0 ] && ok "link: exit 0" || { bad "link: exit $rc"; cat "$work/link.pause.err"; }
[ -L "$work/links/rf.yaml" ] && ok "the link is still a link" || bad "the link was replaced by a file"
[ "$(readlink "$work/links/rf.yaml")" = ../real/rf.yaml ] && ok "the link points where it did" || bad "link target changed"
fixed "$work/real/rf.yaml" && ok "the link's target is fixed" || bad "the target is not fixed"
no_temp "$work/real" "$work/links" && ok "link: no temporary file left" || bad "link: temporary file left"

# --- an edit made during the run is kept, and the fix refused
rf raced > "$work/race.yaml"
if start_paused race "$work/race.yaml"; then
    echo "# added by someone else" >> "$work/race.yaml"
    cp "$work/race.yaml" "$work/race.edited"
else
    bad "race: the command did not pause"
fi
finish race
[ "$rc" = 2 ] && ok "edit during the run: exit 2" || bad "edit during the run: exit $rc"
grep -q "race.yaml: changed while rfguard was fixing it" "$work/race.pause.err" && ok "the refusal says why" || { bad "race message"; cat "$work/race.pause.err"; }
grep -q "file left unchanged" "$work/race.pause.err" && ok "the refusal says nothing was written" || bad "race: unchanged not said"
cmp -s "$work/race.yaml" "$work/race.edited" && ok "the other edit is kept" || bad "the other edit was lost"
no_temp "$work" && ok "race: temporary file removed" || bad "race: temporary file left"

# --- same size, same mtime, other bytes: the content hash sees it
rf hashed > "$work/hash.yaml"
if start_paused hash "$work/hash.yaml"; then
    cp -p "$work/hash.yaml" "$work/hash.ref"
    edited=$(sed 's/hashed-auth/hashed-AUTH/' "$work/hash.yaml")
    printf '%s\n' "$edited" > "$work/hash.yaml"   # same inode, same size
    touch -r "$work/hash.ref" "$work/hash.yaml"   # same mtime
    cp "$work/hash.yaml" "$work/hash.edited"
else
    bad "hash: the command did not pause"
fi
finish hash
[ "$rc" = 2 ] && ok "same size and mtime, other bytes: refused" || bad "hash: exit $rc"
cmp -s "$work/hash.yaml" "$work/hash.edited" && ok "hash: the other edit is kept" || bad "hash: edit lost"

# --- owner, group and mode stay (chown needs root)
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
    rf owned > "$work/own.yaml"
    grp=$(id -g nobody)
    chown "nobody:$grp" "$work/own.yaml"
    chmod 640 "$work/own.yaml"
    want=$(stat -c '%u:%g %a' "$work/own.yaml")
    "$rfguard" fix --write "$work/own.yaml" 2> "$work/err"
    rc=$?
    [ $rc = 0 ] && ok "owned file fixed" || { bad "owned: exit $rc"; cat "$work/err"; }
    got=$(stat -c '%u:%g %a' "$work/own.yaml")
    [ "$got" = "$want" ] && ok "owner, group and mode kept ($got)" || bad "owner/group/mode: $got, want $want"
    fixed "$work/own.yaml" && ok "owned file is fixed" || bad "owned file not fixed"
else
    echo "skip owner and group (needs root and a nobody user)"
fi

# --- several hard links: refused, both names untouched
rf linked2 > "$work/hard.yaml"
ln "$work/hard.yaml" "$work/hard2.yaml"
cp "$work/hard.yaml" "$work/hard.orig"
"$rfguard" fix --write "$work/hard.yaml" 2> "$work/err"
rc=$?
[ $rc = 2 ] && ok "hard links: exit 2" || bad "hard links: exit $rc"
grep -q "hard.yaml: has 2 hard links" "$work/err" && ok "hard links: the message says why" || { bad "hard link message"; cat "$work/err"; }
cmp -s "$work/hard.yaml" "$work/hard.orig" && [ "$(stat -c %h "$work/hard.yaml")" = 2 ] && ok "hard links: untouched and still linked" || bad "hard links: changed"

# --- read-only: refused (checked on the mode bits: root may write anyway)
rf readonly > "$work/ro.yaml"
chmod 444 "$work/ro.yaml"
cp "$work/ro.yaml" "$work/ro.orig"
"$rfguard" fix --write "$work/ro.yaml" 2> "$work/err"
rc=$?
[ $rc = 2 ] && ok "read-only: exit 2" || bad "read-only: exit $rc"
grep -q "ro.yaml: is read-only" "$work/err" && ok "read-only: the message says why" || { bad "read-only message"; cat "$work/err"; }
cmp -s "$work/ro.yaml" "$work/ro.orig" && [ "$(stat -c %a "$work/ro.yaml")" = 444 ] && ok "read-only: untouched" || bad "read-only: changed"

# --- CRLF stays CRLF, added lines included; also with no final newline
rf crlf | sed 's/$/\r/' > "$work/crlf.yaml"
rf crlfnoeol | sed 's/$/\r/' | head -c -2 > "$work/noeol.yaml"
for f in crlf noeol; do
    "$rfguard" fix --write "$work/$f.yaml" 2> "$work/err"
    rc=$?
    [ $rc = 0 ] && ok "$f: fixed" || { bad "$f: exit $rc"; cat "$work/err"; }
    lines=$(wc -l < "$work/$f.yaml")
    crlf=$(grep -c $'\r$' "$work/$f.yaml")
    [ "$lines" -gt 20 ] && [ "$crlf" = "$lines" ] && ok "$f: all $lines lines end in CRLF" || bad "$f: $crlf of $lines lines end in CRLF"
    fixed "$work/$f.yaml" && ok "$f: nothing more to fix" || bad "$f: not fixed"
done

# --- the directory is fsync'd after the rename (where strace can run)
rf synced > "$work/sync.yaml"
if strace -o /dev/null true 2> /dev/null; then
    strace -f -o "$work/trace" -e trace=rename,renameat,renameat2,fsync,fdatasync \
        "$rfguard" fix --write "$work/sync.yaml" 2> /dev/null
    if awk '/rename/ { r = 1 } r && /fsync\(/ { s = 1 } END { exit !s }' "$work/trace"; then
        ok "an fsync follows the rename"
    else
        bad "no fsync after the rename"; cat "$work/trace"
    fi
else
    echo "skip directory fsync (strace cannot run here)"
fi

# --- SIGTERM while the temporary file exists: removed, original intact
rf signalled > "$work/sig.yaml"
cp "$work/sig.yaml" "$work/sig.orig"
if start_paused sig "$work/sig.yaml"; then
    ls -a "$work" | grep -q '^sig.yaml.rfguard-' && ok "paused with its temporary file" || bad "no temporary file while paused"
    kill -TERM "$pid"
else
    bad "signal: the command did not pause"
fi
finish sig
[ "$rc" = 143 ] && ok "SIGTERM ends the command (status 143)" || bad "SIGTERM: status $rc"
no_temp "$work" && ok "SIGTERM: temporary file removed" || { bad "SIGTERM: temporary file left"; ls -a "$work"; }
cmp -s "$work/sig.yaml" "$work/sig.orig" && ok "SIGTERM: original intact" || bad "SIGTERM: original changed"

# SIGINT (job control on: a background job of a script ignores SIGINT,
# and rfguard leaves an ignored signal ignored)
set -m
if start_paused int "$work/sig.yaml"; then
    kill -INT "$pid"
else
    bad "SIGINT: the command did not pause"
fi
finish int
set +m
[ "$rc" = 130 ] && ok "SIGINT ends the command (status 130)" || bad "SIGINT: status $rc"
no_temp "$work" && ok "SIGINT: temporary file removed" || bad "SIGINT: temporary file left"
cmp -s "$work/sig.yaml" "$work/sig.orig" && ok "SIGINT: original intact" || bad "SIGINT: original changed"

cli_finish
