/* SPDX-License-Identifier: Apache-2.0
 *
 * test_review_keys.c - the shortcuts of the webhook's strict pass
 * (webhook/review_scan.c) and of the lookups on its trees: a member's
 * name that schema_key_intern knows is that constant (marked
 * cJSON_StringIsConst, with the member's own type intact) and any other
 * name a copy; the schema's hash of either is sidx_hash's; lookups find members by spelling whether or not the name
 * asked for is the constant; and an integer read without strtod has the
 * valuedouble and valueint cJSON gives it, at the edges of int and of
 * the shortcut's 15 characters.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "json.h"
#include "review_scan.h"
#include "schema.h"
#include "sidx.h"

static cJSON *scan(const char *body)
{
    struct review_scan sc;
    cJSON *t = NULL;

    CHECK(review_prescan(&sc, body, strlen(body), &t));
    return t;
}

static void test_review_keys__intern(void)
{
    const char *spec = schema_key_intern("spec", 4);
    const char *a = schema_key_intern("affinity", 8);

    CHECK(spec != NULL);
    CHECK_STR_EQ(spec, "spec");
    CHECK(a != NULL);
    CHECK_STR_EQ(a, "affinity");
    /* the same spelling, from anywhere: the same constant */
    CHECK(schema_key_intern("specX", 4) == spec);
    CHECK(schema_key_intern("apiVersion", 10) != NULL);
    CHECK(schema_key_intern("request", 7) != NULL);
    CHECK(schema_key_intern("app.kubernetes.io/name", 22) != NULL);
    /* not a kept key: a prefix, a longer word, another case, nothing */
    CHECK(schema_key_intern("spe", 3) == NULL);
    CHECK(schema_key_intern("specs", 5) == NULL);
    CHECK(schema_key_intern("Spec", 4) == NULL);
    CHECK(schema_key_intern("no-such-key-anywhere", 20) == NULL);
    CHECK(schema_key_intern("", 0) == NULL);
}

static void test_review_keys__tree(void)
{
    cJSON *t = scan("{\"spec\":{\"replicas\":3,\"zz-custom\":\"x\","
                    "\"esc\\u0061ped\":true},\"kind\":\"K\"}");
    const cJSON *spec, *c;
    char *heap;

    spec = json_get(t, "spec");
    CHECK(spec != NULL);
    CHECK(cJSON_IsObject(spec));
    CHECK(spec->type & cJSON_StringIsConst);
    CHECK(spec->string == schema_key_intern("spec", 4));
    c = json_get(spec, "replicas");
    CHECK(c != NULL);
    CHECK(cJSON_IsNumber(c));
    CHECK(c->type & cJSON_StringIsConst);
    CHECK_INT_EQ(c->valueint, 3);
    c = json_get(spec, "zz-custom");
    CHECK(c != NULL);
    CHECK(!(c->type & cJSON_StringIsConst));
    CHECK_STR_EQ(c->valuestring, "x");
    /* an escaped name is a copy, with its escape resolved */
    c = json_get(spec, "escaped");
    CHECK(c != NULL);
    CHECK(cJSON_IsTrue(c));
    CHECK(!(c->type & cJSON_StringIsConst));
    /* a name asked for from the heap: found by its spelling */
    heap = malloc(9);
    CHECK(heap != NULL);
    if (heap) {
        memcpy(heap, "replicas", 9);
        CHECK(json_get(spec, heap) == json_get(spec, "replicas"));
        free(heap);
    }
    CHECK_STR_EQ(json_str(t, "kind"), "K");
    /* the schema's hash of a name, kept or copied */
    CHECK(schema_key_hash(spec) == sidx_hash("spec"));
    CHECK(schema_key_hash(json_get(spec, "replicas")) ==
          sidx_hash("replicas"));
    CHECK(schema_key_hash(json_get(spec, "zz-custom")) ==
          sidx_hash("zz-custom"));
    cJSON_Delete(t);    /* frees no constant */
}

/* json_get's filters by address and by the first two bytes, at the
 * edges: empty and one-byte names, shared prefixes, duplicates (the
 * first wins), a member after the first candidate. */
static void test_review_keys__lookup_edges(void)
{
    cJSON *t = cJSON_Parse("{\"\":1,\"a\":2,\"ab\":3,\"abc\":4,"
                           "\"abd\":5,\"b\":6,\"abc\":7,\"x\":{}}");
    char k[4];

    CHECK(t != NULL);
    CHECK_INT_EQ(json_get(t, "")->valueint, 1);
    CHECK_INT_EQ(json_get(t, "a")->valueint, 2);
    CHECK_INT_EQ(json_get(t, "ab")->valueint, 3);
    CHECK_INT_EQ(json_get(t, "abc")->valueint, 4);
    CHECK_INT_EQ(json_get(t, "abd")->valueint, 5);
    CHECK_INT_EQ(json_get(t, "b")->valueint, 6);
    CHECK(json_get(t, "abe") == NULL);
    CHECK(json_get(t, "c") == NULL);
    CHECK(json_get(t, "abcd") == NULL);
    /* the same, asked for from a buffer (no address can match) */
    memcpy(k, "abd", 4);
    CHECK_INT_EQ(json_get(t, k)->valueint, 5);
    k[1] = '\0';
    CHECK_INT_EQ(json_get(t, k)->valueint, 2);
    k[0] = '\0';
    CHECK_INT_EQ(json_get(t, k)->valueint, 1);
    CHECK(json_get(json_get(t, "x"), "a") == NULL);
    CHECK(json_get(json_get(t, "a"), "a") == NULL);  /* not an object */
    CHECK(json_get(t, NULL) == NULL);
    cJSON_Delete(t);
}

/* Each number as the pass reads it and as cJSON parses it. */
static void test_review_keys__integers(void)
{
    static const char *const nums[] = {
        "0", "-0", "7", "-7", "2147483646", "2147483647", "2147483648",
        "-2147483647", "-2147483648", "-2147483649", "999999999999999",
        "-99999999999999", "-999999999999999", "1000000000000000",
        "123456789012345678", "1.5", "-2e3", "4E+2",
    };
    char body[64];
    size_t i;

    for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        cJSON *mine, *ref;

        snprintf(body, sizeof(body), "[%s]", nums[i]);
        mine = scan(body);
        ref = cJSON_Parse(body);
        CHECK(mine && ref && cJSON_IsNumber(mine->child) &&
              cJSON_IsNumber(ref->child));
        if (mine && ref && mine->child && ref->child) {
            CHECK(memcmp(&mine->child->valuedouble,
                         &ref->child->valuedouble, sizeof(double)) == 0);
            CHECK_INT_EQ(mine->child->valueint, ref->child->valueint);
        }
        cJSON_Delete(mine);
        cJSON_Delete(ref);
    }
}

int main(void)
{
    RUN(test_review_keys__intern);
    RUN(test_review_keys__tree);
    RUN(test_review_keys__lookup_edges);
    RUN(test_review_keys__integers);
    return CHECK_DONE();
}
