/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the virtio-net RX and TX burst functions
 * (pmd/virtio/virtio_rxtx.c) against a split ring (virtio 1.x §2.7) whose
 * device-written parts come from the input.
 *
 * The input is a script. Its first byte picks the queue configuration
 * (mergeable buffers, in-order, ring sizes, header size, kicks); every
 * following operation is one byte of opcode and its arguments. The device
 * (tests/unit/fake_vdev.c) either behaves, consuming and returning buffers as
 * the spec says, or writes raw used entries (any id, any len), moves used->idx
 * anywhere (back, by huge jumps), or scribbles the virtio-net header of a
 * posted buffer. Between those the driver polls rx_burst/tx_burst with burst
 * sizes from the input, and the target holds or frees what it was handed.
 *
 * What must hold for any input (a broken rule aborts):
 *  - no crash, no sanitizer report, no leak (ASan, UBSan, LSan);
 *  - every mbuf is accounted for after each operation: the pool's in-use
 *    count equals the buffers posted in the RX ring + the mbufs of TX packets
 *    in flight + the packets this target holds; after the queues are released
 *    every mbuf is back in the pool, exactly once;
 *  - the ring's own bookkeeping adds up (free + posted = size);
 *  - packets handed up are well-formed chains inside their buffers;
 *  - a device that kept to the protocol never gets its queue marked broken,
 *    and the driver never posts something the honest device finds malformed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fuzz_script.h"
#include "fake_vdev.h"
#include "rf_eal.h"
#include "rf_log.h"
#include "rf_mbuf.h"
#include "virtqueue.h"

#define POOL_SIZE    640
#define MAX_OPS	     4096
#define MAX_HELD     1024
#define MAX_BURST    64
#define PORT	     7
#define TX_FRAME_CAP (256u * 1024u)

static struct rf_mempool *mp;
static int kick_efd = -1;
/* FUZZ_VERBOSE=1: print what the driver counted, to see what a seed exercises. */
static bool verbose;
static uint8_t frame[TX_FRAME_CAP];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_argv[] = {"fuzz_used_ring", "--no-huge", "-l", "0", "-m", "64",
			    "--log-level",    "err"};

	(void)argc;
	(void)argv;
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "fuzz_used_ring: rf_eal_init failed\n");
		abort();
	}
	/* Device faults are logged at ERR; each input makes some, so keep stderr quiet. */
	rf_log_set_level(RF_LOG_CRIT);
	mp = rf_pktmbuf_pool_create("fuzz_vr", POOL_SIZE, 32, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				    RF_SOCKET_ID_ANY);
	kick_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (mp == NULL || kick_efd < 0)
		abort();
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7u + 1u);
	return 0;
}

/* Everything one input works on. */
struct run {
	struct virtnet_cfg cfg;
	uint16_t rx_size, tx_size;
	struct virtnet_rx *rxq;
	struct virtnet_tx *txq;
	struct fake_vdev rxd, txd;
	bool rxd_up, txd_up;
	/* The device has kept to the protocol so far (per queue; reset on release). */
	bool rx_honest, tx_honest;
	struct rf_mbuf *held[MAX_HELD];
	unsigned nb_held;
};

static unsigned chain_segs(const struct rf_mbuf *m)
{
	unsigned n = 0;

	for (; m != NULL; m = m->next)
		n++;
	return n;
}

static void hold_or_free(struct run *r, struct rf_mbuf *m, bool keep)
{
	if (keep && r->nb_held < MAX_HELD)
		r->held[r->nb_held++] = m;
	else
		rf_pktmbuf_free(m);
}

/*
 * Posted descriptors: RX, one buffer each; TX, the chain lengths of the heads.
 * Must add up with nb_free. Returns the mbufs the ring holds for accounting:
 * for TX only packets this target does not also hold (shared ones are in
 * held[] too, and counted there).
 */
static unsigned ring_mbufs(const struct vq *vq, uint16_t size, bool tx)
{
	unsigned descs = 0, mbufs = 0;

	for (uint32_t i = 0; i < size; i++) {
		const struct vq_extra *x = &vq->extra[i];

		if (x->ndescs == 0)
			continue;
		check(x->m != NULL);
		descs += x->ndescs;
		if (!tx)
			mbufs++;
		else if (x->m->timestamp == 0) /* our mark: not shared */
			mbufs += chain_segs(x->m);
	}
	check(descs + vq->nb_free == size);
	return mbufs;
}

static void check_accounting(struct run *r)
{
	unsigned expect = 0;

	for (unsigned i = 0; i < r->nb_held; i++)
		expect += chain_segs(r->held[i]);
	expect += ring_mbufs(&r->rxq->vq, r->rx_size, false);
	expect += ring_mbufs(&r->txq->vq, r->tx_size, true);
	unsigned avail = rf_mempool_avail_count(mp);
	if (verbose)
		fprintf(stderr, "  in use %u, held %u, expected %u\n", rf_mempool_in_use_count(mp),
			r->nb_held, expect);
	check(avail <= POOL_SIZE);
	check(rf_mempool_in_use_count(mp) == expect);
	if (r->rx_honest)
		check(!virtnet_rxq_broken(r->rxq));
	if (r->tx_honest)
		check(!virtnet_txq_broken(r->txq));
}

/* A packet handed up by RX: a well-formed chain inside its buffers. */
static void check_rx_pkt(const struct rf_mbuf *m)
{
	uint32_t sum = 0;
	unsigned n = 0;

	check(m->port == PORT && m->pkt_len > 0);
	for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
		check(s->pool == mp && rf_mbuf_refcnt_read(s) == 1);
		check((uint32_t)s->data_off + s->data_len <= s->buf_len);
		sum += s->data_len;
		n++;
		check(n <= POOL_SIZE);
	}
	check(n == m->nb_segs);
	check(sum == m->pkt_len);
	const char *why;
	check(rf_mbuf_check(m, &why) == 0);
}

static int dev_attach(struct run *r, bool rx)
{
	struct virtnet_ring_info ri;

	if (rx) {
		virtnet_rxq_ring_info(r->rxq, &ri);
		r->rxd_up = fake_vdev_init(&r->rxd, &ri, r->cfg.hdr_size, r->cfg.mrg_rxbuf) == 0;
		return r->rxd_up ? 0 : -1;
	}
	virtnet_txq_ring_info(r->txq, &ri);
	r->txd_up = fake_vdev_init(&r->txd, &ri, r->cfg.hdr_size, false) == 0;
	return r->txd_up ? 0 : -1;
}

/* Port stopped and started again: every buffer comes back, then RX is refilled. */
static void op_release(struct run *r)
{
	unsigned held_segs = 0;

	virtnet_rxq_release(r->rxq);
	virtnet_txq_release(r->txq);
	for (unsigned i = 0; i < r->nb_held; i++)
		held_segs += chain_segs(r->held[i]);
	check(rf_mempool_in_use_count(mp) == held_segs);
	check(!virtnet_rxq_broken(r->rxq) && !virtnet_txq_broken(r->txq));
	fake_vdev_fini(&r->rxd);
	fake_vdev_fini(&r->txd);
	r->rxd_up = r->txd_up = false;
	int rc = virtnet_rxq_fill(r->rxq);
	check(rc == 0 || rc == -ENOMEM);
	check(dev_attach(r, true) == 0 && dev_attach(r, false) == 0);
	r->rx_honest = r->tx_honest = true;
}

static void op_rx_poll(struct run *r, struct script *s)
{
	struct rf_mbuf *pkts[MAX_BURST];
	uint8_t a = get8(s);
	uint16_t n = (uint16_t)((a & 63u) + 1u);
	bool keep = a & 64u;

	memset(pkts, 0, sizeof(pkts));
	uint16_t got = virtnet_recv_pkts(r->rxq, pkts, n);
	check(got <= n);
	for (uint16_t i = 0; i < got; i++) {
		check(pkts[i] != NULL);
		check_rx_pkt(pkts[i]);
		hold_or_free(r, pkts[i], keep);
	}
}

/* A TX packet: segments, lengths, where data starts, shared or not, from the input. */
static struct rf_mbuf *make_tx_pkt(struct script *s, bool *shared)
{
	uint8_t a = get8(s);
	unsigned nsegs = (a & 3u) + 1u;
	if ((a & 0x0cu) == 0x0cu)
		nsegs = get8(s) % 80u + 1u; /* may exceed the whole ring */
	*shared = a & 0x10u;
	uint8_t layout = (a >> 5) & 3u;

	struct rf_mbuf *head = NULL;
	for (unsigned k = 0; k < nsegs; k++) {
		struct rf_mbuf *m = rf_pktmbuf_alloc(mp);
		if (m == NULL)
			break;
		uint16_t len = (uint16_t)(get8(s) * 8u % 1500u + 1u);
		if (k == 0 && layout == 1)
			m->data_off = sizeof(struct virtio_net_hdr_mrg_rxbuf); /* just room */
		if (k == 0 && layout == 2)
			m->data_off = 1; /* too little headroom for the header */
		if (k == 0 && layout == 3)
			m->data_off = RF_PKTMBUF_HEADROOM + 1; /* header would be misaligned */
		char *p = rf_pktmbuf_append(m, len);
		check(p != NULL);
		memset(p, (int)(k + 1), len);
		m->timestamp = 0;
		if (head == NULL)
			head = m;
		else
			check(rf_pktmbuf_chain(head, m) == 0);
	}
	if (head != NULL && *shared)
		for (struct rf_mbuf *m = head; m != NULL; m = m->next)
			rf_mbuf_refcnt_update(m, 1);
	if (head != NULL)
		head->timestamp = *shared; /* our mark for ring_mbufs() */
	return head;
}

static void op_tx_send(struct run *r, struct script *s)
{
	struct rf_mbuf *pkts[MAX_BURST];
	bool shared[MAX_BURST];
	unsigned want = get8(s) % 32u + 1u, n = 0;

	while (n < want) {
		pkts[n] = make_tx_pkt(s, &shared[n]);
		if (pkts[n] == NULL)
			break;
		n++;
	}
	if (n == 0)
		return;
	uint16_t sent = virtnet_xmit_pkts(r->txq, pkts, (uint16_t)n);
	check(sent <= n);
	for (unsigned i = 0; i < n; i++) {
		if (shared[i])
			hold_or_free(r, pkts[i], true); /* our own reference */
		if (i >= sent)
			rf_pktmbuf_free(pkts[i]); /* refused: the caller keeps it */
	}
}

/* The honest device's results: anything but "malformed" is fine. */
static void dev_result(const struct run *r, bool rx, int rc)
{
	/* -EPROTO from an honest device: the driver posted something malformed. */
	check(rc != -EPROTO || !(rx ? r->rx_honest : r->tx_honest));
}

static void op_publish_idx(struct fake_vdev *d, bool *honest, struct script *s)
{
	uint8_t mode = get8(s) & 3u;
	uint16_t v = get16(s);

	switch (mode) {
	case 0:
		fake_vdev_publish(d);
		break;
	case 1:
		*honest = false;
		fake_vdev_publish_idx(d, v);
		break;
	case 2:
		*honest = false;
		fake_vdev_publish_idx(d, (uint16_t)(d->used_idx - (v & 0xffu) - 1u));
		break;
	default:
		*honest = false;
		fake_vdev_publish_idx(d, (uint16_t)(d->used_idx + v));
		break;
	}
}

static void op_raw_push(struct fake_vdev *d, bool *honest, struct script *s)
{
	uint8_t a = get8(s);
	uint32_t id = a & 1u ? get32(s) : get16(s) & d->mask;
	uint32_t len = a & 2u ? get32(s) : get16(s);

	*honest = false;
	fake_vdev_push_used(d, id, len);
	if (a & 4u)
		fake_vdev_publish(d);
}

/* Device writes the virtio-net header of a posted RX buffer: num_buffers and all. */
static void op_write_hdr(struct run *r, struct script *s)
{
	uint16_t id = get16(s) & r->rxd.mask;
	uint8_t hdr[sizeof(struct virtio_net_hdr_mrg_rxbuf)];

	for (size_t i = 0; i < sizeof(hdr); i++)
		hdr[i] = get8(s);
	/*
	 * Only into a buffer the driver has posted now: a stale descriptor may
	 * name an mbuf that went back to the pool and is a TX packet by now.
	 */
	uint64_t addr = r->rxd.desc[id].addr;
	if (addr == 0 || r->rxq->vq.extra[id].ndescs == 0)
		return;
	r->rx_honest = false;
	memcpy((void *)(uintptr_t)addr, hdr, r->cfg.hdr_size);
}

static void op_complete(struct run *r, struct fake_vdev *d, bool *honest, struct script *s)
{
	uint8_t a = get8(s);
	uint16_t n = a & 0x3fu;
	bool batch = a & 0x40u;

	if (n > fake_vdev_pending(d))
		n = fake_vdev_pending(d);
	/* A batch entry stands for several buffers only with VIRTIO_F_IN_ORDER (§2.7.9). */
	if (batch && n > 1 && !r->cfg.in_order)
		*honest = false;
	check(fake_vdev_complete(d, n, batch) == 0);
	if (a & 0x80u)
		fake_vdev_publish(d);
}

static void op_take(struct run *r, struct fake_vdev *d, bool *honest)
{
	uint16_t head;

	/* A chain taken and never returned: returning later ones breaks in-order. */
	if (fake_vdev_take(d, &head) == 0 && r->cfg.in_order)
		*honest = false;
}

static void run_script(struct run *r, struct script *s)
{
	for (unsigned ops = 0; ops < MAX_OPS && s->left > 0; ops++) {
		uint8_t op = get8(s) % 16u;

		if (verbose)
			fprintf(stderr, "op %u: %u\n", ops, op);

		switch (op) {
		case 0: {
			uint16_t len = get16(s) % 10000u;
			dev_result(r, true, fake_vdev_rx_frame(&r->rxd, frame, len));
			break;
		}
		case 1:
			op_complete(r, &r->rxd, &r->rx_honest, s);
			break;
		case 2:
			op_raw_push(&r->rxd, &r->rx_honest, s);
			break;
		case 3:
			op_publish_idx(&r->rxd, &r->rx_honest, s);
			break;
		case 4:
			op_write_hdr(r, s);
			break;
		case 5:
			op_rx_poll(r, s);
			break;
		case 6:
			op_tx_send(r, s);
			break;
		case 7: {
			unsigned n = get8(s) % 64u + 1u;
			for (unsigned i = 0; i < n; i++) {
				int rc = fake_vdev_tx_frame(&r->txd, frame, sizeof(frame));
				dev_result(r, false, rc);
				if (rc < 0)
					break;
			}
			break;
		}
		case 8:
			op_complete(r, &r->txd, &r->tx_honest, s);
			break;
		case 9:
			op_raw_push(&r->txd, &r->tx_honest, s);
			break;
		case 10:
			op_publish_idx(&r->txd, &r->tx_honest, s);
			break;
		case 11: {
			unsigned n = get8(s);
			while (n-- > 0 && r->nb_held > 0) {
				struct rf_mbuf *m = r->held[--r->nb_held];
				/* Still in flight: the ring is now its only owner. */
				if (rf_mbuf_refcnt_read(m) > 1)
					m->timestamp = 0;
				rf_pktmbuf_free(m);
			}
			break;
		}
		case 12:
			op_release(r);
			break;
		case 13: {
			int rc = virtnet_rxq_fill(r->rxq);
			check(rc == 0 || rc == -ENOMEM ||
			      (rc == -EIO && virtnet_rxq_broken(r->rxq)));
			break;
		}
		case 14: {
			uint8_t a = get8(s);
			fake_vdev_set_no_notify(a & 1u ? &r->txd : &r->rxd, a & 2u);
			break;
		}
		default: {
			bool rx = get8(s) & 1u;
			op_take(r, rx ? &r->rxd : &r->txd, rx ? &r->rx_honest : &r->tx_honest);
			break;
		}
		}
		check_accounting(r);
	}
}

static void report_q(const char *dir, const struct virtnet_stats *st, bool broken)
{
	fprintf(stderr,
		"%s: packets %llu errors %llu nombuf %llu ring_full %llu kicks %llu bad_id %llu "
		"not_posted %llu bad_len %llu idx_jump %llu bad_num_buffers %llu%s\n",
		dir, (unsigned long long)st->packets, (unsigned long long)st->errors,
		(unsigned long long)st->nombuf, (unsigned long long)st->ring_full,
		(unsigned long long)st->kicks, (unsigned long long)st->bad_id,
		(unsigned long long)st->not_posted, (unsigned long long)st->bad_len,
		(unsigned long long)st->idx_jump, (unsigned long long)st->bad_num_buffers,
		broken ? " BROKEN" : "");
}

static void report(const struct run *r)
{
	report_q("rx", virtnet_rxq_stats(r->rxq), virtnet_rxq_broken(r->rxq));
	report_q("tx", virtnet_txq_stats(r->txq), virtnet_txq_broken(r->txq));
}

/* Every mbuf back in the pool, each exactly once. */
static void check_pool_whole(void)
{
	static struct rf_mbuf *all[POOL_SIZE + 1];
	unsigned n = 0;

	check(rf_mempool_avail_count(mp) == POOL_SIZE);
	while (n < POOL_SIZE + 1 && (all[n] = rf_pktmbuf_alloc(mp)) != NULL)
		n++;
	check(n == POOL_SIZE);
	/* Distinct: a buffer put back twice would come out twice. */
	for (unsigned i = 0; i < n; i++)
		all[i]->timestamp = 0;
	for (unsigned i = 0; i < n; i++) {
		check(all[i]->timestamp == 0);
		all[i]->timestamp = 1;
	}
	for (unsigned i = 0; i < n; i++)
		all[i]->timestamp = 0;
	rf_pktmbuf_free_bulk(all, n);
	check(rf_mempool_avail_count(mp) == POOL_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	struct script s = {.p = data, .left = size};
	uint8_t c = get8(&s);

	memset(&r, 0, sizeof(r));
	r.cfg.port_id = PORT;
	r.cfg.queue_id = 0;
	r.cfg.mrg_rxbuf = c & 1u;
	r.cfg.in_order = c & 2u;
	r.rx_size = (uint16_t)(VIRTNET_RING_SIZE_MIN << ((c >> 2) % 3u));
	r.tx_size = (uint16_t)(VIRTNET_RING_SIZE_MIN << ((c >> 4) % 3u));
	/* Legacy 10-byte header: only without mergeable buffers (§5.1.6). */
	r.cfg.hdr_size = (c & 0x40u) && !r.cfg.mrg_rxbuf ? sizeof(struct virtio_net_hdr)
							 : sizeof(struct virtio_net_hdr_mrg_rxbuf);
	r.rxq = virtnet_rxq_create(&r.cfg, r.rx_size, RF_SOCKET_ID_ANY, mp);
	r.txq = virtnet_txq_create(&r.cfg, r.tx_size, RF_SOCKET_ID_ANY);
	check(r.rxq != NULL && r.txq != NULL);
	if (c & 0x80u) {
		virtnet_rxq_set_kickfd(r.rxq, kick_efd);
		virtnet_txq_set_kickfd(r.txq, kick_efd);
	}
	check(virtnet_rxq_fill(r.rxq) == 0);
	check(dev_attach(&r, true) == 0 && dev_attach(&r, false) == 0);
	r.rx_honest = r.tx_honest = true;

	run_script(&r, &s);
	if (verbose)
		report(&r);

	while (r.nb_held > 0)
		rf_pktmbuf_free(r.held[--r.nb_held]);
	virtnet_rxq_free(r.rxq);
	virtnet_txq_free(r.txq);
	fake_vdev_fini(&r.rxd);
	fake_vdev_fini(&r.txd);
	check_pool_whole();
	/* Drain the kick counter so it never saturates. */
	uint64_t v;
	if (read(kick_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		abort();
	return 0;
}
