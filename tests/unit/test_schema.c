/* SPDX-License-Identifier: Apache-2.0
 *
 * test_schema.c - CRD schema validation (schema.c): pruned fields per
 * target with "did you mean" for near misses and fields at the wrong
 * level, types, int-or-string, quantities, enums, required fields, nested
 * arrays, the pointer helpers, a schema read from a CRD (crd.c)
 * installed in a target's place, and the generated tables of the
 * compiled-in schemas against compiling them now. The rule fixtures in
 * tests/rules/schema-* cover the same through the engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crd.h"
#include "schema.h"
#include "sidx.h"

/* The generated tables of crd_schemas.c. */
extern const struct sidx_table rfg_schema_s12_table, rfg_schema_s13_table,
    rfg_schema_f33_table;

/* Validate `json` under `t`; return the issue at `ptr` or NULL. The
 * issues stay in *is for the caller to clean up. */
static const struct schema_issue *issue_at(struct schema_issues *is,
                                           const char *json,
                                           enum rf_target t, const char *ptr)
{
    cJSON *obj = cJSON_Parse(json);
    size_t i;

    schema_issues_cleanup(is); /* the previous call's, if any */
    CHECK(obj != NULL);
    CHECK(schema_validate(is, obj, t) == RFG_OK);
    cJSON_Delete(obj);
    for (i = 0; i < is->len; i++)
        if (!strcmp(is->v[i].ptr, ptr))
            return &is->v[i];
    return NULL;
}

#define RF(spec)                                                             \
    "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"               \
    "\"RedisFailover\",\"metadata\":{\"name\":\"c\",\"labels\":{\"a\":"      \
    "\"b\"}},\"spec\":" spec "}"

static void test_schema__clean(void)
{
    struct schema_issues is = {0};

    (void)issue_at(&is, RF("{\"redis\":{\"replicas\":3,\"port\":6380,"
                           "\"resources\":{\"requests\":{\"cpu\":\"500m\","
                           "\"memory\":\"1Gi\"},\"limits\":{\"cpu\":2}}},"
                           "\"auth\":{\"secretPath\":\"s\"}}"),
                   RF_TARGET_SPOTAHOME_V13, "");
    CHECK_INT_EQ(is.len, 0);
    schema_issues_cleanup(&is);
}

static void test_schema__near_miss(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;

    x = issue_at(&is, RF("{\"redis\":{\"replica\":3}}"),
                 RF_TARGET_SPOTAHOME_V13, "/spec/redis/replica");
    CHECK(x != NULL);
    if (x) {
        CHECK(x->kind == SCHEMA_UNKNOWN_FIELD);
        CHECK_CONTAINS(x->msg, "spec.redis.replica is not a field of the "
                               "spotahome-v1.3 CRD");
        CHECK_STR_EQ(x->hint, "did you mean spec.redis.replicas?");
    }
    schema_issues_cleanup(&is);
}

static void test_schema__wrong_level(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;

    x = issue_at(&is, RF("{\"replicas\":3}"), RF_TARGET_SPOTAHOME_V13,
                 "/spec/replicas");
    CHECK(x && x->hint);
    if (x && x->hint)
        CHECK_STR_EQ(x->hint, "did you mean spec.redis.replicas or "
                              "spec.sentinel.replicas?");
    schema_issues_cleanup(&is);
    x = issue_at(&is, RF("{\"redis\":{\"secretPath\":\"s\"}}"),
                 RF_TARGET_SPOTAHOME_V13, "/spec/redis/secretPath");
    CHECK(x && x->hint);
    if (x && x->hint)
        CHECK_STR_EQ(x->hint, "did you mean spec.auth.secretPath?");
    schema_issues_cleanup(&is);
}

static void test_schema__per_target(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    const char *obj = RF("{\"redis\":{\"disablePodDisruptionBudget\":true},"
                         "\"sentinel\":{\"disableMyMaster\":true}}");

    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V12,
                 "/spec/redis/disablePodDisruptionBudget");
    CHECK(x != NULL);
    if (x)
        CHECK_CONTAINS(x->msg, "only spotahome-v1.3 and freshworks-v3.3 "
                               "has it");
    schema_issues_cleanup(&is);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                 "/spec/redis/disablePodDisruptionBudget");
    CHECK(x == NULL);
    CHECK_INT_EQ(is.len, 1); /* disableMyMaster */
    schema_issues_cleanup(&is);
    (void)issue_at(&is, obj, RF_TARGET_FRESHWORKS_V33, "");
    CHECK_INT_EQ(is.len, 0);
    schema_issues_cleanup(&is);
}

static void test_schema__types(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    const char *obj =
        RF("{\"redis\":{\"port\":\"6380\",\"replicas\":1.5,"
           "\"hostNetwork\":\"yes\",\"customConfig\":\"maxmemory 1mb\","
           "\"resources\":{\"requests\":{\"cpu\":0.5,\"memory\":\"1GB\"}},"
           "\"terminationGracePeriod\":99999999999}}");

    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13, "/spec/redis/port");
    CHECK(x && x->kind == SCHEMA_TYPE);
    if (x)
        CHECK_CONTAINS(x->msg, "is a string; the CRD wants an integer");
    CHECK(issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                   "/spec/redis/replicas") != NULL);
    CHECK(issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                   "/spec/redis/hostNetwork") != NULL);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                 "/spec/redis/customConfig");
    CHECK(x != NULL);
    if (x) /* the article goes with the word printed: "a list" */
        CHECK_CONTAINS(x->msg, "is a string; the CRD wants a list:");
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                 "/spec/redis/resources/requests/cpu");
    CHECK(x && x->hint);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                 "/spec/redis/resources/requests/memory");
    CHECK(x != NULL);
    if (x)
        CHECK_CONTAINS(x->msg, "not a resource quantity");
    /* terminationGracePeriod is int64: no range finding */
    CHECK(issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                   "/spec/redis/terminationGracePeriod") == NULL);
    schema_issues_cleanup(&is);
}

/* metadata is left to the API server, but labels and annotations of the
 * wrong type are reported: the rules that read them stay silent. */
static void test_schema__metadata_maps(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    const char *obj =
        "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
        "\"RedisFailover\",\"metadata\":{\"name\":\"c\",\"labels\":"
        "[\"a=b\"],\"annotations\":{\"ok\":\"1\",\"port\":9121}},"
        "\"spec\":{}}";

    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13, "/metadata/labels");
    CHECK(x && x->kind == SCHEMA_TYPE);
    if (x)
        CHECK_CONTAINS(x->msg, "metadata.labels is a list; the API server "
                               "wants a map of strings");
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13,
                 "/metadata/annotations/port");
    CHECK(x && x->kind == SCHEMA_TYPE);
    CHECK_INT_EQ(is.len, 2);
    schema_issues_cleanup(&is);
    (void)issue_at(&is, RF("{}"), RF_TARGET_SPOTAHOME_V13, "");
    CHECK_INT_EQ(is.len, 0);
    schema_issues_cleanup(&is);
}

static void test_schema__nested_arrays(void)
{
    struct schema_issues is = {0};
    const char *obj =
        RF("{\"redis\":{\"affinity\":{\"nodeAffinity\":{"
           "\"requiredDuringSchedulingIgnoredDuringExecution\":{"
           "\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"a\","
           "\"operator\":\"In\",\"values\":[\"x\",7]},{\"key\":\"b\","
           "\"operater\":\"In\"}]}]}}}}}");
    const char *base = "/spec/redis/affinity/nodeAffinity/requiredDuring"
                       "SchedulingIgnoredDuringExecution/nodeSelectorTerms/0/"
                       "matchExpressions/";
    char p[512];
    const struct schema_issue *x;

    snprintf(p, sizeof(p), "%s0/values/1", base);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13, p);
    CHECK(x && x->kind == SCHEMA_TYPE);
    snprintf(p, sizeof(p), "%s1/operater", base);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13, p);
    CHECK(x && x->kind == SCHEMA_UNKNOWN_FIELD && x->hint);
    if (x && x->hint)
        CHECK_CONTAINS(x->hint, "matchExpressions[1].operator?");
    snprintf(p, sizeof(p), "%s1", base);
    x = issue_at(&is, obj, RF_TARGET_SPOTAHOME_V13, p);
    CHECK(x && x->kind == SCHEMA_REQUIRED);
    if (x)
        CHECK_CONTAINS(x->msg, "required field \"operator\"");
    schema_issues_cleanup(&is);
}

static void test_schema__enum_and_lookup(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    char h[128];

    x = issue_at(&is, RF("{\"engine\":\"KeyDB\"}"),
                 RF_TARGET_FRESHWORKS_V33, "/spec/engine");
    CHECK(x && x->kind == SCHEMA_ENUM);
    if (x)
        CHECK_CONTAINS(x->msg, "(Redis, Valkey)");
    schema_issues_cleanup(&is);
    CHECK(schema_lookup(schema_for(RF_TARGET_SPOTAHOME_V13),
                        "/spec/redis/tolerations/3/key") != NULL);
    CHECK(schema_lookup(schema_for(RF_TARGET_SPOTAHOME_V13),
                        "/spec/redis/podAnnotations/a~1b") != NULL);
    CHECK(schema_lookup(schema_for(RF_TARGET_SPOTAHOME_V13),
                        "/spec/nope") == NULL);
    schema_ptr_human(h, sizeof(h), "/spec/redis/customConfig/0");
    CHECK_STR_EQ(h, "spec.redis.customConfig[0]");
    schema_ptr_human(h, sizeof(h), "/metadata/labels/a~1b");
    CHECK_STR_EQ(h, "metadata.labels.a/b");
    schema_ptr_human(h, 8, "/metadata/labels/a~1b");
    CHECK_INT_EQ((long)strlen(h), 7);
}

/* A CRD whose storage version (v2) is not the first, with prose and a
 * default to drop. */
#define CRD_JSON                                                             \
    "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":"               \
    "\"CustomResourceDefinition\",\"metadata\":{\"name\":"                 \
    "\"redisfailovers.databases.spotahome.com\"},\"spec\":{\"versions\":[" \
    "{\"name\":\"v1\",\"served\":true,\"storage\":false,\"schema\":"     \
    "{\"openAPIV3Schema\":{\"type\":\"object\"}}},"                        \
    "{\"name\":\"v2\",\"served\":true,\"storage\":true,\"schema\":"      \
    "{\"openAPIV3Schema\":{\"type\":\"object\",\"description\":\"x\","   \
    "\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":{"     \
    "\"redis\":{\"type\":\"object\",\"default\":{},\"properties\":{"     \
    "\"replicas\":{\"type\":\"integer\"}}}}}}}}}]}}"

static void test_schema__crd_schema(void)
{
    struct diag_list dl;
    cJSON *crd = cJSON_Parse(CRD_JSON), *s = NULL;
    char ver[16], *txt;

    diag_list_init(&dl, "crd.json");
    CHECK(crd_is_redisfailover(crd));
    CHECK(crd_schema(&s, ver, sizeof(ver), crd, NULL, &dl) == RFG_OK);
    CHECK_STR_EQ(ver, "v2");
    txt = s ? cJSON_PrintUnformatted(s) : NULL;
    CHECK(txt != NULL);
    if (txt)
        CHECK_STR_EQ(txt, "{\"type\":\"object\",\"properties\":{\"spec\":"
                          "{\"type\":\"object\",\"properties\":{\"redis\":"
                          "{\"type\":\"object\",\"properties\":{\"replicas"
                          "\":{\"type\":\"integer\"}}}}}}}");
    cJSON_free(txt);
    cJSON_Delete(s);
    s = NULL;
    /* no storage version among the served ones */
    cJSON_ReplaceItemInObjectCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(crd, "spec"), "versions"), 1),
        "storage", cJSON_CreateFalse());
    CHECK(crd_schema(&s, NULL, 0, crd, NULL, &dl) == RFG_EINVAL);
    CHECK(s == NULL);
    CHECK(dl.len == 1);
    if (dl.len)
        CHECK_CONTAINS(dl.v[0].msg, "no version that is both served");
    cJSON_Delete(crd);
    diag_list_cleanup(&dl);
}

static void test_schema__install(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    struct diag_list dl;
    cJSON *s = NULL;
    char buf[200];
    const char *fo = RF("{\"sentinel\":{\"disableMyMaster\":true},"
                        "\"redis\":{\"replicas\":3}}");

    diag_list_init(&dl, "minimal.yaml");
    CHECK(crd_load_file(&s, buf, sizeof(buf),
                        RFG_TEST_DIR "/crd/minimal.yaml", &dl) == RFG_OK);
    CHECK_STR_EQ(buf, "v1");
    schema_describe(buf, sizeof(buf), RF_TARGET_FRESHWORKS_V33);
    CHECK_STR_EQ(buf, "the compiled-in freshworks-v3.3 CRD");
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33,
                   "/spec/sentinel/disableMyMaster") == NULL);
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33,
                            "/spec/sentinel/disableMyMaster"));
    CHECK(!schema_in_use_has(RF_TARGET_SPOTAHOME_V13,
                             "/spec/sentinel/disableMyMaster"));
    CHECK(schema_install(RF_TARGET_FRESHWORKS_V33, s, "the test CRD") ==
          RFG_OK);
    CHECK(!schema_in_use_has(RF_TARGET_FRESHWORKS_V33,
                             "/spec/sentinel/disableMyMaster"));
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/redis/replicas"));
    schema_describe(buf, sizeof(buf), RF_TARGET_FRESHWORKS_V33);
    CHECK_STR_EQ(buf, "the test CRD");
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33,
                 "/spec/sentinel/disableMyMaster");
    CHECK(x && x->kind == SCHEMA_UNKNOWN_FIELD);
    if (x)
        CHECK_CONTAINS(x->msg, "is not in the test CRD, though the "
                               "compiled-in freshworks-v3.3 CRD has it");
    /* the other targets keep their compiled-in schema */
    schema_describe(buf, sizeof(buf), RF_TARGET_SPOTAHOME_V13);
    CHECK_STR_EQ(buf, "the compiled-in spotahome-v1.3 CRD");
    CHECK(issue_at(&is, fo, RF_TARGET_SPOTAHOME_V13, "/spec/redis/replicas")
          == NULL);
    /* and NULL puts the compiled-in one back */
    CHECK(schema_install(RF_TARGET_ALL, NULL, NULL) == RFG_OK);
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33,
                   "/spec/sentinel/disableMyMaster") == NULL);
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33,
                            "/spec/sentinel/disableMyMaster"));
    schema_describe(buf, sizeof(buf), RF_TARGET_FRESHWORKS_V33);
    CHECK_STR_EQ(buf, "the compiled-in freshworks-v3.3 CRD");
    schema_issues_cleanup(&is);
    /* a malformed CRD names line and column */
    CHECK(crd_load_file(&s, NULL, 0, RFG_TEST_DIR "/crd/bad-schema.yaml",
                        &dl) == RFG_EINVAL);
    CHECK(dl.len == 1);
    if (dl.len) {
        CHECK_INT_EQ(dl.v[0].pos.line, 21);
        CHECK_INT_EQ(dl.v[0].pos.col, 13);
    }
    diag_list_cleanup(&dl);
}

/* An installed schema is compiled to the same tables as the compiled-in
 * ones: duplicate property names (the first wins, as cJSON finds it), a
 * property whose schema is not an object (known, unchecked), maps through
 * additionalProperties, open objects, list items, required fields inside
 * list items, and pointers escaped only when an issue is written. */
static void test_schema__compiled_table(void)
{
    struct schema_issues is = {0};
    const struct schema_issue *x;
    cJSON *s = cJSON_Parse(
        "{\"type\":\"object\",\"properties\":{"
        "\"apiVersion\":{\"type\":\"string\"},"
        "\"kind\":{\"type\":\"string\"},"
        "\"metadata\":{\"type\":\"object\"},"
        "\"spec\":{\"type\":\"object\",\"properties\":{"
        "\"a\":{\"type\":\"string\"},\"a\":{\"type\":\"integer\"},"
        "\"b\":true,"
        "\"m\":{\"type\":\"object\","
        "\"additionalProperties\":{\"type\":\"integer\"}},"
        "\"open\":{\"type\":\"object\","
        "\"x-kubernetes-preserve-unknown-fields\":true},"
        "\"l\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
        "\"required\":[\"name\"],\"properties\":{"
        "\"name\":{\"type\":\"string\"},"
        "\"port\":{\"type\":\"integer\",\"format\":\"int32\"}}}},"
        "\"redis\":{\"type\":\"object\",\"properties\":{"
        "\"replicas\":{\"type\":\"integer\"}}}}}}}");
    const char *fo = RF("{\"a\":5,\"b\":[1],\"m\":{\"x\":1,\"y\":\"s\"},"
                        "\"open\":{\"anything\":{\"at\":\"all\"}},"
                        "\"l\":[{\"name\":\"n\"},{\"port\":3000000000}],"
                        "\"x/y~z\":1,\"redis\":{\"replicsa\":3}}");

    CHECK(s != NULL);
    CHECK(schema_install(RF_TARGET_FRESHWORKS_V33, s, "the test CRD") ==
          RFG_OK);
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/a");
    CHECK(x && x->kind == SCHEMA_TYPE);
    if (x)
        CHECK_CONTAINS(x->msg, "spec.a is an integer; the CRD wants a "
                               "string");
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/b") == NULL);
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/m/x") == NULL);
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/m/y");
    CHECK(x && x->kind == SCHEMA_TYPE);
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33,
                   "/spec/open/anything") == NULL);
    CHECK(issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/l/0") == NULL);
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/l/1");
    CHECK(x && x->kind == SCHEMA_REQUIRED);
    if (x)
        CHECK_CONTAINS(x->msg, "spec.l[1] lacks the required field "
                               "\"name\"");
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/l/1/port");
    CHECK(x && x->kind == SCHEMA_TYPE);
    if (x)
        CHECK_CONTAINS(x->msg, "spec.l[1].port is 3000000000, out of range");
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/x~1y~0z");
    CHECK(x && x->kind == SCHEMA_UNKNOWN_FIELD);
    if (x)
        CHECK_CONTAINS(x->msg, "spec.x/y~z is not a field of the test CRD");
    x = issue_at(&is, fo, RF_TARGET_FRESHWORKS_V33, "/spec/redis/replicsa");
    CHECK(x && x->kind == SCHEMA_UNKNOWN_FIELD && x->hint);
    if (x && x->hint)
        CHECK_CONTAINS(x->hint, "spec.redis.replicas");
    CHECK_INT_EQ(is.len, 6);
    schema_issues_cleanup(&is);
    /* lookups by pointer follow items and additionalProperties too */
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33, ""));
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/m/anything"));
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/l/3/port"));
    CHECK(!schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/l/3/nope"));
    CHECK(schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/b"));
    CHECK(!schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/b/x"));
    CHECK(!schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "/spec/x~1y~0z"));
    CHECK(!schema_in_use_has(RF_TARGET_FRESHWORKS_V33, "spec"));
    CHECK(schema_install(RF_TARGET_ALL, NULL, NULL) == RFG_OK);
}

/* A schema with neither required fields nor enums has no names at all:
 * validation must not index the missing list (UBSan watches). */
static void test_schema__no_names(void)
{
    struct schema_issues is = {0};
    cJSON *s = cJSON_Parse("{\"type\":\"object\",\"properties\":{"
                           "\"spec\":{\"type\":\"object\",\"properties\":{"
                           "\"mode\":{\"type\":\"string\"}}}}}");

    CHECK(s != NULL);
    CHECK(schema_install(RF_TARGET_FRESHWORKS_V33, s, "the test CRD") ==
          RFG_OK);
    CHECK(issue_at(&is, RF("{\"mode\":\"x\"}"), RF_TARGET_FRESHWORKS_V33,
                   "/spec/mode") == NULL);
    CHECK_INT_EQ(is.len, 3); /* apiVersion, kind, metadata: not in it */
    schema_issues_cleanup(&is);
    CHECK(schema_install(RF_TARGET_ALL, NULL, NULL) == RFG_OK);
}

/* The generated table of each compiled-in schema is what compiling its
 * JSON gives now: the same nodes in the same order (suggestions find a
 * node's subschema by its number), the same properties and names. */
static void test_schema__generated_tables(void)
{
    static const enum rf_target t[] = {RF_TARGET_SPOTAHOME_V12,
                                       RF_TARGET_SPOTAHOME_V13,
                                       RF_TARGET_FRESHWORKS_V33};
    const struct sidx_table *gen[] = {&rfg_schema_s12_table,
                                      &rfg_schema_s13_table,
                                      &rfg_schema_f33_table};
    size_t i, j, k, bad = 0;

    for (i = 0; i < 3; i++) {
        struct sidx x = {0};

        CHECK(schema_for(t[i]) != NULL);
        CHECK(sidx_build(&x, schema_for(t[i])) == RFG_OK);
        CHECK_INT_EQ(x.t.nnodes, gen[i]->nnodes);
        for (j = 0; j < x.t.nnodes && j < gen[i]->nnodes; j++) {
            const struct sidx_node *a = &x.t.nodes[j], *b = &gen[i]->nodes[j];

            if (a->kind != b->kind || a->flags != b->flags ||
                a->items != b->items || a->addl != b->addl ||
                a->nslots != b->nslots || a->nreq != b->nreq ||
                a->nen != b->nen || a->en || b->en ||
                (a->type ? !b->type || strcmp(a->type, b->type) : !!b->type))
                bad++;
            for (k = 0; k < a->nslots && k < b->nslots; k++) {
                const struct sidx_slot *p = &x.t.slots[a->slot0 + k];
                const struct sidx_slot *q = &gen[i]->slots[b->slot0 + k];

                if (p->node != q->node || p->hash != q->hash ||
                    (p->name ? !q->name || strcmp(p->name, q->name)
                             : !!q->name))
                    bad++;
            }
            for (k = 0; k < a->nreq && k < b->nreq; k++)
                if (strcmp(x.t.names[a->req0 + k], gen[i]->names[b->req0 + k]))
                    bad++;
            for (k = 0; k < a->nen && k < b->nen; k++)
                if (strcmp(x.t.names[a->en0 + k], gen[i]->names[b->en0 + k]))
                    bad++;
        }
        sidx_free(&x);
    }
    CHECK_INT_EQ(bad, 0);
}

int main(void)
{
    RUN(test_schema__clean);
    RUN(test_schema__near_miss);
    RUN(test_schema__wrong_level);
    RUN(test_schema__per_target);
    RUN(test_schema__types);
    RUN(test_schema__metadata_maps);
    RUN(test_schema__nested_arrays);
    RUN(test_schema__enum_and_lookup);
    RUN(test_schema__crd_schema);
    RUN(test_schema__install);
    RUN(test_schema__compiled_table);
    RUN(test_schema__generated_tables);
    RUN(test_schema__no_names);
    return CHECK_DONE();
}
