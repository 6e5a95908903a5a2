/* SPDX-License-Identifier: Apache-2.0
 *
 * rf.c - the redis-operator's view of a RedisFailover: defaults it
 * applies at reconcile time (never persisted), generated object names,
 * and pod labels. Mirrors the operator's validate.go, names.go and
 * generator.go. Reads, never writes.
 */
#include "rf.h"

#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    enum rf_target t;
    const char *name;
} targets[] = {
    {RF_TARGET_SPOTAHOME_V12, "spotahome-v1.2"},
    {RF_TARGET_SPOTAHOME_V13, "spotahome-v1.3"},
    {RF_TARGET_FRESHWORKS_V33, "freshworks-v3.3"},
    {RF_TARGET_OPSTREE_V026, "opstree-v0.26"},
};

static const struct {
    enum rf_kind k;
    const char *name, *resource, *group, *api_version;
} kinds[] = {
    {RF_KIND_FAILOVER, RF_KIND, "redisfailovers", RF_GROUP, RF_API_VERSION},
    {RF_KIND_SENTINEL, OT_KIND_SENTINEL, "redissentinels", OT_GROUP,
     OT_API_VERSION},
    {RF_KIND_REPLICATION, OT_KIND_REPLICATION, "redisreplications",
     OT_GROUP, OT_API_VERSION},
};

enum rf_kind rf_kind_of(const cJSON *obj)
{
    const char *av = json_str(obj, "apiVersion");
    const char *kind = json_str(obj, "kind");
    size_t i;

    if (!av || !kind)
        return 0;
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strcmp(kind, kinds[i].name) &&
            !strcmp(av, kinds[i].api_version))
            return kinds[i].k;
    return 0;
}

#define KIND_FIELD(fn, field)                                           \
    const char *fn(enum rf_kind k)                                      \
    {                                                                   \
        size_t i;                                                       \
                                                                        \
        for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)          \
            if (kinds[i].k == k)                                        \
                return kinds[i].field;                                  \
        return NULL;                                                    \
    }
KIND_FIELD(rf_kind_name, name)
KIND_FIELD(rf_kind_resource, resource)
KIND_FIELD(rf_kind_group, group)
KIND_FIELD(rf_kind_api_version, api_version)
#undef KIND_FIELD

const char *rf_target_parse_error(const char *s)
{
    char one[64];

    while (s && *s) {
        size_t n = strcspn(s, ",");

        if (!n || n >= sizeof(one))
            return "unknown target";
        memcpy(one, s, n);
        one[n] = '\0';
        if (!rf_target_parse(one))
            return "unknown target";
        s += n;
        if (*s == ',' && !*++s)
            return "unknown target";
    }
    return NULL;
}

enum rf_target rf_target_pick(unsigned set, enum rf_kind k)
{
    unsigned fam = k == RF_KIND_FAILOVER ? RF_TARGET_RF : RF_TARGET_OT;

    if (set & fam)
        return (enum rf_target)(set & fam);
    return fam == RF_TARGET_RF ? RF_TARGET_DEFAULT : RF_TARGET_OT_DEFAULT;
}

unsigned rf_target_kinds(unsigned t)
{
    return ((t & RF_TARGET_RF) ? (unsigned)RF_KIND_FAILOVER : 0u) |
           ((t & RF_TARGET_OT) ? (unsigned)RF_KIND_OPSTREE : 0u);
}

void rf_target_format(char *buf, size_t len, unsigned set)
{
    size_t i, o = 0;

    if (len)
        buf[0] = '\0';
    for (i = 0; i < sizeof(targets) / sizeof(targets[0]) && o < len; i++)
        if (set & targets[i].t) {
            int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "",
                             targets[i].name);

            if (n < 0)
                return;
            o += (size_t)n;
        }
}

const char *rf_target_name(enum rf_target t)
{
    size_t i;

    for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
        if (targets[i].t == t)
            return targets[i].name;
    return NULL;
}

enum rf_target rf_target_parse(const char *s)
{
    unsigned set = 0;

    if (!s || !*s)
        return 0;
    while (*s) {
        size_t n = strcspn(s, ","), i;
        unsigned t = 0;

        for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
            if (strlen(targets[i].name) == n &&
                !strncmp(targets[i].name, s, n))
                t = targets[i].t;
        /* unknown, or a second target of the same operator */
        if (!t || (set & ((t & RF_TARGET_RF) ? RF_TARGET_RF : RF_TARGET_OT)))
            return 0;
        set |= t;
        s += n;
        if (*s == ',' && !*++s)
            return 0;
    }
    return (enum rf_target)set;
}

const char *rf_component_name(enum rf_component c)
{
    return c == RF_REDIS ? "redis" : "sentinel";
}

bool rf_is_failover(const cJSON *obj)
{
    const char *av = json_str(obj, "apiVersion");
    const char *kind = json_str(obj, "kind");

    return av && kind && !strcmp(av, RF_API_VERSION) &&
           !strcmp(kind, RF_KIND);
}

const char *rf_name(const cJSON *obj)
{
    return json_str(json_get(obj, "metadata"), "name");
}

const char *rf_namespace(const cJSON *obj, const char *fallback)
{
    const char *ns = json_str(json_get(obj, "metadata"), "namespace");

    return ns && *ns ? ns : fallback;
}

const cJSON *rf_component_spec(const cJSON *obj, enum rf_component c)
{
    const cJSON *v = json_get(json_get(obj, "spec"), rf_component_name(c));

    return cJSON_IsObject(v) ? v : NULL;
}

/* A positive count or port `v` capped to int, or `def`. */
static int positive_or(const cJSON *v, int def)
{
    if (!cJSON_IsNumber(v) || v->valuedouble <= 0)
        return def;
    if (v->valuedouble > 2147483647.0)
        return 2147483647;
    return (int)v->valuedouble;
}

int rf_replicas(const cJSON *obj, enum rf_component c)
{
    return positive_or(json_get(rf_component_spec(obj, c), "replicas"),
                       RF_DEFAULT_REPLICAS);
}

int rf_redis_port(const cJSON *obj)
{
    return positive_or(json_get(rf_component_spec(obj, RF_REDIS), "port"),
                       RF_DEFAULT_PORT);
}

/* Absent, null, or an integer the CRD's int32 format allows. */
static bool int32_or_absent(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return true;
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
           v->valuedouble >= -2147483648.0 && v->valuedouble <= 2147483647.0;
}

bool rf_replicas_valid(const cJSON *obj, enum rf_component c)
{
    return int32_or_absent(json_get(rf_component_spec(obj, c), "replicas"));
}

bool rf_redis_port_valid(const cJSON *obj)
{
    return int32_or_absent(json_get(rf_component_spec(obj, RF_REDIS), "port"));
}

const cJSON *rf_list(const cJSON *o, const char *k)
{
    const cJSON *v = json_get(o, k);

    return v && (v->type & 0xFF) == cJSON_Array ? v : NULL;
}

const cJSON *rf_map(const cJSON *o, const char *k)
{
    const cJSON *v = json_get(o, k);

    return v && (v->type & 0xFF) == cJSON_Object ? v : NULL;
}

const cJSON *rf_strings(const cJSON *o, const char *k)
{
    const cJSON *v = rf_list(o, k), *e;

    cJSON_ArrayForEach(e, v)
        if ((e->type & 0xFF) != cJSON_String)
            return NULL;
    return v;
}

/* Type tests without a call into cJSON: rules make them on every
 * field they read. */
static inline bool is_type(const cJSON *v, int type)
{
    return (v->type & 0xFF) == type;
}

bool rf_not_map(const cJSON *v)
{
    return v && !is_type(v, cJSON_NULL) && !is_type(v, cJSON_Object);
}

bool rf_not_list(const cJSON *v)
{
    return v && !is_type(v, cJSON_NULL) && !is_type(v, cJSON_Array);
}

bool rf_not_string(const cJSON *v)
{
    return v && !is_type(v, cJSON_NULL) && !is_type(v, cJSON_String);
}

bool rf_not_bool(const cJSON *v)
{
    return v && !cJSON_IsNull(v) && !cJSON_IsBool(v);
}

bool rf_selector_typed(const cJSON *sel)
{
    const cJSON *ml = json_get(sel, "matchLabels");
    const cJSON *me = json_get(sel, "matchExpressions"), *e;

    if (!sel || cJSON_IsNull(sel))
        return true;
    if (!cJSON_IsObject(sel) || rf_not_map(ml) || rf_not_list(me))
        return false;
    cJSON_ArrayForEach(e, ml)
        if (!cJSON_IsString(e))
            return false;
    cJSON_ArrayForEach(e, me) {
        const cJSON *vals = json_get(e, "values");

        if (!cJSON_IsObject(e) || rf_not_string(json_get(e, "key")) ||
            rf_not_string(json_get(e, "operator")) || rf_not_list(vals) ||
            (vals && !cJSON_IsNull(vals) && !rf_strings(e, "values")))
            return false;
    }
    return true;
}

const char *rf_secret_path(const cJSON *obj)
{
    const char *s = json_str(json_get(json_get(obj, "spec"), "auth"), "secretPath");

    return s && *s ? s : NULL;
}

void rf_fields_init(struct rf_fields *f, const cJSON *obj)
{
    const cJSON *spec = json_get(obj, "spec");
    const char *sp = json_str(json_get(spec, "auth"), "secretPath");
    const cJSON *port;
    int c;

    f->obj = obj;
    for (c = RF_REDIS; c <= RF_SENTINEL; c++) {
        const cJSON *v = json_get(spec, rf_component_name(c));

        f->spec[c] = cJSON_IsObject(v) ? v : NULL;
        f->typed[c] = !rf_not_map(spec) && !rf_not_map(v);
        v = json_get(f->spec[c], "replicas");
        f->replicas[c] = positive_or(v, RF_DEFAULT_REPLICAS);
        f->replicas_valid[c] = int32_or_absent(v);
        f->custom_config[c] = rf_strings(f->spec[c], "customConfig");
    }
    f->name = rf_name(obj);
    f->secret_path = sp && *sp ? sp : NULL;
    port = json_get(f->spec[RF_REDIS], "port");
    f->redis_port = positive_or(port, RF_DEFAULT_PORT);
    f->redis_port_valid = int32_or_absent(port);
    f->host_network =
        cJSON_IsTrue(json_get(f->spec[RF_REDIS], "hostNetwork")) ||
        cJSON_IsTrue(json_get(f->spec[RF_SENTINEL], "hostNetwork"));
}

bool rf_disable_mymaster(const cJSON *obj)
{
    return cJSON_IsTrue(
        json_get(rf_component_spec(obj, RF_SENTINEL), "disableMyMaster"));
}

const char *rf_master_name(const cJSON *obj, enum rf_target t)
{
    const char *n = rf_name(obj);

    if (t == RF_TARGET_FRESHWORKS_V33 && rf_disable_mymaster(obj) && n)
        return n;
    return RF_DEFAULT_MASTER_NAME;
}

bool rf_host_network(const cJSON *obj)
{
    return cJSON_IsTrue(json_get(rf_component_spec(obj, RF_REDIS),
                            "hostNetwork")) ||
           cJSON_IsTrue(json_get(rf_component_spec(obj, RF_SENTINEL),
                            "hostNetwork"));
}

const char *const rf_default_sentinel_config[] = {
    "down-after-milliseconds 5000",
    "failover-timeout 10000",
};
const size_t rf_default_sentinel_config_len = 2;

int rf_object_name(char *buf, size_t len, enum rf_object o, const char *rf)
{
    static const char *const prefix[] = {
        [RF_OBJ_REDIS] = "rfr-",
        [RF_OBJ_SENTINEL] = "rfs-",
        [RF_OBJ_SHUTDOWN_CM] = "rfr-s-",
        [RF_OBJ_READINESS_CM] = "rfr-readiness-",
        [RF_OBJ_MASTER_SVC] = "rfrm-",
        [RF_OBJ_SLAVE_SVC] = "rfrs-",
    };

    return snprintf(buf, len, "%s%s", prefix[o], rf ? rf : "");
}

/* Set key=value in `labels`, replacing an existing value. */
static bool set_label(cJSON *labels, const char *k, const char *v)
{
    cJSON *s = cJSON_CreateString(v);

    if (!s)
        return false;
    if (cJSON_GetObjectItemCaseSensitive(labels, k))
        return cJSON_ReplaceItemInObjectCaseSensitive(labels, k, s);
    if (!cJSON_AddItemToObject(labels, k, s)) {
        cJSON_Delete(s);
        return false;
    }
    return true;
}

/* Append key=value to `labels` without looking for an existing key. */
static bool add_label(cJSON *labels, const char *k, const char *v)
{
    cJSON *s = cJSON_CreateString(v);

    if (!s || !cJSON_AddItemToObject(labels, k, s)) {
        cJSON_Delete(s);
        return false;
    }
    return true;
}

/* Order by key, then by position. */
static int cmp_plabel(const void *pa, const void *pb)
{
    const struct rf_label *a = pa, *b = pb;
    int c = strcmp(a->k, b->k);

    if (c)
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Keep only the last entry of each key of v[0..n), in order, as a Go map
 * merge does; the new count, or (size_t)-1 without memory. A few labels
 * are compared pairwise; many are sorted, in O(n log n): an object may
 * carry tens of thousands of labels. */
static size_t keep_last(struct rf_label *v, size_t n)
{
    struct rf_label *s;
    size_t i, j, o = 0;

    for (i = 0; i < n; i++)
        v[i].idx = i;
    if (n <= 32) {
        for (i = 0; i < n; i++) {
            for (j = i + 1; j < n && !json_streq(v[i].k, v[j].k); j++)
                ;
            if (j == n)
                v[o++] = v[i];
        }
        return o;
    }
    s = malloc(n * sizeof(*s));
    if (!s)
        return (size_t)-1;
    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_plabel);
    for (i = 0; i + 1 < n; i++)
        if (!strcmp(s[i].k, s[i + 1].k))
            v[s[i].idx].k = NULL;   /* a later one has the key */
    free(s);
    for (i = 0; i < n; i++)
        if (v[i].k)
            v[o++] = v[i];
    return o;
}

/* Set k=v among v[0..*n), replacing an existing value in its place. */
static void put_plabel(struct rf_label *v, size_t *n, const char *k,
                       const char *val)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (json_streq(v[i].k, k)) {
            v[i].v = val;
            return;
        }
    }
    v[*n].k = k;
    v[*n].v = val;
    (*n)++;
}

cJSON *rf_selector_labels(const char *rf, enum rf_component c)
{
    cJSON *l = cJSON_CreateObject();

    if (!l || !set_label(l, RF_LABEL_PART_OF, RF_PART_OF) ||
        !set_label(l, RF_LABEL_COMPONENT, rf_component_name(c)) ||
        !set_label(l, RF_LABEL_NAME, rf ? rf : "")) {
        cJSON_Delete(l);
        return NULL;
    }
    return l;
}

struct rf_label *rf_pod_label_list(const cJSON *obj, enum rf_component c,
                                   struct rf_label *small, size_t nsmall,
                                   size_t *n)
{
    const char *name = rf_name(obj);
    const cJSON *md_labels = json_get(json_get(obj, "metadata"), "labels");
    const cJSON *l;
    struct rf_label *v = small;
    size_t cnt = 5;

    *n = 0;
    if (!name)
        name = "";
    cJSON_ArrayForEach(l, md_labels) {
        cnt++;
    }
    if (cnt > nsmall && !(v = malloc(cnt * sizeof(*v))))
        return NULL;
    /* handler.go: operator labels first, RF labels merged over them. */
    cnt = 0;
    v[cnt].k = RF_LABEL_MANAGED_BY;
    v[cnt++].v = "redis-operator";
    v[cnt].k = RF_LABEL_RF_NAME;
    v[cnt++].v = name;
    cJSON_ArrayForEach(l, md_labels) {
        if (cJSON_IsString(l) && l->string) {
            v[cnt].k = l->string;
            v[cnt++].v = l->valuestring;
        }
    }
    cnt = keep_last(v, cnt);
    if (cnt == (size_t)-1) {
        if (v != small)
            free(v);
        return NULL;
    }
    /* generator.go: selector labels merged last, so they always win. */
    put_plabel(v, &cnt, RF_LABEL_NAME, name);
    put_plabel(v, &cnt, RF_LABEL_COMPONENT, rf_component_name(c));
    put_plabel(v, &cnt, RF_LABEL_PART_OF, RF_PART_OF);
    *n = cnt;
    return v;
}

const char *rf_label_get(const struct rf_label *v, size_t n, const char *k)
{
    size_t i;

    /* keys are unique: a key that is the very pointer asked for is the
     * match, found without a compare */
    for (i = 0; i < n; i++)
        if (v[i].k == k)
            return v[i].v;
    for (i = 0; i < n; i++)
        if (json_streq(v[i].k, k))
            return v[i].v;
    return NULL;
}

cJSON *rf_pod_labels(const cJSON *obj, enum rf_component c)
{
    struct rf_label small[16], *v;
    size_t n, i;
    cJSON *out;

    v = rf_pod_label_list(obj, c, small, sizeof(small) / sizeof(small[0]),
                          &n);
    if (!v)
        return NULL;
    out = cJSON_CreateObject();
    for (i = 0; out && i < n; i++) {
        if (!add_label(out, v[i].k, v[i].v)) {
            cJSON_Delete(out);
            out = NULL;
        }
    }
    if (v != small)
        free(v);
    return out;
}

/* Deep-copy `src` under `key` into `dst`, telling `fn` of every node;
 * leave out src's members named `skip` (NULL: none). */
static bool copy_tree(cJSON *dst, const char *key, const cJSON *src,
                      const char *skip, rf_copy_fn fn, void *arg)
{
    cJSON *c = cJSON_Duplicate(src, 0);
    const cJSON *s;

    if (!c)
        return false;
    if (fn)
        fn(arg, src, c);
    cJSON_ArrayForEach(s, src) {
        if (skip && s->string && !strcmp(s->string, skip))
            continue;
        if (!copy_tree(c, s->string, s, NULL, fn, arg)) {
            cJSON_Delete(c);
            return false;
        }
    }
    /* cJSON_Duplicate copied src's name, which is `key`: keep that copy
     * rather than make another (an arena never frees the first) */
    if (cJSON_IsArray(dst) ||
        (c->string && !(c->type & cJSON_StringIsConst) &&
         !strcmp(c->string, key))
            ? !cJSON_AddItemToArray(dst, c)
            : !cJSON_AddItemToObject(dst, key, c)) {
        cJSON_Delete(c);
        return false;
    }
    return true;
}

/* Copy the members of `src` named in `keys`. Of metadata, leave out
 * managedFields: the API server's bookkeeping, often as large as the
 * spec, and read by no rule. */
static cJSON *pick(const cJSON *src, const char *const *keys, rf_copy_fn fn,
                   void *arg)
{
    cJSON *o = cJSON_CreateObject();
    size_t i;

    if (!o)
        return NULL;
    if (fn)
        fn(arg, src, o);
    for (i = 0; keys[i]; i++) {
        const cJSON *v = json_get(src, keys[i]);

        if (v && !copy_tree(o, keys[i], v,
                            strcmp(keys[i], "metadata") ? NULL
                                                        : RF_SKELETON_SKIP,
                            fn, arg)) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

const char *const rf_skeleton_words[] = {
    "apiVersion", "kind", "metadata", "name", "namespace", "labels",
    "annotations", "spec", "auth", "secretPath", "bootstrapNode", "host",
    "port", "allowSentinels", "redis", "sentinel", "replicas", "hostNetwork",
    "disableMyMaster", RF_GROUP "/v1", RF_KIND, "app",
    "app.kubernetes.io/name", "app.kubernetes.io/component",
    "app.kubernetes.io/part-of", "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by", "creationTimestamp", "uid",
    "resourceVersion", "generation", "rfguard.io/skip",
    "rfguard.io/skip-reason", "rfguard.io/sentinel-network-policy",
    "rfguard.io/identity", NULL
};

const char *const rf_skeleton_top[] = {"apiVersion", "kind", "metadata",
                                       NULL};
const char *const rf_skeleton_spec[] = {"auth", "bootstrapNode", NULL};
const char *const rf_skeleton_comp[] = {"replicas", "port", "hostNetwork",
                                        "disableMyMaster", NULL};

const char *const rf_skeleton_ot[] = {"apiVersion", "kind", "metadata",
                                      "spec", NULL};

cJSON *rf_skeleton(const cJSON *obj, rf_copy_fn on_copy, void *arg)
{
    const char *const *top = rf_kind_of(obj) & RF_KIND_OPSTREE
                                 ? rf_skeleton_ot
                                 : rf_skeleton_top;
    const char *const *spec_keys = rf_skeleton_spec;
    const char *const *comp_keys = rf_skeleton_comp;
    const cJSON *spec = json_get(obj, "spec");
    cJSON *sk = pick(obj, top, on_copy, arg), *sp = NULL, *c;
    int i;

    if (!sk)
        return NULL;
    if (top == rf_skeleton_ot)
        return sk;
    if (cJSON_IsObject(spec)) {
        sp = pick(spec, spec_keys, on_copy, arg);
        if (!sp || !cJSON_AddItemToObject(sk, "spec", sp))
            goto fail;
        for (i = RF_REDIS; i <= RF_SENTINEL; i++) {
            const cJSON *cs = json_get(spec, rf_component_name(i));

            if (!cJSON_IsObject(cs))
                continue;
            c = pick(cs, comp_keys, on_copy, arg);
            if (!c || !cJSON_AddItemToObject(sp, rf_component_name(i), c)) {
                cJSON_Delete(c);
                sp = NULL; /* attached: goes with sk */
                goto fail;
            }
        }
    }
    return sk;
fail:
    cJSON_Delete(sp);
    cJSON_Delete(sk);
    return NULL;
}
