/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: the driver registry, the port table and the control path.
 *
 * The control path runs on one thread at a time (main, or the shell); it is
 * not locked against itself. The one exception is rf_eth_dev_set_link, which
 * a driver may call from its own thread (a vhost-user reconnect): port_lock
 * makes its look-up of the port id safe against create and close.
 *
 * The data path sees a port only through rf_eth_fp_ops[port]. Until the port
 * is started, and again after it is stopped, those point at dummy bursts that
 * return 0, so polling a port that is not running is harmless.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_ethdev_driver.h"
#include "rf_log.h"

#define MAX_DRIVERS 32

static uint16_t dummy_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	(void)rxq;
	(void)pkts;
	(void)n;
	return 0;
}

static uint16_t dummy_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	(void)txq;
	(void)pkts;
	(void)n;
	return 0;
}

struct rf_eth_fp_ops rf_eth_fp_ops[RF_MAX_ETHPORTS] = {
    [0 ... RF_MAX_ETHPORTS - 1] = {.rx_burst = dummy_rx_burst, .tx_burst = dummy_tx_burst},
};

/* What ethdev itself tracks per port, beside what the driver's struct rf_eth_dev holds. */
struct port_state {
	bool configured;
	uint32_t rxq_ready; /* bit q: RX queue q set up since it was configured */
	uint32_t txq_ready;
};
_Static_assert(RF_MAX_QUEUES_PER_PORT <= 32, "queue bitmaps are 32 bits");

static struct rf_eth_dev *eth_devs[RF_MAX_ETHPORTS];
static struct port_state port_state[RF_MAX_ETHPORTS];
static pthread_mutex_t port_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct rf_eth_driver *drivers[MAX_DRIVERS];
static unsigned nb_drivers;

RF_PRINTF(3, 4) static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static struct rf_eth_dev *port_dev(uint16_t port)
{
	if (port >= RF_MAX_ETHPORTS)
		return NULL;
	return eth_devs[port];
}

static uint32_t queue_mask(uint16_t nb)
{
	return nb >= 32 ? UINT32_MAX : (1u << nb) - 1;
}

static void fp_ops_reset(uint16_t port)
{
	struct rf_eth_fp_ops *fp = &rf_eth_fp_ops[port];

	memset(fp, 0, sizeof(*fp));
	fp->rx_burst = dummy_rx_burst;
	fp->tx_burst = dummy_tx_burst;
}

/*
 * Plain stores: the lcores that poll this port are launched after start
 * (rf_lcore_launch hands work over through a synchronising call), and stop
 * requires them to have finished.
 */
static void fp_ops_install(uint16_t port, const struct rf_eth_dev *dev)
{
	struct rf_eth_fp_ops *fp = &rf_eth_fp_ops[port];

	fp_ops_reset(port);
	if (dev->rx_burst != NULL)
		fp->rx_burst = dev->rx_burst;
	if (dev->tx_burst != NULL)
		fp->tx_burst = dev->tx_burst;
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++)
		fp->rxq[q] = dev->rxq[q];
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++)
		fp->txq[q] = dev->txq[q];
}

/* --- driver registry --- */

const struct rf_eth_driver *rf_eth_driver_find(const char *name)
{
	for (unsigned i = 0; i < nb_drivers; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const struct rf_eth_driver *rf_eth_driver_at(unsigned i)
{
	return i < nb_drivers ? drivers[i] : NULL;
}

void rf_eth_driver_register(const struct rf_eth_driver *drv)
{
	if (drv == NULL || drv->name == NULL || drv->probe == NULL) {
		RF_LOG(ERR, ETHDEV, "driver with no name or no probe function: not registered");
		return;
	}
	if (rf_eth_driver_find(drv->name) != NULL) {
		RF_LOG(ERR, ETHDEV, "driver '%s' registered twice: keeping the first", drv->name);
		return;
	}
	if (nb_drivers == MAX_DRIVERS) {
		RF_LOG(ERR, ETHDEV, "driver '%s' not registered: already %u drivers", drv->name,
		       MAX_DRIVERS);
		return;
	}
	drivers[nb_drivers++] = drv;
}

static void format_driver_list(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < nb_drivers && used < len; i++) {
		int w =
		    snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "", drivers[i]->name);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (nb_drivers == 0)
		snprintf(buf, len, "none");
}

/* --- port table --- */

static uint16_t lowest_free_port(void)
{
	uint16_t p;

	for (p = 0; p < RF_MAX_ETHPORTS; p++)
		if (eth_devs[p] == NULL)
			break;
	return p;
}

static uint16_t find_port_by_name(const char *name)
{
	uint16_t p;

	for (p = 0; p < RF_MAX_ETHPORTS; p++)
		if (eth_devs[p] != NULL && strcmp(eth_devs[p]->name, name) == 0)
			break;
	return p;
}

/* Give the device back to its driver; ethdev owns nothing of it afterwards. */
static int dev_release(struct rf_eth_dev *dev)
{
	if (dev->ops != NULL && dev->ops->dev_close != NULL)
		return dev->ops->dev_close(dev);
	free(dev);
	return 0;
}

static bool mac_is_zero(const struct rf_ether_addr *a)
{
	static const struct rf_ether_addr zero;

	return memcmp(a, &zero, sizeof(zero)) == 0;
}

static int dev_create(const struct rf_devargs *da, uint16_t *port_id, char *err, size_t errlen)
{
	uint16_t port = find_port_by_name(da->name);
	if (port < RF_MAX_ETHPORTS) {
		seterr(err, errlen, "device '%s' already exists (port %u)", da->name, port);
		return -EEXIST;
	}

	const struct rf_eth_driver *drv = rf_eth_driver_find(da->driver);
	if (drv == NULL) {
		char known[256];
		format_driver_list(known, sizeof(known));
		seterr(err, errlen, "unknown device '%s': no driver '%s' (known: %s)", da->name,
		       da->driver, known);
		return -EINVAL;
	}
	int rc = rf_devargs_check_keys(da, drv->valid_keys, err, errlen);
	if (rc < 0)
		return rc;
	/* Checked before probe too, so that a full table does not cost a device bring-up. */
	if (lowest_free_port() == RF_MAX_ETHPORTS) {
		seterr(err, errlen, "%s: no free port (at most %u ports)", da->name,
		       RF_MAX_ETHPORTS);
		return -ENOSPC;
	}

	struct rf_eth_dev *dev = NULL;
	rc = drv->probe(da->name, da, &dev, err, errlen);
	if (rc < 0)
		return rc;
	return rf_eth_dev_attach(dev, da->name, drv, port_id, err, errlen);
}

int rf_eth_dev_attach(struct rf_eth_dev *dev, const char *name, const struct rf_eth_driver *drv,
		      uint16_t *port_id, char *err, size_t errlen)
{
	uint16_t port;

	if (dev == NULL || dev->ops == NULL) {
		seterr(err, errlen, "%s: driver '%s' returned no device or no ops", name,
		       drv->name);
		if (dev != NULL)
			dev_release(dev);
		return -EINVAL;
	}

	pthread_mutex_lock(&port_lock);
	port = lowest_free_port();
	if (port < RF_MAX_ETHPORTS) {
		dev->port_id = port;
		snprintf(dev->name, sizeof(dev->name), "%s", name);
		dev->driver = drv;
		dev->started = 0;
		eth_devs[port] = dev;
		port_state[port] = (struct port_state){0};
	}
	pthread_mutex_unlock(&port_lock);
	if (port == RF_MAX_ETHPORTS) {
		dev_release(dev);
		seterr(err, errlen, "%s: no free port (at most %u ports)", name, RF_MAX_ETHPORTS);
		return -ENOSPC;
	}
	fp_ops_reset(port);
	RF_LOG(INFO, ETHDEV, "Port %u: %s (driver %s)", port, dev->name, drv->name);
	if (mac_is_zero(&dev->mac)) {
		char mac[24];
		int rc = rf_ether_random_addr(&dev->mac);

		if (rc < 0) {
			seterr(err, errlen, "%s: no MAC address given, and no random one: %s", name,
			       strerror(-rc));
			rf_eth_dev_close(port);
			return rc;
		}
		dev->mac_random = true;
		rf_ether_addr_format(mac, sizeof(mac), &dev->mac);
		RF_LOG(INFO, ETHDEV, "Port %u: no MAC address given (mac=): random %s", port, mac);
	}
	if (port_id != NULL)
		*port_id = port;
	return 0;
}

int rf_eth_dev_create(const char *devargs, uint16_t *port_id, char *err, size_t errlen)
{
	struct rf_devargs da;

	int rc = rf_devargs_parse(devargs, &da, err, errlen);
	if (rc < 0)
		return rc;
	rc = dev_create(&da, port_id, err, errlen);
	rf_devargs_free(&da);
	return rc;
}

int rf_eth_dev_probe_eal_vdevs(char *err, size_t errlen)
{
	const struct rf_eal_config *cfg = rf_eal_config_get();

	if (cfg == NULL)
		return 0;
	for (unsigned i = 0; i < cfg->nb_vdevs; i++) {
		uint16_t port;
		int rc = rf_eth_dev_create(cfg->vdevs[i], &port, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

uint16_t rf_eth_dev_count_avail(void)
{
	uint16_t n = 0;

	for (uint16_t p = 0; p < RF_MAX_ETHPORTS; p++)
		if (eth_devs[p] != NULL)
			n++;
	return n;
}

int rf_eth_dev_is_valid_port(uint16_t port)
{
	return port_dev(port) != NULL;
}

const char *rf_eth_dev_name(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	return dev != NULL ? dev->name : NULL;
}

/* --- configuration --- */

int rf_eth_dev_info_get(uint16_t port, struct rf_eth_dev_info *info)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	if (dev->ops->dev_infos_get == NULL)
		return -ENOTSUP;
	int rc = dev->ops->dev_infos_get(dev, info);
	if (rc < 0)
		return rc;
	info->mac_random = dev->mac_random;
	if (info->driver_name[0] == '\0')
		snprintf(info->driver_name, sizeof(info->driver_name), "%s", dev->driver->name);
	/* rf_eth_fp_ops has room for this many queues, whatever the device could do. */
	info->max_rx_queues = RF_MIN(info->max_rx_queues, (uint16_t)RF_MAX_QUEUES_PER_PORT);
	info->max_tx_queues = RF_MIN(info->max_tx_queues, (uint16_t)RF_MAX_QUEUES_PER_PORT);
	return 0;
}

int rf_eth_dev_configure(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq,
			 const struct rf_eth_conf *conf)
{
	struct rf_eth_dev *dev = port_dev(port);
	struct rf_eth_dev_info info;

	if (dev == NULL)
		return -ENODEV;
	if (dev->started) {
		RF_LOG(ERR, ETHDEV, "Port %u: cannot configure a started port: stop it first",
		       port);
		return -EBUSY;
	}
	if (nb_rxq == 0 && nb_txq == 0) {
		RF_LOG(ERR, ETHDEV, "Port %u: needs at least one RX or TX queue", port);
		return -EINVAL;
	}
	int rc = rf_eth_dev_info_get(port, &info);
	if (rc < 0) {
		RF_LOG(ERR, ETHDEV, "Port %u: cannot get device info: %s", port, strerror(-rc));
		return rc;
	}
	if (nb_rxq > info.max_rx_queues) {
		RF_LOG(ERR, ETHDEV, "Port %u: %u RX queues requested, %s supports at most %u", port,
		       nb_rxq, dev->name, info.max_rx_queues);
		return -EINVAL;
	}
	if (nb_txq > info.max_tx_queues) {
		RF_LOG(ERR, ETHDEV, "Port %u: %u TX queues requested, %s supports at most %u", port,
		       nb_txq, dev->name, info.max_tx_queues);
		return -EINVAL;
	}

	/* As DPDK's rte_eth_dev_configure: hash functions the device lacks are an error. */
	uint64_t rss_hf = conf != NULL ? conf->rss.rss_hf : 0;
	uint64_t unsupported = rss_hf & ~info.flow_type_rss_offloads;
	if (unsupported != 0) {
		RF_LOG(ERR, ETHDEV,
		       "Port %u: rss_hf 0x%llx asks for 0x%llx, which %s cannot hash (it can "
		       "0x%llx)",
		       port, (unsigned long long)rss_hf, (unsigned long long)unsupported, dev->name,
		       (unsigned long long)info.flow_type_rss_offloads);
		return -EINVAL;
	}
	if (conf != NULL && conf->rss.key_len != 0 && conf->rss.key_len != RF_ETH_RSS_KEY_LEN) {
		RF_LOG(ERR, ETHDEV, "Port %u: RSS key of %u bytes: give 0 (default) or %u", port,
		       conf->rss.key_len, RF_ETH_RSS_KEY_LEN);
		return -EINVAL;
	}

	struct port_state *st = &port_state[port];
	dev->nb_rx_queues = nb_rxq;
	dev->nb_tx_queues = nb_txq;
	dev->conf = conf != NULL ? *conf : (struct rf_eth_conf){0};
	/* Queues that still exist keep their setup; the others are gone. */
	st->rxq_ready &= queue_mask(nb_rxq);
	st->txq_ready &= queue_mask(nb_txq);
	st->configured = false;
	if (dev->ops->dev_configure != NULL) {
		rc = dev->ops->dev_configure(dev);
		if (rc < 0) {
			RF_LOG(ERR, ETHDEV, "Port %u: configure failed: %s", port, strerror(-rc));
			dev->nb_rx_queues = 0;
			dev->nb_tx_queues = 0;
			st->rxq_ready = 0;
			st->txq_ready = 0;
			return rc;
		}
	}
	st->configured = true;
	return 0;
}

/* Shared checks of RX and TX queue setup; dir is "RX" or "TX". */
static int queue_setup_check(uint16_t port, const char *dir, uint16_t queue, uint16_t nb_queues,
			     uint16_t nb_desc, uint16_t min_desc, uint16_t max_desc)
{
	struct rf_eth_dev *dev = eth_devs[port];

	if (dev->started) {
		RF_LOG(ERR, ETHDEV, "Port %u: cannot set up %s queue %u of a started port", port,
		       dir, queue);
		return -EBUSY;
	}
	if (!port_state[port].configured) {
		RF_LOG(ERR, ETHDEV, "Port %u: configure the port before setting up %s queue %u",
		       port, dir, queue);
		return -EINVAL;
	}
	if (queue >= nb_queues) {
		RF_LOG(ERR, ETHDEV, "Port %u: %s queue %u does not exist (%u configured)", port,
		       dir, queue, nb_queues);
		return -EINVAL;
	}
	if (!rf_is_pow2(nb_desc) || nb_desc < min_desc || nb_desc > max_desc) {
		RF_LOG(ERR, ETHDEV,
		       "Port %u: %s queue %u: ring size %u: need a power of two in [%u, %u]", port,
		       dir, queue, nb_desc, min_desc, max_desc);
		return -EINVAL;
	}
	return 0;
}

int rf_eth_rx_queue_setup(uint16_t port, uint16_t queue, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp)
{
	struct rf_eth_dev *dev = port_dev(port);
	struct rf_eth_dev_info info;

	if (dev == NULL)
		return -ENODEV;
	if (mp == NULL) {
		RF_LOG(ERR, ETHDEV, "Port %u: RX queue %u needs a mempool", port, queue);
		return -EINVAL;
	}
	int rc = rf_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	rc = queue_setup_check(port, "RX", queue, dev->nb_rx_queues, nb_desc, info.min_rx_desc,
			       info.max_rx_desc);
	if (rc < 0)
		return rc;
	if (dev->ops->rx_queue_setup == NULL)
		return -ENOTSUP;
	rc = dev->ops->rx_queue_setup(dev, queue, nb_desc, socket, mp);
	if (rc < 0) {
		RF_LOG(ERR, ETHDEV, "Port %u: RX queue %u setup failed: %s", port, queue,
		       strerror(-rc));
		return rc;
	}
	port_state[port].rxq_ready |= 1u << queue;
	return 0;
}

int rf_eth_tx_queue_setup(uint16_t port, uint16_t queue, uint16_t nb_desc, int socket)
{
	struct rf_eth_dev *dev = port_dev(port);
	struct rf_eth_dev_info info;

	if (dev == NULL)
		return -ENODEV;
	int rc = rf_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	rc = queue_setup_check(port, "TX", queue, dev->nb_tx_queues, nb_desc, info.min_tx_desc,
			       info.max_tx_desc);
	if (rc < 0)
		return rc;
	if (dev->ops->tx_queue_setup == NULL)
		return -ENOTSUP;
	rc = dev->ops->tx_queue_setup(dev, queue, nb_desc, socket);
	if (rc < 0) {
		RF_LOG(ERR, ETHDEV, "Port %u: TX queue %u setup failed: %s", port, queue,
		       strerror(-rc));
		return rc;
	}
	port_state[port].txq_ready |= 1u << queue;
	return 0;
}

/* --- start, stop, close --- */

int rf_eth_dev_start(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (dev->started) {
		RF_LOG(INFO, ETHDEV, "Port %u: already started", port);
		return 0;
	}
	const struct port_state *st = &port_state[port];
	if (!st->configured) {
		RF_LOG(ERR, ETHDEV, "Port %u: configure the port before starting it", port);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < dev->nb_rx_queues; q++) {
		if (!(st->rxq_ready & (1u << q))) {
			RF_LOG(ERR, ETHDEV, "Port %u: RX queue %u is not set up", port, q);
			return -EINVAL;
		}
	}
	for (uint16_t q = 0; q < dev->nb_tx_queues; q++) {
		if (!(st->txq_ready & (1u << q))) {
			RF_LOG(ERR, ETHDEV, "Port %u: TX queue %u is not set up", port, q);
			return -EINVAL;
		}
	}
	if (dev->ops->dev_start != NULL) {
		int rc = dev->ops->dev_start(dev);
		if (rc < 0) {
			RF_LOG(ERR, ETHDEV, "Port %u: start failed: %s", port, strerror(-rc));
			return rc;
		}
	}
	dev->started = 1;
	fp_ops_install(port, dev);
	RF_LOG(INFO, ETHDEV, "Port %u: started", port);
	return 0;
}

int rf_eth_dev_stop(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (!dev->started)
		return 0;
	if (dev->ops->dev_stop != NULL) {
		int rc = dev->ops->dev_stop(dev);
		if (rc < 0) {
			RF_LOG(ERR, ETHDEV, "Port %u: stop failed: %s", port, strerror(-rc));
			return rc;
		}
	}
	fp_ops_reset(port);
	dev->started = 0;
	RF_LOG(INFO, ETHDEV, "Port %u: stopped", port);
	return 0;
}

int rf_eth_dev_close(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (dev->started) {
		int rc = rf_eth_dev_stop(port);
		if (rc < 0) {
			/* Closing must not leave the port half there: the driver frees it anyway.
			 */
			RF_LOG(WARNING, ETHDEV, "Port %u: closing although stop failed", port);
			fp_ops_reset(port);
			dev->started = 0;
		}
	}
	pthread_mutex_lock(&port_lock);
	eth_devs[port] = NULL;
	port_state[port] = (struct port_state){0};
	pthread_mutex_unlock(&port_lock);
	fp_ops_reset(port);

	int rc = dev_release(dev);
	if (rc < 0)
		RF_LOG(ERR, ETHDEV, "Port %u: close failed: %s", port, strerror(-rc));
	else
		RF_LOG(INFO, ETHDEV, "Port %u: closed", port);
	return rc;
}

/* --- device RSS --- */

/* The port's dev_info, for the size checks; NULL and *rc set if there is none. */
static struct rf_eth_dev *rss_port(uint16_t port, struct rf_eth_dev_info *info, int *rc)
{
	struct rf_eth_dev *dev = port_dev(port);

	*rc = -ENODEV;
	if (dev == NULL)
		return NULL;
	*rc = rf_eth_dev_info_get(port, info);
	return *rc < 0 ? NULL : dev;
}

int rf_eth_dev_rss_hash_update(uint16_t port, const struct rf_eth_rss_conf *conf)
{
	struct rf_eth_dev_info info;
	int rc;
	struct rf_eth_dev *dev = rss_port(port, &info, &rc);

	if (dev == NULL)
		return rc;
	if (dev->ops->rss_hash_update == NULL)
		return -ENOTSUP;
	if (conf == NULL)
		return -EINVAL;
	uint64_t unsupported = conf->rss_hf & ~info.flow_type_rss_offloads;
	if (unsupported != 0) {
		RF_LOG(ERR, ETHDEV, "Port %u: rss_hf 0x%llx: %s cannot hash 0x%llx", port,
		       (unsigned long long)conf->rss_hf, dev->name,
		       (unsigned long long)unsupported);
		return -EINVAL;
	}
	if (conf->key_len != 0 && conf->key_len != RF_ETH_RSS_KEY_LEN) {
		RF_LOG(ERR, ETHDEV, "Port %u: RSS key of %u bytes: give 0 (default) or %u", port,
		       conf->key_len, RF_ETH_RSS_KEY_LEN);
		return -EINVAL;
	}
	rc = dev->ops->rss_hash_update(dev, conf);
	if (rc == 0)
		dev->conf.rss = *conf;
	return rc;
}

int rf_eth_dev_rss_hash_conf_get(uint16_t port, struct rf_eth_rss_conf *conf)
{
	struct rf_eth_dev_info info;
	int rc;
	struct rf_eth_dev *dev = rss_port(port, &info, &rc);

	if (dev == NULL)
		return rc;
	if (dev->ops->rss_hash_conf_get == NULL)
		return -ENOTSUP;
	if (conf == NULL)
		return -EINVAL;
	return dev->ops->rss_hash_conf_get(dev, conf);
}

/* A RETA is exactly dev_info.reta_size entries, each a configured RX queue. */
static int reta_check(uint16_t port, const struct rf_eth_dev *dev,
		      const struct rf_eth_dev_info *info, const uint16_t *reta, uint16_t size,
		      bool check_queues)
{
	if (reta == NULL)
		return -EINVAL;
	if (size != info->reta_size) {
		RF_LOG(ERR, ETHDEV, "Port %u: RETA of %u entries: %s has %u", port, size, dev->name,
		       info->reta_size);
		return -EINVAL;
	}
	for (uint16_t i = 0; check_queues && i < size; i++) {
		if (reta[i] >= dev->nb_rx_queues) {
			RF_LOG(ERR, ETHDEV,
			       "Port %u: RETA entry %u: RX queue %u does not exist (%u configured)",
			       port, i, reta[i], dev->nb_rx_queues);
			return -EINVAL;
		}
	}
	return 0;
}

int rf_eth_dev_rss_reta_update(uint16_t port, const uint16_t *reta, uint16_t size)
{
	struct rf_eth_dev_info info;
	int rc;
	struct rf_eth_dev *dev = rss_port(port, &info, &rc);

	if (dev == NULL)
		return rc;
	if (dev->ops->reta_update == NULL)
		return -ENOTSUP;
	rc = reta_check(port, dev, &info, reta, size, true);
	return rc < 0 ? rc : dev->ops->reta_update(dev, reta, size);
}

int rf_eth_dev_rss_reta_query(uint16_t port, uint16_t *reta, uint16_t size)
{
	struct rf_eth_dev_info info;
	int rc;
	struct rf_eth_dev *dev = rss_port(port, &info, &rc);

	if (dev == NULL)
		return rc;
	if (dev->ops->reta_query == NULL)
		return -ENOTSUP;
	rc = reta_check(port, dev, &info, reta, size, false);
	return rc < 0 ? rc : dev->ops->reta_query(dev, reta, size);
}

/* --- stats --- */

int rf_eth_stats_get(uint16_t port, struct rf_eth_stats *stats)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (stats == NULL)
		return -EINVAL;
	memset(stats, 0, sizeof(*stats));
	if (dev->ops->stats_get == NULL)
		return -ENOTSUP;
	int rc = dev->ops->stats_get(dev, stats);
	if (rc < 0)
		return rc;

	uint64_t ipackets = 0, opackets = 0, ibytes = 0, obytes = 0;
	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		ipackets += stats->q_ipackets[q];
		opackets += stats->q_opackets[q];
		ibytes += stats->q_ibytes[q];
		obytes += stats->q_obytes[q];
	}
	/* Totals the driver left out are the sums of its queues. */
	if (stats->ipackets == 0)
		stats->ipackets = ipackets;
	if (stats->opackets == 0)
		stats->opackets = opackets;
	if (stats->ibytes == 0)
		stats->ibytes = ibytes;
	if (stats->obytes == 0)
		stats->obytes = obytes;
	return 0;
}

int rf_eth_stats_reset(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (dev->ops->stats_reset == NULL)
		return -ENOTSUP;
	return dev->ops->stats_reset(dev);
}

/* The generic xstats, named as DPDK names them so that scripts carry over. */
static const struct {
	const char *name;
	size_t off;
} basic_xstats[] = {
    {"rx_good_packets", offsetof(struct rf_eth_stats, ipackets)},
    {"tx_good_packets", offsetof(struct rf_eth_stats, opackets)},
    {"rx_good_bytes", offsetof(struct rf_eth_stats, ibytes)},
    {"tx_good_bytes", offsetof(struct rf_eth_stats, obytes)},
    {"rx_missed_errors", offsetof(struct rf_eth_stats, imissed)},
    {"rx_errors", offsetof(struct rf_eth_stats, ierrors)},
    {"tx_errors", offsetof(struct rf_eth_stats, oerrors)},
    {"tx_oversize_packets", offsetof(struct rf_eth_stats, tx_oversize)},
    {"rx_mbuf_allocation_errors", offsetof(struct rf_eth_stats, rx_nombuf)},
};

struct xstat_out {
	struct rf_eth_xstat *xs;
	unsigned n;   /* room in xs */
	unsigned idx; /* entries counted so far, stored or not */
};

RF_PRINTF(3, 4) static void xstat_put(struct xstat_out *o, uint64_t value, const char *fmt, ...)
{
	if (o->idx < o->n) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(o->xs[o->idx].name, sizeof(o->xs[o->idx].name), fmt, ap);
		va_end(ap);
		o->xs[o->idx].value = value;
	}
	o->idx++;
}

int rf_eth_xstats_get(uint16_t port, struct rf_eth_xstat *xstats, unsigned n)
{
	struct rf_eth_dev *dev = port_dev(port);
	struct xstat_out o = {.xs = xstats, .n = n, .idx = 0};
	struct rf_eth_stats st;

	if (dev == NULL)
		return -ENODEV;
	if (xstats == NULL && n > 0)
		return -EINVAL;
	if (rf_eth_stats_get(port, &st) == 0) {
		for (unsigned i = 0; i < RF_DIM(basic_xstats); i++)
			xstat_put(&o, *(const uint64_t *)((const char *)&st + basic_xstats[i].off),
				  "%s", basic_xstats[i].name);
		for (unsigned q = 0; q < dev->nb_rx_queues; q++) {
			xstat_put(&o, st.q_ipackets[q], "rx_q%u_packets", q);
			xstat_put(&o, st.q_ibytes[q], "rx_q%u_bytes", q);
			xstat_put(&o, st.q_errors[q], "rx_q%u_errors", q);
		}
		for (unsigned q = 0; q < dev->nb_tx_queues; q++) {
			xstat_put(&o, st.q_opackets[q], "tx_q%u_packets", q);
			xstat_put(&o, st.q_obytes[q], "tx_q%u_bytes", q);
		}
	}
	if (dev->ops->xstats_get == NULL)
		return (int)o.idx;

	unsigned room = n > o.idx ? n - o.idx : 0;
	int nd = dev->ops->xstats_get(dev, room > 0 ? xstats + o.idx : NULL, room);
	if (nd < 0)
		return nd;
	return (int)o.idx + nd;
}

/* --- link, MAC, promiscuous --- */

int rf_eth_link_get_nowait(uint16_t port, struct rf_eth_link *link)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (link == NULL)
		return -EINVAL;
	memset(link, 0, sizeof(*link));
	if (dev->ops->link_update != NULL)
		return dev->ops->link_update(dev, link);
	/* Relaxed: the status is a value of its own; nothing else is published with it. */
	link->status = atomic_load_explicit(&dev->link_status, memory_order_relaxed);
	/* A virtual link has no speed to report (0 = unknown) and no half duplex. */
	link->full_duplex = link->status == RF_ETH_LINK_UP;
	return 0;
}

void rf_eth_dev_set_link(struct rf_eth_dev *dev, int up)
{
	uint8_t status = up ? RF_ETH_LINK_UP : RF_ETH_LINK_DOWN;

	/* Relaxed, as in rf_eth_link_get_nowait: the exchange only detects the transition. */
	if (atomic_exchange_explicit(&dev->link_status, status, memory_order_relaxed) == status)
		return;

	/* During probe the device has no port id yet: name it instead. */
	char name[RF_ETH_NAME_MAX];
	pthread_mutex_lock(&port_lock);
	uint16_t port = dev->port_id;
	bool registered = port < RF_MAX_ETHPORTS && eth_devs[port] == dev;
	if (!registered)
		snprintf(name, sizeof(name), "%s", dev->name[0] != '\0' ? dev->name : "new device");
	pthread_mutex_unlock(&port_lock);

	const char *what = up ? "link up" : "link down";
	if (registered)
		RF_LOG(NOTICE, ETHDEV, "Port %u: %s", port, what);
	else
		RF_LOG(NOTICE, ETHDEV, "%s: %s", name, what);
}

int rf_eth_macaddr_get(uint16_t port, struct rf_ether_addr *mac)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (mac == NULL)
		return -EINVAL;
	*mac = dev->mac;
	return 0;
}

static int promiscuous_set(uint16_t port, int on)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	if (dev->ops->promiscuous_set == NULL)
		return -ENOTSUP;
	int rc = dev->ops->promiscuous_set(dev, on);
	if (rc < 0)
		return rc;
	dev->promiscuous = on;
	return 0;
}

int rf_eth_promiscuous_enable(uint16_t port)
{
	return promiscuous_set(port, 1);
}

int rf_eth_promiscuous_disable(uint16_t port)
{
	return promiscuous_set(port, 0);
}

int rf_eth_promiscuous_get(uint16_t port)
{
	struct rf_eth_dev *dev = port_dev(port);

	if (dev == NULL)
		return -ENODEV;
	return dev->promiscuous ? 1 : 0;
}

/* --- Ethernet addresses --- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rf_ether_random_addr(struct rf_ether_addr *a)
{
	do {
		if (getrandom(a->addr_bytes, sizeof(a->addr_bytes), 0) !=
		    (ssize_t)sizeof(a->addr_bytes))
			return errno != 0 ? -errno : -EIO;
		a->addr_bytes[0] = (uint8_t)((a->addr_bytes[0] & ~0x01u) | 0x02u);
	} while ((a->addr_bytes[1] | a->addr_bytes[2] | a->addr_bytes[3] | a->addr_bytes[4]) == 0);
	return 0;
}

int rf_ether_addr_parse(const char *s, struct rf_ether_addr *out)
{
	/* Six two-digit hex bytes, separated all by ':' or all by '-': 17 characters. */
	if (s == NULL || strlen(s) != 3 * RF_ETHER_ADDR_LEN - 1)
		return -EINVAL;
	char sep = s[2];
	if (sep != ':' && sep != '-')
		return -EINVAL;

	struct rf_ether_addr a;
	for (unsigned i = 0; i < RF_ETHER_ADDR_LEN; i++) {
		const char *p = s + 3 * i;
		int hi = hexval(p[0]), lo = hexval(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i + 1 < RF_ETHER_ADDR_LEN && p[2] != sep)
			return -EINVAL;
		a.addr_bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	*out = a;
	return 0;
}

void rf_ether_addr_format(char *buf, size_t len, const struct rf_ether_addr *a)
{
	const uint8_t *b = a->addr_bytes;

	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}
