/* SPDX-License-Identifier: Apache-2.0
 *
 * jpatch.h - RFC 6901 JSON Pointers and RFC 6902 JSON Patches over cJSON
 * trees. Builds op lists and applies them; it never decides what to patch
 * (that is the rules' job). Debian's cJSON ships without cJSON_Utils, so
 * this is the project's own implementation.
 */
#ifndef RFG_JPATCH_H
#define RFG_JPATCH_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "sbuf.h"

/* Append "/" + escaped `token` (~ -> ~0, / -> ~1) to `ptr`. */
int jptr_append(struct sbuf *ptr, const char *token) RFG_MUST_CHECK;
/* Append "/" + index. */
int jptr_append_index(struct sbuf *ptr, size_t idx) RFG_MUST_CHECK;

/* Node at `ptr` ("" is the root), or NULL if absent or malformed.
 * Borrowed from root. */
cJSON *jptr_get(const cJSON *root, const char *ptr);
/* Deepest existing node along `ptr` (root at worst). Borrowed. */
const cJSON *jptr_deepest(const cJSON *root, const char *ptr);
/* True if `ptr` is a syntactically valid pointer. */
bool jptr_valid(const char *ptr);

/* Append ops to the `ops` array. `value` is owned by the call on success
 * and on failure alike. Return RFG_OK or RFG_ENOMEM. */
int jpatch_add(cJSON *ops, const char *path, cJSON *value) RFG_MUST_CHECK;
int jpatch_replace(cJSON *ops, const char *path, cJSON *value)
    RFG_MUST_CHECK;
int jpatch_remove(cJSON *ops, const char *path) RFG_MUST_CHECK;

/* Apply `ops` (add, remove, replace, move, copy, test) to *root in order.
 * All or nothing: on failure *root is unchanged and a diagnostic naming
 * the op index and path is appended. Returns RFG_OK, RFG_EINVAL (bad
 * patch or failed test) or RFG_ENOMEM. */
int jpatch_apply(cJSON **root, const cJSON *ops, struct diag_list *dl)
    RFG_MUST_CHECK;
/* Apply the one op `op` to *root in place, without copying the document
 * (the rule engine applies each fix op as it is made). Pointers into
 * *root stay valid, except to nodes the op removes or replaces. On
 * failure *root is unchanged and a diagnostic naming the path is
 * appended; a "move" works on a copy, so after one every pointer into
 * *root is stale. Returns RFG_OK, RFG_EINVAL (bad op, failed test) or
 * RFG_ENOMEM. */
int jpatch_apply_op(cJSON **root, const cJSON *op, struct diag_list *dl)
    RFG_MUST_CHECK;

/* `v` (a patch or any JSON value) as text: 2-space indented like jq and
 * Python's json.dumps(indent=2), "key": value, [] and {} when empty, a
 * final newline; or compact on one line when `compact`. Owned result
 * (free()), or NULL when out of memory. */
char *jpatch_format(const cJSON *v, bool compact);

/* JSON equality as RFC 6902's "test" defines it: same type; numbers
 * numerically equal; strings equal; arrays equal item by item; objects
 * with the same set of member names, each member equal (order does not
 * matter). Each pair of nodes is compared once, so the time is linear in
 * the size of the trees (cJSON_Compare compares every object member
 * twice, which is exponential in the nesting depth), plus a sort of the
 * members of wide objects. NULL equals only NULL. */
bool json_equal(const cJSON *a, const cJSON *b);

#endif
