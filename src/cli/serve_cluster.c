/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_cluster.c - wires kclient, kcache and lease into `rfguard serve`
 * (see serve_cluster.h). Configuration: --kubeconfig [--context], or
 * --in-cluster, or auto-detection of a pod's service account; without
 * any, serve runs with no cluster view as before. A request takes the
 * current snapshot (never a network call); only a /validate request that
 * passed every rule and has something to claim (a master name, or a
 * sentinel identity when that rule denies) talks to the API server: the
 * Lease create, and a GET (and a delete or update) when it is taken. All
 * of these end by one deadline per review. The reconcile thread lists
 * rfguard's Leases every reconcile_s and deletes those whose failover
 * the (fresh) view no longer has; it also releases, within seconds, the
 * claims of denied reviews whose create got no answer in time. The
 * installed CRD's schema arrives from the cache (on_crd) whenever its
 * watch brings a new one. Logs never carry tokens or Secret values.
 */
#include "serve_cluster.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "crd.h"
#include "crypto.h"
#include "kcache.h"
#include "kclient.h"
#include "lease.h"
#include "rf.h"
#include "schema.h"

#define DEFAULT_NS "rfguard"
#define DEFAULT_DEADLINE_MS 2000u
#define MAX_RELEASES 256
#define IDENTITY_MAX 512

/* A claim whose create got no answer by the deadline of a review that
 * was then denied: released by the reconcile thread if it landed. */
struct pending_release {
    char name[64];                         /* the Lease */
    char claim_id[LEASE_CLAIM_ID_LEN];
    uint64_t due_ms, expire_ms;            /* rfg_mono_ms() */
    unsigned tries;
};

struct serve_cluster {
    struct serve_cluster_opts o;
    serve_cluster_log_fn log;
    struct kclient *client;
    struct kcache *kc;
    char *ns;                  /* owned: Lease namespace */
    pthread_t thr;
    bool thr_started;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* CLOCK_MONOTONIC */
    bool stop;                 /* under mu */
    struct pending_release rel[MAX_RELEASES];   /* under mu */
    size_t nrel;
};

void serve_cluster_opts_init(struct serve_cluster_opts *o)
{
    memset(o, 0, sizeof(*o));
}

int serve_cluster_parse_opt(struct serve_cluster_opts *o, int argc,
                            char **argv, int *i)
{
    const char *v;
    const char *name = argv[*i];
    unsigned *num = NULL;
    unsigned lo = 1, hi = 86400;

    if (!strcmp(name, "--in-cluster")) {
        o->mode = 1;
        return 1;
    }
    if (!strcmp(name, "--no-cluster")) {
        o->mode = 2;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--kubeconfig"))) {
        o->kubeconfig = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--context"))) {
        o->context = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--namespace"))) {
        o->ns = v;
        return 1;
    }
    if ((v = cli_opt_value(argc, argv, i, "--cluster-stale-ms"))) {
        num = &o->stale_ms;
        lo = 100;
        hi = 3600000;
    } else if ((v = cli_opt_value(argc, argv, i, "--claim-grace"))) {
        num = &o->claim_grace_s;
    } else if ((v = cli_opt_value(argc, argv, i, "--claim-reconcile"))) {
        num = &o->reconcile_s;
    } else if ((v = cli_opt_value(argc, argv, i, "--watch-timeout"))) {
        num = &o->watch_timeout_s;
    } else if ((v = cli_opt_value(argc, argv, i, "--crd-poll"))) {
        /* deprecated: the CRD is watched; still checked, so a value
         * that was wrong stays an error */
        if (cli_parse_duration_ms(v, 100, 86400000, &o->crd_poll_ms)) {
            fprintf(stderr, "rfguard serve: bad value for '%s': a duration "
                            "from 100ms to 24h in s or ms, such as 30s\n",
                    name);
            return -1;
        }
        return 1;
    } else if ((v = cli_opt_value(argc, argv, i, "--api-deadline"))) {
        if (cli_parse_duration_ms(v, 10, 30000, &o->api_deadline_ms)) {
            fprintf(stderr, "rfguard serve: bad value for '%s': a duration "
                            "from 10ms to 30s, such as 2s or 1500ms\n",
                    name);
            return -1;
        }
        return 1;
    } else {
        return 0;
    }
    if (cli_parse_uint(v, lo, hi, num)) {
        fprintf(stderr, "rfguard serve: bad value for '%s'\n", name);
        return -1;
    }
    return 1;
}

void serve_cluster_usage(FILE *f)
{
    fprintf(f,
        "\nCluster view (cross-failover rules, Lease claims):\n"
        "  --kubeconfig FILE      reach the API server with this kubeconfig "
        "(current context)\n"
        "  --context NAME         ... with this context instead\n"
        "  --in-cluster           use the pod's service account (default "
        "when one is found)\n"
        "  --no-cluster           no cluster view: cluster rules only see "
        "the object\n"
        "  --namespace NS         rfguard's namespace, for its Leases "
        "(default: the pod's,\n"
        "                         else " DEFAULT_NS ")\n"
        "  --cluster-stale-ms N   a watch down this long makes the view "
        "unavailable (3000)\n"
        "  --claim-grace SEC      age before a claim whose failover is "
        "gone is released (60)\n"
        "  --claim-reconcile SEC  how often claims are reconciled (30)\n"
        "  --watch-timeout SEC    server-side watch timeout (300)\n"
        "  --api-deadline DUR     one deadline for all API calls of a "
        "review (2s; e.g.\n"
        "                         1500ms): past it the rule's "
        "onUnavailable applies\n"
        "  --crd-poll DUR         deprecated and ignored: the installed "
        "RedisFailover CRD\n"
        "                         is watched, and its schema decides which "
        "fields are pruned\n\n"
        "The view watches RedisFailovers, OpsTree RedisSentinels and "
        "RedisReplications,\n"
        "Secrets, NetworkPolicies (a policy guarding the sentinel port "
        "quiets\n"
        "sentinel-no-auth) and the redisfailovers CRD; a refused or "
        "unserved CRD,\n"
        "NetworkPolicy or OpsTree list (no OpsTree operator installed) "
        "is logged and\n"
        "the view stays available.\n");
}

/* kcache_crd_fn: the installed CRD's schema is new or changed: from now
 * on every target is checked against it, since it is what this cluster's
 * API server prunes with. */
static void on_crd(void *arg, cJSON *schema, const char *version,
                   const char *digest)
{
    struct serve_cluster *sc = arg;
    char detail[200];

    if (schema_install(RF_TARGET_RF, schema, "the installed CRD")) {
        sc->log("error", "cluster view: out of memory installing the CRD "
                         "schema; the schema in use stays", NULL, NULL);
        return;
    }
    snprintf(detail, sizeof(detail), CRD_NAME " %s, sha256 %s", version,
             digest);
    sc->log("info", "schema: the installed CRD's (pruning and types are "
                    "checked against it)", "crd", detail);
}

static void log_kcache(void *arg, const char *level, const char *msg,
                       const char *detail)
{
    struct serve_cluster *sc = arg;

    sc->log(level, msg, detail ? "detail" : NULL, detail);
}

/* Does the view still have `holder` ("ns/name") with `identity`? Claims
 * of a kind this version does not know are kept. */
static bool holder_has(const struct cview *cv, enum rf_target det,
                       const char *identity, const char *holder)
{
    const char *slash = strchr(holder, '/');
    size_t nslen, i;
    char mine[IDENTITY_MAX];

    if (strncmp(identity, "master/", 7) && strncmp(identity, "sentinel/", 9))
        return true;
    if (!slash)
        return false;
    nslen = (size_t)(slash - holder);
    for (i = cview_first(&cv->rf_name, cview_key_str2(slash + 1, NULL));
         i != CVIEW_END; i = cview_next(&cv->rf_name, i)) {
        const struct cview_failover *f = &cv->rfs[i];

        if (f->kind != RF_KIND_FAILOVER || strlen(f->ns) != nslen ||
            strncmp(f->ns, holder, nslen) || strcmp(f->name, slash + 1))
            continue;
        if (!strncmp(identity, "master/", 7))
            return f->disable_mymaster && !strcmp(f->name, identity + 7);
        if (f->disable_mymaster && det == RF_TARGET_FRESHWORKS_V33)
            return false;   /* its master name is its own */
        return rules_sentinel_identity(mine, sizeof(mine), f->port,
                                       f->ns, f->secret) &&
               !strcmp(mine, identity);
    }
    return false;
}

/* lease_keep_fn: keep every claim unless a fresh view says its holder is
 * gone (or no longer uses that master name). */
static bool keep_claim(void *arg, const char *identity, const char *holder)
{
    struct serve_cluster *sc = arg;
    const struct cview *cv = kcache_snapshot(sc->kc);
    bool keep = true;

    if (!cv)
        return true;
    if (kcache_unavailable_since(sc->kc) == 0)
        keep = holder_has(cv, kcache_target(sc->kc), identity, holder);
    kcache_release(cv);
    return keep;
}

/* Queue the release of a claim that may have landed after its review was
 * denied. Called on request threads. */
static void release_later(struct serve_cluster *sc, const char *name,
                          const char *claim_id)
{
    uint64_t now = rfg_mono_ms();
    unsigned keep_s = sc->o.claim_grace_s > 10 ? sc->o.claim_grace_s : 10;
    struct pending_release *e;
    bool full;

    pthread_mutex_lock(&sc->mu);
    full = sc->nrel == MAX_RELEASES;
    if (!full) {
        e = &sc->rel[sc->nrel++];
        memset(e, 0, sizeof(*e));
        snprintf(e->name, sizeof(e->name), "%s", name);
        snprintf(e->claim_id, sizeof(e->claim_id), "%s", claim_id);
        e->due_ms = now;
        e->expire_ms = now + keep_s * 1000ull;
        pthread_cond_broadcast(&sc->cv);
    }
    pthread_mutex_unlock(&sc->mu);
    if (full)
        sc->log("warn", "claims: too many releases pending; the reconcile "
                        "will release this claim", "lease", name);
}

/* Try one pending release on the reconcile thread; requeue it with a
 * backoff when the Lease is not there yet or the API server did not
 * answer, until it expires (the reconcile covers it from then on). */
static void release_one(struct serve_cluster *sc, struct pending_release *e)
{
    uint64_t now;
    char err[240];
    int rc = LEASE_RELEASE_RETRY;

    if (kcache_ready(sc->kc) && kcache_unavailable_since(sc->kc) == 0)
        rc = lease_release(sc->client, sc->ns, e->name, e->claim_id,
                           keep_claim, sc, 5000, err, sizeof(err));
    else
        snprintf(err, sizeof(err), "cluster view unavailable");
    if (rc == LEASE_RELEASED) {
        sc->log("info", "claims: released the claim of a denied review",
                "lease", e->name);
        return;
    }
    if (rc == LEASE_RELEASE_NONE)
        return;
    now = rfg_mono_ms();
    if (now >= e->expire_ms) {
        if (rc != LEASE_RELEASE_ABSENT)
            sc->log("warn", "claims: could not release the claim of a "
                            "denied review; the reconcile will", "detail",
                    err);
        return;
    }
    e->due_ms = now + (e->tries < 5 ? 250u << e->tries : 8000u);
    e->tries++;
    pthread_mutex_lock(&sc->mu);
    if (sc->nrel < MAX_RELEASES)
        sc->rel[sc->nrel++] = *e;
    pthread_mutex_unlock(&sc->mu);
}

/* One reconcile pass: delete the claims of failovers that are gone. */
static void reconcile_once(struct serve_cluster *sc)
{
    unsigned released;
    char err[240], buf[32];
    int rc;

    if (!kcache_ready(sc->kc) || kcache_unavailable_since(sc->kc) != 0)
        return;
    rc = lease_reconcile(sc->client, sc->ns, sc->o.claim_grace_s, keep_claim,
                         sc, &released, err, sizeof(err));
    if (rc) {
        sc->log("warn", "claims: reconcile failed", "detail", err);
    } else if (released) {
        snprintf(buf, sizeof(buf), "%u", released);
        sc->log("info", "claims: released claims of deleted failovers",
                "released", buf);
    }
}

static void *reconcile_main(void *arg)
{
    struct serve_cluster *sc = arg;
    uint64_t next = rfg_mono_ms() + sc->o.reconcile_s * 1000ull;
    struct pending_release due[16];
    size_t ndue, i;

    pthread_mutex_lock(&sc->mu);
    while (!sc->stop) {
        uint64_t now = rfg_mono_ms(), wake = next;

        for (i = 0; i < sc->nrel; i++)
            if (sc->rel[i].due_ms < wake)
                wake = sc->rel[i].due_ms;
        if (now < wake) {
            struct timespec until;

            until.tv_sec = (time_t)(wake / 1000);
            until.tv_nsec = (long)(wake % 1000) * 1000000L;
            pthread_cond_timedwait(&sc->cv, &sc->mu, &until);
            continue;   /* woken early, or time: look again */
        }
        for (ndue = 0, i = 0; i < sc->nrel && ndue < 16;) {
            if (sc->rel[i].due_ms <= now) {
                due[ndue++] = sc->rel[i];
                sc->rel[i] = sc->rel[--sc->nrel];
            } else {
                i++;
            }
        }
        pthread_mutex_unlock(&sc->mu);
        for (i = 0; i < ndue; i++)
            release_one(sc, &due[i]);
        if (now >= next) {
            reconcile_once(sc);
            next = rfg_mono_ms() + sc->o.reconcile_s * 1000ull;
        }
        pthread_mutex_lock(&sc->mu);
    }
    pthread_mutex_unlock(&sc->mu);
    return NULL;
}

int serve_cluster_start(struct serve_cluster **out,
                        const struct serve_cluster_opts *o,
                        serve_cluster_log_fn log, struct diag_list *dl)
{
    struct serve_cluster *sc = NULL;
    struct kclient_config kcfg;
    struct kcache_config cc;
    pthread_condattr_t ca;
    const char *ns;
    int rc;

    *out = NULL;
    memset(&kcfg, 0, sizeof(kcfg));
    if (o->mode == 2)
        return RFG_OK;
    if (!o->kubeconfig && o->mode != 1 &&
        !kclient_in_cluster_available(NULL))
        return RFG_OK;      /* no cluster: serve the object alone */
    if (o->context && !o->kubeconfig)
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "--context needs --kubeconfig");
    rc = kclient_global_init();
    if (rc)
        return diag_fail(dl, rc, NULL, "cannot initialise libcurl");
    if (o->kubeconfig)
        rc = kclient_config_kubeconfig(&kcfg, o->kubeconfig, o->context, dl);
    else
        rc = kclient_config_in_cluster(&kcfg, NULL, dl);
    if (rc)
        return rc;
    sc = calloc(1, sizeof(*sc));
    if (!sc) {
        kclient_config_cleanup(&kcfg);
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    sc->o = *o;
    if (!sc->o.claim_grace_s)
        sc->o.claim_grace_s = 60;
    if (!sc->o.reconcile_s)
        sc->o.reconcile_s = 30;
    if (!sc->o.api_deadline_ms)
        sc->o.api_deadline_ms = DEFAULT_DEADLINE_MS;
    sc->log = log;
    pthread_mutex_init(&sc->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sc->cv, &ca);
    pthread_condattr_destroy(&ca);
    ns = o->ns ? o->ns : kcfg.ns && !o->kubeconfig ? kcfg.ns : DEFAULT_NS;
    sc->ns = strdup(ns);
    if (!sc->ns) {
        kclient_config_cleanup(&kcfg);
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto fail;
    }
    rc = kclient_new(&sc->client, &kcfg, dl);
    kclient_config_cleanup(&kcfg);
    if (rc)
        goto fail;
    memset(&cc, 0, sizeof(cc));
    cc.client = sc->client;
    cc.hash = rfg_sha256;
    cc.stale_after_ms = o->stale_ms;
    cc.watch_timeout_s = o->watch_timeout_s;
    cc.log = log_kcache;
    cc.log_arg = sc;
    cc.crd = on_crd;
    cc.crd_arg = sc;
    rc = kcache_start(&sc->kc, &cc, dl);
    if (rc)
        goto fail;
    if (pthread_create(&sc->thr, NULL, reconcile_main, sc) != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot start the claim "
                                          "reconcile thread");
        goto fail;
    }
    sc->thr_started = true;
    sc->log("info", "cluster view: starting", "server",
            kclient_server(sc->client));
    if (o->crd_poll_ms)
        sc->log("warn", "--crd-poll is deprecated and ignored: the installed "
                        "CRD is watched", NULL, NULL);
    *out = sc;
    return RFG_OK;
fail:
    serve_cluster_stop(sc);
    return rc;
}

void serve_cluster_stop(struct serve_cluster *sc)
{
    if (!sc)
        return;
    kclient_abort(sc->client);
    pthread_mutex_lock(&sc->mu);
    sc->stop = true;
    pthread_cond_broadcast(&sc->cv);
    pthread_mutex_unlock(&sc->mu);
    if (sc->thr_started)
        pthread_join(sc->thr, NULL);
    if (sc->nrel) {   /* the thread has stopped: no lock needed */
        char buf[32];

        snprintf(buf, sizeof(buf), "%zu", sc->nrel);
        sc->log("warn", "claims: releases still pending at shutdown; the "
                        "reconcile will release those claims", "pending",
                buf);
    }
    kcache_stop(sc->kc);
    kclient_free(sc->client);
    pthread_cond_destroy(&sc->cv);
    pthread_mutex_destroy(&sc->mu);
    free(sc->ns);
    free(sc);
}

struct kclient *serve_cluster_client(struct serve_cluster *sc)
{
    return sc->client;
}

struct kcache *serve_cluster_cache(struct serve_cluster *sc)
{
    return sc->kc;
}

bool serve_cluster_ready(struct serve_cluster *sc)
{
    return !sc || kcache_ready(sc->kc);
}

/* Per request: the snapshot held for the rules, the deadline of the
 * review's API calls, and the claims this review made (released again
 * if it ends denied). */
struct serve_cluster_eval {
    struct serve_cluster *sc;
    const struct cview *cv;    /* snapshot held, or NULL */
    char unavailable[160];
    uint64_t until_ms;         /* rfg_mono_ms() deadline of the
                                  review's API calls */
    char holder[600];          /* "ns/name" of the failover */
    bool adopt, dry_run;
    struct {
        char lease[64];
        char claim_id[LEASE_CLAIM_ID_LEN];
    } made[2];                 /* one per identity rule at most */
    size_t nmade;
};

/* Fill in->cv, in->cv_unavailable and in->target for one request. */
static void eval_begin(struct serve_cluster *sc,
                       struct serve_cluster_eval *ce, struct rules_input *in)
{
    enum rf_target det, pol_t, pol_rf;
    int64_t since;

    ce->until_ms = rfg_mono_ms() + sc->o.api_deadline_ms;
    ce->cv = kcache_snapshot(sc->kc);
    in->cv = ce->cv;
    since = kcache_unavailable_since(sc->kc);
    if (since || !ce->cv) {
        struct tm tm;
        time_t t = (time_t)since;
        char when[40];

        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(ce->unavailable, sizeof(ce->unavailable),
                 "%s since %s",
                 kcache_ready(sc->kc)
                     ? "cluster view unavailable (API server unreachable)"
                     : "cluster view not synced yet",
                 when);
        in->cv_unavailable = ce->unavailable;
    }
    /* The installed redisfailovers CRD decides whether disableMyMaster
     * survives: it overrides the RedisFailover part of the policy's
     * target set, never the OpsTree part. */
    det = kcache_target(sc->kc) & RF_TARGET_RF;
    pol_t = in->pol->target;
    pol_rf = rf_target_pick(pol_t, RF_KIND_FAILOVER);
    if ((det == RF_TARGET_FRESHWORKS_V33 &&
         pol_rf != RF_TARGET_FRESHWORKS_V33) ||
        (det && det != RF_TARGET_FRESHWORKS_V33 &&
         pol_rf == RF_TARGET_FRESHWORKS_V33))
        in->target = (enum rf_target)(det | (pol_t & RF_TARGET_OT));
}

/* rules_claim_fn: claim `c` for the review's failover with a Lease, by
 * the review's deadline. On dryRun only a GET (no side effects), so the
 * verdict matches the real request's. */
static int rule_claim(void *arg, const struct rules_claim *c, char *msg,
                      size_t msglen)
{
    struct serve_cluster_eval *ce = arg;
    struct serve_cluster *sc = ce->sc;
    struct lease_claim_opts lo;
    char other[300], err[240], claim_id[LEASE_CLAIM_ID_LEN];
    int r;

    lease_new_claim_id(claim_id);
    memset(&lo, 0, sizeof(lo));
    lo.ns = sc->ns;
    lo.identity = c->identity;
    lo.holder = ce->holder;
    lo.until_ms = ce->until_ms;
    lo.claim_id = claim_id;
    lo.adopt = ce->adopt;
    lo.grace_s = sc->o.claim_grace_s;
    lo.keep = keep_claim;
    lo.keep_arg = sc;
    lo.dry_run = ce->dry_run;
    r = lease_claim(sc->client, &lo, other, sizeof(other), err, sizeof(err));
    if (r < 0)
        return r;
    /* a create that landed (or may have) is undone if the review is
     * denied after all */
    if (!ce->dry_run && (r == LEASE_CLAIMED || r == LEASE_UNSURE) &&
        ce->nmade < sizeof(ce->made) / sizeof(ce->made[0])) {
        lease_name(ce->made[ce->nmade].lease,
                   sizeof(ce->made[ce->nmade].lease), c->identity);
        snprintf(ce->made[ce->nmade].claim_id,
                 sizeof(ce->made[ce->nmade].claim_id), "%s", claim_id);
        ce->nmade++;
    }
    if (r == LEASE_CLAIMED)
        return RULES_CLAIM_HELD;
    if (r == LEASE_TAKEN) {
        snprintf(msg, msglen,
                 "%s is already claimed by RedisFailover %s (Lease in "
                 "namespace %s): %s", c->what, other, sc->ns, c->why);
        return RULES_CLAIM_TAKEN;
    }
    sc->log("warn", "claims: cannot claim", "detail", err);
    if (!strcmp(err, LEASE_ERR_DEADLINE))
        snprintf(msg, msglen,
                 "cannot verify: claiming %s: the API server did not "
                 "answer within rfguard's %u ms deadline for API calls",
                 c->what, sc->o.api_deadline_ms);
    else
        snprintf(msg, msglen,
                 "cannot verify: claiming %s in the API server failed: %s",
                 c->what, err);
    return RULES_CLAIM_UNAVAILABLE;
}

/* ---- admission hooks ---- */

static int hook_begin(void *arg, void **state, struct rules_input *in,
                      const struct review_req *req, bool validate)
{
    struct serve_cluster *sc = arg;
    struct serve_cluster_eval *ce = calloc(1, sizeof(*ce));
    const char *name = rf_name(in->obj);

    if (!ce)
        return RFG_ENOMEM;
    ce->sc = sc;
    eval_begin(sc, ce, in);
    /* claims on /validate only (mutate never denies) */
    if (validate && name && rf_is_failover(in->obj) &&
        (in->op == RULES_CREATE || in->op == RULES_UPDATE)) {
        snprintf(ce->holder, sizeof(ce->holder), "%s/%s", req->ns, name);
        ce->adopt = in->op == RULES_CREATE;
        ce->dry_run = req->dry_run;
        in->claim = rule_claim;
        in->claim_arg = ce;
    }
    *state = ce;
    return RFG_OK;
}

static void hook_end(void *arg, void *state, const struct rules_result *res)
{
    struct serve_cluster_eval *ce = state;
    size_t i;

    /* not admitted: a claim it made must not stay */
    for (i = 0; res && res->ndeny && i < ce->nmade; i++)
        release_later(arg, ce->made[i].lease, ce->made[i].claim_id);
    if (ce->cv)
        kcache_release(ce->cv);
    free(ce);
}

void serve_cluster_hooks(struct serve_cluster *sc, struct admission_hooks *h)
{
    if (!sc)
        return;
    h->arg = sc;
    h->begin = hook_begin;
    h->end = hook_end;
}
