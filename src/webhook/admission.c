/* SPDX-License-Identifier: Apache-2.0
 *
 * admission.c - the admission core (see admission.h): decode, evaluate
 * under a referenced policy with what the hooks add (cluster view,
 * claims), respond, count and log. Not the HTTP server
 * (net/http_server.c) nor the cluster view (cli/serve_cluster.c), which
 * reach it only through the hooks.
 */
#include "admission.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "logline.h"

/* With the cJSON arena hooks installed (rfguard serve), a request's trees
 * (the decoded review, the fix's working copies, the patch) come from its
 * thread's arena, reset once the request is answered. The cap bounds what
 * one hostile 3 MiB body can hold there (past it the heap serves, and
 * every tree is deleted as usual); the kept chunk serves the next
 * ordinary request without a malloc. */
#define ARENA_MAX ((size_t)32 << 20)
#define ARENA_KEEP ((size_t)256 << 10)

struct pol_ref {
    struct policy_set *p;       /* owned */
    struct rules_plan *plan;    /* owned: p's lookups, resolved once */
    atomic_uint refs;
};

struct admission {
    pthread_mutex_t pol_mu;
    struct pol_ref *pol;        /* current; one reference held here */
    struct metrics *m;          /* owned */
    const struct rule_desc *catalog;
    size_t ncatalog;
    const char **rule_ids;      /* owned array of borrowed ids */
    const struct admission_hooks *hooks;  /* borrowed; may be NULL */
    FILE *log;                  /* borrowed; NULL = stderr */
};

/* ---- policy references ---- */

/* Take a reference on the current policy. */
static struct pol_ref *pol_get(struct admission *a)
{
    struct pol_ref *r;

    pthread_mutex_lock(&a->pol_mu);
    r = a->pol;
    atomic_fetch_add(&r->refs, 1);
    pthread_mutex_unlock(&a->pol_mu);
    return r;
}

/* Drop a reference; the last one frees the policy. */
static void pol_put(struct pol_ref *r)
{
    if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
        rules_plan_free(r->plan);
        policy_free(r->p);
        free(r);
    }
}

int admission_set_policy(struct admission *a, struct policy_set *p)
{
    struct pol_ref *r = calloc(1, sizeof(*r)), *old;

    if (!r || rules_plan_new(&r->plan, p)) {
        free(r);
        policy_free(p);
        return RFG_ENOMEM;
    }
    r->p = p;
    atomic_init(&r->refs, 1);
    pthread_mutex_lock(&a->pol_mu);
    old = a->pol;
    a->pol = r;
    pthread_mutex_unlock(&a->pol_mu);
    pol_put(old);
    return RFG_OK;
}

/* ---- life cycle ---- */

int admission_new(struct admission **out, struct policy_set *pol,
                  const struct admission_hooks *hooks, FILE *log)
{
    struct admission *a = calloc(1, sizeof(*a));
    size_t i;

    *out = NULL;
    if (!a) {
        policy_free(pol);
        return RFG_ENOMEM;
    }
    pthread_mutex_init(&a->pol_mu, NULL);
    a->hooks = hooks;
    a->log = log;
    if (admission_set_policy(a, pol) != RFG_OK)
        goto fail;
    a->catalog = rules_catalog(&a->ncatalog);
    a->rule_ids = calloc(a->ncatalog ? a->ncatalog : 1,
                         sizeof(*a->rule_ids));
    if (!a->rule_ids)
        goto fail;
    for (i = 0; i < a->ncatalog; i++)
        a->rule_ids[i] = a->catalog[i].id;
    a->m = metrics_new(a->rule_ids, a->ncatalog);
    if (!a->m)
        goto fail;
    *out = a;
    return RFG_OK;
fail:
    admission_free(a);
    return RFG_ENOMEM;
}

void admission_free(struct admission *a)
{
    if (!a)
        return;
    metrics_free(a->m);
    free(a->rule_ids);
    pol_put(a->pol);
    pthread_mutex_destroy(&a->pol_mu);
    free(a);
}

struct metrics *admission_metrics(struct admission *a)
{
    return a->m;
}

/* ---- one request ---- */

static int op_index(const struct review_req *req)
{
    return req ? (int)req->op : METRICS_NOPS - 1;
}

/* Answer a request that is not a usable AdmissionReview (or that we
 * failed on): 400 with the reason, or 500 when out of memory. */
static void fail_reply(struct admission *a, enum metrics_endpoint ep,
                       const struct review_req *req,
                       struct admission_reply *rep, int rc,
                       const char *reason, uint64_t t0)
{
    int code = rc == RFG_EPARSE || rc == RFG_EINVAL ? 400 : 500;
    uint64_t us = rfg_mono_us() - t0;

    free(rep->body);
    rep->body = NULL;
    rep->len = 0;
    rep->status = code;
    if (review_error_body(&rep->body, &rep->len, code,
                          code == 400 ? "BadRequest" : "InternalError",
                          reason) != RFG_OK) {
        rep->body = NULL;
        rep->len = 0;
    }
    metrics_admission(a->m, ep, op_index(req), METRICS_ERROR, us);
    logline_admission(a->log, ep, req, NULL, "error", reason, us);
}

/* Is `r` one of the catalogue's rules (the metrics' index)? */
static bool in_catalog(const struct admission *a, const struct rule_desc *r)
{
    return r && r >= a->catalog && r < a->catalog + a->ncatalog;
}

/* Findings and skips are counted on /validate only: one kubectl apply
 * goes through both endpoints and would otherwise count twice. */
static void count_findings(struct admission *a,
                           const struct rules_result *res)
{
    size_t i;

    for (i = 0; i < res->len; i++)
        if (in_catalog(a, res->v[i].rule))
            metrics_finding(a->m, (size_t)(res->v[i].rule - a->catalog),
                            res->v[i].sev == RFG_SEV_DENY);
    for (i = 0; i < res->nskipped; i++)
        if (in_catalog(a, res->skipped[i].rule))
            metrics_skip(a->m, (size_t)(res->skipped[i].rule - a->catalog));
}

void admission_handle(struct admission *a, enum metrics_endpoint ep,
                      const char *body, size_t len,
                      struct admission_reply *rep)
{
    const struct admission_hooks *h = a->hooks;
    struct arena *ar = NULL, *prev_ar = NULL;
    struct review_req *req = NULL;
    struct rules_result res;
    struct rules_input in;
    struct pol_ref *pol = NULL;
    struct diag_list dl;
    enum review_verdict verdict = REVIEW_SKIPPED;
    bool have_res = false, mutate = ep == METRICS_MUTATE, begun = false;
    uint64_t t0 = rfg_mono_us(), us;
    void *state = NULL;
    char reason[300];
    int rc;

    memset(rep, 0, sizeof(*rep));
    memset(&res, 0, sizeof(res));
    diag_list_init(&dl, NULL);
    /* Nothing built in the arena outlives this call: the reply, the log
     * line and the metrics are plain heap or stack, and the hooks copy
     * what they keep (see admission.h). */
    if (arena_hooks_installed() && (ar = arena_thread()) != NULL) {
        arena_set_limit(ar, ARENA_MAX);
        prev_ar = arena_use(ar);
    }
    rc = review_decode(&req, body, len, &dl);
    if (rc) {
        if (dl.len)
            snprintf(reason, sizeof(reason), "%s", dl.v[0].msg);
        else
            snprintf(reason, sizeof(reason), "%s", rfg_strerror(rc));
        fail_reply(a, ep, NULL, rep, rc, reason, t0);
        goto out;
    }
    /* dryRun: anything that records state for later requests (the
     * cluster-view claims) must skip when req->dry_run is set. */
    if (review_wants_eval(req)) {
        pol = pol_get(a);
        memset(&in, 0, sizeof(in));
        in.obj = req->object;
        in.old = req->op == RULES_UPDATE ? req->old_object : NULL;
        in.op = req->op;
        in.pol = pol->p;
        in.plan = pol->plan;
        in.cv = NULL;
        in.default_ns = req->ns;
        in.user = &req->user;
        in.want_fix = mutate && pol->p->mutations;
        if (h && h->begin) {
            rc = h->begin(h->arg, &state, &in, req, !mutate);
            if (rc) {
                fail_reply(a, ep, req, rep, rc, "cluster view failed", t0);
                goto out;
            }
            begun = true;
        }
        rc = rules_eval(&res, &in);
        if (rc) {
            fail_reply(a, ep, req, rep, rc, "rule evaluation failed", t0);
            goto out;
        }
        have_res = true;
    }
    rc = review_respond(&rep->body, &rep->len, &verdict, req,
                        have_res ? &res : NULL, mutate);
    if (rc) {
        fail_reply(a, ep, req, rep, rc, "cannot build the response", t0);
        goto out;
    }
    rep->status = 200;
    us = rfg_mono_us() - t0;
    metrics_admission(a->m, ep, op_index(req), (enum metrics_verdict)verdict,
                      us);
    if (!mutate && have_res)
        count_findings(a, &res);
    logline_admission(a->log, ep, req, have_res ? &res : NULL,
                      review_verdict_name(verdict), NULL, us);
out:
    if (begun && h->end)
        h->end(h->arg, state, have_res ? &res : NULL);
    if (have_res)
        rules_result_cleanup(&res);
    pol_put(pol);
    /* A tree wholly in the arena goes with it: no walk to free nothing. */
    if (req && ar && !arena_spilled(ar))
        req->root = NULL;
    review_req_free(req);
    diag_list_cleanup(&dl);
    if (ar) {
        arena_use(prev_ar);
        arena_reset(ar, ARENA_KEEP);
    }
}
