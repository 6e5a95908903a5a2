/* SPDX-License-Identifier: Apache-2.0
 *
 * report_policy.c - an audit's results as PolicyReports of the Policy
 * Report API (wgpolicyk8s.io/v1alpha2): one namespaced report per
 * namespace with an audited failover, a result per failover and rule.
 * Builds cJSON only; printing and applying them is the caller's. Findings
 * carry no Secret value (the rules quote none), and nothing else of a
 * Secret is read here.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rules.h"

/* One result before it becomes JSON. */
struct pres {
    const struct audit_failover *f;
    const char *rule;              /* NULL: every rule (exempt) */
    const char *result;            /* fail, warn, skip, pass */
    enum rfg_sev sev;
    const struct report_entry *e;  /* NULL for pass */
    size_t seq;
};

static int cmp_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_pres(const void *pa, const void *pb)
{
    const struct pres *a = pa, *b = pb;
    int c = cmp_str(a->f->name, b->f->name);

    if (!c)
        c = cmp_str(a->f->uid, b->f->uid);
    if (!c)
        c = cmp_str(a->rule, b->rule);
    if (!c && a->e && b->e)
        c = cmp_str(a->e->ptr, b->e->ptr);
    if (!c && a->e && b->e)
        c = cmp_str(a->e->msg, b->e->msg);
    if (!c)
        c = a->seq < b->seq ? -1 : a->seq > b->seq;
    return c;
}

static const char *severity(enum rfg_sev s)
{
    return s == RFG_SEV_DENY ? "high" : "medium";
}

static bool add_str(cJSON *o, const char *k, const char *v)
{
    return cJSON_AddStringToObject(o, k, v ? v : "") != NULL;
}

static cJSON *resource(const struct audit_failover *f)
{
    cJSON *r = cJSON_CreateObject();

    if (!r || !add_str(r, "apiVersion", f->api_version) ||
        !add_str(r, "kind", f->kind) || !add_str(r, "namespace", f->ns) ||
        !add_str(r, "name", f->name) ||
        (*f->uid && !add_str(r, "uid", f->uid))) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

static cJSON *result_json(const struct pres *p, const char *policy,
                          const struct audit_report_opts *o)
{
    cJSON *r = cJSON_CreateObject(), *res, *ts, *props = NULL;
    const struct rule_desc *d = p->rule ? rules_find(p->rule) : NULL;
    char pass[400];
    const char *msg = p->e ? p->e->msg : pass;
    bool ok;

    /* a pass says what was checked: the rule's one-line doc */
    snprintf(pass, sizeof(pass), "passed; the rule checks: %s",
             d && d->doc ? d->doc : p->rule ? p->rule : "");
    if (!r)
        return NULL;
    ok = add_str(r, "policy", policy) &&
         (!p->rule || add_str(r, "rule", p->rule)) &&
         add_str(r, "result", p->result) &&
         add_str(r, "severity", severity(p->sev)) &&
         add_str(r, "message", msg) && add_str(r, "source", AUDIT_SOURCE);
    ts = ok ? cJSON_AddObjectToObject(r, "timestamp") : NULL;
    ok = ts && cJSON_AddNumberToObject(ts, "seconds", (double)o->seconds) &&
         cJSON_AddNumberToObject(ts, "nanos", (double)o->nanos);
    res = ok ? cJSON_AddArrayToObject(r, "resources") : NULL;
    ok = res && cJSON_AddItemToArray(res, resource(p->f)) &&
         cJSON_GetArraySize(res) == 1;
    if (ok && p->e && ((p->e->ptr && *p->e->ptr) || p->e->hint)) {
        props = cJSON_AddObjectToObject(r, "properties");
        ok = props && (!p->e->ptr || !*p->e->ptr ||
                       add_str(props, "pointer", p->e->ptr)) &&
             (!p->e->hint || add_str(props, "hint", p->e->hint));
    }
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

/* What every namespace's results are made from, built once: each
 * failover's report entries (by document, as in compressed sparse rows)
 * and every rule's severity under the policy. */
struct pctx {
    const struct audit *a;
    const struct policy_set *pol;
    size_t *start;         /* owned; entries of doc d: idx[start[d] ..
                              start[d + 1]) */
    size_t *idx;           /* owned; entry indices */
    enum rfg_sev *sev;     /* owned; per catalogue rule */
    const struct rule_desc *cat;
    size_t ncat;
};

static void pctx_cleanup(struct pctx *c)
{
    free(c->start);
    free(c->idx);
    free(c->sev);
}

static int pctx_init(struct pctx *c, const struct audit *a,
                     const struct policy_set *pol)
{
    size_t nd = a->rep.ndocs, i, *fill;

    memset(c, 0, sizeof(*c));
    c->a = a;
    c->pol = pol;
    c->cat = rules_catalog(&c->ncat);
    c->start = calloc(nd + 2, sizeof(*c->start));
    c->idx = calloc(a->rep.len + 1, sizeof(*c->idx));
    c->sev = calloc(c->ncat + 1, sizeof(*c->sev));
    fill = calloc(nd + 1, sizeof(*fill));
    if (!c->start || !c->idx || !c->sev || !fill) {
        free(fill);
        pctx_cleanup(c);
        return RFG_ENOMEM;
    }
    for (i = 0; i < c->ncat; i++)
        c->sev[i] = pol ? rules_severity(&c->cat[i], pol)
                        : c->cat[i].default_sev;
    for (i = 0; i < a->rep.len; i++)
        if (a->rep.v[i].doc < nd)
            c->start[a->rep.v[i].doc + 1]++;
    for (i = 0; i < nd; i++)
        c->start[i + 1] += c->start[i];
    for (i = 0; i < a->rep.len; i++) {
        size_t d = a->rep.v[i].doc;

        if (d < nd)
            c->idx[c->start[d] + fill[d]++] = i;
    }
    free(fill);
    return RFG_OK;
}

/* The results of namespace `ns`, sorted; *n their number. */
static struct pres *ns_results(const struct pctx *c, const char *ns,
                               size_t *n)
{
    const struct audit *a = c->a;
    size_t i, k, cap = 1, len = 0;
    struct pres *v;

    for (i = 0; i < a->nrfs; i++)
        if (!strcmp(a->rfs[i].ns, ns) && a->rfs[i].doc < a->rep.ndocs)
            cap += a->rfs[i].nrules + c->start[a->rfs[i].doc + 1] -
                   c->start[a->rfs[i].doc];
    v = calloc(cap, sizeof(*v));
    if (!v)
        return NULL;
    for (i = 0; i < a->nrfs; i++) {
        const struct audit_failover *f = &a->rfs[i];
        size_t e0, e1;

        if (strcmp(f->ns, ns) || f->doc >= a->rep.ndocs)
            continue;
        e0 = c->start[f->doc];
        e1 = c->start[f->doc + 1];
        for (k = e0; k < e1; k++) {
            const struct report_entry *e = &a->rep.v[c->idx[k]];

            if (e->kind == REPORT_ERROR)
                continue;
            v[len] = (struct pres){f, e->rule, "skip", RFG_SEV_WARN, e,
                                   len};
            if (e->kind == REPORT_FINDING) {
                v[len].result = e->sev == RFG_SEV_DENY ? "fail" : "warn";
                v[len].sev = e->sev;
            } else {
                const struct rule_desc *d =
                    e->rule ? rules_find(e->rule) : NULL;

                if (!d)
                    v[len].rule = NULL;
                else
                    v[len].sev = c->sev[d - c->cat];
            }
            len++;
        }
        for (k = 0; k < f->nrules; k++) {
            const struct rule_desc *d = &c->cat[f->rules[k]];
            size_t j;
            bool found = false;

            for (j = e0; j < e1 && !found; j++) {
                const struct report_entry *e = &a->rep.v[c->idx[j]];

                found = e->kind == REPORT_FINDING && e->rule &&
                        !strcmp(e->rule, d->id);
            }
            if (!found) {
                v[len] = (struct pres){f, d->id, "pass",
                                       c->sev[f->rules[k]], NULL, len};
                len++;
            }
        }
    }
    qsort(v, len, sizeof(*v), cmp_pres);
    *n = len;
    return v;
}

static cJSON *one_report(const struct pctx *c, const char *ns,
                         const struct audit_report_opts *o)
{
    const char *policy = AUDIT_POLICY;
    const char *pol_name = o->pol && o->pol->name && *o->pol->name
                               ? o->pol->name
                               : "default";
    size_t max = o->max_bytes ? o->max_bytes : AUDIT_REPORT_MAX_BYTES;
    size_t n = 0, i, npass = 0, nfail = 0, nwarn = 0, nskip = 0;
    struct pres *v = ns_results(c, ns, &n);
    cJSON *rep = NULL, *md, *labels, *ann, *sum, *results = NULL;
    bool ok, drop_pass = false;
    int pass;

    if (!v)
        return NULL;
    for (i = 0; i < n; i++) {
        npass += v[i].result[0] == 'p';
        nfail += v[i].result[0] == 'f';
        nwarn += v[i].result[0] == 'w';
        nskip += v[i].result[0] == 's';
    }
    for (pass = 0; pass < 2; pass++) {
        cJSON_Delete(rep);
        rep = cJSON_CreateObject();
        ok = rep && add_str(rep, "apiVersion", "wgpolicyk8s.io/v1alpha2") &&
             add_str(rep, "kind", "PolicyReport");
        md = ok ? cJSON_AddObjectToObject(rep, "metadata") : NULL;
        ok = md && add_str(md, "name", AUDIT_REPORT_NAME) &&
             add_str(md, "namespace", ns);
        labels = ok ? cJSON_AddObjectToObject(md, "labels") : NULL;
        ok = labels &&
             add_str(labels, "app.kubernetes.io/managed-by",
                     AUDIT_MANAGED_BY);
        ann = ok ? cJSON_AddObjectToObject(md, "annotations") : NULL;
        ok = ann && add_str(ann, AUDIT_POLICY_ANNOTATION, pol_name);
        if (ok && drop_pass) {
            char msg[200];

            snprintf(msg, sizeof(msg), "%zu pass results left out: the "
                     "report would pass %zu bytes; the summary counts "
                     "them", npass, max);
            ok = add_str(ann, AUDIT_OMITTED_ANNOTATION, msg);
        }
        sum = ok ? cJSON_AddObjectToObject(rep, "summary") : NULL;
        ok = sum && cJSON_AddNumberToObject(sum, "pass", (double)npass) &&
             cJSON_AddNumberToObject(sum, "fail", (double)nfail) &&
             cJSON_AddNumberToObject(sum, "warn", (double)nwarn) &&
             cJSON_AddNumberToObject(sum, "error", 0) &&
             cJSON_AddNumberToObject(sum, "skip", (double)nskip);
        results = ok ? cJSON_AddArrayToObject(rep, "results") : NULL;
        ok = results != NULL;
        for (i = 0; ok && i < n; i++) {
            cJSON *r;

            if (drop_pass && v[i].result[0] == 'p')
                continue;
            r = result_json(&v[i], policy, o);
            ok = r && cJSON_AddItemToArray(results, r);
        }
        if (!ok)
            break;
        if (!drop_pass) {
            char *s = cJSON_PrintUnformatted(rep);

            if (!s) {
                ok = false;
                break;
            }
            drop_pass = strlen(s) > max && npass > 0;
            cJSON_free(s);
            if (!drop_pass)
                break;
        }
    }
    free(v);
    if (!ok) {
        cJSON_Delete(rep);
        return NULL;
    }
    return rep;
}

static int cmp_ns(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int audit_policy_reports(cJSON **out, const struct audit *a,
                         const struct audit_report_opts *o)
{
    const char **ns = calloc(a->nrfs + 1, sizeof(*ns));
    size_t i, n = 0;
    cJSON *arr = cJSON_CreateArray();
    struct pctx c;
    bool have_ctx = false;

    *out = NULL;
    if (!ns || !arr || pctx_init(&c, a, o->pol))
        goto oom;
    have_ctx = true;
    for (i = 0; i < a->nrfs; i++)
        ns[n++] = a->rfs[i].ns;
    qsort(ns, n, sizeof(*ns), cmp_ns);
    for (i = 0; i < n; i++) {
        cJSON *r;

        if (i && !strcmp(ns[i], ns[i - 1]))
            continue;
        r = one_report(&c, ns[i], o);
        if (!r || !cJSON_AddItemToArray(arr, r)) {
            cJSON_Delete(r);
            goto oom;
        }
    }
    pctx_cleanup(&c);
    free(ns);
    *out = arr;
    return RFG_OK;
oom:
    if (have_ctx)
        pctx_cleanup(&c);
    free(ns);
    cJSON_Delete(arr);
    return RFG_ENOMEM;
}
