/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net control virtqueue (virtio 1.x §5.1.6.5): both of its sides.
 *
 * Driver side (struct virtio_cvq): a small split virtqueue in our heap, on
 * which one command at a time is posted as a chain of three descriptors
 *
 *   [class, command] (device-readable) [command data] (device-readable)
 *   [ack] (device-writable)
 *
 * then the device is notified, and the driver waits, for a bounded time, for
 * the chain to come back in the used ring, and reads the ack (VIRTIO_NET_OK or
 * VIRTIO_NET_ERR). Any transport uses it: it only needs a notify callback
 * (virtio-user: run the emulated device below; PCI: write the queue's notify
 * register) and gives the ring addresses (virtio_cvq_ring_info) to set up.
 *
 * Device side (struct virtio_cvq_dev), for virtio-user only. vhost-user has
 * no message for the control queue, so, as QEMU and DPDK's virtio_user do,
 * the front end consumes its own control queue and turns each command into
 * vhost-user messages through the callbacks in struct virtio_cvq_dev_ops
 * (VQ_PAIRS_SET -> VHOST_USER_SET_VRING_ENABLE). It checks every command
 * against what the negotiated features and the device's limits allow.
 *
 * Neither side takes a lock: the caller serialises (virtio-user: d->lock).
 */
#ifndef VIRTIO_CVQ_H
#define VIRTIO_CVQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "virtio_rxtx.h"

#define VIRTIO_CVQ_SIZE	      16   /* descriptors: one command (3) in flight at a time */
#define VIRTIO_CVQ_DATA_MAX   1536 /* command data bytes: an RSS_CONFIG with 512 entries fits */
#define VIRTIO_CVQ_TIMEOUT_MS 1000 /* how long the driver waits for the used entry */
#define VIRTIO_RSS_RETA_MAX   512  /* largest indirection table the driver sends */
#define VIRTIO_RSS_KEY_LEN    40   /* the Toeplitz key length the driver uses */

/* The device's RSS limits (struct virtio_net_config, §5.1.4), CPU byte order. */
struct virtio_rss_caps {
	uint8_t max_key_size;	       /* rss_max_key_size */
	uint16_t max_reta_len;	       /* rss_max_indirection_table_length */
	uint32_t supported_hash_types; /* VIRTIO_NET_RSS_HASH_TYPE_* */
};

/* An RSS_CONFIG or HASH_CONFIG (§5.1.6.5.6.4, §5.1.6.5.7.1), CPU byte order. */
struct virtio_rss_config {
	uint32_t hash_types;
	uint16_t reta_len; /* indirection_table_mask + 1; 0 for HASH_CONFIG */
	uint16_t unclassified_queue;
	uint16_t reta[VIRTIO_RSS_RETA_MAX]; /* receive queue numbers (receiveq1 = 0) */
	uint16_t max_tx_vq;
	uint8_t key_len;
	uint8_t key[255];
};

/* --- driver side --- */

/* Notify the device that a command is available. 0, or -errno (not sent). */
typedef int (*virtio_cvq_notify_t)(void *arg);

struct virtio_cvq {
	struct vring_desc *desc;   /* (D) */
	struct vring_avail *avail; /* (D) */
	struct vring_used *used;   /* (d) */
	uint8_t *buf;		   /* (D) header and data; (d) the ack byte */
	uint64_t buf_iova;
	uint16_t avail_idx;	/* (P) shadow of avail->idx */
	uint16_t last_used_idx; /* (P) */
	bool broken;		/* the device broke the protocol or timed out: reset first */
	unsigned timeout_ms;
	virtio_cvq_notify_t notify;
	void *notify_arg;
	void *mem; /* the rf_zmalloc block */
	uint64_t commands, errors;
};

/* NULL + errno (ENOMEM, EFAULT: memory without an IOVA). */
struct virtio_cvq *virtio_cvq_create(int socket, virtio_cvq_notify_t notify, void *arg);
void virtio_cvq_free(struct virtio_cvq *cvq);
/* A new device (reset, reconnect): rings empty, indexes 0, not broken. */
void virtio_cvq_reset(struct virtio_cvq *cvq);
void virtio_cvq_ring_info(const struct virtio_cvq *cvq, struct virtnet_ring_info *info);

/*
 * Send one command and wait for its ack. 0 = VIRTIO_NET_OK; -EIO = the
 * device answered VIRTIO_NET_ERR; -ETIMEDOUT = no used entry in time (the
 * queue is then broken); -EPROTO = the used ring or the ack is malformed
 * (broken too); -EINVAL = len over VIRTIO_CVQ_DATA_MAX; -EPIPE = broken
 * before; or the notify callback's error.
 */
int virtio_cvq_send(struct virtio_cvq *cvq, uint8_t cls, uint8_t cmd, const void *data,
		    uint32_t len);

/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET (§5.1.6.5.5). */
int virtio_cvq_vq_pairs_set(struct virtio_cvq *cvq, uint16_t pairs);

/*
 * The wire form of struct virtio_net_rss_config (cmd RSS_CONFIG) or
 * virtio_net_hash_config (cmd HASH_CONFIG: no table, reserved zeroes) into
 * out. Returns its length, or 0 when it does not fit cap or the table length
 * is not a power of two (RSS_CONFIG).
 */
size_t virtio_rss_config_encode(uint8_t cmd, const struct virtio_rss_config *c, uint8_t *out,
				size_t cap);
/* Send RSS_CONFIG or HASH_CONFIG. -EINVAL if it cannot be encoded. */
int virtio_cvq_rss_config(struct virtio_cvq *cvq, uint8_t cmd, const struct virtio_rss_config *c);

/* RF_ETH_RSS_* <-> VIRTIO_NET_RSS_HASH_TYPE_* (§5.1.6.4.3.1). */
uint32_t virtio_rss_hf_to_hash_types(uint64_t rss_hf);
uint64_t virtio_rss_hash_types_to_hf(uint32_t hash_types);

/* --- device side (virtio-user) --- */

struct virtio_cvq_dev_ops {
	/* VQ_PAIRS_SET, pairs already checked to be in [1, max_pairs]. 0 or -errno. */
	int (*vq_pairs_set)(void *arg, uint16_t pairs);
	/* RSS_CONFIG / HASH_CONFIG, already checked against the caps. NULL = ERR. */
	int (*rss_config)(void *arg, uint8_t cmd, const struct virtio_rss_config *c);
};

struct virtio_cvq_dev {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	/* The only memory buffers may point to: [lo, lo + len) at IOVA iova. */
	uint8_t *lo;
	uint64_t iova, len;
	uint16_t mask;
	uint16_t last_avail; /* the next avail entry to take */
	uint16_t used_idx;
	uint64_t features; /* negotiated: VIRTIO_NET_F_MQ, _RSS, _HASH_REPORT matter */
	uint16_t max_pairs;
	struct virtio_rss_caps caps;
	const struct virtio_cvq_dev_ops *ops;
	void *arg;
	uint64_t commands, errors, bad_chains;
};

/* Play the device of cvq's rings (same process: IOVA is what the driver wrote). */
void virtio_cvq_dev_init(struct virtio_cvq_dev *dev, const struct virtio_cvq *cvq,
			 uint64_t features, uint16_t max_pairs, const struct virtio_rss_caps *caps,
			 const struct virtio_cvq_dev_ops *ops, void *arg);
/* Execute every available command, each acked and returned in the used ring. Returns how many. */
unsigned virtio_cvq_dev_process(struct virtio_cvq_dev *dev);
/* One command's data (header stripped): the ack it gets. Exposed for tests. */
uint8_t virtio_cvq_dev_exec(struct virtio_cvq_dev *dev, uint8_t cls, uint8_t cmd,
			    const uint8_t *data, uint32_t len);

#endif /* VIRTIO_CVQ_H */
