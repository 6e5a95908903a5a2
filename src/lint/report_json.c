/* SPDX-License-Identifier: Apache-2.0
 *
 * report_json.c - lint output as JSON: the documented "version 1" schema
 * for scripts, and SARIF 2.1.0 for code scanning, whose rules point at
 * each rule's doc (docs/rules/<id>.md in the project's repository). Writes
 * entries report.c collected; reads only rule descriptors.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "report_impl.h"
#include "rules.h"
#include "sbuf.h"

/* ---- json ---- */

static const char *level_name(const struct report_entry *e)
{
    if (e->kind == REPORT_SKIPPED)
        return "skipped";
    return report_is_error(e) ? "error" : "warning";
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

void report_write_json(const struct report *r, FILE *out)
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

/* A SARIF reportingDescriptor. A catalogue rule (`has_doc`) points its
 * help and helpUri at its doc; input errors have none. */
static cJSON *sarif_rule(const char *id, const char *doc, bool has_doc,
                         const char *level)
{
    cJSON *r = cJSON_CreateObject();
    cJSON *t;
    struct sbuf b;

    if (!r)
        return NULL;
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "name", id);
    t = cJSON_AddObjectToObject(r, "shortDescription");
    cJSON_AddStringToObject(t, "text", doc);
    t = cJSON_AddObjectToObject(r, "fullDescription");
    cJSON_AddStringToObject(t, "text", doc);
    t = cJSON_AddObjectToObject(r, "help");
    sbuf_init(&b, 4096);
    if (has_doc)
        (void)sbuf_printf(&b, "%s. Run 'rfguard explain %s' or see %s%s.md "
                              "for why, examples and the fix.",
                          doc, id, REPORT_RULE_DOCS_URL, id);
    else
        (void)sbuf_printf(&b, "%s.", doc);
    if (t)
        cJSON_AddStringToObject(t, "text", sbuf_str(&b));
    sbuf_cleanup(&b);
    if (has_doc) {
        sbuf_init(&b, 4096);
        (void)sbuf_printf(&b, "%s%s.md", REPORT_RULE_DOCS_URL, id);
        cJSON_AddStringToObject(r, "helpUri", sbuf_str(&b));
        sbuf_cleanup(&b);
    }
    t = cJSON_AddObjectToObject(r, "defaultConfiguration");
    cJSON_AddStringToObject(t, "level", level);
    return r;
}

void report_write_sarif(const struct report *r, const struct report_opts *o,
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
    cJSON_AddStringToObject(driver, "informationUri", REPORT_PROJECT_URL);
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
                             d ? sarif_rule(d->id, d->doc, true,
                                            d->default_sev == RFG_SEV_DENY
                                                ? "error"
                                                : "warning")
                               : sarif_rule(REPORT_PARSE_RULE,
                                            "the input could not be read or "
                                            "parsed",
                                            false, "error"));
    }
    results = cJSON_AddArrayToObject(run, "results");
    for (i = 0; i < r->len; i++) {
        const struct report_entry *e = &r->v[i];
        const char *id = e->rule ? e->rule : REPORT_PARSE_RULE;
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
                                report_is_error(e) ? "error" : "warning");
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
