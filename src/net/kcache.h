/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache.h - the webhook's cluster view, kept by list+watch against the
 * API server on a thread of its own: every RedisFailover, OpsTree
 * RedisSentinel and RedisReplication, Secret and NetworkPolicy (all
 * namespaces), and the redisfailovers CRD, to detect
 * the operator target and to hand its schema to the caller whenever it
 * changes. Watches follow the API's rules: resourceVersion,
 * allowWatchBookmarks, a relist on 410 Gone, reconnection with jittered
 * backoff. A refused (403) or unserved (404) CRD, NetworkPolicy or
 * OpsTree list is logged once and leaves the view available: without
 * the CRD the policy's target and the compiled-in schema apply, without
 * NetworkPolicies none guards a sentinel, without an OpsTree resource
 * the view has none of that kind; each is listed again now and then.
 * So are RedisFailovers that are not served (404) when no
 * redisfailovers CRD is installed (a cluster with the OpsTree operator
 * only); a 403 on them, or a 404 while the CRD is there, makes the view
 * unavailable. The result is published as immutable, refcounted snapshots
 * of struct cview: a request takes one with kcache_snapshot() (a pointer
 * swap under a mutex, never a network call) and drops it with
 * kcache_release().
 *
 * Secrets: each one is summarised the moment it arrives (key names, the
 * SHA-256 and shape of `password`) and its JSON is wiped and freed. No
 * Secret value is stored or logged. Not linked into `rfguard lint`.
 */
#ifndef RFG_KCACHE_H
#define RFG_KCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cview.h"
#include "diag.h"
#include "kclient.h"
#include "rf.h"

/* Told about state changes (synced, relisting, disconnected...), on the
 * cache thread. `msg` never holds object contents. */
typedef void (*kcache_log_fn)(void *arg, const char *level, const char *msg,
                              const char *detail);

/* The installed CRD's schema is new or changed (listed, or a watch
 * event): `schema` (stripped as crd.h does; owned by the callee from now
 * on), the CRD version it is from, and the first 12 hex digits of its
 * SHA-256. On the cache thread. A deleted CRD is only logged. */
typedef void (*kcache_crd_fn)(void *arg, cJSON *schema, const char *version,
                              const char *digest);

struct kcache_config {
    struct kclient *client;     /* borrowed; outlives the cache */
    cview_hash_fn hash;         /* password fingerprints (rfg_sha256) */
    unsigned watch_timeout_s;   /* server-side watch timeout; 0 = 300 */
    unsigned stale_after_ms;    /* a watch down this long makes the view
                                   unavailable; 0 = 3000 */
    unsigned page_size;         /* list page; 0 = 500 */
    unsigned publish_ms;        /* min gap between snapshots; 0 = 50 */
    unsigned idle_ms;           /* restart a watch silent this long (no
                                   event, no bookmark); 0 = 120000 */
    kcache_log_fn log;          /* may be NULL */
    void *log_arg;
    kcache_crd_fn crd;          /* may be NULL: the schema is not wanted */
    void *crd_arg;
};

struct kcache;

/* Start the cache thread. It syncs in the background; kcache_ready()
 * turns true after the first complete list of every source (a refused
 * optional source counts as listed, empty; the CRD need only have been
 * tried). */
int kcache_start(struct kcache **out, const struct kcache_config *cfg,
                 struct diag_list *dl) RFG_MUST_CHECK;
/* Stop the thread, drop the cache's snapshot and free. Snapshots still
 * held by readers stay valid until released. NULL is a no-op. */
void kcache_stop(struct kcache *kc);

/* The latest snapshot (cv->complete is true), or NULL before the first
 * sync. Release it with kcache_release(). Thread-safe, non-blocking. */
const struct cview *kcache_snapshot(struct kcache *kc);
void kcache_release(const struct cview *cv);

/* True once the first full sync is done (stays true). */
bool kcache_ready(struct kcache *kc);

/* 0 when the view is current. Otherwise the Unix time since which it may
 * be stale: a watch or list has been failing for longer than
 * stale_after_ms, or (before the first sync) the start time. The CRD
 * never counts, nor does a refused NetworkPolicy list. */
int64_t kcache_unavailable_since(struct kcache *kc);

/* The target the installed CRD implies: RF_TARGET_FRESHWORKS_V33 when its
 * schema has spec.sentinel.disableMyMaster, RF_TARGET_SPOTAHOME_V13 when
 * not, 0 when unknown (no CRD, or not read yet). A deleted CRD leaves the
 * last target. */
enum rf_target kcache_target(struct kcache *kc);

/* Whether the view took kind `k` (one of enum rf_kind) as not served: its
 * last list answered 404 and its CRD is not installed, so the view has
 * none of them. Any thread. */
bool kcache_unserved(struct kcache *kc, enum rf_kind k);

struct kcache_stats {
    unsigned long lists, watches, relists, events, snapshots;
};
void kcache_stats(struct kcache *kc, struct kcache_stats *out);

#endif
