/* SPDX-License-Identifier: Apache-2.0
 *
 * review_decode.c - AdmissionReview decoding (see review.h): the bytes
 * the API server POSTs, checked (JSON, size of arrays, NUL characters,
 * apiVersion, kind, operation, userInfo) and turned into a review_req
 * that borrows from the parsed tree. Not here: responses (review.c),
 * rule evaluation, HTTP, logging.
 *
 * On the webhook's hot path, one strict pass over the bytes
 * (review_scan.c) does the UTF-8, NUL and array checks at once and builds
 * the tree cJSON would, without the members no rule and no response
 * reads: the metadata.managedFields of request.object and
 * request.oldObject, which the API server adds to every object (often as
 * large as the spec), and the request's resource and call options. A
 * body the pass does not fully vouch for is decoded as before, byte for
 * byte, so every answer and error stays the same.
 */
#include "review.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "review_scan.h"
#include "rf.h"

/* True when [p, end) holds only JSON whitespace. */
static bool only_space(const char *p, const char *end)
{
    for (; p && p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

/* Offset of the first NUL character the body spells inside a string: a
 * raw 0 byte, or a \u0000 escape. cJSON ends its C strings there, so the
 * rules would read "a" where the API server stores "a\u0000b...". A
 * backslash escapes the byte after it, so "\\u0000" (an escaped
 * backslash, then text) is not one. Returns n when there is none. */
static size_t nul_at(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (s[i] == '\0')
            return i;
        if (s[i] != '\\')
            continue;
        if (n - i > 5 && s[i + 1] == 'u' && !memcmp(s + i + 2, "0000", 4))
            return i;
        i++;                    /* the escaped byte */
    }
    return n;
}

/* One open container while nul_pointer() walks the body. */
struct jlevel {
    bool obj;
    bool want_key;              /* obj: the next string is a key */
    size_t idx;                 /* array: index of the current item */
    size_t key_off, key_len;    /* obj: the current key, raw */
};

/* Append the RFC 6901 pointer of the string holding offset `at` in the
 * JSON text `s` (valid JSON: cJSON parsed it) to `b`. Keys appear as
 * written, escapes included; long ones are shortened. */
static int nul_pointer(struct sbuf *b, const char *s, size_t n, size_t at)
{
    struct jlevel *st = NULL, *nst;
    size_t depth = 0, cap = 0, i, j, k;
    int rc = RFG_OK;

    for (i = 0; i < n && i <= at; i++) {
        struct jlevel *top = depth ? &st[depth - 1] : NULL;

        switch (s[i]) {
        case '{':
        case '[':
            nst = rfg_grow(st, &cap, depth, sizeof(*st), 16);
            if (!nst) {
                rc = RFG_ENOMEM;
                goto out;
            }
            st = nst;
            memset(&st[depth], 0, sizeof(*st));
            st[depth].obj = s[i] == '{';
            st[depth].want_key = s[i] == '{';
            depth++;
            break;
        case '}':
        case ']':
            if (depth)
                depth--;
            break;
        case ',':
            if (top && top->obj)
                top->want_key = true;
            else if (top)
                top->idx++;
            break;
        case '"':
            for (j = i + 1; j < n && s[j] != '"'; j++)
                if (s[j] == '\\')
                    j++;
            if (top && top->obj && top->want_key) {
                top->want_key = false;
                top->key_off = i + 1;
                top->key_len = (j < n ? j : n) - i - 1;
            }
            if (at < j)         /* this string holds the NUL */
                goto found;
            i = j;
            break;
        default:
            break;
        }
    }
found:
    for (k = 0; !rc && k < depth; k++) {
        if (!st[k].obj) {
            rc = sbuf_printf(b, "/%zu", st[k].idx);
            continue;
        }
        rc = sbuf_addc(b, '/');
        for (j = 0; !rc && j < st[k].key_len; j++) {
            char c = s[st[k].key_off + j];

            if (j == 60 && st[k].key_len > 64) {
                rc = sbuf_adds(b, "...");
                break;
            }
            if (c == '~')
                rc = sbuf_adds(b, "~0");
            else if (c == '/')
                rc = sbuf_adds(b, "~1");
            else
                rc = sbuf_addc(b, c);
        }
    }
out:
    free(st);
    return rc;
}

/* The first array under `n` with more than REVIEW_MAX_ITEMS items, or
 * NULL. Recursion is bounded by cJSON's nesting limit. */
static const cJSON *long_array(const cJSON *n)
{
    const cJSON *c, *hit;
    size_t items = 0;

    cJSON_ArrayForEach(c, n) {
        if (cJSON_IsArray(n) && ++items > REVIEW_MAX_ITEMS)
            return n;
        if ((c->child) && (hit = long_array(c)) != NULL)
            return hit;
    }
    return NULL;
}

/* Borrowed string child, or `def` when absent or not a string. */
static const char *get_str(const cJSON *obj, const char *key,
                           const char *def)
{
    const cJSON *v = json_get(obj, key);

    return cJSON_IsString(v) && v->valuestring ? v->valuestring : def;
}

void review_req_free(struct review_req *req)
{
    if (!req)
        return;
    cJSON_Delete(req->root);
    free(req);
}

/* Map request.operation to the engine's op; -1 when unknown. */
static int parse_op(const char *s, enum rules_op *op)
{
    if (!strcmp(s, "CREATE"))
        *op = RULES_CREATE;
    else if (!strcmp(s, "UPDATE"))
        *op = RULES_UPDATE;
    else if (!strcmp(s, "DELETE"))
        *op = RULES_DELETE;
    else if (!strcmp(s, "CONNECT"))
        *op = RULES_CONNECT;
    else
        return -1;
    return 0;
}

/* An object field that may be absent or null; anything else must be an
 * object. Returns false when it is present with another type. */
static bool opt_object(const cJSON *request, const char *key,
                       const cJSON **out)
{
    const cJSON *v = json_get(request, key);

    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsObject(v))
        return false;
    *out = v;
    return true;
}

/* request.userInfo: username and groups, for the policy's spec.skips
 * (extra and uid are not used). Absent is fine; a wrong type is not, so
 * a malformed request cannot pass as someone it does not name. Returns
 * false, with a diagnostic, on a bad shape. */
static bool user_info(struct review_req *req, const cJSON *request,
                      struct diag_list *dl)
{
    const cJSON *ui = json_get(request, "userInfo"), *name, *groups, *g;

    if (!ui || cJSON_IsNull(ui))
        return true;
    if (!cJSON_IsObject(ui)) {
        diag_fail(dl, RFG_EINVAL, NULL, "request.userInfo must be an object");
        return false;
    }
    name = json_get(ui, "username");
    groups = json_get(ui, "groups");
    if (name && !cJSON_IsNull(name) && !cJSON_IsString(name)) {
        diag_fail(dl, RFG_EINVAL, NULL,
                  "request.userInfo.username must be a string");
        return false;
    }
    if (groups && !cJSON_IsNull(groups)) {
        if (!cJSON_IsArray(groups)) {
            diag_fail(dl, RFG_EINVAL, NULL,
                      "request.userInfo.groups must be a list of strings");
            return false;
        }
        cJSON_ArrayForEach(g, groups) {
            if (!cJSON_IsString(g)) {
                diag_fail(dl, RFG_EINVAL, NULL,
                          "request.userInfo.groups must be a list of "
                          "strings");
                return false;
            }
        }
        req->user.groups = groups;
    }
    req->user.name = cJSON_IsString(name) ? name->valuestring : NULL;
    return true;
}

/* The kind rfguard checks that request.kind names (group and kind; the
 * object's own apiVersion decides which schema applies), 0 for any
 * other. */
static enum rf_kind checked_kind(const char *group, const char *kind)
{
    static const enum rf_kind kinds[] = {RF_KIND_FAILOVER, RF_KIND_SENTINEL,
                                         RF_KIND_REPLICATION};
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(group, rf_kind_group(kinds[i])) &&
            !strcmp(kind, rf_kind_name(kinds[i])))
            return kinds[i];
    return 0;
}

int review_decode(struct review_req **out, const char *body, size_t len,
                  struct diag_list *dl)
{
    struct review_req *req = NULL;
    cJSON *root = NULL;
    const cJSON *request, *kind, *dry;
    const char *end = NULL, *api, *uid, *opname;
    enum review_version version;
    enum rules_op op;
    struct review_scan sc;
    bool scanned;
    size_t bad;
    int rc;

    *out = NULL;
    if (!body || !len)
        return diag_fail(dl, RFG_EPARSE, NULL, "empty request body");
    scanned = review_prescan(&sc, body, len, &root);
    if (!scanned) {
        bad = review_utf8_bad_at((const unsigned char *)body, len);
        if (bad < len)
            return diag_fail(dl, RFG_EPARSE, NULL,
                             "body is not UTF-8: byte 0x%02x at offset %zu",
                             (unsigned)(unsigned char)body[bad], bad);
    }
    if (!root) {
        root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
        if (!root || !only_space(end, body + len)) {
            rc = diag_fail(dl, RFG_EPARSE, NULL,
                           "invalid JSON near byte %td",
                           end ? end - body : (ptrdiff_t)0);
            goto out;
        }
    }
    bad = scanned ? sc.nul : nul_at(body, len);
    if (bad < len) {
        struct sbuf where;

        sbuf_init(&where, 1024);
        (void)nul_pointer(&where, body, len, bad);
        rc = diag_fail(dl, RFG_EPARSE, NULL,
                       "a NUL character (\\u0000) is not allowed in a "
                       "string or key (at %s, byte %zu)",
                       where.len ? sbuf_str(&where) : "the top level", bad);
        sbuf_cleanup(&where);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "body is not a JSON object");
        goto out;
    }
    {
        /* the strict pass counted every array */
        const cJSON *big = scanned ? NULL : long_array(root);

        if (big) {
            rc = diag_fail(dl, RFG_EINVAL, NULL,
                           "an array%s%s has more than %d items",
                           big->string ? " at key " : "",
                           big->string ? big->string : "",
                           REVIEW_MAX_ITEMS);
            goto out;
        }
    }
    api = get_str(root, "apiVersion", NULL);
    if (!api) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "missing apiVersion");
        goto out;
    }
    if (!strcmp(api, REVIEW_API_V1)) {
        version = REVIEW_V1;
    } else if (!strcmp(api, REVIEW_API_V1BETA1)) {
        version = REVIEW_V1BETA1;
    } else {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "unsupported apiVersion (want " REVIEW_API_V1 " or "
                       REVIEW_API_V1BETA1 ")");
        goto out;
    }
    if (strcmp(get_str(root, "kind", ""), "AdmissionReview") != 0) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "kind is not AdmissionReview");
        goto out;
    }
    request = json_get(root, "request");
    if (!cJSON_IsObject(request)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "missing request object");
        goto out;
    }
    uid = get_str(request, "uid", NULL);
    if (!uid || !*uid) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "missing request.uid");
        goto out;
    }
    opname = get_str(request, "operation", NULL);
    if (!opname || parse_op(opname, &op) != 0) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "missing or unknown request.operation");
        goto out;
    }
    kind = json_get(request, "kind");
    if (!cJSON_IsObject(kind)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "missing request.kind");
        goto out;
    }
    req = calloc(1, sizeof(*req));
    if (!req) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    req->version = version;
    req->api_version = api;
    req->uid = uid;
    req->operation = opname;
    req->op = op;
    req->group = get_str(kind, "group", "");
    req->kind = get_str(kind, "kind", "");
    req->ns = get_str(request, "namespace", "");
    if (!opt_object(request, "object", &req->object) ||
        !opt_object(request, "oldObject", &req->old_object)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "request.object and request.oldObject must be "
                       "objects");
        goto out;
    }
    req->name = get_str(request, "name", NULL);
    if (!req->name || !*req->name)
        req->name = get_str(json_get(req->object ? req->object
                                            : req->old_object,
                                "metadata"),
                            "name", "");
    if (!user_info(req, request, dl)) {
        rc = RFG_EINVAL;
        goto out;
    }
    dry = json_get(request, "dryRun");
    req->dry_run = cJSON_IsTrue(dry);
    req->rkind = checked_kind(req->group, req->kind);
    req->is_failover = req->rkind == RF_KIND_FAILOVER;
    if (req->rkind && (op == RULES_CREATE || op == RULES_UPDATE) &&
        !req->object) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "%s of a %s without request.object", opname,
                       rf_kind_name(req->rkind));
        goto out;
    }
    if (req->rkind && op == RULES_UPDATE && !req->old_object) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "UPDATE of a %s without request.oldObject",
                       rf_kind_name(req->rkind));
        goto out;
    }
    req->root = root;           /* req owns the tree from here */
    root = NULL;
    *out = req;
    req = NULL;
    rc = RFG_OK;
out:
    review_req_free(req);
    cJSON_Delete(root);
    return rc;
}

bool review_wants_eval(const struct review_req *req)
{
    return req->rkind &&
           (req->op == RULES_CREATE || req->op == RULES_UPDATE);
}
