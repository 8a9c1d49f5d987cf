/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd-replay: send a capture through a port, tcpreplay-style, from mbufs
 * preloaded in hugepage memory.
 *
 *   ringfwd-replay [EAL options] -- --pcap FILE [options]   (--help lists them)
 *
 * main() is the table of contents: options, capture check, environment,
 * ports, preload, run, report. Exit status: 0 done; 2 when start-up is
 * refused: a bad option, a capture that cannot be read (the loader's
 * message), or an environment that does not fit (no memory, an lcore without
 * a CPU, a port that cannot be set up), told in one line on stderr with what
 * to do, after everything set up so far is given back; 1 when sending fails
 * or mbufs leaked.
 *
 * The sending lcore is the first worker; the main lcore sleeps in
 * sigtimedwait and asks it to stop on SIGINT/SIGTERM (as app/fwd/main.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "options.h"
#include "replay.h"
#include "report.h"
#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_lcore.h"
#include "rf_mempool.h"
#include "rf_time.h"
#include "stop_signals.h"
#include "version.h"
#include "telemetry.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define LINK_WAIT_MS 3000
/* mbufs beyond the capture: both rings of up to two ports, bursts in flight. */
#define POOL_SLACK(desc) (4u * (desc) + 2u * RF_REPLAY_MAX_BURST + 64u)

static char err[512];

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringfwd-replay: %s\n", msg);
	return EXIT_USAGE;
}

static unsigned count_lcores(const struct rf_eal_config *eal)
{
	unsigned n = 0;

	for (unsigned i = 0; i < RF_MAX_LCORE; i++)
		n += eal->lcores[i];
	return n;
}

/* First pass over the capture: the loader's verdict, and how many mbufs it needs. */
static int count_segs(void *arg, const struct rf_pcap_record *rec)
{
	*(uint64_t *)arg += (rec->caplen + RF_MBUF_DEFAULT_DATAROOM - 1) / RF_MBUF_DEFAULT_DATAROOM;
	return 0;
}

static int check_capture(const char *path, uint64_t *segs)
{
	struct rf_pcap_stats st;
	int rc;

	memset(&st, 0, sizeof(st));
	*segs = 0;
	rc = rf_pcap_load_file(path, count_segs, segs, &st, err, sizeof(err));
	rf_replay_print_load(stdout, path, &st);
	fflush(stdout); /* the load line is the first sign of life, also when logged to a file */
	if (rc != 0) {
		fprintf(stderr, "ringfwd-replay: %s: %s\n", path, err);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --desc, within what the device allows (a virtio ring has at most 256 here). */
static uint16_t clamp_desc(uint32_t want, uint16_t min, uint16_t max)
{
	if (max != 0 && want > max)
		want = max;
	if (want < min)
		want = min;
	return (uint16_t)want;
}

static int setup_port(uint16_t port, struct rf_mempool *mp, uint32_t rx_desc, uint32_t tx_desc)
{
	struct rf_eth_conf conf = {0};
	struct rf_eth_dev_info info;
	const char *step = "configure";
	int socket = rf_lcore_to_socket(rf_lcore_main());
	int rc = rf_eth_dev_info_get(port, &info);

	if (rc == 0)
		rc = rf_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0) {
		step = "RX queue setup";
		rc = rf_eth_rx_queue_setup(
		    port, 0, clamp_desc(rx_desc, info.min_rx_desc, info.max_rx_desc), socket, mp);
	}
	if (rc == 0) {
		step = "TX queue setup";
		rc = rf_eth_tx_queue_setup(
		    port, 0, clamp_desc(tx_desc, info.min_tx_desc, info.max_tx_desc), socket);
	}
	if (rc == 0) {
		step = "start";
		rc = rf_eth_dev_start(port);
	}
	if (rc != 0) {
		snprintf(err, sizeof(err), "port %u (%s): %s failed: %s", port,
			 rf_eth_dev_name(port), step, strerror(-rc));
		return rc;
	}
	rf_eth_promiscuous_enable(port);
	return 0;
}

/*
 * A vhost peer may take a moment to come up: wait, then go on regardless.
 * A stop signal ends the wait at once (run() then stops before sending).
 */
static void wait_link(uint16_t port, const sigset_t *stop)
{
	struct rf_eth_link link;
	uint64_t deadline = rf_time_mono_ns() + (uint64_t)LINK_WAIT_MS * 1000000u;

	while (rf_eth_link_get_nowait(port, &link) == 0 && link.status != RF_ETH_LINK_UP &&
	       rf_time_mono_ns() < deadline && !rf_stop_signal_pending(stop)) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/*
 * With --rx-port, the TX ring gets half the RX port's ring: a driver may send
 * a shared mbuf in one descriptor (virtio-net does, with the zeroed
 * headroom), so a full TX ring is that many packets in flight, and a peer
 * that loops them back drops what finds no RX buffer (vhost does, without
 * retry). Half leaves room for them all even while this lcore is descheduled
 * and for a driver's refill threshold.
 */
static uint32_t tx_ring_size(const struct rf_replay_options *o)
{
	struct rf_eth_dev_info info;

	if (o->rx_port < 0 || !rf_eth_dev_is_valid_port((uint16_t)o->rx_port) ||
	    rf_eth_dev_info_get((uint16_t)o->rx_port, &info) != 0)
		return o->nb_desc;
	return clamp_desc(o->nb_desc, info.min_rx_desc, info.max_rx_desc) / 2u;
}

static int setup_ports(const struct rf_replay_options *o, struct rf_mempool *mp,
		       const sigset_t *stop)
{
	int ports[2] = {o->tx_port, o->rx_port};
	uint32_t tx_desc = tx_ring_size(o);

	for (unsigned i = 0; i < 2; i++) {
		if (ports[i] < 0 || (i == 1 && ports[1] == ports[0]))
			continue;
		if (!rf_eth_dev_is_valid_port((uint16_t)ports[i])) {
			snprintf(err, sizeof(err), "--%s %d: no such port (%u probed from --vdev)",
				 i == 0 ? "tx-port" : "rx-port", ports[i],
				 rf_eth_dev_count_avail());
			return -ENODEV;
		}
		int rc = setup_port((uint16_t)ports[i], mp, o->nb_desc, tx_desc);
		if (rc != 0)
			return rc;
	}
	for (unsigned i = 0; i < 2; i++)
		if (ports[i] >= 0)
			wait_link((uint16_t)ports[i], stop);
	return 0;
}

/* Send on the first worker; sleep here until it is done or a stop signal comes. */
static int run(struct rf_replay *r, const sigset_t *stop)
{
	unsigned worker = rf_lcore_next(UINT32_MAX, true);
	int rc = rf_lcore_launch(worker, rf_replay_run, r);

	if (rc != 0) {
		snprintf(err, sizeof(err), "cannot start lcore %u: %s", worker, strerror(-rc));
		return rc;
	}
	bool stopping = false;

	/* Acquire: pairs with the worker's release of done; r->res is complete after it. */
	while (!atomic_load_explicit(&r->done, memory_order_acquire)) {
		if (stopping) {
			struct timespec tick = {0, 20 * 1000 * 1000};
			nanosleep(&tick, NULL);
			continue;
		}
		int sig = rf_stop_signal_wait(stop, 20u * 1000 * 1000);

		if (sig != 0) {
			stopping = true;
			printf("ringfwd-replay: %s, stopping\n",
			       sig == SIGINT ? "SIGINT" : "SIGTERM");
			fflush(stdout); /* before any "already stopping" on stderr */
			atomic_store_explicit(&r->stop, true, memory_order_relaxed);
			/* Another one while the worker finishes only says so. */
			rf_stop_signals_stopping(stop, "ringfwd-replay");
		}
	}
	rf_lcore_wait(worker);
	return 0;
}

/*
 * Ports closed first (the drivers drop the references of what they still
 * held), then the preload's own: every mbuf must now be home.
 */
static unsigned teardown(struct rf_replay *r, struct rf_mempool *mp)
{
	uint16_t p;

	RF_ETH_FOREACH_DEV(p)
	{
		rf_eth_dev_stop(p);
		rf_eth_dev_close(p);
	}
	rf_pcap_capture_free(&r->cap);
	if (mp == NULL)
		return 0;
	unsigned leaked = rf_mempool_in_use_count(mp);
	if (leaked == 0)
		rf_mempool_free(mp);
	return leaked;
}

static int fail_after_eal(struct rf_replay *r, struct rf_mempool *mp, int status)
{
	fprintf(stderr, "ringfwd-replay: %s\n", err);
	rf_replay_telemetry_stop();
	teardown(r, mp);
	rf_replay_release(r);
	rf_eal_cleanup();
	return status;
}

int main(int argc, char **argv)
{
	static struct rf_eal_config eal;
	static struct rf_replay_options opt;
	static struct rf_replay r;
	struct rf_mempool *mp = NULL;
	uint64_t segs;
	sigset_t stop;
	int rc, status = EXIT_OK;

	/* 1. Options: all checked before anything is set up. */
	if (rf_app_wants_version(argc, argv)) {
		rf_app_print_version(stdout, "ringfwd-replay");
		return EXIT_OK;
	}
	if (wants_help(argc, argv)) {
		rf_replay_options_usage(stdout);
		return EXIT_OK;
	}
	int dashdash = rf_eal_parse_args(argc, argv, &eal);
	if (dashdash < 0)
		return EXIT_USAGE;
	int app_first = dashdash < argc ? dashdash + 1 : argc;
	if (rf_replay_options_parse(argc - app_first, argv + app_first, &opt, err, sizeof(err)) !=
	    0)
		return usage_error(err);
	if (count_lcores(&eal) < 2)
		return usage_error("needs two lcores (e.g. -l 0,1): a worker sends, the main one "
				   "waits for signals");

	/* 2. The capture: a file the loader refuses ends here, before any set-up. */
	status = check_capture(opt.pcap, &segs);
	if (status != EXIT_OK)
		return status;

	/* 3. Environment: memory, lcores (they inherit the blocked stop signals). */
	rf_stop_signals_block(&stop);
	rc = rf_eal_init(argc, argv);
	if (rc < 0)
		return EXIT_USAGE; /* the EAL said what, and what to do, in one line */
	r.opt = &opt;

	/* 4. Ports and the preload, in one pool sized for both. */
	rc = rf_eth_dev_probe_eal(err, sizeof(err));
	if (rc < 0)
		return fail_after_eal(&r, mp, EXIT_USAGE);
	uint64_t nb_mbufs = segs + POOL_SLACK(opt.nb_desc);
	mp = nb_mbufs > UINT32_MAX / 2
		 ? NULL
		 : rf_pktmbuf_pool_create("replay_pool", (unsigned)nb_mbufs, 0, 0,
					  RF_MBUF_DEFAULT_BUF_SIZE,
					  rf_lcore_to_socket(rf_lcore_main()));
	if (mp == NULL) {
		snprintf(err, sizeof(err),
			 "cannot create %llu mbufs (%llu MB) for the capture: give more memory "
			 "with -m",
			 (unsigned long long)nb_mbufs,
			 (unsigned long long)((nb_mbufs * (RF_MBUF_DEFAULT_BUF_SIZE + 128)) >> 20));
		return fail_after_eal(&r, mp, EXIT_USAGE);
	}
	if (setup_ports(&opt, mp, &stop) != 0)
		return fail_after_eal(&r, mp, EXIT_USAGE);
	rc = rf_pcap_preload(opt.pcap, mp, 0, &r.cap, err, sizeof(err));
	if (rc != 0 || rf_replay_prepare(&r, err, sizeof(err)) != 0)
		return fail_after_eal(&r, mp, EXIT_USAGE);
	if (rf_replay_telemetry_start(&r, mp, err, sizeof(err)) != 0)
		return fail_after_eal(&r, mp, EXIT_USAGE);

	/* 5. Run: send (and receive) until done or stopped. */
	if (run(&r, &stop) != 0)
		return fail_after_eal(&r, mp, EXIT_FAIL);

	/* 6. Report: every mbuf home, the numbers, JSON; more stop signals only say so. */
	rf_replay_telemetry_stop(); /* before the ports and the pool it reads go */
	rf_stop_signals_stopping(&stop, "ringfwd-replay");
	struct rf_eth_stats txst;
	if (rf_eth_stats_get((uint16_t)opt.tx_port, &txst) == 0)
		r.res.port_oversize = txst.tx_oversize;
	unsigned leaked = teardown(&r, mp);
	rf_replay_print(stdout, &r, leaked);
	if (leaked != 0) {
		fprintf(stderr, "ringfwd-replay: %u mbufs did not come back to their pool\n",
			leaked);
		status = EXIT_FAIL;
	}
	if (opt.json != NULL && rf_replay_write_json(opt.json, &r, leaked, err, sizeof(err)) != 0) {
		fprintf(stderr, "ringfwd-replay: %s\n", err);
		status = EXIT_FAIL;
	}
	rf_replay_release(&r);
	rf_eal_cleanup();
	return status;
}
