/* SPDX-License-Identifier: Apache-2.0
 *
 * test_review_scan.c - the strict pass of review decoding
 * (webhook/review_scan.c): metadata.managedFields of request.object and
 * request.oldObject, and the request's resource and options, are left out
 * of the tree, wherever the member sits in its object, and nothing else
 * is; and a body with anything odd inside
 * managedFields (a long array, a NUL, broken JSON, a lone surrogate,
 * bytes that are not UTF-8, a number longer than the pass reads) gets
 * the answer it got before the pass existed, which is also the answer for
 * the same oddity outside managedFields.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "json.h"
#include "review.h"
#include "review_scan.h"
#include "sbuf.h"

/* A CREATE review whose object.metadata is `{MD}` and whose top level
 * also holds `EXTRA` (may be ""), into `b`. */
static void review_body(struct sbuf *b, const char *md, const char *old_md,
                        const char *extra)
{
    sbuf_init(b, 0);
    CHECK_INT_EQ(sbuf_printf(b,
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
        "%s\"request\":{\"uid\":\"u-1\",\"kind\":{\"group\":"
        "\"databases.spotahome.com\",\"version\":\"v1\",\"kind\":"
        "\"RedisFailover\"},\"namespace\":\"shop\",\"operation\":\"%s\","
        "\"object\":{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
        "\"RedisFailover\",\"metadata\":{%s},\"spec\":{}},"
        "\"oldObject\":%s%s%s}}",
        extra, old_md ? "UPDATE" : "CREATE", md,
        old_md ? "{\"metadata\":{" : "", old_md ? old_md : "null",
        old_md ? "}}" : ""), RFG_OK);
}

/* Decode `b`; RFG_OK or the error, with the first diagnostic in `msg`. */
static int decode(const struct sbuf *b, struct review_req **req, char *msg,
                  size_t len)
{
    struct diag_list dl;
    int rc;

    diag_list_init(&dl, NULL);
    rc = review_decode(req, b->p, b->len, &dl);
    snprintf(msg, len, "%s", dl.len ? dl.v[0].msg : "");
    diag_list_cleanup(&dl);
    return rc;
}

/* The metadata of the decoded object (borrowed). */
static const cJSON *obj_md(const struct review_req *req, bool old)
{
    return json_get(old ? req->old_object : req->object, "metadata");
}

/* managedFields first, last, alone, in both objects: gone from the tree,
 * every other member kept. */
static void test_review_scan__cuts(void)
{
    static const char *const mds[] = {
        ("\"managedFields\":[{\"manager\":\"kubectl\",\"fieldsV1\":"
         "{\"f:spec\":{}}}],\"name\":\"a\",\"labels\":{\"x\":\"y\"}"),
        ("\"name\":\"a\",\"labels\":{\"x\":\"y\"},"
         "\"managedFields\":[{\"m\":1}]"),
        "\"name\":\"a\" , \"managedFields\" : [ ] , \"labels\":{\"x\":\"y\"}",
    };
    struct review_req *req = NULL;
    struct sbuf b;
    char msg[300];
    size_t i;

    for (i = 0; i < sizeof(mds) / sizeof(mds[0]); i++) {
        review_body(&b, mds[i], mds[(i + 1) % 3], "");
        CHECK_INT_EQ(decode(&b, &req, msg, sizeof(msg)), RFG_OK);
        if (req) {
            CHECK(json_get(obj_md(req, false), "managedFields") == NULL);
            CHECK(json_get(obj_md(req, true), "managedFields") == NULL);
            CHECK_STR_EQ(req->name, "a");
            CHECK(json_get(json_get(obj_md(req, false), "labels"), "x"));
            CHECK(json_get(json_get(obj_md(req, true), "labels"), "x"));
        }
        review_req_free(req);
        req = NULL;
        sbuf_cleanup(&b);
    }
    /* alone in its object */
    review_body(&b, "\"managedFields\":[]", NULL, "");
    CHECK_INT_EQ(decode(&b, &req, msg, sizeof(msg)), RFG_OK);
    CHECK(req && cJSON_IsObject(obj_md(req, false)) &&
          obj_md(req, false)->child == NULL);
    review_req_free(req);
    req = NULL;
    sbuf_cleanup(&b);
    /* elsewhere it stays: the spec's, or a top-level key's */
    review_body(&b, "\"name\":\"a\"", NULL,
                "\"metadata\":{\"managedFields\":[1]},");
    CHECK_INT_EQ(decode(&b, &req, msg, sizeof(msg)), RFG_OK);
    CHECK(req && json_get(json_get(req->root, "metadata"), "managedFields"));
    review_req_free(req);
    req = NULL;
    sbuf_cleanup(&b);
    /* two of them side by side */
    review_body(&b, "\"managedFields\":[],\"managedFields\":[],"
                    "\"name\":\"a\"", NULL, "");
    CHECK_INT_EQ(decode(&b, &req, msg, sizeof(msg)), RFG_OK);
    CHECK(req && !strcmp(req->name, "a") &&
          !json_get(obj_md(req, false), "managedFields"));
    review_req_free(req);
    sbuf_cleanup(&b);
}

/* The request's resource and call options go, first, last or in
 * between; what review_decode reads stays. */
static void test_review_scan__request_members(void)
{
    static const char body[] =
        "{\"kind\":\"AdmissionReview\",\"apiVersion\":"
        "\"admission.k8s.io/v1\",\"request\":{\"resource\":{\"group\":"
        "\"g\"},\"requestKind\":{},\"uid\":\"u-2\",\"kind\":{\"group\":"
        "\"databases.spotahome.com\",\"kind\":\"RedisFailover\"},"
        "\"requestResource\":{},\"subResource\":\"\",\"name\":\"n\","
        "\"namespace\":\"ns\",\"operation\":\"DELETE\",\"dryRun\":true,"
        "\"options\":{\"kind\":\"DeleteOptions\"}}}";
    struct review_req *req = NULL;
    struct diag_list dl;
    const cJSON *r;

    diag_list_init(&dl, NULL);
    CHECK_INT_EQ(review_decode(&req, body, sizeof(body) - 1, &dl), RFG_OK);
    diag_list_cleanup(&dl);
    if (!req)
        return;
    r = json_get(req->root, "request");
    CHECK(!json_get(r, "resource") && !json_get(r, "requestKind") &&
          !json_get(r, "requestResource") && !json_get(r, "subResource") &&
          !json_get(r, "options"));
    CHECK_STR_EQ(req->uid, "u-2");
    CHECK_STR_EQ(req->name, "n");
    CHECK_STR_EQ(req->ns, "ns");
    CHECK(req->dry_run && req->is_failover && req->op == RULES_DELETE);
    review_req_free(req);
}

/* The same oddity inside managedFields and in a label value that no cut
 * touches: the same answer (`want` NULL: both decode), and for broken
 * JSON the byte cJSON names for the whole body, as before the pass. */
static void same_error(const char *inside, const char *outside,
                       const char *want)
{
    struct review_req *req = NULL;
    struct sbuf a, b, md;
    char ma[300], mb[300];
    int ra, rb;

    sbuf_init(&md, 0);
    CHECK_INT_EQ(sbuf_printf(&md, "\"name\":\"a\",\"managedFields\":[%s]",
                             inside), RFG_OK);
    review_body(&a, sbuf_str(&md), NULL, "");
    sbuf_reset(&md);
    CHECK_INT_EQ(sbuf_printf(&md, "\"name\":\"a\",\"labels\":{\"k\":%s}",
                             outside), RFG_OK);
    review_body(&b, sbuf_str(&md), NULL, "");
    sbuf_cleanup(&md);
    ra = decode(&a, &req, ma, sizeof(ma));
    review_req_free(req);
    req = NULL;
    rb = decode(&b, &req, mb, sizeof(mb));
    review_req_free(req);
    CHECK_INT_EQ(ra, rb);
    CHECK(want == NULL || ra != RFG_OK);
    if (want && strstr(want, "invalid JSON")) {
        const char *end = NULL;
        cJSON *r = cJSON_ParseWithLengthOpts(a.p, a.len, &end, 0);
        char exp[64];

        CHECK(r == NULL);
        cJSON_Delete(r);
        snprintf(exp, sizeof(exp), "invalid JSON near byte %td",
                 end ? end - a.p : (ptrdiff_t)0);
        CHECK_STR_EQ(ma, exp);
    }
    if (want) {
        CHECK_CONTAINS(ma, want);
        CHECK_CONTAINS(mb, want);
    }
    sbuf_cleanup(&a);
    sbuf_cleanup(&b);
}

static void test_review_scan__errors_kept(void)
{
    struct sbuf big;
    size_t i;

    same_error("\"a\\u0000b\"", "\"a\\u0000b\"", "NUL character");
    same_error("\"\\ud800\"", "\"\\ud800\"", NULL);   /* cJSON takes it */
    same_error("\"\xc3\x28\"", "\"\xc3\x28\"", "not UTF-8: byte 0xc3");
    same_error("[1,}", "[1,}", "invalid JSON near byte");
    same_error("123456789012345678901234567890123456789012345678901234567"
               "8901234567890", "1234567890123456789012345678901234567890"
               "12345678901234567890123456789012345678901234567890", NULL);
    sbuf_init(&big, 0);
    CHECK_INT_EQ(sbuf_addc(&big, '['), RFG_OK);
    for (i = 0; i <= REVIEW_MAX_ITEMS; i++)
        CHECK_INT_EQ(sbuf_adds(&big, i ? ",0" : "0"), RFG_OK);
    CHECK_INT_EQ(sbuf_addc(&big, ']'), RFG_OK);
    same_error(big.p, big.p, "more than 10000 items");
    sbuf_cleanup(&big);
}

/* The pass itself: strict JSON only, and where the first \u0000 is. */
static void test_review_scan__strict(void)
{
    static const char *const no[] = {
        "", "{", "{\"a\":01}", "[1,]", "{\"a\":1,}", "\xef\xbb\xbf{}",
        "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}", "tru", "{} {}", "-", "1.",
        "{\"a\":\"\\udc00\"}",
    };
    struct review_scan sc;
    const char *ok = " {\"a\":[true,false,null,-0.5e+3,\"\\u00e9\\n\"],"
                     "\"b\":\"x\\u0000\"} ";
    size_t i;

    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        CHECK(!review_prescan(&sc, no[i], strlen(no[i]), NULL));
    CHECK(review_prescan(&sc, ok, strlen(ok), NULL));
    CHECK_INT_EQ(sc.nul, strstr(ok, "\\u0000") - ok);
    CHECK_INT_EQ(sc.nleft, 0);
}

int main(void)
{
    RUN(test_review_scan__cuts);
    RUN(test_review_scan__request_members);
    RUN(test_review_scan__errors_kept);
    RUN(test_review_scan__strict);
    return CHECK_DONE();
}
