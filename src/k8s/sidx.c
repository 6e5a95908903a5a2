/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.c - compile a parsed CRD schema to the node table of sidx.h: one
 * recursive pass over properties, items and additionalProperties, each
 * object's property names hashed into its own power-of-two run of slots
 * (linear probing, at most half full). Reads only the keywords the
 * validation walk uses; the walk itself and every message are schema.c's.
 */
#include "sidx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define QUANTITY_PATTERN                                                     \
    "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|" \
    "([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$"

uint32_t sidx_hash(const char *key)
{
    uint32_t h = 2166136261u;

    for (; *key; key++) {
        h ^= (unsigned char)*key;
        h *= 16777619u;
    }
    return h ^ (h >> 15);
}

/* A new zeroed node; its index, or SIDX_NIL without memory. */
static uint32_t new_node(struct sidx *x)
{
    if (x->nnodes == x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 256;
        struct sidx_node *nv = realloc(x->nodes, ncap * sizeof(*nv));

        if (!nv || ncap >= SIDX_NIL)
            return SIDX_NIL;
        x->nodes = nv;
        x->cap = ncap;
    }
    memset(&x->nodes[x->nnodes], 0, sizeof(x->nodes[0]));
    x->nodes[x->nnodes].items = SIDX_NIL;
    x->nodes[x->nnodes].addl = SIDX_NIL;
    return (uint32_t)x->nnodes++;
}

/* Reserve `n` empty slots; the index of the first, or SIDX_NIL. */
static uint32_t new_slots(struct sidx *x, size_t n)
{
    size_t i;

    if (x->nslot + n > x->slotcap) {
        size_t ncap = x->slotcap ? x->slotcap : 1024;
        struct sidx_slot *nv;

        while (ncap < x->nslot + n)
            ncap *= 2;
        nv = realloc(x->slots, ncap * sizeof(*nv));
        if (!nv || ncap >= SIDX_NIL)
            return SIDX_NIL;
        x->slots = nv;
        x->slotcap = ncap;
    }
    for (i = 0; i < n; i++) {
        x->slots[x->nslot + i].node = SIDX_NIL;
        x->slots[x->nslot + i].hash = 0;
        x->slots[x->nslot + i].name = NULL;
    }
    x->nslot += n;
    return (uint32_t)(x->nslot - n);
}

/* The walk's kind for a "type" string. */
static uint8_t kind_of(const char *t)
{
    static const struct {
        const char *name;
        enum sidx_kind k;
    } kinds[] = {{"object", SIDX_OBJECT},   {"array", SIDX_ARRAY},
                 {"string", SIDX_STRING},   {"integer", SIDX_INTEGER},
                 {"number", SIDX_NUMBER},   {"boolean", SIDX_BOOLEAN}};
    size_t i;

    if (!t)
        return SIDX_NONE;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(t, kinds[i].name))
            return (uint8_t)kinds[i].k;
    return SIDX_OTHER;
}

static uint32_t compile(struct sidx *x, const cJSON *sch, int *err);

/* Compile the properties of object schema `props` into node `ni`. */
static void compile_props(struct sidx *x, uint32_t ni, const cJSON *props,
                          int *err)
{
    const cJSON *c;
    size_t n = 0, cap = 2;
    uint32_t slot0, mask;

    cJSON_ArrayForEach(c, props) {
        n++;
    }
    if (!n)
        return;
    while (cap < n * 2)
        cap *= 2;
    slot0 = new_slots(x, cap);
    if (slot0 == SIDX_NIL) {
        *err = RFG_ENOMEM;
        return;
    }
    mask = (uint32_t)(cap - 1);
    x->nodes[ni].slot0 = slot0;
    x->nodes[ni].mask = mask;
    x->nodes[ni].nslots = (uint32_t)cap;
    cJSON_ArrayForEach(c, props) {
        uint32_t h, i, child;

        if (!c->string)
            continue;
        h = sidx_hash(c->string);
        for (i = h & mask; x->slots[slot0 + i].node != SIDX_NIL;
             i = (i + 1) & mask)
            if (x->slots[slot0 + i].hash == h &&
                !strcmp(x->slots[slot0 + i].name, c->string))
                break;
        if (x->slots[slot0 + i].node != SIDX_NIL)
            continue; /* a duplicate name: the first wins */
        child = compile(x, c, err);
        if (*err)
            return;
        /* a property whose schema is not an object checks nothing, but
         * it is still a known field: give it an empty node */
        if (child == SIDX_NIL && (child = new_node(x)) == SIDX_NIL) {
            *err = RFG_ENOMEM;
            return;
        }
        x->slots[slot0 + i].hash = h;
        x->slots[slot0 + i].name = c->string;
        x->slots[slot0 + i].node = child;
    }
}

/* Compile object schema `sch` and what it holds; its node index, or
 * SIDX_NIL when `sch` is not an object (the walk checks nothing there). */
static uint32_t compile(struct sidx *x, const cJSON *sch, int *err)
{
    const cJSON *v;
    uint32_t ni, sub;
    uint8_t flags = 0;

    if (!cJSON_IsObject(sch) || *err)
        return SIDX_NIL;
    ni = new_node(x);
    if (ni == SIDX_NIL) {
        *err = RFG_ENOMEM;
        return SIDX_NIL;
    }
    x->nodes[ni].src = sch;
    v = json_get(sch, "type");
    x->nodes[ni].type = cJSON_IsString(v) ? v->valuestring : NULL;
    x->nodes[ni].kind = kind_of(x->nodes[ni].type);
    v = json_get(sch, "enum");
    x->nodes[ni].en = cJSON_IsArray(v) ? v : NULL;
    x->nodes[ni].req = json_get(sch, "required");
    if (cJSON_IsTrue(json_get(sch, "x-kubernetes-int-or-string")))
        flags |= SIDX_INT_OR_STRING;
    v = json_get(sch, "additionalProperties");
    if (cJSON_IsTrue(json_get(sch, "x-kubernetes-preserve-unknown-fields")) ||
        cJSON_IsTrue(v))
        flags |= SIDX_OPEN;
    if (cJSON_IsObject(v)) {
        sub = compile(x, v, err);
        x->nodes[ni].addl = sub;
    }
    v = json_get(sch, "pattern");
    if (cJSON_IsString(v) && !strcmp(v->valuestring, QUANTITY_PATTERN))
        flags |= SIDX_QUANTITY;
    v = json_get(sch, "format");
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "int32"))
        flags |= SIDX_INT32;
    x->nodes[ni].flags = flags;
    sub = compile(x, json_get(sch, "items"), err);
    x->nodes[ni].items = sub;
    v = json_get(sch, "properties");
    if (cJSON_IsObject(v))
        compile_props(x, ni, v, err);
    return ni;
}

int sidx_build(struct sidx *x, const cJSON *root)
{
    int err = RFG_OK;
    uint32_t r = compile(x, root, &err);

    if (!err && r == SIDX_NIL && new_node(x) == SIDX_NIL)
        err = RFG_ENOMEM; /* not an object: one empty root node */
    if (err)
        sidx_free(x);
    return err;
}

void sidx_free(struct sidx *x)
{
    free(x->nodes);
    free(x->slots);
    memset(x, 0, sizeof(*x));
}
