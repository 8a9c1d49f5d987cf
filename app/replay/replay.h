/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The replay engine: a preloaded capture, its send schedule in TSC ticks,
 * the sending (and receiving) loop, and what it measured.
 */
#ifndef RF_REPLAY_H
#define RF_REPLAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "options.h"
#include "rf_pcap_load.h"

/* Log-linear histogram of nanosecond values: 16 sub-buckets per power of two. */
#define RF_REPLAY_HIST_SUB  16
#define RF_REPLAY_HIST_BITS 64
struct rf_replay_hist {
	uint64_t count;
	uint64_t max;
	uint64_t b[RF_REPLAY_HIST_BITS * RF_REPLAY_HIST_SUB];
};

void rf_replay_hist_add(struct rf_replay_hist *h, uint64_t v);
/* The value below which a fraction q (0..1) of the samples lie (upper bucket bound). */
uint64_t rf_replay_hist_quantile(const struct rf_replay_hist *h, double q);

/* One distinct frame of the capture (frames with the same bytes share one). */
struct rf_replay_frame {
	uint64_t hash;
	uint64_t sent;
	uint64_t recv;
	uint64_t last_seq; /* global send number of its latest send */
	uint64_t last_tsc; /* TSC of its latest send */
};

struct rf_replay_result {
	uint64_t cap_pkts, cap_bytes, cap_skipped; /* the preload, kept past its free */
	/* Frames longer than the TX port can carry: never sent (rf_replay_prepare). */
	uint64_t oversize, oversize_bytes;
	uint32_t max_tx_pktlen; /* the port's limits then (0: none of that kind) */
	uint16_t max_tx_segs;
	uint64_t port_oversize; /* what the port itself dropped as oversize (its tx_oversize) */
	uint64_t sent, sent_bytes;
	uint64_t start_tsc, end_tsc;	  /* the run: before the first send, after the last */
	uint64_t first_tsc, last_tsc;	  /* actual, of the first and last packet sent */
	uint64_t sched_first, sched_last; /* scheduled, same packets (ticks from start) */
	uint64_t tx_retries;		  /* tx_burst calls that took fewer than offered */
	uint64_t late;			  /* packets sent after their deadline had passed */
	bool stopped;			  /* by a signal */
	struct rf_replay_hist gap_err;	  /* |actual gap - scheduled gap|, ns */
	struct rf_replay_hist send_lag;	  /* actual - scheduled send time, ns */
	uint64_t received, lost, duplicated, reordered, unmatched, rx_bytes;
	struct rf_replay_hist latency; /* ns */
};

/*
 * What the telemetry thread reads while the run goes on: copies of the
 * result's counters, stored (relaxed) by the sending lcore once per burst,
 * loaded relaxed by the reader. Nothing else is published with them; each
 * value alone is whole.
 */
struct rf_replay_live {
	_Atomic uint64_t sent, sent_bytes, received;
	_Atomic uint64_t first_tsc, last_tsc;	  /* actual, of the first and latest send */
	_Atomic uint64_t sched_first, sched_last; /* their scheduled times, ticks from start */
	_Atomic uint64_t start_tsc;		  /* 0 until the run has started */
	_Atomic uint64_t total;			  /* packets this run will send; 0: until stopped */
};

struct rf_replay {
	const struct rf_replay_options *opt;
	struct rf_pcap_capture cap;
	uint64_t hz;
	/* capture timing: each packet's offset within one pass, and one pass, in ticks */
	uint64_t *offset;
	uint64_t pass_ticks;
	/*
	 * References given out ahead, per capture record: the sending lcore
	 * takes one per send from here (no atomic) and tops it up with one
	 * atomic add of RF_REPLAY_REF_BANK to every segment when it runs dry.
	 * What is left goes back when the run ends.
	 */
	uint16_t *bank;
	/* --rx-port matching */
	struct rf_replay_frame *frames; /* nb_frames distinct frames */
	uint32_t nb_frames;
	uint32_t *frame_of; /* capture index -> frames[] */
	uint32_t *table;    /* open addressing: frames[] index + 1, 0 = empty */
	uint32_t table_mask;
	uint32_t non_unique; /* capture frames whose bytes repeat an earlier one */
	/* set by the main lcore on SIGINT/SIGTERM: read by the sending lcore, no ordering needed */
	atomic_bool stop;
	/* set by the sending lcore when done: release, pairs with the main lcore's acquire */
	atomic_bool done;
	struct rf_replay_result res;
	struct rf_replay_live live; /* (sending lcore) for telemetry */
};

/*
 * References banked per record at a time. A record's count never exceeds
 * 1 (the preload) + this + its sends in flight (at most one TX ring, 32768
 * descriptors): within uint16_t.
 */
#define RF_REPLAY_REF_BANK 1024

/*
 * Build the schedule and the frame table, and zero the headroom of every
 * preloaded mbuf. 0 or -ENOMEM (err says so).
 */
int rf_replay_prepare(struct rf_replay *r, char *err, size_t errlen);
void rf_replay_release(struct rf_replay *r);
/* The lcore function: send (and receive), fill r->res; returns 0. */
int rf_replay_run(void *arg);
uint64_t rf_replay_frame_hash(const struct rf_mbuf *m);

#endif /* RF_REPLAY_H */
