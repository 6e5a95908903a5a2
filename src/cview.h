/* SPDX-License-Identifier: Apache-2.0
 *
 * cview.h - the cluster view the rules consult for cross-object checks:
 * every other RedisFailover (its sentinel identity and auth) and every
 * Secret (names, key names, password fingerprint). It holds summaries
 * only: a Secret's value is never kept, only its SHA-256 and a few facts
 * about its shape. Built from the documents of a lint run, a
 * --cluster-state file, or the webhook's watch-fed index.
 * Immutable once built; readers need no lock.
 */
#ifndef RFG_CVIEW_H
#define RFG_CVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"

/* SHA-256 of `len` bytes into out[32]. Supplied by the caller (OpenSSL in
 * the binary), so the core links no crypto library. */
typedef void (*cview_hash_fn)(const void *data, size_t len,
                              unsigned char out[32]);

struct cview_failover {
    char *ns, *name;       /* owned */
    char *origin;          /* owned: "file:line" or NULL */
    int port;              /* after defaults */
    char *secret;          /* owned; NULL when no auth */
    bool disable_mymaster;
    bool host_network;
    bool bootstrap;        /* has spec.bootstrapNode */
};

enum cview_pw_problem {
    CVIEW_PW_OK = 0,
    CVIEW_PW_WHITESPACE,   /* space, tab or newline */
    CVIEW_PW_QUOTE,        /* " or ' */
    CVIEW_PW_HASH,         /* # */
    CVIEW_PW_CONTROL,      /* other control characters */
    CVIEW_PW_UNDECODABLE   /* data.password is not valid base64 */
};

struct cview_secret {
    char *ns, *name;       /* owned */
    char *origin;          /* owned: "file:line" or NULL */
    char *kind;            /* owned: "Secret", "SealedSecret", ... */
    char **keys;           /* owned: data/stringData key names */
    size_t nkeys;
    bool keys_known;       /* false when keys come from elsewhere
                              (ExternalSecret dataFrom) */
    bool value_known;      /* false for sealed/external secrets */
    bool has_password;     /* key "password" present */
    size_t pw_len;         /* decoded length (0 = empty) */
    enum cview_pw_problem pw_problem;
    bool has_hash;
    unsigned char pw_hash[32];
};

struct cview {
    struct cview_failover *rfs;
    size_t nrfs, caprfs;
    struct cview_secret *secrets;
    size_t nsecrets, capsecrets;
    cview_hash_fn hash;    /* may be NULL: then no fingerprints */
    bool complete;         /* true when it reflects a whole cluster */
};

void cview_init(struct cview *cv, cview_hash_fn hash);
void cview_cleanup(struct cview *cv);

/* Add `obj` if it is a RedisFailover or a Secret-like object (Secret,
 * SealedSecret, ExternalSecret target); anything else is ignored.
 * `default_ns` names the namespace of objects that give none. */
int cview_add_object(struct cview *cv, const cJSON *obj,
                     const char *default_ns, const char *origin)
    RFG_MUST_CHECK;

const struct cview_secret *cview_find_secret(const struct cview *cv,
                                             const char *ns,
                                             const char *name);

/* Decode standard base64 (padding optional). Returns an owned buffer
 * with its length, or NULL for invalid input / OOM. */
unsigned char *cview_base64_decode(const char *s, size_t *len);

#endif
