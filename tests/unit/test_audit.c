/* SPDX-License-Identifier: Apache-2.0
 *
 * test_audit.c - the audit library (audit.h) as serve's background audit
 * calls it: label selectors, audit_run over bytes and audit_run_list over
 * a tree giving the same results, the rules evaluated per failover, a
 * view without Secrets, the PolicyReports (order, summary, the size cap)
 * and a Secret's value nowhere in them, nor left in the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "check.h"
#include "crypto.h"
#include "rules.h"

#define PW "Unit-Known-Pa55word-xyz"
#define PW64 "VW5pdC1Lbm93bi1QYTU1d29yZC14eXo="

/* Two failovers in two namespaces on port 6379, one with a Secret (its
 * value repeated in an annotation), one naming a Secret that is
 * missing. */
static const char *const LIST =
    "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
    "{\"apiVersion\": \"databases.spotahome.com/v1\", \"kind\": "
    "\"RedisFailover\", \"metadata\": {\"name\": \"a\", \"namespace\": "
    "\"n1\", \"uid\": \"u-a\", \"labels\": {\"tier\": \"web\"}}, \"spec\": "
    "{\"auth\": {\"secretPath\": \"a-auth\"}, \"sentinel\": {\"replicas\": "
    "3}, \"redis\": {\"replicas\": 3}}},\n"
    "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": "
    "\"a-auth\", \"namespace\": \"n1\", \"annotations\": {\"kubectl."
    "kubernetes.io/last-applied-configuration\": \"" PW "\"}}, \"data\": "
    "{\"password\": \"" PW64 "\"}},\n"
    "{\"apiVersion\": \"databases.spotahome.com/v1\", \"kind\": "
    "\"RedisFailover\", \"metadata\": {\"name\": \"b\", \"namespace\": "
    "\"n2\", \"uid\": \"u-b\", \"labels\": {\"tier\": \"db\", \"x\": "
    "\"1\"}}, \"spec\": {\"auth\": {\"secretPath\": \"gone\"}, "
    "\"sentinel\": {\"replicas\": 3}, \"redis\": {\"replicas\": 3}}}\n"
    "]}\n";

static struct policy_set *policy_default(void)
{
    struct policy_set *pol = NULL;
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    if (policy_load_builtin(&pol, &dl))
        pol = NULL;
    diag_list_cleanup(&dl);
    return pol;
}

static void opts(struct audit_opts *o, struct policy_set *pol)
{
    memset(o, 0, sizeof(*o));
    o->pol = pol;
    o->hash = rfg_sha256;
}

static size_t count(const struct audit *a, const char *obj,
                    const char *rule, enum report_kind kind)
{
    size_t i, n = 0;

    for (i = 0; i < a->rep.len; i++)
        n += a->rep.v[i].kind == kind && a->rep.v[i].rule &&
             !strcmp(a->rep.v[i].rule, rule) && a->rep.v[i].object &&
             !strcmp(a->rep.v[i].object, obj);
    return n;
}

static void test_audit__selector(void)
{
    char err[300];
    cJSON *l = cJSON_Parse("{\"tier\": \"web\", \"app\": \"cache\"}");

    CHECK_INT_EQ(audit_selector_check("a=b,c!=d, e ,!f", err, sizeof(err)),
                 RFG_OK);
    CHECK_INT_EQ(audit_selector_check("a in (x, y),b notin (z)", err,
                                      sizeof(err)), RFG_OK);
    CHECK_INT_EQ(audit_selector_check("a=(", err, sizeof(err)), RFG_EINVAL);
    CHECK_CONTAINS(err, "label selector");
    CHECK_INT_EQ(audit_selector_check("a in x", err, sizeof(err)),
                 RFG_EINVAL);
    CHECK_INT_EQ(audit_selector_check("=b", err, sizeof(err)), RFG_EINVAL);
    CHECK(audit_selector_matches(NULL, l));
    CHECK(audit_selector_matches("", l));
    CHECK(audit_selector_matches("tier=web", l));
    CHECK(audit_selector_matches("tier==web,app", l));
    CHECK(!audit_selector_matches("tier=we", l));
    CHECK(!audit_selector_matches("tier=webx", l));
    CHECK(audit_selector_matches("tier!=db", l));
    CHECK(audit_selector_matches("zone!=a", l));   /* absent: not a */
    CHECK(!audit_selector_matches("tier!=web", l));
    CHECK(audit_selector_matches("!zone", l));
    CHECK(!audit_selector_matches("!tier", l));
    CHECK(audit_selector_matches("app in (db, cache)", l));
    CHECK(!audit_selector_matches("app notin (db,cache)", l));
    CHECK(audit_selector_matches("zone notin (a)", l));
    CHECK(!audit_selector_matches("zone in (a)", l));
    CHECK(!audit_selector_matches("tier", NULL));
    CHECK(audit_selector_matches("!tier", NULL));
    cJSON_Delete(l);
}

static void test_audit__run(void)
{
    struct policy_set *pol = policy_default();
    struct audit_opts o;
    struct audit a, b;
    cJSON *tree = cJSON_Parse(LIST);
    size_t i, ncat;
    const struct rule_desc *cat = rules_catalog(&ncat);
    bool sorted = true;

    CHECK(pol != NULL && tree != NULL);
    opts(&o, pol);
    audit_init(&a);
    CHECK_INT_EQ(audit_run(&a, LIST, strlen(LIST), "dump.json", &o),
                 RFG_OK);
    CHECK_INT_EQ(a.nrfs, 2);
    CHECK_STR_EQ(a.rfs[0].name, "a");
    CHECK_STR_EQ(a.rfs[0].uid, "u-a");
    CHECK_STR_EQ(a.rfs[1].ns, "n2");
    CHECK_STR_EQ(a.rfs[1].api_version, "databases.spotahome.com/v1");
    CHECK_INT_EQ(count(&a, "n2/b", "auth-secret-exists", REPORT_FINDING),
                 1);
    CHECK_INT_EQ(count(&a, "n1/a", "auth-secret-exists", REPORT_FINDING),
                 0);
    CHECK_INT_EQ(count(&a, "n1/a", "redis-port-unique", REPORT_FINDING), 1);
    CHECK(a.rep.deny > 0);
    CHECK(a.rfs[0].nrules > 10);
    for (i = 1; i < a.rfs[0].nrules; i++)
        sorted = sorted && a.rfs[0].rules[i - 1] < a.rfs[0].rules[i];
    CHECK(sorted);
    for (i = 0; i < a.rfs[0].nrules; i++)
        CHECK(!(cat[a.rfs[0].rules[i]].flags & RULE_UPDATE_ONLY));
    CHECK(a.rep.v[0].pos.line > 1); /* the dump's positions */

    /* the same List as a tree: the same findings, no positions */
    audit_init(&b);
    o.no_positions = true;
    CHECK_INT_EQ(audit_run_list(&b, tree, "https://cluster", &o), RFG_OK);
    CHECK_INT_EQ(b.rep.len, a.rep.len);
    CHECK_INT_EQ(b.rep.deny, a.rep.deny);
    CHECK_INT_EQ(b.rep.warn, a.rep.warn);
    for (i = 0; i < b.rep.len; i++)
        CHECK_INT_EQ(b.rep.v[i].pos.line, 0);
    /* the tree's Secret strings are wiped */
    {
        char *txt = cJSON_PrintUnformatted(tree);

        CHECK(txt && !strstr(txt, PW) && !strstr(txt, PW64));
        cJSON_free(txt);
    }
    audit_cleanup(&b);

    /* --namespace and --selector narrow the audit, not the view */
    audit_init(&b);
    o.no_positions = false;
    o.ns = "n1";
    CHECK_INT_EQ(audit_run(&b, LIST, strlen(LIST), "dump.json", &o),
                 RFG_OK);
    CHECK_INT_EQ(b.nrfs, 1);
    CHECK_INT_EQ(count(&b, "n1/a", "redis-port-unique", REPORT_FINDING), 1);
    audit_cleanup(&b);
    audit_init(&b);
    o.ns = NULL;
    o.selector = "tier in (db),x";
    CHECK_INT_EQ(audit_run(&b, LIST, strlen(LIST), "dump.json", &o),
                 RFG_OK);
    CHECK_INT_EQ(b.nrfs, 1);
    CHECK_STR_EQ(b.rfs[0].name, "b");
    audit_cleanup(&b);
    o.selector = "tier in";
    audit_init(&b);
    CHECK_INT_EQ(audit_run(&b, LIST, strlen(LIST), "dump.json", &o),
                 RFG_EINVAL);
    audit_cleanup(&b);

    /* no Secrets listed: the Secret rules of a failover with auth skip */
    audit_init(&b);
    o.selector = NULL;
    o.secrets_unknown = true;
    CHECK_INT_EQ(audit_run(&b, LIST, strlen(LIST), "dump.json", &o),
                 RFG_OK);
    CHECK_INT_EQ(count(&b, "n2/b", "auth-secret-exists", REPORT_FINDING),
                 0);
    CHECK_INT_EQ(count(&b, "n2/b", "auth-secret-exists", REPORT_SKIPPED),
                 1);
    for (i = 0; i < b.rfs[1].nrules; i++)
        CHECK(strcmp(cat[b.rfs[1].rules[i]].id, "auth-secret-exists"));
    audit_cleanup(&b);

    audit_cleanup(&a);
    cJSON_Delete(tree);
    policy_free(pol);
}

static void test_audit__reports(void)
{
    struct policy_set *pol = policy_default();
    struct audit_opts o;
    struct audit_report_opts ro;
    struct audit a;
    cJSON *reps = NULL, *r, *x;
    char *txt;
    size_t nres = 0;

    opts(&o, pol);
    audit_init(&a);
    CHECK_INT_EQ(audit_run(&a, LIST, strlen(LIST), "dump.json", &o),
                 RFG_OK);
    memset(&ro, 0, sizeof(ro));
    ro.pol = pol;
    ro.seconds = 1700000000;
    ro.nanos = 5;
    CHECK_INT_EQ(audit_policy_reports(&reps, &a, &ro), RFG_OK);
    CHECK_INT_EQ(cJSON_GetArraySize(reps), 2);
    txt = cJSON_PrintUnformatted(reps);
    CHECK(txt && !strstr(txt, PW) && !strstr(txt, PW64));
    CHECK_CONTAINS(txt, "\"seconds\":1700000000");
    cJSON_free(txt);
    r = cJSON_GetArrayItem(reps, 0);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(r, "metadata"),
                     "namespace")),
                 "n1");
    {
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(r, "summary");
        double total = 0;

        cJSON_ArrayForEach(x, sum)
            total += x->valuedouble;
        nres = (size_t)cJSON_GetArraySize(
            cJSON_GetObjectItemCaseSensitive(r, "results"));
        CHECK_INT_EQ((long long)total, (long long)nres);
    }
    cJSON_Delete(reps);

    /* a small cap: the pass results go, their count stays */
    ro.max_bytes = 2000;
    CHECK_INT_EQ(audit_policy_reports(&reps, &a, &ro), RFG_OK);
    r = cJSON_GetArrayItem(reps, 0);
    {
        const cJSON *pass = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r, "summary"), "pass");
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(r, "metadata"), "annotations");
        bool any_pass = false;

        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r, "results"))
            any_pass = any_pass ||
                       !strcmp(cJSON_GetStringValue(
                                   cJSON_GetObjectItemCaseSensitive(
                                       x, "result")),
                               "pass");
        CHECK(!any_pass);
        CHECK(pass && pass->valuedouble > 0);
        CHECK(cJSON_GetObjectItemCaseSensitive(ann,
                                               AUDIT_OMITTED_ANNOTATION));
        CHECK((size_t)cJSON_GetArraySize(
                  cJSON_GetObjectItemCaseSensitive(r, "results")) < nres);
    }
    cJSON_Delete(reps);
    audit_cleanup(&a);
    policy_free(pol);
}

int main(void)
{
    RUN(test_audit__selector);
    RUN(test_audit__run);
    RUN(test_audit__reports);
    return CHECK_DONE();
}
