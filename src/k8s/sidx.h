/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.h - one CRD schema compiled to a table of nodes for schema.c's
 * validation walk: each node has its type, flags, required fields and
 * enum values resolved once, and its properties in a small
 * open-addressing table keyed by a precomputed hash of the name. cJSON
 * objects are lists (40+ properties on some levels), so looking keywords
 * and property names up by strcmp was most of the cost of validating an
 * object. The compiled-in schemas' tables are generated into
 * crd_schemas.c (sidx_emit_c, run by tools/crd2schema); an installed
 * schema is compiled at install time (sidx_build) into the same form.
 * Read-only once built, so any number of threads may read a table. It
 * does not validate and keeps no messages: schema.c does.
 */
#ifndef RFG_SIDX_H
#define RFG_SIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "diag.h"

#define SIDX_NIL UINT32_MAX           /* no node */

/* The node's "type", as far as the walk distinguishes them. */
enum sidx_kind {
    SIDX_NONE,     /* no type string: nothing to check */
    SIDX_OBJECT,
    SIDX_ARRAY,
    SIDX_STRING,
    SIDX_INTEGER,
    SIDX_NUMBER,
    SIDX_BOOLEAN,
    SIDX_OTHER     /* a type the walk does not check */
};

/* Node flags. */
#define SIDX_INT_OR_STRING 0x01u /* x-kubernetes-int-or-string: true */
#define SIDX_OPEN 0x02u          /* preserve-unknown-fields, or
                                  * additionalProperties: true */
#define SIDX_QUANTITY 0x04u      /* pattern is resource.Quantity's */
#define SIDX_INT32 0x08u         /* format: int32 */
#define SIDX_ENUM 0x10u          /* an enum of strings: names[en0..) */

struct sidx_node {
    const char *type;      /* its "type" string, or NULL */
    const cJSON *en;       /* an enum array holding more than strings
                            * (never in a generated table), else NULL */
    uint32_t items;        /* "items" node, or SIDX_NIL */
    uint32_t addl;         /* "additionalProperties" when a schema */
    uint32_t slot0;        /* first property slot */
    uint32_t nslots;       /* a power of two, or 0: no properties */
    uint32_t req0, nreq;   /* required names: names[req0 .. req0 + nreq) */
    uint32_t en0, nen;     /* enum strings, with SIDX_ENUM */
    uint8_t kind;          /* enum sidx_kind */
    uint8_t flags;         /* SIDX_* flags */
};

struct sidx_slot {
    uint32_t hash;
    uint32_t node;         /* SIDX_NIL = empty slot */
    const char *name;
};

/* What the walk reads: a generated table, or the view of a built one. */
struct sidx_table {
    const struct sidx_node *nodes; /* nodes[0] is the root */
    const struct sidx_slot *slots;
    const char *const *names;
    size_t nnodes;
};

/* A table compiled at run time. Strings are borrowed from the schema. */
struct sidx {
    struct sidx_table t;   /* views of the arrays below */
    struct sidx_node *nodes;
    size_t nnodes, cap;
    struct sidx_slot *slots;
    size_t nslot, slotcap;
    const char **names;
    size_t nname, namecap;
    const cJSON **src;     /* src[i]: the subschema of node i */
};

/* Compile `root` (borrowed: it must outlive the table) into *x, which the
 * caller zeroes first. Node numbers follow one walk of the schema, the
 * same for the same schema every time. RFG_OK, or RFG_ENOMEM with *x
 * left empty. */
int sidx_build(struct sidx *x, const cJSON *root) RFG_MUST_CHECK;
void sidx_free(struct sidx *x);

/* Write `x` as C: static arrays and `const struct sidx_table SYM_table`.
 * RFG_EINVAL (with a message on stderr) when the schema has an enum
 * with a value other than a string, which a table cannot hold;
 * RFG_EIO when writing fails. For tools/crd2schema. */
int sidx_emit_c(FILE *f, const char *sym, const struct sidx *x)
    RFG_MUST_CHECK;

/* The node describing the value at RFC 6901 pointer `ptr` ("" is the
 * root; array indexes and map keys follow items and
 * additionalProperties), or SIDX_NIL when the schema has no such field,
 * as schema_lookup() answers on the schema itself. */
uint32_t sidx_lookup(const struct sidx_table *x, const char *ptr);

/* The hash sidx_prop() wants for `key` (FNV-1a, 32 bits). */
uint32_t sidx_hash(const char *key);

/* Property `key` (whose sidx_hash is `h`) of node `n`: its node index,
 * or SIDX_NIL when `n` has no such property. The first of duplicate
 * names wins, as in cJSON. */
static inline uint32_t sidx_prop(const struct sidx_table *x,
                                 const struct sidx_node *n, const char *key,
                                 uint32_t h)
{
    uint32_t i, mask = n->nslots - 1;

    if (!n->nslots)
        return SIDX_NIL;
    for (i = h & mask;; i = (i + 1) & mask) {
        const struct sidx_slot *s = &x->slots[n->slot0 + i];

        if (s->node == SIDX_NIL)
            return SIDX_NIL;
        if (s->hash == h && (s->name == key || !strcmp(s->name, key)))
            return s->node;
    }
}

/* Whether `v` is a value of cJSON type `type` (cJSON_NULL, ...), as
 * cJSON_IsNull and its siblings answer, without a call into the library:
 * the walk asks for every value it visits. */
static inline bool sidx_is(const cJSON *v, int type)
{
    return v && (v->type & 0xFF) == type;
}

#endif
