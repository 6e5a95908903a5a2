/* SPDX-License-Identifier: Apache-2.0
 *
 * json.c - child lookups on cJSON trees (json.h). No parsing, no
 * printing: cJSON does those.
 */
#include "json.h"

const cJSON *json_get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

cJSON *json_get_mut(cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
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
