/* SPDX-License-Identifier: Apache-2.0
 *
 * review_scan.c - the strict pass over an AdmissionReview body (see
 * review_scan.h): UTF-8, NUL characters, long arrays and the members
 * left out of the parse, in one walk over the bytes. It builds nothing
 * and allocates nothing; review_decode.c decides what to do with it.
 */
#include "review_scan.h"

#include <stdint.h>
#include <string.h>

#include "review.h"

/* Deeper bodies (cJSON allows 1000 levels) are decoded the plain way. */
#define SCAN_MAX_DEPTH 128
/* Longer number tokens too: cJSON reads at most 63 characters of one. */
#define SCAN_MAX_NUMBER 40
/* Where the member being read sits on the way to the managedFields the
 * pass leaves out: the top level, request, request.object or
 * request.oldObject, their metadata; OFF_PATH anywhere else. */
enum scan_at { AT_ROOT, AT_REQUEST, AT_OBJECT, AT_METADATA, OFF_PATH };

size_t review_utf8_bad_at(const unsigned char *s, size_t n)
{
    size_t i = 0, k, need;
    unsigned char lo, hi;

    while (i < n) {
        unsigned char c = s[i];

        if (c < 0x80) {
            i++;
            continue;
        }
        lo = 0x80;
        hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;      /* overlong */
            else if (c == 0xED)
                hi = 0x9F;      /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;      /* overlong */
            else if (c == 0xF4)
                hi = 0x8F;      /* past U+10FFFF */
        } else {
            return i;
        }
        if (n - i <= need)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (k = 2; k <= need; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return i;
        i += need + 1;
    }
    return n;
}


static void scan_ws(struct review_scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
                             sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
        sc->i++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#define ONES ((uint64_t)0x0101010101010101u)
#define HIGHS ((uint64_t)0x8080808080808080u)

/* The end of the run of plain string bytes (printable ASCII but '"' and
 * '\\') from s[i], looking at 8 bytes at a time where the byte order
 * allows it. */
static size_t plain_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w, q, b, m;

    while (n - i >= 8) {
        memcpy(&w, s + i, 8);
        q = w ^ (ONES * '"');
        b = w ^ (ONES * '\\');
        /* a byte that is >= 0x80, < 0x20, '"' or '\\' sets its high
         * bit; borrows only reach the bytes after the first such one */
        m = (w | ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) |
             ((b - ONES) & ~b)) & HIGHS;
        if (m)
            return i + ((size_t)__builtin_ctzll(m) >> 3);
        i += 8;
    }
#endif
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
           s[i] != '\\')
        i++;
    return i;
}

/* A string at sc->i (its opening quote): RFC 8259, UTF-8 checked, no
 * control characters, and no \u escape of a UTF-16 surrogate (cJSON
 * refuses a lone one; the plain way reports it). Leaves sc->i after
 * the closing quote; false when it is not such a string. */
static bool scan_string(struct review_scan *sc)
{
    const unsigned char *s = sc->s;
    size_t i = sc->i + 1, n = sc->n, k;
    unsigned cp;

    for (;;) {
        i = plain_run(s, i, n);
        if (i >= n)
            return false;
        if (s[i] == '"')
            break;
        if (s[i] == '\\') {
            if (i + 1 >= n)
                return false;
            if (strchr("\"\\/bfnrt", s[i + 1]) && s[i + 1]) {
                i += 2;
                continue;
            }
            if (s[i + 1] != 'u' || n - i < 6)
                return false;
            for (cp = 0, k = 2; k < 6; k++) {
                int h = hexval(s[i + k]);

                if (h < 0)
                    return false;
                cp = cp << 4 | (unsigned)h;
            }
            if (cp >= 0xD800 && cp <= 0xDFFF)
                return false;
            if (cp == 0 && sc->nul == sc->n)
                sc->nul = i;
            i += 6;
            continue;
        }
        if (s[i] < 0x20)
            return false;
        /* one whole UTF-8 character */
        k = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        if (n - i < k || review_utf8_bad_at(s + i, k) != k)
            return false;
        i += k;
    }
    sc->i = i + 1;
    return true;
}

/* A number at sc->i, RFC 8259, at most SCAN_MAX_NUMBER characters. */
static bool scan_number(struct review_scan *sc)
{
    const unsigned char *s = sc->s;
    size_t i = sc->i, n = sc->n;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else if (i < n && s[i] >= '1' && s[i] <= '9') {
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    } else {
        return false;
    }
    if (i < n && s[i] == '.') {
        if (++i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i - sc->i > SCAN_MAX_NUMBER)
        return false;
    sc->i = i;
    return true;
}

/* Does the raw key [from, to) (quotes excluded) spell `word`? */
static bool key_is(const struct review_scan *sc, size_t from, size_t to,
                   const char *word, size_t len)
{
    return to - from == len && !memcmp(sc->s + from, word, len);
}

#define KEY_IS(sc, from, to, lit) key_is(sc, from, to, lit, sizeof(lit) - 1)

static bool scan_value(struct review_scan *sc, enum scan_at at);

/* Is the member [kfrom, kto) of an object at `at` one no rule and no
 * response reads: metadata.managedFields of the objects, and what the
 * API server says about the request that review_decode never looks at
 * (the resource, the options of the call)? */
static bool unread(const struct review_scan *sc, enum scan_at at,
                   size_t kfrom, size_t kto)
{
    if (at == AT_METADATA)
        return KEY_IS(sc, kfrom, kto, "managedFields");
    if (at != AT_REQUEST)
        return false;
    return KEY_IS(sc, kfrom, kto, "resource") ||
           KEY_IS(sc, kfrom, kto, "subResource") ||
           KEY_IS(sc, kfrom, kto, "requestKind") ||
           KEY_IS(sc, kfrom, kto, "requestResource") ||
           KEY_IS(sc, kfrom, kto, "requestSubResource") ||
           KEY_IS(sc, kfrom, kto, "options");
}

/* The members of the object at sc->i; `at` says where it sits. A member
 * left out goes with the comma before it, or, while no member before it
 * stays, with the comma after it, so what stays is still an object. */
static bool scan_object(struct review_scan *sc, enum scan_at at)
{
    size_t comma = 0, kfrom, kto, start;
    enum scan_at child;
    bool kept = false, cut;

    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        sc->i++;
        return true;
    }
    for (;;) {
        if (sc->i >= sc->n || sc->s[sc->i] != '"')
            return false;
        start = sc->i;
        kfrom = sc->i + 1;
        if (!scan_string(sc))
            return false;
        kto = sc->i - 1;
        scan_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != ':')
            return false;
        sc->i++;
        child = OFF_PATH;
        if (at == AT_ROOT && KEY_IS(sc, kfrom, kto, "request"))
            child = AT_REQUEST;
        else if (at == AT_REQUEST && (KEY_IS(sc, kfrom, kto, "object") ||
                                      KEY_IS(sc, kfrom, kto, "oldObject")))
            child = AT_OBJECT;
        else if (at == AT_OBJECT && KEY_IS(sc, kfrom, kto, "metadata"))
            child = AT_METADATA;
        scan_ws(sc);
        if (!scan_value(sc, child))
            return false;
        cut = unread(sc, at, kfrom, kto);
        if (cut) {
            if (sc->ncut == REVIEW_SCAN_MAX_CUTS)
                return false;
            sc->cut[sc->ncut][0] = kept ? comma : start;
            sc->cut[sc->ncut][1] = sc->i;
            sc->ncut++;
        } else {
            kept = true;
        }
        scan_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == '}') {
            sc->i++;
            return true;
        }
        if (sc->i >= sc->n || sc->s[sc->i] != ',')
            return false;
        if (cut && !kept)
            sc->cut[sc->ncut - 1][1] = sc->i + 1;   /* the comma after */
        comma = sc->i;
        sc->i++;
        scan_ws(sc);
    }
}

/* The items of the array at sc->i: at most REVIEW_MAX_ITEMS. */
static bool scan_array(struct review_scan *sc)
{
    size_t items = 0;

    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == ']') {
        sc->i++;
        return true;
    }
    for (;;) {
        if (++items > REVIEW_MAX_ITEMS || !scan_value(sc, OFF_PATH))
            return false;
        scan_ws(sc);
        if (sc->i < sc->n && sc->s[sc->i] == ']') {
            sc->i++;
            return true;
        }
        if (sc->i >= sc->n || sc->s[sc->i] != ',')
            return false;
        sc->i++;
        scan_ws(sc);
    }
}

static bool scan_value(struct review_scan *sc, enum scan_at at)
{
    bool ok;

    if (sc->i >= sc->n)
        return false;
    switch (sc->s[sc->i]) {
    case '{':
    case '[':
        if (++sc->depth > SCAN_MAX_DEPTH)
            return false;
        ok = sc->s[sc->i] == '{' ? scan_object(sc, at) : scan_array(sc);
        sc->depth--;
        return ok;
    case '"':
        return scan_string(sc);
    case 't':
    case 'f':
    case 'n': {
        static const char *const lit[] = {"true", "false", "null"};
        size_t k, len;

        for (k = 0; k < 3; k++) {
            len = strlen(lit[k]);
            if (sc->n - sc->i >= len &&
                !memcmp(sc->s + sc->i, lit[k], len)) {
                sc->i += len;
                return true;
            }
        }
        return false;
    }
    default:
        return scan_number(sc);
    }
}

bool review_prescan(struct review_scan *sc, const char *body, size_t len)
{
    memset(sc, 0, sizeof(*sc));
    sc->s = (const unsigned char *)body;
    sc->n = len;
    sc->nul = len;
    scan_ws(sc);
    if (!scan_value(sc, AT_ROOT))
        return false;
    scan_ws(sc);
    return sc->i == len;
}
