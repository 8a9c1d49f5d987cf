/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry commands both front ends serve (DPDK's names and shapes):
 *   /ethdev/list, /ethdev/stats,P, /ethdev/xstats,P, /ethdev/info,P,
 *   /ethdev/link_status,P, /eal/lcore/list, /eal/lcore/info,L,
 *   /mempool/list, /mempool/info,NAME
 * and the socket's life: started after the ports are up, stopped before
 * they are closed. Each front end adds its own commands (/ringfwd/...,
 * /eal/lcore/usage) with rf_tel_register.
 */
#ifndef RF_APP_TELEMETRY_H
#define RF_APP_TELEMETRY_H

#include <stddef.h>

#include "rf_mempool.h"
#include "rf_telemetry.h"

#define RF_APP_TEL_MAX_POOLS 16

/* A pool for /mempool/list and /mempool/info (before start). 0 or -ENOSPC. */
int rf_app_tel_add_mempool(struct rf_mempool *mp);

/*
 * Register the common commands and open the socket for the EAL's
 * --file-prefix, unless --no-telemetry. 0, or -errno with one line in err.
 */
int rf_app_tel_start(char *err, size_t errlen);
/* Close the socket (no-op when it is not open). */
void rf_app_tel_stop(void);

/* "12" -> 12 when it is a whole decimal number up to max; else -EINVAL. */
int rf_app_tel_parse_uint(const char *params, unsigned long max, unsigned long *out);

#endif /* RF_APP_TELEMETRY_H */
