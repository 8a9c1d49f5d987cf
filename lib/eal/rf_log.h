/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging: levels and component names, to stderr. Control path only; the data
 * path uses RF_DP_LOG, compiled in only with -Ddebug_datapath=true.
 */
#ifndef RF_LOG_H
#define RF_LOG_H

#include "rf_common.h"

enum rf_log_level {
	RF_LOG_EMERG = 1,
	RF_LOG_ALERT,
	RF_LOG_CRIT,
	RF_LOG_ERR,
	RF_LOG_WARNING,
	RF_LOG_NOTICE,
	RF_LOG_INFO,
	RF_LOG_DEBUG,
};

/* Messages above this level are dropped. Default RF_LOG_NOTICE. */
void rf_log_set_level(enum rf_log_level level);
enum rf_log_level rf_log_get_level(void);
/* Parses "err", "warning", "info", "debug", "notice" or a number 1..8. 0 or -EINVAL. */
int rf_log_parse_level(const char *s, enum rf_log_level *out);

void rf_log(enum rf_log_level level, const char *component, const char *fmt, ...) RF_PRINTF(3, 4);

/* RF_LOG(ERR, VIRTIO, "queue %u broken", q) -> "VIRTIO: error: queue 3 broken\n" */
#define RF_LOG(level, comp, ...) rf_log(RF_LOG_##level, #comp, __VA_ARGS__)

#if RF_DEBUG_DATAPATH
#define RF_DP_LOG(level, comp, ...) RF_LOG(level, comp, __VA_ARGS__)
#else
#define RF_DP_LOG(level, comp, ...)                                                                \
	do {                                                                                       \
	} while (0)
#endif

#endif /* RF_LOG_H */
