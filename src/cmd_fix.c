/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_fix.c - `rfguard fix`: show the JSON Patch the mutating webhook
 * applies to each RedisFailover, or (--apply) print the patched documents
 * as YAML. Same engine, same policy, same cluster view as `lint`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inputs.h"
#include "jpatch.h"
#include "rules.h"
#include "sbuf.h"

static void fix_usage(FILE *f)
{
    fprintf(f,
            "Usage: rfguard fix [options] PATH... | -\n\n"
            "Print, for each RedisFailover document, the JSON Patch (RFC "
            "6902) that\nthe mutating webhook applies, preceded by a "
            "'# file:line: RedisFailover ns/name'\ncomment line. With "
            "--apply, print every document with the patch applied,\nas "
            "YAML separated by '---'.\n\n"
            "Options:\n"
            "  -p, --policy FILE     policy file (default: built-in "
            "default policy)\n"
            "  -t, --target NAME     operator target (default: the "
            "policy's)\n"
            "  -n, --namespace NS    namespace of documents that name none "
            "(default: default)\n"
            "  -a, --apply           print the patched documents instead "
            "of patches\n"
            "  -h, --help            this help\n\n"
            "Exit codes: 0 done, 2 usage, I/O or parse error.\n");
}

static int print_patch(const struct input_doc *d, const char *ns,
                       const cJSON *patch)
{
    char *s = cJSON_Print(patch);

    if (!s)
        return RFG_ENOMEM;
    printf("# %s:%u: RedisFailover %s/%s\n%s\n", d->file->name, d->pos.line,
           rf_namespace(d->obj, ns), rf_name(d->obj) ? rf_name(d->obj) : "",
           s);
    cJSON_free(s);
    return RFG_OK;
}

static int print_applied(const struct input_doc *d, const cJSON *patch,
                         bool first)
{
    cJSON *obj = cJSON_Duplicate(d->obj, 1);
    struct diag_list dl;
    struct sbuf out;
    int rc;

    if (!obj)
        return RFG_ENOMEM;
    diag_list_init(&dl, d->file->name);
    sbuf_init(&out, 0);
    rc = patch ? jpatch_apply(&obj, patch, &dl) : RFG_OK;
    if (!rc)
        rc = ydoc_emit(&out, obj);
    if (!rc)
        printf("%s%s", first ? "" : "---\n", sbuf_str(&out));
    else if (dl.len)
        fprintf(stderr, "rfguard fix: %s: %s\n", d->file->name,
                dl.v[0].msg);
    sbuf_cleanup(&out);
    diag_list_cleanup(&dl);
    cJSON_Delete(obj);
    return rc;
}

int cmd_fix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"apply", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default";
    struct policy_set *pol = NULL;
    struct input_set in;
    enum rf_target target = 0;
    bool apply = false;
    int c, exit_code = CLI_EXIT_ERROR;
    size_t i;
    char line[512];

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:n:ah", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            target = rf_target_parse(optarg);
            if (!target) {
                fprintf(stderr, "rfguard fix: unknown target '%s'\n",
                        optarg);
                return CLI_EXIT_ERROR;
            }
            break;
        case 'n':
            ns = optarg;
            break;
        case 'a':
            apply = true;
            break;
        case 'h':
            fix_usage(stdout);
            return CLI_EXIT_OK;
        default:
            fix_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "rfguard fix: no input (give files, directories "
                        "or - for stdin)\n");
        return CLI_EXIT_ERROR;
    }
    if (cli_open_policy(&pol, policy_path, stderr))
        return CLI_EXIT_ERROR;
    inputs_init(&in, ns);
    if (inputs_load(&in, argv + optind, (size_t)(argc - optind), NULL))
        goto oom;
    for (i = 0; i < in.errors.len; i++) {
        diag_format(&in.errors.v[i], line, sizeof(line));
        fprintf(stderr, "%s\n", line);
    }
    for (i = 0; i < in.nfiles; i++) {
        size_t k;

        for (k = 0; k < in.files[i].errs.len; k++) {
            diag_format(&in.files[i].errs.v[k], line, sizeof(line));
            fprintf(stderr, "%s\n", line);
        }
    }
    for (i = 0; i < in.ndocs; i++) {
        const struct input_doc *d = &in.docs[i];
        struct rules_input ri;
        struct rules_result res;
        int rc;

        if (!rf_is_failover(d->obj)) {
            if (apply && print_applied(d, NULL, i == 0))
                goto oom;
            continue;
        }
        memset(&ri, 0, sizeof(ri));
        ri.obj = d->obj;
        ri.op = RULES_CREATE;
        ri.pol = pol;
        ri.cv = &in.cv;
        ri.target = target;
        ri.default_ns = ns;
        ri.want_fix = true;
        if (rules_eval(&res, &ri))
            goto oom;
        rc = apply ? print_applied(d, res.patch, i == 0)
                   : print_patch(d, ns, res.patch);
        rules_result_cleanup(&res);
        if (rc)
            goto oom;
    }
    exit_code = inputs_nerrors(&in) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "rfguard fix: failed (out of memory or bad patch)\n");
out:
    fflush(stdout);
    inputs_cleanup(&in);
    policy_free(pol);
    return exit_code;
}
