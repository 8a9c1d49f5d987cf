/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet buffers.
 *
 * An mbuf is a 128-byte header (two cache lines), then RF_PKTMBUF_HEADROOM
 * bytes of headroom, then the data room, all in one mempool object:
 *
 *   | struct rf_mbuf (128) | priv (priv_size) | headroom (128) | data room (2048) |
 *                                             ^buf_addr         ^buf_addr + data_off
 *
 * Cache line 0 holds everything an RX burst writes, so receiving a packet
 * touches one line of the header. Cache line 1 holds what TX, free and chain
 * walks read.
 *
 * Ownership: whoever holds the pointer owns the mbuf; rx_burst hands them to
 * the caller, tx_burst takes those it accepts. refcnt > 1 means several owners
 * share it read-only (a replayed packet sent many times); each free drops one
 * reference and the last returns it to its pool.
 */
#ifndef RF_MBUF_H
#define RF_MBUF_H

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "rf_common.h"
#include "rf_mempool.h"

#define RF_PKTMBUF_HEADROOM       128
#define RF_MBUF_DEFAULT_DATAROOM  2048
#define RF_MBUF_DEFAULT_BUF_SIZE  (RF_MBUF_DEFAULT_DATAROOM + RF_PKTMBUF_HEADROOM)

/* ol_flags */
#define RF_MBUF_F_RX_RSS_HASH      (1ull << 1)  /* hash.rss is valid */
#define RF_MBUF_F_RX_L4_CKSUM_BAD  (1ull << 3)
#define RF_MBUF_F_RX_IP_CKSUM_BAD  (1ull << 4)
#define RF_MBUF_F_RX_TIMESTAMP     (1ull << 5)  /* timestamp is valid */
#define RF_MBUF_F_TX_IP_CKSUM      (1ull << 54)
#define RF_MBUF_F_TX_UDP_CKSUM     (1ull << 55)
#define RF_MBUF_F_TX_TCP_CKSUM     (1ull << 56)

/* packet_type: L2 | L3 | L4 in the DPDK encoding, enough for steering. */
#define RF_PTYPE_L2_ETHER  0x00000001
#define RF_PTYPE_L3_IPV4   0x00000010
#define RF_PTYPE_L3_IPV6   0x00000040
#define RF_PTYPE_L4_TCP    0x00000100
#define RF_PTYPE_L4_UDP    0x00000200
#define RF_PTYPE_L4_ICMP   0x00000500

struct rf_mbuf {
	/* --- cache line 0: written on RX --- */
	void *buf_addr;              /* start of headroom; set once at pool creation */
	uint64_t buf_iova;           /* IOVA of buf_addr; set once at pool creation */
	uint16_t data_off;           /* data starts at buf_addr + data_off */
	_Atomic uint16_t refcnt;     /* owners; 1 when allocated */
	uint16_t nb_segs;            /* segments in the chain (first segment only) */
	uint16_t port;               /* input port */
	uint64_t ol_flags;           /* RF_MBUF_F_* */
	uint32_t packet_type;        /* RF_PTYPE_* */
	uint32_t pkt_len;            /* bytes in the whole chain (first segment only) */
	uint16_t data_len;           /* bytes in this segment */
	uint16_t vlan_tci;
	union {
		uint32_t rss;        /* RSS hash, valid with RF_MBUF_F_RX_RSS_HASH */
		uint32_t fdir;
	} hash;
	uint16_t buf_len;            /* headroom + data room */
	uint16_t queue;              /* input queue */
	uint32_t seqn;               /* for the application (replay, order checks) */
	uint64_t rx_tsc;             /* rf_tsc() at receive, for latency; 0 if unset */

	/* --- cache line 1: TX, free, chains --- */
	struct rf_mbuf *next RF_CACHE_ALIGNED; /* next segment, NULL on the last */
	struct rf_mempool *pool;     /* where free returns it */
	uint64_t timestamp;          /* ns, valid with RF_MBUF_F_RX_TIMESTAMP (pcap) */
	uint16_t priv_size;          /* application area between header and headroom */
	uint16_t l2_len;             /* header lengths, for offloads and csum mode */
	uint16_t l3_len;
	uint16_t l4_len;
	uint64_t udata64;            /* for the application (RX never writes it: line 1) */
	uint64_t dynfield[3];        /* free for drivers/apps that need scratch */
};

_Static_assert(sizeof(struct rf_mbuf) == 2 * RF_CACHE_LINE, "rf_mbuf is two cache lines");
_Static_assert(offsetof(struct rf_mbuf, next) == RF_CACHE_LINE, "second line starts at next");
_Static_assert(offsetof(struct rf_mbuf, rx_tsc) + 8 <= RF_CACHE_LINE, "RX fields in line 0");

/* Private data of a pktmbuf pool (the mempool's private area). */
struct rf_pktmbuf_pool_private {
	uint16_t data_room_size; /* headroom + data room */
	uint16_t priv_size;
};

/*
 * A pool of n mbufs, each with data_room_size bytes of buffer (headroom
 * included: use RF_MBUF_DEFAULT_BUF_SIZE), in heap (hugepage) memory with
 * buf_iova precomputed. cache_size per lcore (0 = no cache). priv_size must be
 * a multiple of 8, so that the buffer after it stays aligned. NULL + errno.
 */
struct rf_mempool *rf_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					  uint16_t priv_size, uint16_t data_room_size, int socket);

static inline uint16_t rf_pktmbuf_data_room_size(const struct rf_mempool *mp)
{
	const struct rf_pktmbuf_pool_private *p = rf_mempool_get_priv(mp);
	return p->data_room_size;
}

#define rf_pktmbuf_mtod_offset(m, t, o) ((t)((char *)(m)->buf_addr + (m)->data_off + (o)))
#define rf_pktmbuf_mtod(m, t)           rf_pktmbuf_mtod_offset(m, t, 0)
#define rf_pktmbuf_iova_offset(m, o)    ((m)->buf_iova + (m)->data_off + (o))
#define rf_pktmbuf_iova(m)              rf_pktmbuf_iova_offset(m, 0)

static inline uint16_t rf_mbuf_refcnt_read(const struct rf_mbuf *m)
{
	return atomic_load_explicit(&m->refcnt, memory_order_relaxed);
}

static inline void rf_mbuf_refcnt_set(struct rf_mbuf *m, uint16_t v)
{
	atomic_store_explicit(&m->refcnt, v, memory_order_relaxed);
}

/*
 * Add v (may be negative) to the reference count; returns the new count.
 * acq_rel: a holder's last writes to the packet happen before whoever frees
 * it last reuses the buffer.
 */
static inline uint16_t rf_mbuf_refcnt_update(struct rf_mbuf *m, int16_t v)
{
	return (uint16_t)(atomic_fetch_add_explicit(&m->refcnt, (uint16_t)v,
						    memory_order_acq_rel) +
			  (uint16_t)v);
}

static inline uint16_t rf_pktmbuf_headroom(const struct rf_mbuf *m)
{
	return m->data_off;
}

static inline uint16_t rf_pktmbuf_tailroom(const struct rf_mbuf *m)
{
	return (uint16_t)(m->buf_len - m->data_off - m->data_len);
}

static inline struct rf_mbuf *rf_pktmbuf_lastseg(struct rf_mbuf *m)
{
	while (m->next != NULL)
		m = m->next;
	return m;
}

/* Reset the packet fields of a freshly allocated single-segment mbuf. */
static inline void rf_pktmbuf_reset(struct rf_mbuf *m)
{
	m->next = NULL;
	m->pkt_len = 0;
	m->data_len = 0;
	m->nb_segs = 1;
	m->port = UINT16_MAX;
	m->queue = 0;
	m->ol_flags = 0;
	m->packet_type = 0;
	m->vlan_tci = 0;
	m->hash.rss = 0;
	m->rx_tsc = 0;
	m->timestamp = 0;
	m->data_off = RF_MIN((uint16_t)RF_PKTMBUF_HEADROOM, m->buf_len);
}

/* NULL when the pool is empty. */
static inline struct rf_mbuf *rf_pktmbuf_alloc(struct rf_mempool *mp)
{
	void *obj;

	if (rf_mempool_get(mp, &obj) < 0)
		return NULL;
	struct rf_mbuf *m = (struct rf_mbuf *)obj;
	rf_mbuf_refcnt_set(m, 1);
	rf_pktmbuf_reset(m);
	return m;
}

/* All n or none: 0, or -ENOENT with nothing taken. */
static inline int rf_pktmbuf_alloc_bulk(struct rf_mempool *mp, struct rf_mbuf **mbufs, unsigned n)
{
	if (rf_mempool_get_bulk(mp, (void **)mbufs, n) < 0)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		rf_mbuf_refcnt_set(mbufs[i], 1);
		rf_pktmbuf_reset(mbufs[i]);
	}
	return 0;
}

/*
 * Drop one reference to this segment only. Returns the segment if the caller
 * must now return it to its pool (last reference), else NULL.
 */
static inline struct rf_mbuf *rf_pktmbuf_prefree_seg(struct rf_mbuf *m)
{
	/* Sole owner: nobody else can observe the count, skip the atomic RMW. */
	if (RF_LIKELY(rf_mbuf_refcnt_read(m) == 1)) {
		m->next = NULL;
		m->nb_segs = 1;
		return m;
	}
	if (rf_mbuf_refcnt_update(m, -1) == 0) {
		rf_mbuf_refcnt_set(m, 1);
		m->next = NULL;
		m->nb_segs = 1;
		return m;
	}
	return NULL;
}

static inline void rf_pktmbuf_free_seg(struct rf_mbuf *m)
{
	m = rf_pktmbuf_prefree_seg(m);
	if (m != NULL)
		rf_mempool_put(m->pool, m);
}

/* Free a whole chain; NULL is allowed. */
static inline void rf_pktmbuf_free(struct rf_mbuf *m)
{
	while (m != NULL) {
		struct rf_mbuf *next = m->next;
		rf_pktmbuf_free_seg(m);
		m = next;
	}
}

/* Free n chains, batching the returns to each pool. */
void rf_pktmbuf_free_bulk(struct rf_mbuf **mbufs, unsigned n);

/* Grow the packet at the front by len bytes. Pointer to the new start, or NULL if no headroom. */
char *rf_pktmbuf_prepend(struct rf_mbuf *m, uint16_t len);
/* Grow the packet at the end (last segment) by len. Pointer to the new bytes, or NULL. */
char *rf_pktmbuf_append(struct rf_mbuf *m, uint16_t len);
/* Remove len bytes from the front of the first segment. New start, or NULL if len > data_len. */
char *rf_pktmbuf_adj(struct rf_mbuf *m, uint16_t len);
/* Remove len bytes from the end of the last segment. 0, or -EINVAL if len > its data_len. */
int rf_pktmbuf_trim(struct rf_mbuf *m, uint16_t len);
/* Append chain tail to head. 0, or -EOVERFLOW if nb_segs would exceed UINT16_MAX. */
int rf_pktmbuf_chain(struct rf_mbuf *head, struct rf_mbuf *tail);
/*
 * Pointer to len contiguous bytes at offset off: into the mbuf when they sit
 * in one segment, else copied into buf. NULL if off + len > pkt_len.
 */
const void *rf_pktmbuf_read(const struct rf_mbuf *m, uint32_t off, uint32_t len, void *buf);
/* Deep copy of a chain into one or more new mbufs from mp. NULL + errno. */
struct rf_mbuf *rf_pktmbuf_copy(const struct rf_mbuf *m, struct rf_mempool *mp);
/* Checks the chain's invariants (pkt_len = sum of data_len, nb_segs, bounds). 0 or -EINVAL. */
int rf_mbuf_check(const struct rf_mbuf *m, const char **reason);
void rf_pktmbuf_dump(FILE *out, const struct rf_mbuf *m, unsigned dump_len);

#endif /* RF_MBUF_H */
