/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user, private to pmd/virtio: the device struct shared by the
 * ethdev side (virtio_user.c: devargs, queues, ethdev ops) and the
 * vhost-user session (virtio_user_dev.c: negotiation, ring set-up, the
 * control thread that reconnects).
 *
 * Locking: d->lock serialises the vhost-user channel and the connection
 * state between the application thread (configure/start/stop/close/stats)
 * and the control thread. The data path never takes it.
 */
#ifndef VIRTIO_USER_DEV_H
#define VIRTIO_USER_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>

#include "rf_ethdev_driver.h"
#include "vhost_user.h"
#include "virtio_cvq.h"
#include "virtio_rxtx.h"

#define VU_DRIVER_NAME	      "net_virtio_user"
#define VU_DEFAULT_QUEUE_SIZE VIRTNET_RING_SIZE_DEFAULT
#define VU_MIN_DESC	      VIRTNET_RING_SIZE_MIN
#define VU_MAX_DESC	      VIRTNET_RING_SIZE_MAX /* virtio 1.x §2.6: at most 32768 */
#define VU_REPLY_TIMEOUT_MS   5000
#define VU_BACKOFF_FIRST_MS   50
#define VU_DEFAULT_RECONNECT  1000
#define VU_MAX_RX_PKTLEN_MRG  9728 /* what a chain of mergeable buffers may carry */
#define VU_HDR_SIZE	      ((uint16_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
#define VU_ERR_LEN	      320

_Static_assert(sizeof(struct virtio_net_hdr_mrg_rxbuf) == 12, "virtio-net header with VERSION_1");

#define VU_BIT(b) (1ull << (b))
/* Features the data path depends on: fixed while the port runs, same on every reconnect. */
#define VU_DP_FEATURES (VU_BIT(VIRTIO_NET_F_MRG_RXBUF) | VU_BIT(VIRTIO_F_IN_ORDER))
/* Protocol features we can use; STATUS also needs GET/SET_STATUS, which we send. */
#define VU_PROTOCOL_FEATURES                                                                       \
	(VU_BIT(RF_VHOST_USER_PROTOCOL_F_MQ) | VU_BIT(RF_VHOST_USER_PROTOCOL_F_REPLY_ACK) |        \
	 VU_BIT(RF_VHOST_USER_PROTOCOL_F_STATUS))

enum vu_state {
	VU_DISCONNECTED, /* no back-end */
	VU_CONNECTED,	 /* handshake done; rings not (or no longer) given to it */
	VU_REFUSED,	 /* connected, but we can't work with it: wait for it to go */
	VU_RUNNING,	 /* rings set up and enabled: link up */
};

struct vu_rxq {
	struct virtnet_rx *q;
	/* Eventfds of ours, kept for the life of the device: the data path's kickfd never changes.
	 */
	int kickfd, callfd;
	uint16_t nb_desc;
	int socket;
	struct rf_mempool *mp;
	uint64_t dp; /* VU_DP_FEATURES bits it was built with */
};

struct vu_txq {
	struct virtnet_tx *q;
	int kickfd, callfd;
	uint16_t nb_desc;
	int socket;
	uint64_t dp;
};

struct vu_dev {
	struct rf_eth_dev eth; /* first: ethdev's handle, recovered with rf_container_of */

	/* From devargs, fixed at probe. */
	char name[RF_ETH_NAME_MAX]; /* our copy, for the control thread's messages */
	char path[108];
	uint16_t max_queues;
	uint16_t queue_size;
	bool server;
	uint64_t want;	       /* feature bits the devargs allow */
	unsigned reconnect_ms; /* client mode: longest wait between connection attempts */

	pthread_mutex_t lock; /* everything below */
	struct rf_vhost_user_conn conn;
	int listen_fd; /* server mode */
	enum vu_state state;
	unsigned conn_gen;    /* bumped whenever conn.fd changes, so the thread re-polls */
	uint64_t offered;     /* GET_FEATURES of the current back-end */
	uint64_t features;    /* what we last sent in SET_FEATURES */
	uint64_t dp_features; /* VU_DP_FEATURES bits of the queues while the port runs */
	bool started;
	bool rings_told; /* SET_MEM_TABLE/SET_VRING_* sent and not yet taken back */
	bool quit;
	struct vu_rxq rxq[RF_MAX_QUEUES_PER_PORT];
	struct vu_txq txq[RF_MAX_QUEUES_PER_PORT];
	uint64_t nb_connects;
	uint64_t link_down_events;
	char err[VU_ERR_LEN];

	/*
	 * The control virtqueue (VIRTIO_NET_F_CTRL_VQ, wanted with queues > 1):
	 * our driver side, and the device side we play because vhost-user has
	 * no control-queue message (virtio_cvq.h). Used with the lock held.
	 */
	struct virtio_cvq *cvq;
	struct virtio_cvq_dev cvq_dev;
	uint32_t pairs_on;   /* bit p: the back-end has vrings 2p, 2p+1 enabled (this connection) */
	uint16_t cvq_pairs;  /* the last VQ_PAIRS_SET the device took; 1 after a handshake */
	uint64_t cvq_errors; /* commands that failed (ERR, timeout, message failure) */
	/* Device RSS: only with VIRTIO_NET_F_RSS, which a vhost-user back-end never gets. */
	struct virtio_rss_caps rss_caps;
	struct rf_eth_rss_conf rss_conf;
	uint16_t reta[VIRTIO_RSS_RETA_MAX];

	pthread_t thread;
	bool thread_started;
	int wake_fd; /* eventfd: wakes the control thread out of poll() */
};

RF_PRINTF(3, 4) int virtio_user_err(struct vu_dev *d, int rc, const char *fmt, ...);
/* Forget the back-end: link down, socket closed. Lock held; why = NULL logs nothing. */
void virtio_user_disconnect(struct vu_dev *d, const char *why);
/* The data path features queues get now: the back-end's if one is connected. Lock held. */
uint64_t virtio_user_dp_features(const struct vu_dev *d);
/* First messages on a new connection. 0 or -errno, reason in d->err. Lock held. */
int virtio_user_handshake(struct vu_dev *d);
/* Hand our rings to the back-end and raise the link. Lock held, state VU_CONNECTED. */
int virtio_user_setup(struct vu_dev *d);
/* After a failed handshake or set-up: stay connected but down, or disconnect. */
void virtio_user_setup_failed(struct vu_dev *d, int rc, const char *when);
/* Create the control queue when CTRL_VQ may be negotiated (queues > 1). 0 or -errno. */
int virtio_user_cvq_init(struct vu_dev *d);
/* The ring sizes dev_info reports for device RSS: 0 unless VIRTIO_NET_F_RSS. Lock held. */
uint16_t virtio_user_reta_size(const struct vu_dev *d);
/* Send RSS_CONFIG from rss_conf and reta (VIRTIO_NET_F_RSS negotiated). Lock held. */
int virtio_user_rss_apply(struct vu_dev *d);
int virtio_user_thread_start(struct vu_dev *d);
void virtio_user_thread_stop(struct vu_dev *d);

#endif /* VIRTIO_USER_DEV_H */
