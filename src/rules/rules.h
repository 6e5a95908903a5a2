/* SPDX-License-Identifier: Apache-2.0
 *
 * rules.h - the rule engine. Pure: no I/O, no globals, no clocks. Given an
 * object (and, on UPDATE, the old object), a policy and a cluster view, it
 * returns findings and, when asked, the RFC 6902 patch that fixes what can
 * be fixed. Fixes are idempotent: fixing a fixed object yields no ops.
 * Findings carry JSON pointers, not source positions: callers that loaded
 * YAML map pointers to positions with jptr_deepest() + posmap_get().
 */
#ifndef RFG_RULES_H
#define RFG_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cview.h"
#include "diag.h"
#include "rf.h"
#include "policy.h"
#include "schema.h"

struct rule_ctx;

/* Strength of a single finding: STRONG takes the rule's severity, WEAK is
 * capped at warn (e.g. sentinel-replicas: fewer than 3 is strong, an even
 * count is weak). */
enum rule_strength { RULE_STRONG, RULE_WEAK };

typedef void (*rule_check_fn)(struct rule_ctx *ctx);
/* Fix the rule on `work` (the object with the fixes of earlier rules
 * already applied) by emitting ops with rule_fix_add(), _replace(),
 * _remove() and _add_nested() (rules_impl.h). Each op is applied to
 * `work` as it is emitted, so the next op sees it; nodes an op removes
 * or replaces are freed at once. Emit nothing when `work` needs nothing:
 * that is what makes fixes idempotent. Returns RFG_OK, RFG_ENOMEM, or
 * RFG_EINVAL when an op did not apply (the rule's ops are then dropped
 * and its finding stays). */
typedef int (*rule_fix_fn)(struct rule_ctx *ctx, const cJSON *work);

/* On UPDATE, a fix whose ops change the pod template the operator renders
 * (affinity, spread, images, resources, labels copied to pods...: every
 * field under spec.redis and spec.sentinel but replicas, customConfig,
 * customCommandRenames, storage PVC settings, disablePodDisruptionBudget
 * and disableMyMaster; spec.auth, spec.labelWhitelist, metadata.labels)
 * would make the operator restart every pod. Such a fix applies on
 * CREATE only, unless the policy says podTemplateMutations: always; on
 * UPDATE it is held back and reported in rules_result.held. */
enum rule_flags {
    RULE_UPDATE_ONLY = 1u << 0, /* needs the old object */
    RULE_CLUSTER = 1u << 1,     /* consults the cluster view */
    /* the fix never applies on UPDATE, whatever it changes (the field
     * is immutable there, or changing it is unsafe) */
    RULE_FIX_CREATE_ONLY = 1u << 2,
    /* an rfguard.io/skip annotation cannot skip the rule, nor can a
     * policy's spec.skips grant it: it is what reports the skips */
    RULE_NO_SKIP = 1u << 3,
    /* the fix changes the object only where the check reports: when the
     * check ran and found nothing, and no earlier fix changed the
     * object, the fix is not run (it would emit no op) */
    RULE_FIX_IF_FOUND = 1u << 4
};

/* Would a RULE_CLUSTER rule consult the cluster view for the object
 * (rule_obj(), rule_target())? A rule with nothing to look up has
 * nothing it cannot verify while the view is unavailable. */
typedef bool (*rule_view_fn)(const struct rule_ctx *ctx);

struct rule_desc {
    const char *id;
    enum rfg_sev default_sev;
    unsigned targets;         /* enum rf_target bits */
    unsigned kinds;           /* enum rf_kind bits; 0: RedisFailover */
    unsigned flags;           /* enum rule_flags */
    const char *doc;          /* one line: what it checks */
    const char *params;       /* space-separated parameter names, or ""
                                 (a family table may leave it NULL) */
    rule_check_fn check;
    rule_fix_fn fix;          /* NULL when the rule has no fix */
    rule_view_fn needs_view;  /* RULE_CLUSTER only; NULL: always */
};

enum rules_op { RULES_CREATE, RULES_UPDATE, RULES_DELETE, RULES_CONNECT };

/* Which rules to run: all, or (for a streaming linter) the ones that
 * need only the object, then the RULE_CLUSTER ones once the whole view
 * is known. */
enum rules_phase {
    RULES_PHASE_ALL = 0,
    RULES_PHASE_LOCAL,
    RULES_PHASE_CLUSTER
};

/* Policy lookups resolved once for many evaluations (a lint run): the
 * policy entry and severity of every catalogue rule. Optional. */
struct rules_plan;
int rules_plan_new(struct rules_plan **out, const struct policy_set *pol)
    RFG_MUST_CHECK;
void rules_plan_free(struct rules_plan *p);

/* A claim that an identity belongs to one failover across the cluster:
 * what the cluster identity rules (master-name-clusterwide-unique,
 * sentinel-identity-shared) ask the claim hook for when the view shows
 * no conflict, so that two failovers admitted at the same time cannot
 * both take it (the webhook's Lease claims). */
struct rules_claim {
    const char *identity;   /* "master/<name>" or rules_sentinel_identity */
    const char *what;       /* how messages name it */
    const char *why;        /* why a shared one is bad */
};
enum rules_claim_result {
    RULES_CLAIM_HELD = 0,        /* claimed, or already ours */
    RULES_CLAIM_TAKEN = 1,       /* another failover holds it */
    RULES_CLAIM_UNAVAILABLE = 2  /* cannot say: onUnavailable decides */
};
/* Claim `c` for the object under evaluation. Returns an enum
 * rules_claim_result, with the finding's message ("... is already
 * claimed by ...", "cannot verify: ...") in `msg` for TAKEN and
 * UNAVAILABLE, or a negative rfg_err (then treated as UNAVAILABLE). */
typedef int (*rules_claim_fn)(void *arg, const struct rules_claim *c,
                              char *msg, size_t msglen);
/* The sentinel identity of a failover whose sentinels monitor mymaster:
 * "sentinel/<port>/secret:<ns>/<secret>", or "sentinel/<port>/none"
 * without auth (the Secret names the password without revealing it).
 * False when it does not fit in `len`. */
bool rules_sentinel_identity(char *out, size_t len, int port,
                             const char *ns, const char *secret);

struct rules_input {
    enum rules_phase phase;         /* 0 = every rule */
    const struct rules_plan *plan;  /* borrowed; NULL = look up per call;
                                       must be made from `pol` */
    const cJSON *obj;               /* borrowed; the object to check */
    const cJSON *old;               /* borrowed; UPDATE only, else NULL */
    enum rules_op op;
    bool master_known;              /* the master pod's ordinal is known */
    int master_ordinal;             /* (scale-down-master) */
    const struct policy_set *pol;   /* borrowed; required */
    const struct cview *cv;         /* borrowed; NULL = no cluster view */
    /* 0 = the policy's; a set (rf_target_parse): each object is checked
     * under the target of its kind (rf_target_pick) */
    enum rf_target target;
    const char *default_ns;         /* namespace when metadata has none */
    /* Who asks (admission: request.userInfo), for the policy's
     * spec.skips; NULL when there is no user (rfguard lint, fix). */
    const struct policy_user *user;
    bool want_fix;                  /* compute the patch */
    /* Non-NULL when the cluster view may be stale, saying
     * why ("cluster view unavailable since ..."). RULE_CLUSTER rules then
     * do not check; each reports "cannot verify: <why>" as deny or warn
     * per its onUnavailable parameter (default: its severity). */
    const char *cv_unavailable;
    /* Claims: NULL = none (rfguard lint, /mutate). Called only when no
     * rule earlier in the catalogue denied the object; a lost claim is
     * a finding of the rule that asked. */
    rules_claim_fn claim;
    void *claim_arg;
};

struct finding {
    const struct rule_desc *rule;   /* borrowed from the catalogue */
    enum rfg_sev sev;               /* effective: WARN or DENY */
    char *ptr;                      /* owned RFC 6901 pointer */
    char *msg;                      /* owned */
    char *hint;                     /* owned; may be NULL */
};

/* A rule that did not run for this object, and why: the object's
 * rfguard.io/skip annotation (with its rfguard.io/skip-reason), or a
 * namespace exemption of the policy (then `rule` is NULL: every rule). */
struct rule_skip {
    const struct rule_desc *rule;   /* borrowed; NULL = every rule */
    char *reason;                   /* owned */
};

struct rules_result {
    struct finding *v;              /* owned; in catalogue order */
    size_t len, cap;
    size_t ndeny, nwarn;
    cJSON *patch;                   /* owned array of ops; NULL unless
                                       want_fix (then maybe empty) */
    struct rule_skip *skipped;      /* owned; in catalogue order */
    size_t nskipped, capskipped;
    /* Fixes held back on UPDATE because they change the pod template
     * (want_fix only): one WARN entry per rule, its pointer the first
     * op's path, its message naming `rfguard fix`. Not in ndeny/nwarn:
     * /mutate sends them as warnings. Owned; in catalogue order. */
    struct finding *held;
    size_t nheld, capheld;
};

/* Object annotations for exemptions: a comma-separated list of rule ids,
 * and the reason, which is required. A warn rule (its severity under
 * the policy) is skipped; a deny rule only when the policy's spec.skips
 * allows it for the object's namespace and the requesting user
 * (policy_skip_allowed); otherwise it is checked as usual and
 * skip-annotation warns why. */
#define RULES_SKIP_ANNOTATION "rfguard.io/skip"
#define RULES_SKIP_REASON_ANNOTATION "rfguard.io/skip-reason"
/* A reason has at least this many characters, not counting whitespace:
 * "x" or "n/a" is no reason. */
#define RULES_SKIP_REASON_MIN 10

/* Is `reason` (may be NULL) long enough to honour a skip? */
bool rules_skip_reason_ok(const char *reason);

/* Evaluate every rule that is on under the policy and applies to the
 * target. Returns RFG_OK (findings are not failures) or RFG_ENOMEM. */
int rules_eval(struct rules_result *out, const struct rules_input *in)
    RFG_MUST_CHECK;
void rules_result_cleanup(struct rules_result *r);

/* The kinds rule `d` checks (enum rf_kind bits). */
unsigned rules_kinds(const struct rule_desc *d);

/* The catalogue, in a stable order: one contiguous array, built once
 * (thread-safe) from the family tables of the rule_*.c files. Every
 * rule_desc pointer the engine hands out (findings, skips, rules_find)
 * points into it, so `d - rules_catalog(&n)` is a rule's index. */
const struct rule_desc *rules_catalog(size_t *n);
/* The rule named `id`, or NULL. */
const struct rule_desc *rules_find(const char *id);
/* Effective severity of `r` under `pol`: the policy's entry for it, else
 * the policy's spec.defaultSeverity, else the rule's default. */
enum rfg_sev rules_severity(const struct rule_desc *r,
                            const struct policy_set *pol);
/* What a RULE_CLUSTER rule does when the cluster view is unavailable:
 * its onUnavailable parameter ("deny" or "warn"), else its severity. */
enum rfg_sev rules_unavailable_severity(const struct rule_desc *r,
                                        const struct policy_set *pol);

/* Check the rule ids and parameters a policy names against the
 * catalogue; each problem is a diagnostic at its position in the file.
 * Returns RFG_OK or RFG_EINVAL. */
int rules_policy_check(const struct policy_set *pol, struct diag_list *dl)
    RFG_MUST_CHECK;

/* ---- for rule implementations (rule_*.c) ---- */
const cJSON *rule_obj(const struct rule_ctx *ctx);
const cJSON *rule_old(const struct rule_ctx *ctx);
const struct rules_input *rule_input(const struct rule_ctx *ctx);
enum rf_target rule_target(const struct rule_ctx *ctx);
const char *rule_ns(const struct rule_ctx *ctx);
/* Parameter `name` of the current rule from the policy, or NULL. */
const cJSON *rule_param(const struct rule_ctx *ctx, const char *name);
int rule_param_int(const struct rule_ctx *ctx, const char *name, int def);
bool rule_param_bool(const struct rule_ctx *ctx, const char *name,
                     bool def);
/* Schema issues of the object under the target, computed once per
 * evaluation (shared by the schema-* rules); NULL on OOM. */
const struct schema_issues *rule_schema_issues(struct rule_ctx *ctx);
/* Finding messages read "BRIEF: consequence...". BRIEF is the text
 * before the first ": " that is outside quotes ('...', "...", `...`),
 * parentheses and brackets. It states the problem on its own, names the
 * field or value, and carries no file positions (those go after the
 * ": " or in the hint): when "[id] message" is too long for one
 * admission warning (REVIEW_WARN_MAX_LEN), the warning is
 * "[id] BRIEF (rfguard explain id)", or "[id] BRIEF". Keep "[id] BRIEF"
 * under 120 bytes for every value the fixtures use; tests/cli/warnings.sh
 * checks it. Lint output and denials keep the whole message.
 *
 * rules_msg_brief returns the length in bytes of the BRIEF of `msg`,
 * trailing spaces left out: strlen(msg) when it has no such ": ". An
 * apostrophe inside a word ("operator's") opens no quote. The brief of
 * "cannot verify: WHY" is "cannot verify: " and the brief of WHY. */
size_t rules_msg_brief(const char *msg);

/* Report a finding of the current rule at `ptr`. `hint` may be NULL.
 * Every %s argument is shortened to RULES_QUOTE_MAX characters, cut on
 * a UTF-8 boundary and ended with an ellipsis: pass user values (names,
 * images, keys) as %s arguments, never as part of `fmt`. */
#define RULES_QUOTE_MAX 100
void rule_report(struct rule_ctx *ctx, enum rule_strength s,
                 const char *ptr, const char *hint, const char *fmt, ...)
    RFG_PRINTF(5, 6);
/* Report a finding whose message another formatter already made (one
 * that shortened its quoted values, like the schema issues): taken as
 * is. */
void rule_report_msg(struct rule_ctx *ctx, enum rule_strength s,
                     const char *ptr, const char *hint, const char *msg);

#endif
