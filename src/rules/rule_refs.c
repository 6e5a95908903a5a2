/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_refs.c - names the failover refers to: a StorageClass, a
 * PriorityClass, a ServiceAccount, Secrets and ConfigMaps of volumes,
 * env and image pulls, volume names. Each must be a valid Kubernetes name,
 * or no object can match it and the pods never run; an unreplaced
 * placeholder (`STORAGE_CLASS`, `${SECRET}`, `<your-secret>`) is the usual
 * cause. Whether the named object exists is not checked here, nor is
 * spec.auth.secretPath (the auth rules own it).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"

/* What a reference names and what an invalid name breaks. */
struct ref_kind {
    const char *kind;       /* "StorageClass" */
    bool label;             /* a DNS-1123 label (63), else a subdomain */
    const char *effect;
};

static const struct ref_kind K_STORAGE = {
    "StorageClass", false,
    "the API server refuses the redis StatefulSet the operator builds"};
static const struct ref_kind K_PRIORITY = {
    "PriorityClass", false,
    "the API server refuses the pod template the operator builds"};
static const struct ref_kind K_ACCOUNT = {
    "ServiceAccount", false,
    "the API server refuses the pod template the operator builds"};
static const struct ref_kind K_PULL = {
    "Secret", false,
    "no Secret can have it, so private images are pulled without "
    "credentials"};
static const struct ref_kind K_VOLUME = {
    "volume", true,
    "the API server refuses the pod template the operator builds"};
static const struct ref_kind K_VOL_CM = {
    "ConfigMap", false,
    "no ConfigMap can have it, so the volume never mounts and the pods "
    "do not start"};
static const struct ref_kind K_VOL_SECRET = {
    "Secret", false,
    "no Secret can have it, so the volume never mounts and the pods do "
    "not start"};
static const struct ref_kind K_VOL_PVC = {
    "PersistentVolumeClaim", false,
    "no claim can have it, so the volume never mounts and the pods do not "
    "start"};
static const struct ref_kind K_ENV_CM = {
    "ConfigMap", false,
    "no ConfigMap can have it, so the container cannot start"};
static const struct ref_kind K_ENV_SECRET = {
    "Secret", false, "no Secret can have it, so the container cannot start"};
static const struct ref_kind K_OP_CM = {
    "ConfigMap", false,
    "no ConfigMap can have it, so the pods that mount it do not start"};

/* Why `s` is not a DNS-1123 label (`label`) or subdomain, or NULL if it
 * is one: lowercase a-z, 0-9 and '-' (and '.' between the labels of a
 * subdomain), each label starting and ending with a letter or digit. */
static const char *name_problem(const char *s, bool label, char *buf,
                                size_t n)
{
    size_t len = strlen(s), i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (isupper(c)) {
            snprintf(buf, n, "it has uppercase letters");
            return buf;
        }
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!islower(c) && !isdigit(c) && c != '-' && (label || c != '.')) {
            if (isprint(c) && c != ' ')
                snprintf(buf, n, "it has '%c'", c);
            else
                snprintf(buf, n, "it has a space, control or non-ASCII "
                         "character");
            return buf;
        }
    }
    for (i = 0; i < len; i++) {
        bool first = i == 0 || s[i - 1] == '.';
        bool last = i + 1 == len || s[i + 1] == '.';

        if ((first || last) && (s[i] == '-' || s[i] == '.')) {
            snprintf(buf, n, "a part starts or ends with '%c'", s[i]);
            return buf;
        }
    }
    if (len > (label ? 63u : 253u)) {
        snprintf(buf, n, "it is longer than %u characters",
                 label ? 63u : 253u);
        return buf;
    }
    return NULL;
}

/* Whether `s` reads like a template variable left in place. */
static bool placeholder(const char *s)
{
    size_t i, up = 0;

    if (strstr(s, "${") || strstr(s, "{{") || strchr(s, '<') ||
        strstr(s, "%("))
        return true;
    for (i = 0; s[i]; i++) {
        if (islower((unsigned char)s[i]))
            return false;
        up += isupper((unsigned char)s[i]) != 0;
    }
    return up > 0;
}

/* "spec.redis.extraVolumes[0].name" from "/spec/redis/extraVolumes/0/name". */
static void ptr_field(const char *ptr, char *out, size_t n)
{
    size_t o = 0;

    for (ptr++; *ptr && o + 8 < n; ) {
        const char *end = strchr(ptr, '/');
        size_t len = end ? (size_t)(end - ptr) : strlen(ptr);

        if (isdigit((unsigned char)*ptr))
            o += (size_t)snprintf(out + o, n - o, "[%.*s]", (int)len, ptr);
        else
            o += (size_t)snprintf(out + o, n - o, "%s%.*s", o ? "." : "",
                                  (int)len, ptr);
        if (o >= n)
            break;
        ptr += len + (end != NULL);
    }
    out[o < n ? o : n - 1] = '\0';
}

/* Check the string at `o`.key, at pointer `base`/key. */
static void check_name(struct rule_ctx *ctx, const cJSON *o, const char *key,
                       const char *base, const struct ref_kind *k)
{
    const char *v = json_str(o, key);
    char ptr[320], field[320], why[64];

    if (!v || !*v || !name_problem(v, k->label, why, sizeof(why)))
        return;
    snprintf(ptr, sizeof(ptr), "%s/%s", base, key);
    ptr_field(ptr, field, sizeof(field));
    rule_report(ctx, RULE_STRONG, ptr,
                placeholder(v) ? "replace the placeholder with the real "
                                 "name"
                               : k->label ? "use a name of lowercase "
                                            "letters, digits and '-'"
                                          : "use the real object's name: "
                                            "lowercase letters, digits, "
                                            "'-' and '.'",
                "%s is an invalid %s name: \"%s\" (%s%s); %s", field,
                k->kind, v, why,
                placeholder(v) ? "; it looks like an unreplaced placeholder"
                               : "", k->effect);
}

/* Env references of one container (or exporter) at `base`. */
static void check_env(struct rule_ctx *ctx, const cJSON *c, const char *base)
{
    const cJSON *e;
    char p[256];
    size_t i = 0;

    cJSON_ArrayForEach(e, json_get(c, "env")) {
        const cJSON *vf = json_get(e, "valueFrom");

        snprintf(p, sizeof(p), "%s/env/%zu/valueFrom/configMapKeyRef", base,
                 i);
        check_name(ctx, json_get(vf, "configMapKeyRef"), "name", p,
                   &K_ENV_CM);
        snprintf(p, sizeof(p), "%s/env/%zu/valueFrom/secretKeyRef", base, i);
        check_name(ctx, json_get(vf, "secretKeyRef"), "name", p,
                   &K_ENV_SECRET);
        i++;
    }
}

/* Env and envFrom references of one container at `base`. */
static void check_container(struct rule_ctx *ctx, const cJSON *c,
                            const char *base)
{
    const cJSON *e;
    char p[256];
    size_t i = 0;

    check_env(ctx, c, base);
    cJSON_ArrayForEach(e, json_get(c, "envFrom")) {
        snprintf(p, sizeof(p), "%s/envFrom/%zu/configMapRef", base, i);
        check_name(ctx, json_get(e, "configMapRef"), "name", p, &K_ENV_CM);
        snprintf(p, sizeof(p), "%s/envFrom/%zu/secretRef", base, i);
        check_name(ctx, json_get(e, "secretRef"), "name", p, &K_ENV_SECRET);
        i++;
    }
}

static void check_volume(struct rule_ctx *ctx, const cJSON *v,
                         const char *base)
{
    const cJSON *s;
    char p[256];
    size_t i = 0;

    check_name(ctx, v, "name", base, &K_VOLUME);
    snprintf(p, sizeof(p), "%s/configMap", base);
    check_name(ctx, json_get(v, "configMap"), "name", p, &K_VOL_CM);
    snprintf(p, sizeof(p), "%s/secret", base);
    check_name(ctx, json_get(v, "secret"), "secretName", p, &K_VOL_SECRET);
    snprintf(p, sizeof(p), "%s/persistentVolumeClaim", base);
    check_name(ctx, json_get(v, "persistentVolumeClaim"), "claimName", p,
               &K_VOL_PVC);
    cJSON_ArrayForEach(s, json_get(json_get(v, "projected"), "sources")) {
        snprintf(p, sizeof(p), "%s/projected/sources/%zu/configMap", base,
                 i);
        check_name(ctx, json_get(s, "configMap"), "name", p, &K_VOL_CM);
        snprintf(p, sizeof(p), "%s/projected/sources/%zu/secret", base, i);
        check_name(ctx, json_get(s, "secret"), "name", p, &K_VOL_SECRET);
        i++;
    }
}

static void check_pull_secret(struct rule_ctx *ctx, const cJSON *e,
                              const char *p)
{
    check_name(ctx, e, "name", p, &K_PULL);
}

static void check_mount(struct rule_ctx *ctx, const cJSON *e, const char *p)
{
    check_name(ctx, e, "name", p, &K_VOLUME);
}

/* Call `fn` on every object of array `key` of `sp`, with its pointer. */
static void each_obj(struct rule_ctx *ctx, const cJSON *sp, const char *key,
                     const char *base,
                     void (*fn)(struct rule_ctx *, const cJSON *,
                                const char *))
{
    const cJSON *list = json_get(sp, key), *e;
    char p[128];
    size_t i = 0;

    if (!cJSON_IsArray(list))
        return;
    cJSON_ArrayForEach(e, list) {
        snprintf(p, sizeof(p), "%s/%s/%zu", base, key, i++);
        if (cJSON_IsObject(e))
            fn(ctx, e, p);
    }
}

static void check_component(struct rule_ctx *ctx, enum rf_component comp)
{
    const cJSON *sp = rule_spec(ctx, comp);
    const char *base = comp == RF_REDIS ? "/spec/redis" : "/spec/sentinel";
    char p[128];

    if (!cJSON_IsObject(sp))
        return;
    check_name(ctx, sp, "priorityClassName", base, &K_PRIORITY);
    check_name(ctx, sp, "serviceAccountName", base, &K_ACCOUNT);
    check_name(ctx, sp, "startupConfigMap", base, &K_OP_CM);
    if (comp == RF_REDIS)   /* sentinels have none */
        check_name(ctx, sp, "shutdownConfigMap", base, &K_OP_CM);
    each_obj(ctx, sp, "imagePullSecrets", base, check_pull_secret);
    each_obj(ctx, sp, "extraVolumes", base, check_volume);
    each_obj(ctx, sp, "extraVolumeMounts", base, check_mount);
    each_obj(ctx, sp, "initContainers", base, check_container);
    each_obj(ctx, sp, "extraContainers", base, check_container);
    if (cJSON_IsObject(json_get(sp, "exporter"))) {
        snprintf(p, sizeof(p), "%s/exporter", base);
        check_env(ctx, json_get(sp, "exporter"), p);   /* no envFrom */
    }
}

static void check_invalid_reference_name(struct rule_ctx *ctx)
{
    const cJSON *pvc = json_get(json_get(rule_spec(ctx, RF_REDIS), "storage"),
                                "persistentVolumeClaim");

    check_component(ctx, RF_REDIS);
    check_component(ctx, RF_SENTINEL);
    check_name(ctx, json_get(pvc, "metadata"), "name",
               "/spec/redis/storage/persistentVolumeClaim/metadata",
               &K_VOLUME);
    check_name(ctx, json_get(pvc, "spec"), "storageClassName",
               "/spec/redis/storage/persistentVolumeClaim/spec", &K_STORAGE);
}

/* The refs rules, in catalogue order. */
static const struct rule_desc refs_rules[] = {
    {
        .id = "invalid-reference-name",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "names of referenced objects (StorageClass, PriorityClass, "
            "ServiceAccount, Secrets, ConfigMaps, volumes) are valid "
            "Kubernetes names, not placeholders",
        .check = check_invalid_reference_name,
    },
};

RULE_FAMILY(refs, refs_rules);
