/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock-free FIFO of pointers, multi- or single-producer and -consumer.
 *
 * API CONTRACT (the ring module implements it; names are fixed):
 *
 * struct rf_ring: power-of-two array of void*, prod and cons head/tail on
 * their own cache lines, flags RF_RING_F_SP_ENQ / RF_RING_F_SC_DEQ pick the
 * single-producer / single-consumer paths for the un-prefixed calls.
 *
 * size_t rf_ring_get_memsize(unsigned count);
 * int    rf_ring_init(struct rf_ring *r, const char *name, unsigned count, unsigned flags);
 * struct rf_ring *rf_ring_create(const char *name, unsigned count, int socket, unsigned flags);
 *        (count a power of two; capacity count-1 unless RF_RING_F_EXACT_SZ: then count is
 *         the capacity and the array is rounded up. NULL + errno)
 * void   rf_ring_free(struct rf_ring *r);
 * static inline unsigned rf_ring_{mp,sp,}_enqueue_bulk(r, void *const *objs, unsigned n,
 *                                                      unsigned *free_space);
 * static inline unsigned rf_ring_{mp,sp,}_enqueue_burst(r, void *const *objs, unsigned n,
 *                                                       unsigned *free_space);
 * static inline unsigned rf_ring_{mc,sc,}_dequeue_bulk(r, void **objs, unsigned n,
 *                                                      unsigned *available);
 * static inline unsigned rf_ring_{mc,sc,}_dequeue_burst(r, void **objs, unsigned n,
 *                                                       unsigned *available);
 * static inline int rf_ring_enqueue(r, void *obj);  0 or -ENOBUFS
 * static inline int rf_ring_dequeue(r, void **obj); 0 or -ENOENT
 * static inline unsigned rf_ring_count(r), rf_ring_free_count(r), rf_ring_get_capacity(r);
 * static inline int rf_ring_empty(r), rf_ring_full(r);
 * void rf_ring_dump(FILE *, const struct rf_ring *);
 *
 * How it works. Each side (producer, consumer) has a head and a tail:
 *   prod.head  next slot a producer will reserve;   prod.tail  slots below it hold data
 *   cons.head  next slot a consumer will reserve;   cons.tail  slots below it are free again
 * and cons.tail <= cons.head <= prod.tail <= prod.head <= cons.tail + capacity.
 * An operation first moves its side's head to reserve slots (a CAS when several
 * threads share the side, a plain store when one thread owns it), then copies
 * the pointers, then moves its side's tail to publish them to the other side.
 * With several producers the tails are published in reservation order: each
 * waits until prod.tail reaches the head it started from. So, like DPDK's
 * default ring mode, the multi-thread paths are not preemption-safe: a thread
 * descheduled between its reservation and its publication stalls every later
 * thread of its side until it runs again. Run them on pinned lcores, one
 * thread per core.
 *
 * Index arithmetic. The four indexes are free-running uint32_t counters: they
 * are never masked when stored, only when used to address a slot
 * (slots[idx & mask]). They wrap from UINT32_MAX to 0, and differences stay
 * right because unsigned subtraction is modulo 2^32: prod.tail - cons.tail is
 * the number of entries even when prod.tail has wrapped and cons.tail has not,
 * provided the true distance is below 2^32. It is at most capacity <= 2^31.
 */
#ifndef RF_RING_H
#define RF_RING_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "rf_common.h"

#define RF_RING_NAMESIZE 32

#define RF_RING_F_SP_ENQ   0x1u /* default enqueue is single-producer */
#define RF_RING_F_SC_DEQ   0x2u /* default dequeue is single-consumer */
#define RF_RING_F_EXACT_SZ 0x4u /* count is the capacity; the slot array is rounded up */
#define RF_RING_F_MASK	   (RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ | RF_RING_F_EXACT_SZ)

/* Largest slot array: keeps every index distance (<= capacity) far below 2^32. */
#define RF_RING_SZ_MAX (1u << 31)

/* One side of the ring. Written only by that side's threads, read by the other side. */
struct rf_ring_headtail {
	_Atomic uint32_t head; /* next index to reserve */
	_Atomic uint32_t tail; /* indexes below this are published to the other side */
};

struct rf_ring {
	/* Read-only after rf_ring_init: shared by every core without bouncing. */
	char name[RF_RING_NAMESIZE];
	uint32_t size;	   /* slots in the array, a power of two */
	uint32_t mask;	   /* size - 1 */
	uint32_t capacity; /* most entries the ring holds: size - 1, or count with EXACT_SZ */
	uint32_t flags;	   /* RF_RING_F_* */

	/*
	 * Producer and consumer state each on their own cache line, with an
	 * empty line after each so the adjacent-line prefetcher does not pull
	 * one side's line into the other side's core.
	 */
	struct rf_ring_headtail prod RF_CACHE_ALIGNED;
	char pad_prod[RF_CACHE_LINE] RF_CACHE_ALIGNED;
	struct rf_ring_headtail cons RF_CACHE_ALIGNED;
	char pad_cons[RF_CACHE_LINE] RF_CACHE_ALIGNED;

	void *slots[] RF_CACHE_ALIGNED;
};

/* Bytes of memory for a ring of count slots (a power of two <= RF_RING_SZ_MAX), 0 if invalid. */
size_t rf_ring_get_memsize(unsigned count);

/*
 * Initialise r in caller memory of rf_ring_get_memsize(size) bytes, where size
 * is count (a power of two), or with RF_RING_F_EXACT_SZ the next power of two
 * above count. 0, -EINVAL (bad count or flags), -ENAMETOOLONG.
 */
int rf_ring_init(struct rf_ring *r, const char *name, unsigned count, unsigned flags);

/*
 * Allocate and initialise a ring. Rings hold pointers only, so ordinary
 * (non-hugepage) memory is used and socket is a hint we do not act on.
 * NULL + errno (EINVAL, ENAMETOOLONG, ENOMEM).
 */
struct rf_ring *rf_ring_create(const char *name, unsigned count, int socket, unsigned flags);
void rf_ring_free(struct rf_ring *r);
void rf_ring_dump(FILE *out, const struct rf_ring *r);

/* How many to move when fewer than n fit. */
enum rf_ring_behavior {
	RF_RING_FIXED,	  /* all n or none (bulk) */
	RF_RING_VARIABLE, /* as many as possible (burst) */
};

/*
 * Copy pointers between the slots and a caller's array (the mempool cache
 * uses it too). The two never overlap, and saying so (restrict) lets the
 * compiler turn the loop into wide vector moves with no run-time alias check:
 * at a burst of 32 that makes an SP/SC enqueue plus dequeue about 2.5 times
 * cheaper than a copy unrolled by four, as DPDK's is (scripts/bench/ring.sh).
 * A single pointer skips the vector set-up, which would otherwise double the
 * cost of n == 1.
 */
static inline void rf_ring_copy_ptrs(void **restrict dst, void *const *restrict src, uint32_t n)
{
	if (n == 1) {
		dst[0] = src[0];
		return;
	}
	for (uint32_t k = 0; k < n; k++)
		dst[k] = src[k];
}

/*
 * Copy n pointers into the slots from idx on. The rare copy that crosses the
 * end of the array goes one masked slot at a time.
 */
static inline void rf_ring_copy_in(struct rf_ring *r, uint32_t idx, void *const *objs, uint32_t n)
{
	const uint32_t mask = r->mask;
	uint32_t i = idx & mask;

	if (RF_LIKELY(i + n <= r->size)) {
		rf_ring_copy_ptrs(&r->slots[i], objs, n);
	} else {
		for (uint32_t k = 0; k < n; k++)
			r->slots[(i + k) & mask] = objs[k];
	}
}

static inline void rf_ring_copy_out(const struct rf_ring *r, uint32_t idx, void **objs, uint32_t n)
{
	const uint32_t mask = r->mask;
	uint32_t i = idx & mask;

	if (RF_LIKELY(i + n <= r->size)) {
		rf_ring_copy_ptrs(objs, &r->slots[i], n);
	} else {
		for (uint32_t k = 0; k < n; k++)
			objs[k] = r->slots[(i + k) & mask];
	}
}

/*
 * Publish a side's tail: old_val is the head this thread reserved from,
 * new_val the head it moved to.
 */
static inline void rf_ring_update_tail(struct rf_ring_headtail *ht, uint32_t old_val,
				       uint32_t new_val, int single)
{
	/*
	 * With several threads on this side, tails are published in the order
	 * the slots were reserved: wait for the thread that reserved just
	 * before us. T0: acquire load of ht->tail; pairs with T1 (the previous
	 * thread's release store below), so the slots that thread wrote (or
	 * read) happen-before our T1, and the other side, which acquires our
	 * T1, sees all of them, not only ours.
	 */
	if (!single) {
		while (atomic_load_explicit(&ht->tail, memory_order_acquire) != old_val)
			rf_pause();
	}
	/*
	 * T1: release store of ht->tail. For the producer: the slot writes
	 * above are visible before the new prod.tail; pairs with C1 (acquire
	 * load of prod.tail in rf_ring_move_cons_head). For the consumer: the
	 * slot reads are done before the slots are handed back; pairs with P1
	 * (acquire load of cons.tail in rf_ring_move_prod_head).
	 */
	atomic_store_explicit(&ht->tail, new_val, memory_order_release);
}

/*
 * Reserve up to n slots for enqueue. Returns how many were reserved (0, or n
 * for RF_RING_FIXED), with *old_head the first index and *free_entries the free
 * slots seen before the reservation.
 */
static inline uint32_t rf_ring_move_prod_head(struct rf_ring *r, int single, uint32_t n,
					      enum rf_ring_behavior behavior, uint32_t *old_head,
					      uint32_t *free_entries)
{
	const uint32_t capacity = r->capacity;
	uint32_t want = n;
	uint32_t head, cons_tail, free;

	/*
	 * P0: acquire load of prod.head; pairs with P2 (the release CAS of
	 * the producer that wrote this value). That producer read cons.tail
	 * before its CAS, so our P1 below reads a cons.tail at least as new
	 * (read-read coherence): head - cons_tail never exceeds capacity and
	 * free cannot underflow. A stale head only makes our CAS fail.
	 */
	head = atomic_load_explicit(&r->prod.head, memory_order_acquire);
	for (;;) {
		n = want;
		/*
		 * P1: acquire load of cons.tail; pairs with T1 on the consumer
		 * side: the consumers' reads of the slots we are about to
		 * overwrite happen-before our writes.
		 */
		cons_tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
		/*
		 * Modulo 2^32 (see the top of this file): head - cons_tail is
		 * the number of entries, at most capacity, so this is >= 0.
		 */
		free = capacity + cons_tail - head;
		if (n > free)
			n = (behavior == RF_RING_FIXED) ? 0 : free;
		if (n == 0)
			break;
		if (single) {
			/*
			 * P2 (single producer): we own prod.head; only producers
			 * read it, so a relaxed store is enough.
			 */
			atomic_store_explicit(&r->prod.head, head + n, memory_order_relaxed);
			break;
		}
		/*
		 * P2: CAS on prod.head reserves [head, head + n) for us alone.
		 * Release on success, pairing with P0 in the next producer (see
		 * there); on failure head is reloaded with acquire, as P0, and
		 * we retry. The slots themselves are guarded by P1 (against
		 * consumers) and T0/T1 (publication order).
		 */
		if (atomic_compare_exchange_weak_explicit(
			&r->prod.head, &head, head + n, memory_order_release, memory_order_acquire))
			break;
		rf_pause();
	}
	*old_head = head;
	*free_entries = free;
	return n;
}

/* Reserve up to n entries for dequeue; symmetric to rf_ring_move_prod_head. */
static inline uint32_t rf_ring_move_cons_head(struct rf_ring *r, int single, uint32_t n,
					      enum rf_ring_behavior behavior, uint32_t *old_head,
					      uint32_t *entries)
{
	uint32_t want = n;
	uint32_t head, prod_tail, avail;

	/*
	 * C0: acquire load of cons.head; pairs with C2 (release CAS) in the
	 * consumer that wrote it, so our C1 reads a prod.tail at least as new
	 * as the one that consumer saw: prod_tail - head never underflows.
	 */
	head = atomic_load_explicit(&r->cons.head, memory_order_acquire);
	for (;;) {
		n = want;
		/*
		 * C1: acquire load of prod.tail; pairs with T1 on the producer
		 * side: the producers' slot writes happen-before our reads.
		 */
		prod_tail = atomic_load_explicit(&r->prod.tail, memory_order_acquire);
		/* Modulo 2^32: entries published and not yet reserved by a consumer. */
		avail = prod_tail - head;
		if (n > avail)
			n = (behavior == RF_RING_FIXED) ? 0 : avail;
		if (n == 0)
			break;
		if (single) {
			/* C2 (single consumer): we own cons.head; relaxed store. */
			atomic_store_explicit(&r->cons.head, head + n, memory_order_relaxed);
			break;
		}
		/*
		 * C2: CAS on cons.head reserves [head, head + n) for us alone.
		 * Release on success / acquire on failure, as P2 (pairs with C0).
		 */
		if (atomic_compare_exchange_weak_explicit(
			&r->cons.head, &head, head + n, memory_order_release, memory_order_acquire))
			break;
		rf_pause();
	}
	*old_head = head;
	*entries = avail;
	return n;
}

static inline unsigned rf_ring_do_enqueue(struct rf_ring *r, void *const *objs, unsigned n,
					  enum rf_ring_behavior behavior, int single,
					  unsigned *free_space)
{
	uint32_t head, free;

	n = rf_ring_move_prod_head(r, single, n, behavior, &head, &free);
	if (n != 0) {
		rf_ring_copy_in(r, head, objs, n);
		rf_ring_update_tail(&r->prod, head, head + n, single);
	}
	if (free_space != NULL)
		*free_space = free - n;
	return n;
}

static inline unsigned rf_ring_do_dequeue(struct rf_ring *r, void **objs, unsigned n,
					  enum rf_ring_behavior behavior, int single,
					  unsigned *available)
{
	uint32_t head, entries;

	n = rf_ring_move_cons_head(r, single, n, behavior, &head, &entries);
	if (n != 0) {
		rf_ring_copy_out(r, head, objs, n);
		rf_ring_update_tail(&r->cons, head, head + n, single);
	}
	if (available != NULL)
		*available = entries - n;
	return n;
}

/*
 * Enqueue: *_bulk moves all n or nothing, *_burst as many as fit. Both return
 * the number moved and, if free_space is not NULL, the free slots left.
 * mp = safe with several producers, sp = the caller is the only producer,
 * un-prefixed = as the ring's RF_RING_F_SP_ENQ flag says.
 */
static inline unsigned rf_ring_mp_enqueue_bulk(struct rf_ring *r, void *const *objs, unsigned n,
					       unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_FIXED, 0, free_space);
}

static inline unsigned rf_ring_sp_enqueue_bulk(struct rf_ring *r, void *const *objs, unsigned n,
					       unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_FIXED, 1, free_space);
}

static inline unsigned rf_ring_enqueue_bulk(struct rf_ring *r, void *const *objs, unsigned n,
					    unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_FIXED, r->flags & RF_RING_F_SP_ENQ,
				  free_space);
}

static inline unsigned rf_ring_mp_enqueue_burst(struct rf_ring *r, void *const *objs, unsigned n,
						unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_VARIABLE, 0, free_space);
}

static inline unsigned rf_ring_sp_enqueue_burst(struct rf_ring *r, void *const *objs, unsigned n,
						unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_VARIABLE, 1, free_space);
}

static inline unsigned rf_ring_enqueue_burst(struct rf_ring *r, void *const *objs, unsigned n,
					     unsigned *free_space)
{
	return rf_ring_do_enqueue(r, objs, n, RF_RING_VARIABLE, r->flags & RF_RING_F_SP_ENQ,
				  free_space);
}

/*
 * Dequeue: *_bulk moves all n or nothing, *_burst as many as there are. Both
 * return the number moved and, if available is not NULL, the entries left.
 * mc / sc / un-prefixed as for enqueue, with RF_RING_F_SC_DEQ.
 */
static inline unsigned rf_ring_mc_dequeue_bulk(struct rf_ring *r, void **objs, unsigned n,
					       unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_FIXED, 0, available);
}

static inline unsigned rf_ring_sc_dequeue_bulk(struct rf_ring *r, void **objs, unsigned n,
					       unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_FIXED, 1, available);
}

static inline unsigned rf_ring_dequeue_bulk(struct rf_ring *r, void **objs, unsigned n,
					    unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_FIXED, r->flags & RF_RING_F_SC_DEQ,
				  available);
}

static inline unsigned rf_ring_mc_dequeue_burst(struct rf_ring *r, void **objs, unsigned n,
						unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_VARIABLE, 0, available);
}

static inline unsigned rf_ring_sc_dequeue_burst(struct rf_ring *r, void **objs, unsigned n,
						unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_VARIABLE, 1, available);
}

static inline unsigned rf_ring_dequeue_burst(struct rf_ring *r, void **objs, unsigned n,
					     unsigned *available)
{
	return rf_ring_do_dequeue(r, objs, n, RF_RING_VARIABLE, r->flags & RF_RING_F_SC_DEQ,
				  available);
}

/* One object, by the ring's default mode. 0 or -ENOBUFS (full). */
static inline int rf_ring_enqueue(struct rf_ring *r, void *obj)
{
	return rf_ring_enqueue_bulk(r, &obj, 1, NULL) == 1 ? 0 : -ENOBUFS;
}

/* One object, by the ring's default mode. 0 or -ENOENT (empty). */
static inline int rf_ring_dequeue(struct rf_ring *r, void **obj)
{
	return rf_ring_dequeue_bulk(r, obj, 1, NULL) == 1 ? 0 : -ENOENT;
}

/*
 * Entries in the ring. A snapshot: exact only when no enqueue or dequeue is in
 * flight. cons.tail is read first (acquire, so the prod.tail load cannot move
 * above it); prod.tail only grows after that, so the difference is never
 * negative, but it can overshoot capacity transiently, hence the clamp.
 */
static inline unsigned rf_ring_count(const struct rf_ring *r)
{
	uint32_t cons_tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
	uint32_t prod_tail = atomic_load_explicit(&r->prod.tail, memory_order_relaxed);
	uint32_t count = prod_tail - cons_tail;

	return count > r->capacity ? r->capacity : count;
}

static inline unsigned rf_ring_free_count(const struct rf_ring *r)
{
	return r->capacity - rf_ring_count(r);
}

static inline unsigned rf_ring_get_capacity(const struct rf_ring *r)
{
	return r->capacity;
}

static inline unsigned rf_ring_get_size(const struct rf_ring *r)
{
	return r->size;
}

static inline int rf_ring_empty(const struct rf_ring *r)
{
	return rf_ring_count(r) == 0;
}

static inline int rf_ring_full(const struct rf_ring *r)
{
	return rf_ring_count(r) == r->capacity;
}

#endif /* RF_RING_H */
