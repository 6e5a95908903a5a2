/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.h - one parsed CRD schema compiled to a table of nodes for
 * schema.c's validation walk: each node has its type, flags and the
 * keywords the walk reads resolved once, and its properties in a small
 * open-addressing table keyed by a precomputed hash of the name. cJSON
 * objects are lists (40+ properties on some levels), so looking keywords
 * and property names up by strcmp was most of the cost of validating an
 * object. Built once per schema (the compiled-in ones on first use, an
 * installed one at install time) and read-only after, so any number of
 * threads may read it at once. It does not validate and keeps no
 * messages: schema.c does; the parsed schema stays the reference for
 * everything but the walk (suggestions, lookups by pointer).
 */
#ifndef RFG_SIDX_H
#define RFG_SIDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

struct sidx_node {
    const cJSON *src;      /* the subschema, borrowed from the parsed one */
    const char *type;      /* its "type" string, or NULL */
    const cJSON *en;       /* "enum" when an array, else NULL */
    const cJSON *req;      /* "required" as given, or NULL */
    uint32_t items;        /* "items" node, or SIDX_NIL */
    uint32_t addl;         /* "additionalProperties" when a schema */
    uint32_t slot0;        /* first property slot in sidx.slots */
    uint32_t mask;         /* slot count - 1; no properties: 0 and
                            * nslots 0 */
    uint32_t nslots;
    uint8_t kind;          /* enum sidx_kind */
    uint8_t flags;         /* SIDX_* flags */
};

struct sidx_slot {
    uint32_t hash;
    uint32_t node;         /* SIDX_NIL = empty slot */
    const char *name;      /* borrowed from the parsed schema */
};

struct sidx {
    struct sidx_node *nodes; /* owned; nodes[0] is the root */
    size_t nnodes, cap;
    struct sidx_slot *slots; /* owned */
    size_t nslot, slotcap;
};

/* Compile `root` (borrowed: it must outlive the table) into *x, which the
 * caller zeroes first. RFG_OK, or RFG_ENOMEM with *x left empty. */
int sidx_build(struct sidx *x, const cJSON *root) RFG_MUST_CHECK;
void sidx_free(struct sidx *x);

/* The hash sidx_prop() wants for `key` (FNV-1a, 32 bits). */
uint32_t sidx_hash(const char *key);

/* Property `key` (whose sidx_hash is `h`) of node `n`: its node index,
 * or SIDX_NIL when `n` has no such property. The first of duplicate
 * names wins, as in cJSON. */
static inline uint32_t sidx_prop(const struct sidx *x,
                                 const struct sidx_node *n, const char *key,
                                 uint32_t h)
{
    uint32_t i;

    if (!n->nslots)
        return SIDX_NIL;
    for (i = h & n->mask;; i = (i + 1) & n->mask) {
        const struct sidx_slot *s = &x->slots[n->slot0 + i];

        if (s->node == SIDX_NIL)
            return SIDX_NIL;
        if (s->hash == h && !strcmp(s->name, key))
            return s->node;
    }
}

#endif
