/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_policy.c - check a loaded policy against the catalogue: rule ids
 * (with a "did you mean"), parameters, and the rules spec.skips names.
 * The policy's own structure is policy.c's job; evaluating objects is
 * rules.c's.
 */
#include <stdio.h>
#include <string.h>

#include "rules_engine.h"

static bool has_param(const struct rule_desc *d, const char *name)
{
    const char *p = d->params;
    size_t n = strlen(name);

    while (p && *p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && !strncmp(p, name, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Report `id`, not a rule, at `pos`, with the closest rule id. `where`
 * says in what list ("" or " in skips.denyRules"). */
static int unknown_rule(struct diag_list *dl, const struct src_pos *pos,
                        const char *id, const char *where)
{
    const struct rule_desc *cat;
    const char *best = NULL;
    size_t j, n, bestd = 4;

    cat = rules_catalog(&n);
    for (j = 0; j < n; j++) {
        size_t dist = schema_edit_distance(id, cat[j].id, false);

        if (dist < bestd) {
            bestd = dist;
            best = cat[j].id;
        }
    }
    if (best)
        return diag_fail(dl, RFG_EINVAL, pos,
                         "unknown rule \"%s\"%s (did you mean \"%s\"?)", id,
                         where, best);
    return diag_fail(dl, RFG_EINVAL, pos,
                     "unknown rule \"%s\"%s (see 'rfguard rules')", id,
                     where);
}

int rules_policy_check(const struct policy_set *pol, struct diag_list *dl)
{
    const char *saved = dl->file;
    size_t i, j;
    int rc = RFG_OK;

    dl->file = pol->file;
    for (i = 0; i < pol->nrules; i++) {
        const struct policy_rule *pr = &pol->rules[i];
        const struct rule_desc *d = rules_find(pr->id);
        const cJSON *p;

        if (!d) {
            rc = unknown_rule(dl, &pr->pos, pr->id, "");
            continue;
        }
        cJSON_ArrayForEach(p, pr->params) {
            if ((d->flags & RULE_CLUSTER) &&
                !strcmp(p->string, "onUnavailable")) {
                if (!cJSON_IsString(p) ||
                    (strcmp(p->valuestring, "deny") &&
                     strcmp(p->valuestring, "warn")))
                    rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                                   "rule \"%s\": onUnavailable must be "
                                   "deny or warn", pr->id);
                continue;
            }
            if (!has_param(d, p->string))
                rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                               "rule \"%s\" has no parameter \"%s\"%s%s%s",
                               pr->id, p->string,
                               *d->params ? " (parameters: " : "",
                               d->params, *d->params ? ")" : "");
            else if (!strcmp(p->string, "mode") &&
                     (!cJSON_IsString(p) ||
                      (strcmp(p->valuestring, "preferred") &&
                       strcmp(p->valuestring, "required"))))
                rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                               "rule \"%s\": mode must be preferred or "
                               "required", pr->id);
        }
    }
    for (i = 0; i < pol->nskips; i++) {
        const struct policy_skip_grant *g = &pol->skips[i];

        for (j = 0; j < g->nrules; j++) {
            if (!rules_find(g->rules[j]))
                rc = unknown_rule(dl, &g->rule_pos[j], g->rules[j],
                                  " in skips.denyRules");
            else if (rules_find(g->rules[j])->flags & RULE_NO_SKIP)
                rc = diag_fail(dl, RFG_EINVAL, &g->rule_pos[j],
                               "%s cannot be skipped: it is what reports a "
                               "refused or unexplained skip", g->rules[j]);
        }
    }
    dl->file = saved;
    return rc;
}
