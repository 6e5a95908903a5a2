/* SPDX-License-Identifier: Apache-2.0
 *
 * test_rules.c - every rule of the catalogue against its fixtures in
 * tests/rules/<rule-id>/: each pass*.yaml must give no finding of that
 * rule, each fail*.yaml at least one, and every "# expect: SEV POINTER"
 * line in a fixture must match a finding exactly. "# target: NAME" picks
 * the operator target. Also checks that fixes are idempotent on every
 * fixture, and that the catalogue has a fixture pair for each rule.
 *
 * Update rules: "# old: first" makes the file an UPDATE, with the first
 * RedisFailover of the file the old object and the second the new one
 * (only the new one is evaluated; both feed the cluster view, where the
 * old one counts as the object itself). "# master: N" says the ordinal
 * of the redis master pod is known to be N (scale-down-master).
 * Exemptions: "# skipped: RULE" expects RULE among the skipped rules.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "crypto.h"
#include "inputs.h"
#include "jpatch.h"
#include "rule_docs.h"
#include "rules.h"

static struct policy_set *pol;

struct fixture {
    char path[1024];
    char target[64];
    char expect[8][256];
    int nexpect;
    bool update;        /* "# old: first" */
    int master;         /* "# master: N", or -1 */
    char skipped[128];  /* "# skipped: RULE" */
};

static void read_header(struct fixture *fx)
{
    FILE *f = fopen(fx->path, "r");
    char line[512];

    fx->nexpect = 0;
    fx->target[0] = '\0';
    fx->update = false;
    fx->master = -1;
    fx->skipped[0] = '\0';
    if (!f)
        return;
    while (fgets(line, sizeof(line), f) && line[0] == '#') {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "# target: ", 10))
            snprintf(fx->target, sizeof(fx->target), "%.60s", line + 10);
        else if (!strcmp(line, "# old: first"))
            fx->update = true;
        else if (!strncmp(line, "# master: ", 10))
            fx->master = (int)strtol(line + 10, NULL, 10);
        else if (!strncmp(line, "# skipped: ", 11))
            snprintf(fx->skipped, sizeof(fx->skipped), "%.120s", line + 11);
        else if (!strncmp(line, "# expect: ", 10) && fx->nexpect < 8)
            snprintf(fx->expect[fx->nexpect++], 256, "%.250s", line + 10);
    }
    fclose(f);
}

/* Evaluate every failover of the fixture; count findings of `rule` and
 * tick off the expectations they meet. Returns the count. */
static int eval_fixture(const struct fixture *fx, const char *rule,
                        int *met)
{
    struct input_set in;
    char *paths[1];
    const cJSON *old = NULL;
    bool skip_met = false;
    int n = 0;
    size_t i, k;
    int e;

    inputs_init(&in, "default", rfg_sha256);
    paths[0] = (char *)(uintptr_t)fx->path;
    CHECK(inputs_load(&in, paths, 1, NULL) == RFG_OK);
    CHECK_INT_EQ(inputs_nerrors(&in), 0);
    for (i = 0; i < in.ndocs; i++) {
        struct rules_input ri = {0};
        struct rules_result res;

        /* every kind the engine checks; Secrets and the rest only feed
         * the view */
        if (!rf_kind_of(in.docs[i].obj))
            continue;
        if (fx->update && !old) {
            old = in.docs[i].obj;
            continue;
        }
        ri.obj = in.docs[i].obj;
        ri.old = fx->update ? old : NULL;
        ri.op = fx->update ? RULES_UPDATE : RULES_CREATE;
        ri.master_known = fx->master >= 0;
        ri.master_ordinal = fx->master;
        ri.pol = pol;
        ri.cv = &in.cv;
        ri.target = rf_target_parse(fx->target);
        ri.want_fix = true;
        CHECK(rules_eval(&res, &ri) == RFG_OK);
        for (k = 0; k < res.nskipped; k++)
            if (res.skipped[k].rule &&
                !strcmp(res.skipped[k].rule->id, fx->skipped) &&
                res.skipped[k].reason[0])
                skip_met = true;
        for (k = 0; k < res.len; k++) {
            char got[256];

            if (strcmp(res.v[k].rule->id, rule))
                continue;
            n++;
            snprintf(got, sizeof(got), "%s %s", rfg_sev_name(res.v[k].sev),
                     res.v[k].ptr);
            for (e = 0; e < fx->nexpect; e++)
                if (!strcmp(got, fx->expect[e]))
                    met[e] = 1;
        }
        /* Idempotence: patch, re-evaluate, the patch must be empty. */
        if (res.patch && cJSON_GetArraySize(res.patch) > 0) {
            cJSON *obj = cJSON_Duplicate(ri.obj, 1);
            struct diag_list dl;
            struct rules_result again;

            diag_list_init(&dl, NULL);
            CHECK(jpatch_apply(&obj, res.patch, &dl) == RFG_OK);
            ri.obj = obj;
            CHECK(rules_eval(&again, &ri) == RFG_OK);
            if (cJSON_GetArraySize(again.patch) != 0) {
                char *s = cJSON_PrintUnformatted(again.patch);

                fprintf(stderr, "%s: second fix not empty: %s\n", fx->path,
                        s);
                free(s);
                CHECK(0);
            }
            rules_result_cleanup(&again);
            diag_list_cleanup(&dl);
            cJSON_Delete(obj);
        }
        rules_result_cleanup(&res);
    }
    if (fx->skipped[0] && !skip_met) {
        fprintf(stderr, "%s: %s was not skipped\n", fx->path, fx->skipped);
        CHECK(0);
    }
    inputs_cleanup(&in);
    return n;
}

static void test_rules__fixtures(void)
{
    const struct rule_desc *cat;
    size_t ncat, r;

    cat = rules_catalog(&ncat);
    CHECK(ncat >= 17);
    for (r = 0; r < ncat; r++) {
        char dir[512];
        DIR *d;
        struct dirent *de;
        int npass = 0, nfail = 0;

        snprintf(dir, sizeof(dir), "%s/rules/%s", RFG_TEST_DIR, cat[r].id);
        d = opendir(dir);
        if (!d) {
            fprintf(stderr, "no fixtures for rule %s\n", cat[r].id);
            CHECK(d != NULL);
            continue;
        }
        while ((de = readdir(d))) {
            struct fixture fx;
            int met[8] = {0};
            int n, e;
            bool fail = !strncmp(de->d_name, "fail", 4);

            if (!strstr(de->d_name, ".yaml"))
                continue;
            snprintf(fx.path, sizeof(fx.path), "%s/%s", dir, de->d_name);
            read_header(&fx);
            n = eval_fixture(&fx, cat[r].id, met);
            if (fail) {
                nfail++;
                if (n == 0)
                    fprintf(stderr, "%s: expected a %s finding\n", fx.path,
                            cat[r].id);
                CHECK(n > 0);
                for (e = 0; e < fx.nexpect; e++) {
                    if (!met[e])
                        fprintf(stderr, "%s: no finding \"%s\"\n", fx.path,
                                fx.expect[e]);
                    CHECK(met[e]);
                }
            } else {
                npass++;
                if (n != 0)
                    fprintf(stderr, "%s: unexpected %s finding\n", fx.path,
                            cat[r].id);
                CHECK_INT_EQ(n, 0);
            }
        }
        closedir(d);
        if (!npass || !nfail)
            fprintf(stderr, "rule %s needs pass and fail fixtures\n",
                    cat[r].id);
        CHECK(npass > 0);
        CHECK(nfail > 0);
    }
}

/* A policy from YAML text, checked against the catalogue. */
static struct policy_set *policy_from(const char *yaml)
{
    struct policy_set *p = NULL;
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load(&p, yaml, strlen(yaml), "test.yaml", &dl),
                 RFG_OK);
    if (p)
        CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
    diag_list_cleanup(&dl);
    return p;
}

/* The per-failover spread mutation, scoped to the failover's own labels:
 * the anti-affinity over nodes is preferred unless the policy says
 * mode: required. */
static void test_rules__spread_fix_shape(void)
{
    const char *src =
        "{\"apiVersion\":\"databases.spotahome.com/v1\","
        "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"cache\"},"
        "\"spec\":{\"auth\":{\"secretPath\":\"x\"}}}";
    struct policy_set *req = policy_from(
        "apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n"
        "  rules:\n    spread-missing: {severity: warn, mode: required}\n");
    cJSON *obj = cJSON_Parse(src);
    struct rules_input ri = {0};
    struct rules_result res;
    char *s;

    ri.obj = obj;
    ri.pol = pol;
    ri.want_fix = true;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    s = cJSON_PrintUnformatted(res.patch);
    CHECK_CONTAINS(s, "{\"op\":\"add\",\"path\":\"/spec/redis\",\"value\":"
                      "{\"affinity\":{\"podAntiAffinity\":{\"preferred"
                      "DuringSchedulingIgnoredDuringExecution\":[{\"weight\":"
                      "100,\"podAffinityTerm\":{\"topologyKey\":\"kubernetes"
                      ".io/hostname\",\"labelSelector\":{\"matchLabels\":"
                      "{\"app.kubernetes.io/part-of\":\"redis-failover\","
                      "\"app.kubernetes.io/component\":\"redis\","
                      "\"app.kubernetes.io/name\":\"cache\"}}}}]}}}}");
    CHECK(!strstr(s, "requiredDuringScheduling"));
    CHECK_CONTAINS(s, "{\"op\":\"add\",\"path\":\"/spec/redis/topology"
                      "SpreadConstraints\"");
    CHECK_CONTAINS(s, "\"path\":\"/spec/sentinel\"");
    CHECK_CONTAINS(s, "\"app.kubernetes.io/component\":\"sentinel\"");
    free(s);
    rules_result_cleanup(&res);
    ri.pol = req;
    CHECK(req && rules_eval(&res, &ri) == RFG_OK);
    s = cJSON_PrintUnformatted(res.patch);
    CHECK_CONTAINS(s, "{\"op\":\"add\",\"path\":\"/spec/redis\",\"value\":"
                      "{\"affinity\":{\"podAntiAffinity\":{\"required"
                      "DuringSchedulingIgnoredDuringExecution\":[{\"topology"
                      "Key\":\"kubernetes.io/hostname\",\"labelSelector\":"
                      "{\"matchLabels\":{\"app.kubernetes.io/part-of\":"
                      "\"redis-failover\",\"app.kubernetes.io/component\":"
                      "\"redis\",\"app.kubernetes.io/name\":\"cache\"}}}]}}}}");
    free(s);
    rules_result_cleanup(&res);
    policy_free(req);
    cJSON_Delete(obj);
}

/* Is there an op in `patch` whose path starts with `prefix`? */
static bool patch_touches(const cJSON *patch, const char *prefix)
{
    const cJSON *op;

    cJSON_ArrayForEach(op, patch) {
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(op, "path");

        if (cJSON_IsString(p) &&
            !strncmp(p->valuestring, prefix, strlen(prefix)))
            return true;
    }
    return false;
}

/* No surprise rollouts: on UPDATE, fixes that change the pod template
 * (spread, images...) are held back and reported, while fixes outside
 * it (sentinel customConfig, read at run time) still apply; CREATE gets
 * everything, and podTemplateMutations: always opts UPDATE in. */
static void test_rules__update_holds_pod_template(void)
{
    const char *src =
        "{\"apiVersion\":\"databases.spotahome.com/v1\","
        "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"cache\","
        "\"namespace\":\"shop\"},\"spec\":{\"auth\":{\"secretPath\":"
        "\"x\"},\"redis\":{\"replicas\":3},\"sentinel\":{\"replicas\":3,"
        "\"customConfig\":[\"quorum 2\",\"down-after-milliseconds 5000\","
        "\"failover-timeout 10000\"]}}}";
    struct policy_set *always = policy_from(
        "apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n"
        "  podTemplateMutations: always\n");
    cJSON *obj = cJSON_Parse(src), *old = cJSON_Parse(src);
    struct rules_input ri = {0};
    struct rules_result res;
    bool spread = false, image = false;
    size_t k;

    ri.obj = obj;
    ri.pol = pol;
    ri.want_fix = true;
    /* CREATE: the spread and the pinned images. */
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    CHECK(patch_touches(res.patch, "/spec/redis/affinity"));
    CHECK(patch_touches(res.patch,
                        "/spec/sentinel/topologySpreadConstraints"));
    CHECK(patch_touches(res.patch, "/spec/redis/image"));
    CHECK(patch_touches(res.patch, "/spec/sentinel/customConfig/0"));
    CHECK_INT_EQ(res.nheld, 0);
    rules_result_cleanup(&res);
    /* UPDATE: only the customConfig fix, the rest held with a warning. */
    ri.op = RULES_UPDATE;
    ri.old = old;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    {
        char *s = cJSON_PrintUnformatted(res.patch);

        CHECK_STR_EQ(s, "[{\"op\":\"remove\",\"path\":"
                        "\"/spec/sentinel/customConfig/0\"}]");
        free(s);
    }
    for (k = 0; k < res.nheld; k++) {
        const struct finding *f = &res.held[k];
        char line[256];
        int n = snprintf(line, sizeof(line), "[%s] %s", f->rule->id,
                         f->msg);

        CHECK(n > 0 && n < 120);
        CHECK_CONTAINS(f->msg, "rfguard fix");
        CHECK(f->sev == RFG_SEV_WARN);
        spread |= !strcmp(f->rule->id, "spread-missing") &&
                  !strcmp(f->ptr, "/spec/redis/affinity");
        image |= !strcmp(f->rule->id, "image-pinned");
    }
    CHECK(spread && image);
    /* the check findings are unchanged: spread-missing still warns */
    for (k = 0, spread = false; k < res.len; k++)
        spread |= !strcmp(res.v[k].rule->id, "spread-missing");
    CHECK(spread);
    rules_result_cleanup(&res);
    /* UPDATE under podTemplateMutations: always: everything applies. */
    ri.pol = always;
    CHECK(always && rules_eval(&res, &ri) == RFG_OK);
    CHECK(patch_touches(res.patch, "/spec/redis/affinity"));
    CHECK(patch_touches(res.patch, "/spec/redis/image"));
    CHECK_INT_EQ(res.nheld, 0);
    rules_result_cleanup(&res);
    policy_free(always);
    cJSON_Delete(obj);
    cJSON_Delete(old);
}

static void test_rules__scope_fix_adds_name(void)
{
    const char *src =
        "{\"apiVersion\":\"databases.spotahome.com/v1\","
        "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"cache\"},"
        "\"spec\":{\"redis\":{\"topologySpreadConstraints\":[{\"maxSkew\":1,"
        "\"topologyKey\":\"topology.kubernetes.io/zone\","
        "\"labelSelector\":{\"matchLabels\":{"
        "\"app.kubernetes.io/component\":\"redis\"}}}]}}}";
    cJSON *obj = cJSON_Parse(src);
    struct rules_input ri = {0};
    struct rules_result res;
    char *s;

    ri.obj = obj;
    ri.pol = pol;
    ri.want_fix = true;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    s = cJSON_PrintUnformatted(res.patch);
    CHECK_CONTAINS(s, "{\"op\":\"add\",\"path\":\"/spec/redis/topology"
                      "SpreadConstraints/0/labelSelector/matchLabels/"
                      "app.kubernetes.io~1name\",\"value\":\"cache\"}");
    free(s);
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
}

static void test_rules__other_kinds_and_delete(void)
{
    cJSON *obj = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"Secret\"}");
    struct rules_input ri = {0};
    struct rules_result res;

    ri.obj = obj;
    ri.pol = pol;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    CHECK_INT_EQ(res.len, 0);
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
    obj = cJSON_Parse("{\"apiVersion\":\"databases.spotahome.com/v1\","
                      "\"kind\":\"RedisFailover\",\"metadata\":"
                      "{\"name\":\"x\"}}");
    ri.obj = obj;
    ri.op = RULES_DELETE;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    CHECK_INT_EQ(res.len, 0);
    rules_result_cleanup(&res);
    ri.op = RULES_CREATE;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    CHECK(res.ndeny > 0); /* no auth at least */
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
}

/* The README's Rules section names rules by id and links their pages:
 * every id it names is in the catalogue and every page it links exists.
 * It is an overview, not a list: a new rule needs no README row. */
static void test_rules__readme_names_real_rules(void)
{
    FILE *f = fopen(RFG_SOURCE_DIR "/README.md", "r");
    char line[4096];
    bool in = false;
    size_t named = 0;

    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        const char *p = line;

        if (!strncmp(line, "## ", 3)) {
            in = !strncmp(line, "## Rules", 8);
            continue;
        }
        while (in && (p = strstr(p, "](docs/rules/"))) {
            char id[128], path[512];
            FILE *doc;

            p += strlen("](docs/rules/");
            if (sscanf(p, "%127[a-z0-9-].md)", id) != 1)
                continue;
            named++;
            if (!rules_find(id))
                fprintf(stderr, "README.md: %s is not a rule\n", id);
            CHECK(rules_find(id) != NULL);
            snprintf(path, sizeof(path), "%s/docs/rules/%s.md",
                     RFG_SOURCE_DIR, id);
            doc = fopen(path, "r");
            CHECK(doc != NULL);
            if (doc)
                fclose(doc);
        }
    }
    fclose(f);
    CHECK(named >= 10);
}

/* Load policies/<name>.yaml, checked against the catalogue. */
static struct policy_set *shipped(const char *name)
{
    char path[512];
    struct policy_set *p = NULL;

    snprintf(path, sizeof(path), "%s/policies/%s.yaml", RFG_SOURCE_DIR,
             name);
    CHECK(cli_open_policy(&p, path, stderr) == RFG_OK);
    return p;
}

/* audit.yaml never denies: every catalogue rule warns under it, and so
 * would a deny rule added later (its severity comes from the policy's
 * defaultSeverity, not from a list of ids). */
static void test_rules__audit_only_warns(void)
{
    static const struct rule_desc new_rule = {
        .id = "a-rule-added-later", .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL};
    struct policy_set *p = shipped("audit");
    const struct rule_desc *cat;
    size_t i, n;

    if (!p)
        return;
    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        if (rules_severity(&cat[i], p) != RFG_SEV_WARN)
            fprintf(stderr, "audit.yaml: %s is %s\n", cat[i].id,
                    rfg_sev_name(rules_severity(&cat[i], p)));
        CHECK_INT_EQ(rules_severity(&cat[i], p), RFG_SEV_WARN);
    }
    CHECK(p->default_sev_set && p->default_sev == RFG_SEV_WARN);
    CHECK_INT_EQ(rules_severity(&new_rule, p), RFG_SEV_WARN);
    for (i = 0; i < p->nrules; i++)
        CHECK(!p->rules[i].sev_set || p->rules[i].sev == RFG_SEV_WARN);
    CHECK(!p->mutations);
    policy_free(p);
}

/* strict.yaml decides every rule: it names the rule with a severity, or
 * its defaultSeverity (deny) covers it; only the rules it names warn. */
static void test_rules__strict_decides_every_rule(void)
{
    struct policy_set *p = shipped("strict");
    const struct rule_desc *cat;
    size_t i, n, nwarn = 0;

    if (!p)
        return;
    cat = rules_catalog(&n);
    CHECK(p->default_sev_set && p->default_sev == RFG_SEV_DENY);
    for (i = 0; i < n; i++) {
        const struct policy_rule *pr = policy_rule_get(p, cat[i].id);
        enum rfg_sev sev = rules_severity(&cat[i], p);

        CHECK(sev != RFG_SEV_OFF);
        if (sev == RFG_SEV_DENY)
            continue;
        nwarn++;
        if (!pr || !pr->sev_set)
            fprintf(stderr, "strict.yaml: %s warns but is not named\n",
                    cat[i].id);
        CHECK(pr && pr->sev_set);
    }
    CHECK(nwarn < n / 4); /* strict: most rules deny */
    policy_free(p);
}

/* Every rule has a doc (docs/rules/<id>.md), and every id is unique. */
static void test_rules__explain_and_ids(void)
{
    const struct rule_desc *cat;
    size_t n, i, j;

    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        const struct rule_doc *x = rule_doc_find(cat[i].id);

        if (!x)
            fprintf(stderr, "no docs/rules/%s.md\n", cat[i].id);
        CHECK(x && x->len > 0);
        CHECK(cat[i].doc && *cat[i].doc && cat[i].check);
        for (j = 0; j < i; j++)
            CHECK(strcmp(cat[i].id, cat[j].id) != 0);
    }
}

/* The shipped policies load and name only real rules and parameters. */
static void test_rules__shipped_policies(void)
{
    static const char *const names[] = {"default", "strict", "audit"};
    size_t i;

    for (i = 0; i < 3; i++) {
        char path[512];
        struct policy_set *p = NULL;

        snprintf(path, sizeof(path), "%s/policies/%s.yaml", RFG_SOURCE_DIR,
                 names[i]);
        CHECK(cli_open_policy(&p, path, stderr) == RFG_OK);
        policy_free(p);
    }
}

/* Exemptions: a skip with a reason skips a warn rule and says why; a
 * deny rule the policy does not let annotations skip is checked as
 * usual, and skip-annotation warns that its skip is not honoured. */
static void test_rules__skip_reported(void)
{
    const char *src =
        "{\"apiVersion\":\"databases.spotahome.com/v1\","
        "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"c\","
        "\"annotations\":{\"rfguard.io/skip\":\"auth-required, "
        "storage-ephemeral\",\"rfguard.io/skip-reason\":\"lab cluster\"}}}";
    cJSON *obj = cJSON_Parse(src);
    struct rules_input ri = {0};
    struct rules_result res;
    size_t k;
    int n = 0, auth = 0, refused = 0;

    ri.obj = obj;
    ri.pol = pol;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    for (k = 0; k < res.len; k++) {
        if (!strcmp(res.v[k].rule->id, "auth-required")) {
            auth++;
            CHECK_INT_EQ(res.v[k].sev, RFG_SEV_DENY);
        }
        if (!strcmp(res.v[k].rule->id, "skip-annotation")) {
            refused++;
            CHECK_INT_EQ(res.v[k].sev, RFG_SEV_WARN);
            CHECK_CONTAINS(res.v[k].msg, "auth-required is not skipped: "
                                         "it is a deny rule");
        }
    }
    CHECK_INT_EQ(auth, 1);
    CHECK_INT_EQ(refused, 1);
    for (k = 0; k < res.nskipped; k++) {
        CHECK(res.skipped[k].rule != NULL);
        CHECK_STR_EQ(res.skipped[k].rule->id, "storage-ephemeral");
        CHECK_STR_EQ(res.skipped[k].reason, "lab cluster");
        n++;
    }
    CHECK_INT_EQ(n, 1);
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
}

/* Evaluate a failover in namespace `ns` whose annotation skips `skip`
 * with `reason`, asked by `user` (NULL: offline). Is `rule` skipped?
 * *msg gets the skip-annotation findings, joined (caller frees). */
static bool skip_case(const struct policy_set *p, const char *ns,
                      const char *skip, const char *reason,
                      const struct policy_user *user, const char *rule,
                      char **msg)
{
    char src[1024];
    cJSON *obj;
    struct rules_input ri = {0};
    struct rules_result res;
    bool hit = false, found = false;
    size_t k, len = 0;

    snprintf(src, sizeof(src),
             "{\"apiVersion\":\"databases.spotahome.com/v1\","
             "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"c\","
             "\"namespace\":\"%s\",\"annotations\":{\"rfguard.io/skip\":"
             "\"%s\",\"rfguard.io/skip-reason\":\"%s\"}},\"spec\":"
             "{\"sentinel\":{\"replicas\":1}}}",
             ns, skip, reason);
    obj = cJSON_Parse(src);
    CHECK(obj != NULL);
    *msg = calloc(1, 4096);
    ri.obj = obj;
    ri.pol = p;
    ri.user = user;
    ri.want_fix = true;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    for (k = 0; k < res.nskipped; k++)
        if (res.skipped[k].rule && !strcmp(res.skipped[k].rule->id, rule))
            hit = true;
    for (k = 0; k < res.len; k++) {
        if (!strcmp(res.v[k].rule->id, rule))
            found = true;
        if (*msg && !strcmp(res.v[k].rule->id, "skip-annotation"))
            len += (size_t)snprintf(*msg + len, len < 4000 ? 4000 - len : 0,
                                    "%s|", res.v[k].msg);
    }
    /* A rule is either skipped or checked, never both. */
    CHECK(!(hit && found));
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
    return hit;
}

/* Governed skips: spec.skips names the deny rules an annotation may
 * skip, where, and for whom; everything else is checked and
 * skip-annotation says why the skip is not honoured. Offline (no user)
 * a grant limited to users or groups is not honoured. A reason under
 * RULES_SKIP_REASON_MIN characters skips nothing, not even warn rules. */
static void test_rules__skip_governed(void)
{
    struct policy_set *gp = policy_from(
        "apiVersion: rfguard.io/v1alpha1\nkind: Policy\n"
        "metadata: {name: gov}\nspec:\n"
        "  skips:\n"
        "    - denyRules: [auth-required]\n"
        "      namespaces: [lab, dev-*]\n"
        "    - denyRules: [sentinel-replicas]\n"
        "      users: [alice]\n"
        "      groups: [ops]\n");
    const char *why = "cache only, rebuilt nightly";
    cJSON *g_ops = cJSON_Parse("[\"dev\",\"ops\"]");
    cJSON *g_dev = cJSON_Parse("[\"dev\",\"system:authenticated\"]");
    struct policy_user alice = {"alice", NULL};
    struct policy_user bob_ops = {"bob", g_ops};
    struct policy_user bob_dev = {"bob", g_dev};
    struct policy_user nobody = {NULL, NULL};
    char *m = NULL;

    CHECK(gp != NULL);
    if (!gp)
        return;
#define CASE(want, ns, skip, reason, user, rule, text)                     \
    do {                                                                   \
        CHECK(skip_case(gp, ns, skip, reason, user, rule, &m) == (want));  \
        CHECK_CONTAINS(m, text);                                           \
        free(m);                                                           \
        m = NULL;                                                          \
    } while (0)
    /* auth-required: granted in lab and dev-*, to anyone. */
    CASE(true, "lab", "auth-required", why, NULL, "auth-required", "");
    CASE(true, "dev-7", "auth-required", why, &bob_dev, "auth-required",
         "");
    CASE(false, "prod", "auth-required", why, &alice, "auth-required",
         "auth-required is not skipped: policy gov allows that skip in "
         "other namespaces, not in prod|");
    /* the default policy grants nothing */
    CHECK(!skip_case(pol, "lab", "auth-required", why, &alice,
                     "auth-required", &m));
    CHECK_CONTAINS(m, "auth-required is not skipped: it is a deny rule and "
                      "policy default lets no annotation skip it");
    free(m);
    /* sentinel-replicas: granted to alice and group ops, anywhere. */
    CASE(true, "prod", "sentinel-replicas", why, &alice,
         "sentinel-replicas", "");
    CASE(true, "prod", "sentinel-replicas", why, &bob_ops,
         "sentinel-replicas", "");
    CASE(false, "prod", "sentinel-replicas", why, &bob_dev,
         "sentinel-replicas",
         "sentinel-replicas is not skipped: user bob may not skip it "
         "under policy gov|");
    CASE(false, "prod", "sentinel-replicas", why, &nobody,
         "sentinel-replicas", "user (none) may not skip it");
    CASE(false, "prod", "sentinel-replicas", why, NULL, "sentinel-replicas",
         "sentinel-replicas is not skipped offline: policy gov lets only "
         "some users or groups skip it|");
    /* not granted at all */
    CASE(false, "lab", "name-charset, auth-required", why, &alice,
         "name-charset",
         "name-charset is not skipped: it is a deny rule and policy gov "
         "lets no annotation skip it|");
    /* warn rules: anyone, anywhere, with a reason */
    CASE(true, "prod", "storage-ephemeral", why, NULL, "storage-ephemeral",
         "");
    /* a short reason skips nothing */
    CASE(false, "lab", "storage-ephemeral", "n/a", &alice,
         "storage-ephemeral", "(\"n/a\") is too short");
    CASE(false, "lab", "auth-required", "  x  y  ", &alice, "auth-required",
         "is too short");
    CASE(true, "lab", "auth-required", "TICKET-123", &alice, "auth-required",
         "");
#undef CASE
    cJSON_Delete(g_ops);
    cJSON_Delete(g_dev);
    policy_free(gp);
}

/* Fixes compose: when several fixes add under a parent that is missing
 * (no spec, null or empty blocks), each op is computed against what the
 * earlier ones left, so no op replaces what an earlier one added. The
 * patch, applied one op at a time, gives spread to both components, and
 * fixing the result gives no op. */
static void test_rules__fixes_compose(void)
{
    static const char *const specs[] = {
        NULL, "null", "{}", "{\"redis\":null}", "{\"sentinel\":{}}",
        "{\"redis\":{},\"sentinel\":{}}", "{\"redis\":{\"replicas\":1}}",
        "{\"redis\":{\"affinity\":{}},\"sentinel\":{\"affinity\":null}}",
    };
    size_t i;

    for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        char src[512];
        cJSON *obj, *spec;
        const cJSON *op;
        struct rules_input ri = {0};
        struct rules_result res, again;
        struct diag_list dl;
        int nspec = 0;

        snprintf(src, sizeof(src),
                 "{\"apiVersion\":\"databases.spotahome.com/v1\","
                 "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":"
                 "\"cache\",\"labels\":{\"helm.sh/chart\":\"c-1\"}}%s%s}",
                 specs[i] ? ",\"spec\":" : "", specs[i] ? specs[i] : "");
        obj = cJSON_Parse(src);
        CHECK(obj != NULL);
        ri.obj = obj;
        ri.pol = pol;
        ri.want_fix = true;
        CHECK(rules_eval(&res, &ri) == RFG_OK);
        diag_list_init(&dl, NULL);
        cJSON_ArrayForEach(op, res.patch) {
            const char *path = cJSON_GetObjectItemCaseSensitive(op, "path")
                                   ->valuestring;

            nspec += !strcmp(path, "/spec");
            CHECK(jpatch_apply_op(&obj, op, &dl) == RFG_OK);
        }
        CHECK(nspec <= 1);
        spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
        if (!jptr_get(spec, "/redis/affinity/podAntiAffinity") ||
            !jptr_get(spec, "/sentinel/affinity/podAntiAffinity") ||
            !jptr_get(spec, "/redis/image") ||
            !jptr_get(spec, "/labelWhitelist")) {
            char *t = cJSON_PrintUnformatted(res.patch);

            fprintf(stderr, "spec %s: the patch loses a fix: %s\n",
                    specs[i] ? specs[i] : "(none)", t);
            free(t);
            CHECK(0);
        }
        ri.obj = obj;
        CHECK(rules_eval(&again, &ri) == RFG_OK);
        CHECK_INT_EQ(cJSON_GetArraySize(again.patch), 0);
        rules_result_cleanup(&again);
        rules_result_cleanup(&res);
        diag_list_cleanup(&dl);
        cJSON_Delete(obj);
    }
}

/* On UPDATE a held fix is undone by applying the ops of the fixes before
 * it again to a new copy of the object: those ops stay in the patch, and
 * the fixes after it still apply, to the object as the earlier ops left
 * it. disablemymaster-pruned's op comes before the held spread-missing
 * and image-pinned fixes, sentinel-customconfig-partial's after them. */
static void test_rules__held_fix_keeps_earlier_ops(void)
{
    const char *src =
        "{\"apiVersion\":\"databases.spotahome.com/v1\","
        "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"cache\","
        "\"namespace\":\"shop\"},\"spec\":{\"auth\":{\"secretPath\":"
        "\"x\"},\"sentinel\":{\"replicas\":3,\"image\":\"redis:7.2\","
        "\"disableMyMaster\":true,\"customConfig\":[\"quorum 2\","
        "\"down-after-milliseconds 5000\",\"failover-timeout 10000\"]},"
        "\"redis\":{\"replicas\":1,\"storage\":{\"persistentVolumeClaim\":"
        "{\"metadata\":{\"name\":\"data\"},\"spec\":{\"accessModes\":"
        "[\"ReadWriteOnce\"],\"resources\":{\"requests\":{\"storage\":"
        "\"1Gi\"}}}}}}}}";
    cJSON *obj = cJSON_Parse(src), *old = cJSON_Parse(src);
    struct rules_input ri = {0};
    struct rules_result res;
    bool spread = false, image = false;
    size_t k;
    char *s;

    ri.obj = obj;
    ri.old = old;
    ri.op = RULES_UPDATE;
    ri.pol = pol;
    ri.want_fix = true;
    CHECK(rules_eval(&res, &ri) == RFG_OK);
    s = cJSON_PrintUnformatted(res.patch);
    CHECK_STR_EQ(s, "[{\"op\":\"remove\",\"path\":"
                    "\"/spec/sentinel/disableMyMaster\"},"
                    "{\"op\":\"remove\",\"path\":"
                    "\"/spec/sentinel/customConfig/0\"}]");
    free(s);
    for (k = 0; k < res.nheld; k++) {
        spread |= !strcmp(res.held[k].rule->id, "spread-missing");
        image |= !strcmp(res.held[k].rule->id, "image-pinned");
    }
    CHECK(spread && image);
    rules_result_cleanup(&res);
    cJSON_Delete(obj);
    cJSON_Delete(old);
}

int main(void)
{
    if (cli_open_policy(&pol, NULL, stderr))
        return 1;
    RUN(test_rules__fixtures);
    RUN(test_rules__spread_fix_shape);
    RUN(test_rules__scope_fix_adds_name);
    RUN(test_rules__other_kinds_and_delete);
    RUN(test_rules__readme_names_real_rules);
    RUN(test_rules__explain_and_ids);
    RUN(test_rules__shipped_policies);
    RUN(test_rules__audit_only_warns);
    RUN(test_rules__strict_decides_every_rule);
    RUN(test_rules__skip_reported);
    RUN(test_rules__skip_governed);
    RUN(test_rules__fixes_compose);
    RUN(test_rules__update_holds_pod_template);
    RUN(test_rules__held_fix_keeps_earlier_ops);
    policy_free(pol);
    return CHECK_DONE();
}
