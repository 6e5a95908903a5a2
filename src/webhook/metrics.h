/* SPDX-License-Identifier: Apache-2.0
 *
 * metrics.h - the webhook's Prometheus metrics: admission requests by
 * endpoint, operation and verdict, a latency histogram, findings by rule
 * and severity, rules skipped by annotation, requests the HTTP layer
 * refused, policy reloads, and the
 * serving certificate's expiry. Every update is a relaxed C11 atomic, so
 * any thread may record without locks; rendering reads a consistent
 * enough snapshot for scraping. It does not serve HTTP (cmd_serve.c does).
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

/* Append the Prometheus text exposition (version 0.0.4). */
int metrics_render(struct metrics *m, struct sbuf *b) RFG_MUST_CHECK;

#endif
