/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_images.c - images and resources. Every image of the pods is a
 * well-formed reference; unpinned images follow the operator's defaults,
 * which change with its version, so an operator upgrade re-rolls every
 * such failover at once; the operator's redis.conf needs Redis 6 (ACL
 * user line, liveness with --user) in the redis pods only; the
 * Freshworks fork refuses to create a StatefulSet whose maxmemory leaves
 * less than reservedPodMemoryPercent of the pod's memory free.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rule_opstree.h"
#include "rules_impl.h"

#define S_REDIS_IMAGE "redis:6.2.6-alpine"
#define F_REDIS_IMAGE "redis:7.2.4-alpine"
#define F_VALKEY_IMAGE "valkey/valkey:7.2.11-alpine"

static bool valkey(const cJSON *obj)
{
    const char *e = json_str(json_get(obj, "spec"), "engine");

    return e && !strcmp(e, "Valkey");
}

/* The image the operator uses when none is given. */
static const char *default_image(struct rule_ctx *ctx, const cJSON *obj)
{
    if (rule_target(ctx) != RF_TARGET_FRESHWORKS_V33)
        return S_REDIS_IMAGE;
    return valkey(obj) ? F_VALKEY_IMAGE : F_REDIS_IMAGE;
}

/* The tag of `image` ("" when none), or NULL for a digest. */
static const char *image_tag(const char *image)
{
    const char *slash = strrchr(image, '/');
    const char *colon = strrchr(image, ':');

    if (strchr(image, '@'))
        return NULL;
    if (!colon || (slash && colon < slash))
        return "";
    return colon + 1;
}

/* Image reference grammar (the one the kubelet's container runtime
 * parses): [host[:port]/]path[:tag][@algo:hex]. Each check writes what is
 * wrong into `why` and returns false. */

static bool ref_alnum_lower(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A host: dot-separated labels of letters, digits and inner '-', or a
 * bracketed IPv6 address; then an optional :port of digits. */
static bool ref_domain(const char *d, size_t n, char *why, size_t wn)
{
    size_t i = 0, hend = n, lab = 0;
    const char *colon = NULL;

    if (n && d[0] == '[') {
        const char *rb = memchr(d, ']', n);

        if (!rb || rb == d + 1) {
            snprintf(why, wn, "registry host \"%.*s\" is not a valid "
                     "bracketed IPv6 address", (int)n, d);
            return false;
        }
        for (i = 1; d + i < rb; i++)
            if (!isxdigit((unsigned char)d[i]) && d[i] != ':' &&
                d[i] != '.') {
                snprintf(why, wn, "registry host \"%.*s\" is not a valid "
                         "bracketed IPv6 address", (int)(rb - d + 1), d);
                return false;
            }
        hend = (size_t)(rb - d) + 1;
        if (hend < n && d[hend] != ':') {
            snprintf(why, wn, "registry \"%.*s\" has text after the IPv6 "
                     "address that is not a :port", (int)n, d);
            return false;
        }
        colon = hend < n ? d + hend : NULL;
    } else {
        colon = memchr(d, ':', n);
        hend = colon ? (size_t)(colon - d) : n;
        for (i = 0; i <= hend; i++) {
            if (i < hend && d[i] != '.') {
                if (!isalnum((unsigned char)d[i]) && d[i] != '-')
                    break;
                lab++;
                continue;
            }
            if (!lab || d[i - 1] == '-' || d[i - lab] == '-')
                break;
            lab = 0;
        }
        if (i <= hend) {
            snprintf(why, wn, "registry host \"%.*s\" is not a host name",
                     (int)hend, d);
            return false;
        }
    }
    if (colon) {
        size_t plen = n - (size_t)(colon - d) - 1;

        for (i = 0; i < plen; i++)
            if (!isdigit((unsigned char)colon[1 + i]))
                break;
        if (!plen || i < plen) {
            snprintf(why, wn, "registry port \"%.*s\" is not a number",
                     (int)plen, colon + 1);
            return false;
        }
    }
    return true;
}

/* A repository path: '/'-separated components of a-z and 0-9, joined
 * inside a component by one '.', one '_', two '_' or any number of '-'. */
static bool ref_path(const char *p, size_t n, char *why, size_t wn)
{
    size_t i = 0, start = 0;

    for (i = 0; i <= n; i++) {
        size_t len, j, k;
        const char *c = p + start;

        if (i < n && p[i] != '/')
            continue;
        len = i - start;
        if (!len) {
            snprintf(why, wn, "the repository path \"%.*s\" has an empty "
                     "component (a leading, trailing or double '/')",
                     (int)n, p);
            return false;
        }
        for (j = 0; j < len; j++)
            if (!isalnum((unsigned char)c[j]) && !strchr("._-", c[j]))
                break;
        for (k = 0; j == len && k < len; k++)
            if (isupper((unsigned char)c[k])) {
                snprintf(why, wn, "the repository path \"%.*s\" must be "
                         "lowercase", (int)n, p);
                return false;
            }
        for (j = 0; j < len; j++) {
            k = j;
            if (ref_alnum_lower(c[j]))
                continue;
            if (j == 0)
                break;
            if (c[j] == '-')
                while (k < len && c[k] == '-')
                    k++;
            else if (c[j] == '_' && j + 1 < len && c[j + 1] == '_')
                k = j + 2;
            else if (c[j] == '_' || c[j] == '.')
                k = j + 1;
            else
                break;
            if (k >= len || !ref_alnum_lower(c[k]))
                break;
            j = k;
        }
        if (j < len) {
            snprintf(why, wn, "path part \"%.*s\" is not a-z0-9 joined by "
                     "'.', '_', '__' or '-'", (int)len, c);
            return false;
        }
        start = i + 1;
    }
    return true;
}

static bool ref_tag(const char *t, size_t n, char *why, size_t wn)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)t[i]) && t[i] != '_' &&
            (i == 0 || (t[i] != '.' && t[i] != '-')))
            break;
    if (!n || i < n || n > 128) {
        snprintf(why, wn, "tag \"%.*s\" is not 1-128 of A-Za-z0-9_.- "
                 "starting with no '.' or '-'", (int)n, t);
        return false;
    }
    return true;
}

/* algo:hex; the known algorithms need their exact length of lowercase
 * hex, as the runtime checks the digest before pulling. */
static bool ref_digest(const char *d, char *why, size_t wn)
{
    static const struct {
        const char *algo;
        size_t hex;
    } known[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
    const char *colon = strchr(d, ':'), *h;
    size_t i, alen, hlen;

    if (!colon || colon == d) {
        snprintf(why, wn, "the digest \"%s\" is not ALGORITHM:HEX, such as "
                 "sha256:<64 hex digits>", d);
        return false;
    }
    alen = (size_t)(colon - d);
    h = colon + 1;
    hlen = strlen(h);
    for (i = 0; i < hlen; i++)
        if (!isdigit((unsigned char)h[i]) && (h[i] < 'a' || h[i] > 'f'))
            break;
    if (i < hlen || hlen < 32) {
        snprintf(why, wn, "digest \"%s\" needs 32 or more lowercase hex "
                 "digits", d);
        return false;
    }
    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strlen(known[i].algo) == alen &&
            !strncmp(d, known[i].algo, alen) && hlen != known[i].hex) {
            snprintf(why, wn, "the digest has %zu hex digits, and %s "
                     "needs %zu", hlen, known[i].algo, known[i].hex);
            return false;
        }
    return true;
}

/* Whether `img` is a well-formed image reference; if not, `why` says
 * what is wrong. The first path component is a registry host when it
 * holds a '.' or ':', is "localhost" or has an uppercase letter, as the
 * runtime splits it. */
static bool image_ref_valid(const char *img, char *why, size_t wn)
{
    const char *at = strchr(img, '@'), *slash, *colon, *path = img;
    size_t n = at ? (size_t)(at - img) : strlen(img), i;

    for (i = 0; img[i]; i++)
        if (isspace((unsigned char)img[i]) || !isprint((unsigned char)img[i])) {
            snprintf(why, wn, "it holds a space, a control or a non-ASCII "
                     "character");
            return false;
        }
    if (at && strchr(at + 1, '@')) {
        snprintf(why, wn, "it has more than one '@'");
        return false;
    }
    if (at && !ref_digest(at + 1, why, wn))
        return false;
    slash = memchr(img, '/', n);
    if (slash) {
        size_t dn = (size_t)(slash - img);
        bool dom = !strncmp(img, "localhost", dn) && dn == 9;

        for (i = 0; i < dn && !dom; i++)
            dom = img[i] == '.' || img[i] == ':' ||
                  isupper((unsigned char)img[i]);
        if (dom) {
            if (!ref_domain(img, dn, why, wn))
                return false;
            path = slash + 1;
            n -= dn + 1;
        }
    }
    colon = memchr(path, ':', n);
    if (colon && (slash = memchr(colon, '/', n - (size_t)(colon - path)))) {
        snprintf(why, wn, "a ':' may only mark the port of the registry "
                 "or the tag after the last '/'");
        return false;
    }
    if (colon && !ref_tag(colon + 1, n - (size_t)(colon - path) - 1, why,
                          wn))
        return false;
    return ref_path(path, colon ? (size_t)(colon - path) : n, why, wn);
}

/* An image of the pods: where it is, spec.<c>[.<key>[<i>]].image, is
 * spelled out (im_names) only when a finding names it. */
struct image_ref {
    const char *c;   /* the component's name */
    const char *key; /* "exporter", a container list, or NULL */
    size_t i;        /* the index in the container list */
    const cJSON *val;
    bool fixable;   /* the operator has a default for it */
    bool container; /* an init or extra container: no default at all */
    bool ot;        /* an OpsTree object's: spec.<c>.image, or
                       spec.<key>[<i>].image */
};

/* The JSON pointer and the dotted name of image `r`. */
static void im_names(const struct image_ref *r, char ptr[80], char what[80])
{
    if (r->ot && r->key) {
        snprintf(ptr, 80, "/spec/%s/%zu/image", r->key, r->i);
        snprintf(what, 80, "spec.%s[%zu].image", r->key, r->i);
    } else if (r->container && !r->ot) {
        snprintf(ptr, 80, "/spec/%s/%s/%zu/image", r->c, r->key, r->i);
        snprintf(what, 80, "spec.%s.%s[%zu].image", r->c, r->key, r->i);
    } else if (r->key) {
        snprintf(ptr, 80, "/spec/%s/%s/image", r->c, r->key);
        snprintf(what, 80, "spec.%s.%s.image", r->c, r->key);
    } else {
        snprintf(ptr, 80, "/spec/%s/image", r->c);
        snprintf(what, 80, "spec.%s.image", r->c);
    }
}

#define IMAGES_MAX 64

/* Append the images of the containers in `list` (spec.<c>.<key>). */
static size_t container_images(const cJSON *list, const char *c,
                               const char *key, struct image_ref *out,
                               size_t n)
{
    const cJSON *e;
    size_t i = 0;

    if (!cJSON_IsArray(list))
        return n;
    cJSON_ArrayForEach(e, list) {
        /* keep two slots for the sentinel image and exporter; beyond
           some 60 containers the rest go unchecked */
        if (n + 2 < IMAGES_MAX && cJSON_IsObject(e)) {
            out[n].c = c;
            out[n].key = key;
            out[n].i = i;
            out[n].val = json_get(e, "image");
            out[n].fixable = false;
            out[n].container = true;
            n++;
        }
        i++;
    }
    return n;
}

/* The images of OpsTree object `obj`: kubernetesConfig (the redis or
 * the sentinel image), a RedisReplication's embedded sentinel, the
 * exporter and init container when enabled, the sidecars. All are
 * required where they appear (the operator has no default): an unset
 * one is schema-required's, so only those set are listed. */
static size_t ot_images(const cJSON *obj, struct image_ref out[IMAGES_MAX])
{
    static const char *const parts[] = {"kubernetesConfig", "sentinel",
                                        "redisExporter", "initContainer"};
    const cJSON *spec = json_get(obj, "spec"), *e;
    size_t i, n = 0;

    for (i = 0; i < 4; i++) {
        const cJSON *p = json_get(spec, parts[i]);

        if (!json_get(p, "image") || (i >= 2 &&
                                      !cJSON_IsTrue(json_get(p, "enabled"))))
            continue;
        out[n].c = parts[i];
        out[n].val = json_get(p, "image");
        out[n].container = out[n].ot = true;
        n++;
    }
    i = 0;
    cJSON_ArrayForEach(e, rf_list(spec, "sidecars")) {
        if (n < IMAGES_MAX && json_get(e, "image")) {
            out[n].key = "sidecars";
            out[n].i = i;
            out[n].val = json_get(e, "image");
            out[n].container = out[n].ot = true;
            n++;
        }
        i++;
    }
    return n;
}

/* Every image of the pods: redis and sentinel, their enabled exporters,
 * init containers and extra containers; none of a component whose spec
 * has the wrong type (rule_comp_typed: a string or list there is
 * schema-type's to report, and the rules here then stay silent rather
 * than report its fields as not set). */
static size_t images(const struct rule_ctx *ctx, const cJSON *obj,
                     struct image_ref out[IMAGES_MAX])
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i, n = 0;

    memset(out, 0, IMAGES_MAX * sizeof(*out));
    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return ot_images(obj, out);
    for (i = 0; i < 2; i++) {
        const cJSON *sp, *ex;
        const char *c = rf_component_name(comps[i]);

        if (!rule_comp_typed(ctx, obj, comps[i]))
            continue;
        sp = rule_spec_of(ctx, obj, comps[i]);
        ex = json_get(sp, "exporter");
        out[n].c = c;
        out[n].key = NULL;
        out[n].i = 0;
        out[n].val = json_get(sp, "image");
        out[n].container = false;
        out[n++].fixable = true;
        if (cJSON_IsTrue(json_get(ex, "enabled"))) {
            out[n].c = c;
            out[n].key = "exporter";
            out[n].i = 0;
            out[n].val = json_get(ex, "image");
            out[n].container = false;
            out[n++].fixable = false;
        }
        n = container_images(json_get(sp, "initContainers"), c,
                             "initContainers", out, n);
        n = container_images(json_get(sp, "extraContainers"), c,
                             "extraContainers", out, n);
    }
    return n;
}

static void check_image_pinned(struct rule_ctx *ctx)
{
    struct image_ref im[IMAGES_MAX];
    size_t i, n = images(ctx, rule_obj(ctx), im);

    for (i = 0; i < n; i++) {
        const char *tag;
        char why[256], ptr[80], what[80];

        if (im[i].val && !cJSON_IsString(im[i].val))
            continue;   /* a wrong type: the schema rules say so */
        if (!im[i].val || !*im[i].val->valuestring) {
            im_names(&im[i], ptr, what);
            if (im[i].container)
                rule_report(ctx, RULE_STRONG, ptr,
                            "set the container's image with a version tag",
                            "%s is not set: a container needs an image, so "
                            "its pods cannot be created", what);
            else
                rule_report(ctx, RULE_WEAK, ptr,
                            im[i].fixable ? "pin the image the operator uses "
                                            "today ('rfguard fix' adds it)"
                                          : "set the image with a version tag",
                            "%s is not set: the operator's default changes "
                            "with its version, so an operator upgrade "
                            "re-rolls every such failover at once",
                            what);
            continue;
        }
        if (!image_ref_valid(im[i].val->valuestring, why, sizeof(why))) {
            im_names(&im[i], ptr, what);
            rule_report(ctx, RULE_STRONG, ptr,
                        "write the image as [registry[:port]/]path[:tag]"
                        "[@sha256:digest]",
                        "%s is not a valid image reference: in \"%s\", %s; "
                        "the pods cannot pull it", what,
                        im[i].val->valuestring, why);
            continue;
        }
        tag = image_tag(im[i].val->valuestring);
        if (!tag || (*tag && strcmp(tag, "latest")))
            continue;
        im_names(&im[i], ptr, what);
        rule_report(ctx, RULE_STRONG, ptr, "use a version tag or a digest",
                    "%s \"%s\" %s: every pod restart may pull a different "
                    "version, and pull policy defaults to Always", what,
                    im[i].val->valuestring,
                    *tag ? "uses :latest" : "has no tag");
    }
}

static int fix_image_pinned(struct rule_ctx *ctx, const cJSON *work)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;
    int rc = RFG_OK;

    if (rule_kind(ctx) != RF_KIND_FAILOVER)
        return RFG_OK;  /* OpsTree images have no operator default */
    for (i = 0; i < 2 && !rc; i++) {
        const char *keys[3] = {"spec", rf_component_name(comps[i]), "image"};
        const cJSON *v = json_get(rf_component_spec(work, comps[i]), "image");

        if (cJSON_IsString(v) && *v->valuestring)
            continue;
        if (v || !rule_comp_typed(ctx, work, comps[i]))
            continue;   /* an explicit "" or non-string: leave it to the
                           user and the schema rules */
        rc = rule_fix_add_nested(ctx, keys, 3,
                           cJSON_CreateString(default_image(ctx, work)));
    }
    return rc;
}

/* Major version from a tag like "6.2.6-alpine", "7", "v7.0"; -1 if none. */
static long tag_major(const char *tag)
{
    char *end;
    long v;

    if (*tag == 'v')
        tag++;
    if (!isdigit((unsigned char)*tag))
        return -1;
    v = strtol(tag, &end, 10);
    return end != tag ? v : -1;
}

/* Only the redis pods need Redis 6: the ACL user line is in redis.conf
 * and the --user liveness probe runs there. The operator's sentinel.conf
 * and sentinel probes use nothing newer, so the sentinel image is not
 * checked. */
static void check_image_redis_min(struct rule_ctx *ctx)
{
    const char *img = json_str(rule_spec(ctx, RF_REDIS), "image");
    const char *tag = img ? image_tag(img) : NULL;
    long major = tag ? tag_major(tag) : -1;

    if (valkey(rule_obj(ctx)) || major < 0 || major >= 6 ||
        strstr(img, "valkey"))
        return;
    rule_report(ctx, RULE_STRONG, "/spec/redis/image", "use Redis 6 or later",
                "spec.redis.image \"%s\" is Redis %ld: the operator's "
                "redis.conf has an ACL user line and the redis liveness probe "
                "uses --user, which need Redis 6", img, major);
}

static void check_engine_image(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    bool vk = valkey(rule_obj(ctx));
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *img = json_str(rule_spec(ctx, comps[i]), "image");
        char ptr[48];

        if (!img || (vk ? !!strstr(img, "valkey")
                        : !strstr(img, "valkey")))
            continue;
        if (vk && !strstr(img, "redis"))
            continue;   /* a custom image name: cannot tell */
        snprintf(ptr, sizeof(ptr), "/spec/%s/image",
                 rf_component_name(comps[i]));
        rule_report(ctx, RULE_STRONG, ptr,
                    vk ? "use a valkey image, or set spec.engine: Redis"
                       : "set spec.engine: Valkey, or use a redis image",
                    "spec.engine is %s but spec.%s.image \"%s\" is %s: the "
                    "operator runs the wrong binaries and commands",
                    vk ? "Valkey" : "Redis (the default)",
                    rf_component_name(comps[i]), img,
                    vk ? "a Redis image" : "a Valkey image");
    }
}

static bool has_maxmemory(const cJSON *cc)
{
    const cJSON *e;

    cJSON_ArrayForEach(e, cc)
        if (cJSON_IsString(e) && !strncmp(e->valuestring, "maxmemory ", 10))
            return true;
    return false;
}

static void check_resources_set(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;

    if (rule_kind(ctx) != RF_KIND_FAILOVER) {
        rule_ot_resources_set(ctx);
        return;
    }
    for (i = 0; i < 2; i++) {
        const cJSON *spec = rule_spec(ctx, comps[i]);
        const cJSON *res = json_get(spec, "resources");
        const cJSON *req = json_get(res, "requests");
        const char *c = rf_component_name(comps[i]);
        const char *ptr = comps[i] == RF_REDIS ? "/spec/redis/resources"
                                               : "/spec/sentinel/resources";

        /* a string or list where a map belongs is schema-type's alone */
        if (!rule_comp_typed(ctx, rule_obj(ctx), comps[i]) || rf_not_map(res))
            continue;
        if (!rf_not_map(req) &&
            (!json_get(req, "cpu") || !json_get(req, "memory")))
            rule_report(ctx, RULE_STRONG, ptr,
                        "set resources.requests.cpu and .memory",
                        "spec.%s.resources has no %s request: the scheduler "
                        "cannot place the pods sensibly and they are the "
                        "first to be evicted under pressure", c,
                        !json_get(req, "cpu") && !json_get(req, "memory")
                            ? "cpu or memory"
                        : !json_get(req, "cpu") ? "cpu" : "memory");
        if (comps[i] == RF_REDIS && !rf_not_map(json_get(res, "limits")) &&
            !rf_not_list(json_get(spec, "customConfig")) &&
            !json_get(json_get(res, "limits"), "memory") &&
            !has_maxmemory(rf_list(spec, "customConfig")))
            rule_report(ctx, RULE_STRONG, ptr,
                        "set resources.limits.memory or a maxmemory in "
                        "spec.redis.customConfig",
                        "redis has neither a memory limit nor maxmemory: it "
                        "grows until the node runs out of memory");
    }
}

/* Redis memory units: b, k=1000, kb=1024, m=10^6, mb=2^20, g, gb. */
static int redis_bytes(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end), mul = 1;

    if (end == s || v < 0)
        return -1;
    if (!strcasecmp(end, "") || !strcasecmp(end, "b"))
        mul = 1;
    else if (!strcasecmp(end, "k"))
        mul = 1e3;
    else if (!strcasecmp(end, "kb"))
        mul = 1024.0;
    else if (!strcasecmp(end, "m"))
        mul = 1e6;
    else if (!strcasecmp(end, "mb"))
        mul = 1048576.0;
    else if (!strcasecmp(end, "g"))
        mul = 1e9;
    else if (!strcasecmp(end, "gb"))
        mul = 1073741824.0;
    else
        return -1;
    *out = v * mul;
    return 0;
}

static void check_maxmemory_headroom(struct rule_ctx *ctx)
{
    const cJSON *spec = rule_spec(ctx, RF_REDIS);
    const cJSON *res = json_get(spec, "resources"), *e;
    const char *mem = json_str(json_get(res, "requests"), "memory");
    const char *from = "request";
    const cJSON *pctv = json_get(spec, "reservedPodMemoryPercent");
    double pod, max = -1;
    int pct = 10;
    size_t i = 0, at = 0;
    bool strong;
    char ptr[64];

    /* a string or list where a map belongs is schema-type's alone */
    if (!rule_comp_typed(ctx, rule_obj(ctx), RF_REDIS) || rf_not_map(res) ||
        rf_not_map(json_get(res, "requests")) ||
        rf_not_map(json_get(res, "limits")))
        return;
    if (!mem) {
        mem = json_str(json_get(res, "limits"), "memory");
        from = "limit";
    }
    cJSON_ArrayForEach(e, rf_list(spec, "customConfig")) {
        if (cJSON_IsString(e) && !strncmp(e->valuestring, "maxmemory ", 10) &&
            !redis_bytes(e->valuestring + 10, &max))
            at = i;
        i++;
    }
    if (!mem || max < 0 || quantity_parse(mem, &pod) || pod <= 0)
        return;
    if (rule_target(ctx) == RF_TARGET_FRESHWORKS_V33 && cJSON_IsNumber(pctv))
        pct = pctv->valueint;
    if (max <= pod * (100 - pct) / 100.0)
        return;
    strong = rule_target(ctx) == RF_TARGET_FRESHWORKS_V33 &&
             rule_input(ctx)->op == RULES_CREATE;
    snprintf(ptr, sizeof(ptr), "/spec/redis/customConfig/%zu", at);
    rule_report(ctx, strong ? RULE_STRONG : RULE_WEAK, ptr,
                "lower maxmemory (Redis mb = 2^20 bytes, m = 10^6) or raise "
                "the memory",
                "maxmemory is %.0f%% of the redis memory %s (%s), above "
                "%d%%: that leaves too little room for fork and buffers, "
                "so %s",
                max * 100 / pod, from, mem, 100 - pct,
                strong ? "the Freshworks operator refuses to create the "
                         "StatefulSet"
                       : "pods get OOM-killed or evicted under load");
}

/* The images rules, in catalogue order. */
static const struct rule_desc images_rules[] = {
    {
        .id = "image-pinned",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "every image of the pods (redis, sentinel, exporters, init "
            "and extra containers) is a valid reference with a version tag "
            "(deny malformed, :latest or no tag; warn unset)",
        .check = check_image_pinned,
        .fix = fix_image_pinned,
        .flags = RULE_FIX_IF_FOUND,
    },
    {
        .id = "image-redis-min",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "the redis image is Redis 6 or later (the sentinel image is "
            "not checked)",
        .check = check_image_redis_min,
    },
    {
        .id = "engine-image",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_FRESHWORKS_V33,
        .doc = "spec.engine and the image agree (Redis or Valkey)",
        .check = check_engine_image,
    },
    {
        .id = "resources-set",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .kinds = RF_KIND_ANY,
        .doc = "redis and sentinel request cpu and memory; redis has a memory "
            "limit or maxmemory",
        .check = check_resources_set,
    },
    {
        .id = "maxmemory-headroom",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "maxmemory leaves reservedPodMemoryPercent (10%) of the pod "
            "memory free (deny on freshworks create, else warn)",
        .check = check_maxmemory_headroom,
    },
};

RULE_FAMILY(images, images_rules);
