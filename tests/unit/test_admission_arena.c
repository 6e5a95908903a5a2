/* SPDX-License-Identifier: Apache-2.0
 *
 * test_admission_arena.c - the admission core as `rfguard serve` runs it:
 * with the cJSON arena hooks installed, so each request's trees live in
 * its thread's arena, reset after the answer. Every
 * tests/review/<case>.request.json must get the answer its goldens hold
 * (compared as JSON, the patch decoded), also when the arena is reused,
 * capped, or used by two threads at once (the last is for TSan). And the
 * arena itself: a reset keeps one chunk, a capped arena spills to the
 * heap and such trees still delete cleanly. Under ASan the arena poisons
 * what a request leaves behind, so a tree used after its request fails
 * here. Unlike test_admission.c, which runs without the hooks.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admission.h"
#include "arena.h"
#include "base64.h"
#include "check.h"
#include "cli.h"
#include "file.h"

#define REQ_SUFFIX ".request.json"
#define MAX_CASES 64

struct review_case {
    char *body;             /* the request */
    size_t len;
    cJSON *want[2];         /* validate, mutate goldens */
};

static struct review_case cases[MAX_CASES];
static size_t ncases;
static FILE *devnull;

static char *slurp(const char *path, size_t *len)
{
    char *buf;
    size_t n;

    if (rfg_read_file(&buf, &n, path, SIZE_MAX) != 0)
        return NULL;
    if (len)
        *len = n;
    return buf;
}

/* A response body as JSON with its base64 patch decoded (the goldens'
 * form); NULL when it is not. On the heap: the caller deletes it. */
static cJSON *decoded(const char *body, size_t len)
{
    struct arena *prev = arena_use(NULL);
    cJSON *root = cJSON_ParseWithLength(body, len);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "response");
    cJSON *patch = cJSON_GetObjectItemCaseSensitive(resp, "patch");

    if (root && cJSON_IsString(patch)) {
        size_t n = 0;
        unsigned char *raw = base64_decode(patch->valuestring, &n);
        cJSON *ops = raw ? cJSON_ParseWithLength((const char *)raw, n)
                         : NULL;

        free(raw);
        if (!ops || !cJSON_ReplaceItemInObjectCaseSensitive(resp, "patch",
                                                            ops)) {
            cJSON_Delete(ops);
            cJSON_Delete(root);
            root = NULL;
        }
    }
    arena_use(prev);
    return root;
}

/* Read every case and its two goldens. */
static void load_cases(void)
{
    static const char *const eps[2] = {"validate", "mutate"};
    char dir[512], path[1024];
    struct dirent *e;
    DIR *d;
    size_t nl, base;
    int k;

    snprintf(dir, sizeof(dir), "%s/review", RFG_TEST_DIR);
    d = opendir(dir);
    CHECK(d != NULL);
    while (d && (e = readdir(d)) != NULL && ncases < MAX_CASES) {
        struct review_case *c = &cases[ncases];

        nl = strlen(e->d_name);
        if (nl <= strlen(REQ_SUFFIX) ||
            strcmp(e->d_name + nl - strlen(REQ_SUFFIX), REQ_SUFFIX))
            continue;
        base = nl - strlen(REQ_SUFFIX);
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        c->body = slurp(path, &c->len);
        CHECK(c->body != NULL);
        for (k = 0; k < 2; k++) {
            char *g;
            size_t glen = 0;

            snprintf(path, sizeof(path), "%s/%.*s.%s.response.json", dir,
                     (int)base, e->d_name, eps[k]);
            g = slurp(path, &glen);
            c->want[k] = g ? cJSON_ParseWithLength(g, glen) : NULL;
            CHECK(c->want[k] != NULL);
            free(g);
        }
        ncases++;
    }
    if (d)
        closedir(d);
}

static void free_cases(void)
{
    size_t i;

    for (i = 0; i < ncases; i++) {
        free(cases[i].body);
        cJSON_Delete(cases[i].want[0]);
        cJSON_Delete(cases[i].want[1]);
    }
    ncases = 0;
}

/* Run every case through both endpoints; the number of answers that
 * differ from their goldens. */
static int run_cases(struct admission *a)
{
    struct admission_reply rep;
    size_t i;
    int k, bad = 0;

    for (i = 0; i < ncases; i++) {
        for (k = 0; k < 2; k++) {
            cJSON *got;

            admission_handle(a, k ? METRICS_MUTATE : METRICS_VALIDATE,
                             cases[i].body, cases[i].len, &rep);
            got = rep.body ? decoded(rep.body, rep.len) : NULL;
            if (rep.status != 200 || !got ||
                !cJSON_Compare(got, cases[i].want[k], 1)) {
                fprintf(stderr, "case %zu %s: %.*s\n", i,
                        k ? "mutate" : "validate", (int)rep.len,
                        rep.body ? rep.body : "");
                bad++;
            }
            cJSON_Delete(got);
            free(rep.body);
        }
    }
    return bad;
}

static struct admission *new_core(void)
{
    struct policy_set *p = NULL;
    struct admission *a = NULL;

    if (cli_open_policy(&p, NULL, stderr) != RFG_OK)
        return NULL;
    if (admission_new(&a, p, NULL, devnull) != RFG_OK)
        return NULL;
    return a;
}

/* The goldens hold with the arena, run after run on a reused arena. */
static void test_admission_arena__goldens(void)
{
    struct admission *a = new_core();

    CHECK(a != NULL);
    CHECK(ncases >= 9);
    if (!a)
        return;
    CHECK_INT_EQ(run_cases(a), 0);
    CHECK(arena_thread() != NULL);     /* made by the first request */
    CHECK_INT_EQ(run_cases(a), 0);     /* on the reset arena */
    admission_free(a);
}

struct worker {
    struct admission *a;
    int bad;
};

/* Three rounds of every case on this thread, then drop its arena. */
static void *worker(void *arg)
{
    struct worker *w = arg;
    int r;

    for (r = 0; r < 3; r++)
        w->bad += run_cases(w->a);
    arena_thread_release();
    return NULL;
}

/* Two threads at once, each with its own arena. */
static void test_admission_arena__threads(void)
{
    struct worker w[2];
    pthread_t t[2];
    struct admission *a = new_core();
    int i;

    CHECK(a != NULL);
    if (!a)
        return;
    for (i = 0; i < 2; i++) {
        w[i].a = a;
        w[i].bad = 0;
        CHECK_INT_EQ(pthread_create(&t[i], NULL, worker, &w[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        CHECK_INT_EQ(w[i].bad, 0);
    }
    admission_free(a);
}

/* A reset keeps one chunk for the next use; a cap sends the overflow to
 * the heap, and a tree with nodes on both sides deletes cleanly. */
static void test_admission_arena__reset_and_limit(void)
{
    struct arena *ar = arena_new(), *prev;
    cJSON *arr;
    int i;

    CHECK(ar != NULL);
    if (!ar)
        return;
    arena_set_limit(ar, (size_t)256 << 10);
    prev = arena_use(ar);
    arr = cJSON_CreateArray();
    for (i = 0; arr && i < 20000; i++)    /* ~2 MiB: past the cap */
        CHECK(cJSON_AddItemToArray(arr, cJSON_CreateString("abcdefgh")));
    CHECK_INT_EQ(cJSON_GetArraySize(arr), 20000);
    CHECK(arena_spilled(ar));
    cJSON_Delete(arr);      /* frees the heap nodes, skips the arena's */
    arena_use(prev);
    arena_reset(ar, (size_t)128 << 10);
    CHECK(!arena_spilled(ar));
    prev = arena_use(ar);
    arr = cJSON_Parse("{\"a\":[1,2,3],\"b\":\"c\"}");
    CHECK(arr != NULL && cJSON_GetArraySize(arr) == 2);
    CHECK(!arena_spilled(ar));
    cJSON_Delete(arr);
    arena_use(prev);
    arena_free(ar);
}

int main(void)
{
    int rc;

    /* before any cJSON allocation, as cmd_serve does */
    arena_install_cjson_hooks();
    devnull = fopen("/dev/null", "w");
    load_cases();
    RUN(test_admission_arena__goldens);
    RUN(test_admission_arena__threads);
    RUN(test_admission_arena__reset_and_limit);
    free_cases();
    arena_thread_release();
    if (devnull)
        fclose(devnull);
    rc = CHECK_DONE();
    return rc;
}
