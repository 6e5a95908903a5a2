/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit.h - the background audit of `rfguard serve
 * --audit-interval`: on a thread of its own, it lists the cluster's
 * RedisFailovers, Secrets and NetworkPolicies, audits them as `rfguard
 * audit` does (audit.h), counts the findings in the metrics and writes
 * one wgpolicyk8s.io/v1alpha2 PolicyReport per namespace with
 * server-side apply (field manager "rfguard"), deleting its reports in
 * namespaces that no longer have failovers. It runs once the cluster
 * view has synced, again when the view changes (debounced), and at
 * least every interval. It is never on the admission path: reviews
 * neither wait for it nor see it. With the periodic sentinel check
 * (serve_audit_sentinels.h), the check's findings join the reports, and
 * each check that ends starts an audit (debounced). Not here: the cluster view itself
 * (serve_cluster.c), option parsing of the other serve options.
 */
#ifndef RFG_SERVE_AUDIT_H
#define RFG_SERVE_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "metrics.h"
#include "policy.h"
#include "serve_cluster.h"

struct serve_audit_opts {
    unsigned interval_ms;      /* 0 = no background audit */
    bool interval_given;       /* --audit-interval was on the command line */
    unsigned debounce_ms;      /* least gap between audits that a change
                                  of the view starts; 0 = 10000 */
    bool dry_run;              /* audit and count, write nothing */
    bool dry_run_given;        /* --audit-dry-run was on the command line */
    unsigned sentinel_interval_ms; /* --sentinel-check-interval; 0 = off */
    bool sentinel_interval_given;
    const char *sentinel_secret;   /* --sentinel-password-secret NAME[:KEY]
                                      (borrowed from argv); NULL = none */
    struct serve_sentinels *sentinels;  /* borrowed, may be NULL: the
                                           sentinel check whose findings
                                           join the reports; it outlives
                                           the audit */
};

struct serve_sentinels;

/* If argv[*i] is an audit option (or --sentinel-check-interval), consume it (and its value) and return
 * 1; 0 if it is not one; -1 on a bad value (message on stderr). */
int serve_audit_parse_opt(struct serve_audit_opts *o, int argc, char **argv,
                          int *i);
void serve_audit_usage(FILE *f);

struct serve_audit;

/* Start the audit thread over the cluster view `sc` (borrowed; stopped
 * after serve_audit_stop). `pol` is owned from now on, also on failure;
 * `m` is borrowed and outlives the audit. */
int serve_audit_start(struct serve_audit **out,
                      const struct serve_audit_opts *o,
                      struct serve_cluster *sc, struct policy_set *pol,
                      struct metrics *m, serve_cluster_log_fn log,
                      struct diag_list *dl) RFG_MUST_CHECK;
/* The next audit uses `pol` (owned from now on). NULL `sa`: freed. */
void serve_audit_set_policy(struct serve_audit *sa, struct policy_set *pol);
/* Abort API calls in flight, join the thread and free. NULL: no-op. */
void serve_audit_stop(struct serve_audit *sa);

#endif
