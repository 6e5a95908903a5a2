/* SPDX-License-Identifier: Apache-2.0
 *
 * template.c - find the first template token of a file (template.h). One
 * pass over the lines that follows just enough of YAML's layout to skip
 * what a manifest may legitimately hold as data: comments, single- and
 * double-quoted scalars (which may span lines) and the content of block
 * scalars (`|`, `>`, by indentation). It is not a YAML parser: anything
 * it cannot place is treated as plain text, where a token counts. A
 * quote opens a quoted scalar after a space, a tab, `[`, `{`, `,` or `:`
 * (JSON writes `"a":"b"`); inside a word (`don't`) it is plain text.
 */
#include "template.h"

#include <string.h>

struct scan {
    const char *buf;
    size_t len;
    bool loose;
    bool in_sq, in_dq;     /* inside a quoted scalar */
    long block;            /* indent of the line opening a block scalar,
                              -1 outside one */
    unsigned line;
};

static bool is_token(const struct scan *s, size_t i)
{
    if (i + 1 >= s->len)
        return false;
    return (s->buf[i] == '{' && (s->buf[i + 1] == '{' ||
                                 s->buf[i + 1] == '%')) ||
           (s->buf[i] == '<' && s->buf[i + 1] == '%');
}

/* `w` (n bytes) is a block scalar header: | or > with at most two
 * chomping and indentation indicators. */
static bool block_header(const char *w, size_t n)
{
    size_t i;

    if (n < 1 || n > 3 || (w[0] != '|' && w[0] != '>'))
        return false;
    for (i = 1; i < n; i++)
        if (w[i] != '-' && w[i] != '+' && (w[i] < '1' || w[i] > '9'))
            return false;
    return true;
}

/* Scan the line [b, e). Returns the offset of a counted token, or
 * (size_t)-1. Updates the quote and block state. */
static size_t scan_line(struct scan *s, size_t b, size_t e)
{
    size_t i, indent = 0, wstart = (size_t)-1, wend = 0;
    bool blank = true;

    while (b + indent < e && s->buf[b + indent] == ' ')
        indent++;
    for (i = b; i < e; i++)
        if (s->buf[i] != ' ' && s->buf[i] != '\t' && s->buf[i] != '\r')
            blank = false;
    if (s->block >= 0 && !s->in_sq && !s->in_dq) {
        if (blank || (long)indent > s->block) {
            for (i = b; s->loose && i < e; i++)
                if (is_token(s, i))
                    return i;
            return (size_t)-1;
        }
        s->block = -1;
    }
    for (i = b; i < e; i++) {
        char c = s->buf[i];
        char prev = i > b ? s->buf[i - 1] : ' ';

        if (s->in_sq) {
            if (c == '\'' && i + 1 < e && s->buf[i + 1] == '\'')
                i++;
            else if (c == '\'')
                s->in_sq = false;
            else if (s->loose && is_token(s, i))
                return i;
            continue;
        }
        if (s->in_dq) {
            if (c == '\\')
                i++;
            else if (c == '"')
                s->in_dq = false;
            else if (s->loose && is_token(s, i))
                return i;
            continue;
        }
        if (c == '#' && (prev == ' ' || prev == '\t'))
            break;
        if (is_token(s, i))
            return i;
        if ((c == '\'' || c == '"') &&
            (prev == ' ' || prev == '\t' || prev == '[' || prev == '{' ||
             prev == ',' || prev == ':')) {
            s->in_sq = c == '\'';
            s->in_dq = c == '"';
            wstart = (size_t)-1;
            continue;
        }
        /* remember the last word: a block header ends its line */
        if (c != ' ' && c != '\t' && c != '\r') {
            if (wstart == (size_t)-1 || prev == ' ' || prev == '\t')
                wstart = i;
            wend = i + 1;
        }
    }
    if (!s->in_sq && !s->in_dq && wstart != (size_t)-1 &&
        block_header(s->buf + wstart, wend - wstart))
        s->block = (long)indent;
    return (size_t)-1;
}

/* Whether `buf` holds `open` followed by '%' (or by '{' when `open` is
 * '{') anywhere at all: memchr is far cheaper than the line scan, and
 * most files hold no token. */
static bool any_token(const char *buf, size_t len, char open)
{
    const char *p = buf, *end = buf + len;

    while (p + 1 < end && (p = memchr(p, open, (size_t)(end - p - 1)))) {
        if (p[1] == '%' || (open == '{' && p[1] == '{'))
            return true;
        p++;
    }
    return false;
}

bool tmpl_find(const char *buf, size_t len, bool loose, struct src_pos *pos,
               char tok[3])
{
    struct scan s = {buf, len, loose, false, false, -1, 1};
    size_t b = 0;

    if (!any_token(buf, len, '{') && !any_token(buf, len, '<'))
        return false;
    while (b < len) {
        const char *nl = memchr(buf + b, '\n', len - b);
        size_t e = nl ? (size_t)(nl - buf) : len;
        size_t hit = scan_line(&s, b, e);

        if (hit != (size_t)-1) {
            pos->line = s.line;
            pos->col = (unsigned)(hit - b + 1);
            tok[0] = buf[hit];
            tok[1] = buf[hit + 1];
            tok[2] = '\0';
            return true;
        }
        b = e + 1;
        s.line++;
    }
    return false;
}
