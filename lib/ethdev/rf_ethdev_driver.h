/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a driver implements and how it registers. A driver embeds struct
 * rf_eth_dev as the first member of its own device struct and recovers it
 * with rf_container_of.
 */
#ifndef RF_ETHDEV_DRIVER_H
#define RF_ETHDEV_DRIVER_H

#include <stdatomic.h>

#include "rf_ethdev.h"
#include "rf_devargs.h"

struct rf_eth_dev;

struct rf_eth_dev_ops {
	int (*dev_infos_get)(struct rf_eth_dev *dev, struct rf_eth_dev_info *info);
	int (*dev_configure)(struct rf_eth_dev *dev);
	int (*rx_queue_setup)(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket,
			      struct rf_mempool *mp);
	int (*tx_queue_setup)(struct rf_eth_dev *dev, uint16_t q, uint16_t nb_desc, int socket);
	int (*dev_start)(struct rf_eth_dev *dev);
	int (*dev_stop)(struct rf_eth_dev *dev);
	/*
	 * Free everything; after it returns, ethdev frees nothing of the driver's.
	 * NULL: ethdev free()s the device struct that probe calloc'd.
	 */
	int (*dev_close)(struct rf_eth_dev *dev);
	/*
	 * stats arrives zeroed. A driver may fill only the per-queue counters:
	 * ethdev then sums them into ipackets/opackets/ibytes/obytes.
	 */
	int (*stats_get)(struct rf_eth_dev *dev, struct rf_eth_stats *stats);
	int (*stats_reset)(struct rf_eth_dev *dev);
	/* Driver-specific xstats, listed after ethdev's generic ones; returns how many exist. */
	int (*xstats_get)(struct rf_eth_dev *dev, struct rf_eth_xstat *xstats, unsigned n);
	/*
	 * Fills the whole link; its answer wins. NULL: rf_eth_link_get_nowait
	 * reports the status last given to rf_eth_dev_set_link.
	 */
	int (*link_update)(struct rf_eth_dev *dev, struct rf_eth_link *link);
	int (*promiscuous_set)(struct rf_eth_dev *dev, int on); /* NULL = not supported */
	/*
	 * Device RSS; NULL = not supported (-ENOTSUP). ethdev has checked the
	 * sizes and queue numbers against dev_infos_get and nb_rx_queues.
	 */
	int (*rss_hash_update)(struct rf_eth_dev *dev, const struct rf_eth_rss_conf *conf);
	int (*rss_hash_conf_get)(struct rf_eth_dev *dev, struct rf_eth_rss_conf *conf);
	int (*reta_update)(struct rf_eth_dev *dev, const uint16_t *reta, uint16_t size);
	int (*reta_query)(struct rf_eth_dev *dev, uint16_t *reta, uint16_t size);
};

struct rf_eth_dev {
	uint16_t port_id;
	char name[RF_ETH_NAME_MAX]; /* "net_virtio_user0" */
	const struct rf_eth_dev_ops *ops;
	const struct rf_eth_driver *driver;
	/*
	 * The port's address: from the devargs (mac=), the interface, or the
	 * device. A driver that has none leaves it zero, and ethdev gives the
	 * port a random locally administered unicast address after probe
	 * (rf_ether_random_addr), as DPDK's virtio-user does: never the same
	 * for two ports, and never one of the default peers (02:00:00:00:00:NN)
	 * that the forwarding modes send to.
	 */
	struct rf_ether_addr mac;
	bool mac_random; /* (P) set by ethdev when it drew mac */
	uint16_t nb_rx_queues, nb_tx_queues;
	struct rf_eth_conf conf;
	int started;
	int promiscuous;
	void *rxq[RF_MAX_QUEUES_PER_PORT]; /* driver queue objects, copied to rf_eth_fp_ops */
	void *txq[RF_MAX_QUEUES_PER_PORT];
	rf_eth_rx_burst_t rx_burst;
	rf_eth_tx_burst_t tx_burst;
	/* RF_ETH_LINK_*: written by rf_eth_dev_set_link from any thread (e.g. a reconnect thread).
	 */
	_Atomic uint8_t link_status;
};

struct rf_eth_driver {
	const char *name;	       /* "net_virtio_user": the devargs name without its digits */
	const char *const *valid_keys; /* NULL-terminated; any other key is rejected */
	/*
	 * Create the device from parsed devargs. Sets *out to a driver struct
	 * (calloc'd, with struct rf_eth_dev first). On error returns -errno and
	 * writes a message naming the offending key/value to err.
	 */
	int (*probe)(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		     char *err, size_t errlen);
};

void rf_eth_driver_register(const struct rf_eth_driver *drv);
/*
 * Give a device a port, as probe does for --vdev: the lowest free port id,
 * named name. On failure the device is released (dev_close) and -errno
 * returned with err set.
 */
int rf_eth_dev_attach(struct rf_eth_dev *dev, const char *name, const struct rf_eth_driver *drv,
		      uint16_t *port_id, char *err, size_t errlen);
const struct rf_eth_driver *rf_eth_driver_find(const char *name);
/* The i-th registered driver (0, 1, ...), NULL past the last: to list them (shell completion). */
const struct rf_eth_driver *rf_eth_driver_at(unsigned i);

/* Registers at load time. The driver's library must be linked whole (link_whole). */
#define RF_ETH_DRIVER_REGISTER(drv)                                                                \
	__attribute__((constructor)) static void rf_eth_driver_reg_##drv(void)                     \
	{                                                                                          \
		rf_eth_driver_register(&(drv));                                                    \
	}

/*
 * Drivers call this when link state changes (e.g. vhost backend gone / back).
 * Any thread may call it, also from inside probe; it logs the transitions.
 */
void rf_eth_dev_set_link(struct rf_eth_dev *dev, int up);

#endif /* RF_ETHDEV_DRIVER_H */
