/* SPDX-License-Identifier: Apache-2.0
 *
 * lint.c - streaming lint: local rules on each document as it is
 * loaded, cluster rules on skeletons afterwards (lint.h). Each worker
 * writes only to the state of the file it holds; everything is joined in
 * file order, so output never depends on scheduling. Input that is not a plain manifest
 * (lnote.h) gets its notes here too: a file a kustomization of the run
 * lists as a patch is found once every file was read, and is left out of
 * the view and the rules.
 */
#define _XOPEN_SOURCE 700 /* realpath(), beside POSIX 2008 */

#include "lint.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "inputs.h"
#include "jpatch.h"
#include "json.h"
#include "lnote.h"
#include "lpool.h"
#include "lskel.h"
#include "rules.h"
#include "sbuf.h"

struct lfinding {
    const struct rule_desc *rule;
    enum rfg_sev sev;
    struct src_pos pos;
    char *msg, *hint, *ptr;  /* owned */
};

struct lskip {
    char *rule;            /* owned; NULL: the whole object */
    char *reason;          /* owned */
};

/* What few documents have: findings, skips, a note. */
struct lout {
    struct lfinding *f;    /* owned */
    size_t nf, capf;
    struct lskip *sk;      /* owned */
    size_t nsk, capsk;
    char *note;            /* owned note for stderr, or NULL */
    const char *partial;   /* what a failover lacks (lnote.h), or NULL */
};

/* One document, kept until the report is written: a lint run holds one
 * per document of its input, so it stays small. */
struct ldoc {
    unsigned line;
    bool rf;
    bool has_source;
    uint32_t names;        /* kind, object and source, in the file's
                              names pool (doc_kind, ...) */
    uint32_t rec;          /* the skeleton and its positions, packed
                              (jpack.h), in the file's records pool;
                              NO_REC when none */
    struct lout *out;      /* owned; NULL until there is something */
};

#define NO_REC LPOOL_FULL

struct lfile {
    struct lpool names;    /* the documents' kind, object, source */
    struct lpool recs;     /* the failovers' skeletons */
    struct cview part;     /* what this file adds to the view */
    struct lnote_list patches; /* paths a kustomization here lists as
                                  patches */
    const char *patch_of;  /* borrowed name of a kustomization listing
                              this file as a patch, or NULL */
    struct ldoc *docs;     /* owned */
    size_t ndocs, capdocs;
    struct diag_list legacy; /* lnote_legacy's errors, joined to the
                                file's after its parse errors */
    int err;               /* RFG_ENOMEM while processing */
};

/* A failover: its file and its document there. */
struct lref {
    uint32_t file, doc;
};

struct run {
    const struct lint_opts *o;
    struct rules_plan *plan;  /* policy lookups, resolved once */
    struct input_set in;
    struct lfile *files;   /* one per input file */
    struct cview cv;       /* the whole view, once every file was read */
    atomic_size_t next;    /* phase 2 work queue */
    struct lref *rfdocs;   /* every failover, in input order */
    size_t nrf;
    int err;
};

static void ldoc_cleanup(struct ldoc *d)
{
    struct lout *o = d->out;
    size_t i;

    for (i = 0; o && i < o->nf; i++) {
        free(o->f[i].msg);
        free(o->f[i].hint);
        free(o->f[i].ptr);
    }
    for (i = 0; o && i < o->nsk; i++) {
        free(o->sk[i].rule);
        free(o->sk[i].reason);
    }
    if (o) {
        free(o->f);
        free(o->sk);
        free(o->note);
        free(o);
    }
}

/* d->out, made when first needed; NULL on ENOMEM. */
static struct lout *out_of(struct ldoc *d)
{
    if (!d->out)
        d->out = calloc(1, sizeof(*d->out));
    return d->out;
}

/* Set d's kind, object and source (NULL: none) in one allocation. */
static int set_names(struct lfile *lf, struct ldoc *d, const char *kind,
                     const char *object, const char *source)
{
    uint32_t off;

    d->has_source = source != NULL;
    if (lpool_add(&lf->names, kind, strlen(kind) + 1, &d->names) ||
        lpool_add(&lf->names, object, strlen(object) + 1, &off) ||
        (source && lpool_add(&lf->names, source, strlen(source) + 1, &off)))
        return RFG_ENOMEM;
    return RFG_OK;
}

static const char *doc_kind(const struct lfile *lf, const struct ldoc *d)
{
    return lf->names.p + d->names;
}

/* ns/name as findings quote them */
static const char *doc_object(const struct lfile *lf, const struct ldoc *d)
{
    const char *k = doc_kind(lf, d);

    return k + strlen(k) + 1;
}

/* where a rendered template came from, or NULL */
static const char *doc_source(const struct lfile *lf, const struct ldoc *d)
{
    const char *o = doc_object(lf, d);

    return d->has_source ? o + strlen(o) + 1 : NULL;
}

static char *dup_opt(const char *s, int *err)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *err = RFG_ENOMEM;
    return d;
}

/* Copy the findings and skips of `res` into `d`, positions resolved by
 * `pos_of`. */
typedef struct src_pos (*pos_fn)(const void *ctx, const char *ptr);

static int take_results(struct ldoc *d, struct rules_result *res,
                        pos_fn pos_of, const void *ctx)
{
    size_t i;
    int err = RFG_OK;
    struct lout *o;

    if (!res->len && !res->nskipped)
        return RFG_OK;
    if (!(o = out_of(d)))
        return RFG_ENOMEM;
    for (i = 0; i < res->len && !err; i++) {
        const struct finding *f = &res->v[i];
        struct lfinding *nf;
        void *nv = rfg_grow(o->f, &o->capf, o->nf, sizeof(*o->f), 4);

        if (!nv)
            return RFG_ENOMEM;
        o->f = nv;
        nf = &o->f[o->nf++];
        nf->rule = f->rule;
        nf->sev = f->sev;
        nf->pos = pos_of(ctx, f->ptr);
        nf->msg = dup_opt(f->msg, &err);
        nf->hint = dup_opt(f->hint, &err);
        nf->ptr = dup_opt(f->ptr, &err);
    }
    for (i = 0; i < res->nskipped && !err; i++) {
        const struct rule_skip *s = &res->skipped[i];
        struct lskip *ns;
        void *nv = rfg_grow(o->sk, &o->capsk, o->nsk, sizeof(*o->sk), 4);

        if (!nv)
            return RFG_ENOMEM;
        o->sk = nv;
        ns = &o->sk[o->nsk++];
        ns->rule = dup_opt(s->rule ? s->rule->id : NULL, &err);
        ns->reason = dup_opt(s->reason, &err);
    }
    return err;
}

struct tree_ctx {
    const cJSON *obj;
    const struct posmap *pm;
    struct src_pos fallback;
};

static struct src_pos tree_pos(const void *p, const char *ptr)
{
    const struct tree_ctx *t = p;
    struct src_pos pos = posmap_get(t->pm, jptr_deepest(t->obj, ptr));

    return pos.line ? pos : t->fallback;
}

/* A failover's skeleton, inflated for the cluster rules. */
struct skel_ctx {
    const struct ldoc *d;
    const unsigned char *rec;
    cJSON *skel;           /* owned */
};

static struct src_pos skel_pos(const void *p, const char *ptr)
{
    const struct skel_ctx *c = p;

    return lskel_pos(c->rec, c->skel, ptr, (struct src_pos){c->d->line, 1});
}

/* Keep what the cluster rules read of failover `obj` in d->rec. */
static int keep_skeleton(struct lfile *lf, struct ldoc *d,
                         const struct ydoc *yd, const cJSON *obj)
{
    unsigned char *rec;
    size_t len;
    int err = lskel_pack(&rec, &len, obj, yd->pm);

    if (!err)
        err = lpool_add(&lf->recs, rec, len, &d->rec);
    free(rec);
    return err;
}

/* One document of a file being read: describe it, run the local rules,
 * keep a skeleton for the cluster rules. */
static int one_doc(struct run *r, struct lfile *lf, struct input_file *f,
                   const struct ydoc *yd, const cJSON *obj,
                   struct src_pos pos)
{
    const char *ns = r->o->ns;
    struct ldoc *d;
    struct sbuf object;
    const char *name = json_str(
        cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, "metadata")
                            : NULL,
        "name");
    void *nv;
    int err = RFG_OK;

    err = inputs_add_to_view(&lf->part, f, obj, pos, ns);
    if (err || f->state_only)
        return err;
    nv = rfg_grow(lf->docs, &lf->capdocs, lf->ndocs, sizeof(*lf->docs), 4);
    if (!nv)
        return RFG_ENOMEM;
    lf->docs = nv;
    d = &lf->docs[lf->ndocs++];
    memset(d, 0, sizeof(*d));
    d->rec = NO_REC;
    d->line = pos.line;
    d->rf = rf_kind_of(obj) != 0;
    /* ns/name as findings quote them: at most 253 characters each (the
     * longest valid name), then an ellipsis */
    sbuf_init(&object, 0);
    if (sbuf_printf_clip(&object, 253, "%s%s%s",
                         d->rf ? rf_namespace(obj, ns) : "",
                         d->rf ? "/" : "", name ? name : ""))
        err = RFG_ENOMEM;
    if (!err)
        err = set_names(lf, d,
                        json_str(obj, "kind") ? json_str(obj, "kind") : "",
                        sbuf_str(&object) ? sbuf_str(&object) : "",
                        yd->source);
    sbuf_cleanup(&object);
    if (err || lnote_legacy(&lf->legacy, yd->pm, obj, pos))
        return err;
    if (lnote_is_kustomization(f->name, obj)) {
        if (!out_of(d))
            return RFG_ENOMEM;
        err = lnote_kustomization(&d->out->note, f->name,
                                  !strcmp(f->path, "-"), pos.line);
        return err ? err : lnote_patch_paths(&lf->patches, f->name, obj);
    }
    if (!d->rf)
        return RFG_OK;
    if (rf_is_failover(obj) && lnote_missing_part(obj)) {
        if (!out_of(d))
            return RFG_ENOMEM;
        d->out->partial = lnote_missing_part(obj);
    }
    {
        struct rules_input ri;
        struct rules_result res;
        struct tree_ctx tc = {obj, yd->pm, pos};

        memset(&ri, 0, sizeof(ri));
        ri.phase = RULES_PHASE_LOCAL;
        ri.plan = r->plan;
        ri.obj = obj;
        ri.op = RULES_CREATE;
        ri.pol = r->o->pol;
        ri.target = r->o->target;
        ri.default_ns = ns;
        err = rules_eval(&res, &ri);
        if (err)
            return err;
        err = take_results(d, &res, tree_pos, &tc);
        rules_result_cleanup(&res);
        if (err)
            return err;
        err = keep_skeleton(lf, d, yd, obj);
        if (err)
            return err;
    }
    return RFG_OK;
}

/* Worker callbacks: a document's tree exists only during on_doc, which
 * runs as soon as it is loaded. */
struct file_ctx {
    struct run *r;
    struct lfile *lf;
    struct input_file *f;
};

static int on_object(void *arg, const struct ydoc *yd, const cJSON *obj,
                     struct src_pos pos)
{
    struct file_ctx *c = arg;

    return one_doc(c->r, c->lf, c->f, yd, obj, pos);
}

static int on_doc(struct input_file *f, size_t idx, const struct ydoc *yd,
                  void *arg)
{
    struct run *r = arg;
    struct file_ctx c = {r, &r->files[idx], f};

    if (!c.lf->err)
        c.lf->err = inputs_each_object(yd, on_object, &c);
    return c.lf->err;
}

/* Forget what the documents of a file added (its parse failed, and it is
 * a template: one error says so, and nothing else counts). */
static void forget_docs(struct run *r, struct lfile *lf)
{
    size_t k;

    for (k = 0; k < lf->ndocs; k++)
        ldoc_cleanup(&lf->docs[k]);
    lf->ndocs = 0;
    lf->names.len = 0;
    lf->recs.len = 0;
    cview_cleanup(&lf->part);
    cview_init(&lf->part, r->o->hash);
    lf->part.unindexed = true;
    lnote_list_cleanup(&lf->patches);
    diag_list_cleanup(&lf->legacy);
    diag_list_init(&lf->legacy, lf->legacy.file);
}

static void on_file(struct input_file *f, size_t idx, void *arg)
{
    struct run *r = arg;
    struct lfile *lf = &r->files[idx];

    if (f->docs_void)
        forget_docs(r, lf);
    lnote_join(&f->errs, &lf->legacy);
    /* the documents stay until the report, the part until the merge:
     * keep no growth slack */
    cview_fit(&lf->part);
    lpool_fit(&lf->names);
    lpool_fit(&lf->recs);
    if (lf->ndocs && lf->ndocs < lf->capdocs) {
        void *nv = realloc(lf->docs, lf->ndocs * sizeof(*lf->docs));

        if (nv) {
            lf->docs = nv;
            lf->capdocs = lf->ndocs;
        }
    }
}

/* What a cluster worker's arena keeps between failovers. */
#define CLUSTER_ARENA_KEEP ((size_t)1 << 20)

/* The cluster rules, failover after failover from the shared queue. A
 * failover's inflated skeleton and the rules' working trees live in the
 * worker's arena, emptied for the next one: nothing cJSON makes here
 * outlives the failover (findings are copied out as plain strings). */
static void *cluster_worker(void *arg)
{
    struct run *r = arg;
    struct arena *a = arena_hooks_installed() ? arena_new() : NULL;
    struct arena *prev = arena_use(a);
    size_t i;

    while ((i = atomic_fetch_add(&r->next, 1)) < r->nrf) {
        const struct lfile *lf = &r->files[r->rfdocs[i].file];
        struct ldoc *d = &lf->docs[r->rfdocs[i].doc];
        const unsigned char *rec =
            (const unsigned char *)lf->recs.p + d->rec;
        struct rules_input ri;
        struct rules_result res;
        struct skel_ctx sc = {d, rec, lskel_unpack(rec)};
        int err;

        if (!sc.skel) {
            r->err = RFG_ENOMEM;
            continue;
        }
        memset(&ri, 0, sizeof(ri));
        ri.phase = RULES_PHASE_CLUSTER;
        ri.plan = r->plan;
        ri.obj = sc.skel;
        ri.op = RULES_CREATE;
        ri.pol = r->o->pol;
        ri.cv = &r->cv;
        ri.target = r->o->target;
        ri.default_ns = r->o->ns;
        err = rules_eval(&res, &ri);
        if (!err) {
            err = take_results(d, &res, skel_pos, &sc);
            rules_result_cleanup(&res);
        }
        if (!a || arena_spilled(a))
            cJSON_Delete(sc.skel);
        arena_reset(a, CLUSTER_ARENA_KEEP);
        if (err)
            r->err = err; /* any failure fails the run; no need to order */
    }
    arena_use(prev);
    arena_free(a);
    return NULL;
}

static void run_cluster_rules(struct run *r)
{
    pthread_t th[64];
    unsigned n = r->o->jobs ? r->o->jobs : inputs_ncpus(), i, started = 0;

    if (n > 64)
        n = 64;
    atomic_init(&r->next, 0);
    for (i = 1; i < n && i < r->nrf; i++)
        if (pthread_create(&th[started], NULL, cluster_worker, r) == 0)
            started++;
    cluster_worker(r);
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

/* Return the heap's free pages to the system. glibc keeps pages freed
 * amid live blocks resident: while the view is merged from its parts,
 * the parts' memory would stay beside the view's, doubling the peak. */
static void give_back(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static void progress(size_t done, size_t total, void *arg)
{
    (void)arg;
    if (done < total)
        fprintf(stderr, "\rrfguard lint: %zu/%zu files", done, total);
    else
        fprintf(stderr, "\r%40s\r", "");
}

static int fill_report(struct report *rep, struct run *r)
{
    size_t i, k, j, doc;
    struct lout *o;
    int rc;

    for (i = 0; i < r->in.nfiles; i++) {
        const struct input_file *f = &r->in.files[i];

        for (k = 0; k < f->errs.len; k++)
            if ((rc = report_add_error(rep, &f->errs.v[k])))
                return rc;
        if (!f->state_only)
            rep->files++;
    }
    for (k = 0; k < r->in.errors.len; k++)
        if ((rc = report_add_error(rep, &r->in.errors.v[k])))
            return rc;
    for (i = 0; i < r->in.nfiles; i++) {
        struct lfile *lf = &r->files[i];
        const char *fname = r->in.files[i].name;

        for (k = 0; k < lf->ndocs; k++) {
            struct ldoc *d = &lf->docs[k];

            rep->documents++;
            if ((rc = report_add_doc(rep, fname, d->line, doc_kind(lf, d),
                                     doc_object(lf, d), &doc)))
                return rc;
            if (!d->rf || lf->patch_of)
                continue;
            rep->failovers++;
            if (!(o = d->out))
                continue;
            /* the two phases interleave in catalogue order */
            for (j = 1; j < o->nf; j++) {
                struct lfinding t = o->f[j];
                size_t m = j;

                while (m > 0 && o->f[m - 1].rule > t.rule) {
                    o->f[m] = o->f[m - 1];
                    m--;
                }
                o->f[m] = t;
            }
            for (j = 0; j < o->nf; j++) {
                const struct lfinding *f = &o->f[j];

                rc = report_add_finding(rep, doc, fname, f->pos, f->sev,
                                        f->rule->id, f->msg, f->hint, f->ptr,
                                        doc_object(lf, d), doc_source(lf, d));
                if (rc)
                    return rc;
            }
            for (j = 0; j < o->nsk; j++) {
                rc = report_add_skipped(rep, doc, fname,
                                        (struct src_pos){d->line, 1},
                                        o->sk[j].rule ? o->sk[j].rule : "*",
                                        o->sk[j].reason, doc_object(lf, d));
                if (rc)
                    return rc;
            }
        }
    }
    return RFG_OK;
}

/* Mark each file that a kustomization of the run lists as a patch: its
 * failovers are not objects, so they are neither linted nor part of the
 * view. Files are compared by their real paths. */
static void find_patches(struct run *r)
{
    size_t i, j, k;
    bool any = false;

    /* each listed path once to its real path (NULL: it does not exist) */
    for (j = 0; j < r->in.nfiles; j++)
        for (k = 0; k < r->files[j].patches.len; k++) {
            char *p = realpath(r->files[j].patches.v[k], NULL);

            free(r->files[j].patches.v[k]);
            r->files[j].patches.v[k] = p;
            any = any || p;
        }
    for (i = 0; any && i < r->in.nfiles; i++) {
        char *real = NULL;
        bool rf = false;

        for (k = 0; k < r->files[i].ndocs; k++)
            rf = rf || r->files[i].docs[k].rf;
        if (rf && strcmp(r->in.files[i].path, "-"))
            real = realpath(r->in.files[i].path, NULL);
        for (j = 0; real && !r->files[i].patch_of && j < r->in.nfiles; j++)
            for (k = 0; k < r->files[j].patches.len; k++)
                if (r->files[j].patches.v[k] &&
                    !strcmp(r->files[j].patches.v[k], real)) {
                    r->files[i].patch_of = r->in.files[j].name;
                    break;
                }
        free(real);
    }
}

/* The notes on input that is not a plain manifest, in input order. */
static int print_notes(const struct run *r, FILE *out)
{
    size_t i, k;
    int rc = RFG_OK;

    for (i = 0; !rc && i < r->in.nfiles; i++) {
        const struct lfile *lf = &r->files[i];
        const char *fname = r->in.files[i].name;
        bool from_stdin = !strcmp(r->in.files[i].path, "-");

        for (k = 0; !rc && k < lf->ndocs; k++) {
            const struct ldoc *d = &lf->docs[k];
            char *n = NULL;

            if (d->out && d->out->note)
                fprintf(out, "%s\n", d->out->note);
            if (d->rf && lf->patch_of)
                rc = lnote_patch(&n, fname, d->line, doc_object(lf, d),
                                 lf->patch_of);
            else if (d->rf && d->out && d->out->partial)
                rc = lnote_partial(&n, fname, from_stdin, d->line,
                                   doc_object(lf, d), d->out->partial);
            if (n)
                fprintf(out, "%s\n", n);
            free(n);
        }
    }
    return rc;
}

int lint_run(struct report *rep, char **paths, size_t npaths,
             const struct lint_opts *o)
{
    struct run r;
    size_t i, k;
    int rc;

    memset(&r, 0, sizeof(r));
    r.o = o;
    inputs_init(&r.in, o->ns, o->hash);
    cview_init(&r.cv, o->hash);
    r.in.excludes = o->excludes;
    r.in.nexcludes = o->nexcludes;
    r.in.stdin_name = o->stdin_name;
    r.in.jobs = o->jobs;
    if (o->progress)
        r.in.progress = progress;
    rc = rules_plan_new(&r.plan, o->pol);
    if (!rc)
        rc = inputs_collect(&r.in, paths, npaths, o->cluster_state);
    if (!rc) {
        r.files = calloc(r.in.nfiles + 1, sizeof(*r.files));
        if (!r.files)
            rc = RFG_ENOMEM;
    }
    for (i = 0; !rc && i < r.in.nfiles; i++) {
        cview_init(&r.files[i].part, o->hash);
        r.files[i].part.unindexed = true; /* only merged */
        diag_list_init(&r.files[i].legacy, r.in.files[i].name);
    }
    if (!rc)
        inputs_stream_docs(&r.in, on_doc, on_file, &r);
    if (!rc)
        find_patches(&r);
    /* join the parts in file order (a patch is no object of the view); a
     * complete cluster state makes the view complete. Room for all of
     * them first, so the view keeps no growth slack. */
    if (!rc) {
        size_t nrfs = 0, nsec = 0;

        for (i = 0; i < r.in.nfiles; i++)
            if (!r.files[i].patch_of) {
                nrfs += r.files[i].part.nrfs;
                nsec += r.files[i].part.nsecrets;
            }
        rc = cview_reserve(&r.cv, nrfs, nsec);
    }
    for (i = 0; !rc && i < r.in.nfiles; i++) {
        rc = r.files[i].err;
        if (!rc && !r.files[i].patch_of)
            rc = cview_merge(&r.cv, &r.files[i].part);
        if (i % 64 == 63)
            give_back();
        if (!rc && r.in.files[i].state_only && !r.in.files[i].errs.nerr)
            r.cv.complete = true;
        for (k = 0; !rc && !r.files[i].patch_of && k < r.files[i].ndocs;
             k++)
            r.nrf += r.files[i].docs[k].rf;
    }
    if (!rc) {
        r.rfdocs = calloc(r.nrf + 1, sizeof(*r.rfdocs));
        if (!r.rfdocs || r.in.nfiles >= UINT32_MAX)
            rc = RFG_ENOMEM; /* a file's documents are far fewer (ydoc) */
        r.nrf = 0;
        for (i = 0; !rc && i < r.in.nfiles; i++)
            for (k = 0; !r.files[i].patch_of && k < r.files[i].ndocs; k++)
                if (r.files[i].docs[k].rf)
                    r.rfdocs[r.nrf++] = (struct lref){(uint32_t)i,
                                                      (uint32_t)k};
    }
    if (!rc) {
        run_cluster_rules(&r);
        rc = r.err;
    }
    /* the skeletons and the view have served: give their memory to the
     * report rather than hold both at once */
    for (i = 0; r.files && i < r.in.nfiles; i++) {
        lpool_free(&r.files[i].recs);
        cview_cleanup(&r.files[i].part);
    }
    cview_cleanup(&r.cv);
    if (!rc)
        rc = fill_report(rep, &r);
    if (!rc)
        report_sort(rep);
    if (!rc && o->notes)
        rc = print_notes(&r, o->notes);
    for (i = 0; r.files && i < r.in.nfiles; i++) {
        for (k = 0; k < r.files[i].ndocs; k++)
            ldoc_cleanup(&r.files[i].docs[k]);
        free(r.files[i].docs);
        cview_cleanup(&r.files[i].part);
        lnote_list_cleanup(&r.files[i].patches);
        diag_list_cleanup(&r.files[i].legacy);
        lpool_free(&r.files[i].names);
        lpool_free(&r.files[i].recs);
    }
    free(r.files);
    free(r.rfdocs);
    rules_plan_free(r.plan);
    cview_cleanup(&r.cv);
    inputs_cleanup(&r.in);
    return rc;
}
