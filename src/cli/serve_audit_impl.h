/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit_impl.h - what serve_audit.c and serve_audit_write.c share:
 * the PolicyReport writer of the background audit. Internal to `rfguard
 * serve`; used by one thread (the audit's) at a time.
 */
#ifndef RFG_SERVE_AUDIT_IMPL_H
#define RFG_SERVE_AUDIT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "kclient.h"

struct audit_writer {
    struct kclient *client;    /* borrowed */
    cJSON *applied;            /* owned: {namespace: digest} of the
                                  reports last applied; NULL = none */
};

/* Apply each report of `reports` (audit_policy_reports' array) with
 * server-side apply, skipping those applied unchanged before unless
 * `all`, then delete rfguard's reports that are not among them. Counts
 * into *applied and *deleted. Returns RFG_OK; 1 when the API server has
 * no PolicyReport resource (nothing written); or an error with `err`
 * saying what failed (the other namespaces were still tried). */
int audit_writer_write(struct audit_writer *w, const cJSON *reports,
                       bool all, unsigned *applied, unsigned *deleted,
                       char *err, size_t errlen);
/* Forget every digest: the next write applies every report. */
void audit_writer_forget(struct audit_writer *w);

#endif
