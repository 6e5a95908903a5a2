/* SPDX-License-Identifier: Apache-2.0
 *
 * test_cview.c - the cluster view: failover summaries, Secret summaries
 * (keys, password shape and fingerprint, never the value), Sealed and
 * External secrets, base64 decoding as the API server does it, and
 * NetworkPolicy summaries with label selector matching, and the class
 * index the cluster rules read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "check.h"
#include "cview.h"
#include "rf.h"

/* A stand-in fingerprint: enough to compare equal and unequal values. */
static void fake_hash(const void *data, size_t len, unsigned char out[32])
{
    size_t i;

    memset(out, 0, 32);
    for (i = 0; i < len; i++)
        out[i % 32] = (unsigned char)(out[i % 32] * 31 +
                                      ((const unsigned char *)data)[i]);
}

static void add(struct cview *cv, const char *json)
{
    cJSON *o = cJSON_Parse(json);

    CHECK(o != NULL);
    CHECK_INT_EQ(cview_add_object(cv, o, "default", "f.yaml:1"), RFG_OK);
    cJSON_Delete(o);
}

static void test_cview__secrets(void)
{
    struct cview cv;
    const struct cview_secret *s, *t;

    cview_init(&cv, fake_hash);
    /* "c2VjcmV0IHZhbHVl" = "secret value" */
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"a\",\"namespace\":\"shop\"},\"data\":"
             "{\"password\":\"c2VjcmV0IHZhbHVl\",\"user\":\"eA==\"}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"b\"},\"stringData\":{\"password\":"
             "\"secret value\"}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"c\"},\"data\":{\"password\":\"!!!\"}}");
    add(&cv, "{\"apiVersion\":\"bitnami.com/v1alpha1\",\"kind\":"
             "\"SealedSecret\",\"metadata\":{\"name\":\"d\"},\"spec\":"
             "{\"encryptedData\":{\"password\":\"AgB=\"}}}");
    add(&cv, "{\"apiVersion\":\"external-secrets.io/v1beta1\",\"kind\":"
             "\"ExternalSecret\",\"metadata\":{\"name\":\"e-es\"},\"spec\":"
             "{\"target\":{\"name\":\"e\"},\"dataFrom\":[{}]}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
             "{\"name\":\"cm\"}}");
    CHECK_INT_EQ(cv.nsecrets, 5);
    s = cview_find_secret(&cv, "shop", "a");
    CHECK(s && s->has_password && s->pw_len == 12);
    CHECK(s && s->pw_problem == CVIEW_PW_WHITESPACE && s->nkeys == 2);
    t = cview_find_secret(&cv, "default", "b");
    CHECK(t && t->has_hash && s && !memcmp(s->pw_hash, t->pw_hash, 32));
    s = cview_find_secret(&cv, "default", "c");
    CHECK(s && s->pw_problem == CVIEW_PW_UNDECODABLE);
    s = cview_find_secret(&cv, "default", "d");
    CHECK(s && s->has_password && !s->value_known && s->keys_known);
    s = cview_find_secret(&cv, "default", "e");
    CHECK(s && !s->keys_known);
    CHECK(cview_find_secret(&cv, "default", "a") == NULL);
    CHECK(cview_find_secret(&cv, "default", "cm") == NULL);
    cview_cleanup(&cv);
}

static void test_cview__failovers(void)
{
    struct cview cv;

    cview_init(&cv, NULL);
    add(&cv, "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
             "\"RedisFailover\",\"metadata\":{\"name\":\"x\",\"namespace\":"
             "\"web\"},\"spec\":{\"auth\":{\"secretPath\":\"s\"},\"redis\":"
             "{\"port\":7000,\"hostNetwork\":true},\"sentinel\":"
             "{\"disableMyMaster\":true},\"bootstrapNode\":{\"host\":\"h\"}}}");
    add(&cv, "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
             "\"RedisFailover\",\"metadata\":{}}");
    CHECK_INT_EQ(cv.nrfs, 1);
    CHECK_STR_EQ(cv.rfs[0].ns, "web");
    CHECK_STR_EQ(cv.rfs[0].secret, "s");
    CHECK_STR_EQ(cv.rfs[0].origin, "f.yaml:1");
    CHECK_INT_EQ(cv.rfs[0].port, 7000);
    CHECK(cv.rfs[0].host_network && cv.rfs[0].disable_mymaster &&
          cv.rfs[0].bootstrap);
    cview_cleanup(&cv);
}

/* The decoder reads data as the API server does (Go's
 * base64.StdEncoding): padding required, "\r" and "\n" skipped, nothing
 * else outside the standard alphabet. */
static void test_cview__base64(void)
{
    size_t n;
    unsigned char *p = base64_decode("aGVsbG8=", &n);

    CHECK(p && n == 5 && !memcmp(p, "hello", 5));
    free(p);
    p = base64_decode("aGVs\nbG8=\r\n", &n);
    CHECK(p && n == 5 && !memcmp(p, "hello", 5));
    free(p);
    p = base64_decode("aGk=", &n);
    CHECK(p && n == 2 && !memcmp(p, "hi", 2));
    free(p);
    p = base64_decode("aA==", &n);
    CHECK(p && n == 1 && p[0] == 'h');
    free(p);
    p = base64_decode("", &n);
    CHECK(p && n == 0);
    free(p);
    CHECK(base64_decode("aGVsbG8", &n) == NULL);
    CHECK(base64_decode("aA", &n) == NULL);
    CHECK(base64_decode("a", &n) == NULL);
    CHECK(base64_decode("a b=", &n) == NULL);
    CHECK(base64_decode("aA=", &n) == NULL);
    CHECK(base64_decode("a===", &n) == NULL);
    CHECK(base64_decode("====", &n) == NULL);
    CHECK(base64_decode("aA==aA==", &n) == NULL);
    CHECK(base64_decode("-_8=", &n) == NULL);
    CHECK(base64_problem("aGk=") == NULL);
    CHECK_CONTAINS(base64_problem("aGVsbG8"), "not padded");
    CHECK_CONTAINS(base64_problem("-_8="), "URL-safe");
    CHECK_CONTAINS(base64_problem("aG k="), "space");
    CHECK_CONTAINS(base64_problem("aA==aA=="), "'=' before its end");
    CHECK_CONTAINS(base64_problem("a*b="), "outside the base64 alphabet");
}

/* A data value the API server cannot decode is named with the reason;
 * stringData is plain text and never checked. */
static void test_cview__bad_data(void)
{
    struct cview cv, other;
    const struct cview_secret *s;

    cview_init(&cv, NULL);
    cview_init(&other, NULL);
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"a\"},\"data\":{\"password\":\"aGVsbG8=\","
             "\"user\":\"dXNlcg\",\"ca\":\"-_8=\"}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"b\"},\"data\":{\"n\":5,\"z\":null},"
             "\"stringData\":{\"password\":\"not base64!\"}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"c\"},\"data\":{\"password\":\"aGVsbG8=\"}}");
    s = cview_find_secret(&cv, "default", "a");
    CHECK(s && s->bad_key && !strcmp(s->bad_key, "user"));
    CHECK(s && s->bad_why && strstr(s->bad_why, "not padded"));
    CHECK(s && s->pw_len == 5 && s->pw_problem == CVIEW_PW_OK);
    s = cview_find_secret(&cv, "default", "b");
    CHECK(s && s->bad_key && !strcmp(s->bad_key, "n"));
    CHECK(s && s->bad_why && strstr(s->bad_why, "not a string"));
    s = cview_find_secret(&cv, "default", "c");
    CHECK(s && !s->bad_key);
    /* a copy (kcache's store) owns its own key name */
    s = cview_find_secret(&cv, "default", "a");
    CHECK(s && cview_add_secret(&other, s) == RFG_OK);
    cview_cleanup(&cv);
    s = cview_find_secret(&other, "default", "a");
    CHECK(s && s->bad_key && !strcmp(s->bad_key, "user"));
    cview_cleanup(&other);
}

/* NetworkPolicies: what each selects and whether it guards 26379. */
static void test_cview__netpols(void)
{
    struct cview cv, all;
    cJSON *labels = cJSON_Parse("{\"app\":\"cache\",\"tier\":\"sentinel\"}");

    cview_init(&cv, NULL);
    cview_init(&all, NULL);
    add(&cv, "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"deny\","
             "\"namespace\":\"shop\"},\"spec\":{}}");
    add(&cv, "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"open\"},\"spec\":"
             "{\"podSelector\":{\"matchLabels\":{\"app\":\"cache\"}},"
             "\"ingress\":[{\"ports\":[{\"port\":26000,\"endPort\":27000}]}]"
             "}}");
    add(&cv, "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"udp\"},\"spec\":"
             "{\"ingress\":[{\"ports\":[{\"port\":26379,\"protocol\":"
             "\"UDP\"}]},{\"from\":[{\"ipBlock\":{\"cidr\":\"10.0.0.0/8\"}}]}"
             "]}}");
    add(&cv, "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"egress\"},\"spec\":"
             "{\"policyTypes\":[\"Egress\"],\"ingress\":[{}]}}");
    add(&cv, "{\"apiVersion\":\"extensions/v1beta1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"old\"}}");
    CHECK(labels != NULL);
    CHECK_INT_EQ(cv.nnetpols, 4);
    CHECK_STR_EQ(cv.netpols[0].ns, "shop");
    CHECK(cv.netpols[0].ingress && !cv.netpols[0].open_sentinel);
    CHECK(cv.netpols[1].ingress && cv.netpols[1].open_sentinel);
    CHECK(cv.netpols[2].ingress && !cv.netpols[2].open_sentinel);
    CHECK(!cv.netpols[3].ingress && !cv.netpols[3].open_sentinel);
    CHECK(cview_selector_matches(cv.netpols[0].selector, labels));
    CHECK(cview_selector_matches(cv.netpols[1].selector, labels));
    /* merging moves the policies */
    CHECK_INT_EQ(cview_merge(&all, &cv), RFG_OK);
    CHECK_INT_EQ(all.nnetpols, 4);
    CHECK_INT_EQ(cv.nnetpols, 0);
    CHECK_STR_EQ(all.netpols[1].name, "open");
    cview_cleanup(&cv);
    cview_cleanup(&all);
    cJSON_Delete(labels);
}

/* Label selectors as Kubernetes evaluates them. */
static void test_cview__selector(void)
{
    cJSON *labels = cJSON_Parse("{\"app\":\"cache\",\"tier\":\"sentinel\"}");
    static const struct {
        const char *sel;
        bool match;
    } cases[] = {
        {"{}", true},
        {"{\"matchLabels\":{\"app\":\"cache\"}}", true},
        {"{\"matchLabels\":{\"app\":\"web\"}}", false},
        {"{\"matchLabels\":{\"zone\":\"a\"}}", false},
        {"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\","
         "\"values\":[\"redis\",\"sentinel\"]}]}", true},
        {"{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\","
         "\"values\":[\"sentinel\"]}]}", false},
        {"{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\","
         "\"values\":[\"a\"]}]}", true},
        {"{\"matchExpressions\":[{\"key\":\"app\",\"operator\":"
         "\"Exists\"}]}", true},
        {"{\"matchExpressions\":[{\"key\":\"app\",\"operator\":"
         "\"DoesNotExist\"}]}", false},
        {"{\"matchExpressions\":[{\"key\":\"app\",\"operator\":"
         "\"Gt\"}]}", false},
    };
    size_t i;

    CHECK(labels != NULL);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *sel = cJSON_Parse(cases[i].sel);

        CHECK(sel != NULL);
        CHECK_INT_EQ(cview_selector_matches(sel, labels), cases[i].match);
        cJSON_Delete(sel);
    }
    cJSON_Delete(labels);
}

/* A failover for the index tests: ns/name, port, Secret or NULL. */
static void add_rf(struct cview *cv, const char *ns, const char *name,
                   int port, const char *secret, const char *extra)
{
    char buf[600];

    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
             "\"RedisFailover\",\"metadata\":{\"name\":\"%s\","
             "\"namespace\":\"%s\"},\"spec\":{\"redis\":{\"port\":%d}%s%s%s"
             "%s}}",
             name, ns, port, secret ? ",\"auth\":{\"secretPath\":\"" : "",
             secret ? secret : "", secret ? "\"}" : "", extra);
    add(cv, buf);
}

/* The hits of class `c` under `k`, leaving out failover ns/name. */
static struct cview_hits hits(const struct cview *cv, enum cview_class c,
                              const struct cview_key *k, const char *ns,
                              const char *name)
{
    struct cview_hits h = {CVIEW_END, 0};

    cview_class_hits(cv, c, cview_class_find(cv, c, k),
                     cview_self(cv, RF_KIND_FAILOVER, ns, name), &h);
    return h;
}

/* The class index: members in document order, the object's own entries
 * left out, password classes that match exactly when two failovers can
 * share a password, and an index dropped when the view changes. */
static void test_cview__index(void)
{
    struct cview cv;
    struct cview_key k;
    struct cview_hits h;
    size_t idx[3], i;

    cview_init(&cv, fake_hash);
    memset(&k, 0, sizeof(k));
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"p1\",\"namespace\":\"a\"},\"stringData\":"
             "{\"password\":\"same\"}}");
    add(&cv, "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":"
             "{\"name\":\"p2\",\"namespace\":\"b\"},\"stringData\":"
             "{\"password\":\"same\"}}");
    add_rf(&cv, "a", "r0", 6379, NULL, "");             /* 0 */
    add_rf(&cv, "a", "r1", 6379, "p1", "");             /* 1 */
    add_rf(&cv, "b", "r2", 6379, "p2", "");             /* 2 */
    add_rf(&cv, "b", "r3", 6379, "gone", "");           /* 3 */
    add_rf(&cv, "a", "r1", 6380, "p1", "");             /* 4: copy of 1 */
    add_rf(&cv, "c", "r5", 6379, NULL,
           ",\"sentinel\":{\"disableMyMaster\":true,\"hostNetwork\":true}");
    CHECK(!cview_index_ready(&cv));
    CHECK_INT_EQ(cview_class_find(&cv, CVIEW_C_PORT, &k), CVIEW_END);
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);
    CHECK(cview_index_ready(&cv));
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);

    k.port = 6379;
    k.kind = RF_KIND_FAILOVER;
    k.master = RF_DEFAULT_MASTER_NAME;
    /* a failover not in the view sees every member */
    h = hits(&cv, CVIEW_C_PORT, &k, "z", "new");
    CHECK_INT_EQ(h.first, 0);
    CHECK_INT_EQ(h.n, 5);
    /* r1 leaves out both of its entries */
    h = hits(&cv, CVIEW_C_PORT, &k, "a", "r1");
    CHECK_INT_EQ(h.n, 4);
    h = hits(&cv, CVIEW_C_PORT, &k, "a", "r0");
    CHECK_INT_EQ(h.first, 1);
    CHECK_INT_EQ(h.n, 4);
    /* disableMyMaster moves r5 off mymaster; hostNetwork is r5's */
    h = hits(&cv, CVIEW_C_SPORT_DM, &k, "z", "new");
    CHECK_INT_EQ(h.n, 4);
    h = hits(&cv, CVIEW_C_PORT_HOSTNET, &k, "z", "new");
    CHECK_INT_EQ(h.first, 5);
    h = hits(&cv, CVIEW_C_HOSTNET, &k, "c", "r5");
    CHECK_INT_EQ(h.first, CVIEW_END);
    CHECK_INT_EQ(h.n, 0);

    /* equal fingerprints share a class across namespaces; a Secret the
     * view lacks is a class of its own name */
    k.ns = "a";
    k.secret = "p1";
    h = hits(&cv, CVIEW_C_SID, &k, "z", "new");
    CHECK_INT_EQ(h.first, 1);
    CHECK_INT_EQ(h.n, 2);
    k.ns = "b";
    k.secret = "gone";
    h = hits(&cv, CVIEW_C_SID, &k, "z", "new");
    CHECK_INT_EQ(h.first, 3);
    CHECK_INT_EQ(h.n, 1);
    k.ns = "a";
    h = hits(&cv, CVIEW_C_SID, &k, "z", "new");
    CHECK_INT_EQ(h.n, 0);
    k.secret = NULL;
    h = hits(&cv, CVIEW_C_SID, &k, "z", "new");
    CHECK_INT_EQ(h.first, 0);
    CHECK_INT_EQ(h.n, 2);

    /* users of a fingerprint, per namespace too */
    k.hash = cview_find_secret(&cv, "a", "p1")->pw_hash;
    h = hits(&cv, CVIEW_C_PW_USERS, &k, "a", "r1");
    CHECK_INT_EQ(h.first, 2);
    CHECK_INT_EQ(h.n, 1);
    h = hits(&cv, CVIEW_C_PW_USERS_NS, &k, "a", "r1");
    CHECK_INT_EQ(h.n, 0);

    /* the oldest definitions of a name */
    k.ns = "a";
    k.name = "r1";
    CHECK_INT_EQ(cview_class_members(&cv, CVIEW_C_LINTED,
                                     cview_class_find(&cv, CVIEW_C_LINTED,
                                                      &k),
                                     idx, 1), 2);
    CHECK_INT_EQ(idx[0], 1);

    /* Secrets and NetworkPolicies by namespace */
    k.ns = "b";
    i = cview_class_first(&cv, CVIEW_C_SECRET_NS,
                          cview_class_find(&cv, CVIEW_C_SECRET_NS, &k));
    CHECK_INT_EQ(i, 1);
    CHECK_INT_EQ(cview_class_next(&cv, CVIEW_C_SECRET_NS, i), CVIEW_END);
    CHECK_INT_EQ(cview_class_find(&cv, CVIEW_C_NETPOL_NS, &k), CVIEW_END);

    /* adding drops the index; a rebuild sees the new entry */
    add_rf(&cv, "d", "r6", 6379, NULL, "");
    CHECK(!cview_index_ready(&cv));
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);
    add(&cv, "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":"
             "\"NetworkPolicy\",\"metadata\":{\"name\":\"np\","
             "\"namespace\":\"b\"},\"spec\":{}}");
    CHECK(!cview_index_ready(&cv));
    CHECK_INT_EQ(cview_index_build(&cv), RFG_OK);
    memset(&k, 0, sizeof(k));
    k.port = 6379;
    h = hits(&cv, CVIEW_C_PORT, &k, "z", "new");
    CHECK_INT_EQ(h.n, 6);
    k.ns = "b";
    CHECK_INT_EQ(cview_class_first(&cv, CVIEW_C_NETPOL_NS,
                                   cview_class_find(&cv, CVIEW_C_NETPOL_NS,
                                                    &k)), 0);
    cview_cleanup(&cv);
}

int main(void)
{
    RUN(test_cview__secrets);
    RUN(test_cview__failovers);
    RUN(test_cview__base64);
    RUN(test_cview__bad_data);
    RUN(test_cview__netpols);
    RUN(test_cview__index);
    RUN(test_cview__selector);
    return CHECK_DONE();
}
