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

#endif
