/* SPDX-License-Identifier: Apache-2.0
 *
 * review.c - AdmissionReview decoding and response encoding (see
 * review.h). Responses are written straight into an sbuf rather than
 * built as a cJSON tree: they are small, their shape is fixed, and this
 * is on the webhook's hot path. Not here: rule evaluation, HTTP, logging.
 */
#include "review.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "json.h"
#include "rf.h"

#define API_V1 "admission.k8s.io/v1"
#define API_V1BETA1 "admission.k8s.io/v1beta1"

static const char *const verdict_names[REVIEW_NVERDICTS] = {
    "allowed", "denied", "patched", "skipped"
};

const char *review_verdict_name(enum review_verdict v)
{
    return (unsigned)v < REVIEW_NVERDICTS ? verdict_names[v] : "unknown";
}

/* True when [p, end) holds only JSON whitespace. */
static bool only_space(const char *p, const char *end)
{
    for (; p && p < end; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            return false;
    return true;
}

/* Borrowed child `key` of `obj`. */
/* Offset of the first byte of `s` (n bytes) that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, surrogates or code points past
 * U+10FFFF), or n if all of it is. JSON must be UTF-8 (RFC 8259), and
 * what the webhook echoes (uid, names) must stay valid in its answer. */
static size_t utf8_bad_at(const unsigned char *s, size_t n)
{
    size_t i = 0, k, need;
    unsigned char lo, hi;

    while (i < n) {
        unsigned char c = s[i];

        if (c < 0x80) {
            i++;
            continue;
        }
        lo = 0x80;
        hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;      /* overlong */
            else if (c == 0xED)
                hi = 0x9F;      /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;      /* overlong */
            else if (c == 0xF4)
                hi = 0x8F;      /* past U+10FFFF */
        } else {
            return i;
        }
        if (n - i <= need)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return i;
        i += need + 1;
    }
    return n;
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

int review_decode(struct review_req **out, const char *body, size_t len,
                  struct diag_list *dl)
{
    struct review_req *req = NULL;
    cJSON *root = NULL;
    const cJSON *request, *kind, *dry;
    const char *end = NULL, *api, *uid, *opname;
    enum review_version version;
    enum rules_op op;
    size_t bad;
    int rc;

    *out = NULL;
    if (!body || !len)
        return diag_fail(dl, RFG_EPARSE, NULL, "empty request body");
    bad = utf8_bad_at((const unsigned char *)body, len);
    if (bad < len)
        return diag_fail(dl, RFG_EPARSE, NULL,
                         "body is not UTF-8: byte 0x%02x at offset %zu",
                         (unsigned)(unsigned char)body[bad], bad);
    root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!root || !only_space(end, body + len)) {
        rc = diag_fail(dl, RFG_EPARSE, NULL, "invalid JSON near byte %td",
                       end ? end - body : (ptrdiff_t)0);
        goto out;
    }
    bad = nul_at(body, len);
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
        const cJSON *big = long_array(root);

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
    if (!strcmp(api, API_V1)) {
        version = REVIEW_V1;
    } else if (!strcmp(api, API_V1BETA1)) {
        version = REVIEW_V1BETA1;
    } else {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "unsupported apiVersion (want " API_V1 " or "
                       API_V1BETA1 ")");
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
    req->is_failover = !strcmp(req->group, RF_GROUP) &&
                       !strcmp(req->kind, RF_KIND);
    if (req->is_failover && (op == RULES_CREATE || op == RULES_UPDATE) &&
        !req->object) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "%s of a RedisFailover without request.object",
                       opname);
        goto out;
    }
    if (req->is_failover && op == RULES_UPDATE && !req->old_object) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "UPDATE of a RedisFailover without "
                       "request.oldObject");
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
    return req->is_failover &&
           (req->op == RULES_CREATE || req->op == RULES_UPDATE);
}

/* Cut `buf` (n bytes) to at most `max` bytes on a UTF-8 boundary, ending
 * in "..." when too long. Returns the new length. */
static size_t cut_line(char *buf, size_t n, size_t max)
{
    size_t cut;

    if (n <= max)
        return n;
    cut = max - 3;
    while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(buf + cut, "...", 4);
    return cut + 3;
}

/* The k-th warning line: warn findings first, then skipped rules, as
 * "[id] msg" and "[id] skipped: reason"; with `held`, the k-th fix held
 * back on UPDATE instead. Returns its length. */
static size_t warning_line(char *buf, size_t cap,
                           const struct rules_result *res, size_t k,
                           bool held)
{
    size_t i, seen = 0;
    int w = -1;

    if (held && k < res->nheld)
        w = snprintf(buf, cap, "[%s] %s",
                     res->held[k].rule ? res->held[k].rule->id : "?",
                     res->held[k].msg ? res->held[k].msg : "");
    if (held)
        goto out;
    for (i = 0; i < res->len && w < 0; i++) {
        const struct finding *f = &res->v[i];

        if (f->sev != RFG_SEV_WARN || seen++ != k)
            continue;
        w = snprintf(buf, cap, "[%s] %s", f->rule ? f->rule->id : "?",
                     f->msg ? f->msg : "");
    }
    for (i = 0; i < res->nskipped && w < 0; i++) {
        const struct rule_skip *sk = &res->skipped[i];

        if (seen++ != k)
            continue;
        w = snprintf(buf, cap, "[%s] skipped: %s",
                     sk->rule ? sk->rule->id : "all rules",
                     sk->reason ? sk->reason : "");
    }
out:
    if (w < 0)
        return 0;
    return cut_line(buf, (size_t)w < cap ? (size_t)w : cap - 1,
                    REVIEW_WARN_MAX_LEN);
}

/* review_warnings_json, or with `held` the fixes held back on UPDATE
 * (what /mutate warns about). */
static int warnings_json(struct sbuf *b, const struct rules_result *res,
                         bool held, size_t *nout)
{
    char line[512], summary[64];
    size_t i, total = 0, emitted = 0, nwarn = 0, len, slen;
    int rc = sbuf_addc(b, '[');

    for (i = 0; res && !held && i < res->len; i++)
        if (res->v[i].sev == RFG_SEV_WARN)
            nwarn++;
    if (res)
        nwarn += held ? res->nheld : res->nskipped;
    for (i = 0; !rc && res && i < nwarn; i++) {
        size_t left;

        len = warning_line(line, sizeof(line), res, i, held);
        left = nwarn - emitted - 1;     /* warnings after this one */
        /* Keep room for the summary if anything would follow. */
        slen = left ? (size_t)snprintf(summary, sizeof(summary),
                                       "... and %zu more warnings",
                                       left) : 0;
        if (total + len + slen > REVIEW_WARN_BUDGET)
            break;
        if (emitted)
            rc = sbuf_addc(b, ',');
        if (!rc)
            rc = sbuf_add_json_str(b, line);
        total += len;
        emitted++;
    }
    if (!rc && emitted < nwarn) {
        snprintf(summary, sizeof(summary), "... and %zu more warnings",
                 nwarn - emitted);
        if (emitted)
            rc = sbuf_addc(b, ',');
        if (!rc)
            rc = sbuf_add_json_str(b, summary);
        emitted++;
    }
    if (!rc)
        rc = sbuf_addc(b, ']');
    if (nout)
        *nout = emitted;
    return rc;
}

int review_warnings_json(struct sbuf *b, const struct rules_result *res,
                         size_t *nout)
{
    return warnings_json(b, res, false, nout);
}

/* status.message for a denial: every denying rule, in catalogue order. */
static int deny_message(struct sbuf *msg, const struct review_req *req,
                        const struct rules_result *res)
{
    size_t i, n = 0;
    int rc;

    if (req->ns[0])
        rc = sbuf_printf(msg, "rfguard denied RedisFailover %s/%s: ",
                         req->ns, req->name);
    else
        rc = sbuf_printf(msg, "rfguard denied RedisFailover %s: ",
                         req->name);
    for (i = 0; !rc && i < res->len; i++) {
        const struct finding *f = &res->v[i];

        if (f->sev != RFG_SEV_DENY)
            continue;
        rc = sbuf_printf(msg, "%s[%s] %s", n++ ? "; " : "",
                         f->rule ? f->rule->id : "?", f->msg ? f->msg : "");
    }
    return rc;
}

int review_respond(char **out, size_t *out_len,
                   enum review_verdict *verdict,
                   const struct review_req *req,
                   const struct rules_result *res, bool mutate)
{
    struct sbuf b, msg;
    char *patch = NULL;
    enum review_verdict v = REVIEW_ALLOWED;
    bool deny = false;
    size_t nwarn = 0;
    int rc;

    *out = NULL;
    sbuf_init(&b, 0);
    sbuf_init(&msg, 0);
    if (!res)
        v = REVIEW_SKIPPED;
    else if (!mutate && res->ndeny > 0)
        deny = true;
    rc = sbuf_adds(&b, "{\"apiVersion\":");
    if (!rc)
        rc = sbuf_add_json_str(&b, req->version == REVIEW_V1 ? API_V1
                                                            : API_V1BETA1);
    if (!rc)
        rc = sbuf_adds(&b, ",\"kind\":\"AdmissionReview\",\"response\":"
                           "{\"uid\":");
    if (!rc)
        rc = sbuf_add_json_str(&b, req->uid);
    if (!rc)
        rc = sbuf_adds(&b, deny ? ",\"allowed\":false"
                                : ",\"allowed\":true");
    if (!rc && deny) {
        v = REVIEW_DENIED;
        rc = deny_message(&msg, req, res);
        if (!rc)
            rc = sbuf_adds(&b, ",\"status\":{\"code\":403,\"reason\":"
                               "\"Forbidden\",\"message\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, sbuf_str(&msg));
        if (!rc)
            rc = sbuf_addc(&b, '}');
    }
    if (!rc && res && !mutate && (res->nwarn > 0 || res->nskipped > 0)) {
        rc = sbuf_adds(&b, ",\"warnings\":");
        if (!rc)
            rc = review_warnings_json(&b, res, &nwarn);
    }
    /* /mutate warns about the fixes it held back on UPDATE. */
    if (!rc && res && mutate && res->nheld > 0) {
        rc = sbuf_adds(&b, ",\"warnings\":");
        if (!rc)
            rc = warnings_json(&b, res, true, &nwarn);
    }
    if (!rc && res && mutate && cJSON_GetArraySize(res->patch) > 0) {
        patch = cJSON_PrintUnformatted(res->patch);
        if (!patch) {
            rc = RFG_ENOMEM;
            goto out;
        }
        v = REVIEW_PATCHED;
        rc = sbuf_adds(&b, ",\"patchType\":\"JSONPatch\",\"patch\":\"");
        if (!rc)
            rc = base64_encode(&b, patch, strlen(patch));
        if (!rc)
            rc = sbuf_addc(&b, '"');
    }
    if (!rc)
        rc = sbuf_adds(&b, "}}");
    if (rc)
        goto out;
    *out = sbuf_take(&b, out_len);
    if (!*out)
        rc = RFG_ENOMEM;
    else if (verdict)
        *verdict = v;
out:
    cJSON_free(patch);
    sbuf_cleanup(&msg);
    sbuf_cleanup(&b);
    return rc;
}

int review_error_body(char **out, size_t *out_len, int code,
                      const char *reason, const char *message)
{
    struct sbuf b;
    int rc;

    *out = NULL;
    sbuf_init(&b, 0);
    rc = sbuf_printf(&b, "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                         "\"status\":\"Failure\",\"code\":%d,\"reason\":",
                     code);
    if (!rc)
        rc = sbuf_add_json_str(&b, reason);
    if (!rc)
        rc = sbuf_adds(&b, ",\"message\":");
    if (!rc)
        rc = sbuf_add_json_str(&b, message);
    if (!rc)
        rc = sbuf_adds(&b, "}\n");
    if (!rc) {
        *out = sbuf_take(&b, out_len);
        if (!*out)
            rc = RFG_ENOMEM;
    }
    sbuf_cleanup(&b);
    return rc;
}
