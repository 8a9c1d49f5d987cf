/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics: snapshots of the engine's counters, the periodic line, the
 * final table and the JSON file.
 *
 * A snapshot reads the stream counters (relaxed; written only by their lcore),
 * the software RX lcore's per-queue counters, and the ports' own statistics.
 * Per lcore: a forwarding lcore or worker counts what its streams counted;
 * the RX lcore counts what it received (rx), handed to the workers (tx) and
 * dropped because a worker's ring was full. Rates are the difference of two snapshots
 * over the TSC time between them.
 */
#ifndef RF_FWD_STATS_H
#define RF_FWD_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "engine.h"

struct rf_fwd_counts {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t dropped;
	uint64_t busy_cycles;
	uint64_t bad_ip_csum, bad_l4_csum;
	uint64_t tx_retries;
};

struct rf_fwd_port_snapshot {
	struct rf_fwd_counts sw; /* from the streams: RX on this port, TX and drops towards it */
	struct rf_eth_stats hw;	 /* the port's own (imissed, rx_nombuf, errors, ...) */
	int hw_valid;
};

struct rf_fwd_snapshot {
	uint64_t tsc;
	double seconds;					    /* forwarding time at the snapshot */
	struct rf_fwd_port_snapshot ports[RF_MAX_ETHPORTS]; /* by engine port index */
	struct rf_fwd_counts total;
	struct rf_fwd_counts *streams; /* by engine stream index */
	unsigned nb_streams;
	struct rf_fwd_counts lcores[RF_MAX_LCORE]; /* by engine lcore index */
	uint64_t drained; /* software steering: left in the rings at stop, freed */
};

/* Allocates room for the engine's streams. 0 or -ENOMEM. */
int rf_fwd_snapshot_init(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e);
void rf_fwd_snapshot_fini(struct rf_fwd_snapshot *s);
void rf_fwd_snapshot_take(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e);

/* Packets a stream handled: what it received, or what it sent and dropped if more (generators). */
uint64_t rf_fwd_counts_packets(const struct rf_fwd_counts *c);

/* The column header of the periodic lines. */
void rf_fwd_stats_print_header(FILE *out);
/* One line per port (and a total if several) for the time between prev and cur. */
void rf_fwd_stats_print_period(FILE *out, const struct rf_fwd_engine *e,
			       const struct rf_fwd_snapshot *prev,
			       const struct rf_fwd_snapshot *cur);
/* The final table: per port, per stream (with burst histograms if recorded), totals, mbufs. */
void rf_fwd_stats_print_final(FILE *out, const struct rf_fwd_engine *e,
			      const struct rf_fwd_snapshot *s, unsigned leaked);
/* "fwd", "rx", "worker" (the JSON's "role"). */
const char *rf_fwd_role_name(enum rf_fwd_role r);
/* One line per forwarding lcore: role, RX/TX packets, dropped. */
void rf_fwd_stats_print_lcores(FILE *out, const struct rf_fwd_engine *e,
			       const struct rf_fwd_snapshot *s, const char *indent);
/* The same as JSON. 0, or -errno with err. */
int rf_fwd_stats_write_json(const char *path, const struct rf_fwd_engine *e,
			    const struct rf_fwd_snapshot *s, unsigned leaked, char *err,
			    size_t errlen);

#endif /* RF_FWD_STATS_H */
