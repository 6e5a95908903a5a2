/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_schema.c - the schema-* rules (CRD structural schema of the target,
 * see schema.h). The schema is walked once per evaluation; each rule
 * reports the issues of its kind. Fields that a dedicated rule explains
 * better are left to it. Not the object's own exemptions: rule_skip.c.
 */
#include <string.h>

#include "rules_impl.h"

/* Pruned fields with a rule of their own (disablemymaster-pruned, which
 * runs for the Spotahome targets only: a Freshworks CRD given by --crd
 * or read from the cluster may lack the field too, pdb-disable-noop). */
static bool has_own_rule(const struct rule_ctx *ctx, const char *ptr)
{
    if (!strcmp(ptr, "/spec/sentinel/disableMyMaster"))
        return rule_target(ctx) != RF_TARGET_FRESHWORKS_V33;
    return !strcmp(ptr, "/spec/redis/disablePodDisruptionBudget") ||
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
                             has_own_rule(ctx, x->ptr)))
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

static void check_schema_unknown_field(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_UNKNOWN_FIELD);
}

static void check_schema_type(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_TYPE);
}

static void check_schema_enum(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_ENUM);
}

static void check_schema_required(struct rule_ctx *ctx)
{
    report_kind(ctx, SCHEMA_REQUIRED);
}

/* The schema rules, in catalogue order. */
static const struct rule_desc schema_rules[] = {
    {
        .id = "schema-unknown-field",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "every field is in the target CRD's schema (the API server "
            "prunes unknown fields silently)",
        .check = check_schema_unknown_field,
    },
    {
        .id = "schema-type",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "every value has the type the target CRD wants (int-or-string, "
            "int32, quantities)",
        .check = check_schema_type,
    },
    {
        .id = "schema-enum",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "enumerated fields (e.g. freshworks spec.engine) hold an "
            "allowed value",
        .check = check_schema_enum,
    },
    {
        .id = "schema-required",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "fields the target CRD requires are present (spec, container "
            "names, selector keys...)",
        .check = check_schema_required,
    },
};

RULE_FAMILY(schema, schema_rules);
