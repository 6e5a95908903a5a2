/* SPDX-License-Identifier: Apache-2.0
 *
 * ydoc2json.c - rfguard's side of the differential test
 * (tests/cli/yaml_diff.sh): loads one file with ydoc_load(), exactly as
 * `rfguard lint` reads it, and prints each document as one line of JSON.
 * A load failure prints one line "ERROR <diagnostic>" after the documents
 * read before it. Numbers are printed exactly as the loader holds them
 * (the exact text of a big integer, else every digit of the double), not
 * through cJSON's printer, which rounds to 15 digits. A test tool, not
 * part of rfguard.
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "file.h"
#include "ydoc.h"

static void put_string(const char *s)
{
    const unsigned char *p;

    putchar('"');
    for (p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void put_number(const cJSON *n)
{
    double d = n->valuedouble;

    if (n->valuestring)
        fputs(n->valuestring, stdout);
    else if (d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d)
        printf("%lld", (long long)d);
    else
        printf("%.17g", d);
}

static void put_json(const cJSON *n)
{
    const cJSON *c;

    if (cJSON_IsObject(n) || cJSON_IsArray(n)) {
        putchar(cJSON_IsObject(n) ? '{' : '[');
        for (c = n->child; c; c = c->next) {
            if (c != n->child)
                putchar(',');
            if (cJSON_IsObject(n)) {
                put_string(c->string ? c->string : "");
                putchar(':');
            }
            put_json(c);
        }
        putchar(cJSON_IsObject(n) ? '}' : ']');
    } else if (cJSON_IsString(n)) {
        put_string(n->valuestring ? n->valuestring : "");
    } else if (cJSON_IsNumber(n)) {
        put_number(n);
    } else if (cJSON_IsBool(n)) {
        fputs(cJSON_IsTrue(n) ? "true" : "false", stdout);
    } else {
        fputs("null", stdout);
    }
}

int main(int argc, char **argv)
{
    struct ydoc_stream ys = {0};
    struct diag_list dl;
    char *buf = NULL, msg[300];
    size_t len = 0, i;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: ydoc2json FILE\n");
        return 2;
    }
    if (rfg_read_file(&buf, &len, argv[1], (size_t)64 << 20)) {
        fprintf(stderr, "ydoc2json: cannot read %s\n", argv[1]);
        return 2;
    }
    diag_list_init(&dl, NULL);
    rc = ydoc_load(&ys, buf, len, NULL, &dl);
    for (i = 0; i < ys.len; i++) {
        put_json(ys.docs[i].root);
        putchar('\n');
    }
    if (rc) {
        if (dl.len)
            diag_format(&dl.v[0], msg, sizeof(msg));
        else
            snprintf(msg, sizeof(msg), "%s", rfg_strerror(rc));
        printf("ERROR %s\n", msg);
    }
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
    free(buf);
    return 0;
}
