/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for pmd/af_packet's data path, with the kernel's side of the
 * TPACKET_V2 rings played by the test in plain memory: frames handed over
 * (TP_STATUS_USER) are copied out byte for byte, a VLAN tag the kernel took
 * out goes back in, every header field that points outside its frame is
 * counted and handed back unread, the ring wraps, and a ring the kernel
 * still owns stops RX and TX. And the devargs the driver refuses before it
 * touches an interface. No root, no socket: the TX kick on fd -1 fails and
 * is counted.
 *
 * Every test ends with every mbuf back in the pool.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "af_packet.h"
#include "rf_ethdev.h"
#include "rf_test_eal.h"

#define NB_FRAMES  8
#define FRAME_SIZE 2048
#define MAC_OFF	   66 /* where the kernel puts the data in a V2 frame */

static struct rf_mempool *pool;
static uint8_t *mem;
static uint8_t *frames[NB_FRAMES];

static int group_setup(void **state)
{
	if (rf_test_eal_setup(state) != 0)
		return -1;
	pool = rf_pktmbuf_pool_create("afp_test", 256, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	mem = aligned_alloc(4096, (size_t)NB_FRAMES * FRAME_SIZE);
	if (pool == NULL || mem == NULL)
		return -1;
	for (unsigned i = 0; i < NB_FRAMES; i++)
		frames[i] = mem + (size_t)i * FRAME_SIZE;
	return 0;
}

static int group_teardown(void **state)
{
	free(mem);
	return rf_test_eal_teardown(state);
}

static struct tpacket2_hdr *hdr(unsigned i)
{
	return (struct tpacket2_hdr *)frames[i];
}

static void rxq_init(struct afp_rxq *q)
{
	memset(q, 0, sizeof(*q));
	memset(mem, 0, (size_t)NB_FRAMES * FRAME_SIZE);
	q->ring =
	    (struct afp_ring){.frames = frames, .nb_frames = NB_FRAMES, .frame_size = FRAME_SIZE};
	q->mp = pool;
	q->max_copy = RF_MBUF_DEFAULT_DATAROOM;
	q->port = 3;
	q->queue = 1;
	q->fd = -1;
}

/* The kernel's side: frame i holds len bytes (pattern seed) at mac, handed to us. */
static void kernel_fill(unsigned i, uint32_t mac, uint32_t snap, uint32_t len, uint32_t extra,
			uint8_t seed)
{
	struct tpacket2_hdr *h = hdr(i);

	h->tp_mac = mac;
	h->tp_snaplen = snap;
	h->tp_len = len;
	if (mac < FRAME_SIZE)
		for (uint32_t j = 0; j < snap && mac + j < FRAME_SIZE; j++)
			frames[i][mac + j] = (uint8_t)(seed + j);
	h->tp_status = TP_STATUS_USER | extra;
}

static uint64_t ld(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void check_frame(const struct rf_mbuf *m, uint32_t len, uint8_t seed)
{
	const uint8_t *p = rf_pktmbuf_mtod(m, const uint8_t *);

	assert_int_equal(m->pkt_len, len);
	assert_int_equal(m->data_len, len);
	for (uint32_t j = 0; j < len; j++)
		assert_int_equal(p[j], (uint8_t)(seed + j));
}

static void test_rx_copies_in_order_and_wraps(void **state)
{
	struct afp_rxq q;
	struct rf_mbuf *pkts[NB_FRAMES];

	(void)state;
	rxq_init(&q);
	/* Three rounds of 5 frames over an 8-frame ring: the head wraps. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned k = 0; k < 5; k++)
			kernel_fill((round * 5 + k) % NB_FRAMES, MAC_OFF, 60 + k * 100,
				    60 + k * 100, 0, (uint8_t)(round * 16 + k));
		uint16_t n = afp_rx_burst(&q, pkts, NB_FRAMES);
		assert_int_equal(n, 5);
		for (unsigned k = 0; k < 5; k++) {
			check_frame(pkts[k], 60 + k * 100, (uint8_t)(round * 16 + k));
			assert_int_equal(pkts[k]->port, 3);
			assert_int_equal(pkts[k]->queue, 1);
			/* Handed back to the kernel. */
			assert_int_equal(hdr((round * 5 + k) % NB_FRAMES)->tp_status,
					 TP_STATUS_KERNEL);
		}
		rf_pktmbuf_free_bulk(pkts, n);
	}
	assert_int_equal(q.ring.head, 15 % NB_FRAMES);
	assert_int_equal(ld(&q.packets), 15);
	/* Nothing more handed over: nothing received. */
	assert_int_equal(afp_rx_burst(&q, pkts, NB_FRAMES), 0);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

static void test_rx_burst_limit(void **state)
{
	struct afp_rxq q;
	struct rf_mbuf *pkts[NB_FRAMES];

	(void)state;
	rxq_init(&q);
	for (unsigned i = 0; i < 4; i++)
		kernel_fill(i, MAC_OFF, 64, 64, 0, (uint8_t)i);
	assert_int_equal(afp_rx_burst(&q, pkts, 3), 3);
	/* The fourth stays the user's until the next burst. */
	assert_int_equal(hdr(3)->tp_status & TP_STATUS_USER, TP_STATUS_USER);
	rf_pktmbuf_free_bulk(pkts, 3);
	assert_int_equal(afp_rx_burst(&q, pkts, 3), 1);
	check_frame(pkts[0], 64, 3);
	rf_pktmbuf_free(pkts[0]);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* Each header the kernel could get wrong is counted, handed back, and not read. */
static void test_rx_rejects_frames_pointing_outside(void **state)
{
	struct afp_rxq q;
	struct rf_mbuf *pkts[NB_FRAMES];

	(void)state;
	rxq_init(&q);
	kernel_fill(0, 10, 64, 64, 0, 0);			 /* tp_mac inside our header */
	kernel_fill(1, FRAME_SIZE + 100, 64, 64, 0, 0);		 /* tp_mac past the frame */
	kernel_fill(2, MAC_OFF, FRAME_SIZE, FRAME_SIZE, 0, 0);	 /* data runs off the frame */
	kernel_fill(3, MAC_OFF, 100, 60, 0, 0);			 /* snaplen > len */
	kernel_fill(4, MAC_OFF, 8, 8, 0, 0);			 /* shorter than a header */
	kernel_fill(5, MAC_OFF, 0xffffffffu, 0xffffffffu, 0, 0); /* wraps mac + snaplen */
	kernel_fill(6, MAC_OFF, 1000, 9000, 0, 0);		 /* truncated: not delivered */
	kernel_fill(7, MAC_OFF, 64, 64, 0, 42);			 /* a good one after them */
	uint16_t n = afp_rx_burst(&q, pkts, NB_FRAMES);
	assert_int_equal(n, 1);
	check_frame(pkts[0], 64, 42);
	rf_pktmbuf_free(pkts[0]);
	assert_int_equal(ld(&q.bad_frames), 6);
	assert_int_equal(ld(&q.truncated), 1);
	assert_int_equal(ld(&q.packets), 1);
	for (unsigned i = 0; i < NB_FRAMES; i++)
		assert_int_equal(hdr(i)->tp_status, TP_STATUS_KERNEL);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* A tag the device stripped is put back after the MAC addresses. */
static void test_rx_reinserts_vlan(void **state)
{
	struct afp_rxq q;
	struct rf_mbuf *m;

	(void)state;
	rxq_init(&q);
	kernel_fill(0, MAC_OFF, 60, 60, TP_STATUS_VLAN_VALID | TP_STATUS_VLAN_TPID_VALID, 0);
	hdr(0)->tp_vlan_tci = 0x2064;
	hdr(0)->tp_vlan_tpid = 0x88a8;
	kernel_fill(1, MAC_OFF, 60, 60, TP_STATUS_VLAN_VALID, 0);
	hdr(1)->tp_vlan_tci = 5;
	hdr(1)->tp_vlan_tpid = 0;

	static const uint8_t tag0[4] = {0x88, 0xa8, 0x20, 0x64}, tag1[4] = {0x81, 0x00, 0, 5};
	const uint8_t *tags[2] = {tag0, tag1};
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(afp_rx_burst(&q, &m, 1), 1);
		const uint8_t *p = rf_pktmbuf_mtod(m, const uint8_t *);
		assert_int_equal(m->pkt_len, 64);
		for (unsigned j = 0; j < 12; j++)
			assert_int_equal(p[j], (uint8_t)j);
		assert_memory_equal(p + 12, tags[i], 4);
		for (unsigned j = 12; j < 60; j++)
			assert_int_equal(p[j + 4], (uint8_t)j);
		rf_pktmbuf_free(m);
	}
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* A frame larger than an mbuf is counted and handed back. */
static void test_rx_too_big_for_mbuf(void **state)
{
	struct afp_rxq q;
	struct rf_mbuf *m;

	(void)state;
	rxq_init(&q);
	q.max_copy = 100;
	kernel_fill(0, MAC_OFF, 101, 101, 0, 0);
	kernel_fill(1, MAC_OFF, 100, 100, 0, 7);
	assert_int_equal(afp_rx_burst(&q, &m, 1), 1);
	check_frame(m, 100, 7);
	rf_pktmbuf_free(m);
	assert_int_equal(ld(&q.too_big), 1);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

static struct rf_mbuf *make_pkt(uint32_t len, uint8_t seed)
{
	struct rf_mbuf *m = rf_pktmbuf_alloc(pool);
	uint8_t *p = (uint8_t *)rf_pktmbuf_append(m, (uint16_t)len);

	for (uint32_t j = 0; j < len; j++)
		p[j] = (uint8_t)(seed + j);
	return m;
}

static void txq_init(struct afp_txq *q)
{
	memset(q, 0, sizeof(*q));
	memset(mem, 0, (size_t)NB_FRAMES * FRAME_SIZE);
	q->ring =
	    (struct afp_ring){.frames = frames, .nb_frames = NB_FRAMES, .frame_size = FRAME_SIZE};
	q->max_len = 1514;
	q->frame_cap = FRAME_SIZE - afp_tx_data_off();
	q->fd = -1;
}

static void test_tx_fills_frames_and_stops_at_kernel_owned(void **state)
{
	struct afp_txq q;
	struct rf_mbuf *pkts[NB_FRAMES + 2];
	uint32_t off = afp_tx_data_off();

	(void)state;
	txq_init(&q);
	/* The kernel still holds frame 6 (sending): the burst stops there. */
	hdr(6)->tp_status = TP_STATUS_SENDING;
	for (unsigned i = 0; i < NB_FRAMES; i++)
		pkts[i] = make_pkt(60 + i, (uint8_t)i);
	uint16_t n = afp_tx_burst(&q, pkts, NB_FRAMES);
	assert_int_equal(n, 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(hdr(i)->tp_status, TP_STATUS_SEND_REQUEST);
		assert_int_equal(hdr(i)->tp_len, 60 + i);
		for (unsigned j = 0; j < 60 + i; j++)
			assert_int_equal(frames[i][off + j], (uint8_t)(i + j));
	}
	assert_int_equal(ld(&q.packets), 6);
	assert_int_equal(ld(&q.ring_full), 1);
	/* The kick went to fd -1: counted, not fatal. */
	assert_true(ld(&q.kick_errors) >= 1);
	/* The caller still owns what was not taken. */
	rf_pktmbuf_free_bulk(&pkts[6], 2);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* Too short, too long for the MTU or the frame: freed and counted, the rest sent. */
static void test_tx_bad_lengths(void **state)
{
	struct afp_txq q;
	struct rf_mbuf *pkts[4];

	(void)state;
	txq_init(&q);
	pkts[0] = make_pkt(13, 0);
	pkts[1] = make_pkt(1515, 0);
	pkts[2] = make_pkt(1518, 0); /* 1514 + a tag: a VLAN frame may be this long */
	uint8_t *p = rf_pktmbuf_mtod(pkts[2], uint8_t *);
	p[12] = 0x81;
	p[13] = 0x00;
	pkts[3] = make_pkt(1514, 0);
	assert_int_equal(afp_tx_burst(&q, pkts, 4), 4);
	assert_int_equal(ld(&q.too_big), 2);
	assert_int_equal(ld(&q.packets), 2);
	assert_int_equal(hdr(0)->tp_len, 1518);
	assert_int_equal(hdr(1)->tp_len, 1514);
	assert_int_equal(hdr(2)->tp_status, TP_STATUS_AVAILABLE);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* A chained mbuf goes out as one frame, its segments in order. */
static void test_tx_chain(void **state)
{
	struct afp_txq q;
	struct rf_mbuf *a = make_pkt(40, 0), *b = make_pkt(30, 40);
	uint32_t off = afp_tx_data_off();

	(void)state;
	txq_init(&q);
	assert_int_equal(rf_pktmbuf_chain(a, b), 0);
	assert_int_equal(afp_tx_burst(&q, &a, 1), 1);
	assert_int_equal(hdr(0)->tp_len, 70);
	for (unsigned j = 0; j < 70; j++)
		assert_int_equal(frames[0][off + j], (uint8_t)j);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
}

/* Devargs refused before any interface is looked at, each naming its key. */
static void test_devargs_refused(void **state)
{
	static const struct {
		const char *args, *needle;
	} cases[] = {
	    {"net_af_packet0", "iface=IF is required"},
	    {"net_af_packet0,iface=", "iface=IF is required"},
	    {"net_af_packet0,iface=abcdefghijklmnopq", "longer than an interface name"},
	    {"net_af_packet0,iface=lo,qpairs=0", "qpairs"},
	    {"net_af_packet0,iface=lo,qpairs=17", "qpairs"},
	    {"net_af_packet0,iface=lo,blocksz=5000", "blocksz=5000"},
	    {"net_af_packet0,iface=lo,framesz=2050", "framesz=2050"},
	    {"net_af_packet0,iface=lo,framesz=8192", "framesz=8192"},
	    {"net_af_packet0,iface=lo,framesz=1024,framecnt=5", "framecnt=5"},
	    {"net_af_packet0,iface=lo,qdisc_bypass=maybe", "qdisc_bypass"},
	    {"net_af_packet0,iface=lo,queues=2", "queues"},
	    {"net_af_packet0,iface=rfnosuchif0", "no such interface"},
	};
	char err[512];
	uint16_t port;

	(void)state;
	for (unsigned i = 0; i < RF_DIM(cases); i++) {
		err[0] = '\0';
		int rc = rf_eth_dev_create(cases[i].args, &port, err, sizeof(err));
		if (rc == 0)
			fail_msg("%s: accepted", cases[i].args);
		if (strstr(err, cases[i].needle) == NULL)
			fail_msg("%s: message '%s' does not say '%s'", cases[i].args, err,
				 cases[i].needle);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rx_copies_in_order_and_wraps),
	    cmocka_unit_test(test_rx_burst_limit),
	    cmocka_unit_test(test_rx_rejects_frames_pointing_outside),
	    cmocka_unit_test(test_rx_reinserts_vlan),
	    cmocka_unit_test(test_rx_too_big_for_mbuf),
	    cmocka_unit_test(test_tx_fills_frames_and_stops_at_kernel_owned),
	    cmocka_unit_test(test_tx_bad_lengths),
	    cmocka_unit_test(test_tx_chain),
	    cmocka_unit_test(test_devargs_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
