/* SPDX-License-Identifier: Apache-2.0
 *
 * clock.c - monotonic time, and durations as flags and policies spell
 * them (clock.h).
 */
#include "clock.h"

#include <string.h>
#include <time.h>

uint64_t rfg_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t rfg_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int rfg_parse_duration_ms(const char *s, unsigned long long *out)
{
    unsigned long long total = 0, n;
    const char *p = s;

    if (!strcmp(s, "0")) {
        *out = 0;
        return 0;
    }
    if (!*p)
        return -1;
    while (*p) {
        if (*p < '0' || *p > '9')
            return -1;
        for (n = 0; *p >= '0' && *p <= '9'; p++) {
            n = n * 10 + (unsigned)(*p - '0');
            if (n > 100000000ULL)
                return -1;
        }
        if (!strncmp(p, "ms", 2)) {
            p += 2;
        } else if (*p == 's') {
            n *= 1000;
            p++;
        } else if (*p == 'm') {
            n *= 60000;
            p++;
        } else if (*p == 'h') {
            n *= 3600000;
            p++;
        } else {
            return -1;
        }
        total += n;
    }
    *out = total;
    return 0;
}
