/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_update.c - rules that compare the old object with the new one on
 * UPDATE: what the operator cannot apply to a running failover. Its
 * StatefulSet keeps the volumeClaimTemplates it was created with, rolls
 * pods OnDelete, and its sentinels keep the master name, port and password
 * they were seeded with, so these changes either do nothing or split the
 * failover in two mid-roll. A new value of the wrong type is schema-type's
 * to report (the API server rejects the update): these rules skip it.
 */
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"

#define PVC_PTR "/spec/redis/storage/persistentVolumeClaim"

/* spec.redis.storage when it is a map, else NULL. */
static const cJSON *storage(const cJSON *obj)
{
    return rf_map(rf_component_spec(obj, RF_REDIS), "storage");
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

static void check_storage_kind_immutable(struct rule_ctx *ctx)
{
    const cJSON *a = json_get(storage(rule_old(ctx)), "persistentVolumeClaim");
    const cJSON *b = json_get(storage(rule_obj(ctx)), "persistentVolumeClaim");
    const cJSON *r = json_get(json_get(rule_obj(ctx), "spec"), "redis");

    if (rf_not_map(a) || rf_not_map(b) || rf_not_map(r) ||
        rf_not_map(json_get(r, "storage")))
        return;
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

static void check_storage_size(struct rule_ctx *ctx)
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

static void check_keep_after_deletion_immutable(struct rule_ctx *ctx)
{
    bool was = cJSON_IsTrue(json_get(storage(rule_old(ctx)),
                                   "keepAfterDeletion"));
    bool now = cJSON_IsTrue(json_get(storage(rule_obj(ctx)),
                                   "keepAfterDeletion"));

    if (was == now ||
        rf_not_bool(json_get(storage(rule_obj(ctx)), "keepAfterDeletion")))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/storage/keepAfterDeletion",
                "revert it; the owner reference is baked into the "
                "StatefulSet at creation",
                "spec.redis.storage.keepAfterDeletion changes from %s to "
                "%s: the PVCs' owner reference was fixed when the "
                "StatefulSet was created, so the change has no effect",
                was ? "true" : "false", now ? "true" : "false");
}

static void check_custom_renames_latent(struct rule_ctx *ctx)
{
    const cJSON *a = json_get(rf_component_spec(rule_old(ctx), RF_REDIS),
                            "customCommandRenames");
    const cJSON *b = json_get(rule_spec(ctx, RF_REDIS),
                            "customCommandRenames");

    if ((b && !cJSON_IsNull(b) && !cJSON_IsArray(b)) ||
        (cJSON_GetArraySize(a) == 0 && cJSON_GetArraySize(b) == 0))
        return;
    if (a && b && json_equal(a, b))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/customCommandRenames",
                "restart the redis pods (replicas first) after the change",
                "spec.redis.customCommandRenames changes: only the redis "
                "ConfigMap changes, so pods pick it up one restart at a "
                "time and run with mixed command names meanwhile");
}

static void check_bootstrap_removed(struct rule_ctx *ctx)
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

/* The update rules, in catalogue order. */
static const struct rule_desc update_rules[] = {
    {
        .id = "storage-kind-immutable",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "the redis PVC is not added, removed, renamed or given another "
            "class or access mode",
        .check = check_storage_kind_immutable,
    },
    {
        .id = "storage-size",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "the redis PVC does not shrink (deny) and grows only with "
            "volume expansion (warn)",
        .check = check_storage_size,
    },
    {
        .id = "keep-after-deletion-immutable",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "spec.redis.storage.keepAfterDeletion does not change on an "
            "existing failover",
        .check = check_keep_after_deletion_immutable,
    },
    {
        .id = "custom-renames-latent",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "a customCommandRenames change only applies as pods restart",
        .check = check_custom_renames_latent,
    },
    {
        .id = "bootstrap-removed",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "removing bootstrapNode makes the operator elect its own master",
        .check = check_bootstrap_removed,
    },
};

RULE_FAMILY(update, update_rules);
