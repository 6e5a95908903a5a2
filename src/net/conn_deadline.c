/* SPDX-License-Identifier: Apache-2.0
 *
 * conn_deadline.c - the watchdog that shuts down connections whose
 * request outlives the deadline (see conn_deadline.h).
 *
 * Threads: tracking, marking and untracking run on the server's threads,
 * the watchdog on its own; all share one mutex. The watchdog wakes once a
 * second, or at once to stop.
 *
 * Not here: libmicrohttpd, HTTP, TLS (http_server.c).
 */
#include "conn_deadline.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

/* One open connection. */
struct conn_track {
    int fd;
    struct timespec mark;       /* connection start, headers complete or
                                   last request done: the deadline runs
                                   from here */
    bool shut;                  /* shutdown() already sent */
    struct conn_track *prev, *next;
};

struct conn_deadline {
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* wakes the watchdog to stop */
    struct conn_track *conns;   /* owned list */
    bool stop;
    pthread_t thr;
    unsigned deadline_s;
};

/* Once a second, shut down every connection whose headers (or body, or
 * response) have taken longer than the deadline. */
static void *watchdog_main(void *arg)
{
    struct conn_deadline *cd = arg;
    struct conn_track *t;
    struct timespec now, wake;

    pthread_mutex_lock(&cd->mu);
    while (!cd->stop) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (t = cd->conns; t; t = t->next)
            if (!t->shut && now.tv_sec - t->mark.tv_sec >
                                (time_t)cd->deadline_s) {
                shutdown(t->fd, SHUT_RDWR);
                t->shut = true;
            }
        wake = now;
        wake.tv_sec += 1;
        pthread_cond_timedwait(&cd->cv, &cd->mu, &wake);
    }
    pthread_mutex_unlock(&cd->mu);
    return NULL;
}

int conn_deadline_start(struct conn_deadline **out, unsigned deadline_s,
                        struct diag_list *dl)
{
    struct conn_deadline *cd;
    pthread_condattr_t ca;

    *out = NULL;
    cd = calloc(1, sizeof(*cd));
    if (!cd)
        return diag_fail(dl, RFG_ENOMEM, NULL, "out of memory");
    cd->deadline_s = deadline_s;
    pthread_mutex_init(&cd->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cd->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&cd->thr, NULL, watchdog_main, cd) != 0) {
        pthread_cond_destroy(&cd->cv);
        pthread_mutex_destroy(&cd->mu);
        free(cd);
        return diag_fail(dl, RFG_EIO, NULL, "cannot start a thread");
    }
    *out = cd;
    return RFG_OK;
}

void conn_deadline_free(struct conn_deadline *cd)
{
    struct conn_track *t;

    if (!cd)
        return;
    pthread_mutex_lock(&cd->mu);
    cd->stop = true;
    pthread_cond_signal(&cd->cv);
    pthread_mutex_unlock(&cd->mu);
    pthread_join(cd->thr, NULL);
    while ((t = cd->conns)) {
        cd->conns = t->next;
        free(t);
    }
    pthread_cond_destroy(&cd->cv);
    pthread_mutex_destroy(&cd->mu);
    free(cd);
}

struct conn_track *conn_deadline_track(struct conn_deadline *cd, int fd)
{
    struct conn_track *t;

    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->fd = fd;
    clock_gettime(CLOCK_MONOTONIC, &t->mark);
    pthread_mutex_lock(&cd->mu);
    t->next = cd->conns;
    if (cd->conns)
        cd->conns->prev = t;
    cd->conns = t;
    pthread_mutex_unlock(&cd->mu);
    return t;
}

void conn_deadline_untrack(struct conn_deadline *cd, struct conn_track *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&cd->mu);
    if (t->prev)
        t->prev->next = t->next;
    else
        cd->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&cd->mu);
    free(t);
}

void conn_deadline_mark(struct conn_deadline *cd, struct conn_track *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&cd->mu);
    clock_gettime(CLOCK_MONOTONIC, &t->mark);
    pthread_mutex_unlock(&cd->mu);
}
