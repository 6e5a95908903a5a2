/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_spread.c - per-cluster placement. The operator
 * puts every redis pod of a failover in one StatefulSet and every sentinel
 * in one Deployment; only anti-affinity and topology spread whose selector
 * pins *this* failover's pods (name, component, part-of) spread them over
 * nodes and zones independently of other failovers. The operator's own
 * redisfailovers.databases.spotahome.com/name label pins the failover as
 * well as name and part-of do, unless the failover's labels override it.
 * A term or selector of the wrong type is schema-type's: skipped here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"
#include "sbuf.h"

#define PAA "podAntiAffinity"
#define REQ "requiredDuringSchedulingIgnoredDuringExecution"
#define PREF "preferredDuringSchedulingIgnoredDuringExecution"
#define TSC "topologySpreadConstraints"

/* Value `key` is pinned to by a selector (matchLabels, or matchExpressions
 * "In" with a single value), or NULL. */
static const char *pin_value(const cJSON *sel, const char *key)
{
    const char *v = json_str(json_get(sel, "matchLabels"), key);
    const cJSON *e;

    if (v)
        return v;
    cJSON_ArrayForEach(e, rf_list(sel, "matchExpressions")) {
        const cJSON *vals = rf_list(e, "values");
        const char *k = json_str(e, "key"), *op = json_str(e, "operator");

        if (k && op && !strcmp(k, key) && !strcmp(op, "In") &&
            cJSON_GetArraySize(vals) == 1 &&
            cJSON_IsString(cJSON_GetArrayItem(vals, 0)))
            return cJSON_GetArrayItem(vals, 0)->valuestring;
    }
    return NULL;
}

/* Is `term` a map whose labelSelector, when there, has the types the
 * API server accepts (rf_selector_typed)? It rejects anything else
 * (schema-type), so the scope rules leave it alone. */
static bool well_typed(const cJSON *term, const cJSON *sel)
{
    return cJSON_IsObject(term) && rf_selector_typed(sel);
}

/* Room for a selector's pointer: the longest format, "sentinel" and a
 * 20-digit index take 138 bytes. */
#define SEL_PTR 160

/* Where a selector is: its term's list and index, spelled out as a
 * pointer (sel_ptr) only when a rule reports or fixes something. */
struct sel_at {
    const char *cn;             /* the component's name */
    enum rule_term_list at;     /* the list of its term */
    size_t i;                   /* the index in that list */
};

/* The JSON pointer to the selector at `a`, in `p`. */
static const char *sel_ptr(const struct sel_at *a, char p[SEL_PTR])
{
    /* the formats fit SEL_PTR whatever the index */
    if (a->at == RULE_TERM_REQ)
        snprintf(p, SEL_PTR,
                 "/spec/%s/affinity/" PAA "/" REQ "/%zu/labelSelector", a->cn,
                 a->i);
    else if (a->at == RULE_TERM_PREF)
        snprintf(p, SEL_PTR,
                 "/spec/%s/affinity/" PAA "/" PREF
                 "/%zu/podAffinityTerm/labelSelector",
                 a->cn, a->i);
    else
        snprintf(p, SEL_PTR, "/spec/%s/" TSC "/%zu/labelSelector", a->cn,
                 a->i);
    return p;
}

/* Visit every label selector of component `c`: fn(sel or NULL, where),
 * leaving out the terms that are not well_typed; from the list
 * rule_terms keeps for the object under evaluation, or (a fix's working
 * copy, which the calls change) from the object itself. */
typedef int (*sel_fn)(struct rule_ctx *ctx, enum rf_component c,
                      const cJSON *sel, const struct sel_at *at, void *arg);

static int each_selector(struct rule_ctx *ctx, const cJSON *obj,
                         enum rf_component c, sel_fn fn, void *arg)
{
    const cJSON *spec, *paa, *t, *sel;
    const struct rule_term *v;
    struct sel_at at;
    size_t n, k;
    int rc;

    at.cn = rf_component_name(c);
    if (obj == rule_obj(ctx) && (v = rule_terms(ctx, c, &n)) != NULL) {
        for (k = 0; k < n; k++) {
            if (!v[k].sel_ok)
                continue;
            at.at = v[k].list;
            at.i = v[k].i;
            if ((rc = fn(ctx, c, v[k].sel, &at, arg)))
                return rc;
        }
        return RFG_OK;
    }
    spec = rule_spec_of(ctx, obj, c);
    paa = json_get(json_get(spec, "affinity"), PAA);
    at.at = RULE_TERM_REQ;
    at.i = 0;
    cJSON_ArrayForEach(t, rf_list(paa, REQ)) {
        sel = json_get(t, "labelSelector");
        if (well_typed(t, sel) && (rc = fn(ctx, c, sel, &at, arg)))
            return rc;
        at.i++;
    }
    at.at = RULE_TERM_PREF;
    at.i = 0;
    cJSON_ArrayForEach(t, rf_list(paa, PREF)) {
        const cJSON *term = json_get(t, "podAffinityTerm");

        sel = json_get(term, "labelSelector");
        if (well_typed(term, sel) && (rc = fn(ctx, c, sel, &at, arg)))
            return rc;
        at.i++;
    }
    at.at = RULE_TERM_TSC;
    at.i = 0;
    cJSON_ArrayForEach(t, rf_list(spec, TSC)) {
        sel = json_get(t, "labelSelector");
        if (well_typed(t, sel) && (rc = fn(ctx, c, sel, &at, arg)))
            return rc;
        at.i++;
    }
    return RFG_OK;
}

struct pin {
    const char *key;
    const char *want;
    bool failover;  /* names the failover: the RF-name label stands in */
};

static void pins_for(struct pin pins[3], const char *rf, enum rf_component c)
{
    pins[0] = (struct pin){RF_LABEL_NAME, rf, true};
    pins[1] = (struct pin){RF_LABEL_COMPONENT, rf_component_name(c), false};
    pins[2] = (struct pin){RF_LABEL_PART_OF, RF_PART_OF, true};
}

/* Does `sel` pin the operator's redisfailovers.databases.spotahome.com/name
 * label to this failover's name, and do the failover's pods carry that
 * value? Its own metadata.labels may override the label (with a value
 * other failovers may share), and then it pins nothing. */
static bool pins_rf_label(const char *rf, const struct rf_label *labels,
                          size_t nlabels, const cJSON *sel)
{
    const char *v = pin_value(sel, RF_LABEL_RF_NAME);
    const char *l;

    if (!rf || !v || strcmp(v, rf))
        return false;
    l = labels ? rf_label_get(labels, nlabels, RF_LABEL_RF_NAME) : NULL;
    return l && !strcmp(l, rf);
}

/* pins_rf_label of the failover under evaluation. */
static bool pins_own_rf_label(struct rule_ctx *ctx, const cJSON *sel,
                              enum rf_component c)
{
    const char *rf = rule_name(ctx);
    const char *v = pin_value(sel, RF_LABEL_RF_NAME);
    const struct rf_label *labels;
    size_t n;

    if (!rf || !v || strcmp(v, rf))
        return false; /* decided before the labels are built */
    labels = rule_pod_label_list(ctx, c, &n);
    return pins_rf_label(rf, labels, n, sel);
}

/* pins_rf_label of a fix's working copy. */
static bool pins_work_rf_label(const cJSON *work, const cJSON *sel,
                               enum rf_component c)
{
    const char *rf = rf_name(work);
    const char *v = pin_value(sel, RF_LABEL_RF_NAME);
    struct rf_label small[16], *labels;
    size_t n;
    bool ok;

    if (!rf || !v || strcmp(v, rf))
        return false;
    labels = rf_pod_label_list(work, c, small,
                               sizeof(small) / sizeof(small[0]), &n);
    ok = pins_rf_label(rf, labels, n, sel);
    if (labels != small)
        free(labels);
    return ok;
}

/* Is pin `p` met by `sel`, directly or (for the failover's identity)
 * through the RF-name label (`by_rf`)? */
static bool pin_met(const cJSON *sel, const struct pin *p, bool by_rf)
{
    const char *v = pin_value(sel, p->key);

    return (v && json_streq(v, p->want)) || (p->failover && by_rf);
}

static int scope_check_one(struct rule_ctx *ctx, enum rf_component c,
                           const cJSON *sel, const struct sel_at *at,
                           void *arg)
{
    const char *rf = rule_name(ctx);
    bool by_rf = sel && pins_own_rf_label(ctx, sel, c);
    bool failover_pinned = true;
    struct pin pins[3];
    char missing[256] = "", ptr[SEL_PTR];
    size_t i, used = 0;

    (void)arg;
    pins_for(pins, rf, c);
    for (i = 0; i < 3; i++) {
        if (pin_met(sel, &pins[i], by_rf))
            continue;
        if (pins[i].failover)
            failover_pinned = false;
        used += (size_t)snprintf(missing + used, sizeof(missing) - used,
                                 "%s%s=%s", used ? ", " : "", pins[i].key,
                                 pins[i].want);
        if (used >= sizeof(missing))
            break;
    }
    if (!*missing)
        return RFG_OK;
    sel_ptr(at, ptr);
    if (failover_pinned) {
        rule_report(ctx, RULE_STRONG, ptr,
                    "pin app.kubernetes.io/component in matchLabels",
                    "label selector does not pin the %s component: it "
                    "lacks %s, so it also counts this failover's %s pods, "
                    "and its %s pods are not spread on their own",
                    rf_component_name(c), missing,
                    rf_component_name(c == RF_REDIS ? RF_SENTINEL : RF_REDIS),
                    rf_component_name(c));
        return RFG_OK;
    }
    rule_report(ctx, RULE_STRONG, ptr,
                "pin app.kubernetes.io/name, app.kubernetes.io/component and "
                "app.kubernetes.io/part-of in matchLabels",
                "%s selector does not pin this failover: it lacks %s, so "
                "it counts the pods of other failovers, and this "
                "failover's %s pods are not spread",
                sel ? "label" : "missing label", missing,
                rf_component_name(c));
    return RFG_OK;
}

static void check_scope(struct rule_ctx *ctx, enum rf_component c)
{
    if (!rule_name(ctx))
        return;
    (void)each_selector(ctx, rule_obj(ctx), c, scope_check_one, NULL);
}

static void check_redis_spread_scope(struct rule_ctx *ctx)
{
    check_scope(ctx, RF_REDIS);
}

static void check_sentinel_spread_scope(struct rule_ctx *ctx)
{
    check_scope(ctx, RF_SENTINEL);
}

struct fix_arg {
    const cJSON *work;
};

/* Add the missing pins to one selector through matchLabels. */
static int scope_fix_one(struct rule_ctx *ctx, enum rf_component c,
                         const cJSON *sel, const struct sel_at *at,
                         void *arg)
{
    struct fix_arg *fa = arg;
    bool own = fa->work == rule_obj(ctx);   /* no earlier fix changed it */
    const char *rf = own ? rule_name(ctx) : rf_name(fa->work);
    const cJSON *ml;
    bool by_rf = own ? pins_own_rf_label(ctx, sel, c)
                     : pins_work_rf_label(fa->work, sel, c);
    struct pin pins[3];
    struct sbuf p;
    size_t i;
    int rc = RFG_OK;
    char ptr[SEL_PTR];

    pins_for(pins, rf, c);
    /* the usual selector pins all three: nothing to add */
    for (i = 0; i < 3 && pin_met(sel, &pins[i], by_rf); i++)
        ;
    if (i == 3)
        return RFG_OK;
    sel_ptr(at, ptr);
    ml = json_get(sel, "matchLabels");
    if (!ml) {
        bool any = false;

        for (i = 0; i < 3; i++)
            any |= !pin_value(sel, pins[i].key) &&
                   !pin_met(sel, &pins[i], by_rf);
        if (!any)
            return RFG_OK; /* pinned wrongly via matchExpressions */
        sbuf_init(&p, 0);
        rc = sbuf_adds(&p, ptr);
        if (!rc)
            rc = jptr_append(&p, "matchLabels");
        if (!rc) {
            cJSON *v = cJSON_CreateObject();

            for (i = 0; v && i < 3; i++)
                if (!pin_value(sel, pins[i].key) &&
                    !pin_met(sel, &pins[i], by_rf) &&
                    !cJSON_AddStringToObject(v, pins[i].key, pins[i].want)) {
                    cJSON_Delete(v);
                    v = NULL;
                }
            rc = rule_fix_add(ctx, sbuf_str(&p), v);
        }
        sbuf_cleanup(&p);
        return rc;
    }
    for (i = 0; i < 3 && !rc; i++) {
        const char *have = json_str(ml, pins[i].key);
        const char *pv = pin_value(sel, pins[i].key);

        if (pin_met(sel, &pins[i], by_rf))
            continue;
        if (!have && pv)
            continue; /* pinned wrongly via matchExpressions: leave it */
        sbuf_init(&p, 0);
        rc = sbuf_adds(&p, ptr);
        if (!rc)
            rc = jptr_append(&p, "matchLabels");
        if (!rc)
            rc = jptr_append(&p, pins[i].key);
        if (!rc)
            rc = have ? rule_fix_replace(ctx, sbuf_str(&p),
                                         cJSON_CreateString(pins[i].want))
                      : rule_fix_add(ctx, sbuf_str(&p),
                                     cJSON_CreateString(pins[i].want));
        sbuf_cleanup(&p);
    }
    return rc;
}

/* A missing labelSelector gets the whole per-cluster selector. */
static int scope_fix_dispatch(struct rule_ctx *ctx, enum rf_component c,
                              const cJSON *sel, const struct sel_at *at,
                              void *arg)
{
    struct fix_arg *fa = arg;
    char ptr[SEL_PTR];

    if (!sel) {
        cJSON *v = cJSON_CreateObject();
        cJSON *ml = rf_selector_labels(rf_name(fa->work), c);

        if (!v || !ml || !cJSON_AddItemToObject(v, "matchLabels", ml)) {
            cJSON_Delete(v);
            cJSON_Delete(ml);
            return RFG_ENOMEM;
        }
        return rule_fix_add(ctx, sel_ptr(at, ptr), v);
    }
    return scope_fix_one(ctx, c, sel, at, arg);
}

static int fix_scope(struct rule_ctx *ctx, enum rf_component c,
                     const cJSON *work)
{
    struct fix_arg fa = {work};

    if (!rf_name(work))
        return RFG_OK;
    return each_selector(ctx, work, c, scope_fix_dispatch, &fa);
}

static int fix_redis_spread_scope(struct rule_ctx *ctx, const cJSON *work)
{
    return fix_scope(ctx, RF_REDIS, work);
}

static int fix_sentinel_spread_scope(struct rule_ctx *ctx, const cJSON *work)
{
    return fix_scope(ctx, RF_SENTINEL, work);
}

/* The per-failover podAntiAffinity over nodes: preferred (weight 100)
 * by default, so that with fewer nodes than replicas the pods still
 * schedule; the rule's `mode: required` makes it a hard constraint. */
static cJSON *anti_affinity(struct rule_ctx *ctx, const char *rf,
                            enum rf_component c)
{
    const cJSON *mode = rule_param(ctx, "mode");
    bool preferred = !cJSON_IsString(mode) ||
                     strcmp(mode->valuestring, "required");
    cJSON *paa = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    cJSON *term = cJSON_CreateObject();
    cJSON *sel = cJSON_CreateObject();
    cJSON *ml = rf_selector_labels(rf, c);
    cJSON *item = NULL;

    if (!paa || !list || !term || !sel || !ml)
        goto fail;
    if (!cJSON_AddStringToObject(term, "topologyKey",
                                 "kubernetes.io/hostname") ||
        !cJSON_AddItemToObject(sel, "matchLabels", ml))
        goto fail;
    ml = NULL;
    if (!cJSON_AddItemToObject(term, "labelSelector", sel))
        goto fail;
    sel = NULL;
    if (preferred) {
        item = cJSON_CreateObject();
        if (!item || !cJSON_AddNumberToObject(item, "weight", 100) ||
            !cJSON_AddItemToObject(item, "podAffinityTerm", term))
            goto fail;
        term = NULL;
    } else {
        item = term;
        term = NULL;
    }
    if (!cJSON_AddItemToArray(list, item))
        goto fail;
    item = NULL;
    if (!cJSON_AddItemToObject(paa, preferred ? PREF : REQ, list))
        goto fail;
    return paa;
fail:
    cJSON_Delete(item);
    cJSON_Delete(term);
    cJSON_Delete(sel);
    cJSON_Delete(ml);
    if (paa && !cJSON_GetObjectItemCaseSensitive(paa, REQ) &&
        !cJSON_GetObjectItemCaseSensitive(paa, PREF))
        cJSON_Delete(list);
    cJSON_Delete(paa);
    return NULL;
}

static cJSON *zone_spread(const char *rf, enum rf_component c)
{
    cJSON *list = cJSON_CreateArray();
    cJSON *t = cJSON_CreateObject();
    cJSON *sel = cJSON_CreateObject();
    cJSON *ml = rf_selector_labels(rf, c);

    if (!list || !t || !sel || !ml ||
        !cJSON_AddNumberToObject(t, "maxSkew", 1) ||
        !cJSON_AddStringToObject(t, "topologyKey",
                                 "topology.kubernetes.io/zone") ||
        !cJSON_AddStringToObject(t, "whenUnsatisfiable", "ScheduleAnyway"))
        goto fail;
    if (!cJSON_AddItemToObject(sel, "matchLabels", ml))
        goto fail;
    ml = NULL;
    if (!cJSON_AddItemToObject(t, "labelSelector", sel))
        goto fail;
    sel = NULL;
    if (!cJSON_AddItemToArray(list, t))
        goto fail;
    return list;
fail:
    cJSON_Delete(ml);
    cJSON_Delete(sel);
    cJSON_Delete(t);
    cJSON_Delete(list);
    return NULL;
}

/* Is spec.<c> (or spec) there with a type other than map? Its rules
 * then say nothing: schema-type reports it. */
static bool comp_mistyped(const struct rule_ctx *ctx, const cJSON *obj,
                          enum rf_component c)
{
    return !rule_comp_typed(ctx, obj, c);
}

static void check_affinity_drops_default(struct rule_ctx *ctx)
{
    int c;

    for (c = RF_REDIS; c <= RF_SENTINEL; c++) {
        const cJSON *aff = json_get(rule_spec(ctx, c), "affinity");
        char ptr[64];

        if (!cJSON_IsObject(aff) || json_get(aff, PAA))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/affinity",
                 rf_component_name(c));
        rule_report(ctx, RULE_STRONG, ptr,
                    "add a podAntiAffinity that pins this failover's pods",
                    "spec.%s.affinity has no podAntiAffinity: it replaces "
                    "the operator's default spread, so all %s pods may land "
                    "on one node",
                    rf_component_name(c), rf_component_name(c));
    }
}

static int fix_affinity_drops_default(struct rule_ctx *ctx, const cJSON *work)
{
    const char *rf = rf_name(work);
    int c, rc = RFG_OK;

    for (c = RF_REDIS; c <= RF_SENTINEL && !rc && rf; c++) {
        const cJSON *aff = json_get(rf_component_spec(work, c), "affinity");
        const char *keys[] = {"spec", rf_component_name(c), "affinity", PAA};

        if (!cJSON_IsObject(aff) || json_get(aff, PAA))
            continue;
        rc = rule_fix_add_nested(ctx, keys, 4, anti_affinity(ctx, rf, c));
    }
    return rc;
}

/* Does component `c` have a spread of its own? An affinity or a list of
 * constraints of the wrong type counts as one: schema-type reports it,
 * and a fix could not add to it. */
static bool has_spread(const struct rule_ctx *ctx, const cJSON *obj,
                       enum rf_component c)
{
    const cJSON *spec = rule_spec_of(ctx, obj, c);
    const cJSON *aff = json_get(spec, "affinity"), *tsc = json_get(spec, TSC);

    return (aff && !cJSON_IsNull(aff) && !cJSON_IsObject(aff)) ||
           json_get(aff, PAA) ||
           (tsc && !cJSON_IsNull(tsc) && !cJSON_IsArray(tsc)) ||
           cJSON_GetArraySize(tsc) > 0;
}

static void check_spread_missing(struct rule_ctx *ctx)
{
    int c;

    for (c = RF_REDIS; c <= RF_SENTINEL; c++) {
        char ptr[64];

        if (has_spread(ctx, rule_obj(ctx), c) ||
            comp_mistyped(ctx, rule_obj(ctx), c))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s", rf_component_name(c));
        rule_report(ctx, RULE_STRONG, ptr,
                    "add a podAntiAffinity and a topologySpreadConstraint "
                    "that pin this failover's pods ('rfguard fix' shows the "
                    "patch)",
                    "%s pods have no anti-affinity or topology spread of "
                    "their own: the operator's default is soft, so all of "
                    "them may land on one node or zone",
                    rf_component_name(c));
    }
}

static int fix_spread_missing(struct rule_ctx *ctx, const cJSON *work)
{
    const char *rf = rf_name(work);
    bool zones = rule_param_bool(ctx, "zoneSpread", true);
    int c, rc = RFG_OK;

    for (c = RF_REDIS; c <= RF_SENTINEL && !rc && rf; c++) {
        const char *k1[] = {"spec", rf_component_name(c), "affinity", PAA};
        const char *k2[] = {"spec", rf_component_name(c), TSC};

        if (has_spread(ctx, work, c) || comp_mistyped(ctx, work, c))
            continue;
        rc = rule_fix_add_nested(ctx, k1, 4, anti_affinity(ctx, rf, c));
        if (!rc && zones)
            rc = rule_fix_add_nested(ctx, k2, 3, zone_spread(rf, c));
    }
    return rc;
}

/* The spread rules, in catalogue order. */
static const struct rule_desc spread_rules[] = {
    {
        .id = "redis-spread-selector-scope",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "redis anti-affinity and topology spread selectors pin this "
            "failover's redis pods",
        .check = check_redis_spread_scope,
        .fix = fix_redis_spread_scope,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "sentinel-spread-selector-scope",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "sentinel anti-affinity and topology spread selectors pin this "
            "failover's sentinel pods",
        .check = check_sentinel_spread_scope,
        .fix = fix_sentinel_spread_scope,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "affinity-drops-default-spread",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "an affinity without podAntiAffinity replaces the operator's "
            "default spread",
        .params = "mode",
        .check = check_affinity_drops_default,
        .fix = fix_affinity_drops_default,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "spread-missing",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "redis and sentinel pods are spread over nodes and zones",
        .params = "mode zoneSpread",
        .check = check_spread_missing,
        .fix = fix_spread_missing,
        .flags = RULE_FIX_IF_FOUND,
    },
};

RULE_FAMILY(spread, spread_rules);
