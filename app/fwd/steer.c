/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS steering: the plan's choice, the RETAs, device RSS programming, and the
 * software RX lcore with its rings to the workers (see steer.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steer.h"

static int RF_PRINTF(3, 4) fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

/* ---- the choice ------------------------------------------------------------ */

/* The first port that has fewer TX queues than need, or -1. */
static int port_short_of_txq(const struct rf_fwd_engine *e, unsigned need)
{
	for (unsigned pi = 0; pi < e->nb_ports; pi++)
		if (e->ports[pi].info.max_tx_queues < need)
			return (int)pi;
	return -1;
}

/*
 * The contract's auto rule: device when the ports hash themselves; software
 * when they do not and there are more forwarding lcores than RX streams (the
 * rest would idle); device otherwise. Also device when software cannot run
 * here: --config, a generator mode, or too few TX queues for the workers.
 */
static void choose_auto(struct rf_fwd_engine *e, unsigned workers)
{
	const struct rf_fwd_options *o = e->opt;
	unsigned streams = e->nb_ports * o->nb_rxq, hw = 0;
	int short_pi = port_short_of_txq(e, workers);
	char *why = e->steering_why;
	size_t len = sizeof(e->steering_why);

	for (unsigned pi = 0; pi < e->nb_ports; pi++)
		hw += e->ports[pi].rss_hw;
	e->steering = RF_FWD_STEER_DEVICE;
	if (o->nb_config != 0)
		snprintf(why, len, "auto: --config names the streams");
	else if (hw != 0)
		snprintf(why, len, "auto: %u of %u port%s hash%s in the device", hw, e->nb_ports,
			 plural(e->nb_ports), hw == 1 ? "es" : "");
	else if (!e->mode->rx)
		snprintf(why, len, "auto: %s generates packets, it receives none to steer",
			 e->mode->name);
	else if (o->nb_cores <= streams)
		snprintf(why, len, "auto: %u forwarding lcore%s for %u RX stream%s", o->nb_cores,
			 plural(o->nb_cores), streams, plural(streams));
	else if (short_pi >= 0)
		snprintf(why, len,
			 "auto: port %u (%s) has %u TX queue%s, fewer than the %u workers of "
			 "software steering",
			 e->ports[short_pi].port_id, e->ports[short_pi].name,
			 e->ports[short_pi].info.max_tx_queues,
			 plural(e->ports[short_pi].info.max_tx_queues), workers);
	else {
		e->steering = RF_FWD_STEER_SOFTWARE;
		snprintf(why, len,
			 "auto: no port hashes in the device, and %u forwarding lcores for %u RX "
			 "stream%s",
			 o->nb_cores, streams, plural(streams));
	}
}

int rf_fwd_steer_choose(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	const struct rf_fwd_options *o = e->opt;
	unsigned workers = o->nb_cores > 1 ? o->nb_cores - 1 : 0;

	switch (o->rss.steering) {
	case RF_FWD_STEER_DEVICE:
		e->steering = RF_FWD_STEER_DEVICE;
		snprintf(e->steering_why, sizeof(e->steering_why), "--rss-steering=device");
		break;
	case RF_FWD_STEER_SOFTWARE: {
		int pi = port_short_of_txq(e, workers);

		/* The options refuse these too; the shell's changes come here. */
		if (o->nb_config != 0)
			return fail(
			    err, errlen,
			    "--rss-steering=software: cannot be combined with --config: the "
			    "RX lcore polls every RX queue itself");
		if (o->nb_cores < 2)
			return fail(err, errlen,
				    "--rss-steering=software: needs 2 or more forwarding lcores "
				    "(--nb-cores=2 or more): the first receives and hashes, the "
				    "others forward");
		if (pi >= 0)
			return fail(err, errlen,
				    "--rss-steering=software: port %u (%s) has %u TX queue%s, "
				    "fewer than the %u workers (each sends on its own); lower "
				    "--nb-cores or give the device more queues",
				    e->ports[pi].port_id, e->ports[pi].name,
				    e->ports[pi].info.max_tx_queues,
				    plural(e->ports[pi].info.max_tx_queues), workers);
		e->steering = RF_FWD_STEER_SOFTWARE;
		snprintf(e->steering_why, sizeof(e->steering_why), "--rss-steering=software");
		break;
	}
	case RF_FWD_STEER_AUTO:
		choose_auto(e, workers);
		break;
	}
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		struct rf_fwd_port *port = &e->ports[pi];

		/* Worker k sends on TX queue k of every port: at least one queue each. */
		port->nb_txq = e->steering == RF_FWD_STEER_SOFTWARE
				   ? (uint16_t)RF_MAX(o->nb_txq, workers)
				   : o->nb_txq;
	}
	return 0;
}

/* ---- RETAs, rings, contexts ------------------------------------------------ */

/*
 * Port pi's table: size entries round-robin over the queues (RX queues for
 * device steering, workers for software), then the --rss-reta entries.
 */
static int plan_reta(struct rf_fwd_engine *e, struct rf_fwd_port *port, char *err, size_t errlen)
{
	const struct rf_fwd_rss_options *r = &e->opt->rss;
	bool sw = e->steering == RF_FWD_STEER_SOFTWARE;
	uint16_t nb_queues = sw ? (uint16_t)e->steer.nb_workers : e->opt->nb_rxq;
	uint16_t size = r->reta_size, dev = port->info.reta_size;

	port->rss_hf_hw = port->rss_hw ? r->rss_hf & port->info.flow_type_rss_offloads : 0;
	if (!sw && port->rss_hw && dev != 0 && dev < size) {
		/* The device's table is what steers: ours must fit in it. */
		if (r->reta_size_given)
			return fail(err, errlen,
				    "--rss-reta-size: port %u (%s) has a %u-entry RETA, fewer than "
				    "%u; use --rss-reta-size=%u or less",
				    port->port_id, port->name, dev, size, dev);
		size = dev;
	}
	if (rf_rss_reta_init(&port->reta, size, nb_queues) != 0)
		return fail(err, errlen, "RSS: no RETA of %u entries over %u queues", size,
			    nb_queues);
	for (unsigned i = 0; i < RF_FWD_RETA_MAX; i++) {
		uint16_t q = r->reta[port->port_id][i];

		if (q == RF_FWD_RETA_UNSET)
			continue;
		if (i >= size)
			return fail(err, errlen,
				    "--rss-reta: index %u in (%u,%u) is beyond port %u's RETA of "
				    "%u entries",
				    i, i, q, port->port_id, size);
		if (q >= nb_queues)
			return fail(err, errlen,
				    "--rss-reta: %s %u in (%u,%u) is beyond the %u %s%s of %s "
				    "steering on port %u",
				    sw ? "worker" : "queue", q, i, q, nb_queues,
				    sw ? "worker" : "RX queue", plural(nb_queues),
				    sw ? "software" : "device", port->port_id);
		port->reta.queue[i] = q;
	}
	return 0;
}

/* Port pi's Toeplitz context: shared with every port that has the same key. */
static int plan_ctx(struct rf_fwd_engine *e, unsigned pi)
{
	const struct rf_fwd_rss_options *r = &e->opt->rss;
	const uint8_t *key = r->key[e->ports[pi].port_id];
	struct rf_fwd_steer *st = &e->steer;

	for (unsigned c = 0; c < st->nb_ctxs; c++) {
		if (memcmp(st->ctxs[c]->key, key, RF_FWD_RSS_KEY_LEN) == 0) {
			st->ctx[pi] = st->ctxs[c];
			return 0;
		}
	}
	struct rf_rss_ctx *ctx = rf_rss_ctx_create(key, RF_FWD_RSS_KEY_LEN, r->symmetric);

	if (ctx == NULL)
		return -ENOMEM;
	st->ctxs[st->nb_ctxs++] = ctx;
	st->ctx[pi] = ctx;
	return 0;
}

static int plan_software(struct rf_fwd_engine *e)
{
	struct rf_fwd_steer *st = &e->steer;
	const struct rf_fwd_rss_options *r = &e->opt->rss;
	unsigned nb_rings = e->nb_ports * st->nb_workers;

	st->rings = calloc(nb_rings, sizeof(*st->rings));
	st->rxqs = calloc((size_t)e->nb_ports * e->opt->nb_rxq, sizeof(*st->rxqs));
	if (st->rings == NULL || st->rxqs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < nb_rings; i++) {
		char name[RF_RING_NAMESIZE];

		snprintf(name, sizeof(name), "steer_p%u_w%u", i / st->nb_workers,
			 i % st->nb_workers);
		/* One producer (the RX lcore), one consumer (the worker): the SP/SC paths. */
		st->rings[i] = rf_ring_create(name, RF_FWD_STEER_RING_SIZE, 0,
					      RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ);
		if (st->rings[i] == NULL)
			return -ENOMEM;
	}
	for (unsigned i = 0; i < e->nb_streams; i++) {
		struct rf_fwd_stream_slot *s = &e->slots[i];
		unsigned pi = 0;

		/* steer.c links without engine.c in the modes' unit test: no
		 * rf_fwd_engine_port_index. */
		while (pi + 1 < e->nb_ports && e->ports[pi].port_id != s->fs.rx_port)
			pi++;
		s->ring = st->rings[pi * st->nb_workers + s->ring_worker];
	}
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		const struct rf_fwd_port *port = &e->ports[pi];

		for (uint16_t q = 0; q < e->opt->nb_rxq; q++) {
			struct rf_fwd_steer_rxq *rq = &st->rxqs[st->nb_rxqs++];

			rq->port = port->port_id;
			rq->queue = q;
			rq->pi = pi;
		}
		if (plan_ctx(e, pi) != 0)
			return -ENOMEM;
		/*
		 * The device's hash is ours when it hashes all we asked for with our
		 * key (programmed at start); a symmetric hash it cannot make.
		 */
		st->dev_hash[pi] = port->rss_hw && !r->symmetric && r->rss_hf != 0 &&
				   (r->rss_hf & ~port->info.flow_type_rss_offloads) == 0;
	}
	return 0;
}

int rf_fwd_steer_plan(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		int rc = plan_reta(e, &e->ports[pi], err, errlen);

		if (rc != 0)
			return rc;
	}
	if (e->steering != RF_FWD_STEER_SOFTWARE)
		return 0;
	return plan_software(e);
}

unsigned rf_fwd_steer_ring_mbufs(const struct rf_fwd_engine *e)
{
	if (e->steering != RF_FWD_STEER_SOFTWARE)
		return 0;
	return e->nb_ports * e->steer.nb_workers * (RF_FWD_STEER_RING_SIZE - 1);
}

/* ---- device RSS ------------------------------------------------------------ */

void rf_fwd_steer_port_conf(const struct rf_fwd_engine *e, const struct rf_fwd_port *port,
			    struct rf_eth_rss_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	/* Configure refuses bits the device cannot hash: only a device that hashes gets any. */
	if (!port->rss_hw)
		return;
	conf->rss_hf = port->rss_hf_hw;
	memcpy(conf->key, e->opt->rss.key[port->port_id], RF_ETH_RSS_KEY_LEN);
	conf->key_len = RF_ETH_RSS_KEY_LEN;
}

int rf_fwd_steer_program_port(struct rf_fwd_engine *e, unsigned pi, char *err, size_t errlen)
{
	const struct rf_fwd_port *port = &e->ports[pi];
	uint16_t size = port->info.reta_size;
	struct rf_eth_rss_conf conf;

	if (!port->rss_hw || !port->started)
		return 0;
	rf_fwd_steer_port_conf(e, port, &conf);
	int rc = rf_eth_dev_rss_hash_update(port->port_id, &conf);

	if (rc != 0) {
		fail(err, errlen, "port %u (%s): RSS hash update failed: %s", port->port_id,
		     port->name, strerror(-rc));
		return rc;
	}
	if (size == 0)
		return 0;
	uint16_t *tbl = calloc(size, sizeof(*tbl));

	if (tbl == NULL)
		return -ENOMEM;
	/*
	 * Device steering: our table, repeated over a larger device table, which
	 * steers every hash alike (the size is a power of two: the low bits of
	 * the hash pick the entry). Software steering: the device spreads over
	 * its RX queues round-robin; the RX lcore polls them all anyway.
	 */
	for (uint16_t j = 0; j < size; j++)
		tbl[j] = e->steering == RF_FWD_STEER_DEVICE ? port->reta.queue[j % port->reta.size]
							    : (uint16_t)(j % e->opt->nb_rxq);
	rc = rf_eth_dev_rss_reta_update(port->port_id, tbl, size);
	free(tbl);
	if (rc != 0) {
		fail(err, errlen, "port %u (%s): RSS RETA update (%u entries) failed: %s",
		     port->port_id, port->name, size, strerror(-rc));
		return rc;
	}
	return 0;
}

/* ---- the RX lcore ------------------------------------------------------------ */

static inline uint32_t packet_hash(const struct rf_fwd_steer *st, unsigned pi, uint64_t rss_hf,
				   struct rf_mbuf *m)
{
	if (rss_hf == 0)
		return 0; /* --disable-rss: RETA entry 0 takes everything */
	if (st->dev_hash[pi] && (m->ol_flags & RF_MBUF_F_RX_RSS_HASH))
		return m->hash.rss;
	uint32_t h = rf_rss_hash_mbuf(st->ctx[pi], m, rss_hf);

	m->hash.rss = h;
	m->ol_flags |= RF_MBUF_F_RX_RSS_HASH;
	return h;
}

/*
 * One burst from one RX queue, sorted into per-worker buckets, then one
 * enqueue per worker that got any. A full ring drops the rest of its bucket.
 */
static void rx_poll(const struct rf_fwd_engine *e, struct rf_fwd_steer_rxq *rq, uint16_t burst,
		    uint64_t rss_hf)
{
	const struct rf_fwd_steer *st = &e->steer;
	const struct rf_rss_reta *reta = &e->ports[rq->pi].reta;
	struct rf_mbuf *pkts[RF_FWD_MAX_BURST];
	struct rf_mbuf *bucket[RF_MAX_QUEUES_PER_PORT][RF_FWD_MAX_BURST];
	uint16_t cnt[RF_MAX_QUEUES_PER_PORT];
	uint64_t start = rf_tsc(), bytes = 0;
	unsigned nb_workers = st->nb_workers;
	uint16_t n = rf_eth_rx_burst(rq->port, rq->queue, pkts, burst);

	if (n == 0)
		return;
	memset(cnt, 0, nb_workers * sizeof(cnt[0]));
	for (uint16_t i = 0; i < n; i++) {
		struct rf_mbuf *m = pkts[i];
		uint16_t w = rf_rss_queue(reta, packet_hash(st, rq->pi, rss_hf, m));

		bytes += m->pkt_len;
		bucket[w][cnt[w]++] = m;
	}
	uint64_t handed = 0, dropped = 0;
	struct rf_ring *const *rings = &st->rings[rq->pi * nb_workers];

	for (unsigned w = 0; w < nb_workers; w++) {
		if (cnt[w] == 0)
			continue;
		unsigned sent =
		    rf_ring_sp_enqueue_burst(rings[w], (void *const *)bucket[w], cnt[w], NULL);

		handed += sent;
		if (sent < cnt[w]) {
			dropped += cnt[w] - sent;
			rf_pktmbuf_free_bulk(&bucket[w][sent], cnt[w] - sent);
		}
	}
	rf_fwd_ctr_add(&rq->rx_packets, n);
	rf_fwd_ctr_add(&rq->rx_bytes, bytes);
	rf_fwd_ctr_add(&rq->to_workers, handed);
	if (dropped != 0)
		rf_fwd_ctr_add(&rq->dropped, dropped);
	rf_fwd_ctr_add(&rq->busy_cycles, rf_tsc() - start);
}

int rf_fwd_steer_rx_loop(void *arg)
{
	const struct rf_fwd_lcore *lc = arg;
	const struct rf_fwd_engine *e = lc->engine;
	const uint16_t burst = e->cfg.burst;
	const uint64_t rss_hf = e->opt->rss.rss_hf;

	/* A generator mode receives nothing: nothing to steer. */
	if (!e->mode->rx)
		return 0;
	/* Relaxed: pairs with the release store in rf_fwd_engine_stop; only the flag matters. */
	while (!atomic_load_explicit(&e->stop, memory_order_relaxed)) {
		for (unsigned i = 0; i < e->steer.nb_rxqs; i++)
			rx_poll(e, &e->steer.rxqs[i], burst, rss_hf);
	}
	return 0;
}

/* ---- stop, reset, free ------------------------------------------------------- */

void rf_fwd_steer_drain(struct rf_fwd_engine *e)
{
	struct rf_fwd_steer *st = &e->steer;
	unsigned nb_rings = st->rings != NULL ? e->nb_ports * st->nb_workers : 0;

	if (e->running)
		return;
	for (unsigned i = 0; i < nb_rings; i++) {
		struct rf_mbuf *pkts[RF_FWD_MAX_BURST];
		unsigned n;

		if (st->rings[i] == NULL)
			continue;
		/* The lcores have returned (rf_lcore_wait): we are the only consumer now. */
		while ((n = rf_ring_sc_dequeue_burst(st->rings[i], (void **)pkts, RF_DIM(pkts),
						     NULL)) != 0) {
			rf_pktmbuf_free_bulk(pkts, n);
			st->drained += n;
		}
	}
}

void rf_fwd_steer_reset_counters(struct rf_fwd_engine *e)
{
	for (unsigned i = 0; i < e->steer.nb_rxqs; i++) {
		struct rf_fwd_steer_rxq *rq = &e->steer.rxqs[i];

		rq->rx_packets = rq->rx_bytes = rq->to_workers = rq->dropped = 0;
		rq->busy_cycles = 0;
	}
	e->steer.drained = 0;
}

void rf_fwd_steer_free(struct rf_fwd_engine *e)
{
	struct rf_fwd_steer *st = &e->steer;

	rf_fwd_steer_drain(e);
	if (st->rings != NULL)
		for (unsigned i = 0; i < e->nb_ports * st->nb_workers; i++)
			rf_ring_free(st->rings[i]);
	free(st->rings);
	free(st->rxqs);
	for (unsigned c = 0; c < st->nb_ctxs; c++)
		rf_rss_ctx_free(st->ctxs[c]);
	memset(st, 0, sizeof(*st));
}

/* ---- printing ----------------------------------------------------------------- */

void rf_fwd_rss_hf_format(uint64_t rss_hf, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", (rss_hf & RF_FWD_RSS_IP) ? "ip " : "",
		 (rss_hf & RF_ETH_RSS_UDP) ? "udp " : "", (rss_hf & RF_ETH_RSS_TCP) ? "tcp " : "",
		 rss_hf == 0 ? "none" : "");
	size_t n = strlen(buf);

	if (n > 0 && buf[n - 1] == ' ')
		buf[n - 1] = '\0';
}

void rf_fwd_steer_print(const struct rf_fwd_engine *e, FILE *out, const char *prefix)
{
	const struct rf_fwd_rss_options *r = &e->opt->rss;
	char hf[32];

	rf_fwd_rss_hf_format(r->rss_hf, hf, sizeof(hf));
	if (e->steering == RF_FWD_STEER_SOFTWARE) {
		const struct rf_fwd_steer *st = &e->steer;

		fprintf(out,
			"%sRSS steering: software (%s); hash %s%s, RETA %u entries over %u "
			"worker%s\n",
			prefix, e->steering_why, hf, r->symmetric ? " (symmetric)" : "",
			e->nb_ports != 0 ? e->ports[0].reta.size : r->reta_size, st->nb_workers,
			plural(st->nb_workers));
		for (unsigned i = 0; i < e->nb_lcores; i++) {
			const struct rf_fwd_lcore *lc = &e->lcores[i];

			if (lc->role == RF_FWD_ROLE_RX)
				fprintf(out,
					"%s  lcore %u: RX lcore: polls %u RX queue%s on %u port%s, "
					"hands each packet to worker RETA[hash & %u]\n",
					prefix, lc->lcore_id, st->nb_rxqs, plural(st->nb_rxqs),
					e->nb_ports, plural(e->nb_ports),
					e->nb_ports != 0 ? e->ports[0].reta.mask : 0);
			else
				fprintf(
				    out,
				    "%s  lcore %u: worker %u (RETA value %u): sends on TX queue "
				    "%u\n",
				    prefix, lc->lcore_id, lc->worker, lc->worker, lc->worker);
		}
		return;
	}
	fprintf(out, "%sRSS steering: device (%s); hash %s%s\n", prefix, e->steering_why, hf,
		r->symmetric ? " (symmetric: only software steering hashes symmetrically)" : "");
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		const struct rf_fwd_port *port = &e->ports[pi];
		char hw[32];

		rf_fwd_rss_hf_format(port->rss_hf_hw, hw, sizeof(hw));
		if (port->rss_hw)
			fprintf(
			    out,
			    "%s  port %u (%s): the device hashes %s; RETA %u entries over %u RX "
			    "queue%s\n",
			    prefix, port->port_id, port->name, hw, port->reta.size,
			    port->reta.nb_queues, plural(port->reta.nb_queues));
		else if (e->opt->nb_rxq > 1)
			fprintf(out,
				"%s  port %u (%s): INFO: no device RSS: its %u RX queues get flows "
				"the way its back-end spreads them (--rss-steering=software hashes "
				"in ringfwd)\n",
				prefix, port->port_id, port->name, e->opt->nb_rxq);
	}
}
