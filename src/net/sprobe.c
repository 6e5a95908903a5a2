/* SPDX-License-Identifier: Apache-2.0
 *
 * sprobe.c - ask Redis Sentinels what they know, read-only, in parallel
 * (sprobe.h). A fixed number of worker threads take the next sentinel
 * from a shared counter; each connects with hiredis (blocking, with a
 * timeout), optionally sends AUTH, then the four SENTINEL questions, each
 * reply bounded by the per-sentinel timeout and by what is left of the
 * run's deadline. Not here: which sentinels to ask, and what the answers
 * mean (sentinels.c).
 */
#define _POSIX_C_SOURCE 200809L

#include "sprobe.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis.h>

#include "clock.h"

#define SPROBE_DEFAULT_TIMEOUT_MS 2000u
#define SPROBE_DEFAULT_DEADLINE_MS 30000u
#define SPROBE_DEFAULT_PARALLEL 8u
#define SPROBE_ERR_LEN 256

struct run {
    const struct sprobe_req *reqs;
    struct sprobe_ans *out;
    size_t n;
    unsigned timeout_ms;
    uint64_t deadline;     /* rfg_mono_ms() at which the run ends */
    const struct sprobe_opts *o;
    pthread_mutex_t mu;
    size_t next, done;
    bool oom;
};

static char *dup_str(const char *s)
{
    size_t len = strlen(s);
    char *p = malloc(len + 1);
    if (p)
        memcpy(p, s, len + 1);
    return p;
}

/* Replace control characters (a reply is the server's text, and ends up
 * on a terminal) with '?'. */
static void scrub(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static void set_error(struct sprobe_ans *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_error(struct sprobe_ans *a, const char *fmt, ...)
{
    char buf[SPROBE_ERR_LEN];
    va_list ap;
    if (a->error)
        return; /* the first error is the one that matters */
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    a->error = dup_str(buf);
    if (a->error)
        scrub(a->error);
}

static void addr_cleanup(struct sprobe_addr *x)
{
    free(x->ip);
    free(x->name);
    free(x->flags);
    memset(x, 0, sizeof *x);
}

static void addrs_free(struct sprobe_addr *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        addr_cleanup(&v[i]);
    free(v);
}

void sprobe_ans_cleanup(struct sprobe_ans *a)
{
    if (!a)
        return;
    free(a->error);
    addr_cleanup(&a->master);
    addrs_free(a->replicas, a->nreplicas);
    addrs_free(a->sentinels, a->nsentinels);
    addrs_free(a->masters, a->nmasters);
    memset(a, 0, sizeof *a);
}

/* Milliseconds left for the next step: the timeout, or less when the
 * deadline is nearer. 0 when the deadline has passed. */
static unsigned left_ms(const struct run *r)
{
    uint64_t now = rfg_mono_ms();
    if (now >= r->deadline)
        return 0;
    uint64_t left = r->deadline - now;
    return left < r->timeout_ms ? (unsigned)left : r->timeout_ms;
}

static struct timeval tv_of(unsigned ms)
{
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000u);
    tv.tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
    return tv;
}

/* A string element of a reply (status or bulk string), or NULL. */
static const char *rstr(const redisReply *r)
{
    if (r && (r->type == REDIS_REPLY_STRING ||
              r->type == REDIS_REPLY_STATUS) && r->str)
        return r->str;
    return NULL;
}

/* Fill x from a flat key/value array (a sentinel's description of one
 * instance). 0, or -1 when out of memory. */
static int addr_of(struct sprobe_addr *x, const redisReply *r)
{
    const char *ip = "", *name = NULL, *flags = NULL;
    int port = 0;
    if (r && r->type == REDIS_REPLY_ARRAY) {
        for (size_t i = 0; i + 1 < r->elements; i += 2) {
            const char *k = rstr(r->element[i]);
            const char *v = rstr(r->element[i + 1]);
            if (!k || !v)
                continue;
            if (strcmp(k, "ip") == 0) {
                ip = v;
            } else if (strcmp(k, "port") == 0) {
                long p = strtol(v, NULL, 10);
                port = p > 0 && p < 65536 ? (int)p : 0;
            } else if (strcmp(k, "name") == 0) {
                name = v;
            } else if (strcmp(k, "flags") == 0) {
                flags = v;
            }
        }
    }
    x->port = port;
    x->ip = dup_str(ip);
    x->name = name ? dup_str(name) : NULL;
    x->flags = flags ? dup_str(flags) : NULL;
    if (!x->ip || (name && !x->name) || (flags && !x->flags))
        return -1;
    scrub(x->ip);
    if (x->name)
        scrub(x->name);
    if (x->flags)
        scrub(x->flags);
    return 0;
}

/* An array of instance descriptions into *v. 0 or -1 (out of memory). */
static int addrs_of(struct sprobe_addr **v, size_t *n, const redisReply *r)
{
    *v = NULL;
    *n = 0;
    if (r->elements == 0)
        return 0;
    *v = calloc(r->elements, sizeof **v);
    if (!*v)
        return -1;
    for (size_t i = 0; i < r->elements; i++) {
        (*n)++;
        if (addr_of(&(*v)[i], r->element[i]) != 0)
            return -1;
    }
    return 0;
}

/* Describe a failed command (no reply: the connection's error). */
static void conn_error(struct sprobe_ans *a, redisContext *c,
                       const char *what, unsigned ms)
{
    if (c->err == REDIS_ERR_IO &&
        (strstr(c->errstr, "temporarily unavailable") ||
         strstr(c->errstr, "timed out")))
        set_error(a, "%s: timed out, no reply within %u ms", what, ms);
    else if (c->err == REDIS_ERR_EOF)
        set_error(a, "%s: connection closed by the server", what);
    else
        set_error(a, "%s: %s", what, c->errstr);
}

enum step { ASK_OK, ASK_FAIL, ASK_ERR_REPLY };

/* Send one command (argv form, so nothing is ever interpolated) with what
 * is left of the time, and return its reply in *out (ASK_OK or
 * ASK_ERR_REPLY, the caller frees it) or ASK_FAIL (error recorded). */
static enum step ask(redisReply **out, struct run *r, redisContext *c,
                     struct sprobe_ans *a, const char *what, int argc,
                     const char **argv)
{
    unsigned ms = left_ms(r);
    *out = NULL;
    if (ms == 0) {
        set_error(a, "%s: deadline passed", what);
        return ASK_FAIL;
    }
    if (redisSetTimeout(c, tv_of(ms)) != REDIS_OK) {
        conn_error(a, c, what, ms);
        return ASK_FAIL;
    }
    redisReply *rep = redisCommandArgv(c, argc, argv, NULL);
    if (!rep) {
        conn_error(a, c, what, ms);
        return ASK_FAIL;
    }
    *out = rep;
    return rep->type == REDIS_REPLY_ERROR ? ASK_ERR_REPLY : ASK_OK;
}

/* Ask one sentinel everything. Returns -1 only when out of memory. */
static int probe_one(struct run *r, const struct sprobe_req *q,
                     struct sprobe_ans *a)
{
    unsigned ms = left_ms(r);
    redisReply *rep = NULL;
    int rc = 0;
    if (ms == 0) {
        set_error(a, "deadline passed");
        return 0;
    }
    redisContext *c = redisConnectWithTimeout(q->host, q->port, tv_of(ms));
    if (!c) {
        set_error(a, "connect: out of memory");
        return -1;
    }
    if (c->err) {
        if (c->err == REDIS_ERR_IO && strstr(c->errstr, "timed out"))
            set_error(a, "connect: timed out, no answer within %u ms", ms);
        else
            set_error(a, "connect: %s", c->errstr);
        redisFree(c);
        return 0;
    }
    if (q->password) {
        const char *argv[] = {"AUTH", q->password};
        enum step s = ask(&rep, r, c, a, "AUTH", 2, argv);
        if (s == ASK_ERR_REPLY)
            set_error(a, "AUTH: %s", rep->str ? rep->str : "error");
        freeReplyObject(rep);
        rep = NULL;
        if (s != ASK_OK)
            goto out;
    }

    /* SENTINEL MASTER <name> */
    {
        const char *argv[] = {"SENTINEL", "MASTER", q->master};
        enum step s = ask(&rep, r, c, a, "SENTINEL MASTER", 3, argv);
        if (s == ASK_FAIL)
            goto out;
        if (s == ASK_ERR_REPLY) {
            set_error(a, "SENTINEL MASTER %s: %s", q->master,
                      rep->str ? rep->str : "error");
        } else if (rep->type == REDIS_REPLY_ARRAY) {
            a->has_master = true;
            if (addr_of(&a->master, rep) != 0)
                rc = -1;
        }
        freeReplyObject(rep);
        rep = NULL;
    }
    /* SENTINEL REPLICAS <name>, SENTINEL SLAVES before Redis 5 */
    if (a->has_master && rc == 0) {
        const char *argv[] = {"SENTINEL", "REPLICAS", q->master};
        enum step s = ask(&rep, r, c, a, "SENTINEL REPLICAS", 3, argv);
        if (s == ASK_ERR_REPLY) {
            freeReplyObject(rep);
            rep = NULL;
            argv[1] = "SLAVES";
            s = ask(&rep, r, c, a, "SENTINEL SLAVES", 3, argv);
            if (s == ASK_ERR_REPLY)
                set_error(a, "SENTINEL SLAVES %s: %s", q->master,
                          rep->str ? rep->str : "error");
        }
        if (s == ASK_FAIL)
            goto out;
        if (s == ASK_OK && rep->type == REDIS_REPLY_ARRAY) {
            a->has_replicas = true;
            if (addrs_of(&a->replicas, &a->nreplicas, rep) != 0)
                rc = -1;
        }
        freeReplyObject(rep);
        rep = NULL;
    }
    /* SENTINEL SENTINELS <name> */
    if (a->has_master && rc == 0) {
        const char *argv[] = {"SENTINEL", "SENTINELS", q->master};
        enum step s = ask(&rep, r, c, a, "SENTINEL SENTINELS", 3, argv);
        if (s == ASK_FAIL)
            goto out;
        if (s == ASK_ERR_REPLY) {
            set_error(a, "SENTINEL SENTINELS %s: %s", q->master,
                      rep->str ? rep->str : "error");
        } else if (rep->type == REDIS_REPLY_ARRAY) {
            a->has_sentinels = true;
            if (addrs_of(&a->sentinels, &a->nsentinels, rep) != 0)
                rc = -1;
        }
        freeReplyObject(rep);
        rep = NULL;
    }
    /* SENTINEL MASTERS, asked even when its master is unknown to it */
    if (rc == 0) {
        const char *argv[] = {"SENTINEL", "MASTERS"};
        enum step s = ask(&rep, r, c, a, "SENTINEL MASTERS", 2, argv);
        if (s == ASK_FAIL)
            goto out;
        if (s == ASK_ERR_REPLY) {
            set_error(a, "SENTINEL MASTERS: %s",
                      rep->str ? rep->str : "error");
        } else if (rep->type == REDIS_REPLY_ARRAY) {
            a->has_masters = true;
            if (addrs_of(&a->masters, &a->nmasters, rep) != 0)
                rc = -1;
        }
        freeReplyObject(rep);
        rep = NULL;
    }
out:
    freeReplyObject(rep);
    redisFree(c);
    return rc;
}

static void *worker(void *arg)
{
    struct run *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = r->next < r->n ? r->next++ : r->n;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->n)
            break;
        int rc = probe_one(r, &r->reqs[i], &r->out[i]);
        pthread_mutex_lock(&r->mu);
        if (rc != 0)
            r->oom = true;
        r->done++;
        if (r->o && r->o->progress)
            r->o->progress(r->o->progress_ctx, r->done, r->n);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

int sprobe_run(struct sprobe_ans *out, const struct sprobe_req *reqs,
               size_t n, const struct sprobe_opts *o)
{
    struct run r;
    memset(&r, 0, sizeof r);
    memset(out, 0, n * sizeof *out);
    if (n == 0)
        return RFG_OK;
    r.reqs = reqs;
    r.out = out;
    r.n = n;
    r.o = o;
    r.timeout_ms = o && o->timeout_ms ? o->timeout_ms
                                      : SPROBE_DEFAULT_TIMEOUT_MS;
    r.deadline = rfg_mono_ms() + (o && o->deadline_ms
                                      ? o->deadline_ms
                                      : SPROBE_DEFAULT_DEADLINE_MS);
    unsigned par = o && o->parallel ? o->parallel : SPROBE_DEFAULT_PARALLEL;
    size_t nthreads = par < n ? par : n;
    if (pthread_mutex_init(&r.mu, NULL) != 0)
        return RFG_EIO;
    /* A sentinel that closes the connection must not kill the process
     * with SIGPIPE when a command is then written (hiredis uses write()):
     * block it here and in the workers, which inherit the mask, and take
     * back a SIGPIPE raised in this thread before unblocking. */
    sigset_t sigpipe, old, pend;
    bool pending_before = false;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe, &old);
    if (sigpending(&pend) == 0)
        pending_before = sigismember(&pend, SIGPIPE) == 1;

    pthread_t *th = calloc(nthreads, sizeof *th);
    size_t started = 0;
    if (th) {
        for (; started < nthreads; started++)
            if (pthread_create(&th[started], NULL, worker, &r) != 0)
                break;
    }
    if (started == 0) {
        /* No thread: ask in this one, rather than not at all. */
        worker(&r);
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (!pending_before && sigpending(&pend) == 0 &&
        sigismember(&pend, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        (void)sigtimedwait(&sigpipe, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_destroy(&r.mu);
    return r.oom ? RFG_ENOMEM : RFG_OK;
}
