/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit_sentinels.h - the periodic sentinel check of `rfguard serve
 * --sentinel-check-interval`: on a thread of its own, it lists the
 * cluster's RedisFailovers and their pods, asks each failover's sentinel
 * pods, read-only, what they know (sprobe.h), judges the answers
 * (sentinels.h), sets the rfguard_sentinel_* metrics and keeps the
 * findings for the background audit, whose PolicyReports they join. It
 * runs once the cluster view has synced and then every interval. It is
 * never on the admission path, and it never writes to Redis. Not here:
 * the questions and the judging (net/sprobe.c, lint/sentinels.c), the
 * PolicyReports (serve_audit.c).
 */
#ifndef RFG_SERVE_AUDIT_SENTINELS_H
#define RFG_SERVE_AUDIT_SENTINELS_H

#include "audit.h"
#include "diag.h"
#include "metrics.h"
#include "rf.h"
#include "serve_cluster.h"

struct serve_sentinels;

/* Start the check thread over the cluster view `sc` (borrowed; stopped
 * after serve_sentinels_stop), every `interval_ms`, with the master
 * names of target `target`; `password_secret` ("NAME" or "NAME:KEY",
 * copied; NULL = no AUTH) names the Secret in each failover's namespace
 * that holds its sentinels' password. `m` is borrowed and outlives the
 * check. */
int serve_sentinels_start(struct serve_sentinels **out,
                          unsigned interval_ms, enum rf_target target,
                          const char *password_secret,
                          struct serve_cluster *sc, struct metrics *m,
                          serve_cluster_log_fn log, struct diag_list *dl)
    RFG_MUST_CHECK;
/* Join the thread (a check in flight ends by its own deadline) and
 * free. NULL: no-op. */
void serve_sentinels_stop(struct serve_sentinels *ss);

/* How many checks have ended: when it changes, so may the findings.
 * NULL: 0. Any thread. */
unsigned long serve_sentinels_generation(struct serve_sentinels *ss);

/* Add the last check's findings about the RedisFailovers `a` audited to
 * a->rep, each under its failover's document, so that the audit's
 * PolicyReports carry them. NULL `ss`, or no check yet: nothing. RFG_OK
 * or RFG_ENOMEM. Any thread. */
int serve_sentinels_merge(struct serve_sentinels *ss, struct audit *a)
    RFG_MUST_CHECK;

#endif
