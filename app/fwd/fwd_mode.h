/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A forwarding mode is a small function over a burst (testpmd's modes, same
 * names and behaviour). The engine owns the loop:
 *
 *   n = mode->rx ? rf_eth_rx_burst(rx_port, rx_queue, pkts, burst) : 0;
 *   n = mode->burst(fs, pkts, n);          // process in place; return how many to send
 *   sent = rf_eth_tx_burst(tx_port, tx_queue, pkts, n);
 *   free pkts[sent..n) and count them as drops (or retry with --tx-retry)
 *
 * For RX modes, burst() gets the nb received mbufs; it may rewrite them, drop
 * some (freeing them and compacting the array) and returns how many are left
 * to send, in pkts[0..ret). For generator modes (mode->rx == false: txonly),
 * burst() is called with nb == 0 and fills up to fs->cfg->burst new mbufs.
 * flowgen both generates and receives (mode->rx == true: it frees what it
 * receives, counts it, and returns generated packets).
 *
 * Counters: the engine counts rx_packets/rx_bytes for what rx_burst returned
 * (before burst() runs), tx_packets/tx_bytes for what tx_burst took, and adds
 * to dropped what tx_burst refused. A mode adds to dropped only the packets it
 * frees as unwanted (icmpecho's non-requests); what rxonly and flowgen consume
 * by design is not a drop (as in testpmd). csum counts bad_ip_csum/bad_l4_csum.
 *
 * Adding a mode is adding a struct rf_fwd_mode and one line in the table in
 * modes.c.
 */
#ifndef RF_FWD_MODE_H
#define RF_FWD_MODE_H

#include <stdint.h>

#include "rf_ethdev.h"
#include "rf_mbuf.h"

#define RF_FWD_MAX_TXPKTS_SEGS 8

/* Settings a mode reads; owned by the engine, changed only while stopped. */
struct rf_fwd_config {
	uint16_t burst;                        /* --burst, default 32 */
	uint16_t txpkts[RF_FWD_MAX_TXPKTS_SEGS]; /* --txpkts segment lengths, default {64} */
	uint16_t nb_txpkts;
	uint32_t tx_ip_src, tx_ip_dst;         /* --tx-ip SRC,DST host order; default 198.18.0.1,198.18.0.2 */
	uint16_t tx_udp_src, tx_udp_dst;       /* --tx-udp SRC[,DST]; default 9,9 */
	struct rf_ether_addr eth_peer[RF_MAX_ETHPORTS]; /* --eth-peer; default 02:00:00:00:00:<port> */
	uint32_t flowgen_flows;                /* number of flows flowgen cycles through; default 1024 */
};

/* One (rx port, rx queue) -> (tx port, tx queue) stream, polled by one lcore. */
struct rf_fwd_stream {
	uint16_t rx_port, rx_queue;
	uint16_t tx_port, tx_queue;
	const struct rf_fwd_config *cfg;
	struct rf_mempool *pool;               /* for generator modes and replies */
	struct rf_ether_addr tx_port_mac;      /* tx_port's MAC, filled by the engine before stream_init */
	/* (P) counters written only by the polling lcore */
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t dropped;                      /* not sent: tx refused, or dropped by the mode */
	uint64_t bad_ip_csum, bad_l4_csum;     /* csum mode */
	uint64_t busy_cycles;                  /* TSC over iterations that moved packets */
	uint64_t burst_hist[65];               /* RX burst sizes (0..64), --record-burst-stats */
	uint64_t mode_state[8];                /* scratch for the mode (flowgen's flow counter, ...) */
} RF_CACHE_ALIGNED;

struct rf_fwd_mode {
	const char *name;
	const char *help;
	bool rx;       /* calls rx_burst each iteration */
	/* Optional, per stream, before forwarding starts: 0 or -errno. */
	int (*stream_init)(struct rf_fwd_stream *fs);
	uint16_t (*burst)(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb);
};

/* The table; NULL-terminated. */
extern const struct rf_fwd_mode *const rf_fwd_modes[];
const struct rf_fwd_mode *rf_fwd_mode_find(const char *name);
/* "io mac macswap 5tswap rxonly txonly flowgen icmpecho csum" */
void rf_fwd_mode_list(char *buf, size_t len);

#endif /* RF_FWD_MODE_H */
