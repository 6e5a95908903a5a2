/* SPDX-License-Identifier: Apache-2.0
 *
 * conn_deadline.h - the request deadline of the HTTP server (slowloris
 * defence). libmicrohttpd's timeout is an idle timeout, which a client
 * trickling one header byte per second never trips. Every open
 * connection is listed here with the time its current request started,
 * and a watchdog thread shuts down the socket of any whose request took
 * longer than the deadline; the server then sees the socket end and
 * closes the connection itself. Knows sockets, not HTTP.
 */
#ifndef RFG_CONN_DEADLINE_H
#define RFG_CONN_DEADLINE_H

#include "diag.h"

struct conn_deadline;
struct conn_track;

/* Start the watchdog thread for a deadline of `deadline_s` seconds. */
int conn_deadline_start(struct conn_deadline **out, unsigned deadline_s,
                        struct diag_list *dl) RFG_MUST_CHECK;
/* Stop the thread and free the list (NULL is a no-op). Every tracked
 * connection must be closed already or never be marked again. */
void conn_deadline_free(struct conn_deadline *cd);

/* Start tracking connection socket `fd`, its deadline running from now.
 * Returns NULL when out of memory (then only the idle timeout applies).
 * Thread-safe. */
struct conn_track *conn_deadline_track(struct conn_deadline *cd, int fd);
/* Forget a connection (NULL is a no-op). Call it before the socket is
 * closed, so the watchdog never shuts down a reused descriptor. */
void conn_deadline_untrack(struct conn_deadline *cd, struct conn_track *t);
/* Restart the deadline of `t` (NULL is a no-op): headers complete, or a
 * request done. */
void conn_deadline_mark(struct conn_deadline *cd, struct conn_track *t);

#endif
