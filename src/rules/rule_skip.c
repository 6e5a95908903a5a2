/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_skip.c - skip-annotation: the object's own exemptions. An
 * rfguard.io/skip annotation must give a reason, name real rules, and
 * skip a deny rule only where the policy's spec.skips allows it. Which
 * rules the engine then skips is the engine's business (rules_skip.c);
 * this rule only reports what it will not honour, and why.
 */
#include <string.h>

#include "rules_impl.h"

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

static void check_skip_annotation(struct rule_ctx *ctx)
{
    const cJSON *ann = json_get(json_get(rule_obj(ctx), "metadata"),
                              "annotations");
    const cJSON *skip = json_get(ann, RULES_SKIP_ANNOTATION);
    const char *reason = json_str(ann, RULES_SKIP_REASON_ANNOTATION);
    const char *p, *q;
    bool reason_ok = rules_skip_reason_ok(reason);
    const struct rule_desc *d;
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
                    "annotation " RULES_SKIP_ANNOTATION " has no "
                    RULES_SKIP_REASON_ANNOTATION ": an exemption (\"%.80s\") "
                    "must say why, so no rule is skipped",
                    skip->valuestring);
    else if (!reason_ok)
        rule_report(ctx, RULE_STRONG, REASON_PTR,
                    "say what makes the rules not apply here, e.g. \"cache "
                    "only, rebuilt nightly\" or a ticket id",
                    "annotation " RULES_SKIP_REASON_ANNOTATION " (\"%s\") is "
                    "too short: it needs at least %d characters, so no rule "
                    "is skipped",
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
        d = rules_find(id);
        if (!d)
            rule_report(ctx, RULE_WEAK, SKIP_PTR,
                        "see 'rfguard rules' for the rule ids",
                        "annotation " RULES_SKIP_ANNOTATION " names \"%s\", "
                        "which is not a rule: it exempts nothing", id);
        else if (d->flags & RULE_NO_SKIP)
            rule_report(ctx, RULE_WEAK, SKIP_PTR, NULL,
                        "%s cannot be skipped", id);
        else if (reason_ok)
            report_refused(ctx, id);
    }
}

/* The skip rules, in catalogue order. */
static const struct rule_desc skip_rules[] = {
    {
        .id = "skip-annotation",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .flags = RULE_NO_SKIP,
        .doc = "an rfguard.io/skip annotation gives a reason, names real "
            "rules, and skips deny rules only where the policy's spec.skips "
            "allows",
        .check = check_skip_annotation,
    },
};

RULE_FAMILY(skip, skip_rules);
