/* SPDX-License-Identifier: Apache-2.0
 *
 * inputs.c - read lint/fix inputs: files, directory trees and stdin. The
 * file list is built first (sorted walk, excludes), then files are parsed
 * with ydoc on worker threads, then documents are collected in input
 * order, so output never depends on scheduling. Every document feeds the
 * cluster view, so a Secret in one file satisfies a failover in another.
 * The password fingerprint uses OpenSSL's SHA-256; the value itself never
 * leaves cview.c.
 */
#include "inputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "file.h"
#include "jpatch.h"
#include "sbuf.h"
#include "template.h"

#define INPUT_MAX_BYTES ((size_t)64 << 20)
/* What a streaming worker keeps from one file for the next: the largest
 * arena chunk up to this size, and a read buffer up to this size. */
#define WORKER_ARENA_KEEP ((size_t)4 << 20)
#define WORKER_BUF_KEEP ((size_t)16 << 20)

/* A streaming worker's memory, reused file after file so that reading
 * and loading a file costs no large malloc or free (each of which makes
 * glibc walk its free lists) and no fresh pages. */
struct wstate {
    struct arena *arena;   /* owned; NULL until a file needs one */
    char *buf;             /* owned */
    size_t cap;
};

unsigned inputs_ncpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

void inputs_init(struct input_set *s, const char *default_ns,
                 cview_hash_fn hash)
{
    memset(s, 0, sizeof(*s));
    diag_list_init(&s->errors, NULL);
    s->errors.max = 10000;
    cview_init(&s->cv, hash);
    s->default_ns = default_ns ? default_ns : "default";
}

/* Free a file's text and trees; keep its name and diagnostics. With
 * `ws`, the text and the arena are the worker's: they are kept (the
 * arena emptied) for its next file. */
static void release_data(struct input_file *f, struct wstate *ws)
{
    size_t k;

    /* arena trees go with their arena: no per-node walk */
    for (k = 0; f->arena && k < f->ys.len; k++)
        f->ys.docs[k].root = NULL;
    ydoc_stream_cleanup(&f->ys);
    memset(&f->ys, 0, sizeof(f->ys));
    if (ws) {
        arena_reset(f->arena, WORKER_ARENA_KEEP);
        if (ws->cap > WORKER_BUF_KEEP) {
            free(ws->buf);
            ws->buf = NULL;
            ws->cap = 0;
        }
    } else {
        free(f->buf);
        arena_free(f->arena);
    }
    f->buf = NULL;
    f->len = 0;
    f->arena = NULL;
}

void inputs_cleanup(struct input_set *s)
{
    size_t i;

    for (i = 0; i < s->nfiles; i++) {
        struct input_file *f = &s->files[i];

        release_data(f, NULL);
        free(f->name);
        free(f->path);
        diag_list_cleanup(&f->errs);
    }
    free(s->files);
    free(s->docs);
    diag_list_cleanup(&s->errors);
    cview_cleanup(&s->cv);
}

size_t inputs_nerrors(const struct input_set *s)
{
    size_t i, n = s->errors.nerr;

    for (i = 0; i < s->nfiles; i++)
        n += s->files[i].errs.nerr;
    return n;
}

static bool excluded(const struct input_set *s, const char *path)
{
    const char *base = strrchr(path, '/');
    size_t i;

    base = base ? base + 1 : path;
    for (i = 0; i < s->nexcludes; i++)
        if (fnmatch(s->excludes[i], path, 0) == 0 ||
            fnmatch(s->excludes[i], base, 0) == 0)
            return true;
    return false;
}

static int add_file(struct input_set *s, const char *name, const char *path,
                    bool state_only)
{
    struct input_file *f;

    f = rfg_grow(s->files, &s->capfiles, s->nfiles, sizeof(*f), 16);
    if (!f)
        return RFG_ENOMEM;
    s->files = f;
    f = &s->files[s->nfiles];
    memset(f, 0, sizeof(*f));
    f->name = strdup(name);
    f->path = strdup(path);
    if (!f->name || !f->path) {
        free(f->name);
        free(f->path);
        return RFG_ENOMEM;
    }
    f->state_only = state_only;
    s->nfiles++;
    return RFG_OK;
}

static bool wanted(const char *name)
{
    size_t n = strlen(name);

    return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
           (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

/* The (device, inode) of every directory and file reached so far, so that
 * each is read once however many paths or symbolic links lead to it: two
 * `x -> .` links would otherwise make a walk exponential. An open
 * addressing hash set; `cap` is 0 or a power of two. */
struct seen {
    struct seen_id {
        dev_t dev;
        ino_t ino;
        bool used;
    } *v;
    size_t len, cap;
};

static size_t seen_slot(const struct seen *t, dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)ino * 0x9E3779B97F4A7C15u) ^ (uint64_t)dev;
    size_t i = (size_t)(h ^ (h >> 29)) & (t->cap - 1);

    while (t->v[i].used && (t->v[i].dev != dev || t->v[i].ino != ino))
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* Record `st`; *fresh says whether it was new. RFG_OK or RFG_ENOMEM. */
static int seen_add(struct seen *t, const struct stat *st, bool *fresh)
{
    size_t i;

    *fresh = false;
    if (2 * (t->len + 1) > t->cap) {
        struct seen n = {NULL, 0, t->cap ? 2 * t->cap : 64};

        n.v = calloc(n.cap, sizeof(*n.v));
        if (!n.v)
            return RFG_ENOMEM;
        for (i = 0; i < t->cap; i++)
            if (t->v[i].used)
                n.v[seen_slot(&n, t->v[i].dev, t->v[i].ino)] = t->v[i];
        n.len = t->len;
        free(t->v);
        *t = n;
    }
    i = seen_slot(t, st->st_dev, st->st_ino);
    if (t->v[i].used)
        return RFG_OK;
    t->v[i].dev = st->st_dev;
    t->v[i].ino = st->st_ino;
    t->v[i].used = true;
    t->len++;
    *fresh = true;
    return RFG_OK;
}

static int walk(struct input_set *s, struct seen *seen, const char *dir,
                int depth)
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
        s->errors.file = NULL;
        return RFG_OK;
    }
    for (i = 0; i < n; i++) {
        const char *e = ents[i]->d_name;
        struct stat st;
        char *p = NULL;
        size_t plen;
        bool fresh = true;

        if (!rc && e[0] != '.') {
            plen = strlen(dir) + strlen(e) + 2;
            p = malloc(plen);
            if (!p)
                rc = RFG_ENOMEM;
        }
        if (p) {
            snprintf(p, plen, "%s%s%s", dir,
                     dir[strlen(dir) - 1] == '/' ? "" : "/", e);
            if (excluded(s, p)) {
                ;
            } else if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                /* a directory reached again (a link loop) is skipped */
                rc = seen_add(seen, &st, &fresh);
                if (!rc && fresh)
                    rc = walk(s, seen, p, depth + 1);
            } else if (wanted(e)) {
                if (stat(p, &st) == 0)
                    rc = seen_add(seen, &st, &fresh);
                if (!rc && fresh)
                    rc = add_file(s, p, p, false);
            }
            free(p);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

/* Drop the documents parsed so far (the arena keeps the trees). */
static void drop_docs(struct input_file *f)
{
    size_t k;

    for (k = 0; f->arena && k < f->ys.len; k++)
        f->ys.docs[k].root = NULL;
    ydoc_stream_cleanup(&f->ys);
    memset(&f->ys, 0, sizeof(f->ys));
}

/* A template gets one error, at its first token, and no documents:
 * before parsing when a token stands in plain text; after a syntax error
 * when one stands anywhere but in a comment, up to the error's line (a
 * token after it cannot be what broke the parse). */
static bool template_error(const struct input_set *s, struct input_file *f,
                           bool loose)
{
    const char *cmd = s->cmd ? s->cmd : "lint";
    unsigned upto = 0;
    struct src_pos pos;
    char tok[3];

    if (loose && f->errs.len)
        upto = f->errs.v[0].pos.line;
    if (!tmpl_find(f->buf, f->len, loose, &pos, tok) ||
        (upto && pos.line > upto))
        return false;
    drop_docs(f);
    diag_list_cleanup(&f->errs);
    diag_list_init(&f->errs, f->name);
    diag_fail(&f->errs, RFG_EPARSE, &pos, "this is a template (`%s`): "
              "render it first (`helm template \u2026 | rfguard %s -`)",
              tok, cmd);
    return true;
}

/* Read the file at `path` whole into ws->buf (grown as needed), with a
 * NUL after its *len bytes: one read(2) for a regular file, no copy.
 * Errors as rfg_read_file's, errno set. */
static int read_into(struct wstate *ws, const char *path, size_t *len)
{
    struct stat st;
    size_t n = 0, want;
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = RFG_OK, saved;

    *len = 0;
    if (fd < 0)
        return RFG_EIO;
    /* room for the whole file, one byte more (so that the read that
     * sees the end needs no more room) and the NUL */
    want = 65536;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uintmax_t)st.st_size > INPUT_MAX_BYTES) {
            close(fd);
            return RFG_ELIMIT;
        }
        want = (size_t)st.st_size + 1;
    }
    for (;;) {
        if (want > INPUT_MAX_BYTES + 1)
            want = INPUT_MAX_BYTES + 1;     /* enough to see it is too big */
        if (ws->cap < want + 1) {
            /* the last file's text need not move along */
            char *nb = n ? realloc(ws->buf, want + 1) : malloc(want + 1);

            if (!nb) {
                rc = RFG_ENOMEM;
                break;
            }
            if (!n)
                free(ws->buf);
            ws->buf = nb;
            ws->cap = want + 1;
        }
        got = read(fd, ws->buf + n, ws->cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = RFG_EIO;
            break;
        }
        n += (size_t)got;
        if (n > INPUT_MAX_BYTES) {
            rc = RFG_ELIMIT;
            break;
        }
        if (got == 0)
            break;
        if (n == ws->cap - 1)
            want = 2 * (ws->cap - 1);       /* it grew, or is no file */
    }
    saved = errno;
    close(fd);
    errno = saved;
    if (!rc) {
        ws->buf[n] = '\0';
        *len = n;
    }
    return rc;
}

/* inputs_stream_docs' callback and where it is. */
struct each_ctx {
    inputs_doc_fn fn;      /* NULL: keep the documents in f->ys */
    void *arg;
    struct input_file *f;
    size_t idx;
};

/* One loaded document to the callback, then its arena memory reused for
 * the next (the loader keeps nothing there between documents). The
 * callback's own cJSON allocations (the rules' working trees) go to the
 * arena too, and with it: what outlives the document is plain heap (the
 * view's entries, see inputs_add_to_view). */
static int each_doc(void *arg, struct ydoc *d)
{
    struct each_ctx *c = arg;
    struct arena *a = c->f->arena;
    int rc = c->fn(c->f, c->idx, d, c->arg);

    if (a && !arena_spilled(a)) {
        d->root = NULL;
        arena_reset(a, WORKER_ARENA_KEEP);
    }
    return rc;
}

static int load_text(struct input_file *f, struct each_ctx *ec)
{
    if (ec && ec->fn)
        return ydoc_load_each(f->buf, f->len, NULL, &f->errs, each_doc, ec);
    return ydoc_load(&f->ys, f->buf, f->len, NULL, &f->errs);
}

/* Read and parse one file into its own stream and diagnostics (or hand
 * its documents to ec->fn); with `ws`, into the worker's buffer and arena
 * (release_data(f, ws) gives them back). */
static void parse_file(const struct input_set *s, struct input_file *f,
                       struct wstate *ws, struct each_ctx *ec)
{
    int rc;

    diag_list_init(&f->errs, f->name);
    if (ws) {
        rc = read_into(ws, f->path, &f->len);
        if (!rc)
            f->buf = ws->buf;
    } else {
        rc = rfg_read_file(&f->buf, &f->len, f->path, INPUT_MAX_BYTES);
    }
    if (rc == RFG_ELIMIT) {
        diag_fail(&f->errs, rc, NULL, "file is larger than %zu MiB",
                  INPUT_MAX_BYTES >> 20);
        return;
    }
    if (rc == RFG_ENOMEM) {
        diag_fail(&f->errs, rc, NULL, "out of memory");
        return;
    }
    if (rc) {
        diag_fail(&f->errs, rc, NULL, "cannot read: %s", strerror(errno));
        return;
    }
    if (template_error(s, f, false))
        return;
    if (arena_hooks_installed()) {
        struct arena *prev;

        if (ws && !ws->arena)
            ws->arena = arena_new();
        f->arena = ws ? ws->arena : arena_new();
        if (!f->arena) {
            diag_fail(&f->errs, RFG_ENOMEM, NULL, "out of memory");
            return;
        }
        prev = arena_use(f->arena);
        rc = load_text(f, ec);
        arena_use(prev);
    } else {
        rc = load_text(f, ec);
    }
    /* a failure is in f->errs, with what and where, unless the text is
     * a template: then that is the one thing to say */
    if (rc == RFG_EPARSE && template_error(s, f, true) && ec && ec->fn)
        f->docs_void = true;
}

struct pool {
    struct input_set *s;
    inputs_file_fn fn;     /* NULL: parse and keep */
    inputs_doc_fn each;    /* NULL: fn gets the loaded documents */
    void *arg;
    atomic_size_t next;
    atomic_size_t done;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    struct wstate ws = {NULL, NULL, 0};
    size_t i;

    while ((i = atomic_fetch_add(&p->next, 1)) < p->s->nfiles) {
        struct input_file *f = &p->s->files[i];

        if (strcmp(f->path, "-")) {
            struct each_ctx ec = {p->each, p->arg, f, i};

            /* a file whose data is kept cannot borrow the worker's */
            parse_file(p->s, f, p->fn ? &ws : NULL, &ec);
            if (p->fn) {
                p->fn(f, i, p->arg);
                release_data(f, &ws);
            }
        }
        atomic_fetch_add(&p->done, 1);
    }
    arena_free(ws.arena);
    free(ws.buf);
    return NULL;
}

static void run_pool(struct input_set *s, inputs_doc_fn each,
                     inputs_file_fn fn, void *arg)
{
    struct pool p;
    pthread_t th[64];
    unsigned n = s->jobs ? s->jobs : inputs_ncpus(), i, started = 0;
    size_t k;

    if (n > 64)
        n = 64;
    if (n > s->nfiles)
        n = (unsigned)s->nfiles;
    /* stdin is read on this thread, before the workers start */
    for (k = 0; k < s->nfiles; k++)
        if (!strcmp(s->files[k].path, "-")) {
            struct each_ctx ec = {each, arg, &s->files[k], k};

            parse_file(s, &s->files[k], NULL, &ec);
            if (fn) {
                fn(&s->files[k], k, arg);
                release_data(&s->files[k], NULL);
            }
        }
    p.s = s;
    p.fn = fn;
    p.each = each;
    p.arg = arg;
    atomic_init(&p.next, 0);
    atomic_init(&p.done, 0);
    for (i = 1; i < n; i++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    if (!s->progress) {
        worker(&p);
    } else {
        /* this thread reports progress while the workers parse */
        if (!started)
            worker(&p);
        while (atomic_load(&p.done) < s->nfiles) {
            s->progress(atomic_load(&p.done), s->nfiles, s->progress_arg);
            nanosleep(&(struct timespec){0, 100000000}, NULL);
        }
        s->progress(s->nfiles, s->nfiles, s->progress_arg);
    }
    for (i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

static int push_doc(struct input_set *s, struct input_file *f,
                    const struct ydoc *d, const cJSON *obj, struct src_pos pos)
{
    struct input_doc *nv = rfg_grow(s->docs, &s->capdocs, s->ndocs,
                                    sizeof(*nv), 64);

    if (!nv)
        return RFG_ENOMEM;
    s->docs = nv;
    s->docs[s->ndocs].file = f;
    s->docs[s->ndocs].doc = d;
    s->docs[s->ndocs].obj = obj;
    s->docs[s->ndocs].pos = pos;
    s->ndocs++;
    return RFG_OK;
}

bool inputs_is_list(const cJSON *o)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
    size_t n;

    if (!cJSON_IsString(k) ||
        !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "items")))
        return false;
    n = strlen(k->valuestring);
    return n >= 4 && !strcmp(k->valuestring + n - 4, "List");
}

int inputs_add_to_view(struct cview *cv, const struct input_file *f,
                       const cJSON *obj, struct src_pos pos, const char *ns)
{
    char origin[4096 + 16];
    size_t nrfs = cv->nrfs, nsecrets = cv->nsecrets;
    struct arena *prev;
    int rc;

    /* origin names the object in other objects' findings: file:line */
    snprintf(origin, sizeof(origin), "%.4096s:%u", f->name, pos.line);
    /* the view outlives any arena the caller's trees are in */
    prev = arena_use(NULL);
    rc = cview_add_object(cv, obj, ns, origin);
    arena_use(prev);
    /* what the cluster already holds is no second definition of an
     * object the run applies (duplicate-object) */
    if (!rc && f->state_only && cv->nrfs > nrfs)
        cv->rfs[nrfs].state_only = true;
    if (!rc && f->state_only && cv->nsecrets > nsecrets)
        cv->secrets[nsecrets].state_only = true;
    return rc;
}

void inputs_stream(struct input_set *s, inputs_file_fn fn, void *arg)
{
    run_pool(s, NULL, fn, arg);
}

void inputs_stream_docs(struct input_set *s, inputs_doc_fn each,
                        inputs_file_fn fn, void *arg)
{
    run_pool(s, each, fn, arg);
}

int inputs_collect(struct input_set *s, char **paths, size_t npaths,
                   const char *cluster_state)
{
    struct seen seen = {NULL, 0, 0};
    size_t i;
    int rc = RFG_OK;

    for (i = 0; i < npaths && !rc; i++) {
        struct stat st;
        bool fresh = true;

        if (!strcmp(paths[i], "-")) {
            rc = add_file(s, s->stdin_name ? s->stdin_name : "<stdin>",
                          "-", false);
        } else if (stat(paths[i], &st) == 0) {
            /* each real file and directory once, by whatever name first */
            rc = seen_add(&seen, &st, &fresh);
            if (!rc && fresh)
                rc = S_ISDIR(st.st_mode) ? walk(s, &seen, paths[i], 0)
                                         : add_file(s, paths[i], paths[i],
                                                    false);
        } else {
            rc = add_file(s, paths[i], paths[i], false);
        }
    }
    free(seen.v);
    if (!rc && cluster_state)
        rc = add_file(s, cluster_state, cluster_state, true);
    return rc;
}

int inputs_each_object(const struct ydoc *yd, inputs_object_fn fn,
                       void *arg)
{
    const cJSON *it;
    int rc;

    if (!inputs_is_list(yd->root))
        return fn(arg, yd, yd->root, yd->start);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(yd->root,
                                                            "items")) {
        if ((rc = fn(arg, yd, it, posmap_get(yd->pm, it))))
            return rc;
    }
    return RFG_OK;
}

struct load_ctx {
    struct input_set *s;
    struct input_file *f;
};

/* One object of a loaded file: linted (unless cluster state) and fed to
 * the view. */
static int load_object(void *arg, const struct ydoc *yd, const cJSON *obj,
                       struct src_pos pos)
{
    struct load_ctx *c = arg;
    int rc = RFG_OK;

    if (!c->f->state_only)
        rc = push_doc(c->s, c->f, yd, obj, pos);
    return rc ? rc : inputs_add_to_view(&c->s->cv, c->f, obj, pos,
                                        c->s->default_ns);
}

int inputs_load(struct input_set *s, char **paths, size_t npaths,
                const char *cluster_state)
{
    size_t i, k;
    int rc = inputs_collect(s, paths, npaths, cluster_state);

    if (rc)
        return rc;
    run_pool(s, NULL, NULL, NULL);
    for (i = 0; i < s->nfiles; i++) {
        struct input_file *f = &s->files[i];
        struct load_ctx c = {s, f};

        for (k = 0; k < f->ys.len; k++)
            if ((rc = inputs_each_object(&f->ys.docs[k], load_object, &c)))
                return rc;
        if (f->state_only && !f->errs.nerr)
            s->cv.complete = true;
    }
    return RFG_OK;
}

struct src_pos inputs_pos(const struct input_doc *d, const char *ptr)
{
    const cJSON *n = jptr_deepest(d->obj, ptr);
    struct src_pos p = posmap_get(d->doc->pm, n);

    return p.line ? p : d->pos;
}
