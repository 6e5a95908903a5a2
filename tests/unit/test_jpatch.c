/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jpatch.c - JSON Pointer lookup and escaping, and JSON Patch
 * application: each op, error cases, and all-or-nothing behaviour.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jpatch.h"

static cJSON *J(const char *s)
{
    cJSON *j = cJSON_Parse(s);

    CHECK(j != NULL);
    return j;
}

static void expect_apply(const char *doc, const char *ops, const char *want)
{
    cJSON *d = J(doc), *o = J(ops), *w = J(want);
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(jpatch_apply(&d, o, &dl), RFG_OK);
    if (!cJSON_Compare(d, w, 1)) {
        char *s = cJSON_PrintUnformatted(d);

        fprintf(stderr, "got %s want %s\n", s, want);
        free(s);
        CHECK(0);
    }
    diag_list_cleanup(&dl);
    cJSON_Delete(d);
    cJSON_Delete(o);
    cJSON_Delete(w);
}

static void expect_fail(const char *doc, const char *ops, const char *msg)
{
    cJSON *d = J(doc), *o = J(ops), *orig = J(doc);
    struct diag_list dl;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(jpatch_apply(&d, o, &dl), RFG_EINVAL);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len)
        CHECK_CONTAINS(dl.v[0].msg, msg);
    CHECK(cJSON_Compare(d, orig, 1)); /* unchanged */
    diag_list_cleanup(&dl);
    cJSON_Delete(d);
    cJSON_Delete(o);
    cJSON_Delete(orig);
}

static void test_jpatch__pointer(void)
{
    cJSON *d = J("{\"a/b\":{\"m~n\":[1,2,{\"x\":3}]},\"\":5}");
    struct sbuf p;

    CHECK(jptr_get(d, "") == d);
    CHECK_INT_EQ(jptr_get(d, "/a~1b/m~0n/2/x")->valueint, 3);
    CHECK_INT_EQ(jptr_get(d, "/")->valueint, 5);
    CHECK(jptr_get(d, "/a~1b/m~0n/3") == NULL);
    CHECK(jptr_get(d, "/a~1b/m~0n/01") == NULL);
    CHECK(jptr_get(d, "/a~2b") == NULL);
    CHECK(jptr_get(d, "a") == NULL);
    CHECK(jptr_deepest(d, "/a~1b/m~0n/9/y") ==
          jptr_get(d, "/a~1b/m~0n"));
    CHECK(!jptr_valid("/a~"));
    CHECK(jptr_valid("/a~0~1"));
    sbuf_init(&p, 0);
    CHECK(jptr_append(&p, "app.kubernetes.io/name") == RFG_OK);
    CHECK(jptr_append(&p, "a~b") == RFG_OK);
    CHECK(jptr_append_index(&p, 7) == RFG_OK);
    CHECK_STR_EQ(sbuf_str(&p), "/app.kubernetes.io~1name/a~0b/7");
    sbuf_cleanup(&p);
    cJSON_Delete(d);
}

static void test_jpatch__ops(void)
{
    expect_apply("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]",
                 "{\"a\":1,\"b\":2}");
    expect_apply("{\"a\":[1,3]}",
                 "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2},"
                 "{\"op\":\"add\",\"path\":\"/a/-\",\"value\":4}]",
                 "{\"a\":[1,2,3,4]}");
    expect_apply("{\"a\":1}",
                 "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":[]}]",
                 "{\"a\":[]}");
    expect_apply("{\"a\":1,\"b\":2}", "[{\"op\":\"remove\",\"path\":\"/a\"}]",
                 "{\"b\":2}");
    expect_apply("{\"a\":{\"x\":1}}",
                 "[{\"op\":\"move\",\"from\":\"/a/x\",\"path\":\"/y\"}]",
                 "{\"a\":{},\"y\":1}");
    expect_apply("{\"a\":{\"x\":1}}",
                 "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]",
                 "{\"a\":{\"x\":1},\"b\":{\"x\":1}}");
    expect_apply("{\"a\":1}",
                 "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]",
                 "{\"a\":1}");
    expect_apply("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[]}]",
                 "[]");
    expect_apply("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]",
                 "{\"a\":2}");
}

static void test_jpatch__errors(void)
{
    expect_fail("{}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]",
                "patch op 0 (/a/b): parent does not exist");
    expect_fail("{}", "[{\"op\":\"remove\",\"path\":\"/a\"}]",
                "path does not exist");
    expect_fail("{}", "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":1}]",
                "path does not exist");
    expect_fail("{\"a\":1}",
                "[{\"op\":\"add\",\"path\":\"/b\",\"value\":1},"
                "{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
                "patch op 1 (/a): test failed");
    expect_fail("{}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", "unknown op");
    expect_fail("{}", "[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]",
                "not a JSON pointer");
    expect_fail("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]",
                "value is missing");
    expect_fail("{\"a\":[1]}",
                "[{\"op\":\"add\",\"path\":\"/a/5\",\"value\":1}]",
                "index out of range");
    expect_fail("{\"a\":{}}",
                "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]",
                "into itself");
    expect_fail("{}", "[1]", "not an object");
}

static void test_jpatch__build(void)
{
    cJSON *ops = cJSON_CreateArray();
    char *s;

    CHECK(jpatch_add(ops, "/a", cJSON_CreateNumber(1)) == RFG_OK);
    CHECK(jpatch_replace(ops, "/b", cJSON_CreateString("x")) == RFG_OK);
    CHECK(jpatch_remove(ops, "/c") == RFG_OK);
    CHECK(jpatch_add(ops, "/d", NULL) == RFG_ENOMEM);
    s = cJSON_PrintUnformatted(ops);
    CHECK_STR_EQ(s, "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},"
                    "{\"op\":\"replace\",\"path\":\"/b\",\"value\":\"x\"},"
                    "{\"op\":\"remove\",\"path\":\"/c\"}]");
    free(s);
    cJSON_Delete(ops);
}

/* Each "copy" of the root into itself doubles the document: 40 of them
 * would need 2^40 nodes. The copy budget stops it (found by fuzz_jpatch). */
static void test_jpatch__copy_bomb(void)
{
    cJSON *d = cJSON_Parse("{\"a\":[1,2,3,4]}");
    cJSON *ops = cJSON_CreateArray();
    struct diag_list dl;
    int i;

    diag_list_init(&dl, NULL);
    for (i = 0; i < 40; i++) {
        cJSON *op = cJSON_Parse("{\"op\":\"copy\",\"from\":\"/a\","
                                "\"path\":\"/a/0\"}");

        CHECK(op && cJSON_AddItemToArray(ops, op));
    }
    CHECK_INT_EQ(jpatch_apply(&d, ops, &dl), RFG_EINVAL);
    CHECK(dl.len == 1 && strstr(dl.v[0].msg, "too many nodes"));
    /* all or nothing: the document is unchanged */
    CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "a")),
                 4);
    diag_list_cleanup(&dl);
    cJSON_Delete(ops);
    cJSON_Delete(d);
}

/* One op in place: nodes the op leaves alone keep their address, a
 * failing op leaves the document as it was, and move still works. */
static void test_jpatch__apply_op_in_place(void)
{
    cJSON *d = J("{\"a\":{\"b\":[1,2]},\"c\":3}");
    cJSON *b = jptr_get(d, "/a/b"), *root = d;
    cJSON *op = J("{\"op\":\"add\",\"path\":\"/a/x\",\"value\":{}}");
    cJSON *bad = J("{\"op\":\"add\",\"path\":\"/a/y/z\",\"value\":1}");
    cJSON *mv = J("{\"op\":\"move\",\"from\":\"/c\",\"path\":\"/a/c\"}");
    cJSON *want = J("{\"a\":{\"b\":[1,2],\"x\":{},\"c\":3}}");
    struct diag_list dl;
    char *s;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(jpatch_apply_op(&d, op, &dl), RFG_OK);
    CHECK(d == root && jptr_get(d, "/a/b") == b);
    s = cJSON_PrintUnformatted(d);
    CHECK_INT_EQ(jpatch_apply_op(&d, bad, &dl), RFG_EINVAL);
    CHECK(dl.len == 1 && strstr(dl.v[0].msg, "/a/y/z"));
    {
        char *t = cJSON_PrintUnformatted(d);

        CHECK_STR_EQ(t, s);     /* unchanged */
        free(t);
    }
    free(s);
    CHECK_INT_EQ(jpatch_apply_op(&d, mv, &dl), RFG_OK);
    CHECK(cJSON_Compare(d, want, 1));
    diag_list_cleanup(&dl);
    cJSON_Delete(d);
    cJSON_Delete(op);
    cJSON_Delete(bad);
    cJSON_Delete(mv);
    cJSON_Delete(want);
}

/* Patches are printed as 2-space JSON (not cJSON's tabs) or compact. */
static void test_jpatch__format(void)
{
    cJSON *p = J("[{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":"
                 "{\"x\":[1,2.5,true,null,\"q\\\"\\n\"],\"e\":{},"
                 "\"f\":[]}}]");
    cJSON *empty = J("[]");
    char *s = jpatch_format(p, false);

    CHECK_STR_EQ(s, "[\n"
                    "  {\n"
                    "    \"op\": \"add\",\n"
                    "    \"path\": \"/a~1b\",\n"
                    "    \"value\": {\n"
                    "      \"x\": [\n"
                    "        1,\n"
                    "        2.5,\n"
                    "        true,\n"
                    "        null,\n"
                    "        \"q\\\"\\n\"\n"
                    "      ],\n"
                    "      \"e\": {},\n"
                    "      \"f\": []\n"
                    "    }\n"
                    "  }\n"
                    "]\n");
    free(s);
    s = jpatch_format(p, true);
    CHECK_STR_EQ(s, "[{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":"
                    "{\"x\":[1,2.5,true,null,\"q\\\"\\n\"],\"e\":{},"
                    "\"f\":[]}}]");
    free(s);
    s = jpatch_format(empty, false);
    CHECK_STR_EQ(s, "[]\n");
    free(s);
    cJSON_Delete(p);
    cJSON_Delete(empty);
}

/* Equality: order-free objects, exact types, duplicates cannot fool it,
 * and deep nesting costs linear time (cJSON_Compare took 2^depth: a
 * depth of 60 would never finish). */
static bool eq_text(const char *a, const char *b)
{
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    bool eq;

    CHECK(x && y);
    eq = json_equal(x, y);
    cJSON_Delete(x);
    cJSON_Delete(y);
    return eq;
}

static void test_jpatch__equal(void)
{
    struct sbuf a, w1, w2;
    cJSON *x, *y;
    int i;

    CHECK(eq_text("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1.0}"));
    CHECK(!eq_text("{\"a\":1}", "{\"a\":\"1\"}"));
    CHECK(!eq_text("[1,2]", "[2,1]"));
    CHECK(!eq_text("[1,2]", "[1,2,3]"));
    CHECK(!eq_text("{\"a\":1}", "{\"a\":1,\"b\":2}"));
    CHECK(!eq_text("{\"a\":true}", "{\"a\":false}"));
    CHECK(eq_text("null", "null"));
    CHECK(!eq_text("{\"x\":1,\"x\":1}", "{\"x\":1,\"y\":2}"));
    CHECK(!eq_text("{\"x\":1,\"y\":2}", "{\"x\":1,\"x\":1}"));
    CHECK(json_equal(NULL, NULL));
    /* Deep: [{"x":{"x":...{"x":1}...}}] 60 levels, equal and not. */
    sbuf_init(&a, 0);
    for (i = 0; i < 60; i++)
        CHECK(!sbuf_adds(&a, "{\"x\":"));
    CHECK(!sbuf_adds(&a, "1"));
    for (i = 0; i < 60; i++)
        CHECK(!sbuf_adds(&a, "}"));
    x = cJSON_Parse(sbuf_str(&a));
    y = cJSON_Parse(sbuf_str(&a));
    CHECK(x && y && json_equal(x, y));
    cJSON_Delete(y);
    a.p[a.len - 61] = '2';
    y = cJSON_Parse(sbuf_str(&a));
    CHECK(x && y && !json_equal(x, y));
    cJSON_Delete(x);
    cJSON_Delete(y);
    sbuf_cleanup(&a);
    /* Wide objects (sorted path), members in opposite orders. */
    sbuf_init(&w1, 0);
    sbuf_init(&w2, 0);
    CHECK(!sbuf_adds(&w1, "{") && !sbuf_adds(&w2, "{"));
    for (i = 0; i < 500; i++) {
        CHECK(!sbuf_printf(&w1, "%s\"k%d\":%d", i ? "," : "", i, i));
        CHECK(!sbuf_printf(&w2, "%s\"k%d\":%d", i ? "," : "", 499 - i,
                           499 - i));
    }
    CHECK(!sbuf_adds(&w1, "}") && !sbuf_adds(&w2, "}"));
    CHECK(eq_text(sbuf_str(&w1), sbuf_str(&w2)));
    w2.p[w2.len - 2] = '7';     /* "k0":0 -> "k0":7 */
    CHECK(!eq_text(sbuf_str(&w1), sbuf_str(&w2)));
    sbuf_cleanup(&w1);
    sbuf_cleanup(&w2);
}

int main(void)
{
    RUN(test_jpatch__pointer);
    RUN(test_jpatch__ops);
    RUN(test_jpatch__errors);
    RUN(test_jpatch__build);
    RUN(test_jpatch__copy_bomb);
    RUN(test_jpatch__apply_op_in_place);
    RUN(test_jpatch__format);
    RUN(test_jpatch__equal);
    return CHECK_DONE();
}
