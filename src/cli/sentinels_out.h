/* SPDX-License-Identifier: Apache-2.0
 *
 * sentinels_out.h - how `rfguard sentinels` prints its result: text with
 * the clean-up steps of each merged failover, the lint JSON plus a
 * "failovers" array, SARIF naming the sentinel rules, and PolicyReports.
 * Not here: the check itself (cmd_sentinels.c).
 */
#ifndef RFG_SENTINELS_OUT_H
#define RFG_SENTINELS_OUT_H

#include <stdbool.h>

#include "audit.h"
#include "report.h"
#include "sentinels.h"

/* For each merged failover, "How to clean up ns/name (rfguard only
 * reads; run these yourself):" and its steps. To stdout. */
void sentinels_write_steps(const struct sentinels_plan *plan,
                           const struct sentinels_result *res, bool color);
/* Findings ("ns/name: error|warning: ... [rule]"), then for each merged
 * failover "How to clean up ns/name ...:" and its steps, then a summary.
 * quiet: deny findings and the clean-up only. To stdout. */
void sentinels_write_text(const struct report *rep,
                          const struct sentinels_plan *plan,
                          const struct sentinels_result *res, bool color,
                          bool quiet);
/* report_write's JSON plus "failovers": [{namespace, name, master,
 * merged, mergedWith, procedure (merged only)}]. RFG_OK or RFG_ENOMEM. */
int sentinels_write_json(const struct report *rep,
                         const struct sentinels_plan *plan,
                         const struct sentinels_result *res,
                         const struct report_opts *ro) RFG_MUST_CHECK;
/* report_write's SARIF with the sentinel rules described. */
int sentinels_write_sarif(const struct report *rep,
                          const struct report_opts *ro) RFG_MUST_CHECK;
/* A List of PolicyReports (cli_sentinels_policy, then
 * audit_policy_reports). */
int sentinels_write_policy(struct audit *a, const struct sentinels_plan *plan,
                           const char *file) RFG_MUST_CHECK;

#endif
