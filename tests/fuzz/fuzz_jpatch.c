/* SPDX-License-Identifier: Apache-2.0
 *
 * fuzz_jpatch.c - libFuzzer target for JSON Pointers and Patches. The
 * input is up to three parts separated by a NUL byte: a JSON document,
 * a JSON Patch (an op array), and a pointer. Each part that is missing
 * or not JSON falls back to a fixed default, so the fuzzer can mutate
 * one part at a time. It runs jptr_valid/jptr_get/jptr_deepest on the
 * pointer and on every op's path, jpatch_apply of the ops (checking the
 * all-or-nothing promise), and builds add/replace/remove ops at the
 * pointer with jpatch_add/_replace/_remove and applies those too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char default_doc[] =
    "{\"a\":{\"b\":[1,2,{\"c~/d\":null}],\"\":\"empty\"},\"e\":[]}";
static const char default_ops[] =
    "[{\"op\":\"add\",\"path\":\"/a/b/-\",\"value\":3}]";

/* The next NUL-terminated part of [*p, end), or NULL past the end. */
static char *next_part(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *s = *p, *nul;
    char *out;

    if (!s || s > end)
        return NULL;
    nul = memchr(s, 0, (size_t)(end - s));
    if (!nul)
        nul = end;
    out = malloc((size_t)(nul - s) + 1);
    if (!out)
        return NULL;
    memcpy(out, s, (size_t)(nul - s));
    out[nul - s] = '\0';
    *p = nul < end ? nul + 1 : NULL;
    return out;
}

/* Look `ptr` up every way there is; the answers must agree. */
static void look_up(const cJSON *doc, const char *ptr)
{
    const cJSON *got = jptr_get(doc, ptr);
    const cJSON *deep = jptr_deepest(doc, ptr);

    if (!deep)
        abort();
    if (got && !jptr_valid(ptr))
        abort();
    if (got && deep != got)
        abort();
}

/* Apply `ops` to a copy of `doc`: on failure the copy must be unchanged.
 * Compared as printed text: cJSON_Compare() looks keys up by name, so it
 * calls an object with a duplicate key different from itself. */
static void apply(const cJSON *doc, const cJSON *ops)
{
    cJSON *work = cJSON_Duplicate(doc, 1);
    struct diag_list dl;
    char *before = NULL, *after = NULL;
    int rc;

    if (!work)
        return;
    diag_list_init(&dl, NULL);
    before = cJSON_PrintUnformatted(work);
    rc = jpatch_apply(&work, ops, &dl);
    if (rc == RFG_EINVAL) {
        after = cJSON_PrintUnformatted(work);
        if (!dl.nerr || (before && after && strcmp(before, after) != 0))
            abort();
    }
    cJSON_free(after);
    cJSON_free(before);
    diag_list_cleanup(&dl);
    cJSON_Delete(work);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *sdoc = next_part(&p, end);
    char *sops = next_part(&p, end);
    char *ptr = next_part(&p, end);
    cJSON *doc = sdoc ? cJSON_Parse(sdoc) : NULL;
    cJSON *ops = sops ? cJSON_Parse(sops) : NULL;
    const cJSON *op;
    cJSON *built = NULL;

    if (!doc)
        doc = cJSON_Parse(default_doc);
    if (!ops)
        ops = cJSON_Parse(default_ops);
    if (!doc || !ops)
        goto out;
    if (ptr) {
        look_up(doc, ptr);
        (void)jptr_valid(ptr);
    }
    cJSON_ArrayForEach(op, ops) {
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(op, "path");
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(op, "from");

        if (cJSON_IsString(path))
            look_up(doc, path->valuestring);
        if (cJSON_IsString(from))
            look_up(doc, from->valuestring);
    }
    apply(doc, ops);
    if (ptr) {
        built = cJSON_CreateArray();
        if (!built)
            goto out;
        if (jpatch_add(built, ptr, cJSON_CreateString("x")) ||
            jpatch_replace(built, ptr, cJSON_Duplicate(doc, 1)) ||
            jpatch_remove(built, ptr))
            goto out;
        apply(doc, built);
    }
out:
    cJSON_Delete(built);
    cJSON_Delete(ops);
    cJSON_Delete(doc);
    free(ptr);
    free(sops);
    free(sdoc);
    return 0;
}
