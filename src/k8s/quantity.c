/* SPDX-License-Identifier: Apache-2.0
 *
 * quantity.c - Kubernetes resource quantities ("500m", "1Gi", "1e3"):
 * the syntax the API server accepts, checked by the schema rules, and the
 * value, read by the rules that compare sizes. One parser, so the two
 * never disagree on what a quantity is.
 */
#include "quantity.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static size_t digits(const char **p)
{
    size_t n = 0;

    while (isdigit((unsigned char)**p)) {
        (*p)++;
        n++;
    }
    return n;
}

/* A decimal number as in the quantity grammar: 1, 1., 1.5 or .5 */
static bool qnumber(const char **p)
{
    if (**p == '.') {
        (*p)++;
        return digits(p) > 0;
    }
    if (!digits(p))
        return false;
    if (**p == '.') {
        (*p)++;
        digits(p);
    }
    return true;
}

/* resource.Quantity syntax, by hand: a signed decimal, then a binary
 * suffix (Ki..Ei), a decimal one (n, u, m, k, M..E) or an exponent. */
static bool well_formed(const char *s)
{
    const char *p = s;

    if (*p == '+' || *p == '-')
        p++;
    if (!qnumber(&p))
        return false;
    if (!*p)
        return true;
    if (strchr("KMGTPE", *p) && p[1] == 'i' && !p[2])
        return true;
    if (strchr("numkMGTPE", *p) && !p[1])
        return true;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        return qnumber(&p) && !*p;
    }
    return false;
}

int quantity_parse(const char *s, double *out)
{
    static const struct {
        const char *suffix;
        double mul;
    } units[] = {
        {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0},
        {"Ti", 1099511627776.0}, {"Pi", 1125899906842624.0},
        {"Ei", 1152921504606846976.0}, {"n", 1e-9}, {"u", 1e-6},
        {"m", 1e-3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12},
        {"P", 1e15}, {"E", 1e18}, {"", 1.0},
    };
    char *end;
    double v;
    size_t i;

    if (!s || !well_formed(s))
        return -1;
    if (!out)
        return 0;
    v = strtod(s, &end);
    if (end == s)
        return -1;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcmp(end, units[i].suffix)) {
            *out = v * units[i].mul;
            return 0;
        }
    return -1;
}

