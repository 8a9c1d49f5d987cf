/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd -i: the command table, the shared argument parser, the handlers and
 * the line reader (libedit on a terminal, plain lines otherwise).
 *
 * A command name may hold a port in the middle, as testpmd's "port config 0
 * rss reta ...": the name word "%p" matches a port id or "all", "%P" a port
 * id. The words they matched are parsed as the command's first arguments.
 *
 * SIGINT and SIGTERM stay blocked, as main() left them: Ctrl-C at the prompt
 * neither kills the process nor stops forwarding (testpmd ignores it there
 * too). Whatever arrived is discarded before returning, so that main's
 * unblocking does not kill us on the way out.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <editline/readline.h>

#include "engine.h"
#include "rf_telemetry.h"
#include "shell.h"
#include "stats.h"
#include "steer.h"

#define MAX_WORDS    16
#define MAX_ARGS     3
#define LINE_MAX_LEN 1024

enum arg_kind {
	A_NONE,
	A_PORT,	    /* a port id that exists */
	A_PORT_ALL, /* a port id, or "all" */
	A_UINT,	    /* min..max */
	A_MODE,	    /* a forwarding mode name */
	A_MAC,	    /* xx:xx:xx:xx:xx:xx */
	A_LIST,	    /* n[,n...], each min..max */
	A_ONOFF,    /* on | off */
	A_WORD,	    /* any word (devargs, a command name) */
	A_CHOICE,   /* one of the words in name, "a|b|c" */
	A_RETA,	    /* (idx,queue)[,(idx,queue)...] */
	A_KEY,	    /* a 40-byte Toeplitz key in hex */
};

struct arg_spec {
	enum arg_kind kind;
	const char *name;
	uint32_t min, max;
	bool optional;
};

struct arg_val {
	bool given;
	bool all;
	uint32_t u;
	const struct rf_fwd_mode *mode;
	struct rf_ether_addr mac;
	uint16_t list[RF_FWD_MAX_TXPKTS_SEGS];
	unsigned nb_list;
	const char *word;
	uint16_t reta_idx[RF_FWD_RETA_MAX], reta_q[RF_FWD_RETA_MAX];
	unsigned nb_reta;
	uint8_t key[RF_FWD_RSS_KEY_LEN];
};

struct shell {
	struct rf_fwd_engine *e;
	struct rf_fwd_options opt; /* the engine's options, as the shell changes them */
	bool quit;
	struct rf_eth_stats last[RF_MAX_ETHPORTS]; /* for the rates in show port stats */
	uint64_t last_ns[RF_MAX_ETHPORTS];
};

/* Handler flags: what must hold for the command to run. */
#define F_STOPPED	1u /* forwarding stopped */
#define F_PORTS_STOPPED 2u /* every port stopped (testpmd's rule for port config) */
#define F_FWD_STOPPED	4u /* forwarding stopped, said in testpmd's words */

struct cmd {
	const char *name;
	struct arg_spec args[MAX_ARGS];
	const char *help;
	int (*fn)(struct shell *sh, struct arg_val *a);
	unsigned flags;
};

static const struct cmd cmds[];
static const unsigned nb_cmds;

static void RF_PRINTF(3, 4) say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- words and the command table ---------------------------------------- */

/* Split line into words (in buf); returns the count, or -1 with too many. */
static int tokenize(const char *line, char *buf, size_t buflen, char **words)
{
	int n = 0;

	snprintf(buf, buflen, "%s", line);
	for (char *p = buf;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (n == MAX_WORDS)
			return -1;
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

/* A name word that stands for a port: 'p' (a port or "all"), 'P' (a port), or 0. */
static char placeholder(const char *p, size_t len)
{
	return len == 2 && p[0] == '%' && (p[1] == 'p' || p[1] == 'P') ? p[1] : 0;
}

/* Does w spell the name word p[0..len)? A placeholder takes anything a port could be. */
static bool word_match(const char *p, size_t len, const char *w)
{
	char ph = placeholder(p, len);

	if (ph != 0)
		return (ph == 'p' && strcmp(w, "all") == 0) || (w[0] >= '0' && w[0] <= '9');
	return strlen(w) == len && strncmp(p, w, len) == 0;
}

/* A name word as help shows it. */
static void word_show(const char *p, size_t len, char *buf, size_t buflen)
{
	char ph = placeholder(p, len);

	if (ph != 0)
		snprintf(buf, buflen, "%s", ph == 'p' ? "all|<port>" : "<port>");
	else
		snprintf(buf, buflen, "%.*s", (int)len, p);
}

/* How many of words[] spell the start of name, or 0 if they diverge. *full: all of name. */
static unsigned name_match(const char *name, char **words, unsigned n, bool *full)
{
	const char *p = name;
	unsigned k = 0;

	*full = false;
	while (k < n) {
		size_t len = strcspn(p, " ");

		if (!word_match(p, len, words[k]))
			return k;
		k++;
		p += len;
		if (*p == '\0') {
			*full = true;
			return k;
		}
		p++;
	}
	return k;
}

static unsigned name_words(const char *name)
{
	unsigned n = 1;

	for (; *name; name++)
		n += *name == ' ';
	return n;
}

static void arg_usage(const struct arg_spec *s, char *buf, size_t len)
{
	const char *o = s->optional ? "[" : "", *c = s->optional ? "]" : "";

	switch (s->kind) {
	case A_PORT:
		snprintf(buf, len, "%s<port>%s", o, c);
		break;
	case A_PORT_ALL:
		snprintf(buf, len, "%sall|<port>%s", o, c);
		break;
	case A_UINT:
		snprintf(buf, len, "%s<%s: %" PRIu32 "..%" PRIu32 ">%s", o, s->name, s->min, s->max,
			 c);
		break;
	case A_MODE:
		snprintf(buf, len, "%s<mode>%s", o, c);
		break;
	case A_MAC:
		snprintf(buf, len, "%s<mac: xx:xx:xx:xx:xx:xx>%s", o, c);
		break;
	case A_LIST:
		snprintf(buf, len, "%s<%s[,%s...]: each %" PRIu32 "..%" PRIu32 ">%s", o, s->name,
			 s->name, s->min, s->max, c);
		break;
	case A_ONOFF:
		snprintf(buf, len, "%son|off%s", o, c);
		break;
	case A_WORD:
		snprintf(buf, len, "%s<%s>%s", o, s->name, c);
		break;
	case A_CHOICE:
		snprintf(buf, len, "%s%s%s", o, s->name, c);
		break;
	case A_RETA:
		snprintf(buf, len, "%s(idx,queue)[,(idx,queue)...]%s", o, c);
		break;
	case A_KEY:
		snprintf(buf, len, "%s<key: %u hex digits>%s", o, 2 * RF_FWD_RSS_KEY_LEN, c);
		break;
	case A_NONE:
		buf[0] = '\0';
		break;
	}
}

/* The name with its placeholders shown as help shows them. */
static void name_show(const char *name, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const char *p = name; off < len;) {
		size_t n = strcspn(p, " ");
		char w[32];

		word_show(p, n, w, sizeof(w));
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", w);
		p += n;
		if (*p == '\0')
			break;
		p++;
	}
}

/* "name arg arg" as the table spells it. */
static void cmd_usage(const struct cmd *c, char *buf, size_t len)
{
	name_show(c->name, buf, len);
	size_t off = strlen(buf);

	for (unsigned i = 0; i < MAX_ARGS && c->args[i].kind != A_NONE && off < len; i++) {
		char a[96];

		arg_usage(&c->args[i], a, sizeof(a));
		off += (size_t)snprintf(buf + off, len - off, " %s", a);
	}
}

static unsigned cmd_nargs(const struct cmd *c, unsigned *required)
{
	unsigned n = 0, r = 0;

	for (; n < MAX_ARGS && c->args[n].kind != A_NONE; n++)
		r += !c->args[n].optional;
	*required = r;
	return n;
}

/* ---- the shared argument parser ----------------------------------------- */

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void port_list(const struct rf_fwd_engine *e, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; e != NULL && i < e->nb_ports && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : "",
					e->ports[i].port_id);
	if (off == 0)
		snprintf(buf, len, "none");
}

static int parse_arg(const struct rf_fwd_engine *e, const char *cmd, const struct arg_spec *s,
		     const char *w, struct arg_val *v, char *err, size_t errlen)
{
	char want[96], ports[128];

	arg_usage(s, want, sizeof(want));
	v->given = true;
	switch (s->kind) {
	case A_PORT_ALL:
		if (strcmp(w, "all") == 0) {
			v->all = true;
			return 0;
		}
		/* fall through */
	case A_PORT:
		if (parse_u32(w, &v->u) != 0) {
			say(err, errlen, "%s: '%s' is not a port id; expected %s", cmd, w, want);
			return -EINVAL;
		}
		if (v->u >= RF_MAX_ETHPORTS ||
		    (e != NULL && rf_fwd_engine_port_index(e, (uint16_t)v->u) < 0)) {
			port_list(e, ports, sizeof(ports));
			say(err, errlen, "%s: port %s out of range; expected %s, ports are: %s",
			    cmd, w, want, e != NULL ? ports : "0..");
			return -EINVAL;
		}
		return 0;
	case A_UINT:
		if (parse_u32(w, &v->u) != 0 || v->u < s->min || v->u > s->max) {
			say(err, errlen, "%s: bad %s '%s'; expected a number %" PRIu32 "..%" PRIu32,
			    cmd, s->name, w, s->min, s->max);
			return -EINVAL;
		}
		return 0;
	case A_MODE:
		v->mode = rf_fwd_mode_find(w);
		if (v->mode == NULL) {
			char modes[256];

			rf_fwd_mode_list(modes, sizeof(modes));
			say(err, errlen, "%s: unknown mode '%s'; expected one of: %s", cmd, w,
			    modes);
			return -EINVAL;
		}
		return 0;
	case A_MAC:
		if (rf_ether_addr_parse(w, &v->mac) != 0) {
			say(err, errlen, "%s: '%s' is not a MAC address; expected %s", cmd, w,
			    want);
			return -EINVAL;
		}
		return 0;
	case A_LIST: {
		const char *p = w;

		v->nb_list = 0;
		for (;;) {
			char num[16];
			size_t n = strcspn(p, ",");
			uint32_t x;

			if (n == 0 || n >= sizeof(num) || v->nb_list == RF_DIM(v->list)) {
				say(err, errlen,
				    "%s: bad list '%s'; expected %s, at most %zu values", cmd, w,
				    want, RF_DIM(v->list));
				return -EINVAL;
			}
			memcpy(num, p, n);
			num[n] = '\0';
			if (parse_u32(num, &x) != 0 || x < s->min || x > s->max) {
				say(err, errlen, "%s: bad %s '%s' in '%s'; expected %s", cmd,
				    s->name, num, w, want);
				return -EINVAL;
			}
			v->list[v->nb_list++] = (uint16_t)x;
			p += n;
			if (*p == '\0')
				return 0;
			p++;
		}
	}
	case A_ONOFF:
		if (strcmp(w, "on") != 0 && strcmp(w, "off") != 0) {
			say(err, errlen, "%s: '%s' is neither on nor off; expected on|off", cmd, w);
			return -EINVAL;
		}
		v->u = strcmp(w, "on") == 0;
		return 0;
	case A_WORD:
		v->word = w;
		return 0;
	case A_CHOICE:
		for (const char *p = s->name;;) {
			size_t n = strcspn(p, "|");

			if (strlen(w) == n && strncmp(p, w, n) == 0) {
				v->word = w;
				return 0;
			}
			if (p[n] == '\0')
				break;
			p += n + 1;
		}
		say(err, errlen, "%s: unknown word '%s'; expected %s", cmd, w, s->name);
		return -EINVAL;
	case A_RETA: {
		char why[256];

		if (rf_fwd_rss_reta_parse(w, v->reta_idx, v->reta_q, RF_FWD_RETA_MAX, &v->nb_reta,
					  why, sizeof(why)) != 0) {
			say(err, errlen, "%s: %s", cmd, why);
			return -EINVAL;
		}
		return 0;
	}
	case A_KEY: {
		char why[256];

		if (rf_fwd_rss_key_parse(w, v->key, why, sizeof(why)) != 0) {
			say(err, errlen, "%s: %s", cmd, why);
			return -EINVAL;
		}
		return 0;
	}
	case A_NONE:
		break;
	}
	return -EINVAL;
}

/* The placeholders' words of the chosen command: its first arguments. */
static int parse_placeholders(const struct rf_fwd_engine *e, const struct cmd *c, char **words,
			      struct arg_val *a, unsigned *np, char *err, size_t errlen)
{
	const char *p = c->name;
	char shown[128];

	name_show(c->name, shown, sizeof(shown));
	*np = 0;
	for (unsigned k = 0;; k++) {
		size_t len = strcspn(p, " ");
		char ph = placeholder(p, len);

		if (ph != 0) {
			struct arg_spec spec = {ph == 'p' ? A_PORT_ALL : A_PORT, "port", 0, 0,
						false};

			if (parse_arg(e, shown, &spec, words[k], &a[(*np)++], err, errlen) != 0)
				return -EINVAL;
		}
		p += len;
		if (*p == '\0')
			return 0;
		p++;
	}
}

/* The command words[0..n) name and its parsed arguments in a[]. Index, -1 (empty) or -EINVAL. */
static int parse_words(const struct rf_fwd_engine *e, char **words, unsigned n, struct arg_val *a,
		       char *err, size_t errlen)
{
	int best = -1;
	unsigned best_k = 0, partial_k = 0;

	if (n == 0)
		return -1;
	for (unsigned i = 0; i < nb_cmds; i++) {
		bool full;
		unsigned k = name_match(cmds[i].name, words, n, &full);

		if (full && k > best_k) {
			best = (int)i;
			best_k = k;
		} else if (!full && k > partial_k) {
			partial_k = k;
		}
	}
	if (best < 0) {
		/* Words that start commands without finishing any: say what may come next. */
		char next[512] = "", typed[256] = "";
		size_t off = 0, t = 0;

		if (partial_k == 0) {
			say(err, errlen,
			    "unknown command '%s'; type 'help' for the list of commands", words[0]);
			return -EINVAL;
		}
		for (unsigned i = 0; i < nb_cmds; i++) {
			bool full;
			char w[64];

			if (name_match(cmds[i].name, words, partial_k, &full) != partial_k || full)
				continue;
			const char *p = cmds[i].name;
			char shown[32];

			for (unsigned k = 0; k < partial_k; k++)
				p += strcspn(p, " ") + 1;
			word_show(p, strcspn(p, " "), shown, sizeof(shown));
			snprintf(w, sizeof(w), " %s,", shown);
			if (strstr(next, w) == NULL && off < sizeof(next))
				off += (size_t)snprintf(next + off, sizeof(next) - off, "%s", w);
		}
		if (off > 0)
			next[off - 1] = '\0'; /* the last comma */
		for (unsigned k = 0; k < partial_k && t < sizeof(typed); k++)
			t += (size_t)snprintf(typed + t, sizeof(typed) - t, "%s%s", k ? " " : "",
					      words[k]);
		if (partial_k < n)
			say(err, errlen, "%s: unknown word '%s'; expected one of:%s", typed,
			    words[partial_k], next);
		else
			say(err, errlen, "%s: incomplete command; expected one of:%s", typed, next);
		return -EINVAL;
	}

	const struct cmd *c = &cmds[best];
	unsigned required, nargs = cmd_nargs(c, &required), given = n - best_k, np;
	char usage[256], name[128];

	cmd_usage(c, usage, sizeof(usage));
	name_show(c->name, name, sizeof(name));
	if (given < required) {
		char want[96];

		arg_usage(&c->args[given], want, sizeof(want));
		say(err, errlen, "%s: missing argument %s; usage: %s", name, want, usage);
		return -EINVAL;
	}
	if (given > nargs) {
		say(err, errlen, "%s: unexpected argument '%s'; usage: %s", name,
		    words[best_k + nargs], usage);
		return -EINVAL;
	}
	memset(a, 0, sizeof(*a) * MAX_ARGS);
	if (parse_placeholders(e, c, words, a, &np, err, errlen) != 0)
		return -EINVAL;
	for (unsigned i = 0; i < given; i++)
		if (parse_arg(e, name, &c->args[i], words[best_k + i], &a[np + i], err, errlen) !=
		    0)
			return -EINVAL;
	return best;
}

int rf_fwd_shell_parse(const struct rf_fwd_engine *e, const char *line, char *err, size_t errlen)
{
	char buf[LINE_MAX_LEN], *words[MAX_WORDS];
	struct arg_val a[MAX_ARGS];
	int n = tokenize(line, buf, sizeof(buf), words);

	if (n < 0) {
		say(err, errlen, "too many words (more than %d); type 'help' for the commands",
		    MAX_WORDS);
		return -EINVAL;
	}
	return parse_words(e, words, (unsigned)n, a, err, errlen);
}

/* ---- handlers ------------------------------------------------------------ */

static void port_of(struct shell *sh, const struct arg_val *a, unsigned *first, unsigned *last)
{
	if (a->all) {
		*first = 0;
		*last = sh->e->nb_ports;
	} else {
		*first = (unsigned)rf_fwd_engine_port_index(sh->e, (uint16_t)a->u);
		*last = *first + 1;
	}
}

/* Apply sh->opt to the engine; on refusal put back what was there and say why. */
static int replan(struct shell *sh, const struct rf_fwd_options *before)
{
	char err[512];
	int rc = rf_fwd_engine_replan(sh->e, &sh->opt, err, sizeof(err));

	if (rc == 0)
		return 0;
	printf("%s\n", err);
	if (before != NULL) {
		sh->opt = *before;
		if (rf_fwd_engine_replan(sh->e, &sh->opt, err, sizeof(err)) != 0)
			printf("%s\n", err);
	}
	return rc;
}

static int c_help(struct shell *sh, struct arg_val *a);

static int c_quit(struct shell *sh, struct arg_val *a)
{
	(void)a;
	sh->quit = true;
	return 0;
}

static int start_fwd(struct shell *sh, unsigned tx_first)
{
	char err[512];

	if (sh->e->nb_streams == 0) {
		printf("start: no streams to forward: attach a port ('port attach <devargs>') or "
		       "fix the configuration\n");
		return -EINVAL;
	}
	for (unsigned i = 0; i < sh->e->nb_ports; i++)
		if (!sh->e->ports[i].started) {
			printf("start: port %u is stopped; run 'port start %u' or 'port start all' "
			       "first\n",
			       sh->e->ports[i].port_id, sh->e->ports[i].port_id);
			return -EINVAL;
		}
	rf_fwd_engine_reset_counters(sh->e);
	sh->e->tx_first = tx_first;
	int rc = rf_fwd_engine_start(sh->e, err, sizeof(err));
	if (rc != 0)
		printf("start: %s\n", err);
	return rc;
}

static int c_start(struct shell *sh, struct arg_val *a)
{
	(void)a;
	return start_fwd(sh, 0);
}

static int c_start_tx_first(struct shell *sh, struct arg_val *a)
{
	return start_fwd(sh, a[0].given ? a[0].u : 1);
}

/* testpmd's stop: the accumulated forwarding statistics, per port and in total. */
static void print_fwd_stats(struct shell *sh)
{
	struct rf_fwd_snapshot s;

	if (rf_fwd_snapshot_init(&s, sh->e) != 0) {
		printf("out of memory for the statistics\n");
		return;
	}
	rf_fwd_snapshot_take(&s, sh->e);
	for (unsigned i = 0; i < sh->e->nb_ports; i++) {
		const struct rf_fwd_counts *c = &s.ports[i].sw;

		printf("  ---------------------- Forward statistics for port %-2u "
		       "----------------------\n",
		       sh->e->ports[i].port_id);
		printf("  RX-packets: %-14" PRIu64 " RX-dropped: %-14" PRIu64 " RX-total: %" PRIu64
		       "\n",
		       c->rx_packets, s.ports[i].hw_valid ? s.ports[i].hw.imissed : 0,
		       c->rx_packets + (s.ports[i].hw_valid ? s.ports[i].hw.imissed : 0));
		printf("  TX-packets: %-14" PRIu64 " TX-dropped: %-14" PRIu64 " TX-total: %" PRIu64
		       "\n",
		       c->tx_packets, c->dropped, c->tx_packets + c->dropped);
	}
	printf("  ---------------------- Forward statistics per lcore (RSS steering: %s) "
	       "----------------------\n",
	       sh->e->steering == RF_FWD_STEER_SOFTWARE ? "software" : "device");
	rf_fwd_stats_print_lcores(stdout, sh->e, &s, "  ");
	printf("  +++++++++++++++ Accumulated forward statistics for all ports "
	       "+++++++++++++++\n");
	printf("  RX-packets: %-14" PRIu64 " TX-packets: %-14" PRIu64 " TX-dropped: %" PRIu64 "\n",
	       s.total.rx_packets, s.total.tx_packets, s.total.dropped);
	printf("  ++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++\n");
	rf_fwd_snapshot_fini(&s);
}

static int c_stop(struct shell *sh, struct arg_val *a)
{
	(void)a;
	if (!sh->e->running) {
		printf("stop: forwarding is not running\n");
		return -EINVAL;
	}
	printf("Telling cores to stop...\nWaiting for lcores to finish...\n");
	rf_fwd_engine_stop(sh->e);
	print_fwd_stats(sh);
	printf("Done.\n");
	return 0;
}

static int c_show_fwd_stats(struct shell *sh, struct arg_val *a)
{
	(void)a;
	print_fwd_stats(sh);
	return 0;
}

static int c_show_port_info(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		const struct rf_fwd_port *p = &sh->e->ports[i];
		struct rf_eth_link link = {0};
		char mac[24];

		rf_ether_addr_format(mac, sizeof(mac), &p->mac);
		rf_eth_link_get_nowait(p->port_id, &link);
		int promisc = rf_eth_promiscuous_get(p->port_id);
		printf("********************* Infos for port %-2u *********************\n",
		       p->port_id);
		printf("MAC address: %s%s\nDevice name: %s\nDriver name: %s\n", mac,
		       p->info.mac_random ? " (random: no mac= given)" : "", p->name,
		       p->info.driver_name);
		printf("Port state: %s\nLink status: %s\nLink speed: %u Mbps\n",
		       p->started ? "started" : "stopped",
		       link.status == RF_ETH_LINK_UP ? "up" : "down", link.speed_mbps);
		printf("Promiscuous mode: %s\n", promisc == 1	? "enabled"
						 : promisc == 0 ? "disabled"
								: "not supported");
		printf("RX queues: %u (max %u), %u descriptors (%u..%u)\n", sh->opt.nb_rxq,
		       p->info.max_rx_queues, p->nb_rxd, p->info.min_rx_desc, p->info.max_rx_desc);
		printf("TX queues: %u (max %u), %u descriptors (%u..%u)\n", p->nb_txq,
		       p->info.max_tx_queues, p->nb_txd, p->info.min_tx_desc, p->info.max_tx_desc);
	}
	return 0;
}

/* The device's per-queue counters, so the RSS spread shows (testpmd's stats-map lines). */
static void print_queue_stats(const struct shell *sh, unsigned pi, const struct rf_eth_stats *st)
{
	unsigned n = RF_MIN(RF_MAX((unsigned)sh->opt.nb_rxq, (unsigned)sh->e->ports[pi].nb_txq),
			    (unsigned)RF_MAX_QUEUES_PER_PORT);

	for (unsigned q = 0; q < n; q++)
		printf("  Stats reg %2u RX-packets: %-10" PRIu64 " RX-bytes: %-12" PRIu64
		       " TX-packets: %-10" PRIu64 " TX-bytes: %" PRIu64 "\n",
		       q, st->q_ipackets[q], st->q_ibytes[q], st->q_opackets[q], st->q_obytes[q]);
}

static int c_show_port_stats(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		uint16_t pid = sh->e->ports[i].port_id;
		struct rf_eth_stats st;
		uint64_t now = rf_time_mono_ns();

		if (rf_eth_stats_get(pid, &st) != 0) {
			printf("port %u: no statistics\n", pid);
			continue;
		}
		double dt = sh->last_ns[pid] != 0 ? (double)(now - sh->last_ns[pid]) / 1e9 : 0;
		double rx_pps = 0, tx_pps = 0;
		if (dt > 0 && st.ipackets >= sh->last[pid].ipackets &&
		    st.opackets >= sh->last[pid].opackets) {
			rx_pps = (double)(st.ipackets - sh->last[pid].ipackets) / dt;
			tx_pps = (double)(st.opackets - sh->last[pid].opackets) / dt;
		}
		sh->last[pid] = st;
		sh->last_ns[pid] = now;
		printf("  ######################## NIC statistics for port %-2u "
		       "########################\n",
		       pid);
		printf("  RX-packets: %-10" PRIu64 " RX-missed: %-10" PRIu64 " RX-bytes:  %" PRIu64
		       "\n",
		       st.ipackets, st.imissed, st.ibytes);
		printf("  RX-errors: %" PRIu64 "\n  RX-nombuf:  %-10" PRIu64 "\n", st.ierrors,
		       st.rx_nombuf);
		printf("  TX-packets: %-10" PRIu64 " TX-errors: %-10" PRIu64 " TX-bytes:  %" PRIu64
		       "\n",
		       st.opackets, st.oerrors, st.obytes);
		printf("  Rx-pps: %12.0f\n  Tx-pps: %12.0f\n", rx_pps, tx_pps);
		print_queue_stats(sh, i, &st);
		printf("  ####################################################################"
		       "########\n");
	}
	return 0;
}

static int c_show_port_xstats(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		uint16_t pid = sh->e->ports[i].port_id;
		int n = rf_eth_xstats_get(pid, NULL, 0);

		printf("###### NIC extended statistics for port %-2u\n", pid);
		if (n <= 0)
			continue;
		struct rf_eth_xstat *x = calloc((size_t)n, sizeof(*x));
		if (x == NULL)
			return -ENOMEM;
		int got = rf_eth_xstats_get(pid, x, (unsigned)n);
		for (int k = 0; k < got && k < n; k++)
			printf("%s: %" PRIu64 "\n", x[k].name, x[k].value);
		free(x);
	}
	return 0;
}

static int c_clear_port_stats(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		uint16_t pid = sh->e->ports[i].port_id;

		rf_eth_stats_reset(pid);
		sh->last_ns[pid] = 0;
		printf("  NIC statistics for port %u cleared\n", pid);
	}
	return 0;
}

static int c_show_config_fwd(struct shell *sh, struct arg_val *a)
{
	const struct rf_fwd_engine *e = sh->e;

	(void)a;
	printf("%s packet forwarding - ports=%u - cores=%u - streams=%u - burst=%u\n",
	       e->mode->name, e->nb_ports, e->nb_lcores, e->nb_streams, e->cfg.burst);
	rf_fwd_steer_print(e, stdout, "");
	for (unsigned i = 0; i < e->nb_lcores; i++)
		for (unsigned s = 0; s < e->lcores[i].nb_streams; s++) {
			const struct rf_fwd_stream_slot *slot = e->lcores[i].streams[s];
			const struct rf_fwd_stream *fs = &slot->fs;

			if (slot->ring != NULL)
				printf("Logical Core %u (stream %u): RX P=%u/ring of worker %u -> "
				       "TX P=%u/Q=%u\n",
				       e->lcores[i].lcore_id, s, fs->rx_port, slot->ring_worker,
				       fs->tx_port, fs->tx_queue);
			else
				printf(
				    "Logical Core %u (stream %u): RX P=%u/Q=%u -> TX P=%u/Q=%u\n",
				    e->lcores[i].lcore_id, s, fs->rx_port, fs->rx_queue,
				    fs->tx_port, fs->tx_queue);
		}
	return 0;
}

static int c_show_config_cores(struct shell *sh, struct arg_val *a)
{
	const struct rf_fwd_engine *e = sh->e;

	(void)a;
	printf("List of forwarding lcores:");
	for (unsigned i = 0; i < e->nb_lcores; i++)
		printf(" %u", e->lcores[i].lcore_id);
	printf("\nnbcore=%u, main lcore %u\n", sh->opt.nb_cores, e->eal->main_lcore);
	return 0;
}

static int c_show_config_rxtx(struct shell *sh, struct arg_val *a)
{
	const struct rf_fwd_options *o = &sh->opt;

	(void)a;
	printf("%s packet forwarding, burst=%u, nb forwarding cores=%u\n", o->mode->name,
	       o->cfg.burst, o->nb_cores);
	printf("  RX queues=%u - RX desc=%u; TX queues=%u - TX desc=%u (0 = the driver's "
	       "largest)\n",
	       o->nb_rxq, o->nb_rxd, o->nb_txq, o->nb_txd);
	printf("  txpkts=");
	for (unsigned i = 0; i < o->cfg.nb_txpkts; i++)
		printf("%s%u", i ? "," : "", o->cfg.txpkts[i]);
	printf("; stats-period=%u s\n", o->stats_period);
	return 0;
}

static int c_show_mempool(struct shell *sh, struct arg_val *a)
{
	(void)a;
	for (unsigned s = 0; s < RF_FWD_MAX_SOCKETS; s++) {
		const struct rf_mempool *mp = sh->e->pools[s];

		if (mp == NULL)
			continue;
		unsigned avail = rf_mempool_avail_count(mp), used = rf_mempool_in_use_count(mp);
		printf("mempool %s: socket %d, size %u, available %u, in use %u, cache size %u\n",
		       mp->name, mp->socket, mp->size, avail, used, mp->cache_size);
		for (unsigned l = 0; l < RF_MAX_LCORE; l++)
			if (sh->e->eal->lcores[l])
				printf("  lcore %u cache: %u\n", l, mp->local_cache[l].len);
	}
	return 0;
}

static int c_set_fwd(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;

	sh->opt.mode = a[0].mode;
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("Set %s packet forwarding mode\n", a[0].mode->name);
	return 0;
}

static int c_set_nbcore(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;

	if (sh->opt.nb_config != 0) {
		printf("set nbcore: --config names the lcores; not with set nbcore\n");
		return -EINVAL;
	}
	sh->opt.nb_cores = a[0].u;
	sh->opt.nb_cores_given = true;
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("Number of forwarding cores set to %u\n", a[0].u);
	return 0;
}

static int c_set_burst(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;

	sh->opt.cfg.burst = (uint16_t)a[0].u;
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("Number of packets per burst set to %u\n", a[0].u);
	return 0;
}

static int c_set_txpkts(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;
	unsigned total = 0;

	for (unsigned i = 0; i < a[0].nb_list; i++)
		total += a[0].list[i];
	/* Ethernet + IPv4 + UDP headers, as --txpkts requires. */
	if (total < 42) {
		printf("set txpkts: %u bytes in all is fewer than the 42 of the Ethernet, IPv4 and "
		       "UDP headers; expected a larger total\n",
		       total);
		return -EINVAL;
	}
	memcpy(sh->opt.cfg.txpkts, a[0].list, a[0].nb_list * sizeof(a[0].list[0]));
	sh->opt.cfg.nb_txpkts = (uint16_t)a[0].nb_list;
	return replan(sh, &before) != 0 ? -EINVAL : 0;
}

static int c_set_promisc(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		uint16_t pid = sh->e->ports[i].port_id;
		int rc = a[1].u ? rf_eth_promiscuous_enable(pid) : rf_eth_promiscuous_disable(pid);

		if (rc != 0)
			printf("set promisc: port %u: %s\n", pid, strerror(-rc));
	}
	return 0;
}

static int c_set_eth_peer(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;

	sh->opt.cfg.eth_peer[a[0].u] = a[1].mac;
	sh->opt.eth_peer_given[a[0].u] = true;
	return replan(sh, &before) != 0 ? -EINVAL : 0;
}

static int c_set_stats_period(struct shell *sh, struct arg_val *a)
{
	sh->opt.stats_period = a[0].u;
	return 0;
}

static int c_port_start(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;
	char err[512];
	int rc = 0;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		if (rf_fwd_engine_port_start(sh->e, i, err, sizeof(err)) != 0) {
			printf("port start: %s\n", err);
			rc = -EIO;
		} else {
			printf("Port %u: started\n", sh->e->ports[i].port_id);
		}
	}
	return rc;
}

static int c_port_stop(struct shell *sh, struct arg_val *a)
{
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++) {
		int rc = rf_fwd_engine_port_stop(sh->e, i);

		if (rc != 0)
			printf("port stop: port %u: %s\n", sh->e->ports[i].port_id, strerror(-rc));
		else
			printf("Port %u: stopped\n", sh->e->ports[i].port_id);
	}
	return 0;
}

/* Close ports [first, last) by id, then plan over what remains. */
static int close_ports(struct shell *sh, uint16_t *ids, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		int pi = rf_fwd_engine_port_index(sh->e, ids[k]);

		if (pi >= 0)
			rf_fwd_engine_port_close(sh->e, (unsigned)pi);
		printf("Port %u is closed\n", ids[k]);
	}
	replan(sh, NULL);
	return 0;
}

static int c_port_close(struct shell *sh, struct arg_val *a)
{
	uint16_t ids[RF_MAX_ETHPORTS];
	unsigned first, last, n = 0;

	port_of(sh, &a[0], &first, &last);
	for (unsigned i = first; i < last; i++)
		ids[n++] = sh->e->ports[i].port_id;
	return close_ports(sh, ids, n);
}

static int c_port_detach(struct shell *sh, struct arg_val *a)
{
	uint16_t id = (uint16_t)a[0].u;

	return close_ports(sh, &id, 1);
}

static int c_port_attach(struct shell *sh, struct arg_val *a)
{
	char err[512];
	uint16_t pid;
	int rc = rf_eth_dev_create(a[0].word, &pid, err, sizeof(err));

	if (rc != 0) {
		printf("port attach: %s\n", err);
		return rc;
	}
	if (replan(sh, NULL) != 0) {
		int pi = rf_fwd_engine_port_index(sh->e, pid);

		if (pi >= 0)
			rf_fwd_engine_port_close(sh->e, (unsigned)pi);
		else
			rf_eth_dev_close(pid);
		replan(sh, NULL);
		return -EINVAL;
	}
	rc = rf_fwd_engine_port_start(sh->e, (unsigned)rf_fwd_engine_port_index(sh->e, pid), err,
				      sizeof(err));
	if (rc != 0) {
		printf("port attach: %s\n", err);
		return rc;
	}
	printf("Port %u is attached (%s). Now total ports is %u\n", pid, rf_eth_dev_name(pid),
	       sh->e->nb_ports);
	return 0;
}

static int port_config(struct shell *sh, uint16_t *field, uint32_t v)
{
	struct rf_fwd_options before = sh->opt;

	*field = (uint16_t)v;
	return replan(sh, &before) != 0 ? -EINVAL : 0;
}

static int c_cfg_rxq(struct shell *sh, struct arg_val *a)
{
	return port_config(sh, &sh->opt.nb_rxq, a[0].u);
}
static int c_cfg_txq(struct shell *sh, struct arg_val *a)
{
	return port_config(sh, &sh->opt.nb_txq, a[0].u);
}
static int c_cfg_rxd(struct shell *sh, struct arg_val *a)
{
	return port_config(sh, &sh->opt.nb_rxd, a[0].u);
}
static int c_cfg_txd(struct shell *sh, struct arg_val *a)
{
	return port_config(sh, &sh->opt.nb_txd, a[0].u);
}

/* ---- RSS: settings apply at the next start ------------------------------------ */

static const char *const rss_words[] = {"ip", "udp", "tcp", "all", "none"};
static const uint64_t rss_word_hf[] = {RF_FWD_RSS_IP, RF_ETH_RSS_UDP, RF_ETH_RSS_TCP,
				       RF_FWD_RSS_ALL, 0};

static int c_cfg_rss(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;
	char hf[32];

	for (size_t i = 0; i < RF_DIM(rss_words); i++)
		if (strcmp(a[0].word, rss_words[i]) == 0)
			sh->opt.rss.rss_hf = rss_word_hf[i];
	if (replan(sh, &before) != 0)
		return -EINVAL;
	rf_fwd_rss_hf_format(sh->opt.rss.rss_hf, hf, sizeof(hf));
	printf("RSS hash functions set to %s (applies at the next start)\n", hf);
	return 0;
}

static int c_cfg_rss_steering(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;

	rf_fwd_steering_parse(a[0].word, &sh->opt.rss.steering);
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("RSS steering set to %s: %s (%s; applies at the next start)\n", a[0].word,
	       sh->e->steering == RF_FWD_STEER_SOFTWARE ? "software" : "device",
	       sh->e->steering_why);
	return 0;
}

/* Each entry against the port's table as planned now: its size and its queues (workers). */
static int reta_check(const struct shell *sh, unsigned pi, const struct arg_val *v)
{
	const struct rf_fwd_port *port = &sh->e->ports[pi];
	bool sw = sh->e->steering == RF_FWD_STEER_SOFTWARE;

	for (unsigned i = 0; i < v->nb_reta; i++) {
		if (v->reta_idx[i] >= port->reta.size) {
			printf("port config rss reta: index %u in (%u,%u) is beyond port %u's RETA "
			       "of %u entries (0..%u)\n",
			       v->reta_idx[i], v->reta_idx[i], v->reta_q[i], port->port_id,
			       port->reta.size, port->reta.size - 1u);
			return -EINVAL;
		}
		if (v->reta_q[i] >= port->reta.nb_queues) {
			printf("port config rss reta: %s %u in (%u,%u) is beyond the %u %s%s of %s "
			       "steering (0..%u)\n",
			       sw ? "worker" : "queue", v->reta_q[i], v->reta_idx[i], v->reta_q[i],
			       port->reta.nb_queues, sw ? "worker" : "RX queue",
			       port->reta.nb_queues == 1 ? "" : "s", sw ? "software" : "device",
			       port->reta.nb_queues - 1u);
			return -EINVAL;
		}
	}
	return 0;
}

static int c_cfg_reta(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned pi = first; pi < last; pi++)
		if (reta_check(sh, pi, &a[1]) != 0)
			return -EINVAL;
	for (unsigned pi = first; pi < last; pi++)
		for (unsigned i = 0; i < a[1].nb_reta; i++)
			sh->opt.rss.reta[sh->e->ports[pi].port_id][a[1].reta_idx[i]] =
			    a[1].reta_q[i];
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("RSS RETA: %u entr%s set (applies at the next start)\n", a[1].nb_reta,
	       a[1].nb_reta == 1 ? "y" : "ies");
	return 0;
}

static int c_cfg_rss_key(struct shell *sh, struct arg_val *a)
{
	struct rf_fwd_options before = sh->opt;
	unsigned first, last;

	port_of(sh, &a[0], &first, &last);
	for (unsigned pi = first; pi < last; pi++)
		memcpy(sh->opt.rss.key[sh->e->ports[pi].port_id], a[1].key, RF_FWD_RSS_KEY_LEN);
	if (replan(sh, &before) != 0)
		return -EINVAL;
	printf("RSS hash key set (applies at the next start)\n");
	return 0;
}

static int c_show_reta(struct shell *sh, struct arg_val *a)
{
	const struct rf_fwd_port *port =
	    &sh->e->ports[rf_fwd_engine_port_index(sh->e, (uint16_t)a[0].u)];
	const struct rf_rss_reta *r = &port->reta;

	printf("RSS RETA of port %u (%u entries, %u queues):\n", port->port_id, r->size,
	       r->nb_queues);
	for (unsigned i = 0; i < r->size; i++)
		printf("%s%u: %u%s", i % 8 == 0 ? "  " : "  ", i, r->queue[i],
		       i % 8 == 7 || i + 1 == r->size ? "\n" : "");
	return 0;
}

static int c_show_rss_hash(struct shell *sh, struct arg_val *a)
{
	const struct rf_fwd_port *port =
	    &sh->e->ports[rf_fwd_engine_port_index(sh->e, (uint16_t)a[0].u)];
	const struct rf_fwd_rss_options *r = &sh->opt.rss;
	char hf[32];

	rf_fwd_rss_hf_format(r->rss_hf, hf, sizeof(hf));
	printf("RSS functions:\n  %s\n", hf);
	printf("RSS steering: %s (%s)%s\n",
	       sh->e->steering == RF_FWD_STEER_SOFTWARE ? "software" : "device",
	       port->rss_hw ? "the device hashes" : "the device does not hash",
	       r->symmetric ? ", symmetric Toeplitz" : ", Toeplitz");
	if (a[1].given) {
		printf("RSS key:\n");
		for (unsigned i = 0; i < RF_FWD_RSS_KEY_LEN; i++)
			printf("%02X", r->key[port->port_id][i]);
		printf("\n");
	}
	return 0;
}

#define PORT_ALL                                                                                   \
	{                                                                                          \
		A_PORT_ALL, "port", 0, 0, false                                                    \
	}
#define PORT_ONE                                                                                   \
	{                                                                                          \
		A_PORT, "port", 0, 0, false                                                        \
	}
#define UINT(n, lo, hi)                                                                            \
	{                                                                                          \
		A_UINT, n, lo, hi, false                                                           \
	}

/* The one table: help, completion and parsing all read it. */
static const struct cmd cmds[] = {
    {"help",
     {{A_WORD, "command", 0, 0, true}, {A_WORD, "word", 0, 0, true}, {A_WORD, "word", 0, 0, true}},
     "list the commands, or one command's usage",
     c_help,
     0},
    {"quit", {{0}}, "stop forwarding and exit", c_quit, 0},
    {"start", {{0}}, "start forwarding", c_start, F_STOPPED},
    {"start tx_first",
     {{A_UINT, "bursts", 1, 100000, true}},
     "send N txonly bursts (default 1) on every stream, then forward",
     c_start_tx_first,
     F_STOPPED},
    {"stop", {{0}}, "stop forwarding and print its statistics", c_stop, 0},
    {"show port info", {PORT_ALL}, "port name, driver, MAC, link, queues", c_show_port_info, 0},
    {"show port stats",
     {PORT_ALL},
     "the port's counters and rates since the last show",
     c_show_port_stats,
     0},
    {"show port xstats", {PORT_ALL}, "the driver's extended counters", c_show_port_xstats, 0},
    {"clear port stats", {PORT_ALL}, "zero the port's counters", c_clear_port_stats, 0},
    {"show fwd stats all", {{0}}, "forwarding statistics since start", c_show_fwd_stats, 0},
    {"show config fwd", {{0}}, "mode and streams on lcores", c_show_config_fwd, 0},
    {"show config cores", {{0}}, "the forwarding lcores", c_show_config_cores, 0},
    {"show config rxtx", {{0}}, "queues, descriptors, burst, txpkts", c_show_config_rxtx, 0},
    {"show mempool",
     {{0}},
     "mbuf pools: size, available, in use, per-lcore cache",
     c_show_mempool,
     0},
    {"set fwd", {{A_MODE, "mode", 0, 0, false}}, "the forwarding mode", c_set_fwd, F_STOPPED},
    {"set nbcore",
     {UINT("n", 1, RF_MAX_LCORE)},
     "number of forwarding lcores",
     c_set_nbcore,
     F_STOPPED},
    {"set burst", {UINT("n", 1, RF_FWD_MAX_BURST)}, "packets per burst", c_set_burst, F_STOPPED},
    {"set txpkts",
     {{A_LIST, "len", 1, RF_MBUF_DEFAULT_DATAROOM, false}},
     "txonly/flowgen segment lengths",
     c_set_txpkts,
     F_STOPPED},
    {"set promisc",
     {PORT_ALL, {A_ONOFF, "on|off", 0, 0, false}},
     "promiscuous mode",
     c_set_promisc,
     0},
    {"set eth-peer",
     {PORT_ONE, {A_MAC, "mac", 0, 0, false}},
     "destination MAC of the mac mode",
     c_set_eth_peer,
     F_STOPPED},
    {"set stats-period",
     {UINT("seconds", 0, 3600)},
     "kept for show config rxtx (the prompt prints no periodic lines)",
     c_set_stats_period,
     0},
    {"port start", {PORT_ALL}, "configure and start ports", c_port_start, F_STOPPED},
    {"port stop", {PORT_ALL}, "stop ports", c_port_stop, F_STOPPED},
    {"port close", {PORT_ALL}, "stop and close ports (every mbuf back)", c_port_close, F_STOPPED},
    {"port config all rxq",
     {UINT("n", 1, RF_MAX_QUEUES_PER_PORT)},
     "RX queues per port",
     c_cfg_rxq,
     F_STOPPED | F_PORTS_STOPPED},
    {"port config all txq",
     {UINT("n", 1, RF_MAX_QUEUES_PER_PORT)},
     "TX queues per port",
     c_cfg_txq,
     F_STOPPED | F_PORTS_STOPPED},
    {"port config all rxd",
     {UINT("n", 1, 32768)},
     "RX descriptors per queue",
     c_cfg_rxd,
     F_STOPPED | F_PORTS_STOPPED},
    {"port config all txd",
     {UINT("n", 1, 32768)},
     "TX descriptors per queue",
     c_cfg_txd,
     F_STOPPED | F_PORTS_STOPPED},
    {"port config all rss",
     {{A_CHOICE, "ip|udp|tcp|all|none", 0, 0, false}},
     "what RSS hashes (all = ip udp tcp; none: everything to RETA entry 0)",
     c_cfg_rss,
     F_FWD_STOPPED},
    {"port config all rss-steering",
     {{A_CHOICE, "auto|device|software", 0, 0, false}},
     "who spreads the flows over the lcores",
     c_cfg_rss_steering,
     F_FWD_STOPPED},
    {"port config %p rss reta",
     {{A_RETA, "reta", 0, 0, false}},
     "RETA entries: index idx goes to queue (software: worker) queue",
     c_cfg_reta,
     F_FWD_STOPPED},
    {"port config %p rss-hash-key",
     {{A_KEY, "key", 0, 0, false}},
     "the Toeplitz key, 40 bytes",
     c_cfg_rss_key,
     F_FWD_STOPPED},
    {"show port %P rss reta", {{0}}, "every RETA entry: index: queue", c_show_reta, 0},
    {"show port %P rss-hash",
     {{A_CHOICE, "key", 0, 0, true}},
     "what RSS hashes, and with key the key in hex",
     c_show_rss_hash,
     0},
    {"port attach",
     {{A_WORD, "devargs", 0, 0, false}},
     "create a port, e.g. net_pcap1,rx_pcap=in.pcap",
     c_port_attach,
     F_STOPPED},
    {"port detach", {PORT_ONE}, "close and remove a port", c_port_detach, F_STOPPED},
};
static const unsigned nb_cmds = RF_DIM(cmds);

static int c_help(struct shell *sh, struct arg_val *a)
{
	char usage[256], want[128] = "";
	size_t off = 0;
	bool any = false;

	(void)sh;
	for (unsigned i = 0; i < MAX_ARGS && a[i].given && off < sizeof(want); i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%s", i ? " " : "",
					a[i].word);
	for (unsigned i = 0; i < nb_cmds; i++) {
		if (strncmp(cmds[i].name, want, off) != 0)
			continue;
		cmd_usage(&cmds[i], usage, sizeof(usage));
		printf("  %-44s %s\n", usage, cmds[i].help);
		any = true;
	}
	if (!any)
		printf("help: no command starts with '%s'; type 'help' for the list of commands\n",
		       want);
	return 0;
}

/* Parse and run one line; errors are one line on stdout and the shell goes on. */
static void run_line_unlocked(struct shell *sh, const char *line)
{
	char buf[LINE_MAX_LEN], *words[MAX_WORDS], err[512];
	struct arg_val a[MAX_ARGS];
	int n = tokenize(line, buf, sizeof(buf), words);

	if (n < 0) {
		printf("too many words (more than %d); type 'help' for the commands\n", MAX_WORDS);
		return;
	}
	int i = parse_words(sh->e, words, (unsigned)n, a, err, sizeof(err));
	if (i == -1)
		return;
	if (i < 0) {
		printf("%s\n", err);
		return;
	}
	const struct cmd *c = &cmds[i];
	if ((c->flags & F_FWD_STOPPED) && sh->e->running) {
		printf("Please stop forwarding first\n");
		return;
	}
	if ((c->flags & F_STOPPED) && sh->e->running) {
		printf("%s: forwarding is running; 'stop' it first\n", c->name);
		return;
	}
	if (c->flags & F_PORTS_STOPPED)
		for (unsigned p = 0; p < sh->e->nb_ports; p++)
			if (sh->e->ports[p].started) {
				printf("%s: port %u is started; 'port stop all' first\n", c->name,
				       sh->e->ports[p].port_id);
				return;
			}
	c->fn(sh, a);
	fflush(stdout);
}

/* A command may re-plan, start or stop the engine: telemetry handlers wait (rf_telemetry.h). */
static void run_line(struct shell *sh, const char *line)
{
	rf_tel_lock();
	run_line_unlocked(sh, line);
	rf_tel_unlock();
}

/* ---- completion ------------------------------------------------------------ */

static struct shell *the_shell; /* for libedit's callbacks, which take no context */
static char comp_words[MAX_ARGS + MAX_WORDS][64];
static unsigned nb_comp;

static void comp_add(const char *w, size_t len, const char *prefix)
{
	if (nb_comp == RF_DIM(comp_words) || len >= sizeof(comp_words[0]) ||
	    strncmp(w, prefix, strlen(prefix)) != 0 || len < strlen(prefix))
		return;
	for (unsigned i = 0; i < nb_comp; i++)
		if (strlen(comp_words[i]) == len && strncmp(comp_words[i], w, len) == 0)
			return;
	memcpy(comp_words[nb_comp], w, len);
	comp_words[nb_comp++][len] = '\0';
}

static void comp_ports(const char *prefix)
{
	char num[8];

	for (unsigned p = 0; p < the_shell->e->nb_ports; p++) {
		snprintf(num, sizeof(num), "%u", the_shell->e->ports[p].port_id);
		comp_add(num, strlen(num), prefix);
	}
}

/* Candidates for the word after the complete words[0..n): command words, ports, modes. */
static void comp_fill(char **words, unsigned n, const char *prefix)
{
	nb_comp = 0;
	for (unsigned i = 0; i < nb_cmds; i++) {
		bool full;
		unsigned k = n == 0 ? 0 : name_match(cmds[i].name, words, n, &full);

		if (n != 0 && k != n && !(full && k < n))
			continue;
		if (k == n && !(n != 0 && full)) {
			const char *p = cmds[i].name;

			for (unsigned j = 0; j < n; j++)
				p += strcspn(p, " ") + 1;
			char ph = placeholder(p, strcspn(p, " "));

			if (ph == 0) {
				comp_add(p, strcspn(p, " "), prefix);
				continue;
			}
			if (ph == 'p')
				comp_add("all", 3, prefix);
			comp_ports(prefix);
			continue;
		}
		unsigned ai = n - name_words(cmds[i].name);
		if (ai >= MAX_ARGS)
			continue;
		const struct arg_spec *s = &cmds[i].args[ai];

		switch (s->kind) {
		case A_PORT_ALL:
			comp_add("all", 3, prefix);
			/* fall through */
		case A_PORT:
			comp_ports(prefix);
			break;
		case A_MODE:
			for (unsigned m = 0; rf_fwd_modes[m] != NULL; m++)
				comp_add(rf_fwd_modes[m]->name, strlen(rf_fwd_modes[m]->name),
					 prefix);
			break;
		case A_ONOFF:
			comp_add("on", 2, prefix);
			comp_add("off", 3, prefix);
			break;
		case A_CHOICE:
			for (const char *p = s->name;;) {
				size_t len = strcspn(p, "|");

				comp_add(p, len, prefix);
				if (p[len] == '\0')
					break;
				p += len + 1;
			}
			break;
		default:
			break;
		}
	}
}

static char *comp_gen(const char *text, int state)
{
	static unsigned next;

	(void)text;
	if (state == 0)
		next = 0;
	return next < nb_comp ? strdup(comp_words[next++]) : NULL;
}

static char **complete(const char *text, int start, int end)
{
	char before[LINE_MAX_LEN], buf[LINE_MAX_LEN], *words[MAX_WORDS];
	int n;

	(void)end;
	snprintf(before, sizeof(before), "%.*s", start, rl_line_buffer);
	n = tokenize(before, buf, sizeof(buf), words);
	if (n < 0)
		return NULL;
	comp_fill(words, (unsigned)n, text);
	rl_attempted_completion_over = 1; /* no file names */
	return rl_completion_matches(text, comp_gen);
}

/* ---- input ---------------------------------------------------------------- */

static void drain_stop_signals(void)
{
	sigset_t set;
	struct timespec zero = {0, 0};

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

static void run_stream(struct shell *sh, FILE *in, bool echo)
{
	char line[LINE_MAX_LEN];

	while (!sh->quit && fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (echo)
			printf("ringfwd> %s\n", line);
		run_line(sh, line);
		fflush(stdout);
	}
}

static void run_terminal(struct shell *sh)
{
	char hist[1024];
	const char *home = getenv("HOME");

	hist[0] = '\0';
	if (home != NULL)
		snprintf(hist, sizeof(hist), "%s/.ringfwd_history", home);
	rl_readline_name = "ringfwd";
	rl_attempted_completion_function = complete;
	using_history();
	if (hist[0] != '\0')
		read_history(hist);
	while (!sh->quit) {
		char *line = readline("ringfwd> ");

		if (line == NULL) {
			printf("\n");
			break;
		}
		if (line[strspn(line, " \t")] != '\0')
			add_history(line);
		run_line(sh, line);
		free(line);
	}
	if (hist[0] != '\0')
		write_history(hist);
}

int rf_fwd_shell_run(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	static struct shell sh;

	sh.e = e;
	sh.opt = *e->opt;
	sh.quit = false;
	the_shell = &sh;
	/* From here the engine follows the shell's copy of the options. */
	rf_tel_lock();
	int planned = rf_fwd_engine_replan(e, &sh.opt, err, errlen);
	rf_tel_unlock();
	if (planned != 0)
		return -EINVAL;
	if (e->opt->cmdline_file != NULL) {
		FILE *f = fopen(e->opt->cmdline_file, "r");

		if (f == NULL) {
			int rc = -errno;

			say(err, errlen, "--cmdline-file %s: %s", e->opt->cmdline_file,
			    strerror(-rc));
			return rc;
		}
		printf("Read CLI commands from %s\n", e->opt->cmdline_file);
		run_stream(&sh, f, true);
		fclose(f);
	}
	if (sh.e->opt->auto_start && !sh.quit && !e->running) {
		rf_tel_lock();
		start_fwd(&sh, 0);
		rf_tel_unlock();
	}
	if (!sh.quit) {
		if (isatty(STDIN_FILENO))
			run_terminal(&sh);
		else
			run_stream(&sh, stdin, true);
	}
	rf_tel_lock();
	if (e->running)
		c_stop(&sh, NULL);
	rf_tel_unlock();
	drain_stop_signals();
	fflush(stdout);
	return 0;
}
