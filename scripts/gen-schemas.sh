#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# gen-schemas.sh - regenerate src/k8s/crd_schemas.c, the compiled-in
# openAPIV3Schema of each operator CRD rfguard targets (as JSON text and
# as the node table schema validation walks, src/k8s/sidx.h), from the
# CRDs themselves (which the repository does not carry). A development
# tool: the normal build uses the committed file and needs no CRD.
# crd2schema links the committed file, so after a change to the table
# layout it must still compile (a stale table is fine: it is replaced).
#
# Usage: scripts/gen-schemas.sh [SHARED_DIR [OUT]]
#   SHARED_DIR  holds reference/crd-spotahome-v1.2.4.yaml,
#               reference/crd-spotahome-v1.3.yaml,
#               reference/crd-freshworks-v3.3.yaml and OpsTree's
#               reference/crd-opstree-v0.26-redis{sentinels,replications}.yaml
#               (default: ../shared,
#               next to the repository)
#   OUT         where to write (default: src/k8s/crd_schemas.c)
# CRD2SCHEMA=path uses an already built tools/crd2schema instead of
# building one in build-gen/. Exit 2 when a CRD is missing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${1:-$root/../shared}
out=${2:-$root/src/k8s/crd_schemas.c}
ref=$shared/reference

for f in crd-spotahome-v1.2.4.yaml crd-spotahome-v1.3.yaml \
         crd-freshworks-v3.3.yaml crd-opstree-v0.26-redissentinels.yaml \
         crd-opstree-v0.26-redisreplications.yaml; do
    if [ ! -r "$ref/$f" ]; then
        echo "gen-schemas: $ref/$f not found" >&2
        exit 2
    fi
done

tool=${CRD2SCHEMA:-}
if [ -z "$tool" ]; then
    cmake -S "$root" -B "$root/build-gen" >/dev/null
    cmake --build "$root/build-gen" --target crd2schema >/dev/null
    tool=$root/build-gen/crd2schema
fi

# Write next to OUT, then move, so a failure never leaves half a file.
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
"$tool" "$tmp" \
    rfg_schema_s12="$ref/crd-spotahome-v1.2.4.yaml" \
    rfg_schema_s13="$ref/crd-spotahome-v1.3.yaml" \
    rfg_schema_f33="$ref/crd-freshworks-v3.3.yaml" \
    rfg_schema_o26s="$ref/crd-opstree-v0.26-redissentinels.yaml" \
    rfg_schema_o26r="$ref/crd-opstree-v0.26-redisreplications.yaml"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "gen-schemas: wrote $out"
