/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd-replay's options: one table row per option, each with the handler
 * that checks and stores its value. Names follow tcpreplay (--pps, --mbps,
 * --multiplier, --topspeed, --loop, --limit, --duration) so that its users
 * read them at sight.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "rf_common.h"
#include "rf_eal.h"

enum opt_arg { ARG_NONE, ARG_REQUIRED };

struct opt_def;
struct opt_ctx {
	const struct opt_def *def;
	char *err;
	size_t errlen;
	int rate_opts; /* how many of --multiplier/--pps/--mbps/--topspeed were given */
};

struct opt_def {
	const char *name;
	enum opt_arg arg;
	const char *value;
	const char *help;
	int (*handle)(struct rf_replay_options *o, struct opt_ctx *c, const char *val);
};

static int RF_PRINTF(2, 3) fail(struct opt_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, c->errlen, "--%s: ", c->def->name);

	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int get_u64(struct opt_ctx *c, const char *val, uint64_t min, uint64_t max, uint64_t *out)
{
	char *e;

	*out = 0;
	if (*val < '0' || *val > '9')
		return fail(c, "'%s' is not a whole number (%llu..%llu)", val,
			    (unsigned long long)min, (unsigned long long)max);
	errno = 0;
	unsigned long long v = strtoull(val, &e, 10);
	if (errno != 0 || *e != '\0')
		return fail(c, "'%s' is not a whole number (%llu..%llu)", val,
			    (unsigned long long)min, (unsigned long long)max);
	if (v < min || v > max)
		return fail(c, "%s is out of range %llu..%llu", val, (unsigned long long)min,
			    (unsigned long long)max);
	*out = v;
	return 0;
}

/* A positive finite decimal, at most max. */
static int get_double(struct opt_ctx *c, const char *val, double max, double *out)
{
	char *e;

	errno = 0;
	double v = strtod(val, &e);
	if (errno != 0 || e == val || *e != '\0' || !isfinite(v) || !(v > 0) || v > max)
		return fail(c, "'%s' is not a number above 0 and at most %g", val, max);
	*out = v;
	return 0;
}

static int opt_pcap(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	if (*val == '\0')
		return fail(c, "empty file name");
	o->pcap = val;
	return 0;
}

static int get_port(struct opt_ctx *c, const char *val, uint64_t *v)
{
	return get_u64(c, val, 0, RF_MAX_ETHPORTS - 1, v);
}

static int opt_tx_port(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	uint64_t v;

	if (get_port(c, val, &v) != 0)
		return -EINVAL;
	o->tx_port = (uint16_t)v;
	return 0;
}

static int opt_rx_port(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	uint64_t v;

	if (get_port(c, val, &v) != 0)
		return -EINVAL;
	o->rx_port = (int)v;
	return 0;
}

static int opt_multiplier(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	c->rate_opts++;
	o->rate = RF_REPLAY_RATE_CAPTURE;
	return get_double(c, val, 1e9, &o->multiplier);
}

static int opt_pps(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	c->rate_opts++;
	o->rate = RF_REPLAY_RATE_PPS;
	return get_double(c, val, 1e10, &o->pps);
}

static int opt_mbps(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	c->rate_opts++;
	o->rate = RF_REPLAY_RATE_MBPS;
	return get_double(c, val, 1e7, &o->mbps);
}

static int opt_topspeed(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	(void)val;
	c->rate_opts++;
	o->rate = RF_REPLAY_RATE_TOPSPEED;
	return 0;
}

static int opt_loop(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	return get_u64(c, val, 0, UINT32_MAX, &o->loop);
}

static int opt_duration(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	return get_double(c, val, 86400.0 * 365, &o->duration);
}

static int opt_limit(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	return get_u64(c, val, 1, UINT64_MAX / 2, &o->limit);
}

static int opt_burst(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	uint64_t v;

	if (get_u64(c, val, 1, RF_REPLAY_MAX_BURST, &v) != 0)
		return -EINVAL;
	o->burst = (uint16_t)v;
	return 0;
}

static int opt_rx_wait(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	uint64_t v;

	if (get_u64(c, val, 0, 60000, &v) != 0)
		return -EINVAL;
	o->rx_wait_ms = (unsigned)v;
	return 0;
}

static int opt_desc(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	uint64_t v;

	if (get_u64(c, val, 64, 32768, &v) != 0)
		return -EINVAL;
	o->nb_desc = (uint32_t)v;
	return 0;
}

static int opt_json(struct rf_replay_options *o, struct opt_ctx *c, const char *val)
{
	if (*val == '\0')
		return fail(c, "empty file name");
	o->json = val;
	return 0;
}

static const struct opt_def opt_defs[] = {
    {"pcap", ARG_REQUIRED, "FILE", "capture to send (pcap or pcapng), loaded once", opt_pcap},
    {"tx-port", ARG_REQUIRED, "P", "port to send on (default 0)", opt_tx_port},
    {"rx-port", ARG_REQUIRED, "P", "also receive on P: loss, duplicates, order, latency",
     opt_rx_port},
    {"multiplier", ARG_REQUIRED, "X", "the capture's timing, X times faster (default 1)",
     opt_multiplier},
    {"pps", ARG_REQUIRED, "N", "N packets per second, evenly spaced", opt_pps},
    {"mbps", ARG_REQUIRED, "N", "N megabits per second (frame bytes)", opt_mbps},
    {"topspeed", ARG_NONE, NULL, "as fast as the port takes them", opt_topspeed},
    {"loop", ARG_REQUIRED, "N", "send the capture N times (default 1, 0 = until stopped)",
     opt_loop},
    {"duration", ARG_REQUIRED, "S", "stop after S seconds", opt_duration},
    {"limit", ARG_REQUIRED, "N", "stop after N packets", opt_limit},
    {"burst", ARG_REQUIRED, "N", "most packets per tx burst (default 32)", opt_burst},
    {"rx-wait", ARG_REQUIRED, "MS", "with --rx-port: wait for stragglers (default 200)",
     opt_rx_wait},
    {"desc", ARG_REQUIRED, "N",
     "RX and TX ring size (default 1024; with --rx-port, TX gets half the RX ring)", opt_desc},
    {"json", ARG_REQUIRED, "FILE", "write the report as JSON too", opt_json},
};

const char *rf_replay_rate_name(enum rf_replay_rate r)
{
	static const char *const names[] = {"capture", "pps", "mbps", "topspeed"};

	return (size_t)r < RF_DIM(names) ? names[r] : "?";
}

static void set_defaults(struct rf_replay_options *o)
{
	memset(o, 0, sizeof(*o));
	o->rx_port = -1;
	o->rate = RF_REPLAY_RATE_CAPTURE;
	o->multiplier = 1.0;
	o->loop = 1;
	o->burst = 32;
	o->rx_wait_ms = 200;
	o->nb_desc = 1024;
}

int rf_replay_options_parse(int argc, char **argv, struct rf_replay_options *o, char *err,
			    size_t errlen)
{
	struct opt_ctx c = {.err = err, .errlen = errlen};

	set_defaults(o);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		const struct opt_def *d = NULL;

		if (strncmp(a, "--", 2) != 0) {
			snprintf(err, errlen, "unexpected argument '%s' (options start with --)",
				 a);
			return -EINVAL;
		}
		const char *eq = strchr(a + 2, '=');
		size_t len = eq != NULL ? (size_t)(eq - a - 2) : strlen(a + 2);
		for (size_t k = 0; k < RF_DIM(opt_defs); k++)
			if (strlen(opt_defs[k].name) == len &&
			    strncmp(opt_defs[k].name, a + 2, len) == 0)
				d = &opt_defs[k];
		if (d == NULL) {
			snprintf(err, errlen, "unknown option '%s' (see --help)", a);
			return -EINVAL;
		}
		c.def = d;
		if (d->arg == ARG_REQUIRED) {
			if (eq != NULL)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(&c, "needs a value (%s)", d->value);
		} else if (eq != NULL) {
			return fail(&c, "takes no value");
		}
		if (d->handle(o, &c, val) != 0)
			return -EINVAL;
	}
	if (c.rate_opts > 1) {
		snprintf(err, errlen,
			 "--multiplier, --pps, --mbps and --topspeed choose the rate: give one");
		return -EINVAL;
	}
	if (o->pcap == NULL) {
		snprintf(err, errlen, "--pcap FILE is required (see --help)");
		return -EINVAL;
	}
	return 0;
}

void rf_replay_options_usage(FILE *out)
{
	fprintf(out, "Usage: ringfwd-replay [EAL options] -- --pcap FILE [options]\n"
		     "   or: ringfwd-replay --help | --version\n\n"
		     "Sends a capture through a port, preloaded in memory, at its own timing\n"
		     "or at a chosen rate, and reports what was sent (and received).\n\n"
		     "Options:\n");
	for (size_t i = 0; i < RF_DIM(opt_defs); i++) {
		char left[40];

		snprintf(left, sizeof(left), "--%s%s%s", opt_defs[i].name,
			 opt_defs[i].value != NULL ? " " : "",
			 opt_defs[i].value != NULL ? opt_defs[i].value : "");
		fprintf(out, "  %-22s %s\n", left, opt_defs[i].help);
	}
	fprintf(out, "  %-22s %s\n\nExit: 0 done, 1 failure or leak, 2 bad option or capture.\n\n",
		"--help", "this text");
	rf_eal_usage(out);
}
