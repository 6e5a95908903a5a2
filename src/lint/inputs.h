/* SPDX-License-Identifier: Apache-2.0
 *
 * inputs.h - what lint and fix read: files, directories (walked in sorted
 * order, with exclude globs) and stdin, parsed in parallel and split into
 * documents (List items expanded), plus the cluster view those documents
 * and an optional --cluster-state file make. Part of the CLI layer: it
 * does I/O and uses threads.
 */
#ifndef RFG_INPUTS_H
#define RFG_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cview.h"
#include "diag.h"
#include "ydoc.h"

struct input_file {
    char *name;            /* owned display name ("<stdin>" for -) */
    char *path;            /* owned path to open ("-" for stdin) */
    char *buf;             /* owned file contents */
    size_t len;
    struct ydoc_stream ys; /* owned */
    struct diag_list errs; /* read and parse errors of this file */
    bool state_only;       /* --cluster-state: feeds the view, not linted */
    bool docs_void;        /* inputs_stream_docs: the documents handed
                              over do not count (the file is a template
                              whose parse failed) */
    struct arena *arena;   /* owned; holds the trees when the cJSON arena
                              hooks are installed, else NULL */
};

struct input_doc {
    struct input_file *file; /* borrowed */
    const struct ydoc *doc; /* borrowed: the YAML document */
    const cJSON *obj;      /* borrowed: root, or an item of a List */
    struct src_pos pos;    /* where obj starts */
};

typedef void (*inputs_progress_fn)(size_t done, size_t total, void *arg);

struct input_set {
    struct input_file *files; /* owned */
    size_t nfiles, capfiles;
    struct input_doc *docs;   /* owned; linted documents only */
    size_t ndocs, capdocs;
    struct diag_list errors;  /* errors outside any file (walks) */
    struct cview cv;          /* every RedisFailover and Secret seen */
    const char *default_ns;
    char **excludes;          /* borrowed globs */
    size_t nexcludes;
    unsigned jobs;            /* parser threads; 0 = online CPUs */
    inputs_progress_fn progress;
    void *progress_arg;
    const char *cmd;          /* "lint" or "fix": named in the advice a
                                 template gets; NULL = "lint" */
    const char *stdin_name;   /* borrowed: what "-" is called in output
                                 (--stdin-filename); NULL = "<stdin>" */
};

void inputs_init(struct input_set *s, const char *default_ns,
                 cview_hash_fn hash);
void inputs_cleanup(struct input_set *s);

/* Read and parse every path ("-" = stdin, named s->stdin_name;
 * directories recursively:
 * *.yaml, *.yml, *.json, skipping hidden entries and --exclude matches).
 * A template (template.h) gets one error at its first template token
 * instead of the YAML parser's, and no documents
 * and the optional cluster-state file (NULL for none; its objects feed
 * the cluster view only, which then counts as complete). Symbolic links
 * are followed, but each real file and directory is read once, by the
 * first name that reaches it, so link loops end. Problems are
 * recorded per file; reading goes on with the next file. Returns
 * RFG_ENOMEM only. */
int inputs_load(struct input_set *s, char **paths, size_t npaths,
                const char *cluster_state) RFG_MUST_CHECK;

/* Streaming use (rfguard lint): build the file list only ... */
int inputs_collect(struct input_set *s, char **paths, size_t npaths,
                   const char *cluster_state) RFG_MUST_CHECK;
/* ... then call fn(file, index, arg) for every file on the worker
 * threads, each file read and parsed just before and its text and trees
 * released just after (its diagnostics stay). fn runs concurrently for
 * different files. */
typedef void (*inputs_file_fn)(struct input_file *f, size_t idx, void *arg);
void inputs_stream(struct input_set *s, inputs_file_fn fn, void *arg);

/* Streaming a document at a time: like inputs_stream, but each(f,
 * index, doc, arg) gets every document of a file as soon as it is
 * loaded, while its tree is still in the cache; the tree and its
 * positions live only during that call. Then fn(f, index, arg) once the
 * file is read, its diagnostics complete. When a failed parse turns out
 * to be a template's, f->docs_void tells fn to forget the documents
 * `each` got. A non-zero return of `each` stops the file's load. */
typedef int (*inputs_doc_fn)(struct input_file *f, size_t idx,
                             const struct ydoc *doc, void *arg);
void inputs_stream_docs(struct input_set *s, inputs_doc_fn each,
                        inputs_file_fn fn, void *arg);

/* Number of read/parse errors over all files. */
size_t inputs_nerrors(const struct input_set *s);

/* Position of the node at `ptr` in `d` (or of its deepest existing
 * ancestor). */
struct src_pos inputs_pos(const struct input_doc *d, const char *ptr);

/* Add `obj` (read from `f` at `pos`) to `cv` with its origin "file:line";
 * kinds the view does not keep are ignored. */
int inputs_add_to_view(struct cview *cv, const struct input_file *f,
                       const cJSON *obj, struct src_pos pos, const char *ns)
    RFG_MUST_CHECK;

/* A `kind: *List` document with items (kubectl get -o yaml/json). */
bool inputs_is_list(const cJSON *o);
/* Call fn for each object of a document: its root, or every item when it
 * is a List, with the object's position. Stops at the first non-zero
 * return and passes it on. */
typedef int (*inputs_object_fn)(void *arg, const struct ydoc *yd,
                                const cJSON *obj, struct src_pos pos);
int inputs_each_object(const struct ydoc *yd, inputs_object_fn fn,
                       void *arg);

/* The number of online CPUs (at least 1). */
unsigned inputs_ncpus(void);

#endif
