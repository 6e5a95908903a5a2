/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_identity.c - sentinel identity rules. Sentinels of
 * two failovers can merge when master name, redis port and password all
 * match (spotahome #550, #297, #698); any one that differs breaks the
 * adoption path. These rules compare a failover with the others in its
 * classes of the cluster view's index (cview_class_hits), so a check
 * costs the same however many failovers share a port. A spec.redis.port the API server rejects (not an
 * int32, see rf_redis_port_valid) is schema-type's: these rules skip it.
 */
#include <stdio.h>
#include <string.h>

#include "ot.h"
#include "rules_impl.h"


/* Whether spec.sentinel.disableMyMaster reaches the operator under `t`:
 * only Freshworks reads it, and only when the schema in use (a --crd
 * file, the CRD installed in the cluster, or the compiled-in one) keeps
 * the field; the Freshworks chart's CRD lacks it, so the API server
 * prunes it and the sentinels still monitor mymaster. */
static bool mymaster_can_be_disabled(enum rf_target t)
{
    return t == RF_TARGET_FRESHWORKS_V33 &&
           schema_in_use_has(t, "/spec/sentinel/disableMyMaster");
}

/* Master name `obj` gets from the operator under `t`. */
static const char *master_name(const cJSON *obj, enum rf_target t)
{
    return rf_master_name(obj, mymaster_can_be_disabled(t)
                                   ? t
                                   : RF_TARGET_SPOTAHOME_V13);
}

/* What the sentinels of the object under evaluation monitor: the master
 * name, the redis port, and the password (a Secret's key; NULL secret:
 * none). */
struct sid {
    const char *master;
    int port;               /* <= 0: not a port; nothing to compare */
    const char *secret, *key;
};

/* The identity of `obj` (rule_obj or a fix's working copy). */
static void sid_of(struct rule_ctx *ctx, const cJSON *obj, struct sid *s)
{
    memset(s, 0, sizeof(*s));
    if (rule_kind(ctx) == RF_KIND_FAILOVER) {
        s->master = master_name(obj, rule_target(ctx));
        s->port = rf_redis_port_valid(obj) ? rf_redis_port(obj) : -1;
        s->secret = rf_secret_path(obj);
    } else {
        struct ot_fields o;

        ot_fields_init(&o, obj);
        s->master = o.master;
        s->port = o.port;
        s->secret = o.secret;
        s->key = o.secret_key;
    }
}

/* Whether entry `f` is the object under evaluation (itself, an older
 * version, a copy), or the other half of an OpsTree pair: the
 * RedisReplication a RedisSentinel watches, or a RedisSentinel watching
 * this RedisReplication. A pair monitors the same redis, so sharing its
 * identity is what it is for. */
static bool ot_same_or_pair(struct rule_ctx *ctx, const struct cview_failover *f)
{
    const char *ns = rule_ns(ctx), *name = rule_name(ctx);
    struct ot_fields o;

    if (strcmp(f->ns, ns))
        return false;
    if (f->kind == rule_kind(ctx))
        return name && !strcmp(f->name, name);
    if (rule_kind(ctx) == RF_KIND_REPLICATION)
        return f->kind == RF_KIND_SENTINEL && f->ot && f->ot->repl && name &&
               !strcmp(f->ot->repl, name);
    if (rule_kind(ctx) != RF_KIND_SENTINEL ||
        f->kind != RF_KIND_REPLICATION)
        return false;
    ot_fields_init(&o, rule_obj(ctx));
    return o.repl && !strcmp(f->name, o.repl);
}

/* identity_conflict for an OpsTree object: the members of its groups but
 * itself and its pair (ot_same_or_pair), walked one by one. */
static const struct cview_failover *
ot_conflict(struct rule_ctx *ctx, const struct cview *cv, bool dis,
            struct cview_key *k, size_t *count)
{
    enum cview_class c = k->secret ? (dis ? CVIEW_C_SID_DM : CVIEW_C_SID)
                                   : (dis ? CVIEW_C_SPORT_DM : CVIEW_C_SPORT);
    size_t first = CVIEW_END, i, pass;

    for (pass = 0; pass < (k->secret ? 2u : 1u); pass++) {
        if (pass)
            k->secret = NULL;   /* the entries with no password too */
        for (i = cview_class_first(cv, c, cview_class_find(cv, c, k));
             i != CVIEW_END; i = cview_class_next(cv, c, i)) {
            if (ot_same_or_pair(ctx, &cv->rfs[i]))
                continue;
            (*count)++;
            if (first == CVIEW_END || i < first)
                first = i;
        }
    }
    return first == CVIEW_END ? NULL : &cv->rfs[first];
}

/* First entry (of any kind) whose sentinels could merge with `obj`'s:
 * same master name and redis port, and a password that may be the same.
 * An entry without auth shares every password, one with auth the
 * password of its password class (cview_key). RedisFailovers are placed
 * under the master name the RedisFailover target gives them. A
 * RedisFailover is compared only while it is on mymaster: with its own
 * name, master-name-clusterwide-unique speaks. */
static const struct cview_failover *
identity_conflict(struct rule_ctx *ctx, const cJSON *obj, size_t *count)
{
    const struct cview *cv;
    bool dis = mymaster_can_be_disabled(
        rule_target_of(ctx, RF_KIND_FAILOVER));
    struct cview_hits h = {CVIEW_END, 0};
    struct cview_key k;
    struct sid s;

    *count = 0;
    sid_of(ctx, obj, &s);
    if (!rule_input(ctx)->cv || s.port <= 0 ||
        (rule_kind(ctx) == RF_KIND_FAILOVER &&
         strcmp(s.master, RF_DEFAULT_MASTER_NAME)) ||
        !(cv = rj_view(ctx)))
        return NULL;
    memset(&k, 0, sizeof(k));
    k.port = s.port;
    k.master = s.master;
    k.ns = rule_ns(ctx);
    k.secret = s.secret;
    k.secret_key = s.key;
    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return ot_conflict(ctx, cv, dis, &k, count);
    if (!k.secret) {
        enum cview_class c = dis ? CVIEW_C_SPORT_DM : CVIEW_C_SPORT;

        cview_class_hits(cv, c, cview_class_find(cv, c, &k), rj_self(ctx),
                         &h);
    } else {
        enum cview_class c = dis ? CVIEW_C_SID_DM : CVIEW_C_SID;

        cview_class_hits(cv, c, cview_class_find(cv, c, &k), rj_self(ctx),
                         &h);
        k.secret = NULL;
        cview_class_hits(cv, c, cview_class_find(cv, c, &k), rj_self(ctx),
                         &h);
    }
    *count = h.n;
    return h.first == CVIEW_END ? NULL : &cv->rfs[h.first];
}

bool rules_sentinel_identity(char *out, size_t len, int port,
                             const char *ns, const char *secret)
{
    int n;

    if (secret)
        n = snprintf(out, len, "sentinel/%d/secret:%s/%s", port, ns, secret);
    else
        n = snprintf(out, len, "sentinel/%d/none", port);
    return n >= 0 && (size_t)n < len;
}

/* The view shows no conflict: when the caller claims identities (the
 * webhook on /validate) and no earlier rule denied, claim `c` across the
 * cluster; a claim another failover holds is this rule's finding, one
 * that cannot be made is "cannot verify" per onUnavailable. */
static void claim_identity(struct rule_ctx *ctx, const char *ptr,
                           const struct rules_claim *c)
{
    const struct rules_input *in = rule_input(ctx);
    const struct rule_desc *d = rule_current(ctx);
    enum rfg_sev sev;
    char msg[1400];
    int r;

    if (!in->claim || !d || rule_ndeny(ctx) > 0)
        return;
    msg[0] = '\0';
    r = in->claim(in->claim_arg, c, msg, sizeof(msg));
    if (r == RULES_CLAIM_HELD)
        return;
    if (r == RULES_CLAIM_TAKEN) {
        rule_report_msg(ctx, RULE_STRONG, ptr, NULL, msg);
        return;
    }
    sev = rules_unavailable_severity(d, rule_policy(ctx));
    if (sev == RFG_SEV_OFF)
        return;
    if (r < 0 || !msg[0])
        snprintf(msg, sizeof(msg), "cannot verify: claiming %s failed: %s",
                 c->what, rfg_strerror(r < 0 ? r : RFG_EUPSTREAM));
    rule_report_sev(ctx, sev, ptr, msg);
}

/* Claim the sentinel identity of a failover whose sentinels monitor
 * mymaster, when this rule denies (only a uniqueness that denies is
 * claimed). */
static void claim_sentinel_identity(struct rule_ctx *ctx, const cJSON *obj)
{
    const char *ns = rule_ns(ctx), *sp = rule_secret_path(ctx);
    int port = rule_redis_port(ctx);
    char identity[512], what[512];
    struct rules_claim c;

    if (!rule_input(ctx)->claim || rule_sev(ctx) != RFG_SEV_DENY ||
        !rf_redis_port_valid(obj) ||
        strcmp(master_name(obj, rule_target(ctx)), RF_DEFAULT_MASTER_NAME) ||
        !rules_sentinel_identity(identity, sizeof(identity), port, ns, sp))
        return;
    if (sp)
        snprintf(what, sizeof(what), "sentinel identity (master %s, "
                 "port %d, password of Secret %s/%s)",
                 RF_DEFAULT_MASTER_NAME, port, ns, sp);
    else
        snprintf(what, sizeof(what), "sentinel identity (master %s, "
                 "port %d, no password)", RF_DEFAULT_MASTER_NAME, port);
    c.identity = identity;
    c.what = what;
    c.why = "their sentinels can merge and overwrite each other's data";
    claim_identity(ctx, "/spec/redis/port", &c);
}

/* An OpsTree object shares its identity with `f` (and n - 1 more). */
static void ot_identity_report(struct rule_ctx *ctx, const cJSON *obj,
                               const struct cview_failover *f, size_t n)
{
    struct sid s;
    const char *pw, *ptr;
    bool repl = rule_kind(ctx) == RF_KIND_REPLICATION;

    sid_of(ctx, obj, &s);
    pw = s.secret && f->secret   ? "both may use the same password"
         : !s.secret && !f->secret ? "neither has a password"
         : s.secret ? "this one has a password, the other none"
                    : "the other has a password, this one none";
    ptr = repl ? "/spec/kubernetesConfig"
          : json_get(json_get(json_get(obj, "spec"), "redisSentinelConfig"),
                     "masterGroupName")
              ? "/spec/redisSentinelConfig/masterGroupName"
              : "/spec/redisSentinelConfig";
    rule_report(ctx, RULE_STRONG, ptr,
                repl ? "give this replication's redis a password of its own "
                       "(spec.kubernetesConfig.redisSecret): its sentinel "
                       "always monitors mymaster on 6379"
                     : "give this sentinel group its own "
                       "redisSentinelConfig.masterGroupName, or its redis "
                       "its own port or password",
                "sentinel identity (%s, port %d) is shared with %s %s/%s: "
                "their sentinels can merge and overwrite each other's data; "
                "%s%s%s%s",
                s.master, s.port, cview_kind_name(f), f->ns, f->name, pw,
                f->origin ? "; the other is defined at " : "",
                f->origin ? f->origin : "",
                n < 2 ? "" : "; more share it too");
}

static void check_sentinel_identity_shared(struct rule_ctx *ctx)
{
    const cJSON *obj = rule_obj(ctx);
    const struct cview_failover *f;
    const char *pw, *others;
    size_t n;
    bool fw = mymaster_can_be_disabled(rule_target(ctx));
    bool mine;

    f = identity_conflict(ctx, obj, &n);
    if (!f) {
        if (rule_kind(ctx) == RF_KIND_FAILOVER)
            claim_sentinel_identity(ctx, obj);
        return;
    }
    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        ot_identity_report(ctx, obj, f, n);
        return;
    }
    /* Say what each side has: a sentinel that sends a password to a
     * master that has none is still let in, so one password is no
     * separation either. */
    mine = rule_secret_path(ctx) != NULL;
    pw = mine && f->secret     ? "both use the same password"
         : !mine && !f->secret ? "neither has a password"
         : mine                ? "this one has a password, the other none"
                               : "the other has a password, this one none";
    others = n < 2 ? "" : "; more failovers share it too";
    rule_report(ctx, RULE_STRONG,
                fw ? "/spec/sentinel/disableMyMaster" : "/spec/redis/port",
                fw ? "set spec.sentinel.disableMyMaster: true (the master "
                     "name becomes the failover's name)"
                   : "give this failover its own spec.redis.port or its own "
                     "password",
                "sentinel identity (%s, port %d) is shared with "
                "%s %s/%s: their sentinels can merge and "
                "overwrite each other's data; %s%s%s%s",
                RF_DEFAULT_MASTER_NAME, rule_redis_port(ctx),
                cview_kind_name(f), f->ns, f->name,
                pw, f->origin ? "; the other is defined at " : "",
                f->origin ? f->origin : "", others);
}

static int fix_sentinel_identity_shared(struct rule_ctx *ctx,
                                        const cJSON *work)
{
    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return RFG_OK;
    static const char *const keys[] = {"spec", "sentinel",
                                       "disableMyMaster"};
    size_t n;

    if (!mymaster_can_be_disabled(rule_target(ctx)) ||
        rf_disable_mymaster(work) || !identity_conflict(ctx, work, &n))
        return RFG_OK;
    return rule_fix_add_nested(ctx, keys, 3, cJSON_CreateTrue());
}

static void check_master_name_unique(struct rule_ctx *ctx)
{
    const cJSON *obj = rule_obj(ctx);
    const struct cview *cv = rule_input(ctx)->cv;
    const char *name = rule_name(ctx);
    size_t n = 0;
    const struct cview_failover *first = NULL;

    if (!name || !rf_disable_mymaster(obj) ||
        !mymaster_can_be_disabled(rule_target(ctx)))
        return;
    if (!strcmp(name, RF_DEFAULT_MASTER_NAME)) {
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "rename the failover",
                    "with disableMyMaster the master name is the failover "
                    "name, and \"%s\" is every other failover's master name",
                    name);
        return;
    }
    if (cv && (cv = rj_view(ctx)) != NULL) {
        struct cview_hits h = {CVIEW_END, 0};
        struct cview_key k;

        memset(&k, 0, sizeof(k));
        k.name = name;
        cview_class_hits(cv, CVIEW_C_DM_NAME,
                         cview_class_find(cv, CVIEW_C_DM_NAME, &k),
                         rj_self(ctx), &h);
        first = h.first == CVIEW_END ? NULL : &cv->rfs[h.first];
        n = h.n;
    }
    if (!first && rule_input(ctx)->claim) {
        char identity[512], what[512];
        struct rules_claim c;

        snprintf(identity, sizeof(identity), "master/%s", name);
        snprintf(what, sizeof(what), "master name \"%s\"", name);
        c.identity = identity;
        c.what = what;
        c.why = "namespaces do not isolate sentinels";
        claim_identity(ctx, "/metadata/name", &c);
    }
    if (first)
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "failover names must be unique across all namespaces "
                    "when disableMyMaster is on",
                    "master name \"%s\" is also used by RedisFailover "
                    "%s/%s: namespaces do not isolate sentinels%s%s%s",
                    name, first->ns, first->name,
                    first->origin ? "; it is defined at " : "",
                    first->origin ? first->origin : "",
                    n > 1 ? "; more failovers use the name too" : "");
}

static void check_redis_port_unique(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const struct cview_failover *first = NULL;
    int port = rule_redis_port(ctx);
    bool hostnet = rule_host_network(ctx);
    size_t n = 0;

    if (!rule_redis_port_valid(ctx))
        return;
    if (cv && (cv = rj_view(ctx)) != NULL) {
        struct cview_hits all = {CVIEW_END, 0}, hn = {CVIEW_END, 0};
        struct cview_key k;
        size_t self = rj_self(ctx);

        memset(&k, 0, sizeof(k));
        k.port = port;
        cview_class_hits(cv, CVIEW_C_PORT,
                         cview_class_find(cv, CVIEW_C_PORT, &k), self, &all);
        /* name a hostNetwork one if any, else the earliest document */
        cview_class_hits(cv, CVIEW_C_PORT_HOSTNET,
                         cview_class_find(cv, CVIEW_C_PORT_HOSTNET, &k),
                         self, &hn);
        if (hn.first != CVIEW_END)
            first = &cv->rfs[hn.first];
        else if (all.first != CVIEW_END)
            first = &cv->rfs[all.first];
        n = all.n;
    }
    if (!first)
        return;
    rule_report(ctx, hostnet || first->host_network ? RULE_STRONG : RULE_WEAK,
                "/spec/redis/port",
                "pick a redis port no other failover uses",
                "redis port %d is also used by RedisFailover %s/%s: only "
                "different passwords keep their sentinel groups apart%s%s%s%s",
                port, first->ns, first->name,
                hostnet || first->host_network
                    ? ", and with hostNetwork they share node IPs too"
                    : "",
                first->origin ? "; it is defined at " : "",
                first->origin ? first->origin : "",
                n > 1 ? "; more failovers use the port too" : "");
}

static void check_disablemymaster_pruned(struct rule_ctx *ctx)
{
    const cJSON *s = rule_spec(ctx, RF_SENTINEL);

    if (!json_get(s, "disableMyMaster"))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/sentinel/disableMyMaster",
                "remove the field, or target freshworks-v3.3 with its "
                "manifests/ CRD (the chart CRD lacks it too)",
                "spec.sentinel.disableMyMaster is not in the %s CRD: the "
                "API server prunes it silently and sentinels still use %s",
                rf_target_name(rule_target(ctx)), RF_DEFAULT_MASTER_NAME);
}

static int fix_disablemymaster_pruned(struct rule_ctx *ctx, const cJSON *work)
{
    if (!json_get(rf_component_spec(work, RF_SENTINEL), "disableMyMaster"))
        return RFG_OK;
    return rule_fix_remove(ctx, "/spec/sentinel/disableMyMaster");
}

static void check_disablemymaster_toggle(struct rule_ctx *ctx)
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

static void check_port_change(struct rule_ctx *ctx)
{
    int was = rf_redis_port(rule_old(ctx));
    int now = rule_redis_port(ctx);

    if (was == now || !rf_redis_port_valid(rule_old(ctx)) ||
        !rf_redis_port_valid(rule_obj(ctx)))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/port",
                "keep the port, or create a new failover on the new port "
                "and migrate",
                "spec.redis.port changes from %d to %d: pods roll one by "
                "one (OnDelete), so master and replicas run on different "
                "ports mid-roll and the sentinel monitor flips",
                was, now);
}

/* sentinel-identity-shared looks at the view only for a failover that
 * uses the default master name; master-name-clusterwide-unique only
 * with disableMyMaster. What a rule does not look at, it cannot fail to
 * verify when the view is stale. */
static bool view_default_master(const struct rule_ctx *ctx)
{
    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return true;
    return !strcmp(master_name(rule_obj(ctx), rule_target(ctx)),
                   RF_DEFAULT_MASTER_NAME);
}

static bool view_disable_mymaster(const struct rule_ctx *ctx)
{
    return rf_disable_mymaster(rule_obj(ctx)) &&
           mymaster_can_be_disabled(rule_target(ctx));
}

/* The identity rules, in catalogue order. */
static const struct rule_desc identity_rules[] = {
    {
        .id = "sentinel-identity-shared",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .flags = RULE_CLUSTER | RULE_FIX_CREATE_ONLY,
        .doc = "two failovers share master name, redis port and password, so "
            "their sentinels can merge",
        .check = check_sentinel_identity_shared,
        .fix = fix_sentinel_identity_shared,
        .needs_view = view_default_master,
    },
    {
        .id = "master-name-clusterwide-unique",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .flags = RULE_CLUSTER,
        .doc = "with disableMyMaster the failover name is the master name: "
            "unique across all namespaces and not mymaster",
        .check = check_master_name_unique,
        .needs_view = view_disable_mymaster,
    },
    {
        .id = "redis-port-unique",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_CLUSTER,
        .doc = "spec.redis.port is unique across failovers (deny with "
            "hostNetwork, else warn)",
        .check = check_redis_port_unique,
    },
    {
        .id = "disablemymaster-pruned",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_SPOTAHOME_V12 | RF_TARGET_SPOTAHOME_V13,
        .doc = "spec.sentinel.disableMyMaster is set but the target CRD lacks "
            "it",
        .check = check_disablemymaster_pruned,
        .fix = fix_disablemymaster_pruned,
    },
    {
        .id = "disablemymaster-toggle",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .flags = RULE_UPDATE_ONLY,
        .doc = "spec.sentinel.disableMyMaster does not change on an existing "
            "failover",
        .check = check_disablemymaster_toggle,
    },
    {
        .id = "port-change",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .flags = RULE_UPDATE_ONLY,
        .doc = "spec.redis.port does not change on an existing failover",
        .check = check_port_change,
    },
};

RULE_FAMILY(identity, identity_rules);
