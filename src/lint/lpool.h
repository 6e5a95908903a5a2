/* SPDX-License-Identifier: Apache-2.0
 *
 * lpool.h - bytes that live as long as a file's documents in a lint run
 * (their names, their failovers' packed skeletons): many small pieces in
 * one allocation, no malloc header and rounding for each, addressed by a
 * 32-bit offset. Not a general allocator: nothing is freed alone.
 */
#ifndef RFG_LPOOL_H
#define RFG_LPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* No offset reaches this: a pool stays below it. */
#define LPOOL_FULL UINT32_MAX

struct lpool {
    char *p;               /* owned */
    size_t len, cap;
};

/* Append n bytes to `pl`; their offset in *off. RFG_OK or RFG_ENOMEM
 * (also when the pool would reach LPOOL_FULL). */
int lpool_add(struct lpool *pl, const void *p, size_t n, uint32_t *off)
    RFG_MUST_CHECK;

/* Give back the pool's growth slack (its file is read). */
void lpool_fit(struct lpool *pl);

/* Free the pool's bytes; it is left empty. */
void lpool_free(struct lpool *pl);

#endif
