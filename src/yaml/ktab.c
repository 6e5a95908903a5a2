/* SPDX-License-Identifier: Apache-2.0
 *
 * ktab.c - the loader's string-keyed hash table (open addressing, linear
 * probing, FNV-1a): the keys of mappings too large for a linear duplicate
 * check, and the anchors of a document. Knows nothing of YAML.
 */
#include "ydoc_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the key, seeded with the owning mapping's address. */
static size_t key_hash(const void *obj, const char *s)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)obj;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29));
}

/* Find the slot of (obj, key), or the empty slot where it would go. */
static size_t ktab_slot(const struct ktab *t, const void *obj,
                        const char *key, size_t h)
{
    size_t i = h & (t->cap - 1);

    while (t->v[i].key && !(t->v[i].h == h && t->v[i].obj == obj &&
                             strcmp(t->v[i].key, key) == 0))
        i = (i + 1) & (t->cap - 1);
    return i;
}

cJSON *ktab_get(const struct ktab *t, const void *obj, const char *key)
{
    size_t i;

    if (!t->len)
        return NULL;
    i = ktab_slot(t, obj, key, key_hash(obj, key));
    return t->v[i].key ? t->v[i].item : NULL;
}

const char *ktab_key(const struct ktab *t, const void *obj, const char *key)
{
    size_t i;

    if (!t->len)
        return NULL;
    i = ktab_slot(t, obj, key, key_hash(obj, key));
    return t->v[i].key;
}

int ktab_put(struct ktab *t, const void *obj, char *key, cJSON *item)
{
    size_t h = key_hash(obj, key), i;

    if ((t->len + 1) * 4 > t->cap * 3) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        struct kent *nv = calloc(ncap, sizeof(*nv));
        struct ktab nt = {nv, ncap, 0, t->owns_keys};

        if (!nv)
            return RFG_ENOMEM;
        for (i = 0; i < t->cap; i++)
            if (t->v[i].key)
                nv[ktab_slot(&nt, t->v[i].obj, t->v[i].key, t->v[i].h)] =
                    t->v[i];
        free(t->v);
        t->v = nv;
        t->cap = ncap;
    }
    i = ktab_slot(t, obj, key, h);
    if (t->v[i].key) {
        if (t->owns_keys)
            free(key);
        t->v[i].item = item;
        return RFG_OK;
    }
    t->v[i].obj = obj;
    t->v[i].key = key;
    t->v[i].item = item;
    t->v[i].h = h;
    t->len++;
    return RFG_OK;
}

void ktab_clear(struct ktab *t)
{
    size_t i;

    if (!t->len)
        return;
    if (t->owns_keys)
        for (i = 0; i < t->cap; i++)
            free(t->v[i].key);
    t->len = 0;
    if (t->cap > 1024) {
        free(t->v);
        t->v = NULL;
        t->cap = 0;
        return;
    }
    memset(t->v, 0, t->cap * sizeof(*t->v));
}

void ktab_free(struct ktab *t)
{
    ktab_clear(t);
    free(t->v);
    t->v = NULL;
    t->cap = 0;
}
