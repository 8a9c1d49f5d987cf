/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the virtio-net data path (pmd/virtio/virtio_rxtx.c) against
 * an in-process fake device (fake_vdev.c) that plays the device side of the
 * split virtqueues as virtio 1.x §2.7 describes it.
 *
 * Most tests step the device inline between bursts, so every interleaving is
 * chosen and the result is deterministic; one runs the device in a thread.
 * Every test ends with every mbuf back in the pool (checked in teardown), and
 * each way a device can break the protocol has its own test: detected,
 * counted in the right counter, queue stopped, nothing leaked, and the queue
 * works again after a release.
 *
 * Memory is the EAL heap in --no-huge mode (a plain memfd): no hugepages.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_vdev.h"
#include "rf_atomic.h"
#include "rf_eal.h"
#include "rf_mbuf.h"
#include "virtio_rxtx.h"
#include "rf_test_eal.h"

#define POOL_SIZE 1024
#define HDR	  ((uint16_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
#define ROOM	  RF_MBUF_DEFAULT_DATAROOM /* frame bytes one RX buffer holds after the header */
#define POSTED	  (ROOM + HDR)		   /* bytes posted per RX buffer */
#define PORT	  3
#define QUEUE	  1

struct fx {
	struct rf_mempool *mp;
	struct virtnet_rx *rxq;
	struct virtnet_tx *txq;
	struct fake_vdev dev;
	bool dev_up;
	int efd;
};

/* ---------------------------------------------------------------- fixture */

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.efd = -1;
	/* With a per-lcore cache, as the forwarder uses it. */
	f.mp = rf_pktmbuf_pool_create("vrtest", POOL_SIZE, 32, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				      RF_SOCKET_ID_ANY);
	if (f.mp == NULL)
		return -1;
	*state = &f;
	return 0;
}

/* Queues released and freed: every mbuf must be back. */
static int teardown(void **state)
{
	struct fx *f = *state;

	virtnet_rxq_free(f->rxq);
	virtnet_txq_free(f->txq);
	if (f->dev_up)
		fake_vdev_fini(&f->dev);
	if (f->efd >= 0)
		close(f->efd);
	unsigned avail = rf_mempool_avail_count(f->mp);
	rf_mempool_free(f->mp);
	if (avail != POOL_SIZE) {
		fprintf(stderr, "pool has %u of %u mbufs: leak or double free\n", avail, POOL_SIZE);
		return -1;
	}
	return 0;
}

static struct virtnet_cfg cfg_of(bool mrg, bool in_order)
{
	return (struct virtnet_cfg){.port_id = PORT,
				    .queue_id = QUEUE,
				    .hdr_size = HDR,
				    .mrg_rxbuf = mrg,
				    .in_order = in_order};
}

static void dev_attach(struct fx *f, const struct virtnet_ring_info *ri, bool mrg)
{
	if (f->dev_up)
		fake_vdev_fini(&f->dev);
	assert_int_equal(fake_vdev_init(&f->dev, ri, HDR, mrg), 0);
	f->dev_up = true;
}

static void rx_open(struct fx *f, uint16_t size, bool mrg, bool in_order)
{
	struct virtnet_cfg c = cfg_of(mrg, in_order);
	struct virtnet_ring_info ri;

	f->rxq = virtnet_rxq_create(&c, size, RF_SOCKET_ID_ANY, f->mp);
	assert_non_null(f->rxq);
	assert_int_equal(virtnet_rxq_fill(f->rxq), 0);
	virtnet_rxq_ring_info(f->rxq, &ri);
	dev_attach(f, &ri, mrg);
	assert_int_equal(fake_vdev_avail_count(&f->dev), size);
}

static void tx_open(struct fx *f, uint16_t size, bool in_order)
{
	struct virtnet_cfg c = cfg_of(false, in_order);
	struct virtnet_ring_info ri;

	f->txq = virtnet_txq_create(&c, size, RF_SOCKET_ID_ANY);
	assert_non_null(f->txq);
	virtnet_txq_ring_info(f->txq, &ri);
	dev_attach(f, &ri, false);
}

/* ---------------------------------------------------------------- frames */

static uint8_t pat(uint32_t seed, uint32_t i)
{
	return (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

static void make_frame(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pat(seed, i);
}

/* Byte-exact across segments, and a consistent chain. */
static void check_pkt(const struct rf_mbuf *m, uint32_t len, uint32_t seed)
{
	const char *why = NULL;
	uint32_t off = 0;

	assert_int_equal(rf_mbuf_check(m, &why), 0);
	assert_int_equal(m->pkt_len, len);
	for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
		const uint8_t *p = rf_pktmbuf_mtod(s, const uint8_t *);
		for (uint32_t i = 0; i < s->data_len; i++, off++)
			if (p[i] != pat(seed, off))
				fail_msg("byte %u of frame %u: %#x, want %#x", off, seed, p[i],
					 pat(seed, off));
	}
	assert_int_equal(off, len);
}

/* A one-segment packet of len pattern bytes; the headroom is filled with 0xAA. */
static struct rf_mbuf *make_pkt(struct rf_mempool *mp, uint16_t len, uint32_t seed)
{
	struct rf_mbuf *m = rf_pktmbuf_alloc(mp);

	assert_non_null(m);
	memset(m->buf_addr, 0xAA, m->data_off);
	uint8_t *p = (uint8_t *)rf_pktmbuf_append(m, len);
	assert_non_null(p);
	make_frame(p, len, seed);
	return m;
}

/* A chain whose segments hold consecutive pieces of one pattern. */
static struct rf_mbuf *make_chain(struct rf_mempool *mp, const uint16_t *lens, unsigned nseg,
				  uint32_t seed)
{
	struct rf_mbuf *head = NULL;
	uint32_t off = 0;

	for (unsigned k = 0; k < nseg; k++) {
		struct rf_mbuf *s = rf_pktmbuf_alloc(mp);
		assert_non_null(s);
		uint8_t *p = (uint8_t *)rf_pktmbuf_append(s, lens[k]);
		for (uint32_t i = 0; i < lens[k]; i++)
			p[i] = pat(seed, off + i);
		off += lens[k];
		if (head == NULL)
			head = s;
		else
			assert_int_equal(rf_pktmbuf_chain(head, s), 0);
	}
	return head;
}

static void rx_deliver(struct fx *f, uint32_t len, uint32_t seed)
{
	uint8_t buf[16384];

	assert_true(len <= sizeof(buf));
	make_frame(buf, len, seed);
	assert_true(fake_vdev_rx_frame(&f->dev, buf, len) > 0);
}

/* Take one TX chain from the device and check it is the expected frame. */
static void tx_expect(struct fx *f, uint32_t len, uint32_t seed, uint16_t ndescs)
{
	uint8_t buf[16384], want[16384];

	assert_int_equal(fake_vdev_tx_frame(&f->dev, buf, sizeof(buf)), (int)len);
	make_frame(want, len, seed);
	assert_memory_equal(buf, want, len);
	if (ndescs != 0)
		assert_int_equal(f->dev.last_ndescs, ndescs);
}

static void free_pkts(struct rf_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rf_pktmbuf_free(pkts[i]);
}

static uint64_t faults(const struct virtnet_stats *s)
{
	return s->bad_id + s->not_posted + s->bad_len + s->idx_jump + s->bad_num_buffers;
}

/* ---------------------------------------------------------------- creation */

static void test_create_bad_args(void **state)
{
	struct fx *f = *state;
	struct virtnet_cfg c = cfg_of(false, false);
	static const uint16_t bad_sizes[] = {0, 1, 32, 100, 255, 257, 40000};

	for (unsigned i = 0; i < RF_DIM(bad_sizes); i++) {
		errno = 0;
		assert_null(virtnet_rxq_create(&c, bad_sizes[i], RF_SOCKET_ID_ANY, f->mp));
		assert_int_equal(errno, EINVAL);
		errno = 0;
		assert_null(virtnet_txq_create(&c, bad_sizes[i], RF_SOCKET_ID_ANY));
		assert_int_equal(errno, EINVAL);
	}
	errno = 0;
	assert_null(virtnet_rxq_create(&c, 256, RF_SOCKET_ID_ANY, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(virtnet_rxq_create(NULL, 256, RF_SOCKET_ID_ANY, f->mp));
	c.hdr_size = 11;
	assert_null(virtnet_txq_create(&c, 256, RF_SOCKET_ID_ANY));
	/* A 10-byte legacy header has no num_buffers: not with MRG_RXBUF. */
	c = cfg_of(true, false);
	c.hdr_size = 10;
	errno = 0;
	assert_null(virtnet_rxq_create(&c, 256, RF_SOCKET_ID_ANY, f->mp));
	assert_int_equal(errno, EINVAL);
}

static void test_ring_layout(void **state)
{
	struct fx *f = *state;
	struct virtnet_cfg c = cfg_of(false, false);
	static const uint16_t sizes[] = {VIRTNET_RING_SIZE_MIN, VIRTNET_RING_SIZE_DEFAULT,
					 VIRTNET_RING_SIZE_MAX};

	for (unsigned i = 0; i < RF_DIM(sizes); i++) {
		struct virtnet_ring_info ri;
		struct virtnet_tx *txq = virtnet_txq_create(&c, sizes[i], RF_SOCKET_ID_ANY);

		assert_non_null(txq);
		virtnet_txq_ring_info(txq, &ri);
		assert_int_equal(ri.size, sizes[i]);
		/* §2.7: alignment 16 / 2 / 4; the rings live in shared heap memory. */
		assert_int_equal((uintptr_t)ri.desc % 16, 0);
		assert_int_equal((uintptr_t)ri.avail % 2, 0);
		assert_int_equal((uintptr_t)ri.used % 4, 0);
		assert_non_null(rf_mem_lookup(ri.desc));
		assert_true((char *)ri.avail >= (char *)(ri.desc + ri.size));
		assert_true((char *)ri.used >= (char *)&ri.avail->ring[ri.size + 1]);
		/* The device-written used ring shares no cache line with the driver's rings. */
		assert_int_equal((uintptr_t)ri.used % RF_CACHE_LINE, 0);
		/* Poll mode: no interrupts wanted; an empty ring. */
		assert_int_equal(ri.avail->flags, VRING_AVAIL_F_NO_INTERRUPT);
		assert_int_equal(ri.avail->idx, 0);
		assert_int_equal(ri.used->idx, 0);
		assert_false(virtnet_txq_broken(txq));
		virtnet_txq_free(txq);
	}
	(void)f;
}

/* ---------------------------------------------------------------- RX */

static void test_rx_single(void **state)
{
	struct fx *f = *state;
	static const uint32_t lens[] = {60, 1514, ROOM, 64};
	struct rf_mbuf *pkts[32];
	struct virtnet_ring_info ri;
	uint64_t bytes = 0;

	rx_open(f, 256, false, false);
	/* Every posted buffer: one device-writable descriptor, header in the headroom. */
	virtnet_rxq_ring_info(f->rxq, &ri);
	for (unsigned i = 0; i < 256; i++) {
		const struct vring_desc *d = &ri.desc[ri.avail->ring[i]];
		assert_int_equal(d->flags, VRING_DESC_F_WRITE);
		assert_int_equal(d->len, POSTED);
	}
	assert_int_equal(ri.avail->idx, 256);

	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		rx_deliver(f, lens[i], i);
		bytes += lens[i];
	}
	/* Without MRG_RXBUF a frame must fit one buffer. */
	uint8_t big[ROOM + 1] = {0};
	assert_int_equal(fake_vdev_rx_frame(&f->dev, big, sizeof(big)), -EMSGSIZE);
	assert_int_equal(fake_vdev_complete(&f->dev, RF_DIM(lens), false), 0);

	/* Nothing is visible before the device publishes used->idx. */
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), RF_DIM(lens));
	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		struct rf_mbuf *m = pkts[i];
		check_pkt(m, lens[i], i);
		assert_int_equal(m->nb_segs, 1);
		assert_int_equal(m->data_len, lens[i]);
		assert_int_equal(m->data_off, RF_PKTMBUF_HEADROOM);
		assert_int_equal(m->port, PORT);
		assert_int_equal(m->queue, QUEUE);
		assert_int_equal(m->ol_flags, 0);
		assert_int_equal(m->packet_type, 0);
		assert_null(m->next);
	}
	const struct virtnet_stats *st = virtnet_rxq_stats(f->rxq);
	assert_int_equal(st->packets, RF_DIM(lens));
	assert_int_equal(st->bytes, bytes);
	assert_int_equal(faults(st) + st->errors + st->nombuf, 0);
	free_pkts(pkts, RF_DIM(lens));
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	virtnet_rxq_stats_reset(f->rxq);
	assert_int_equal(virtnet_rxq_stats(f->rxq)->packets, 0);
}

/* A header and no frame is an error, not a device fault. */
static void test_rx_empty_frame(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[8];

	rx_open(f, 64, false, false);
	assert_int_equal(fake_vdev_rx_frame(&f->dev, NULL, 0), 1);
	rx_deliver(f, 100, 7);
	assert_int_equal(fake_vdev_complete(&f->dev, 2, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 8), 1);
	check_pkt(pkts[0], 100, 7);
	assert_int_equal(virtnet_rxq_stats(f->rxq)->errors, 1);
	assert_false(virtnet_rxq_broken(f->rxq));
	free_pkts(pkts, 1);
}

/*
 * Refill posts freed slots back once 32 are free, with one avail publication,
 * and the ring stays nearly full; run past 65536 buffers so both 16-bit
 * indexes wrap.
 */
static void test_rx_refill_keeps_ring_full(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];
	struct virtnet_ring_info ri;
	uint32_t sent = 0, got = 0;

	rx_open(f, 256, false, false);
	virtnet_rxq_ring_info(f->rxq, &ri);
	while (got < 70000) {
		unsigned batch = 1 + sent % 50;
		for (unsigned i = 0; i < batch; i++, sent++)
			rx_deliver(f, 60 + sent % 64, sent);
		assert_int_equal(fake_vdev_complete(&f->dev, (uint16_t)batch, false), 0);
		fake_vdev_publish(&f->dev);
		while (got < sent) {
			uint16_t avail_before = ri.avail->idx;
			uint16_t n = virtnet_recv_pkts(f->rxq, pkts, 32);

			assert_true(n > 0);
			for (unsigned i = 0; i < n; i++, got++) {
				check_pkt(pkts[i], 60 + got % 64, got);
				rf_pktmbuf_free(pkts[i]);
			}
			/* Buffers on the ring: posted and not taken by the device. */
			uint16_t on_ring = fake_vdev_avail_count(&f->dev);
			assert_true(on_ring >= 256 - 31 - (sent - got));
			/* When it refilled, it published once, the whole gap. */
			uint16_t published = (uint16_t)(ri.avail->idx - avail_before);
			assert_true(published == 0 || published >= 32);
		}
	}
	const struct virtnet_stats *st = virtnet_rxq_stats(f->rxq);
	assert_int_equal(st->packets, got);
	assert_int_equal(st->nombuf, 0);
	assert_int_equal(faults(st), 0);
}

/* Expected segment lengths of a mergeable frame of len bytes. */
static unsigned mrg_segs(uint32_t len, uint32_t *seg)
{
	unsigned n = 0;
	uint32_t left = len;

	seg[n] = RF_MIN(left, (uint32_t)ROOM);
	left -= seg[n++];
	while (left > 0) {
		seg[n] = RF_MIN(left, (uint32_t)POSTED);
		left -= seg[n++];
	}
	return n;
}

static void test_rx_mergeable(void **state)
{
	struct fx *f = *state;
	static const uint32_t lens[] = {60, 3000, 9000, ROOM, ROOM + 1, 12000};
	struct rf_mbuf *pkts[32];
	unsigned nbufs = 0;

	rx_open(f, 256, true, false);
	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		uint8_t buf[16384];
		uint32_t seg[16];
		make_frame(buf, lens[i], 100 + i);
		int n = fake_vdev_rx_frame(&f->dev, buf, lens[i]);
		assert_int_equal(n, (int)mrg_segs(lens[i], seg));
		nbufs += (unsigned)n;
	}
	assert_int_equal(fake_vdev_complete(&f->dev, (uint16_t)nbufs, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), RF_DIM(lens));
	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		uint32_t seg[16];
		unsigned n = mrg_segs(lens[i], seg);
		const struct rf_mbuf *s = pkts[i];

		check_pkt(pkts[i], lens[i], 100 + i);
		assert_int_equal(pkts[i]->nb_segs, n);
		assert_int_equal(pkts[i]->port, PORT);
		for (unsigned k = 0; k < n; k++, s = s->next) {
			assert_non_null(s);
			assert_int_equal(s->data_len, seg[k]);
			/* The header is not packet data; later buffers have none. */
			assert_int_equal(s->data_off,
					 k == 0 ? RF_PKTMBUF_HEADROOM : RF_PKTMBUF_HEADROOM - HDR);
		}
		assert_null(s);
	}
	assert_int_equal(virtnet_rxq_stats(f->rxq)->packets, RF_DIM(lens));
	assert_int_equal(faults(virtnet_rxq_stats(f->rxq)), 0);
	free_pkts(pkts, RF_DIM(lens));
}

/* A packet whose buffers are not all published is left whole for a later burst. */
static void test_rx_mergeable_partial(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, true, false);
	rx_deliver(f, 60, 1);	/* 1 buffer */
	rx_deliver(f, 5000, 2); /* 3 buffers */
	rx_deliver(f, 70, 3);	/* 1 buffer */
	assert_int_equal(fake_vdev_complete(&f->dev, 5, false), 0);
	uint16_t base = f->dev.used_idx - 5;

	fake_vdev_publish_idx(&f->dev, (uint16_t)(base + 2)); /* frame 1, first buffer of 2 */
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], 60, 1);
	rf_pktmbuf_free(pkts[0]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	fake_vdev_publish_idx(&f->dev, (uint16_t)(base + 3)); /* still one short */
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	fake_vdev_publish_idx(&f->dev, (uint16_t)(base + 4));
	/* Burst of one: the packet spans three buffers but is one mbuf chain. */
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 1), 1);
	check_pkt(pkts[0], 5000, 2);
	assert_int_equal(pkts[0]->nb_segs, 3);
	rf_pktmbuf_free(pkts[0]);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], 70, 3);
	rf_pktmbuf_free(pkts[0]);
	assert_int_equal(virtnet_rxq_stats(f->rxq)->packets, 3);
	assert_int_equal(faults(virtnet_rxq_stats(f->rxq)), 0);
}

/* The pool runs dry: nombuf counts what is missing, and the ring refills once mbufs return. */
static void test_rx_nombuf(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *held[POOL_SIZE], *pkts[64];
	unsigned nheld = 0;

	rx_open(f, 256, false, false);
	while ((held[nheld] = rf_pktmbuf_alloc(f->mp)) != NULL)
		nheld++;
	assert_int_equal(nheld, POOL_SIZE - 256);

	/* fill() with an empty pool posts nothing. */
	struct virtnet_cfg c = cfg_of(false, false);
	struct virtnet_rx *rxq2 = virtnet_rxq_create(&c, 64, RF_SOCKET_ID_ANY, f->mp);
	assert_non_null(rxq2);
	assert_int_equal(virtnet_rxq_fill(rxq2), -ENOMEM);
	/* Ten mbufs back: a partial fill is a success. */
	rf_pktmbuf_free_bulk(&held[nheld - 10], 10);
	nheld -= 10;
	assert_int_equal(virtnet_rxq_fill(rxq2), 0);
	struct virtnet_ring_info ri2;
	virtnet_rxq_ring_info(rxq2, &ri2);
	assert_int_equal(ri2.avail->idx, 10);
	virtnet_rxq_free(rxq2);
	while (nheld < POOL_SIZE - 256 && (held[nheld] = rf_pktmbuf_alloc(f->mp)) != NULL)
		nheld++;
	assert_int_equal(nheld, POOL_SIZE - 256);

	for (unsigned i = 0; i < 40; i++)
		rx_deliver(f, 100, i);
	assert_int_equal(fake_vdev_complete(&f->dev, 40, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 64), 40);
	const struct virtnet_stats *st = virtnet_rxq_stats(f->rxq);
	assert_int_equal(st->nombuf, 40);
	assert_int_equal(fake_vdev_avail_count(&f->dev), 256 - 40);
	/* Still dry: an empty burst retries, and counts again. */
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts + 40, 8), 0);
	assert_int_equal(st->nombuf, 80);

	/* 40 mbufs come back: the next burst, even an empty one, refills. */
	for (unsigned i = 0; i < 40; i++)
		check_pkt(pkts[i], 100, i);
	free_pkts(pkts, 40);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 64), 0);
	assert_int_equal(st->nombuf, 80);
	assert_int_equal(fake_vdev_avail_count(&f->dev), 256);
	rx_deliver(f, 200, 77);
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 64), 1);
	check_pkt(pkts[0], 200, 77);
	rf_pktmbuf_free(pkts[0]);
	free_pkts(held, nheld);
	assert_int_equal(faults(st), 0);
}

/* §2.7.9 in order: one used entry for a batch of buffers, all but the last full. */
static void test_rx_in_order_batch(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];
	uint32_t seed = 0, got = 0;

	rx_open(f, 64, false, true);
	/* Enough rounds to wrap the 64-entry ring many times and the indexes once. */
	for (unsigned round = 0; round < 20000; round++) {
		unsigned b = 1 + round % 7;
		uint32_t first = seed;

		for (unsigned i = 0; i < b; i++, seed++)
			rx_deliver(f, i + 1 < b ? ROOM : 60 + round % 100, seed);
		assert_int_equal(fake_vdev_complete(&f->dev, (uint16_t)b, round % 3 != 0), 0);
		fake_vdev_publish(&f->dev);
		/* Small bursts, so a batch is sometimes split across bursts. */
		unsigned n_round = 0;
		while (n_round < b) {
			uint16_t n = virtnet_recv_pkts(f->rxq, pkts, 3);
			assert_true(n > 0);
			for (unsigned i = 0; i < n; i++, n_round++, got++) {
				check_pkt(pkts[i], n_round + 1 < b ? ROOM : 60 + round % 100,
					  first + n_round);
				rf_pktmbuf_free(pkts[i]);
			}
		}
	}
	assert_int_equal(virtnet_rxq_stats(f->rxq)->packets, got);
	assert_int_equal(faults(virtnet_rxq_stats(f->rxq)), 0);
	assert_false(virtnet_rxq_broken(f->rxq));
}

/* MRG_RXBUF and IN_ORDER batches together: the continuation buffers are full. */
static void test_rx_in_order_mergeable_batch(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[8];

	/* 12 + 4108 bytes fill exactly two buffers. */
	const uint32_t two_full = 2 * POSTED - HDR;

	rx_open(f, 64, true, true);
	for (unsigned round = 0; round < 500; round++) {
		uint32_t s = 3 * round;
		/* A batch may only end on a short buffer: the ones before it are full. */
		rx_deliver(f, two_full, s); /* 2 full buffers */
		rx_deliver(f, 60, s + 1);   /* 1 buffer */
		assert_int_equal(fake_vdev_complete(&f->dev, 3, true), 0);
		rx_deliver(f, 5000, s + 2); /* 3 buffers, the last short */
		assert_int_equal(fake_vdev_complete(&f->dev, 3, true), 0);
		fake_vdev_publish(&f->dev);
		assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 8), 3);
		check_pkt(pkts[0], two_full, s);
		assert_int_equal(pkts[0]->nb_segs, 2);
		check_pkt(pkts[1], 60, s + 1);
		check_pkt(pkts[2], 5000, s + 2);
		assert_int_equal(pkts[2]->nb_segs, 3);
		free_pkts(pkts, 3);
	}
	assert_int_equal(faults(virtnet_rxq_stats(f->rxq)), 0);
}

/* ---------------------------------------------------------------- TX */

static void test_tx_push_header(void **state)
{
	struct fx *f = *state;
	static const uint16_t lens[] = {60, 64, 1514, 2048, 100};
	struct rf_mbuf *pkts[RF_DIM(lens)];
	uint64_t bytes = 0;

	tx_open(f, 256, false);
	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		pkts[i] = make_pkt(f->mp, lens[i], i);
		bytes += lens[i];
	}
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts, RF_DIM(lens)), RF_DIM(lens));
	for (unsigned i = 0; i < RF_DIM(lens); i++) {
		/* Header and frame in one descriptor, device-readable. */
		tx_expect(f, lens[i], i, 1);
		assert_int_equal(f->dev.desc[f->dev.last_head].flags, 0);
		/* The header went into the headroom; data_off did not move, nothing else changed.
		 */
		const uint8_t *data = rf_pktmbuf_mtod(pkts[i], const uint8_t *);
		assert_int_equal(pkts[i]->data_off, RF_PKTMBUF_HEADROOM);
		for (unsigned k = 1; k <= HDR; k++)
			assert_int_equal(data[-(int)k], 0);
		assert_int_equal(data[-(int)HDR - 1], 0xAA);
		assert_int_equal(((const uint8_t *)pkts[i]->buf_addr)[0], 0xAA);
	}
	assert_int_equal(fake_vdev_avail_count(&f->dev), 0);
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->packets, RF_DIM(lens));
	assert_int_equal(st->bytes, bytes);
	assert_int_equal(st->ring_full + st->errors + faults(st), 0);
	/* In flight until reclaimed; teardown's release takes them back. */
	assert_int_equal(rf_mempool_in_use_count(f->mp), RF_DIM(lens));
	virtnet_txq_stats_reset(f->txq);
	assert_int_equal(st->packets, 0);
}

/* Completed descriptors are reclaimed in a batch when the ring runs low; 16-bit wrap. */
static void test_tx_reclaim(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];
	uint32_t seed = 0, seen = 0;

	tx_open(f, 64, false);
	for (unsigned i = 0; i < 50; i++) {
		struct rf_mbuf *m = make_pkt(f->mp, (uint16_t)(60 + seed % 200), seed);
		seed++;
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	}
	for (unsigned i = 0; i < 50; i++, seen++)
		tx_expect(f, 60 + seen % 200, seen, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 50, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 50);
	/* 14 free < 16: this burst reclaims all 50 first. */
	pkts[0] = make_pkt(f->mp, (uint16_t)(60 + seed % 200), seed);
	seed++;
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts, 1), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);

	/* Keep going past 65536 packets: the mbufs in flight never exceed the ring. */
	while (seed < 70000) {
		unsigned n = 1 + seed % 32;
		for (unsigned i = 0; i < n; i++)
			pkts[i] = make_pkt(f->mp, (uint16_t)(60 + (seed + i) % 200), seed + i);
		uint16_t sent = virtnet_xmit_pkts(f->txq, pkts, (uint16_t)n);
		free_pkts(pkts + sent, n - sent);
		seed += sent;
		while (fake_vdev_avail_count(&f->dev) > 0) {
			tx_expect(f, 60 + seen % 200, seen, 1);
			seen++;
		}
		assert_int_equal(fake_vdev_complete(&f->dev, fake_vdev_pending(&f->dev), false), 0);
		fake_vdev_publish(&f->dev);
		assert_true(rf_mempool_in_use_count(f->mp) <= 64);
	}
	assert_int_equal(seen, seed);
	assert_int_equal(virtnet_txq_stats(f->txq)->packets, seed);
	assert_int_equal(faults(virtnet_txq_stats(f->txq)), 0);
}

/*
 * A shared mbuf (a replayed packet) is sent N times: each send uses a header
 * slot (we must not write into a buffer others read), and each completion
 * drops one reference; the mbuf is freed once, with the last.
 */
static void test_tx_refcnt(void **state)
{
	struct fx *f = *state;
	const unsigned N = 25;

	tx_open(f, 64, false);
	struct rf_mbuf *m = make_pkt(f->mp, 100, 5);
	rf_mbuf_refcnt_set(m, (uint16_t)N);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	for (unsigned i = 0; i < N; i++) {
		tx_expect(f, 100, 5, 2);
		const struct vring_desc *h = &f->dev.desc[f->dev.last_head];
		assert_int_equal(h->flags, VRING_DESC_F_NEXT);
		assert_int_equal(h->len, HDR);
	}
	/* Untouched: no header written into the shared headroom. */
	for (unsigned k = 0; k < m->data_off; k++)
		assert_int_equal(((const uint8_t *)m->buf_addr)[k], 0xAA);
	assert_int_equal(fake_vdev_complete(&f->dev, N - 1, false), 0);
	fake_vdev_publish(&f->dev);

	/* 14 descriptors free < 16: reclaims the N-1 completed sends. */
	struct rf_mbuf *p2 = make_pkt(f->mp, 60, 6);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &p2, 1), 1);
	assert_int_equal(rf_mbuf_refcnt_read(m), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 2);

	tx_expect(f, 60, 6, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 2, false), 0);
	fake_vdev_publish(&f->dev);
	/* Fill the ring down to the threshold so the next burst reclaims the last send. */
	unsigned sent = 0;
	while (rf_mempool_in_use_count(f->mp) > 1 || sent == 0) {
		struct rf_mbuf *p = make_pkt(f->mp, 60, 1000 + sent);
		assert_int_equal(virtnet_xmit_pkts(f->txq, &p, 1), 1);
		tx_expect(f, 60, 1000 + sent, 1);
		assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
		fake_vdev_publish(&f->dev);
		sent++;
		assert_true(sent < 64);
	}
	/* m is gone (freed exactly once: teardown finds the pool exactly full). */
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
}

/* Make the page(s) holding [p, p + len) read-only (ro) or writable again. */
static void protect(const void *p, size_t len, bool ro)
{
	const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(pg - 1);
	uintptr_t b = ((uintptr_t)p + len + pg - 1) & ~(pg - 1);

	assert_int_equal(mprotect((void *)a, b - a, ro ? PROT_READ : PROT_READ | PROT_WRITE), 0);
}

/* Post one send of m while the page(s) of its header are read-only; returns what xmit took. */
static uint16_t xmit_ro(struct fx *f, struct rf_mbuf *m, uint16_t hs)
{
	uint8_t *h = rf_pktmbuf_mtod(m, uint8_t *) - hs;

	protect(h, hs, true);
	uint16_t k = virtnet_xmit_pkts(f->txq, &m, 1);
	protect(h, hs, false);
	return k;
}

/* The device takes one send of the 100-byte frame 7 of m: one descriptor, header in place. */
static void expect_in_place(struct fx *f, const struct rf_mbuf *m)
{
	tx_expect(f, 100, 7, 1);
	const struct vring_desc *d = &f->dev.desc[f->dev.last_head];
	assert_int_equal(d->flags, 0);
	assert_int_equal(d->len, 100 + HDR);
	assert_ptr_equal((void *)(uintptr_t)d->addr, rf_pktmbuf_mtod(m, const uint8_t *) - HDR);
}

/*
 * A shared mbuf with a zero header already in its headroom (what
 * ringfwd-replay prepares) goes out in one descriptor per send, header and
 * frame together, every send in flight over the same bytes, and the driver
 * writes nothing into it: the page holding the header is read-only while it
 * posts (a write would fault; posts that reclaim are left out, since
 * dropping a reference writes the mbuf's refcnt, which may share that page).
 * Each completion drops one reference.
 */
static void test_tx_shared_zero_header(void **state)
{
	struct fx *f = *state;
	const unsigned N = 100;

	tx_open(f, 64, false);
	struct rf_mbuf *m = make_pkt(f->mp, 100, 7);
	memset(rf_pktmbuf_mtod(m, uint8_t *) - HDR, 0, HDR);
	rf_mbuf_refcnt_set(m, (uint16_t)(N + 1)); /* N sends and the owner's own */

	/* 64 sends fill the 64-descriptor ring: one descriptor each (the slot path fills it at 32).
	 */
	for (unsigned i = 0; i < 64; i++) {
		assert_int_equal(xmit_ro(f, m, HDR), 1);
		expect_in_place(f, m);
	}
	assert_int_equal(xmit_ro(f, m, HDR), 0); /* full; nothing completed to reclaim */
	assert_int_equal(rf_mbuf_refcnt_read(m), N + 1);

	/* All 64 complete; the next send reclaims them (64 references dropped). */
	assert_int_equal(fake_vdev_complete(&f->dev, 64, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	expect_in_place(f, m);
	assert_int_equal(rf_mbuf_refcnt_read(m), N + 1 - 64);
	for (unsigned i = 65; i < N; i++) {
		assert_int_equal(xmit_ro(f, m, HDR), 1);
		expect_in_place(f, m);
	}

	/* The rest of the headroom is as make_pkt left it. */
	for (unsigned k = 0; k < (unsigned)(m->data_off - HDR); k++)
		assert_int_equal(((const uint8_t *)m->buf_addr)[k], 0xAA);
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->packets, N);
	assert_int_equal(st->ring_full, 1);
	assert_int_equal(st->errors + faults(st), 0);
	/* Release drops the references of the N - 64 still in flight: the owner's is left. */
	virtnet_txq_release(f->txq);
	assert_int_equal(rf_mbuf_refcnt_read(m), 1);
	rf_pktmbuf_free(m);
}

/*
 * A shared mbuf whose headroom holds anything but a zero header right before
 * the data is not written either: it goes out through a header slot (2
 * descriptors), for each byte position of the 12-byte header and the 10-byte
 * legacy one (§5.1.6.1). A non-zero byte just before the header does not matter.
 */
static void test_tx_shared_dirty_header(void **state)
{
	struct fx *f = *state;
	static const uint16_t sizes[] = {HDR, sizeof(struct virtio_net_hdr)};

	for (unsigned z = 0; z < RF_DIM(sizes); z++) {
		const uint16_t hs = sizes[z];
		struct virtnet_cfg c = cfg_of(false, false);
		struct virtnet_ring_info ri;

		c.hdr_size = hs;
		virtnet_txq_free(f->txq);
		f->txq = virtnet_txq_create(&c, 64, RF_SOCKET_ID_ANY);
		assert_non_null(f->txq);
		virtnet_txq_ring_info(f->txq, &ri);
		if (f->dev_up)
			fake_vdev_fini(&f->dev);
		assert_int_equal(fake_vdev_init(&f->dev, &ri, hs, false), 0);
		f->dev_up = true;

		struct rf_mbuf *m = make_pkt(f->mp, 70, 30 + z);
		uint8_t *data = rf_pktmbuf_mtod(m, uint8_t *);
		rf_mbuf_refcnt_set(m, 2);
		for (int pos = -1; pos < (int)hs; pos++) {
			memset(data - hs - 1, 0, hs + 1u);
			if (pos >= 0)
				data[pos - (int)hs] = 0x01; /* one byte of the header */
			else
				data[-(int)hs - 1] = 0x01; /* the byte before it */
			/* At most 25 descriptors of 64 in flight: no reclaim, nothing written. */
			assert_int_equal(xmit_ro(f, m, hs), 1);
			tx_expect(f, 70, 30 + z, pos >= 0 ? 2 : 1);
			/* The device saw a zero header either way (fake_vdev checks it). */
			assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
			fake_vdev_publish(&f->dev);
			rf_mbuf_refcnt_update(m, 1); /* the next send's reference */
		}
		virtnet_txq_release(f->txq);
		/* Release dropped each send's reference: the owner's and a spare are left. */
		assert_int_equal(rf_mbuf_refcnt_read(m), 2);
		rf_mbuf_refcnt_set(m, 1);
		rf_pktmbuf_free(m);
		assert_int_equal(virtnet_txq_stats(f->txq)->packets, hs + 1u);
	}
}

static void test_tx_multiseg_and_slot_paths(void **state)
{
	struct fx *f = *state;
	static const uint16_t lens[] = {100, 200, 50};

	tx_open(f, 256, false);
	struct rf_mbuf *c = make_chain(f->mp, lens, 3, 9);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &c, 1), 1);
	tx_expect(f, 350, 9, 4);
	const struct vring_desc *h = &f->dev.desc[f->dev.last_head];
	assert_int_equal(h->len, HDR);
	assert_true(h->flags & VRING_DESC_F_NEXT);

	/* No room for the header before the data: header slot. */
	struct rf_mbuf *m = make_pkt(f->mp, 80, 10);
	m->data_off = 4;
	make_frame(rf_pktmbuf_mtod(m, uint8_t *), 80, 10);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	tx_expect(f, 80, 10, 2);

	/* Data start not 2-byte aligned: header slot. */
	m = make_pkt(f->mp, 80, 11);
	m->data_off = RF_PKTMBUF_HEADROOM - 1;
	make_frame(rf_pktmbuf_mtod(m, uint8_t *), 80, 11);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	tx_expect(f, 80, 11, 2);

	/* Exactly the header's worth of headroom: pushed. */
	m = make_pkt(f->mp, 80, 12);
	m->data_off = HDR;
	make_frame(rf_pktmbuf_mtod(m, uint8_t *), 80, 12);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	tx_expect(f, 80, 12, 1);

	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->packets, 4);
	assert_int_equal(st->bytes, 350 + 3 * 80);
}

/* A chain that needs more descriptors than the ring has is dropped, not refused forever. */
static void test_tx_chain_too_long(void **state)
{
	struct fx *f = *state;
	uint16_t lens[64];

	tx_open(f, 64, false);
	for (unsigned i = 0; i < RF_DIM(lens); i++)
		lens[i] = 10;
	struct rf_mbuf *pk[2];
	pk[0] = make_chain(f->mp, lens, 64, 1); /* 65 descriptors */
	pk[1] = make_pkt(f->mp, 60, 2);
	assert_int_equal(virtnet_xmit_pkts(f->txq, pk, 2), 2);
	tx_expect(f, 60, 2, 1);
	assert_int_equal(fake_vdev_avail_count(&f->dev), 0);
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->oversize, 1); /* counted with its reason, not as an error */
	assert_int_equal(st->errors, 0);
	assert_int_equal(st->packets, 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
}

static void test_tx_ring_full(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[100];

	tx_open(f, 64, false);
	for (unsigned i = 0; i < 100; i++)
		pkts[i] = make_pkt(f->mp, 60, i);
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts, 100), 64);
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->ring_full, 36);
	/* Nothing completed: nothing fits. The caller still owns pkts[64..]. */
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts + 64, 36), 0);
	assert_int_equal(st->ring_full, 72);
	for (unsigned i = 0; i < 10; i++)
		tx_expect(f, 60, i, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 10, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts + 64, 36), 10);
	assert_int_equal(st->ring_full, 72 + 26);

	/* A 3-segment chain needs 4 descriptors: refused with 3 free, the single before it taken.
	 */
	for (unsigned i = 10; i < 14; i++)
		tx_expect(f, 60, i, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 4, false), 0);
	fake_vdev_publish(&f->dev);
	static const uint16_t lens[] = {20, 20, 20};
	struct rf_mbuf *two[2] = {pkts[74], make_chain(f->mp, lens, 3, 500)};
	/* 0 free < 16 reclaims 4; one single leaves 3. */
	assert_int_equal(virtnet_xmit_pkts(f->txq, two, 2), 1);
	free_pkts(&two[1], 1);
	free_pkts(pkts + 75, 25);
	assert_int_equal(st->packets, 64 + 10 + 1);
}

/*
 * VIRTIO_F_IN_ORDER TX: descriptors are used in ring order (next = x + 1,
 * wrapping to 0), and one used entry returns a whole batch (§2.7.9).
 */
static void test_tx_in_order_batch(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[16];
	uint32_t seed = 0, seen = 0;
	uint16_t expect_head = 0;
	static const uint16_t lens2[] = {30, 40};

	tx_open(f, 64, true);
	struct rf_mbuf *shared = make_pkt(f->mp, 90, 424242);
	rf_mbuf_refcnt_set(shared, 60000);
	unsigned shared_sent = 0;
	uint32_t shared_seq[70000 / 8];

	for (unsigned round = 0; seed < 70000; round++) {
		unsigned n = 1 + round % 9;
		for (unsigned i = 0; i < n; i++) {
			uint32_t s = seed + i;
			if (s % 5 == 1)
				pkts[i] = make_chain(f->mp, lens2, 2, s); /* 3 descriptors */
			else if (s % 5 == 3 && shared_sent < RF_DIM(shared_seq))
				pkts[i] = shared; /* header slot: 2 descriptors */
			else
				pkts[i] = make_pkt(f->mp, (uint16_t)(60 + s % 50), s); /* 1 */
		}
		uint16_t sent = virtnet_xmit_pkts(f->txq, pkts, (uint16_t)n);
		for (unsigned i = sent; i < n; i++)
			if (pkts[i] != shared)
				rf_pktmbuf_free(pkts[i]);
		for (unsigned i = 0; i < sent; i++, seen++) {
			uint32_t s = seed + i;
			if (pkts[i] == shared) {
				tx_expect(f, 90, 424242, 2);
				shared_seq[shared_sent++] = s;
			} else if (s % 5 == 1) {
				tx_expect(f, 70, s, 3);
			} else {
				tx_expect(f, 60 + s % 50, s, 1);
			}
			/* Ring order, and in-chain links x -> x + 1 (0 after the last). */
			assert_int_equal(f->dev.last_head, expect_head);
			for (unsigned k = 0; k + 1 < f->dev.last_ndescs; k++) {
				uint16_t x = (uint16_t)((expect_head + k) & 63);
				assert_int_equal(f->dev.desc[x].next, (x + 1) & 63);
			}
			expect_head = (uint16_t)((expect_head + f->dev.last_ndescs) & 63);
		}
		seed += sent;
		/* Return what is pending in one or two batches. */
		uint16_t pend = fake_vdev_pending(&f->dev);
		if (pend > 1 && round % 2) {
			assert_int_equal(fake_vdev_complete(&f->dev, pend / 2, true), 0);
			pend = (uint16_t)(pend - pend / 2);
		}
		assert_int_equal(fake_vdev_complete(&f->dev, pend, true), 0);
		fake_vdev_publish(&f->dev);
	}
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	assert_int_equal(st->packets, seed);
	assert_int_equal(faults(st), 0);
	assert_false(virtnet_txq_broken(f->txq));
	/* Each send of the shared mbuf dropped one reference on completion, or will at release. */
	virtnet_txq_release(f->txq);
	assert_int_equal(rf_mbuf_refcnt_read(shared), 60000 - shared_sent);
	rf_mbuf_refcnt_set(shared, 1);
	rf_pktmbuf_free(shared);
	(void)shared_seq;
}

/* In order: one used entry for everything in flight frees every chain of the batch. */
static void test_tx_in_order_one_entry_for_all(void **state)
{
	struct fx *f = *state;
	static const uint16_t lens2[] = {30, 40};
	unsigned sent = 0, descs = 0;

	tx_open(f, 64, true);
	/* Chains of 1 and 3 descriptors until fewer than 16 are free. */
	while (64 - descs >= 16) {
		struct rf_mbuf *m =
		    sent % 2 ? make_chain(f->mp, lens2, 2, sent) : make_pkt(f->mp, 60, sent);
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
		descs += sent % 2 ? 3 : 1;
		sent++;
	}
	for (unsigned i = 0; i < sent; i++)
		tx_expect(f, i % 2 ? 70 : 60, i, i % 2 ? 3 : 1);
	assert_int_equal(fake_vdev_complete(&f->dev, (uint16_t)sent, true), 0);
	fake_vdev_publish(&f->dev);
	unsigned segs = rf_mempool_in_use_count(f->mp);
	assert_int_equal(segs, sent + sent / 2);

	/* The next burst reclaims the whole batch, then uses the next descriptor in order. */
	struct rf_mbuf *m = make_pkt(f->mp, 60, 1000);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
	tx_expect(f, 60, 1000, 1);
	assert_int_equal(f->dev.last_head, descs & 63);
	assert_int_equal(faults(virtnet_txq_stats(f->txq)), 0);
}

/* ---------------------------------------------------------------- reconnection */

/*
 * A new back-end starts at used->idx (VHOST_USER_SET_VRING_BASE), with the
 * rings as they are: what the old one took and never returned is taken again,
 * and the data path needs no reset.
 */
static void test_reconnect_keeps_rings(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[16];
	struct virtnet_ring_info ri;

	tx_open(f, 256, false);
	for (unsigned i = 0; i < 10; i++)
		pkts[i] = make_pkt(f->mp, 60, i);
	assert_int_equal(virtnet_xmit_pkts(f->txq, pkts, 10), 10);
	for (unsigned i = 0; i < 5; i++)
		tx_expect(f, 60, i, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 3, false), 0);
	fake_vdev_publish(&f->dev);
	/* The old back-end dies holding 2 taken, unreturned chains. */
	virtnet_txq_ring_info(f->txq, &ri);
	dev_attach(f, &ri, false);
	for (unsigned i = 3; i < 10; i++)
		tx_expect(f, 60, i, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 7, false), 0);
	fake_vdev_publish(&f->dev);
	/* Fill to below the threshold so the driver reclaims: all 10 come back. */
	unsigned n = 0;
	while (rf_mempool_in_use_count(f->mp) > 1) {
		struct rf_mbuf *m = make_pkt(f->mp, 60, 100 + n);
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
		tx_expect(f, 60, 100 + n, 1);
		assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
		fake_vdev_publish(&f->dev);
		assert_true(++n < 256);
	}
	assert_int_equal(faults(virtnet_txq_stats(f->txq)), 0);

	rx_open(f, 64, false, false);
	rx_deliver(f, 100, 1);
	rx_deliver(f, 100, 2);
	assert_int_equal(fake_vdev_complete(&f->dev, 2, false), 0);
	fake_vdev_publish(&f->dev);
	uint16_t taken;
	assert_int_equal(fake_vdev_take(&f->dev, &taken), 0); /* and dies with it */
	virtnet_rxq_ring_info(f->rxq, &ri);
	dev_attach(f, &ri, false);
	assert_int_equal(fake_vdev_avail_count(&f->dev), 62);
	rx_deliver(f, 100, 3);
	assert_int_equal(f->dev.pend[f->dev.pend_first & f->dev.mask].id, taken);
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 16), 3);
	for (unsigned i = 0; i < 3; i++)
		check_pkt(pkts[i], 100, i + 1);
	free_pkts(pkts, 3);
	assert_int_equal(faults(virtnet_rxq_stats(f->rxq)), 0);
}

/* ---------------------------------------------------------------- kicks */

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;
	ssize_t r = read(fd, &v, sizeof(v));
	if (r < 0 && errno == EAGAIN)
		return 0;
	assert_int_equal(r, sizeof(v));
	return v;
}

static void test_kick_suppression(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *m;

	tx_open(f, 256, false);
	f->efd = eventfd(0, EFD_NONBLOCK);
	assert_true(f->efd >= 0);
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);

	/* No kick fd: never. */
	m = make_pkt(f->mp, 60, 0);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	assert_int_equal(st->kicks, 0);

	virtnet_txq_set_kickfd(f->txq, f->efd);
	fake_vdev_set_no_notify(&f->dev, true);
	for (unsigned i = 0; i < 3; i++) {
		m = make_pkt(f->mp, 60, 1 + i);
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	}
	assert_int_equal(st->kicks, 0);
	assert_int_equal(efd_read(f->efd), 0);

	fake_vdev_set_no_notify(&f->dev, false);
	struct rf_mbuf *two[2] = {make_pkt(f->mp, 60, 4), make_pkt(f->mp, 60, 5)};
	assert_int_equal(virtnet_xmit_pkts(f->txq, two, 2), 2); /* one kick per burst */
	m = make_pkt(f->mp, 60, 6);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	assert_int_equal(st->kicks, 2);
	assert_int_equal(efd_read(f->efd), 2);
	/* An empty burst publishes nothing and does not kick. */
	assert_int_equal(virtnet_xmit_pkts(f->txq, two, 0), 0);
	assert_int_equal(st->kicks, 2);
	virtnet_txq_set_kickfd(f->txq, -1);

	/* RX: the refill publishes and kicks the same way. */
	struct rf_mbuf *pkts[64];
	rx_open(f, 64, false, false);
	virtnet_rxq_set_kickfd(f->rxq, f->efd);
	for (unsigned i = 0; i < 32; i++)
		rx_deliver(f, 60, i);
	assert_int_equal(fake_vdev_complete(&f->dev, 32, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 64), 32);
	free_pkts(pkts, 32);
	assert_int_equal(virtnet_rxq_stats(f->rxq)->kicks, 1);
	assert_int_equal(efd_read(f->efd), 1);
	virtnet_rxq_set_kickfd(f->rxq, -1);
}

/* ---------------------------------------------------------------- device faults */

enum stat_field { S_BAD_ID, S_NOT_POSTED, S_BAD_LEN, S_IDX_JUMP, S_BAD_NUM_BUFFERS };

static uint64_t stat_of(const struct virtnet_stats *s, enum stat_field w)
{
	switch (w) {
	case S_BAD_ID:
		return s->bad_id;
	case S_NOT_POSTED:
		return s->not_posted;
	case S_BAD_LEN:
		return s->bad_len;
	case S_IDX_JUMP:
		return s->idx_jump;
	case S_BAD_NUM_BUFFERS:
		return s->bad_num_buffers;
	}
	return UINT64_MAX;
}

/*
 * After a fault: counted once in the right counter and nowhere else, the
 * queue is broken and stays stopped even if the device now behaves, release
 * takes every mbuf back, and a released queue works again.
 */
static void expect_rx_broken(struct fx *f, enum stat_field w, bool mrg)
{
	struct rf_mbuf *pkts[32];
	const struct virtnet_stats *st = virtnet_rxq_stats(f->rxq);
	struct virtnet_ring_info ri;

	assert_true(virtnet_rxq_broken(f->rxq));
	assert_int_equal(stat_of(st, w), 1);
	assert_int_equal(faults(st), 1);
	uint64_t pk = st->packets;
	rx_deliver(f, 60, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, fake_vdev_pending(&f->dev), false), 0);
	fake_vdev_publish(&f->dev);
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	assert_int_equal(st->packets, pk);
	assert_int_equal(faults(st), 1);
	assert_int_equal(virtnet_rxq_fill(f->rxq), -EIO);

	virtnet_rxq_release(f->rxq);
	assert_int_equal(rf_mempool_avail_count(f->mp), POOL_SIZE);
	assert_false(virtnet_rxq_broken(f->rxq));

	assert_int_equal(virtnet_rxq_fill(f->rxq), 0);
	virtnet_rxq_ring_info(f->rxq, &ri);
	dev_attach(f, &ri, mrg);
	assert_int_equal(fake_vdev_avail_count(&f->dev), ri.size);
	uint32_t len = mrg ? 3000 : 1000;
	rx_deliver(f, len, 42);
	assert_int_equal(fake_vdev_complete(&f->dev, fake_vdev_pending(&f->dev), false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], len, 42);
	rf_pktmbuf_free(pkts[0]);
}

static void expect_tx_broken(struct fx *f, enum stat_field w)
{
	const struct virtnet_stats *st = virtnet_txq_stats(f->txq);
	struct virtnet_ring_info ri;

	assert_true(virtnet_txq_broken(f->txq));
	assert_int_equal(stat_of(st, w), 1);
	assert_int_equal(faults(st), 1);
	struct rf_mbuf *m = make_pkt(f->mp, 60, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 0);
	assert_int_equal(faults(st), 1);
	rf_pktmbuf_free(m);

	virtnet_txq_release(f->txq);
	assert_int_equal(rf_mempool_avail_count(f->mp), POOL_SIZE);
	assert_false(virtnet_txq_broken(f->txq));
	virtnet_txq_ring_info(f->txq, &ri);
	dev_attach(f, &ri, false);
	m = make_pkt(f->mp, 60, 2);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	tx_expect(f, 60, 2, 1);
}

/* Put 50 single-descriptor packets in flight on a 64 ring: the next burst reclaims. */
static void tx_load(struct fx *f, bool in_order)
{
	tx_open(f, 64, in_order);
	for (unsigned i = 0; i < 50; i++) {
		struct rf_mbuf *m = make_pkt(f->mp, 60, i);
		assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 1);
	}
}

/* The burst that meets the fault: it stops and the caller keeps its packet. */
static void tx_poke(struct fx *f)
{
	struct rf_mbuf *m = make_pkt(f->mp, 60, 99);
	assert_int_equal(virtnet_xmit_pkts(f->txq, &m, 1), 0);
	rf_pktmbuf_free(m);
}

static void test_fault_rx_bad_id(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, false, false);
	fake_vdev_push_used(&f->dev, 256 + 5, 100);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_BAD_ID, false);
}

static void test_fault_tx_bad_id(void **state)
{
	struct fx *f = *state;

	tx_load(f, false);
	fake_vdev_push_used(&f->dev, 0xffffffffu, 0);
	fake_vdev_publish(&f->dev);
	tx_poke(f);
	expect_tx_broken(f, S_BAD_ID);
}

/* TX: an id inside the table that was never posted. */
static void test_fault_tx_not_posted(void **state)
{
	struct fx *f = *state;

	tx_load(f, false);
	fake_vdev_push_used(&f->dev, 60, 0);
	fake_vdev_publish(&f->dev);
	tx_poke(f);
	expect_tx_broken(f, S_NOT_POSTED);
}

/* RX: the same buffer returned twice in one batch; the first return was good. */
static void test_fault_rx_returned_twice(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, false, false);
	rx_deliver(f, 100, 1);
	uint16_t id = f->dev.pend[f->dev.pend_first & f->dev.mask].id;
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_push_used(&f->dev, id, 100 + HDR);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], 100, 1);
	rf_pktmbuf_free(pkts[0]);
	expect_rx_broken(f, S_NOT_POSTED, false);
}

static void test_fault_tx_returned_twice(void **state)
{
	struct fx *f = *state;

	tx_load(f, false);
	tx_expect(f, 60, 0, 1);
	uint16_t head = f->dev.last_head;
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_push_used(&f->dev, head, 0);
	fake_vdev_publish(&f->dev);
	tx_poke(f);
	expect_tx_broken(f, S_NOT_POSTED);
}

static void test_fault_rx_len_over(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];
	uint16_t head;

	rx_open(f, 256, false, false);
	assert_int_equal(fake_vdev_take(&f->dev, &head), 0);
	fake_vdev_push_used(&f->dev, head, POSTED + 1);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_BAD_LEN, false);
}

static void test_fault_rx_len_under_header(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];
	uint16_t head;

	rx_open(f, 256, false, false);
	rx_deliver(f, 64, 3); /* a good one first: delivered */
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	assert_int_equal(fake_vdev_take(&f->dev, &head), 0);
	fake_vdev_push_used(&f->dev, head, HDR - 1);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], 64, 3);
	rf_pktmbuf_free(pkts[0]);
	expect_rx_broken(f, S_BAD_LEN, false);
}

static void test_fault_rx_idx_jump(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, false, false);
	/* 256 posted, the index claims 257 returned. */
	fake_vdev_publish_idx(&f->dev, 257);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_IDX_JUMP, false);
}

static void test_fault_tx_idx_jump(void **state)
{
	struct fx *f = *state;

	tx_load(f, false);
	fake_vdev_publish_idx(&f->dev, 51);
	tx_poke(f);
	expect_tx_broken(f, S_IDX_JUMP);
}

/* In order: the batch entry names a chain beyond what used->idx covers. */
static void test_fault_tx_in_order_batch_overrun(void **state)
{
	struct fx *f = *state;

	tx_load(f, true);
	for (unsigned i = 0; i < 3; i++)
		tx_expect(f, 60, i, 1);
	assert_int_equal(fake_vdev_complete(&f->dev, 3, true), 0);
	fake_vdev_publish_idx(&f->dev, 2);
	tx_poke(f);
	expect_tx_broken(f, S_IDX_JUMP);
}

static void test_fault_rx_in_order_batch_overrun(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 64, false, true);
	for (unsigned i = 0; i < 3; i++)
		rx_deliver(f, ROOM, i);
	assert_int_equal(fake_vdev_complete(&f->dev, 3, true), 0);
	fake_vdev_publish_idx(&f->dev, 2);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_IDX_JUMP, false);
}

/* Overwrite num_buffers in the header the device wrote for the oldest pending buffer. */
static void set_num_buffers(struct fx *f, uint16_t v)
{
	uint16_t id = f->dev.pend[f->dev.pend_first & f->dev.mask].id;
	uint8_t *hdr = (uint8_t *)(uintptr_t)f->dev.desc[id].addr;
	memcpy(hdr + offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers), &v, sizeof(v));
}

static void test_fault_num_buffers_zero(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, true, false);
	rx_deliver(f, 100, 1);
	set_num_buffers(f, 0);
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_BAD_NUM_BUFFERS, true);
}

static void test_fault_num_buffers_too_large(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, true, false);
	rx_deliver(f, 100, 1);
	set_num_buffers(f, 257); /* only 256 posted */
	assert_int_equal(fake_vdev_complete(&f->dev, 1, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 0);
	expect_rx_broken(f, S_BAD_NUM_BUFFERS, true);
}

/* A fault in the third buffer of a packet: the two segments already taken are freed. */
static void test_fault_mergeable_mid_packet(void **state)
{
	struct fx *f = *state;
	struct rf_mbuf *pkts[32];

	rx_open(f, 256, true, false);
	rx_deliver(f, 60, 1);
	rx_deliver(f, 5000, 2); /* 3 buffers */
	/* Corrupt the used len of the packet's last buffer. */
	f->dev.pend[(f->dev.pend_first + 3) & f->dev.mask].len = POSTED + 100;
	assert_int_equal(fake_vdev_complete(&f->dev, 4, false), 0);
	fake_vdev_publish(&f->dev);
	assert_int_equal(virtnet_recv_pkts(f->rxq, pkts, 32), 1);
	check_pkt(pkts[0], 60, 1);
	rf_pktmbuf_free(pkts[0]);
	expect_rx_broken(f, S_BAD_LEN, true);
}

/* ---------------------------------------------------------------- threads */

#define LOOP_PKTS 20000

static uint16_t loop_len(uint32_t s)
{
	return (uint16_t)(60 + (s * 37) % 3000);
}

/* check_pkt without assertions: usable while another thread runs. */
static bool pkt_is(const struct rf_mbuf *m, uint32_t len, uint32_t seed)
{
	uint32_t off = 0;

	if (rf_mbuf_check(m, NULL) != 0 || m->pkt_len != len)
		return false;
	for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
		const uint8_t *p = rf_pktmbuf_mtod(s, const uint8_t *);
		for (uint32_t i = 0; i < s->data_len; i++, off++)
			if (p[i] != pat(seed, off))
				return false;
	}
	return off == len;
}

struct loopback {
	struct fake_vdev tx_dev, rx_dev;
	atomic_bool stop;
	atomic_int err;
};

/* The device: every frame sent on the TX queue comes back on the RX queue. */
static void *device_thread(void *arg)
{
	struct loopback *lb = arg;
	uint8_t *buf = malloc(65536);
	int held = -1; /* length of a frame taken but not yet delivered */

	if (buf == NULL) {
		atomic_store(&lb->err, -ENOMEM);
		return NULL;
	}
	while (!atomic_load_explicit(&lb->stop, memory_order_relaxed)) {
		bool idle = true;
		for (unsigned i = 0; i < 32; i++) {
			if (held < 0)
				held = fake_vdev_tx_frame(&lb->tx_dev, buf, 65536);
			if (held == -EAGAIN) {
				held = -1;
				break;
			}
			if (held < 0) {
				atomic_store(&lb->err, held);
				goto out;
			}
			int rc = fake_vdev_rx_frame(&lb->rx_dev, buf, (uint32_t)held);
			if (rc == -EAGAIN)
				break; /* no RX buffer yet: keep the frame, try again */
			if (rc < 0) {
				atomic_store(&lb->err, rc);
				goto out;
			}
			held = -1;
			idle = false;
		}
		if (fake_vdev_pending(&lb->tx_dev) > 0) {
			fake_vdev_complete(&lb->tx_dev, fake_vdev_pending(&lb->tx_dev), false);
			fake_vdev_publish(&lb->tx_dev);
		}
		if (fake_vdev_pending(&lb->rx_dev) > 0) {
			fake_vdev_complete(&lb->rx_dev, fake_vdev_pending(&lb->rx_dev), false);
			fake_vdev_publish(&lb->rx_dev);
		}
		if (idle)
			sched_yield();
	}
out:
	free(buf);
	return NULL;
}

static void test_threaded_loopback(void **state)
{
	struct fx *f = *state;
	static struct loopback lb;
	struct virtnet_ring_info ri;
	struct rf_mbuf *pkts[32];
	pthread_t th;
	uint32_t sent = 0, got = 0;

	memset(&lb, 0, sizeof(lb));
	struct virtnet_cfg c = cfg_of(true, false);
	f->txq = virtnet_txq_create(&c, 256, RF_SOCKET_ID_ANY);
	f->rxq = virtnet_rxq_create(&c, 256, RF_SOCKET_ID_ANY, f->mp);
	assert_non_null(f->txq);
	assert_non_null(f->rxq);
	assert_int_equal(virtnet_rxq_fill(f->rxq), 0);
	virtnet_txq_ring_info(f->txq, &ri);
	assert_int_equal(fake_vdev_init(&lb.tx_dev, &ri, HDR, true), 0);
	virtnet_rxq_ring_info(f->rxq, &ri);
	assert_int_equal(fake_vdev_init(&lb.rx_dev, &ri, HDR, true), 0);
	assert_int_equal(pthread_create(&th, NULL, device_thread, &lb), 0);

	/* No assertion while the device thread runs: a failure would leave it running. */
	unsigned bad = 0;
	while (got < LOOP_PKTS && atomic_load(&lb.err) == 0 && bad == 0) {
		unsigned n = RF_MIN(32u, LOOP_PKTS - sent);
		for (unsigned i = 0; i < n; i++) {
			uint32_t s = sent + i;
			uint16_t len = loop_len(s);
			uint16_t lens[2] = {(uint16_t)(len / 2), (uint16_t)(len - len / 2)};

			pkts[i] =
			    len > 2000 ? make_chain(f->mp, lens, 2, s) : make_pkt(f->mp, len, s);
		}
		uint16_t k = virtnet_xmit_pkts(f->txq, pkts, (uint16_t)n);
		free_pkts(pkts + k, n - k);
		sent += k;
		uint16_t r = virtnet_recv_pkts(f->rxq, pkts, 32);
		for (unsigned i = 0; i < r; i++, got++) {
			bad += !pkt_is(pkts[i], loop_len(got), got);
			rf_pktmbuf_free(pkts[i]);
		}
		if (k == 0 && r == 0)
			sched_yield();
	}
	atomic_store(&lb.stop, true);
	pthread_join(th, NULL);
	assert_int_equal(atomic_load(&lb.err), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(got, LOOP_PKTS);
	assert_int_equal(virtnet_txq_stats(f->txq)->packets, LOOP_PKTS);
	assert_int_equal(virtnet_rxq_stats(f->rxq)->packets, LOOP_PKTS);
	assert_int_equal(faults(virtnet_txq_stats(f->txq)) + faults(virtnet_rxq_stats(f->rxq)), 0);
	fake_vdev_fini(&lb.tx_dev);
	fake_vdev_fini(&lb.rx_dev);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_create_bad_args),
	    T(test_ring_layout),
	    T(test_rx_single),
	    T(test_rx_empty_frame),
	    T(test_rx_refill_keeps_ring_full),
	    T(test_rx_mergeable),
	    T(test_rx_mergeable_partial),
	    T(test_rx_nombuf),
	    T(test_rx_in_order_batch),
	    T(test_rx_in_order_mergeable_batch),
	    T(test_tx_push_header),
	    T(test_tx_reclaim),
	    T(test_tx_refcnt),
	    T(test_tx_shared_zero_header),
	    T(test_tx_shared_dirty_header),
	    T(test_tx_multiseg_and_slot_paths),
	    T(test_tx_chain_too_long),
	    T(test_tx_ring_full),
	    T(test_tx_in_order_batch),
	    T(test_tx_in_order_one_entry_for_all),
	    T(test_reconnect_keeps_rings),
	    T(test_kick_suppression),
	    T(test_fault_rx_bad_id),
	    T(test_fault_tx_bad_id),
	    T(test_fault_tx_not_posted),
	    T(test_fault_rx_returned_twice),
	    T(test_fault_tx_returned_twice),
	    T(test_fault_rx_len_over),
	    T(test_fault_rx_len_under_header),
	    T(test_fault_rx_idx_jump),
	    T(test_fault_tx_idx_jump),
	    T(test_fault_tx_in_order_batch_overrun),
	    T(test_fault_rx_in_order_batch_overrun),
	    T(test_fault_num_buffers_zero),
	    T(test_fault_num_buffers_too_large),
	    T(test_fault_mergeable_mid_packet),
	    T(test_threaded_loopback),
	};
	return cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown);
}
