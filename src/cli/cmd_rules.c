/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_rules.c - `rfguard rules` lists the catalogue (id, severity under
 * a policy, the operator targets each rule applies to, what it checks) and
 * `rfguard explain RULE` prints the rule's descriptor line and its doc,
 * docs/rules/<id>.md as compiled in (rule_docs.h): why, a failing and a
 * passing example, and the fix. Read-only; no rule is evaluated here.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rule_docs.h"
#include "rules.h"

/* "spotahome-v1.2,spotahome-v1.3" for a target bit set, into buf. */
static void target_names(char *buf, size_t len, unsigned targets)
{
    static const enum rf_target all[] = {RF_TARGET_SPOTAHOME_V12,
                                         RF_TARGET_SPOTAHOME_V13,
                                         RF_TARGET_FRESHWORKS_V33};
    size_t i, o = 0;

    buf[0] = '\0';
    if ((targets & RF_TARGET_ALL) == RF_TARGET_ALL) {
        snprintf(buf, len, "all");
        return;
    }
    for (i = 0; i < 3 && o < len; i++)
        if (targets & all[i])
            o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? "," : "",
                                  rf_target_name(all[i]));
}

static void rules_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard rules [options]\n\n"
        "List every rule: id, severity under the policy, the operator\n"
        "targets it applies to, and what it checks.\n\n"
        "Options:\n"
        "  -p, --policy FILE   policy file (default: the built-in default)\n"
        "  -t, --target NAME   only rules for this target (spotahome-v1.2,\n"
        "                      spotahome-v1.3, freshworks-v3.3)\n"
        "  -h, --help          this help\n");
}

int cmd_rules(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL;
    struct policy_set *pol = NULL;
    const struct rule_desc *cat;
    enum rf_target target = 0;
    size_t n, i, shown = 0;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            if (cli_parse_target("rules", optarg, &target))
                return CLI_EXIT_ERROR;
            break;
        case 'h':
            rules_usage(stdout);
            return CLI_EXIT_OK;
        default:
            rules_usage(stderr);
            return CLI_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rfguard rules: unexpected argument '%s'\n",
                argv[optind]);
        return CLI_EXIT_ERROR;
    }
    if (cli_open_policy(&pol, policy_path, stderr))
        return CLI_EXIT_ERROR;
    cat = rules_catalog(&n);
    printf("%-32s %-5s %-15s %s\n", "RULE", "SEV", "TARGETS", "CHECKS");
    for (i = 0; i < n; i++) {
        char tg[64];

        if (target && !(cat[i].targets & target))
            continue;
        target_names(tg, sizeof(tg), cat[i].targets);
        printf("%-32s %-5s %-15s %s%s%s\n", cat[i].id,
               rfg_sev_name(rules_severity(&cat[i], pol)), tg, cat[i].doc,
               cat[i].flags & RULE_UPDATE_ONLY ? " [update]" : "",
               cat[i].fix ? " [fix]" : "");
        shown++;
    }
    printf("\n%zu rules; policy %s, target %s\n", shown, pol->name,
           rf_target_name(target ? target : pol->target));
    policy_free(pol);
    return CLI_EXIT_OK;
}

int cmd_explain(int argc, char **argv)
{
    const struct rule_desc *d;
    const struct rule_doc *doc;
    char tg[64];

    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(argc == 2 ? stdout : stderr,
                "Usage: rfguard explain RULE\n\n"
                "Print what RULE checks, why, a failing and a passing "
                "example, and the fix.\n'rfguard rules' lists the rule "
                "ids.\n");
        return argc == 2 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    }
    d = rules_find(argv[1]);
    if (!d) {
        fprintf(stderr, "rfguard explain: unknown rule '%s' (see 'rfguard "
                        "rules')\n", argv[1]);
        return CLI_EXIT_ERROR;
    }
    target_names(tg, sizeof(tg), d->targets);
    printf("%s (default: %s; targets: %s%s%s%s%s)\n\n", d->id,
           rfg_sev_name(d->default_sev), tg,
           d->flags & RULE_UPDATE_ONLY ? "; on UPDATE" : "",
           d->fix ? "; fix: rfguard fix" : "",
           *d->params ? "; parameters: " : "", d->params);
    doc = rule_doc_find(d->id);
    if (!doc) {
        /* Every catalogue rule has a doc (a test checks it); this is
         * only a fallback for a build without docs/rules. */
        printf("%s\n", d->doc);
        return CLI_EXIT_OK;
    }
    fwrite(doc->text, 1, doc->len, stdout);
    if (doc->len && doc->text[doc->len - 1] != '\n')
        putchar('\n');
    return CLI_EXIT_OK;
}
