/* SPDX-License-Identifier: Apache-2.0
 *
 * test_lskel.c - the skeleton lint keeps between its phases: inflated,
 * it equals rf_skeleton's copy, and every pointer resolves to the same
 * source position as in the document it came from; managedFields stay
 * out.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "jpatch.h"
#include "lskel.h"
#include "rf.h"

static const char doc[] =
    "apiVersion: databases.spotahome.com/v1\n"
    "kind: RedisFailover\n"
    "metadata:\n"
    "  name: cache\n"
    "  namespace: team-a\n"
    "  labels: {app: cache, tier: \"1\"}\n"
    "  annotations:\n"
    "    rfguard.io/skip: sentinel_replicas\n"
    "    note: |\n"
    "      two\n"
    "      lines\n"
    "  managedFields:\n"
    "    - manager: kubectl\n"
    "      fieldsV1: {f:spec: {}}\n"
    "spec:\n"
    "  auth: {secretPath: cache-auth}\n"
    "  bootstrapNode:\n"
    "    host: 10.0.0.1\n"
    "    port: \"6380\"\n"
    "  sentinel:\n"
    "    replicas: 3\n"
    "    image: redis:7\n"
    "  redis:\n"
    "    replicas: 2\n"
    "    port: 6390\n"
    "    hostNetwork: true\n"
    "    resources: {limits: {memory: 1Gi}}\n";

static const char *const ptrs[] = {
    "", "/apiVersion", "/kind", "/metadata", "/metadata/name",
    "/metadata/labels/tier", "/metadata/annotations/rfguard.io~1skip",
    "/metadata/annotations/note", "/spec", "/spec/auth/secretPath",
    "/spec/bootstrapNode/port", "/spec/sentinel/replicas",
    "/spec/redis/port", "/spec/redis/hostNetwork", "/spec/redis/nothere",
    "/spec/redis/replicas/0", NULL
};

static void test_roundtrip(void)
{
    struct ydoc_stream s;
    struct diag_list dl;
    unsigned char *rec = NULL;
    size_t len = 0, i;
    cJSON *skel = NULL, *copy = NULL;
    const cJSON *obj;

    memset(&s, 0, sizeof(s));
    diag_list_init(&dl, "t.yaml");
    CHECK_INT_EQ(ydoc_load(&s, doc, strlen(doc), NULL, &dl), RFG_OK);
    CHECK_INT_EQ(s.len, 1);
    if (s.len != 1)
        goto out;
    obj = s.docs[0].root;
    CHECK_INT_EQ(lskel_pack(&rec, &len, obj, s.docs[0].pm), RFG_OK);
    CHECK(rec != NULL && len > 0);
    if (!rec)
        goto out;
    skel = lskel_unpack(rec);
    copy = rf_skeleton(obj, NULL, NULL);
    CHECK(skel != NULL && copy != NULL);
    if (!skel || !copy)
        goto out;
    CHECK(cJSON_Compare(skel, copy, 1));
    CHECK(cJSON_GetObjectItemCaseSensitive(
              cJSON_GetObjectItemCaseSensitive(skel, "metadata"),
              "managedFields") == NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(
              cJSON_GetObjectItemCaseSensitive(
                  cJSON_GetObjectItemCaseSensitive(skel, "spec"), "redis"),
              "resources") == NULL);
    for (i = 0; ptrs[i]; i++) {
        struct src_pos want = posmap_get(s.docs[0].pm,
                                         jptr_deepest(obj, ptrs[i]));
        struct src_pos got = lskel_pos(rec, skel, ptrs[i],
                                       (struct src_pos){999, 1});

        CHECK_INT_EQ(got.line, want.line);
        CHECK_INT_EQ(got.col, want.col);
    }
    /* the record is much smaller than the tree it packs */
    CHECK(len < 200);
out:
    cJSON_Delete(skel);
    cJSON_Delete(copy);
    free(rec);
    ydoc_stream_cleanup(&s);
    diag_list_cleanup(&dl);
}

int main(void)
{
    RUN(test_roundtrip);
    return CHECK_DONE();
}
