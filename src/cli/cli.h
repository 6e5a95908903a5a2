/* SPDX-License-Identifier: Apache-2.0
 *
 * cli.h - the subcommands of the one rfguard binary and the small helpers
 * they share (policy opening, option parsing). Each cmd_* takes argv with
 * argv[0] = the subcommand name and returns the process exit code.
 */
#ifndef RFG_CLI_H
#define RFG_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "sentinels.h"
#include "sprobe.h"

/* Exit codes shared by every subcommand. */
enum cli_exit {
    CLI_EXIT_OK = 0,       /* clean, or warnings only */
    CLI_EXIT_DENY = 1,     /* at least one deny finding */
    CLI_EXIT_ERROR = 2     /* usage, I/O or parse error */
};

int cmd_lint(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_certs(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_sentinels(int argc, char **argv);

/* The sentinel merge check of `rfguard sentinels` (and audit
 * --sentinels): plan from `list`, read the passwords (from the List's
 * Secrets, else through kc when not NULL), ask the sentinels and judge,
 * adding findings to rep. Prints why on failure ("rfguard CMD: ..."). */
struct kclient;
struct audit;
struct cli_sentinels_opts {
    const char *cmd;               /* "sentinels", "audit" */
    const char *file;              /* the report's file name */
    struct sentinels_opts plan;
    struct sprobe_opts probe;
    bool progress;                 /* "asked N/M sentinels..." on stderr */
    bool quiet;                    /* no note when the input has no pods */
};
int cli_sentinels_check(struct sentinels_plan *plan,
                        struct sentinels_result *res, struct report *rep,
                        const cJSON *list, struct kclient *kc,
                        const struct cli_sentinels_opts *o);
/* Make the sentinel findings of a->rep PolicyReport results: each
 * checked failover gets a document of `file` (and an entry in a->rfs
 * unless the audit has it), and its findings that document (JUnit's
 * cases, PolicyReports' resources). RFG_OK or RFG_ENOMEM. */
int cli_sentinels_policy(struct audit *a, const struct sentinels_plan *plan,
                         const char *file);
/* A dump (JSON or YAML, one List or a stream of objects) as one tree;
 * NULL after printing why ("rfguard CMD: file:line:col: ..."). */
cJSON *cli_sentinels_parse(const char *cmd, const char *buf, size_t len,
                          const char *name);
/* --password-secret NAME[:KEY] into o (NAME copied to *owned, freed
 * first). 0, or -1 when a part is empty (or out of memory). */
int cli_sentinels_secret_arg(struct sentinels_opts *o, char **owned,
                             const char *arg);
/* Append the failovers' pods (label part-of=redis-failover, every
 * namespace) of the live cluster to items. RFG_OK or an error, printed. */
int cli_sentinels_list_pods(const char *cmd, cJSON *items,
                            const char *kubeconfig, const char *context);
/* Copy the sentinel findings of `from` into the audit's report and make
 * them PolicyReport results (cli_sentinels_policy). */
int cli_sentinels_merge(struct audit *a, const struct report *from,
                        const struct sentinels_plan *plan, const char *file);

/* Load `path` (NULL = the built-in default policy), check it against the
 * rule catalogue, and print every problem to `err` as file:line:col.
 * Returns RFG_OK or an error code. */
int cli_open_policy(struct policy_set **out, const char *path, FILE *err);

/* Value of option argv[*i] when it is `name` ("--x V" or "--x=V"),
 * advancing *i past a separate value; NULL when argv[*i] is not `name`
 * or its value is missing. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* Parse --target NAME into *out; on an unknown name print "rfguard CMD:
 * unknown target ..." with the valid names and return -1. */
int cli_parse_target(const char *cmd, const char *s, enum rf_target *out);
/* Parse a decimal in [lo, hi] into *out; 0 or -1. */
int cli_parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out);
/* Parse a duration with its unit ("2s", "1.5s", "500ms") into
 * milliseconds in [lo_ms, hi_ms]; 0 or -1. A bare number is refused. */
int cli_parse_duration_ms(const char *s, unsigned lo_ms, unsigned hi_ms,
                          unsigned *out);

/* --crd FILE of lint and fix: validate target `t` against the schema of
 * the RedisFailover CRD in FILE (crd.h). Prints "rfguard CMD: schema: ..."
 * to stderr unless `quiet`, and any error as file:line:col. 0 or -1. */
int cli_use_crd(const char *cmd, const char *path, enum rf_target t,
                bool quiet);

/* --stdin-filename NAME of lint and fix: NULL when not given; else NAME
 * must be non-empty and one of the `npaths` inputs must be "-". Prints
 * "rfguard CMD: --stdin-filename ..." and returns -1 when not. */
int cli_check_stdin_name(const char *cmd, const char *name, char **paths,
                         size_t npaths);

/* "rfguard 0.1.0 (rev abc123)" */
const char *cli_version(void);
/* "0.1.0" */
const char *cli_version_number(void);

#endif
