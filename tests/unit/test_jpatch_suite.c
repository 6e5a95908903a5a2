/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jpatch_suite.c - src/util/jpatch.c against the public RFC 6902
 * conformance suite (json-patch-tests: tests.json, spec_tests.json),
 * read from ../shared/conformance next to the source tree; the suite is
 * data, not part of the project, so the test exits 77 (skipped) when it
 * is absent. Each record has `doc` and `patch`, then `expected` (the
 * result), `error` (the patch must be refused, leaving the document as
 * it was) or neither (it must apply). Records marked `disabled` test
 * behaviour the RFC leaves open and are skipped. Each record runs twice:
 * whole (jpatch_apply) and op by op in place (jpatch_apply_op).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jpatch.h"

#define SUITE_DIR RFG_SOURCE_DIR "/../shared/conformance/json-patch-tests"

static int nrun, nskip;

/* The whole of `path`, NUL-terminated, or NULL (errno set). */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* The same record through jpatch_apply_op, one op at a time and in
 * place, as the rule engine applies its fixes: the result must be the
 * same, and the op that fails must leave the document as it found it. */
static void run_record_op_by_op(const cJSON *doc, const cJSON *patch,
                                const cJSON *expected, const cJSON *error,
                                const char *where)
{
    cJSON *work = cJSON_Duplicate(doc, 1), *before = NULL;
    const cJSON *op;
    struct diag_list dl;
    int rc = RFG_OK;

    CHECK(work != NULL);
    diag_list_init(&dl, NULL);
    cJSON_ArrayForEach(op, patch) {
        cJSON_Delete(before);
        before = cJSON_Duplicate(work, 1);
        rc = jpatch_apply_op(&work, op, &dl);
        if (rc)
            break;
    }
    if (error) {
        if (rc != RFG_EINVAL)
            fprintf(stderr, "%s: op by op: applied, but should fail\n",
                    where);
        CHECK_INT_EQ(rc, RFG_EINVAL);
        CHECK(cJSON_Compare(work, before, 1));
    } else if (rc != RFG_OK) {
        fprintf(stderr, "%s: op by op: refused: %s\n", where,
                dl.len ? dl.v[0].msg : "?");
        CHECK_INT_EQ(rc, RFG_OK);
    } else if (expected && !cJSON_Compare(work, expected, 1)) {
        fprintf(stderr, "%s: op by op: wrong result\n", where);
        CHECK(0);
    }
    diag_list_cleanup(&dl);
    cJSON_Delete(before);
    cJSON_Delete(work);
}

/* Run one record; `where` names it in failure messages. */
static void run_record(const cJSON *rec, const char *where)
{
    const cJSON *doc = cJSON_GetObjectItemCaseSensitive(rec, "doc");
    const cJSON *patch = cJSON_GetObjectItemCaseSensitive(rec, "patch");
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(rec,
                                                             "expected");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(rec, "error");
    cJSON *work;
    struct diag_list dl;
    int rc;

    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "disabled"))) {
        nskip++;
        return;
    }
    nrun++;
    CHECK(doc != NULL && patch != NULL);
    if (!doc || !patch)
        return;
    work = cJSON_Duplicate(doc, 1);
    CHECK(work != NULL);
    diag_list_init(&dl, NULL);
    rc = jpatch_apply(&work, patch, &dl);
    if (error) {
        if (rc != RFG_EINVAL)
            fprintf(stderr, "%s: applied, but should fail: %s\n", where,
                    cJSON_IsString(error) ? error->valuestring : "");
        CHECK_INT_EQ(rc, RFG_EINVAL);
        CHECK(cJSON_Compare(work, doc, 1)); /* all or nothing */
    } else if (rc != RFG_OK) {
        fprintf(stderr, "%s: refused: %s\n", where,
                dl.len ? dl.v[0].msg : "?");
        CHECK_INT_EQ(rc, RFG_OK);
    } else if (expected && !cJSON_Compare(work, expected, 1)) {
        char *got = cJSON_PrintUnformatted(work);
        char *want = cJSON_PrintUnformatted(expected);

        fprintf(stderr, "%s: got %s, want %s\n", where, got ? got : "?",
                want ? want : "?");
        cJSON_free(got);
        cJSON_free(want);
        CHECK(0);
    }
    diag_list_cleanup(&dl);
    cJSON_Delete(work);
    run_record_op_by_op(doc, patch, expected, error, where);
}

/* Run every record of one suite file. Returns -1 when it is absent. */
static int run_file(const char *name)
{
    char path[4096], where[4200];
    char *text;
    cJSON *records;
    const cJSON *rec;
    size_t i = 0;

    snprintf(path, sizeof(path), "%s/%s", SUITE_DIR, name);
    text = slurp(path);
    if (!text)
        return -1;
    records = cJSON_Parse(text);
    free(text);
    CHECK(cJSON_IsArray(records));
    cJSON_ArrayForEach(rec, records) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(rec, "comment");

        snprintf(where, sizeof(where), "%s[%zu] (%s)", name, i++,
                 cJSON_IsString(c) ? c->valuestring : "no comment");
        run_record(rec, where);
    }
    cJSON_Delete(records);
    return 0;
}

static void test_jpatch_suite__tests(void)
{
    CHECK(run_file("tests.json") == 0);
}

static void test_jpatch_suite__spec_tests(void)
{
    CHECK(run_file("spec_tests.json") == 0);
}

int main(void)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/tests.json", SUITE_DIR);
    f = fopen(path, "rb");
    if (!f) {
        printf("SKIP: the RFC 6902 conformance suite is not at %s (%s)\n",
               SUITE_DIR, strerror(errno));
        return 77;
    }
    fclose(f);
    RUN(test_jpatch_suite__tests);
    RUN(test_jpatch_suite__spec_tests);
    printf("%d records run, %d disabled ones skipped\n", nrun, nskip);
    return CHECK_DONE();
}
