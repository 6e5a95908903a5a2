/* SPDX-License-Identifier: Apache-2.0
 *
 * http_server.h - the HTTP(S) front of `rfguard serve`, on libmicrohttpd
 * with its GnuTLS: listening address, TLS 1.2+ with certificates re-read
 * from disk when they change, optional client-certificate verification,
 * routing by path and method, request bodies buffered up to a cap,
 * timeouts and connection limits, and a graceful drain. It answers 404,
 * 405, 413 and 415 itself and hands complete bodies to a handler. It
 * knows nothing of JSON, AdmissionReviews or policies.
 */
#ifndef RFG_HTTP_SERVER_H
#define RFG_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* Default body cap: the API server's own limit for write requests. */
#define HTTP_MAX_BODY_DEFAULT ((size_t)3 << 20)

struct http_request {
    const char *method;     /* borrowed */
    const char *path;       /* borrowed, without the query string */
    const char *body;       /* borrowed; NULL when there is none */
    size_t len;
};

struct http_reply {
    int status;             /* 0 = 200 */
    char *body;             /* owned by the server once set (free()) */
    size_t len;
    const char *content_type;  /* static; NULL = application/json */
};

/* Called on an MHD worker thread, possibly on several at once. */
typedef void (*http_handler_fn)(void *arg, const struct http_request *req,
                                struct http_reply *rep);
/* Told about every request the server refused on its own (404, 405, 413,
 * 415, 400 for unreadable bodies, 403 for client certificates). */
typedef void (*http_reject_fn)(void *arg, const char *path, int status);

struct http_route {
    const char *path;       /* exact match */
    const char *method;     /* "GET" (HEAD allowed too) or "POST" */
    bool json_body;         /* POST: require Content-Type application/json */
    http_handler_fn fn;
    void *arg;
};

/* See http_config.timeout_s. */
#define HTTP_DEADLINE_FACTOR 3

struct http_config {
    const char *listen;         /* "HOST:PORT", ":PORT" or "[::1]:PORT";
                                   port 0 picks a free one */
    const char *cert_file;      /* PEM; NULL = plain HTTP */
    const char *key_file;       /* PEM */
    const char *client_ca_file; /* PEM; NULL = no client certificates */
    const struct http_route *routes;  /* borrowed for the server's life */
    size_t nroutes;
    unsigned threads;           /* 0 = number of online CPUs */
    unsigned conn_limit;        /* 0 = 1024 */
    unsigned conn_limit_per_ip; /* connections one client address may
                                   hold; 0 = no limit but conn_limit */
    unsigned timeout_s;         /* idle/slow connection timeout; 0 = 10.
                                   A request must also arrive, be read
                                   and be answered within
                                   HTTP_DEADLINE_FACTOR * timeout_s, or
                                   its connection is closed (slowloris) */
    size_t max_body;            /* 0 = HTTP_MAX_BODY_DEFAULT */
    http_reject_fn on_reject;   /* may be NULL */
    void *reject_arg;
};

struct http_server;

/* Load the certificates and start listening. At most one TLS server per
 * process (GnuTLS's certificate callback has no user pointer). */
int http_server_start(struct http_server **out, const struct http_config *cfg,
                      struct diag_list *dl) RFG_MUST_CHECK;
/* The port actually bound (useful with port 0). */
unsigned http_server_port(const struct http_server *s);
/* Re-read the certificate and key if either file changed (inode, size or
 * mtime). Connections being set up keep the credential they started
 * with. Returns 1 when reloaded, 0 when unchanged, or an error (the old
 * credential stays in use). Call it at most about once a second. */
int http_server_reload_tls(struct http_server *s, struct diag_list *dl)
    RFG_MUST_CHECK;
/* notAfter of the serving certificate in use (Unix time), or 0. */
int64_t http_server_cert_expiry(struct http_server *s);

/* True when the server has a serving certificate that has not expired
 * (always true for a plain-HTTP server). */
bool http_server_tls_ready(struct http_server *s);
/* Stop accepting new connections; later responses close theirs. */
void http_server_quiesce(struct http_server *s);
/* Requests received but not yet answered. */
unsigned http_server_inflight(struct http_server *s);
/* Wait until no request is in flight or `timeout_ms` passed. Returns
 * true when drained. */
bool http_server_drain(struct http_server *s, unsigned timeout_ms);
/* Stop the daemon (dropping idle connections) and free everything. */
void http_server_free(struct http_server *s);

/* Split "HOST:PORT" / ":PORT" / "[V6]:PORT" into host (may be "") and
 * port. Returns RFG_OK or RFG_EINVAL. */
int http_parse_listen(const char *s, char *host, size_t hostlen,
                      unsigned *port) RFG_MUST_CHECK;

#endif
