/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-net data path over split virtqueues (virtio 1.x §2.7, §5.1.6):
 * queue creation and release, and the RX/TX burst functions.
 *
 * The device is not trusted: every used entry is checked
 * against what this side posted before anything it says is used. A device
 * that breaks the protocol gets its queue marked broken; the queue then stops
 * (bursts return 0) until the control path releases it.
 */
#include <errno.h>
#include <string.h>

#include "rf_log.h"
#include "rf_memseg.h"
#include "virtqueue.h"

/* --------------------------------------------------------------------------
 * Creation, release
 */

struct vq_layout {
	size_t avail, used, q, extra, hdrs, total;
};

/* Offsets inside the queue's block; see virtqueue.h for the picture. */
static void vq_layout(uint16_t size, size_t qsize, bool tx, struct vq_layout *l)
{
	const size_t page = 4096;
	size_t off = sizeof(struct vring_desc) * size;

	l->avail = off;
	off += sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u);
	l->used = rf_align_ceil(off, page);
	off = l->used + sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size +
	      sizeof(uint16_t);
	l->q = rf_align_ceil(off, RF_CACHE_LINE);
	l->extra = rf_align_ceil(l->q + qsize, RF_CACHE_LINE);
	off = l->extra + sizeof(struct vq_extra) * size;
	l->hdrs = rf_align_ceil(off, RF_CACHE_LINE);
	if (tx)
		off = l->hdrs + sizeof(struct virtio_net_hdr_mrg_rxbuf) * size;
	l->total = rf_align_ceil(off, page);
}

static int vq_check_cfg(const struct virtnet_cfg *cfg, uint16_t size)
{
	if (cfg == NULL || !rf_is_pow2(size) || size < VIRTNET_RING_SIZE_MIN ||
	    size > VIRTNET_RING_SIZE_MAX)
		return -EINVAL;
	/* VERSION_1 always has the 12-byte header; legacy without MRG_RXBUF has 10. */
	if (cfg->hdr_size != sizeof(struct virtio_net_hdr_mrg_rxbuf) &&
	    !(cfg->hdr_size == sizeof(struct virtio_net_hdr) && !cfg->mrg_rxbuf))
		return -EINVAL;
	return 0;
}

/* The driver's half of a fresh ring: empty, nothing posted, free list a circle. */
static void vq_reset(struct vq *vq, uint16_t size)
{
	memset(vq->desc, 0, sizeof(struct vring_desc) * size);
	memset(vq->avail, 0, sizeof(struct vring_avail) + sizeof(uint16_t) * (size + 1u));
	memset(vq->used, 0,
	       sizeof(struct vring_used) + sizeof(struct vring_used_elem) * size +
		   sizeof(uint16_t));
	/* Poll mode: we never want a used-buffer notification (§2.7.7). */
	vq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	for (uint32_t i = 0; i < size; i++)
		vq->extra[i] = (struct vq_extra){.next = (uint16_t)((i + 1) & vq->mask)};
	vq->avail_idx = 0;
	vq->last_used_idx = 0;
	vq->nb_free = size;
	vq->free_head = 0;
	atomic_store_explicit(&vq->broken, false, memory_order_relaxed);
}

static void *vq_alloc(const struct virtnet_cfg *cfg, uint16_t size, int socket, size_t qsize,
		      bool tx, struct vq_layout *l)
{
	int rc = vq_check_cfg(cfg, size);

	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	vq_layout(size, qsize, tx, l);
	char *mem = rf_zmalloc(tx ? "virtnet_txq" : "virtnet_rxq", l->total, 4096, socket);
	if (mem == NULL)
		return NULL;
	struct vq *vq = (struct vq *)(mem + l->q);
	vq->desc = (struct vring_desc *)mem;
	vq->avail = (struct vring_avail *)(mem + l->avail);
	vq->used = (struct vring_used *)(mem + l->used);
	vq->extra = (struct vq_extra *)(mem + l->extra);
	vq->mask = (uint16_t)(size - 1);
	vq->hdr_size = cfg->hdr_size;
	vq->in_order = cfg->in_order;
	vq_reset(vq, size);
	return mem;
}

static void vq_cold_init(struct vq_cold *c, const struct virtnet_cfg *cfg, uint16_t size,
			 int socket, void *mem)
{
	c->size = size;
	c->port_id = cfg->port_id;
	c->queue_id = cfg->queue_id;
	c->kickfd = -1;
	c->socket = socket;
	c->mem = mem;
}

struct virtnet_rx *virtnet_rxq_create(const struct virtnet_cfg *cfg, uint16_t size, int socket,
				      struct rf_mempool *mp)
{
	struct vq_layout l;

	if (mp == NULL || rf_pktmbuf_data_room_size(mp) <= RF_PKTMBUF_HEADROOM) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * VIRTIO_NET_F_HASH_REPORT (§5.1.6): the 20-byte header, which only RX
	 * reads. The ring itself is the same as with the 12-byte one.
	 */
	struct virtnet_cfg ring_cfg;
	bool hash = cfg != NULL && cfg->hdr_size == sizeof(struct virtio_net_hdr_v1_hash);
	if (hash) {
		ring_cfg = *cfg;
		ring_cfg.hdr_size = sizeof(struct virtio_net_hdr_mrg_rxbuf);
	}
	char *mem =
	    vq_alloc(hash ? &ring_cfg : cfg, size, socket, sizeof(struct virtnet_rx), false, &l);
	if (mem == NULL)
		return NULL;
	struct virtnet_rx *rxq = (struct virtnet_rx *)(mem + l.q);
	rxq->vq.hdr_size = cfg->hdr_size;
	rxq->mp = mp;
	rxq->port_id = cfg->port_id;
	rxq->queue_id = cfg->queue_id;
	rxq->mrg_rxbuf = cfg->mrg_rxbuf;
	/* The header lands in the headroom, just before data_off (see rx_post). */
	rxq->buf_len =
	    (uint32_t)rf_pktmbuf_data_room_size(mp) - RF_PKTMBUF_HEADROOM + cfg->hdr_size;
	vq_cold_init(&rxq->cold, cfg, size, socket, mem);
	return rxq;
}

struct virtnet_tx *virtnet_txq_create(const struct virtnet_cfg *cfg, uint16_t size, int socket)
{
	struct vq_layout l;
	char *mem = vq_alloc(cfg, size, socket, sizeof(struct virtnet_tx), true, &l);

	if (mem == NULL)
		return NULL;
	struct virtnet_tx *txq = (struct virtnet_tx *)(mem + l.q);
	txq->hdrs = (struct virtio_net_hdr_mrg_rxbuf *)(mem + l.hdrs);
	txq->hdrs_iova = rf_mem_virt2iova(txq->hdrs);
	if (txq->hdrs_iova == RF_BAD_IOVA) {
		rf_free(mem);
		errno = EFAULT;
		return NULL;
	}
	/*
	 * Reclaim when a quarter of the ring is left: completed descriptors are
	 * collected in batches, with one read of used->idx per batch.
	 */
	txq->free_thresh = (uint16_t)(size / 4);
	vq_cold_init(&txq->cold, cfg, size, socket, mem);
	return txq;
}

void virtnet_rxq_release(struct virtnet_rx *rxq)
{
	if (rxq == NULL)
		return;
	struct vq *vq = &rxq->vq;
	for (uint32_t i = 0; i < rxq->cold.size; i++)
		if (vq->extra[i].ndescs != 0)
			rf_pktmbuf_free(vq->extra[i].m);
	vq_reset(vq, rxq->cold.size);
	rxq->batch_left = 0;
	rxq->batch_last_len = 0;
}

void virtnet_txq_release(struct virtnet_tx *txq)
{
	if (txq == NULL)
		return;
	struct vq *vq = &txq->vq;
	/* Heads only carry an mbuf; rf_pktmbuf_free drops one reference per segment. */
	for (uint32_t i = 0; i < txq->cold.size; i++)
		if (vq->extra[i].ndescs != 0)
			rf_pktmbuf_free(vq->extra[i].m);
	vq_reset(vq, txq->cold.size);
}

void virtnet_rxq_free(struct virtnet_rx *rxq)
{
	if (rxq == NULL)
		return;
	virtnet_rxq_release(rxq);
	rf_free(rxq->cold.mem);
}

void virtnet_txq_free(struct virtnet_tx *txq)
{
	if (txq == NULL)
		return;
	virtnet_txq_release(txq);
	rf_free(txq->cold.mem);
}

static void vq_info(const struct vq *vq, uint16_t size, struct virtnet_ring_info *info)
{
	info->size = size;
	info->desc = vq->desc;
	info->avail = vq->avail;
	info->used = vq->used;
}

void virtnet_rxq_ring_info(const struct virtnet_rx *rxq, struct virtnet_ring_info *info)
{
	vq_info(&rxq->vq, rxq->cold.size, info);
}

void virtnet_txq_ring_info(const struct virtnet_tx *txq, struct virtnet_ring_info *info)
{
	vq_info(&txq->vq, txq->cold.size, info);
}

void virtnet_rxq_set_kickfd(struct virtnet_rx *rxq, int fd)
{
	rxq->cold.kickfd = fd;
}

void virtnet_txq_set_kickfd(struct virtnet_tx *txq, int fd)
{
	txq->cold.kickfd = fd;
}

const struct virtnet_stats *virtnet_rxq_stats(const struct virtnet_rx *rxq)
{
	return &rxq->stats;
}

const struct virtnet_stats *virtnet_txq_stats(const struct virtnet_tx *txq)
{
	return &txq->stats;
}

void virtnet_rxq_stats_reset(struct virtnet_rx *rxq)
{
	memset(&rxq->stats, 0, sizeof(rxq->stats));
}

void virtnet_txq_stats_reset(struct virtnet_tx *txq)
{
	memset(&txq->stats, 0, sizeof(txq->stats));
}

bool virtnet_rxq_broken(const struct virtnet_rx *rxq)
{
	return vq_is_broken(&rxq->vq);
}

bool virtnet_txq_broken(const struct virtnet_tx *txq)
{
	return vq_is_broken(&txq->vq);
}

/* --------------------------------------------------------------------------
 * Device violations
 */

/* What each fault is, and what the two numbers vq_fault() logs with it are. */
static const struct {
	const char *what, *a, *b;
} fault_desc[] = {
    [VQ_FAULT_BAD_ID] = {"used id out of range", "id", "len"},
    [VQ_FAULT_NOT_POSTED] = {"used id names no buffer in flight (not posted, or returned twice)",
			     "id", "len"},
    [VQ_FAULT_BAD_LEN] = {"used len beyond the posted buffer or short of the header", "id", "len"},
    [VQ_FAULT_IDX_JUMP] = {"used idx (or an in-order batch) covers more buffers than are in flight",
			   "buffers claimed", "in flight"},
    [VQ_FAULT_BAD_NUM_BUFFERS] = {"num_buffers is 0 or more than posted", "id", "num_buffers"},
};

/*
 * Count the fault, mark the queue broken and say so once: the burst function
 * never reads the ring again, so it cannot be called twice for one queue
 * between two releases.
 */
__attribute__((cold, noinline)) static void vq_fault(struct vq *vq, struct virtnet_stats *st,
						     const struct vq_cold *c, const char *dir,
						     enum vq_fault f, uint16_t at, uint32_t a,
						     uint32_t b)
{
	switch (f) {
	case VQ_FAULT_BAD_ID:
		st->bad_id++;
		break;
	case VQ_FAULT_NOT_POSTED:
		st->not_posted++;
		break;
	case VQ_FAULT_BAD_LEN:
		st->bad_len++;
		break;
	case VQ_FAULT_IDX_JUMP:
		st->idx_jump++;
		break;
	case VQ_FAULT_BAD_NUM_BUFFERS:
		st->bad_num_buffers++;
		break;
	}
	atomic_store_explicit(&vq->broken, true, memory_order_relaxed);
	RF_LOG(ERR, VIRTIO,
	       "port %u %s queue %u: device broke the ring: %s (used entry %u: %s %u, %s %u; "
	       "avail idx %u); queue stopped until the port is restarted",
	       c->port_id, dir, c->queue_id, fault_desc[f].what, at, fault_desc[f].a, a,
	       fault_desc[f].b, b, vq->avail_idx);
}

/* --------------------------------------------------------------------------
 * RX
 */

/*
 * Post up to n mbufs (fresh from the pool) as device-writable buffers. The
 * virtio-net header goes into the headroom right before data_off, so the
 * frame lands where a packet starts and nothing is copied.
 */
static void rx_post(struct virtnet_rx *rxq, struct rf_mbuf **bufs, unsigned n)
{
	struct vq *vq = &rxq->vq;
	const uint32_t off = RF_PKTMBUF_HEADROOM - vq->hdr_size;

	for (unsigned i = 0; i < n; i++) {
		struct rf_mbuf *m = bufs[i];
		uint16_t id = vq_desc_pop(vq);

		vq->desc[id] = (struct vring_desc){
		    .addr = m->buf_iova + off,
		    .len = rxq->buf_len,
		    .flags = VRING_DESC_F_WRITE,
		};
		vq->extra[id].m = m;
		vq->extra[id].len = rxq->buf_len;
		vq->extra[id].ndescs = 1;
		vq_avail_add(vq, id);
	}
}

/*
 * Fill every free descriptor, in bulk gets, then publish once. When the pool
 * runs short, take smaller bulks; what is still missing counts as nombuf and
 * is retried on the next burst. Returns how many were posted.
 */
static unsigned rx_refill(struct virtnet_rx *rxq)
{
	struct vq *vq = &rxq->vq;
	struct rf_mbuf *bufs[VQ_RX_REFILL_CHUNK];
	unsigned posted = 0;

	while (vq->nb_free > 0) {
		unsigned k = RF_MIN(vq->nb_free, VQ_RX_REFILL_CHUNK);
		int rc;

		while ((rc = rf_pktmbuf_alloc_bulk(rxq->mp, bufs, k)) != 0 && k > 1)
			k >>= 1;
		if (rc != 0)
			break;
		rx_post(rxq, bufs, k);
		posted += k;
	}
	if (vq->nb_free > 0)
		rxq->stats.nombuf += vq->nb_free;
	if (posted > 0)
		vq_publish(vq, rxq->cold.kickfd, &rxq->stats.kicks);
	return posted;
}

int virtnet_rxq_fill(struct virtnet_rx *rxq)
{
	struct vq *vq = &rxq->vq;

	if (vq_is_broken(vq))
		return -EIO;
	if (vq->nb_free == 0)
		return 0;
	rx_refill(rxq);
	if (vq->nb_free == rxq->cold.size)
		return -ENOMEM;
	if (vq->nb_free > 0)
		RF_LOG(WARNING, VIRTIO,
		       "port %u rx queue %u: posted %u of %u buffers, mempool %s is short; "
		       "the rest is posted as mbufs come back",
		       rxq->cold.port_id, rxq->cold.queue_id, rxq->cold.size - vq->nb_free,
		       rxq->cold.size, rxq->mp->name);
	return 0;
}

/* Where the RX burst is in the used ring. Kept in registers, stored back once. */
struct rx_cursor {
	uint16_t cur;	/* sequence number of the next buffer to consume (its used slot) */
	uint16_t ready; /* buffers the device published that we have not consumed */
	uint16_t batch_left;
	uint32_t batch_last_len;
};

/* What went wrong, for the log line. */
struct rx_fault {
	enum vq_fault f;
	uint16_t at; /* the used entry */
	uint32_t id, len;
};

/*
 * The next returned buffer: its descriptor id and the bytes the device wrote.
 * Checks the id; the caller checks the length against what it posted. On a
 * fault the cursor has not moved.
 *
 * VIRTIO_F_IN_ORDER (§2.7.9): buffer number s sits in descriptor s & mask,
 * because RX descriptors are handed out one at a time in ring order. The
 * device may return a batch with one entry, written at the batch's first slot
 * and naming its last buffer; the buffers before the last are full.
 */
static inline enum vq_fault rx_next(const struct vq *vq, struct rx_cursor *c, uint32_t *idp,
				    uint32_t *lenp)
{
	const uint16_t slot = c->cur & vq->mask;

	if (RF_LIKELY(c->batch_left == 0)) {
		/* Plain copy: A1 made the entries before used->idx visible; read once. */
		const struct vring_used_elem e = vq->used->ring[slot];

		*idp = e.id;
		*lenp = e.len;
		if (RF_UNLIKELY(e.id > vq->mask)) {
			return VQ_FAULT_BAD_ID;
		}
		if (RF_UNLIKELY(vq->extra[e.id].ndescs == 0))
			return VQ_FAULT_NOT_POSTED;
		if (vq->in_order && e.id != slot) {
			/* Posted, so it lies within the buffers in flight from slot on. */
			uint16_t b = (uint16_t)(((e.id - slot) & vq->mask) + 1u);

			if (RF_UNLIKELY(b > c->ready)) {
				*idp = b;
				*lenp = c->ready;
				return VQ_FAULT_IDX_JUMP;
			}
			c->batch_left = (uint16_t)(b - 1);
			c->batch_last_len = e.len;
			*idp = slot;
			*lenp = vq->extra[slot].len;
		}
	} else {
		*idp = slot;
		*lenp = --c->batch_left == 0 ? c->batch_last_len : vq->extra[slot].len;
	}
	c->cur++;
	c->ready--;
	return 0;
}

static inline void rx_set_first(const struct virtnet_rx *rxq, struct rf_mbuf *m, uint32_t len)
{
	m->data_off = RF_PKTMBUF_HEADROOM;
	m->port = rxq->port_id;
	m->queue = rxq->queue_id;
	m->ol_flags = 0;
	m->packet_type = 0;
	m->nb_segs = 1;
	m->pkt_len = len;
	m->data_len = (uint16_t)len;
	if (rxq->vq.hdr_size == sizeof(struct virtio_net_hdr_v1_hash))
		vq_rx_hash_report(m, rxq->vq.hdr_size);
}

/* Without MRG_RXBUF: one used entry, one buffer, one packet. */
static uint16_t rx_single(struct virtnet_rx *rxq, struct rx_cursor *c, struct rf_mbuf **pkts,
			  uint16_t n, struct rx_fault *fault)
{
	struct vq *vq = &rxq->vq;
	const uint32_t hdr = vq->hdr_size;
	uint16_t nb_rx = 0, at = 0;
	uint64_t bytes = 0;

	while (nb_rx < n && c->ready > 0) {
		uint32_t id, len;

		at = c->cur;
		fault->f = rx_next(vq, c, &id, &len);
		if (RF_UNLIKELY(fault->f != 0))
			goto bad;
		struct vq_extra *x = &vq->extra[id];
		if (RF_UNLIKELY(len > x->len || len < hdr)) {
			/* Left posted: release() takes it back. */
			fault->f = VQ_FAULT_BAD_LEN;
			goto bad;
		}
		struct rf_mbuf *m = x->m;
		vq_chain_put(vq, (uint16_t)id, 1);
		if (RF_UNLIKELY(len == hdr)) {
			rxq->stats.errors++; /* a header and no frame */
			rf_pktmbuf_free(m);
			continue;
		}
		rx_set_first(rxq, m, len - hdr);
		bytes += len - hdr;
		pkts[nb_rx++] = m;
		continue;
	bad:
		fault->at = at;
		fault->id = id;
		fault->len = len;
		break;
	}
	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += bytes;
	return nb_rx;
}

/*
 * MRG_RXBUF (§5.1.6.4): num_buffers in the first buffer's header says how many
 * used buffers the packet spans; they become one mbuf chain. A packet whose
 * buffers are not all published yet is left for the next burst untouched.
 */
static uint16_t rx_mergeable(struct virtnet_rx *rxq, struct rx_cursor *c, struct rf_mbuf **pkts,
			     uint16_t n, struct rx_fault *fault)
{
	struct vq *vq = &rxq->vq;
	const uint32_t hdr = vq->hdr_size;
	const size_t nbuf_off =
	    RF_PKTMBUF_HEADROOM - hdr + offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers);
	uint16_t nb_rx = 0, at = 0;
	uint64_t bytes = 0;

	while (nb_rx < n && c->ready > 0) {
		const struct rx_cursor start = *c;
		uint32_t id, len;
		uint16_t nbuf;

		at = c->cur;
		fault->f = rx_next(vq, c, &id, &len);
		if (RF_UNLIKELY(fault->f != 0))
			goto bad;
		struct vq_extra *x = &vq->extra[id];
		if (RF_UNLIKELY(len > x->len || len < hdr)) {
			fault->f = VQ_FAULT_BAD_LEN;
			goto bad;
		}
		struct rf_mbuf *m = x->m;
		/* Device-written: copied once, then only the copy is used. */
		memcpy(&nbuf, (const char *)m->buf_addr + nbuf_off, sizeof(nbuf));
		if (RF_UNLIKELY(nbuf == 0 || nbuf > (uint16_t)(vq->avail_idx - start.cur))) {
			fault->f = VQ_FAULT_BAD_NUM_BUFFERS;
			len = nbuf;
			goto bad;
		}
		if (nbuf > start.ready) {
			*c = start; /* the rest of this packet is not published yet */
			break;
		}
		vq_chain_put(vq, (uint16_t)id, 1);
		rx_set_first(rxq, m, len - hdr);
		m->nb_segs = nbuf;

		uint32_t pkt_len = len - hdr;
		struct rf_mbuf *prev = m;
		for (uint16_t k = 1; k < nbuf; k++) {
			at = c->cur;
			fault->f = rx_next(vq, c, &id, &len);
			if (RF_UNLIKELY(fault->f != 0))
				break;
			x = &vq->extra[id];
			if (RF_UNLIKELY(len > x->len)) {
				fault->f = VQ_FAULT_BAD_LEN;
				break;
			}
			struct rf_mbuf *s = x->m;
			vq_chain_put(vq, (uint16_t)id, 1);
			/* No header in the following buffers: data starts where the buffer does. */
			s->data_off = (uint16_t)(RF_PKTMBUF_HEADROOM - hdr);
			s->data_len = (uint16_t)len;
			prev->next = s;
			prev = s;
			pkt_len += len;
		}
		if (RF_UNLIKELY(fault->f != 0)) {
			rf_pktmbuf_free(m); /* the segments collected so far */
			goto bad;
		}
		m->pkt_len = pkt_len;
		if (RF_UNLIKELY(pkt_len == 0)) {
			rxq->stats.errors++;
			rf_pktmbuf_free(m);
			continue;
		}
		bytes += pkt_len;
		pkts[nb_rx++] = m;
		continue;
	bad:
		fault->at = at;
		fault->id = id;
		fault->len = len;
		break;
	}
	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += bytes;
	return nb_rx;
}

uint16_t virtnet_recv_pkts(void *q, struct rf_mbuf **pkts, uint16_t n)
{
	struct virtnet_rx *rxq = q;
	struct vq *vq = &rxq->vq;
	struct rx_fault fault = {0};

	if (RF_UNLIKELY(vq_is_broken(vq)))
		return 0;
	/*
	 * A1: acquire. Pairs with the device's release store of used->idx
	 * (§2.7.8): the used entries and the frame bytes it wrote before are
	 * visible to the loads below.
	 */
	uint16_t used_idx = rf_load_acquire_u16(&vq->used->idx);
	struct rx_cursor c = {
	    .cur = vq->last_used_idx,
	    .ready = (uint16_t)(used_idx - vq->last_used_idx),
	    .batch_left = rxq->batch_left,
	    .batch_last_len = rxq->batch_last_len,
	};
	uint16_t outstanding = (uint16_t)(vq->avail_idx - vq->last_used_idx);

	if (RF_UNLIKELY(c.ready > outstanding)) {
		vq_fault(vq, &rxq->stats, &rxq->cold, "rx", VQ_FAULT_IDX_JUMP, c.cur, c.ready,
			 outstanding);
		return 0;
	}
	uint16_t nb_rx = rxq->mrg_rxbuf ? rx_mergeable(rxq, &c, pkts, n, &fault)
					: rx_single(rxq, &c, pkts, n, &fault);
	vq->last_used_idx = c.cur;
	rxq->batch_left = c.batch_left;
	rxq->batch_last_len = c.batch_last_len;
	if (RF_UNLIKELY(fault.f != 0)) {
		vq_fault(vq, &rxq->stats, &rxq->cold, "rx", fault.f, fault.at, fault.id, fault.len);
		return nb_rx; /* the packets before the fault were good */
	}
	/* Every burst, even an empty one: a refill that found the pool dry must retry. */
	if (vq->nb_free >= VQ_RX_REFILL_THRESH)
		rx_refill(rxq);
	return nb_rx;
}

/* --------------------------------------------------------------------------
 * TX
 */

/* Completed packets whose mbufs go back to their pools in one bulk free. */
struct tx_done_batch {
	unsigned n;
	struct rf_mbuf *m[VQ_TX_FREE_BATCH];
};

/* The chain with head h is done: its descriptors go back, its mbufs lose one reference. */
static inline void tx_done(struct vq *vq, uint16_t h, struct tx_done_batch *b)
{
	struct rf_mbuf *m = vq->extra[h].m;

	vq_chain_put(vq, h, vq->extra[h].ndescs);
	/* Refcount-aware: a shared mbuf loses one reference and survives. */
	if (b->n == VQ_TX_FREE_BATCH) {
		rf_pktmbuf_free_bulk(b->m, b->n);
		b->n = 0;
	}
	b->m[b->n++] = m;
}

/* Take back what the device finished. 0, or -1 when it broke the ring. */
static int tx_reclaim(struct virtnet_tx *txq)
{
	struct vq *vq = &txq->vq;
	struct tx_done_batch done;
	enum vq_fault f = 0;
	uint32_t fid = 0, flen = 0;
	/*
	 * A2: acquire. Pairs with the device's release store of used->idx: the
	 * entries it wrote before are visible to the loads below.
	 */
	uint16_t used_idx = rf_load_acquire_u16(&vq->used->idx);
	uint16_t cur = vq->last_used_idx;
	uint16_t ready = (uint16_t)(used_idx - cur);
	uint16_t inflight = (uint16_t)(vq->avail_idx - cur);
	uint16_t at = cur;

	done.n = 0;
	if (RF_UNLIKELY(ready > inflight)) {
		f = VQ_FAULT_IDX_JUMP;
		fid = ready;
		flen = inflight;
		goto out;
	}
	while (ready > 0) {
		const struct vring_used_elem e = vq->used->ring[cur & vq->mask];

		at = cur;
		fid = e.id;
		flen = e.len;
		if (RF_UNLIKELY(e.id > vq->mask)) {
			f = VQ_FAULT_BAD_ID;
			goto out;
		}
		if (RF_UNLIKELY(vq->extra[e.id].ndescs == 0)) {
			f = VQ_FAULT_NOT_POSTED;
			goto out;
		}
		if (!vq->in_order) {
			tx_done(vq, (uint16_t)e.id, &done);
			cur++;
			ready--;
			continue;
		}
		/*
		 * §2.7.9: one entry may stand for a batch, from the oldest chain
		 * in flight (right after the free range) through the chain whose
		 * head it names. Each chain advances used->idx by one.
		 */
		uint16_t h, walked = 0;
		do {
			if (RF_UNLIKELY(ready == 0)) {
				/* The batch is longer than used->idx says. */
				f = VQ_FAULT_IDX_JUMP;
				fid = walked + 1u;
				flen = walked;
				goto out;
			}
			walked++;
			h = (uint16_t)((vq->free_head + vq->nb_free) & vq->mask);
			tx_done(vq, h, &done);
			cur++;
			ready--;
		} while (h != e.id);
	}
out:
	vq->last_used_idx = cur;
	if (done.n > 0)
		rf_pktmbuf_free_bulk(done.m, done.n);
	if (RF_UNLIKELY(f != 0)) {
		vq_fault(vq, &txq->stats, &txq->cold, "tx", f, at, fid, flen);
		return -1;
	}
	return 0;
}

/*
 * The hdr bytes right before the data are all zero: the header we send (no
 * offloads, §5.1.6.2) is already in place. Two loads cover 10 or 12 bytes.
 */
static inline bool tx_hdr_is_zero(const struct rf_mbuf *m, uint16_t hdr)
{
	const char *p = rf_pktmbuf_mtod(m, const char *) - hdr;
	uint64_t a;
	uint32_t b;

	memcpy(&a, p, sizeof(a));
	memcpy(&b, p + hdr - sizeof(b), sizeof(b));
	return (a | b) == 0;
}

/*
 * One descriptor for header and frame (VIRTIO_F_ANY_LAYOUT, implied by
 * VERSION_1, §5.1.6.6): the header sits in the headroom right before the
 * data; data_off does not move. write: the sole owner zeroes it there. A
 * shared mbuf is never written (its owners only read it); it comes here only
 * when a zero header is already in place, which no owner may change while it
 * is shared, so every in-flight send of it, each with its own descriptor
 * over the same bytes, has the device read the same zeros.
 */
static inline void tx_post_push(struct vq *vq, struct rf_mbuf *m, bool write)
{
	const uint16_t hdr = vq->hdr_size;
	uint16_t id = vq_desc_pop(vq);

	if (write) {
		/* Two fixed-size stores cover 10 or 12 bytes, as tx_hdr_is_zero's loads do. */
		char *p = rf_pktmbuf_mtod(m, char *) - hdr;
		const uint64_t z8 = 0;
		const uint32_t z4 = 0;

		memcpy(p, &z8, sizeof(z8));
		memcpy(p + hdr - sizeof(z4), &z4, sizeof(z4));
	}
	vq->desc[id] = (struct vring_desc){
	    .addr = rf_pktmbuf_iova(m) - hdr,
	    .len = (uint32_t)m->data_len + hdr,
	};
	vq->extra[id].m = m;
	vq->extra[id].ndescs = 1;
	vq_avail_add(vq, id);
}

/*
 * A header slot of our own, then one descriptor per segment. For shared
 * mbufs without a zero header in place (another owner may be sending the
 * same buffer: we must not write into it), chains, and mbufs without room or
 * alignment for the header. The caller
 * checked that nb_segs + 1 descriptors are free; its chain satisfies
 * rf_mbuf_check(), so nb_segs is the number of segments.
 */
static inline void tx_post_chain(struct virtnet_tx *txq, struct rf_mbuf *m)
{
	struct vq *vq = &txq->vq;
	struct vq_extra *x = vq->extra;
	const uint16_t need = (uint16_t)(m->nb_segs + 1u);
	uint16_t head = vq->free_head;
	uint16_t id = x[head].next;

	vq->desc[head] = (struct vring_desc){
	    .addr = txq->hdrs_iova + (uint64_t)head * sizeof(struct virtio_net_hdr_mrg_rxbuf),
	    .len = vq->hdr_size,
	    .flags = VRING_DESC_F_NEXT,
	    .next = id,
	};
	const struct rf_mbuf *s = m;
	for (uint16_t k = 1; k < need; k++, s = s->next) {
		uint16_t nxt = x[id].next;
		bool more = k + 1u < need;

		vq->desc[id] = (struct vring_desc){
		    .addr = rf_pktmbuf_iova(s),
		    .len = s->data_len,
		    .flags = more ? VRING_DESC_F_NEXT : 0,
		    .next = more ? nxt : 0,
		};
		id = nxt;
	}
	vq->free_head = id;
	vq->nb_free = (uint16_t)(vq->nb_free - need);
	x[head].m = m;
	x[head].ndescs = need;
	vq_avail_add(vq, head);
}

uint16_t virtnet_xmit_pkts(void *q, struct rf_mbuf **pkts, uint16_t n)
{
	struct virtnet_tx *txq = q;
	struct vq *vq = &txq->vq;
	const uint16_t hdr = vq->hdr_size;
	const uint16_t first_avail = vq->avail_idx;
	bool reclaimed = false;
	uint64_t bytes = 0;
	uint16_t i, dropped = 0;

	if (RF_UNLIKELY(vq_is_broken(vq)))
		return 0;
	if (vq->nb_free < txq->free_thresh) {
		reclaimed = true;
		if (tx_reclaim(txq) < 0)
			return 0;
	}
	for (i = 0; i < n; i++) {
		struct rf_mbuf *m = pkts[i];
		bool push = m->nb_segs == 1 && m->data_off >= hdr &&
			    (((uintptr_t)m->buf_addr + m->data_off) &
			     (_Alignof(struct virtio_net_hdr_mrg_rxbuf) - 1)) == 0;
		/*
		 * Sole owner: may write the header. Shared: only reuse a zero one.
		 * A3: acquire. Pairs with the release half of the last other
		 * owner's drop (rf_mbuf_refcnt_update is acq_rel): what it did
		 * with the buffer (a header check here on another queue, its
		 * device's read, acquired by A2 before that drop) happens before
		 * our write.
		 */
		bool write = push && atomic_load_explicit(&m->refcnt, memory_order_acquire) == 1;

		push = push && (write || tx_hdr_is_zero(m, hdr));
		uint32_t need = push ? 1u : m->nb_segs + 1u;

		if (RF_UNLIKELY(need > vq->nb_free)) {
			if (!reclaimed) {
				reclaimed = true;
				if (tx_reclaim(txq) < 0)
					break;
			}
			if (need > vq->nb_free) {
				if (need <= txq->cold.size)
					break; /* ring full: the caller keeps the rest */
				/* Could never fit: accept it, drop it, count it. */
				txq->stats.oversize++;
				dropped++;
				rf_pktmbuf_free(m);
				continue;
			}
		}
		if (push)
			tx_post_push(vq, m, write);
		else
			tx_post_chain(txq, m);
		bytes += m->pkt_len;
	}
	if (RF_UNLIKELY(vq_is_broken(vq)))
		return i; /* posted, never published: release() takes them back */
	txq->stats.ring_full += (uint16_t)(n - i);
	txq->stats.packets += (uint16_t)(i - dropped);
	txq->stats.bytes += bytes;
	if (vq->avail_idx != first_avail)
		vq_publish(vq, txq->cold.kickfd, &txq->stats.kicks);
	return i;
}
