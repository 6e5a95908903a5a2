/* SPDX-License-Identifier: Apache-2.0
 *
 * review_scan.c - the strict pass over an AdmissionReview body (see
 * review_scan.h): UTF-8, NUL characters, long arrays, and the cJSON tree
 * without the members no rule reads, in one walk over the bytes. The
 * tree is the one cJSON_Parse would build for the same bytes minus those
 * members (same types, numbers through strtod, same string bytes, same
 * links); nodes come from cJSON's allocator, so cJSON_Delete and the
 * arena hooks treat them as cJSON's own. A member's name that
 * schema_key_intern knows is that constant (cJSON_StringIsConst), not a
 * copy. It knows no review fields beyond the path to what it leaves out;
 * review_decode.c checks the rest.
 */
#include "review_scan.h"

#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "review.h"
#include "schema.h"

/* Deeper bodies (cJSON allows 1000 levels) are decoded the plain way. */
#define SCAN_MAX_DEPTH 128
/* Longer number tokens too (cJSON reads any length through strtod). */
#define SCAN_MAX_NUMBER 40
/* Where the member being read sits on the way to the members the pass
 * leaves out: the top level, request, request.object or
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


/* Skip the white space at sc->i. */
static void skip_ws(struct review_scan *sc)
{
    while (sc->i < sc->n && (sc->s[sc->i] == ' ' || sc->s[sc->i] == '\t' ||
                             sc->s[sc->i] == '\n' || sc->s[sc->i] == '\r'))
        sc->i++;
}

/* skip_ws, but a body from the API server is compact JSON, so the usual
 * byte is no white space, and one inline compare tells. */
static inline void scan_ws(struct review_scan *sc)
{
    if (sc->i < sc->n && sc->s[sc->i] <= ' ')
        skip_ws(sc);
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
 * '\\') from s[i], looking at 16 bytes at a time with SSE2, else 8 at a
 * time where the byte order allows it. */
static inline size_t plain_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    /* 16 bytes at a time: a signed compare with 0x20 catches both the
     * control characters and the bytes >= 0x80 */
    const __m128i quote = _mm_set1_epi8('"'), bsl = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);

    while (n - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        int mask = _mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bsl)),
            _mm_cmplt_epi8(v, space)));

        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
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

/* The string body [p, p + len) (between the quotes, checked by
 * scan_string) with its escapes resolved as cJSON resolves them, in
 * memory from cJSON_malloc; NULL when out of memory. */
static char *unescape(const unsigned char *p, size_t len, bool esc)
{
    char *out = cJSON_malloc(len + 1), *w;
    size_t i = 0;
    unsigned cp;

    if (!out)
        return NULL;
    if (!esc) {
        memcpy(out, p, len);
        out[len] = '\0';
        return out;
    }
    w = out;
    while (i < len) {
        if (p[i] != '\\') {
            *w++ = (char)p[i++];
            continue;
        }
        switch (p[i + 1]) {
        case 'b':
            *w++ = '\b';
            break;
        case 'f':
            *w++ = '\f';
            break;
        case 'n':
            *w++ = '\n';
            break;
        case 'r':
            *w++ = '\r';
            break;
        case 't':
            *w++ = '\t';
            break;
        case 'u':
            cp = (unsigned)(hexval(p[i + 2]) << 12 | hexval(p[i + 3]) << 8 |
                            hexval(p[i + 4]) << 4 | hexval(p[i + 5]));
            if (cp < 0x80) {
                *w++ = (char)cp;
            } else if (cp < 0x800) {
                *w++ = (char)(0xC0 | cp >> 6);
                *w++ = (char)(0x80 | (cp & 0x3F));
            } else {            /* no surrogates: scan_string refused */
                *w++ = (char)(0xE0 | cp >> 12);
                *w++ = (char)(0x80 | (cp >> 6 & 0x3F));
                *w++ = (char)(0x80 | (cp & 0x3F));
            }
            i += 6;
            continue;
        default:                /* '"', '\\' and '/' stand for themselves */
            *w++ = (char)p[i + 1];
            break;
        }
        i += 2;
    }
    *w = '\0';
    return out;
}

/* scan_string past a byte that is not plain at s[i]: escapes, UTF-8,
 * the end of the body. Out of line: most strings have none of these. */
static __attribute__((noinline)) bool scan_string_rest(struct review_scan *sc,
                                                        char **out, size_t i)
{
    const unsigned char *s = sc->s;
    size_t n = sc->n, k;
    unsigned cp;
    bool esc = false;

    for (;;) {
        if (i >= n)
            return false;
        if (s[i] == '"')
            break;
        if (s[i] == '\\') {
            esc = true;
            if (i + 1 >= n)
                return false;
            if (strchr("\"\\/bfnrt", s[i + 1]) && s[i + 1]) {
                i = plain_run(s, i + 2, n);
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
            i = plain_run(s, i + 6, n);
            continue;
        }
        if (s[i] < 0x20)
            return false;
        /* one whole UTF-8 character */
        k = s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        if (n - i < k || review_utf8_bad_at(s + i, k) != k)
            return false;
        i = plain_run(s, i + k, n);
    }
    k = sc->i + 1;
    sc->i = i + 1;
    if (!out)
        return true;
    *out = unescape(s + k, i - k, esc);
    return *out != NULL;
}

/* The plain string [k, i) (i at its closing quote): sc->i past the
 * quote, and with `out`, *out a copy (cJSON_malloc'd). */
static inline bool take_plain(struct review_scan *sc, char **out, size_t k,
                              size_t i)
{
    char *str;

    sc->i = i + 1;
    if (!out)
        return true;
    str = cJSON_malloc(i - k + 1);
    if (!str)
        return false;
    memcpy(str, sc->s + k, i - k);
    str[i - k] = '\0';
    *out = str;
    return true;
}

/* A string at sc->i (its opening quote): RFC 8259, UTF-8 checked, no
 * control characters, and no \u escape of a UTF-16 surrogate (cJSON
 * reads those its own way, which the plain way keeps). Leaves sc->i
 * after the closing quote; false when it is not such a string. With
 * `out`, *out is the string (cJSON_malloc'd). The usual string is plain
 * printable ASCII up to its closing quote: that case is handled here,
 * anything else by scan_string_rest. */
static inline bool scan_string(struct review_scan *sc, char **out)
{
    size_t k = sc->i + 1, i = plain_run(sc->s, k, sc->n);

    if (i >= sc->n || sc->s[i] != '"')
        return scan_string_rest(sc, out, i);
    return take_plain(sc, out, k, i);
}

/* A member's name at sc->i, as scan_string reads it into *out; a plain
 * one that schema_key_intern knows becomes that constant (*is_const set:
 * never freed nor written, cJSON_StringIsConst) instead of a copy. */
static inline bool scan_key(struct review_scan *sc, char **out,
                            bool *is_const)
{
    size_t k = sc->i + 1, i = plain_run(sc->s, k, sc->n);
    const char *cs;

    *is_const = false;
    if (i >= sc->n || sc->s[i] != '"')
        return scan_string_rest(sc, out, i);
    if (!out ||
        !(cs = schema_key_intern((const char *)sc->s + k, i - k)))
        return take_plain(sc, out, k, i);
    sc->i = i + 1;
    memcpy(out, &cs, sizeof(*out));
    *is_const = true;
    return true;
}

/* A number at sc->i, RFC 8259, at most SCAN_MAX_NUMBER characters. With
 * `item`, it becomes the number, valuedouble from strtod and valueint
 * saturated, as cJSON sets them. */
static bool scan_number(struct review_scan *sc, cJSON *item)
{
    const unsigned char *s = sc->s;
    size_t i = sc->i, n = sc->n, k;
    char buf[SCAN_MAX_NUMBER + 1];
    bool frac = false;          /* a fraction or an exponent */
    double d;

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
        frac = true;
        if (++i >= n || s[i] < '0' || s[i] > '9')
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        frac = true;
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
    if (item && i - sc->i <= 15 && !frac) {
        /* an integer of at most 15 digits is exact as a double: the
         * value strtod gives, without its call */
        bool neg = s[sc->i] == '-';
        uint64_t v = 0;

        for (k = sc->i + neg; k < i; k++)
            v = v * 10 + (uint64_t)(s[k] - '0');
        d = (double)v;
        item->valuedouble = neg ? -d : d;
        if (!neg)
            item->valueint = v >= (uint64_t)INT_MAX ? INT_MAX : (int)v;
        else
            item->valueint = v > (uint64_t)INT_MAX ? INT_MIN : -(int)v;
        item->type |= cJSON_Number;
        sc->i = i;
        return true;
    }
    if (item) {
        /* in the locale's spelling, as cJSON hands it to strtod */
        char dp;

        if (!sc->dp)
            sc->dp = localeconv()->decimal_point[0];
        dp = sc->dp;

        memcpy(buf, s + sc->i, i - sc->i);
        buf[i - sc->i] = '\0';
        for (k = 0; k < i - sc->i; k++)
            if (buf[k] == '.')
                buf[k] = dp;
        d = strtod(buf, NULL);
        item->valuedouble = d;
        if (d >= INT_MAX)
            item->valueint = INT_MAX;
        else if (d <= (double)INT_MIN)
            item->valueint = INT_MIN;
        else
            item->valueint = (int)d;
        item->type |= cJSON_Number;
    }
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

/* Where the value of member [kfrom, kto) of an object at `at` sits. */
static enum scan_at next_at(const struct review_scan *sc, enum scan_at at,
                            size_t kfrom, size_t kto)
{
    if (at == AT_ROOT && KEY_IS(sc, kfrom, kto, "request"))
        return AT_REQUEST;
    if (at == AT_REQUEST && (KEY_IS(sc, kfrom, kto, "object") ||
                             KEY_IS(sc, kfrom, kto, "oldObject")))
        return AT_OBJECT;
    if (at == AT_OBJECT && KEY_IS(sc, kfrom, kto, "metadata"))
        return AT_METADATA;
    return OFF_PATH;
}

/* A new node of cJSON's allocator, zeroed; NULL when out of memory. */
static cJSON *new_node(void)
{
    cJSON *c = cJSON_malloc(sizeof(*c));

    if (c)
        *c = (cJSON){0};
    return c;
}

/* Append `c` to the children of `parent`, `*last` being the last one so
 * far; cJSON keeps the first child's prev on the last child. */
static void append(cJSON *parent, cJSON **last, cJSON *c)
{
    if (!parent->child) {
        parent->child = c;
    } else {
        (*last)->next = c;
        c->prev = *last;
    }
    *last = c;
    parent->child->prev = c;
}

static bool scan_value(struct review_scan *sc, enum scan_at at,
                       cJSON *item);

/* After a member or item: skip white space, then `close` ends the
 * object or array (1), a comma leads to the next one (0), anything else
 * is an error (-1). */
static inline int scan_sep(struct review_scan *sc, char close)
{
    /* compact JSON: a comma, then the next member or item at once */
    if (sc->n - sc->i >= 2 && sc->s[sc->i] == ',' &&
        sc->s[sc->i + 1] > ' ') {
        sc->i++;
        return 0;
    }
    scan_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == (unsigned char)close) {
        sc->i++;
        return 1;
    }
    if (sc->i >= sc->n || sc->s[sc->i] != ',')
        return -1;
    sc->i++;
    scan_ws(sc);
    return 0;
}

/* The members of the object at sc->i; `at` says where it sits. With
 * `item`, they become its children, but for those unread() leaves out. */
static bool scan_object(struct review_scan *sc, enum scan_at at,
                        cJSON *item)
{
    size_t kfrom, kto;
    enum scan_at child;
    cJSON *last = NULL, *c;
    bool keep, kconst;
    int sep;

    if (item)
        item->type |= cJSON_Object;
    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        sc->i++;
        return true;
    }
    for (;;) {
        char *key = NULL;

        if (sc->i >= sc->n || sc->s[sc->i] != '"')
            return false;
        kfrom = sc->i + 1;
        if (!scan_key(sc, item ? &key : NULL, &kconst))
            return false;
        kto = sc->i - 1;
        keep = true;
        child = OFF_PATH;
        if (at != OFF_PATH) {   /* on the way to what the pass leaves out */
            keep = !unread(sc, at, kfrom, kto);
            child = next_at(sc, at, kfrom, kto);
        }
        c = NULL;
        if (!keep) {
            if (!kconst)
                cJSON_free(key);
            sc->nleft++;
        } else if (item) {
            c = new_node();
            if (!c) {
                if (!kconst)
                    cJSON_free(key);
                return false;
            }
            append(item, &last, c);
            c->string = key;
            if (kconst)
                c->type = cJSON_StringIsConst;
        }
        if (sc->n - sc->i >= 2 && sc->s[sc->i] == ':' &&
            sc->s[sc->i + 1] > ' ') {
            sc->i++;            /* compact JSON: the value follows */
        } else {
            scan_ws(sc);
            if (sc->i >= sc->n || sc->s[sc->i] != ':')
                return false;
            sc->i++;
            scan_ws(sc);
        }
        if (child == OFF_PATH && sc->i < sc->n && sc->s[sc->i] == '"') {
            /* the usual value, a string: read here, without a call */
            if (c)
                c->type |= cJSON_String;
            if (!scan_string(sc, c ? &c->valuestring : NULL))
                return false;
        } else if (!scan_value(sc, child, c)) {
            return false;
        }
        if ((sep = scan_sep(sc, '}')) != 0)
            return sep > 0;
    }
}

/* The items of the array at sc->i: at most REVIEW_MAX_ITEMS. With
 * `item`, they become its children. */
static bool scan_array(struct review_scan *sc, cJSON *item)
{
    size_t items = 0;
    cJSON *last = NULL, *c = NULL;
    int sep;

    if (item)
        item->type |= cJSON_Array;
    sc->i++;
    scan_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == ']') {
        sc->i++;
        return true;
    }
    for (;;) {
        if (++items > REVIEW_MAX_ITEMS)
            return false;
        if (item) {
            c = new_node();
            if (!c)
                return false;
            append(item, &last, c);
        }
        if (!scan_value(sc, OFF_PATH, c))
            return false;
        if ((sep = scan_sep(sc, ']')) != 0)
            return sep > 0;
    }
}

/* The value at sc->i; with `item` (a zeroed node), it becomes it. */
static bool scan_value(struct review_scan *sc, enum scan_at at,
                       cJSON *item)
{
    static const struct {
        const char *word;
        size_t len;
        int type;
    } lit[] = {{"true", 4, cJSON_True}, {"false", 5, cJSON_False},
               {"null", 4, cJSON_NULL}};
    size_t k;
    bool ok;

    if (sc->i >= sc->n)
        return false;
    switch (sc->s[sc->i]) {
    case '{':
    case '[':
        if (++sc->depth > SCAN_MAX_DEPTH)
            return false;
        ok = sc->s[sc->i] == '{' ? scan_object(sc, at, item)
                                 : scan_array(sc, item);
        sc->depth--;
        return ok;
    case '"':
        if (!item)
            return scan_string(sc, NULL);
        item->type |= cJSON_String;
        return scan_string(sc, &item->valuestring);
    case 't':
    case 'f':
    case 'n':
        for (k = 0; k < 3; k++) {
            if (sc->n - sc->i >= lit[k].len &&
                !memcmp(sc->s + sc->i, lit[k].word, lit[k].len)) {
                sc->i += lit[k].len;
                if (item) {
                    item->type |= lit[k].type;
                    item->valueint = lit[k].type == cJSON_True;
                }
                return true;
            }
        }
        return false;
    default:
        return scan_number(sc, item);
    }
}

bool review_prescan(struct review_scan *sc, const char *body, size_t len,
                    cJSON **tree)
{
    cJSON *root = NULL;

    memset(sc, 0, sizeof(*sc));
    sc->s = (const unsigned char *)body;
    sc->n = len;
    sc->nul = len;
    if (tree) {
        *tree = NULL;
        root = new_node();
        if (!root)
            return false;
    }
    scan_ws(sc);
    if (!scan_value(sc, AT_ROOT, root))
        goto fail;
    scan_ws(sc);
    if (sc->i != len)
        goto fail;
    if (tree)
        *tree = root;
    return true;
fail:
    cJSON_Delete(root);
    return false;
}
