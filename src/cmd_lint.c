/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_lint.c - `rfguard lint`: the webhook's rules over manifests, for CI.
 * Every document of every input feeds one cluster view (Secrets satisfy
 * the auth rules, duplicate identities are found across files); only
 * RedisFailovers are linted. Files are parsed and documents evaluated on
 * worker threads; output order is fixed by input order, never by timing.
 * Exit: 0 clean or warnings, 1 deny (or too many warnings), 2 error.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "inputs.h"
#include "report.h"
#include "rules.h"

static void lint_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard lint [options] PATH... | -\n\n"
        "Check RedisFailover manifests with the admission webhook's rules.\n"
        "PATH may be a file, a directory (walked for *.yaml, *.yml, *.json)\n"
        "or - for stdin (e.g. helm template ... | rfguard lint -).\n\n"
        "Options:\n"
        "  -p, --policy FILE        policy file (default: the built-in "
        "default policy)\n"
        "  -t, --target NAME        operator target: spotahome-v1.2, "
        "spotahome-v1.3,\n"
        "                           freshworks-v3.3 (default: the "
        "policy's)\n"
        "  -n, --namespace NS       namespace of documents that name none "
        "(default: default)\n"
        "  -o, --format FMT         text (default), json, sarif, junit or "
        "github\n"
        "  -c, --cluster-state FILE the output of 'kubectl get "
        "redisfailovers,secrets -A\n"
        "                           -o json': compare against the live "
        "cluster\n"
        "  -x, --exclude GLOB       skip files and directories whose path "
        "or name\n"
        "                           matches GLOB (repeatable)\n"
        "  -w, --max-warnings N     exit 1 when there are more than N "
        "warnings\n"
        "  -j, --jobs N             worker threads (default: number of "
        "CPUs)\n"
        "      --no-color           no ANSI colours (also NO_COLOR=1)\n"
        "  -q, --quiet              print errors only, no summary\n"
        "  -h, --help               this help\n\n"
        "Exit codes: 0 clean or warnings only, 1 a deny finding or more "
        "than\n--max-warnings warnings, 2 usage, I/O or parse error.\n");
}

struct eval_job {
    const struct input_set *in;
    const struct policy_set *pol;
    enum rf_target target;
    const char *ns;
    struct rules_result *res;  /* one per document */
    int *rc;
    atomic_size_t next;
};

static void *eval_worker(void *arg)
{
    struct eval_job *j = arg;
    size_t i;

    while ((i = atomic_fetch_add(&j->next, 1)) < j->in->ndocs) {
        const struct input_doc *d = &j->in->docs[i];
        struct rules_input ri;

        if (!rf_is_failover(d->obj))
            continue;
        memset(&ri, 0, sizeof(ri));
        ri.obj = d->obj;
        ri.op = RULES_CREATE;
        ri.pol = j->pol;
        ri.cv = &j->in->cv;
        ri.target = j->target;
        ri.default_ns = j->ns;
        j->rc[i] = rules_eval(&j->res[i], &ri);
    }
    return NULL;
}

/* Evaluate every document on `jobs` threads into res[] / rc[]. */
static void eval_all(struct eval_job *j, unsigned jobs)
{
    pthread_t th[64];
    unsigned i, started = 0;

    if (jobs > 64)
        jobs = 64;
    atomic_init(&j->next, 0);
    for (i = 1; i < jobs && i < j->in->ndocs; i++)
        if (pthread_create(&th[started], NULL, eval_worker, j) == 0)
            started++;
    eval_worker(j);
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

static void progress(size_t done, size_t total, void *arg)
{
    (void)arg;
    if (done < total)
        fprintf(stderr, "\rrfguard lint: %zu/%zu files", done, total);
    else
        fprintf(stderr, "\r%40s\r", "");
}

static const char *str_field(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_IsObject(o)
                         ? cJSON_GetObjectItemCaseSensitive(o, k)
                         : NULL;

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Register every linted document and copy its findings, in input order. */
static int collect(struct report *rep, const struct input_set *in,
                   struct rules_result *res, const char *ns)
{
    size_t i, k, doc;
    int rc;

    for (i = 0; i < in->nfiles; i++) {
        const struct diag_list *e = &in->files[i].errs;

        for (k = 0; k < e->len; k++)
            if ((rc = report_add_error(rep, &e->v[k])))
                return rc;
        if (!in->files[i].state_only)
            rep->files++;
    }
    for (k = 0; k < in->errors.len; k++)
        if ((rc = report_add_error(rep, &in->errors.v[k])))
            return rc;
    rep->documents = in->ndocs;
    for (i = 0; i < in->ndocs; i++) {
        const struct input_doc *d = &in->docs[i];
        const cJSON *md = cJSON_IsObject(d->obj)
                              ? cJSON_GetObjectItemCaseSensitive(d->obj,
                                                                 "metadata")
                              : NULL;
        const char *name = str_field(md, "name");
        char object[512];
        bool rf = rf_is_failover(d->obj);

        snprintf(object, sizeof(object), "%s%s%s",
                 rf ? rf_namespace(d->obj, ns) : "", rf ? "/" : "",
                 name ? name : "");
        if ((rc = report_add_doc(rep, d->file->name, d->pos.line,
                                 str_field(d->obj, "kind"), object, &doc)))
            return rc;
        if (!rf)
            continue;
        rep->failovers++;
        for (k = 0; k < res[i].len; k++) {
            const struct finding *f = &res[i].v[k];

            rc = report_add_finding(rep, doc, d->file->name,
                                    inputs_pos(d, f->ptr), f->sev,
                                    f->rule->id, f->msg, f->hint, f->ptr,
                                    object, d->doc->source);
            if (rc)
                return rc;
        }
    }
    return RFG_OK;
}

int cmd_lint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'o'},
        {"cluster-state", required_argument, NULL, 'c'},
        {"exclude", required_argument, NULL, 'x'},
        {"max-warnings", required_argument, NULL, 'w'},
        {"jobs", required_argument, NULL, 'j'},
        {"no-color", no_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default", *state = NULL;
    struct report_opts ro = {REPORT_TEXT, false, false, NULL};
    struct policy_set *pol = NULL;
    struct input_set in;
    struct report rep;
    struct eval_job job;
    struct rules_result *res = NULL;
    int *rcs = NULL;
    char **excludes = NULL;
    size_t nexcludes = 0, i;
    enum rf_target target = 0;
    bool no_color = getenv("NO_COLOR") != NULL;
    long max_warnings = -1, jobs = 0;
    int c, exit_code = CLI_EXIT_ERROR;
    char *end;

    excludes = calloc((size_t)argc + 1, sizeof(*excludes));
    if (!excludes)
        return CLI_EXIT_ERROR;
    /* one arena per input file holds its trees (see arena.h) */
    arena_install_cjson_hooks();
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:n:o:c:x:w:j:qh", opts, NULL)) !=
           -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            target = rf_target_parse(optarg);
            if (!target) {
                fprintf(stderr, "rfguard lint: unknown target '%s' "
                                "(spotahome-v1.2, spotahome-v1.3, "
                                "freshworks-v3.3)\n", optarg);
                goto usage_err;
            }
            break;
        case 'n':
            ns = optarg;
            break;
        case 'o':
            if (report_format_parse(optarg, &ro.format)) {
                fprintf(stderr, "rfguard lint: unknown format '%s' (text, "
                                "json, sarif, junit, github)\n", optarg);
                goto usage_err;
            }
            break;
        case 'c':
            state = optarg;
            break;
        case 'x':
            excludes[nexcludes++] = optarg;
            break;
        case 'w':
            max_warnings = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || max_warnings < 0) {
                fprintf(stderr, "rfguard lint: --max-warnings needs a "
                                "number >= 0, not '%s'\n", optarg);
                goto usage_err;
            }
            break;
        case 'j':
            jobs = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || jobs < 1 || jobs > 64) {
                fprintf(stderr, "rfguard lint: --jobs needs a number from "
                                "1 to 64, not '%s'\n", optarg);
                goto usage_err;
            }
            break;
        case 'C':
            no_color = true;
            break;
        case 'q':
            ro.quiet = true;
            break;
        case 'h':
            lint_usage(stdout);
            free(excludes);
            return CLI_EXIT_OK;
        default:
            lint_usage(stderr);
            goto usage_err;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rfguard lint: no input (give files, directories "
                        "or - for stdin)\n");
        lint_usage(stderr);
        goto usage_err;
    }
    ro.color = !no_color && isatty(STDOUT_FILENO);
    ro.version = cli_version_number();
    if (cli_open_policy(&pol, policy_path, stderr))
        goto usage_err;
    inputs_init(&in, ns);
    report_init(&rep);
    in.excludes = excludes;
    in.nexcludes = nexcludes;
    in.jobs = (unsigned)jobs;
    if (isatty(STDERR_FILENO))
        in.progress = progress;
    if (inputs_load(&in, argv + optind, (size_t)(argc - optind), state))
        goto oom;
    res = calloc(in.ndocs + 1, sizeof(*res));
    rcs = calloc(in.ndocs + 1, sizeof(*rcs));
    if (!res || !rcs)
        goto oom;
    job.in = &in;
    job.pol = pol;
    job.target = target;
    job.ns = ns;
    job.res = res;
    job.rc = rcs;
    eval_all(&job, jobs ? (unsigned)jobs : inputs_ncpus());
    for (i = 0; i < in.ndocs; i++)
        if (rcs[i])
            goto oom;
    if (collect(&rep, &in, res, ns))
        goto oom;
    report_sort(&rep);
    report_write(&rep, &ro, stdout);
    fflush(stdout);
    if (rep.errors)
        exit_code = CLI_EXIT_ERROR;
    else if (rep.deny ||
             (max_warnings >= 0 && rep.warn > (size_t)max_warnings))
        exit_code = CLI_EXIT_DENY;
    else
        exit_code = CLI_EXIT_OK;
    if (exit_code == CLI_EXIT_DENY && !rep.deny && !ro.quiet)
        fprintf(stderr, "rfguard lint: %zu warnings, more than "
                        "--max-warnings %ld\n", rep.warn, max_warnings);
    goto out;
oom:
    fprintf(stderr, "rfguard lint: out of memory\n");
out:
    for (i = 0; res && i < in.ndocs; i++)
        rules_result_cleanup(&res[i]);
    free(res);
    free(rcs);
    report_cleanup(&rep);
    inputs_cleanup(&in);
    policy_free(pol);
    free(excludes);
    return exit_code;
usage_err:
    free(excludes);
    return CLI_EXIT_ERROR;
}
