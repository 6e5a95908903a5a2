/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_serve.c - `rfguard serve`: the HTTPS admission webhook. Wires the
 * pieces together: http_server (TLS, routing, bodies) calls the routes
 * here, which hand AdmissionReview bodies to the admission core
 * (webhook/admission.c: decode, rules, response, metrics, log line) and
 * serve /healthz, /readyz and /metrics. The cluster view (serve_cluster.c)
 * reaches the core through its hooks; the background audit
 * (serve_audit.c, --audit-interval) runs beside it on the same view, with
 * a policy of its own reloaded with the core's; the periodic sentinel
 * check (serve_audit_sentinels.c, --sentinel-check-interval) too, its
 * findings joining the audit's reports. The main thread owns the
 * signals (sigtimedwait): SIGHUP reloads the policy, SIGTERM/SIGINT drain
 * and exit, and once a second it re-reads rotated certificates. Option
 * parsing is in serve_args.c. It evaluates nothing itself.
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

#include "admission.h"
#include "arena.h"
#include "cli.h"
#include "diag.h"
#include "http_server.h"
#include "logline.h"
#include "metrics.h"
#include "policy.h"
#include "review.h"
#include "sbuf.h"
#include "schema.h"
#include "serve_args.h"
#include "serve_audit.h"
#include "serve_audit_sentinels.h"
#include "serve_cluster.h"

/* How long the log line of a request may wait to be written with the
 * next ones, when requests come faster than that (logline_batch_start):
 * one write(2) for many lines under load. */
#define LOG_WAIT_MS 100u

struct serve_state {
    struct admission *adm;      /* owned: policy, metrics, evaluation */
    struct metrics *m;          /* borrowed from adm */
    struct admission_hooks hooks;  /* what adm borrows: the cluster's */
    const char *policy_path;    /* borrowed from argv; NULL = built-in */
    atomic_bool ready;
    struct http_server *https;  /* owned */
    struct http_server *plain;  /* owned: /metrics listener */
    struct serve_cluster *cluster;  /* owned; NULL = no cluster view */
    struct serve_audit *audit;      /* owned; NULL = no background audit */
    struct serve_sentinels *sentinels;  /* owned; NULL = no sentinel check */
};

/* ---- routes ---- */

/* Hand an AdmissionReview body to the core; the reply takes its body. */
static void handle_admission(struct serve_state *st,
                             enum metrics_endpoint ep,
                             const struct http_request *hr,
                             struct http_reply *rep)
{
    struct admission_reply ar;

    /* Under load, the line goes out with the next ones (see
     * LOG_WAIT_MS); on a quiet server, at once. */
    logline_may_wait(true);
    admission_handle(st->adm, ep, hr->body, hr->len, &ar);
    logline_may_wait(false);
    rep->status = ar.status;
    rep->body = ar.body;
    rep->len = ar.len;
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
        serve_cluster_ready(st->cluster))
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
        logline_msg("warn", "request refused", "code", code);
    (void)path;
}

/* ---- main loop ---- */

static void reload_policy(struct serve_state *st)
{
    struct policy_set *p = NULL;

    if (cli_open_policy(&p, st->policy_path, stderr) != RFG_OK) {
        metrics_policy_reload(st->m, false);
        logline_msg("error", "policy reload failed; keeping the old policy",
                "policy", st->policy_path ? st->policy_path : "<builtin>");
        return;
    }
    if (admission_set_policy(st->adm, p) != RFG_OK) {
        metrics_policy_reload(st->m, false);
        logline_msg("error", "policy reload failed: out of memory", NULL, NULL);
        return;
    }
    metrics_policy_reload(st->m, true);
    if (st->audit) {   /* the audit's own copy; a failure keeps its old */
        p = NULL;
        if (cli_open_policy(&p, st->policy_path, stderr) == RFG_OK)
            serve_audit_set_policy(st->audit, p);
        else
            logline_msg("error", "audit: policy reload failed; the audit "
                        "keeps the old policy", NULL, NULL);
    }
    logline_msg("info", "policy reloaded", "policy",
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
        logline_msg("info", "TLS certificate reloaded", NULL, NULL);
    } else if (rc < 0) {
        logline_diags("TLS certificate reload failed; keeping the old one",
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
    logline_msg(drained ? "info" : "warn",
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
    enum rf_target target = RF_TARGET_DEFAULT;

    /* Each request's cJSON trees live in its thread's arena (see
     * admission.c): the hooks go in before any tree or thread exists. */
    arena_install_cjson_hooks();
    rc = serve_parse_args(&o, argc, argv);
    if (rc)
        return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    /* The process holds the TLS key and sees Secrets: no core dumps, and
     * no ptrace or /proc/PID/mem for anyone below CAP_SYS_PTRACE. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        logline_msg("warn", "cannot make the process non-dumpable", NULL, NULL);
    memset(&st, 0, sizeof(st));
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
    target = p->target;
    /* The policy's spec.audit, where the command line says nothing. */
    if (!o.audit.interval_given)
        o.audit.interval_ms = p->audit_interval_ms;
    if (!o.audit.dry_run_given)
        o.audit.dry_run = p->audit_dry_run;
    if (!o.audit.sentinel_interval_given)
        o.audit.sentinel_interval_ms = p->audit_sentinel_interval_ms;
    if (o.audit.sentinel_secret && !o.audit.sentinel_interval_ms) {
        fprintf(stderr, "rfguard serve: --sentinel-password-secret needs "
                        "--sentinel-check-interval (or the policy's "
                        "spec.audit.sentinelInterval)\n");
        goto out;
    }
    if (o.audit.dry_run_given && !o.audit.interval_ms) {
        fprintf(stderr, "rfguard serve: --audit-dry-run needs "
                        "--audit-interval (or the policy's "
                        "spec.audit.interval)\n");
        goto out;
    }
    /* The core borrows st.hooks: empty until the cluster view starts,
     * which happens before any request thread does. */
    rc = admission_new(&st.adm, p, &st.hooks, NULL);
    p = NULL;   /* the core's, even on failure */
    if (rc != RFG_OK)
        goto out;
    st.m = admission_metrics(st.adm);

    routes[0] = (struct http_route){"/validate", "POST", true, on_validate,
                                    &st};
    routes[1] = (struct http_route){"/mutate", "POST", true, on_mutate, &st};
    routes[2] = (struct http_route){"/healthz", "GET", false, on_healthz,
                                    &st};
    routes[3] = (struct http_route){"/readyz", "GET", false, on_readyz, &st};
    /* Before the server, whose threads read st.cluster */
    if (serve_cluster_start(&st.cluster, &o.cluster, logline_msg, &dl) !=
        RFG_OK) {
        for (i = 0; i < dl.len; i++) {
            diag_format(&dl.v[i], buf, sizeof(buf));
            fprintf(stderr, "rfguard serve: cluster: %s\n", buf);
        }
        goto out;
    }
    serve_cluster_hooks(st.cluster, &st.hooks);
    if (o.audit.interval_ms && !st.cluster && !o.audit.interval_given) {
        logline_msg("warn", "the policy's spec.audit.interval needs the "
                    "cluster view; no background audit", NULL, NULL);
        o.audit.interval_ms = 0;
    }
    if (o.audit.sentinel_interval_ms && !st.cluster &&
        !o.audit.sentinel_interval_given) {
        logline_msg("warn", "the policy's spec.audit.sentinelInterval needs "
                    "the cluster view; no sentinel check", NULL, NULL);
        o.audit.sentinel_interval_ms = 0;
    }
    if (o.audit.sentinel_interval_ms) {
        if (!st.cluster) {
            fprintf(stderr, "rfguard serve: --sentinel-check-interval needs "
                            "the cluster view: give --kubeconfig FILE or "
                            "--in-cluster (no service account was found)\n");
            goto out;
        }
        if (serve_sentinels_start(&st.sentinels, o.audit.sentinel_interval_ms,
                                  target, o.audit.sentinel_secret,
                                  st.cluster, st.m, logline_msg,
                                  &dl) != RFG_OK) {
            for (i = 0; i < dl.len; i++) {
                diag_format(&dl.v[i], buf, sizeof(buf));
                fprintf(stderr, "rfguard serve: sentinels: %s\n", buf);
            }
            goto out;
        }
        o.audit.sentinels = st.sentinels;
    }
    if (o.audit.interval_ms) {
        if (!st.cluster) {
            fprintf(stderr, "rfguard serve: --audit-interval needs the "
                            "cluster view: give --kubeconfig FILE or "
                            "--in-cluster (no service account was found)\n");
            goto out;
        }
        if (cli_open_policy(&p, o.policy, stderr) != RFG_OK ||
            serve_audit_start(&st.audit, &o.audit, st.cluster, p, st.m,
                              logline_msg, &dl) != RFG_OK) {
            p = NULL;   /* the audit's, even on failure */
            for (i = 0; i < dl.len; i++) {
                diag_format(&dl.v[i], buf, sizeof(buf));
                fprintf(stderr, "rfguard serve: audit: %s\n", buf);
            }
            goto out;
        }
        p = NULL;
    }
    /* With signals blocked, as for every thread. Without memory for it,
     * every line is simply written at once. */
    if (logline_batch_start(LOG_WAIT_MS) != RFG_OK)
        logline_msg("warn", "log lines are written one at a time", NULL,
                    NULL);
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
        logline_msg("warn", "the serving certificate has expired; /readyz "
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

        /* the installed CRD's, once the cluster view has read it */
        schema_describe(buf, sizeof(buf), target);
        sbuf_init(&b, 8192);
        if (!logline_begin(&b, "info", "listening") &&
            !sbuf_printf(&b, ",\"listen\":") &&
            !sbuf_add_json_str(&b, o.listen) &&
            !sbuf_printf(&b, ",\"https_port\":%u,\"metrics_port\":%u,"
                             "\"client_ca\":%s,\"policy\":",
                         http_server_port(st.https),
                         st.plain ? http_server_port(st.plain) : 0u,
                         o.client_ca ? "true" : "false") &&
            !sbuf_add_json_str(&b, o.policy ? o.policy : "<builtin>") &&
            !sbuf_printf(&b, ",\"schema\":") &&
            !sbuf_add_json_str(&b, buf) &&
            !sbuf_printf(&b, ",\"version\":") &&
            !sbuf_add_json_str(&b, cli_version()))
            logline_end(&b, NULL);
        else
            sbuf_cleanup(&b);
    }

    sig = wait_signals(&st, &set);
    snprintf(buf, sizeof(buf), "%s",
             sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM"
                                                       : "error");
    logline_msg("info", "shutting down", "signal", buf);
    shutdown_servers(&st, o.grace_s);
    exit_code = sig < 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
out:
    http_server_free(st.plain);
    http_server_free(st.https);
    serve_audit_stop(st.audit);     /* before the view it reads */
    serve_sentinels_stop(st.sentinels);   /* after the audit, before the
                                             view */
    serve_cluster_stop(st.cluster);
    logline_batch_stop();       /* after the threads that log */
    admission_free(st.adm);
    policy_free(p);             /* NULL once the core took it */
    diag_list_cleanup(&dl);
    return exit_code;
}
