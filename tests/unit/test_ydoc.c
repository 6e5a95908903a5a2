/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ydoc.c - unit tests for the YAML loader and emitter: kubectl-style
 * scalar resolution, key conversion, anchors and merge keys, positions,
 * multi-document streams, every limit, libyaml errors and emit round
 * trips, and yedit on text whose characters are not bytes. Tests go
 * through the public API only (ydoc.h, yedit.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ydoc.h"
#include "yedit.h"

/* Load `yaml` with limits `lim` (NULL = defaults) into `s`. */
static int load(struct ydoc_stream *s, struct diag_list *dl, const char *yaml,
                const struct ydoc_limits *lim)
{
    memset(s, 0, sizeof(*s));
    diag_list_init(dl, "t.yaml");
    return ydoc_load(s, yaml, strlen(yaml), lim, dl);
}

static void done(struct ydoc_stream *s, struct diag_list *dl)
{
    ydoc_stream_cleanup(s);
    diag_list_cleanup(dl);
}

/* Walk a dotted path of object keys and [n] indexes ("a.b[1].c"). */
static const cJSON *at(const cJSON *node, const char *path)
{
    char part[128];
    const char *p = path;

    while (node && *p) {
        size_t n = strcspn(p, ".[");

        if (n) {
            if (n >= sizeof(part))
                return NULL;
            memcpy(part, p, n);
            part[n] = '\0';
            node = cJSON_GetObjectItemCaseSensitive(node, part);
            p += n;
        }
        if (*p == '[') {
            node = cJSON_GetArrayItem(node, (int)strtol(p + 1, NULL, 10));
            p = strchr(p, ']');
            if (!p)
                return NULL;
            p++;
        }
        if (*p == '.')
            p++;
    }
    return node;
}

static double num(const cJSON *n)
{
    return cJSON_IsNumber(n) ? n->valuedouble : -12345.0;
}

static const char *str(const cJSON *n)
{
    return cJSON_IsString(n) ? n->valuestring : NULL;
}

static void test_ydoc__scalars(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    const char *yaml =
        "b1: yes\nb2: No\nb3: on\nb4: OFF\nb5: y\nb6: n\nb7: True\n"
        "b8: false\n"
        "q1: \"yes\"\nq2: 'on'\nq3: \"123\"\n"
        "i1: 0x1f\ni2: 0777\ni3: 0o17\ni4: 0b101\ni5: 1_000\ni6: -42\n"
        "i7: +7\ni8: 0\ni9: 9223372036854775807\n"
        "i10: 18446744073709551615\ni11: -0b11\n"
        "f1: 1e3\nf2: 3.25\nf3: .5\nf4: -1.5e-2\nf5: 08\nf6: 1.\n"
        "n1: ~\nn2:\nn3: null\nn4: NULL\nn5: \"\"\n"
        "s1: 1e400\ns2: 0x\ns3: 12:30\ns4: 2001-12-14\ns5: yes please\n"
        "s6: .\ns7: 1_0x\ns8: |\n  yes\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 1);
    CHECK_INT_EQ(dl.len, 0);
    if (s.len != 1)
        goto out;
    r = s.docs[0].root;
    CHECK(cJSON_IsTrue(at(r, "b1")));
    CHECK(cJSON_IsFalse(at(r, "b2")));
    CHECK(cJSON_IsTrue(at(r, "b3")));
    CHECK(cJSON_IsFalse(at(r, "b4")));
    CHECK(cJSON_IsTrue(at(r, "b5")));
    CHECK(cJSON_IsFalse(at(r, "b6")));
    CHECK(cJSON_IsTrue(at(r, "b7")));
    CHECK(cJSON_IsFalse(at(r, "b8")));
    CHECK_STR_EQ(str(at(r, "q1")), "yes");
    CHECK_STR_EQ(str(at(r, "q2")), "on");
    CHECK_STR_EQ(str(at(r, "q3")), "123");
    CHECK(num(at(r, "i1")) == 31);
    CHECK(num(at(r, "i2")) == 511);
    CHECK(num(at(r, "i3")) == 15);
    CHECK(num(at(r, "i4")) == 5);
    CHECK(num(at(r, "i5")) == 1000);
    CHECK(num(at(r, "i6")) == -42);
    CHECK(num(at(r, "i7")) == 7);
    CHECK(num(at(r, "i8")) == 0);
    CHECK(num(at(r, "i9")) == 9223372036854775807.0);
    CHECK(num(at(r, "i10")) == 18446744073709551615.0);
    CHECK(num(at(r, "i11")) == -3);
    CHECK(num(at(r, "f1")) == 1000);
    CHECK(num(at(r, "f2")) == 3.25);
    CHECK(num(at(r, "f3")) == 0.5);
    CHECK(num(at(r, "f4")) == -0.015);
    CHECK(num(at(r, "f5")) == 8);  /* not octal: falls through to float */
    CHECK(num(at(r, "f6")) == 1);
    CHECK(cJSON_IsNull(at(r, "n1")));
    CHECK(cJSON_IsNull(at(r, "n2")));
    CHECK(cJSON_IsNull(at(r, "n3")));
    CHECK(cJSON_IsNull(at(r, "n4")));
    CHECK_STR_EQ(str(at(r, "n5")), "");
    CHECK_STR_EQ(str(at(r, "s1")), "1e400");
    CHECK_STR_EQ(str(at(r, "s2")), "0x");
    CHECK_STR_EQ(str(at(r, "s3")), "12:30");
    CHECK_STR_EQ(str(at(r, "s4")), "2001-12-14");
    CHECK_STR_EQ(str(at(r, "s5")), "yes please");
    CHECK_STR_EQ(str(at(r, "s6")), ".");
    CHECK_STR_EQ(str(at(r, "s7")), "1_0x");
    CHECK_STR_EQ(str(at(r, "s8")), "yes\n");
out:
    done(&s, &dl);
}

static void test_ydoc__tags(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    const char *yaml =
        "a: !!str 123\nb: !!int \"42\"\nc: !!float 7\nd: !!bool \"yes\"\n"
        "e: !!null ''\nf: !foo 123\ng: !!binary aGVsbG8=\nh: ! true\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    r = s.len ? s.docs[0].root : NULL;
    CHECK_STR_EQ(str(at(r, "a")), "123");
    CHECK(num(at(r, "b")) == 42);
    CHECK(num(at(r, "c")) == 7);
    CHECK(cJSON_IsTrue(at(r, "d")));
    CHECK(cJSON_IsNull(at(r, "e")));
    /* go-yaml v2 does not resolve local tags: the text stays a string. */
    CHECK_STR_EQ(str(at(r, "f")), "123");
    CHECK_STR_EQ(str(at(r, "g")), "hello");     /* decoded, as kubectl */
    CHECK_STR_EQ(str(at(r, "h")), "true");
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "x: 1\ny: !!int abc\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(s.len, 0);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "cannot decode \"abc\" as !!int");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 4);
    }
    done(&s, &dl);
}

static void test_ydoc__inf_is_error(void)
{
    struct ydoc_stream s;
    struct diag_list dl;

    CHECK_INT_EQ(load(&s, &dl, "a: 1\nb:\n  c: .inf\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(s.len, 0);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "value .inf cannot be represented in JSON");
        CHECK_INT_EQ(dl.v[0].pos.line, 3);
        CHECK_INT_EQ(dl.v[0].pos.col, 6);
        CHECK_STR_EQ(dl.v[0].file, "t.yaml");
    }
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "- -.Inf\n", NULL), RFG_EPARSE);
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "- .NaN\n", NULL), RFG_EPARSE);
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "- \".inf\"\n", NULL), RFG_OK);
    done(&s, &dl);
}

static void test_ydoc__keys(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    const char *yaml =
        "on: a\noff: b\n1: c\n~: d\n0x1f: e\n1.5: f\n\"yes\": g\n"
        "-7: h\n1e6: i\n.inf: j\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    r = s.len ? s.docs[0].root : NULL;
    CHECK_STR_EQ(str(at(r, "true")), "a");
    CHECK_STR_EQ(str(at(r, "false")), "b");
    CHECK_STR_EQ(str(at(r, "1")), "c");
    CHECK_STR_EQ(str(at(r, "null")), "d");
    CHECK_STR_EQ(str(at(r, "31")), "e");
    CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(r, "1.5")), "f");
    CHECK_STR_EQ(str(at(r, "yes")), "g");
    CHECK_STR_EQ(str(at(r, "-7")), "h");
    CHECK_STR_EQ(str(at(r, "1e+06")), "i");
    CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(r, ".inf")), "j");
    /* y/n are YAML 1.1 booleans as keys too */
    CHECK(at(r, "y") == NULL);
    done(&s, &dl);

    /* yes and on are the same key once converted. */
    CHECK_INT_EQ(load(&s, &dl, "yes: 1\non: 2\n", NULL), RFG_EPARSE);
    if (dl.len)
        CHECK_STR_EQ(dl.v[0].msg, "duplicate key \"true\" (first at line 1)");
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "a: 1\n? [x, y]\n: 2\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "cannot be a mapping key");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 3);
    }
    done(&s, &dl);
}

static void test_ydoc__duplicate_key(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct sbuf b;
    int i;

    CHECK_INT_EQ(load(&s, &dl, "a: 1\nspec:\n  x: 1\n  y: 2\n  x: 3\n", NULL),
                 RFG_EPARSE);
    CHECK_INT_EQ(s.len, 0);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "duplicate key \"x\" (first at line 3)");
        CHECK_INT_EQ(dl.v[0].pos.line, 5);
        CHECK_INT_EQ(dl.v[0].pos.col, 3);
        CHECK_INT_EQ(dl.v[0].code, RFG_EPARSE);
    }
    done(&s, &dl);

    /* A large mapping uses the hashed key set. */
    sbuf_init(&b, 0);
    for (i = 0; i < 500; i++)
        CHECK_INT_EQ(sbuf_printf(&b, "k%d: %d\n", i, i), RFG_OK);
    CHECK_INT_EQ(load(&s, &dl, sbuf_str(&b), NULL), RFG_OK);
    CHECK_INT_EQ(cJSON_GetArraySize(s.len ? s.docs[0].root : NULL), 500);
    CHECK(num(at(s.len ? s.docs[0].root : NULL, "k499")) == 499);
    done(&s, &dl);
    CHECK_INT_EQ(sbuf_adds(&b, "k250: x\n"), RFG_OK);
    CHECK_INT_EQ(load(&s, &dl, sbuf_str(&b), NULL), RFG_EPARSE);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg,
                     "duplicate key \"k250\" (first at line 251)");
        CHECK_INT_EQ(dl.v[0].pos.line, 501);
        CHECK_INT_EQ(dl.v[0].pos.col, 1);
    }
    done(&s, &dl);
    sbuf_cleanup(&b);
}

static void test_ydoc__anchors(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    struct src_pos p;
    const char *yaml =
        "base: &b\n"         /* 1 */
        "  x: 1\n"           /* 2 */
        "  k2: [a, b]\n"     /* 3 */
        "copy: *b\n"         /* 4 */
        "list:\n"            /* 5 */
        "  - &s hello\n"     /* 6 */
        "  - *s\n"           /* 7 */
        "&k key: v\n"        /* 8 */
        "again: *k\n";       /* 9 */

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(dl.len, 0);
    if (s.len != 1)
        goto out;
    r = s.docs[0].root;
    CHECK(cJSON_Compare(at(r, "base"), at(r, "copy"), 1));
    CHECK(at(r, "base") != at(r, "copy"));
    CHECK_STR_EQ(str(at(r, "list[1]")), "hello");
    CHECK_STR_EQ(str(at(r, "again")), "key");
    CHECK_STR_EQ(str(at(r, "key")), "v");
    /* copy's root: the key "copy"; inside: where the anchored nodes are */
    p = posmap_get(s.docs[0].pm, at(r, "copy"));
    CHECK_INT_EQ(p.line, 4);
    CHECK_INT_EQ(p.col, 1);
    p = posmap_get(s.docs[0].pm, at(r, "copy.k2"));
    CHECK_INT_EQ(p.line, 3);
    CHECK_INT_EQ(p.col, 3);
    p = posmap_get(s.docs[0].pm, at(r, "list[1]"));
    CHECK_INT_EQ(p.line, 7);
    CHECK_INT_EQ(p.col, 5);
out:
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "a: 1\nb: *nope\n", NULL), RFG_EPARSE);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "unknown anchor \"nope\"");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 4);
    }
    done(&s, &dl);

    /* An anchor is not usable inside itself. */
    CHECK_INT_EQ(load(&s, &dl, "a: &x [1, *x]\n", NULL), RFG_EPARSE);
    done(&s, &dl);
}

static void test_ydoc__merge_keys(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    struct src_pos p;
    const char *yaml =
        "defs:\n"                       /* 1 */
        "  a: &a {x: 1, m: 1, z: 1}\n"  /* 2 */
        "  b: &b {m: 2, w: 2}\n"        /* 3 */
        "one:\n"                        /* 4 */
        "  x: 0\n"                      /* 5 */
        "  <<: *a\n"                    /* 6 */
        "two:\n"                        /* 7 */
        "  <<: [*b, *a]\n"              /* 8 */
        "  z: 9\n"                      /* 9 */
        "three:\n"                      /* 10 */
        "  <<: {q: 1}\n"                /* 11 */
        "  r: 2\n"                      /* 12 */
        "\"<<\": quoted\n";             /* 13 */

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(dl.len, 0);
    if (s.len != 1)
        goto out;
    r = s.docs[0].root;
    CHECK(num(at(r, "one.x")) == 1);       /* the << after it wins */
    CHECK(num(at(r, "one.m")) == 1);
    CHECK(num(at(r, "one.z")) == 1);
    CHECK_INT_EQ(cJSON_GetArraySize(at(r, "one")), 3);
    CHECK(at(r, "one.<<") == NULL);
    CHECK(num(at(r, "two.m")) == 2);       /* earlier in the list wins */
    CHECK(num(at(r, "two.w")) == 2);
    CHECK(num(at(r, "two.x")) == 1);
    CHECK(num(at(r, "two.z")) == 9);       /* explicit after merge wins */
    CHECK_INT_EQ(cJSON_GetArraySize(at(r, "two")), 4);
    CHECK(num(at(r, "three.q")) == 1);
    CHECK(num(at(r, "three.r")) == 2);
    CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(r, "<<")), "quoted");
    /* the untouched anchors */
    CHECK_INT_EQ(cJSON_GetArraySize(at(r, "defs.a")), 3);
    CHECK_STR_EQ(at(r, "one")->child->string, "x");   /* keeps its place */
    p = posmap_get(s.docs[0].pm, at(r, "one.m"));
    CHECK_INT_EQ(p.line, 2);
    p = posmap_get(s.docs[0].pm, at(r, "two.z"));
    CHECK_INT_EQ(p.line, 9);
    CHECK_INT_EQ(p.col, 3);
out:
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "a:\n  <<: 3\n", NULL), RFG_EPARSE);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "map merge requires");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 7);
    }
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "s: &s [1]\na:\n  <<: *s\n", NULL),
                 RFG_EPARSE);
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "a:\n  <<: [[1]]\n", NULL), RFG_EPARSE);
    done(&s, &dl);
}

/* Merge keys as kubectl applies them (go-yaml v2): where the << stands,
 * over the keys before it; a later << or key wins; within a list the
 * earlier source wins. sentinel.replicas below is what kubectl sends. */
static void test_ydoc__merge_go_order(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *r;
    char big[2048];
    size_t o = 0;
    int i;
    const char *yaml =
        "base: &base {replicas: 1, port: 6379}\n"
        "sentinel: {replicas: 3, <<: *base}\n"
        "later: {<<: {k: 1, a: 1}, <<: {k: 2}}\n"
        "list: {k: 0, <<: [{k: 1, a: 1}, {k: 2, b: 2}], b: 9}\n"
        "anch: {k: &v 5, <<: *base, replicas: 7}\n"
        "again: *v\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(dl.len, 0);
    if (s.len == 1) {
        r = s.docs[0].root;
        CHECK(num(at(r, "sentinel.replicas")) == 1);
        CHECK(num(at(r, "sentinel.port")) == 6379);
        CHECK_INT_EQ(cJSON_GetArraySize(at(r, "sentinel")), 2);
        CHECK_INT_EQ(posmap_get(s.docs[0].pm, at(r, "sentinel.replicas"))
                         .line, 1);
        CHECK(num(at(r, "later.k")) == 2);
        CHECK(num(at(r, "later.a")) == 1);
        CHECK(num(at(r, "list.k")) == 1);
        CHECK(num(at(r, "list.a")) == 1);
        CHECK(num(at(r, "list.b")) == 9);
        CHECK(num(at(r, "anch.replicas")) == 7);
        CHECK_INT_EQ(posmap_get(s.docs[0].pm, at(r, "anch.replicas")).line,
                     5);
        CHECK(num(at(r, "again")) == 5);
    }
    done(&s, &dl);
    /* A key written twice is still an error, even around a merge. */
    CHECK_INT_EQ(load(&s, &dl, "b: &b {a: 1}\nm: {<<: *b, a: 2, a: 3}\n",
                      NULL), RFG_EPARSE);
    if (dl.len)
        CHECK_CONTAINS(dl.v[0].msg, "duplicate key \"a\"");
    done(&s, &dl);
    /* A mapping with more keys than the linear check holds. */
    o += (size_t)snprintf(big + o, sizeof(big) - o, "b: &b {k3: x, k30: y}\n"
                          "m:\n");
    for (i = 0; i < 30; i++)
        o += (size_t)snprintf(big + o, sizeof(big) - o, "  k%d: %d\n", i, i);
    snprintf(big + o, sizeof(big) - o, "  <<: *b\n  k30: z\n");
    CHECK_INT_EQ(load(&s, &dl, big, NULL), RFG_OK);
    if (s.len == 1) {
        r = s.docs[0].root;
        CHECK_STR_EQ(str(at(r, "m.k3")), "x");
        CHECK_STR_EQ(str(at(r, "m.k30")), "z");
        CHECK_INT_EQ(cJSON_GetArraySize(at(r, "m")), 31);
    }
    done(&s, &dl);
}

/* kubectl's reader ends every line with "\n", the last one too: a block
 * scalar that ends the file keeps its line break. */
static void test_ydoc__block_scalar_at_eof(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"a: |\n  x\n  y", "x\ny\n"},
        {"a: >+\n  x\n  y", "x y\n"},
        {"a: |-\n  x\n  y", "x\ny"},
        {"a: |\n  x\n", "x\n"},
        {"a: |\r\n  x\r\n  y", "x\ny\n"},
        {"- |\n  x\n---\nb: |\n  y", "x\n"},
    };
    struct ydoc_stream s;
    struct diag_list dl;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_INT_EQ(load(&s, &dl, cases[i].yaml, NULL), RFG_OK);
        if (s.len >= 1) {
            const cJSON *r = s.docs[0].root;

            CHECK_STR_EQ(str(cJSON_IsArray(r) ? at(r, "[0]") : at(r, "a")),
                         cases[i].want);
        }
        if (s.len == 2)
            CHECK_STR_EQ(str(at(s.docs[1].root, "b")), "y\n");
        done(&s, &dl);
    }
    /* An error at the end still names the last line. */
    CHECK_INT_EQ(load(&s, &dl, "a: 1\nb: 'x", NULL), RFG_EPARSE);
    if (dl.len)
        CHECK(dl.v[0].pos.line >= 2);
    done(&s, &dl);
}

/* JSON values one after another (jq -c '.items[]'): each is a document,
 * with its own positions. */
static void test_ydoc__json_concat(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct src_pos p;
    const char *json =
        "\xef\xbb\xbf\n{\"a\": 1}\n"
        "{\"b\": \"}{\\\"\", \"c\": [2]} {\"d\":\n  3}\n"
        "[4, {\"e\": \"\xc3\xa9\"}]\n";

    CHECK_INT_EQ(load(&s, &dl, json, NULL), RFG_OK);
    CHECK_INT_EQ(dl.len, 0);
    CHECK_INT_EQ(s.len, 4);
    if (s.len == 4) {
        CHECK(num(at(s.docs[0].root, "a")) == 1);
        CHECK_STR_EQ(str(at(s.docs[1].root, "b")), "}{\"");
        CHECK(num(at(s.docs[1].root, "c[0]")) == 2);
        CHECK(num(at(s.docs[2].root, "d")) == 3);
        CHECK_STR_EQ(str(at(s.docs[3].root, "[1].e")), "\xc3\xa9");
        p = posmap_get(s.docs[0].pm, at(s.docs[0].root, "a"));
        CHECK_INT_EQ(p.line, 2);
        CHECK_INT_EQ(p.col, 2);
        p = posmap_get(s.docs[1].pm, at(s.docs[1].root, "c"));
        CHECK_INT_EQ(p.line, 3);
        CHECK_INT_EQ(p.col, 15);
        p = posmap_get(s.docs[2].pm, at(s.docs[2].root, "d"));
        CHECK_INT_EQ(p.line, 3);
        CHECK_INT_EQ(p.col, 26);
        CHECK_INT_EQ(s.docs[3].start.line, 5);
    }
    done(&s, &dl);
    /* The error in the second value names its own line and column. */
    CHECK_INT_EQ(load(&s, &dl, "{\"a\": 1}\n{\"b\": [1,}\n", NULL),
                 RFG_EPARSE);
    CHECK_INT_EQ(s.len, 1);
    if (dl.len)
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
    done(&s, &dl);
    /* YAML after a flow mapping is still YAML's business. */
    CHECK_INT_EQ(load(&s, &dl, "{a: 1}\n---\nb: 2\n", NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    done(&s, &dl);
    /* A "}{" inside a YAML single-quoted string splits nothing. */
    CHECK_INT_EQ(load(&s, &dl, "{a: '}{', b: 'it''s'}\n{c: 1}\n", NULL),
                 RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (s.len == 2) {
        CHECK_STR_EQ(str(at(s.docs[0].root, "a")), "}{");
        CHECK(num(at(s.docs[1].root, "c")) == 1);
    }
    done(&s, &dl);
}

/* !!binary is decoded as kubectl decodes it; bytes that are not UTF-8
 * become U+FFFD, a NUL is refused like any other, bad base64 is an
 * error. */
static void test_ydoc__binary(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const char *yaml =
        "a: !!binary aGVsbG8gd29ybGQ=\n"
        "b: !!binary |\n  aGVs\n  bG8=\n"
        "c: !!binary \"/+7/\"\n"
        "!!binary a2V5: d\n"
        "e: !!binary ''\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    if (s.len == 1) {
        const cJSON *r = s.docs[0].root;

        CHECK_STR_EQ(str(at(r, "a")), "hello world");
        CHECK_STR_EQ(str(at(r, "b")), "hello");
        CHECK_STR_EQ(str(at(r, "c")), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        CHECK_STR_EQ(str(at(r, "key")), "d");
        CHECK_STR_EQ(str(at(r, "e")), "");
    }
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "x: 1\na: !!binary aGVsbG8\n", NULL),
                 RFG_EPARSE);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "invalid base64");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
    }
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "a: !!binary AAAA\n", NULL), RFG_EPARSE);
    if (dl.len)
        CHECK_CONTAINS(dl.v[0].msg, "NUL");
    done(&s, &dl);
}

/* An integer a double cannot hold keeps its exact text (valuestring),
 * through aliases and back out through the emitter. */
static void test_ydoc__big_integers(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct sbuf b;
    const char *yaml =
        "a: &a 9007199254740993\n"
        "b: 18446744073709551615\n"
        "c: -9223372036854775807\n"
        "d: 9007199254740992\n"
        "e: 6379\n"
        "f: *a\n"
        "g: 0x20000000000001\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    if (s.len == 1) {
        const cJSON *r = s.docs[0].root;

        CHECK_STR_EQ(at(r, "a")->valuestring, "9007199254740993");
        CHECK(num(at(r, "a")) == 9007199254740992.0);
        CHECK_STR_EQ(at(r, "b")->valuestring, "18446744073709551615");
        CHECK_STR_EQ(at(r, "c")->valuestring, "-9223372036854775807");
        CHECK(at(r, "d")->valuestring == NULL);     /* exact as a double */
        CHECK(at(r, "e")->valuestring == NULL);
        CHECK_STR_EQ(at(r, "f")->valuestring, "9007199254740993");
        CHECK_STR_EQ(at(r, "g")->valuestring, "9007199254740993");
        sbuf_init(&b, 1 << 16);
        CHECK_INT_EQ(ydoc_emit(&b, r), RFG_OK);
        CHECK_CONTAINS(sbuf_str(&b), "a: 9007199254740993\n");
        CHECK_CONTAINS(sbuf_str(&b), "b: 18446744073709551615\n");
        CHECK_CONTAINS(sbuf_str(&b), "e: 6379\n");
        sbuf_cleanup(&b);
    }
    done(&s, &dl);
}

static void test_ydoc__limit_alias_bomb(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const char *yaml =
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
        "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
        "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
    struct ydoc_limits lim;

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_ELIMIT);
    CHECK_INT_EQ(s.len, 0);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "alias *d expands to more than "
                                  "max_alias_nodes (10000) nodes");
        CHECK_INT_EQ(dl.v[0].pos.line, 5);
        CHECK_INT_EQ(dl.v[0].code, RFG_ELIMIT);
    }
    done(&s, &dl);

    /* Merges are charged too. */
    ydoc_limits_default(&lim);
    lim.max_alias_nodes = 3;
    CHECK_INT_EQ(load(&s, &dl, "a: &a {x: 1, y: 2}\nb:\n  <<: *a\n"
                      "c:\n  <<: *a\n", &lim), RFG_ELIMIT);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "alias *a expands");
        CHECK_INT_EQ(dl.v[0].pos.line, 5);
        CHECK_INT_EQ(dl.v[0].pos.col, 7);
    }
    done(&s, &dl);
}

static void test_ydoc__limit_depth(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct sbuf b;
    struct ydoc_limits lim;
    int i;

    sbuf_init(&b, 0);
    for (i = 0; i < 200; i++)
        CHECK_INT_EQ(sbuf_addc(&b, '['), RFG_OK);
    for (i = 0; i < 200; i++)
        CHECK_INT_EQ(sbuf_addc(&b, ']'), RFG_OK);
    CHECK_INT_EQ(load(&s, &dl, sbuf_str(&b), NULL), RFG_ELIMIT);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "nesting deeper than max_depth (100)");
        CHECK_INT_EQ(dl.v[0].pos.line, 1);
        CHECK_INT_EQ(dl.v[0].pos.col, 101);
    }
    done(&s, &dl);

    /* block style, 200 levels */
    sbuf_reset(&b);
    for (i = 0; i < 200; i++)
        CHECK_INT_EQ(sbuf_printf(&b, "%*sk:\n", i, ""), RFG_OK);
    CHECK_INT_EQ(load(&s, &dl, sbuf_str(&b), NULL), RFG_ELIMIT);
    if (dl.len)
        CHECK_INT_EQ(dl.v[0].pos.line, 101);
    done(&s, &dl);

    /* an alias may not push a tree past the limit either */
    ydoc_limits_default(&lim);
    lim.max_depth = 3;
    CHECK_INT_EQ(load(&s, &dl, "a: &a [[1]]\nb: [[*a]]\n", &lim),
                 RFG_ELIMIT);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "max_depth (3)");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 6);
    }
    done(&s, &dl);
    sbuf_cleanup(&b);
}

static void test_ydoc__limit_sizes(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct ydoc_limits lim;
    size_t n = ((size_t)1 << 20) + 10;
    char *big = malloc(n + 32);

    CHECK(big != NULL);
    if (!big)
        return;
    memcpy(big, "a: 1\nb: ", 8);
    memset(big + 8, 'x', n);
    memcpy(big + 8 + n, "\n", 2);
    CHECK_INT_EQ(load(&s, &dl, big, NULL), RFG_ELIMIT);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "scalar of 1048586 bytes exceeds "
                                  "max_scalar_bytes (1048576)");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 4);
    }
    done(&s, &dl);
    free(big);

    ydoc_limits_default(&lim);
    lim.max_input_bytes = 10;
    CHECK_INT_EQ(load(&s, &dl, "a: 1\nb: 2\nc: 3\n", &lim), RFG_ELIMIT);
    if (dl.len)
        CHECK_STR_EQ(dl.v[0].msg, "input of 15 bytes exceeds "
                                  "max_input_bytes (10)");
    done(&s, &dl);

    ydoc_limits_default(&lim);
    lim.max_doc_bytes = 20;
    CHECK_INT_EQ(load(&s, &dl, "a: 1\n---\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\n",
                      &lim), RFG_ELIMIT);
    CHECK_INT_EQ(s.len, 1);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg,
                     "document is larger than max_doc_bytes (20)");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 1);
    }
    done(&s, &dl);

    ydoc_limits_default(&lim);
    lim.max_docs = 2;
    CHECK_INT_EQ(load(&s, &dl, "a: 1\n---\nb: 2\n---\nc: 3\n", &lim),
                 RFG_ELIMIT);
    CHECK_INT_EQ(s.len, 2);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "more than max_docs (2) documents");
        CHECK_INT_EQ(dl.v[0].pos.line, 4);
    }
    done(&s, &dl);

    ydoc_limits_default(&lim);
    lim.max_nodes = 5;
    CHECK_INT_EQ(load(&s, &dl, "a: 1\nb: 2\nc: [1, 2]\n", &lim),
                 RFG_ELIMIT);
    if (dl.len) {
        CHECK_STR_EQ(dl.v[0].msg, "document has more than max_nodes (5) "
                                  "nodes");
        CHECK_INT_EQ(dl.v[0].pos.line, 3);
        CHECK_INT_EQ(dl.v[0].pos.col, 1);
    }
    done(&s, &dl);
}

static void test_ydoc__parse_errors(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const char bad_utf8[] = "a: 1\nb: \xff\xfe\n";

    memset(&s, 0, sizeof(s));
    diag_list_init(&dl, "u.yaml");
    CHECK_INT_EQ(ydoc_load(&s, bad_utf8, sizeof(bad_utf8) - 1, NULL, &dl),
                 RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "invalid leading UTF-8 octet");
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 4);
        CHECK_STR_EQ(dl.v[0].file, "u.yaml");
    }
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "a:\n  b: 1\n c: 2\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len) {
        CHECK_CONTAINS(dl.v[0].msg, "did not find expected key");
        CHECK_INT_EQ(dl.v[0].pos.line, 3);
        CHECK_INT_EQ(dl.v[0].pos.col, 2);
    }
    done(&s, &dl);

    /* Complete documents before the error are kept. */
    CHECK_INT_EQ(load(&s, &dl, "a: 1\n---\nb: 2\n---\nc: [1\n", NULL),
                 RFG_EPARSE);
    CHECK_INT_EQ(s.len, 2);
    CHECK_INT_EQ(dl.len, 1);
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "\t- a\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    done(&s, &dl);
}

/* A NUL character would cut the C string the rules read while the whole
 * scalar still reaches the operator: every spelling of it is refused, in
 * values and keys, YAML and JSON, with the scalar's position. A literal
 * backslash followed by 0 is not a NUL. */
static void test_ydoc__nul_rejected(void)
{
    static const struct {
        const char *yaml;
        unsigned line, col;
        const char *what;
    } bad[] = {
        {"a: \"x\\0y\"\n", 1, 4, "string"},
        {"a: \"\\x00\"\n", 1, 4, "string"},
        {"a: \"\\u0000\"\n", 1, 4, "string"},
        {"a: \"\\U00000000\"\n", 1, 4, "string"},
        {"spec:\n  redis:\n    customConfig: [\"maxmemory 100mb\\0\\n"
         "replicaof evil 6379\"]\n", 3, 20, "string"},
        {"\"k\\0ey\": 1\n", 1, 1, "mapping key"},
        {"a:\n  \"image\\0x\": redis:7.2\n", 2, 3, "mapping key"},
        {"{\"a\": {\"b\": \"x\\u0000y\"}}", 1, 13, "string"},
        {"{\"a\\u0000\": 1}", 1, 2, "mapping key"},
        {"[\"ok\", \"\\u0000\"]", 1, 8, "string"},
        {"a: &x \"v\\0\"\nb: *x\n", 1, 4, "string"},
        {"? \"k\\0\"\n: v\n", 1, 3, "mapping key"},
    };
    struct ydoc_stream s;
    struct diag_list dl;
    const char raw[] = "a: \"x\0y\"\n";
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT_EQ(load(&s, &dl, bad[i].yaml, NULL), RFG_EPARSE);
        CHECK_INT_EQ(s.len, 0);
        CHECK_INT_EQ(dl.len, 1);
        if (dl.len) {
            CHECK_CONTAINS(dl.v[0].msg, "a NUL character (U+0000) is not allowed");
            CHECK_CONTAINS(dl.v[0].msg, bad[i].what);
            CHECK_INT_EQ(dl.v[0].pos.line, bad[i].line);
            CHECK_INT_EQ(dl.v[0].pos.col, bad[i].col);
            CHECK_STR_EQ(dl.v[0].file, "t.yaml");
        }
        done(&s, &dl);
    }

    /* A raw NUL byte is refused too (libyaml: a control character). */
    memset(&s, 0, sizeof(s));
    diag_list_init(&dl, "t.yaml");
    CHECK_INT_EQ(ydoc_load(&s, raw, sizeof(raw) - 1, NULL, &dl), RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    done(&s, &dl);

    /* Documents before the bad one are kept, as for any parse error. */
    CHECK_INT_EQ(load(&s, &dl, "a: 1\n---\nb: \"\\0\"\n", NULL), RFG_EPARSE);
    CHECK_INT_EQ(s.len, 1);
    if (dl.len)
        CHECK_INT_EQ(dl.v[0].pos.line, 3);
    done(&s, &dl);

    /* Backslash-zero that is not an escape stays text. */
    CHECK_INT_EQ(load(&s, &dl, "a: 'x\\0'\nb: \"x\\\\0\"\nc: x\\0\n"
                               "d: \"\\\\u0000\"\n", NULL), RFG_OK);
    if (s.len == 1) {
        CHECK_STR_EQ(cJSON_GetStringValue(at(s.docs[0].root, "a")), "x\\0");
        CHECK_STR_EQ(cJSON_GetStringValue(at(s.docs[0].root, "b")), "x\\0");
        CHECK_STR_EQ(cJSON_GetStringValue(at(s.docs[0].root, "c")), "x\\0");
        CHECK_STR_EQ(cJSON_GetStringValue(at(s.docs[0].root, "d")),
                     "\\u0000");
    }
    done(&s, &dl);
}

static void test_ydoc__multi_doc(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    struct src_pos p;
    const char *yaml =
        "# leading comment\n"   /* 1 */
        "---\n"                 /* 2 */
        "---\n"                 /* 3: empty, skipped */
        "a: 1\n"                /* 4 */
        "...\n"                 /* 5 */
        "---\n"                 /* 6 */
        "# only a comment\n"    /* 7: empty, skipped */
        "---\n"                 /* 8 */
        "list:\n"               /* 9 */
        "  - x\n"               /* 10 */
        "  - name: y\n"         /* 11 */
        "    port: 6379\n";     /* 12 */

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (s.len != 2)
        goto out;
    CHECK_INT_EQ(s.docs[0].start.line, 3);
    CHECK_INT_EQ(s.docs[1].start.line, 8);
    CHECK_INT_EQ(s.docs[1].start.col, 1);
    CHECK(s.docs[0].source == NULL);
    p = posmap_get(s.docs[1].pm, at(s.docs[1].root, "list[1].port"));
    CHECK_INT_EQ(p.line, 12);
    CHECK_INT_EQ(p.col, 5);
    p = posmap_get(s.docs[1].pm, at(s.docs[1].root, "list[1]"));
    CHECK_INT_EQ(p.line, 11);
    CHECK_INT_EQ(p.col, 5);
    p = posmap_get(s.docs[1].pm, s.docs[1].root);
    CHECK_INT_EQ(p.line, 9);
    CHECK_INT_EQ(p.col, 1);
    /* a node of another document is unknown */
    p = posmap_get(s.docs[0].pm, at(s.docs[1].root, "list"));
    CHECK_INT_EQ(p.line, 0);
    p = posmap_get(NULL, s.docs[0].root);
    CHECK_INT_EQ(p.line, 0);
out:
    done(&s, &dl);

    CHECK_INT_EQ(load(&s, &dl, "", NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 0);
    done(&s, &dl);
    CHECK_INT_EQ(load(&s, &dl, "# nothing\n---\n...\n", NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 0);
    done(&s, &dl);
    memset(&s, 0, sizeof(s));
    CHECK_INT_EQ(ydoc_load(&s, NULL, 0, NULL, NULL), RFG_OK);
    ydoc_stream_cleanup(&s);
}

static void test_ydoc__helm_source(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const char *yaml =
        "---\n"
        "# Source: chart/templates/a.yaml\n"
        "a: 1\n"
        "# Source: not/this/one.yaml (trailing comment of doc 1)\n"
        "---\n"
        "# Source: chart/templates/empty.yaml\n"
        "---\n"
        "# Source: chart/templates/b.yaml  \r\n"
        "b: 2\n"
        "---\n"
        "c: 3\n"
        "---\n"
        "#Source: wrong\n"
        "d: x # Source: neither\n";

    CHECK_INT_EQ(load(&s, &dl, yaml, NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 4);
    if (s.len == 4) {
        CHECK_STR_EQ(s.docs[0].source, "chart/templates/a.yaml");
        CHECK_STR_EQ(s.docs[1].source, "chart/templates/b.yaml");
        CHECK(s.docs[2].source == NULL);
        CHECK(s.docs[3].source == NULL);
    }
    done(&s, &dl);

    /* mark.index counts characters: multi-byte text before the comment
     * and CRLF line ends must not shift the scan. */
    CHECK_INT_EQ(load(&s, &dl, "a: \xc3\xbc\xc3\xbc\r\n---\r\n"
                      "# Source: u/\xc3\xbc.yaml\r\nb: 1\r\n", NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (s.len == 2) {
        CHECK(s.docs[0].source == NULL);
        CHECK_STR_EQ(s.docs[1].source, "u/\xc3\xbc.yaml");
        CHECK_INT_EQ(s.docs[1].start.line, 2);
    }
    done(&s, &dl);

    /* A UTF-8 byte order mark shifts nothing. */
    CHECK_INT_EQ(load(&s, &dl, "\xEF\xBB\xBF# Source: x.yaml\na: 1\n", NULL),
                 RFG_OK);
    if (s.len == 1)
        CHECK_STR_EQ(s.docs[0].source, "x.yaml");
    done(&s, &dl);
}

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/fixtures/yaml/%s", RFG_TEST_DIR, name);
    f = fopen(path, "rb");
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = '\0';
            *len = (size_t)n;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

static void test_ydoc__fixture_positions(void)
{
    struct ydoc_stream s = {0};
    struct diag_list dl;
    struct src_pos p;
    size_t len = 0;
    char *buf = read_fixture("redisfailover.yaml", &len);
    const cJSON *r;

    CHECK(buf != NULL);
    if (!buf)
        return;
    diag_list_init(&dl, "redisfailover.yaml");
    CHECK_INT_EQ(ydoc_load(&s, buf, len, NULL, &dl), RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (s.len != 2)
        goto out;
    r = s.docs[0].root;
    CHECK(num(at(r, "spec.sentinel.replicas")) == 3);
    p = posmap_get(s.docs[0].pm, at(r, "spec.sentinel.replicas"));
    CHECK_INT_EQ(p.line, 7);
    CHECK_INT_EQ(p.col, 5);
    p = posmap_get(s.docs[0].pm, at(r, "spec.sentinel"));
    CHECK_INT_EQ(p.line, 6);
    CHECK_INT_EQ(p.col, 3);
    p = posmap_get(s.docs[0].pm, at(r, "spec.redis.customConfig[1]"));
    CHECK_INT_EQ(p.line, 12);
    CHECK_INT_EQ(p.col, 9);
    CHECK_STR_EQ(str(at(r, "spec.redis.customConfig[0]")),
                 "maxmemory-policy allkeys-lru");
    CHECK(s.docs[0].source == NULL);
    r = s.docs[1].root;
    CHECK_STR_EQ(s.docs[1].source, "redis/templates/rf2.yaml");
    CHECK_INT_EQ(s.docs[1].start.line, 13);
    p = posmap_get(s.docs[1].pm, at(r, "spec.auth.secretPath"));
    CHECK_INT_EQ(p.line, 21);
    CHECK_INT_EQ(p.col, 5);
out:
    done(&s, &dl);
    free(buf);
}

/* Emit `root`, reload it and compare. */
static void roundtrip(const cJSON *root, const char *expect_sub)
{
    struct sbuf b;
    struct ydoc_stream s;
    struct diag_list dl;

    sbuf_init(&b, 0);
    CHECK_INT_EQ(ydoc_emit(&b, root), RFG_OK);
    if (expect_sub)
        CHECK_CONTAINS(sbuf_str(&b), expect_sub);
    CHECK(strncmp(sbuf_str(&b), "---", 3) != 0);
    CHECK(strstr(sbuf_str(&b), "...") == NULL);
    CHECK_INT_EQ(load(&s, &dl, sbuf_str(&b), NULL), RFG_OK);
    CHECK_INT_EQ(s.len, 1);
    if (s.len == 1)
        CHECK(cJSON_Compare(s.docs[0].root, root, 1));
    if (check_cur_failed_)
        fprintf(stderr, "emitted:\n%s\n", sbuf_str(&b));
    done(&s, &dl);
    sbuf_cleanup(&b);
}

static void test_ydoc__emit_roundtrip(void)
{
    static const char *const strs[] = {"yes", "", "0123", "a: b", "123",
        "true", "null", "~", "0x1", "1e3", ".inf", "<<", "- x", "#c",
        "plain text", "line1\nline2", "trail\n", "keep\n\n", " lead",
        "tab\there", "ünïcödé", "{x}", "@at", "y", "NO", "1_000",
        "2001-12-14",
        "'q'", "\"dq\"", "x: |\n  y"};
    const char *json =
        "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
        "\"RedisFailover\",\"metadata\":{\"name\":\"rf\",\"labels\":{}},"
        "\"spec\":{\"sentinel\":{\"replicas\":3,\"customConfig\":[]},"
        "\"redis\":{\"replicas\":3,\"ratio\":0.1,\"big\":1e20,"
        "\"neg\":-7,\"tiny\":1.5e-7,\"pi\":3.141592653589793,"
        "\"max\":9007199254740993,\"on\":true,\"off\":false,"
        "\"nothing\":null,\"list\":[1,\"two\",[3],{\"four\":4}]}},"
        "\"yes\":\"no\",\"1\":\"key that looks like an int\"}";
    cJSON *root = cJSON_Parse(json), *obj, *arr;
    struct sbuf b;
    size_t i;

    CHECK(root != NULL);
    roundtrip(root, "replicas: 3\n");
    roundtrip(root, "\"yes\": \"no\"");
    sbuf_init(&b, 0);
    CHECK_INT_EQ(ydoc_emit(&b, root), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&b), "labels: {}");
    CHECK_CONTAINS(sbuf_str(&b), "customConfig: []");
    CHECK_CONTAINS(sbuf_str(&b), "ratio: 0.1\n");
    CHECK_CONTAINS(sbuf_str(&b), "big: 1e+20\n");
    CHECK_STR_EQ(strstr(sbuf_str(&b), "apiVersion") == sbuf_str(&b) ? "ok"
                                                                   : "no",
                 "ok");
    sbuf_cleanup(&b);
    cJSON_Delete(root);

    obj = cJSON_CreateObject();
    arr = cJSON_AddArrayToObject(obj, "arr");
    for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        char k[16];

        snprintf(k, sizeof(k), "s%zu", i);
        cJSON_AddStringToObject(obj, k, strs[i]);
        cJSON_AddItemToArray(arr, cJSON_CreateString(strs[i]));
        cJSON_AddNumberToObject(obj, strs[i], (double)i);
    }
    roundtrip(obj, "\"yes\"");
    roundtrip(obj, "s15: |-\n  line1\n  line2\n");
    cJSON_Delete(obj);

    /* a keep-chomped scalar last: libyaml would close with "..." */
    obj = cJSON_CreateObject();
    cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "f"), "g",
                            "keep\n\n");
    roundtrip(obj, "g: |+\n    keep\n\n");
    cJSON_Delete(obj);

    /* root scalars and empty collections */
    root = cJSON_CreateString("yes");
    roundtrip(root, "\"yes\"");
    cJSON_Delete(root);
    root = cJSON_CreateArray();
    roundtrip(root, "[]");
    cJSON_Delete(root);
}

static void test_ydoc__emit_errors(void)
{
    struct sbuf b;
    cJSON *n = cJSON_CreateObject();

    sbuf_init(&b, 8);
    cJSON_AddStringToObject(n, "key", "a value longer than the cap");
    CHECK(ydoc_emit(&b, n) != RFG_OK);
    sbuf_cleanup(&b);
    cJSON_Delete(n);

    sbuf_init(&b, 0);
    n = cJSON_CreateString("bad \xff utf8");
    CHECK_INT_EQ(ydoc_emit(&b, n), RFG_EINVAL);
    cJSON_Delete(n);
    sbuf_cleanup(&b);
}

/* Throw odd inputs at the loader: it must fail cleanly, never crash,
 * leak or hang (the ASan build checks the first two). */
static void test_ydoc__hostile(void)
{
    static const char *const cases[] = {
        "[", "{a: 1", "a: &x\nb: *x\n", "? \n: \n", "- !!int\n",
        "&a a: *a\n", "a: !!float .inf\n", "a: !!float 1\n", "*x\n",
        "a:\n  <<: *x\n", "<<: {a: 1}\n<<: {a: 2, b: 3}\n",
        "a: &x {<<: {b: 1}}\nc:\n  <<: *x\n", "%YAML 1.1\n---\na: 1\n",
        "%TAG ! tag:example.com,2000:\n--- !foo\na: 1\n", "'\n", "\"\\",
        "a: b: c\n", "- - - - -\n", "{[1]: 2}\n", "!!map {a: 1}\n",
        "--- |\n  text\n--- >\n  folded\n", "a: 'x\n\n  y'\n",
        "&a [*a]\n", "a: !!null x\n", "a: !!bool maybe\n",
    };
    struct ydoc_stream s;
    struct diag_list dl;
    size_t i;
    int rc;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = load(&s, &dl, cases[i], NULL);
        CHECK(rc == RFG_OK || rc == RFG_EPARSE);
        CHECK_INT_EQ(dl.len, rc == RFG_OK ? 0 : 1);
        done(&s, &dl);
    }
    rc = load(&s, &dl, "<<: {a: 1}\n<<: {a: 2, b: 3}\n", NULL);
    CHECK_INT_EQ(rc, RFG_OK);
    if (s.len == 1) {
        CHECK(num(at(s.docs[0].root, "a")) == 2);     /* later << wins */
        CHECK(num(at(s.docs[0].root, "b")) == 3);
    }
    done(&s, &dl);
    rc = load(&s, &dl, "a: &x {<<: {b: 1}}\nc:\n  <<: *x\n", NULL);
    CHECK_INT_EQ(rc, RFG_OK);
    if (s.len == 1)
        CHECK(num(at(s.docs[0].root, "c.b")) == 1);
    done(&s, &dl);
}

/* A merge key whose value opens when the frame stack is full: growing
 * the stack moved the frame the merge writes to (fuzz_ydoc, ASan:
 * heap-use-after-free). Every depth around the growth points, with a
 * merge mapping and a merge sequence. */
static void test_ydoc__merge_at_stack_growth(void)
{
    char buf[4096];
    struct ydoc_stream s;
    struct diag_list dl;
    int depth, seq;

    for (seq = 0; seq < 2; seq++) {
        for (depth = 12; depth <= 36; depth++) {
            size_t o = 0;
            int i;

            for (i = 0; i < depth; i++)
                o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%*sk%d:\n",
                                      2 * i, "", i);
            snprintf(buf + o, sizeof(buf) - o, "%*s<<: %s\n%*sb: 2\n",
                     2 * depth, "", seq ? "[{a: 1}, {c: 3}]" : "{a: 1}",
                     2 * depth, "");
            CHECK_INT_EQ(load(&s, &dl, buf, NULL), RFG_OK);
            if (s.len == 1) {
                const cJSON *n = s.docs[0].root;

                for (i = 0; i < depth && n; i++) {
                    char k[16];

                    snprintf(k, sizeof(k), "k%d", i);
                    n = cJSON_GetObjectItemCaseSensitive(n, k);
                }
                CHECK(num(cJSON_GetObjectItemCaseSensitive(n, "a")) == 1);
                CHECK(num(cJSON_GetObjectItemCaseSensitive(n, "b")) == 2);
            }
            done(&s, &dl);
        }
    }
}

static long oom_left = -1;     /* allocations before failing; -1 = never */

static void *oom_malloc(size_t n)
{
    if (oom_left == 0)
        return NULL;
    if (oom_left > 0)
        oom_left--;
    return malloc(n);
}

/* Fail the Nth cJSON allocation for N = 0, 1, ... until the load works:
 * each failure must be RFG_ENOMEM with one diagnostic, nothing leaked. */
static void test_ydoc__oom_loop(void)
{
    cJSON_Hooks hooks = {oom_malloc, free};
    struct ydoc_stream s;
    struct diag_list dl;
    const char *yaml =
        "a: &a {x: 1, k: [s, 2]}\n"
        "b:\n  <<: [*a, {q: 1}]\n  c: *a\n"
        "&key k2: v\n"
        "---\n"
        "m: {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8,\n"
        "    k9: 9, k10: 0, k11: 1, k12: 2, k13: 3, k14: 4, k15: 5, k16: 6,\n"
        "    k17: 7, k18: 8}\n";
    long n;
    int rc = RFG_ENOMEM;

    cJSON_InitHooks(&hooks);
    for (n = 0; n < 1000 && rc != RFG_OK; n++) {
        oom_left = n;
        rc = load(&s, &dl, yaml, NULL);
        oom_left = -1;
        if (rc != RFG_OK) {
            CHECK_INT_EQ(rc, RFG_ENOMEM);
            CHECK_INT_EQ(dl.len, 1);
        } else {
            CHECK_INT_EQ(s.len, 2);
        }
        done(&s, &dl);
    }
    cJSON_InitHooks(NULL);
    CHECK_INT_EQ(rc, RFG_OK);
    CHECK(n > 10);
}

/* libyaml counts characters, not bytes: with a BOM and multi-byte text
 * before, between and after the nodes, the loader still finds "# Source:"
 * lines and error columns, and yedit edits exactly the right bytes, in
 * both documents and in either order. */
static void test_ydoc__utf8_offsets(void)
{
    static const char yaml[] =
        "\xEF\xBB\xBF# \xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9\n"
        "name: \xE6\x97\xA5\xE6\x9C\xAC\n"
        "spec:\n"
        "  note: \"\xF0\x9F\x98\x80 ok\"\n"
        "  replicas: 1\n"
        "---\n"
        "# Source: chart/templates/\xC3\xBC.yaml\n"
        "kind: \xC3\xA9t\xC3\xA9\n"
        "size: 2\n";
    static const char want[] =
        "\xEF\xBB\xBF# \xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9\n"
        "name: \xE6\x97\xA5\xE6\x9C\xAC\n"
        "spec:\n"
        "  note: \"\xF0\x9F\x98\x80 ok\"\n"
        "  replicas: 3\n"
        "---\n"
        "# Source: chart/templates/\xC3\xBC.yaml\n"
        "kind: \xC3\xA9t\xC3\xA9\n"
        "size: 20\n";
    struct ydoc_stream s;
    struct diag_list dl;
    struct yedit *ye = NULL;
    struct sbuf out;
    cJSON *after0 = NULL, *after1 = NULL;
    int rc;

    sbuf_init(&out, 1 << 16);
    rc = load(&s, &dl, yaml, NULL);
    CHECK_INT_EQ(rc, RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (rc || s.len != 2)
        goto out;
    CHECK_STR_EQ(str(at(s.docs[0].root, "spec.note")), "\xF0\x9F\x98\x80 ok");
    CHECK_INT_EQ(posmap_get(s.docs[0].pm, at(s.docs[0].root,
                                              "spec.replicas")).line, 5);
    CHECK(s.docs[0].source == NULL);
    CHECK_STR_EQ(s.docs[1].source, "chart/templates/\xC3\xBC.yaml");
    after0 = cJSON_Duplicate(s.docs[0].root, 1);
    after1 = cJSON_Duplicate(s.docs[1].root, 1);
    CHECK(after0 && after1);
    if (!after0 || !after1)
        goto out;
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(after0, "spec"), "replicas"), 3);
    cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(after1, "size"),
                         20);
    CHECK_INT_EQ(yedit_new(&ye, yaml, sizeof(yaml) - 1, &dl), RFG_OK);
    if (!ye)
        goto out;
    /* the second document first: queued edits need not come in order */
    CHECK_INT_EQ(yedit_diff(ye, posmap_get(s.docs[1].pm, s.docs[1].root),
                            s.docs[1].root, after1, &dl), RFG_OK);
    CHECK_INT_EQ(yedit_diff(ye, posmap_get(s.docs[0].pm, s.docs[0].root),
                            s.docs[0].root, after0, &dl), RFG_OK);
    CHECK_INT_EQ(yedit_render(ye, &out), RFG_OK);
    CHECK_STR_EQ(sbuf_str(&out), want);
out:
    yedit_free(ye);
    cJSON_Delete(after0);
    cJSON_Delete(after1);
    sbuf_cleanup(&out);
    done(&s, &dl);

    /* a reader error after multi-byte characters: columns count them */
    rc = load(&s, &dl, "a: \xC3\xA9\xC3\xA9\nb: x\xFF\n", NULL);
    CHECK_INT_EQ(rc, RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    if (dl.len == 1) {
        CHECK_INT_EQ(dl.v[0].pos.line, 2);
        CHECK_INT_EQ(dl.v[0].pos.col, 5);
    }
    done(&s, &dl);
}

int main(void)
{
    RUN(test_ydoc__scalars);
    RUN(test_ydoc__tags);
    RUN(test_ydoc__inf_is_error);
    RUN(test_ydoc__keys);
    RUN(test_ydoc__duplicate_key);
    RUN(test_ydoc__anchors);
    RUN(test_ydoc__merge_keys);
    RUN(test_ydoc__merge_go_order);
    RUN(test_ydoc__block_scalar_at_eof);
    RUN(test_ydoc__json_concat);
    RUN(test_ydoc__binary);
    RUN(test_ydoc__big_integers);
    RUN(test_ydoc__limit_alias_bomb);
    RUN(test_ydoc__limit_depth);
    RUN(test_ydoc__limit_sizes);
    RUN(test_ydoc__parse_errors);
    RUN(test_ydoc__nul_rejected);
    RUN(test_ydoc__multi_doc);
    RUN(test_ydoc__helm_source);
    RUN(test_ydoc__fixture_positions);
    RUN(test_ydoc__emit_roundtrip);
    RUN(test_ydoc__emit_errors);
    RUN(test_ydoc__hostile);
    RUN(test_ydoc__merge_at_stack_growth);
    RUN(test_ydoc__oom_loop);
    RUN(test_ydoc__utf8_offsets);
    return CHECK_DONE();
}
