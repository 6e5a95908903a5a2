/* SPDX-License-Identifier: Apache-2.0
 *
 * suggest.c - "did you mean" for fields a CRD does not know (see
 * suggest.h): edit distance over the sibling fields, then the same name
 * one level down, up, or in a sibling object. It reads schemas only; the
 * walk that finds unknown fields and words the issue is schema.c.
 */
#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpatch.h"
#include "json.h"
#include "sbuf.h"
#include "schema.h"

/* True if `sch` describes an object. */
static bool is_object(const cJSON *sch)
{
    const cJSON *v = json_get(sch, "type");

    return cJSON_IsString(v) && !strcmp(v->valuestring, "object");
}

size_t schema_edit_distance(const char *a, const char *b, bool fold_case)
{
    size_t la = strlen(a), lb = strlen(b), i, j;
    size_t row[64];

    if (la >= 63 || lb >= 63)
        return 99;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t prev = row[0], tmp;

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            unsigned char ca = (unsigned char)a[i - 1];
            unsigned char cb = (unsigned char)b[j - 1];
            size_t best = prev + (fold_case ? tolower(ca) != tolower(cb)
                                            : ca != cb);

            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[lb];
}

/* Append "prefix.key" (prefix = pointer[0..plen) in human form). */
static void add_candidate(struct sbuf *hint, int *n, const char *ptr,
                          size_t plen, const char *mid, const char *key)
{
    char h[256];
    struct sbuf p;

    if (*n >= 3)
        return;
    sbuf_init(&p, 1024);
    if (sbuf_add(&p, ptr, plen) || (mid && jptr_append(&p, mid)) ||
        jptr_append(&p, key)) {
        sbuf_cleanup(&p);
        return;
    }
    schema_ptr_human(h, sizeof(h), sbuf_str(&p));
    sbuf_cleanup(&p);
    (void)sbuf_printf(hint, "%s%s", *n ? " or " : "did you mean ", h);
    (*n)++;
}

/* Children c of `sch` (other than `skip`) whose object schema has `key`. */
static void nephews(struct sbuf *hint, int *n, const char *ptr,
                    const struct schema_level *f, const char *skip,
                    const char *key)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, json_get(f->sch, "properties")) {
        if (skip && !strcmp(c->string, skip))
            continue;
        if (is_object(c) && json_get(json_get(c, "properties"), key))
            add_candidate(hint, n, ptr, f->plen, c->string, key);
    }
}

char *schema_suggest(const char *ptr, const struct schema_level *f,
                     const char *key)
{
    struct sbuf hint;
    const cJSON *c, *props;
    const char *best = NULL;
    size_t bestd = 99, klen = strlen(key);
    int n = 0;

    sbuf_init(&hint, 4096);
    props = json_get(f->sch, "properties");
    for (c = props ? props->child : NULL; c; c = c->next) {
        size_t d = schema_edit_distance(key, c->string, true);

        if (d < bestd) {
            bestd = d;
            best = c->string;
        }
    }
    if (best && bestd <= 2 && bestd * 3 <= klen) {
        add_candidate(&hint, &n, ptr, f->plen, NULL, best);
    } else {
        nephews(&hint, &n, ptr, f, NULL, key);
        if (f->up) {
            char self[256];
            const char *s = ptr + f->up->plen;
            size_t len = f->plen - f->up->plen;

            /* our own key in the parent, to skip it among siblings */
            snprintf(self, sizeof(self), "%.*s", (int)(len ? len - 1 : 0),
                     len ? s + 1 : s);
            if (json_get(json_get(f->up->sch, "properties"), key))
                add_candidate(&hint, &n, ptr, f->up->plen, NULL, key);
            nephews(&hint, &n, ptr, f->up, self, key);
        }
    }
    if (n)
        (void)sbuf_adds(&hint, "?");
    if (!n || hint.failed) {
        sbuf_cleanup(&hint);
        return NULL;
    }
    return sbuf_take(&hint, NULL);
}

