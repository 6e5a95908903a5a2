/* SPDX-License-Identifier: Apache-2.0
 *
 * test_admission.c - the admission core without TLS or sockets: every
 * tests/review/<case>.request.json goes through /validate and /mutate
 * under the built-in default policy with no cluster view, and the answer
 * is compared with <case>.validate.response.json and
 * <case>.mutate.response.json (the response as served, pretty-printed,
 * with a /mutate patch decoded from base64 into JSON). RFG_UPDATE_GOLDEN=1
 * rewrites the goldens instead. Also: the log line and metrics of a
 * request, refused bodies, policy swaps, and the hooks the cluster view
 * plugs into.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "admission.h"
#include "base64.h"
#include "check.h"
#include "cli.h"
#include "file.h"
#include "sbuf.h"

#define REQ_SUFFIX ".request.json"

static FILE *devnull;   /* the log of tests that do not read it */

static char *slurp(const char *path, size_t *len)
{
    char *buf;
    size_t n;

    if (rfg_read_file(&buf, &n, path, SIZE_MAX) != 0)
        return NULL;
    if (len)
        *len = n;
    return buf;
}

static struct admission *new_core(const struct admission_hooks *h, FILE *log)
{
    struct policy_set *p = NULL;
    struct admission *a = NULL;

    if (cli_open_policy(&p, NULL, stderr) != RFG_OK)
        return NULL;
    if (admission_new(&a, p, h, log) != RFG_OK)
        return NULL;
    return a;
}

/* Append `n` pretty-printed with two-space indents, the layout of
 * Python's json.dumps(indent=2, ensure_ascii=False), so that goldens
 * read well and a served response can be checked against them with
 * python3. Leaves are printed by cJSON. */
static int pretty(struct sbuf *b, const cJSON *n, int depth)
{
    const cJSON *c;
    char *leaf;
    int rc = RFG_OK;
    bool obj = cJSON_IsObject(n);

    if (!cJSON_IsObject(n) && !cJSON_IsArray(n)) {
        leaf = cJSON_PrintUnformatted(n);
        if (!leaf)
            return RFG_ENOMEM;
        rc = sbuf_adds(b, leaf);
        cJSON_free(leaf);
        return rc;
    }
    if (!n->child)
        return sbuf_adds(b, obj ? "{}" : "[]");
    rc = sbuf_addc(b, obj ? '{' : '[');
    for (c = n->child; !rc && c; c = c->next) {
        rc = sbuf_printf(b, "\n%*s", 2 * (depth + 1), "");
        if (!rc && obj) {
            rc = sbuf_add_json_str(b, c->string);
            if (!rc)
                rc = sbuf_adds(b, ": ");
        }
        if (!rc)
            rc = pretty(b, c, depth + 1);
        if (!rc && c->next)
            rc = sbuf_addc(b, ',');
    }
    if (!rc)
        rc = sbuf_printf(b, "\n%*s%c", 2 * depth, "", obj ? '}' : ']');
    return rc;
}

/* The golden form of a response body: pretty-printed, with the base64
 * patch replaced by the JSON it encodes. NULL when the body is not
 * JSON or the patch is not base64 of JSON. Owned (free()). */
static char *golden_form(const char *body, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(root, "response");
    cJSON *patch = cJSON_GetObjectItemCaseSensitive(resp, "patch");
    char *out = NULL;
    struct sbuf b;

    if (!root)
        return NULL;
    if (cJSON_IsString(patch)) {
        size_t n = 0;
        unsigned char *raw = base64_decode(patch->valuestring, &n);
        cJSON *ops = raw ? cJSON_ParseWithLength((const char *)raw, n)
                         : NULL;

        free(raw);
        if (!ops || !cJSON_ReplaceItemInObjectCaseSensitive(resp, "patch",
                                                            ops)) {
            cJSON_Delete(ops);
            cJSON_Delete(root);
            return NULL;
        }
    }
    sbuf_init(&b, 1 << 20);
    if (pretty(&b, root, 0) == RFG_OK && sbuf_addc(&b, '\n') == RFG_OK)
        out = sbuf_take(&b, NULL);
    sbuf_cleanup(&b);
    cJSON_Delete(root);
    return out;
}

/* Run one request file through one endpoint and compare (or write). */
static void golden_case(struct admission *a, const char *dir,
                        const char *name, enum metrics_endpoint ep,
                        bool update)
{
    char path[1024], gpath[1024];
    size_t base = strlen(name) - strlen(REQ_SUFFIX), len;
    struct admission_reply rep;
    char *body, *got, *want;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    snprintf(gpath, sizeof(gpath), "%s/%.*s.%s.response.json", dir,
             (int)base, name, ep == METRICS_MUTATE ? "mutate" : "validate");
    body = slurp(path, &len);
    CHECK(body != NULL);
    if (!body)
        return;
    admission_handle(a, ep, body, len, &rep);
    CHECK_INT_EQ(rep.status, 200);
    got = rep.body ? golden_form(rep.body, rep.len) : NULL;
    CHECK(got != NULL);
    if (got && update) {
        f = fopen(gpath, "wb");
        CHECK(f != NULL);
        if (f) {
            fputs(got, f);
            fclose(f);
        }
        printf("wrote %s\n", gpath);
    } else if (got) {
        want = slurp(gpath, NULL);
        if (!want)
            fprintf(stderr, "%s: missing (RFG_UPDATE_GOLDEN=1 makes it)\n",
                    gpath);
        CHECK_STR_EQ(got, want);
        free(want);
    }
    free(got);
    free(rep.body);
    free(body);
}

static void test_admission__goldens(void)
{
    const char *env = getenv("RFG_UPDATE_GOLDEN");
    bool update = env && !strcmp(env, "1");
    char dir[512];
    struct admission *a;
    struct dirent *e;
    DIR *d;
    size_t n = 0, nl;

    snprintf(dir, sizeof(dir), "%s/review", RFG_TEST_DIR);
    a = new_core(NULL, devnull);
    CHECK(a != NULL);
    d = opendir(dir);
    CHECK(d != NULL);
    if (!a || !d)
        goto out;
    while ((e = readdir(d)) != NULL) {
        nl = strlen(e->d_name);
        if (nl <= strlen(REQ_SUFFIX) ||
            strcmp(e->d_name + nl - strlen(REQ_SUFFIX), REQ_SUFFIX))
            continue;
        golden_case(a, dir, e->d_name, METRICS_VALIDATE, update);
        golden_case(a, dir, e->d_name, METRICS_MUTATE, update);
        n++;
    }
    CHECK(n >= 9);
out:
    if (d)
        closedir(d);
    admission_free(a);
}

/* One review in, its log line and its metrics out. */
static void test_admission__log_and_metrics(void)
{
    FILE *log = tmpfile();
    struct admission *a = new_core(NULL, log);
    struct admission_reply rep;
    struct sbuf m;
    char path[512], line[8192] = "";
    size_t len;
    char *body;

    snprintf(path, sizeof(path), "%s/review/create-unsafe.v1.request.json",
             RFG_TEST_DIR);
    body = slurp(path, &len);
    CHECK(a != NULL && body != NULL && log != NULL);
    if (!a || !body || !log)
        goto out;
    admission_handle(a, METRICS_VALIDATE, body, len, &rep);
    CHECK_INT_EQ(rep.status, 200);
    CHECK_CONTAINS(rep.body, "\"allowed\":false");
    free(rep.body);
    rewind(log);
    CHECK(fgets(line, sizeof(line), log) != NULL);
    CHECK_CONTAINS(line, "\"level\":\"info\",\"msg\":\"admission\","
                         "\"endpoint\":\"validate\",\"uid\":");
    CHECK_CONTAINS(line, "\"operation\":\"CREATE\",\"dryRun\":false,"
                         "\"verdict\":\"denied\",\"rules\":[\"");
    CHECK_CONTAINS(line, "\"auth-required\"");
    CHECK_CONTAINS(line, ",\"us\":");
    sbuf_init(&m, 1 << 20);
    CHECK_INT_EQ(metrics_render(admission_metrics(a), &m), RFG_OK);
    CHECK_CONTAINS(sbuf_str(&m), "rfguard_admission_requests_total{endpoint="
                                 "\"validate\",operation=\"CREATE\","
                                 "verdict=\"denied\"} 1");
    CHECK_CONTAINS(sbuf_str(&m), "rfguard_findings_total{rule="
                                 "\"auth-required\",severity=\"deny\"} 1");
    sbuf_cleanup(&m);
out:
    free(body);
    admission_free(a);
    if (log)
        fclose(log);
}

/* Not an AdmissionReview: 400 with a Status body, logged as an error. */
static void test_admission__bad_body(void)
{
    FILE *log = tmpfile();
    struct admission *a = new_core(NULL, log);
    struct admission_reply rep;
    char line[4096] = "";

    CHECK(a != NULL && log != NULL);
    if (!a || !log)
        goto out;
    admission_handle(a, METRICS_MUTATE, "{\"kind\":", 8, &rep);
    CHECK_INT_EQ(rep.status, 400);
    CHECK_CONTAINS(rep.body, "\"kind\":\"Status\"");
    CHECK_CONTAINS(rep.body, "\"code\":400,\"reason\":\"BadRequest\"");
    free(rep.body);
    rewind(log);
    CHECK(fgets(line, sizeof(line), log) != NULL);
    CHECK_CONTAINS(line, "\"level\":\"warn\",\"msg\":\"admission\","
                         "\"endpoint\":\"mutate\",\"verdict\":\"error\","
                         "\"rules\":[],\"reason\":");
out:
    admission_free(a);
    if (log)
        fclose(log);
}

struct fake_view {
    int begins, ends, claims;
    bool last_validate, end_res;
};

/* A claim hook that says every identity is taken. */
static int fake_claim(void *arg, const struct rules_claim *c, char *msg,
                      size_t len)
{
    struct fake_view *v = arg;

    v->claims++;
    snprintf(msg, len, "%s is already claimed by RedisFailover other/x",
             c->what);
    return RULES_CLAIM_TAKEN;
}

static int fake_begin(void *arg, void **state, struct rules_input *in,
                      const struct review_req *req, bool validate)
{
    struct fake_view *v = arg;

    (void)req;
    v->begins++;
    v->last_validate = validate;
    if (v->begins == 1) {
        in->cv_unavailable = "cluster view not synced yet";
    } else if (validate) {
        in->claim = fake_claim;
        in->claim_arg = v;
    }
    *state = v;
    return RFG_OK;
}

static void fake_end(void *arg, void *state, const struct rules_result *res)
{
    struct fake_view *v = arg;

    CHECK(state == arg);
    v->ends++;
    v->end_res = res != NULL;
}

/* The hooks: begin/end around every evaluation, nothing for requests
 * that are not evaluated; a view the hook calls unavailable makes the
 * cluster rules say "cannot verify"; a lost claim is a finding of the
 * rule that asked (here sentinel-identity-shared under a policy where
 * it denies). */
static void test_admission__hooks(void)
{
    static const char pol[] =
        "apiVersion: rfguard.io/v1alpha1\nkind: Policy\nmetadata:\n"
        "  name: claims\nspec:\n  target: spotahome-v1.3\n"
        "  rules:\n    sentinel-identity-shared: deny\n";
    struct fake_view v = {0, 0, 0, false, false};
    struct admission_hooks h = {&v, fake_begin, fake_end};
    struct admission *a = NULL;
    struct policy_set *p = NULL;
    struct admission_reply rep;
    struct diag_list dl;
    char path[512];
    char *clean, *del;
    size_t nclean = 0, ndel = 0;

    diag_list_init(&dl, "test");
    CHECK_INT_EQ(policy_load(&p, pol, sizeof(pol) - 1, "test", &dl),
                 RFG_OK);
    diag_list_cleanup(&dl);
    if (p)
        CHECK_INT_EQ(admission_new(&a, p, &h, devnull),
                     RFG_OK);
    snprintf(path, sizeof(path), "%s/review/create-clean.v1.request.json",
             RFG_TEST_DIR);
    clean = slurp(path, &nclean);
    snprintf(path, sizeof(path), "%s/review/delete.v1.request.json",
             RFG_TEST_DIR);
    del = slurp(path, &ndel);
    CHECK(a && clean && del);
    if (!a || !clean || !del)
        goto out;
    admission_handle(a, METRICS_VALIDATE, clean, nclean, &rep);
    CHECK_INT_EQ(rep.status, 200);
    CHECK_CONTAINS(rep.body, "cannot verify: cluster view not synced yet");
    free(rep.body);
    CHECK_INT_EQ(v.begins, 1);
    CHECK_INT_EQ(v.ends, 1);
    CHECK_INT_EQ(v.claims, 0);
    CHECK(v.last_validate && v.end_res);
    admission_handle(a, METRICS_VALIDATE, clean, nclean, &rep);
    CHECK_INT_EQ(v.claims, 1);
    CHECK_CONTAINS(rep.body, "\"allowed\":false");
    CHECK_CONTAINS(rep.body, "[sentinel-identity-shared] sentinel identity "
                             "(master mymaster, port 6379, password of "
                             "Secret shop/");
    CHECK_CONTAINS(rep.body, "is already claimed by RedisFailover other/x");
    free(rep.body);
    admission_handle(a, METRICS_MUTATE, clean, nclean, &rep);
    free(rep.body);
    CHECK_INT_EQ(v.begins, 3);
    CHECK_INT_EQ(v.claims, 1);
    CHECK_INT_EQ(v.ends, 3);
    CHECK(!v.last_validate);
    admission_handle(a, METRICS_VALIDATE, del, ndel, &rep);
    CHECK_CONTAINS(rep.body, "\"allowed\":true");
    free(rep.body);
    CHECK_INT_EQ(v.begins, 3);
    CHECK_INT_EQ(v.ends, 3);
out:
    free(clean);
    free(del);
    admission_free(a);
}

/* A policy swap applies to the next request. */
static void test_admission__set_policy(void)
{
    static const char pol[] =
        "apiVersion: rfguard.io/v1alpha1\nkind: Policy\nmetadata:\n"
        "  name: no-auth\nspec:\n  target: spotahome-v1.3\n"
        "  rules:\n    auth-required: off\n";
    struct admission *a = new_core(NULL, devnull);
    struct policy_set *p = NULL;
    struct admission_reply rep;
    struct diag_list dl;
    char path[512];
    char *body;
    size_t len = 0;

    snprintf(path, sizeof(path), "%s/review/create-unsafe.v1.request.json",
             RFG_TEST_DIR);
    body = slurp(path, &len);
    CHECK(a && body);
    if (!a || !body)
        goto out;
    admission_handle(a, METRICS_VALIDATE, body, len, &rep);
    CHECK_CONTAINS(rep.body, "[auth-required]");
    free(rep.body);
    diag_list_init(&dl, "test");
    CHECK_INT_EQ(policy_load(&p, pol, sizeof(pol) - 1, "test", &dl),
                 RFG_OK);
    diag_list_cleanup(&dl);
    if (!p)
        goto out;
    CHECK_INT_EQ(admission_set_policy(a, p), RFG_OK);
    admission_handle(a, METRICS_VALIDATE, body, len, &rep);
    CHECK(rep.body && !strstr(rep.body, "[auth-required]"));
    free(rep.body);
out:
    free(body);
    admission_free(a);
}

int main(void)
{
    int rc;

    devnull = fopen("/dev/null", "w");
    if (!devnull)
        return 1;
    RUN(test_admission__goldens);
    RUN(test_admission__log_and_metrics);
    RUN(test_admission__bad_body);
    RUN(test_admission__hooks);
    RUN(test_admission__set_policy);
    rc = CHECK_DONE();
    fclose(devnull);
    return rc;
}
