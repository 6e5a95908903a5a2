/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_placement.c - the finer placement rules: selectors
 * on the runtime role label, selectors that cannot match this failover's
 * pods (and the deprecated zone key), and anti-affinity that counts
 * same-named failovers of other namespaces. The scope rules and the
 * reference mutation are in rule_spread.c. Terms, selectors and lists of
 * the wrong type are schema-type's to report: skipped here.
 */
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"
#include "sbuf.h"

#define PAA "podAntiAffinity"
#define REQ "requiredDuringSchedulingIgnoredDuringExecution"
#define PREF "preferredDuringSchedulingIgnoredDuringExecution"
#define TSC "topologySpreadConstraints"
#define OLD_ZONE "failure-domain.beta.kubernetes.io/zone"
#define NEW_ZONE "topology.kubernetes.io/zone"

static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};

/* One anti-affinity term or spread constraint. */
struct term {
    const cJSON *term;      /* holds topologyKey, namespaces... */
    const cJSON *sel;       /* its labelSelector, may be NULL */
    enum rule_term_list at; /* the list it is in */
    const char *cn;         /* the component's name */
    size_t i;               /* the index in its list */
    bool affinity;          /* an anti-affinity term (not a TSC) */
};

/* Room for a term's pointer (term_ptr). */
#define TERM_PTR 192

/* The JSON pointer to term `t`, in `buf`; built only when a rule
 * reports or fixes something, not for every term it looks at. */
static const char *term_ptr(const struct term *t, char buf[TERM_PTR])
{
    if (t->at == RULE_TERM_REQ)
        snprintf(buf, TERM_PTR, "/spec/%s/affinity/" PAA "/" REQ "/%zu",
                 t->cn, t->i);
    else if (t->at == RULE_TERM_PREF)
        snprintf(buf, TERM_PTR,
                 "/spec/%s/affinity/" PAA "/" PREF "/%zu/podAffinityTerm",
                 t->cn, t->i);
    else
        snprintf(buf, TERM_PTR, "/spec/%s/" TSC "/%zu", t->cn, t->i);
    return buf;
}

typedef void (*term_fn)(struct rule_ctx *ctx, enum rf_component c,
                        const struct term *t, void *arg);

/* Is term `t` a map whose selector, when there, has the types the API
 * server accepts (rf_selector_typed), and its topologyKey a string? */
static bool well_typed(const struct term *t)
{
    return cJSON_IsObject(t->term) && rf_selector_typed(t->sel) &&
           !rf_not_string(json_get(t->term, "topologyKey")) &&
           !rf_not_list(json_get(t->term, "namespaces"));
}

/* Call fn for each well-typed term of component `c`: from the list
 * rule_terms keeps for the object under evaluation, or (a fix's working
 * copy, which the calls change) from the object itself. */
static void each_term(struct rule_ctx *ctx, const cJSON *obj,
                      enum rf_component c, term_fn fn, void *arg)
{
    const cJSON *spec, *paa, *e;
    const struct rule_term *v;
    struct term t;
    size_t n, k;

    t.cn = rf_component_name(c);
    if (obj == rule_obj(ctx) && (v = rule_terms(ctx, c, &n)) != NULL) {
        for (k = 0; k < n; k++) {
            if (!v[k].keys_ok)
                continue;
            t.term = v[k].term;
            t.sel = v[k].sel;
            t.at = v[k].list;
            t.i = v[k].i;
            t.affinity = v[k].list != RULE_TERM_TSC;
            fn(ctx, c, &t, arg);
        }
        return;
    }
    spec = rule_spec_of(ctx, obj, c);
    paa = json_get(json_get(spec, "affinity"), PAA);
    t.i = 0;
    t.at = RULE_TERM_REQ;
    cJSON_ArrayForEach(e, rf_list(paa, REQ)) {
        t.term = e;
        t.sel = json_get(e, "labelSelector");
        t.affinity = true;
        if (well_typed(&t))
            fn(ctx, c, &t, arg);
        t.i++;
    }
    t.i = 0;
    t.at = RULE_TERM_PREF;
    cJSON_ArrayForEach(e, rf_list(paa, PREF)) {
        t.term = json_get(e, "podAffinityTerm");
        t.sel = json_get(t.term, "labelSelector");
        t.affinity = true;
        if (well_typed(&t))
            fn(ctx, c, &t, arg);
        t.i++;
    }
    t.i = 0;
    t.at = RULE_TERM_TSC;
    cJSON_ArrayForEach(e, rf_list(spec, TSC)) {
        t.term = e;
        t.sel = json_get(e, "labelSelector");
        t.affinity = false;
        if (well_typed(&t))
            fn(ctx, c, &t, arg);
        t.i++;
    }
}

static void run(struct rule_ctx *ctx, const cJSON *obj, term_fn fn,
                void *arg)
{
    size_t i;

    for (i = 0; i < 2; i++)
        each_term(ctx, obj, comps[i], fn, arg);
}

/* ---- spread-selector-role ---- */

static void role_check(struct rule_ctx *ctx, enum rf_component c,
                       const struct term *t, void *arg)
{
    const cJSON *e;
    size_t i = 0;
    char ptr[256], tp[TERM_PTR];

    (void)c;
    (void)arg;
    if (json_get(json_get(t->sel, "matchLabels"), RF_LABEL_ROLE)) {
        snprintf(ptr, sizeof(ptr), "%s/labelSelector/matchLabels/%s",
                 term_ptr(t, tp), RF_LABEL_ROLE);
        rule_report(ctx, RULE_STRONG, ptr, "remove the role key",
                    "the selector uses " RF_LABEL_ROLE ", which the operator "
                    "flips at run time: the spread changes meaning on every "
                    "failover");
    }
    cJSON_ArrayForEach(e, rf_list(t->sel, "matchExpressions")) {
        const char *k = json_str(e, "key");

        if (k && !strcmp(k, RF_LABEL_ROLE)) {
            snprintf(ptr, sizeof(ptr), "%s/labelSelector/matchExpressions/%zu",
                     term_ptr(t, tp), i);
            rule_report(ctx, RULE_STRONG, ptr, "remove the expression",
                        "the selector uses " RF_LABEL_ROLE ", which the "
                        "operator flips at run time: the spread changes "
                        "meaning on every failover");
        }
        i++;
    }
}

static void check_spread_selector_role(struct rule_ctx *ctx)
{
    run(ctx, rule_obj(ctx), role_check, NULL);
}

struct fix_arg {
    int rc;
};

static void role_fix(struct rule_ctx *ctx, enum rf_component c,
                     const struct term *t, void *arg)
{
    struct fix_arg *fa = arg;
    const cJSON *exprs = rf_list(t->sel, "matchExpressions");
    const cJSON *e = json_last(exprs), *prev;
    char ptr[256], tp[TERM_PTR];
    int i;

    (void)c;
    if (fa->rc)
        return;
    if (json_get(json_get(t->sel, "matchLabels"), RF_LABEL_ROLE)) {
        snprintf(ptr, sizeof(ptr), "%s/labelSelector/matchLabels/%s",
                 term_ptr(t, tp), RF_LABEL_ROLE);
        fa->rc = rule_fix_remove(ctx, ptr);
    }
    /* From the end; each remove frees its entry, so step back first. */
    for (i = cJSON_GetArraySize(exprs) - 1; i >= 0 && !fa->rc;
         i--, e = prev) {
        const char *k = json_str(e, "key");

        prev = e->prev;
        if (!k || strcmp(k, RF_LABEL_ROLE))
            continue;
        snprintf(ptr, sizeof(ptr), "%s/labelSelector/matchExpressions/%d",
                 term_ptr(t, tp), i);
        fa->rc = rule_fix_remove(ctx, ptr);
    }
}

static int fix_spread_selector_role(struct rule_ctx *ctx, const cJSON *work)
{
    struct fix_arg fa = {RFG_OK};

    run(ctx, work, role_fix, &fa);
    return fa.rc;
}

/* ---- spread-selector-no-match ---- */

/* The pod labels a selector is matched against: v[0..n). */
struct labels {
    const struct rf_label *v;
    size_t n;
};

/* Does requirement `e` hold for `labels`? Unknown operators hold. */
static bool expr_matches(const cJSON *e, const struct labels *labels)
{
    const char *k = json_str(e, "key"), *op = json_str(e, "operator");
    const char *v;
    const cJSON *x;
    bool in = false;

    if (!k || !op || json_streq(k, RF_LABEL_ROLE))
        return true;
    v = rf_label_get(labels->v, labels->n, k);
    cJSON_ArrayForEach(x, rf_list(e, "values"))
        if (v && cJSON_IsString(x) && !strcmp(x->valuestring, v))
            in = true;
    if (!strcmp(op, "In"))
        return in;
    if (!strcmp(op, "NotIn"))
        return !in;
    if (!strcmp(op, "Exists"))
        return v != NULL;
    if (!strcmp(op, "DoesNotExist"))
        return v == NULL;
    return true;
}

/* The first key of `sel` that `labels` fails, or NULL when it matches. */
static const char *mismatch(const cJSON *sel, const struct labels *labels)
{
    const cJSON *m, *e;

    cJSON_ArrayForEach(m, rf_map(sel, "matchLabels")) {
        const char *v = rf_label_get(labels->v, labels->n, m->string);

        if (json_streq(m->string, RF_LABEL_ROLE) || !cJSON_IsString(m))
            continue; /* a value not a string is schema-type's */
        if (!v || strcmp(v, m->valuestring))
            return m->string;
    }
    cJSON_ArrayForEach(e, rf_list(sel, "matchExpressions"))
        if (!expr_matches(e, labels))
            return json_str(e, "key") ? json_str(e, "key") : "?";
    return NULL;
}

static void nomatch_check(struct rule_ctx *ctx, enum rf_component c,
                          const struct term *t, void *arg)
{
    const char *key = json_str(t->term, "topologyKey");
    const char *bad;
    char ptr[256], tp[TERM_PTR];
    struct labels labels;

    (void)arg;
    if (!rule_name(ctx))
        return; /* no name, or not a string: nothing to match */
    if (key && !strcmp(key, OLD_ZONE)) {
        snprintf(ptr, sizeof(ptr), "%s/topologyKey", term_ptr(t, tp));
        rule_report(ctx, RULE_STRONG, ptr,
                    "use topology.kubernetes.io/zone",
                    "topologyKey " OLD_ZONE " is deprecated: current nodes "
                    "lack the label, so the constraint spreads nothing");
    }
    if (!cJSON_IsObject(t->sel))
        return;
    labels.v = rule_pod_label_list(ctx, c, &labels.n);
    if (!labels.v)
        return;
    bad = mismatch(t->sel, &labels);
    if (bad) {
        snprintf(ptr, sizeof(ptr), "%s/labelSelector", term_ptr(t, tp));
        rule_report(ctx, RULE_STRONG, ptr,
                    "select the labels the operator puts on the pods: "
                    "app.kubernetes.io/name, component, part-of",
                    "the selector cannot match this failover's %s pods "
                    "(key %s): the %s is a no-op",
                    rf_component_name(c), bad,
                    t->affinity ? "anti-affinity" : "topology spread");
    }
}

static void check_spread_selector_no_match(struct rule_ctx *ctx)
{
    run(ctx, rule_obj(ctx), nomatch_check, NULL);
}

static void zone_fix(struct rule_ctx *ctx, enum rf_component c,
                     const struct term *t, void *arg)
{
    struct fix_arg *fa = arg;
    const char *key = json_str(t->term, "topologyKey");
    char ptr[256], tp[TERM_PTR];

    (void)c;
    if (fa->rc || !key || strcmp(key, OLD_ZONE))
        return;
    snprintf(ptr, sizeof(ptr), "%s/topologyKey", term_ptr(t, tp));
    fa->rc = rule_fix_replace(ctx, ptr, cJSON_CreateString(NEW_ZONE));
}

static int fix_spread_selector_no_match(struct rule_ctx *ctx,
                                        const cJSON *work)
{
    struct fix_arg fa = {RFG_OK};

    run(ctx, work, zone_fix, &fa);
    return fa.rc;
}

/* ---- spread-namespace-selector ---- */

static void ns_check(struct rule_ctx *ctx, enum rf_component c,
                     const struct term *t, void *arg)
{
    const cJSON *nss = rf_list(t->term, "namespaces"), *n;
    const char *other = NULL;
    char ptr[256], tp[TERM_PTR];

    (void)c;
    (void)arg;
    if (!t->affinity)
        return;
    cJSON_ArrayForEach(n, nss)
        if (cJSON_IsString(n) && strcmp(n->valuestring, rule_ns(ctx)))
            other = n->valuestring;
    if (json_get(t->term, "namespaceSelector")) {
        snprintf(ptr, sizeof(ptr), "%s/namespaceSelector", term_ptr(t, tp));
        rule_report(ctx, RULE_STRONG, ptr,
                    "drop namespaceSelector: per-failover spread belongs in "
                    "the failover's own namespace",
                    "the anti-affinity term has a namespaceSelector: it "
                    "also counts pods of same-named failovers in other "
                    "namespaces");
    } else if (other) {
        snprintf(ptr, sizeof(ptr), "%s/namespaces", term_ptr(t, tp));
        rule_report(ctx, RULE_STRONG, ptr,
                    "list only the failover's own namespace, or none",
                    "the anti-affinity term also looks at namespace %s: a "
                    "same-named failover's pods there would count", other);
    }
}

static void check_spread_namespace_selector(struct rule_ctx *ctx)
{
    run(ctx, rule_obj(ctx), ns_check, NULL);
}

/* The placement rules, in catalogue order. */
static const struct rule_desc placement_rules[] = {
    {
        .id = "spread-selector-role",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "spread selectors do not use the runtime redisfailovers-role "
            "label",
        .check = check_spread_selector_role,
        .fix = fix_spread_selector_role,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "spread-selector-no-match",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "spread selectors can match this failover's pods; no "
            "deprecated zone topologyKey",
        .check = check_spread_selector_no_match,
        .fix = fix_spread_selector_no_match,
    },
    {
        .id = "spread-namespace-selector",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "anti-affinity terms do not reach into other namespaces "
            "(namespaceSelector, namespaces)",
        .check = check_spread_namespace_selector,
    },
};

RULE_FAMILY(placement, placement_rules);
