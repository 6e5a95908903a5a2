/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.c - the (object, member name) hash index of a parsed CRD schema
 * (see sidx.h): open addressing with linear probing, keyed by the
 * object's address and the name; each indexed object also gets a mark
 * entry (name NULL) so a miss can tell "not a member" from "object not
 * indexed". Objects with fewer than two members are not indexed: a list
 * of one is as fast. Not a validator: schema.c.
 */
#include "sidx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sidx_ent {
    const cJSON *node;     /* the object; NULL = empty slot */
    const char *key;       /* member name; NULL = "node is indexed" mark */
    const cJSON *val;
};

/* FNV-1a over the object's address and the name. */
static size_t sidx_hash(const cJSON *node, const char *key)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)(uintptr_t)node;

    h *= 1099511628211ull;
    for (; key && *key; key++) {
        h ^= (unsigned char)*key;
        h *= 1099511628211ull;
    }
    return (size_t)(h ^ (h >> 29));
}

/* Store one entry in the first free slot of its probe sequence. */
static void put(struct sidx *x, const cJSON *node, const char *key,
                const cJSON *val)
{
    size_t i = sidx_hash(node, key) & (x->cap - 1);

    while (x->v[i].node)
        i = (i + 1) & (x->cap - 1);
    x->v[i].node = node;
    x->v[i].key = key;
    x->v[i].val = val;
}

/* Every node of the tree, for sizing the table. */
static size_t count_members(const cJSON *n)
{
    const cJSON *c;
    size_t k = 1;

    cJSON_ArrayForEach(c, n) {
        k += count_members(c);
    }
    return k;
}

/* Index the objects of `n` and below. */
static void index_tree(struct sidx *x, const cJSON *n)
{
    const cJSON *c;

    if (cJSON_IsObject(n) && n->child && n->child->next) {
        put(x, n, NULL, NULL);
        cJSON_ArrayForEach(c, n) {
            /* the first of duplicate names wins, as in cJSON */
            if (c->string && cJSON_GetObjectItemCaseSensitive(n, c->string)
                                 == c)
                put(x, n, c->string, c);
        }
    }
    cJSON_ArrayForEach(c, n) {
        index_tree(x, c);
    }
}

void sidx_build(struct sidx *x, const cJSON *root)
{
    size_t n = root ? count_members(root) : 0;

    for (x->cap = 1024; x->cap < n * 2; x->cap *= 2)
        ;
    x->v = calloc(x->cap, sizeof(*x->v));
    if (!x->v) {
        x->cap = 0;
        return;
    }
    index_tree(x, root);
}

void sidx_free(struct sidx *x)
{
    free(x->v);
    x->v = NULL;
    x->cap = 0;
}

const cJSON *sidx_get(const struct sidx *x, const cJSON *o, const char *k,
                      bool *found)
{
    size_t i;

    *found = false;
    if (!x->cap)
        return NULL;
    for (i = sidx_hash(o, k) & (x->cap - 1); x->v[i].node;
         i = (i + 1) & (x->cap - 1))
        if (x->v[i].node == o && x->v[i].key && !strcmp(x->v[i].key, k)) {
            *found = true;
            return x->v[i].val;
        }
    for (i = sidx_hash(o, NULL) & (x->cap - 1); x->v[i].node;
         i = (i + 1) & (x->cap - 1))
        if (x->v[i].node == o && !x->v[i].key) {
            *found = true; /* indexed, and `k` is not a member */
            return NULL;
        }
    return NULL;
}
