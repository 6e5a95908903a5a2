/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_schema.c - the schema-* rules (CRD structural schema of the target,
 * see schema.h) and skip-annotation (the object's own exemptions: a
 * reason is required, and a deny rule is skipped only where the policy's
 * spec.skips allows it). The
 * schema is walked once per evaluation; each rule reports the issues of
 * its kind. Fields that a dedicated rule explains better are left to it.
 */
#include <string.h>

#include "rules_impl.h"

/* Pruned fields with a rule of their own (disablemymaster-pruned,
 * pdb-disable-noop). */
static bool has_own_rule(const char *ptr)
{
    return !strcmp(ptr, "/spec/sentinel/disableMyMaster") ||
           !strcmp(ptr, "/spec/redis/disablePodDisruptionBudget") ||
           !strcmp(ptr, "/spec/sentinel/disablePodDisruptionBudget");
}

/* At most this many findings of one kind per object: a hostile object
 * with 100k unknown keys gets 50 findings and a count, so neither the
 * output nor the work of placing each finding grows without bound. */
#define SCHEMA_MAX_REPORTED 50

static void report_kind(struct rule_ctx *ctx, enum schema_kind k)
{
    const struct schema_issues *is = rule_schema_issues(ctx);
    const struct schema_issue *first_dropped = NULL;
    size_t i, n = 0, dropped = 0;

    for (i = 0; is && i < is->len; i++) {
        const struct schema_issue *x = &is->v[i];

        if (x->kind != k || (k == SCHEMA_UNKNOWN_FIELD &&
                             has_own_rule(x->ptr)))
            continue;
        if (n++ >= SCHEMA_MAX_REPORTED) {
            if (!first_dropped)
                first_dropped = x;
            dropped++;
            continue;
        }
        rule_report_msg(ctx, RULE_STRONG, x->ptr, x->hint, x->msg);
    }
    if (dropped)
        rule_report(ctx, RULE_STRONG, first_dropped->ptr, NULL,
                    "... and %zu more like the above (only the first %d are "
                    "listed)",
                    dropped, SCHEMA_MAX_REPORTED);
}

void check_schema_unknown_field(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_UNKNOWN_FIELD);
}

void check_schema_type(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_TYPE);
}

void check_schema_enum(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_ENUM);
}

void check_schema_required(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_REQUIRED);
}

#define SKIP_PTR "/metadata/annotations/rfguard.io~1skip"
#define REASON_PTR "/metadata/annotations/rfguard.io~1skip-reason"

/* The annotation names deny rule `id`, which the policy does not let
 * this object (or this user) skip: say why. The rule itself is checked
 * as usual, so its own finding still denies; this one only warns, and
 * is quiet when the rule is off or does not apply. */
static void report_refused(struct rule_ctx *ctx, const char *id)
{
    const struct rules_input *in = rule_input(ctx);
    const struct policy_set *pol = rule_policy(ctx);
    const char *pname = pol->name ? pol->name : "";
    enum policy_skip_verdict why;

    if (rule_skip_check(ctx, rules_find(id), &why) != RULE_SKIP_REFUSED)
        return;
    switch (why) {
    case POLICY_SKIP_NAMESPACE:
        rule_report(ctx, RULE_WEAK, SKIP_PTR,
                    "the policy's spec.skips names the namespaces where "
                    "this rule may be skipped",
                    "%s is not skipped: policy %s allows that skip in "
                    "other namespaces, not in %s",
                    id, pname, rule_ns(ctx));
        break;
    case POLICY_SKIP_USER:
        rule_report(ctx, RULE_WEAK, SKIP_PTR,
                    "the policy's spec.skips names the users and groups "
                    "who may skip this rule",
                    "%s is not skipped: user %s may not skip it under "
                    "policy %s",
                    id, in->user && in->user->name ? in->user->name : "(none)",
                    pname);
        break;
    case POLICY_SKIP_NO_USER:
        rule_report(ctx, RULE_WEAK, SKIP_PTR,
                    "offline there is no user to check; the admission "
                    "webhook honours the skip for the users and groups "
                    "the policy's spec.skips names",
                    "%s is not skipped offline: policy %s lets only some "
                    "users or groups skip it",
                    id, pname);
        break;
    case POLICY_SKIP_ALLOWED:
    case POLICY_SKIP_RULE:
    default:
        rule_report(ctx, RULE_WEAK, SKIP_PTR,
                    "fix what the rule reports; to allow the skip, a "
                    "cluster admin lists the rule in the policy's "
                    "spec.skips.denyRules",
                    "%s is not skipped: it is a deny rule and policy %s "
                    "lets no annotation skip it",
                    id, pname);
        break;
    }
}

void check_skip_annotation(struct rule_ctx *ctx)
{
    const cJSON *ann = json_get(json_get(rule_obj(ctx), "metadata"),
                              "annotations");
    const cJSON *skip = json_get(ann, RULES_SKIP_ANNOTATION);
    const char *reason = json_str(ann, RULES_SKIP_REASON_ANNOTATION);
    const char *p, *q;
    bool reason_ok = rules_skip_reason_ok(reason);
    char id[128];

    if (!skip)
        return;
    if (!cJSON_IsString(skip)) {
        rule_report(ctx, RULE_STRONG, SKIP_PTR,
                    "write the rule ids as one string: \"rule-a,rule-b\"",
                    "annotation " RULES_SKIP_ANNOTATION " is not a string, "
                    "so no rule is skipped");
        return;
    }
    for (p = reason; p && (*p == ' ' || *p == '\t' || *p == '\n'); p++)
        ;
    if (!p || !*p)
        rule_report(ctx, RULE_STRONG, SKIP_PTR,
                    "add annotation " RULES_SKIP_REASON_ANNOTATION
                    " saying why these rules do not apply",
                    "annotation " RULES_SKIP_ANNOTATION " (\"%.80s\") has no "
                    RULES_SKIP_REASON_ANNOTATION ": an exemption must say "
                    "why, so no rule is skipped",
                    skip->valuestring);
    else if (!reason_ok)
        rule_report(ctx, RULE_STRONG, REASON_PTR,
                    "say what makes the rules not apply here, e.g. \"cache "
                    "only, rebuilt nightly\" or a ticket id",
                    "annotation " RULES_SKIP_REASON_ANNOTATION " (\"%s\") is "
                    "too short (at least %d characters), so no rule is "
                    "skipped",
                    reason, RULES_SKIP_REASON_MIN);
    /* Name every id that is not a rule: a typo exempts nothing. Name
     * every deny rule the policy does not let this object skip. */
    for (p = skip->valuestring; p && *p; p = q ? q + 1 : NULL) {
        size_t n;

        q = strchr(p, ',');
        while (*p == ' ' || *p == '\t')
            p++;
        n = q ? (size_t)(q - p) : strlen(p);
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (!n || n >= sizeof(id))
            continue;
        memcpy(id, p, n);
        id[n] = '\0';
        if (!rules_find(id))
            rule_report(ctx, RULE_WEAK, SKIP_PTR,
                        "see 'rfguard rules' for the rule ids",
                        "annotation " RULES_SKIP_ANNOTATION " names \"%s\", "
                        "which is not a rule: it exempts nothing", id);
        else if (!strcmp(id, "skip-annotation"))
            rule_report(ctx, RULE_WEAK, SKIP_PTR, NULL,
                        "skip-annotation cannot be skipped");
        else if (reason_ok)
            report_refused(ctx, id);
    }
}
