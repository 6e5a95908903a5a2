/* SPDX-License-Identifier: Apache-2.0
 *
 * lskel.h - a failover's skeleton (rf_skeleton: what the cluster-wide
 * rules read) as lint keeps it between its two phases: one packed record
 * with the source position of every node (jpack.h), about a tenth of the
 * tree, inflated only while the cluster-wide rules look at that
 * failover. Not the rules, not the view.
 */
#ifndef RFG_LSKEL_H
#define RFG_LSKEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "ydoc.h"

/* Pack the skeleton of failover `obj`, whose positions `pm` knows, into
 * a malloc'd record *rec of *len bytes. RFG_OK or RFG_ENOMEM. */
int lskel_pack(unsigned char **rec, size_t *len, const cJSON *obj,
               const struct posmap *pm) RFG_MUST_CHECK;

/* The skeleton in `rec`, a new tree (cJSON_Delete it); NULL on ENOMEM. */
cJSON *lskel_unpack(const unsigned char *rec);

/* Where the node JSON pointer `ptr` reaches in `skel` (the deepest one
 * that exists; `skel` inflated from `rec`) was in the source, or
 * `fallback` when the record has no such node. */
struct src_pos lskel_pos(const unsigned char *rec, const cJSON *skel,
                         const char *ptr, struct src_pos fallback);

#endif
