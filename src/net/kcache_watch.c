/* SPDX-License-Identifier: Apache-2.0
 *
 * kcache_watch.c - the list and the watch of one cache source against
 * the API server (see kcache_impl.h). A list is paged and restarts when
 * its continue token expires; a watch is one streaming GET on curl's
 * multi handle whose newline-separated events update the source's store.
 * Secrets are scrubbed from every parsed tree and from curl's buffer the
 * moment they are summarised. The CRD source has no store: its object
 * goes to kcache_crd.c.
 *
 * Not here: when to list or watch, snapshots, the public API (kcache.c);
 * what is kept of an object (kstore.c).
 */
#include "kcache_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "json.h"

#define MAX_LIST_PAGE ((size_t)256 << 20)

/* Add or replace `obj` (borrowed) in `st`, a store of `src`; the CRD
 * goes to kcache_crd_put instead. */
static int put_object(struct source *src, struct kstore *st, cJSON *obj)
{
    struct kstore_kind k;

    if (src->role == SRC_CRD) {
        kcache_crd_put(src->kc, obj);
        return RFG_OK;
    }
    k.kind = src->kind;
    k.api_version = src->api_version;
    k.type = src->type;
    k.hash = src->kc->cfg.hash;
    return kstore_put(st, &k, obj);
}

/* ---- list ---- */

static void wipe_resp(struct kclient_resp *r)
{
    if (r->body)
        OPENSSL_cleanse(r->body, r->len);
    kclient_resp_cleanup(r);
}

int kcache_list(struct kcache *kc, struct source *src)
{
    struct kstore fresh;
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
    src->crd_seen = false;
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
            kcache_mark_down(src, r.err[0] ? r.err : rfg_strerror(rc));
            goto out;
        }
        if (r.status == 410 && restarts++ < 3) {
            /* the continue token expired: start over */
            free(cont);
            cont = NULL;
            kstore_clear(&fresh);
            wipe_resp(&r);
            continue;
        }
        if (r.status != 200) {
            char why[300];

            snprintf(why, sizeof(why), "list: HTTP %ld: %s", r.status,
                     r.err[0] ? r.err : "no message");
            if (!kcache_refused(src, r.status, why))
                kcache_mark_down(src, why);
            rc = RFG_EUPSTREAM;
            goto out;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        wipe_resp(&r);
        if (!root) {
            kcache_mark_down(src, "list: malformed JSON");
            rc = RFG_EPARSE;
            goto out;
        }
        cJSON_ArrayForEach(item, json_get_mut(root, "items")) {
            rc = put_object(src, &fresh, item);
            if (src->is_secret)
                kstore_scrub_secret(item);
            if (rc)
                goto out;
        }
        md = json_get(root, "metadata");
        {
            const char *v = json_str(md, "resourceVersion");

            snprintf(rv, sizeof(rv), "%s", v ? v : "");
        }
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
    kstore_clear(&src->st);
    src->st = fresh;
    memset(&fresh, 0, sizeof(fresh));
    if (src->role == SRC_CRD)
        kcache_crd_listed(kc);
    if (src->refused) {
        kcache_log(kc, "info", atomic_load(&src->unserved)
                                   ? "cluster view: served now (its CRD "
                                     "was installed)"
                                   : "cluster view: allowed again",
                   src->what);
        src->refused = false;
        atomic_store(&src->unserved, false);
        src->why[0] = '\0';
    }
out:
    if (root && src->is_secret) {
        cJSON_ArrayForEach(item, json_get_mut(root, "items"))
            kstore_scrub_secret(item);
    }
    cJSON_Delete(root);
    wipe_resp(&r);
    free(cont);
    sbuf_cleanup(&path);
    kstore_clear(&fresh);
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
        kc->dirty = kc->dirty || src->role != SRC_CRD;
    } else if (!strcmp(type, "DELETED") && src->role == SRC_CRD) {
        kcache_crd_deleted(kc);
    } else if (!strcmp(type, "DELETED")) {
        char *key = kstore_key(obj);

        if (key)
            kstore_del(&src->st, key);
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
            kcache_log(kc, "warn", "cluster view: watch error", msg);
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
        kstore_scrub_secret(obj);
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
        kcache_mark_up(src);
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

int kcache_watch_start(struct kcache *kc, struct source *src)
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

void kcache_watch_stop(struct kcache *kc, struct source *src)
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

void kcache_watch_finish(struct kcache *kc, struct source *src,
                         CURLcode cc)
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
    kcache_watch_stop(kc, src);
    if (atomic_load(&kc->stop))
        return;
    if (kcache_refused(src, status, why)) {
        /* RBAC changed under the watch: empty, list again later */
        src->need_list = true;
        src->retry_at = rfg_mono_ms() + kclient_backoff_ms(src->fails++,
                                                           2000, 60000);
        return;
    }
    if (src->expired || status == 410) {
        src->need_list = true;
        src->retry_at = 0;
        atomic_fetch_add(&kc->relists, 1);
        kcache_log(kc, "info", "cluster view: resourceVersion expired (410); "
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
    kcache_mark_down(src, why[0] ? why : "watch failed");
    src->retry_at = rfg_mono_ms() +
                    kclient_backoff_ms(src->fails++, 250, 10000);
}
