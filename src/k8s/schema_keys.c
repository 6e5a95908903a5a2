/* SPDX-License-Identifier: Apache-2.0
 *
 * schema_keys.c - the keys a decoder may keep as constants instead of
 * copying them (see schema_key_intern in schema.h): every property name
 * of the compiled-in schemas, as the very pointer their tables hold, and
 * the keys of an AdmissionReview and of every object's metadata that no
 * schema lists. One table, built on first use from the generated tables
 * of crd_schemas.c; read-only after that. A lookup costs one hash of
 * four bytes and a compare a word at a time. Not here: what the keys
 * mean, validation (schema.c), the schema tables themselves (sidx.h,
 * crd_schemas.c).
 */
#include "schema.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sidx.h"

extern const struct sidx_table rfg_schema_s12_table, rfg_schema_s13_table,
    rfg_schema_f33_table;

/* Keys the schemas do not list: the review's envelope, metadata's
 * members, the label and annotation keys the rules read, and the
 * resource names of requests and limits. */
static const char *const extra[] = {
    "request", "object", "oldObject", "userInfo", "username", "groups",
    "extra", "operation", "dryRun", "uid", "kind", "apiVersion", "name",
    "namespace", "metadata", "labels", "annotations", "generation",
    "creationTimestamp", "deletionTimestamp", "resourceVersion",
    "generateName", "finalizers", "ownerReferences", "managedFields",
    "app.kubernetes.io/name", "app.kubernetes.io/component",
    "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
    "app.kubernetes.io/instance", "app.kubernetes.io/version",
    "redisfailovers-role", "redisfailovers.databases.spotahome.com/name",
    "rfguard.io/skip", "rfguard.io/skip-reason",
    "rfguard.io/sentinel-network-policy",
    "kubectl.kubernetes.io/last-applied-configuration", "cpu", "memory",
    "ephemeral-storage",
};

#define TAB_BITS 10
#define TAB_SIZE ((size_t)1 << TAB_BITS)
#define MAX_KEYS 512        /* at most half the slots */
#define KEY_MAX 63          /* longer keys are never kept */
#define MAX_WORDS 2048     /* the words before the last, of all keys */

/* A kept key: sidx_hash's hash of it and, for a key of more than 8
 * bytes, where its words before the last one start in `words`. Small and
 * packed, so that the few lines a review touches stay in the cache. */
struct key {
    const char *s;
    uint32_t hash;
    uint32_t w0;
};

/* A slot of the table by spelling: the last word and the length of the
 * key, so that most lookups settle without reading the key. */
struct slot {
    uint64_t last;
    uint16_t key;           /* 1 + index into keys; 0 = empty */
    uint16_t len;
};

static struct slot tab[TAB_SIZE];
static uint16_t by_ptr[TAB_SIZE];   /* 1 + index into keys, by s */
static struct key keys[MAX_KEYS];
static uint64_t words[MAX_WORDS];
static size_t nwords;
static size_t nkeys;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;
static atomic_bool tab_ready;   /* built: no pthread_once call */

/* A hash of a kept key's address. */
static size_t ptr_hash(const char *s)
{
    return (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15u) >>
                    (64 - TAB_BITS));
}

static inline uint64_t ld64(const char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return w;
}

/* The last word of the n bytes at s (1 <= n <= KEY_MAX): the 8 bytes
 * ending at s[n - 1]; for a shorter key, two 4-byte loads or the bytes
 * 0, n / 2 and n - 1, which cover it whole. With the words before it
 * (ld64 at 0, 8, ... while 8 more bytes follow), every byte is in a
 * word, so equal lengths and words are equal keys. */
static inline uint64_t last_word(const char *s, size_t n)
{
    uint32_t a, b;

    if (n >= 8)
        return ld64(s + n - 8);
    if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    return (uint64_t)(unsigned char)s[0] |
           (uint64_t)(unsigned char)s[n / 2] << 8 |
           (uint64_t)(unsigned char)s[n - 1] << 16;
}

static inline size_t key_hash(uint64_t last, size_t n)
{
    return (size_t)(((last ^ n) * 0x9E3779B97F4A7C15u) >> (64 - TAB_BITS));
}

/* The slot of the n bytes at s, whose last word is `last`: the key's
 * or the empty one where it would go. */
static inline size_t find(const char *s, size_t n, uint64_t last)
{
    size_t j, o;

    for (j = key_hash(last, n); tab[j].key; j = (j + 1) & (TAB_SIZE - 1)) {
        const struct key *k;

        if (tab[j].last != last || tab[j].len != n)
            continue;
        k = &keys[tab[j].key - 1];
        for (o = 0; o + 8 < n; o += 8)
            if (ld64(s + o) != words[k->w0 + o / 8])
                break;
        if (o + 8 >= n)
            return j;
    }
    return j;
}

/* Add `s` unless the table holds that spelling already (the first
 * pointer stays) or is full. */
static void add(const char *s)
{
    size_t n = s ? strlen(s) : 0, j, o;
    uint64_t last;
    struct key *k;

    if (n == 0 || n > KEY_MAX || nkeys >= MAX_KEYS ||
        nwords + n / 8 > MAX_WORDS)
        return;
    last = last_word(s, n);
    j = find(s, n, last);
    if (tab[j].key)
        return;
    k = &keys[nkeys];
    k->s = s;
    k->hash = sidx_hash(s);
    k->w0 = (uint32_t)nwords;
    for (o = 0; o + 8 < n; o += 8)
        words[nwords++] = ld64(s + o);
    tab[j].last = last;
    tab[j].len = (uint16_t)n;
    tab[j].key = (uint16_t)++nkeys;
    for (j = ptr_hash(s); by_ptr[j]; j = (j + 1) & (TAB_SIZE - 1))
        ;
    by_ptr[j] = (uint16_t)nkeys;
}

static void add_table(const struct sidx_table *t)
{
    size_t i, k;

    for (i = 0; i < t->nnodes; i++) {
        const struct sidx_node *nd = &t->nodes[i];

        for (k = 0; k < nd->nslots; k++)
            if (t->slots[nd->slot0 + k].node != SIDX_NIL)
                add(t->slots[nd->slot0 + k].name);
    }
}

static void tab_build(void)
{
    size_t i;

    add_table(&rfg_schema_s12_table);
    add_table(&rfg_schema_s13_table);
    add_table(&rfg_schema_f33_table);
    for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
        add(extra[i]);
    atomic_store_explicit(&tab_ready, true, memory_order_release);
}

const char *schema_key_intern(const char *s, size_t n)
{
    size_t j;

    if (n == 0 || n > KEY_MAX)
        return NULL;
    if (!atomic_load_explicit(&tab_ready, memory_order_acquire) &&
        pthread_once(&tab_once, tab_build) != 0)
        return NULL;
    j = find(s, n, last_word(s, n));
    return tab[j].key ? keys[tab[j].key - 1].s : NULL;
}

uint32_t schema_key_hash(const cJSON *c)
{
    size_t j;

    /* a constant of the YAML loader is usually one of these too: the
     * linker merges equal literals */
    if ((c->type & cJSON_StringIsConst) &&
        (atomic_load_explicit(&tab_ready, memory_order_acquire) ||
         pthread_once(&tab_once, tab_build) == 0)) {
        for (j = ptr_hash(c->string); by_ptr[j];
             j = (j + 1) & (TAB_SIZE - 1))
            if (keys[by_ptr[j] - 1].s == c->string)
                return keys[by_ptr[j] - 1].hash;
    }
    return sidx_hash(c->string);
}
