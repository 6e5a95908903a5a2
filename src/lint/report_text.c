/* SPDX-License-Identifier: Apache-2.0
 *
 * report_text.c - lint output for people and for CI logs: text is
 * "file:line:col: error|warning: message [rule]" plus indented hints and
 * a summary, like compilers and kubeconform, and a pointer to
 * `rfguard explain` when a rule denied; "github" prints GitHub
 * workflow commands (::error file=...), errors first, and a summary
 * notice. Writes entries report.c
 * collected; knows nothing about rules.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report_impl.h"

/* ---- text ---- */

static void write_pos(FILE *out, const struct report_entry *e)
{
    fputs(e->file, out);
    if (e->pos.line)
        fprintf(out, ":%u", e->pos.line);
    if (e->pos.line && e->pos.col)
        fprintf(out, ":%u", e->pos.col);
}

/* After the findings, where to read why a deny rule fired and how to fix
 * it: "see `rfguard explain ID` ..." naming the first deny rule. Nothing
 * when no rule denied (input errors have no page). */
static void write_explain(const struct report *r, FILE *out)
{
    const char *first = NULL;
    bool several = false;
    size_t i;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];

        if (e->kind != REPORT_FINDING || e->sev != RFG_SEV_DENY || !e->rule)
            continue;
        if (!first)
            first = e->rule;
        else if (strcmp(first, e->rule) != 0)
            several = true;
    }
    if (several)
        fprintf(out, "see `rfguard explain RULE` for why a rule fails and "
                     "how to fix it, e.g. `rfguard explain %s`\n", first);
    else if (first)
        fprintf(out, "see `rfguard explain %s` for why it fails and how to "
                     "fix it\n", first);
}

void report_write_text(const struct report *r, const struct report_opts *o,
                       FILE *out)
{
    const char *red = o->color ? "\033[1;31m" : "";
    const char *yel = o->color ? "\033[1;33m" : "";
    const char *cyan = o->color ? "\033[36m" : "";
    const char *bold = o->color ? "\033[1m" : "";
    const char *dim = o->color ? "\033[2m" : "";
    const char *rst = o->color ? "\033[0m" : "";
    size_t i;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        bool err = report_is_error(e);

        if (o->quiet && !err)
            continue;
        fputs(bold, out);
        write_pos(out, e);
        if (r->name_objects && e->object && *e->object)
            fprintf(out, ": %s", e->object);
        if (e->kind == REPORT_SKIPPED) {
            fprintf(out, ":%s %sskipped:%s %s %s[%s]%s\n", rst, cyan, rst,
                    e->msg, dim, e->rule, rst);
            continue;
        }
        fprintf(out, ":%s %s%s:%s %s", rst, err ? red : yel,
                err ? "error" : "warning", rst, e->msg);
        if (e->rule)
            fprintf(out, " %s[%s]%s", dim, e->rule, rst);
        fputc('\n', out);
        if (e->source)
            fprintf(out, "    template: %s\n", e->source);
        if (e->hint)
            fprintf(out, "    hint: %s\n", e->hint);
    }
    if (o->quiet)
        return;
    write_explain(r, out);
    fprintf(out, "%zu file%s, %zu document%s, %zu failover%s: %zu error%s, "
                 "%zu warning%s, %zu skipped\n",
            r->files, r->files == 1 ? "" : "s", r->documents,
            r->documents == 1 ? "" : "s", r->failovers,
            r->failovers == 1 ? "" : "s", r->deny + r->errors,
            r->deny + r->errors == 1 ? "" : "s", r->warn,
            r->warn == 1 ? "" : "s", r->skipped);
}

/* ---- GitHub workflow commands ---- */

static void gh_escape(FILE *out, const char *s, bool property)
{
    for (; *s; s++) {
        if (*s == '%')
            fputs("%25", out);
        else if (*s == '\r')
            fputs("%0D", out);
        else if (*s == '\n')
            fputs("%0A", out);
        else if (property && *s == ':')
            fputs("%3A", out);
        else if (property && *s == ',')
            fputs("%2C", out);
        else
            fputc(*s, out);
    }
}

/* One annotation. A finding from a Helm template (# Source:) is filed
 * under that template, without a line: its positions are lines of the
 * rendered input, which the message names instead. */
static void gh_annotation(FILE *out, const struct report_entry *e)
{
    fprintf(out, "::%s file=", report_is_error(e) ? "error" : "warning");
    if (e->source) {
        gh_escape(out, e->source, true);
    } else {
        gh_escape(out, e->file, true);
        fprintf(out, ",line=%u,col=%u", e->pos.line ? e->pos.line : 1,
                e->pos.col ? e->pos.col : 1);
    }
    fputs(",title=", out);
    gh_escape(out, e->rule ? e->rule : REPORT_PARSE_RULE, true);
    fputs("::", out);
    gh_escape(out, e->msg, false);
    if (e->hint) {
        fputs(" (hint: ", out);
        gh_escape(out, e->hint, false);
        fputc(')', out);
    }
    if (e->source) {
        fputs(" (rendered at ", out);
        gh_escape(out, e->file, false);
        fprintf(out, ":%u:%u)", e->pos.line, e->pos.col);
    }
    fputc('\n', out);
}

/* The number of distinct files among the annotated entries (entries are
 * sorted by file, so a change of name is a new file). */
static size_t gh_files(const struct report *r)
{
    const char *last = NULL;
    size_t i, n = 0;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        const char *f = e->source ? e->source : e->file;

        if (e->kind == REPORT_SKIPPED || (last && !strcmp(last, f)))
            continue;
        n++;
        last = f;
    }
    return n;
}

/* GitHub shows at most 10 annotations of each kind per step, so errors
 * come first (then warnings), each in file:line order, and a closing
 * notice gives the totals. */
void report_write_github(const struct report *r, FILE *out)
{
    size_t i, nerr = r->deny + r->errors, nfiles = gh_files(r);
    int pass;

    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < r->len; i++) {
            const struct report_entry *e = &r->v[i];

            if (e->kind != REPORT_SKIPPED && report_is_error(e) == !pass)
                gh_annotation(out, e);
        }
    fprintf(out, "::notice title=rfguard::%zu error%s, %zu warning%s in "
                 "%zu file%s; linted %zu file%s, %zu document%s, %zu "
                 "failover%s",
            nerr, nerr == 1 ? "" : "s", r->warn, r->warn == 1 ? "" : "s",
            nfiles, nfiles == 1 ? "" : "s", r->files,
            r->files == 1 ? "" : "s", r->documents,
            r->documents == 1 ? "" : "s", r->failovers,
            r->failovers == 1 ? "" : "s");
    if (nerr > 10 || r->warn > 10)
        fputs(". GitHub lists only 10 annotations of each kind; this "
              "step's log has them all", out);
    fputc('\n', out);
}
