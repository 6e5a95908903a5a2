/* SPDX-License-Identifier: Apache-2.0
 *
 * inputs.h - what lint and fix read: files, directories (walked in sorted
 * order) and stdin, split into documents (List items expanded), plus the
 * cluster view those documents make. Part of the CLI layer: it does I/O.
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
    char *buf;             /* owned file contents */
    size_t len;
    struct ydoc_stream ys; /* owned */
};

struct input_doc {
    struct input_file *file; /* borrowed */
    struct ydoc *doc;      /* borrowed: the YAML document */
    const cJSON *obj;      /* borrowed: root, or an item of a List */
    struct src_pos pos;    /* where obj starts */
};

struct input_set {
    struct input_file *files; /* owned */
    size_t nfiles, capfiles;
    struct input_doc *docs;   /* owned */
    size_t ndocs, capdocs;
    struct diag_list errors;  /* I/O and parse errors, with positions */
    struct cview cv;          /* every RedisFailover and Secret seen */
    const char *default_ns;
};

void inputs_init(struct input_set *s, const char *default_ns);
void inputs_cleanup(struct input_set *s);

/* Read every path ("-" = stdin; directories recursively: *.yaml, *.yml,
 * *.json). Problems go to s->errors; reading goes on with the next file.
 * Returns RFG_ENOMEM only; any other failure is in s->errors. */
int inputs_load(struct input_set *s, char **paths, size_t npaths)
    RFG_MUST_CHECK;

/* Position of the node at `ptr` in `d` (or of its deepest existing
 * ancestor). */
struct src_pos inputs_pos(const struct input_doc *d, const char *ptr);

#endif
