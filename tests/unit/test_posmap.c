/* SPDX-License-Identifier: Apache-2.0
 *
 * test_posmap.c - the loader's position map (src/yaml/posmap.c): nodes
 * recorded in increasing address order (a sorted array), out of order
 * (it turns into a hash table), a position recorded twice, and the
 * compact copy each document takes while the map is reused; and the
 * cursor from libyaml's character indexes to byte offsets.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ydoc_impl.h"

#define N 1000

/* N nodes in one array: their addresses increase with the index. */
static cJSON nodes[N];

static struct src_pos at(unsigned line, unsigned col)
{
    struct src_pos p = {line, col};

    return p;
}

/* Every node of nodes[from..to) has the position its index gives. */
static bool all_there(const struct posmap *pm, size_t from, size_t to)
{
    size_t i;

    for (i = from; i < to; i++) {
        struct src_pos p = posmap_get(pm, &nodes[i]);

        if (p.line != i + 1 || p.col != (unsigned)(i % 7) + 1)
            return false;
    }
    return true;
}

static void test_in_order(void)
{
    struct posmap *pm = posmap_new(), *doc;
    struct src_pos p;
    size_t i;

    CHECK(pm != NULL);
    for (i = 0; i < N; i += 2)
        CHECK_INT_EQ(posmap_put(pm, &nodes[i], at((unsigned)i + 1,
                                                  (unsigned)(i % 7) + 1)),
                     RFG_OK);
    for (i = 0; i < N; i += 2)
        CHECK(all_there(pm, i, i + 1));
    /* nodes never recorded, and nodes from elsewhere, have no position */
    p = posmap_get(pm, &nodes[1]);
    CHECK_INT_EQ(p.line, 0);
    p = posmap_get(pm, (const cJSON *)(const void *)&p);
    CHECK_INT_EQ(p.line, 0);
    p = posmap_get(NULL, &nodes[0]);
    CHECK_INT_EQ(p.line, 0);
    /* the last node again: its new position replaces the old one */
    CHECK_INT_EQ(posmap_put(pm, &nodes[N - 2], at(5, 6)), RFG_OK);
    CHECK_INT_EQ(posmap_get(pm, &nodes[N - 2]).line, 5);
    doc = posmap_take(pm);
    CHECK(doc != NULL);
    CHECK_INT_EQ(posmap_get(doc, &nodes[N - 2]).col, 6);
    CHECK(all_there(doc, 0, 1));
    CHECK(all_there(doc, 500, 501));
    /* the map that was taken from is empty, and fills again */
    CHECK_INT_EQ(posmap_get(pm, &nodes[0]).line, 0);
    CHECK_INT_EQ(posmap_put(pm, &nodes[3], at(4, 4)), RFG_OK);
    CHECK_INT_EQ(posmap_get(pm, &nodes[3]).line, 4);
    CHECK_INT_EQ(posmap_get(doc, &nodes[3]).line, 0);
    posmap_free(doc);
    posmap_free(pm);
}

static void test_out_of_order(void)
{
    struct posmap *pm = posmap_new(), *doc;
    size_t i;

    CHECK(pm != NULL);
    /* the second half first, then the first half, then each again */
    for (i = N / 2; i < N; i++)
        CHECK_INT_EQ(posmap_put(pm, &nodes[i], at(9, 9)), RFG_OK);
    for (i = 0; i < N / 2; i++)
        CHECK_INT_EQ(posmap_put(pm, &nodes[i], at(9, 9)), RFG_OK);
    for (i = N; i-- > 0;)
        CHECK_INT_EQ(posmap_put(pm, &nodes[i],
                                at((unsigned)i + 1, (unsigned)(i % 7) + 1)),
                     RFG_OK);
    CHECK(all_there(pm, 0, N));
    doc = posmap_take(pm);
    CHECK(doc != NULL);
    CHECK(all_there(doc, 0, N));
    /* after a hashed document the map starts over as an array */
    CHECK_INT_EQ(posmap_get(pm, &nodes[0]).line, 0);
    for (i = 0; i < 10; i++)
        CHECK_INT_EQ(posmap_put(pm, &nodes[i],
                                at((unsigned)i + 1, (unsigned)(i % 7) + 1)),
                     RFG_OK);
    CHECK(all_there(pm, 0, 10));
    posmap_clear(pm);
    CHECK_INT_EQ(posmap_get(pm, &nodes[0]).line, 0);
    posmap_free(doc);
    posmap_free(pm);
    posmap_free(NULL);
}

/* A document that is only a scalar, and an empty take. */
static void test_small(void)
{
    struct posmap *pm = posmap_new(), *doc;

    CHECK(pm != NULL);
    doc = posmap_take(pm);
    CHECK(doc != NULL);
    CHECK_INT_EQ(posmap_get(doc, &nodes[0]).line, 0);
    posmap_free(doc);
    CHECK_INT_EQ(posmap_put(pm, &nodes[0], at(1, 1)), RFG_OK);
    doc = posmap_take(pm);
    CHECK(doc != NULL);
    CHECK(all_there(doc, 0, 1));
    /* a taken map may still be added to */
    CHECK_INT_EQ(posmap_put(doc, &nodes[1], at(2, 2)), RFG_OK);
    CHECK(all_there(doc, 0, 2));
    CHECK_INT_EQ(posmap_put(doc, &nodes[0], at(1, 1)), RFG_OK);
    CHECK(all_there(doc, 0, 2));
    posmap_free(doc);
    posmap_free(pm);
}

/* Byte offset of character `idx` of s[0..len) counted the slow way:
 * after a BOM, every byte that does not continue a UTF-8 sequence. */
static size_t naive_byte(const char *s, size_t len, size_t idx)
{
    size_t i = len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t k = 0;

    for (; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (k++ == idx)
            return i;
    }
    return len;
}

/* ytext_byte agrees with the slow count on ASCII text, on text that
 * turns to UTF-8 late, and with a BOM, asked forwards and backwards. */
static void test_ytext(void)
{
    static const char *const texts[] = {
        "a: 1\nb: two\n",
        "name: plain ascii for a while\nnote: caf\xC3\xA9 \xE2\x82\xAC\nz: 1\n",
        "\xEF\xBB\xBFk: \xF0\x9F\x98\x80 x\nascii: again and again\n",
        "",
    };
    size_t t, i;

    for (t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        const char *s = texts[t];
        size_t len = strlen(s);
        struct ytext yt;
        bool ok = true;

        ytext_init(&yt, s, len);
        for (i = 0; i <= len + 2; i++)
            ok = ok && ytext_byte(&yt, i) == naive_byte(s, len, i);
        for (i = len + 2; i-- > 0;)
            ok = ok && ytext_byte(&yt, i) == naive_byte(s, len, i);
        ytext_init(&yt, s, len);
        for (i = len + 2; i-- > 0;)
            ok = ok && ytext_byte(&yt, i) == naive_byte(s, len, i);
        if (!ok)
            fprintf(stderr, "ytext_byte differs on text %zu\n", t);
        CHECK(ok);
    }
}

int main(void)
{
    RUN(test_in_order);
    RUN(test_out_of_order);
    RUN(test_small);
    RUN(test_ytext);
    return CHECK_DONE();
}
