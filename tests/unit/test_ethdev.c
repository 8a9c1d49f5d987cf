/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/ethdev: the driver registry, port creation and its error
 * messages, port id allocation, the configure/setup/start/stop/close state
 * machine, bursts through rf_eth_fp_ops, stats, xstats, link, MAC and
 * promiscuous mode, device RSS (key, RETA, rss_hf checks).
 *
 * The device is a loopback driver defined here: TX queue q enqueues into a
 * ring and RX queue q dequeues from the same ring. It exists only to exercise
 * ethdev's logic; it is not a driver of the project.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_ethdev_driver.h"
#include "rf_ring.h"

#define LOOP_RING_SIZE 64 /* packets a loop queue holds */
#define LOOP_MIN_DESC  16
#define LOOP_MAX_DESC  1024
#define LOOP_RETA_SIZE 64 /* rss=1: the RETA the loop device claims */
#define LOOP_RSS_HF    (RF_ETH_RSS_IPV4 | RF_ETH_RSS_UDP | RF_ETH_RSS_TCP)

struct loop_queue {
	struct rf_ring *ring; /* shared by RX and TX queue of the same index */
	uint64_t packets;
	uint64_t bytes;
	uint64_t full; /* TX: packets refused, ring full */
};

struct loop_dev {
	struct rf_eth_dev eth; /* first: recovered with rf_container_of */
	uint16_t max_queues;
	bool fail_start;
	bool rss; /* claims device RSS: dev_info offloads, the four RSS ops */
	unsigned configure_calls;
	unsigned rss_calls; /* RSS ops that reached the driver */
	struct rf_eth_rss_conf rss_conf;
	uint16_t reta[LOOP_RETA_SIZE];
	unsigned start_calls;
	struct rf_ring *rings[RF_MAX_QUEUES_PER_PORT];
	struct loop_queue rxq[RF_MAX_QUEUES_PER_PORT];
	struct loop_queue txq[RF_MAX_QUEUES_PER_PORT];
};

static struct loop_dev *last_probed;
static unsigned loop_closed;

static struct loop_dev *loop_of(struct rf_eth_dev *dev)
{
	return rf_container_of(dev, struct loop_dev, eth);
}

static uint16_t loop_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct loop_queue *q = rxq;
	uint16_t k = (uint16_t)rf_ring_dequeue_burst(q->ring, (void **)pkts, n, NULL);

	for (uint16_t i = 0; i < k; i++)
		q->bytes += pkts[i]->pkt_len;
	q->packets += k;
	return k;
}

static uint16_t loop_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct loop_queue *q = txq;
	uint16_t k = (uint16_t)rf_ring_enqueue_burst(q->ring, (void *const *)pkts, n, NULL);

	for (uint16_t i = 0; i < k; i++)
		q->bytes += pkts[i]->pkt_len;
	q->packets += k;
	q->full += (uint64_t)(n - k);
	return k;
}

static int loop_infos_get(struct rf_eth_dev *dev, struct rf_eth_dev_info *info)
{
	struct loop_dev *ld = loop_of(dev);

	info->max_rx_queues = ld->max_queues;
	info->max_tx_queues = ld->max_queues;
	info->min_rx_desc = LOOP_MIN_DESC;
	info->max_rx_desc = LOOP_MAX_DESC;
	info->min_tx_desc = LOOP_MIN_DESC;
	info->max_tx_desc = LOOP_MAX_DESC;
	info->max_rx_pktlen = 1518;
	if (ld->rss) {
		info->flow_type_rss_offloads = LOOP_RSS_HF;
		info->reta_size = LOOP_RETA_SIZE;
		info->hash_key_size = RF_ETH_RSS_KEY_LEN;
	}
	return 0;
}

static int loop_rss_hash_update(struct rf_eth_dev *dev, const struct rf_eth_rss_conf *conf)
{
	struct loop_dev *ld = loop_of(dev);

	ld->rss_calls++;
	ld->rss_conf = *conf;
	return 0;
}

static int loop_rss_hash_conf_get(struct rf_eth_dev *dev, struct rf_eth_rss_conf *conf)
{
	struct loop_dev *ld = loop_of(dev);

	ld->rss_calls++;
	*conf = ld->rss_conf;
	return 0;
}

static int loop_reta_update(struct rf_eth_dev *dev, const uint16_t *reta, uint16_t size)
{
	struct loop_dev *ld = loop_of(dev);

	ld->rss_calls++;
	memcpy(ld->reta, reta, sizeof(reta[0]) * size);
	return 0;
}

static int loop_reta_query(struct rf_eth_dev *dev, uint16_t *reta, uint16_t size)
{
	struct loop_dev *ld = loop_of(dev);

	ld->rss_calls++;
	memcpy(reta, ld->reta, sizeof(reta[0]) * size);
	return 0;
}

static int loop_configure(struct rf_eth_dev *dev)
{
	loop_of(dev)->configure_calls++;
	return 0;
}

static int loop_rx_queue_setup(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket,
			       struct rf_mempool *mp)
{
	struct loop_dev *ld = loop_of(dev);

	(void)nb_desc;
	(void)socket;
	(void)mp;
	ld->rxq[q].ring = ld->rings[q];
	dev->rxq[q] = &ld->rxq[q];
	return 0;
}

static int loop_tx_queue_setup(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket)
{
	struct loop_dev *ld = loop_of(dev);

	(void)nb_desc;
	(void)socket;
	ld->txq[q].ring = ld->rings[q];
	dev->txq[q] = &ld->txq[q];
	return 0;
}

static int loop_start(struct rf_eth_dev *dev)
{
	struct loop_dev *ld = loop_of(dev);

	ld->start_calls++;
	return ld->fail_start ? -EIO : 0;
}

static int loop_stop(struct rf_eth_dev *dev)
{
	(void)dev;
	return 0;
}

static int loop_close(struct rf_eth_dev *dev)
{
	struct loop_dev *ld = loop_of(dev);
	void *m;

	for (unsigned q = 0; q < ld->max_queues; q++) {
		while (rf_ring_dequeue(ld->rings[q], &m) == 0)
			rf_pktmbuf_free(m);
		rf_ring_free(ld->rings[q]);
	}
	free(ld);
	loop_closed++;
	return 0;
}

/* Per-queue counters only, plus one port-wide counter: ethdev makes the totals. */
static int loop_stats_get(struct rf_eth_dev *dev, struct rf_eth_stats *st)
{
	struct loop_dev *ld = loop_of(dev);

	for (unsigned q = 0; q < ld->max_queues; q++) {
		st->q_ipackets[q] = ld->rxq[q].packets;
		st->q_ibytes[q] = ld->rxq[q].bytes;
		st->q_opackets[q] = ld->txq[q].packets;
		st->q_obytes[q] = ld->txq[q].bytes;
		st->oerrors += ld->txq[q].full;
	}
	return 0;
}

static int loop_stats_reset(struct rf_eth_dev *dev)
{
	struct loop_dev *ld = loop_of(dev);

	for (unsigned q = 0; q < ld->max_queues; q++) {
		ld->rxq[q] = (struct loop_queue){.ring = ld->rxq[q].ring};
		ld->txq[q] = (struct loop_queue){.ring = ld->txq[q].ring};
	}
	return 0;
}

static int loop_xstats_get(struct rf_eth_dev *dev, struct rf_eth_xstat *xs, unsigned n)
{
	struct loop_dev *ld = loop_of(dev);

	if (n >= 1) {
		snprintf(xs[0].name, sizeof(xs[0].name), "loop_configure_calls");
		xs[0].value = ld->configure_calls;
	}
	return 1;
}

static int loop_promiscuous_set(struct rf_eth_dev *dev, int on)
{
	(void)dev;
	(void)on;
	return 0;
}

static const struct rf_eth_dev_ops loop_ops = {
    .dev_infos_get = loop_infos_get,
    .dev_configure = loop_configure,
    .rx_queue_setup = loop_rx_queue_setup,
    .tx_queue_setup = loop_tx_queue_setup,
    .dev_start = loop_start,
    .dev_stop = loop_stop,
    .dev_close = loop_close,
    .stats_get = loop_stats_get,
    .stats_reset = loop_stats_reset,
    .xstats_get = loop_xstats_get,
};

/* The same device, able to go promiscuous. */
static struct rf_eth_dev_ops loop_promisc_ops;
/* The same device, with RSS ops (devarg rss=1). */
static struct rf_eth_dev_ops loop_rss_ops;

static int loop_probe(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		      char *err, size_t errlen)
{
	uint32_t queues;
	int promisc, link, fail_start, rss;
	struct rf_ether_addr mac = {{0}}; /* none without mac=: ethdev draws one */
	int rc;

	rc = rf_devargs_get_u32(args, "queues", 4, 1, RF_MAX_QUEUES_PER_PORT, &queues, err, errlen);
	if (rc < 0)
		return rc;
	if ((rc = rf_devargs_get_bool(args, "promisc", 0, &promisc, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(args, "link", 0, &link, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(args, "fail_start", 0, &fail_start, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(args, "rss", 0, &rss, err, errlen)) < 0)
		return rc;
	const char *m = rf_devargs_get(args, "mac");
	if (m != NULL && rf_ether_addr_parse(m, &mac) < 0) {
		snprintf(err, errlen, "mac=%s: not a MAC address", m);
		return -EINVAL;
	}

	struct loop_dev *ld = calloc(1, sizeof(*ld));
	if (ld == NULL)
		return -ENOMEM;
	ld->max_queues = (uint16_t)queues;
	ld->fail_start = fail_start;
	ld->rss = rss;
	for (unsigned q = 0; q < queues; q++) {
		ld->rings[q] =
		    rf_ring_create(NULL, LOOP_RING_SIZE, -1,
				   RF_RING_F_SP_ENQ | RF_RING_F_SC_DEQ | RF_RING_F_EXACT_SZ);
		assert_non_null(ld->rings[q]);
	}
	snprintf(ld->eth.name, sizeof(ld->eth.name), "%s", name);
	ld->eth.ops = rss ? &loop_rss_ops : promisc ? &loop_promisc_ops : &loop_ops;
	ld->eth.mac = mac;
	ld->eth.rx_burst = loop_rx_burst;
	ld->eth.tx_burst = loop_tx_burst;
	/* A device that finds its link up while probing, as a connecting vhost-user port does. */
	if (link)
		rf_eth_dev_set_link(&ld->eth, 1);
	last_probed = ld;
	*out = &ld->eth;
	return 0;
}

static const char *const loop_keys[] = {"queues",     "mac", "promisc", "link",
					"fail_start", "rss", NULL};
static const struct rf_eth_driver loop_driver = {
    .name = "net_loop",
    .valid_keys = loop_keys,
    .probe = loop_probe,
};

static int dup_probe(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		     char *err, size_t errlen)
{
	(void)name;
	(void)args;
	(void)out;
	snprintf(err, errlen, "the duplicate driver was called");
	return -EPERM;
}

static const struct rf_eth_driver dup_driver = {
    .name = "net_loop",
    .valid_keys = loop_keys,
    .probe = dup_probe,
};

static struct rf_mempool *pool;

static char *eal_argv[] = {"test_ethdev", "--no-huge", "-l",	    "0",	   "-m",
			   "64",	  "--vdev",    "net_loop7", "--log-level", "err"};

static int group_setup(void **state)
{
	(void)state;
	loop_promisc_ops = loop_ops;
	loop_promisc_ops.promiscuous_set = loop_promiscuous_set;
	loop_rss_ops = loop_ops;
	loop_rss_ops.rss_hash_update = loop_rss_hash_update;
	loop_rss_ops.rss_hash_conf_get = loop_rss_hash_conf_get;
	loop_rss_ops.reta_update = loop_reta_update;
	loop_rss_ops.reta_query = loop_reta_query;
	rf_eth_driver_register(&loop_driver);
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0)
		return -1;
	pool = rf_pktmbuf_pool_create("test_ethdev", 256, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	return pool == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rf_mempool_free(pool);
	rf_eal_cleanup();
	return 0;
}

/* Each test starts and must end with no ports and every mbuf in the pool. */
static int teardown(void **state)
{
	uint16_t p;
	int rc = 0;
	(void)state;

	RF_ETH_FOREACH_DEV(p)
	{
		fprintf(stderr, "port %u left open\n", p);
		rf_eth_dev_close(p);
		rc = -1;
	}
	if (rf_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "%u mbufs leaked\n", rf_mempool_in_use_count(pool));
		rc = -1;
	}
	return rc;
}

static void assert_contains(const char *s, const char *what)
{
	if (strstr(s, what) == NULL)
		fail_msg("'%s' does not contain '%s'", s, what);
}

/* Runs fn with stderr (where rf_log writes) going to a file; returns what was written. */
static char *capture_stderr(void (*fn)(void *), void *arg)
{
	static char text[4096];
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn(arg);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	size_t n = fread(text, 1, sizeof(text) - 1, tmp);
	text[n] = '\0';
	fclose(tmp);
	return text;
}

static uint16_t create_ok(const char *devargs)
{
	char err[256] = "";
	uint16_t port = UINT16_MAX;

	int rc = rf_eth_dev_create(devargs, &port, err, sizeof(err));
	if (rc != 0)
		fail_msg("create '%s': %d: %s", devargs, rc, err);
	return port;
}

/* Configure nq queue pairs of 64 descriptors and start. */
static void bring_up(uint16_t port, uint16_t nq)
{
	assert_int_equal(rf_eth_dev_configure(port, nq, nq, NULL), 0);
	for (uint16_t q = 0; q < nq; q++) {
		assert_int_equal(rf_eth_rx_queue_setup(port, q, 64, -1, pool), 0);
		assert_int_equal(rf_eth_tx_queue_setup(port, q, 64, -1), 0);
	}
	assert_int_equal(rf_eth_dev_start(port), 0);
}

static void test_probe_eal_vdevs(void **state)
{
	char err[256] = "";
	(void)state;

	assert_int_equal(rf_eth_dev_count_avail(), 0);
	assert_int_equal(rf_eth_dev_probe_eal_vdevs(err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_count_avail(), 1);
	assert_string_equal(rf_eth_dev_name(0), "net_loop7");
	assert_int_equal(rf_eth_dev_close(0), 0);
}

static void do_register_dup(void *arg)
{
	(void)arg;
	rf_eth_driver_register(&dup_driver);
}

static void test_driver_registry(void **state)
{
	(void)state;
	assert_ptr_equal(rf_eth_driver_find("net_loop"), &loop_driver);
	assert_null(rf_eth_driver_find("net_loo"));
	assert_null(rf_eth_driver_find("net_loop0"));

	/* A second driver of the same name is refused, loudly, and the first one stays. */
	const char *log = capture_stderr(do_register_dup, NULL);
	assert_contains(log, "net_loop");
	assert_contains(log, "twice");
	assert_ptr_equal(rf_eth_driver_find("net_loop"), &loop_driver);
	uint16_t p = create_ok("net_loop0");
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static void expect_create_error(const char *devargs, int want, const char *msg)
{
	char err[256] = "";
	uint16_t port = 1234;

	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), want);
	assert_contains(err, msg);
	assert_int_equal(port, 1234);
}

static void test_create_errors(void **state)
{
	(void)state;
	expect_create_error("net_foo0", -EINVAL,
			    "unknown device 'net_foo0': no driver 'net_foo' (known: ");
	expect_create_error("net_foo0", -EINVAL, "net_loop");
	expect_create_error("net_loop0,bogus=1", -EINVAL, "unknown key 'bogus'");
	expect_create_error("net_loop0,queues=0", -EINVAL, "queues=0: must be between 1 and 16");
	expect_create_error("net_loop0,mac=zz", -EINVAL, "mac=zz");
	expect_create_error("net_loop0,queues", -EINVAL, "key 'queues' has no value");
	expect_create_error("", -EINVAL, "empty");
	assert_int_equal(rf_eth_dev_count_avail(), 0);

	uint16_t p = create_ok("net_loop0");
	expect_create_error("net_loop0,queues=2", -EEXIST, "already exists");
	assert_int_equal(rf_eth_dev_count_avail(), 1);
	assert_int_equal(rf_eth_dev_close(p), 0);
	/* No err buffer is fine. */
	assert_int_equal(rf_eth_dev_create("net_foo0", &p, NULL, 0), -EINVAL);
}

static void test_port_ids(void **state)
{
	(void)state;
	unsigned closed = loop_closed;

	assert_int_equal(create_ok("net_loop0"), 0);
	assert_int_equal(create_ok("net_loop1"), 1);
	assert_int_equal(create_ok("net_loop2"), 2);
	assert_int_equal(rf_eth_dev_count_avail(), 3);
	assert_true(rf_eth_dev_is_valid_port(1));
	assert_false(rf_eth_dev_is_valid_port(3));
	assert_false(rf_eth_dev_is_valid_port(UINT16_MAX));
	assert_string_equal(rf_eth_dev_name(1), "net_loop1");
	assert_null(rf_eth_dev_name(3));

	/* Closing frees the id; the next port gets the lowest free one. */
	assert_int_equal(rf_eth_dev_close(1), 0);
	assert_int_equal(loop_closed, closed + 1);
	assert_false(rf_eth_dev_is_valid_port(1));
	assert_int_equal(rf_eth_dev_close(1), -ENODEV);
	assert_int_equal(create_ok("net_loop5"), 1);
	assert_string_equal(rf_eth_dev_name(1), "net_loop5");
	assert_int_equal(create_ok("net_loop1"), 3);
	assert_int_equal(last_probed->eth.port_id, 3);
	assert_ptr_equal(last_probed->eth.driver, &loop_driver);

	uint16_t p, n = 0;
	RF_ETH_FOREACH_DEV(p)
	{
		n++;
	}
	assert_int_equal(n, 4);
	for (p = 0; p < 4; p++)
		assert_int_equal(rf_eth_dev_close(p), 0);
	assert_int_equal(rf_eth_dev_count_avail(), 0);
}

static void test_port_table_full(void **state)
{
	char name[32];
	(void)state;

	for (unsigned i = 0; i < RF_MAX_ETHPORTS; i++) {
		snprintf(name, sizeof(name), "net_loop%u,queues=1", i);
		assert_int_equal(create_ok(name), i);
	}
	unsigned closed = loop_closed;
	expect_create_error("net_loop999,queues=1", -ENOSPC, "no free port");
	/* Refused before probing: no device was brought up and torn down. */
	assert_int_equal(loop_closed, closed);
	for (unsigned i = 0; i < RF_MAX_ETHPORTS; i++)
		assert_int_equal(rf_eth_dev_close((uint16_t)i), 0);
}

static void test_bad_port(void **state)
{
	static const uint16_t bad[] = {0, 7, RF_MAX_ETHPORTS, UINT16_MAX};
	struct rf_eth_dev_info info;
	struct rf_eth_stats st;
	struct rf_eth_xstat xs[2];
	struct rf_eth_link link;
	struct rf_ether_addr mac;
	(void)state;

	for (size_t i = 0; i < RF_DIM(bad); i++) {
		uint16_t p = bad[i];
		assert_int_equal(rf_eth_dev_info_get(p, &info), -ENODEV);
		assert_int_equal(rf_eth_dev_configure(p, 1, 1, NULL), -ENODEV);
		assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), -ENODEV);
		assert_int_equal(rf_eth_tx_queue_setup(p, 0, 64, -1), -ENODEV);
		assert_int_equal(rf_eth_dev_start(p), -ENODEV);
		assert_int_equal(rf_eth_dev_stop(p), -ENODEV);
		assert_int_equal(rf_eth_dev_close(p), -ENODEV);
		assert_int_equal(rf_eth_stats_get(p, &st), -ENODEV);
		assert_int_equal(rf_eth_stats_reset(p), -ENODEV);
		assert_int_equal(rf_eth_xstats_get(p, xs, 2), -ENODEV);
		assert_int_equal(rf_eth_link_get_nowait(p, &link), -ENODEV);
		assert_int_equal(rf_eth_macaddr_get(p, &mac), -ENODEV);
		assert_int_equal(rf_eth_promiscuous_enable(p), -ENODEV);
		assert_int_equal(rf_eth_promiscuous_disable(p), -ENODEV);
		assert_int_equal(rf_eth_promiscuous_get(p), -ENODEV);
	}
}

static void test_state_machine(void **state)
{
	struct rf_eth_dev_info info;
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=4,rss=1");

	assert_int_equal(rf_eth_dev_info_get(p, &info), 0);
	assert_string_equal(info.driver_name, "net_loop");
	assert_int_equal(info.max_rx_queues, 4);

	/* Nothing works before configure. */
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), -EINVAL);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, 64, -1), -EINVAL);
	assert_int_equal(rf_eth_dev_start(p), -EINVAL);

	assert_int_equal(rf_eth_dev_configure(p, 0, 0, NULL), -EINVAL);
	assert_int_equal(rf_eth_dev_configure(p, 5, 1, NULL), -EINVAL);
	assert_int_equal(rf_eth_dev_configure(p, 1, 5, NULL), -EINVAL);
	assert_int_equal(last_probed->configure_calls, 0);
	struct rf_eth_conf conf = {.rss.rss_hf = RF_ETH_RSS_IPV4 | RF_ETH_RSS_UDP};
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, &conf), 0);
	assert_int_equal(last_probed->configure_calls, 1);
	assert_int_equal(last_probed->eth.conf.rss.rss_hf, conf.rss.rss_hf);
	assert_int_equal(last_probed->eth.nb_rx_queues, 2);

	/* Queue ids and ring sizes. */
	assert_int_equal(rf_eth_rx_queue_setup(p, 2, 64, -1, pool), -EINVAL);
	assert_int_equal(rf_eth_tx_queue_setup(p, 2, 64, -1), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 100, -1, pool), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 8, -1, pool), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 2048, -1, pool), -EINVAL);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, 0, -1), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, NULL), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, LOOP_MIN_DESC, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, LOOP_MAX_DESC, -1), 0);

	/* Queue 1 is not set up yet. */
	assert_int_equal(rf_eth_dev_start(p), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 1, 64, -1, pool), 0);
	assert_int_equal(rf_eth_dev_start(p), -EINVAL);
	assert_int_equal(rf_eth_tx_queue_setup(p, 1, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(p), 0);
	assert_int_equal(last_probed->eth.started, 1);
	assert_int_equal(last_probed->start_calls, 1);

	/* Started: no reconfiguration; start again is a no-op. */
	assert_int_equal(rf_eth_dev_configure(p, 1, 1, NULL), -EBUSY);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), -EBUSY);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, 64, -1), -EBUSY);
	assert_int_equal(rf_eth_dev_start(p), 0);
	assert_int_equal(last_probed->start_calls, 1);

	assert_int_equal(rf_eth_dev_stop(p), 0);
	assert_int_equal(last_probed->eth.started, 0);
	assert_int_equal(rf_eth_dev_stop(p), 0);

	/* Shrinking keeps the queues that remain set up; growing needs the new ones set up. */
	assert_int_equal(rf_eth_dev_configure(p, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_dev_start(p), 0);
	assert_int_equal(rf_eth_dev_stop(p), 0);
	assert_int_equal(rf_eth_dev_configure(p, 3, 1, NULL), 0);
	assert_int_equal(rf_eth_dev_start(p), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 2, 64, -1, pool), 0);
	/* Queue 1 went away with the shrink: its old setup does not count. */
	assert_int_equal(rf_eth_dev_start(p), -EINVAL);
	assert_int_equal(rf_eth_rx_queue_setup(p, 1, 64, -1, pool), 0);
	assert_int_equal(rf_eth_dev_start(p), 0);

	/* Close stops a started port. */
	assert_int_equal(rf_eth_dev_close(p), 0);
	assert_false(rf_eth_dev_is_valid_port(p));
}

static void test_start_failure(void **state)
{
	struct rf_mbuf *m = NULL;
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=1,fail_start=1");

	assert_int_equal(rf_eth_dev_configure(p, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(p), -EIO);
	assert_int_equal(last_probed->eth.started, 0);
	/* The data path still sees the dummy bursts. */
	assert_int_equal(rf_eth_rx_burst(p, 0, &m, 1), 0);
	assert_ptr_equal(rf_eth_fp_ops[p].rxq[0], NULL);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static void make_pkts(struct rf_mbuf **pkts, unsigned n, uint16_t len)
{
	assert_int_equal(rf_pktmbuf_alloc_bulk(pool, pkts, n), 0);
	for (unsigned i = 0; i < n; i++) {
		assert_non_null(rf_pktmbuf_append(pkts[i], len));
		pkts[i]->seqn = i;
	}
}

static void test_burst(void **state)
{
	struct rf_mbuf *tx[LOOP_RING_SIZE + 8], *rx[LOOP_RING_SIZE + 8];
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=2");

	make_pkts(tx, 8, 60);
	/* Created, configured, even set up: the bursts do nothing until start. */
	assert_int_equal(rf_eth_tx_burst(p, 0, tx, 8), 0);
	assert_int_equal(rf_eth_rx_burst(p, 0, rx, 8), 0);
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, NULL), 0);
	assert_int_equal(rf_eth_tx_burst(p, 0, tx, 8), 0);

	assert_int_equal(rf_eth_rx_queue_setup(p, 0, 64, -1, pool), 0);
	assert_int_equal(rf_eth_rx_queue_setup(p, 1, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(p, 0, 64, -1), 0);
	assert_int_equal(rf_eth_tx_queue_setup(p, 1, 64, -1), 0);
	assert_int_equal(rf_eth_tx_burst(p, 1, tx, 8), 0);
	assert_int_equal(rf_eth_dev_start(p), 0);
	assert_ptr_equal(rf_eth_fp_ops[p].txq[1], &last_probed->txq[1]);
	assert_ptr_equal(rf_eth_fp_ops[p].rxq[0], &last_probed->rxq[0]);

	assert_int_equal(rf_eth_tx_burst(p, 1, tx, 8), 8);
	assert_int_equal(rf_eth_rx_burst(p, 0, rx, 8), 0);
	assert_int_equal(rf_eth_rx_burst(p, 1, rx, 5), 5);
	assert_int_equal(rf_eth_rx_burst(p, 1, rx + 5, 8), 3);
	for (unsigned i = 0; i < 8; i++)
		assert_ptr_equal(rx[i], tx[i]);
	rf_pktmbuf_free_bulk(rx, 8);

	/* More than the queue holds: the rest stays the caller's. */
	make_pkts(tx, LOOP_RING_SIZE + 8, 100);
	uint16_t sent = rf_eth_tx_burst(p, 0, tx, LOOP_RING_SIZE + 8);
	assert_int_equal(sent, LOOP_RING_SIZE);
	rf_pktmbuf_free_bulk(tx + sent, 8);

	/* Stopped: the bursts are dummies again, the queued packets wait. */
	assert_int_equal(rf_eth_dev_stop(p), 0);
	assert_int_equal(rf_eth_rx_burst(p, 0, rx, 8), 0);
	assert_int_equal(rf_eth_dev_start(p), 0);
	assert_int_equal(rf_eth_rx_burst(p, 0, rx, 8), 8);
	rf_pktmbuf_free_bulk(rx, 8);

	/* Close gives the packets still queued back to the pool (checked by teardown). */
	assert_int_equal(rf_eth_dev_close(p), 0);
	assert_int_equal(rf_eth_rx_burst(p, 0, rx, 8), 0);
}

static uint64_t xstat_value(const struct rf_eth_xstat *xs, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	fail_msg("no xstat '%s'", name);
	return 0;
}

static void test_stats(void **state)
{
	struct rf_mbuf *pkts[LOOP_RING_SIZE + 4];
	struct rf_eth_stats st;
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=2");

	bring_up(p, 2);
	make_pkts(pkts, 10, 100);
	assert_int_equal(rf_eth_tx_burst(p, 0, pkts, 10), 10);
	make_pkts(pkts, 5, 64);
	assert_int_equal(rf_eth_tx_burst(p, 1, pkts, 5), 5);
	assert_int_equal(rf_eth_rx_burst(p, 0, pkts, 4), 4);
	rf_pktmbuf_free_bulk(pkts, 4);
	assert_int_equal(rf_eth_rx_burst(p, 1, pkts, 5), 5);
	rf_pktmbuf_free_bulk(pkts, 5);

	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.q_opackets[0], 10);
	assert_int_equal(st.q_opackets[1], 5);
	assert_int_equal(st.opackets, 15);
	assert_int_equal(st.obytes, 10 * 100 + 5 * 64);
	assert_int_equal(st.ipackets, 9);
	assert_int_equal(st.q_ipackets[0], 4);
	assert_int_equal(st.ibytes, 4 * 100 + 5 * 64);
	assert_int_equal(st.oerrors, 0);
	assert_int_equal(rf_eth_stats_get(p, NULL), -EINVAL);

	/* xstats: the generic ones, then the driver's. */
	int n = rf_eth_xstats_get(p, NULL, 0);
	assert_int_equal(n, 9 + 3 * 2 + 2 * 2 + 1);
	struct rf_eth_xstat *xs = calloc((size_t)n, sizeof(*xs));
	assert_non_null(xs);
	assert_int_equal(rf_eth_xstats_get(p, xs, (unsigned)n), n);
	assert_int_equal(xstat_value(xs, n, "rx_good_packets"), 9);
	assert_int_equal(xstat_value(xs, n, "tx_good_bytes"), 10 * 100 + 5 * 64);
	assert_int_equal(xstat_value(xs, n, "rx_q1_packets"), 5);
	assert_int_equal(xstat_value(xs, n, "tx_q0_packets"), 10);
	assert_string_equal(xs[n - 1].name, "loop_configure_calls");
	assert_int_equal(xs[n - 1].value, 1);
	/* Too small an array: filled as far as it goes, the full count returned. */
	memset(xs, 0, (size_t)n * sizeof(*xs));
	assert_int_equal(rf_eth_xstats_get(p, xs, 3), n);
	assert_string_equal(xs[0].name, "rx_good_packets");
	assert_string_equal(xs[3].name, "");
	assert_int_equal(rf_eth_xstats_get(p, NULL, 3), -EINVAL);
	free(xs);

	/* Empty queue 0 (6 left), then start counting again from zero. */
	assert_int_equal(rf_eth_rx_burst(p, 0, pkts, LOOP_RING_SIZE), 6);
	rf_pktmbuf_free_bulk(pkts, 6);
	assert_int_equal(rf_eth_stats_reset(p), 0);
	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.ipackets, 0);
	assert_int_equal(st.opackets, 0);
	assert_int_equal(st.q_opackets[0], 0);

	/* Refused packets count as oerrors. */
	make_pkts(pkts, LOOP_RING_SIZE + 4, 60);
	assert_int_equal(rf_eth_tx_burst(p, 0, pkts, LOOP_RING_SIZE + 4), LOOP_RING_SIZE);
	rf_pktmbuf_free_bulk(pkts + LOOP_RING_SIZE, 4);
	assert_int_equal(rf_eth_stats_get(p, &st), 0);
	assert_int_equal(st.oerrors, 4);
	assert_int_equal(st.opackets, LOOP_RING_SIZE);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static void set_link_up(void *dev)
{
	rf_eth_dev_set_link(dev, 1);
}

static void set_link_down(void *dev)
{
	rf_eth_dev_set_link(dev, 0);
}

static void create_with_link(void *port)
{
	*(uint16_t *)port = create_ok("net_loop0,link=1");
}

static void test_link(void **state)
{
	struct rf_eth_link link;
	enum rf_log_level saved = rf_log_get_level();
	(void)state;

	rf_log_set_level(RF_LOG_NOTICE);
	uint16_t p = create_ok("net_loop0");
	struct rf_eth_dev *dev = &last_probed->eth;
	assert_int_equal(rf_eth_link_get_nowait(p, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_DOWN);
	assert_int_equal(rf_eth_link_get_nowait(p, NULL), -EINVAL);

	const char *log = capture_stderr(set_link_up, dev);
	assert_contains(log, "Port 0: link up");
	assert_int_equal(rf_eth_link_get_nowait(p, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_UP);
	assert_int_equal(link.full_duplex, 1);

	/* No transition, no message. */
	log = capture_stderr(set_link_up, dev);
	assert_null(strstr(log, "link"));

	log = capture_stderr(set_link_down, dev);
	assert_contains(log, "Port 0: link down");
	assert_int_equal(rf_eth_link_get_nowait(p, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_DOWN);
	assert_int_equal(rf_eth_dev_close(p), 0);

	/* Link up found during probe: named by device, before it has a port id. */
	p = UINT16_MAX;
	log = capture_stderr(create_with_link, &p);
	assert_contains(log, "net_loop0: link up");
	assert_int_equal(rf_eth_link_get_nowait(p, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_UP);
	assert_int_equal(rf_eth_dev_close(p), 0);
	rf_log_set_level(saved);
}

static void test_mac_promisc(void **state)
{
	struct rf_ether_addr mac;
	char buf[32];
	(void)state;
	uint16_t p = create_ok("net_loop0,mac=02:aa:bb:cc:dd:0e");
	uint16_t q = create_ok("net_loop1,promisc=1");

	assert_int_equal(rf_eth_macaddr_get(p, &mac), 0);
	rf_ether_addr_format(buf, sizeof(buf), &mac);
	assert_string_equal(buf, "02:aa:bb:cc:dd:0e");
	assert_int_equal(rf_eth_macaddr_get(p, NULL), -EINVAL);

	assert_int_equal(rf_eth_promiscuous_enable(p), -ENOTSUP);
	assert_int_equal(rf_eth_promiscuous_disable(p), -ENOTSUP);
	assert_int_equal(rf_eth_promiscuous_get(p), 0);

	assert_int_equal(rf_eth_promiscuous_get(q), 0);
	assert_int_equal(rf_eth_promiscuous_enable(q), 0);
	assert_int_equal(rf_eth_promiscuous_get(q), 1);
	assert_int_equal(rf_eth_promiscuous_disable(q), 0);
	assert_int_equal(rf_eth_promiscuous_get(q), 0);

	assert_int_equal(rf_eth_dev_close(p), 0);
	assert_int_equal(rf_eth_dev_close(q), 0);
}

/*
 * A port probed without an address gets a random locally administered
 * unicast one, different per port and never a default peer
 * (02:00:00:00:00:NN), so two ports behind a learning switch never send to
 * themselves. A configured one is kept as given.
 */
static void test_mac_random(void **state)
{
	struct rf_eth_dev_info info;
	struct rf_ether_addr m[8], given;
	uint16_t ports[8];
	(void)state;

	for (unsigned i = 0; i < RF_DIM(ports); i++) {
		char name[32];

		snprintf(name, sizeof(name), "net_loop%u", i);
		ports[i] = create_ok(name);
		assert_int_equal(rf_eth_macaddr_get(ports[i], &m[i]), 0);
		assert_int_equal(m[i].addr_bytes[0] & 0x03, 0x02); /* unicast, local */
		assert_true((m[i].addr_bytes[1] | m[i].addr_bytes[2] | m[i].addr_bytes[3] |
			     m[i].addr_bytes[4]) != 0);
		assert_int_equal(rf_eth_dev_info_get(ports[i], &info), 0);
		assert_true(info.mac_random);
		for (unsigned j = 0; j < i; j++)
			assert_memory_not_equal(&m[i], &m[j], sizeof(m[i]));
	}
	for (unsigned i = 0; i < RF_DIM(ports); i++)
		assert_int_equal(rf_eth_dev_close(ports[i]), 0);

	uint16_t p = create_ok("net_loop0,mac=02:00:00:00:00:01");
	assert_int_equal(rf_eth_macaddr_get(p, &given), 0);
	assert_memory_equal(given.addr_bytes, ((uint8_t[]){0x02, 0, 0, 0, 0, 0x01}), 6);
	assert_int_equal(rf_eth_dev_info_get(p, &info), 0);
	assert_false(info.mac_random);
	assert_int_equal(rf_eth_dev_close(p), 0);

	/* The rule itself, many times over. */
	for (unsigned k = 0; k < 100000; k++) {
		struct rf_ether_addr a;

		assert_int_equal(rf_ether_random_addr(&a), 0);
		assert_int_equal(a.addr_bytes[0] & 0x03, 0x02);
		assert_true(
		    (a.addr_bytes[1] | a.addr_bytes[2] | a.addr_bytes[3] | a.addr_bytes[4]) != 0);
	}
}

static void test_ether_addr(void **state)
{
	static const char *const bad[] = {
	    "",
	    "02:00:00:00:00",
	    "02:00:00:00:00:01:",
	    "02:00:00:00:00:0g",
	    "02-00:00:00:00:01",
	    "2:00:00:00:00:001",
	    "02.00.00.00.00.01",
	    "0200:0000:0001",
	};
	struct rf_ether_addr a, before = {{1, 2, 3, 4, 5, 6}};
	char buf[RF_ETHER_ADDR_LEN * 3];
	(void)state;

	assert_int_equal(rf_ether_addr_parse("02:00:0A:ff:10:01", &a), 0);
	assert_memory_equal(a.addr_bytes, ((uint8_t[]){0x02, 0, 0x0a, 0xff, 0x10, 0x01}), 6);
	rf_ether_addr_format(buf, sizeof(buf), &a);
	assert_string_equal(buf, "02:00:0a:ff:10:01");
	assert_int_equal(rf_ether_addr_parse("02-00-0a-ff-10-01", &a), 0);
	assert_int_equal(a.addr_bytes[2], 0x0a);

	for (size_t i = 0; i < RF_DIM(bad); i++) {
		a = before;
		assert_int_equal(rf_ether_addr_parse(bad[i], &a), -EINVAL);
		assert_memory_equal(&a, &before, sizeof(a));
	}
	assert_int_equal(rf_ether_addr_parse(NULL, &a), -EINVAL);
}

/* A device without RSS: every RSS call is -ENOTSUP, configure takes only rss_hf 0. */
static void test_rss_no_device_rss(void **state)
{
	struct rf_eth_dev_info info;
	struct rf_eth_rss_conf rc_conf = {.rss_hf = 0};
	uint16_t reta[LOOP_RETA_SIZE] = {0};
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=2");

	assert_int_equal(rf_eth_dev_info_get(p, &info), 0);
	assert_int_equal(info.flow_type_rss_offloads, 0);
	assert_int_equal(info.reta_size, 0);
	struct rf_eth_conf conf = {.rss.rss_hf = RF_ETH_RSS_IPV4};
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, &conf), -EINVAL);
	assert_int_equal(last_probed->configure_calls, 0);
	conf.rss.rss_hf = 0;
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, &conf), 0);
	assert_int_equal(rf_eth_dev_rss_hash_update(p, &rc_conf), -ENOTSUP);
	assert_int_equal(rf_eth_dev_rss_hash_conf_get(p, &rc_conf), -ENOTSUP);
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE), -ENOTSUP);
	assert_int_equal(rf_eth_dev_rss_reta_query(p, reta, LOOP_RETA_SIZE), -ENOTSUP);
	assert_int_equal(rf_eth_dev_rss_hash_update(RF_MAX_ETHPORTS, &rc_conf), -ENODEV);
	assert_int_equal(rf_eth_dev_rss_reta_query(RF_MAX_ETHPORTS - 1, reta, 1), -ENODEV);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

struct configure_call {
	uint16_t port;
	const struct rf_eth_conf *conf;
	int rc;
};

static void configure_fn(void *arg)
{
	struct configure_call *c = arg;

	c->rc = rf_eth_dev_configure(c->port, 2, 2, c->conf);
}

/* rss_hf bits the device cannot hash fail configure, with a log line, and change nothing. */
static void test_rss_configure_hf(void **state)
{
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=2,rss=1");
	struct rf_eth_conf conf = {.rss.rss_hf = RF_ETH_RSS_IPV4 | RF_ETH_RSS_IPV6};
	struct configure_call call = {.port = p, .conf = &conf};

	char *log = capture_stderr(configure_fn, &call);
	assert_int_equal(call.rc, -EINVAL);
	assert_contains(log, "Port 0");
	assert_contains(log, "0x8"); /* the bit it cannot hash: RF_ETH_RSS_IPV6 */
	assert_int_equal(last_probed->configure_calls, 0);
	assert_int_equal(last_probed->eth.nb_rx_queues, 0);
	conf.rss.rss_hf = LOOP_RSS_HF;
	conf.rss.key_len = 16; /* neither 0 nor 40 */
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, &conf), -EINVAL);
	conf.rss.key_len = RF_ETH_RSS_KEY_LEN;
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, &conf), 0);
	assert_int_equal(last_probed->configure_calls, 1);
	assert_int_equal(last_probed->eth.conf.rss.rss_hf, LOOP_RSS_HF);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static void test_rss_key(void **state)
{
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=2,rss=1");
	struct rf_eth_rss_conf c = {.rss_hf = RF_ETH_RSS_TCP, .key_len = RF_ETH_RSS_KEY_LEN};
	struct rf_eth_rss_conf got;

	for (unsigned i = 0; i < RF_ETH_RSS_KEY_LEN; i++)
		c.key[i] = (uint8_t)(i * 3 + 1);
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, NULL), 0);
	assert_int_equal(rf_eth_dev_rss_hash_update(p, NULL), -EINVAL);
	c.key_len = 39;
	assert_int_equal(rf_eth_dev_rss_hash_update(p, &c), -EINVAL);
	c.key_len = RF_ETH_RSS_KEY_LEN;
	c.rss_hf = RF_ETH_RSS_IPV6;
	assert_int_equal(rf_eth_dev_rss_hash_update(p, &c), -EINVAL);
	assert_int_equal(last_probed->rss_calls, 0); /* none of those reached the driver */
	c.rss_hf = RF_ETH_RSS_TCP;
	assert_int_equal(rf_eth_dev_rss_hash_update(p, &c), 0);
	assert_int_equal(last_probed->rss_calls, 1);
	assert_int_equal(last_probed->eth.conf.rss.rss_hf, RF_ETH_RSS_TCP);
	memset(&got, 0, sizeof(got));
	assert_int_equal(rf_eth_dev_rss_hash_conf_get(p, &got), 0);
	assert_int_equal(got.rss_hf, RF_ETH_RSS_TCP);
	assert_int_equal(got.key_len, RF_ETH_RSS_KEY_LEN);
	assert_memory_equal(got.key, c.key, RF_ETH_RSS_KEY_LEN);
	assert_int_equal(rf_eth_dev_rss_hash_conf_get(p, NULL), -EINVAL);
	/* key_len 0: the driver's default key. */
	c.key_len = 0;
	assert_int_equal(rf_eth_dev_rss_hash_update(p, &c), 0);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

static void test_rss_reta(void **state)
{
	(void)state;
	uint16_t p = create_ok("net_loop0,queues=4,rss=1");
	uint16_t reta[LOOP_RETA_SIZE + 1], got[LOOP_RETA_SIZE + 1];

	assert_int_equal(rf_eth_dev_configure(p, 3, 3, NULL), 0);
	for (unsigned i = 0; i < LOOP_RETA_SIZE; i++)
		reta[i] = (uint16_t)(i % 3);
	/* Wrong sizes, a queue beyond the 3 configured, no table. */
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE - 1), -EINVAL);
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE + 1), -EINVAL);
	assert_int_equal(rf_eth_dev_rss_reta_update(p, NULL, LOOP_RETA_SIZE), -EINVAL);
	reta[LOOP_RETA_SIZE - 1] = 3;
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE), -EINVAL);
	assert_int_equal(last_probed->rss_calls, 0);
	reta[LOOP_RETA_SIZE - 1] = 2;
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE), 0);
	assert_int_equal(rf_eth_dev_rss_reta_query(p, got, LOOP_RETA_SIZE - 1), -EINVAL);
	memset(got, 0xff, sizeof(got));
	assert_int_equal(rf_eth_dev_rss_reta_query(p, got, LOOP_RETA_SIZE), 0);
	assert_memory_equal(got, reta, sizeof(reta[0]) * LOOP_RETA_SIZE);
	assert_int_equal(got[LOOP_RETA_SIZE], 0xffff); /* nothing written past the table */
	/* Fewer queues after a reconfigure: entry 2 is out of range now. */
	assert_int_equal(rf_eth_dev_configure(p, 2, 2, NULL), 0);
	assert_int_equal(rf_eth_dev_rss_reta_update(p, reta, LOOP_RETA_SIZE), -EINVAL);
	assert_int_equal(rf_eth_dev_close(p), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_probe_eal_vdevs, teardown),
	    cmocka_unit_test_teardown(test_driver_registry, teardown),
	    cmocka_unit_test_teardown(test_create_errors, teardown),
	    cmocka_unit_test_teardown(test_port_ids, teardown),
	    cmocka_unit_test_teardown(test_port_table_full, teardown),
	    cmocka_unit_test_teardown(test_bad_port, teardown),
	    cmocka_unit_test_teardown(test_state_machine, teardown),
	    cmocka_unit_test_teardown(test_start_failure, teardown),
	    cmocka_unit_test_teardown(test_burst, teardown),
	    cmocka_unit_test_teardown(test_stats, teardown),
	    cmocka_unit_test_teardown(test_link, teardown),
	    cmocka_unit_test_teardown(test_mac_promisc, teardown),
	    cmocka_unit_test_teardown(test_mac_random, teardown),
	    cmocka_unit_test_teardown(test_ether_addr, teardown),
	    cmocka_unit_test_teardown(test_rss_no_device_rss, teardown),
	    cmocka_unit_test_teardown(test_rss_configure_hf, teardown),
	    cmocka_unit_test_teardown(test_rss_key, teardown),
	    cmocka_unit_test_teardown(test_rss_reta, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
