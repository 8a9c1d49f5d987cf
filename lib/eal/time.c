/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Time source selection and TSC calibration.
 *
 * The TSC is only a clock if it ticks at a constant rate in every P- and
 * C-state and is synchronised across cores: the "invariant TSC" of the Intel
 * SDM Vol. 3B §18.17.1 / AMD APM Vol. 3 (CPUID Fn8000_0007 EDX bit 8).
 * Without it rf_tsc() falls back to CLOCK_MONOTONIC in nanoseconds.
 */
#include <errno.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "rf_log.h"
#include "rf_time.h"

#define NS_PER_S      1000000000ull
#define CALIBRATE_NS  20000000ull  /* 20 ms: ~0.1% error from the clock reads */
#define CALIBRATE_MIN 100000000ull /* below 100 MHz the result is not credible */

/*
 * Written once by the first rf_time_init, before the EAL starts any lcore, and
 * never again (later calls return early), so readers on other threads see a
 * value that was published by pthread_create.
 */
int rf_time_use_tsc;

/*
 * The tick rate; 1e9 until calibrated, matching the monotonic fallback that
 * rf_tsc() uses until then. Relaxed: a plain value, it orders nothing.
 */
static _Atomic uint64_t tsc_hz = NS_PER_S;
static _Atomic int calibrated;

static bool cpu_has_invariant_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned eax, ebx, ecx, edx;

	if ((unsigned)__get_cpuid_max(0x80000000, NULL) < 0x80000007u)
		return false;
	if (!__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx))
		return false;
	return (edx >> 8) & 1;
#else
	return false;
#endif
}

static uint64_t raw_ns(void)
{
	struct timespec ts;

	/* MONOTONIC_RAW: not slewed by NTP while we measure. */
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second measured against CLOCK_MONOTONIC_RAW, or 0. */
static uint64_t calibrate_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	struct timespec sleep = {.tv_sec = 0, .tv_nsec = (long)CALIBRATE_NS};
	uint64_t t0 = raw_ns();
	uint64_t c0 = __builtin_ia32_rdtsc();

	while (nanosleep(&sleep, &sleep) != 0 && errno == EINTR)
		;
	uint64_t t1 = raw_ns();
	uint64_t c1 = __builtin_ia32_rdtsc();

	if (t1 <= t0 || c1 <= c0)
		return 0;
	/* 128-bit intermediate: ticks * 1e9 overflows 64 bits after ~18 s at 1 GHz. */
	return (uint64_t)((unsigned __int128)(c1 - c0) * NS_PER_S / (t1 - t0));
#else
	return 0;
#endif
}

int rf_time_init(void)
{
	if (atomic_load_explicit(&calibrated, memory_order_relaxed))
		return 0;

	if (cpu_has_invariant_tsc()) {
		uint64_t hz = calibrate_tsc();

		if (hz >= CALIBRATE_MIN) {
			atomic_store_explicit(&tsc_hz, hz, memory_order_relaxed);
			rf_time_use_tsc = 1;
			RF_LOG(INFO, EAL, "TSC is invariant, %llu.%03llu MHz",
			       (unsigned long long)(hz / 1000000),
			       (unsigned long long)(hz / 1000 % 1000));
		} else {
			RF_LOG(WARNING, EAL, "TSC calibration gave %llu Hz; using CLOCK_MONOTONIC",
			       (unsigned long long)hz);
		}
	} else {
		RF_LOG(INFO, EAL, "no invariant TSC; timing uses CLOCK_MONOTONIC");
	}
	atomic_store_explicit(&calibrated, 1, memory_order_relaxed);
	return 0;
}

uint64_t rf_tsc_hz(void)
{
	return atomic_load_explicit(&tsc_hz, memory_order_relaxed);
}

void rf_delay_us(uint64_t us)
{
	uint64_t start = rf_tsc();
	uint64_t ticks = (uint64_t)((unsigned __int128)us * rf_tsc_hz() / 1000000u);

	while (rf_tsc() - start < ticks)
		rf_pause();
}
