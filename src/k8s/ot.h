/* SPDX-License-Identifier: Apache-2.0
 *
 * ot.h - what the OpsTree redis-operator (v0.26) does with a
 * RedisSentinel or RedisReplication: the master name its sentinels
 * monitor, the redis port, the Secret holding the password, and the
 * sizes, with the defaults of the CRD and of the operator's Go code.
 * Reads cJSON, never changes it.
 */
#ifndef RFG_OT_H
#define RFG_OT_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "rf.h"

/* The fields of an OpsTree object the rules and the cluster view read.
 * Strings are borrowed from the object. */
struct ot_fields {
    enum rf_kind kind;          /* RF_KIND_SENTINEL or _REPLICATION */
    const cJSON *spec;          /* spec when a map, else NULL */
    /* the sentinel settings: RedisSentinel's spec.redisSentinelConfig,
     * RedisReplication's spec.sentinel; NULL when absent or not a map */
    const cJSON *scfg;
    const char *scfg_ptr;       /* its pointer: "/spec/redisSentinelConfig"
                                   or "/spec/sentinel" */
    /* masterGroupName (default OT_DEFAULT_MASTER_NAME); RedisReplication:
     * always RF_DEFAULT_MASTER_NAME */
    const char *master;
    /* redisPort (a string, default "6379"); RedisReplication: 6379.
     * -1 when the string is not a port number */
    int port;
    /* spec.kubernetesConfig.redisSecret name and key, NULL when unset */
    const char *secret, *secret_key;
    int host_port;              /* spec.hostPort, 0 when unset */
    /* sentinels: RedisSentinel's clusterSize, RedisReplication's
     * sentinel.size (0 without an embedded sentinel); -1 when absent or
     * not an integer */
    int sentinels;
    const char *sentinels_ptr;  /* where it is */
    /* RedisReplication's clusterSize (redis pods), -1 otherwise */
    int redis;
    /* RedisSentinel: redisReplicationName, and the Secret and key of
     * redisReplicationPassword.secretKeyRef; NULL when unset */
    const char *repl, *repl_secret, *repl_key;
};

/* Fill `f` from `obj` (an OpsTree kind; otherwise f->kind is 0). */
void ot_fields_init(struct ot_fields *f, const cJSON *obj);

/* The integer a sentinel setting string holds ("5000"), in *out; false
 * when it is not a plain decimal integer that fits a long long. */
bool ot_parse_int(const char *s, long long *out);

#endif
