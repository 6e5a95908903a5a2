/* SPDX-License-Identifier: Apache-2.0
 *
 * admission.h - the admission core of `rfguard serve`: one AdmissionReview
 * body in, one HTTP status and response body out. It chains
 * review_decode -> rules_eval -> review_respond under the current policy,
 * counts the metrics and writes the request's log line. It owns the
 * policy in use (an immutable policy_set behind a refcount: a request
 * holds a reference for its evaluation, a reload swaps the pointer, the
 * last reference frees the old set) and the metrics, indexed by the rule
 * catalogue.
 *
 * It knows no sockets, TLS, threads or API server: what the network
 * layer adds (a cluster view, Lease claims) comes in through the hooks
 * below, so tests drive the core directly with request bytes. Every
 * call is thread-safe.
 */
#ifndef RFG_ADMISSION_H
#define RFG_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "metrics.h"
#include "policy.h"
#include "review.h"
#include "rules.h"

/* What the network layer provides per request. Every hook may be NULL.
 * When the cJSON arena hooks are installed (see arena.h), the cJSON
 * trees made on the request's thread between `begin` and `end` come from
 * an arena reset when the request is answered: a hook keeps nothing of
 * them (copy strings into memory of its own; snapshots and trees it
 * keeps must be built on another thread or under arena_use(NULL)). */
struct admission_hooks {
    void *arg;
    /* Before rules_eval: give the rules a cluster view (in->cv, a
     * snapshot held until `end`), or say why it is unavailable
     * (in->cv_unavailable), and the target the installed CRD implies
     * (in->target). *state (NULL on entry) is the hook's own per-request
     * data, handed to `end`. `validate` is false on /mutate: claims
     * that make identities unique across the cluster (in->claim) are
     * for /validate only. Returns RFG_OK, or RFG_ENOMEM with nothing
     * held (then `end` is not called and the request fails with 500). */
    int (*begin)(void *arg, void **state, struct rules_input *in,
                 const struct review_req *req, bool validate);
    /* Release what `begin` held; called once per `begin`. `res` is the
     * result of the evaluation (NULL if it failed): a review that ends
     * denied must not keep the claims it made. */
    void (*end)(void *arg, void *state, const struct rules_result *res);
};

struct admission_reply {
    int status;        /* HTTP status: 200, 400 or 500 */
    char *body;        /* owned by the caller (free()); NULL when even the
                          error body could not be built */
    size_t len;
};

struct admission;

/* A core that evaluates under `pol` (owned by the core from now on, also
 * when this fails). `hooks` (may be NULL, else borrowed for the core's
 * life) bring the cluster view; `log` (NULL = stderr) gets one line per
 * request. Returns RFG_OK or RFG_ENOMEM. */
int admission_new(struct admission **out, struct policy_set *pol,
                  const struct admission_hooks *hooks, FILE *log)
    RFG_MUST_CHECK;
void admission_free(struct admission *a);

/* Replace the policy with `pol` (owned by the core from now on, also
 * when this fails; then the old one stays). Requests in flight finish
 * under the policy they started with. Returns RFG_OK or RFG_ENOMEM. */
int admission_set_policy(struct admission *a, struct policy_set *pol)
    RFG_MUST_CHECK;

/* The core's metrics (borrowed), for the other counters the server
 * keeps (refusals, reloads, certificate expiry) and for rendering. */
struct metrics *admission_metrics(struct admission *a);

/* Answer one AdmissionReview POSTed to /validate (METRICS_VALIDATE) or
 * /mutate (METRICS_MUTATE): `len` bytes at `body` (no NUL needed). 200
 * with the response, 400 with a Status body for a body that is not an
 * AdmissionReview, 500 when out of memory. */
void admission_handle(struct admission *a, enum metrics_endpoint ep,
                      const char *body, size_t len,
                      struct admission_reply *rep);

#endif
