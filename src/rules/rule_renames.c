/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_renames.c - spec.redis.customCommandRenames. Each
 * entry becomes `rename-command "<from>" "<to>"` in redis.conf, unescaped
 * (spotahome #716), so quotes or spaces inject configuration; the
 * operator, its probes and Sentinel failover need a set of commands under
 * their own names; Redis refuses to start on an unknown or twice-renamed
 * command. A list, entry or field of the wrong type is schema-type's to
 * report: these rules skip it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_impl.h"

/* The renames when they are a list of maps whose from and to, when
 * there, are strings; else NULL. */
static const cJSON *renames(const struct rule_ctx *ctx, const cJSON *obj)
{
    const cJSON *r = rf_list(rule_spec_of(ctx, obj, RF_REDIS),
                             "customCommandRenames");
    const cJSON *e;

    cJSON_ArrayForEach(e, r)
        if (!cJSON_IsObject(e) || rf_not_string(json_get(e, "from")) ||
            rf_not_string(json_get(e, "to")))
            return NULL;
    return r;
}

static bool safe_token(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' &&
            *s != '-')
            return false;
    return true;
}

static void check_rename_injection(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, renames(ctx, rule_obj(ctx))) {
        static const char *const fields[] = {"from", "to"};
        size_t f;

        for (f = 0; f < 2; f++) {
            const char *v = json_str(e, fields[f]);
            char ptr[80];

            snprintf(ptr, sizeof(ptr), "/spec/redis/customCommandRenames/"
                     "%zu/%s", i, fields[f]);
            if (f == 0 && (!v || !*v))
                rule_report(ctx, RULE_STRONG, ptr, "name the command",
                            "spec.redis.customCommandRenames[%zu].from is "
                            "empty: redis.conf gets rename-command \"\" and "
                            "Redis does not start", i);
            else if (v && !safe_token(v))
                rule_report(ctx, RULE_STRONG, ptr,
                            "use only letters, digits, '_', '.' and '-'",
                            "spec.redis.customCommandRenames[%zu].%s has "
                            "characters outside [A-Za-z0-9_.-]: it is "
                            "written into redis.conf inside quotes without "
                            "escaping, which injects configuration or stops "
                            "Redis (spotahome #716)", i, fields[f]);
        }
        i++;
    }
}

static const char *const operator_cmds[] = {
    "CONFIG", "SLAVEOF", "REPLICAOF", "INFO", "PING", "SAVE", "AUTH",
    "CLIENT", "MULTI", "EXEC", "PUBLISH", "SUBSCRIBE", "SCRIPT", NULL,
};

static bool operator_cmd(const char *from)
{
    const char *const *p;

    for (p = operator_cmds; *p; p++)
        if (!strcasecmp(from, *p))
            return true;
    return false;
}

static void check_rename_operator_commands(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, renames(ctx, rule_obj(ctx))) {
        const char *from = json_str(e, "from");
        char ptr[64];

        snprintf(ptr, sizeof(ptr), "/spec/redis/customCommandRenames/%zu",
                 i++);
        if (from && operator_cmd(from))
            rule_report(ctx, RULE_STRONG, ptr,
                        "remove the entry; protect the command with ACLs "
                        "or a NetworkPolicy instead",
                        "renaming %s breaks the operator, its probes or "
                        "Sentinel failover, which call it by name", from);
    }
}

static int fix_rename_operator_commands(struct rule_ctx *ctx,
                                        const cJSON *work)
{
    const cJSON *r = renames(ctx, work);
    const cJSON *e = json_last(r), *prev;
    int i, rc = RFG_OK;

    /* From the end; each remove frees its entry, so step back first. */
    for (i = cJSON_GetArraySize(r) - 1; i >= 0 && !rc; i--, e = prev) {
        const char *from = json_str(e, "from");
        char ptr[64];

        prev = e->prev;
        if (!from || !operator_cmd(from))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/redis/customCommandRenames/%d", i);
        rc = rule_fix_remove(ctx, ptr);
    }
    return rc;
}

/* Redis 7 top-level commands (containers like CONFIG count once). */
static const char *const redis_cmds[] = {
    "ACL", "APPEND", "ASKING", "AUTH", "BGREWRITEAOF", "BGSAVE", "BITCOUNT",
    "BITFIELD", "BITFIELD_RO", "BITOP", "BITPOS", "BLMOVE", "BLMPOP",
    "BLPOP", "BRPOP", "BRPOPLPUSH", "BZMPOP", "BZPOPMAX", "BZPOPMIN",
    "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "COPY", "DBSIZE", "DEBUG",
    "DECR", "DECRBY", "DEL", "DISCARD", "DUMP", "ECHO", "EVAL", "EVALSHA",
    "EVALSHA_RO", "EVAL_RO", "EXEC", "EXISTS", "EXPIRE", "EXPIREAT",
    "EXPIRETIME", "FAILOVER", "FCALL", "FCALL_RO", "FLUSHALL", "FLUSHDB",
    "FUNCTION", "GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS",
    "GEORADIUSBYMEMBER", "GEORADIUSBYMEMBER_RO", "GEORADIUS_RO",
    "GEOSEARCH", "GEOSEARCHSTORE", "GET", "GETBIT", "GETDEL", "GETEX",
    "GETRANGE", "GETSET", "HDEL", "HELLO", "HEXISTS", "HGET", "HGETALL",
    "HINCRBY", "HINCRBYFLOAT", "HKEYS", "HLEN", "HMGET", "HMSET",
    "HRANDFIELD", "HSCAN", "HSET", "HSETNX", "HSTRLEN", "HVALS", "INCR",
    "INCRBY", "INCRBYFLOAT", "INFO", "KEYS", "LASTSAVE", "LATENCY", "LCS",
    "LINDEX", "LINSERT", "LLEN", "LMOVE", "LMPOP", "LOLWUT", "LPOP", "LPOS",
    "LPUSH", "LPUSHX", "LRANGE", "LREM", "LSET", "LTRIM", "MEMORY", "MGET",
    "MIGRATE", "MODULE", "MONITOR", "MOVE", "MSET", "MSETNX", "MULTI",
    "OBJECT", "PERSIST", "PEXPIRE", "PEXPIREAT", "PEXPIRETIME", "PFADD",
    "PFCOUNT", "PFDEBUG", "PFMERGE", "PFSELFTEST", "PING", "PSETEX",
    "PSUBSCRIBE", "PSYNC", "PTTL", "PUBLISH", "PUBSUB", "PUNSUBSCRIBE",
    "QUIT", "RANDOMKEY", "READONLY", "READWRITE", "RENAME", "RENAMENX",
    "REPLCONF", "REPLICAOF", "RESET", "RESTORE", "RESTORE-ASKING", "ROLE",
    "RPOP", "RPOPLPUSH", "RPUSH", "RPUSHX", "SADD", "SAVE", "SCAN", "SCARD",
    "SCRIPT", "SDIFF", "SDIFFSTORE", "SELECT", "SET", "SETBIT", "SETEX",
    "SETNX", "SETRANGE", "SHUTDOWN", "SINTER", "SINTERCARD", "SINTERSTORE",
    "SISMEMBER", "SLAVEOF", "SLOWLOG", "SMEMBERS", "SMISMEMBER", "SMOVE",
    "SORT", "SORT_RO", "SPOP", "SPUBLISH", "SRANDMEMBER", "SREM", "SSCAN",
    "SSUBSCRIBE", "STRLEN", "SUBSCRIBE", "SUBSTR", "SUNION", "SUNIONSTORE",
    "SUNSUBSCRIBE", "SWAPDB", "SYNC", "TIME", "TOUCH", "TTL", "TYPE",
    "UNLINK", "UNSUBSCRIBE", "UNWATCH", "WAIT", "WAITAOF", "WATCH", "XACK",
    "XADD", "XAUTOCLAIM", "XCLAIM", "XDEL", "XGROUP", "XINFO", "XLEN",
    "XPENDING", "XRANGE", "XREAD", "XREADGROUP", "XREVRANGE", "XSETID",
    "XTRIM", "ZADD", "ZCARD", "ZCOUNT", "ZDIFF", "ZDIFFSTORE", "ZINCRBY",
    "ZINTER", "ZINTERCARD", "ZINTERSTORE", "ZLEXCOUNT", "ZMPOP", "ZMSCORE",
    "ZPOPMAX", "ZPOPMIN", "ZRANDMEMBER", "ZRANGE", "ZRANGEBYLEX",
    "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK", "ZREM", "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE", "ZREVRANK", "ZSCAN", "ZSCORE", "ZUNION",
    "ZUNIONSTORE", NULL,
};

static bool known_cmd(const char *c)
{
    const char *const *p;

    for (p = redis_cmds; *p; p++)
        if (!strcasecmp(c, *p))
            return true;
    return false;
}

/* A rename's "from" and its index, for first_same(). */
struct from_ref {
    const char *from;
    int idx;
};

/* Order by command (case-insensitive), then by index. */
static int cmp_from(const void *pa, const void *pb)
{
    const struct from_ref *a = pa, *b = pb;
    int c = strcasecmp(a->from, b->from);

    if (c)
        return c;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* For each of the n renames of `r`, the index of the first rename of the
 * same command (itself when it is the first), found by sorting: a nested
 * loop would be quadratic in a list the request controls. Owned result;
 * NULL when out of memory. */
static int *first_same(const cJSON *r, int n)
{
    struct from_ref *v = malloc((size_t)n * sizeof(*v) + 1);
    int *first = malloc((size_t)n * sizeof(*first) + 1);
    const cJSON *e;
    int i = 0, k, m = 0, run = 0;

    if (!v || !first) {
        free(v);
        free(first);
        return NULL;
    }
    cJSON_ArrayForEach(e, r) {
        const char *from = json_str(e, "from");

        if (i >= n)
            break;
        first[i] = i;
        if (from && *from) {
            v[m].from = from;
            v[m].idx = i;
            m++;
        }
        i++;
    }
    qsort(v, (size_t)m, sizeof(*v), cmp_from);
    for (k = 1; k < m; k++) {
        if (strcasecmp(v[k].from, v[run].from))
            run = k;
        else
            first[v[k].idx] = v[run].idx;
    }
    free(v);
    return first;
}

static void check_rename_duplicate(struct rule_ctx *ctx)
{
    const cJSON *r = renames(ctx, rule_obj(ctx));
    const cJSON *e;
    int n = cJSON_GetArraySize(r), i = -1, j;
    int *first = n > 0 ? first_same(r, n) : NULL;

    if (n > 0 && !first)
        return;     /* out of memory: no finding rather than a wrong one */
    cJSON_ArrayForEach(e, r) {
        const char *from = json_str(e, "from");
        char ptr[80];

        if (++i >= n)
            break;
        if (!from || !*from)
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/redis/customCommandRenames/%d/from",
                 i);
        j = first[i];
        if (j < i)
            rule_report(ctx, RULE_STRONG, ptr, "keep one entry per command",
                        "%s is renamed twice (entries %d and %d): the second "
                        "rename-command finds no such command and Redis "
                        "does not start", from, j, i);
        else if (!known_cmd(from))
            rule_report(ctx, RULE_WEAK, ptr,
                        "check the spelling against COMMAND LIST",
                        "%s is not a Redis command: rename-command fails "
                        "with \"No such command\" and Redis does not start "
                        "(modules' commands are fine if the module loads "
                        "first)", from);
    }
    free(first);
}

/* The name CONFIG is renamed to, or NULL when it is not renamed. */
static const cJSON *config_rename(const struct rule_ctx *ctx,
                                  const cJSON *obj)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, renames(ctx, obj)) {
        const char *from = json_str(e, "from");

        if (from && !strcasecmp(from, "CONFIG"))
            return e;
    }
    return NULL;
}

static const cJSON *exporter(const struct rule_ctx *ctx, const cJSON *obj)
{
    return json_get(rule_spec_of(ctx, obj, RF_REDIS), "exporter");
}

/* Does the exporter get --config-command? Args that are not a list count
 * as yes: schema-type reports them, and a fix could not add to them. */
static bool has_config_arg(const cJSON *exp)
{
    const cJSON *args = json_get(exp, "args"), *a;

    if (rf_not_list(args) || (args && !rf_strings(exp, "args")))
        return true;
    cJSON_ArrayForEach(a, args)
        if (cJSON_IsString(a) &&
            !strncmp(a->valuestring, "--config-command", 16))
            return true;
    return false;
}

static void check_exporter_config_rename(struct rule_ctx *ctx)
{
    const cJSON *exp = exporter(ctx, rule_obj(ctx));
    const cJSON *e = config_rename(ctx, rule_obj(ctx));
    const char *to = json_str(e, "to");

    if (!e || !cJSON_IsTrue(json_get(exp, "enabled")) || has_config_arg(exp))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/exporter",
                to && *to ? "add --config-command=<new name> to the "
                            "exporter's args ('rfguard fix' adds it)"
                          : "keep CONFIG available to the exporter",
                "CONFIG is renamed%s%s%s but the redis exporter still calls "
                "CONFIG: its config metrics fail (oliver006/redis_exporter "
                "#146)", to && *to ? " to " : " away", to && *to ? to : "",
                "");
}

static int fix_exporter_config_rename(struct rule_ctx *ctx, const cJSON *work)
{
    const cJSON *exp = exporter(ctx, work);
    const char *to = json_str(config_rename(ctx, work), "to");
    char arg[160];

    if (!to || !*to || !cJSON_IsTrue(json_get(exp, "enabled")) ||
        has_config_arg(exp) || !safe_token(to))
        return RFG_OK;
    snprintf(arg, sizeof(arg), "--config-command=%.100s", to);
    if (cJSON_IsArray(json_get(exp, "args")))
        return rule_fix_add(ctx, "/spec/redis/exporter/args/-",
                            cJSON_CreateString(arg));
    {
        static const char *const keys[] = {"spec", "redis", "exporter",
                                           "args"};
        cJSON *a = cJSON_CreateArray();

        if (!a || !cJSON_AddItemToArray(a, cJSON_CreateString(arg))) {
            cJSON_Delete(a);
            return RFG_ENOMEM;
        }
        return rule_fix_add_nested(ctx, keys, 4, a);
    }
}

/* The renames rules, in catalogue order. */
static const struct rule_desc renames_rules[] = {
    {
        .id = "rename-injection",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "customCommandRenames from/to use only [A-Za-z0-9_.-] and from "
            "is not empty",
        .check = check_rename_injection,
    },
    {
        .id = "rename-operator-commands",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "commands the operator, probes and Sentinel need are not "
            "renamed",
        .check = check_rename_operator_commands,
        .fix = fix_rename_operator_commands,
    },
    {
        .id = "rename-duplicate",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "each command is renamed once (deny) and is a Redis command "
            "(warn)",
        .check = check_rename_duplicate,
    },
    {
        .id = "exporter-config-rename",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "with CONFIG renamed, the redis exporter is told the new name",
        .check = check_exporter_config_rename,
        .fix = fix_exporter_config_rename,
    },
};

RULE_FAMILY(renames, renames_rules);
