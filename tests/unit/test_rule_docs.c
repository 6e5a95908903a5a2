/* SPDX-License-Identifier: Apache-2.0
 *
 * test_rule_docs.c - the rule docs (docs/rules/<id>.md, compiled in as
 * rule_docs.h) against the rules themselves. Every catalogue rule has a
 * doc and every doc is a catalogue rule; each doc has the fixed layout
 * "# <id>: title", "## Why", "## Fails", "## Passes", "## Fix", where
 * Fails and Passes each hold one ```yaml block; no doc cites notes users
 * do not have. Then the examples are linted as `rfguard lint` does
 * (lint_run, default policy): the Fails example must report exactly the
 * rule, plus the ids its "Also reported: `a`, `b`." line names, and the
 * Passes example only the ids of its own "Also reported:" line.
 *
 * A block whose first line is "# rfguard lint --target NAME" is linted
 * with that target. Update rules (RULE_UPDATE_ONLY) cannot be linted: the
 * first RedisFailover of their block is the old object, the second the
 * new one, and they are evaluated as an admission UPDATE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "crypto.h"
#include "inputs.h"
#include "lint.h"
#include "report.h"
#include "rule_docs.h"
#include "rules.h"

#define MAX_IDS 16

static struct policy_set *pol;

/* A set of rule ids: the rules reported, or the rules expected. */
struct idset {
    char id[MAX_IDS][64];
    size_t n;
};

static void idset_add(struct idset *s, const char *id, size_t len)
{
    size_t i;

    if (len >= sizeof(s->id[0]))
        len = sizeof(s->id[0]) - 1;
    for (i = 0; i < s->n; i++)
        if (strlen(s->id[i]) == len && !strncmp(s->id[i], id, len))
            return;
    if (s->n == MAX_IDS)
        return;
    memcpy(s->id[s->n], id, len);
    s->id[s->n][len] = '\0';
    s->n++;
}

static bool idset_has(const struct idset *s, const char *id)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        if (!strcmp(s->id[i], id))
            return true;
    return false;
}

static bool idset_eq(const struct idset *a, const struct idset *b)
{
    size_t i;

    if (a->n != b->n)
        return false;
    for (i = 0; i < a->n; i++)
        if (!idset_has(b, a->id[i]))
            return false;
    return true;
}

static void idset_print(const char *what, const struct idset *s)
{
    size_t i;

    fprintf(stderr, "  %s:", what);
    for (i = 0; i < s->n; i++)
        fprintf(stderr, " %s", s->id[i]);
    fprintf(stderr, "%s\n", s->n ? "" : " (none)");
}

/* The text of section "## <name>" of `doc` (up to the next "\n## "), as
 * a pointer and length; NULL when the section is missing. */
static const char *section(const char *doc, const char *name, size_t *len)
{
    char head[64];
    const char *s, *e;

    snprintf(head, sizeof(head), "\n## %s\n", name);
    s = strstr(doc, head);
    if (!s)
        return NULL;
    s += strlen(head);
    e = strstr(s, "\n## ");
    *len = e ? (size_t)(e - s) : strlen(s);
    return s;
}

/* One example of a doc: its YAML, the target its first line names, and
 * the ids its "Also reported:" line names. */
struct example {
    char *yaml;             /* owned */
    char target[64];        /* "" = the policy's */
    struct idset also;
};

/* Parse section `name` of `doc` into `ex`; false if it has no block. */
static bool example_parse(struct example *ex, const char *doc,
                          const char *name)
{
    static const char open[] = "```yaml\n";
    static const char lint[] = "# rfguard lint --target ";
    const char *sec, *b, *e, *a;
    size_t len;

    memset(ex, 0, sizeof(*ex));
    sec = section(doc, name, &len);
    if (!sec)
        return false;
    b = strstr(sec, open);
    if (!b || b >= sec + len)
        return false;
    b += strlen(open);
    e = strstr(b, "\n```\n");
    if (!e || e > sec + len)
        return false;
    /* "Also reported: `x`, `y`." before the block */
    a = strstr(sec, "Also reported: ");
    if (a && a < b) {
        const char *eol = strchr(a, '\n');

        for (a = strchr(a, '`'); a && a < eol; a = strchr(a, '`')) {
            const char *q = strchr(a + 1, '`');

            if (!q || q > eol)
                break;
            idset_add(&ex->also, a + 1, (size_t)(q - a - 1));
            a = q + 1;
        }
    }
    if (!strncmp(b, lint, strlen(lint)))
        snprintf(ex->target, sizeof(ex->target), "%.*s",
                 (int)strcspn(b + strlen(lint), "\n"), b + strlen(lint));
    ex->yaml = strndup(b, (size_t)(e - b) + 1);
    return ex->yaml != NULL;
}

/* Write `text` to a new temporary file; its name into path. */
static bool write_temp(char *path, size_t len, const char *text)
{
    const char *dir = getenv("TMPDIR");
    FILE *f;
    int fd;

    snprintf(path, len, "%s/rfg-docXXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0)
        return false;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return false;
    }
    fputs(text, f);
    return fclose(f) == 0;
}

/* The rules `rfguard lint --target T` reports for the file at `path`. */
static void lint_file(struct idset *got, const char *path, enum rf_target t)
{
    struct report rep;
    struct lint_opts o = {0};
    char *paths[1];
    size_t i;

    report_init(&rep);
    o.pol = pol;
    o.target = t;
    o.jobs = 1;
    o.hash = rfg_sha256;
    paths[0] = (char *)(uintptr_t)path;
    CHECK(lint_run(&rep, paths, 1, &o) == RFG_OK);
    CHECK_INT_EQ((int)rep.errors, 0);
    for (i = 0; i < rep.len; i++)
        if (rep.v[i].kind == REPORT_FINDING && rep.v[i].rule)
            idset_add(got, rep.v[i].rule, strlen(rep.v[i].rule));
    report_cleanup(&rep);
}

/* The rules an admission UPDATE from the file's first failover to its
 * second reports (every document feeds the cluster view). */
static void update_file(struct idset *got, const char *path,
                        enum rf_target t)
{
    struct input_set in;
    char *paths[1];
    const cJSON *old = NULL, *obj = NULL;
    size_t i;

    inputs_init(&in, "default", rfg_sha256);
    paths[0] = (char *)(uintptr_t)path;
    CHECK(inputs_load(&in, paths, 1, NULL) == RFG_OK);
    CHECK_INT_EQ((int)inputs_nerrors(&in), 0);
    for (i = 0; i < in.ndocs; i++) {
        if (!rf_is_failover(in.docs[i].obj))
            continue;
        if (!old)
            old = in.docs[i].obj;
        else if (!obj)
            obj = in.docs[i].obj;
    }
    CHECK(old && obj);
    if (old && obj) {
        struct rules_input ri = {0};
        struct rules_result res;

        ri.obj = obj;
        ri.old = old;
        ri.op = RULES_UPDATE;
        ri.pol = pol;
        ri.cv = &in.cv;
        ri.target = t;
        CHECK(rules_eval(&res, &ri) == RFG_OK);
        for (i = 0; i < res.len; i++)
            idset_add(got, res.v[i].rule->id, strlen(res.v[i].rule->id));
        rules_result_cleanup(&res);
    }
    inputs_cleanup(&in);
}

/* Lint example `name` of rule `d`; the reported set must be `want`. */
static void check_example(const struct rule_desc *d, const char *doc,
                          const char *name, bool fails)
{
    struct example ex;
    struct idset got = {0}, want = {0};
    char path[512];
    enum rf_target t = 0;
    size_t i;

    if (!example_parse(&ex, doc, name)) {
        fprintf(stderr, "docs/rules/%s.md: no ```yaml block under "
                        "## %s\n", d->id, name);
        CHECK(0);
        return;
    }
    for (i = 0; i < ex.also.n; i++) {
        if (!rules_find(ex.also.id[i]))
            fprintf(stderr, "docs/rules/%s.md: '%s' is not a rule\n",
                    d->id, ex.also.id[i]);
        CHECK(rules_find(ex.also.id[i]) != NULL);
        CHECK(strcmp(ex.also.id[i], d->id) != 0);
    }
    if (ex.target[0]) {
        t = rf_target_parse(ex.target);
        CHECK(t != 0);
    }
    /* The rule must apply to the target the example is linted with. */
    if (!(d->targets & (t ? t : pol->target)))
        fprintf(stderr, "docs/rules/%s.md: ## %s is linted for %s, which "
                        "the rule does not check: start the block with "
                        "'# rfguard lint --target NAME'\n",
                d->id, name, rf_target_name(t ? t : pol->target));
    CHECK(d->targets & (t ? t : pol->target));
    want = ex.also;
    if (fails)
        idset_add(&want, d->id, strlen(d->id));
    CHECK(write_temp(path, sizeof(path), ex.yaml));
    if (d->flags & RULE_UPDATE_ONLY)
        update_file(&got, path, t);
    else
        lint_file(&got, path, t);
    unlink(path);
    if (!idset_eq(&got, &want)) {
        fprintf(stderr, "docs/rules/%s.md: the ## %s example reports "
                        "other rules than it says\n", d->id, name);
        idset_print("reported", &got);
        idset_print("expected", &want);
    }
    CHECK(idset_eq(&got, &want));
    free(ex.yaml);
}

/* Every catalogue rule has a doc, every doc is a catalogue rule, and the
 * table is sorted by id (rule_doc_find searches it by halves). */
static void test_rule_docs__match_catalogue(void)
{
    const struct rule_desc *cat;
    size_t n, i;

    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        if (!rule_doc_find(cat[i].id))
            fprintf(stderr, "no docs/rules/%s.md\n", cat[i].id);
        CHECK(rule_doc_find(cat[i].id) != NULL);
    }
    for (i = 0; i < rule_docs_count; i++) {
        if (!rules_find(rule_docs[i].id))
            fprintf(stderr, "docs/rules/%s.md: no such rule\n",
                    rule_docs[i].id);
        CHECK(rules_find(rule_docs[i].id) != NULL);
        if (i)
            CHECK(strcmp(rule_docs[i - 1].id, rule_docs[i].id) < 0);
        CHECK(rule_doc_find(rule_docs[i].id) == &rule_docs[i]);
    }
    CHECK_INT_EQ((int)rule_docs_count, (int)n);
    CHECK(rule_docs[rule_docs_count].id == NULL);
    CHECK(rule_doc_find("no-such-rule") == NULL);
    CHECK(rule_doc_find("") == NULL);
}

/* The fixed layout, and nothing a user cannot follow. */
static void test_rule_docs__layout(void)
{
    static const char *const heads[] = {"\n## Why\n", "\n## Fails\n",
                                        "\n## Passes\n", "\n## Fix\n"};
    static const char *const banned[] = {"rules.md", "\xc2\xa7",
                                         "README.md:", "/work/"};
    size_t i, k;

    for (i = 0; i < rule_docs_count; i++) {
        const struct rule_doc *doc = &rule_docs[i];
        const char *prev = doc->text;
        char title[128];

        snprintf(title, sizeof(title), "# %s: ", doc->id);
        if (strncmp(doc->text, title, strlen(title)))
            fprintf(stderr, "docs/rules/%s.md: does not start with '%s'\n",
                    doc->id, title);
        CHECK(!strncmp(doc->text, title, strlen(title)));
        CHECK_INT_EQ((int)strlen(doc->text), (int)doc->len);
        for (k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
            const char *h = strstr(doc->text, heads[k]);

            if (!h || h < prev)
                fprintf(stderr, "docs/rules/%s.md: no '%s' in order\n",
                        doc->id, heads[k] + 1);
            CHECK(h && h >= prev);
            if (h)
                prev = h;
        }
        for (k = 0; k < sizeof(banned) / sizeof(banned[0]); k++) {
            if (strstr(doc->text, banned[k]))
                fprintf(stderr, "docs/rules/%s.md: cites '%s'\n", doc->id,
                        banned[k]);
            CHECK(strstr(doc->text, banned[k]) == NULL);
        }
    }
}

/* Each Fails example reports its rule, each Passes example does not. */
static void test_rule_docs__examples(void)
{
    const struct rule_desc *cat;
    size_t n, i;

    cat = rules_catalog(&n);
    for (i = 0; i < n; i++) {
        const struct rule_doc *doc = rule_doc_find(cat[i].id);

        if (!doc)
            continue; /* test_rule_docs__match_catalogue says so */
        check_example(&cat[i], doc->text, "Fails", true);
        check_example(&cat[i], doc->text, "Passes", false);
    }
}

int main(void)
{
    if (cli_open_policy(&pol, NULL, stderr))
        return 1;
    RUN(test_rule_docs__match_catalogue);
    RUN(test_rule_docs__layout);
    RUN(test_rule_docs__examples);
    policy_free(pol);
    return CHECK_DONE();
}
