/* SPDX-License-Identifier: Apache-2.0
 *
 * crd.c - the RedisFailover CRD's openAPIV3Schema, stripped to what
 * schema.c validates with (see crd.h). Stripping keeps the keywords of a
 * structural schema that decide pruning, types and values, and recurses
 * into properties, items, additionalProperties and anyOf; everything
 * else (descriptions, defaults, list hints) is dropped, so the compiled-in
 * table stays small and two CRDs that differ only in prose give the same
 * schema. Not the validation itself: schema.c.
 */
#include "crd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "file.h"
#include "json.h"
#include "schema.h"
#include "ydoc.h"

/* The largest CRD file read: the operators' CRDs are under 1 MiB. */
#define CRD_MAX_FILE ((size_t)16 << 20)

struct strip {
    const struct posmap *pm;
    struct diag_list *dl;
    int err;
};

static cJSON *strip_schema(struct strip *st, const cJSON *s);

/* Member `k` of `o` is the string `want`. */
static bool str_is(const cJSON *o, const char *k, const char *want)
{
    const char *v = json_str(o, k);

    return v && !strcmp(v, want);
}

enum rf_kind crd_kind(const cJSON *doc)
{
    static const enum rf_kind all[] = {RF_KIND_FAILOVER, RF_KIND_SENTINEL,
                                       RF_KIND_REPLICATION};
    const char *name = json_str(json_get(doc, "metadata"), "name");
    char want[128];
    size_t i;

    if (!name || !str_is(doc, "apiVersion", "apiextensions.k8s.io/v1") ||
        !str_is(doc, "kind", "CustomResourceDefinition"))
        return 0;
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        snprintf(want, sizeof(want), "%s.%s", rf_kind_resource(all[i]),
                 rf_kind_group(all[i]));
        if (!strcmp(name, want))
            return all[i];
    }
    return 0;
}

bool crd_is_redisfailover(const cJSON *doc)
{
    return crd_kind(doc) == RF_KIND_FAILOVER;
}

/* Record that `node` is not what a schema keyword wants. */
static cJSON *bad_node(struct strip *st, const cJSON *node, const char *what)
{
    struct src_pos pos = posmap_get(st->pm, node);

    if (!st->err)
        st->err = diag_fail(st->dl, RFG_EINVAL, &pos,
                            "CRD schema: %s%s%s is not %s",
                            node && node->string ? "\"" : "",
                            node && node->string ? node->string : "a node",
                            node && node->string ? "\"" : "", what);
    return NULL;
}

static cJSON *oom(struct strip *st)
{
    if (!st->err)
        st->err = diag_fail(st->dl, RFG_ENOMEM, NULL, "out of memory");
    return NULL;
}

/* Copy `props` (field name -> schema), stripping each schema. */
static cJSON *strip_props(struct strip *st, const cJSON *props)
{
    cJSON *out;
    const cJSON *p;

    if (!cJSON_IsObject(props))
        return bad_node(st, props, "a map of field schemas");
    out = cJSON_CreateObject();
    if (!out)
        return oom(st);
    cJSON_ArrayForEach(p, props) {
        cJSON *c = strip_schema(st, p);

        if (!c || !cJSON_AddItemToObject(out, p->string, c)) {
            cJSON_Delete(c);
            cJSON_Delete(out);
            return st->err ? NULL : oom(st);
        }
    }
    return out;
}

/* Is `k` a keyword schema.c (or a later check) uses, copied as it is? */
static bool kept(const char *k)
{
    static const char *const keep[] = {
        "type", "required", "format", "enum", "pattern", "nullable",
        "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource", "minimum", "maximum",
        "additionalProperties",
    };
    size_t i;

    for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if (!strcmp(k, keep[i]))
            return true;
    return false;
}

/* Keep the keywords schema.c understands; recurse into subschemas. */
static cJSON *strip_schema(struct strip *st, const cJSON *s)
{
    cJSON *out;
    const cJSON *k;

    if (!cJSON_IsObject(s))
        return bad_node(st, s, "a schema (a map)");
    out = cJSON_CreateObject();
    if (!out)
        return oom(st);
    cJSON_ArrayForEach(k, s) {
        cJSON *c = NULL;

        if (!strcmp(k->string, "properties")) {
            c = strip_props(st, k);
        } else if (!strcmp(k->string, "items") ||
                   (!strcmp(k->string, "additionalProperties") &&
                    cJSON_IsObject(k))) {
            c = strip_schema(st, k);
        } else if (!strcmp(k->string, "anyOf")) {
            const cJSON *a;

            if (!cJSON_IsArray(k)) {
                bad_node(st, k, "a list of schemas");
                goto fail;
            }
            c = cJSON_CreateArray();
            if (!c) {
                oom(st);
                goto fail;
            }
            cJSON_ArrayForEach(a, k) {
                cJSON *x = strip_schema(st, a);

                if (!x || !cJSON_AddItemToArray(c, x)) {
                    cJSON_Delete(x);
                    cJSON_Delete(c);
                    if (!st->err)
                        oom(st);
                    goto fail;
                }
            }
        } else if (kept(k->string)) {
            c = cJSON_Duplicate(k, 1);
        } else {
            continue;
        }
        if (!c || !cJSON_AddItemToObject(out, k->string, c)) {
            cJSON_Delete(c);
            if (!st->err)
                oom(st);
            goto fail;
        }
    }
    return out;
fail:
    cJSON_Delete(out);
    return NULL;
}

int crd_schema(cJSON **out, char *version, size_t version_len,
               const cJSON *crd, const struct posmap *pm,
               struct diag_list *dl)
{
    const cJSON *versions = json_get(json_get(crd, "spec"), "versions");
    const cJSON *v, *pick = NULL, *sch;
    struct strip st = {pm, dl, RFG_OK};
    struct src_pos pos;

    *out = NULL;
    if (version && version_len)
        version[0] = '\0';
    cJSON_ArrayForEach(v, versions) {
        if (cJSON_IsTrue(json_get(v, "served")) &&
            cJSON_IsTrue(json_get(v, "storage"))) {
            pick = v;
            break;
        }
    }
    if (!pick) {
        pos = posmap_get(pm, versions ? versions : crd);
        return diag_fail(dl, RFG_EINVAL, &pos,
                         "the CRD %s has no version that is both served and "
                         "the storage version (spec.versions)", CRD_NAME);
    }
    sch = json_get(json_get(pick, "schema"), "openAPIV3Schema");
    if (!cJSON_IsObject(sch)) {
        pos = posmap_get(pm, pick);
        return diag_fail(dl, RFG_EINVAL, &pos,
                         "version %s of the CRD %s has no "
                         "schema.openAPIV3Schema",
                         json_str(pick, "name") ? json_str(pick, "name") : "?", CRD_NAME);
    }
    *out = strip_schema(&st, sch);
    if (!*out)
        return st.err ? st.err : RFG_ENOMEM;
    if (version && version_len)
        snprintf(version, version_len, "%s",
                 json_str(pick, "name") ? json_str(pick, "name") : "");
    return RFG_OK;
}

/* The first CRD of one of `kinds` among the documents of `ys` (or the
 * items of a List), with the posmap of its document; NULL when there is
 * none. */
static const cJSON *find_crd(const struct ydoc_stream *ys, unsigned kinds,
                             const struct posmap **pm)
{
    size_t i;

    for (i = 0; i < ys->len; i++) {
        const cJSON *root = ys->docs[i].root, *it;

        *pm = ys->docs[i].pm;
        if (crd_kind(root) & kinds)
            return root;
        if (!str_is(root, "kind", "List") &&
            !str_is(root, "kind", "CustomResourceDefinitionList"))
            continue;
        cJSON_ArrayForEach(it, json_get(root, "items"))
            if (crd_kind(it) & kinds)
                return it;
    }
    return NULL;
}

int crd_load_file(cJSON **out, char *version, size_t version_len,
                  const char *path, struct diag_list *dl)
{
    return crd_load_file_kind(out, version, version_len, path,
                              RF_KIND_FAILOVER, NULL, dl);
}

int crd_load_file_kind(cJSON **out, char *version, size_t version_len,
                       const char *path, unsigned kinds,
                       enum rf_kind *found, struct diag_list *dl)
{
    struct arena *prev = arena_use(NULL);   /* the schema outlives arenas */
    struct ydoc_stream ys = {0};
    struct ydoc_limits lim;
    const struct posmap *pm = NULL;
    const cJSON *crd;
    struct src_pos first = {1, 1};
    char *buf = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    rc = rfg_read_file(&buf, &len, path, CRD_MAX_FILE);
    if (rc) {
        rc = diag_fail(dl, rc, NULL, "cannot read the CRD file: %s",
                       rc == RFG_ELIMIT ? "larger than 16 MiB"
                                        : rfg_strerror(rc));
        goto out;
    }
    ydoc_limits_default(&lim);
    rc = ydoc_load(&ys, buf, len, &lim, dl);
    if (rc)
        goto out;       /* ydoc placed the error */
    crd = find_crd(&ys, kinds, &pm);
    if (!crd) {
        rc = diag_fail(dl, RFG_EINVAL, &first,
                       "no CustomResourceDefinition %s "
                       "(apiextensions.k8s.io/v1) in this file",
                       kinds == RF_KIND_FAILOVER
                           ? CRD_NAME
                           : CRD_NAME ", redissentinels." OT_GROUP
                                      " or redisreplications." OT_GROUP);
        goto out;
    }
    if (found)
        *found = crd_kind(crd);
    rc = crd_schema(out, version, version_len, crd, pm, dl);
out:
    ydoc_stream_cleanup(&ys);
    free(buf);
    arena_use(prev);
    return rc;
}

int crd_install_file(char *note, size_t note_len, const char *path,
                     enum rf_target t, struct diag_list *dl)
{
    char version[64], was[200], origin[600];
    cJSON *s = NULL;
    int rc;

    if (note_len)
        note[0] = '\0';
    enum rf_kind k = RF_KIND_FAILOVER;

    rc = crd_load_file_kind(&s, version, sizeof(version), path, RF_KIND_ANY,
                            &k, dl);
    if (rc)
        return rc;
    t = rf_target_pick((unsigned)t, k);
    schema_describe_kind(was, sizeof(was), t, k);
    snprintf(origin, sizeof(origin), "the CRD in %s", path);
    rc = k == RF_KIND_FAILOVER ? schema_install((unsigned)t, s, origin)
                               : schema_install_kind(k, s, origin);
    if (rc)
        return diag_fail(dl, rc, NULL, "out of memory");
    snprintf(note, note_len, "%s (version %s) replaces %s", origin, version,
             was);
    return RFG_OK;
}
