/* SPDX-License-Identifier: Apache-2.0
 *
 * crypto.h - everything rfguard does with OpenSSL: the SHA-256 the cluster
 * view fingerprints passwords with, and `rfguard certs` (an ECDSA P-256 CA
 * and a serving certificate for the webhook Service). It is not the TLS
 * server: serving runs on GnuTLS inside libmicrohttpd (http_server.c).
 */
#ifndef RFG_CRYPTO_H
#define RFG_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* SHA-256 of `len` bytes into out[32]. Thread-safe; matches
 * cview_hash_fn (cview.h). */
void rfg_sha256(const void *data, size_t len, unsigned char out[32]);

struct crypto_certs_opts {
    const char *service;    /* borrowed: Service name (a DNS label) */
    const char *ns;         /* borrowed: its namespace (a DNS label) */
    const char *dir;        /* borrowed: output directory */
    bool dev;               /* also localhost, 127.0.0.1 and ::1 */
    int ca_days;            /* 0 = 3650 */
    int cert_days;          /* 0 = 365 */
};

/* Write DIR/ca.crt, DIR/ca.key, DIR/tls.crt, DIR/tls.key and
 * DIR/ca-bundle.b64. An existing DIR/ca.crt + ca.key pair is reused (only
 * the serving certificate is renewed, so the caBundle stays valid).
 * Keys are created with mode 0600; each file is written to a temporary
 * name and renamed into place, so a running server never reads half a
 * file. *bundle (owned, free()) is the base64 caBundle; *reused says
 * whether the CA was kept. Returns RFG_OK, RFG_EINVAL, RFG_EIO or
 * RFG_ENOMEM with details in dl. */
int crypto_certs_write(const struct crypto_certs_opts *o, char **bundle,
                       bool *reused, struct diag_list *dl) RFG_MUST_CHECK;

/* Write `len` bytes to DIR/name with `mode`: a temporary file created
 * with that mode (O_EXCL, never widened), fsync'd and renamed into place. */
int crypto_write_file(const char *dir, const char *name, const void *data,
                      size_t len, unsigned mode, struct diag_list *dl)
    RFG_MUST_CHECK;

/* True if `s` is an RFC 1123 DNS label (lower case, digits, '-'). */
bool crypto_dns_label_ok(const char *s);

#endif
