/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_images.c - images and resources. Unpinned images
 * follow the operator's defaults, which change with its version, so an
 * operator upgrade re-rolls every such failover at once; the operator's
 * redis.conf needs Redis 6 (ACL user line, liveness with --user); the
 * Freshworks fork refuses to create a StatefulSet whose maxmemory leaves
 * less than reservedPodMemoryPercent of the pod's memory free.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

struct image_ref {
    const char *ptr;
    const char *what;
    const cJSON *val;
    bool fixable;
};

/* The images of `obj` that matter: redis, sentinel, enabled exporters. */
static size_t images(const cJSON *obj, struct image_ref out[4])
{
    const cJSON *r = rf_component_spec(obj, RF_REDIS);
    const cJSON *s = rf_component_spec(obj, RF_SENTINEL);
    size_t n = 0;

    out[n++] = (struct image_ref){"/spec/redis/image", "spec.redis.image",
                                  json_get(r, "image"), true};
    out[n++] = (struct image_ref){"/spec/sentinel/image",
                                  "spec.sentinel.image",
                                  json_get(s, "image"), true};
    if (cJSON_IsTrue(json_get(json_get(r, "exporter"), "enabled")))
        out[n++] = (struct image_ref){"/spec/redis/exporter/image",
                                      "spec.redis.exporter.image",
                                      json_get(json_get(r, "exporter"), "image"),
                                      false};
    if (cJSON_IsTrue(json_get(json_get(s, "exporter"), "enabled")))
        out[n++] = (struct image_ref){"/spec/sentinel/exporter/image",
                                      "spec.sentinel.exporter.image",
                                      json_get(json_get(s, "exporter"), "image"),
                                      false};
    return n;
}

static void check_image_pinned(struct rule_ctx *ctx)
{
    struct image_ref im[4];
    size_t i, n = images(rule_obj(ctx), im);

    for (i = 0; i < n; i++) {
        const char *tag;

        if (!cJSON_IsString(im[i].val) || !*im[i].val->valuestring) {
            rule_report(ctx, RULE_WEAK, im[i].ptr,
                        im[i].fixable ? "pin the image the operator uses "
                                        "today ('rfguard fix' adds it)"
                                      : "set the image with a version tag",
                        "%s is not set: the operator's default changes with "
                        "its version, so an operator upgrade re-rolls every "
                        "such failover at once", im[i].what);
            continue;
        }
        tag = image_tag(im[i].val->valuestring);
        if (tag && (!*tag || !strcmp(tag, "latest")))
            rule_report(ctx, RULE_STRONG, im[i].ptr,
                        "use a version tag or a digest",
                        "%s \"%s\" %s: every pod restart may pull a "
                        "different version, and pull policy defaults to "
                        "Always", im[i].what, im[i].val->valuestring,
                        *tag ? "uses :latest" : "has no tag");
    }
}

static int fix_image_pinned(struct rule_ctx *ctx, const cJSON *work)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;
    int rc = RFG_OK;

    for (i = 0; i < 2 && !rc; i++) {
        const char *keys[3] = {"spec", rf_component_name(comps[i]), "image"};
        const cJSON *v = json_get(rf_component_spec(work, comps[i]), "image");

        if (cJSON_IsString(v) && *v->valuestring)
            continue;
        if (v)
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

static void check_image_redis_min(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    size_t i;

    if (valkey(rule_obj(ctx)))
        return;
    for (i = 0; i < 2; i++) {
        const char *img = json_str(rf_component_spec(rule_obj(ctx), comps[i]),
                                 "image");
        const char *tag = img ? image_tag(img) : NULL;
        long major = tag ? tag_major(tag) : -1;
        char ptr[48];

        if (major < 0 || major >= 6 || strstr(img, "valkey"))
            continue;
        snprintf(ptr, sizeof(ptr), "/spec/%s/image",
                 rf_component_name(comps[i]));
        rule_report(ctx, RULE_STRONG, ptr, "use Redis 6 or later",
                    "spec.%s.image \"%s\" is Redis %ld: the operator's "
                    "redis.conf has an ACL user line and its liveness probe "
                    "uses --user, which need Redis 6", rf_component_name(
                        comps[i]), img, major);
    }
}

static void check_engine_image(struct rule_ctx *ctx)
{
    static const enum rf_component comps[] = {RF_REDIS, RF_SENTINEL};
    bool vk = valkey(rule_obj(ctx));
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *img = json_str(rf_component_spec(rule_obj(ctx), comps[i]),
                                 "image");
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

    for (i = 0; i < 2; i++) {
        const cJSON *spec = rf_component_spec(rule_obj(ctx), comps[i]);
        const cJSON *res = json_get(spec, "resources");
        const cJSON *req = json_get(res, "requests");
        const char *c = rf_component_name(comps[i]);
        char ptr[48];

        snprintf(ptr, sizeof(ptr), "/spec/%s/resources", c);
        if (!json_get(req, "cpu") || !json_get(req, "memory"))
            rule_report(ctx, RULE_STRONG, ptr,
                        "set resources.requests.cpu and .memory",
                        "spec.%s.resources has no %s request: the scheduler "
                        "cannot place the pods sensibly and they are the "
                        "first to be evicted under pressure", c,
                        !json_get(req, "cpu") && !json_get(req, "memory")
                            ? "cpu or memory"
                        : !json_get(req, "cpu") ? "cpu" : "memory");
        if (comps[i] == RF_REDIS &&
            !json_get(json_get(res, "limits"), "memory") &&
            !has_maxmemory(json_get(spec, "customConfig")))
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
    const cJSON *spec = rf_component_spec(rule_obj(ctx), RF_REDIS);
    const cJSON *res = json_get(spec, "resources"), *e;
    const char *mem = json_str(json_get(res, "requests"), "memory");
    const char *from = "request";
    const cJSON *pctv = json_get(spec, "reservedPodMemoryPercent");
    double pod, max = -1;
    int pct = 10;
    size_t i = 0, at = 0;
    bool strong;
    char ptr[64];

    if (!mem) {
        mem = json_str(json_get(res, "limits"), "memory");
        from = "limit";
    }
    cJSON_ArrayForEach(e, json_get(spec, "customConfig")) {
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
                "maxmemory is %.0f%% of the redis memory %s (%s), above the "
                "%d%% that leaves room for fork and buffers: %s",
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
        .doc = "redis, sentinel and exporter images are set with a version "
            "tag (deny :latest or no tag, warn unset)",
        .check = check_image_pinned,
        .fix = fix_image_pinned,
    },
    {
        .id = "image-redis-min",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "the redis image is Redis 6 or later",
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
