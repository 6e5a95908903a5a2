#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# yaml_diff.sh - ctest cli.yaml_diff: rfguard reads YAML the way kubectl
# does. Builds tests/yamldiff/yaml2json.go (kubectl's YAML library,
# sigs.k8s.io/yaml over gopkg.in/yaml.v2, from Debian's
# golang-k8s-sigs-yaml-dev, in GOPATH mode: nothing is downloaded) and
# compares what it prints with rfguard's loader (ydoc2json, built next to
# rfguard) over every YAML and JSON file under tests/ and examples/ and
# the tricky inputs in tests/yamldiff/compare.py. The intended
# differences are listed in tests/yamldiff/exceptions.txt and explained
# in docs/yaml.md. Skips (77) when Go, the Go package or python3 is
# missing.
# Usage: yaml_diff.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
src=$2
build=$3
gopath=${RFG_GOPATH:-/usr/share/gocode}

command -v go >/dev/null 2>&1 || { echo "SKIP: go not installed"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
[ -d "$gopath/src/sigs.k8s.io/yaml" ] && [ -d "$gopath/src/gopkg.in/yaml.v2" ] ||
    { echo "SKIP: sigs.k8s.io/yaml not in $gopath (golang-k8s-sigs-yaml-dev)"; exit 77; }
[ -x "$build/ydoc2json" ] || { echo "FAIL: $build/ydoc2json not built"; exit 1; }

work=$(mktemp -d "$build/yaml-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT
# GOPATH mode, no proxy, no network, cache in the build directory.
mkdir -p "$build/go-cache"
if ! (cd "$src/tests/yamldiff" &&
      GO111MODULE=off GOPATH="$gopath" GOCACHE="$build/go-cache" \
      GOPROXY=off GOFLAGS= GOTOOLCHAIN=local \
      go build -o "$build/yaml2json" yaml2json.go); then
    echo "FAIL: cannot build tests/yamldiff/yaml2json.go"
    exit 1
fi

mapfile -t files < <(cd "$src" && find tests examples \
    \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -type f | LC_ALL=C sort)
[ "${#files[@]}" -gt 100 ] || { echo "FAIL: only ${#files[@]} inputs found"; exit 1; }
cd "$src" || exit 1
exec python3 tests/yamldiff/compare.py "$build/ydoc2json" "$build/yaml2json" \
    "$work" tests/yamldiff/exceptions.txt "${files[@]}"
