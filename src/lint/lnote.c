/* SPDX-License-Identifier: Apache-2.0
 *
 * lnote.c - errors and notes for input that is not a plain, current
 * RedisFailover manifest (lnote.h). A legacy RedisFailover would be
 * skipped silently as "another kind", so it is an error naming its API.
 * A kustomization is not linted; a file it lists as a patch is not
 * linted on its own; a failover lacking spec.redis or spec.sentinel is
 * linted as it stands. Each gets a note that says how to lint what
 * kustomize builds instead. Knows which fields make a failover look
 * partial, not what the rules check.
 */
#include "lnote.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "rf.h"
#include "sbuf.h"

void lnote_list_cleanup(struct lnote_list *nl)
{
    size_t i;

    for (i = 0; i < nl->len; i++)
        free(nl->v[i]);
    free(nl->v);
    memset(nl, 0, sizeof(*nl));
}

void lnote_join(struct diag_list *errs, struct diag_list *legacy)
{
    struct diag_list *e = errs, *l = legacy;
    size_t max = e->max ? e->max : 256, k;

    if (!l->nerr)
        return;
    if (!e->nerr && e->max == l->max) {
        diag_list_cleanup(e);
        *e = *l;
        memset(l, 0, sizeof(*l));
        return;
    }
    for (k = 0; k < l->len; k++) {
        void *nv = e->len < max ? rfg_grow(e->v, &e->cap, e->len,
                                           sizeof(*e->v), 4)
                                : NULL;

        e->nerr++;
        if (!nv) {
            e->dropped++;
            continue;
        }
        e->v = nv;
        e->v[e->len++] = l->v[k];
    }
    e->nerr += l->nerr - l->len;
    e->dropped += l->nerr - l->len;
    diag_list_cleanup(l);
    l->nerr = l->dropped = 0;
}

/* Append an owned copy of "<dir><sep><name>" (name[0..n)). */
static int list_add(struct lnote_list *nl, const char *dir, const char *name,
                    size_t n)
{
    void *nv = rfg_grow(nl->v, &nl->cap, nl->len, sizeof(*nl->v), 4);
    size_t dl = strlen(dir);
    char *s;

    if (!nv)
        return RFG_ENOMEM;
    nl->v = nv;
    s = malloc(dl + n + 2);
    if (!s)
        return RFG_ENOMEM;
    memcpy(s, dir, dl);
    s[dl] = '/';
    memcpy(s + dl + 1, name, n);
    s[dl + 1 + n] = '\0';
    nl->v[nl->len++] = s;
    return RFG_OK;
}

static int note(char **out, const char *file, unsigned line,
                const char *fmt, ...) RFG_PRINTF(4, 5);

static int note(char **out, const char *file, unsigned line,
                const char *fmt, ...)
{
    struct sbuf b;
    va_list ap;
    int rc;

    sbuf_init(&b, 0);
    rc = sbuf_printf(&b, "%s:%u:1: note: ", file, line ? line : 1);
    va_start(ap, fmt);
    if (!rc)
        rc = sbuf_vprintf_clip(&b, 1024, fmt, ap);
    va_end(ap);
    *out = rc ? NULL : strdup(sbuf_str(&b));
    sbuf_cleanup(&b);
    return *out ? RFG_OK : RFG_ENOMEM;
}

/* The directory kustomize would build: the file's, "." for a bare
 * name, DIR for stdin (whatever --stdin-filename calls it). Into buf. */
static const char *dir_of(const char *file, bool from_stdin, char *buf,
                          size_t len)
{
    const char *slash = strrchr(file, '/');

    if (from_stdin || !strcmp(file, "<stdin>"))
        return "DIR";
    if (!slash)
        return ".";
    snprintf(buf, len, "%.*s", (int)(slash == file ? 1 : slash - file),
             file);
    return buf;
}

bool lnote_legacy(struct diag_list *errs, const struct posmap *pm,
                  const cJSON *obj, struct src_pos pos)
{
    const char *kind = json_str(obj, "kind");
    const cJSON *av = json_get(obj, "apiVersion");
    struct src_pos at;

    if (!kind || strcmp(kind, RF_KIND) || rf_is_failover(obj))
        return false;
    at = posmap_get(pm, av ? av : json_get(obj, "kind"));
    if (!at.line)
        at = pos;
    if (cJSON_IsString(av))
        diag_fail(errs, RFG_EINVAL, &at, "RedisFailover of apiVersion "
                  "%.*s: no operator serves this API, so the cluster has "
                  "no such resource and nothing was checked; write it for "
                  "apiVersion %s",
                  (int)rfg_utf8_trim(av->valuestring,
                                     strnlen(av->valuestring, 48)),
                  av->valuestring, RF_API_VERSION);
    else
        diag_fail(errs, RFG_EINVAL, &at, "RedisFailover without a string "
                  "apiVersion: the API server rejects it and nothing was "
                  "checked; set apiVersion %s", RF_API_VERSION);
    return true;
}

bool lnote_is_kustomization(const char *file, const cJSON *obj)
{
    const char *kind = json_str(obj, "kind");
    const char *base = strrchr(file, '/');

    if (!cJSON_IsObject(obj))
        return false;
    if (kind)
        return !strcmp(kind, "Kustomization");
    base = base ? base + 1 : file;
    return !strcmp(base, "kustomization.yaml") ||
           !strcmp(base, "kustomization.yml") ||
           !strcmp(base, "Kustomization");
}

int lnote_patch_paths(struct lnote_list *out, const char *file,
                      const cJSON *obj)
{
    static const char *const with_path[] = {"patches", "patchesJson6902"};
    const char *slash = strrchr(file, '/');
    char dir[4096];
    const cJSON *it;
    size_t i;
    int rc = RFG_OK;

    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1,
             slash ? file : ".");
    cJSON_ArrayForEach(it, json_get(obj, "patchesStrategicMerge")) {
        /* an entry is a path, or an inline patch (it holds newlines) */
        if (!rc && cJSON_IsString(it) && !strchr(it->valuestring, '\n'))
            rc = list_add(out, dir, it->valuestring,
                          strlen(it->valuestring));
    }
    for (i = 0; i < 2; i++)
        cJSON_ArrayForEach(it, json_get(obj, with_path[i])) {
            const char *p = json_str(it, "path");

            if (!rc && p)
                rc = list_add(out, dir, p, strlen(p));
        }
    return rc;
}

const char *lnote_missing_part(const cJSON *obj)
{
    const cJSON *spec = json_get(obj, "spec");
    bool redis, sentinel;

    if (!cJSON_IsObject(spec))
        return "has no spec";
    redis = json_get(spec, "redis") != NULL;
    sentinel = json_get(spec, "sentinel") != NULL;
    if (!redis && !sentinel)
        return "has neither spec.redis nor spec.sentinel";
    if (!redis)
        return "has no spec.redis";
    if (!sentinel)
        return "has no spec.sentinel";
    return NULL;
}

int lnote_kustomization(char **out, const char *file, bool from_stdin,
                        unsigned line)
{
    char dir[4096];

    return note(out, file, line, "a kustomization is not linted: lint "
                "what it builds with `kubectl kustomize %s | rfguard lint "
                "-`", dir_of(file, from_stdin, dir, sizeof(dir)));
}

int lnote_partial(char **out, const char *file, bool from_stdin,
                  unsigned line, const char *name, const char *part)
{
    char dir[4096];

    return note(out, file, line, "RedisFailover %s %s: it was judged as a "
                "complete object, as the API server would get it; if it is "
                "a kustomize patch, lint the built output instead "
                "(`kubectl kustomize %s | rfguard lint -`)", name, part,
                dir_of(file, from_stdin, dir, sizeof(dir)));
}

int lnote_patch(char **out, const char *file, unsigned line,
                const char *name, const char *kfile)
{
    char dir[4096];

    return note(out, file, line, "RedisFailover %s is a patch (%s lists "
                "this file): not linted on its own; lint the built output "
                "(`kubectl kustomize %s | rfguard lint -`)", name, kfile,
                dir_of(kfile, false, dir, sizeof(dir)));
}
