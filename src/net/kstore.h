/* SPDX-License-Identifier: Apache-2.0
 *
 * kstore.h - what the cluster cache keeps of each listed or watched
 * object, keyed by "namespace/name": a trimmed copy of a RedisFailover
 * (apiVersion, kind, name, namespace, spec) or of a NetworkPolicy (the
 * same, with only spec.podSelector, policyTypes and ingress: what
 * cview_add_netpol reads), or only the summary cview makes of a Secret
 * (key names, the fingerprint and shape of `password`).
 * A Secret's JSON is never stored: kstore_scrub_secret overwrites its
 * values before the caller frees the tree. Also builds a cview from the
 * stores. Not thread-safe (one cache thread owns the stores), and no
 * network: the list/watch side is kcache.
 */
#ifndef RFG_KSTORE_H
#define RFG_KSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cview.h"
#include "diag.h"

struct kstore_entry;

/* A hash table of entries. Zeroed = empty; kstore_clear frees it. A
 * store may be moved by plain assignment (then zero the source). */
struct kstore {
    struct kstore_entry **b;   /* owned buckets */
    size_t nb, n;
};

/* What a store holds. */
enum kstore_type { KSTORE_FAILOVER, KSTORE_SECRET, KSTORE_NETPOL };

struct kstore_kind {
    const char *kind, *api_version;  /* set on objects that lack them */
    enum kstore_type type;
    cview_hash_fn hash;         /* Secret password fingerprints */
};

void kstore_clear(struct kstore *s);

/* Add or replace `obj` (borrowed; gets kind and apiVersion when it has
 * none) in the store. Objects without a name are ignored, and so are
 * Secrets cview has no summary for. Returns RFG_OK or RFG_ENOMEM. The
 * caller still scrubs a Secret. */
int kstore_put(struct kstore *s, const struct kstore_kind *k, cJSON *obj)
    RFG_MUST_CHECK;
/* Remove the entry `key` if there is one. */
void kstore_del(struct kstore *s, const char *key);
/* The key of `obj`, "namespace/name" (owned), or NULL when it has no
 * name or memory ran out. */
char *kstore_key(const cJSON *obj);
/* Overwrite every value under data and stringData of a Secret before
 * the tree is freed, so no password lingers in freed memory. */
void kstore_scrub_secret(cJSON *obj);

/* Add every entry of `s` to `cv`. Returns RFG_OK or an error of cview. */
int kstore_add_to_view(struct cview *cv, const struct kstore *s)
    RFG_MUST_CHECK;

#endif
