/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding engine (app/fwd/engine.c, stats.c, options.c) on a fake
 * port driver, without a peer or root: the loop's counting (received, sent,
 * refused and dropped, retried), the burst histograms, the mbuf leak check,
 * and the plan (streams, lcores, TX queues, topologies), including two
 * forwarding lcores, which need a third CPU for real.
 *
 * The fake driver "net_fakefwd": RX hands out frames from the queue's pool
 * while a shared budget lasts; TX takes at most accept=N frames per call
 * (all if 0) and frees them, or with keep=1 holds them, as a driver that
 * leaks would. For RSS steering: flows=N makes the frames IPv4/UDP packets of
 * N flows round-robin, each carrying its flow and a per-flow sequence number
 * (bidir=1: every other round the reverse direction); log=1 records, for
 * every frame sent, the TX queue it went out on; rss=1 makes the device hash
 * itself (a 64-entry RETA) and records what the engine programs into it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "engine.h"
#include "options.h"
#include "rf_eal.h"
#include "rf_ethdev_driver.h"
#include "stats.h"

#define FRAME_LEN 64
#define MAX_KEPT  8192

struct fake_q {
	struct rf_mempool *mp;
	struct fake_dev *dev;
	uint16_t id;
};

#define FAKE_RETA_SIZE 64

struct fake_dev {
	struct rf_eth_dev eth; /* first: ethdev hands us this */
	struct fake_q rxq[RF_MAX_QUEUES_PER_PORT];
	struct fake_q txq[RF_MAX_QUEUES_PER_PORT];
	unsigned accept; /* TX: most frames taken per call; 0 = all */
	int keep;	 /* TX: hold the frames instead of freeing them */
	uint32_t queues;
	uint32_t flows; /* RX: IPv4/UDP frames of this many flows; 0 = 0xab filler */
	int bidir;	/* RX: every other round of the flows goes the other way */
	int log;	/* TX: record each frame's flow, sequence and queue */
	int rss;	/* the device hashes: what the engine programs lands below */
	struct rf_eth_rss_conf rss_conf;
	uint16_t reta[FAKE_RETA_SIZE];
	unsigned rss_updates, reta_updates;
};

/* What log=1 saw: one record per frame sent, in the order each queue sent them. */
struct tx_rec {
	uint32_t flow, seq;
	uint16_t queue;
	uint8_t dir;
};
#define MAX_LOG 65536
static struct tx_rec tx_log[MAX_LOG];
static _Atomic unsigned nb_log;
/* Frames the flows=N RX queues made so far: frame i is flow i % N, round i / N. */
static _Atomic uint64_t frame_no;

/* Frames every fake RX queue together still hands out. */
static _Atomic int64_t rx_left;
/* Frames the fake TX queues took, and those they held (keep=1). */
static _Atomic uint64_t tx_taken;
static struct rf_mbuf *kept[MAX_KEPT];
static _Atomic unsigned nb_kept;

/* Flow f's addresses and ports, network order, in its forward direction. */
static void flow_tuple(uint32_t f, uint32_t *src, uint32_t *dst, uint16_t *sport, uint16_t *dport)
{
	*src = htonl(0x0a000000u + f);
	*dst = htonl(0x0b000000u + (f * 7u) % 251u);
	*sport = htons((uint16_t)(1024u + f));
	*dport = htons(80);
}

/* Ethernet, IPv4, UDP, then flow (4), sequence (4) and direction (1) in the payload. */
static void flow_frame(const struct fake_dev *fd, uint8_t *b, uint64_t i)
{
	uint32_t f = (uint32_t)(i % fd->flows), seq = (uint32_t)(i / fd->flows);
	uint8_t dir = fd->bidir ? (uint8_t)(seq % 2) : 0;
	uint32_t src, dst;
	uint16_t sport, dport, v;

	flow_tuple(f, &src, &dst, &sport, &dport);
	if (dir) {
		uint32_t t = src;
		uint16_t p = sport;

		src = dst;
		dst = t;
		sport = dport;
		dport = p;
	}
	memset(b, 0, FRAME_LEN);
	memcpy(b, (const uint8_t[]){2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00}, 14);
	b[14] = 0x45; /* IPv4, 20-byte header */
	v = htons(FRAME_LEN - 14);
	memcpy(b + 16, &v, 2);
	b[22] = 64; /* TTL */
	b[23] = 17; /* UDP */
	memcpy(b + 26, &src, 4);
	memcpy(b + 30, &dst, 4);
	memcpy(b + 34, &sport, 2);
	memcpy(b + 36, &dport, 2);
	v = htons(FRAME_LEN - 34);
	memcpy(b + 38, &v, 2);
	memcpy(b + 42, &f, 4);
	memcpy(b + 46, &seq, 4);
	b[50] = dir;
}

static uint16_t fake_rx(void *q, struct rf_mbuf **pkts, uint16_t n)
{
	struct fake_q *rxq = q;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (atomic_fetch_sub(&rx_left, 1) <= 0) {
			atomic_fetch_add(&rx_left, 1);
			break;
		}
		struct rf_mbuf *m = rf_pktmbuf_alloc(rxq->mp);
		if (m == NULL) {
			atomic_fetch_add(&rx_left, 1);
			break;
		}
		if (rxq->dev->flows != 0)
			flow_frame(rxq->dev, rf_pktmbuf_mtod(m, uint8_t *),
				   atomic_fetch_add(&frame_no, 1));
		else
			memset(rf_pktmbuf_mtod(m, void *), 0xab, FRAME_LEN);
		m->data_len = FRAME_LEN;
		m->pkt_len = FRAME_LEN;
		pkts[i] = m;
	}
	return i;
}

static uint16_t fake_tx(void *q, struct rf_mbuf **pkts, uint16_t n)
{
	struct fake_q *txq = q;
	uint16_t take =
	    txq->dev->accept != 0 && n > txq->dev->accept ? (uint16_t)txq->dev->accept : n;

	for (uint16_t i = 0; i < take; i++) {
		if (txq->dev->log) {
			const uint8_t *b = rf_pktmbuf_mtod(pkts[i], const uint8_t *);
			unsigned k = atomic_fetch_add(&nb_log, 1);

			if (k < MAX_LOG) {
				memcpy(&tx_log[k].flow, b + 42, 4);
				memcpy(&tx_log[k].seq, b + 46, 4);
				tx_log[k].dir = b[50];
				tx_log[k].queue = txq->id;
			}
		}
		if (txq->dev->keep) {
			unsigned k = atomic_fetch_add(&nb_kept, 1);
			if (k < MAX_KEPT)
				kept[k] = pkts[i];
		} else {
			rf_pktmbuf_free(pkts[i]);
		}
	}
	atomic_fetch_add(&tx_taken, take);
	return take;
}

static int fake_infos(struct rf_eth_dev *dev, struct rf_eth_dev_info *info)
{
	struct fake_dev *fd = rf_container_of(dev, struct fake_dev, eth);

	info->max_rx_queues = (uint16_t)fd->queues;
	info->max_tx_queues = (uint16_t)fd->queues;
	info->min_rx_desc = info->min_tx_desc = 1;
	info->max_rx_desc = info->max_tx_desc = 256;
	if (fd->rss) {
		info->flow_type_rss_offloads = RF_ETH_RSS_IPV4 | RF_ETH_RSS_UDP | RF_ETH_RSS_TCP;
		info->reta_size = FAKE_RETA_SIZE;
		info->hash_key_size = RF_ETH_RSS_KEY_LEN;
	}
	return 0;
}

static int fake_rss_update(struct rf_eth_dev *dev, const struct rf_eth_rss_conf *conf)
{
	struct fake_dev *fd = rf_container_of(dev, struct fake_dev, eth);

	fd->rss_conf = *conf;
	fd->rss_updates++;
	return 0;
}

static int fake_reta_update(struct rf_eth_dev *dev, const uint16_t *reta, uint16_t size)
{
	struct fake_dev *fd = rf_container_of(dev, struct fake_dev, eth);

	assert_int_equal(size, FAKE_RETA_SIZE);
	memcpy(fd->reta, reta, sizeof(fd->reta));
	fd->reta_updates++;
	return 0;
}

static int fake_rxq_setup(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp)
{
	struct fake_dev *fd = rf_container_of(dev, struct fake_dev, eth);

	(void)nb_desc;
	(void)socket;
	fd->rxq[q] = (struct fake_q){.mp = mp, .dev = fd, .id = q};
	dev->rxq[q] = &fd->rxq[q];
	return 0;
}

static int fake_txq_setup(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket)
{
	struct fake_dev *fd = rf_container_of(dev, struct fake_dev, eth);

	(void)nb_desc;
	(void)socket;
	fd->txq[q] = (struct fake_q){.dev = fd, .id = q};
	dev->txq[q] = &fd->txq[q];
	return 0;
}

static int fake_close(struct rf_eth_dev *dev)
{
	free(rf_container_of(dev, struct fake_dev, eth));
	return 0;
}

static int fake_link(struct rf_eth_dev *dev, struct rf_eth_link *link)
{
	(void)dev;
	link->status = RF_ETH_LINK_UP;
	return 0;
}

static const struct rf_eth_dev_ops fake_ops = {
    .dev_infos_get = fake_infos,
    .rx_queue_setup = fake_rxq_setup,
    .tx_queue_setup = fake_txq_setup,
    .dev_close = fake_close,
    .link_update = fake_link,
    .rss_hash_update = fake_rss_update,
    .reta_update = fake_reta_update,
};

static struct fake_dev *last_probed; /* for the test to see what the engine programmed */

static const char *const fake_keys[] = {"accept", "keep", "queues", "flows",
					"bidir",  "log",  "rss",    NULL};

static int fake_probe(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		      char *err, size_t errlen)
{
	struct fake_dev *fd = calloc(1, sizeof(*fd));
	uint32_t accept, queues;
	int keep, rc;

	(void)name;
	if (fd == NULL)
		return -ENOMEM;
	rc = rf_devargs_get_u32(args, "accept", 0, 0, 1024, &accept, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_u32(args, "queues", 1, 1, RF_MAX_QUEUES_PER_PORT, &queues, err,
					errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(args, "keep", 0, &keep, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_u32(args, "flows", 0, 0, 4096, &fd->flows, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(args, "bidir", 0, &fd->bidir, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(args, "log", 0, &fd->log, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(args, "rss", 0, &fd->rss, err, errlen);
	if (rc != 0) {
		free(fd);
		return rc;
	}
	fd->accept = accept;
	fd->keep = keep;
	fd->queues = queues;
	last_probed = fd;
	fd->eth.ops = &fake_ops;
	fd->eth.rx_burst = fake_rx;
	fd->eth.tx_burst = fake_tx;
	fd->eth.mac.addr_bytes[0] = 0x02;
	fd->eth.mac.addr_bytes[5] = 0x42;
	*out = &fd->eth;
	return 0;
}

static const struct rf_eth_driver fake_driver = {
    .name = "net_fakefwd",
    .valid_keys = fake_keys,
    .probe = fake_probe,
};
RF_ETH_DRIVER_REGISTER(fake_driver)

/* ---- helpers ------------------------------------------------------------ */

static struct rf_fwd_options opt;
static struct rf_fwd_engine eng;
static char err[512];

/* Parse app options from a NULL-terminated list. */
static int parse(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return rf_fwd_options_parse(argc, argv, &opt, err, sizeof(err));
}

static struct fake_dev *add_port(const char *devargs)
{
	uint16_t port;

	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	return last_probed;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

/*
 * Forward until the fake RX budget is spent and every frame has been sent or
 * dropped (the loop counts them), then stop. A 10 s bound only keeps a broken
 * engine from hanging the test; nothing depends on timing.
 */
static void run_until_done(int64_t frames, struct rf_fwd_snapshot *snap)
{
	atomic_store(&rx_left, frames);
	assert_int_equal(rf_fwd_engine_setup(&eng, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_engine_start(&eng, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_snapshot_init(snap, &eng), 0);
	for (int i = 0; i < 10000; i++) {
		rf_fwd_snapshot_take(snap, &eng);
		if (snap->total.tx_packets + snap->total.dropped == (uint64_t)frames)
			break;
		sleep_ms(1);
	}
	rf_fwd_engine_stop(&eng);
	rf_fwd_snapshot_take(snap, &eng);
}

static int setup_test(void **state)
{
	(void)state;
	atomic_store(&tx_taken, 0);
	atomic_store(&nb_kept, 0);
	atomic_store(&nb_log, 0);
	atomic_store(&frame_no, 0);
	return 0;
}

static int teardown_test(void **state)
{
	(void)state;
	rf_fwd_engine_close(&eng);
	/* Frames a keep=1 port held: back to their pool before it goes. */
	unsigned k = atomic_load(&nb_kept);
	for (unsigned i = 0; i < k && i < MAX_KEPT; i++)
		rf_pktmbuf_free(kept[i]);
	atomic_store(&nb_kept, 0);
	rf_fwd_engine_free(&eng);
	return 0;
}

/* ---- the loop ----------------------------------------------------------- */

static void test_io_counts_everything(void **state)
{
	struct rf_fwd_snapshot s;

	(void)state;
	add_port("net_fakefwd0");
	assert_int_equal(parse("--forward-mode=io", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	run_until_done(100000, &s);

	assert_int_equal(s.total.rx_packets, 100000);
	assert_int_equal(s.total.tx_packets, 100000);
	assert_int_equal(s.total.rx_bytes, 100000ull * FRAME_LEN);
	assert_int_equal(s.total.tx_bytes, 100000ull * FRAME_LEN);
	assert_int_equal(s.total.dropped, 0);
	assert_int_equal(atomic_load(&tx_taken), 100000);
	assert_true(s.total.busy_cycles > 0);
	assert_int_equal(s.ports[0].sw.rx_packets, 100000);
	assert_int_equal(rf_fwd_engine_close(&eng), 0); /* every mbuf back */
	rf_fwd_snapshot_fini(&s);
}

/* A port that takes 8 of each 32: 24 dropped per burst, and the histograms say so. */
static void test_refused_are_dropped(void **state)
{
	struct rf_fwd_snapshot s;

	(void)state;
	add_port("net_fakefwd0,accept=8");
	assert_int_equal(parse("--burst=32", "--record-burst-stats", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	run_until_done(3200, &s);

	assert_int_equal(s.total.rx_packets, 3200);
	assert_int_equal(s.total.tx_packets, 800);
	assert_int_equal(s.total.dropped, 2400);
	assert_int_equal(s.total.tx_bytes, 800ull * FRAME_LEN);
	assert_int_equal(eng.slots[0].fs.burst_hist[32], 100);
	assert_int_equal(eng.slots[0].tx_burst_hist[8], 100);
	assert_int_equal(s.total.tx_retries, 0);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
}

/* --tx-retry=3 offers the rest three more times: 8 + 3 * 8 = all 32. */
static void test_tx_retry_sends_all(void **state)
{
	struct rf_fwd_snapshot s;

	(void)state;
	add_port("net_fakefwd0,accept=8");
	assert_int_equal(parse("--tx-retry=3", "--record-burst-stats", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	run_until_done(3200, &s);

	assert_int_equal(s.total.tx_packets, 3200);
	assert_int_equal(s.total.dropped, 0);
	assert_int_equal(s.total.tx_retries, 300);
	assert_int_equal(eng.slots[0].tx_burst_hist[32], 100);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
}

/* A driver that keeps what it sent: close must report every one as leaked. */
static void test_leak_is_reported(void **state)
{
	struct rf_fwd_snapshot s;
	char path[] = "/tmp/rf-test-engine-XXXXXX";
	char buf[8192];

	(void)state;
	add_port("net_fakefwd0,keep=1");
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	run_until_done(1000, &s);

	assert_int_equal(s.total.tx_packets, 1000);
	unsigned leaked = rf_fwd_engine_close(&eng);
	assert_int_equal(leaked, 1000);

	/* The JSON says so too. */
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(rf_fwd_stats_write_json(path, &eng, &s, leaked, err, sizeof(err)), 0);
	FILE *f = fdopen(fd, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "\"mbufs_leaked\": 1000\n"));
	assert_non_null(strstr(buf, "\"tx_packets\": 1000,"));
	assert_non_null(strstr(buf, "\"mode\": \"io\""));
	rf_fwd_snapshot_fini(&s);
}

/* ---- the plan ----------------------------------------------------------- */

/* An lcore list for a dry run: plan only reads it. */
static struct rf_eal_config dry_eal(const char *list, unsigned main_lcore)
{
	struct rf_eal_config c;

	memset(&c, 0, sizeof(c));
	assert_true(rf_lcore_parse_list(list, c.lcores, RF_MAX_LCORE) > 0);
	c.main_lcore = main_lcore;
	return c;
}

/* Two forwarding lcores over 2 ports x 2 queues: round-robin, one TX queue each. */
static void test_plan_two_lcores(void **state)
{
	struct rf_eal_config c = dry_eal("0-2", 0);

	(void)state;
	add_port("net_fakefwd0,queues=2");
	add_port("net_fakefwd1,queues=2");
	assert_int_equal(parse("--nb-cores=2", "--rxq=2", "--txq=2", NULL), 0);
	assert_int_equal(rf_fwd_options_check_lcores(&opt, &c, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);

	assert_int_equal(eng.nb_streams, 4);
	assert_int_equal(eng.nb_lcores, 2);
	/* (port, queue) -> lcore: 1, 2, 1, 2; paired: 0 -> 1 -> 0. */
	const unsigned want_lcore[4] = {1, 2, 1, 2};
	const uint16_t want_tx_port[4] = {1, 1, 0, 0};
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(eng.slots[i].lcore, want_lcore[i]);
		assert_int_equal(eng.slots[i].fs.tx_port, want_tx_port[i]);
		/* lcore 1 sends on TX queue 0 of each port, lcore 2 on queue 1. */
		assert_int_equal(eng.slots[i].fs.tx_queue, want_lcore[i] - 1);
	}
	assert_int_equal(eng.lcores[0].lcore_id, 1);
	assert_int_equal(eng.lcores[0].nb_streams, 2);
	assert_int_equal(eng.lcores[1].lcore_id, 2);
	rf_fwd_engine_free(&eng);

	/* One TX queue for two sending lcores: refused, naming --txq. */
	assert_int_equal(parse("--nb-cores=2", "--rxq=2", "--txq=1", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--txq: port 0 (net_fakefwd0) is sent to by 2 forwarding "
				    "lcores (1,2), each on its own TX queue: use --txq=2 or more"));
}

static void test_plan_nb_cores(void **state)
{
	struct rf_eal_config c = dry_eal("0,1", 0);

	(void)state;
	assert_int_equal(parse("--nb-cores=2", NULL), 0);
	assert_int_equal(rf_fwd_options_check_lcores(&opt, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--nb-cores: 2 forwarding lcores asked, but -l 0,1 with main "
				 "lcore 0 leaves 1");
	/* Main lcore last: the workers are the others, in order. */
	c = dry_eal("0-3", 3);
	assert_int_equal(parse("--nb-cores=3", NULL), 0);
	assert_int_equal(rf_fwd_options_check_lcores(&opt, &c, err, sizeof(err)), 0);
}

static void test_plan_config(void **state)
{
	struct rf_eal_config c = dry_eal("0-3", 0);

	(void)state;
	add_port("net_fakefwd0,queues=2");
	assert_int_equal(parse("--rxq=2", "--txq=2", "--config=(0,1,3), (0,0,2)", NULL), 0);
	assert_int_equal(rf_fwd_options_check_lcores(&opt, &c, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);
	assert_int_equal(eng.nb_streams, 2);
	assert_int_equal(eng.slots[0].fs.rx_queue, 1);
	assert_int_equal(eng.slots[0].lcore, 3);
	assert_int_equal(eng.slots[1].lcore, 2);
	/* TX queues go in lcore order: lcore 2 gets 0, lcore 3 gets 1. */
	assert_int_equal(eng.slots[1].fs.tx_queue, 0);
	assert_int_equal(eng.slots[0].fs.tx_queue, 1);
	assert_int_equal(eng.lcores[0].lcore_id, 2);
	rf_fwd_engine_free(&eng);

	assert_int_equal(parse("--config=(0,0,4)", NULL), 0);
	assert_int_equal(rf_fwd_options_check_lcores(&opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "lcore 4 in (0,0,4) is not in the lcore list (-l 0,1,2,3)"));
	assert_int_equal(parse("--config=(5,0,1)", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--config: port 5 in (5,0,1) does not exist"));
}

static void plan_topology(const char *topo, const uint16_t *want)
{
	struct rf_eal_config c = dry_eal("0,1", 0);

	assert_int_equal(parse(topo, NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);
	assert_int_equal(eng.nb_streams, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(eng.slots[i].fs.tx_port, want[i]);
	rf_fwd_engine_free(&eng);
}

static void test_plan_topologies(void **state)
{
	(void)state;
	add_port("net_fakefwd0");
	add_port("net_fakefwd1");
	add_port("net_fakefwd2");
	/* paired: the odd one out sends back to itself, as in testpmd. */
	plan_topology("--port-topology=paired", (const uint16_t[]){1, 0, 2});
	plan_topology("--port-topology=chained", (const uint16_t[]){1, 2, 0});
	plan_topology("--port-topology=loop", (const uint16_t[]){0, 1, 2});
}

/* The pool holds every ring, cache and burst, or --total-num-mbufs is refused. */
static void test_plan_pool_size(void **state)
{
	struct rf_eal_config c = dry_eal("0,1", 0);

	(void)state;
	add_port("net_fakefwd0");
	assert_int_equal(parse("--rxd=100", "--txd=50", "--mbcache=10", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);
	/* rings 100 + 50, caches 2 lcores x 15, bursts 1 lcore x 2 x 64 */
	assert_int_equal(eng.pool_size, 150 + 30 + 128);
	rf_fwd_engine_free(&eng);
	assert_int_equal(
	    parse("--rxd=100", "--txd=50", "--mbcache=10", "--total-num-mbufs=307", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--total-num-mbufs: 307 is fewer than the 308"));
	assert_int_equal(parse("--rxd=300", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--rxd: port 0 (net_fakefwd0) takes 1..256 RX descriptors"));
}

/* ---- RSS steering ---------------------------------------------------------- */

#define FLOWS  64
#define ROUNDS 200

/*
 * The worker flow f must reach with the default 128-entry round-robin RETA
 * over nb workers: RETA[hash & 127], the hash computed here from the flow's
 * tuple with rf_rss_hash_ipv4_l4, independently of the engine.
 */
static unsigned expected_worker(const struct rf_rss_ctx *ctx, uint32_t f, unsigned nb)
{
	uint32_t src, dst;
	uint16_t sport, dport;

	flow_tuple(f, &src, &dst, &sport, &dport);
	uint32_t h = rf_rss_hash_ipv4_l4(ctx, src, dst, sport, dport);

	return (h & (RF_RSS_RETA_SIZE_DEFAULT - 1)) % nb;
}

/*
 * The TX log: every frame of flow f went out on TX queue want[f] (the worker
 * it was steered to), and each flow's sequence numbers only grow (order
 * kept; a frame a full ring dropped leaves a gap). Counts frames per queue.
 */
static void check_log(const unsigned *want, unsigned *per_queue, unsigned *dirs)
{
	unsigned n = atomic_load(&nb_log);
	int64_t last[FLOWS];

	assert_true(n <= MAX_LOG);
	for (unsigned f = 0; f < FLOWS; f++)
		last[f] = -1;
	for (unsigned k = 0; k < n; k++) {
		const struct tx_rec *r = &tx_log[k];

		assert_true(r->flow < FLOWS);
		assert_int_equal(r->queue, want[r->flow]);
		assert_true((int64_t)r->seq > last[r->flow]);
		last[r->flow] = r->seq;
		per_queue[r->queue]++;
		if (dirs != NULL)
			dirs[r->flow * 2 + r->dir]++;
	}
}

/* The JSON's lcores array names the roles. */
static void check_json_roles(const struct rf_fwd_snapshot *s)
{
	char path[] = "/tmp/rf-test-steer-XXXXXX";
	static char buf[65536];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(rf_fwd_stats_write_json(path, &eng, s, 0, err, sizeof(err)), 0);
	FILE *f = fdopen(fd, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "\"role\": \"rx\""));
	assert_non_null(strstr(buf, "\"role\": \"worker\""));
	assert_non_null(strstr(buf, "\"rss_steering\": \"software\""));
}

/*
 * auto picks software steering for a port that does not hash and 4 lcores
 * for 1 RX queue: lcore 1 receives, lcores 2..4 are workers 0..2.
 */
static void test_software_steering(void **state)
{
	struct rf_fwd_snapshot s;
	struct rf_rss_ctx *ctx = rf_rss_ctx_create(NULL, 0, false);
	unsigned want[FLOWS], per_q[RF_MAX_QUEUES_PER_PORT] = {0};
	const uint64_t frames = FLOWS * ROUNDS;

	(void)state;
	assert_non_null(ctx);
	add_port("net_fakefwd0,queues=4,flows=64,log=1");
	assert_int_equal(parse("--nb-cores=4", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	assert_int_equal(eng.steering, RF_FWD_STEER_SOFTWARE);
	assert_non_null(strstr(eng.steering_why, "auto: no port hashes in the device"));
	assert_int_equal(eng.nb_lcores, 4);
	assert_int_equal(eng.lcores[0].lcore_id, 1);
	assert_int_equal(eng.lcores[0].role, RF_FWD_ROLE_RX);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(eng.lcores[1 + k].role, RF_FWD_ROLE_WORKER);
		assert_int_equal(eng.lcores[1 + k].worker, k);
		assert_int_equal(eng.lcores[1 + k].lcore_id, 2 + k);
	}
	assert_int_equal(eng.ports[0].nb_txq, 3); /* one TX queue per worker */
	run_until_done((int64_t)frames, &s);

	assert_int_equal(s.total.rx_packets, frames);
	assert_int_equal(s.total.tx_packets + s.total.dropped, frames);
	assert_int_equal(atomic_load(&nb_log), s.total.tx_packets);
	for (unsigned f = 0; f < FLOWS; f++)
		want[f] = expected_worker(ctx, f, 3);
	check_log(want, per_q, NULL);
	for (unsigned w = 0; w < 3; w++)
		assert_true(per_q[w] > 0); /* every worker carried traffic */
	/* Per lcore: the RX lcore got everything and handed on what did not drop. */
	assert_int_equal(s.lcores[0].rx_packets, frames);
	assert_int_equal(s.lcores[0].tx_packets + s.lcores[0].dropped, frames);
	uint64_t dequeued = 0;
	for (unsigned k = 1; k < 4; k++) {
		dequeued += s.lcores[k].rx_packets;
		assert_int_equal(s.lcores[k].tx_packets, per_q[k - 1]);
	}
	assert_int_equal(dequeued, s.lcores[0].tx_packets);
	assert_int_equal(s.drained, 0);
	check_json_roles(&s);
	assert_int_equal(rf_fwd_engine_close(&eng), 0); /* no mbuf leaked */
	rf_fwd_snapshot_fini(&s);
	rf_rss_ctx_free(ctx);
}

/* --rss-symmetric: both directions of a flow go to one worker. */
static void test_software_symmetric(void **state)
{
	struct rf_fwd_snapshot s;
	struct rf_rss_ctx *sym = rf_rss_ctx_create(NULL, 0, true);
	struct rf_rss_ctx *plain = rf_rss_ctx_create(NULL, 0, false);
	unsigned want[FLOWS], per_q[RF_MAX_QUEUES_PER_PORT] = {0}, dirs[2 * FLOWS] = {0};
	const uint64_t frames = FLOWS * ROUNDS;
	bool plain_splits = false;

	(void)state;
	add_port("net_fakefwd0,queues=4,flows=64,bidir=1,log=1");
	assert_int_equal(parse("--nb-cores=4", "--rss-steering=software", "--rss-symmetric", NULL),
			 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	assert_int_equal(eng.steering, RF_FWD_STEER_SOFTWARE);
	run_until_done((int64_t)frames, &s);

	assert_int_equal(s.total.rx_packets, frames);
	for (unsigned f = 0; f < FLOWS; f++) {
		uint32_t src, dst;
		uint16_t sp, dp;

		want[f] = expected_worker(sym, f, 3);
		/* Without symmetry some flows would split: the test would see it. */
		flow_tuple(f, &src, &dst, &sp, &dp);
		plain_splits |= (rf_rss_hash_ipv4_l4(plain, src, dst, sp, dp) & 127) % 3 !=
				(rf_rss_hash_ipv4_l4(plain, dst, src, dp, sp) & 127) % 3;
	}
	assert_true(plain_splits);
	check_log(want, per_q, dirs);
	for (unsigned w = 0; w < 3; w++)
		assert_true(per_q[w] > 0);
	for (unsigned f = 0; f < FLOWS && s.total.dropped == 0; f++) {
		assert_true(dirs[2 * f] > 0);
		assert_true(dirs[2 * f + 1] > 0);
	}
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
	rf_rss_ctx_free(sym);
	rf_rss_ctx_free(plain);
}

/* --disable-rss: nothing is hashed, everything goes to RETA entry 0's worker. */
static void test_software_disable_rss(void **state)
{
	struct rf_fwd_snapshot s;
	unsigned want[FLOWS], per_q[RF_MAX_QUEUES_PER_PORT] = {0};

	(void)state;
	add_port("net_fakefwd0,queues=4,flows=64,log=1");
	assert_int_equal(parse("--nb-cores=4", "--disable-rss", "--rss-reta=(0,2)", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	assert_int_equal(eng.ports[0].reta.queue[0], 2);
	assert_int_equal(eng.ports[0].reta.queue[1], 1);
	run_until_done(FLOWS * 20, &s);

	for (unsigned f = 0; f < FLOWS; f++)
		want[f] = 2;
	check_log(want, per_q, NULL);
	assert_int_equal(per_q[2], s.total.tx_packets);
	assert_true(per_q[2] > 0);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
}

/* Stopped while the rings hold packets: stop frees them, nothing leaks. */
static void test_software_drain(void **state)
{
	struct rf_mbuf *m[100];
	struct rf_fwd_snapshot s;

	(void)state;
	add_port("net_fakefwd0,queues=4,flows=64");
	assert_int_equal(parse("--nb-cores=4", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_engine_setup(&eng, err, sizeof(err)), 0);
	/* Packets a worker has not dequeued yet, as at a stop under load. */
	for (unsigned i = 0; i < RF_DIM(m); i++)
		assert_non_null(m[i] = rf_pktmbuf_alloc(eng.pools[0]));
	assert_int_equal(rf_ring_sp_enqueue_burst(eng.steer.rings[1], (void *const *)m, 100, NULL),
			 100);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	assert_int_equal(eng.steer.drained, 100);

	/* Under load, stopped at any moment: every packet is sent, dropped or drained. */
	rf_fwd_engine_free(&eng);
	add_port("net_fakefwd1,queues=4,flows=64");
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	atomic_store(&rx_left, INT64_MAX / 2);
	assert_int_equal(rf_fwd_engine_setup(&eng, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_engine_start(&eng, err, sizeof(err)), 0);
	assert_int_equal(rf_fwd_snapshot_init(&s, &eng), 0);
	/* Stop once traffic flows (the 10 s bound only keeps a broken engine from hanging). */
	for (int i = 0; i < 10000; i++) {
		rf_fwd_snapshot_take(&s, &eng);
		if (s.total.tx_packets != 0)
			break;
		sleep_ms(1);
	}
	rf_fwd_engine_stop(&eng);
	rf_fwd_snapshot_take(&s, &eng);
	assert_true(s.total.rx_packets > 0);
	assert_int_equal(s.total.rx_packets, s.total.tx_packets + s.total.dropped + s.drained);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
}

/*
 * Device steering on a port that hashes: as before (a stream per RX queue),
 * with the key, rss_hf and RETA programmed into the device. Its 64-entry
 * table is smaller than the default 128: the engine uses 64.
 */
static void test_device_rss_programmed(void **state)
{
	struct rf_fwd_snapshot s;

	(void)state;
	struct fake_dev *fd = add_port("net_fakefwd0,queues=2,rss=1");
	assert_int_equal(
	    parse("--nb-cores=2", "--rxq=2", "--txq=2", "--rss-udp", "--rss-reta=(1,0)", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, rf_eal_config_get(), err, sizeof(err)), 0);
	assert_int_equal(eng.steering, RF_FWD_STEER_DEVICE);
	assert_non_null(strstr(eng.steering_why, "auto: 1 of 1 port hashes in the device"));
	assert_int_equal(eng.nb_streams, 2);
	assert_int_equal(eng.lcores[0].role, RF_FWD_ROLE_FWD);
	run_until_done(1000, &s);

	assert_int_equal(s.total.tx_packets, 1000);
	assert_int_equal(fd->eth.conf.rss.rss_hf, RF_ETH_RSS_UDP); /* configure */
	assert_int_equal(fd->rss_updates, 1);			   /* start */
	assert_int_equal(fd->rss_conf.rss_hf, RF_ETH_RSS_UDP);
	assert_int_equal(fd->rss_conf.key_len, RF_ETH_RSS_KEY_LEN);
	assert_memory_equal(fd->rss_conf.key, rf_rss_default_key, RF_ETH_RSS_KEY_LEN);
	assert_int_equal(fd->reta_updates, 1);
	for (unsigned i = 0; i < FAKE_RETA_SIZE; i++)
		assert_int_equal(fd->reta[i], i == 1 ? 0 : i % 2);
	assert_int_equal(eng.ports[0].reta.size, FAKE_RETA_SIZE);
	assert_int_equal(s.lcores[0].rx_packets + s.lcores[1].rx_packets, 1000);
	assert_int_equal(rf_fwd_engine_close(&eng), 0);
	rf_fwd_snapshot_fini(&s);
}

/* The plan's refusals and fallbacks, as one-line usage errors. */
static void test_plan_steering(void **state)
{
	struct rf_eal_config c = dry_eal("0-4", 0);

	(void)state;
	add_port("net_fakefwd0,queues=2,rss=1");
	/* Our table must fit the device's when the size is asked for. */
	assert_int_equal(parse("--rss-reta-size=128", "--rxq=2", "--txq=2", "--nb-cores=2", NULL),
			 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--rss-reta-size: port 0 (net_fakefwd0) has a 64-entry RETA, "
				 "fewer than 128; use --rss-reta-size=64 or less");
	/* 3 workers need 3 TX queues; the port has 2. */
	assert_int_equal(parse("--rss-steering=software", "--nb-cores=4", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--rss-steering=software: port 0 (net_fakefwd0) has 2 TX "
				    "queues, fewer than the 3 workers"));
	/* auto: the port hashes itself, so device steering. */
	assert_int_equal(parse("--nb-cores=4", NULL), 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);
	assert_int_equal(eng.steering, RF_FWD_STEER_DEVICE);
	rf_fwd_engine_free(&eng);
	/* A RETA worker beyond the workers, caught once auto has chosen. */
	assert_int_equal(parse("--nb-cores=3", "--rss-steering=software", "--rss-reta=(5,1)", NULL),
			 0);
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), 0);
	assert_int_equal(eng.ports[0].reta.queue[5], 1);
	assert_int_equal(eng.ports[0].reta.nb_queues, 2);
	rf_fwd_engine_free(&eng);
	assert_int_equal(parse("--nb-cores=3", "--rxq=2", "--txq=2", "--rss-reta=(5,1)", NULL), 0);
	opt.rss.reta[0][6] = 2; /* as the shell could leave it */
	assert_int_equal(rf_fwd_engine_plan(&eng, &opt, &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--rss-reta: queue 2 in (6,2) is beyond the 2 RX queues of device "
				 "steering on port 0");
}

int main(void)
{
	/* Lcores 2..4 share the two CPUs: the steering tests run an RX lcore and 3 workers. */
	char *eal_argv[] = {
	    "test_engine",   "-l",	  "0-1,2@0,3@1,4@1", "--no-huge", "-m", "128",
	    "--file-prefix", "rftesteng", "--log-level",     "warning",	  NULL};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_io_counts_everything, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_refused_are_dropped, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_tx_retry_sends_all, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_leak_is_reported, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_two_lcores, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_nb_cores, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_config, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_topologies, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_pool_size, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_software_steering, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_software_symmetric, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_software_disable_rss, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_software_drain, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_device_rss_programmed, setup_test, teardown_test),
	    cmocka_unit_test_setup_teardown(test_plan_steering, setup_test, teardown_test),
	};

	if (rf_eal_init((int)RF_DIM(eal_argv) - 1, eal_argv) < 0) {
		fprintf(stderr, "SKIP: cannot bring up the EAL on lcores 0-4 (CPUs 0,1)\n");
		return 77;
	}
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	rf_eal_cleanup();
	return failed;
}
