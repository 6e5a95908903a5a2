/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_docs.c - look up the explanation of a rule, docs/rules/<id>.md,
 * in the table cmake/EmbedDocs.cmake compiles in. Only the lookup: the
 * text is the Markdown file as written, and printing it is the CLI's job.
 */
#include <string.h>

#include "rule_docs.h"

const struct rule_doc *rule_doc_find(const char *id)
{
    size_t lo = 0, hi = rule_docs_count;

    if (!id)
        return NULL;
    /* The table is sorted by id (bytewise, as CMake's list(SORT)). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, rule_docs[mid].id);

        if (!c)
            return &rule_docs[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
