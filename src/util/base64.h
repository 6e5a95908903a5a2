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

/* Decode `s` (padding optional, no whitespace). Returns an owned buffer
 * with its length in *len, or NULL for invalid input or out of memory. */
unsigned char *base64_decode(const char *s, size_t *len);

#endif
