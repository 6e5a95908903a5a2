#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# lint.sh - ctest cli.lint: rfguard lint and fix as a user runs them:
# help and usage errors, exit codes, stdin, directories, bad policies,
# the fix round trip (patch, apply, lint clean, second fix empty), and
# that a password never appears in any output.
# Usage: lint.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
src=$2
build=$3
cli_workdir "$build" cli-lint

expect_out() {
    if grep -qF -- "$1" "$work/out" "$work/err"; then ok "$2"; else
        bad "$2: '$1' not in output"; cat "$work/out" "$work/err"; fi
}

lintdir=$src/tests/lint
expect_exit 0 "--help" "$rfguard" --help
expect_out "lint" "--help lists lint"
expect_out "serve" "--help lists serve"
expect_exit 0 "lint --help" "$rfguard" lint --help
expect_out "Exit codes" "lint --help documents exit codes"
expect_exit 0 "fix --help" "$rfguard" fix --help
expect_exit 0 "version" "$rfguard" version
expect_out "rfguard " "version names rfguard"
expect_exit 2 "no command" "$rfguard"
expect_exit 2 "unknown command" "$rfguard" frobnicate
expect_out "unknown command 'frobnicate'" "unknown command is named"
expect_exit 2 "lint without input" "$rfguard" lint
expect_exit 2 "unknown format" "$rfguard" lint --format xml "$lintdir/headline.yaml"
expect_out "unknown format 'xml'" "unknown format is named"
expect_exit 2 "unknown target" "$rfguard" lint --target spotahome-v9 "$lintdir/headline.yaml"
expect_exit 2 "unknown option" "$rfguard" lint --frob "$lintdir/headline.yaml"

# exit codes: clean 0, warnings only 0, deny 1, parse error 2
expect_exit 0 "clean file" "$rfguard" lint "$lintdir/clean.yaml"
expect_exit 1 "deny finding" "$rfguard" lint "$lintdir/headline.yaml"
cat > "$work/warn.yaml" <<'YAML'
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata: {name: cache, namespace: shop}
spec:
  auth: {secretPath: cache-auth}
  sentinel: {replicas: 3}
  redis: {replicas: 1}
YAML
expect_exit 0 "warnings only" "$rfguard" lint --no-color "$work/warn.yaml"
expect_out "warning:" "warnings are printed"
expect_exit 2 "parse error" "$rfguard" lint "$lintdir/broken.yaml"

# stdin keeps line:col
expect_exit 1 "stdin" sh -c "'$rfguard' lint --no-color - < '$lintdir/headline.yaml'"
expect_out "<stdin>:9:5: error: spec.sentinel.replicas is 2" "stdin positions"

# directories are walked, non-manifest files ignored
mkdir -p "$work/tree/sub" "$work/tree/.hidden"
cp "$lintdir/clean.yaml" "$work/tree/a.yml"
cp "$lintdir/headline.yaml" "$work/tree/sub/b.yaml"
echo "not: [yaml" > "$work/tree/notes.txt"
cp "$lintdir/broken.yaml" "$work/tree/.hidden/c.yaml"
expect_exit 1 "directory walk" "$rfguard" lint --no-color "$work/tree"
expect_out "2 files, 3 documents, 2 failovers" "walk reads .yaml and .yml only"
expect_out "sub/b.yaml:9:5" "walk names nested files"

# a bad policy is refused with its position
printf 'apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n  rules:\n    auth-requird: deny\n' > "$work/bad-policy.yaml"
expect_exit 2 "bad policy" "$rfguard" lint --policy "$work/bad-policy.yaml" "$lintdir/clean.yaml"
expect_out "bad-policy.yaml:5:5: unknown rule \"auth-requird\" (did you mean \"auth-required\"?)" "bad policy position"
expect_exit 2 "missing policy" "$rfguard" lint --policy "$work/nope.yaml" "$lintdir/clean.yaml"
expect_out "cannot open policy" "missing policy message"
printf 'apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n  rules:\n    auth-required: off\n    sentinel-replicas: warn\n' > "$work/lax.yaml"
expect_exit 0 "policy turns rules off" "$rfguard" lint --policy "$work/lax.yaml" "$lintdir/headline.yaml"

# fix: a patch, applied, lints without spread-missing; a second fix is []
expect_exit 0 "fix prints a patch" "$rfguard" fix "$lintdir/headline.yaml"
expect_out '"path": "/spec/sentinel/affinity"' "fix adds sentinel anti-affinity"
expect_out "# $lintdir/headline.yaml:2: RedisFailover shop/sidekiq" "fix names the document"
expect_exit 0 "fix --apply" "$rfguard" fix --apply "$lintdir/headline.yaml"
cp "$work/out" "$work/fixed.yaml"
expect_exit 1 "fixed object still lacks auth" "$rfguard" lint --no-color "$work/fixed.yaml"
if grep -q "spread-missing" "$work/out"; then bad "spread-missing after fix"; else ok "fix removes spread-missing"; fi
expect_exit 0 "second fix" "$rfguard" fix "$work/fixed.yaml"
if [ "$(grep -v '^#' "$work/out")" = "[]" ]; then ok "second fix is empty"; else bad "second fix not empty"; cat "$work/out"; fi

# secrets never appear in output
cat > "$work/secret.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: cache-auth, namespace: shop}
stringData: {password: "hunter2 with spaces"}
---
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata: {name: cache, namespace: shop}
spec: {auth: {secretPath: cache-auth}}
YAML
expect_exit 1 "bad password" "$rfguard" lint --no-color --format json "$work/secret.yaml"
expect_out "contains whitespace" "charset finding"
if grep -q "hunter2" "$work/out" "$work/err"; then bad "password leaked"; else ok "password not printed"; fi
"$rfguard" fix --apply "$work/secret.yaml" >/dev/null 2>&1 || true

# a hostile object with many unknown keys: 50 findings and a count
python3 -c '
import sys
w = sys.stdout.write
w("apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\n")
w("metadata: {name: w, namespace: x}\nspec:\n  auth: {secretPath: s}\n")
for i in range(20000):
    w("  k%d: 1\n" % i)
' > "$work/wide.yaml"
# (this was quadratic once; `timeout` with RFG_WAIT only catches a hang)
expect_exit 1 "20000 unknown keys" timeout "${RFG_WAIT:-180}" "$rfguard" lint --no-color "$work/wide.yaml"
expect_out "... and 19950 more like the above (only the first 50 are listed) [schema-unknown-field]" "unknown keys are capped at 50 findings"

# the shipped examples say what they show: the good one has no finding
# under any target it is written for, the bad one is denied
expect_exit 0 "examples: good" "$rfguard" lint --no-color "$src/examples/redisfailover-good.yaml"
expect_out "0 errors, 0 warnings" "examples: the good one has no finding"
expect_exit 0 "examples: good (spotahome-v1.2)" "$rfguard" lint -t spotahome-v1.2 --no-color "$src/examples/redisfailover-good.yaml"
expect_out "0 errors, 0 warnings" "examples: the good one has no finding under spotahome-v1.2"
expect_exit 1 "examples: bad" "$rfguard" lint --no-color "$src/examples/redisfailover-bad.yaml"
expect_out "[auth-required]" "examples: the bad one is denied for its missing password"
cli_finish
