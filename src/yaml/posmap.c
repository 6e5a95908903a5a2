/* SPDX-License-Identifier: Apache-2.0
 *
 * posmap.c - where things are in a YAML input: the position map from
 * each cJSON node the loader built to the line:col it came from
 * (pointer-keyed open addressing, linear probing), and the cursor that
 * turns libyaml's character indexes into byte offsets (used by the loader
 * and by yedit). It neither parses nor builds anything.
 */
#include "ydoc_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- posmap ---- */

struct pm_ent {
    const cJSON *k;         /* NULL = empty slot */
    unsigned line, col;
};

struct posmap {
    struct pm_ent *v;       /* owned; cap slots, cap a power of two */
    size_t cap, len;
};

/* Mix a pointer into a hash: cJSON nodes are aligned, so the low bits
 * carry nothing and must be spread. */
static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;

    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

struct posmap *posmap_new(void)
{
    struct posmap *pm = malloc(sizeof(*pm));

    if (!pm)
        return NULL;
    pm->cap = 64;
    pm->len = 0;
    pm->v = calloc(pm->cap, sizeof(*pm->v));
    if (!pm->v) {
        free(pm);
        return NULL;
    }
    return pm;
}

void posmap_free(struct posmap *pm)
{
    if (!pm)
        return;
    free(pm->v);
    free(pm);
}

/* Insert or replace without growing; the caller guarantees a free slot. */
static void pm_slot_put(struct pm_ent *v, size_t cap, const cJSON *k,
                        unsigned line, unsigned col)
{
    size_t i = ptr_hash(k) & (cap - 1);

    while (v[i].k && v[i].k != k)
        i = (i + 1) & (cap - 1);
    v[i].k = k;
    v[i].line = line;
    v[i].col = col;
}

/* Record `pos` for `k`, doubling the table at 3/4 load. */
int posmap_put(struct posmap *pm, const cJSON *k, struct src_pos pos)
{
    if ((pm->len + 1) * 4 > pm->cap * 3) {
        size_t ncap = pm->cap * 2, i;
        struct pm_ent *nv = calloc(ncap, sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        for (i = 0; i < pm->cap; i++)
            if (pm->v[i].k)
                pm_slot_put(nv, ncap, pm->v[i].k, pm->v[i].line,
                            pm->v[i].col);
        free(pm->v);
        pm->v = nv;
        pm->cap = ncap;
    }
    pm->len++;              /* may overcount a replacement: harmless */
    pm_slot_put(pm->v, pm->cap, k, pos.line, pos.col);
    return RFG_OK;
}

struct src_pos posmap_get(const struct posmap *pm, const cJSON *node)
{
    struct src_pos none = {0, 0};
    size_t i;

    if (!pm || !node || !pm->v)
        return none;
    i = ptr_hash(node) & (pm->cap - 1);
    while (pm->v[i].k) {
        if (pm->v[i].k == node) {
            struct src_pos p = {pm->v[i].line, pm->v[i].col};

            return p;
        }
        i = (i + 1) & (pm->cap - 1);
    }
    return none;
}

/* ---- character index -> byte offset ---- */

/* True if no byte of s[0..n) has the high bit set. */
static bool all_ascii(const char *s, size_t n)
{
    uint64_t acc = 0, w;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= (unsigned char)s[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

void ytext_init(struct ytext *t, const char *buf, size_t len)
{
    memset(t, 0, sizeof(*t));
    t->buf = buf ? buf : "";
    t->len = buf ? len : 0;
    if (t->len >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0)
        t->bom = 3;
    t->cur_byte = t->bom;
    t->ascii = all_ascii(t->buf + t->bom, t->len - t->bom);
}

/* True if byte `i` continues a UTF-8 sequence. */
static bool is_cont(const struct ytext *t, size_t i)
{
    return ((unsigned char)t->buf[i] & 0xC0) == 0x80;
}

size_t ytext_byte(struct ytext *t, size_t idx)
{
    if (t->ascii)
        return idx + t->bom < t->len ? idx + t->bom : t->len;
    /* Character k starts at the k-th byte after the BOM that does not
     * continue a sequence; walk there from the cursor. */
    while (t->cur_char > idx) {
        t->cur_byte--;
        while (t->cur_byte > t->bom && is_cont(t, t->cur_byte))
            t->cur_byte--;
        t->cur_char--;
    }
    while (t->cur_char < idx && t->cur_byte < t->len) {
        t->cur_byte++;
        while (t->cur_byte < t->len && is_cont(t, t->cur_byte))
            t->cur_byte++;
        t->cur_char++;
    }
    return t->cur_byte;
}

struct src_pos ytext_pos(const struct ytext *t, size_t off)
{
    struct src_pos p = {1, 1};
    size_t i;

    if (off > t->len)
        off = t->len;
    for (i = 0; i < off; i++) {
        unsigned char c = (unsigned char)t->buf[i];

        if (c == '\n') {
            p.line++;
            p.col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p.col++;
        }
    }
    return p;
}
