/* SPDX-License-Identifier: Apache-2.0
 *
 * report_junit.c - lint output as JUnit XML for GitLab and Jenkins test
 * reports: a testcase per document, deny findings as failures, warnings
 * in system-out, unreadable files as errors. Writes entries report.c
 * collected.
 */
#include <stdbool.h>
#include <stdio.h>

#include "report_impl.h"

/* ---- JUnit XML ---- */

static void xml_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc('?', out);
            else
                fputc(*s, out);
        }
    }
}

static void junit_line(FILE *out, const struct report_entry *e)
{
    char pos[64];

    snprintf(pos, sizeof(pos), ":%u:%u: ", e->pos.line, e->pos.col);
    xml_escape(out, e->file);
    fputs(pos, out);
    xml_escape(out, e->msg);
    if (e->rule) {
        fputs(" [", out);
        xml_escape(out, e->rule);
        fputc(']', out);
    }
    if (e->source) {
        fputs(" (template ", out);
        xml_escape(out, e->source);
        fputc(')', out);
    }
    fputc('\n', out);
}

static void junit_case(FILE *out, const struct report *r, size_t doc,
                       const struct report_doc *d)
{
    size_t i, nfail = 0, nwarn = 0, nskip = 0;

    fputs("    <testcase classname=\"", out);
    xml_escape(out, d->file);
    fputs("\" name=\"", out);
    xml_escape(out, *d->kind ? d->kind : "document");
    if (*d->object) {
        fputc(' ', out);
        xml_escape(out, d->object);
    }
    fprintf(out, " (line %u)\">\n", d->line);
    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];

        if (e->doc != doc)
            continue;
        if (e->kind == REPORT_SKIPPED)
            nskip++;
        else if (report_is_error(e))
            nfail++;
        else
            nwarn++;
    }
    if (nfail) {
        fprintf(out, "      <failure type=\"rfguard\" message=\"%zu deny "
                     "finding%s\">", nfail, nfail == 1 ? "" : "s");
        for (i = 0; i < r->len; i++)
            if (r->v[i].doc == doc && r->v[i].kind == REPORT_FINDING &&
                report_is_error(&r->v[i]))
                junit_line(out, &r->v[i]);
        fputs("</failure>\n", out);
    }
    if (nwarn || nskip) {
        fputs("      <system-out>", out);
        for (i = 0; i < r->len; i++)
            if (r->v[i].doc == doc && !report_is_error(&r->v[i])) {
                fputs(r->v[i].kind == REPORT_SKIPPED ? "skipped: "
                                                     : "warning: ",
                      out);
                junit_line(out, &r->v[i]);
            }
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

void report_write_junit(const struct report *r, FILE *out)
{
    size_t i, nfail = 0;

    for (i = 0; i < r->ndocs; i++) {
        size_t k;

        for (k = 0; k < r->len; k++)
            if (r->v[k].doc == i && r->v[k].kind == REPORT_FINDING &&
                report_is_error(&r->v[k])) {
                nfail++;
                break;
            }
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites name=\"rfguard\" tests=\"%zu\" failures=\"%zu\" "
                 "errors=\"%zu\">\n",
            r->ndocs + r->errors, nfail, r->errors);
    fprintf(out, "  <testsuite name=\"rfguard lint\" tests=\"%zu\" "
                 "failures=\"%zu\" errors=\"%zu\" skipped=\"0\">\n",
            r->ndocs + r->errors, nfail, r->errors);
    for (i = 0; i < r->ndocs; i++)
        junit_case(out, r, i, &r->docs[i]);
    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];

        if (e->kind != REPORT_ERROR)
            continue;
        fputs("    <testcase classname=\"", out);
        xml_escape(out, e->file);
        fputs("\" name=\"read and parse\">\n      <error type=\"input\" "
              "message=\"",
              out);
        xml_escape(out, e->msg);
        fputs("\">", out);
        junit_line(out, e);
        fputs("</error>\n    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}
