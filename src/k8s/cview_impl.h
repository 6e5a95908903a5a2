/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_impl.h - private to cview*.c: what the files that add entries
 * share.
 */
#ifndef RFG_CVIEW_IMPL_H
#define RFG_CVIEW_IMPL_H

#include "cview.h"

/* Add an entry keyed `key` to map `m` of `cv` (its next index).
 * RFG_OK or RFG_ENOMEM. */
int cview_map_add(const struct cview *cv, struct cview_hmap *m,
                  uint64_t key) RFG_MUST_CHECK;
/* Free what entry `f` owns. */
void cview_free_failover(struct cview_failover *f);
/* Copy the strings src[0..n) (src[0] not NULL; others may be) into one
 * allocation, setting *dst[i] to each copy (NULL for NULL); returns the
 * allocation, which is *dst[0], or NULL on ENOMEM (*dst[] unset). */
char *cview_str_block(char **const dst[], const char *const src[],
                      size_t n);
/* The next entry of cv->rfs, zeroed but for its strings (ns, name,
 * origin, secret; one allocation), not counted yet: the caller fills it,
 * adds it to cv->rf_name and bumps cv->nrfs, or frees it with
 * cview_free_failover. Drops the index. NULL on ENOMEM. */
struct cview_failover *cview_new_entry(struct cview *cv, const char *ns,
                                       const char *name, const char *origin,
                                       const char *secret);
/* cview_ot.c: add OpsTree object `obj` of namespace `ns`. */
int cview_add_ot(struct cview *cv, const cJSON *obj, const char *ns,
                 const char *origin) RFG_MUST_CHECK;

#endif
