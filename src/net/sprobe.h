/* SPDX-License-Identifier: Apache-2.0
 *
 * sprobe.h - ask Redis Sentinels, read-only, what they know about one
 * master: SENTINEL MASTER, SENTINEL REPLICAS (SENTINEL SLAVES on older
 * servers), SENTINEL SENTINELS and SENTINEL MASTERS, with AUTH first when
 * a password is given. Many sentinels are asked in parallel by a bounded
 * number of threads, each with a connect-and-reply timeout, the whole run
 * with one deadline. Speaks the Redis protocol through hiredis; knows
 * addresses and master names, not Kubernetes. Never sends a command that
 * writes, and never puts a password in an error message.
 */
#ifndef RFG_SPROBE_H
#define RFG_SPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/* One sentinel to ask. Everything borrowed for the length of the run. */
struct sprobe_req {
    const char *host;      /* an IP address (or a host name) */
    int port;              /* its sentinel port */
    const char *master;    /* the master name to ask about */
    const char *password;  /* AUTH with this first; NULL = no AUTH */
};

/* One instance as a sentinel describes it. */
struct sprobe_addr {
    char *ip;              /* owned; "" when the answer had none */
    int port;              /* 0 when the answer had none */
    char *name;            /* owned; may be NULL. SENTINEL MASTERS: the
                              master name; replicas: "ip:port";
                              sentinels: the run id */
    char *flags;           /* owned; may be NULL ("slave,s_down", ...) */
};

/* What one sentinel answered. The has_* flags say which questions got an
 * answer; a question that got none leaves its fields empty. */
struct sprobe_ans {
    /* owned; NULL when every question was answered. Otherwise why not, in
     * one line: "connect: Connection refused", "SENTINEL MASTER: timed
     * out, no reply within 2000 ms", "AUTH: WRONGPASS ...", "SENTINEL
     * MASTER mymaster: ERR No such master with that name", "deadline
     * passed" (never started: the run's deadline had passed). Never holds
     * the password. Control characters of a reply are shown as '?'. */
    char *error;
    bool has_master;       /* SENTINEL MASTER <name> */
    struct sprobe_addr master;
    bool has_replicas;     /* SENTINEL REPLICAS <name> */
    struct sprobe_addr *replicas;  /* owned */
    size_t nreplicas;
    bool has_sentinels;    /* SENTINEL SENTINELS <name> */
    struct sprobe_addr *sentinels; /* owned */
    size_t nsentinels;
    bool has_masters;      /* SENTINEL MASTERS: every master it monitors,
                              name in .name */
    struct sprobe_addr *masters;   /* owned */
    size_t nmasters;
};

/* Called after each answer with how many are done of how many, from the
 * thread that finished it, one call at a time. */
typedef void (*sprobe_progress_fn)(void *ctx, size_t done, size_t total);

struct sprobe_opts {
    unsigned timeout_ms;   /* per sentinel: the connect, and each reply;
                              0 = 2000 */
    unsigned deadline_ms;  /* the whole run, from sprobe_run's start; a
                              sentinel not started by then is not asked
                              ("deadline passed"), and one being asked
                              gets at most what is left; 0 = 30000 */
    unsigned parallel;     /* threads at most; 0 = 8 */
    sprobe_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
};

/* Ask the n sentinels of reqs; out[i] (n entries, zeroed or not: they are
 * overwritten) is what reqs[i] answered. A sentinel that cannot be asked
 * is an answer with an error, not a failure of the run. Returns RFG_OK,
 * or RFG_ENOMEM / RFG_EIO (no thread could be started) with every out[i]
 * still safe to clean up. */
int sprobe_run(struct sprobe_ans *out, const struct sprobe_req *reqs,
               size_t n, const struct sprobe_opts *o) RFG_MUST_CHECK;

/* Free what an answer owns and zero it (safe on a zeroed answer). */
void sprobe_ans_cleanup(struct sprobe_ans *a);

#endif
