/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers every layer uses: cache-line alignment, container_of,
 * branch hints, power-of-two arithmetic.
 */
#ifndef RF_COMMON_H
#define RF_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "rf_config.h"

#define RF_CACHE_LINE     RF_CACHE_LINE_SIZE
#define RF_CACHE_ALIGNED  __attribute__((aligned(RF_CACHE_LINE)))
#define RF_PACKED         __attribute__((packed))
#define RF_UNUSED         __attribute__((unused))
#define RF_LIKELY(x)      __builtin_expect(!!(x), 1)
#define RF_UNLIKELY(x)    __builtin_expect(!!(x), 0)
#define RF_MIN(a, b)      ((a) < (b) ? (a) : (b))
#define RF_MAX(a, b)      ((a) > (b) ? (a) : (b))
#define RF_DIM(a)         (sizeof(a) / sizeof((a)[0]))
#define RF_PRINTF(f, a)   __attribute__((format(printf, f, a)))

/* Recover the enclosing struct from a pointer to one of its members. */
#define rf_container_of(ptr, type, member)                                                         \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

static inline bool rf_is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

/* Smallest power of two >= x; x must be <= 2^31 (returns 0 for larger). */
static inline uint32_t rf_align32pow2(uint32_t x)
{
	if (x <= 1)
		return 1;
	if (x > (1u << 31))
		return 0;
	return 1u << (32 - __builtin_clz(x - 1));
}

static inline uint64_t rf_align_ceil(uint64_t v, uint64_t align)
{
	return (v + align - 1) & ~(align - 1);
}

static inline void rf_prefetch0(const void *p)
{
	__builtin_prefetch(p, 0, 3);
}

/* A hint to the CPU inside a spin loop. */
static inline void rf_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

#endif /* RF_COMMON_H */
