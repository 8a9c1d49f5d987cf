/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp data path: RX from the RX ring with the fill ring kept topped
 * up, TX onto the TX ring with the completion ring reaped first. One
 * producer (or consumer) index store per burst and ring.
 *
 * The kernel's side of each ring is in net/xdp/xsk_queue.h: it loads our
 * producer with acquire and stores its own with release, and the same for
 * consumers. The labels below (RX-A1 ...) name our half of each pair.
 *
 * Space without reading the kernel's consumer: the fill ring has as many
 * slots as the RX queue has descriptors, and we never let the kernel hold
 * more chunks than that (posted). Entries in the fill ring are a subset of
 * what is posted, so nb_rx_desc - posted slots are always free. TX likewise:
 * frames not yet completed (tx idx - tx_done) never exceed nb_tx_desc, which
 * is also the completion ring's size, so neither ring can overflow.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "af_xdp.h"
#include "rf_atomic.h"
#include "rf_mbuf.h"

/* The pool object a UMEM chunk address names, or UINT32_MAX if it names none. */
static inline uint32_t chunk_index(const struct axdp_queue *q, uint64_t chunk)
{
	if (chunk < q->pool_off)
		return UINT32_MAX;
	uint64_t rel = chunk - q->pool_off;
	uint64_t idx = rel / q->stride;
	if (idx >= q->nb_obj || idx * q->stride != rel)
		return UINT32_MAX;
	return (uint32_t)idx;
}

static inline uint64_t obj_addr(const struct axdp_queue *q, const void *obj)
{
	return (uint64_t)((const char *)obj - q->umem_va);
}

/* Give the kernel free chunks, in one bulk get and one producer store. */
void axdp_rx_refill(struct axdp_queue *q)
{
	void *objs[RF_MAX(AXDP_REFILL_BATCH * 2, 64)];
	uint32_t room = q->nb_rx_desc - q->posted;

	while (room >= AXDP_REFILL_BATCH) {
		uint32_t n = RF_MIN(room, (uint32_t)RF_DIM(objs));
		if (rf_mempool_get_bulk(q->mp, objs, n) < 0) {
			n = AXDP_REFILL_BATCH;
			if (rf_mempool_get_bulk(q->mp, objs, n) < 0) {
				axdp_add(&q->rxc.nombuf, 1);
				return;
			}
		}
		uint64_t *ring = q->fill.descs;
		uint32_t prod = q->fill.idx;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t a = obj_addr(q, objs[i]);
			ring[(prod + i) & q->fill.mask] = a;
			q->in_kernel[(a - q->pool_off) / q->stride] = 1;
		}
		q->fill.idx = prod + n;
		/*
		 * FILL-R1: the addresses above are visible before the new
		 * producer; pairs with the kernel's acquire load of the fill
		 * producer (xskq_cons_peek).
		 */
		rf_store_release_u32(q->fill.producer, q->fill.idx);
		q->posted += n;
		room -= n;
	}
}

/* Drive the kernel's RX side: it asked (need_wakeup), or busy polling does it each time. */
static void rx_kick(struct axdp_queue *q, uint16_t nb_rx)
{
	bool want = q->busy_budget != 0 ? true : nb_rx == 0;

	if (!want)
		return;
	/*
	 * The flag is a hint the kernel sets before it stops polling the fill
	 * ring; a stale read costs one extra recvfrom or one empty poll.
	 */
	if (q->busy_budget == 0 &&
	    !(atomic_load_explicit((_Atomic uint32_t *)q->fill.flags, memory_order_relaxed) &
	      XDP_RING_NEED_WAKEUP))
		return;
	recvfrom(q->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	axdp_add(&q->rxc.kicks, 1);
}

/* A descriptor the checks refused: its chunk, if it is one we posted, goes home. */
static void rx_drop(struct axdp_queue *q, uint32_t idx)
{
	if (idx == UINT32_MAX || !q->in_kernel[idx])
		return;
	q->in_kernel[idx] = 0;
	q->posted--;
	rf_mempool_put(q->mp, (char *)q->umem_va + q->pool_off + (uint64_t)idx * q->stride);
}

uint16_t axdp_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct axdp_queue *q = rxq;
	const struct xdp_desc *ring = q->rx.descs;
	uint32_t cons = q->rx.idx;
	/*
	 * RX-A1: acquire; pairs with the kernel's release store of the RX
	 * producer after it wrote the descriptors (xskq_prod_submit): the
	 * descriptors read below are the ones it wrote.
	 */
	uint32_t avail = rf_load_acquire_u32(q->rx.producer) - cons;
	uint16_t nb = 0;
	uint64_t bytes = 0;

	if (RF_UNLIKELY(avail > q->posted)) {
		/* More frames than chunks the kernel holds: read only what it can have filled. */
		axdp_add(&q->rxc.idx_jump, 1);
		avail = q->posted;
	}
	uint32_t take = RF_MIN(avail, (uint32_t)n);
	for (uint32_t i = 0; i < take; i++) {
		const struct xdp_desc *dsc = &ring[(cons + i) & q->rx.mask];
		uint64_t addr = dsc->addr;
		uint32_t len = dsc->len;
		/* Unaligned-chunk mode: the chunk in the low bits, the data offset in the high. */
		uint64_t chunk = addr & XSK_UNALIGNED_BUF_ADDR_MASK;
		uint64_t off = addr >> XSK_UNALIGNED_BUF_OFFSET_SHIFT;
		uint32_t idx = chunk_index(q, chunk);

		if (RF_UNLIKELY(idx == UINT32_MAX || !q->in_kernel[idx])) {
			axdp_add(&q->rxc.bad_addr, 1);
			axdp_add(&q->rxc.errors, 1);
			continue;
		}
		struct rf_mbuf *m = (struct rf_mbuf *)(q->umem_va + chunk);
		if (RF_UNLIKELY(off < q->data_min || len == 0 ||
				off - q->data_min + len > m->buf_len || dsc->options != 0)) {
			axdp_add(&q->rxc.bad_len, 1);
			axdp_add(&q->rxc.errors, 1);
			rx_drop(q, idx);
			continue;
		}
		q->in_kernel[idx] = 0;
		q->posted--;
		rf_mbuf_refcnt_set(m, 1);
		rf_pktmbuf_reset(m);
		m->data_off = (uint16_t)(off - q->data_min);
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
		m->port = q->port;
		m->queue = q->qid;
		bytes += len;
		pkts[nb++] = m;
	}
	if (take > 0) {
		q->rx.idx = cons + take;
		/*
		 * RX-R1: release; the descriptor reads above happen before the
		 * kernel may reuse their slots. Pairs with the kernel's load of
		 * the RX consumer before it writes (xskq_prod_nb_free).
		 */
		rf_store_release_u32(q->rx.consumer, q->rx.idx);
		axdp_add(&q->rxc.packets, nb);
		axdp_add(&q->rxc.bytes, bytes);
	}
	axdp_rx_refill(q);
	rx_kick(q, nb);
	return nb;
}

/* Reap what the kernel has sent: free those mbufs, in the order they were queued. */
static void tx_reclaim(struct axdp_queue *q)
{
	const uint64_t *ring = q->comp.descs;
	uint32_t cons = q->comp.idx;
	uint32_t inflight = q->tx.idx - q->tx_done;
	/*
	 * CQ-A1: acquire; pairs with the kernel's release store of the
	 * completion producer after it wrote the addresses.
	 */
	uint32_t done = rf_load_acquire_u32(q->comp.producer) - cons;

	if (done == 0)
		return;
	if (RF_UNLIKELY(done > inflight)) {
		axdp_add(&q->txc.idx_jump, 1);
		done = inflight;
	}
	/*
	 * The kernel completes a socket's frames in the order they were on the
	 * TX ring (copy mode reserves the completion slots in that order; a
	 * zero-copy driver reports a count). A different address is counted;
	 * the mbufs freed are still the oldest, which are the ones sent.
	 */
	for (uint32_t i = 0; i < done; i++) {
		uint32_t s = (q->tx_done + i) & q->tx.mask;
		if (RF_UNLIKELY(ring[(cons + i) & q->comp.mask] != q->tx_addr[s]))
			axdp_add(&q->txc.bad_addr, 1);
	}
	q->comp.idx = cons + done;
	/*
	 * CQ-R1: release; the address reads above happen before the kernel
	 * may overwrite those slots (pairs with its load of the consumer).
	 */
	rf_store_release_u32(q->comp.consumer, q->comp.idx);

	/* The oldest done slots of tx_mbuf, in at most two runs around the wrap. */
	uint32_t first = q->tx_done & q->tx.mask;
	uint32_t run = RF_MIN(done, q->tx.mask + 1 - first);
	rf_pktmbuf_free_bulk(&q->tx_mbuf[first], run);
	if (run < done)
		rf_pktmbuf_free_bulk(&q->tx_mbuf[0], done - run);
	q->tx_done += done;
}

/*
 * An mbuf the kernel can send as it is: one segment of the UMEM's pool. Any
 * other is copied into a fresh mbuf of that pool (counted), or NULL: *fatal
 * says whether it can never be sent (too long) or only not now (no mbuf).
 */
static struct rf_mbuf *tx_prepare(struct axdp_queue *q, struct rf_mbuf *m, bool *fatal)
{
	*fatal = false;
	if (RF_LIKELY(m->pool == q->mp && m->nb_segs == 1))
		return m;
	struct rf_mbuf *c = rf_pktmbuf_alloc(q->mp);
	if (c == NULL)
		return NULL;
	void *dst = rf_pktmbuf_mtod(c, void *);
	const void *src =
	    m->pkt_len <= rf_pktmbuf_tailroom(c) ? rf_pktmbuf_read(m, 0, m->pkt_len, dst) : NULL;
	if (src == NULL) {
		rf_pktmbuf_free(c);
		*fatal = true;
		return NULL;
	}
	/* rf_pktmbuf_read gathers a chain into dst, but returns one segment's own data. */
	if (src != dst)
		memcpy(dst, src, m->pkt_len);
	c->data_len = (uint16_t)m->pkt_len;
	c->pkt_len = m->pkt_len;
	rf_pktmbuf_free(m);
	axdp_add(&q->txc.copied, 1);
	return c;
}

/* Send-side wake-up: only when the kernel asks, and only with frames waiting on the ring. */
static void tx_kick(struct axdp_queue *q)
{
	/*
	 * TX-F1: our producer store must be visible before we read the flag;
	 * else the kernel could raise it after looking at an older producer and
	 * neither side would move. Pairs with the kernel's barrier between
	 * setting XDP_RING_NEED_WAKEUP and re-reading the ring.
	 */
	rf_fence_seq_cst();
	if (!(atomic_load_explicit((_Atomic uint32_t *)q->tx.flags, memory_order_relaxed) &
	      XDP_RING_NEED_WAKEUP))
		return;
	/* Copy mode sends a bounded batch per call: wake it while frames wait. */
	uint32_t waiting = q->tx.idx - atomic_load_explicit((_Atomic uint32_t *)q->tx.consumer,
							    memory_order_relaxed);
	for (int i = 0; i < 4 && waiting > 0; i++) {
		axdp_add(&q->txc.kicks, 1);
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
		    errno != EBUSY && errno != ENOBUFS)
			break;
		waiting = q->tx.idx - atomic_load_explicit((_Atomic uint32_t *)q->tx.consumer,
							   memory_order_acquire);
	}
}

uint16_t axdp_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct axdp_queue *q = txq;
	struct xdp_desc *ring = q->tx.descs;
	uint64_t bytes = 0;
	uint16_t i, sent = 0;

	tx_reclaim(q);
	uint32_t room = q->nb_tx_desc - (q->tx.idx - q->tx_done);
	uint32_t prod = q->tx.idx;
	for (i = 0; i < n && sent < room; i++) {
		bool fatal;
		struct rf_mbuf *m = tx_prepare(q, pkts[i], &fatal);
		if (m == NULL) {
			if (!fatal) {
				axdp_add(&q->txc.nombuf, 1);
				break; /* the caller keeps this one and the rest */
			}
			axdp_add(&q->txc.errors, 1);
			rf_pktmbuf_free(pkts[i]);
			continue;
		}
		uint32_t s = (prod + sent) & q->tx.mask;
		uint64_t a = (uint64_t)(rf_pktmbuf_mtod(m, char *) - q->umem_va);
		ring[s] = (struct xdp_desc){.addr = a, .len = m->data_len, .options = 0};
		q->tx_mbuf[s] = m;
		q->tx_addr[s] = a;
		bytes += m->data_len;
		sent++;
	}
	if (sent > 0) {
		q->tx.idx = prod + sent;
		/*
		 * TX-R1: the descriptors above are visible before the new
		 * producer; pairs with the kernel's acquire load of the TX
		 * producer (xskq_cons_peek_desc).
		 */
		rf_store_release_u32(q->tx.producer, q->tx.idx);
		axdp_add(&q->txc.packets, sent);
		axdp_add(&q->txc.bytes, bytes);
	}
	if (q->tx.idx != q->tx_done)
		tx_kick(q);
	return i;
}

/*
 * After the socket is closed (the kernel writes no more): every chunk it
 * held and every frame not completed go back to the pool.
 */
void axdp_queue_release_mbufs(struct axdp_queue *q)
{
	if (q->in_kernel != NULL) {
		for (uint32_t idx = 0; idx < q->nb_obj; idx++) {
			if (!q->in_kernel[idx])
				continue;
			q->in_kernel[idx] = 0;
			rf_mempool_put(q->mp, (char *)q->umem_va + q->pool_off +
						  (uint64_t)idx * q->stride);
		}
	}
	q->posted = 0;
	while (q->tx_mbuf != NULL && q->tx_done != q->tx.idx) {
		rf_pktmbuf_free(q->tx_mbuf[q->tx_done & q->tx.mask]);
		q->tx_done++;
	}
}
