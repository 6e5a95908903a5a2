/* SPDX-License-Identifier: Apache-2.0
 *
 * cmd_rules.c - `rfguard rules` lists the catalogue (id, severity under
 * a policy, the kinds each rule checks, the operator targets it applies
 * to, what it checks) as a table or as JSON, filtered by target and kind,
 * and `rfguard explain RULE` prints the rule's descriptor line and its
 * doc, docs/rules/<id>.md as compiled in (rule_docs.h): why, a failing
 * and a passing example, and the fix. Read-only; no rule is evaluated
 * here. scripts/rules-table.sh builds the README's table from the JSON.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "rule_docs.h"
#include "rules.h"

static const enum rf_kind all_kinds[] = {RF_KIND_FAILOVER, RF_KIND_SENTINEL,
                                         RF_KIND_REPLICATION};
static const enum rf_target all_targets[] = {
    RF_TARGET_SPOTAHOME_V12, RF_TARGET_SPOTAHOME_V13,
    RF_TARGET_FRESHWORKS_V33, RF_TARGET_OPSTREE_V026};
#define NKINDS (sizeof(all_kinds) / sizeof(all_kinds[0]))
#define NTARGETS (sizeof(all_targets) / sizeof(all_targets[0]))

enum rules_format { FMT_TEXT, FMT_JSON };

/* The targets under which rule `d` checks something: those it lists
 * whose operator checks one of its kinds (a RedisFailover rule that
 * lists every target does nothing under opstree-v0.26). */
static unsigned effective_targets(const struct rule_desc *d)
{
    unsigned kinds = rules_kinds(d), out = 0;
    size_t i;

    for (i = 0; i < NTARGETS; i++)
        if ((d->targets & all_targets[i]) &&
            (rf_target_kinds(all_targets[i]) & kinds))
            out |= all_targets[i];
    return out;
}

/* Every target whose operator checks one of `kinds`. */
static unsigned targets_of_kinds(unsigned kinds)
{
    unsigned out = 0;
    size_t i;

    for (i = 0; i < NTARGETS; i++)
        if (rf_target_kinds(all_targets[i]) & kinds)
            out |= all_targets[i];
    return out;
}

/* Names of the kinds in `kinds`, joined by `sep`, into buf; "all" for
 * every kind when `all` is set. */
static void kind_names(char *buf, size_t len, unsigned kinds, bool all,
                       const char *sep)
{
    size_t i, o = 0;

    buf[0] = '\0';
    if (all && (kinds & RF_KIND_ANY) == RF_KIND_ANY) {
        snprintf(buf, len, "all");
        return;
    }
    for (i = 0; i < NKINDS && o < len; i++)
        if (kinds & all_kinds[i]) {
            int n = snprintf(buf + o, len - o, "%s%s", o ? sep : "",
                             rf_kind_name(all_kinds[i]));

            if (n < 0)
                return;
            o += (size_t)n;
        }
}

/* Names of the targets rule `d` applies to, joined by `sep`, into buf;
 * "all" when `all` is set and it applies under every target of the
 * operators of its kinds. */
static void target_names(char *buf, size_t len, const struct rule_desc *d,
                         bool all, const char *sep)
{
    unsigned t = effective_targets(d);
    size_t i, o = 0;

    buf[0] = '\0';
    if (all && t && t == targets_of_kinds(rules_kinds(d))) {
        snprintf(buf, len, "all");
        return;
    }
    for (i = 0; i < NTARGETS && o < len; i++)
        if (t & all_targets[i]) {
            int n = snprintf(buf + o, len - o, "%s%s", o ? sep : "",
                             rf_target_name(all_targets[i]));

            if (n < 0)
                return;
            o += (size_t)n;
        }
}

/* The targets a run under `pol` checks with, one per operator: the
 * policy's, and each operator's default where it names none. A --target
 * filter `target` is shown as given. */
static void shown_target(char *buf, size_t len, const struct policy_set *pol,
                         unsigned target)
{
    unsigned set = target;

    if (!set)
        set = rf_target_pick(pol->target, RF_KIND_FAILOVER) |
              rf_target_pick(pol->target, RF_KIND_SENTINEL);
    rf_target_format(buf, len, set);
}

/* Is the `n` bytes at `s` the string `w`, ignoring case? */
static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && !strncasecmp(s, w, n);
}

/* One kind as kubectl takes a resource: its kind or singular name, its
 * plural or the short name rf, each optionally followed by .GROUP;
 * case-insensitive. 0 for any other name. */
static unsigned kind_parse_one(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    size_t i, m = dot ? (size_t)(dot - s) : n;

    for (i = 0; i < NKINDS; i++) {
        enum rf_kind k = all_kinds[i];

        if (dot && !word_is(dot + 1, n - m - 1, rf_kind_group(k)))
            continue;
        if (word_is(s, m, rf_kind_name(k)) ||
            word_is(s, m, rf_kind_resource(k)) ||
            (k == RF_KIND_FAILOVER && word_is(s, m, "rf")))
            return k;
    }
    return 0;
}

/* --kind: one kind or a comma-separated list; 0 when a name is unknown
 * (said on stderr). */
static unsigned kinds_parse(const char *s)
{
    const char *p = s;
    unsigned set = 0;

    for (;;) {
        size_t n = strcspn(p, ",");
        unsigned k = kind_parse_one(p, n);

        if (!k) {
            fprintf(stderr, "rfguard rules: unknown kind '%.*s' "
                            "(RedisFailover, RedisSentinel or "
                            "RedisReplication, or their resource names "
                            "redisfailovers, redissentinels, "
                            "redisreplications; or a comma-separated "
                            "list)\n", (int)n, p);
            return 0;
        }
        set |= k;
        if (!p[n])
            return set;
        p += n + 1;
    }
}

/* Is rule `d` listed under the --target set `target` (0: any) and the
 * --kind set `kinds` (0: any)? */
static bool rule_shown(const struct rule_desc *d, unsigned target,
                       unsigned kinds)
{
    unsigned rk = rules_kinds(d), t = effective_targets(d);

    if (kinds && !(rk & kinds))
        return false;
    if (!target)
        return true;
    t &= target;
    if (kinds)
        t &= targets_of_kinds(rk & kinds);
    return t != 0;
}

static void rules_usage(FILE *f)
{
    fprintf(f,
        "Usage: rfguard rules [options]\n\n"
        "List every rule: id, severity under the policy, the kinds it\n"
        "checks, the operator targets it applies to, and what it checks.\n"
        "KINDS and TARGETS say \"all\" for every kind, and for every\n"
        "target of the operators that run those kinds.\n\n"
        "Options:\n"
        "  -p, --policy FILE   policy file (default: the built-in default)\n"
        "  -t, --target NAME   only rules for this target (spotahome-v1.2,\n"
        "                      spotahome-v1.3, freshworks-v3.3,\n"
        "                      opstree-v0.26), or a comma-separated list\n"
        "                      with at most one per operator\n"
        "      --kind KIND     only rules that check this kind\n"
        "                      (RedisFailover, RedisSentinel,\n"
        "                      RedisReplication, or redisfailovers,\n"
        "                      redissentinels, redisreplications), or a\n"
        "                      comma-separated list\n"
        "  -o, --format FMT    text (default) or json\n"
        "  -h, --help          this help\n");
}

/* A JSON array of the names `names` holds, joined by ",". */
static cJSON *name_array(const char *names)
{
    cJSON *a = cJSON_CreateArray();
    const char *p = names;

    while (a && *p) {
        size_t n = strcspn(p, ",");
        char one[64];

        snprintf(one, sizeof(one), "%.*s", (int)n, p);
        if (!cJSON_AddItemToArray(a, cJSON_CreateString(one))) {
            cJSON_Delete(a);
            return NULL;
        }
        p += n + (p[n] ? 1 : 0);
    }
    return a;
}

/* Add array `a` (taken, freed on failure) to `o` as `key`. */
static bool add_array(cJSON *o, const char *key, cJSON *a)
{
    if (a && cJSON_AddItemToObject(o, key, a))
        return true;
    cJSON_Delete(a);
    return false;
}

/* One rule as a JSON object; NULL on OOM. */
static cJSON *rule_json(const struct rule_desc *d,
                        const struct policy_set *pol)
{
    cJSON *o = cJSON_CreateObject(), *params;
    char buf[128];
    const char *p;

    if (!o || !cJSON_AddStringToObject(o, "id", d->id) ||
        !cJSON_AddStringToObject(o, "severity",
                                 rfg_sev_name(rules_severity(d, pol))) ||
        !cJSON_AddStringToObject(o, "defaultSeverity",
                                 rfg_sev_name(d->default_sev)))
        goto fail;
    kind_names(buf, sizeof(buf), rules_kinds(d), false, ",");
    if (!add_array(o, "kinds", name_array(buf)))
        goto fail;
    target_names(buf, sizeof(buf), d, false, ",");
    if (!add_array(o, "targets", name_array(buf)) ||
        !cJSON_AddStringToObject(o, "checks", d->doc) ||
        !cJSON_AddBoolToObject(o, "updateOnly",
                               (d->flags & RULE_UPDATE_ONLY) != 0) ||
        !cJSON_AddBoolToObject(o, "cluster",
                               (d->flags & RULE_CLUSTER) != 0) ||
        !cJSON_AddBoolToObject(o, "fix", d->fix != NULL) ||
        !(params = cJSON_AddArrayToObject(o, "parameters")))
        goto fail;
    for (p = d->params; *p;) {
        size_t n = strcspn(p, " ");

        snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
        if (n && !cJSON_AddItemToArray(params, cJSON_CreateString(buf)))
            goto fail;
        p += n + (p[n] ? 1 : 0);
    }
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* The listing as JSON on stdout: {"policy", "target" (the targets in
 * force, or the --target filter), "knownTargets" (every target and the
 * kinds its operator runs), "rules": [...]}. */
static int print_json(const struct policy_set *pol, unsigned target,
                      unsigned kinds)
{
    const struct rule_desc *cat;
    cJSON *root = cJSON_CreateObject(), *arr;
    char tg[128];
    char *s = NULL;
    size_t n, i;

    shown_target(tg, sizeof(tg), pol, target);
    if (!root || !cJSON_AddStringToObject(root, "policy", pol->name) ||
        !add_array(root, "target", name_array(tg)) ||
        !(arr = cJSON_AddArrayToObject(root, "knownTargets")))
        goto oom;
    for (i = 0; i < NTARGETS; i++) {
        cJSON *t = cJSON_CreateObject();

        kind_names(tg, sizeof(tg), rf_target_kinds(all_targets[i]), false,
                   ",");
        if (!cJSON_AddItemToArray(arr, t)) {
            cJSON_Delete(t);
            goto oom;
        }
        if (!cJSON_AddStringToObject(t, "name",
                                     rf_target_name(all_targets[i])) ||
            !add_array(t, "kinds", name_array(tg)))
            goto oom;
    }
    if (!(arr = cJSON_AddArrayToObject(root, "rules")))
        goto oom;
    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        if (!rule_shown(&cat[i], target, kinds))
            continue;
        if (!cJSON_AddItemToArray(arr, rule_json(&cat[i], pol)))
            goto oom;
    }
    s = cJSON_Print(root);
    if (!s)
        goto oom;
    printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(root);
    return CLI_EXIT_OK;
oom:
    cJSON_Delete(root);
    fprintf(stderr, "rfguard rules: out of memory\n");
    return CLI_EXIT_ERROR;
}

/* The listing as a table on stdout, columns as wide as their widest
 * cell, and a summary line. */
static int print_text(const struct policy_set *pol, unsigned target,
                      unsigned kinds)
{
    const struct rule_desc *cat;
    int wid = 4, wk = 5, wt = 7;
    size_t n, i, shown = 0;
    char buf[128];

    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        if (!rule_shown(&cat[i], target, kinds))
            continue;
        if ((int)strlen(cat[i].id) > wid)
            wid = (int)strlen(cat[i].id);
        kind_names(buf, sizeof(buf), rules_kinds(&cat[i]), true, ",");
        if ((int)strlen(buf) > wk)
            wk = (int)strlen(buf);
        target_names(buf, sizeof(buf), &cat[i], true, ",");
        if ((int)strlen(buf) > wt)
            wt = (int)strlen(buf);
    }
    printf("%-*s %-5s %-*s %-*s %s\n", wid, "RULE", "SEV", wk, "KINDS", wt,
           "TARGETS", "CHECKS");
    for (i = 0; i < n; i++) {
        char tg[128];

        if (!rule_shown(&cat[i], target, kinds))
            continue;
        kind_names(buf, sizeof(buf), rules_kinds(&cat[i]), true, ",");
        target_names(tg, sizeof(tg), &cat[i], true, ",");
        printf("%-*s %-5s %-*s %-*s %s%s%s\n", wid, cat[i].id,
               rfg_sev_name(rules_severity(&cat[i], pol)), wk, buf, wt, tg,
               cat[i].doc, cat[i].flags & RULE_UPDATE_ONLY ? " [update]" : "",
               cat[i].fix ? " [fix]" : "");
        shown++;
    }
    shown_target(buf, sizeof(buf), pol, target);
    printf("\n%zu rules; policy %s, target %s", shown, pol->name, buf);
    if (kinds) {
        kind_names(buf, sizeof(buf), kinds, false, ",");
        printf(", kind %s", buf);
    }
    printf("\n");
    return CLI_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    enum { OPT_KIND = 256 };
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},
        {"target", required_argument, NULL, 't'},
        {"kind", required_argument, NULL, OPT_KIND},
        {"format", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *policy_path = NULL;
    struct policy_set *pol = NULL;
    enum rf_target target = 0;
    enum rules_format fmt = FMT_TEXT;
    unsigned kinds = 0;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "p:t:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy_path = optarg;
            break;
        case 't':
            if (cli_parse_target("rules", optarg, &target))
                return CLI_EXIT_ERROR;
            break;
        case OPT_KIND:
            if (!(kinds = kinds_parse(optarg)))
                return CLI_EXIT_ERROR;
            break;
        case 'o':
            if (!strcmp(optarg, "text")) {
                fmt = FMT_TEXT;
            } else if (!strcmp(optarg, "json")) {
                fmt = FMT_JSON;
            } else {
                fprintf(stderr, "rfguard rules: unknown format '%s' "
                                "(text or json)\n", optarg);
                return CLI_EXIT_ERROR;
            }
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
    rc = fmt == FMT_JSON ? print_json(pol, target, kinds)
                         : print_text(pol, target, kinds);
    policy_free(pol);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    const struct rule_desc *d;
    const struct rule_doc *doc;
    char kn[128], tg[128];

    if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fprintf(argc == 2 ? stdout : stderr,
                "Usage: rfguard explain RULE\n\n"
                "Print what RULE checks (which kinds, under which "
                "targets), why, a failing\nand a passing example, and the "
                "fix. 'rfguard rules' lists the rule ids.\n");
        return argc == 2 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
    }
    d = rules_find(argv[1]);
    if (!d) {
        fprintf(stderr, "rfguard explain: unknown rule '%s' (see 'rfguard "
                        "rules')\n", argv[1]);
        return CLI_EXIT_ERROR;
    }
    kind_names(kn, sizeof(kn), rules_kinds(d), false, ", ");
    target_names(tg, sizeof(tg), d, false, ", ");
    printf("%s (default: %s; kinds: %s; targets: %s%s%s%s%s)\n\n", d->id,
           rfg_sev_name(d->default_sev), kn, tg,
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
