/* SPDX-License-Identifier: Apache-2.0
 *
 * sbuf.c - bounded growable buffer. Used by every writer (reports, YAML
 * emission, responses); it knows nothing about what it holds.
 */
#include "sbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wipe.h"

#define SBUF_DEFAULT_MAX ((size_t)256 << 20)

void sbuf_init(struct sbuf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max ? max : SBUF_DEFAULT_MAX;
}

void sbuf_init_sensitive(struct sbuf *b, size_t max)
{
    sbuf_init(b, max);
    b->sensitive = true;
}

void sbuf_cleanup(struct sbuf *b)
{
    if (b->sensitive)
        rfg_wipe(b->p, b->cap);
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void sbuf_reset(struct sbuf *b)
{
    if (b->sensitive)
        rfg_wipe(b->p, b->len);
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
    if (b->sensitive) {
        /* realloc would leave the old copy behind, unwiped */
        np = malloc(ncap);
        if (np && b->p) {
            memcpy(np, b->p, b->len + 1);
            rfg_wipe(b->p, b->cap);
            free(b->p);
        }
    } else {
        np = realloc(b->p, ncap);
    }
    if (!np) {
        b->failed = RFG_ENOMEM;
        return RFG_ENOMEM;
    }
    b->p = np;
    b->cap = ncap;
    return RFG_OK;
}

int sbuf_reserve(struct sbuf *b, size_t n)
{
    return grow(b, n);
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

#define ELLIPSIS "\xE2\x80\xA6"     /* U+2026 */

size_t rfg_utf8_trim(const char *s, size_t n)
{
    size_t k = n, need;
    unsigned char c;

    while (k > 0 && n - k < 4 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0)
        return n;       /* no lead byte in reach: not UTF-8 we can fix */
    c = (unsigned char)s[k - 1];
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return n - (k - 1) < need ? k - 1 : n;
}

int sbuf_add_clipped(struct sbuf *b, const char *s, size_t n, size_t clip)
{
    size_t i, chars = 0;

    for (i = 0; clip && i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;           /* a continuation byte */
        if (chars++ == clip) {
            int rc = sbuf_add(b, s, i);

            return rc ? rc : sbuf_adds(b, ELLIPSIS);
        }
    }
    return sbuf_add(b, s, n);
}

/* The text of a %s conversion with precision `prec` (-1: none): at most
 * `prec` bytes as printf takes them, but never half a character, and an
 * ellipsis when the precision cut something off; then `clip`, then the
 * field width in characters. */
static int add_str_arg(struct sbuf *b, const char *s, int prec, size_t clip,
                       int width, bool left)
{
    size_t n, start = b->len, chars = 0, pad, i;
    bool cut = false;
    int rc;

    if (!s)
        s = "(null)";
    if (prec < 0) {
        n = strlen(s);
    } else {
        n = strnlen(s, (size_t)prec);
        if (s[n] != '\0') {
            cut = true;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
        }
    }
    rc = sbuf_add_clipped(b, s, n, clip);
    if (!rc && cut &&
        (b->len - start < 3 || memcmp(b->p + b->len - 3, ELLIPSIS, 3) != 0))
        rc = sbuf_adds(b, ELLIPSIS);
    if (rc || width <= 0)
        return rc;
    for (i = start; i < b->len; i++)
        chars += ((unsigned char)b->p[i] & 0xC0) != 0x80;
    if (chars >= (size_t)width)
        return RFG_OK;
    pad = (size_t)width - chars;
    for (i = 0; !rc && i < pad; i++)
        rc = sbuf_addc(b, ' ');
    if (!rc && !left) {         /* move the text behind the padding */
        memmove(b->p + start + pad, b->p + start, b->len - start - pad);
        memset(b->p + start, ' ', pad);
    }
    return rc;
}

/* Read a decimal field width or precision; '*' takes it from `ap`.
 * Values are capped at 4096 so a format cannot ask for a huge pad. */
static int spec_number(const char **pp, va_list *ap)
{
    const char *p = *pp;
    long v = 0;

    if (*p == '*') {
        *pp = p + 1;
        return va_arg(*ap, int);
    }
    while (*p >= '0' && *p <= '9') {
        if (v < 4096)
            v = v * 10 + (*p - '0');
        p++;
    }
    *pp = p;
    return v > 4096 ? 4096 : (int)v;
}

/* The conversions other than %s are printed by snprintf with a format
 * rebuilt from the parsed specification; it is never user text. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

int sbuf_vprintf_clip(struct sbuf *b, size_t clip, const char *fmt,
                      va_list ap)
{
    va_list aq;
    const char *p = fmt;
    int rc = RFG_OK;

    va_copy(aq, ap);
    while (!rc && *p) {
        const char *pct = strchr(p, '%');
        char flags[8], len[3], spec[48];
        size_t nf = 0, nl = 0;
        int width = -1, prec = -1;
        bool left = false;
        char conv;

        if (!pct) {
            rc = sbuf_adds(b, p);
            break;
        }
        rc = sbuf_add(b, p, (size_t)(pct - p));
        p = pct + 1;
        if (rc)
            break;
        if (*p == '%') {
            rc = sbuf_addc(b, '%');
            p++;
            continue;
        }
        while (*p && strchr("-+ #0", *p)) {
            if (*p == '-')
                left = true;
            if (nf < sizeof(flags) - 1)
                flags[nf++] = *p;
            p++;
        }
        flags[nf] = '\0';
        if (*p == '*' || (*p >= '0' && *p <= '9')) {
            width = spec_number(&p, &aq);
            if (width < 0) {            /* a negative '*' width */
                left = true;
                width = width < -4096 ? 4096 : -width;
                if (nf < sizeof(flags) - 1) {
                    flags[nf++] = '-';
                    flags[nf] = '\0';
                }
            }
        }
        if (*p == '.') {
            p++;
            prec = spec_number(&p, &aq);
            if (prec < 0)
                prec = -1;              /* as if it were not given */
        }
        while (*p && strchr("hlLjzt", *p) && nl < sizeof(len) - 1)
            len[nl++] = *p++;
        len[nl] = '\0';
        conv = *p ? *p++ : '\0';
        if (conv == 's') {
            rc = add_str_arg(b, va_arg(aq, const char *), prec, clip,
                             width, left);
            continue;
        }
        if (!conv || !strchr("diouxXcpfFeEgGaA", conv)) {
            rc = RFG_EINVAL;            /* %n, %ls, or a broken format */
            break;
        }
        snprintf(spec, sizeof(spec), "%%%s", flags);
        if (width >= 0)
            snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%d",
                     width);
        if (prec >= 0)
            snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), ".%d",
                     prec);
        snprintf(spec + strlen(spec), sizeof(spec) - strlen(spec), "%s%c",
                 len, conv);
        if (strchr("fFeEgGaA", conv)) {
            if (!strcmp(len, "L"))
                rc = sbuf_printf(b, spec, va_arg(aq, long double));
            else
                rc = sbuf_printf(b, spec, va_arg(aq, double));
        } else if (conv == 'p') {
            rc = sbuf_printf(b, spec, va_arg(aq, void *));
        } else if (conv == 'c' || !strcmp(len, "h") || !strcmp(len, "hh") ||
                   !nl) {
            /* char and short arguments arrive promoted to int */
            if (strchr("di", conv) || conv == 'c')
                rc = sbuf_printf(b, spec, va_arg(aq, int));
            else
                rc = sbuf_printf(b, spec, va_arg(aq, unsigned));
        } else if (!strcmp(len, "l")) {
            if (strchr("di", conv))
                rc = sbuf_printf(b, spec, va_arg(aq, long));
            else
                rc = sbuf_printf(b, spec, va_arg(aq, unsigned long));
        } else if (!strcmp(len, "ll")) {
            if (strchr("di", conv))
                rc = sbuf_printf(b, spec, va_arg(aq, long long));
            else
                rc = sbuf_printf(b, spec, va_arg(aq, unsigned long long));
        } else if (!strcmp(len, "j")) {
            if (strchr("di", conv))
                rc = sbuf_printf(b, spec, va_arg(aq, intmax_t));
            else
                rc = sbuf_printf(b, spec, va_arg(aq, uintmax_t));
        } else if (!strcmp(len, "z")) {
            rc = sbuf_printf(b, spec, va_arg(aq, size_t));
        } else if (!strcmp(len, "t")) {
            rc = sbuf_printf(b, spec, va_arg(aq, ptrdiff_t));
        } else {
            rc = RFG_EINVAL;
        }
    }
    va_end(aq);
    return rc;
}

#pragma GCC diagnostic pop

int sbuf_printf_clip(struct sbuf *b, size_t clip, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = sbuf_vprintf_clip(b, clip, fmt, ap);
    va_end(ap);
    return rc;
}

int sbuf_add_json_str(struct sbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    int rc = sbuf_addc(b, '"');

    for (; !rc && *p; p++) {
        const unsigned char *run = p;

        /* a run of bytes that need no escape goes in with one add */
        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        if (p > run && (rc = sbuf_add(b, run, (size_t)(p - run))) != 0)
            break;
        if (!*p)
            break;
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
