/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ot.c - the OpsTree model (ot.h) and OpsTree entries of the
 * cluster view: defaults the CRD and the operator's code decide, and the
 * sentinel identity classes that put a RedisFailover and a
 * RedisReplication on mymaster, 6379 and no password in one group.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "cview.h"
#include "ot.h"
#include "rf.h"

static void fake_hash(const void *data, size_t len, unsigned char out[32])
{
    size_t i;

    memset(out, 0, 32);
    for (i = 0; i < len; i++)
        out[i % 32] ^= ((const unsigned char *)data)[i];
}

static cJSON *parse(const char *json)
{
    cJSON *o = cJSON_Parse(json);

    CHECK(o != NULL);
    return o;
}

#define RS "\"apiVersion\":\"redis.redis.opstreelabs.in/v1beta2\"," \
           "\"kind\":\"RedisSentinel\""
#define RR "\"apiVersion\":\"redis.redis.opstreelabs.in/v1beta2\"," \
           "\"kind\":\"RedisReplication\""

static void test_ot__fields(void)
{
    struct ot_fields f;
    cJSON *o;
    long long v;

    /* RedisSentinel defaults: myMaster, 6379, no secret */
    o = parse("{" RS ",\"metadata\":{\"name\":\"s\"},\"spec\":"
              "{\"clusterSize\":3,\"redisSentinelConfig\":"
              "{\"redisReplicationName\":\"r\"}}}");
    ot_fields_init(&f, o);
    CHECK_INT_EQ(f.kind, RF_KIND_SENTINEL);
    CHECK_STR_EQ(f.master, OT_DEFAULT_MASTER_NAME);
    CHECK_INT_EQ(f.port, 6379);
    CHECK(f.secret == NULL);
    CHECK_INT_EQ(f.sentinels, 3);
    CHECK_STR_EQ(f.sentinels_ptr, "/spec/clusterSize");
    CHECK_STR_EQ(f.repl, "r");
    CHECK_INT_EQ(f.redis, -1);
    cJSON_Delete(o);

    /* its own master name, a port string, a password reference */
    o = parse("{" RS ",\"metadata\":{\"name\":\"s\"},\"spec\":"
              "{\"hostPort\":7000,\"kubernetesConfig\":{\"redisSecret\":"
              "{\"name\":\"auth\",\"key\":\"pw\"}},\"redisSentinelConfig\":"
              "{\"masterGroupName\":\"shop\",\"redisPort\":\"6380\","
              "\"redisReplicationPassword\":{\"secretKeyRef\":"
              "{\"name\":\"auth\",\"key\":\"pw\"}}}}}");
    ot_fields_init(&f, o);
    CHECK_STR_EQ(f.master, "shop");
    CHECK_INT_EQ(f.port, 6380);
    CHECK_STR_EQ(f.secret, "auth");
    CHECK_STR_EQ(f.secret_key, "pw");
    CHECK_STR_EQ(f.repl_secret, "auth");
    CHECK_STR_EQ(f.repl_key, "pw");
    CHECK_INT_EQ(f.host_port, 7000);
    cJSON_Delete(o);

    /* sizes that are no int: too big, a fraction */
    o = parse("{" RR ",\"metadata\":{\"name\":\"r\"},\"spec\":"
              "{\"clusterSize\":1e300,\"hostPort\":2.5,"
              "\"sentinel\":{\"size\":-1e300}}}");
    ot_fields_init(&f, o);
    CHECK_INT_EQ(f.redis, -1);
    CHECK_INT_EQ(f.host_port, 0);
    CHECK_INT_EQ(f.sentinels, -1);
    cJSON_Delete(o);

    /* a port that is not one */
    o = parse("{" RS ",\"metadata\":{\"name\":\"s\"},\"spec\":"
              "{\"redisSentinelConfig\":{\"redisPort\":\"63 79\"}}}");
    ot_fields_init(&f, o);
    CHECK_INT_EQ(f.port, -1);
    cJSON_Delete(o);

    /* RedisReplication: the operator's code fixes mymaster and 6379 */
    o = parse("{" RR ",\"metadata\":{\"name\":\"r\"},\"spec\":"
              "{\"clusterSize\":2,\"sentinel\":{\"size\":4}}}");
    ot_fields_init(&f, o);
    CHECK_INT_EQ(f.kind, RF_KIND_REPLICATION);
    CHECK_STR_EQ(f.master, RF_DEFAULT_MASTER_NAME);
    CHECK_INT_EQ(f.port, 6379);
    CHECK_INT_EQ(f.redis, 2);
    CHECK_INT_EQ(f.sentinels, 4);
    CHECK_STR_EQ(f.scfg_ptr, "/spec/sentinel");
    cJSON_Delete(o);

    /* not an OpsTree object */
    o = parse("{\"apiVersion\":\"databases.spotahome.com/v1\","
              "\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"x\"}}");
    ot_fields_init(&f, o);
    CHECK_INT_EQ(f.kind, 0);
    CHECK_INT_EQ(rf_kind_of(o), RF_KIND_FAILOVER);
    cJSON_Delete(o);

    CHECK(ot_parse_int("5000", &v) && v == 5000);
    CHECK(ot_parse_int("-1", &v) && v == -1);
    CHECK(!ot_parse_int("5s", &v));
    CHECK(!ot_parse_int("", &v));
    CHECK(!ot_parse_int(" 5", &v));
    CHECK(!ot_parse_int("99999999999999999999", &v));
}

static void test_ot__targets(void)
{
    char buf[128];

    CHECK_INT_EQ(rf_target_parse("opstree-v0.26"), RF_TARGET_OPSTREE_V026);
    CHECK_INT_EQ(rf_target_parse("freshworks-v3.3,opstree-v0.26"),
                 RF_TARGET_FRESHWORKS_V33 | RF_TARGET_OPSTREE_V026);
    /* two targets of one operator, unknown names, empty parts */
    CHECK_INT_EQ(rf_target_parse("spotahome-v1.3,freshworks-v3.3"), 0);
    CHECK_INT_EQ(rf_target_parse("opstree-v0.25"), 0);
    CHECK_INT_EQ(rf_target_parse("opstree-v0.26,"), 0);
    CHECK_INT_EQ(rf_target_parse(",opstree-v0.26"), 0);
    CHECK_INT_EQ(rf_target_parse(""), 0);
    CHECK(rf_target_parse_error("spotahome-v1.3,freshworks-v3.3") == NULL);
    CHECK_STR_EQ(rf_target_parse_error("opstree-v0.26,x"), "unknown target");
    CHECK_STR_EQ(rf_target_parse_error("opstree-v0.26,"), "unknown target");
    /* each kind under its operator's target, else the default */
    CHECK_INT_EQ(rf_target_pick(RF_TARGET_FRESHWORKS_V33, RF_KIND_SENTINEL),
                 RF_TARGET_OPSTREE_V026);
    CHECK_INT_EQ(rf_target_pick(RF_TARGET_OPSTREE_V026, RF_KIND_FAILOVER),
                 RF_TARGET_DEFAULT);
    CHECK_INT_EQ(rf_target_pick(RF_TARGET_FRESHWORKS_V33 |
                                    RF_TARGET_OPSTREE_V026,
                                RF_KIND_FAILOVER),
                 RF_TARGET_FRESHWORKS_V33);
    rf_target_format(buf, sizeof(buf),
                     RF_TARGET_SPOTAHOME_V12 | RF_TARGET_OPSTREE_V026);
    CHECK_STR_EQ(buf, "spotahome-v1.2,opstree-v0.26");
    CHECK(rf_target_name(RF_TARGET_SPOTAHOME_V12 | RF_TARGET_OPSTREE_V026) ==
          NULL);
}

static void add(struct cview *cv, const char *json, const char *origin)
{
    cJSON *o = parse(json);

    CHECK_INT_EQ(cview_add_object(cv, o, "default", origin), RFG_OK);
    cJSON_Delete(o);
}

static void test_ot__view(void)
{
    struct cview cv;
    struct cview_key k;
    struct cview_hits h = {CVIEW_END, 0};
    size_t g;

    cview_init(&cv, fake_hash);
    /* 0: a RedisFailover on mymaster, 6379, no auth */
    add(&cv, "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
             "\"RedisFailover\",\"metadata\":{\"name\":\"orders\","
             "\"namespace\":\"shop\"},\"spec\":{}}", "a.yaml:1");
    /* 1: a RedisReplication of the same name and namespace */
    add(&cv, "{" RR ",\"metadata\":{\"name\":\"orders\",\"namespace\":"
             "\"shop\"},\"spec\":{\"clusterSize\":3}}", "b.yaml:1");
    /* 2: a RedisSentinel on its default myMaster */
    add(&cv, "{" RS ",\"metadata\":{\"name\":\"s\",\"namespace\":"
             "\"team\"},\"spec\":{\"hostPort\":7000}}", "c.yaml:1");
    CHECK_INT_EQ(cv.nrfs, 3);
    CHECK_INT_EQ(cv.rfs[1].kind, RF_KIND_REPLICATION);
    CHECK_STR_EQ(cv.rfs[1].ot->master, "mymaster");
    CHECK_STR_EQ(cview_kind_name(&cv.rfs[1]), "RedisReplication");
    CHECK_STR_EQ(cview_kind_name(&cv.rfs[0]), "RedisFailover");
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);

    /* one identity group across operators: the failover sees the
     * replication, not the sentinel group on myMaster */
    memset(&k, 0, sizeof(k));
    k.port = 6379;
    k.master = RF_DEFAULT_MASTER_NAME;
    g = cview_class_find(&cv, CVIEW_C_SPORT, &k);
    cview_class_hits(&cv, CVIEW_C_SPORT, g,
                     cview_self(&cv, RF_KIND_FAILOVER, "shop", "orders"),
                     &h);
    CHECK_INT_EQ(h.n, 1);
    CHECK_INT_EQ(h.first, 1);
    /* the same name of another kind is not the object itself */
    CHECK(cview_self(&cv, RF_KIND_FAILOVER, "shop", "orders") !=
          cview_self(&cv, RF_KIND_REPLICATION, "shop", "orders"));
    /* the password class: no auth */
    h.first = CVIEW_END;
    h.n = 0;
    g = cview_class_find(&cv, CVIEW_C_SID, &k);
    cview_class_hits(&cv, CVIEW_C_SID, g, CVIEW_END, &h);
    CHECK_INT_EQ(h.n, 2);
    /* RedisSentinels by master name; hostPort */
    k.master = OT_DEFAULT_MASTER_NAME;
    CHECK(cview_class_find(&cv, CVIEW_C_OT_MASTER, &k) != CVIEW_END);
    k.master = RF_DEFAULT_MASTER_NAME;
    CHECK_INT_EQ(cview_class_find(&cv, CVIEW_C_OT_MASTER, &k), CVIEW_END);
    k.port = 7000;
    CHECK(cview_class_find(&cv, CVIEW_C_HOSTPORT, &k) != CVIEW_END);
    /* the failovers-only port class leaves OpsTree out */
    k.port = 6379;
    h.first = CVIEW_END;
    h.n = 0;
    cview_class_hits(&cv, CVIEW_C_PORT, cview_class_find(&cv, CVIEW_C_PORT,
                                                         &k),
                     CVIEW_END, &h);
    CHECK_INT_EQ(h.n, 1);
    cview_cleanup(&cv);
}

int main(void)
{
    RUN(test_ot__fields);
    RUN(test_ot__targets);
    RUN(test_ot__view);
    return CHECK_DONE();
}
