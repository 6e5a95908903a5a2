/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_impl.h - what rule implementations share: the check and fix
 * functions the catalogue in rules.c points to, and small helpers for
 * reading objects and building fix ops. Private to rules*.c / rule_*.c.
 */
#ifndef RFG_RULES_IMPL_H
#define RFG_RULES_IMPL_H

#include "jpatch.h"
#include "json.h"
#include "quantity.h"
#include "rules.h"

/* Fix ops, for fix functions only: each appends one op to the patch and
 * applies it to the working copy at once (see rule_fix_fn). `value` is
 * owned by the call, on failure too; NULL means out of memory. */
int rule_fix_add(struct rule_ctx *ctx, const char *path, cJSON *value)
    RFG_MUST_CHECK;
int rule_fix_replace(struct rule_ctx *ctx, const char *path, cJSON *value)
    RFG_MUST_CHECK;
int rule_fix_remove(struct rule_ctx *ctx, const char *path) RFG_MUST_CHECK;
/* Add `value` (owned) at the path made of `keys` (unescaped tokens),
 * creating missing parent objects inside the value as needed, so the op
 * applies to the working copy as it is now. */
int rule_fix_add_nested(struct rule_ctx *ctx, const char *const *keys,
                        size_t nkeys, cJSON *value) RFG_MUST_CHECK;

/* How the object's rfguard.io/skip annotation treats rule `d`, were it
 * named there with a good reason (skip-annotation reports the rest). */
enum rule_skip_state {
    RULE_SKIP_MOOT,     /* d is off under the policy or does not apply */
    RULE_SKIP_WARN,     /* d is a warn rule: skipped */
    RULE_SKIP_GRANTED,  /* a deny rule the policy lets this object skip */
    RULE_SKIP_REFUSED   /* a deny rule it does not: *why says why */
};
enum rule_skip_state rule_skip_check(const struct rule_ctx *ctx,
                                     const struct rule_desc *d,
                                     enum policy_skip_verdict *why);
/* The policy in force, and who asks (NULL: no user, offline). */
const struct policy_set *rule_policy(const struct rule_ctx *ctx);

/* Identity helpers shared by identity and auth rules. */
bool rj_is_self(const struct rule_ctx *ctx, const struct cview_failover *f);

void check_schema_unknown_field(struct rule_ctx *ctx);
void check_schema_type(struct rule_ctx *ctx);
void check_schema_enum(struct rule_ctx *ctx);
void check_schema_required(struct rule_ctx *ctx);
void check_skip_annotation(struct rule_ctx *ctx);

void check_sentinel_identity_shared(struct rule_ctx *ctx);
int fix_sentinel_identity_shared(struct rule_ctx *ctx, const cJSON *work);
void check_master_name_unique(struct rule_ctx *ctx);
void check_redis_port_unique(struct rule_ctx *ctx);
void check_disablemymaster_pruned(struct rule_ctx *ctx);
int fix_disablemymaster_pruned(struct rule_ctx *ctx, const cJSON *work);

void check_auth_required(struct rule_ctx *ctx);
void check_auth_secret_exists(struct rule_ctx *ctx);
void check_auth_password_key(struct rule_ctx *ctx);
void check_auth_password_charset(struct rule_ctx *ctx);
void check_auth_secret_unique(struct rule_ctx *ctx);

void check_redis_spread_scope(struct rule_ctx *ctx);
void check_sentinel_spread_scope(struct rule_ctx *ctx);
int fix_redis_spread_scope(struct rule_ctx *ctx, const cJSON *work);
int fix_sentinel_spread_scope(struct rule_ctx *ctx, const cJSON *work);
void check_affinity_drops_default(struct rule_ctx *ctx);
int fix_affinity_drops_default(struct rule_ctx *ctx, const cJSON *work);
void check_spread_missing(struct rule_ctx *ctx);
int fix_spread_missing(struct rule_ctx *ctx, const cJSON *work);

void check_sentinel_replicas(struct rule_ctx *ctx);
int fix_sentinel_replicas(struct rule_ctx *ctx, const cJSON *work);
void check_redis_replicas_ha(struct rule_ctx *ctx);
void check_name_length(struct rule_ctx *ctx);
void check_name_charset(struct rule_ctx *ctx);


/* rule_update.c */
void check_disablemymaster_toggle(struct rule_ctx *ctx);
void check_port_change(struct rule_ctx *ctx);
void check_auth_change(struct rule_ctx *ctx);
void check_storage_kind_immutable(struct rule_ctx *ctx);
void check_storage_size(struct rule_ctx *ctx);
void check_keep_after_deletion_immutable(struct rule_ctx *ctx);
void check_custom_renames_latent(struct rule_ctx *ctx);
void check_bootstrap_removed(struct rule_ctx *ctx);
void check_scale_down_master(struct rule_ctx *ctx);
void check_pdb_disable_noop(struct rule_ctx *ctx);

/* rule_replicas.c */
void check_replicas_zero(struct rule_ctx *ctx);
void check_pdb_sentinel_from_redis(struct rule_ctx *ctx);
void check_pdb_single_replica(struct rule_ctx *ctx);
int fix_pdb_single_replica(struct rule_ctx *ctx, const cJSON *work);

/* rule_labels.c */
void check_labels_volatile(struct rule_ctx *ctx);
int fix_labels_volatile(struct rule_ctx *ctx, const cJSON *work);
void check_labels_override(struct rule_ctx *ctx);
void check_labelwhitelist_regex(struct rule_ctx *ctx);

/* rule_images.c */
void check_image_pinned(struct rule_ctx *ctx);
int fix_image_pinned(struct rule_ctx *ctx, const cJSON *work);
void check_image_redis_min(struct rule_ctx *ctx);
void check_engine_image(struct rule_ctx *ctx);
void check_resources_set(struct rule_ctx *ctx);
void check_maxmemory_headroom(struct rule_ctx *ctx);

/* rule_config.c */
void check_customconfig_format(struct rule_ctx *ctx);
void check_customconfig_forbidden(struct rule_ctx *ctx);
int fix_customconfig_forbidden(struct rule_ctx *ctx, const cJSON *work);
void check_customconfig_replica_priority(struct rule_ctx *ctx);
void check_sentinel_customconfig_partial(struct rule_ctx *ctx);
int fix_sentinel_customconfig_partial(struct rule_ctx *ctx,
                                      const cJSON *work);
void check_sentinel_customconfig_forbidden(struct rule_ctx *ctx);
int fix_sentinel_customconfig_forbidden(struct rule_ctx *ctx,
                                        const cJSON *work);

/* rule_renames.c */
void check_rename_injection(struct rule_ctx *ctx);
void check_rename_operator_commands(struct rule_ctx *ctx);
int fix_rename_operator_commands(struct rule_ctx *ctx, const cJSON *work);
void check_rename_duplicate(struct rule_ctx *ctx);
void check_exporter_config_rename(struct rule_ctx *ctx);
int fix_exporter_config_rename(struct rule_ctx *ctx, const cJSON *work);

/* rule_storage.c */
void check_bootstrap_host(struct rule_ctx *ctx);
void check_bootstrap_port(struct rule_ctx *ctx);
int fix_bootstrap_port(struct rule_ctx *ctx, const cJSON *work);
void check_bootstrap_intermingle(struct rule_ctx *ctx);
void check_storage_ephemeral(struct rule_ctx *ctx);
void check_pvc_name(struct rule_ctx *ctx);
int fix_pvc_name(struct rule_ctx *ctx, const cJSON *work);
void check_keep_after_deletion(struct rule_ctx *ctx);
int fix_keep_after_deletion(struct rule_ctx *ctx, const cJSON *work);
void check_storage_both(struct rule_ctx *ctx);
int fix_storage_both(struct rule_ctx *ctx, const cJSON *work);

/* rule_misc.c */
void check_sentinel_no_auth(struct rule_ctx *ctx);
void check_hostnetwork(struct rule_ctx *ctx);
int fix_hostnetwork(struct rule_ctx *ctx, const cJSON *work);
void check_reserved_names(struct rule_ctx *ctx);
void check_custom_command(struct rule_ctx *ctx);
void check_fw_operator_group(struct rule_ctx *ctx);
int fix_fw_operator_group(struct rule_ctx *ctx, const cJSON *work);
void check_fw_skip_reconcile(struct rule_ctx *ctx);
void check_fw_master_rollout(struct rule_ctx *ctx);

/* rule_placement.c */
void check_spread_selector_role(struct rule_ctx *ctx);
int fix_spread_selector_role(struct rule_ctx *ctx, const cJSON *work);
void check_spread_selector_no_match(struct rule_ctx *ctx);
int fix_spread_selector_no_match(struct rule_ctx *ctx, const cJSON *work);
void check_spread_namespace_selector(struct rule_ctx *ctx);

#endif
