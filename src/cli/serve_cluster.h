/* SPDX-License-Identifier: Apache-2.0
 *
 * serve_cluster.h - the cluster side of `rfguard serve`: its command-line
 * options, the API client and watch-fed cache behind them, the snapshot
 * a request evaluates against, "cannot verify" when the view is stale,
 * and the Lease claims that make master names and Spotahome sentinel
 * identities unique across webhook replicas (with a background
 * reconcile that releases claims whose failover is gone, and a prompt
 * release of claims whose review was denied). The API calls of one
 * review share one deadline (--api-deadline). The schema of the
 * installed RedisFailover CRD, read at start and on every change (a
 * watch), replaces the compiled-in ones (schema.h), so pruning is
 * judged as this cluster's API server does. cmd_serve.c starts and
 * stops it and hands its hooks to the admission core; the HTTP side
 * knows nothing of them.
 */
#ifndef RFG_SERVE_CLUSTER_H
#define RFG_SERVE_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "admission.h"
#include "diag.h"
#include "rules.h"

struct serve_cluster_opts {
    const char *kubeconfig;    /* borrowed from argv */
    const char *context;
    const char *ns;            /* rfguard's namespace (Leases) */
    int mode;                  /* 0 auto, 1 in-cluster, 2 off */
    unsigned stale_ms;         /* 0 = 3000 */
    unsigned claim_grace_s;    /* 0 = 60 */
    unsigned reconcile_s;      /* 0 = 30 */
    unsigned watch_timeout_s;  /* 0 = 300 */
    unsigned api_deadline_ms;  /* every API call of a review; 0 = 2000 */
    unsigned crd_poll_ms;      /* --crd-poll: deprecated, ignored (the CRD
                                  is watched); non-zero = given */
};

void serve_cluster_opts_init(struct serve_cluster_opts *o);
/* If argv[*i] is a cluster option, consume it (and its value) and return
 * 1; 0 if it is not one; -1 on a bad value (message on stderr). */
int serve_cluster_parse_opt(struct serve_cluster_opts *o, int argc,
                            char **argv, int *i);
void serve_cluster_usage(FILE *f);

typedef void (*serve_cluster_log_fn)(const char *level, const char *msg,
                                     const char *key, const char *val);

struct serve_cluster;

/* Start the API client, cache and reconcile thread, or do nothing (*out
 * NULL) when no cluster is configured or detected. Call before signals
 * are waited for but after they are blocked. */
int serve_cluster_start(struct serve_cluster **out,
                        const struct serve_cluster_opts *o,
                        serve_cluster_log_fn log, struct diag_list *dl)
    RFG_MUST_CHECK;
void serve_cluster_stop(struct serve_cluster *sc);
/* The API client and the watch-fed cache of a started view (borrowed;
 * valid until serve_cluster_stop), for the background audit. */
struct kclient;
struct kcache;
struct kclient *serve_cluster_client(struct serve_cluster *sc);
struct kcache *serve_cluster_cache(struct serve_cluster *sc);

/* True when there is no cluster view, or after its first full sync. */
bool serve_cluster_ready(struct serve_cluster *sc);

/* Point `h` at the cluster view's admission hooks (see admission.h):
 * per request, a snapshot for the rules (or "cannot verify" when the
 * view is stale) and, on /validate, the rules' claim hook: when the
 * view shows no conflict and nothing earlier denied the failover,
 * master-name-clusterwide-unique claims its master name and
 * sentinel-identity-shared (when it denies) its sentinel identity
 * (redis port and auth Secret) with a Lease. A claim held by another
 * failover, or one that cannot be made by the review's deadline (the
 * rule's onUnavailable decides), is that rule's finding; a claim made
 * by a review that ends denied is released again. On dryRun it only
 * reads the claim (no write), so the verdict matches the real
 * request's. With no cluster view (`sc` NULL), `h` is left as it is.
 * `sc` must outlive every request that uses `h`. */
void serve_cluster_hooks(struct serve_cluster *sc, struct admission_hooks *h);

#endif
