/* SPDX-License-Identifier: Apache-2.0
 *
 * test_re2.c - re2_check() gives Go's verdict. The verdicts live in
 * tests/re2/patterns.txt, which tests/re2/go_verdicts.go proves against
 * Go's regexp.Compile (ctest cli.re2_go): here every one must match,
 * including the seven a hand-written checker once got wrong. Also the
 * error buffer's contract.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "re2_check.h"

/* Whether re2_check calls `re` valid; its reason goes to `why`. */
static bool valid(const char *re, char *why, size_t len)
{
    return re2_check(re, why, len) == RFG_OK;
}

static void test_re2__table(void)
{
    char path[1024], line[16384], why[200];
    unsigned lineno = 0, n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/re2/patterns.txt", RFG_TEST_DIR);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        char *tab;
        bool want;

        lineno++;
        CHECK(strchr(line, '\n') || feof(f));     /* fits the buffer */
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        tab = strchr(line, '\t');
        CHECK(tab != NULL);
        if (!tab)
            continue;
        *tab = '\0';
        CHECK(!strcmp(line, "valid") || !strcmp(line, "invalid"));
        want = !strcmp(line, "valid");
        n++;
        if (valid(tab + 1, why, sizeof(why)) != want) {
            fprintf(stderr, "patterns.txt:%u: \"%.60s\": Go says %s, "
                    "re2_check says %s (%s)\n", lineno, tab + 1, line,
                    want ? "invalid" : "valid", why);
            CHECK(0);
        }
        CHECK(want == !why[0]);
    }
    fclose(f);
    CHECK(n >= 24);
}

/* The seven the old checker got wrong, in case the table loses them. */
static void test_re2__seven(void)
{
    static const char *const invalid[] = {
        "[z-a]", "\\Z", "[[:foo:]]", "\\p{Foo}", "\\C",
    };
    char why[200];
    size_t i;

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        CHECK(!valid(invalid[i], why, sizeof(why)));
    CHECK(valid("\\Q(\\E", why, sizeof(why)));
    CHECK_STR_EQ(why, "");
}

static void test_re2__reasons(void)
{
    char why[200], deep[2002];

    CHECK_INT_EQ(re2_check("^app(", why, sizeof(why)), RFG_EINVAL);
    CHECK_STR_EQ(why, "missing ): ^app(");
    CHECK_INT_EQ(re2_check("x\\C", why, sizeof(why)), RFG_EINVAL);
    CHECK_STR_EQ(why, "invalid escape sequence: \\C");
    CHECK_INT_EQ(re2_check("[z-a]", why, sizeof(why)), RFG_EINVAL);
    CHECK_CONTAINS(why, "z-a");
    /* Go's depth limit, which libre2 lacks: 1000 nested groups are
     * too many, 999 are not. */
    memset(deep, '(', 1000);
    deep[1000] = 'a';
    memset(deep + 1001, ')', 1000);
    deep[2001] = '\0';
    CHECK_INT_EQ(re2_check(deep, why, sizeof(why)), RFG_EINVAL);
    CHECK_STR_EQ(why, "expression nests too deeply");
    deep[2000] = '\0';
    CHECK_INT_EQ(re2_check(deep + 1, why, sizeof(why)), RFG_OK);
    /* Too big for RE2's program budget is still valid syntax. */
    CHECK_INT_EQ(re2_check("\\pL{1000}\\pN{1000}", why, sizeof(why)),
                 RFG_OK);
}

static void test_re2__err_buffer(void)
{
    char why[6];

    memset(why, 'x', sizeof(why));
    CHECK_INT_EQ(re2_check("(", why, sizeof(why)), RFG_EINVAL);
    CHECK_STR_EQ(why, "missi");
    CHECK_INT_EQ(re2_check("(", NULL, 0), RFG_EINVAL);
    CHECK_INT_EQ(re2_check("a", NULL, 0), RFG_OK);
    CHECK_INT_EQ(re2_check("a", why, 1), RFG_OK);
    CHECK_STR_EQ(why, "");
}

int main(void)
{
    RUN(test_re2__table);
    RUN(test_re2__seven);
    RUN(test_re2__reasons);
    RUN(test_re2__err_buffer);
    return CHECK_DONE();
}
