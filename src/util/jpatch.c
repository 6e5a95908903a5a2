/* SPDX-License-Identifier: Apache-2.0
 *
 * jpatch.c - JSON Pointer (RFC 6901) lookup and JSON Patch (RFC 6902)
 * building and application over cJSON. It does not decide what to patch.
 * Application works on a copy and swaps it in only when every op
 * succeeded, so a failed patch never leaves a half-patched object.
 */
#include "jpatch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jptr_append(struct sbuf *ptr, const char *token)
{
    int rc = sbuf_addc(ptr, '/');

    for (; !rc && *token; token++) {
        if (*token == '~')
            rc = sbuf_add(ptr, "~0", 2);
        else if (*token == '/')
            rc = sbuf_add(ptr, "~1", 2);
        else
            rc = sbuf_addc(ptr, *token);
    }
    return rc;
}

int jptr_append_index(struct sbuf *ptr, size_t idx)
{
    return sbuf_printf(ptr, "/%zu", idx);
}

/* Copy the next reference token of `p` (after its leading '/') unescaped
 * into tok; return a pointer past it, or NULL on a bad escape / overlong
 * token. */
static const char *next_token(const char *p, char *tok, size_t toklen)
{
    size_t n = 0;

    p++; /* skip '/' */
    while (*p && *p != '/') {
        char c = *p++;

        if (c == '~') {
            if (*p == '0')
                c = '~';
            else if (*p == '1')
                c = '/';
            else
                return NULL;
            p++;
        }
        if (n + 1 >= toklen)
            return NULL;
        tok[n++] = c;
    }
    tok[n] = '\0';
    return p;
}

/* Parse an array index token: digits only, no leading zero. */
static int parse_index(const char *tok, size_t *out)
{
    size_t v = 0;
    const char *p = tok;

    if (!*p || (p[0] == '0' && p[1]))
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000)
            return -1;
        v = v * 10 + (size_t)(*p - '0');
    }
    *out = v;
    return 0;
}

static cJSON *child(const cJSON *node, const char *tok)
{
    size_t idx;

    if (cJSON_IsObject(node))
        return cJSON_GetObjectItemCaseSensitive(node, tok);
    if (cJSON_IsArray(node) && parse_index(tok, &idx) == 0 &&
        idx < (size_t)cJSON_GetArraySize(node))
        return cJSON_GetArrayItem(node, (int)idx);
    return NULL;
}

bool jptr_valid(const char *ptr)
{
    char tok[1024];

    if (!ptr)
        return false;
    while (*ptr) {
        if (*ptr != '/')
            return false;
        ptr = next_token(ptr, tok, sizeof(tok));
        if (!ptr)
            return false;
    }
    return true;
}

cJSON *jptr_get(const cJSON *root, const char *ptr)
{
    char tok[1024];
    const cJSON *node = root;

    if (!ptr)
        return NULL;
    while (node && *ptr) {
        if (*ptr != '/')
            return NULL;
        ptr = next_token(ptr, tok, sizeof(tok));
        if (!ptr)
            return NULL;
        node = child(node, tok);
    }
    return (cJSON *)(uintptr_t)node;
}

const cJSON *jptr_deepest(const cJSON *root, const char *ptr)
{
    char tok[1024];
    const cJSON *node = root, *next;

    while (node && ptr && *ptr == '/') {
        ptr = next_token(ptr, tok, sizeof(tok));
        if (!ptr)
            break;
        next = child(node, tok);
        if (!next)
            break;
        node = next;
    }
    return node;
}

static int add_op(cJSON *ops, const char *op, const char *path,
                  cJSON *value)
{
    cJSON *o = cJSON_CreateObject();

    if (!o || !cJSON_AddStringToObject(o, "op", op) ||
        !cJSON_AddStringToObject(o, "path", path))
        goto fail;
    if (value) {
        if (!cJSON_AddItemToObject(o, "value", value))
            goto fail;
        value = NULL;
    }
    if (!cJSON_AddItemToArray(ops, o))
        goto fail;
    return RFG_OK;
fail:
    cJSON_Delete(value);
    cJSON_Delete(o);
    return RFG_ENOMEM;
}

int jpatch_add(cJSON *ops, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return add_op(ops, "add", path, value);
}

int jpatch_replace(cJSON *ops, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return add_op(ops, "replace", path, value);
}

int jpatch_remove(cJSON *ops, const char *path)
{
    return add_op(ops, "remove", path, NULL);
}

/* Split `path` into parent node and last token. */
static int locate(cJSON *root, const char *path, cJSON **parent,
                  char *last, size_t lastlen)
{
    const char *slash = strrchr(path, '/');
    char *ppath;
    cJSON *p;

    if (!slash)
        return -1;
    ppath = strndup(path, (size_t)(slash - path));
    if (!ppath)
        return -1;
    p = jptr_get(root, ppath);
    free(ppath);
    if (!p || !next_token(slash, last, lastlen))
        return -1;
    *parent = p;
    return 0;
}

/* Detach the node at `path` from root. NULL if absent. */
static cJSON *detach(cJSON *root, const char *path)
{
    char last[1024];
    cJSON *parent;
    size_t idx;

    if (locate(root, path, &parent, last, sizeof(last)))
        return NULL;
    if (cJSON_IsObject(parent))
        return cJSON_DetachItemFromObjectCaseSensitive(parent, last);
    if (cJSON_IsArray(parent) && parse_index(last, &idx) == 0 &&
        idx < (size_t)cJSON_GetArraySize(parent))
        return cJSON_DetachItemFromArray(parent, (int)idx);
    return NULL;
}

/* Insert `val` (owned) at `path`; "" replaces the root. */
static int insert(cJSON **root, const char *path, cJSON *val, bool replace)
{
    char last[1024];
    cJSON *parent;
    size_t idx;
    int n;

    if (!*path) {
        cJSON_Delete(*root);
        *root = val;
        return 0;
    }
    if (locate(*root, path, &parent, last, sizeof(last)))
        goto fail;
    if (cJSON_IsObject(parent)) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last)) {
            if (!cJSON_ReplaceItemInObjectCaseSensitive(parent, last, val))
                goto fail;
            return 0;
        }
        if (replace || !cJSON_AddItemToObject(parent, last, val))
            goto fail;
        return 0;
    }
    if (!cJSON_IsArray(parent))
        goto fail;
    n = cJSON_GetArraySize(parent);
    if (!replace && !strcmp(last, "-")) {
        if (!cJSON_AddItemToArray(parent, val))
            goto fail;
        return 0;
    }
    if (parse_index(last, &idx))
        goto fail;
    if (replace) {
        if (idx >= (size_t)n ||
            !cJSON_ReplaceItemInArray(parent, (int)idx, val))
            goto fail;
        return 0;
    }
    if (idx > (size_t)n)
        goto fail;
    if (idx == (size_t)n) {
        if (!cJSON_AddItemToArray(parent, val))
            goto fail;
        return 0;
    }
    /* cJSON 1.7.15's InsertItemInArray refuses mid-array inserts: move
     * the tail aside, append, and put the tail back. */
    {
        size_t k, ntail = (size_t)n - idx;
        cJSON **tail = malloc(ntail * sizeof(*tail));

        if (!tail)
            goto fail;
        for (k = 0; k < ntail; k++)
            tail[k] = cJSON_DetachItemFromArray(parent, (int)idx);
        cJSON_AddItemToArray(parent, val);
        for (k = 0; k < ntail; k++)
            cJSON_AddItemToArray(parent, tail[k]);
        free(tail);
    }
    return 0;
fail:
    cJSON_Delete(val);
    return -1;
}

/* Nodes one patch may create with "copy": each copy can double the
 * document, so a few dozen ops would otherwise exhaust memory. */
#define JPATCH_MAX_COPY_NODES ((size_t)1 << 20)

/* Nodes in the tree `n`, counting no further than `cap`. */
static size_t count_nodes(const cJSON *n, size_t cap)
{
    const cJSON *c;
    size_t total = 1;

    cJSON_ArrayForEach(c, n) {
        if (total >= cap)
            break;
        total += count_nodes(c, cap - total);
    }
    return total;
}

/* Apply one op to *root. `budget` is what is left of
 * JPATCH_MAX_COPY_NODES. */
static int apply_one(cJSON **root, const cJSON *op, const char **why,
                     size_t *budget)
{
    const cJSON *jop = cJSON_GetObjectItemCaseSensitive(op, "op");
    const cJSON *jpath = cJSON_GetObjectItemCaseSensitive(op, "path");
    const cJSON *jfrom = cJSON_GetObjectItemCaseSensitive(op, "from");
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
    const char *name, *path;
    cJSON *v;

    if (!cJSON_IsString(jop) || !cJSON_IsString(jpath)) {
        *why = "op and path must be strings";
        return -1;
    }
    name = jop->valuestring;
    path = jpath->valuestring;
    if (!jptr_valid(path)) {
        *why = "path is not a JSON pointer";
        return -1;
    }
    if (!strcmp(name, "add") || !strcmp(name, "replace")) {
        if (!value) {
            *why = "value is missing";
            return -1;
        }
        if (!strcmp(name, "replace") && !jptr_get(*root, path)) {
            *why = "path does not exist";
            return -1;
        }
        v = cJSON_Duplicate(value, 1);
        if (!v) {
            *why = "out of memory";
            return -1;
        }
        if (insert(root, path, v, !strcmp(name, "replace"))) {
            *why = "parent does not exist or index out of range";
            return -1;
        }
        return 0;
    }
    if (!strcmp(name, "remove")) {
        if (!*path) {
            *why = "cannot remove the root";
            return -1;
        }
        v = detach(*root, path);
        if (!v) {
            *why = "path does not exist";
            return -1;
        }
        cJSON_Delete(v);
        return 0;
    }
    if (!strcmp(name, "test")) {
        v = jptr_get(*root, path);
        if (!value || !v || !json_equal(v, value)) {
            *why = "test failed";
            return -1;
        }
        return 0;
    }
    if (!strcmp(name, "move") || !strcmp(name, "copy")) {
        size_t flen;

        if (!cJSON_IsString(jfrom) || !jptr_valid(jfrom->valuestring)) {
            *why = "from is missing or not a JSON pointer";
            return -1;
        }
        flen = strlen(jfrom->valuestring);
        if (!strcmp(name, "move") &&
            !strncmp(path, jfrom->valuestring, flen) &&
            (path[flen] == '/' || path[flen] == '\0')) {
            if (path[flen] == '\0')
                return 0;
            *why = "cannot move a value into itself";
            return -1;
        }
        if (!strcmp(name, "move")) {
            v = *jfrom->valuestring ? detach(*root, jfrom->valuestring)
                                    : NULL;
        } else {
            const cJSON *src = jptr_get(*root, jfrom->valuestring);
            size_t n = src ? count_nodes(src, *budget + 1) : 0;

            if (n > *budget) {
                *why = "the patch copies too many nodes";
                return -1;
            }
            *budget -= n;
            v = src ? cJSON_Duplicate(src, 1) : NULL;
        }
        if (!v) {
            *why = "from does not exist";
            return -1;
        }
        if (insert(root, path, v, false)) {
            *why = "parent does not exist or index out of range";
            return -1;
        }
        return 0;
    }
    *why = "unknown op";
    return -1;
}

int jpatch_apply_op(cJSON **root, const cJSON *op, struct diag_list *dl)
{
    const cJSON *jop = cJSON_GetObjectItemCaseSensitive(op, "op");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(op, "path");
    size_t budget = JPATCH_MAX_COPY_NODES;
    const char *why = "not an object";
    cJSON *work = *root;
    /* Every op but move fails before it changes anything (insert and
     * detach look first), so only move needs the copy. */
    bool copy = *root && cJSON_IsString(jop) &&
                !strcmp(jop->valuestring, "move");

    if (copy && !(work = cJSON_Duplicate(*root, 1)))
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    if (!cJSON_IsObject(op) || apply_one(&work, op, &why, &budget)) {
        if (copy)
            cJSON_Delete(work);
        return diag_fail(dl, RFG_EINVAL, NULL, "patch op (%s): %s",
                         cJSON_IsString(p) ? p->valuestring : "?", why);
    }
    if (copy)
        cJSON_Delete(*root);
    *root = work;       /* an add at "" replaced the root in place */
    return RFG_OK;
}

int jpatch_apply(cJSON **root, const cJSON *ops, struct diag_list *dl)
{
    cJSON *work = NULL;
    const cJSON *op;
    size_t i = 0, budget = JPATCH_MAX_COPY_NODES;

    if (!cJSON_IsArray(ops))
        return diag_fail(dl, RFG_EINVAL, NULL, "patch is not an array");
    if (*root) {
        work = cJSON_Duplicate(*root, 1);
        if (!work)
            return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    cJSON_ArrayForEach(op, ops) {
        const char *why = "";
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(op, "path");

        if (!cJSON_IsObject(op) || apply_one(&work, op, &why, &budget)) {
            cJSON_Delete(work);
            return diag_fail(dl, RFG_EINVAL, NULL,
                             "patch op %zu (%s): %s", i,
                             cJSON_IsString(p) ? p->valuestring : "?",
                             cJSON_IsObject(op) ? why : "not an object");
        }
        i++;
    }
    cJSON_Delete(*root);
    *root = work;
    return RFG_OK;
}

/* Append `v` at nesting `depth` (indent 2 * depth) to `b`. */
static int format_value(struct sbuf *b, const cJSON *v, int depth,
                        bool compact)
{
    const cJSON *c;
    int rc = RFG_OK;
    bool obj = cJSON_IsObject(v);

    if (cJSON_IsString(v))
        return sbuf_add_json_str(b, v->valuestring);
    if (!obj && !cJSON_IsArray(v)) {
        /* Scalars exactly as cJSON writes them (numbers: %d or the
         * shortest %g that reads back). */
        char *s = cJSON_PrintUnformatted(v);

        if (!s)
            return RFG_ENOMEM;
        rc = sbuf_adds(b, s);
        cJSON_free(s);
        return rc;
    }
    rc = sbuf_addc(b, obj ? '{' : '[');
    cJSON_ArrayForEach(c, v) {
        if (!rc && c != v->child)
            rc = sbuf_addc(b, ',');
        if (!rc && !compact)
            rc = sbuf_printf(b, "\n%*s", 2 * (depth + 1), "");
        if (!rc && obj) {
            rc = sbuf_add_json_str(b, c->string ? c->string : "");
            if (!rc)
                rc = sbuf_adds(b, compact ? ":" : ": ");
        }
        if (!rc)
            rc = format_value(b, c, depth + 1, compact);
    }
    if (!rc && !compact && v->child)
        rc = sbuf_printf(b, "\n%*s", 2 * depth, "");
    if (!rc)
        rc = sbuf_addc(b, obj ? '}' : ']');
    return rc;
}

char *jpatch_format(const cJSON *v, bool compact)
{
    struct sbuf b;

    sbuf_init(&b, 0);
    if (format_value(&b, v, 0, compact) ||
        (!compact && sbuf_addc(&b, '\n'))) {
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_take(&b, NULL);
}

/* ---- equality ---- */

static int cmp_member(const void *x, const void *y)
{
    const cJSON *a = *(const cJSON *const *)x;
    const cJSON *b = *(const cJSON *const *)y;

    return strcmp(a->string ? a->string : "", b->string ? b->string : "");
}

/* Members of `o` (n of them) sorted by name, or NULL when out of
 * memory. */
static const cJSON **sorted_members(const cJSON *o, size_t n)
{
    const cJSON **v = malloc((n ? n : 1) * sizeof(*v));
    const cJSON *c;
    size_t i = 0;

    if (!v)
        return NULL;
    for (c = o->child; c; c = c->next)
        v[i++] = c;
    qsort(v, n, sizeof(*v), cmp_member);
    return v;
}

/* A member without a name (a hand-built tree) matches nothing. */
static bool same_name(const cJSON *a, const cJSON *b)
{
    return a->string && b->string && !strcmp(a->string, b->string);
}

/* Objects of up to this many members are matched by a scan. */
#define EQUAL_SCAN_MAX 16

static bool objects_equal(const cJSON *a, const cJSON *b)
{
    const cJSON *c, *d, **va = NULL, **vb = NULL;
    size_t na = 0, nb = 0, i;
    bool eq = true;

    for (c = a->child; c; c = c->next)
        na++;
    for (c = b->child; c; c = c->next)
        nb++;
    if (na != nb)
        return false;
    if (na <= EQUAL_SCAN_MAX) {
        /* Every name of a in b with an equal value, and every name of b
         * in a (the latter only looked up, so that duplicate names
         * cannot make two different objects equal). */
        for (c = a->child; c && eq; c = c->next) {
            for (d = b->child; d && !same_name(c, d); d = d->next)
                ;
            eq = d && json_equal(c, d);
        }
        for (d = b->child; d && eq; d = d->next) {
            for (c = a->child; c && !same_name(c, d); c = c->next)
                ;
            eq = c != NULL;
        }
        return eq;
    }
    va = sorted_members(a, na);
    vb = sorted_members(b, nb);
    if (!va || !vb) {
        eq = false;             /* out of memory: "not equal" is safe */
    } else {
        for (i = 0; i < na && eq; i++)
            eq = same_name(va[i], vb[i]) && json_equal(va[i], vb[i]);
    }
    free(va);
    free(vb);
    return eq;
}

bool json_equal(const cJSON *a, const cJSON *b)
{
    const cJSON *c, *d;

    if (!a || !b)
        return a == b;
    if ((a->type & 0xFF) != (b->type & 0xFF))
        return false;
    switch (a->type & 0xFF) {
    case cJSON_False:
    case cJSON_True:
    case cJSON_NULL:
        return true;
    case cJSON_Number:
        return a->valuedouble == b->valuedouble;
    case cJSON_String:
    case cJSON_Raw:
        if (!a->valuestring || !b->valuestring)
            return a->valuestring == b->valuestring;
        return !strcmp(a->valuestring, b->valuestring);
    case cJSON_Array:
        for (c = a->child, d = b->child; c && d; c = c->next, d = d->next)
            if (!json_equal(c, d))
                return false;
        return !c && !d;
    case cJSON_Object:
        return objects_equal(a, b);
    default:
        return false;
    }
}
