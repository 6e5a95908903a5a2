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

#include "sbuf.h"

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

struct packer {
    struct sbuf tree, pos;
    jpack_pos_fn pos_of;
    void *arg;
    const char *const *dict;
    size_t nodes;
    long line;
};

static void put_var(struct sbuf *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;

    do {
        t[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            t[n] |= 0x80;
        n++;
    } while (v);
    (void)sbuf_add(b, t, n); /* failures are sticky: checked at the end */
}

static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1;
}

static int64_t unzigzag(uint64_t v)
{
    return v & 1 ? -(int64_t)(v >> 1) - 1 : (int64_t)(v >> 1);
}

static void put_pos(struct sbuf *b, uint64_t dl, unsigned col)
{
    put_var(b, (uint64_t)col * 8 + (dl < 7 ? dl : 7));
    if (dl >= 7)
        put_var(b, dl - 7);
}

static void put_str(struct packer *p, const char *s)
{
    size_t i, n = strlen(s);

    for (i = 0; p->dict && p->dict[i] && i < DICT_MAX; i++)
        if (!strcmp(p->dict[i], s)) {
            put_var(&p->tree, ((uint64_t)i << 1) | 1);
            return;
        }
    put_var(&p->tree, (uint64_t)n << 1);
    (void)sbuf_add(&p->tree, s, n);
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

static void pack_node(struct packer *p, const cJSON *n)
{
    unsigned char tag = kind_of(n);
    struct src_pos pos = p->pos_of(p->arg, n);
    const cJSON *c;
    size_t nc = 0;

    put_pos(&p->pos, zigzag((long)pos.line - p->line), pos.col);
    p->line = (long)pos.line;
    p->nodes++;
    if (n->string)
        tag |= T_KEY;
    if (n->valuestring)
        tag |= T_TEXT;
    if ((tag & T_KIND) == K_NUMBER && small_int(n))
        tag |= T_INT;
    (void)sbuf_add(&p->tree, &tag, 1);
    if (n->string)
        put_str(p, n->string);
    if ((tag & T_KIND) == K_NUMBER) {
        if (tag & T_INT) {
            put_var(&p->tree, zigzag((int64_t)n->valuedouble));
        } else {
            (void)sbuf_add(&p->tree, &n->valuedouble, sizeof(double));
            put_var(&p->tree, zigzag(n->valueint));
        }
    }
    if (n->valuestring)
        put_str(p, n->valuestring);
    if ((tag & T_KIND) != K_ARRAY && (tag & T_KIND) != K_OBJECT)
        return;
    for (c = n->child; c; c = c->next)
        nc++;
    put_var(&p->tree, nc);
    for (c = n->child; c; c = c->next)
        pack_node(p, c);
}

unsigned char *jpack_tree(const cJSON *root, jpack_pos_fn pos_of, void *arg,
                          const char *const *dict, size_t *len)
{
    struct packer p;
    struct sbuf out;
    unsigned char *rec = NULL;

    memset(&p, 0, sizeof(p));
    sbuf_init(&p.tree, 0);
    sbuf_init(&p.pos, 0);
    sbuf_init(&out, 0);
    p.pos_of = pos_of;
    p.arg = arg;
    p.dict = dict;
    pack_node(&p, root);
    put_var(&out, p.nodes);
    put_var(&out, p.tree.len);
    (void)sbuf_add(&out, p.tree.p, p.tree.len);
    (void)sbuf_add(&out, p.pos.p, p.pos.len);
    if (!p.tree.failed && !p.pos.failed && !out.failed) {
        rec = malloc(out.len ? out.len : 1);
        if (rec) {
            memcpy(rec, out.p, out.len);
            *len = out.len;
        }
    }
    sbuf_cleanup(&p.tree);
    sbuf_cleanup(&p.pos);
    sbuf_cleanup(&out);
    return rec;
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
