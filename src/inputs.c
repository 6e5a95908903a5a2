/* SPDX-License-Identifier: Apache-2.0
 *
 * inputs.c - read lint/fix inputs: files, directory trees and stdin. Each
 * file is parsed with ydoc; documents that are `List`s contribute their
 * items. Every document feeds the cluster view, so a Secret in one file
 * satisfies a failover in another. The password fingerprint uses
 * OpenSSL's SHA-256; the value itself never leaves cview.c.
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "cli.h"
#include "jpatch.h"

#define INPUT_MAX_BYTES ((size_t)64 << 20)

static void sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 32;

    if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL))
        memset(out, 0, 32);
}

void inputs_init(struct input_set *s, const char *default_ns)
{
    memset(s, 0, sizeof(*s));
    diag_list_init(&s->errors, NULL);
    s->errors.max = 10000;
    cview_init(&s->cv, sha256);
    s->default_ns = default_ns ? default_ns : "default";
}

void inputs_cleanup(struct input_set *s)
{
    size_t i;

    for (i = 0; i < s->nfiles; i++) {
        free(s->files[i].name);
        free(s->files[i].buf);
        ydoc_stream_cleanup(&s->files[i].ys);
    }
    free(s->files);
    free(s->docs);
    diag_list_cleanup(&s->errors);
    cview_cleanup(&s->cv);
}

static int push_doc(struct input_set *s, size_t fidx, struct ydoc *d,
                    const cJSON *obj, struct src_pos pos)
{
    if (s->ndocs == s->capdocs) {
        size_t ncap = s->capdocs ? s->capdocs * 2 : 64;
        struct input_doc *nv = realloc(s->docs, ncap * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        s->docs = nv;
        s->capdocs = ncap;
    }
    /* files may move when the array grows: store the index, fix later */
    s->docs[s->ndocs].file = (struct input_file *)(uintptr_t)fidx;
    s->docs[s->ndocs].doc = d;
    s->docs[s->ndocs].obj = obj;
    s->docs[s->ndocs].pos = pos;
    s->ndocs++;
    return RFG_OK;
}

static bool is_list(const cJSON *o)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
    size_t n;

    if (!cJSON_IsString(k) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "items")))
        return false;
    n = strlen(k->valuestring);
    return n >= 4 && !strcmp(k->valuestring + n - 4, "List");
}

static int load_one(struct input_set *s, const char *name, const char *path)
{
    struct input_file *f;
    size_t fidx, i;
    int rc;

    if (s->nfiles == s->capfiles) {
        size_t ncap = s->capfiles ? s->capfiles * 2 : 16;
        struct input_file *nv = realloc(s->files, ncap * sizeof(*nv));

        if (!nv)
            return RFG_ENOMEM;
        s->files = nv;
        s->capfiles = ncap;
    }
    fidx = s->nfiles;
    f = &s->files[fidx];
    memset(f, 0, sizeof(*f));
    f->name = strdup(name);
    if (!f->name)
        return RFG_ENOMEM;
    s->nfiles++;
    s->errors.file = f->name;
    rc = cli_read_file(&f->buf, &f->len, path, INPUT_MAX_BYTES);
    if (rc == RFG_ENOMEM)
        return rc;
    if (rc == RFG_ELIMIT) {
        diag_fail(&s->errors, rc, NULL, "file is larger than %zu MiB",
                  INPUT_MAX_BYTES >> 20);
        return RFG_OK;
    }
    if (rc) {
        diag_fail(&s->errors, rc, NULL, "cannot read: %s", strerror(errno));
        return RFG_OK;
    }
    rc = ydoc_load(&f->ys, f->buf, f->len, NULL, &s->errors);
    if (rc == RFG_ENOMEM)
        return rc;
    for (i = 0; i < f->ys.len; i++) {
        struct ydoc *d = &f->ys.docs[i];
        const cJSON *it;

        if (!is_list(d->root)) {
            if ((rc = push_doc(s, fidx, d, d->root, d->start)))
                return rc;
            continue;
        }
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d->root,
                                                                "items")) {
            if ((rc = push_doc(s, fidx, d, it, posmap_get(d->pm, it))))
                return rc;
        }
    }
    return RFG_OK;
}

static bool wanted(const char *name)
{
    size_t n = strlen(name);

    return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
           (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int walk(struct input_set *s, const char *dir, int depth)
{
    struct dirent **ents = NULL;
    int n, i, rc = RFG_OK;

    if (depth > 64)
        return RFG_OK;
    n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        s->errors.file = dir;
        diag_fail(&s->errors, RFG_EIO, NULL, "cannot read directory: %s",
                  strerror(errno));
        return RFG_OK;
    }
    for (i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        struct stat st;
        char *p;
        size_t plen;

        if (rc || e[0] == '.') {
            free(ents[i]);
            continue;
        }
        plen = strlen(dir) + strlen(e) + 2;
        p = malloc(plen);
        if (!p) {
            rc = RFG_ENOMEM;
            free(ents[i]);
            continue;
        }
        snprintf(p, plen, "%s%s%s", dir,
                 dir[strlen(dir) - 1] == '/' ? "" : "/", e);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk(s, p, depth + 1);
        else if (wanted(e))
            rc = load_one(s, p, p);
        free(p);
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int inputs_load(struct input_set *s, char **paths, size_t npaths)
{
    size_t i;
    int rc = RFG_OK;
    char origin[64];

    for (i = 0; i < npaths && !rc; i++) {
        struct stat st;

        if (!strcmp(paths[i], "-"))
            rc = load_one(s, "<stdin>", "-");
        else if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk(s, paths[i], 0);
        else
            rc = load_one(s, paths[i], paths[i]);
    }
    if (rc)
        return rc;
    for (i = 0; i < s->ndocs; i++) {
        struct input_doc *d = &s->docs[i];
        size_t fidx = (size_t)(uintptr_t)d->file;
        char *o;
        size_t olen;

        d->file = &s->files[fidx];
        olen = strlen(d->file->name) + sizeof(origin);
        o = malloc(olen);
        if (!o)
            return RFG_ENOMEM;
        snprintf(o, olen, "%s:%u", d->file->name, d->pos.line);
        rc = cview_add_object(&s->cv, d->obj, s->default_ns, o);
        free(o);
        if (rc)
            return rc;
    }
    return RFG_OK;
}

struct src_pos inputs_pos(const struct input_doc *d, const char *ptr)
{
    const cJSON *n = jptr_deepest(d->obj, ptr);
    struct src_pos p = posmap_get(d->doc->pm, n);

    return p.line ? p : d->pos;
}
