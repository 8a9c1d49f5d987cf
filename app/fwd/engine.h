/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding engine: streams, the lcores that poll them, the ports and
 * mempools under them, and the run-to-completion loop.
 *
 * A stream is one (RX port, RX queue) and where its packets go (TX port, TX
 * queue). Each stream is polled by exactly one forwarding lcore, and each
 * forwarding lcore sends on its own TX queue of every port it sends to, so no
 * queue is ever shared and the loop takes no lock.
 *
 * Life cycle, all on the main lcore:
 *   rf_fwd_engine_plan()   streams, lcores and queue numbers from the options
 *                          and the probed ports; every refusal is a usage
 *                          error (exit 2)
 *   rf_fwd_engine_setup()  mempools, port configure / queue setup / start
 *   rf_fwd_engine_start()  mode stream_init, then launch the lcores
 *   rf_fwd_engine_stop()   stop flag, wait for every lcore
 *   rf_fwd_engine_close()  stop and close the ports (every mbuf back), count leaks
 *
 * RSS steering (steer.h) picks between two shapes of the same loop. Device:
 * each (port, RX queue) is a stream, and the device's RSS spreads the flows
 * over the queues. Software: the first forwarding lcore is the RX lcore; it
 * polls every RX queue, hashes each packet and hands it to worker
 * RETA[hash & mask] over an SPSC ring; each worker's streams read those rings
 * instead of a port, and run the mode as before.
 */
#ifndef RF_FWD_ENGINE_H
#define RF_FWD_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fwd_mode.h"
#include "options.h"
#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_mempool.h"
#include "rf_ring.h"
#include "rf_rss.h"

#define RF_FWD_MAX_SOCKETS 8

/*
 * A stream and what only the engine keeps about it. The mode sees fs; the
 * rest is the engine's. (P): written only by the lcore that polls the stream.
 */
struct rf_fwd_stream_slot {
	struct rf_fwd_stream fs;
	unsigned lcore;				      /* the forwarding lcore that polls it */
	uint64_t tx_burst_hist[RF_FWD_MAX_BURST + 1]; /* (P) accepted TX burst sizes */
	uint64_t tx_retries; /* (P) extra tx_burst calls for refused packets */
	/*
	 * Software steering: the ring from the RX lcore this stream reads
	 * instead of rx_burst (fs.rx_port is the port the packets came in on,
	 * ring_worker the worker index); NULL for a device stream.
	 */
	struct rf_ring *ring;
	unsigned ring_worker;
} RF_CACHE_ALIGNED;

/* What a forwarding lcore does. */
enum rf_fwd_role {
	RF_FWD_ROLE_FWD,    /* device steering: polls its streams' RX queues */
	RF_FWD_ROLE_RX,	    /* software steering: polls every RX queue, hashes, hands over */
	RF_FWD_ROLE_WORKER, /* software steering: forwards what the RX lcore hands it */
};

/*
 * One RX queue the software RX lcore polls. (P): written only by the RX
 * lcore; the main lcore reads them with rf_fwd_ctr_read.
 */
struct rf_fwd_steer_rxq {
	uint16_t port, queue;
	unsigned pi;	     /* index of port in e->ports */
	uint64_t rx_packets; /* (P) received from the port */
	uint64_t rx_bytes;   /* (P) */
	uint64_t to_workers; /* (P) enqueued on a worker's ring */
	uint64_t dropped;    /* (P) the worker's ring was full */
	uint64_t busy_cycles;
};

/* Software steering state, built by the plan (steer.c). */
struct rf_fwd_steer {
	unsigned nb_workers;
	struct rf_ring **rings; /* [pi * nb_workers + k]: RX port index pi to worker k */
	struct rf_fwd_steer_rxq *rxqs;
	unsigned nb_rxqs;
	/* One Toeplitz context per distinct key; ctx[pi] is port index pi's. */
	struct rf_rss_ctx *ctxs[RF_MAX_ETHPORTS];
	unsigned nb_ctxs;
	const struct rf_rss_ctx *ctx[RF_MAX_ETHPORTS];
	/* Port pi hashes in hardware what we would: its mbuf hash can be used as is. */
	bool dev_hash[RF_MAX_ETHPORTS];
	uint64_t drained; /* main lcore, at stop: packets left in the rings, freed */
};

struct rf_fwd_engine;

/* One forwarding lcore: the streams it polls, in order. */
struct rf_fwd_lcore {
	unsigned lcore_id;
	enum rf_fwd_role role;
	unsigned worker; /* RF_FWD_ROLE_WORKER: its index, the RETA value that picks it */
	unsigned nb_streams;
	struct rf_fwd_stream_slot **streams;
	const struct rf_fwd_engine *engine;
	bool launched;
};

struct rf_fwd_port {
	uint16_t port_id;
	char name[RF_ETH_NAME_MAX]; /* kept for the final table, after close */
	int socket;		    /* where its RX buffers come from */
	struct rf_eth_dev_info info;
	struct rf_ether_addr mac;
	uint16_t nb_rxd, nb_txd;
	uint16_t nb_txq;	   /* TX queues configured: --txq, or one per worker if more */
	uint16_t nb_txq_used;	   /* forwarding lcores that send on it */
	uint16_t cfg_rxq, cfg_txq; /* the queue counts it was last configured with */
	bool started;
	bool rss_hw;		 /* the device hashes itself (flow_type_rss_offloads != 0) */
	uint64_t rss_hf_hw;	 /* what is programmed into it: rss_hf the device can hash */
	struct rf_rss_reta reta; /* hash -> RX queue (device) or worker (software) */
};

struct rf_fwd_engine {
	const struct rf_fwd_options *opt;
	const struct rf_eal_config *eal; /* the lcore list the plan follows */
	const struct rf_fwd_mode *mode;
	struct rf_fwd_config cfg; /* what fs->cfg points to */

	struct rf_fwd_port ports[RF_MAX_ETHPORTS];
	unsigned nb_ports;

	struct rf_fwd_stream_slot *slots; /* nb_streams, cache-aligned */
	unsigned nb_streams;
	struct rf_fwd_lcore lcores[RF_MAX_LCORE]; /* forwarding lcores, in -l order */
	unsigned nb_lcores;

	/* The plan's choice, and why, for the start-up lines and show config fwd. */
	enum rf_fwd_steering steering; /* RF_FWD_STEER_DEVICE or _SOFTWARE */
	char steering_why[160];
	struct rf_fwd_steer steer;

	struct rf_mempool *pools[RF_FWD_MAX_SOCKETS]; /* one per socket in use */
	unsigned pool_size;			      /* mbufs in each pool */

	/*
	 * Set by the front end before rf_fwd_engine_setup (NULL: never): true
	 * when the user asked to stop, so that the wait for the links ends at
	 * once instead of after its timeout.
	 */
	bool (*stop_requested)(void *arg);
	void *stop_requested_arg;

	/*
	 * Set by the main lcore (release) to end the loop; each forwarding lcore
	 * loads it relaxed once per pass over its streams. Nothing the lcores
	 * read is published through it: they only need to see it eventually.
	 */
	atomic_bool stop;
	unsigned tx_first; /* txonly bursts each stream sends before forwarding (shell: start
			      tx_first) */
	uint64_t start_tsc, stop_tsc;
	bool running;
};

/*
 * Streams, lcores, ports, queue counts, from the options, the EAL's lcore
 * list (eal: rf_eal_config_get(), or any list for a dry run) and the probed
 * ports. 0, or -EINVAL (usage) with one line in err, and nothing left
 * allocated.
 */
int rf_fwd_engine_plan(struct rf_fwd_engine *e, const struct rf_fwd_options *opt,
		       const struct rf_eal_config *eal, char *err, size_t errlen);
/* Pools and ports. 0, or -errno with err (runtime failure). */
int rf_fwd_engine_setup(struct rf_fwd_engine *e, char *err, size_t errlen);
/* Fill the streams' fields for the mode, run stream_init, launch. 0 or -errno with err. */
int rf_fwd_engine_start(struct rf_fwd_engine *e, char *err, size_t errlen);
void rf_fwd_engine_stop(struct rf_fwd_engine *e);
/* Stop and close the ports; returns the mbufs still missing from the pools. */
unsigned rf_fwd_engine_close(struct rf_fwd_engine *e);
/* Frees what plan and setup allocated (pools only once no port uses them). */
void rf_fwd_engine_free(struct rf_fwd_engine *e);

/*
 * For the shell, all with forwarding stopped. Plan again over the ports that
 * exist now, from opt (a changed option, an attached or closed port),
 * keeping the pools and each port's started state. 0, -EINVAL (the plan
 * refused, err says why; the engine then has no streams until a plan
 * succeeds), or -ENOSPC when the new plan needs more mbufs than the pools
 * were made with.
 */
int rf_fwd_engine_replan(struct rf_fwd_engine *e, const struct rf_fwd_options *opt, char *err,
			 size_t errlen);
/* Configure, set up the queues of and start port index pi, as setup does. 0 or -errno with err. */
int rf_fwd_engine_port_start(struct rf_fwd_engine *e, unsigned pi, char *err, size_t errlen);
/* Stop port index pi: its queues keep their mbufs until close or the next start. */
int rf_fwd_engine_port_stop(struct rf_fwd_engine *e, unsigned pi);
/* Stop and close port index pi (every mbuf back); replan afterwards. */
int rf_fwd_engine_port_close(struct rf_fwd_engine *e, unsigned pi);
/* Zero the stream counters (the shell's start: stats count from there). */
void rf_fwd_engine_reset_counters(struct rf_fwd_engine *e);

/* Index of port_id in e->ports, or -1. */
int rf_fwd_engine_port_index(const struct rf_fwd_engine *e, uint16_t port_id);

/* Print the plan: steering, the worker/queue map, the streams on lcores ("ringfwd: " lines). */
void rf_fwd_engine_print_plan(const struct rf_fwd_engine *e, FILE *out, const char *prefix);

/* Seconds forwarded: from start to stop, or to now while running. */
double rf_fwd_engine_seconds(const struct rf_fwd_engine *e);

/*
 * Counters are written only by the owning lcore and read by the main lcore
 * while it forwards. Both sides access them as relaxed atomics, so a reader
 * never sees a torn value; no ordering is needed (a total is a snapshot).
 */
static inline uint64_t rf_fwd_ctr_read(const uint64_t *c)
{
	return atomic_load_explicit((const _Atomic uint64_t *)c, memory_order_relaxed);
}

static inline void rf_fwd_ctr_add(uint64_t *c, uint64_t v)
{
	/* Only this lcore writes *c, so a load and a store make an atomic add. */
	uint64_t old = atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);

	atomic_store_explicit((_Atomic uint64_t *)c, old + v, memory_order_relaxed);
}

#endif /* RF_FWD_ENGINE_H */
