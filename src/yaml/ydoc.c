/* SPDX-License-Identifier: Apache-2.0
 *
 * ydoc.c - load YAML streams into cJSON trees with the position of every
 * node (posmap), and write cJSON trees back out as block YAML. It drives
 * libyaml's event parser directly (not its document loader), so a tree is
 * built in one pass with no intermediate node graph. Scalars resolve like
 * kubectl (go-yaml v2, YAML 1.1). Every budget in struct ydoc_limits is
 * checked as the events arrive, so hostile input (alias bombs, deep
 * nesting, huge scalars) is refused early. This file knows YAML, not
 * Kubernetes: it never looks at kind or apiVersion.
 */
#include "ydoc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"
#define TAG_PREFIX_LEN (sizeof(TAG_PREFIX) - 1)
/* Mappings with more keys than this get hashed duplicate detection. */
#define KEYS_LINEAR_MAX 16

/* ---- posmap: pointer-keyed open addressing, linear probing ---- */

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

/* Allocate an empty posmap with room for a small document. */
static struct posmap *posmap_new(void)
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

/* Free a posmap; NULL is a no-op. */
static void posmap_free(struct posmap *pm)
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
static int posmap_put(struct posmap *pm, const cJSON *k, struct src_pos pos)
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

/* ---- string-keyed table: large-mapping key sets and anchors ---- */

struct kent {
    const void *obj;        /* the mapping (NULL for anchors) */
    char *key;              /* NULL = empty; owned only in the anchor table */
    const cJSON *item;
    size_t h;
};

struct ktab {
    struct kent *v;         /* owned */
    size_t cap, len;
    bool owns_keys;
};

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

/* The item stored for (obj, key), or NULL. */
static const cJSON *ktab_get(const struct ktab *t, const void *obj,
                             const char *key)
{
    size_t i;

    if (!t->len)
        return NULL;
    i = ktab_slot(t, obj, key, key_hash(obj, key));
    return t->v[i].key ? t->v[i].item : NULL;
}

/* Insert or update (obj, key) -> item. An owning table takes `key` (it is
 * freed here if an equal key is already present); on failure the caller
 * still owns it. */
static int ktab_put(struct ktab *t, const void *obj, char *key,
                    const cJSON *item)
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

/* Empty the table. A small table keeps its memory for the next
 * document; a big one is released so clearing stays cheap. */
static void ktab_clear(struct ktab *t)
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

/* Release everything the table holds. */
static void ktab_free(struct ktab *t)
{
    ktab_clear(t);
    free(t->v);
    t->v = NULL;
    t->cap = 0;
}

/* ---- scalar resolution (go-yaml v2, YAML 1.1) ---- */

enum sk { SK_STR, SK_NULL, SK_BOOL, SK_INT, SK_UINT, SK_FLOAT, SK_NOTJSON };

struct sval {
    enum sk kind;
    bool b;
    int64_t i;
    uint64_t u;
    double f;               /* SK_FLOAT; for SK_NOTJSON: +inf, -inf or nan */
};

static const char *const words_true[] = {"y", "Y", "yes", "Yes", "YES",
    "true", "True", "TRUE", "on", "On", "ON"};
static const char *const words_false[] = {"n", "N", "no", "No", "NO",
    "false", "False", "FALSE", "off", "Off", "OFF"};
static const char *const words_null[] = {"~", "null", "Null", "NULL"};
static const char *const words_pinf[] = {".inf", ".Inf", ".INF", "+.inf",
    "+.Inf", "+.INF"};
static const char *const words_ninf[] = {"-.inf", "-.Inf", "-.INF"};
static const char *const words_nan[] = {".nan", ".NaN", ".NAN"};

/* True if the n-byte `s` is one of the `count` words. */
static bool in_words(const char *s, size_t n, const char *const *w,
                     size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (strlen(w[i]) == n && memcmp(w[i], s, n) == 0)
            return true;
    return false;
}

#define IN_WORDS(s, n, w) in_words(s, n, w, sizeof(w) / sizeof(w[0]))

/* Go's strconv.ParseUint(s, 0, 64): 0x, 0o, 0b and leading-0 octal. */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i;

    if (n == 0)
        return false;
    if (s[0] == '0') {
        char c = n >= 3 ? (char)(s[1] | 0x20) : 0;

        if (c == 'b' || c == 'o' || c == 'x') {
            base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
            s += 2;
            n -= 2;
        } else {
            base = 8;
            s++;
            n--;
        }
    }
    for (i = 0; i < n; i++) {
        unsigned d;
        char c = s[i];

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t u;

    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (!go_parse_uint(s, n, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* Count the ASCII digits at s[0..n). */
static size_t digits(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < n && s[i] == '.') {
        d = digits(s + i + 1, n - i - 1);
        if (!d)
            return false;
        i += 1 + d;
    } else {
        d = digits(s + i, n - i);
        if (!d)
            return false;
        i += d;
        if (i < n && s[i] == '.')
            i += 1 + digits(s + i + 1, n - i - 1);
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        d = digits(s + i, n - i);
        if (!d)
            return false;
        i += d;
    }
    return i == n;
}

/* strtod of the NUL-terminated `s`, false if it overflows (Go's ParseFloat
 * fails with ErrRange there, and go-yaml then keeps the string). */
static bool parse_float(const char *s, double *out)
{
    double f = strtod(s, NULL);

    if (isinf(f))
        return false;
    *out = f;
    return true;
}

/* Resolve the plain scalar s[0..n) (NUL-terminated) like go-yaml v2. */
static void resolve_plain(const char *s, size_t n, struct sval *v)
{
    char small[128], *plain = small, *big = NULL;
    size_t i, pn;
    char c;

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    if (n == 0) {
        v->kind = SK_NULL;
        return;
    }
    c = s[0];
    if (!strchr("+-0123456789.yYnNtTfFoO~", c) || c == '\0')
        return;
    if (n <= 6) {
        if (IN_WORDS(s, n, words_true) || IN_WORDS(s, n, words_false)) {
            v->kind = SK_BOOL;
            v->b = IN_WORDS(s, n, words_true);
            return;
        }
        if (IN_WORDS(s, n, words_null)) {
            v->kind = SK_NULL;
            return;
        }
        if (IN_WORDS(s, n, words_pinf) || IN_WORDS(s, n, words_ninf) ||
            IN_WORDS(s, n, words_nan)) {
            v->kind = SK_NOTJSON;
            v->f = IN_WORDS(s, n, words_nan) ? (double)NAN
                   : IN_WORDS(s, n, words_ninf) ? -(double)INFINITY
                                                : (double)INFINITY;
            return;
        }
    }
    if (c == '.') {
        /* strconv.ParseFloat on the raw text: only \.[0-9]+(e[-+]?[0-9]+)?
         * can start with a dot. */
        if (yaml_style_float(s, n) && parse_float(s, &v->f))
            v->kind = SK_FLOAT;
        return;
    }
    if (!strchr("+-0123456789", c))
        return;
    /* Drop underscores (go-yaml does strings.Replace(in, "_", "")). */
    if (memchr(s, '_', n)) {
        if (n >= sizeof(small)) {
            big = malloc(n + 1);
            if (!big)
                return;     /* stays a string; cannot happen in practice */
            plain = big;
        }
        for (i = pn = 0; i < n; i++)
            if (s[i] != '_')
                plain[pn++] = s[i];
        plain[pn] = '\0';
        s = plain;
        n = pn;
    }
    if (go_parse_int(s, n, &v->i))
        v->kind = SK_INT;
    else if (go_parse_uint(s, n, &v->u))
        v->kind = SK_UINT;
    else if (yaml_style_float(s, n) && parse_float(s, &v->f))
        v->kind = SK_FLOAT;
    free(big);
}

/* True if `d` is integral and in int64 range (no libm needed). */
static bool is_int64(double d)
{
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
           (double)(int64_t)d == d;
}

/* The number a resolved int or float stands for. */
static double sval_number(const struct sval *v)
{
    if (v->kind == SK_INT)
        return (double)v->i;
    if (v->kind == SK_UINT)
        return (double)v->u;
    return v->f;
}

/* ---- the loader ---- */

enum fkind { F_SEQ, F_MAP, F_MERGE_SEQ };

struct frame {
    cJSON *node;            /* borrowed (owned by its parent, the root or
                               the graveyard); NULL for F_MERGE_SEQ */
    char *anchor;           /* owned; registered when the node closes */
    size_t nkeys;           /* F_MAP: keys so far, merged ones included */
    size_t merge_base;      /* L->nmerge when the frame opened */
    size_t target;          /* merge sources: index of the receiving map */
    struct src_pos key_pos; /* F_MAP: position of the pending key */
    enum fkind kind;
    bool have_key;          /* F_MAP: a key waits for its value */
    bool key_is_merge;      /* F_MAP: the pending key is "<<" */
    bool merge_src;         /* an inline mapping given to "<<" */
};

struct merge_ent {
    size_t target;          /* frame index of the receiving mapping */
    const cJSON *src;       /* borrowed: tree or graveyard */
    struct src_pos pos;     /* the alias or mapping that supplied it */
    const char *name;       /* borrowed anchor name, or NULL */
};

struct loader {
    const struct ydoc_limits *lim;
    struct diag_list *dl;
    const char *buf;
    size_t len;
    size_t bom;             /* bytes of UTF-8 BOM before mark.index 0 */
    size_t cur_char;        /* char_to_byte cursor: mark.index ... */
    size_t cur_byte;        /* ... and the byte offset it stands for */
    bool ascii;             /* no byte >= 0x80: index + bom is the offset */
    size_t ndocs;
    size_t prev_end;        /* mark.index where the previous doc ended */

    /* per document */
    bool in_doc;
    bool scanned;           /* "# Source:" looked for */
    cJSON *root;            /* owned */
    struct posmap *pm;      /* owned */
    cJSON *grave;           /* owned: anchored keys, inline merge maps */
    char *source;           /* owned */
    struct src_pos start;
    size_t start_index;
    size_t nnodes, nalias;
    struct frame *st;       /* owned stack */
    size_t depth, st_cap;
    struct merge_ent *merges; /* owned */
    size_t nmerge, merge_cap;
    struct ktab keys;       /* (mapping, key) -> item, large mappings */
    struct ktab anchors;    /* name -> node */
    char *kbuf;             /* owned: the pending mapping key */
    size_t kcap;
};

/* 1-based position of a libyaml mark. */
static struct src_pos mark_pos(yaml_mark_t m)
{
    struct src_pos p = {(unsigned)(m.line + 1), (unsigned)(m.column + 1)};

    return p;
}

/* Drop everything the current document holds. */
static void doc_reset(struct loader *L)
{
    size_t i;

    cJSON_Delete(L->root);
    L->root = NULL;
    posmap_free(L->pm);
    L->pm = NULL;
    cJSON_Delete(L->grave);
    L->grave = NULL;
    free(L->source);
    L->source = NULL;
    for (i = 0; i < L->depth; i++)
        free(L->st[i].anchor);
    L->depth = 0;
    L->nmerge = 0;
    L->nnodes = L->nalias = 0;
    ktab_clear(&L->keys);
    ktab_clear(&L->anchors);
    L->in_doc = false;
}

/* Count one more node against max_nodes. */
static int count_node(struct loader *L, struct src_pos pos)
{
    if (++L->nnodes > L->lim->max_nodes)
        return diag_fail(L->dl, RFG_ELIMIT, &pos,
                         "document has more than max_nodes (%zu) nodes",
                         L->lim->max_nodes);
    return RFG_OK;
}

/* Find the item under `key` in the mapping of frame `f`, or NULL. */
static const cJSON *map_find(const struct loader *L, const struct frame *f,
                             const char *key)
{
    const cJSON *c;

    if (f->nkeys > KEYS_LINEAR_MAX)
        return ktab_get(&L->keys, f->node, key);
    for (c = f->node->child; c; c = c->next)
        if (c->string && strcmp(c->string, key) == 0)
            return c;
    return NULL;
}

/* Note that `item` was added to the mapping of frame `f`; past
 * KEYS_LINEAR_MAX keys the mapping's keys move into the hash table. */
static int map_added(struct loader *L, struct frame *f, cJSON *item)
{
    cJSON *c;
    int rc;

    f->nkeys++;
    if (f->nkeys < KEYS_LINEAR_MAX + 1)
        return RFG_OK;
    if (f->nkeys > KEYS_LINEAR_MAX + 1)
        return ktab_put(&L->keys, f->node, item->string, item);
    for (c = f->node->child; c; c = c->next) {
        rc = ktab_put(&L->keys, f->node, c->string, c);
        if (rc)
            return rc;
    }
    return RFG_OK;
}

/* Keep `node` alive until the document ends without putting it in the
 * tree. Takes ownership. */
static int graveyard_add(struct loader *L, cJSON *node)
{
    if (!L->grave)
        L->grave = cJSON_CreateArray();
    if (!L->grave || !cJSON_AddItemToArray(L->grave, node)) {
        cJSON_Delete(node);
        return RFG_ENOMEM;
    }
    return RFG_OK;
}

/* Remember `src` as a merge source of the mapping at frame `target`. */
static int merge_push(struct loader *L, size_t target, const cJSON *src,
                      struct src_pos pos, const char *name)
{
    if (L->nmerge == L->merge_cap) {
        size_t ncap = L->merge_cap ? L->merge_cap * 2 : 8;
        struct merge_ent *nv = realloc(L->merges, ncap * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        L->merges = nv;
        L->merge_cap = ncap;
    }
    L->merges[L->nmerge].target = target;
    L->merges[L->nmerge].src = src;
    L->merges[L->nmerge].pos = pos;
    L->merges[L->nmerge].name = name;
    L->nmerge++;
    return RFG_OK;
}

/* Deep-copy `src` (an anchored node) for an alias, copying the recorded
 * position of every descendant and charging each node to max_alias_nodes
 * and max_nodes. `depth` is the nesting the copy would have if it is a
 * collection. The copy's own position is the caller's business. */
static int dup_tree(struct loader *L, const cJSON *src, size_t depth,
                    struct src_pos apos, const char *name, cJSON **out)
{
    cJSON *copy = NULL, *cc = NULL;
    const cJSON *c;
    int rc;

    *out = NULL;
    if (++L->nalias > L->lim->max_alias_nodes)
        return diag_fail(L->dl, RFG_ELIMIT, &apos,
                         "alias *%s expands to more than max_alias_nodes "
                         "(%zu) nodes", name ? name : "",
                         L->lim->max_alias_nodes);
    rc = count_node(L, apos);
    if (rc)
        return rc;
    if (cJSON_IsArray(src) || cJSON_IsObject(src)) {
        if (depth > L->lim->max_depth)
            return diag_fail(L->dl, RFG_ELIMIT, &apos,
                             "alias *%s nests deeper than max_depth (%zu)",
                             name ? name : "", L->lim->max_depth);
        copy = cJSON_IsArray(src) ? cJSON_CreateArray()
                                  : cJSON_CreateObject();
    } else if (cJSON_IsString(src)) {
        copy = cJSON_CreateString(src->valuestring);
    } else if (cJSON_IsNumber(src)) {
        copy = cJSON_CreateNumber(src->valuedouble);
    } else if (cJSON_IsBool(src)) {
        copy = cJSON_CreateBool(cJSON_IsTrue(src));
    } else {
        copy = cJSON_CreateNull();
    }
    if (!copy)
        return diag_fail(L->dl, RFG_ENOMEM, &apos, "out of memory");
    for (c = src->child; c && (cJSON_IsArray(src) || cJSON_IsObject(src));
         c = c->next) {
        rc = dup_tree(L, c, depth + 1, apos, name, &cc);
        if (rc)
            goto out;
        if (cJSON_IsObject(copy) ? !cJSON_AddItemToObject(copy, c->string, cc)
                                 : !cJSON_AddItemToArray(copy, cc)) {
            cJSON_Delete(cc);
            rc = diag_fail(L->dl, RFG_ENOMEM, &apos, "out of memory");
            goto out;
        }
        if (posmap_put(L->pm, cc, posmap_get(L->pm, c))) {
            rc = diag_fail(L->dl, RFG_ENOMEM, &apos, "out of memory");
            goto out;
        }
    }
    *out = copy;
    copy = NULL;
    rc = RFG_OK;
out:
    cJSON_Delete(copy);
    return rc;
}

/* Put `node` where the parser is: the root, the next sequence item or the
 * value of the pending key. Takes ownership of `node` in every case. The
 * caller has already dealt with merge contexts. */
static int place(struct loader *L, cJSON *node, struct src_pos pos)
{
    struct frame *top = L->depth ? &L->st[L->depth - 1] : NULL;
    int rc;

    if (!top) {
        cJSON_Delete(L->root);  /* libyaml gives one root per document */
        L->root = node;
    } else if (top->kind == F_SEQ) {
        if (!cJSON_AddItemToArray(top->node, node)) {
            cJSON_Delete(node);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
    } else {
        top->have_key = false;
        pos = top->key_pos;
        if (!cJSON_AddItemToObject(top->node, L->kbuf, node)) {
            cJSON_Delete(node);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
        if (map_added(L, top, node))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    }
    rc = posmap_put(L->pm, node, pos);
    if (rc)
        return diag_fail(L->dl, rc, &pos, "out of memory");
    return RFG_OK;
}

/* Register anchor `name` (copied) for `node`. */
static int anchor_put(struct loader *L, const char *name, const cJSON *node,
                      struct src_pos pos)
{
    size_t n = strlen(name);
    char *copy = malloc(n + 1);

    if (!copy)
        return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    memcpy(copy, name, n + 1);
    if (ktab_put(&L->anchors, NULL, copy, node)) {
        free(copy);
        return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    }
    return RFG_OK;
}

/* Resolve a scalar event into `v`, honouring explicit !!tags. */
static int scalar_resolve(struct loader *L, const yaml_event_t *ev,
                          struct sval *v, struct src_pos pos)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *t;
    const char *want;

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    if (!tag) {
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            resolve_plain(s, n, v);
        return RFG_OK;
    }
    /* Local tags (!foo), "!" and yaml.org tags go-yaml cannot resolve
     * (!!binary, !!timestamp, !!map...) leave the text as a string. */
    if (strncmp(tag, TAG_PREFIX, TAG_PREFIX_LEN) != 0)
        return RFG_OK;
    t = tag + TAG_PREFIX_LEN;
    if (strcmp(t, "int") != 0 && strcmp(t, "float") != 0 &&
        strcmp(t, "bool") != 0 && strcmp(t, "null") != 0)
        return RFG_OK;
    resolve_plain(s, n, v);
    want = t;
    if (strcmp(t, "int") == 0 && (v->kind == SK_INT || v->kind == SK_UINT))
        return RFG_OK;
    if (strcmp(t, "float") == 0 &&
        (v->kind == SK_INT || v->kind == SK_UINT || v->kind == SK_FLOAT ||
         v->kind == SK_NOTJSON)) {
        if (v->kind != SK_NOTJSON) {
            v->f = sval_number(v);
            v->kind = SK_FLOAT;
        }
        return RFG_OK;
    }
    if (strcmp(t, "bool") == 0 && v->kind == SK_BOOL)
        return RFG_OK;
    if (strcmp(t, "null") == 0 && v->kind == SK_NULL)
        return RFG_OK;
    return diag_fail(L->dl, RFG_EPARSE, &pos,
                     "cannot decode \"%.60s\" as !!%s", s, want);
}

/* A cJSON node for a resolved value (not a key). */
static int sval_node(struct loader *L, const struct sval *v, const char *s,
                     struct src_pos pos, cJSON **out)
{
    switch (v->kind) {
    case SK_NULL:
        *out = cJSON_CreateNull();
        break;
    case SK_BOOL:
        *out = cJSON_CreateBool(v->b);
        break;
    case SK_INT:
    case SK_UINT:
    case SK_FLOAT:
        *out = cJSON_CreateNumber(sval_number(v));
        break;
    case SK_NOTJSON:
        *out = NULL;
        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "value %.20s cannot be represented in JSON", s);
    case SK_STR:
    default:
        *out = cJSON_CreateString(s);
        break;
    }
    if (!*out)
        return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    return RFG_OK;
}

/* Make room for a pending key of n bytes. */
static int kbuf_reserve(struct loader *L, size_t n)
{
    char *nb;
    size_t ncap;

    if (n + 1 <= L->kcap)
        return RFG_OK;
    ncap = L->kcap ? L->kcap : 64;
    while (ncap < n + 1)
        ncap *= 2;
    nb = realloc(L->kbuf, ncap);
    if (!nb)
        return RFG_ENOMEM;
    L->kbuf = nb;
    L->kcap = ncap;
    return RFG_OK;
}

/* Go's strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml formats
 * float map keys. */
static void format_float32_key(char *out, size_t len, double d)
{
    float f = (float)d;
    char tmp[64];
    int prec, exp;

    if (isnan(f)) {
        snprintf(out, len, ".nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, len, f > 0 ? ".inf" : "-.inf");
        return;
    }
    if (f == 0.0f) {
        snprintf(out, len, signbit(f) ? "-0" : "0");
        return;
    }
    for (prec = 1; prec < 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
    exp = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
    if (exp < -4 || exp >= 6)
        snprintf(out, len, "%s", tmp);
    else
        snprintf(out, len, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0,
                 (double)f);
}

/* Set the pending key from a resolved scalar (sigs.k8s.io/yaml turns
 * non-string keys into strings). */
static int key_from_sval(struct loader *L, const struct sval *v,
                         const char *s, size_t n)
{
    char tmp[64];
    const char *k = tmp;
    size_t kn;

    switch (v->kind) {
    case SK_NULL:
        k = "null";
        break;
    case SK_BOOL:
        k = v->b ? "true" : "false";
        break;
    case SK_INT:
        snprintf(tmp, sizeof(tmp), "%lld", (long long)v->i);
        break;
    case SK_UINT:
        snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v->u);
        break;
    case SK_FLOAT:
    case SK_NOTJSON:
        format_float32_key(tmp, sizeof(tmp), v->f);
        break;
    case SK_STR:
    default:
        k = s;
        break;
    }
    kn = k == s ? n : strlen(k);
    if (kbuf_reserve(L, kn))
        return RFG_ENOMEM;
    memcpy(L->kbuf, k, kn);
    L->kbuf[kn] = '\0';
    return RFG_OK;
}

/* Set the pending key from an anchored scalar node. */
static int key_from_node(struct loader *L, const cJSON *node)
{
    struct sval v;

    memset(&v, 0, sizeof(v));
    if (cJSON_IsString(node)) {
        return key_from_sval(L, &v, node->valuestring,
                             strlen(node->valuestring));
    } else if (cJSON_IsNull(node)) {
        v.kind = SK_NULL;
    } else if (cJSON_IsBool(node)) {
        v.kind = SK_BOOL;
        v.b = cJSON_IsTrue(node);
    } else {
        double d = node->valuedouble;

        if (is_int64(d)) {
            v.kind = SK_INT;
            v.i = (int64_t)d;
        } else {
            v.kind = SK_FLOAT;
            v.f = d;
        }
    }
    return key_from_sval(L, &v, NULL, 0);
}

/* The pending key is set; check it against the keys already in `f`. */
static int key_accept(struct loader *L, struct frame *f, struct src_pos pos)
{
    const cJSON *prev = map_find(L, f, L->kbuf);

    if (prev) {
        struct src_pos first = posmap_get(L->pm, prev);

        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "duplicate key \"%.80s\" (first at line %u)",
                         L->kbuf, first.line);
    }
    f->have_key = true;
    f->key_is_merge = false;
    f->key_pos = pos;
    return RFG_OK;
}

/* True when the frame on top expects the value of a "<<" key, or is a
 * sequence of merge sources. */
static bool in_merge(const struct loader *L)
{
    const struct frame *top = L->depth ? &L->st[L->depth - 1] : NULL;

    return top && ((top->kind == F_MAP && top->have_key &&
                    top->key_is_merge) || top->kind == F_MERGE_SEQ);
}

/* Index of the mapping that receives merge sources given right now. */
static size_t merge_target(const struct loader *L)
{
    const struct frame *top = &L->st[L->depth - 1];

    return top->kind == F_MAP ? L->depth - 1 : top->target;
}

/* The error for a "<<" value that is not a mapping (go-yaml's wording). */
static int merge_want_map(struct loader *L, struct src_pos pos)
{
    return diag_fail(L->dl, RFG_EPARSE, &pos,
                     "map merge requires a mapping or a sequence of "
                     "mappings as its value");
}

/* A scalar event. */
static int on_scalar(struct loader *L, const yaml_event_t *ev)
{
    struct src_pos pos = mark_pos(ev->start_mark);
    struct frame *top = L->depth ? &L->st[L->depth - 1] : NULL;
    const char *s = (const char *)ev->data.scalar.value;
    const char *anchor = (const char *)ev->data.scalar.anchor;
    cJSON *node = NULL;
    struct sval v;
    int rc;

    if (ev->data.scalar.length > L->lim->max_scalar_bytes)
        return diag_fail(L->dl, RFG_ELIMIT, &pos,
                         "scalar of %zu bytes exceeds max_scalar_bytes (%zu)",
                         ev->data.scalar.length, L->lim->max_scalar_bytes);
    /* A double-quoted "\0", "\x00", "\u0000" (JSON too) is a NUL byte in
     * the scalar: everything C reads after it would hide from the rules
     * while the operator still writes it to a config file. */
    if (memchr(s, '\0', ev->data.scalar.length))
        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "a NUL character (U+0000) is not allowed in a %s",
                         top && top->kind == F_MAP && !top->have_key
                             ? "mapping key" : "string");
    if (top && top->kind == F_MAP && !top->have_key) {
        /* A mapping key. "<<" in plain style is a merge key. */
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            ev->data.scalar.length == 2 && memcmp(s, "<<", 2) == 0 &&
            (!ev->data.scalar.tag ||
             strcmp((const char *)ev->data.scalar.tag,
                    TAG_PREFIX "merge") == 0)) {
            top->have_key = true;
            top->key_is_merge = true;
            top->key_pos = pos;
            return RFG_OK;
        }
        rc = scalar_resolve(L, ev, &v, pos);
        if (rc)
            return rc;
        if (key_from_sval(L, &v, s, ev->data.scalar.length))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        if (anchor) {
            rc = sval_node(L, &v, s, pos, &node);
            if (rc)
                return rc;
            if (graveyard_add(L, node))
                return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
            rc = anchor_put(L, anchor, node, pos);
            if (rc)
                return rc;
        }
        return key_accept(L, top, pos);
    }
    if (in_merge(L))
        return merge_want_map(L, pos);
    rc = scalar_resolve(L, ev, &v, pos);
    if (rc)
        return rc;
    rc = sval_node(L, &v, s, pos, &node);
    if (rc)
        return rc;
    rc = place(L, node, pos);
    if (rc)
        return rc;
    if (anchor)
        return anchor_put(L, anchor, node, pos);
    return RFG_OK;
}

/* An alias event: a deep copy of the anchored node (or, as a merge
 * source, the anchored mapping itself). */
static int on_alias(struct loader *L, const yaml_event_t *ev)
{
    struct src_pos pos = mark_pos(ev->start_mark);
    struct frame *top = L->depth ? &L->st[L->depth - 1] : NULL;
    const char *name = (const char *)ev->data.alias.anchor;
    const cJSON *src = ktab_get(&L->anchors, NULL, name);
    cJSON *copy = NULL;
    int rc;

    if (!src)
        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "unknown anchor \"%.60s\" referenced", name);
    if (top && top->kind == F_MAP && !top->have_key) {
        if (cJSON_IsObject(src) || cJSON_IsArray(src))
            return diag_fail(L->dl, RFG_EPARSE, &pos,
                             "a mapping or sequence cannot be a mapping "
                             "key");
        if (key_from_node(L, src))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        return key_accept(L, top, pos);
    }
    if (in_merge(L)) {
        if (!cJSON_IsObject(src))
            return merge_want_map(L, pos);
        if (top->kind == F_MAP)
            top->have_key = false;
        /* The anchor name lives in the anchor table until the doc ends. */
        rc = merge_push(L, merge_target(L), src, pos,
                        L->anchors.v[ktab_slot(&L->anchors, NULL, name,
                                               key_hash(NULL, name))].key);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
        return RFG_OK;
    }
    rc = dup_tree(L, src, L->depth + 1, pos, name, &copy);
    if (rc)
        return rc;
    return place(L, copy, pos);
}

/* A sequence or mapping start. */
static int on_open(struct loader *L, const yaml_event_t *ev, bool is_map)
{
    struct src_pos pos = mark_pos(ev->start_mark);
    struct frame *top = L->depth ? &L->st[L->depth - 1] : NULL;
    const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
                                       : ev->data.sequence_start.anchor;
    struct frame *f;
    cJSON *node = NULL;
    bool merge = in_merge(L);
    int rc;

    if (top && top->kind == F_MAP && !top->have_key)
        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "a mapping or sequence cannot be a mapping key");
    if (L->depth + 1 > L->lim->max_depth)
        return diag_fail(L->dl, RFG_ELIMIT, &pos,
                         "nesting deeper than max_depth (%zu)",
                         L->lim->max_depth);
    if (merge && !is_map && top->kind == F_MERGE_SEQ)
        return merge_want_map(L, pos);
    if (L->depth == L->st_cap) {
        size_t ncap = L->st_cap ? L->st_cap * 2 : 16;
        struct frame *nv = realloc(L->st, ncap * sizeof(*nv));

        if (!nv)
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        L->st = nv;
        L->st_cap = ncap;
        top = L->depth ? &L->st[L->depth - 1] : NULL;   /* moved */
    }
    if (merge && !is_map) {
        /* <<: [*a, *b]: no node, the items go to the mapping below. */
        top->have_key = false;
        f = &L->st[L->depth++];
        memset(f, 0, sizeof(*f));
        f->kind = F_MERGE_SEQ;
        f->target = L->depth - 2;
        f->merge_base = L->nmerge;
        return RFG_OK;
    }
    node = is_map ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!node)
        return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    if (merge) {
        size_t target = merge_target(L);

        if (top->kind == F_MAP)
            top->have_key = false;
        if (graveyard_add(L, node))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        rc = posmap_put(L->pm, node, pos);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
        f = &L->st[L->depth++];
        memset(f, 0, sizeof(*f));
        f->merge_src = true;
        f->target = target;
    } else {
        rc = place(L, node, pos);
        if (rc)
            return rc;
        f = &L->st[L->depth++];
        memset(f, 0, sizeof(*f));
    }
    f->node = node;
    f->kind = is_map ? F_MAP : F_SEQ;
    f->merge_base = L->nmerge;
    if (anchor) {
        size_t n = strlen((const char *)anchor);

        f->anchor = malloc(n + 1);
        if (!f->anchor)
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        memcpy(f->anchor, anchor, n + 1);
    }
    return RFG_OK;
}

/* Copy into the mapping of frame `fi` every key of its merge sources that
 * it does not have yet: explicit keys win, then earlier sources. */
static int apply_merges(struct loader *L, size_t fi)
{
    struct frame *f = &L->st[fi];
    size_t m;
    const cJSON *c;
    cJSON *cc = NULL;
    int rc;

    for (m = f->merge_base; m < L->nmerge; m++) {
        const struct merge_ent *me = &L->merges[m];

        for (c = me->src->child; c; c = c->next) {
            if (map_find(L, f, c->string)) {
                /* Charge skipped keys too, or `<<: [*big, *big, ...]`
                 * would cost time without ever touching the budget. */
                if (++L->nalias > L->lim->max_alias_nodes)
                    return diag_fail(L->dl, RFG_ELIMIT, &me->pos,
                                     "alias *%s expands to more than "
                                     "max_alias_nodes (%zu) nodes",
                                     me->name ? me->name : "",
                                     L->lim->max_alias_nodes);
                continue;
            }
            rc = dup_tree(L, c, fi + 2, me->pos, me->name, &cc);
            if (rc)
                return rc;
            if (!cJSON_AddItemToObject(f->node, c->string, cc)) {
                cJSON_Delete(cc);
                return diag_fail(L->dl, RFG_ENOMEM, &me->pos,
                                 "out of memory");
            }
            if (posmap_put(L->pm, cc, posmap_get(L->pm, c)) ||
                map_added(L, f, cc))
                return diag_fail(L->dl, RFG_ENOMEM, &me->pos,
                                 "out of memory");
        }
    }
    L->nmerge = f->merge_base;
    return RFG_OK;
}

/* A sequence or mapping end. */
static int on_close(struct loader *L, const yaml_event_t *ev)
{
    struct src_pos pos = mark_pos(ev->start_mark);
    struct frame *f;
    size_t fi;
    int rc = RFG_OK;

    if (!L->depth)
        return RFG_OK;      /* libyaml balances these; be defensive */
    fi = L->depth - 1;
    f = &L->st[fi];
    if (f->kind == F_MERGE_SEQ) {
        L->depth--;
        return RFG_OK;
    }
    if (f->kind == F_MAP) {
        rc = apply_merges(L, fi);
        if (rc)
            return rc;
    }
    if (f->anchor) {
        rc = ktab_put(&L->anchors, NULL, f->anchor, f->node);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
        f->anchor = NULL;   /* the anchor table owns it now */
    }
    if (f->merge_src) {
        rc = merge_push(L, f->target, f->node, mark_pos(ev->start_mark),
                        NULL);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
    }
    L->depth--;
    return RFG_OK;
}

/* The byte offset of character index `idx` (libyaml's mark.index counts
 * characters, after any BOM). Callers ask in increasing order, so the
 * cursor makes all calls together linear in the input. */
static size_t char_to_byte(struct loader *L, size_t idx)
{
    if (L->ascii)
        return idx + L->bom < L->len ? idx + L->bom : L->len;
    if (idx < L->cur_char) {
        L->cur_char = 0;
        L->cur_byte = L->bom;
    }
    while (L->cur_char < idx && L->cur_byte < L->len) {
        L->cur_byte++;
        while (L->cur_byte < L->len &&
               ((unsigned char)L->buf[L->cur_byte] & 0xC0) == 0x80)
            L->cur_byte++;
        L->cur_char++;
    }
    return L->cur_byte;
}

/* If the raw bytes [from, to) hold a line "# Source: x", remember x (the
 * last such line wins). helm template writes it right after "---". */
static int scan_source(struct loader *L, size_t from_idx, size_t to_idx)
{
    const char *p, *end, *nl, *v, *ve;
    static const char tag[] = "# Source: ";
    const size_t tn = sizeof(tag) - 1;

    size_t from = char_to_byte(L, from_idx), to = char_to_byte(L, to_idx);

    if (from >= to)
        return RFG_OK;
    p = L->buf + from;
    end = L->buf + to;
    /* Start at a line boundary: `from` may fall mid-line. */
    if (from > L->bom && p[-1] != '\n') {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return RFG_OK;
        p = nl + 1;
    }
    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        ve = nl ? nl : end;
        if ((size_t)(ve - p) > tn && memcmp(p, tag, tn) == 0) {
            v = p + tn;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' ||
                              ve[-1] == '\t'))
                ve--;
            if (ve > v) {
                char *s = malloc((size_t)(ve - v) + 1);

                if (!s)
                    return RFG_ENOMEM;
                memcpy(s, v, (size_t)(ve - v));
                s[ve - v] = '\0';
                free(L->source);
                L->source = s;
            }
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    return RFG_OK;
}

/* Move the finished document into the stream (or drop it if empty). */
static int doc_finish(struct loader *L, struct ydoc_stream *out,
                      const yaml_event_t *ev)
{
    struct ydoc *d;

    L->prev_end = ev->end_mark.index;
    /* "---" with nothing after it gives an empty plain scalar: a null
     * root. kubectl skips null documents, and so do we. */
    if (L->root && !cJSON_IsNull(L->root)) {
        if (out->len == out->cap) {
            size_t ncap = out->cap ? out->cap * 2 : 4;
            struct ydoc *nv = realloc(out->docs, ncap * sizeof(*nv));

            if (!nv)
                return diag_fail(L->dl, RFG_ENOMEM, &L->start,
                                 "out of memory");
            out->docs = nv;
            out->cap = ncap;
        }
        d = &out->docs[out->len++];
        d->root = L->root;
        d->pm = L->pm;
        d->start = L->start;
        d->source = L->source;
        L->root = NULL;
        L->pm = NULL;
        L->source = NULL;
    }
    doc_reset(L);
    return RFG_OK;
}

/* Checks made for every event inside a document. */
static int doc_budget(struct loader *L, const yaml_event_t *ev)
{
    if (ev->end_mark.index > L->start_index &&
        ev->end_mark.index - L->start_index > L->lim->max_doc_bytes)
        return diag_fail(L->dl, RFG_ELIMIT, &L->start,
                         "document is larger than max_doc_bytes (%zu)",
                         L->lim->max_doc_bytes);
    return RFG_OK;
}

/* Dispatch one parser event. */
static int on_event(struct loader *L, struct ydoc_stream *out,
                    const yaml_event_t *ev)
{
    struct src_pos pos = mark_pos(ev->start_mark);
    int rc;

    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        doc_reset(L);
        L->start = pos;
        L->start_index = ev->start_mark.index;
        if (++L->ndocs > L->lim->max_docs)
            return diag_fail(L->dl, RFG_ELIMIT, &pos,
                             "more than max_docs (%zu) documents",
                             L->lim->max_docs);
        L->pm = posmap_new();
        if (!L->pm)
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        L->in_doc = true;
        L->scanned = false;
        return RFG_OK;
    case YAML_DOCUMENT_END_EVENT:
        rc = doc_budget(L, ev);
        if (rc)
            return rc;
        return doc_finish(L, out, ev);
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (!L->in_doc)
            return RFG_OK;
        rc = doc_budget(L, ev);
        if (!rc)
            rc = count_node(L, pos);
        if (rc)
            return rc;
        if (!L->scanned) {
            L->scanned = true;
            if (scan_source(L, L->prev_end, ev->start_mark.index))
                return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
        if (ev->type == YAML_SCALAR_EVENT)
            return on_scalar(L, ev);
        if (ev->type == YAML_ALIAS_EVENT)
            return on_alias(L, ev);
        return on_open(L, ev, ev->type == YAML_MAPPING_START_EVENT);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (!L->in_doc)
            return RFG_OK;
        rc = doc_budget(L, ev);
        if (rc)
            return rc;
        return on_close(L, ev);
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_NO_EVENT:
    default:
        return RFG_OK;
    }
}

/* 1-based line:col of the raw byte offset `off` (reader errors carry an
 * offset, not a mark). Columns count UTF-8 characters. */
static struct src_pos offset_pos(const struct loader *L, size_t off)
{
    struct src_pos p = {1, 1};
    size_t i;

    if (off > L->len)
        off = L->len;
    for (i = 0; i < off; i++) {
        unsigned char c = (unsigned char)L->buf[i];

        if (c == '\n') {
            p.line++;
            p.col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p.col++;
        }
    }
    return p;
}

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

/* Turn a libyaml parser failure into one diagnostic. */
static int parser_fail(struct loader *L, const yaml_parser_t *p)
{
    struct src_pos pos;
    const char *problem = p->problem ? p->problem : "invalid YAML";

    if (p->error == YAML_MEMORY_ERROR)
        return diag_fail(L->dl, RFG_ENOMEM, NULL,
                         "out of memory while parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        pos = offset_pos(L, p->problem_offset);
        /* libyaml gives the octet for malformed UTF-8, the code point
         * for a character YAML forbids (a surrogate, U+FFFE ...). */
        if (p->problem_value > 0xFF)
            return diag_fail(L->dl, RFG_EPARSE, &pos, "%s (U+%04X)",
                             problem, (unsigned)p->problem_value);
        if (p->problem_value >= 0)
            return diag_fail(L->dl, RFG_EPARSE, &pos, "%s (byte 0x%02x)",
                             problem, (unsigned)p->problem_value);
        return diag_fail(L->dl, RFG_EPARSE, &pos, "%s", problem);
    }
    pos = mark_pos(p->problem_mark);
    if (p->context)
        return diag_fail(L->dl, RFG_EPARSE, &pos, "%s %s", problem,
                         p->context);
    return diag_fail(L->dl, RFG_EPARSE, &pos, "%s", problem);
}

void ydoc_limits_default(struct ydoc_limits *lim)
{
    lim->max_depth = 100;
    lim->max_alias_nodes = 10000;
    lim->max_scalar_bytes = (size_t)1 << 20;
    lim->max_doc_bytes = (size_t)8 << 20;
    lim->max_input_bytes = (size_t)64 << 20;
    lim->max_docs = 100000;
    lim->max_nodes = 1000000;
}

int ydoc_load(struct ydoc_stream *out, const char *buf, size_t len,
              const struct ydoc_limits *lim, struct diag_list *dl)
{
    struct ydoc_limits deflim;
    struct loader L;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev = false, done = false;
    int rc;

    if (!lim) {
        ydoc_limits_default(&deflim);
        lim = &deflim;
    }
    if (len > lim->max_input_bytes)
        return diag_fail(dl, RFG_ELIMIT, NULL,
                         "input of %zu bytes exceeds max_input_bytes (%zu)",
                         len, lim->max_input_bytes);
    if (!buf)
        buf = "";
    memset(&L, 0, sizeof(L));
    L.lim = lim;
    L.dl = dl;
    L.buf = buf;
    L.len = len;
    L.anchors.owns_keys = true;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        L.bom = 3;
    L.cur_byte = L.bom;
    L.ascii = all_ascii(buf + L.bom, len - L.bom);
    if (!yaml_parser_initialize(&parser))
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    while (!done) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_fail(&L, &parser);
            goto out;
        }
        have_ev = true;
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(&L, out, &ev);
        yaml_event_delete(&ev);
        have_ev = false;
        if (rc)
            goto out;
    }
    rc = RFG_OK;
out:
    if (have_ev)
        yaml_event_delete(&ev);
    doc_reset(&L);
    free(L.st);
    free(L.merges);
    free(L.kbuf);
    ktab_free(&L.keys);
    ktab_free(&L.anchors);
    yaml_parser_delete(&parser);
    return rc;
}

void ydoc_stream_cleanup(struct ydoc_stream *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->len; i++) {
        cJSON_Delete(s->docs[i].root);
        posmap_free(s->docs[i].pm);
        free(s->docs[i].source);
    }
    free(s->docs);
    s->docs = NULL;
    s->len = s->cap = 0;
}

/* ---- emitter ---- */

struct emit_ctx {
    struct sbuf *out;
    int rc;                 /* first sbuf failure */
};

/* libyaml write handler: append to the sbuf. */
static int emit_write(void *data, unsigned char *buffer, size_t size)
{
    struct emit_ctx *ec = data;
    int rc = sbuf_add(ec->out, buffer, size);

    if (rc) {
        ec->rc = rc;
        return 0;
    }
    return 1;
}

/* Hand `ev` to the emitter (which always consumes it). */
static int emit_event(yaml_emitter_t *e, yaml_event_t *ev,
                      const struct emit_ctx *ec)
{
    if (yaml_emitter_emit(e, ev))
        return RFG_OK;
    if (ec->rc)
        return ec->rc;
    return e->error == YAML_MEMORY_ERROR ? RFG_ENOMEM : RFG_EINVAL;
}

/* Emit one scalar. Strings that would read back as something else are
 * double-quoted; multi-line strings prefer literal style. */
static int emit_scalar(yaml_emitter_t *e, const struct emit_ctx *ec,
                       const char *s, bool is_string)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
    size_t n = strlen(s);
    struct sval v;

    if (n > INT32_MAX)
        return RFG_EINVAL;
    if (is_string) {
        resolve_plain(s, n, &v);
        if (v.kind != SK_STR || strcmp(s, "<<") == 0)
            style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        else if (strchr(s, '\n'))
            style = YAML_LITERAL_SCALAR_STYLE;
    }
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL,
                                      (const yaml_char_t *)s, (int)n, 1, 1,
                                      style))
        return RFG_EINVAL;  /* not UTF-8, or out of memory */
    return emit_event(e, &ev, ec);
}

/* Emit a number so that it reads back as the same double. */
static int emit_number(yaml_emitter_t *e, const struct emit_ctx *ec,
                       double d)
{
    char tmp[64];

    if (!isfinite(d))
        return RFG_EINVAL;
    if (is_int64(d)) {
        snprintf(tmp, sizeof(tmp), "%.0f", d);
    } else {
        snprintf(tmp, sizeof(tmp), "%.15g", d);
        if (strtod(tmp, NULL) != d)
            snprintf(tmp, sizeof(tmp), "%.17g", d);
    }
    return emit_scalar(e, ec, tmp, false);
}

/* Emit `node` and everything below it. */
static int emit_node(yaml_emitter_t *e, const struct emit_ctx *ec,
                     const cJSON *node)
{
    yaml_event_t ev;
    const cJSON *c;
    bool is_map = cJSON_IsObject(node);
    int rc;

    if (cJSON_IsString(node))
        return emit_scalar(e, ec, node->valuestring ? node->valuestring : "",
                           true);
    if (cJSON_IsNumber(node))
        return emit_number(e, ec, node->valuedouble);
    if (cJSON_IsBool(node))
        return emit_scalar(e, ec, cJSON_IsTrue(node) ? "true" : "false",
                           false);
    if (!is_map && !cJSON_IsArray(node))
        return emit_scalar(e, ec, "null", false);
    if (is_map) {
        if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                node->child ? YAML_BLOCK_MAPPING_STYLE
                            : YAML_FLOW_MAPPING_STYLE))
            return RFG_ENOMEM;
    } else if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                   node->child ? YAML_BLOCK_SEQUENCE_STYLE
                               : YAML_FLOW_SEQUENCE_STYLE)) {
        return RFG_ENOMEM;
    }
    rc = emit_event(e, &ev, ec);
    if (rc)
        return rc;
    for (c = node->child; c; c = c->next) {
        if (is_map) {
            rc = emit_scalar(e, ec, c->string ? c->string : "", true);
            if (rc)
                return rc;
        }
        rc = emit_node(e, ec, c);
        if (rc)
            return rc;
    }
    if (is_map ? !yaml_mapping_end_event_initialize(&ev)
               : !yaml_sequence_end_event_initialize(&ev))
        return RFG_ENOMEM;
    return emit_event(e, &ev, ec);
}

int ydoc_emit(struct sbuf *out, const cJSON *root)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    struct emit_ctx ec = {out, RFG_OK};
    size_t start = out->len;
    int rc;

    if (!yaml_emitter_initialize(&e))
        return RFG_ENOMEM;
    yaml_emitter_set_output(&e, emit_write, &ec);
    yaml_emitter_set_indent(&e, 2);
    yaml_emitter_set_width(&e, -1);
    yaml_emitter_set_unicode(&e, 1);
    rc = RFG_ENOMEM;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = emit_node(&e, &ec, root);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_document_end_event_initialize(&ev, 1))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    rc = RFG_ENOMEM;
    if (!yaml_stream_end_event_initialize(&ev))
        goto out;
    rc = emit_event(&e, &ev, &ec);
    if (rc)
        goto out;
    if (!yaml_emitter_flush(&e)) {
        rc = ec.rc ? ec.rc : RFG_ENOMEM;
        goto out;
    }
    /* After a keep-chomped block scalar ("|+") libyaml closes the stream
     * with "...". The caller separates documents with "---", which ends
     * the scalar just as well, so drop it - only on a line of its own: a
     * plain scalar may end in "..." too ("- save 90..."). */
    if (out->len - start >= 4 &&
        memcmp(out->p + out->len - 4, "...\n", 4) == 0 &&
        (out->len - start == 4 || out->p[out->len - 5] == '\n')) {
        out->len -= 4;
        out->p[out->len] = '\0';
    }
out:
    yaml_emitter_delete(&e);
    return rc;
}
