/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Time: the TSC where it is invariant, else CLOCK_MONOTONIC in nanoseconds.
 * rf_tsc() is what the data path reads; rf_tsc_hz() says how fast it ticks.
 */
#ifndef RF_TIME_H
#define RF_TIME_H

#include <stdint.h>
#include <time.h>

#include "rf_common.h"

/* Set by rf_time_init(): true when rf_tsc() reads the TSC. */
extern int rf_time_use_tsc;

static inline uint64_t rf_time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t rf_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (RF_LIKELY(rf_time_use_tsc))
		return __builtin_ia32_rdtsc();
#endif
	return rf_time_mono_ns();
}

/* Calibrate (about 20 ms). 0 or -errno. Safe to call more than once. */
int rf_time_init(void);
/* Ticks of rf_tsc() per second (1e9 for the monotonic fallback). */
uint64_t rf_tsc_hz(void);
/* Busy-wait us microseconds on rf_tsc() (control path and tests). */
void rf_delay_us(uint64_t us);

#endif /* RF_TIME_H */
