/* SPDX-License-Identifier: Apache-2.0
 *
 * suggest.h - the "did you mean" half of schema validation: for a field
 * the CRD does not know, a near miss among its sibling fields (edit
 * distance), else the same field one level down, up or beside. Part of
 * the schema module (hence the schema_ prefix); it only proposes names
 * and never judges the object. Pure functions, thread-safe.
 */
#ifndef RFG_SUGGEST_H
#define RFG_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* One object schema on the way from the root to the current node, as the
 * validation walk keeps them on its stack. */
struct schema_level {
    const cJSON *sch;                /* borrowed object schema */
    size_t plen;                     /* pointer length at this object */
    const struct schema_level *up;   /* the enclosing object, or NULL */
};

/* Levenshtein distance of a and b (99 when either is 63+ bytes), for
 * "did you mean"; fold_case compares letters case-insensitively. */
size_t schema_edit_distance(const char *a, const char *b, bool fold_case);

/* "did you mean spec.redis.image?" (up to three candidates) for the
 * unknown member `key` of the object at `lv`, whose RFC 6901 pointer is
 * ptr[0..lv->plen). Returns an owned string, or NULL when nothing is
 * close or memory ran out. */
char *schema_suggest(const char *ptr, const struct schema_level *lv,
                     const char *key);

#endif
