/* SPDX-License-Identifier: Apache-2.0
 *
 * report.c - lint results: collecting entries (findings, skipped rules,
 * input errors) and documents, sorting them, and handing them to the
 * writer of the chosen format. The formats live beside it, one file per
 * family: report_text.c (text, GitHub workflow commands), report_json.c
 * (JSON, SARIF 2.1.0), report_junit.c (JUnit XML). Every format carries
 * 1-based line and column.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "report_impl.h"
#include "sbuf.h"

void report_init(struct report *r)
{
    memset(r, 0, sizeof(*r));
}

static void entry_free(struct report_entry *e)
{
    free(e->file);
    free(e->rule);
    free(e->msg);
    free(e->hint);
    free(e->ptr);
    free(e->object);
    free(e->source);
}

void report_cleanup(struct report *r)
{
    size_t i;

    for (i = 0; i < r->len; i++)
        entry_free(&r->v[i]);
    for (i = 0; i < r->ndocs; i++) {
        free(r->docs[i].file);
        free(r->docs[i].kind);
        free(r->docs[i].object);
    }
    free(r->docs);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

static char *dup_opt(const char *s, bool *oom)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

int report_add_doc(struct report *r, const char *file, unsigned line,
                   const char *kind, const char *object, size_t *idx)
{
    struct report_doc *d;
    bool oom = false;

    d = rfg_grow(r->docs, &r->capdocs, r->ndocs, sizeof(*d), 64);
    if (!d)
        return RFG_ENOMEM;
    r->docs = d;
    d = &r->docs[r->ndocs];
    d->file = dup_opt(file, &oom);
    d->line = line;
    d->kind = dup_opt(kind ? kind : "", &oom);
    d->object = dup_opt(object ? object : "", &oom);
    if (oom) {
        free(d->file);
        free(d->kind);
        free(d->object);
        return RFG_ENOMEM;
    }
    *idx = r->ndocs++;
    return RFG_OK;
}

static struct report_entry *push(struct report *r)
{
    struct report_entry *nv = rfg_grow(r->v, &r->cap, r->len,
                                       sizeof(*nv), 16);

    if (!nv)
        return NULL;
    r->v = nv;
    memset(&r->v[r->len], 0, sizeof(r->v[0]));
    r->v[r->len].seq = r->len;
    r->v[r->len].doc = REPORT_NO_DOC;
    return &r->v[r->len];
}

int report_add_finding(struct report *r, size_t doc, const char *file,
                       struct src_pos pos, enum rfg_sev sev,
                       const char *rule, const char *msg, const char *hint,
                       const char *ptr, const char *object,
                       const char *source)
{
    struct report_entry *e = push(r);
    bool oom = false;

    if (!e)
        return RFG_ENOMEM;
    e->kind = REPORT_FINDING;
    e->doc = doc;
    e->file = dup_opt(file, &oom);
    e->pos = pos;
    e->sev = sev;
    e->rule = dup_opt(rule, &oom);
    e->msg = dup_opt(msg, &oom);
    e->hint = dup_opt(hint, &oom);
    e->ptr = dup_opt(ptr, &oom);
    e->object = dup_opt(object, &oom);
    e->source = dup_opt(source, &oom);
    if (oom) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    r->len++;
    if (sev == RFG_SEV_DENY)
        r->deny++;
    else
        r->warn++;
    return RFG_OK;
}

int report_add_skipped(struct report *r, size_t doc, const char *file,
                       struct src_pos pos, const char *rule,
                       const char *reason, const char *object)
{
    struct report_entry *e = push(r);
    bool oom = false;

    if (!e)
        return RFG_ENOMEM;
    e->kind = REPORT_SKIPPED;
    e->doc = doc;
    e->file = dup_opt(file, &oom);
    e->pos = pos;
    e->sev = RFG_SEV_OFF;
    e->rule = dup_opt(rule, &oom);
    e->msg = dup_opt(reason, &oom);
    e->object = dup_opt(object, &oom);
    if (oom) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    r->len++;
    r->skipped++;
    return RFG_OK;
}

int report_add_error(struct report *r, const struct diag *d)
{
    struct report_entry *e = push(r);
    bool oom = false;

    if (!e)
        return RFG_ENOMEM;
    e->kind = REPORT_ERROR;
    e->file = dup_opt(d->file ? d->file : "<input>", &oom);
    e->pos = d->pos;
    e->sev = RFG_SEV_DENY;
    e->msg = dup_opt(d->msg, &oom);
    if (oom) {
        entry_free(e);
        return RFG_ENOMEM;
    }
    r->len++;
    r->errors++;
    return RFG_OK;
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct report_entry *a = pa, *b = pb;
    int c = strcmp(a->file, b->file);

    if (c)
        return c;
    if (a->pos.line != b->pos.line)
        return a->pos.line < b->pos.line ? -1 : 1;
    if (a->pos.col != b->pos.col)
        return a->pos.col < b->pos.col ? -1 : 1;
    return a->seq < b->seq ? -1 : (a->seq > b->seq);
}

void report_sort(struct report *r)
{
    if (r->len > 1)
        qsort(r->v, r->len, sizeof(*r->v), cmp_entry);
}

int report_format_parse(const char *s, enum report_format *out)
{
    static const struct {
        const char *name;
        enum report_format f;
    } names[] = {
        {"text", REPORT_TEXT},   {"json", REPORT_JSON},
        {"sarif", REPORT_SARIF}, {"junit", REPORT_JUNIT},
        {"github", REPORT_GITHUB},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(s, names[i].name)) {
            *out = names[i].f;
            return 0;
        }
    return -1;
}

bool report_is_error(const struct report_entry *e)
{
    return e->kind == REPORT_ERROR ||
           (e->kind == REPORT_FINDING && e->sev == RFG_SEV_DENY);
}

void report_write(const struct report *r, const struct report_opts *o,
                  FILE *out)
{
    switch (o->format) {
    case REPORT_JSON:
        report_write_json(r, out);
        break;
    case REPORT_SARIF:
        report_write_sarif(r, o, out);
        break;
    case REPORT_JUNIT:
        report_write_junit(r, out);
        break;
    case REPORT_GITHUB:
        report_write_github(r, out);
        break;
    default:
        report_write_text(r, o, out);
    }
}
