/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_serve.c - `rfguard serve`: the HTTPS admission webhook. Wires the
 * pieces together: http_server (TLS, routing, bodies) calls the handlers
 * here, which chain review_decode -> rules_eval -> review_respond, count
 * metrics and write one JSON log line per request. The main thread owns
 * the signals (sigtimedwait): SIGHUP reloads the policy, SIGTERM/SIGINT
 * drain and exit, and once a second it re-reads rotated certificates.
 *
 * The policy in use is an immutable policy_set behind a refcount: a
 * request takes a reference for its evaluation, a reload swaps the
 * pointer, and the old set is freed by whoever drops the last reference.
 * Logs never carry object contents or secrets: only uid, kind,
 * namespace/name, operation, verdict, rule ids, the requesting user and,
 * for rules skipped by annotation, their ids and the reason (shortened).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "diag.h"
#include "http_server.h"
#include "metrics.h"
#include "policy.h"
#include "review.h"
#include "rules.h"
#include "sbuf.h"
/* >>> cluster */
#include "serve_cluster.h"
/* <<< cluster */

#define DEFAULT_LISTEN ":8443"
#define DEFAULT_METRICS ":9090"

struct pol_ref {
    struct policy_set *p;       /* owned */
    struct rules_plan *plan;    /* owned: p's lookups, resolved once */
    atomic_uint refs;
};

struct serve_state {
    pthread_mutex_t pol_mu;
    struct pol_ref *pol;        /* current; one reference held here */
    const char *policy_path;    /* borrowed from argv; NULL = built-in */
    struct metrics *m;          /* owned */
    const struct rule_desc *catalog;
    size_t ncatalog;
    const char **rule_ids;      /* owned array of borrowed ids */
    atomic_bool ready;
    struct http_server *https;  /* owned */
    struct http_server *plain;  /* owned: /metrics listener */
    /* >>> cluster */
    struct serve_cluster *cluster;  /* owned; NULL = no cluster view */
    /* <<< cluster */
};

struct serve_opts {
    const char *listen, *metrics_listen;
    const char *cert, *key, *client_ca, *policy;
    unsigned threads, timeout_s, max_conns, max_conns_ip, grace_s;
    /* >>> cluster */
    struct serve_cluster_opts cluster;
    /* <<< cluster */
};

/* ---- policy references ---- */

static struct pol_ref *pol_get(struct serve_state *st)
{
    struct pol_ref *r;

    pthread_mutex_lock(&st->pol_mu);
    r = st->pol;
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_unlock(&st->pol_mu);
    return r;
}

static void pol_put(struct pol_ref *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        rules_plan_free(r->plan);
        policy_free(r->p);
        free(r);
    }
}

/* Take ownership of `p` as the current policy. */
static int pol_set(struct serve_state *st, struct policy_set *p)
{
    struct pol_ref *r = calloc(1, sizeof(*r)), *old;

    if (!r || rules_plan_new(&r->plan, p)) {
        free(r);
        policy_free(p);
        return RFG_ENOMEM;
    }
    r->p = p;
    atomic_init(&r->refs, 1);
    pthread_mutex_lock(&st->pol_mu);
    old = st->pol;
    st->pol = r;
    pthread_mutex_unlock(&st->pol_mu);
    pol_put(old);
    return RFG_OK;
}

/* ---- logging ---- */

/* Start a JSON log line: {"ts":"...","level":"..","msg":".." */
static int log_begin(struct sbuf *b, const char *level, const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char when[40];
    int rc;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    rc = sbuf_printf(b, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\",\"msg\":",
                     when, ts.tv_nsec / 1000000L, level);
    return rc ? rc : sbuf_add_json_str(b, msg);
}

/* Finish the line and write it with one call, so lines never interleave. */
static void log_end(struct sbuf *b)
{
    if (!sbuf_adds(b, "}\n"))
        fwrite(b->p, 1, b->len, stderr);
    sbuf_cleanup(b);
}

/* A log line with one extra string field (may be NULL). */
static void log_msg(const char *level, const char *msg, const char *key,
                    const char *val)
{
    struct sbuf b;
    int rc;

    sbuf_init(&b, 8192);
    rc = log_begin(&b, level, msg);
    if (!rc && key) {
        rc = sbuf_printf(&b, ",\"%s\":", key);
        if (!rc)
            rc = sbuf_add_json_str(&b, val ? val : "");
    }
    if (!rc)
        log_end(&b);
    else
        sbuf_cleanup(&b);
}

static void log_diags(const char *msg, const struct diag_list *dl)
{
    char buf[300];

    if (dl->len == 0) {
        log_msg("error", msg, NULL, NULL);
        return;
    }
    diag_format(&dl->v[0], buf, sizeof(buf));
    log_msg("error", msg, "reason", buf);
}

/* ---- admission ---- */

static int op_index(const struct review_req *req)
{
    return req ? (int)req->op : METRICS_NOPS - 1;
}

/* The log line's audit of annotation skips: ,"user":..,"skipped":[ids],
 * "skipReason":.. (shortened), each only when there is one. */
static int log_skips(struct sbuf *b, const struct review_req *req,
                     const struct rules_result *res)
{
    const char *reason = NULL;
    struct sbuf r;
    size_t i;
    int rc = RFG_OK;

    if (req && req->user.name) {
        rc = sbuf_adds(b, ",\"user\":");
        if (!rc)
            rc = sbuf_add_json_str(b, req->user.name);
    }
    for (i = 0; !rc && res && i < res->nskipped; i++) {
        if (!res->skipped[i].rule) /* a namespace exemption */
            continue;
        rc = sbuf_adds(b, reason ? "," : ",\"skipped\":[");
        if (!rc)
            rc = sbuf_add_json_str(b, res->skipped[i].rule->id);
        reason = res->skipped[i].reason;
    }
    if (rc || !reason)
        return rc;
    sbuf_init(&r, 4096);
    rc = sbuf_add_clipped(&r, reason, strlen(reason), 80);
    if (!rc)
        rc = sbuf_adds(b, "],\"skipReason\":");
    if (!rc)
        rc = sbuf_add_json_str(b, sbuf_str(&r));
    sbuf_cleanup(&r);
    return rc;
}

static void log_admission(enum metrics_endpoint ep,
                          const struct review_req *req,
                          const struct rules_result *res,
                          const char *verdict, const char *reason,
                          uint64_t us)
{
    struct sbuf b;
    size_t i, n = 0;
    int rc;

    sbuf_init(&b, 64 * 1024);
    rc = log_begin(&b, reason ? "warn" : "info", "admission");
    if (!rc)
        rc = sbuf_printf(&b, ",\"endpoint\":\"%s\"",
                         ep == METRICS_MUTATE ? "mutate" : "validate");
    if (!rc && req) {
        rc = sbuf_adds(&b, ",\"uid\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, req->uid);
        if (!rc)
            rc = sbuf_adds(&b, ",\"kind\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, req->kind);
        if (!rc)
            rc = sbuf_adds(&b, ",\"namespace\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, req->ns);
        if (!rc)
            rc = sbuf_adds(&b, ",\"name\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, req->name);
        if (!rc)
            rc = sbuf_adds(&b, ",\"operation\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, req->operation);
        if (!rc)
            rc = sbuf_adds(&b, req->dry_run ? ",\"dryRun\":true"
                                            : ",\"dryRun\":false");
    }
    if (!rc)
        rc = sbuf_printf(&b, ",\"verdict\":\"%s\",\"rules\":[", verdict);
    for (i = 0; !rc && res && i < res->len; i++) {
        if (n++)
            rc = sbuf_addc(&b, ',');
        if (!rc)
            rc = sbuf_add_json_str(&b, res->v[i].rule ? res->v[i].rule->id
                                                      : "?");
    }
    if (!rc && reason) {
        rc = sbuf_adds(&b, "],\"reason\":");
        if (!rc)
            rc = sbuf_add_json_str(&b, reason);
    } else if (!rc) {
        rc = sbuf_addc(&b, ']');
    }
    if (!rc)
        rc = log_skips(&b, req, res);
    if (!rc)
        rc = sbuf_printf(&b, ",\"us\":%llu", (unsigned long long)us);
    if (!rc)
        log_end(&b);
    else
        sbuf_cleanup(&b);
}

/* Answer a request that is not a usable AdmissionReview (or that we
 * failed on): 400 with the reason, or 500 when out of memory. */
static void fail_reply(struct serve_state *st, enum metrics_endpoint ep,
                       const struct review_req *req, struct http_reply *rep,
                       int rc, const char *reason, uint64_t t0)
{
    int code = rc == RFG_ENOMEM ? 500 : rc == RFG_EPARSE ||
                                                rc == RFG_EINVAL
                                            ? 400
                                            : 500;
    uint64_t us = rfg_mono_us() - t0;

    rep->status = code;
    if (review_error_body(&rep->body, &rep->len, code,
                          code == 400 ? "BadRequest" : "InternalError",
                          reason) != RFG_OK) {
        rep->body = NULL;
        rep->len = 0;
    }
    metrics_admission(st->m, ep, op_index(req), METRICS_ERROR, us);
    log_admission(ep, req, NULL, "error", reason, us);
}

static void handle_admission(struct serve_state *st,
                             enum metrics_endpoint ep,
                             const struct http_request *hr,
                             struct http_reply *rep)
{
    struct review_req *req = NULL;
    struct rules_result res;
    struct rules_input in;
    struct pol_ref *pol = NULL;
    struct diag_list dl;
    enum review_verdict verdict = REVIEW_SKIPPED;
    bool have_res = false, mutate = ep == METRICS_MUTATE;
    uint64_t t0 = rfg_mono_us(), us;
    char reason[300];
    size_t i;
    int rc;
    /* >>> cluster */
    struct serve_cluster_eval ce;

    memset(&ce, 0, sizeof(ce));
    /* <<< cluster */

    memset(&res, 0, sizeof(res));
    diag_list_init(&dl, NULL);
    rc = review_decode(&req, hr->body, hr->len, &dl);
    if (rc) {
        if (dl.len)
            snprintf(reason, sizeof(reason), "%s", dl.v[0].msg);
        else
            snprintf(reason, sizeof(reason), "%s", rfg_strerror(rc));
        fail_reply(st, ep, NULL, rep, rc, reason, t0);
        goto out;
    }
    /* dryRun: rfguard has no side effects today; anything that records
     * state for later requests (cluster-view claims) must skip when
     * req->dry_run is set. */
    if (review_wants_eval(req)) {
        pol = pol_get(st);
        memset(&in, 0, sizeof(in));
        in.obj = req->object;
        in.old = req->op == RULES_UPDATE ? req->old_object : NULL;
        in.op = req->op;
        in.pol = pol->p;
        in.plan = pol->plan;
        in.cv = NULL;
        in.default_ns = req->ns;
        in.user = &req->user;
        in.want_fix = mutate && pol->p->mutations;
        /* >>> cluster */
        serve_cluster_eval_begin(st->cluster, &ce, &in);
        /* <<< cluster */
        rc = rules_eval(&res, &in);
        if (rc) {
            fail_reply(st, ep, req, rep, rc, "rule evaluation failed", t0);
            goto out;
        }
        have_res = true;
        /* >>> cluster: claims on /validate only (mutate never denies) */
        if (!mutate &&
            serve_cluster_claim(st->cluster, &ce, &in, req->ns,
                                req->dry_run, &res) != RFG_OK) {
            fail_reply(st, ep, req, rep, RFG_ENOMEM, "claim failed", t0);
            goto out;
        }
        /* <<< cluster */
    }
    rc = review_respond(&rep->body, &rep->len, &verdict, req,
                        have_res ? &res : NULL, mutate);
    if (rc) {
        fail_reply(st, ep, req, rep, rc, "cannot build the response", t0);
        goto out;
    }
    rep->status = 200;
    us = rfg_mono_us() - t0;
    metrics_admission(st->m, ep, op_index(req), (enum metrics_verdict)verdict,
                      us);
    /* Findings are counted on /validate only: one kubectl apply goes
     * through both endpoints and would otherwise count twice. */
    for (i = 0; !mutate && have_res && i < res.len; i++)
        if (res.v[i].rule >= st->catalog &&
            res.v[i].rule < st->catalog + st->ncatalog)
            metrics_finding(st->m, (size_t)(res.v[i].rule - st->catalog),
                            res.v[i].sev == RFG_SEV_DENY);
    for (i = 0; !mutate && have_res && i < res.nskipped; i++)
        if (res.skipped[i].rule && res.skipped[i].rule >= st->catalog &&
            res.skipped[i].rule < st->catalog + st->ncatalog)
            metrics_skip(st->m, (size_t)(res.skipped[i].rule - st->catalog));
    log_admission(ep, req, have_res ? &res : NULL,
                  review_verdict_name(verdict), NULL, us);
out:
    /* >>> cluster */
    serve_cluster_eval_end(&ce);
    /* <<< cluster */
    if (have_res)
        rules_result_cleanup(&res);
    pol_put(pol);
    review_req_free(req);
    diag_list_cleanup(&dl);
}

static void on_validate(void *arg, const struct http_request *req,
                        struct http_reply *rep)
{
    handle_admission(arg, METRICS_VALIDATE, req, rep);
}

static void on_mutate(void *arg, const struct http_request *req,
                      struct http_reply *rep)
{
    handle_admission(arg, METRICS_MUTATE, req, rep);
}

/* Copy a static text body into an owned reply. */
static void text_reply(struct http_reply *rep, int status, const char *text)
{
    size_t n = strlen(text);

    rep->status = status;
    rep->content_type = "text/plain; charset=utf-8";
    rep->body = malloc(n + 1);
    if (rep->body) {
        memcpy(rep->body, text, n + 1);
        rep->len = n;
    }
}

static void on_healthz(void *arg, const struct http_request *req,
                       struct http_reply *rep)
{
    (void)arg;
    (void)req;
    text_reply(rep, 200, "ok\n");
}

static void on_readyz(void *arg, const struct http_request *req,
                      struct http_reply *rep)
{
    struct serve_state *st = arg;

    (void)req;
    /* `ready` is set only once both servers are up, so st->https is
     * in place when it reads true; the plain server, which serves this
     * route too, is stopped before st->https is freed. */
    if (atomic_load(&st->ready) && http_server_tls_ready(st->https) &&
        serve_cluster_ready(st->cluster))  /* >>> <<< cluster */
        text_reply(rep, 200, "ok\n");
    else
        text_reply(rep, 503, "not ready\n");
}

static void on_metrics(void *arg, const struct http_request *req,
                       struct http_reply *rep)
{
    struct serve_state *st = arg;
    struct sbuf b;

    (void)req;
    sbuf_init(&b, 1 << 20);
    if (metrics_render(st->m, &b) != RFG_OK) {
        sbuf_cleanup(&b);
        text_reply(rep, 500, "metrics unavailable\n");
        return;
    }
    rep->status = 200;
    rep->content_type = "text/plain; version=0.0.4; charset=utf-8";
    rep->body = sbuf_take(&b, &rep->len);
    sbuf_cleanup(&b);
}

static void on_refused(void *arg, const char *path, int status)
{
    struct serve_state *st = arg;
    char code[16];

    metrics_refused(st->m, status);
    snprintf(code, sizeof(code), "%d", status);
    if (status != 404 && status != 405)
        log_msg("warn", "request refused", "code", code);
    (void)path;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard serve --tls-cert FILE --tls-key FILE [options]\n\n"
        "Run the HTTPS admission webhook for RedisFailover objects:\n"
        "POST /validate and /mutate (AdmissionReview admission.k8s.io/v1 "
        "or v1beta1),\n"
        "GET /healthz and /readyz; Prometheus /metrics on the metrics "
        "listener.\n\n"
        "  --listen ADDR          HOST:PORT, :PORT or [V6]:PORT (default "
        DEFAULT_LISTEN ")\n"
        "  --tls-cert FILE        serving certificate chain (PEM); re-read "
        "when it changes\n"
        "  --tls-key FILE         its private key (PEM)\n"
        "  --client-ca FILE       require client certificates signed by "
        "this CA (PEM)\n"
        "  --policy FILE          policy YAML (default: the built-in "
        "default policy)\n"
        "  --metrics-listen ADDR  plain-HTTP /metrics, /healthz, /readyz "
        "(default " DEFAULT_METRICS "; 'off' disables)\n"
        "  --threads N            worker threads (default: CPUs)\n"
        "  --timeout SECONDS      idle/slow connection timeout (default "
        "10)\n"
        "  --max-connections N    connection cap (default 1024)\n"
        "  --max-connections-per-ip N\n"
        "                         connections one client address may hold "
        "(default 64),\n"
        "                         so one pod cannot lock the API server "
        "out\n"
        "  --shutdown-grace SEC   how long SIGTERM waits for requests in "
        "flight (default 25)\n"
        "  --help                 this text\n\n"
        "Signals: SIGHUP reloads the policy (a bad one is refused and the "
        "old one kept);\n"
        "SIGTERM/SIGINT stop accepting, finish requests in flight and exit "
        "0.\n");
}

static int parse_args(struct serve_opts *o, int argc, char **argv)
{
    const char *v = NULL;
    int i, at = 0;
    int rc;  /* >>> <<< cluster */

    memset(o, 0, sizeof(*o));
    o->listen = DEFAULT_LISTEN;
    o->metrics_listen = DEFAULT_METRICS;
    o->grace_s = 25;
    o->max_conns_ip = 64;
    for (i = 1; i < argc; i++) {
        at = i; /* the option, for messages about its value */
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            serve_cluster_usage(stdout);  /* >>> <<< cluster */
            return 1;
        } else if ((v = cli_opt_value(argc, argv, &i, "--listen"))) {
            o->listen = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--tls-cert"))) {
            o->cert = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--tls-key"))) {
            o->key = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--client-ca"))) {
            o->client_ca = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--policy"))) {
            o->policy = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--metrics-listen"))) {
            o->metrics_listen = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--threads"))) {
            if (cli_parse_uint(v, 1, 256, &o->threads))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--timeout"))) {
            if (cli_parse_uint(v, 1, 3600, &o->timeout_s))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--max-connections"))) {
            if (cli_parse_uint(v, 1, 1000000, &o->max_conns))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i,
                                      "--max-connections-per-ip"))) {
            if (cli_parse_uint(v, 1, 1000000, &o->max_conns_ip))
                goto bad;
        } else if ((v = cli_opt_value(argc, argv, &i, "--shutdown-grace"))) {
            if (cli_parse_uint(v, 0, 3600, &o->grace_s))
                goto bad;
        /* >>> cluster */
        } else if ((rc = serve_cluster_parse_opt(&o->cluster, argc, argv,
                                                 &i)) != 0) {
            if (rc < 0)
                return -1;
        /* <<< cluster */
        } else {
            fprintf(stderr, "rfguard serve: unknown or incomplete option "
                            "'%s'\n", argv[i]);
            usage(stderr);
            return -1;
        }
    }
    if (!o->cert || !o->key) {
        fprintf(stderr, "rfguard serve: --tls-cert and --tls-key are "
                        "required (make them with 'rfguard certs')\n");
        return -1;
    }
    return 0;
bad:
    fprintf(stderr, "rfguard serve: bad value '%s' for %.*s (see --help)\n",
            v ? v : "", (int)strcspn(argv[at], "="), argv[at]);
    return -1;
}

/* ---- main loop ---- */

static void reload_policy(struct serve_state *st)
{
    struct policy_set *p = NULL;

    if (cli_open_policy(&p, st->policy_path, stderr) != RFG_OK) {
        metrics_policy_reload(st->m, false);
        log_msg("error", "policy reload failed; keeping the old policy",
                "policy", st->policy_path ? st->policy_path : "<builtin>");
        return;
    }
    if (pol_set(st, p) != RFG_OK) {
        metrics_policy_reload(st->m, false);
        log_msg("error", "policy reload failed: out of memory", NULL, NULL);
        return;
    }
    metrics_policy_reload(st->m, true);
    log_msg("info", "policy reloaded", "policy",
            st->policy_path ? st->policy_path : "<builtin>");
}

static void check_certs(struct serve_state *st)
{
    struct diag_list dl;
    int rc;

    diag_list_init(&dl, NULL);
    rc = http_server_reload_tls(st->https, &dl);
    if (rc == 1) {
        metrics_set_cert_expiry(st->m, http_server_cert_expiry(st->https));
        log_msg("info", "TLS certificate reloaded", NULL, NULL);
    } else if (rc < 0) {
        log_diags("TLS certificate reload failed; keeping the old one",
                  &dl);
    }
    diag_list_cleanup(&dl);
}

static int wait_signals(struct serve_state *st, const sigset_t *set)
{
    struct timespec tick = {1, 0};
    siginfo_t info;
    int sig;

    for (;;) {
        sig = sigtimedwait(set, &info, &tick);
        if (sig < 0) {
            if (errno == EAGAIN)
                check_certs(st);
            else if (errno != EINTR)
                return -1;
            continue;
        }
        if (sig == SIGHUP) {
            reload_policy(st);
            continue;
        }
        return sig;
    }
}

static void shutdown_servers(struct serve_state *st, unsigned grace_s)
{
    char buf[32];
    bool drained;

    atomic_store(&st->ready, false);
    http_server_quiesce(st->https);
    drained = http_server_drain(st->https, grace_s * 1000u);
    snprintf(buf, sizeof(buf), "%u", http_server_inflight(st->https));
    log_msg(drained ? "info" : "warn",
            drained ? "drained; stopping" : "grace period over; stopping",
            "inflight", buf);
    http_server_free(st->plain);    /* first: its /readyz reads https */
    st->plain = NULL;
    http_server_free(st->https);
    st->https = NULL;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_state st;
    struct serve_opts o;
    struct policy_set *p = NULL;
    struct diag_list dl;
    struct http_config hc, mc;
    struct http_route routes[4], mroutes[3];
    sigset_t set;
    char buf[600];
    size_t i;
    int rc, sig, exit_code = CLI_EXIT_ERROR;

    rc = parse_args(&o, argc, argv);
    if (rc)
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    /* The process holds the TLS key and sees Secrets: no core dumps, and
     * no ptrace or /proc/PID/mem for anyone below CAP_SYS_PTRACE. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        log_msg("warn", "cannot make the process non-dumpable", NULL, NULL);
    memset(&st, 0, sizeof(st));
    pthread_mutex_init(&st.pol_mu, NULL);
    atomic_init(&st.ready, false);
    diag_list_init(&dl, NULL);
    st.policy_path = o.policy;

    /* Signals go to this thread only: block them before any thread
     * starts, so MHD's workers inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (cli_open_policy(&p, o.policy, stderr) != RFG_OK)
        goto out;
    if (pol_set(&st, p) != RFG_OK)
        goto out;
    st.catalog = rules_catalog(&st.ncatalog);
    st.rule_ids = calloc(st.ncatalog ? st.ncatalog : 1,
                         sizeof(*st.rule_ids));
    if (!st.rule_ids)
        goto out;
    for (i = 0; i < st.ncatalog; i++)
        st.rule_ids[i] = st.catalog[i].id;
    st.m = metrics_new(st.rule_ids, st.ncatalog);
    if (!st.m)
        goto out;

    routes[0] = (struct http_route){"/validate", "POST", true, on_validate,
                                    &st};
    routes[1] = (struct http_route){"/mutate", "POST", true, on_mutate, &st};
    routes[2] = (struct http_route){"/healthz", "GET", false, on_healthz,
                                    &st};
    routes[3] = (struct http_route){"/readyz", "GET", false, on_readyz, &st};
    /* >>> cluster: before the server, whose threads read st.cluster */
    if (serve_cluster_start(&st.cluster, &o.cluster, log_msg, &dl) !=
        RFG_OK) {
        for (i = 0; i < dl.len; i++) {
            diag_format(&dl.v[i], buf, sizeof(buf));
            fprintf(stderr, "rfguard serve: cluster: %s\n", buf);
        }
        goto out;
    }
    /* <<< cluster */
    memset(&hc, 0, sizeof(hc));
    hc.listen = o.listen;
    hc.cert_file = o.cert;
    hc.key_file = o.key;
    hc.client_ca_file = o.client_ca;
    hc.routes = routes;
    hc.nroutes = 4;
    hc.threads = o.threads;
    hc.conn_limit = o.max_conns;
    hc.conn_limit_per_ip = o.max_conns_ip;
    hc.timeout_s = o.timeout_s;
    hc.max_body = REVIEW_MAX_BODY;
    hc.on_reject = on_refused;
    hc.reject_arg = &st;
    if (http_server_start(&st.https, &hc, &dl) != RFG_OK) {
        for (i = 0; i < dl.len; i++) {
            diag_format(&dl.v[i], buf, sizeof(buf));
            fprintf(stderr, "rfguard serve: %s\n", buf);
        }
        goto out;
    }
    metrics_set_cert_expiry(st.m, http_server_cert_expiry(st.https));
    if (!http_server_tls_ready(st.https))
        log_msg("warn", "the serving certificate has expired; /readyz "
                "answers 503 until it is renewed", "tls_cert", o.cert);

    if (strcmp(o.metrics_listen, "off") != 0 && o.metrics_listen[0]) {
        mroutes[0] = (struct http_route){"/metrics", "GET", false,
                                         on_metrics, &st};
        mroutes[1] = routes[2];
        mroutes[2] = routes[3];
        memset(&mc, 0, sizeof(mc));
        mc.listen = o.metrics_listen;
        mc.routes = mroutes;
        mc.nroutes = 3;
        mc.threads = 1;
        mc.conn_limit = 64;
        mc.timeout_s = o.timeout_s;
        mc.max_body = 4096;
        if (http_server_start(&st.plain, &mc, &dl) != RFG_OK) {
            for (i = 0; i < dl.len; i++) {
                diag_format(&dl.v[i], buf, sizeof(buf));
                fprintf(stderr, "rfguard serve: metrics: %s\n", buf);
            }
            goto out;
        }
    }
    atomic_store(&st.ready, true);
    {
        struct sbuf b;

        sbuf_init(&b, 8192);
        if (!log_begin(&b, "info", "listening") &&
            !sbuf_printf(&b, ",\"listen\":") &&
            !sbuf_add_json_str(&b, o.listen) &&
            !sbuf_printf(&b, ",\"https_port\":%u,\"metrics_port\":%u,"
                             "\"client_ca\":%s,\"policy\":",
                         http_server_port(st.https),
                         st.plain ? http_server_port(st.plain) : 0u,
                         o.client_ca ? "true" : "false") &&
            !sbuf_add_json_str(&b, o.policy ? o.policy : "<builtin>") &&
            !sbuf_printf(&b, ",\"version\":") &&
            !sbuf_add_json_str(&b, cli_version()))
            log_end(&b);
        else
            sbuf_cleanup(&b);
    }

    sig = wait_signals(&st, &set);
    snprintf(buf, sizeof(buf), "%s",
             sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM"
                                                       : "error");
    log_msg("info", "shutting down", "signal", buf);
    shutdown_servers(&st, o.grace_s);
    exit_code = sig < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
out:
    http_server_free(st.plain);
    http_server_free(st.https);
    serve_cluster_stop(st.cluster);  /* >>> <<< cluster */
    metrics_free(st.m);
    free(st.rule_ids);
    pol_put(st.pol);
    pthread_mutex_destroy(&st.pol_mu);
    diag_list_cleanup(&dl);
    return exit_code;
}
