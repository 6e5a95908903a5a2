/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_replicas.c - replica counts and the operator's PodDisruptionBudgets.
 * Both PDBs get minAvailable 2, or 1 when there are at most 2 *redis*
 * replicas; the sentinel PDB is computed from the redis count too (the
 * operator's svc/client.go), which is where most of these come from. A
 * count the API server rejects (not an int32) is schema-type's: these
 * rules skip it rather than reason about a capped or rounded value.
 */
#include <stdio.h>

#include "rules_impl.h"

static bool pdb_disabled(struct rule_ctx *ctx, const cJSON *obj,
                         enum rf_component c)
{
    return rule_target(ctx) != RF_TARGET_SPOTAHOME_V12 &&
           cJSON_IsTrue(json_get(rule_spec_of(ctx, obj, c),
                               "disablePodDisruptionBudget"));
}

/* Is the PDB switch of `c` there with a type other than boolean? Then
 * the API server rejects the object, and the PDB rules say nothing. */
static bool pdb_mistyped(const cJSON *obj, enum rf_component c)
{
    return rf_not_bool(json_get(rf_component_spec(obj, c),
                                "disablePodDisruptionBudget"));
}

static void check_replicas_zero(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *v = json_get(rule_spec(ctx, comps[i]), "replicas");
        char ptr[48];

        if (!cJSON_IsNumber(v) || v->valuedouble > 0 ||
            !rule_replicas_valid(ctx, rule_obj(ctx), comps[i]))
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

static void check_pdb_sentinel_from_redis(struct rule_ctx *ctx)
{
    const cJSON *obj = rule_obj(ctx);
    int r = rule_replicas(ctx, RF_REDIS), s = rule_replicas(ctx, RF_SENTINEL);
    int min = r <= 2 ? 1 : 2;

    if (pdb_disabled(ctx, obj, RF_SENTINEL) ||
        pdb_mistyped(obj, RF_SENTINEL) ||
        !rule_replicas_valid(ctx, obj, RF_REDIS) ||
        !rule_replicas_valid(ctx, obj, RF_SENTINEL))
        return;
    if (s <= min)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/replicas",
                    "run at least 3 sentinels, or disable the sentinel PDB "
                    "and bring your own",
                    "the sentinel PDB asks for %d available of %d "
                    "sentinels: minAvailable follows the redis count (%d), "
                    "so no sentinel can ever be evicted and node drains "
                    "hang",
                    min, s, r);
    else if (s - min > s / 2)
        rule_report(ctx, RULE_STRONG, "/spec/sentinel/replicas",
                    "disable the sentinel PDB (disablePodDisruptionBudget) "
                    "and add one with minAvailable n/2+1",
                    "the sentinel PDB keeps only %d of %d sentinels: "
                    "minAvailable follows the redis count (%d), so a drain "
                    "may evict %d and lose the quorum of %d",
                    min, s, r, s - min, s / 2 + 1);
}

static int fix_pdb_single_replica(struct rule_ctx *ctx, const cJSON *work)
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
            !rule_replicas_valid(ctx, work, comps[i]) ||
            pdb_disabled(ctx, work, comps[i]) || pdb_mistyped(work, comps[i]))
            continue;
        rc = rule_fix_add_nested(ctx, keys, 3, cJSON_CreateTrue());
    }
    return rc;
}

static void check_pdb_single_replica(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    const cJSON *obj = rule_obj(ctx);
    bool s12 = rule_target(ctx) == RF_TARGET_SPOTAHOME_V12;
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *c = rf_component_name(comps[i]);
        char ptr[48];

        if (rule_replicas(ctx, comps[i]) != 1 ||
            !rule_replicas_valid(ctx, obj, comps[i]) ||
            pdb_disabled(ctx, obj, comps[i]) || pdb_mistyped(obj, comps[i]))
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

static void check_pdb_disable_noop(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    const cJSON *old = rule_old(ctx);
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *v = json_get(rule_spec(ctx, comps[i]),
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

static void check_scale_down_master(struct rule_ctx *ctx)
{
    const struct rules_input *in = rule_input(ctx);
    int was = rf_replicas(rule_old(ctx), RF_REDIS);
    int now = rule_replicas(ctx, RF_REDIS);

    if (now >= was || !rule_replicas_valid(ctx, rule_old(ctx), RF_REDIS) ||
        !rule_replicas_valid(ctx, rule_obj(ctx), RF_REDIS))
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

/* The replicas rules, in catalogue order. */
static const struct rule_desc replicas_rules[] = {
    {
        .id = "replicas-zero",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "replicas is not 0 or negative (the operator runs 3 instead)",
        .check = check_replicas_zero,
    },
    {
        .id = "pdb-sentinel-from-redis-count",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "the sentinel PDB, sized from the redis count, neither blocks "
            "drains nor lets them take quorum",
        .check = check_pdb_sentinel_from_redis,
    },
    {
        .id = "pdb-single-replica",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_FIX_CREATE_ONLY,
        .doc = "a component with one replica has its PDB disabled (else "
            "drains hang)",
        .check = check_pdb_single_replica,
        .fix = fix_pdb_single_replica,
    },
    {
        .id = "pdb-disable-noop",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "disablePodDisruptionBudget is not expected to remove a PDB "
            "(UPDATE) or work on v1.2.4 (pruned)",
        .check = check_pdb_disable_noop,
    },
    {
        .id = "scale-down-master",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "a redis scale-down does not remove the master's ordinal "
            "(warns when the master is not known)",
        .check = check_scale_down_master,
    },
};

RULE_FAMILY(replicas, replicas_rules);
