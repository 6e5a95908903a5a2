/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache_impl.h - what the parts of the cluster cache share: the cache
 * and its sources (one per watched resource), the up/down bookkeeping
 * (kcache.c), the list and watch of one source (kcache_watch.c) and
 * what the redisfailovers CRD's objects mean (kcache_crd.c). Private to
 * kcache*.c; callers use kcache.h.
 * Everything here runs on the cache thread unless it says otherwise.
 */
#ifndef RFG_KCACHE_IMPL_H
#define RFG_KCACHE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "kcache.h"
#include "kstore.h"
#include "sbuf.h"

#define MAX_EVENT ((size_t)64 << 20)

/* The watched resources, in the order they are first listed: the CRD
 * first, so its schema and the target are known when the view syncs.
 * SRC_SENTINELS and SRC_REPLICATIONS are the OpsTree kinds, empty where
 * their CRDs are not installed. */
enum src_role {
    SRC_CRD, SRC_FAILOVERS, SRC_SENTINELS, SRC_REPLICATIONS, SRC_SECRETS,
    SRC_NETPOLS, NSRC
};

/* One watched resource: its store, its list/watch state, its health. */
struct source {
    enum src_role role;
    const char *what;          /* "redisfailovers", "secrets", ... */
    const char *path;          /* list/watch path, all namespaces */
    const char *query;         /* extra query, "" or "&..." */
    const char *kind, *api_version;
    enum kstore_type type;     /* of its store (unused for the CRD) */
    bool is_secret;
    bool optional;             /* a 403 or 404 leaves it empty (and the
                                  view available) instead of down */
    bool unserved_ok;          /* a 404 (its CRD is not installed) does */
    atomic_bool unserved;      /* the last list was such a 404 */
    bool refused;              /* optional and refused: empty, listed
                                  again now and then */
    bool tried;                /* a list was attempted */
    bool crd_seen;             /* SRC_CRD: the last list had the CRD */
    struct kstore st;
    char rv[64];
    bool need_list, listed;
    CURL *h;                   /* the watch in flight, or NULL */
    struct curl_slist *hdrs;
    struct sbuf line;          /* partial event line */
    bool expired, stream_error, up_seen;
    unsigned fails;
    uint64_t retry_at;         /* monotonic ms */
    uint64_t started;          /* when the watch in flight began */
    uint64_t last_data;        /* when it last received anything */
    atomic_uint_least64_t down_mono;  /* 0 = up */
    atomic_int_least64_t down_wall;
    char why[240];
    struct kcache *kc;
};

struct snap;

/* The cache. Readers on other threads touch only the atomics and, under
 * mu, the current snapshot; the rest is the cache thread's. */
struct kcache {
    struct kcache_config cfg;
    pthread_t thr;
    bool started;
    atomic_bool stop;
    CURLM *multi;
    pthread_mutex_t mu;
    struct snap *cur;          /* under mu; one reference held here */
    atomic_bool ready;
    int64_t start_wall;
    atomic_uint target;
    atomic_ulong lists, watches, relists, events, snapshots;
    struct source src[NSRC];
    bool dirty;
    uint64_t last_pub;
    bool crd_absent_logged;
    bool crd_have, crd_bad_logged;
    unsigned char crd_digest[32];  /* of the schema last handed over */
};

/* Tell the configured log callback, if any. */
void kcache_log(struct kcache *kc, const char *level, const char *msg,
                const char *detail);
/* The source failed (`why` names no object contents): from now on it
 * counts as down, logged once per reason. The CRD source never counts
 * as down: its failures are only logged. */
void kcache_mark_down(struct source *src, const char *why);
/* The source answered again: up, its failure count reset. */
void kcache_mark_up(struct source *src);
/* An optional source was refused (HTTP `status` 403 or 404), or one
 * whose CRD may be missing was not served (404); `why` says so: empty
 * its store, log it once, and do not count it as down. Returns false,
 * doing nothing, for any other source or status. */
bool kcache_refused(struct source *src, long status, const char *why);

/* kcache_crd.c: the redisfailovers CRD `crd` (borrowed) was listed or
 * came in a watch event: detect the target from it and hand its schema
 * to the crd callback when it changed. */
void kcache_crd_put(struct kcache *kc, const cJSON *crd);
/* The CRD was deleted: logged; the last schema and target stay. */
void kcache_crd_deleted(struct kcache *kc);
/* A list of the CRD ended; it had no CRD unless kc->src[SRC_CRD].crd_seen:
 * logged once, the policy's target and compiled-in schema stay. */
void kcache_crd_listed(struct kcache *kc);

/* List every object of `src` (paged) into a fresh store; on success it
 * replaces the old one and src->rv is the list's resourceVersion. */
int kcache_list(struct kcache *kc, struct source *src);
/* Add a watch of `src` from src->rv to the multi handle. */
int kcache_watch_start(struct kcache *kc, struct source *src);
/* Remove and free the watch in flight, if any. */
void kcache_watch_stop(struct kcache *kc, struct source *src);
/* The watch of `src` ended with `cc`: stop it and decide what comes
 * next (reconnect, relist, or back off and mark the source down). */
void kcache_watch_finish(struct kcache *kc, struct source *src,
                         CURLcode cc);

#endif
