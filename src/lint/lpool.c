/* SPDX-License-Identifier: Apache-2.0
 *
 * lpool.c - the byte pools lint keeps a file's document names and
 * skeleton records in (lpool.h). Knows nothing of what the bytes mean.
 */
#include "lpool.h"

#include <stdlib.h>
#include <string.h>

int lpool_add(struct lpool *pl, const void *p, size_t n, uint32_t *off)
{
    if (pl->len + n >= LPOOL_FULL)
        return RFG_ENOMEM;
    if (pl->len + n > pl->cap) {
        size_t cap = (pl->len + n) * 2;
        char *np = realloc(pl->p, cap < 1024 ? 1024 : cap);

        if (!np)
            return RFG_ENOMEM;
        pl->p = np;
        pl->cap = cap < 1024 ? 1024 : cap;
    }
    memcpy(pl->p + pl->len, p, n);
    *off = (uint32_t)pl->len;
    pl->len += n;
    return RFG_OK;
}

void lpool_fit(struct lpool *pl)
{
    char *np;

    if (pl->len && pl->len < pl->cap && (np = realloc(pl->p, pl->len))) {
        pl->p = np;
        pl->cap = pl->len;
    }
}

void lpool_free(struct lpool *pl)
{
    free(pl->p);
    memset(pl, 0, sizeof(*pl));
}
