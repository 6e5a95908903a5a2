/* SPDX-License-Identifier: Apache-2.0
 *
 * rules.c - the catalogue and the evaluation loop. The catalogue is the
 * family tables of the rule_<family>.c files, in the order listed below,
 * copied once into one array; evaluation runs every rule that is on and
 * applies, in that order, then the fixes in the same order (rules_fix.c).
 * Knows no rule by its id: what a rule needs (cluster view, UPDATE,
 * skips) is in its descriptor. Pure: no I/O, no clock; the only global is
 * the catalogue, written once and read-only after.
 */
#include "rules.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rules_engine.h"

/* The rule families in catalogue order: the order findings are reported
 * in and fixes compose in (goldens depend on it). A new rule goes into
 * its family's table; a new family adds one line here. */
#define RULES_FAMILIES(X)                                               \
    X(schema)                                                           \
    X(identity)                                                         \
    X(opstree)                                                          \
    X(auth)                                                             \
    X(spread)                                                           \
    X(placement)                                                        \
    X(basic)                                                            \
    X(replicas)                                                         \
    X(labels)                                                           \
    X(update)                                                           \
    X(images)                                                           \
    X(config)                                                           \
    X(renames)                                                          \
    X(storage)                                                          \
    X(refs)                                                             \
    X(misc)                                                             \
    X(dupes)                                                            \
    X(skip)

#define RULES_DECLARE(f) extern const struct rule_family rules_family_##f;
RULES_FAMILIES(RULES_DECLARE)
#undef RULES_DECLARE

#define RULES_REF(f) &rules_family_##f,
static const struct rule_family *const families[] = {
    RULES_FAMILIES(RULES_REF)
};
#undef RULES_REF

/* Room for the flat catalogue; test_rules checks the headroom. */
#define RULES_MAX 256

static struct rule_desc catalog[RULES_MAX];
static size_t ncatalog;
static pthread_once_t catalog_once = PTHREAD_ONCE_INIT;

/* Copy the family tables into `catalog`, in order. Runs once. */
static void catalog_build(void)
{
    size_t f, i;

    for (f = 0; f < sizeof(families) / sizeof(families[0]); f++)
        for (i = 0; i < families[f]->n; i++) {
            /* a programmer error, caught by any test run */
            assert(ncatalog < RULES_MAX);
            if (ncatalog == RULES_MAX)
                abort();
            catalog[ncatalog] = families[f]->v[i];
            if (!catalog[ncatalog].params)
                catalog[ncatalog].params = "";
            ncatalog++;
        }
}

const struct rule_desc *rules_catalog(size_t *n)
{
    if (pthread_once(&catalog_once, catalog_build))
        abort();
    *n = ncatalog;
    return catalog;
}

const struct rule_desc *rules_find(const char *id)
{
    const struct rule_desc *cat;
    size_t i, n;

    cat = rules_catalog(&n);
    for (i = 0; i < n; i++)
        if (!strcmp(cat[i].id, id))
            return &cat[i];
    return NULL;
}

enum rfg_sev rules_severity(const struct rule_desc *r,
                            const struct policy_set *pol)
{
    return policy_rule_sev(pol, r->id, r->default_sev);
}

int rules_plan_new(struct rules_plan **out, const struct policy_set *pol)
{
    const struct rule_desc *cat;
    struct rules_plan *p = calloc(1, sizeof(*p));
    size_t i, n;

    *out = NULL;
    cat = rules_catalog(&n);
    if (!p)
        return RFG_ENOMEM;
    p->pr = calloc(n + 1, sizeof(*p->pr));
    p->sev = calloc(n + 1, sizeof(*p->sev));
    if (!p->pr || !p->sev) {
        rules_plan_free(p);
        return RFG_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        p->pr[i] = policy_rule_get(pol, cat[i].id);
        p->sev[i] = rules_severity(&cat[i], pol);
    }
    *out = p;
    return RFG_OK;
}

void rules_plan_free(struct rules_plan *p)
{
    if (!p)
        return;
    free(p->pr);
    free(p->sev);
    free(p);
}

/* rules_ctx_set_rule's body, inlined into rules_eval's loop over the
 * catalog, which runs it for every rule of every review. */
static inline void set_rule(struct rule_ctx *ctx, size_t i)
{
    const struct rules_input *in = ctx->in;
    const struct rule_desc *d = &catalog[i];

    ctx->cur = d;
    ctx->pr = in->plan ? in->plan->pr[i] : policy_rule_get(in->pol, d->id);
    ctx->sev = in->plan ? in->plan->sev[i] : rules_severity(d, in->pol);
}

void rules_ctx_set_rule(struct rule_ctx *ctx, size_t i)
{
    set_rule(ctx, i);
}

unsigned rules_kinds(const struct rule_desc *d)
{
    return d->kinds ? d->kinds : (unsigned)RF_KIND_FAILOVER;
}

bool rules_applies(const struct rule_desc *d, const struct rule_ctx *ctx)
{
    if (!(d->targets & ctx->target) || !(rules_kinds(d) & ctx->kind))
        return false;
    if ((d->flags & RULE_UPDATE_ONLY) && !ctx->in->old)
        return false;
    return true;
}

enum rfg_sev rules_sev_of(const struct rule_ctx *ctx,
                          const struct rule_desc *d)
{
    const struct rules_input *in = ctx->in;

    return in->plan ? in->plan->sev[d - catalog]
                    : rules_severity(d, in->pol);
}

enum rfg_sev rules_unavailable_severity(const struct rule_desc *r,
                                        const struct policy_set *pol)
{
    const struct policy_rule *pr = policy_rule_get(pol, r->id);
    const cJSON *v = pr ? cJSON_GetObjectItemCaseSensitive(pr->params,
                                                           "onUnavailable")
                        : NULL;

    if (cJSON_IsString(v) && !strcmp(v->valuestring, "deny"))
        return RFG_SEV_DENY;
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "warn"))
        return RFG_SEV_WARN;
    return rules_severity(r, pol);
}

/* The cluster view is stale: say the rule could not be checked, unless
 * its needs_view hook says it would not have looked. */
static void report_unavailable(struct rule_ctx *ctx)
{
    ctx->sev = rules_unavailable_severity(ctx->cur, ctx->in->pol);
    if (ctx->sev == RFG_SEV_OFF ||
        (ctx->cur->needs_view && !ctx->cur->needs_view(ctx)))
        return;
    rule_report(ctx, RULE_STRONG, "", "rfguard cannot read the cluster "
                "from the API server; retry when it is back",
                "cannot verify: %s", ctx->in->cv_unavailable);
}

int rules_eval(struct rules_result *out, const struct rules_input *in)
{
    const struct rule_desc *cat;
    struct rule_ctx ctx;
    size_t i, n;

    cat = rules_catalog(&n);
    memset(out, 0, sizeof(*out));
    memset(&ctx, 0, sizeof(ctx));
    ctx.in = in;
    ctx.res = out;
    ctx.kind = rf_kind_of(in->obj);
    ctx.target = rf_target_pick(in->target ? in->target : in->pol->target,
                                ctx.kind);
    ctx.ns = rf_namespace(in->obj, in->default_ns ? in->default_ns
                                                  : "default");
    if (in->want_fix) {
        out->patch = cJSON_CreateArray();
        if (!out->patch)
            return RFG_ENOMEM;
    }
    if (in->op == RULES_DELETE || in->op == RULES_CONNECT || !ctx.kind)
        return RFG_OK;
    if (ctx.kind == RF_KIND_FAILOVER)
        rf_fields_init(&ctx.f, in->obj);
    else
        ctx.f.name = rf_name(in->obj);
    if (policy_ns_exempt(in->pol, ctx.ns)) {
        if (in->phase != RULES_PHASE_CLUSTER) /* said once, not twice */
            rules_add_skip(&ctx, NULL,
                           "namespace %s is exempt under policy %s", ctx.ns,
                           in->pol->name ? in->pol->name : "");
        goto out;
    }
    rules_read_skip(&ctx);
    for (i = 0; i < n && !ctx.err; i++) {
        const struct rule_desc *d = &cat[i];

        set_rule(&ctx, i);
        if (ctx.sev == RFG_SEV_OFF || !rules_applies(d, &ctx))
            continue;
        if ((in->phase == RULES_PHASE_LOCAL && (d->flags & RULE_CLUSTER)) ||
            (in->phase == RULES_PHASE_CLUSTER && !(d->flags & RULE_CLUSTER)))
            continue;
        /* most reviews ask to skip nothing: no call then */
        if (ctx.skip && rules_skipped(&ctx, d)) {
            rules_add_skip(&ctx, d, "%s", ctx.skip_reason);
            continue;
        }
        if ((d->flags & RULE_CLUSTER) && in->cv_unavailable) {
            report_unavailable(&ctx);
            continue;
        }
        d->check(&ctx);
    }
    if (!ctx.err && in->want_fix && in->pol->mutations)
        ctx.err = rules_run_fixes(&ctx);
out:
    cJSON_Delete(ctx.pod_labels[RF_REDIS]);
    cJSON_Delete(ctx.pod_labels[RF_SENTINEL]);
    if (ctx.pod_list[RF_REDIS] != ctx.pod_small[RF_REDIS])
        free(ctx.pod_list[RF_REDIS]);
    if (ctx.pod_list[RF_SENTINEL] != ctx.pod_small[RF_SENTINEL])
        free(ctx.pod_list[RF_SENTINEL]);
    free(ctx.terms[RF_REDIS]);
    free(ctx.terms[RF_SENTINEL]);
    schema_issues_cleanup(&ctx.schema);
    if (ctx.err) {
        rules_result_cleanup(out);
        return ctx.err;
    }
    return RFG_OK;
}
