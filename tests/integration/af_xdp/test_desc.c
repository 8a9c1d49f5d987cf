/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp's data path against rings we play the kernel on: plain memory
 * laid out as the kernel maps it, no socket. What the kernel would write
 * (RX descriptors, completions) is written here, bad ones included: an
 * address outside the UMEM, inside a chunk, a chunk not posted or returned
 * twice, a length past the frame, a producer that jumps. Each is counted
 * and dropped, never followed, and every mbuf comes home.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "af_xdp.h"
#include "rf_mbuf.h"
#include "rf_test_eal.h"

#define NDESC 64
#define NMBUF 512

struct fake_ring {
	uint32_t producer, consumer, flags;
	uint64_t addrs[NDESC];
	struct xdp_desc descs[NDESC];
};

struct fixture {
	struct rf_mempool *mp, *other;
	struct axdp_queue q;
	struct fake_ring fill, rx, tx, comp;
};

static void ring_init(struct axdp_ring *r, struct fake_ring *f, bool desc)
{
	memset(f, 0, sizeof(*f));
	r->producer = &f->producer;
	r->consumer = &f->consumer;
	r->flags = &f->flags;
	r->descs = desc ? (void *)f->descs : (void *)f->addrs;
	r->mask = NDESC - 1;
	r->idx = 0;
}

static int setup(void **state)
{
	struct fixture *f = aligned_alloc(RF_CACHE_LINE, rf_align_ceil(sizeof(*f), RF_CACHE_LINE));
	struct axdp_queue *q = &f->q;

	memset(f, 0, sizeof(*f));

	f->mp = rf_pktmbuf_pool_create("xdp_umem", NMBUF, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, 0);
	f->other = rf_pktmbuf_pool_create("xdp_other", 64, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, 0);
	assert_non_null(f->mp);
	assert_non_null(f->other);
	/* As af_xdp_sock.c lays the UMEM out: the pool's objects, from a page boundary. */
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base = (uint64_t)(uintptr_t)f->mp->base;
	q->fd = -1;
	q->mp = f->mp;
	q->umem_va = (char *)(uintptr_t)(base & ~(pg - 1));
	q->pool_off = base - (base & ~(pg - 1));
	q->umem_len = q->pool_off + (uint64_t)f->mp->stride * f->mp->size;
	q->stride = f->mp->stride;
	q->nb_obj = f->mp->size;
	q->data_min = sizeof(struct rf_mbuf);
	q->nb_rx_desc = NDESC;
	q->nb_tx_desc = NDESC;
	ring_init(&q->fill, &f->fill, false);
	ring_init(&q->rx, &f->rx, true);
	ring_init(&q->tx, &f->tx, true);
	ring_init(&q->comp, &f->comp, false);
	q->in_kernel = calloc(q->nb_obj, 1);
	q->tx_mbuf = calloc(NDESC, sizeof(*q->tx_mbuf));
	q->tx_addr = calloc(NDESC, sizeof(*q->tx_addr));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	axdp_queue_release_mbufs(&f->q);
	/* Every chunk posted and every frame sent came home. */
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
	assert_int_equal(rf_mempool_in_use_count(f->other), 0);
	free(f->q.in_kernel);
	free(f->q.tx_mbuf);
	free(f->q.tx_addr);
	rf_mempool_free(f->mp);
	rf_mempool_free(f->other);
	free(f);
	return 0;
}

/* The kernel's move: take the next chunk from the fill ring. */
static uint64_t kernel_take_chunk(struct fixture *f)
{
	return f->fill.addrs[f->fill.consumer++ & (NDESC - 1)];
}

/* The kernel's move: an RX descriptor, published. */
static void kernel_rx(struct fixture *f, uint64_t addr, uint32_t len)
{
	f->rx.descs[f->rx.producer & (NDESC - 1)] = (struct xdp_desc){.addr = addr, .len = len};
	f->rx.producer++;
}

static uint64_t frame_addr(const struct fixture *f, uint64_t chunk)
{
	uint64_t off = f->q.data_min + RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM;
	return chunk | (off << XSK_UNALIGNED_BUF_OFFSET_SHIFT);
}

static void test_rx_good(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m[8];

	axdp_rx_refill(&f->q);
	assert_int_equal(f->fill.producer, NDESC);
	assert_int_equal(f->q.posted, NDESC);
	uint64_t chunk = kernel_take_chunk(f);
	memset(f->q.umem_va + chunk + f->q.data_min + RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM,
	       0xab, 60);
	kernel_rx(f, frame_addr(f, chunk), 60);
	assert_int_equal(axdp_rx_burst(&f->q, m, 8), 1);
	assert_ptr_equal(m[0], f->q.umem_va + chunk); /* the chunk is the mbuf: no copy */
	assert_int_equal(m[0]->data_off, RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM);
	assert_int_equal(m[0]->pkt_len, 60);
	assert_int_equal(rf_pktmbuf_mtod(m[0], uint8_t *)[59], 0xab);
	assert_int_equal(f->rx.consumer, 1);
	/* The burst refilled what it took once a batch was free: not yet. */
	assert_int_equal(f->q.posted, NDESC - 1);
	rf_pktmbuf_free(m[0]);
}

static void test_rx_bad(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m[8];

	axdp_rx_refill(&f->q);
	uint64_t c1 = kernel_take_chunk(f), c2 = kernel_take_chunk(f);
	kernel_rx(f, frame_addr(f, f->q.umem_len + 4096), 60); /* past the UMEM */
	kernel_rx(f, frame_addr(f, c1 + 8), 60);	       /* inside a chunk */
	kernel_rx(f, frame_addr(f, f->q.pool_off + (uint64_t)f->q.stride * f->q.nb_obj),
		  60);							 /* one past */
	kernel_rx(f, frame_addr(f, c2), 4000);				 /* longer than the frame */
	kernel_rx(f, c1 | (8ull << XSK_UNALIGNED_BUF_OFFSET_SHIFT), 60); /* data over the header */
	assert_int_equal(axdp_rx_burst(&f->q, m, 8), 0);
	assert_int_equal(axdp_read(&f->q.rxc.bad_addr), 3);
	assert_int_equal(axdp_read(&f->q.rxc.bad_len), 2);
	assert_int_equal(axdp_read(&f->q.rxc.errors), 5);
	/* c1 and c2 were dropped back to the pool: the kernel no longer holds them. */
	assert_false(f->q.in_kernel[(c1 - f->q.pool_off) / f->q.stride]);
	assert_false(f->q.in_kernel[(c2 - f->q.pool_off) / f->q.stride]);

	/* The same chunk twice: the second is not one the kernel holds. */
	uint64_t c3 = kernel_take_chunk(f);
	kernel_rx(f, frame_addr(f, c3), 60);
	kernel_rx(f, frame_addr(f, c3), 60);
	assert_int_equal(axdp_rx_burst(&f->q, m, 8), 1);
	assert_int_equal(axdp_read(&f->q.rxc.bad_addr), 4);
	rf_pktmbuf_free(m[0]);

	/* A producer far ahead: no more than the kernel can have filled is read. */
	f->rx.producer += 1000;
	uint16_t n = axdp_rx_burst(&f->q, m, 8);
	assert_int_equal(n, 0);
	assert_int_equal(axdp_read(&f->q.rxc.idx_jump), 1);
}

static void test_tx(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m[3];

	m[0] = rf_pktmbuf_alloc(f->mp);
	m[1] = rf_pktmbuf_alloc(f->other); /* not UMEM: copied */
	m[2] = rf_pktmbuf_alloc(f->mp);
	for (int i = 0; i < 3; i++) {
		assert_non_null(m[i]);
		memset(rf_pktmbuf_append(m[i], 64), i + 1, 64);
	}
	char *d0 = rf_pktmbuf_mtod(m[0], char *);
	assert_int_equal(axdp_tx_burst(&f->q, m, 3), 3);
	assert_int_equal(f->tx.producer, 3);
	assert_int_equal(f->tx.descs[0].addr, (uint64_t)(d0 - f->q.umem_va)); /* by reference */
	assert_int_equal(f->tx.descs[0].len, 64);
	assert_int_equal(axdp_read(&f->q.txc.copied), 1);
	/* The copy is in the UMEM and holds the frame. */
	assert_int_equal((uint8_t)f->q.umem_va[f->tx.descs[1].addr + 63], 2);
	assert_int_equal(rf_mempool_in_use_count(f->other), 0);

	/* The kernel completes two, the second with a wrong address. */
	f->comp.addrs[0] = f->tx.descs[0].addr;
	f->comp.addrs[1] = 12345;
	f->comp.producer = 2;
	assert_int_equal(axdp_tx_burst(&f->q, NULL, 0), 0);
	assert_int_equal(f->comp.consumer, 2);
	assert_int_equal(axdp_read(&f->q.txc.bad_addr), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1); /* the third is still out */

	/* More completions than frames sent: only what was sent is freed. */
	f->comp.addrs[2] = f->tx.descs[2].addr;
	f->comp.producer = 10;
	axdp_tx_burst(&f->q, NULL, 0);
	assert_int_equal(axdp_read(&f->q.txc.idx_jump), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rx_good, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_bad, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx, setup, teardown),
	};
	return cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown);
}
