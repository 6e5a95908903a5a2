/* SPDX-License-Identifier: Apache-2.0
 *
 * report.h - collect lint results (findings and input errors) with their
 * source positions, and write them as text or JSON. Knows output formats,
 * not rules: entries are plain copies of what the engine found.
 */
#ifndef RFG_REPORT_H
#define RFG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "policy.h"

struct report_entry {
    char *file;            /* owned */
    struct src_pos pos;
    bool is_error;         /* an input error, not a finding */
    enum rfg_sev sev;      /* findings: WARN or DENY */
    char *rule;            /* owned; NULL for input errors */
    char *msg;             /* owned */
    char *hint;            /* owned; may be NULL */
    char *ptr;             /* owned; may be NULL */
    char *object;          /* owned "ns/name"; may be NULL */
    size_t seq;            /* insertion order, keeps sorting stable */
};

struct report {
    struct report_entry *v;  /* owned */
    size_t len, cap;
    size_t files, documents, failovers;
    size_t errors;           /* input errors */
    size_t deny, warn, skipped;
};

void report_init(struct report *r);
void report_cleanup(struct report *r);

int report_add_finding(struct report *r, const char *file,
                       struct src_pos pos, enum rfg_sev sev,
                       const char *rule, const char *msg, const char *hint,
                       const char *ptr, const char *object) RFG_MUST_CHECK;
int report_add_error(struct report *r, const struct diag *d) RFG_MUST_CHECK;

/* Sort entries by file, line, column (stable for equal keys). */
void report_sort(struct report *r);

enum report_format { REPORT_TEXT, REPORT_JSON };
/* 0 = ok, -1 unknown name. */
int report_format_parse(const char *s, enum report_format *out);

struct report_opts {
    enum report_format format;
    bool color;
    bool quiet;            /* text: errors only, no summary */
};

void report_write(const struct report *r, const struct report_opts *o,
                  FILE *out);

#endif
