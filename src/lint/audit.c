/* SPDX-License-Identifier: Apache-2.0
 *
 * audit.c - audit one List held in memory (audit.h): parse it, put every
 * object in a complete cluster view, run every rule on each selected
 * failover and fill a lint report. Also the label selectors of
 * --selector. The PolicyReports are report_policy.c's; reading a cluster
 * is the CLI's.
 */
#include "audit.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inputs.h"
#include "jpatch.h"
#include "json.h"
#include "rules.h"
#include "sbuf.h"
#include "wipe.h"
#include "ydoc.h"

void audit_init(struct audit *a)
{
    memset(a, 0, sizeof(*a));
    report_init(&a->rep);
}

static void failover_cleanup(struct audit_failover *f)
{
    free(f->api_version);
    free(f->kind);
    free(f->ns);
    free(f->name);
    free(f->uid);
    free(f->rules);
}

void audit_cleanup(struct audit *a)
{
    size_t i;

    for (i = 0; i < a->nrfs; i++)
        failover_cleanup(&a->rfs[i]);
    free(a->rfs);
    report_cleanup(&a->rep);
    memset(a, 0, sizeof(*a));
    report_init(&a->rep);
}

/* ---- label selectors ---- */

enum sel_op { SEL_EQ, SEL_NE, SEL_EXISTS, SEL_ABSENT, SEL_IN, SEL_NOTIN };

/* One requirement of `s` from *p on: its key and values as spans. */
struct sel_req {
    enum sel_op op;
    const char *key;
    size_t keylen;
    const char *vals;      /* "v" or "v1,v2" (inside the parentheses) */
    size_t valslen;
};

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

static bool key_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.' ||
           c == '/';
}

/* Parse the requirement at *p; *p moves past it and its comma. Returns
 * NULL or why it is not one. */
static const char *sel_next(const char **p, struct sel_req *r)
{
    const char *s = skip_ws(*p), *e;

    memset(r, 0, sizeof(*r));
    r->op = SEL_EXISTS;
    if (*s == '!') {
        r->op = SEL_ABSENT;
        s = skip_ws(s + 1);
    }
    r->key = s;
    while (key_char(*s))
        s++;
    r->keylen = (size_t)(s - r->key);
    if (!r->keylen)
        return "a requirement needs a label key";
    s = skip_ws(s);
    if (r->op == SEL_ABSENT) {
        /* nothing may follow !key */
    } else if (s[0] == '=' || (s[0] == '!' && s[1] == '=')) {
        r->op = s[0] == '!' ? SEL_NE : SEL_EQ;
        s += s[0] == '!' || s[1] == '=' ? 2 : 1;
        s = skip_ws(s);
        r->vals = s;
        while (key_char(*s) && *s != '/')
            s++;
        r->valslen = (size_t)(s - r->vals);
        s = skip_ws(s);
    } else if ((!strncmp(s, "in", 2) && !key_char(s[2])) ||
               (!strncmp(s, "notin", 5) && !key_char(s[5]))) {
        r->op = s[0] == 'i' ? SEL_IN : SEL_NOTIN;
        s = skip_ws(s + (r->op == SEL_IN ? 2 : 5));
        if (*s != '(')
            return "'in' and 'notin' need a list in parentheses";
        r->vals = ++s;
        e = strchr(s, ')');
        if (!e)
            return "a list in parentheses has no ')'";
        r->valslen = (size_t)(e - s);
        s = skip_ws(e + 1);
    }
    if (*s && *s != ',')
        return "expected ',' between requirements (operators: =, ==, "
               "!=, in, notin, !key)";
    *p = *s ? s + 1 : s;
    return NULL;
}

int audit_selector_check(const char *sel, char *err, size_t errlen)
{
    const char *p = sel, *why;
    struct sel_req r;

    while (p && *skip_ws(p)) {
        if ((why = sel_next(&p, &r))) {
            snprintf(err, errlen, "label selector '%s': %s", sel, why);
            return RFG_EINVAL;
        }
    }
    return RFG_OK;
}

/* Is the value of `label` one of the comma-separated vals? */
static bool in_vals(const char *label, const char *vals, size_t len)
{
    const char *p = vals, *end = vals + len;

    while (p <= end) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *q = c ? c : end, *a = p, *b = q;

        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if ((size_t)(b - a) == strlen(label) &&
            !memcmp(a, label, (size_t)(b - a)))
            return true;
        p = q + 1;
    }
    return false;
}

bool audit_selector_matches(const char *sel, const cJSON *labels)
{
    const char *p = sel;
    struct sel_req r;

    while (p && *skip_ws(p)) {
        const cJSON *l = NULL, *it;
        const char *v;
        char key[320];

        if (sel_next(&p, &r) || r.keylen >= sizeof(key))
            return false;
        memcpy(key, r.key, r.keylen);
        key[r.keylen] = '\0';
        for (it = cJSON_IsObject(labels) ? labels->child : NULL; it;
             it = it->next)
            if (it->string && !strcmp(it->string, key))
                l = it;
        v = cJSON_IsString(l) ? l->valuestring : NULL;
        switch (r.op) {
        case SEL_EXISTS:
            if (!v)
                return false;
            break;
        case SEL_ABSENT:
            if (v)
                return false;
            break;
        case SEL_EQ:
        case SEL_IN:
            if (!v || !in_vals(v, r.vals, r.valslen) ||
                (r.op == SEL_EQ && strlen(v) != r.valslen))
                return false;
            break;
        case SEL_NE:
        case SEL_NOTIN:
            if (v && in_vals(v, r.vals, r.valslen) &&
                (r.op == SEL_NOTIN || strlen(v) == r.valslen))
                return false;
            break;
        }
    }
    return true;
}

/* ---- the run ---- */

struct aobj {
    const struct ydoc *yd;
    cJSON *obj;            /* in the stream's trees */
    struct src_pos pos;
};

struct arun {
    struct audit *a;
    const struct audit_opts *o;
    const char *name;
    struct aobj *v;
    size_t len, cap;
};

static int collect(struct arun *r, const struct ydoc *yd, cJSON *obj,
                   struct src_pos pos)
{
    void *nv;

    if (!cJSON_IsObject(obj))
        return RFG_OK;
    nv = rfg_grow(r->v, &r->cap, r->len, sizeof(*r->v), 64);
    if (!nv)
        return RFG_ENOMEM;
    r->v = nv;
    r->v[r->len++] = (struct aobj){yd, obj, pos};
    return RFG_OK;
}

/* The objects of a document: its root, or the items of a List. */
static int collect_doc(struct arun *r, const struct ydoc *yd)
{
    cJSON *it;
    int rc = RFG_OK;

    if (!inputs_is_list(yd->root))
        return collect(r, yd, yd->root, yd->start);
    cJSON_ArrayForEach(it, json_get_mut(yd->root, "items")) {
        if ((rc = collect(r, yd, it, posmap_get(yd->pm, it))))
            break;
    }
    return rc;
}

static bool is_secret(const cJSON *obj)
{
    const char *k = json_str(obj, "kind");

    return k && !strcmp(k, "Secret");
}

/* Overwrite every string of a Secret's tree (values, and the last
 * applied configuration that repeats them): the view has what it needs. */
static void wipe_tree(cJSON *n)
{
    cJSON *c;

    if (cJSON_IsString(n) && n->valuestring)
        rfg_wipe(n->valuestring, strlen(n->valuestring));
    for (c = n ? n->child : NULL; c; c = c->next)
        wipe_tree(c);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* Why the Secret rules of a failover with auth did not run. */
#define AUDIT_NO_SECRETS "cannot verify: the Secrets could not be listed " \
                         "(grant list on secrets)"

/* Does rule `id` read the failover's Secret, which the view lacks
 * (secrets_unknown)? */
static bool unverifiable(const struct audit_opts *o, const cJSON *obj,
                         const char *id)
{
    static const char *const secret_rules[] = {
        "auth-secret-exists", "auth-password-key", "auth-password-charset",
        "auth-secret-unique"};
    size_t i;

    const cJSON *spec = json_get(obj, "spec");

    if (!o->secrets_unknown ||
        !json_str(rf_is_failover(obj)
                      ? json_get(spec, "auth")
                      : json_get(json_get(spec, "kubernetesConfig"),
                                 "redisSecret"),
                  rf_is_failover(obj) ? "secretPath" : "name"))
        return false;
    for (i = 0; i < sizeof(secret_rules) / sizeof(secret_rules[0]); i++)
        if (!strcmp(id, secret_rules[i]))
            return true;
    return false;
}

/* Record the rules evaluated for failover `f` (an object of kind
 * `kind`): on, applying to its kind and target, not skipped
 * (res->skipped). */
static int evaluated_rules(struct audit_failover *f,
                           const struct rules_result *res,
                           const struct audit_opts *o, enum rf_kind kind)
{
    size_t n, i, k;
    const struct rule_desc *cat = rules_catalog(&n);
    enum rf_target t = rf_target_pick(o->target ? o->target
                                                : o->pol->target, kind);

    f->rules = calloc(n + 1, sizeof(*f->rules));
    if (!f->rules)
        return RFG_ENOMEM;
    for (k = 0; k < res->nskipped; k++)
        if (!res->skipped[k].rule)
            return RFG_OK; /* the namespace is exempt: none */
    for (i = 0; i < n; i++) {
        bool skipped = false;

        if (rules_severity(&cat[i], o->pol) == RFG_SEV_OFF ||
            !(cat[i].targets & t) || !(rules_kinds(&cat[i]) & kind) ||
            (cat[i].flags & RULE_UPDATE_ONLY))
            continue;
        for (k = 0; k < res->nskipped && !skipped; k++)
            skipped = res->skipped[k].rule == &cat[i];
        if (!skipped)
            f->rules[f->nrules++] = i;
    }
    return RFG_OK;
}

/* Audit failover `ao`: its report document, findings, skips and the
 * rules it got. */
static int audit_one(struct arun *r, const struct rules_plan *plan,
                     const struct cview *cv, const struct aobj *ao)
{
    struct audit *a = r->a;
    const cJSON *md = json_get(ao->obj, "metadata");
    const char *ns = rf_namespace(ao->obj, "default");
    const char *name = json_str(md, "name");
    struct audit_failover *f;
    struct rules_input ri;
    struct rules_result res;
    struct sbuf object;
    size_t i;
    int rc;
    void *nv;

    if (r->o->ns && *r->o->ns && strcmp(ns, r->o->ns))
        return RFG_OK;
    if (r->o->selector &&
        !audit_selector_matches(r->o->selector, json_get(md, "labels")))
        return RFG_OK;
    nv = rfg_grow(a->rfs, &a->caprfs, a->nrfs, sizeof(*a->rfs), 16);
    if (!nv)
        return RFG_ENOMEM;
    a->rfs = nv;
    f = &a->rfs[a->nrfs++];
    memset(f, 0, sizeof(*f));
    f->api_version = dup_or_empty(json_str(ao->obj, "apiVersion"));
    f->kind = dup_or_empty(json_str(ao->obj, "kind"));
    f->ns = dup_or_empty(ns);
    f->name = dup_or_empty(name);
    f->uid = dup_or_empty(json_str(md, "uid"));
    if (!f->api_version || !f->kind || !f->ns || !f->name || !f->uid)
        return RFG_ENOMEM;
    sbuf_init(&object, 0);
    /* ns/name; the OpsTree kinds say which they are, as an object of
     * each kind may have the same name */
    rc = sbuf_printf_clip(&object, 253, "%s%s%s/%s",
                          rf_is_failover(ao->obj) ? "" : f->kind,
                          rf_is_failover(ao->obj) ? "" : " ", ns,
                          name ? name : "")
             ? RFG_ENOMEM
             : RFG_OK;
    if (!rc)
        rc = report_add_doc(&a->rep, r->name,
                            r->o->no_positions ? 0 : ao->pos.line, f->kind,
                            sbuf_str(&object), &f->doc);
    if (rc) {
        sbuf_cleanup(&object);
        return rc;
    }
    a->rep.failovers++;
    memset(&ri, 0, sizeof(ri));
    ri.phase = RULES_PHASE_ALL;
    ri.plan = plan;
    ri.obj = ao->obj;
    ri.op = RULES_CREATE;
    ri.pol = r->o->pol;
    ri.cv = cv;
    ri.target = r->o->target;
    ri.default_ns = "default";
    rc = rules_eval(&res, &ri);
    if (rc) {
        sbuf_cleanup(&object);
        return rc;
    }
    for (i = 0; !rc && i < res.len; i++) {
        const struct finding *fd = &res.v[i];
        struct src_pos pos;

        if (unverifiable(r->o, ao->obj, fd->rule->id))
            continue;
        pos =
            posmap_get(ao->yd ? ao->yd->pm : NULL,
                         jptr_deepest(ao->obj, fd->ptr));
        if (!pos.line)
            pos = ao->pos;
        if (r->o->no_positions)
            pos = (struct src_pos){0, 0};
        rc = report_add_finding(&a->rep, f->doc, r->name, pos, fd->sev,
                                fd->rule->id, fd->msg, fd->hint, fd->ptr,
                                sbuf_str(&object), NULL);
    }
    for (i = 0; !rc && i < res.nskipped; i++)
        rc = report_add_skipped(&a->rep, f->doc, r->name,
                                r->o->no_positions ? (struct src_pos){0, 0}
                                                   : ao->pos,
                                res.skipped[i].rule
                                    ? res.skipped[i].rule->id
                                    : "*",
                                res.skipped[i].reason, sbuf_str(&object));
    if (!rc)
        rc = evaluated_rules(f, &res, r->o, rf_kind_of(ao->obj));
    /* the rules that read the failover's Secret, when no Secret could be
     * listed: neither a finding nor a pass, but skipped, saying why */
    for (i = 0; !rc && i < f->nrules; i++) {
        size_t ncat;
        const struct rule_desc *d = rules_catalog(&ncat) + f->rules[i];

        if (!unverifiable(r->o, ao->obj, d->id))
            continue;
        rc = report_add_skipped(&a->rep, f->doc, r->name,
                                r->o->no_positions ? (struct src_pos){0, 0}
                                                   : ao->pos,
                                d->id, AUDIT_NO_SECRETS, sbuf_str(&object));
        memmove(&f->rules[i], &f->rules[i + 1],
                (f->nrules - i - 1) * sizeof(*f->rules));
        f->nrules--;
        i--;
    }
    rules_result_cleanup(&res);
    sbuf_cleanup(&object);
    return rc;
}

/* The objects collected in r->v: the view of them all (complete unless
 * the Secrets are unknown), their Secrets wiped, the rules on each
 * selected failover. */
static int audit_objects(struct arun *r)
{
    const struct audit_opts *o = r->o;
    struct cview cv;
    struct rules_plan *plan = NULL;
    size_t i;
    int rc = RFG_OK;

    cview_init(&cv, o->hash);
    r->a->rep.files = 1;
    r->a->rep.name_objects = true;
    r->a->rep.documents = r->len;
    for (i = 0; i < r->len && !rc; i++) {
        char origin[4096 + 16];

        snprintf(origin, sizeof(origin), "%.4096s:%u", r->name,
                 r->v[i].pos.line);
        /* a live List's lines mean nothing: messages name no origin */
        rc = cview_add_object(&cv, r->v[i].obj, "default",
                              o->no_positions || !r->v[i].pos.line
                                  ? NULL
                                  : origin);
    }
    /* the view has every Secret's summary: the values go */
    for (i = 0; i < r->len; i++)
        if (is_secret(r->v[i].obj))
            wipe_tree(r->v[i].obj);
    cv.complete = !o->secrets_unknown;
    if (!rc)
        rc = cview_index_build(&cv);
    if (!rc)
        rc = rules_plan_new(&plan, o->pol);
    for (i = 0; i < r->len && !rc; i++)
        if (rf_kind_of(r->v[i].obj))
            rc = audit_one(r, plan, &cv, &r->v[i]);
    if (!rc)
        report_sort(&r->a->rep);
    rules_plan_free(plan);
    cview_cleanup(&cv);
    return rc;
}

int audit_run(struct audit *a, const char *buf, size_t len,
              const char *name, const struct audit_opts *o)
{
    struct arun r;
    struct ydoc_stream ys;
    struct diag_list dl;
    char why[300];
    size_t i;
    int rc;

    if (o->selector && audit_selector_check(o->selector, why, sizeof(why)))
        return RFG_EINVAL;
    memset(&r, 0, sizeof(r));
    memset(&ys, 0, sizeof(ys));
    r.a = a;
    r.o = o;
    r.name = name ? name : "<stdin>";
    diag_list_init(&dl, r.name);
    rc = ydoc_load(&ys, buf, len, NULL, &dl);
    if (rc == RFG_ENOMEM)
        goto out;
    rc = RFG_OK;
    for (i = 0; i < dl.len && !rc; i++)
        rc = report_add_error(&a->rep, &dl.v[i]);
    for (i = 0; i < ys.len && !rc; i++)
        if (ys.docs[i].root)
            rc = collect_doc(&r, &ys.docs[i]);
    if (!rc)
        rc = audit_objects(&r);
out:
    free(r.v);
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
    return rc;
}

int audit_run_list(struct audit *a, cJSON *list, const char *name,
                   const struct audit_opts *o)
{
    struct arun r;
    char why[300];
    cJSON *it;
    int rc = RFG_OK;

    if (o->selector && audit_selector_check(o->selector, why, sizeof(why)))
        return RFG_EINVAL;
    memset(&r, 0, sizeof(r));
    r.a = a;
    r.o = o;
    r.name = name ? name : "cluster";
    if (inputs_is_list(list)) {
        cJSON_ArrayForEach(it, json_get_mut(list, "items")) {
            if ((rc = collect(&r, NULL, it, (struct src_pos){0, 0})))
                break;
        }
    } else if (list) {
        rc = collect(&r, NULL, list, (struct src_pos){0, 0});
    }
    if (!rc)
        rc = audit_objects(&r);
    free(r.v);
    return rc;
}
