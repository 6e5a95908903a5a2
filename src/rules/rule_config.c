/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_config.c - customConfig. The operator applies each
 * entry at run time on every reconcile (CONFIG SET for redis, SENTINEL SET
 * for sentinels), split at the first space into key and value; one bad
 * entry fails the whole reconcile every 30 s. Keys it owns (replication,
 * port, auth, files) break it when set by hand, and so do the sentinel's
 * global options, which SENTINEL SET <master> rejects. Values that are
 * valid but unsafe are checked too: sentinel timings, and a redis
 * min-replicas-to-write the replica count cannot meet. Not the redis
 * command line (rule_misc.c, rule_storage.c). A customConfig that is not a
 * list of strings is schema-type's to report: these rules skip it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_impl.h"

/* The customConfig of `c` when it is a list of strings, else NULL. */
static const cJSON *custom_config(const struct rule_ctx *ctx,
                                  const cJSON *obj, enum rf_component c)
{
    return rule_custom_config(ctx, obj, c);
}

/* Lower-cased first token of `entry` into key (empty when none). */
static void entry_key(const char *entry, char *key, size_t len)
{
    size_t i = 0;

    while (entry[i] && entry[i] != ' ' && i + 1 < len) {
        key[i] = (char)tolower((unsigned char)entry[i]);
        i++;
    }
    key[i] = '\0';
}

static bool in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(k, *list))
            return true;
    return false;
}

/* Why `e` is malformed for the operator's split, or NULL; *more says
 * what follows from it ("" when nothing to add), ending in "; ". */
static const char *format_problem(const char *e, const char **more)
{
    const char *sp = strchr(e, ' ');
    const char *p;

    *more = "";
    for (p = e; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            return "contains a tab or line break";
    if (*e == ' ')
        return "starts with a space";
    if (!sp)
        return "has a key but no value";
    if (sp[1] == ' ') {
        *more = "the value would start with a space; ";
        return "has two spaces after the key";
    }
    if (!sp[1]) {
        *more = "an empty value is written \"\"; ";
        return "has an empty value";
    }
    return NULL;
}

static void check_customconfig_format(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t c;

    for (c = 0; c < 2; c++) {
        const cJSON *e;
        size_t i = 0;

        cJSON_ArrayForEach(e, custom_config(ctx, rule_obj(ctx), comps[c])) {
            const char *why, *more;
            char ptr[64];

            snprintf(ptr, sizeof(ptr), "/spec/%s/customConfig/%zu",
                     rf_component_name(comps[c]), i++);
            if (!cJSON_IsString(e))
                continue;
            why = format_problem(e->valuestring, &more);
            if (why)
                rule_report(ctx, RULE_STRONG, ptr,
                            "write \"<key> <value>\" with one space",
                            "spec.%s.customConfig[%zu] \"%.60s\" %s: %sthe "
                            "operator's CONFIG SET fails and the whole "
                            "reconcile with it, every 30 s",
                            rf_component_name(comps[c]), i - 1,
                            e->valuestring, why, more);
        }
    }
}

static const char *const redis_owned[] = {
    "slaveof", "replicaof", "port", "bind", "dir", "dbfilename",
    "requirepass", "masterauth", "user", "rename-command",
    "replica-announce-ip", "replica-announce-port", "slave-announce-ip",
    "slave-announce-port", NULL,
};
static const char *const redis_static[] = {
    "databases", "logfile", "daemonize", "include", "loadmodule",
    "unixsocket", "unixsocketperm", "pidfile", "aclfile", "supervised",
    NULL,
};

/* Why redis customConfig key `k` is forbidden ("which ..."), or NULL;
 * *more says what follows from it, ending in ", so " ("" when nothing
 * to add). */
static const char *redis_forbidden(const char *k, const char **more)
{
    *more = "";
    if (in_list(k, redis_owned))
        return "which the operator owns";
    if (in_list(k, redis_static) || !strncmp(k, "cluster-", 8)) {
        *more = "CONFIG SET fails on it, so ";
        return "which cannot change at run time";
    }
    return NULL;
}

static void check_customconfig_forbidden(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, custom_config(ctx, rule_obj(ctx), RF_REDIS)) {
        char key[64], ptr[64];
        const char *why, *more;

        snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%zu", i++);
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        why = redis_forbidden(key, &more);
        if (why)
            rule_report(ctx, RULE_STRONG, ptr,
                        !strcmp(key, "port") ? "use spec.redis.port instead"
                                             : "remove the entry",
                        "spec.redis.customConfig[%zu] sets %s, %s: %sthe "
                        "reconcile fails in a loop or the operator loses "
                        "control of the failover", i - 1, key, why, more);
    }
}

/* Port from a "port N" entry, or 0. */
static int entry_port(const char *e)
{
    char *end;
    long v;

    if (strncasecmp(e, "port ", 5))
        return 0;
    v = strtol(e + 5, &end, 10);
    return *end || v < 1 || v > 65535 ? 0 : (int)v;
}

static int fix_customconfig_forbidden(struct rule_ctx *ctx, const cJSON *work)
{
    const cJSON *cc = custom_config(ctx, work, RF_REDIS);
    int n = cJSON_GetArraySize(cc), i, rc = RFG_OK, port = 0;
    const cJSON *e, *prev;
    char ptr[64];

    cJSON_ArrayForEach(e, cc) {
        if (cJSON_IsString(e) && entry_port(e->valuestring))
            port = entry_port(e->valuestring);
    }
    if (port && !json_get(rf_component_spec(work, RF_REDIS), "port")) {
        static const char *const keys[] = {"spec", "redis", "port"};

        rc = rule_fix_add_nested(ctx, keys, 3, cJSON_CreateNumber(port));
    }
    /* Remove from the end so earlier indexes stay valid; each remove
     * frees its entry, so step back first. */
    e = json_last(cc);
    for (i = n - 1; i >= 0 && !rc; i--, e = prev) {
        char key[64];
        const char *more;

        prev = e->prev;
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        if (!redis_forbidden(key, &more))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%d", i);
        rc = rule_fix_remove(ctx, ptr);
    }
    return rc;
}

static void check_customconfig_replica_priority(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, custom_config(ctx, rule_obj(ctx), RF_REDIS)) {
        char key[64], ptr[64];

        snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%zu", i++);
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        if (strcmp(key, "replica-priority") && strcmp(key, "slave-priority"))
            continue;
        rule_report(ctx, RULE_STRONG, ptr,
                    "leave replica-priority to the operator",
                    "spec.redis.customConfig[%zu] sets %s over the "
                    "operator's value: it applies to every pod, after the "
                    "operator's own, so 0 leaves no failover target, and "
                    "above 0 makes bootstrap replicas promotable", i - 1,
                    key);
    }
}

static void check_min_replicas_to_write(struct rule_ctx *ctx)
{
    const cJSON *e;
    int replicas = rule_replicas(ctx, RF_REDIS) - 1;
    size_t i = 0;

    if (!rule_replicas_valid(ctx, rule_obj(ctx), RF_REDIS))
        return; /* schema-type denies the count */
    cJSON_ArrayForEach(e, custom_config(ctx, rule_obj(ctx), RF_REDIS)) {
        char key[64], ptr[64], hint[96];
        const char *sp;
        char *end;
        long v;

        snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%zu", i++);
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        sp = strchr(e->valuestring, ' ');
        if ((strcmp(key, "min-replicas-to-write") &&
             strcmp(key, "min-slaves-to-write")) || !sp)
            continue;
        v = strtol(sp + 1, &end, 10);
        if (*end || end == sp + 1 || v <= 0 || v < replicas)
            continue;   /* 0 turns the check off */
        if (replicas > 1)
            snprintf(hint, sizeof(hint), "lower it to %d or less "
                     "(spec.redis.replicas - 2), or add redis replicas",
                     replicas - 1);
        else
            snprintf(hint, sizeof(hint), "remove it (or set 0), or run "
                     "at least 3 redis replicas");
        if (v > replicas)
            rule_report(ctx, RULE_STRONG, ptr, hint,
                        "spec.redis.customConfig[%zu] sets %s %ld, above "
                        "the master's %d replica%s: with %d redis pod%s, "
                        "the master refuses every write", i - 1, key, v,
                        replicas, replicas == 1 ? "" : "s", replicas + 1,
                        replicas ? "s" : "");
        else
            rule_report(ctx, RULE_WEAK, ptr, hint,
                        "spec.redis.customConfig[%zu] sets %s %ld, all of "
                        "the master's replicas: with %d redis pods, each "
                        "rolling restart or node drain that takes one "
                        "replica down blocks writes", i - 1, key, v,
                        replicas + 1);
    }
}

static bool has_key(const cJSON *cc, const char *k)
{
    const cJSON *e;
    char key[64];

    cJSON_ArrayForEach(e, cc) {
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        if (!strcmp(key, k))
            return true;
    }
    return false;
}

static void check_sentinel_customconfig_partial(struct rule_ctx *ctx)
{
    const cJSON *cc = custom_config(ctx, rule_obj(ctx), RF_SENTINEL);
    bool down, fo;

    if (!cJSON_GetArraySize(cc))
        return;
    down = has_key(cc, "down-after-milliseconds");
    fo = has_key(cc, "failover-timeout");
    if (down && fo)
        return;
    rule_report(ctx, RULE_STRONG, "/spec/sentinel/customConfig",
                "add \"down-after-milliseconds 5000\" and "
                "\"failover-timeout 10000\" ('rfguard fix' adds them)",
                "spec.sentinel.customConfig lacks %s: it replaces the "
                "operator's defaults, so the sentinel ConfigMap's seed "
                "(1000 ms / 3000 ms) applies and failovers trigger on "
                "short hiccups",
                !down && !fo ? "down-after-milliseconds and failover-timeout"
                : !down      ? "down-after-milliseconds"
                             : "failover-timeout");
}

static int fix_sentinel_customconfig_partial(struct rule_ctx *ctx,
                                             const cJSON *work)
{
    const cJSON *cc = custom_config(ctx, work, RF_SENTINEL);
    int rc = RFG_OK;

    if (!cJSON_IsArray(cc) || !cJSON_GetArraySize(cc))
        return RFG_OK;
    if (!has_key(cc, "down-after-milliseconds"))
        rc = rule_fix_add(ctx, "/spec/sentinel/customConfig/-",
                          cJSON_CreateString("down-after-milliseconds 5000"));
    if (!rc && !has_key(cc, "failover-timeout"))
        rc = rule_fix_add(ctx, "/spec/sentinel/customConfig/-",
                          cJSON_CreateString("failover-timeout 10000"));
    return rc;
}

/* The value of the last entry of `cc` with key `k` as a whole number of
 * milliseconds (the last one wins: entries apply in order), its index
 * in *at; -1 when there is none or its value is not such a number. */
static long long last_ms(const cJSON *cc, const char *k, size_t *at)
{
    const cJSON *e;
    long long v = -1;
    size_t i = 0;

    cJSON_ArrayForEach(e, cc) {
        char key[64];
        const char *sp;
        char *end;

        i++;
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        sp = strchr(e->valuestring, ' ');
        if (strcmp(key, k) || !sp)
            continue;
        v = strtoll(sp + 1, &end, 10);
        if (*end || end == sp + 1 || v < 0)
            v = -1;
        *at = i - 1;
    }
    return v;
}

static void check_sentinel_timings(struct rule_ctx *ctx)
{
    const cJSON *cc = custom_config(ctx, rule_obj(ctx), RF_SENTINEL);
    size_t di = 0, fi = 0;
    long long down = last_ms(cc, "down-after-milliseconds", &di);
    long long fo = last_ms(cc, "failover-timeout", &fi);
    char ptr[64];

    if (down >= 0 && down < 5000) {
        snprintf(ptr, sizeof(ptr), "/spec/sentinel/customConfig/%zu", di);
        rule_report(ctx, RULE_STRONG, ptr,
                    "use 5000 (the operator's default) or more",
                    "spec.sentinel.customConfig[%zu] sets "
                    "down-after-milliseconds %lld, below the operator's "
                    "5000: a GC pause or a slow disk makes the sentinels "
                    "fail over a healthy master, again and again", di, down);
    }
    if (fo >= 0 && fo < 10000) {
        snprintf(ptr, sizeof(ptr), "/spec/sentinel/customConfig/%zu", fi);
        rule_report(ctx, RULE_STRONG, ptr,
                    "use 10000 (the operator's default) or more",
                    "spec.sentinel.customConfig[%zu] sets failover-timeout "
                    "%lld, below the operator's 10000: a failover that "
                    "needs longer is given up and retried, so failovers "
                    "flap", fi, fo);
    } else if (down >= 0 && fo >= 0 && fo < down) {
        snprintf(ptr, sizeof(ptr), "/spec/sentinel/customConfig/%zu", fi);
        rule_report(ctx, RULE_STRONG, ptr,
                    "make failover-timeout at least down-after-milliseconds "
                    "(the operator's defaults are 5000 and 10000)",
                    "spec.sentinel.customConfig[%zu] sets failover-timeout "
                    "%lld, below down-after-milliseconds %lld: the "
                    "sentinels give up a failover (and retry it) sooner "
                    "than they notice a master is down, so failovers flap",
                    fi, fo, down);
    }
}

static const char *const sentinel_deny[] = {
    "auth-pass", "auth-user", "quorum", "rename-command", NULL,
};
/* Options of the sentinel process, not of one monitored master: SENTINEL
 * SET <master> rejects them. */
static const char *const sentinel_global[] = {
    "resolve-hostnames", "announce-hostnames", "announce-ip",
    "announce-port", "sentinel-user", "sentinel-pass", NULL,
};
static const char *const sentinel_warn[] = {
    "notification-script", "client-reconfig-script", NULL,
};

static void check_sentinel_customconfig_forbidden(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, custom_config(ctx, rule_obj(ctx), RF_SENTINEL)) {
        char key[64], ptr[64];

        snprintf(ptr, sizeof(ptr), "/spec/sentinel/customConfig/%zu", i++);
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        if (in_list(key, sentinel_global))
            rule_report(ctx, RULE_STRONG, ptr,
                        "remove the entry; a global sentinel option "
                        "cannot be set through customConfig",
                        "spec.sentinel.customConfig[%zu] sets %s, a global "
                        "sentinel option: the operator applies each entry "
                        "with SENTINEL SET <master>, which rejects it, so "
                        "every reconcile fails", i - 1, key);
        else if (in_list(key, sentinel_deny))
            rule_report(ctx, RULE_STRONG, ptr, "remove the entry",
                        "spec.sentinel.customConfig[%zu] sets %s, which the "
                        "operator owns: auth and quorum are set on every "
                        "MONITOR, and multi-word options reach SENTINEL SET "
                        "as one argument", i - 1, key);
        else if (in_list(key, sentinel_warn))
            rule_report(ctx, RULE_WEAK, ptr,
                        "remove it, or mount the script with "
                        "extraVolumes",
                        "spec.sentinel.customConfig[%zu] sets %s: the "
                        "script must exist in the sentinel container, "
                        "which the operator does not provide", i - 1, key);
    }
}

static int fix_sentinel_customconfig_forbidden(struct rule_ctx *ctx,
                                               const cJSON *work)
{
    const cJSON *cc = custom_config(ctx, work, RF_SENTINEL);
    const cJSON *e = json_last(cc), *prev;
    int i, rc = RFG_OK;

    /* From the end; each remove frees its entry, so step back first. */
    for (i = cJSON_GetArraySize(cc) - 1; i >= 0 && !rc; i--, e = prev) {
        char key[64], ptr[64];

        prev = e->prev;
        if (!cJSON_IsString(e))
            continue;
        entry_key(e->valuestring, key, sizeof(key));
        if (!in_list(key, sentinel_deny) && !in_list(key, sentinel_warn) &&
            !in_list(key, sentinel_global))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/sentinel/customConfig/%d", i);
        rc = rule_fix_remove(ctx, ptr);
    }
    return rc;
}

/* The config rules, in catalogue order. */
static const struct rule_desc config_rules[] = {
    {
        .id = "customconfig-format",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "every customConfig entry is \"<key> <value>\" with one space",
        .check = check_customconfig_format,
    },
    {
        .id = "customconfig-forbidden",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "redis customConfig sets no key the operator owns or that "
            "cannot change at run time",
        .check = check_customconfig_forbidden,
        .fix = fix_customconfig_forbidden,
    },
    {
        .id = "customconfig-replica-priority",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "redis customConfig does not set replica-priority",
        .check = check_customconfig_replica_priority,
    },
    {
        .id = "min-replicas-to-write",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "redis min-replicas-to-write is below the replica count the "
            "master has (deny above, warn when equal)",
        .check = check_min_replicas_to_write,
    },
    {
        .id = "sentinel-customconfig-partial",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "a sentinel customConfig keeps down-after-milliseconds and "
            "failover-timeout",
        .check = check_sentinel_customconfig_partial,
        .fix = fix_sentinel_customconfig_partial,
    },
    {
        .id = "sentinel-timings",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "sentinel down-after-milliseconds and failover-timeout are at "
            "least the operator's 5000/10000 ms, and the timeout at least "
            "down-after-milliseconds",
        .check = check_sentinel_timings,
    },
    {
        .id = "sentinel-customconfig-forbidden",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "sentinel customConfig sets no auth-pass, auth-user, quorum, "
            "rename-command or global option (warn on scripts)",
        .check = check_sentinel_customconfig_forbidden,
        .fix = fix_sentinel_customconfig_forbidden,
    },
};

RULE_FAMILY(config, config_rules);
