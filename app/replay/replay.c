/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replay engine.
 *
 * Schedule: packet k of the run is capture record i = k mod n in pass
 * l = k div n, due at start + l * pass_ticks + offset[i] (TSC ticks). The
 * three paced rates differ only in offset[]: the capture's own timestamps
 * divided by --multiplier, i / pps, or the bits of the frames before it over
 * --mbps. One pass lasts until the next pass's first packet is due: for the
 * capture's timing, its span plus one mean gap, as tcpreplay does when it
 * loops.
 *
 * Sending: the lcore reads the TSC and nothing else (no syscall). Ahead of
 * the next deadline it busy-waits (polling the RX port meanwhile, when there
 * is one); at or past it, it sends in one burst every packet already due, up
 * to --burst, so that a late lcore catches up instead of drifting.
 *
 * Zero copy: each send of a preloaded mbuf hands the driver one reference
 * to every segment of its chain; the driver drops it when the device is done
 * with it. The preload keeps its own reference, so the same mbufs go out on
 * every pass. The references come from a per-record bank (r->bank), filled
 * RF_REPLAY_REF_BANK at a time with one atomic add per segment, so a send
 * costs no atomic of ours, only the driver's drop. What tx_burst did not
 * take goes back to the bank; what the bank holds at the end is dropped.
 * The headroom of every preloaded mbuf is zeroed once, while it has a single
 * owner: a driver that puts a header before the frame (virtio-net) finds a
 * zero one in place and can send the shared mbuf as is.
 *
 * Matching what comes back (--rx-port): a 64-bit FNV-1a hash of the frame's
 * bytes finds the capture frame it is; each distinct frame remembers how
 * often it was sent and received and the TSC and send number of its latest
 * send. The payload is never touched, so frames stay zero-copy and come back
 * byte for byte. The price: latency and order are measured against the
 * latest send of that frame, which is right while a frame is back before it
 * is sent again (latency under one pass), and frames that repeat bytes
 * within the capture are counted together.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* XXH3_state_t on the stack: its layout is public only with this (xxhash.h). */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "replay.h"
#include "rf_ethdev.h"
#include "rf_time.h"

#define RX_BURST 32

void rf_replay_hist_add(struct rf_replay_hist *h, uint64_t v)
{
	unsigned idx;

	if (v < RF_REPLAY_HIST_SUB) {
		idx = (unsigned)v;
	} else {
		unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= 4 */
		unsigned sub = (unsigned)(v >> (msb - 4)) & (RF_REPLAY_HIST_SUB - 1);

		idx = (msb - 3) * RF_REPLAY_HIST_SUB + sub;
	}
	h->b[idx]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

/* The largest value bucket idx holds. */
static uint64_t bucket_top(unsigned idx)
{
	unsigned row = idx / RF_REPLAY_HIST_SUB, sub = idx % RF_REPLAY_HIST_SUB;

	if (row == 0)
		return sub;
	unsigned msb = row + 3;
	uint64_t lo = ((uint64_t)(RF_REPLAY_HIST_SUB + sub)) << (msb - 4);
	return lo + (1ull << (msb - 4)) - 1;
}

uint64_t rf_replay_hist_quantile(const struct rf_replay_hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(q * (double)h->count + 0.5);
	if (want < 1)
		want = 1;
	for (unsigned i = 0; i < RF_DIM(h->b); i++) {
		seen += h->b[i];
		if (seen >= want) {
			uint64_t top = bucket_top(i);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}

/*
 * XXH3-64 of the frame's bytes (Debian's libxxhash): the receive matcher
 * hashes every returning frame, and a byte-at-a-time hash (FNV-1a, about
 * 4,900 cycles for 1518 bytes here) capped the round trip far below the
 * sender. A chain is hashed as one byte string, so the segmentation does not
 * change the hash.
 */
uint64_t rf_replay_frame_hash(const struct rf_mbuf *m)
{
	if (RF_LIKELY(m->next == NULL))
		return XXH3_64bits(rf_pktmbuf_mtod(m, const void *), m->data_len);

	XXH3_state_t st;
	XXH3_64bits_reset(&st);
	for (; m != NULL; m = m->next)
		XXH3_64bits_update(&st, rf_pktmbuf_mtod(m, const void *), m->data_len);
	return XXH3_64bits_digest(&st);
}

static int build_schedule(struct rf_replay *r)
{
	const struct rf_replay_options *o = r->opt;
	uint32_t n = r->cap.nb_pkts;
	long double hz = (long double)r->hz, acc = 0;
	uint64_t first_ts = 0, prev_ts = 0;

	r->offset = calloc(n, sizeof(*r->offset));
	if (r->offset == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct rf_mbuf *m = r->cap.pkts[i];

		switch (o->rate) {
		case RF_REPLAY_RATE_CAPTURE: {
			/* A timestamp that goes backwards (or is missing) means "no gap". */
			uint64_t ts =
			    (m->ol_flags & RF_MBUF_F_RX_TIMESTAMP) ? m->timestamp : prev_ts;

			if (i == 0)
				first_ts = prev_ts = ts;
			if (ts < prev_ts)
				ts = prev_ts;
			prev_ts = ts;
			acc = (long double)(ts - first_ts) / (long double)o->multiplier * hz / 1e9L;
			r->offset[i] = (uint64_t)acc;
			break;
		}
		case RF_REPLAY_RATE_PPS:
			r->offset[i] = (uint64_t)((long double)i * hz / (long double)o->pps);
			break;
		case RF_REPLAY_RATE_MBPS:
			r->offset[i] = (uint64_t)(acc * hz / ((long double)o->mbps * 1e6L));
			acc += (long double)m->pkt_len * 8;
			break;
		case RF_REPLAY_RATE_TOPSPEED:
			break;
		}
	}
	switch (o->rate) {
	case RF_REPLAY_RATE_CAPTURE:
		r->pass_ticks = n > 1 ? r->offset[n - 1] + r->offset[n - 1] / (n - 1) : 0;
		break;
	case RF_REPLAY_RATE_PPS:
		r->pass_ticks = (uint64_t)((long double)n * hz / (long double)o->pps);
		break;
	case RF_REPLAY_RATE_MBPS:
		r->pass_ticks = (uint64_t)(acc * hz / ((long double)o->mbps * 1e6L));
		break;
	case RF_REPLAY_RATE_TOPSPEED:
		r->pass_ticks = 0;
		break;
	}
	return 0;
}

static int build_frames(struct rf_replay *r)
{
	uint32_t n = r->cap.nb_pkts, size = 16;

	while (size < 2 * (uint64_t)n)
		size <<= 1;
	r->frames = calloc(n, sizeof(*r->frames));
	r->frame_of = calloc(n, sizeof(*r->frame_of));
	r->table = calloc(size, sizeof(*r->table));
	if (r->frames == NULL || r->frame_of == NULL || r->table == NULL)
		return -ENOMEM;
	r->table_mask = size - 1;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t h = rf_replay_frame_hash(r->cap.pkts[i]);
		uint32_t slot = (uint32_t)h & r->table_mask;

		while (r->table[slot] != 0 && r->frames[r->table[slot] - 1].hash != h)
			slot = (slot + 1) & r->table_mask;
		if (r->table[slot] == 0) {
			r->frames[r->nb_frames].hash = h;
			r->table[slot] = ++r->nb_frames;
		} else {
			r->non_unique++;
		}
		r->frame_of[i] = r->table[slot] - 1;
	}
	return 0;
}

/*
 * A frame the TX port cannot carry would be dropped by it anyway: take it out
 * of the schedule now, so that what the report calls sent is exactly what
 * went out, and say how many and why. The capture keeps the others in order.
 */
static int drop_oversize(struct rf_replay *r, char *err, size_t errlen)
{
	struct rf_replay_result *res = &r->res;
	struct rf_eth_dev_info info;
	uint32_t kept = 0;

	if (rf_eth_dev_info_get(r->opt->tx_port, &info) != 0)
		return 0;
	res->max_tx_pktlen = info.max_tx_pktlen;
	res->max_tx_segs = info.max_tx_segs;
	for (uint32_t i = 0; i < r->cap.nb_pkts; i++) {
		struct rf_mbuf *m = r->cap.pkts[i];

		if ((info.max_tx_pktlen != 0 && m->pkt_len > info.max_tx_pktlen) ||
		    (info.max_tx_segs != 0 && m->nb_segs > info.max_tx_segs)) {
			res->oversize++;
			res->oversize_bytes += m->pkt_len;
			r->cap.bytes -= m->pkt_len;
			rf_pktmbuf_free(m);
		} else {
			r->cap.pkts[kept++] = m;
		}
	}
	r->cap.nb_pkts = kept;
	if (kept == 0) {
		snprintf(err, errlen,
			 "every one of the %llu frames is longer than port %u (%s) can send "
			 "(at most %u bytes in %u segments; 0: no limit of that kind)",
			 (unsigned long long)res->oversize, r->opt->tx_port,
			 rf_eth_dev_name(r->opt->tx_port), info.max_tx_pktlen, info.max_tx_segs);
		return -EMSGSIZE;
	}
	return 0;
}

int rf_replay_prepare(struct rf_replay *r, char *err, size_t errlen)
{
	r->hz = rf_tsc_hz();
	r->res.cap_pkts = r->cap.nb_pkts;
	r->res.cap_bytes = r->cap.bytes;
	r->res.cap_skipped = r->cap.stats.skipped;
	int rc = drop_oversize(r, err, errlen);
	if (rc != 0)
		return rc;
	/* Sole owner still (nothing sent yet): the headroom is ours to write. */
	for (uint32_t i = 0; i < r->cap.nb_pkts; i++) {
		struct rf_mbuf *m = r->cap.pkts[i];

		memset(m->buf_addr, 0, m->data_off);
	}
	r->bank = calloc(r->cap.nb_pkts, sizeof(*r->bank));
	if (r->bank == NULL || build_schedule(r) != 0 ||
	    (r->opt->rx_port >= 0 && build_frames(r) != 0)) {
		snprintf(err, errlen, "out of memory for the schedule of %u packets",
			 r->cap.nb_pkts);
		return -ENOMEM;
	}
	return 0;
}

void rf_replay_release(struct rf_replay *r)
{
	free(r->offset);
	free(r->bank);
	free(r->frames);
	free(r->frame_of);
	free(r->table);
	r->offset = NULL;
	r->bank = NULL;
	r->frames = NULL;
	r->frame_of = NULL;
	r->table = NULL;
}

static struct rf_replay_frame *lookup(struct rf_replay *r, uint64_t h)
{
	uint32_t slot = (uint32_t)h & r->table_mask;

	while (r->table[slot] != 0) {
		struct rf_replay_frame *f = &r->frames[r->table[slot] - 1];

		if (f->hash == h)
			return f;
		slot = (slot + 1) & r->table_mask;
	}
	return NULL;
}

/* Receive one burst and match it. max_seq: the latest send number seen back so far. */
static void poll_rx(struct rf_replay *r, uint64_t *max_seq, double ns_per_tick)
{
	struct rf_replay_result *res = &r->res;
	struct rf_mbuf *pkts[RX_BURST];
	uint16_t nb = rf_eth_rx_burst((uint16_t)r->opt->rx_port, 0, pkts, RX_BURST);

	if (nb == 0)
		return;
	uint64_t now = rf_tsc();
	for (uint16_t j = 0; j < nb; j++) {
		struct rf_replay_frame *f = lookup(r, rf_replay_frame_hash(pkts[j]));

		res->rx_bytes += pkts[j]->pkt_len;
		if (f == NULL) {
			res->unmatched++;
		} else if (f->recv >= f->sent) {
			res->duplicated++;
		} else {
			f->recv++;
			res->received++;
			rf_replay_hist_add(&res->latency,
					   (uint64_t)((double)(now - f->last_tsc) * ns_per_tick));
			if (res->received > 1 && f->last_seq < *max_seq)
				res->reordered++;
			else
				*max_seq = f->last_seq;
		}
		rf_pktmbuf_free(pkts[j]);
	}
}

static void refs(struct rf_mbuf *m, int16_t v)
{
	for (struct rf_mbuf *s = m; s != NULL; s = s->next)
		rf_mbuf_refcnt_update(s, v);
}

/* One reference to every segment of record i, for tx_burst to take. */
static inline void ref_take(struct rf_replay *r, uint32_t i)
{
	if (RF_UNLIKELY(r->bank[i] == 0)) {
		refs(r->cap.pkts[i], RF_REPLAY_REF_BANK);
		r->bank[i] = RF_REPLAY_REF_BANK;
	}
	r->bank[i]--;
}

/* The run is over: drop what the banks still hold (the preload keeps its own). */
static void refs_return(struct rf_replay *r)
{
	for (uint32_t i = 0; i < r->cap.nb_pkts; i++) {
		if (r->bank[i] != 0)
			refs(r->cap.pkts[i], (int16_t)-r->bank[i]);
		r->bank[i] = 0;
	}
}

/* What tx_burst took: timing statistics and, with --rx-port, the frame table. */
static void account(struct rf_replay *r, uint64_t t, uint64_t k, uint32_t i, const uint64_t *sched,
		    uint16_t sent, double ns_per_tick, uint64_t start)
{
	struct rf_replay_result *res = &r->res;
	bool paced = r->opt->rate != RF_REPLAY_RATE_TOPSPEED;
	uint32_t n = r->cap.nb_pkts;

	for (uint16_t j = 0; j < sent; j++, k++, i = i + 1 == n ? 0 : i + 1) {
		if (res->sent == 0) {
			res->first_tsc = t;
			res->sched_first = sched[j];
		} else if (paced) {
			uint64_t ag = t - res->last_tsc, sg = sched[j] - res->sched_last;
			uint64_t d = ag > sg ? ag - sg : sg - ag;

			rf_replay_hist_add(&res->gap_err, (uint64_t)((double)d * ns_per_tick));
		}
		if (paced) {
			uint64_t due = start + sched[j];

			rf_replay_hist_add(&res->send_lag,
					   t > due ? (uint64_t)((double)(t - due) * ns_per_tick)
						   : 0);
		}
		res->last_tsc = t;
		res->sched_last = sched[j];
		res->sent++;
		res->sent_bytes += r->cap.pkts[i]->pkt_len;
		if (r->frames != NULL) {
			struct rf_replay_frame *f = &r->frames[r->frame_of[i]];

			f->sent++;
			f->last_seq = k;
			f->last_tsc = t;
		}
	}
}

/* Once per burst: the counters telemetry shows (rf_replay_live). */
static void live_publish(struct rf_replay *r)
{
	const struct rf_replay_result *res = &r->res;
	struct rf_replay_live *l = &r->live;

	atomic_store_explicit(&l->sent, res->sent, memory_order_relaxed);
	atomic_store_explicit(&l->sent_bytes, res->sent_bytes, memory_order_relaxed);
	atomic_store_explicit(&l->received, res->received, memory_order_relaxed);
	atomic_store_explicit(&l->first_tsc, res->first_tsc, memory_order_relaxed);
	atomic_store_explicit(&l->last_tsc, res->last_tsc, memory_order_relaxed);
	atomic_store_explicit(&l->sched_first, res->sched_first, memory_order_relaxed);
	atomic_store_explicit(&l->sched_last, res->sched_last, memory_order_relaxed);
}

int rf_replay_run(void *arg)
{
	struct rf_replay *r = arg;
	const struct rf_replay_options *o = r->opt;
	struct rf_mbuf *pkts[RF_REPLAY_MAX_BURST];
	uint64_t sched[RF_REPLAY_MAX_BURST];
	uint32_t n = r->cap.nb_pkts, i = 0;
	uint64_t total = o->loop == 0 ? UINT64_MAX : o->loop * (uint64_t)n;
	bool paced = o->rate != RF_REPLAY_RATE_TOPSPEED, rx = o->rx_port >= 0;
	double ns_per_tick = 1e9 / (double)r->hz;
	uint64_t k = 0, base = 0, max_seq = 0;

	if (o->limit != 0 && o->limit < total)
		total = o->limit;
	uint64_t start = rf_tsc();
	r->res.start_tsc = start;
	atomic_store_explicit(&r->live.total, total == UINT64_MAX ? 0 : total,
			      memory_order_relaxed);
	atomic_store_explicit(&r->live.start_tsc, start, memory_order_relaxed);
	uint64_t end =
	    o->duration > 0 ? start + (uint64_t)(o->duration * (double)r->hz) : UINT64_MAX;

	while (k < total) {
		/* Relaxed: only "stop soon" is asked; nothing is published with it. */
		if (atomic_load_explicit(&r->stop, memory_order_relaxed)) {
			r->res.stopped = true;
			break;
		}
		uint64_t now = rf_tsc();
		if (now >= end)
			break;
		if (paced && now < start + base + r->offset[i]) {
			if (rx)
				poll_rx(r, &max_seq, ns_per_tick);
			continue; /* busy-wait: never sleep through a deadline */
		}
		/* Everything due by now, in one burst. */
		uint16_t nb = 0;
		uint32_t ii = i;
		uint64_t bb = base;
		while (nb < o->burst && k + nb < total) {
			if (paced && start + bb + r->offset[ii] > now)
				break;
			ref_take(r, ii);
			pkts[nb] = r->cap.pkts[ii];
			sched[nb++] = bb + r->offset[ii];
			if (++ii == n) {
				ii = 0;
				bb += r->pass_ticks;
			}
		}
		uint64_t t = rf_tsc();
		uint16_t sent = rf_eth_tx_burst(o->tx_port, 0, pkts, nb);
		if (sent < nb) {
			/* Not taken: their references go back to the bank, in record order. */
			for (uint32_t j = sent, x = (i + sent) % n; j < nb;
			     j++, x = x + 1 == n ? 0 : x + 1)
				r->bank[x]++;
			r->res.tx_retries++;
		}
		if (paced && sent > 0 && t > start + sched[0] + r->hz / 1000000)
			r->res.late += sent;
		account(r, t, k, i, sched, sent, ns_per_tick, start);
		if (sent != 0)
			live_publish(r);
		for (uint16_t j = 0; j < sent; j++) {
			k++;
			if (++i == n) {
				i = 0;
				base += r->pass_ticks;
			}
		}
		if (rx)
			poll_rx(r, &max_seq, ns_per_tick);
	}
	r->res.end_tsc = rf_tsc();
	refs_return(r);
	/* Stragglers: until all came back, the wait is over, or a stop. */
	if (rx) {
		uint64_t until = rf_tsc() + (uint64_t)o->rx_wait_ms * (r->hz / 1000);

		while (rf_tsc() < until && r->res.received < r->res.sent &&
		       !atomic_load_explicit(&r->stop, memory_order_relaxed))
			poll_rx(r, &max_seq, ns_per_tick);
		r->res.lost = r->res.sent - r->res.received;
	}
	live_publish(r);
	/* Release: r->res is complete before the main lcore sees done. */
	atomic_store_explicit(&r->done, true, memory_order_release);
	return 0;
}
