/* SPDX-License-Identifier: Apache-2.0
 *
 * kstore.c - the cluster cache's object stores (see kstore.h): a chained
 * hash table (FNV-1a) that doubles when it gets full, the trimming of
 * RedisFailovers, OpsTree objects and NetworkPolicies, the summarising
 * and wiping of Secrets.
 *
 * Not here: listing, watching, threads or snapshots (kcache.c,
 * kcache_watch.c).
 */
#include "kstore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "json.h"
#include "rf.h"
#include "sbuf.h"

struct kstore_entry {
    char *key;                 /* owned: "ns/name" */
    struct kstore_entry *next;
    cJSON *obj;                /* owned: trimmed RedisFailover, OpsTree
                                  object or NetworkPolicy, or NULL */
    struct cview_secret sec;   /* owned summary when has_sec */
    bool has_sec;
};

static uint64_t hash_key(const char *s)
{
    uint64_t h = 14695981039346656037ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void entry_free(struct kstore_entry *e)
{
    if (!e)
        return;
    free(e->key);
    cJSON_Delete(e->obj);
    if (e->has_sec)
        cview_secret_cleanup(&e->sec);
    free(e);
}

void kstore_clear(struct kstore *s)
{
    size_t i;

    for (i = 0; i < s->nb; i++) {
        struct kstore_entry *e = s->b[i], *next;

        for (; e; e = next) {
            next = e->next;
            entry_free(e);
        }
    }
    free(s->b);
    memset(s, 0, sizeof(*s));
}

static struct kstore_entry **store_slot(struct kstore *s, const char *key)
{
    struct kstore_entry **p = &s->b[hash_key(key) & (s->nb - 1)];

    while (*p && strcmp((*p)->key, key))
        p = &(*p)->next;
    return p;
}

static int store_grow(struct kstore *s)
{
    size_t nb = s->nb ? s->nb * 2 : 256, i;
    struct kstore_entry **b = calloc(nb, sizeof(*b));

    if (!b)
        return RFG_ENOMEM;
    for (i = 0; i < s->nb; i++) {
        struct kstore_entry *e = s->b[i], *next;

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
static int store_put(struct kstore *s, struct kstore_entry *e)
{
    struct kstore_entry **p;

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

void kstore_del(struct kstore *s, const char *key)
{
    struct kstore_entry **p, *e;

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

void kstore_scrub_secret(cJSON *obj)
{
    static const char *const keys[] = {"data", "stringData"};
    cJSON *kv;
    size_t i;

    for (i = 0; i < 2; i++)
        cJSON_ArrayForEach(kv, json_get_mut(obj, keys[i]))
            if (cJSON_IsString(kv) && kv->valuestring)
                OPENSSL_cleanse(kv->valuestring, strlen(kv->valuestring));
}

char *kstore_key(const cJSON *obj)
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

/* Add a deep copy of `src` (if not NULL) to `dst` under `key`. */
static bool copy_item(cJSON *dst, const char *key, const cJSON *src)
{
    cJSON *dup;

    if (!src)
        return true;
    dup = cJSON_Duplicate(src, 1);
    if (!dup || !cJSON_AddItemToObject(dst, key, dup)) {
        cJSON_Delete(dup);
        return false;
    }
    return true;
}

/* Keep what the rules read: of a RedisFailover, RedisSentinel or
 * RedisReplication (the kind of its source) its spec, of a NetworkPolicy
 * what cview_add_netpol reads of its spec. */
static cJSON *trim_object(const cJSON *obj, const struct kstore_kind *k)
{
    static const char *const np_keys[] = {"podSelector", "policyTypes",
                                          "ingress"};
    cJSON *o = cJSON_CreateObject(), *md, *spec;
    const cJSON *omd = json_get(obj, "metadata");
    const cJSON *ospec = json_get(obj, "spec");
    const char *ns = json_str(omd, "namespace");
    bool netpol = k->type == KSTORE_NETPOL;
    size_t i;

    if (!o || !cJSON_AddStringToObject(o, "apiVersion", k->api_version) ||
        !cJSON_AddStringToObject(o, "kind", k->kind) ||
        !(md = cJSON_AddObjectToObject(o, "metadata")) ||
        !cJSON_AddStringToObject(md, "name", json_str(omd, "name")) ||
        (ns && !cJSON_AddStringToObject(md, "namespace", ns)))
        goto fail;
    if (!netpol) {
        if (!copy_item(o, "spec", ospec))
            goto fail;
        return o;
    }
    if (!(spec = cJSON_AddObjectToObject(o, "spec")))
        goto fail;
    for (i = 0; i < sizeof(np_keys) / sizeof(np_keys[0]); i++)
        if (!copy_item(spec, np_keys[i], json_get(ospec, np_keys[i])))
            goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

int kstore_put(struct kstore *s, const struct kstore_kind *k, cJSON *obj)
{
    struct kstore_entry *e;
    struct cview tmp;
    int rc;

    if (!json_str(obj, "kind") &&
        !cJSON_AddStringToObject(obj, "kind", k->kind))
        return RFG_ENOMEM;
    if (!json_str(obj, "apiVersion") &&
        !cJSON_AddStringToObject(obj, "apiVersion", k->api_version))
        return RFG_ENOMEM;
    if (!json_str(json_get(obj, "metadata"), "name"))
        return RFG_OK;
    e = calloc(1, sizeof(*e));
    if (!e)
        return RFG_ENOMEM;
    e->key = kstore_key(obj);
    if (!e->key) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    if (k->type != KSTORE_SECRET) {
        e->obj = trim_object(obj, k);
        if (!e->obj) {
            entry_free(e);
            return RFG_ENOMEM;
        }
        return store_put(s, e);
    }
    cview_init(&tmp, k->hash);
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
    return store_put(s, e);
}

int kstore_add_to_view(struct cview *cv, const struct kstore *s)
{
    const struct kstore_entry *e;
    size_t j;
    int rc = RFG_OK;

    for (j = 0; j < s->nb && !rc; j++) {
        for (e = s->b[j]; e && !rc; e = e->next) {
            if (e->obj)
                rc = cview_add_object(cv, e->obj, NULL, NULL);
            else if (e->has_sec)
                rc = cview_add_secret(cv, &e->sec);
        }
    }
    return rc;
}
