/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrent stress of lib/mempool. Threads get and put random bulks, through
 * a cache of their own (rf_mempool_cache_create) or straight through the ring
 * (NULL cache). Each object carries an owner field that a thread claims with a
 * CAS on get and releases on put: if the pool ever hands one object to two
 * threads, the second CAS fails. While it holds an object a thread also writes
 * its id into the object with plain stores and checks it before the put, so
 * under TSan a missing release/acquire in the pool shows as a race (the owner
 * CAS is relaxed on purpose: it must not supply the ordering the pool owes).
 * At the end every cache is flushed and the pool must be whole: avail == size.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_mempool.h"

#define NB_CACHED   4 /* threads with a cache of their own (and some NULL-cache calls) */
#define NB_UNCACHED 2 /* threads that only use the NULL-cache path */
#define NB_THREADS  (NB_CACHED + NB_UNCACHED)
#define POOL_SIZE   2048
#define HOLD_MAX    600
#define BULK_MAX    64
#define OPS	    50000

struct obj {
	_Atomic uint32_t owner; /* 0 = free, else thread id + 1 */
	uint32_t stamp;		/* plain: written by the holder only */
	uint64_t gen;
};

struct worker {
	struct rf_mempool *mp;
	unsigned id;
	unsigned cache_size; /* 0: no cache of its own */
	uint64_t rng;
	unsigned double_alloc, bad_obj, bad_stamp, bad_enoent;
	unsigned long gets, enoent;
};

static uint32_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng >> 16);
}

/*
 * More threads than cores: a thread preempted inside the pool's MP/MC ring
 * between reserving and publishing makes the others spin until it runs again
 * (DPDK's default ring mode has the same property). Waiting outside while a
 * reservation is in flight keeps one preemption from growing into a convoy.
 */
static void wait_ring_idle(const struct rf_ring *r)
{
	while (atomic_load_explicit(&r->prod.head, memory_order_relaxed) !=
		   atomic_load_explicit(&r->prod.tail, memory_order_relaxed) ||
	       atomic_load_explicit(&r->cons.head, memory_order_relaxed) !=
		   atomic_load_explicit(&r->cons.tail, memory_order_relaxed))
		sched_yield();
}

static int is_pool_obj(const struct rf_mempool *mp, const void *p)
{
	ptrdiff_t off = (const char *)p - (const char *)mp->base;
	return off >= 0 && off < (ptrdiff_t)mp->size * mp->stride && off % mp->stride == 0;
}

static void claim(struct worker *w, struct obj *o, uint64_t gen)
{
	uint32_t expect = 0;

	if (!atomic_compare_exchange_strong_explicit(&o->owner, &expect, w->id + 1,
						     memory_order_relaxed, memory_order_relaxed)) {
		w->double_alloc++;
		return;
	}
	o->stamp = w->id;
	o->gen = gen;
}

static void release(struct worker *w, struct obj *o)
{
	uint32_t expect = w->id + 1;

	if (o->stamp != w->id)
		w->bad_stamp++;
	if (!atomic_compare_exchange_strong_explicit(&o->owner, &expect, 0, memory_order_relaxed,
						     memory_order_relaxed))
		w->double_alloc++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rf_mempool *mp = w->mp;
	struct rf_mempool_cache *own = NULL;
	void *held[HOLD_MAX];
	unsigned nheld = 0;

	if (w->cache_size != 0) {
		own = rf_mempool_cache_create(w->cache_size, -1);
		if (own == NULL)
			return (void *)1;
	}
	for (unsigned op = 0; op < OPS; op++) {
		/* A quarter of a cached thread's calls bypass its cache. */
		struct rf_mempool_cache *cache = (own != NULL && rnd(w) % 4 != 0) ? own : NULL;
		unsigned n = 1 + rnd(w) % BULK_MAX;

		wait_ring_idle(mp->ring);
		if ((rnd(w) & 1) && nheld + n <= HOLD_MAX) {
			for (unsigned i = 0; i < n; i++)
				held[nheld + i] = NULL;
			if (rf_mempool_generic_get(mp, &held[nheld], n, cache) != 0) {
				/* All or nothing: a failed get must not have written anything. */
				for (unsigned i = 0; i < n; i++)
					if (held[nheld + i] != NULL)
						w->bad_enoent++;
				w->enoent++;
				continue;
			}
			w->gets++;
			for (unsigned i = 0; i < n; i++) {
				if (!is_pool_obj(mp, held[nheld + i])) {
					w->bad_obj++;
					return NULL;
				}
				claim(w, held[nheld + i], op);
			}
			nheld += n;
		} else if (nheld > 0) {
			/* Put a random run from the middle, to mix objects up. */
			unsigned k = n < nheld ? n : nheld;
			unsigned from = rnd(w) % (nheld - k + 1);

			for (unsigned i = 0; i < k; i++)
				release(w, held[from + i]);
			rf_mempool_generic_put(mp, &held[from], k, cache);
			memmove(&held[from], &held[from + k], (nheld - from - k) * sizeof(void *));
			nheld -= k;
		}
	}
	for (unsigned i = 0; i < nheld; i++)
		release(w, held[i]);
	wait_ring_idle(mp->ring);
	rf_mempool_generic_put(mp, held, nheld, own);
	rf_mempool_cache_flush(own, mp);
	rf_mempool_cache_free(own);
	return NULL;
}

static int heap_setup(void **state)
{
	struct rf_mem_config cfg = {
	    .no_huge = 1,
	    .initial_len = 16u << 20,
	    .iova_mode = RF_IOVA_VA,
	    .prefix = "test_mempool_stress",
	};
	(void)state;
	return rf_heap_init(&cfg) == 0 ? 0 : -1;
}

static int heap_teardown(void **state)
{
	(void)state;
	rf_heap_fini();
	return 0;
}

static void check_free(struct rf_mempool *mp, void *arg, void *p, unsigned idx)
{
	struct obj *o = p;
	unsigned *busy = arg;

	(void)mp;
	(void)idx;
	if (atomic_load_explicit(&o->owner, memory_order_relaxed) != 0)
		(*busy)++;
}

static void test_concurrent_get_put(void **state)
{
	static const unsigned cache_sizes[NB_CACHED] = {8, 32, 128, 256};
	struct rf_mempool *mp;
	struct worker w[NB_THREADS];
	pthread_t tids[NB_THREADS];
	unsigned long gets = 0, enoent = 0;
	unsigned busy = 0;
	(void)state;

	/* The pool's own per-lcore caches stay unused: these threads are not lcores. */
	mp = rf_mempool_create("stress", POOL_SIZE, sizeof(struct obj), 64, 0, NULL, NULL, -1);
	assert_non_null(mp);
	for (unsigned i = 0; i < NB_THREADS; i++) {
		w[i] = (struct worker){.mp = mp,
				       .id = i,
				       .cache_size = i < NB_CACHED ? cache_sizes[i] : 0,
				       .rng = 0x2545f4914f6cdd1dull * (i + 1)};
		assert_int_equal(pthread_create(&tids[i], NULL, worker_main, &w[i]), 0);
	}
	for (unsigned i = 0; i < NB_THREADS; i++) {
		void *ret;
		assert_int_equal(pthread_join(tids[i], &ret), 0);
		assert_null(ret);
	}
	for (unsigned i = 0; i < NB_THREADS; i++) {
		assert_int_equal(w[i].double_alloc, 0);
		assert_int_equal(w[i].bad_obj, 0);
		assert_int_equal(w[i].bad_stamp, 0);
		assert_int_equal(w[i].bad_enoent, 0);
		gets += w[i].gets;
		enoent += w[i].enoent;
	}
	/* The run did real work. */
	assert_true(gets > NB_THREADS * OPS / 4);
	print_message("%lu successful gets, %lu -ENOENT\n", gets, enoent);

	/* Everything is back: exactly size, all in the ring, nobody owns anything. */
	assert_int_equal(rf_mempool_avail_count(mp), POOL_SIZE);
	assert_int_equal(rf_mempool_in_use_count(mp), 0);
	assert_int_equal(rf_ring_count(mp->ring), POOL_SIZE);
	assert_int_equal(rf_mempool_obj_iter(mp, check_free, &busy), POOL_SIZE);
	assert_int_equal(busy, 0);
	rf_mempool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_concurrent_get_put),
	};
	return cmocka_run_group_tests(tests, heap_setup, heap_teardown);
}
