#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gen_schemas.sh - ctest cli.gen_schemas: the committed CRD schema table
# (src/k8s/crd_schemas.c) is what tools/crd2schema makes of the operators'
# CRDs today. It regenerates the table into the build directory with
# scripts/gen-schemas.sh and the crd2schema built next to rfguard, and
# compares. Skipped (77) when the CRDs (../shared/reference, next to the
# source tree) or crd2schema are not there.
# Usage: gen_schemas.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
src=$2
build=$3
shared=$src/../shared
tool=$build/crd2schema

if [ ! -d "$shared/reference" ]; then
    echo "SKIP: no $shared/reference (the operators' CRDs)"
    exit 77
fi
if [ ! -x "$tool" ]; then
    echo "SKIP: $tool not built"
    exit 77
fi
out=$build/crd_schemas.check.c
rm -f "$out"
if ! CRD2SCHEMA=$tool bash "$src/scripts/gen-schemas.sh" "$shared" "$out"; then
    echo "FAIL: scripts/gen-schemas.sh failed"
    exit 1
fi
if ! cmp -s "$out" "$src/src/k8s/crd_schemas.c"; then
    echo "FAIL: src/k8s/crd_schemas.c is stale; run scripts/gen-schemas.sh"
    diff -u "$src/src/k8s/crd_schemas.c" "$out" | head -40
    exit 1
fi
echo "ok   src/k8s/crd_schemas.c matches the CRDs"
