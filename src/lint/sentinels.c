/* SPDX-License-Identifier: Apache-2.0
 *
 * sentinels.c - plan and judge the sentinel merge check (sentinels.h):
 * which sentinel pods of which RedisFailover to ask, and what their
 * answers mean once every address is mapped back to the pod, and so to
 * the failover, that has it. Pure: the answers come from the caller
 * (sprobe.c asks), the findings go into a report. Not here: networking,
 * Secrets from the API server, output formats.
 */
#include "sentinels.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "base64.h"
#include "sbuf.h"
#include "wipe.h"

#define MSG_MAX 4096

static char *dup_str(const char *s)
{
    size_t len = strlen(s ? s : "");
    char *p = malloc(len + 1);
    if (p)
        memcpy(p, s ? s : "", len + 1);
    return p;
}

static const char *str_at(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static const cJSON *items_of(const cJSON *list)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    return cJSON_IsArray(items) ? items : NULL;
}

/* ---- plan ---- */

void sentinels_plan_cleanup(struct sentinels_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nrfs; i++) {
        struct sentinels_failover *f = &p->rfs[i];
        free(f->ns);
        free(f->name);
        free(f->api_version);
        free(f->uid);
        free(f->master);
        free(f->secret);
        free(f->key);
    }
    for (size_t i = 0; i < p->nasks; i++) {
        free(p->asks[i].pod);
        free(p->asks[i].ip);
    }
    for (size_t i = 0; i < p->npods; i++) {
        free(p->pods[i].ns);
        free(p->pods[i].name);
        free(p->pods[i].failover);
        free(p->pods[i].ip);
    }
    free(p->rfs);
    free(p->asks);
    free(p->pods);
    memset(p, 0, sizeof *p);
}

static bool is_kind(const cJSON *o, const char *api, const char *kind)
{
    const char *a = str_at(o, "apiVersion"), *k = str_at(o, "kind");
    return a && k && strcmp(a, api) == 0 && strcmp(k, kind) == 0;
}

/* The List's failovers, for the redis port of each pod's failover. */
struct rf_index {
    const cJSON **v;
    size_t n;
};

/* The redis port of failover ns/name, 0 when the List lacks it. */
static int port_of(const struct rf_index *ix, const char *ns,
                   const char *name)
{
    for (size_t i = 0; i < ix->n; i++) {
        const char *n = rf_name(ix->v[i]);
        if (n && strcmp(n, name) == 0 &&
            strcmp(rf_namespace(ix->v[i], "default"), ns) == 0)
            return rf_redis_port(ix->v[i]);
    }
    return 0;
}

/* Add pod `o` to p->pods when it is a failover's redis or sentinel pod
 * with an IP. RFG_OK or RFG_ENOMEM. */
static int add_pod(struct sentinels_plan *p, size_t *cap,
                   const struct rf_index *ix, const cJSON *o, unsigned sport)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(o, "metadata");
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(o, "status");
    const char *part = str_at(labels, RF_LABEL_PART_OF);
    const char *rf = str_at(labels, RF_LABEL_NAME);
    const char *comp = str_at(labels, RF_LABEL_COMPONENT);
    const char *ip = str_at(status, "podIP");
    const char *name = str_at(meta, "name");
    const char *phase = str_at(status, "phase");
    if (!part || strcmp(part, RF_PART_OF) != 0 || !rf || !comp || !ip ||
        !*ip || !name)
        return RFG_OK;
    enum rf_component c;
    if (strcmp(comp, "redis") == 0)
        c = RF_REDIS;
    else if (strcmp(comp, "sentinel") == 0)
        c = RF_SENTINEL;
    else
        return RFG_OK;
    struct sentinels_pod *v =
        rfg_grow(p->pods, cap, p->npods + 1, sizeof *v, 16);
    if (!v)
        return RFG_ENOMEM;
    p->pods = v;
    struct sentinels_pod *d = &v[p->npods];
    memset(d, 0, sizeof *d);
    const char *ns = str_at(meta, "namespace");
    d->ns = dup_str(ns ? ns : "default");
    d->name = dup_str(name);
    d->failover = dup_str(rf);
    d->ip = dup_str(ip);
    d->comp = c;
    d->running = phase && strcmp(phase, "Running") == 0;
    p->npods++;
    if (!d->ns || !d->name || !d->failover || !d->ip)
        return RFG_ENOMEM;
    d->port = c == RF_SENTINEL ? (int)sport : port_of(ix, d->ns, rf);
    return RFG_OK;
}

static int cmp_ask(const void *a, const void *b)
{
    const struct sentinels_ask *x = a, *y = b;
    if (x->rf != y->rf)
        return x->rf < y->rf ? -1 : 1;
    return strcmp(x->pod, y->pod);
}

int sentinels_plan(struct sentinels_plan *out, const cJSON *list,
                   const struct sentinels_opts *o, char *err,
                   size_t errlen)
{
    size_t caprf = 0, capask = 0, cappod = 0;
    unsigned sport = o->sentinel_port ? o->sentinel_port : RF_SENTINEL_PORT;
    enum rf_target t = rf_target_pick(o->target, RF_KIND_FAILOVER);
    memset(out, 0, sizeof *out);
    if (o->selector && *o->selector &&
        audit_selector_check(o->selector, err, errlen) != RFG_OK)
        return RFG_EINVAL;
    const cJSON *items = items_of(list);
    const cJSON *one = NULL;
    if (!items) {
        one = list; /* a single object */
    }
    const cJSON *it;
    /* Pods first: the failovers' sentinels are looked up among them. */
    if (items) {
        struct rf_index ix = {NULL, 0};
        size_t n = (size_t)cJSON_GetArraySize(items);
        int rc = RFG_OK;
        ix.v = calloc(n + 1, sizeof(*ix.v));
        if (!ix.v)
            goto oom;
        cJSON_ArrayForEach(it, items)
        {
            if (rf_kind_of(it) == RF_KIND_FAILOVER)
                ix.v[ix.n++] = it;
        }
        cJSON_ArrayForEach(it, items)
        {
            if (rc == RFG_OK && is_kind(it, "v1", "Pod"))
                rc = add_pod(out, &cappod, &ix, it, sport);
        }
        free(ix.v);
        if (rc != RFG_OK)
            goto oom;
    }
    for (it = items ? items->child : one; it; it = items ? it->next : NULL) {
        if (rf_kind_of(it) != RF_KIND_FAILOVER || !rf_name(it))
            continue;
        const char *ns = rf_namespace(it, "default");
        if (o->ns && strcmp(o->ns, ns) != 0)
            continue;
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(it, "metadata");
        if (o->selector && *o->selector &&
            !audit_selector_matches(
                o->selector, cJSON_GetObjectItemCaseSensitive(meta, "labels")))
            continue;
        struct sentinels_failover *v =
            rfg_grow(out->rfs, &caprf, out->nrfs + 1, sizeof *v, 8);
        if (!v)
            goto oom;
        out->rfs = v;
        struct sentinels_failover *f = &v[out->nrfs++];
        memset(f, 0, sizeof *f);
        const char *api = str_at(it, "apiVersion"), *uid = str_at(meta, "uid");
        f->ns = dup_str(ns);
        f->name = dup_str(rf_name(it));
        f->api_version = dup_str(api ? api : "");
        f->uid = dup_str(uid ? uid : "");
        f->master = dup_str(rf_master_name(it, t));
        f->redis_port = rf_redis_port(it);
        f->redis_replicas = rf_replicas(it, RF_REDIS);
        f->sentinel_replicas = rf_replicas(it, RF_SENTINEL);
        if (!f->ns || !f->name || !f->api_version || !f->uid || !f->master)
            goto oom;
        if (o->password_secret) {
            f->secret = dup_str(o->password_secret);
            f->key = dup_str(o->password_key ? o->password_key
                                             : SENTINELS_DEFAULT_KEY);
            if (!f->secret || !f->key)
                goto oom;
        }
        size_t rfi = out->nrfs - 1;
        for (size_t i = 0; i < out->npods; i++) {
            const struct sentinels_pod *pd = &out->pods[i];
            if (pd->comp != RF_SENTINEL || !pd->running ||
                strcmp(pd->ns, f->ns) != 0 ||
                strcmp(pd->failover, f->name) != 0)
                continue;
            struct sentinels_ask *a =
                rfg_grow(out->asks, &capask, out->nasks + 1, sizeof *a, 16);
            if (!a)
                goto oom;
            out->asks = a;
            struct sentinels_ask *d = &a[out->nasks++];
            d->rf = rfi;
            d->port = (int)sport;
            d->pod = dup_str(pd->name);
            d->ip = dup_str(pd->ip);
            if (!d->pod || !d->ip)
                goto oom;
        }
    }
    if (out->nasks > 1)
        qsort(out->asks, out->nasks, sizeof *out->asks, cmp_ask);
    return RFG_OK;
oom:
    sentinels_plan_cleanup(out);
    return RFG_ENOMEM;
}

int sentinels_secret_value(char **out, const cJSON *list, const char *ns,
                           const char *name, const char *key)
{
    const cJSON *items = items_of(list), *it;
    *out = NULL;
    for (it = items ? items->child : list; it; it = items ? it->next : NULL) {
        if (!is_kind(it, "v1", "Secret"))
            continue;
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(it, "metadata");
        const char *n = str_at(meta, "name"), *sns = str_at(meta, "namespace");
        if (!n || strcmp(n, name) != 0 ||
            strcmp(sns ? sns : "default", ns) != 0)
            continue;
        const char *sd = str_at(
            cJSON_GetObjectItemCaseSensitive(it, "stringData"), key);
        if (sd) {
            *out = dup_str(sd);
            return *out ? RFG_OK : RFG_ENOMEM;
        }
        const char *d =
            str_at(cJSON_GetObjectItemCaseSensitive(it, "data"), key);
        if (!d)
            return RFG_ENOTFOUND;
        size_t len = 0;
        unsigned char *raw = base64_decode(d, &len);
        if (!raw)
            return base64_problem(d) ? RFG_EPARSE : RFG_ENOMEM;
        *out = malloc(len + 1);
        if (*out) {
            memcpy(*out, raw, len);
            (*out)[len] = '\0';
        }
        rfg_wipe(raw, len);
        free(raw);
        return *out ? RFG_OK : RFG_ENOMEM;
    }
    return RFG_ENOTFOUND;
}

/* ---- judge ---- */

void sentinels_result_cleanup(struct sentinels_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct sentinels_verdict *v = &r->v[i];
        for (size_t j = 0; j < v->nothers; j++)
            free(v->others[j]);
        for (size_t j = 0; j < v->nprocedure; j++)
            free(v->procedure[j]);
        free(v->others);
        free(v->procedure);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

struct judge {
    struct report *rep;
    const struct sentinels_plan *plan;
    struct sentinels_result *res;
    const char *file;
    int err;
};

/* The pod that has address ip:port, preferring one of component `c` on
 * that port; NULL when no pod has the IP. */
static const struct sentinels_pod *
pod_at(const struct sentinels_plan *p, const char *ip, int port,
       enum rf_component c)
{
    const struct sentinels_pod *any = NULL, *comp = NULL;
    if (!ip || !*ip)
        return NULL;
    for (size_t i = 0; i < p->npods; i++) {
        const struct sentinels_pod *pd = &p->pods[i];
        if (strcmp(pd->ip, ip) != 0)
            continue;
        if (pd->comp == c && (pd->port == port || pd->port == 0))
            return pd;
        if (pd->comp == c && !comp)
            comp = pd;
        if (!any)
            any = pd;
    }
    return comp ? comp : any;
}

static int add_other(struct sentinels_verdict *v, const char *ns,
                     const char *name)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", ns, name);
    for (size_t i = 0; i < v->nothers; i++)
        if (strcmp(v->others[i], buf) == 0)
            return RFG_OK;
    char **o = realloc(v->others, (v->nothers + 1) * sizeof *o);
    if (!o)
        return RFG_ENOMEM;
    v->others = o;
    size_t at = v->nothers;
    while (at > 0 && strcmp(o[at - 1], buf) > 0) {
        o[at] = o[at - 1];
        at--;
    }
    o[at] = dup_str(buf);
    v->nothers++;
    return o[at] ? RFG_OK : RFG_ENOMEM;
}

static void finding(struct judge *j, size_t rfi, enum rfg_sev sev,
                    const char *rule, const char *hint, const char *fmt, ...)
    RFG_PRINTF(6, 7);
static void finding(struct judge *j, size_t rfi, enum rfg_sev sev,
                    const char *rule, const char *hint, const char *fmt, ...)
{
    const struct sentinels_failover *f = &j->plan->rfs[rfi];
    struct sbuf msg, obj;
    va_list ap;
    struct src_pos pos = {0, 0};
    if (j->err)
        return;
    sbuf_init(&msg, MSG_MAX);
    sbuf_init(&obj, 1024);
    va_start(ap, fmt);
    int rc = sbuf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc != RFG_OK && rc != RFG_ELIMIT)
        j->err = RFG_ENOMEM;
    else if (sbuf_printf(&obj, "%s/%s", f->ns, f->name) != RFG_OK)
        j->err = RFG_ENOMEM;
    else if (report_add_finding(j->rep, REPORT_NO_DOC, j->file, pos, sev,
                                rule, sbuf_str(&msg), hint, NULL,
                                sbuf_str(&obj), NULL) != RFG_OK)
        j->err = RFG_ENOMEM;
    j->res->v[rfi].findings++;
    if (sev == RFG_SEV_DENY)
        j->res->v[rfi].merged = true;
    sbuf_cleanup(&msg);
    sbuf_cleanup(&obj);
}

#define HINT_MERGED                                                      \
    "sentinels never forget an instance they have seen: give the failover " \
    "its own identity first, then SENTINEL RESET its sentinels one at a "  \
    "time (the steps follow the findings)"
#define HINT_STALE                                                       \
    "the trace of a reused or vanished pod IP; SENTINEL RESET on each "    \
    "sentinel, one at a time, makes it forget the address"
#define HINT_UNKNOWN                                                     \
    "this failover's sentinels should monitor one master only; once "     \
    "nothing adds the other one again, SENTINEL REMOVE with its name, on " \
    "each sentinel that lists it, makes it stop"
#define HINT_UNREACHABLE                                                 \
    "the other sentinels were still asked; check the pod, --sentinel-port " \
    "and --password-secret"

/* Judge one described address (`what`: "master", "replica",
 * "sentinel") that sentinel `who` of failover rfi knows. */
static void judge_addr(struct judge *j, size_t rfi, const char *who,
                       const char *what, const struct sentinels_addr *x,
                       enum rf_component c)
{
    const struct sentinels_failover *f = &j->plan->rfs[rfi];
    const struct sentinels_pod *pd = pod_at(j->plan, x->ip, x->port, c);
    const char *fl = x->flags && *x->flags ? x->flags : NULL;
    if (!pd) {
        finding(j, rfi, RFG_SEV_WARN, SENTINELS_RULE_STALE, HINT_STALE,
                "sentinel %s has %s:%d%s%s%s as %s of %s, an address no "
                "pod has",
                who, x->ip, x->port, fl ? " (flags " : "", fl ? fl : "",
                fl ? ")" : "", what, f->master);
        return;
    }
    if (strcmp(pd->ns, f->ns) == 0 && strcmp(pd->failover, f->name) == 0)
        return;
    finding(j, rfi, RFG_SEV_DENY, SENTINELS_RULE_MERGED, HINT_MERGED,
            "sentinel %s has %s:%d as %s of %s, which is %s pod %s of "
            "failover %s/%s",
            who, x->ip, x->port, what, f->master, rf_component_name(pd->comp),
            pd->name, pd->ns, pd->failover);
    if (!j->err &&
        add_other(&j->res->v[rfi], pd->ns, pd->failover) != RFG_OK)
        j->err = RFG_ENOMEM;
}

static void judge_masters(struct judge *j, size_t rfi, const char *who,
                          const struct sentinels_answer *a)
{
    const struct sentinels_failover *f = &j->plan->rfs[rfi];
    for (size_t k = 0; k < a->nmasters; k++) {
        const struct sentinels_addr *m = &a->masters[k];
        if (m->name && strcmp(m->name, f->master) == 0)
            continue;
        const struct sentinels_pod *pd =
            pod_at(j->plan, m->ip, m->port, RF_REDIS);
        if (pd)
            finding(j, rfi, RFG_SEV_WARN, SENTINELS_RULE_UNKNOWN_MASTER,
                    HINT_UNKNOWN,
                    "sentinel %s also monitors master %s at %s:%d, a redis "
                    "of failover %s/%s; it should know only %s",
                    who, m->name ? m->name : "?", m->ip, m->port, pd->ns,
                    pd->failover, f->master);
        else
            finding(j, rfi, RFG_SEV_WARN, SENTINELS_RULE_UNKNOWN_MASTER,
                    HINT_UNKNOWN,
                    "sentinel %s also monitors master %s at %s:%d, an "
                    "address no pod has; it should know only %s",
                    who, m->name ? m->name : "?", m->ip, m->port, f->master);
    }
}

/* Split view: the sentinels of rfi that answered name more than one
 * master address. asks [lo, hi) are the failover's. */
static void judge_split(struct judge *j, size_t rfi, size_t lo, size_t hi,
                        const struct sentinels_answer *ans)
{
    const struct sentinels_ask *asks = j->plan->asks;
    const char *ip0 = NULL;
    int port0 = 0;
    bool split = false;
    for (size_t i = lo; i < hi; i++) {
        if (!ans[i].has_master)
            continue;
        if (!ip0) {
            ip0 = ans[i].master.ip;
            port0 = ans[i].master.port;
        } else if (strcmp(ip0, ans[i].master.ip) != 0 ||
                   port0 != ans[i].master.port) {
            split = true;
        }
    }
    if (!split)
        return;
    struct sbuf b;
    sbuf_init(&b, MSG_MAX);
    for (size_t i = lo; i < hi; i++) {
        if (!ans[i].has_master)
            continue;
        (void)sbuf_printf(&b, "%s%s:%d (pod %s) says %s:%d",
                          i == lo ? "" : "; ", asks[i].ip, asks[i].port,
                          asks[i].pod, ans[i].master.ip, ans[i].master.port);
    }
    finding(j, rfi, RFG_SEV_WARN, SENTINELS_RULE_SPLIT,
            "the sentinels may still be failing over; if it lasts, compare "
            "with the redis pods' ROLE",
            "the sentinels of %s disagree on its master: %s",
            j->plan->rfs[rfi].master, sbuf_str(&b));
    sbuf_cleanup(&b);
}

static int add_line(struct sentinels_verdict *v, const char *fmt, ...)
    RFG_PRINTF(2, 3);
static int add_line(struct sentinels_verdict *v, const char *fmt, ...)
{
    struct sbuf b;
    va_list ap;
    sbuf_init(&b, MSG_MAX);
    va_start(ap, fmt);
    int rc = sbuf_vprintf(&b, fmt, ap);
    va_end(ap);
    char **p = realloc(v->procedure, (v->nprocedure + 1) * sizeof *p);
    if (rc != RFG_OK || !p) {
        if (p)
            v->procedure = p;
        sbuf_cleanup(&b);
        return RFG_ENOMEM;
    }
    v->procedure = p;
    p[v->nprocedure] = sbuf_take(&b, NULL);
    sbuf_cleanup(&b);
    return p[v->nprocedure++] ? RFG_OK : RFG_ENOMEM;
}

/* The documented clean-up of a merged failover, in order. */
static int procedure(struct sentinels_verdict *v,
                     const struct sentinels_plan *p, size_t rfi, size_t lo,
                     size_t hi)
{
    const struct sentinels_failover *f = &p->rfs[rfi];
    int rc = add_line(
        v,
        "1. Fix the identity of %s/%s first: give it its own redis port, "
        "password or master name, so that its sentinels cannot adopt the "
        "other failover's pods again (`rfguard fix` on its manifest shows "
        "the patch), and apply it.",
        f->ns, f->name);
    if (rc == RFG_OK)
        rc = add_line(
            v,
            "2. Then, on each sentinel of the group, ONE AT A TIME, run "
            "SENTINEL RESET %s and wait until `SENTINEL REPLICAS %s` and "
            "`SENTINEL SENTINELS %s` show the right members again (about "
            "30 s) before the next%s:",
            f->master, f->master, f->master,
            f->secret ? " (with the sentinels' password in REDISCLI_AUTH)"
                      : "");
    for (size_t i = lo; i < hi && rc == RFG_OK; i++)
        rc = add_line(v, "   redis-cli -h %s -p %d SENTINEL RESET %s",
                      p->asks[i].ip, p->asks[i].port, f->master);
    if (rc == RFG_OK)
        rc = add_line(v,
                      "Source: the Redis Sentinel documentation, \"Removing "
                      "the old master or unreachable replicas\" and "
                      "\"Adding or removing Sentinels\", %s",
                      SENTINELS_DOC_URL);
    return rc;
}

int sentinels_judge(struct sentinels_result *out, struct report *rep,
                    const struct sentinels_plan *plan,
                    const struct sentinels_answer *ans, const char *file)
{
    struct judge j = {rep, plan, out, file ? file : "", RFG_OK};
    memset(out, 0, sizeof *out);
    if (plan->nrfs) {
        out->v = calloc(plan->nrfs, sizeof *out->v);
        if (!out->v)
            return RFG_ENOMEM;
    }
    out->n = plan->nrfs;
    size_t lo = 0;
    for (size_t rfi = 0; rfi < plan->nrfs && !j.err; rfi++) {
        const struct sentinels_failover *f = &plan->rfs[rfi];
        size_t hi = lo;
        while (hi < plan->nasks && plan->asks[hi].rf == rfi)
            hi++;
        for (size_t i = lo; i < hi && !j.err; i++) {
            const struct sentinels_ask *q = &plan->asks[i];
            const struct sentinels_answer *a = &ans[i];
            char who[320];
            snprintf(who, sizeof who, "%s:%d (pod %s)", q->ip, q->port,
                     q->pod);
            out->asked++;
            if (a->error) {
                out->unreachable++;
                finding(&j, rfi, RFG_SEV_WARN, SENTINELS_RULE_UNREACHABLE,
                        HINT_UNREACHABLE, "sentinel %s could not be asked: %s",
                        who, a->error);
            }
            if (a->has_master)
                judge_addr(&j, rfi, who, "the master", &a->master,
                           RF_REDIS);
            for (size_t k = 0; a->has_replicas && k < a->nreplicas; k++)
                judge_addr(&j, rfi, who, "a replica", &a->replicas[k],
                           RF_REDIS);
            for (size_t k = 0; a->has_sentinels && k < a->nsentinels; k++)
                judge_addr(&j, rfi, who, "a sentinel", &a->sentinels[k],
                           RF_SENTINEL);
            if (a->has_replicas && f->redis_replicas > 0 &&
                a->nreplicas > (size_t)(f->redis_replicas - 1))
                finding(&j, rfi, RFG_SEV_WARN, SENTINELS_RULE_EXTRA, NULL,
                        "sentinel %s knows %zu replica%s of master %s; the "
                        "spec has %d redis, so %d replica%s",
                        who, a->nreplicas, a->nreplicas == 1 ? "" : "s",
                        f->master, f->redis_replicas, f->redis_replicas - 1,
                        f->redis_replicas == 2 ? "" : "s");
            if (a->has_sentinels && f->sentinel_replicas > 0 &&
                a->nsentinels > (size_t)(f->sentinel_replicas - 1))
                finding(&j, rfi, RFG_SEV_WARN, SENTINELS_RULE_EXTRA, NULL,
                        "sentinel %s knows %zu other sentinel%s of master "
                        "%s; the spec has %d sentinel%s, so %d other%s",
                        who, a->nsentinels, a->nsentinels == 1 ? "" : "s",
                        f->master, f->sentinel_replicas,
                        f->sentinel_replicas == 1 ? "" : "s",
                        f->sentinel_replicas - 1,
                        f->sentinel_replicas == 2 ? "" : "s");
            if (a->has_masters)
                judge_masters(&j, rfi, who, a);
        }
        if (!j.err)
            judge_split(&j, rfi, lo, hi, ans);
        if (!j.err && out->v[rfi].merged) {
            out->merged++;
            if (procedure(&out->v[rfi], plan, rfi, lo, hi) != RFG_OK)
                j.err = RFG_ENOMEM;
        }
        lo = hi;
    }
    if (j.err) {
        sentinels_result_cleanup(out);
        return j.err;
    }
    return RFG_OK;
}
