/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_impl.h - what rule implementations share: how a rule_<family>.c
 * file exports its descriptor table (RULE_FAMILY), and small helpers for
 * reading objects and building fix ops. Private to rules*.c / rule_*.c;
 * not the engine's internals (rules_engine.h).
 */
#ifndef RFG_RULES_IMPL_H
#define RFG_RULES_IMPL_H

#include "jpatch.h"
#include "json.h"
#include "quantity.h"
#include "rules.h"

/* Fix ops, for fix functions only: each appends one op to the patch and
 * applies it to the working copy at once (see rule_fix_fn). `value` is
 * owned by the call, on failure too; NULL means out of memory. */
int rule_fix_add(struct rule_ctx *ctx, const char *path, cJSON *value)
    RFG_MUST_CHECK;
int rule_fix_replace(struct rule_ctx *ctx, const char *path, cJSON *value)
    RFG_MUST_CHECK;
int rule_fix_remove(struct rule_ctx *ctx, const char *path) RFG_MUST_CHECK;
/* Add `value` (owned) at the path made of `keys` (unescaped tokens),
 * creating missing parent objects inside the value as needed, so the op
 * applies to the working copy as it is now. */
int rule_fix_add_nested(struct rule_ctx *ctx, const char *const *keys,
                        size_t nkeys, cJSON *value) RFG_MUST_CHECK;

/* How the object's rfguard.io/skip annotation treats rule `d`, were it
 * named there with a good reason (skip-annotation reports the rest). */
enum rule_skip_state {
    RULE_SKIP_MOOT,     /* d is off under the policy or does not apply */
    RULE_SKIP_WARN,     /* d is a warn rule: skipped */
    RULE_SKIP_GRANTED,  /* a deny rule the policy lets this object skip */
    RULE_SKIP_REFUSED   /* a deny rule it does not: *why says why */
};
enum rule_skip_state rule_skip_check(const struct rule_ctx *ctx,
                                     const struct rule_desc *d,
                                     enum policy_skip_verdict *why);
/* The policy in force, and who asks (NULL: no user, offline). */
const struct policy_set *rule_policy(const struct rule_ctx *ctx);
/* The current rule's severity under the policy, and the number of
 * denying findings of the rules before it. */
enum rfg_sev rule_sev(const struct rule_ctx *ctx);
size_t rule_ndeny(const struct rule_ctx *ctx);
/* The kind of the object under evaluation (enum rf_kind). */
enum rf_kind rule_kind(const struct rule_ctx *ctx);
/* The target that checks kind `k` in this evaluation (the input's
 * target set, else the policy's): other objects of the view are checked
 * under it. */
enum rf_target rule_target_of(const struct rule_ctx *ctx, enum rf_kind k);
/* The descriptor of the rule being checked. */
const struct rule_desc *rule_current(const struct rule_ctx *ctx);
/* Report `msg` as is with severity `sev` (WARN or DENY) instead of the
 * rule's: a claim that could not be made, per onUnavailable. */
void rule_report_sev(struct rule_ctx *ctx, enum rfg_sev sev,
                     const char *ptr, const char *msg);

/* The object's fields most rules read, looked up once per evaluation
 * (rf_fields_init): the same as rf_component_spec, rf_name,
 * rf_secret_path, rf_replicas and rf_redis_port of rule_obj(ctx). Fix
 * functions read their working copy with the rf_* getters instead. */
const cJSON *rule_spec(const struct rule_ctx *ctx, enum rf_component c);
/* rf_component_spec(obj, c): looked up once when `obj` is rule_obj(ctx),
 * for helpers that read the object or a fix's working copy. */
const cJSON *rule_spec_of(const struct rule_ctx *ctx, const cJSON *obj,
                          enum rf_component c);
const char *rule_name(const struct rule_ctx *ctx);
/* Are spec and spec.<c> of `obj` maps or absent? From the fields read
 * once when `obj` is rule_obj(ctx). */
bool rule_comp_typed(const struct rule_ctx *ctx, const cJSON *obj,
                     enum rf_component c);
/* rf_strings(rule_spec_of(ctx, obj, c), "customConfig"), read once
 * when `obj` is rule_obj(ctx). */
const cJSON *rule_custom_config(const struct rule_ctx *ctx, const cJSON *obj,
                                enum rf_component c);
/* rf_redis_port_valid and rf_host_network of rule_obj(ctx), read once. */
bool rule_redis_port_valid(const struct rule_ctx *ctx);
bool rule_host_network(const struct rule_ctx *ctx);
/* rf_replicas_valid(obj, c), read once when `obj` is rule_obj(ctx). */
bool rule_replicas_valid(const struct rule_ctx *ctx, const cJSON *obj,
                         enum rf_component c);
const char *rule_secret_path(const struct rule_ctx *ctx);
int rule_replicas(const struct rule_ctx *ctx, enum rf_component c);
int rule_redis_port(const struct rule_ctx *ctx);
/* rf_pod_labels(rule_obj(ctx), c), built on first use and kept until
 * the evaluation ends. Borrowed; NULL on OOM. */
const cJSON *rule_pod_labels(struct rule_ctx *ctx, enum rf_component c);
/* The same labels as rf_pod_label_list, built on first use and kept
 * until the evaluation ends; *n is their count. Borrowed; NULL on OOM. */
const struct rf_label *rule_pod_label_list(struct rule_ctx *ctx,
                                           enum rf_component c, size_t *n);

/* One anti-affinity term or topology spread constraint of a component,
 * as the placement and spread rules visit them. */
enum rule_term_list { RULE_TERM_REQ, RULE_TERM_PREF, RULE_TERM_TSC };
struct rule_term {
    const cJSON *term;  /* the required term, the preferred term's
                           podAffinityTerm, or the constraint; any type,
                           or NULL */
    const cJSON *sel;   /* its labelSelector, or NULL */
    enum rule_term_list list;
    size_t i;           /* its index in that list */
    bool sel_ok;        /* `term` is a map and `sel` has the types the API
                           server accepts (rf_selector_typed) */
    bool keys_ok;       /* sel_ok, and topologyKey (when there) a string
                           and namespaces (when there) a list */
};
/* The terms of component `c` of rule_obj(ctx), in order: required
 * anti-affinity terms, preferred ones, spread constraints. Collected on
 * first use and kept until the evaluation ends, so that the rules which
 * visit them all look the lists up once. Borrowed; NULL (with *n 0) when
 * out of memory: then the caller walks the object itself. */
const struct rule_term *rule_terms(struct rule_ctx *ctx, enum rf_component c,
                                   size_t *n);

/* Cluster helpers shared by the cluster rules. rj_view: the view with
 * its class index, built on first use under a lock (lint's workers
 * share one view; serve's snapshots come built); NULL without a view,
 * or on ENOMEM (then the evaluation fails). rj_self: the view's
 * CVIEW_C_SELF group of the object under evaluation (CVIEW_END when
 * the view has none of its entries), which the rules leave out. */
const struct cview *rj_view(struct rule_ctx *ctx);
size_t rj_self(const struct rule_ctx *ctx);

/* A rule family: the descriptors one rule_<family>.c file exports, in
 * catalogue order. Its check and fix functions are static in that file;
 * the engine (rules.c) lists the families in catalogue order, which is
 * the order rules are evaluated and fixes compose in. */
struct rule_family {
    const struct rule_desc *v;  /* borrowed, static */
    size_t n;
};

/* Export static array `table` as family `name` (rules_family_<name>). */
#define RULE_FAMILY(name, table)                                        \
    extern const struct rule_family rules_family_##name;                \
    const struct rule_family rules_family_##name = {                    \
        (table), sizeof(table) / sizeof((table)[0])}

#endif
