/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The common telemetry commands. They run on the telemetry thread under
 * rf_tel_lock(), which the front ends hold while they add, reconfigure or
 * close ports; the counters themselves are read as the periodic statistics
 * read them, while the lcores forward.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_telemetry.h"
#include "rf_eal.h"
#include "rf_ethdev.h"

static struct rf_mempool *pools[RF_APP_TEL_MAX_POOLS];
static unsigned nb_pools;

int rf_app_tel_add_mempool(struct rf_mempool *mp)
{
	for (unsigned i = 0; i < nb_pools; i++)
		if (pools[i] == mp)
			return 0;
	if (nb_pools == RF_APP_TEL_MAX_POOLS)
		return -ENOSPC;
	rf_tel_lock();
	pools[nb_pools++] = mp;
	rf_tel_unlock();
	return 0;
}

int rf_app_tel_parse_uint(const char *params, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (params == NULL || params[0] < '0' || params[0] > '9' || strlen(params) > 10)
		return -EINVAL;
	errno = 0;
	v = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The port named by params, or -EINVAL. */
static int port_param(const char *params, uint16_t *port)
{
	unsigned long v;

	if (rf_app_tel_parse_uint(params, RF_MAX_ETHPORTS - 1, &v) != 0 ||
	    !rf_eth_dev_is_valid_port((uint16_t)v))
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int no_params(const char *params)
{
	return params == NULL ? 0 : -EINVAL;
}

static int ethdev_list(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	uint16_t p;

	(void)cmd;
	(void)arg;
	if (no_params(params) != 0)
		return -EINVAL;
	rf_tel_array_begin(d, NULL);
	RF_ETH_FOREACH_DEV(p)
	rf_tel_u64(d, NULL, p);
	rf_tel_end(d);
	return 0;
}

static void queue_array(struct rf_tel_data *d, const char *key, const uint64_t *q)
{
	rf_tel_array_begin(d, key);
	for (unsigned i = 0; i < RF_MAX_QUEUES_PER_PORT; i++)
		rf_tel_u64(d, NULL, q[i]);
	rf_tel_end(d);
}

static int ethdev_stats(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	struct rf_eth_stats st;
	uint16_t p;

	(void)cmd;
	(void)arg;
	if (port_param(params, &p) != 0 || rf_eth_stats_get(p, &st) != 0)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_u64(d, "ipackets", st.ipackets);
	rf_tel_u64(d, "opackets", st.opackets);
	rf_tel_u64(d, "ibytes", st.ibytes);
	rf_tel_u64(d, "obytes", st.obytes);
	rf_tel_u64(d, "imissed", st.imissed);
	rf_tel_u64(d, "ierrors", st.ierrors);
	rf_tel_u64(d, "oerrors", st.oerrors);
	rf_tel_u64(d, "rx_nombuf", st.rx_nombuf);
	rf_tel_u64(d, "tx_oversize", st.tx_oversize);
	queue_array(d, "q_ipackets", st.q_ipackets);
	queue_array(d, "q_opackets", st.q_opackets);
	queue_array(d, "q_ibytes", st.q_ibytes);
	queue_array(d, "q_obytes", st.q_obytes);
	queue_array(d, "q_errors", st.q_errors);
	rf_tel_end(d);
	return 0;
}

static int ethdev_xstats(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	struct rf_eth_xstat *xs;
	uint16_t p;
	int n;

	(void)cmd;
	(void)arg;
	if (port_param(params, &p) != 0)
		return -EINVAL;
	n = rf_eth_xstats_get(p, NULL, 0);
	if (n < 0)
		return n;
	xs = calloc((size_t)n + 1, sizeof(*xs));
	if (xs == NULL)
		return -ENOMEM;
	int got = rf_eth_xstats_get(p, xs, (unsigned)n);
	if (got > n)
		got = n;
	rf_tel_dict_begin(d, NULL);
	for (int i = 0; i < got; i++) {
		xs[i].name[RF_ETH_XSTAT_NAME_SIZE - 1] = '\0';
		rf_tel_u64(d, xs[i].name, xs[i].value);
	}
	rf_tel_end(d);
	free(xs);
	return got < 0 ? got : 0;
}

static int ethdev_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	struct rf_eth_dev_info info;
	struct rf_ether_addr mac;
	char macs[32] = "";
	uint16_t p;

	(void)cmd;
	(void)arg;
	if (port_param(params, &p) != 0 || rf_eth_dev_info_get(p, &info) != 0)
		return -EINVAL;
	if (rf_eth_macaddr_get(p, &mac) == 0)
		rf_ether_addr_format(macs, sizeof(macs), &mac);
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "name", rf_eth_dev_name(p));
	rf_tel_str(d, "driver_name", info.driver_name);
	rf_tel_u64(d, "port_id", p);
	rf_tel_str(d, "mac_addr", macs);
	rf_tel_i64(d, "promiscuous", rf_eth_promiscuous_get(p));
	rf_tel_u64(d, "max_rx_queues", info.max_rx_queues);
	rf_tel_u64(d, "max_tx_queues", info.max_tx_queues);
	rf_tel_u64(d, "min_rx_desc", info.min_rx_desc);
	rf_tel_u64(d, "max_rx_desc", info.max_rx_desc);
	rf_tel_u64(d, "min_tx_desc", info.min_tx_desc);
	rf_tel_u64(d, "max_tx_desc", info.max_tx_desc);
	rf_tel_u64(d, "max_rx_pktlen", info.max_rx_pktlen);
	rf_tel_u64(d, "max_tx_pktlen", info.max_tx_pktlen);
	rf_tel_u64(d, "features", info.features);
	rf_tel_u64(d, "flow_type_rss_offloads", info.flow_type_rss_offloads);
	rf_tel_u64(d, "reta_size", info.reta_size);
	rf_tel_u64(d, "hash_key_size", info.hash_key_size);
	rf_tel_end(d);
	return 0;
}

static int ethdev_link(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	struct rf_eth_link link;
	uint16_t p;

	(void)cmd;
	(void)arg;
	if (port_param(params, &p) != 0 || rf_eth_link_get_nowait(p, &link) != 0)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "status", link.status == RF_ETH_LINK_UP ? "UP" : "DOWN");
	if (link.status == RF_ETH_LINK_UP) {
		rf_tel_u64(d, "speed", link.speed_mbps);
		rf_tel_str(d, "duplex", link.full_duplex ? "full-duplex" : "half-duplex");
	}
	rf_tel_end(d);
	return 0;
}

static int lcore_list(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)arg;
	if (no_params(params) != 0)
		return -EINVAL;
	rf_tel_array_begin(d, NULL);
	for (unsigned l = 0; l < RF_MAX_LCORE; l++)
		if (rf_lcore_is_enabled(l))
			rf_tel_u64(d, NULL, l);
	rf_tel_end(d);
	return 0;
}

static int lcore_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_eal_config *eal = rf_eal_config_get();
	unsigned long l;

	(void)cmd;
	(void)arg;
	if (eal == NULL || rf_app_tel_parse_uint(params, RF_MAX_LCORE - 1, &l) != 0 ||
	    !rf_lcore_is_enabled((unsigned)l))
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_u64(d, "lcore_id", l);
	rf_tel_i64(d, "socket", rf_lcore_to_socket((unsigned)l));
	rf_tel_str(d, "role", l == rf_lcore_main() ? "main" : "worker");
	rf_tel_array_begin(d, "cpuset");
	rf_tel_u64(d, NULL, eal->lcore_cpu[l]);
	rf_tel_end(d);
	rf_tel_end(d);
	return 0;
}

static int mempool_list(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	(void)arg;
	if (no_params(params) != 0)
		return -EINVAL;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < nb_pools; i++)
		rf_tel_str(d, NULL, pools[i]->name);
	rf_tel_end(d);
	return 0;
}

static int mempool_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_mempool *mp = NULL;

	(void)cmd;
	(void)arg;
	for (unsigned i = 0; params != NULL && i < nb_pools; i++)
		if (strcmp(pools[i]->name, params) == 0)
			mp = pools[i];
	if (mp == NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "name", mp->name);
	rf_tel_i64(d, "socket_id", mp->socket);
	rf_tel_u64(d, "size", mp->size);
	rf_tel_u64(d, "elt_size", mp->elt_size);
	rf_tel_u64(d, "cache_size", mp->cache_size);
	rf_tel_u64(d, "private_data_size", mp->priv_size);
	/*
	 * Only the shared ring is read: the per-lcore caches belong to their
	 * lcores, and their fill is not published for other threads.
	 */
	rf_tel_u64(d, "ring_count", rf_ring_count(mp->ring));
	rf_tel_end(d);
	return 0;
}

static const struct {
	const char *name;
	rf_tel_handler_t fn;
	const char *help;
} common_cmds[] = {
    {"/ethdev/list", ethdev_list, "Returns the list of port ids. Takes no parameters"},
    {"/ethdev/stats", ethdev_stats,
     "Returns the basic statistics of a port, with the per-queue arrays. Parameter: port id"},
    {"/ethdev/xstats", ethdev_xstats,
     "Returns the extended statistics of a port. Parameter: port id"},
    {"/ethdev/info", ethdev_info, "Returns the device information of a port. Parameter: port id"},
    {"/ethdev/link_status", ethdev_link, "Returns the link status of a port. Parameter: port id"},
    {"/eal/lcore/list", lcore_list, "Returns the list of lcore ids. Takes no parameters"},
    {"/eal/lcore/info", lcore_info, "Returns the information of an lcore. Parameter: lcore id"},
    {"/mempool/list", mempool_list, "Returns the list of mempool names. Takes no parameters"},
    {"/mempool/info", mempool_info, "Returns the information of a mempool. Parameter: its name"},
};

int rf_app_tel_start(char *err, size_t errlen)
{
	const struct rf_eal_config *eal = rf_eal_config_get();
	char path[128];
	int rc;

	if (eal == NULL || eal->no_telemetry)
		return 0;
	for (size_t i = 0; i < RF_DIM(common_cmds); i++) {
		rc = rf_tel_register(common_cmds[i].name, common_cmds[i].fn, NULL,
				     common_cmds[i].help);
		if (rc != 0 && rc != -EEXIST) {
			snprintf(err, errlen, "telemetry: cannot register %s: %s",
				 common_cmds[i].name, strerror(-rc));
			return rc;
		}
	}
	rc = rf_tel_start(eal->mem.prefix, path, sizeof(path), err, errlen);
	if (rc == 0)
		RF_LOG(INFO, EAL, "telemetry socket %s", path);
	return rc;
}

void rf_app_tel_stop(void)
{
	rf_tel_stop();
}
