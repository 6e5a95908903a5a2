/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.c - compile a parsed CRD schema to the node table of sidx.h (one
 * recursive pass over properties, items and additionalProperties; each
 * object's property names hashed into its own power-of-two run of slots,
 * linear probing, at most half full), and write such a table as C for
 * the generated crd_schemas.c. Reads only the keywords the validation
 * walk uses; the walk itself and every message are schema.c's.
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

uint32_t sidx_lookup(const struct sidx_table *x, const char *ptr)
{
    uint32_t ni = x->nnodes ? 0 : SIDX_NIL;
    char tok[256];

    if (!ptr || (*ptr && *ptr != '/'))
        return SIDX_NIL;
    while (ni != SIDX_NIL && *ptr == '/') {
        const struct sidx_node *n = &x->nodes[ni];
        const char *e = strchr(ptr + 1, '/');
        size_t len = e ? (size_t)(e - ptr - 1) : strlen(ptr + 1), i, j = 0;

        if (len >= sizeof(tok))
            return SIDX_NIL;
        for (i = 0; i < len; i++) {
            char c = ptr[1 + i];

            if (c == '~' && i + 1 < len) {
                c = ptr[2 + i] == '1' ? '/' : '~';
                i++;
            }
            tok[j++] = c;
        }
        tok[j] = '\0';
        if (n->kind == SIDX_ARRAY) {
            ni = n->items;
        } else {
            ni = sidx_prop(x, n, tok, sidx_hash(tok));
            if (ni == SIDX_NIL)
                ni = n->addl;
        }
        ptr += len + 1;
    }
    return ni;
}

/* Point the table view at the arrays (which may have moved). */
static void sync_view(struct sidx *x)
{
    x->t.nodes = x->nodes;
    x->t.slots = x->slots;
    x->t.names = x->names;
    x->t.nnodes = x->nnodes;
}

/* A new zeroed node for subschema `src`; its index, or SIDX_NIL without
 * memory. */
static uint32_t new_node(struct sidx *x, const cJSON *src)
{
    if (x->nnodes == x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 256;
        struct sidx_node *nv;
        const cJSON **ns;

        if (ncap >= SIDX_NIL)
            return SIDX_NIL;
        nv = realloc(x->nodes, ncap * sizeof(*nv));
        if (!nv)
            return SIDX_NIL;
        x->nodes = nv;
        ns = realloc(x->src, ncap * sizeof(*ns));
        if (!ns)
            return SIDX_NIL;
        x->src = ns;
        x->cap = ncap;
    }
    memset(&x->nodes[x->nnodes], 0, sizeof(x->nodes[0]));
    x->nodes[x->nnodes].items = SIDX_NIL;
    x->nodes[x->nnodes].addl = SIDX_NIL;
    x->src[x->nnodes] = src;
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
        if (ncap >= SIDX_NIL)
            return SIDX_NIL;
        nv = realloc(x->slots, ncap * sizeof(*nv));
        if (!nv)
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

/* Append the string members of `list` to the names; false without
 * memory. *first and *n get where they went. */
static bool add_names(struct sidx *x, const cJSON *list, uint32_t *first,
                      uint32_t *n)
{
    const cJSON *e;

    *first = (uint32_t)x->nname;
    *n = 0;
    cJSON_ArrayForEach(e, list) {
        if (!cJSON_IsString(e))
            continue;
        if (x->nname == x->namecap) {
            size_t ncap = x->namecap ? x->namecap * 2 : 256;
            const char **nv;

            if (ncap >= SIDX_NIL)
                return false;
            nv = realloc(x->names, ncap * sizeof(*nv));
            if (!nv)
                return false;
            x->names = nv;
            x->namecap = ncap;
        }
        x->names[x->nname++] = e->valuestring;
        (*n)++;
    }
    return true;
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
        if (child == SIDX_NIL && (child = new_node(x, NULL)) == SIDX_NIL) {
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
    const cJSON *v, *e;
    uint32_t ni, sub, first, n;
    uint8_t flags = 0;

    if (!cJSON_IsObject(sch) || *err)
        return SIDX_NIL;
    ni = new_node(x, sch);
    if (ni == SIDX_NIL) {
        *err = RFG_ENOMEM;
        return SIDX_NIL;
    }
    v = json_get(sch, "type");
    x->nodes[ni].type = cJSON_IsString(v) ? v->valuestring : NULL;
    x->nodes[ni].kind = kind_of(x->nodes[ni].type);
    v = json_get(sch, "enum");
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(e, v) {
            if (!cJSON_IsString(e) || !e->valuestring)
                break;
        }
        if (e) {
            x->nodes[ni].en = v;  /* not only strings: compare as JSON */
        } else if (!add_names(x, v, &first, &n)) {
            *err = RFG_ENOMEM;
            return SIDX_NIL;
        } else {
            flags |= SIDX_ENUM;
            x->nodes[ni].en0 = first;
            x->nodes[ni].nen = n;
        }
    }
    if (!add_names(x, json_get(sch, "required"), &first, &n)) {
        *err = RFG_ENOMEM;
        return SIDX_NIL;
    }
    x->nodes[ni].req0 = first;
    x->nodes[ni].nreq = n;
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

    if (!err && r == SIDX_NIL && new_node(x, NULL) == SIDX_NIL)
        err = RFG_ENOMEM; /* not an object: one empty root node */
    if (err)
        sidx_free(x);
    else
        sync_view(x);
    return err;
}

void sidx_free(struct sidx *x)
{
    free(x->nodes);
    free(x->slots);
    free(x->names);
    free(x->src);
    memset(x, 0, sizeof(*x));
}

/* ---- C output ---- */

/* `s` as a C string literal, or NULL. */
static void put_str(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char prev = 0;

    if (!s) {
        fputs("NULL", f);
        return;
    }
    fputc('"', f);
    for (; *p; prev = *p, p++) {
        if (*p == '"' || *p == '\\' || (*p == '?' && prev == '?'))
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\%03o", *p); /* octal: never runs into a digit */
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A node number, with SIDX_NIL spelled out. */
static void put_idx(FILE *f, uint32_t i)
{
    if (i == SIDX_NIL)
        fputs("SIDX_NIL", f);
    else
        fprintf(f, "%lu", (unsigned long)i);
}

int sidx_emit_c(FILE *f, const char *sym, const struct sidx *x)
{
    size_t i;

    for (i = 0; i < x->nnodes; i++) {
        if (x->nodes[i].en) {
            fprintf(stderr, "sidx: %s: an enum holds a value other than a "
                            "string\n", sym);
            return RFG_EINVAL;
        }
    }
    fprintf(f, "\nstatic const char *const %s_names[] = {\n", sym);
    for (i = 0; i < x->nname; i++) {
        fputs("    ", f);
        put_str(f, x->names[i]);
        fputs(",\n", f);
    }
    fprintf(f, "    NULL\n};\n\nstatic const struct sidx_slot %s_slots[] = {\n",
            sym);
    for (i = 0; i < x->nslot; i++) {
        const struct sidx_slot *s = &x->slots[i];

        fprintf(f, "    {%luu, ", (unsigned long)s->hash);
        put_idx(f, s->node);
        fputs(", ", f);
        put_str(f, s->name);
        fputs("},\n", f);
    }
    fprintf(f, "    {0, SIDX_NIL, NULL}\n};\n\n"
               "static const struct sidx_node %s_nodes[] = {\n", sym);
    for (i = 0; i < x->nnodes; i++) {
        const struct sidx_node *n = &x->nodes[i];

        fputs("    {", f);
        put_str(f, n->type);
        fputs(", NULL, ", f);
        put_idx(f, n->items);
        fputs(", ", f);
        put_idx(f, n->addl);
        fprintf(f, ", %lu, %lu, %lu, %lu, %lu, %lu, %u, 0x%02x},\n",
                (unsigned long)n->slot0, (unsigned long)n->nslots,
                (unsigned long)n->req0, (unsigned long)n->nreq,
                (unsigned long)n->en0, (unsigned long)n->nen,
                (unsigned)n->kind, (unsigned)n->flags);
    }
    fprintf(f, "};\n\nconst struct sidx_table %s_table = {%s_nodes, "
               "%s_slots, %s_names, %lu};\n",
            sym, sym, sym, sym, (unsigned long)x->nnodes);
    return ferror(f) ? RFG_EIO : RFG_OK;
}
