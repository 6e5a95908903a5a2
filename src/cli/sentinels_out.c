/* SPDX-License-Identifier: Apache-2.0
 *
 * sentinels_out.c - the outputs of `rfguard sentinels` (sentinels_out.h)
 * and the PolicyReport mapping audit --sentinels shares
 * (cli_sentinels_policy). Lint formats come from report_write; this adds
 * what they lack: the clean-up steps, the per-failover verdicts, the
 * sentinel rules' SARIF descriptions. Not here: asking or judging.
 */
#define _POSIX_C_SOURCE 200809L

#include "sentinels_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "jpatch.h"
#include "json.h"
#include "rf.h"
#include "sbuf.h"

void sentinels_write_steps(const struct sentinels_plan *plan,
                           const struct sentinels_result *res, bool color)
{
    const char *bold = color ? "\033[1m" : "";
    const char *rst = color ? "\033[0m" : "";

    for (size_t i = 0; i < res->n; i++) {
        const struct sentinels_verdict *v = &res->v[i];

        if (!v->merged)
            continue;
        printf("\n%sHow to clean up %s/%s (rfguard only reads; run these "
               "yourself):%s\n", bold, plan->rfs[i].ns, plan->rfs[i].name,
               rst);
        for (size_t k = 0; k < v->nprocedure; k++)
            printf("  %s\n", v->procedure[k]);
    }
}

void sentinels_write_text(const struct report *rep,
                       const struct sentinels_plan *plan,
                       const struct sentinels_result *res, bool color,
                       bool quiet)
{
    const char *red = color ? "\033[1;31m" : "";
    const char *yel = color ? "\033[1;33m" : "";
    const char *bold = color ? "\033[1m" : "";
    const char *dim = color ? "\033[2m" : "";
    const char *rst = color ? "\033[0m" : "";

    for (size_t i = 0; i < rep->len; i++) {
        const struct report_entry *e = &rep->v[i];
        bool deny = e->sev == RFG_SEV_DENY;

        if (quiet && !deny)
            continue;
        printf("%s%s:%s %s%s:%s %s %s[%s]%s\n", bold,
               e->object ? e->object : "", rst, deny ? red : yel,
               deny ? "error" : "warning", rst, e->msg, dim,
               e->rule ? e->rule : "", rst);
        if (e->hint && !quiet)
            printf("    hint: %s\n", e->hint);
    }
    sentinels_write_steps(plan, res, color);
    if (quiet)
        return;
    if (rep->len || res->merged)
        putchar('\n');
    printf("%zu failover%s, %zu sentinel%s asked (%zu could not be): %zu "
           "merged, %zu error%s, %zu warning%s\n",
           plan->nrfs, plan->nrfs == 1 ? "" : "s", res->asked,
           res->asked == 1 ? "" : "s", res->unreachable, res->merged,
           rep->deny, rep->deny == 1 ? "" : "s", rep->warn,
           rep->warn == 1 ? "" : "s");
}

/* Capture report_write's output, to add to it. NULL when out of memory. */
static char *capture(const struct report *rep, const struct report_opts *ro)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);

    if (!m)
        return NULL;
    report_write(rep, ro, m);
    fclose(m);
    return buf;
}

static cJSON *str_array(char *const *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();

    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
    return a;
}

/* The report's JSON plus "failovers": each checked failover, whether it
 * is merged, with whom, and the clean-up procedure. */
int sentinels_write_json(const struct report *rep,
                      const struct sentinels_plan *plan,
                      const struct sentinels_result *res,
                      const struct report_opts *ro)
{
    char *txt = capture(rep, ro);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL, *rfs;

    free(txt);
    rfs = root ? cJSON_AddArrayToObject(root, "failovers") : NULL;
    for (size_t i = 0; rfs && i < res->n; i++) {
        const struct sentinels_verdict *v = &res->v[i];
        cJSON *f = cJSON_CreateObject();

        cJSON_AddItemToArray(rfs, f);
        cJSON_AddStringToObject(f, "namespace", plan->rfs[i].ns);
        cJSON_AddStringToObject(f, "name", plan->rfs[i].name);
        cJSON_AddStringToObject(f, "master", plan->rfs[i].master);
        cJSON_AddBoolToObject(f, "merged", v->merged);
        cJSON_AddItemToObject(f, "mergedWith",
                              str_array(v->others, v->nothers));
        if (v->merged)
            cJSON_AddItemToObject(f, "procedure",
                                  str_array(v->procedure, v->nprocedure));
    }
    txt = root ? jpatch_format(root, false) : NULL;
    cJSON_Delete(root);
    if (!txt)
        return RFG_ENOMEM;
    fputs(txt, stdout);
    free(txt);
    return RFG_OK;
}

/* SARIF names each rule the results use; the sentinel rules are not in
 * the lint catalogue, so name them here. */
int sentinels_write_sarif(const struct report *rep, const struct report_opts *ro)
{
    static const struct {
        const char *id, *doc;
    } docs[] = {
        {SENTINELS_RULE_MERGED, "a sentinel group knows the master, a "
                                "replica or a sentinel of another failover"},
        {SENTINELS_RULE_STALE, "a sentinel knows an address no pod has"},
        {SENTINELS_RULE_SPLIT, "the sentinels of a failover name different "
                               "masters"},
        {SENTINELS_RULE_EXTRA, "a sentinel knows more replicas or sentinels "
                               "than the spec has"},
        {SENTINELS_RULE_UNREACHABLE, "a sentinel could not be asked"},
        {SENTINELS_RULE_UNKNOWN_MASTER, "a sentinel monitors a master name "
                                        "it should not"},
    };
    char *txt = capture(rep, ro);
    cJSON *root = txt ? cJSON_Parse(txt) : NULL;
    cJSON *run = root ? cJSON_GetArrayItem(json_get_mut(root, "runs"), 0)
                      : NULL;
    cJSON *driver = json_get_mut(json_get_mut(run, "tool"), "driver");
    cJSON *rules = cJSON_CreateArray(), *r;
    size_t nd = sizeof(docs) / sizeof(docs[0]);
    int idx[sizeof(docs) / sizeof(docs[0])], nused = 0;

    free(txt);
    for (size_t k = 0; k < nd; k++)
        idx[k] = -1;
    cJSON_ArrayForEach(r, json_get_mut(run, "results"))
    {
        const char *id = json_str(r, "ruleId");

        for (size_t k = 0; id && k < nd; k++) {
            if (strcmp(id, docs[k].id))
                continue;
            if (idx[k] < 0) {
                cJSON *d = cJSON_CreateObject(), *t;

                idx[k] = nused++;
                cJSON_AddStringToObject(d, "id", docs[k].id);
                cJSON_AddStringToObject(d, "name", docs[k].id);
                t = cJSON_AddObjectToObject(d, "shortDescription");
                cJSON_AddStringToObject(t, "text", docs[k].doc);
                t = cJSON_AddObjectToObject(d, "help");
                cJSON_AddStringToObject(t, "text", "Run 'rfguard sentinels "
                                                   "--help' for the checks "
                                                   "and the clean-up.");
                cJSON_AddItemToArray(rules, d);
            }
            cJSON_ReplaceItemInObjectCaseSensitive(
                r, "ruleIndex", cJSON_CreateNumber(idx[k]));
        }
    }
    if (!driver || !rules ||
        !cJSON_ReplaceItemInObjectCaseSensitive(driver, "rules", rules)) {
        cJSON_Delete(rules);
        cJSON_Delete(root);
        return RFG_ENOMEM;
    }
    txt = jpatch_format(root, false);
    cJSON_Delete(root);
    if (!txt)
        return RFG_ENOMEM;
    fputs(txt, stdout);
    free(txt);
    return RFG_OK;
}

int cli_sentinels_policy(struct audit *a, const struct sentinels_plan *plan,
                         const char *file)
{
    for (size_t i = 0; i < plan->nrfs; i++) {
        const struct sentinels_failover *f = &plan->rfs[i];
        struct audit_failover *af = NULL;
        char obj[512];
        size_t doc, k;

        snprintf(obj, sizeof(obj), "%s/%s", f->ns, f->name);
        /* the failover may be in the audit already */
        for (k = 0; k < a->nrfs && !af; k++)
            if (!strcmp(a->rfs[k].ns, f->ns) &&
                !strcmp(a->rfs[k].name, f->name))
                af = &a->rfs[k];
        if (!af) {
            void *v = rfg_grow(a->rfs, &a->caprfs, a->nrfs + 1,
                               sizeof(*a->rfs), 8);

            if (!v)
                return RFG_ENOMEM;
            a->rfs = v;
            if (report_add_doc(&a->rep, file, 0, RF_KIND, obj, &doc))
                return RFG_ENOMEM;
            af = &a->rfs[a->nrfs++];
            memset(af, 0, sizeof(*af));
            af->api_version = strdup(f->api_version);
            af->kind = strdup(RF_KIND);
            af->ns = strdup(f->ns);
            af->name = strdup(f->name);
            af->uid = strdup(f->uid);
            af->doc = doc;
            if (!af->api_version || !af->kind || !af->ns || !af->name ||
                !af->uid)
                return RFG_ENOMEM;
        }
        for (size_t j = 0; j < a->rep.len; j++) {
            struct report_entry *e = &a->rep.v[j];

            if (e->doc == REPORT_NO_DOC && e->rule && e->object &&
                !strncmp(e->rule, "sentinel-", 9) && !strcmp(e->object, obj))
                e->doc = af->doc;
        }
    }
    return RFG_OK;
}

int sentinels_write_policy(struct audit *a, const struct sentinels_plan *plan,
                        const char *file)
{
    struct audit_report_opts ro;
    struct timespec now;
    cJSON *reports = NULL, *list;
    char *txt;

    if (cli_sentinels_policy(a, plan, file))
        return RFG_ENOMEM;
    memset(&ro, 0, sizeof(ro));
    clock_gettime(CLOCK_REALTIME, &now);
    ro.seconds = (int64_t)now.tv_sec;
    ro.nanos = (int32_t)now.tv_nsec;
    if (audit_policy_reports(&reports, a, &ro))
        return RFG_ENOMEM;
    list = cJSON_CreateObject();
    if (!list || !cJSON_AddStringToObject(list, "apiVersion", "v1") ||
        !cJSON_AddStringToObject(list, "kind", "List")) {
        cJSON_Delete(list);
        cJSON_Delete(reports);
        return RFG_ENOMEM;
    }
    cJSON_AddItemToObject(list, "items", reports);
    txt = jpatch_format(list, false);
    cJSON_Delete(list);
    if (!txt)
        return RFG_ENOMEM;
    fputs(txt, stdout);
    free(txt);
    return RFG_OK;
}
