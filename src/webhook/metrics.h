/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.h - the webhook's Prometheus metrics: admission requests by
 * endpoint, operation and verdict, a latency histogram, findings by rule
 * and severity, rules skipped by annotation, requests the HTTP layer
 * refused, policy reloads, the
 * serving certificate's expiry, and the result of the background audit
 * of the cluster's failovers (`serve --audit-interval`) and of the
 * periodic sentinel check (`serve --sentinel-check-interval`). Every
 * update but the sentinel check's is a relaxed C11 atomic, so any thread
 * may record without locks; the sentinel check's per-failover gauges,
 * whose label sets change, are swapped under a mutex. Rendering reads a
 * consistent enough snapshot for scraping. It does not serve HTTP
 * (cmd_serve.c does).
 */
#ifndef RFG_METRICS_H
#define RFG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "sbuf.h"

enum metrics_endpoint { METRICS_VALIDATE, METRICS_MUTATE, METRICS_NENDPOINTS };
/* Operations: CREATE UPDATE DELETE CONNECT, then "unknown". */
#define METRICS_NOPS 5
/* Verdicts: allowed denied patched skipped (review.h order), error. */
enum metrics_verdict {
    METRICS_ALLOWED,
    METRICS_DENIED,
    METRICS_PATCHED,
    METRICS_SKIPPED,
    METRICS_ERROR,
    METRICS_NVERDICTS
};

struct metrics;

/* `rule_ids` (borrowed for the object's life) names the rules findings
 * are counted for, by index. Owned result; NULL on out of memory. */
struct metrics *metrics_new(const char *const *rule_ids, size_t nrules);
void metrics_free(struct metrics *m);

/* One admission request; `op` is 0..METRICS_NOPS-1. */
void metrics_admission(struct metrics *m, enum metrics_endpoint ep, int op,
                       enum metrics_verdict v, uint64_t usec);
void metrics_finding(struct metrics *m, size_t rule, bool deny);
/* Rule `rule` was skipped by an object's rfguard.io/skip annotation. */
void metrics_skip(struct metrics *m, size_t rule);
/* The HTTP layer answered `status` on its own (404, 405, 413, ...). */
void metrics_refused(struct metrics *m, int status);
void metrics_policy_reload(struct metrics *m, bool ok);
void metrics_set_cert_expiry(struct metrics *m, int64_t unix_time);

/* The index of rule `id` among metrics_new's rule_ids, or the number of
 * rules when it is not one of them. */
size_t metrics_rule_index(const struct metrics *m, const char *id);

/* One background audit ended. `ok`: it ran; `findings` (borrowed, may
 * be NULL for none) then holds the current count of findings per rule
 * and severity, [rule * 2] warn and [rule * 2 + 1] deny, nrules * 2
 * values, which replace the last audit's; `when` is the Unix time it
 * ran. Not ok: only the error is counted and the gauges keep the last
 * audit's values. Called by one thread at a time. */
void metrics_audit(struct metrics *m, bool ok,
                   const unsigned long long *findings, int64_t when);

/* One failover the sentinel check judged. Borrowed. */
struct metrics_sentinel {
    const char *ns, *name;
    bool merged;           /* its sentinels know another failover's pods */
};

/* One periodic sentinel check ended. `ok`: it ran (sentinels that could
 * not be asked count in `unreachable`, not as a failure); v[0..n) then
 * replaces the last check's failovers (those gone are dropped).
 * Not ok: only the error is counted and the gauges keep the last check's
 * values. RFG_OK, or RFG_ENOMEM (the old gauges are kept and the check
 * counts as an error). */
int metrics_sentinels(struct metrics *m, bool ok,
                      const struct metrics_sentinel *v, size_t n,
                      unsigned long long unreachable);

/* Append the Prometheus text exposition (version 0.0.4). */
int metrics_render(struct metrics *m, struct sbuf *b) RFG_MUST_CHECK;

#endif
