/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cycles per frame of the hash ringfwd-replay's receive matcher computes on
 * every returning frame: XXH3-64 (what the matcher uses) against FNV-1a 64
 * taken a byte at a time (what it used before), at 64, 512 and 1518 bytes.
 * Prints "<hash> <bytes> <median TSC cycles per frame>" lines; asserts
 * nothing. A pass hashes NB_FRAMES distinct frames (an L1/L2-resident burst's
 * worth); the median of TRIALS trials of about TRIAL_CYCLES each is printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <xxhash.h>

#define NB_FRAMES    64
#define TRIAL_CYCLES 300000
#define TRIALS	     101

static uint8_t frames[NB_FRAMES][1518];
static volatile uint64_t sink;

static inline uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t xxh3(const uint8_t *p, size_t len)
{
	return XXH3_64bits(p, len);
}

typedef uint64_t (*hash_fn)(const uint8_t *p, size_t len);

static uint64_t pass(hash_fn f, size_t len)
{
	uint64_t acc = 0;

	for (unsigned i = 0; i < NB_FRAMES; i++)
		acc ^= f(frames[i], len);
	return acc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double measure(hash_fn f, size_t len)
{
	static double c[TRIALS];
	uint64_t t0 = tsc();

	sink = pass(f, len);
	unsigned reps = (unsigned)(TRIAL_CYCLES / (tsc() - t0 + 1)) + 1;
	for (int k = 0; k < TRIALS; k++) {
		t0 = tsc();
		for (unsigned r = 0; r < reps; r++)
			sink = pass(f, len);
		c[k] = (double)(tsc() - t0) / ((double)reps * NB_FRAMES);
	}
	qsort(c, TRIALS, sizeof(c[0]), cmp_double);
	return c[TRIALS / 2];
}

int main(void)
{
	static const size_t sizes[] = {64, 512, 1518};
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < NB_FRAMES; i++)
		for (unsigned j = 0; j < sizeof(frames[i]); j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			frames[i][j] = (uint8_t)x;
		}
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		printf("xxh3 %zu %.1f\n", sizes[s], measure(xxh3, sizes[s]));
		printf("fnv1a %zu %.1f\n", sizes[s], measure(fnv1a, sizes[s]));
	}
	return 0;
}
