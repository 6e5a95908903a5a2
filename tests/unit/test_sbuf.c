/* SPDX-License-Identifier: Apache-2.0
 *
 * test_sbuf.c - the bounded buffer: caps and sticky failures, and the
 * clipping printf that finding messages go through (user text shortened
 * on a UTF-8 boundary with an ellipsis, other conversions as printf).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sbuf.h"

#define ELL "\xE2\x80\xA6"

/* sbuf_printf_clip into a fresh buffer; returns the text (static). */
static const char *clipf(int *rc, size_t clip, const char *fmt, ...)
    RFG_PRINTF(3, 4);

static const char *clipf(int *rc, size_t clip, const char *fmt, ...)
{
    static char out[8192];
    struct sbuf b;
    va_list ap;

    sbuf_init(&b, 0);
    va_start(ap, fmt);
    *rc = sbuf_vprintf_clip(&b, clip, fmt, ap);
    va_end(ap);
    snprintf(out, sizeof(out), "%s", sbuf_str(&b));
    sbuf_cleanup(&b);
    return out;
}

static void test_sbuf__cap_is_sticky(void)
{
    struct sbuf b;

    sbuf_init(&b, 8);
    CHECK_INT_EQ(sbuf_adds(&b, "12345678"), RFG_OK);
    CHECK_INT_EQ(sbuf_addc(&b, '9'), RFG_ELIMIT);
    CHECK_INT_EQ(sbuf_adds(&b, ""), RFG_ELIMIT);
    CHECK_STR_EQ(sbuf_str(&b), "12345678");
    sbuf_reset(&b);
    CHECK_INT_EQ(sbuf_printf(&b, "%d", 42), RFG_OK);
    CHECK_STR_EQ(sbuf_str(&b), "42");
    sbuf_cleanup(&b);
}

static void test_sbuf__clipped(void)
{
    struct sbuf b;

    sbuf_init(&b, 0);
    CHECK_INT_EQ(sbuf_add_clipped(&b, "abcdef", 6, 6), RFG_OK);
    CHECK_STR_EQ(sbuf_str(&b), "abcdef");
    sbuf_reset(&b);
    CHECK_INT_EQ(sbuf_add_clipped(&b, "abcdefg", 7, 6), RFG_OK);
    CHECK_STR_EQ(sbuf_str(&b), "abcdef" ELL);
    sbuf_reset(&b);
    /* characters, not bytes: é is two bytes, € three */
    CHECK_INT_EQ(sbuf_add_clipped(&b, "\xC3\xA9\xE2\x82\xAC" "abc", 8, 3),
                 RFG_OK);
    CHECK_STR_EQ(sbuf_str(&b), "\xC3\xA9\xE2\x82\xAC" "a" ELL);
    sbuf_reset(&b);
    CHECK_INT_EQ(sbuf_add_clipped(&b, "abc", 3, 0), RFG_OK);
    CHECK_STR_EQ(sbuf_str(&b), "abc");
    sbuf_cleanup(&b);
}

static void test_sbuf__utf8_trim(void)
{
    const char *s = "a\xE2\x82\xAC" "b\xC3\xA9";   /* a€bé */

    CHECK_INT_EQ(rfg_utf8_trim(s, 0), 0);
    CHECK_INT_EQ(rfg_utf8_trim(s, 1), 1);
    CHECK_INT_EQ(rfg_utf8_trim(s, 2), 1);
    CHECK_INT_EQ(rfg_utf8_trim(s, 3), 1);
    CHECK_INT_EQ(rfg_utf8_trim(s, 4), 4);
    CHECK_INT_EQ(rfg_utf8_trim(s, 5), 5);
    CHECK_INT_EQ(rfg_utf8_trim(s, 6), 5);
    CHECK_INT_EQ(rfg_utf8_trim(s, 7), 7);
    CHECK_INT_EQ(rfg_utf8_trim("\x80\x80", 2), 2);
}

static void test_sbuf__printf_clip(void)
{
    char big[5001];
    const char *s;
    int rc;

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';

    /* A 5000-byte argument becomes 100 characters and an ellipsis. */
    s = clipf(&rc, 100, "image \"%s\" has no tag", big);
    CHECK_INT_EQ(rc, RFG_OK);
    CHECK_INT_EQ(strlen(s), strlen("image \"\" has no tag") + 100 + 3);
    CHECK(!strncmp(s + 7 + 100, ELL "\" has no tag", 15));

    /* Every other conversion prints as printf prints it. */
    s = clipf(&rc, 100, "%d %5d|%-4d|%u %ld %lld %zu %td %x %X %o %c "
                        "%.0f %5.2f %e %g %p %% %hd %hhu %jd",
              -3, 42, 7, 4000000000u, -5L, -6LL, (size_t)7, (ptrdiff_t)-8,
              255u, 255u, 8u, 'q', 2.5, 3.14159, 1e10, 0.5, (void *)0,
              (short)-9, (unsigned char)200, (intmax_t)-10);
    CHECK_INT_EQ(rc, RFG_OK);
    {
        char want[512];

        snprintf(want, sizeof(want),
                 "%d %5d|%-4d|%u %ld %lld %zu %td %x %X %o %c %.0f %5.2f %e "
                 "%g %p %% %hd %hhu %jd",
                 -3, 42, 7, 4000000000u, -5L, -6LL, (size_t)7,
                 (ptrdiff_t)-8, 255u, 255u, 8u, 'q', 2.5, 3.14159, 1e10,
                 0.5, (void *)0, (short)-9, (unsigned char)200,
                 (intmax_t)-10);
        CHECK_STR_EQ(s, want);
    }
    s = clipf(&rc, 100, "[%*d] [%-*d] [%.*f]", 4, 1, 3, 2, 2, 1.0);
    CHECK_INT_EQ(rc, RFG_OK);
    CHECK_STR_EQ(s, "[   1] [2  ] [1.00]");

    /* Short strings, NULL, width and precision. */
    s = clipf(&rc, 100, "[%s] [%5s] [%-5s] [%3s]", "ok", "ab", "cd",
              "\xC3\xA9");
    CHECK_INT_EQ(rc, RFG_OK);
    CHECK_STR_EQ(s, "[ok] [   ab] [cd   ] [  \xC3\xA9]");
    s = clipf(&rc, 100, "[%.3s] [%.3s] [%.*s]", "abcdef", "abc", 2, "xyz");
    CHECK_STR_EQ(s, "[abc" ELL "] [abc] [xy" ELL "]");
    /* A precision that falls inside a character backs up to its start. */
    s = clipf(&rc, 100, "[%.2s]", "a\xE2\x82\xAC" "b");
    CHECK_STR_EQ(s, "[a" ELL "]");
    /* clip 0 is plain printf for strings */
    s = clipf(&rc, 0, "%s", "abcdef");
    CHECK_STR_EQ(s, "abcdef");
    s = clipf(&rc, 3, "%s|%s", "abcdef", "xy");
    CHECK_STR_EQ(s, "abc" ELL "|xy");

    /* %n is refused. */
    {
        struct sbuf b;
        int n = 0;

        sbuf_init(&b, 0);
        CHECK_INT_EQ(sbuf_printf_clip(&b, 10, "ab%n", &n), RFG_EINVAL);
        sbuf_cleanup(&b);
    }
}

int main(void)
{
    RUN(test_sbuf__cap_is_sticky);
    RUN(test_sbuf__clipped);
    RUN(test_sbuf__utf8_trim);
    RUN(test_sbuf__printf_clip);
    return CHECK_DONE();
}
