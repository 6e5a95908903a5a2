/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_engine.h - the engine's internals, shared by its files: the
 * evaluation context and what each part of the engine offers the others
 * (rules.c: catalogue and evaluation loop; rules_report.c: findings;
 * rules_skip.c: skip governance; rules_fix.c: fix application;
 * rules_policy.c: policy checks). Private to rules*.c: rule
 * implementations see rule_ctx only through rules.h and rules_impl.h.
 */
#ifndef RFG_RULES_ENGINE_H
#define RFG_RULES_ENGINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "rules_impl.h"
#include "schema.h"

/* Policy lookups of every catalogue rule, indexed like the catalogue. */
struct rules_plan {
    const struct policy_rule **pr;  /* owned array; entries borrowed */
    enum rfg_sev *sev;              /* owned array */
};

struct rule_ctx {
    const struct rules_input *in;
    const struct rule_desc *cur;
    const struct policy_rule *pr;
    enum rfg_sev sev;
    enum rf_target target;          /* the object's (rf_target_pick) */
    enum rf_kind kind;              /* the object's */
    const char *ns;
    struct rules_result *res;
    int err;
    struct rf_fields f;             /* of in->obj, filled once */
    cJSON *pod_labels[2];           /* owned; rule_pod_labels, built on
                                       first use */
    struct rf_label *pod_list[2];   /* rule_pod_label_list, on first use:
                                       pod_small[c] or owned */
    size_t npod[2];
    struct rf_label pod_small[2][12];
    struct rule_term *terms[2];     /* owned; rule_terms, on first use */
    size_t nterms[2];
    bool terms_done[2];
    struct schema_issues schema;    /* computed on first use */
    bool schema_done;
    const char *skip;               /* rfguard.io/skip, when it has a
                                       reason; borrowed */
    const char *skip_reason;
    /* run_fixes: the object with every fix op so far applied (each op
     * is applied as it is emitted, so the next one is computed against
     * the object as the earlier ones left it). NULL until the first op:
     * until then fixes read in->obj itself. The current rule's ops are
     * undone by replaying the earlier ones on a new copy. */
    cJSON *work;                    /* owned while fixes run, or NULL */
    bool emitted;                   /* the current rule emitted an op */
    bool need_work;                 /* it tried to while work was NULL */
    int patch_mark;                 /* ops in res->patch before it */
    bool pod_template;              /* one of them changes the pod
                                       template */
};

/* ---- rules.c ---- */
/* Make catalogue rule `i` the current one: its policy entry and its
 * severity under the policy in force. */
void rules_ctx_set_rule(struct rule_ctx *ctx, size_t i);
/* Does `d` apply to the object (target, UPDATE-only)? */
bool rules_applies(const struct rule_desc *d, const struct rule_ctx *ctx);
/* Severity of rule `d` under the policy in force. */
enum rfg_sev rules_sev_of(const struct rule_ctx *ctx,
                          const struct rule_desc *d);

/* ---- rules_report.c ---- */
/* Format into a new heap string with every %s argument shortened to
 * RULES_QUOTE_MAX characters; NULL on OOM. */
char *rules_vfmt(const char *fmt, va_list ap) RFG_PRINTF(1, 0);

/* ---- rules_skip.c ---- */
/* Record that rule `d` (NULL: every rule) was skipped, and why. */
void rules_add_skip(struct rule_ctx *ctx, const struct rule_desc *d,
                    const char *fmt, ...) RFG_PRINTF(3, 4);
/* Read the object's rfguard.io/skip annotation into ctx. */
void rules_read_skip(struct rule_ctx *ctx);
/* Does the object's annotation skip `d`? */
bool rules_skipped(const struct rule_ctx *ctx, const struct rule_desc *d);

/* ---- rules_fix.c ---- */
/* Run the fix of every rule that is on and applies, in catalogue order,
 * into ctx->res->patch (and ->held). Returns RFG_OK or RFG_ENOMEM. */
int rules_run_fixes(struct rule_ctx *ctx) RFG_MUST_CHECK;

#endif
