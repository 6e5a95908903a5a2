/* SPDX-License-Identifier: Apache-2.0
 *
 * lease.c - claims on sentinel identities as coordination.k8s.io/v1
 * Leases (see lease.h). Create is the atomic step; a 409 is followed by a
 * GET to learn the holder. Stale claims (holder gone, per the caller's
 * `keep`) are deleted with a resourceVersion precondition, so two
 * replicas that both see a stale claim cannot delete a fresh one. For
 * dryRun requests it only reads (GET): a dry run predicts the verdict
 * and changes nothing. Every call of one claim shares the caller's
 * deadline; what happens when it runs out is the caller's policy.
 */
#include "lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/rand.h>

#include "clock.h"
#include "crypto.h"
#include "json.h"
#include "sbuf.h"

#define LEASE_API "/apis/coordination.k8s.io/v1/namespaces/"

void lease_name(char *out, size_t len, const char *identity)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char h[32];
    char tail[21];
    size_t i;

    rfg_sha256(identity, strlen(identity), h);
    for (i = 0; i < 10; i++) {
        tail[2 * i] = hex[h[i] >> 4];
        tail[2 * i + 1] = hex[h[i] & 15];
    }
    tail[20] = '\0';
    snprintf(out, len, "%s%s", LEASE_NAME_PREFIX, tail);
}

void lease_new_claim_id(char out[LEASE_CLAIM_ID_LEN])
{
    static const char hex[] = "0123456789abcdef";
    static _Atomic unsigned long counter;
    unsigned char r[16];
    size_t i;

    if (RAND_bytes(r, sizeof(r)) != 1) {
        /* no randomness: time and a counter are still unique here */
        struct timespec ts;
        unsigned long c = ++counter;

        clock_gettime(CLOCK_REALTIME, &ts);
        memcpy(r, &ts, sizeof(ts) < 8 ? sizeof(ts) : 8);
        memcpy(r + 8, &c, sizeof(c) < 8 ? sizeof(c) : 8);
    }
    for (i = 0; i < sizeof(r); i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[LEASE_CLAIM_ID_LEN - 1] = '\0';
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t lease_parse_time(const char *s)
{
    int y, mo, d, h, mi, se, n = 0;

    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
                     &se, &n) != 6 || n != 19)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        se > 60)
        return -1;
    return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
           h * 3600 + mi * 60 + se;
}

/* "2006-01-02T15:04:05.000000Z" (MicroTime) for now. */
static void micro_now(char *buf, size_t len)
{
    struct timespec ts;
    struct tm tm;
    char base[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, len, "%s.%06dZ", base, (int)(ts.tv_nsec / 1000L % 1000000L));
}

static char *lease_body(const char *ns, const char *name,
                        const char *identity, const char *holder,
                        const char *claim_id)
{
    cJSON *o = cJSON_CreateObject(), *md, *lab, *ann, *spec;
    char when[64];
    char *s = NULL;

    micro_now(when, sizeof(when));
    if (o && cJSON_AddStringToObject(o, "apiVersion",
                                     "coordination.k8s.io/v1") &&
        cJSON_AddStringToObject(o, "kind", "Lease") &&
        (md = cJSON_AddObjectToObject(o, "metadata")) &&
        cJSON_AddStringToObject(md, "name", name) &&
        cJSON_AddStringToObject(md, "namespace", ns) &&
        (lab = cJSON_AddObjectToObject(md, "labels")) &&
        cJSON_AddStringToObject(lab, LEASE_LABEL, LEASE_LABEL_VALUE) &&
        (ann = cJSON_AddObjectToObject(md, "annotations")) &&
        cJSON_AddStringToObject(ann, LEASE_ANNOTATION, identity) &&
        (!claim_id ||
         cJSON_AddStringToObject(ann, LEASE_CLAIM_ID_ANNOTATION, claim_id)) &&
        (spec = cJSON_AddObjectToObject(o, "spec")) &&
        cJSON_AddStringToObject(spec, "holderIdentity", holder) &&
        cJSON_AddStringToObject(spec, "acquireTime", when))
        s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* DELETE `name` if its resourceVersion is still `rv`. True when gone. */
static bool delete_if(struct kclient *kc, const char *ns, const char *name,
                      const char *rv, unsigned deadline_ms)
{
    struct kclient_resp r;
    struct sbuf path, body;
    bool ok = false;

    sbuf_init(&path, 4096);
    sbuf_init(&body, 4096);
    if (deadline_ms &&
        !sbuf_printf(&path, LEASE_API "%s/leases/%s", ns, name) &&
        !sbuf_adds(&body, "{\"kind\":\"DeleteOptions\",\"apiVersion\":"
                          "\"v1\",\"preconditions\":{\"resourceVersion\":") &&
        !sbuf_add_json_str(&body, rv) && !sbuf_adds(&body, "}}") &&
        kclient_request(kc, "DELETE", path.p, body.p, deadline_ms, 0, 0,
                        &r) == RFG_OK) {
        ok = r.status == 200 || r.status == 202 || r.status == 404;
        kclient_resp_cleanup(&r);
    }
    sbuf_cleanup(&path);
    sbuf_cleanup(&body);
    return ok;
}

/* Is the lease `l` (parsed) older than grace_s and rejected by keep? */
static bool stale(const cJSON *l, unsigned grace_s, lease_keep_fn keep,
                  void *arg)
{
    const cJSON *md = json_get(l, "metadata");
    const char *id = json_str(json_get(md, "annotations"), LEASE_ANNOTATION);
    const char *holder = json_str(json_get(l, "spec"), "holderIdentity");
    int64_t born = lease_parse_time(json_str(md, "creationTimestamp"));

    if (!keep || !id || !holder || born < 0)
        return false;
    if ((int64_t)time(NULL) - born < (int64_t)grace_s)
        return false;
    return !keep(arg, id, holder);
}

/* Milliseconds left until `until`; 0 once it has passed. */
static unsigned left_ms(uint64_t until)
{
    uint64_t now = rfg_mono_ms();

    return now < until ? (unsigned)(until - now) : 0;
}

#define NOT_SENT 1   /* call_until: the deadline had passed already */

/* One API call that ends by `until`. RFG_OK when the server answered
 * (any status); otherwise `err` says why, LEASE_ERR_DEADLINE when time
 * ran out: NOT_SENT when it had before the call, so nothing can have
 * reached the server. RFG_ENOMEM is passed up. */
static int call_until(struct kclient *kc, const char *method,
                      const char *path, const char *body, uint64_t until,
                      struct kclient_resp *r, char *err, size_t errlen)
{
    unsigned left = left_ms(until);
    int rc;

    kclient_resp_cleanup(r);
    if (!left) {
        snprintf(err, errlen, "%s", LEASE_ERR_DEADLINE);
        return NOT_SENT;
    }
    rc = kclient_request(kc, method, path, body, left, 0, 0, r);
    if (rc && rc != RFG_ENOMEM)
        snprintf(err, errlen, "%s",
                 r->deadline || !left_ms(until) ? LEASE_ERR_DEADLINE
                 : r->err[0] ? r->err : "no answer");
    return rc;
}

/* The lease `got` (a GET result) with our claim id, for an update that
 * keeps its resourceVersion as the precondition. Owned, or NULL. */
static char *adopt_body(cJSON *got, const char *claim_id)
{
    cJSON *md = cJSON_GetObjectItemCaseSensitive(got, "metadata");
    cJSON *ann;

    if (!cJSON_IsObject(md))
        return NULL;
    ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    if (!cJSON_IsObject(ann)) {
        cJSON_DeleteItemFromObjectCaseSensitive(md, "annotations");
        ann = cJSON_AddObjectToObject(md, "annotations");
    }
    cJSON_DeleteItemFromObjectCaseSensitive(ann, LEASE_CLAIM_ID_ANNOTATION);
    if (!ann ||
        !cJSON_AddStringToObject(ann, LEASE_CLAIM_ID_ANNOTATION, claim_id))
        return NULL;
    return cJSON_PrintUnformatted(got);
}

int lease_claim(struct kclient *kc, const struct lease_claim_opts *o,
                char *other, size_t otherlen, char *err, size_t errlen)
{
    uint64_t until = o->until_ms ? o->until_ms : rfg_mono_ms() + 2000;
    struct kclient_resp r;
    struct sbuf path;
    cJSON *got = NULL;
    char name[64], *body = NULL, *upd = NULL;
    int rc = LEASE_UNAVAILABLE, round, c;

    other[0] = '\0';
    err[0] = '\0';
    memset(&r, 0, sizeof(r));
    lease_name(name, sizeof(name), o->identity);
    body = lease_body(o->ns, name, o->identity, o->holder, o->claim_id);
    sbuf_init(&path, 4096);
    if (!body) {
        rc = RFG_ENOMEM;
        goto out;
    }
    for (round = 0; round < 3; round++) {
        const char *holder, *id;

        if (o->dry_run) {
            kclient_resp_cleanup(&r);
            r.status = 409;   /* look at the current holder, if any */
        } else {
            sbuf_reset(&path);
            if (sbuf_printf(&path, LEASE_API "%s/leases", o->ns)) {
                rc = RFG_ENOMEM;
                goto out;
            }
            c = call_until(kc, "POST", path.p, body, until, &r, err, errlen);
            if (c) {   /* if sent, the create may have landed all the same */
                rc = c == RFG_ENOMEM ? c
                     : c == NOT_SENT ? LEASE_UNAVAILABLE : LEASE_UNSURE;
                goto out;
            }
            if (r.status == 201 || r.status == 200) {
                rc = LEASE_CLAIMED;
                goto out;
            }
            if (r.status != 409) {
                snprintf(err, errlen, "create lease: HTTP %ld: %s", r.status,
                         r.err[0] ? r.err : "no message");
                rc = r.status >= 500 ? LEASE_UNSURE : LEASE_UNAVAILABLE;
                goto out;
            }
        }
        /* taken: by whom? */
        sbuf_reset(&path);
        if (sbuf_printf(&path, LEASE_API "%s/leases/%s", o->ns, name)) {
            rc = RFG_ENOMEM;
            goto out;
        }
        c = call_until(kc, "GET", path.p, NULL, until, &r, err, errlen);
        if (c) {
            rc = c == RFG_ENOMEM ? c : LEASE_UNAVAILABLE;
            goto out;
        }
        if (r.status == 404 && o->dry_run) {
            rc = LEASE_CLAIMED;   /* free: a real request would get it */
            goto out;
        }
        if (r.status == 404)
            continue;   /* released in between: try again */
        if (r.status != 200) {
            snprintf(err, errlen, "get lease: HTTP %ld: %s", r.status,
                     r.err[0] ? r.err : "no message");
            goto out;
        }
        cJSON_Delete(got);
        got = cJSON_ParseWithLength(r.body, r.len);
        holder = json_str(json_get(got, "spec"), "holderIdentity");
        id = json_str(json_get(json_get(got, "metadata"), "annotations"),
                  LEASE_CLAIM_ID_ANNOTATION);
        if (holder && !strcmp(holder, o->holder) &&
            (o->dry_run || !o->adopt || !o->claim_id ||
             (id && !strcmp(id, o->claim_id)))) {
            rc = LEASE_CLAIMED;
            goto out;
        }
        if (holder && !strcmp(holder, o->holder)) {
            /* ours, from another review: make it this one's */
            cJSON_free(upd);
            upd = adopt_body(got, o->claim_id);
            if (!upd) {
                rc = RFG_ENOMEM;
                goto out;
            }
            c = call_until(kc, "PUT", path.p, upd, until, &r, err, errlen);
            if (c) {
                rc = c == RFG_ENOMEM ? c
                     : c == NOT_SENT ? LEASE_UNAVAILABLE : LEASE_UNSURE;
                goto out;
            }
            if (r.status == 200) {
                rc = LEASE_CLAIMED;
                goto out;
            }
            if (r.status == 409 || r.status == 404)
                continue;   /* changed or released meanwhile: again */
            snprintf(err, errlen, "update lease: HTTP %ld: %s", r.status,
                     r.err[0] ? r.err : "no message");
            rc = r.status >= 500 ? LEASE_UNSURE : LEASE_UNAVAILABLE;
            goto out;
        }
        if (holder && o->dry_run &&
            stale(got, o->grace_s, o->keep, o->keep_arg)) {
            rc = LEASE_CLAIMED;   /* a real request would take it over */
            goto out;
        }
        if (holder && round < 2 && stale(got, o->grace_s, o->keep,
                                         o->keep_arg)) {
            const char *rv = json_str(json_get(got, "metadata"), "resourceVersion");

            if (rv && delete_if(kc, o->ns, name, rv, left_ms(until)))
                continue;   /* the stale claim is gone: claim again */
            if (!left_ms(until)) {   /* it would have been ours */
                snprintf(err, errlen, "%s", LEASE_ERR_DEADLINE);
                goto out;
            }
        }
        snprintf(other, otherlen, "%s", holder ? holder : "?");
        rc = LEASE_TAKEN;
        goto out;
    }
    snprintf(err, errlen, "lease %s keeps changing", name);
out:
    cJSON_Delete(got);
    kclient_resp_cleanup(&r);
    sbuf_cleanup(&path);
    cJSON_free(body);
    cJSON_free(upd);
    return rc;
}

int lease_release(struct kclient *kc, const char *ns, const char *name,
                  const char *claim_id, lease_keep_fn keep, void *arg,
                  unsigned deadline_ms, char *err, size_t errlen)
{
    struct kclient_resp r;
    struct sbuf path;
    cJSON *got = NULL;
    const cJSON *md;
    const char *id, *ident, *holder, *rv;
    int rc = LEASE_RELEASE_RETRY, c;

    err[0] = '\0';
    memset(&r, 0, sizeof(r));
    sbuf_init(&path, 4096);
    if (sbuf_printf(&path, LEASE_API "%s/leases/%s", ns, name)) {
        rc = RFG_ENOMEM;
        goto out;
    }
    c = kclient_request(kc, "GET", path.p, NULL, deadline_ms, 0, 0, &r);
    if (c) {
        snprintf(err, errlen, "get lease: %s", r.err[0] ? r.err
                                                        : "no answer");
        rc = c == RFG_ENOMEM ? c : LEASE_RELEASE_RETRY;
        goto out;
    }
    if (r.status == 404) {
        rc = LEASE_RELEASE_ABSENT;
        goto out;
    }
    if (r.status != 200) {
        snprintf(err, errlen, "get lease: HTTP %ld: %s", r.status,
                 r.err[0] ? r.err : "no message");
        goto out;
    }
    got = cJSON_ParseWithLength(r.body, r.len);
    if (!got) {
        snprintf(err, errlen, "get lease: malformed JSON");
        goto out;
    }
    md = json_get(got, "metadata");
    id = json_str(json_get(md, "annotations"), LEASE_CLAIM_ID_ANNOTATION);
    ident = json_str(json_get(md, "annotations"), LEASE_ANNOTATION);
    holder = json_str(json_get(got, "spec"), "holderIdentity");
    rv = json_str(md, "resourceVersion");
    if (!id || strcmp(id, claim_id) || !rv ||
        (keep && ident && holder && keep(arg, ident, holder))) {
        rc = LEASE_RELEASE_NONE;
        goto out;
    }
    if (delete_if(kc, ns, name, rv, deadline_ms)) {
        rc = LEASE_RELEASED;
        goto out;
    }
    snprintf(err, errlen, "delete lease: no answer, or it changed");
out:
    cJSON_Delete(got);
    kclient_resp_cleanup(&r);
    sbuf_cleanup(&path);
    return rc;
}

int lease_reconcile(struct kclient *kc, const char *ns, unsigned grace_s,
                    lease_keep_fn keep, void *arg, unsigned *released,
                    char *err, size_t errlen)
{
    struct kclient_resp r;
    struct sbuf path;
    cJSON *root = NULL;
    const cJSON *l;
    int rc = RFG_OK;

    *released = 0;
    err[0] = '\0';
    sbuf_init(&path, 4096);
    if (sbuf_printf(&path, LEASE_API "%s/leases?labelSelector=%s%%3D%s", ns,
                    LEASE_LABEL, LEASE_LABEL_VALUE)) {
        sbuf_cleanup(&path);
        return RFG_ENOMEM;
    }
    if (kclient_request(kc, "GET", path.p, NULL, 10000, 0, 0, &r) ||
        r.status != 200) {
        snprintf(err, errlen, "list leases: HTTP %ld: %s", r.status,
                 r.err[0] ? r.err : "no answer");
        rc = RFG_EUPSTREAM;
        goto out;
    }
    root = cJSON_ParseWithLength(r.body, r.len);
    if (!root) {
        snprintf(err, errlen, "list leases: malformed JSON");
        rc = RFG_EUPSTREAM;
        goto out;
    }
    cJSON_ArrayForEach(l, json_get(root, "items")) {
        const cJSON *md = json_get(l, "metadata");
        const char *name = json_str(md, "name"), *rv = json_str(md, "resourceVersion");

        if (!name || !rv || strncmp(name, LEASE_NAME_PREFIX,
                                    strlen(LEASE_NAME_PREFIX)))
            continue;
        if (stale(l, grace_s, keep, arg) &&
            delete_if(kc, ns, name, rv, 5000))
            (*released)++;
    }
out:
    cJSON_Delete(root);
    kclient_resp_cleanup(&r);
    sbuf_cleanup(&path);
    return rc;
}
