/* SPDX-License-Identifier: Apache-2.0
 *
 * kclient.c - the Kubernetes API client: TLS and authentication on
 * libcurl, and requests with per-attempt timeouts and jittered
 * exponential backoff. Every request uses a fresh easy handle, so threads
 * never share one. It is not a watch loop (kcache_watch.c drives watches
 * with curl's multi interface through kclient_setup_get) and knows no
 * resource types.
 *
 * Secrets in memory: the bearer token and client key live in the struct
 * and are wiped when freed; they are never logged. The token file of a
 * service account is re-read when it changes on disk (the kubelet rotates
 * it) and after a 401.
 *
 * Not here: reading kubeconfig files and the in-cluster configuration
 * (kubeconfig.c).
 */
#include "kclient.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "clock.h"
#include "json.h"
#include "sbuf.h"

#define MAX_TOKEN (64 * 1024)

struct kclient {
    struct kclient_config cfg;
    pthread_mutex_t tok_mu;
    char *tok;             /* current token (owned, wiped on change) */
    struct timespec tok_mtime;
    off_t tok_size;
    ino_t tok_ino;
    atomic_bool aborted;
};

/* Free `p` after overwriting its `n` bytes. */
static void wipe_free(char *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

static void wipe_free_str(char *p)
{
    if (p)
        wipe_free(p, strlen(p));
}

/* ---- the client ---- */

int kclient_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? RFG_OK
                                                             : RFG_EIO;
}

int kclient_new(struct kclient **out, struct kclient_config *cfg,
                struct diag_list *dl)
{
    struct kclient *kc;

    *out = NULL;
    if (!cfg->server || strncmp(cfg->server, "http", 4) != 0)
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "API server URL must start with https://");
    kc = calloc(1, sizeof(*kc));
    if (!kc)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    kc->cfg = *cfg;
    memset(cfg, 0, sizeof(*cfg));
    if (!kc->cfg.timeout_ms)
        kc->cfg.timeout_ms = 10000;
    if (!kc->cfg.connect_timeout_ms)
        kc->cfg.connect_timeout_ms = 3000;
    pthread_mutex_init(&kc->tok_mu, NULL);
    atomic_init(&kc->aborted, false);
    *out = kc;
    return RFG_OK;
}

void kclient_free(struct kclient *kc)
{
    if (!kc)
        return;
    kclient_config_cleanup(&kc->cfg);
    wipe_free_str(kc->tok);
    pthread_mutex_destroy(&kc->tok_mu);
    free(kc);
}

void kclient_abort(struct kclient *kc)
{
    if (kc)
        atomic_store(&kc->aborted, true);
}

const char *kclient_server(const struct kclient *kc)
{
    return kc->cfg.server;
}

const char *kclient_namespace(const struct kclient *kc)
{
    return kc->cfg.ns;
}

void kclient_resp_cleanup(struct kclient_resp *r)
{
    if (!r)
        return;
    free(r->body);
    memset(r, 0, sizeof(*r));
}

/* Re-read the token file when it changed on disk (or when `force`).
 * Caller holds tok_mu. A read failure keeps the old token. */
static void token_refresh_locked(struct kclient *kc, bool force)
{
    struct stat st;
    char *t = NULL;

    if (!kc->cfg.token_file || stat(kc->cfg.token_file, &st) != 0)
        return;
    if (!force && kc->tok && st.st_ino == kc->tok_ino &&
        st.st_size == kc->tok_size &&
        st.st_mtim.tv_sec == kc->tok_mtime.tv_sec &&
        st.st_mtim.tv_nsec == kc->tok_mtime.tv_nsec)
        return;
    if (kclient_config_read_token(&t, kc->cfg.token_file) != RFG_OK)
        return;
    wipe_free_str(kc->tok);
    kc->tok = t;
    kc->tok_ino = st.st_ino;
    kc->tok_size = st.st_size;
    kc->tok_mtime = st.st_mtim;
}

/* Append "Authorization: Bearer ..." to *hdrs when there is a token. */
static int add_auth(struct kclient *kc, struct curl_slist **hdrs, bool force)
{
    const char *t;
    struct curl_slist *n;
    struct sbuf b;
    int rc = RFG_OK;

    pthread_mutex_lock(&kc->tok_mu);
    token_refresh_locked(kc, force);
    t = kc->cfg.token ? kc->cfg.token : kc->tok;
    if (t && *t) {
        sbuf_init(&b, MAX_TOKEN + 64);
        if (sbuf_printf(&b, "Authorization: Bearer %s", t)) {
            rc = RFG_ENOMEM;
        } else {
            n = curl_slist_append(*hdrs, b.p);
            if (n)
                *hdrs = n;
            else
                rc = RFG_ENOMEM;
        }
        if (b.p)
            OPENSSL_cleanse(b.p, b.len);
        sbuf_cleanup(&b);
    }
    pthread_mutex_unlock(&kc->tok_mu);
    return rc;
}

/* Wipe header values (the token) before freeing the list. */
static void free_headers(struct curl_slist *h)
{
    struct curl_slist *p;

    for (p = h; p; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(h);
}

static int on_progress(void *arg, curl_off_t dlt, curl_off_t dln,
                       curl_off_t ult, curl_off_t uln)
{
    struct kclient *kc = arg;

    (void)dlt;
    (void)dln;
    (void)ult;
    (void)uln;
    return atomic_load(&kc->aborted) ? 1 : 0;
}

/* libcurl's OpenSSL context: clear each TLS record's plaintext once it
 * has been read (the Secrets of list and watch bodies would otherwise
 * stay in OpenSSL's read buffers). Set only when curl's TLS library is
 * OpenSSL 3, whose SSL_CTX this is. */
static CURLcode on_ssl_ctx(CURL *h, void *sslctx, void *arg)
{
    (void)h;
    (void)arg;
    SSL_CTX_set_options((SSL_CTX *)sslctx, SSL_OP_CLEANSE_PLAINTEXT);
    return CURLE_OK;
}

static bool curl_uses_openssl3(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

    return v && v->ssl_version && !strncmp(v->ssl_version, "OpenSSL/3", 9);
}

static int setup(struct kclient *kc, CURL *h, const char *path,
                 struct curl_slist **hdrs, bool force_token)
{
    struct curl_blob blob;
    struct sbuf url;
    struct curl_slist *n;
    int rc;

    sbuf_init(&url, 64 * 1024);
    if (sbuf_printf(&url, "%s%s", kc->cfg.server, path)) {
        sbuf_cleanup(&url);
        return RFG_ENOMEM;
    }
    curl_easy_setopt(h, CURLOPT_URL, url.p);
    sbuf_cleanup(&url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* HTTP/1.1: bodies reach the write callbacks straight from curl's
     * receive buffer, which they wipe; HTTP/2 would keep stream copies. */
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    if (curl_uses_openssl3())
        curl_easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)kc->cfg.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 15L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 5L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "rfguard");
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (kc->cfg.insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (kc->cfg.ca_data) {
        blob.data = kc->cfg.ca_data;
        blob.len = kc->cfg.ca_len;
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    } else if (kc->cfg.ca_file) {
        curl_easy_setopt(h, CURLOPT_CAINFO, kc->cfg.ca_file);
    }
    if (kc->cfg.cert_data) {
        blob.data = kc->cfg.cert_data;
        blob.len = kc->cfg.cert_len;
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &blob);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    } else if (kc->cfg.cert_file) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, kc->cfg.cert_file);
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (kc->cfg.key_data) {
        blob.data = kc->cfg.key_data;
        blob.len = kc->cfg.key_len;
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &blob);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (kc->cfg.key_file) {
        curl_easy_setopt(h, CURLOPT_SSLKEY, kc->cfg.key_file);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, kc);
    n = curl_slist_append(*hdrs, "Accept: application/json");
    if (!n)
        return RFG_ENOMEM;
    *hdrs = n;
    rc = add_auth(kc, hdrs, force_token);
    if (rc)
        return rc;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
    return RFG_OK;
}

int kclient_setup_get(struct kclient *kc, CURL *h, const char *path,
                      struct curl_slist **hdrs)
{
    return setup(kc, h, path, hdrs, false);
}

struct body_sink {
    struct sbuf b;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct body_sink *s = arg;
    int rc = sbuf_add(&s->b, p, size * n);

    /* The body may hold Secrets: leave no copy in curl's buffer. */
    OPENSSL_cleanse(p, size * n);
    if (rc)
        return 0;  /* over the cap: curl fails with CURLE_WRITE_ERROR */
    return size * n;
}

void kclient_status_message(const char *body, size_t len, char *buf,
                            size_t buflen)
{
    cJSON *root;
    const char *m;

    buf[0] = '\0';
    if (!body || !len)
        return;
    root = cJSON_ParseWithLength(body, len);
    m = json_str(root, "message");
    if (m)
        snprintf(buf, buflen, "%s", m);
    cJSON_Delete(root);
}

unsigned kclient_backoff_ms(unsigned n, unsigned base_ms, unsigned max_ms)
{
    unsigned long long d = base_ms;
    unsigned r = 0;
    unsigned i;

    for (i = 0; i < n && d < max_ms; i++)
        d *= 2;
    if (d > max_ms)
        d = max_ms;
    if (d < 2)
        return (unsigned)d;
    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        r = (unsigned)clock();
    /* "equal jitter": half fixed, half random */
    return (unsigned)(d / 2 + r % (d / 2 + 1));
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static bool retryable_status(long st)
{
    return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

/* One attempt. Returns the curl result; fills resp. */
static CURLcode attempt(struct kclient *kc, const char *method,
                        const char *path, const char *body,
                        unsigned timeout_ms, size_t max_body,
                        bool force_token, unsigned flags,
                        struct kclient_resp *resp)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL, *n;
    struct body_sink sink;
    CURLcode cc = CURLE_OUT_OF_MEMORY;
    char errbuf[CURL_ERROR_SIZE];

    sbuf_init_sensitive(&sink.b, max_body);
    errbuf[0] = '\0';
    if (!h)
        goto out;
    if (setup(kc, h, path, &hdrs, force_token))
        goto out;
    if (body) {
        n = curl_slist_append(hdrs, flags & KCLIENT_APPLY
                                        ? "Content-Type: application/"
                                          "apply-patch+yaml"
                                        : "Content-Type: application/json");
        if (!n)
            goto out;
        hdrs = n;
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(h);
    resp->status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    if (cc != CURLE_OK) {
        resp->status = 0;
        snprintf(resp->err, sizeof(resp->err), "%s",
                 sink.b.failed == RFG_ELIMIT
                     ? "response body over the limit"
                     : errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    free(resp->body);
    resp->body = sbuf_take(&sink.b, &resp->len);
    if (resp->status >= 400)
        kclient_status_message(resp->body, resp->len, resp->err,
                               sizeof(resp->err));
out:
    if (cc == CURLE_WRITE_ERROR && sink.b.failed == RFG_ELIMIT)
        cc = CURLE_FILESIZE_EXCEEDED;
    sbuf_cleanup(&sink.b);
    free_headers(hdrs);
    if (h)
        curl_easy_cleanup(h);
    return cc;
}

int kclient_request(struct kclient *kc, const char *method, const char *path,
                    const char *body, unsigned deadline_ms, size_t max_body,
                    unsigned flags, struct kclient_resp *resp)
{
    uint64_t start = rfg_mono_ms(), now;
    unsigned n = 0, left, wait;
    bool force = false, reauth = false, cut = false, over = false;
    CURLcode cc = CURLE_OPERATION_TIMEDOUT;

    memset(resp, 0, sizeof(*resp));
    if (!deadline_ms)
        deadline_ms = 30000;
    if (!max_body)
        max_body = (size_t)64 << 20;
    for (;;) {
        if (atomic_load(&kc->aborted)) {
            snprintf(resp->err, sizeof(resp->err), "shutting down");
            return RFG_EUPSTREAM;
        }
        now = rfg_mono_ms();
        left = now - start < deadline_ms ? (unsigned)(deadline_ms -
                                                      (now - start))
                                         : 0;
        if (!left) {   /* never past the deadline, not even by a bit */
            over = true;
            break;
        }
        cut = left <= kc->cfg.timeout_ms;   /* this attempt ends with it */
        cc = attempt(kc, method, path, body, cut ? left : kc->cfg.timeout_ms,
                     max_body, force, flags, resp);
        force = false;
        if (cc == CURLE_OUT_OF_MEMORY)
            return RFG_ENOMEM;
        if (cc == CURLE_FILESIZE_EXCEEDED)
            return RFG_ELIMIT;
        if (cc == CURLE_OK && resp->status == 401 && !reauth &&
            kc->cfg.token_file) {
            reauth = force = true;   /* the token may have rotated */
            continue;
        }
        if (cc == CURLE_OK && !retryable_status(resp->status))
            return RFG_OK;
        if (flags & KCLIENT_NO_RETRY)
            break;
        wait = kclient_backoff_ms(n++, 200, 5000);
        now = rfg_mono_ms();
        if (now - start + wait >= deadline_ms)
            break;
        sleep_ms(wait);
    }
    if (cc == CURLE_OK)
        return RFG_OK;   /* the last answer was 429/5xx: let callers see */
    resp->deadline = over || (cut && cc == CURLE_OPERATION_TIMEDOUT);
    if (!resp->err[0])
        snprintf(resp->err, sizeof(resp->err), "deadline exceeded");
    return RFG_EUPSTREAM;
}

int kclient_query_escape(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = RFG_OK;

    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~')
            rc = sbuf_addc(b, (char)c);
        else if (!(rc = sbuf_addc(b, '%')) &&
                 !(rc = sbuf_addc(b, hex[c >> 4])))
            rc = sbuf_addc(b, hex[c & 15]);
    }
    return rc;
}
