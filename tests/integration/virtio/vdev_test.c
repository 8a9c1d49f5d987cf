/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vdev_test: drives one port through the public ethdev API only, for the
 * integration tests against a real vhost-user back-end (dpdk-testpmd with
 * net_vhost) and for the virtio benchmark.
 *
 *   vdev_test [EAL options] -- COMMAND [options]
 *
 *   rx     receive; --check-txonly LEN checks each frame is what testpmd's
 *          txonly mode sends (IPv4/UDP, LEN bytes); --until-down stops once
 *          the link went up and down again (the peer quit) and the ring is dry
 *   tx     send --count frames of --sizes (cycled), --multiseg as mbuf
 *          chains; then keep the port up until SIGINT or --seconds
 *   loop   send --count numbered frames and check each comes back byte-exact
 *          (the peer forwards them back: testpmd io --port-topology=loop)
 *   watch  receive (and with --tx, send) until SIGINT or --seconds, printing
 *          every link change: for the reconnect tests
 *   txflood  send 64-byte (--len) frames as fast as the ring takes them (bench)
 *
 * Common options: --queues Q (queue pairs, default 1), --ring N (descriptors,
 * default 256), --wait-link S (seconds to wait for the link, default 30),
 * --cycles N (run the command N times, stopping and restarting the port in
 * between: every mbuf must be back in the pool after each stop),
 * --seconds S (how long to run, after the warm-up), --warmup S (bench: seconds
 * before counting), --then-queues Q2 (after the command, stop, configure Q2
 * queue pairs, set them up, start, and run the command again on them).
 *
 * Output is key=value lines. Exit status 0 only if every check passed and, at
 * the end, every mbuf is back in the pool (mempool_in_use=0).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_mbuf.h"
#include "rf_mempool.h"

#define BURST	   32
#define MAX_SIZES  32
#define NB_MBUFS   8191
#define POOL_CACHE 256

static volatile sig_atomic_t quit;

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

struct opts {
	const char *cmd;
	uint16_t queues;
	uint16_t ring;
	double wait_link;
	double seconds;
	double warmup;
	uint64_t count;
	uint32_t sizes[MAX_SIZES];
	unsigned nb_sizes;
	int multiseg;
	int until_down;
	uint32_t check_txonly; /* expected frame length, 0 = no check */
	int tx;		       /* watch: also send */
	uint32_t len;	       /* txflood */
	unsigned cycles;       /* run the command this many times, stop + start between */
	uint16_t then_queues;  /* 0, or reconfigure to this many pairs and run again */
};

struct run {
	uint16_t port;
	struct rf_mempool *mp;
	struct rf_ether_addr mac;
	int link;	   /* last status seen */
	unsigned link_ups; /* transitions to up seen */
	unsigned link_downs;
	int failed;
	uint64_t rx_total, tx_total;
	uint64_t rx_q[RF_MAX_QUEUES_PER_PORT];
	uint64_t rx_since_last_up; /* watch: received after the latest link up */
	uint64_t bad_content;
};

static double now_s(void)
{
	return (double)rf_time_mono_ns() / 1e9;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- rx|tx|loop|watch|txflood [--queues Q] [--ring N]\n"
		"       [--wait-link S] [--seconds S] [--warmup S] [--count N] [--sizes A,B,..]\n"
		"       [--multiseg] [--until-down] [--check-txonly LEN] [--tx] [--len L]\n"
		"       [--cycles N] [--then-queues Q2]\n",
		prog);
}

static int parse_sizes(const char *s, struct opts *o)
{
	char *copy = strdup(s), *save = NULL;

	o->nb_sizes = 0;
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		unsigned long v = strtoul(t, NULL, 10);
		if (o->nb_sizes == MAX_SIZES || v < 60 || v > 9000) {
			fprintf(stderr, "--sizes: '%s' (each 60..9000, at most %d)\n", t,
				MAX_SIZES);
			free(copy);
			return -1;
		}
		o->sizes[o->nb_sizes++] = (uint32_t)v;
	}
	free(copy);
	return o->nb_sizes > 0 ? 0 : -1;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"queues", 1, NULL, 'q'},	  {"ring", 1, NULL, 'r'},
	    {"wait-link", 1, NULL, 'w'},  {"seconds", 1, NULL, 's'},
	    {"warmup", 1, NULL, 'W'},	  {"count", 1, NULL, 'c'},
	    {"sizes", 1, NULL, 'z'},	  {"multiseg", 0, NULL, 'm'},
	    {"until-down", 0, NULL, 'u'}, {"check-txonly", 1, NULL, 'k'},
	    {"tx", 0, NULL, 't'},	  {"len", 1, NULL, 'l'},
	    {"cycles", 1, NULL, 'C'},	  {"then-queues", 1, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};
	*o = (struct opts){
	    .queues = 1, .ring = 256, .wait_link = 30, .seconds = 0, .len = 64, .cycles = 1};
	o->sizes[0] = 64;
	o->nb_sizes = 1;
	if (argc < 1)
		return -1;
	o->cmd = argv[0];
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->queues = (uint16_t)atoi(optarg);
			break;
		case 'r':
			o->ring = (uint16_t)atoi(optarg);
			break;
		case 'w':
			o->wait_link = atof(optarg);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		case 'W':
			o->warmup = atof(optarg);
			break;
		case 'c':
			o->count = strtoull(optarg, NULL, 10);
			break;
		case 'z':
			if (parse_sizes(optarg, o) < 0)
				return -1;
			break;
		case 'm':
			o->multiseg = 1;
			break;
		case 'u':
			o->until_down = 1;
			break;
		case 'k':
			o->check_txonly = (uint32_t)atoi(optarg);
			break;
		case 't':
			o->tx = 1;
			break;
		case 'l':
			o->len = (uint32_t)atoi(optarg);
			break;
		case 'C':
			o->cycles = (unsigned)atoi(optarg);
			break;
		case 'T':
			o->then_queues = (uint16_t)atoi(optarg);
			break;
		default:
			return -1;
		}
	}
	if (o->queues < 1 || o->queues > RF_MAX_QUEUES_PER_PORT || o->cycles < 1 ||
	    o->then_queues > RF_MAX_QUEUES_PER_PORT)
		return -1;
	return 0;
}

/* Print link transitions as they happen: the test scripts wait for these lines. */
static void poll_link(struct run *r)
{
	struct rf_eth_link l;

	if (rf_eth_link_get_nowait(r->port, &l) < 0 || l.status == r->link)
		return;
	r->link = l.status;
	if (l.status == RF_ETH_LINK_UP) {
		r->link_ups++;
		r->rx_since_last_up = 0;
		printf("LINK UP %u\n", r->link_ups);
	} else {
		r->link_downs++;
		printf("LINK DOWN %u\n", r->link_downs);
	}
	fflush(stdout);
}

static int wait_link_up(struct run *r, double secs)
{
	double end = now_s() + secs;

	while (!quit && now_s() < end) {
		poll_link(r);
		if (r->link == RF_ETH_LINK_UP)
			return 0;
		rf_delay_us(1000);
	}
	fprintf(stderr, "link did not come up within %.0f s\n", secs);
	return -1;
}

/*
 * Test frames: dst 02:00:00:00:00:02, src our MAC, ethertype 0x88b5 (local
 * experimental), 4-byte big-endian sequence number, 2-byte length, then byte
 * k = (seq * 7 + k) & 0xff. check_frames.py builds the same bytes on its own.
 */
static void frame_byte_fill(uint8_t *b, uint32_t off, uint32_t n, uint32_t len, uint32_t seq,
			    const struct rf_ether_addr *src)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = off + i;
		uint8_t v;

		if (k < 6)
			v = k == 0 ? 0x02 : (k == 5 ? 0x02 : 0);
		else if (k < 12)
			v = src->addr_bytes[k - 6];
		else if (k == 12)
			v = 0x88;
		else if (k == 13)
			v = 0xb5;
		else if (k < 18)
			v = (uint8_t)(seq >> (8 * (17 - k)));
		else if (k < 20)
			v = (uint8_t)(len >> (8 * (19 - k)));
		else
			v = (uint8_t)(seq * 7 + k);
		b[i] = v;
	}
}

/* One frame, as one mbuf or (multiseg) a chain of up to 4 uneven pieces. NULL if pool dry. */
static struct rf_mbuf *frame_build(struct run *r, uint32_t len, uint32_t seq, int multiseg)
{
	uint32_t cuts[4], nseg = 0;

	if (multiseg && len > 3) {
		/* Uneven pieces, including a tiny one: 1/7, a few bytes, the rest in two. */
		uint32_t a = len / 7 + 1, b = 3, rest = len - a - b;
		cuts[nseg++] = a;
		cuts[nseg++] = b;
		cuts[nseg++] = rest / 2;
		cuts[nseg++] = rest - rest / 2;
	} else {
		cuts[nseg++] = len;
	}
	struct rf_mbuf *head = NULL;
	uint32_t off = 0;
	for (uint32_t s = 0; s < nseg; s++) {
		struct rf_mbuf *m = rf_pktmbuf_alloc(r->mp);
		if (m == NULL) {
			rf_pktmbuf_free(head);
			return NULL;
		}
		uint8_t *p = (uint8_t *)rf_pktmbuf_append(m, (uint16_t)cuts[s]);
		if (p == NULL) {
			rf_pktmbuf_free(m);
			rf_pktmbuf_free(head);
			return NULL;
		}
		frame_byte_fill(p, off, cuts[s], len, seq, &r->mac);
		off += cuts[s];
		if (head == NULL)
			head = m;
		else if (rf_pktmbuf_chain(head, m) < 0) {
			rf_pktmbuf_free(m);
			rf_pktmbuf_free(head);
			return NULL;
		}
	}
	return head;
}

/* Compare a received chain with frame (seq, len). 0 if byte-exact. */
static int frame_check(struct run *r, const struct rf_mbuf *m, uint32_t seq, uint32_t len)
{
	uint8_t want[9216], got[9216];

	if (m->pkt_len != len || len > sizeof(want))
		return -1;
	frame_byte_fill(want, 0, len, len, seq, &r->mac);
	const void *p = rf_pktmbuf_read(m, 0, len, got);
	return p != NULL && memcmp(p, want, len) == 0 ? 0 : -1;
}

static uint32_t frame_seq(const struct rf_mbuf *m)
{
	uint8_t b[4];
	const uint8_t *p = rf_pktmbuf_read(m, 14, 4, b);

	if (p == NULL)
		return UINT32_MAX;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* What testpmd's txonly mode sends (app/test-pmd/txonly.c): Ether/IPv4/UDP of len bytes. */
static int txonly_check(const struct rf_mbuf *m, uint32_t len)
{
	uint8_t b[64];
	const uint8_t *p = rf_pktmbuf_read(m, 0, 42, b);

	if (m->pkt_len != len || p == NULL)
		return -1;
	uint16_t ethertype = (uint16_t)(p[12] << 8 | p[13]);
	uint16_t ip_len = (uint16_t)(p[16] << 8 | p[17]);
	uint16_t udp_len = (uint16_t)(p[38] << 8 | p[39]);
	if (ethertype != 0x0800 || p[14] != 0x45 || p[23] != 17)
		return -1;
	if (ip_len != len - 14 || udp_len != len - 34)
		return -1;
	return 0;
}

static uint16_t rx_queue(struct run *r, const struct opts *o, uint16_t q)
{
	struct rf_mbuf *pkts[BURST];
	uint16_t n = rf_eth_rx_burst(r->port, q, pkts, BURST);

	for (uint16_t i = 0; i < n; i++) {
		if (o->check_txonly && txonly_check(pkts[i], o->check_txonly) < 0) {
			if (r->bad_content++ < 5)
				rf_pktmbuf_dump(stderr, pkts[i], 64);
		}
	}
	rf_pktmbuf_free_bulk(pkts, n);
	r->rx_q[q] += n;
	r->rx_total += n;
	r->rx_since_last_up += n;
	return n;
}

static int cmd_rx(struct run *r, const struct opts *o)
{
	if (wait_link_up(r, o->wait_link) < 0)
		return -1;
	double start = now_s(), end = o->seconds > 0 ? start + o->warmup + o->seconds : 1e300;
	double last_rx = start, warm_end = start + o->warmup, meas_start = 0;
	uint64_t meas_base = 0;
	int went_down = 0;

	for (uint64_t iter = 0; !quit; iter++) {
		uint16_t got = 0;
		for (uint16_t q = 0; q < o->queues; q++)
			got = (uint16_t)(got + rx_queue(r, o, q));
		if ((iter & 255) != 0)
			continue;
		double t = now_s();
		if (got)
			last_rx = t;
		if (o->warmup > 0 && meas_start == 0 && t >= warm_end) {
			meas_start = t;
			meas_base = r->rx_total;
		}
		poll_link(r);
		if (r->link == RF_ETH_LINK_DOWN)
			went_down = 1;
		/* The peer quit: what it handed us is in the ring; stop once it is drained. */
		if (o->until_down && went_down && t - last_rx > 0.2)
			break;
		if (t >= end)
			break;
	}
	if (meas_start > 0) {
		double dt = now_s() - meas_start;
		printf("rx_mpps=%.3f\n", (double)(r->rx_total - meas_base) / dt / 1e6);
	}
	return 0;
}

/* Send every mbuf of pkts, retrying while the ring is full; 0, or -1 on quit/timeout. */
static int tx_all(struct run *r, uint16_t q, struct rf_mbuf **pkts, uint16_t n, double deadline)
{
	uint16_t sent = 0;

	while (sent < n) {
		sent = (uint16_t)(sent +
				  rf_eth_tx_burst(r->port, q, pkts + sent, (uint16_t)(n - sent)));
		if (sent < n && (quit || now_s() > deadline)) {
			rf_pktmbuf_free_bulk(pkts + sent, (unsigned)(n - sent));
			return -1;
		}
	}
	r->tx_total += n;
	return 0;
}

static int cmd_tx(struct run *r, const struct opts *o)
{
	if (wait_link_up(r, o->wait_link) < 0)
		return -1;
	double deadline = now_s() + 60;
	uint64_t seq = 0;

	while (seq < o->count && !quit) {
		struct rf_mbuf *pkts[BURST];
		uint16_t n = 0;
		while (n < BURST && seq < o->count) {
			uint32_t len = o->sizes[seq % o->nb_sizes];
			pkts[n] = frame_build(r, len, (uint32_t)seq, o->multiseg);
			if (pkts[n] == NULL)
				break;
			n++;
			seq++;
		}
		if (n == 0) {
			/* Pool dry: the TX ring holds them; an empty burst lets it reclaim. */
			rf_eth_tx_burst(r->port, 0, pkts, 0);
			continue;
		}
		if (tx_all(r, 0, pkts, n, deadline) < 0) {
			fprintf(stderr, "tx: stuck after %" PRIu64 " frames\n", r->tx_total);
			return -1;
		}
	}
	printf("TX DONE %" PRIu64 "\n", r->tx_total);
	fflush(stdout);
	/* Keep the port up until the test has what it needs from the peer. */
	double end = o->seconds > 0 ? now_s() + o->seconds : 1e300;
	while (!quit && now_s() < end) {
		for (uint16_t q = 0; q < o->queues; q++)
			rx_queue(r, o, q);
		poll_link(r);
		rf_delay_us(100);
	}
	return 0;
}

/*
 * Send numbered frames on every queue, at most `window` in flight per queue
 * so the peer never finds our RX ring empty, and check that each comes back
 * byte-exact, in order, on the queue it left by.
 */
static int cmd_loop(struct run *r, const struct opts *o)
{
	if (wait_link_up(r, o->wait_link) < 0)
		return -1;
	uint64_t sent[RF_MAX_QUEUES_PER_PORT] = {0}, back[RF_MAX_QUEUES_PER_PORT] = {0};
	uint64_t per_q = o->count / o->queues, mismatches = 0;
	uint64_t window = o->ring / 2;
	double deadline = now_s() + (o->seconds > 0 ? o->seconds : 60);
	int done = 0;

	while (!done && !quit) {
		done = 1;
		for (uint16_t q = 0; q < o->queues; q++) {
			/* Sequence numbers: queue in the top byte, so a frame on the wrong queue
			 * shows. */
			struct rf_mbuf *pkts[BURST];
			uint16_t n = 0;
			while (n < BURST && sent[q] < per_q && sent[q] - back[q] < window) {
				uint32_t seq = (uint32_t)q << 24 | (uint32_t)sent[q];
				uint32_t len = o->sizes[sent[q] % o->nb_sizes];
				pkts[n] = frame_build(r, len, seq, o->multiseg);
				if (pkts[n] == NULL)
					break;
				n++;
				sent[q]++;
			}
			if (n > 0 && tx_all(r, q, pkts, n, deadline) < 0)
				return -1;
			uint16_t got = rf_eth_rx_burst(r->port, q, pkts, BURST);
			for (uint16_t i = 0; i < got; i++) {
				uint32_t seq = (uint32_t)q << 24 | (uint32_t)back[q];
				uint32_t len = o->sizes[back[q] % o->nb_sizes];
				if (frame_check(r, pkts[i], seq, len) < 0) {
					if (mismatches++ < 5) {
						fprintf(stderr,
							"queue %u: frame %" PRIu64
							" differs (got seq 0x%x, %u bytes; want "
							"0x%x, %u)\n",
							q, back[q], frame_seq(pkts[i]),
							pkts[i]->pkt_len, seq, len);
					}
				}
				back[q]++;
			}
			rf_pktmbuf_free_bulk(pkts, got);
			r->rx_q[q] += got;
			r->rx_total += got;
			if (back[q] < per_q)
				done = 0;
		}
		if (now_s() > deadline) {
			fprintf(stderr, "loop: timed out\n");
			break;
		}
	}
	for (uint16_t q = 0; q < o->queues; q++)
		printf("loop_q%u_sent=%" PRIu64 " loop_q%u_back=%" PRIu64 "\n", q, sent[q], q,
		       back[q]);
	printf("loop_mismatches=%" PRIu64 "\n", mismatches);
	int ok = mismatches == 0;
	for (uint16_t q = 0; q < o->queues; q++)
		ok = ok && back[q] == per_q && sent[q] == per_q;
	return ok ? 0 : -1;
}

/* Reconnect tests: keep traffic going whatever the link does, and report. */
static int cmd_watch(struct run *r, const struct opts *o)
{
	double end = o->seconds > 0 ? now_s() + o->seconds : 1e300;
	uint32_t seq = 0;

	for (uint64_t iter = 0; !quit; iter++) {
		for (uint16_t q = 0; q < o->queues; q++) {
			rx_queue(r, o, q);
			if (!o->tx || r->link != RF_ETH_LINK_UP)
				continue;
			struct rf_mbuf *pkts[8];
			uint16_t n = 0;
			while (n < 8) {
				pkts[n] = frame_build(r, 64, seq, 0);
				if (pkts[n] == NULL)
					break;
				n++;
				seq++;
			}
			uint16_t k = rf_eth_tx_burst(r->port, q, pkts, n);
			r->tx_total += k;
			rf_pktmbuf_free_bulk(pkts + k, (unsigned)(n - k));
		}
		if ((iter & 255) == 0) {
			poll_link(r);
			if (now_s() >= end)
				break;
		}
	}
	printf("rx_since_last_up=%" PRIu64 "\n", r->rx_since_last_up);
	return 0;
}

static int cmd_txflood(struct run *r, const struct opts *o)
{
	if (wait_link_up(r, o->wait_link) < 0)
		return -1;
	double start = now_s(), meas_start = 0, end;
	uint64_t meas_base = 0;
	struct rf_mbuf *pkts[BURST];

	end = start + o->warmup + (o->seconds > 0 ? o->seconds : 5);
	for (uint64_t iter = 0; !quit; iter++) {
		if (rf_pktmbuf_alloc_bulk(r->mp, pkts, BURST) == 0) {
			for (unsigned i = 0; i < BURST; i++) {
				uint8_t *p =
				    (uint8_t *)rf_pktmbuf_append(pkts[i], (uint16_t)o->len);
				frame_byte_fill(p, 0, 20, o->len, 0, &r->mac);
			}
			uint16_t k = rf_eth_tx_burst(r->port, 0, pkts, BURST);
			r->tx_total += k;
			if (k < BURST)
				rf_pktmbuf_free_bulk(pkts + k, BURST - k);
		}
		if ((iter & 1023) != 0)
			continue;
		double t = now_s();
		if (meas_start == 0 && t >= start + o->warmup) {
			meas_start = t;
			meas_base = r->tx_total;
		}
		if (t >= end)
			break;
	}
	if (meas_start > 0)
		printf("tx_mpps=%.3f\n",
		       (double)(r->tx_total - meas_base) / (now_s() - meas_start) / 1e6);
	return 0;
}

static void print_stats(const struct run *r, const struct opts *o)
{
	struct rf_eth_stats st;
	int nx = rf_eth_xstats_get(r->port, NULL, 0);

	printf("rx_packets=%" PRIu64 "\ntx_packets=%" PRIu64 "\n", r->rx_total, r->tx_total);
	for (uint16_t q = 0; q < o->queues; q++)
		printf("rx_q%u=%" PRIu64 "\n", q, r->rx_q[q]);
	printf("bad_content=%" PRIu64 "\nlink_ups=%u\nlink_downs=%u\n", r->bad_content, r->link_ups,
	       r->link_downs);
	if (rf_eth_stats_get(r->port, &st) == 0)
		printf("stats_ipackets=%" PRIu64 "\nstats_opackets=%" PRIu64
		       "\nstats_ierrors=%" PRIu64 "\nstats_oerrors=%" PRIu64 "\n",
		       st.ipackets, st.opackets, st.ierrors, st.oerrors);
	if (nx > 0) {
		struct rf_eth_xstat *xs = calloc((size_t)nx, sizeof(*xs));
		if (xs != NULL) {
			int got = rf_eth_xstats_get(r->port, xs, (unsigned)nx);
			for (int i = 0; i < got && i < nx; i++)
				printf("xstat.%s=%" PRIu64 "\n", xs[i].name, xs[i].value);
			free(xs);
		}
	}
}

static int run_cmd(struct run *r, const struct opts *o)
{
	if (strcmp(o->cmd, "rx") == 0)
		return cmd_rx(r, o);
	if (strcmp(o->cmd, "tx") == 0)
		return cmd_tx(r, o);
	if (strcmp(o->cmd, "loop") == 0)
		return cmd_loop(r, o);
	if (strcmp(o->cmd, "watch") == 0)
		return cmd_watch(r, o);
	if (strcmp(o->cmd, "txflood") == 0)
		return cmd_txflood(r, o);
	fprintf(stderr, "unknown command '%s'\n", o->cmd);
	return -1;
}

/* --cycles: stop (every mbuf must come back) and start again on the same connection. */
static int restart_port(struct run *r)
{
	int rc = rf_eth_dev_stop(r->port);

	if (rc < 0)
		return fprintf(stderr, "stop: %s\n", strerror(-rc)), -1;
	unsigned in_use = rf_mempool_in_use_count(r->mp);
	printf("stopped_in_use=%u\n", in_use);
	if (in_use != 0)
		return -1;
	poll_link(r);
	if ((rc = rf_eth_dev_start(r->port)) < 0)
		return fprintf(stderr, "start: %s\n", strerror(-rc)), -1;
	return 0;
}

/* Configure o->queues pairs and set them all up (the port is stopped). */
static int configure_queues(struct run *r, const struct opts *o)
{
	int rc;

	if ((rc = rf_eth_dev_configure(r->port, o->queues, o->queues, NULL)) < 0)
		return fprintf(stderr, "configure: %s\n", strerror(-rc)), -1;
	for (uint16_t q = 0; q < o->queues; q++) {
		if ((rc = rf_eth_rx_queue_setup(r->port, q, o->ring, RF_SOCKET_ID_ANY, r->mp)) <
			0 ||
		    (rc = rf_eth_tx_queue_setup(r->port, q, o->ring, RF_SOCKET_ID_ANY)) < 0)
			return fprintf(stderr, "queue %u setup: %s\n", q, strerror(-rc)), -1;
	}
	return 0;
}

/* --then-queues: stop, configure fewer (or more) pairs, start again on the same connection. */
static int reconfigure_port(struct run *r, struct opts *o)
{
	int rc = rf_eth_dev_stop(r->port);

	if (rc < 0)
		return fprintf(stderr, "stop: %s\n", strerror(-rc)), -1;
	poll_link(r);
	o->queues = o->then_queues;
	if (configure_queues(r, o) < 0)
		return -1;
	if ((rc = rf_eth_dev_start(r->port)) < 0)
		return fprintf(stderr, "start: %s\n", strerror(-rc)), -1;
	printf("reconfigured_queues=%u\n", o->queues);
	return 0;
}

static int setup_port(struct run *r, const struct opts *o)
{
	char err[256] = "";
	int rc = rf_eth_dev_probe_eal_vdevs(err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "probe: %s\n", err);
		return -1;
	}
	if (rf_eth_dev_count_avail() != 1) {
		fprintf(stderr, "give exactly one --vdev (have %u ports)\n",
			rf_eth_dev_count_avail());
		return -1;
	}
	RF_ETH_FOREACH_DEV(r->port) break;
	r->mp = rf_pktmbuf_pool_create("vdev_test", NB_MBUFS, POOL_CACHE, 0,
				       RF_MBUF_DEFAULT_BUF_SIZE, RF_SOCKET_ID_ANY);
	if (r->mp == NULL) {
		fprintf(stderr, "mempool: %s\n", strerror(errno));
		return -1;
	}
	rf_eth_macaddr_get(r->port, &r->mac);
	const uint8_t *m = r->mac.addr_bytes;
	printf("mac=%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
	if (configure_queues(r, o) < 0)
		return -1;
	if ((rc = rf_eth_dev_start(r->port)) < 0)
		return fprintf(stderr, "start: %s\n", strerror(-rc)), -1;
	struct rf_eth_dev_info info;
	if (rf_eth_dev_info_get(r->port, &info) == 0)
		printf("dev_features=0x%" PRIx64 "\nrss_offloads=0x%" PRIx64 "\nreta_size=%u\n",
		       info.features, info.flow_type_rss_offloads, info.reta_size);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r = {.link = RF_ETH_LINK_DOWN};
	int ret = rf_eal_init(argc, argv);

	if (ret < 0) {
		fprintf(stderr, "EAL init failed: %s\n", strerror(-ret));
		return 1;
	}
	if (ret >= argc || strcmp(argv[ret], "--") != 0 ||
	    parse_opts(argc - ret - 1, argv + ret + 1, &o) < 0) {
		usage(argv[0]);
		rf_eal_cleanup();
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setvbuf(stdout, NULL, _IOLBF, 0);

	int rc = setup_port(&r, &o);
	for (unsigned cycle = 1; rc == 0 && cycle <= o.cycles; cycle++) {
		if (cycle > 1 && (rc = restart_port(&r)) < 0)
			break;
		rc = run_cmd(&r, &o);
	}
	if (rc == 0 && o.then_queues > 0) {
		/* The second run counts afresh: its queues may be fewer. */
		memset(r.rx_q, 0, sizeof(r.rx_q));
		if ((rc = reconfigure_port(&r, &o)) == 0)
			rc = run_cmd(&r, &o);
	}
	if (r.mp != NULL) {
		poll_link(&r);
		print_stats(&r, &o);
	}
	if (rf_eth_dev_is_valid_port(r.port)) {
		rf_eth_dev_stop(r.port);
		rf_eth_dev_close(r.port);
	}
	if (r.mp != NULL) {
		unsigned in_use = rf_mempool_in_use_count(r.mp);
		printf("mempool_in_use=%u\n", in_use);
		if (in_use != 0)
			rc = -1;
		rf_mempool_free(r.mp);
	}
	if (rc == 0 && r.bad_content != 0)
		rc = -1;
	printf("result=%s\n", rc == 0 ? "ok" : "FAIL");
	rf_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
