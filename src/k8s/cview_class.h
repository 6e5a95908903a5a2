/* SPDX-License-Identifier: Apache-2.0
 *
 * cview_class.h - private to cview_index.c and cview_class.c: what each
 * class of the index holds (cview.h, enum cview_class) and its key, as
 * bytes. The index machinery (cview_index.c) knows keys only as bytes.
 */
#ifndef RFG_CVIEW_CLASS_H
#define RFG_CVIEW_CLASS_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cview.h"

/* A key under construction: short ones stay on the stack. */
struct kbuf {
    char stack[512];
    char *p;
    size_t len, cap;
    bool oom;
};

static inline void kb_init(struct kbuf *b)
{
    b->p = b->stack;
    b->len = 0;
    b->cap = sizeof(b->stack);
    b->oom = false;
}

static inline void kb_free(struct kbuf *b)
{
    if (b->p != b->stack)
        free(b->p);
}

void kb_put(struct kbuf *b, const void *p, size_t n);

/* Serialise the key of class `c` from `k` into `b` (its first byte is
 * the class). */
void cview_make_key(struct kbuf *b, const struct cview *cv,
                    enum cview_class c, const struct cview_key *k);
/* Whether entry `i` belongs to class `c`, and its key there. */
bool cview_member(const struct cview *cv, enum cview_class c, size_t i,
                  struct cview_key *k);
/* Whether class `c` holds failover entries (else Secrets or
 * NetworkPolicies), and how many entries it indexes. */
bool cview_of_failovers(size_t c);
size_t cview_domain_len(const struct cview *cv, size_t c);
/* Whether f's sentinels monitor mymaster even when disableMyMaster is
 * honoured (then a RedisFailover's master name is its name). OpsTree
 * entries: always (their master name does not depend on the target). */
bool cview_mm_always(const struct cview_failover *f);

#endif
