/* SPDX-License-Identifier: Apache-2.0
 *
 * sbuf.h - a growable byte buffer with a hard cap (like curl's dynbuf).
 * Always NUL-terminated once anything was appended. Not thread-safe.
 */
#ifndef RFG_SBUF_H
#define RFG_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct sbuf {
    char *p;       /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;    /* hard cap in bytes (0 = 256 MiB) */
    int failed;    /* sticky: an append failed (ENOMEM or ELIMIT) */
    bool sensitive; /* holds secrets: wiped on growth, reset and cleanup */
};

void sbuf_init(struct sbuf *b, size_t max);
/* sbuf_init for a buffer that may hold secrets (API responses carrying
 * Secrets): every copy it drops is wiped first. sbuf_take hands the bytes
 * over; wiping them is then the taker's job. */
void sbuf_init_sensitive(struct sbuf *b, size_t max);
void sbuf_cleanup(struct sbuf *b);
/* Empty the buffer but keep its memory. */
void sbuf_reset(struct sbuf *b);
/* Each returns RFG_OK, RFG_ENOMEM or RFG_ELIMIT; failures are sticky. */
/* Make room for `n` more bytes now, so that adding them allocates no
 * more. A failure is sticky, as for sbuf_add (RFG_ELIMIT past the
 * maximum, RFG_ENOMEM). */
int sbuf_reserve(struct sbuf *b, size_t n);
int sbuf_add(struct sbuf *b, const void *data, size_t len);
int sbuf_adds(struct sbuf *b, const char *s);
int sbuf_addc(struct sbuf *b, char c);
int sbuf_printf(struct sbuf *b, const char *fmt, ...) RFG_PRINTF(2, 3);
int sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
    RFG_PRINTF(2, 0);
/* Append the first `n` bytes of `s`, at most `clip` characters of them
 * (UTF-8 characters; 0 = no limit): longer text is cut on a character
 * boundary and ends in an ellipsis ("\u2026"). */
int sbuf_add_clipped(struct sbuf *b, const char *s, size_t n, size_t clip);
/* The length of the longest prefix of s[0..n) that does not end inside a
 * UTF-8 sequence: where to cut text that was truncated by bytes. */
size_t rfg_utf8_trim(const char *s, size_t n);
/* sbuf_vprintf for messages that quote untrusted text: every %s argument
 * goes through sbuf_add_clipped with `clip`, and a %.Ns precision cuts on
 * a character boundary with the ellipsis too. Other conversions print as
 * printf prints them; %n is refused (RFG_EINVAL). */
int sbuf_vprintf_clip(struct sbuf *b, size_t clip, const char *fmt,
                      va_list ap) RFG_PRINTF(3, 0);
int sbuf_printf_clip(struct sbuf *b, size_t clip, const char *fmt, ...)
    RFG_PRINTF(3, 4);
/* Append `s` as a JSON string literal, quotes included. */
int sbuf_add_json_str(struct sbuf *b, const char *s);
/* Hand the buffer to the caller (free() it); the sbuf is left empty. */
char *sbuf_take(struct sbuf *b, size_t *len);
/* Borrowed view: "" when empty. */
const char *sbuf_str(const struct sbuf *b);

/* Room for one more element in a growable array of `elem`-byte items
 * holding `len` of `*cap`: when full, *cap doubles (starting at `first`)
 * and the array is reallocated. Returns the array to use (maybe moved),
 * or NULL on overflow or out of memory, `p` then still valid. */
void *rfg_grow(void *p, size_t *cap, size_t len, size_t elem, size_t first);

#endif
