/* SPDX-License-Identifier: Apache-2.0
 *
 * schema_impl.h - private to schema.c and schema_slots.c: the schema
 * slots (one per RedisFailover target, then OpsTree's two kinds), each
 * compiled in or installed in its place.
 */
#ifndef RFG_SCHEMA_IMPL_H
#define RFG_SCHEMA_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include <cjson/cJSON.h>

#include "rf.h"
#include "sidx.h"

#define NSLOT 5
#define SLOT_OT_SENTINEL 3
#define SLOT_OT_REPLICATION 4

/* One schema: compiled in (origin NULL, lives for the process) or
 * installed by schema_install (refcounted: a validation in flight keeps
 * the one it started with). */
struct sch {
    const struct sidx_table *tab; /* what the walk reads */
    cJSON *root;           /* owned; compiled in: parsed on first need */
    struct sidx idx;       /* owned; built from root (for an installed
                            * schema, tab is its view) */
    char *origin;          /* owned; NULL when compiled in */
    atomic_uint refs;
};

/* The compiled-in schemas, parsed (and their subschema tables built) on
 * first need: call schema_parse_builtins() first. */
extern struct sch schema_builtin[NSLOT];
void schema_parse_builtins(void);
/* The slot of kind `k` under target `t` (one bit); -1 when `t` does not
 * check `k`. */
int schema_kind_slot(enum rf_target t, enum rf_kind k);
/* "freshworks-v3.3", "opstree-v0.26 RedisReplication": slot `i`'s CRD. */
const char *schema_slot_name(int i);
/* The schema in use for slot `i`, with a reference the caller drops with
 * schema_put(). */
struct sch *schema_get(int i);
void schema_put(struct sch *s);

#endif
