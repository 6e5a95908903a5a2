/* SPDX-License-Identifier: Apache-2.0
 *
 * rule_dupes.c - duplicate-object: the same RedisFailover, or the Secret
 * it names, defined twice in one lint run. kubectl apply of the run keeps
 * only the last definition, so the others silently never take effect.
 * Reads the cluster view, whose entries carry "file:line" origins; what
 * --cluster-state holds is the cluster, not a second definition, and is
 * left out. The webhook sees one object and a view with one entry per
 * name, so it never reports this. Other kinds are not compared: the view
 * keeps only failovers, Secrets and NetworkPolicies.
 */
#include <stdio.h>
#include <string.h>

#include "rules_impl.h"

#define DUPES_SHOWN 3

/* "a.yaml:3, b.yaml:9" (the oldest DUPES_SHOWN places of the `n`
 * definitions, oldest first), ", ..." when more were cut. */
static void places_format(char *buf, size_t len, const char *const *v,
                          size_t n)
{
    size_t shown = n < DUPES_SHOWN ? n : DUPES_SHOWN, i;
    size_t used = 0;

    buf[0] = '\0';
    for (i = 0; i < shown && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%.200s", i ? ", " : "",
                         v[i] ? v[i] : "?");

        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (n > DUPES_SHOWN && used < len)
        snprintf(buf + used, len - used, ", ...");
}

static void check_duplicate_object(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const char *name = rule_name(ctx);
    const char *sp = rule_secret_path(ctx);
    const char *ns = rule_ns(ctx);
    const char *v[DUPES_SHOWN];
    size_t idx[DUPES_SHOWN], n, i;
    struct cview_key k;
    char where[800];

    /* an UPDATE's view holds the old version too: not a second one */
    if (!cv || !name || rule_old(ctx) || !(cv = rj_view(ctx)))
        return;
    memset(&k, 0, sizeof(k));
    k.kind = rule_kind(ctx);
    k.ns = ns;
    k.name = name;
    n = cview_class_members(cv, CVIEW_C_LINTED,
                            cview_class_find(cv, CVIEW_C_LINTED, &k), idx,
                            DUPES_SHOWN);
    if (n > 1) {
        for (i = 0; i < n && i < DUPES_SHOWN; i++)
            v[i] = cv->rfs[idx[i]].origin;
        places_format(where, sizeof(where), v, n);
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "keep one definition of each object, or give the copies "
                    "different names",
                    "%s %s/%s is defined %zu times: at %s; "
                    "kubectl apply keeps only the last one",
                    rf_kind_name(rule_kind(ctx)), ns, name, n, where);
    }
    if (!sp)
        return;
    k.name = sp;
    n = cview_class_members(cv, CVIEW_C_SECRET_LINTED,
                            cview_class_find(cv, CVIEW_C_SECRET_LINTED, &k),
                            idx, DUPES_SHOWN);
    if (n > 1) {
        for (i = 0; i < n && i < DUPES_SHOWN; i++)
            v[i] = cv->secrets[idx[i]].origin;
        places_format(where, sizeof(where), v, n);
        rule_report(ctx, RULE_STRONG, "/spec/auth/secretPath",
                    "keep one definition of the Secret",
                    "Secret %s/%s is defined %zu times: at %s; the last one "
                    "wins, and the auth rules check only that one",
                    ns, sp, n, where);
    }
}

/* The webhook's view holds one entry per name: nothing to verify there,
 * so nothing to call unverifiable when the view is stale. */
static bool dupes_never_unverified(const struct rule_ctx *ctx)
{
    (void)ctx;
    return false;
}

/* The duplicate rules, in catalogue order. */
static const struct rule_desc dupes_rules[] = {
    {
        .id = "duplicate-object",
        .default_sev = RFG_SEV_WARN,
        .targets = RF_TARGET_ALL,
        .flags = RULE_CLUSTER,
        .doc = "a failover, or the Secret it names, is defined once in the "
            "linted files",
        .check = check_duplicate_object,
        .needs_view = dupes_never_unverified,
    },
};

RULE_FAMILY(dupes, dupes_rules);
