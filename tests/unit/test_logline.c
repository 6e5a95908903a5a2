/* SPDX-License-Identifier: Apache-2.0
 *
 * test_logline.c - the webhook's log lines on stderr: written at once by
 * default; with logline_batch_start, the lines of a thread that said they
 * may wait go out at once on a quiet log and are otherwise kept until the
 * next line that may not wait, a flush, the flusher's interval, a full
 * buffer or logline_batch_stop, and come out whole and in order. stderr goes to a temporary file here; nothing is
 * timed (the flusher's interval is either an hour, so that it never
 * writes during a check, or awaited with a ceiling only a hang reaches).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "logline.h"

#define HOUR_MS 3600000u

static char path[] = "/tmp/rfg-logline-XXXXXX";

/* The log so far (static; NUL-terminated). */
static const char *log_text(void)
{
    static char *buf;
    FILE *f = fopen(path, "rb");
    long n;

    free(buf);
    buf = NULL;
    if (!f)
        return "";
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = calloc(1, (size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
        buf[0] = '\0';
    fclose(f);
    return buf ? buf : "";
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* An admission line tagged by its verdict and numbered by its time. */
static void adm(const char *tag, unsigned long long n)
{
    logline_admission(NULL, METRICS_VALIDATE, NULL, NULL, tag, NULL, n);
}

static void truncate_log(void)
{
    CHECK(ftruncate(STDERR_FILENO, 0) == 0);
}

static void test_default_writes_at_once(void)
{
    truncate_log();
    logline_may_wait(true);     /* no effect without batching */
    adm("one", 1);
    logline_may_wait(false);
    CHECK_CONTAINS(log_text(), "\"verdict\":\"one\"");
    CHECK_INT_EQ((long long)count_lines(log_text()), 1);
}

/* On a quiet log the first line goes out at once; the next ones, within
 * the interval, wait for a line that may not wait, or a flush. Only
 * admission lines wait. */
static void test_kept_until_a_line_that_may_not_wait(void)
{
    CHECK_INT_EQ(logline_batch_start(HOUR_MS), 0);
    truncate_log();
    logline_may_wait(true);
    adm("a", 1);
    CHECK_INT_EQ((long long)count_lines(log_text()), 1);
    adm("b", 2);
    adm("c", 3);
    CHECK_INT_EQ((long long)count_lines(log_text()), 1);
    logline_msg("warn", "d", NULL, NULL);   /* never waits */
    {
        const char *t = log_text(), *a, *b, *c, *d;

        CHECK_INT_EQ((long long)count_lines(t), 4);
        a = strstr(t, "\"verdict\":\"a\"");
        b = strstr(t, "\"verdict\":\"b\"");
        c = strstr(t, "\"verdict\":\"c\"");
        d = strstr(t, "\"msg\":\"d\"");
        CHECK(a && b && c && d && a < b && b < c && c < d);
    }
    /* still within the interval of "a": a flush writes what waits */
    adm("e", 5);
    CHECK_INT_EQ((long long)count_lines(log_text()), 4);
    logline_flush();
    CHECK_INT_EQ((long long)count_lines(log_text()), 5);
    /* a thread that did not say so writes at once */
    logline_may_wait(false);
    adm("f", 6);
    CHECK_INT_EQ((long long)count_lines(log_text()), 6);
    logline_batch_stop();
}

/* Lines that outgrow the buffer: written whole, in order, none lost. */
static void test_full_buffer_and_stop(void)
{
    char tag[401];
    char key[16];
    const char *t, *p;
    int i, n = 1000;

    memset(tag, 'x', sizeof(tag) - 1);
    tag[sizeof(tag) - 1] = '\0';
    CHECK_INT_EQ(logline_batch_start(HOUR_MS), 0);
    truncate_log();
    logline_may_wait(true);
    for (i = 0; i < n; i++)
        adm(tag, (unsigned long long)i);
    /* 1000 lines of about 500 bytes: more than the buffer holds */
    t = log_text();
    CHECK(count_lines(t) > 1);
    CHECK(count_lines(t) < (size_t)n);
    logline_batch_stop();       /* writes the rest */
    logline_may_wait(false);
    t = log_text();
    CHECK_INT_EQ((long long)count_lines(t), n);
    for (i = 0, p = t; i < n && p; i++) {
        const char *nl = strchr(p, '\n');

        snprintf(key, sizeof(key), "\"us\":%d}", i);
        CHECK(nl && strncmp(p, "{\"ts\":", 6) == 0);
        CHECK(nl && strstr(p, key) != NULL && strstr(p, key) < nl);
        p = nl ? nl + 1 : NULL;
    }
}

/* The flusher writes a waiting line by itself. */
static void test_flusher_writes(void)
{
    int i;

    CHECK_INT_EQ(logline_batch_start(10), 0);
    truncate_log();
    logline_may_wait(true);
    adm("first", 1);                /* at once: the log was quiet */
    adm("later", 2);
    logline_may_wait(false);
    /* a ceiling that only a flusher that never writes reaches */
    for (i = 0; i < 6000 && !strstr(log_text(), "\"later\""); i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
    CHECK_CONTAINS(log_text(), "\"verdict\":\"later\"");
    logline_batch_stop();
}

#define THREADS 4
#define PER_THREAD 3000

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg, i;
    char tag[8];

    snprintf(tag, sizeof(tag), "t%d", id);
    for (i = 0; i < PER_THREAD; i++) {
        logline_may_wait(i % 7 != 0);
        adm(tag, (unsigned long long)i);
    }
    logline_may_wait(false);
    return NULL;
}

/* Threads that log at once: every line whole, each thread's in order. */
static void test_threads(void)
{
    pthread_t th[THREADS];
    int last[THREADS], i;
    const char *t, *p;

    CHECK_INT_EQ(logline_batch_start(1), 0);
    truncate_log();
    for (i = 0; i < THREADS; i++)
        CHECK(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i) ==
              0);
    for (i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
    logline_batch_stop();
    t = log_text();
    CHECK_INT_EQ((long long)count_lines(t), THREADS * PER_THREAD);
    for (i = 0; i < THREADS; i++)
        last[i] = -1;
    for (p = t; *p;) {
        const char *nl = strchr(p, '\n');
        int id = -1, seq = -1;
        const char *k = strstr(p, "\"verdict\":\"t");

        CHECK(nl && k && k < nl);
        if (!nl || !k)
            break;
        CHECK(sscanf(k, "\"verdict\":\"t%d\",\"rules\":[],\"us\":%d}",
                     &id, &seq) == 2);
        CHECK(id >= 0 && id < THREADS);
        if (id >= 0 && id < THREADS) {
            CHECK_INT_EQ(seq, last[id] + 1);
            last[id] = seq;
        }
        p = nl + 1;
    }
    for (i = 0; i < THREADS; i++)
        CHECK_INT_EQ(last[i], PER_THREAD - 1);
}

int main(void)
{
    int fd = mkstemp(path), saved_fd;

    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    saved_fd = dup(STDERR_FILENO);
    /* appended, as `2>>file`: a truncated log starts again at 0 */
    if (fcntl(fd, F_SETFL, O_APPEND) != 0 || saved_fd < 0 || dup2(fd, STDERR_FILENO) < 0) {
        perror("dup2");
        return 1;
    }
    close(fd);
    /* the checks' own messages go to the real stderr */
    stderr = fdopen(saved_fd, "w");
    if (!stderr)
        return 1;
    setvbuf(stderr, NULL, _IONBF, 0);
    RUN(test_default_writes_at_once);
    RUN(test_kept_until_a_line_that_may_not_wait);
    RUN(test_full_buffer_and_stop);
    RUN(test_flusher_writes);
    RUN(test_threads);
    unlink(path);
    return CHECK_DONE();
}
