/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueues (virtio 1.x §2.7) for virtio-net RX and TX, driver side.
 *
 * CONTRACT between the data path (virtio_rxtx.c, virtqueue.c) and the
 * control path (virtio_user.c, vhost_user.c). The control path creates the
 * queues, tells the backend where their rings are (desc/avail/used VAs, the
 * kick and call eventfds), and never touches a queue while an lcore polls it.
 *
 * Reconnection keeps the rings as they are: the new backend is given
 * VHOST_USER_SET_VRING_BASE = used->idx, so buffers the dead backend had not
 * consumed are still posted, and the data path needs no pause. Only
 * virtnet_*q_release(), called with the port stopped, takes mbufs back.
 */
#ifndef VIRTIO_RXTX_H
#define VIRTIO_RXTX_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_net.h>

#include "rf_common.h"
#include "rf_mbuf.h"

/* What the data path must know of the negotiated features; fixed once the port starts. */
struct virtnet_cfg {
	uint16_t port_id;
	uint16_t queue_id; /* queue pair index */
	uint16_t hdr_size; /* sizeof(struct virtio_net_hdr_mrg_rxbuf) with VERSION_1 */
	bool mrg_rxbuf;	   /* VIRTIO_NET_F_MRG_RXBUF negotiated */
	bool in_order;	   /* VIRTIO_F_IN_ORDER negotiated */
};

/* Per-queue counters, read by stats_get from another thread (relaxed, torn reads acceptable). */
struct virtnet_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;    /* packets dropped for a bad header/length */
	uint64_t nombuf;    /* RX: mbufs a refill could not get (again at each retry), TX: n/a */
	uint64_t ring_full; /* TX: packets refused for lack of descriptors */
	uint64_t oversize;  /* TX: chains longer than the ring could ever hold: dropped */
	uint64_t kicks;
	/* device violations (each also marks the queue broken) */
	uint64_t bad_id;     /* used id >= ring size */
	uint64_t not_posted; /* used id names a descriptor the driver did not post (or twice) */
	uint64_t bad_len;    /* used len > posted or < header */
	uint64_t idx_jump;   /* used idx moved by more than what is outstanding */
	uint64_t bad_num_buffers; /* mergeable: num_buffers 0 or more than outstanding */
};

struct virtnet_rx;
struct virtnet_tx;

/*
 * Ring sizes: a power of two (free-running 16-bit indexes are masked, so the
 * size must divide 65536), at most 32768 (§2.7), at least 64 (twice the RX
 * refill batch of 32).
 */
#define VIRTNET_RING_SIZE_MIN	  64
#define VIRTNET_RING_SIZE_MAX	  32768
#define VIRTNET_RING_SIZE_DEFAULT 256

/*
 * Ring memory comes from the heap (shared with the backend). NULL + errno
 * (EINVAL: size not a power of two in [MIN, MAX], hdr_size not 12 (or 10
 * without mrg_rxbuf), mp's data room not larger than RF_PKTMBUF_HEADROOM).
 */
struct virtnet_rx *virtnet_rxq_create(const struct virtnet_cfg *cfg, uint16_t size, int socket,
				      struct rf_mempool *mp);
struct virtnet_tx *virtnet_txq_create(const struct virtnet_cfg *cfg, uint16_t size, int socket);
void virtnet_rxq_free(struct virtnet_rx *rxq); /* releases first */
void virtnet_txq_free(struct virtnet_tx *txq);

/*
 * Post RX buffers until the ring is full. 0, also when the pool ran short
 * after at least one buffer (the burst function posts the rest as mbufs come
 * back, a warning is logged); -ENOMEM when not one buffer could be posted;
 * -EIO if the device broke the queue (release it first).
 */
int virtnet_rxq_fill(struct virtnet_rx *rxq);
/*
 * Port stopped (no lcore polls, the backend no longer uses the ring): take
 * back every posted/in-flight mbuf, reset the ring to empty (idx 0) and clear
 * the broken mark. Works on a broken queue too.
 */
void virtnet_rxq_release(struct virtnet_rx *rxq);
void virtnet_txq_release(struct virtnet_tx *txq);

/* Addresses and sizes for VHOST_USER_SET_VRING_NUM/ADDR (VAs: vhost-user uses user addresses). */
struct virtnet_ring_info {
	uint16_t size;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};
void virtnet_rxq_ring_info(const struct virtnet_rx *rxq, struct virtnet_ring_info *info);
void virtnet_txq_ring_info(const struct virtnet_tx *txq, struct virtnet_ring_info *info);
/* The eventfd the data path writes to kick; -1 = never kick. Set by the control path. */
void virtnet_rxq_set_kickfd(struct virtnet_rx *rxq, int fd);
void virtnet_txq_set_kickfd(struct virtnet_tx *txq, int fd);

/* Burst functions, installed in rf_eth_fp_ops. */
uint16_t virtnet_recv_pkts(void *rxq, struct rf_mbuf **pkts, uint16_t n);
uint16_t virtnet_xmit_pkts(void *txq, struct rf_mbuf **pkts, uint16_t n);

const struct virtnet_stats *virtnet_rxq_stats(const struct virtnet_rx *rxq);
const struct virtnet_stats *virtnet_txq_stats(const struct virtnet_tx *txq);
void virtnet_rxq_stats_reset(struct virtnet_rx *rxq);
void virtnet_txq_stats_reset(struct virtnet_tx *txq);
bool virtnet_rxq_broken(const struct virtnet_rx *rxq);
bool virtnet_txq_broken(const struct virtnet_tx *txq);

#endif /* VIRTIO_RXTX_H */
