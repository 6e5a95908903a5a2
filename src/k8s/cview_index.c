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

#include "rf.h"
#include "sbuf.h"

/* Entry and group numbers are 32 bits (the index is kept for every
 * failover of a run); NONE ends a chain. */
#define NONE UINT32_MAX

/* A class's members: a chain through next[], first to last in document
 * order. */
struct grp {
    uint32_t h;                /* the key's hash, folded */
    uint32_t keyoff, keylen;   /* in keys */
    uint32_t first, last, n;
};

struct cview_index {
    uint32_t *gid[CVIEW_NCLASS];  /* per entry: its group, or NONE */
    uint32_t *next[CVIEW_NCLASS]; /* per entry: next member of its group */
    struct grp *g;
    size_t ng, capg;
    uint32_t *slot;               /* open addressing: group or NONE */
    size_t nslot;
    char *keys;
    size_t keylen, keycap;
};

/* A key under construction: short ones stay on the stack. */
struct kbuf {
    char stack[512];
    char *p;
    size_t len, cap;
    bool oom;
};

static void kb_init(struct kbuf *b)
{
    b->p = b->stack;
    b->len = 0;
    b->cap = sizeof(b->stack);
    b->oom = false;
}

static void kb_free(struct kbuf *b)
{
    if (b->p != b->stack)
        free(b->p);
}

static void kb_put(struct kbuf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2;
        char *np = malloc(cap);

        if (!np) {
            b->oom = true;
            return;
        }
        memcpy(np, b->p, b->len);
        kb_free(b);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void kb_str(struct kbuf *b, const char *s)
{
    kb_put(b, s ? s : "", strlen(s ? s : "") + 1);
}

/* The password class of Secret `secret` (NULL: no auth) of namespace
 * `ns`: its fingerprint when the Secret is in the view with one, else
 * its name. Two failovers with auth can share a password exactly when
 * their classes are equal. */
static void kb_pwclass(struct kbuf *b, const struct cview *cv,
                       const char *ns, const char *secret)
{
    const struct cview_secret *s;

    if (!secret) {
        kb_put(b, "-", 1);
        return;
    }
    s = cview_find_secret(cv, ns, secret);
    if (s && s->has_hash) {
        kb_put(b, "H", 1);
        kb_put(b, s->pw_hash, 32);
        return;
    }
    kb_put(b, "S", 1);
    kb_str(b, ns);
    kb_str(b, secret);
}

/* Serialise the key of class `c` from `k` into `b`. */
static void make_key(struct kbuf *b, const struct cview *cv,
                     enum cview_class c, const struct cview_key *k)
{
    unsigned char tag = (unsigned char)c;

    kb_put(b, &tag, 1);
    switch (c) {
    case CVIEW_C_SELF:
    case CVIEW_C_LINTED:
    case CVIEW_C_SECRET_USERS:
    case CVIEW_C_SECRET_LINTED:
        kb_str(b, k->ns);
        kb_str(b, k->name);
        break;
    case CVIEW_C_PORT:
    case CVIEW_C_PORT_HOSTNET:
    case CVIEW_C_PORT_MM:
        kb_put(b, &k->port, sizeof(k->port));
        break;
    case CVIEW_C_ID:
    case CVIEW_C_ID_MM:
        kb_put(b, &k->port, sizeof(k->port));
        kb_pwclass(b, cv, k->ns, k->secret);
        break;
    case CVIEW_C_DM_NAME:
        kb_str(b, k->name);
        break;
    case CVIEW_C_PW_USERS:
        kb_put(b, k->hash, 32);
        break;
    case CVIEW_C_PW_USERS_NS:
        kb_put(b, k->hash, 32);
        kb_str(b, k->ns);
        break;
    case CVIEW_C_SECRET_NS:
    case CVIEW_C_NETPOL_NS:
        kb_str(b, k->ns);
        break;
    case CVIEW_C_HOSTNET:
    case CVIEW_NCLASS:
        break;
    }
}

/* An entry or group number as the API gives it. */
static size_t widen(uint32_t v)
{
    return v == NONE ? CVIEW_END : v;
}

static uint32_t key_hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

/* The slot of key p/n: its group's, or the empty one it would take. */
static uint32_t *find_slot(const struct cview_index *ix, const char *p,
                           size_t n, uint32_t h)
{
    size_t mask = ix->nslot - 1, s = (size_t)h & mask;

    for (;; s = (s + 1) & mask) {
        uint32_t g = ix->slot[s];

        if (g == NONE ||
            (ix->g[g].h == h && ix->g[g].keylen == n &&
             !memcmp(ix->keys + ix->g[g].keyoff, p, n)))
            return &ix->slot[s];
    }
}

/* Rehash into `n` slots (a power of two, more than twice the groups). */
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
    for (i = 0; i < oldn; i++)
        if (old[i] != NONE) {
            const struct grp *g = &ix->g[old[i]];

            *find_slot(ix, ix->keys + g->keyoff, g->keylen, g->h) = old[i];
        }
    free(old);
    return RFG_OK;
}

static int grow_slots(struct cview_index *ix)
{
    return resize_slots(ix, ix->nslot ? ix->nslot * 2 : 256);
}

/* The group of key p/n, created empty when new; NONE on ENOMEM (or
 * past 32 bits). */
static uint32_t intern(struct cview_index *ix, const char *p, size_t n)
{
    uint32_t h = key_hash(p, n), *s, gi;
    struct grp *g;

    if ((ix->ng + 1) * 2 > ix->nslot && grow_slots(ix))
        return NONE;
    s = find_slot(ix, p, n, h);
    if (*s != NONE)
        return *s;
    if (ix->ng >= NONE - 1 || ix->keylen + n >= NONE)
        return NONE;
    if (ix->keylen + n > ix->keycap) {
        size_t cap = (ix->keylen + n) * 2 + 4096;
        char *nk = realloc(ix->keys, cap);

        if (!nk)
            return NONE;
        ix->keys = nk;
        ix->keycap = cap;
    }
    g = rfg_grow(ix->g, &ix->capg, ix->ng, sizeof(*g), 64);
    if (!g)
        return NONE;
    ix->g = g;
    memcpy(ix->keys + ix->keylen, p, n);
    gi = (uint32_t)ix->ng++;
    g = &ix->g[gi];
    g->h = h;
    g->keyoff = (uint32_t)ix->keylen;
    g->keylen = (uint32_t)n;
    g->first = g->last = NONE;
    g->n = 0;
    ix->keylen += n;
    *s = gi;
    return gi;
}

static void index_free(struct cview_index *ix)
{
    size_t c;

    if (!ix)
        return;
    for (c = 0; c < CVIEW_NCLASS; c++) {
        free(ix->gid[c]);
        free(ix->next[c]);
    }
    free(ix->g);
    free(ix->slot);
    free(ix->keys);
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

/* Whether f's sentinels monitor mymaster even when disableMyMaster is
 * honoured (then the master name is the failover's name). */
static bool mm_always(const struct cview_failover *f)
{
    return !f->disable_mymaster || !strcmp(f->name, RF_DEFAULT_MASTER_NAME);
}

/* Whether failover `f` belongs to class `c`, and its key there. */
static bool rf_member(const struct cview *cv, const struct cview_failover *f,
                      enum cview_class c, struct cview_key *k)
{
    const struct cview_secret *s;

    memset(k, 0, sizeof(*k));
    k->port = f->port;
    k->ns = f->ns;
    k->name = f->name;
    k->secret = f->secret;
    switch (c) {
    case CVIEW_C_SELF:
    case CVIEW_C_PORT:
    case CVIEW_C_ID:
        return true;
    case CVIEW_C_LINTED:
        return !f->state_only;
    case CVIEW_C_PORT_HOSTNET:
    case CVIEW_C_HOSTNET:
        return f->host_network;
    case CVIEW_C_PORT_MM:
    case CVIEW_C_ID_MM:
        return mm_always(f);
    case CVIEW_C_DM_NAME:
        return f->disable_mymaster;
    case CVIEW_C_SECRET_USERS:
        k->name = f->secret;
        return f->secret && !f->bootstrap;
    case CVIEW_C_PW_USERS:
    case CVIEW_C_PW_USERS_NS:
        if (!f->secret || f->bootstrap)
            return false;
        s = cview_find_secret(cv, f->ns, f->secret);
        if (!s || !s->has_hash)
            return false;
        k->hash = s->pw_hash;
        return true;
    case CVIEW_C_SECRET_LINTED:
    case CVIEW_C_SECRET_NS:
    case CVIEW_C_NETPOL_NS:
    case CVIEW_NCLASS:
        break;
    }
    return false;
}

/* Index entry `i` of class `c` under key `k`. */
static int add_member(struct cview_index *ix, const struct cview *cv,
                      enum cview_class c, size_t i,
                      const struct cview_key *k)
{
    struct kbuf b;
    uint32_t gi;

    kb_init(&b);
    make_key(&b, cv, c, k);
    gi = b.oom ? NONE : intern(ix, b.p, b.len);
    kb_free(&b);
    if (gi == NONE)
        return RFG_ENOMEM;
    ix->gid[c][i] = gi;
    if (ix->g[gi].last != NONE)
        ix->next[c][ix->g[gi].last] = (uint32_t)i;
    else
        ix->g[gi].first = (uint32_t)i;
    ix->g[gi].last = (uint32_t)i;
    ix->g[gi].n++;
    return RFG_OK;
}

/* Whether class `c` holds failovers (else Secrets or NetworkPolicies). */
static bool of_failovers(size_t c)
{
    return c != CVIEW_C_SECRET_LINTED && c != CVIEW_C_SECRET_NS &&
           c != CVIEW_C_NETPOL_NS;
}

/* How many entries class `c` indexes. */
static size_t domain_len(const struct cview *cv, size_t c)
{
    if (c == CVIEW_C_SECRET_LINTED || c == CVIEW_C_SECRET_NS)
        return cv->nsecrets;
    if (c == CVIEW_C_NETPOL_NS)
        return cv->nnetpols;
    return cv->nrfs;
}

/* Index the Secrets and NetworkPolicies (their classes read ns and
 * name only). */
static int build_others(struct cview_index *ix, const struct cview *cv)
{
    struct cview_key k;
    size_t i;

    memset(&k, 0, sizeof(k));
    for (i = 0; i < cv->nsecrets; i++) {
        const struct cview_secret *s = &cv->secrets[i];

        k.ns = s->ns;
        k.name = s->name;
        if ((!s->state_only &&
             add_member(ix, cv, CVIEW_C_SECRET_LINTED, i, &k)) ||
            add_member(ix, cv, CVIEW_C_SECRET_NS, i, &k))
            return RFG_ENOMEM;
    }
    for (i = 0; i < cv->nnetpols; i++) {
        k.ns = cv->netpols[i].ns;
        k.name = cv->netpols[i].name;
        if (add_member(ix, cv, CVIEW_C_NETPOL_NS, i, &k))
            return RFG_ENOMEM;
    }
    return RFG_OK;
}

static int build(struct cview_index *ix, const struct cview *cv)
{
    size_t c, i;
    struct cview_key k;

    for (c = 0; c < CVIEW_NCLASS; c++) {
        size_t n = domain_len(cv, c);

        if (n >= NONE)
            return RFG_ENOMEM;
        ix->gid[c] = malloc((n + 1) * sizeof(uint32_t));
        ix->next[c] = malloc((n + 1) * sizeof(uint32_t));
        if (!ix->gid[c] || !ix->next[c])
            return RFG_ENOMEM;
        for (i = 0; i < n; i++)
            ix->gid[c][i] = ix->next[c][i] = NONE;
    }
    for (c = 0; c < CVIEW_NCLASS; c++)
        for (i = 0; of_failovers(c) && i < cv->nrfs; i++)
            if (rf_member(cv, &cv->rfs[i], (enum cview_class)c, &k) &&
                add_member(ix, cv, (enum cview_class)c, i, &k))
                return RFG_ENOMEM;
    return build_others(ix, cv);
}

/* Give back what growing left unused: the index lives as long as the
 * view (a lint run's 100k failovers), so slack would stay. */
static void fit(struct cview_index *ix)
{
    size_t n = 256;
    void *p;

    if (ix->ng < ix->capg && (p = realloc(ix->g, (ix->ng + 1) *
                                                     sizeof(*ix->g)))) {
        ix->g = p;
        ix->capg = ix->ng + 1;
    }
    if (ix->keylen < ix->keycap &&
        (p = realloc(ix->keys, ix->keylen + 1))) {
        ix->keys = p;
        ix->keycap = ix->keylen + 1;
    }
    while (n < (ix->ng + 1) * 2)
        n *= 2;
    if (n < ix->nslot)
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
    kb_init(&b);
    make_key(&b, cv, c, k);
    if (!b.oom)
        gi = *find_slot(ix, b.p, b.len, key_hash(b.p, b.len));
    kb_free(&b);
    return widen(gi);
}

size_t cview_self(const struct cview *cv, const char *ns, const char *name)
{
    struct cview_key k;

    if (!name)
        return CVIEW_END;
    memset(&k, 0, sizeof(k));
    k.ns = ns;
    k.name = name;
    return cview_class_find(cv, CVIEW_C_SELF, &k);
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
    selfof = ix->gid[CVIEW_C_SELF];
    n = ix->g[gi].n;
    i = ix->g[gi].first;
    /* Only the object's own entries (itself, an older version, or copies
     * in other files) are skipped: walk past them, then count them. */
    if (of_failovers(c) && self != CVIEW_END) {
        uint32_t s;

        while (i != NONE && selfof[i] == self)
            i = ix->next[c][i];
        for (s = ix->g[self].first; s != NONE;
             s = ix->next[CVIEW_C_SELF][s])
            n -= ix->gid[c][s] == gi;
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
    for (i = ix->g[gi].first; i != NONE && k < max; i = ix->next[c][i])
        out[k++] = i;
    return ix->g[gi].n;
}

size_t cview_class_first(const struct cview *cv, enum cview_class c,
                         size_t gi)
{
    const struct cview_index *ix = index_of(cv);

    (void)c;
    return ix && gi != CVIEW_END ? widen(ix->g[gi].first) : CVIEW_END;
}

size_t cview_class_next(const struct cview *cv, enum cview_class c,
                        size_t i)
{
    const struct cview_index *ix = index_of(cv);

    return ix ? widen(ix->next[c][i]) : CVIEW_END;
}
