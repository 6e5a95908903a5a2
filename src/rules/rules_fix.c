/* SPDX-License-Identifier: Apache-2.0
 *
 * rules_fix.c - fix application: every op a fix emits is applied at once
 * to a working copy, so each op is computed against the object the
 * earlier ops (of the same rule or of earlier ones) left; a rule whose
 * op does not apply is undone; on UPDATE a fix that touches the pod
 * template is held back unless the policy says always. The copy is made
 * when the first op is emitted: a clean object (most of them) costs no
 * copy at all, and undoing a rule replays the ops before it on a new copy
 * rather than keeping a copy per rule. Does not decide what is wrong
 * with an object: the rules' checks do.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "rules_engine.h"
#include "sbuf.h"

/* Where a JSON pointer into a RedisFailover lands: in what the operator
 * copies into the pod templates of the redis StatefulSet and sentinel
 * Deployment (changing it restarts every pod), outside them, or in an
 * object that holds both (classify its members). */
enum tmpl_class { TMPL_OUT, TMPL_IN, TMPL_MIXED };

static enum tmpl_class tmpl_classify(const char *ptr)
{
    static const char *const mixed[] = {
        "", "/spec", "/metadata", "/spec/redis", "/spec/sentinel",
        "/spec/redis/storage",
    };
    /* Read by the operator at run time (CONFIG SET, SENTINEL SET, the
     * ConfigMaps, the PDBs) or frozen in the volumeClaimTemplates: not
     * in the pod template. */
    static const char *const outside[] = {
        "/spec/redis/replicas", "/spec/sentinel/replicas",
        "/spec/redis/customConfig", "/spec/sentinel/customConfig",
        "/spec/redis/customCommandRenames",
        "/spec/redis/disablePodDisruptionBudget",
        "/spec/sentinel/disablePodDisruptionBudget",
        "/spec/sentinel/disableMyMaster",
        "/spec/redis/storage/keepAfterDeletion",
        "/spec/redis/storage/persistentVolumeClaim",
        "/spec/bootstrapNode",
    };
    size_t i, n;

    for (i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++)
        if (!strcmp(ptr, mixed[i]))
            return TMPL_MIXED;
    for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        n = strlen(outside[i]);
        if (!strncmp(ptr, outside[i], n) && (!ptr[n] || ptr[n] == '/'))
            return TMPL_OUT;
    }
    /* Failover labels are copied onto the pods; other metadata is not.
     * Everything else under spec is, or may be (unknown fields too). */
    if (!strncmp(ptr, "/metadata/labels", 16) && (!ptr[16] || ptr[16] == '/'))
        return TMPL_IN;
    return !strncmp(ptr, "/spec/", 6) ? TMPL_IN : TMPL_OUT;
}

/* Does `node` (NULL: nothing) at `ptr` hold anything of a pod template?
 * Sets *oom when out of memory. */
static bool tmpl_touches(const char *ptr, const cJSON *node, bool *oom)
{
    const cJSON *c;
    struct sbuf p;
    bool hit = false;

    if (!node || cJSON_IsNull(node))
        return false;
    switch (tmpl_classify(ptr)) {
    case TMPL_IN:
        return true;
    case TMPL_OUT:
        return false;
    case TMPL_MIXED:
        break;
    }
    if (!cJSON_IsObject(node))
        return false;
    sbuf_init(&p, 0);
    cJSON_ArrayForEach(c, node) {
        sbuf_reset(&p);
        if (sbuf_adds(&p, ptr) || jptr_append(&p, c->string)) {
            *oom = true;
            break;
        }
        if ((hit = tmpl_touches(sbuf_str(&p), c, oom)))
            break;
    }
    sbuf_cleanup(&p);
    return hit;
}

/* Append the op to the patch and apply it to ctx->work at once.
 * `value` (owned) may be NULL for remove; NULL otherwise means the caller
 * ran out of memory. Returns RFG_OK, RFG_ENOMEM, or RFG_EINVAL when the
 * op does not apply to the working copy (run_fixes then drops every op of
 * the rule). */
static int emit(struct rule_ctx *ctx, const char *op, const char *path,
                cJSON *value)
{
    struct diag_list dl;
    cJSON *one = NULL;
    int rc;

    assert(ctx->cur); /* only fix functions emit */
    if (!ctx->work) {
        /* The fix reads the object under evaluation, which nothing has
         * needed to change so far: run_fix makes the copy and runs the
         * fix again on it. Stop this run here. */
        ctx->need_work = true;
        cJSON_Delete(value);
        return RFG_EINVAL;
    }
    ctx->emitted = true;
    if (!ctx->pod_template) {
        enum tmpl_class cls = tmpl_classify(path);
        bool oom = false;

        /* What the op writes, and what it overwrites or removes (only an
         * object that holds both kinds needs a look at either). */
        ctx->pod_template =
            cls == TMPL_IN ||
            (cls == TMPL_MIXED &&
             (tmpl_touches(path, value, &oom) ||
              tmpl_touches(path, jptr_get(ctx->work, path), &oom)));
        if (oom) {
            cJSON_Delete(value);
            return RFG_ENOMEM;
        }
    }
    one = cJSON_CreateArray();
    if (!one) {
        cJSON_Delete(value);
        return RFG_ENOMEM;
    }
    rc = !strcmp(op, "add")       ? jpatch_add(one, path, value)
         : !strcmp(op, "replace") ? jpatch_replace(one, path, value)
                                  : jpatch_remove(one, path);
    if (!rc) {
        diag_list_init(&dl, NULL);
        rc = jpatch_apply_op(&ctx->work, one->child, &dl);
        diag_list_cleanup(&dl);
    }
    if (!rc) {
        cJSON *o = cJSON_DetachItemFromArray(one, 0);

        if (!cJSON_AddItemToArray(ctx->res->patch, o)) {
            cJSON_Delete(o);
            rc = RFG_ENOMEM;
        }
    }
    cJSON_Delete(one);
    return rc;
}

int rule_fix_add(struct rule_ctx *ctx, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return emit(ctx, "add", path, value);
}

int rule_fix_replace(struct rule_ctx *ctx, const char *path, cJSON *value)
{
    if (!value)
        return RFG_ENOMEM;
    return emit(ctx, "replace", path, value);
}

int rule_fix_remove(struct rule_ctx *ctx, const char *path)
{
    return emit(ctx, "remove", path, NULL);
}

/* Drop the ops the current rule emitted: the working copy goes back to
 * what it was before the rule's first op (none: no copy; else a new copy
 * with the earlier rules' ops, which applied before, applied again).
 * Returns RFG_OK or RFG_ENOMEM. */
static int undo_rule(struct rule_ctx *ctx)
{
    struct diag_list dl;
    const cJSON *c;
    cJSON *op;
    int rc = RFG_OK;

    if (!ctx->emitted)
        return RFG_OK;
    ctx->emitted = false;
    while (cJSON_GetArraySize(ctx->res->patch) > ctx->patch_mark &&
           (op = cJSON_DetachItemFromArray(ctx->res->patch,
                                           ctx->patch_mark)))
        cJSON_Delete(op);
    cJSON_Delete(ctx->work);
    ctx->work = NULL;
    if (ctx->patch_mark == 0)
        return RFG_OK;
    ctx->work = cJSON_Duplicate(ctx->in->obj, 1);
    if (!ctx->work)
        return RFG_ENOMEM;
    diag_list_init(&dl, NULL);
    cJSON_ArrayForEach(c, ctx->res->patch)
        if ((rc = jpatch_apply_op(&ctx->work, c, &dl)) != RFG_OK)
            break;
    diag_list_cleanup(&dl);
    /* they applied in this order before: only memory can fail now */
    return rc ? RFG_ENOMEM : RFG_OK;
}

/* Record that the current rule's fix, whose first op was at `ptr`, was
 * held back: it changes the pod template and this is an UPDATE. */
static int add_held(struct rule_ctx *ctx, const char *ptr)
{
    struct rules_result *r = ctx->res;
    struct finding *f = rfg_grow(r->held, &r->capheld, r->nheld,
                                 sizeof(*f), 4);

    if (!f)
        return RFG_ENOMEM;
    r->held = f;
    f = &r->held[r->nheld];
    memset(f, 0, sizeof(*f));
    f->rule = ctx->cur;
    f->sev = RFG_SEV_WARN;
    f->ptr = strdup(ptr);
    /* Admission warnings stay under 120 characters with the rule id. */
    f->msg = strdup("not patched on UPDATE: it would restart every pod; "
                    "apply what 'rfguard fix' prints");
    f->hint = strdup("run 'rfguard fix' on the manifest and apply it when "
                     "a rollout of the failover's pods is planned (or set "
                     "podTemplateMutations: always in the policy)");
    if (!f->ptr || !f->msg || !f->hint) {
        free(f->ptr);
        free(f->msg);
        free(f->hint);
        return RFG_ENOMEM;
    }
    r->nheld++;
    return RFG_OK;
}

/* Is the current rule's fix, just run, one to hold back? */
static bool hold_fix(const struct rule_ctx *ctx)
{
    return ctx->emitted && ctx->pod_template &&
           ctx->in->op != RULES_CREATE &&
           !ctx->in->pol->pod_template_on_update;
}

/* Run the fix of rule `d`: on the working copy, or, while there is none,
 * on the object under evaluation; when the fix then emits an op, on a
 * new copy, from the start. */
static int run_fix(struct rule_ctx *ctx, const struct rule_desc *d)
{
    int rc;

    ctx->pod_template = false;
    ctx->emitted = false;
    ctx->need_work = false;
    rc = d->fix(ctx, ctx->work ? ctx->work : ctx->in->obj);
    if (!ctx->need_work)
        return rc;
    ctx->need_work = false;
    ctx->work = cJSON_Duplicate(ctx->in->obj, 1);
    if (!ctx->work)
        return RFG_ENOMEM;
    ctx->pod_template = false;
    return d->fix(ctx, ctx->work);
}

/* Would fix `d` (RULE_FIX_IF_FOUND, and run now) find nothing to
 * change? So when no earlier fix changed the object, its check ran on
 * it (as it does in every phase but the cluster one, under the
 * conditions the caller tested for the fix) and reported nothing. */
static bool nothing_found(const struct rule_ctx *ctx,
                          const struct rule_desc *d)
{
    const struct rules_result *r = ctx->res;
    size_t i;

    if (ctx->work || (d->flags & RULE_CLUSTER) ||
        ctx->in->phase == RULES_PHASE_CLUSTER)
        return false;
    for (i = 0; i < r->len; i++)
        if (r->v[i].rule == d)
            return false;
    return true;
}

int rules_run_fixes(struct rule_ctx *ctx)
{
    const struct rules_input *in = ctx->in;
    const struct rule_desc *cat;
    size_t i, n;
    int rc = RFG_OK;

    cat = rules_catalog(&n);
    ctx->work = NULL;
    for (i = 0; i < n && !rc; i++) {
        const struct rule_desc *d = &cat[i];

        if (!d->fix)
            continue;
        rules_ctx_set_rule(ctx, i);
        if (ctx->sev == RFG_SEV_OFF || !rules_applies(d, ctx) ||
            rules_skipped(ctx, d))
            continue;
        if ((d->flags & RULE_FIX_IF_FOUND) && nothing_found(ctx, d))
            continue;
        if ((d->flags & RULE_FIX_CREATE_ONLY) && in->op != RULES_CREATE)
            continue;
        ctx->patch_mark = cJSON_GetArraySize(ctx->res->patch);
        rc = run_fix(ctx, d);
        /* A fix that does not apply (an odd object shape) is dropped
         * rather than failing the evaluation: the finding stays. */
        if (rc == RFG_EINVAL) {
            rc = undo_rule(ctx);
        } else if (!rc && hold_fix(ctx)) {
            const cJSON *first = cJSON_GetArrayItem(ctx->res->patch,
                                                    ctx->patch_mark);
            char *ptr = strdup(cJSON_GetObjectItemCaseSensitive(first,
                                                                "path")
                                   ->valuestring);

            rc = undo_rule(ctx);
            if (!rc)
                rc = ptr ? add_held(ctx, ptr) : RFG_ENOMEM;
            free(ptr);
        }
    }
    cJSON_Delete(ctx->work);
    ctx->work = NULL;
    return rc;
}

int rule_fix_add_nested(struct rule_ctx *ctx, const char *const *keys,
                        size_t nkeys, cJSON *value)
{
    const cJSON *node = ctx->work ? ctx->work : ctx->in->obj;
    struct sbuf path;
    size_t i, depth = 0;
    int rc = RFG_OK;

    if (!value)
        return RFG_ENOMEM;
    sbuf_init(&path, 0);
    /* Walk down while the parents exist. */
    while (depth + 1 < nkeys) {
        const cJSON *next = json_get(node, keys[depth]);

        if (!cJSON_IsObject(next))
            break;
        node = next;
        depth++;
    }
    /* Wrap the value in an object for each missing parent. */
    for (i = nkeys - 1; i > depth; i--) {
        cJSON *wrap = cJSON_CreateObject();

        if (!wrap || !cJSON_AddItemToObject(wrap, keys[i], value)) {
            cJSON_Delete(wrap);
            cJSON_Delete(value);
            sbuf_cleanup(&path);
            return RFG_ENOMEM;
        }
        value = wrap;
    }
    for (i = 0; i <= depth && !rc; i++)
        rc = jptr_append(&path, keys[i]);
    if (rc) {
        cJSON_Delete(value);
        sbuf_cleanup(&path);
        return rc;
    }
    rc = rule_fix_add(ctx, sbuf_str(&path), value);
    sbuf_cleanup(&path);
    return rc;
}
