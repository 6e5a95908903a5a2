/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache.c - list+watch of RedisFailovers and Secrets on one thread, with
 * curl's multi interface carrying both watch streams. Each source keeps a
 * store keyed by namespace/name: a trimmed copy of each RedisFailover
 * (apiVersion, kind, name, namespace, spec) and, for each Secret, only
 * the summary cview makes of it. After a batch of events the cache builds
 * a fresh struct cview from the stores and publishes it; readers hold the
 * old one until they release it.
 *
 * Watch protocol (as client-go's reflector): list with paging, remember
 * metadata.resourceVersion, watch from it with allowWatchBookmarks; each
 * event and bookmark moves the version on; a normal end (timeoutSeconds)
 * reconnects at once; an ERROR 410 Expired or an HTTP 410 relists; any
 * other failure marks the source down and retries with jittered backoff.
 * It is not the admission path: nothing here is called by a request
 * except kcache_snapshot/_release/_ready/_unavailable_since/_target.
 */
#include "kcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "json.h"
#include "sbuf.h"

#define NSRC 2
#define MAX_EVENT ((size_t)64 << 20)
#define WATCH_ANSWER_MS 15000
#define MAX_LIST_PAGE ((size_t)256 << 20)
#define CRD_PATH "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" \
                 "redisfailovers." RF_GROUP

struct entry {
    char *key;                 /* owned: "ns/name" */
    struct entry *next;
    cJSON *rf;                 /* owned: trimmed RedisFailover, or NULL */
    struct cview_secret sec;   /* owned summary when has_sec */
    bool has_sec;
};

struct store {
    struct entry **b;          /* owned buckets */
    size_t nb, n;
};

struct source {
    const char *what;          /* "redisfailovers" / "secrets" */
    const char *path;          /* list/watch path, all namespaces */
    const char *query;         /* extra query, "" or "&..." */
    const char *kind, *api_version;
    bool is_secret;
    struct store st;
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

struct snap {
    struct cview cv;           /* first: a cview pointer is a snap */
    atomic_uint refs;
};

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
    bool crd_logged;
};

static void logf_(struct kcache *kc, const char *level, const char *msg,
                  const char *detail)
{
    if (kc->cfg.log)
        kc->cfg.log(kc->cfg.log_arg, level, msg, detail);
}

/* ---- the store ---- */

static uint64_t hash_key(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void entry_free(struct entry *e)
{
    if (!e)
        return;
    free(e->key);
    cJSON_Delete(e->rf);
    if (e->has_sec)
        cview_secret_cleanup(&e->sec);
    free(e);
}

static void store_clear(struct store *s)
{
    size_t i;

    for (i = 0; i < s->nb; i++) {
        struct entry *e = s->b[i], *next;

        for (; e; e = next) {
            next = e->next;
            entry_free(e);
        }
    }
    free(s->b);
    memset(s, 0, sizeof(*s));
}

static struct entry **store_slot(struct store *s, const char *key)
{
    struct entry **p = &s->b[hash_key(key) & (s->nb - 1)];

    while (*p && strcmp((*p)->key, key))
        p = &(*p)->next;
    return p;
}

static int store_grow(struct store *s)
{
    size_t nb = s->nb ? s->nb * 2 : 256, i;
    struct entry **b = calloc(nb, sizeof(*b));

    if (!b)
        return RFG_ENOMEM;
    for (i = 0; i < s->nb; i++) {
        struct entry *e = s->b[i], *next;

        for (; e; e = next) {
            size_t k = hash_key(e->key) & (nb - 1);

            next = e->next;
            e->next = b[k];
            b[k] = e;
        }
    }
    free(s->b);
    s->b = b;
    s->nb = nb;
    return RFG_OK;
}

/* Insert or replace the entry for e->key; takes `e`. */
static int store_put(struct store *s, struct entry *e)
{
    struct entry **p;

    if ((s->n + 1 > s->nb * 2 || !s->nb) && store_grow(s)) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    p = store_slot(s, e->key);
    if (*p) {
        e->next = (*p)->next;
        entry_free(*p);
    } else {
        e->next = NULL;
        s->n++;
    }
    *p = e;
    return RFG_OK;
}

static void store_del(struct store *s, const char *key)
{
    struct entry **p, *e;

    if (!s->nb)
        return;
    p = store_slot(s, key);
    if (!*p)
        return;
    e = *p;
    *p = e->next;
    entry_free(e);
    s->n--;
}

/* ---- objects ---- */

/* Overwrite every value under data and stringData before the tree is
 * freed, so no password lingers in freed memory. */
static void scrub_secret(cJSON *obj)
{
    static const char *const keys[] = {"data", "stringData"};
    cJSON *kv;
    size_t i;

    for (i = 0; i < 2; i++)
        cJSON_ArrayForEach(kv, json_get_mut(obj, keys[i]))
            if (cJSON_IsString(kv) && kv->valuestring)
                OPENSSL_cleanse(kv->valuestring, strlen(kv->valuestring));
}

static char *make_key(const cJSON *obj)
{
    const cJSON *md = json_get(obj, "metadata");
    const char *ns = json_str(md, "namespace"), *name = json_str(md, "name");
    struct sbuf b;

    if (!name)
        return NULL;
    sbuf_init(&b, 1024);
    if (sbuf_printf(&b, "%s/%s", ns ? ns : "", name)) {
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_take(&b, NULL);
}

/* Keep what the rules read of a RedisFailover. */
static cJSON *trim_failover(const cJSON *obj)
{
    cJSON *o = cJSON_CreateObject(), *md;
    const cJSON *omd = json_get(obj, "metadata"), *spec = json_get(obj, "spec");
    const char *ns = json_str(omd, "namespace");

    if (!o || !cJSON_AddStringToObject(o, "apiVersion", RF_API_VERSION) ||
        !cJSON_AddStringToObject(o, "kind", RF_KIND) ||
        !(md = cJSON_AddObjectToObject(o, "metadata")) ||
        !cJSON_AddStringToObject(md, "name", json_str(omd, "name")) ||
        (ns && !cJSON_AddStringToObject(md, "namespace", ns)))
        goto fail;
    if (spec) {
        cJSON *dup = cJSON_Duplicate(spec, 1);

        if (!dup || !cJSON_AddItemToObject(o, "spec", dup)) {
            cJSON_Delete(dup);
            goto fail;
        }
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* Add or replace `obj` (borrowed) in the source's store. Objects
 * without a name are ignored. */
static int put_object(struct source *src, struct store *st, cJSON *obj)
{
    struct entry *e;
    struct cview tmp;
    int rc;

    if (!json_str(obj, "kind") &&
        !cJSON_AddStringToObject(obj, "kind", src->kind))
        return RFG_ENOMEM;
    if (!json_str(obj, "apiVersion") &&
        !cJSON_AddStringToObject(obj, "apiVersion", src->api_version))
        return RFG_ENOMEM;
    if (!json_str(json_get(obj, "metadata"), "name"))
        return RFG_OK;
    e = calloc(1, sizeof(*e));
    if (!e)
        return RFG_ENOMEM;
    e->key = make_key(obj);
    if (!e->key) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    if (!src->is_secret) {
        e->rf = trim_failover(obj);
        if (!e->rf) {
            entry_free(e);
            return RFG_ENOMEM;
        }
        return store_put(st, e);
    }
    cview_init(&tmp, src->kc->cfg.hash);
    rc = cview_add_object(&tmp, obj, NULL, NULL);
    if (!rc && tmp.nsecrets == 1) {
        e->sec = tmp.secrets[0];   /* moved out of tmp */
        e->has_sec = true;
        tmp.nsecrets = 0;
    }
    cview_cleanup(&tmp);
    if (rc || !e->has_sec) {
        entry_free(e);
        return rc;
    }
    return store_put(st, e);
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
    size_t i, j;
    int rc = RFG_OK;

    if (!s)
        return RFG_ENOMEM;
    cview_init(&s->cv, kc->cfg.hash);
    atomic_init(&s->refs, 1);
    for (i = 0; i < NSRC && !rc; i++) {
        struct store *st = &kc->src[i].st;

        for (j = 0; j < st->nb && !rc; j++) {
            const struct entry *e;

            for (e = st->b[j]; e && !rc; e = e->next) {
                if (e->rf)
                    rc = cview_add_object(&s->cv, e->rf, NULL, NULL);
                else if (e->has_sec)
                    rc = cview_add_secret(&s->cv, &e->sec);
            }
        }
    }
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

static void mark_down(struct source *src, const char *why)
{
    char now[sizeof(src->why)];

    snprintf(now, sizeof(now), "%s: %s", src->what, why);
    if (atomic_load(&src->down_mono) == 0) {
        atomic_store(&src->down_wall, (int_least64_t)time(NULL));
        atomic_store(&src->down_mono, rfg_mono_ms());
        logf_(src->kc, "warn", "cluster view: API server unreachable", now);
    } else if (strcmp(now, src->why) != 0) {
        /* still down, for another reason (e.g. now a 403): say so once */
        logf_(src->kc, "warn", "cluster view: API server still unusable",
              now);
    }
    memcpy(src->why, now, sizeof(now));
}

static void mark_up(struct source *src)
{
    if (atomic_load(&src->down_mono) != 0) {
        atomic_store(&src->down_mono, 0);
        atomic_store(&src->down_wall, 0);
        logf_(src->kc, "info", "cluster view: API server reachable again",
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
            logf_(kc, "warn",
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
    if (root && atomic_load(&kc->target) != (unsigned)t) {
        atomic_store(&kc->target, (unsigned)t);
        logf_(kc, "info", "cluster view: operator target from the CRD",
              rf_target_name(t));
    }
    cJSON_Delete(root);
    kclient_resp_cleanup(&r);
}

/* ---- list ---- */

static void wipe_resp(struct kclient_resp *r)
{
    if (r->body)
        OPENSSL_cleanse(r->body, r->len);
    kclient_resp_cleanup(r);
}

/* List every object of `src` (paged) into a fresh store; on success it
 * replaces the old one and src->rv is the list's resourceVersion. */
static int do_list(struct kcache *kc, struct source *src)
{
    struct store fresh;
    struct kclient_resp r;
    struct sbuf path;
    cJSON *root = NULL;
    char *cont = NULL, rv[64] = "";
    const cJSON *md;
    cJSON *item;
    int rc = RFG_OK, restarts = 0;

    memset(&fresh, 0, sizeof(fresh));
    memset(&r, 0, sizeof(r));
    sbuf_init(&path, 64 * 1024);
    for (;;) {
        sbuf_reset(&path);
        rc = sbuf_printf(&path, "%s?limit=%u%s", src->path,
                         kc->cfg.page_size, src->query);
        if (!rc && cont) {
            rc = sbuf_adds(&path, "&continue=");
            if (!rc)
                rc = kclient_query_escape(&path, cont);
        }
        if (rc)
            goto out;
        atomic_fetch_add(&kc->lists, 1);
        rc = kclient_request(kc->cfg.client, "GET", path.p, NULL, 30000,
                             MAX_LIST_PAGE, 0, &r);
        if (rc) {
            mark_down(src, r.err[0] ? r.err : rfg_strerror(rc));
            goto out;
        }
        if (r.status == 410 && restarts++ < 3) {
            /* the continue token expired: start over */
            free(cont);
            cont = NULL;
            store_clear(&fresh);
            wipe_resp(&r);
            continue;
        }
        if (r.status != 200) {
            char why[300];

            snprintf(why, sizeof(why), "list: HTTP %ld: %s", r.status,
                     r.err[0] ? r.err : "no message");
            mark_down(src, why);
            rc = RFG_EUPSTREAM;
            goto out;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        wipe_resp(&r);
        if (!root) {
            mark_down(src, "list: malformed JSON");
            rc = RFG_EPARSE;
            goto out;
        }
        cJSON_ArrayForEach(item, json_get_mut(root, "items")) {
            rc = put_object(src, &fresh, item);
            if (src->is_secret)
                scrub_secret(item);
            if (rc)
                goto out;
        }
        md = json_get(root, "metadata");
        snprintf(rv, sizeof(rv), "%s",
                 json_str(md, "resourceVersion") ? json_str(md, "resourceVersion")
                                             : "");
        free(cont);
        cont = NULL;
        {
            const char *c = json_str(md, "continue");

            if (c && *c && !(cont = strdup(c))) {
                rc = RFG_ENOMEM;
                goto out;
            }
        }
        cJSON_Delete(root);
        root = NULL;
        if (!cont)
            break;
    }
    snprintf(src->rv, sizeof(src->rv), "%s", rv);
    store_clear(&src->st);
    src->st = fresh;
    memset(&fresh, 0, sizeof(fresh));
out:
    if (root && src->is_secret) {
        cJSON_ArrayForEach(item, json_get_mut(root, "items"))
            scrub_secret(item);
    }
    cJSON_Delete(root);
    wipe_resp(&r);
    free(cont);
    sbuf_cleanup(&path);
    store_clear(&fresh);
    return rc;
}

/* ---- watch ---- */

static void handle_event(struct source *src, char *line, size_t len)
{
    struct kcache *kc = src->kc;
    cJSON *ev = cJSON_ParseWithLength(line, len);
    cJSON *obj = json_get_mut(ev, "object");
    const char *type = json_str(ev, "type");
    const char *rv = json_str(json_get(obj, "metadata"), "resourceVersion");
    int rc = RFG_OK;

    if (!ev || !type || !cJSON_IsObject(obj)) {
        src->stream_error = true;
        goto out;
    }
    atomic_fetch_add(&kc->events, 1);
    if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED")) {
        rc = put_object(src, &src->st, obj);
        kc->dirty = true;
    } else if (!strcmp(type, "DELETED")) {
        char *key = make_key(obj);

        if (key)
            store_del(&src->st, key);
        free(key);
        kc->dirty = true;
    } else if (!strcmp(type, "ERROR")) {
        const cJSON *code = json_get(obj, "code");
        char msg[300];

        rv = NULL;
        if (cJSON_IsNumber(code) && code->valueint == 410) {
            src->expired = true;
        } else {
            snprintf(msg, sizeof(msg), "%s: watch error %d: %s", src->what,
                     cJSON_IsNumber(code) ? code->valueint : 0,
                     json_str(obj, "message") ? json_str(obj, "message") : "");
            logf_(kc, "warn", "cluster view: watch error", msg);
            src->stream_error = true;
        }
    } else if (strcmp(type, "BOOKMARK") != 0) {
        rv = NULL;   /* unknown type: ignore */
    }
    if (rc)
        src->stream_error = true;  /* out of memory: relist later */
    else if (rv && *rv)
        snprintf(src->rv, sizeof(src->rv), "%s", rv);
out:
    if (src->is_secret && obj)
        scrub_secret(obj);
    cJSON_Delete(ev);
}

static size_t take_watch_data(char *p, size_t size, size_t n, void *arg)
{
    struct source *src = arg;
    size_t total = size * n, start = 0, i;
    long status = 0;

    curl_easy_getinfo(src->h, CURLINFO_RESPONSE_CODE, &status);
    src->last_data = rfg_mono_ms();
    if (status != 200)   /* a Status body: judged when the transfer ends */
        return sbuf_add(&src->line, p, total) ? 0 : total;
    if (!src->up_seen) {
        src->up_seen = true;
        mark_up(src);
    }
    for (i = 0; i < total; i++) {
        if (p[i] != '\n')
            continue;
        if (sbuf_add(&src->line, p + start, i - start))
            return 0;
        if (src->line.len)
            handle_event(src, src->line.p, src->line.len);
        sbuf_reset(&src->line);     /* wipes a Secret line (sensitive) */
        start = i + 1;
    }
    if (start < total && sbuf_add(&src->line, p + start, total - start))
        return 0;   /* an event over MAX_EVENT: drop the stream */
    return total;
}

static size_t on_watch_data(char *p, size_t size, size_t n, void *arg)
{
    struct source *src = arg;
    size_t r = take_watch_data(p, size, n, arg);

    /* Secrets: leave no copy of the event in curl's receive buffer. */
    if (src->is_secret)
        OPENSSL_cleanse(p, size * n);
    return r;
}

static int start_watch(struct kcache *kc, struct source *src)
{
    struct sbuf path;
    CURL *h = NULL;
    int rc;

    sbuf_init(&path, 64 * 1024);
    rc = sbuf_printf(&path,
                     "%s?watch=1&allowWatchBookmarks=true&resourceVersion=",
                     src->path);
    if (!rc)
        rc = kclient_query_escape(&path, src->rv);
    if (!rc)
        rc = sbuf_printf(&path, "&timeoutSeconds=%u%s",
                         kc->cfg.watch_timeout_s, src->query);
    if (rc)
        goto out;
    h = curl_easy_init();
    if (!h) {
        rc = RFG_ENOMEM;
        goto out;
    }
    rc = kclient_setup_get(kc->cfg.client, h, path.p, &src->hdrs);
    if (rc)
        goto out;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     (long)(kc->cfg.watch_timeout_s + 30) * 1000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_watch_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, src);
    curl_easy_setopt(h, CURLOPT_PRIVATE, src);
    src->expired = src->stream_error = src->up_seen = false;
    src->started = src->last_data = rfg_mono_ms();
    sbuf_reset(&src->line);
    src->h = h;
    if (curl_multi_add_handle(kc->multi, h) != CURLM_OK) {
        src->h = NULL;
        rc = RFG_ENOMEM;
        goto out;
    }
    h = NULL;
    atomic_fetch_add(&kc->watches, 1);
out:
    if (h)
        curl_easy_cleanup(h);
    if (rc) {
        curl_slist_free_all(src->hdrs);
        src->hdrs = NULL;
    }
    sbuf_cleanup(&path);
    return rc;
}

static void stop_watch(struct kcache *kc, struct source *src)
{
    if (!src->h)
        return;
    curl_multi_remove_handle(kc->multi, src->h);
    curl_easy_cleanup(src->h);
    src->h = NULL;
    curl_slist_free_all(src->hdrs);
    src->hdrs = NULL;
    sbuf_reset(&src->line);
}

static void finish_watch(struct kcache *kc, struct source *src, CURLcode cc)
{
    long status = 0;
    char why[300];

    curl_easy_getinfo(src->h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200 && src->line.len)
        kclient_status_message(src->line.p, src->line.len, why,
                               sizeof(why));
    else
        why[0] = '\0';
    if (status != 200 && status != 0) {
        char tmp[300];

        snprintf(tmp, sizeof(tmp), "watch: HTTP %ld: %s", status,
                 why[0] ? why : "no message");
        snprintf(why, sizeof(why), "%s", tmp);
    } else if (cc != CURLE_OK) {
        snprintf(why, sizeof(why), "watch: %s", curl_easy_strerror(cc));
    }
    stop_watch(kc, src);
    if (atomic_load(&kc->stop))
        return;
    if (src->expired || status == 410) {
        src->need_list = true;
        src->retry_at = 0;
        atomic_fetch_add(&kc->relists, 1);
        logf_(kc, "info", "cluster view: resourceVersion expired (410); "
                          "relisting", src->what);
        return;
    }
    if (cc == CURLE_OK && status == 200 && !src->stream_error) {
        src->retry_at = 0;   /* the server's timeoutSeconds: go on */
        return;
    }
    if (status == 200 && src->stream_error && cc == CURLE_OK) {
        src->need_list = true;  /* we may have missed something */
        snprintf(why, sizeof(why), "watch: stream error");
    } else if (status == 200 && src->up_seen && src->fails == 0) {
        /* an established stream broke (server restart, load balancer):
         * reconnect soon; only a failed reconnect counts as down */
        src->fails = 1;
        src->retry_at = rfg_mono_ms() + kclient_backoff_ms(0, 250, 10000);
        return;
    }
    mark_down(src, why[0] ? why : "watch failed");
    src->retry_at = rfg_mono_ms() + kclient_backoff_ms(src->fails++, 250, 10000);
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
            mark_down(src, "watch: no answer from the API server");
        if (now - src->started >= WATCH_ANSWER_MS)
            finish_watch(kc, src, CURLE_OPERATION_TIMEDOUT);
    } else if (now - src->last_data >= kc->cfg.idle_ms) {
        logf_(kc, "info", "cluster view: watch silent; reconnecting",
              src->what);
        finish_watch(kc, src, CURLE_OK);
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
        if (!src->is_secret)
            detect_target(kc);
        if (do_list(kc, src) != RFG_OK) {
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
        if (atomic_load(&kc->stop))
            break;
        if (!atomic_load(&kc->ready) && all_listed(kc)) {
            if (publish(kc) == RFG_OK) {
                atomic_store(&kc->ready, true);
                logf_(kc, "info", "cluster view: synced", NULL);
            }
        }
        now = rfg_mono_ms();
        for (i = 0; i < NSRC; i++) {
            struct source *src = &kc->src[i];

            if (!src->h && !src->need_list && now >= src->retry_at &&
                start_watch(kc, src) != RFG_OK)
                src->retry_at = now + 1000;
        }
        curl_multi_perform(kc->multi, &running);
        while ((m = curl_multi_info_read(kc->multi, &left))) {
            struct source *src = NULL;

            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &src);
            if (src)
                finish_watch(kc, src, m->data.result);
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
                mark_up(src);
            }
            check_stuck(kc, src, rfg_mono_ms());
        }
        now = rfg_mono_ms();
        if (kc->dirty && atomic_load(&kc->ready) &&
            now - kc->last_pub >= kc->cfg.publish_ms &&
            publish(kc) != RFG_OK)
            logf_(kc, "error", "cluster view: out of memory building a "
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
        stop_watch(kc, &kc->src[i]);
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
        stop_watch(kc, &kc->src[i]);
        store_clear(&kc->src[i].st);
        sbuf_cleanup(&kc->src[i].line);
    }
    if (kc->multi)
        curl_multi_cleanup(kc->multi);
    snap_put(kc->cur);
    pthread_mutex_destroy(&kc->mu);
    free(kc);
}
