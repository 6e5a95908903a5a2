/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_index.c - the class index of a complete cluster view: for each
 * class the cluster rules ask about (a failover's own name, its redis
 * port, its sentinel identity, its Secret, its password fingerprint, ...)
 * the members in document order, so a rule does O(1) work per failover
 * plus the size of what it reports, however many failovers share a
 * class. Built once, after the last entry is added; the view stays
 * immutable afterwards. Knows the view, not the rules: which class
 * answers which rule is the rules' business.
 */
#include "cview.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cview_class.h"
#include "rf.h"
#include "sbuf.h"

/* Entry and group numbers are 32 bits (the index is kept for every
 * failover of a run); NONE ends a chain. */
#define NONE UINT32_MAX

/* A class's members: a chain through next[], first to last in document
 * order. Its key is not stored: it is the key of any member, made again
 * when a lookup meets a group of the same hash (most groups hold one
 * failover, so a stored key would cost more than the rest). */
struct grp {
    uint32_t hc;               /* the key's hash, folded, but for its low
                                  CLASS_BITS: the class (enum cview_class) */
    uint32_t first, n;
};

#define CLASS_MASK 0x1fu
#define CLASS_BITS 5

/* Groups live in fixed blocks, so growing never copies (nor, for a
 * moment, holds) them twice. */
#define SEG_BITS 10
#define SEG_LEN ((size_t)1 << SEG_BITS)

struct cview_index {
    uint32_t *self;               /* per failover: its CVIEW_C_SELF group */
    uint32_t *next[CVIEW_NCLASS]; /* per entry: next member of its group;
                                     NULL while every group of the class
                                     has one member */
    struct grp **seg;             /* owned blocks of SEG_LEN groups */
    size_t ng, nseg;
    uint32_t *slot;               /* open addressing: NONE, or a group
                                     number in the low `gbits` bits and
                                     above them a tag of its hash, so a
                                     probe reads a group only when the
                                     tags agree */
    size_t nslot;
    unsigned gbits;               /* set once the number of groups is
                                     bounded; 32: no tag */
    /* the class whose groups answer for class c: itself, or one that
     * groups every entry alike in this view (no state-only failover:
     * the linted ones are all of them; none honours disableMyMaster
     * under another name: the mymaster classes are the plain ones) */
    uint8_t alias[CVIEW_NCLASS];
};

static struct grp *grp_at(const struct cview_index *ix, uint32_t gi)
{
    return &ix->seg[gi >> SEG_BITS][gi & (SEG_LEN - 1)];
}


/* An entry or group number as the API gives it. */
static size_t widen(uint32_t v)
{
    return v == NONE ? CVIEW_END : v;
}

/* The hash of key p/n (whose first byte is its class), with the class
 * in the low 4 bits, as struct grp keeps it. */
static uint32_t key_hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return ((uint32_t)(h ^ (h >> 32)) & ~CLASS_MASK) |
           ((unsigned char)p[0] & CLASS_MASK);
}

/* The home slot of hash h in a table of `nslot` (any size). */
static size_t home(uint32_t h, size_t nslot)
{
    return (size_t)(((uint64_t)(h >> CLASS_BITS) * nslot) >>
                    (32 - CLASS_BITS));
}

static void member_key(struct kbuf *b, const struct cview *cv,
                       enum cview_class c, size_t i);

/* Whether group g's key is p/n. */
static bool grp_is(const struct cview *cv, const struct grp *g,
                   const char *p, size_t n, uint32_t h)
{
    struct kbuf b;
    bool same;

    if (g->hc != h)
        return false;
    kb_init(&b);
    member_key(&b, cv, (enum cview_class)(g->hc & CLASS_MASK), g->first);
    same = !b.oom && b.len == n && !memcmp(b.p, p, n);
    kb_free(&b);
    return same;
}

/* The group numbers a slot can hold: those below this. */
static uint32_t grp_mask(const struct cview_index *ix)
{
    return (uint32_t)(((uint64_t)1 << ix->gbits) - 1);
}

/* The tag of hash h in a slot (the low bits home() uses least). */
static uint32_t tag_of(const struct cview_index *ix, uint32_t h)
{
    return ix->gbits >= 32 ? 0
                           : (h >> CLASS_BITS) & (UINT32_MAX >> ix->gbits);
}

/* Slot value v's group (v is not NONE). */
static uint32_t slot_grp(const struct cview_index *ix, uint32_t v)
{
    return v & grp_mask(ix);
}

/* Slot value v's tag (v is not NONE). */
static uint32_t slot_tag(const struct cview_index *ix, uint32_t v)
{
    return ix->gbits >= 32 ? 0 : v >> ix->gbits;
}

/* The slot value of group gi, of hash h. */
static uint32_t slot_val(const struct cview_index *ix, uint32_t gi,
                         uint32_t h)
{
    return ix->gbits >= 32 ? gi : (tag_of(ix, h) << ix->gbits) | gi;
}

/* The slot of key p/n: its group's, or the empty one it would take. */
static uint32_t *find_slot(const struct cview_index *ix,
                           const struct cview *cv, const char *p, size_t n,
                           uint32_t h)
{
    size_t s = home(h, ix->nslot);
    uint32_t tag = tag_of(ix, h);

    for (;; s = s + 1 == ix->nslot ? 0 : s + 1) {
        uint32_t v = ix->slot[s];

        if (v == NONE ||
            (slot_tag(ix, v) == tag &&
             grp_is(cv, grp_at(ix, slot_grp(ix, v)), p, n, h)))
            return &ix->slot[s];
    }
}

/* Rehash into `n` slots (more than the groups / MAX_LOAD). */
static int resize_slots(struct cview_index *ix, size_t n)
{
    size_t i, oldn = ix->nslot;
    uint32_t *old = ix->slot;

    ix->slot = malloc(n * sizeof(*ix->slot));
    if (!ix->slot) {
        ix->slot = old;
        return RFG_ENOMEM;
    }
    ix->nslot = n;
    for (i = 0; i < n; i++)
        ix->slot[i] = NONE;
    /* distinct groups: only an empty slot is needed, no key compared */
    for (i = 0; i < oldn; i++)
        if (old[i] != NONE) {
            size_t s = home(grp_at(ix, slot_grp(ix, old[i]))->hc, n);

            while (ix->slot[s] != NONE)
                s = s + 1 == n ? 0 : s + 1;
            ix->slot[s] = old[i];
        }
    free(old);
    return RFG_OK;
}

/* Whether `n` groups fit `nslot` slots: at most 5 in 8 are taken, so
 * probes stay short. */
static bool room(size_t n, size_t nslot)
{
    return n * 8 <= nslot * 5;
}

/* How many slots `n` groups want. */
static size_t slots_for(size_t n)
{
    n = (n + 1) * 8 / 5 + 1;
    return n < 256 ? 256 : n;
}

static int grow_slots(struct cview_index *ix)
{
    return resize_slots(ix, ix->nslot ? ix->nslot * 2 : 256);
}

/* The group of key p/n, where entry `i` joins; *fresh says whether it
 * was made now (with `i` its only member). NONE on ENOMEM (or past 32
 * bits). */
static uint32_t intern(struct cview_index *ix, const struct cview *cv,
                       const char *p, size_t n, size_t i, bool *fresh)
{
    uint32_t h = key_hash(p, n), *s, gi;
    struct grp *g;

    *fresh = false;
    if (!room(ix->ng + 1, ix->nslot) && grow_slots(ix))
        return NONE;
    s = find_slot(ix, cv, p, n, h);
    if (*s != NONE)
        return slot_grp(ix, *s);
    if (ix->ng >= grp_mask(ix) - 1)
        return NONE;
    if ((ix->ng & (SEG_LEN - 1)) == 0) {
        struct grp **ns = realloc(ix->seg, (ix->nseg + 1) * sizeof(*ns));

        if (!ns)
            return NONE;
        ix->seg = ns;
        ns[ix->nseg] = malloc(SEG_LEN * sizeof(**ns));
        if (!ns[ix->nseg])
            return NONE;
        ix->nseg++;
    }
    gi = (uint32_t)ix->ng++;
    g = grp_at(ix, gi);
    g->hc = h;
    g->first = (uint32_t)i;
    g->n = 1;
    *s = slot_val(ix, gi, h);
    *fresh = true;
    return gi;
}

static void index_free(struct cview_index *ix)
{
    size_t c;

    if (!ix)
        return;
    for (c = 0; c < CVIEW_NCLASS; c++)
        free(ix->next[c]);
    for (c = 0; c < ix->nseg; c++)
        free(ix->seg[c]);
    free(ix->seg);
    free(ix->self);
    free(ix->slot);
    free(ix);
}

void cview_index_drop(struct cview *cv)
{
    index_free(atomic_load_explicit(&cv->ix, memory_order_relaxed));
    atomic_store_explicit(&cv->ix, NULL, memory_order_relaxed);
}

static const struct cview_index *index_of(const struct cview *cv)
{
    return cv ? atomic_load_explicit(&cv->ix, memory_order_acquire) : NULL;
}

bool cview_index_ready(const struct cview *cv)
{
    return index_of(cv) != NULL;
}

/* The member after entry `i` in its group of class `c`, or NONE. */
static uint32_t next_of(const struct cview_index *ix, enum cview_class c,
                        size_t i)
{
    c = (enum cview_class)ix->alias[c];
    return ix->next[c] ? ix->next[c][i] : NONE;
}

/* The key of entry `i` (a member) in class `c`. */
static void member_key(struct kbuf *b, const struct cview *cv,
                       enum cview_class c, size_t i)
{
    struct cview_key k;

    (void)cview_member(cv, c, i, &k);
    cview_make_key(b, cv, c, &k);
}

/* Index entry `i` of class `c` under key `k`. Entries come last to
 * first, so each joins its group at the front and chains run in
 * document order. */
static int add_member(struct cview_index *ix, const struct cview *cv,
                      enum cview_class c, size_t i,
                      const struct cview_key *k)
{
    struct kbuf b;
    uint32_t gi;
    bool fresh;
    struct grp *g;

    kb_init(&b);
    cview_make_key(&b, cv, c, k);
    gi = b.oom ? NONE : intern(ix, cv, b.p, b.len, i, &fresh);
    kb_free(&b);
    if (gi == NONE)
        return RFG_ENOMEM;
    if (c == CVIEW_C_SELF)
        ix->self[i] = gi;
    if (fresh)
        return RFG_OK;
    g = grp_at(ix, gi);
    if (!ix->next[c]) {
        size_t j, n = cview_domain_len(cv, c);

        ix->next[c] = malloc((n + 1) * sizeof(uint32_t));
        if (!ix->next[c])
            return RFG_ENOMEM;
        for (j = 0; j < n; j++)
            ix->next[c][j] = NONE;
    }
    ix->next[c][i] = g->first;
    g->first = (uint32_t)i;
    g->n++;
    return RFG_OK;
}

/* Which classes group every entry alike in `cv` (ix->alias). */
static void find_aliases(struct cview_index *ix, const struct cview *cv)
{
    bool linted = true, mm = true;
    size_t c, i;

    for (c = 0; c < CVIEW_NCLASS; c++)
        ix->alias[c] = (uint8_t)c;
    for (i = 0; i < cv->nrfs; i++) {
        linted = linted && !cv->rfs[i].state_only;
        mm = mm && cview_mm_always(&cv->rfs[i]);
    }
    if (linted)
        ix->alias[CVIEW_C_LINTED] = CVIEW_C_SELF;
    if (mm) {
        ix->alias[CVIEW_C_SPORT_DM] = CVIEW_C_SPORT;
        ix->alias[CVIEW_C_SID_DM] = CVIEW_C_SID;
    }
}

static int build(struct cview_index *ix, const struct cview *cv)
{
    size_t c, i, m = 0;
    struct cview_key k;

    ix->self = malloc((cv->nrfs + 1) * sizeof(uint32_t));
    if (!ix->self)
        return RFG_ENOMEM;
    for (i = 0; i < cv->nrfs; i++)
        ix->self[i] = NONE;
    /* the slots for at most one group per membership, at once: growing
     * would hold two tables for a moment, at the run's peak */
    find_aliases(ix, cv);
    for (c = 0; c < CVIEW_NCLASS; c++)
        for (i = 0; ix->alias[c] == c && i < cview_domain_len(cv, c); i++)
            m += cview_member(cv, (enum cview_class)c, i, &k);
    /* at most m groups: the slots' other bits tag the hash */
    ix->gbits = 1;
    while (ix->gbits < 32 && ((uint64_t)1 << ix->gbits) <= m + 2)
        ix->gbits++;
    if (resize_slots(ix, slots_for(m)))
        return RFG_ENOMEM;
    for (c = 0; c < CVIEW_NCLASS; c++) {
        size_t n = cview_domain_len(cv, c);

        if (n >= NONE)
            return RFG_ENOMEM;
        for (i = ix->alias[c] == c ? n : 0; i-- > 0;)
            if (cview_member(cv, (enum cview_class)c, i, &k) &&
                add_member(ix, cv, (enum cview_class)c, i, &k))
                return RFG_ENOMEM;
    }
    return RFG_OK;
}

/* Give back the slots of memberships that joined a group: the index
 * lives as long as the view (a lint run's 100k failovers). */
static void fit(struct cview_index *ix)
{
    size_t n = slots_for(ix->ng);

    if (n < ix->nslot / 4 * 3)
        (void)resize_slots(ix, n); /* on ENOMEM the larger table stays */
}

int cview_index_build(const struct cview *cv)
{
    /* The index is a cache of what the view holds: building it leaves
     * the view as readers see it, so it is allowed on a const view. The
     * caller makes sure no other thread builds it at the same time. */
    struct cview *w = (struct cview *)(uintptr_t)cv;
    struct cview_index *ix;

    if (index_of(cv))
        return RFG_OK;
    ix = calloc(1, sizeof(*ix));
    if (!ix)
        return RFG_ENOMEM;
    if (build(ix, cv)) {
        index_free(ix);
        return RFG_ENOMEM;
    }
    fit(ix);
    atomic_store_explicit(&w->ix, ix, memory_order_release);
    return RFG_OK;
}

size_t cview_class_find(const struct cview *cv, enum cview_class c,
                        const struct cview_key *k)
{
    const struct cview_index *ix = index_of(cv);
    struct kbuf b;
    uint32_t gi = NONE;

    if (!ix || !ix->nslot)
        return CVIEW_END;
    c = (enum cview_class)ix->alias[c];
    kb_init(&b);
    cview_make_key(&b, cv, c, k);
    if (!b.oom)
        gi = *find_slot(ix, cv, b.p, b.len, key_hash(b.p, b.len));
    kb_free(&b);
    return widen(gi == NONE ? NONE : slot_grp(ix, gi));
}

size_t cview_self(const struct cview *cv, unsigned kind, const char *ns,
                  const char *name)
{
    struct cview_key k;

    if (!name)
        return CVIEW_END;
    memset(&k, 0, sizeof(k));
    k.kind = kind;
    k.ns = ns;
    k.name = name;
    return cview_class_find(cv, CVIEW_C_SELF, &k);
}

/* Whether entry `i` is a member of group `gi` of class `c`. */
static bool in_group(const struct cview_index *ix, const struct cview *cv,
                     enum cview_class c, size_t i, uint32_t gi)
{
    struct cview_key k;
    struct kbuf b;
    bool in;

    c = (enum cview_class)ix->alias[c];
    if (!cview_member(cv, c, i, &k))
        return false;
    kb_init(&b);
    cview_make_key(&b, cv, c, &k);
    in = !b.oom && grp_is(cv, grp_at(ix, gi), b.p, b.len,
                          key_hash(b.p, b.len));
    kb_free(&b);
    return in;
}

void cview_class_hits(const struct cview *cv, enum cview_class c,
                      size_t gi, size_t self, struct cview_hits *h)
{
    const struct cview_index *ix = index_of(cv);
    const uint32_t *selfof;
    uint32_t i;
    size_t n;

    if (!ix || gi == CVIEW_END)
        return;
    selfof = ix->self;
    n = grp_at(ix, (uint32_t)gi)->n;
    i = grp_at(ix, (uint32_t)gi)->first;
    /* Only the object's own entries (itself, an older version, or copies
     * in other files) are skipped: walk past them, then count them. */
    if (cview_of_failovers(c) && self != CVIEW_END) {
        uint32_t s;

        while (i != NONE && selfof[i] == self)
            i = next_of(ix, c, i);
        for (s = grp_at(ix, (uint32_t)self)->first; s != NONE;
             s = next_of(ix, CVIEW_C_SELF, s))
            n -= in_group(ix, cv, c, s, (uint32_t)gi);
    }
    if (i != NONE && (h->first == CVIEW_END || i < h->first))
        h->first = i;
    h->n += n;
}

size_t cview_class_members(const struct cview *cv, enum cview_class c,
                           size_t gi, size_t *out, size_t max)
{
    const struct cview_index *ix = index_of(cv);
    uint32_t i;
    size_t k = 0;

    if (!ix || gi == CVIEW_END)
        return 0;
    for (i = grp_at(ix, (uint32_t)gi)->first; i != NONE && k < max;
         i = next_of(ix, c, i))
        out[k++] = i;
    return grp_at(ix, (uint32_t)gi)->n;
}

size_t cview_class_first(const struct cview *cv, enum cview_class c,
                         size_t gi)
{
    const struct cview_index *ix = index_of(cv);

    (void)c;
    return ix && gi != CVIEW_END ? widen(grp_at(ix, (uint32_t)gi)->first)
                                 : CVIEW_END;
}

size_t cview_class_next(const struct cview *cv, enum cview_class c,
                        size_t i)
{
    const struct cview_index *ix = index_of(cv);

    return ix ? widen(next_of(ix, c, i)) : CVIEW_END;
}
