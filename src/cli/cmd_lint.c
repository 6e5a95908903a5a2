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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "crypto.h"
#include "inputs.h"
#include "lint.h"
#include "report.h"
#include "rules.h"

static void lint_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard lint [options] PATH... | -\n\n"
        "Check RedisFailover manifests with the admission webhook's rules.\n"
        "PATH may be a file, a directory (walked for *.yaml, *.yml, *.json)\n"
        "or - for stdin (e.g. helm template ... | rfguard lint -).\n"
        "A template is an error: render it first. A kustomization and a\n"
        "file it lists as a patch are not linted; a note on stderr says\n"
        "what to lint instead (kubectl kustomize DIR | rfguard lint -).\n\n"
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
        "      --crd FILE           validate fields against the schema of "
        "this CRD file\n"
        "                           (YAML or JSON) instead of the "
        "target's compiled-in one\n"
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
        "      --stdin-filename NAME\n"
        "                           what to call stdin (-) in the output "
        "(default\n"
        "                           <stdin>); Helm's '# Source:' template "
        "of a document\n"
        "                           is named too (github: as the "
        "annotation's file)\n"
        "      --no-color           no ANSI colours (also NO_COLOR=1)\n"
        "  -q, --quiet              print errors only: no summary, no "
        "notes\n"
        "  -h, --help               this help\n\n"
        "Exit codes: 0 clean or warnings only, 1 a deny finding or more "
        "than\n--max-warnings warnings, 2 usage, I/O or parse error.\n");
}

int cmd_lint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'o'},
        {"cluster-state", required_argument, NULL, 'c'},
        {"crd", required_argument, NULL, 'K'},
        {"exclude", required_argument, NULL, 'x'},
        {"max-warnings", required_argument, NULL, 'w'},
        {"jobs", required_argument, NULL, 'j'},
        {"no-color", no_argument, NULL, 'C'},
        {"stdin-filename", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default", *state = NULL;
    const char *crd = NULL, *stdin_name = NULL;
    struct report_opts ro = {REPORT_TEXT, false, false, NULL};
    struct policy_set *pol = NULL;
    struct lint_opts lo;
    struct report rep;
    char **excludes = NULL;
    size_t nexcludes = 0;
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
            if (cli_parse_target("lint", optarg, &target))
                goto usage_err;
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
        case 'K':
            crd = optarg;
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
        case 'S':
            stdin_name = optarg;
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
    if (cli_check_stdin_name("lint", stdin_name, argv + optind,
                             (size_t)(argc - optind)))
        goto usage_err;
    ro.color = !no_color && isatty(STDOUT_FILENO);
    ro.version = cli_version_number();
    if (cli_open_policy(&pol, policy_path, stderr))
        goto usage_err;
    if (crd && cli_use_crd("lint", crd, target ? target : pol->target,
                           ro.quiet)) {
        policy_free(pol);
        goto usage_err;
    }
    report_init(&rep);
    memset(&lo, 0, sizeof(lo));
    lo.pol = pol;
    lo.target = target;
    lo.ns = ns;
    lo.excludes = excludes;
    lo.nexcludes = nexcludes;
    lo.jobs = (unsigned)jobs;
    lo.cluster_state = state;
    lo.progress = isatty(STDERR_FILENO);
    lo.hash = rfg_sha256;
    lo.notes = ro.quiet ? NULL : stderr;
    lo.stdin_name = stdin_name;
    if (lint_run(&rep, argv + optind, (size_t)(argc - optind), &lo))
        goto oom;
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
    report_cleanup(&rep);
    policy_free(pol);
    free(excludes);
    return exit_code;
usage_err:
    free(excludes);
    return CLI_EXIT_ERROR;
}
