/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_skip.c - skip governance: which rules an object's rfguard.io/skip
 * annotation skips (a reason is required; warn rules always, deny rules
 * only as the policy's spec.skips grants), and the record of every skip
 * in the result. What the annotation gets wrong is reported by the
 * skip-annotation rule (rule_skip.c), not here.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rules_engine.h"

void rules_add_skip(struct rule_ctx *ctx, const struct rule_desc *d,
                    const char *fmt, ...)
{
    struct rules_result *r = ctx->res;
    va_list ap;
    char *reason;

    if (ctx->err)
        return;
    if (r->nskipped == r->capskipped) {
        size_t ncap = r->capskipped ? r->capskipped * 2 : 4;
        struct rule_skip *nv = realloc(r->skipped, ncap * sizeof(*nv));

        if (!nv) {
            ctx->err = RFG_ENOMEM;
            return;
        }
        r->skipped = nv;
        r->capskipped = ncap;
    }
    va_start(ap, fmt);
    reason = rules_vfmt(fmt, ap);
    va_end(ap);
    if (!reason) {
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->skipped[r->nskipped].rule = d;
    r->skipped[r->nskipped].reason = reason;
    r->nskipped++;
}

/* Does the comma-separated list `list` name `id`? */
static bool list_has(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;

    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t len;

        while (*p == ' ' || *p == '\t')
            p++;
        len = e ? (size_t)(e - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && !strncmp(p, id, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

bool rules_skip_reason_ok(const char *reason)
{
    const unsigned char *p;
    size_t n = 0;

    /* Count characters (UTF-8 lead bytes), not bytes, and no blanks. */
    for (p = (const unsigned char *)reason; p && *p; p++)
        if (!isspace(*p) && (*p & 0xC0) != 0x80)
            n++;
    return n >= RULES_SKIP_REASON_MIN;
}

/* The object's rfguard.io/skip list, honoured only with a good reason
 * (the skip-annotation rule reports one without). */
void rules_read_skip(struct rule_ctx *ctx)
{
    const cJSON *ann = json_get(json_get(ctx->in->obj, "metadata"),
                              "annotations");
    const char *skip = json_str(ann, RULES_SKIP_ANNOTATION);
    const char *reason = json_str(ann, RULES_SKIP_REASON_ANNOTATION);

    if (!skip || !rules_skip_reason_ok(reason))
        return;
    ctx->skip = skip;
    ctx->skip_reason = reason;
}

const struct policy_set *rule_policy(const struct rule_ctx *ctx)
{
    return ctx->in->pol;
}

enum rule_skip_state rule_skip_check(const struct rule_ctx *ctx,
                                     const struct rule_desc *d,
                                     enum policy_skip_verdict *why)
{
    enum rfg_sev sev = rules_sev_of(ctx, d);

    *why = POLICY_SKIP_ALLOWED;
    if (sev == RFG_SEV_OFF || !rules_applies(d, ctx))
        return RULE_SKIP_MOOT;
    if (sev == RFG_SEV_WARN)
        return RULE_SKIP_WARN;
    *why = policy_skip_allowed(ctx->in->pol, d->id, ctx->ns, ctx->in->user);
    return *why == POLICY_SKIP_ALLOWED ? RULE_SKIP_GRANTED
                                       : RULE_SKIP_REFUSED;
}

/* True if the object's annotation skips `d`: it names `d`, gives a
 * reason, and `d` warns or is a deny rule the policy lets this object
 * and user skip. A RULE_NO_SKIP rule (the one that reports skips)
 * cannot be skipped. */
bool rules_skipped(const struct rule_ctx *ctx, const struct rule_desc *d)
{
    enum policy_skip_verdict why;
    enum rule_skip_state st;

    if (!ctx->skip || (d->flags & RULE_NO_SKIP) ||
        !list_has(ctx->skip, d->id))
        return false;
    st = rule_skip_check(ctx, d, &why);
    return st == RULE_SKIP_WARN || st == RULE_SKIP_GRANTED;
}
