/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Single-thread cost of lib/ring and lib/mempool, in TSC cycles per element:
 *   ring_{sp_sc,mp_mc}_bulk_{1,8,32}   enqueue n then dequeue n on an empty ring
 *   mempool_cache_bulk_{1,32}          get n then put n through the lcore's cache
 *                                      (rf_mempool_get_bulk / rf_mempool_put_bulk)
 *   mempool_owncache_bulk_{1,32}       the same with the cache pointer fetched once
 *                                      (rf_mempool_generic_get / _put): the
 *                                      difference is the per-call lcore lookup
 * One line per case, "name cycles_per_elem", the best of TRIALS runs (the
 * least disturbed by interrupts and the other core). dpdk_ring_perf.c measures
 * the same cases on DPDK; scripts/bench/ring.sh runs both and compares.
 *
 * This is a benchmark, not a test: it asserts nothing about speed.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "rf_eal.h"
#include "rf_mempool.h"
#include "rf_ring.h"
#include "rf_time.h"

#define RING_SIZE  4096
#define POOL_SIZE  8191
#define POOL_CACHE 256
#define ELEMS	   (1u << 22) /* elements per trial */
#define TRIALS	   15

/*
 * noinline keeps each case one loop the compiler cannot merge with the
 * others; the ring calls themselves are inlined as in a real caller.
 */
static __attribute__((noinline)) double ring_case(struct rf_ring *r, unsigned n, int single)
{
	void *in[32], *out[32];
	double best = 1e30;

	for (unsigned i = 0; i < n; i++)
		in[i] = (void *)(uintptr_t)(0x1000 + 64 * i);
	for (int t = 0; t < TRIALS; t++) {
		unsigned iters = ELEMS / n;
		uint64_t start = rf_tsc();

		if (single) {
			for (unsigned i = 0; i < iters; i++) {
				rf_ring_sp_enqueue_bulk(r, in, n, NULL);
				rf_ring_sc_dequeue_bulk(r, out, n, NULL);
			}
		} else {
			for (unsigned i = 0; i < iters; i++) {
				rf_ring_mp_enqueue_bulk(r, in, n, NULL);
				rf_ring_mc_dequeue_bulk(r, out, n, NULL);
			}
		}
		uint64_t cycles = rf_tsc() - start;
		double per = (double)cycles / ((double)iters * n);
		if (per < best)
			best = per;
		/* Use the output so the dequeue cannot be dropped. */
		if (out[0] != in[0] || !rf_ring_empty(r)) {
			fprintf(stderr, "ring_perf: ring returned wrong data\n");
			exit(1);
		}
	}
	return best;
}

static __attribute__((noinline)) double mempool_case(struct rf_mempool *mp, unsigned n, int own)
{
	struct rf_mempool_cache *cache = rf_mempool_default_cache(mp, rf_lcore_id());
	void *objs[32];
	double best = 1e30;

	for (int t = 0; t < TRIALS; t++) {
		unsigned iters = ELEMS / n;
		uint64_t start = rf_tsc();

		if (own) {
			for (unsigned i = 0; i < iters; i++) {
				if (rf_mempool_generic_get(mp, objs, n, cache) != 0) {
					fprintf(stderr, "mempool_perf: get failed\n");
					exit(1);
				}
				rf_mempool_generic_put(mp, objs, n, cache);
			}
		} else {
			for (unsigned i = 0; i < iters; i++) {
				if (rf_mempool_get_bulk(mp, objs, n) != 0) {
					fprintf(stderr, "mempool_perf: get failed\n");
					exit(1);
				}
				rf_mempool_put_bulk(mp, objs, n);
			}
		}
		uint64_t cycles = rf_tsc() - start;
		double per = (double)cycles / ((double)iters * n);
		if (per < best)
			best = per;
	}
	return best;
}

/*
 * The first CPU we may run on: the EAL pins its main lcore to that CPU, so
 * "-l" must name the one taskset gave us, not move us to CPU 0.
 */
static unsigned first_allowed_cpu(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (unsigned c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				return c;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char lcore[16];
	char *eal_argv[] = {argv[0], "--no-huge",     "-m",	 "64",		"-l",
			    lcore,   "--file-prefix", "rfbench", "--log-level", "err"};
	static const unsigned bulks[] = {1, 8, 32};
	struct rf_ring *r;
	struct rf_mempool *mp;

	(void)argc;
	snprintf(lcore, sizeof(lcore), "%u", first_allowed_cpu());
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "ring_perf: EAL init failed\n");
		return 1;
	}
	if (!rf_time_use_tsc)
		fprintf(stderr, "ring_perf: no invariant TSC, numbers are nanoseconds\n");

	for (int single = 1; single >= 0; single--) {
		r = rf_ring_create("perf", RING_SIZE, -1, 0);
		if (r == NULL) {
			perror("ring_perf: rf_ring_create");
			return 1;
		}
		for (size_t b = 0; b < RF_DIM(bulks); b++)
			printf("ring_%s_bulk_%u %.2f\n", single ? "sp_sc" : "mp_mc", bulks[b],
			       ring_case(r, bulks[b], single));
		rf_ring_free(r);
	}

	mp = rf_mempool_create("perf", POOL_SIZE, 64, POOL_CACHE, 0, NULL, NULL, -1);
	if (mp == NULL) {
		perror("ring_perf: rf_mempool_create");
		return 1;
	}
	printf("mempool_cache_bulk_1 %.2f\n", mempool_case(mp, 1, 0));
	printf("mempool_cache_bulk_32 %.2f\n", mempool_case(mp, 32, 0));
	printf("mempool_owncache_bulk_1 %.2f\n", mempool_case(mp, 1, 1));
	printf("mempool_owncache_bulk_32 %.2f\n", mempool_case(mp, 32, 1));
	rf_mempool_cache_flush(rf_mempool_default_cache(mp, rf_lcore_id()), mp);
	rf_mempool_free(mp);
	rf_eal_cleanup();
	return 0;
}
