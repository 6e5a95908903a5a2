/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.h - bump allocation for the cJSON trees of one input file, so a
 * lint run over 100k documents does not pay malloc/free for every node.
 * Installed as cJSON's allocator hooks by the commands that want it; each
 * thread chooses the arena its cJSON allocations go to (or none: then the
 * heap). Memory from an arena is released all at once with the arena;
 * freeing a single node from an arena is a no-op.
 */
#ifndef RFG_ARENA_H
#define RFG_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Release every allocation made from `a`. NULL is a no-op. */
void arena_free(struct arena *a);

/* Route cJSON's allocations through the arena hooks. Call once, before
 * any cJSON allocation and before threads start. */
void arena_install_cjson_hooks(void);
/* This thread's cJSON allocations go to `a` (NULL: the heap) until the
 * next call. Returns the previous arena. */
struct arena *arena_use(struct arena *a);
/* True once arena_install_cjson_hooks() was called. */
int arena_hooks_installed(void);

#endif
