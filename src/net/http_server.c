/* SPDX-License-Identifier: Apache-2.0
 *
 * http_server.c - libmicrohttpd daemon setup, TLS credentials, routing and
 * body buffering (see http_server.h).
 *
 * Threads: MHD runs an epoll thread pool; the access handler and the
 * completion callback run on those threads; http_server_reload_tls and
 * the drain run on the caller's thread. Shared state is the in-flight
 * counter (C11 atomics) and the TLS credential store (a mutex).
 *
 * Certificate rotation: the serving credential is immutable once loaded.
 * GnuTLS asks for it during each handshake (certificate callback); a
 * reload swaps the current pointer and retires the old credential, which
 * is freed only after a grace period longer than any handshake can last
 * (handshakes are bounded by the connection timeout), so a handshake in
 * progress never sees it freed. After the handshake GnuTLS no longer
 * touches the key or the certificate.
 *
 * Not here: JSON, AdmissionReviews, policies, metrics (the caller is told
 * about refusals through on_reject).
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>

#include "sbuf.h"

/* Mozilla's "intermediate" profile: TLS 1.2 and 1.3, forward-secret
 * key exchange only (no static RSA), AEAD ciphers only (no CBC, so no
 * CBC-SHA1 suites). */
#define TLS_PRIORITIES                                                    \
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:"                         \
    "-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"           \
    "-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA:+DHE-RSA"
#define MAX_CHAIN 16
/* A body larger than the cap is read and dropped (to answer 413) up to
 * this multiple of the cap; beyond it the connection is closed. */
#define DISCARD_FACTOR 4

struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    bool valid;
};

struct tls_cred {
    gnutls_pcert_st pcerts[MAX_CHAIN];
    unsigned npcerts;
    gnutls_privkey_t key;
    int64_t not_after;
    struct tls_cred *next;      /* in the retired list */
    time_t retired_at;
};

struct tls_store {
    pthread_mutex_t mu;
    struct tls_cred *cur;       /* owned */
    struct tls_cred *retired;   /* owned list */
    struct file_id cert_id, key_id;  /* of the last load attempt */
    const char *cert_file, *key_file;  /* borrowed from the config */
    unsigned grace_s;
};

/* One open connection, for the request deadline (see watchdog_main). */
struct conn_track {
    int fd;
    struct timespec mark;       /* connection start, headers complete or
                                   last request done: the deadline runs
                                   from here */
    bool shut;                  /* shutdown() already sent */
    struct conn_track *prev, *next;
};

struct http_server {
    struct MHD_Daemon *d;
    struct http_config cfg;     /* pointers borrowed from the caller */
    struct tls_store tls;
    bool has_tls;
    char *trust_pem;            /* owned client CA PEM */
    size_t max_body;
    atomic_uint inflight;
    atomic_bool quiesced;
    int listen_fd;              /* returned by MHD_quiesce_daemon */
    unsigned port;
    /* Slowloris defence: MHD's timeout is an idle timeout, which a client
     * trickling one header byte per second never trips. Every connection
     * is listed here, and the watchdog thread shuts down any whose request
     * took longer than the deadline; MHD then sees the socket end and
     * closes the connection itself. */
    pthread_mutex_t ct_mu;
    pthread_cond_t ct_cv;       /* wakes the watchdog to stop */
    struct conn_track *conns;   /* owned list */
    bool ct_stop;
    bool ct_running;
    pthread_t ct_thr;
    unsigned deadline_s;
};

/* One request: the route it matched and the body so far. */
struct req_state {
    const struct http_route *route;
    struct sbuf body;
    size_t received;
    int refuse;                 /* status to answer once the body ends */
};

/* GnuTLS's certificate callback has no user pointer: the one TLS store of
 * the process. Set before the daemon starts, cleared after it stops. */
static struct tls_store *tls_global;

static void cred_free(struct tls_cred *c)
{
    unsigned i;

    if (!c)
        return;
    for (i = 0; i < c->npcerts; i++)
        gnutls_pcert_deinit(&c->pcerts[i]);
    if (c->key)
        gnutls_privkey_deinit(c->key);
    free(c);
}

/* Identity of `path` for change detection (follows symlinks, so the
 * ..data swap of a Kubernetes Secret volume shows up as a new inode).
 * A file that cannot be stat()ed gets valid = false and its errno in
 * `err`; two such ids are never equal, so a missing file is reported on
 * every check instead of looking unchanged. */
static struct file_id file_id_of(const char *path, int *err)
{
    struct file_id id;
    struct stat st;

    memset(&id, 0, sizeof(id));
    *err = 0;
    if (stat(path, &st) != 0) {
        *err = errno;
        return id;
    }
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = st.st_size;
    id.mtime = st.st_mtim;
    id.valid = true;
    return id;
}

static bool file_id_eq(const struct file_id *a, const struct file_id *b)
{
    return a->valid && b->valid && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* True when `key` is the private half of the certificate's public key. */
static bool key_matches(gnutls_privkey_t key, gnutls_pcert_st *pc)
{
    gnutls_pubkey_t pub = NULL;
    gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
    bool ok = false;

    if (gnutls_pubkey_init(&pub) < 0)
        return false;
    if (gnutls_pubkey_import_privkey(pub, key, 0, 0) >= 0 &&
        gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) >= 0 &&
        gnutls_pubkey_export2(pc->pubkey, GNUTLS_X509_FMT_DER, &b) >= 0)
        ok = a.size == b.size && !memcmp(a.data, b.data, a.size);
    gnutls_free(a.data);
    gnutls_free(b.data);
    gnutls_pubkey_deinit(pub);
    return ok;
}

/* Load cert + key files into a new credential. */
static int cred_load(struct tls_cred **out, const char *cert_file,
                     const char *key_file, struct diag_list *dl)
{
    struct tls_cred *c = NULL;
    gnutls_datum_t cd = {NULL, 0}, kd = {NULL, 0};
    gnutls_x509_crt_t crt = NULL;
    int rc, g;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    g = gnutls_load_file(cert_file, &cd);
    if (g < 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s", cert_file,
                       gnutls_strerror(g));
        goto out;
    }
    g = gnutls_load_file(key_file, &kd);
    if (g < 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s", key_file,
                       gnutls_strerror(g));
        goto out;
    }
    c->npcerts = MAX_CHAIN;
    g = gnutls_pcert_list_import_x509_raw(c->pcerts, &c->npcerts, &cd,
                                          GNUTLS_X509_FMT_PEM, 0);
    if (g < 0 || c->npcerts == 0) {
        c->npcerts = 0;
        rc = diag_fail(dl, RFG_EPARSE, NULL, "%s: no usable certificate: %s",
                       cert_file, gnutls_strerror(g));
        goto out;
    }
    g = gnutls_privkey_init(&c->key);
    if (g >= 0)
        g = gnutls_privkey_import_x509_raw(c->key, &kd, GNUTLS_X509_FMT_PEM,
                                           NULL, 0);
    if (g < 0) {
        rc = diag_fail(dl, RFG_EPARSE, NULL, "%s: no usable private key: %s",
                       key_file, gnutls_strerror(g));
        goto out;
    }
    if (!key_matches(c->key, &c->pcerts[0])) {
        rc = diag_fail(dl, RFG_EINVAL, NULL,
                       "%s does not match the key in %s", cert_file,
                       key_file);
        goto out;
    }
    if (gnutls_x509_crt_init(&crt) >= 0 &&
        gnutls_x509_crt_import(crt, &c->pcerts[0].cert,
                               GNUTLS_X509_FMT_DER) >= 0)
        c->not_after = (int64_t)gnutls_x509_crt_get_expiration_time(crt);
    *out = c;
    c = NULL;
    rc = RFG_OK;
out:
    if (crt)
        gnutls_x509_crt_deinit(crt);
    if (kd.data) {
        gnutls_memset(kd.data, 0, kd.size);
        gnutls_free(kd.data);
    }
    gnutls_free(cd.data);
    cred_free(c);
    return rc;
}

/* GnuTLS certificate callback (gnutls_certificate_retrieve_function2):
 * hand out the current credential. */
static int cert_cb(gnutls_session_t session, const gnutls_datum_t *req_ca,
                   int nreq, const gnutls_pk_algorithm_t *algos, int nalgos,
                   gnutls_pcert_st **pcert, unsigned int *npcert,
                   gnutls_privkey_t *key)
{
    struct tls_store *st = tls_global;
    struct tls_cred *c;

    (void)session;
    (void)req_ca;
    (void)nreq;
    (void)algos;
    (void)nalgos;
    if (!st)
        return -1;
    pthread_mutex_lock(&st->mu);
    c = st->cur;
    pthread_mutex_unlock(&st->mu);
    if (!c)
        return -1;
    *pcert = c->pcerts;
    *npcert = c->npcerts;
    *key = c->key;
    return 0;
}

int http_server_reload_tls(struct http_server *s, struct diag_list *dl)
{
    struct tls_store *st = &s->tls;
    struct tls_cred *c = NULL, **pp;
    struct file_id cid, kid;
    time_t now = time(NULL);
    int rc, cerr, kerr;

    if (!s->has_tls)
        return 0;
    /* Free retired credentials whose grace period is over. */
    pthread_mutex_lock(&st->mu);
    for (pp = &st->retired; *pp;) {
        if (now - (*pp)->retired_at >= (time_t)st->grace_s) {
            struct tls_cred *dead = *pp;

            *pp = dead->next;
            cred_free(dead);
        } else {
            pp = &(*pp)->next;
        }
    }
    pthread_mutex_unlock(&st->mu);
    cid = file_id_of(st->cert_file, &cerr);
    kid = file_id_of(st->key_file, &kerr);
    if (!cid.valid || !kid.valid) {
        bool was_ok = st->cert_id.valid && st->key_id.valid;

        /* Say it once per disappearance (and always at start). */
        st->cert_id = cid;
        st->key_id = kid;
        if (st->cur && !was_ok)
            return 0;
        return diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s",
                         cid.valid ? st->key_file : st->cert_file,
                         strerror(cid.valid ? kerr : cerr));
    }
    if (file_id_eq(&cid, &st->cert_id) && file_id_eq(&kid, &st->key_id))
        return 0;
    st->cert_id = cid;          /* try each change once */
    st->key_id = kid;
    rc = cred_load(&c, st->cert_file, st->key_file, dl);
    if (rc)
        return rc;
    pthread_mutex_lock(&st->mu);
    if (st->cur) {
        st->cur->retired_at = now;
        st->cur->next = st->retired;
        st->retired = st->cur;
    }
    st->cur = c;
    pthread_mutex_unlock(&st->mu);
    return 1;
}

bool http_server_tls_ready(struct http_server *s)
{
    struct tls_store *st = &s->tls;
    bool ok;

    if (!s->has_tls)
        return true;
    pthread_mutex_lock(&st->mu);
    ok = st->cur != NULL &&
         (st->cur->not_after <= 0 || st->cur->not_after > time(NULL));
    pthread_mutex_unlock(&st->mu);
    return ok;
}

int64_t http_server_cert_expiry(struct http_server *s)
{
    struct tls_store *st = &s->tls;
    int64_t t = 0;

    if (!s->has_tls)
        return 0;
    pthread_mutex_lock(&st->mu);
    if (st->cur)
        t = st->cur->not_after;
    pthread_mutex_unlock(&st->mu);
    return t;
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

/* A client certificate must be meant for TLS client authentication: an
 * extendedKeyUsage without clientAuth fails verification (a certificate
 * with no extendedKeyUsage at all is good for any purpose, RFC 5280). */
static unsigned char kp_client_auth[] = GNUTLS_KP_TLS_WWW_CLIENT;
static gnutls_typed_vdata_st client_purpose = {
    GNUTLS_DT_KEY_PURPOSE_OID, kp_client_auth, 0
};

/* With --client-ca: the peer presented a certificate that verifies. */
static bool client_ok(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;
    unsigned status = 0;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!ci || !ci->tls_session)
        return false;
    if (gnutls_certificate_verify_peers(ci->tls_session, &client_purpose, 1,
                                        &status) < 0)
        return false;
    return status == 0;
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
    struct conn_track *t;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->fd = ci->connect_fd;
    clock_gettime(CLOCK_MONOTONIC, &t->mark);
    pthread_mutex_lock(&s->ct_mu);
    t->next = s->conns;
    if (s->conns)
        s->conns->prev = t;
    s->conns = t;
    pthread_mutex_unlock(&s->ct_mu);
    return t;
}

/* Forget a closing connection. MHD calls this before it closes the
 * socket, so the watchdog never shuts down a reused descriptor. */
static void conn_untrack(struct http_server *s, struct conn_track *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&s->ct_mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        s->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&s->ct_mu);
    free(t);
}

/* Restart the deadline of the connection `conn`. */
static void conn_mark(struct http_server *s, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci;
    struct conn_track *t;

    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    t = ci ? ci->socket_context : NULL;
    if (!t)
        return;
    pthread_mutex_lock(&s->ct_mu);
    clock_gettime(CLOCK_MONOTONIC, &t->mark);
    pthread_mutex_unlock(&s->ct_mu);
}

/* Once a second, shut down every connection whose headers (or body, or
 * response) have taken longer than the deadline. */
static void *watchdog_main(void *arg)
{
    struct http_server *s = arg;
    struct conn_track *t;
    struct timespec now, wake;

    pthread_mutex_lock(&s->ct_mu);
    while (!s->ct_stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (t = s->conns; t; t = t->next)
            if (!t->shut && now.tv_sec - t->mark.tv_sec >
                                (time_t)s->deadline_s) {
                shutdown(t->fd, SHUT_RDWR);
                t->shut = true;
            }
        wake = now;
        wake.tv_sec += 1;
        pthread_cond_timedwait(&s->ct_cv, &s->ct_mu, &wake);
    }
    pthread_mutex_unlock(&s->ct_mu);
    return NULL;
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
        conn_untrack(s, *socket_context);
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
    gnutls_certificate_server_set_request(ci->tls_session,
                                          GNUTLS_CERT_REQUIRE);
    gnutls_session_set_verify_cert2(ci->tls_session, &client_purpose, 1, 0);
}

/* Read a small file into an owned NUL-ended string. */
static int read_small(char **out, const char *path, struct diag_list *dl)
{
    gnutls_datum_t d = {NULL, 0};
    char *s;
    int g = gnutls_load_file(path, &d);

    *out = NULL;
    if (g < 0)
        return diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s", path,
                         gnutls_strerror(g));
    s = malloc(d.size + 1);
    if (!s) {
        gnutls_free(d.data);
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    }
    memcpy(s, d.data, d.size);
    s[d.size] = '\0';
    gnutls_free(d.data);
    *out = s;
    return RFG_OK;
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
    if (!s->has_tls)
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
        MHD_OPTION_HTTPS_CERT_CALLBACK, &cert_cb,
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
    if (cfg->cert_file && tls_global)
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
    pthread_mutex_init(&s->tls.mu, NULL);
    pthread_mutex_init(&s->ct_mu, NULL);
    {
        pthread_condattr_t ca;

        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&s->ct_cv, &ca);
        pthread_condattr_destroy(&ca);
    }
    s->deadline_s = HTTP_DEADLINE_FACTOR * s->cfg.timeout_s;
    s->has_tls = cfg->cert_file != NULL;
    if (s->has_tls) {
        if (!cfg->key_file) {
            rc = diag_fail(dl, RFG_EINVAL, NULL,
                           "a certificate needs its key (--tls-key)");
            goto out;
        }
        s->tls.cert_file = cfg->cert_file;
        s->tls.key_file = cfg->key_file;
        s->tls.grace_s = 3 * s->cfg.timeout_s > 120 ? 3 * s->cfg.timeout_s
                                                    : 120;
        rc = http_server_reload_tls(s, dl);
        if (rc < 0)
            goto out;
        if (!s->tls.cur) {      /* never serve without a certificate */
            rc = diag_fail(dl, RFG_EIO, NULL, "no certificate loaded from "
                           "%s", cfg->cert_file);
            goto out;
        }
        if (cfg->client_ca_file) {
            rc = read_small(&s->trust_pem, cfg->client_ca_file, dl);
            if (rc)
                goto out;
        }
        tls_global = &s->tls;
    }
    salen = resolve(&ss, host, port, dl);
    if (salen < 0) {
        rc = salen;
        goto out;
    }
    ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cfg->threads ? cfg->threads
                           : (ncpu > 0 && ncpu < 256 ? (unsigned)ncpu : 1);
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
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
    if (pthread_create(&s->ct_thr, NULL, watchdog_main, s) != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot start a thread");
        goto out;
    }
    s->ct_running = true;
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
    struct tls_cred *c;

    if (!s)
        return;
    if (s->ct_running) {
        pthread_mutex_lock(&s->ct_mu);
        s->ct_stop = true;
        pthread_cond_signal(&s->ct_cv);
        pthread_mutex_unlock(&s->ct_mu);
        pthread_join(s->ct_thr, NULL);
    }
    if (s->d)
        MHD_stop_daemon(s->d);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (tls_global == &s->tls)
        tls_global = NULL;
    while ((c = s->tls.retired)) {
        s->tls.retired = c->next;
        cred_free(c);
    }
    cred_free(s->tls.cur);
    pthread_mutex_destroy(&s->tls.mu);
    pthread_cond_destroy(&s->ct_cv);
    pthread_mutex_destroy(&s->ct_mu);
    free(s->trust_pem);
    free(s);
}
