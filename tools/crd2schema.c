/* SPDX-License-Identifier: Apache-2.0
 *
 * crd2schema.c - development tool: reads RedisFailover CRDs, takes
 * spec.versions[name=v1].schema.openAPIV3Schema from each, keeps only
 * what validation uses (types, properties, items, additionalProperties,
 * required, enum, format, pattern, the x-kubernetes-* markers; never a
 * description, a default or a list-type hint) and writes a C file holding
 * each schema as compact JSON, so rfguard carries the schemas of every
 * operator target and never fetches them. Its output is committed as
 * src/k8s/crd_schemas.c; scripts/gen-schemas.sh regenerates it from the
 * operators' CRDs, which are not part of the repository. It is not part
 * of rfguard; it trusts its inputs and fails loudly on anything
 * unexpected. The output names each CRD by its file name only, so it is
 * the same wherever the CRDs live.
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

/* Write `s` as a char array named `sym`, initialised by a string literal
 * split into lines of at most about 76 columns (after a comma where one
 * falls near the end), so the file reads and diffs line by line. */
static int emit(FILE *f, const char *sym, const char *s)
{
    size_t col = 0;
    unsigned char prev = 0;

    fprintf(f, "\nconst char %s[] =\n", sym);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (col == 0) {
            fputs("    \"", f);
            col = 5;
        }
        if (c == '"' || c == '\\' || (c == '?' && prev == '?')) {
            fprintf(f, "\\%c", c);
            col += 2;
        } else if (c < 0x20 || c >= 0x7f) {
            fprintf(f, "\\%03o", c);  /* octal: never runs into a digit */
            col += 4;
        } else {
            fputc(c, f);
            col++;
        }
        prev = c;       /* "\?" after a '?': never a trigraph */
        if (s[1] && (col >= 74 || (col >= 60 && c == ','))) {
            fputs("\"\n", f);
            col = 0;
        }
    }
    fprintf(f, "%s;\nconst size_t %s_len = sizeof(%s) - 1;\n",
            col ? "\"" : "    \"\"", sym, sym);
    return ferror(f) ? -1 : 0;
}

/* The file name part of `path`. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
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
    fprintf(f, "/* generated by tools/crd2schema from the operators' CRDs; "
               "do not edit.\n"
               " *\n"
               " * The openAPIV3Schema (v1) of each RedisFailover CRD rfguard "
               "targets,\n"
               " * as compact JSON with only what validation uses (no "
               "descriptions).\n"
               " * Regenerate with scripts/gen-schemas.sh [SHARED_DIR], "
               "which reads\n"
               " * SHARED_DIR/reference/crd-*.yaml (default ../shared).\n"
               " *\n");
    for (i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');

        if (eq)
            fprintf(f, " *   %.*s: %s\n", (int)(eq - argv[i]), argv[i],
                    base_name(eq + 1));
    }
    fprintf(f, " */\n"
               "#include <stddef.h>\n"
               "\n"
               "/* One string literal per schema, longer than the 4095 "
               "bytes ISO C\n"
               " * promises; gcc and clang take it. */\n"
               "#pragma GCC diagnostic ignored \"-Woverlength-strings\"\n");
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
