/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Concurrent stress of lib/ring, one test per variant: MP/MC, SP/SC, MP/SC,
 * SP/MC. Producers enqueue pointers to stamps (producer id, sequence), mixing
 * bulk and burst calls of random sizes; consumers dequeue with random sizes
 * too. Every stamp must come out exactly once (no loss, no duplicate), and
 * each consumer must see each producer's stamps in increasing order (one
 * producer's enqueues occupy ring positions in order, and a consumer takes
 * positions in order). With a single consumer the order must be exact.
 *
 * The ring is small so it is often full and often empty, and its indexes
 * start just below 2^32 so they wrap while the threads run. The stamp fields
 * are written by the producer just before the enqueue and read by the consumer
 * after the dequeue, so under TSan a missing release/acquire shows as a race.
 * MP/MC runs 4 producers and 4 consumers: more threads than cores, so threads
 * are preempted mid-operation.
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

#include "rf_ring.h"

#define MAX_THREADS 8
#define BATCH_MAX   32

struct stamp {
	uint32_t producer;
	uint32_t seq;
};

enum mode { MODE_MULTI, MODE_SINGLE, MODE_DEFAULT };

struct stress {
	struct rf_ring *ring;
	unsigned nb_prod, nb_cons;
	unsigned per_prod; /* stamps per producer */
	int single_prod, single_cons;
	struct stamp *stamps;  /* [producer * per_prod + seq] */
	_Atomic uint8_t *seen; /* same index: how many times consumed */
	_Atomic uint64_t consumed;
	_Atomic unsigned errors;		   /* order violations found by consumers */
	_Atomic unsigned prod_inside, cons_inside; /* threads inside the ring, per side */
};

struct worker {
	struct stress *s;
	unsigned id;
	uint64_t rng;
	uint64_t got; /* consumers: how many this one took */
};

static uint32_t rnd(struct worker *w)
{
	/* xorshift64: cheap and per-thread, so no shared state. */
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return (uint32_t)(w->rng >> 16);
}

/*
 * With more threads than cores, a thread preempted between reserving slots and
 * publishing them makes every later thread on its side spin inside the ring
 * until it runs again: the MP/MC ring, like DPDK's default mode, is not
 * preemption-safe. With many threads queued up behind it, one preemption
 * becomes a lasting convoy where each operation costs a scheduler time slice.
 * So at most SIDE_MAX threads per side are inside the ring at once; the rest
 * yield at the door. Two threads still overlap in the ring (the reservation
 * order and the tail hand-off are exercised) and all of them still get
 * preempted mid-operation.
 */
#define SIDE_MAX 2

static void side_enter(_Atomic unsigned *inside)
{
	unsigned v = atomic_load_explicit(inside, memory_order_relaxed);

	for (;;) {
		if (v < SIDE_MAX &&
		    atomic_compare_exchange_weak_explicit(inside, &v, v + 1, memory_order_relaxed,
							  memory_order_relaxed))
			return;
		sched_yield();
		v = atomic_load_explicit(inside, memory_order_relaxed);
	}
}

static void side_leave(_Atomic unsigned *inside)
{
	atomic_fetch_sub_explicit(inside, 1, memory_order_relaxed);
}

static unsigned do_enqueue(struct worker *w, void *const *objs, unsigned n, int bulk)
{
	struct rf_ring *r = w->s->ring;
	enum mode m = (enum mode)(rnd(w) % 3);

	unsigned done;

	side_enter(&w->s->prod_inside);
	if (m == MODE_DEFAULT)
		done = bulk ? rf_ring_enqueue_bulk(r, objs, n, NULL)
			    : rf_ring_enqueue_burst(r, objs, n, NULL);
	else if (w->s->single_prod)
		done = bulk ? rf_ring_sp_enqueue_bulk(r, objs, n, NULL)
			    : rf_ring_sp_enqueue_burst(r, objs, n, NULL);
	else
		done = bulk ? rf_ring_mp_enqueue_bulk(r, objs, n, NULL)
			    : rf_ring_mp_enqueue_burst(r, objs, n, NULL);
	side_leave(&w->s->prod_inside);
	return done;
}

static unsigned do_dequeue(struct worker *w, void **objs, unsigned n, int bulk)
{
	struct rf_ring *r = w->s->ring;
	enum mode m = (enum mode)(rnd(w) % 3);

	unsigned got;

	side_enter(&w->s->cons_inside);
	if (m == MODE_DEFAULT)
		got = bulk ? rf_ring_dequeue_bulk(r, objs, n, NULL)
			   : rf_ring_dequeue_burst(r, objs, n, NULL);
	else if (w->s->single_cons)
		got = bulk ? rf_ring_sc_dequeue_bulk(r, objs, n, NULL)
			   : rf_ring_sc_dequeue_burst(r, objs, n, NULL);
	else
		got = bulk ? rf_ring_mc_dequeue_bulk(r, objs, n, NULL)
			   : rf_ring_mc_dequeue_burst(r, objs, n, NULL);
	side_leave(&w->s->cons_inside);
	return got;
}

static void *producer(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	struct stamp *mine = &s->stamps[(size_t)w->id * s->per_prod];
	void *batch[BATCH_MAX];
	unsigned seq = 0;

	while (seq < s->per_prod) {
		unsigned n = 1 + rnd(w) % BATCH_MAX;
		int bulk = rnd(w) & 1;
		unsigned done;

		if (n > s->per_prod - seq)
			n = s->per_prod - seq;
		for (unsigned i = 0; i < n; i++) {
			/* Plain writes: the ring's release of prod.tail must publish them. */
			mine[seq + i].producer = w->id;
			mine[seq + i].seq = seq + i;
			batch[i] = &mine[seq + i];
		}
		done = do_enqueue(w, batch, n, bulk);
		if (bulk && done != 0 && done != n)
			atomic_fetch_add(&s->errors, 1);
		/* Full: let a consumer that shares our core run. */
		if (done == 0)
			sched_yield();
		seq += done;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct worker *w = arg;
	struct stress *s = w->s;
	uint64_t total = (uint64_t)s->nb_prod * s->per_prod;
	int64_t last[MAX_THREADS];
	void *batch[BATCH_MAX];

	for (unsigned p = 0; p < MAX_THREADS; p++)
		last[p] = -1;
	while (atomic_load_explicit(&s->consumed, memory_order_relaxed) < total) {
		unsigned n = 1 + rnd(w) % BATCH_MAX;
		int bulk = rnd(w) & 1;
		unsigned got = do_dequeue(w, batch, n, bulk);

		if (bulk && got != 0 && got != n)
			atomic_fetch_add(&s->errors, 1);
		if (got == 0)
			sched_yield();
		for (unsigned i = 0; i < got; i++) {
			const struct stamp *st = batch[i];
			size_t idx = (size_t)(st - s->stamps);

			if (idx >= total || st->producer >= s->nb_prod ||
			    idx != (size_t)st->producer * s->per_prod + st->seq) {
				atomic_fetch_add(&s->errors, 1);
				continue;
			}
			atomic_fetch_add_explicit(&s->seen[idx], 1, memory_order_relaxed);
			/* One consumer sees everything: order must be exact. */
			if (s->nb_cons == 1 ? (int64_t)st->seq != last[st->producer] + 1
					    : (int64_t)st->seq <= last[st->producer])
				atomic_fetch_add(&s->errors, 1);
			last[st->producer] = st->seq;
		}
		w->got += got;
		atomic_fetch_add_explicit(&s->consumed, got, memory_order_relaxed);
	}
	return NULL;
}

static void run_stress(unsigned nb_prod, unsigned nb_cons, unsigned ring_flags, unsigned total)
{
	struct stress s = {0};
	struct worker workers[2 * MAX_THREADS];
	pthread_t tids[2 * MAX_THREADS];
	unsigned nb = nb_prod + nb_cons;
	uint64_t sum = 0;

	assert_true(nb_prod <= MAX_THREADS && nb_cons <= MAX_THREADS);
	s.ring = rf_ring_create("stress", 128, -1, ring_flags);
	assert_non_null(s.ring);
	/* Start near the 32-bit wrap so it happens under load. */
	atomic_store(&s.ring->prod.head, UINT32_MAX - 1000);
	atomic_store(&s.ring->prod.tail, UINT32_MAX - 1000);
	atomic_store(&s.ring->cons.head, UINT32_MAX - 1000);
	atomic_store(&s.ring->cons.tail, UINT32_MAX - 1000);

	s.nb_prod = nb_prod;
	s.nb_cons = nb_cons;
	s.per_prod = total / nb_prod;
	s.single_prod = nb_prod == 1;
	s.single_cons = nb_cons == 1;
	s.stamps = calloc((size_t)nb_prod * s.per_prod, sizeof(*s.stamps));
	s.seen = calloc((size_t)nb_prod * s.per_prod, sizeof(*s.seen));
	assert_non_null(s.stamps);
	assert_non_null(s.seen);

	for (unsigned i = 0; i < nb; i++) {
		workers[i] = (struct worker){.s = &s,
					     .id = i < nb_prod ? i : i - nb_prod,
					     .rng = 0x9e3779b97f4a7c15ull * (i + 1)};
		assert_int_equal(
		    pthread_create(&tids[i], NULL, i < nb_prod ? producer : consumer, &workers[i]),
		    0);
	}
	for (unsigned i = 0; i < nb; i++)
		assert_int_equal(pthread_join(tids[i], NULL), 0);

	assert_int_equal(atomic_load(&s.errors), 0);
	for (size_t i = 0; i < (size_t)nb_prod * s.per_prod; i++) {
		if (atomic_load(&s.seen[i]) != 1)
			fail_msg("stamp %zu (producer %zu seq %zu) seen %u times", i,
				 i / s.per_prod, i % s.per_prod, (unsigned)atomic_load(&s.seen[i]));
	}
	for (unsigned i = nb_prod; i < nb; i++)
		sum += workers[i].got;
	assert_int_equal(sum, (uint64_t)nb_prod * s.per_prod);
	assert_true(rf_ring_empty(s.ring));
	assert_int_equal(atomic_load(&s.ring->prod.head), atomic_load(&s.ring->prod.tail));
	assert_int_equal(atomic_load(&s.ring->cons.head), atomic_load(&s.ring->cons.tail));
	/* The indexes did wrap past 2^32. */
	assert_true(atomic_load(&s.ring->prod.tail) < UINT32_MAX - 1000);

	free(s.stamps);
	free((void *)s.seen);
	rf_ring_free(s.ring);
}

static void test_mpmc(void **state)
{
	(void)state;
	run_stress(4, 4, 0, 600000);
}

static void test_spsc(void **state)
{
	(void)state;
	run_stress(1, 1, RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ, 400000);
}

static void test_mpsc(void **state)
{
	(void)state;
	run_stress(3, 1, RF_RING_F_SC_DEQ, 300000);
}

static void test_spmc(void **state)
{
	(void)state;
	run_stress(1, 3, RF_RING_F_SP_ENQ, 300000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mpmc),
	    cmocka_unit_test(test_spsc),
	    cmocka_unit_test(test_mpsc),
	    cmocka_unit_test(test_spmc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
