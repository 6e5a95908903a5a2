/* SPDX-License-Identifier: Apache-2.0
 *
 * test_jpack.c - packed tree records: every tree comes back equal (types,
 * keys in order with duplicates, exact numbers, a number's kept text),
 * with each node's position, and records stay small.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jpack.h"

static const char *const dict[] = {"kind", "metadata", "name", NULL};

/* Positions made up from the node's pre-order number. */
struct order {
    const cJSON *root;
};

static struct src_pos fake_pos(void *arg, const cJSON *node)
{
    const struct order *o = arg;
    long i = jpack_index(o->root, node);

    return (struct src_pos){(unsigned)(100 - i * 3), (unsigned)(i + 1)};
}

/* Whether a and b agree in everything a record keeps. */
static int same(const cJSON *a, const cJSON *b)
{
    const cJSON *x, *y;

    if ((a->type & 0xff) != (b->type & 0xff))
        return 0;
    if ((a->string == NULL) != (b->string == NULL) ||
        (a->string && strcmp(a->string, b->string)))
        return 0;
    if ((a->valuestring == NULL) != (b->valuestring == NULL) ||
        (a->valuestring && strcmp(a->valuestring, b->valuestring)))
        return 0;
    if (cJSON_IsNumber(a) &&
        (memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) ||
         a->valueint != b->valueint))
        return 0;
    for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
        if (!same(x, y) || y->prev == NULL)
            return 0;
    return x == NULL && y == NULL;
}

static long count(const cJSON *n)
{
    const cJSON *c;
    long k = 1;

    for (c = n->child; c; c = c->next)
        k += count(c);
    return k;
}

static void roundtrip(const char *json, size_t max_len)
{
    cJSON *t = cJSON_Parse(json), *u;
    struct order o = {t};
    unsigned char *rec;
    size_t len = 0;
    long i, n;

    CHECK(t != NULL);
    if (!t)
        return;
    rec = jpack_tree(t, fake_pos, &o, dict, &len);
    CHECK(rec != NULL);
    if (!rec) {
        cJSON_Delete(t);
        return;
    }
    CHECK(len <= max_len);
    u = jpack_unpack(rec, dict);
    CHECK(u != NULL);
    CHECK(u && same(t, u));
    n = 0;
    for (i = 0;; i++) {
        struct src_pos p;

        if (!jpack_pos(rec, (size_t)i, &p))
            break;
        CHECK_INT_EQ(p.line, 100 - i * 3);
        CHECK_INT_EQ(p.col, i + 1);
        n++;
    }
    /* one position per node */
    CHECK_INT_EQ(n, count(t));
    CHECK_INT_EQ(jpack_index(u, NULL), -1);
    if (u && u->child) {
        const cJSON *last = u->child->prev;

        CHECK_INT_EQ(jpack_index(u, last), jpack_index(t, t->child->prev));
        CHECK_INT_EQ(jpack_index(u, u), 0);
    }
    cJSON_Delete(u);
    cJSON_Delete(t);
    free(rec);
}

static void test_shapes(void)
{
    roundtrip("{}", 8);
    roundtrip("[]", 8);
    roundtrip("\"x\"", 8);
    roundtrip("{\"kind\":\"RedisFailover\",\"metadata\":{\"name\":\"a\"}}",
              40);
    roundtrip("{\"a\":[1,-1,0,2147483647,2147483648,-2147483649,1.5,"
              "1e300,-1e-300,9007199254740993,null,true,false,[],{}],"
              "\"a\":\"dup\",\"\":\"\"}",
              200);
}

static void test_numbers(void)
{
    cJSON *t = cJSON_CreateObject(), *u, *n;
    struct order o = {t};
    unsigned char *rec;
    size_t len;

    cJSON_AddNumberToObject(t, "negzero", -0.0);
    cJSON_AddNumberToObject(t, "inf", HUGE_VAL);
    n = cJSON_AddNumberToObject(t, "text", 8080);
    n->valuestring = cJSON_malloc(7);
    memcpy(n->valuestring, "0x1F90", 7);
    n = cJSON_AddNumberToObject(t, "odd", 3);
    n->valueint = 7; /* not what cJSON_CreateNumber would set */
    rec = jpack_tree(t, fake_pos, &o, NULL, &len);
    CHECK(rec != NULL);
    u = rec ? jpack_unpack(rec, NULL) : NULL;
    CHECK(u && same(t, u));
    n = u ? cJSON_GetObjectItemCaseSensitive(u, "negzero") : NULL;
    CHECK(n && signbit(n->valuedouble));
    n = u ? cJSON_GetObjectItemCaseSensitive(u, "odd") : NULL;
    CHECK(n && n->valueint == 7 && n->valuedouble == 3);
    n = u ? cJSON_GetObjectItemCaseSensitive(u, "text") : NULL;
    CHECK(n && n->valuestring && !strcmp(n->valuestring, "0x1F90"));
    cJSON_Delete(u);
    cJSON_Delete(t);
    free(rec);
}

int main(void)
{
    RUN(test_shapes);
    RUN(test_numbers);
    return CHECK_DONE();
}
