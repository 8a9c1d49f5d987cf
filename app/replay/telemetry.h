/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd-replay's telemetry commands, on top of the common ones
 * (app_telemetry.h):
 *   /ringfwd/info     mode ("replay") and state (waiting, sending, done)
 *   /ringfwd/replay   progress, counters, and the rate error while it runs
 */
#ifndef RF_REPLAY_TELEMETRY_H
#define RF_REPLAY_TELEMETRY_H

#include <stddef.h>

#include "replay.h"
#include "rf_mempool.h"

/* Register the commands for r and open the socket (unless --no-telemetry). 0 or -errno with err. */
int rf_replay_telemetry_start(struct rf_replay *r, struct rf_mempool *mp, char *err, size_t errlen);
void rf_replay_telemetry_stop(void);

#endif /* RF_REPLAY_TELEMETRY_H */
