/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_report.c - what rules see of an evaluation and how they report:
 * the rule_ctx accessors (object, target, namespace, parameters, schema
 * issues), findings with shortened quotes (rule_report) or with the
 * severity a lost cluster claim gets (rule_report_sev), and freeing a
 * result; the per-evaluation lists rules share (pod labels, placement
 * terms). Does not decide which rules run (rules.c) or skip
 * (rules_skip.c).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rules_engine.h"
#include "sbuf.h"

const cJSON *rule_obj(const struct rule_ctx *ctx)
{
    return ctx->in->obj;
}

const cJSON *rule_old(const struct rule_ctx *ctx)
{
    return ctx->in->old;
}

const cJSON *rule_spec(const struct rule_ctx *ctx, enum rf_component c)
{
    return ctx->f.spec[c];
}

const cJSON *rule_spec_of(const struct rule_ctx *ctx, const cJSON *obj,
                          enum rf_component c)
{
    return obj == ctx->f.obj ? ctx->f.spec[c] : rf_component_spec(obj, c);
}

bool rule_comp_typed(const struct rule_ctx *ctx, const cJSON *obj,
                     enum rf_component c)
{
    const cJSON *spec;

    if (obj == ctx->f.obj)
        return ctx->f.typed[c];
    spec = json_get(obj, "spec");
    return !rf_not_map(spec) &&
           !rf_not_map(json_get(spec, rf_component_name(c)));
}

const cJSON *rule_custom_config(const struct rule_ctx *ctx, const cJSON *obj,
                                enum rf_component c)
{
    return obj == ctx->f.obj ? ctx->f.custom_config[c]
                             : rf_strings(rf_component_spec(obj, c),
                                          "customConfig");
}

bool rule_redis_port_valid(const struct rule_ctx *ctx)
{
    return ctx->f.redis_port_valid;
}

bool rule_host_network(const struct rule_ctx *ctx)
{
    return ctx->f.host_network;
}

bool rule_replicas_valid(const struct rule_ctx *ctx, const cJSON *obj,
                         enum rf_component c)
{
    return obj == ctx->f.obj ? ctx->f.replicas_valid[c]
                             : rf_replicas_valid(obj, c);
}

const char *rule_name(const struct rule_ctx *ctx)
{
    return ctx->f.name;
}

const char *rule_secret_path(const struct rule_ctx *ctx)
{
    return ctx->f.secret_path;
}

int rule_replicas(const struct rule_ctx *ctx, enum rf_component c)
{
    return ctx->f.replicas[c];
}

int rule_redis_port(const struct rule_ctx *ctx)
{
    return ctx->f.redis_port;
}

const cJSON *rule_pod_labels(struct rule_ctx *ctx, enum rf_component c)
{
    if (!ctx->pod_labels[c])
        ctx->pod_labels[c] = rf_pod_labels(ctx->in->obj, c);
    return ctx->pod_labels[c];
}

/* The pod labels of component `c` from those of the other one, already
 * built: they differ only in the value of the component label, which
 * rf_pod_label_list sets last, in the same place for both. */
static struct rf_label *labels_from_other(struct rule_ctx *ctx,
                                          enum rf_component c)
{
    enum rf_component o = c == RF_REDIS ? RF_SENTINEL : RF_REDIS;
    struct rf_label *v = ctx->pod_small[c];
    size_t n = ctx->npod[o], i;

    if (n > sizeof(ctx->pod_small[c]) / sizeof(ctx->pod_small[c][0]) &&
        !(v = malloc(n * sizeof(*v))))
        return NULL;
    memcpy(v, ctx->pod_list[o], n * sizeof(*v));
    for (i = 0; i < n; i++) {
        if (json_streq(v[i].k, RF_LABEL_COMPONENT)) {
            v[i].v = rf_component_name(c);
            break;
        }
    }
    ctx->npod[c] = n;
    return v;
}

const struct rf_label *rule_pod_label_list(struct rule_ctx *ctx,
                                           enum rf_component c, size_t *n)
{
    if (!ctx->pod_list[c] && ctx->pod_list[c == RF_REDIS ? RF_SENTINEL
                                                          : RF_REDIS])
        ctx->pod_list[c] = labels_from_other(ctx, c);
    if (!ctx->pod_list[c])
        ctx->pod_list[c] = rf_pod_label_list(
            ctx->in->obj, c, ctx->pod_small[c],
            sizeof(ctx->pod_small[c]) / sizeof(ctx->pod_small[c][0]),
            &ctx->npod[c]);
    *n = ctx->npod[c];
    return ctx->pod_list[c];
}

/* Append the terms of list `list` (may be NULL or not a list) to *v;
 * false when out of memory. */
static bool add_terms(struct rule_term **v, size_t *n, size_t *cap,
                      const cJSON *list, enum rule_term_list which)
{
    const cJSON *e;
    size_t i = 0;

    if (!cJSON_IsArray(list))
        return true;
    cJSON_ArrayForEach(e, list) {
        struct rule_term *t;

        if (*n == *cap) {
            struct rule_term *nv = rfg_grow(*v, cap, *n, sizeof(**v), 4);

            if (!nv)
                return false;
            *v = nv;
        }
        t = &(*v)[(*n)++];
        t->term = which == RULE_TERM_PREF ? json_get(e, "podAffinityTerm")
                                          : e;
        t->sel = json_get(t->term, "labelSelector");
        t->list = which;
        t->i = i++;
        t->sel_ok = cJSON_IsObject(t->term) && rf_selector_typed(t->sel);
        t->keys_ok = t->sel_ok &&
                     !rf_not_string(json_get(t->term, "topologyKey")) &&
                     !rf_not_list(json_get(t->term, "namespaces"));
    }
    return true;
}

const struct rule_term *rule_terms(struct rule_ctx *ctx, enum rf_component c,
                                   size_t *n)
{
    struct rule_term *v = NULL;
    size_t len = 0, cap = 0;

    if (!ctx->terms_done[c]) {
        const cJSON *spec = ctx->f.spec[c];
        const cJSON *paa = json_get(json_get(spec, "affinity"),
                                    "podAntiAffinity");
        const cJSON *req = json_get(
            paa, "requiredDuringSchedulingIgnoredDuringExecution");
        const cJSON *pref = json_get(
            paa, "preferredDuringSchedulingIgnoredDuringExecution");
        const cJSON *tsc = json_get(spec, "topologySpreadConstraints");

        if (!add_terms(&v, &len, &cap, req, RULE_TERM_REQ) ||
            !add_terms(&v, &len, &cap, pref, RULE_TERM_PREF) ||
            !add_terms(&v, &len, &cap, tsc, RULE_TERM_TSC)) {
            free(v);
            *n = 0;
            return NULL;
        }
        /* a non-NULL pointer even for no terms: NULL means no memory */
        if (!v && !(v = malloc(sizeof(*v)))) {
            *n = 0;
            return NULL;
        }
        ctx->terms[c] = v;
        ctx->nterms[c] = len;
        ctx->terms_done[c] = true;
    }
    *n = ctx->nterms[c];
    return ctx->terms[c];
}

const struct rules_input *rule_input(const struct rule_ctx *ctx)
{
    return ctx->in;
}

enum rf_target rule_target(const struct rule_ctx *ctx)
{
    return ctx->target;
}

enum rf_kind rule_kind(const struct rule_ctx *ctx)
{
    return ctx->kind;
}

enum rf_target rule_target_of(const struct rule_ctx *ctx, enum rf_kind k)
{
    const struct rules_input *in = ctx->in;

    return rf_target_pick(in->target ? in->target : in->pol->target, k);
}

const char *rule_ns(const struct rule_ctx *ctx)
{
    return ctx->ns;
}

const cJSON *rule_param(const struct rule_ctx *ctx, const char *name)
{
    return ctx->pr ? cJSON_GetObjectItemCaseSensitive(ctx->pr->params, name)
                   : NULL;
}

int rule_param_int(const struct rule_ctx *ctx, const char *name, int def)
{
    const cJSON *v = rule_param(ctx, name);

    return cJSON_IsNumber(v) ? v->valueint : def;
}

bool rule_param_bool(const struct rule_ctx *ctx, const char *name, bool def)
{
    const cJSON *v = rule_param(ctx, name);

    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

/* Format a message into a new heap string, or NULL on OOM. Messages
 * quote what users wrote (names, images, config lines), so every %s
 * argument is shortened to RULES_QUOTE_MAX characters with an ellipsis:
 * a 5 KB image name gives a readable finding, not a failed run. Text
 * past the cap, which only a format bug could reach, is dropped. */
char *rules_vfmt(const char *fmt, va_list ap)
{
    struct sbuf b;
    int rc;

    sbuf_init(&b, 64 << 10);
    rc = sbuf_vprintf_clip(&b, RULES_QUOTE_MAX, fmt, ap);
    if (rc && rc != RFG_ELIMIT) {
        sbuf_cleanup(&b);
        return NULL;
    }
    return sbuf_take(&b, NULL);
}

/* An ASCII letter or digit: what makes an apostrophe part of a word. */
static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

size_t rules_msg_brief(const char *msg)
{
    static const char unverified[] = "cannot verify: ";
    size_t i = 0, end, depth = 0;
    char quote = '\0';

    /* "cannot verify" alone says nothing: keep the brief of the why */
    if (!strncmp(msg, unverified, sizeof(unverified) - 1))
        i = sizeof(unverified) - 1;
    for (; msg[i]; i++) {
        char c = msg[i];

        if (quote) {
            /* A ' closes only at a word's end: "'a's b'" stays open. */
            if (c == quote && (quote != '\'' || !word_char(msg[i + 1])))
                quote = '\0';
        } else if (c == '"' || c == '`' ||
                   (c == '\'' && (i == 0 || !word_char(msg[i - 1])))) {
            quote = c;
        } else if (strchr("([{", c)) {
            depth++;
        } else if (strchr(")]}", c)) {
            depth -= depth > 0;
        } else if (c == ':' && msg[i + 1] == ' ' && depth == 0) {
            break;
        }
    }
    end = i;
    while (end > 0 && msg[end - 1] == ' ')
        end--;
    return end;
}

/* Append a finding with message `msg` (owned; NULL: out of memory). */
static void add_finding(struct rule_ctx *ctx, enum rule_strength s,
                        const char *ptr, const char *hint, char *msg)
{
    struct rules_result *r = ctx->res;
    struct finding *f;

    if (ctx->err) {
        free(msg);
        return;
    }
    f = rfg_grow(r->v, &r->cap, r->len, sizeof(*f), 8);
    if (!f) {
        free(msg);
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->v = f;
    f = &r->v[r->len];
    memset(f, 0, sizeof(*f));
    f->rule = ctx->cur;
    f->sev = s == RULE_WEAK && ctx->sev > RFG_SEV_WARN ? RFG_SEV_WARN
                                                       : ctx->sev;
    f->ptr = strdup(ptr ? ptr : "");
    f->msg = msg;
    f->hint = hint ? strdup(hint) : NULL;
    if (!f->ptr || !f->msg || (hint && !f->hint)) {
        free(f->ptr);
        free(f->msg);
        free(f->hint);
        ctx->err = RFG_ENOMEM;
        return;
    }
    r->len++;
    if (f->sev == RFG_SEV_DENY)
        r->ndeny++;
    else
        r->nwarn++;
}

void rule_report(struct rule_ctx *ctx, enum rule_strength s,
                 const char *ptr, const char *hint, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (ctx->err)
        return;
    va_start(ap, fmt);
    msg = rules_vfmt(fmt, ap);
    va_end(ap);
    add_finding(ctx, s, ptr, hint, msg);
}

void rule_report_msg(struct rule_ctx *ctx, enum rule_strength s,
                     const char *ptr, const char *hint, const char *msg)
{
    if (!ctx->err)
        add_finding(ctx, s, ptr, hint, strdup(msg ? msg : ""));
}

enum rfg_sev rule_sev(const struct rule_ctx *ctx)
{
    return ctx->sev;
}

size_t rule_ndeny(const struct rule_ctx *ctx)
{
    return ctx->res->ndeny;
}

const struct rule_desc *rule_current(const struct rule_ctx *ctx)
{
    return ctx->cur;
}

void rule_report_sev(struct rule_ctx *ctx, enum rfg_sev sev,
                     const char *ptr, const char *msg)
{
    enum rfg_sev keep = ctx->sev;

    ctx->sev = sev;
    rule_report_msg(ctx, RULE_STRONG, ptr, NULL, msg);
    ctx->sev = keep;
}

const struct schema_issues *rule_schema_issues(struct rule_ctx *ctx)
{
    if (!ctx->schema_done) {
        ctx->schema_done = true;
        if (schema_validate(&ctx->schema, ctx->in->obj, ctx->target)) {
            schema_issues_cleanup(&ctx->schema);
            ctx->err = RFG_ENOMEM;
        }
    }
    return ctx->err ? NULL : &ctx->schema;
}

void rules_result_cleanup(struct rules_result *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->nskipped; i++)
        free(r->skipped[i].reason);
    free(r->skipped);
    for (i = 0; i < r->nheld; i++) {
        free(r->held[i].ptr);
        free(r->held[i].msg);
        free(r->held[i].hint);
    }
    free(r->held);
    for (i = 0; i < r->len; i++) {
        free(r->v[i].ptr);
        free(r->v[i].msg);
        free(r->v[i].hint);
    }
    free(r->v);
    cJSON_Delete(r->patch);
    memset(r, 0, sizeof(*r));
}

/* Serialises lazy index builds: the first worker builds, the others
 * wait for it and then read the index without a lock. */
static pthread_mutex_t rj_index_mu = PTHREAD_MUTEX_INITIALIZER;

const struct cview *rj_view(struct rule_ctx *ctx)
{
    const struct cview *cv = ctx->in->cv;
    int rc = RFG_OK;

    if (!cv || cview_index_ready(cv))
        return cv;
    pthread_mutex_lock(&rj_index_mu);
    rc = cview_index_build(cv);
    pthread_mutex_unlock(&rj_index_mu);
    if (rc) {
        ctx->err = rc;
        return NULL;
    }
    return cv;
}

size_t rj_self(const struct rule_ctx *ctx)
{
    return cview_self(ctx->in->cv, ctx->kind, ctx->ns, rf_name(ctx->in->obj));
}
