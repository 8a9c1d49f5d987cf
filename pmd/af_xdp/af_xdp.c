/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp: a port on a Linux network interface through AF_XDP sockets.
 * Devargs as DPDK's driver of the same name:
 *
 *   --vdev 'net_af_xdp0,iface=eth1[,start_queue=Q][,queue_count=N]
 *           [,busy_budget=B][,xdp_prog=FILE][,force_copy=1]'
 *
 * - iface: the interface; it must exist and be up.
 * - start_queue, queue_count: the interface's queues the port uses; ethdev
 *   queue q is the interface's queue start_queue + q, with one socket each.
 *   The NIC's own RSS spreads flows over them, and so over ringfwd's lcores.
 * - busy_budget: preferred busy polling with this NAPI budget (0: off, the
 *   default). With it, each RX burst calls recvfrom to run the driver.
 * - xdp_prog: an XDP object file of the user's to attach instead of
 *   libxdp's default redirect program; it needs an XSKMAP named xsks_map.
 * - force_copy: never ask for zero-copy.
 *
 * The control path here: devargs, the interface (index, MAC, flags, queue
 * count, link), start/stop, counters. Sockets and the program are in
 * af_xdp_sock.c, the data path in af_xdp_rxtx.c, the layout in af_xdp.h.
 * Sockets and program exist only while the port is started: a stopped or
 * closed port leaves the interface as it found it.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "af_xdp.h"
#include "rf_ethdev_iface.h"
#include "rf_log.h"
#include "rf_mbuf.h"

static const char *const axdp_valid_keys[] = {
    "iface", "start_queue", "queue_count", "busy_budget", "xdp_prog", "force_copy", NULL,
};

RF_PRINTF(3, 4) static void perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- the interface, through ioctls on a socket of our network namespace --- */

/* Queues the interface has, for AF_XDP's bind (which wants both RX and TX). */
static uint32_t if_queue_count(const char *ifname)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};

	if (rf_eth_iface_ethtool(ifname, &ch) < 0)
		return 1; /* a driver without channels has one queue */
	uint32_t rx = ch.rx_count + ch.combined_count, tx = ch.tx_count + ch.combined_count;
	uint32_t n = RF_MIN(rx, tx);
	return n > 0 ? n : 1;
}

/* --- control path --- */

static int axdp_infos_get(struct rf_eth_dev *eth, struct rf_eth_dev_info *info)
{
	struct axdp_dev *d = axdp_dev(eth);

	snprintf(info->driver_name, sizeof(info->driver_name), "%s", AXDP_DRIVER_NAME);
	info->max_rx_queues = (uint16_t)d->queue_count;
	info->max_tx_queues = (uint16_t)d->queue_count;
	info->min_rx_desc = AXDP_MIN_DESC;
	info->max_rx_desc = AXDP_MAX_DESC / 2; /* the default ring: DPDK's 2048 */
	info->min_tx_desc = AXDP_MIN_DESC;
	info->max_tx_desc = AXDP_MAX_DESC / 2;
	info->max_rx_pktlen = RF_MBUF_DEFAULT_DATAROOM - XDP_PACKET_HEADROOM;
	return 0;
}

static struct axdp_queue *queue_get(struct axdp_dev *d, uint16_t q)
{
	if (d->q[q] == NULL) {
		d->q[q] = aligned_alloc(RF_CACHE_LINE, sizeof(struct axdp_queue));
		if (d->q[q] == NULL)
			return NULL;
		memset(d->q[q], 0, sizeof(struct axdp_queue));
		d->q[q]->fd = -1;
		d->q[q]->qid = q;
	}
	return d->q[q];
}

static bool desc_ok(uint16_t n)
{
	return n >= AXDP_MIN_DESC && n <= AXDP_MAX_DESC && (n & (n - 1)) == 0;
}

static int axdp_rxq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp)
{
	struct axdp_dev *d = axdp_dev(eth);
	struct axdp_queue *aq;

	(void)socket;
	if (q >= d->queue_count || !desc_ok(nb_desc))
		return -EINVAL;
	if ((aq = queue_get(d, q)) == NULL)
		return -ENOMEM;
	aq->mp = mp;
	aq->nb_rx_desc = nb_desc;
	aq->rx_used = true;
	eth->rxq[q] = aq;
	return 0;
}

static int axdp_txq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket)
{
	struct axdp_dev *d = axdp_dev(eth);
	struct axdp_queue *aq;

	(void)socket;
	if (q >= d->queue_count || !desc_ok(nb_desc))
		return -EINVAL;
	if ((aq = queue_get(d, q)) == NULL)
		return -ENOMEM;
	aq->nb_tx_desc = nb_desc;
	aq->tx_used = true;
	eth->txq[q] = aq;
	return 0;
}

static void sockets_close(struct axdp_dev *d)
{
	/* The program first: no more frames are steered to sockets about to go. */
	axdp_prog_detach(d);
	for (uint16_t i = 0; i < d->nb_sockets; i++)
		axdp_queue_close(d->q[i]);
	d->nb_sockets = 0;
}

/*
 * One socket per queue pair: RX queue q and TX queue q share it. A socket
 * has both rings, so a half that was not set up gets the other's sizes, and
 * a TX-only queue takes its UMEM from RX queue 0's pool.
 */
static int axdp_start(struct rf_eth_dev *eth)
{
	struct axdp_dev *d = axdp_dev(eth);
	char err[AXDP_ERR_LEN] = "";
	uint16_t n = RF_MAX(eth->nb_rx_queues, eth->nb_tx_queues);
	int rc = axdp_check_no_prog(d, err, sizeof(err));

	for (uint16_t i = 0; rc == 0 && i < n; i++) {
		struct axdp_queue *q = d->q[i];
		if (q == NULL || (q->mp == NULL && (d->q[0] == NULL || d->q[0]->mp == NULL))) {
			perr(err, sizeof(err), "queue %u has no RX pool for its UMEM", i);
			rc = -EINVAL;
			break;
		}
		if (q->mp == NULL)
			q->mp = d->q[0]->mp;
		if (q->nb_rx_desc == 0)
			q->nb_rx_desc = q->nb_tx_desc;
		if (q->nb_tx_desc == 0)
			q->nb_tx_desc = q->nb_rx_desc;
		q->port = eth->port_id;
		q->busy_budget = d->busy_budget;
		memset(&q->rxc, 0, sizeof(q->rxc));
		memset(&q->txc, 0, sizeof(q->txc));
		d->nb_sockets = (uint16_t)(i + 1);
		rc = axdp_queue_open(d, q, err, sizeof(err));
	}
	if (rc == 0)
		rc = axdp_prog_attach(d, err, sizeof(err));
	if (rc < 0) {
		RF_LOG(ERR, AF_XDP, "%s: %s", eth->name, err);
		sockets_close(d);
		return rc;
	}
	if (!d->mode_said) {
		RF_LOG(NOTICE, AF_XDP, "%s: iface=%s queues %u..%u, %s%s", eth->name, d->ifname,
		       d->start_queue, d->start_queue + n - 1,
		       d->zero_copy ? "zero-copy"
				    : "copy mode (the kernel copies each frame into our mbufs)",
		       d->busy_budget ? ", preferred busy polling" : "");
		d->mode_said = true;
	}
	return 0;
}

static int axdp_stop(struct rf_eth_dev *eth)
{
	sockets_close(axdp_dev(eth));
	return 0;
}

static void axdp_free(struct axdp_dev *d)
{
	sockets_close(d);
	for (unsigned i = 0; i < RF_MAX_QUEUES_PER_PORT; i++)
		free(d->q[i]);
	if (d->promisc_fd >= 0)
		close(d->promisc_fd); /* the kernel drops our promiscuous reference */
	free(d->prog_path);
	free(d);
}

static int axdp_close(struct rf_eth_dev *eth)
{
	axdp_free(axdp_dev(eth));
	return 0;
}

static int axdp_stats_get(struct rf_eth_dev *eth, struct rf_eth_stats *st)
{
	struct axdp_dev *d = axdp_dev(eth);

	for (unsigned i = 0; i < RF_MAX_QUEUES_PER_PORT; i++) {
		const struct axdp_queue *q = d->q[i];
		if (q == NULL)
			continue;
		st->q_ipackets[i] = axdp_read(&q->rxc.packets);
		st->q_ibytes[i] = axdp_read(&q->rxc.bytes);
		st->q_errors[i] = axdp_read(&q->rxc.errors);
		st->ierrors += axdp_read(&q->rxc.errors);
		st->rx_nombuf += axdp_read(&q->rxc.nombuf);
		st->q_opackets[i] = axdp_read(&q->txc.packets);
		st->q_obytes[i] = axdp_read(&q->txc.bytes);
		st->oerrors += axdp_read(&q->txc.errors);
		if (q->fd >= 0) {
			struct xdp_statistics xs;
			socklen_t len = sizeof(xs);
			if (getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &xs, &len) == 0)
				st->imissed += xs.rx_dropped + xs.rx_ring_full;
		}
	}
	return 0;
}

static int axdp_stats_reset(struct rf_eth_dev *eth)
{
	struct axdp_dev *d = axdp_dev(eth);

	for (unsigned i = 0; i < RF_MAX_QUEUES_PER_PORT; i++) {
		struct axdp_queue *q = d->q[i];
		if (q == NULL)
			continue;
		atomic_store_explicit(&q->rxc.packets, 0, memory_order_relaxed);
		atomic_store_explicit(&q->rxc.bytes, 0, memory_order_relaxed);
		atomic_store_explicit(&q->rxc.errors, 0, memory_order_relaxed);
		atomic_store_explicit(&q->rxc.nombuf, 0, memory_order_relaxed);
		atomic_store_explicit(&q->txc.packets, 0, memory_order_relaxed);
		atomic_store_explicit(&q->txc.bytes, 0, memory_order_relaxed);
		atomic_store_explicit(&q->txc.errors, 0, memory_order_relaxed);
	}
	return 0;
}

static void xs_put(struct rf_eth_xstat *xs, unsigned n, unsigned *i, const char *name, unsigned q,
		   uint64_t v)
{
	if (*i < n) {
		snprintf(xs[*i].name, sizeof(xs[*i].name), "q%u_%s", q, name);
		xs[*i].value = v;
	}
	(*i)++;
}

/* Per queue: our checks of the kernel's descriptors, then the kernel's XDP_STATISTICS. */
static int axdp_xstats_get(struct rf_eth_dev *eth, struct rf_eth_xstat *xs, unsigned n)
{
	struct axdp_dev *d = axdp_dev(eth);
	unsigned i = 0;

	for (unsigned qi = 0; qi < RF_MAX_QUEUES_PER_PORT; qi++) {
		const struct axdp_queue *q = d->q[qi];
		struct xdp_statistics k = {0};
		socklen_t len = sizeof(k);

		if (q == NULL)
			continue;
		if (q->fd >= 0)
			getsockopt(q->fd, SOL_XDP, XDP_STATISTICS, &k, &len);
		xs_put(xs, n, &i, "rx_bad_addr", qi, axdp_read(&q->rxc.bad_addr));
		xs_put(xs, n, &i, "rx_bad_len", qi, axdp_read(&q->rxc.bad_len));
		xs_put(xs, n, &i, "rx_idx_jump", qi, axdp_read(&q->rxc.idx_jump));
		xs_put(xs, n, &i, "rx_wakeups", qi, axdp_read(&q->rxc.kicks));
		xs_put(xs, n, &i, "tx_copied", qi, axdp_read(&q->txc.copied));
		xs_put(xs, n, &i, "tx_nombuf", qi, axdp_read(&q->txc.nombuf));
		xs_put(xs, n, &i, "tx_bad_completion", qi, axdp_read(&q->txc.bad_addr));
		xs_put(xs, n, &i, "tx_wakeups", qi, axdp_read(&q->txc.kicks));
		xs_put(xs, n, &i, "xdp_rx_dropped", qi, k.rx_dropped);
		xs_put(xs, n, &i, "xdp_rx_invalid_descs", qi, k.rx_invalid_descs);
		xs_put(xs, n, &i, "xdp_tx_invalid_descs", qi, k.tx_invalid_descs);
		xs_put(xs, n, &i, "xdp_rx_ring_full", qi, k.rx_ring_full);
		xs_put(xs, n, &i, "xdp_rx_fill_ring_empty_descs", qi, k.rx_fill_ring_empty_descs);
		xs_put(xs, n, &i, "xdp_tx_ring_empty_descs", qi, k.tx_ring_empty_descs);
	}
	return (int)i;
}

/* Up when the interface is up and has carrier; the speed ethtool reports. */
static int axdp_link_update(struct rf_eth_dev *eth, struct rf_eth_link *link)
{
	struct axdp_dev *d = axdp_dev(eth);
	short flags;
	bool full;

	memset(link, 0, sizeof(*link));
	if (rf_eth_iface_flags(d->ifname, &flags) == 0)
		link->status =
		    (flags & IFF_UP) && (flags & IFF_RUNNING) ? RF_ETH_LINK_UP : RF_ETH_LINK_DOWN;
	link->speed_mbps = rf_eth_iface_speed(d->ifname, &full);
	link->full_duplex = full;
	return 0;
}

/*
 * Promiscuous through the kernel's reference count (PACKET_MR_PROMISC on a
 * packet socket that receives nothing): the kernel drops our reference when
 * the socket closes, also when ringfwd is killed, so the interface is never
 * left promiscuous by us.
 */
static int axdp_promiscuous_set(struct rf_eth_dev *eth, int on)
{
	struct axdp_dev *d = axdp_dev(eth);

	if (!on) {
		if (d->promisc_fd >= 0)
			close(d->promisc_fd);
		d->promisc_fd = -1;
		return 0;
	}
	if (d->promisc_fd >= 0)
		return 0;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0); /* protocol 0: no frames */
	if (fd < 0)
		return -errno;
	struct packet_mreq mr = {.mr_ifindex = d->ifindex, .mr_type = PACKET_MR_PROMISC};
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	d->promisc_fd = fd;
	return 0;
}

static const struct rf_eth_dev_ops axdp_ops = {
    .dev_infos_get = axdp_infos_get,
    .rx_queue_setup = axdp_rxq_setup,
    .tx_queue_setup = axdp_txq_setup,
    .dev_start = axdp_start,
    .dev_stop = axdp_stop,
    .dev_close = axdp_close,
    .stats_get = axdp_stats_get,
    .stats_reset = axdp_stats_reset,
    .xstats_get = axdp_xstats_get,
    .link_update = axdp_link_update,
    .promiscuous_set = axdp_promiscuous_set,
};

/* --- probe --- */

/* The interface: it exists, is Ethernet, is up, and has the queues asked for. */
static int probe_iface(struct axdp_dev *d, char *err, size_t errlen)
{
	struct ifreq ifr;
	int rc = rf_eth_iface_ioctl(d->ifname, SIOCGIFINDEX, &ifr);

	if (rc < 0) {
		perr(err, errlen, "iface=%s: no such interface in this network namespace",
		     d->ifname);
		return -ENODEV;
	}
	d->ifindex = ifr.ifr_ifindex;
	if ((rc = rf_eth_iface_ioctl(d->ifname, SIOCGIFHWADDR, &ifr)) < 0 ||
	    ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		perr(err, errlen, "iface=%s: not an Ethernet interface", d->ifname);
		return -ENOTSUP;
	}
	memcpy(d->eth.mac.addr_bytes, ifr.ifr_hwaddr.sa_data, RF_ETHER_ADDR_LEN);
	if ((rc = rf_eth_iface_ioctl(d->ifname, SIOCGIFFLAGS, &ifr)) < 0 ||
	    !(ifr.ifr_flags & IFF_UP)) {
		perr(err, errlen, "iface=%s is down; bring it up first ('ip link set dev %s up')",
		     d->ifname, d->ifname);
		return -ENETDOWN;
	}
	uint32_t have = if_queue_count(d->ifname);
	if (d->start_queue >= have || d->queue_count > have - d->start_queue) {
		perr(err, errlen,
		     "iface=%s has %u queue%s (0..%u); start_queue=%u queue_count=%u asks for "
		     "queue %u",
		     d->ifname, have, have == 1 ? "" : "s", have - 1, d->start_queue,
		     d->queue_count, d->start_queue + d->queue_count - 1);
		return -EINVAL;
	}
	return 0;
}

/* AF_XDP sockets need CAP_NET_RAW: say so now, not at the first start. */
static int probe_permission(char *err, size_t errlen)
{
	int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int rc = -errno;
	if (rc == -EPERM || rc == -EACCES)
		perr(err, errlen,
		     "no permission to open an AF_XDP socket: run as root "
		     "(CAP_NET_RAW, CAP_BPF, CAP_NET_ADMIN)");
	else
		perr(err, errlen, "cannot open an AF_XDP socket (kernel without AF_XDP?): %s",
		     strerror(-rc));
	return rc;
}

static int probe_args(struct axdp_dev *d, const struct rf_devargs *da, char *err, size_t errlen)
{
	const char *iface = rf_devargs_get(da, "iface");
	const char *prog = rf_devargs_get(da, "xdp_prog");
	int rc;

	if (iface == NULL || iface[0] == '\0') {
		perr(err, errlen, "iface=IF is required (the interface to use)");
		return -EINVAL;
	}
	if (strlen(iface) >= sizeof(d->ifname)) {
		perr(err, errlen, "iface=%s: longer than %zu characters", iface,
		     sizeof(d->ifname) - 1);
		return -EINVAL;
	}
	snprintf(d->ifname, sizeof(d->ifname), "%s", iface);
	rc = rf_devargs_get_u32(da, "start_queue", 0, 0, 1023, &d->start_queue, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_u32(da, "queue_count", 1, 1, RF_MAX_QUEUES_PER_PORT,
					&d->queue_count, err, errlen);
	if (rc == 0)
		rc =
		    rf_devargs_get_u32(da, "busy_budget", 0, 0, 1024, &d->busy_budget, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(da, "force_copy", 0, &d->force_copy, err, errlen);
	if (rc < 0)
		return rc;
	if (prog != NULL) {
		if (prog[0] == '\0' || access(prog, R_OK) != 0) {
			perr(err, errlen, "xdp_prog=%s: cannot read it: %s", prog,
			     prog[0] == '\0' ? "empty path" : strerror(errno));
			return -EINVAL;
		}
		if ((d->prog_path = strdup(prog)) == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int axdp_probe(const char *name, const struct rf_devargs *da, struct rf_eth_dev **out,
		      char *err, size_t errlen)
{
	char lerr[AXDP_ERR_LEN] = "";
	struct axdp_dev *d = calloc(1, sizeof(*d));
	int rc;

	if (d == NULL)
		return -ENOMEM;
	d->promisc_fd = -1;
	snprintf(d->eth.name, sizeof(d->eth.name), "%s", name);
	d->eth.ops = &axdp_ops;
	d->eth.rx_burst = axdp_rx_burst;
	d->eth.tx_burst = axdp_tx_burst;
	rc = probe_args(d, da, lerr, sizeof(lerr));
	if (rc == 0)
		rc = probe_iface(d, lerr, sizeof(lerr));
	if (rc == 0)
		rc = probe_permission(lerr, sizeof(lerr));
	if (rc == 0 && d->prog_path != NULL)
		rc = axdp_prog_check_file(d->prog_path, lerr, sizeof(lerr));
	if (rc == 0)
		rc = axdp_check_no_prog(d, lerr, sizeof(lerr));
	if (rc < 0) {
		if (lerr[0] == '\0')
			snprintf(lerr, sizeof(lerr), "%s", strerror(-rc));
		perr(err, errlen, "%s: %s", name, lerr);
		axdp_free(d);
		return rc;
	}
	rf_eth_dev_set_link(&d->eth, 1);
	*out = &d->eth;
	return 0;
}

static const struct rf_eth_driver axdp_driver = {
    .name = AXDP_DRIVER_NAME,
    .valid_keys = axdp_valid_keys,
    .probe = axdp_probe,
};

RF_ETH_DRIVER_REGISTER(axdp_driver)
