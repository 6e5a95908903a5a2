#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# walk_links.sh - ctest cli.walk_links: directory walks follow symbolic
# links but read each real directory and file once. `x -> .` loops (one
# made `lint dir/` read a file 41 times, two made it exponential), links
# to a file beside the file itself, and a path given twice all count once,
# for lint and for fix --write, and a loop is not an error.
# Usage: walk_links.sh RFGUARD SOURCE_DIR BUILD_DIR
set -u
. "$(dirname "$0")/cli_common.bash"
rfguard=$1
cli_workdir "$3" walk-links

rf() {
    cat <<YAML
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: $1
  namespace: shop
spec:
  auth:
    secretPath: $1-auth
  sentinel:
    replicas: 3
  redis:
    replicas: 3
YAML
}

# one loop: old walks read a.yaml again under d/x/, d/x/x/, ...
mkdir -p "$work/one"
rf one > "$work/one/a.yaml"
ln -s . "$work/one/x"
"$rfguard" lint --no-color "$work/one" > "$work/out" 2>&1
rc=$?
[ $rc = 0 ] && ok "a link loop is not an error" || { bad "loop exit $rc"; cat "$work/out"; }
grep -q "^1 file, 1 document, 1 failover:" "$work/out" && ok "one loop: the file is read once" || { bad "one loop"; tail -1 "$work/out"; }

# two loops, a link to the file, a link back up from a subdirectory. The
# ceiling only catches the exponential walk (a hang), it times nothing.
mkdir -p "$work/two/sub"
rf two > "$work/two/a.yaml"
rf other > "$work/two/sub/b.yaml"
ln -s . "$work/two/x"
ln -s . "$work/two/y"
ln -s a.yaml "$work/two/c.yaml"
ln -s .. "$work/two/sub/up"
timeout 240 "$rfguard" lint --no-color "$work/two" > "$work/out" 2>&1
rc=$?
[ $rc = 0 ] && ok "two loops: lint ends, exit 0" || { bad "two loops exit $rc"; tail -3 "$work/out"; }
grep -q "^2 files, 2 documents, 2 failovers:" "$work/out" && ok "two loops: each file read once" || { bad "two loops count"; tail -1 "$work/out"; }
grep -q "two/a.yaml:" "$work/out" && ok "the file is named by its first path" || bad "first path"

# the same file given twice, directly and through the walk
"$rfguard" lint --no-color "$work/one/a.yaml" "$work/one" "$work/one/x/a.yaml" > "$work/out" 2>&1
grep -q "^1 file, 1 document, 1 failover:" "$work/out" && ok "a file named three ways is read once" || { bad "paths given twice"; tail -1 "$work/out"; }

# fix --write over a looped tree writes each file once
timeout 240 "$rfguard" fix --write "$work/two" > /dev/null 2> "$work/err"
rc=$?
[ $rc = 0 ] && ok "fix --write over loops exits 0" || { bad "fix exit $rc"; cat "$work/err"; }
n=$(grep -c "fixed 1 failover" "$work/err")
[ "$n" = 2 ] && ok "fix --write fixes each file once" || { bad "fixed $n times"; cat "$work/err"; }
[ -L "$work/two/c.yaml" ] && ok "the link to a file stays a link" || bad "link replaced"
"$rfguard" fix "$work/two/a.yaml" "$work/two/sub/b.yaml" | grep -v '^#' | sort -u > "$work/p"
[ "$(cat "$work/p")" = "[]" ] && ok "every file fixed" || { bad "not fixed"; cat "$work/p"; }

cli_finish
