/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueue internals (virtio 1.x §2.7), driver side. Private to
 * virtio_rxtx.c and its tests: the control path uses virtio_rxtx.h only.
 *
 * Memory of one queue: a single rf_zmalloc block, so that the backend, which
 * maps our heap segments, sees the rings.
 *
 *   desc[size]     (D) 16 B each, block start (page aligned; §2.7 needs 16)
 *   avail          (D) flags, idx, ring[size], used_event (unused: no EVENT_IDX)
 *   used           (d) flags, idx, ring[size], avail_event; on its own page
 *                      (§2.7 needs 4) so the device's writes never share a
 *                      cache line with ours
 *   struct virtnet_rx / virtnet_tx  (P)
 *   extra[size]    (P) what the driver knows of each descriptor
 *   hdrs[size]     (D) TX only: zeroed virtio-net headers, never written again
 *
 * (D) the driver writes, the device reads. (d) the device writes, the driver
 * reads and validates before use. (P) private to the driver (the device maps
 * the whole heap and could scribble on it, but the protocol gives it no
 * reason to, and nothing read from it is used as an index without a bound).
 *
 * Indexes. avail_idx and last_used_idx are free-running uint16_t counters,
 * exactly as avail->idx and used->idx are (§2.7.6, §2.7.8): they wrap at
 * 65536, the slot is idx & mask, and the distance between two of them is
 * their uint16_t difference. That is why the size must be a power of two
 * (65536 must be a multiple of it). The driver never reads back shared memory
 * it wrote: avail_idx is the shadow of avail->idx, and the free list and the
 * chain links live in extra[], not in desc[].next, which the device could
 * rewrite (Linux keeps desc_extra[].next for the same reason).
 *
 * Free descriptors form a list through extra[].next starting at free_head.
 * Initially (and after release) it is the circle 0 -> 1 -> ... -> size-1 -> 0.
 *  - General case: a returned chain is pushed back on the head (LIFO).
 *  - VIRTIO_F_IN_ORDER: nothing is ever relinked. The free descriptors are
 *    [free_head, free_head + nb_free) on the circle and the in-flight ones
 *    follow them, oldest first; a returned chain simply joins the free range
 *    at its end. Descriptors are thus handed out in ring order with next =
 *    x + 1 (0 after the last), as §2.7.9 requires.
 */
#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <endian.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_net.h>

#include "rf_atomic.h"
#include "rf_common.h"
#include "rf_mbuf.h"
#include "virtio_rxtx.h"

_Static_assert(sizeof(struct vring_desc) == 16, "vring_desc is 16 bytes (§2.7.5)");
_Static_assert(sizeof(struct vring_avail) == 4, "avail header is flags + idx (§2.7.6)");
_Static_assert(sizeof(struct vring_used_elem) == 8, "used element is id + len (§2.7.8)");
_Static_assert(sizeof(struct vring_used) == 4, "used header is flags + idx (§2.7.8)");
_Static_assert(offsetof(struct vring_used, ring) == 4, "used ring follows idx");
_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12, "virtio-net header (§5.1.6)");
_Static_assert(offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers) == 10, "num_buffers");

/* RX: refill once at least this many descriptors are free (one avail publication). */
#define VQ_RX_REFILL_THRESH 32
/* RX: mbufs taken from the pool per bulk get while refilling. */
#define VQ_RX_REFILL_CHUNK 64
/* TX: completed packets handed to one rf_pktmbuf_free_bulk(). */
#define VQ_TX_FREE_BATCH 64

/* What a device can get wrong; each maps to one virtnet_stats counter. */
enum vq_fault {
	VQ_FAULT_BAD_ID = 1,
	VQ_FAULT_NOT_POSTED,
	VQ_FAULT_BAD_LEN,
	VQ_FAULT_IDX_JUMP,
	VQ_FAULT_BAD_NUM_BUFFERS,
};

/* (P) Per descriptor. */
struct vq_extra {
	struct rf_mbuf *m; /* RX: the posted buffer. TX: the packet (chain head only) */
	uint32_t len;	   /* RX: bytes the device may write into the buffer */
	uint16_t ndescs;   /* descriptors in the chain starting here; 0 = not a posted head */
	uint16_t next;	   /* free-list link; while posted, the chain link */
};
_Static_assert(sizeof(struct vq_extra) == 16, "vq_extra packs into 16 bytes");

/* The ring state RX and TX share; the first member of both queue structs. */
struct vq {
	struct vring_desc *desc;   /* (D) */
	struct vring_avail *avail; /* (D) */
	struct vring_used *used;   /* (d) */
	struct vq_extra *extra;	   /* (P) */
	uint16_t mask;		   /* size - 1 */
	uint16_t avail_idx;	   /* (P) shadow of avail->idx: the next avail slot to fill */
	uint16_t last_used_idx;	   /* (P) the next used entry to read */
	uint16_t nb_free;	   /* (P) descriptors not posted */
	uint16_t free_head;	   /* (P) first free descriptor */
	uint16_t hdr_size;	   /* virtio-net header bytes */
	bool in_order;		   /* VIRTIO_F_IN_ORDER */
	/*
	 * Set by the polling lcore when the device broke the protocol; read by
	 * the control path. Relaxed: it orders nothing, the burst function just
	 * stops reading the ring once it sees it.
	 */
	atomic_bool broken;
};

/* What is not read on every packet: identities, fds, memory. */
struct vq_cold {
	uint16_t size;
	uint16_t port_id;
	uint16_t queue_id;
	int kickfd; /* eventfd to kick, -1 = never */
	int socket;
	void *mem; /* the rf_zmalloc block */
};

struct virtnet_rx {
	/* Line 0: everything a burst touches. */
	struct vq vq;
	struct rf_mempool *mp;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t batch_left; /* in-order RX: buffers of the current used batch still to consume */
	bool mrg_rxbuf;
	/* Line 1 */
	uint32_t batch_last_len RF_CACHE_ALIGNED; /* in-order RX: len of the batch's last buffer */
	uint32_t buf_len;			  /* bytes posted per buffer */
	struct vq_cold cold;
	/* Line 2: counters, only this queue's lcore writes them. */
	struct virtnet_stats stats RF_CACHE_ALIGNED;
};
_Static_assert(offsetof(struct virtnet_rx, batch_last_len) == RF_CACHE_LINE,
	       "RX hot fields fit in one cache line");

struct virtnet_tx {
	struct vq vq;
	uint64_t hdrs_iova;   /* IOVA of hdrs[0] */
	uint16_t free_thresh; /* reclaim completed descriptors below this many free */
	struct virtio_net_hdr_mrg_rxbuf *hdrs RF_CACHE_ALIGNED; /* (D) zero, one per descriptor */
	struct vq_cold cold;
	struct virtnet_stats stats RF_CACHE_ALIGNED;
};
_Static_assert(offsetof(struct virtnet_tx, hdrs) == RF_CACHE_LINE,
	       "TX hot fields fit in one cache line");

static inline bool vq_is_broken(const struct vq *vq)
{
	return atomic_load_explicit(&vq->broken, memory_order_relaxed);
}

/* Take one free descriptor (the caller checked nb_free). */
static inline uint16_t vq_desc_pop(struct vq *vq)
{
	uint16_t id = vq->free_head;

	vq->free_head = vq->extra[id].next;
	vq->nb_free--;
	return id;
}

/*
 * A chain of n descriptors starting at head came back. Its links are still in
 * extra[].next, as they were when it was posted.
 */
static inline void vq_chain_put(struct vq *vq, uint16_t head, uint16_t n)
{
	struct vq_extra *x = vq->extra;

	x[head].ndescs = 0;
	x[head].m = NULL;
	vq->nb_free += n;
	if (vq->in_order)
		return; /* the chain is already at the end of the free range */
	uint16_t tail = head;
	for (uint16_t i = 1; i < n; i++)
		tail = x[tail].next;
	x[tail].next = vq->free_head;
	vq->free_head = head;
}

/* Post a chain head in the next avail slot; published later by vq_publish(). */
static inline void vq_avail_add(struct vq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx & vq->mask] = head;
	vq->avail_idx++;
}

/*
 * Make everything added since the last call visible to the device, and kick
 * it unless it said it polls. One store-release and at most one fence per burst.
 */
static inline void vq_publish(struct vq *vq, int kickfd, uint64_t *kicks)
{
	/*
	 * R1: release. The descriptors and avail ring entries written before
	 * must be visible before the new index (§2.7.13 steps 3-4). Pairs with
	 * the device's acquire load of avail->idx.
	 */
	rf_store_release_u16(&vq->avail->idx, vq->avail_idx);
	if (kickfd < 0)
		return;
	/*
	 * F1: full fence. The index store above must be visible before we read
	 * used->flags (§2.7.10, as Linux virtqueue_kick_prepare does): a device
	 * that clears NO_NOTIFY and then re-reads avail->idx must either see our
	 * new index or we must see its cleared flag. Pairs with the device's
	 * fence between those two steps.
	 */
	rf_fence_seq_cst();
	if (rf_load_relaxed_u16(&vq->used->flags) & VRING_USED_F_NO_NOTIFY)
		return;
	const uint64_t one = 1;
	if (write(kickfd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		(*kicks)++;
}

/*
 * VIRTIO_NET_F_HASH_REPORT (§5.1.6.4.3): the device's hash of a received
 * packet, if it computed one, goes into the mbuf with RF_MBUF_F_RX_RSS_HASH.
 * The header sits right before the data of the first buffer.
 */
static inline void vq_rx_hash_report(struct rf_mbuf *m, uint16_t hdr_size)
{
	struct virtio_net_hdr_v1_hash h;

	/* Device-written: copied once, then only the copy is used. Little-endian (§5.1.6). */
	memcpy(&h, rf_pktmbuf_mtod(m, const char *) - hdr_size, sizeof(h));
	if (le16toh(h.hash_report) == VIRTIO_NET_HASH_REPORT_NONE)
		return;
	m->hash.rss = le32toh(h.hash_value);
	m->ol_flags |= RF_MBUF_F_RX_RSS_HASH;
}

#endif /* VIRTQUEUE_H */
