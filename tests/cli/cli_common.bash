# SPDX-License-Identifier: Apache-2.0
#
# cli_common.bash - shared by the tests/cli/*.sh tests (sourced, not a
# test itself: ctest globs only *.sh). Counts checks and reports them the
# same way in every test:
#   ok DESC...      a check passed: "ok   DESC"
#   bad DESC...     a check failed: "FAIL DESC" (the test goes on)
#   cli_finish      print "N passed, M failed"; status 0 only if none
#                   failed. Make it the test's last command.
#   cli_workdir DIR NAME
#                   $work = a new mktemp directory DIR/NAME.XXXXXX,
#                   removed when the test exits.
#   expect_exit CODE DESC CMD...
#                   run CMD with stdout in $work/out and stderr in
#                   $work/err; a check that it exits CODE.
# Skips stay in each test: print "SKIP: why" and exit 77.
#
# Usage: . "$(dirname "$0")/cli_common.bash"

pass=0
failed=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

cli_finish() {
    echo "$pass passed, $failed failed"
    [ "$failed" = 0 ]
}

cli_workdir() {
    work=$(mktemp -d "$1/$2.XXXXXX")
    trap 'rm -rf "$work"' EXIT
}

expect_exit() {
    local want=$1 desc=$2
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ "$got" = "$want" ]; then ok "$desc (exit $got)"; else
        bad "$desc: exit $got, want $want"; cat "$work/out" "$work/err"; fi
}
