/* SPDX-License-Identifier: Apache-2.0
 *
 * report.c - lint output. Text is "file:line:col: error|warning: message
 * [rule]" plus an indented hint, like compilers and kubeconform; JSON has
 * a stable documented schema (README, "Output"). Positions are 1-based.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

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
}

void report_cleanup(struct report *r)
{
    size_t i;

    for (i = 0; i < r->len; i++)
        entry_free(&r->v[i]);
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

static struct report_entry *push(struct report *r)
{
    if (r->len == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        struct report_entry *nv = realloc(r->v, ncap * sizeof(*nv));

        if (!nv)
            return NULL;
        r->v = nv;
        r->cap = ncap;
    }
    memset(&r->v[r->len], 0, sizeof(r->v[0]));
    r->v[r->len].seq = r->len;
    return &r->v[r->len];
}

int report_add_finding(struct report *r, const char *file,
                       struct src_pos pos, enum rfg_sev sev,
                       const char *rule, const char *msg, const char *hint,
                       const char *ptr, const char *object)
{
    struct report_entry *e = push(r);
    bool oom = false;

    if (!e)
        return RFG_ENOMEM;
    e->file = dup_opt(file, &oom);
    e->pos = pos;
    e->sev = sev;
    e->rule = dup_opt(rule, &oom);
    e->msg = dup_opt(msg, &oom);
    e->hint = dup_opt(hint, &oom);
    e->ptr = dup_opt(ptr, &oom);
    e->object = dup_opt(object, &oom);
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

int report_add_error(struct report *r, const struct diag *d)
{
    struct report_entry *e = push(r);
    bool oom = false;

    if (!e)
        return RFG_ENOMEM;
    e->file = dup_opt(d->file ? d->file : "<input>", &oom);
    e->pos = d->pos;
    e->is_error = true;
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
    if (!strcmp(s, "text"))
        *out = REPORT_TEXT;
    else if (!strcmp(s, "json"))
        *out = REPORT_JSON;
    else
        return -1;
    return 0;
}

static void write_pos(FILE *out, const struct report_entry *e)
{
    fputs(e->file, out);
    if (e->pos.line)
        fprintf(out, ":%u", e->pos.line);
    if (e->pos.line && e->pos.col)
        fprintf(out, ":%u", e->pos.col);
}

static void write_text(const struct report *r, const struct report_opts *o,
                       FILE *out)
{
    const char *red = o->color ? "\033[1;31m" : "";
    const char *yel = o->color ? "\033[1;33m" : "";
    const char *bold = o->color ? "\033[1m" : "";
    const char *dim = o->color ? "\033[2m" : "";
    const char *rst = o->color ? "\033[0m" : "";
    size_t i;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        bool err = e->is_error || e->sev == RFG_SEV_DENY;

        if (o->quiet && !err)
            continue;
        fputs(bold, out);
        write_pos(out, e);
        fprintf(out, ":%s %s%s:%s %s", rst, err ? red : yel,
                err ? "error" : "warning", rst, e->msg);
        if (e->rule)
            fprintf(out, " %s[%s]%s", dim, e->rule, rst);
        fputc('\n', out);
        if (e->hint)
            fprintf(out, "    hint: %s\n", e->hint);
    }
    if (o->quiet)
        return;
    fprintf(out, "%zu file%s, %zu document%s, %zu failover%s: %zu error%s, "
                 "%zu warning%s, %zu skipped\n",
            r->files, r->files == 1 ? "" : "s", r->documents,
            r->documents == 1 ? "" : "s", r->failovers,
            r->failovers == 1 ? "" : "s", r->deny + r->errors,
            r->deny + r->errors == 1 ? "" : "s", r->warn,
            r->warn == 1 ? "" : "s", r->skipped);
}

static cJSON *entry_json(const struct report_entry *e)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "file", e->file);
    cJSON_AddNumberToObject(o, "line", e->pos.line);
    cJSON_AddNumberToObject(o, "column", e->pos.col);
    cJSON_AddStringToObject(o, "severity",
                            e->is_error || e->sev == RFG_SEV_DENY
                                ? "error"
                                : "warning");
    if (e->rule)
        cJSON_AddStringToObject(o, "rule", e->rule);
    else
        cJSON_AddNullToObject(o, "rule");
    cJSON_AddStringToObject(o, "message", e->msg);
    if (e->hint)
        cJSON_AddStringToObject(o, "hint", e->hint);
    if (e->ptr)
        cJSON_AddStringToObject(o, "pointer", e->ptr);
    if (e->object)
        cJSON_AddStringToObject(o, "object", e->object);
    return o;
}

static void write_json(const struct report *r, FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *findings = cJSON_AddArrayToObject(root, "findings");
    cJSON *errors = cJSON_AddArrayToObject(root, "errors");
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    char *s;
    size_t i;

    cJSON_AddNumberToObject(root, "version", 1);
    for (i = 0; i < r->len && findings && errors; i++) {
        cJSON *e = entry_json(&r->v[i]);

        if (e && !cJSON_AddItemToArray(r->v[i].is_error ? errors : findings,
                                       e))
            cJSON_Delete(e);
    }
    if (sum) {
        cJSON_AddNumberToObject(sum, "files", (double)r->files);
        cJSON_AddNumberToObject(sum, "documents", (double)r->documents);
        cJSON_AddNumberToObject(sum, "failovers", (double)r->failovers);
        cJSON_AddNumberToObject(sum, "errors", (double)(r->deny + r->errors));
        cJSON_AddNumberToObject(sum, "warnings", (double)r->warn);
        cJSON_AddNumberToObject(sum, "skipped", (double)r->skipped);
    }
    s = cJSON_Print(root);
    if (s) {
        fputs(s, out);
        fputc('\n', out);
        cJSON_free(s);
    }
    cJSON_Delete(root);
}

void report_write(const struct report *r, const struct report_opts *o,
                  FILE *out)
{
    if (o->format == REPORT_JSON)
        write_json(r, out);
    else
        write_text(r, o, out);
}
