/* SPDX-License-Identifier: Apache-2.0
 *
 * rf.h - what the redis-operator does with a RedisFailover: its
 * implicit defaults, the names of the objects it generates and the labels
 * it puts on pods. Reads cJSON, never changes it.
 */
#ifndef RFG_MODEL_H
#define RFG_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define RF_GROUP "databases.spotahome.com"
#define RF_API_VERSION "databases.spotahome.com/v1"
#define RF_KIND "RedisFailover"
#define RF_DEFAULT_REPLICAS 3
#define RF_DEFAULT_PORT 6379
#define RF_SENTINEL_PORT 26379
#define RF_DEFAULT_MASTER_NAME "mymaster"
#define RF_NAME_MAX 48

#define RF_LABEL_NAME "app.kubernetes.io/name"
#define RF_LABEL_COMPONENT "app.kubernetes.io/component"
#define RF_LABEL_PART_OF "app.kubernetes.io/part-of"
#define RF_LABEL_MANAGED_BY "app.kubernetes.io/managed-by"
#define RF_LABEL_RF_NAME "redisfailovers.databases.spotahome.com/name"
#define RF_LABEL_ROLE "redisfailovers-role"
#define RF_PART_OF "redis-failover"

/* The OpsTree redis-operator (v0.26): RedisSentinel and RedisReplication. */
#define OT_GROUP "redis.redis.opstreelabs.in"
#define OT_API_VERSION "redis.redis.opstreelabs.in/v1beta2"
#define OT_KIND_SENTINEL "RedisSentinel"
#define OT_KIND_REPLICATION "RedisReplication"
/* RedisSentinel's redisSentinelConfig.masterGroupName when unset (CRD
 * default); RedisReplication's embedded sentinel always monitors
 * RF_DEFAULT_MASTER_NAME, on port RF_DEFAULT_PORT. */
#define OT_DEFAULT_MASTER_NAME "myMaster"

/* The kinds rfguard checks, as a bit each so rules can list theirs. */
enum rf_kind {
    RF_KIND_FAILOVER = 1u << 0,   /* databases.spotahome.com/v1 */
    RF_KIND_SENTINEL = 1u << 1,   /* OpsTree RedisSentinel */
    RF_KIND_REPLICATION = 1u << 2 /* OpsTree RedisReplication */
};
#define RF_KIND_OPSTREE 0x6u
#define RF_KIND_ANY 0x7u

/* The kind of `obj` (apiVersion and kind both match), 0 for any other. */
enum rf_kind rf_kind_of(const cJSON *obj);
/* "RedisFailover", ...; the plural resource ("redisfailovers"), the API
 * group and apiVersion. NULL for 0 or a set of several. */
const char *rf_kind_name(enum rf_kind k);
const char *rf_kind_resource(enum rf_kind k);
const char *rf_kind_group(enum rf_kind k);
const char *rf_kind_api_version(enum rf_kind k);

/* Operator targets, as a bit each so rules can list where they apply.
 * The RedisFailover operators (RF_TARGET_RF) check RedisFailovers, the
 * OpsTree ones (RF_TARGET_OT) RedisSentinels and RedisReplications. A
 * run's target is a set with at most one target of each: each object is
 * checked under the one for its kind (rf_target_pick). */
enum rf_target {
    RF_TARGET_SPOTAHOME_V12 = 1u << 0, /* v1.2.4 */
    RF_TARGET_SPOTAHOME_V13 = 1u << 1, /* v1.3.0-rc1 */
    RF_TARGET_FRESHWORKS_V33 = 1u << 2, /* v3.3.x */
    RF_TARGET_OPSTREE_V026 = 1u << 3   /* v0.26.x */
};
#define RF_TARGET_RF 0x7u
#define RF_TARGET_OT 0x8u
#define RF_TARGET_ALL 0xfu
#define RF_TARGET_DEFAULT RF_TARGET_SPOTAHOME_V13
#define RF_TARGET_OT_DEFAULT RF_TARGET_OPSTREE_V026
/* The names every target accepts, for messages. */
#define RF_TARGET_NAMES \
    "spotahome-v1.2, spotahome-v1.3, freshworks-v3.3, opstree-v0.26"

/* "spotahome-v1.3" etc.; NULL for an unknown target or a set. */
const char *rf_target_name(enum rf_target t);
/* A target, or a comma-separated set with at most one target per
 * operator ("freshworks-v3.3,opstree-v0.26"); 0 when a name is unknown
 * or an operator is named twice. */
enum rf_target rf_target_parse(const char *s);
/* Why rf_target_parse(s) returned 0: "unknown target" when a name is
 * not a target, NULL when each is but an operator is named twice. */
const char *rf_target_parse_error(const char *s);
/* The target that checks kind `k` under set `set`: the set's target of
 * that operator, else the operator's default. */
enum rf_target rf_target_pick(unsigned set, enum rf_kind k);
/* The kinds target set `t` checks. */
unsigned rf_target_kinds(unsigned t);
/* Set `set` as rf_target_parse reads it, into buf (truncated to fit). */
void rf_target_format(char *buf, size_t len, unsigned set);

enum rf_component { RF_REDIS, RF_SENTINEL };
const char *rf_component_name(enum rf_component c); /* "redis" ... */

/* apiVersion databases.spotahome.com/v1 and kind RedisFailover. */
bool rf_is_failover(const cJSON *obj);
/* Borrowed; NULL when absent or not a string. */
const char *rf_name(const cJSON *obj);
/* metadata.namespace, or `fallback` when absent. */
const char *rf_namespace(const cJSON *obj, const char *fallback);
/* Borrowed /spec/redis or /spec/sentinel object, or NULL. */
const cJSON *rf_component_spec(const cJSON *obj, enum rf_component c);

/* Operator defaults: replicas <= 0 (or absent) -> 3; port <= 0 -> 6379. */
int rf_replicas(const cJSON *obj, enum rf_component c);
int rf_redis_port(const cJSON *obj);
/* Whether spec.<c>.replicas (spec.redis.port) is absent, null, or an
 * integer in the 32-bit range the CRD allows. When it is not (a string, a
 * fraction, a number too big), the API server rejects the object and
 * schema-type says so; rules that read the count or port stay silent
 * rather than reason about the capped value the two functions above
 * return. */
bool rf_replicas_valid(const cJSON *obj, enum rf_component c);
bool rf_redis_port_valid(const cJSON *obj);

/* Member `k` of `o` when it is a list (rf_list) or a map (rf_map), NULL
 * otherwise, borrowed. Rules walk a field's children through these: a
 * map where the CRD wants a list (or the reverse) is schema-type's to
 * report, once, and its children mean nothing to the rules. */
const cJSON *rf_list(const cJSON *o, const char *k);
const cJSON *rf_map(const cJSON *o, const char *k);
/* Member `k` of `o` when it is a list of strings only (customConfig,
 * command, args, labelWhitelist...), NULL otherwise. */
const cJSON *rf_strings(const cJSON *o, const char *k);
/* Is `v` there (not absent, not JSON null) with a type other than the
 * one asked for? Rules return early on such a field rather than take it
 * for absent. */
bool rf_not_map(const cJSON *v);
bool rf_not_list(const cJSON *v);
bool rf_not_string(const cJSON *v);
bool rf_not_bool(const cJSON *v);
/* Is label selector `sel` absent, or a map whose matchLabels (if any) is
 * a map of strings and whose matchExpressions (if any) is a list of maps
 * with string key and operator and a list of string values? */
bool rf_selector_typed(const cJSON *sel);

/* The fields of a failover every rule reads, looked up once: what the
 * getters above and below return for `obj`. Borrowed from `obj`, valid
 * while it lives unchanged. */
struct rf_fields {
    const cJSON *obj;
    const cJSON *spec[2];       /* rf_component_spec, by rf_component */
    const char *name;           /* rf_name */
    const char *secret_path;    /* rf_secret_path */
    int replicas[2];            /* rf_replicas, by rf_component */
    int redis_port;             /* rf_redis_port */
    bool typed[2];              /* spec and spec.<c> are maps or absent,
                                   by rf_component */
    bool replicas_valid[2];     /* rf_replicas_valid, by rf_component */
    const cJSON *custom_config[2]; /* rf_strings(spec[c], "customConfig") */
    bool redis_port_valid;      /* rf_redis_port_valid */
    bool host_network;          /* rf_host_network */
};
void rf_fields_init(struct rf_fields *f, const cJSON *obj);

/* spec.auth.secretPath, NULL when absent or empty. Borrowed. */
const char *rf_secret_path(const cJSON *obj);
/* spec.sentinel.disableMyMaster == true. */
bool rf_disable_mymaster(const cJSON *obj);
/* The sentinel master name the operator will use under `t`. Borrowed. */
const char *rf_master_name(const cJSON *obj, enum rf_target t);
/* hostNetwork on redis or sentinel. */
bool rf_host_network(const cJSON *obj);

/* The sentinel customConfig the operator uses when the user gives none. */
extern const char *const rf_default_sentinel_config[];
extern const size_t rf_default_sentinel_config_len;

enum rf_object {
    RF_OBJ_REDIS,           /* rfr-<n>: ConfigMap, StatefulSet, Service, PDB */
    RF_OBJ_SENTINEL,        /* rfs-<n>: ConfigMap, Deployment, Service, PDB */
    RF_OBJ_SHUTDOWN_CM,     /* rfr-s-<n> */
    RF_OBJ_READINESS_CM,    /* rfr-readiness-<n> */
    RF_OBJ_MASTER_SVC,      /* rfrm-<n> (v1.3.0-rc1+) */
    RF_OBJ_SLAVE_SVC        /* rfrs-<n> (v1.3.0-rc1+) */
};
/* Writes the generated name into buf; returns its length, or the length
 * it would have had when buf is too small (snprintf semantics). */
int rf_object_name(char *buf, size_t len, enum rf_object o, const char *rf);

/* Pod labels the operator sets for `c`, with the failover's
 * metadata labels merged in the operator's order. Owned; NULL on OOM.
 * The runtime role label is left out: it changes at run time. */
cJSON *rf_pod_labels(const cJSON *obj, enum rf_component c);
/* One pod label: key and value borrowed from the object or constants;
 * `idx` is scratch for rf_pod_label_list. */
struct rf_label {
    const char *k, *v;
    size_t idx;
};
/* The labels of rf_pod_labels, in the same order, as a plain list: in
 * `small` when they fit its `nsmall` entries, else in a malloc'd array
 * the caller frees (the result is not `small`). *n is the count. NULL
 * on OOM. Borrowed from `obj`: valid while it lives unchanged. */
struct rf_label *rf_pod_label_list(const cJSON *obj, enum rf_component c,
                                   struct rf_label *small, size_t nsmall,
                                   size_t *n);
/* The value of label `k` among v[0..n), as json_str would find it in
 * rf_pod_labels' object; NULL when absent. */
const char *rf_label_get(const struct rf_label *v, size_t n, const char *k);
/* The per-cluster selector: name=<rf>, component=<c>, part-of. Owned. */
cJSON *rf_selector_labels(const char *rf, enum rf_component c);

/* What the cluster-wide (RULE_CLUSTER) rules may read of a failover: a
 * copy of apiVersion, kind, metadata (but its managedFields, which no
 * rule reads), spec.auth, spec.bootstrapNode and,
 * of spec.redis and spec.sentinel, replicas, port, hostNetwork and
 * disableMyMaster. A streaming linter keeps this instead of the whole
 * tree. `on_copy` (may be NULL) is told of every node copied, e.g. to
 * carry source positions over. Owned; NULL on OOM. */
typedef void (*rf_copy_fn)(void *arg, const cJSON *src, const cJSON *copy);
cJSON *rf_skeleton(const cJSON *obj, rf_copy_fn on_copy, void *arg);
/* The keys and values a skeleton usually holds (NULL-terminated, fewer
 * than 64): a dictionary for packing skeletons compactly (jpack.h). */
extern const char *const rf_skeleton_words[];
/* The skeleton's shape (NULL-terminated member lists, in the order
 * rf_skeleton copies them): of the object, of its spec, and of each of
 * spec.redis and spec.sentinel (those two after the spec's own). Of
 * metadata, every member but RF_SKELETON_SKIP. */
extern const char *const rf_skeleton_top[];
extern const char *const rf_skeleton_spec[];
extern const char *const rf_skeleton_comp[];
/* An OpsTree object's skeleton: these members whole (metadata without
 * RF_SKELETON_SKIP). */
extern const char *const rf_skeleton_ot[];
#define RF_SKELETON_SKIP "managedFields"

#endif
