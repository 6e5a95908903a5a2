/* SPDX-License-Identifier: Apache-2.0
 *
 * schema.h - validate a RedisFailover against the openAPIV3Schema of the
 * target operator's CRD, as the API server would: fields the schema does
 * not know (which the server prunes without a word), wrong types,
 * int-or-string, enums, required fields and the quantity pattern. The
 * schemas are compiled in (crd_schemas.c, generated from the operators'
 * CRDs by tools/crd2schema) as the lookup tables validation walks, with
 * their JSON text, parsed only when something needs the schema itself.
 * A caller may install another schema in a target's place (a CRD file
 * given to `lint --crd`, or the CRD serve reads from the cluster: crd.h
 * makes them), compiled to the same tables when installed; nothing here
 * fetches or reads files. It reports issues, not
 * findings: rules.c turns them into findings of the schema-* rules.
 * Thread-safe.
 */
#ifndef RFG_SCHEMA_H
#define RFG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "rf.h"
#include "suggest.h"

enum schema_kind {
    SCHEMA_UNKNOWN_FIELD,  /* pruned by the API server */
    SCHEMA_TYPE,           /* wrong type, int-or-string, format, pattern */
    SCHEMA_ENUM,           /* value outside the enum */
    SCHEMA_REQUIRED        /* a required field is missing */
};

struct schema_issue {
    enum schema_kind kind;
    char *ptr;             /* owned RFC 6901 pointer */
    char *msg;             /* owned */
    char *hint;            /* owned; may be NULL */
};

struct schema_issues {
    struct schema_issue *v; /* owned */
    size_t len, cap;
};

/* The compiled-in schema of target `t` (one bit), parsed on first use and
 * kept for the life of the process, whatever is installed. Borrowed;
 * NULL for an unknown target or when parsing ran out of memory. */
const cJSON *schema_for(enum rf_target t);
/* The same for kind `k` under `t` (OpsTree has one CRD per kind); NULL
 * when `t` does not check `k`. */
const cJSON *schema_for_kind(enum rf_target t, enum rf_kind k);

/* From now on validate the targets in `targets` (enum rf_target bits)
 * against `schema`, a schema as crd_schema() makes it (always taken:
 * freed here on failure too), described in messages and logs as
 * `origin` ("the CRD in chart.yaml", "the installed CRD"). A NULL
 * `schema` puts the compiled-in ones back. Validations already running
 * finish with the schema they started with. RFG_OK or RFG_ENOMEM. */
int schema_install(unsigned targets, cJSON *schema, const char *origin)
    RFG_MUST_CHECK;
/* The same for an OpsTree kind (RF_KIND_SENTINEL, RF_KIND_REPLICATION)
 * under opstree-v0.26. */
int schema_install_kind(enum rf_kind k, cJSON *schema, const char *origin)
    RFG_MUST_CHECK;

/* Whether the schema validating target `t` now (installed or compiled
 * in) has a field at `ptr`: a field it lacks is pruned by the API server,
 * so the operator never sees it. Thread-safe. */
bool schema_in_use_has(enum rf_target t, const char *ptr);

/* Which schema validates target `t`, for logs and notes: "the
 * compiled-in freshworks-v3.3 CRD", or the origin given to
 * schema_install(). Into buf (truncated to fit). */
void schema_describe(char *buf, size_t len, enum rf_target t);
void schema_describe_kind(char *buf, size_t len, enum rf_target t,
                          enum rf_kind k);

/* The constant string spelled by the `n` bytes at `s` (no NUL among
 * them): a property name of the compiled-in schemas (the pointer their
 * tables hold) or a key every review or object has; NULL for any other
 * key. A decoder can take it as a member's name (cJSON_StringIsConst)
 * instead of a copy; a lookup with a string literal of the same spelling
 * then usually finds it by address, as the linker merges equal literals
 * (json.h, sidx.h). Thread-safe. (schema_keys.c) */
const char *schema_key_intern(const char *s, size_t n);

/* The hash the schema tables file member `c`'s name under (sidx_hash),
 * looked up instead of computed when the name is one of those constants.
 * (schema_keys.c) */
uint32_t schema_key_hash(const cJSON *c);

/* The subschema describing the node at `ptr` (array indexes and map keys
 * follow items / additionalProperties), or NULL when the schema has no
 * such field. Borrowed from `schema`. */
const cJSON *schema_lookup(const cJSON *schema, const char *ptr);

/* Validate `obj` against the schema of its kind under `t`, appending to `out` (which the
 * caller zeroes first). Returns RFG_OK or RFG_ENOMEM. */
int schema_validate(struct schema_issues *out, const cJSON *obj,
                    enum rf_target t) RFG_MUST_CHECK;
void schema_issues_cleanup(struct schema_issues *s);

/* "spec.redis.customConfig[0]" for "/spec/redis/customConfig/0", into
 * buf (truncated to fit). */
void schema_ptr_human(char *buf, size_t len, const char *ptr);

#endif
