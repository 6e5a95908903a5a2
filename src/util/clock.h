/* SPDX-License-Identifier: Apache-2.0
 *
 * clock.h - the monotonic clock every deadline, backoff and latency is
 * measured on. Never the wall clock, which NTP may move.
 */
#ifndef RFG_CLOCK_H
#define RFG_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds and in microseconds. */
uint64_t rfg_mono_ms(void);
uint64_t rfg_mono_us(void);

/* Parse a duration such as 5m, 90s, 1h30m or 1500ms (Go's units ms, s,
 * m and h, whole numbers, as kubectl's flags take them) into
 * milliseconds; "0" alone is 0. -1 when malformed or past 10^8 of a
 * unit. */
int rfg_parse_duration_ms(const char *s, unsigned long long *out);

#endif
