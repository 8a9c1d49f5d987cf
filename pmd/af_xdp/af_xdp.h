/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp: a port on a Linux interface through AF_XDP sockets, one socket
 * per queue. The driver's internals, shared by the control path (af_xdp.c),
 * the sockets and the XDP program (af_xdp_sock.c) and the data path
 * (af_xdp_rxtx.c). Nothing here is public: ringfwd reaches the driver only
 * through ethdev.
 *
 * The UMEM is the RX queue's mbuf pool itself. Each pool object is one UMEM
 * chunk (unaligned-chunk mode, since an object is 2304 bytes by default, not
 * a power of two), and the kernel writes a frame at
 *
 *   chunk + UMEM headroom + XDP_PACKET_HEADROOM
 *
 * with the UMEM headroom set to the mbuf header, its private area and
 * RF_PKTMBUF_HEADROOM. The 256 bytes of XDP headroom that an XDP program may
 * write into (bpf_xdp_adjust_head/meta) are therefore inside the data room,
 * never over the mbuf header. On RX the mbuf is the object the chunk is:
 * no copy in ringfwd. On TX an mbuf of this pool goes out by reference; any
 * other (another pool, a chain) is first copied into one of this pool.
 *
 * The four rings (Linux <linux/if_xdp.h>, Documentation/networking/af_xdp.rst):
 *
 *   fill        we produce free chunks,        the kernel consumes them
 *   RX          the kernel produces frames,    we consume them
 *   TX          we produce frames to send,     the kernel consumes them
 *   completion  the kernel produces sent ones, we consume them
 *
 * Indexes are free-running uint32_t; a ring's size is a power of two, so
 * idx & mask is the slot and (producer - consumer) the entries in it, also
 * across the wrap at 2^32.
 */
#ifndef RF_AF_XDP_H
#define RF_AF_XDP_H

#include <linux/bpf.h> /* XDP_PACKET_HEADROOM */
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "rf_ethdev_driver.h"

#ifndef SOL_XDP
#define SOL_XDP 283
#endif

#define AXDP_DRIVER_NAME  "net_af_xdp"
#define AXDP_MIN_DESC	  64
#define AXDP_MAX_DESC	  4096
#define AXDP_REFILL_BATCH 32 /* refill the fill ring once this many slots are free */
#define AXDP_ERR_LEN	  320

/*
 * One mmap'ed ring. Ownership: (d) written by the kernel, (D) by us, (P)
 * private to us.
 */
struct axdp_ring {
	uint32_t *producer; /* fill/TX: (D); RX/completion: (d) */
	uint32_t *consumer; /* fill/TX: (d); RX/completion: (D) */
	uint32_t *flags;    /* (d) XDP_RING_NEED_WAKEUP */
	void *descs;	    /* fill/completion: uint64_t; RX/TX: struct xdp_desc */
	uint32_t mask;	    /* (P) size - 1 */
	uint32_t idx;	    /* (P) our shadow of the index we own (producer or consumer) */
	void *map;	    /* (P) the mapping, for munmap */
	size_t map_len;
};

/* Per-queue counters: written by the polling lcore, read by stats_get (relaxed). */
struct axdp_counters {
	_Atomic uint64_t packets, bytes;
	_Atomic uint64_t errors; /* RX: descriptors dropped (bad_*); TX: frames too big to send */
	_Atomic uint64_t nombuf; /* RX: refills the pool could not serve; TX: copies without mbuf */
	_Atomic uint64_t bad_addr; /* RX: address not a chunk we posted; TX: completion mismatch */
	_Atomic uint64_t bad_len;  /* RX: offset or length past the chunk, or multi-buffer */
	_Atomic uint64_t idx_jump; /* the kernel's producer moved past what it could have */
	_Atomic uint64_t kicks;	   /* sendto/recvfrom wake-ups */
	_Atomic uint64_t copied;   /* TX: mbufs copied into the UMEM (other pool, chain) */
};

static inline void axdp_add(_Atomic uint64_t *c, uint64_t v)
{
	/* Only the polling lcore writes: a relaxed load and store, no locked add. */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
			      memory_order_relaxed);
}

static inline uint64_t axdp_read(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/*
 * One AF_XDP socket: RX queue q and TX queue q of the port, on the
 * interface's queue start_queue + q. The RX half is polled by one lcore, the
 * TX half by one (maybe another): they share only what is set at start.
 */
struct axdp_queue {
	/* (P) set at start, read-only while the port runs */
	int fd;
	uint16_t port, qid;    /* ethdev queue; the interface's is start_queue + qid */
	uint32_t busy_budget;  /* 0: no preferred busy polling */
	struct rf_mempool *mp; /* the pool that is the UMEM */
	char *umem_va;	       /* UMEM start: the pool's objects, rounded down to a page */
	uint64_t umem_len;
	uint64_t pool_off;     /* the pool's first object, from umem_va */
	uint32_t stride;       /* bytes between objects = chunk size */
	uint32_t nb_obj;       /* objects in the pool */
	uint32_t data_min;     /* the chunk offset where the mbuf's buffer starts */
	uint16_t rx_data_off;  /* data_off of a frame the kernel wrote (copy mode) */
	uint32_t nb_rx_desc;   /* fill and RX ring size */
	uint32_t nb_tx_desc;   /* TX and completion ring size */
	bool rx_used, tx_used; /* queue set up by ethdev */

	/* RX lcore */
	struct axdp_ring rx RF_CACHE_ALIGNED;
	struct axdp_ring fill;
	uint8_t *in_kernel; /* per pool object: 1 while posted on the fill ring and not back */
	uint32_t posted;    /* chunks the kernel holds: fill ring, its own, RX ring */
	struct axdp_counters rxc;

	/* TX lcore */
	struct axdp_ring tx RF_CACHE_ALIGNED;
	struct axdp_ring comp;
	struct rf_mbuf **tx_mbuf; /* nb_tx_desc, by sequence number: what each sent slot holds */
	uint64_t *tx_addr;	  /* the UMEM address each sent slot gave the kernel */
	uint32_t tx_done;	  /* sequence number of the oldest frame not completed */
	struct axdp_counters txc;
};

struct axdp_dev {
	struct rf_eth_dev eth; /* first: ethdev's handle */
	char ifname[IF_NAMESIZE];
	int ifindex;
	uint32_t start_queue, queue_count, busy_budget;
	int force_copy;
	char *prog_path;	  /* xdp_prog=FILE, or NULL: libxdp's default program */
	int promisc_fd;		  /* AF_PACKET socket holding PACKET_MR_PROMISC, or -1 */
	struct xdp_program *prog; /* while started */
	struct bpf_link *link;	  /* the attachment: gone when the fd is (close, exit, kill) */
	bool zero_copy;		  /* what the last start got */
	bool mode_said;		  /* copy/zero-copy logged once */
	uint16_t nb_sockets;	  /* sockets open while started */
	struct axdp_queue *q[RF_MAX_QUEUES_PER_PORT];
};

static inline struct axdp_dev *axdp_dev(struct rf_eth_dev *eth)
{
	return rf_container_of(eth, struct axdp_dev, eth);
}

/* af_xdp_sock.c: sockets, UMEM and the XDP program. 0 or -errno with a message in err. */
int axdp_check_no_prog(const struct axdp_dev *d, char *err, size_t errlen);
int axdp_queue_open(struct axdp_dev *d, struct axdp_queue *q, char *err, size_t errlen);
void axdp_queue_close(struct axdp_queue *q);
int axdp_prog_attach(struct axdp_dev *d, char *err, size_t errlen);
void axdp_prog_detach(struct axdp_dev *d);
int axdp_prog_check_file(const char *path, char *err, size_t errlen);

/* af_xdp_rxtx.c: the data path, and what start and stop do with the rings. */
uint16_t axdp_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n);
uint16_t axdp_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n);
void axdp_rx_refill(struct axdp_queue *q);
void axdp_queue_release_mbufs(struct axdp_queue *q);

#endif /* RF_AF_XDP_H */
