/* SPDX-License-Identifier: Apache-2.0
 *
 * sentinels.h - find the sentinel merges that have already happened. From
 * a Kubernetes List holding RedisFailovers and their pods (as `kubectl get
 * redisfailovers,pods -A -o json` prints it), sentinels_plan says which
 * sentinel pods to ask and about which master; from what they answered
 * (fetched by the caller, see sprobe.h), sentinels_judge maps every
 * address back to the pod that has it, and so to its failover, and
 * writes findings into a lint report:
 *
 *   sentinel-merged (deny)      the master, a replica or a sentinel this
 *                               group knows belongs to another failover
 *   sentinel-stale (warn)       an address no pod has
 *   sentinel-split-view (warn)  the sentinels of a failover name
 *                               different masters
 *   sentinel-extra (warn)       more replicas or sentinels known than the
 *                               spec has
 *   sentinel-unreachable (warn) a sentinel could not be asked
 *   sentinel-unknown-master (warn) a sentinel monitors another master name
 *
 * plus, per failover, whether it is merged, with whom, and the clean-up
 * procedure to print. Only RedisFailovers are checked (not the OpsTree
 * kinds). Pure: no I/O, no clock; rfguard only ever reads from Redis.
 */
#ifndef RFG_SENTINELS_H
#define RFG_SENTINELS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "report.h"
#include "rf.h"

/* The rule ids, as every output format names them. */
#define SENTINELS_RULE_MERGED "sentinel-merged"
#define SENTINELS_RULE_STALE "sentinel-stale"
#define SENTINELS_RULE_SPLIT "sentinel-split-view"
#define SENTINELS_RULE_EXTRA "sentinel-extra"
#define SENTINELS_RULE_UNREACHABLE "sentinel-unreachable"
#define SENTINELS_RULE_UNKNOWN_MASTER "sentinel-unknown-master"
/* Where the clean-up procedure comes from. */
#define SENTINELS_DOC_URL \
    "https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/"
#define SENTINELS_DEFAULT_KEY "password"

struct sentinels_opts {
    enum rf_target target;      /* for the master name (freshworks-v3.3
                                   disableMyMaster); 0 = the default */
    unsigned sentinel_port;     /* 0 = RF_SENTINEL_PORT */
    const char *ns;             /* only this namespace's failovers;
                                   NULL = all. Pods of every namespace
                                   still map addresses. */
    const char *selector;       /* label selector of the failovers
                                   (audit_selector_check); NULL or "" =
                                   all */
    const char *password_secret;/* a Secret in each failover's namespace
                                   holding the sentinels' password; NULL
                                   = no AUTH */
    const char *password_key;   /* its key; NULL = SENTINELS_DEFAULT_KEY */
};

/* A redis or sentinel pod of any failover (labelled part-of
 * redis-failover, with a name and a component label) that has an IP. */
struct sentinels_pod {
    char *ns, *name;            /* owned */
    char *failover;             /* owned; app.kubernetes.io/name */
    enum rf_component comp;
    char *ip;                   /* owned; status.podIP */
    int port;                   /* its redis port (spec.redis.port of its
                                   failover) or sentinel port; 0 when its
                                   failover is not in the List */
    bool running;               /* status.phase Running */
};

/* A selected RedisFailover. */
struct sentinels_failover {
    char *ns, *name;            /* owned */
    char *api_version, *uid;    /* owned; "" when absent */
    char *master;               /* owned; the master name its sentinels
                                   use (rf_master_name) */
    int redis_port;             /* rf_redis_port */
    int redis_replicas;         /* rf_replicas */
    int sentinel_replicas;
    char *secret, *key;         /* owned; the password's Secret and key
                                   in ns, NULL without --password-secret */
};

/* One sentinel pod to ask: a Running sentinel pod of a failover. */
struct sentinels_ask {
    size_t rf;                  /* index into plan.rfs */
    char *pod;                  /* owned pod name (in the failover's ns) */
    char *ip;                   /* owned */
    int port;                   /* the sentinel port */
};

struct sentinels_plan {
    struct sentinels_failover *rfs;  /* owned, in the order of the List */
    size_t nrfs;
    struct sentinels_ask *asks;      /* owned, grouped by failover */
    size_t nasks;
    struct sentinels_pod *pods;      /* owned, every namespace */
    size_t npods;
};

/* Fill `out` from `list` (a `kind: *List` with items, or one object).
 * Items other than RedisFailovers, pods and Secrets are ignored. Returns
 * RFG_OK, RFG_EINVAL (a bad selector, with why in err) or RFG_ENOMEM. */
int sentinels_plan(struct sentinels_plan *out, const cJSON *list,
                   const struct sentinels_opts *o, char *err,
                   size_t errlen) RFG_MUST_CHECK;
void sentinels_plan_cleanup(struct sentinels_plan *p);

/* The value of key `key` of Secret ns/name in `list` (its data, base64,
 * or stringData), into *out (owned, NUL-terminated; the caller wipes and
 * frees it). RFG_OK, RFG_ENOTFOUND (no such Secret or key), RFG_EPARSE
 * (not base64) or RFG_ENOMEM. */
int sentinels_secret_value(char **out, const cJSON *list, const char *ns,
                           const char *name, const char *key)
    RFG_MUST_CHECK;

/* One instance as a sentinel describes it. Borrowed. */
struct sentinels_addr {
    const char *ip;
    int port;
    const char *name;           /* SENTINEL MASTERS: the master name */
    const char *flags;          /* may be NULL */
};

/* What one sentinel (plan.asks[i]) answered. Borrowed; the has_* flags
 * say which questions were answered. */
struct sentinels_answer {
    const char *error;          /* NULL when every question was answered */
    bool has_master;
    struct sentinels_addr master;
    bool has_replicas;
    const struct sentinels_addr *replicas;
    size_t nreplicas;
    bool has_sentinels;
    const struct sentinels_addr *sentinels;
    size_t nsentinels;
    bool has_masters;
    const struct sentinels_addr *masters;
    size_t nmasters;
};

/* Per failover (plan.rfs[i]): what a report, a metric or a PolicyReport
 * needs besides the findings. */
struct sentinels_verdict {
    bool merged;                /* any sentinel-merged finding */
    char **others;              /* owned "ns/name" of the failovers it is
                                   merged with, sorted, unique */
    size_t nothers;
    char **procedure;           /* owned; when merged, the clean-up steps
                                   in order, one string each */
    size_t nprocedure;
    size_t findings;            /* its findings of every rule */
};

struct sentinels_result {
    struct sentinels_verdict *v;  /* owned; plan.nrfs entries */
    size_t n;
    size_t merged;                /* how many failovers are merged */
    size_t asked, unreachable;    /* sentinels asked, and not answering */
};

/* Judge answers ans[0..plan.nasks) and add the findings to `rep` (file
 * `file`, no positions, object "ns/name", ordered by failover then
 * sentinel). Fills `out`. RFG_OK or RFG_ENOMEM. */
int sentinels_judge(struct sentinels_result *out, struct report *rep,
                    const struct sentinels_plan *plan,
                    const struct sentinels_answer *ans, const char *file)
    RFG_MUST_CHECK;
void sentinels_result_cleanup(struct sentinels_result *r);

#endif
