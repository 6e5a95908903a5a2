#!/usr/bin/env bash
# core_libs.sh CORE_ONLY - the core links no network library: run the
# program built from rfg_core alone (tests/fence/core_only.c, linked
# without --as-needed, so every library in the core's link closure stays
# a dependency) and fail if it needs libcurl, GnuTLS, OpenSSL or
# libmicrohttpd. Exits 77 when ldd is missing.
set -u
prog=${1:?usage: core_libs.sh CORE_ONLY}
command -v ldd >/dev/null 2>&1 || { echo "SKIP: no ldd"; exit 77; }
"$prog" || { echo "FAIL: $prog did not run"; exit 1; }
libs=$(ldd "$prog") || { echo "FAIL: ldd $prog"; exit 1; }
bad=$(printf '%s\n' "$libs" |
      grep -Ei 'lib(curl|gnutls|ssl|crypto|microhttpd|nettle|hogweed)[.-]')
if [ -n "$bad" ]; then
    echo "FAIL: rfg_core links network or TLS libraries:"
    printf '%s\n' "$bad"
    exit 1
fi
echo "ok: rfg_core needs no network or TLS library"
