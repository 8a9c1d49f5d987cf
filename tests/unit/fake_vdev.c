/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device side of a split virtqueue (virtio 1.x §2.7), for tests. See
 * fake_vdev.h. Buffer addresses are our own virtual addresses (VA mode, as
 * with vhost-user), so the device reads and writes them directly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/virtio_net.h>

#include "fake_vdev.h"
#include "rf_atomic.h"
#include "virtio_rxtx.h"

struct fv_seg {
	uint8_t *p;
	uint32_t len;
};

int fake_vdev_init(struct fake_vdev *d, const struct virtnet_ring_info *ring, uint16_t hdr_size,
		   bool mrg_rxbuf)
{
	memset(d, 0, sizeof(*d));
	d->size = ring->size;
	d->mask = (uint16_t)(ring->size - 1);
	d->hdr_size = hdr_size;
	d->mrg_rxbuf = mrg_rxbuf;
	d->desc = ring->desc;
	d->avail = ring->avail;
	d->used = ring->used;
	/* Start where the ring is, as a backend told VHOST_USER_SET_VRING_BASE would. */
	d->last_avail = rf_load_acquire_u16(&ring->used->idx);
	d->used_idx = d->last_avail;
	d->pend = calloc(ring->size, sizeof(*d->pend));
	return d->pend == NULL ? -ENOMEM : 0;
}

void fake_vdev_fini(struct fake_vdev *d)
{
	free(d->pend);
	d->pend = NULL;
}

uint16_t fake_vdev_avail_count(const struct fake_vdev *d)
{
	/* Pairs with the driver's release store of avail->idx (§2.7.13). */
	return (uint16_t)(rf_load_acquire_u16(&d->avail->idx) - d->last_avail);
}

static int peek_head(const struct fake_vdev *d, uint16_t k, uint16_t *head)
{
	if (k >= fake_vdev_avail_count(d))
		return -EAGAIN;
	*head = d->avail->ring[(uint16_t)(d->last_avail + k) & d->mask];
	return *head < d->size ? 0 : -EPROTO;
}

int fake_vdev_take(struct fake_vdev *d, uint16_t *head)
{
	int rc = peek_head(d, 0, head);

	if (rc == 0)
		d->last_avail++;
	return rc;
}

/*
 * The segments of the chain at head (§2.7.5): indexes in range, at most size
 * descriptors (no loop), each writable iff want_write. Returns the count, or
 * -EPROTO.
 */
static int walk(const struct fake_vdev *d, uint16_t head, bool want_write, struct fv_seg *segs,
		uint32_t *total)
{
	uint16_t id = head;
	int n = 0;

	*total = 0;
	for (;;) {
		const struct vring_desc *x = &d->desc[id];

		if (n == d->size || x->len == 0 || x->addr == 0 ||
		    !!(x->flags & VRING_DESC_F_WRITE) != want_write ||
		    (x->flags & VRING_DESC_F_INDIRECT))
			return -EPROTO;
		segs[n].p = (uint8_t *)(uintptr_t)x->addr;
		segs[n].len = x->len;
		*total += x->len;
		n++;
		if (!(x->flags & VRING_DESC_F_NEXT))
			return n;
		if (x->next >= d->size)
			return -EPROTO;
		id = x->next;
	}
}

static int pend_add(struct fake_vdev *d, uint16_t id, uint32_t len)
{
	if (d->pend_count == d->size)
		return -EPROTO; /* more in flight than the ring holds */
	d->pend[(uint16_t)(d->pend_first + d->pend_count) & d->mask] =
	    (struct fake_vdev_used){.id = id, .len = len};
	d->pend_count++;
	return 0;
}

int fake_vdev_rx_frame(struct fake_vdev *d, const void *frame, uint32_t len)
{
	struct virtio_net_hdr_mrg_rxbuf h;
	const uint32_t total = d->hdr_size + len;
	struct fv_seg *segs = calloc(d->size, sizeof(*segs));
	uint32_t have = 0;
	uint16_t k = 0;
	int rc = 0;

	if (segs == NULL)
		return -ENOMEM;
	/* First see that enough buffers are there, without taking any. */
	while (have < total) {
		uint16_t head;
		uint32_t cap;

		rc = peek_head(d, k, &head);
		if (rc == 0)
			rc = walk(d, head, true, segs, &cap);
		if (rc < 0)
			goto out;
		have += cap;
		k++;
		if (!d->mrg_rxbuf && have < total) {
			rc = -EMSGSIZE;
			goto out;
		}
	}
	if (d->pend_count + k > d->size) {
		rc = -EPROTO;
		goto out;
	}

	/* §5.1.6.4: a zero header; num_buffers counts the buffers used (1 without MRG_RXBUF). */
	memset(&h, 0, sizeof(h));
	h.num_buffers = (uint16_t)(d->mrg_rxbuf ? k : 1);
	const uint8_t *hb = (const uint8_t *)&h;
	const uint8_t *fb = frame;
	uint32_t done = 0; /* bytes of header + frame written */
	for (uint16_t b = 0; b < k; b++) {
		uint16_t head;
		uint32_t cap, wrote = 0;
		int n;

		/* Checked above; the driver cannot have changed them meanwhile (single thread). */
		if (peek_head(d, b, &head) < 0 || (n = walk(d, head, true, segs, &cap)) < 0) {
			rc = -EPROTO;
			goto out;
		}
		for (int s = 0; s < n && done < total; s++) {
			uint32_t c = segs[s].len < total - done ? segs[s].len : total - done;
			for (uint32_t i = 0; i < c; i++, done++)
				segs[s].p[i] =
				    done < d->hdr_size ? hb[done] : fb[done - d->hdr_size];
			wrote += c;
		}
		pend_add(d, head, wrote);
	}
	d->last_avail = (uint16_t)(d->last_avail + k);
	rc = k;
out:
	free(segs);
	return rc;
}

int fake_vdev_tx_frame(struct fake_vdev *d, void *buf, uint32_t cap)
{
	struct fv_seg *segs = calloc(d->size, sizeof(*segs));
	uint32_t total, done = 0, out = 0;
	uint16_t head;
	int n;

	if (segs == NULL)
		return -ENOMEM;
	n = peek_head(d, 0, &head);
	if (n == 0)
		n = walk(d, head, false, segs, &total);
	if (n < 0)
		goto out;
	if (total < d->hdr_size) {
		n = -EPROTO;
		goto out;
	}
	if (total - d->hdr_size > cap) {
		n = -EMSGSIZE;
		goto out;
	}
	for (int s = 0; s < n; s++) {
		for (uint32_t i = 0; i < segs[s].len; i++, done++) {
			if (done < d->hdr_size) {
				/* We negotiate no offload: the driver must send a zero header. */
				if (segs[s].p[i] != 0) {
					n = -EPROTO;
					goto out;
				}
			} else {
				((uint8_t *)buf)[out++] = segs[s].p[i];
			}
		}
	}
	if (pend_add(d, head, 0) < 0) {
		n = -EPROTO;
		goto out;
	}
	d->last_head = head;
	d->last_ndescs = (uint16_t)n;
	d->last_avail++;
	n = (int)out;
out:
	free(segs);
	return n;
}

uint16_t fake_vdev_pending(const struct fake_vdev *d)
{
	return d->pend_count;
}

void fake_vdev_push_used(struct fake_vdev *d, uint32_t id, uint32_t len)
{
	struct vring_used_elem *e = &d->used->ring[d->used_idx & d->mask];

	e->id = id;
	e->len = len;
	d->used_idx++;
}

int fake_vdev_complete(struct fake_vdev *d, uint16_t n, bool batch)
{
	if (n > d->pend_count)
		return -EINVAL;
	if (n == 0)
		return 0;
	if (batch) {
		/* §2.7.9: one entry naming the last buffer; the index skips the batch. */
		const struct fake_vdev_used *last =
		    &d->pend[(uint16_t)(d->pend_first + n - 1) & d->mask];
		uint16_t slot = d->used_idx;

		fake_vdev_push_used(d, last->id, last->len);
		d->used_idx = (uint16_t)(slot + n);
	} else {
		for (uint16_t i = 0; i < n; i++) {
			const struct fake_vdev_used *u =
			    &d->pend[(uint16_t)(d->pend_first + i) & d->mask];
			fake_vdev_push_used(d, u->id, u->len);
		}
	}
	d->pend_first = (uint16_t)(d->pend_first + n);
	d->pend_count = (uint16_t)(d->pend_count - n);
	return 0;
}

void fake_vdev_publish_idx(struct fake_vdev *d, uint16_t idx)
{
	/* §2.7.8: the entries and buffer contents before the index; pairs with the driver's
	 * acquire. */
	rf_store_release_u16(&d->used->idx, idx);
}

void fake_vdev_publish(struct fake_vdev *d)
{
	fake_vdev_publish_idx(d, d->used_idx);
}

void fake_vdev_set_no_notify(struct fake_vdev *d, bool on)
{
	rf_store_relaxed_u16(&d->used->flags, on ? VRING_USED_F_NO_NOTIFY : 0);
}
