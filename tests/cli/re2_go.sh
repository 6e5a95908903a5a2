#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# re2_go.sh - ctest cli.re2_go: the verdicts in tests/re2/patterns.txt
# are Go's. Runs tests/re2/go_verdicts.go (standard library only, GOPATH
# mode: nothing is downloaded), which compiles every pattern with Go's
# regexp.Compile and fails on any line whose verdict Go does not share.
# unit.re2 checks rfguard against the same file. Skips (77) without Go.
# Usage: re2_go.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
src=$2
build=$3

command -v go >/dev/null 2>&1 || { echo "SKIP: go not installed"; exit 77; }
work=$(mktemp -d "$build/re2-go.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/go-cache"
if ! GO111MODULE=off GOPATH="$work/gopath" GOCACHE="$build/go-cache" \
     GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
     go build -o "$work/go_verdicts" "$src/tests/re2/go_verdicts.go"; then
    echo "FAIL: cannot build tests/re2/go_verdicts.go"
    exit 1
fi
# No exec: the EXIT trap must still remove the work directory.
"$work/go_verdicts" "$src/tests/re2/patterns.txt"
