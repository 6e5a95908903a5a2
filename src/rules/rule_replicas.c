/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_replicas.c - replica counts and the operator's PodDisruptionBudgets
 * (rules.md 2.4). Both PDBs get minAvailable 2, or 1 when there are at
 * most 2 *redis* replicas; the sentinel PDB is computed from the redis
 * count too (svc/client.go:195-198), which is where most of these come
 * from.
 */
#include <stdio.h>

#include "rules_impl.h"

static bool pdb_disabled(struct rule_ctx *ctx, const cJSON *obj,
                         enum rf_component c)
{
    return rule_target(ctx) != RF_TARGET_SPOTAHOME_V12 &&
           cJSON_IsTrue(json_get(rf_component_spec(obj, c),
                               "disablePodDisruptionBudget"));
}

void check_replicas_zero(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *v = json_get(rf_component_spec(rule_obj(ctx), comps[i]),
                                "replicas");
        char ptr[48];

        if (!cJSON_IsNumber(v) || v->valuedouble > 0)
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/replicas",
                 rf_component_name(comps[i]));
        rule_report(ctx, RULE_STRONG, ptr,
                    "set the count you want; to stop a failover, delete it",
                    "spec.%s.replicas is %.0f: the operator treats 0 and "
                    "below as unset and runs 3, it does not scale to zero",
                    rf_component_name(comps[i]), v->valuedouble);
    }
}

void check_pdb_sentinel_from_redis(struct rule_ctx *ctx)
{
    const cJSON *obj = rule_obj(ctx);
    int r = rf_replicas(obj, RF_REDIS), s = rf_replicas(obj, RF_SENTINEL);
    int min = r <= 2 ? 1 : 2;

    if (pdb_disabled(ctx, obj, RF_SENTINEL))
        return;
    if (s <= min)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/replicas",
                    "run at least 3 sentinels, or disable the sentinel PDB "
                    "and bring your own",
                    "the sentinel PDB asks for %d available of %d sentinels "
                    "(minAvailable follows the redis count, %d): no "
                    "sentinel can ever be evicted and node drains hang",
                    min, s, r);
    else if (s - min > s / 2)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/replicas",
                    "disable the sentinel PDB (disablePodDisruptionBudget) "
                    "and add one with minAvailable n/2+1",
                    "the sentinel PDB keeps only %d of %d sentinels "
                    "(minAvailable follows the redis count, %d): a drain "
                    "may evict %d and lose the quorum of %d",
                    min, s, r, s - min, s / 2 + 1);
}

int fix_pdb_single_replica(struct rule_ctx *ctx, const cJSON *work)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;
    int rc = RFG_OK;

    if (rule_target(ctx) == RF_TARGET_SPOTAHOME_V12)
        return RFG_OK;
    for (i = 0; i < 2 && !rc; i++) {
        const char *keys[3] = {"spec", rf_component_name(comps[i]),
                               "disablePodDisruptionBudget"};

        if (rf_replicas(work, comps[i]) != 1 ||
            pdb_disabled(ctx, work, comps[i]))
            continue;
        rc = rule_fix_add_nested(ctx, keys, 3, cJSON_CreateTrue());
    }
    return rc;
}

void check_pdb_single_replica(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    const cJSON *obj = rule_obj(ctx);
    bool s12 = rule_target(ctx) == RF_TARGET_SPOTAHOME_V12;
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *c = rf_component_name(comps[i]);
        char ptr[48];

        if (rf_replicas(obj, comps[i]) != 1 ||
            pdb_disabled(ctx, obj, comps[i]))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/replicas", c);
        rule_report(ctx, RULE_STRONG, ptr,
                    s12 ? "run at least 2 (v1.2.4 cannot disable the PDB)"
                        : "set disablePodDisruptionBudget: true for it",
                    "one %s pod with the operator's PDB (minAvailable 1 or "
                    "2): it can never be evicted, so node drains hang "
                    "(spotahome #628)", c);
    }
}
