/* SPDX-License-Identifier: Apache-2.0
 *
 * logline.c - JSON log lines for the webhook (see logline.h). The field
 * order and spelling are an interface: operators and the integration
 * tests grep them. Clips what users control (the skip reason) and holds
 * nothing between calls but each thread's formatted second and the
 * lines that may wait.
 *
 * Every request writes a line, so this is on the webhook's hot path: a
 * line is built in a buffer on the stack (the heap only for a line that
 * outgrows it) and goes to stderr in one write(2), without stdio and its
 * lock. Lines up to PIPE_BUF bytes are written whole by the kernel even
 * to a pipe, so they only share a lock with longer lines, which are
 * written one at a time (see out_write). Under load, `serve` lets the
 * admission lines wait in one buffer, written a few kilobytes per
 * write(2) by a flusher thread or when the buffer fills (see
 * logline_batch_start). Not here: what to log and when
 * (admission.c, cmd_serve.c).
 */
#include "logline.h"

#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define ELLIPSIS "\xE2\x80\xA6"     /* U+2026 */
/* Room on the stack: nearly every line fits. */
#define LINE_STACK 2048
/* The longest lines written; a longer one is dropped. */
#define ADMISSION_LINE_MAX ((size_t)64 << 10)
#define MSG_LINE_MAX ((size_t)8 << 10)

/* Short lines (atomic writes) share it, a long one takes it alone. */
static pthread_rwlock_t out_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Write `n` bytes to stderr: one write(2) for a line the kernel writes
 * whole (at most PIPE_BUF bytes, also on a pipe); a longer one, which
 * a pipe may take in parts, holds the lock alone until it is out, so
 * that no other line lands in between. */
static void out_write(const char *p, size_t n)
{
    bool whole = n <= PIPE_BUF;
    ssize_t w;

    if (whole)
        pthread_rwlock_rdlock(&out_lock);
    else
        pthread_rwlock_wrlock(&out_lock);
    while (n > 0) {
        w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;          /* nowhere to log to */
        p += w;
        n -= (size_t)w;
    }
    pthread_rwlock_unlock(&out_lock);
}

/* ---- lines that may wait (logline_batch_start) ---- */

/* What the buffer holds at most; a line that does not fit is written
 * with what is there, at once. */
#define BATCH_CAP ((size_t)64 << 10)

static struct {
    pthread_mutex_t mu;     /* buf, spare, len, stop */
    pthread_mutex_t out;    /* held by whoever writes: lines stay in order */
    pthread_cond_t cv;      /* the first line came, or stop */
    pthread_t flusher;
    char *buf, *spare;      /* appended to; written from */
    size_t len;
    unsigned interval_ms;
    uint64_t last_ms;       /* a line last went out at once; NEVER */
    bool stop;
    atomic_bool on;
} batch = {
    .mu = PTHREAD_MUTEX_INITIALIZER,
    .out = PTHREAD_MUTEX_INITIALIZER,
};

/* Set by logline_may_wait for this thread's admission lines. */
static _Thread_local bool may_wait;

/* Write `n` bytes of whole lines in writes of at most PIPE_BUF bytes,
 * each ending at a line's end (a longer line alone), so that each is
 * written whole, as a single line would be. */
static void out_lines(const char *p, size_t n)
{
    while (n > 0) {
        size_t k = n;

        if (k > PIPE_BUF) {
            const char *nl;

            for (k = PIPE_BUF; k > 0 && p[k - 1] != '\n'; k--)
                ;
            if (k == 0)
                k = (nl = memchr(p, '\n', n)) ? (size_t)(nl - p) + 1 : n;
        }
        out_write(p, k);
        p += k;
        n -= k;
    }
}

/* Write what the buffer holds. The caller holds batch.out. */
static void batch_drain(void)
{
    char *p;
    size_t n;

    pthread_mutex_lock(&batch.mu);
    p = batch.buf;
    n = batch.len;
    batch.buf = batch.spare;
    batch.spare = p;
    batch.len = 0;
    pthread_mutex_unlock(&batch.mu);
    if (n)
        out_lines(p, n);
}

#define NEVER UINT64_MAX

/* Keep a line for the flusher, unless the log has been quiet for the
 * interval (nothing kept, no line out at once) or it does not fit: then
 * false, and the caller writes it now. */
static bool batch_keep(const char *p, size_t n)
{
    uint64_t now = rfg_mono_ms();
    bool first;

    pthread_mutex_lock(&batch.mu);
    if ((batch.len == 0 && (batch.last_ms == NEVER ||
                            now - batch.last_ms >= batch.interval_ms)) ||
        n > BATCH_CAP - batch.len) {
        batch.last_ms = now;
        pthread_mutex_unlock(&batch.mu);
        return false;
    }
    first = batch.len == 0;
    memcpy(batch.buf + batch.len, p, n);
    batch.len += n;
    pthread_mutex_unlock(&batch.mu);
    if (first)
        pthread_cond_signal(&batch.cv);
    return true;
}

/* The flusher: once a line waits, sleep the interval (or until stop),
 * then write the buffer. */
static void *batch_main(void *arg)
{
    struct timespec until;

    (void)arg;
    pthread_mutex_lock(&batch.mu);
    while (!batch.stop) {
        if (batch.len == 0) {
            pthread_cond_wait(&batch.cv, &batch.mu);
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)(batch.interval_ms % 1000u) * 1000000L;
        until.tv_sec += (time_t)(batch.interval_ms / 1000u) +
                        until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!batch.stop &&
               pthread_cond_timedwait(&batch.cv, &batch.mu, &until) !=
                   ETIMEDOUT)
            ;
        pthread_mutex_unlock(&batch.mu);
        logline_flush();
        pthread_mutex_lock(&batch.mu);
    }
    pthread_mutex_unlock(&batch.mu);
    return NULL;
}

int logline_batch_start(unsigned interval_ms)
{
    pthread_condattr_t ca;
    int rc;

    if (atomic_load(&batch.on))
        return RFG_OK;
    batch.buf = malloc(BATCH_CAP);
    batch.spare = malloc(BATCH_CAP);
    if (!batch.buf || !batch.spare || pthread_condattr_init(&ca) != 0)
        goto fail;
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (!rc)
        rc = pthread_cond_init(&batch.cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc)
        goto fail;
    batch.len = 0;
    batch.last_ms = NEVER;
    batch.stop = false;
    batch.interval_ms = interval_ms ? interval_ms : 1;
    if (pthread_create(&batch.flusher, NULL, batch_main, NULL) != 0) {
        pthread_cond_destroy(&batch.cv);
        goto fail;
    }
    atomic_store(&batch.on, true);
    return RFG_OK;
fail:
    free(batch.buf);
    free(batch.spare);
    batch.buf = batch.spare = NULL;
    return RFG_ENOMEM;
}

void logline_batch_stop(void)
{
    if (!atomic_load(&batch.on))
        return;
    pthread_mutex_lock(&batch.mu);
    batch.stop = true;
    pthread_mutex_unlock(&batch.mu);
    pthread_cond_signal(&batch.cv);
    pthread_join(batch.flusher, NULL);
    logline_flush();
    atomic_store(&batch.on, false);
    pthread_cond_destroy(&batch.cv);
    free(batch.buf);
    free(batch.spare);
    batch.buf = batch.spare = NULL;
}

void logline_flush(void)
{
    if (!atomic_load(&batch.on))
        return;
    pthread_mutex_lock(&batch.out);
    batch_drain();
    pthread_mutex_unlock(&batch.out);
}

void logline_may_wait(bool yes)
{
    may_wait = yes;
}

/* Write one finished line to `f` (NULL = stderr: kept for the flusher
 * when the line may `wait` and the log is busy, else written now, after
 * the lines kept before it). */
static void emit(const char *p, size_t n, FILE *f, bool wait)
{
    if (f) {
        (void)fwrite(p, 1, n, f);
        return;
    }
    if (!atomic_load(&batch.on)) {
        out_write(p, n);
        return;
    }
    if (wait && batch_keep(p, n))
        return;
    pthread_mutex_lock(&batch.out);
    batch_drain();
    out_write(p, n);
    pthread_mutex_unlock(&batch.out);
}

/* ---- a line buffer on the stack ---- */

struct line {
    char *p;            /* `stack` or owned heap memory */
    size_t len, cap, max;
    bool failed;        /* sticky: the line outgrew `max` (or memory) */
    char stack[LINE_STACK];
};

static void line_init(struct line *l, size_t max)
{
    l->p = l->stack;
    l->len = 0;
    l->cap = sizeof(l->stack);
    l->max = max;
    l->failed = false;
}

static void line_cleanup(struct line *l)
{
    if (l->p != l->stack)
        free(l->p);
    l->p = l->stack;
}

/* Make room for `n` more bytes when the buffer has less; false (sticky)
 * when the line would pass its maximum or memory runs out. Out of line:
 * a line nearly always fits the stack. */
static __attribute__((noinline)) bool line_grow(struct line *l, size_t n)
{
    size_t ncap;
    char *np;

    if (l->failed)
        return false;
    if (n <= l->cap - l->len)
        return true;
    if (n > l->max || l->len > l->max - n) {
        l->failed = true;
        return false;
    }
    ncap = l->cap;
    while (ncap - l->len < n)
        ncap *= 2;
    np = l->p == l->stack ? malloc(ncap) : realloc(l->p, ncap);
    if (!np) {
        l->failed = true;
        return false;
    }
    if (l->p == l->stack)
        memcpy(np, l->stack, l->len);
    l->p = np;
    l->cap = ncap;
    return true;
}

/* Inline, so that the many short constant parts of a line are copied
 * without a call. */
static inline void line_add(struct line *l, const char *s, size_t n)
{
    if ((l->failed || n > l->cap - l->len) && !line_grow(l, n))
        return;
    memcpy(l->p + l->len, s, n);
    l->len += n;
}

static inline void line_adds(struct line *l, const char *s)
{
    line_add(l, s, strlen(s));
}

static void line_u64(struct line *l, unsigned long long v)
{
    char d[24];
    size_t i = sizeof(d);

    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    line_add(l, d + i, sizeof(d) - i);
}

/* Where the run of bytes that need no escape from p[i] may end: past
 * every whole 16 bytes of printable ASCII but '"' and '\\' (SSE2), else
 * i. The caller's byte loop goes on from there (bytes >= 0x80 too). */
static inline size_t skip_plain16(const unsigned char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    /* a signed compare with 0x20 catches bytes < 0x20 and >= 0x80 */
    const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);

    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));

        if (_mm_movemask_epi8(_mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote),
                             _mm_cmpeq_epi8(v, bsl)),
                _mm_cmplt_epi8(v, space))))
            break;
        i += 16;
    }
#else
    (void)p;
    (void)n;
#endif
    return i;
}

/* Append the first `n` bytes of `s` as the inside of a JSON string, as
 * sbuf_add_json_str escapes it. */
static void line_json_chars(struct line *l, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run;
    char esc[6];

    while (i < n) {
        for (run = skip_plain16(p, i, n); run < n && p[run] >= 0x20 &&
                                          p[run] != '"' && p[run] != '\\';
             run++)
            ;
        line_add(l, s + i, run - i);
        if (run == n)
            break;
        switch (p[run]) {
        case '"':
            line_add(l, "\\\"", 2);
            break;
        case '\\':
            line_add(l, "\\\\", 2);
            break;
        case '\n':
            line_add(l, "\\n", 2);
            break;
        case '\r':
            line_add(l, "\\r", 2);
            break;
        case '\t':
            line_add(l, "\\t", 2);
            break;
        default:
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[p[run] >> 4];
            esc[5] = hex[p[run] & 15];
            line_add(l, esc, 6);
            break;
        }
        i = run + 1;
    }
}

/* Append `s` as a JSON string literal, quotes included. */
static void line_json(struct line *l, const char *s)
{
    line_add(l, "\"", 1);
    line_json_chars(l, s, strlen(s));
    line_add(l, "\"", 1);
}

/* ,"key":"value" */
static void line_field(struct line *l, const char *key, const char *val)
{
    line_add(l, ",\"", 2);
    line_adds(l, key);
    line_add(l, "\":", 2);
    line_json(l, val);
}

/* The current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" in `out` (25
 * bytes). Each thread keeps the second it formatted last. */
static void now_utc(char out[25])
{
    static _Thread_local time_t last = (time_t)-1;
    static _Thread_local char sec[20];
    struct timespec ts;
    struct tm tm;
    long ms;

    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != last) {
        char tmp[40];

        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(tmp, "0000-00-00T00:00:00", 20);   /* year > 9999 */
        memcpy(sec, tmp, 19);
        last = ts.tv_sec;
    }
    ms = ts.tv_nsec / 1000000L;
    memcpy(out, sec, 19);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
    out[24] = '\0';
}

/* {"ts":..,"level":..,"msg":.. */
static void line_begin(struct line *l, const char *level, const char *msg)
{
    char when[25];

    now_utc(when);
    line_add(l, "{\"ts\":\"", 7);
    line_add(l, when, 24);
    line_add(l, "\",\"level\":\"", 11);
    line_adds(l, level);
    line_add(l, "\",\"msg\":", 8);
    line_json(l, msg);
}

/* Close the line, write it unless it failed, and clean up. */
static void line_end(struct line *l, FILE *f, bool wait)
{
    line_add(l, "}\n", 2);
    if (!l->failed)
        emit(l->p, l->len, f, wait);
    line_cleanup(l);
}

/* ---- the sbuf interface (rare lines: cmd_serve's "listening") ---- */

int logline_begin(struct sbuf *b, const char *level, const char *msg)
{
    char when[25];
    int rc;

    now_utc(when);
    rc = sbuf_printf(b, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":", when,
                     level);
    return rc ? rc : sbuf_add_json_str(b, msg);
}

void logline_end(struct sbuf *b, FILE *f)
{
    if (!sbuf_adds(b, "}\n"))
        emit(b->p, b->len, f, false);
    sbuf_cleanup(b);
}

/* ---- the lines ---- */

void logline_msg(const char *level, const char *msg, const char *key,
                 const char *val)
{
    struct line l;

    line_init(&l, MSG_LINE_MAX);
    line_begin(&l, level, msg);
    if (key)
        line_field(&l, key, val ? val : "");
    line_end(&l, NULL, false);
}

void logline_diags(const char *msg, const struct diag_list *dl)
{
    char buf[300];

    if (dl->len == 0) {
        logline_msg("error", msg, NULL, NULL);
        return;
    }
    diag_format(&dl->v[0], buf, sizeof(buf));
    logline_msg("error", msg, "reason", buf);
}

/* The audit of annotation skips: ,"user":..,"skipped":[ids],
 * "skipReason":.. (at most 80 characters, then an ellipsis), each only
 * when there is one. */
static void log_skips(struct line *l, const struct review_req *req,
                      const struct rules_result *res)
{
    const char *reason = NULL;
    size_t i, n, chars = 0;

    if (req && req->user.name)
        line_field(l, "user", req->user.name);
    for (i = 0; res && i < res->nskipped; i++) {
        if (!res->skipped[i].rule) /* a namespace exemption */
            continue;
        line_adds(l, reason ? "," : ",\"skipped\":[");
        line_json(l, res->skipped[i].rule->id);
        reason = res->skipped[i].reason;
    }
    if (!reason)
        return;
    line_add(l, "],\"skipReason\":\"", 16);
    n = strlen(reason);
    for (i = 0; i < n; i++) {
        if (((unsigned char)reason[i] & 0xC0) == 0x80)
            continue;           /* a continuation byte */
        if (chars++ == 80)
            break;
    }
    line_json_chars(l, reason, i);
    if (i < n)
        line_add(l, ELLIPSIS, 3);
    line_add(l, "\"", 1);
}

/* ,"uid":..,"kind":..,"namespace":..,"name":..,"operation":..,"dryRun":.. */
static void log_request(struct line *l, const struct review_req *req)
{
    line_field(l, "uid", req->uid);
    line_field(l, "kind", req->kind);
    line_field(l, "namespace", req->ns);
    line_field(l, "name", req->name);
    line_field(l, "operation", req->operation);
    line_adds(l, req->dry_run ? ",\"dryRun\":true" : ",\"dryRun\":false");
}

void logline_admission(FILE *f, enum metrics_endpoint ep,
                       const struct review_req *req,
                       const struct rules_result *res, const char *verdict,
                       const char *reason, uint64_t us)
{
    struct line l;
    size_t i;

    line_init(&l, ADMISSION_LINE_MAX);
    line_begin(&l, reason ? "warn" : "info", "admission");
    line_adds(&l, ep == METRICS_MUTATE ? ",\"endpoint\":\"mutate\""
                                       : ",\"endpoint\":\"validate\"");
    if (req)
        log_request(&l, req);
    line_add(&l, ",\"verdict\":\"", 12);
    line_adds(&l, verdict);
    line_add(&l, "\",\"rules\":[", 11);
    for (i = 0; res && i < res->len; i++) {
        if (i)
            line_add(&l, ",", 1);
        line_json(&l, res->v[i].rule ? res->v[i].rule->id : "?");
    }
    if (reason) {
        line_add(&l, "],\"reason\":", 11);
        line_json(&l, reason);
    } else {
        line_add(&l, "]", 1);
    }
    log_skips(&l, req, res);
    line_add(&l, ",\"us\":", 6);
    line_u64(&l, (unsigned long long)us);
    line_end(&l, f, may_wait);
}
