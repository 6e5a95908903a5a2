/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.h - bump allocation for cJSON trees whose nodes all die together:
 * the trees of one input file in a lint run over 100k documents, or the
 * trees of one admission request in the webhook, so neither pays
 * malloc/free for every node. Installed as cJSON's allocator hooks by the
 * commands that want it; each thread chooses the arena its cJSON
 * allocations go to (or none: then the heap). Memory from an arena is
 * released all at once with the arena (or reused after arena_reset);
 * freeing a single node from an arena is a no-op. It is not a general
 * allocator: nothing but cJSON allocates from it.
 */
#ifndef RFG_ARENA_H
#define RFG_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Release every allocation made from `a`. NULL is a no-op. */
void arena_free(struct arena *a);
/* Release every allocation made from `a` but keep one chunk of at most
 * `keep` bytes for the next use, so a reused arena costs no malloc for
 * small loads. Nothing allocated from `a` may be used after this. */
void arena_reset(struct arena *a, size_t keep);
/* Cap the chunk memory `a` holds at `max` bytes (0: no cap, the
 * default). Past the cap the hooks take new blocks from the heap (marked
 * as such, so cJSON_Delete frees them), which is right only when every
 * tree built in the arena is deleted with cJSON_Delete: lint's arenas,
 * whose trees are dropped with the arena, must stay uncapped. */
void arena_set_limit(struct arena *a, size_t max);
/* True when, since `a` was made or reset, a cJSON block was taken from
 * the heap while `a` was current (past its limit, or out of memory).
 * While false, every tree built meanwhile lies wholly in `a`: dropping
 * it needs no cJSON_Delete. */
bool arena_spilled(const struct arena *a);

/* Route cJSON's allocations through the arena hooks. Call once, before
 * any cJSON allocation and before threads start. */
void arena_install_cjson_hooks(void);
/* This thread's cJSON allocations go to `a` (NULL: the heap) until the
 * next call. Returns the previous arena. */
struct arena *arena_use(struct arena *a);
/* True once arena_install_cjson_hooks() was called. */
int arena_hooks_installed(void);

/* This thread's own reusable arena (for per-request trees), created on
 * first use and freed when the thread exits; NULL when out of memory.
 * Owned by the thread: never hand it to another one. */
struct arena *arena_thread(void);
/* Free this thread's arena now (the main thread never exits through
 * pthread_exit, so leak checkers would see it). A later arena_thread()
 * makes a new one. */
void arena_thread_release(void);

#endif
