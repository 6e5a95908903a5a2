/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.c - helpers every subcommand shares: opening the policy (file or
 * built-in) with its problems printed as file:line:col, option parsing and
 * the version string.
 */
#include "cli.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crd.h"
#include "rules.h"

#ifndef RFG_VERSION
#define RFG_VERSION "0.0.0"
#endif
#ifndef RFG_GIT_REV
#define RFG_GIT_REV "unknown"
#endif

const char *cli_version_number(void)
{
    return RFG_VERSION;
}

const char *cli_version(void)
{
    return "rfguard " RFG_VERSION " (rev " RFG_GIT_REV ")";
}

static void print_diags(const struct diag_list *dl, FILE *err)
{
    char line[512];
    size_t i;

    for (i = 0; i < dl->len; i++) {
        diag_format(&dl->v[i], line, sizeof(line));
        fprintf(err, "%s\n", line);
    }
    if (dl->dropped)
        fprintf(err, "... and %zu more\n", dl->dropped);
}

int cli_open_policy(struct policy_set **out, const char *path, FILE *err)
{
    struct diag_list dl;
    int rc;

    *out = NULL;
    diag_list_init(&dl, path ? path : "<builtin>");
    rc = path ? policy_load_file(out, path, &dl)
              : policy_load_builtin(out, &dl);
    if (!rc)
        rc = rules_policy_check(*out, &dl);
    if (rc) {
        /* print before freeing: diagnostics borrow the policy's name */
        fprintf(err, "rfguard: invalid policy:\n");
        print_diags(&dl, err);
        policy_free(*out);
        *out = NULL;
    }
    diag_list_cleanup(&dl);
    return rc;
}

const char *cli_opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || !*s || s[0] == '-' || v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int cli_parse_duration_ms(const char *s, unsigned lo_ms, unsigned hi_ms,
                          unsigned *out)
{
    unsigned long long ms = 0, frac = 0, scale = 1000;
    const char *p = s;
    bool dot = false;

    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        ms = ms * 10 + (unsigned)(*p - '0');
        if (ms > 100000000ULL)
            return -1;
    }
    if (*p == '.') {
        dot = true;
        if (*++p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (scale == 1)
                return -1;   /* finer than a millisecond */
            scale /= 10;
            frac += (unsigned)(*p - '0') * scale;
        }
    }
    if (!strcmp(p, "s"))
        ms = ms * 1000 + frac;
    else if (strcmp(p, "ms") || dot)
        return -1;
    if (ms < lo_ms || ms > hi_ms)
        return -1;
    *out = (unsigned)ms;
    return 0;
}

int cli_parse_target(const char *cmd, const char *s, enum rf_target *out)
{
    *out = rf_target_parse(s);
    if (*out)
        return 0;
    if (!rf_target_parse_error(s))
        fprintf(stderr, "rfguard %s: target '%s' names two versions of one "
                        "operator: give at most one per operator\n", cmd, s);
    else
        fprintf(stderr, "rfguard %s: unknown target '%s' (one of "
                        RF_TARGET_NAMES ", or a comma-separated list with "
                        "at most one per operator)\n", cmd, s);
    return -1;
}

int cli_check_stdin_name(const char *cmd, const char *name, char **paths,
                         size_t npaths)
{
    size_t i;

    if (!name)
        return 0;
    if (!*name || !strcmp(name, "-")) {
        fprintf(stderr, "rfguard %s: --stdin-filename needs a name, e.g. "
                        "--stdin-filename rendered.yaml\n", cmd);
        return -1;
    }
    for (i = 0; i < npaths; i++)
        if (!strcmp(paths[i], "-"))
            return 0;
    fprintf(stderr, "rfguard %s: --stdin-filename names stdin, but no input "
                    "is - (e.g. helm template ... | rfguard %s "
                    "--stdin-filename %s -)\n", cmd, cmd, name);
    return -1;
}

int cli_use_crd(const char *cmd, const char *path, enum rf_target t,
                bool quiet)
{
    struct diag_list dl;
    char note[900];
    int rc;

    diag_list_init(&dl, path);
    rc = crd_install_file(note, sizeof(note), path, t, &dl);
    if (rc) {
        fprintf(stderr, "rfguard %s: --crd: cannot use this CRD:\n", cmd);
        print_diags(&dl, stderr);
    } else if (!quiet) {
        fprintf(stderr, "rfguard %s: schema: %s\n", cmd, note);
    }
    diag_list_cleanup(&dl);
    return rc ? -1 : 0;
}
