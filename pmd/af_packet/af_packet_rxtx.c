/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet's data path: copy out of the mmap'ed RX ring into mbufs, copy
 * mbufs into the TX ring and kick. Copies, as DPDK's driver makes them: an
 * AF_PACKET ring frame lives in kernel-owned memory, not in our mempool.
 *
 * Every tpacket2_hdr field the kernel writes is checked before use; a frame
 * that points outside itself is counted and handed back, never followed.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "af_packet.h"
#include "rf_atomic.h"

#define ETH_HDR_LEN    14u
#define VLAN_HDR_LEN   4u
#define ETH_P_8021Q_BE 0x8100u

/* The part of a frame before its data on TX: the header, aligned, without the sockaddr_ll. */
uint32_t afp_tx_data_off(void)
{
	return (uint32_t)(TPACKET2_HDRLEN - sizeof(struct sockaddr_ll));
}

static inline void cnt_add(_Atomic uint64_t *c, uint64_t v)
{
	/* One writer (the polling lcore): a relaxed load and store, no read-modify-write. */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

static inline uint32_t ring_next(const struct afp_ring *r, uint32_t i)
{
	return i + 1 == r->nb_frames ? 0 : i + 1;
}

/* --- RX --- */

/*
 * Hand an RX frame back to the kernel.
 * RX-R1: every read of the frame (header and data) happens before this store,
 * so the kernel cannot refill the frame under our copy. Pairs with the
 * kernel's read of tp_status when it looks for a free frame (tpacket_rcv ->
 * packet_current_rx_frame), which it reads before writing the frame.
 */
static inline void rx_give_back(struct tpacket2_hdr *h)
{
	rf_store_release_u32(&h->tp_status, TP_STATUS_KERNEL);
}

/*
 * 0 if the frame's data lies inside the frame: tp_mac past our header,
 * tp_mac + tp_snaplen within frame_size, and tp_snaplen at least an Ethernet
 * header and at most tp_len.
 */
enum rx_verdict { RX_OK, RX_BAD, RX_TRUNCATED };

static inline enum rx_verdict rx_check(const struct tpacket2_hdr *h, uint32_t frame_size)
{
	uint32_t mac = h->tp_mac, snap = h->tp_snaplen, len = h->tp_len;

	if (mac < TPACKET2_HDRLEN || mac > frame_size || snap > frame_size - mac ||
	    snap < ETH_HDR_LEN || snap > len)
		return RX_BAD;
	if (snap < len)
		return RX_TRUNCATED;
	return RX_OK;
}

/*
 * Copy a checked frame into m. A VLAN tag the kernel took out of the frame
 * (TP_STATUS_VLAN_VALID: the device stripped it) goes back in after the two
 * MAC addresses, so the frame we deliver is the one on the wire.
 */
static inline bool rx_copy(struct afp_rxq *q, const struct tpacket2_hdr *h, uint32_t status,
			   struct rf_mbuf *m)
{
	const uint8_t *data = (const uint8_t *)h + h->tp_mac;
	uint32_t snap = h->tp_snaplen;
	uint8_t *dst = rf_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = snap;

	if (status & TP_STATUS_VLAN_VALID) {
		uint16_t tpid = (status & TP_STATUS_VLAN_TPID_VALID) && h->tp_vlan_tpid != 0
				    ? h->tp_vlan_tpid
				    : ETH_P_8021Q_BE;
		len += VLAN_HDR_LEN;
		if (len > q->max_copy)
			return false;
		memcpy(dst, data, 12);
		dst[12] = (uint8_t)(tpid >> 8);
		dst[13] = (uint8_t)tpid;
		dst[14] = (uint8_t)(h->tp_vlan_tci >> 8);
		dst[15] = (uint8_t)h->tp_vlan_tci;
		memcpy(dst + 16, data + 12, snap - 12);
	} else {
		if (len > q->max_copy)
			return false;
		memcpy(dst, data, snap);
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->port = q->port;
	m->queue = q->queue;
	m->timestamp = (uint64_t)h->tp_sec * 1000000000u + h->tp_nsec;
	m->ol_flags |= RF_MBUF_F_RX_TIMESTAMP;
	return true;
}

uint16_t afp_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct afp_rxq *q = rxq;
	struct afp_ring *r = &q->ring;
	uint64_t bytes = 0, bad = 0, trunc = 0, big = 0;
	uint16_t nb = 0;
	uint32_t head = r->head;

	while (nb < n) {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)r->frames[head];
		/*
		 * RX-A1: the frame's header and data are visible once we see
		 * TP_STATUS_USER. Pairs with the kernel's barrier between writing
		 * the frame and setting tp_status (tpacket_rcv -> __packet_set_status).
		 */
		uint32_t status = rf_load_acquire_u32(&h->tp_status);
		if (!(status & TP_STATUS_USER))
			break;
		enum rx_verdict v = rx_check(h, r->frame_size);
		if (v != RX_OK) {
			if (v == RX_BAD)
				bad++;
			else
				trunc++;
			rx_give_back(h);
			head = ring_next(r, head);
			continue;
		}
		struct rf_mbuf *m = rf_pktmbuf_alloc(q->mp);
		if (m == NULL) {
			/* Leave the frame in the ring: the next burst tries again. */
			cnt_add(&q->nombuf, 1);
			break;
		}
		if (!rx_copy(q, h, status, m)) {
			rf_pktmbuf_free(m);
			big++;
		} else {
			bytes += m->pkt_len;
			pkts[nb++] = m;
		}
		rx_give_back(h);
		head = ring_next(r, head);
	}
	r->head = head;
	if (nb > 0) {
		cnt_add(&q->packets, nb);
		cnt_add(&q->bytes, bytes);
	}
	if (bad + trunc + big > 0) {
		cnt_add(&q->bad_frames, bad);
		cnt_add(&q->truncated, trunc);
		cnt_add(&q->too_big, big);
	}
	return nb;
}

/* --- TX --- */

/* A frame the kernel will take: an Ethernet header at least, and no longer than the link allows. */
static inline bool tx_len_ok(const struct afp_txq *q, const struct rf_mbuf *m)
{
	uint32_t max = q->max_len;

	if (m->pkt_len < ETH_HDR_LEN || m->pkt_len > q->frame_cap)
		return false;
	if (m->pkt_len > max && m->pkt_len <= max + VLAN_HDR_LEN && m->data_len >= ETH_HDR_LEN) {
		/* The kernel lets a tagged frame be 4 bytes longer (its size check allows a VLAN
		 * header). */
		const uint8_t *p = rf_pktmbuf_mtod(m, const uint8_t *);
		uint16_t type = (uint16_t)(p[12] << 8 | p[13]);
		return type == 0x8100 || type == 0x88a8;
	}
	return m->pkt_len <= max;
}

static inline void tx_copy(uint8_t *dst, const struct rf_mbuf *m)
{
	for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
		memcpy(dst, rf_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		dst += s->data_len;
	}
}

uint16_t afp_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct afp_txq *q = txq;
	struct afp_ring *r = &q->ring;
	uint32_t head = r->head, off = afp_tx_data_off();
	uint64_t bytes = 0, sent = 0, big = 0;
	bool full = false;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rf_mbuf *m = pkts[i];
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)r->frames[head];
		/*
		 * TX-A1: the kernel is done with the frame (it sent or dropped
		 * the skb built from it) before we write it again. Pairs with
		 * the kernel's store of TP_STATUS_AVAILABLE when it frees that
		 * skb (tpacket_destruct_skb -> __packet_set_status).
		 */
		uint32_t status = rf_load_acquire_u32(&h->tp_status);
		if (status != TP_STATUS_AVAILABLE) {
			cnt_add(&q->ring_full, 1);
			full = true;
			break; /* the caller keeps this one and the rest */
		}
		if (!tx_len_ok(q, m)) {
			big++;
			rf_pktmbuf_free(m);
			continue;
		}
		tx_copy((uint8_t *)h + off, m);
		h->tp_len = m->pkt_len;
		/*
		 * TX-R1: the frame's bytes and tp_len are written before the
		 * kernel may read them. Pairs with the kernel's read of
		 * tp_status == TP_STATUS_SEND_REQUEST when sendto() walks the
		 * ring (tpacket_snd -> packet_current_frame).
		 */
		rf_store_release_u32(&h->tp_status, TP_STATUS_SEND_REQUEST);
		head = ring_next(r, head);
		bytes += m->pkt_len;
		sent++;
		rf_pktmbuf_free(m);
	}
	r->head = head;
	if (sent > 0 || full) {
		/*
		 * The kick: the kernel sends every SEND_REQUEST frame from its own
		 * head on. MSG_DONTWAIT: it does not wait for their completion.
		 * EAGAIN/ENOBUFS only mean the device queue is full; the frames
		 * stay requested and go with the next kick, which a full ring
		 * also gives (else frames a failed kick left would wait forever).
		 */
		if (sendto(q->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
		    errno != EWOULDBLOCK && errno != ENOBUFS)
			cnt_add(&q->kick_errors, 1);
	}
	if (sent > 0) {
		cnt_add(&q->packets, sent);
		cnt_add(&q->bytes, bytes);
	}
	if (big > 0)
		cnt_add(&q->too_big, big);
	return i;
}
