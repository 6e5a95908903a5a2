/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_opstree.h - the OpsTree side of rules that other families own
 * (rule_opstree.c implements them): the family's check function calls
 * these for a RedisSentinel or RedisReplication. Private to rule_*.c.
 */
#ifndef RFG_RULE_OPSTREE_H
#define RFG_RULE_OPSTREE_H

#include "rules.h"

/* resources-set: kubernetesConfig.resources, and a RedisReplication's
 * sentinel.resources, request cpu and memory. */
void rule_ot_resources_set(struct rule_ctx *ctx);

#endif
