/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_labels.c - failover labels. The operator copies the
 * failover's metadata.labels onto every child object and pod, after its
 * own labels (so they can override them) and filtered only by
 * spec.labelWhitelist, Go RE2 expressions of which invalid ones are
 * skipped with a log line (re2_check, over libre2, judges them). Labels
 * that are not a map and a whitelist that is not a list are schema-type's
 * to report: these rules skip them.
 */
#include <stdio.h>
#include <string.h>

#include "re2_check.h"
#include "rules_impl.h"
#include "sbuf.h"

static const char *const volatile_keys[] = {
    "helm.sh/chart", "app.kubernetes.io/version", "chart", "version",
};

static bool is_volatile(const char *k)
{
    size_t i;

    for (i = 0; i < sizeof(volatile_keys) / sizeof(volatile_keys[0]); i++)
        if (!strcmp(k, volatile_keys[i]))
            return true;
    return false;
}

/* metadata.labels when it is a map, else NULL. */
static const cJSON *labels(const cJSON *obj)
{
    return rf_map(json_get(obj, "metadata"), "labels");
}

/* First volatile label of `obj` when it has no labelWhitelist (one of
 * the wrong type counts as one: the fix could not replace it). */
static const char *first_volatile(const cJSON *obj)
{
    const cJSON *wl = json_get(json_get(obj, "spec"), "labelWhitelist");
    const cJSON *l;

    if (cJSON_GetArraySize(wl) || rf_not_list(wl))
        return NULL;
    cJSON_ArrayForEach(l, labels(obj))
        if (is_volatile(l->string))
            return l->string;
    return NULL;
}

static void check_labels_volatile(struct rule_ctx *ctx)
{
    const char *k = first_volatile(rule_obj(ctx));
    struct sbuf p;

    if (!k)
        return;
    sbuf_init(&p, 0);
    if (sbuf_adds(&p, "/metadata/labels") || jptr_append(&p, k)) {
        sbuf_cleanup(&p);
        return;
    }
    rule_report(ctx, RULE_STRONG, sbuf_str(&p),
                "add spec.labelWhitelist listing the labels pods should "
                "carry ('rfguard fix' shows one)",
                "label %s changes with every release and is copied to "
                "every pod: there is no spec.labelWhitelist, so each bump "
                "re-rolls all redis pods and rewrites the PDB selectors",
                k);
    sbuf_cleanup(&p);
}

/* "^<key>$" with the regex metacharacters of a label key escaped. */
static cJSON *anchored(const char *key)
{
    struct sbuf b;
    const char *p;
    cJSON *s;

    sbuf_init(&b, 0);
    (void)sbuf_addc(&b, '^');
    for (p = key; *p; p++) {
        if (*p == '.')
            (void)sbuf_addc(&b, '\\');
        (void)sbuf_addc(&b, *p);
    }
    if (sbuf_addc(&b, '$')) {
        sbuf_cleanup(&b);
        return NULL;
    }
    s = cJSON_CreateString(sbuf_str(&b));
    sbuf_cleanup(&b);
    return s;
}

static int fix_labels_volatile(struct rule_ctx *ctx, const cJSON *work)
{
    static const char *const keys[] = {"spec", "labelWhitelist"};
    cJSON *list;
    const cJSON *l;

    if (!first_volatile(work))
        return RFG_OK;
    list = cJSON_CreateArray();
    if (!list)
        return RFG_ENOMEM;
    cJSON_ArrayForEach(l, labels(work)) {
        cJSON *re;

        if (is_volatile(l->string))
            continue;
        re = anchored(l->string);
        if (!re || !cJSON_AddItemToArray(list, re)) {
            cJSON_Delete(re);
            cJSON_Delete(list);
            return RFG_ENOMEM;
        }
    }
    /* An empty whitelist copies everything: match nothing instead. */
    if (!cJSON_GetArraySize(list) &&
        !cJSON_AddItemToArray(list, cJSON_CreateString("^$"))) {
        cJSON_Delete(list);
        return RFG_ENOMEM;
    }
    return rule_fix_add_nested(ctx, keys, 2, list);
}

static void check_labels_override(struct rule_ctx *ctx)
{
    static const char *const keys[] = {RF_LABEL_MANAGED_BY,
                                       RF_LABEL_RF_NAME};
    size_t i;

    for (i = 0; i < 2; i++) {
        const char *v = json_str(labels(rule_obj(ctx)), keys[i]);
        struct sbuf p;

        if (!v)
            continue;
        sbuf_init(&p, 0);
        if (sbuf_adds(&p, "/metadata/labels") || jptr_append(&p, keys[i])) {
            sbuf_cleanup(&p);
            return;
        }
        rule_report(ctx, RULE_STRONG, sbuf_str(&p),
                    "leave this label to the operator, or keep it off pods "
                    "with spec.labelWhitelist",
                    "label %s=%s overrides the operator's value: it is "
                    "copied onto every object the operator creates for "
                    "this failover, confusing tools that rely on it",
                    keys[i], v);
        sbuf_cleanup(&p);
    }
}

/* Each labelWhitelist entry must compile as Go's regexp.Compile reads
 * it; re2_check asks libre2, and quotes its reason. */
static void check_labelwhitelist_regex(struct rule_ctx *ctx)
{
    const cJSON *e;
    size_t i = 0;

    cJSON_ArrayForEach(e, rf_strings(json_get(rule_obj(ctx), "spec"),
                                   "labelWhitelist")) {
        char ptr[64], why[96];

        snprintf(ptr, sizeof(ptr), "/spec/labelWhitelist/%zu", i++);
        if (!cJSON_IsString(e) ||
            re2_check(e->valuestring, why, sizeof(why)) != RFG_EINVAL)
            continue;
        rule_report(ctx, RULE_STRONG, ptr,
                    "write a Go (RE2) regular expression",
                    "spec.labelWhitelist[%zu] \"%.80s\" is not a valid "
                    "Go regular expression: the operator skips it with a "
                    "log line and its labels are silently dropped; Go's "
                    "error is \"%s\"", i - 1, e->valuestring, why);
    }
}

/* The labels rules, in catalogue order. */
static const struct rule_desc labels_rules[] = {
    {
        .id = "labels-volatile",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "release-specific labels (helm.sh/chart, version) are kept off "
            "pods by a labelWhitelist",
        .check = check_labels_volatile,
        .fix = fix_labels_volatile,
    },
    {
        .id = "labels-override-operator",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .doc = "failover labels do not override the operator's managed-by and "
            "name labels",
        .check = check_labels_override,
    },
    {
        .id = "labelwhitelist-regex",
        .default_sev = RFG_SEV_DENY,
        .targets = RF_TARGET_ALL,
        .doc = "every spec.labelWhitelist entry is a valid RE2 expression",
        .check = check_labelwhitelist_regex,
    },
};

RULE_FAMILY(labels, labels_rules);
