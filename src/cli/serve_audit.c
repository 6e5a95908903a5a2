/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_audit.c - the background audit of `rfguard serve` (see
 * serve_audit.h). One thread: it waits for the cluster view to sync,
 * then audits when the view publishes a new snapshot (at most once per
 * debounce) and at least every interval. A round LISTs RedisFailovers
 * and the OpsTree RedisSentinels and RedisReplications (none of a kind
 * whose CRD is not installed: a 404), Secrets and NetworkPolicies through
 * the serve's API client (paged), assembles one List in memory,
 * audits it (audit.h), sets the audit gauges, and then, unless
 * --audit-dry-run, applies each namespace's PolicyReport and deletes
 * rfguard's reports in namespaces without failovers. A round a change
 * started applies only the reports whose results changed (timestamps
 * aside); a round the interval started applies them all, so a report
 * deleted by hand comes back. A PolicyReport resource the API server
 * does not know (no CRD) is logged once and the writes are tried again
 * each round. Secrets: the listed JSON and the assembled List (a tree,
 * never printed) are wiped once audited, and a Secret's
 * last-applied-configuration annotation (a copy of its data) is dropped
 * as it arrives; nothing of them is logged. Not here: the rules and the
 * report format (lint/audit.c), the writes (serve_audit_write.c).
 */
#include "serve_audit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
#include "clock.h"
#include "crypto.h"
#include "json.h"
#include "kcache.h"
#include "kclient.h"
#include "kstore.h"
#include "rf.h"
#include "rules.h"
#include "sbuf.h"
#include "serve_audit_impl.h"
#include "serve_audit_sentinels.h"
#include "wipe.h"

#define DEFAULT_DEBOUNCE_MS 10000u
#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
#define MIN_INTERVAL_MS 10000u
#define MAX_INTERVAL_MS 86400000u
#define MIN_SENTINEL_MS 60000u
#define CALL_DEADLINE_MS 30000u
#define PAGE 500u
#define NKINDS 5

struct serve_audit {
    struct serve_audit_opts o;
    struct serve_cluster *sc;      /* borrowed */
    struct kclient *client;        /* borrowed from sc */
    struct kcache *kc;             /* borrowed from sc */
    struct metrics *m;             /* borrowed */
    serve_cluster_log_fn log;
    struct policy_set *pol;        /* owned; the thread's only */
    pthread_t thr;
    bool thr_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;             /* CLOCK_MONOTONIC */
    bool stop;                     /* under mu */
    struct policy_set *next_pol;   /* under mu: a reloaded policy */
    /* the thread's own state */
    bool polr_absent;              /* the last write found no resource */
    bool failing;                  /* the last round failed (logged) */
    bool write_failing;            /* its writes failed (logged) */
    bool refused[NKINDS];          /* by kinds[] index: logged */
    struct audit_writer w;         /* its digests are owned */
};

/* One kind the audit lists: its path, and what built-in list items lack
 * (the API server sends them without kind and apiVersion). An optional
 * kind refused (403) is left out, logged once with `refused`; one that
 * is `unserved_ok` and not served (404: its CRD is not installed) is
 * left out silently, the cluster view already said so. */
struct audit_kind {
    const char *path, *what, *api_version, *kind;
    bool secret, optional, unserved_ok;
    const char *refused;
};

static const struct audit_kind kinds[NKINDS] = {
    {"/apis/databases.spotahome.com/v1/redisfailovers", "redisfailovers",
     "databases.spotahome.com/v1", "RedisFailover", false, false, true,
     NULL},
    {"/apis/" OT_API_VERSION "/redissentinels", "redissentinels",
     OT_API_VERSION, OT_KIND_SENTINEL, false, true, true,
     "audit: cannot list redissentinels; none is audited or compared"},
    {"/apis/" OT_API_VERSION "/redisreplications", "redisreplications",
     OT_API_VERSION, OT_KIND_REPLICATION, false, true, true,
     "audit: cannot list redisreplications; none is audited or "
     "compared"},
    {"/api/v1/secrets", "secrets", "v1", "Secret", true, true, false,
     "audit: cannot list secrets; the Secret rules report no missing "
     "Secret until it is allowed"},
    {"/apis/networking.k8s.io/v1/networkpolicies", "networkpolicies",
     "networking.k8s.io/v1", "NetworkPolicy", false, true, false,
     "audit: cannot list networkpolicies; none counts as guarding "
     "sentinels"},
};

/* ---- options ---- */

int serve_audit_parse_opt(struct serve_audit_opts *o, int argc, char **argv,
                          int *i)
{
    unsigned long long ms;
    const char *v;

    if (!strcmp(argv[*i], "--audit-dry-run")) {
        o->dry_run = o->dry_run_given = true;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--sentinel-check-interval"))) {
        if (rfg_parse_duration_ms(v, &ms) ||
            (ms && (ms < MIN_SENTINEL_MS || ms > MAX_INTERVAL_MS))) {
            fprintf(stderr, "rfguard serve: bad value '%s' for "
                            "--sentinel-check-interval: 0 (off) or a "
                            "duration from 1m to 24h, such as 10m\n", v);
            return -1;
        }
        o->sentinel_interval_ms = (unsigned)ms;
        o->sentinel_interval_given = true;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--sentinel-password-secret"))) {
        const char *colon = strchr(v, ':');

        if (!*v || colon == v || (colon && !colon[1])) {
            fprintf(stderr, "rfguard serve: bad value '%s' for "
                            "--sentinel-password-secret: NAME or NAME:KEY, "
                            "a Secret in each failover's namespace\n", v);
            return -1;
        }
        o->sentinel_secret = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--audit-debounce"))) {
        if (rfg_parse_duration_ms(v, &ms) || ms < 1000 || ms > 3600000) {
            fprintf(stderr, "rfguard serve: bad value '%s' for "
                            "--audit-debounce: a duration from 1s to 1h, "
                            "such as 10s\n", v);
            return -1;
        }
        o->debounce_ms = (unsigned)ms;
        return 1;
    }
    v = cli_opt_value(argc, argv, i, "--audit-interval");
    if (!v)
        return 0;
    if (rfg_parse_duration_ms(v, &ms) ||
        (ms && (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS))) {
        fprintf(stderr, "rfguard serve: bad value '%s' for --audit-interval: "
                        "0 (off) or a duration from 10s to 24h, such as 5m "
                        "or 1h30m\n", v);
        return -1;
    }
    o->interval_ms = (unsigned)ms;
    o->interval_given = true;
    return 1;
}

void serve_audit_usage(FILE *f)
{
    fprintf(f,
        "\nBackground audit (needs the cluster view):\n"
        "  --audit-interval DUR   audit every failover of the cluster at "
        "least this often\n"
        "                         (e.g. 5m; 10s to 24h; 0 = off, the "
        "default), and when the\n"
        "                         view changes; writes one PolicyReport"
        "\n"
        "                         (wgpolicyk8s.io/v1alpha2) per namespace "
        "with server-side\n"
        "                         apply and sets the rfguard_audit_* "
        "metrics\n"
        "  --audit-debounce DUR   least time between two audits that "
        "changes start (10s)\n"
        "  --audit-dry-run        audit and set the metrics, but write no "
        "PolicyReport\n"
        "\nSentinel check (needs the cluster view; RedisFailovers only):\n"
        "  --sentinel-check-interval DUR\n"
        "                         ask every RedisFailover's sentinel pods "
        "this often (1m to\n"
        "                         24h; 0 = off, the default) what they "
        "know, read-only, and\n"
        "                         set rfguard_sentinel_merged{namespace,"
        "name}; its findings\n"
        "                         join the background audit's "
        "PolicyReports (without\n"
        "                         --audit-interval no report is written). "
        "rfguard never\n"
        "                         writes to Redis: 'rfguard sentinels' "
        "prints the clean-up\n"
        "  --sentinel-password-secret NAME[:KEY]\n"
        "                         AUTH with key KEY (default 'password') "
        "of Secret NAME in\n"
        "                         each failover's namespace (never "
        "logged); without it no\n"
        "                         password is sent\n");
}

/* ---- one round ---- */

/* Wipe and free a response that may hold Secrets. */
static void wipe_resp(struct kclient_resp *r)
{
    if (r->body)
        rfg_wipe(r->body, r->len);
    kclient_resp_cleanup(r);
}

/* Wipe a Secret's values: data, stringData and its annotations (the
 * last-applied-configuration one holds a copy of the data). */
static void scrub_secret(cJSON *obj)
{
    cJSON *kv;

    kstore_scrub_secret(obj);
    cJSON_ArrayForEach(kv, json_get_mut(json_get_mut(obj, "metadata"),
                                        "annotations"))
        if (cJSON_IsString(kv) && kv->valuestring)
            rfg_wipe(kv->valuestring, strlen(kv->valuestring));
}

/* Delete a list page (or NULL), scrubbing the Secrets still in it. */
static void drop_page(cJSON *root, bool secret)
{
    cJSON *it;

    if (secret)
        cJSON_ArrayForEach(it, json_get_mut(root, "items"))
            scrub_secret(it);
    cJSON_Delete(root);
}

/* Drop the annotation that copies a Secret's data, wiped first: the
 * audit has no use for it, and the List is printed without it. */
static void drop_last_applied(cJSON *obj)
{
    cJSON *ann = json_get_mut(json_get_mut(obj, "metadata"), "annotations");
    cJSON *la = json_get_mut(ann, LAST_APPLIED);

    if (cJSON_IsString(la) && la->valuestring)
        rfg_wipe(la->valuestring, strlen(la->valuestring));
    cJSON_DeleteItemFromObjectCaseSensitive(ann, LAST_APPLIED);
}

/* LIST every object of `k` (paged) into `items` (a cJSON array it
 * appends to, with kind and apiVersion set). Returns RFG_OK, or
 * RFG_EUPSTREAM with *status the HTTP status (0: no answer) and `err`. */
static int list_kind(struct serve_audit *sa, const struct audit_kind *k,
                     cJSON *items, long *status, char *err, size_t errlen)
{
    struct kclient_resp r;
    struct sbuf path;
    char *cont = NULL;
    cJSON *root = NULL, *page, *it;
    int rc = RFG_OK;

    *status = 0;
    sbuf_init(&path, 64 * 1024);
    memset(&r, 0, sizeof(r));
    for (;;) {
        sbuf_reset(&path);
        rc = sbuf_printf(&path, "%s?limit=%u", k->path, PAGE);
        if (!rc && cont && !(rc = sbuf_adds(&path, "&continue=")))
            rc = kclient_query_escape(&path, cont);
        if (rc)
            break;
        rc = kclient_request(sa->client, "GET", path.p, NULL,
                             CALL_DEADLINE_MS, 0, 0, &r);
        *status = r.status;
        if (rc || r.status != 200) {
            snprintf(err, errlen, "list %s: %s%s", k->what,
                     r.status ? "" : "no answer: ",
                     r.err[0] ? r.err : "no message");
            rc = RFG_EUPSTREAM;
            break;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        wipe_resp(&r);
        page = json_get_mut(root, "items");
        if (!cJSON_IsArray(page)) {
            snprintf(err, errlen, "list %s: malformed answer", k->what);
            rc = RFG_EUPSTREAM;
            break;
        }
        while ((it = cJSON_DetachItemFromArray(page, 0)) != NULL) {
            if (k->secret)
                drop_last_applied(it);
            cJSON_DeleteItemFromObjectCaseSensitive(it, "kind");
            cJSON_DeleteItemFromObjectCaseSensitive(it, "apiVersion");
            if (!cJSON_AddStringToObject(it, "apiVersion", k->api_version) ||
                !cJSON_AddStringToObject(it, "kind", k->kind) ||
                !cJSON_AddItemToArray(items, it)) {
                if (k->secret)
                    scrub_secret(it);
                cJSON_Delete(it);
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
        drop_page(root, k->secret);   /* what was not moved out */
        root = NULL;
        if (rc || !cont)
            break;
    }
    if (rc == RFG_ENOMEM)
        snprintf(err, errlen, "list %s: out of memory", k->what);
    wipe_resp(&r);
    drop_page(root, k->secret);
    free(cont);
    sbuf_cleanup(&path);
    return rc;
}

/* A refused optional list (403) of kinds[i]: logged once per refusal. */
static void note_refused(struct serve_audit *sa, size_t i, bool refused,
                         const char *err)
{
    if (refused && !sa->refused[i])
        sa->log("warn", kinds[i].refused, "detail", err);
    sa->refused[i] = refused;
}

/* Delete a List (or an items array), scrubbing its Secrets first. */
static void drop_list(cJSON *list)
{
    cJSON *it, *items = cJSON_IsArray(list) ? list
                                             : json_get_mut(list, "items");

    cJSON_ArrayForEach(it, items) {
        const char *kind = json_str(it, "kind");

        if (kind && !strcmp(kind, "Secret"))
            scrub_secret(it);
    }
    cJSON_Delete(list);
}

/* The List of every object the audit reads, in *out (owned, holding
 * Secrets: delete it with drop_list). */
static int assemble(struct serve_audit *sa, cJSON **out,
                    bool *secrets_unknown, char *err, size_t errlen)
{
    cJSON *list = cJSON_CreateObject(), *items = cJSON_CreateArray();
    long status;
    size_t i;
    int rc = RFG_ENOMEM;

    *out = NULL;
    *secrets_unknown = false;
    if (!list || !items || !cJSON_AddStringToObject(list, "apiVersion", "v1")
        || !cJSON_AddStringToObject(list, "kind", "List")) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        rc = list_kind(sa, &kinds[i], items, &status, err, errlen);
        if (rc == RFG_EUPSTREAM && kinds[i].unserved_ok && status == 404 &&
            (strcmp(kinds[i].kind, RF_KIND) ||
             kcache_unserved(sa->kc, RF_KIND_FAILOVER))) {
            /* no CRD: none of them (a 404 on RedisFailovers only when
             * the view, which checks their CRD, says so too) */
            rc = RFG_OK;
        } else if (rc && kinds[i].optional && status == 403) {
            note_refused(sa, i, true, err);
            if (kinds[i].secret)
                *secrets_unknown = true;
            rc = RFG_OK;
        } else if (!rc && kinds[i].optional) {
            note_refused(sa, i, false, err);
        }
        if (rc)
            goto out;
    }
    if (!cJSON_AddItemToObject(list, "items", items)) {
        rc = RFG_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    items = NULL;
    *out = list;   /* a tree, never printed: no copy of a Secret */
    list = NULL;
    rc = RFG_OK;
out:
    drop_list(items);
    drop_list(list);
    return rc;
}

/* Count the audit's findings per rule and severity into the gauges. */
static int set_gauges(struct serve_audit *sa, const struct audit *a,
                      int64_t when)
{
    size_t n, i, idx;
    unsigned long long *f;

    rules_catalog(&n);
    f = calloc(n ? n * 2 : 1, sizeof(*f));
    if (!f)
        return RFG_ENOMEM;
    for (i = 0; i < a->rep.len; i++) {
        const struct report_entry *e = &a->rep.v[i];

        if (e->kind != REPORT_FINDING)
            continue;
        idx = metrics_rule_index(sa->m, e->rule);
        if (idx < n)
            f[idx * 2 + (e->sev == RFG_SEV_DENY ? 1 : 0)]++;
    }
    metrics_audit(sa->m, true, f, when);
    free(f);
    return RFG_OK;
}

/* One audit round; logs its result. `all`: apply every report, also
 * the unchanged ones. */
static void audit_round(struct serve_audit *sa, bool all)
{
    struct audit_opts ao;
    struct audit_report_opts ro;
    struct audit a;
    struct timespec now;
    cJSON *reports = NULL;
    cJSON *list = NULL;
    char err[400] = "", line[160];
    unsigned applied = 0, deleted = 0;
    bool secrets_unknown;
    int rc;

    audit_init(&a);
    clock_gettime(CLOCK_REALTIME, &now);
    rc = assemble(sa, &list, &secrets_unknown, err, sizeof(err));
    if (!rc) {
        memset(&ao, 0, sizeof(ao));
        ao.pol = sa->pol;
        ao.hash = rfg_sha256;
        ao.secrets_unknown = secrets_unknown;
        rc = audit_run_list(&a, list, kclient_server(sa->client), &ao);
        if (!rc)    /* the sentinel check's findings join the reports */
            rc = serve_sentinels_merge(sa->o.sentinels, &a);
        if (rc)
            snprintf(err, sizeof(err), "audit: %s", rfg_strerror(rc));
    }
    drop_list(list);
    if (!rc) {
        memset(&ro, 0, sizeof(ro));
        ro.pol = sa->pol;
        ro.seconds = (int64_t)now.tv_sec;
        ro.nanos = (int32_t)now.tv_nsec;
        if ((rc = audit_policy_reports(&reports, &a, &ro)) != RFG_OK ||
            (rc = set_gauges(sa, &a, (int64_t)now.tv_sec)) != RFG_OK)
            snprintf(err, sizeof(err), "out of memory");
    }
    if (rc) {
        metrics_audit(sa->m, false, NULL, (int64_t)now.tv_sec);
        if (!sa->failing)
            sa->log("warn", "audit: failed; retrying at the next round",
                    "detail", err);
        sa->failing = true;
        goto out;
    }
    if (sa->failing)
        sa->log("info", "audit: working again", NULL, NULL);
    sa->failing = false;
    if (!sa->o.dry_run) {
        rc = audit_writer_write(&sa->w, reports, all, &applied, &deleted,
                                err, sizeof(err));
        if (rc == 1) {
            audit_writer_forget(&sa->w);   /* gone with the resource */
            if (!sa->polr_absent)
                sa->log("warn", "audit: the API server has no PolicyReport "
                                "resource (wgpolicyk8s.io/v1alpha2; install "
                                "its CRD); the audit goes on for the metrics "
                                "and writes reports once it exists",
                        NULL, NULL);
            sa->polr_absent = true;
        } else {
            if (sa->polr_absent)
                sa->log("info", "audit: the PolicyReport resource is there; "
                                "writing reports", NULL, NULL);
            sa->polr_absent = false;
            if (rc && !sa->write_failing)
                sa->log("warn", strstr(err, "HTTP 403")
                                    ? "audit: writing PolicyReports is "
                                      "forbidden (the ClusterRole "
                                      "rfguard-policyreports grants it); "
                                      "retrying at each audit"
                                    : "audit: writing PolicyReports failed; "
                                      "retrying at each audit",
                        "detail", err);
            else if (!rc && sa->write_failing)
                sa->log("info", "audit: PolicyReports written again", NULL,
                        NULL);
            sa->write_failing = rc != 0;
        }
    }
    snprintf(line, sizeof(line),
             "failovers=%zu deny=%zu warn=%zu reports=%u deleted=%u%s",
             a.nrfs, a.rep.deny, a.rep.warn, applied, deleted,
             sa->o.dry_run ? " dry-run" : "");
    sa->log("info", "audit: done", "result", line);
out:
    cJSON_Delete(reports);
    audit_cleanup(&a);
}

/* ---- the thread ---- */

static void *audit_main(void *arg)
{
    struct serve_audit *sa = arg;
    struct kcache_stats ks = {0};
    uint64_t last_run = 0, next_due = 0;
    unsigned long last_snap = 0, last_gen = 0, gen;
    bool ran = false;

    pthread_mutex_lock(&sa->mu);
    while (!sa->stop) {
        uint64_t now = rfg_mono_ms(), wake = now + 500;
        bool due = false, all = false;

        /* a sentinel check that ended counts as a change of the view */
        gen = serve_sentinels_generation(sa->o.sentinels);
        if (kcache_ready(sa->kc)) {
            bool changed;

            kcache_stats(sa->kc, &ks);
            changed = ks.snapshots != last_snap || gen != last_gen;
            if (!ran || now >= next_due)
                due = all = true;
            else if (changed && now >= last_run + sa->o.debounce_ms)
                due = true;
            else if (changed)
                wake = last_run + sa->o.debounce_ms;
        }
        if (!due) {
            struct timespec until;

            if (ran && next_due < wake)
                wake = next_due;
            until.tv_sec = (time_t)(wake / 1000);
            until.tv_nsec = (long)(wake % 1000) * 1000000L;
            pthread_cond_timedwait(&sa->cv, &sa->mu, &until);
            continue;
        }
        if (sa->next_pol) {
            policy_free(sa->pol);
            sa->pol = sa->next_pol;
            sa->next_pol = NULL;
        }
        last_snap = ks.snapshots;
        last_gen = gen;
        pthread_mutex_unlock(&sa->mu);
        audit_round(sa, all);
        ran = true;
        last_run = rfg_mono_ms();
        next_due = last_run + sa->o.interval_ms;
        pthread_mutex_lock(&sa->mu);
    }
    pthread_mutex_unlock(&sa->mu);
    return NULL;
}

int serve_audit_start(struct serve_audit **out,
                      const struct serve_audit_opts *o,
                      struct serve_cluster *sc, struct policy_set *pol,
                      struct metrics *m, serve_cluster_log_fn log,
                      struct diag_list *dl)
{
    struct serve_audit *sa;
    pthread_condattr_t ca;

    *out = NULL;
    sa = calloc(1, sizeof(*sa));
    if (!sa) {
        policy_free(pol);
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    sa->o = *o;
    if (!sa->o.debounce_ms)
        sa->o.debounce_ms = DEFAULT_DEBOUNCE_MS;
    sa->sc = sc;
    sa->client = serve_cluster_client(sc);
    sa->w.client = sa->client;
    sa->kc = serve_cluster_cache(sc);
    sa->m = m;
    sa->log = log;
    sa->pol = pol;
    pthread_mutex_init(&sa->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sa->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&sa->thr, NULL, audit_main, sa) != 0) {
        serve_audit_stop(sa);
        return diag_fail(dl, RFG_EIO, NULL, "cannot start the audit thread");
    }
    sa->thr_started = true;
    {
        char buf[64];

        snprintf(buf, sizeof(buf), "%us%s", sa->o.interval_ms / 1000,
                 sa->o.dry_run ? " (dry run: no PolicyReport is written)"
                               : "");
        log("info", "audit: background audit on", "interval", buf);
    }
    *out = sa;
    return RFG_OK;
}

void serve_audit_set_policy(struct serve_audit *sa, struct policy_set *pol)
{
    if (!sa) {
        policy_free(pol);
        return;
    }
    pthread_mutex_lock(&sa->mu);
    policy_free(sa->next_pol);
    sa->next_pol = pol;
    pthread_mutex_unlock(&sa->mu);
}

void serve_audit_stop(struct serve_audit *sa)
{
    if (!sa)
        return;
    pthread_mutex_lock(&sa->mu);
    sa->stop = true;
    pthread_cond_broadcast(&sa->cv);
    pthread_mutex_unlock(&sa->mu);
    if (sa->thr_started) {
        /* a round in flight: its API calls end at once (the server is
         * shutting down, so nothing else needs the client) */
        kclient_abort(sa->client);
        pthread_join(sa->thr, NULL);
    }
    pthread_cond_destroy(&sa->cv);
    pthread_mutex_destroy(&sa->mu);
    policy_free(sa->next_pol);
    policy_free(sa->pol);
    audit_writer_forget(&sa->w);
    free(sa);
}
