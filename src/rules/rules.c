/* SPDX-License-Identifier: Apache-2.0
 *
 * rules.c - the rule catalogue and the evaluation loop. Pure: no I/O, no
 * globals that change, no clock. Each rule is a descriptor; checks and
 * fixes live in rule_<kind>.c. Fixes run against a working copy to which
 * every op is applied as soon as it is emitted, so each op is computed
 * against the object the earlier ops (of the same rule or of earlier
 * ones) left: applied in order, by any RFC 6902 implementation, the
 * patch gives the fixed object, and fixing that again gives no op.
 */
#include "rules.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rules_impl.h"
#include "schema.h"
#include "sbuf.h"

#define S12 RF_TARGET_SPOTAHOME_V12
#define S13 RF_TARGET_SPOTAHOME_V13
#define F33 RF_TARGET_FRESHWORKS_V33
#define ALL RF_TARGET_ALL
#define ISSUES "https://github.com/spotahome/redis-operator/issues/"

static const struct rule_desc catalog[] = {
    /* the target CRD's structural schema */
    {"schema-unknown-field", RFG_SEV_DENY, ALL, 0,
     "every field is in the target CRD's schema (the API server prunes "
     "unknown fields silently)",
     "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
     "custom-resource-definitions/#field-pruning", "",
     check_schema_unknown_field, NULL},
    {"schema-type", RFG_SEV_DENY, ALL, 0,
     "every value has the type the target CRD wants (int-or-string, "
     "int32, quantities)",
     "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
     "custom-resource-definitions/#validation", "",
     check_schema_type, NULL},
    {"schema-enum", RFG_SEV_DENY, ALL, 0,
     "enumerated fields (e.g. freshworks spec.engine) hold an allowed "
     "value",
     "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
     "custom-resource-definitions/#validation", "",
     check_schema_enum, NULL},
    {"schema-required", RFG_SEV_DENY, ALL, 0,
     "fields the target CRD requires are present (spec, container names, "
     "selector keys...)",
     "https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/"
     "custom-resource-definitions/#validation", "",
     check_schema_required, NULL},
    /* 2.1 sentinel identity */
    {"sentinel-identity-shared", RFG_SEV_WARN, ALL, RULE_CLUSTER |
     RULE_FIX_CREATE_ONLY,
     "two failovers share master name, redis port and password, so their "
     "sentinels can merge", ISSUES "550", "",
     check_sentinel_identity_shared, fix_sentinel_identity_shared},
    {"master-name-clusterwide-unique", RFG_SEV_DENY, F33, RULE_CLUSTER,
     "with disableMyMaster the failover name is the master name: unique "
     "across all namespaces and not mymaster",
     "https://github.com/freshworks-oss/redis-operator#sentinel-master-name",
     "", check_master_name_unique, NULL},
    {"redis-port-unique", RFG_SEV_DENY, ALL, RULE_CLUSTER,
     "spec.redis.port is unique across failovers (deny with hostNetwork, "
     "else warn)", ISSUES "550", "", check_redis_port_unique, NULL},
    {"disablemymaster-pruned", RFG_SEV_DENY, S12 | S13, 0,
     "spec.sentinel.disableMyMaster is set but the target CRD lacks it",
     ISSUES "698", "", check_disablemymaster_pruned,
     fix_disablemymaster_pruned},
    {"disablemymaster-toggle", RFG_SEV_DENY, F33, RULE_UPDATE_ONLY,
     "spec.sentinel.disableMyMaster does not change on an existing "
     "failover",
     ISSUES "698", "", check_disablemymaster_toggle, NULL},
    {"port-change", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "spec.redis.port does not change on an existing failover",
     ISSUES "550", "", check_port_change, NULL},
    /* 2.2 auth */
    {"auth-required", RFG_SEV_DENY, ALL, 0,
     "spec.auth.secretPath names the Secret holding the Redis password",
     ISSUES "698", "", check_auth_required, NULL},
    {"auth-secret-exists", RFG_SEV_DENY, ALL, RULE_CLUSTER,
     "the auth Secret exists in the failover's namespace",
     ISSUES "302", "", check_auth_secret_exists, NULL},
    {"auth-password-key", RFG_SEV_DENY, ALL, RULE_CLUSTER,
     "the auth Secret has a non-empty 'password' key", ISSUES "302", "",
     check_auth_password_key, NULL},
    {"auth-password-charset", RFG_SEV_DENY, ALL, RULE_CLUSTER,
     "the password has no whitespace, quotes, # or control characters and "
     "is long enough", ISSUES "716", "minLength",
     check_auth_password_charset, NULL},
    {"auth-secret-unique", RFG_SEV_DENY, ALL, RULE_CLUSTER,
     "no two failovers share an auth Secret or password", ISSUES "550", "",
     check_auth_secret_unique, NULL},
    {"auth-change", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "spec.auth.secretPath is not added, removed or changed on an "
     "existing failover",
     ISSUES "568", "", check_auth_change, NULL},
    {"sentinel-no-auth", RFG_SEV_WARN, ALL, 0,
     "sentinels take no password: a NetworkPolicy should guard port "
     "26379 (annotation rfguard.io/sentinel-network-policy)",
     ISSUES "302", "", check_sentinel_no_auth, NULL},
    /* 2.3 per-cluster placement */
    {"redis-spread-selector-scope", RFG_SEV_DENY, ALL, 0,
     "redis anti-affinity and topology spread selectors pin this "
     "failover's redis pods", ISSUES "403", "",
     check_redis_spread_scope, fix_redis_spread_scope},
    {"sentinel-spread-selector-scope", RFG_SEV_DENY, ALL, 0,
     "sentinel anti-affinity and topology spread selectors pin this "
     "failover's sentinel pods", ISSUES "403", "",
     check_sentinel_spread_scope, fix_sentinel_spread_scope},
    {"affinity-drops-default-spread", RFG_SEV_WARN, ALL, 0,
     "an affinity without podAntiAffinity replaces the operator's default "
     "spread", ISSUES "403", "mode", check_affinity_drops_default,
     fix_affinity_drops_default},
    {"spread-missing", RFG_SEV_WARN, ALL, 0,
     "redis and sentinel pods are spread over nodes and zones",
     ISSUES "403", "mode zoneSpread", check_spread_missing,
     fix_spread_missing},
    {"spread-selector-role", RFG_SEV_WARN, ALL, 0,
     "spread selectors do not use the runtime redisfailovers-role "
     "label",
     ISSUES "403", "", check_spread_selector_role, fix_spread_selector_role},
    {"spread-selector-no-match", RFG_SEV_WARN, ALL, 0,
     "spread selectors can match this failover's pods; no deprecated "
     "zone topologyKey",
     ISSUES "403", "", check_spread_selector_no_match, fix_spread_selector_no_match},
    {"spread-namespace-selector", RFG_SEV_WARN, ALL, 0,
     "anti-affinity terms do not reach into other namespaces "
     "(namespaceSelector, namespaces)",
     ISSUES "403", "", check_spread_namespace_selector, NULL},
    /* 2.4 / 2.5 basics */
    {"sentinel-replicas", RFG_SEV_DENY, ALL, 0,
     "at least 3 sentinels, and an odd number (deny below 3, warn when "
     "even)", "https://redis.io/docs/latest/operate/oss_and_stack/management/"
     "sentinel/", "fix", check_sentinel_replicas, fix_sentinel_replicas},
    {"redis-replicas-ha", RFG_SEV_WARN, ALL, 0,
     "at least 2 redis replicas, so there is a failover target",
     ISSUES "403", "", check_redis_replicas_ha, NULL},
    {"name-length", RFG_SEV_DENY, ALL, 0,
     "metadata.name is at most 48 characters", ISSUES "91", "",
     check_name_length, NULL},
    {"name-charset", RFG_SEV_DENY, ALL, 0,
     "metadata.name is a DNS-1035 label (lower case, digits, '-', no '.')",
     ISSUES "91", "", check_name_charset, NULL},
    /* 2.4 */
    {"replicas-zero", RFG_SEV_WARN, ALL, 0,
     "replicas is not 0 or negative (the operator runs 3 instead)",
     ISSUES "403", "", check_replicas_zero, NULL},
    {"pdb-sentinel-from-redis-count", RFG_SEV_WARN, ALL, 0,
     "the sentinel PDB, sized from the redis count, neither blocks "
     "drains nor lets them take quorum",
     ISSUES "628", "", check_pdb_sentinel_from_redis, NULL},
    {"pdb-single-replica", RFG_SEV_WARN, ALL, RULE_FIX_CREATE_ONLY,
     "a component with one replica has its PDB disabled (else drains "
     "hang)",
     ISSUES "628", "", check_pdb_single_replica, fix_pdb_single_replica},
    {"pdb-disable-noop", RFG_SEV_WARN, ALL, 0,
     "disablePodDisruptionBudget is not expected to remove a PDB "
     "(UPDATE) or work on v1.2.4 (pruned)",
     ISSUES "653", "", check_pdb_disable_noop, NULL},
    {"scale-down-master", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "a redis scale-down does not remove the master's ordinal (warns "
     "when the master is not known)",
     ISSUES "240", "", check_scale_down_master, NULL},
    /* 2.5 */
    {"labels-volatile", RFG_SEV_WARN, ALL, 0,
     "release-specific labels (helm.sh/chart, version) are kept off "
     "pods by a labelWhitelist",
     ISSUES "403", "", check_labels_volatile, fix_labels_volatile},
    {"labels-override-operator", RFG_SEV_WARN, ALL, 0,
     "failover labels do not override the operator's managed-by and "
     "name labels",
     ISSUES "403", "", check_labels_override, NULL},
    {"labelwhitelist-regex", RFG_SEV_DENY, ALL, 0,
     "every spec.labelWhitelist entry is a valid RE2 expression",
     ISSUES "403", "", check_labelwhitelist_regex, NULL},
    /* 2.6 */
    {"storage-kind-immutable", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "the redis PVC is not added, removed, renamed or given another "
     "class or access mode",
     ISSUES "278", "", check_storage_kind_immutable, NULL},
    {"storage-size", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "the redis PVC does not shrink (deny) and grows only with "
     "volume expansion (warn)",
     ISSUES "638", "", check_storage_size, NULL},
    {"keep-after-deletion-immutable", RFG_SEV_DENY, ALL, RULE_UPDATE_ONLY,
     "spec.redis.storage.keepAfterDeletion does not change on an "
     "existing failover",
     ISSUES "403", "", check_keep_after_deletion_immutable, NULL},
    {"custom-renames-latent", RFG_SEV_WARN, ALL, RULE_UPDATE_ONLY,
     "a customCommandRenames change only applies as pods restart",
     ISSUES "716", "", check_custom_renames_latent, NULL},
    {"bootstrap-removed", RFG_SEV_WARN, ALL, RULE_UPDATE_ONLY,
     "removing bootstrapNode makes the operator elect its own master",
     ISSUES "664", "", check_bootstrap_removed, NULL},
    /* 2.7 */
    {"image-pinned", RFG_SEV_DENY, ALL, 0,
     "redis, sentinel and exporter images are set with a version tag "
     "(deny :latest or no tag, warn unset)",
     ISSUES "550", "", check_image_pinned, fix_image_pinned},
    {"image-redis-min", RFG_SEV_DENY, ALL, 0,
     "the redis image is Redis 6 or later",
     ISSUES "302", "", check_image_redis_min, NULL},
    {"engine-image", RFG_SEV_WARN, F33, 0,
     "spec.engine and the image agree (Redis or Valkey)",
     "https://github.com/freshworks-oss/redis-operator", "", check_engine_image, NULL},
    {"resources-set", RFG_SEV_WARN, ALL, 0,
     "redis and sentinel request cpu and memory; redis has a memory "
     "limit or maxmemory",
     ISSUES "403", "", check_resources_set, NULL},
    {"maxmemory-headroom", RFG_SEV_DENY, ALL, 0,
     "maxmemory leaves reservedPodMemoryPercent (10%) of the pod "
     "memory free (deny on freshworks create, else warn)",
     "https://github.com/freshworks-oss/redis-operator", "", check_maxmemory_headroom, NULL},
    /* 2.8 */
    {"customconfig-format", RFG_SEV_DENY, ALL, 0,
     "every customConfig entry is \"<key> <value>\" with one space",
     ISSUES "505", "", check_customconfig_format, NULL},
    {"customconfig-forbidden", RFG_SEV_DENY, ALL, 0,
     "redis customConfig sets no key the operator owns or that "
     "cannot change at run time",
     ISSUES "175", "", check_customconfig_forbidden, fix_customconfig_forbidden},
    {"customconfig-replica-priority", RFG_SEV_WARN, ALL, 0,
     "redis customConfig does not set replica-priority",
     ISSUES "403", "", check_customconfig_replica_priority, NULL},
    {"sentinel-customconfig-partial", RFG_SEV_WARN, ALL, RULE_FIX_CREATE_ONLY,
     "a sentinel customConfig keeps down-after-milliseconds and "
     "failover-timeout",
     ISSUES "505", "", check_sentinel_customconfig_partial, fix_sentinel_customconfig_partial},
    {"sentinel-customconfig-forbidden", RFG_SEV_DENY, ALL, 0,
     "sentinel customConfig sets no auth-pass, auth-user, quorum or "
     "rename-command (warn on scripts)",
     ISSUES "505", "", check_sentinel_customconfig_forbidden, fix_sentinel_customconfig_forbidden},
    /* 2.9 */
    {"rename-injection", RFG_SEV_DENY, ALL, 0,
     "customCommandRenames from/to use only [A-Za-z0-9_.-] and from "
     "is not empty",
     ISSUES "716", "", check_rename_injection, NULL},
    {"rename-operator-commands", RFG_SEV_DENY, ALL, RULE_FIX_CREATE_ONLY,
     "commands the operator, probes and Sentinel need are not "
     "renamed",
     ISSUES "716", "", check_rename_operator_commands, fix_rename_operator_commands},
    {"rename-duplicate", RFG_SEV_DENY, ALL, 0,
     "each command is renamed once (deny) and is a Redis command "
     "(warn)",
     ISSUES "716", "", check_rename_duplicate, NULL},
    {"exporter-config-rename", RFG_SEV_WARN, ALL, 0,
     "with CONFIG renamed, the redis exporter is told the new name",
     "https://github.com/oliver006/redis_exporter/issues/146", "", check_exporter_config_rename, fix_exporter_config_rename},
    /* 2.10 */
    {"bootstrap-host", RFG_SEV_DENY, ALL, 0,
     "bootstrapNode.host is set (deny) and an IP when sentinels "
     "follow it (warn)",
     ISSUES "664", "", check_bootstrap_host, NULL},
    {"bootstrap-port", RFG_SEV_DENY, ALL, RULE_FIX_CREATE_ONLY,
     "bootstrapNode.port is a port number string (warn when unset: "
     "6379 is used)",
     ISSUES "664", "", check_bootstrap_port, fix_bootstrap_port},
    {"bootstrap-sentinels-intermingle", RFG_SEV_WARN, ALL, 0,
     "bootstrapNode.allowSentinels may merge the new sentinels into "
     "the source's group",
     ISSUES "550", "", check_bootstrap_intermingle, NULL},
    /* 2.11 */
    {"storage-ephemeral", RFG_SEV_WARN, ALL, 0,
     "redis keeps its data on a PersistentVolumeClaim, not an "
     "emptyDir",
     ISSUES "403", "", check_storage_ephemeral, NULL},
    {"pvc-name", RFG_SEV_DENY, ALL, RULE_FIX_CREATE_ONLY,
     "the redis PVC has a metadata.name that is not a volume the "
     "operator uses",
     ISSUES "403", "", check_pvc_name, fix_pvc_name},
    {"keep-after-deletion", RFG_SEV_WARN, ALL, RULE_FIX_CREATE_ONLY,
     "the redis PVC has keepAfterDeletion: true, so deleting the "
     "failover keeps the data",
     ISSUES "403", "", check_keep_after_deletion, fix_keep_after_deletion},
    {"storage-both", RFG_SEV_WARN, ALL, RULE_FIX_CREATE_ONLY,
     "redis storage sets emptyDir or persistentVolumeClaim, not both",
     ISSUES "403", "", check_storage_both, fix_storage_both},
    /* 2.12 */
    {"hostnetwork", RFG_SEV_DENY, ALL, 0,
     "redis and sentinel avoid hostNetwork (deny for sentinels next "
     "to another hostNetwork failover)",
     ISSUES "550", "", check_hostnetwork, fix_hostnetwork},
    {"reserved-names", RFG_SEV_DENY, ALL, 0,
     "extra volumes, mounts and containers do not reuse the "
     "operator's names and paths",
     ISSUES "403", "", check_reserved_names, NULL},
    {"custom-command", RFG_SEV_DENY, ALL, 0,
     "a custom command still loads /redis/redis.conf (sentinel: "
     "/redis/sentinel.conf --sentinel)",
     ISSUES "403", "", check_custom_command, NULL},
    {"fw-operator-group", RFG_SEV_DENY, F33, 0,
     "the failover carries the operator-group label its Freshworks "
     "operator reconciles",
     "https://github.com/freshworks-oss/redis-operator", "group", check_fw_operator_group, fix_fw_operator_group},
    {"fw-skip-reconcile", RFG_SEV_WARN, F33, 0,
     "the skip-reconcile annotation is not left on",
     "https://github.com/freshworks-oss/redis-operator", "", check_fw_skip_reconcile, NULL},
    {"fw-master-rollout", RFG_SEV_WARN, F33, 0,
     "spec.redis.disableMasterRollout is not on (the master never "
     "updates)",
     "https://github.com/freshworks-oss/redis-operator", "", check_fw_master_rollout, NULL},
    /* exemptions */
    {"skip-annotation", RFG_SEV_DENY, ALL, 0,
     "an rfguard.io/skip annotation gives a reason, names real rules, "
     "and skips deny rules only where the policy's spec.skips allows",
     "https://github.com/spotahome/redis-operator", "",
     check_skip_annotation, NULL},
};

#define NCATALOG (sizeof(catalog) / sizeof(catalog[0]))

struct rules_plan {
    const struct policy_rule *pr[NCATALOG];
    enum rfg_sev sev[NCATALOG];
};

struct rule_ctx {
    const struct rules_input *in;
    const struct rule_desc *cur;
    const struct policy_rule *pr;
    enum rfg_sev sev;
    enum rf_target target;
    const char *ns;
    struct rules_result *res;
    int err;
    struct schema_issues schema;    /* computed on first use */
    bool schema_done;
    const char *skip;               /* rfguard.io/skip, when it has a
                                       reason; borrowed */
    const char *skip_reason;
    /* run_fixes: the object with every fix op so far applied (each op
     * is applied as it is emitted, so the next one is computed against
     * the object as the earlier ones left it), and what undoes the ops
     * of the current rule. */
    cJSON *work;                    /* owned while fixes run */
    cJSON *undo;                    /* owned: work before the current
                                       rule's first op; NULL until then */
    int patch_mark;                 /* ops in res->patch before it */
    bool pod_template;              /* one of them changes the pod
                                       template */
};

const struct rule_desc *rules_catalog(size_t *n)
{
    *n = NCATALOG;
    return catalog;
}

const struct rule_desc *rules_find(const char *id)
{
    size_t i;

    for (i = 0; i < NCATALOG; i++)
        if (!strcmp(catalog[i].id, id))
            return &catalog[i];
    return NULL;
}

enum rfg_sev rules_severity(const struct rule_desc *r,
                            const struct policy_set *pol)
{
    const struct policy_rule *pr = policy_rule_get(pol, r->id);

    return pr && pr->sev_set ? pr->sev : r->default_sev;
}

const cJSON *rule_obj(const struct rule_ctx *ctx)
{
    return ctx->in->obj;
}

const cJSON *rule_old(const struct rule_ctx *ctx)
{
    return ctx->in->old;
}

const struct rules_input *rule_input(const struct rule_ctx *ctx)
{
    return ctx->in;
}

enum rf_target rule_target(const struct rule_ctx *ctx)
{
    return ctx->target;
}

const char *rule_ns(const struct rule_ctx *ctx)
{
    return ctx->ns;
}

const cJSON *rule_param(const struct rule_ctx *ctx, const char *name)
{
    return ctx->pr ? cJSON_GetObjectItemCaseSensitive(ctx->pr->params, name)
                   : NULL;
}

int rule_param_int(const struct rule_ctx *ctx, const char *name, int def)
{
    const cJSON *v = rule_param(ctx, name);

    return cJSON_IsNumber(v) ? v->valueint : def;
}

bool rule_param_bool(const struct rule_ctx *ctx, const char *name, bool def)
{
    const cJSON *v = rule_param(ctx, name);

    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

static char *vfmt(const char *fmt, va_list ap) RFG_PRINTF(1, 0);

/* Format a message into a new heap string, or NULL on OOM. Messages
 * quote what users wrote (names, images, config lines), so every %s
 * argument is shortened to RULES_QUOTE_MAX characters with an ellipsis:
 * a 5 KB image name gives a readable finding, not a failed run. Text
 * past the cap, which only a format bug could reach, is dropped. */
static char *vfmt(const char *fmt, va_list ap)
{
    struct sbuf b;
    int rc;

    sbuf_init(&b, 64 << 10);
    rc = sbuf_vprintf_clip(&b, RULES_QUOTE_MAX, fmt, ap);
    if (rc && rc != RFG_ELIMIT) {
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_take(&b, NULL);
}

/* Append a finding with message `msg` (owned; NULL: out of memory). */
static void add_finding(struct rule_ctx *ctx, enum rule_strength s,
                        const char *ptr, const char *hint, char *msg)
{
    struct rules_result *r = ctx->res;
    struct finding *f;

    if (ctx->err) {
        free(msg);
        return;
    }
    f = rfg_grow(r->v, &r->cap, r->len, sizeof(*f), 8);
    if (!f) {
        free(msg);
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->v = f;
    f = &r->v[r->len];
    memset(f, 0, sizeof(*f));
    f->rule = ctx->cur;
    f->sev = s == RULE_WEAK && ctx->sev > RFG_SEV_WARN ? RFG_SEV_WARN
                                                       : ctx->sev;
    f->ptr = strdup(ptr ? ptr : "");
    f->msg = msg;
    f->hint = hint ? strdup(hint) : NULL;
    if (!f->ptr || !f->msg || (hint && !f->hint)) {
        free(f->ptr);
        free(f->msg);
        free(f->hint);
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->len++;
    if (f->sev == RFG_SEV_DENY)
        r->ndeny++;
    else
        r->nwarn++;
}

void rule_report(struct rule_ctx *ctx, enum rule_strength s,
                 const char *ptr, const char *hint, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (ctx->err)
        return;
    va_start(ap, fmt);
    msg = vfmt(fmt, ap);
    va_end(ap);
    add_finding(ctx, s, ptr, hint, msg);
}

void rule_report_msg(struct rule_ctx *ctx, enum rule_strength s,
                     const char *ptr, const char *hint, const char *msg)
{
    if (!ctx->err)
        add_finding(ctx, s, ptr, hint, strdup(msg ? msg : ""));
}

const struct schema_issues *rule_schema_issues(struct rule_ctx *ctx)
{
    if (!ctx->schema_done) {
        ctx->schema_done = true;
        if (schema_validate(&ctx->schema, ctx->in->obj, ctx->target)) {
            schema_issues_cleanup(&ctx->schema);
            ctx->err = RFG_ENOMEM;
        }
    }
    return ctx->err ? NULL : &ctx->schema;
}

/* Record that rule `d` (NULL: every rule) was skipped because of
 * `reason`. */
static void add_skip(struct rule_ctx *ctx, const struct rule_desc *d,
                     const char *fmt, ...) RFG_PRINTF(3, 4);

static void add_skip(struct rule_ctx *ctx, const struct rule_desc *d,
                     const char *fmt, ...)
{
    struct rules_result *r = ctx->res;
    va_list ap;
    char *reason;

    if (ctx->err)
        return;
    if (r->nskipped == r->capskipped) {
        size_t ncap = r->capskipped ? r->capskipped * 2 : 4;
        struct rule_skip *nv = realloc(r->skipped, ncap * sizeof(*nv));

        if (!nv) {
            ctx->err = RFG_ENOMEM;
            return;
        }
        r->skipped = nv;
        r->capskipped = ncap;
    }
    va_start(ap, fmt);
    reason = vfmt(fmt, ap);
    va_end(ap);
    if (!reason) {
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->skipped[r->nskipped].rule = d;
    r->skipped[r->nskipped].reason = reason;
    r->nskipped++;
}

/* Does the comma-separated list `list` name `id`? */
static bool list_has(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;

    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t len;

        while (*p == ' ' || *p == '\t')
            p++;
        len = e ? (size_t)(e - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && !strncmp(p, id, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

void rules_result_cleanup(struct rules_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->nskipped; i++)
        free(r->skipped[i].reason);
    free(r->skipped);
    for (i = 0; i < r->nheld; i++) {
        free(r->held[i].ptr);
        free(r->held[i].msg);
        free(r->held[i].hint);
    }
    free(r->held);
    for (i = 0; i < r->len; i++) {
        free(r->v[i].ptr);
        free(r->v[i].msg);
        free(r->v[i].hint);
    }
    free(r->v);
    cJSON_Delete(r->patch);
    memset(r, 0, sizeof(*r));
}

static bool applies(const struct rule_desc *d, const struct rule_ctx *ctx)
{
    if (!(d->targets & ctx->target))
        return false;
    if ((d->flags & RULE_UPDATE_ONLY) && !ctx->in->old)
        return false;
    return true;
}

bool rules_skip_reason_ok(const char *reason)
{
    const unsigned char *p;
    size_t n = 0;

    /* Count characters (UTF-8 lead bytes), not bytes, and no blanks. */
    for (p = (const unsigned char *)reason; p && *p; p++)
        if (!isspace(*p) && (*p & 0xC0) != 0x80)
            n++;
    return n >= RULES_SKIP_REASON_MIN;
}

/* The object's rfguard.io/skip list, honoured only with a good reason
 * (the skip-annotation rule reports one without). */
static void read_skip(struct rule_ctx *ctx)
{
    const cJSON *ann = json_get(json_get(ctx->in->obj, "metadata"),
                              "annotations");
    const char *skip = json_str(ann, RULES_SKIP_ANNOTATION);
    const char *reason = json_str(ann, RULES_SKIP_REASON_ANNOTATION);

    if (!skip || !rules_skip_reason_ok(reason))
        return;
    ctx->skip = skip;
    ctx->skip_reason = reason;
}

/* Severity of rule `d` under the policy in force. */
static enum rfg_sev sev_of(const struct rule_ctx *ctx,
                           const struct rule_desc *d)
{
    const struct rules_input *in = ctx->in;

    return in->plan ? in->plan->sev[d - catalog]
                    : rules_severity(d, in->pol);
}

const struct policy_set *rule_policy(const struct rule_ctx *ctx)
{
    return ctx->in->pol;
}

enum rule_skip_state rule_skip_check(const struct rule_ctx *ctx,
                                     const struct rule_desc *d,
                                     enum policy_skip_verdict *why)
{
    enum rfg_sev sev = sev_of(ctx, d);

    *why = POLICY_SKIP_ALLOWED;
    if (sev == RFG_SEV_OFF || !applies(d, ctx))
        return RULE_SKIP_MOOT;
    if (sev == RFG_SEV_WARN)
        return RULE_SKIP_WARN;
    *why = policy_skip_allowed(ctx->in->pol, d->id, ctx->ns, ctx->in->user);
    return *why == POLICY_SKIP_ALLOWED ? RULE_SKIP_GRANTED
                                       : RULE_SKIP_REFUSED;
}

/* True if the object's annotation skips `d`: it names `d`, gives a
 * reason, and `d` warns or is a deny rule the policy lets this object
 * and user skip. The annotation rule itself cannot be skipped. */
static bool skipped(const struct rule_ctx *ctx, const struct rule_desc *d)
{
    enum policy_skip_verdict why;
    enum rule_skip_state st;

    if (!ctx->skip || !strcmp(d->id, "skip-annotation") ||
        !list_has(ctx->skip, d->id))
        return false;
    st = rule_skip_check(ctx, d, &why);
    return st == RULE_SKIP_WARN || st == RULE_SKIP_GRANTED;
}

/* Where a JSON pointer into a RedisFailover lands: in what the operator
 * copies into the pod templates of the redis StatefulSet and sentinel
 * Deployment (changing it restarts every pod), outside them, or in an
 * object that holds both (classify its members). */
enum tmpl_class { TMPL_OUT, TMPL_IN, TMPL_MIXED };

static enum tmpl_class tmpl_classify(const char *ptr)
{
    static const char *const mixed[] = {
        "", "/spec", "/metadata", "/spec/redis", "/spec/sentinel",
        "/spec/redis/storage",
    };
    /* Read by the operator at run time (CONFIG SET, SENTINEL SET, the
     * ConfigMaps, the PDBs) or frozen in the volumeClaimTemplates: not
     * in the pod template. */
    static const char *const outside[] = {
        "/spec/redis/replicas", "/spec/sentinel/replicas",
        "/spec/redis/customConfig", "/spec/sentinel/customConfig",
        "/spec/redis/customCommandRenames",
        "/spec/redis/disablePodDisruptionBudget",
        "/spec/sentinel/disablePodDisruptionBudget",
        "/spec/sentinel/disableMyMaster",
        "/spec/redis/storage/keepAfterDeletion",
        "/spec/redis/storage/persistentVolumeClaim",
        "/spec/bootstrapNode",
    };
    size_t i, n;

    for (i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
        if (!strcmp(ptr, mixed[i]))
            return TMPL_MIXED;
    for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        n = strlen(outside[i]);
        if (!strncmp(ptr, outside[i], n) && (!ptr[n] || ptr[n] == '/'))
            return TMPL_OUT;
    }
    /* Failover labels are copied onto the pods; other metadata is not.
     * Everything else under spec is, or may be (unknown fields too). */
    if (!strncmp(ptr, "/metadata/labels", 16) && (!ptr[16] || ptr[16] == '/'))
        return TMPL_IN;
    return !strncmp(ptr, "/spec/", 6) ? TMPL_IN : TMPL_OUT;
}

/* Does `node` (NULL: nothing) at `ptr` hold anything of a pod template?
 * Sets *oom when out of memory. */
static bool tmpl_touches(const char *ptr, const cJSON *node, bool *oom)
{
    const cJSON *c;
    struct sbuf p;
    bool hit = false;

    if (!node || cJSON_IsNull(node))
        return false;
    switch (tmpl_classify(ptr)) {
    case TMPL_IN:
        return true;
    case TMPL_OUT:
        return false;
    case TMPL_MIXED:
        break;
    }
    if (!cJSON_IsObject(node))
        return false;
    sbuf_init(&p, 0);
    cJSON_ArrayForEach(c, node) {
        sbuf_reset(&p);
        if (sbuf_adds(&p, ptr) || jptr_append(&p, c->string)) {
            *oom = true;
            break;
        }
        if ((hit = tmpl_touches(sbuf_str(&p), c, oom)))
            break;
    }
    sbuf_cleanup(&p);
    return hit;
}

/* Append the op to the patch and apply it to ctx->work at once.
 * `value` (owned) may be NULL for remove; NULL otherwise means the caller
 * ran out of memory. Returns RFG_OK, RFG_ENOMEM, or RFG_EINVAL when the
 * op does not apply to the working copy (run_fixes then drops every op of
 * the rule). */
static int emit(struct rule_ctx *ctx, const char *op, const char *path,
                cJSON *value)
{
    struct diag_list dl;
    cJSON *one = NULL;
    int rc;

    assert(ctx->work); /* only fix functions emit */
    if (!ctx->undo && !(ctx->undo = cJSON_Duplicate(ctx->work, 1))) {
        cJSON_Delete(value);
        return RFG_ENOMEM;
    }
    if (!ctx->pod_template) {
        enum tmpl_class cls = tmpl_classify(path);
        bool oom = false;

        /* What the op writes, and what it overwrites or removes (only an
         * object that holds both kinds needs a look at either). */
        ctx->pod_template =
            cls == TMPL_IN ||
            (cls == TMPL_MIXED &&
             (tmpl_touches(path, value, &oom) ||
              tmpl_touches(path, jptr_get(ctx->work, path), &oom)));
        if (oom) {
            cJSON_Delete(value);
            return RFG_ENOMEM;
        }
    }
    one = cJSON_CreateArray();
    if (!one) {
        cJSON_Delete(value);
        return RFG_ENOMEM;
    }
    rc = !strcmp(op, "add")       ? jpatch_add(one, path, value)
         : !strcmp(op, "replace") ? jpatch_replace(one, path, value)
                                  : jpatch_remove(one, path);
    if (!rc) {
        diag_list_init(&dl, NULL);
        rc = jpatch_apply_op(&ctx->work, one->child, &dl);
        diag_list_cleanup(&dl);
    }
    if (!rc) {
        cJSON *o = cJSON_DetachItemFromArray(one, 0);

        if (!cJSON_AddItemToArray(ctx->res->patch, o)) {
            cJSON_Delete(o);
            rc = RFG_ENOMEM;
        }
    }
    cJSON_Delete(one);
    return rc;
}

int rule_fix_add(struct rule_ctx *ctx, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return emit(ctx, "add", path, value);
}

int rule_fix_replace(struct rule_ctx *ctx, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return emit(ctx, "replace", path, value);
}

int rule_fix_remove(struct rule_ctx *ctx, const char *path)
{
    return emit(ctx, "remove", path, NULL);
}

/* Drop the ops the current rule emitted: the working copy goes back to
 * what it was before the rule's first op. */
static void undo_rule(struct rule_ctx *ctx)
{
    cJSON *op;

    if (!ctx->undo)
        return;
    cJSON_Delete(ctx->work);
    ctx->work = ctx->undo;
    ctx->undo = NULL;
    while (cJSON_GetArraySize(ctx->res->patch) > ctx->patch_mark &&
           (op = cJSON_DetachItemFromArray(ctx->res->patch,
                                           ctx->patch_mark)))
        cJSON_Delete(op);
}

/* Record that the current rule's fix, whose first op was at `ptr`, was
 * held back: it changes the pod template and this is an UPDATE. */
static int add_held(struct rule_ctx *ctx, const char *ptr)
{
    struct rules_result *r = ctx->res;
    struct finding *f = rfg_grow(r->held, &r->capheld, r->nheld,
                                 sizeof(*f), 4);

    if (!f)
        return RFG_ENOMEM;
    r->held = f;
    f = &r->held[r->nheld];
    memset(f, 0, sizeof(*f));
    f->rule = ctx->cur;
    f->sev = RFG_SEV_WARN;
    f->ptr = strdup(ptr);
    /* Admission warnings stay under 120 characters with the rule id. */
    f->msg = strdup("not patched on UPDATE: it would restart every pod; "
                    "apply what 'rfguard fix' prints");
    f->hint = strdup("run 'rfguard fix' on the manifest and apply it when "
                     "a rollout of the failover's pods is planned (or set "
                     "podTemplateMutations: always in the policy)");
    if (!f->ptr || !f->msg || !f->hint) {
        free(f->ptr);
        free(f->msg);
        free(f->hint);
        return RFG_ENOMEM;
    }
    r->nheld++;
    return RFG_OK;
}

/* Is the current rule's fix, just run, one to hold back? */
static bool hold_fix(const struct rule_ctx *ctx)
{
    return ctx->undo && ctx->pod_template && ctx->in->op != RULES_CREATE &&
           !ctx->in->pol->pod_template_on_update;
}

static int run_fixes(struct rule_ctx *ctx)
{
    const struct rules_input *in = ctx->in;
    size_t i;
    int rc = RFG_OK;

    ctx->work = cJSON_Duplicate(in->obj, 1);
    if (!ctx->work)
        return RFG_ENOMEM;
    for (i = 0; i < NCATALOG && !rc; i++) {
        const struct rule_desc *d = &catalog[i];

        if (!d->fix)
            continue;
        ctx->cur = d;
        ctx->pr = in->plan ? in->plan->pr[i] : policy_rule_get(in->pol, d->id);
        ctx->sev = in->plan ? in->plan->sev[i] : rules_severity(d, in->pol);
        if (ctx->sev == RFG_SEV_OFF || !applies(d, ctx) || skipped(ctx, d))
            continue;
        if ((d->flags & RULE_FIX_CREATE_ONLY) && in->op != RULES_CREATE)
            continue;
        ctx->patch_mark = cJSON_GetArraySize(ctx->res->patch);
        ctx->pod_template = false;
        rc = d->fix(ctx, ctx->work);
        /* A fix that does not apply (an odd object shape) is dropped
         * rather than failing the evaluation: the finding stays. */
        if (rc == RFG_EINVAL) {
            undo_rule(ctx);
            rc = RFG_OK;
        } else if (!rc && hold_fix(ctx)) {
            const cJSON *first = cJSON_GetArrayItem(ctx->res->patch,
                                                    ctx->patch_mark);
            char *ptr = strdup(cJSON_GetObjectItemCaseSensitive(first,
                                                                "path")
                                   ->valuestring);

            undo_rule(ctx);
            rc = ptr ? add_held(ctx, ptr) : RFG_ENOMEM;
            free(ptr);
        }
        cJSON_Delete(ctx->undo);
        ctx->undo = NULL;
    }
    cJSON_Delete(ctx->undo);
    ctx->undo = NULL;
    cJSON_Delete(ctx->work);
    ctx->work = NULL;
    return rc;
}

/* >>> cluster */
enum rfg_sev rules_unavailable_severity(const struct rule_desc *r,
                                        const struct policy_set *pol)
{
    const struct policy_rule *pr = policy_rule_get(pol, r->id);
    const cJSON *v = pr ? cJSON_GetObjectItemCaseSensitive(pr->params,
                                                           "onUnavailable")
                        : NULL;

    if (cJSON_IsString(v) && !strcmp(v->valuestring, "deny"))
        return RFG_SEV_DENY;
    if (cJSON_IsString(v) && !strcmp(v->valuestring, "warn"))
        return RFG_SEV_WARN;
    return rules_severity(r, pol);
}

/* Would the current cluster rule look at the view for this object? A
 * rule that has nothing to check (no secretPath, no disableMyMaster)
 * has nothing it cannot verify either. */
static bool needs_view(const struct rule_ctx *ctx)
{
    const cJSON *obj = ctx->in->obj;
    const char *id = ctx->cur->id;

    if (!strncmp(id, "auth-", 5))
        return rf_secret_path(obj) != NULL;
    if (!strcmp(id, "master-name-clusterwide-unique"))
        return rf_disable_mymaster(obj);
    if (!strcmp(id, "sentinel-identity-shared"))
        return !strcmp(rf_master_name(obj, ctx->target),
                       RF_DEFAULT_MASTER_NAME);
    return true;
}

/* The cluster view is stale: say the rule could not be checked. */
static void report_unavailable(struct rule_ctx *ctx)
{
    ctx->sev = rules_unavailable_severity(ctx->cur, ctx->in->pol);
    if (ctx->sev == RFG_SEV_OFF || !needs_view(ctx))
        return;
    rule_report(ctx, RULE_STRONG, "", "rfguard cannot read the cluster "
                "from the API server; retry when it is back",
                "cannot verify: %s", ctx->in->cv_unavailable);
}

int rules_add_finding(struct rules_result *res, const struct rule_desc *r,
                      enum rfg_sev sev, const char *ptr, const char *msg)
{
    struct rule_ctx ctx;
    struct rules_input in;

    memset(&ctx, 0, sizeof(ctx));
    memset(&in, 0, sizeof(in));
    ctx.in = &in;
    ctx.res = res;
    ctx.cur = r;
    ctx.sev = sev;
    rule_report_msg(&ctx, RULE_STRONG, ptr, NULL, msg);
    return ctx.err;
}
/* <<< cluster */

int rules_plan_new(struct rules_plan **out, const struct policy_set *pol)
{
    struct rules_plan *p = calloc(1, sizeof(*p));
    size_t i;

    *out = NULL;
    if (!p)
        return RFG_ENOMEM;
    for (i = 0; i < NCATALOG; i++) {
        p->pr[i] = policy_rule_get(pol, catalog[i].id);
        p->sev[i] = rules_severity(&catalog[i], pol);
    }
    *out = p;
    return RFG_OK;
}

void rules_plan_free(struct rules_plan *p)
{
    free(p);
}

int rules_eval(struct rules_result *out, const struct rules_input *in)
{
    struct rule_ctx ctx;
    size_t i;

    memset(out, 0, sizeof(*out));
    memset(&ctx, 0, sizeof(ctx));
    ctx.in = in;
    ctx.res = out;
    ctx.target = in->target ? in->target : in->pol->target;
    ctx.ns = rf_namespace(in->obj, in->default_ns ? in->default_ns
                                                  : "default");
    if (in->want_fix) {
        out->patch = cJSON_CreateArray();
        if (!out->patch)
            return RFG_ENOMEM;
    }
    if (in->op == RULES_DELETE || in->op == RULES_CONNECT ||
        !rf_is_failover(in->obj))
        return RFG_OK;
    if (policy_ns_exempt(in->pol, ctx.ns)) {
        if (in->phase != RULES_PHASE_CLUSTER) /* said once, not twice */
            add_skip(&ctx, NULL, "namespace %s is exempt under policy %s",
                     ctx.ns, in->pol->name ? in->pol->name : "");
        goto out;
    }
    read_skip(&ctx);
    for (i = 0; i < NCATALOG && !ctx.err; i++) {
        const struct rule_desc *d = &catalog[i];

        ctx.cur = d;
        ctx.pr = in->plan ? in->plan->pr[i] : policy_rule_get(in->pol, d->id);
        ctx.sev = in->plan ? in->plan->sev[i] : rules_severity(d, in->pol);
        if (ctx.sev == RFG_SEV_OFF || !applies(d, &ctx))
            continue;
        if ((in->phase == RULES_PHASE_LOCAL && (d->flags & RULE_CLUSTER)) ||
            (in->phase == RULES_PHASE_CLUSTER && !(d->flags & RULE_CLUSTER)))
            continue;
        if (skipped(&ctx, d)) {
            add_skip(&ctx, d, "%s", ctx.skip_reason);
            continue;
        }
        /* >>> cluster */
        if ((d->flags & RULE_CLUSTER) && in->cv_unavailable) {
            report_unavailable(&ctx);
            continue;
        }
        /* <<< cluster */
        d->check(&ctx);
    }
    if (!ctx.err && in->want_fix && in->pol->mutations)
        ctx.err = run_fixes(&ctx);
out:
    schema_issues_cleanup(&ctx.schema);
    if (ctx.err) {
        rules_result_cleanup(out);
        return ctx.err;
    }
    return RFG_OK;
}


static bool has_param(const struct rule_desc *d, const char *name)
{
    const char *p = d->params;
    size_t n = strlen(name);

    while (p && *p) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && !strncmp(p, name, n))
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Report `id`, not a rule, at `pos`, with the closest rule id. `where`
 * says in what list ("" or " in skips.denyRules"). */
static int unknown_rule(struct diag_list *dl, const struct src_pos *pos,
                        const char *id, const char *where)
{
    const char *best = NULL;
    size_t j, bestd = 4;

    for (j = 0; j < NCATALOG; j++) {
        size_t dist = schema_edit_distance(id, catalog[j].id, false);

        if (dist < bestd) {
            bestd = dist;
            best = catalog[j].id;
        }
    }
    if (best)
        return diag_fail(dl, RFG_EINVAL, pos,
                         "unknown rule \"%s\"%s (did you mean \"%s\"?)", id,
                         where, best);
    return diag_fail(dl, RFG_EINVAL, pos,
                     "unknown rule \"%s\"%s (see 'rfguard rules')", id,
                     where);
}

int rules_policy_check(const struct policy_set *pol, struct diag_list *dl)
{
    const char *saved = dl->file;
    size_t i, j;
    int rc = RFG_OK;

    dl->file = pol->file;
    for (i = 0; i < pol->nrules; i++) {
        const struct policy_rule *pr = &pol->rules[i];
        const struct rule_desc *d = rules_find(pr->id);
        const cJSON *p;

        if (!d) {
            rc = unknown_rule(dl, &pr->pos, pr->id, "");
            continue;
        }
        cJSON_ArrayForEach(p, pr->params) {
            /* >>> cluster */
            if ((d->flags & RULE_CLUSTER) &&
                !strcmp(p->string, "onUnavailable")) {
                if (!cJSON_IsString(p) ||
                    (strcmp(p->valuestring, "deny") &&
                     strcmp(p->valuestring, "warn")))
                    rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                                   "rule \"%s\": onUnavailable must be "
                                   "deny or warn", pr->id);
                continue;
            }
            /* <<< cluster */
            if (!has_param(d, p->string))
                rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                               "rule \"%s\" has no parameter \"%s\"%s%s",
                               pr->id, p->string,
                               *d->params ? " (parameters: " : "",
                               *d->params ? d->params : "");
            else if (!strcmp(p->string, "mode") &&
                     (!cJSON_IsString(p) ||
                      (strcmp(p->valuestring, "preferred") &&
                       strcmp(p->valuestring, "required"))))
                rc = diag_fail(dl, RFG_EINVAL, &pr->params_pos,
                               "rule \"%s\": mode must be preferred or "
                               "required", pr->id);
        }
    }
    for (i = 0; i < pol->nskips; i++) {
        const struct policy_skip_grant *g = &pol->skips[i];

        for (j = 0; j < g->nrules; j++) {
            if (!rules_find(g->rules[j]))
                rc = unknown_rule(dl, &g->rule_pos[j], g->rules[j],
                                  " in skips.denyRules");
            else if (!strcmp(g->rules[j], "skip-annotation"))
                rc = diag_fail(dl, RFG_EINVAL, &g->rule_pos[j],
                               "skip-annotation cannot be skipped: it is "
                               "what reports a refused or unexplained skip");
        }
    }
    dl->file = saved;
    return rc;
}

/* ---- shared helpers for rule implementations ---- */

int rule_fix_add_nested(struct rule_ctx *ctx, const char *const *keys,
                        size_t nkeys, cJSON *value)
{
    const cJSON *node = ctx->work;
    struct sbuf path;
    size_t i, depth = 0;
    int rc = RFG_OK;

    if (!value)
        return RFG_ENOMEM;
    sbuf_init(&path, 0);
    /* Walk down while the parents exist. */
    while (depth + 1 < nkeys) {
        const cJSON *next = json_get(node, keys[depth]);

        if (!cJSON_IsObject(next))
            break;
        node = next;
        depth++;
    }
    /* Wrap the value in an object for each missing parent. */
    for (i = nkeys - 1; i > depth; i--) {
        cJSON *wrap = cJSON_CreateObject();

        if (!wrap || !cJSON_AddItemToObject(wrap, keys[i], value)) {
            cJSON_Delete(wrap);
            cJSON_Delete(value);
            sbuf_cleanup(&path);
            return RFG_ENOMEM;
        }
        value = wrap;
    }
    for (i = 0; i <= depth && !rc; i++)
        rc = jptr_append(&path, keys[i]);
    if (rc) {
        cJSON_Delete(value);
        sbuf_cleanup(&path);
        return rc;
    }
    rc = rule_fix_add(ctx, sbuf_str(&path), value);
    sbuf_cleanup(&path);
    return rc;
}

bool rj_is_self(const struct rule_ctx *ctx, const struct cview_failover *f)
{
    const char *name = rf_name(ctx->in->obj);

    return name && !strcmp(f->name, name) && !strcmp(f->ns, ctx->ns);
}
