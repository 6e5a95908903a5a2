/* SPDX-License-Identifier: Apache-2.0
 *
 * jpack.h - a cJSON tree and one source position per node, packed into
 * one compact byte record and inflated back into an equal tree: for
 * small trees a program keeps many of (lint keeps one per failover for
 * the cluster-wide rules) and reads one at a time. A record is about a
 * tenth of the tree it packs. Not a wire format: records are read back
 * by the same build that wrote them, never stored or sent.
 */
#ifndef RFG_JPACK_H
#define RFG_JPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "diag.h"

/* The position of `node` (one of the tree's nodes), asked in pre-order:
 * a node before its children, children in order. */
typedef struct src_pos (*jpack_pos_fn)(void *arg, const cJSON *node);

/* Pack `root` (types, keys, values, the exact number fields and the
 * text a number keeps, duplicate keys included) with the position
 * `pos_of` gives each node. `dict` (NULL-terminated, at most 64
 * entries, may be NULL) lists strings stored as one byte; unpack with
 * the same list. Returns a malloc'd record (its length in *len), NULL
 * on ENOMEM. */
unsigned char *jpack_tree(const cJSON *root, jpack_pos_fn pos_of, void *arg,
                          const char *const *dict, size_t *len);

/* Writing a record node by node, for a tree that exists only in part
 * (lint packs a failover's skeleton straight from its document rather
 * than from a copy): nodes come in pre-order, each array or object
 * announcing how many children follow. The members are internal. */
struct jpack_buf {
    unsigned char *p;
    size_t len, cap;
    bool heap, failed;     /* p is malloc'd; ENOMEM seen (sticky) */
};

struct jpack_w {
    struct jpack_buf tree, pos;
    unsigned char tree0[512], pos0[256]; /* room a skeleton needs */
    jpack_pos_fn pos_of;
    void *arg;
    const char *const *dict;
    const uint64_t *sets;  /* which dictionary entries a string may be */
    size_t nodes;
    long line;
};

/* Start a record with dictionary `dict` (as jpack_tree's). */
void jpack_w_init(struct jpack_w *w, const char *const *dict);
/* An object (or array) node under `key` (NULL: none) at `pos`, whose
 * `nchildren` children are the next nodes given. */
void jpack_w_open(struct jpack_w *w, const char *key, bool object,
                  size_t nchildren, struct src_pos pos);
/* Node `n` and its whole subtree, under `key` (NULL: none), leaving out
 * n's members named `skip` (NULL: none); positions from `pos_of`. */
void jpack_w_tree(struct jpack_w *w, const char *key, const cJSON *n,
                  const char *skip, jpack_pos_fn pos_of, void *arg);
/* The record (malloc'd, its length in *len), NULL on ENOMEM; `w` is
 * done with either way. */
unsigned char *jpack_w_finish(struct jpack_w *w, size_t *len);

/* Inflate record `rec` into a new tree (cJSON's allocator; delete it
 * with cJSON_Delete). NULL on ENOMEM. */
cJSON *jpack_unpack(const unsigned char *rec, const char *const *dict);

/* The position of the node with pre-order number `i` (the root is 0);
 * false when the tree has fewer nodes. */
bool jpack_pos(const unsigned char *rec, size_t i, struct src_pos *out);

/* The pre-order number of `node` in the tree under `root`, or -1 when
 * it is not there. */
long jpack_index(const cJSON *root, const cJSON *node);

#endif
