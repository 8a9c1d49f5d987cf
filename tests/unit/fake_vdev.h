/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake virtio-net device: the device side of one split virtqueue (virtio
 * 1.x §2.7), written from the spec, for unit tests and fuzz targets of the
 * driver in pmd/virtio. Not thread-safe: one thread plays the device of a
 * queue; the driver may run in another.
 *
 * It reads what the driver posted (avail ring, descriptors, buffers by their
 * address: VA mode), and writes what a device writes (buffer contents, used
 * ring, used->idx, used->flags). Completed buffers first go to a pending
 * list, so a test chooses when and how they are returned: one used entry
 * each, or one for a whole batch as VIRTIO_F_IN_ORDER allows (§2.7.9). Raw
 * writes (any id, len or index) let a test play a misbehaving device.
 *
 * It checks the driver too: descriptor indexes in range, chains without
 * loops, RX buffers device-writable, TX buffers device-readable, the TX
 * header all zero.
 */
#ifndef FAKE_VDEV_H
#define FAKE_VDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

struct virtnet_ring_info;

struct fake_vdev_used {
	uint32_t id;
	uint32_t len;
};

struct fake_vdev {
	uint16_t size;
	uint16_t mask;
	uint16_t hdr_size;
	bool mrg_rxbuf;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail; /* the next avail entry to take */
	uint16_t used_idx;   /* the next used slot; made visible by fake_vdev_publish() */
	/* Buffers done but not yet returned, oldest first (a ring of size entries). */
	struct fake_vdev_used *pend;
	uint16_t pend_first;
	uint16_t pend_count;
	/* What the last fake_vdev_tx_frame() saw. */
	uint16_t last_head;
	uint16_t last_ndescs;
};

/* hdr_size: the negotiated virtio-net header (12 with VERSION_1). 0 or -ENOMEM. */
int fake_vdev_init(struct fake_vdev *d, const struct virtnet_ring_info *ring, uint16_t hdr_size,
		   bool mrg_rxbuf);
void fake_vdev_fini(struct fake_vdev *d);

/* Chains the driver made available and the device has not taken (acquire on avail->idx). */
uint16_t fake_vdev_avail_count(const struct fake_vdev *d);
/* Take the next available chain head without touching it. 0, -EAGAIN, -EPROTO (head out of range).
 */
int fake_vdev_take(struct fake_vdev *d, uint16_t *head);

/*
 * RX (device to driver): write the frame, behind a virtio-net header, into the
 * next available buffer(s). Without MRG_RXBUF it must fit in one chain;
 * with it, it spans as many as needed and num_buffers says how many. The
 * buffers go to the pending list with the bytes written. Returns the number
 * of buffers used, -EAGAIN (not enough buffers; nothing taken), -EMSGSIZE
 * (does not fit one chain without MRG_RXBUF; nothing taken), -EPROTO
 * (the driver posted something malformed).
 */
int fake_vdev_rx_frame(struct fake_vdev *d, const void *frame, uint32_t len);

/*
 * TX (driver to device): take the next chain, check it and its header (all
 * zero), and copy the frame that follows the header into buf. The chain goes
 * to the pending list (len 0: the device writes nothing). Returns the frame
 * length, -EAGAIN (nothing available), -EPROTO (malformed: bad index, loop,
 * writable descriptor, header not zero or short), -EMSGSIZE (over cap).
 */
int fake_vdev_tx_frame(struct fake_vdev *d, void *buf, uint32_t cap);

uint16_t fake_vdev_pending(const struct fake_vdev *d);
/*
 * Return the n oldest pending buffers into the used ring (not yet visible):
 * one entry each, or with batch one entry for all n, naming the last
 * (VIRTIO_F_IN_ORDER, §2.7.9), after which the used index skips the rest.
 * 0 or -EINVAL (n > pending).
 */
int fake_vdev_complete(struct fake_vdev *d, uint16_t n, bool batch);
/* Raw: write any entry at the next used slot and advance (misbehaving devices). */
void fake_vdev_push_used(struct fake_vdev *d, uint32_t id, uint32_t len);
/* Store-release used->idx = the device's used index (§2.7.8). */
void fake_vdev_publish(struct fake_vdev *d);
/* Raw: store-release any used->idx (misbehaving devices, partial publication). */
void fake_vdev_publish_idx(struct fake_vdev *d, uint16_t idx);
/* Set or clear VRING_USED_F_NO_NOTIFY in used->flags (§2.7.10). */
void fake_vdev_set_no_notify(struct fake_vdev *d, bool on);

#endif /* FAKE_VDEV_H */
