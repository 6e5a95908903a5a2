/* SPDX-License-Identifier: Apache-2.0
 *
 * jpack.c - compact records of small cJSON trees with source positions
 * (jpack.h). A record is: the node count and the length of the tree
 * part (varints), the tree in pre-order, then the positions in the same
 * order (line as a signed difference from the previous node's, column).
 * A node is a tag byte (its type and which parts follow), its key, its
 * number, its text and, for arrays and objects, its child count and
 * children. Strings are a varint (a dictionary entry, or a length) and
 * their bytes. A position is one varint, column * 8 + the line's
 * difference (zigzag) when under 7, else column * 8 + 7 and a second
 * varint with the rest: one byte for the usual node one line below the
 * last, within 15 columns. Knows cJSON, not what the trees mean.
 */
#include "jpack.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


enum {
    K_INVALID, K_FALSE, K_TRUE, K_NULL, K_NUMBER, K_STRING, K_ARRAY,
    K_OBJECT, K_RAW,
    T_KIND = 0x0f,
    T_KEY = 0x10,      /* a key follows */
    T_TEXT = 0x20,     /* valuestring follows */
    T_INT = 0x40,      /* the number is an integer varint, valueint as
                          cJSON_CreateNumber sets it */
    DICT_MAX = 64
};

/* Room for n more bytes in `b`: false (and b->failed) on ENOMEM. */
static __attribute__((noinline)) bool jb_grow(struct jpack_buf *b, size_t n)
{
    size_t cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n;
    unsigned char *np;

    if (b->failed)
        return false;
    np = b->heap ? realloc(b->p, cap) : malloc(cap);
    if (!np) {
        b->failed = true;
        return false;
    }
    if (!b->heap)
        memcpy(np, b->p, b->len);
    b->p = np;
    b->cap = cap;
    b->heap = true;
    return true;
}

static inline bool jb_room(struct jpack_buf *b, size_t n)
{
    return b->len + n <= b->cap || jb_grow(b, n);
}

static void jb_add(struct jpack_buf *b, const void *p, size_t n)
{
    if (jb_room(b, n)) {
        memcpy(b->p + b->len, p, n);
        b->len += n;
    }
}

/* Which dictionary entries may equal a string of length n starting with
 * byte c: a bit per entry, in one of 64 sets. */
static inline unsigned dict_set(unsigned char c, size_t n)
{
    return (c ^ (unsigned)(n * 7)) & 63;
}

static void put_var(struct jpack_buf *b, uint64_t v)
{
    if (!jb_room(b, 10))
        return;
    while (v >= 0x80) {
        b->p[b->len++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b->p[b->len++] = (unsigned char)v;
}

static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static int64_t unzigzag(uint64_t v)
{
    return v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

static void put_pos(struct jpack_buf *b, uint64_t dl, unsigned col)
{
    put_var(b, (uint64_t)col * 8 + (dl < 7 ? dl : 7));
    if (dl >= 7)
        put_var(b, dl - 7);
}

static void put_str(struct jpack_w *p, const char *s)
{
    size_t n = strlen(s);
    uint64_t m = p->sets ? p->sets[dict_set((unsigned char)s[0], n)] : 0;

    for (; m; m &= m - 1) {
        unsigned i = (unsigned)__builtin_ctzll(m);

        if (!strcmp(p->dict[i], s)) {
            put_var(&p->tree, ((uint64_t)i << 1) | 1);
            return;
        }
    }
    put_var(&p->tree, (uint64_t)n << 1);
    jb_add(&p->tree, s, n);
}

/* The 64 sets of `dict` (the first entries up to DICT_MAX), made once
 * per thread for the dictionary it last packed with. */
static const uint64_t *dict_sets(const char *const *dict)
{
    static _Thread_local const char *const *last;
    static _Thread_local uint64_t sets[64];
    size_t i;

    if (!dict)
        return NULL;
    if (dict != last) {
        memset(sets, 0, sizeof(sets));
        for (i = 0; dict[i] && i < DICT_MAX; i++)
            sets[dict_set((unsigned char)dict[i][0], strlen(dict[i]))] |=
                (uint64_t)1 << i;
        last = dict;
    }
    return sets;
}

/* What cJSON_CreateNumber stores in valueint for `d`. */
static int int_of(double d)
{
    if (d >= INT_MAX)
        return INT_MAX;
    if (d <= (double)INT_MIN)
        return INT_MIN;
    return (int)d;
}

static bool small_int(const cJSON *n)
{
    double d = n->valuedouble;

    return d == floor(d) && fabs(d) < 9007199254740992.0 &&
           !(d == 0 && signbit(d)) && n->valueint == int_of(d);
}

static unsigned char kind_of(const cJSON *n)
{
    switch (n->type & 0xff) {
    case cJSON_False: return K_FALSE;
    case cJSON_True: return K_TRUE;
    case cJSON_NULL: return K_NULL;
    case cJSON_Number: return K_NUMBER;
    case cJSON_String: return K_STRING;
    case cJSON_Array: return K_ARRAY;
    case cJSON_Object: return K_OBJECT;
    case cJSON_Raw: return K_RAW;
    default: return K_INVALID;
    }
}

/* A node's position and its tag's kind and key bits. */
static unsigned char node_head(struct jpack_w *p, unsigned char kind,
                               const char *key, struct src_pos pos)
{
    put_pos(&p->pos, zigzag((long)pos.line - p->line), pos.col);
    p->line = (long)pos.line;
    p->nodes++;
    return key ? kind | T_KEY : kind;
}

/* `n` and its subtree, under `key`, leaving out its members named
 * `skip` (NULL: none). */
static void pack_node(struct jpack_w *p, const cJSON *n, const char *key,
                      const char *skip)
{
    unsigned char tag = node_head(p, kind_of(n), key, p->pos_of(p->arg, n));
    const cJSON *c;
    size_t nc = 0;

    if (n->valuestring)
        tag |= T_TEXT;
    if ((tag & T_KIND) == K_NUMBER && small_int(n))
        tag |= T_INT;
    jb_add(&p->tree, &tag, 1);
    if (key)
        put_str(p, key);
    if ((tag & T_KIND) == K_NUMBER) {
        if (tag & T_INT) {
            put_var(&p->tree, zigzag((int64_t)n->valuedouble));
        } else {
            jb_add(&p->tree, &n->valuedouble, sizeof(double));
            put_var(&p->tree, zigzag(n->valueint));
        }
    }
    if (n->valuestring)
        put_str(p, n->valuestring);
    if ((tag & T_KIND) != K_ARRAY && (tag & T_KIND) != K_OBJECT)
        return;
    for (c = n->child; c; c = c->next)
        nc += !skip || !c->string || strcmp(c->string, skip);
    put_var(&p->tree, nc);
    for (c = n->child; c; c = c->next)
        if (!skip || !c->string || strcmp(c->string, skip))
            pack_node(p, c, c->string, NULL);
}

void jpack_w_init(struct jpack_w *w, const char *const *dict)
{
    memset(w, 0, sizeof(*w));
    w->tree = (struct jpack_buf){w->tree0, 0, sizeof(w->tree0), false, false};
    w->pos = (struct jpack_buf){w->pos0, 0, sizeof(w->pos0), false, false};
    w->dict = dict;
    w->sets = dict_sets(dict);
}

void jpack_w_open(struct jpack_w *w, const char *key, bool object,
                  size_t nchildren, struct src_pos pos)
{
    unsigned char tag = node_head(w, object ? K_OBJECT : K_ARRAY, key, pos);

    jb_add(&w->tree, &tag, 1);
    if (key)
        put_str(w, key);
    put_var(&w->tree, nchildren);
}

void jpack_w_tree(struct jpack_w *w, const char *key, const cJSON *n,
                  const char *skip, jpack_pos_fn pos_of, void *arg)
{
    w->pos_of = pos_of;
    w->arg = arg;
    pack_node(w, n, key, skip);
}

unsigned char *jpack_w_finish(struct jpack_w *w, size_t *len)
{
    unsigned char head[20];
    struct jpack_buf h = {head, 0, sizeof(head), false, false};
    unsigned char *rec = NULL;

    put_var(&h, w->nodes);
    put_var(&h, w->tree.len);
    if (!w->tree.failed && !w->pos.failed) {
        *len = h.len + w->tree.len + w->pos.len;
        rec = malloc(*len);
        if (rec) {
            memcpy(rec, h.p, h.len);
            memcpy(rec + h.len, w->tree.p, w->tree.len);
            memcpy(rec + h.len + w->tree.len, w->pos.p, w->pos.len);
        }
    }
    if (w->tree.heap)
        free(w->tree.p);
    if (w->pos.heap)
        free(w->pos.p);
    memset(w, 0, sizeof(*w));
    return rec;
}

unsigned char *jpack_tree(const cJSON *root, jpack_pos_fn pos_of, void *arg,
                          const char *const *dict, size_t *len)
{
    struct jpack_w w;

    jpack_w_init(&w, dict);
    jpack_w_tree(&w, root->string, root, NULL, pos_of, arg);
    return jpack_w_finish(&w, len);
}

static uint64_t get_var(const unsigned char **p)
{
    uint64_t v = 0;
    unsigned shift = 0;
    unsigned char b;

    do {
        b = *(*p)++;
        if (shift < 64)
            v |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    return v;
}

/* A string of the record as a new NUL-terminated copy (cJSON's
 * allocator), or NULL on ENOMEM. */
static char *get_str(const unsigned char **p, const char *const *dict)
{
    uint64_t v = get_var(p);
    const char *s;
    size_t n;
    char *d;

    if (v & 1) {
        s = dict[v >> 1];
        n = strlen(s);
    } else {
        s = (const char *)*p;
        n = (size_t)(v >> 1);
        *p += n;
    }
    d = cJSON_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static const int type_of[] = {
    cJSON_Invalid, cJSON_False, cJSON_True, cJSON_NULL, cJSON_Number,
    cJSON_String, cJSON_Array, cJSON_Object, cJSON_Raw
};

static cJSON *unpack_node(const unsigned char **p, const char *const *dict)
{
    unsigned char tag = *(*p)++;
    unsigned kind = tag & T_KIND;
    cJSON *n = cJSON_CreateNull(), *c, *last = NULL;
    uint64_t nc;

    if (!n)
        return NULL;
    n->type = kind <= K_RAW ? type_of[kind] : cJSON_Invalid;
    if ((tag & T_KEY) && !(n->string = get_str(p, dict)))
        goto fail;
    if (kind == K_NUMBER) {
        if (tag & T_INT) {
            n->valuedouble = (double)unzigzag(get_var(p));
            n->valueint = int_of(n->valuedouble);
        } else {
            memcpy(&n->valuedouble, *p, sizeof(double));
            *p += sizeof(double);
            n->valueint = (int)unzigzag(get_var(p));
        }
    }
    if ((tag & T_TEXT) && !(n->valuestring = get_str(p, dict)))
        goto fail;
    if (kind != K_ARRAY && kind != K_OBJECT)
        return n;
    for (nc = get_var(p); nc > 0; nc--) {
        c = unpack_node(p, dict);
        if (!c)
            goto fail;
        /* link by hand: O(1) per child, and the key stays as packed */
        if (last) {
            last->next = c;
            c->prev = last;
        } else {
            n->child = c;
        }
        n->child->prev = c;
        last = c;
    }
    return n;
fail:
    cJSON_Delete(n);
    return NULL;
}

cJSON *jpack_unpack(const unsigned char *rec, const char *const *dict)
{
    const unsigned char *p = rec;

    (void)get_var(&p);
    (void)get_var(&p);
    return unpack_node(&p, dict);
}

bool jpack_pos(const unsigned char *rec, size_t i, struct src_pos *out)
{
    const unsigned char *p = rec;
    uint64_t nodes = get_var(&p), k;
    long line = 0;
    unsigned col = 0;

    if (i >= nodes)
        return false;
    p += get_var(&p);
    for (k = 0; k <= i; k++) {
        uint64_t v = get_var(&p), dl = v & 7;

        if (dl == 7)
            dl += get_var(&p);
        line += (long)unzigzag(dl);
        col = (unsigned)(v >> 3);
    }
    out->line = (unsigned)line;
    out->col = col;
    return true;
}

/* Count the nodes before `node` in pre-order from `n`; true when found. */
static bool index_in(const cJSON *n, const cJSON *node, long *k)
{
    const cJSON *c;

    if (n == node)
        return true;
    ++*k;
    for (c = n->child; c; c = c->next)
        if (index_in(c, node, k))
            return true;
    return false;
}

long jpack_index(const cJSON *root, const cJSON *node)
{
    long k = 0;

    return root && index_in(root, node, &k) ? k : -1;
}
