/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RSS queue steering for the engine: which of the two shapes the plan takes
 * (device or software, --rss-steering), each port's RETA, the device RSS
 * programming, and the software path itself: the RX lcore's loop, the SPSC
 * rings to the workers, and their drain at stop.
 *
 * Software steering, packet by packet: the RX lcore takes a burst from one
 * RX queue; for each packet it takes the device's hash when the port made it
 * the way we would (RF_MBUF_F_RX_RSS_HASH, same key and fields), or computes
 * the Toeplitz hash over the fields --rss-* name; it stores the hash in the
 * mbuf and appends the packet to worker RETA[hash & mask]'s bucket. After the
 * burst, each bucket goes to its worker in one burst enqueue on the ring of
 * (this RX port, that worker); what does not fit is freed and counted. One
 * producer and FIFO rings keep each flow in order.
 */
#ifndef RF_FWD_STEER_H
#define RF_FWD_STEER_H

#include <stdio.h>

#include "engine.h"

/* Slots in each (RX port, worker) ring; a power of two, it holds this less one. */
#define RF_FWD_STEER_RING_SIZE 512

/*
 * Device or software (e->steering, e->steering_why) from --rss-steering and
 * the probed ports, and each port's TX queue count. Plan step, after the ports.
 */
int rf_fwd_steer_choose(struct rf_fwd_engine *e, char *err, size_t errlen);
/*
 * Each port's RETA (round-robin, then the --rss-reta entries); for software
 * steering the rings, the RX lcore's queue list and the Toeplitz contexts.
 * Plan step, after the streams and TX queues. 0, -EINVAL with err, -ENOMEM.
 */
int rf_fwd_steer_plan(struct rf_fwd_engine *e, char *err, size_t errlen);
/* Mbufs the steering rings can hold at once (0 for device steering). */
unsigned rf_fwd_steer_ring_mbufs(const struct rf_fwd_engine *e);

/* The rss part of configure for a port: what its device can hash, and the key. */
void rf_fwd_steer_port_conf(const struct rf_fwd_engine *e, const struct rf_fwd_port *port,
			    struct rf_eth_rss_conf *conf);
/*
 * Program key, rss_hf and RETA into port index pi if it hashes itself and is
 * started (at each forwarding start: shell changes apply then). 0 or -errno with err.
 */
int rf_fwd_steer_program_port(struct rf_fwd_engine *e, unsigned pi, char *err, size_t errlen);

/* The RX lcore (rf_lcore_launch function; arg is its struct rf_fwd_lcore). */
int rf_fwd_steer_rx_loop(void *arg);

/* With every lcore stopped: free what the rings still hold (counted in steer.drained). */
void rf_fwd_steer_drain(struct rf_fwd_engine *e);
void rf_fwd_steer_reset_counters(struct rf_fwd_engine *e);
void rf_fwd_steer_free(struct rf_fwd_engine *e);

/* "ip udp tcp", or "none" (rss_hf 0): the words of --rss-* and the shell. */
void rf_fwd_rss_hf_format(uint64_t rss_hf, char *buf, size_t len);

/* The choice, and the lcore/worker/queue map, one "prefix..." line each. */
void rf_fwd_steer_print(const struct rf_fwd_engine *e, FILE *out, const char *prefix);

#endif /* RF_FWD_STEER_H */
