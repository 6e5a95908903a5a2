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

#define TAB_BITS 11
#define TAB_SIZE ((size_t)1 << TAB_BITS)
#define MAX_KEYS 1024       /* at most half the slots */
#define KEY_MAX 63          /* longer keys are never kept */
#define KEY_WORDS ((KEY_MAX + 8) / 8)

/* A kept key, and its bytes as the words same() compares, so that a
 * lookup compares a word or a few, not bytes, and calls no memcmp. */
struct key {
    const char *s;
    size_t len;
    uint32_t hash;          /* sidx_hash(s) */
    uint64_t w[KEY_WORDS];
};

static uint16_t tab[TAB_SIZE];  /* 1 + index into keys; 0 = empty */
static uint16_t by_ptr[TAB_SIZE];   /* the same, by the address s */
static struct key keys[MAX_KEYS];
static size_t nkeys;
static pthread_once_t tab_once = PTHREAD_ONCE_INIT;
static atomic_bool tab_ready;   /* built: no pthread_once call */

/* A hash of a kept key's address. */
static size_t ptr_hash(const char *s)
{
    return (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15u) >>
                    (64 - TAB_BITS));
}

/* A hash of the length and the first, middle and last bytes. */
static size_t key_hash(const char *s, size_t n)
{
    uint32_t x = (uint32_t)n | (uint32_t)(unsigned char)s[0] << 8 |
                 (uint32_t)(unsigned char)s[n / 2] << 16 |
                 (uint32_t)(unsigned char)s[n - 1] << 24;

    return (size_t)((x * 0x9E3779B1u) >> (32 - TAB_BITS));
}

/* The words of the n bytes at s (1 <= n <= KEY_MAX) that same()
 * compares, as loads of 8 bytes (the last one ending at s[n - 1]), of two
 * times 4 bytes, or of the three bytes 0, n / 2 and n - 1: together they
 * cover every byte, so equal lengths and words are equal keys. */
static inline uint64_t ld64(const char *p)
{
    uint64_t w;

    memcpy(&w, p, 8);
    return w;
}

static inline uint64_t short_word(const char *s, size_t n)
{
    uint32_t a, b;

    if (n >= 4) {
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    return (uint64_t)(unsigned char)s[0] |
           (uint64_t)(unsigned char)s[n / 2] << 8 |
           (uint64_t)(unsigned char)s[n - 1] << 16;
}

/* Does key k spell the n bytes at s? */
static inline bool same(const struct key *k, const char *s, size_t n)
{
    size_t o;

    if (k->len != n)
        return false;
    if (n < 8)
        return short_word(s, n) == k->w[0];
    for (o = 0; o + 8 < n; o += 8)
        if (ld64(s + o) != k->w[o / 8])
            return false;
    return ld64(s + n - 8) == k->w[(n - 1) / 8];
}

/* Add `s` unless the table holds that spelling already (the first
 * pointer stays) or is full. */
static void add(const char *s)
{
    size_t n = s ? strlen(s) : 0, j, o;
    struct key *k;

    if (n == 0 || n > KEY_MAX || nkeys >= MAX_KEYS)
        return;
    for (j = key_hash(s, n); tab[j]; j = (j + 1) & (TAB_SIZE - 1))
        if (same(&keys[tab[j] - 1], s, n))
            return;
    k = &keys[nkeys];
    k->s = s;
    k->len = n;
    k->hash = sidx_hash(s);
    if (n < 8) {
        k->w[0] = short_word(s, n);
    } else {
        for (o = 0; o + 8 < n; o += 8)
            k->w[o / 8] = ld64(s + o);
        k->w[(n - 1) / 8] = ld64(s + n - 8);
    }
    tab[j] = (uint16_t)++nkeys;
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
    for (j = key_hash(s, n); tab[j]; j = (j + 1) & (TAB_SIZE - 1))
        if (same(&keys[tab[j] - 1], s, n))
            return keys[tab[j] - 1].s;
    return NULL;
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
