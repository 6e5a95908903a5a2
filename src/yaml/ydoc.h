/* SPDX-License-Identifier: Apache-2.0
 *
 * ydoc.h - load YAML streams into cJSON trees while remembering where each
 * node came from (posmap), and write cJSON back out as YAML. Knows YAML,
 * not Kubernetes: kind/apiVersion checks belong to the rules.
 *
 * Input reads as kubectl reads it (sigs.k8s.io/yaml over go-yaml v2,
 * YAML 1.1): yes/no/on/off/y/n are booleans, quoted scalars stay strings,
 * 0x1f and 017 are integers, non-string mapping keys become strings
 * ("on:" is the key "true"), !!binary is decoded. A merge key (<<)
 * applies where it stands: it overrides the keys before it, and keys or
 * merges after it override it. Text whose first character is "{" may
 * hold several JSON values one after another (jq -c output): each is a
 * document. A last line without a newline gets one, so a block scalar
 * ending the input keeps its line break. An integer a double cannot hold
 * exactly (beyond 2^53) keeps its decimal text in the number's
 * valuestring (valuedouble is the nearest double). A duplicate key is an
 * error, and so is a string or key holding a NUL character (a "\0" or
 * "\u0000" escape), which C strings would cut short. Limits (depth,
 * alias expansion, sizes, document count) each fail with RFG_ELIMIT and
 * a diagnostic that names line:col. docs/yaml.md lists every difference
 * from kubectl.
 */
#ifndef RFG_YDOC_H
#define RFG_YDOC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "sbuf.h"

struct posmap;

struct ydoc_limits {
    size_t max_depth;        /* nesting of collections; default 100 */
    size_t max_alias_nodes;  /* nodes copied by alias expansion, per doc;
                                default 10000 */
    size_t max_scalar_bytes; /* default 1 MiB */
    size_t max_doc_bytes;    /* default 8 MiB */
    size_t max_input_bytes;  /* default 64 MiB */
    size_t max_docs;         /* default 100000 */
    size_t max_nodes;        /* per document; default 1000000 */
};

void ydoc_limits_default(struct ydoc_limits *lim);

struct ydoc {
    cJSON *root;            /* owned; NULL for an empty document */
    struct posmap *pm;      /* owned; position of every node in root */
    struct src_pos start;   /* where the document begins */
    char *source;           /* owned; value of a leading "# Source: x"
                               comment (helm template), or NULL */
};

struct ydoc_stream {
    struct ydoc *docs;      /* owned */
    size_t len, cap;
};

/* Parse every document of `buf`. Empty documents (only comments, or
 * "---" followed by nothing) are skipped. On failure the stream still
 * holds the complete documents before the error, and one diagnostic with
 * the position of the problem has been appended to `dl`.
 * Returns RFG_OK, RFG_EPARSE, RFG_ELIMIT or RFG_ENOMEM. */
int ydoc_load(struct ydoc_stream *out, const char *buf, size_t len,
              const struct ydoc_limits *lim, struct diag_list *dl)
    RFG_MUST_CHECK;

void ydoc_stream_cleanup(struct ydoc_stream *s);

/* Like ydoc_load, but hand each document to fn(arg, doc) as soon as it
 * is complete rather than keep it, so a caller can look at a tree while
 * its memory is still in the cache. The document (its tree, positions
 * and source) lives only during the call: fn may take the tree, setting
 * doc->root to NULL, and must then free it itself (an arena's tree goes
 * with its arena). A non-zero return of fn stops the load and is
 * returned, with no diagnostic. Otherwise returns as ydoc_load, the
 * documents before a failure having been handed over. */
typedef int (*ydoc_each_fn)(void *arg, struct ydoc *doc);
int ydoc_load_each(const char *buf, size_t len,
                   const struct ydoc_limits *lim, struct diag_list *dl,
                   ydoc_each_fn fn, void *arg) RFG_MUST_CHECK;

/* Position recorded for `node`: for a mapping value, the position of its
 * key; for a sequence item or a root, the node itself. {0,0} if unknown
 * (node not from this document, or pm NULL). Thread-safe for readers. */
struct src_pos posmap_get(const struct posmap *pm, const cJSON *node);

/* Append `root` to `out` as a block-style YAML document (no "---"),
 * quoting any string that would not read back as the same string. */
int ydoc_emit(struct sbuf *out, const cJSON *root) RFG_MUST_CHECK;

#endif
