/* SPDX-License-Identifier: Apache-2.0
 *
 * diag.c - the diagnostic list. It never allocates more than `max` entries
 * and never fails: on OOM it only counts what it dropped.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void diag_list_init(struct diag_list *dl, const char *file)
{
    memset(dl, 0, sizeof(*dl));
    dl->file = file;
}

void diag_list_cleanup(struct diag_list *dl)
{
    if (!dl)
        return;
    free(dl->v);
    dl->v = NULL;
    dl->len = dl->cap = 0;
}

int diag_fail(struct diag_list *dl, int code, const struct src_pos *pos,
              const char *fmt, ...)
{
    struct diag *d;
    va_list ap;
    size_t max;
    int n;

    if (!dl)
        return code;
    dl->nerr++;
    max = dl->max ? dl->max : 256;
    if (dl->len == dl->cap) {
        size_t ncap = dl->cap ? dl->cap * 2 : 4;
        struct diag *nv;

        if (dl->len >= max) {
            dl->dropped++;
            return code;
        }
        nv = realloc(dl->v, ncap * sizeof(*nv));
        if (!nv) {
            dl->dropped++;
            return code;
        }
        dl->v = nv;
        dl->cap = ncap;
    }
    d = &dl->v[dl->len++];
    memset(d, 0, sizeof(*d));
    d->sev = DIAG_ERROR;
    d->code = code;
    d->file = dl->file;
    if (pos)
        d->pos = *pos;
    va_start(ap, fmt);
    n = vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(d->msg)) {
        /* Cut on a character boundary, and show that it was cut: the
         * message goes into JSON, which must stay UTF-8. */
        size_t k = rfg_utf8_trim(d->msg, sizeof(d->msg) - 4);

        memcpy(d->msg + k, "\xE2\x80\xA6", 4);    /* U+2026 and NUL */
    }
    return code;
}

void diag_format(const struct diag *d, char *buf, size_t len)
{
    const char *file = d->file ? d->file : "<input>";

    if (d->pos.line && d->pos.col)
        snprintf(buf, len, "%s:%u:%u: %s", file, d->pos.line, d->pos.col,
                 d->msg);
    else if (d->pos.line)
        snprintf(buf, len, "%s:%u: %s", file, d->pos.line, d->msg);
    else
        snprintf(buf, len, "%s: %s", file, d->msg);
}

const char *rfg_strerror(int code)
{
    switch (code) {
    case RFG_OK:
        return "ok";
    case RFG_ENOMEM:
        return "out of memory";
    case RFG_EIO:
        return "I/O error";
    case RFG_EPARSE:
        return "parse error";
    case RFG_ELIMIT:
        return "limit exceeded";
    case RFG_EINVAL:
        return "invalid input";
    case RFG_ENOTFOUND:
        return "not found";
    case RFG_EUPSTREAM:
        return "upstream error";
    default:
        return "unknown error";
    }
}
