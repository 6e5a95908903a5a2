/* SPDX-License-Identifier: Apache-2.0
 *
 * test_quantity.c - one parser for Kubernetes resource quantities: the
 * syntax the schema rules check and the value the size rules compare
 * must agree, so strtod's extras (inf, nan, hex, spaces) are refused.
 */
#include <math.h>
#include <stddef.h>

#include "check.h"
#include "quantity.h"

static void test_quantity__values(void)
{
    static const struct {
        const char *s;
        double v;
    } ok[] = {
        {"1", 1},         {"500m", 0.5},       {"1Gi", 1073741824.0},
        {"1.5Mi", 1572864}, {".5", 0.5},       {"1.", 1},
        {"1e3", 1000},    {"1E3", 1000},       {"2E", 2e18},
        {"+2k", 2000},    {"-1", -1},          {"10Ki", 10240},
        {"3n", 3e-9},     {"7u", 7e-6},        {"1.5e-1", 0.15},
    };
    size_t i;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -42;

        CHECK_INT_EQ(quantity_parse(ok[i].s, &v), 0);
        CHECK(fabs(v - ok[i].v) <= fabs(ok[i].v) * 1e-12);
        CHECK_INT_EQ(quantity_parse(ok[i].s, NULL), 0);
    }
}

static void test_quantity__refused(void)
{
    static const char *const bad[] = {
        "", " 1", "1 ", "inf", "nan", "0x10", "1KB", "1gi", "1Kii",
        "1e", "e3", ".", "1..2", "1Mi2", "--1", "1 Gi", "1,5",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v = 0;

        CHECK_INT_EQ(quantity_parse(bad[i], &v), -1);
        CHECK_INT_EQ(quantity_parse(bad[i], NULL), -1);
    }
    CHECK_INT_EQ(quantity_parse(NULL, NULL), -1);
}

int main(void)
{
    RUN(test_quantity__values);
    RUN(test_quantity__refused);
    return CHECK_DONE();
}
