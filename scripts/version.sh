#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# version.sh - print rfguard's version without building it, for scripts
# (the image build, the deploy/ manifests' pinned tag, the release
# workflow). The version lives in one place, `project(rfguard VERSION x.y.z)`
# in CMakeLists.txt; this reads it from there. It does not build, configure
# or change anything.
#
#   scripts/version.sh              0.1.0
#   scripts/version.sh --revision   v0.1.0-3-gabc1234-dirty, abc1234 with no
#                                   tag, "unknown" outside a git checkout
#                                   (the revision `rfguard version` shows)
#   scripts/version.sh --commit     the full commit hash, or "unknown"
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/version.sh [--revision | --commit]
Print rfguard's version, read from project(rfguard VERSION ...) in
CMakeLists.txt, without building.
  --revision  the git revision `rfguard version` shows
              (git describe --tags --always --dirty), or "unknown"
  --commit    the full commit hash, or "unknown"
  -h, --help  this text
EOF
}

src=$(cd "$(dirname "$0")/.." && pwd)
what=version
case $# in
0) ;;
1)
    case $1 in
    --revision) what=revision ;;
    --commit) what=commit ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "version.sh: unknown argument '$1'" >&2
        usage >&2
        exit 2
        ;;
    esac
    ;;
*)
    usage >&2
    exit 2
    ;;
esac

case $what in
version)
    # project(rfguard VERSION 0.1.0 LANGUAGES C), possibly over lines.
    v=$(tr '\n' ' ' <"$src/CMakeLists.txt" |
        sed -n 's/.*project([[:space:]]*rfguard[[:space:]][^)]*VERSION[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p')
    if [ -z "$v" ]; then
        echo "version.sh: no project(rfguard VERSION ...) in $src/CMakeLists.txt" >&2
        exit 1
    fi
    echo "$v"
    ;;
revision)
    # As CMakeLists.txt: only from the checkout's own .git.
    { [ -e "$src/.git" ] &&
        git -C "$src" describe --tags --always --dirty 2>/dev/null; } ||
        echo unknown
    ;;
commit)
    { [ -e "$src/.git" ] && git -C "$src" rev-parse HEAD 2>/dev/null; } ||
        echo unknown
    ;;
esac
