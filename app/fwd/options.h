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

/* --rss-steering: who spreads the flows over the forwarding lcores. */
enum rf_fwd_steering {
	RF_FWD_STEER_AUTO,     /* device when the ports hash, software when lcores would idle */
	RF_FWD_STEER_DEVICE,   /* one stream per (port, RX queue); the device spreads */
	RF_FWD_STEER_SOFTWARE, /* one RX lcore hashes and hands packets to worker lcores */
};

#define RF_FWD_RSS_KEY_LEN 40	  /* a Toeplitz key, as RF_ETH_RSS_KEY_LEN */
#define RF_FWD_RETA_MAX	   512	  /* as RF_RSS_RETA_SIZE_MAX */
#define RF_FWD_RETA_UNSET  0xffff /* this entry keeps the round-robin default */
/* ip: both IP versions, as testpmd's --rss-ip. */
#define RF_FWD_RSS_IP  (RF_ETH_RSS_IPV4 | RF_ETH_RSS_IPV6)
#define RF_FWD_RSS_ALL (RF_FWD_RSS_IP | RF_ETH_RSS_UDP | RF_ETH_RSS_TCP)

/*
 * RSS settings (the contract in README "RSS and queue steering"). Key and
 * RETA entries are per port, by port id: the command line sets every port,
 * the shell one or all.
 */
struct rf_fwd_rss_options {
	uint64_t rss_hf;   /* RF_ETH_RSS_*; 0 = --disable-rss: everything to RETA entry 0 */
	uint64_t hf_given; /* parse state: what --rss-ip/--rss-udp/--rss-tcp asked */
	bool disable_given;
	bool symmetric; /* --rss-symmetric */
	enum rf_fwd_steering steering;
	uint16_t reta_size; /* --rss-reta-size, a power of two */
	bool reta_size_given;
	uint8_t key[RF_MAX_ETHPORTS][RF_FWD_RSS_KEY_LEN];
	/* RETA entries over the round-robin table: a queue (worker), or RF_FWD_RETA_UNSET. */
	uint16_t reta[RF_MAX_ETHPORTS][RF_FWD_RETA_MAX];
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

	struct rf_fwd_rss_options rss;

	bool interactive;	  /* -i */
	const char *cmdline_file; /* --cmdline-file: shell commands run before the prompt */
	bool auto_start;	  /* --auto-start; implied without -i */
	bool help;		  /* -h / --help */
	const char *stats_prom;	  /* --stats-prom FILE; NULL = none */
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
/* "auto", "device", "software"; the parse returns -EINVAL for any other word. */
const char *rf_fwd_steering_name(enum rf_fwd_steering s);
int rf_fwd_steering_parse(const char *s, enum rf_fwd_steering *out);

/*
 * A Toeplitz key as 80 hex digits, with or without a colon between bytes.
 * 0, or -EINVAL with one line in err (no option name: the caller adds it).
 */
int rf_fwd_rss_key_parse(const char *s, uint8_t key[RF_FWD_RSS_KEY_LEN], char *err, size_t errlen);

/*
 * testpmd's RETA list "(IDX,Q)[,(IDX,Q)...]", spaces allowed: at most max
 * pairs into idx[]/queue[], each index below RF_FWD_RETA_MAX. *n is the count.
 * 0, or -EINVAL with one line in err.
 */
int rf_fwd_rss_reta_parse(const char *s, uint16_t *idx, uint16_t *queue, unsigned max, unsigned *n,
			  char *err, size_t errlen);

#endif /* RF_FWD_OPTIONS_H */
