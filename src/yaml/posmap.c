/* SPDX-License-Identifier: Apache-2.0
 *
 * posmap.c - where things are in a YAML input: the position map from
 * each cJSON node the loader built to the line:col it came from (an
 * array sorted by address, or a pointer-keyed hash table when nodes came
 * out of order), and the cursor that turns libyaml's character indexes
 * into byte offsets (used by the loader and by yedit). It neither parses
 * nor builds anything.
 */
#include "ydoc_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- posmap ---- */

/* A document's nodes mostly arrive in increasing address order (the
 * loader allocates them one after another from an arena), so the map is
 * a sorted array appended to in O(1) and searched by bisection. A node
 * that arrives out of order (an alias copy, a new arena chunk, the
 * heap's free lists) turns that one map into a hash table, so no input
 * makes it slower than hashing every node. */

struct pm_ent {
    uintptr_t k;            /* the node's address; 0 = empty hash slot */
    unsigned line, col;
};

struct posmap {
    struct pm_ent *v;       /* owned, or right after the struct (taken) */
    size_t cap, len;        /* hashed: cap slots, a power of two */
    bool hashed;
};

/* Mix a pointer into a hash: cJSON nodes are aligned, so the low bits
 * carry nothing and must be spread. */
static size_t ptr_hash(uintptr_t p)
{
    uint64_t x = (uint64_t)p;

    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* True when pm->v is pm's own allocation (a taken map's inline block). */
static bool pm_inline(const struct posmap *pm)
{
    return pm->v == (const struct pm_ent *)(const void *)(pm + 1);
}

struct posmap *posmap_new(void)
{
    return calloc(1, sizeof(struct posmap));
}

void posmap_free(struct posmap *pm)
{
    if (!pm)
        return;
    if (!pm_inline(pm))
        free(pm->v);
    free(pm);
}

/* Insert or replace without growing; the caller guarantees a free slot. */
static void pm_slot_put(struct pm_ent *v, size_t cap, uintptr_t k,
                        unsigned line, unsigned col)
{
    size_t i = ptr_hash(k) & (cap - 1);

    while (v[i].k && v[i].k != k)
        i = (i + 1) & (cap - 1);
    v[i].k = k;
    v[i].line = line;
    v[i].col = col;
}

/* Rebuild the entries of `pm` (a sorted array or a table) as a hash table
 * of `ncap` slots. */
static int pm_rehash(struct posmap *pm, size_t ncap)
{
    struct pm_ent *nv = calloc(ncap, sizeof(*nv));
    size_t i, n = pm->hashed ? pm->cap : pm->len;

    if (!nv)
        return RFG_ENOMEM;
    for (i = 0; i < n; i++)
        if (pm->v[i].k)
            pm_slot_put(nv, ncap, pm->v[i].k, pm->v[i].line,
                        pm->v[i].col);
    if (!pm_inline(pm))
        free(pm->v);
    pm->v = nv;
    pm->cap = ncap;
    pm->hashed = true;
    return RFG_OK;
}

/* Record `pos` for `k` in the hash table, doubling it at 3/4 load. */
static int pm_hash_put(struct posmap *pm, uintptr_t k, struct src_pos pos)
{
    if ((pm->len + 1) * 4 > pm->cap * 3 && pm_rehash(pm, pm->cap * 2))
        return RFG_ENOMEM;
    pm->len++;              /* may overcount a replacement: harmless */
    pm_slot_put(pm->v, pm->cap, k, pos.line, pos.col);
    return RFG_OK;
}

int posmap_put(struct posmap *pm, const cJSON *node, struct src_pos pos)
{
    uintptr_t k = (uintptr_t)node;
    struct pm_ent *e;

    if (pm->hashed)
        return pm_hash_put(pm, k, pos);
    if (pm->len && k <= pm->v[pm->len - 1].k) {
        size_t ncap = 64;

        e = &pm->v[pm->len - 1];
        if (k == e->k) {
            e->line = pos.line;
            e->col = pos.col;
            return RFG_OK;
        }
        /* out of order: hash from now on */
        while (ncap * 3 < (pm->len + 1) * 4)
            ncap *= 2;
        if (pm_rehash(pm, ncap))
            return RFG_ENOMEM;
        return pm_hash_put(pm, k, pos);
    }
    if (pm->len == pm->cap) {
        size_t ncap = pm->cap ? pm->cap * 2 : 128;
        struct pm_ent *nv;

        if (pm_inline(pm)) {
            /* a taken map grows out of its block */
            nv = malloc(ncap * sizeof(*nv));
            if (nv && pm->len)
                memcpy(nv, pm->v, pm->len * sizeof(*nv));
        } else {
            nv = realloc(pm->v, ncap * sizeof(*nv));
        }
        if (!nv)
            return RFG_ENOMEM;
        pm->v = nv;
        pm->cap = ncap;
    }
    e = &pm->v[pm->len++];
    e->k = k;
    e->line = pos.line;
    e->col = pos.col;
    return RFG_OK;
}

void posmap_clear(struct posmap *pm)
{
    if (pm->hashed || pm->cap > ((size_t)1 << 16)) {
        free(pm->v);
        pm->v = NULL;
        pm->cap = 0;
        pm->hashed = false;
    }
    pm->len = 0;
}

struct posmap *posmap_take(struct posmap *pm)
{
    struct posmap *out;

    if (pm->hashed) {
        /* hand the table over as it is */
        out = malloc(sizeof(*out));
        if (!out)
            return NULL;
        *out = *pm;
        pm->v = NULL;
        pm->cap = pm->len = 0;
        pm->hashed = false;
        return out;
    }
    out = malloc(sizeof(*out) + pm->len * sizeof(struct pm_ent));
    if (!out)
        return NULL;
    out->v = (struct pm_ent *)(void *)(out + 1);
    out->cap = out->len = pm->len;
    out->hashed = false;
    if (pm->len)
        memcpy(out->v, pm->v, pm->len * sizeof(struct pm_ent));
    pm->len = 0;
    return out;
}

struct src_pos posmap_get(const struct posmap *pm, const cJSON *node)
{
    struct src_pos none = {0, 0};
    uintptr_t k = (uintptr_t)node;
    size_t i, lo, hi;

    if (!pm || !node || !pm->len)
        return none;
    if (pm->hashed) {
        i = ptr_hash(k) & (pm->cap - 1);
        while (pm->v[i].k) {
            if (pm->v[i].k == k) {
                struct src_pos p = {pm->v[i].line, pm->v[i].col};

                return p;
            }
            i = (i + 1) & (pm->cap - 1);
        }
        return none;
    }
    lo = 0;
    hi = pm->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (pm->v[mid].k < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < pm->len && pm->v[lo].k == k) {
        struct src_pos p = {pm->v[lo].line, pm->v[lo].col};

        return p;
    }
    return none;
}

/* ---- character index -> byte offset ---- */

/* Offset of the first byte of s[from..to) with the high bit set, or
 * `to`. */
static size_t ascii_until(const char *s, size_t from, size_t to)
{
    uint64_t w;
    size_t i = from;

    for (; i + 8 <= to; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    for (; i < to; i++)
        if ((unsigned char)s[i] & 0x80)
            return i;
    return to;
}

void ytext_init(struct ytext *t, const char *buf, size_t len)
{
    memset(t, 0, sizeof(*t));
    t->buf = buf ? buf : "";
    t->len = buf ? len : 0;
    if (t->len >= 3 && memcmp(t->buf, "\xEF\xBB\xBF", 3) == 0)
        t->bom = 3;
    t->cur_byte = t->bom;
    t->ascii_end = t->bom;
}

/* True if byte `i` continues a UTF-8 sequence. */
static bool is_cont(const struct ytext *t, size_t i)
{
    return ((unsigned char)t->buf[i] & 0xC0) == 0x80;
}

size_t ytext_byte(struct ytext *t, size_t idx)
{
    size_t want = idx < t->len - t->bom ? idx + t->bom : t->len;

    /* Over ASCII text a character is a byte. The text is checked only as
     * far as asked, just behind the parser, while it is still in the
     * cache. */
    if (want <= t->ascii_end)
        return want;
    if (!t->mixed) {
        t->ascii_end = ascii_until(t->buf, t->ascii_end, want);
        if (t->ascii_end >= want)
            return want;
        t->mixed = true;
    }
    if (t->cur_byte < t->ascii_end) {
        t->cur_byte = t->ascii_end;
        t->cur_char = t->ascii_end - t->bom;
    }
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
