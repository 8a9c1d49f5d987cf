/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-net control virtqueue (virtio 1.x §5.1.6.5): the driver side,
 * which any transport uses, and the device side that virtio-user plays
 * itself because vhost-user has no control-queue message. See virtio_cvq.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rf_atomic.h"
#include "rf_common.h"
#include "rf_ethdev.h"
#include "rf_log.h"
#include "rf_memseg.h"
#include "rf_time.h"
#include "virtio_cvq.h"

/*
 * One rf_zmalloc block: desc (16 B each) at 0, avail after it, used on the
 * next page (§2.7: alignments 16, 2 and 4), then the command buffer: the
 * class/command header, the ack byte on its own, the command data.
 */
#define CVQ_USED_OFF  4096u
#define CVQ_BUF_OFF   8192u
#define CVQ_HDR_OFF   0u
#define CVQ_ACK_OFF   8u
#define CVQ_DATA_OFF  64u
#define CVQ_BUF_LEN   (CVQ_DATA_OFF + VIRTIO_CVQ_DATA_MAX)
#define CVQ_MEM_LEN   rf_align_ceil(CVQ_BUF_OFF + CVQ_BUF_LEN, 4096u)
#define CVQ_ACK_UNSET 0xff /* neither OK nor ERR: the device did not write the ack */

_Static_assert(sizeof(struct vring_desc) * VIRTIO_CVQ_SIZE + sizeof(struct vring_avail) +
		       sizeof(uint16_t) * (VIRTIO_CVQ_SIZE + 1) <=
		   CVQ_USED_OFF,
	       "desc and avail fit before the used ring");
_Static_assert(CVQ_USED_OFF + sizeof(struct vring_used) +
		       sizeof(struct vring_used_elem) * VIRTIO_CVQ_SIZE + sizeof(uint16_t) <=
		   CVQ_BUF_OFF,
	       "used ring fits before the command buffer");
_Static_assert(sizeof(struct virtio_net_ctrl_hdr) == 2, "class + command (§5.1.6.5)");
_Static_assert((VIRTIO_CVQ_SIZE & (VIRTIO_CVQ_SIZE - 1)) == 0, "ring size is a power of two");

/* struct virtio_net_rss_config without its two variable arrays (§5.1.6.5.7.1). */
#define RSS_FIXED_HEAD 8u /* hash_types, indirection_table_mask, unclassified_queue */
#define RSS_FIXED_TAIL 3u /* max_tx_vq, hash_key_length */
_Static_assert(offsetof(struct virtio_net_rss_config, indirection_table_mask) == 4, "mask at 4");
_Static_assert(offsetof(struct virtio_net_rss_config, unclassified_queue) == 6, "unclass. at 6");
_Static_assert(offsetof(struct virtio_net_rss_config, indirection_table) == RSS_FIXED_HEAD,
	       "table at 8");
_Static_assert(offsetof(struct virtio_net_hash_config, hash_key_length) == 12,
	       "hash_config matches rss_config's head (§5.1.6.5.6.4)");
_Static_assert(offsetof(struct virtio_net_hdr_v1_hash, hash_value) == 12 &&
		   offsetof(struct virtio_net_hdr_v1_hash, hash_report) == 16 &&
		   sizeof(struct virtio_net_hdr_v1_hash) == 20,
	       "hash report header (§5.1.6)");

/* ---------------------------------------------------------------- driver side */

struct virtio_cvq *virtio_cvq_create(int socket, virtio_cvq_notify_t notify, void *arg)
{
	uint8_t *mem = rf_zmalloc("virtio_cvq", CVQ_MEM_LEN, 4096, socket);

	if (mem == NULL)
		return NULL;
	struct virtio_cvq *cvq = calloc(1, sizeof(*cvq));
	if (cvq == NULL) {
		rf_free(mem);
		errno = ENOMEM;
		return NULL;
	}
	cvq->mem = mem;
	cvq->desc = (struct vring_desc *)mem;
	cvq->avail = (struct vring_avail *)(mem + sizeof(struct vring_desc) * VIRTIO_CVQ_SIZE);
	cvq->used = (struct vring_used *)(mem + CVQ_USED_OFF);
	cvq->buf = mem + CVQ_BUF_OFF;
	cvq->buf_iova = rf_mem_virt2iova(cvq->buf);
	if (cvq->buf_iova == RF_BAD_IOVA) {
		virtio_cvq_free(cvq);
		errno = EFAULT;
		return NULL;
	}
	cvq->timeout_ms = VIRTIO_CVQ_TIMEOUT_MS;
	cvq->notify = notify;
	cvq->notify_arg = arg;
	virtio_cvq_reset(cvq);
	return cvq;
}

void virtio_cvq_free(struct virtio_cvq *cvq)
{
	if (cvq == NULL)
		return;
	rf_free(cvq->mem);
	free(cvq);
}

void virtio_cvq_reset(struct virtio_cvq *cvq)
{
	memset(cvq->mem, 0, CVQ_BUF_OFF);
	/* Polled: no used-buffer notification wanted (§2.7.7). */
	cvq->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	cvq->avail_idx = 0;
	cvq->last_used_idx = 0;
	cvq->broken = false;
}

void virtio_cvq_ring_info(const struct virtio_cvq *cvq, struct virtnet_ring_info *info)
{
	info->size = VIRTIO_CVQ_SIZE;
	info->desc = cvq->desc;
	info->avail = cvq->avail;
	info->used = cvq->used;
}

static int cvq_broke(struct virtio_cvq *cvq, int rc, const char *why, unsigned a, unsigned b)
{
	cvq->broken = true;
	cvq->errors++;
	RF_LOG(ERR, VIRTIO, "control queue: %s (%u, %u); no more commands until a reset", why, a,
	       b);
	return rc;
}

/* Wait for the device to return the chain; bounded, the device may never answer. */
static int cvq_wait_used(struct virtio_cvq *cvq, uint16_t *used_idx)
{
	const uint64_t deadline = rf_time_mono_ns() + (uint64_t)cvq->timeout_ms * 1000000u;
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = 20000};

	for (;;) {
		/*
		 * A1: acquire. Pairs with the device's release store of used->idx
		 * (§2.7.8): the used entry and the ack it wrote are visible below.
		 */
		*used_idx = rf_load_acquire_u16(&cvq->used->idx);
		if (*used_idx != cvq->last_used_idx)
			return 0;
		if (rf_time_mono_ns() > deadline)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

int virtio_cvq_send(struct virtio_cvq *cvq, uint8_t cls, uint8_t cmd, const void *data,
		    uint32_t len)
{
	if (cvq->broken)
		return -EPIPE;
	if (len > VIRTIO_CVQ_DATA_MAX || (len > 0 && data == NULL))
		return -EINVAL;
	uint8_t *b = cvq->buf;
	const uint64_t iova = cvq->buf_iova;

	b[CVQ_HDR_OFF] = cls;
	b[CVQ_HDR_OFF + 1] = cmd;
	b[CVQ_ACK_OFF] = CVQ_ACK_UNSET;
	if (len > 0)
		memcpy(b + CVQ_DATA_OFF, data, len);
	/* One command at a time: the chain is always descriptors 0, 1 (if data), then the ack. */
	uint16_t n = 0;
	cvq->desc[n] = (struct vring_desc){.addr = iova + CVQ_HDR_OFF,
					   .len = sizeof(struct virtio_net_ctrl_hdr),
					   .flags = VRING_DESC_F_NEXT,
					   .next = 1};
	n++;
	if (len > 0) {
		cvq->desc[n] = (struct vring_desc){.addr = iova + CVQ_DATA_OFF,
						   .len = len,
						   .flags = VRING_DESC_F_NEXT,
						   .next = (uint16_t)(n + 1)};
		n++;
	}
	cvq->desc[n] = (struct vring_desc){
	    .addr = iova + CVQ_ACK_OFF, .len = 1, .flags = VRING_DESC_F_WRITE, .next = 0};
	cvq->avail->ring[cvq->avail_idx & (VIRTIO_CVQ_SIZE - 1)] = 0;
	cvq->avail_idx++;
	/*
	 * R1: release. The descriptors, the buffer and the avail entry must be
	 * visible before the new index (§2.7.13). Pairs with the device's
	 * acquire load of avail->idx (virtio_cvq_dev_process: A2).
	 */
	rf_store_release_u16(&cvq->avail->idx, cvq->avail_idx);
	cvq->commands++;
	int rc = cvq->notify != NULL ? cvq->notify(cvq->notify_arg) : 0;
	if (rc < 0)
		return cvq_broke(cvq, rc, "notify failed", cls, cmd);

	uint16_t used_idx;
	if (cvq_wait_used(cvq, &used_idx) < 0)
		return cvq_broke(cvq, -ETIMEDOUT, "no answer in time to class/command", cls, cmd);
	if ((uint16_t)(used_idx - cvq->last_used_idx) != 1)
		return cvq_broke(cvq, -EPROTO, "used index moved by more than 1 command",
				 cvq->last_used_idx, used_idx);
	struct vring_used_elem e = cvq->used->ring[cvq->last_used_idx & (VIRTIO_CVQ_SIZE - 1)];
	cvq->last_used_idx++;
	if (e.id != 0)
		return cvq_broke(cvq, -EPROTO, "used entry names a chain not posted", e.id, 0);
	uint8_t ack = b[CVQ_ACK_OFF];
	if (ack == VIRTIO_NET_OK)
		return 0;
	if (ack == VIRTIO_NET_ERR) {
		cvq->errors++;
		return -EIO;
	}
	return cvq_broke(cvq, -EPROTO, "ack is neither OK nor ERR", ack, cmd);
}

int virtio_cvq_vq_pairs_set(struct virtio_cvq *cvq, uint16_t pairs)
{
	struct virtio_net_ctrl_mq mq = {.virtqueue_pairs = htole16(pairs)};

	return virtio_cvq_send(cvq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &mq,
			       sizeof(mq));
}

static void put_le16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put_le32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static uint16_t get_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint32_t get_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

size_t virtio_rss_config_encode(uint8_t cmd, const struct virtio_rss_config *c, uint8_t *out,
				size_t cap)
{
	bool rss = cmd == VIRTIO_NET_CTRL_MQ_RSS_CONFIG;
	size_t entries = rss ? c->reta_len : 0;

	if (rss && (entries == 0 || entries > VIRTIO_RSS_RETA_MAX || !rf_is_pow2(entries)))
		return 0;
	if (!rss && cmd != VIRTIO_NET_CTRL_MQ_HASH_CONFIG)
		return 0;
	/* HASH_CONFIG has reserved[4] where RSS_CONFIG has mask, queue, one entry, max_tx_vq. */
	size_t len = rss ? RSS_FIXED_HEAD + 2 * entries + RSS_FIXED_TAIL + c->key_len
			 : offsetof(struct virtio_net_hash_config, hash_key_data) + c->key_len;
	if (len > cap)
		return 0;
	memset(out, 0, len);
	put_le32(out, c->hash_types);
	if (!rss) {
		out[offsetof(struct virtio_net_hash_config, hash_key_length)] = c->key_len;
		memcpy(out + offsetof(struct virtio_net_hash_config, hash_key_data), c->key,
		       c->key_len);
		return len;
	}
	put_le16(out + 4, (uint16_t)(entries - 1));
	put_le16(out + 6, c->unclassified_queue);
	for (size_t i = 0; i < entries; i++)
		put_le16(out + RSS_FIXED_HEAD + 2 * i, c->reta[i]);
	uint8_t *tail = out + RSS_FIXED_HEAD + 2 * entries;
	put_le16(tail, c->max_tx_vq);
	tail[2] = c->key_len;
	memcpy(tail + RSS_FIXED_TAIL, c->key, c->key_len);
	return len;
}

int virtio_cvq_rss_config(struct virtio_cvq *cvq, uint8_t cmd, const struct virtio_rss_config *c)
{
	uint8_t wire[VIRTIO_CVQ_DATA_MAX];
	size_t len = virtio_rss_config_encode(cmd, c, wire, sizeof(wire));

	if (len == 0)
		return -EINVAL;
	return virtio_cvq_send(cvq, VIRTIO_NET_CTRL_MQ, cmd, wire, (uint32_t)len);
}

uint32_t virtio_rss_hf_to_hash_types(uint64_t rss_hf)
{
	uint32_t t = 0;

	if (rss_hf & RF_ETH_RSS_IPV4)
		t |= VIRTIO_NET_RSS_HASH_TYPE_IPv4;
	if (rss_hf & RF_ETH_RSS_IPV6)
		t |= VIRTIO_NET_RSS_HASH_TYPE_IPv6;
	if (rss_hf & RF_ETH_RSS_TCP)
		t |= VIRTIO_NET_RSS_HASH_TYPE_TCPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv6;
	if (rss_hf & RF_ETH_RSS_UDP)
		t |= VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6;
	return t;
}

uint64_t virtio_rss_hash_types_to_hf(uint32_t t)
{
	uint64_t hf = 0;

	if (t & VIRTIO_NET_RSS_HASH_TYPE_IPv4)
		hf |= RF_ETH_RSS_IPV4;
	if (t & VIRTIO_NET_RSS_HASH_TYPE_IPv6)
		hf |= RF_ETH_RSS_IPV6;
	if (t & (VIRTIO_NET_RSS_HASH_TYPE_TCPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv6))
		hf |= RF_ETH_RSS_TCP;
	if (t & (VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6))
		hf |= RF_ETH_RSS_UDP;
	return hf;
}

/* ---------------------------------------------------------------- device side */

void virtio_cvq_dev_init(struct virtio_cvq_dev *dev, const struct virtio_cvq *cvq,
			 uint64_t features, uint16_t max_pairs, const struct virtio_rss_caps *caps,
			 const struct virtio_cvq_dev_ops *ops, void *arg)
{
	*dev = (struct virtio_cvq_dev){
	    .desc = cvq->desc,
	    .avail = cvq->avail,
	    .used = cvq->used,
	    .lo = cvq->buf,
	    .iova = cvq->buf_iova,
	    .len = CVQ_BUF_LEN,
	    .mask = VIRTIO_CVQ_SIZE - 1,
	    .features = features,
	    .max_pairs = max_pairs,
	    .ops = ops,
	    .arg = arg,
	};
	if (caps != NULL)
		dev->caps = *caps;
}

static bool has(const struct virtio_cvq_dev *dev, unsigned bit)
{
	return (dev->features >> bit) & 1;
}

/* §5.1.6.5.7.1 and §5.1.6.5.6.4: decode and check against what the device can do. */
static int rss_decode(const struct virtio_cvq_dev *dev, uint8_t cmd, const uint8_t *p, uint32_t len,
		      struct virtio_rss_config *c)
{
	const size_t hash_head = offsetof(struct virtio_net_hash_config, hash_key_data);
	const uint8_t *tail;

	memset(c, 0, sizeof(*c));
	if (len < hash_head)
		return -EINVAL;
	c->hash_types = get_le32(p);
	if (c->hash_types & ~dev->caps.supported_hash_types)
		return -EINVAL;
	if (cmd == VIRTIO_NET_CTRL_MQ_HASH_CONFIG) {
		for (size_t i = 4; i < hash_head - 1; i++)
			if (p[i] != 0) /* reserved: MUST be zero */
				return -EINVAL;
		tail = p + hash_head - 1;
	} else {
		uint32_t entries = (uint32_t)get_le16(p + 4) + 1;
		if (!rf_is_pow2(entries) || entries > dev->caps.max_reta_len ||
		    entries > VIRTIO_RSS_RETA_MAX)
			return -EINVAL;
		if (len < RSS_FIXED_HEAD + 2 * entries + RSS_FIXED_TAIL)
			return -EINVAL;
		c->reta_len = (uint16_t)entries;
		c->unclassified_queue = get_le16(p + 6);
		if (c->unclassified_queue >= dev->max_pairs)
			return -EINVAL;
		for (uint32_t i = 0; i < entries; i++) {
			c->reta[i] = get_le16(p + RSS_FIXED_HEAD + 2 * i);
			if (c->reta[i] >= dev->max_pairs)
				return -EINVAL;
		}
		tail = p + RSS_FIXED_HEAD + 2 * entries;
		c->max_tx_vq = get_le16(tail);
		if (c->max_tx_vq == 0 || c->max_tx_vq > dev->max_pairs)
			return -EINVAL;
		tail += 2;
	}
	c->key_len = tail[0];
	if (c->key_len > dev->caps.max_key_size || (size_t)(tail + 1 - p) + c->key_len != len)
		return -EINVAL;
	memcpy(c->key, tail + 1, c->key_len);
	return 0;
}

uint8_t virtio_cvq_dev_exec(struct virtio_cvq_dev *dev, uint8_t cls, uint8_t cmd,
			    const uint8_t *data, uint32_t len)
{
	struct virtio_rss_config rss;
	int rc = -EINVAL;

	dev->commands++;
	if (cls != VIRTIO_NET_CTRL_MQ)
		goto out;
	switch (cmd) {
	case VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET: {
		/* §5.1.6.5.5: 1..max_virtqueue_pairs, and only with MQ. */
		if (!has(dev, VIRTIO_NET_F_MQ) || len != sizeof(struct virtio_net_ctrl_mq))
			break;
		uint16_t pairs = get_le16(data);
		if (pairs < VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN || pairs > dev->max_pairs)
			break;
		rc = dev->ops->vq_pairs_set != NULL ? dev->ops->vq_pairs_set(dev->arg, pairs)
						    : -ENOTSUP;
		break;
	}
	case VIRTIO_NET_CTRL_MQ_RSS_CONFIG:
	case VIRTIO_NET_CTRL_MQ_HASH_CONFIG: {
		unsigned need = cmd == VIRTIO_NET_CTRL_MQ_RSS_CONFIG ? VIRTIO_NET_F_RSS
								     : VIRTIO_NET_F_HASH_REPORT;
		if (!has(dev, need) || rss_decode(dev, cmd, data, len, &rss) < 0)
			break;
		rc = dev->ops->rss_config != NULL ? dev->ops->rss_config(dev->arg, cmd, &rss)
						  : -ENOTSUP;
		break;
	}
	default:
		break;
	}
out:
	if (rc < 0)
		dev->errors++;
	return rc == 0 ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
}

/* A buffer the driver named, if it lies in the memory this device may touch. */
static uint8_t *dev_buf(const struct virtio_cvq_dev *dev, uint64_t addr, uint32_t len)
{
	if (addr < dev->iova || len > dev->len || addr - dev->iova > dev->len - len)
		return NULL;
	return dev->lo + (addr - dev->iova);
}

/*
 * Walk one chain: the readable part (header, then data) is gathered into
 * cmd[], the first writable descriptor is the ack. -EPROTO if malformed.
 */
static int dev_walk(const struct virtio_cvq_dev *dev, uint16_t head, uint8_t *cmd,
		    uint32_t *cmd_len, uint8_t **ack)
{
	uint16_t i = head;

	*cmd_len = 0;
	*ack = NULL;
	for (unsigned n = 0; n <= dev->mask; n++) {
		struct vring_desc d = dev->desc[i]; /* read once */
		uint8_t *p = dev_buf(dev, d.addr, d.len);

		if (p == NULL)
			return -EPROTO;
		if (d.flags & VRING_DESC_F_WRITE) {
			if (d.len < 1)
				return -EPROTO;
			*ack = p;
			return 0; /* nothing after the ack is read */
		}
		if (d.len > 2 + VIRTIO_CVQ_DATA_MAX - *cmd_len)
			return -EPROTO;
		memcpy(cmd + *cmd_len, p, d.len);
		*cmd_len += d.len;
		if (!(d.flags & VRING_DESC_F_NEXT) || d.next > dev->mask)
			return -EPROTO; /* no ack descriptor, or a link out of the ring */
		i = d.next;
	}
	return -EPROTO; /* a loop */
}

unsigned virtio_cvq_dev_process(struct virtio_cvq_dev *dev)
{
	uint8_t cmd[2 + VIRTIO_CVQ_DATA_MAX];
	unsigned done = 0;
	/* A2: acquire. Pairs with the driver's R1: the chain it posted is visible. */
	uint16_t avail_idx = rf_load_acquire_u16(&dev->avail->idx);

	if ((uint16_t)(avail_idx - dev->last_avail) > dev->mask + 1u) {
		dev->bad_chains++;
		return 0;
	}
	while (dev->last_avail != avail_idx) {
		uint16_t head = dev->avail->ring[dev->last_avail & dev->mask];
		uint32_t cmd_len, written = 0;
		uint8_t *ack;

		dev->last_avail++;
		if (head > dev->mask) {
			dev->bad_chains++;
			continue;
		}
		if (dev_walk(dev, head, cmd, &cmd_len, &ack) < 0 ||
		    cmd_len < sizeof(struct virtio_net_ctrl_hdr)) {
			dev->bad_chains++;
			if (ack != NULL) {
				*ack = VIRTIO_NET_ERR;
				written = 1;
			}
		} else {
			*ack = virtio_cvq_dev_exec(dev, cmd[0], cmd[1], cmd + 2, cmd_len - 2);
			written = 1;
		}
		dev->used->ring[dev->used_idx & dev->mask] =
		    (struct vring_used_elem){.id = head, .len = written};
		dev->used_idx++;
		done++;
	}
	/*
	 * R2: release. The acks and used entries must be visible before the
	 * index (§2.7.8). Pairs with the driver's A1 in cvq_wait_used.
	 */
	if (done > 0)
		rf_store_release_u16(&dev->used->idx, dev->used_idx);
	return done;
}
