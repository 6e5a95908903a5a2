/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_opstree.c - rules of the OpsTree redis-operator's kinds only:
 * RedisSentinel and RedisReplication (ot.h reads their fields and
 * defaults). The sentinel settings are strings the operator hands to
 * sentinel.conf unchecked: a quorum that is no majority, a master group
 * name sentinel cannot parse, hostname settings that disagree, timings
 * that are not numbers. A RedisSentinel names the RedisReplication it
 * watches, and its hostPort must be free on the node. Also the OpsTree
 * side of resources-set (rule_opstree.h), which needs nothing of its
 * family. Not here: the other rules RedisFailovers share with these
 * kinds (auth, sizes, images), which branch on the kind in their own
 * families, and the sentinel identity across operators
 * (rule_identity.c).
 */
#include <stdio.h>
#include <string.h>

#include "ot.h"
#include "rule_opstree.h"
#include "rules_impl.h"

/* Ranges the sentinel timings are expected in (sentinel-config-numbers):
 * below a second, a GC pause or a slow disk triggers a failover; above
 * ten minutes (an hour for the failover timeout), a dead master stays
 * unnoticed or a stuck failover unretried far too long. */
#define OT_DOWN_AFTER_MIN 1000LL
#define OT_DOWN_AFTER_MAX 600000LL
#define OT_FAILOVER_TIMEOUT_MAX 3600000LL

/* The CRD defaults of the sentinel settings. */
#define OT_DEFAULT_QUORUM 2LL
#define OT_DEFAULT_DOWN_AFTER 5000LL

/* The dotted name of the sentinel settings ("spec.sentinel"). */
static const char *scfg_name(const struct ot_fields *o)
{
    return o->kind == RF_KIND_REPLICATION ? "spec.sentinel"
                                          : "spec.redisSentinelConfig";
}

/* Setting `k` of the sentinel settings: *s is its string, NULL when
 * absent or null. False when it is there with another type: the schema
 * rules report that, and these rules then say nothing of it. */
static bool setting(const struct ot_fields *o, const char *k, const char **s)
{
    const cJSON *v = json_get(o->scfg, k);

    *s = NULL;
    if (!v || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsString(v))
        return false;
    *s = v->valuestring;
    return true;
}

/* The number of sentinels, or -1 when there are none to check: a
 * RedisReplication without an embedded sentinel, a count that is not an
 * integer (schema-type's), and a RedisSentinel's clusterSize left unset
 * reads as the CRD default, 3. */
static int sentinel_count(const struct ot_fields *o)
{
    if (o->kind == RF_KIND_REPLICATION)
        return o->scfg ? o->sentinels : -1;
    if (o->sentinels < 0 && !json_get(o->spec, "clusterSize"))
        return 3;
    return o->sentinels;
}

static void check_sentinel_quorum(struct rule_ctx *ctx)
{
    struct ot_fields o;
    const char *qs;
    long long q = OT_DEFAULT_QUORUM;
    int n;
    char ptr[64], hint[96];

    ot_fields_init(&o, rule_obj(ctx));
    n = sentinel_count(&o);
    if (n <= 0 || !setting(&o, "quorum", &qs) ||
        (qs && !ot_parse_int(qs, &q)))
        return;     /* not a number: sentinel-config-numbers says so */
    if (qs)
        snprintf(ptr, sizeof(ptr), "%s/quorum", o.scfg_ptr);
    else
        snprintf(ptr, sizeof(ptr), "%s", o.sentinels_ptr);
    snprintf(hint, sizeof(hint), "set %s.quorum to \"%d\", a majority of "
             "the sentinels", scfg_name(&o), n / 2 + 1);
    if (q > n)
        rule_report(ctx, RULE_STRONG, ptr, hint,
                    "quorum %lld%s is more than the %d sentinel%s: no "
                    "failover can ever be agreed on, so a dead master stays "
                    "dead", q, qs ? "" : " (the default)", n,
                    n == 1 ? "" : "s");
    else if (q <= n / 2)
        rule_report(ctx, RULE_STRONG, ptr, hint,
                    "quorum %lld%s is not a majority of %d sentinels: a "
                    "minority cut off from the master can declare it down "
                    "and start failovers", q, qs ? "" : " (the default)", n);
}

/* Does `f` (a RedisReplication entry) keep its password where `o` says
 * its redisReplicationPassword is? */
static bool same_secret(const struct cview_failover *f,
                        const struct ot_fields *o)
{
    const char *fk = f->ot ? f->ot->secret_key : NULL;

    return f->secret && o->repl_secret && !strcmp(f->secret, o->repl_secret) &&
           (fk && o->repl_key ? !strcmp(fk, o->repl_key) : fk == o->repl_key);
}

static void check_replication_ref(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const struct cview_failover *f;
    const cJSON *pw;
    struct ot_fields o;
    const char *ns = rule_ns(ctx), *name;
    size_t g;

    ot_fields_init(&o, rule_obj(ctx));
    if (!setting(&o, "redisReplicationName", &name) || !name)
        return;     /* absent: schema-required's */
    if (!*name) {
        rule_report(ctx, RULE_STRONG,
                    "/spec/redisSentinelConfig/redisReplicationName",
                    "name the RedisReplication these sentinels watch",
                    "redisSentinelConfig.redisReplicationName is empty: the "
                    "operator finds no master, so no sentinel pod starts");
        return;
    }
    if (!cv || !(cv = rj_view(ctx)))
        return;
    g = cview_self(cv, RF_KIND_REPLICATION, ns, name);
    if (g == CVIEW_END) {
        if (cv->complete)
            rule_report(ctx, RULE_STRONG,
                        "/spec/redisSentinelConfig/redisReplicationName",
                        "create the RedisReplication, in the same namespace, "
                        "before its sentinels",
                        "RedisReplication %s/%s does not exist: the operator "
                        "finds no master, so no sentinel pod starts", ns,
                        name);
        else
            rule_report(ctx, RULE_WEAK,
                        "/spec/redisSentinelConfig/redisReplicationName",
                        "lint the RedisReplication with its sentinels, or "
                        "make sure it exists in the same namespace",
                        "RedisReplication %s/%s is not among the linted "
                        "documents: the sentinels need it in their own "
                        "namespace", ns, name);
        return;
    }
    f = &cv->rfs[cview_class_first(cv, CVIEW_C_SELF, g)];
    pw = json_get(o.scfg, "redisReplicationPassword");
    if (pw && !cJSON_IsNull(pw) && !o.repl_secret)
        return;     /* another source (configMapKeyRef...): cannot tell */
    if (f->secret && !o.repl_secret)
        rule_report(ctx, RULE_STRONG, "/spec/redisSentinelConfig",
                    "set redisReplicationPassword.secretKeyRef to the "
                    "replication's kubernetesConfig.redisSecret",
                    "redisReplicationPassword is not set: RedisReplication "
                    "%s/%s has a password (Secret %s), so the sentinels "
                    "cannot log in to its redis and never see a master",
                    f->ns, f->name, f->secret);
    else if (f->secret && !same_secret(f, &o))
        rule_report(ctx, RULE_STRONG,
                    "/spec/redisSentinelConfig/redisReplicationPassword",
                    "use the replication's kubernetesConfig.redisSecret name "
                    "and key",
                    "redisReplicationPassword is not the password of "
                    "RedisReplication %s/%s: it names Secret %s, key %s, "
                    "and the replication uses Secret %s, key %s, so the "
                    "sentinels cannot log in to its redis",
                    f->ns, f->name, o.repl_secret,
                    o.repl_key ? o.repl_key : "(none)", f->secret,
                    f->ot && f->ot->secret_key ? f->ot->secret_key
                                               : "(none)");
    else if (!f->secret && o.repl_secret)
        rule_report(ctx, RULE_WEAK,
                    "/spec/redisSentinelConfig/redisReplicationPassword",
                    "remove redisReplicationPassword, or give the replication "
                    "a kubernetesConfig.redisSecret",
                    "redisReplicationPassword is set, but RedisReplication "
                    "%s/%s has no password: the sentinels send one that its "
                    "redis does not expect", f->ns, f->name);
}

/* The characters sentinel reads in a master name: the operator writes it
 * unquoted into `sentinel monitor <name> <ip> <port> <quorum>`. */
static bool master_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static void check_master_group_name(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    struct cview_hits h = {CVIEW_END, 0};
    const struct cview_failover *first;
    struct cview_key k;
    struct ot_fields o;
    const char *mg, *p;
    const char *ptr = "/spec/redisSentinelConfig/masterGroupName";

    ot_fields_init(&o, rule_obj(ctx));
    if (!setting(&o, "masterGroupName", &mg))
        return;
    if (mg) {
        for (p = mg; *p && master_char_ok(*p); p++)
            ;
        if (!*mg || *p) {
            rule_report(ctx, RULE_STRONG, ptr,
                        "use only letters, digits, '.', '_' and '-'",
                        "redisSentinelConfig.masterGroupName \"%s\" is %s: "
                        "the operator writes it unquoted into sentinel.conf, "
                        "and sentinel refuses the monitor line", mg,
                        *mg ? "not a plain word" : "empty");
            return;
        }
    }
    if (!cv || !(cv = rj_view(ctx)))
        return;
    memset(&k, 0, sizeof(k));
    k.master = o.master;
    cview_class_hits(cv, CVIEW_C_OT_MASTER,
                     cview_class_find(cv, CVIEW_C_OT_MASTER, &k),
                     rj_self(ctx), &h);
    if (h.first == CVIEW_END)
        return;
    first = &cv->rfs[h.first];
    rule_report(ctx, RULE_WEAK, mg ? ptr : "/spec/redisSentinelConfig",
                "give each RedisSentinel its own "
                "redisSentinelConfig.masterGroupName",
                "masterGroupName \"%s\"%s is also used by RedisSentinel "
                "%s/%s: sentinels find each other by master name, whatever "
                "the namespace%s%s%s",
                o.master, mg ? "" : " (the default)", first->ns, first->name,
                first->origin ? "; it is defined at " : "",
                first->origin ? first->origin : "",
                h.n > 1 ? "; more RedisSentinels use it too" : "");
}

/* A yes/no sentinel setting `k`: *v is its value ("no" when unset). */
static bool yes_no(struct rule_ctx *ctx, const struct ot_fields *o,
                   const char *k, const char **v)
{
    char ptr[80];

    if (!setting(o, k, v))
        return false;
    if (!*v) {
        *v = "no";
        return true;
    }
    if (!strcmp(*v, "yes") || !strcmp(*v, "no"))
        return true;
    snprintf(ptr, sizeof(ptr), "%s/%s", o->scfg_ptr, k);
    rule_report(ctx, RULE_STRONG, ptr, "write \"yes\" or \"no\"",
                "%s.%s \"%s\" is not yes or no: sentinel refuses the "
                "setting and does not start", scfg_name(o), k, *v);
    return false;
}

static void check_sentinel_hostnames(struct rule_ctx *ctx)
{
    struct ot_fields o;
    const char *r, *a;
    bool rok, aok;
    char ptr[80];

    ot_fields_init(&o, rule_obj(ctx));
    if (!o.scfg)
        return;
    rok = yes_no(ctx, &o, "resolveHostnames", &r);
    aok = yes_no(ctx, &o, "announceHostnames", &a);
    if (!rok || !aok || !strcmp(r, a))
        return;
    snprintf(ptr, sizeof(ptr), "%s/%s", o.scfg_ptr,
             !strcmp(r, "yes") ? "resolveHostnames" : "announceHostnames");
    rule_report(ctx, RULE_STRONG, ptr,
                "set resolveHostnames and announceHostnames both to \"yes\" "
                "or both to \"no\"",
                "resolveHostnames is %s but announceHostnames is %s: %s", r,
                a,
                !strcmp(r, "yes")
                    ? "sentinels announce pod IPs, which change with every "
                      "restart, while they monitor by hostname"
                    : "sentinels announce hostnames that other sentinels "
                      "cannot resolve");
}

static void check_host_port_unique(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    struct cview_hits h = {CVIEW_END, 0};
    const struct cview_failover *first;
    struct cview_key k;
    struct ot_fields o;

    ot_fields_init(&o, rule_obj(ctx));
    if (o.host_port <= 0 || !cv || !(cv = rj_view(ctx)))
        return;
    memset(&k, 0, sizeof(k));
    k.port = o.host_port;
    cview_class_hits(cv, CVIEW_C_HOSTPORT,
                     cview_class_find(cv, CVIEW_C_HOSTPORT, &k), rj_self(ctx),
                     &h);
    if (h.first == CVIEW_END)
        return;
    first = &cv->rfs[h.first];
    rule_report(ctx, RULE_STRONG, "/spec/hostPort",
                "pick a hostPort no other redis or sentinel uses",
                "hostPort %d is also taken by %s %s/%s%s: pods of both "
                "cannot run on one node, so some stay Pending%s%s%s",
                o.host_port, cview_kind_name(first), first->ns, first->name,
                first->ot ? "" : " (hostNetwork redis port)",
                first->origin ? "; it is defined at " : "",
                first->origin ? first->origin : "",
                h.n > 1 ? "; more objects use the port too" : "");
}

/* One numeric sentinel setting: its key, and the range it should be in
 * (max 0: none). */
struct ot_number {
    const char *key;
    long long min, max;
    const char *low, *high; /* what goes wrong below, above the range */
};

/* Check setting `d` of `o`; its value, or `def` when unset or not a
 * number, into *out. */
static void check_number(struct rule_ctx *ctx, const struct ot_fields *o,
                         const struct ot_number *d, long long def,
                         long long *out)
{
    const char *s;
    long long v;
    char ptr[80], hint[64];

    *out = def;
    if (!setting(o, d->key, &s) || !s)
        return;
    snprintf(ptr, sizeof(ptr), "%s/%s", o->scfg_ptr, d->key);
    if (!ot_parse_int(s, &v)) {
        rule_report(ctx, RULE_STRONG, ptr,
                    "write a plain decimal integer, in quotes",
                    "%s.%s \"%s\" is not a decimal integer: the operator "
                    "passes it to sentinel.conf as is, and sentinel refuses "
                    "to start", scfg_name(o), d->key, s);
        return;
    }
    *out = v;
    if (d->max && (v < d->min || v > d->max)) {
        snprintf(hint, sizeof(hint), "keep it within %lld..%lld", d->min,
                 d->max);
        rule_report(ctx, RULE_WEAK, ptr, hint,
                    "%s.%s is %lld, outside %lld..%lld: %s", scfg_name(o),
                    d->key, v, d->min, d->max, v < d->min ? d->low : d->high);
    } else if (v < d->min) {
        snprintf(hint, sizeof(hint), "set it to %lld or more", d->min);
        rule_report(ctx, RULE_WEAK, ptr, hint, "%s.%s is %lld, below %lld: %s",
                    scfg_name(o), d->key, v, d->min, d->low);
    }
}

static void check_sentinel_config_numbers(struct rule_ctx *ctx)
{
    static const struct ot_number down = {
        "downAfterMilliseconds", OT_DOWN_AFTER_MIN, OT_DOWN_AFTER_MAX,
        "a short pause or a slow disk is taken for a dead master and "
        "triggers a failover",
        "a dead master goes unnoticed for more than ten minutes"};
    static const struct ot_number fot = {
        "failoverTimeout", 0, OT_FAILOVER_TIMEOUT_MAX,
        "it is not a duration",
        "a stuck failover is retried only after more than an hour"};
    static const struct ot_number ps = {
        "parallelSyncs", 1, 0, "no replica is ever reconfigured to follow "
        "the new master", NULL};
    static const struct ot_number quorum = {
        "quorum", 1, 0, "sentinel refuses a quorum below 1", NULL};
    static const struct ot_number port = {
        "redisPort", 1, 65535, "it is not a TCP port", "it is not a TCP port"};
    struct ot_fields o;
    long long da, ft, x;
    const char *s;

    ot_fields_init(&o, rule_obj(ctx));
    if (!o.scfg)
        return;
    check_number(ctx, &o, &down, OT_DEFAULT_DOWN_AFTER, &da);
    check_number(ctx, &o, &fot, -1, &ft);
    check_number(ctx, &o, &ps, 1, &x);
    check_number(ctx, &o, &quorum, 1, &x);
    if (o.kind == RF_KIND_SENTINEL)
        check_number(ctx, &o, &port, 1, &x);
    /* set and a number, but shorter than the down-after time */
    if (ft >= 0 && ft < da && setting(&o, "failoverTimeout", &s) && s) {
        char ptr[80];

        snprintf(ptr, sizeof(ptr), "%s/failoverTimeout", o.scfg_ptr);
        rule_report(ctx, RULE_WEAK, ptr,
                    "make failoverTimeout at least downAfterMilliseconds "
                    "(the defaults are 10000 and 5000)",
                    "%s.failoverTimeout %lld is shorter than "
                    "downAfterMilliseconds %lld: failovers time out before "
                    "the master is even considered down", scfg_name(&o), ft,
                    da);
    }
}

void rule_ot_resources_set(struct rule_ctx *ctx)
{
    static const char *const parts[] = {"kubernetesConfig", "sentinel"};
    const cJSON *spec = json_get(rule_obj(ctx), "spec");
    size_t i;

    for (i = 0; i < 2; i++) {
        const cJSON *p = json_get(spec, parts[i]);
        const cJSON *res = json_get(p, "resources");
        const cJSON *req = json_get(res, "requests");
        bool cpu = json_get(req, "cpu") != NULL;
        bool mem = json_get(req, "memory") != NULL;
        char ptr[64];

        /* no embedded sentinel; or a type schema-type reports */
        if ((i == 1 && !cJSON_IsObject(p)) || rf_not_map(spec) ||
            rf_not_map(p) || rf_not_map(res) || rf_not_map(req) ||
            (cpu && mem))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/resources", parts[i]);
        rule_report(ctx, RULE_STRONG, ptr,
                    "set resources.requests.cpu and .memory",
                    "spec.%s.resources has no %s request: the scheduler "
                    "cannot place the pods sensibly and they are the first "
                    "to be evicted under pressure", parts[i],
                    !cpu && !mem ? "cpu or memory" : !cpu ? "cpu" : "memory");
    }
}

/* What the cluster rules look up: replication-ref the RedisReplication a
 * RedisSentinel names, host-port-unique a hostPort. With nothing to look
 * up, nothing is unverified while the view is stale. */
static bool view_replication(const struct rule_ctx *ctx)
{
    const char *s = json_str(json_get(json_get(rule_obj(ctx), "spec"),
                                      "redisSentinelConfig"),
                             "redisReplicationName");

    return s && *s;
}

static bool view_host_port(const struct rule_ctx *ctx)
{
    struct ot_fields o;

    ot_fields_init(&o, rule_obj(ctx));
    return o.host_port > 0;
}

/* The OpsTree rules, in catalogue order. */
static const struct rule_desc opstree_rules[] = {
    {
        .id = "sentinel-quorum",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_OPSTREE,
        .doc = "the sentinel quorum (CRD default \"2\") is a majority of "
            "the sentinels and no more than their number",
        .check = check_sentinel_quorum,
    },
    {
        .id = "replication-ref",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_SENTINEL,
        .flags = RULE_CLUSTER,
        .doc = "redisReplicationName names a RedisReplication of the same "
            "namespace, and redisReplicationPassword is its password",
        .check = check_replication_ref,
        .needs_view = view_replication,
    },
    {
        .id = "master-group-name",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_SENTINEL,
        .flags = RULE_CLUSTER,
        .doc = "masterGroupName uses only [A-Za-z0-9._-] (deny) and no other "
            "RedisSentinel uses it, in any namespace (warn)",
        .check = check_master_group_name,
    },
    {
        .id = "sentinel-hostnames",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_OPSTREE,
        .doc = "resolveHostnames and announceHostnames are \"yes\" or \"no\", "
            "and the same",
        .check = check_sentinel_hostnames,
    },
    {
        .id = "host-port-unique",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_OPSTREE,
        .flags = RULE_CLUSTER,
        .doc = "spec.hostPort is not taken by another OpsTree object or a "
            "hostNetwork RedisFailover's redis port",
        .check = check_host_port_unique,
        .needs_view = view_host_port,
    },
    {
        .id = "sentinel-config-numbers",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_OPSTREE_V026,
        .kinds = RF_KIND_OPSTREE,
        .doc = "sentinel timings, parallelSyncs, quorum and redisPort are "
            "decimal integers (deny) in a sane range (warn)",
        .check = check_sentinel_config_numbers,
    },
};

RULE_FAMILY(opstree, opstree_rules);
