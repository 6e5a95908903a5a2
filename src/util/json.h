/* SPDX-License-Identifier: Apache-2.0
 *
 * json.h - the child lookups every layer makes on cJSON trees, in one
 * place. Keys are case-sensitive, as Kubernetes keys are; a non-object
 * parent simply has no children. Pointers are borrowed from the tree.
 */
#ifndef RFG_JSON_H
#define RFG_JSON_H

#include <stdbool.h>
#include <string.h>

#include <cjson/cJSON.h>

/* Member `k` of object `o`; NULL when `o` is not an object or has none. */
const cJSON *json_get(const cJSON *o, const char *k);
/* The same, for a tree the caller may change. */
cJSON *json_get_mut(cJSON *o, const char *k);
/* The string value of member `k`; NULL when absent or not a string. */
const char *json_str(const cJSON *o, const char *k);
/* The last item of array or object `a`, in O(1); NULL when empty. Walk
 * back with ->prev, counting: the first item's prev is the last again.
 * cJSON_GetArrayItem(a, i) walks from the front, so loops over it are
 * quadratic in the array's size, which a request controls. */
const cJSON *json_last(const cJSON *a);
/* Do strings `a` and `b` (neither NULL) spell the same? The same
 * pointer (keys kept as constants and the equal literals of callers)
 * or a different first byte settles it without a call. */
static inline bool json_streq(const char *a, const char *b)
{
    return a == b || (a[0] == b[0] && !strcmp(a, b));
}

#endif
