/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c - the rfguard binary: dispatches to a subcommand. Holds no logic
 * of its own beyond --help and version.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

struct subcmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static int cmd_version(int argc, char **argv);

static const struct subcmd subcmds[] = {
    {"lint", cmd_lint, "check RedisFailover manifests (files, dirs, stdin)"},
    {"fix", cmd_fix, "print or apply the patch the mutating webhook makes"},
    {"serve", cmd_serve, "run the HTTPS admission webhook"},
    {"certs", cmd_certs, "generate a CA and serving certificate"},
    {"rules", cmd_rules, "list every rule with its severity and targets"},
    {"explain", cmd_explain, "explain one rule: why, examples, fix"},
    {"version", cmd_version, "print the version"},
};

#define NSUBCMDS (sizeof(subcmds) / sizeof(subcmds[0]))

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "rfguard - admission webhook and linter for RedisFailover "
               "(databases.spotahome.com/v1)\n\n"
               "Usage:\n  rfguard <command> [options]\n\nCommands:\n");
    for (i = 0; i < NSUBCMDS; i++)
        fprintf(f, "  %-9s %s\n", subcmds[i].name, subcmds[i].summary);
    fprintf(f, "\nRun 'rfguard <command> --help' for a command's options.\n"
               "Exit codes: 0 clean or warnings only, 1 denied findings, "
               "2 usage, I/O or parse error.\n");
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("%s\n", cli_version());
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(0, NULL);
    for (i = 0; i < NSUBCMDS; i++)
        if (!strcmp(argv[1], subcmds[i].name))
            return subcmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rfguard: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_ERROR;
}
