/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_docs.h - the explanation of each rule, docs/rules/<id>.md,
 * compiled in at build time (cmake/EmbedDocs.cmake). The Markdown is the
 * source; `rfguard explain` prints it and a test lints its examples.
 */
#ifndef RFG_RULE_DOCS_H
#define RFG_RULE_DOCS_H

#include <stddef.h>

struct rule_doc {
    const char *id;    /* the file name without .md */
    const char *text;  /* the whole Markdown file, NUL-ended */
    size_t len;
};

/* Sorted by id, ended by an all-NULL entry; rule_docs_count excludes it. */
extern const struct rule_doc rule_docs[];
extern const size_t rule_docs_count;

/* The doc of rule `id` (borrowed, static), or NULL when there is none. */
const struct rule_doc *rule_doc_find(const char *id);

#endif
