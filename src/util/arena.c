/* SPDX-License-Identifier: Apache-2.0
 *
 * arena.c - chunked bump allocator and the cJSON hooks that use it. Every
 * block handed to cJSON carries a 16-byte header saying whether it came
 * from an arena or from the heap, so cJSON_Delete on a heap tree frees it
 * and on an arena tree does nothing, whichever arena is current.
 */
#include "arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define CHUNK_MIN ((size_t)64 << 10)
#define CHUNK_MAX ((size_t)4 << 20)
#define HDR 16
#define MAGIC_HEAP 0x68656170u  /* "heap" */
#define MAGIC_ARENA 0x6172656eu /* "aren" */

struct chunk {
    struct chunk *next;
    size_t used, size;
    /* data follows, 16-byte aligned */
};

struct arena {
    struct chunk *head;
    size_t next_size;      /* grows from CHUNK_MIN to CHUNK_MAX */
};

static _Thread_local struct arena *current;
static int installed;

struct arena *arena_new(void)
{
    return calloc(1, sizeof(struct arena));
}

void arena_free(struct arena *a)
{
    struct chunk *c, *n;

    if (!a)
        return;
    for (c = a->head; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

#define CHUNK_HDR ((sizeof(struct chunk) + 15) & ~(size_t)15)

static void *arena_alloc(struct arena *a, size_t n)
{
    struct chunk *c = a->head;
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (a->next_size < CHUNK_MIN)
        a->next_size = CHUNK_MIN;
    if (!c || c->size - c->used < n) {
        bool big = n > a->next_size / 4;
        size_t size = big ? n : a->next_size;

        c = malloc(CHUNK_HDR + size);
        if (!c)
            return NULL;
        c->size = size;
        c->used = 0;
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
    p = (char *)c + CHUNK_HDR + c->used;
    c->used += n;
    return p;
}

static void *hook_malloc(size_t n)
{
    unsigned char *p;

    if (n > SIZE_MAX - HDR)
        return NULL;
    if (current) {
        p = arena_alloc(current, n + HDR);
        if (!p)
            return NULL;
        *(uint32_t *)(void *)p = MAGIC_ARENA;
    } else {
        p = malloc(n + HDR);
        if (!p)
            return NULL;
        *(uint32_t *)(void *)p = MAGIC_HEAP;
    }
    return p + HDR;
}

static void hook_free(void *q)
{
    unsigned char *p;

    if (!q)
        return;
    p = (unsigned char *)q - HDR;
    if (*(uint32_t *)(void *)p == MAGIC_HEAP) {
        *(uint32_t *)(void *)p = 0;
        free(p);
    }
    /* arena blocks go with their arena */
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
