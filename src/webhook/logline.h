/* SPDX-License-Identifier: Apache-2.0
 *
 * logline.h - the webhook's log lines: one JSON object per line,
 * {"ts":"<UTC, ms>","level":..,"msg":..,<fields>}, each written with a
 * single write(2) to stderr (one fwrite to a given FILE), so that lines
 * from several threads never interleave, and without stdio's lock, so
 * that workers do not queue behind each other's writes. The
 * admission line carries uid, kind, namespace/name, operation, dryRun,
 * verdict, rule ids, the requesting user, annotation skips and the time
 * taken; never an object, a body or a secret. It does not decide what
 * to log (admission.c and cmd_serve.c do); its only state is the buffer
 * of lines that may wait (logline_batch_start).
 */
#ifndef RFG_LOGLINE_H
#define RFG_LOGLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "metrics.h"
#include "review.h"
#include "rules.h"
#include "sbuf.h"

/* Start a line in `b` (an initialised sbuf): {"ts":..,"level":..,"msg":..
 * Add fields with sbuf calls, then finish with logline_end. Returns
 * RFG_OK or RFG_ENOMEM/RFG_ELIMIT. */
int logline_begin(struct sbuf *b, const char *level, const char *msg)
    RFG_MUST_CHECK;
/* Close the object, write the line to `f` (NULL = stderr, as every line
 * here) in one call, and clean `b` up. */
void logline_end(struct sbuf *b, FILE *f);

/* Lines that may wait, for `rfguard serve` under load. An admission
 * line of a thread that said logline_may_wait(true) is written at once when the
 * log has been quiet for `interval_ms`; otherwise it is kept in a buffer
 * of 64 KiB and written with the others, in writes of up to PIPE_BUF
 * bytes that each end at a line's end, at most `interval_ms` after the
 * first of them was kept (at once when the buffer is full). Every other
 * line is written at once, after the kept ones, so lines stay in order.
 * Start before the threads that log and stop (writing what is kept)
 * after them. RFG_OK or RFG_ENOMEM. */
int logline_batch_start(unsigned interval_ms) RFG_MUST_CHECK;
void logline_batch_stop(void);
/* Write the kept lines now. */
void logline_flush(void);
/* Whether this thread's admission lines may wait (false until said). */
void logline_may_wait(bool yes);

/* A line to stderr with one extra string field `key` (may be NULL; then
 * `val` is ignored; a NULL `val` is logged as ""). */
void logline_msg(const char *level, const char *msg, const char *key,
                 const char *val);
/* An error line whose "reason" is the first diagnostic of `dl`. */
void logline_diags(const char *msg, const struct diag_list *dl);

/* The line of one admission request, to `f` (NULL = stderr). `req` and
 * `res` may be NULL (undecodable body, no evaluation); `reason` non-NULL
 * makes it a "warn" line naming why the request failed. */
void logline_admission(FILE *f, enum metrics_endpoint ep,
                       const struct review_req *req,
                       const struct rules_result *res, const char *verdict,
                       const char *reason, uint64_t us);

#endif
