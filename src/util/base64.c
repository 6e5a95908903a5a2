/* SPDX-License-Identifier: Apache-2.0
 *
 * base64.c - standard base64 (RFC 4648 section 4): the encoder that
 * writes admission patches and kubeconfig data, the decoder that reads
 * Secret data, kubeconfig certificates and !!binary scalars. The decoder
 * is exactly as strict as Go's base64.StdEncoding, which the API server
 * and client-go use for []byte fields: padding required, "\r" and "\n"
 * skipped, anything else outside the standard alphabet refused. Not the
 * URL alphabet.
 */
#include "base64.h"

#include <stdlib.h>
#include <string.h>

int base64_encode(struct sbuf *b, const void *data, size_t len)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    char out[256];  /* encoded a chunk at a time: one sbuf_add each */
    size_t i, o = 0;
    int rc = RFG_OK;

    for (i = 0; !rc && i + 3 <= len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
                     p[i + 2];
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = tab[v >> 6 & 63];
        out[o++] = tab[v & 63];
        if (o == sizeof(out)) {
            rc = sbuf_add(b, out, o);
            o = 0;
        }
    }
    if (!rc && i < len) {
        unsigned v = (unsigned)p[i] << 16;

        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        out[o++] = tab[v >> 18 & 63];
        out[o++] = tab[v >> 12 & 63];
        out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
        out[o++] = '=';
    }
    if (!rc && o)
        rc = sbuf_add(b, out, o);
    return rc;
}

/* The 6-bit value of one base64 character, or -1. */
static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Why `s` is not base64 as Go's base64.StdEncoding reads it, or NULL
 * when it is. "\r" and "\n" are skipped, as Go skips them. */
const char *base64_problem(const char *s)
{
    size_t i, n = 0, pad = 0;

    for (i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            pad++;
            n++;
            continue;
        }
        if (pad)
            return "has '=' before its end";
        if (b64val(c) < 0) {
            if (c == '-' || c == '_')
                return "uses the URL-safe alphabet ('-' or '_'), not the "
                       "standard one";
            if (c == ' ' || c == '\t')
                return "contains a space or tab";
            return "contains a character outside the base64 alphabet";
        }
        n++;
    }
    if (n % 4 || pad > 2 || (pad && n < 4))
        return n % 4 && !pad ? "is not padded with '=' to a multiple of 4 "
                               "characters"
                             : "has the wrong length or padding";
    return NULL;
}

unsigned char *base64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s), i, o = 0;
    unsigned char *out;
    unsigned acc = 0;
    int bits = 0;

    if (base64_problem(s))
        return NULL;
    out = malloc(n / 4 * 3 + 3);
    if (!out)
        return NULL;
    for (i = 0; i < n && s[i] != '='; i++) {
        int v = b64val((unsigned char)s[i]);

        if (v < 0)
            continue; /* "\r" or "\n": base64_problem allowed only these */
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    *len = o;
    return out;
}
