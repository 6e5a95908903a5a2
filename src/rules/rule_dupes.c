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

/* The places of a duplicated object, oldest first: the index chains run
 * newest first, so the last DUPES_SHOWN seen are the oldest. */
struct places {
    const char *v[DUPES_SHOWN];
    size_t n;              /* all of them */
};

static void places_add(struct places *p, const char *origin)
{
    size_t k = p->n < DUPES_SHOWN ? p->n : DUPES_SHOWN - 1;

    if (p->n >= DUPES_SHOWN)
        memmove(p->v, p->v + 1, (DUPES_SHOWN - 1) * sizeof(p->v[0]));
    p->v[k] = origin ? origin : "?";
    p->n++;
}

/* "a.yaml:3, b.yaml:9" (oldest first), ", ..." when more were cut. */
static void places_format(char *buf, size_t len, const struct places *p)
{
    size_t shown = p->n < DUPES_SHOWN ? p->n : DUPES_SHOWN, i;
    size_t used = 0;

    buf[0] = '\0';
    for (i = 0; i < shown && used < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%.200s", i ? ", " : "",
                         p->v[shown - 1 - i]);

        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (p->n > DUPES_SHOWN && used < len)
        snprintf(buf + used, len - used, ", ...");
}

static void check_duplicate_object(struct rule_ctx *ctx)
{
    const struct cview *cv = rule_input(ctx)->cv;
    const char *name = rf_name(rule_obj(ctx));
    const char *sp = rf_secret_path(rule_obj(ctx));
    const char *ns = rule_ns(ctx);
    struct places rf = {{NULL}, 0}, sec = {{NULL}, 0};
    char where[800];
    size_t i;

    /* an UPDATE's view holds the old version too: not a second one */
    if (!cv || !name || rule_old(ctx))
        return;
    for (i = cview_first(&cv->rf_name, cview_key_str2(name, NULL));
         i != CVIEW_END; i = cview_next(&cv->rf_name, i)) {
        const struct cview_failover *f = &cv->rfs[i];

        if (!f->state_only && !strcmp(f->ns, ns) && !strcmp(f->name, name))
            places_add(&rf, f->origin);
    }
    if (rf.n > 1) {
        places_format(where, sizeof(where), &rf);
        rule_report(ctx, RULE_STRONG, "/metadata/name",
                    "keep one definition of each object, or give the copies "
                    "different names",
                    "RedisFailover %s/%s is defined %zu times: at %s; "
                    "kubectl apply keeps only the last one",
                    ns, name, rf.n, where);
    }
    if (!sp)
        return;
    for (i = cview_first(&cv->sec_name, cview_key_str2(ns, sp));
         i != CVIEW_END; i = cview_next(&cv->sec_name, i)) {
        const struct cview_secret *s = &cv->secrets[i];

        if (!s->state_only && !strcmp(s->ns, ns) && !strcmp(s->name, sp))
            places_add(&sec, s->origin);
    }
    if (sec.n > 1) {
        places_format(where, sizeof(where), &sec);
        rule_report(ctx, RULE_STRONG, "/spec/auth/secretPath",
                    "keep one definition of the Secret",
                    "Secret %s/%s is defined %zu times: at %s; the last one "
                    "wins, and the auth rules check only that one",
                    ns, sp, sec.n, where);
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
