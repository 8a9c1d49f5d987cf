/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding engine: from the options to streams on lcores (plan), to
 * pools and running ports (setup), to the lcore loop (start/stop), and back
 * to a machine with every mbuf in its pool (close).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "modes.h"
#include "rf_eal.h"
#include "steer.h"

/* The RX histogram in struct rf_fwd_stream has a bin for every burst size we allow. */
_Static_assert(RF_DIM(((struct rf_fwd_stream *)0)->burst_hist) == RF_FWD_MAX_BURST + 1,
	       "burst_hist covers 0..RF_FWD_MAX_BURST");

/* How long start-up waits for the ports' links before forwarding anyway. */
#define LINK_WAIT_MS 5000

static int RF_PRINTF(3, 4) fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- the loop ---------------------------------------------------------- */

static inline uint64_t sum_pkt_len(struct rf_mbuf *const *pkts, uint16_t n)
{
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	return bytes;
}

/*
 * One iteration on one stream: rx_burst (or, for a software-steering worker,
 * a dequeue from the RX lcore's ring) -> mode -> tx_burst. Whatever the
 * port refuses (after --tx-retry attempts) is freed and counted as dropped.
 * The TSC is read around the iteration and counted only when it moved
 * packets, so idle polls do not dilute cycles per packet.
 */
static inline void stream_poll(struct rf_fwd_stream_slot *slot, const struct rf_fwd_mode *mode,
			       uint16_t burst, bool record, unsigned tx_retry)
{
	struct rf_fwd_stream *fs = &slot->fs;
	struct rf_mbuf *pkts[RF_FWD_MAX_BURST];
	uint64_t start = rf_tsc();
	uint16_t nb_rx = 0;

	if (mode->rx) {
		if (slot->ring != NULL)
			nb_rx = (uint16_t)rf_ring_sc_dequeue_burst(slot->ring, (void **)pkts, burst,
								   NULL);
		else
			nb_rx = rf_eth_rx_burst(fs->rx_port, fs->rx_queue, pkts, burst);
		if (record)
			rf_fwd_ctr_add(&fs->burst_hist[nb_rx], 1);
		if (nb_rx != 0) {
			rf_fwd_ctr_add(&fs->rx_packets, nb_rx);
			rf_fwd_ctr_add(&fs->rx_bytes, sum_pkt_len(pkts, nb_rx));
		}
	}

	uint16_t nb_tx = mode->burst(fs, pkts, nb_rx);
	if (nb_tx == 0) {
		if (nb_rx != 0)
			rf_fwd_ctr_add(&fs->busy_cycles, rf_tsc() - start);
		return;
	}

	/* Bytes are summed while we still own every mbuf: after tx_burst the port does. */
	uint64_t bytes = sum_pkt_len(pkts, nb_tx);
	uint16_t sent = rf_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, nb_tx);
	for (unsigned r = 0; sent < nb_tx && r < tx_retry; r++) {
		/* testpmd's retry: give the peer a microsecond to drain, then offer the rest. */
		rf_delay_us(1);
		sent += rf_eth_tx_burst(fs->tx_port, fs->tx_queue, &pkts[sent],
					(uint16_t)(nb_tx - sent));
		rf_fwd_ctr_add(&slot->tx_retries, 1);
	}
	if (record)
		rf_fwd_ctr_add(&slot->tx_burst_hist[sent], 1);
	if (sent < nb_tx) {
		uint16_t left = (uint16_t)(nb_tx - sent);

		bytes -= sum_pkt_len(&pkts[sent], left);
		rf_fwd_ctr_add(&fs->dropped, left);
		rf_pktmbuf_free_bulk(&pkts[sent], left);
	}
	rf_fwd_ctr_add(&fs->tx_packets, sent);
	rf_fwd_ctr_add(&fs->tx_bytes, bytes);
	rf_fwd_ctr_add(&fs->busy_cycles, rf_tsc() - start);
}

/* A forwarding lcore: poll its streams in turn until told to stop. */
static int lcore_loop(void *arg)
{
	const struct rf_fwd_lcore *lc = arg;
	const struct rf_fwd_engine *e = lc->engine;
	const struct rf_fwd_mode *mode = e->mode;
	const uint16_t burst = e->cfg.burst;
	const bool record = e->opt->record_burst_stats;
	const unsigned tx_retry = e->opt->tx_retry;

	/* Relaxed: pairs with the release store in rf_fwd_engine_stop; only the flag matters. */
	while (!atomic_load_explicit(&e->stop, memory_order_relaxed)) {
		for (unsigned i = 0; i < lc->nb_streams; i++)
			stream_poll(lc->streams[i], mode, burst, record, tx_retry);
	}
	return 0;
}

/* ---- plan: streams and lcores ------------------------------------------- */

int rf_fwd_engine_port_index(const struct rf_fwd_engine *e, uint16_t port_id)
{
	for (unsigned i = 0; i < e->nb_ports; i++)
		if (e->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

/* The TX port for RX port index i (testpmd's port topologies). */
static unsigned topology_tx(const struct rf_fwd_engine *e, unsigned i)
{
	switch (e->opt->topology) {
	case RF_FWD_TOPO_PAIRED:
		if (i % 2 == 1)
			return i - 1;
		return i + 1 < e->nb_ports ? i + 1 : i;
	case RF_FWD_TOPO_CHAINED:
		return (i + 1) % e->nb_ports;
	case RF_FWD_TOPO_LOOP:
		break;
	}
	return i;
}

static int plan_ports(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	const struct rf_fwd_options *o = e->opt;
	uint16_t p;

	RF_ETH_FOREACH_DEV(p)
	{
		struct rf_fwd_port *port = &e->ports[e->nb_ports++];

		port->port_id = p;
		snprintf(port->name, sizeof(port->name), "%s", rf_eth_dev_name(p));
		int rc = rf_eth_dev_info_get(p, &port->info);
		if (rc < 0)
			return fail(err, errlen, "port %u (%s): no device info: %s", p, port->name,
				    strerror(-rc));
		rf_eth_macaddr_get(p, &port->mac);
		port->rss_hw = port->info.flow_type_rss_offloads != 0;
		if (o->nb_rxq > port->info.max_rx_queues)
			return fail(err, errlen,
				    "--rxq: %u RX queues asked, but port %u (%s) has %u; give the "
				    "device more (net_virtio_user: queues=N) or lower --rxq",
				    o->nb_rxq, p, port->name, port->info.max_rx_queues);
		if (o->nb_txq > port->info.max_tx_queues)
			return fail(err, errlen,
				    "--txq: %u TX queues asked, but port %u (%s) has %u; give the "
				    "device more (net_virtio_user: queues=N) or lower --txq",
				    o->nb_txq, p, port->name, port->info.max_tx_queues);
		port->nb_rxd = o->nb_rxd != 0 ? o->nb_rxd : port->info.max_rx_desc;
		port->nb_txd = o->nb_txd != 0 ? o->nb_txd : port->info.max_tx_desc;
		if (port->nb_rxd < port->info.min_rx_desc || port->nb_rxd > port->info.max_rx_desc)
			return fail(err, errlen,
				    "--rxd: port %u (%s) takes %u..%u RX descriptors, not %u", p,
				    port->name, port->info.min_rx_desc, port->info.max_rx_desc,
				    port->nb_rxd);
		if (port->nb_txd < port->info.min_tx_desc || port->nb_txd > port->info.max_tx_desc)
			return fail(err, errlen,
				    "--txd: port %u (%s) takes %u..%u TX descriptors, not %u", p,
				    port->name, port->info.min_tx_desc, port->info.max_tx_desc,
				    port->nb_txd);
	}
	if (e->nb_ports == 0)
		return fail(err, errlen,
			    "no ports: add one with --vdev, e.g. --vdev "
			    "'net_virtio_user0,path=/tmp/vhost.sock'");
	return 0;
}

static struct rf_fwd_lcore *lcore_get(struct rf_fwd_engine *e, unsigned lcore_id)
{
	for (unsigned i = 0; i < e->nb_lcores; i++)
		if (e->lcores[i].lcore_id == lcore_id)
			return &e->lcores[i];
	struct rf_fwd_lcore *lc = &e->lcores[e->nb_lcores++];

	lc->lcore_id = lcore_id;
	lc->engine = e;
	return lc;
}

static int lcore_cmp(const void *a, const void *b)
{
	const struct rf_fwd_lcore *x = a, *y = b;

	return (x->lcore_id > y->lcore_id) - (x->lcore_id < y->lcore_id);
}

/* The first nb_cores forwarding lcores of -l, main excluded (testpmd's default). */
static unsigned fwd_lcores(const struct rf_fwd_engine *e, unsigned *ids)
{
	unsigned n = 0;

	for (unsigned l = 0; l < RF_MAX_LCORE && n < e->opt->nb_cores; l++)
		if (e->eal->lcores[l] && l != e->eal->main_lcore)
			ids[n++] = l;
	return n;
}

/*
 * Software steering: lcore 0 of the list receives; worker k (the k-th of the
 * others) has one stream per RX port, reading that port's ring to it and
 * sending to the port's topology peer. The RX lcore has no stream.
 */
static int plan_software_streams(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	unsigned ids[RF_MAX_LCORE], n = fwd_lcores(e, ids);

	if (n < e->opt->nb_cores)
		return fail(err, errlen, "--nb-cores: %u forwarding lcores asked, %u available",
			    e->opt->nb_cores, n);
	e->steer.nb_workers = n - 1;
	struct rf_fwd_lcore *rx = lcore_get(e, ids[0]);

	rx->role = RF_FWD_ROLE_RX;
	for (unsigned k = 0; k < e->steer.nb_workers; k++) {
		struct rf_fwd_lcore *lc = lcore_get(e, ids[1 + k]);

		lc->role = RF_FWD_ROLE_WORKER;
		lc->worker = k;
	}
	for (unsigned k = 0; k < e->steer.nb_workers; k++) {
		for (unsigned pi = 0; pi < e->nb_ports; pi++) {
			struct rf_fwd_stream_slot *s = &e->slots[e->nb_streams++];

			s->fs.rx_port = e->ports[pi].port_id;
			s->fs.tx_port = e->ports[topology_tx(e, pi)].port_id;
			s->lcore = ids[1 + k];
			s->ring_worker = k;
		}
	}
	return 0;
}

/* Which streams there are and who polls them: --config, software steering, or round-robin. */
static int plan_streams(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	const struct rf_fwd_options *o = e->opt;
	unsigned n = o->nb_config != 0			    ? o->nb_config
		     : e->steering == RF_FWD_STEER_SOFTWARE ? e->nb_ports * (o->nb_cores - 1)
							    : e->nb_ports * o->nb_rxq;

	e->slots = aligned_alloc(RF_CACHE_LINE, RF_MAX(n, 1u) * sizeof(*e->slots));
	if (e->slots == NULL)
		return -ENOMEM;
	memset(e->slots, 0, n * sizeof(*e->slots));

	if (o->nb_config != 0) {
		for (unsigned i = 0; i < o->nb_config; i++) {
			const struct rf_fwd_config_entry *c = &o->config[i];
			int pi = rf_fwd_engine_port_index(e, c->port);

			if (pi < 0)
				return fail(err, errlen,
					    "--config: port %u in (%u,%u,%u) does not exist (%u "
					    "port%s from --vdev)",
					    c->port, c->port, c->queue, c->lcore, e->nb_ports,
					    e->nb_ports == 1 ? "" : "s");
			struct rf_fwd_stream_slot *s = &e->slots[e->nb_streams++];

			s->fs.rx_port = c->port;
			s->fs.rx_queue = c->queue;
			s->fs.tx_port = e->ports[topology_tx(e, (unsigned)pi)].port_id;
			s->lcore = c->lcore;
		}
	} else if (e->steering == RF_FWD_STEER_SOFTWARE) {
		int rc = plan_software_streams(e, err, errlen);

		if (rc != 0)
			return rc;
	} else {
		unsigned workers[RF_MAX_LCORE], nb_workers = fwd_lcores(e, workers);

		if (nb_workers < o->nb_cores)
			return fail(err, errlen,
				    "--nb-cores: %u forwarding lcores asked, %u available",
				    o->nb_cores, nb_workers);
		for (unsigned pi = 0; pi < e->nb_ports; pi++) {
			for (uint16_t q = 0; q < o->nb_rxq; q++) {
				struct rf_fwd_stream_slot *s = &e->slots[e->nb_streams];

				s->fs.rx_port = e->ports[pi].port_id;
				s->fs.rx_queue = q;
				s->fs.tx_port = e->ports[topology_tx(e, pi)].port_id;
				s->lcore = workers[e->nb_streams % nb_workers];
				e->nb_streams++;
			}
		}
		if (e->nb_streams < nb_workers)
			printf("ringfwd: %u stream%s for %u forwarding lcores: %u lcore%s stay%s "
			       "idle\n",
			       e->nb_streams, e->nb_streams == 1 ? "" : "s", nb_workers,
			       nb_workers - e->nb_streams,
			       nb_workers - e->nb_streams == 1 ? "" : "s",
			       nb_workers - e->nb_streams == 1 ? "s" : "");
	}

	/* The lcores that have work, in lcore order, each with its streams in order. */
	for (unsigned i = 0; i < e->nb_streams; i++)
		lcore_get(e, e->slots[i].lcore)->nb_streams++;
	qsort(e->lcores, e->nb_lcores, sizeof(e->lcores[0]), lcore_cmp);
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		struct rf_fwd_lcore *lc = &e->lcores[i];

		if (lc->nb_streams == 0)
			continue; /* the RX lcore of software steering */
		lc->streams = calloc(lc->nb_streams, sizeof(*lc->streams));
		if (lc->streams == NULL)
			return -ENOMEM;
		lc->nb_streams = 0;
	}
	for (unsigned i = 0; i < e->nb_streams; i++) {
		struct rf_fwd_lcore *lc = lcore_get(e, e->slots[i].lcore);

		lc->streams[lc->nb_streams++] = &e->slots[i];
	}
	return 0;
}

/*
 * TX queues: each forwarding lcore gets its own queue on every port it sends
 * to, numbered in lcore order, so no two lcores ever share one.
 */
static int plan_tx_queues(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		struct rf_fwd_port *port = &e->ports[pi];
		char who[128] = "";
		size_t off = 0;

		for (unsigned li = 0; li < e->nb_lcores; li++) {
			const struct rf_fwd_lcore *lc = &e->lcores[li];
			bool sends = false;

			for (unsigned s = 0; s < lc->nb_streams; s++) {
				if (lc->streams[s]->fs.tx_port == port->port_id) {
					lc->streams[s]->fs.tx_queue = port->nb_txq_used;
					sends = true;
				}
			}
			if (!sends)
				continue;
			port->nb_txq_used++;
			if (off < sizeof(who)) {
				int n = snprintf(who + off, sizeof(who) - off, "%s%u",
						 off ? "," : "", lc->lcore_id);
				if (n > 0)
					off += (size_t)n;
			}
		}
		if (port->nb_txq_used > port->nb_txq)
			return fail(err, errlen,
				    "--txq: port %u (%s) is sent to by %u forwarding lcores (%s), "
				    "each on its own TX queue: use --txq=%u or more",
				    port->port_id, port->name, port->nb_txq_used, who,
				    port->nb_txq_used);
	}
	return 0;
}

static int lcore_socket(unsigned lcore_id)
{
	int s = rf_lcore_to_socket(lcore_id);

	return s >= 0 && s < RF_FWD_MAX_SOCKETS ? s : 0;
}

/*
 * Mbufs per pool, testpmd's way: every ring full, every lcore cache at its
 * flush threshold (1.5 times its size), and a burst in each forwarding
 * lcore's hands plus one being generated.
 */
static int plan_pool_size(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	const struct rf_fwd_options *o = e->opt;
	unsigned rings = 0;

	for (unsigned pi = 0; pi < e->nb_ports; pi++)
		rings += (unsigned)o->nb_rxq * e->ports[pi].nb_rxd +
			 (unsigned)e->ports[pi].nb_txq * e->ports[pi].nb_txd;
	/* Software steering: the RX lcore's rings to the workers can all be full. */
	rings += rf_fwd_steer_ring_mbufs(e);
	unsigned nb_eal_lcores = 0;

	for (unsigned l = 0; l < RF_MAX_LCORE; l++)
		nb_eal_lcores += e->eal->lcores[l];
	/* Every lcore has a cache, the main one too (it frees the drained mbufs). */
	unsigned caches = nb_eal_lcores * (o->mbcache + o->mbcache / 2);
	unsigned bursts = e->nb_lcores * 2 * RF_FWD_MAX_BURST;
	unsigned need = rings + caches + bursts;

	if (o->total_num_mbufs == 0) {
		e->pool_size = need;
		return 0;
	}
	if (o->total_num_mbufs < need)
		return fail(err, errlen,
			    "--total-num-mbufs: %u is fewer than the %u that the rings (%u), "
			    "lcore caches (%u) and bursts (%u) can hold at once",
			    o->total_num_mbufs, need, rings, caches, bursts);
	e->pool_size = o->total_num_mbufs;
	return 0;
}

int rf_fwd_engine_plan(struct rf_fwd_engine *e, const struct rf_fwd_options *opt,
		       const struct rf_eal_config *eal, char *err, size_t errlen)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->opt = opt;
	e->eal = eal;
	e->mode = opt->mode;
	e->cfg = opt->cfg;
	atomic_init(&e->stop, false);

	rc = plan_ports(e, err, errlen);
	if (rc == 0)
		rc = rf_fwd_steer_choose(e, err, errlen);
	if (rc == 0)
		rc = plan_streams(e, err, errlen);
	if (rc == 0)
		rc = plan_tx_queues(e, err, errlen);
	if (rc == 0)
		rc = rf_fwd_steer_plan(e, err, errlen);
	if (rc == 0)
		rc = plan_pool_size(e, err, errlen);
	if (rc == -ENOMEM)
		fail(err, errlen, "out of memory planning %u streams", e->nb_streams);
	if (rc != 0)
		rf_fwd_engine_free(e); /* nothing half-planned stays allocated */
	return rc;
}

/* ---- setup: pools and ports -------------------------------------------- */

static struct rf_fwd_lcore *lcore_of(struct rf_fwd_engine *e, uint16_t port, uint16_t queue)
{
	/* Software steering: the RX lcore polls every RX queue. */
	for (unsigned i = 0; i < e->nb_lcores; i++)
		if (e->lcores[i].role == RF_FWD_ROLE_RX)
			return &e->lcores[i];
	for (unsigned i = 0; i < e->nb_streams; i++)
		if (e->slots[i].fs.rx_port == port && e->slots[i].fs.rx_queue == queue)
			return lcore_get(e, e->slots[i].lcore);
	return NULL;
}

static struct rf_mempool *pool_for(struct rf_fwd_engine *e, int socket)
{
	if (e->pools[socket] != NULL)
		return e->pools[socket];
	for (unsigned s = 0; s < RF_FWD_MAX_SOCKETS; s++)
		if (e->pools[s] != NULL)
			return e->pools[s];
	return NULL;
}

static int setup_pools(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		int s = lcore_socket(e->lcores[i].lcore_id);
		char name[RF_MEMPOOL_NAMESIZE];

		if (e->pools[s] != NULL)
			continue;
		snprintf(name, sizeof(name), "mbuf_pool_socket_%d", s);
		e->pools[s] = rf_pktmbuf_pool_create(name, e->pool_size, e->opt->mbcache, 0,
						     RF_MBUF_DEFAULT_BUF_SIZE, s);
		if (e->pools[s] == NULL) {
			int rc = -errno;

			fail(err, errlen,
			     "cannot create %u mbufs (%u MB) on socket %d: %s; give more memory "
			     "with -m or fewer mbufs with --total-num-mbufs",
			     e->pool_size,
			     (unsigned)(((uint64_t)e->pool_size *
					 (RF_MBUF_DEFAULT_BUF_SIZE + 128)) >>
					20),
			     s, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int setup_port(struct rf_fwd_engine *e, struct rf_fwd_port *port, char *err, size_t errlen)
{
	const struct rf_fwd_options *o = e->opt;
	struct rf_eth_conf conf;
	uint16_t p = port->port_id;
	const char *step = "configure";
	int rc;

	/* Device RSS from the start; the RETA is programmed at each forwarding start. */
	rf_fwd_steer_port_conf(e, port, &conf.rss);
	rc = rf_eth_dev_configure(p, o->nb_rxq, port->nb_txq, &conf);
	for (uint16_t q = 0; rc == 0 && q < o->nb_rxq; q++) {
		/* RX buffers come from the pool of the socket that polls the queue. */
		struct rf_fwd_lcore *lc = lcore_of(e, p, q);
		int s = lcore_socket(lc != NULL ? lc->lcore_id : rf_lcore_main());

		step = "RX queue setup";
		rc = rf_eth_rx_queue_setup(p, q, port->nb_rxd, s, pool_for(e, s));
		if (q == 0)
			port->socket = s;
	}
	for (uint16_t q = 0; rc == 0 && q < port->nb_txq; q++) {
		step = "TX queue setup";
		rc = rf_eth_tx_queue_setup(p, q, port->nb_txd, port->socket);
	}
	if (rc == 0) {
		step = "start";
		rc = rf_eth_dev_start(p);
	}
	if (rc != 0) {
		fail(err, errlen, "port %u (%s): %s failed: %s", p, port->name, step,
		     strerror(-rc));
		return rc;
	}
	port->started = true;
	port->cfg_rxq = o->nb_rxq;
	port->cfg_txq = port->nb_txq;
	/* Not every device filters by MAC; where it cannot, it already takes everything. */
	rf_eth_promiscuous_enable(p);
	return 0;
}

static void wait_links(struct rf_fwd_engine *e)
{
	struct rf_eth_link link;
	uint64_t deadline = rf_time_mono_ns() + (uint64_t)LINK_WAIT_MS * 1000000u;

	for (;;) {
		unsigned down = 0;

		for (unsigned i = 0; i < e->nb_ports; i++)
			if (rf_eth_link_get_nowait(e->ports[i].port_id, &link) != 0 ||
			    link.status != RF_ETH_LINK_UP)
				down++;
		if (down == 0 || rf_time_mono_ns() >= deadline)
			break;
		if (e->stop_requested != NULL && e->stop_requested(e->stop_requested_arg))
			return; /* the caller stops at once: no link lines */
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	for (unsigned i = 0; i < e->nb_ports; i++) {
		const struct rf_fwd_port *port = &e->ports[i];
		char mac[24];

		rf_ether_addr_format(mac, sizeof(mac), &port->mac);
		const char *how = port->info.mac_random ? " (random: no mac= given)" : "";
		if (rf_eth_link_get_nowait(port->port_id, &link) == 0 &&
		    link.status == RF_ETH_LINK_UP)
			printf("ringfwd: port %u (%s): link up, %u Mbps, MAC %s%s\n", port->port_id,
			       port->name, link.speed_mbps, mac, how);
		else
			printf("ringfwd: port %u (%s): link down after %u ms, MAC %s%s; forwarding "
			       "anyway (it comes up with the backend)\n",
			       port->port_id, port->name, LINK_WAIT_MS, mac, how);
	}
}

int rf_fwd_engine_setup(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	int rc = setup_pools(e, err, errlen);

	for (unsigned i = 0; rc == 0 && i < e->nb_ports; i++)
		rc = setup_port(e, &e->ports[i], err, errlen);
	if (rc != 0)
		return rc;
	wait_links(e);
	return 0;
}

/* ---- the shell's changes, forwarding stopped ---------------------------- */

int rf_fwd_engine_replan(struct rf_fwd_engine *e, const struct rf_fwd_options *opt, char *err,
			 size_t errlen)
{
	struct rf_mempool *pools[RF_FWD_MAX_SOCKETS];
	bool started[RF_MAX_ETHPORTS] = {false};
	uint16_t cfg_rxq[RF_MAX_ETHPORTS] = {0}, cfg_txq[RF_MAX_ETHPORTS] = {0};
	unsigned pool_size = e->pool_size;
	uint64_t start_tsc = e->start_tsc, stop_tsc = e->stop_tsc;
	const struct rf_eal_config *eal = e->eal;
	bool have_pool = false;

	for (unsigned i = 0; i < e->nb_ports; i++) {
		started[e->ports[i].port_id] = e->ports[i].started;
		cfg_rxq[e->ports[i].port_id] = e->ports[i].cfg_rxq;
		cfg_txq[e->ports[i].port_id] = e->ports[i].cfg_txq;
	}
	/* The pools outlive the plan: hide them from free() and from plan's reset. */
	memcpy(pools, e->pools, sizeof(pools));
	memset(e->pools, 0, sizeof(e->pools));
	rf_fwd_engine_free(e);
	int rc = rf_fwd_engine_plan(e, opt, eal, err, errlen);

	memcpy(e->pools, pools, sizeof(pools));
	e->start_tsc = start_tsc;
	e->stop_tsc = stop_tsc;
	for (unsigned i = 0; i < e->nb_ports; i++) {
		e->ports[i].started = started[e->ports[i].port_id];
		e->ports[i].cfg_rxq = cfg_rxq[e->ports[i].port_id];
		e->ports[i].cfg_txq = cfg_txq[e->ports[i].port_id];
	}
	for (unsigned s = 0; s < RF_FWD_MAX_SOCKETS; s++)
		have_pool |= pools[s] != NULL;
	if (!have_pool)
		return rc;
	if (rc != 0) {
		e->pool_size = pool_size;
		return rc;
	}
	if (e->pool_size > pool_size) {
		snprintf(
		    err, errlen,
		    "this needs %u mbufs per pool, but the pools were made with %u at start-up; "
		    "restart ringfwd with the new values or with --total-num-mbufs",
		    e->pool_size, pool_size);
		e->pool_size = pool_size;
		return -ENOSPC;
	}
	e->pool_size = pool_size;
	return 0;
}

int rf_fwd_engine_port_start(struct rf_fwd_engine *e, unsigned pi, char *err, size_t errlen)
{
	if (pi >= e->nb_ports)
		return -ENODEV;
	if (e->ports[pi].started)
		return 0;
	return setup_port(e, &e->ports[pi], err, errlen);
}

int rf_fwd_engine_port_stop(struct rf_fwd_engine *e, unsigned pi)
{
	if (pi >= e->nb_ports)
		return -ENODEV;
	int rc = rf_eth_dev_stop(e->ports[pi].port_id);

	if (rc == 0)
		e->ports[pi].started = false;
	return rc;
}

int rf_fwd_engine_port_close(struct rf_fwd_engine *e, unsigned pi)
{
	if (pi >= e->nb_ports)
		return -ENODEV;
	rf_eth_dev_stop(e->ports[pi].port_id);
	e->ports[pi].started = false;
	return rf_eth_dev_close(e->ports[pi].port_id);
}

void rf_fwd_engine_reset_counters(struct rf_fwd_engine *e)
{
	for (unsigned i = 0; i < e->nb_streams; i++) {
		struct rf_fwd_stream *fs = &e->slots[i].fs;

		/* The lcores are stopped: launch orders these stores before their next loads. */
		fs->rx_packets = fs->rx_bytes = fs->tx_packets = fs->tx_bytes = 0;
		fs->dropped = fs->bad_ip_csum = fs->bad_l4_csum = fs->busy_cycles = 0;
		memset(fs->burst_hist, 0, sizeof(fs->burst_hist));
		memset(e->slots[i].tx_burst_hist, 0, sizeof(e->slots[i].tx_burst_hist));
		e->slots[i].tx_retries = 0;
	}
	rf_fwd_steer_reset_counters(e);
}

/* ---- start / stop ------------------------------------------------------ */

void rf_fwd_engine_print_plan(const struct rf_fwd_engine *e, FILE *out, const char *prefix)
{
	fprintf(out,
		"%s%s forwarding, %s topology, %u port%s, %u stream%s on %u lcore%s, "
		"burst %u, %u mbufs per pool\n",
		prefix, e->mode->name, rf_fwd_topology_name(e->opt->topology), e->nb_ports,
		e->nb_ports == 1 ? "" : "s", e->nb_streams, e->nb_streams == 1 ? "" : "s",
		e->nb_lcores, e->nb_lcores == 1 ? "" : "s", e->cfg.burst, e->pool_size);
	rf_fwd_steer_print(e, out, prefix);
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		const struct rf_fwd_lcore *lc = &e->lcores[i];

		for (unsigned s = 0; s < lc->nb_streams; s++) {
			const struct rf_fwd_stream_slot *slot = lc->streams[s];
			const struct rf_fwd_stream *fs = &slot->fs;

			if (slot->ring != NULL)
				fprintf(out,
					"%s  lcore %u: worker %u: RX port %u via its ring -> TX "
					"port %u queue %u\n",
					prefix, lc->lcore_id, slot->ring_worker, fs->rx_port,
					fs->tx_port, fs->tx_queue);
			else
				fprintf(
				    out,
				    "%s  lcore %u: RX port %u queue %u -> TX port %u queue %u\n",
				    prefix, lc->lcore_id, fs->rx_port, fs->rx_queue, fs->tx_port,
				    fs->tx_queue);
		}
	}
}

/*
 * testpmd's "start tx_first": each stream sends tx_first txonly bursts to prime
 * a loop. Done here, on the main lcore, before any lcore is launched, so no TX
 * queue is ever used by two threads; a scratch copy of the stream keeps the
 * mode's own state untouched.
 */
static void send_first(struct rf_fwd_engine *e)
{
	static struct rf_fwd_stream tmp;

	for (unsigned i = 0; e->tx_first != 0 && i < e->nb_streams; i++) {
		struct rf_fwd_stream *fs = &e->slots[i].fs;

		tmp = *fs;
		if (rf_fwd_mode_txonly.stream_init(&tmp) != 0)
			continue;
		for (unsigned b = 0; b < e->tx_first; b++) {
			struct rf_mbuf *pkts[RF_FWD_MAX_BURST];
			uint16_t n = rf_fwd_mode_txonly.burst(&tmp, pkts, 0);
			uint64_t bytes = sum_pkt_len(pkts, n);
			uint16_t sent = rf_eth_tx_burst(fs->tx_port, fs->tx_queue, pkts, n);

			if (sent < n) {
				bytes -= sum_pkt_len(&pkts[sent], (uint16_t)(n - sent));
				rf_pktmbuf_free_bulk(&pkts[sent], (uint16_t)(n - sent));
				fs->dropped += (uint16_t)(n - sent);
			}
			fs->tx_packets += sent;
			fs->tx_bytes += bytes;
		}
	}
	e->tx_first = 0;
}

/*
 * A started port whose queue counts the plan changed since (the shell's
 * steering or lcore count: software steering needs a TX queue per worker) is
 * configured again, as testpmd does on its next start.
 */
static int reconfigure_ports(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		struct rf_fwd_port *port = &e->ports[pi];

		if (!port->started ||
		    (port->cfg_rxq == e->opt->nb_rxq && port->cfg_txq == port->nb_txq))
			continue;
		int rc = rf_fwd_engine_port_stop(e, pi);

		if (rc == 0)
			rc = setup_port(e, port, err, errlen);
		else
			fail(err, errlen, "port %u (%s): stop failed: %s", port->port_id,
			     port->name, strerror(-rc));
		if (rc != 0)
			return rc;
	}
	return 0;
}

int rf_fwd_engine_start(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	int rc = reconfigure_ports(e, err, errlen);

	if (rc != 0)
		return rc;
	for (unsigned i = 0; i < e->nb_streams; i++) {
		struct rf_fwd_stream_slot *s = &e->slots[i];
		int pi = rf_fwd_engine_port_index(e, s->fs.tx_port);

		s->fs.cfg = &e->cfg;
		s->fs.pool = pool_for(e, lcore_socket(s->lcore));
		s->fs.tx_port_mac = e->ports[pi].mac;
		if (e->mode->stream_init != NULL) {
			rc = e->mode->stream_init(&s->fs);
			if (rc != 0) {
				fail(err, errlen, "%s: stream RX port %u queue %u: %s",
				     e->mode->name, s->fs.rx_port, s->fs.rx_queue, strerror(-rc));
				return rc;
			}
		}
	}
	for (unsigned pi = 0; rc == 0 && pi < e->nb_ports; pi++)
		rc = rf_fwd_steer_program_port(e, pi, err, errlen);
	if (rc != 0)
		return rc;
	rf_fwd_engine_print_plan(e, stdout, "ringfwd: ");
	send_first(e);

	/* Release: the stream set-up above is visible to the lcores; launch itself also orders it.
	 */
	atomic_store_explicit(&e->stop, false, memory_order_release);
	e->start_tsc = rf_tsc();
	e->running = true;
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		struct rf_fwd_lcore *lc = &e->lcores[i];
		rc = rf_lcore_launch(lc->lcore_id,
				     lc->role == RF_FWD_ROLE_RX ? rf_fwd_steer_rx_loop : lcore_loop,
				     lc);

		if (rc != 0) {
			rf_fwd_engine_stop(e);
			fail(err, errlen, "cannot launch lcore %u: %s", lc->lcore_id,
			     strerror(-rc));
			return rc;
		}
		lc->launched = true;
	}
	return 0;
}

void rf_fwd_engine_stop(struct rf_fwd_engine *e)
{
	if (!e->running)
		return;
	/*
	 * Release store, loaded relaxed by each lcore: they only need to see it
	 * eventually. What they wrote reaches us through rf_lcore_wait below.
	 */
	atomic_store_explicit(&e->stop, true, memory_order_release);
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		struct rf_fwd_lcore *lc = &e->lcores[i];

		/* The wait synchronises with the lcore's return: its last counters are visible. */
		if (lc->launched)
			rf_lcore_wait(lc->lcore_id);
		lc->launched = false;
	}
	e->stop_tsc = rf_tsc();
	e->running = false;
	/* Every lcore has returned: what is still in the steering rings goes back now. */
	rf_fwd_steer_drain(e);
}

double rf_fwd_engine_seconds(const struct rf_fwd_engine *e)
{
	uint64_t end = e->running ? rf_tsc() : e->stop_tsc;

	if (e->start_tsc == 0 || end < e->start_tsc)
		return 0.0;
	return (double)(end - e->start_tsc) / (double)rf_tsc_hz();
}

/* ---- close and free ---------------------------------------------------- */

unsigned rf_fwd_engine_close(struct rf_fwd_engine *e)
{
	unsigned leaked = 0;
	uint16_t p;

	/*
	 * Every probed port, planned or not (start-up may have failed half
	 * way): stop first, so the drivers take back every posted mbuf, then
	 * close.
	 */
	rf_fwd_steer_drain(e);
	RF_ETH_FOREACH_DEV(p)
	{
		rf_eth_dev_stop(p);
		rf_eth_dev_close(p);
	}
	for (unsigned i = 0; i < e->nb_ports; i++)
		e->ports[i].started = false;
	for (unsigned s = 0; s < RF_FWD_MAX_SOCKETS; s++)
		if (e->pools[s] != NULL)
			leaked += rf_mempool_in_use_count(e->pools[s]);
	return leaked;
}

void rf_fwd_engine_free(struct rf_fwd_engine *e)
{
	for (unsigned s = 0; s < RF_FWD_MAX_SOCKETS; s++) {
		/* A pool with mbufs still out may be referenced by a port: keep it. */
		if (e->pools[s] != NULL && rf_mempool_in_use_count(e->pools[s]) == 0)
			rf_mempool_free(e->pools[s]);
		e->pools[s] = NULL;
	}
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		free(e->lcores[i].streams);
		e->lcores[i].streams = NULL;
	}
	rf_fwd_steer_free(e);
	free(e->slots);
	e->slots = NULL;
	e->nb_streams = 0;
	e->nb_lcores = 0;
}
