/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_storage.c - bootstrapNode and redis storage.
 * A bootstrap failover replicates from an outside master; its sentinels
 * must be able to address that master, and a loopback host is the pod
 * itself. Storage defaults to emptyDir; a PVC is garbage-collected with
 * the failover unless keepAfterDeletion; redis keeps its data in the
 * volume's mount, /data. Not the customConfig keys (rule_config.c).
 * Fields of the wrong type are schema-type's to report: skipped here.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules_impl.h"

/* spec.bootstrapNode when it is a map, else NULL. */
static const cJSON *bootstrap(const cJSON *obj)
{
    return rf_map(json_get(obj, "spec"), "bootstrapNode");
}

static bool is_ip(const char *s)
{
    unsigned char buf[16];

    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* Is `host` a loopback address or name: 127.0.0.0/8 (also as an
 * IPv4-mapped IPv6 address), ::1, localhost or a name under it? In a
 * pod each of them is the pod itself. */
static bool is_loopback(const char *host)
{
    unsigned char a[16];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0,
                                             0, 0, 0xff, 0xff};
    size_t n = strlen(host);

    if (inet_pton(AF_INET, host, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                              0, 0, 0, 0, 0, 0, 0, 1};

        return !memcmp(a, one, 16) ||
               (!memcmp(a, mapped, 12) && a[12] == 127);
    }
    if (n && host[n - 1] == '.')
        n--;                                /* a fully qualified name */
    if (n >= 9 && !strncasecmp(host + n - 9, "localhost", 9))
        return n == 9 || host[n - 10] == '.';
    return false;
}

static void check_bootstrap_host(struct rule_ctx *ctx)
{
    const cJSON *b = bootstrap(rule_obj(ctx));
    const cJSON *h = json_get(b, "host");
    const char *host = json_str(b, "host");

    if (!b || (h && !cJSON_IsNull(h) && !host))
        return; /* a host not a string: schema-type's */
    if (!host || !*host) {
        rule_report(ctx, RULE_STRONG, "/spec/bootstrapNode",
                    "set spec.bootstrapNode.host to the source master's "
                    "address",
                    "spec.bootstrapNode has no host: the operator rejects "
                    "the failover");
        return;
    }
    if (is_loopback(host)) {
        rule_report(ctx, RULE_STRONG, "/spec/bootstrapNode/host",
                    "set it to the source master's address as the pods "
                    "reach it (its pod or Service IP, or a Service name)",
                    "spec.bootstrapNode.host \"%s\" is a loopback address: "
                    "in each redis pod it is the pod itself, so no pod "
                    "ever replicates from the source master", host);
        return;
    }
    if (cJSON_IsTrue(json_get(b, "allowSentinels")) && !is_ip(host))
        rule_report(ctx, RULE_WEAK, "/spec/bootstrapNode/host",
                    "use an IP address (e.g. the Service's ClusterIP)",
                    "spec.bootstrapNode.host \"%s\" is a name, not an IP: "
                    "with allowSentinels the sentinels MONITOR it, and they "
                    "are not configured to resolve hostnames", host);
}

static void check_bootstrap_port(struct rule_ctx *ctx)
{
    const cJSON *b = bootstrap(rule_obj(ctx));
    const cJSON *port = json_get(b, "port");
    char *end;
    long v;

    if (!b)
        return;
    if (!port || (cJSON_IsString(port) && !*port->valuestring)) {
        rule_report(ctx, RULE_WEAK, "/spec/bootstrapNode",
                    "set spec.bootstrapNode.port (a string, e.g. \"6379\")",
                    "spec.bootstrapNode.port is not set: the operator uses "
                    "\"6379\" whatever spec.redis.port says");
        return;
    }
    if (!cJSON_IsString(port))
        return; /* schema-type reports it */
    v = strtol(port->valuestring, &end, 10);
    if (*end || end == port->valuestring || v < 1 || v > 65535)
        rule_report(ctx, RULE_STRONG, "/spec/bootstrapNode/port",
                    "write a port number from 1 to 65535, as a string",
                    "spec.bootstrapNode.port \"%.20s\" is not a port "
                    "number: replication from the source cannot start",
                    port->valuestring);
}

static int fix_bootstrap_port(struct rule_ctx *ctx, const cJSON *work)
{
    static const char *const keys[] = {"spec", "bootstrapNode", "port"};
    const cJSON *b = bootstrap(work);
    const cJSON *port = json_get(b, "port");

    if (!cJSON_IsObject(b))
        return RFG_OK;
    if (!port)
        return rule_fix_add_nested(ctx, keys, 3, cJSON_CreateString("6379"));
    if (cJSON_IsString(port) && !*port->valuestring)
        return rule_fix_replace(ctx, "/spec/bootstrapNode/port",
                              cJSON_CreateString("6379"));
    return RFG_OK;
}

static void check_bootstrap_intermingle(struct rule_ctx *ctx)
{
    if (!cJSON_IsTrue(json_get(bootstrap(rule_obj(ctx)), "allowSentinels")))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/bootstrapNode/allowSentinels",
                "leave allowSentinels off unless the source has no "
                "sentinels of its own",
                "spec.bootstrapNode.allowSentinels lets the new sentinels "
                "monitor the source: they use the same master name and "
                "password, and may join the source's sentinel group");
}

/* spec.redis.storage and its persistentVolumeClaim, when maps. */
static const cJSON *storage(const struct rule_ctx *ctx, const cJSON *obj)
{
    return rf_map(rule_spec_of(ctx, obj, RF_REDIS), "storage");
}

static const cJSON *pvc(const struct rule_ctx *ctx, const cJSON *obj)
{
    return rf_map(storage(ctx, obj), "persistentVolumeClaim");
}

/* Is the redis storage, or what leads to it, there with the wrong type? */
static bool storage_mistyped(const cJSON *obj)
{
    const cJSON *spec = json_get(obj, "spec");
    const cJSON *r = json_get(spec, "redis");
    const cJSON *st = json_get(r, "storage");

    return rf_not_map(spec) || rf_not_map(r) || rf_not_map(st) ||
           rf_not_map(json_get(st, "persistentVolumeClaim"));
}

static void check_storage_ephemeral(struct rule_ctx *ctx)
{
    if (pvc(ctx, rule_obj(ctx)) || json_get(rule_obj(ctx), "spec") == NULL ||
        storage_mistyped(rule_obj(ctx)))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis",
                "add spec.redis.storage.persistentVolumeClaim",
                "redis data lives in an emptyDir: if all redis pods restart "
                "together (node pool upgrade, zone outage), the data is "
                "gone");
}

static const char *const reserved_volumes[] = {
    "redis-config", "redis-shutdown-config", "redis-readiness-config",
    "redis-startup-config", "sentinel-config", "sentinel-config-writable",
    "sentinel-startup-config", NULL,
};

static void check_pvc_name(struct rule_ctx *ctx)
{
    const cJSON *p = pvc(ctx, rule_obj(ctx));
    const cJSON *md = json_get(p, "metadata");
    const char *name = json_str(md, "name");
    const char *const *r;

    if (!p || rf_not_map(md) || rf_not_string(json_get(md, "name")))
        return; /* no PVC, or fields of the wrong type: schema-type's */
    if (!name || !*name) {
        rule_report(ctx, RULE_STRONG,
                    "/spec/redis/storage/persistentVolumeClaim",
                    "set metadata.name, e.g. redis-data ('rfguard fix' "
                    "adds it)",
                    "the redis PVC has no metadata.name: it is the volume "
                    "and mount name, so the StatefulSet cannot be created");
        return;
    }
    for (r = reserved_volumes; *r; r++)
        if (!strcmp(name, *r))
            rule_report(ctx, RULE_STRONG,
                        "/spec/redis/storage/persistentVolumeClaim/metadata/"
                        "name", "use another name, e.g. redis-data",
                        "PVC name \"%s\" is a volume the operator already "
                        "mounts: the pod spec is invalid", name);
}

static int fix_pvc_name(struct rule_ctx *ctx, const cJSON *work)
{
    static const char *const keys[] = {"spec", "redis", "storage",
                                       "persistentVolumeClaim", "metadata",
                                       "name"};
    const cJSON *p = pvc(ctx, work);

    if (!cJSON_IsObject(p) || json_get(json_get(p, "metadata"), "name"))
        return RFG_OK;
    return rule_fix_add_nested(ctx, keys, 6, cJSON_CreateString("redis-data"));
}

static void check_keep_after_deletion(struct rule_ctx *ctx)
{
    const cJSON *keep = json_get(storage(ctx, rule_obj(ctx)),
                                 "keepAfterDeletion");

    if (!pvc(ctx, rule_obj(ctx)) || cJSON_IsTrue(keep) || rf_not_bool(keep))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/storage",
                "set spec.redis.storage.keepAfterDeletion: true (only at "
                "creation; it cannot change later)",
                "the redis PVCs are owned by the failover: deleting it (or "
                "a helm uninstall) deletes the data too");
}

static int fix_keep_after_deletion(struct rule_ctx *ctx, const cJSON *work)
{
    static const char *const keys[] = {"spec", "redis", "storage",
                                       "keepAfterDeletion"};
    const cJSON *st = storage(ctx, work);

    if (!pvc(ctx, work) || json_get(st, "keepAfterDeletion"))
        return RFG_OK;
    return rule_fix_add_nested(ctx, keys, 4, cJSON_CreateTrue());
}

static void check_storage_both(struct rule_ctx *ctx)
{
    /* an emptyDir that is not a map is schema-type's alone */
    if (!pvc(ctx, rule_obj(ctx)) ||
        !rf_map(storage(ctx, rule_obj(ctx)), "emptyDir"))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/storage/emptyDir",
                "remove emptyDir",
                "spec.redis.storage has both emptyDir and "
                "persistentVolumeClaim: the PVC wins and the emptyDir "
                "settings are ignored");
}

static int fix_storage_both(struct rule_ctx *ctx, const cJSON *work)
{
    if (!pvc(ctx, work) || !rf_map(storage(ctx, work), "emptyDir"))
        return RFG_OK;
    return rule_fix_remove(ctx, "/spec/redis/storage/emptyDir");
}

#define DATA_MOUNT "/data"  /* where the operator mounts the data volume */

/* Is `dir` (unquoted, may end in '/') outside DATA_MOUNT and every mount
 * of spec.redis.extraVolumeMounts? A relative path counts as inside: it
 * depends on the working directory, which rfguard does not know. */
static bool dir_off_volume(const cJSON *obj, const char *dir, size_t len)
{
    const cJSON *mounts = json_get(rf_component_spec(obj, RF_REDIS),
                                   "extraVolumeMounts");
    const cJSON *m;

    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (!len || dir[0] != '/')
        return false;
    if (!strncmp(dir, DATA_MOUNT, strlen(DATA_MOUNT)) &&
        (len == strlen(DATA_MOUNT) || dir[strlen(DATA_MOUNT)] == '/'))
        return false;
    if (rf_not_list(mounts))
        return false; /* mounts not a list: schema-type's, mounts unknown */
    cJSON_ArrayForEach(m, mounts)
        if (!cJSON_IsObject(m) || rf_not_string(json_get(m, "mountPath")))
            return false; /* the same for one mount */
    cJSON_ArrayForEach(m, mounts) {
        const char *mp = json_str(m, "mountPath");
        size_t n = mp ? strlen(mp) : 0;

        while (n > 1 && mp[n - 1] == '/')
            n--;
        if (n && len >= n && !strncmp(dir, mp, n) &&
            (len == n || dir[n] == '/' || n == 1))
            return false;
    }
    return true;
}

/* Report `dir` (the `len` bytes at `v`, quotes stripped) set by what
 * `what` names at `ptr`, when it is off the volume. */
static void report_dir(struct rule_ctx *ctx, const char *ptr,
                       const char *what, const char *v, size_t len)
{
    char dir[128];

    if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
        v++;
        len -= 2;
    }
    if (!dir_off_volume(rule_obj(ctx), v, len))
        return;
    snprintf(dir, sizeof(dir), "%.*s", (int)(len < 100 ? len : 100), v);
    rule_report(ctx, RULE_STRONG, ptr,
                "leave dir to the operator (its redis.conf sets dir "
                DATA_MOUNT "), or mount a volume there with "
                "extraVolumeMounts",
                "%s puts the redis data directory at %s, off the data "
                "volume: that is mounted at " DATA_MOUNT ", so RDB and AOF "
                "files go to the container's own filesystem and are lost "
                "when the pod restarts (with the operator's default "
                "read-only root filesystem, saves fail at once)", what,
                dir);
}

/* The next whitespace-separated token of *p, advancing *p past it;
 * NULL at the end. */
static const char *next_token(const char **p, size_t *len)
{
    const char *s = *p;

    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    if (!*s)
        return NULL;
    *len = strcspn(s, " \t\n");
    *p = s + *len;
    return s;
}

static void check_redis_data_dir(struct rule_ctx *ctx)
{
    const cJSON *spec = rule_spec(ctx, RF_REDIS);
    const cJSON *e;
    bool want = false;  /* the previous token was --dir */
    size_t i = 0;

    cJSON_ArrayForEach(e, rf_strings(spec, "command")) {
        const char *p, *t;
        char ptr[48], what[48];
        size_t len;

        snprintf(ptr, sizeof(ptr), "/spec/redis/command/%zu", i);
        snprintf(what, sizeof(what), "spec.redis.command[%zu]", i++);
        if (!cJSON_IsString(e))
            continue;
        for (p = e->valuestring; (t = next_token(&p, &len)) != NULL;) {
            if (want)
                report_dir(ctx, ptr, what, t, len);
            want = len == 5 && !strncmp(t, "--dir", 5);
        }
    }
    i = 0;
    cJSON_ArrayForEach(e, rule_custom_config(ctx, rule_obj(ctx), RF_REDIS)) {
        char ptr[48], what[48];

        i++;
        if (!cJSON_IsString(e) || strncasecmp(e->valuestring, "dir ", 4))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%zu", i - 1);
        snprintf(what, sizeof(what), "spec.redis.customConfig[%zu]", i - 1);
        report_dir(ctx, ptr, what, e->valuestring + 4,
                   strlen(e->valuestring + 4));
    }
}

/* The storage rules, in catalogue order. */
static const struct rule_desc storage_rules[] = {
    {
        .id = "bootstrap-host",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "bootstrapNode.host is set and not loopback (deny), and an IP "
            "when sentinels follow it (warn)",
        .check = check_bootstrap_host,
    },
    {
        .id = "bootstrap-port",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "bootstrapNode.port is a port number string (warn when unset: "
            "6379 is used)",
        .check = check_bootstrap_port,
        .fix = fix_bootstrap_port,
    },
    {
        .id = "bootstrap-sentinels-intermingle",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "bootstrapNode.allowSentinels may merge the new sentinels into "
            "the source's group",
        .check = check_bootstrap_intermingle,
    },
    {
        .id = "storage-ephemeral",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "redis keeps its data on a PersistentVolumeClaim, not an "
            "emptyDir",
        .check = check_storage_ephemeral,
    },
    {
        .id = "pvc-name",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "the redis PVC has a metadata.name that is not a volume the "
            "operator uses",
        .check = check_pvc_name,
        .fix = fix_pvc_name,
    },
    {
        .id = "keep-after-deletion",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "the redis PVC has keepAfterDeletion: true, so deleting the "
            "failover keeps the data",
        .check = check_keep_after_deletion,
        .fix = fix_keep_after_deletion,
    },
    {
        .id = "storage-both",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "redis storage sets emptyDir or persistentVolumeClaim, not both",
        .check = check_storage_both,
        .fix = fix_storage_both,
    },
    {
        .id = "redis-data-dir",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "redis keeps its data directory on the data volume (/data): "
            "no --dir or dir elsewhere",
        .check = check_redis_data_dir,
    },
};

RULE_FAMILY(storage, storage_rules);
