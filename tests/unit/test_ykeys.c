/* SPDX-License-Identifier: Apache-2.0
 *
 * test_ykeys.c - the mapping keys the loader keeps as constants
 * (src/yaml/keys.c): the same key in two trees is one string, marked
 * cJSON_StringIsConst; a key that reads as no string when plain ("on")
 * is still spelled as kubectl spells it; duplicate and merged keys
 * behave as with copied keys; and trees with constant keys survive
 * cJSON_Duplicate and cJSON_Delete (the sanitizer builds check that no
 * constant is ever freed).
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ydoc_impl.h"

static int load(struct ydoc_stream *s, struct diag_list *dl, const char *yaml)
{
    memset(s, 0, sizeof(*s));
    diag_list_init(dl, "t.yaml");
    return ydoc_load(s, yaml, strlen(yaml), NULL, dl);
}

/* The member of `o` whose key is `k`. */
static const cJSON *member(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The tree as compact JSON, in a static buffer. */
static const char *json(const cJSON *n)
{
    static char out[512];
    char *p = cJSON_PrintUnformatted(n);

    snprintf(out, sizeof(out), "%s", p ? p : "(null)");
    cJSON_free(p);
    return out;
}

static void test_lookup(void)
{
    CHECK(ykey_intern("metadata", 8) != NULL);
    CHECK_STR_EQ(ykey_intern("metadata", 8), "metadata");
    CHECK(ykey_intern("metadata", 8) == ykey_intern("metadataX", 8));
    CHECK(ykey_intern("metadat", 7) == NULL);
    CHECK(ykey_intern("no-such-key-anywhere", 20) == NULL);
    CHECK(ykey_intern("", 0) == NULL);
    CHECK(ykey_intern("app.kubernetes.io/name", 22) != NULL);
}

static void test_shared_between_trees(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    const cJSON *a, *b;

    CHECK_INT_EQ(load(&s, &dl, "metadata: {name: x}\nmine: 1\n---\n"
                               "metadata: {name: y}\nmine: 2\n"), RFG_OK);
    CHECK_INT_EQ(s.len, 2);
    if (s.len == 2) {
        a = member(s.docs[0].root, "metadata");
        b = member(s.docs[1].root, "metadata");
        CHECK(a && b && a->string == b->string);
        CHECK(a && (a->type & cJSON_StringIsConst));
        /* a key that is no constant is a copy of its own */
        a = member(s.docs[0].root, "mine");
        b = member(s.docs[1].root, "mine");
        CHECK(a && b && a->string != b->string);
        CHECK(a && !(a->type & cJSON_StringIsConst));
    }
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);
}

static void test_spelling(void)
{
    struct ydoc_stream s;
    struct diag_list dl;

    /* plain on/null are not the strings "on"/"null"; quoted, they are */
    CHECK_INT_EQ(load(&s, &dl, "on: 1\n'on': 2\nnull: 3\n\"kind\": 4\n"),
                 RFG_OK);
    if (s.len == 1)
        CHECK_STR_EQ(json(s.docs[0].root),
                     "{\"true\":1,\"on\":2,\"null\":3,\"kind\":4}");
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);
}

static void test_duplicates_and_merges(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    cJSON *copy;

    CHECK_INT_EQ(load(&s, &dl, "spec: 1\nkind: 2\nspec: 3\n"), RFG_EPARSE);
    if (dl.len)
        CHECK_CONTAINS(dl.v[0].msg, "duplicate key \"spec\"");
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);

    /* a quoted key equals the plain constant */
    CHECK_INT_EQ(load(&s, &dl, "name: a\n\"name\": b\n"), RFG_EPARSE);
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);

    /* merged constant keys, overridden after the merge, then copied and
     * deleted */
    CHECK_INT_EQ(load(&s, &dl,
                      "base: &b {name: nm, port: 1, replicas: 3}\n"
                      "spec:\n  <<: *b\n  port: 2\n  image: i\n"),
                 RFG_OK);
    if (s.len == 1) {
        const cJSON *spec = member(s.docs[0].root, "spec");

        CHECK_STR_EQ(json(spec),
                     "{\"name\":\"nm\",\"port\":2,\"replicas\":3,"
                     "\"image\":\"i\"}");
        CHECK(member(spec, "port") &&
              (member(spec, "port")->type & cJSON_StringIsConst));
        copy = cJSON_Duplicate(spec, 1);
        CHECK(copy && cJSON_Compare(copy, spec, 1));
        cJSON_Delete(copy);
    }
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);
}

int main(void)
{
    RUN(test_lookup);
    RUN(test_shared_between_trees);
    RUN(test_spelling);
    RUN(test_duplicates_and_merges);
    return CHECK_DONE();
}
