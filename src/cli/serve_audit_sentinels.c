/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit_sentinels.c - the periodic sentinel check of `rfguard
 * serve` (see serve_audit_sentinels.h). One thread: once the cluster view
 * has synced, and then every interval, a round LISTs RedisFailovers (none
 * when their CRD is not installed) and the pods labelled
 * app.kubernetes.io/part-of=redis-failover in all namespaces (paged,
 * keeping only names, labels, phase and IP), assembles one List in
 * memory, plans which sentinel pods to ask (sentinels_plan), asks them
 * (sprobe_run: bounded threads, a timeout per sentinel, one deadline per
 * round, read-only commands only) and judges the answers
 * (sentinels_judge), all through cli_sentinels_check as `rfguard
 * sentinels` does; with --sentinel-password-secret NAME[:KEY], each
 * failover's Secret NAME is read (a GET) for AUTH, the password wiped
 * after the round. A sentinel that cannot be asked is a finding
 * (sentinel-unreachable), not a failed round; a round fails only when
 * the API server cannot be listed, and then the metrics keep the last
 * round's values. No password is ever logged. Not here: option parsing
 * (serve_audit.c), the PolicyReports, which take the findings through
 * serve_sentinels_merge (serve_audit.c).
 */
#include "serve_audit_sentinels.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "json.h"
#include "kcache.h"
#include "kclient.h"
#include "report.h"
#include "sbuf.h"
#include "sentinels.h"
#include "sprobe.h"

#define CALL_DEADLINE_MS 30000u
#define PAGE 500u
/* per sentinel (connect, and each reply), and the whole round's asking:
 * a stop waits for a round in flight at most this long */
#define PROBE_TIMEOUT_MS 2000u
#define PROBE_DEADLINE_MS 20000u
#define PROBE_PARALLEL 8u
#define FILE_NAME "sentinel check"
#define POD_SELECTOR "app.kubernetes.io%2Fpart-of%3Dredis-failover"

struct serve_sentinels {
    unsigned interval_ms;
    enum rf_target target;
    char *pw_secret;               /* owned; NULL = no AUTH */
    const char *pw_key;            /* in pw_secret's allocation, or NULL */
    struct kclient *client;        /* borrowed from the view */
    struct kcache *kc;             /* borrowed from the view */
    struct metrics *m;             /* borrowed */
    serve_cluster_log_fn log;
    pthread_t thr;
    bool thr_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* CLOCK_MONOTONIC */
    bool stop;                     /* under mu */
    struct report last;            /* under mu: the last round's findings */
    unsigned long gen;             /* under mu: rounds ended */
    /* the thread's own state */
    bool failing;                  /* the last round failed (logged) */
};

/* ---- listing ---- */

/* Copy into `dst` the string at `key` of `src`, when it is one. */
static bool copy_str(cJSON *dst, const cJSON *src, const char *key)
{
    const char *v = json_str(src, key);

    return !v || cJSON_AddStringToObject(dst, key, v) != NULL;
}

/* A pod reduced to what the plan reads: namespace, name, labels, phase
 * and IP, with its kind. NULL on out of memory. */
static cJSON *slim_pod(const cJSON *pod)
{
    const cJSON *md = json_get(pod, "metadata"), *st = json_get(pod, "status");
    const cJSON *labels = json_get(md, "labels");
    cJSON *o = cJSON_CreateObject(), *nmd, *nst, *l;
    bool ok;

    ok = o && cJSON_AddStringToObject(o, "apiVersion", "v1") &&
         cJSON_AddStringToObject(o, "kind", "Pod") &&
         (nmd = cJSON_AddObjectToObject(o, "metadata")) &&
         copy_str(nmd, md, "name") && copy_str(nmd, md, "namespace") &&
         (nst = cJSON_AddObjectToObject(o, "status")) &&
         copy_str(nst, st, "phase") && copy_str(nst, st, "podIP");
    if (ok && cJSON_IsObject(labels)) {
        ok = (l = cJSON_Duplicate(labels, 1)) != NULL;
        if (ok && !cJSON_AddItemToObject(nmd, "labels", l)) {
            cJSON_Delete(l);
            ok = false;
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* LIST `path` (paged; `query` already holds its parameters) into
 * `items`, pods slimmed, other items given `api_version` and `kind`.
 * Returns RFG_OK, or RFG_EUPSTREAM with *status (0: no answer) and
 * `err`, or RFG_ENOMEM. */
static int list_all(struct serve_sentinels *ss, const char *path,
                    const char *what, bool pods, const char *api_version,
                    const char *kind, cJSON *items, long *status,
                    char *err, size_t errlen)
{
    struct kclient_resp r;
    struct sbuf p;
    char *cont = NULL;
    cJSON *root = NULL, *it;
    int rc = RFG_OK;

    *status = 0;
    sbuf_init(&p, 64 * 1024);
    memset(&r, 0, sizeof(r));
    for (;;) {
        sbuf_reset(&p);
        rc = sbuf_printf(&p, "%s%climit=%u", path,
                         strchr(path, '?') ? '&' : '?', PAGE);
        if (!rc && cont && !(rc = sbuf_adds(&p, "&continue=")))
            rc = kclient_query_escape(&p, cont);
        if (rc)
            break;
        rc = kclient_request(ss->client, "GET", p.p, NULL, CALL_DEADLINE_MS,
                             0, 0, &r);
        *status = r.status;
        if (rc || r.status != 200) {
            snprintf(err, errlen, "list %s: %s%s", what,
                     r.status ? "" : "no answer: ",
                     r.err[0] ? r.err : "no message");
            rc = RFG_EUPSTREAM;
            break;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        kclient_resp_cleanup(&r);
        if (!cJSON_IsArray(json_get(root, "items"))) {
            snprintf(err, errlen, "list %s: malformed answer", what);
            rc = RFG_EUPSTREAM;
            break;
        }
        cJSON_ArrayForEach(it, json_get(root, "items")) {
            cJSON *o = pods ? slim_pod(it) : cJSON_Duplicate(it, 1);

            if (o && !pods) {
                cJSON_DeleteItemFromObjectCaseSensitive(o, "kind");
                cJSON_DeleteItemFromObjectCaseSensitive(o, "apiVersion");
                if (!cJSON_AddStringToObject(o, "apiVersion", api_version) ||
                    !cJSON_AddStringToObject(o, "kind", kind)) {
                    cJSON_Delete(o);
                    o = NULL;
                }
            }
            if (!o || !cJSON_AddItemToArray(items, o)) {
                cJSON_Delete(o);
                rc = RFG_ENOMEM;
                break;
            }
        }
        free(cont);
        cont = NULL;
        {
            const char *c = json_str(json_get(root, "metadata"), "continue");

            if (!rc && c && *c && !(cont = strdup(c)))
                rc = RFG_ENOMEM;
        }
        cJSON_Delete(root);
        root = NULL;
        if (rc || !cont)
            break;
    }
    if (rc == RFG_ENOMEM)
        snprintf(err, errlen, "list %s: out of memory", what);
    kclient_resp_cleanup(&r);
    cJSON_Delete(root);
    free(cont);
    sbuf_cleanup(&p);
    return rc;
}

/* The List of the cluster's RedisFailovers and their pods, in *out. */
static int assemble(struct serve_sentinels *ss, cJSON **out, char *err,
                    size_t errlen)
{
    cJSON *list = cJSON_CreateObject(), *items = cJSON_CreateArray();
    long status;
    int rc;

    *out = NULL;
    if (!list || !items || !cJSON_AddStringToObject(list, "apiVersion", "v1")
        || !cJSON_AddStringToObject(list, "kind", "List")) {
        cJSON_Delete(items);
        cJSON_Delete(list);
        snprintf(err, errlen, "out of memory");
        return RFG_ENOMEM;
    }
    rc = list_all(ss, "/apis/databases.spotahome.com/v1/redisfailovers",
                  "redisfailovers", false, "databases.spotahome.com/v1",
                  RF_KIND, items, &status, err, errlen);
    if (rc == RFG_EUPSTREAM && status == 404 &&
        kcache_unserved(ss->kc, RF_KIND_FAILOVER))
        rc = RFG_OK;   /* no RedisFailover CRD: none to check */
    if (!rc) {
        rc = list_all(ss, "/api/v1/pods?labelSelector=" POD_SELECTOR,
                      "pods", true, NULL, NULL, items, &status, err,
                      errlen);
        if (rc == RFG_EUPSTREAM && status == 403) {
            size_t n = strlen(err);

            snprintf(err + n, errlen - n, " (the ClusterRole rfguard must "
                     "grant get and list on pods)");
        }
    }
    if (!rc && !cJSON_AddItemToObject(list, "items", items)) {
        snprintf(err, errlen, "out of memory");
        rc = RFG_ENOMEM;
    }
    if (rc) {
        cJSON_Delete(items);
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return RFG_OK;
}

/* ---- asking and judging ---- */

/* Keep the findings of `rep` as the last round's, for the audit. */
static void keep_findings(struct serve_sentinels *ss, struct report *rep)
{
    struct report old;

    pthread_mutex_lock(&ss->mu);
    old = ss->last;
    ss->last = *rep;
    ss->gen++;
    pthread_mutex_unlock(&ss->mu);
    report_init(rep);
    report_cleanup(&old);
}

/* Log each merged failover with whom it is merged, then the round. */
static void log_round(struct serve_sentinels *ss,
                      const struct sentinels_plan *plan,
                      const struct sentinels_result *res)
{
    char line[600];
    size_t i, k;

    for (i = 0; i < res->n && i < plan->nrfs; i++) {
        const struct sentinels_verdict *v = &res->v[i];
        size_t at;

        if (!v->merged)
            continue;
        at = (size_t)snprintf(line, sizeof(line), "%s/%s with",
                              plan->rfs[i].ns, plan->rfs[i].name);
        for (k = 0; k < v->nothers && at < sizeof(line); k++)
            at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s",
                                   k ? ", " : " ", v->others[k]);
        ss->log("warn", "sentinels: a failover's sentinels know another "
                        "failover's pods (rfguard sentinels shows how to "
                        "clean up)", "merged", line);
    }
    snprintf(line, sizeof(line),
             "failovers=%zu sentinels=%zu unreachable=%zu merged=%zu",
             plan->nrfs, res->asked, res->unreachable, res->merged);
    ss->log("info", "sentinels: checked", "result", line);
}

/* One round; logs its result and sets the metrics. */
static void check_round(struct serve_sentinels *ss)
{
    struct cli_sentinels_opts co;
    struct sentinels_plan plan;
    struct sentinels_result res;
    struct metrics_sentinel *mv = NULL;
    struct report rep;
    cJSON *list = NULL;
    char err[400] = "";
    size_t i;
    int rc;

    memset(&plan, 0, sizeof(plan));
    memset(&res, 0, sizeof(res));
    report_init(&rep);
    rc = assemble(ss, &list, err, sizeof(err));
    if (!rc) {
        /* plan, read the passwords (a GET of each failover's Secret),
         * ask, judge: as `rfguard sentinels` does */
        memset(&co, 0, sizeof(co));
        co.cmd = "serve";
        co.file = FILE_NAME;
        co.plan.target = ss->target;
        co.plan.password_secret = ss->pw_secret;
        co.plan.password_key = ss->pw_key;
        co.probe.timeout_ms = PROBE_TIMEOUT_MS;
        co.probe.deadline_ms = PROBE_DEADLINE_MS;
        co.probe.parallel = PROBE_PARALLEL;
        co.quiet = true;
        rc = cli_sentinels_check(&plan, &res, &rep, list, ss->client, &co);
    }
    cJSON_Delete(list);
    if (!rc && !(mv = calloc(plan.nrfs + 1, sizeof(*mv))))
        rc = RFG_ENOMEM;
    if (!rc) {
        for (i = 0; i < plan.nrfs && i < res.n; i++) {
            mv[i].ns = plan.rfs[i].ns;
            mv[i].name = plan.rfs[i].name;
            mv[i].merged = res.v[i].merged;
        }
        rc = metrics_sentinels(ss->m, true, mv, i, res.unreachable);
    }
    if (rc) {
        if (!err[0])
            snprintf(err, sizeof(err), "%s", rfg_strerror(rc));
        metrics_sentinels(ss->m, false, NULL, 0, 0);
        if (!ss->failing)
            ss->log("warn", "sentinels: the check failed; retrying at the "
                            "next round", "detail", err);
        ss->failing = true;
    } else {
        if (ss->failing)
            ss->log("info", "sentinels: the check works again", NULL, NULL);
        ss->failing = false;
        log_round(ss, &plan, &res);
        keep_findings(ss, &rep);
    }
    free(mv);
    sentinels_result_cleanup(&res);
    sentinels_plan_cleanup(&plan);
    report_cleanup(&rep);
}

/* ---- the thread ---- */

static void *check_main(void *arg)
{
    struct serve_sentinels *ss = arg;
    uint64_t next_due = 0;
    bool ran = false;

    pthread_mutex_lock(&ss->mu);
    while (!ss->stop) {
        uint64_t now = rfg_mono_ms(), wake = now + 500;
        struct timespec until;

        if (kcache_ready(ss->kc) && (!ran || now >= next_due)) {
            pthread_mutex_unlock(&ss->mu);
            check_round(ss);
            ran = true;
            next_due = rfg_mono_ms() + ss->interval_ms;
            pthread_mutex_lock(&ss->mu);
            continue;
        }
        if (ran && next_due < wake)
            wake = next_due;
        until.tv_sec = (time_t)(wake / 1000);
        until.tv_nsec = (long)(wake % 1000) * 1000000L;
        pthread_cond_timedwait(&ss->cv, &ss->mu, &until);
    }
    pthread_mutex_unlock(&ss->mu);
    return NULL;
}

int serve_sentinels_start(struct serve_sentinels **out,
                          unsigned interval_ms, enum rf_target target,
                          const char *password_secret,
                          struct serve_cluster *sc, struct metrics *m,
                          serve_cluster_log_fn log, struct diag_list *dl)
{
    struct serve_sentinels *ss;
    struct sentinels_opts so;
    pthread_condattr_t ca;
    char buf[64];

    *out = NULL;
    ss = calloc(1, sizeof(*ss));
    if (!ss)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    memset(&so, 0, sizeof(so));
    if (password_secret &&
        cli_sentinels_secret_arg(&so, &ss->pw_secret, password_secret)) {
        free(ss->pw_secret);
        free(ss);
        return diag_fail(dl, RFG_EINVAL, NULL, "--sentinel-password-secret "
                         "needs NAME or NAME:KEY");
    }
    ss->pw_key = so.password_key;
    ss->interval_ms = interval_ms;
    ss->target = rf_target_pick(target, RF_KIND_FAILOVER);
    ss->client = serve_cluster_client(sc);
    ss->kc = serve_cluster_cache(sc);
    ss->m = m;
    ss->log = log;
    report_init(&ss->last);
    pthread_mutex_init(&ss->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ss->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&ss->thr, NULL, check_main, ss) != 0) {
        serve_sentinels_stop(ss);
        return diag_fail(dl, RFG_EIO, NULL,
                         "cannot start the sentinel check thread");
    }
    ss->thr_started = true;
    snprintf(buf, sizeof(buf), "%us", interval_ms / 1000);
    log("info", "sentinels: periodic sentinel check on (read-only)",
        "interval", buf);
    *out = ss;
    return RFG_OK;
}

void serve_sentinels_stop(struct serve_sentinels *ss)
{
    if (!ss)
        return;
    pthread_mutex_lock(&ss->mu);
    ss->stop = true;
    pthread_cond_broadcast(&ss->cv);
    pthread_mutex_unlock(&ss->mu);
    if (ss->thr_started)
        pthread_join(ss->thr, NULL);
    pthread_cond_destroy(&ss->cv);
    pthread_mutex_destroy(&ss->mu);
    report_cleanup(&ss->last);
    free(ss->pw_secret);
    free(ss);
}

unsigned long serve_sentinels_generation(struct serve_sentinels *ss)
{
    unsigned long g;

    if (!ss)
        return 0;
    pthread_mutex_lock(&ss->mu);
    g = ss->gen;
    pthread_mutex_unlock(&ss->mu);
    return g;
}

/* The audited RedisFailover ns/name `object`, or NULL. */
static const struct audit_failover *audited(const struct audit *a,
                                            const char *object)
{
    size_t i, nl;

    for (i = 0; object && i < a->nrfs; i++) {
        const struct audit_failover *f = &a->rfs[i];

        nl = strlen(f->ns);
        if (!strcmp(f->kind, RF_KIND) && !strncmp(object, f->ns, nl) &&
            object[nl] == '/' && !strcmp(object + nl + 1, f->name))
            return f;
    }
    return NULL;
}

int serve_sentinels_merge(struct serve_sentinels *ss, struct audit *a)
{
    struct src_pos none = {0, 0};
    size_t i;
    int rc = RFG_OK;

    if (!ss)
        return RFG_OK;
    pthread_mutex_lock(&ss->mu);
    for (i = 0; !rc && i < ss->last.len; i++) {
        const struct report_entry *e = &ss->last.v[i];
        const struct audit_failover *f;

        if (e->kind != REPORT_FINDING || !(f = audited(a, e->object)) ||
            f->doc >= a->rep.ndocs)
            continue;
        rc = report_add_finding(&a->rep, f->doc, a->rep.docs[f->doc].file,
                                none, e->sev, e->rule, e->msg, e->hint,
                                e->ptr, e->object, NULL);
    }
    pthread_mutex_unlock(&ss->mu);
    return rc;
}
