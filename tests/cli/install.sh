#!/usr/bin/env bash
# `cmake --install` as a user runs it: into a --prefix and under DESTDIR,
# then the installed rfguard from PATH (version, a README lint example),
# its man page (rendered when man or groff is here) and its bash
# completion (sourced; `rfguard li<TAB>` completes to lint).
# Usage: install.sh RFGUARD SRCDIR BUILDDIR
set -u
src=$2
build=$3
fail=0

command -v cmake >/dev/null || { echo "SKIP: no cmake on PATH"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() {
    echo "FAIL: $*"
    fail=1
}

# 1. --prefix
if ! cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    bad "cmake --install --prefix failed"
fi
for f in bin/rfguard share/man/man1/rfguard.1 \
    share/bash-completion/completions/rfguard; do
    [ -f "$tmp/prefix/$f" ] || bad "--prefix: $f not installed"
done
[ -x "$tmp/prefix/bin/rfguard" ] || bad "bin/rfguard is not executable"
# only what a user needs: no static libraries, headers or test programs
extra=$(cd "$tmp/prefix" && find . -type f | grep -v -e '^./bin/rfguard$' \
    -e '^./share/man/man1/rfguard.1$' \
    -e '^./share/bash-completion/completions/rfguard$')
[ -z "$extra" ] || bad "unexpected files installed: $extra"

# 2. DESTDIR: the files land under DESTDIR + prefix, nothing outside
if ! DESTDIR="$tmp/stage" cmake --install "$build" --prefix /opt/rfguard \
    >"$tmp/install2.log" 2>&1; then
    cat "$tmp/install2.log"
    bad "DESTDIR=... cmake --install failed"
fi
for f in bin/rfguard share/man/man1/rfguard.1 \
    share/bash-completion/completions/rfguard; do
    [ -f "$tmp/stage/opt/rfguard/$f" ] || bad "DESTDIR: $f not under DESTDIR/opt/rfguard"
done

# 3. the installed binary, found on PATH, as the README uses it
out=$(cd "$src" && PATH="$tmp/prefix/bin:/usr/bin:/bin" rfguard version)
case $out in
"rfguard "*) ;;
*) bad "rfguard version printed '$out'" ;;
esac
out=$(cd "$src" && PATH="$tmp/prefix/bin:/usr/bin:/bin" \
    rfguard lint --no-color examples/redisfailover-bad.yaml 2>&1)
rc=$?
[ "$rc" = 1 ] || bad "README lint example exited $rc, want 1"
grep -q '^examples/redisfailover-bad.yaml:[0-9]*:[0-9]*: error: .*\[auth-required\]' \
    <<<"$out" || bad "README lint example: no auth-required finding"

# 4. the man page renders without warnings
man1=$tmp/prefix/share/man/man1/rfguard.1
if command -v groff >/dev/null; then
    warn=$(groff -man -Tutf8 -ww -z "$man1" 2>&1)
    [ -z "$warn" ] || bad "groff warnings: $warn"
    groff -man -Tutf8 "$man1" 2>/dev/null | grep -q 'rfguard lint' ||
        bad "man page does not render 'rfguard lint'"
elif command -v man >/dev/null; then
    MANWIDTH=80 man -l "$man1" 2>/dev/null | grep -q 'rfguard lint' ||
        bad "man -l does not render 'rfguard lint'"
else
    echo "note: neither groff nor man here, man page not rendered"
fi

# 5. bash completion, sourced the way bash-completion loads it
comp=$tmp/prefix/share/bash-completion/completions/rfguard
export PATH="$tmp/prefix/bin:$PATH"
got=$(bash --norc --noprofile -c '
    source "$1" || exit 3
    complete -p rfguard || exit 4
    COMP_WORDS=(rfguard li); COMP_CWORD=1; _rfguard
    echo "sub: ${COMPREPLY[*]}"
    COMP_WORDS=(rfguard lint -o ""); COMP_CWORD=3; _rfguard
    echo "fmt: ${COMPREPLY[*]}"
    COMP_WORDS=(rfguard lint --stdin); COMP_CWORD=2; _rfguard
    echo "opt: ${COMPREPLY[*]}"
    COMP_WORDS=(rfguard explain sentinel-rep); COMP_CWORD=2; _rfguard
    echo "rule: ${COMPREPLY[*]}"
' _ "$comp" 2>&1)
rc=$?
[ "$rc" = 0 ] || bad "sourcing the completion failed ($rc): $got"
grep -q '^complete -F _rfguard rfguard$' <<<"$got" ||
    bad "complete -p rfguard: $got"
grep -qx 'sub: lint' <<<"$got" || bad "rfguard li<TAB>: $got"
grep -qx 'fmt: text json sarif junit github' <<<"$got" ||
    bad "rfguard lint -o <TAB>: $got"
grep -qx 'opt: --stdin-filename' <<<"$got" ||
    bad "rfguard lint --stdin<TAB>: $got"
grep -qx 'rule: sentinel-replicas' <<<"$got" ||
    bad "rfguard explain sentinel-rep<TAB>: $got"
# a file argument completes to a file name (fix -w takes no value)
got=$(cd "$src" && bash --norc --noprofile -c '
    source "$1"; COMP_WORDS=(rfguard fix -w exam); COMP_CWORD=3; _rfguard
    echo "file: ${COMPREPLY[*]}"' _ "$comp" 2>&1)
grep -qx 'file: examples' <<<"$got" || bad "rfguard fix -w exam<TAB>: $got"

[ "$fail" = 0 ] && echo "ok: install, DESTDIR, PATH, man page, completion"
exit "$fail"
