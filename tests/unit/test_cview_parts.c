/* SPDX-License-Identifier: Apache-2.0
 *
 * test_cview_parts.c - a view assembled as lint assembles it (parts that
 * keep no maps, merged into a view reserved once) answers like a view
 * filled directly; a Secret summary's one-allocation strings and key
 * names survive a copy; and the class index answers alike whether or
 * not a class shares its groups with another (no state-only failover,
 * no disableMyMaster under another name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cview.h"
#include "rf.h"

static void fake_hash(const void *data, size_t len, unsigned char out[32])
{
    size_t i;

    memset(out, 0, 32);
    for (i = 0; i < len; i++)
        out[i % 32] = (unsigned char)(out[i % 32] * 31 +
                                      ((const unsigned char *)data)[i]);
}

static void add(struct cview *cv, const char *json, const char *origin)
{
    cJSON *o = cJSON_Parse(json);

    CHECK(o != NULL);
    CHECK_INT_EQ(cview_add_object(cv, o, "default", origin), RFG_OK);
    cJSON_Delete(o);
}

#define RF(name, port, extra)                                              \
    "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"             \
    "\"RedisFailover\",\"metadata\":{\"name\":\"" name "\"},\"spec\":"     \
    "{\"redis\":{\"port\":" port "}" extra "}}"
#define SECRET(name, pw)                                                   \
    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":"   \
    "\"" name "\"},\"stringData\":{\"password\":\"" pw "\",\"user\":"      \
    "\"u\"}}"

static const char *const objs[] = {
    RF("a", "6379", ""),
    RF("b", "6379", ",\"auth\":{\"secretPath\":\"s1\"}"),
    SECRET("s1", "pw-one"),
    RF("c", "6380", ",\"auth\":{\"secretPath\":\"s2\"}"),
    SECRET("s2", "pw-one"),
    RF("a", "6379", ""),
    NULL
};

/* Fill `cv` from objs[], directly or through one part per object. */
static void fill(struct cview *cv, bool parts)
{
    size_t i, n = 0, nrf = 0, nsec = 0;
    struct cview part[8];
    char origin[32];

    cview_init(cv, fake_hash);
    for (i = 0; objs[i]; i++) {
        snprintf(origin, sizeof(origin), "f%zu.yaml:%zu", i, i + 1);
        if (!parts) {
            add(cv, objs[i], origin);
            continue;
        }
        cview_init(&part[n], fake_hash);
        part[n].unindexed = true;
        add(&part[n], objs[i], origin);
        cview_fit(&part[n]);
        /* a part keeps no maps: its lookups find nothing */
        CHECK(part[n].nsecrets == 0 ||
              cview_find_secret(&part[n], "default",
                                part[n].secrets[0].name) == NULL);
        nrf += part[n].nrfs;
        nsec += part[n].nsecrets;
        n++;
    }
    if (!parts)
        return;
    CHECK_INT_EQ(cview_reserve(cv, nrf, nsec), RFG_OK);
    for (i = 0; i < n; i++) {
        CHECK_INT_EQ(cview_merge(cv, &part[i]), RFG_OK);
        cview_cleanup(&part[i]);
    }
    CHECK_INT_EQ(cv->caprfs, nrf);
    CHECK_INT_EQ(cv->capsecrets, nsec);
}

static void test_parts_answer_alike(void)
{
    struct cview a, b;
    size_t i;

    fill(&a, false);
    fill(&b, true);
    CHECK_INT_EQ(a.nrfs, 4);
    CHECK_INT_EQ(b.nrfs, 4);
    CHECK_INT_EQ(b.nsecrets, 2);
    for (i = 0; i < a.nrfs && i < b.nrfs; i++) {
        CHECK_STR_EQ(a.rfs[i].name, b.rfs[i].name);
        CHECK_STR_EQ(a.rfs[i].origin, b.rfs[i].origin);
    }
    for (i = 0; i < 2; i++) {
        const char *name = i ? "s2" : "s1";
        const struct cview_secret *x = cview_find_secret(&a, "default", name);
        const struct cview_secret *y = cview_find_secret(&b, "default", name);

        CHECK(x && y);
        if (x && y) {
            CHECK_STR_EQ(x->origin, y->origin);
            CHECK_STR_EQ(y->kind, "Secret");
            CHECK_INT_EQ(y->nkeys, 2);
            CHECK_STR_EQ(y->keys[0], "password");
            CHECK_STR_EQ(y->keys[1], "user");
        }
    }
    CHECK_INT_EQ(cview_index_build(&a), RFG_OK);
    CHECK_INT_EQ(cview_index_build(&b), RFG_OK);
    {
        struct cview_key k;
        struct cview_hits ha = {CVIEW_END, 0}, hb = {CVIEW_END, 0};
        size_t sa = cview_self(&a, RF_KIND_FAILOVER, "default", "a");
        size_t sb = cview_self(&b, RF_KIND_FAILOVER, "default", "a");

        memset(&k, 0, sizeof(k));
        k.port = 6379;
        cview_class_hits(&a, CVIEW_C_PORT,
                         cview_class_find(&a, CVIEW_C_PORT, &k), sa, &ha);
        cview_class_hits(&b, CVIEW_C_PORT,
                         cview_class_find(&b, CVIEW_C_PORT, &k), sb, &hb);
        CHECK_INT_EQ(ha.n, 1);   /* b; a's two entries are itself */
        CHECK_INT_EQ(hb.n, 1);
        CHECK_INT_EQ(hb.first, 1);
    }
    cview_cleanup(&a);
    cview_cleanup(&b);
}

static void test_secret_copy(void)
{
    struct cview a, b;

    cview_init(&a, fake_hash);
    cview_init(&b, fake_hash);
    add(&a, SECRET("s1", "pw"), "x.yaml:3");
    add(&a, "{\"apiVersion\":\"bitnami.com/v1alpha1\",\"kind\":"
            "\"SealedSecret\",\"metadata\":{\"name\":\"d\"},\"spec\":"
            "{\"encryptedData\":{\"password\":\"AgB=\",\"k2\":\"AgB=\"}}}",
        NULL);
    CHECK_INT_EQ(a.nsecrets, 2);
    if (a.nsecrets == 2) {
        CHECK_INT_EQ(cview_add_secret(&b, &a.secrets[0]), RFG_OK);
        CHECK_INT_EQ(cview_add_secret(&b, &a.secrets[1]), RFG_OK);
    }
    cview_cleanup(&a); /* the copies are independent */
    CHECK_INT_EQ(b.nsecrets, 2);
    if (b.nsecrets == 2) {
        CHECK_STR_EQ(b.secrets[0].origin, "x.yaml:3");
        CHECK_STR_EQ(b.secrets[0].keys[1], "user");
        CHECK(b.secrets[1].origin == NULL);
        CHECK_STR_EQ(b.secrets[1].kind, "SealedSecret");
        CHECK_INT_EQ(b.secrets[1].nkeys, 2);
        CHECK_STR_EQ(b.secrets[1].keys[1], "k2");
    }
    cview_cleanup(&b);
}

/* Classes that share groups in one view and not in another answer the
 * same questions alike. */
static void test_shared_classes(void)
{
    struct cview cv;
    struct cview_key k;
    size_t g, self;
    struct cview_hits h = {CVIEW_END, 0};

    /* no state-only entry, no disableMyMaster: shared groups */
    cview_init(&cv, fake_hash);
    add(&cv, RF("a", "6379", ""), "f:1");
    add(&cv, RF("b", "6379", ""), "f:2");
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);
    memset(&k, 0, sizeof(k));
    k.port = 6379;
    k.kind = RF_KIND_FAILOVER;
    k.master = RF_DEFAULT_MASTER_NAME;
    k.ns = "default";
    k.name = "b";
    g = cview_class_find(&cv, CVIEW_C_SPORT_DM, &k);
    self = cview_self(&cv, RF_KIND_FAILOVER, "default", "a");
    cview_class_hits(&cv, CVIEW_C_SPORT_DM, g, self, &h);
    CHECK_INT_EQ(h.n, 1);
    CHECK_INT_EQ(h.first, 1);
    g = cview_class_find(&cv, CVIEW_C_LINTED, &k);
    CHECK(g != CVIEW_END);
    CHECK_INT_EQ(cview_class_first(&cv, CVIEW_C_LINTED, g), 1);
    CHECK_INT_EQ(cview_class_next(&cv, CVIEW_C_LINTED, 1), CVIEW_END);
    cview_cleanup(&cv);

    /* one honours disableMyMaster under its own name, one is state-only:
     * the classes keep groups of their own */
    cview_init(&cv, fake_hash);
    add(&cv, RF("a", "6379", ""), "f:1");
    add(&cv, RF("b", "6379", ",\"sentinel\":{\"customConfig\":[]}"), "f:2");
    add(&cv, "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
             "\"RedisFailover\",\"metadata\":{\"name\":\"c\"},\"spec\":"
             "{\"redis\":{\"port\":6379},\"sentinel\":{\"disableMyMaster\":"
             "true}}}", "f:3");
    cv.rfs[1].state_only = true;
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);
    CHECK(cv.rfs[2].disable_mymaster);
    k.name = "b";
    g = cview_class_find(&cv, CVIEW_C_LINTED, &k);
    CHECK(g == CVIEW_END);   /* b is state-only: not linted */
    g = cview_class_find(&cv, CVIEW_C_SELF, &k);
    CHECK(g != CVIEW_END);
    g = cview_class_find(&cv, CVIEW_C_SPORT_DM, &k);
    h.first = CVIEW_END;
    h.n = 0;
    cview_class_hits(&cv, CVIEW_C_SPORT_DM, g, CVIEW_END, &h);
    CHECK_INT_EQ(h.n, 2);    /* a and b; c's master is named c */
    h.first = CVIEW_END;
    h.n = 0;
    cview_class_hits(&cv, CVIEW_C_PORT, cview_class_find(&cv, CVIEW_C_PORT,
                                                        &k),
                     CVIEW_END, &h);
    CHECK_INT_EQ(h.n, 3);
    cview_cleanup(&cv);
}

int main(void)
{
    RUN(test_parts_answer_alike);
    RUN(test_secret_copy);
    RUN(test_shared_classes);
    return CHECK_DONE();
}
