/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_null: its devargs (DPDK's size, copy, no-rx), full RX bursts of
 * size-byte packets from the queue's pool, TX that frees, the counters, and
 * copy=1 writing the template into every packet.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rf_ethdev.h"
#include "rf_mbuf.h"
#include "rf_test_eal.h"

static struct rf_mempool *pool;

static uint16_t open_port(const char *devargs, unsigned nq)
{
	char err[256];
	uint16_t port;

	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, (uint16_t)nq, (uint16_t)nq, NULL), 0);
	for (unsigned q = 0; q < nq; q++) {
		assert_int_equal(rf_eth_rx_queue_setup(port, (uint16_t)q, 512, -1, pool), 0);
		assert_int_equal(rf_eth_tx_queue_setup(port, (uint16_t)q, 512, -1), 0);
	}
	assert_int_equal(rf_eth_dev_start(port), 0);
	return port;
}

static void test_defaults(void **state)
{
	struct rf_mbuf *pkts[32];
	struct rf_eth_stats st;
	struct rf_eth_link link;
	(void)state;
	uint16_t p = open_port("net_null0", 2);

	assert_int_equal(rf_eth_link_get_nowait(p, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_UP);
	for (unsigned round = 0; round < 3; round++) {
		assert_int_equal(rf_eth_rx_burst(p, 1, pkts, 32), 32);
		for (unsigned i = 0; i < 32; i++) {
			assert_int_equal(pkts[i]->pkt_len, 64);
			assert_int_equal(pkts[i]->data_len, 64);
			assert_int_equal(pkts[i]->nb_segs, 1);
			assert_int_equal(pkts[i]->port, p);
			assert_int_equal(pkts[i]->queue, 1);
		}
		assert_int_equal(rf_eth_tx_burst(p, 0, pkts, 32), 32);
	}
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.ipackets, 96);
	assert_int_equal(st.q_ipackets[1], 96);
	assert_int_equal(st.ibytes, 96 * 64);
	assert_int_equal(st.opackets, 96);
	assert_int_equal(st.q_opackets[0], 96);
	assert_int_equal(st.obytes, 96 * 64);
	assert_int_equal(rf_eth_stats_reset(p), 0);
	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.ipackets + st.opackets, 0);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

/* copy=1: every packet holds the template's bytes; TX reads chains too. */
static void test_copy_and_size(void **state)
{
	struct rf_mbuf *pkts[8];
	(void)state;
	uint16_t p = open_port("net_null1,size=1518,copy=1", 1);

	assert_int_equal(rf_eth_rx_burst(p, 0, pkts, 8), 8);
	for (unsigned i = 0; i < 8; i++) {
		const uint8_t *d = rf_pktmbuf_mtod(pkts[i], const uint8_t *);
		assert_int_equal(pkts[i]->pkt_len, 1518);
		for (unsigned k = 0; k < 1518; k++)
			assert_int_equal(d[k], (uint8_t)k);
	}
	assert_int_equal(rf_pktmbuf_chain(pkts[0], pkts[1]), 0);
	assert_int_equal(rf_eth_tx_burst(p, 0, pkts, 1), 1);
	assert_int_equal(rf_eth_tx_burst(p, 0, pkts + 2, 6), 6);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.opackets, 7);
	assert_int_equal(st.obytes, 8 * 1518);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

/* no-rx=1: a sink only. An empty pool: nothing, counted as nombuf. */
static void test_no_rx_and_nombuf(void **state)
{
	struct rf_mbuf *pkts[32];
	struct rf_eth_stats st;
	(void)state;
	uint16_t p = open_port("net_null2,no-rx=1", 1);

	assert_int_equal(rf_eth_rx_burst(p, 0, pkts, 32), 0);
	assert_int_equal(rf_eth_dev_close(p), 0);

	struct rf_mempool *tiny =
	    rf_pktmbuf_pool_create("null_tiny", 16, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(tiny);
	char err[256];
	uint16_t q;
	assert_int_equal(rf_eth_dev_create("net_null3", &q, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(q, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(q, 0, 64, -1, tiny), 0);
	assert_int_equal(rf_eth_tx_queue_setup(q, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(q), 0);
	assert_int_equal(rf_eth_rx_burst(q, 0, pkts, 32), 0); /* all or none */
	assert_int_equal(rf_eth_rx_burst(q, 0, pkts, 16), 16);
	assert_int_equal(rf_eth_stats_get(q, &st), 0);
	assert_int_equal(st.rx_nombuf, 32);
	assert_int_equal(rf_eth_tx_burst(q, 0, pkts, 16), 16);
	assert_int_equal(rf_eth_dev_close(q), 0);
	rf_mempool_free(tiny);
}

static void test_bad_devargs(void **state)
{
	static const struct {
		const char *devargs, *msg;
	} bad[] = {
	    {"net_null0,size=13", "size=13: must be between 14 and 9600"},
	    {"net_null0,size=9601", "size=9601: must be between 14 and 9600"},
	    {"net_null0,copy=2", "copy=2"},
	    {"net_null0,nosuch=1", "unknown key 'nosuch'"},
	};
	char err[256];
	uint16_t p;
	(void)state;

	for (size_t i = 0; i < RF_DIM(bad); i++) {
		err[0] = '\0';
		assert_true(rf_eth_dev_create(bad[i].devargs, &p, err, sizeof(err)) < 0);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("%s: '%s' does not say '%s'", bad[i].devargs, err, bad[i].msg);
	}
	assert_int_equal(rf_eth_dev_count_avail(), 0);
	/* A size the pool's data room cannot hold is refused at queue setup. */
	assert_int_equal(rf_eth_dev_create("net_null0,size=9000", &p, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(p, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), -EMSGSIZE);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static int setup(void **state)
{
	if (rf_test_eal_setup(state) != 0)
		return -1;
	pool = rf_pktmbuf_pool_create("null_pool", 1024, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	return pool == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	rf_mempool_free(pool);
	return rf_test_eal_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_copy_and_size),
	    cmocka_unit_test(test_no_rx_and_nombuf),
	    cmocka_unit_test(test_bad_devargs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
