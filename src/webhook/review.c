/* SPDX-License-Identifier: Apache-2.0
 *
 * review.c - AdmissionReview response encoding (see review.h): the
 * response, its warnings and denial message, and Status bodies for
 * refused requests. Responses are written straight into an sbuf rather
 * than built as a cJSON tree: they are small, their shape is fixed, and
 * this is on the webhook's hot path. Not here: decoding requests
 * (review_decode.c), rule evaluation, HTTP, logging.
 */
#include "review.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static const char *const verdict_names[REVIEW_NVERDICTS] = {
    "allowed", "denied", "patched", "skipped"
};

const char *review_verdict_name(enum review_verdict v)
{
    return (unsigned)v < REVIEW_NVERDICTS ? verdict_names[v] : "unknown";
}

/* Cut `buf` (n bytes) to at most `max` bytes on a UTF-8 boundary, ending
 * in "..." when too long. Returns the new length. The fallback of
 * fit_warning for a line with no word boundary to cut at. */
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

/* True for what a cut line must not end in: a space, or punctuation that
 * only makes sense with the words after it. */
static bool dangling(char c)
{
    return c != '\0' && strchr(" ,;:([{'\"=-", c) != NULL;
}

/* Make the warning in `buf` (n bytes, cap bytes of room, starting with
 * the `head` bytes "[id] ") read whole within REVIEW_WARN_MAX_LEN bytes,
 * the first of these that fits:
 *   - the line as it is;
 *   - "[id] BRIEF (rfguard explain id)", where BRIEF is the first `brief`
 *     bytes after the head (the message's brief, rules_msg_brief), which
 *     states the problem on its own;
 *   - "[id] BRIEF";
 *   - as a last resort (pathological names or paths, skipped lines with
 *     `brief` 0), cut after the last clause or, failing that, the last
 *     whole word that fits, ending in an ellipsis (U+2026) and
 *     " (rfguard explain id)", so the reader knows where the rest is.
 * With `id` NULL (no single rule) there is no explain tail. Returns the
 * new length. */
static size_t fit_warning(char *buf, size_t n, size_t cap, size_t head,
                          size_t brief, const char *id)
{
    static const char ell[] = "\xE2\x80\xA6";  /* U+2026 */
    char tail[REVIEW_WARN_MAX_LEN + 1];
    size_t tlen = 0, avail, cut, i;

    if (n <= REVIEW_WARN_MAX_LEN)
        return n;
    if (id)
        tlen = (size_t)snprintf(tail, sizeof(tail), " (rfguard explain %s)",
                                id);
    cut = head + brief;
    if (brief > 0 && cut < n && cut <= REVIEW_WARN_MAX_LEN) {
        if (id && cut + tlen <= REVIEW_WARN_MAX_LEN) {
            memcpy(buf + cut, tail, tlen);
            cut += tlen;
        }
        buf[cut] = '\0';
        return cut;
    }
    /* The tail and the ellipsis must leave room for a few words. */
    if (tlen + sizeof(ell) - 1 + head + 16 > REVIEW_WARN_MAX_LEN ||
        cap <= REVIEW_WARN_MAX_LEN)
        return cut_line(buf, n, REVIEW_WARN_MAX_LEN);
    avail = REVIEW_WARN_MAX_LEN - tlen - (sizeof(ell) - 1);
    /* buf[cut] is the first byte left out: cut at a space. */
    cut = avail;
    while (cut > head && buf[cut] != ' ')
        cut--;
    /* A clause end (", ", ": ", "; ", " (") past the first third of the
     * room reads better than a word in the middle of a clause. */
    for (i = cut; i > head + (avail - head) / 3; i--) {
        if (buf[i] == ' ' && (strchr(",:;", buf[i - 1]) != NULL ||
                              buf[i + 1] == '(')) {
            cut = i;
            break;
        }
    }
    if (cut == head) {
        /* One word longer than the line: cut it on a UTF-8 boundary. */
        cut = avail;
        while (cut > head && ((unsigned char)buf[cut] & 0xC0) == 0x80)
            cut--;
    }
    while (cut > head && dangling(buf[cut - 1]))
        cut--;
    memcpy(buf + cut, ell, sizeof(ell) - 1);
    cut += sizeof(ell) - 1;
    memcpy(buf + cut, tail, tlen);
    cut += tlen;
    buf[cut] = '\0';
    return cut;
}

/* The k-th warning line: warn findings first, then skipped rules, as
 * "[id] msg" and "[id] skipped: reason"; with `held`, the k-th fix held
 * back on UPDATE instead. Fitted by fit_warning, findings by their brief
 * (a skip reason is the user's own text, with no brief). Returns its
 * length. */
static size_t warning_line(char *buf, size_t cap,
                           const struct rules_result *res, size_t k,
                           bool held)
{
    const struct rule_desc *rule = NULL;
    const char *id = "?";
    size_t i, seen = 0, brief = 0;
    int w = -1;

    if (held && k < res->nheld) {
        rule = res->held[k].rule;
        id = rule ? rule->id : "?";
        w = snprintf(buf, cap, "[%s] %s", id,
                     res->held[k].msg ? res->held[k].msg : "");
        brief = res->held[k].msg ? rules_msg_brief(res->held[k].msg) : 0;
    }
    if (held)
        goto out;
    for (i = 0; i < res->len && w < 0; i++) {
        const struct finding *f = &res->v[i];

        if (f->sev != RFG_SEV_WARN || seen++ != k)
            continue;
        rule = f->rule;
        id = rule ? rule->id : "?";
        w = snprintf(buf, cap, "[%s] %s", id, f->msg ? f->msg : "");
        brief = f->msg ? rules_msg_brief(f->msg) : 0;
    }
    for (i = 0; i < res->nskipped && w < 0; i++) {
        const struct rule_skip *sk = &res->skipped[i];

        if (seen++ != k)
            continue;
        rule = sk->rule;
        id = rule ? rule->id : "all rules";
        w = snprintf(buf, cap, "[%s] skipped: %s", id,
                     sk->reason ? sk->reason : "");
    }
out:
    if (w < 0)
        return 0;
    return fit_warning(buf, (size_t)w < cap ? (size_t)w : cap - 1, cap,
                       strlen(id) + 3, brief, rule ? rule->id : NULL);
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

/* status.message for a denial: every denying rule, in catalogue order,
 * then where to read more: "; see `rfguard explain ID`". */
static int deny_message(struct sbuf *msg, const struct review_req *req,
                        const struct rules_result *res)
{
    const char *kind = req->rkind ? rf_kind_name(req->rkind) : req->kind;
    const char *first = NULL;
    bool several = false;
    size_t i, n = 0;
    int rc;

    if (req->ns[0])
        rc = sbuf_printf(msg, "rfguard denied %s %s/%s: ", kind, req->ns,
                         req->name);
    else
        rc = sbuf_printf(msg, "rfguard denied %s %s: ", kind, req->name);
    for (i = 0; !rc && i < res->len; i++) {
        const struct finding *f = &res->v[i];

        if (f->sev != RFG_SEV_DENY)
            continue;
        if (!first && f->rule)
            first = f->rule->id;
        else if (f->rule && strcmp(first, f->rule->id) != 0)
            several = true;
        rc = sbuf_printf(msg, "%s[%s] %s", n++ ? "; " : "",
                         f->rule ? f->rule->id : "?", f->msg ? f->msg : "");
    }
    /* Where the reader learns why and how to fix: `rfguard explain`. */
    if (!rc && first && several)
        rc = sbuf_printf(msg, "; see `rfguard explain RULE` for each rule "
                              "id above, e.g. `rfguard explain %s`", first);
    else if (!rc && first)
        rc = sbuf_printf(msg, "; see `rfguard explain %s`", first);
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
        rc = sbuf_add_json_str(&b, req->version == REVIEW_V1
                                       ? REVIEW_API_V1
                                       : REVIEW_API_V1BETA1);
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
