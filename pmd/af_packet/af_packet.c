/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet: a port on a Linux network interface through AF_PACKET
 * sockets with mmap'ed TPACKET_V2 rings. Devargs and defaults as DPDK's
 * driver of the same name:
 *
 *   --vdev 'net_af_packet0,iface=eth1[,qpairs=1][,blocksz=4096][,framesz=2048]
 *           [,framecnt=512][,qdisc_bypass=1]'
 *
 * - Queue pair q is one socket with an RX ring and a TX ring of framecnt
 *   frames of framesz bytes, in blocks of blocksz (a multiple of the page
 *   size, holding whole frames). With more than one RX queue the sockets
 *   join one PACKET_FANOUT group in hash mode: the kernel spreads flows over
 *   them by the packet's flow hash, so each flow arrives on one queue.
 * - qdisc_bypass=1 (the default, as DPDK's code has it): PACKET_QDISC_BYPASS,
 *   frames go to the driver without the interface's queueing discipline.
 * - The sockets exist while the port is started: a stopped port receives
 *   nothing and its rings hold no memory. Probe checks what it can first
 *   (the interface exists, is up and Ethernet, and we may open AF_PACKET
 *   sockets), so that a bad devargs string fails at once.
 * - The socket sees neither what it sends nor what the host itself sends
 *   on the interface (PACKET_IGNORE_OUTGOING): the port receives what
 *   arrives, like a NIC.
 * - Promiscuous mode is a PACKET_MR_PROMISC membership of queue 0's socket:
 *   the kernel counts it and drops it when the socket closes, so the
 *   interface's own flags are never changed and a crash leaves nothing set.
 * - Link and MAC are the interface's (SIOCGIFFLAGS: up and running; the
 *   ethtool speed; SIOCGIFHWADDR), read when asked.
 * - Counters per queue; xstats add the kernel's PACKET_STATISTICS (frames
 *   it dropped because the RX ring was full) and the frames we refused.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "af_packet.h"
#include "rf_ethdev_driver.h"
#include "rf_ethdev_iface.h"
#include "rf_log.h"

#define AFP_DRIVER_NAME "net_af_packet"
#define AFP_ERR_LEN	320
#define AFP_MAX_DESC	32768u

/* Not in every UAPI header yet (Linux 6.8): the fanout group skips outgoing frames. */
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000
#endif

struct afp_qpair {
	int fd;
	void *map; /* RX ring, then TX ring */
	size_t map_len;
};

struct afp_dev {
	struct rf_eth_dev eth; /* first: ethdev's handle */
	char iface[IF_NAMESIZE];
	int ifindex;
	uint32_t qpairs, blocksz, framesz, framecnt;
	int qdisc_bypass;
	uint16_t nb_open; /* sockets open (started) */
	struct afp_qpair qp[RF_MAX_QUEUES_PER_PORT];
	struct afp_rxq rxq[RF_MAX_QUEUES_PER_PORT];
	struct afp_txq txq[RF_MAX_QUEUES_PER_PORT];
};

static const char *const afp_valid_keys[] = {
    "iface", "qpairs", "blocksz", "framesz", "framecnt", "qdisc_bypass", NULL,
};

static struct afp_dev *afp_dev(struct rf_eth_dev *eth)
{
	return rf_container_of(eth, struct afp_dev, eth);
}

RF_PRINTF(3, 4) static void perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t ld(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void st0(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, 0, memory_order_relaxed);
}

/* --- the interface, asked of the kernel in our network namespace --- */

/* --- control path --- */

/* The most a received frame can be: the kernel puts its data at tp_mac, past the header. */
static uint32_t rx_max_frame(const struct afp_dev *d)
{
	uint32_t mac = TPACKET_ALIGN(TPACKET2_HDRLEN + 16) - 14;

	return d->framesz > mac ? d->framesz - mac : 0;
}

static int afp_infos_get(struct rf_eth_dev *eth, struct rf_eth_dev_info *info)
{
	struct afp_dev *d = afp_dev(eth);

	snprintf(info->driver_name, sizeof(info->driver_name), "%s", AFP_DRIVER_NAME);
	info->max_rx_queues = (uint16_t)d->qpairs;
	info->max_tx_queues = (uint16_t)d->qpairs;
	/* The rings are framecnt frames whatever is asked: any count is accepted and ignored. */
	info->min_rx_desc = 1;
	info->max_rx_desc = AFP_MAX_DESC;
	info->min_tx_desc = 1;
	info->max_tx_desc = AFP_MAX_DESC;
	info->max_rx_pktlen = rx_max_frame(d);
	return 0;
}

static int afp_rxq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket,
			 struct rf_mempool *mp)
{
	struct afp_dev *d = afp_dev(eth);
	uint32_t room = rf_pktmbuf_data_room_size(mp);

	(void)nb_desc;
	(void)socket;
	if (q >= d->qpairs)
		return -EINVAL;
	room = room > RF_PKTMBUF_HEADROOM ? room - RF_PKTMBUF_HEADROOM : 0;
	if (room < rx_max_frame(d)) {
		RF_LOG(ERR, AF_PACKET,
		       "%s: framesz=%u takes frames of up to %u bytes but pool %s's mbufs hold %u; "
		       "lower framesz or use larger mbufs",
		       eth->name, d->framesz, rx_max_frame(d), mp->name, room);
		return -EINVAL;
	}
	d->rxq[q].mp = mp;
	d->rxq[q].max_copy = room;
	eth->rxq[q] = &d->rxq[q];
	return 0;
}

static int afp_txq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket)
{
	struct afp_dev *d = afp_dev(eth);

	(void)nb_desc;
	(void)socket;
	if (q >= d->qpairs)
		return -EINVAL;
	eth->txq[q] = &d->txq[q];
	return 0;
}

/* The kernel's PACKET_STATISTICS since the last read (it resets them), added to our totals. */
static void kern_stats_collect(struct afp_dev *d, uint16_t q)
{
	struct tpacket_stats ks;
	socklen_t len = sizeof(ks);

	if (q >= d->nb_open || q >= d->eth.nb_rx_queues)
		return;
	if (getsockopt(d->qp[q].fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) == 0) {
		d->rxq[q].kern_packets += ks.tp_packets;
		d->rxq[q].kern_drops += ks.tp_drops;
	}
}

static void qpair_close(struct afp_dev *d, uint16_t q)
{
	struct afp_qpair *p = &d->qp[q];

	kern_stats_collect(d, q);
	if (p->map != NULL && p->map != MAP_FAILED)
		munmap(p->map, p->map_len);
	if (p->fd >= 0)
		close(p->fd);
	p->map = NULL;
	p->fd = -1;
	free(d->rxq[q].ring.frames);
	free(d->txq[q].ring.frames);
	d->rxq[q].ring = (struct afp_ring){0};
	d->txq[q].ring = (struct afp_ring){0};
	d->rxq[q].fd = d->txq[q].fd = -1;
}

/* Frame i of a ring at base: blocks of blocksz, each holding whole frames. */
static int ring_map(struct afp_dev *d, struct afp_ring *r, uint8_t *base)
{
	uint32_t per_block = d->blocksz / d->framesz;

	r->frames = calloc(d->framecnt, sizeof(*r->frames));
	if (r->frames == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < d->framecnt; i++)
		r->frames[i] = base + (size_t)(i / per_block) * d->blocksz +
			       (size_t)(i % per_block) * d->framesz;
	r->nb_frames = d->framecnt;
	r->frame_size = d->framesz;
	r->head = 0;
	return 0;
}

static int sockopt_int(int fd, int opt, int val)
{
	return setsockopt(fd, SOL_PACKET, opt, &val, sizeof(val)) < 0 ? -errno : 0;
}

/*
 * Join the port's fanout group. Queue 0 creates it with an id the kernel
 * picks (PACKET_FANOUT_FLAG_UNIQUEID: no clash with another program's
 * group); the others join that id with the same mode and flags.
 */
static int fanout_join(struct afp_dev *d, uint16_t q, uint16_t *id, uint32_t *flags)
{
	int fd = d->qp[q].fd;

	if (q == 0) {
		uint32_t f = PACKET_FANOUT_FLAG_DEFRAG | PACKET_FANOUT_FLAG_IGNORE_OUTGOING;
		int rc = sockopt_int(
		    fd, PACKET_FANOUT,
		    (int)((PACKET_FANOUT_HASH | f | PACKET_FANOUT_FLAG_UNIQUEID) << 16));
		if (rc == -EINVAL) {
			/* A kernel before 6.8 does not know IGNORE_OUTGOING for groups. */
			f = PACKET_FANOUT_FLAG_DEFRAG;
			rc = sockopt_int(
			    fd, PACKET_FANOUT,
			    (int)((PACKET_FANOUT_HASH | f | PACKET_FANOUT_FLAG_UNIQUEID) << 16));
		}
		if (rc < 0)
			return rc;
		uint32_t val = 0;
		socklen_t len = sizeof(val);
		if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0)
			return -errno;
		*id = (uint16_t)(val & 0xffff);
		*flags = f;
		return 0;
	}
	return sockopt_int(fd, PACKET_FANOUT, (int)(((PACKET_FANOUT_HASH | *flags) << 16) | *id));
}

/*
 * Queue pair q: a socket with a TX ring, and an RX ring when the port
 * receives on q. Bound to the interface for every protocol when it
 * receives; with protocol 0 (receives nothing) when it only sends.
 */
static int qpair_open(struct afp_dev *d, uint16_t q, bool rx, bool tx, const char **what)
{
	struct afp_qpair *p = &d->qp[q];
	struct tpacket_req req = {
	    .tp_block_size = d->blocksz,
	    .tp_block_nr = d->framecnt / (d->blocksz / d->framesz),
	    .tp_frame_size = d->framesz,
	    .tp_frame_nr = d->framecnt,
	};
	size_t ring_len = (size_t)req.tp_block_size * req.tp_block_nr;
	int rc;

	*what = "socket(AF_PACKET)";
	p->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (p->fd < 0)
		return -errno;
	*what = "PACKET_VERSION";
	if ((rc = sockopt_int(p->fd, PACKET_VERSION, TPACKET_V2)) < 0)
		return rc;
	/* A frame the kernel cannot send is dropped, not left to stall the TX ring. */
	*what = "PACKET_LOSS";
	if ((rc = sockopt_int(p->fd, PACKET_LOSS, 1)) < 0)
		return rc;
	*what = "PACKET_QDISC_BYPASS";
	if (d->qdisc_bypass && (rc = sockopt_int(p->fd, PACKET_QDISC_BYPASS, 1)) < 0)
		return rc;
	*what = "PACKET_IGNORE_OUTGOING";
	if (rx && (rc = sockopt_int(p->fd, PACKET_IGNORE_OUTGOING, 1)) < 0)
		return rc;
	*what = "PACKET_RX_RING";
	if (rx && setsockopt(p->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return -errno;
	*what = "PACKET_TX_RING";
	if (tx && setsockopt(p->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return -errno;
	*what = "mmap of the rings";
	p->map_len = ring_len * ((rx ? 1 : 0) + (tx ? 1 : 0));
	p->map =
	    mmap(NULL, p->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, p->fd, 0);
	if (p->map == MAP_FAILED) {
		p->map = NULL;
		return -errno;
	}
	uint8_t *base = p->map;
	if (rx) {
		if ((rc = ring_map(d, &d->rxq[q].ring, base)) < 0)
			return rc;
		base += ring_len;
	}
	if (tx && (rc = ring_map(d, &d->txq[q].ring, base)) < 0)
		return rc;
	*what = "bind";
	struct sockaddr_ll sll = {
	    .sll_family = AF_PACKET,
	    .sll_protocol = rx ? htons(ETH_P_ALL) : 0,
	    .sll_ifindex = d->ifindex,
	};
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	d->rxq[q].fd = d->txq[q].fd = p->fd;
	return 0;
}

static int promisc_apply(struct afp_dev *d, int on)
{
	struct packet_mreq mr = {.mr_ifindex = d->ifindex, .mr_type = PACKET_MR_PROMISC};

	if (d->nb_open == 0)
		return 0; /* applied at start */
	if (setsockopt(d->qp[0].fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
		       &mr, sizeof(mr)) < 0)
		return -errno;
	return 0;
}

static int afp_stop(struct rf_eth_dev *eth)
{
	struct afp_dev *d = afp_dev(eth);
	uint64_t trunc = 0;

	for (uint16_t q = 0; q < d->nb_open; q++)
		qpair_close(d, q);
	for (uint16_t q = 0; q < d->qpairs; q++)
		trunc += ld(&d->rxq[q].truncated);
	/* Said once per stop: the usual cause is the interface's, not ours. */
	if (d->nb_open > 0 && trunc > 0)
		RF_LOG(WARNING, AF_PACKET,
		       "%s: %llu frames longer than framesz=%u were dropped; GRO/LRO on iface=%s, "
		       "or TSO/GSO on a veth peer, make frames up to 64 KB (ethtool -K %s gro off)",
		       eth->name, (unsigned long long)trunc, d->framesz, d->iface, d->iface);
	d->nb_open = 0;
	return 0;
}

static int afp_start(struct rf_eth_dev *eth)
{
	struct afp_dev *d = afp_dev(eth);
	uint16_t nrx = eth->nb_rx_queues, ntx = eth->nb_tx_queues;
	uint16_t n = nrx > ntx ? nrx : ntx, id = 0;
	uint32_t max_len = 0, flags = 0;
	const char *what = "SIOCGIFMTU";
	struct ifreq ifr;
	int rc = rf_eth_iface_ioctl(d->iface, SIOCGIFMTU, &ifr);

	if (rc == 0)
		max_len = (uint32_t)ifr.ifr_mtu + 14;
	for (uint16_t q = 0; q < n && rc == 0; q++) {
		d->nb_open = (uint16_t)(q + 1);
		d->rxq[q].port = eth->port_id;
		d->rxq[q].queue = q;
		d->txq[q].max_len = max_len;
		d->txq[q].frame_cap = d->framesz - afp_tx_data_off();
		rc = qpair_open(d, q, q < nrx, q < ntx, &what);
		if (rc == 0 && q < nrx && nrx > 1) {
			what = "PACKET_FANOUT";
			rc = fanout_join(d, q, &id, &flags);
		}
	}
	if (rc == 0 && eth->promiscuous) {
		what = "PACKET_MR_PROMISC";
		rc = promisc_apply(d, 1);
	}
	if (rc < 0) {
		RF_LOG(ERR, AF_PACKET, "%s: iface=%s: %s failed: %s", eth->name, d->iface, what,
		       strerror(-rc));
		afp_stop(eth);
	}
	return rc;
}

static void afp_free(struct afp_dev *d)
{
	afp_stop(&d->eth);
	free(d);
}

static int afp_close(struct rf_eth_dev *eth)
{
	afp_free(afp_dev(eth));
	return 0;
}

static int afp_stats_get(struct rf_eth_dev *eth, struct rf_eth_stats *st)
{
	struct afp_dev *d = afp_dev(eth);

	for (uint16_t q = 0; q < d->qpairs; q++) {
		struct afp_rxq *rq = &d->rxq[q];
		struct afp_txq *tq = &d->txq[q];

		kern_stats_collect(d, q);
		st->q_ipackets[q] = ld(&rq->packets);
		st->q_ibytes[q] = ld(&rq->bytes);
		st->q_errors[q] = ld(&rq->bad_frames) + ld(&rq->truncated) + ld(&rq->too_big);
		st->ierrors += st->q_errors[q];
		st->rx_nombuf += ld(&rq->nombuf);
		st->imissed += rq->kern_drops;
		st->q_opackets[q] = ld(&tq->packets);
		st->q_obytes[q] = ld(&tq->bytes);
		st->oerrors += ld(&tq->too_big) + ld(&tq->kick_errors);
	}
	return 0;
}

static int afp_stats_reset(struct rf_eth_dev *eth)
{
	struct afp_dev *d = afp_dev(eth);

	for (uint16_t q = 0; q < d->qpairs; q++) {
		struct afp_rxq *rq = &d->rxq[q];
		struct afp_txq *tq = &d->txq[q];

		kern_stats_collect(d, q); /* and forget them */
		st0(&rq->packets);
		st0(&rq->bytes);
		st0(&rq->nombuf);
		st0(&rq->bad_frames);
		st0(&rq->truncated);
		st0(&rq->too_big);
		rq->kern_packets = rq->kern_drops = 0;
		st0(&tq->packets);
		st0(&tq->bytes);
		st0(&tq->too_big);
		st0(&tq->ring_full);
		st0(&tq->kick_errors);
	}
	return 0;
}

struct xs_out {
	struct rf_eth_xstat *xs;
	unsigned n, idx;
};

RF_PRINTF(3, 4) static void xs_put(struct xs_out *o, uint64_t v, const char *fmt, ...)
{
	if (o->xs != NULL && o->idx < o->n) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(o->xs[o->idx].name, sizeof(o->xs[o->idx].name), fmt, ap);
		va_end(ap);
		o->xs[o->idx].value = v;
	}
	o->idx++;
}

static int afp_xstats_get(struct rf_eth_dev *eth, struct rf_eth_xstat *xs, unsigned n)
{
	struct afp_dev *d = afp_dev(eth);
	struct xs_out o = {.xs = xs, .n = n};

	for (uint16_t q = 0; q < d->qpairs; q++) {
		struct afp_rxq *rq = &d->rxq[q];
		struct afp_txq *tq = &d->txq[q];

		kern_stats_collect(d, q);
		xs_put(&o, rq->kern_packets, "rx_q%u_kernel_packets", q);
		xs_put(&o, rq->kern_drops, "rx_q%u_kernel_drops", q);
		xs_put(&o, ld(&rq->bad_frames), "rx_q%u_bad_frames", q);
		xs_put(&o, ld(&rq->truncated), "rx_q%u_truncated", q);
		xs_put(&o, ld(&rq->too_big), "rx_q%u_too_big", q);
		xs_put(&o, ld(&tq->too_big), "tx_q%u_bad_len", q);
		xs_put(&o, ld(&tq->ring_full), "tx_q%u_ring_full", q);
		xs_put(&o, ld(&tq->kick_errors), "tx_q%u_kick_errors", q);
	}
	return (int)o.idx;
}

static int afp_link_update(struct rf_eth_dev *eth, struct rf_eth_link *link)
{
	struct afp_dev *d = afp_dev(eth);
	short flags = 0;

	/* Up and running: administratively up with a carrier (for a veth: its peer is up). */
	if (rf_eth_iface_flags(d->iface, &flags) == 0 && (flags & IFF_UP) &&
	    (flags & IFF_RUNNING)) {
		link->status = RF_ETH_LINK_UP;
		link->speed_mbps = rf_eth_iface_speed(d->iface, NULL);
		link->full_duplex = 1;
	} else {
		link->status = RF_ETH_LINK_DOWN;
	}
	return 0;
}

static int afp_promiscuous_set(struct rf_eth_dev *eth, int on)
{
	struct afp_dev *d = afp_dev(eth);

	if (!!on == !!eth->promiscuous)
		return 0; /* a membership is counted: add it once */
	return promisc_apply(d, on);
}

static const struct rf_eth_dev_ops afp_ops = {
    .dev_infos_get = afp_infos_get,
    .rx_queue_setup = afp_rxq_setup,
    .tx_queue_setup = afp_txq_setup,
    .dev_start = afp_start,
    .dev_stop = afp_stop,
    .dev_close = afp_close,
    .stats_get = afp_stats_get,
    .stats_reset = afp_stats_reset,
    .xstats_get = afp_xstats_get,
    .link_update = afp_link_update,
    .promiscuous_set = afp_promiscuous_set,
};

/* --- probe --- */

static int afp_parse(const struct rf_devargs *da, struct afp_dev *d, char *err, size_t errlen)
{
	const char *iface = rf_devargs_get(da, "iface");
	long page = sysconf(_SC_PAGESIZE);
	int rc;

	if (iface == NULL || iface[0] == '\0') {
		perr(err, errlen, "iface=IF is required (the interface to attach to)");
		return -EINVAL;
	}
	if (strlen(iface) >= sizeof(d->iface)) {
		perr(err, errlen, "iface=%s: longer than an interface name (%d characters)", iface,
		     IF_NAMESIZE - 1);
		return -EINVAL;
	}
	snprintf(d->iface, sizeof(d->iface), "%s", iface);
	if ((rc = rf_devargs_get_u32(da, "qpairs", 1, 1, RF_MAX_QUEUES_PER_PORT, &d->qpairs, err,
				     errlen)) < 0 ||
	    (rc = rf_devargs_get_u32(da, "blocksz", (uint32_t)page, (uint32_t)page, 1u << 30,
				     &d->blocksz, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_u32(da, "framesz", 2048, TPACKET2_HDRLEN + 64, 1u << 30,
				     &d->framesz, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_u32(da, "framecnt", 512, 1, 1u << 24, &d->framecnt, err, errlen)) <
		0 ||
	    (rc = rf_devargs_get_bool(da, "qdisc_bypass", 1, &d->qdisc_bypass, err, errlen)) < 0)
		return rc;
	/* The kernel's rules for a ring (packet_set_ring), said here with the values. */
	if (d->blocksz % (uint32_t)page != 0) {
		perr(err, errlen, "blocksz=%u: must be a multiple of the page size (%ld)",
		     d->blocksz, page);
		return -EINVAL;
	}
	if (d->framesz % TPACKET_ALIGNMENT != 0 || d->framesz > d->blocksz) {
		perr(err, errlen, "framesz=%u: must be a multiple of %u and at most blocksz=%u",
		     d->framesz, TPACKET_ALIGNMENT, d->blocksz);
		return -EINVAL;
	}
	uint32_t per_block = d->blocksz / d->framesz;
	if (d->framecnt % per_block != 0) {
		perr(err, errlen,
		     "framecnt=%u: must be a multiple of the %u frames a block of blocksz=%u holds",
		     d->framecnt, per_block, d->blocksz);
		return -EINVAL;
	}
	return 0;
}

/* The interface exists, is up, is Ethernet; its MAC. Then: may we open AF_PACKET sockets? */
static int afp_check_iface(struct afp_dev *d, char *err, size_t errlen)
{
	struct ifreq ifr;
	short flags = 0;
	int rc;

	d->ifindex = (int)if_nametoindex(d->iface);
	if (d->ifindex == 0) {
		perr(err, errlen, "iface=%s: no such interface in this network namespace",
		     d->iface);
		return -ENODEV;
	}
	if ((rc = rf_eth_iface_flags(d->iface, &flags)) < 0) {
		perr(err, errlen, "iface=%s: cannot read its flags: %s", d->iface, strerror(-rc));
		return rc;
	}
	if (!(flags & IFF_UP)) {
		perr(err, errlen, "iface=%s is down; bring it up first (ip link set %s up)",
		     d->iface, d->iface);
		return -ENETDOWN;
	}
	if ((rc = rf_eth_iface_ioctl(d->iface, SIOCGIFHWADDR, &ifr)) < 0) {
		perr(err, errlen, "iface=%s: cannot read its MAC: %s", d->iface, strerror(-rc));
		return rc;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		perr(err, errlen, "iface=%s: not an Ethernet interface (ARP hardware type %u)",
		     d->iface, ifr.ifr_hwaddr.sa_family);
		return -ENOTSUP;
	}
	memcpy(d->eth.mac.addr_bytes, ifr.ifr_hwaddr.sa_data, RF_ETHER_ADDR_LEN);
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		if (rc == -EPERM || rc == -EACCES)
			perr(err, errlen,
			     "iface=%s: AF_PACKET sockets need CAP_NET_RAW; run as root or grant "
			     "it (setcap cap_net_raw+ep)",
			     d->iface);
		else
			perr(err, errlen, "iface=%s: socket(AF_PACKET): %s", d->iface,
			     strerror(-rc));
		return rc;
	}
	close(fd);
	return 0;
}

static int afp_probe(const char *name, const struct rf_devargs *da, struct rf_eth_dev **out,
		     char *err, size_t errlen)
{
	char lerr[AFP_ERR_LEN] = "";
	struct afp_dev *d = calloc(1, sizeof(*d));
	int rc;

	if (d == NULL) {
		perr(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++)
		d->qp[q].fd = d->rxq[q].fd = d->txq[q].fd = -1;
	snprintf(d->eth.name, sizeof(d->eth.name), "%s", name);
	d->eth.ops = &afp_ops;
	d->eth.rx_burst = afp_rx_burst;
	d->eth.tx_burst = afp_tx_burst;
	if ((rc = afp_parse(da, d, lerr, sizeof(lerr))) < 0 ||
	    (rc = afp_check_iface(d, lerr, sizeof(lerr))) < 0) {
		if (lerr[0] == '\0')
			snprintf(lerr, sizeof(lerr), "%s", strerror(-rc));
		perr(err, errlen, "%s: %s", name, lerr);
		free(d);
		return rc;
	}
	*out = &d->eth;
	return 0;
}

static const struct rf_eth_driver afp_driver = {
    .name = AFP_DRIVER_NAME,
    .valid_keys = afp_valid_keys,
    .probe = afp_probe,
};

RF_ETH_DRIVER_REGISTER(afp_driver)
