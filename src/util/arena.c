/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.c - chunked bump allocator and the cJSON hooks that use it. A
 * block's address says where it came from: heap blocks (posix_memalign)
 * start on a 16-byte boundary, arena blocks 8 bytes past one, so
 * cJSON_Delete on a heap tree frees it and on an arena tree does nothing,
 * whichever arena is current, and no block carries a header. Also
 * each thread's reusable arena (arena_thread). Under AddressSanitizer,
 * arena memory that is not handed out (a reset chunk, a freed node, the
 * gap after each block) is poisoned, so a tree used after its request or
 * file is reported as it would be with malloc. Not a general allocator.
 */
#include "arena.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define REDZONE 16          /* poisoned gap after every block */
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define REDZONE 0
#endif

#define CHUNK_MIN ((size_t)64 << 10)
#define CHUNK_MAX ((size_t)4 << 20)
/* Arena blocks start this far past a 16-byte boundary (heap blocks on
 * one); their sizes are rounded to 16 bytes, so each next one does too. */
#define TAG 8
#ifdef ARENA_ASAN
#define SIZE_HDR 16         /* the block's size, for hook_free's poison */
#else
#define SIZE_HDR 0
#endif

struct chunk {
    struct chunk *next;
    size_t used, size;
    /* data follows, 16-byte aligned */
};

struct arena {
    struct chunk *head;
    size_t next_size;      /* grows from CHUNK_MIN to CHUNK_MAX */
    size_t total;          /* bytes of chunk data held */
    size_t limit;          /* 0 = no cap on `total` */
    bool spilled;          /* a block went to the heap since the reset */
};

static _Thread_local struct arena *current;
static int installed;

#define CHUNK_HDR ((sizeof(struct chunk) + 15) & ~(size_t)15)

/* The first byte of chunk `c`'s data. */
static unsigned char *chunk_data(struct chunk *c)
{
    return (unsigned char *)c + CHUNK_HDR;
}

struct arena *arena_new(void)
{
    return calloc(1, sizeof(struct arena));
}

/* Free chunk `c`, handing its memory back to malloc unpoisoned. */
static void chunk_free(struct chunk *c)
{
    UNPOISON(chunk_data(c), c->size);
    free(c);
}

void arena_free(struct arena *a)
{
    struct chunk *c, *n;

    if (!a)
        return;
    for (c = a->head; c; c = n) {
        n = c->next;
        chunk_free(c);
    }
    free(a);
}

void arena_reset(struct arena *a, size_t keep)
{
    struct chunk *c, *n, *kept = NULL;

    if (!a)
        return;
    for (c = a->head; c; c = c->next)
        if (c->size <= keep && (!kept || c->size > kept->size))
            kept = c;
    for (c = a->head; c; c = n) {
        n = c->next;
        if (c != kept)
            chunk_free(c);
    }
    a->head = kept;
    a->total = 0;
    a->spilled = false;
    a->next_size = CHUNK_MIN;
    if (kept) {
        kept->next = NULL;
        kept->used = TAG;
        POISON(chunk_data(kept), kept->size);
        a->total = kept->size;
        a->next_size = kept->size < CHUNK_MAX / 2 ? 2 * kept->size
                                                  : CHUNK_MAX;
        if (a->next_size < CHUNK_MIN)
            a->next_size = CHUNK_MIN;
    }
}

void arena_set_limit(struct arena *a, size_t max)
{
    a->limit = max;
}

bool arena_spilled(const struct arena *a)
{
    return a->spilled;
}

/* `n` bytes from `a`, 8 bytes past a 16-byte boundary; NULL when out of
 * memory or when a new chunk would take `a` past its limit. */
static void *arena_alloc(struct arena *a, size_t n)
{
    struct chunk *c = a->head;
    void *mem;
    unsigned char *p;

    if (n > SIZE_MAX - 15 - REDZONE - TAG)
        return NULL;
    n = (n + REDZONE + 15) & ~(size_t)15;
    if (a->next_size < CHUNK_MIN)
        a->next_size = CHUNK_MIN;
    if (!c || c->size - c->used < n) {
        bool big = n > a->next_size / 4;
        size_t size = big ? n + TAG : a->next_size;

        if (a->limit && (size > a->limit || a->total > a->limit - size))
            return NULL;
        if (size > SIZE_MAX - CHUNK_HDR ||
            posix_memalign(&mem, 16, CHUNK_HDR + size) != 0)
            return NULL;
        c = mem;
        c->size = size;
        c->used = TAG;
        POISON(chunk_data(c), size);
        a->total += size;
        if (big && a->head) {
            /* a big block gets its own chunk behind the current one */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
            if (a->next_size < CHUNK_MAX)
                a->next_size *= 2;
        }
    }
    p = chunk_data(c) + c->used;
    c->used += n;
    UNPOISON(p, n - REDZONE);
    return p;
}

/* hook_malloc past its fast path: arena_alloc (a new chunk), or the
 * heap. Out of line, so that the fast path saves no registers. */
static __attribute__((noinline)) void *hook_malloc_slow(size_t n)
{
    unsigned char *p;
    void *mem;

    if (current) {
        if (n <= SIZE_MAX - SIZE_HDR &&
            (p = arena_alloc(current, n + SIZE_HDR)) != NULL) {
#ifdef ARENA_ASAN
            *(size_t *)(void *)p = n;       /* for hook_free's poison */
#endif
            return p + SIZE_HDR;
        }
        /* over the arena's limit (or out of memory): the heap */
        current->spilled = true;
    }
    if (posix_memalign(&mem, 16, n ? n : 1) != 0)
        return NULL;
    return mem;
}

static void *hook_malloc(size_t n)
{
#ifndef ARENA_ASAN
    struct arena *a = current;
    struct chunk *c;
    size_t need;

    /* The usual block (a node, a string) fits the current chunk: what
     * arena_alloc does then, without its checks for a new chunk. */
    if (a && (c = a->head) != NULL && n <= CHUNK_MIN) {
        need = (n + 15) & ~(size_t)15;
        if (c->size - c->used >= need) {
            unsigned char *p = chunk_data(c) + c->used;

            c->used += need;
            return p;
        }
    }
#endif
    return hook_malloc_slow(n);
}

static void hook_free(void *q)
{
    if (!q)
        return;
    if (((uintptr_t)q & 15) != TAG) {
        free(q);
        return;
    }
    /* arena blocks go with their arena; until then none may be used */
#ifdef ARENA_ASAN
    {
        unsigned char *p = (unsigned char *)q - SIZE_HDR;

        POISON(p, SIZE_HDR + *(size_t *)(void *)p);
    }
#endif
}

void arena_install_cjson_hooks(void)
{
    cJSON_Hooks h = {hook_malloc, hook_free};

    cJSON_InitHooks(&h);
    installed = 1;
}

int arena_hooks_installed(void)
{
    return installed;
}

struct arena *arena_use(struct arena *a)
{
    struct arena *prev = current;

    current = a;
    return prev;
}

/* ---- each thread's arena ---- */

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;
static bool thread_key_ok;
/* The same pointer as the key's value: leak checkers scan TLS. */
static _Thread_local struct arena *thread_arena;

/* Key destructor: the thread is exiting. */
static void thread_arena_free(void *p)
{
    if (current == p)
        current = NULL;
    thread_arena = NULL;
    arena_free(p);
}

static void thread_key_init(void)
{
    thread_key_ok = pthread_key_create(&thread_key, thread_arena_free) == 0;
}

struct arena *arena_thread(void)
{
    struct arena *a = thread_arena;

    if (a)
        return a;
    if (pthread_once(&thread_once, thread_key_init) != 0 || !thread_key_ok)
        return NULL;
    a = arena_new();
    if (a && pthread_setspecific(thread_key, a) != 0) {
        arena_free(a);
        a = NULL;
    }
    thread_arena = a;
    return a;
}

void arena_thread_release(void)
{
    struct arena *a = thread_arena;

    if (!a)
        return;
    (void)pthread_setspecific(thread_key, NULL);
    thread_arena_free(a);
}
