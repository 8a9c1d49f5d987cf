/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cases of ring_perf.c on DPDK's rte_ring and rte_mempool, measured the
 * same way (same ring size, pool size, cache size, loop shape and trial
 * count), so scripts/bench/ring.sh can print the two side by side. Output:
 * "name cycles_per_elem" lines with the same names.
 */
#include <stdint.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#define RING_SIZE  4096
#define POOL_SIZE  8191
#define POOL_CACHE 256
#define ELEMS	   (1u << 22)
#define TRIALS	   15

static __attribute__((noinline)) double ring_case(struct rte_ring *r, unsigned n, int single)
{
	void *in[32], *out[32];
	double best = 1e30;

	for (unsigned i = 0; i < n; i++)
		in[i] = (void *)(uintptr_t)(0x1000 + 64 * i);
	for (int t = 0; t < TRIALS; t++) {
		unsigned iters = ELEMS / n;
		uint64_t start = rte_rdtsc();

		if (single) {
			for (unsigned i = 0; i < iters; i++) {
				rte_ring_sp_enqueue_bulk(r, in, n, NULL);
				rte_ring_sc_dequeue_bulk(r, out, n, NULL);
			}
		} else {
			for (unsigned i = 0; i < iters; i++) {
				rte_ring_mp_enqueue_bulk(r, in, n, NULL);
				rte_ring_mc_dequeue_bulk(r, out, n, NULL);
			}
		}
		uint64_t cycles = rte_rdtsc() - start;
		double per = (double)cycles / ((double)iters * n);
		if (per < best)
			best = per;
		if (out[0] != in[0] || !rte_ring_empty(r)) {
			fprintf(stderr, "dpdk_ring_perf: ring returned wrong data\n");
			exit(1);
		}
	}
	return best;
}

static __attribute__((noinline)) double mempool_case(struct rte_mempool *mp, unsigned n, int own)
{
	struct rte_mempool_cache *cache = rte_mempool_default_cache(mp, rte_lcore_id());
	void *objs[32];
	double best = 1e30;

	for (int t = 0; t < TRIALS; t++) {
		unsigned iters = ELEMS / n;
		uint64_t start = rte_rdtsc();

		if (own) {
			for (unsigned i = 0; i < iters; i++) {
				if (rte_mempool_generic_get(mp, objs, n, cache) != 0) {
					fprintf(stderr, "dpdk_mempool_perf: get failed\n");
					exit(1);
				}
				rte_mempool_generic_put(mp, objs, n, cache);
			}
		} else {
			for (unsigned i = 0; i < iters; i++) {
				if (rte_mempool_get_bulk(mp, objs, n) != 0) {
					fprintf(stderr, "dpdk_mempool_perf: get failed\n");
					exit(1);
				}
				rte_mempool_put_bulk(mp, objs, n);
			}
		}
		uint64_t cycles = rte_rdtsc() - start;
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
	char *eal_argv[] = {argv[0],
			    "--no-huge",
			    "-m",
			    "256",
			    "--no-pci",
			    "-l",
			    lcore,
			    "--file-prefix=rfbench",
			    "--log-level=error"};
	static const unsigned bulks[] = {1, 8, 32};
	struct rte_ring *r;
	struct rte_mempool *mp;

	(void)argc;
	snprintf(lcore, sizeof(lcore), "%u", first_allowed_cpu());
	if (rte_eal_init((int)RTE_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "dpdk_ring_perf: rte_eal_init failed\n");
		return 1;
	}
	for (int single = 1; single >= 0; single--) {
		r = rte_ring_create("perf", RING_SIZE, SOCKET_ID_ANY,
				    single ? RING_F_SP_ENQ | RING_F_SC_DEQ : 0);
		if (r == NULL) {
			fprintf(stderr, "dpdk_ring_perf: rte_ring_create failed\n");
			return 1;
		}
		for (size_t b = 0; b < RTE_DIM(bulks); b++)
			printf("ring_%s_bulk_%u %.2f\n", single ? "sp_sc" : "mp_mc", bulks[b],
			       ring_case(r, bulks[b], single));
		rte_ring_free(r);
	}

	/* Default ops: an MP/MC rte_ring, like ours. */
	mp = rte_mempool_create("perf", POOL_SIZE, 64, POOL_CACHE, 0, NULL, NULL, NULL, NULL,
				SOCKET_ID_ANY, 0);
	if (mp == NULL) {
		fprintf(stderr, "dpdk_ring_perf: rte_mempool_create failed\n");
		return 1;
	}
	printf("mempool_cache_bulk_1 %.2f\n", mempool_case(mp, 1, 0));
	printf("mempool_cache_bulk_32 %.2f\n", mempool_case(mp, 32, 0));
	printf("mempool_owncache_bulk_1 %.2f\n", mempool_case(mp, 1, 1));
	printf("mempool_owncache_bulk_32 %.2f\n", mempool_case(mp, 32, 1));
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
