/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c - child lookups on cJSON trees (json.h). No parsing, no
 * printing: cJSON does those.
 */
#include <stdbool.h>
#include <string.h>

#include "json.h"

/* Does a name whose first two bytes match `k`'s (all of it, if shorter)
 * equal `k`? Names that share two bytes often differ in the third
 * ("replicas", "resources"): that one is compared without a call. */
static inline bool rest_eq(const char *name, const char *k)
{
    return !k[0] || !k[1] ||
           (name[2] == k[2] && (!k[2] || !strcmp(name + 3, k + 3)));
}

/* The search from `c`, whose name's first two bytes match: out of line,
 * so that the usual search, which settles on an address or rejects by
 * the first two bytes, calls nothing and keeps no frame. */
static __attribute__((noinline)) cJSON *find_from(cJSON *c, const char *k)
{
    if (rest_eq(c->string, k))
        return c;
    for (c = c->next; c && c->string; c = c->next) {
        if (c->string == k ||
            (c->string[0] == k[0] && (!k[0] || c->string[1] == k[1]) &&
             rest_eq(c->string, k)))
            return c;
    }
    return NULL;
}

/* cJSON_GetObjectItemCaseSensitive's search (the first member of that
 * name; a member without a name ends it) without a library call per
 * member: rules ask for the same few fields of every object over and
 * over, and most names differ in their first two bytes, so only a
 * member whose first two bytes match pays for a compare. That is libc's
 * strcmp, which takes a word or a vector at a time: a byte loop spent
 * most of the search matching the found name itself, and the long
 * shared prefixes of label keys ("app.kubernetes.io/..."). A name that
 * is the very pointer asked for matches without a compare (tested only
 * once the first two bytes agree, which it implies): decoders keep
 * common keys as constants (schema_key_intern, the YAML loader's keys),
 * and the linker merges them with equal string literals of callers. */
static inline cJSON *find(const cJSON *o, const char *k)
{
    cJSON *c;
    char k0, k1;

    if (!o || !k || (o->type & 0xFF) != cJSON_Object)
        return NULL;
    k0 = k[0];
    k1 = k0 ? k[1] : 0;
    for (c = o->child; c && c->string; c = c->next) {
        if (c->string[0] == k0 && (!k0 || c->string[1] == k1))
            return c->string == k ? c : find_from(c, k);
    }
    return NULL;
}

const cJSON *json_get(const cJSON *o, const char *k)
{
    return find(o, k);
}

cJSON *json_get_mut(cJSON *o, const char *k)
{
    return find(o, k);
}

const char *json_str(const cJSON *o, const char *k)
{
    const cJSON *v = find(o, k);

    return v && (v->type & 0xFF) == cJSON_String ? v->valuestring : NULL;
}

const cJSON *json_last(const cJSON *a)
{
    return a && a->child ? a->child->prev : NULL;
}
