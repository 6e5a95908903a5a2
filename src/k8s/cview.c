/* SPDX-License-Identifier: Apache-2.0
 *
 * cview.c - build the cluster view from objects: RedisFailover summaries
 * and Secret summaries. A Secret's password is decoded only long enough
 * to measure it, classify its characters and hash it; the value itself is
 * never stored. Knows nothing of rules or where objects came from.
 */
#include "cview.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cview_impl.h"
#include "json.h"
#include "rf.h"
#include "sbuf.h"
#include "wipe.h"

/* FNV-1a, 64 bit: keys are short and this is not exposed to attackers
 * who could profit from collisions beyond a longer chain. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ull;
    }
    return h;
}

#define FNV_BASIS 14695981039346656037ull

uint64_t cview_key_int(long v)
{
    return fnv(FNV_BASIS, &v, sizeof(v));
}

uint64_t cview_key_str2(const char *a, const char *b)
{
    uint64_t h = fnv(FNV_BASIS, a, strlen(a) + 1);

    return b ? fnv(h, b, strlen(b) + 1) : h;
}

uint64_t cview_key_bytes(const unsigned char *p, size_t n)
{
    return fnv(FNV_BASIS, p, n);
}

/* Entry numbers in a map are 32 bits; NIL ends a chain. */
#define NIL UINT32_MAX

/* What a map keeps of a 64-bit key: 32 bits (callers compare the real
 * key anyway). */
static uint32_t fold(uint64_t key)
{
    return (uint32_t)(key >> 32) ^ (uint32_t)key;
}

/* The slot of folded key `h` in a table of `cap` slots (any number, so a
 * table reserved for n entries takes no more than it needs). */
static size_t home(uint32_t h, size_t cap)
{
    return (size_t)(((uint64_t)h * cap) >> 32);
}

size_t cview_first(const struct cview_hmap *m, uint64_t key)
{
    uint32_t i, h = fold(key);

    if (!m->cap)
        return CVIEW_END;
    for (i = m->head[home(h, m->cap)]; i != NIL; i = m->next[i])
        if (m->hash[i] == h)
            return i;
    return CVIEW_END;
}

size_t cview_next(const struct cview_hmap *m, size_t i)
{
    uint32_t key = m->hash[i];
    uint32_t k;

    for (k = m->next[i]; k != NIL; k = m->next[k])
        if (m->hash[k] == key)
            return k;
    return CVIEW_END;
}

static void hmap_free(struct cview_hmap *m)
{
    free(m->head);
    free(m->next);
    free(m->hash);
    memset(m, 0, sizeof(*m));
}

/* Re-chain every entry into a table of `cap` slots, oldest first, so
 * chains keep running from newest to oldest. */
static int hmap_rehash(struct cview_hmap *m, size_t cap)
{
    uint32_t *head = malloc(cap * sizeof(*head));
    size_t i;

    if (!head)
        return RFG_ENOMEM;
    for (i = 0; i < cap; i++)
        head[i] = NIL;
    for (i = 0; i < m->len; i++) {
        size_t slot = home(m->hash[i], cap);

        m->next[i] = head[slot];
        head[slot] = (uint32_t)i;
    }
    free(m->head);
    m->head = head;
    m->cap = cap;
    return RFG_OK;
}

/* Room for `n` entries in all in the per-entry arrays. */
static int hmap_grow(struct cview_hmap *m, size_t n)
{
    if (n >= NIL)
        return RFG_ENOMEM;
    if (n > m->lencap) {
        uint32_t *nn = realloc(m->next, n * sizeof(*nn));
        uint32_t *nh;

        if (!nn)
            return RFG_ENOMEM;
        m->next = nn;
        nh = realloc(m->hash, n * sizeof(*nh));
        if (!nh)
            return RFG_ENOMEM;
        m->hash = nh;
        m->lencap = n;
    }
    return RFG_OK;
}

/* Make room for `n` entries in all, exactly: no slack is kept. */
static int hmap_reserve(struct cview_hmap *m, size_t n)
{
    size_t cap = n + 64;   /* chains of one entry on average */

    if (hmap_grow(m, n))
        return RFG_ENOMEM;
    return cap > m->cap ? hmap_rehash(m, cap) : RFG_OK;
}

/* Add entry number m->len (entries are added in index order). */
static int hmap_add(struct cview_hmap *m, uint64_t key)
{
    size_t slot;

    if (m->len == m->lencap &&
        hmap_grow(m, m->lencap ? m->lencap * 2 : 16))
        return RFG_ENOMEM;
    if (m->len + 1 > m->cap) {
        int rc = hmap_rehash(m, m->cap ? m->cap * 2 : 64);

        if (rc)
            return rc;
    }
    m->hash[m->len] = fold(key);
    slot = home(m->hash[m->len], m->cap);
    m->next[m->len] = m->head[slot];
    m->head[slot] = (uint32_t)m->len;
    m->len++;
    return RFG_OK;
}

/* hmap_add, unless the view is a part that keeps no maps. */
int cview_map_add(const struct cview *cv, struct cview_hmap *m,
                  uint64_t key)
{
    return cv->unindexed ? RFG_OK : hmap_add(m, key);
}

void cview_init(struct cview *cv, cview_hash_fn hash)
{
    memset(cv, 0, sizeof(*cv));
    cv->hash = hash;
}

/* An entry's strings share one allocation, which its `ns` (never NULL)
 * starts, and a Secret's key names another, which `keys` starts: a view
 * of 100k entries pays one malloc per entry, not five. */
void cview_free_failover(struct cview_failover *f)
{
    free(f->ns);
    free(f->ot);
}

const char *cview_kind_name(const struct cview_failover *f)
{
    const char *k = rf_kind_name((enum rf_kind)f->kind);

    return k ? k : RF_KIND;
}

static void free_secret(struct cview_secret *s)
{
    free(s->ns);
    free(s->bad_key);
}

/* Copy the strings src[0..n) (src[0] not NULL; others may be) into one
 * allocation, setting *dst[i] to each copy (NULL for NULL); returns the
 * allocation, which is *dst[0], or NULL on ENOMEM (*dst[] unset). */
char *cview_str_block(char **const dst[], const char *const src[], size_t n)
{
    size_t i, len = 0, l;
    char *b, *p;

    for (i = 0; i < n; i++)
        len += src[i] ? strlen(src[i]) + 1 : 0;
    b = p = malloc(len);
    if (!b)
        return NULL;
    for (i = 0; i < n; i++) {
        *dst[i] = NULL;
        if (!src[i])
            continue;
        l = strlen(src[i]) + 1;
        memcpy(p, src[i], l);
        *dst[i] = p;
        p += l;
    }
    return b;
}

/* The kinds a Secret summary names without a copy. */
static const char *const known_kinds[] = {"Secret", "SealedSecret",
                                          "ExternalSecret", NULL};

/* Set s's ns, name, kind, origin (may be NULL) and key names keys[0..n)
 * in one allocation, which s->ns starts: the strings, then the key name
 * array and its names. RFG_OK or RFG_ENOMEM (s's strings then unset). */
static int secret_block(struct cview_secret *s, const char *ns,
                        const char *name, const char *kind,
                        const char *origin, const char *const *keys,
                        size_t n)
{
    const char *const src[] = {ns, name, origin};
    char **const dst[] = {&s->ns, &s->name, &s->origin};
    size_t i, len = 0, at, l;
    const char *k = NULL;
    char *b, *p;

    for (i = 0; known_kinds[i] && !k; i++)
        if (!strcmp(known_kinds[i], kind))
            k = known_kinds[i];
    for (i = 0; i < 3; i++)
        len += src[i] ? strlen(src[i]) + 1 : 0;
    len += k ? 0 : strlen(kind) + 1;
    at = (len + sizeof(char *) - 1) / sizeof(char *) * sizeof(char *);
    len = at + n * sizeof(char *);
    for (i = 0; i < n; i++)
        len += strlen(keys[i]) + 1;
    b = p = malloc(len);
    if (!b)
        return RFG_ENOMEM;
    for (i = 0; i < 3; i++) {
        *dst[i] = NULL;
        if (!src[i])
            continue;
        l = strlen(src[i]) + 1;
        memcpy(p, src[i], l);
        *dst[i] = p;
        p += l;
    }
    if (k) {
        s->kind = (char *)(uintptr_t)k; /* static; never freed */
    } else {
        l = strlen(kind) + 1;
        memcpy(p, kind, l);
        s->kind = p;
    }
    s->keys = n ? (char **)(void *)(b + at) : NULL;
    s->nkeys = n;
    p = b + at + n * sizeof(char *);
    for (i = 0; i < n; i++) {
        l = strlen(keys[i]) + 1;
        memcpy(p, keys[i], l);
        s->keys[i] = p;
        p += l;
    }
    return RFG_OK;
}

void cview_cleanup(struct cview *cv)
{
    size_t i;

    if (!cv)
        return;
    cview_index_drop(cv);
    for (i = 0; i < cv->nrfs; i++)
        cview_free_failover(&cv->rfs[i]);
    for (i = 0; i < cv->nsecrets; i++)
        free_secret(&cv->secrets[i]);
    for (i = 0; i < cv->nnetpols; i++)
        cview_netpol_cleanup(&cv->netpols[i]);
    free(cv->rfs);
    free(cv->secrets);
    free(cv->netpols);
    hmap_free(&cv->rf_name);
    hmap_free(&cv->sec_name);
    hmap_free(&cv->sec_pw);
    memset(cv, 0, sizeof(*cv));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void cview_fit(struct cview *cv)
{
    void *p;

    if (cv->nrfs < cv->caprfs && cv->nrfs &&
        (p = realloc(cv->rfs, cv->nrfs * sizeof(*cv->rfs)))) {
        cv->rfs = p;
        cv->caprfs = cv->nrfs;
    }
    if (cv->nsecrets < cv->capsecrets && cv->nsecrets &&
        (p = realloc(cv->secrets, cv->nsecrets * sizeof(*cv->secrets)))) {
        cv->secrets = p;
        cv->capsecrets = cv->nsecrets;
    }
    if (cv->nnetpols < cv->capnetpols && cv->nnetpols &&
        (p = realloc(cv->netpols, cv->nnetpols * sizeof(*cv->netpols)))) {
        cv->netpols = p;
        cv->capnetpols = cv->nnetpols;
    }
}

int cview_reserve(struct cview *cv, size_t nrfs, size_t nsecrets)
{
    size_t r = cv->nrfs + nrfs, n = cv->nsecrets + nsecrets;

    if (r > cv->caprfs) {
        struct cview_failover *nv = realloc(cv->rfs, r * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        cv->rfs = nv;
        cv->caprfs = r;
    }
    if (n > cv->capsecrets) {
        struct cview_secret *nv = realloc(cv->secrets, n * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        cv->secrets = nv;
        cv->capsecrets = n;
    }
    if (hmap_reserve(&cv->rf_name, r) || hmap_reserve(&cv->sec_name, n) ||
        hmap_reserve(&cv->sec_pw, n))
        return RFG_ENOMEM;
    return RFG_OK;
}

static int add_failover(struct cview *cv, const cJSON *obj, const char *ns,
                        const char *origin)
{
    struct cview_failover *f;
    const char *name = rf_name(obj);

    if (!name)
        return RFG_OK; /* nameless: nothing to compare against */
    f = cview_new_entry(cv, ns, name, origin, rf_secret_path(obj));
    if (!f)
        return RFG_ENOMEM;
    f->port = rf_redis_port(obj);
    f->disable_mymaster = rf_disable_mymaster(obj);
    f->host_network = rf_host_network(obj);
    f->bootstrap = json_get(json_get(obj, "spec"), "bootstrapNode") != NULL;
    f->kind = RF_KIND_FAILOVER;
    /* the map gets an entry per failover so indices stay aligned */
    if (cview_map_add(cv, &cv->rf_name, cview_key_str2(f->name, NULL))) {
        cview_free_failover(f);
        return RFG_ENOMEM;
    }
    cv->nrfs++;
    return RFG_OK;
}


static enum cview_pw_problem classify(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
            return CVIEW_PW_WHITESPACE;
        if (p[i] == '"' || p[i] == '\'')
            return CVIEW_PW_QUOTE;
        if (p[i] == '#')
            return CVIEW_PW_HASH;
        if (p[i] < 0x20 || p[i] == 0x7f)
            return CVIEW_PW_CONTROL;
    }
    return CVIEW_PW_OK;
}

/* A Secret's key names while it is read, borrowed from its tree. */
struct klist {
    const char *small[16];
    const char **v;        /* small, or owned */
    size_t n, cap;
};

static int push_key(struct klist *l, const char *k)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], k))
            return RFG_OK;
    if (l->n == l->cap) {
        const char **nv = malloc(l->cap * 2 * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        memcpy(nv, l->v, l->n * sizeof(*nv));
        if (l->v != l->small)
            free(l->v);
        l->v = nv;
        l->cap *= 2;
    }
    l->v[l->n++] = k;
    return RFG_OK;
}

/* Record the password's shape and fingerprint; forget the value. */
static void take_password(struct cview *cv, struct cview_secret *s,
                          const unsigned char *pw, size_t n)
{
    s->has_password = true;
    s->pw_len = n;
    s->pw_problem = classify(pw, n);
    if (cv->hash && n) {
        cv->hash(pw, n, s->pw_hash);
        s->has_hash = true;
    }
}

static int fill_secret(struct cview *cv, struct cview_secret *s,
                       struct klist *kl, const cJSON *obj)
{
    const cJSON *data = json_get(obj, "data");
    const cJSON *sdata = json_get(obj, "stringData");
    const cJSON *kv;
    int rc;

    s->keys_known = true;
    s->value_known = true;
    cJSON_ArrayForEach(kv, data) {
        const char *why = cJSON_IsString(kv) ? base64_problem(kv->valuestring)
                          : cJSON_IsNull(kv) ? NULL
                                             : "is not a string";

        if ((rc = push_key(kl, kv->string)))
            return rc;
        if (why && !s->bad_key) {
            s->bad_key = strdup(kv->string);
            if (!s->bad_key)
                return RFG_ENOMEM;
            s->bad_why = why;
        }
        if (!strcmp(kv->string, "password")) {
            size_t n = 0;
            unsigned char *pw = NULL;

            if (cJSON_IsString(kv))
                pw = base64_decode(kv->valuestring, &n);
            if (!pw) {
                s->has_password = true;
                s->pw_problem = CVIEW_PW_UNDECODABLE;
                continue;
            }
            take_password(cv, s, pw, n);
            rfg_wipe(pw, n);
            free(pw);
        }
    }
    /* stringData wins over data, as in the API server. */
    cJSON_ArrayForEach(kv, sdata) {
        if ((rc = push_key(kl, kv->string)))
            return rc;
        if (!strcmp(kv->string, "password") && cJSON_IsString(kv))
            take_password(cv, s, (const unsigned char *)kv->valuestring,
                          strlen(kv->valuestring));
    }
    return RFG_OK;
}

static int fill_sealed(struct cview_secret *s, struct klist *kl,
                       const cJSON *obj)
{
    const cJSON *enc = json_get(json_get(obj, "spec"), "encryptedData");
    const cJSON *kv;
    int rc;

    s->keys_known = true;
    cJSON_ArrayForEach(kv, enc) {
        if ((rc = push_key(kl, kv->string)))
            return rc;
        if (!strcmp(kv->string, "password"))
            s->has_password = true;
    }
    return RFG_OK;
}

static int fill_external(struct cview_secret *s, struct klist *kl,
                         const cJSON *obj)
{
    const cJSON *spec = json_get(obj, "spec");
    const cJSON *data = json_get(spec, "data");
    const cJSON *d;
    int rc;

    s->keys_known = json_get(spec, "dataFrom") == NULL;
    cJSON_ArrayForEach(d, data) {
        const char *k = json_str(d, "secretKey");

        if (!k)
            continue;
        if ((rc = push_key(kl, k)))
            return rc;
        if (!strcmp(k, "password"))
            s->has_password = true;
    }
    return RFG_OK;
}

int cview_add_object(struct cview *cv, const cJSON *obj,
                     const char *default_ns, const char *origin)
{
    const char *kind = json_str(obj, "kind");
    const char *av = json_str(obj, "apiVersion");
    const cJSON *md = json_get(obj, "metadata");
    const char *name = json_str(md, "name");
    const char *ns = json_str(md, "namespace");
    struct cview_secret *s;
    struct klist kl;
    int rc;

    if (!ns || !*ns)
        ns = default_ns ? default_ns : "default";
    if (rf_is_failover(obj))
        return add_failover(cv, obj, ns, origin);
    if (rf_kind_of(obj) & RF_KIND_OPSTREE)
        return cview_add_ot(cv, obj, ns, origin);
    if (!kind || !av)
        return RFG_OK;
    if (!strcmp(kind, "NetworkPolicy"))
        return strcmp(av, "networking.k8s.io/v1")
                   ? RFG_OK
                   : cview_add_netpol(cv, obj, ns, origin);
    if (!strcmp(kind, "ExternalSecret")) {
        const char *tn = json_str(json_get(json_get(obj, "spec"), "target"), "name");

        if (tn && *tn)
            name = tn;
    } else if (!strcmp(kind, "SealedSecret")) {
        const char *tn = json_str(
            json_get(json_get(json_get(obj, "spec"), "template"), "metadata"), "name");

        if (tn && *tn)
            name = tn;
    } else if (strcmp(kind, "Secret") || strcmp(av, "v1")) {
        return RFG_OK;
    }
    if (!name)
        return RFG_OK;
    cview_index_drop(cv);
    s = rfg_grow(cv->secrets, &cv->capsecrets, cv->nsecrets, sizeof(*s), 16);
    if (!s)
        return RFG_ENOMEM;
    cv->secrets = s;
    s = &cv->secrets[cv->nsecrets];
    memset(s, 0, sizeof(*s));
    kl.v = kl.small;
    kl.n = 0;
    kl.cap = sizeof(kl.small) / sizeof(kl.small[0]);
    if (!strcmp(kind, "Secret"))
        rc = fill_secret(cv, s, &kl, obj);
    else if (!strcmp(kind, "SealedSecret"))
        rc = fill_sealed(s, &kl, obj);
    else
        rc = fill_external(s, &kl, obj);
    if (!rc)
        rc = secret_block(s, ns, name, kind, origin, kl.v, kl.n);
    if (kl.v != kl.small)
        free(kl.v);
    if (!rc && cview_map_add(cv, &cv->sec_name, cview_key_str2(s->ns, s->name)))
        rc = RFG_ENOMEM;
    if (!rc && cview_map_add(cv, &cv->sec_pw, s->has_hash
                                         ? cview_key_bytes(s->pw_hash, 32)
                                         : 0))
        rc = RFG_ENOMEM;
    if (rc) {
        free_secret(s);
        return rc;
    }
    cv->nsecrets++;
    return RFG_OK;
}

const struct cview_secret *cview_find_secret(const struct cview *cv,
                                             const char *ns,
                                             const char *name)
{
    size_t i;

    if (!cv)
        return NULL;
    /* Chains run newest first: the last definition wins, as with
     * kubectl apply of a stream. */
    for (i = cview_first(&cv->sec_name, cview_key_str2(ns, name));
         i != CVIEW_END; i = cview_next(&cv->sec_name, i))
        if (!strcmp(cv->secrets[i].ns, ns) &&
            !strcmp(cv->secrets[i].name, name))
            return &cv->secrets[i];
    return NULL;
}

void cview_secret_cleanup(struct cview_secret *s)
{
    if (!s)
        return;
    free_secret(s);
    memset(s, 0, sizeof(*s));
}

int cview_add_secret(struct cview *cv, const struct cview_secret *src)
{
    struct cview_secret *s;

    cview_index_drop(cv);
    if (cv->nsecrets == cv->capsecrets) {
        size_t ncap = cv->capsecrets ? cv->capsecrets * 2 : 16;
        struct cview_secret *nv = realloc(cv->secrets, ncap * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        cv->secrets = nv;
        cv->capsecrets = ncap;
    }
    s = &cv->secrets[cv->nsecrets];
    *s = *src;
    s->bad_key = NULL;
    if (secret_block(s, src->ns, src->name, src->kind, src->origin,
                     (const char *const *)src->keys, src->nkeys)) {
        s->ns = NULL;
        goto fail;
    }
    s->bad_key = dup_or_null(src->bad_key);
    if (src->bad_key && !s->bad_key)
        goto fail;
    if (cview_map_add(cv, &cv->sec_name, cview_key_str2(s->ns, s->name)) ||
        cview_map_add(cv, &cv->sec_pw, s->has_hash ? cview_key_bytes(s->pw_hash, 32)
                                          : 0))
        goto fail;
    cv->nsecrets++;
    return RFG_OK;
fail:
    free_secret(s);
    return RFG_ENOMEM;
}

int cview_merge(struct cview *dst, struct cview *src)
{
    size_t i, need = dst->nnetpols + src->nnetpols;

    /* room for what src brings, with as much again to spare (a view
     * merged from many parts would otherwise grow once per part) */
    if ((dst->nrfs + src->nrfs > dst->caprfs ||
         dst->nsecrets + src->nsecrets > dst->capsecrets) &&
        cview_reserve(dst, dst->nrfs + 2 * src->nrfs,
                      dst->nsecrets + 2 * src->nsecrets))
        return RFG_ENOMEM;
    cview_index_drop(dst);
    /* room for the policies before anything moves */
    if (need > dst->capnetpols) {
        struct cview_netpol *nv = realloc(dst->netpols,
                                          need * 2 * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        dst->netpols = nv;
        dst->capnetpols = need * 2;
    }
    for (i = 0; i < src->nrfs; i++) {
        const struct cview_failover *f = &src->rfs[i];

        /* the map takes one entry per failover, in index order */
        if (hmap_add(&dst->rf_name, cview_key_str2(f->name, NULL)))
            return RFG_ENOMEM;
        dst->rfs[dst->nrfs++] = *f;
    }
    for (i = 0; i < src->nsecrets; i++) {
        const struct cview_secret *s = &src->secrets[i];

        if (hmap_add(&dst->sec_name, cview_key_str2(s->ns, s->name)) ||
            hmap_add(&dst->sec_pw,
                     s->has_hash ? cview_key_bytes(s->pw_hash, 32) : 0))
            return RFG_ENOMEM;
        dst->secrets[dst->nsecrets++] = *s;
    }
    if (src->nnetpols) {
        memcpy(dst->netpols + dst->nnetpols, src->netpols,
               src->nnetpols * sizeof(*src->netpols));
        dst->nnetpols += src->nnetpols;
    }
    /* the entries now belong to dst: drop src's copies of the pointers */
    src->nrfs = 0;
    src->nsecrets = 0;
    src->nnetpols = 0;
    {
        cview_hash_fn h = src->hash;

        cview_cleanup(src);
        cview_init(src, h);
    }
    return RFG_OK;
}
