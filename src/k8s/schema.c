/* SPDX-License-Identifier: Apache-2.0
 *
 * schema.c - structural-schema validation of RedisFailovers against the
 * compiled-in CRD schemas, or the one installed in their place (see
 * schema.h). One walk over the object and its schema's table (sidx.h:
 * generated for the compiled-in CRDs, built when another is installed;
 * property lookups by a precomputed hash); the RFC 6901 pointer and the
 * field path of a value are written out only for an issue. Only the
 * keywords the three CRDs use are implemented: type, properties,
 * additionalProperties, items, required, enum, format int32/int64,
 * x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields and
 * the resource.Quantity pattern (the only pattern they carry). metadata
 * at the root is left to the API server's ObjectMeta validation.
 */
#include "schema.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jpatch.h"
#include "json.h"
#include "quantity.h"
#include "schema_impl.h"
#include "sbuf.h"
#include "sidx.h"
#include "suggest.h"
/* ---- the walk ---- */

/* One step of the way from the object's root to the value walked: kept
 * on the walk's stack, and written out as a pointer only when an issue
 * is reported (most objects have none). */
struct seg {
    const struct seg *up;  /* NULL at the root's members */
    const char *key;       /* member name; NULL for an array index */
    size_t idx;
    size_t depth;          /* steps from the root, this one included */
};

/* An object schema on the way from the root to the value walked. */
struct wlevel {
    const struct sidx_node *n;
    size_t depth;          /* steps from the root to the object */
    const struct wlevel *up;
};

struct walk {
    struct schema_issues *out;
    struct sbuf ptr;       /* the pointer of the issue being reported */
    enum rf_target t;
    const struct sch *s;   /* the schema walked */
    const struct sidx_table *tab; /* its table */
    int slot;              /* its target's slot */
    int err;
};

/* The subschema of node `n`, for suggestions: an installed schema keeps
 * it; a compiled-in one has it once its JSON is parsed (on first need). */
static const cJSON *node_src(const struct walk *w, const struct sidx_node *n)
{
    const struct sidx *x = &w->s->idx;
    size_t i = (size_t)(n - w->tab->nodes);

    if (!w->s->origin) {
        schema_parse_builtins();
        x = &schema_builtin[w->slot].idx;
    }
    return x->src && i < x->nnodes && x->nnodes == w->tab->nnodes
               ? x->src[i]
               : NULL;
}

/* Append the steps up to `at` to w->ptr, the root's first; offs (may be
 * NULL) gets the pointer's length after each step, indexed by depth. */
static void put_ptr(struct walk *w, const struct seg *at, size_t *offs)
{
    if (!at)
        return;
    put_ptr(w, at->up, offs);
    if (at->key ? jptr_append(&w->ptr, at->key)
                : jptr_append_index(&w->ptr, at->idx))
        w->err = RFG_ENOMEM;
    if (offs)
        offs[at->depth] = w->ptr.len;
}

/* Make w->ptr the RFC 6901 pointer of `at` ("" for the root). */
static void set_ptr(struct walk *w, const struct seg *at, size_t *offs)
{
    sbuf_reset(&w->ptr);
    if (offs)
        offs[0] = 0;
    put_ptr(w, at, offs);
}

static void add_issue(struct walk *w, enum schema_kind k, const char *hint,
                      const char *fmt, ...) RFG_PRINTF(4, 5);

static void add_issue(struct walk *w, enum schema_kind k, const char *hint,
                      const char *fmt, ...)
{
    struct schema_issues *o = w->out;
    struct schema_issue *is;
    struct sbuf m;
    va_list ap;

    if (w->err)
        return;
    if (o->len == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 4;
        struct schema_issue *nv = realloc(o->v, ncap * sizeof(*nv));

        if (!nv) {
            w->err = RFG_ENOMEM;
            return;
        }
        o->v = nv;
        o->cap = ncap;
    }
    is = &o->v[o->len];
    memset(is, 0, sizeof(*is));
    is->kind = k;
    sbuf_init(&m, 4096);
    va_start(ap, fmt);
    /* clip 0: paths print whole; a %.64s value is cut on a character
     * boundary and ends in an ellipsis */
    if (sbuf_vprintf_clip(&m, 0, fmt, ap))
        w->err = RFG_ENOMEM;
    va_end(ap);
    is->msg = sbuf_take(&m, NULL);
    is->ptr = strdup(sbuf_str(&w->ptr));
    is->hint = hint ? strdup(hint) : NULL;
    if (w->err || !is->msg || !is->ptr || (hint && !is->hint)) {
        free(is->msg);
        free(is->ptr);
        free(is->hint);
        w->err = RFG_ENOMEM;
        return;
    }
    o->len++;
}

static const char *value_kind(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsArray(v))
        return "a list";
    if (cJSON_IsObject(v))
        return "a map";
    if (cJSON_IsNumber(v) && v->valuedouble != floor(v->valuedouble))
        return "a number";
    if (cJSON_IsNumber(v))
        return fabs(v->valuedouble) < 9.3e18 ? "an integer"
                                             : "an integer too big for 64 bits";
    return "null";
}

static bool is_integer(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
           fabs(v->valuedouble) < 9.3e18;
}

static void human(const struct walk *w, char *buf, size_t len)
{
    schema_ptr_human(buf, len, sbuf_str(&w->ptr));
}

static void check_string(struct walk *w, const cJSON *v,
                         const struct sidx_node *n, const struct seg *at)
{
    char h[256];

    if ((n->flags & SIDX_QUANTITY) && quantity_parse(v->valuestring, NULL)) {
        set_ptr(w, at, NULL);
        human(w, h, sizeof(h));
        add_issue(w, SCHEMA_TYPE,
                  "write a quantity such as 500m, 1, 256Mi or 10Gi",
                  "%s is \"%.64s\", not a resource quantity: the API server "
                  "rejects the object", h, v->valuestring);
    }
}

static void check_enum(struct walk *w, const cJSON *v,
                       const struct sidx_node *n, const struct seg *at)
{
    const cJSON *en = n->en, *e;
    const char *const *names = w->tab->names; /* NULL when none */
    struct sbuf list;
    char h[256];
    uint32_t i;

    if (en) {
        /* values other than strings: compared as JSON */
        cJSON_ArrayForEach(e, en)
            if (json_equal(e, v))
                return;
    } else if (n->flags & SIDX_ENUM) {
        for (i = 0; i < n->nen; i++)
            if (sidx_is(v, cJSON_String) && v->valuestring &&
                !strcmp(names[n->en0 + i], v->valuestring))
                return;
    } else {
        return;
    }
    sbuf_init(&list, 1024);
    cJSON_ArrayForEach(e, en)
        if (sidx_is(e, cJSON_String))
            (void)sbuf_printf(&list, "%s%s", list.len ? ", " : "",
                              e->valuestring);
    for (i = 0; !en && i < n->nen; i++)
        (void)sbuf_printf(&list, "%s%s", list.len ? ", " : "",
                          names[n->en0 + i]);
    set_ptr(w, at, NULL);
    human(w, h, sizeof(h));
    if (sidx_is(v, cJSON_String))
        add_issue(w, SCHEMA_ENUM, NULL,
                  "%s is \"%.64s\", not one of the values the CRD allows "
                  "(%s): the API server rejects the object",
                  h, v->valuestring, sbuf_str(&list));
    else
        add_issue(w, SCHEMA_ENUM, NULL,
                  "%s is %s, not one of the values the CRD allows (%s): "
                  "the API server rejects the object",
                  h, value_kind(v), sbuf_str(&list));
    sbuf_cleanup(&list);
}

static void check_integer(struct walk *w, const cJSON *v,
                          const struct sidx_node *n, const struct seg *at)
{
    char h[256], num[32];

    if ((n->flags & SIDX_INT32) &&
        (v->valuedouble > 2147483647.0 || v->valuedouble < -2147483648.0)) {
        set_ptr(w, at, NULL);
        human(w, h, sizeof(h));
        /* The YAML loader keeps the exact text of a number beyond 2^53. */
        if (v->valuestring)
            snprintf(num, sizeof(num), "%.31s", v->valuestring);
        else
            snprintf(num, sizeof(num), "%.0f", v->valuedouble);
        add_issue(w, SCHEMA_TYPE, NULL,
                  "%s is %s, out of range for a 32-bit integer: the API "
                  "server rejects the object", h, num);
    }
}

/* Targets whose compiled-in CRD has the field at the current pointer:
 * the others, or (when an installed schema is walked) all of them. */
static void other_targets(const struct walk *w, char *buf, size_t len)
{
    static const enum rf_target all[] = {RF_TARGET_SPOTAHOME_V12,
                                         RF_TARGET_SPOTAHOME_V13,
                                         RF_TARGET_FRESHWORKS_V33};
    size_t i, o = 0;

    buf[0] = '\0';
    for (i = 0; i < 3 && o < len && w->slot < SLOT_OT_SENTINEL; i++) {
        const cJSON *s;
        const char *p = sbuf_str(&w->ptr);
        const char *last = strrchr(p, '/');

        if (all[i] == w->t && !w->s->origin)
            continue;
        s = schema_for(all[i]);
        /* the field must be a real property there, not a map entry */
        if (!s || !last)
            continue;
        {
            char parent[1024];
            const cJSON *ps;
            char key[256];

            snprintf(parent, sizeof(parent), "%.*s", (int)(last - p), p);
            snprintf(key, sizeof(key), "%s", last + 1);
            ps = schema_lookup(s, parent);
            if (strchr(key, '~') || !json_get(json_get(ps, "properties"), key))
                continue;
        }
        o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " and " : "",
                              rf_target_name(all[i]));
    }
}

static void walk_value(struct walk *w, const cJSON *v,
                       const struct sidx_node *n,
                       const struct wlevel *up, const struct seg *at);

/* schema_suggest() for the member at `at` of the object at `f`: the
 * levels as suggestions want them, with each object's subschema and the
 * length of its pointer (now in w->ptr, each depth's length in offs). */
static char *suggest(struct walk *w, const struct wlevel *f,
                     const size_t *offs, const char *key)
{
    struct schema_level *lv;
    const struct wlevel *l;
    size_t n = 0, i = 0;
    char *hint;

    for (l = f; l; l = l->up)
        n++;
    lv = malloc(n * sizeof(*lv));
    if (!lv)
        return NULL;
    for (l = f; l; l = l->up, i++) {
        lv[i].sch = node_src(w, l->n);
        lv[i].plen = offs[l->depth];
        lv[i].up = l->up ? &lv[i + 1] : NULL;
    }
    hint = schema_suggest(sbuf_str(&w->ptr), lv, key);
    free(lv);
    return hint;
}

static void unknown_field(struct walk *w, const struct wlevel *f,
                          const struct seg *at)
{
    char h[256], others[128];
    char *hint;
    size_t *offs = malloc((at->depth + 1) * sizeof(*offs));

    if (!offs) {
        w->err = RFG_ENOMEM;
        return;
    }
    set_ptr(w, at, offs);
    human(w, h, sizeof(h));
    other_targets(w, others, sizeof(others));
    hint = suggest(w, f, offs, at->key);
    free(offs);
    if (w->s->origin && *others)
        add_issue(w, SCHEMA_UNKNOWN_FIELD,
                  hint ? hint : "remove it, or install the CRD of the "
                                "operator release you run",
                  "%s is not in %s, though the compiled-in %s CRD%s it: "
                  "the API server prunes it without a word and %s", h,
                  w->s->origin, others,
                  strstr(others, " and ") ? "s have" : " has",
                  strcmp(sbuf_str(&w->ptr), "/spec/sentinel/disableMyMaster")
                      ? "the operator never sees it"
                      : "the sentinels still monitor " RF_DEFAULT_MASTER_NAME);
    else if (w->s->origin)
        add_issue(w, SCHEMA_UNKNOWN_FIELD, hint ? hint : "remove it",
                  "%s is not a field of %s: the API server prunes it "
                  "without a word and the operator never sees it",
                  h, w->s->origin);
    else if (*others)
        add_issue(w, SCHEMA_UNKNOWN_FIELD,
                  hint ? hint : "remove it, or set the target the cluster "
                                "really runs",
                  "%s is not in the %s CRD: the API server prunes it "
                  "without a word and the operator never sees it (only %s "
                  "has it)",
                  h, schema_slot_name(w->slot), others);
    else
        add_issue(w, SCHEMA_UNKNOWN_FIELD, hint ? hint : "remove it",
                  "%s is not a field of the %s CRD: the API server prunes "
                  "it without a word and the operator never sees it",
                  h, schema_slot_name(w->slot));
    free(hint);
}

/* ObjectMeta is the API server's to validate, but rules read its labels
 * and annotations: a value of the wrong type there is reported here, as
 * the server rejects it, so that those rules can stay silent. */
static void check_meta(struct walk *w, const cJSON *md,
                       const struct seg *at)
{
    static const char *const maps[] = {"labels", "annotations"};
    size_t i;
    char h[256];

    for (i = 0; i < 2 && cJSON_IsObject(md) && !w->err; i++) {
        const cJSON *m = json_get(md, maps[i]), *e, *bad = NULL;

        if (!m || cJSON_IsNull(m))
            continue;
        if (!cJSON_IsObject(m))
            bad = m;
        for (e = bad ? NULL : m->child; e; e = e->next) {
            if (!cJSON_IsString(e) && !cJSON_IsNull(e)) {
                bad = e;
                break;
            }
        }
        if (!bad)
            continue;
        {
            struct seg ms = {at, maps[i], 0, at->depth + 1};
            struct seg bs = {&ms, bad->string, 0, at->depth + 2};

            set_ptr(w, bad != m ? &bs : &ms, NULL);
        }
        human(w, h, sizeof(h));
        add_issue(w, SCHEMA_TYPE, bad != m ? "quote the value" : NULL,
                  "%s is %s; the API server wants %s: it rejects the "
                  "object", h, value_kind(bad),
                  bad == m ? "a map of strings" : "a string");
    }
}

static void walk_object(struct walk *w, const cJSON *v,
                        const struct sidx_node *n,
                        const struct wlevel *up, const struct seg *at)
{
    const struct sidx_table *x = w->tab;
    size_t depth = at ? at->depth : 0;
    struct wlevel f = {n, depth, up};
    const char *const *req = x->names; /* NULL when none */
    const cJSON *c;
    char h[256];
    uint32_t i;

    for (c = v->child; c; c = c->next) {
        uint32_t ci = sidx_prop(x, n, c->string, schema_key_hash(c));
        struct seg cs = {at, c->string, 0, depth + 1};

        if (ci == SIDX_NIL)
            ci = n->addl;
        if (ci != SIDX_NIL) {
            /* metadata of the object itself is ObjectMeta, validated by
             * the API server and never pruned */
            if (!(up == NULL && !strcmp(c->string, "metadata")))
                walk_value(w, c, &x->nodes[ci], &f, &cs);
            else
                check_meta(w, c, &cs);
        } else if (!(n->flags & SIDX_OPEN)) {
            unknown_field(w, &f, &cs);
        }
        if (w->err)
            return;
    }
    for (i = 0; i < n->nreq; i++) {
        if (json_get(v, req[n->req0 + i]))
            continue;
        set_ptr(w, at, NULL);
        human(w, h, sizeof(h));
        add_issue(w, SCHEMA_REQUIRED, NULL,
                  "%s%slacks the required field \"%s\": the API server "
                  "rejects the object", *h ? h : "the object",
                  " ", req[n->req0 + i]);
    }
}

static void walk_value(struct walk *w, const cJSON *v,
                       const struct sidx_node *n,
                       const struct wlevel *up, const struct seg *at)
{
    const char *t = n ? n->type : NULL;
    const char *want;
    char h[256];

    if (!n || sidx_is(v, cJSON_NULL) || w->err)
        return;
    if (n->flags & SIDX_INT_OR_STRING) {
        if (sidx_is(v, cJSON_String)) {
            check_string(w, v, n, at);
        } else if (!is_integer(v)) {
            set_ptr(w, at, NULL);
            human(w, h, sizeof(h));
            add_issue(w, SCHEMA_TYPE,
                      sidx_is(v, cJSON_Number)
                          ? "quote it or use a unit, e.g. \"500m\""
                          : NULL,
                      "%s is %s; the CRD wants an integer or a string: the "
                      "API server rejects the object", h, value_kind(v));
        }
        return;
    }
    switch ((enum sidx_kind)n->kind) {
    case SIDX_OBJECT:
        if (sidx_is(v, cJSON_Object)) {
            walk_object(w, v, n, up, at);
            return;
        }
        break;
    case SIDX_ARRAY:
        if (sidx_is(v, cJSON_Array)) {
            const cJSON *e;
            struct seg es = {at, NULL, 0, (at ? at->depth : 0) + 1};

            if (n->items == SIDX_NIL)
                return;
            for (e = v->child; e && !w->err; e = e->next, es.idx++)
                walk_value(w, e, &w->tab->nodes[n->items], up, &es);
            return;
        }
        break;
    case SIDX_STRING:
        if (sidx_is(v, cJSON_String)) {
            check_string(w, v, n, at);
            if (n->en || (n->flags & SIDX_ENUM)) /* else a call for nothing */
                check_enum(w, v, n, at);
            return;
        }
        break;
    case SIDX_INTEGER:
        if (is_integer(v)) {
            check_integer(w, v, n, at);
            if (n->en || (n->flags & SIDX_ENUM))
                check_enum(w, v, n, at);
            return;
        }
        break;
    case SIDX_NUMBER:
        if (sidx_is(v, cJSON_Number))
            return;
        break;
    case SIDX_BOOLEAN:
        if (cJSON_IsBool(v))
            return;
        break;
    case SIDX_NONE:
    case SIDX_OTHER:
    default:
        return;
    }
    want = n->kind == SIDX_OBJECT ? "map" : n->kind == SIDX_ARRAY ? "list" : t;
    set_ptr(w, at, NULL);
    human(w, h, sizeof(h));
    add_issue(w, SCHEMA_TYPE,
              n->kind == SIDX_STRING && !cJSON_IsObject(v) && !cJSON_IsArray(v)
                  ? "quote the value"
                  : NULL,
              "%s is %s; the CRD wants %s %s: the API server rejects the "
              "object", *h ? h : "the object", value_kind(v),
              want[0] && strchr("aeiou", want[0]) ? "an" : "a", want);
}

int schema_validate(struct schema_issues *out, const cJSON *obj,
                    enum rf_target t)
{
    enum rf_kind k = rf_kind_of(obj);
    int slot = schema_kind_slot(t, k ? k : RF_KIND_FAILOVER);
    struct sch *s;
    struct walk w;

    if (slot < 0)
        return RFG_OK;
    s = schema_get(slot);
    if (!s->tab->nnodes) {
        schema_put(s);
        return RFG_ENOMEM;
    }
    memset(&w, 0, sizeof(w));
    w.out = out;
    w.t = t;
    w.s = s;
    w.tab = s->tab;
    w.slot = slot;
    sbuf_init(&w.ptr, 0);
    walk_value(&w, obj, &s->tab->nodes[0], NULL, NULL);
    sbuf_cleanup(&w.ptr);
    schema_put(s);
    return w.err;
}

void schema_issues_cleanup(struct schema_issues *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->len; i++) {
        free(s->v[i].ptr);
        free(s->v[i].msg);
        free(s->v[i].hint);
    }
    free(s->v);
    memset(s, 0, sizeof(*s));
}
