/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_update.c - rules that compare the old object with the new one on
 * UPDATE (rules.md 2.1, 2.2, 2.4, 2.6): what the operator cannot apply to
 * a running failover. Its StatefulSet keeps the volumeClaimTemplates it
 * was created with, rolls pods OnDelete, and its sentinels keep the
 * master name, port and password they were seeded with, so these changes
 * either do nothing or split the failover in two mid-roll.
 */
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"

#define PVC_PTR "/spec/redis/storage/persistentVolumeClaim"

static const cJSON *storage(const cJSON *obj)
{
    return json_get(rf_component_spec(obj, RF_REDIS), "storage");
}

void check_disablemymaster_toggle(struct rule_ctx *ctx)
{
    bool was = rf_disable_mymaster(rule_old(ctx));
    bool now = rf_disable_mymaster(rule_obj(ctx));

    if (was == now)
        return;
    rule_report(ctx, RULE_STRONG, "/spec/sentinel/disableMyMaster",
                "create a new failover with the new setting and migrate "
                "clients to it",
                "spec.sentinel.disableMyMaster changes from %s to %s: the "
                "master name switches between %s and the failover name "
                "while live sentinels keep the old group until they "
                "restart, and clients asking for the old name lose the "
                "master", was ? "true" : "false", now ? "true" : "false",
                RF_DEFAULT_MASTER_NAME);
}

void check_port_change(struct rule_ctx *ctx)
{
    int was = rf_redis_port(rule_old(ctx));
    int now = rf_redis_port(rule_obj(ctx));

    if (was == now)
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/port",
                "keep the port, or create a new failover on the new port "
                "and migrate",
                "spec.redis.port changes from %d to %d: pods roll one by "
                "one (OnDelete), so master and replicas run on different "
                "ports mid-roll and the sentinel monitor flips",
                was, now);
}

void check_auth_change(struct rule_ctx *ctx)
{
    const char *was = rf_secret_path(rule_old(ctx));
    const char *now = rf_secret_path(rule_obj(ctx));

    if ((!was && !now) || (was && now && !strcmp(was, now)))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/auth/secretPath",
                "the operator cannot rotate passwords: plan a migration to "
                "a new failover",
                "spec.auth.secretPath changes from %s%s%s to %s%s%s: the "
                "operator uses the new password at once while running pods "
                "keep the old one, so replication breaks mid-roll and "
                "sentinel auth-pass goes stale",
                was ? "\"" : "", was ? was : "none", was ? "\"" : "",
                now ? "\"" : "", now ? now : "none", now ? "\"" : "");
}

/* Compare one PVC field that the frozen volumeClaimTemplate keeps. */
static void pvc_field(struct rule_ctx *ctx, const cJSON *a, const cJSON *b,
                      const char *ptr, const char *what)
{
    if ((!a && !b) || (a && b && json_equal(a, b)))
        return;
    rule_report(ctx, RULE_STRONG, ptr,
                "revert the change; to move the data, create a new "
                "failover and migrate",
                "%s of the redis PVC changes on an existing failover: the "
                "StatefulSet keeps its original volumeClaimTemplates, so "
                "the change is ignored or pods can no longer be created",
                what);
}

void check_storage_kind_immutable(struct rule_ctx *ctx)
{
    const cJSON *a = json_get(storage(rule_old(ctx)), "persistentVolumeClaim");
    const cJSON *b = json_get(storage(rule_obj(ctx)), "persistentVolumeClaim");

    if (!a != !b) {
        rule_report(ctx, RULE_STRONG, b ? PVC_PTR : "/spec/redis/storage",
                    "storage kind is fixed at creation: create a new "
                    "failover and migrate",
                    "spec.redis.storage.persistentVolumeClaim is %s on an "
                    "existing failover: the StatefulSet's "
                    "volumeClaimTemplates cannot change (spotahome #79, "
                    "#278, #337)", b ? "added" : "removed");
        return;
    }
    if (!a)
        return;
    pvc_field(ctx, json_get(json_get(a, "metadata"), "name"),
              json_get(json_get(b, "metadata"), "name"), PVC_PTR "/metadata/name",
              "metadata.name");
    pvc_field(ctx, json_get(json_get(a, "spec"), "storageClassName"),
              json_get(json_get(b, "spec"), "storageClassName"),
              PVC_PTR "/spec/storageClassName", "spec.storageClassName");
    pvc_field(ctx, json_get(json_get(a, "spec"), "accessModes"),
              json_get(json_get(b, "spec"), "accessModes"),
              PVC_PTR "/spec/accessModes", "spec.accessModes");
}

static const char *pvc_size(const cJSON *obj)
{
    return json_str(json_get(json_get(json_get(json_get(storage(obj),
                                              "persistentVolumeClaim"),
                                       "spec"),
                                "resources"),
                         "requests"),
                  "storage");
}

void check_storage_size(struct rule_ctx *ctx)
{
    const char *was = pvc_size(rule_old(ctx));
    const char *now = pvc_size(rule_obj(ctx));
    double a, b;

    if (!was || !now || quantity_parse(was, &a) || quantity_parse(now, &b) ||
        a == b)
        return;
    if (b < a)
        rule_report(ctx, RULE_STRONG,
                    PVC_PTR "/spec/resources/requests/storage",
                    "volumes cannot shrink: keep the size",
                    "the redis PVC shrinks from %s to %s: Kubernetes "
                    "rejects shrinking a PersistentVolumeClaim, so the "
                    "operator loops on the error", was, now);
    else
        rule_report(ctx, RULE_WEAK,
                    PVC_PTR "/spec/resources/requests/storage",
                    "check that the StorageClass has "
                    "allowVolumeExpansion: true",
                    "the redis PVC grows from %s to %s: the operator "
                    "patches every PVC in place, which fails unless the "
                    "StorageClass allows volume expansion", was, now);
}

void check_keep_after_deletion_immutable(struct rule_ctx *ctx)
{
    bool was = cJSON_IsTrue(json_get(storage(rule_old(ctx)),
                                   "keepAfterDeletion"));
    bool now = cJSON_IsTrue(json_get(storage(rule_obj(ctx)),
                                   "keepAfterDeletion"));

    if (was == now)
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/storage/keepAfterDeletion",
                "revert it; the owner reference is baked into the "
                "StatefulSet at creation",
                "spec.redis.storage.keepAfterDeletion changes from %s to "
                "%s: the PVCs' owner reference was fixed when the "
                "StatefulSet was created, so the change has no effect",
                was ? "true" : "false", now ? "true" : "false");
}

void check_custom_renames_latent(struct rule_ctx *ctx)
{
    const cJSON *a = json_get(rf_component_spec(rule_old(ctx), RF_REDIS),
                            "customCommandRenames");
    const cJSON *b = json_get(rf_component_spec(rule_obj(ctx), RF_REDIS),
                            "customCommandRenames");

    if (cJSON_GetArraySize(a) == 0 && cJSON_GetArraySize(b) == 0)
        return;
    if (a && b && json_equal(a, b))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/customCommandRenames",
                "restart the redis pods (replicas first) after the change",
                "spec.redis.customCommandRenames changes: only the redis "
                "ConfigMap changes, so pods pick it up one restart at a "
                "time and run with mixed command names meanwhile");
}

void check_bootstrap_removed(struct rule_ctx *ctx)
{
    if (!json_get(json_get(rule_old(ctx), "spec"), "bootstrapNode") ||
        json_get(json_get(rule_obj(ctx), "spec"), "bootstrapNode"))
        return;
    rule_report(ctx, RULE_STRONG, "/spec",
                "make sure replication from the bootstrap source is "
                "finished and writes have moved",
                "spec.bootstrapNode is removed: the operator takes over and "
                "elects a master among its own pods, cutting replication "
                "from the bootstrap source (spotahome #664)");
}

void check_scale_down_master(struct rule_ctx *ctx)
{
    const struct rules_input *in = rule_input(ctx);
    int was = rf_replicas(rule_old(ctx), RF_REDIS);
    int now = rf_replicas(rule_obj(ctx), RF_REDIS);

    if (now >= was)
        return;
    if (in->master_known) {
        if (in->master_ordinal >= now)
            rule_report(ctx, RULE_STRONG, "/spec/redis/replicas",
                        "fail over first (SENTINEL FAILOVER) so the master "
                        "has a lower ordinal, then scale down",
                        "spec.redis.replicas goes from %d to %d, but the "
                        "master is pod %d: the StatefulSet removes the "
                        "highest ordinals first and kills the master",
                        was, now, in->master_ordinal);
        return;
    }
    rule_report(ctx, RULE_WEAK, "/spec/redis/replicas",
                "check which pod has redisfailovers-role=master; it must "
                "have an ordinal below the new replica count",
                "spec.redis.replicas goes from %d to %d and the master's "
                "ordinal is not known here, so rfguard could not check "
                "that the scale-down keeps the master (pods %d..%d go)",
                was, now, now, was - 1);
}

void check_pdb_disable_noop(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    const cJSON *old = rule_old(ctx);
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *v = json_get(rf_component_spec(rule_obj(ctx), comps[i]),
                                "disablePodDisruptionBudget");
        const char *c = rf_component_name(comps[i]);
        char ptr[64];

        if (!cJSON_IsTrue(v))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/disablePodDisruptionBudget", c);
        if (rule_target(ctx) == RF_TARGET_SPOTAHOME_V12)
            rule_report(ctx, RULE_STRONG, ptr,
                        "upgrade the operator to v1.3.0-rc1 or later, or "
                        "remove the field",
                        "spec.%s.disablePodDisruptionBudget is not in the "
                        "spotahome-v1.2 CRD: the API server prunes it and "
                        "the operator keeps creating the PDB", c);
        else if (old && !cJSON_IsTrue(json_get(rf_component_spec(old,
                                                                comps[i]),
                                             "disablePodDisruptionBudget")))
            rule_report(ctx, RULE_STRONG, ptr,
                        "delete the PDB (rfr-<name> or rfs-<name>) by hand",
                        "spec.%s.disablePodDisruptionBudget is turned on for "
                        "an existing failover: the operator stops managing "
                        "the PDB but never deletes it (spotahome #653)",
                        c);
    }
}
