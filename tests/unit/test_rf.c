/* SPDX-License-Identifier: Apache-2.0
 *
 * test_rf.c - the operator's implicit defaults, generated names and
 * pod labels.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "rf.h"

static cJSON *rf(const char *spec)
{
    char buf[1024];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"databases.spotahome.com/v1\","
             "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"cache\","
             "\"labels\":{\"team\":\"a\",\"app.kubernetes.io/name\":\"x\","
             "\"app.kubernetes.io/managed-by\":\"Helm\"}},\"spec\":%s}",
             spec);
    return cJSON_Parse(buf);
}

static void test_rf__defaults(void)
{
    cJSON *o = rf("{\"redis\":{\"replicas\":0,\"port\":-1},"
                  "\"sentinel\":{\"replicas\":5}}");

    CHECK(rf_is_failover(o));
    CHECK_INT_EQ(rf_replicas(o, RF_REDIS), 3);
    CHECK_INT_EQ(rf_replicas(o, RF_SENTINEL), 5);
    CHECK_INT_EQ(rf_redis_port(o), 6379);
    CHECK(rf_secret_path(o) == NULL);
    CHECK_STR_EQ(rf_namespace(o, "default"), "default");
    CHECK_STR_EQ(rf_master_name(o, RF_TARGET_FRESHWORKS_V33), "mymaster");
    cJSON_Delete(o);
    o = rf("{\"auth\":{\"secretPath\":\"\"},\"redis\":{\"port\":6380}}");
    CHECK(rf_secret_path(o) == NULL); /* empty is no auth */
    CHECK_INT_EQ(rf_redis_port(o), 6380);
    CHECK_INT_EQ(rf_replicas(o, RF_REDIS), 3);
    cJSON_Delete(o);
    o = rf("{\"sentinel\":{\"disableMyMaster\":true}}");
    CHECK_STR_EQ(rf_master_name(o, RF_TARGET_FRESHWORKS_V33), "cache");
    CHECK_STR_EQ(rf_master_name(o, RF_TARGET_SPOTAHOME_V13), "mymaster");
    cJSON_Delete(o);
    CHECK_INT_EQ(rf_default_sentinel_config_len, 2);
    CHECK_STR_EQ(rf_default_sentinel_config[0],
                 "down-after-milliseconds 5000");
}

/* Counts and ports the API server rejects are not valid; the typed
 * getters see only fields of the type the CRD gives them. */
static void test_rf__typed(void)
{
    cJSON *o = rf("{\"redis\":{\"replicas\":1.5,\"port\":99999999999,"
                  "\"customConfig\":{\"maxmemory\":\"1mb\"},"
                  "\"command\":[\"redis-server\",1]},"
                  "\"sentinel\":{\"replicas\":\"3\"}}");
    cJSON *ok = rf("{\"redis\":{\"replicas\":2,\"port\":null,"
                   "\"customConfig\":[\"maxmemory 1mb\"]}}");
    const cJSON *r;

    CHECK(!rf_replicas_valid(o, RF_REDIS));
    CHECK(!rf_replicas_valid(o, RF_SENTINEL));
    CHECK(!rf_redis_port_valid(o));
    CHECK(rf_replicas_valid(ok, RF_REDIS));
    CHECK(rf_replicas_valid(ok, RF_SENTINEL)); /* absent */
    CHECK(rf_redis_port_valid(ok));            /* null */
    r = rf_component_spec(o, RF_REDIS);
    CHECK(rf_list(r, "customConfig") == NULL);
    CHECK(rf_map(r, "customConfig") != NULL);
    CHECK(rf_list(r, "command") != NULL);
    CHECK(rf_strings(r, "command") == NULL);
    CHECK(rf_strings(rf_component_spec(ok, RF_REDIS), "customConfig"));
    CHECK(rf_not_list(json_get(r, "customConfig")));
    CHECK(!rf_not_list(NULL));
    cJSON_Delete(o);
    cJSON_Delete(ok);
    o = cJSON_Parse("{\"matchLabels\":[\"a=b\"]}");
    CHECK(!rf_selector_typed(o));
    cJSON_Delete(o);
    o = cJSON_Parse("{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":"
                    "[{\"key\":\"a\",\"operator\":\"In\","
                    "\"values\":[\"b\"]}]}");
    CHECK(rf_selector_typed(o));
    CHECK(rf_selector_typed(NULL));
    cJSON_Delete(o);
}

static void test_rf__names(void)
{
    char buf[80];

    rf_object_name(buf, sizeof(buf), RF_OBJ_REDIS, "cache");
    CHECK_STR_EQ(buf, "rfr-cache");
    rf_object_name(buf, sizeof(buf), RF_OBJ_SENTINEL, "cache");
    CHECK_STR_EQ(buf, "rfs-cache");
    rf_object_name(buf, sizeof(buf), RF_OBJ_SHUTDOWN_CM, "cache");
    CHECK_STR_EQ(buf, "rfr-s-cache");
    rf_object_name(buf, sizeof(buf), RF_OBJ_READINESS_CM, "cache");
    CHECK_STR_EQ(buf, "rfr-readiness-cache");
    rf_object_name(buf, sizeof(buf), RF_OBJ_MASTER_SVC, "cache");
    CHECK_STR_EQ(buf, "rfrm-cache");
    rf_object_name(buf, sizeof(buf), RF_OBJ_SLAVE_SVC, "cache");
    CHECK_STR_EQ(buf, "rfrs-cache");
    CHECK_INT_EQ(rf_object_name(buf, 4, RF_OBJ_REDIS, "cache"), 9);
}

static void test_rf__labels(void)
{
    cJSON *o = rf("{}");
    cJSON *l = rf_pod_labels(o, RF_SENTINEL);
    cJSON *s = rf_selector_labels("cache", RF_REDIS);

    /* RF labels override managed-by; selector labels always win */
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_MANAGED_BY)
                     ->valuestring, "Helm");
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_NAME)
                     ->valuestring, "cache");
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_COMPONENT)
                     ->valuestring, "sentinel");
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_PART_OF)
                     ->valuestring, "redis-failover");
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_RF_NAME)
                     ->valuestring, "cache");
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(l, "team")->valuestring,
                 "a");
    CHECK(cJSON_GetObjectItemCaseSensitive(l, RF_LABEL_ROLE) == NULL);
    CHECK_INT_EQ(cJSON_GetArraySize(s), 3);
    CHECK_STR_EQ(cJSON_GetObjectItemCaseSensitive(s, RF_LABEL_COMPONENT)
                     ->valuestring, "redis");
    cJSON_Delete(s);
    cJSON_Delete(l);
    cJSON_Delete(o);
}

/* rf_fields_init gives what the getters give, whatever the spec holds. */
static void test_rf__fields(void)
{
    static const char *const specs[] = {
        "{}",
        "[]",
        ("{\"redis\":{\"replicas\":0,\"port\":-1},"
         "\"sentinel\":{\"replicas\":5}}"),
        "{\"redis\":{\"replicas\":1e12,\"port\":\"6380\"},\"sentinel\":[]}",
        "{\"redis\":{\"port\":7000},\"auth\":{\"secretPath\":\"pw\"}}",
        "{\"redis\":null,\"auth\":{\"secretPath\":\"\"}}",
        "{\"auth\":{\"secretPath\":7}}",
    };
    struct rf_fields f;
    size_t i;
    int c;

    for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        cJSON *o = rf(specs[i]);

        CHECK(o != NULL);
        rf_fields_init(&f, o);
        CHECK(f.obj == o);
        for (c = RF_REDIS; c <= RF_SENTINEL; c++) {
            CHECK(f.spec[c] == rf_component_spec(o, c));
            CHECK_INT_EQ(f.replicas[c], rf_replicas(o, c));
        }
        CHECK(f.name == rf_name(o));
        CHECK(f.secret_path == rf_secret_path(o));
        CHECK_INT_EQ(f.redis_port, rf_redis_port(o));
        cJSON_Delete(o);
    }
    rf_fields_init(&f, NULL);
    CHECK(!f.spec[RF_REDIS] && !f.spec[RF_SENTINEL] && !f.name &&
          !f.secret_path);
    CHECK_INT_EQ(f.redis_port, RF_DEFAULT_PORT);
    CHECK_INT_EQ(f.replicas[RF_SENTINEL], RF_DEFAULT_REPLICAS);
}

static void test_rf__targets(void)
{
    CHECK_INT_EQ(rf_target_parse("spotahome-v1.2"), RF_TARGET_SPOTAHOME_V12);
    CHECK_INT_EQ(rf_target_parse("freshworks-v3.3"),
                 RF_TARGET_FRESHWORKS_V33);
    CHECK_INT_EQ(rf_target_parse("nope"), 0);
    CHECK_STR_EQ(rf_target_name(RF_TARGET_SPOTAHOME_V13), "spotahome-v1.3");
}

int main(void)
{
    RUN(test_rf__defaults);
    RUN(test_rf__typed);
    RUN(test_rf__names);
    RUN(test_rf__labels);
    RUN(test_rf__fields);
    RUN(test_rf__targets);
    return CHECK_DONE();
}
