/* SPDX-License-Identifier: Apache-2.0
 *
 * sbuf.c - bounded growable buffer. Used by every writer (reports, YAML
 * emission, responses); it knows nothing about what it holds.
 */
#include "sbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SBUF_DEFAULT_MAX ((size_t)256 << 20)

void sbuf_init(struct sbuf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max ? max : SBUF_DEFAULT_MAX;
}

void sbuf_cleanup(struct sbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void sbuf_reset(struct sbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

static int grow(struct sbuf *b, size_t extra)
{
    size_t need, ncap;
    char *np;

    if (b->failed)
        return b->failed;
    if (extra > b->max || b->len + extra > b->max) {
        b->failed = RFG_ELIMIT;
        return RFG_ELIMIT;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return RFG_OK;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    np = realloc(b->p, ncap);
    if (!np) {
        b->failed = RFG_ENOMEM;
        return RFG_ENOMEM;
    }
    b->p = np;
    b->cap = ncap;
    return RFG_OK;
}

int sbuf_add(struct sbuf *b, const void *data, size_t len)
{
    int rc = grow(b, len);

    if (rc)
        return rc;
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return RFG_OK;
}

int sbuf_adds(struct sbuf *b, const char *s)
{
    return sbuf_add(b, s, strlen(s));
}

int sbuf_addc(struct sbuf *b, char c)
{
    return sbuf_add(b, &c, 1);
}

int sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    int rc;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return RFG_EINVAL;
    rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RFG_OK;
}

int sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = sbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int sbuf_add_json_str(struct sbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = sbuf_addc(b, '"');

    for (; !rc && *p; p++) {
        switch (*p) {
        case '"':
            rc = sbuf_add(b, "\\\"", 2);
            break;
        case '\\':
            rc = sbuf_add(b, "\\\\", 2);
            break;
        case '\n':
            rc = sbuf_add(b, "\\n", 2);
            break;
        case '\r':
            rc = sbuf_add(b, "\\r", 2);
            break;
        case '\t':
            rc = sbuf_add(b, "\\t", 2);
            break;
        default:
            if (*p < 0x20)
                rc = sbuf_printf(b, "\\u%04x", *p);
            else
                rc = sbuf_addc(b, (char)*p);
        }
    }
    return rc ? rc : sbuf_addc(b, '"');
}

char *sbuf_take(struct sbuf *b, size_t *len)
{
    char *p = b->p;

    if (!p)
        p = calloc(1, 1);
    if (len)
        *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *sbuf_str(const struct sbuf *b)
{
    return b->p ? b->p : "";
}

void *rfg_grow(void *p, size_t *cap, size_t len, size_t elem, size_t first)
{
    size_t ncap;
    void *np;

    if (len < *cap)
        return p;
    ncap = *cap ? *cap * 2 : first;
    if (ncap < *cap || ncap > SIZE_MAX / elem)
        return NULL;
    np = realloc(p, ncap * elem);
    if (np)
        *cap = ncap;
    return np;
}
