/* SPDX-License-Identifier: BSD-3-Clause */
/* ringfwd-replay's report: tcpreplay-style lines, then ours, and the same as JSON. */
#ifndef RF_REPLAY_REPORT_H
#define RF_REPLAY_REPORT_H

#include <stdio.h>

#include "replay.h"

/* The capture's load counts: "Loaded N packets (B bytes), skipped M ...". */
void rf_replay_print_load(FILE *out, const char *path, const struct rf_pcap_stats *st);
/* leaked: mbufs not back in the pool at the end. */
void rf_replay_print(FILE *out, const struct rf_replay *r, unsigned leaked);
int rf_replay_write_json(const char *path, const struct rf_replay *r, unsigned leaked, char *err,
			 size_t errlen);

#endif /* RF_REPLAY_REPORT_H */
