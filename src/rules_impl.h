/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_impl.h - what rule implementations share: the check and fix
 * functions the catalogue in rules.c points to, and small helpers for
 * reading objects and building fix ops. Private to rules*.c / rule_*.c.
 */
#ifndef RFG_RULES_IMPL_H
#define RFG_RULES_IMPL_H

#include "jpatch.h"
#include "rules.h"

/* Borrowed child of an object, or NULL. */
const cJSON *rj_get(const cJSON *o, const char *k);
const char *rj_str(const cJSON *o, const char *k);
/* Pointer "/spec/<component>/<rest>" built from parts; owned by sbuf. */

/* Add `value` (owned) at the path made of `keys` (unescaped tokens),
 * creating missing parent objects inside the value as needed, so the op
 * applies to `work`. */
int rj_add_nested(cJSON *ops, const cJSON *work, const char *const *keys,
                  size_t nkeys, cJSON *value) RFG_MUST_CHECK;

/* Identity helpers shared by identity and auth rules. */
bool rj_is_self(const struct rule_ctx *ctx, const struct cview_failover *f);

void check_schema_unknown_field(struct rule_ctx *ctx);
void check_schema_type(struct rule_ctx *ctx);
void check_schema_enum(struct rule_ctx *ctx);
void check_schema_required(struct rule_ctx *ctx);
void check_skip_annotation(struct rule_ctx *ctx);

void check_sentinel_identity_shared(struct rule_ctx *ctx);
int fix_sentinel_identity_shared(struct rule_ctx *ctx, const cJSON *work,
                                 cJSON *ops);
void check_master_name_unique(struct rule_ctx *ctx);
void check_redis_port_unique(struct rule_ctx *ctx);
void check_disablemymaster_pruned(struct rule_ctx *ctx);
int fix_disablemymaster_pruned(struct rule_ctx *ctx, const cJSON *work,
                               cJSON *ops);

void check_auth_required(struct rule_ctx *ctx);
void check_auth_secret_exists(struct rule_ctx *ctx);
void check_auth_password_key(struct rule_ctx *ctx);
void check_auth_password_charset(struct rule_ctx *ctx);
void check_auth_secret_unique(struct rule_ctx *ctx);

void check_redis_spread_scope(struct rule_ctx *ctx);
void check_sentinel_spread_scope(struct rule_ctx *ctx);
int fix_redis_spread_scope(struct rule_ctx *ctx, const cJSON *work,
                           cJSON *ops);
int fix_sentinel_spread_scope(struct rule_ctx *ctx, const cJSON *work,
                              cJSON *ops);
void check_affinity_drops_default(struct rule_ctx *ctx);
int fix_affinity_drops_default(struct rule_ctx *ctx, const cJSON *work,
                               cJSON *ops);
void check_spread_missing(struct rule_ctx *ctx);
int fix_spread_missing(struct rule_ctx *ctx, const cJSON *work, cJSON *ops);

void check_sentinel_replicas(struct rule_ctx *ctx);
int fix_sentinel_replicas(struct rule_ctx *ctx, const cJSON *work,
                          cJSON *ops);
void check_redis_replicas_ha(struct rule_ctx *ctx);
void check_name_length(struct rule_ctx *ctx);
void check_name_charset(struct rule_ctx *ctx);

#endif
