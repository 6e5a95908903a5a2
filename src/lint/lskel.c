/* SPDX-License-Identifier: Apache-2.0
 *
 * lskel.c - failover skeletons packed between lint's phases (lskel.h):
 * the skeleton is copied from the document while its positions exist,
 * packed with one position per node in pre-order, and the copy freed.
 */
#include "lskel.h"

#include <stdlib.h>

#include "jpack.h"
#include "jpatch.h"
#include "rf.h"
#include "sbuf.h"

struct skpos {
    const cJSON *node;     /* borrowed from the skeleton */
    struct src_pos pos;
};

/* The skeleton's nodes and their positions while it is packed. */
struct skpos_list {
    struct skpos *v;       /* owned */
    size_t len, cap, last;
    const struct posmap *pm;
    int err;
};

/* rf_copy_fn: remember where the source of each copied node was. */
static void on_copy(void *arg, const cJSON *src, const cJSON *copy)
{
    struct skpos_list *l = arg;
    void *nv = rfg_grow(l->v, &l->cap, l->len, sizeof(*l->v), 32);

    if (!nv) {
        l->err = RFG_ENOMEM;
        return;
    }
    l->v = nv;
    l->v[l->len].node = copy;
    l->v[l->len].pos = posmap_get(l->pm, src);
    l->len++;
}

/* jpack_pos_fn: nodes come in the order they were copied (pre-order),
 * so the next one is almost always where the last one ended. */
static struct src_pos copied_pos(void *arg, const cJSON *node)
{
    struct skpos_list *l = arg;
    size_t i;

    if (l->last < l->len && l->v[l->last].node == node)
        return l->v[l->last++].pos;
    for (i = 0; i < l->len; i++)
        if (l->v[i].node == node) {
            l->last = i + 1;
            return l->v[i].pos;
        }
    return (struct src_pos){0, 0};
}

int lskel_pack(unsigned char **rec, size_t *len, const cJSON *obj,
               const struct posmap *pm)
{
    struct skpos_list sp = {NULL, 0, 0, 0, pm, RFG_OK};
    cJSON *skel = rf_skeleton(obj, on_copy, &sp);

    *rec = NULL;
    if (skel && !sp.err)
        *rec = jpack_tree(skel, copied_pos, &sp, rf_skeleton_words, len);
    cJSON_Delete(skel);
    free(sp.v);
    return *rec ? RFG_OK : RFG_ENOMEM;
}

cJSON *lskel_unpack(const unsigned char *rec)
{
    return jpack_unpack(rec, rf_skeleton_words);
}

struct src_pos lskel_pos(const unsigned char *rec, const cJSON *skel,
                         const char *ptr, struct src_pos fallback)
{
    long i = jpack_index(skel, jptr_deepest(skel, ptr));
    struct src_pos pos;

    if (i >= 0 && jpack_pos(rec, (size_t)i, &pos))
        return pos;
    return fallback;
}
