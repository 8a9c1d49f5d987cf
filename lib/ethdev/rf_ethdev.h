/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports. The names follow DPDK's ethdev so that a DPDK user reads them at
 * sight: configure, queue setup, start, rx_burst/tx_burst, stop, close.
 *
 * rx_burst(port, queue, mbufs, n) returns how many it received; the caller
 * owns them. tx_burst(port, queue, mbufs, n) returns how many the port took;
 * the caller still owns the rest. A queue is used by one lcore at a time,
 * with no lock: more lcores means more queues.
 */
#ifndef RF_ETHDEV_H
#define RF_ETHDEV_H

#include <stdint.h>
#include <stdio.h>

#include "rf_common.h"
#include "rf_mbuf.h"

#define RF_MAX_QUEUES_PER_PORT 16
#define RF_ETH_NAME_MAX	       64
#define RF_ETH_XSTAT_NAME_SIZE 64
#define RF_ETHER_ADDR_LEN      6

struct rf_ether_addr {
	uint8_t addr_bytes[RF_ETHER_ADDR_LEN];
};

#define RF_ETH_RSS_IPV4 (1ull << 0)
#define RF_ETH_RSS_TCP	(1ull << 1)
#define RF_ETH_RSS_UDP	(1ull << 2)
#define RF_ETH_RSS_IPV6 (1ull << 3)

/*
 * RSS a device computes itself (DPDK's rte_eth_rss_conf). The key is
 * RF_ETH_RSS_KEY_LEN bytes (Toeplitz, Microsoft RSS specification); key_len 0
 * means the driver's default key (rf_rss_default_key).
 */
#define RF_ETH_RSS_KEY_LEN 40
struct rf_eth_rss_conf {
	uint64_t rss_hf; /* RF_ETH_RSS_*; 0 = no RSS */
	uint8_t key[RF_ETH_RSS_KEY_LEN];
	uint8_t key_len; /* 0 or RF_ETH_RSS_KEY_LEN */
};

struct rf_eth_conf {
	/*
	 * What the device hashes when it has more than one RX queue. Bits the
	 * device can't hash (dev_info.flow_type_rss_offloads) make configure
	 * fail with -EINVAL, as in DPDK; a device without RSS accepts only 0.
	 */
	struct rf_eth_rss_conf rss;
};

struct rf_eth_dev_info {
	char driver_name[32];
	uint16_t max_rx_queues;
	uint16_t max_tx_queues;
	uint16_t min_rx_desc, max_rx_desc;
	uint16_t min_tx_desc, max_tx_desc;
	uint32_t max_rx_pktlen;
	/*
	 * The longest frame the port can send, and the most segments in one
	 * (0: no limit of that kind). Longer ones are dropped by tx_burst and
	 * counted in tx_oversize, never cut short.
	 */
	uint32_t max_tx_pktlen;
	uint16_t max_tx_segs;
	bool mac_random;   /* no address was configured: ethdev drew a random one */
	uint64_t features; /* negotiated device features, driver-specific (virtio bits) */
	/* Device RSS: 0 when the device computes no hash; then reta_size is 0 too. */
	uint64_t flow_type_rss_offloads; /* RF_ETH_RSS_* the device can hash */
	uint16_t reta_size;		 /* entries of its indirection table */
	uint8_t hash_key_size;		 /* bytes; RF_ETH_RSS_KEY_LEN */
};

struct rf_eth_stats {
	uint64_t ipackets, opackets;
	uint64_t ibytes, obytes;
	uint64_t imissed; /* dropped by the device: no RX buffer */
	uint64_t ierrors; /* bad packets / device violations on RX */
	uint64_t oerrors;
	uint64_t tx_oversize; /* accepted by tx_burst, dropped: over max_tx_pktlen/max_tx_segs */
	uint64_t rx_nombuf;   /* RX refill failed: mempool empty */
	uint64_t q_ipackets[RF_MAX_QUEUES_PER_PORT];
	uint64_t q_opackets[RF_MAX_QUEUES_PER_PORT];
	uint64_t q_ibytes[RF_MAX_QUEUES_PER_PORT];
	uint64_t q_obytes[RF_MAX_QUEUES_PER_PORT];
	uint64_t q_errors[RF_MAX_QUEUES_PER_PORT];
};

struct rf_eth_xstat {
	char name[RF_ETH_XSTAT_NAME_SIZE];
	uint64_t value;
};

#define RF_ETH_LINK_DOWN 0
#define RF_ETH_LINK_UP	 1
struct rf_eth_link {
	uint32_t speed_mbps;
	uint8_t status; /* RF_ETH_LINK_* */
	uint8_t full_duplex;
};

/* --- fast path: one indirect call per burst --- */
typedef uint16_t (*rf_eth_rx_burst_t)(void *rxq, struct rf_mbuf **pkts, uint16_t n);
typedef uint16_t (*rf_eth_tx_burst_t)(void *txq, struct rf_mbuf **pkts, uint16_t n);

struct rf_eth_fp_ops {
	rf_eth_rx_burst_t rx_burst;
	rf_eth_tx_burst_t tx_burst;
	void *rxq[RF_MAX_QUEUES_PER_PORT];
	void *txq[RF_MAX_QUEUES_PER_PORT];
} RF_CACHE_ALIGNED;

extern struct rf_eth_fp_ops rf_eth_fp_ops[RF_MAX_ETHPORTS];

static inline uint16_t rf_eth_rx_burst(uint16_t port, uint16_t queue, struct rf_mbuf **pkts,
				       uint16_t n)
{
	struct rf_eth_fp_ops *fp = &rf_eth_fp_ops[port];
	return fp->rx_burst(fp->rxq[queue], pkts, n);
}

static inline uint16_t rf_eth_tx_burst(uint16_t port, uint16_t queue, struct rf_mbuf **pkts,
				       uint16_t n)
{
	struct rf_eth_fp_ops *fp = &rf_eth_fp_ops[port];
	return fp->tx_burst(fp->txq[queue], pkts, n);
}

/* --- control path: 0 or -errno unless said otherwise --- */

/*
 * Create a port from "driver_nameN,key=value,..." (DPDK --vdev syntax).
 * Unknown driver, unknown key or bad value: -EINVAL, and a message naming
 * it in err (if err != NULL, errlen bytes). On success *port_id is set.
 */
int rf_eth_dev_create(const char *devargs, uint16_t *port_id, char *err, size_t errlen);
/* Probe every --vdev given to rf_eal_init. Stops at the first failure. */
int rf_eth_dev_probe_eal_vdevs(char *err, size_t errlen);
/* The PCI devices the EAL chose (rf_ethdev_pci.h), then every --vdev, as DPDK does. */
int rf_eth_dev_probe_eal(char *err, size_t errlen);

uint16_t rf_eth_dev_count_avail(void);
int rf_eth_dev_is_valid_port(uint16_t port);
const char *rf_eth_dev_name(uint16_t port);
#define RF_ETH_FOREACH_DEV(p)                                                                      \
	for ((p) = 0; (p) < RF_MAX_ETHPORTS; (p)++)                                                \
		if (rf_eth_dev_is_valid_port(p))

int rf_eth_dev_info_get(uint16_t port, struct rf_eth_dev_info *info);
int rf_eth_dev_configure(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq,
			 const struct rf_eth_conf *conf);
int rf_eth_rx_queue_setup(uint16_t port, uint16_t queue, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp);
int rf_eth_tx_queue_setup(uint16_t port, uint16_t queue, uint16_t nb_desc, int socket);
/*
 * Every configured queue must have been set up. Starting a started port, or
 * stopping a stopped one, does nothing and returns 0 (as in DPDK).
 */
int rf_eth_dev_start(uint16_t port);
/* The caller must have stopped every lcore that polls this port. */
int rf_eth_dev_stop(uint16_t port);
/* Stops if needed, frees the queues (every mbuf back to its pool), removes the port. */
int rf_eth_dev_close(uint16_t port);

/*
 * Device RSS, after configure (DPDK's rte_eth_dev_rss_hash_update, _conf_get,
 * _reta_update, _reta_query). -ENOTSUP on a device without RSS. A RETA is
 * dev_info.reta_size entries, each an RX queue below nb_rx_queues; any other
 * size or a queue out of range is -EINVAL and changes nothing.
 */
int rf_eth_dev_rss_hash_update(uint16_t port, const struct rf_eth_rss_conf *conf);
int rf_eth_dev_rss_hash_conf_get(uint16_t port, struct rf_eth_rss_conf *conf);
int rf_eth_dev_rss_reta_update(uint16_t port, const uint16_t *reta, uint16_t size);
int rf_eth_dev_rss_reta_query(uint16_t port, uint16_t *reta, uint16_t size);

int rf_eth_stats_get(uint16_t port, struct rf_eth_stats *stats);
int rf_eth_stats_reset(uint16_t port);
/* Fills up to n xstats; returns how many exist (call with n = 0 to size). */
int rf_eth_xstats_get(uint16_t port, struct rf_eth_xstat *xstats, unsigned n);
int rf_eth_link_get_nowait(uint16_t port, struct rf_eth_link *link);
int rf_eth_macaddr_get(uint16_t port, struct rf_ether_addr *mac);
int rf_eth_promiscuous_enable(uint16_t port); /* -ENOTSUP where the device can't */
int rf_eth_promiscuous_disable(uint16_t port);
int rf_eth_promiscuous_get(uint16_t port); /* 1, 0, or -errno */

/* "02:00:00:00:00:01" -> 0, or -EINVAL. */
int rf_ether_addr_parse(const char *s, struct rf_ether_addr *out);
void rf_ether_addr_format(char *buf, size_t len, const struct rf_ether_addr *a);
/*
 * A random locally administered unicast address (IEEE 802 §8.2: I/G bit 0,
 * U/L bit 1). Bytes 1..4 are never all zero, so it can never be one of
 * testpmd's default peers, 02:00:00:00:00:NN. 0, or -errno from getrandom.
 */
int rf_ether_random_addr(struct rf_ether_addr *a);

#endif /* RF_ETHDEV_H */
