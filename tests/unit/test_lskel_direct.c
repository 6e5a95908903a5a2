/* SPDX-License-Identifier: Apache-2.0
 *
 * test_lskel_direct.c - lskel_pack packs a failover's skeleton straight
 * from its document: its record is byte for byte the one jpack_tree
 * makes of rf_skeleton's copy, with each copied node at its source's
 * position, for every failover of the rule fixtures (tests/rules) and
 * for shapes they lack (no spec, a spec that is no object, components
 * that are not objects, managedFields, members out of order).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "file.h"
#include "jpack.h"
#include "lskel.h"
#include "rf.h"
#include "ydoc.h"

/* Each copied node and where its source was (the old way round). */
struct copies {
    const cJSON *node[512];
    struct src_pos pos[512];
    size_t len;
    const struct posmap *pm;
};

static void on_copy(void *arg, const cJSON *src, const cJSON *copy)
{
    struct copies *c = arg;

    if (c->len < 512) {
        c->node[c->len] = copy;
        c->pos[c->len++] = posmap_get(c->pm, src);
    }
}

static struct src_pos copied_pos(void *arg, const cJSON *node)
{
    struct copies *c = arg;
    size_t i;

    for (i = 0; i < c->len; i++)
        if (c->node[i] == node)
            return c->pos[i];
    return (struct src_pos){0, 0};
}

static size_t nchecked;

/* Both ways agree on object `obj` of document `yd`. */
static void same(const cJSON *obj, const struct ydoc *yd)
{
    struct copies c;
    cJSON *skel;
    unsigned char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;

    memset(&c, 0, sizeof(c));
    c.pm = yd->pm;
    skel = rf_skeleton(obj, on_copy, &c);
    CHECK(skel != NULL);
    if (!skel)
        return;
    a = jpack_tree(skel, copied_pos, &c, rf_skeleton_words, &alen);
    CHECK_INT_EQ(lskel_pack(&b, &blen, obj, yd->pm), RFG_OK);
    CHECK(a && b);
    CHECK_INT_EQ(alen, blen);
    CHECK(a && b && alen == blen && !memcmp(a, b, alen));
    nchecked++;
    free(a);
    free(b);
    cJSON_Delete(skel);
}

static void each_failover(const char *text, size_t len)
{
    struct ydoc_stream ys;
    struct diag_list dl;
    size_t k;
    const cJSON *it;

    memset(&ys, 0, sizeof(ys));
    diag_list_init(&dl, "t.yaml");
    if (ydoc_load(&ys, text, len, NULL, &dl) != RFG_OK)
        fprintf(stderr, "(a fixture that does not load: skipped)\n");
    for (k = 0; k < ys.len; k++) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(ys.docs[k].root,
                                                              "items");

        if (rf_is_failover(ys.docs[k].root))
            same(ys.docs[k].root, &ys.docs[k]);
        if (!cJSON_IsArray(items))
            continue;
        cJSON_ArrayForEach(it, items)
            if (rf_is_failover(it))
                same(it, &ys.docs[k]);
    }
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
}

static void test_lskel_direct__shapes(void)
{
    static const char *const docs[] = {
        "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\n"
        "metadata: {name: a}\n",
        "kind: RedisFailover\napiVersion: databases.spotahome.com/v1\n"
        "spec: [1, 2]\nmetadata: {name: b}\n",
        "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\n"
        "metadata:\n  managedFields: [{manager: x}]\n  name: c\n"
        "  annotations: {rfguard.io/skip: x}\n"
        "spec:\n  sentinel: {replicas: 3, port: 1, image: x}\n"
        "  redis: 3\n  bootstrapNode: {host: h, port: \"1\"}\n"
        "  auth: {secretPath: s}\n",
        "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\n"
        "metadata: {name: d}\nspec:\n  redis:\n    disableMyMaster: true\n"
        "    hostNetwork: false\n    port: 9007199254740993\n"
        "    replicas: 2.5\n  sentinel: {}\n",
        "apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\n"
        "spec: {}\n",
    };
    size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
        each_failover(docs[i], strlen(docs[i]));
    CHECK_INT_EQ(nchecked, 5);
}

static void test_lskel_direct__fixtures(void)
{
    const char *root = RFG_TEST_DIR "/rules";
    struct dirent **ents = NULL;
    int n = scandir(root, &ents, NULL, alphasort), i;
    size_t before = nchecked;

    CHECK(n > 0);
    for (i = 0; i < n; i++) {
        char dir[4096];
        DIR *d;
        struct dirent *e;

        snprintf(dir, sizeof(dir), "%s/%s", root, ents[i]->d_name);
        d = ents[i]->d_name[0] == '.' ? NULL : opendir(dir);
        while (d && (e = readdir(d)) != NULL) {
            char path[8192];
            char *buf = NULL;
            size_t len = 0;
            size_t nl = strlen(e->d_name);

            if (nl < 6 || strcmp(e->d_name + nl - 5, ".yaml"))
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            if (rfg_read_file(&buf, &len, path, (size_t)16 << 20) == RFG_OK)
                each_failover(buf, len);
            free(buf);
        }
        if (d)
            closedir(d);
        free(ents[i]);
    }
    free(ents);
    CHECK(nchecked - before > 100);
}

int main(void)
{
    RUN(test_lskel_direct__shapes);
    RUN(test_lskel_direct__fixtures);
    return CHECK_DONE();
}
