/* SPDX-License-Identifier: Apache-2.0
 *
 * test_diag.c - the diagnostic list: positions and files stamped on each
 * entry, the cap, and messages longer than a diagnostic holds, which are
 * cut on a UTF-8 boundary with an ellipsis (they end up in JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"

/* True when s is well-formed UTF-8 (enough for this test: lead bytes
 * followed by the right number of continuation bytes). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int need = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2
                 : *p >= 0xC0 ? 1 : -1;

        if (need < 0)
            return 0;
        p++;
        while (need-- > 0)
            if ((*p++ & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_diag__basics(void)
{
    struct diag_list dl;
    struct src_pos pos = {3, 7};
    char buf[300];

    diag_list_init(&dl, "a.yaml");
    CHECK_INT_EQ(diag_fail(&dl, RFG_EPARSE, &pos, "bad %s", "thing"),
                 RFG_EPARSE);
    CHECK_INT_EQ(dl.len, 1);
    diag_format(&dl.v[0], buf, sizeof(buf));
    CHECK_STR_EQ(buf, "a.yaml:3:7: bad thing");
    diag_list_cleanup(&dl);
}

static void test_diag__long_message_utf8(void)
{
    struct diag_list dl;
    char big[2000];
    size_t i, off;

    /* Every offset of a 2- and a 3-byte character against the cut. */
    for (off = 0; off < 3; off++) {
        diag_list_init(&dl, NULL);
        memset(big, 'x', off);
        for (i = off; i + 3 < sizeof(big); i += 3)
            memcpy(big + i, "\xE2\x82\xAC", 3);     /* euro sign */
        big[i] = '\0';
        (void)diag_fail(&dl, RFG_EINVAL, NULL, "key %s", big);
        CHECK(utf8_ok(dl.v[0].msg));
        CHECK(strlen(dl.v[0].msg) < sizeof(dl.v[0].msg));
        CHECK(strstr(dl.v[0].msg, "\xE2\x80\xA6") != NULL);
        diag_list_cleanup(&dl);

        diag_list_init(&dl, NULL);
        memset(big, 'x', off);
        for (i = off; i + 2 < sizeof(big); i += 2)
            memcpy(big + i, "\xC3\xA9", 2);
        big[i] = '\0';
        (void)diag_fail(&dl, RFG_EINVAL, NULL, "%s", big);
        CHECK(utf8_ok(dl.v[0].msg));
        diag_list_cleanup(&dl);
    }
    /* A message that fits is left alone. */
    diag_list_init(&dl, NULL);
    (void)diag_fail(&dl, RFG_EINVAL, NULL, "%s", "caf\xC3\xA9");
    CHECK_STR_EQ(dl.v[0].msg, "caf\xC3\xA9");
    diag_list_cleanup(&dl);
}

int main(void)
{
    RUN(test_diag__basics);
    RUN(test_diag__long_message_utf8);
    return CHECK_DONE();
}
