/* SPDX-License-Identifier: Apache-2.0
 *
 * lease.h - cluster-wide claims on sentinel identities, so that webhook
 * replicas that admit two same-named failovers at the same moment admit
 * exactly one. A claim is a coordination.k8s.io/v1 Lease in rfguard's own
 * namespace named "rfguard-id-<first 20 hex of SHA-256(identity)>", with
 * holderIdentity "<namespace>/<name>" of the failover and the identity in
 * an annotation. Creating it is atomic in the API server: 201 means ours,
 * 409 AlreadyExists means someone holds it (ours again if the holder is
 * the same failover). A background reconcile deletes claims whose holder
 * is gone, with a resourceVersion precondition so a claim re-taken in the
 * meantime survives. No rule logic here: callers say what to claim.
 *
 * Every call of a claim ends by one deadline. A create cut off by it may
 * still land in the API server: lease_claim then says LEASE_UNSURE, and
 * a caller that does not admit the failover releases the claim later
 * with lease_release(), which deletes it only if it still carries the
 * claim id of that attempt (an annotation), so a claim taken again since
 * by a later review is never lost.
 */
#ifndef RFG_LEASE_H
#define RFG_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "kclient.h"

#define LEASE_NAME_PREFIX "rfguard-id-"
#define LEASE_LABEL "app.kubernetes.io/managed-by"
#define LEASE_LABEL_VALUE "rfguard"
#define LEASE_ANNOTATION "rfguard.io/identity"
#define LEASE_CLAIM_ID_ANNOTATION "rfguard.io/claim-id"
/* lease_claim's `err` when the deadline ran out. */
#define LEASE_ERR_DEADLINE "the API server did not answer in time"
#define LEASE_CLAIM_ID_LEN 33  /* 32 hex digits and a NUL */

/* A fresh random claim id (LEASE_CLAIM_ID_LEN bytes) into out. */
void lease_new_claim_id(char out[LEASE_CLAIM_ID_LEN]);

/* Lease name for `identity` into out (at least 40 bytes). */
void lease_name(char *out, size_t len, const char *identity);

/* Decide whether the claim (identity, holder) still stands. Called on
 * the caller's thread with borrowed strings. */
typedef bool (*lease_keep_fn)(void *arg, const char *identity,
                              const char *holder);

enum lease_result {
    LEASE_CLAIMED = 0,     /* created now, or already held by `holder` */
    LEASE_TAKEN = 1,       /* held by another failover: see `other` */
    LEASE_UNAVAILABLE = 2, /* the API server did not say: see `err` */
    LEASE_UNSURE = 3       /* as UNAVAILABLE, but a write got no answer
                              and may have landed: if the failover is not
                              admitted, lease_release() the claim id */
};

struct lease_claim_opts {
    const char *ns;            /* rfguard's namespace */
    const char *identity;      /* e.g. "master/cache" */
    const char *holder;        /* "<namespace>/<name>" of the failover */
    uint64_t until_ms;         /* rfg_mono_ms() by which every API
                                  call has ended; 0 = 2000 ms from now */
    const char *claim_id;      /* written to the claim; may be NULL */
    bool adopt;                /* a claim `holder` already has under
                                  another claim id is rewritten to ours
                                  (one update), so a release pending for
                                  the old id cannot delete it: set on
                                  CREATE, where that claim may be the
                                  leftover of a denied review */
    unsigned grace_s;          /* a stale claim older than this whose
                                  holder `keep` rejects is taken over */
    lease_keep_fn keep;        /* may be NULL: never take over */
    void *keep_arg;
    bool dry_run;              /* only look: a GET, never a write */
};

/* Claim an identity (with dry_run: say whether a claim would succeed,
 * changing nothing). Returns an enum lease_result (>= 0), or RFG_ENOMEM.
 * `other` gets the holder on LEASE_TAKEN; `err` the reason on
 * LEASE_UNAVAILABLE. */
int lease_claim(struct kclient *kc, const struct lease_claim_opts *o,
                char *other, size_t otherlen, char *err, size_t errlen)
    RFG_MUST_CHECK;

enum lease_release_result {
    LEASE_RELEASED = 0,        /* deleted */
    LEASE_RELEASE_NONE = 1,    /* nothing to do: another claim id holds
                                  it, or `keep` keeps it */
    LEASE_RELEASE_ABSENT = 2,  /* no such Lease (yet): a late create may
                                  still land */
    LEASE_RELEASE_RETRY = 3    /* no answer, or it changed: err says why */
};

/* Delete the Lease `name` in `ns` if it still carries `claim_id` and
 * `keep` (may be NULL) does not keep its (identity, holder): a GET, then
 * a DELETE with a resourceVersion precondition. Each call ends within
 * `deadline_ms`. Returns an enum lease_release_result or RFG_ENOMEM. */
int lease_release(struct kclient *kc, const char *ns, const char *name,
                  const char *claim_id, lease_keep_fn keep, void *arg,
                  unsigned deadline_ms, char *err, size_t errlen)
    RFG_MUST_CHECK;

/* Delete rfguard's claims in `ns` that `keep` rejects and that are older
 * than `grace_s`. *released counts them. Returns RFG_OK, RFG_EUPSTREAM
 * (err says why) or RFG_ENOMEM. */
int lease_reconcile(struct kclient *kc, const char *ns, unsigned grace_s,
                    lease_keep_fn keep, void *arg, unsigned *released,
                    char *err, size_t errlen) RFG_MUST_CHECK;

/* Parse an RFC 3339 UTC time ("2006-01-02T15:04:05Z", optional
 * fraction) into Unix seconds; -1 if malformed. */
int64_t lease_parse_time(const char *s);

#endif
