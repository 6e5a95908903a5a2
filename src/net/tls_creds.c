/* SPDX-License-Identifier: Apache-2.0
 *
 * tls_creds.c - the serving certificate store of the HTTPS server (see
 * tls_creds.h): PEM loading with a key/certificate match check, change
 * detection by file identity, the GnuTLS certificate callback, expiry,
 * and the client-certificate checks of --client-ca.
 *
 * Certificate rotation: a credential is immutable once loaded. GnuTLS
 * asks for it during each handshake (certificate callback); a reload
 * swaps the current pointer and retires the old credential, which is
 * freed only after a grace period longer than any handshake can last
 * (the server bounds handshakes by its connection timeout), so a
 * handshake in progress never sees it freed. After the handshake GnuTLS
 * no longer touches the key or the certificate.
 *
 * Threads: the callback runs on the server's threads; the current
 * pointer and the retired list are guarded by a mutex. Reloads run on one
 * caller thread.
 *
 * Not here: sockets, HTTP, libmicrohttpd (http_server.c).
 */
#include "tls_creds.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gnutls/x509.h>

#define MAX_CHAIN 16

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

struct tls_creds {
    pthread_mutex_t mu;
    struct tls_cred *cur;       /* owned */
    struct tls_cred *retired;   /* owned list */
    struct file_id cert_id, key_id;  /* of the last load attempt */
    const char *cert_file, *key_file;  /* borrowed */
    unsigned grace_s;
};

/* The published store, for cert_cb (GnuTLS gives it no user pointer). */
static struct tls_creds *tls_global;

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

int tls_creds_new(struct tls_creds **out, const char *cert_file,
                  const char *key_file, unsigned grace_s,
                  struct diag_list *dl)
{
    struct tls_creds *st;

    *out = NULL;
    st = calloc(1, sizeof(*st));
    if (!st)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    if (pthread_mutex_init(&st->mu, NULL) != 0) {
        free(st);
        return diag_fail(dl, RFG_ENOMEM, NULL, "cannot create a mutex");
    }
    st->cert_file = cert_file;
    st->key_file = key_file;
    st->grace_s = grace_s;
    *out = st;
    return RFG_OK;
}

void tls_creds_free(struct tls_creds *st)
{
    struct tls_cred *c;

    if (!st)
        return;
    tls_creds_unpublish(st);
    while ((c = st->retired)) {
        st->retired = c->next;
        cred_free(c);
    }
    cred_free(st->cur);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

int tls_creds_cert_cb(gnutls_session_t session, const gnutls_datum_t *req_ca,
                      int nreq, const gnutls_pk_algorithm_t *algos,
                      int nalgos, gnutls_pcert_st **pcert,
                      unsigned int *npcert, gnutls_privkey_t *key)
{
    struct tls_creds *st = tls_global;
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

int tls_creds_reload(struct tls_creds *st, struct diag_list *dl)
{
    struct tls_cred *c = NULL, **pp;
    struct file_id cid, kid;
    time_t now = time(NULL);
    int rc, cerr, kerr;

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

bool tls_creds_loaded(struct tls_creds *st)
{
    bool ok;

    pthread_mutex_lock(&st->mu);
    ok = st->cur != NULL;
    pthread_mutex_unlock(&st->mu);
    return ok;
}

bool tls_creds_ready(struct tls_creds *st)
{
    bool ok;

    pthread_mutex_lock(&st->mu);
    ok = st->cur != NULL &&
         (st->cur->not_after <= 0 || st->cur->not_after > time(NULL));
    pthread_mutex_unlock(&st->mu);
    return ok;
}

int64_t tls_creds_expiry(struct tls_creds *st)
{
    int64_t t = 0;

    pthread_mutex_lock(&st->mu);
    if (st->cur)
        t = st->cur->not_after;
    pthread_mutex_unlock(&st->mu);
    return t;
}

int tls_creds_publish(struct tls_creds *st)
{
    if (tls_global && tls_global != st)
        return RFG_EINVAL;
    tls_global = st;
    return RFG_OK;
}

void tls_creds_unpublish(struct tls_creds *st)
{
    if (st && tls_global == st)
        tls_global = NULL;
}

bool tls_creds_published(void)
{
    return tls_global != NULL;
}

int tls_creds_read_pem(char **out, const char *path, struct diag_list *dl)
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

/* A client certificate must be meant for TLS client authentication: an
 * extendedKeyUsage without clientAuth fails verification (a certificate
 * with no extendedKeyUsage at all is good for any purpose, RFC 5280). */
static unsigned char kp_client_auth[] = GNUTLS_KP_TLS_WWW_CLIENT;
static gnutls_typed_vdata_st client_purpose = {
    GNUTLS_DT_KEY_PURPOSE_OID, kp_client_auth, 0
};

void tls_creds_client_require(gnutls_session_t session)
{
    gnutls_certificate_server_set_request(session, GNUTLS_CERT_REQUIRE);
    gnutls_session_set_verify_cert2(session, &client_purpose, 1, 0);
}

bool tls_creds_client_verified(gnutls_session_t session)
{
    unsigned status = 0;

    if (gnutls_certificate_verify_peers(session, &client_purpose, 1,
                                        &status) < 0)
        return false;
    return status == 0;
}
