/* SPDX-License-Identifier: Apache-2.0
 *
 * ot.c - the OpsTree redis-operator's view of a RedisSentinel or
 * RedisReplication (ot.h): the CRD's defaults (masterGroupName myMaster,
 * redisPort "6379", quorum "2") and what the operator's Go code fixes
 * (a RedisReplication's embedded sentinel always monitors mymaster on
 * 6379).
 */
#include "ot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

bool ot_parse_int(const char *s, long long *out)
{
    char *end;
    long long v;

    if (!s || !*s || (!(*s >= '0' && *s <= '9') && *s != '-'))
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

/* An integer member `k` of `o` in the int range, else -1. */
static int int_member(const cJSON *o, const char *k)
{
    const cJSON *v = json_get(o, k);

    /* range first: casting a double out of range is undefined */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= INT_MIN) ||
        !(v->valuedouble <= INT_MAX) ||
        v->valuedouble != (double)(int)v->valuedouble)
        return -1;
    return (int)v->valuedouble;
}

static const cJSON *map(const cJSON *o, const char *k)
{
    const cJSON *v = json_get(o, k);

    return cJSON_IsObject(v) ? v : NULL;
}

void ot_fields_init(struct ot_fields *f, const cJSON *obj)
{
    const cJSON *sec, *kc;
    long long port;
    const char *p;
    int hp;

    memset(f, 0, sizeof(*f));
    f->kind = rf_kind_of(obj);
    f->port = RF_DEFAULT_PORT;
    f->sentinels = -1;
    f->redis = -1;
    if (!(f->kind & RF_KIND_OPSTREE)) {
        f->kind = 0;
        return;
    }
    f->spec = map(obj, "spec");
    kc = map(f->spec, "kubernetesConfig");
    sec = map(kc, "redisSecret");
    f->secret = json_str(sec, "name");
    f->secret_key = json_str(sec, "key");
    if (f->secret && !*f->secret)
        f->secret = NULL;
    hp = int_member(f->spec, "hostPort");
    f->host_port = hp > 0 ? hp : 0;
    if (f->kind == RF_KIND_REPLICATION) {
        f->master = RF_DEFAULT_MASTER_NAME;
        f->scfg = map(f->spec, "sentinel");
        f->scfg_ptr = "/spec/sentinel";
        f->redis = int_member(f->spec, "clusterSize");
        f->sentinels = f->scfg ? int_member(f->scfg, "size") : 0;
        f->sentinels_ptr = "/spec/sentinel/size";
        return;
    }
    f->scfg = map(f->spec, "redisSentinelConfig");
    f->scfg_ptr = "/spec/redisSentinelConfig";
    f->sentinels = int_member(f->spec, "clusterSize");
    f->sentinels_ptr = "/spec/clusterSize";
    f->master = json_str(f->scfg, "masterGroupName");
    if (!f->master || !*f->master)
        f->master = OT_DEFAULT_MASTER_NAME;
    p = json_str(f->scfg, "redisPort");
    if (p && *p)
        f->port = ot_parse_int(p, &port) && port > 0 && port <= 65535
                      ? (int)port
                      : -1;
    else if (json_get(f->scfg, "redisPort") &&
             !cJSON_IsNull(json_get(f->scfg, "redisPort")))
        f->port = -1;
    f->repl = json_str(f->scfg, "redisReplicationName");
    if (f->repl && !*f->repl)
        f->repl = NULL;
    sec = map(map(f->scfg, "redisReplicationPassword"), "secretKeyRef");
    f->repl_secret = json_str(sec, "name");
    f->repl_key = json_str(sec, "key");
}
