/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_basic.c - replica counts and names: sentinel
 * quorum, a failover target for redis, and the name limits that follow
 * from the operator's generated object names. A count the API server
 * rejects (not an int32) is schema-type's: the count rules skip it.
 * OpsTree objects count their sentinels in a RedisSentinel's
 * spec.clusterSize or a RedisReplication's spec.sentinel.size, and a
 * RedisReplication its redis pods in spec.clusterSize.
 */
#include <stdio.h>
#include <string.h>

#include "ot.h"
#include "rules_impl.h"

/* sentinel-replicas of an OpsTree object: a RedisSentinel's clusterSize
 * (unset: the CRD default, 3), or the size of a RedisReplication's
 * embedded sentinel when it has one. */
static void ot_sentinel_replicas(struct rule_ctx *ctx)
{
    struct ot_fields o;
    const char *field;
    char hint[64];

    ot_fields_init(&o, rule_obj(ctx));
    if (o.sentinels < 0 || (o.kind == RF_KIND_REPLICATION && !o.scfg))
        return;
    field = o.kind == RF_KIND_REPLICATION ? "spec.sentinel.size"
                                          : "spec.clusterSize";
    snprintf(hint, sizeof(hint), "set %s to 3 (or 5)", field);
    if (o.sentinels < 3)
        rule_report(ctx, RULE_STRONG, o.sentinels_ptr, hint,
                    "%s is %d: quorum is n/2+1, so %d sentinel%s cannot "
                    "survive the loss of one",
                    field, o.sentinels, o.sentinels,
                    o.sentinels == 1 ? "" : "s");
    else if (o.sentinels % 2 == 0)
        rule_report(ctx, RULE_WEAK, o.sentinels_ptr,
                    "use an odd number of sentinels",
                    "%s is %d: an even count tolerates no more failures "
                    "than %d",
                    field, o.sentinels, o.sentinels - 1);
}

static void check_sentinel_replicas(struct rule_ctx *ctx)
{
    int n = rule_replicas(ctx, RF_SENTINEL);

    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        ot_sentinel_replicas(ctx);
        return;
    }
    if (!rule_replicas_valid(ctx, rule_obj(ctx), RF_SENTINEL))
        return;
    if (n < 3)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/replicas",
                    "set spec.sentinel.replicas to 3 (or 5)",
                    "spec.sentinel.replicas is %d: quorum is n/2+1, so %d "
                    "sentinel%s cannot survive the loss of one",
                    n, n, n == 1 ? "" : "s");
    else if (n % 2 == 0)
        rule_report(ctx, RULE_WEAK, "/spec/sentinel/replicas",
                    "use an odd number of sentinels",
                    "spec.sentinel.replicas is %d: an even count tolerates "
                    "no more failures than %d",
                    n, n - 1);
}

static int fix_sentinel_replicas(struct rule_ctx *ctx, const cJSON *work)
{
    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return RFG_OK;  /* OpsTree: no fix */
    if (!rule_param_bool(ctx, "fix", false) ||
        !rule_replicas_valid(ctx, work, RF_SENTINEL) ||
        rf_replicas(work, RF_SENTINEL) >= 3)
        return RFG_OK;
    return rule_fix_replace(ctx, "/spec/sentinel/replicas",
                          cJSON_CreateNumber(3));
}

static void check_redis_replicas_ha(struct rule_ctx *ctx)
{
    int n = rule_replicas(ctx, RF_REDIS);
    struct ot_fields o;

    if (rule_kind(ctx) == RF_KIND_REPLICATION) {
        ot_fields_init(&o, rule_obj(ctx));
        if (o.redis >= 0 && o.redis < 2)
            rule_report(ctx, RULE_STRONG, "/spec/clusterSize",
                        "set spec.clusterSize to 3",
                        "spec.clusterSize is %d: there is no replica to fail "
                        "over to",
                        o.redis);
        return;
    }
    if (n < 2 && rule_replicas_valid(ctx, rule_obj(ctx), RF_REDIS))
        rule_report(ctx, RULE_STRONG, "/spec/redis/replicas",
                    "set spec.redis.replicas to 3",
                    "spec.redis.replicas is %d: there is no replica to fail "
                    "over to",
                    n);
}

static void check_name_length(struct rule_ctx *ctx)
{
    const char *name = rule_name(ctx);
    size_t n = name ? strlen(name) : 0;

    if (n > RF_NAME_MAX)
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "shorten the name to 48 characters or fewer",
                    "metadata.name is %zu characters, over the operator's "
                    "limit of %d: it refuses the failover, since the "
                    "StatefulSet revision label would exceed 63",
                    n, RF_NAME_MAX);
}

static void check_name_charset(struct rule_ctx *ctx)
{
    const char *name = rule_name(ctx);
    const char *p;
    bool ok;

    if (!name)
        return;
    ok = *name && ((name[0] >= 'a' && name[0] <= 'z') ||
                   (name[0] >= '0' && name[0] <= '9'));
    for (p = name; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
             *p == '-';
    if (ok && name[strlen(name) - 1] == '-')
        ok = false;
    if (!ok)
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "use lower-case letters, digits and '-', starting and "
                    "ending with a letter or digit",
                    "metadata.name \"%s\" is not a DNS-1035 label: the "
                    "operator's rfr-/rfs- Services cannot be created",
                    name);
}

/* The basic rules, in catalogue order. */
static const struct rule_desc basic_rules[] = {
    {
        .id = "sentinel-replicas",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "at least 3 sentinels, and an odd number (deny below 3, warn "
            "when even)",
        .params = "fix",
        .check = check_sentinel_replicas,
        .fix = fix_sentinel_replicas,
    },
    {
        .id = "redis-replicas-ha",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_FAILOVER | RF_KIND_REPLICATION,
        .doc = "at least 2 redis replicas, so there is a failover target",
        .check = check_redis_replicas_ha,
    },
    {
        .id = "name-length",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "metadata.name is at most 48 characters",
        .check = check_name_length,
    },
    {
        .id = "name-charset",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "metadata.name is a DNS-1035 label (lower case, digits, '-', "
            "no '.')",
        .check = check_name_charset,
    },
};

RULE_FAMILY(basic, basic_rules);
