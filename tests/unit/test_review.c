/* SPDX-License-Identifier: Apache-2.0
 *
 * test_review.c - the AdmissionReview codec: decoding real request shapes
 * (the tests/review request fixtures) and refusing what is not one, and the
 * response: uid echo, version echo, denial message, warning limits,
 * base64 patches. Findings are made by hand, except in the check that
 * every warning the review fixtures produce under the built-in policy
 * fits one kubectl line.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "check.h"
#include "policy.h"
#include "review.h"
#include "rules.h"
#include "sbuf.h"

static char *slurp(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/review/%s", RFG_TEST_DIR, name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* Decode a string; returns the rc and frees everything. */
static int decode_str(const char *s, char *msg, size_t msglen)
{
    struct review_req *req = NULL;
    struct diag_list dl;
    int rc;

    diag_list_init(&dl, NULL);
    rc = review_decode(&req, s, strlen(s), &dl);
    if (msg)
        snprintf(msg, msglen, "%s", dl.len ? dl.v[0].msg : "");
    review_req_free(req);
    diag_list_cleanup(&dl);
    return rc;
}

static void test_review__decode_fixtures(void)
{
    struct review_req *req = NULL;
    struct diag_list dl;
    size_t len;
    char *body;

    diag_list_init(&dl, NULL);
    body = slurp("create-unsafe.v1beta1.request.json", &len);
    CHECK(body != NULL);
    CHECK_INT_EQ(review_decode(&req, body, len, &dl), RFG_OK);
    if (req) {
        CHECK_INT_EQ(req->version, REVIEW_V1BETA1);
        CHECK_STR_EQ(req->uid, "705ab4f5-6393-11e8-b7cc-42010a800003");
        CHECK_STR_EQ(req->operation, "CREATE");
        CHECK_INT_EQ(req->op, RULES_CREATE);
        CHECK_STR_EQ(req->ns, "shop");
        CHECK_STR_EQ(req->name, "sidekiq");
        CHECK(req->is_failover);
        CHECK(req->object != NULL);
        CHECK(req->old_object == NULL);
        CHECK(!req->dry_run);
        CHECK(review_wants_eval(req));
    }
    review_req_free(req);
    req = NULL;
    free(body);

    body = slurp("update-clean.v1.request.json", &len);
    CHECK_INT_EQ(review_decode(&req, body, len, &dl), RFG_OK);
    if (req) {
        CHECK_INT_EQ(req->version, REVIEW_V1);
        CHECK_INT_EQ(req->op, RULES_UPDATE);
        CHECK(req->old_object != NULL);
    }
    review_req_free(req);
    req = NULL;
    free(body);

    body = slurp("delete.v1.request.json", &len);
    CHECK_INT_EQ(review_decode(&req, body, len, &dl), RFG_OK);
    if (req) {
        CHECK(req->object == NULL);
        CHECK_STR_EQ(req->name, "sidekiq");
        CHECK(!review_wants_eval(req));
    }
    review_req_free(req);
    req = NULL;
    free(body);

    body = slurp("other-kind.v1.request.json", &len);
    CHECK_INT_EQ(review_decode(&req, body, len, &dl), RFG_OK);
    if (req) {
        CHECK(!req->is_failover);
        CHECK(!review_wants_eval(req));
    }
    review_req_free(req);
    req = NULL;
    free(body);

    body = slurp("create-nospread.v1beta1.request.json", &len);
    CHECK_INT_EQ(review_decode(&req, body, len, &dl), RFG_OK);
    if (req)
        CHECK(req->dry_run);
    review_req_free(req);
    free(body);
    diag_list_cleanup(&dl);
}

static void test_review__decode_refuses(void)
{
    char msg[240];
    const char *ok_head = "{\"apiVersion\":\"admission.k8s.io/v1\","
                          "\"kind\":\"AdmissionReview\",";

    CHECK_INT_EQ(decode_str("{\"a\":", msg, sizeof(msg)), RFG_EPARSE);
    CHECK_CONTAINS(msg, "invalid JSON");
    CHECK_INT_EQ(decode_str("{} x", msg, sizeof(msg)), RFG_EPARSE);
    CHECK_INT_EQ(decode_str("{}  \n", msg, sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "apiVersion");
    CHECK_INT_EQ(decode_str("[1,2]", msg, sizeof(msg)), RFG_EINVAL);
    CHECK_INT_EQ(decode_str("{\"apiVersion\":\"admission.k8s.io/v2\","
                            "\"kind\":\"AdmissionReview\"}", msg,
                            sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "unsupported apiVersion");
    CHECK_INT_EQ(decode_str("{\"apiVersion\":\"admission.k8s.io/v1\","
                            "\"kind\":\"Pod\"}", msg, sizeof(msg)),
                 RFG_EINVAL);
    {
        char buf[600];

        snprintf(buf, sizeof(buf), "%s\"request\":{\"operation\":"
                                   "\"CREATE\",\"kind\":{}}}", ok_head);
        CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
        CHECK_CONTAINS(msg, "request.uid");
        snprintf(buf, sizeof(buf), "%s\"request\":{\"uid\":\"u\","
                                   "\"operation\":\"PATCH\",\"kind\":{}}}",
                 ok_head);
        CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
        CHECK_CONTAINS(msg, "operation");
        snprintf(buf, sizeof(buf),
                 "%s\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\","
                 "\"kind\":{\"group\":\"databases.spotahome.com\","
                 "\"kind\":\"RedisFailover\"},\"object\":null}}", ok_head);
        CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
        CHECK_CONTAINS(msg, "without request.object");
        snprintf(buf, sizeof(buf),
                 "%s\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\","
                 "\"kind\":{},\"object\":\"str\"}}", ok_head);
        CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
    }
    /* Not UTF-8 (RFC 8259): refused before parsing, since the uid and
     * names would be echoed into an invalid response. Valid multi-byte
     * text passes the check. */
    {
        static const char *const bad[] = {
            "{\"uid\":\"\xff\"}", "{\"a\":\"\xc3\x28\"}",
            "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}",
            "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xe2\x82\"}",
        };
        size_t i;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            CHECK_INT_EQ(decode_str(bad[i], msg, sizeof(msg)), RFG_EPARSE);
            CHECK_CONTAINS(msg, "not UTF-8");
        }
        CHECK_INT_EQ(decode_str("{\"a\":\"caf\xc3\xa9 \xe2\x82\xac "
                                "\xf0\x9f\x98\x80\"}", msg, sizeof(msg)),
                     RFG_EINVAL);
    }
    /* An array past REVIEW_MAX_ITEMS anywhere in the body is refused. */
    {
        struct sbuf b;
        int i;

        sbuf_init(&b, 0);
        CHECK_INT_EQ(sbuf_adds(&b, "{\"request\":{\"object\":{\"a\":["), 0);
        for (i = 0; i <= REVIEW_MAX_ITEMS; i++)
            CHECK_INT_EQ(sbuf_adds(&b, i ? ",1" : "1"), 0);
        CHECK_INT_EQ(sbuf_adds(&b, "]}}}"), 0);
        CHECK_INT_EQ(decode_str(sbuf_str(&b), msg, sizeof(msg)), RFG_EINVAL);
        CHECK_CONTAINS(msg, "more than 10000 items");
        sbuf_cleanup(&b);
    }
    /* No NUL terminator needed: decode a prefix of a longer buffer. */
    {
        struct review_req *req = NULL;
        struct diag_list dl;
        const char *s = "{\"a\":1}garbage";

        diag_list_init(&dl, NULL);
        CHECK_INT_EQ(review_decode(&req, s, 7, &dl), RFG_EINVAL);
        CHECK_INT_EQ(review_decode(&req, s, 0, &dl), RFG_EPARSE);
        review_req_free(req);
        diag_list_cleanup(&dl);
    }
}

/* request.userInfo: username and groups reach the engine (for the
 * policy's spec.skips); absent is no user; a wrong type is a 400. */
static void test_review__user_info(void)
{
    static const char *const fmt =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
        "\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":"
        "\"DELETE\",\"kind\":{}%s}}";
    struct review_req *req = NULL;
    struct diag_list dl;
    char buf[512], msg[240];

    diag_list_init(&dl, NULL);
    snprintf(buf, sizeof(buf), fmt,
             ",\"userInfo\":{\"username\":\"alice\",\"uid\":\"1\","
             "\"groups\":[\"ops\",\"system:authenticated\"],"
             "\"extra\":{\"k\":[\"v\"]}}");
    CHECK_INT_EQ(review_decode(&req, buf, strlen(buf), &dl), RFG_OK);
    if (req) {
        CHECK_STR_EQ(req->user.name, "alice");
        CHECK_INT_EQ(cJSON_GetArraySize(req->user.groups), 2);
        CHECK_STR_EQ(cJSON_GetArrayItem(req->user.groups, 0)->valuestring,
                     "ops");
    }
    review_req_free(req);
    req = NULL;
    snprintf(buf, sizeof(buf), fmt, "");
    CHECK_INT_EQ(review_decode(&req, buf, strlen(buf), &dl), RFG_OK);
    if (req) {
        CHECK(req->user.name == NULL);
        CHECK(req->user.groups == NULL);
    }
    review_req_free(req);
    diag_list_cleanup(&dl);
    snprintf(buf, sizeof(buf), fmt, ",\"userInfo\":\"alice\"");
    CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "request.userInfo must be an object");
    snprintf(buf, sizeof(buf), fmt, ",\"userInfo\":{\"username\":7}");
    CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "username must be a string");
    snprintf(buf, sizeof(buf), fmt,
             ",\"userInfo\":{\"username\":\"a\",\"groups\":\"ops\"}");
    CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "groups must be a list of strings");
    snprintf(buf, sizeof(buf), fmt,
             ",\"userInfo\":{\"username\":\"a\",\"groups\":[\"ops\",1]}");
    CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EINVAL);
    CHECK_CONTAINS(msg, "groups must be a list of strings");
}

/* A NUL character in any string or key of the body: cJSON would cut the
 * C string there, so the rules would check less than the API server
 * stores. It is a 400 with the JSON pointer of the string. An escaped
 * backslash before "u0000" is text and passes. */
static void test_review__nul_refused(void)
{
    static const struct {
        const char *inner;      /* the object's spec, as JSON text */
        const char *where;
    } bad[] = {
        {"{\"redis\":{\"customConfig\":[\"maxmemory 100mb\\u0000\\n"
         "replicaof evil 6379\"]}}", "/request/object/spec/redis/"
                                      "customConfig/0"},
        {"{\"redis\":{\"image\\u0000x\":\"redis:7.2\"}}",
         "/request/object/spec/redis/image\\u0000x"},
        {"{\"a~b/c\":[1,{\"d\":\"\\u0000\"}]}",
         "/request/object/spec/a~0b~1c/1/d"},
        {"{\"s\":\"\\\\\\u0000\"}", "/request/object/spec/s"},
    };
    char buf[1024], msg[240];
    size_t i;
    const char *head =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\",\"kind\":"
        "{\"group\":\"databases.spotahome.com\",\"kind\":\"RedisFailover\"},"
        "\"object\":{\"metadata\":{\"name\":\"rf\"},\"spec\":";

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(buf, sizeof(buf), "%s%s}}}", head, bad[i].inner);
        CHECK_INT_EQ(decode_str(buf, msg, sizeof(msg)), RFG_EPARSE);
        CHECK_CONTAINS(msg, "NUL character");
        CHECK_CONTAINS(msg, bad[i].where);
    }
    /* The uid itself, and a raw 0 byte inside a string. */
    CHECK_INT_EQ(decode_str("{\"apiVersion\":\"admission.k8s.io/v1\","
                            "\"kind\":\"AdmissionReview\",\"request\":"
                            "{\"uid\":\"u\\u0000\"}}", msg, sizeof(msg)),
                 RFG_EPARSE);
    CHECK_CONTAINS(msg, "/request/uid");
    {
        struct review_req *req = NULL;
        struct diag_list dl;
        char raw[sizeof(buf)];
        int n = snprintf(raw, sizeof(raw), "%s{\"a\":\"xy\"}}}}", head);
        char *y = strstr(raw, "xy") + 1;

        *y = '\0';
        diag_list_init(&dl, NULL);
        CHECK_INT_EQ(review_decode(&req, raw, (size_t)n, &dl), RFG_EPARSE);
        if (dl.len)
            CHECK_CONTAINS(dl.v[0].msg, "/request/object/spec/a");
        review_req_free(req);
        diag_list_cleanup(&dl);
    }
    /* "\\u0000" is a backslash, then the text u0000: allowed. */
    {
        struct review_req *req = NULL;
        struct diag_list dl;
        const cJSON *v;

        snprintf(buf, sizeof(buf), "%s{\"a\":\"x\\\\u0000\"}}}}", head);
        diag_list_init(&dl, NULL);
        CHECK_INT_EQ(review_decode(&req, buf, strlen(buf), &dl), RFG_OK);
        v = req ? cJSON_GetObjectItemCaseSensitive(
                      cJSON_GetObjectItemCaseSensitive(req->object, "spec"),
                      "a")
                : NULL;
        CHECK_STR_EQ(cJSON_GetStringValue(v), "x\\u0000");
        review_req_free(req);
        diag_list_cleanup(&dl);
    }
}

static void test_review__base64(void)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba",
                                     "foobar"};
    static const char *const want[] = {"", "Zg==", "Zm8=", "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    struct sbuf b;
    size_t i;

    for (i = 0; i < 7; i++) {
        sbuf_init(&b, 0);
        CHECK_INT_EQ(base64_encode(&b, in[i], strlen(in[i])), RFG_OK);
        CHECK_STR_EQ(sbuf_str(&b), want[i]);
        sbuf_cleanup(&b);
    }
}

static struct rule_desc rule_a = {
    .id = "rule-a", .default_sev = RFG_SEV_DENY, .doc = "", .params = ""};
static struct rule_desc rule_b = {
    .id = "rule-b", .default_sev = RFG_SEV_WARN, .doc = "", .params = ""};

/* A result with `ndeny` denials and `nwarn` warnings of `msglen` bytes. */
static void fake_result(struct rules_result *r, size_t ndeny, size_t nwarn,
                        size_t msglen)
{
    size_t i;

    memset(r, 0, sizeof(*r));
    r->len = ndeny + nwarn;
    r->v = calloc(r->len ? r->len : 1, sizeof(*r->v));
    for (i = 0; i < r->len; i++) {
        struct finding *f = &r->v[i];

        f->rule = i < ndeny ? &rule_a : &rule_b;
        f->sev = i < ndeny ? RFG_SEV_DENY : RFG_SEV_WARN;
        f->msg = malloc(msglen + 1);
        memset(f->msg, i < ndeny ? 'd' : 'w', msglen);
        f->msg[msglen] = '\0';
        if (msglen > 4) {
            /* a 2-byte UTF-8 character near the cut point */
            f->msg[msglen - 3] = (char)0xC3;
            f->msg[msglen - 2] = (char)0xA9;
        }
    }
    r->ndeny = ndeny;
    r->nwarn = nwarn;
}

static void free_result(struct rules_result *r)
{
    size_t i;

    for (i = 0; i < r->len; i++)
        free(r->v[i].msg);
    free(r->v);
    cJSON_Delete(r->patch);
}

static struct review_req *decode_fixture(const char *name)
{
    struct review_req *req = NULL;
    struct diag_list dl;
    size_t len;
    char *body = slurp(name, &len);

    diag_list_init(&dl, NULL);
    if (body && review_decode(&req, body, len, &dl) != RFG_OK)
        req = NULL;
    free(body);
    diag_list_cleanup(&dl);
    return req;
}

static void test_review__deny_response(void)
{
    struct review_req *req = decode_fixture("create-unsafe.v1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_ALLOWED;
    cJSON *root, *resp, *st;
    char *out = NULL;
    size_t len = 0;

    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 2, 1, 10);
    free(res.v[0].msg);
    res.v[0].msg = strdup("first");
    free(res.v[1].msg);
    res.v[1].msg = strdup("second \"quoted\"");
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    CHECK_INT_EQ(v, REVIEW_DENIED);
    CHECK_INT_EQ(strlen(out), len);
    root = cJSON_Parse(out);
    CHECK(root != NULL);
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(root, "apiVersion")),
                 "admission.k8s.io/v1");
    resp = cJSON_GetObjectItemCaseSensitive(root, "response");
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(resp, "uid")),
                 "705ab4f5-6393-11e8-b7cc-42010a800002");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    st = cJSON_GetObjectItemCaseSensitive(resp, "status");
    CHECK_INT_EQ(cJSON_GetObjectItemCaseSensitive(st, "code")->valueint,
                 403);
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(st, "reason")),
                 "Forbidden");
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(st, "message")),
                 "rfguard denied RedisFailover shop/sidekiq: [rule-a] first; "
                 "[rule-a] second \"quoted\"; see `rfguard explain rule-a`");
    CHECK_INT_EQ(cJSON_GetArraySize(
                     cJSON_GetObjectItemCaseSensitive(resp, "warnings")), 1);
    CHECK(!cJSON_GetObjectItemCaseSensitive(resp, "patch"));
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

static void test_review__warning_limits(void)
{
    struct review_req *req =
        decode_fixture("create-nospread.v1beta1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_DENIED;
    cJSON *root, *w, *it;
    char *out = NULL;
    size_t len = 0, total = 0, n;

    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 0, 300, 200);
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    CHECK_INT_EQ(v, REVIEW_ALLOWED);
    root = cJSON_Parse(out);
    CHECK_STR_EQ(cJSON_GetStringValue(
                     cJSON_GetObjectItemCaseSensitive(root, "apiVersion")),
                 "admission.k8s.io/v1beta1");
    w = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "response"), "warnings");
    n = (size_t)cJSON_GetArraySize(w);
    CHECK(n > 10 && n < 300);
    cJSON_ArrayForEach(it, w) {
        size_t l = strlen(it->valuestring);

        CHECK(l < 120);
        total += l;
    }
    CHECK(total <= REVIEW_WARN_BUDGET);
    CHECK_CONTAINS(cJSON_GetArrayItem(w, 0)->valuestring, "[rule-b] www");
    /* One word longer than the line: cut on a character boundary. */
    CHECK_CONTAINS(cJSON_GetArrayItem(w, 0)->valuestring,
                   "w\xE2\x80\xA6 (rfguard explain rule-b)");
    CHECK_CONTAINS(cJSON_GetArrayItem(w, (int)n - 1)->valuestring,
                   "more warnings");
    {
        char want[64];

        snprintf(want, sizeof(want), "... and %zu more warnings",
                 300 - (n - 1));
        CHECK_STR_EQ(cJSON_GetArrayItem(w, (int)n - 1)->valuestring, want);
    }
    cJSON_Delete(root);
    free(out);
    free_result(&res);

    /* Few short warnings: all of them, no summary. */
    fake_result(&res, 0, 3, 20);
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    root = cJSON_Parse(out);
    w = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "response"), "warnings");
    CHECK_INT_EQ(cJSON_GetArraySize(w), 3);
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

/* Skipped rules appear in the warnings after the warn findings. */
static void test_review__skipped_warnings(void)
{
    struct review_req *req = decode_fixture("create-clean.v1.request.json");
    struct rules_result res;
    struct rule_skip sk[2];
    enum review_verdict v = REVIEW_DENIED;
    cJSON *root, *w;
    char *out = NULL;
    size_t len = 0;

    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 0, 1, 10);
    sk[0].rule = &rule_b;
    sk[0].reason = (char *)(uintptr_t)"load test cluster";
    sk[1].rule = NULL;
    sk[1].reason = (char *)(uintptr_t)"namespace dev is exempt";
    res.skipped = sk;
    res.nskipped = 2;
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    root = cJSON_Parse(out);
    w = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "response"), "warnings");
    CHECK_INT_EQ(cJSON_GetArraySize(w), 3);
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetArrayItem(w, 1)),
                 "[rule-b] skipped: load test cluster");
    CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetArrayItem(w, 2)),
                 "[all rules] skipped: namespace dev is exempt");
    res.skipped = NULL;
    res.nskipped = 0;
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

static void test_review__mutate_patch(void)
{
    struct review_req *req = decode_fixture("create-nospread.v1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_ALLOWED;
    cJSON *root, *resp;
    char *out = NULL;
    size_t len = 0;

    CHECK(req != NULL);
    if (!req)
        return;
    /* Denials do not deny on /mutate; an empty patch sends no patch. */
    fake_result(&res, 1, 1, 10);
    res.patch = cJSON_CreateArray();
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, true), RFG_OK);
    CHECK_INT_EQ(v, REVIEW_ALLOWED);
    root = cJSON_Parse(out);
    resp = cJSON_GetObjectItemCaseSensitive(root, "response");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp, "allowed")));
    CHECK(!cJSON_GetObjectItemCaseSensitive(resp, "patch"));
    CHECK(!cJSON_GetObjectItemCaseSensitive(resp, "patchType"));
    CHECK(!cJSON_GetObjectItemCaseSensitive(resp, "warnings"));
    cJSON_Delete(root);
    free(out);

    /* [{"op":"add","path":"/a","value":1}] */
    cJSON_Delete(res.patch);
    res.patch = cJSON_Parse("[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]");
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, true), RFG_OK);
    CHECK_INT_EQ(v, REVIEW_PATCHED);
    CHECK_CONTAINS(out, "\"patchType\":\"JSONPatch\",\"patch\":"
                        "\"W3sib3AiOiJhZGQiLCJwYXRoIjoiL2EiLCJ2YWx1ZSI6MX1d\"");
    free(out);
    free_result(&res);

    /* NULL result: allowed untouched. */
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, NULL, true), RFG_OK);
    CHECK_INT_EQ(v, REVIEW_SKIPPED);
    CHECK_STR_EQ(out, "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":"
                      "\"AdmissionReview\",\"response\":{\"uid\":"
                      "\"705ab4f5-6393-11e8-b7cc-42010a800004\","
                      "\"allowed\":true}}");
    free(out);
    review_req_free(req);
}

/* No surprise rollouts, codec and engine together: under the default
 * policy the /mutate answer to the UPDATE of a running failover without
 * spread (tests/review/update-nospread) carries no patch, only a warning
 * that names `rfguard fix`; the CREATE of the same failover is patched. */
static void test_review__mutate_update_held(void)
{
    static const char *const names[] = {"update-nospread.v1.request.json",
                                        "create-nospread.v1.request.json"};
    struct policy_set *pol = NULL;
    struct diag_list dl;
    size_t i;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(policy_load_builtin(&pol, &dl), RFG_OK);
    for (i = 0; pol && i < 2; i++) {
        struct review_req *req = decode_fixture(names[i]);
        struct rules_input in = {0};
        struct rules_result res;
        enum review_verdict v = REVIEW_SKIPPED;
        char *out = NULL;
        size_t len = 0;

        CHECK(req != NULL);
        if (!req)
            continue;
        in.obj = req->object;
        in.old = req->op == RULES_UPDATE ? req->old_object : NULL;
        in.op = req->op;
        in.pol = pol;
        in.default_ns = req->ns;
        in.want_fix = true;
        CHECK_INT_EQ(rules_eval(&res, &in), RFG_OK);
        CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, true),
                     RFG_OK);
        if (i == 0) {
            CHECK_INT_EQ(v, REVIEW_ALLOWED);
            CHECK(out && !strstr(out, "\"patch\""));
            CHECK_CONTAINS(out, "\"warnings\":[\"[spread-missing] not "
                                "patched on UPDATE: it would restart every "
                                "pod; apply what 'rfguard fix' prints\"]");
        } else {
            CHECK_INT_EQ(v, REVIEW_PATCHED);
            CHECK(out && !strstr(out, "\"warnings\""));
        }
        free(out);
        rules_result_cleanup(&res);
        review_req_free(req);
    }
    policy_free(pol);
    diag_list_cleanup(&dl);
}

/* Several denying rules: the pointer names the first and says the
 * others have a page too. */
static void test_review__deny_several_rules(void)
{
    static struct rule_desc rule_c = {
        .id = "rule-c", .default_sev = RFG_SEV_DENY, .doc = "",
        .params = ""};
    struct review_req *req = decode_fixture("create-unsafe.v1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_ALLOWED;
    cJSON *root;
    char *out = NULL;
    size_t len = 0;

    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 2, 0, 10);
    res.v[1].rule = &rule_c;
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    root = cJSON_Parse(out);
    CHECK_CONTAINS(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                       cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(root, "response"),
                           "status"),
                       "message")),
                   "; see `rfguard explain RULE` for each rule id above, "
                   "e.g. `rfguard explain rule-a`");
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

/* A long warning is cut after a clause or whole word, never inside a
 * word, and says where the rest is. */
static void test_review__warning_cut_words(void)
{
    struct review_req *req = decode_fixture("create-clean.v1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_DENIED;
    const char *msg = "spec.redis.storage is unset and this sentence goes "
                      "on and on about why, so that it cannot fit in one "
                      "line of kubectl output however wide the terminal is";
    const char *got;
    cJSON *root, *w;
    char *out = NULL;
    size_t len = 0;

    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 0, 1, 10);
    free(res.v[0].msg);
    res.v[0].msg = strdup(msg);
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    root = cJSON_Parse(out);
    w = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "response"), "warnings");
    got = cJSON_GetStringValue(cJSON_GetArrayItem(w, 0));
    CHECK(got != NULL);
    if (got) {
        CHECK(strlen(got) < 120);
        /* the clause "... about why," is the last that fits */
        CHECK_STR_EQ(got, "[rule-b] spec.redis.storage is unset and this "
                          "sentence goes on and on about why\xE2\x80\xA6 "
                          "(rfguard explain rule-b)");
    }
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

/* The warning served for one warn finding of rule-b with message
 * `msg`, into `got` (empty when none). */
static void warning_for(char *got, size_t cap, const char *msg)
{
    struct review_req *req = decode_fixture("create-clean.v1.request.json");
    struct rules_result res;
    enum review_verdict v = REVIEW_DENIED;
    cJSON *root, *w;
    char *out = NULL;
    size_t len = 0;

    got[0] = '\0';
    CHECK(req != NULL);
    if (!req)
        return;
    fake_result(&res, 0, 1, 10);
    free(res.v[0].msg);
    res.v[0].msg = strdup(msg);
    CHECK_INT_EQ(review_respond(&out, &len, &v, req, &res, false), RFG_OK);
    root = cJSON_Parse(out);
    w = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(root, "response"), "warnings");
    CHECK_INT_EQ(cJSON_GetArraySize(w), 1);
    if (cJSON_GetStringValue(cJSON_GetArrayItem(w, 0)))
        snprintf(got, cap, "%s",
                 cJSON_GetStringValue(cJSON_GetArrayItem(w, 0)));
    cJSON_Delete(root);
    free(out);
    free_result(&res);
    review_req_free(req);
}

/* The brief of a message: the text before the first ": " outside
 * quotes, parentheses and brackets, trailing spaces left out. */
static void test_review__msg_brief(void)
{
    static const char *const cases[][2] = {
        {"no colon at all", "no colon at all"},
        {"x is bad: because", "x is bad"},
        {"x is bad : because", "x is bad"},
        {"ratio 1:2 is bad: because", "ratio 1:2 is bad"},
        {"defined 2 times (a.yaml:3, b: c): kept last", "defined 2 times "
         "(a.yaml:3, b: c)"},
        {"list [a: b] is bad: why", "list [a: b] is bad"},
        {"line \"save: 900\" is bad: why", "line \"save: 900\" is bad"},
        {"the operator's line 'a: b' is bad: why", "the operator's line "
         "'a: b' is bad"},
        {"`k: v` is bad: why", "`k: v` is bad"},
        {": starts with it", ""},
        {"unclosed (paren: never split", "unclosed (paren: never split"},
        {"cannot verify: claiming x (a: b) failed: why", "cannot verify: "
         "claiming x (a: b) failed"},
        {"cannot verify: view unavailable", "cannot verify: view "
         "unavailable"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = rules_msg_brief(cases[i][0]);
        char got[128];

        snprintf(got, sizeof(got), "%.*s", (int)n, cases[i][0]);
        CHECK_STR_EQ(got, cases[i][1]);
    }
}

/* A warning that does not fit whole is "[id] BRIEF (rfguard explain
 * id)", else "[id] BRIEF", else (a brief longer than the line) cut
 * after a whole word. */
static void test_review__warning_compose(void)
{
    char msg[400], want[400], got[512];
    const char *tail = " (rfguard explain rule-b)";
    const char *rest = ": and then the consequence, told at length so "
                       "that the whole line cannot fit in 120 bytes";

    /* fits whole: kept as it is, colon and all */
    warning_for(got, sizeof(got), "maxmemory is 95% of the request: no "
                                  "room for fork");
    CHECK_STR_EQ(got, "[rule-b] maxmemory is 95% of the request: no room "
                      "for fork");
    /* too long: the brief and where to read the rest */
    snprintf(msg, sizeof(msg), "RedisFailover shop/cache is defined 2 "
             "times (a.yaml:3, b.yaml:13)%s", rest);
    warning_for(got, sizeof(got), msg);
    snprintf(want, sizeof(want), "[rule-b] RedisFailover shop/cache is "
             "defined 2 times (a.yaml:3, b.yaml:13)%s", tail);
    CHECK_STR_EQ(got, want);
    /* exactly REVIEW_WARN_MAX_LEN with the tail: still with it */
    memset(msg, 'x', sizeof(msg));
    snprintf(msg + REVIEW_WARN_MAX_LEN - 9 - strlen(tail), 200, "%s", rest);
    warning_for(got, sizeof(got), msg);
    CHECK_INT_EQ(strlen(got), REVIEW_WARN_MAX_LEN);
    CHECK(strstr(got, tail) != NULL);
    /* one byte more: the brief alone, whole */
    memset(msg, 'x', sizeof(msg));
    snprintf(msg + REVIEW_WARN_MAX_LEN - 8 - strlen(tail), 200, "%s", rest);
    warning_for(got, sizeof(got), msg);
    snprintf(want, sizeof(want), "[rule-b] %.*s",
             (int)(strchr(msg, ':') - msg), msg);
    CHECK_STR_EQ(got, want);
    CHECK(strstr(got, "rfguard explain") == NULL);
    /* a brief of exactly REVIEW_WARN_MAX_LEN bytes with the head */
    memset(msg, 'b', REVIEW_WARN_MAX_LEN - 9);
    snprintf(msg + REVIEW_WARN_MAX_LEN - 9, sizeof(msg) - 200, "%s", rest);
    warning_for(got, sizeof(got), msg);
    CHECK_INT_EQ(strlen(got), REVIEW_WARN_MAX_LEN);
    CHECK(strchr(got, ':') == NULL);
    /* a brief longer than the line: the last resort, cut on a word */
    snprintf(msg, sizeof(msg), "spec.redis.affinity.podAntiAffinity."
             "requiredDuringSchedulingIgnoredDuringExecution[0] has a "
             "label selector whose key is longer than any line%s", rest);
    warning_for(got, sizeof(got), msg);
    CHECK(strlen(got) <= REVIEW_WARN_MAX_LEN);
    CHECK_CONTAINS(got, "\xE2\x80\xA6 (rfguard explain rule-b)");
    CHECK(strncmp(got, "[rule-b] spec.redis.affinity", 28) == 0);
}

/* Code points in `s`. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Check one served warning against the line it came from ("[id] text",
 * uncut, `head` bytes of "[id] " and, for a finding, `brief` the length
 * of its message's brief; 0 for a skipped line): at most 120 characters,
 * naming a rule of the catalogue, and the first of these that fits: the
 * whole line, "[id] BRIEF (rfguard explain id)", "[id] BRIEF". Only a
 * skipped line (the user's own reason) may be cut after a whole word,
 * with a pointer to the rest. */
static void check_warning(const char *got, const char *full, size_t head,
                          size_t brief)
{
    static const char ell[] = "\xE2\x80\xA6";
    char id[128], tail[200], want[512];
    const char *e, *cut;
    size_t keep, flen = strlen(full);

    CHECK(utf8_chars(got) <= 120);
    if (strncmp(got, "... and ", 8) == 0)
        return;
    CHECK(got[0] == '[');
    e = strchr(got, ']');
    CHECK(e != NULL && e[1] == ' ');
    if (!e)
        return;
    snprintf(id, sizeof(id), "%.*s", (int)(e - got - 1), got + 1);
    if (strcmp(id, "all rules") != 0 && !rules_find(id))
        fprintf(stderr, "warning names no rule: %s\n", got);
    CHECK(strcmp(id, "all rules") == 0 || rules_find(id) != NULL);
    if (flen <= REVIEW_WARN_MAX_LEN) {
        CHECK_STR_EQ(got, full);
        return;
    }
    if (brief) {
        snprintf(want, sizeof(want), "%.*s (rfguard explain %s)",
                 (int)(head + brief), full, id);
        if (strlen(want) > REVIEW_WARN_MAX_LEN)
            snprintf(want, sizeof(want), "%.*s", (int)(head + brief), full);
        if (strcmp(got, want) != 0)
            fprintf(stderr, "brief too long or not used: %s\n", got);
        CHECK_STR_EQ(got, want);
        return;
    }
    snprintf(tail, sizeof(tail), "%s (rfguard explain %s)", ell, id);
    cut = strstr(got, tail);
    CHECK(cut != NULL && strcmp(cut, tail) == 0);
    if (!cut)
        return;
    keep = (size_t)(cut - got);
    /* what is kept is the start of the line, ending on a whole word */
    CHECK(strncmp(got, full, keep) == 0);
    if (keep >= flen || (full[keep] != ' ' && !strchr(",:;", full[keep])))
        fprintf(stderr, "cut mid-word: %s\n", got);
    CHECK(keep < flen &&
          (full[keep] == ' ' || strchr(",:;", full[keep]) != NULL));
}

/* "[id] <sep><msg>", malloc'd. */
static char *line_of(const char *id, const char *sep, const char *msg)
{
    size_t n = strlen(id) + strlen(sep) + strlen(msg) + 4;
    char *s = malloc(n);

    if (s)
        snprintf(s, n, "[%s] %s%s", id, sep, msg);
    return s;
}

/* Every warning the tests/review requests produce under the built-in
 * policy (what the admission goldens hold), on /validate and /mutate. */
static void test_review__golden_warnings_fit(void)
{
    struct policy_set *pol = NULL;
    struct diag_list dl;
    struct dirent *de;
    DIR *d;
    size_t checked = 0;
    char dir[512];

    diag_list_init(&dl, "<builtin>");
    CHECK_INT_EQ(policy_load_builtin(&pol, &dl), RFG_OK);
    diag_list_cleanup(&dl);
    snprintf(dir, sizeof(dir), "%s/review", RFG_TEST_DIR);
    d = opendir(dir);
    CHECK(d != NULL);
    while (pol && d && (de = readdir(d)) != NULL) {
        size_t nl = strlen(de->d_name);
        int mutate;

        if (nl < 13 || strcmp(de->d_name + nl - 13, ".request.json") != 0)
            continue;
        for (mutate = 0; mutate < 2; mutate++) {
            struct review_req *req = decode_fixture(de->d_name);
            struct rules_result res;
            struct rules_input in;
            char **full = NULL;
            size_t *brief = NULL, *head = NULL;
            size_t nfull = 0, i, len = 0;
            char *out = NULL;
            cJSON *root, *w, *it;
            int k = 0;

            if (!req)
                continue;
            if (!review_wants_eval(req)) {
                review_req_free(req);
                continue;
            }
            memset(&in, 0, sizeof(in));
            in.obj = req->object;
            in.old = req->op == RULES_UPDATE ? req->old_object : NULL;
            in.op = req->op;
            in.pol = pol;
            in.default_ns = req->ns;
            in.user = &req->user;
            in.want_fix = mutate && pol->mutations;
            CHECK_INT_EQ(rules_eval(&res, &in), RFG_OK);
            /* the uncut lines, in the order review.c emits them */
            full = calloc(res.len + res.nskipped + res.nheld + 1,
                          sizeof(*full));
            brief = calloc(res.len + res.nskipped + res.nheld + 1,
                           sizeof(*brief));
            head = calloc(res.len + res.nskipped + res.nheld + 1,
                          sizeof(*head));
            for (i = 0; !mutate && i < res.len; i++) {
                if (res.v[i].sev != RFG_SEV_WARN)
                    continue;
                head[nfull] = strlen(res.v[i].rule->id) + 3;
                brief[nfull] = rules_msg_brief(res.v[i].msg);
                full[nfull++] = line_of(res.v[i].rule->id, "",
                                        res.v[i].msg);
            }
            for (i = 0; !mutate && i < res.nskipped; i++) {
                const struct rule_skip *sk = &res.skipped[i];

                full[nfull++] = line_of(sk->rule ? sk->rule->id
                                                 : "all rules",
                                        "skipped: ", sk->reason);
            }
            for (i = 0; mutate && i < res.nheld; i++) {
                head[nfull] = strlen(res.held[i].rule->id) + 3;
                brief[nfull] = rules_msg_brief(res.held[i].msg);
                full[nfull++] = line_of(res.held[i].rule->id, "",
                                        res.held[i].msg);
            }
            CHECK_INT_EQ(review_respond(&out, &len, NULL, req, &res,
                                        mutate != 0), RFG_OK);
            root = out ? cJSON_Parse(out) : NULL;
            w = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(root, "response"),
                "warnings");
            cJSON_ArrayForEach(it, w) {
                CHECK(cJSON_IsString(it));
                if (cJSON_IsString(it) && (size_t)k < nfull) {
                    check_warning(it->valuestring, full[k], head[k],
                                  brief[k]);
                    checked++;
                }
                k++;
            }
            cJSON_Delete(root);
            free(out);
            for (i = 0; i < nfull; i++)
                free(full[i]);
            free(full);
            free(brief);
            free(head);
            rules_result_cleanup(&res);
            review_req_free(req);
        }
    }
    if (d)
        closedir(d);
    /* the goldens hold warnings, some of them too long to keep whole */
    CHECK(checked > 10);
    policy_free(pol);
}

static void test_review__error_body(void)
{
    char *out = NULL;
    size_t len = 0;

    CHECK_INT_EQ(review_error_body(&out, &len, 400, "BadRequest",
                                   "invalid \"JSON\""), RFG_OK);
    CHECK_STR_EQ(out, "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                      "\"status\":\"Failure\",\"code\":400,\"reason\":"
                      "\"BadRequest\",\"message\":\"invalid \\\"JSON\\\"\"}"
                      "\n");
    free(out);
}

int main(void)
{
    RUN(test_review__decode_fixtures);
    RUN(test_review__decode_refuses);
    RUN(test_review__nul_refused);
    RUN(test_review__user_info);
    RUN(test_review__base64);
    RUN(test_review__deny_response);
    RUN(test_review__warning_limits);
    RUN(test_review__skipped_warnings);
    RUN(test_review__deny_several_rules);
    RUN(test_review__warning_cut_words);
    RUN(test_review__msg_brief);
    RUN(test_review__warning_compose);
    RUN(test_review__golden_warnings_fit);
    RUN(test_review__mutate_patch);
    RUN(test_review__mutate_update_held);
    RUN(test_review__error_body);
    return CHECK_DONE();
}
