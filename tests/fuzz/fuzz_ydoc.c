/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_ydoc.c - libFuzzer target for the YAML loader (ydoc_load) with the
 * default limits, plus a round trip of what it loaded: every document is
 * written back with ydoc_emit, read again, and must compare equal to the
 * original tree. Also asks the posmap for the position of every node.
 * It abort()s on a round-trip mismatch so the fuzzer reports it; memory
 * errors are found by ASan/UBSan. Not a test of rule logic.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "sbuf.h"
#include "ydoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Ask for the position of `n` and everything below it (bounded by the
 * loader's depth limit). */
static void walk_positions(const struct posmap *pm, const cJSON *n)
{
    const cJSON *c;
    struct src_pos p = posmap_get(pm, n);

    if (p.line == 0 && p.col != 0)
        abort();
    cJSON_ArrayForEach(c, n)
        walk_positions(pm, c);
}

/* Emit `root`, load it again and compare. */
static void round_trip(const cJSON *root)
{
    struct ydoc_stream again = {0};
    struct ydoc_limits lim;
    struct diag_list dl;
    struct sbuf out;
    int rc;

    sbuf_init(&out, 0);
    diag_list_init(&dl, "<emitted>");
    rc = ydoc_emit(&out, root);
    if (rc) {
        /* Only trees YAML cannot hold (non-UTF-8 strings from escapes
         * the loader accepted) may be refused; the loader never makes
         * NaN or infinity numbers. */
        if (rc != RFG_EINVAL)
            abort();
        goto out;
    }
    ydoc_limits_default(&lim);
    lim.max_scalar_bytes = lim.max_doc_bytes = lim.max_input_bytes =
        (size_t)256 << 20;
    lim.max_alias_nodes = lim.max_nodes = (size_t)-1;
    rc = ydoc_load(&again, out.p ? out.p : "", out.len, &lim, &dl);
    if (rc == RFG_ENOMEM)
        goto out;
    if (rc != RFG_OK || again.len != 1 ||
        !cJSON_Compare(root, again.docs[0].root, 1)) {
        fprintf(stderr, "round trip differs (rc %d, %zu docs):\n%s\n", rc,
                again.len, out.p ? out.p : "");
        abort();
    }
out:
    ydoc_stream_cleanup(&again);
    diag_list_cleanup(&dl);
    sbuf_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ydoc_stream ys = {0};
    struct ydoc_limits lim;
    struct diag_list dl;
    size_t i;
    int rc;

    ydoc_limits_default(&lim);
    diag_list_init(&dl, "<fuzz>");
    rc = ydoc_load(&ys, (const char *)data, size, &lim, &dl);
    /* A failure always says why. */
    if (rc != RFG_OK && rc != RFG_ENOMEM && dl.nerr == 0)
        abort();
    for (i = 0; i < ys.len; i++) {
        if (!ys.docs[i].root)
            continue;
        walk_positions(ys.docs[i].pm, ys.docs[i].root);
        round_trip(ys.docs[i].root);
    }
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
    return 0;
}
