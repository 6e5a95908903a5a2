/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_misc.c - pod-level pitfalls and fork-specific rules: hostNetwork
 * with the operator's fixed ports, names and mount paths the operator
 * already uses, custom commands that stop loading the generated config,
 * and the Freshworks operator's operator-group label, skip-reconcile
 * annotation and master rollout switch. Lists of the wrong type are
 * schema-type's to report: these rules skip them.
 */
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"
#include "sbuf.h"

#define FW_GROUP_LABEL "redis-failover.freshworks.com/operator-group"
#define FW_SKIP_ANNOTATION "redis-failover.freshworks.com/skip-reconcile"

static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};

/* The earliest other failover in the view with hostNetwork, or NULL. */
static const struct cview_failover *other_hostnet(struct rule_ctx *ctx)
{
    const struct cview *cv = rj_view(ctx);
    struct cview_hits h = {CVIEW_END, 0};
    struct cview_key k;

    if (!cv)
        return NULL;
    memset(&k, 0, sizeof(k));
    cview_class_hits(cv, CVIEW_C_HOSTNET,
                     cview_class_find(cv, CVIEW_C_HOSTNET, &k), rj_self(ctx),
                     &h);
    return h.first == CVIEW_END ? NULL : &cv->rfs[h.first];
}

static void check_hostnetwork(struct rule_ctx *ctx)
{
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *c = rf_component_name(comps[i]);
        const struct cview_failover *f;
        char ptr[48];

        if (!cJSON_IsTrue(json_get(rule_spec(ctx, comps[i]), "hostNetwork")))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/hostNetwork", c);
        f = comps[i] == RF_SENTINEL ? other_hostnet(ctx) : NULL;
        if (f)
            rule_report(ctx, RULE_STRONG, ptr,
                        "drop hostNetwork, or keep hostNetwork failovers on "
                        "separate nodes",
                        "sentinels use hostNetwork, and so does "
                        "RedisFailover %s/%s: sentinel port 26379 is fixed, "
                        "so two such sentinels on one node collide and "
                        "share a node IP", f->ns, f->name);
        else
            rule_report(ctx, RULE_WEAK, ptr,
                        "avoid hostNetwork; if you need it, set dnsPolicy: "
                        "ClusterFirstWithHostNet",
                        "spec.%s.hostNetwork: the operator's ports (26379, "
                        "9121, 9355) are fixed, so they collide per node "
                        "across the cluster, and pods share the node's IP",
                        c);
    }
}

static int fix_hostnetwork(struct rule_ctx *ctx, const cJSON *work)
{
    size_t i;
    int rc = RFG_OK;

    for (i = 0; i < 2 && !rc; i++) {
        const cJSON *spec = rf_component_spec(work, comps[i]);
        const char *keys[3] = {"spec", rf_component_name(comps[i]),
                               "dnsPolicy"};

        if (!cJSON_IsTrue(json_get(spec, "hostNetwork")) ||
            json_get(spec, "dnsPolicy"))
            continue;
        rc = rule_fix_add_nested(ctx, keys, 3,
                           cJSON_CreateString("ClusterFirstWithHostNet"));
    }
    return rc;
}

static const char *const reserved_names[] = {
    "redis-config", "redis-shutdown-config", "redis-readiness-config",
    "redis-startup-config", "redis-data", "sentinel-config",
    "sentinel-config-writable", "sentinel-startup-config", "redis",
    "sentinel", "redis-exporter", "sentinel-exporter",
    "sentinel-config-copy", NULL,
};
static const char *const reserved_paths[] = {
    "/redis", "/data", "/redis-shutdown", "/redis-readiness",
    "/redis-startup", "/sentinel-startup", NULL,
};

static bool listed(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* Check `field` of each item of spec.<c>.<list> against `names`. */
static void reserved_in(struct rule_ctx *ctx, enum rf_component c,
                        const char *list, const char *field,
                        const char *const *names)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, rf_list(rule_spec(ctx, c), list)) {
        const char *v = json_str(e, field);
        char ptr[96];

        i++;
        if (!v || !listed(v, names))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/%s/%zu/%s",
                 rf_component_name(c), list, i - 1, field);
        rule_report(ctx, RULE_STRONG, ptr, "pick another name",
                    "spec.%s.%s[%zu].%s \"%s\" is already used by the "
                    "operator's pod spec: the pod is invalid and never "
                    "starts", rf_component_name(c), list, i - 1, field, v);
    }
}

static void check_reserved_names(struct rule_ctx *ctx)
{
    size_t i;

    for (i = 0; i < 2; i++) {
        reserved_in(ctx, comps[i], "extraVolumes", "name", reserved_names);
        reserved_in(ctx, comps[i], "extraVolumeMounts", "name",
                    reserved_names);
        reserved_in(ctx, comps[i], "extraVolumeMounts", "mountPath",
                    reserved_paths);
        reserved_in(ctx, comps[i], "extraContainers", "name",
                    reserved_names);
        reserved_in(ctx, comps[i], "initContainers", "name", reserved_names);
    }
}

/* True if some element of `cmd` contains `needle`. */
static bool cmd_has(const cJSON *cmd, const char *needle)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cmd)
        if (cJSON_IsString(e) && strstr(e->valuestring, needle))
            return true;
    return false;
}

static void check_custom_command(struct rule_ctx *ctx)
{
    const cJSON *rc = rf_strings(rule_spec(ctx, RF_REDIS), "command");
    const cJSON *sc = rf_strings(rule_spec(ctx, RF_SENTINEL), "command");

    if (cJSON_GetArraySize(rc) && !cmd_has(rc, "/redis/redis.conf"))
        rule_report(ctx, RULE_STRONG, "/spec/redis/command",
                    "keep /redis/redis.conf in the command, e.g. "
                    "redis-server /redis/redis.conf",
                    "spec.redis.command does not load /redis/redis.conf: "
                    "redis starts without the operator's port, password, "
                    "probe user and replication settings");
    if (cJSON_GetArraySize(sc) && (!cmd_has(sc, "/redis/sentinel.conf") ||
                                   !cmd_has(sc, "--sentinel")))
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/command",
                    "keep \"/redis/sentinel.conf --sentinel\" in the command",
                    "spec.sentinel.command does not start a sentinel with "
                    "/redis/sentinel.conf: it monitors nothing and the "
                    "failover has no sentinels");
}

static void check_fw_operator_group(struct rule_ctx *ctx)
{
    const cJSON *want = rule_param(ctx, "group");
    const cJSON *labels = json_get(json_get(rule_obj(ctx), "metadata"),
                                   "labels");
    const char *have = json_str(labels, FW_GROUP_LABEL);
    const char *w = cJSON_IsString(want) && *want->valuestring
                        ? want->valuestring
                        : NULL;

    if (have && *have && (!w || !strcmp(have, w)))
        return;
    if (labels && !cJSON_IsNull(labels) && !cJSON_IsObject(labels))
        return; /* labels that are not a map: schema-type's */
    if (have && *have)
        rule_report(ctx, RULE_STRONG,
                    "/metadata/labels/redis-failover.freshworks.com~1"
                    "operator-group",
                    "set the label to the operator's OPERATOR_GROUP_ID",
                    "label " FW_GROUP_LABEL "=%s is not the configured "
                    "group %s: that operator ignores this failover silently",
                    have, w);
    else
        rule_report(ctx, RULE_STRONG, "/metadata",
                    "label the failover with its operator's group (policy "
                    "parameter 'group' lets 'rfguard fix' add it)",
                    "no " FW_GROUP_LABEL " label: since v3.3.3 the operator "
                    "reconciles only failovers labelled with its group and "
                    "ignores this one silently");
}

static int fix_fw_operator_group(struct rule_ctx *ctx, const cJSON *work)
{
    static const char *const keys[] = {"metadata", "labels", FW_GROUP_LABEL};
    const cJSON *want = rule_param(ctx, "group");

    if (!cJSON_IsString(want) || !*want->valuestring ||
        json_get(json_get(json_get(work, "metadata"), "labels"), FW_GROUP_LABEL))
        return RFG_OK;
    return rule_fix_add_nested(ctx, keys, 3,
                         cJSON_CreateString(want->valuestring));
}

static void check_fw_skip_reconcile(struct rule_ctx *ctx)
{
    const char *v = json_str(json_get(json_get(rule_obj(ctx), "metadata"),
                                  "annotations"), FW_SKIP_ANNOTATION);

    if (!v || strcmp(v, "true"))
        return;
    rule_report(ctx, RULE_STRONG,
                "/metadata/annotations/redis-failover.freshworks.com~1"
                "skip-reconcile",
                "remove the annotation when maintenance is over",
                "annotation " FW_SKIP_ANNOTATION " is \"true\": the "
                "operator does not reconcile this failover, so spec "
                "changes are not applied and nothing heals it");
}

static void check_fw_master_rollout(struct rule_ctx *ctx)
{
    if (!cJSON_IsTrue(json_get(rule_spec(ctx, RF_REDIS),
                             "disableMasterRollout")))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/disableMasterRollout",
                "fail over and delete the old master pod by hand after each "
                "change",
                "spec.redis.disableMasterRollout: the operator never "
                "restarts the master, so image and config changes leave it "
                "on the old version");
}

/* The misc rules, in catalogue order. */
static const struct rule_desc misc_rules[] = {
    {
        .id = "hostnetwork",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "redis and sentinel avoid hostNetwork (deny for sentinels next "
            "to another hostNetwork failover)",
        .check = check_hostnetwork,
        .fix = fix_hostnetwork,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "reserved-names",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "extra volumes, mounts and containers do not reuse the "
            "operator's names and paths",
        .check = check_reserved_names,
    },
    {
        .id = "custom-command",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "a custom command still loads /redis/redis.conf (sentinel: /"
            "redis/sentinel.conf --sentinel)",
        .check = check_custom_command,
    },
    {
        .id = "fw-operator-group",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .doc = "the failover carries the operator-group label its Freshworks "
            "operator reconciles",
        .params = "group",
        .check = check_fw_operator_group,
        .fix = fix_fw_operator_group,
    },
    {
        .id = "fw-skip-reconcile",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .doc = "the skip-reconcile annotation is not left on",
        .check = check_fw_skip_reconcile,
    },
    {
        .id = "fw-master-rollout",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .doc = "spec.redis.disableMasterRollout is not on (the master never "
            "updates)",
        .check = check_fw_master_rollout,
    },
};

RULE_FAMILY(misc, misc_rules);
