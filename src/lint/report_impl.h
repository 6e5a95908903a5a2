/* SPDX-License-Identifier: Apache-2.0
 *
 * report_impl.h - shared by report.c and the format writers beside it
 * (report_text.c, report_json.c, report_junit.c); not for other modules,
 * which call report_write().
 */
#ifndef RFG_REPORT_IMPL_H
#define RFG_REPORT_IMPL_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"

/* The rule id of unreadable input in formats that need one. */
#define REPORT_PARSE_RULE "input-error"

/* Where each rule's doc is published: the docs/rules/<id>.md files of the
 * project's repository, which `rfguard explain` prints too. */
#define REPORT_RULE_DOCS_URL "https://github.com/rfguard/rfguard/blob/main/docs/rules/"
#define REPORT_PROJECT_URL "https://github.com/rfguard/rfguard"

/* An input error or a deny finding. */
bool report_is_error(const struct report_entry *e);

void report_write_text(const struct report *r, const struct report_opts *o,
                       FILE *out);
void report_write_github(const struct report *r, FILE *out);
void report_write_json(const struct report *r, FILE *out);
void report_write_sarif(const struct report *r, const struct report_opts *o,
                        FILE *out);
void report_write_junit(const struct report *r, FILE *out);

#endif
