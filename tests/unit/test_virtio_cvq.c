/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the virtio-net control virtqueue (pmd/virtio/virtio_cvq.c,
 * virtio 1.x §5.1.6.5) and the hash report on RX (§5.1.6.4.3):
 *  - the driver side's command chain, read back as a device reads it;
 *  - acks: OK, ERR, none written, a wrong used entry, no answer (timeout),
 *    and that a broken queue refuses commands until a reset;
 *  - the device side virtio-user plays: VQ_PAIRS_SET bounds, unknown
 *    class/command, commands whose feature was not negotiated, malformed chains;
 *  - RSS_CONFIG and HASH_CONFIG wire layout, field by field against the spec's
 *    offsets, and the device side's checks of it;
 *  - RX with the 20-byte header: the device's hash lands in the mbuf.
 *
 * Memory is the EAL heap in --no-huge mode: no hugepages, no root.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_vdev.h"
#include "rf_atomic.h"
#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_mbuf.h"
#include "rf_test_eal.h"
#include "virtio_cvq.h"
#include "virtio_rxtx.h"

#define MAX_PAIRS 4

/* ------------------------------------------------------------ a scripted device */

enum script {
	DEV_EMULATE,	   /* virtio_cvq_dev_process: the device virtio-user plays */
	DEV_ACK,	   /* write `ack` and a correct used entry */
	DEV_NO_ACK,	   /* correct used entry, ack left untouched */
	DEV_BAD_ID,	   /* used entry naming descriptor 5 */
	DEV_TWO,	   /* used index moved by 2 */
	DEV_SILENT,	   /* never answers */
	DEV_NO_WRITE_DESC, /* clear the ack descriptor's WRITE flag, then emulate */
};

struct fx {
	struct virtio_cvq *cvq;
	struct virtio_cvq_dev dev;
	enum script script;
	uint8_t ack;
	/* What the device saw of the last command (DEV_ACK). */
	unsigned ndesc;
	struct vring_desc desc[4];
	uint8_t bytes[2 + VIRTIO_CVQ_DATA_MAX];
	uint32_t nbytes;
	/* What the emulated device's callbacks got. */
	unsigned pairs_calls;
	uint16_t last_pairs;
	int pairs_rc;
	unsigned rss_calls;
	uint8_t rss_cmd;
	struct virtio_rss_config rss;
};

static int ops_pairs(void *arg, uint16_t n)
{
	struct fx *f = arg;

	f->pairs_calls++;
	f->last_pairs = n;
	return f->pairs_rc;
}

static int ops_rss(void *arg, uint8_t cmd, const struct virtio_rss_config *c)
{
	struct fx *f = arg;

	f->rss_calls++;
	f->rss_cmd = cmd;
	f->rss = *c;
	return 0;
}

static const struct virtio_cvq_dev_ops dev_ops = {.vq_pairs_set = ops_pairs, .rss_config = ops_rss};

/* Read the chain at avail slot 0.. as a device would, VA = IOVA (--no-huge, VA mode). */
static void dev_read_chain(struct fx *f)
{
	struct virtio_cvq *q = f->cvq;
	uint16_t slot =
	    (uint16_t)((rf_load_acquire_u16(&q->avail->idx) - 1) & (VIRTIO_CVQ_SIZE - 1));
	uint16_t i = q->avail->ring[slot];

	f->ndesc = 0;
	f->nbytes = 0;
	for (;;) {
		assert_true(f->ndesc < 4);
		f->desc[f->ndesc++] = q->desc[i];
		if (!(q->desc[i].flags & VRING_DESC_F_WRITE)) {
			memcpy(f->bytes + f->nbytes, (void *)(uintptr_t)q->desc[i].addr,
			       q->desc[i].len);
			f->nbytes += q->desc[i].len;
		}
		if (!(q->desc[i].flags & VRING_DESC_F_NEXT))
			break;
		i = q->desc[i].next;
	}
}

static void dev_used(struct fx *f, uint32_t id, uint16_t advance)
{
	struct vring_used *u = f->cvq->used;
	uint16_t idx = u->idx;

	u->ring[idx & (VIRTIO_CVQ_SIZE - 1)] = (struct vring_used_elem){.id = id, .len = 1};
	rf_store_release_u16(&u->idx, (uint16_t)(idx + advance));
}

static int notify(void *arg)
{
	struct fx *f = arg;

	switch (f->script) {
	case DEV_EMULATE:
		virtio_cvq_dev_process(&f->dev);
		break;
	case DEV_NO_WRITE_DESC:
		dev_read_chain(f);
		f->cvq->desc[f->ndesc - 1].flags &= (uint16_t)~VRING_DESC_F_WRITE;
		virtio_cvq_dev_process(&f->dev);
		break;
	case DEV_ACK:
	case DEV_NO_ACK:
		dev_read_chain(f);
		if (f->script == DEV_ACK)
			*(uint8_t *)(uintptr_t)f->desc[f->ndesc - 1].addr = f->ack;
		dev_used(f, 0, 1);
		break;
	case DEV_BAD_ID:
		dev_used(f, 5, 1);
		break;
	case DEV_TWO:
		dev_used(f, 0, 2);
		break;
	case DEV_SILENT:
		break;
	}
	return 0;
}

static const struct virtio_rss_caps caps = {
    .max_key_size = 40,
    .max_reta_len = 128,
    .supported_hash_types = VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4 |
			    VIRTIO_NET_RSS_HASH_TYPE_UDPv4,
};

static void dev_features(struct fx *f, uint64_t features)
{
	virtio_cvq_dev_init(&f->dev, f->cvq, features, MAX_PAIRS, &caps, &dev_ops, f);
}

static int setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	f.cvq = virtio_cvq_create(RF_SOCKET_ID_ANY, notify, &f);
	if (f.cvq == NULL)
		return -1;
	dev_features(&f, 1ull << VIRTIO_NET_F_MQ);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	virtio_cvq_free(f->cvq);
	return 0;
}

/* ------------------------------------------------------------ driver side */

/* §5.1.6.5: header (class, command) readable, data readable, ack writable, one chain. */
static void test_command_chain(void **state)
{
	struct fx *f = *state;

	f->script = DEV_ACK;
	f->ack = VIRTIO_NET_OK;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 0x0302), 0);
	assert_int_equal(f->ndesc, 3);
	assert_int_equal(f->desc[0].len, 2);
	assert_int_equal(f->desc[0].flags, VRING_DESC_F_NEXT);
	assert_int_equal(f->desc[1].len, 2);
	assert_int_equal(f->desc[1].flags, VRING_DESC_F_NEXT);
	assert_int_equal(f->desc[2].len, 1);
	assert_int_equal(f->desc[2].flags, VRING_DESC_F_WRITE);
	/* class MQ (4), VQ_PAIRS_SET (0), le16 0x0302 */
	assert_int_equal(f->nbytes, 4);
	assert_memory_equal(f->bytes, ((uint8_t[]){4, 0, 0x02, 0x03}), 4);
	assert_int_equal(f->cvq->avail->idx, 1);
	assert_int_equal(f->cvq->commands, 1);

	/* A command without data: header and ack only. */
	assert_int_equal(virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_ANNOUNCE,
					 VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
			 0);
	assert_int_equal(f->ndesc, 2);
	assert_int_equal(f->desc[1].flags, VRING_DESC_F_WRITE);
	assert_memory_equal(f->bytes, ((uint8_t[]){3, 0}), 2);
	assert_int_equal(f->cvq->avail->idx, 2);

	uint8_t big[VIRTIO_CVQ_DATA_MAX + 1] = {0};
	assert_int_equal(virtio_cvq_send(f->cvq, 4, 0, big, sizeof(big)), -EINVAL);
	assert_int_equal(virtio_cvq_send(f->cvq, 4, 0, NULL, 2), -EINVAL);
	assert_int_equal(f->cvq->avail->idx, 2); /* nothing posted */
}

static void test_acks(void **state)
{
	struct fx *f = *state;

	f->script = DEV_ACK;
	f->ack = VIRTIO_NET_ERR;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EIO);
	assert_false(f->cvq->broken); /* a refusal is an answer: the queue still works */
	f->ack = VIRTIO_NET_OK;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), 0);
	f->ack = 7; /* neither */
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPROTO);
	assert_true(f->cvq->broken);
	f->ack = VIRTIO_NET_OK;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPIPE);
	virtio_cvq_reset(f->cvq);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), 0);

	/* The device returned the chain without writing the ack. */
	f->script = DEV_NO_ACK;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPROTO);
	assert_true(f->cvq->broken);
}

static void test_bad_used(void **state)
{
	struct fx *f = *state;

	f->script = DEV_BAD_ID;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPROTO);
	assert_true(f->cvq->broken);
	virtio_cvq_reset(f->cvq);
	f->script = DEV_TWO;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPROTO);
	assert_true(f->cvq->broken);
}

/* A device that never answers: the wait is bounded, then the queue is broken. */
static void test_timeout(void **state)
{
	struct fx *f = *state;

	f->script = DEV_SILENT;
	f->cvq->timeout_ms = 20;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -ETIMEDOUT);
	assert_true(f->cvq->broken);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPIPE);
}

/* ------------------------------------------------------------ device side */

/* §5.1.6.5.5: 1..max_virtqueue_pairs, with MQ; anything else is ERR and does nothing. */
static void test_vq_pairs_set_bounds(void **state)
{
	struct fx *f = *state;

	f->script = DEV_EMULATE;
	for (uint16_t n = 1; n <= MAX_PAIRS; n++) {
		assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, n), 0);
		assert_int_equal(f->last_pairs, n);
	}
	assert_int_equal(f->pairs_calls, MAX_PAIRS);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 0), -EIO);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, MAX_PAIRS + 1), -EIO);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 0x8000), -EIO);
	assert_int_equal(f->pairs_calls, MAX_PAIRS);
	/* Wrong data length. */
	uint8_t three[3] = {1, 0, 0};
	assert_int_equal(
	    virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, three, 3),
	    -EIO);
	/* The callback fails (a vhost-user message did): ERR. */
	f->pairs_rc = -EIO;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 2), -EIO);
	f->pairs_rc = 0;
	/* Unknown class and command. */
	uint8_t on = 1;
	assert_int_equal(
	    virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC, &on, 1), -EIO);
	assert_int_equal(virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_MQ, 9, &on, 1), -EIO);
	assert_false(f->cvq->broken);
	assert_int_equal(f->dev.errors, 7);
	assert_int_equal(f->dev.bad_chains, 0);
	/* Without MQ negotiated there is nothing to set. */
	dev_features(f, 0);
	virtio_cvq_reset(f->cvq);
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EIO);
	assert_int_equal(f->pairs_calls, MAX_PAIRS + 1);
}

/* A chain without a writable descriptor: the device cannot ack; the driver sees no ack. */
static void test_device_malformed_chain(void **state)
{
	struct fx *f = *state;

	f->script = DEV_NO_WRITE_DESC;
	assert_int_equal(virtio_cvq_vq_pairs_set(f->cvq, 1), -EPROTO);
	assert_int_equal(f->dev.bad_chains, 1);
	assert_int_equal(f->pairs_calls, 0);
	assert_int_equal(f->cvq->used->ring[0].len, 0);
}

/* ------------------------------------------------------------ RSS */

static void fill_rss(struct virtio_rss_config *c, uint16_t entries)
{
	memset(c, 0, sizeof(*c));
	c->hash_types = VIRTIO_NET_RSS_HASH_TYPE_IPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv4;
	c->reta_len = entries;
	c->unclassified_queue = 1;
	for (uint16_t i = 0; i < entries; i++)
		c->reta[i] = (uint16_t)(i % 3);
	c->max_tx_vq = 3;
	c->key_len = 40;
	for (unsigned i = 0; i < 40; i++)
		c->key[i] = (uint8_t)(0xa0 + i);
}

static uint16_t le16_at(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* §5.1.6.5.7.1, field by field; the head against the UAPI struct's offsets. */
static void test_rss_config_layout(void **state)
{
	struct virtio_rss_config c;
	uint8_t out[VIRTIO_CVQ_DATA_MAX];
	(void)state;

	fill_rss(&c, 4);
	size_t len = virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c, out, sizeof(out));
	/* 4 hash_types + 2 mask + 2 unclassified + 4 * 2 table + 2 max_tx_vq + 1 + 40 key */
	assert_int_equal(len, 4 + 2 + 2 + 8 + 2 + 1 + 40);
	assert_int_equal(offsetof(struct virtio_net_rss_config, hash_types), 0);
	assert_int_equal(offsetof(struct virtio_net_rss_config, indirection_table_mask), 4);
	assert_int_equal(offsetof(struct virtio_net_rss_config, unclassified_queue), 6);
	assert_int_equal(offsetof(struct virtio_net_rss_config, indirection_table), 8);
	assert_memory_equal(out, ((uint8_t[]){0x03, 0, 0, 0}), 4); /* IPv4 | TCPv4, le32 */
	assert_int_equal(le16_at(out + 4), 3);			   /* mask = entries - 1 */
	assert_int_equal(le16_at(out + 6), 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(le16_at(out + 8 + 2 * i), i % 3);
	assert_int_equal(le16_at(out + 16), 3); /* max_tx_vq */
	assert_int_equal(out[18], 40);		/* hash_key_length */
	assert_memory_equal(out + 19, c.key, 40);

	/* Not a power of two, too big, no room: nothing. */
	c.reta_len = 3;
	assert_int_equal(virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c, out, 512), 0);
	c.reta_len = 1024;
	assert_int_equal(virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c, out, 4096), 0);
	c.reta_len = 4;
	assert_int_equal(virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c, out, 20), 0);

	/* HASH_CONFIG: hash_types, reserved[4] zero, key length at 12, key at 13 (§5.1.6.5.6.4). */
	memset(out, 0xee, sizeof(out));
	len = virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_HASH_CONFIG, &c, out, sizeof(out));
	assert_int_equal(len, 13 + 40);
	assert_int_equal(offsetof(struct virtio_net_hash_config, hash_key_length), 12);
	assert_memory_equal(out, ((uint8_t[]){0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40}), 13);
	assert_memory_equal(out + 13, c.key, 40);
	assert_int_equal(virtio_rss_config_encode(9, &c, out, sizeof(out)), 0);
}

static void test_rss_config_device(void **state)
{
	struct fx *f = *state;
	struct virtio_rss_config c;

	f->script = DEV_EMULATE;
	fill_rss(&c, 128);
	/* Not negotiated: ERR, the callback never runs. */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c), -EIO);
	assert_int_equal(f->rss_calls, 0);

	dev_features(f, 1ull << VIRTIO_NET_F_MQ | 1ull << VIRTIO_NET_F_RSS);
	virtio_cvq_reset(f->cvq);
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c), 0);
	assert_int_equal(f->rss_calls, 1);
	assert_int_equal(f->rss_cmd, VIRTIO_NET_CTRL_MQ_RSS_CONFIG);
	assert_int_equal(f->rss.hash_types, c.hash_types);
	assert_int_equal(f->rss.reta_len, 128);
	assert_memory_equal(f->rss.reta, c.reta, 2 * 128);
	assert_int_equal(f->rss.unclassified_queue, 1);
	assert_int_equal(f->rss.max_tx_vq, 3);
	assert_int_equal(f->rss.key_len, 40);
	assert_memory_equal(f->rss.key, c.key, 40);

	/* Each violation of the device's limits (§5.1.6.5.7.1 driver requirements). */
	struct virtio_rss_config bad = c;
	bad.hash_types |= VIRTIO_NET_RSS_HASH_TYPE_IPv6; /* not supported */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	fill_rss(&bad, 256); /* over rss_max_indirection_table_length */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	bad = c;
	bad.reta[77] = MAX_PAIRS; /* a queue that does not exist */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	bad = c;
	bad.unclassified_queue = MAX_PAIRS;
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	bad = c;
	bad.max_tx_vq = 0;
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	bad = c;
	bad.key_len = 41; /* over rss_max_key_size */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &bad), -EIO);
	/* A length that disagrees with the key length inside. */
	uint8_t wire[VIRTIO_CVQ_DATA_MAX];
	size_t len =
	    virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c, wire, sizeof(wire));
	assert_int_equal(virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG,
					 wire, (uint32_t)len - 1),
			 -EIO);
	assert_int_equal(f->rss_calls, 1);

	/* HASH_CONFIG needs HASH_REPORT. */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_HASH_CONFIG, &c), -EIO);
	dev_features(f, 1ull << VIRTIO_NET_F_MQ | 1ull << VIRTIO_NET_F_HASH_REPORT);
	virtio_cvq_reset(f->cvq);
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_HASH_CONFIG, &c), 0);
	assert_int_equal(f->rss_calls, 2);
	assert_int_equal(f->rss_cmd, VIRTIO_NET_CTRL_MQ_HASH_CONFIG);
	assert_int_equal(f->rss.hash_types, c.hash_types);
	assert_int_equal(f->rss.reta_len, 0);
	assert_memory_equal(f->rss.key, c.key, 40);
	/* reserved MUST be zero */
	len = virtio_rss_config_encode(VIRTIO_NET_CTRL_MQ_HASH_CONFIG, &c, wire, sizeof(wire));
	wire[6] = 1;
	assert_int_equal(virtio_cvq_send(f->cvq, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_HASH_CONFIG,
					 wire, (uint32_t)len),
			 -EIO);
	/* RSS_CONFIG is not negotiated now. */
	assert_int_equal(virtio_cvq_rss_config(f->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c), -EIO);
	assert_int_equal(f->rss_calls, 2);
}

static void test_hash_types(void **state)
{
	(void)state;
	assert_int_equal(virtio_rss_hf_to_hash_types(RF_ETH_RSS_IPV4),
			 VIRTIO_NET_RSS_HASH_TYPE_IPv4);
	assert_int_equal(virtio_rss_hf_to_hash_types(RF_ETH_RSS_TCP),
			 VIRTIO_NET_RSS_HASH_TYPE_TCPv4 | VIRTIO_NET_RSS_HASH_TYPE_TCPv6);
	assert_int_equal(virtio_rss_hf_to_hash_types(RF_ETH_RSS_UDP | RF_ETH_RSS_IPV6),
			 VIRTIO_NET_RSS_HASH_TYPE_UDPv4 | VIRTIO_NET_RSS_HASH_TYPE_UDPv6 |
			     VIRTIO_NET_RSS_HASH_TYPE_IPv6);
	assert_int_equal(virtio_rss_hf_to_hash_types(0), 0);
	assert_int_equal(virtio_rss_hash_types_to_hf(caps.supported_hash_types),
			 RF_ETH_RSS_IPV4 | RF_ETH_RSS_TCP | RF_ETH_RSS_UDP);
	assert_int_equal(virtio_rss_hash_types_to_hf(VIRTIO_NET_RSS_HASH_TYPE_TCPv6),
			 RF_ETH_RSS_TCP);
	assert_int_equal(virtio_rss_hash_types_to_hf(VIRTIO_NET_RSS_HASH_TYPE_IP_EX), 0);
}

/* ------------------------------------------------------------ hash report on RX */

#define HASH_HDR ((uint16_t)sizeof(struct virtio_net_hdr_v1_hash))
#define BASE_HDR ((uint16_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))

/*
 * The fake device writes a 12-byte header; the 8 bytes that make it the
 * 20-byte one (hash_value, hash_report, padding) go first in what it is
 * given as the frame, so the driver sees a device that reports hashes.
 */
static void rx_hashed(struct fake_vdev *dev, uint32_t hash, uint16_t report, uint32_t seed,
		      uint32_t len)
{
	uint8_t buf[2048];
	uint32_t h = htole32(hash);
	uint16_t r = htole16(report);

	memset(buf, 0x5a, 8);
	memcpy(buf, &h, 4);
	memcpy(buf + 4, &r, 2);
	for (uint32_t i = 0; i < len; i++)
		buf[8 + i] = (uint8_t)(seed + i);
	assert_int_equal(fake_vdev_rx_frame(dev, buf, 8 + len), 1);
	assert_int_equal(fake_vdev_complete(dev, 1, false), 0);
}

static void hash_report_rx(bool mrg)
{
	struct rf_mempool *mp = rf_pktmbuf_pool_create("cvq_hash", 512, 0, 0,
						       RF_MBUF_DEFAULT_BUF_SIZE, RF_SOCKET_ID_ANY);
	struct virtnet_cfg cfg = {
	    .port_id = 2, .queue_id = 1, .hdr_size = HASH_HDR, .mrg_rxbuf = mrg, .in_order = false};
	struct virtnet_ring_info ri;
	struct fake_vdev dev;
	struct rf_mbuf *pkts[4];

	assert_non_null(mp);
	struct virtnet_rx *rxq = virtnet_rxq_create(&cfg, 64, RF_SOCKET_ID_ANY, mp);
	assert_non_null(rxq);
	assert_int_equal(virtnet_rxq_fill(rxq), 0);
	virtnet_rxq_ring_info(rxq, &ri);
	assert_int_equal(fake_vdev_init(&dev, &ri, BASE_HDR, mrg), 0);

	rx_hashed(&dev, 0xdeadbeef, VIRTIO_NET_HASH_REPORT_TCPv4, 1, 100);
	rx_hashed(&dev, 0x12345678, VIRTIO_NET_HASH_REPORT_NONE, 2, 60);
	fake_vdev_publish(&dev);
	assert_int_equal(virtnet_recv_pkts(rxq, pkts, 4), 2);

	assert_int_equal(pkts[0]->pkt_len, 100);
	assert_int_equal(pkts[0]->data_len, 100);
	assert_true(pkts[0]->ol_flags & RF_MBUF_F_RX_RSS_HASH);
	assert_int_equal(pkts[0]->hash.rss, 0xdeadbeef);
	const uint8_t *p = rf_pktmbuf_mtod(pkts[0], const uint8_t *);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(p[i], (uint8_t)(1 + i));
	/* NONE: the device computed no hash; the mbuf says nothing. */
	assert_int_equal(pkts[1]->pkt_len, 60);
	assert_false(pkts[1]->ol_flags & RF_MBUF_F_RX_RSS_HASH);
	assert_int_equal(rf_pktmbuf_mtod(pkts[1], const uint8_t *)[0], 2);
	rf_pktmbuf_free_bulk(pkts, 2);
	assert_false(virtnet_rxq_broken(rxq));

	fake_vdev_fini(&dev);
	virtnet_rxq_free(rxq);
	assert_int_equal(rf_mempool_in_use_count(mp), 0);
	rf_mempool_free(mp);
}

static void test_hash_report_rx(void **state)
{
	(void)state;
	hash_report_rx(false);
	hash_report_rx(true);
}

/* The usual 12-byte header leaves the hash alone. */
static void test_no_hash_report_rx(void **state)
{
	struct rf_mempool *mp = rf_pktmbuf_pool_create("cvq_nohash", 256, 0, 0,
						       RF_MBUF_DEFAULT_BUF_SIZE, RF_SOCKET_ID_ANY);
	struct virtnet_cfg cfg = {.port_id = 2, .queue_id = 0, .hdr_size = BASE_HDR};
	struct virtnet_ring_info ri;
	struct fake_vdev dev;
	struct rf_mbuf *m;
	uint8_t frame[64];
	(void)state;

	assert_non_null(mp);
	struct virtnet_rx *rxq = virtnet_rxq_create(&cfg, 64, RF_SOCKET_ID_ANY, mp);
	assert_non_null(rxq);
	assert_int_equal(virtnet_rxq_fill(rxq), 0);
	virtnet_rxq_ring_info(rxq, &ri);
	assert_int_equal(fake_vdev_init(&dev, &ri, BASE_HDR, false), 0);
	memset(frame, 0x11, sizeof(frame)); /* would read as hash_report 0x1111 if misparsed */
	assert_int_equal(fake_vdev_rx_frame(&dev, frame, sizeof(frame)), 1);
	assert_int_equal(fake_vdev_complete(&dev, 1, false), 0);
	fake_vdev_publish(&dev);
	assert_int_equal(virtnet_recv_pkts(rxq, &m, 1), 1);
	assert_int_equal(m->pkt_len, 64);
	assert_false(m->ol_flags & RF_MBUF_F_RX_RSS_HASH);
	rf_pktmbuf_free(m);
	fake_vdev_fini(&dev);
	virtnet_rxq_free(rxq);
	rf_mempool_free(mp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_command_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_used, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vq_pairs_set_bounds, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_device_malformed_chain, setup, teardown),
	    cmocka_unit_test(test_rss_config_layout),
	    cmocka_unit_test_setup_teardown(test_rss_config_device, setup, teardown),
	    cmocka_unit_test(test_hash_types),
	    cmocka_unit_test(test_hash_report_rx),
	    cmocka_unit_test(test_no_hash_report_rx),
	};
	return cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown);
}
