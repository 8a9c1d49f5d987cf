/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ring, single-threaded: sizes and flags, the all-or-nothing
 * and as-many-as-fit rules at full and empty, counters, FIFO order, the
 * wrap-around of the free-running 32-bit indexes, and the SP/SC dispatch.
 * Concurrency is in test_ring_stress.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_ring.h"

/* Distinct, recognisable pointer values. */
static void *val(uintptr_t i)
{
	return (void *)(0x1000 + i * 8);
}

/* Put every head and tail at idx: an empty ring whose next slot is idx. */
static void set_indexes(struct rf_ring *r, uint32_t idx)
{
	atomic_store(&r->prod.head, idx);
	atomic_store(&r->prod.tail, idx);
	atomic_store(&r->cons.head, idx);
	atomic_store(&r->cons.tail, idx);
}

static void test_memsize(void **state)
{
	(void)state;
	assert_int_equal(rf_ring_get_memsize(0), 0);
	assert_int_equal(rf_ring_get_memsize(3), 0);
	assert_int_equal(rf_ring_get_memsize(1000), 0);
	assert_true(rf_ring_get_memsize(16) >= sizeof(struct rf_ring) + 16 * sizeof(void *));
	assert_int_equal(rf_ring_get_memsize(16) % RF_CACHE_LINE, 0);
	assert_true(rf_ring_get_memsize(1024) > rf_ring_get_memsize(512));
}

static void test_layout(void **state)
{
	(void)state;
	/* Producer and consumer indexes must not share a cache line. */
	assert_int_equal(offsetof(struct rf_ring, prod) % RF_CACHE_LINE, 0);
	assert_int_equal(offsetof(struct rf_ring, cons) % RF_CACHE_LINE, 0);
	assert_true(offsetof(struct rf_ring, cons) - offsetof(struct rf_ring, prod) >=
		    RF_CACHE_LINE);
	assert_true(offsetof(struct rf_ring, slots) - offsetof(struct rf_ring, cons) >=
		    RF_CACHE_LINE);
}

static void test_create_bad_args(void **state)
{
	static const unsigned bad_counts[] = {0, 1, 3, 1000, 0x80000001u, 0xffffffffu};
	char long_name[RF_RING_NAMESIZE + 1];
	(void)state;

	for (size_t i = 0; i < RF_DIM(bad_counts); i++) {
		errno = 0;
		assert_null(rf_ring_create("bad", bad_counts[i], -1, 0));
		assert_int_equal(errno, EINVAL);
	}
	errno = 0;
	assert_null(rf_ring_create("bad", 0, -1, RF_RING_F_EXACT_SZ));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_ring_create("bad", RF_RING_SZ_MAX, -1, RF_RING_F_EXACT_SZ));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_ring_create("bad", 16, -1, 0x100));
	assert_int_equal(errno, EINVAL);

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	errno = 0;
	assert_null(rf_ring_create(long_name, 16, -1, 0));
	assert_int_equal(errno, ENAMETOOLONG);
	/* The longest name that fits is accepted. */
	long_name[RF_RING_NAMESIZE - 1] = '\0';
	struct rf_ring *r = rf_ring_create(long_name, 16, -1, 0);
	assert_non_null(r);
	assert_string_equal(r->name, long_name);
	rf_ring_free(r);
	rf_ring_free(NULL);
}

static void test_create_sizes(void **state)
{
	struct rf_ring *r;
	(void)state;

	r = rf_ring_create("pow2", 16, -1, 0);
	assert_non_null(r);
	assert_string_equal(r->name, "pow2");
	assert_int_equal(r->size, 16);
	assert_int_equal(r->mask, 15);
	assert_int_equal(rf_ring_get_capacity(r), 15);
	assert_int_equal(rf_ring_get_size(r), 16);
	assert_int_equal(rf_ring_count(r), 0);
	assert_int_equal(rf_ring_free_count(r), 15);
	assert_true(rf_ring_empty(r));
	assert_false(rf_ring_full(r));
	rf_ring_free(r);

	/* EXACT_SZ: a non-power-of-two count is the capacity. */
	r = rf_ring_create("exact", 1000, -1, RF_RING_F_EXACT_SZ);
	assert_non_null(r);
	assert_int_equal(r->size, 1024);
	assert_int_equal(rf_ring_get_capacity(r), 1000);
	assert_int_equal(rf_ring_free_count(r), 1000);
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(rf_ring_enqueue(r, val(i)), 0);
	assert_true(rf_ring_full(r));
	assert_int_equal(rf_ring_enqueue(r, val(0)), -ENOBUFS);
	rf_ring_free(r);

	/* EXACT_SZ with a power of two: the array doubles, capacity is count. */
	r = rf_ring_create("exact2", 1024, -1, RF_RING_F_EXACT_SZ);
	assert_non_null(r);
	assert_int_equal(r->size, 2048);
	assert_int_equal(rf_ring_get_capacity(r), 1024);
	rf_ring_free(r);

	/* The smallest ring: two slots, one entry. */
	r = rf_ring_create("two", 2, -1, 0);
	assert_non_null(r);
	assert_int_equal(rf_ring_get_capacity(r), 1);
	assert_int_equal(rf_ring_enqueue(r, val(1)), 0);
	assert_int_equal(rf_ring_enqueue(r, val(2)), -ENOBUFS);
	rf_ring_free(r);
}

static void test_init_caller_memory(void **state)
{
	size_t bytes = rf_ring_get_memsize(32);
	struct rf_ring *r = aligned_alloc(RF_CACHE_LINE, bytes);
	void *out = NULL;
	char long_name[RF_RING_NAMESIZE + 8];
	(void)state;

	assert_non_null(r);
	assert_int_equal(rf_ring_init(r, "mine", 32, RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ), 0);
	assert_int_equal(rf_ring_get_capacity(r), 31);
	assert_int_equal(r->flags, RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ);
	assert_int_equal(rf_ring_enqueue(r, val(7)), 0);
	assert_int_equal(rf_ring_dequeue(r, &out), 0);
	assert_ptr_equal(out, val(7));

	assert_int_equal(rf_ring_init(r, "x", 33, 0), -EINVAL);
	assert_int_equal(rf_ring_init(r, "x", 32, 0x80), -EINVAL);
	assert_int_equal(rf_ring_init(NULL, "x", 32, 0), -EINVAL);
	memset(long_name, 'y', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(rf_ring_init(r, long_name, 32, 0), -ENAMETOOLONG);
	/* A NULL name is an empty one. */
	assert_int_equal(rf_ring_init(r, NULL, 32, 0), 0);
	assert_string_equal(r->name, "");
	free(r);
}

static void test_single_fifo(void **state)
{
	struct rf_ring *r = rf_ring_create("fifo", 8, -1, 0);
	void *out;
	(void)state;

	assert_non_null(r);
	for (uintptr_t i = 0; i < 7; i++) {
		assert_int_equal(rf_ring_enqueue(r, val(i)), 0);
		assert_int_equal(rf_ring_count(r), i + 1);
		assert_int_equal(rf_ring_free_count(r), 6 - i);
	}
	assert_true(rf_ring_full(r));
	assert_int_equal(rf_ring_enqueue(r, val(99)), -ENOBUFS);
	assert_int_equal(rf_ring_count(r), 7);
	for (uintptr_t i = 0; i < 7; i++) {
		assert_int_equal(rf_ring_dequeue(r, &out), 0);
		assert_ptr_equal(out, val(i));
	}
	assert_true(rf_ring_empty(r));
	out = val(123);
	assert_int_equal(rf_ring_dequeue(r, &out), -ENOENT);
	/* A failed dequeue leaves the output alone. */
	assert_ptr_equal(out, val(123));
	rf_ring_free(r);
}

static void test_bulk_full(void **state)
{
	struct rf_ring *r = rf_ring_create("full", 16, -1, 0);
	void *in[16], *out[16];
	unsigned free_space = 1234;
	(void)state;

	for (uintptr_t i = 0; i < RF_DIM(in); i++)
		in[i] = val(i);
	assert_int_equal(rf_ring_enqueue_bulk(r, in, 10, &free_space), 10);
	assert_int_equal(free_space, 5);

	/* Bulk: 6 do not fit in 5, so nothing goes in. */
	free_space = 1234;
	assert_int_equal(rf_ring_mp_enqueue_bulk(r, in + 10, 6, &free_space), 0);
	assert_int_equal(free_space, 5);
	assert_int_equal(rf_ring_sp_enqueue_bulk(r, in + 10, 6, NULL), 0);
	assert_int_equal(rf_ring_count(r), 10);
	assert_int_equal(atomic_load(&r->prod.head), 10);
	assert_int_equal(atomic_load(&r->prod.tail), 10);

	/* Burst: as many as fit. */
	free_space = 1234;
	assert_int_equal(rf_ring_enqueue_burst(r, in + 10, 6, &free_space), 5);
	assert_int_equal(free_space, 0);
	assert_true(rf_ring_full(r));
	assert_int_equal(rf_ring_mp_enqueue_burst(r, in, 4, &free_space), 0);
	assert_int_equal(rf_ring_sp_enqueue_burst(r, in, 4, NULL), 0);
	assert_int_equal(free_space, 0);

	/* Everything comes out in order: 0..9 then 10..14. */
	assert_int_equal(rf_ring_dequeue_bulk(r, out, 15, NULL), 15);
	for (uintptr_t i = 0; i < 15; i++)
		assert_ptr_equal(out[i], val(i));
	rf_ring_free(r);
}

static void test_bulk_empty(void **state)
{
	struct rf_ring *r = rf_ring_create("empty", 16, -1, 0);
	void *in[8], *out[8];
	unsigned avail = 1234;
	(void)state;

	for (uintptr_t i = 0; i < RF_DIM(in); i++)
		in[i] = val(i);
	assert_int_equal(rf_ring_dequeue_bulk(r, out, 1, &avail), 0);
	assert_int_equal(avail, 0);
	assert_int_equal(rf_ring_dequeue_burst(r, out, 8, &avail), 0);

	assert_int_equal(rf_ring_enqueue_bulk(r, in, 3, NULL), 3);
	/* Bulk: 4 wanted, 3 there, nothing taken. */
	avail = 1234;
	assert_int_equal(rf_ring_mc_dequeue_bulk(r, out, 4, &avail), 0);
	assert_int_equal(avail, 3);
	assert_int_equal(rf_ring_sc_dequeue_bulk(r, out, 4, NULL), 0);
	assert_int_equal(rf_ring_count(r), 3);
	assert_int_equal(atomic_load(&r->cons.head), 0);

	/* Burst: takes the 3. */
	avail = 1234;
	assert_int_equal(rf_ring_mc_dequeue_burst(r, out, 4, &avail), 3);
	assert_int_equal(avail, 0);
	for (uintptr_t i = 0; i < 3; i++)
		assert_ptr_equal(out[i], val(i));
	assert_int_equal(rf_ring_sc_dequeue_burst(r, out, 4, NULL), 0);

	/* A partial burst reports what is left. */
	assert_int_equal(rf_ring_enqueue_bulk(r, in, 8, NULL), 8);
	assert_int_equal(rf_ring_sc_dequeue_burst(r, out, 5, &avail), 5);
	assert_int_equal(avail, 3);
	assert_int_equal(rf_ring_dequeue_burst(r, out, 8, &avail), 3);
	assert_ptr_equal(out[0], val(5));
	assert_ptr_equal(out[2], val(7));

	/* Zero-length requests do nothing and succeed trivially. */
	assert_int_equal(rf_ring_enqueue_bulk(r, in, 0, NULL), 0);
	assert_int_equal(rf_ring_dequeue_burst(r, out, 0, NULL), 0);
	assert_true(rf_ring_empty(r));
	rf_ring_free(r);
}

/*
 * The indexes wrap from UINT32_MAX to 0. Start an empty ring just below the
 * wrap and push enough through that both the 32-bit counters and the slot
 * position (idx & mask) wrap inside one bulk.
 */
static void test_index_wrap(void **state)
{
	struct rf_ring *r = rf_ring_create("wrap", 8, -1, 0);
	void *in[7], *out[7];
	unsigned free_space, avail;
	(void)state;

	for (uintptr_t i = 0; i < RF_DIM(in); i++)
		in[i] = val(i);
	for (uint32_t start = UINT32_MAX - 9; start != 5; start++) {
		set_indexes(r, start);
		assert_true(rf_ring_empty(r));
		assert_int_equal(rf_ring_free_count(r), 7);
		assert_int_equal(rf_ring_enqueue_bulk(r, in, 7, &free_space), 7);
		assert_int_equal(free_space, 0);
		assert_true(rf_ring_full(r));
		assert_int_equal(rf_ring_count(r), 7);
		assert_int_equal(rf_ring_enqueue(r, val(9)), -ENOBUFS);
		assert_int_equal(atomic_load(&r->prod.tail), start + 7);
		/* Take them in two pieces so the second starts mid-wrap. */
		assert_int_equal(rf_ring_dequeue_bulk(r, out, 3, &avail), 3);
		assert_int_equal(avail, 4);
		assert_int_equal(rf_ring_dequeue_burst(r, out + 3, 7, &avail), 4);
		assert_int_equal(avail, 0);
		for (uintptr_t i = 0; i < RF_DIM(out); i++)
			assert_ptr_equal(out[i], val(i));
		assert_true(rf_ring_empty(r));
		assert_int_equal(atomic_load(&r->cons.tail), start + 7);
	}

	/* Partial fills across the wrap: counts stay right when prod has wrapped and cons not. */
	set_indexes(r, UINT32_MAX - 1);
	assert_int_equal(rf_ring_enqueue_bulk(r, in, 5, NULL), 5);
	assert_true(atomic_load(&r->prod.tail) < atomic_load(&r->cons.tail));
	assert_int_equal(rf_ring_count(r), 5);
	assert_int_equal(rf_ring_free_count(r), 2);
	assert_int_equal(rf_ring_enqueue_burst(r, in + 5, 2, NULL), 2);
	assert_int_equal(rf_ring_dequeue_burst(r, out, 7, NULL), 7);
	for (uintptr_t i = 0; i < RF_DIM(out); i++)
		assert_ptr_equal(out[i], val(i));
	rf_ring_free(r);
}

/*
 * RF_RING_F_SP_ENQ / RF_RING_F_SC_DEQ make the un-prefixed calls take the
 * single-thread path, which owns its side and does not wait for an earlier
 * reservation to publish. Fake one (head ahead of tail, as if another
 * producer were mid-copy): the single path publishes past it at once; the
 * multi path would wait for it forever.
 */
static void test_single_flags(void **state)
{
	struct rf_ring *r = rf_ring_create("spsc", 16, -1, RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ);
	void *in[4] = {val(0), val(1), val(2), val(3)}, *out[4];
	(void)state;

	assert_non_null(r);
	atomic_store(&r->prod.head, 2);
	assert_int_equal(rf_ring_enqueue_bulk(r, in, 2, NULL), 2);
	assert_int_equal(atomic_load(&r->prod.head), 4);
	assert_int_equal(atomic_load(&r->prod.tail), 4);
	assert_ptr_equal(r->slots[2], val(0));
	assert_ptr_equal(r->slots[3], val(1));

	atomic_store(&r->cons.head, 2);
	assert_int_equal(rf_ring_dequeue_burst(r, out, 4, NULL), 2);
	assert_int_equal(atomic_load(&r->cons.head), 4);
	assert_int_equal(atomic_load(&r->cons.tail), 4);
	assert_ptr_equal(out[0], val(0));
	assert_ptr_equal(out[1], val(1));
	assert_true(rf_ring_empty(r));

	/* Same through rf_ring_enqueue / rf_ring_dequeue. */
	atomic_store(&r->prod.head, 5);
	assert_int_equal(rf_ring_enqueue(r, val(3)), 0);
	assert_int_equal(atomic_load(&r->prod.tail), 6);
	atomic_store(&r->cons.head, 5);
	assert_int_equal(rf_ring_dequeue(r, &out[0]), 0);
	assert_ptr_equal(out[0], val(3));
	assert_int_equal(atomic_load(&r->cons.tail), 6);
	rf_ring_free(r);
}

/* Without the flags the un-prefixed calls are the multi-thread ones, which still work alone. */
static void test_default_multi(void **state)
{
	struct rf_ring *r = rf_ring_create("mpmc", 64, -1, 0);
	void *in[40], *out[40];
	(void)state;

	for (uintptr_t i = 0; i < RF_DIM(in); i++)
		in[i] = val(i);
	for (int round = 0; round < 100; round++) {
		unsigned n = 1 + (unsigned)round % 40;
		assert_int_equal(rf_ring_enqueue_burst(r, in, n, NULL), n);
		assert_int_equal(rf_ring_mc_dequeue_bulk(r, out, n, NULL), n);
		for (unsigned i = 0; i < n; i++)
			assert_ptr_equal(out[i], val(i));
		assert_int_equal(atomic_load(&r->prod.head), atomic_load(&r->prod.tail));
		assert_int_equal(atomic_load(&r->cons.head), atomic_load(&r->cons.tail));
	}
	rf_ring_free(r);
}

static void test_dump(void **state)
{
	struct rf_ring *r = rf_ring_create("dumped", 16, -1, RF_RING_F_SC_DEQ);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	(void)state;

	assert_non_null(f);
	assert_int_equal(rf_ring_enqueue(r, val(1)), 0);
	rf_ring_dump(f, r);
	rf_ring_dump(f, NULL);
	fclose(f);
	assert_non_null(strstr(buf, "dumped"));
	assert_non_null(strstr(buf, "SC_DEQ"));
	assert_non_null(strstr(buf, "capacity=15"));
	assert_non_null(strstr(buf, "used=1"));
	free(buf);
	rf_ring_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memsize),
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_create_bad_args),
	    cmocka_unit_test(test_create_sizes),
	    cmocka_unit_test(test_init_caller_memory),
	    cmocka_unit_test(test_single_fifo),
	    cmocka_unit_test(test_bulk_full),
	    cmocka_unit_test(test_bulk_empty),
	    cmocka_unit_test(test_index_wrap),
	    cmocka_unit_test(test_single_flags),
	    cmocka_unit_test(test_default_multi),
	    cmocka_unit_test(test_dump),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
