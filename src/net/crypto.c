/* SPDX-License-Identifier: Apache-2.0
 *
 * crypto.c - OpenSSL helpers: SHA-256 and certificate generation for
 * `rfguard certs` (see crypto.h). The CA is ECDSA P-256, valid 10 years,
 * CA:TRUE with keyCertSign; the serving certificate is ECDSA P-256,
 * valid 1 year, serverAuth, with the Service DNS names as SANs. Private
 * keys never leave this file except as 0600 files; nothing is logged.
 * Not here: TLS serving (GnuTLS in http_server.c).
 */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

void rfg_sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 32;

    if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
        memset(out, 0, 32);     /* cannot happen with the default provider */
}

bool crypto_dns_label_ok(const char *s)
{
    size_t i, n = s ? strlen(s) : 0;

    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-'))
            return false;
    return true;
}

/* Record the OpenSSL error queue's last entry after `what`. */
static int ossl_fail(struct diag_list *dl, const char *what)
{
    char buf[160];
    unsigned long e = ERR_peek_last_error();

    if (e)
        ERR_error_string_n(e, buf, sizeof(buf));
    else
        snprintf(buf, sizeof(buf), "unknown error");
    ERR_clear_error();
    return diag_fail(dl, RFG_EIO, NULL, "%s: %s", what, buf);
}

/* Write `len` bytes to dir/name with `mode`, through a temporary file
 * created with O_EXCL (so the mode is set at creation, never widened)
 * and renamed into place. */
int crypto_write_file(const char *dir, const char *name, const void *data,
                      size_t len, unsigned mode, struct diag_list *dl)
{
    char tmp[4096], dst[4096];
    const char *p = data;
    int fd = -1, rc = RFG_OK;
    ssize_t w;

    if ((size_t)snprintf(dst, sizeof(dst), "%s/%s", dir, name) >=
            sizeof(dst) ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp%ld", dir, name,
                         (long)getpid()) >= sizeof(tmp))
        return diag_fail(dl, RFG_EINVAL, NULL, "path too long: %s", dir);
    (void)unlink(tmp);          /* a leftover of ours from a crash */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              mode);
    if (fd < 0)
        return diag_fail(dl, RFG_EIO, NULL, "cannot create %s: %s", tmp,
                         strerror(errno));
    while (len > 0) {
        w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = diag_fail(dl, RFG_EIO, NULL, "cannot write %s: %s", tmp,
                           strerror(errno));
            goto out;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot sync %s: %s", tmp,
                       strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot close %s: %s", tmp,
                       strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, dst) != 0)
        rc = diag_fail(dl, RFG_EIO, NULL, "cannot rename to %s: %s", dst,
                       strerror(errno));
out:
    if (fd >= 0)
        close(fd);
    if (rc)
        (void)unlink(tmp);
    return rc;
}

/* PEM-encode a key (PKCS#8) or a certificate and write it. */
static int write_pem(const char *dir, const char *name, EVP_PKEY *key,
                     X509 *crt, struct diag_list *dl)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long n;
    int rc;

    if (!bio)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    if (key ? !PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL)
            : !PEM_write_bio_X509(bio, crt)) {
        rc = ossl_fail(dl, "PEM encoding failed");
        goto out;
    }
    n = BIO_get_mem_data(bio, &data);
    rc = crypto_write_file(dir, name, data, (size_t)n, key ? 0600 : 0644, dl);
out:
    BIO_free(bio);
    return rc;
}

/* Add extension `nid` with config value `val` (e.g. "critical,CA:TRUE"). */
static int add_ext(X509 *crt, X509 *issuer, int nid, const char *val)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, crt, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, val);
    if (!ext)
        return -1;
    ok = X509_add_ext(crt, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* A certificate for `key` named `cn`, valid `days`, signed by issuer /
 * ikey (self-signed when issuer is NULL). `sans` may be NULL. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, int days,
                       X509 *issuer, EVP_PKEY *ikey, const char *sans)
{
    X509 *crt = X509_new();
    BIGNUM *bn = BN_new();
    X509_NAME *name;
    bool ca = issuer == NULL;

    if (!crt || !bn)
        goto fail;
    /* 127-bit positive random serial (RFC 5280 allows up to 20 bytes). */
    if (!X509_set_version(crt, 2) || !BN_rand(bn, 127, BN_RAND_TOP_ANY,
                                              BN_RAND_BOTTOM_ANY) ||
        !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)))
        goto fail;
    if (!X509_gmtime_adj(X509_getm_notBefore(crt), -300) ||
        !X509_gmtime_adj(X509_getm_notAfter(crt), (long)days * 86400L))
        goto fail;
    name = X509_get_subject_name(crt);
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                    (const unsigned char *)"rfguard", -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)cn, -1, -1, 0))
        goto fail;
    if (!X509_set_issuer_name(crt, ca ? name
                                      : X509_get_subject_name(issuer)) ||
        !X509_set_pubkey(crt, key))
        goto fail;
    if (add_ext(crt, ca ? crt : issuer, NID_basic_constraints,
                ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE") ||
        add_ext(crt, ca ? crt : issuer, NID_key_usage,
                ca ? "critical,keyCertSign,cRLSign"
                   : "critical,digitalSignature") ||
        add_ext(crt, ca ? crt : issuer, NID_subject_key_identifier,
                "hash") ||
        add_ext(crt, ca ? crt : issuer, NID_authority_key_identifier,
                "keyid:always"))
        goto fail;
    if (!ca && (add_ext(crt, issuer, NID_ext_key_usage, "serverAuth") ||
                add_ext(crt, issuer, NID_subject_alt_name, sans)))
        goto fail;
    if (!X509_sign(crt, ca ? key : ikey, EVP_sha256()))
        goto fail;
    BN_free(bn);
    return crt;
fail:
    BN_free(bn);
    X509_free(crt);
    return NULL;
}

/* Load dir/ca.crt + dir/ca.key if both exist and match. Returns 1 when
 * loaded, 0 when absent, or a negative error. */
static int load_ca(const char *dir, X509 **crt, EVP_PKEY **key,
                   struct diag_list *dl)
{
    char cpath[4096], kpath[4096];
    FILE *f;

    snprintf(cpath, sizeof(cpath), "%s/ca.crt", dir);
    snprintf(kpath, sizeof(kpath), "%s/ca.key", dir);
    if (access(cpath, F_OK) != 0 || access(kpath, F_OK) != 0)
        return 0;
    f = fopen(cpath, "r");
    if (!f)
        return diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s", cpath,
                         strerror(errno));
    *crt = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    f = fopen(kpath, "r");
    if (!f)
        return diag_fail(dl, RFG_EIO, NULL, "cannot read %s: %s", kpath,
                         strerror(errno));
    *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!*crt || !*key || X509_check_private_key(*crt, *key) != 1)
        return ossl_fail(dl, "existing ca.crt/ca.key are unusable "
                             "(remove both to make a new CA)");
    return 1;
}

int crypto_certs_write(const struct crypto_certs_opts *o, char **bundle,
                       bool *reused, struct diag_list *dl)
{
    EVP_PKEY *cakey = NULL, *key = NULL;
    X509 *cacrt = NULL, *crt = NULL;
    BIO *bio = NULL;
    char sans[1024], cn[300], *pem, *b64 = NULL;
    long pemlen;
    int rc, n;

    *bundle = NULL;
    *reused = false;
    if (!crypto_dns_label_ok(o->service) || !crypto_dns_label_ok(o->ns))
        return diag_fail(dl, RFG_EINVAL, NULL,
                         "--service and --namespace must be DNS labels "
                         "(a-z, 0-9, '-', at most 63)");
    if (mkdir(o->dir, 0755) != 0 && errno != EEXIST)
        return diag_fail(dl, RFG_EIO, NULL, "cannot create %s: %s", o->dir,
                         strerror(errno));
    rc = load_ca(o->dir, &cacrt, &cakey, dl);
    if (rc < 0)
        goto out;
    *reused = rc == 1;
    if (!*reused) {
        cakey = EVP_EC_gen("P-256");
        if (!cakey) {
            rc = ossl_fail(dl, "CA key generation failed");
            goto out;
        }
        cacrt = make_cert(cakey, "rfguard-ca", o->ca_days ? o->ca_days
                                                          : 3650,
                          NULL, NULL, NULL);
        if (!cacrt) {
            rc = ossl_fail(dl, "CA certificate creation failed");
            goto out;
        }
    }
    n = snprintf(sans, sizeof(sans),
                 "DNS:%s,DNS:%s.%s,DNS:%s.%s.svc,DNS:%s.%s.svc.cluster.local%s",
                 o->service, o->service, o->ns, o->service, o->ns,
                 o->service, o->ns,
                 o->dev ? ",DNS:localhost,IP:127.0.0.1,IP:::1" : "");
    snprintf(cn, sizeof(cn), "%s.%s.svc", o->service, o->ns);
    if (n < 0 || (size_t)n >= sizeof(sans)) {
        rc = diag_fail(dl, RFG_EINVAL, NULL, "names too long");
        goto out;
    }
    key = EVP_EC_gen("P-256");
    if (!key) {
        rc = ossl_fail(dl, "key generation failed");
        goto out;
    }
    crt = make_cert(key, cn, o->cert_days ? o->cert_days : 365, cacrt, cakey,
                    sans);
    if (!crt) {
        rc = ossl_fail(dl, "serving certificate creation failed");
        goto out;
    }
    if (!*reused) {
        rc = write_pem(o->dir, "ca.key", cakey, NULL, dl);
        if (!rc)
            rc = write_pem(o->dir, "ca.crt", NULL, cacrt, dl);
        if (rc)
            goto out;
    }
    /* Key first: a watcher that sees the new certificate finds its key. */
    rc = write_pem(o->dir, "tls.key", key, NULL, dl);
    if (!rc)
        rc = write_pem(o->dir, "tls.crt", NULL, crt, dl);
    if (rc)
        goto out;
    bio = BIO_new(BIO_s_mem());
    if (!bio || !PEM_write_bio_X509(bio, cacrt)) {
        rc = ossl_fail(dl, "PEM encoding failed");
        goto out;
    }
    pemlen = BIO_get_mem_data(bio, &pem);
    b64 = malloc(((size_t)pemlen + 2) / 3 * 4 + 2);
    if (!b64) {
        rc = diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
        goto out;
    }
    n = EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)pem,
                        (int)pemlen);
    b64[n] = '\n';
    b64[n + 1] = '\0';
    rc = crypto_write_file(o->dir, "ca-bundle.b64", b64, (size_t)n + 1, 0644, dl);
    if (rc)
        goto out;
    b64[n] = '\0';
    *bundle = b64;
    b64 = NULL;
out:
    free(b64);
    BIO_free(bio);
    X509_free(crt);
    X509_free(cacrt);
    EVP_PKEY_free(key);
    EVP_PKEY_free(cakey);
    return rc;
}

