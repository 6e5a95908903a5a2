/* SPDX-License-Identifier: Apache-2.0
 *
 * yedit.h - rewrite YAML text in place so that one node reads back as a
 * new value, touching only the lines that change: comments, key order,
 * quoting and layout of everything else stay as they were (what `polaris
 * fix` does). It works from a structural diff of the old and new values
 * and edits text spans found with libyaml; a change it cannot express as
 * a local edit is refused, never approximated.
 */
#ifndef RFG_YEDIT_H
#define RFG_YEDIT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "sbuf.h"

struct yedit;

/* Index the node spans of `buf` (which must outlive the yedit). */
int yedit_new(struct yedit **out, const char *buf, size_t len,
              struct diag_list *dl) RFG_MUST_CHECK;
void yedit_free(struct yedit *ye);

/* Queue the edits that turn the node starting at `pos` (as reported by
 * ydoc's posmap for a root or sequence item) from `before` into `after`.
 * Returns RFG_OK, RFG_ENOTFOUND (no node there) or RFG_EINVAL (a change
 * that cannot be made in place; the diagnostic says why and where). */
int yedit_diff(struct yedit *ye, struct src_pos pos, const cJSON *before,
               const cJSON *after, struct diag_list *dl) RFG_MUST_CHECK;

/* Write the text with every queued edit applied. When the first line of
 * the text ends in CRLF, every line break the edits add is CRLF too. */
int yedit_render(struct yedit *ye, struct sbuf *out) RFG_MUST_CHECK;

#endif
