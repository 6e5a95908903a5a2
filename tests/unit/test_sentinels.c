/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sentinels.c - the sentinel merge check without Redis: the plan
 * made from a List of failovers and pods, the judgement of made-up
 * answers (healthy, a foreign replica, a foreign sentinel, a stale
 * address, a split view, extra members, an unreachable sentinel, an
 * unknown master), and sprobe's timeouts against sockets that refuse or
 * never answer. The Redis protocol itself is tested against real
 * redis-server and redis-sentinel processes by the integration tests.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "report.h"
#include "sentinels.h"
#include "sprobe.h"

/* Failover a in namespace db (3 redis, 3 sentinels, defaults), b in
 * namespace other; pods of both. Only db is checked: b's pods map
 * addresses. */
#define LIST_JSON                                                          \
    "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" \
    "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":" \
    "\"RedisFailover\",\"metadata\":{\"name\":\"a\",\"namespace\":\"db\"," \
    "\"uid\":\"u-a\"},\"spec\":{}}," \
    "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":" \
    "\"RedisFailover\",\"metadata\":{\"name\":\"b\",\"namespace\":" \
    "\"other\"},\"spec\":{}}," \
    "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":" \
    "\"sp\",\"namespace\":\"db\"},\"data\":{\"password\":\"czNjcmV0\"}}" \
    "%s]}"

static char *pod(const char *ns, const char *name, const char *rf,
                 const char *comp, const char *ip, const char *phase)
{
    char *s = malloc(1024);
    snprintf(s, 1024,
             ",{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{"
             "\"name\":\"%s\",\"namespace\":\"%s\",\"labels\":{"
             "\"app.kubernetes.io/name\":\"%s\","
             "\"app.kubernetes.io/component\":\"%s\","
             "\"app.kubernetes.io/part-of\":\"redis-failover\"}},"
             "\"status\":{\"phase\":\"%s\",\"podIP\":\"%s\"}}",
             name, ns, rf, comp, phase, ip);
    return s;
}

static cJSON *make_list(void)
{
    static const struct {
        const char *ns, *name, *rf, *comp, *ip, *phase;
    } pods[] = {
        {"db", "rfr-a-0", "a", "redis", "10.0.0.1", "Running"},
        {"db", "rfr-a-1", "a", "redis", "10.0.0.2", "Running"},
        {"db", "rfr-a-2", "a", "redis", "10.0.0.3", "Running"},
        {"db", "rfs-a-x", "a", "sentinel", "10.0.1.1", "Running"},
        {"db", "rfs-a-y", "a", "sentinel", "10.0.1.2", "Running"},
        {"db", "rfs-a-z", "a", "sentinel", "10.0.1.3", "Running"},
        {"db", "rfs-a-old", "a", "sentinel", "10.0.1.9", "Failed"},
        {"other", "rfr-b-0", "b", "redis", "10.0.2.1", "Running"},
        {"other", "rfs-b-x", "b", "sentinel", "10.0.3.1", "Running"},
    };
    char *all = calloc(1, 16384), *out = malloc(20000);
    size_t used = 0;
    for (size_t i = 0; i < sizeof pods / sizeof pods[0]; i++) {
        char *p = pod(pods[i].ns, pods[i].name, pods[i].rf, pods[i].comp,
                      pods[i].ip, pods[i].phase);
        used += (size_t)snprintf(all + used, 16384 - used, "%s", p);
        free(p);
    }
    snprintf(out, 20000, LIST_JSON, all);
    cJSON *l = cJSON_Parse(out);
    free(all);
    free(out);
    return l;
}

static const struct sentinels_opts db_opts = {.ns = "db"};

static void test_plan(void)
{
    cJSON *l = make_list();
    struct sentinels_plan p;
    char err[128];
    CHECK(l != NULL);
    CHECK_INT_EQ(sentinels_plan(&p, l, &db_opts, err, sizeof err), RFG_OK);
    CHECK_INT_EQ(p.nrfs, 1);
    CHECK_STR_EQ(p.rfs[0].name, "a");
    CHECK_STR_EQ(p.rfs[0].master, "mymaster");
    CHECK_INT_EQ(p.rfs[0].redis_port, 6379);
    /* the Failed sentinel pod is not asked */
    CHECK_INT_EQ(p.nasks, 3);
    CHECK_STR_EQ(p.asks[0].pod, "rfs-a-x");
    CHECK_STR_EQ(p.asks[2].ip, "10.0.1.3");
    CHECK_INT_EQ(p.asks[0].port, 26379);
    CHECK_INT_EQ(p.npods, 9);
    sentinels_plan_cleanup(&p);

    struct sentinels_opts all = {.sentinel_port = 5000};
    CHECK_INT_EQ(sentinels_plan(&p, l, &all, err, sizeof err), RFG_OK);
    CHECK_INT_EQ(p.nrfs, 2);
    CHECK_INT_EQ(p.nasks, 4);
    CHECK_INT_EQ(p.asks[3].port, 5000);
    sentinels_plan_cleanup(&p);

    struct sentinels_opts bad = {.selector = "a in (b"};
    CHECK_INT_EQ(sentinels_plan(&p, l, &bad, err, sizeof err), RFG_EINVAL);

    char *pw = NULL;
    CHECK_INT_EQ(sentinels_secret_value(&pw, l, "db", "sp", "password"),
                 RFG_OK);
    CHECK_STR_EQ(pw, "s3cret");
    free(pw);
    CHECK_INT_EQ(sentinels_secret_value(&pw, l, "other", "sp", "password"),
                 RFG_ENOTFOUND);
    CHECK_INT_EQ(sentinels_secret_value(&pw, l, "db", "sp", "nokey"),
                 RFG_ENOTFOUND);
    cJSON_Delete(l);
}

/* Healthy answers for a's three sentinels, to be spoiled by each test. */
struct fake {
    struct sentinels_addr repl[3][4];
    struct sentinels_addr sent[3][4];
    struct sentinels_addr mast[3][2];
    struct sentinels_answer ans[3];
};

static void healthy(struct fake *f)
{
    static const char *sip[] = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
    memset(f, 0, sizeof *f);
    for (int i = 0; i < 3; i++) {
        struct sentinels_answer *a = &f->ans[i];
        a->has_master = true;
        a->master = (struct sentinels_addr){"10.0.0.1", 6379, "mymaster",
                                            "master"};
        f->repl[i][0] = (struct sentinels_addr){"10.0.0.2", 6379, NULL,
                                                "slave"};
        f->repl[i][1] = (struct sentinels_addr){"10.0.0.3", 6379, NULL,
                                                "slave"};
        a->has_replicas = true;
        a->replicas = f->repl[i];
        a->nreplicas = 2;
        size_t n = 0;
        for (int k = 0; k < 3; k++)
            if (k != i)
                f->sent[i][n++] = (struct sentinels_addr){sip[k], 26379,
                                                          "runid", "sentinel"};
        a->has_sentinels = true;
        a->sentinels = f->sent[i];
        a->nsentinels = n;
        f->mast[i][0] = a->master;
        a->has_masters = true;
        a->masters = f->mast[i];
        a->nmasters = 1;
    }
}

struct judged {
    cJSON *list;
    struct sentinels_plan plan;
    struct report rep;
    struct sentinels_result res;
};

static void judge(struct judged *j, const struct fake *f)
{
    char err[128];
    j->list = make_list();
    report_init(&j->rep);
    CHECK_INT_EQ(sentinels_plan(&j->plan, j->list, &db_opts, err, sizeof err),
                 RFG_OK);
    CHECK_INT_EQ(j->plan.nasks, 3);
    CHECK_INT_EQ(sentinels_judge(&j->res, &j->rep, &j->plan, f->ans, "dump"),
                 RFG_OK);
}

static void judged_free(struct judged *j)
{
    sentinels_result_cleanup(&j->res);
    report_cleanup(&j->rep);
    sentinels_plan_cleanup(&j->plan);
    cJSON_Delete(j->list);
}

/* How many findings of `rule`; the first one's message in *msg. */
static size_t count(const struct judged *j, const char *rule,
                    const char **msg)
{
    size_t n = 0;
    for (size_t i = 0; i < j->rep.len; i++)
        if (j->rep.v[i].rule && strcmp(j->rep.v[i].rule, rule) == 0) {
            if (n++ == 0 && msg)
                *msg = j->rep.v[i].msg;
        }
    return n;
}

static void test_healthy(void)
{
    struct fake f;
    struct judged j;
    healthy(&f);
    judge(&j, &f);
    CHECK_INT_EQ(j.rep.len, 0);
    CHECK_INT_EQ(j.res.merged, 0);
    CHECK_INT_EQ(j.res.asked, 3);
    CHECK(!j.res.v[0].merged);
    CHECK_INT_EQ(j.res.v[0].nprocedure, 0);
    judged_free(&j);
}

static void test_foreign_replica(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.repl[1][1] = (struct sentinels_addr){"10.0.2.1", 6379, NULL, "slave"};
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, &msg), 1);
    CHECK_CONTAINS(msg, "10.0.1.2:26379 (pod rfs-a-y)");
    CHECK_CONTAINS(msg, "has 10.0.2.1:6379 as a replica of mymaster");
    CHECK_CONTAINS(msg, "failover other/b");
    CHECK_INT_EQ(j.rep.deny, 1);
    CHECK_STR_EQ(j.rep.v[0].object, "db/a");
    CHECK(j.res.v[0].merged);
    CHECK_INT_EQ(j.res.merged, 1);
    CHECK_INT_EQ(j.res.v[0].nothers, 1);
    CHECK_STR_EQ(j.res.v[0].others[0], "other/b");
    /* identity first, then a reset per sentinel, then the source */
    CHECK_INT_EQ(j.res.v[0].nprocedure, 6);
    CHECK_CONTAINS(j.res.v[0].procedure[0], "Fix the identity of db/a");
    CHECK_CONTAINS(j.res.v[0].procedure[1], "ONE AT A TIME");
    CHECK_CONTAINS(j.res.v[0].procedure[2],
                   "redis-cli -h 10.0.1.1 -p 26379 SENTINEL RESET mymaster");
    CHECK_CONTAINS(j.res.v[0].procedure[5], "redis.io/docs");
    judged_free(&j);
}

static void test_foreign_sentinel(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.sent[0][1] = (struct sentinels_addr){"10.0.3.1", 26379, "r", ""};
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, &msg), 1);
    CHECK_CONTAINS(msg, "has 10.0.3.1:26379 as a sentinel of mymaster");
    CHECK_CONTAINS(msg, "sentinel pod rfs-b-x of failover other/b");
    CHECK(j.res.v[0].merged);
    judged_free(&j);
}

static void test_stale(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.repl[2][0] = (struct sentinels_addr){"10.9.9.9", 6379, NULL,
                                           "slave,s_down"};
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_STALE, &msg), 1);
    CHECK_CONTAINS(msg, "10.9.9.9:6379 (flags slave,s_down)");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, NULL), 0);
    CHECK(!j.res.v[0].merged);
    CHECK_INT_EQ(j.rep.warn, 1);
    judged_free(&j);
}

static void test_split_view(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.ans[2].master.ip = "10.0.0.2";
    f.mast[2][0].ip = "10.0.0.2";
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_SPLIT, &msg), 1);
    CHECK_CONTAINS(msg, "10.0.1.1:26379 (pod rfs-a-x) says 10.0.0.1:6379");
    CHECK_CONTAINS(msg, "10.0.1.3:26379 (pod rfs-a-z) says 10.0.0.2:6379");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, NULL), 0);
    judged_free(&j);
}

static void test_extra(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.repl[0][2] = (struct sentinels_addr){"10.0.0.1", 6379, NULL, "slave"};
    f.ans[0].nreplicas = 3;
    f.sent[1][2] = (struct sentinels_addr){"10.0.1.2", 26379, "r", ""};
    f.ans[1].nsentinels = 3;
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_EXTRA, &msg), 2);
    CHECK_CONTAINS(msg, "knows 3 replicas");
    CHECK_CONTAINS(msg, "the spec has 3 redis, so 2 replicas");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, NULL), 0);
    judged_free(&j);
}

static void test_unreachable(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    memset(&f.ans[1], 0, sizeof f.ans[1]);
    f.ans[1].error = "connect: Connection refused";
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_UNREACHABLE, &msg), 1);
    CHECK_CONTAINS(msg, "10.0.1.2:26379 (pod rfs-a-y) could not be asked: "
                        "connect: Connection refused");
    CHECK_INT_EQ(j.rep.len, 1);
    CHECK_INT_EQ(j.res.unreachable, 1);
    judged_free(&j);
}

static void test_unknown_master(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.mast[0][1] = (struct sentinels_addr){"10.0.2.1", 6379, "other", "m"};
    f.ans[0].nmasters = 2;
    f.mast[1][1] = (struct sentinels_addr){"10.7.7.7", 6380, "gone", "m"};
    f.ans[1].nmasters = 2;
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_UNKNOWN_MASTER, &msg), 2);
    CHECK_CONTAINS(msg, "also monitors master other at 10.0.2.1:6379");
    CHECK_CONTAINS(msg, "failover other/b");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_MERGED, NULL), 0);
    judged_free(&j);
}

static void test_master_name(void)
{
    const char *js =
        "{\"apiVersion\":\"databases.spotahome.com/v1\",\"kind\":"
        "\"RedisFailover\",\"metadata\":{\"name\":\"orders\"},"
        "\"spec\":{\"sentinel\":{\"disableMyMaster\":true}}}";
    cJSON *o = cJSON_Parse(js);
    struct sentinels_plan p;
    char err[128];
    struct sentinels_opts fw = {.target = RF_TARGET_FRESHWORKS_V33};
    struct sentinels_opts def = {0};
    CHECK_INT_EQ(sentinels_plan(&p, o, &fw, err, sizeof err), RFG_OK);
    CHECK_INT_EQ(p.nrfs, 1);
    CHECK_STR_EQ(p.rfs[0].ns, "default");
    CHECK_STR_EQ(p.rfs[0].master, "orders");
    sentinels_plan_cleanup(&p);
    CHECK_INT_EQ(sentinels_plan(&p, o, &def, err, sizeof err), RFG_OK);
    CHECK_STR_EQ(p.rfs[0].master, "mymaster");
    sentinels_plan_cleanup(&p);
    cJSON_Delete(o);
}

/* A sentinel that does not monitor the master asked about: unreachable
 * with the error reply, and what SENTINEL MASTERS said still judged. */
static void test_no_such_master(void)
{
    struct fake f;
    struct judged j;
    const char *msg = NULL;
    healthy(&f);
    f.ans[0].error = "SENTINEL MASTER mymaster: ERR No such master with "
                     "that name";
    f.ans[0].has_master = f.ans[0].has_replicas = false;
    f.ans[0].has_sentinels = false;
    f.mast[0][0] = (struct sentinels_addr){"10.0.2.1", 6379, "other", "m"};
    judge(&j, &f);
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_UNREACHABLE, &msg), 1);
    CHECK_CONTAINS(msg, "No such master");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_UNKNOWN_MASTER, &msg), 1);
    CHECK_CONTAINS(msg, "failover other/b");
    CHECK_INT_EQ(count(&j, SENTINELS_RULE_SPLIT, NULL), 0);
    judged_free(&j);
}

/* ---- sprobe: timeouts only ---- */

/* A listening socket on 127.0.0.1 that never accepts nor answers, or
 * (listen false) a bound port nobody listens on. Its port in *port. */
static int socket_on(int *port, bool listen_)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        (listen_ && listen(fd, 8) != 0) ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_probe_silent(void)
{
    int port = 0;
    int fd = socket_on(&port, true);
    CHECK(fd >= 0);
    struct sprobe_req q = {"127.0.0.1", port, "mymaster", "pw-not-shown"};
    struct sprobe_ans a;
    struct sprobe_opts o = {.timeout_ms = 200, .deadline_ms = 10000};
    CHECK_INT_EQ(sprobe_run(&a, &q, 1, &o), RFG_OK);
    CHECK(a.error != NULL);
    CHECK_CONTAINS(a.error, "no reply within");
    CHECK(!strstr(a.error, "pw-not-shown"));
    CHECK(!a.has_master);
    sprobe_ans_cleanup(&a);
    close(fd);
}

static void test_probe_refused(void)
{
    int port = 0;
    int fd = socket_on(&port, false);
    CHECK(fd >= 0);
    struct sprobe_req q = {"127.0.0.1", port, "mymaster", NULL};
    struct sprobe_ans a;
    /* a refusal is an error at once, not a wait for the timeout */
    struct sprobe_opts o = {.timeout_ms = 60000, .deadline_ms = 60000};
    CHECK_INT_EQ(sprobe_run(&a, &q, 1, &o), RFG_OK);
    CHECK_CONTAINS(a.error, "connect:");
    CHECK_CONTAINS(a.error, "refused");
    sprobe_ans_cleanup(&a);
    close(fd);
}

static void test_probe_deadline(void)
{
    int port = 0;
    int fd = socket_on(&port, true);
    CHECK(fd >= 0);
    struct sprobe_req q[3];
    for (int i = 0; i < 3; i++)
        q[i] = (struct sprobe_req){"127.0.0.1", port, "mymaster", NULL};
    struct sprobe_ans a[3];
    /* one thread, each sentinel silent: the first uses up the deadline,
     * the others are never started */
    struct sprobe_opts o = {.timeout_ms = 60000, .deadline_ms = 300,
                            .parallel = 1};
    CHECK_INT_EQ(sprobe_run(a, q, 3, &o), RFG_OK);
    CHECK_CONTAINS(a[0].error, "no reply within");
    CHECK_STR_EQ(a[1].error, "deadline passed");
    CHECK_STR_EQ(a[2].error, "deadline passed");
    for (int i = 0; i < 3; i++)
        sprobe_ans_cleanup(&a[i]);
    close(fd);
}

int main(void)
{
    RUN(test_plan);
    RUN(test_healthy);
    RUN(test_foreign_replica);
    RUN(test_foreign_sentinel);
    RUN(test_stale);
    RUN(test_split_view);
    RUN(test_extra);
    RUN(test_unreachable);
    RUN(test_unknown_master);
    RUN(test_master_name);
    RUN(test_no_such_master);
    RUN(test_probe_silent);
    RUN(test_probe_refused);
    RUN(test_probe_deadline);
    return CHECK_DONE();
}
