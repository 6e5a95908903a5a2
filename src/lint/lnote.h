/* SPDX-License-Identifier: Apache-2.0
 *
 * lnote.h - what lint says about input that is not a plain, current
 * RedisFailover manifest: a RedisFailover of an API no operator serves
 * (an input error); a kustomization, a file a kustomization lists as a
 * patch and a RedisFailover that looks like a patch (notes: they are not
 * failures). Looks at one object at a time; which files are patches is
 * lint.c's to join, and rules and output formats are elsewhere.
 */
#ifndef RFG_LNOTE_H
#define RFG_LNOTE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "ydoc.h"

/* A list of owned strings. */
struct lnote_list {
    char **v;
    size_t len, cap;
};

void lnote_list_cleanup(struct lnote_list *nl);

/* A RedisFailover of another apiVersion than the one operators serve:
 * append an error at its apiVersion (`pm` gives positions, `pos` is the
 * object's) to `errs`, the file's list, and return true. */
bool lnote_legacy(struct diag_list *errs, const struct posmap *pm,
                  const cJSON *obj, struct src_pos pos);

/* Append the errors of `legacy` (lnote_legacy's, gathered while the
 * file was loaded) to `errs`, the file's, after its parse errors, as if
 * they had been recorded there in that order (under the same cap);
 * `legacy` is left empty. Never fails: an entry there is no room for is
 * counted as dropped. */
void lnote_join(struct diag_list *errs, struct diag_list *legacy);

/* A kustomization: `kind: Kustomization`, or an object naming no kind in
 * a file named kustomization.yaml, kustomization.yml or Kustomization. */
bool lnote_is_kustomization(const char *file, const cJSON *obj);

/* Append the paths kustomization `obj` of `file` lists as patches
 * (patchesStrategicMerge, and the `path` of patches and
 * patchesJson6902), each joined to the file's directory, to `out`.
 * RFG_OK or RFG_ENOMEM. */
int lnote_patch_paths(struct lnote_list *out, const char *file,
                      const cJSON *obj) RFG_MUST_CHECK;

/* What a failover lacks of spec, spec.redis and spec.sentinel ("has no
 * spec.sentinel"), or NULL when it has them all. */
const char *lnote_missing_part(const cJSON *obj);

/* The notes, as printed: "file:line:1: note: ..." into *out (owned), for
 * a kustomization; for failover `name` lacking `part`; for failover
 * `name` in a file that kustomization `kfile` lists as a patch.
 * `from_stdin`: `file` is the name stdin goes by, so the advice names
 * no directory of it. */
int lnote_kustomization(char **out, const char *file, bool from_stdin,
                        unsigned line) RFG_MUST_CHECK;
int lnote_partial(char **out, const char *file, bool from_stdin,
                  unsigned line, const char *name, const char *part)
    RFG_MUST_CHECK;
int lnote_patch(char **out, const char *file, unsigned line,
                const char *name, const char *kfile) RFG_MUST_CHECK;

#endif
