/* SPDX-License-Identifier: Apache-2.0
 *
 * report.h - collect lint results (findings, skipped rules and input
 * errors) with their source positions and the documents they belong to,
 * and write them as text, JSON, SARIF 2.1.0, JUnit XML or GitHub workflow
 * commands. Knows output formats, not rules: entries are plain copies of
 * what the engine found.
 */
#ifndef RFG_REPORT_H
#define RFG_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "policy.h"

enum report_kind { REPORT_FINDING, REPORT_SKIPPED, REPORT_ERROR };

struct report_entry {
    enum report_kind kind;
    char *file;            /* owned */
    struct src_pos pos;
    enum rfg_sev sev;      /* findings: WARN or DENY */
    char *rule;            /* owned; NULL for input errors */
    char *msg;             /* owned; for skipped rules, the reason */
    char *hint;            /* owned; may be NULL */
    char *ptr;             /* owned; may be NULL */
    char *object;          /* owned "ns/name"; may be NULL */
    char *source;          /* owned helm template name; may be NULL */
    size_t doc;            /* index into docs, or REPORT_NO_DOC */
    size_t seq;            /* insertion order, keeps sorting stable */
};

#define REPORT_NO_DOC ((size_t)-1)

/* One input document, for per-document formats (JUnit). */
struct report_doc {
    char *file;            /* owned */
    unsigned line;
    char *kind;            /* owned; "" when unknown */
    char *object;          /* owned "ns/name" or "" */
};

struct report {
    struct report_entry *v;  /* owned */
    size_t len, cap;
    struct report_doc *docs; /* owned */
    size_t ndocs, capdocs;
    size_t files, documents, failovers;
    size_t errors;           /* input errors */
    size_t deny, warn, skipped;
    bool name_objects;       /* text names each entry's object (ns/name)
                                after its position: the entries are a
                                cluster's objects (rfguard audit) */
};

void report_init(struct report *r);
void report_cleanup(struct report *r);

/* Register a document; returns its index through *idx. */
int report_add_doc(struct report *r, const char *file, unsigned line,
                   const char *kind, const char *object, size_t *idx)
    RFG_MUST_CHECK;
int report_add_finding(struct report *r, size_t doc, const char *file,
                       struct src_pos pos, enum rfg_sev sev,
                       const char *rule, const char *msg, const char *hint,
                       const char *ptr, const char *object,
                       const char *source) RFG_MUST_CHECK;
/* A rule that did not run for an object, and why. */
int report_add_skipped(struct report *r, size_t doc, const char *file,
                       struct src_pos pos, const char *rule,
                       const char *reason, const char *object)
    RFG_MUST_CHECK;
int report_add_error(struct report *r, const struct diag *d) RFG_MUST_CHECK;

/* Sort entries by file, line, column (stable for equal keys). */
void report_sort(struct report *r);

enum report_format {
    REPORT_TEXT,
    REPORT_JSON,
    REPORT_SARIF,
    REPORT_JUNIT,
    REPORT_GITHUB
};
/* 0 = ok, -1 unknown name. */
int report_format_parse(const char *s, enum report_format *out);

struct report_opts {
    enum report_format format;
    bool color;
    bool quiet;            /* text: errors only, no summary */
    const char *version;   /* tool version for SARIF */
};

void report_write(const struct report *r, const struct report_opts *o,
                  FILE *out);

#endif
