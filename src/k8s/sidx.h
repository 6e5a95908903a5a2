/* SPDX-License-Identifier: Apache-2.0
 *
 * sidx.h - a hash index over every (object, member name) pair of one
 * parsed CRD schema, for schema.c: cJSON objects are lists, and the CRD
 * schemas have 40+ properties on some levels, which made lookups the
 * largest cost of validating an object. Built once per schema and
 * read-only after, so any number of threads may look up at once. Knows
 * nothing of schemas beyond cJSON objects; not a general hash map.
 */
#ifndef RFG_SIDX_H
#define RFG_SIDX_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct sidx_ent;

struct sidx {
    struct sidx_ent *v;    /* owned; NULL when not built */
    size_t cap;            /* power of two, or 0 */
};

/* Index every object of `root` (borrowed: it must outlive the index).
 * Without memory the index stays empty and every lookup says "not
 * indexed", so callers fall back to cJSON's lists. */
void sidx_build(struct sidx *x, const cJSON *root);
void sidx_free(struct sidx *x);

/* Member `k` of object `o`. *found says whether `o` is indexed at all:
 * when false the caller searches the list itself. Borrowed result. */
const cJSON *sidx_get(const struct sidx *x, const cJSON *o, const char *k,
                      bool *found);

#endif
