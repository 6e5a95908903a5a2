/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_yedit.c - libFuzzer target for the in-place YAML rewriter. The
 * input is loaded with ydoc_load; each document root gets a few fixed
 * changes (a key added, its first scalar replaced, its last entry
 * removed), yedit_diff queues them, yedit_render writes the text and the
 * result is loaded again. `rfguard fix --write` checks that read-back
 * itself and refuses a mismatch, so only memory and UB errors count here.
 */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "sbuf.h"
#include "ydoc.h"
#include "yedit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of `root` with the changes rfguard fix makes most: a new key,
 * a changed scalar, a dropped entry. NULL when out of memory. */
static cJSON *changed(const cJSON *root, uint8_t how)
{
    cJSON *after = cJSON_Duplicate(root, 1);
    cJSON *n;
    size_t depth;

    if (!after)
        return NULL;
    if ((how & 1) && cJSON_IsObject(after) &&
        !cJSON_GetObjectItemCaseSensitive(after, "rfguardFuzz"))
        cJSON_AddItemToObject(after, "rfguardFuzz",
                              cJSON_Parse("{\"a\":[1,\"two: 2\"],\"b\":null}"));
    if (how & 2) {
        cJSON *parent = after;

        /* Down the first children to a leaf; replace it in its parent. */
        for (n = after->child, depth = 0; n && n->child && depth < 100;
             depth++) {
            parent = n;
            n = n->child;
        }
        if (n && !cJSON_IsArray(n) && !cJSON_IsObject(n)) {
            cJSON *s = cJSON_CreateString("new # value");

            if (s && !cJSON_ReplaceItemViaPointer(parent, n, s))
                cJSON_Delete(s);
        }
    }
    if ((how & 4) && after->child) {
        cJSON *last = after->child->prev;

        cJSON_Delete(cJSON_DetachItemViaPointer(after, last));
    }
    return after;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ydoc_stream ys = {0}, again = {0};
    struct yedit *ye = NULL;
    struct diag_list dl;
    struct sbuf out;
    const char *buf = (const char *)data;
    uint8_t how = size ? data[size - 1] : 0;
    size_t i;
    int rc;

    diag_list_init(&dl, "<fuzz>");
    sbuf_init(&out, 0);
    if (ydoc_load(&ys, buf, size, NULL, &dl) != RFG_OK)
        goto out;
    rc = yedit_new(&ye, buf, size, &dl);
    /* Each document's changes; a refusal stops here, as in rfguard fix. */
    for (i = 0; !rc && i < ys.len; i++) {
        cJSON *after;

        if (!ys.docs[i].root)
            continue;
        after = changed(ys.docs[i].root, (uint8_t)(how >> (i % 6)));
        if (!after)
            break;
        rc = yedit_diff(ye, posmap_get(ys.docs[i].pm, ys.docs[i].root),
                        ys.docs[i].root, after, &dl);
        cJSON_Delete(after);
    }
    /* A refused change (RFG_EINVAL, RFG_ENOTFOUND) ends the run, as in
     * rfguard fix; otherwise render and read the result back. */
    if (!rc && yedit_render(ye, &out) == RFG_OK)
        rc = ydoc_load(&again, out.p ? out.p : "", out.len, NULL, &dl);
out:
    ydoc_stream_cleanup(&again);
    ydoc_stream_cleanup(&ys);
    yedit_free(ye);
    sbuf_cleanup(&out);
    diag_list_cleanup(&dl);
    return 0;
}
