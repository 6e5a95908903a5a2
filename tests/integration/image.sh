#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# image.sh - ctest integration.image: the container image smoke test.
# scripts/image.sh packs the rfguard under test into an OCI archive in a
# temporary directory; the archive is then run the way a user would,
# with buildah (chroot isolation, private vfs storage, no daemon):
# `rfguard version` prints the project version, `rfguard lint` on the
# examples gives their findings and exit codes, rfguard-reload runs, and
# the image runs as 65532:65532 with the OCI labels set. It does not test
# a cluster or a registry. Exits 77 where buildah is missing or cannot
# run containers here, and for sanitizer builds (the image is built from
# a plain build; the sanitized suites need not pack it twice).
#
# Usage: image.sh RFGUARD SOURCE_DIR BUILD_DIR
set -uo pipefail

rfguard=$1 src=$2
skip() {
    echo "SKIP: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}

# Before anything needs buildah: the binary reports the version that
# scripts/version.sh reads from CMakeLists.txt (the tag deploy/ pins).
version=$("$src/scripts/version.sh") || fail "scripts/version.sh failed"
case $("$rfguard" --version) in
"rfguard $version (rev "*) ;;
*) fail "rfguard --version says '$("$rfguard" --version)', scripts/version.sh says $version" ;;
esac
echo "ok: rfguard --version agrees with scripts/version.sh ($version)"

command -v buildah >/dev/null || skip "buildah is not installed (apt-get install buildah)"
if ldd "$rfguard" 2>/dev/null | grep -q -e libasan -e libubsan -e libtsan; then
    skip "$rfguard links a sanitizer runtime; the image is tested from the plain build"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rfguard-image-test.XXXXXX")
bah() {
    TMPDIR=$work buildah --root "$work/storage" --runroot "$work/run" \
        --storage-driver vfs "$@"
}
cleanup() {
    bah rm --all >/dev/null 2>&1
    bah rmi --all --force >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# Can buildah make containers here at all (user namespaces, mounts)?
if ! probe=$(bah from --name probe scratch 2>&1); then
    skip "buildah cannot create a container here: $probe"
fi
bah rm probe >/dev/null 2>&1

commit=$("$src/scripts/version.sh" --commit)

# ---- build the archive ----
archive=$work/out/rfguard-$version.oci.tar
mkdir -p "$work/out"
if ! printed=$("$src/scripts/image.sh" --binary "$rfguard" --out "$archive" 2>"$work/image.log"); then
    cat "$work/image.log"
    fail "scripts/image.sh failed"
fi
[ "$printed" = "$archive" ] || fail "image.sh printed '$printed', expected the archive path $archive"
[ -s "$archive" ] || fail "no archive at $archive"
echo "ok: scripts/image.sh wrote $(basename "$archive")"

# Usage errors are exit 2.
"$src/scripts/image.sh" --bogus >/dev/null 2>&1
[ $? = 2 ] || fail "image.sh --bogus should exit 2"

# ---- load it, as `buildah from oci-archive:` ----
ctr=$(bah from --pull-never --name rfguard-test "oci-archive:$archive" 2>"$work/from.log") || {
    cat "$work/from.log"
    fail "buildah from oci-archive: failed"
}
run() {
    bah run --isolation chroot -v "$src/examples:/examples:ro" "$ctr" -- "$@"
}

out=$(run rfguard version 2>"$work/run.log")
rc=$?
if [ $rc != 0 ] && grep -q -i -e 'operation not permitted' -e 'permission denied' \
    -e 'chroot' "$work/run.log"; then
    cat "$work/run.log"
    skip "buildah cannot run a container here (chroot isolation refused)"
fi
[ $rc = 0 ] || {
    cat "$work/run.log"
    fail "rfguard version in the image exited $rc"
}
case $out in
"rfguard $version (rev "*) echo "ok: in the image: $out" ;;
*) fail "rfguard version in the image printed '$out', expected rfguard $version (rev ...)" ;;
esac

# The bad example: exit 1 with its two errors; the good one: exit 0.
out=$(run rfguard lint /examples/redisfailover-bad.yaml 2>&1)
rc=$?
[ $rc = 1 ] || fail "lint of the bad example exited $rc, expected 1: $out"
for want in '[auth-required]' '[sentinel-replicas]' '2 errors'; do
    grep -q -F -- "$want" <<<"$out" || fail "lint of the bad example does not say $want: $out"
done
out=$(run rfguard lint /examples/redisfailover-good.yaml 2>&1)
rc=$?
[ $rc = 0 ] || fail "lint of the good example exited $rc, expected 0: $out"
grep -q -F '0 errors, 0 warnings' <<<"$out" || fail "lint of the good example: $out"
echo "ok: rfguard lint in the image (bad example: exit 1, good example: exit 0)"

# The Deployment's first process, with its shell, cksum and sleep.
out=$(run /usr/local/bin/rfguard-reload /usr/share/rfguard/policies/default.yaml \
    -- /usr/local/bin/rfguard version 2>&1) || fail "rfguard-reload in the image: $out"
case $out in
"rfguard $version "*) echo "ok: rfguard-reload runs rfguard" ;;
*) fail "rfguard-reload printed '$out'" ;;
esac
run /bin/sleep 0 || fail "/bin/sleep (the preStop hook) does not run in the image"

# ---- user and labels ----
user=$(bah inspect --format '{{.OCIv1.Config.User}}' "$ctr")
[ "$user" = 65532:65532 ] || fail "image user is '$user', expected 65532:65532"
ids=$(run /bin/sh -c 'while read -r k u g; do
    case $k in Uid:|Gid:) echo "$k $u";; esac; done </proc/self/status')
[ "$ids" = "$(printf 'Uid: 65532\nGid: 65532')" ] || fail "the process in the image runs as: $ids"
grep -q '^nonroot:x:65532:65532:' <<<"$(run /bin/sh -c 'while read -r l; do echo "$l"; done </etc/passwd')" ||
    fail "/etc/passwd in the image has no nonroot user 65532"
entry=$(bah inspect --format '{{.OCIv1.Config.Entrypoint}}' "$ctr")
[ "$entry" = '[/usr/local/bin/rfguard]' ] || fail "entrypoint is $entry"
echo "ok: user 65532:65532 (nonroot), entrypoint $entry"

label() {
    bah inspect --format "{{index .OCIv1.Config.Labels \"$1\"}}" "$ctr"
}
[ "$(label org.opencontainers.image.version)" = "$version" ] ||
    fail "label version is '$(label org.opencontainers.image.version)', expected $version"
rev=$(label org.opencontainers.image.revision)
case $rev in
"$commit" | "$commit-dirty") ;;
*) fail "label revision is '$rev', expected $commit" ;;
esac
[ -n "$(label org.opencontainers.image.source)" ] || fail "no source label"
grep -q -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
    <<<"$(label org.opencontainers.image.created)" || fail "created label: '$(label org.opencontainers.image.created)'"
pkgs=$(label io.rfguard.image.debian-packages)
for p in libc6 libcjson1 libyaml-0-2 libmicrohttpd12 libcurl4 ca-certificates; do
    grep -q -E "(^|,)$p=[^,]+" <<<"$pkgs" || fail "debian-packages label lacks $p: $pkgs"
done
echo "ok: labels version=$version revision=$rev, $(tr ',' '\n' <<<"$pkgs" | wc -l) Debian packages listed"
echo "PASS"
