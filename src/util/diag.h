/* SPDX-License-Identifier: Apache-2.0
 *
 * diag.h - error codes, source positions and the diagnostic list every
 * fallible call appends to. A diagnostic is a failure (bad input, I/O,
 * limits), never a rule finding: findings live in rules.h.
 */
#ifndef RFG_DIAG_H
#define RFG_DIAG_H

#include <stddef.h>

#define RFG_MUST_CHECK __attribute__((warn_unused_result))
#define RFG_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum rfg_err {
    RFG_OK = 0,
    RFG_ENOMEM = -1,
    RFG_EIO = -2,
    RFG_EPARSE = -3,
    RFG_ELIMIT = -4,
    RFG_EINVAL = -5,
    RFG_ENOTFOUND = -6,
    RFG_EUPSTREAM = -7
};

enum diag_sev { DIAG_INFO, DIAG_WARN, DIAG_ERROR };

/* 1-based; 0 means unknown (the node did not come from YAML). */
struct src_pos {
    unsigned line, col;
};

struct diag {
    enum diag_sev sev;
    int code;              /* enum rfg_err */
    const char *file;      /* borrowed; NULL when not from a file */
    struct src_pos pos;
    char msg[240];         /* truncated, never allocated */
};

struct diag_list {
    struct diag *v;        /* owned */
    size_t len, cap;
    size_t nerr;           /* failures recorded, including dropped ones */
    size_t dropped;        /* not stored: out of memory or over max */
    size_t max;            /* 0 = 256 */
    const char *file;      /* borrowed; stamped on each new diag */
};

void diag_list_init(struct diag_list *dl, const char *file);
void diag_list_cleanup(struct diag_list *dl);

/* Record a failure and return `code`, so callers can write
 * `return diag_fail(dl, RFG_EPARSE, &pos, "...")`. Never fails itself. */
int diag_fail(struct diag_list *dl, int code, const struct src_pos *pos,
              const char *fmt, ...) RFG_PRINTF(4, 5);

/* "file:line:col: msg" (parts that are unknown are left out) into buf. */
void diag_format(const struct diag *d, char *buf, size_t len);

const char *rfg_strerror(int code);

#endif
