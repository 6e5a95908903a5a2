/* SPDX-License-Identifier: Apache-2.0
 *
 * main.c - the rfguard binary: dispatches to a subcommand. Holds no logic
 * of its own beyond --help and version (with --verbose: which CRD schema
 * each target, and each OpsTree kind, is checked against).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "crypto.h"
#include "schema.h"

struct subcmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static int cmd_version(int argc, char **argv);

static const struct subcmd subcmds[] = {
    {"lint", cmd_lint, "check RedisFailover manifests (files, dirs, stdin)"},
    {"audit", cmd_audit, "check the failovers a cluster (or a dump of it) "
                         "already runs"},
    {"sentinels", cmd_sentinels, "find sentinel groups already merged "
                                 "across failovers (read-only)"},
    {"fix", cmd_fix, "print or apply the patch the mutating webhook makes"},
    {"serve", cmd_serve, "run the HTTPS admission webhook"},
    {"certs", cmd_certs, "generate a CA and serving certificate"},
    {"rules", cmd_rules, "list every rule with its severity, kinds and "
                         "targets"},
    {"explain", cmd_explain, "explain one rule: why, examples, fix"},
    {"version", cmd_version, "print the version (--verbose: and the CRD "
                             "schemas)"},
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

/* Field names declared under `properties` anywhere in schema `s`. */
static size_t count_fields(const cJSON *s)
{
    const cJSON *c;
    size_t n = 0;

    cJSON_ArrayForEach(c, s) {
        if (c->string && !strcmp(c->string, "properties"))
            n += (size_t)cJSON_GetArraySize(c);
        n += count_fields(c);
    }
    return n;
}

/* One line per target and kind (OpsTree has a CRD per kind): where its
 * schema comes from, the first 12 hex digits of the SHA-256 of its
 * compact JSON (two schemas with the same digest check the same) and its
 * number of fields. */
static void print_schemas(void)
{
    static const struct {
        enum rf_target t;
        enum rf_kind k;
    } all[] = {
        {RF_TARGET_SPOTAHOME_V12, RF_KIND_FAILOVER},
        {RF_TARGET_SPOTAHOME_V13, RF_KIND_FAILOVER},
        {RF_TARGET_FRESHWORKS_V33, RF_KIND_FAILOVER},
        {RF_TARGET_OPSTREE_V026, RF_KIND_SENTINEL},
        {RF_TARGET_OPSTREE_V026, RF_KIND_REPLICATION},
    };
    size_t i, k;

    printf("CRD schemas (fields the API server keeps; the rest it prunes):\n");
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const cJSON *s = schema_for_kind(all[i].t, all[i].k);
        char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
        unsigned char d[32];
        char what[200];

        schema_describe_kind(what, sizeof(what), all[i].t, all[i].k);
        printf("  %-16s %s", rf_target_name(all[i].t), what);
        if (txt) {
            rfg_sha256(txt, strlen(txt), d);
            printf(", sha256 ");
            for (k = 0; k < 6; k++)
                printf("%02x", d[k]);
            printf(", %zu fields", count_fields(s));
        }
        printf("\n");
        cJSON_free(txt);
    }
    printf("'rfguard lint --crd FILE' checks against a CRD file instead; "
           "'rfguard serve'\nwith a cluster view checks against the CRD "
           "installed there (its log says so).\n");
}

static int cmd_version(int argc, char **argv)
{
    printf("%s\n", cli_version());
    if (argc > 1 && (!strcmp(argv[1], "--verbose") ||
                     !strcmp(argv[1], "-v")))
        print_schemas();
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
