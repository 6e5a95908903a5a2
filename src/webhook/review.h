/* SPDX-License-Identifier: Apache-2.0
 *
 * review.h - the AdmissionReview codec. Decodes the bytes the API server
 * POSTs (admission.k8s.io/v1 or v1beta1) into a struct review_req, and
 * turns an engine result into the response in the same version: uid
 * echoed, every denying rule in status.message, warnings within the
 * Kubernetes budget (each < 120 characters, 4 KiB in total), and the
 * JSON Patch as base64 with patchType JSONPatch. It does not evaluate
 * rules, do I/O or know about HTTP; it is pure and thread-safe.
 */
#ifndef RFG_REVIEW_H
#define RFG_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "rules.h"
#include "sbuf.h"

/* The API server refuses write bodies over 3 MiB (3,145,728 bytes). */
#define REVIEW_MAX_BODY ((size_t)3 << 20)
/* No array in a request may hold more items: cJSON arrays are linked
 * lists, so the patch ops for an array cost O(index) each, and a 3 MiB
 * body could otherwise buy minutes of CPU. No RedisFailover field comes
 * near it. */
#define REVIEW_MAX_ITEMS 10000
/* Each warning is shorter than 120 characters (kubectl prints each on
 * one line) ... */
#define REVIEW_WARN_MAX_LEN 119
/* ... and all of them together, summary included, fit in 4 KiB. */
#define REVIEW_WARN_BUDGET 4096

enum review_version { REVIEW_V1 = 1, REVIEW_V1BETA1 = 2 };
#define REVIEW_API_V1 "admission.k8s.io/v1"
#define REVIEW_API_V1BETA1 "admission.k8s.io/v1beta1"

/* What the response said, for metrics and logs. */
enum review_verdict {
    REVIEW_ALLOWED = 0,    /* evaluated, nothing denied or patched */
    REVIEW_DENIED,
    REVIEW_PATCHED,        /* /mutate returned a non-empty patch */
    REVIEW_SKIPPED,        /* DELETE, CONNECT or a kind not checked */
    REVIEW_NVERDICTS
};

const char *review_verdict_name(enum review_verdict v);

struct review_req {
    cJSON *root;                /* owned: the parsed body */
    enum review_version version;
    const char *api_version;    /* borrowed: "admission.k8s.io/v1" ... */
    const char *uid;            /* borrowed from root */
    const char *group;          /* borrowed: request.kind.group or "" */
    const char *kind;           /* borrowed: request.kind.kind or "" */
    const char *operation;      /* borrowed: "CREATE" ... */
    enum rules_op op;
    const char *ns;             /* borrowed: request.namespace or "" */
    const char *name;           /* borrowed: request.name, else the
                                   object's metadata.name, else "" */
    const cJSON *object;        /* borrowed; NULL when absent or null */
    const cJSON *old_object;    /* borrowed; NULL when absent or null */
    bool dry_run;
    bool is_failover;           /* databases.spotahome.com RedisFailover */
    enum rf_kind rkind;         /* the kind rfguard checks (RedisFailover,
                                   OpsTree RedisSentinel or
                                   RedisReplication), 0 for any other */
    /* request.userInfo: who asks, for the policy's spec.skips. Borrowed
     * from root; user.name is NULL and user.groups NULL when absent. */
    struct policy_user user;
};

/* Parse `len` bytes (no NUL needed) into *out (owned by the caller, free
 * with review_req_free). Fails with RFG_EPARSE on malformed JSON or a NUL
 * character (\u0000 or a 0 byte) in any string or key, which cJSON would
 * cut short, and RFG_EINVAL on JSON that is not an AdmissionReview; dl
 * says why (for a NUL, with the JSON pointer of the string). A CREATE
 * or UPDATE of a kind rfguard checks must carry an object. request.userInfo
 * may be absent; when present, username is a string and groups a list
 * of strings. */
int review_decode(struct review_req **out, const char *body, size_t len,
                  struct diag_list *dl) RFG_MUST_CHECK;
void review_req_free(struct review_req *req);

/* True when the request goes to the engine: CREATE or UPDATE of a
 * RedisFailover, RedisSentinel or RedisReplication. Everything else is
 * allowed untouched. */
bool review_wants_eval(const struct review_req *req);

/* Build the AdmissionReview response for `req` into *out (malloc'd,
 * NUL-ended, owned by the caller; free()). `res` is the engine result or
 * NULL to allow untouched. For `mutate`, the response carries res->patch
 * (when non-empty) and, as warnings, the fixes held back on UPDATE
 * (res->held), and is never a denial; otherwise denials and warnings
 * come from the findings. *verdict (may be NULL) says what was sent.
 * Returns RFG_OK or RFG_ENOMEM. */
int review_respond(char **out, size_t *out_len,
                   enum review_verdict *verdict,
                   const struct review_req *req,
                   const struct rules_result *res, bool mutate)
    RFG_MUST_CHECK;

/* A Kubernetes-style Status body for a refused request (400, 413, ...):
 * {"kind":"Status","apiVersion":"v1","status":"Failure","code":..,
 *  "reason":..,"message":..}. Owned result (free()). */
int review_error_body(char **out, size_t *out_len, int code,
                      const char *reason, const char *message)
    RFG_MUST_CHECK;

/* Append the warnings array for `res` (a JSON array, "[]" when none):
 * "[rule-id] message", each within REVIEW_WARN_MAX_LEN bytes. A longer
 * one becomes "[rule-id] BRIEF (rfguard explain rule-id)", or
 * "[rule-id] BRIEF" (the message's brief: see rules_msg_brief); only
 * when even that is too long is it cut after its last whole word that
 * fits, ending in an ellipsis and " (rfguard explain rule-id)". All
 * within REVIEW_WARN_BUDGET bytes; what does not fit is summarised as
 * "... and N more warnings". Returns the number of warnings emitted in
 * *n (may be NULL). */
int review_warnings_json(struct sbuf *b, const struct rules_result *res,
                         size_t *n) RFG_MUST_CHECK;

#endif
