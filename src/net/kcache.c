/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache.c - the cluster cache's thread, state and snapshots: it runs the
 * list+watch of RedisFailovers and Secrets on one thread, with curl's
 * multi interface carrying both watch streams. Each source keeps a store
 * keyed by namespace/name (kstore.c: a trimmed copy of each RedisFailover
 * and, for each Secret, only the summary cview makes of it); the list and
 * the watch of one source are kcache_watch.c. After a batch of events the cache builds
 * a fresh struct cview from the stores and publishes it; readers hold the
 * old one until they release it.
 *
 * Watch protocol (as client-go's reflector): list with paging, remember
 * metadata.resourceVersion, watch from it with allowWatchBookmarks; each
 * event and bookmark moves the version on; a normal end (timeoutSeconds)
 * reconnects at once; an ERROR 410 Expired or an HTTP 410 relists; any
 * other failure marks the source down and retries with jittered backoff.
 * The CRD is read before each RedisFailover list and every crd_poll_ms
 * once synced (a GET, not a watch: it changes on operator upgrades only);
 * its stripped schema goes to the crd callback when its digest changes.
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
#include "json.h"

#define WATCH_ANSWER_MS 15000
#define CRD_PATH "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" \
                 "redisfailovers." RF_GROUP

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
    if (atomic_load(&src->down_mono) == 0) {
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
    if (atomic_load(&src->down_mono) != 0) {
        atomic_store(&src->down_mono, 0);
        atomic_store(&src->down_wall, 0);
        kcache_log(src->kc, "info", "cluster view: API server reachable again",
              src->what);
    }
    src->fails = 0;
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

/* ---- CRD ---- */

/* Hand the schema of the CRD `root` to the crd callback if it changed
 * since the last one handed over. A schema that cannot be used is
 * logged once, and the last good one stays: false then. */
static bool crd_update(struct kcache *kc, const cJSON *root)
{
    struct diag_list dl;
    unsigned char d[32];
    char ver[64], hex[13], msg[300];
    cJSON *s = NULL;
    char *txt;
    size_t i;

    diag_list_init(&dl, "the installed CRD");
    if (crd_schema(&s, ver, sizeof(ver), root, NULL, &dl)) {
        if (!kc->crd_bad_logged && dl.len) {
            diag_format(&dl.v[0], msg, sizeof(msg));
            kcache_log(kc, "warn", "cluster view: the installed CRD's "
                                   "schema cannot be used; the schema in "
                                   "use stays", msg);
            kc->crd_bad_logged = true;
        }
        diag_list_cleanup(&dl);
        return false;
    }
    diag_list_cleanup(&dl);
    kc->crd_bad_logged = false;
    txt = cJSON_PrintUnformatted(s);
    if (!txt) {
        cJSON_Delete(s);
        return true;
    }
    kc->cfg.hash(txt, strlen(txt), d);
    cJSON_free(txt);
    if (kc->crd_have && !memcmp(d, kc->crd_digest, sizeof(d))) {
        cJSON_Delete(s);
        return true;
    }
    memcpy(kc->crd_digest, d, sizeof(d));
    kc->crd_have = true;
    for (i = 0; i < 6; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    kc->cfg.crd(kc->cfg.crd_arg, s, ver, hex);
    return true;
}

static void detect_target(struct kcache *kc)
{
    struct kclient_resp r;
    cJSON *root = NULL;
    const cJSON *v;
    enum rf_target t = RF_TARGET_SPOTAHOME_V13;
    char msg[300];

    if (kclient_request(kc->cfg.client, "GET", CRD_PATH, NULL, 10000,
                        (size_t)16 << 20, 0, &r) != RFG_OK ||
        r.status != 200) {
        if (!kc->crd_logged) {
            snprintf(msg, sizeof(msg), "HTTP %ld: %s", r.status,
                     r.err[0] ? r.err : "no answer");
            kcache_log(kc, "warn",
                  "cluster view: cannot read the redisfailovers CRD; the "
                  "policy's target is used", msg);
            kc->crd_logged = true;
        }
        kclient_resp_cleanup(&r);
        return;
    }
    root = cJSON_ParseWithLength(r.body, r.len);
    cJSON_ArrayForEach(v, json_get(json_get(root, "spec"), "versions")) {
        const cJSON *s = json_get(json_get(json_get(json_get(json_get(json_get(json_get(json_get(
            json_get(v, "schema"), "openAPIV3Schema"), "properties"), "spec"),
            "properties"), "sentinel"), "properties"), "disableMyMaster"),
            "type");

        if (s)
            t = RF_TARGET_FRESHWORKS_V33;
    }
    /* a CRD whose schema cannot be used changes nothing */
    if (root && kc->cfg.crd && kc->cfg.hash && !crd_update(kc, root)) {
        cJSON_Delete(root);
        kclient_resp_cleanup(&r);
        return;
    }
    if (root && atomic_load(&kc->target) != (unsigned)t) {
        atomic_store(&kc->target, (unsigned)t);
        kcache_log(kc, "info", "cluster view: operator target from the CRD",
              rf_target_name(t));
    }
    cJSON_Delete(root);
    kclient_resp_cleanup(&r);
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

static bool all_listed(const struct kcache *kc)
{
    size_t i;

    for (i = 0; i < NSRC; i++)
        if (!kc->src[i].listed)
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
        if (!src->is_secret) {
            detect_target(kc);
            kc->crd_next = rfg_mono_ms() + kc->cfg.crd_poll_ms;
        }
        if (kcache_list(kc, src) != RFG_OK) {
            src->retry_at = rfg_mono_ms() +
                            kclient_backoff_ms(src->fails++, 250, 10000);
            continue;
        }
        src->need_list = false;
        src->listed = true;
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
        if (atomic_load(&kc->ready) && rfg_mono_ms() >= kc->crd_next) {
            detect_target(kc);
            kc->crd_next = rfg_mono_ms() + kc->cfg.crd_poll_ms;
        }
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
            if (atomic_load(&kc->ready) && kc->crd_next < next)
                next = kc->crd_next > now ? kc->crd_next : now;
            if (next > now)
                curl_multi_poll(kc->multi, NULL, 0, (int)(next - now),
                                NULL);
        }
    }
    for (i = 0; i < NSRC; i++)
        kcache_watch_stop(kc, &kc->src[i]);
    return NULL;
}

static void init_source(struct kcache *kc, struct source *src, bool secret)
{
    src->kc = kc;
    src->is_secret = secret;
    src->need_list = true;
    if (src->is_secret)
        sbuf_init_sensitive(&src->line, MAX_EVENT);
    else
        sbuf_init(&src->line, MAX_EVENT);
    atomic_init(&src->down_mono, 0);
    atomic_init(&src->down_wall, 0);
    if (secret) {
        src->what = "secrets";
        src->path = "/api/v1/secrets";
        /* Helm release and token Secrets are large and never hold a
         * failover's password. */
        src->query = "&fieldSelector=type%21%3Dhelm.sh%2Frelease.v1";
        src->kind = "Secret";
        src->api_version = "v1";
    } else {
        src->what = "redisfailovers";
        src->path = "/apis/" RF_GROUP "/v1/redisfailovers";
        src->query = "";
        src->kind = RF_KIND;
        src->api_version = RF_API_VERSION;
    }
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
    if (!kc->cfg.crd_poll_ms)
        kc->cfg.crd_poll_ms = 30000;
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
        init_source(kc, &kc->src[i], i == 1);
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

