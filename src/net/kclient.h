/* SPDX-License-Identifier: Apache-2.0
 *
 * kclient.h - a small Kubernetes API client on libcurl (OpenSSL TLS). It
 * knows where the API server is and how to authenticate (in-cluster
 * service account, or a kubeconfig context: client certificate and key,
 * bearer token, CA data or file), and it sends requests with timeouts and
 * retries with jittered exponential backoff. It does not know about any
 * resource: paths and bodies come from the callers (kcache.c, lease.c).
 * Never logs or returns a token, a key or a Secret's value.
 *
 * Thread-safe: one struct kclient may be used by several threads at once;
 * each request uses its own curl handle. Call kclient_global_init() once
 * before any thread starts.
 */
#ifndef RFG_KCLIENT_H
#define RFG_KCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "diag.h"
#include "kubeconfig.h"      /* struct kclient_config */

struct kclient;

/* Once per process, before threads: curl_global_init. */
int kclient_global_init(void) RFG_MUST_CHECK;

/* Take the contents of `cfg` (it is left empty). */
int kclient_new(struct kclient **out, struct kclient_config *cfg,
                struct diag_list *dl) RFG_MUST_CHECK;
void kclient_free(struct kclient *kc);
/* Make requests in flight and later ones fail fast (shutdown). */
void kclient_abort(struct kclient *kc);
const char *kclient_server(const struct kclient *kc);
/* Namespace from the config (context or pod), or NULL. Borrowed. */
const char *kclient_namespace(const struct kclient *kc);

struct kclient_resp {
    long status;           /* HTTP status; 0 when there was no answer */
    char *body;            /* owned, NUL-ended; NULL when empty */
    size_t len;
    char err[200];         /* transport error or Status message */
    bool deadline;         /* no answer because deadline_ms ran out */
};

void kclient_resp_cleanup(struct kclient_resp *r);

enum kclient_flags {
    KCLIENT_NO_RETRY = 1u << 0,  /* one attempt only */
    KCLIENT_APPLY = 1u << 1      /* the body is a server-side apply patch
                                    (Content-Type application/
                                    apply-patch+yaml; JSON is YAML) */
};

/* Send `method` `path` (with query) and an optional JSON `body`. Retries
 * transport errors, 429 and 5xx with jittered backoff until `deadline_ms`
 * (0 = about 3 attempts within 30 s) has passed; a 401 re-reads a rotated
 * token once. The whole call, retries and backoff included, ends by
 * `deadline_ms`: each attempt gets only the time that is left. Returns
 * RFG_OK when the server answered (any status: see resp->status),
 * RFG_EUPSTREAM when it never did (resp->err says why; a request cut off
 * by the deadline may still have been acted on), RFG_ENOMEM or
 * RFG_ELIMIT (body over `max_body`, 0 = 64 MiB). */
int kclient_request(struct kclient *kc, const char *method, const char *path,
                    const char *body, unsigned deadline_ms, size_t max_body,
                    unsigned flags, struct kclient_resp *resp)
    RFG_MUST_CHECK;

/* Configure `h` for a GET of `path` with the client's TLS and
 * authentication (for streaming watches driven by the caller). *hdrs
 * (owned by the caller afterwards, curl_slist_free_all) holds the headers
 * and must outlive the transfer. */
int kclient_setup_get(struct kclient *kc, CURL *h, const char *path,
                      struct curl_slist **hdrs) RFG_MUST_CHECK;

/* "message" of a Kubernetes Status body, or "" (borrowed from `buf`). */
void kclient_status_message(const char *body, size_t len, char *buf,
                            size_t buflen);

/* Sleep for a jittered exponential backoff for attempt `n` (0-based):
 * uniformly random in [base*2^n/2, base*2^n], capped at `max_ms`. */
unsigned kclient_backoff_ms(unsigned n, unsigned base_ms, unsigned max_ms);

/* Percent-encode `s` for a query value into `b`. */
struct sbuf;
int kclient_query_escape(struct sbuf *b, const char *s) RFG_MUST_CHECK;

#endif
