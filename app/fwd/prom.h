/* SPDX-License-Identifier: BSD-3-Clause */
/* --stats-prom: the snapshot's counters as Prometheus text (prom.c). */
#ifndef RF_FWD_PROM_H
#define RF_FWD_PROM_H

#include <stddef.h>

#include "stats.h"

/* Write FILE atomically (a temporary in its directory, then rename). 0, or -errno with err. */
int rf_fwd_stats_write_prom(const char *path, const struct rf_fwd_engine *e,
			    const struct rf_fwd_snapshot *s, char *err, size_t errlen);

#endif /* RF_FWD_PROM_H */
