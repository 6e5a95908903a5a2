/* SPDX-License-Identifier: Apache-2.0
 *
 * lint.h - the streaming lint pipeline behind `rfguard lint`. Files are
 * parsed on worker threads; as soon as a document is loaded (its tree
 * still in the cache), its failovers get the rules that need only the
 * object, and a small skeleton (what the cluster-wide rules read, see
 * rf_skeleton) is kept with the source positions of its nodes; then the
 * tree's memory serves the next document. Once every file was
 * read, the cluster-wide rules run on the skeletons against the complete
 * view. Memory therefore grows with the number of failovers, not with
 * the size of the input.
 */
#ifndef RFG_LINTRUN_H
#define RFG_LINTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cview.h"
#include "policy.h"
#include "report.h"

struct lint_opts {
    const struct policy_set *pol;  /* borrowed */
    enum rf_target target;         /* 0 = the policy's */
    const char *ns;                /* namespace of documents naming none */
    char **excludes;               /* borrowed globs */
    size_t nexcludes;
    unsigned jobs;                 /* 0 = online CPUs */
    const char *cluster_state;     /* NULL for none */
    bool progress;                 /* file counter on stderr */
    cview_hash_fn hash;            /* password fingerprints (SHA-256) */
    FILE *notes;                   /* notes on input that is not a plain
                                      manifest (lnote.h); NULL: none */
    const char *stdin_name;        /* borrowed: the name of "-" in the
                                      report; NULL = "<stdin>" */
};

/* Lint `paths` into `rep` (entries in input order, then sorted by
 * position). Returns RFG_OK or RFG_ENOMEM; input errors are entries. */
int lint_run(struct report *rep, char **paths, size_t npaths,
             const struct lint_opts *o) RFG_MUST_CHECK;

#endif
