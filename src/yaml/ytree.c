/* SPDX-License-Identifier: Apache-2.0
 *
 * ytree.c - the loader's tree builder: turns the node events of one
 * document (scalars, aliases, collection starts and ends) into a cJSON
 * tree with the position of every node, resolving keys (keys.c) and
 * values (scalar.c), rejecting duplicate keys, copying aliases within the
 * alias budget and applying merge keys (<<) where they stand, as go-yaml
 * v2 does: a merge overrides the keys written before it, and the keys
 * (and merges) after it override it; within "<<: [*a, *b]" the earlier
 * source wins. Stream-level work (documents, limits on sizes, libyaml
 * itself) is ydoc.c's.
 */
#include "ydoc_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mappings with more keys than this get hashed duplicate detection. */
#define KEYS_LINEAR_MAX 16

/* Count one more node against max_nodes. */
int ytree_count_node(struct yloader *L, struct src_pos pos)
{
    if (++L->nnodes > L->lim->max_nodes)
        return diag_fail(L->dl, RFG_ELIMIT, &pos,
                         "document has more than max_nodes (%zu) nodes",
                         L->lim->max_nodes);
    return RFG_OK;
}

/* Find the item under `key` in the mapping of frame `f`, or NULL. */
static cJSON *map_find(const struct yloader *L, const struct yframe *f,
                       const char *key, bool key_const)
{
    cJSON *c;

    if (f->nkeys > KEYS_LINEAR_MAX)
        return ktab_get(&L->keys, f->node, key);
    for (c = f->node->child; c; c = c->next) {
        if (c->string == key)
            return c;
        /* two different constants of keys.c are different keys */
        if (key_const && (c->type & cJSON_StringIsConst))
            continue;
        if (c->string && strcmp(c->string, key) == 0)
            return c;
    }
    return NULL;
}

/* Note that `item` was added to the mapping of frame `f`; past
 * KEYS_LINEAR_MAX keys the mapping's keys move into the hash table. */
static int map_added(struct yloader *L, struct yframe *f, cJSON *item)
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
static int graveyard_add(struct yloader *L, cJSON *node)
{
    if (!L->grave)
        L->grave = cJSON_CreateArray();
    if (!L->grave || !cJSON_AddItemToArray(L->grave, node)) {
        cJSON_Delete(node);
        return RFG_ENOMEM;
    }
    return RFG_OK;
}

/* Put `repl` where `prev` stands in the mapping of frame `f`, under the
 * same key, and move `prev` to the graveyard (an anchor may still name
 * it). Takes ownership of `repl` in every case. */
static int swap_item(struct yloader *L, struct yframe *f, cJSON *prev,
                     cJSON *repl)
{
    cJSON *parent = f->node;

    repl->string = prev->string;
    repl->type = (repl->type & ~cJSON_StringIsConst) |
                 (prev->type & cJSON_StringIsConst);
    prev->string = NULL;
    prev->type &= ~cJSON_StringIsConst;
    repl->next = prev->next;
    repl->prev = prev->prev;
    if (repl->next)
        repl->next->prev = repl;
    if (parent->child == prev) {
        if (prev->prev == prev)
            repl->prev = repl;
        parent->child = repl;
    } else {
        repl->prev->next = repl;
        if (!repl->next)
            parent->child->prev = repl;
    }
    prev->next = prev->prev = NULL;
    if (f->nkeys > KEYS_LINEAR_MAX &&
        ktab_put(&L->keys, parent, repl->string, repl))
        return RFG_ENOMEM;
    return graveyard_add(L, prev);
}

/* Remember `src` as a merge source of the mapping at frame `target`. */
static int merge_push(struct yloader *L, size_t target, const cJSON *src,
                      struct src_pos pos, const char *name)
{
    if (L->nmerge == L->merge_cap) {
        size_t ncap = L->merge_cap ? L->merge_cap * 2 : 8;
        struct ymerge *nv = realloc(L->merges, ncap * sizeof(*nv));

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

/* Add `item` to `obj` under the key of `src`: the same constant if it is
 * one, else a copy. */
static bool add_key(cJSON *obj, const cJSON *src, cJSON *item)
{
    if (src->type & cJSON_StringIsConst)
        return cJSON_AddItemToObjectCS(obj, src->string, item);
    return cJSON_AddItemToObject(obj, src->string, item);
}

/* Deep-copy `src` (an anchored node) for an alias, copying the recorded
 * position of every descendant and charging each node to max_alias_nodes
 * and max_nodes. `depth` is the nesting the copy would have if it is a
 * collection. The copy's own position is the caller's business. */
static int dup_tree(struct yloader *L, const cJSON *src, size_t depth,
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
    rc = ytree_count_node(L, apos);
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
        if (copy && src->valuestring &&
            yscalar_keep_text(copy, src->valuestring)) {
            cJSON_Delete(copy);
            copy = NULL;
        }
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
        if (cJSON_IsObject(copy) ? !add_key(copy, c, cc)
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

/* Append `item` to the children of `parent` as cJSON_AddItemToArray
 * does (the first child's prev is the last child), without its checks:
 * both are the loader's own nodes. */
static void append_child(cJSON *parent, cJSON *item)
{
    cJSON *head = parent->child;

    item->next = NULL;
    if (!head) {
        parent->child = item;
        item->prev = item;
    } else {
        item->prev = head->prev;
        head->prev->next = item;
        head->prev = item;
    }
}

/* Add `node` to `obj` under the pending key: the constant itself, or a
 * copy of a key of known length (cJSON's allocator). */
static bool add_member(cJSON *obj, const struct yloader *L, cJSON *node)
{
    char *k = NULL;

    if (!L->key_const) {
        k = cJSON_malloc(L->klen + 1);
        if (!k)
            return false;
        memcpy(k, L->key, L->klen + 1);
    }
    if (node->string && !(node->type & cJSON_StringIsConst))
        cJSON_free(node->string);
    if (k) {
        node->string = k;
        node->type &= ~cJSON_StringIsConst;
    } else {
        /* the constant is never written nor freed: StringIsConst */
        memcpy(&node->string, &L->key, sizeof(node->string));
        node->type |= cJSON_StringIsConst;
    }
    append_child(obj, node);
    return true;
}

/* Put `node` where the parser is: the root, the next sequence item or the
 * value of the pending key. Takes ownership of `node` in every case. The
 * caller has already dealt with merge contexts. */
static int place(struct yloader *L, cJSON *node, struct src_pos pos)
{
    struct yframe *top = L->depth ? &L->st[L->depth - 1] : NULL;
    int rc;

    if (!top) {
        cJSON_Delete(L->root);  /* libyaml gives one root per document */
        L->root = node;
    } else if (top->kind == F_SEQ) {
        append_child(top->node, node);
    } else {
        top->have_key = false;
        pos = top->key_pos;
        if (top->replace) {
            /* The key overrides what a merge put there. */
            cJSON *prev = top->replace;

            top->replace = NULL;
            if (swap_item(L, top, prev, node))
                return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        } else if (!add_member(top->node, L, node)) {
            cJSON_Delete(node);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        } else if (map_added(L, top, node)) {
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
    }
    rc = posmap_put(L->pm, node, pos);
    if (rc)
        return diag_fail(L->dl, rc, &pos, "out of memory");
    return RFG_OK;
}

/* Register anchor `name` (copied) for `node`. */
static int anchor_put(struct yloader *L, const char *name, cJSON *node,
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

/* cJSON_CreateString for the n bytes of `s` (no NUL), not measured again. */
static cJSON *new_string(const char *s, size_t n)
{
    cJSON *node = cJSON_CreateNull();
    char *copy;

    if (!node)
        return NULL;
    copy = cJSON_malloc(n + 1);
    if (!copy) {
        cJSON_Delete(node);
        return NULL;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    node->type = cJSON_String;
    node->valuestring = copy;
    return node;
}

/* A cJSON node for a resolved value (not a key) of the n bytes `s`. */
static int sval_node(struct yloader *L, const struct yscalar *v, const char *s,
                     size_t n, struct src_pos pos, cJSON **out)
{
    char exact[32];

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
        *out = cJSON_CreateNumber(yscalar_number(v));
        if (*out && yscalar_inexact(v, exact, sizeof(exact)) &&
            yscalar_keep_text(*out, exact)) {
            cJSON_Delete(*out);
            *out = NULL;
        }
        break;
    case SK_NOTJSON:
        *out = NULL;
        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "value %.20s cannot be represented in JSON", s);
    case SK_STR:
    default:
        *out = new_string(s, n);
        break;
    }
    if (!*out)
        return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
    return RFG_OK;
}

/* The pending key is set; check it against the keys already in `f`. A
 * key a merge put there is overridden, once; a key written twice is an
 * error. */
static int key_accept(struct yloader *L, struct yframe *f, struct src_pos pos)
{
    cJSON *prev = map_find(L, f, L->key, L->key_const);

    f->replace = NULL;
    if (prev && ktab_get(&L->merged, f->node, L->key) == prev) {
        char *k = strdup(L->key);

        if (!k || ktab_put(&L->merged, f->node, k, NULL)) {
            free(k);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
        f->replace = prev;
        prev = NULL;
    }
    if (prev) {
        struct src_pos first = posmap_get(L->pm, prev);

        return diag_fail(L->dl, RFG_EPARSE, &pos,
                         "duplicate key \"%.80s\" (first at line %u)",
                         L->key, first.line);
    }
    f->have_key = true;
    f->key_is_merge = false;
    f->key_pos = pos;
    return RFG_OK;
}

/* True when the frame on top expects the value of a "<<" key, or is a
 * sequence of merge sources. */
static bool in_merge(const struct yloader *L)
{
    const struct yframe *top = L->depth ? &L->st[L->depth - 1] : NULL;

    return top && ((top->kind == F_MAP && top->have_key &&
                    top->key_is_merge) || top->kind == F_MERGE_SEQ);
}

/* Index of the mapping that receives merge sources given right now. */
static size_t merge_target(const struct yloader *L)
{
    const struct yframe *top = &L->st[L->depth - 1];

    return top->kind == F_MAP ? L->depth - 1 : top->target;
}

/* The error for a "<<" value that is not a mapping (go-yaml's wording). */
static int merge_want_map(struct yloader *L, struct src_pos pos)
{
    return diag_fail(L->dl, RFG_EPARSE, &pos,
                     "map merge requires a mapping or a sequence of "
                     "mappings as its value");
}

/* Merge `src` into the mapping of frame `fi` now, as go-yaml v2 does:
 * each of its keys is copied, replacing a key of the same name already
 * there (written or merged before the "<<"). */
static int merge_one(struct yloader *L, size_t fi, const cJSON *src,
                     struct src_pos pos, const char *name)
{
    const cJSON *c;
    cJSON *cc = NULL, *prev;
    char *k;
    int rc;

    for (c = src->child; c; c = c->next) {
        struct yframe *f = &L->st[fi];

        rc = dup_tree(L, c, fi + 2, pos, name, &cc);
        if (rc)
            return rc;
        if (posmap_put(L->pm, cc, posmap_get(L->pm, c))) {
            cJSON_Delete(cc);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
        prev = map_find(L, f, c->string,
                        (c->type & cJSON_StringIsConst) != 0);
        if (prev) {
            rc = swap_item(L, f, prev, cc);
        } else if (!add_key(f->node, c, cc)) {
            cJSON_Delete(cc);
            rc = RFG_ENOMEM;
        } else {
            rc = map_added(L, f, cc);
        }
        k = rc ? NULL : strdup(c->string);
        if (rc || !k || ktab_put(&L->merged, f->node, k, cc)) {
            free(k);
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        }
    }
    return RFG_OK;
}

/* A "<<" sequence ends: merge its sources, the last first, so that an
 * earlier source overrides a later one. */
static int merge_seq_end(struct yloader *L, const struct yframe *f)
{
    size_t m;
    int rc;

    for (m = L->nmerge; m > f->merge_base; m--) {
        const struct ymerge *me = &L->merges[m - 1];

        rc = merge_one(L, me->target, me->src, me->pos, me->name);
        if (rc)
            return rc;
    }
    L->nmerge = f->merge_base;
    return RFG_OK;
}

/* A scalar event. */
int ytree_scalar(struct yloader *L, const yaml_event_t *ev)
{
    struct src_pos pos = ymark_pos(ev->start_mark);
    struct yframe *top = L->depth ? &L->st[L->depth - 1] : NULL;
    const char *s = (const char *)ev->data.scalar.value;
    const char *anchor = (const char *)ev->data.scalar.anchor;
    cJSON *node = NULL;
    struct yscalar v;
    int rc;

    if (ev->data.scalar.length > L->lim->max_scalar_bytes)
        return diag_fail(L->dl, RFG_ELIMIT, &pos,
                         "scalar of %zu bytes exceeds max_scalar_bytes (%zu)",
                         ev->data.scalar.length, L->lim->max_scalar_bytes);
    /* A double-quoted "\0", "\x00", "\u0000" (JSON too) is a NUL byte in
     * the scalar: everything C reads after it would hide from the rules
     * while the operator still writes it to a config file. libyaml's
     * reader refuses a raw NUL, so only an escape (or a decoded !!binary,
     * which has a tag) can give one. */
    if ((ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
         ev->data.scalar.tag) &&
        memchr(s, '\0', ev->data.scalar.length))
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
        /* Most keys are plain constants of keys.c: strings as they are */
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            !ev->data.scalar.tag && !anchor &&
            ykey_set_const(L, s, ev->data.scalar.length))
            return key_accept(L, top, pos);
        rc = yscalar_resolve(&v, ev, pos, L->dl);
        if (rc)
            return rc;
        if (ykey_set(L, &v, s, ev->data.scalar.length))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        if (anchor) {
            rc = sval_node(L, &v, s, ev->data.scalar.length, pos, &node);
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
    rc = yscalar_resolve(&v, ev, pos, L->dl);
    if (rc)
        return rc;
    rc = sval_node(L, &v, s, ev->data.scalar.length, pos, &node);
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
int ytree_alias(struct yloader *L, const yaml_event_t *ev)
{
    struct src_pos pos = ymark_pos(ev->start_mark);
    struct yframe *top = L->depth ? &L->st[L->depth - 1] : NULL;
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
        if (ykey_set_node(L, src))
            return diag_fail(L->dl, RFG_ENOMEM, &pos, "out of memory");
        return key_accept(L, top, pos);
    }
    if (in_merge(L)) {
        if (!cJSON_IsObject(src))
            return merge_want_map(L, pos);
        /* The anchor name lives in the anchor table until the doc ends. */
        name = ktab_key(&L->anchors, NULL, name);
        if (top->kind == F_MAP) {
            top->have_key = false;
            return merge_one(L, L->depth - 1, src, pos, name);
        }
        rc = merge_push(L, merge_target(L), src, pos, name);
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
int ytree_open(struct yloader *L, const yaml_event_t *ev, bool is_map)
{
    struct src_pos pos = ymark_pos(ev->start_mark);
    struct yframe *top = L->depth ? &L->st[L->depth - 1] : NULL;
    const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
                                       : ev->data.sequence_start.anchor;
    struct yframe *f;
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
        struct yframe *nv = realloc(L->st, ncap * sizeof(*nv));

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

/* A sequence or mapping end. */
int ytree_close(struct yloader *L, const yaml_event_t *ev)
{
    struct src_pos pos = ymark_pos(ev->start_mark);
    struct yframe *f;
    size_t fi;
    int rc = RFG_OK;

    if (!L->depth)
        return RFG_OK;      /* libyaml balances these; be defensive */
    fi = L->depth - 1;
    f = &L->st[fi];
    if (f->kind == F_MERGE_SEQ) {
        rc = merge_seq_end(L, f);
        L->depth--;
        return rc;
    }
    if (f->anchor) {
        rc = ktab_put(&L->anchors, NULL, f->anchor, f->node);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
        f->anchor = NULL;   /* the anchor table owns it now */
    }
    if (f->merge_src && L->st[fi - 1].kind == F_MERGE_SEQ) {
        rc = merge_push(L, f->target, f->node, pos, NULL);
        if (rc)
            return diag_fail(L->dl, rc, &pos, "out of memory");
    } else if (f->merge_src) {
        rc = merge_one(L, f->target, f->node, pos, NULL);
        if (rc)
            return rc;
    }
    L->depth--;
    return RFG_OK;
}
