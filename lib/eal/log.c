/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging to stderr. Each message is formatted into one buffer and written
 * with a single fprintf, so lines from different lcores never interleave
 * (stdio locks the stream for the duration of one call).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rf_log.h"

/*
 * Read by every thread that logs, written by rf_log_set_level. Relaxed: the
 * level guards no other data, a thread seeing the old level for a moment is
 * harmless.
 */
static _Atomic int log_level = RF_LOG_NOTICE;

/* Indexed by enum rf_log_level; the first name of each level is the one printed. */
static const struct {
	const char *name;
	enum rf_log_level level;
} level_names[] = {
    {"emerg", RF_LOG_EMERG},  {"alert", RF_LOG_ALERT},	 {"crit", RF_LOG_CRIT},
    {"error", RF_LOG_ERR},    {"err", RF_LOG_ERR},	 {"warning", RF_LOG_WARNING},
    {"warn", RF_LOG_WARNING}, {"notice", RF_LOG_NOTICE}, {"info", RF_LOG_INFO},
    {"debug", RF_LOG_DEBUG},
};

static const char *level_name(enum rf_log_level level)
{
	for (size_t i = 0; i < RF_DIM(level_names); i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	return "log";
}

void rf_log_set_level(enum rf_log_level level)
{
	if (level < RF_LOG_EMERG)
		level = RF_LOG_EMERG;
	if (level > RF_LOG_DEBUG)
		level = RF_LOG_DEBUG;
	atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
}

enum rf_log_level rf_log_get_level(void)
{
	return (enum rf_log_level)atomic_load_explicit(&log_level, memory_order_relaxed);
}

int rf_log_parse_level(const char *s, enum rf_log_level *out)
{
	if (s == NULL || *s == '\0')
		return -EINVAL;
	if (s[0] >= '1' && s[0] <= '8' && s[1] == '\0') {
		*out = (enum rf_log_level)(s[0] - '0');
		return 0;
	}
	for (size_t i = 0; i < RF_DIM(level_names); i++) {
		if (strcasecmp(s, level_names[i].name) == 0) {
			*out = level_names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

void rf_log(enum rf_log_level level, const char *component, const char *fmt, ...)
{
	char buf[512];
	char *msg = buf;
	char *big = NULL;
	va_list ap;
	int n;

	if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed))
		return;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Long messages (a usage dump, a devargs list) get a heap buffer; if
	 * that fails, the truncated one is still better than nothing. */
	if ((size_t)n >= sizeof(buf)) {
		va_start(ap, fmt);
		if (vasprintf(&big, fmt, ap) >= 0)
			msg = big;
		else
			big = NULL;
		va_end(ap);
	}
	/* Callers may or may not end the message with '\n'; print exactly one. */
	size_t len = strlen(msg);
	if (len > 0 && msg[len - 1] == '\n')
		len--;

	fprintf(stderr, "%s: %s: %.*s\n", component, level_name(level), (int)len, msg);
	free(big);
}
