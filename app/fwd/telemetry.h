/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd's own telemetry commands, on top of the common ones
 * (app_telemetry.h):
 *   /ringfwd/info      mode, state, steering, counts of ports, streams, lcores
 *   /ringfwd/streams   per stream: where from, where to, its counters
 *   /ringfwd/lcores    per forwarding lcore: role, streams, counters
 *   /ringfwd/rss       steering, and per port its RSS hash and RETA
 *   /eal/lcore/usage   busy and total TSC cycles per forwarding lcore
 */
#ifndef RF_FWD_TELEMETRY_H
#define RF_FWD_TELEMETRY_H

#include <stddef.h>

#include "engine.h"

/* Register the commands for e and open the socket (unless --no-telemetry). 0 or -errno with err. */
int rf_fwd_telemetry_start(struct rf_fwd_engine *e, char *err, size_t errlen);
void rf_fwd_telemetry_stop(void);

#endif /* RF_FWD_TELEMETRY_H */
