/* SPDX-License-Identifier: Apache-2.0
 *
 * crd.h - the RedisFailover CustomResourceDefinition as a schema source:
 * find the CRD for redisfailovers.databases.spotahome.com among parsed
 * documents (or in a List), pick the openAPIV3Schema of its served
 * storage version and strip it to the compact form schema.c validates
 * with (types, properties, items, additionalProperties, required, enum,
 * format, pattern, nullable, minimum/maximum and the x-kubernetes-*
 * markers; never a description or a default). One implementation for
 * tools/crd2schema (which writes the compiled-in table), `lint --crd`
 * and serve's view of the installed CRD. It does not validate objects
 * (schema.c does) and does no network I/O.
 */
#ifndef RFG_CRD_H
#define RFG_CRD_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "rf.h"

struct posmap;

#define CRD_NAME "redisfailovers." RF_GROUP

/* True when `doc` is an apiextensions.k8s.io/v1 CustomResourceDefinition
 * named redisfailovers.databases.spotahome.com. */
bool crd_is_redisfailover(const cJSON *doc);
/* The kind whose CRD `doc` is: RedisFailover's, or OpsTree's
 * redissentinels / redisreplications (redis.redis.opstreelabs.in); 0
 * for any other document. */
enum rf_kind crd_kind(const cJSON *doc);

/* The stripped schema of the served storage version of CRD `crd` into
 * *out (owned by the caller, allocated with the current cJSON hooks), and
 * that version's name into `version` (may be NULL; truncated to fit).
 * `pm` (may be NULL) places errors. RFG_EINVAL with a diagnostic when no
 * version is both served and storage, when it has no openAPIV3Schema, or
 * when the schema is malformed (a keyword of the wrong type);
 * RFG_ENOMEM. */
int crd_schema(cJSON **out, char *version, size_t version_len,
               const cJSON *crd, const struct posmap *pm,
               struct diag_list *dl) RFG_MUST_CHECK;

/* Read `path` (YAML or JSON; "-" is stdin), find the RedisFailover CRD
 * among its documents (a List's items count too) and return its stripped
 * schema as crd_schema does. Every error names file:line:col through
 * `dl` (whose file name the caller set): unreadable file, YAML error, no
 * such CRD in the file, or a CRD without a usable schema. The trees are
 * allocated on the heap whatever arena is in use (see arena.h). */
int crd_load_file(cJSON **out, char *version, size_t version_len,
                  const char *path, struct diag_list *dl) RFG_MUST_CHECK;
/* The same for the first CRD of any of `kinds` (enum rf_kind bits); its
 * kind into *found (may be NULL). */
int crd_load_file_kind(cJSON **out, char *version, size_t version_len,
                       const char *path, unsigned kinds,
                       enum rf_kind *found, struct diag_list *dl)
    RFG_MUST_CHECK;

/* crd_load_file_kind() of any checked kind, then schema_install() of the
 * result for target `t` (an OpsTree CRD: for its kind under
 * opstree-v0.26),
 * described as "the CRD in PATH". `note` receives what changed, for the
 * user: "the CRD in PATH (version v1) replaces the compiled-in
 * freshworks-v3.3 CRD". Errors as crd_load_file. */
int crd_install_file(char *note, size_t note_len, const char *path,
                     enum rf_target t, struct diag_list *dl) RFG_MUST_CHECK;

#endif
