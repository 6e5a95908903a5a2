/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_sentinels.c - `rfguard sentinels`: find the sentinel merges that
 * have already happened. Reads the RedisFailovers and their pods from a
 * dump (-f, `kubectl get redisfailovers,pods -A -o json`) or the live
 * cluster (the client `rfguard audit` uses), asks every Running sentinel
 * pod of each failover what it knows (sprobe.c: read-only SENTINEL
 * questions, in parallel, with timeouts and a deadline), and reports what
 * the answers mean (sentinels.c) in a lint format or as PolicyReports,
 * with the documented clean-up for each merged failover. Never writes to
 * Redis or to the cluster; a sentinel password is read from a Secret, put
 * on the wire in AUTH and wiped, never printed. Not here: the probe, the
 * judgement, the report formats.
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cli.h"
#include "clock.h"
#include "file.h"
#include "jpatch.h"
#include "json.h"
#include "kclient.h"
#include "live.h"
#include "report.h"
#include "rf.h"
#include "sbuf.h"
#include "sentinels.h"
#include "sentinels_out.h"
#include "sprobe.h"
#include "wipe.h"
#include "ydoc.h"

#define MAX_DUMP ((size_t)64 << 20)
#define PAGE_LIMIT 500
#define LIST_DEADLINE_MS 30000
#define RF_GROUP_PATH "/apis/databases.spotahome.com/v1"
#define POD_SELECTOR "app.kubernetes.io%2Fpart-of%3Dredis-failover"

static void sentinels_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard sentinels [options]\n\n"
        "Find the sentinel merges that have already happened: ask every "
        "Running\nsentinel pod of each RedisFailover what it knows "
        "(SENTINEL MASTER,\nREPLICAS, SENTINELS and MASTERS), map every "
        "address to the pod that has\nit, and report a master, replica "
        "or sentinel of another failover\n(merged), an address no pod "
        "has (stale), sentinels that disagree on\nthe master (split "
        "view), more members than the spec has (extra), a\nsentinel that "
        "cannot be asked (unreachable) and a master name it should\nnot "
        "monitor (unknown master). For a merged failover it prints the\n"
        "documented clean-up; it never runs it.\n\n"
        "rfguard only reads: it sends read-only SENTINEL questions (and "
        "AUTH), never\na command that writes to Redis, and only GETs to "
        "the cluster.\n\n"
        "Without -f, lists the cluster (--kubeconfig, else $KUBECONFIG, "
        "else\n~/.kube/config, else the pod's service account) and must "
        "reach the pods'\nIPs: run it inside the cluster or where pod IPs "
        "route.\n\n"
        "Options:\n"
        "  -f, --filename FILE      a dump: the output of 'kubectl get\n"
        "                           redisfailovers,pods -A -o json' (or -o "
        "yaml; add\n"
        "                           secrets for --password-secret); - "
        "reads stdin\n"
        "      --kubeconfig FILE    reach the API server with this "
        "kubeconfig\n"
        "      --context NAME       ... with this context instead of the "
        "current one\n"
        "  -n, --namespace NS       check the failovers of NS only\n"
        "  -A, --all-namespaces     every namespace (the default; wins "
        "over -n)\n"
        "  -l, --selector SEL       check the failovers whose labels "
        "match SEL\n"
        "      --sentinel-port N    the sentinels' port (default 26379)\n"
        "      --timeout DUR        per sentinel: the connect and each "
        "reply (default 2s)\n"
        "      --deadline DUR       the whole run; sentinels not asked by "
        "then are\n"
        "                           reported unreachable (default 30s)\n"
        "      --parallel N         ask at most N sentinels at once "
        "(default 8)\n"
        "      --password-secret NAME[:KEY]\n"
        "                           AUTH with the password in key KEY "
        "(default\n"
        "                           'password') of Secret NAME in each "
        "failover's\n"
        "                           namespace; never printed\n"
        "  -t, --target NAME        operator target (freshworks-v3.3: "
        "disableMyMaster\n"
        "                           names the master after the failover; "
        "default\n"
        "                           spotahome-v1.3)\n"
        "  -o, --format FMT         text (default), json, sarif, junit, "
        "github or\n"
        "                           policyreport\n"
        "      --no-color           no ANSI colours (also NO_COLOR=1)\n"
        "  -q, --quiet              print merged failovers only: no "
        "warnings, no summary\n"
        "  -h, --help               this help\n\n"
        "Only RedisFailovers are checked (not OpsTree RedisSentinels); no "
        "TLS.\n"
        "Exit codes: 0 nothing merged (warnings do not fail), 1 a "
        "merged failover,\n2 usage, input or API error.\n");
}

/* ---- input ---- */

cJSON *cli_sentinels_parse(const char *cmd, const char *buf, size_t len,
                          const char *name)
{
    struct ydoc_stream st;
    struct diag_list dl;
    cJSON *out = NULL;

    memset(&st, 0, sizeof(st));
    diag_list_init(&dl, name);
    if (ydoc_load(&st, buf, len, NULL, &dl) != RFG_OK) {
        char line[400];

        diag_format(&dl.v[0], line, sizeof(line));
        fprintf(stderr, "rfguard %s: %s\n", cmd, line);
    } else if (st.len == 1) {
        out = st.docs[0].root;
        st.docs[0].root = NULL;
    } else {
        cJSON *items;

        out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "apiVersion", "v1");
        cJSON_AddStringToObject(out, "kind", "List");
        items = cJSON_AddArrayToObject(out, "items");
        for (size_t i = 0; items && i < st.len; i++) {
            if (st.docs[i].root)
                cJSON_AddItemToArray(items, st.docs[i].root);
            st.docs[i].root = NULL;
        }
    }
    for (size_t i = 0; i < st.len; i++)
        live_wipe_json(st.docs[i].root);
    ydoc_stream_cleanup(&st);
    diag_list_cleanup(&dl);
    return out;
}

/* List `what` (group path, resource, query) into items, page by page.
 * RFG_OK, or an error after printing why. */
static int list_into(struct kclient *kc, cJSON *items, const char *group,
                     const char *what, const char *query, const char *ns,
                     const char *kind, const char *api_version)
{
    struct kclient_resp r;
    struct sbuf path;
    char *cont = NULL;
    int rc;

    memset(&r, 0, sizeof(r));
    sbuf_init(&path, 64 * 1024);
    for (;;) {
        cJSON *root, *it, *next;
        const char *c;

        sbuf_reset(&path);
        rc = sbuf_printf(&path, "%s/", group);
        if (!rc && ns) {
            rc = sbuf_adds(&path, "namespaces/");
            if (!rc)
                rc = kclient_query_escape(&path, ns);
            if (!rc)
                rc = sbuf_addc(&path, '/');
        }
        if (!rc)
            rc = sbuf_printf(&path, "%s?limit=%u%s", what, PAGE_LIMIT,
                             query);
        if (!rc && cont) {
            rc = sbuf_adds(&path, "&continue=");
            if (!rc)
                rc = kclient_query_escape(&path, cont);
        }
        if (!rc)
            rc = kclient_request(kc, "GET", sbuf_str(&path), NULL,
                                 LIST_DEADLINE_MS, 0, 0, &r);
        if (rc) {
            fprintf(stderr, "rfguard sentinels: cannot list %s at %s: %s\n",
                    what, kclient_server(kc),
                    r.err[0] ? r.err : rfg_strerror(rc));
            break;
        }
        if (r.status != 200) {
            fprintf(stderr, "rfguard sentinels: cannot list %s: HTTP %ld%s%s%s\n",
                    what, r.status, r.err[0] ? ": " : "", r.err,
                    r.status == 404 ? " (is the RedisFailover CRD "
                                      "installed?)"
                    : r.status == 401 || r.status == 403
                        ? " (the credentials need list on redisfailovers "
                          "and pods)"
                        : "");
            rc = RFG_EUPSTREAM;
            break;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        kclient_resp_cleanup(&r);
        if (!root) {
            fprintf(stderr, "rfguard sentinels: cannot list %s: the API "
                            "server's answer is not JSON\n", what);
            rc = RFG_EPARSE;
            break;
        }
        it = json_get_mut(root, "items");
        for (it = it ? it->child : NULL; it; it = next) {
            next = it->next;
            cJSON_DetachItemViaPointer(json_get_mut(root, "items"), it);
            if (!json_get(it, "kind"))
                cJSON_AddStringToObject(it, "kind", kind);
            if (!json_get(it, "apiVersion"))
                cJSON_AddStringToObject(it, "apiVersion", api_version);
            cJSON_AddItemToArray(items, it);
        }
        c = json_str(json_get(root, "metadata"), "continue");
        free(cont);
        cont = c && *c ? strdup(c) : NULL;
        cJSON_Delete(root);
        if (!cont)
            break;
    }
    kclient_resp_cleanup(&r);
    free(cont);
    sbuf_cleanup(&path);
    return rc;
}

/* ---- passwords ---- */

/* The password of failover f: from the List's Secrets, else (kc) a GET
 * of the Secret. Owned in *out (wipe it), or NULL with why in err. */
static void password_of(char **out, char *err, size_t errlen,
                        const struct sentinels_failover *f,
                        const cJSON *list, struct kclient *kc)
{
    int rc = sentinels_secret_value(out, list, f->ns, f->secret, f->key);

    if (rc == RFG_ENOTFOUND && kc) {
        struct kclient_resp r;
        struct sbuf path;

        memset(&r, 0, sizeof(r));
        sbuf_init(&path, 4096);
        rc = sbuf_adds(&path, "/api/v1/namespaces/");
        if (!rc)
            rc = kclient_query_escape(&path, f->ns);
        if (!rc)
            rc = sbuf_adds(&path, "/secrets/");
        if (!rc)
            rc = kclient_query_escape(&path, f->secret);
        if (!rc)
            rc = kclient_request(kc, "GET", sbuf_str(&path), NULL,
                                 LIST_DEADLINE_MS, 0, 0, &r);
        sbuf_cleanup(&path);
        if (!rc && r.status == 200) {
            cJSON *s = cJSON_ParseWithLength(r.body, r.len);

            rc = s ? sentinels_secret_value(out, s, f->ns, f->secret, f->key)
                   : RFG_EPARSE;
            live_wipe_json(s);
            cJSON_Delete(s);
        } else if (!rc) {
            snprintf(err, errlen, "cannot read Secret %s/%s: HTTP %ld",
                     f->ns, f->secret, r.status);
            live_wipe_resp(&r);
            return;
        }
        live_wipe_resp(&r);
    }
    if (rc == RFG_ENOTFOUND)
        snprintf(err, errlen, "no key '%s' in Secret %s/%s (or no such "
                 "Secret)", f->key, f->ns, f->secret);
    else if (rc)
        snprintf(err, errlen, "cannot read the password of Secret %s/%s: "
                 "%s", f->ns, f->secret, rfg_strerror(rc));
}

/* ---- the check ---- */

struct progress {
    uint64_t last;
    bool shown;
};

static void on_progress(void *ctx, size_t done, size_t total)
{
    struct progress *p = ctx;
    uint64_t now = rfg_mono_ms();

    if (done < total && now - p->last < 1000)
        return;
    p->last = now;
    p->shown = true;
    fprintf(stderr, "\rrfguard sentinels: asked %zu/%zu sentinels...",
            done, total);
}

/* Copy n probe addresses to o (borrowing their strings); o + n. */
static struct sentinels_addr *conv(struct sentinels_addr *o,
                                   const struct sprobe_addr *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o[i] = (struct sentinels_addr){v[i].ip, v[i].port, v[i].name,
                                       v[i].flags};
    return o + n;
}

int cli_sentinels_check(struct sentinels_plan *plan,
                        struct sentinels_result *res, struct report *rep,
                        const cJSON *list, struct kclient *kc,
                        const struct cli_sentinels_opts *o)
{
    struct sprobe_req *reqs = NULL;
    struct sprobe_ans *ans = NULL;
    struct sentinels_answer *sa = NULL;
    struct sentinels_addr **blk = NULL;
    char **pw = NULL, **pwerr = NULL, err[300];
    struct progress prog = {0, false};
    struct sprobe_opts po = o->probe;
    size_t n;
    int rc;

    rc = sentinels_plan(plan, list, &o->plan, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "rfguard %s: %s\n", o->cmd,
                rc == RFG_EINVAL ? err : rfg_strerror(rc));
        return rc;
    }
    if (!o->quiet && plan->nrfs && !plan->npods)
        fprintf(stderr, "rfguard %s: no pod of any failover in the input, "
                "so no sentinel to ask (a dump needs them: kubectl get "
                "redisfailovers,pods -A -o json)\n", o->cmd);
    n = plan->nasks;
    reqs = calloc(n + 1, sizeof(*reqs));
    ans = calloc(n + 1, sizeof(*ans));
    sa = calloc(n + 1, sizeof(*sa));
    blk = calloc(n + 1, sizeof(*blk));
    pw = calloc(plan->nrfs + 1, sizeof(*pw));
    pwerr = calloc(plan->nrfs + 1, sizeof(*pwerr));
    rc = reqs && ans && sa && blk && pw && pwerr ? RFG_OK : RFG_ENOMEM;
    for (size_t i = 0; !rc && i < plan->nrfs; i++) {
        if (!plan->rfs[i].secret)
            continue;
        err[0] = '\0';
        password_of(&pw[i], err, sizeof(err), &plan->rfs[i], list, kc);
        if (!pw[i] && !(pwerr[i] = strdup(err)))
            rc = RFG_ENOMEM;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const struct sentinels_ask *q = &plan->asks[i];

        reqs[i] = (struct sprobe_req){q->ip, q->port, plan->rfs[q->rf].master,
                                      pw[q->rf]};
    }
    if (!rc && o->progress && n > 0) {
        po.progress = on_progress;
        po.progress_ctx = &prog;
    }
    /* a failover whose password cannot be read: its sentinels are not
     * asked (with the wrong password they would only refuse) */
    if (!rc) {
        size_t m = 0;
        struct sprobe_req *sub = calloc(n + 1, sizeof(*sub));
        struct sprobe_ans *subans = calloc(n + 1, sizeof(*subans));
        size_t *map = calloc(n + 1, sizeof(*map));

        if (!sub || !subans || !map)
            rc = RFG_ENOMEM;
        for (size_t i = 0; !rc && i < n; i++)
            if (!pwerr[plan->asks[i].rf]) {
                map[m] = i;
                sub[m++] = reqs[i];
            }
        if (!rc)
            rc = sprobe_run(subans, sub, m, &po);
        for (size_t k = 0; k < m; k++)
            ans[map[k]] = subans[k];
        for (size_t i = 0; !rc && i < n; i++)
            if (pwerr[plan->asks[i].rf] &&
                !(ans[i].error = strdup(pwerr[plan->asks[i].rf])))
                rc = RFG_ENOMEM;
        free(sub);
        free(subans);
        free(map);
    }
    if (prog.shown)
        fputs("\r\033[K", stderr);
    for (size_t i = 0; i < plan->nrfs && pw; i++) {
        if (pw[i])
            rfg_wipe(pw[i], strlen(pw[i]));
        free(pw[i]);
        if (pwerr)
            free(pwerr[i]);
    }
    for (size_t i = 0; !rc && i < n; i++) {
        const struct sprobe_ans *a = &ans[i];
        struct sentinels_answer *s = &sa[i];

        struct sentinels_addr *x;

        blk[i] = calloc(a->nreplicas + a->nsentinels + a->nmasters + 1,
                        sizeof(*blk[i]));
        if (!(x = blk[i])) {
            rc = RFG_ENOMEM;
            break;
        }
        s->error = a->error;
        s->has_master = a->has_master;
        s->master = (struct sentinels_addr){a->master.ip, a->master.port,
                                            a->master.name, a->master.flags};
        s->has_replicas = a->has_replicas;
        s->replicas = x;
        x = conv(x, a->replicas, a->nreplicas);
        s->nreplicas = a->nreplicas;
        s->has_sentinels = a->has_sentinels;
        s->sentinels = x;
        x = conv(x, a->sentinels, a->nsentinels);
        s->nsentinels = a->nsentinels;
        s->has_masters = a->has_masters;
        s->masters = x;
        conv(x, a->masters, a->nmasters);
        s->nmasters = a->nmasters;
    }
    if (!rc)
        rc = sentinels_judge(res, rep, plan, sa, o->file);
    for (size_t i = 0; i < n && blk; i++)
        free(blk[i]);
    free(blk);
    for (size_t i = 0; i < n && ans; i++)
        sprobe_ans_cleanup(&ans[i]);
    free(sa);
    free(ans);
    free(reqs);
    free(pw);
    free(pwerr);
    if (rc)
        fprintf(stderr, "rfguard %s: %s\n", o->cmd, rfg_strerror(rc));
    return rc;
}

/* ---- shared with audit --sentinels ---- */

int cli_sentinels_secret_arg(struct sentinels_opts *o, char **owned,
                             const char *arg)
{
    char *colon;

    free(*owned);
    *owned = strdup(arg);
    if (!*owned)
        return -1;
    colon = strchr(*owned, ':');
    o->password_key = NULL;
    if (colon) {
        *colon = '\0';
        o->password_key = colon + 1;
    }
    o->password_secret = *owned;
    return !**owned || (colon && !colon[1]) ? -1 : 0;
}

int cli_sentinels_list_pods(const char *cmd, cJSON *items,
                            const char *kubeconfig, const char *context)
{
    struct kclient *kc = NULL;
    int rc = live_client(&kc, cmd, kubeconfig, context);

    if (!rc)
        rc = list_into(kc, items, "/api/v1", "pods",
                       "&labelSelector=" POD_SELECTOR, NULL, "Pod", "v1");
    kclient_free(kc);
    return rc;
}

int cli_sentinels_merge(struct audit *a, const struct report *from,
                        const struct sentinels_plan *plan, const char *file)
{
    for (size_t i = 0; i < from->len; i++) {
        const struct report_entry *e = &from->v[i];

        if (report_add_finding(&a->rep, REPORT_NO_DOC, e->file, e->pos,
                               e->sev, e->rule, e->msg, e->hint, NULL,
                               e->object, NULL))
            return RFG_ENOMEM;
    }
    return cli_sentinels_policy(a, plan, file);
}

/* ---- the command ---- */

/* A Go duration (500ms, 2s, 1m30s) from 1 ms to max_ms; 0 or -1. */
static int duration(const char *s, unsigned max_ms, unsigned *out)
{
    unsigned long long ms;

    if (rfg_parse_duration_ms(s, &ms) || ms < 1 || ms > max_ms)
        return -1;
    *out = (unsigned)ms;
    return 0;
}

static int bad_value(const char *opt, const char *want, const char *v)
{
    fprintf(stderr, "rfguard sentinels: %s needs %s, not '%s'\n", opt, want,
            v);
    return CLI_EXIT_ERROR;
}

int cmd_sentinels(int argc, char **argv)
{
    static const struct option opts[] = {
        {"filename", required_argument, NULL, 'f'},
        {"kubeconfig", required_argument, NULL, 'k'},
        {"context", required_argument, NULL, 'x'},
        {"namespace", required_argument, NULL, 'n'},
        {"all-namespaces", no_argument, NULL, 'A'},
        {"selector", required_argument, NULL, 'l'},
        {"sentinel-port", required_argument, NULL, 'P'},
        {"timeout", required_argument, NULL, 'T'},
        {"deadline", required_argument, NULL, 'D'},
        {"parallel", required_argument, NULL, 'j'},
        {"password-secret", required_argument, NULL, 's'},
        {"target", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'o'},
        {"no-color", no_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cli_sentinels_opts co;
    struct report_opts ro = {REPORT_TEXT, false, false, NULL};
    const char *file = NULL, *kubeconfig = NULL, *context = NULL;
    bool no_color = getenv("NO_COLOR") != NULL, policyreport = false;
    bool all_ns = false;
    char *secret = NULL, *buf = NULL, *server = NULL, why[300];
    struct kclient *kc = NULL;
    struct sentinels_plan plan;
    struct sentinels_result res;
    struct audit a;
    cJSON *list = NULL;
    size_t len = 0;
    unsigned u;
    int c, rc, exit_code = CLI_EXIT_ERROR;

    memset(&co, 0, sizeof(co));
    memset(&plan, 0, sizeof(plan));
    memset(&res, 0, sizeof(res));
    co.cmd = "sentinels";
    co.probe.timeout_ms = 2000;
    co.probe.deadline_ms = 30000;
    co.probe.parallel = 8;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:n:Al:t:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            file = optarg;
            break;
        case 'k':
            kubeconfig = optarg;
            break;
        case 'x':
            context = optarg;
            break;
        case 'n':
            if (!*optarg)
                return bad_value("--namespace", "a name", optarg);
            co.plan.ns = optarg;
            break;
        case 'A':
            all_ns = true;
            break;
        case 'l':
            if (audit_selector_check(optarg, why, sizeof(why))) {
                fprintf(stderr, "rfguard sentinels: %s\n", why);
                return CLI_EXIT_ERROR;
            }
            co.plan.selector = optarg;
            break;
        case 'P':
            if (cli_parse_uint(optarg, 1, 65535, &u))
                return bad_value("--sentinel-port", "a port from 1 to 65535",
                                 optarg);
            co.plan.sentinel_port = u;
            break;
        case 'T':
            if (duration(optarg, 600000, &co.probe.timeout_ms))
                return bad_value("--timeout", "a duration such as 2s or "
                                 "500ms (at most 10m)", optarg);
            break;
        case 'D':
            if (duration(optarg, 3600000, &co.probe.deadline_ms))
                return bad_value("--deadline", "a duration such as 30s or "
                                 "2m (at most 1h)", optarg);
            break;
        case 'j':
            if (cli_parse_uint(optarg, 1, 256, &co.probe.parallel))
                return bad_value("--parallel", "a number from 1 to 256",
                                 optarg);
            break;
        case 's':
            if (cli_sentinels_secret_arg(&co.plan, &secret, optarg)) {
                free(secret);
                return bad_value("--password-secret", "NAME or NAME:KEY",
                                 optarg);
            }
            break;
        case 't':
            if (cli_parse_target("sentinels", optarg, &co.plan.target)) {
                free(secret);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'o':
            policyreport = !strcmp(optarg, "policyreport");
            if (!policyreport && report_format_parse(optarg, &ro.format)) {
                fprintf(stderr, "rfguard sentinels: unknown format '%s' "
                        "(text, json, sarif, junit, github, "
                        "policyreport)\n", optarg);
                free(secret);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'C':
            no_color = true;
            break;
        case 'q':
            ro.quiet = true;
            break;
        case 'h':
            sentinels_usage(stdout);
            free(secret);
            return CLI_EXIT_OK;
        default:
            sentinels_usage(stderr);
            free(secret);
            return CLI_EXIT_ERROR;
        }
    }
    if (all_ns)
        co.plan.ns = NULL;
    if (optind < argc || (file && (kubeconfig || context))) {
        if (optind < argc)
            fprintf(stderr, "rfguard sentinels: unexpected argument '%s' "
                    "(a dump is read with -f FILE)\n", argv[optind]);
        else
            fprintf(stderr, "rfguard sentinels: -f reads a dump; "
                    "--kubeconfig and --context are for a live cluster: "
                    "give one or the other\n");
        free(secret);
        return CLI_EXIT_ERROR;
    }
    ro.color = !no_color && isatty(STDOUT_FILENO);
    ro.version = cli_version_number();
    co.progress = !ro.quiet && isatty(STDERR_FILENO);
    co.quiet = ro.quiet;
    audit_init(&a);
    if (file) {
        rc = rfg_read_file(&buf, &len, file, MAX_DUMP);
        if (rc) {
            fprintf(stderr, "rfguard sentinels: cannot read %s: %s\n",
                    !strcmp(file, "-") ? "stdin" : file,
                    rc == RFG_ELIMIT ? "larger than 64 MiB"
                                     : rfg_strerror(rc));
            goto out;
        }
        co.file = !strcmp(file, "-") ? "<stdin>" : file;
        list = cli_sentinels_parse("sentinels", buf, len, co.file);
        rfg_wipe(buf, len);
        if (!list)
            goto out;
    } else {
        cJSON *items;

        if (live_client(&kc, "sentinels", kubeconfig, context))
            goto out;
        list = cJSON_CreateObject();
        items = list ? cJSON_AddArrayToObject(list, "items") : NULL;
        if (!items ||
            list_into(kc, items, RF_GROUP_PATH, "redisfailovers", "",
                      co.plan.ns, RF_KIND, RF_API_VERSION) ||
            list_into(kc, items, "/api/v1", "pods",
                      "&labelSelector=" POD_SELECTOR, NULL, "Pod", "v1"))
            goto out;
        server = strdup(kclient_server(kc));
        co.file = server ? server : "cluster";
    }
    if (cli_sentinels_check(&plan, &res, &a.rep, list, kc, &co))
        goto out;
    if (!ro.quiet && !plan.nrfs)
        fprintf(stderr, "rfguard sentinels: no RedisFailover%s%s%s%s to "
                "check\n", co.plan.ns ? " in namespace " : "",
                co.plan.ns ? co.plan.ns : "",
                co.plan.selector ? " matching " : "",
                co.plan.selector ? co.plan.selector : "");
    a.rep.failovers = plan.nrfs;
    a.rep.name_objects = true;
    if (policyreport)
        rc = sentinels_write_policy(&a, &plan, co.file);
    else if (ro.format == REPORT_TEXT)
        (rc = RFG_OK, sentinels_write_text(&a.rep, &plan, &res, ro.color, ro.quiet));
    else if (ro.format == REPORT_JSON)
        rc = sentinels_write_json(&a.rep, &plan, &res, &ro);
    else if (ro.format == REPORT_SARIF)
        rc = sentinels_write_sarif(&a.rep, &ro);
    else if (!(rc = cli_sentinels_policy(&a, &plan, co.file)))
        report_write(&a.rep, &ro, stdout); /* junit: a case per failover */
    fflush(stdout);
    if (rc)
        fprintf(stderr, "rfguard sentinels: out of memory\n");
    else
        exit_code = res.merged ? CLI_EXIT_DENY : CLI_EXIT_OK;
out:
    sentinels_result_cleanup(&res);
    sentinels_plan_cleanup(&plan);
    audit_cleanup(&a);
    live_wipe_json(list);
    cJSON_Delete(list);
    free(buf);
    free(server);
    free(secret);
    kclient_free(kc);
    return exit_code;
}
