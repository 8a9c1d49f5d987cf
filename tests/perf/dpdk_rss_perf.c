/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DPDK side of rss_perf.c: cycles per IPv4+UDP Toeplitz hash with
 * rte_softrss() (the key as given) and rte_softrss_be() (the key converted
 * once by rte_convert_rss_key()), both static inline in DPDK's rte_thash.h.
 * No EAL: neither function needs it, and the program links no DPDK library.
 *
 * Same tuples (same generator and seed), same key, same harness and output
 * as rss_perf.c. DPDK wants the tuple in CPU order, so each hash first loads
 * it from the wire-order fields, as a receive path must.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

#define NB_TUPLES    1024
#define TRIAL_CYCLES 300000 /* ~0.1 ms: most trials run without a preemption */
#define TRIALS	     201

struct tuple {
	uint32_t src, dst;     /* network order */
	uint16_t sport, dport; /* network order */
};

/* Microsoft RSS specification, "Verifying the RSS Hash Calculation". */
static const uint8_t default_key[40] __attribute__((aligned(4))) = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* Shared with rss_perf.c: same seed, same sequence. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void make_tuples(struct tuple *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t p = rnd32();
		t[i].src = rnd32();
		t[i].dst = rnd32();
		t[i].sport = (uint16_t)(p >> 16);
		t[i].dport = (uint16_t)p;
	}
}

static inline uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

static volatile uint32_t sink;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef uint32_t (*pass_fn)(const void *arg);

static double measure(pass_fn pass, const void *arg, unsigned n)
{
	static double c[TRIALS];
	uint64_t t0 = tsc();
	unsigned reps;

	sink = pass(arg); /* warm the tables, the caches and the branch predictors */
	reps = (unsigned)(TRIAL_CYCLES / (tsc() - t0 + 1)) + 1;
	for (unsigned r = 0; r < 4 * reps; r++)
		sink = pass(arg);
	for (int k = 0; k < TRIALS; k++) {
		t0 = tsc();
		for (unsigned r = 0; r < reps; r++)
			sink = pass(arg);
		c[k] = (double)(tsc() - t0) / ((double)reps * n);
	}
	qsort(c, TRIALS, sizeof(c[0]), cmp_double);
	return c[TRIALS / 2];
}

struct hash_arg {
	const uint8_t *key;
	const struct tuple *t;
};

static inline void load_tuple(union rte_thash_tuple *u, const struct tuple *t)
{
	u->v4.src_addr = rte_be_to_cpu_32(t->src);
	u->v4.dst_addr = rte_be_to_cpu_32(t->dst);
	u->v4.sport = rte_be_to_cpu_16(t->sport);
	u->v4.dport = rte_be_to_cpu_16(t->dport);
}

static uint32_t pass_softrss(const void *p)
{
	const struct hash_arg *a = p;
	union rte_thash_tuple u;
	uint32_t acc = 0;

	for (unsigned i = 0; i < NB_TUPLES; i++) {
		load_tuple(&u, &a->t[i]);
		acc ^= rte_softrss((uint32_t *)&u, RTE_THASH_V4_L4_LEN, a->key);
	}
	return acc;
}

static uint32_t pass_softrss_be(const void *p)
{
	const struct hash_arg *a = p;
	union rte_thash_tuple u;
	uint32_t acc = 0;

	for (unsigned i = 0; i < NB_TUPLES; i++) {
		load_tuple(&u, &a->t[i]);
		acc ^= rte_softrss_be((uint32_t *)&u, RTE_THASH_V4_L4_LEN, a->key);
	}
	return acc;
}

int main(void)
{
	static struct tuple t[NB_TUPLES];
	static uint8_t key_be[sizeof(default_key)] __attribute__((aligned(4)));

	make_tuples(t, NB_TUPLES);
	rte_convert_rss_key((const uint32_t *)default_key, (uint32_t *)key_be,
			    (int)sizeof(default_key));

	struct hash_arg orig = {default_key, t}, conv = {key_be, t};

	printf("rte_softrss %.2f %08x\n", measure(pass_softrss, &orig, NB_TUPLES),
	       pass_softrss(&orig));
	printf("rte_softrss_be %.2f %08x\n", measure(pass_softrss_be, &conv, NB_TUPLES),
	       pass_softrss_be(&conv));
	return 0;
}
