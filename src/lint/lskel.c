/* SPDX-License-Identifier: Apache-2.0
 *
 * lskel.c - failover skeletons packed between lint's phases (lskel.h):
 * the skeleton rf_skeleton would copy is packed straight from the
 * document while its positions exist, one position per node in
 * pre-order; no copy is made.
 */
#include "lskel.h"

#include <stdlib.h>
#include <string.h>

#include "jpack.h"
#include "jpatch.h"
#include "json.h"
#include "rf.h"

/* The document's positions, for doc_pos. */
struct doc {
    const struct posmap *pm;
};

/* jpack_pos_fn: where the document's node was. */
static struct src_pos doc_pos(void *arg, const cJSON *node)
{
    const struct doc *d = arg;

    return posmap_get(d->pm, node);
}

/* The members of `src` named in `keys`, as rf_skeleton's pick finds
 * them; their count. */
static size_t find(const cJSON *src, const char *const *keys,
                   const cJSON **out)
{
    size_t i, n = 0;

    for (i = 0; keys[i]; i++)
        out[i] = json_get(src, keys[i]);
    for (i = 0; keys[i]; i++)
        n += out[i] != NULL;
    return n;
}

/* The members `v` of `keys`, each a whole subtree (metadata without
 * RF_SKELETON_SKIP). */
static void put_found(struct jpack_w *w, const char *const *keys,
                      const cJSON *const *v, struct doc *d)
{
    size_t i;

    for (i = 0; keys[i]; i++)
        if (v[i])
            jpack_w_tree(w, keys[i], v[i],
                         strcmp(keys[i], "metadata") ? NULL
                                                     : RF_SKELETON_SKIP,
                         doc_pos, d);
}

int lskel_pack(unsigned char **rec, size_t *len, const cJSON *obj,
               const struct posmap *pm)
{
    /* room for each list of rf.h's (a few members each) */
    const cJSON *top[8], *sp[8], *cp[8], *comp[RF_SENTINEL + 1] = {NULL};
    const cJSON *spec = json_get(obj, "spec");
    struct doc d = {pm};
    struct jpack_w w;
    size_t ntop = find(obj, rf_skeleton_top, top), nsp = 0;
    int i;

    /* an OpsTree object keeps its whole spec (rf_skeleton_ot) */
    if (rf_kind_of(obj) & RF_KIND_OPSTREE) {
        ntop = find(obj, rf_skeleton_ot, top);
        jpack_w_init(&w, rf_skeleton_words);
        jpack_w_open(&w, NULL, true, ntop, posmap_get(pm, obj));
        put_found(&w, rf_skeleton_ot, top, &d);
        *rec = jpack_w_finish(&w, len);
        return *rec ? RFG_OK : RFG_ENOMEM;
    }
    /* rf_skeleton's tree, node for node, straight from the document:
     * the picked members in the lists' order, spec after them, and the
     * components after the spec's own */
    jpack_w_init(&w, rf_skeleton_words);
    if (!cJSON_IsObject(spec)) {
        jpack_w_open(&w, NULL, true, ntop, posmap_get(pm, obj));
        put_found(&w, rf_skeleton_top, top, &d);
        *rec = jpack_w_finish(&w, len);
        return *rec ? RFG_OK : RFG_ENOMEM;
    }
    jpack_w_open(&w, NULL, true, ntop + 1, posmap_get(pm, obj));
    put_found(&w, rf_skeleton_top, top, &d);
    nsp = find(spec, rf_skeleton_spec, sp);
    for (i = RF_REDIS; i <= RF_SENTINEL; i++) {
        comp[i] = json_get(spec, rf_component_name(i));
        if (!cJSON_IsObject(comp[i]))
            comp[i] = NULL;
        nsp += comp[i] != NULL;
    }
    jpack_w_open(&w, "spec", true, nsp, posmap_get(pm, spec));
    put_found(&w, rf_skeleton_spec, sp, &d);
    for (i = RF_REDIS; i <= RF_SENTINEL; i++) {
        if (!comp[i])
            continue;
        jpack_w_open(&w, rf_component_name(i), true,
                     find(comp[i], rf_skeleton_comp, cp),
                     posmap_get(pm, comp[i]));
        put_found(&w, rf_skeleton_comp, cp, &d);
    }
    *rec = jpack_w_finish(&w, len);
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
