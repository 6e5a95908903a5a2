/* SPDX-License-Identifier: Apache-2.0
 *
 * scalar.c - what a YAML scalar means, as kubectl reads it
 * (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1): booleans yes/no/on/off,
 * null ~, Go's integer bases, YAML floats, .inf/.nan, explicit !!tags,
 * and how a non-string mapping key is spelled as a string, !!binary
 * decoding and the exact text of integers a double cannot hold. Pure
 * functions over text; the loader (ytree.c) builds nodes from the result
 * and the emitter (emit.c) uses it to decide what needs quotes.
 */
#include "ydoc_impl.h"

#include "base64.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The plain scalars go-yaml v2 reads as something else than a string:
 * YAML 1.1 booleans, null, infinities and NaN. */
enum word_kind { W_TRUE, W_FALSE, W_NULL, W_PINF, W_NINF, W_NAN };

static const struct word {
    const char *s;
    unsigned char len;
    unsigned char kind;        /* enum word_kind */
} words[] = {
    {"y", 1, W_TRUE},      {"Y", 1, W_TRUE},      {"yes", 3, W_TRUE},
    {"Yes", 3, W_TRUE},    {"YES", 3, W_TRUE},    {"true", 4, W_TRUE},
    {"True", 4, W_TRUE},   {"TRUE", 4, W_TRUE},   {"on", 2, W_TRUE},
    {"On", 2, W_TRUE},     {"ON", 2, W_TRUE},     {"n", 1, W_FALSE},
    {"N", 1, W_FALSE},     {"no", 2, W_FALSE},    {"No", 2, W_FALSE},
    {"NO", 2, W_FALSE},    {"false", 5, W_FALSE}, {"False", 5, W_FALSE},
    {"FALSE", 5, W_FALSE}, {"off", 3, W_FALSE},   {"Off", 3, W_FALSE},
    {"OFF", 3, W_FALSE},   {"~", 1, W_NULL},      {"null", 4, W_NULL},
    {"Null", 4, W_NULL},   {"NULL", 4, W_NULL},   {".inf", 4, W_PINF},
    {".Inf", 4, W_PINF},   {".INF", 4, W_PINF},   {"+.inf", 5, W_PINF},
    {"+.Inf", 5, W_PINF},  {"+.INF", 5, W_PINF},  {"-.inf", 5, W_NINF},
    {"-.Inf", 5, W_NINF},  {"-.INF", 5, W_NINF},  {".nan", 4, W_NAN},
    {".NaN", 4, W_NAN},    {".NAN", 4, W_NAN},
};

/* The longest of the words. */
#define WORD_MAX 5

/* What the first byte of a plain scalar lets it be: a word of the table
 * above, a number, or (0) only a string, which is most text. */
#define FC_WORD 1
#define FC_NUM 2
static const unsigned char first_class[256] = {
    ['y'] = FC_WORD, ['Y'] = FC_WORD, ['t'] = FC_WORD, ['T'] = FC_WORD,
    ['o'] = FC_WORD, ['O'] = FC_WORD, ['n'] = FC_WORD, ['N'] = FC_WORD,
    ['f'] = FC_WORD, ['F'] = FC_WORD, ['~'] = FC_WORD,
    ['.'] = FC_WORD | FC_NUM, ['+'] = FC_WORD | FC_NUM,
    ['-'] = FC_WORD | FC_NUM,
    ['0'] = FC_NUM, ['1'] = FC_NUM, ['2'] = FC_NUM, ['3'] = FC_NUM,
    ['4'] = FC_NUM, ['5'] = FC_NUM, ['6'] = FC_NUM, ['7'] = FC_NUM,
    ['8'] = FC_NUM, ['9'] = FC_NUM,
};

/* The kind of the n-byte `s` among the words, or -1. One pass over one
 * table, comparing lengths and first bytes before any text. */
static int word_kind(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (words[i].len == n && words[i].s[0] == s[0] &&
            memcmp(words[i].s, s, n) == 0)
            return words[i].kind;
    return -1;
}

/* Go's strconv.ParseUint(s, 0, 64): 0x, 0o, 0b and leading-0 octal. */
static bool go_parse_uint(const char *s, size_t n, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;
    size_t i;

    if (n == 0)
        return false;
    if (s[0] == '0') {
        char c = n >= 3 ? (char)(s[1] | 0x20) : 0;

        if (c == 'b' || c == 'o' || c == 'x') {
            base = c == 'b' ? 2 : c == 'o' ? 8 : 16;
            s += 2;
            n -= 2;
        } else {
            base = 8;
            s++;
            n--;
        }
    }
    for (i = 0; i < n; i++) {
        unsigned d;
        char c = s[i];

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* Go's strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    uint64_t u;

    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (!go_parse_uint(s, n, &u))
        return false;
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return false;
        *out = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)u;
    }
    return true;
}

/* Count the ASCII digits at s[0..n). */
static size_t digits(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < n && s[i] == '.') {
        d = digits(s + i + 1, n - i - 1);
        if (!d)
            return false;
        i += 1 + d;
    } else {
        d = digits(s + i, n - i);
        if (!d)
            return false;
        i += d;
        if (i < n && s[i] == '.')
            i += 1 + digits(s + i + 1, n - i - 1);
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        d = digits(s + i, n - i);
        if (!d)
            return false;
        i += d;
    }
    return i == n;
}

/* strtod of the NUL-terminated `s`, false if it overflows (Go's ParseFloat
 * fails with ErrRange there, and go-yaml then keeps the string). */
static bool parse_float(const char *s, double *out)
{
    double f = strtod(s, NULL);

    if (isinf(f))
        return false;
    *out = f;
    return true;
}

void yscalar_resolve_plain(const char *s, size_t n, struct yscalar *v)
{
    char small[128], *plain = small, *big = NULL;
    size_t i, pn;
    unsigned cls;
    char c;

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    if (n == 0) {
        v->kind = SK_NULL;
        return;
    }
    c = s[0];
    cls = first_class[(unsigned char)c];
    if (!cls)
        return;
    switch ((cls & FC_WORD) && n <= WORD_MAX ? word_kind(s, n) : -1) {
    case W_TRUE:
        v->kind = SK_BOOL;
        v->b = true;
        return;
    case W_FALSE:
        v->kind = SK_BOOL;
        return;
    case W_NULL:
        v->kind = SK_NULL;
        return;
    case W_PINF:
        v->kind = SK_NOTJSON;
        v->f = (double)INFINITY;
        return;
    case W_NINF:
        v->kind = SK_NOTJSON;
        v->f = -(double)INFINITY;
        return;
    case W_NAN:
        v->kind = SK_NOTJSON;
        v->f = (double)NAN;
        return;
    default:
        break;
    }
    if (c == '.') {
        /* strconv.ParseFloat on the raw text: only \.[0-9]+(e[-+]?[0-9]+)?
         * can start with a dot. */
        if (yaml_style_float(s, n) && parse_float(s, &v->f))
            v->kind = SK_FLOAT;
        return;
    }
    if (!(cls & FC_NUM))
        return;
    /* Drop underscores (go-yaml does strings.Replace(in, "_", "")). */
    if (memchr(s, '_', n)) {
        if (n >= sizeof(small)) {
            big = malloc(n + 1);
            if (!big)
                return;     /* stays a string; cannot happen in practice */
            plain = big;
        }
        for (i = pn = 0; i < n; i++)
            if (s[i] != '_')
                plain[pn++] = s[i];
        plain[pn] = '\0';
        s = plain;
        n = pn;
    }
    if (go_parse_int(s, n, &v->i))
        v->kind = SK_INT;
    else if (go_parse_uint(s, n, &v->u))
        v->kind = SK_UINT;
    else if (yaml_style_float(s, n) && parse_float(s, &v->f))
        v->kind = SK_FLOAT;
    free(big);
}

bool yscalar_is_int64(double d)
{
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
           (double)(int64_t)d == d;
}

double yscalar_number(const struct yscalar *v)
{
    if (v->kind == SK_INT)
        return (double)v->i;
    if (v->kind == SK_UINT)
        return (double)v->u;
    return v->f;
}

int yscalar_resolve(struct yscalar *v, const yaml_event_t *ev,
                    struct src_pos pos, struct diag_list *dl)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *t;
    const char *want;

    memset(v, 0, sizeof(*v));
    v->kind = SK_STR;
    if (!tag) {
        if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            yscalar_resolve_plain(s, n, v);
        return RFG_OK;
    }
    /* Local tags (!foo), "!" and yaml.org tags go-yaml cannot resolve
     * (!!timestamp, !!map...) leave the text as a string; so does
     * !!binary, whose text ydoc.c has already decoded. */
    if (strncmp(tag, TAG_PREFIX, TAG_PREFIX_LEN) != 0)
        return RFG_OK;
    t = tag + TAG_PREFIX_LEN;
    if (strcmp(t, "int") != 0 && strcmp(t, "float") != 0 &&
        strcmp(t, "bool") != 0 && strcmp(t, "null") != 0)
        return RFG_OK;
    yscalar_resolve_plain(s, n, v);
    want = t;
    if (strcmp(t, "int") == 0 && (v->kind == SK_INT || v->kind == SK_UINT))
        return RFG_OK;
    if (strcmp(t, "float") == 0 &&
        (v->kind == SK_INT || v->kind == SK_UINT || v->kind == SK_FLOAT ||
         v->kind == SK_NOTJSON)) {
        if (v->kind != SK_NOTJSON) {
            v->f = yscalar_number(v);
            v->kind = SK_FLOAT;
        }
        return RFG_OK;
    }
    if (strcmp(t, "bool") == 0 && v->kind == SK_BOOL)
        return RFG_OK;
    if (strcmp(t, "null") == 0 && v->kind == SK_NULL)
        return RFG_OK;
    return diag_fail(dl, RFG_EPARSE, &pos,
                     "cannot decode \"%.60s\" as !!%s", s, want);
}

void yscalar_format_key(char *out, size_t len, double d)
{
    float f = (float)d;
    char tmp[64];
    int prec, exp;

    if (isnan(f)) {
        snprintf(out, len, ".nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, len, f > 0 ? ".inf" : "-.inf");
        return;
    }
    if (f == 0.0f) {
        snprintf(out, len, signbit(f) ? "-0" : "0");
        return;
    }
    for (prec = 1; prec < 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
        if (strtof(tmp, NULL) == f)
            break;
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
    exp = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
    if (exp < -4 || exp >= 6)
        snprintf(out, len, "%s", tmp);
    else
        snprintf(out, len, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0,
                 (double)f);
}

/* Length of the valid UTF-8 sequence at p[0..n) as Go's utf8.DecodeRune
 * accepts it (no overlong forms, surrogates or code points past
 * U+10FFFF), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len, i;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0;
    else if (p[0] == 0xED)
        hi = 0x9F;
    else if (p[0] == 0xF0)
        lo = 0x90;
    else if (p[0] == 0xF4)
        hi = 0x8F;
    if (n < len || p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < len; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return len;
}

int yscalar_binary(const char *s, size_t n, char **out, size_t *outlen)
{
    char *text = malloc(n + 1), *o;
    unsigned char *raw;
    size_t i, tn = 0, rn = 0, on = 0, k;

    *out = NULL;
    *outlen = 0;
    if (!text)
        return RFG_ENOMEM;
    /* Go's base64.StdEncoding: padded, "\r" and "\n" ignored. */
    for (i = 0; i < n; i++)
        if (s[i] != '\r' && s[i] != '\n')
            text[tn++] = s[i];
    text[tn] = '\0';
    raw = tn % 4 == 0 ? base64_decode(text, &rn) : NULL;
    free(text);
    if (!raw)
        return RFG_EPARSE;
    /* Go's JSON encoder writes each byte that is not UTF-8 as U+FFFD. */
    o = malloc(rn * 3 + 1);
    if (!o) {
        free(raw);
        return RFG_ENOMEM;
    }
    for (i = 0; i < rn; i += k) {
        k = utf8_seq(raw + i, rn - i);
        if (k) {
            memcpy(o + on, raw + i, k);
            on += k;
        } else {
            memcpy(o + on, "\xef\xbf\xbd", 3);
            on += 3;
            k = 1;
        }
    }
    o[on] = '\0';
    free(raw);
    *out = o;
    *outlen = on;
    return RFG_OK;
}

bool yscalar_inexact(const struct yscalar *v, char *buf, size_t len)
{
    double d;

    if (v->kind == SK_INT) {
        d = (double)v->i;
        if (yscalar_is_int64(d) && (int64_t)d == v->i)
            return false;
        snprintf(buf, len, "%lld", (long long)v->i);
        return true;
    }
    if (v->kind == SK_UINT) {
        d = (double)v->u;
        if (d < 18446744073709551616.0 && (uint64_t)d == v->u)
            return false;
        snprintf(buf, len, "%llu", (unsigned long long)v->u);
        return true;
    }
    return false;
}

int yscalar_keep_text(cJSON *node, const char *text)
{
    size_t n = strlen(text);

    node->valuestring = cJSON_malloc(n + 1);
    if (!node->valuestring)
        return RFG_ENOMEM;
    memcpy(node->valuestring, text, n + 1);
    return RFG_OK;
}
