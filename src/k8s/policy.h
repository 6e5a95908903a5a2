/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.h - load a policy file (YAML) into an immutable policy_set: the
 * operator target, per-rule severity and parameters (and the severity of
 * the rules it does not name), whether mutations are
 * on (and on UPDATE for the pod template), namespace exemptions, and
 * who may skip deny rules by annotation (spec.skips). Structure errors
 * carry file:line:col.
 * Rule ids and parameters are checked against the catalogue by
 * rules_policy_check() (rules.h), which keeps this module free of rules.
 */
#ifndef RFG_POLICY_H
#define RFG_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "rf.h"

enum rfg_sev { RFG_SEV_OFF = 0, RFG_SEV_WARN = 1, RFG_SEV_DENY = 2 };

const char *rfg_sev_name(enum rfg_sev s); /* "off" "warn" "deny" */

struct policy_rule {
    char *id;              /* owned */
    enum rfg_sev sev;
    bool sev_set;          /* false: keep the rule's default */
    cJSON *params;         /* owned object, maybe empty; never NULL */
    struct src_pos pos;    /* of the rule's key in the file */
    struct src_pos params_pos;
};

/* One entry of spec.skips: the deny rules an object's rfguard.io/skip
 * annotation may skip, and optionally where (namespace globs) and for
 * whom (user names, group names: exact matches against the admission
 * request's userInfo). No namespaces: any namespace. No users and no
 * groups: anyone. Warn rules need no grant. */
struct policy_skip_grant {
    char **rules;          /* owned rule ids (checked by
                              rules_policy_check) */
    struct src_pos *rule_pos; /* owned: where each id is in the file */
    size_t nrules;
    char **namespaces;     /* owned globs (fnmatch) */
    size_t nnamespaces;
    char **users;          /* owned */
    size_t nusers;
    char **groups;         /* owned */
    size_t ngroups;
    struct src_pos pos;
};

/* Who sent an admission request (request.userInfo). */
struct policy_user {
    const char *name;      /* borrowed; NULL when not given */
    const cJSON *groups;   /* borrowed array of strings; may be NULL */
};

/* Whether an annotation may skip a deny rule, and if not, why. */
enum policy_skip_verdict {
    POLICY_SKIP_ALLOWED = 0,
    POLICY_SKIP_RULE,      /* no grant names the rule */
    POLICY_SKIP_NAMESPACE, /* granted, but not in this namespace */
    POLICY_SKIP_USER,      /* granted here, but not to this user */
    POLICY_SKIP_NO_USER    /* granted only to some users or groups, and
                              there is no user (rfguard lint) */
};

struct policy_set {
    char *name;            /* owned: metadata.name or file name */
    char *file;            /* owned: where it came from ("<builtin>") */
    enum rf_target target;
    struct src_pos target_pos;
    bool mutations;
    /* spec.podTemplateMutations: "always" (true) lets fixes that change
     * the pod template (so the operator restarts every pod) apply on
     * UPDATE too; "create" (false, the default) keeps them to CREATE and
     * reports them as held back on UPDATE. */
    bool pod_template_on_update;
    /* spec.defaultSeverity: when set, the severity of every rule the
     * policy gives none (in place of the rule's own default), so "every
     * rule warns" holds for rules added later too. */
    bool default_sev_set;
    enum rfg_sev default_sev;
    struct src_pos default_sev_pos;
    struct policy_rule *rules; /* owned */
    size_t nrules;
    char **exempt_ns;      /* owned namespace globs */
    size_t nexempt_ns;
    struct policy_skip_grant *skips; /* owned: spec.skips */
    size_t nskips;
    /* spec.audit: `rfguard serve`'s background audit, where its command
     * line says nothing (--audit-interval, --audit-dry-run); lint, fix
     * and audit ignore it. interval 0 = off. sentinelInterval:
     * --sentinel-check-interval, 0 = off. */
    unsigned audit_interval_ms;
    bool audit_dry_run;
    unsigned audit_sentinel_interval_ms;
    struct policy_rule **by_id; /* owned: rules sorted by id, for lookup */
};

/* Parse `buf` (YAML). `file` names it in diagnostics. On error nothing is
 * returned and `dl` says what and where. */
int policy_load(struct policy_set **out, const char *buf, size_t len,
                const char *file, struct diag_list *dl) RFG_MUST_CHECK;
/* Read and parse a file. */
int policy_load_file(struct policy_set **out, const char *path,
                     struct diag_list *dl) RFG_MUST_CHECK;
/* The policy compiled into the binary (policies/default.yaml). */
int policy_load_builtin(struct policy_set **out, struct diag_list *dl)
    RFG_MUST_CHECK;
extern const char rfg_builtin_policy[];
extern const size_t rfg_builtin_policy_len;

void policy_free(struct policy_set *p);

/* Severity of rule `id` under the policy: its entry's severity, else
 * spec.defaultSeverity, else `def` (the rule's own default). */
enum rfg_sev policy_rule_sev(const struct policy_set *p, const char *id,
                             enum rfg_sev def);
/* The entry for `id`, or NULL when the policy does not mention it. */
const struct policy_rule *policy_rule_get(const struct policy_set *p,
                                          const char *id);
/* True if `ns` matches an exempt namespace glob (fnmatch). */
bool policy_ns_exempt(const struct policy_set *p, const char *ns);
/* May an annotation on an object in namespace `ns` skip deny rule
 * `rule_id`, asked by `user` (NULL: no user, as in rfguard lint)? A
 * grant that names the rule and matches the namespace and the user
 * allows it; otherwise the verdict says how far the best grant got. */
enum policy_skip_verdict policy_skip_allowed(const struct policy_set *p,
                                             const char *rule_id,
                                             const char *ns,
                                             const struct policy_user *user);

#endif
