/* SPDX-License-Identifier: Apache-2.0
 *
 * tls_creds.h - the serving certificate of `rfguard serve`: a store that
 * loads a PEM certificate chain and its private key, re-reads them when
 * the files change, hands the current credential to GnuTLS during each
 * handshake and tells when it expires; plus the client-certificate checks
 * used with --client-ca. It knows nothing of HTTP or libmicrohttpd: the
 * server (http_server.c) owns one store and passes tls_creds_cert_cb to
 * its daemon.
 */
#ifndef RFG_TLS_CREDS_H
#define RFG_TLS_CREDS_H

#include <stdbool.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "diag.h"

struct tls_creds;

/* A store for `cert_file` and `key_file` (borrowed for the store's life;
 * nothing is read yet). A replaced credential is freed `grace_s` seconds
 * after it was replaced, so a handshake that started with it can finish. */
int tls_creds_new(struct tls_creds **out, const char *cert_file,
                  const char *key_file, unsigned grace_s,
                  struct diag_list *dl) RFG_MUST_CHECK;
/* Free the store and every credential. It must not be published. */
void tls_creds_free(struct tls_creds *st);

/* Re-read the certificate and key if either file changed (inode, size or
 * mtime), and free retired credentials whose grace period is over.
 * Returns 1 when reloaded, 0 when unchanged, or an error (the old
 * credential stays in use). A missing file is reported once per
 * disappearance, and always while nothing was ever loaded. Call it from
 * one thread only. */
int tls_creds_reload(struct tls_creds *st, struct diag_list *dl)
    RFG_MUST_CHECK;
/* True once a credential was loaded. */
bool tls_creds_loaded(struct tls_creds *st);
/* True when a loaded certificate has not expired yet. Thread-safe. */
bool tls_creds_ready(struct tls_creds *st);
/* notAfter of the certificate in use (Unix time), or 0. Thread-safe. */
int64_t tls_creds_expiry(struct tls_creds *st);

/* GnuTLS's certificate callback has no user pointer, so one store per
 * process is published for tls_creds_cert_cb. Publish returns RFG_EINVAL
 * when another store is published; unpublish is a no-op for a store that
 * is not. */
int tls_creds_publish(struct tls_creds *st) RFG_MUST_CHECK;
void tls_creds_unpublish(struct tls_creds *st);
/* True while some store is published. */
bool tls_creds_published(void);
/* gnutls_certificate_retrieve_function2 handing out the current
 * credential of the published store (MHD_OPTION_HTTPS_CERT_CALLBACK). */
int tls_creds_cert_cb(gnutls_session_t session, const gnutls_datum_t *req_ca,
                      int nreq, const gnutls_pk_algorithm_t *algos,
                      int nalgos, gnutls_pcert_st **pcert,
                      unsigned int *npcert, gnutls_privkey_t *key);

/* Read a small PEM file (a client CA bundle) into an owned NUL-ended
 * string (free()). */
int tls_creds_read_pem(char **out, const char *path, struct diag_list *dl)
    RFG_MUST_CHECK;
/* Make the handshake of `session` demand a client certificate and verify
 * it for TLS client authentication. */
void tls_creds_client_require(gnutls_session_t session);
/* True when the peer of `session` presented a certificate that verifies
 * and is meant for TLS client authentication. */
bool tls_creds_client_verified(gnutls_session_t session);

#endif
