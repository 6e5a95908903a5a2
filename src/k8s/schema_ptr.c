/* SPDX-License-Identifier: Apache-2.0
 *
 * schema_ptr.c - the pointer helpers of schema.h: the subschema at an
 * RFC 6901 pointer, read from the parsed schema (rare calls: suggestions,
 * `schema_in_use_has`, tests), and a pointer as users read a field path.
 * Part of the schema module; the validation walk is schema.c's.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "sbuf.h"
#include "schema.h"

static bool is_type(const cJSON *sch, const char *t)
{
    const cJSON *v = json_get(sch, "type");

    return cJSON_IsString(v) && !strcmp(v->valuestring, t);
}

/* Schema of child `key` of an object schema: a property, else the
 * additionalProperties schema. NULL when unknown. */
static const cJSON *child_schema(const cJSON *sch, const char *key)
{
    const cJSON *p = json_get(json_get(sch, "properties"), key);

    if (p)
        return p;
    p = json_get(sch, "additionalProperties");
    return cJSON_IsObject(p) ? p : NULL;
}

const cJSON *schema_lookup(const cJSON *schema, const char *ptr)
{
    const cJSON *sch = schema;
    char tok[256];

    if (!ptr || (*ptr && *ptr != '/'))
        return NULL;
    while (sch && *ptr == '/') {
        const char *e = strchr(ptr + 1, '/');
        size_t n = e ? (size_t)(e - ptr - 1) : strlen(ptr + 1), i, j = 0;

        if (n >= sizeof(tok))
            return NULL;
        for (i = 0; i < n; i++) {
            char c = ptr[1 + i];

            if (c == '~' && i + 1 < n) {
                c = ptr[2 + i] == '1' ? '/' : '~';
                i++;
            }
            tok[j++] = c;
        }
        tok[j] = '\0';
        if (is_type(sch, "array"))
            sch = json_get(sch, "items");
        else
            sch = child_schema(sch, tok);
        ptr += n + 1;
    }
    return sch;
}

void schema_ptr_human(char *buf, size_t len, const char *ptr)
{
    size_t o = 0;
    const char *p = ptr;

    if (!len)
        return;
    buf[0] = '\0';
    while (p && *p == '/' && o + 1 < len) {
        const char *e = strchr(p + 1, '/');
        size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1), i;
        bool idx = n > 0;

        for (i = 0; i < n; i++)
            if (!isdigit((unsigned char)p[1 + i]))
                idx = false;
        if (idx) {
            o += (size_t)snprintf(buf + o, len - o, "[%.*s]", (int)n, p + 1);
        } else {
            if (o && o + 1 < len)
                buf[o++] = '.';
            for (i = 0; i < n && o + 1 < len; i++) {
                char c = p[1 + i];

                if (c == '~' && i + 1 < n) {
                    c = p[2 + i] == '1' ? '/' : '~';
                    i++;
                }
                buf[o++] = c;
            }
            buf[o] = '\0';
        }
        if (o >= len)
            o = len - 1;
        p += n + 1;
    }
    o = rfg_utf8_trim(buf, o);  /* if cut short, not inside a character */
    buf[o] = '\0';
}
