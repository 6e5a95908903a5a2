/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache.c - the cluster cache's thread, state and snapshots: it runs the
 * list+watch of the redisfailovers CRD, RedisFailovers, OpsTree
 * RedisSentinels and RedisReplications, Secrets and NetworkPolicies on
 * one thread, with curl's multi interface carrying every watch stream.
 * Each source but the CRD keeps a store keyed by namespace/name
 * (kstore.c: a trimmed copy of each RedisFailover, OpsTree object and
 * NetworkPolicy and, for each Secret, only the summary cview makes of
 * it); the list and the watch of one source are kcache_watch.c, what the
 * CRD means is kcache_crd.c. After a batch of events the cache builds a
 * fresh struct cview from the stores, indexes its classes (so a review
 * costs the same however many failovers the cluster has) and publishes
 * it; readers hold the old one until they release it.
 *
 * Watch protocol (as client-go's reflector): list with paging, remember
 * metadata.resourceVersion, watch from it with allowWatchBookmarks; each
 * event and bookmark moves the version on; a normal end (timeoutSeconds)
 * reconnects at once; an ERROR 410 Expired or an HTTP 410 relists; any
 * other failure marks the source down and retries with jittered backoff.
 * Four sources never make the view unavailable when they are refused
 * (403) or not served (404): the CRD (the policy's target and the
 * compiled-in schema are used, as without a CRD), the NetworkPolicies
 * (the view has none, so no policy counts as a guard) and the two
 * OpsTree resources (a cluster without the OpsTree operator's CRDs
 * answers 404: the view has none of them). RedisFailovers not served
 * (404) while the CRD list says there is no redisfailovers CRD (a
 * cluster with the OpsTree operator only) are none either; a 403 on
 * them, or a 404 while the CRD is there, makes the view unavailable. Each is logged once and
 * listed again now and then. The CRD's other failures are only
 * logged too: its schema only changes on operator upgrades.
 * It is not the admission path: nothing here is called by a request
 * except kcache_snapshot/_release/_ready/_unavailable_since/_target.
 */
#include "kcache_impl.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "crd.h"

#define WATCH_ANSWER_MS 15000
/* how long an optional source that was refused waits to list again, at
 * most */
#define REFUSED_RETRY_MS 60000

struct snap {
    struct cview cv;           /* first: a cview pointer is a snap */
    atomic_uint refs;
};

void kcache_log(struct kcache *kc, const char *level, const char *msg,
                const char *detail)
{
    if (kc->cfg.log)
        kc->cfg.log(kc->cfg.log_arg, level, msg, detail);
}

/* ---- snapshots ---- */

static void snap_put(struct snap *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1) {
        cview_cleanup(&s->cv);
        free(s);
    }
}

static int publish(struct kcache *kc)
{
    struct snap *s = calloc(1, sizeof(*s)), *old;
    size_t i;
    int rc = RFG_OK;

    if (!s)
        return RFG_ENOMEM;
    cview_init(&s->cv, kc->cfg.hash);
    atomic_init(&s->refs, 1);
    for (i = 0; i < NSRC && !rc; i++)
        rc = kstore_add_to_view(&s->cv, &kc->src[i].st);
    /* readers share the snapshot without a lock: index it first */
    if (!rc)
        rc = cview_index_build(&s->cv);
    if (rc) {
        snap_put(s);
        return rc;
    }
    s->cv.complete = true;
    pthread_mutex_lock(&kc->mu);
    old = kc->cur;
    kc->cur = s;
    pthread_mutex_unlock(&kc->mu);
    snap_put(old);
    atomic_fetch_add(&kc->snapshots, 1);
    kc->dirty = false;
    kc->last_pub = rfg_mono_ms();
    return RFG_OK;
}

const struct cview *kcache_snapshot(struct kcache *kc)
{
    struct snap *s;

    if (!kc)
        return NULL;
    pthread_mutex_lock(&kc->mu);
    s = kc->cur;
    if (s)
        atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&kc->mu);
    return s ? &s->cv : NULL;
}

void kcache_release(const struct cview *cv)
{
    /* cv is the first member of a struct snap we allocated */
    snap_put((struct snap *)(uintptr_t)cv);
}

bool kcache_ready(struct kcache *kc)
{
    return kc && atomic_load(&kc->ready);
}

/* ---- up / down bookkeeping ---- */

void kcache_mark_down(struct source *src, const char *why)
{
    char now[sizeof(src->why)];

    snprintf(now, sizeof(now), "%s: %s", src->what, why);
    if (src->role == SRC_CRD) {
        /* never down: the schema and target in use stay */
        if (strcmp(now, src->why) != 0)
            kcache_log(src->kc, "warn", "cluster view: cannot read the "
                       "redisfailovers CRD; the schema and operator target "
                       "in use stay", now);
    } else if (atomic_load(&src->down_mono) == 0) {
        atomic_store(&src->down_wall, (int_least64_t)time(NULL));
        atomic_store(&src->down_mono, rfg_mono_ms());
        kcache_log(src->kc, "warn", "cluster view: API server unreachable", now);
    } else if (strcmp(now, src->why) != 0) {
        /* still down, for another reason (e.g. now a 403): say so once */
        kcache_log(src->kc, "warn", "cluster view: API server still unusable",
              now);
    }
    memcpy(src->why, now, sizeof(now));
}

void kcache_mark_up(struct source *src)
{
    if (src->refused)
        kcache_log(src->kc, "info", "cluster view: allowed again",
                   src->what);
    else if (src->role == SRC_CRD && src->why[0])
        kcache_log(src->kc, "info", "cluster view: the redisfailovers CRD "
                   "can be read again", NULL);
    src->why[0] = '\0';
    src->refused = false;
    atomic_store(&src->unserved, false);
    if (atomic_load(&src->down_mono) != 0) {
        atomic_store(&src->down_mono, 0);
        atomic_store(&src->down_wall, 0);
        kcache_log(src->kc, "info", "cluster view: API server reachable again",
              src->what);
    }
    src->fails = 0;
}

/* Is a 404 on `src` its CRD not being installed? For RedisFailovers, only
 * when the last list of the CRDs succeeded without it: a 404 while the
 * CRD is there (an API server that has not loaded its CRDs yet) is an
 * outage, not an empty kind. The OpsTree CRDs are not listed: a 404 on
 * their resources is taken at its word. */
static bool crd_absent(const struct source *src)
{
    const struct source *crd = &src->kc->src[SRC_CRD];

    if (src->role != SRC_FAILOVERS)
        return true;
    return crd->listed && !crd->refused && !crd->crd_seen &&
           !crd->need_list;
}

/* What a refused optional source means for the view. */
static const char *refused_msg(const struct source *src, long status)
{
    if (src->role == SRC_CRD)
        return "cluster view: cannot read the redisfailovers CRD; the "
               "policy's target and the compiled-in schema are used";
    if (src->role == SRC_NETPOLS)
        return "cluster view: cannot list networkpolicies; no "
               "NetworkPolicy counts as guarding sentinels";
    if (src->role == SRC_FAILOVERS)
        return "cluster view: redisfailovers are not served (no "
               "RedisFailover CRD); the view has none";
    if (status == 404)
        return src->role == SRC_SENTINELS
                   ? "cluster view: redissentinels are not served (no "
                     "OpsTree RedisSentinel CRD); the view has none"
                   : "cluster view: redisreplications are not served (no "
                     "OpsTree RedisReplication CRD); the view has none";
    return src->role == SRC_SENTINELS
               ? "cluster view: cannot list redissentinels (grant get, "
                 "list and watch on redissentinels."
                 "redis.redis.opstreelabs.in); the view has none"
               : "cluster view: cannot list redisreplications (grant get, "
                 "list and watch on redisreplications."
                 "redis.redis.opstreelabs.in); the view has none";
}

bool kcache_refused(struct source *src, long status, const char *why)
{
    char now[sizeof(src->why)];

    if (!(src->optional && (status == 403 || status == 404)) &&
        !(src->unserved_ok && status == 404 && crd_absent(src)))
        return false;
    snprintf(now, sizeof(now), "%s: %s", src->what, why);
    if (!src->refused || strcmp(now, src->why) != 0)
        kcache_log(src->kc, status == 404 && src->unserved_ok ? "info"
                                                             : "warn",
                   refused_msg(src, status), now);
    memcpy(src->why, now, sizeof(now));
    src->refused = true;
    atomic_store(&src->unserved, status == 404);
    if (src->st.n)
        src->kc->dirty = true;
    kstore_clear(&src->st);
    /* refused is not down: the view stays available */
    atomic_store(&src->down_mono, 0);
    atomic_store(&src->down_wall, 0);
    return true;
}

int64_t kcache_unavailable_since(struct kcache *kc)
{
    uint64_t now = rfg_mono_ms();
    int64_t since = 0;
    size_t i;

    if (!kc)
        return 0;
    if (!atomic_load(&kc->ready))
        return kc->start_wall;
    for (i = 0; i < NSRC; i++) {
        uint64_t d = atomic_load(&kc->src[i].down_mono);

        if (d && now - d >= kc->cfg.stale_after_ms) {
            int64_t w = atomic_load(&kc->src[i].down_wall);

            if (!since || w < since)
                since = w;
        }
    }
    return since;
}

bool kcache_unserved(struct kcache *kc, enum rf_kind k)
{
    enum src_role r = k == RF_KIND_FAILOVER   ? SRC_FAILOVERS
                      : k == RF_KIND_SENTINEL ? SRC_SENTINELS
                      : k == RF_KIND_REPLICATION ? SRC_REPLICATIONS
                                                 : NSRC;

    return kc && r != NSRC && atomic_load(&kc->src[r].unserved);
}

enum rf_target kcache_target(struct kcache *kc)
{
    return kc ? (enum rf_target)atomic_load(&kc->target) : 0;
}

void kcache_stats(struct kcache *kc, struct kcache_stats *out)
{
    out->lists = atomic_load(&kc->lists);
    out->watches = atomic_load(&kc->watches);
    out->relists = atomic_load(&kc->relists);
    out->events = atomic_load(&kc->events);
    out->snapshots = atomic_load(&kc->snapshots);
}

/* ---- the thread ---- */

/* A watch whose server accepted the connection but never answers is as
 * good as down: say so once it has waited stale_after_ms, give up after
 * WATCH_ANSWER_MS, and restart one that went silent for idle_ms (a live
 * server sends bookmarks). */
static void check_stuck(struct kcache *kc, struct source *src, uint64_t now)
{
    if (!src->h)
        return;
    if (!src->up_seen) {
        if (now - src->started >= kc->cfg.stale_after_ms)
            kcache_mark_down(src, "watch: no answer from the API server");
        if (now - src->started >= WATCH_ANSWER_MS)
            kcache_watch_finish(kc, src, CURLE_OPERATION_TIMEDOUT);
    } else if (now - src->last_data >= kc->cfg.idle_ms) {
        kcache_log(kc, "info", "cluster view: watch silent; reconnecting",
              src->what);
        kcache_watch_finish(kc, src, CURLE_OK);
    }
}

/* Every source has been listed (or refused), so the view may sync. The
 * CRD only has to have been tried: its answer, if any, is in, and the
 * view does not wait for it. */
static bool all_listed(const struct kcache *kc)
{
    size_t i;

    for (i = 0; i < NSRC; i++)
        if (!kc->src[i].listed &&
            !(kc->src[i].role == SRC_CRD && kc->src[i].tried))
            return false;
    return true;
}

static void run_lists(struct kcache *kc, uint64_t now)
{
    size_t i;

    for (i = 0; i < NSRC && !atomic_load(&kc->stop); i++) {
        struct source *src = &kc->src[i];

        if (!src->need_list || src->h || now < src->retry_at)
            continue;
        src->tried = true;
        if (kcache_list(kc, src) != RFG_OK) {
            if (src->refused) {
                /* an empty source is a known state; try again later */
                src->listed = true;
                src->retry_at = rfg_mono_ms() +
                                kclient_backoff_ms(src->fails++, 2000,
                                                   REFUSED_RETRY_MS);
            } else {
                src->retry_at = rfg_mono_ms() +
                                kclient_backoff_ms(src->fails++, 250, 10000);
            }
            continue;
        }
        src->need_list = false;
        src->listed = true;
        if (src->role != SRC_CRD)
            kc->dirty = true;
        now = rfg_mono_ms();
    }
}

static void *cache_main(void *arg)
{
    struct kcache *kc = arg;
    uint64_t now;
    int running, left;
    CURLMsg *m;
    size_t i;

    while (!atomic_load(&kc->stop)) {
        now = rfg_mono_ms();
        run_lists(kc, now);
        if (atomic_load(&kc->stop))
            break;
        if (!atomic_load(&kc->ready) && all_listed(kc)) {
            if (publish(kc) == RFG_OK) {
                atomic_store(&kc->ready, true);
                kcache_log(kc, "info", "cluster view: synced", NULL);
            }
        }
        now = rfg_mono_ms();
        for (i = 0; i < NSRC; i++) {
            struct source *src = &kc->src[i];

            if (!src->h && !src->need_list && now >= src->retry_at &&
                kcache_watch_start(kc, src) != RFG_OK)
                src->retry_at = now + 1000;
        }
        curl_multi_perform(kc->multi, &running);
        while ((m = curl_multi_info_read(kc->multi, &left))) {
            struct source *src = NULL;

            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &src);
            if (src)
                kcache_watch_finish(kc, src, m->data.result);
        }
        for (i = 0; i < NSRC; i++) {
            struct source *src = &kc->src[i];
            long status = 0;

            /* headers of a reconnected watch arrived: the source is up
             * even before its first event */
            if (src->h && !src->up_seen &&
                curl_easy_getinfo(src->h, CURLINFO_RESPONSE_CODE,
                                  &status) == CURLE_OK && status == 200) {
                src->up_seen = true;
                kcache_mark_up(src);
            }
            check_stuck(kc, src, rfg_mono_ms());
        }
        now = rfg_mono_ms();
        if (kc->dirty && atomic_load(&kc->ready) &&
            now - kc->last_pub >= kc->cfg.publish_ms &&
            publish(kc) != RFG_OK)
            kcache_log(kc, "error", "cluster view: out of memory building a "
                               "snapshot", NULL);
        {
            uint64_t next = now + 1000;

            for (i = 0; i < NSRC; i++) {
                uint64_t t = kc->src[i].retry_at;

                if (!kc->src[i].h && t > now && t < next)
                    next = t;
                if (!kc->src[i].h && t <= now)
                    next = now;
            }
            if (kc->dirty && kc->last_pub + kc->cfg.publish_ms < next)
                next = kc->last_pub + kc->cfg.publish_ms;
            if (next > now)
                curl_multi_poll(kc->multi, NULL, 0, (int)(next - now),
                                NULL);
        }
    }
    for (i = 0; i < NSRC; i++)
        kcache_watch_stop(kc, &kc->src[i]);
    return NULL;
}

/* What each source lists and watches. */
static const struct {
    const char *what, *path, *query, *kind, *api_version;
    enum kstore_type type;
    bool optional, unserved_ok;
} sources[NSRC] = {
    [SRC_CRD] = {"customresourcedefinitions",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                 "&fieldSelector=metadata.name%3D" CRD_NAME,
                 "CustomResourceDefinition", "apiextensions.k8s.io/v1",
                 KSTORE_FAILOVER, true, true},
    /* a 403 makes the view unavailable; a 404 (a cluster that runs only
     * the OpsTree operator) means none */
    [SRC_FAILOVERS] = {"redisfailovers", "/apis/" RF_GROUP "/v1/redisfailovers",
                       "", RF_KIND, RF_API_VERSION, KSTORE_FAILOVER, false,
                       true},
    /* optional: most clusters do not run the OpsTree operator */
    [SRC_SENTINELS] = {"redissentinels",
                       "/apis/" OT_API_VERSION "/redissentinels", "",
                       OT_KIND_SENTINEL, OT_API_VERSION, KSTORE_FAILOVER,
                       true, true},
    [SRC_REPLICATIONS] = {"redisreplications",
                          "/apis/" OT_API_VERSION "/redisreplications", "",
                          OT_KIND_REPLICATION, OT_API_VERSION,
                          KSTORE_FAILOVER, true, true},
    /* Helm release and token Secrets are large and never hold a
     * failover's password. */
    [SRC_SECRETS] = {"secrets", "/api/v1/secrets",
                     "&fieldSelector=type%21%3Dhelm.sh%2Frelease.v1",
                     "Secret", "v1", KSTORE_SECRET, false, false},
    [SRC_NETPOLS] = {"networkpolicies",
                     "/apis/networking.k8s.io/v1/networkpolicies", "",
                     "NetworkPolicy", "networking.k8s.io/v1", KSTORE_NETPOL,
                     true, false},
};

static void init_source(struct kcache *kc, struct source *src,
                        enum src_role role)
{
    src->kc = kc;
    src->role = role;
    src->what = sources[role].what;
    src->path = sources[role].path;
    src->query = sources[role].query;
    src->kind = sources[role].kind;
    src->api_version = sources[role].api_version;
    src->type = sources[role].type;
    src->optional = sources[role].optional;
    src->unserved_ok = sources[role].unserved_ok;
    src->is_secret = src->type == KSTORE_SECRET;
    src->need_list = true;
    if (src->is_secret)
        sbuf_init_sensitive(&src->line, MAX_EVENT);
    else
        sbuf_init(&src->line, MAX_EVENT);
    atomic_init(&src->down_mono, 0);
    atomic_init(&src->down_wall, 0);
    atomic_init(&src->unserved, false);
}

int kcache_start(struct kcache **out, const struct kcache_config *cfg,
                 struct diag_list *dl)
{
    struct kcache *kc;
    size_t i;

    *out = NULL;
    if (!cfg->client)
        return diag_fail(dl, RFG_EINVAL, NULL, "kcache: no API client");
    kc = calloc(1, sizeof(*kc));
    if (!kc)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    kc->cfg = *cfg;
    if (!kc->cfg.watch_timeout_s)
        kc->cfg.watch_timeout_s = 300;
    if (!kc->cfg.stale_after_ms)
        kc->cfg.stale_after_ms = 3000;
    if (!kc->cfg.page_size)
        kc->cfg.page_size = 500;
    if (!kc->cfg.publish_ms)
        kc->cfg.publish_ms = 50;
    if (!kc->cfg.idle_ms)
        kc->cfg.idle_ms = 120000;
    pthread_mutex_init(&kc->mu, NULL);
    atomic_init(&kc->stop, false);
    atomic_init(&kc->ready, false);
    atomic_init(&kc->target, 0);
    atomic_init(&kc->lists, 0);
    atomic_init(&kc->watches, 0);
    atomic_init(&kc->relists, 0);
    atomic_init(&kc->events, 0);
    atomic_init(&kc->snapshots, 0);
    kc->start_wall = (int64_t)time(NULL);
    for (i = 0; i < NSRC; i++)
        init_source(kc, &kc->src[i], (enum src_role)i);
    kc->multi = curl_multi_init();
    if (!kc->multi) {
        kcache_stop(kc);
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    if (pthread_create(&kc->thr, NULL, cache_main, kc) != 0) {
        kcache_stop(kc);
        return diag_fail(dl, RFG_EIO, NULL, "kcache: cannot start thread");
    }
    kc->started = true;
    *out = kc;
    return RFG_OK;
}

void kcache_stop(struct kcache *kc)
{
    size_t i;

    if (!kc)
        return;
    atomic_store(&kc->stop, true);
    if (kc->started) {
        curl_multi_wakeup(kc->multi);
        pthread_join(kc->thr, NULL);
    }
    for (i = 0; i < NSRC; i++) {
        kcache_watch_stop(kc, &kc->src[i]);
        kstore_clear(&kc->src[i].st);
        sbuf_cleanup(&kc->src[i].line);
    }
    if (kc->multi)
        curl_multi_cleanup(kc->multi);
    snap_put(kc->cur);
    pthread_mutex_destroy(&kc->mu);
    free(kc);
}

