/* SPDX-License-Identifier: Apache-2.0
 *
 * crd2schema.c - build-time generator: reads RedisFailover CRDs, takes
 * spec.versions[name=v1].schema.openAPIV3Schema from each, drops what
 * validation does not use (descriptions, list-type hints, defaults) and
 * writes a C file holding each schema as compact JSON, so rfguard carries
 * the schemas of every operator target and never fetches them. It is a
 * build tool, not part of rfguard; it trusts its inputs (the CRDs in
 * crds/) and fails loudly on anything unexpected.
 *
 * Usage: crd2schema OUT.c SYMBOL=CRD.yaml...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ydoc.h"

static cJSON *strip_schema(const cJSON *s);

/* Read the whole file into a new buffer; NULL on error. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL, *nb;
    size_t cap = 0, n;

    *len = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (*len + 65536 > cap) {
            cap = cap ? cap * 2 : 1u << 20;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    } else {
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

/* Copy `props` (field name -> schema), stripping each schema. */
static cJSON *strip_props(const cJSON *props)
{
    cJSON *out = cJSON_CreateObject();
    const cJSON *p;

    if (!out)
        return NULL;
    cJSON_ArrayForEach(p, props) {
        cJSON *c = strip_schema(p);

        if (!c || !cJSON_AddItemToObject(out, p->string, c)) {
            cJSON_Delete(c);
            cJSON_Delete(out);
            return NULL;
        }
    }
    return out;
}

/* Keep the keywords schema.c understands; recurse into subschemas. */
static cJSON *strip_schema(const cJSON *s)
{
    static const char *const keep[] = {
        "type", "required", "format", "enum", "pattern", "nullable",
        "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource", "minimum", "maximum",
    };
    cJSON *out = cJSON_CreateObject();
    const cJSON *k;
    size_t i;

    if (!out || !cJSON_IsObject(s))
        goto fail;
    cJSON_ArrayForEach(k, s) {
        cJSON *c = NULL;

        if (!strcmp(k->string, "properties")) {
            c = strip_props(k);
        } else if (!strcmp(k->string, "items") ||
                   (!strcmp(k->string, "additionalProperties") &&
                    cJSON_IsObject(k))) {
            c = strip_schema(k);
        } else if (!strcmp(k->string, "anyOf")) {
            const cJSON *a;

            c = cJSON_CreateArray();
            cJSON_ArrayForEach(a, k) {
                cJSON *x = strip_schema(a);

                if (!c || !x || !cJSON_AddItemToArray(c, x)) {
                    cJSON_Delete(x);
                    cJSON_Delete(c);
                    goto fail;
                }
            }
        } else {
            for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
                if (!strcmp(k->string, keep[i]) ||
                    !strcmp(k->string, "additionalProperties"))
                    break;
            if (i == sizeof(keep) / sizeof(keep[0]))
                continue;
            c = cJSON_Duplicate(k, 1);
        }
        if (!c || !cJSON_AddItemToObject(out, k->string, c)) {
            cJSON_Delete(c);
            goto fail;
        }
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

/* The v1 openAPIV3Schema of the CRD in `path`, stripped; NULL on error. */
static cJSON *load_schema(const char *path)
{
    struct ydoc_stream ys = {0};
    struct ydoc_limits lim;
    struct diag_list dl;
    char *buf = NULL;
    size_t len = 0, i;
    const cJSON *v;
    cJSON *out = NULL;

    diag_list_init(&dl, path);
    ydoc_limits_default(&lim);
    buf = read_all(path, &len);
    if (!buf) {
        fprintf(stderr, "crd2schema: cannot read %s\n", path);
        goto out;
    }
    if (ydoc_load(&ys, buf, len, &lim, &dl) || ys.len < 1) {
        fprintf(stderr, "crd2schema: %s: %s\n", path,
                dl.len ? dl.v[0].msg : "no document");
        goto out;
    }
    for (i = 0; i < ys.len && !out; i++) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(ys.docs[i].root,
                                                             "spec");

        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec,
                                                               "versions")) {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(v, "name");
            const cJSON *sch = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(v, "schema"),
                "openAPIV3Schema");

            if (cJSON_IsString(name) && !strcmp(name->valuestring, "v1") &&
                cJSON_IsObject(sch)) {
                out = strip_schema(sch);
                break;
            }
        }
    }
    if (!out)
        fprintf(stderr, "crd2schema: %s: no v1 openAPIV3Schema\n", path);
out:
    ydoc_stream_cleanup(&ys);
    diag_list_cleanup(&dl);
    free(buf);
    return out;
}

/* Write `s` as a NUL-terminated char array named `sym`. */
static int emit(FILE *f, const char *sym, const char *s)
{
    size_t i, n = strlen(s);

    fprintf(f, "const char %s[] = {\n", sym);
    for (i = 0; i < n; i++)
        fprintf(f, "%d,%s", (unsigned char)s[i], i % 24 == 23 ? "\n" : "");
    fprintf(f, "0};\nconst size_t %s_len = %zu;\n", sym, n);
    return ferror(f) ? -1 : 0;
}

int main(int argc, char **argv)
{
    FILE *f;
    int i, rc = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: crd2schema OUT.c SYMBOL=CRD.yaml...\n");
        return 2;
    }
    f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f, "/* generated by tools/crd2schema.c; do not edit */\n"
               "#include <stddef.h>\n");
    for (i = 2; i < argc && !rc; i++) {
        char sym[128];
        const char *eq = strchr(argv[i], '=');
        cJSON *s;
        char *txt;

        if (!eq || eq == argv[i] || (size_t)(eq - argv[i]) >= sizeof(sym)) {
            fprintf(stderr, "crd2schema: bad argument '%s'\n", argv[i]);
            rc = 2;
            break;
        }
        memcpy(sym, argv[i], (size_t)(eq - argv[i]));
        sym[eq - argv[i]] = '\0';
        s = load_schema(eq + 1);
        txt = s ? cJSON_PrintUnformatted(s) : NULL;
        if (!txt || emit(f, sym, txt))
            rc = 1;
        cJSON_free(txt);
        cJSON_Delete(s);
    }
    if (fclose(f) || rc) {
        remove(argv[1]);
        return rc ? rc : 1;
    }
    return 0;
}
