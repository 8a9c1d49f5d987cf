/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd's application options: one table row per option, each with the
 * handler that checks and stores its value. The names, meanings and defaults
 * are testpmd's (and l3fwd's for --config), so a DPDK user's command line
 * works unchanged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "rf_rss.h"

#define DEFAULT_BURST	      32
#define DEFAULT_TXPKTS	      64
#define DEFAULT_MBCACHE	      250
#define DEFAULT_FLOWGEN_FLOWS 1024
#define DEFAULT_TX_RETRY      64 /* testpmd's burst_tx_retry_num */
#define MAX_STATS_PERIOD      86400
/* Ethernet + IPv4 + UDP: the smallest frame txonly and flowgen can build. */
#define MIN_TXPKTS_TOTAL (14 + 20 + 8)

enum opt_arg { ARG_NONE, ARG_REQUIRED, ARG_OPTIONAL };

/* Where a handler reports: the option it parses and the caller's error buffer. */
struct opt_ctx {
	const struct opt_def *def;
	char *err;
	size_t errlen;
};

struct opt_def {
	const char *name; /* long name without "--" */
	char short_name;  /* 0 if none */
	enum opt_arg arg;
	const char *value; /* placeholder in --help */
	const char *defval;
	const char *help;
	/* val is NULL for a flag (or an optional value left out). 0 or -EINVAL. */
	int (*handle)(struct rf_fwd_options *o, struct opt_ctx *c, const char *val);
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

static int RF_PRINTF(3, 4) fail_plain(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/*
 * A whole decimal number; no sign, no spaces, nothing after it. *end (if not
 * NULL) may stop at a separator instead: then only the digits are checked.
 */
static int parse_ulong(const char *s, const char **end, unsigned long *out)
{
	char *e;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno != 0 || (end == NULL && *e != '\0'))
		return -EINVAL;
	if (end != NULL)
		*end = e;
	*out = v;
	return 0;
}

static int get_uint(struct opt_ctx *c, const char *val, unsigned long min, unsigned long max,
		    unsigned long *out)
{
	*out = 0;
	if (parse_ulong(val, NULL, out) != 0)
		return fail(c, "'%s' is not a whole number (%lu..%lu)", val, min, max);
	if (*out < min || *out > max)
		return fail(c, "%s is out of range %lu..%lu", val, min, max);
	return 0;
}

static int opt_forward_mode(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	char known[256];

	o->mode = rf_fwd_mode_find(val);
	if (o->mode == NULL) {
		rf_fwd_mode_list(known, sizeof(known));
		return fail(c, "unknown mode '%s' (known: %s)", val, known);
	}
	return 0;
}

static int opt_nb_cores(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	if (get_uint(c, val, 1, RF_MAX_LCORE - 1, &v) != 0)
		return -EINVAL;
	o->nb_cores = (unsigned)v;
	o->nb_cores_given = true;
	return 0;
}

static int opt_queues(struct opt_ctx *c, const char *val, uint16_t *out)
{
	unsigned long v;

	if (get_uint(c, val, 1, RF_MAX_QUEUES_PER_PORT, &v) != 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int opt_rxq(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	return opt_queues(c, val, &o->nb_rxq);
}

static int opt_txq(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	return opt_queues(c, val, &o->nb_txq);
}

/* Ring sizes: the driver checks its own limits once the ports exist. */
static int opt_desc(struct opt_ctx *c, const char *val, uint16_t *out)
{
	unsigned long v;

	if (get_uint(c, val, 1, 32768, &v) != 0)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

static int opt_rxd(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	return opt_desc(c, val, &o->nb_rxd);
}

static int opt_txd(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	return opt_desc(c, val, &o->nb_txd);
}

static int opt_burst(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	if (get_uint(c, val, 1, RF_FWD_MAX_BURST, &v) != 0)
		return -EINVAL;
	o->cfg.burst = (uint16_t)v;
	return 0;
}

static const char *const topo_names[] = {
    [RF_FWD_TOPO_PAIRED] = "paired",
    [RF_FWD_TOPO_CHAINED] = "chained",
    [RF_FWD_TOPO_LOOP] = "loop",
};

const char *rf_fwd_topology_name(enum rf_fwd_topology t)
{
	return (size_t)t < RF_DIM(topo_names) ? topo_names[t] : "?";
}

static int opt_port_topology(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	for (size_t i = 0; i < RF_DIM(topo_names); i++) {
		if (strcmp(val, topo_names[i]) == 0) {
			o->topology = (enum rf_fwd_topology)i;
			return 0;
		}
	}
	return fail(c, "unknown topology '%s' (known: paired chained loop)", val);
}

static int opt_stats_period(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	/* 0 is allowed: no periodic line, only the final table. */
	if (get_uint(c, val, 0, MAX_STATS_PERIOD, &v) != 0)
		return -EINVAL;
	o->stats_period = (unsigned)v;
	return 0;
}

static int opt_eth_peer(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	const char *end;
	unsigned long port;
	struct rf_ether_addr mac;

	if (parse_ulong(val, &end, &port) != 0 || *end != ',')
		return fail(c, "'%s' is not PORT,MAC (e.g. 0,02:00:00:00:00:01)", val);
	if (port >= RF_MAX_ETHPORTS)
		return fail(c, "port %lu in '%s' is above the build limit of %u ports", port, val,
			    RF_MAX_ETHPORTS - 1);
	if (rf_ether_addr_parse(end + 1, &mac) != 0)
		return fail(c, "'%s' in '%s' is not a MAC address like 02:00:00:00:00:01", end + 1,
			    val);
	o->cfg.eth_peer[port] = mac;
	o->eth_peer_given[port] = true;
	return 0;
}

static int opt_txpkts(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	const char *s = val;
	unsigned long len, total = 0;
	uint16_t n = 0;

	for (;;) {
		if (parse_ulong(s, &s, &len) != 0 || (*s != ',' && *s != '\0'))
			return fail(c, "'%s' is not a list of segment lengths like 64 or 64,1000",
				    val);
		if (len == 0 || len > RF_MBUF_DEFAULT_DATAROOM)
			return fail(
			    c, "segment length %lu in '%s' is not in 1..%u (the mbuf data room)",
			    len, val, RF_MBUF_DEFAULT_DATAROOM);
		if (n == RF_FWD_MAX_TXPKTS_SEGS)
			return fail(c, "'%s' has more than %u segments", val,
				    RF_FWD_MAX_TXPKTS_SEGS);
		o->cfg.txpkts[n++] = (uint16_t)len;
		total += len;
		if (*s == '\0')
			break;
		s++;
	}
	if (total < MIN_TXPKTS_TOTAL)
		return fail(c,
			    "'%s' makes %lu-byte packets, fewer than the %u of the Ethernet, "
			    "IPv4 and UDP headers",
			    val, total, MIN_TXPKTS_TOTAL);
	o->cfg.nb_txpkts = n;
	return 0;
}

static int parse_ipv4(const char *s, size_t len, uint32_t *out)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

static int opt_tx_ip(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	const char *comma = strchr(val, ',');

	if (comma == NULL || parse_ipv4(val, (size_t)(comma - val), &o->cfg.tx_ip_src) != 0 ||
	    parse_ipv4(comma + 1, strlen(comma + 1), &o->cfg.tx_ip_dst) != 0)
		return fail(c, "'%s' is not SRC,DST IPv4 addresses (e.g. 198.18.0.1,198.18.0.2)",
			    val);
	return 0;
}

static int opt_tx_udp(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	const char *end;
	unsigned long src, dst;

	if (parse_ulong(val, &end, &src) != 0 || src > 65535)
		goto bad;
	dst = src; /* testpmd: one port given is used for both */
	if (*end == ',') {
		if (parse_ulong(end + 1, &end, &dst) != 0 || dst > 65535)
			goto bad;
	}
	if (*end != '\0')
		goto bad;
	o->cfg.tx_udp_src = (uint16_t)src;
	o->cfg.tx_udp_dst = (uint16_t)dst;
	return 0;
bad:
	return fail(c, "'%s' is not SRC[,DST] UDP ports in 0..65535", val);
}

static int opt_flowgen_flows(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	if (get_uint(c, val, 1, 1u << 24, &v) != 0)
		return -EINVAL;
	o->cfg.flowgen_flows = (uint32_t)v;
	return 0;
}

static int opt_total_num_mbufs(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	/* The ring behind a pool must hold every object: below 2^30. */
	if (get_uint(c, val, 1, 1ul << 30, &v) != 0)
		return -EINVAL;
	o->total_num_mbufs = (unsigned)v;
	return 0;
}

static int opt_mbcache(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	if (get_uint(c, val, 0, RF_MEMPOOL_CACHE_MAX, &v) != 0)
		return -EINVAL;
	o->mbcache = (unsigned)v;
	return 0;
}

static int opt_auto_start(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->auto_start = true;
	return 0;
}

/* One "(port,queue,lcore)" at *s; advances *s past the ')'. */
static int parse_config_tuple(const char **s, struct rf_fwd_config_entry *e)
{
	unsigned long v[3];
	const char *p = *s;

	while (*p == ' ')
		p++;
	if (*p++ != '(')
		return -EINVAL;
	for (int i = 0; i < 3; i++) {
		while (*p == ' ')
			p++;
		if (parse_ulong(p, &p, &v[i]) != 0)
			return -EINVAL;
		while (*p == ' ')
			p++;
		if (*p++ != (i < 2 ? ',' : ')'))
			return -EINVAL;
	}
	if (v[0] >= RF_MAX_ETHPORTS || v[1] >= RF_MAX_QUEUES_PER_PORT || v[2] >= RF_MAX_LCORE)
		return -ERANGE;
	e->port = (uint16_t)v[0];
	e->queue = (uint16_t)v[1];
	e->lcore = (unsigned)v[2];
	*s = p;
	return 0;
}

static int opt_config(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	const char *s = val;

	o->nb_config = 0;
	for (;;) {
		struct rf_fwd_config_entry e;
		const char *start = s;
		int rc = parse_config_tuple(&s, &e);

		if (rc == -ERANGE)
			return fail(c,
				    "'%.*s' is out of range (ports < %u, queues < %u, lcores < %u)",
				    (int)(strchr(start, ')') - start + 1), start, RF_MAX_ETHPORTS,
				    RF_MAX_QUEUES_PER_PORT, RF_MAX_LCORE);
		if (rc != 0)
			return fail(c,
				    "'%s' is not a list of (port,queue,lcore) like (0,0,1),(1,0,2)",
				    val);
		for (unsigned i = 0; i < o->nb_config; i++) {
			if (o->config[i].port == e.port && o->config[i].queue == e.queue)
				return fail(c,
					    "RX queue %u of port %u is listed twice: one queue is "
					    "polled by one lcore",
					    e.queue, e.port);
		}
		if (o->nb_config == RF_FWD_MAX_STREAMS)
			return fail(c, "more than %u entries", RF_FWD_MAX_STREAMS);
		o->config[o->nb_config++] = e;
		while (*s == ' ')
			s++;
		if (*s == '\0')
			return 0;
		if (*s++ != ',')
			return fail(c,
				    "'%s' is not a list of (port,queue,lcore) like (0,0,1),(1,0,2)",
				    val);
	}
}

/* ---- RSS ------------------------------------------------------------------ */

static const char *const steering_names[] = {
    [RF_FWD_STEER_AUTO] = "auto",
    [RF_FWD_STEER_DEVICE] = "device",
    [RF_FWD_STEER_SOFTWARE] = "software",
};

const char *rf_fwd_steering_name(enum rf_fwd_steering s)
{
	return (size_t)s < RF_DIM(steering_names) ? steering_names[s] : "?";
}

int rf_fwd_steering_parse(const char *s, enum rf_fwd_steering *out)
{
	for (size_t i = 0; i < RF_DIM(steering_names); i++) {
		if (strcmp(s, steering_names[i]) == 0) {
			*out = (enum rf_fwd_steering)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rf_fwd_rss_key_parse(const char *s, uint8_t key[RF_FWD_RSS_KEY_LEN], char *err, size_t errlen)
{
	uint8_t k[RF_FWD_RSS_KEY_LEN];
	unsigned digits = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p == ':') {
			/* Only between two whole bytes: "6d:5a", not ":6d", "6:d" or "6d::5a". */
			if (digits == 0 || digits % 2 != 0 || p[1] == '\0' || p[1] == ':')
				return fail_plain(err, errlen,
						  "'%s': a colon goes only between two-digit bytes",
						  s);
			continue;
		}
		int v = hex_digit(*p);

		if (v < 0)
			return fail_plain(err, errlen, "'%s': '%c' is not a hex digit", s, *p);
		if (digits / 2 < RF_FWD_RSS_KEY_LEN)
			k[digits / 2] = (uint8_t)(digits % 2 == 0 ? v << 4 : k[digits / 2] | v);
		digits++;
	}
	if (digits % 2 != 0)
		return fail_plain(err, errlen, "'%s' has an odd number of hex digits (%u)", s,
				  digits);
	if (digits != 2 * RF_FWD_RSS_KEY_LEN)
		return fail_plain(err, errlen,
				  "'%s' is %u bytes; a Toeplitz key is %u bytes (%u hex digits)", s,
				  digits / 2, RF_FWD_RSS_KEY_LEN, 2 * RF_FWD_RSS_KEY_LEN);
	memcpy(key, k, sizeof(k));
	return 0;
}

int rf_fwd_rss_reta_parse(const char *s, uint16_t *idx, uint16_t *queue, unsigned max, unsigned *n,
			  char *err, size_t errlen)
{
	const char *p = s;

	*n = 0;
	for (;;) {
		unsigned long v[2];

		while (*p == ' ')
			p++;
		if (*p++ != '(')
			goto bad;
		for (int i = 0; i < 2; i++) {
			while (*p == ' ')
				p++;
			if (parse_ulong(p, &p, &v[i]) != 0)
				goto bad;
			while (*p == ' ')
				p++;
			if (*p++ != (i == 0 ? ',' : ')'))
				goto bad;
		}
		if (v[0] >= RF_FWD_RETA_MAX)
			return fail_plain(
			    err, errlen,
			    "index %lu in '%s' is beyond the largest RETA (%u entries)", v[0], s,
			    RF_FWD_RETA_MAX);
		if (v[1] >= RF_MAX_QUEUES_PER_PORT)
			return fail_plain(err, errlen, "queue %lu in '%s' is above the limit of %u",
					  v[1], s, RF_MAX_QUEUES_PER_PORT - 1);
		if (*n == max)
			return fail_plain(err, errlen, "'%s' has more than %u entries", s, max);
		idx[*n] = (uint16_t)v[0];
		queue[*n] = (uint16_t)v[1];
		(*n)++;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			goto bad;
	}
bad:
	return fail_plain(err, errlen, "'%s' is not a list of (index,queue) like (0,1),(1,0)", s);
}

static int opt_rss_ip(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->rss.hf_given |= RF_FWD_RSS_IP;
	return 0;
}

static int opt_rss_udp(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->rss.hf_given |= RF_ETH_RSS_UDP;
	return 0;
}

static int opt_rss_tcp(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->rss.hf_given |= RF_ETH_RSS_TCP;
	return 0;
}

static int opt_disable_rss(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->rss.disable_given = true;
	return 0;
}

static int opt_rss_key(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	uint8_t key[RF_FWD_RSS_KEY_LEN];
	char why[256];

	if (rf_fwd_rss_key_parse(val, key, why, sizeof(why)) != 0)
		return fail(c, "%s", why);
	for (unsigned p = 0; p < RF_MAX_ETHPORTS; p++)
		memcpy(o->rss.key[p], key, sizeof(key));
	return 0;
}

static int opt_rss_reta_size(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v;

	if (get_uint(c, val, 1, RF_FWD_RETA_MAX, &v) != 0)
		return -EINVAL;
	if ((v & (v - 1)) != 0)
		return fail(c, "%lu is not a power of two (1, 2, 4, ... %u)", v, RF_FWD_RETA_MAX);
	o->rss.reta_size = (uint16_t)v;
	o->rss.reta_size_given = true;
	return 0;
}

static int opt_rss_reta(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	uint16_t idx[RF_FWD_RETA_MAX], q[RF_FWD_RETA_MAX];
	unsigned n;
	char why[256];

	if (rf_fwd_rss_reta_parse(val, idx, q, RF_FWD_RETA_MAX, &n, why, sizeof(why)) != 0)
		return fail(c, "%s", why);
	for (unsigned i = 0; i < n; i++)
		for (unsigned p = 0; p < RF_MAX_ETHPORTS; p++)
			o->rss.reta[p][idx[i]] = q[i];
	return 0;
}

static int opt_rss_symmetric(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->rss.symmetric = true;
	return 0;
}

static int opt_rss_steering(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	if (rf_fwd_steering_parse(val, &o->rss.steering) != 0)
		return fail(c, "unknown steering '%s' (known: auto device software)", val);
	return 0;
}

static int opt_stats_json(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	if (*val == '\0')
		return fail(c, "needs a file name");
	o->stats_json = val;
	return 0;
}

static int opt_stats_prom(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	if (*val == '\0')
		return fail(c, "needs a file name");
	o->stats_prom = val;
	return 0;
}

static int opt_tx_retry(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	unsigned long v = DEFAULT_TX_RETRY;

	if (val != NULL && get_uint(c, val, 1, 1000000, &v) != 0)
		return -EINVAL;
	o->tx_retry = (unsigned)v;
	return 0;
}

static int opt_record_burst_stats(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->record_burst_stats = true;
	return 0;
}

static int opt_cmdline_file(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	o->cmdline_file = val;
	return 0;
}

static int opt_interactive(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->interactive = true;
	return 0;
}

static int opt_help(struct rf_fwd_options *o, struct opt_ctx *c, const char *val)
{
	(void)c;
	(void)val;
	o->help = true;
	return 0;
}

static const struct opt_def opt_defs[] = {
    {"forward-mode", 0, ARG_REQUIRED, "MODE", "io", "what each lcore does with a burst (below)",
     opt_forward_mode},
    {"nb-cores", 0, ARG_REQUIRED, "N", "1",
     "forwarding lcores: the first N of -l without the main lcore", opt_nb_cores},
    {"rxq", 0, ARG_REQUIRED, "N", "1", "RX queues per port (one stream each)", opt_rxq},
    {"txq", 0, ARG_REQUIRED, "N", "1",
     "TX queues per port; one per forwarding lcore that sends on the port", opt_txq},
    {"rxd", 0, ARG_REQUIRED, "N", "the driver's largest", "RX ring size", opt_rxd},
    {"txd", 0, ARG_REQUIRED, "N", "the driver's largest", "TX ring size", opt_txd},
    {"burst", 0, ARG_REQUIRED, "N", "32", "packets per burst, 1..64", opt_burst},
    {"port-topology", 0, ARG_REQUIRED, "paired|chained|loop", "paired",
     "where a port's packets go: 0<->1 2<->3 | i->i+1 | i->i", opt_port_topology},
    {"stats-period", 0, ARG_REQUIRED, "SECONDS", "0, off", "print a line per port every SECONDS",
     opt_stats_period},
    {"eth-peer", 0, ARG_REQUIRED, "PORT,MAC", "02:00:00:00:00:PORT",
     "destination MAC for packets sent on PORT (mac, csum, txonly, flowgen); repeatable",
     opt_eth_peer},
    {"txpkts", 0, ARG_REQUIRED, "LEN[,LEN...]", "64",
     "txonly/flowgen packet size, as segment lengths", opt_txpkts},
    {"tx-ip", 0, ARG_REQUIRED, "SRC,DST", "198.18.0.1,198.18.0.2", "txonly/flowgen IPv4 addresses",
     opt_tx_ip},
    {"tx-udp", 0, ARG_REQUIRED, "SRC[,DST]", "9,9", "txonly/flowgen UDP ports", opt_tx_udp},
    {"flowgen-flows", 0, ARG_REQUIRED, "N", "1024", "flows flowgen cycles through",
     opt_flowgen_flows},
    {"total-num-mbufs", 0, ARG_REQUIRED, "N", "rings + caches + bursts",
     "mbufs in each socket's pool", opt_total_num_mbufs},
    {"mbcache", 0, ARG_REQUIRED, "N", "250", "per-lcore mempool cache, 0..512", opt_mbcache},
    {"config", 0, ARG_REQUIRED, "(P,Q,L)[,...]", "round-robin over --nb-cores lcores",
     "poll RX queue Q of port P on lcore L (as l3fwd)", opt_config},
    {"stats-json", 0, ARG_REQUIRED, "FILE", "none", "write the final statistics as JSON",
     opt_stats_json},
    {"tx-retry", 0, ARG_OPTIONAL, "[=N]", "off; N = 64",
     "retry a partly refused TX burst N times, 1 us apart, before dropping", opt_tx_retry},
    {"record-burst-stats", 0, ARG_NONE, NULL, "off",
     "histogram of RX and TX burst sizes in the final table", opt_record_burst_stats},
    {"rss-ip", 0, ARG_NONE, NULL, "ip+udp+tcp when none of these is given",
     "RSS hashes IP addresses (cumulative with --rss-udp, --rss-tcp)", opt_rss_ip},
    {"rss-udp", 0, ARG_NONE, NULL, "see --rss-ip", "RSS hashes UDP addresses and ports",
     opt_rss_udp},
    {"rss-tcp", 0, ARG_NONE, NULL, "see --rss-ip", "RSS hashes TCP addresses and ports",
     opt_rss_tcp},
    {"disable-rss", 0, ARG_NONE, NULL, "off",
     "no hashing: every packet goes to RETA entry 0's queue or worker", opt_disable_rss},
    {"rss-key", 0, ARG_REQUIRED, "HEX", "the Microsoft RSS key",
     "40-byte Toeplitz key as 80 hex digits, colons allowed between bytes", opt_rss_key},
    {"rss-reta-size", 0, ARG_REQUIRED, "N", "128", "RETA entries, a power of two 1..512",
     opt_rss_reta_size},
    {"rss-reta", 0, ARG_REQUIRED, "(IDX,Q)[,...]", "entry i = i % queues",
     "RETA entries: index IDX goes to queue (or worker) Q", opt_rss_reta},
    {"rss-symmetric", 0, ARG_NONE, NULL, "off",
     "symmetric Toeplitz: both directions of a flow hash alike", opt_rss_symmetric},
    {"rss-steering", 0, ARG_REQUIRED, "auto|device|software", "auto",
     "device: the port's RX queues are the streams; software: the first forwarding lcore "
     "hashes and hands packets to the others over rings; auto: device when the ports hash "
     "themselves, software when lcores would otherwise idle",
     opt_rss_steering},
    {"auto-start", 'a', ARG_NONE, NULL, "on without -i", "start forwarding at once",
     opt_auto_start},
    {"interactive", 'i', ARG_NONE, NULL, "off",
#if RF_FWD_HAVE_SHELL
     "run the interactive shell",
#else
     "the interactive shell (not built yet: exits with status 2)",
#endif
     opt_interactive},
    {"cmdline-file", 0, ARG_REQUIRED, "FILE", "none",
     "with -i: run the shell commands in FILE before the prompt", opt_cmdline_file},
    {"help", 'h', ARG_NONE, NULL, NULL, "this text", opt_help},
    {"stats-prom", 0, ARG_REQUIRED, "FILE", "none",
     "write the counters in Prometheus text format every --stats-period and at the end "
     "(write, then rename)",
     opt_stats_prom},
};

static void set_defaults(struct rf_fwd_options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = rf_fwd_mode_find("io");
	o->cfg.burst = DEFAULT_BURST;
	o->cfg.txpkts[0] = DEFAULT_TXPKTS;
	o->cfg.nb_txpkts = 1;
	o->cfg.tx_ip_src = (198u << 24) | (18u << 16) | 1u; /* RFC 2544 benchmark range */
	o->cfg.tx_ip_dst = (198u << 24) | (18u << 16) | 2u;
	o->cfg.tx_udp_src = 9; /* discard */
	o->cfg.tx_udp_dst = 9;
	o->cfg.flowgen_flows = DEFAULT_FLOWGEN_FLOWS;
	for (unsigned p = 0; p < RF_MAX_ETHPORTS; p++) {
		/* Locally administered unicast 02:00:00:00:00:<port>, as testpmd. */
		o->cfg.eth_peer[p].addr_bytes[0] = 0x02;
		o->cfg.eth_peer[p].addr_bytes[5] = (uint8_t)p;
	}
	o->nb_cores = 1;
	o->nb_rxq = 1;
	o->nb_txq = 1;
	o->topology = RF_FWD_TOPO_PAIRED;
	o->mbcache = DEFAULT_MBCACHE;
	o->rss.rss_hf = RF_FWD_RSS_ALL;
	o->rss.steering = RF_FWD_STEER_AUTO;
	o->rss.reta_size = RF_RSS_RETA_SIZE_DEFAULT;
	for (unsigned p = 0; p < RF_MAX_ETHPORTS; p++) {
		memcpy(o->rss.key[p], rf_rss_default_key, RF_FWD_RSS_KEY_LEN);
		for (unsigned i = 0; i < RF_FWD_RETA_MAX; i++)
			o->rss.reta[p][i] = RF_FWD_RETA_UNSET;
	}
}

static const struct opt_def *find_opt(const char *arg, size_t len, char short_name)
{
	for (size_t i = 0; i < RF_DIM(opt_defs); i++) {
		const struct opt_def *d = &opt_defs[i];

		if (short_name != 0 ? d->short_name == short_name
				    : strncmp(d->name, arg, len) == 0 && d->name[len] == '\0')
			return d;
	}
	return NULL;
}

/* "--name", "--name=value", "--name value", "-x", "-x value". Advances *i. */
static int parse_one(struct rf_fwd_options *o, int argc, char **argv, int *i, char *err,
		     size_t errlen)
{
	const char *arg = argv[*i];
	const char *val = NULL;
	const struct opt_def *d = NULL;

	if (arg[0] == '-' && arg[1] == '-' && arg[2] != '\0') {
		const char *eq = strchr(arg + 2, '=');
		size_t len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);

		d = find_opt(arg + 2, len, 0);
		if (eq != NULL)
			val = eq + 1;
	} else if (arg[0] == '-' && arg[1] != '\0' && arg[1] != '-' && arg[2] == '\0') {
		d = find_opt(NULL, 0, arg[1]);
	} else {
		return fail_plain(err, errlen, "unexpected argument '%s' (options start with --)",
				  arg);
	}
	if (d == NULL)
		return fail_plain(err, errlen, "unknown option '%s' (see --help)", arg);

	struct opt_ctx c = {.def = d, .err = err, .errlen = errlen};

	(*i)++;
	switch (d->arg) {
	case ARG_NONE:
		if (val != NULL)
			return fail(&c, "takes no value, got '%s'", val);
		break;
	case ARG_OPTIONAL:
		break;
	case ARG_REQUIRED:
		if (val == NULL) {
			if (*i >= argc)
				return fail(&c, "needs a value: %s", d->value);
			val = argv[(*i)++];
		}
		break;
	}
	return d->handle(o, &c, val);
}

/*
 * RSS options against each other and the queue and lcore counts. A RETA queue
 * is an RX queue (device steering) or a worker (software: --nb-cores less the
 * RX lcore); under auto, the plan checks it again once it has chosen.
 */
static int check_rss(struct rf_fwd_options *o, char *err, size_t errlen)
{
	struct rf_fwd_rss_options *r = &o->rss;
	unsigned workers = o->nb_cores > 1 ? o->nb_cores - 1 : 0;

	if (r->disable_given && r->hf_given != 0)
		return fail_plain(err, errlen,
				  "--disable-rss: cannot be combined with --rss-ip, --rss-udp or "
				  "--rss-tcp");
	r->rss_hf = r->disable_given ? 0 : r->hf_given != 0 ? r->hf_given : RF_FWD_RSS_ALL;
	if (r->steering == RF_FWD_STEER_SOFTWARE && o->nb_config > 0)
		return fail_plain(err, errlen,
				  "--rss-steering=software: cannot be combined with --config: the "
				  "RX lcore polls every RX queue itself");
	if (r->steering == RF_FWD_STEER_SOFTWARE && o->nb_cores < 2)
		return fail_plain(
		    err, errlen,
		    "--rss-steering=software: needs 2 or more forwarding lcores "
		    "(--nb-cores=2 or more): the first receives and hashes, the others "
		    "forward");
	/* The command line sets every port alike: port 0's table stands for all. */
	for (unsigned i = 0; i < RF_FWD_RETA_MAX; i++) {
		unsigned q = r->reta[0][i];

		if (q == RF_FWD_RETA_UNSET)
			continue;
		if (i >= r->reta_size)
			return fail_plain(
			    err, errlen,
			    "--rss-reta: index %u in (%u,%u) is beyond the RETA of %u "
			    "entries (--rss-reta-size)",
			    i, i, q, r->reta_size);
		if (r->steering == RF_FWD_STEER_SOFTWARE && q >= workers)
			return fail_plain(
			    err, errlen,
			    "--rss-reta: worker %u in (%u,%u) is beyond the %u worker%s "
			    "(--nb-cores=%u less the RX lcore): 0..%u",
			    q, i, q, workers, workers == 1 ? "" : "s", o->nb_cores, workers - 1);
		if (r->steering == RF_FWD_STEER_DEVICE && q >= o->nb_rxq)
			return fail_plain(err, errlen,
					  "--rss-reta: queue %u in (%u,%u) is beyond the %u RX "
					  "queue%s (--rxq): 0..%u",
					  q, i, q, o->nb_rxq, o->nb_rxq == 1 ? "" : "s",
					  o->nb_rxq - 1);
		if (r->steering == RF_FWD_STEER_AUTO && q >= RF_MAX(o->nb_rxq, workers))
			return fail_plain(
			    err, errlen,
			    "--rss-reta: queue %u in (%u,%u) is beyond both the %u RX "
			    "queue%s (--rxq) and the %u worker%s of software steering",
			    q, i, q, o->nb_rxq, o->nb_rxq == 1 ? "" : "s", workers,
			    workers == 1 ? "" : "s");
	}
	return 0;
}

/* Checks between options, once all are read (their order on the line is free). */
static int check_combined(struct rf_fwd_options *o, char *err, size_t errlen)
{
	if (o->cmdline_file != NULL && !o->interactive)
		return fail_plain(err, errlen,
				  "--cmdline-file: runs shell commands, so it needs -i as well");
	if (o->nb_config > 0 && o->nb_cores_given)
		return fail_plain(err, errlen,
				  "--config: cannot be combined with --nb-cores: --config names "
				  "the forwarding lcores itself");
	int rc = check_rss(o, err, errlen);

	if (rc != 0)
		return rc;
	for (unsigned i = 0; i < o->nb_config; i++) {
		const struct rf_fwd_config_entry *e = &o->config[i];

		if (e->queue >= o->nb_rxq)
			return fail_plain(err, errlen,
					  "--config: (%u,%u,%u) names RX queue %u, but --rxq=%u "
					  "gives queues 0..%u",
					  e->port, e->queue, e->lcore, e->queue, o->nb_rxq,
					  o->nb_rxq - 1);
	}
	return 0;
}

int rf_fwd_options_parse(int argc, char **argv, struct rf_fwd_options *o, char *err, size_t errlen)
{
	set_defaults(o);
	if (o->mode == NULL)
		return fail_plain(err, errlen,
				  "--forward-mode: the default mode io is not built in");
	for (int i = 0; i < argc;) {
		int rc = parse_one(o, argc, argv, &i, err, errlen);

		if (rc != 0)
			return rc;
	}
	if (o->help)
		return 0;
	if (!o->interactive)
		o->auto_start = true;
	return check_combined(o, err, errlen);
}

static void format_lcore_list(const struct rf_eal_config *eal, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned l = 0; l < RF_MAX_LCORE && off < len; l++) {
		if (eal->lcores[l]) {
			int n = snprintf(buf + off, len - off, "%s%u", off ? "," : "", l);
			if (n < 0)
				return;
			off += (size_t)n;
		}
	}
}

int rf_fwd_options_check_lcores(const struct rf_fwd_options *o, const struct rf_eal_config *eal,
				char *err, size_t errlen)
{
	char list[256];
	unsigned workers = 0;

	format_lcore_list(eal, list, sizeof(list));
	for (unsigned l = 0; l < RF_MAX_LCORE; l++)
		workers += eal->lcores[l] && l != eal->main_lcore;
	if (workers == 0)
		return fail_plain(err, errlen,
				  "-l: lcores %s leave no forwarding lcore (lcore %u is the main "
				  "lcore, which does not forward); list two or more, e.g. -l 0,1",
				  list, eal->main_lcore);
	if (o->nb_config == 0 && o->nb_cores > workers)
		return fail_plain(
		    err, errlen,
		    "--nb-cores: %u forwarding lcores asked, but -l %s with main lcore "
		    "%u leaves %u",
		    o->nb_cores, list, eal->main_lcore, workers);
	for (unsigned i = 0; i < o->nb_config; i++) {
		const struct rf_fwd_config_entry *e = &o->config[i];

		if (!eal->lcores[e->lcore])
			return fail_plain(err, errlen,
					  "--config: lcore %u in (%u,%u,%u) is not in the lcore "
					  "list (-l %s)",
					  e->lcore, e->port, e->queue, e->lcore, list);
		if (e->lcore == eal->main_lcore)
			return fail_plain(
			    err, errlen,
			    "--config: lcore %u in (%u,%u,%u) is the main lcore, which "
			    "does not forward; pick another from -l %s",
			    e->lcore, e->port, e->queue, e->lcore, list);
	}
	return 0;
}

/* Text from column 31 on, wrapped at word boundaries before column 100. */
static void print_wrapped(FILE *out, const char *text)
{
	const int indent = 31, width = 100;
	int col = indent;

	while (*text != '\0') {
		int word = (int)strcspn(text, " ");

		if (col > indent && col + 1 + word > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", word, text);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void rf_fwd_options_usage(FILE *out)
{
	char opt[64], help[256];

	fprintf(
	    out,
	    "Usage: ringfwd [EAL options] -- [options]\n"
	    "   or: ringfwd --help | --version\n\n"
	    "Forwards packets between the ports given with --vdev, one pinned thread per\n"
	    "forwarding lcore, testpmd-style. Stops on SIGINT/SIGTERM and prints the totals.\n\n");
	rf_eal_usage(out);
	fprintf(out, "\nOptions (after --):\n");
	for (size_t i = 0; i < RF_DIM(opt_defs); i++) {
		const struct opt_def *d = &opt_defs[i];
		const char *sep = d->arg == ARG_REQUIRED ? "=" : "";
		const char *value = d->value != NULL ? d->value : "";

		if (d->short_name != 0)
			snprintf(opt, sizeof(opt), "-%c, --%s%s%s", d->short_name, d->name, sep,
				 value);
		else
			snprintf(opt, sizeof(opt), "    --%s%s%s", d->name, sep, value);
		if (strlen(opt) > 28)
			fprintf(out, "  %s\n%31s", opt, "");
		else
			fprintf(out, "  %-28s ", opt);
		if (d->defval != NULL)
			snprintf(help, sizeof(help), "%s (default: %s)", d->help, d->defval);
		else
			snprintf(help, sizeof(help), "%s", d->help);
		print_wrapped(out, help);
	}
	fprintf(out, "\nForwarding modes (--forward-mode):\n");
	for (size_t i = 0; rf_fwd_modes[i] != NULL; i++) {
		fprintf(out, "  %-28s ", rf_fwd_modes[i]->name);
		print_wrapped(out, rf_fwd_modes[i]->help);
	}
	fprintf(out,
		"\nExit status: 0 after a clean stop (SIGINT or SIGTERM), 2 for a bad option or\n"
		"value, 1 when start-up fails.\n");
}
