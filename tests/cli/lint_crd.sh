#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint_crd.sh - ctest cli.lint_crd: `rfguard lint --crd FILE` and
# `rfguard fix --crd FILE` validate against the schema of a CRD file
# instead of the target's compiled-in one, with tests/crd/minimal.yaml (a
# small CRD written for these tests): a field the CRD lacks is reported as
# pruned (disableMyMaster under the freshworks target too), the note on
# stderr says which schema is in use (and -q silences it), the served
# storage version is the one read (YAML or JSON), and bad CRD files fail
# with file:line:col. `rfguard version --verbose` lists the schema of
# each target. lint_crd_chart.sh does the same with the freshworks
# chart's CRD.
# Usage: lint_crd.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-lint-crd
crd=$src/tests/crd

has() {   # has FILE TEXT DESC
    if grep -qF -- "$2" "$work/$1"; then ok "$3"; else
        bad "$3: '$2' not in $1"; cat "$work/out" "$work/err"; fi
}
hasnt() {
    if ! grep -qF -- "$2" "$work/$1"; then ok "$3"; else
        bad "$3: '$2' in $1"; cat "$work/out" "$work/err"; fi
}

fo=$crd/failover.yaml
expect_exit 1 "lint --crd: a field the CRD lacks denies" \
    "$rfguard" lint --target freshworks-v3.3 --crd "$crd/minimal.yaml" "$fo"
has out "schema-unknown-field" "the pruned field is a schema-unknown-field finding"
has out "spec.sentinel.disableMyMaster is not in the CRD in $crd/minimal.yaml, though the compiled-in freshworks-v3.3 CRD has it" \
    "disableMyMaster is pruned by the given CRD even under freshworks-v3.3"
has out "the API server prunes it without a word and the sentinels still monitor mymaster" \
    "the pruned disableMyMaster says the sentinels keep mymaster"
has out "spec.redis.hostNetwork is not in the CRD in $crd/minimal.yaml" \
    "a field only the given CRD lacks is reported"
has err "rfguard lint: schema: the CRD in $crd/minimal.yaml (version v1) replaces the compiled-in freshworks-v3.3 CRD" \
    "stderr says which schema is in use"

expect_exit 1 "the same failover without --crd" \
    "$rfguard" lint --target freshworks-v3.3 "$fo"
hasnt out "disableMyMaster is not" "the compiled-in freshworks CRD has disableMyMaster"
hasnt out "hostNetwork is not" "the compiled-in freshworks CRD has hostNetwork"
hasnt err "schema:" "no schema note without --crd"

expect_exit 1 "without --target the policy's target is replaced" \
    "$rfguard" lint --crd "$crd/minimal.yaml" "$fo"
has err "replaces the compiled-in spotahome-v1.3 CRD" \
    "the default policy's target (spotahome-v1.3) is the one replaced"
expect_exit 1 "-q silences the note" \
    "$rfguard" lint -q --crd "$crd/minimal.yaml" "$fo"
hasnt err "schema:" "no note with -q"

# the served storage version is read, whatever comes first; JSON works
cat >"$work/ok.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata: {name: ok, namespace: default}
spec:
  auth: {secretPath: ok-auth}
  sentinel: {replicas: 3}
  redis: {replicas: 3, port: 6379}
YAML
expect_exit 0 "a failover within the CRD's fields" \
    "$rfguard" lint --crd "$crd/minimal.yaml" -o json "$work/ok.yaml"
hasnt out "schema-" "no schema finding (v1, not the open v1beta1, is read)"

# errors name file:line:col
expect_exit 2 "a malformed schema is an error" \
    "$rfguard" lint --crd "$crd/bad-schema.yaml" "$fo"
has err "$crd/bad-schema.yaml:21:13: CRD schema: \"properties\" is not a map of field schemas" \
    "the malformed keyword is named with file:line:col"
expect_exit 2 "no served storage version" \
    "$rfguard" lint --crd "$crd/no-storage.json" "$fo"
has err "$crd/no-storage.json:" "JSON CRD errors name the file"
has err "no version that is both served and the storage version" \
    "the missing storage version is explained"
expect_exit 2 "a file without the CRD" "$rfguard" lint --crd "$fo" "$fo"
has err "$fo:1:1: no CustomResourceDefinition redisfailovers.databases.spotahome.com" \
    "a file without the CRD says so"
expect_exit 2 "a missing file" "$rfguard" lint --crd "$work/nope.yaml" "$fo"
has err "cannot read the CRD file" "an unreadable file says so"
printf 'spec: [\n' >"$work/broken.yaml"
expect_exit 2 "a YAML error" "$rfguard" lint --crd "$work/broken.yaml" "$fo"
has err "$work/broken.yaml:" "a YAML error names the file"

# version --verbose names the schema of each target
expect_exit 0 "version --verbose" "$rfguard" version --verbose
has out "freshworks-v3.3  the compiled-in freshworks-v3.3 CRD, sha256 " \
    "version --verbose names each target's schema"
expect_exit 0 "version" "$rfguard" version
hasnt out "CRD schemas" "plain version stays one line"

# fix takes the same option
expect_exit 0 "fix --crd" "$rfguard" fix --crd "$crd/minimal.yaml" "$fo"
has err "rfguard fix: schema: the CRD in $crd/minimal.yaml" "fix notes the schema too"
expect_exit 2 "fix --crd with a bad CRD" "$rfguard" fix --crd "$crd/bad-schema.yaml" "$fo"

cli_finish
