/* SPDX-License-Identifier: Apache-2.0
 *
 * test_policy.c - policy loading: the built-in policy, every shipped
 * policy file, and each kind of bad policy with its file:line:col error.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rules.h"

static void expect_bad(const char *yaml, const char *msg, unsigned line,
                       unsigned col)
{
    struct policy_set *p = NULL;
    struct diag_list dl;
    int rc;

    diag_list_init(&dl, NULL);
    rc = policy_load(&p, yaml, strlen(yaml), "bad.yaml", &dl);
    if (rc == RFG_OK)
        rc = rules_policy_check(p, &dl);
    CHECK(rc != RFG_OK);
    CHECK(dl.len >= 1);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, msg);
        CHECK_STR_EQ(dl.v[0].file, "bad.yaml");
        CHECK_INT_EQ(dl.v[0].pos.line, line);
        CHECK_INT_EQ(dl.v[0].pos.col, col);
    }
    policy_free(p); /* diagnostics borrow the policy's file name */
    diag_list_cleanup(&dl);
}

#define HEAD "apiVersion: rfguard.io/v1alpha1\nkind: Policy\nspec:\n"

static void test_policy__builtin(void)
{
    struct policy_set *p = NULL;
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load_builtin(&p, &dl), RFG_OK);
    CHECK(p != NULL);
    if (p) {
        CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
        CHECK_STR_EQ(p->name, "default");
        CHECK_INT_EQ(p->target, RF_TARGET_SPOTAHOME_V13);
        CHECK(p->mutations);
        CHECK(!p->pod_template_on_update); /* no surprise rollouts */
        CHECK(policy_rule_get(p, "auth-required") != NULL);
        CHECK_INT_EQ(rules_severity(rules_find("auth-required"), p),
                     RFG_SEV_DENY);
    }
    policy_free(p);
    diag_list_cleanup(&dl);
}

static void test_policy__shipped_files(void)
{
    static const char *const files[] = {"default.yaml", "strict.yaml",
                                        "audit.yaml"};
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[512];
        struct policy_set *p = NULL;
        struct diag_list dl;

        snprintf(path, sizeof(path), "%s/policies/%s", RFG_SOURCE_DIR,
                 files[i]);
        diag_list_init(&dl, NULL);
        CHECK_INT_EQ(policy_load_file(&p, path, &dl), RFG_OK);
        if (p)
            CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
        policy_free(p);
        diag_list_cleanup(&dl);
    }
}

static void test_policy__values(void)
{
    const char *y = HEAD "  target: freshworks-v3.3\n  mutations: false\n"
                         "  podTemplateMutations: always\n"
                         "  exemptions:\n    namespaces: [kube-*, dev]\n"
                         "  rules:\n    auth-required: warn\n"
                         "    auth-password-charset: {severity: off, "
                         "minLength: 24}\n";
    struct policy_set *p = NULL;
    struct diag_list dl;
    const struct policy_rule *r;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load(&p, y, strlen(y), "p.yaml", &dl), RFG_OK);
    if (!p)
        return;
    CHECK_INT_EQ(p->target, RF_TARGET_FRESHWORKS_V33);
    CHECK(!p->mutations);
    CHECK(p->pod_template_on_update);
    CHECK(policy_ns_exempt(p, "kube-system"));
    CHECK(policy_ns_exempt(p, "dev"));
    CHECK(!policy_ns_exempt(p, "prod"));
    CHECK_INT_EQ(rules_severity(rules_find("auth-required"), p),
                 RFG_SEV_WARN);
    r = policy_rule_get(p, "auth-password-charset");
    CHECK(r && r->sev == RFG_SEV_OFF);
    CHECK(r && cJSON_GetObjectItemCaseSensitive(r->params, "minLength"));
    CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
    /* unlisted rules keep their default */
    CHECK_INT_EQ(rules_severity(rules_find("spread-missing"), p),
                 RFG_SEV_WARN);
    policy_free(p);
    diag_list_cleanup(&dl);
}

/* spec.defaultSeverity: the severity of every rule the policy gives
 * none; an entry's own severity still wins, parameters alone do not. */
static void test_policy__default_severity(void)
{
    const char *y = HEAD "  defaultSeverity: warn\n"
                         "  rules:\n    auth-required: deny\n"
                         "    sentinel-replicas: {fix: true}\n"
                         "    name-length: off\n";
    const char *off = HEAD "  defaultSeverity: off\n";
    const struct rule_desc *cat;
    struct policy_set *p = NULL;
    struct diag_list dl;
    size_t i, n;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load(&p, y, strlen(y), "p.yaml", &dl), RFG_OK);
    if (!p)
        return;
    CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
    CHECK(p->default_sev_set);
    CHECK_INT_EQ(p->default_sev, RFG_SEV_WARN);
    CHECK_INT_EQ(p->default_sev_pos.line, 4);
    CHECK_INT_EQ(rules_severity(rules_find("auth-required"), p),
                 RFG_SEV_DENY);
    CHECK_INT_EQ(rules_severity(rules_find("name-length"), p), RFG_SEV_OFF);
    CHECK_INT_EQ(rules_severity(rules_find("sentinel-replicas"), p),
                 RFG_SEV_WARN);
    CHECK_INT_EQ(rules_severity(rules_find("auth-change"), p),
                 RFG_SEV_WARN);
    CHECK_INT_EQ(policy_rule_sev(p, "not-a-rule-yet", RFG_SEV_DENY),
                 RFG_SEV_WARN);
    policy_free(p);
    p = NULL;
    /* YAML 1.1 reads a plain off as false */
    CHECK_INT_EQ(policy_load(&p, off, strlen(off), "p.yaml", &dl), RFG_OK);
    cat = rules_catalog(&n);
    for (i = 0; p && i < n; i++)
        CHECK_INT_EQ(rules_severity(&cat[i], p), RFG_SEV_OFF);
    policy_free(p);
    diag_list_cleanup(&dl);
}

static void test_policy__errors(void)
{
    expect_bad(HEAD "  defaultSeverity: block\n",
               "defaultSeverity must be deny, warn or off", 4, 3);
    expect_bad(HEAD "  defaultSeverity: {severity: warn}\n",
               "defaultSeverity must be deny, warn or off", 4, 3);
    expect_bad(HEAD "  target: spotahome-v9\n", "unknown target", 4, 3);
    expect_bad(HEAD "  rules:\n    auth-requird: deny\n",
               "unknown rule \"auth-requird\" (did you mean "
               "\"auth-required\"?)", 5, 5);
    expect_bad(HEAD "  rules:\n    auth-required: block\n",
               "not one of deny, warn, off", 5, 5);
    expect_bad(HEAD "  rules:\n    auth-password-charset:\n"
                    "      minLenght: 3\n",
               "has no parameter \"minLenght\" (parameters: minLength)",
               5, 5);
    expect_bad(HEAD "  rules:\n    auth-required: true\n",
               "expected a severity", 5, 5);
    expect_bad(HEAD "  mutations: maybe\n", "mutations must be true or false",
               4, 3);
    expect_bad(HEAD "  frobnicate: 1\n", "unknown key \"frobnicate\" in spec",
               4, 3);
    expect_bad(HEAD "  podTemplateMutations: yes\n",
               "podTemplateMutations must be create or always", 4, 3);
    expect_bad(HEAD "  podTemplateMutations: never\n",
               "podTemplateMutations must be create or always", 4, 3);
    expect_bad(HEAD "  rules:\n    spread-missing: {mode: requird}\n",
               "rule \"spread-missing\": mode must be preferred or required",
               5, 5);
    expect_bad("apiVersion: v1\nkind: Policy\nspec: {}\n",
               "apiVersion must be rfguard.io/v1alpha1", 1, 1);
    expect_bad("kind: Policy\nspec: {}\n", "apiVersion is missing", 1, 1);
    expect_bad(HEAD "  rules:\n    a: [\n", "", 6, 1);
    expect_bad("", "policy is empty", 0, 0);
    expect_bad(HEAD "  exemptions:\n    namespaces: dev\n",
               "namespaces must be a list", 5, 5);
    expect_bad(HEAD "  audit: 5m\n", "audit must be a mapping", 4, 3);
    expect_bad(HEAD "  audit:\n    interval: 5\n",
               "audit.interval must be 0 (off) or a duration from 10s to "
               "24h", 5, 5);
    expect_bad(HEAD "  audit:\n    interval: 5s\n",
               "audit.interval must be 0", 5, 5);
    expect_bad(HEAD "  audit:\n    interval: 25h\n",
               "audit.interval must be 0", 5, 5);
    expect_bad(HEAD "  audit:\n    dryRun: sometimes\n",
               "audit.dryRun must be true or false", 5, 5);
    expect_bad(HEAD "  audit:\n    every: 5m\n",
               "unknown key \"every\" in audit (expected interval, dryRun, "
               "sentinelInterval)", 5, 5);
    expect_bad(HEAD "  audit:\n    sentinelInterval: 30s\n",
               "audit.sentinelInterval must be 0 (off) or a duration from "
               "1m to 24h", 5, 5);
}

/* spec.audit: serve's background audit, where its flags say nothing. */
static void test_policy__audit(void)
{
    const char *y = HEAD "  audit:\n    interval: 1h30m\n    dryRun: true\n"
                         "    sentinelInterval: 10m\n";
    struct policy_set *p = NULL;
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load(&p, y, strlen(y), "p.yaml", &dl), RFG_OK);
    CHECK(p && p->audit_interval_ms == 5400000u);
    CHECK(p && p->audit_dry_run);
    CHECK(p && p->audit_sentinel_interval_ms == 600000u);
    policy_free(p);
    p = NULL;
    /* none given: off */
    CHECK_INT_EQ(policy_load_builtin(&p, &dl), RFG_OK);
    CHECK(p && p->audit_interval_ms == 0 && !p->audit_dry_run &&
          p->audit_sentinel_interval_ms == 0);
    policy_free(p);
    diag_list_cleanup(&dl);
}

/* spec.skips: one grant or a list of them, each naming deny rules and
 * optionally namespaces, users and groups. */
static void test_policy__skips(void)
{
    const char *one = HEAD "  skips: {denyRules: [auth-required]}\n";
    const char *y = HEAD "  skips:\n"
                         "    - denyRules: [auth-required, name-length]\n"
                         "      namespaces: [lab, dev-*]\n"
                         "    - denyRules: [auth-required]\n"
                         "      users: [alice]\n"
                         "      groups: [\"system:serviceaccounts:ci\"]\n"
                         "    - denyRules: []\n";
    cJSON *groups = cJSON_Parse("[\"system:authenticated\","
                                "\"system:serviceaccounts:ci\"]");
    struct policy_user alice = {"alice", NULL}, ci = {"bot", groups};
    struct policy_user bob = {"bob", NULL};
    struct policy_set *p = NULL;
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load(&p, one, strlen(one), "p.yaml", &dl), RFG_OK);
    CHECK(p && p->nskips == 1 && p->skips[0].nrules == 1);
    if (p) {
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "any", NULL),
                     POLICY_SKIP_ALLOWED);
        CHECK_INT_EQ(policy_skip_allowed(p, "name-length", "any", NULL),
                     POLICY_SKIP_RULE);
    }
    policy_free(p);
    p = NULL;
    CHECK_INT_EQ(policy_load(&p, y, strlen(y), "p.yaml", &dl), RFG_OK);
    CHECK(p && p->nskips == 3);
    if (p) {
        CHECK_INT_EQ(rules_policy_check(p, &dl), RFG_OK);
        CHECK_INT_EQ(p->skips[0].rule_pos[1].line, 5);
        CHECK_INT_EQ(p->skips[0].rule_pos[1].col, 34);
        /* first grant: namespaces only, anyone */
        CHECK_INT_EQ(policy_skip_allowed(p, "name-length", "dev-1", NULL),
                     POLICY_SKIP_ALLOWED);
        CHECK_INT_EQ(policy_skip_allowed(p, "name-length", "prod", &alice),
                     POLICY_SKIP_NAMESPACE);
        /* second grant: any namespace, alice or the ci group */
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "prod", &alice),
                     POLICY_SKIP_ALLOWED);
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "prod", &ci),
                     POLICY_SKIP_ALLOWED);
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "prod", &bob),
                     POLICY_SKIP_USER);
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "prod", NULL),
                     POLICY_SKIP_NO_USER);
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-required", "lab", NULL),
                     POLICY_SKIP_ALLOWED);
        CHECK_INT_EQ(policy_skip_allowed(p, "auth-change", "lab", &alice),
                     POLICY_SKIP_RULE);
    }
    policy_free(p);
    diag_list_cleanup(&dl);
    cJSON_Delete(groups);

    expect_bad(HEAD "  skips: [auth-required]\n",
               "skips must be a mapping (denyRules, namespaces, users, "
               "groups) or a list of them", 4, 11);
    expect_bad(HEAD "  skips:\n    denyRules: [auth-required]\n"
                    "    usres: [alice]\n",
               "unknown key \"usres\" in skips (did you mean \"users\"?)",
               6, 5);
    expect_bad(HEAD "  skips:\n    denyRules: [auth-required]\n"
                    "    who: [alice]\n",
               "unknown key \"who\" in skips (expected denyRules, "
               "namespaces, users, groups)", 6, 5);
    expect_bad(HEAD "  skips:\n    users: [alice]\n",
               "skips: denyRules is missing", 4, 3);
    expect_bad(HEAD "  skips:\n    denyRules: auth-required\n",
               "skips.denyRules must be a list of strings", 5, 5);
    expect_bad(HEAD "  skips:\n    denyRules: [auth-required, 3]\n",
               "each item of skips.denyRules must be a non-empty string",
               5, 32);
    expect_bad(HEAD "  skips:\n    denyRules: [x]\n    groups: [\"\"]\n",
               "each item of skips.groups must be a non-empty string", 6, 14);
    expect_bad(HEAD "  skips:\n    denyRules: [auth-required, auth-chnage]\n",
               "unknown rule \"auth-chnage\" in skips.denyRules (did you "
               "mean \"auth-change\"?)", 5, 32);
    expect_bad(HEAD "  skips:\n    - denyRules: [skip-annotation]\n",
               "skip-annotation cannot be skipped", 5, 19);
}

int main(void)
{
    RUN(test_policy__builtin);
    RUN(test_policy__shipped_files);
    RUN(test_policy__values);
    RUN(test_policy__default_severity);
    RUN(test_policy__errors);
    RUN(test_policy__audit);
    RUN(test_policy__skips);
    return CHECK_DONE();
}
