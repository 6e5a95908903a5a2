/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_fix.c - `rfguard fix`: show the JSON Patch the mutating webhook
 * applies to each RedisFailover, print the patched documents as YAML
 * (--apply), or patch the files in place (--write), keeping comments,
 * key order and the formatting of every line that does not change. Same
 * engine, same policy, same cluster view as `lint`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "inputs.h"
#include "jpatch.h"
#include "rules.h"
#include "sbuf.h"
#include "yedit.h"

enum fix_mode { FIX_PATCH, FIX_APPLY, FIX_WRITE };

static void fix_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard fix [options] PATH... | -\n\n"
        "Print, for each RedisFailover document, the JSON Patch (RFC 6902) "
        "that\nthe mutating webhook applies, preceded by a '# file:line: "
        "RedisFailover\nns/name' comment line.\n\n"
        "Options:\n"
        "  -p, --policy FILE     policy file (default: built-in default "
        "policy)\n"
        "  -t, --target NAME     operator target (default: the policy's)\n"
        "  -n, --namespace NS    namespace of documents that name none "
        "(default: default)\n"
        "  -a, --apply           print every document with its patch "
        "applied, as YAML\n"
        "  -w, --write           patch the files in place, changing only "
        "the lines\n"
        "                        the patch touches (comments and layout "
        "stay);\n"
        "                        templated files are refused\n"
        "  -h, --help            this help\n\n"
        "Exit codes: 0 done, 2 usage, I/O or parse error, or a file that "
        "could not\nbe rewritten safely (it is left untouched).\n");
}

static int print_patch(const struct input_doc *d, const char *ns,
                       const cJSON *patch)
{
    char *s = jpatch_format(patch, false);   /* 2-space JSON, '\n' */

    if (!s)
        return RFG_ENOMEM;
    printf("# %s:%u: RedisFailover %s/%s\n%s", d->file->name, d->pos.line,
           rf_namespace(d->obj, ns), rf_name(d->obj) ? rf_name(d->obj) : "",
           s);
    free(s);
    return RFG_OK;
}

static int print_applied(const cJSON *obj, bool first)
{
    struct sbuf out;
    int rc;

    sbuf_init(&out, 0);
    rc = ydoc_emit(&out, obj);
    if (!rc)
        printf("%s%s", first ? "" : "---\n", sbuf_str(&out));
    sbuf_cleanup(&out);
    return rc;
}

/* The first line holding "{{", or 0: helm/gotemplate sources cannot be
 * patched, their rendered output can. */
static unsigned template_line(const char *buf, size_t len)
{
    unsigned line = 1;
    size_t i;

    for (i = 0; i + 1 < len; i++) {
        if (buf[i] == '\n')
            line++;
        else if (buf[i] == '{' && buf[i + 1] == '{')
            return line;
    }
    return 0;
}

/* Expand a parsed stream into its objects, as lint and fix read them. */
static int copy_object(void *arg, const struct ydoc *yd, const cJSON *obj,
                       struct src_pos pos)
{
    cJSON *c = cJSON_Duplicate(obj, 1);

    (void)yd;
    (void)pos;
    if (!c || !cJSON_AddItemToArray(arg, c)) {
        cJSON_Delete(c);
        return RFG_ENOMEM;
    }
    return RFG_OK;
}

static int objects_of(cJSON *out, const struct ydoc_stream *ys)
{
    size_t i;
    int rc = RFG_OK;

    for (i = 0; i < ys->len && !rc; i++)
        rc = inputs_each_object(&ys->docs[i], copy_object, out);
    return rc;
}

static int write_atomically(const char *path, const char *data, size_t len)
{
    struct stat st;
    struct sbuf tmp;
    FILE *f;
    int rc = RFG_EIO;

    sbuf_init(&tmp, 0);
    if (sbuf_printf(&tmp, "%s.rfguard-XXXXXX", path))
        return RFG_ENOMEM;
    {
        int fd = mkstemp(tmp.p);

        if (fd < 0) {
            sbuf_cleanup(&tmp);
            return RFG_EIO;
        }
        if (stat(path, &st) == 0)
            (void)fchmod(fd, st.st_mode & 07777);
        f = fdopen(fd, "wb");
        if (!f) {
            close(fd);
            unlink(tmp.p);
            sbuf_cleanup(&tmp);
            return RFG_EIO;
        }
    }
    if (fwrite(data, 1, len, f) == len && fflush(f) == 0 &&
        fsync(fileno(f)) == 0)
        rc = RFG_OK;
    if (fclose(f) != 0)
        rc = RFG_EIO;
    if (rc == RFG_OK && rename(tmp.p, path) != 0)
        rc = RFG_EIO;
    if (rc)
        unlink(tmp.p);
    sbuf_cleanup(&tmp);
    return rc;
}

/* Patch one file in place. `res[i]` are the results of its documents
 * d[0..n). Returns RFG_OK (written or unchanged) or an error already
 * reported on stderr. */
static int write_file(struct input_file *f, const struct input_doc *d,
                      size_t n, cJSON **after)
{
    struct yedit *ye = NULL;
    struct diag_list dl;
    struct ydoc_stream ys = {0};
    struct sbuf out;
    cJSON *want = NULL, *got = NULL;
    size_t i, changed = 0;
    unsigned tl;
    char line[512];
    int rc;

    diag_list_init(&dl, f->name);
    sbuf_init(&out, 0);
    for (i = 0; i < n; i++)
        changed += after[i] != NULL;
    if (!changed) {
        fprintf(stderr, "%s: nothing to fix\n", f->name);
        return RFG_OK;
    }
    if (!strcmp(f->path, "-")) {
        fprintf(stderr, "rfguard fix: --write cannot rewrite stdin; use "
                        "--apply\n");
        return RFG_EINVAL;
    }
    tl = template_line(f->buf, f->len);
    if (tl) {
        fprintf(stderr, "%s:%u: refusing to rewrite a template ('{{'): fix "
                        "the chart's values or templates, or run "
                        "'rfguard fix' on the rendered output\n",
                f->name, tl);
        return RFG_EINVAL;
    }
    rc = yedit_new(&ye, f->buf, f->len, &dl);
    for (i = 0; !rc && i < n; i++)
        if (after[i])
            rc = yedit_diff(ye, posmap_get(d[i].doc->pm, d[i].obj),
                            d[i].obj, after[i], &dl);
    if (!rc)
        rc = yedit_render(ye, &out);
    /* Read the result back: it must be exactly the patched objects. */
    want = cJSON_CreateArray();
    got = cJSON_CreateArray();
    if (!rc && (!want || !got))
        rc = RFG_ENOMEM;
    for (i = 0; !rc && i < n; i++)
        if (!cJSON_AddItemToArray(want, cJSON_Duplicate(after[i] ? after[i]
                                                                  : d[i].obj,
                                                        1)))
            rc = RFG_ENOMEM;
    if (!rc)
        rc = ydoc_load(&ys, sbuf_str(&out), out.len, NULL, &dl);
    if (!rc)
        rc = objects_of(got, &ys);
    if (!rc && !cJSON_Compare(want, got, 1))
        rc = diag_fail(&dl, RFG_EINVAL, NULL,
                       "cannot rewrite in place: the result would not read "
                       "back as the patched objects");
    if (!rc) {
        rc = write_atomically(f->path, out.p, out.len);
        if (rc)
            diag_fail(&dl, rc, NULL, "cannot write: %s", strerror(errno));
        else
            fprintf(stderr, "%s: fixed %zu failover%s\n", f->name, changed,
                    changed == 1 ? "" : "s");
    }
    if (rc) {
        for (i = 0; i < dl.len; i++) {
            diag_format(&dl.v[i], line, sizeof(line));
            fprintf(stderr, "%s (file left unchanged)\n", line);
        }
        if (!dl.len)
            fprintf(stderr, "%s: cannot rewrite in place (file left "
                            "unchanged)\n", f->name);
    }
    ydoc_stream_cleanup(&ys);
    cJSON_Delete(want);
    cJSON_Delete(got);
    yedit_free(ye);
    sbuf_cleanup(&out);
    diag_list_cleanup(&dl);
    return rc;
}

int cmd_fix(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"namespace", required_argument, NULL, 'n'},
        {"apply", no_argument, NULL, 'a'},
        {"write", no_argument, NULL, 'w'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL, *ns = "default";
    struct policy_set *pol = NULL;
    struct input_set in;
    enum rf_target target = 0;
    enum fix_mode mode = FIX_PATCH;
    cJSON **after = NULL;
    int c, exit_code = CLI_EXIT_ERROR;
    size_t i, k;
    bool failed = false;
    char line[512];

    /* one arena per input file holds its trees (see arena.h) */
    arena_install_cjson_hooks();
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:n:awh", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            if (cli_parse_target("fix", optarg, &target))
                return CLI_EXIT_ERROR;
            break;
        case 'n':
            ns = optarg;
            break;
        case 'a':
            mode = FIX_APPLY;
            break;
        case 'w':
            mode = FIX_WRITE;
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
    for (i = 0; i < in.nfiles; i++)
        for (k = 0; k < in.files[i].errs.len; k++) {
            diag_format(&in.files[i].errs.v[k], line, sizeof(line));
            fprintf(stderr, "%s\n", line);
            failed = true;
        }
    after = calloc(in.ndocs + 1, sizeof(*after));
    if (!after)
        goto oom;
    for (i = 0; i < in.ndocs; i++) {
        const struct input_doc *d = &in.docs[i];
        struct rules_input ri;
        struct rules_result res;
        struct diag_list dl;
        int rc = RFG_OK;

        if (!rf_is_failover(d->obj)) {
            if (mode == FIX_APPLY && print_applied(d->obj, i == 0))
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
        if (mode == FIX_PATCH) {
            rc = print_patch(d, ns, res.patch);
        } else if (cJSON_GetArraySize(res.patch) > 0 || mode == FIX_APPLY) {
            after[i] = cJSON_Duplicate(d->obj, 1);
            diag_list_init(&dl, d->file->name);
            rc = after[i] ? jpatch_apply(&after[i], res.patch, &dl)
                          : RFG_ENOMEM;
            diag_list_cleanup(&dl);
            if (!rc && mode == FIX_APPLY)
                rc = print_applied(after[i], i == 0);
        }
        rules_result_cleanup(&res);
        if (rc)
            goto oom;
    }
    if (mode == FIX_WRITE) {
        for (i = 0, k = 0; i < in.nfiles; i++) {
            size_t start = k;

            while (k < in.ndocs && in.docs[k].file == &in.files[i])
                k++;
            if (in.files[i].errs.nerr) {
                unsigned tl = template_line(in.files[i].buf,
                                            in.files[i].len);

                if (tl)
                    fprintf(stderr, "%s:%u: refusing to rewrite a template "
                                    "('{{'): run 'rfguard fix' on the "
                                    "rendered output\n",
                            in.files[i].name, tl);
                continue;
            }
            if (write_file(&in.files[i], in.docs + start, k - start,
                           after + start))
                failed = true;
        }
    }
    exit_code = failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    goto out;
oom:
    fprintf(stderr, "rfguard fix: out of memory\n");
out:
    fflush(stdout);
    for (i = 0; after && i < in.ndocs; i++)
        cJSON_Delete(after[i]);
    free(after);
    inputs_cleanup(&in);
    policy_free(pol);
    return exit_code;
}
