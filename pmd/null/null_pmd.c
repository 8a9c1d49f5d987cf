/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_null: a port that costs nothing, to measure what is above it. DPDK's
 * devargs:
 *
 *   --vdev 'net_null0,size=64,copy=0,no-rx=0'
 *
 * RX hands out a full burst of size-byte packets fresh from the queue's
 * mempool (their bytes are whatever the pool holds: nobody reads them, as in
 * DPDK); TX frees what it is given. With copy=1, RX writes each packet's
 * bytes from a template and TX reads them, so that the data's cache lines
 * are touched as a real device's would be. With no-rx=1, RX returns nothing.
 *
 * Counters: one writer per queue (its polling lcore), read by stats_get from
 * another thread: relaxed atomics, a load and a store (no read-modify-write).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_ethdev_driver.h"
#include "rf_mbuf.h"

#define NULL_DRIVER_NAME  "net_null"
#define NULL_DEFAULT_SIZE 64u
#define NULL_MAX_DESC	  32768u

struct null_q {
	/* (P) set by queue setup, read by the polling lcore */
	struct rf_mempool *mp;
	const struct null_dev *dev;
	uint16_t port, queue;
	/* counters: written by the polling lcore only */
	_Atomic uint64_t packets, bytes, nombuf;
	uint64_t sink; /* copy=1 TX: a sum of the bytes read, so the reads are not optimised out */
};

struct null_dev {
	struct rf_eth_dev eth; /* first: ethdev's handle */
	uint32_t size;
	int copy, no_rx;
	uint8_t *tmpl; /* copy=1: the bytes RX writes, size long */
	struct null_q rxq[RF_MAX_QUEUES_PER_PORT];
	struct null_q txq[RF_MAX_QUEUES_PER_PORT];
};

static const char *const null_keys[] = {"size", "copy", "no-rx", NULL};

static struct null_dev *null_dev(struct rf_eth_dev *eth)
{
	return rf_container_of(eth, struct null_dev, eth);
}

static inline void cnt_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

/* --- data path --- */

static uint16_t null_rx(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct null_q *q = rxq;
	const struct null_dev *d = q->dev;

	if (d->no_rx || n == 0)
		return 0;
	if (rf_pktmbuf_alloc_bulk(q->mp, pkts, n) != 0) {
		cnt_add(&q->nombuf, n);
		return 0;
	}
	for (uint16_t i = 0; i < n; i++) {
		struct rf_mbuf *m = pkts[i];

		m->data_len = (uint16_t)d->size;
		m->pkt_len = d->size;
		m->port = q->port;
		m->queue = q->queue;
		if (d->copy)
			memcpy(rf_pktmbuf_mtod(m, uint8_t *), d->tmpl, d->size);
	}
	cnt_add(&q->packets, n);
	cnt_add(&q->bytes, (uint64_t)n * d->size);
	return n;
}

static uint16_t null_tx(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct null_q *q = txq;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct rf_mbuf *m = pkts[i];

		bytes += m->pkt_len;
		if (q->dev->copy)
			for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
				const uint8_t *p = rf_pktmbuf_mtod(s, const uint8_t *);
				for (uint16_t k = 0; k < s->data_len; k += 64)
					q->sink += p[k];
			}
	}
	rf_pktmbuf_free_bulk(pkts, n);
	cnt_add(&q->packets, n);
	cnt_add(&q->bytes, bytes);
	return n;
}

/* --- control path --- */

static int null_infos_get(struct rf_eth_dev *eth, struct rf_eth_dev_info *info)
{
	(void)eth;
	snprintf(info->driver_name, sizeof(info->driver_name), "%s", NULL_DRIVER_NAME);
	info->max_rx_queues = RF_MAX_QUEUES_PER_PORT;
	info->max_tx_queues = RF_MAX_QUEUES_PER_PORT;
	/* No ring: any count is accepted and ignored. */
	info->min_rx_desc = info->min_tx_desc = 1;
	info->max_rx_desc = info->max_tx_desc = NULL_MAX_DESC;
	info->max_rx_pktlen = UINT32_MAX;
	return 0;
}

static int null_configure(struct rf_eth_dev *eth)
{
	(void)eth;
	return 0;
}

static int null_rxq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp)
{
	struct null_dev *d = null_dev(eth);

	(void)nb_desc;
	(void)socket;
	if (q >= RF_MAX_QUEUES_PER_PORT || mp == NULL)
		return -EINVAL;
	/* A packet is one segment: it must fit the pool's data room. */
	if (d->size + RF_PKTMBUF_HEADROOM > (uint32_t)rf_pktmbuf_data_room_size(mp))
		return -EMSGSIZE;
	d->rxq[q].mp = mp;
	eth->rxq[q] = &d->rxq[q];
	return 0;
}

static int null_txq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket)
{
	struct null_dev *d = null_dev(eth);

	(void)nb_desc;
	(void)socket;
	if (q >= RF_MAX_QUEUES_PER_PORT)
		return -EINVAL;
	eth->txq[q] = &d->txq[q];
	return 0;
}

static int null_start(struct rf_eth_dev *eth)
{
	rf_eth_dev_set_link(eth, 1);
	return 0;
}

static int null_stop(struct rf_eth_dev *eth)
{
	rf_eth_dev_set_link(eth, 0);
	return 0;
}

static int null_close(struct rf_eth_dev *eth)
{
	struct null_dev *d = null_dev(eth);

	free(d->tmpl);
	free(d);
	return 0;
}

static int null_stats_get(struct rf_eth_dev *eth, struct rf_eth_stats *st)
{
	struct null_dev *d = null_dev(eth);

	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		st->q_ipackets[q] = atomic_load_explicit(&d->rxq[q].packets, memory_order_relaxed);
		st->q_ibytes[q] = atomic_load_explicit(&d->rxq[q].bytes, memory_order_relaxed);
		st->q_opackets[q] = atomic_load_explicit(&d->txq[q].packets, memory_order_relaxed);
		st->q_obytes[q] = atomic_load_explicit(&d->txq[q].bytes, memory_order_relaxed);
		st->rx_nombuf += atomic_load_explicit(&d->rxq[q].nombuf, memory_order_relaxed);
	}
	return 0;
}

static int null_stats_reset(struct rf_eth_dev *eth)
{
	struct null_dev *d = null_dev(eth);

	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		struct null_q *qs[2] = {&d->rxq[q], &d->txq[q]};
		for (unsigned k = 0; k < 2; k++) {
			atomic_store_explicit(&qs[k]->packets, 0, memory_order_relaxed);
			atomic_store_explicit(&qs[k]->bytes, 0, memory_order_relaxed);
			atomic_store_explicit(&qs[k]->nombuf, 0, memory_order_relaxed);
		}
	}
	return 0;
}

/* Always up while started, at the speed DPDK's net_null reports. */
static int null_link_update(struct rf_eth_dev *eth, struct rf_eth_link *link)
{
	link->status = eth->started ? RF_ETH_LINK_UP : RF_ETH_LINK_DOWN;
	link->speed_mbps = 10000;
	return 0;
}

static int null_promiscuous_set(struct rf_eth_dev *eth, int on)
{
	(void)eth;
	(void)on;
	return 0;
}

static const struct rf_eth_dev_ops null_ops = {
    .dev_infos_get = null_infos_get,
    .dev_configure = null_configure,
    .rx_queue_setup = null_rxq_setup,
    .tx_queue_setup = null_txq_setup,
    .dev_start = null_start,
    .dev_stop = null_stop,
    .dev_close = null_close,
    .stats_get = null_stats_get,
    .stats_reset = null_stats_reset,
    .link_update = null_link_update,
    .promiscuous_set = null_promiscuous_set,
};

static int null_probe(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		      char *err, size_t errlen)
{
	uint32_t size;
	int copy, no_rx, rc;

	/* 14..9600: an Ethernet header at least, a jumbo frame at most (one mbuf of a big pool). */
	if ((rc = rf_devargs_get_u32(args, "size", NULL_DEFAULT_SIZE, 14, 9600, &size, err,
				     errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(args, "copy", 0, &copy, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(args, "no-rx", 0, &no_rx, err, errlen)) < 0)
		return rc;
	struct null_dev *d = calloc(1, sizeof(*d));
	if (d == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	d->size = size;
	d->copy = copy;
	d->no_rx = no_rx;
	if (copy) {
		d->tmpl = malloc(size);
		if (d->tmpl == NULL) {
			free(d);
			snprintf(err, errlen, "%s: out of memory", name);
			return -ENOMEM;
		}
		for (uint32_t i = 0; i < size; i++)
			d->tmpl[i] = (uint8_t)i;
	}
	for (uint16_t q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		d->rxq[q] = (struct null_q){.dev = d, .queue = q};
		d->txq[q] = (struct null_q){.dev = d, .queue = q};
	}
	d->eth.ops = &null_ops;
	d->eth.rx_burst = null_rx;
	d->eth.tx_burst = null_tx;
	*out = &d->eth;
	return 0;
}

static const struct rf_eth_driver null_driver = {
    .name = NULL_DRIVER_NAME,
    .valid_keys = null_keys,
    .probe = null_probe,
};

RF_ETH_DRIVER_REGISTER(null_driver)
