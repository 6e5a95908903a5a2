/* SPDX-License-Identifier: Apache-2.0
 *
 * cview.h - the cluster view the rules consult for cross-object checks:
 * every other RedisFailover (its sentinel identity and auth), every
 * Secret (names, key names, password fingerprint) and every
 * NetworkPolicy (what it selects, whether it guards the sentinel port). It holds summaries
 * only: a Secret's value is never kept, only its SHA-256 and a few facts
 * about its shape. Built from the documents of a lint run, a
 * --cluster-state file, or the webhook's watch-fed index.
 * Immutable once built; readers need no lock.
 */
#ifndef RFG_CVIEW_H
#define RFG_CVIEW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"

/* SHA-256 of `len` bytes into out[32]. Supplied by the caller (OpenSSL in
 * the binary), so the core links no crypto library. */
typedef void (*cview_hash_fn)(const void *data, size_t len,
                              unsigned char out[32]);

/* What an OpsTree RedisSentinel or RedisReplication adds (ot.h): one
 * allocation with its strings. */
struct cview_ot {
    char *master;          /* the master name its sentinels monitor */
    char *secret_key;      /* the password's key in `secret`, or NULL */
    char *repl;            /* RedisSentinel: redisReplicationName */
    char *repl_secret;     /* and redisReplicationPassword.secretKeyRef */
    char *repl_key;
    int host_port;         /* spec.hostPort, 0 when unset */
};

/* An entry's strings share one allocation, owned through `ns`. Entries
 * are RedisFailovers, and the OpsTree objects whose sentinels can merge
 * with theirs (`kind`, `ot`). */
struct cview_failover {
    char *ns, *name;       /* owned (ns) */
    char *origin;          /* "file:line" or NULL */
    char *secret;          /* NULL when no auth */
    struct cview_ot *ot;   /* owned; NULL for a RedisFailover */
    int port;              /* after defaults; -1 for an OpsTree redisPort
                              that is not a port number */
    unsigned char kind;    /* enum rf_kind */
    bool disable_mymaster;
    bool host_network;
    bool bootstrap;        /* has spec.bootstrapNode */
    bool state_only;       /* from --cluster-state, not a linted file */
};

/* "RedisFailover", "RedisSentinel"...: how messages name entry `f`. */
const char *cview_kind_name(const struct cview_failover *f);

enum cview_pw_problem {
    CVIEW_PW_OK = 0,
    CVIEW_PW_WHITESPACE,   /* space, tab or newline */
    CVIEW_PW_QUOTE,        /* " or ' */
    CVIEW_PW_HASH,         /* # */
    CVIEW_PW_CONTROL,      /* other control characters */
    CVIEW_PW_UNDECODABLE   /* data.password is not valid base64 */
};

struct cview_secret {
    char *ns, *name;       /* owned (ns): one allocation holds ns, name,
                              origin, kind and the key names */
    char *origin;          /* "file:line" or NULL */
    char *kind;            /* "Secret", "SealedSecret", ... */
    char **keys;           /* data/stringData key names */
    char *bad_key;         /* owned: the first data key whose value the
                              API server cannot decode (it then refuses
                              the whole Secret), or NULL */
    const char *bad_why;   /* static: why, from base64_problem(), or
                              "is not a string" */
    size_t nkeys;
    size_t pw_len;         /* decoded length (0 = empty) */
    unsigned char pw_hash[32];
    enum cview_pw_problem pw_problem;
    bool keys_known;       /* false when keys come from elsewhere
                              (ExternalSecret dataFrom) */
    bool value_known;      /* false for sealed/external secrets */
    bool has_password;     /* key "password" present */
    bool has_hash;
    bool state_only;       /* from --cluster-state, not a linted file */
};

/* A NetworkPolicy, as far as the sentinel port is concerned. */
struct cview_netpol {
    char *ns, *name;       /* owned */
    char *origin;          /* owned: "file:line" or NULL */
    cJSON *selector;       /* owned copy of spec.podSelector ({} when
                              absent: every pod of the namespace) */
    bool ingress;          /* isolates the selected pods for ingress */
    bool open_sentinel;    /* an ingress rule still lets every source
                              reach 26379/TCP (or every port) */
};

/* A multimap from a 64-bit key hash (kept folded to 32 bits) to entry
 * indices, kept up to date as entries are added, so a lookup looks at one
 * group instead of every object (lint runs hold 100k failovers). Chains
 * run from the most recently added entry to the oldest. */
struct cview_hmap {
    uint32_t *head;        /* owned; cap slots, UINT32_MAX when empty */
    size_t cap;
    uint32_t *next;        /* owned; per entry */
    uint32_t *hash;        /* owned; per entry, the key folded */
    size_t len, lencap;
};

#define CVIEW_END ((size_t)-1)

struct cview_index;

struct cview {
    struct cview_failover *rfs;
    size_t nrfs, caprfs;
    struct cview_secret *secrets;
    size_t nsecrets, capsecrets;
    struct cview_netpol *netpols;  /* from the lint run's files, or
                                      serve's watch of NetworkPolicies */
    size_t nnetpols, capnetpols;
    cview_hash_fn hash;    /* may be NULL: then no fingerprints */
    bool complete;         /* true when it reflects a whole cluster */
    bool unindexed;        /* a part only ever merged into another view
                              (set before the first add): it keeps no
                              maps, so its lookups find nothing */
    struct cview_hmap rf_name;    /* failovers by name */
    struct cview_hmap sec_name;   /* secrets by namespace + name */
    struct cview_hmap sec_pw;     /* secrets by password fingerprint */
    /* owned; the class index (cview_index.c), NULL until built */
    _Atomic(struct cview_index *) ix;
};

/* Iterate the candidates of a group; callers compare the real key, since
 * different keys may share a hash:
 *   for (i = cview_first(&cv->rf_name, cview_key_str2(name, NULL));
 *        i != CVIEW_END; i = cview_next(&cv->rf_name, i)) ... */
size_t cview_first(const struct cview_hmap *m, uint64_t key);
size_t cview_next(const struct cview_hmap *m, size_t i);
uint64_t cview_key_int(long v);
uint64_t cview_key_str2(const char *a, const char *b); /* b may be NULL */
uint64_t cview_key_bytes(const unsigned char *p, size_t n);

void cview_init(struct cview *cv, cview_hash_fn hash);
void cview_cleanup(struct cview *cv);

/* Add `obj` if it is a RedisFailover, an OpsTree RedisSentinel or
 * RedisReplication, a Secret-like object (Secret,
 * SealedSecret, ExternalSecret target) or a networking.k8s.io/v1
 * NetworkPolicy; anything else is ignored.
 * `default_ns` names the namespace of objects that give none. */
int cview_add_object(struct cview *cv, const cJSON *obj,
                     const char *default_ns, const char *origin)
    RFG_MUST_CHECK;

/* Move every entry of `src` to the end of `dst` (indexes included);
 * `src` is left empty but initialised. On ENOMEM give both up (cleanup
 * stays safe, lookups do not). */
int cview_merge(struct cview *dst, struct cview *src) RFG_MUST_CHECK;
/* Give back the growth slack of the entry arrays (a part that waits to
 * be merged). */
void cview_fit(struct cview *cv);
/* Make room for `nrfs` failovers and `nsecrets` Secrets more, exactly,
 * so a view filled from parts of known size keeps no growth slack.
 * RFG_OK or RFG_ENOMEM. */
int cview_reserve(struct cview *cv, size_t nrfs, size_t nsecrets)
    RFG_MUST_CHECK;

const struct cview_secret *cview_find_secret(const struct cview *cv,
                                             const char *ns,
                                             const char *name);

/* For summaries kept outside a view (kcache's store): add a copy of the
 * summary `src` (from another view) and index it; the copy is independent
 * of `src`. Returns RFG_OK or RFG_ENOMEM. */
int cview_add_secret(struct cview *cv, const struct cview_secret *src)
    RFG_MUST_CHECK;
/* Free what `s` owns (a summary moved out of a view) and zero it. */
void cview_secret_cleanup(struct cview_secret *s);

/* cview_netpol.c: add NetworkPolicy `obj` of namespace `ns` (RFG_OK or
 * RFG_ENOMEM); free what `np` owns and zero it. */
int cview_add_netpol(struct cview *cv, const cJSON *obj, const char *ns,
                     const char *origin) RFG_MUST_CHECK;
void cview_netpol_cleanup(struct cview_netpol *np);
/* Whether label selector `sel` (matchLabels, matchExpressions) selects a
 * pod with `labels` (an object of strings). An empty selector selects
 * every pod; an unknown operator selects none. */
bool cview_selector_matches(const cJSON *sel, const cJSON *labels);

/* cview_index.c: the classes the cluster rules ask about, each with its
 * members in document order: indices into rfs, or for the classes of
 * Secrets and NetworkPolicies into secrets and netpols. */
enum cview_class {
    CVIEW_C_SELF,          /* kind + ns + name: one object's entries */
    CVIEW_C_LINTED,        /* ns + name, not from --cluster-state */
    CVIEW_C_PORT,          /* redis port */
    CVIEW_C_PORT_HOSTNET,  /* redis port, hostNetwork ones */
    /* The sentinel identity classes hold every entry, of any kind, under
     * the master name its sentinels monitor: an OpsTree entry's own; a
     * RedisFailover's mymaster (_DM: its name when disableMyMaster is
     * honoured, mm_always in cview_class.c) */
    CVIEW_C_SPORT,         /* master + redis port */
    CVIEW_C_SPORT_DM,
    CVIEW_C_SID,           /* master + redis port + password class */
    CVIEW_C_SID_DM,
    CVIEW_C_DM_NAME,       /* name, those with disableMyMaster */
    CVIEW_C_OT_MASTER,     /* master, RedisSentinels */
    CVIEW_C_HOSTPORT,      /* the port taken on the node: OpsTree
                              hostPort, hostNetwork failovers' redis port */
    CVIEW_C_SECRET_USERS,  /* ns + Secret name, entries with auth and
                              no bootstrapNode */
    CVIEW_C_PW_USERS,      /* password fingerprint of their Secret (as
                              cview_find_secret finds it), same ones
                              (OpsTree: only with the key "password") */
    CVIEW_C_PW_USERS_NS,   /* fingerprint + ns, same ones */
    CVIEW_C_HOSTNET,       /* every hostNetwork failover */
    CVIEW_C_SECRET_LINTED, /* Secrets by ns + name, not from
                              --cluster-state */
    CVIEW_C_SECRET_NS,     /* Secrets by ns */
    CVIEW_C_NETPOL_NS,     /* NetworkPolicies by ns */
    CVIEW_NCLASS
};

/* A class key; each class reads the fields it needs. The password class
 * of CVIEW_C_SID*: no auth (secret NULL), or the fingerprint of Secret
 * ns/secret when the view holds it with one (and the key is "password"),
 * else ns/secret/key itself, so two entries with auth can share a
 * password exactly when their password classes are equal. */
struct cview_key {
    int port;
    unsigned kind;                  /* enum rf_kind (CVIEW_C_SELF) */
    const char *ns, *name;          /* borrowed */
    const char *master;             /* borrowed */
    const char *secret;             /* borrowed; NULL = no auth */
    const char *secret_key;         /* borrowed; NULL = "password" */
    const unsigned char *hash;      /* borrowed; 32 bytes */
};

/* What a class holds apart from the object under evaluation. */
struct cview_hits {
    size_t first;          /* earliest member, CVIEW_END when none */
    size_t n;              /* members */
};

/* Build the index once the view is complete (after the last add): lint
 * before its rules run, kcache before it publishes a snapshot. Adding
 * to the view drops it. Not thread-safe: callers that may race build
 * it under a lock. RFG_OK (also when already built) or RFG_ENOMEM. */
int cview_index_build(const struct cview *cv) RFG_MUST_CHECK;
bool cview_index_ready(const struct cview *cv);
/* Free the index (for cview*.c: the view changes). */
void cview_index_drop(struct cview *cv);
/* The group of class `c` with key `k`, or CVIEW_END when the class has
 * no member (or the index is not built). */
size_t cview_class_find(const struct cview *cv, enum cview_class c,
                        const struct cview_key *k);
/* The CVIEW_C_SELF group of the object of `kind` ns/name: the entries a
 * rule skips as the object itself (itself, its older version, its
 * copies). */
size_t cview_self(const struct cview *cv, unsigned kind, const char *ns,
                  const char *name);
/* Add to `h` the members of group `g` of class `c` that are not in
 * self group `self` (CVIEW_END: none): the earliest one and how many.
 * O(1) plus the object's own entries. */
void cview_class_hits(const struct cview *cv, enum cview_class c, size_t g,
                      size_t self, struct cview_hits *h);
/* The first `max` members of group `g` of class `c` in `out`, in
 * document order; returns how many it has. */
size_t cview_class_members(const struct cview *cv, enum cview_class c,
                           size_t g, size_t *out, size_t max);
/* Walk group `g` of class `c` in document order:
 *   for (i = cview_class_first(cv, c, g); i != CVIEW_END;
 *        i = cview_class_next(cv, c, i)) ... */
size_t cview_class_first(const struct cview *cv, enum cview_class c,
                         size_t g);
size_t cview_class_next(const struct cview *cv, enum cview_class c,
                        size_t i);

#endif
