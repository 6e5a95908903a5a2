/* SPDX-License-Identifier: Apache-2.0
 *
 * base64.h - standard base64 (RFC 4648), one implementation for every
 * layer.
 */
#ifndef RFG_BASE64_H
#define RFG_BASE64_H

#include <stddef.h>

#include "sbuf.h"

/* Append the padded base64 of `data` to `b`, on one line. */
int base64_encode(struct sbuf *b, const void *data, size_t len)
    RFG_MUST_CHECK;

/* Decode `s` as Go's base64.StdEncoding does (the API server's reading
 * of Secret data and other []byte fields): standard alphabet, padded to
 * a multiple of 4 with '=', "\r" and "\n" skipped wherever they are;
 * unused low bits of the last character are not checked (Go does not
 * either). Returns an owned buffer with its length in *len, or NULL for
 * invalid input (base64_problem says why) or out of memory. */
unsigned char *base64_decode(const char *s, size_t *len);

/* NULL when base64_decode accepts `s`, else a static phrase saying what
 * is wrong, to follow "the value ...": "is not padded with '=' to a
 * multiple of 4 characters", "uses the URL-safe alphabet ...". */
const char *base64_problem(const char *s);

#endif
