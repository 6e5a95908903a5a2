/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_ydoc.c - libFuzzer target for the YAML loader (ydoc_load) with the
 * default limits, plus a round trip of what it loaded: every document is
 * written back with ydoc_emit, read again, and must compare equal to the
 * original tree (same members in the same order, same numbers). Also
 * asks the posmap for the position of every node, and checks that
 * nothing was cut short: when the loader accepts the input, libyaml, run
 * on its own over the same bytes, must not see a scalar (value or key)
 * whose length differs from the length of its C string, i.e. one holding
 * a NUL character that would hide the rest of the value from the rules.
 * It abort()s on a mismatch so the fuzzer reports it; memory errors are
 * found by ASan/UBSan. Not a test of rule logic.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

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

/* Equal trees with children in the same order (emit then load keeps
 * the order). Not cJSON_Compare: it looks each member up from both
 * sides at every level, which takes 2^depth steps on nested objects (a
 * fuzz timeout on 30 nested mappings). */
static bool same_tree(const cJSON *a, const cJSON *b)
{
    const cJSON *x, *y;

    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    if (cJSON_IsString(a))
        return strcmp(a->valuestring, b->valuestring) == 0;
    if (cJSON_IsNumber(a))
        return a->valuedouble == b->valuedouble;    /* never NaN */
    if (!cJSON_IsArray(a) && !cJSON_IsObject(a))
        return true;
    for (x = a->child, y = b->child; x && y; x = x->next, y = y->next) {
        if (cJSON_IsObject(a) && strcmp(x->string, y->string) != 0)
            return false;
        if (!same_tree(x, y))
            return false;
    }
    return !x && !y;
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
        !same_tree(root, again.docs[0].root)) {
        fprintf(stderr, "round trip differs (rc %d, %zu docs):\n%s\n", rc,
                again.len, out.p ? out.p : "");
        abort();
    }
out:
    ydoc_stream_cleanup(&again);
    diag_list_cleanup(&dl);
    sbuf_cleanup(&out);
}

/* True when libyaml, parsing `data` on its own, reports a scalar whose
 * length is not the length of its C string (it holds a NUL) before it
 * stops. */
static bool has_cut_scalar(const uint8_t *data, size_t size)
{
    yaml_parser_t p;
    yaml_event_t ev;
    bool cut = false, done = false;

    if (!yaml_parser_initialize(&p))
        return false;
    yaml_parser_set_input_string(&p, data, size);
    while (!cut && !done && yaml_parser_parse(&p, &ev)) {
        if (ev.type == YAML_SCALAR_EVENT &&
            strlen((const char *)ev.data.scalar.value) !=
                ev.data.scalar.length)
            cut = true;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return cut;
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
    /* Accepted input holds no string the trees would cut short. */
    if (rc == RFG_OK && has_cut_scalar(data, size)) {
        fprintf(stderr, "accepted a scalar with a NUL character\n");
        abort();
    }
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
