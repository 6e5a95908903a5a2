/* SPDX-License-Identifier: Apache-2.0
 *
 * audit.h - audit the objects a cluster already holds: one Kubernetes List
 * in memory (as `kubectl get redisfailovers,secrets,networkpolicies -A -o
 * json` prints it, JSON or YAML) is checked the way `rfguard lint
 * --cluster-state` checks manifests: every selected RedisFailover gets
 * every rule, against a cluster view made of every object of the List and
 * counted as complete. The result is a lint report plus what a
 * PolicyReport needs per failover (apiVersion, kind, uid, which rules
 * were evaluated), and audit_policy_reports turns it into
 * wgpolicyk8s.io/v1alpha2 PolicyReport objects, one per namespace.
 *
 * No I/O, no clock: `rfguard audit` reads the List from a file or the
 * API server and supplies the timestamp; serve's background audit calls
 * the same functions. Secret values never leave audit_run: the view keeps
 * key names and a SHA-256 of the password only, and the Secrets' strings
 * in the parsed trees are wiped before they are freed.
 */
#ifndef RFG_AUDIT_H
#define RFG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cview.h"
#include "policy.h"
#include "report.h"
#include "rf.h"

struct audit_opts {
    const struct policy_set *pol;  /* borrowed; required */
    enum rf_target target;         /* 0 = the policy's */
    const char *ns;                /* audit only this namespace's
                                      failovers; NULL = all. The view
                                      still holds every object. */
    const char *selector;          /* label selector of the failovers to
                                      audit (audit_selector_check); NULL
                                      or "" = all */
    cview_hash_fn hash;            /* password fingerprints (SHA-256) */
    /* The List lacks the Secrets (listing them was forbidden): the view
     * is then not complete, and for a failover with spec.auth the rules
     * that read its Secret (auth-secret-exists, auth-password-key,
     * auth-password-charset, auth-secret-unique) are skipped, saying
     * why, rather than reported missing or passed. */
    bool secrets_unknown;
    /* The List was assembled in memory (a live cluster): its line:col
     * mean nothing to anyone, so findings carry none; `name` and the
     * object's namespace/name say where they are. */
    bool no_positions;
};

/* One audited (selected) failover, in the order of the List. */
struct audit_failover {
    char *api_version;     /* owned; "" when absent */
    char *kind;            /* owned */
    char *ns, *name;       /* owned */
    char *uid;             /* owned; "" when absent (a file's object) */
    size_t doc;            /* its index in the report's docs */
    /* Catalogue indices (rules_catalog) of the rules evaluated for it:
     * on under the policy, applying to the target, not skipped.
     * Ascending. A rule here with no finding of the failover passed. */
    size_t *rules;         /* owned */
    size_t nrules;
};

struct audit {
    struct report rep;     /* as lint fills it: findings and skips with
                              the List's file:line:col and ns/name,
                              sorted by position; input errors */
    struct audit_failover *rfs; /* owned; selected failovers only */
    size_t nrfs, caprfs;
};

void audit_init(struct audit *a);
void audit_cleanup(struct audit *a);

/* Is `sel` a label selector audit understands: comma-separated
 * requirements `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (v1,v2)`,
 * `k notin (v1,v2)`? RFG_OK, or RFG_EINVAL with why in err. */
int audit_selector_check(const char *sel, char *err, size_t errlen)
    RFG_MUST_CHECK;
/* Does the object with metadata.labels `labels` (may be NULL) match
 * `sel` (checked; NULL or "" matches everything)? */
bool audit_selector_matches(const char *sel, const cJSON *labels);

/* Audit the List in buf[0..len) (JSON or YAML; a single object or a
 * stream of objects is accepted too), called `name` in positions. Fills
 * `a` (initialised by audit_init). Unreadable input is an error entry
 * of a->rep, not a failure. Returns RFG_OK, RFG_EINVAL (a bad selector)
 * or RFG_ENOMEM. The buffer is not modified: a caller holding Secrets in
 * it wipes it itself. */
int audit_run(struct audit *a, const char *buf, size_t len,
              const char *name, const struct audit_opts *o) RFG_MUST_CHECK;

/* audit_run for a List already in memory (a `kind: *List` object with
 * items, as the API server's lists are assembled; or one object), called
 * `name` in the report. Its objects have no positions: findings carry
 * none, and messages name no origin. The Secrets' strings in `list` are
 * wiped (the tree stays the caller's). Returns as audit_run. */
int audit_run_list(struct audit *a, cJSON *list, const char *name,
                   const struct audit_opts *o) RFG_MUST_CHECK;

/* PolicyReport output. */
#define AUDIT_REPORT_NAME "rfguard"        /* metadata.name, per namespace */
#define AUDIT_SOURCE "rfguard"
#define AUDIT_POLICY "rfguard"            /* each result's policy */
/* metadata.annotations: the rfguard policy the audit ran (its
 * metadata.name, "default" for the built-in one), and, when pass results
 * were left out for size, how many */
#define AUDIT_POLICY_ANNOTATION "rfguard.io/policy"
#define AUDIT_OMITTED_ANNOTATION "rfguard.io/omitted-pass-results"
#define AUDIT_MANAGED_BY "rfguard"         /* app.kubernetes.io/managed-by */
/* A report whose JSON would pass this many bytes drops its pass results
 * (the summary keeps their count; an annotation says so). */
#define AUDIT_REPORT_MAX_BYTES ((size_t)1 << 20)

struct audit_report_opts {
    const struct policy_set *pol;  /* borrowed; severities, and its name
                                      for AUDIT_POLICY_ANNOTATION */
    int64_t seconds;               /* the results' timestamp */
    int32_t nanos;
    size_t max_bytes;              /* 0 = AUDIT_REPORT_MAX_BYTES */
};

/* A new JSON array in *out: one wgpolicyk8s.io/v1alpha2 PolicyReport
 * (namespaced, named AUDIT_REPORT_NAME) per namespace with a selected
 * failover, namespaces in byte order, labelled app.kubernetes.io/
 * managed-by: AUDIT_MANAGED_BY. Results (policy AUDIT_POLICY, source
 * AUDIT_SOURCE, severity high for a deny rule, medium for a warn rule,
 * the failover as the one resource, properties.pointer and .hint where
 * the finding has them): per failover (by name)
 * and rule (by id), `fail` for a deny finding, `warn` for a warning,
 * `skip` for a skipped rule, `pass` for an evaluated rule with neither;
 * a summary {pass, fail, warn, error, skip}. Apart from the timestamps,
 * unchanged objects give identical reports. Returns RFG_OK or
 * RFG_ENOMEM (*out NULL). Free with cJSON_Delete. */
int audit_policy_reports(cJSON **out, const struct audit *a,
                         const struct audit_report_opts *o) RFG_MUST_CHECK;

#endif
