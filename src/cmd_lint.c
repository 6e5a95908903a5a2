/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_lint.c - `rfguard lint`: the webhook's rules over manifests, for CI.
 * Every document of every input feeds one cluster view (Secrets satisfy
 * the auth rules, duplicate identities are found across files); only
 * RedisFailovers are linted. Exit: 0 clean or warnings, 1 deny, 2 error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "inputs.h"
#include "report.h"
#include "rules.h"

static void lint_usage(FILE *f)
{
    fprintf(f,
            "Usage: rfguard lint [options] PATH... | -\n\n"
            "Check RedisFailover manifests with the admission webhook's "
            "rules.\nPATH may be a file, a directory (walked for *.yaml, "
            "*.yml, *.json) or - for stdin.\n\n"
            "Options:\n"
            "  -p, --policy FILE     policy file (default: built-in "
            "default policy)\n"
            "  -t, --target NAME     operator target: spotahome-v1.2, "
            "spotahome-v1.3,\n"
            "                        freshworks-v3.3 (default: the "
            "policy's)\n"
            "  -n, --namespace NS    namespace of documents that name none "
            "(default: default)\n"
            "  -o, --format FMT      text (default) or json\n"
            "      --no-color        no ANSI colours (also NO_COLOR=1)\n"
            "  -q, --quiet           print errors only, no summary\n"
            "  -h, --help            this help\n\n"
            "Exit codes: 0 clean or warnings only, 1 a deny finding, 2 "
            "usage, I/O or parse error.\n");
}

int cmd_lint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'o'},
        {"no-color", no_argument, NULL, 'C'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default";
    struct report_opts ro = {REPORT_TEXT, false, false};
    struct policy_set *pol = NULL;
    struct input_set in;
    struct report rep;
    enum rf_target target = 0;
    bool no_color = getenv("NO_COLOR") != NULL;
    int c, rc, exit_code = CLI_EXIT_ERROR;
    size_t i;

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:n:o:qh", opts, NULL)) != -1) {
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
                return CLI_EXIT_ERROR;
            }
            break;
        case 'n':
            ns = optarg;
            break;
        case 'o':
            if (report_format_parse(optarg, &ro.format)) {
                fprintf(stderr, "rfguard lint: unknown format '%s' (text, "
                                "json)\n", optarg);
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
            lint_usage(stdout);
            return CLI_EXIT_OK;
        default:
            lint_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rfguard lint: no input (give files, directories "
                        "or - for stdin)\n");
        lint_usage(stderr);
        return CLI_EXIT_ERROR;
    }
    ro.color = !no_color && isatty(STDOUT_FILENO);
    if (cli_open_policy(&pol, policy_path, stderr))
        return CLI_EXIT_ERROR;
    inputs_init(&in, ns);
    report_init(&rep);
    if (inputs_load(&in, argv + optind, (size_t)(argc - optind))) {
        fprintf(stderr, "rfguard lint: out of memory\n");
        goto out;
    }
    for (i = 0; i < in.errors.len; i++)
        if (report_add_error(&rep, &in.errors.v[i]))
            goto oom;
    rep.files = in.nfiles;
    rep.documents = in.ndocs;
    for (i = 0; i < in.ndocs; i++) {
        const struct input_doc *d = &in.docs[i];
        struct rules_input ri;
        struct rules_result res;
        char object[512];
        size_t k;

        if (!rf_is_failover(d->obj))
            continue;
        rep.failovers++;
        memset(&ri, 0, sizeof(ri));
        ri.obj = d->obj;
        ri.op = RULES_CREATE;
        ri.pol = pol;
        ri.cv = &in.cv;
        ri.target = target;
        ri.default_ns = ns;
        if (rules_eval(&res, &ri))
            goto oom;
        snprintf(object, sizeof(object), "%s/%s", rf_namespace(d->obj, ns),
                 rf_name(d->obj) ? rf_name(d->obj) : "");
        for (k = 0; k < res.len; k++) {
            const struct finding *f = &res.v[k];

            rc = report_add_finding(&rep, d->file->name,
                                    inputs_pos(d, f->ptr), f->sev,
                                    f->rule->id, f->msg, f->hint, f->ptr,
                                    object);
            if (rc) {
                rules_result_cleanup(&res);
                goto oom;
            }
        }
        rules_result_cleanup(&res);
    }
    report_sort(&rep);
    report_write(&rep, &ro, stdout);
    fflush(stdout);
    if (rep.errors)
        exit_code = CLI_EXIT_ERROR;
    else
        exit_code = rep.deny ? CLI_EXIT_DENY : CLI_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "rfguard lint: out of memory\n");
out:
    report_cleanup(&rep);
    inputs_cleanup(&in);
    policy_free(pol);
    return exit_code;
}
