/* SPDX-License-Identifier: Apache-2.0
 *
 * test_cli.c - unit tests of the option helpers the subcommands share
 * (src/cli/cli.c): option values ("--x V" and "--x=V"), bounded decimals and
 * durations with their unit. Not the subcommands themselves: the tests
 * in tests/cli run the binary.
 */
#include <stdint.h>

#include "check.h"
#include "cli.h"

static void test_cli__opt_value(void)
{
    char *argv[] = {(char *)(uintptr_t)"serve",
                    (char *)(uintptr_t)"--api-deadline",
                    (char *)(uintptr_t)"2s",
                    (char *)(uintptr_t)"--api-deadline=500ms",
                    (char *)(uintptr_t)"--api-deadline"};
    int i = 1;

    CHECK_STR_EQ(cli_opt_value(5, argv, &i, "--api-deadline"), "2s");
    CHECK_INT_EQ(i, 2);
    i = 3;
    CHECK_STR_EQ(cli_opt_value(5, argv, &i, "--api-deadline"), "500ms");
    i = 4;   /* no value left */
    CHECK(cli_opt_value(5, argv, &i, "--api-deadline") == NULL);
    i = 1;
    CHECK(cli_opt_value(5, argv, &i, "--api") == NULL);
}

static void test_cli__duration(void)
{
    unsigned ms = 7;

    CHECK_INT_EQ(cli_parse_duration_ms("2s", 10, 30000, &ms), 0);
    CHECK_INT_EQ(ms, 2000);
    CHECK_INT_EQ(cli_parse_duration_ms("1.5s", 10, 30000, &ms), 0);
    CHECK_INT_EQ(ms, 1500);
    CHECK_INT_EQ(cli_parse_duration_ms("0.25s", 10, 30000, &ms), 0);
    CHECK_INT_EQ(ms, 250);
    CHECK_INT_EQ(cli_parse_duration_ms("1500ms", 10, 30000, &ms), 0);
    CHECK_INT_EQ(ms, 1500);
    CHECK_INT_EQ(cli_parse_duration_ms("30s", 10, 30000, &ms), 0);
    CHECK_INT_EQ(ms, 30000);
    ms = 7;
    /* refused, and *out untouched */
    CHECK_INT_EQ(cli_parse_duration_ms("2", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("-1s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("1.s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("1.5ms", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("0.0001s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("2 s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("2m", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("31s", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("5ms", 10, 30000, &ms), -1);
    CHECK_INT_EQ(cli_parse_duration_ms("99999999999999999999s", 10, 30000,
                                       &ms), -1);
    CHECK_INT_EQ(ms, 7);
}

static void test_cli__uint(void)
{
    unsigned v = 0;

    CHECK_INT_EQ(cli_parse_uint("42", 1, 100, &v), 0);
    CHECK_INT_EQ(v, 42);
    CHECK_INT_EQ(cli_parse_uint("0", 1, 100, &v), -1);
    CHECK_INT_EQ(cli_parse_uint("-3", 0, 100, &v), -1);
    CHECK_INT_EQ(cli_parse_uint("4x", 0, 100, &v), -1);
}

int main(void)
{
    RUN(test_cli__opt_value);
    RUN(test_cli__duration);
    RUN(test_cli__uint);
    return CHECK_DONE();
}
