/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/mempool: argument checks, layout and IOVAs, obj_init and
 * obj_iter, single and bulk get/put with and without caches, exhaustion, the
 * cache refill and spill rules, caller-owned caches, counters and dump.
 *
 * The EAL runs with --no-huge (a plain memfd heap) on one lcore (the first CPU
 * we may run on, so a taskset does not break it), so the test
 * needs no hugepages and the main thread has a per-lcore cache.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_eal.h"
#include "rf_mempool.h"

#define ELT 100 /* not a multiple of a cache line: stride must round it up */

/* The lcore the EAL runs us on: the first CPU in our affinity mask. */
static unsigned main_lcore;

static int eal_setup(void **state)
{
	char lcore[16];
	char *argv[] = {"test_mempool", "--no-huge",	 "-l",		 lcore,		"-m",
			"64",		"--file-prefix", "test_mempool", "--log-level", "err"};
	cpu_set_t set;
	(void)state;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -1;
	while (main_lcore < RF_MAX_LCORE && !CPU_ISSET(main_lcore, &set))
		main_lcore++;
	snprintf(lcore, sizeof(lcore), "%u", main_lcore);
	return rf_eal_init((int)RF_DIM(argv), argv) < 0 ? -1 : 0;
}

static int eal_teardown(void **state)
{
	(void)state;
	rf_eal_cleanup();
	return 0;
}

/* Is obj the start of one of mp's objects? */
static int is_pool_obj(const struct rf_mempool *mp, const void *obj)
{
	ptrdiff_t off = (const char *)obj - (const char *)mp->base;
	return off >= 0 && off < (ptrdiff_t)mp->size * mp->stride && off % mp->stride == 0;
}

static void assert_at_rest(const struct rf_mempool *mp, unsigned in_use)
{
	assert_int_equal(rf_mempool_in_use_count(mp), in_use);
	assert_int_equal(rf_mempool_avail_count(mp), mp->size - in_use);
	assert_int_equal(rf_mempool_avail_count(mp) + rf_mempool_in_use_count(mp), mp->size);
}

static struct rf_mempool_cache *my_cache(struct rf_mempool *mp)
{
	return rf_mempool_default_cache(mp, rf_lcore_id());
}

static void test_create_bad_args(void **state)
{
	char long_name[RF_MEMPOOL_NAMESIZE + 4];
	(void)state;

	errno = 0;
	assert_null(rf_mempool_create("p", 0, ELT, 0, 0, NULL, NULL, -1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_mempool_create("p", 64, 0, 0, 0, NULL, NULL, -1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_mempool_create("p", 4096, ELT, RF_MEMPOOL_CACHE_MAX + 1, 0, NULL, NULL, -1));
	assert_int_equal(errno, EINVAL);
	/* A cache whose flush threshold (1.5 x 8 = 12) exceeds the pool (10). */
	errno = 0;
	assert_null(rf_mempool_create("p", 10, ELT, 8, 0, NULL, NULL, -1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_mempool_create(NULL, 64, ELT, 0, 0, NULL, NULL, -1));
	assert_int_equal(errno, EINVAL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	errno = 0;
	assert_null(rf_mempool_create(long_name, 64, ELT, 0, 0, NULL, NULL, -1));
	assert_int_equal(errno, ENAMETOOLONG);
	rf_mempool_free(NULL);
}

static void test_create_layout(void **state)
{
	size_t alloc_before, alloc_after, free_bytes;
	struct rf_mempool *mp;
	(void)state;

	rf_heap_stats(&alloc_before, &free_bytes);
	mp = rf_mempool_create("layout", 100, ELT, 0, 24, NULL, NULL, -1);
	assert_non_null(mp);
	assert_string_equal(mp->name, "layout");
	assert_int_equal(mp->size, 100);
	assert_int_equal(mp->elt_size, ELT);
	assert_int_equal(mp->stride, 128);
	assert_int_equal((uintptr_t)mp->base % RF_CACHE_LINE, 0);
	/* Objects are heap memory, and the IOVA of the base is the heap's answer. */
	assert_non_null(mp->seg);
	assert_ptr_equal(mp->seg, rf_mem_lookup(mp->base));
	assert_int_equal(mp->base_iova, rf_mem_virt2iova(mp->base));
	assert_int_not_equal(mp->base_iova, RF_BAD_IOVA);
	/* The private area is there, zeroed, and writable. */
	assert_int_equal(mp->priv_size, 24);
	assert_non_null(rf_mempool_get_priv(mp));
	for (unsigned i = 0; i < 24; i++)
		assert_int_equal(((unsigned char *)rf_mempool_get_priv(mp))[i], 0);
	memset(rf_mempool_get_priv(mp), 0xab, 24);
	/* A pool with cache_size 0 has no caches. */
	assert_null(rf_mempool_default_cache(mp, main_lcore));
	assert_at_rest(mp, 0);
	assert_true(rf_mempool_full(mp));
	rf_heap_stats(&alloc_after, &free_bytes);
	assert_true(alloc_after >= alloc_before + 100 * 128);
	rf_mempool_free(mp);
	/* Free gives the objects back to the heap. */
	rf_heap_stats(&alloc_after, &free_bytes);
	assert_int_equal(alloc_after, alloc_before);

	mp = rf_mempool_create("nopriv", 64, 64, 0, 0, NULL, NULL, -1);
	assert_non_null(mp);
	assert_null(rf_mempool_get_priv(mp));
	assert_int_equal(mp->stride, 64);
	rf_mempool_free(mp);
}

struct init_log {
	unsigned calls;
	unsigned char seen[256];
	struct rf_mempool *mp;
};

static void obj_init(struct rf_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct init_log *log = arg;

	log->calls++;
	log->mp = mp;
	assert_true(idx < RF_DIM(log->seen));
	log->seen[idx]++;
	assert_ptr_equal(obj, (char *)mp->base + (size_t)idx * mp->stride);
	/* Stamp the object so the test can check it survives get/put. */
	*(uint32_t *)obj = 0xc0de0000u + idx;
}

static void test_obj_init(void **state)
{
	struct init_log log = {0};
	struct rf_mempool *mp;
	void *objs[200];
	(void)state;

	mp = rf_mempool_create("init", 200, ELT, 0, 0, obj_init, &log, -1);
	assert_non_null(mp);
	assert_int_equal(log.calls, 200);
	assert_ptr_equal(log.mp, mp);
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(log.seen[i], 1);
	assert_int_equal(rf_mempool_get_bulk(mp, objs, 200), 0);
	for (unsigned i = 0; i < 200; i++) {
		unsigned idx = (unsigned)(((char *)objs[i] - (char *)mp->base) / mp->stride);
		assert_true(is_pool_obj(mp, objs[i]));
		assert_int_equal(*(uint32_t *)objs[i], 0xc0de0000u + idx);
	}
	rf_mempool_put_bulk(mp, objs, 200);
	rf_mempool_free(mp);
}

static void iter_cb(struct rf_mempool *mp, void *arg, void *obj, unsigned idx)
{
	unsigned *next = arg;

	/* Address order, every index once. */
	assert_int_equal(idx, *next);
	assert_ptr_equal(obj, (char *)mp->base + (size_t)idx * mp->stride);
	(*next)++;
}

static void test_obj_iter(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("iter", 77, 200, 0, 0, NULL, NULL, -1);
	unsigned next = 0;
	void *held[10];
	(void)state;

	assert_non_null(mp);
	/* Objects out of the pool are visited too. */
	assert_int_equal(rf_mempool_get_bulk(mp, held, 10), 0);
	assert_int_equal(rf_mempool_obj_iter(mp, iter_cb, &next), 77);
	assert_int_equal(next, 77);
	assert_int_equal(rf_mempool_obj_iter(mp, NULL, NULL), 0);
	rf_mempool_put_bulk(mp, held, 10);
	rf_mempool_free(mp);
}

static void test_virt2iova(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("iova", 300, 2176, 0, 0, NULL, NULL, -1);
	void *obj = NULL;
	(void)state;

	assert_non_null(mp);
	for (unsigned i = 0; i < 300; i++) {
		assert_int_equal(rf_mempool_get(mp, &obj), 0);
		/* The pool's arithmetic agrees with the heap's per-address answer. */
		assert_int_equal(rf_mempool_virt2iova(mp, obj), rf_mem_virt2iova(obj));
		assert_int_equal(rf_mempool_virt2iova(mp, (char *)obj + 100),
				 rf_mem_virt2iova((char *)obj + 100));
	}
	assert_int_equal(rf_mempool_get(mp, &obj), -ENOENT);
	for (unsigned i = 0; i < 300; i++)
		rf_mempool_put(mp, (char *)mp->base + (size_t)i * mp->stride);
	assert_at_rest(mp, 0);
	rf_mempool_free(mp);
}

static void test_get_put_no_cache(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("nocache", 64, ELT, 0, 0, NULL, NULL, -1);
	void *objs[64], *one = NULL;
	(void)state;

	assert_non_null(mp);
	assert_int_equal(rf_mempool_get(mp, &one), 0);
	assert_true(is_pool_obj(mp, one));
	assert_at_rest(mp, 1);
	rf_mempool_put(mp, one);
	assert_at_rest(mp, 0);

	assert_int_equal(rf_mempool_get_bulk(mp, objs, 20), 0);
	assert_at_rest(mp, 20);
	for (unsigned i = 0; i < 20; i++) {
		assert_true(is_pool_obj(mp, objs[i]));
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	}
	rf_mempool_put_bulk(mp, objs, 20);
	assert_at_rest(mp, 0);
	/* Zero-length requests succeed and change nothing. */
	assert_int_equal(rf_mempool_get_bulk(mp, objs, 0), 0);
	rf_mempool_put_bulk(mp, objs, 0);
	assert_at_rest(mp, 0);
	rf_mempool_free(mp);
}

/* Exhaustion: a get that cannot be met in full takes nothing. */
static void run_exhaustion(struct rf_mempool *mp, struct rf_mempool_cache *cache)
{
	void *objs[64], *more[8];

	assert_int_equal(rf_mempool_generic_get(mp, objs, 30, cache), 0);
	assert_int_equal(rf_mempool_generic_get(mp, objs + 30, 30, cache), 0);
	assert_int_equal(rf_mempool_in_use_count(mp), 60);
	for (unsigned i = 0; i < RF_DIM(more); i++)
		more[i] = NULL;
	assert_int_equal(rf_mempool_generic_get(mp, more, 5, cache), -ENOENT);
	for (unsigned i = 0; i < RF_DIM(more); i++)
		assert_null(more[i]);
	assert_int_equal(rf_mempool_in_use_count(mp), 60);
	assert_int_equal(rf_mempool_avail_count(mp), 4);
	assert_int_equal(rf_mempool_generic_get(mp, objs + 60, 4, cache), 0);
	assert_int_equal(rf_mempool_generic_get(mp, more, 1, cache), -ENOENT);
	assert_int_equal(rf_mempool_avail_count(mp), 0);
	assert_false(rf_mempool_full(mp));
	for (unsigned i = 0; i < 64; i++) {
		assert_true(is_pool_obj(mp, objs[i]));
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(objs[i], objs[j]);
	}
	rf_mempool_generic_put(mp, objs, 64, cache);
	assert_int_equal(rf_mempool_avail_count(mp), 64);
	assert_true(rf_mempool_full(mp));
}

static void test_exhaustion(void **state)
{
	struct rf_mempool *mp;
	struct rf_mempool_cache *cache;
	(void)state;

	mp = rf_mempool_create("exh0", 64, ELT, 0, 0, NULL, NULL, -1);
	assert_non_null(mp);
	run_exhaustion(mp, NULL);
	rf_mempool_free(mp);

	/* Through a per-lcore cache: the cache may hold some, never lose any. */
	mp = rf_mempool_create("exh16", 64, ELT, 16, 0, NULL, NULL, -1);
	assert_non_null(mp);
	assert_non_null(my_cache(mp));
	run_exhaustion(mp, my_cache(mp));
	rf_mempool_cache_flush(my_cache(mp), mp);
	assert_int_equal(rf_ring_count(mp->ring), 64);
	rf_mempool_free(mp);

	/* Through a caller-owned cache. */
	mp = rf_mempool_create("exhown", 64, ELT, 0, 0, NULL, NULL, -1);
	cache = rf_mempool_cache_create(8, -1);
	assert_non_null(mp);
	assert_non_null(cache);
	run_exhaustion(mp, cache);
	rf_mempool_cache_flush(cache, mp);
	assert_int_equal(rf_ring_count(mp->ring), 64);
	rf_mempool_cache_free(cache);
	rf_mempool_free(mp);
}

/*
 * The refill and spill rules of the per-lcore cache (size 32, flush
 * threshold 48), checked through the cache length and the ring count.
 */
static void test_per_lcore_cache(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("lcache", 1024, ELT, 32, 0, NULL, NULL, -1);
	struct rf_mempool_cache *c;
	void *objs[64], *obj, *again;
	(void)state;

	assert_non_null(mp);
	assert_int_equal(rf_lcore_id(), main_lcore);
	c = my_cache(mp);
	assert_ptr_equal(c, &mp->local_cache[main_lcore]);
	assert_int_equal(c->size, 32);
	assert_int_equal(c->flushthresh, 48);
	assert_int_equal(c->len, 0);

	/* First get: refill to size + n from the ring, hand out n. */
	assert_int_equal(rf_mempool_get(mp, &obj), 0);
	assert_int_equal(c->len, 32);
	assert_int_equal(rf_ring_count(mp->ring), 1024 - 33);
	assert_at_rest(mp, 1);

	/* The cache is a stack: what was put last comes back first. */
	rf_mempool_put(mp, obj);
	assert_int_equal(c->len, 33);
	assert_int_equal(rf_mempool_get(mp, &again), 0);
	assert_ptr_equal(again, obj);
	rf_mempool_put(mp, again);

	/* Puts stay in the cache up to the threshold... */
	assert_int_equal(rf_mempool_generic_get(mp, objs, 40, NULL), 0);
	assert_int_equal(c->len, 33);
	rf_mempool_put_bulk(mp, objs, 15);
	assert_int_equal(c->len, 48);
	assert_int_equal(rf_ring_count(mp->ring), 1024 - 33 - 40);
	/* ...and past it the cache spills down to size, the new objects on top. */
	rf_mempool_put_bulk(mp, objs + 15, 16);
	assert_int_equal(c->len, 32);
	assert_ptr_equal(c->objs[31], objs[30]);
	assert_ptr_equal(c->objs[16], objs[15]);
	assert_at_rest(mp, 9);
	rf_mempool_generic_put(mp, objs + 31, 9, NULL);
	assert_at_rest(mp, 0);

	/* Requests larger than the cache go straight to the ring. */
	assert_int_equal(rf_mempool_get_bulk(mp, objs, 33), 0);
	assert_int_equal(c->len, 32);
	assert_int_equal(rf_ring_count(mp->ring), 1024 - 32 - 33);
	rf_mempool_put_bulk(mp, objs, 33);
	assert_int_equal(c->len, 32);
	assert_at_rest(mp, 0);

	/* A get the cache cannot cover refills, keeping the cache at size afterwards. */
	assert_int_equal(rf_mempool_get_bulk(mp, objs, 32), 0);
	assert_int_equal(c->len, 0);
	assert_int_equal(rf_mempool_get_bulk(mp, objs + 32, 10), 0);
	assert_int_equal(c->len, 32);
	rf_mempool_put_bulk(mp, objs, 42);
	assert_int_equal(c->len, 32);
	assert_at_rest(mp, 0);

	/* Flush empties the cache into the ring. */
	rf_mempool_cache_flush(c, mp);
	assert_int_equal(c->len, 0);
	assert_int_equal(rf_ring_count(mp->ring), 1024);
	assert_at_rest(mp, 0);
	rf_mempool_cache_flush(NULL, mp);
	rf_mempool_free(mp);
}

/* When the ring cannot refill to size + n, a get takes just what it lacks. */
static void test_cache_short_refill(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("short", 48, ELT, 32, 0, NULL, NULL, -1);
	struct rf_mempool_cache *c;
	void *objs[48], *more[5];
	(void)state;

	assert_non_null(mp);
	c = my_cache(mp);
	/* Hold 40 outside the cache: 8 left in the ring. */
	assert_int_equal(rf_mempool_generic_get(mp, objs, 40, NULL), 0);
	/* size + n = 36 > 8: falls back to taking the 4 needed. */
	assert_int_equal(rf_mempool_get_bulk(mp, objs + 40, 4), 0);
	assert_int_equal(c->len, 0);
	assert_int_equal(rf_ring_count(mp->ring), 4);
	assert_int_equal(rf_mempool_get_bulk(mp, more, 5), -ENOENT);
	assert_int_equal(rf_ring_count(mp->ring), 4);
	assert_int_equal(rf_mempool_get_bulk(mp, objs + 44, 4), 0);
	assert_int_equal(rf_mempool_avail_count(mp), 0);
	rf_mempool_generic_put(mp, objs, 48, NULL);
	assert_at_rest(mp, 0);
	rf_mempool_free(mp);
}

static void *non_eal_thread(void *arg)
{
	struct rf_mempool *mp = arg;
	void *objs[10];

	/* Not an EAL thread: no lcore, so no cache; gets and puts use the ring. */
	if (rf_lcore_id() != RF_LCORE_ID_ANY || rf_mempool_get_bulk(mp, objs, 10) != 0)
		return (void *)1;
	rf_mempool_put_bulk(mp, objs, 10);
	return NULL;
}

static void test_null_cache_vs_lcore(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("vs", 512, ELT, 16, 0, NULL, NULL, -1);
	struct rf_mempool_cache *c;
	pthread_t t;
	void *objs[8], *ret;
	unsigned ring_before;
	(void)state;

	assert_non_null(mp);
	c = my_cache(mp);
	assert_null(rf_mempool_default_cache(mp, RF_LCORE_ID_ANY));
	assert_null(rf_mempool_default_cache(mp, RF_MAX_LCORE));

	/* NULL cache: exactly n leave the ring, the lcore cache is untouched. */
	ring_before = rf_ring_count(mp->ring);
	assert_int_equal(rf_mempool_generic_get(mp, objs, 8, NULL), 0);
	assert_int_equal(rf_ring_count(mp->ring), ring_before - 8);
	assert_int_equal(c->len, 0);
	rf_mempool_generic_put(mp, objs, 8, NULL);
	assert_int_equal(rf_ring_count(mp->ring), ring_before);
	assert_int_equal(c->len, 0);

	/* Per-lcore cache: the ring gives a whole refill. */
	assert_int_equal(rf_mempool_get_bulk(mp, objs, 8), 0);
	assert_int_equal(rf_ring_count(mp->ring), ring_before - 24);
	assert_int_equal(c->len, 16);
	rf_mempool_put_bulk(mp, objs, 8);
	assert_int_equal(c->len, 24);

	assert_int_equal(pthread_create(&t, NULL, non_eal_thread, mp), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_null(ret);
	assert_int_equal(c->len, 24);
	assert_at_rest(mp, 0);
	rf_mempool_free(mp);
}

static void test_caller_cache(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("own", 256, ELT, 0, 0, NULL, NULL, -1);
	struct rf_mempool_cache *cache;
	void *objs[32];
	(void)state;

	errno = 0;
	assert_null(rf_mempool_cache_create(0, -1));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_mempool_cache_create(RF_MEMPOOL_CACHE_MAX + 1, -1));
	assert_int_equal(errno, EINVAL);

	cache = rf_mempool_cache_create(RF_MEMPOOL_CACHE_MAX, -1);
	assert_non_null(cache);
	assert_int_equal(cache->size, RF_MEMPOOL_CACHE_MAX);
	rf_mempool_cache_free(cache);

	cache = rf_mempool_cache_create(16, -1);
	assert_non_null(cache);
	assert_int_equal((uintptr_t)cache % RF_CACHE_LINE, 0);
	assert_int_equal(cache->size, 16);
	assert_int_equal(cache->flushthresh, 24);
	assert_int_equal(cache->len, 0);

	assert_int_equal(rf_mempool_generic_get(mp, objs, 4, cache), 0);
	assert_int_equal(cache->len, 16);
	assert_int_equal(rf_ring_count(mp->ring), 256 - 20);
	/* The pool does not know caller-owned caches: their objects count as in use. */
	assert_int_equal(rf_mempool_in_use_count(mp), 20);
	rf_mempool_generic_put(mp, objs, 4, cache);
	assert_int_equal(cache->len, 20);
	/* 20 + 8 > 24: spill to size. */
	assert_int_equal(rf_mempool_generic_get(mp, objs, 8, NULL), 0);
	rf_mempool_generic_put(mp, objs, 8, cache);
	assert_int_equal(cache->len, 16);
	rf_mempool_cache_flush(cache, mp);
	assert_int_equal(cache->len, 0);
	assert_at_rest(mp, 0);
	rf_mempool_cache_free(cache);
	rf_mempool_cache_free(NULL);
	rf_mempool_free(mp);
}

static void test_dump(void **state)
{
	struct rf_mempool *mp = rf_mempool_create("dumped", 128, ELT, 16, 0, NULL, NULL, -1);
	void *obj = NULL;
	char *buf = NULL, want[64];
	size_t len = 0;
	FILE *f;
	(void)state;

	assert_non_null(mp);
	assert_int_equal(rf_mempool_get(mp, &obj), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	rf_mempool_dump(f, mp);
	rf_mempool_dump(f, NULL);
	fclose(f);
	assert_non_null(strstr(buf, "dumped"));
	assert_non_null(strstr(buf, "size=128"));
	assert_non_null(strstr(buf, "avail=127"));
	assert_non_null(strstr(buf, "in_use=1"));
	snprintf(want, sizeof(want), "lcore %u: cache len=16", main_lcore);
	assert_non_null(strstr(buf, want));
	free(buf);
	rf_mempool_put(mp, obj);
	rf_mempool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_bad_args),    cmocka_unit_test(test_create_layout),
	    cmocka_unit_test(test_obj_init),	       cmocka_unit_test(test_obj_iter),
	    cmocka_unit_test(test_virt2iova),	       cmocka_unit_test(test_get_put_no_cache),
	    cmocka_unit_test(test_exhaustion),	       cmocka_unit_test(test_per_lcore_cache),
	    cmocka_unit_test(test_cache_short_refill), cmocka_unit_test(test_null_cache_vs_lcore),
	    cmocka_unit_test(test_caller_cache),       cmocka_unit_test(test_dump),
	};
	return cmocka_run_group_tests(tests, eal_setup, eal_teardown);
}
