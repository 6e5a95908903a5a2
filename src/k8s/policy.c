/* SPDX-License-Identifier: Apache-2.0
 *
 * policy.c - load policy YAML into an immutable policy_set. Checks the
 * file's structure (keys, types, target, severities) with file:line:col;
 * whether rule ids and parameters exist is rules_policy_check()'s job.
 * Never evaluates objects.
 *
 *   apiVersion: rfguard.io/v1alpha1
 *   kind: Policy
 *   metadata: {name: default}
 *   spec:
 *     target: spotahome-v1.3
 *     mutations: true
 *     podTemplateMutations: create     # or always (also on UPDATE)
 *     defaultSeverity: warn            # rules not named below (optional)
 *     exemptions: {namespaces: [kube-system]}
 *     skips:                           # deny rules an annotation may skip
 *       denyRules: [auth-required]
 *       namespaces: [dev-*]            # optional
 *       users: [alice]                 # optional, with groups
 *       groups: [platform-admins]
 *     rules:
 *       auth-required: deny            # or warn, off
 *       sentinel-replicas: {severity: deny, fix: true}
 */
#include "policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "schema.h"
#include "ydoc.h"

#define POLICY_API_VERSION "rfguard.io/v1alpha1"
#define POLICY_MAX_BYTES ((size_t)1 << 20)

const char *rfg_sev_name(enum rfg_sev s)
{
    switch (s) {
    case RFG_SEV_DENY:
        return "deny";
    case RFG_SEV_WARN:
        return "warn";
    default:
        return "off";
    }
}

static int parse_sev(const char *s, enum rfg_sev *out)
{
    if (!strcmp(s, "deny"))
        *out = RFG_SEV_DENY;
    else if (!strcmp(s, "warn"))
        *out = RFG_SEV_WARN;
    else if (!strcmp(s, "off"))
        *out = RFG_SEV_OFF;
    else
        return -1;
    return 0;
}

static void free_strs(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void policy_free(struct policy_set *p)
{
    size_t i;

    if (!p)
        return;
    for (i = 0; i < p->nskips; i++) {
        struct policy_skip_grant *g = &p->skips[i];

        free_strs(g->rules, g->nrules);
        free(g->rule_pos);
        free_strs(g->namespaces, g->nnamespaces);
        free_strs(g->users, g->nusers);
        free_strs(g->groups, g->ngroups);
    }
    free(p->skips);
    for (i = 0; i < p->nrules; i++) {
        free(p->rules[i].id);
        cJSON_Delete(p->rules[i].params);
    }
    for (i = 0; i < p->nexempt_ns; i++)
        free(p->exempt_ns[i]);
    free(p->exempt_ns);
    free(p->by_id);
    free(p->rules);
    free(p->name);
    free(p->file);
    free(p);
}

struct ploader {
    const struct ydoc *doc;
    struct diag_list *dl;
};

static int bad(struct ploader *L, const cJSON *node, const char *fmt, ...)
    RFG_PRINTF(3, 4);

/* Record a structure error at the position of `node`. */
static int bad(struct ploader *L, const cJSON *node, const char *fmt, ...)
{
    struct src_pos pos = posmap_get(L->doc->pm, node);
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return diag_fail(L->dl, RFG_EINVAL, &pos, "%s", msg);
}

static int load_rule(struct ploader *L, struct policy_set *p,
                     const cJSON *r)
{
    struct policy_rule *pr = &p->rules[p->nrules];
    const cJSON *kv;
    size_t i;

    for (i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i].id, r->string))
            return bad(L, r, "rule \"%s\" is listed twice", r->string);
    memset(pr, 0, sizeof(*pr));
    pr->pos = posmap_get(L->doc->pm, r);
    pr->params_pos = pr->pos;
    pr->id = strdup(r->string);
    pr->params = cJSON_CreateObject();
    if (!pr->id || !pr->params) {
        free(pr->id);
        cJSON_Delete(pr->params);
        return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
    }
    p->nrules++;
    /* YAML 1.1 (kubectl's) reads a plain `off` as false: accept it. */
    if (cJSON_IsFalse(r)) {
        pr->sev = RFG_SEV_OFF;
        pr->sev_set = true;
        return RFG_OK;
    }
    if (cJSON_IsString(r)) {
        if (parse_sev(r->valuestring, &pr->sev))
            return bad(L, r,
                       "severity \"%s\" is not one of deny, warn, off",
                       r->valuestring);
        pr->sev_set = true;
        return RFG_OK;
    }
    if (!cJSON_IsObject(r))
        return bad(L, r,
                   "rule \"%s\": expected a severity (deny, warn, off) or "
                   "a mapping with severity and parameters",
                   r->string);
    cJSON_ArrayForEach(kv, r) {
        cJSON *copy;

        if (!strcmp(kv->string, "severity")) {
            if (cJSON_IsFalse(kv)) {
                pr->sev = RFG_SEV_OFF;
                pr->sev_set = true;
                continue;
            }
            if (!cJSON_IsString(kv) || parse_sev(kv->valuestring, &pr->sev))
                return bad(L, kv,
                           "rule \"%s\": severity must be deny, warn or off",
                           r->string);
            pr->sev_set = true;
            continue;
        }
        copy = cJSON_Duplicate(kv, 1);
        if (!copy || !cJSON_AddItemToObject(pr->params, kv->string, copy)) {
            cJSON_Delete(copy);
            return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
        }
    }
    return RFG_OK;
}

/* Load the list of strings `node` (key `what`) into *out. Each item must
 * be a non-empty string; `pos` (may be NULL) gets where each one is. */
static int load_strs(struct ploader *L, const cJSON *node, const char *what,
                     char ***out, size_t *n, struct src_pos **pos)
{
    const cJSON *it;
    size_t cap = (size_t)cJSON_GetArraySize(node) + 1;

    if (!cJSON_IsArray(node))
        return bad(L, node, "%s must be a list of strings", what);
    *out = calloc(cap, sizeof(char *));
    if (pos)
        *pos = calloc(cap, sizeof(**pos));
    if (!*out || (pos && !*pos))
        return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
    cJSON_ArrayForEach(it, node) {
        if (!cJSON_IsString(it) || !it->valuestring[0])
            return bad(L, it, "each item of %s must be a non-empty string",
                       what);
        if (!((*out)[*n] = strdup(it->valuestring)))
            return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
        if (pos)
            (*pos)[*n] = posmap_get(L->doc->pm, it);
        (*n)++;
    }
    return RFG_OK;
}

/* One grant of spec.skips (a mapping). */
static int load_grant(struct ploader *L, struct policy_skip_grant *g,
                      const cJSON *m)
{
    static const char *const keys[] = {"denyRules", "namespaces", "users",
                                       "groups"};
    const cJSON *kv;
    int rc;

    g->pos = posmap_get(L->doc->pm, m);
    if (!cJSON_IsObject(m))
        return bad(L, m,
                   "skips must be a mapping (denyRules, namespaces, users, "
                   "groups) or a list of them");
    cJSON_ArrayForEach(kv, m) {
        if (!strcmp(kv->string, "denyRules"))
            rc = load_strs(L, kv, "skips.denyRules", &g->rules, &g->nrules,
                           &g->rule_pos);
        else if (!strcmp(kv->string, "namespaces"))
            rc = load_strs(L, kv, "skips.namespaces", &g->namespaces,
                           &g->nnamespaces, NULL);
        else if (!strcmp(kv->string, "users"))
            rc = load_strs(L, kv, "skips.users", &g->users, &g->nusers,
                           NULL);
        else if (!strcmp(kv->string, "groups"))
            rc = load_strs(L, kv, "skips.groups", &g->groups, &g->ngroups,
                           NULL);
        else {
            const char *best = NULL;
            size_t i, d, bestd = 4;

            for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
                if ((d = schema_edit_distance(kv->string, keys[i], true)) <
                    bestd) {
                    bestd = d;
                    best = keys[i];
                }
            if (best)
                return bad(L, kv,
                           "unknown key \"%s\" in skips (did you mean "
                           "\"%s\"?)",
                           kv->string, best);
            return bad(L, kv,
                       "unknown key \"%s\" in skips (expected denyRules, "
                       "namespaces, users, groups)",
                       kv->string);
        }
        if (rc)
            return rc;
    }
    /* A grant that names no rule would be read as "every rule" by some
     * and "none" by others: say which rules. */
    if (!cJSON_GetObjectItemCaseSensitive(m, "denyRules"))
        return bad(L, m,
                   "skips: denyRules is missing (list the deny rules an "
                   "rfguard.io/skip annotation may skip)");
    return RFG_OK;
}

/* spec.skips: one grant (a mapping) or a list of grants. */
static int load_skips(struct ploader *L, struct policy_set *p,
                      const cJSON *node)
{
    const cJSON *g;
    int rc;

    if (!cJSON_IsArray(node)) {
        p->skips = calloc(1, sizeof(*p->skips));
        if (!p->skips)
            return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
        p->nskips = 1;
        return load_grant(L, &p->skips[0], node);
    }
    p->skips = calloc((size_t)cJSON_GetArraySize(node) + 1,
                      sizeof(*p->skips));
    if (!p->skips)
        return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
    cJSON_ArrayForEach(g, node) {
        rc = load_grant(L, &p->skips[p->nskips++], g);
        if (rc)
            return rc;
    }
    return RFG_OK;
}

/* spec.audit: {interval: DUR, dryRun: BOOL, sentinelInterval: DUR}, as
 * serve's flags. */
static int load_audit(struct ploader *L, struct policy_set *p,
                      const cJSON *audit)
{
    const cJSON *kv;
    unsigned long long ms;

    if (!cJSON_IsObject(audit))
        return bad(L, audit, "%s must be a mapping", "audit");
    cJSON_ArrayForEach(kv, audit) {
        if (!strcmp(kv->string, "interval")) {
            if (!cJSON_IsString(kv) ||
                rfg_parse_duration_ms(kv->valuestring, &ms) ||
                (ms && (ms < 10000 || ms > 86400000)))
                return bad(L, kv, "audit.interval must be 0 (off) or a "
                           "duration from 10s to 24h, such as 5m");
            p->audit_interval_ms = (unsigned)ms;
        } else if (!strcmp(kv->string, "dryRun")) {
            if (!cJSON_IsBool(kv))
                return bad(L, kv, "%s must be true or false",
                           "audit.dryRun");
            p->audit_dry_run = cJSON_IsTrue(kv);
        } else if (!strcmp(kv->string, "sentinelInterval")) {
            if (!cJSON_IsString(kv) ||
                rfg_parse_duration_ms(kv->valuestring, &ms) ||
                (ms && (ms < 60000 || ms > 86400000)))
                return bad(L, kv, "audit.sentinelInterval must be 0 (off) "
                           "or a duration from 1m to 24h, such as 10m");
            p->audit_sentinel_interval_ms = (unsigned)ms;
        } else {
            return bad(L, kv, "unknown key \"%s\" in audit (expected "
                       "interval, dryRun, sentinelInterval)", kv->string);
        }
    }
    return RFG_OK;
}

static int load_spec(struct ploader *L, struct policy_set *p,
                     const cJSON *spec)
{
    const cJSON *kv, *r, *ns;
    int rc;

    cJSON_ArrayForEach(kv, spec) {
        if (!strcmp(kv->string, "target")) {
            if (cJSON_IsString(kv) &&
                !(p->target = rf_target_parse(kv->valuestring)) &&
                !rf_target_parse_error(kv->valuestring))
                return bad(L, kv,
                           "target \"%s\" names two versions of one "
                           "operator: give at most one per operator",
                           kv->valuestring);
            if (!cJSON_IsString(kv) || !p->target)
                return bad(L, kv,
                           "unknown target \"%s\" (expected one of "
                           RF_TARGET_NAMES ", or a comma-separated list "
                           "with at most one per operator)",
                           cJSON_IsString(kv) ? kv->valuestring : "?");
            p->target_pos = posmap_get(L->doc->pm, kv);
        } else if (!strcmp(kv->string, "mutations")) {
            if (!cJSON_IsBool(kv))
                return bad(L, kv, "%s must be true or false", "mutations");
            p->mutations = cJSON_IsTrue(kv);
        } else if (!strcmp(kv->string, "podTemplateMutations")) {
            if (!cJSON_IsString(kv) ||
                (strcmp(kv->valuestring, "create") &&
                 strcmp(kv->valuestring, "always")))
                return bad(L, kv, "%s must be create or always",
                           "podTemplateMutations");
            p->pod_template_on_update = !strcmp(kv->valuestring, "always");
        } else if (!strcmp(kv->string, "defaultSeverity")) {
            /* YAML 1.1 (kubectl's) reads a plain `off` as false. */
            if (cJSON_IsFalse(kv))
                p->default_sev = RFG_SEV_OFF;
            else if (!cJSON_IsString(kv) ||
                     parse_sev(kv->valuestring, &p->default_sev))
                return bad(L, kv, "%s must be deny, warn or off",
                           "defaultSeverity");
            p->default_sev_set = true;
            p->default_sev_pos = posmap_get(L->doc->pm, kv);
        } else if (!strcmp(kv->string, "rules")) {
            if (!cJSON_IsObject(kv))
                return bad(L, kv, "%s must be a mapping of rule ids",
                           "rules");
            p->rules = calloc((size_t)cJSON_GetArraySize(kv) + 1,
                              sizeof(*p->rules));
            if (!p->rules)
                return diag_fail(L->dl, RFG_ENOMEM, NULL, "out of memory");
            cJSON_ArrayForEach(r, kv) {
                if ((rc = load_rule(L, p, r)))
                    return rc;
            }
        } else if (!strcmp(kv->string, "skips")) {
            if ((rc = load_skips(L, p, kv)))
                return rc;
        } else if (!strcmp(kv->string, "audit")) {
            if ((rc = load_audit(L, p, kv)))
                return rc;
        } else if (!strcmp(kv->string, "exemptions")) {
            if (!cJSON_IsObject(kv))
                return bad(L, kv, "%s must be a mapping", "exemptions");
            cJSON_ArrayForEach(r, kv) {
                if (strcmp(r->string, "namespaces"))
                    return bad(L, r,
                               "unknown key \"%s\" in exemptions "
                               "(expected namespaces)",
                               r->string);
                if (!cJSON_IsArray(r))
                    return bad(L, r, "%s must be a list of globs",
                               "namespaces");
                p->exempt_ns = calloc((size_t)cJSON_GetArraySize(r) + 1,
                                      sizeof(char *));
                if (!p->exempt_ns)
                    return diag_fail(L->dl, RFG_ENOMEM, NULL,
                                     "out of memory");
                cJSON_ArrayForEach(ns, r) {
                    if (!cJSON_IsString(ns))
                        return bad(L, ns, "%s must be a string",
                                   "a namespace glob");
                    p->exempt_ns[p->nexempt_ns] = strdup(ns->valuestring);
                    if (!p->exempt_ns[p->nexempt_ns])
                        return diag_fail(L->dl, RFG_ENOMEM, NULL,
                                         "out of memory");
                    p->nexempt_ns++;
                }
            }
        } else {
            return bad(L, kv,
                       "unknown key \"%s\" in spec (expected target, "
                       "mutations, podTemplateMutations, defaultSeverity, "
                       "exemptions, skips, rules, audit)",
                       kv->string);
        }
    }
    return RFG_OK;
}

static int load_doc(struct ploader *L, struct policy_set *p)
{
    const cJSON *root = L->doc->root;
    const cJSON *kv, *spec = NULL;
    struct src_pos start = L->doc->start;

    if (!cJSON_IsObject(root))
        return diag_fail(L->dl, RFG_EINVAL, &start,
                         "a policy must be a mapping with apiVersion, kind "
                         "and spec");
    cJSON_ArrayForEach(kv, root) {
        if (!strcmp(kv->string, "apiVersion")) {
            if (!cJSON_IsString(kv) ||
                strcmp(kv->valuestring, POLICY_API_VERSION))
                return bad(L, kv, "apiVersion must be %s",
                           POLICY_API_VERSION);
        } else if (!strcmp(kv->string, "kind")) {
            if (!cJSON_IsString(kv) || strcmp(kv->valuestring, "Policy"))
                return bad(L, kv, "kind must be %s", "Policy");
        } else if (!strcmp(kv->string, "metadata")) {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(kv, "name");

            if (cJSON_IsString(n)) {
                free(p->name);
                p->name = strdup(n->valuestring);
                if (!p->name)
                    return diag_fail(L->dl, RFG_ENOMEM, NULL,
                                     "out of memory");
            }
        } else if (!strcmp(kv->string, "spec")) {
            if (!cJSON_IsObject(kv))
                return bad(L, kv, "%s must be a mapping", "spec");
            spec = kv;
        } else {
            return bad(L, kv,
                       "unknown key \"%s\" (expected apiVersion, kind, "
                       "metadata, spec)",
                       kv->string);
        }
    }
    if (!cJSON_GetObjectItemCaseSensitive(root, "apiVersion"))
        return diag_fail(L->dl, RFG_EINVAL, &start,
                         "apiVersion is missing (expected %s)",
                         POLICY_API_VERSION);
    if (!spec)
        return diag_fail(L->dl, RFG_EINVAL, &start, "spec is missing");
    return load_spec(L, p, spec);
}

static int cmp_rule_ptr(const void *a, const void *b)
{
    const struct policy_rule *const *x = a, *const *y = b;

    return strcmp((*x)->id, (*y)->id);
}

/* Sort pointers to the rules by id: the engine looks a rule up for every
 * rule of every object it checks. */
static int index_rules(struct policy_set *p)
{
    size_t i;

    p->by_id = calloc(p->nrules + 1, sizeof(*p->by_id));
    if (!p->by_id)
        return RFG_ENOMEM;
    for (i = 0; i < p->nrules; i++)
        p->by_id[i] = &p->rules[i];
    qsort(p->by_id, p->nrules, sizeof(*p->by_id), cmp_rule_ptr);
    return RFG_OK;
}

int policy_load(struct policy_set **out, const char *buf, size_t len,
                const char *file, struct diag_list *dl)
{
    struct ydoc_stream ys = {0};
    struct policy_set *p = NULL;
    struct ploader L;
    const char *saved = dl->file;
    int rc;

    *out = NULL;
    dl->file = file;
    if (len > POLICY_MAX_BYTES) {
        rc = diag_fail(dl, RFG_ELIMIT, NULL,
                       "policy is larger than %zu bytes", POLICY_MAX_BYTES);
        goto out;
    }
    rc = ydoc_load(&ys, buf, len, NULL, dl);
    if (rc)
        goto out;
    if (ys.len != 1) {
        struct src_pos pos = ys.len ? ys.docs[1].start : (struct src_pos){0};

        rc = diag_fail(dl, RFG_EINVAL, ys.len ? &pos : NULL,
                       ys.len ? "a policy file holds one document"
                              : "policy is empty");
        goto out;
    }
    p = calloc(1, sizeof(*p));
    if (!p || !(p->file = strdup(file))) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    p->target = RF_TARGET_DEFAULT;
    p->mutations = true;
    L.doc = &ys.docs[0];
    L.dl = dl;
    rc = load_doc(&L, p);
    if (rc)
        goto out;
    if (!p->name && !(p->name = strdup(file))) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    rc = index_rules(p);
    if (rc) {
        diag_fail(dl, rc, NULL, "out of memory");
        goto out;
    }
    *out = p;
    p = NULL;
out:
    dl->file = saved;
    policy_free(p);
    ydoc_stream_cleanup(&ys);
    return rc;
}

int policy_load_file(struct policy_set **out, const char *path,
                     struct diag_list *dl)
{
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    int rc;

    *out = NULL;
    f = fopen(path, "rb");
    if (!f) {
        const char *saved = dl->file;

        dl->file = path;
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot open policy: %s",
                       strerror(errno));
        dl->file = saved;
        return rc;
    }
    for (;;) {
        if (len == cap) {
            char *nb;

            cap = cap ? cap * 2 : 4096;
            if (cap > POLICY_MAX_BYTES + 4096) {
                rc = RFG_ELIMIT;
                break;
            }
            nb = realloc(buf, cap);
            if (!nb) {
                rc = RFG_ENOMEM;
                break;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            rc = ferror(f) ? RFG_EIO : RFG_OK;
            break;
        }
    }
    fclose(f);
    if (rc == RFG_OK)
        rc = policy_load(out, buf ? buf : "", len, path, dl);
    else {
        const char *saved = dl->file;

        dl->file = path;
        diag_fail(dl, rc, NULL, "cannot read policy: %s",
                  rfg_strerror(rc));
        dl->file = saved;
    }
    free(buf);
    return rc;
}

int policy_load_builtin(struct policy_set **out, struct diag_list *dl)
{
    return policy_load(out, rfg_builtin_policy, rfg_builtin_policy_len,
                       "<builtin>", dl);
}

const struct policy_rule *policy_rule_get(const struct policy_set *p,
                                          const char *id)
{
    size_t lo = 0, hi;

    if (!p || !p->by_id)
        return NULL;
    hi = p->nrules;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->by_id[mid]->id, id);

        if (!c)
            return p->by_id[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

enum rfg_sev policy_rule_sev(const struct policy_set *p, const char *id,
                             enum rfg_sev def)
{
    const struct policy_rule *pr = policy_rule_get(p, id);

    if (pr && pr->sev_set)
        return pr->sev;
    return p && p->default_sev_set ? p->default_sev : def;
}

bool policy_ns_exempt(const struct policy_set *p, const char *ns)
{
    size_t i;

    if (!p || !ns)
        return false;
    for (i = 0; i < p->nexempt_ns; i++)
        if (fnmatch(p->exempt_ns[i], ns, 0) == 0)
            return true;
    return false;
}

/* Is `s` in the list? */
static bool in_list(char *const *v, size_t n, const char *s)
{
    size_t i;

    for (i = 0; s && i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* Does the grant let `user` skip? No users and no groups: anyone. */
static enum policy_skip_verdict grant_user(const struct policy_skip_grant *g,
                                           const struct policy_user *user)
{
    const cJSON *grp;

    if (!g->nusers && !g->ngroups)
        return POLICY_SKIP_ALLOWED;
    if (!user)
        return POLICY_SKIP_NO_USER;
    if (in_list(g->users, g->nusers, user->name))
        return POLICY_SKIP_ALLOWED;
    if (cJSON_IsArray(user->groups)) {
        cJSON_ArrayForEach(grp, user->groups) {
            if (cJSON_IsString(grp) &&
                in_list(g->groups, g->ngroups, grp->valuestring))
                return POLICY_SKIP_ALLOWED;
        }
    }
    return POLICY_SKIP_USER;
}

enum policy_skip_verdict policy_skip_allowed(const struct policy_set *p,
                                             const char *rule_id,
                                             const char *ns,
                                             const struct policy_user *user)
{
    enum policy_skip_verdict best = POLICY_SKIP_RULE, v;
    size_t i, j;

    for (i = 0; p && i < p->nskips; i++) {
        const struct policy_skip_grant *g = &p->skips[i];
        bool ns_ok = !g->nnamespaces;

        if (!in_list(g->rules, g->nrules, rule_id))
            continue;
        for (j = 0; j < g->nnamespaces && !ns_ok; j++)
            ns_ok = ns && fnmatch(g->namespaces[j], ns, 0) == 0;
        v = ns_ok ? grant_user(g, user) : POLICY_SKIP_NAMESPACE;
        if (v == POLICY_SKIP_ALLOWED)
            return v;
        if (v > best)
            best = v;
    }
    return best;
}
