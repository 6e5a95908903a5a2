/* SPDX-License-Identifier: Apache-2.0
 *
 * report.c - lint output. Text is "file:line:col: error|warning: message
 * [rule]" plus indented hints, like compilers and kubeconform; JSON has
 * a stable documented schema (README, "Output formats"); SARIF 2.1.0 is
 * for GitHub code scanning; JUnit has a testcase per document; "github"
 * prints workflow commands. Every format carries 1-based line and column.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rules.h"
#include "sbuf.h"

#define PARSE_RULE "input-error"

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

static bool is_error(const struct report_entry *e)
{
    return e->kind == REPORT_ERROR ||
           (e->kind == REPORT_FINDING && e->sev == RFG_SEV_DENY);
}

/* ---- text ---- */

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
    const char *cyan = o->color ? "\033[36m" : "";
    const char *bold = o->color ? "\033[1m" : "";
    const char *dim = o->color ? "\033[2m" : "";
    const char *rst = o->color ? "\033[0m" : "";
    size_t i;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        bool err = is_error(e);

        if (o->quiet && !err)
            continue;
        fputs(bold, out);
        write_pos(out, e);
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
    fprintf(out, "%zu file%s, %zu document%s, %zu failover%s: %zu error%s, "
                 "%zu warning%s, %zu skipped\n",
            r->files, r->files == 1 ? "" : "s", r->documents,
            r->documents == 1 ? "" : "s", r->failovers,
            r->failovers == 1 ? "" : "s", r->deny + r->errors,
            r->deny + r->errors == 1 ? "" : "s", r->warn,
            r->warn == 1 ? "" : "s", r->skipped);
}

/* ---- json ---- */

static const char *level_name(const struct report_entry *e)
{
    if (e->kind == REPORT_SKIPPED)
        return "skipped";
    return is_error(e) ? "error" : "warning";
}

static cJSON *entry_json(const struct report_entry *e)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "file", e->file);
    cJSON_AddNumberToObject(o, "line", e->pos.line);
    cJSON_AddNumberToObject(o, "column", e->pos.col);
    cJSON_AddStringToObject(o, "severity", level_name(e));
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
    if (e->source)
        cJSON_AddStringToObject(o, "template", e->source);
    return o;
}

static void print_json(cJSON *root, FILE *out)
{
    char *s = cJSON_Print(root);

    if (s) {
        fputs(s, out);
        fputc('\n', out);
        cJSON_free(s);
    }
    cJSON_Delete(root);
}

static void write_json(const struct report *r, FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *findings = cJSON_AddArrayToObject(root, "findings");
    cJSON *skipped = cJSON_AddArrayToObject(root, "skipped");
    cJSON *errors = cJSON_AddArrayToObject(root, "errors");
    cJSON *sum = cJSON_AddObjectToObject(root, "summary");
    size_t i;

    for (i = 0; i < r->len && findings && errors && skipped; i++) {
        cJSON *e = entry_json(&r->v[i]);
        cJSON *to = r->v[i].kind == REPORT_ERROR     ? errors
                    : r->v[i].kind == REPORT_SKIPPED ? skipped
                                                     : findings;

        if (e && !cJSON_AddItemToArray(to, e))
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
    cJSON_AddNumberToObject(root, "version", 1);
    print_json(root, out);
}

/* ---- SARIF 2.1.0 ---- */

static cJSON *sarif_rule(const char *id, const char *doc, const char *link,
                         const char *level)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *t;

    if (!r)
        return NULL;
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "name", id);
    t = cJSON_AddObjectToObject(r, "shortDescription");
    cJSON_AddStringToObject(t, "text", doc);
    t = cJSON_AddObjectToObject(r, "fullDescription");
    cJSON_AddStringToObject(t, "text", doc);
    t = cJSON_AddObjectToObject(r, "help");
    if (t) {
        struct sbuf b;

        sbuf_init(&b, 4096);
        (void)sbuf_printf(&b, "%s. Run 'rfguard explain %s' for details%s%s",
                          doc, id, link ? "; see " : ".", link ? link : "");
        cJSON_AddStringToObject(t, "text", sbuf_str(&b));
        sbuf_cleanup(&b);
    }
    if (link)
        cJSON_AddStringToObject(r, "helpUri", link);
    t = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON_AddStringToObject(t, "level", level);
    return r;
}

static void write_sarif(const struct report *r, const struct report_opts *o,
                        FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *runs = cJSON_AddArrayToObject(root, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON *driver, *rules, *results;
    const struct rule_desc *cat;
    size_t ncat, i, nused = 0, *used;

    cJSON_AddStringToObject(root, "$schema",
                            "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(root, "version", "2.1.0");
    if (!run || !cJSON_AddItemToArray(runs, run)) {
        cJSON_Delete(run);
        print_json(root, out);
        return;
    }
    driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"),
                                     "driver");
    cJSON_AddStringToObject(driver, "name", "rfguard");
    cJSON_AddStringToObject(driver, "version",
                            o->version ? o->version : "unknown");
    cJSON_AddStringToObject(driver, "informationUri",
                            "https://github.com/spotahome/redis-operator");
    /* Only the rules the results use, in order of first use: the output
     * then depends on the findings, not on the size of the catalogue. */
    rules = cJSON_AddArrayToObject(driver, "rules");
    cat = rules_catalog(&ncat);
    used = calloc(ncat + 1, sizeof(*used));
    if (!used) {
        print_json(root, out);
        return;
    }
    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        const struct rule_desc *d = e->rule ? rules_find(e->rule) : NULL;
        size_t k = d ? (size_t)(d - cat) : ncat;

        if (e->kind == REPORT_SKIPPED || used[k])
            continue;
        used[k] = ++nused;
        cJSON_AddItemToArray(rules,
                             d ? sarif_rule(d->id, d->doc, d->link,
                                            d->default_sev == RFG_SEV_DENY
                                                ? "error"
                                                : "warning")
                               : sarif_rule(PARSE_RULE,
                                            "the input could not be read or "
                                            "parsed",
                                            NULL, "error"));
    }
    results = cJSON_AddArrayToObject(run, "results");
    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        const char *id = e->rule ? e->rule : PARSE_RULE;
        const struct rule_desc *d = e->rule ? rules_find(e->rule) : NULL;
        cJSON *res, *loc, *phys, *region, *t;

        if (e->kind == REPORT_SKIPPED)
            continue;
        res = cJSON_CreateObject();
        if (!res || !cJSON_AddItemToArray(results, res)) {
            cJSON_Delete(res);
            break;
        }
        cJSON_AddStringToObject(res, "ruleId", id);
        cJSON_AddNumberToObject(res, "ruleIndex",
                                (double)(used[d ? (size_t)(d - cat) : ncat] -
                                         1));
        cJSON_AddStringToObject(res, "level",
                                is_error(e) ? "error" : "warning");
        t = cJSON_AddObjectToObject(res, "message");
        if (t) {
            struct sbuf b;

            sbuf_init(&b, 0);
            (void)sbuf_adds(&b, e->msg);
            if (e->hint)
                (void)sbuf_printf(&b, " (hint: %s)", e->hint);
            cJSON_AddStringToObject(t, "text", sbuf_str(&b));
            sbuf_cleanup(&b);
        }
        loc = cJSON_CreateObject();
        if (!loc ||
            !cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"),
                                  loc)) {
            cJSON_Delete(loc);
            continue;
        }
        phys = cJSON_AddObjectToObject(loc, "physicalLocation");
        t = cJSON_AddObjectToObject(phys, "artifactLocation");
        cJSON_AddStringToObject(t, "uri", e->file);
        region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine",
                                e->pos.line ? e->pos.line : 1);
        cJSON_AddNumberToObject(region, "startColumn",
                                e->pos.col ? e->pos.col : 1);
        if (e->ptr || e->object || e->source) {
            t = cJSON_AddObjectToObject(res, "properties");
            if (e->ptr)
                cJSON_AddStringToObject(t, "pointer", e->ptr);
            if (e->object)
                cJSON_AddStringToObject(t, "object", e->object);
            if (e->source)
                cJSON_AddStringToObject(t, "template", e->source);
        }
    }
    free(used);
    print_json(root, out);
}

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
        else if (is_error(e))
            nfail++;
        else
            nwarn++;
    }
    if (nfail) {
        fprintf(out, "      <failure type=\"rfguard\" message=\"%zu deny "
                     "finding%s\">", nfail, nfail == 1 ? "" : "s");
        for (i = 0; i < r->len; i++)
            if (r->v[i].doc == doc && r->v[i].kind == REPORT_FINDING &&
                is_error(&r->v[i]))
                junit_line(out, &r->v[i]);
        fputs("</failure>\n", out);
    }
    if (nwarn || nskip) {
        fputs("      <system-out>", out);
        for (i = 0; i < r->len; i++)
            if (r->v[i].doc == doc && !is_error(&r->v[i])) {
                fputs(r->v[i].kind == REPORT_SKIPPED ? "skipped: "
                                                     : "warning: ",
                      out);
                junit_line(out, &r->v[i]);
            }
        fputs("</system-out>\n", out);
    }
    fputs("    </testcase>\n", out);
}

static void write_junit(const struct report *r, FILE *out)
{
    size_t i, nfail = 0;

    for (i = 0; i < r->ndocs; i++) {
        size_t k;

        for (k = 0; k < r->len; k++)
            if (r->v[k].doc == i && r->v[k].kind == REPORT_FINDING &&
                is_error(&r->v[k])) {
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

static void write_github(const struct report *r, FILE *out)
{
    size_t i;

    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];

        if (e->kind == REPORT_SKIPPED)
            continue;
        fprintf(out, "::%s file=", is_error(e) ? "error" : "warning");
        gh_escape(out, e->file, true);
        fprintf(out, ",line=%u,col=%u,title=", e->pos.line ? e->pos.line : 1,
                e->pos.col ? e->pos.col : 1);
        gh_escape(out, e->rule ? e->rule : PARSE_RULE, true);
        fputs("::", out);
        gh_escape(out, e->msg, false);
        if (e->hint) {
            fputs(" (hint: ", out);
            gh_escape(out, e->hint, false);
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

void report_write(const struct report *r, const struct report_opts *o,
                  FILE *out)
{
    switch (o->format) {
    case REPORT_JSON:
        write_json(r, out);
        break;
    case REPORT_SARIF:
        write_sarif(r, o, out);
        break;
    case REPORT_JUNIT:
        write_junit(r, out);
        break;
    case REPORT_GITHUB:
        write_github(r, out);
        break;
    default:
        write_text(r, o, out);
    }
}
