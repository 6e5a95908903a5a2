/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_audit.c - `rfguard audit`: the whole policy over the failovers (and
 * OpsTree RedisSentinels and RedisReplications) a cluster already runs.
 * Reads a dump (-f, a List as `kubectl get
 * redisfailovers,secrets,networkpolicies -A -o json` prints it) or lists
 * the live cluster (the OpsTree kinds only where they are served) through the client `serve` uses (kubeconfig or the
 * pod's service account) into one List kept as a tree, then audits it
 * (audit_run, audit_run_list) and prints the result in a lint format or
 * as PolicyReports. Read-only: it sends GETs and nothing else. Secret
 * values are wiped from every buffer that held them as soon as the view
 * has what it needs. Exit codes as lint. Not here: the rules, the view
 * and the report formats (lint layer), the HTTP client (net layer).
 */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cli.h"
#include "crd.h"
#include "crypto.h"
#include "file.h"
#include "jpatch.h"
#include "json.h"
#include "kclient.h"
#include "kubeconfig.h"
#include "live.h"
#include "report.h"
#include "rf.h"
#include "sbuf.h"
#include "schema.h"
#include "sentinels_out.h"
#include "wipe.h"

#define MAX_DUMP ((size_t)64 << 20)
#define PAGE_LIMIT 500
#define LIST_DEADLINE_MS 30000
#define RF_GROUP_PATH "/apis/databases.spotahome.com/v1"
#define OT_GROUP_PATH "/apis/" OT_API_VERSION

static void audit_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard audit [options]\n\n"
        "Check the RedisFailovers (and OpsTree RedisSentinels and\n"
        "RedisReplications) a cluster already runs with every rule, each\n"
        "against all of them and the Secrets and NetworkPolicies of the\n"
        "cluster. Without -f, lists them from the cluster (read-only:\n"
        "--kubeconfig, else $KUBECONFIG, else ~/.kube/config, else the\n"
        "pod's service account; a cluster without the OpsTree CRDs simply\n"
        "has none of their kinds); with -f, reads a dump instead.\n\n"
        "Options:\n"
        "  -f, --filename FILE      a dump: the output of 'kubectl get\n"
        "                           redisfailovers,secrets,networkpolicies "
        "-A -o json'\n"
        "                           (or -o yaml; add redissentinels,"
        "redisreplications\n"
        "                           where the OpsTree operator runs); - "
        "reads stdin\n"
        "      --kubeconfig FILE    reach the API server with this "
        "kubeconfig\n"
        "      --context NAME       ... with this context instead of the "
        "current one\n"
        "      --chunk-size N       list N objects per request (default "
        "500)\n"
        "      --no-secrets         read no Secret (live: list none; -f: "
        "the dump has\n"
        "                           none): the rules that read a "
        "failover's Secret are\n"
        "                           skipped, not reported missing\n"
        "  -n, --namespace NS       audit the failovers of NS only (live: "
        "list NS only)\n"
        "  -A, --all-namespaces     every namespace (the default; wins "
        "over -n)\n"
        "  -l, --selector SEL       audit the failovers whose labels match "
        "SEL:\n"
        "                           a=b, a!=b, a, !a, a in (x,y), a notin "
        "(x,y), comma-separated\n"
        "  -o, --format FMT         text (default), json, sarif, junit, "
        "github or\n"
        "                           policyreport (a JSON List of "
        "wgpolicyk8s.io/v1alpha2\n"
        "                           PolicyReports, one per namespace, for "
        "kubectl apply -f -)\n"
        "  -p, --policy FILE        policy file (default: the built-in "
        "default policy)\n"
        "  -t, --target NAME        operator target: spotahome-v1.2, "
        "spotahome-v1.3,\n"
        "                           freshworks-v3.3, opstree-v0.26, or "
        "one of each\n"
        "                           operator, comma-separated (default: "
        "the policy's)\n"
        "      --crd FILE           validate fields against the schema of "
        "this CRD file\n"
        "                           (default: live, the cluster's "
        "installed CRD; -f, the\n"
        "                           target's compiled-in one)\n"
        "      --sentinels          also ask each failover's sentinel pods, "
        "read-only,\n"
        "                           for merges with other failovers (as "
        "'rfguard\n"
        "                           sentinels'; -f: the dump needs the "
        "pods too)\n"
        "      --sentinel-port N    ... on this port (default 26379)\n"
        "      --password-secret NAME[:KEY]\n"
        "                           ... with AUTH from this Secret of the "
        "failover's\n"
        "                           namespace (key default 'password')\n"
        "      --no-color           no ANSI colours (also NO_COLOR=1)\n"
        "  -q, --quiet              print errors only: no summary, no "
        "notes\n"
        "  -h, --help               this help\n\n"
        "Exit codes: 0 clean or warnings only, 1 a deny finding, 2 usage, "
        "I/O,\nparse or API error.\n");
}

/* ---- the live cluster ---- */

struct live {
    struct kclient *kc;
    unsigned limit;        /* objects per page */
    const char *ns;        /* NULL: all namespaces */
    bool quiet;
    unsigned unserved;     /* kinds whose CRD is not installed (404) */
    long crd_status;       /* the GET of the redisfailovers CRD, 0: none */
    cJSON *items;          /* the List's items, borrowed */
};

/* What one resource is, and how a 403 or 404 is taken. */
struct res {
    const char *what;      /* resource name in messages */
    const char *group;     /* "/api/v1" or "/apis/GROUP/VERSION" */
    const char *query;     /* extra query, "&..." or "" */
    const char *kind, *api_version;
    bool secret;
    bool optional;         /* a 403 or 404 is a warning */
    bool unserved_ok;      /* a 404 (CRD not installed) means none, said
                              nothing about */
    const char *without;   /* what a missing list means, for the warning */
};

static const struct res resources[] = {
    {"redisfailovers", RF_GROUP_PATH, "", "RedisFailover",
     "databases.spotahome.com/v1", false, false, true, NULL},
    /* the OpsTree operator's kinds: most clusters do not serve them */
    {"redissentinels", OT_GROUP_PATH, "", OT_KIND_SENTINEL, OT_API_VERSION,
     false, true, true,
     "no RedisSentinel is audited, and the others are not compared with "
     "them"},
    {"redisreplications", OT_GROUP_PATH, "", OT_KIND_REPLICATION,
     OT_API_VERSION, false, true, true,
     "no RedisReplication is audited, and the others are not compared "
     "with them"},
    /* Helm release Secrets are large and never hold a password */
    {"secrets", "/api/v1", "&fieldSelector=type%21%3Dhelm.sh%2Frelease.v1",
     "Secret", "v1", true, true, false,
     "a Secret the failovers name is not reported missing, and the "
     "password rules cannot check their Secrets"},
    {"networkpolicies", "/apis/networking.k8s.io/v1", "", "NetworkPolicy",
     "networking.k8s.io/v1", false, true, false,
     "the rules see no NetworkPolicy guarding the sentinel port"},
};

/* List every object of `rs` into l->items, page after page. RFG_OK;
 * RFG_ENOTFOUND when an optional resource was refused or is not served
 * (said on stderr); another error after printing why. */
static int list_res(struct live *l, const struct res *rs)
{
    struct kclient_resp r;
    struct sbuf path;
    char *cont = NULL;
    int rc = RFG_OK, restarts = 0;

    memset(&r, 0, sizeof(r));
    sbuf_init(&path, 64 * 1024);
    for (;;) {
        cJSON *root, *it, *next;
        const char *c;
        bool more;

        sbuf_reset(&path);
        if (l->ns)
            rc = sbuf_printf(&path, "%s/namespaces/", rs->group);
        else
            rc = sbuf_printf(&path, "%s", rs->group);
        if (!rc && l->ns)
            rc = kclient_query_escape(&path, l->ns);
        if (!rc)
            rc = sbuf_printf(&path, "/%s?limit=%u%s", rs->what, l->limit,
                             rs->query);
        if (!rc && cont) {
            rc = sbuf_adds(&path, "&continue=");
            if (!rc)
                rc = kclient_query_escape(&path, cont);
        }
        if (rc)
            break;
        rc = kclient_request(l->kc, "GET", sbuf_str(&path), NULL,
                             LIST_DEADLINE_MS, 0, 0, &r);
        if (rc) {
            fprintf(stderr, "rfguard audit: cannot list %s at %s: %s\n",
                    rs->what, kclient_server(l->kc),
                    r.err[0] ? r.err : rfg_strerror(rc));
            break;
        }
        if (r.status == 410 && restarts++ < 3) {
            /* the continue token expired: start over */
            free(cont);
            cont = NULL;
            live_wipe_resp(&r);
            continue;
        }
        if (r.status == 404 && rs->unserved_ok &&
            (strcmp(rs->what, "redisfailovers") || l->crd_status == 404)) {
            rc = RFG_ENOTFOUND;    /* the CRD is not installed: none */
            break;
        }
        if ((r.status == 403 || r.status == 404) && rs->optional) {
            if (!l->quiet)
                fprintf(stderr, "rfguard audit: warning: cannot list %s "
                        "(HTTP %ld%s%s): %s; grant list on %s to audit "
                        "them\n", rs->what, r.status, r.err[0] ? ": " : "",
                        r.err, rs->without, rs->what);
            rc = RFG_ENOTFOUND;
            break;
        }
        if (r.status != 200) {
            fprintf(stderr, "rfguard audit: cannot list %s: HTTP %ld%s%s%s\n",
                    rs->what, r.status, r.err[0] ? ": " : "", r.err,
                    r.status == 404 && l->crd_status == 200
                        ? " (its CRD is installed but not served yet: try "
                          "again)"
                    : r.status == 404
                        ? " (is the RedisFailover CRD installed?)"
                    : r.status == 401 || r.status == 403
                        ? " (check the kubeconfig's credentials and their "
                          "RBAC)"
                        : "");
            rc = RFG_EUPSTREAM;
            break;
        }
        root = cJSON_ParseWithLength(r.body, r.len);
        live_wipe_resp(&r);
        if (!root) {
            fprintf(stderr, "rfguard audit: cannot list %s: the API "
                            "server's answer is not JSON\n", rs->what);
            rc = RFG_EPARSE;
            break;
        }
        /* move the items over, with the kind the server leaves out */
        it = json_get_mut(root, "items");
        for (it = it ? it->child : NULL; it; it = next) {
            next = it->next;
            if (!cJSON_IsObject(it))
                continue;
            cJSON_DetachItemViaPointer(json_get_mut(root, "items"), it);
            if (!json_get(it, "kind"))
                cJSON_AddStringToObject(it, "kind", rs->kind);
            if (!json_get(it, "apiVersion"))
                cJSON_AddStringToObject(it, "apiVersion", rs->api_version);
            cJSON_AddItemToArray(l->items, it);
        }
        c = json_str(json_get(root, "metadata"), "continue");
        more = c && *c;
        free(cont);
        cont = more ? strdup(c) : NULL;
        if (rs->secret)
            live_wipe_json(root);
        cJSON_Delete(root);
        if (more && !cont) {
            rc = RFG_ENOMEM;
            break;
        }
        if (!cont)
            break;
    }
    live_wipe_resp(&r);
    free(cont);
    sbuf_cleanup(&path);
    if (rc == RFG_ENOMEM)
        fprintf(stderr, "rfguard audit: out of memory\n");
    return rc;
}

/* Check the failovers against the schema of the cluster's installed
 * RedisFailover CRD, which is what its API server prunes with. No CRD
 * (or no right to read it) keeps the compiled-in schema, saying so. */
static void use_installed_crd(struct live *l)
{
    struct kclient_resp r;
    struct diag_list dl;
    char ver[64], why[300] = "";
    cJSON *root, *schema = NULL;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = kclient_request(l->kc, "GET",
                         "/apis/apiextensions.k8s.io/v1/"
                         "customresourcedefinitions/" CRD_NAME,
                         NULL, LIST_DEADLINE_MS, 0, 0, &r);
    l->crd_status = rc ? 0 : r.status;
    if (rc || r.status != 200) {
        if (!rc)
            snprintf(why, sizeof(why), "HTTP %ld%s%s", r.status,
                     r.err[0] ? ": " : "", r.err);
        else
            snprintf(why, sizeof(why), "%s",
                     r.err[0] ? r.err : rfg_strerror(rc));
        kclient_resp_cleanup(&r);
        if (!l->quiet)
            fprintf(stderr, "rfguard audit: cannot read the installed "
                    "CRD (%s): the compiled-in schema of the target "
                    "applies\n", why);
        return;
    }
    root = cJSON_ParseWithLength(r.body, r.len);
    kclient_resp_cleanup(&r);
    diag_list_init(&dl, "the installed CRD");
    rc = root ? crd_schema(&schema, ver, sizeof(ver), root, NULL, &dl)
              : RFG_EPARSE;
    cJSON_Delete(root);
    if (!rc)
        rc = schema_install(RF_TARGET_RF, schema, "the installed CRD");
    if (rc && !l->quiet) {
        if (dl.len)
            diag_format(&dl.v[0], why, sizeof(why));
        fprintf(stderr, "rfguard audit: the installed CRD's schema cannot "
                "be used (%s): the compiled-in schema of the target "
                "applies\n", dl.len ? why : rfg_strerror(rc));
    } else if (!rc && !l->quiet) {
        fprintf(stderr, "rfguard audit: schema: the installed CRD's "
                "(version %s)\n", ver);
    }
    diag_list_cleanup(&dl);
}

/* List the cluster into one List in *out (wipe_json it after use: its
 * Secrets are whole); *secrets_unknown when Secrets could not be
 * listed. The List stays a tree: printed, its Secrets would be copied
 * into buffers that grow and are freed unwiped. */
static int live_list(cJSON **out, bool *secrets_unknown, char **server,
                     const char *kubeconfig, const char *context,
                     const char *ns, unsigned limit, bool use_crd,
                     bool quiet)
{
    struct live l;
    cJSON *list = cJSON_CreateObject();
    size_t i;
    int rc = RFG_OK;

    *out = NULL;
    *server = NULL;
    memset(&l, 0, sizeof(l));
    l.ns = ns;
    l.limit = limit;
    l.quiet = quiet;
    if (!list || !cJSON_AddStringToObject(list, "apiVersion", "v1") ||
        !cJSON_AddStringToObject(list, "kind", "List") ||
        !(l.items = cJSON_AddArrayToObject(list, "items"))) {
        cJSON_Delete(list);
        fprintf(stderr, "rfguard audit: out of memory\n");
        return RFG_ENOMEM;
    }
    rc = live_client(&l.kc, "audit", kubeconfig, context);
    if (!rc && use_crd)
        use_installed_crd(&l);
    for (i = 0; !rc && i < sizeof(resources) / sizeof(resources[0]); i++) {
        if (resources[i].secret && *secrets_unknown)
            continue; /* --no-secrets */
        rc = list_res(&l, &resources[i]);
        if (rc == RFG_ENOTFOUND) {
            if (resources[i].secret)
                *secrets_unknown = true;
            else if (resources[i].unserved_ok && l.unserved++ == 2)
                fprintf(stderr, "rfguard audit: the cluster serves no "
                        "redisfailovers, redissentinels or "
                        "redisreplications: install the RedisFailover "
                        "CRD or the OpsTree operator's, or check the "
                        "kubeconfig's cluster\n");
            rc = l.unserved == 3 ? RFG_EUPSTREAM : RFG_OK;
        }
    }
    if (!rc && !(*server = strdup(kclient_server(l.kc)))) {
        fprintf(stderr, "rfguard audit: out of memory\n");
        rc = RFG_ENOMEM;
    }
    kclient_free(l.kc);
    if (rc) {
        live_wipe_json(list);
        cJSON_Delete(list);
        return rc;
    }
    *out = list;
    return RFG_OK;
}

/* ---- output ---- */

static int write_policy_reports(const struct audit *a,
                                const struct policy_set *pol)
{
    struct audit_report_opts ro;
    struct timespec now;
    cJSON *reports = NULL, *list;
    char *txt;

    memset(&ro, 0, sizeof(ro));
    clock_gettime(CLOCK_REALTIME, &now);
    ro.pol = pol;
    ro.seconds = (int64_t)now.tv_sec;
    ro.nanos = (int32_t)now.tv_nsec;
    if (audit_policy_reports(&reports, a, &ro))
        return RFG_ENOMEM;
    list = cJSON_CreateObject();
    if (!list || !cJSON_AddStringToObject(list, "apiVersion", "v1") ||
        !cJSON_AddStringToObject(list, "kind", "List")) {
        cJSON_Delete(list);
        cJSON_Delete(reports);
        return RFG_ENOMEM;
    }
    cJSON_AddItemToObject(list, "items", reports);
    txt = jpatch_format(list, false);
    cJSON_Delete(list);
    if (!txt)
        return RFG_ENOMEM;
    fputs(txt, stdout);
    free(txt);
    return RFG_OK;
}

int cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"filename", required_argument, NULL, 'f'},
        {"kubeconfig", required_argument, NULL, 'k'},
        {"context", required_argument, NULL, 'x'},
        {"chunk-size", required_argument, NULL, 'c'},
        {"crd", required_argument, NULL, 'K'},
        {"no-secrets", no_argument, NULL, 'S'},
        {"namespace", required_argument, NULL, 'n'},
        {"all-namespaces", no_argument, NULL, 'A'},
        {"selector", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'o'},
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"no-color", no_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},
        {"sentinels", no_argument, NULL, 'E'},
        {"sentinel-port", required_argument, NULL, 'P'},
        {"password-secret", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *file = NULL, *kubeconfig = NULL, *context = NULL;
    const char *policy_path = NULL, *crd = NULL, *name;
    struct report_opts ro = {REPORT_TEXT, false, false, NULL};
    struct audit_opts ao;
    struct policy_set *pol = NULL;
    struct audit a;
    bool no_color = getenv("NO_COLOR") != NULL, policyreport = false;
    char *buf = NULL, *server = NULL, why[300];
    cJSON *tree = NULL;
    size_t len = 0;
    unsigned chunk = PAGE_LIMIT;
    bool all_ns = false, sentinels = false;
    int c, rc, exit_code = CLI_EXIT_ERROR;
    struct cli_sentinels_opts so;
    struct sentinels_plan splan;
    struct sentinels_result sres;
    struct report srep;
    const char *spw = NULL;
    char *ssecret = NULL;
    cJSON *stree = NULL;

    memset(&ao, 0, sizeof(ao));
    memset(&so, 0, sizeof(so));
    memset(&splan, 0, sizeof(splan));
    memset(&sres, 0, sizeof(sres));
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:n:Al:o:p:t:qh", opts, NULL)) !=
           -1) {
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
        case 'c':
            if (cli_parse_uint(optarg, 1, 100000, &chunk)) {
                fprintf(stderr, "rfguard audit: --chunk-size needs a number "
                                "from 1 to 100000, not '%s'\n", optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'n':
            if (!*optarg) {
                fprintf(stderr, "rfguard audit: --namespace needs a "
                                "name\n");
                return CLI_EXIT_ERROR;
            }
            ao.ns = optarg;
            break;
        case 'A':
            all_ns = true;
            break;
        case 'l':
            if (audit_selector_check(optarg, why, sizeof(why))) {
                fprintf(stderr, "rfguard audit: %s\n", why);
                return CLI_EXIT_ERROR;
            }
            ao.selector = optarg;
            break;
        case 'o':
            policyreport = !strcmp(optarg, "policyreport");
            if (!policyreport && report_format_parse(optarg, &ro.format)) {
                fprintf(stderr, "rfguard audit: unknown format '%s' (text, "
                                "json, sarif, junit, github, "
                                "policyreport)\n", optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'p':
            policy_path = optarg;
            break;
        case 'K':
            crd = optarg;
            break;
        case 'S':
            ao.secrets_unknown = true;
            break;
        case 't':
            if (cli_parse_target("audit", optarg, &ao.target))
                return CLI_EXIT_ERROR;
            break;
        case 'C':
            no_color = true;
            break;
        case 'q':
            ro.quiet = true;
            break;
        case 'E':
            sentinels = true;
            break;
        case 'P':
            if (cli_parse_uint(optarg, 1, 65535, &so.plan.sentinel_port)) {
                fprintf(stderr, "rfguard audit: --sentinel-port needs a "
                                "port from 1 to 65535, not '%s'\n", optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case 's':
            if (cli_sentinels_secret_arg(&so.plan, &ssecret, optarg)) {
                fprintf(stderr, "rfguard audit: --password-secret needs "
                                "NAME or NAME:KEY, not '%s'\n", optarg);
                free(ssecret);
                return CLI_EXIT_ERROR;
            }
            free(ssecret); /* checked; parsed again when used */
            ssecret = NULL;
            spw = optarg;
            break;
        case 'h':
            audit_usage(stdout);
            return CLI_EXIT_OK;
        default:
            audit_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (all_ns) /* as kubectl: -A wins over -n */
        ao.ns = NULL;
    if (optind < argc) {
        fprintf(stderr, "rfguard audit: unexpected argument '%s' (a dump "
                        "is read with -f FILE)\n", argv[optind]);
        return CLI_EXIT_ERROR;
    }
    if (file && (kubeconfig || context || chunk != PAGE_LIMIT)) {
        fprintf(stderr, "rfguard audit: -f reads a dump; --kubeconfig, "
                        "--context and --chunk-size are for a live "
                        "cluster: give one or the other\n");
        return CLI_EXIT_ERROR;
    }
    ro.color = !no_color && isatty(STDOUT_FILENO);
    ro.version = cli_version_number();
    if (cli_open_policy(&pol, policy_path, stderr))
        return CLI_EXIT_ERROR;
    if (crd && cli_use_crd("audit", crd, ao.target ? ao.target : pol->target,
                           ro.quiet)) {
        policy_free(pol);
        return CLI_EXIT_ERROR;
    }
    if (file) {
        rc = rfg_read_file(&buf, &len, file, MAX_DUMP);
        if (rc) {
            fprintf(stderr, "rfguard audit: cannot read %s: %s\n",
                    !strcmp(file, "-") ? "stdin" : file,
                    rc == RFG_ELIMIT ? "larger than 64 MiB"
                                     : rfg_strerror(rc));
            policy_free(pol);
            return CLI_EXIT_ERROR;
        }
        name = !strcmp(file, "-") ? "<stdin>" : file;
    } else {
        if (live_list(&tree, &ao.secrets_unknown, &server, kubeconfig,
                      context, ao.ns, chunk, !crd, ro.quiet)) {
            policy_free(pol);
            return CLI_EXIT_ERROR;
        }
        name = server;
        ao.no_positions = true;
    }
    ao.pol = pol;
    ao.hash = rfg_sha256;
    audit_init(&a);
    report_init(&srep);
    if (sentinels) { /* before the audit wipes the Secrets */
        if (spw && cli_sentinels_secret_arg(&so.plan, &ssecret, spw))
            goto out;
        so.cmd = "audit";
        so.file = name;
        so.plan.ns = ao.ns;
        so.plan.selector = ao.selector;
        so.plan.target = ao.target ? ao.target : pol->target;
        so.probe.parallel = 8;
        so.progress = !ro.quiet && isatty(STDERR_FILENO);
        so.quiet = ro.quiet;
        if (tree && cli_sentinels_list_pods("audit",
                                            json_get_mut(tree, "items"),
                                            kubeconfig, context))
            goto out;
        if (!tree && !(stree = cli_sentinels_parse("audit", buf, len, name)))
            goto out;
        if (cli_sentinels_check(&splan, &sres, &srep, tree ? tree : stree,
                                NULL, &so))
            goto out;
    }
    if (tree)
        rc = audit_run_list(&a, tree, name, &ao);
    else
        rc = audit_run(&a, buf, len, name, &ao);
    if (!rc && sentinels)
        rc = cli_sentinels_merge(&a, &srep, &splan, name);
    if (rc) {
        fprintf(stderr, "rfguard audit: %s\n", rfg_strerror(rc));
        goto out;
    }
    if (policyreport) {
        if (a.rep.errors) {
            /* the reports would describe part of the input: none */
            ro.quiet = true;
            report_write(&a.rep, &ro, stderr);
        } else if (write_policy_reports(&a, pol)) {
            fprintf(stderr, "rfguard audit: out of memory\n");
            goto out;
        }
    } else {
        report_write(&a.rep, &ro, stdout);
        if (ro.format == REPORT_TEXT)
            sentinels_write_steps(&splan, &sres, ro.color);
    }
    fflush(stdout);
    if (a.rep.errors)
        exit_code = CLI_EXIT_ERROR;
    else if (a.rep.deny)
        exit_code = CLI_EXIT_DENY;
    else
        exit_code = CLI_EXIT_OK;
    if (!ro.quiet && !a.nrfs && !a.rep.errors)
        fprintf(stderr, "rfguard audit: no RedisFailover, RedisSentinel "
                        "or RedisReplication%s%s%s%s to audit\n", ao.ns ? " in namespace " : "",
                ao.ns ? ao.ns : "", ao.selector ? " matching " : "",
                ao.selector ? ao.selector : "");
out:
    rfg_wipe(buf, len);
    free(buf);
    live_wipe_json(tree);
    cJSON_Delete(tree);
    live_wipe_json(stree);
    cJSON_Delete(stree);
    sentinels_result_cleanup(&sres);
    sentinels_plan_cleanup(&splan);
    report_cleanup(&srep);
    free(ssecret);
    audit_cleanup(&a);
    free(server);
    policy_free(pol);
    return exit_code;
}
