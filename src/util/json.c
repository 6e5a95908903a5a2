/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c - child lookups on cJSON trees (json.h). No parsing, no
 * printing: cJSON does those.
 */
#include "json.h"

/* cJSON_GetObjectItemCaseSensitive's search (the first member of that
 * name; a member without a name ends it) without a library call and a
 * strcmp per member: rules ask for the same few fields of every object
 * over and over, and most names differ in their first byte. */
static cJSON *find(const cJSON *o, const char *k)
{
    cJSON *c;

    if (!o || !k || (o->type & 0xFF) != cJSON_Object)
        return NULL;
    for (c = o->child; c && c->string; c = c->next) {
        const char *a = c->string, *b = k;

        while (*a && *a == *b) {
            a++;
            b++;
        }
        if (*a == *b)
            return c;
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
    const cJSON *v = json_get(o, k);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *json_last(const cJSON *a)
{
    return a && a->child ? a->child->prev : NULL;
}
