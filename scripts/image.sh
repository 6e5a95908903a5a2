#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# image.sh - build rfguard's container image with buildah, without a Docker
# daemon and without pulling anything from a registry, and write it as an
# OCI archive (rfguard-<version>.oci.tar). The image starts from scratch
# and holds only what runs: the release binary, the shared libraries `ldd`
# names for it (with the dynamic loader), the CA bundle, passwd/group
# entries for the non-root user 65532, the policies, and rfguard-reload
# with the three programs it needs (sh, cksum, sleep; the Deployment runs
# it as the first process and its preStop hook runs /bin/sleep). The
# Dockerfile builds the same layout for builders with a daemon.
#
# It is not a general image builder: the libraries come from this machine,
# so build on the Debian release the image claims (Debian 12).
#
# buildah runs with the vfs storage driver under a private --root and
# --runroot in a temporary directory, removed at exit: nothing lands in
# the machine's image storage and concurrent runs do not collide.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/image.sh [--out FILE] [--binary BIN] [--name NAME] [--build-dir DIR]
       scripts/image.sh --rootfs DIR [--binary BIN] [--build-dir DIR]
Build rfguard's container image with buildah (no daemon, no registry pull)
and write it as an OCI archive. Prints the archive's path when done.
  --out FILE        the archive (default: ./rfguard-<version>.oci.tar)
  --binary BIN      put this rfguard in the image instead of building one
                    (it must report the same version)
  --name NAME       image name inside the archive, without the tag
                    (default: ghcr.io/rfguard/rfguard, as in deploy/)
  --build-dir DIR   where to build the release binary
                    (default: build-release in the source tree)
  --rootfs DIR      only write the image's file tree to DIR (new or empty)
                    and stop; no buildah needed (the Dockerfile uses this)
  -h, --help        this text
Needs buildah (installed with apt-get when missing and run as root), cmake
and a compiler unless --binary is given. SOURCE_DATE_EPOCH, when set, fixes
the image's creation time.
EOF
}

die() {
    echo "image.sh: $*" >&2
    exit 1
}
usage_error() {
    echo "image.sh: $*" >&2
    echo "Try 'scripts/image.sh --help'." >&2
    exit 2
}
say() { echo "image.sh: $*" >&2; }

src=$(cd "$(dirname "$0")/.." && pwd)
out='' binary='' name=ghcr.io/rfguard/rfguard builddir=$src/build-release rootfs_out=''
while [ $# -gt 0 ]; do
    case $1 in
    --out | --binary | --name | --build-dir | --rootfs)
        [ $# -ge 2 ] && [ -n "$2" ] || usage_error "$1 needs a value"
        case $1 in
        --out) out=$2 ;;
        --binary) binary=$2 ;;
        --name) name=$2 ;;
        --build-dir) builddir=$2 ;;
        --rootfs) rootfs_out=$2 ;;
        esac
        shift 2
        ;;
    --out=* | --binary=* | --name=* | --build-dir=* | --rootfs=*)
        v=${1#*=}
        [ -n "$v" ] || usage_error "${1%%=*} needs a value"
        case $1 in
        --out=*) out=$v ;;
        --binary=*) binary=$v ;;
        --name=*) name=$v ;;
        --build-dir=*) builddir=$v ;;
        --rootfs=*) rootfs_out=$v ;;
        esac
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *) usage_error "unknown argument '$1'" ;;
    esac
done
case $name in
*:* | *@* | "") usage_error "--name takes a name without a tag or digest (got '$name')" ;;
esac

version=$("$src/scripts/version.sh")
revision=$("$src/scripts/version.sh" --revision)
commit=$("$src/scripts/version.sh" --commit)
case $revision in
*-dirty) [ "$commit" = unknown ] || commit=$commit-dirty ;;
esac
out=${out:-$PWD/rfguard-$version.oci.tar}
case $out in
/*) ;;
*) out=$PWD/$out ;;
esac
[ -d "$(dirname "$out")" ] || die "$(dirname "$out") is not a directory"
ref=$name:$version
if [ -n "$rootfs_out" ]; then
    [ -z "$(ls -A "$rootfs_out" 2>/dev/null)" ] ||
        die "--rootfs $rootfs_out exists and is not empty"
    mkdir -p "$rootfs_out" || die "cannot create $rootfs_out"
    rootfs_out=$(cd "$rootfs_out" && pwd)
fi

# ---- tools ----
if [ -z "$rootfs_out" ] && ! command -v buildah >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "buildah is missing; installing it with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends buildah >&2 ||
            die "apt-get install buildah failed (try apt-get update first)"
    else
        die "buildah is not installed; install it (Debian: apt-get install buildah, as root) and run again"
    fi
fi
for t in ldd dpkg-query; do
    command -v "$t" >/dev/null || die "$t is missing: build on Debian (12), where the image's libraries come from"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rfguard-image.XXXXXX")
ctr=
bah() {
    TMPDIR=$tmp/tmp buildah --root "$tmp/storage" --runroot "$tmp/run" \
        --storage-driver vfs "$@"
}
cleanup() {
    if [ -n "$ctr" ]; then
        bah rm "$ctr" >/dev/null 2>&1 || true
    fi
    bah rmi --all --force >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/tmp"

# ---- the binary ----
if [ -z "$binary" ]; then
    say "building the release binary in $builddir"
    cmake -S "$src" -B "$builddir" -DCMAKE_BUILD_TYPE=Release >&2 ||
        die "cmake configure failed"
    cmake --build "$builddir" -j"$(nproc 2>/dev/null || echo 2)" \
        --target rfguard >&2 || die "the build failed"
    binary=$builddir/rfguard
fi
[ -f "$binary" ] && [ -x "$binary" ] || die "$binary is not an executable file"
got=$("$binary" --version 2>/dev/null) || die "$binary --version failed"
case $got in
"rfguard $version "*) ;;
*) die "$binary says '$got', not version $version (rebuild it, or leave out --binary)" ;;
esac
say "$got"
brev=${got##*(rev }
brev=${brev%)}
if [ "$revision" != unknown ] && [ "$brev" != "$revision" ]; then
    say "warning: the binary was built at revision $brev, the source tree is at $revision; the image's revision label says $commit"
fi

rootfs=${rootfs_out:-$tmp/rootfs}
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/bin" "$rootfs/etc/ssl/certs" \
    "$rootfs/usr/share/rfguard" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
cp "$binary" "$rootfs/usr/local/bin/rfguard"
if command -v strip >/dev/null; then
    strip "$rootfs/usr/local/bin/rfguard"
fi
install -m 0755 "$src/deploy/image/rfguard-reload" "$rootfs/usr/local/bin/rfguard-reload"
cp -R "$src/policies" "$rootfs/usr/share/rfguard/policies"

# rfguard-reload is a POSIX sh script that uses cksum and sleep; the
# Deployment's preStop hook runs /bin/sleep. dash is Debian's /bin/sh.
tools="/usr/bin/dash /usr/bin/cksum /usr/bin/sleep"
for t in $tools; do
    [ -x "$t" ] || die "$t is missing (Debian packages dash and coreutils)"
    cp "$t" "$rootfs$t"
done
ln -s dash "$rootfs/usr/bin/sh"

# Debian 12 is merged-/usr: /bin, /lib, /lib64, /sbin are links into /usr.
# Mirror that, so every path ldd names resolves in the image as here.
for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then
        ln -s "$(readlink "/$d")" "$rootfs/$d"
        mkdir -p "$rootfs/$(readlink -f "/$d")"
    fi
done

# ---- the shared libraries, exactly those ldd names ----
libs=$tmp/libs
: >"$libs"
for f in "$binary" $tools; do
    if ldd "$f" | grep -q 'not found'; then
        ldd "$f" | grep 'not found' >&2
        die "$f needs a shared library this machine does not have"
    fi
    # "libx.so.1 => /lib/.../libx.so.1 (0x...)" and "/lib64/ld-linux... (0x...)"
    ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' >>"$libs"
done
sort -u -o "$libs" "$libs"
[ -s "$libs" ] || die "ldd found no libraries for $binary (a static binary needs none; this script expects a dynamic one)"
while read -r lib; do
    dir=$(readlink -f "$(dirname "$lib")")
    mkdir -p "$rootfs$dir"
    cp -L "$lib" "$rootfs$dir/$(basename "$lib")"
done <"$libs"
say "$(wc -l <"$libs") shared libraries from ldd"

# The Debian package (and version) of every file copied from this machine:
# dpkg records a path as the package installed it, /lib/... or /usr/lib/...
owner() {
    local f=$1 c d
    d=$(readlink -f "$(dirname "$f")")/$(basename "$f")
    for c in "$f" "$d" "${d#/usr}" "$(readlink -f "$f")"; do
        dpkg-query -S "$c" 2>/dev/null | sed -n '1s/: .*//p' | grep . && return 0
    done
    return 1
}
pkgs=$tmp/pkgs
: >"$pkgs"
for f in $(cat "$libs") $tools; do
    p=$(owner "$f") || die "no Debian package owns $f; build on Debian 12 with the packages from scripts/deps.txt"
    echo "$p" >>"$pkgs"
done
echo ca-certificates >>"$pkgs"
pkglist=$(sort -u "$pkgs" | while read -r p; do
    dpkg-query -W -f '${Package}=${Version}\n' "$p" 2>/dev/null || die "dpkg-query cannot find $p"
done | sort -u | paste -sd, -)

# The same list as a file, for images whose builder cannot set a label
# from the build's output (the Dockerfile).
tr ',' '\n' <<<"$pkglist" >"$rootfs/usr/share/rfguard/debian-packages"

# ---- CA certificates, users ----
ca=/etc/ssl/certs/ca-certificates.crt
[ -s "$ca" ] || die "$ca is missing (apt-get install ca-certificates)"
cp "$ca" "$rootfs$ca"
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
nonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nonroot:x:65532:
EOF
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
chmod -R go-w,a+rX "$rootfs"
chmod 1777 "$rootfs/tmp"
if [ -n "$rootfs_out" ]; then
    say "done: the image's files are in $rootfs_out"
    echo "$rootfs_out"
    exit 0
fi

# ---- the image ----
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    created=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
    stamp=(--timestamp "$SOURCE_DATE_EPOCH")
else
    created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    stamp=()
fi
source_url=${RFG_SOURCE:-https://github.com/rfguard/rfguard}
say "assembling $ref"
ctr=$(bah from --name "rfguard-image-$$" scratch)
bah copy --quiet "$ctr" "$rootfs/" / >/dev/null
meta=(
    org.opencontainers.image.title=rfguard
    "org.opencontainers.image.description=Admission webhook and linter for RedisFailover (databases.spotahome.com/v1)"
    "org.opencontainers.image.version=$version"
    "org.opencontainers.image.revision=$commit"
    "org.opencontainers.image.created=$created"
    "org.opencontainers.image.source=$source_url"
    "org.opencontainers.image.documentation=$source_url/blob/main/docs/image.md"
    org.opencontainers.image.licenses=Apache-2.0
    "io.rfguard.image.debian-packages=$pkglist"
)
args=()
for m in "${meta[@]}"; do
    args+=(--label "$m" --annotation "$m")
done
bah config "${args[@]}" \
    --os linux --arch "$(dpkg --print-architecture)" \
    --user 65532:65532 --workingdir / \
    --env PATH=/usr/local/bin:/usr/bin \
    --port 8443 --port 9090 \
    --entrypoint '["/usr/local/bin/rfguard"]' --cmd '["--help"]' \
    "$ctr"
rm -f "$out"
say "writing $out"
bah commit --quiet --format oci --rm "${stamp[@]}" "$ctr" \
    "oci-archive:$out:$ref" >/dev/null || die "buildah commit failed"
ctr=
say "done: $ref ($(du -h "$out" | cut -f1))"
echo "$out"
