/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd-replay's application options (after "--"): what to send, where,
 * how fast, for how long, and where to report.
 */
#ifndef RF_REPLAY_OPTIONS_H
#define RF_REPLAY_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* How the send times are chosen (one of them; the capture's timing by default). */
enum rf_replay_rate {
	RF_REPLAY_RATE_CAPTURE,	 /* the capture's own gaps, divided by --multiplier */
	RF_REPLAY_RATE_PPS,	 /* --pps N: evenly spaced packets */
	RF_REPLAY_RATE_MBPS,	 /* --mbps N: each gap as long as the previous frame's bits */
	RF_REPLAY_RATE_TOPSPEED, /* --topspeed: as fast as the port takes them */
};

struct rf_replay_options {
	const char *pcap; /* --pcap FILE (required) */
	uint16_t tx_port; /* --tx-port P, default 0 */
	int rx_port;	  /* --rx-port P, -1 = none */
	enum rf_replay_rate rate;
	double multiplier;   /* --multiplier X, default 1.0 */
	double pps;	     /* --pps N */
	double mbps;	     /* --mbps N */
	uint64_t loop;	     /* --loop N, default 1; 0 = until stopped */
	double duration;     /* --duration S, 0 = no limit */
	uint64_t limit;	     /* --limit N packets, 0 = no limit */
	uint16_t burst;	     /* --burst N, most packets per tx_burst (default 32) */
	unsigned rx_wait_ms; /* --rx-wait MS after the last send (default 200) */
	uint32_t nb_desc;    /* --txd/--rxd N ring size (default 1024) */
	const char *json;    /* --json FILE */
};

#define RF_REPLAY_MAX_BURST 512

/* argv after "--". 0, or -EINVAL with one line naming the option in err. */
int rf_replay_options_parse(int argc, char **argv, struct rf_replay_options *o, char *err,
			    size_t errlen);
void rf_replay_options_usage(FILE *out);
const char *rf_replay_rate_name(enum rf_replay_rate r);

#endif /* RF_REPLAY_OPTIONS_H */
