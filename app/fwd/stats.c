/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Snapshots, the periodic lines, the final table and the JSON file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "steer.h"

int rf_fwd_snapshot_init(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e)
{
	memset(s, 0, sizeof(*s));
	s->nb_streams = e->nb_streams;
	s->streams = calloc(e->nb_streams != 0 ? e->nb_streams : 1, sizeof(*s->streams));
	return s->streams != NULL ? 0 : -ENOMEM;
}

void rf_fwd_snapshot_fini(struct rf_fwd_snapshot *s)
{
	free(s->streams);
	s->streams = NULL;
}

uint64_t rf_fwd_counts_packets(const struct rf_fwd_counts *c)
{
	/* Forwarding modes: rx = tx + dropped. Generators: tx + dropped were built. */
	return RF_MAX(c->rx_packets, c->tx_packets + c->dropped);
}

static void counts_add(struct rf_fwd_counts *to, const struct rf_fwd_counts *c)
{
	to->rx_packets += c->rx_packets;
	to->rx_bytes += c->rx_bytes;
	to->tx_packets += c->tx_packets;
	to->tx_bytes += c->tx_bytes;
	to->dropped += c->dropped;
	to->busy_cycles += c->busy_cycles;
	to->bad_ip_csum += c->bad_ip_csum;
	to->bad_l4_csum += c->bad_l4_csum;
	to->tx_retries += c->tx_retries;
}

static void stream_read(const struct rf_fwd_stream_slot *slot, struct rf_fwd_counts *c)
{
	const struct rf_fwd_stream *fs = &slot->fs;

	c->rx_packets = rf_fwd_ctr_read(&fs->rx_packets);
	c->rx_bytes = rf_fwd_ctr_read(&fs->rx_bytes);
	c->tx_packets = rf_fwd_ctr_read(&fs->tx_packets);
	c->tx_bytes = rf_fwd_ctr_read(&fs->tx_bytes);
	c->dropped = rf_fwd_ctr_read(&fs->dropped);
	c->busy_cycles = rf_fwd_ctr_read(&fs->busy_cycles);
	c->bad_ip_csum = rf_fwd_ctr_read(&fs->bad_ip_csum);
	c->bad_l4_csum = rf_fwd_ctr_read(&fs->bad_l4_csum);
	c->tx_retries = rf_fwd_ctr_read(&slot->tx_retries);
}

static int lcore_index(const struct rf_fwd_engine *e, unsigned lcore_id)
{
	for (unsigned i = 0; i < e->nb_lcores; i++)
		if (e->lcores[i].lcore_id == lcore_id)
			return (int)i;
	return -1;
}

/*
 * Software steering: the RX lcore's queues are the ports' RX, and its ring
 * drops are drops of the port they came in on.
 */
static void steer_read(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e)
{
	struct rf_fwd_counts *rxl = NULL;

	for (unsigned i = 0; i < e->nb_lcores; i++)
		if (e->lcores[i].role == RF_FWD_ROLE_RX)
			rxl = &s->lcores[i];
	for (unsigned i = 0; i < e->steer.nb_rxqs; i++) {
		const struct rf_fwd_steer_rxq *rq = &e->steer.rxqs[i];
		uint64_t rx = rf_fwd_ctr_read(&rq->rx_packets),
			 bytes = rf_fwd_ctr_read(&rq->rx_bytes);
		uint64_t handed = rf_fwd_ctr_read(&rq->to_workers);
		uint64_t dropped = rf_fwd_ctr_read(&rq->dropped);
		uint64_t busy = rf_fwd_ctr_read(&rq->busy_cycles);

		s->ports[rq->pi].sw.rx_packets += rx;
		s->ports[rq->pi].sw.rx_bytes += bytes;
		s->ports[rq->pi].sw.dropped += dropped;
		s->ports[rq->pi].sw.busy_cycles += busy;
		s->total.rx_packets += rx;
		s->total.rx_bytes += bytes;
		s->total.dropped += dropped;
		s->total.busy_cycles += busy;
		if (rxl != NULL) {
			rxl->rx_packets += rx;
			rxl->rx_bytes += bytes;
			rxl->tx_packets += handed;
			rxl->dropped += dropped;
			rxl->busy_cycles += busy;
		}
	}
	s->drained = e->steer.drained;
}

void rf_fwd_snapshot_take(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e)
{
	s->tsc = rf_tsc();
	s->seconds = rf_fwd_engine_seconds(e);
	memset(s->ports, 0, sizeof(s->ports));
	memset(&s->total, 0, sizeof(s->total));
	memset(s->lcores, 0, sizeof(s->lcores));
	for (unsigned i = 0; i < e->nb_streams && i < s->nb_streams; i++) {
		struct rf_fwd_counts *c = &s->streams[i];
		int rx = rf_fwd_engine_port_index(e, e->slots[i].fs.rx_port);
		int tx = rf_fwd_engine_port_index(e, e->slots[i].fs.tx_port);
		int li = lcore_index(e, e->slots[i].lcore);

		stream_read(&e->slots[i], c);
		if (li >= 0)
			counts_add(&s->lcores[li], c);
		if (e->slots[i].ring != NULL) {
			/* A worker's stream: what came in on the port, the RX lcore counts. */
			s->total.tx_packets += c->tx_packets;
			s->total.tx_bytes += c->tx_bytes;
			s->total.dropped += c->dropped;
			s->total.busy_cycles += c->busy_cycles;
			s->total.bad_ip_csum += c->bad_ip_csum;
			s->total.bad_l4_csum += c->bad_l4_csum;
			s->total.tx_retries += c->tx_retries;
		} else {
			counts_add(&s->total, c);
		}
		/* A port's RX is what its queues received; its TX and drops, what was sent to it.
		 */
		if (e->slots[i].ring == NULL) {
			s->ports[rx].sw.rx_packets += c->rx_packets;
			s->ports[rx].sw.rx_bytes += c->rx_bytes;
		}
		s->ports[rx].sw.busy_cycles += c->busy_cycles;
		s->ports[rx].sw.bad_ip_csum += c->bad_ip_csum;
		s->ports[rx].sw.bad_l4_csum += c->bad_l4_csum;
		s->ports[tx].sw.tx_packets += c->tx_packets;
		s->ports[tx].sw.tx_bytes += c->tx_bytes;
		s->ports[tx].sw.dropped += c->dropped;
		s->ports[tx].sw.tx_retries += c->tx_retries;
	}
	steer_read(s, e);
	for (unsigned i = 0; i < e->nb_ports; i++)
		s->ports[i].hw_valid = rf_eth_stats_get(e->ports[i].port_id, &s->ports[i].hw) == 0;
}

/* ---- periodic lines ----------------------------------------------------- */

static double rate(uint64_t now, uint64_t before, double secs)
{
	return secs > 0 && now >= before ? (double)(now - before) / secs : 0.0;
}

void rf_fwd_stats_print_header(FILE *out)
{
	fprintf(out, "%8s %5s %11s %10s %11s %10s %9s %14s %14s %10s\n", "time", "port", "rx-pps",
		"rx-Mbit/s", "tx-pps", "tx-Mbit/s", "drop-pps", "rx-packets", "tx-packets",
		"dropped");
}

static void period_line(FILE *out, double t, const char *port, const struct rf_fwd_counts *now,
			const struct rf_fwd_counts *before, double secs)
{
	fprintf(out,
		"%7.1fs %5s %11.0f %10.1f %11.0f %10.1f %9.0f %14" PRIu64 " %14" PRIu64
		" %10" PRIu64 "\n",
		t, port, rate(now->rx_packets, before->rx_packets, secs),
		rate(now->rx_bytes, before->rx_bytes, secs) * 8 / 1e6,
		rate(now->tx_packets, before->tx_packets, secs),
		rate(now->tx_bytes, before->tx_bytes, secs) * 8 / 1e6,
		rate(now->dropped, before->dropped, secs), now->rx_packets, now->tx_packets,
		now->dropped);
}

void rf_fwd_stats_print_period(FILE *out, const struct rf_fwd_engine *e,
			       const struct rf_fwd_snapshot *prev,
			       const struct rf_fwd_snapshot *cur)
{
	double secs = (double)(cur->tsc - prev->tsc) / (double)rf_tsc_hz();
	char name[16];

	for (unsigned i = 0; i < e->nb_ports; i++) {
		snprintf(name, sizeof(name), "%u", e->ports[i].port_id);
		period_line(out, cur->seconds, name, &cur->ports[i].sw, &prev->ports[i].sw, secs);
	}
	if (e->nb_ports > 1)
		period_line(out, cur->seconds, "all", &cur->total, &prev->total, secs);
	fflush(out);
}

/* ---- the final table ---------------------------------------------------- */

/*
 * testpmd's burst summary: how many bursts moved packets, and the share of
 * the two most frequent sizes, e.g. "RX-bursts : 1000 [75% of 32 pkts + 25%
 * of 1 pkts]". Bursts of 0 (empty polls on RX, bursts the port refused
 * whole on TX) are not counted among them; zero_what names them apart.
 */
static void print_bursts(FILE *out, const char *dir, const uint64_t *hist, const char *zero_what)
{
	uint64_t total = 0, top[2] = {0, 0};
	unsigned size[2] = {0, 0};

	for (unsigned n = 1; n <= RF_FWD_MAX_BURST; n++) {
		uint64_t v = hist[n];

		total += v;
		if (v > top[0]) {
			top[1] = top[0];
			size[1] = size[0];
			top[0] = v;
			size[0] = n;
		} else if (v > top[1]) {
			top[1] = v;
			size[1] = n;
		}
	}
	fprintf(out, "    %s-bursts : %" PRIu64, dir, total);
	if (total != 0) {
		unsigned p0 = (unsigned)(top[0] * 100 / total);
		unsigned p1 = (unsigned)(top[1] * 100 / total);

		if (top[0] == total)
			fprintf(out, " [100%% of %u pkts]", size[0]);
		else if (top[0] + top[1] == total)
			fprintf(out, " [%u%% of %u pkts + %u%% of %u pkts]", p0, size[0], 100 - p0,
				size[1]);
		else
			fprintf(out, " [%u%% of %u pkts + %u%% of %u pkts + %u%% of other]", p0,
				size[0], p1, size[1], 100 - p0 - p1);
	}
	if (hist[0] != 0)
		fprintf(out, ", %s: %" PRIu64, zero_what, hist[0]);
	fputc('\n', out);
}

static double cycles_per_packet(const struct rf_fwd_counts *c)
{
	uint64_t pkts = rf_fwd_counts_packets(c);

	return pkts != 0 ? (double)c->busy_cycles / (double)pkts : 0.0;
}

static void print_counts(FILE *out, const struct rf_fwd_counts *c, bool csum)
{
	fprintf(out, "    RX-packets: %-14" PRIu64 " RX-bytes: %-16" PRIu64 "\n", c->rx_packets,
		c->rx_bytes);
	fprintf(out,
		"    TX-packets: %-14" PRIu64 " TX-bytes: %-16" PRIu64 " dropped: %" PRIu64 "\n",
		c->tx_packets, c->tx_bytes, c->dropped);
	if (csum || c->bad_ip_csum != 0 || c->bad_l4_csum != 0)
		fprintf(out, "    bad IP checksum: %" PRIu64 "  bad L4 checksum: %" PRIu64 "\n",
			c->bad_ip_csum, c->bad_l4_csum);
	if (c->tx_retries != 0)
		fprintf(out, "    TX retries: %" PRIu64 "\n", c->tx_retries);
}

static void print_rates(FILE *out, const struct rf_fwd_counts *c, double secs)
{
	if (secs <= 0)
		return;
	fprintf(out, "    average: RX %.3f Mpps %.1f Mbit/s, TX %.3f Mpps %.1f Mbit/s\n",
		(double)c->rx_packets / secs / 1e6, (double)c->rx_bytes * 8 / secs / 1e6,
		(double)c->tx_packets / secs / 1e6, (double)c->tx_bytes * 8 / secs / 1e6);
}

/* The device's per-queue counters, one line per queue in use, so the spread shows. */
static void print_queues(FILE *out, const struct rf_fwd_engine *e, unsigned pi,
			 const struct rf_eth_stats *hw)
{
	unsigned n = RF_MIN(RF_MAX((unsigned)e->opt->nb_rxq, (unsigned)e->ports[pi].nb_txq),
			    (unsigned)RF_MAX_QUEUES_PER_PORT);

	if (n < 2)
		return;
	for (unsigned q = 0; q < n; q++)
		fprintf(out, "    queue %-2u  RX-packets: %-14" PRIu64 " TX-packets: %" PRIu64 "\n",
			q, hw->q_ipackets[q], hw->q_opackets[q]);
}

const char *rf_fwd_role_name(enum rf_fwd_role r)
{
	switch (r) {
	case RF_FWD_ROLE_RX:
		return "rx";
	case RF_FWD_ROLE_WORKER:
		return "worker";
	case RF_FWD_ROLE_FWD:
		break;
	}
	return "fwd";
}

void rf_fwd_stats_print_lcores(FILE *out, const struct rf_fwd_engine *e,
			       const struct rf_fwd_snapshot *s, const char *indent)
{
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		const struct rf_fwd_lcore *lc = &e->lcores[i];
		const struct rf_fwd_counts *c = &s->lcores[i];
		char role[32];

		if (lc->role == RF_FWD_ROLE_WORKER)
			snprintf(role, sizeof(role), "worker %u", lc->worker);
		else
			snprintf(role, sizeof(role), "%s", rf_fwd_role_name(lc->role));
		fprintf(out,
			"%slcore %-3u %-9s RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64
			" dropped: %" PRIu64 "\n",
			indent, lc->lcore_id, role, c->rx_packets, c->tx_packets, c->dropped);
	}
}

static void print_port(FILE *out, const struct rf_fwd_engine *e, unsigned i,
		       const struct rf_fwd_snapshot *s, bool csum)
{
	const struct rf_fwd_port_snapshot *p = &s->ports[i];

	fprintf(out, "  port %u (%s)\n", e->ports[i].port_id, e->ports[i].name);
	print_counts(out, &p->sw, csum);
	if (p->hw_valid)
		fprintf(out,
			"    device: RX-missed: %" PRIu64 "  RX-nombuf: %" PRIu64
			"  RX-errors: %" PRIu64 "  TX-errors: %" PRIu64 "  TX-oversize: %" PRIu64
			"\n",
			p->hw.imissed, p->hw.rx_nombuf, p->hw.ierrors, p->hw.oerrors,
			p->hw.tx_oversize);
	if (p->hw_valid)
		print_queues(out, e, i, &p->hw);
	print_rates(out, &p->sw, s->seconds);
}

static void print_stream(FILE *out, const struct rf_fwd_engine *e, unsigned i,
			 const struct rf_fwd_snapshot *s, bool csum)
{
	const struct rf_fwd_stream_slot *slot = &e->slots[i];
	const struct rf_fwd_counts *c = &s->streams[i];

	if (slot->ring != NULL)
		fprintf(out,
			"  stream on lcore %u (worker %u): RX port %u via ring -> TX port %u queue "
			"%u\n",
			slot->lcore, slot->ring_worker, slot->fs.rx_port, slot->fs.tx_port,
			slot->fs.tx_queue);
	else
		fprintf(out, "  stream on lcore %u: RX port %u queue %u -> TX port %u queue %u\n",
			slot->lcore, slot->fs.rx_port, slot->fs.rx_queue, slot->fs.tx_port,
			slot->fs.tx_queue);
	print_counts(out, c, csum);
	fprintf(out, "    busy cycles per packet: %.1f\n", cycles_per_packet(c));
	if (e->opt->record_burst_stats) {
		if (e->mode->rx)
			print_bursts(out, "RX", slot->fs.burst_hist, "empty polls");
		print_bursts(out, "TX", slot->tx_burst_hist, "refused whole");
	}
}

void rf_fwd_stats_print_final(FILE *out, const struct rf_fwd_engine *e,
			      const struct rf_fwd_snapshot *s, unsigned leaked)
{
	bool csum = strcmp(e->mode->name, "csum") == 0;
	unsigned pools = 0;
	uint64_t mbufs = 0;

	fprintf(out,
		"\n---------- ringfwd: %s forwarding, %.2f s, %u lcore%s, %u stream%s ----------\n",
		e->mode->name, s->seconds, e->nb_lcores, e->nb_lcores == 1 ? "" : "s",
		e->nb_streams, e->nb_streams == 1 ? "" : "s");
	for (unsigned i = 0; i < e->nb_ports; i++)
		print_port(out, e, i, s, csum);
	for (unsigned i = 0; i < e->nb_streams; i++)
		print_stream(out, e, i, s, csum);
	fprintf(out, "  lcores (RSS steering: %s)\n",
		e->steering == RF_FWD_STEER_SOFTWARE ? "software" : "device");
	rf_fwd_stats_print_lcores(out, e, s, "    ");
	if (s->drained != 0)
		fprintf(out,
			"    %" PRIu64 " packets were still in the workers' rings at stop: freed\n",
			s->drained);
	fprintf(out, "  total\n");
	print_counts(out, &s->total, csum);
	print_rates(out, &s->total, s->seconds);
	fprintf(out,
		"    busy cycles per packet: %.1f (%" PRIu64 " busy cycles / %" PRIu64
		" packets, TSC %.3f GHz)\n",
		cycles_per_packet(&s->total), s->total.busy_cycles,
		rf_fwd_counts_packets(&s->total), (double)rf_tsc_hz() / 1e9);
	for (unsigned i = 0; i < RF_FWD_MAX_SOCKETS; i++) {
		if (e->pools[i] != NULL) {
			pools++;
			mbufs += e->pools[i]->size;
		}
	}
	if (leaked == 0)
		fprintf(out, "  mbufs: all %" PRIu64 " back in %u pool%s, none leaked\n", mbufs,
			pools, pools == 1 ? "" : "s");
	else
		fprintf(out, "  mbufs: %u of %" PRIu64 " LEAKED (not back in their pool)\n", leaked,
			mbufs);
	fprintf(out, "-----------------------------------------------------------------------\n");
	fflush(out);
}

/* ---- JSON --------------------------------------------------------------- */

/*
 * A small streaming writer: each value call takes its key (NULL inside an
 * array) and puts the comma, newline and indent itself, so a new field is one
 * line wherever it goes.
 */
#define JSON_MAX_DEPTH 8

struct json {
	FILE *f;
	unsigned depth;
	bool first[JSON_MAX_DEPTH];
};

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void json_key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fprintf(j->f, "\n%*s", (int)(2 * j->depth), "");
	if (key != NULL) {
		json_string(j->f, key);
		fputs(": ", j->f);
	}
}

static void json_open(struct json *j, const char *key, char bracket)
{
	if (j->depth > 0)
		json_key(j, key);
	fputc(bracket, j->f);
	j->depth++; /* the layout above nests 4 deep at most */
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char bracket)
{
	j->depth--;
	fprintf(j->f, "\n%*s%c", (int)(2 * j->depth), "", bracket);
}

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void json_f64(struct json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.6f", v);
}

static void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_string(j->f, v);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void json_counts(struct json *j, const struct rf_fwd_counts *c)
{
	json_u64(j, "rx_packets", c->rx_packets);
	json_u64(j, "tx_packets", c->tx_packets);
	json_u64(j, "rx_bytes", c->rx_bytes);
	json_u64(j, "tx_bytes", c->tx_bytes);
	json_u64(j, "dropped", c->dropped);
	json_u64(j, "bad_ip_csum", c->bad_ip_csum);
	json_u64(j, "bad_l4_csum", c->bad_l4_csum);
	json_u64(j, "tx_retries", c->tx_retries);
}

/* Only the sizes that occurred: {"0": empty polls, "32": bursts of 32, ...}. */
static void json_hist(struct json *j, const char *key, const uint64_t *hist)
{
	char n[8];

	json_open(j, key, '{');
	for (unsigned i = 0; i <= RF_FWD_MAX_BURST; i++) {
		if (hist[i] != 0) {
			snprintf(n, sizeof(n), "%u", i);
			json_u64(j, n, hist[i]);
		}
	}
	json_close(j, '}');
}

static void json_ports(struct json *j, const struct rf_fwd_engine *e,
		       const struct rf_fwd_snapshot *s)
{
	char mac[24];

	json_open(j, "ports", '[');
	for (unsigned i = 0; i < e->nb_ports; i++) {
		const struct rf_fwd_port_snapshot *p = &s->ports[i];

		json_open(j, NULL, '{');
		json_u64(j, "id", e->ports[i].port_id);
		json_str(j, "name", e->ports[i].name);
		rf_ether_addr_format(mac, sizeof(mac), &e->ports[i].mac);
		json_str(j, "mac", mac);
		json_counts(j, &p->sw);
		if (p->hw_valid) {
			unsigned nq =
			    RF_MIN(RF_MAX((unsigned)e->opt->nb_rxq, (unsigned)e->ports[i].nb_txq),
				   (unsigned)RF_MAX_QUEUES_PER_PORT);

			json_u64(j, "rx_missed", p->hw.imissed);
			json_u64(j, "rx_nombuf", p->hw.rx_nombuf);
			json_u64(j, "rx_errors", p->hw.ierrors);
			json_u64(j, "tx_errors", p->hw.oerrors);
			/* Taken by tx_burst, dropped: longer than the port can carry. */
			json_u64(j, "tx_oversize", p->hw.tx_oversize);
			/* The device's per-queue counters: where RSS put the packets. */
			json_open(j, "rx_queue_packets", '[');
			for (unsigned q = 0; q < nq; q++)
				json_u64(j, NULL, p->hw.q_ipackets[q]);
			json_close(j, ']');
			json_open(j, "tx_queue_packets", '[');
			for (unsigned q = 0; q < nq; q++)
				json_u64(j, NULL, p->hw.q_opackets[q]);
			json_close(j, ']');
		}
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void json_streams(struct json *j, const struct rf_fwd_engine *e,
			 const struct rf_fwd_snapshot *s)
{
	json_open(j, "streams", '[');
	for (unsigned i = 0; i < e->nb_streams; i++) {
		const struct rf_fwd_stream_slot *slot = &e->slots[i];

		json_open(j, NULL, '{');
		json_u64(j, "lcore", slot->lcore);
		json_u64(j, "rx_port", slot->fs.rx_port);
		if (slot->ring != NULL)
			json_u64(j, "worker", slot->ring_worker); /* reads the RX lcore's ring */
		else
			json_u64(j, "rx_queue", slot->fs.rx_queue);
		json_u64(j, "tx_port", slot->fs.tx_port);
		json_u64(j, "tx_queue", slot->fs.tx_queue);
		json_counts(j, &s->streams[i]);
		json_u64(j, "busy_cycles", s->streams[i].busy_cycles);
		json_f64(j, "busy_cycles_per_packet", cycles_per_packet(&s->streams[i]));
		if (e->opt->record_burst_stats) {
			json_hist(j, "rx_bursts", slot->fs.burst_hist);
			json_hist(j, "tx_bursts", slot->tx_burst_hist);
		}
		json_close(j, '}');
	}
	json_close(j, ']');
}

static void json_lcores(struct json *j, const struct rf_fwd_engine *e,
			const struct rf_fwd_snapshot *s)
{
	double total_cycles = s->seconds * (double)rf_tsc_hz();

	json_open(j, "lcores", '[');
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		const struct rf_fwd_lcore *lc = &e->lcores[i];
		struct rf_fwd_counts c = s->lcores[i];

		json_open(j, NULL, '{');
		json_u64(j, "id", lc->lcore_id);
		json_str(j, "role", rf_fwd_role_name(lc->role));
		if (lc->role == RF_FWD_ROLE_WORKER)
			json_u64(j, "worker", lc->worker);
		json_u64(j, "rx_packets", c.rx_packets);
		json_u64(j, "tx_packets", c.tx_packets);
		json_u64(j, "dropped", c.dropped);
		json_u64(j, "streams", lc->nb_streams);
		json_u64(j, "packets", rf_fwd_counts_packets(&c));
		json_u64(j, "busy_cycles", c.busy_cycles);
		json_f64(j, "busy_cycles_per_packet", cycles_per_packet(&c));
		json_f64(j, "busy_fraction",
			 total_cycles > 0 ? (double)c.busy_cycles / total_cycles : 0.0);
		json_close(j, '}');
	}
	json_close(j, ']');
}

int rf_fwd_stats_write_json(const char *path, const struct rf_fwd_engine *e,
			    const struct rf_fwd_snapshot *s, unsigned leaked, char *err,
			    size_t errlen)
{
	struct json j = {.f = fopen(path, "w")};
	char hf[32];

	if (j.f == NULL) {
		int rc = -errno;

		snprintf(err, errlen, "--stats-json: cannot write '%s': %s", path, strerror(errno));
		return rc;
	}
	json_open(&j, NULL, '{');
	json_str(&j, "mode", e->mode->name);
	json_str(&j, "topology", rf_fwd_topology_name(e->opt->topology));
	json_f64(&j, "duration_s", s->seconds);
	json_u64(&j, "tsc_hz", rf_tsc_hz());
	json_u64(&j, "burst", e->cfg.burst);
	json_str(&j, "rss_steering", e->steering == RF_FWD_STEER_SOFTWARE ? "software" : "device");
	rf_fwd_rss_hf_format(e->opt->rss.rss_hf, hf, sizeof(hf));
	json_str(&j, "rss_hf", hf);
	json_bool(&j, "rss_symmetric", e->opt->rss.symmetric);
	json_bool(&j, "record_burst_stats", e->opt->record_burst_stats);
	json_ports(&j, e, s);
	json_streams(&j, e, s);
	json_lcores(&j, e, s);
	json_open(&j, "total", '{');
	json_counts(&j, &s->total);
	json_close(&j, '}');
	json_u64(&j, "busy_cycles", s->total.busy_cycles);
	json_f64(&j, "busy_cycles_per_packet", cycles_per_packet(&s->total));
	json_u64(&j, "steering_drained", s->drained);
	json_u64(&j, "mbufs_leaked", leaked);
	json_close(&j, '}');
	fputc('\n', j.f);
	if (ferror(j.f) | (fclose(j.f) != 0)) {
		snprintf(err, errlen, "--stats-json: error writing '%s'", path);
		return -EIO;
	}
	return 0;
}
