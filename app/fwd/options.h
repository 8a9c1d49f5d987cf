/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd's own options, the ones after "--" (testpmd's names and defaults).
 *
 * Parsing is a table (options.c): one row per option with its name, value
 * placeholder, default and help, and a handler that checks and stores the
 * value. No getopt, so nothing is shared with the EAL's parser. Errors come
 * back as one line naming the option and the value, for main() to print as
 * "ringfwd: <line>" and exit 2.
 *
 * Checks that need more than the command line come in two later steps:
 * rf_fwd_options_check_lcores() against the EAL's lcore list (still before
 * rf_eal_init, so no root is needed to be told), and the engine's plan
 * against the probed ports.
 */
#ifndef RF_FWD_OPTIONS_H
#define RF_FWD_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fwd_mode.h"
#include "rf_eal.h"
#include "rf_ethdev.h"

/* Largest --burst: the size of the RX burst histogram in struct rf_fwd_stream, less one. */
#define RF_FWD_MAX_BURST   64
#define RF_FWD_MAX_STREAMS (RF_MAX_ETHPORTS * RF_MAX_QUEUES_PER_PORT)

enum rf_fwd_topology {
	RF_FWD_TOPO_PAIRED,  /* 0<->1, 2<->3; an odd last port sends back to itself */
	RF_FWD_TOPO_CHAINED, /* i -> i+1, the last -> 0 */
	RF_FWD_TOPO_LOOP,    /* i -> i */
};

/* One --config tuple: RX queue (port, queue) is polled by lcore. */
struct rf_fwd_config_entry {
	uint16_t port;
	uint16_t queue;
	unsigned lcore;
};

struct rf_fwd_options {
	const struct rf_fwd_mode *mode; /* --forward-mode, default io */
	struct rf_fwd_config cfg;	/* what the modes read: burst, txpkts, tx-ip, ... */
	bool eth_peer_given[RF_MAX_ETHPORTS];

	unsigned nb_cores; /* --nb-cores, default 1 */
	bool nb_cores_given;
	uint16_t nb_rxq, nb_txq; /* default 1 */
	uint16_t nb_rxd, nb_txd; /* 0 = the driver's largest ring */
	enum rf_fwd_topology topology;

	unsigned stats_period;	/* seconds, 0 = only the final table */
	const char *stats_json; /* NULL = none */
	bool record_burst_stats;
	unsigned tx_retry; /* retries of a partly refused TX burst, 0 = drop at once */

	unsigned total_num_mbufs; /* per pool; 0 = computed from the rings, caches and bursts */
	unsigned mbcache;	  /* per-lcore mempool cache, default 250 */

	struct rf_fwd_config_entry config[RF_FWD_MAX_STREAMS]; /* --config */
	unsigned nb_config; /* 0 = the default round-robin mapping */

	bool interactive;	  /* -i */
	const char *cmdline_file; /* --cmdline-file: shell commands run before the prompt */
	bool auto_start;	  /* --auto-start; implied without -i */
	bool help;		  /* -h / --help */
};

/*
 * Parse argv[0..argc) (the arguments after "--", without the "--") into o,
 * starting from the defaults. 0, or -EINVAL with one line in err.
 */
int rf_fwd_options_parse(int argc, char **argv, struct rf_fwd_options *o, char *err, size_t errlen);

/*
 * Checks that need the EAL's lcore list: --nb-cores against the forwarding
 * lcores (the listed ones but main), --config lcores. 0 or -EINVAL with err.
 */
int rf_fwd_options_check_lcores(const struct rf_fwd_options *o, const struct rf_eal_config *eal,
				char *err, size_t errlen);

/* Every app option with its default. */
void rf_fwd_options_usage(FILE *out);

const char *rf_fwd_topology_name(enum rf_fwd_topology t);

#endif /* RF_FWD_OPTIONS_H */
