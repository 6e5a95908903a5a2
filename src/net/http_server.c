/* SPDX-License-Identifier: Apache-2.0
 *
 * http_server.c - libmicrohttpd daemon setup, routing and body buffering
 * (see http_server.h).
 *
 * Threads: MHD runs a poll() thread pool; the access handler and the
 * completion callback run on those threads; http_server_reload_tls and
 * the drain run on the caller's thread. Shared state is the in-flight
 * counter (C11 atomics), the TLS credential store and the connection
 * deadlines (each with its own mutex).
 *
 * Not here: the certificate store and its rotation (tls_creds.c), the
 * request deadline watchdog (conn_deadline.c), JSON, AdmissionReviews,
 * policies, metrics (the caller is told about refusals through
 * on_reject).
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "conn_deadline.h"
#include "sbuf.h"
#include "tls_creds.h"

/* Mozilla's "intermediate" profile: TLS 1.2 and 1.3, forward-secret
 * key exchange only (no static RSA), AEAD ciphers only (no CBC, so no
 * CBC-SHA1 suites). */
#define TLS_PRIORITIES                                                    \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"                         \
    "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"           \
    "-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA"
/* A body larger than the cap is read and dropped (to answer 413) up to
 * this multiple of the cap; beyond it the connection is closed. */
#define DISCARD_FACTOR 4

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;     /* pointers borrowed from the caller */
    struct tls_creds *tls;      /* owned; NULL = plain HTTP */
    char *trust_pem;            /* owned client CA PEM */
    size_t max_body;
    atomic_uint inflight;
    atomic_bool quiesced;
    int listen_fd;              /* returned by MHD_quiesce_daemon */
    unsigned port;
    struct conn_deadline *deadline;  /* owned; the slowloris defence */
};

/* One request: the route it matched and the body so far. */
struct req_state {
    const struct http_route *route;
    struct sbuf body;
    size_t received;
    int refuse;                 /* status to answer once the body ends */
};

int http_server_reload_tls(struct http_server *s, struct diag_list *dl)
{
    if (!s->tls)
        return 0;
    return tls_creds_reload(s->tls, dl);
}

bool http_server_tls_ready(struct http_server *s)
{
    return !s->tls || tls_creds_ready(s->tls);
}

int64_t http_server_cert_expiry(struct http_server *s)
{
    return s->tls ? tls_creds_expiry(s->tls) : 0;
}

int http_parse_listen(const char *s, char *host, size_t hostlen,
                      unsigned *port)
{
    const char *colon, *hs, *he;
    char *end;
    unsigned long p;

    if (!s || !*s)
        return RFG_EINVAL;
    if (s[0] == '[') {
        he = strchr(s, ']');
        if (!he || he[1] != ':')
            return RFG_EINVAL;
        hs = s + 1;
        colon = he + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return RFG_EINVAL;      /* bare IPv6 needs brackets */
        hs = s;
        he = colon;
    }
    if ((size_t)(he - hs) >= hostlen)
        return RFG_EINVAL;
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    if (!colon[1])
        return RFG_EINVAL;
    errno = 0;
    p = strtoul(colon + 1, &end, 10);
    if (errno || *end || p > 65535 || colon[1] == '-' || colon[1] == '+')
        return RFG_EINVAL;
    *port = (unsigned)p;
    return RFG_OK;
}

/* MHD's error log, as JSON lines like the rest of rfguard's output. */
static void mhd_log(void *cls, const char *fm, va_list ap)
    RFG_PRINTF(2, 0);
static void mhd_log(void *cls, const char *fm, va_list ap)
{
    char msg[400];
    struct sbuf b;
    size_t n;

    (void)cls;
    vsnprintf(msg, sizeof(msg), fm, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    sbuf_init(&b, 4096);
    if (!sbuf_adds(&b, "{\"level\":\"warn\",\"msg\":\"libmicrohttpd\","
                       "\"detail\":") &&
        !sbuf_add_json_str(&b, msg) && !sbuf_adds(&b, "}\n"))
        fputs(sbuf_str(&b), stderr);
    sbuf_cleanup(&b);
}

static char empty_body[1];

/* Queue `body` (owned; may be NULL) with `status`. */
static enum MHD_Result send_reply(struct http_server *s,
                                  struct MHD_Connection *conn, int status,
                                  char *body, size_t len, const char *ctype,
                                  const char *allow)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = body ? MHD_create_response_from_buffer(len, body,
                                               MHD_RESPMEM_MUST_FREE)
             : MHD_create_response_from_buffer(0, empty_body,
                                               MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                  ctype ? ctype : "application/json");
    if (allow)
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (atomic_load(&s->quiesced))
        (void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
                                      "close");
    ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A refusal the server makes itself: a small JSON body with the reason. */
static enum MHD_Result refuse(struct http_server *s,
                              struct MHD_Connection *conn, const char *path,
                              int status, const char *allow)
{
    const char *reason, *msg;
    char buf[256];
    char *body;
    int n;

    switch (status) {
    case 404:
        reason = "NotFound";
        msg = "no such path";
        break;
    case 405:
        reason = "MethodNotAllowed";
        msg = "method not allowed";
        break;
    case 413:
        reason = "RequestEntityTooLarge";
        msg = "request body too large";
        break;
    case 415:
        reason = "UnsupportedMediaType";
        msg = "Content-Type must be application/json";
        break;
    case 403:
        reason = "Forbidden";
        msg = "a valid client certificate is required";
        break;
    default:
        reason = "BadRequest";
        msg = "bad request";
        break;
    }
    if (s->cfg.on_reject)
        s->cfg.on_reject(s->cfg.reject_arg, path, status);
    n = snprintf(buf, sizeof(buf),
                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                 "\"Failure\",\"code\":%d,\"reason\":\"%s\",\"message\":"
                 "\"%s\"}\n", status, reason, msg);
    body = malloc((size_t)n + 1);
    if (!body)
        return MHD_NO;
    memcpy(body, buf, (size_t)n + 1);
    return send_reply(s, conn, status, body, (size_t)n, NULL, allow);
}

/* application/json, optionally with parameters (charset=utf-8). */
static bool is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (!ct || strncasecmp(ct, "application/json", n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* With --client-ca: the peer presented a certificate that verifies. */
static bool client_ok(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return false;
    return tls_creds_client_verified(ci->tls_session);
}

/* First call for a request: route it and check what can be checked
 * before the body arrives. Returns the status to refuse with, or 0. */
static int precheck(struct http_server *s, struct MHD_Connection *conn,
                    const char *url, const char *method,
                    struct req_state *rs, const char **allow)
{
    const struct http_route *r = NULL;
    const char *cl, *ct;
    size_t i;

    for (i = 0; i < s->cfg.nroutes; i++) {
        if (!strcmp(s->cfg.routes[i].path, url)) {
            r = &s->cfg.routes[i];
            break;
        }
    }
    if (!r)
        return 404;
    rs->route = r;
    if (strcmp(method, r->method) != 0 &&
        !(strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0)) {
        *allow = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
        return 405;
    }
    if (s->cfg.client_ca_file && !client_ok(conn))
        return 403;
    if (!r->json_body)
        return 0;
    ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                     MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_json_type(ct))
        return 415;
    cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(cl, &end, 10);
        if (errno || *end || v > s->max_body)
            return 413;
        /* the body in one allocation, not a doubling series */
        (void)sbuf_reserve(&rs->body, (size_t)v);
    }
    return 0;
}

/* ---- request deadline (slowloris) ---- */

/* Start tracking a new connection; NULL if out of memory (then only the
 * idle timeout applies to it). */
static struct conn_track *conn_track(struct http_server *s,
                                     struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return NULL;
    return conn_deadline_track(s->deadline, ci->connect_fd);
}

/* Restart the deadline of the connection `conn`. */
static void conn_mark(struct http_server *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_deadline_mark(s->deadline, ci ? ci->socket_context : NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_size, void **con_cls)
{
    struct http_server *s = cls;
    struct req_state *rs = *con_cls;
    struct http_request req;
    struct http_reply rep;
    const char *allow = NULL;
    int st;

    (void)version;
    if (!rs) {
        conn_mark(s, conn);         /* headers complete: body next */
        rs = calloc(1, sizeof(*rs));
        if (!rs)
            return MHD_NO;
        sbuf_init(&rs->body, s->max_body);
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = rs;
        st = precheck(s, conn, url, method, rs, &allow);
        if (st)
            return refuse(s, conn, url, st, allow);
        return MHD_YES;
    }
    if (*upload_size) {
        rs->received += *upload_size;
        if (!rs->refuse &&
            sbuf_add(&rs->body, upload_data, *upload_size) != RFG_OK) {
            rs->refuse = 413;
            sbuf_cleanup(&rs->body);
        }
        *upload_size = 0;
        if (rs->received / DISCARD_FACTOR > s->max_body)
            return MHD_NO;          /* stop reading an endless body */
        return MHD_YES;
    }
    if (rs->refuse)
        return refuse(s, conn, url, rs->refuse, NULL);
    memset(&rep, 0, sizeof(rep));
    req.method = method;
    req.path = url;
    req.body = rs->body.len ? rs->body.p : NULL;
    req.len = rs->body.len;
    rs->route->fn(rs->route->arg, &req, &rep);
    return send_reply(s, conn, rep.status ? rep.status : 200, rep.body,
                      rep.len, rep.content_type, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct req_state *rs = *con_cls;

    (void)toe;
    conn_mark(s, conn);             /* done: the next request's turn */
    if (!rs)
        return;
    sbuf_cleanup(&rs->body);
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* With --client-ca: make GnuTLS demand and verify a client certificate
 * during the handshake, so clients without one never get in. */
static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    const union MHD_ConnectionInfo *ci;

    if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        /* MHD tells before it closes the socket, so the watchdog never
         * shuts down a reused descriptor. */
        conn_deadline_untrack(s->deadline, *socket_context);
        *socket_context = NULL;
        return;
    }
    if (toe != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    *socket_context = conn_track(s, conn);
    if (!s->cfg.client_ca_file)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return;                     /* the handler checks anyway */
    tls_creds_client_require(ci->tls_session);
}

/* Resolve the host part into `ss`; empty host = any address. Returns
 * the address length, 0 for "any", or an error. */
static int resolve(struct sockaddr_storage *ss, const char *host,
                   unsigned port, struct diag_list *dl)
{
    struct addrinfo hints, *res = NULL;
    socklen_t len;
    int g;

    if (!host[0])
        return 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    g = getaddrinfo(host, NULL, &hints, &res);
    if (g != 0 || !res)
        return diag_fail(dl, RFG_EINVAL, NULL, "cannot resolve '%s': %s",
                         host, gai_strerror(g));
    len = res->ai_addrlen;
    memcpy(ss, res->ai_addr, len);
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    return (int)len;
}

static struct MHD_Daemon *start_daemon(struct http_server *s,
                                       unsigned flags, unsigned port,
                                       const struct sockaddr *sa,
                                       unsigned threads)
{
    const struct http_config *c = &s->cfg;
    struct MHD_OptionItem opts[5];
    size_t n = 0;

    /* Integer options go through an array so the pool size can be left
     * out for one thread (MHD warns about a pool of 0 or 1). */
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                        (intptr_t)c->conn_limit, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                        (intptr_t)c->timeout_s, NULL};
    opts[n++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                        (intptr_t)c->conn_limit_per_ip,
                                        NULL};
    if (threads > 1)
        opts[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE,
                                            (intptr_t)threads, NULL};
    opts[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    if (!s->tls)
        return MHD_start_daemon(
            flags, (uint16_t)port, NULL, NULL, &on_request, s,
            MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, s,
            MHD_OPTION_SOCK_ADDR, sa,
            MHD_OPTION_ARRAY, opts,
            MHD_OPTION_NOTIFY_COMPLETED, &on_completed, s,
            MHD_OPTION_NOTIFY_CONNECTION, &on_connection, s,
            MHD_OPTION_END);
    return MHD_start_daemon(
        flags | MHD_USE_TLS, (uint16_t)port, NULL, NULL, &on_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, &mhd_log, s,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_ARRAY, opts,
        MHD_OPTION_NOTIFY_COMPLETED, &on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, &on_connection, s,
        MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES,
        MHD_OPTION_HTTPS_CERT_CALLBACK, &tls_creds_cert_cb,
        MHD_OPTION_HTTPS_MEM_TRUST, s->trust_pem,
        MHD_OPTION_END);
}

int http_server_start(struct http_server **out, const struct http_config *cfg,
                      struct diag_list *dl)
{
    struct http_server *s = NULL;
    struct sockaddr_storage ss;
    const union MHD_DaemonInfo *di;
    char host[256];
    unsigned port, threads, flags;
    long ncpu;
    int rc, salen;

    *out = NULL;
    if (http_parse_listen(cfg->listen, host, sizeof(host), &port) != 0)
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "bad listen address '%s' (want HOST:PORT, :PORT "
                         "or [V6]:PORT)", cfg->listen ? cfg->listen : "");
    if (cfg->cert_file && tls_creds_published())
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "only one TLS server per process");
    s = calloc(1, sizeof(*s));
    if (!s)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    s->cfg = *cfg;
    s->listen_fd = -1;
    s->max_body = cfg->max_body ? cfg->max_body : HTTP_MAX_BODY_DEFAULT;
    if (!s->cfg.conn_limit)
        s->cfg.conn_limit = 1024;
    if (s->cfg.conn_limit_per_ip > s->cfg.conn_limit)
        s->cfg.conn_limit_per_ip = 0;   /* the total cap is lower anyway */
    if (!s->cfg.timeout_s)
        s->cfg.timeout_s = 10;
    atomic_init(&s->inflight, 0);
    atomic_init(&s->quiesced, false);
    if (cfg->cert_file) {
        if (!cfg->key_file) {
            rc = diag_fail(dl, RFG_EINVAL, NULL,
                           "a certificate needs its key (--tls-key)");
            goto out;
        }
        rc = tls_creds_new(&s->tls, cfg->cert_file, cfg->key_file,
                           3 * s->cfg.timeout_s > 120 ? 3 * s->cfg.timeout_s
                                                      : 120, dl);
        if (rc)
            goto out;
        rc = tls_creds_reload(s->tls, dl);
        if (rc < 0)
            goto out;
        if (!tls_creds_loaded(s->tls)) { /* never serve without one */
            rc = diag_fail(dl, RFG_EIO, NULL, "no certificate loaded from "
                           "%s", cfg->cert_file);
            goto out;
        }
        if (cfg->client_ca_file) {
            rc = tls_creds_read_pem(&s->trust_pem, cfg->client_ca_file, dl);
            if (rc)
                goto out;
        }
        rc = tls_creds_publish(s->tls);
        if (rc) {
            rc = diag_fail(dl, rc, NULL, "only one TLS server per process");
            goto out;
        }
    }
    rc = conn_deadline_start(&s->deadline,
                             HTTP_DEADLINE_FACTOR * s->cfg.timeout_s, dl);
    if (rc)
        goto out;
    salen = resolve(&ss, host, port, dl);
    if (salen < 0) {
        rc = salen;
        goto out;
    }
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cfg->threads ? cfg->threads
                           : (ncpu > 0 && ncpu < 256 ? (unsigned)ncpu : 1);
    /* poll(), not epoll: libmicrohttpd 0.9.75's epoll loop calls
     * epoll_wait again, with the timeout it computed before, whenever one
     * call returns a full batch of 128 events, and only then serves the
     * connections of that batch. When those were the last events (128
     * requests in one burst, every client now waiting for its answer),
     * the worker sleeps with the requests unanswered until a connection
     * times out or another event arrives. poll() is level-triggered and
     * serves every ready connection in each round. */
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC |
            MHD_USE_ERROR_LOG;
    if (salen > 0) {
        if (ss.ss_family == AF_INET6)
            flags |= MHD_USE_IPv6;
        s->d = start_daemon(s, flags, port, (const struct sockaddr *)&ss,
                            threads);
    } else {
        /* Any address: dual stack where IPv6 exists, else IPv4. */
        s->d = start_daemon(s, flags | MHD_USE_DUAL_STACK, port, NULL,
                            threads);
        if (!s->d)
            s->d = start_daemon(s, flags, port, NULL, threads);
    }
    if (!s->d) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot listen on %s",
                       cfg->listen);
        goto out;
    }
    di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    *out = s;
    s = NULL;
    rc = RFG_OK;
out:
    http_server_free(s);
    return rc;
}

unsigned http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_quiesce(struct http_server *s)
{
    if (!s || atomic_exchange(&s->quiesced, true))
        return;
    s->listen_fd = (int)MHD_quiesce_daemon(s->d);
}

unsigned http_server_inflight(struct http_server *s)
{
    return atomic_load(&s->inflight);
}

bool http_server_drain(struct http_server *s, unsigned timeout_ms)
{
    struct timespec ts = {0, 10 * 1000 * 1000};
    unsigned waited = 0;

    while (atomic_load(&s->inflight) > 0) {
        if (waited >= timeout_ms)
            return false;
        nanosleep(&ts, NULL);
        waited += 10;
    }
    return true;
}

void http_server_free(struct http_server *s)
{
    if (!s)
        return;
    if (s->d)
        MHD_stop_daemon(s->d);  /* untracks every connection it closes */
    conn_deadline_free(s->deadline);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    tls_creds_free(s->tls);     /* after the daemon: no handshake left */
    free(s->trust_pem);
    free(s);
}
