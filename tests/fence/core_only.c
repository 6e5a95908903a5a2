/* SPDX-License-Identifier: Apache-2.0
 *
 * core_only.c - a program built from rfg_core alone (the layers rfguard
 * lint links: util, yaml, k8s, rules, lint, webhook). It builds only if
 * the core needs nothing from the net or cli layers, and
 * tests/fence/core_libs.sh checks that it needs no network or TLS
 * library either. Running it parses one small YAML document.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "ydoc.h"

int main(void)
{
    static const char yaml[] = "kind: RedisFailover\n";
    struct ydoc_stream ys;
    struct ydoc_limits lim;
    struct diag_list dl;
    int rc;

    memset(&ys, 0, sizeof(ys));
    diag_list_init(&dl, "core_only");
    ydoc_limits_default(&lim);
    rc = ydoc_load(&ys, yaml, sizeof(yaml) - 1, &lim, &dl);
    if (rc == RFG_OK && ys.len == 1)
        puts("core_only: ok");
    else
        rc = rc ? rc : RFG_EPARSE;
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
    return rc == RFG_OK ? 0 : 1;
}
