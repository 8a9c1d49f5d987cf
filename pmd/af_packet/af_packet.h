/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_packet's queue pairs: one AF_PACKET socket each, with a TPACKET_V2
 * RX ring and TX ring mapped into our address space (the kernel's packet_mmap
 * interface, Linux Documentation/networking/packet_mmap.rst). The rings
 * are arrays of fixed-size frames; each frame starts with a struct tpacket2_hdr whose tp_status
 * says who owns it:
 *
 *   RX: TP_STATUS_KERNEL (0) the kernel may fill it; TP_STATUS_USER set: it
 *       holds a frame for us. We copy it into an mbuf and hand it back (0).
 *   TX: TP_STATUS_AVAILABLE (0) ours to fill; we write the frame and set
 *       TP_STATUS_SEND_REQUEST, then kick with sendto(); the kernel moves it
 *       to TP_STATUS_SENDING and back to AVAILABLE once the skb is freed.
 *
 * Both rings are used in order: the kernel fills RX frames and sends TX
 * frames in ring order, so we only ever look at the frame at our head.
 * Ring indexes run from 0 to framecnt - 1 and wrap by comparison, because
 * DPDK's devargs allow any framecnt (not only powers of two).
 */
#ifndef RF_AF_PACKET_H
#define RF_AF_PACKET_H

#include <stdatomic.h>
#include <stdint.h>

#include "rf_mbuf.h"

struct afp_ring {
	/* (P) set at start by the control path, then read by the polling lcore */
	uint8_t **frames; /* frame i's address in the mapping */
	uint32_t nb_frames;
	uint32_t frame_size;
	/* (P) the polling lcore's state */
	uint32_t head; /* the next frame we look at */
};

/*
 * Counters written by the polling lcore with relaxed stores and read by the
 * control path with relaxed loads: values of their own, nothing is published
 * with them.
 */
struct afp_rxq {
	struct afp_ring ring;
	struct rf_mempool *mp;
	uint16_t port, queue;
	uint32_t max_copy; /* bytes an mbuf of mp holds */
	int fd;		   /* -1 while stopped */

	_Atomic uint64_t packets, bytes, nombuf;
	_Atomic uint64_t bad_frames; /* tp_mac/tp_snaplen/tp_len outside the frame */
	_Atomic uint64_t truncated;  /* tp_snaplen < tp_len: the frame did not fit */
	_Atomic uint64_t too_big;    /* valid, but larger than an mbuf */

	/* (control path only) PACKET_STATISTICS, which the kernel resets on each read */
	uint64_t kern_packets, kern_drops;
};

struct afp_txq {
	struct afp_ring ring;
	uint32_t max_len;   /* the interface's MTU + Ethernet header */
	uint32_t frame_cap; /* what a ring frame holds after its header */
	int fd;

	_Atomic uint64_t packets, bytes;
	_Atomic uint64_t too_big;     /* longer than max_len, or shorter than a header */
	_Atomic uint64_t ring_full;   /* bursts cut short: the head frame still the kernel's */
	_Atomic uint64_t kick_errors; /* sendto() failed other than EAGAIN/ENOBUFS */
};

/* Where a TX frame's data goes: right after the header, without the sockaddr_ll. */
uint32_t afp_tx_data_off(void);

uint16_t afp_rx_burst(void *rxq, struct rf_mbuf **pkts, uint16_t n);
uint16_t afp_tx_burst(void *txq, struct rf_mbuf **pkts, uint16_t n);

#endif /* RF_AF_PACKET_H */
