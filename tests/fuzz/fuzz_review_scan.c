/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_review_scan.c - libFuzzer target that holds the webhook's own
 * JSON pass (webhook/review_scan.c) to cJSON's parser, the maintained
 * one it stands in for on the hot path. For every body the pass accepts,
 * cJSON must parse the same bytes too, and the two trees must print the
 * same once the members the pass leaves out on purpose are removed from
 * cJSON's: metadata.managedFields of request.object and
 * request.oldObject, and request.resource, subResource, requestKind,
 * requestResource, requestSubResource and options. Any difference
 * (a value, a key, their order, a duplicate key, a number) aborts. The
 * corpus is fuzz_review's. No rules, HTTP or threads.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "review_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Remove every member `key` of object `o` (duplicates included). */
static void drop_all(cJSON *o, const char *key)
{
    cJSON *m = o ? o->child : NULL, *next;

    for (; m; m = next) {
        next = m->next;
        if (m->string && !strcmp(m->string, key))
            cJSON_Delete(cJSON_DetachItemViaPointer(o, m));
    }
}

/* What the pass leaves out, removed from cJSON's tree `root` of a body
 * whose request member is an object. Only the first member of a name is
 * followed, as cJSON_GetObjectItemCaseSensitive does. */
static void drop_left_out(cJSON *root)
{
    static const char *const req_keys[] = {
        "resource", "subResource", "requestKind", "requestResource",
        "requestSubResource", "options",
    };
    static const char *const objs[] = {"object", "oldObject"};
    cJSON *req = cJSON_GetObjectItemCaseSensitive(root, "request");
    size_t i;

    if (!cJSON_IsObject(root) || !cJSON_IsObject(req))
        return;
    for (i = 0; i < sizeof(req_keys) / sizeof(req_keys[0]); i++)
        drop_all(req, req_keys[i]);
    for (i = 0; i < 2; i++) {
        cJSON *md = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(req, objs[i]), "metadata");

        if (cJSON_IsObject(md))
            drop_all(md, "managedFields");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct review_scan sc;
    cJSON *mine = NULL, *ref;
    const char *end = NULL;
    char *a, *b;

    if (!review_prescan(&sc, (const char *)data, size, &mine))
        return 0;
    if (!mine)
        abort();            /* accepted, but no tree */
    ref = cJSON_ParseWithLengthOpts((const char *)data, size, &end, 0);
    if (!ref) {
        fprintf(stderr, "review_scan accepts a body cJSON refuses\n");
        abort();
    }
    drop_left_out(ref);
    a = cJSON_PrintUnformatted(mine);
    b = cJSON_PrintUnformatted(ref);
    if (!a || !b || strcmp(a, b)) {
        fprintf(stderr, "trees differ:\n  review_scan: %.400s\n"
                        "  cJSON:       %.400s\n",
                a ? a : "(null)", b ? b : "(null)");
        abort();
    }
    cJSON_free(a);
    cJSON_free(b);
    cJSON_Delete(mine);
    cJSON_Delete(ref);
    return 0;
}
