/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user: a virtio-net device whose "device" is a vhost-user
 * back-end (DPDK's vhost library, a vswitch...) on a Unix socket. Devargs as
 * DPDK's driver of the same name:
 *
 *   --vdev 'net_virtio_user0,path=/tmp/vhost.sock,queues=2,server=1,queue_size=256'
 *
 * This file is the ethdev side of the control path: devargs, queues,
 * start/stop/close, stats. The session with the back-end (negotiation, ring
 * set-up, reconnection) is virtio_user_dev.c. The data path (virtio_rxtx.c)
 * never waits for any of it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "rf_eal.h"
#include "rf_log.h"
#include "rf_rss.h"
#include "virtio_user_dev.h"

static struct vu_dev *vu_dev(struct rf_eth_dev *eth)
{
	return rf_container_of(eth, struct vu_dev, eth);
}

/* --- queues --- */

static int new_eventfd(int *fd)
{
	if (*fd >= 0)
		return 0;
	*fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

static struct virtnet_cfg queue_cfg(const struct vu_dev *d, uint16_t q, uint64_t dp)
{
	return (struct virtnet_cfg){
	    .port_id = d->eth.port_id,
	    .queue_id = q,
	    .hdr_size = VU_HDR_SIZE,
	    .mrg_rxbuf = (dp & VU_BIT(VIRTIO_NET_F_MRG_RXBUF)) != 0,
	    .in_order = (dp & VU_BIT(VIRTIO_F_IN_ORDER)) != 0,
	};
}

static void rxq_free(struct vu_dev *d, uint16_t q)
{
	if (d->rxq[q].q != NULL)
		virtnet_rxq_free(d->rxq[q].q);
	d->rxq[q].q = NULL;
	d->eth.rxq[q] = NULL;
}

static void txq_free(struct vu_dev *d, uint16_t q)
{
	if (d->txq[q].q != NULL)
		virtnet_txq_free(d->txq[q].q);
	d->txq[q].q = NULL;
	d->eth.txq[q] = NULL;
}

static int rxq_create(struct vu_dev *d, uint16_t q, uint64_t dp)
{
	struct vu_rxq *rq = &d->rxq[q];
	struct virtnet_cfg cfg = queue_cfg(d, q, dp);
	int rc;

	if ((rc = new_eventfd(&rq->kickfd)) < 0 || (rc = new_eventfd(&rq->callfd)) < 0)
		return rc;
	rq->q = virtnet_rxq_create(&cfg, rq->nb_desc, rq->socket, rq->mp);
	if (rq->q == NULL)
		return -errno;
	rq->dp = dp;
	virtnet_rxq_set_kickfd(rq->q, rq->kickfd);
	d->eth.rxq[q] = rq->q;
	return 0;
}

static int txq_create(struct vu_dev *d, uint16_t q, uint64_t dp)
{
	struct vu_txq *tq = &d->txq[q];
	struct virtnet_cfg cfg = queue_cfg(d, q, dp);
	int rc;

	if ((rc = new_eventfd(&tq->kickfd)) < 0 || (rc = new_eventfd(&tq->callfd)) < 0)
		return rc;
	tq->q = virtnet_txq_create(&cfg, tq->nb_desc, tq->socket);
	if (tq->q == NULL)
		return -errno;
	tq->dp = dp;
	virtnet_txq_set_kickfd(tq->q, tq->kickfd);
	d->eth.txq[q] = tq->q;
	return 0;
}

/*
 * Make every queue use the data path features dp: a back-end that connected
 * after the queues were set up may offer other ones. The port is stopped, so
 * nothing polls the queues we rebuild.
 */
static int align_queues(struct vu_dev *d, uint64_t dp)
{
	for (uint16_t q = 0; q < d->eth.nb_rx_queues; q++) {
		if (d->rxq[q].dp == dp)
			continue;
		RF_LOG(INFO, VIRTIO, "%s: RX queue %u rebuilt for mrg_rxbuf=%d in_order=%d",
		       d->eth.name, q, (dp & VU_BIT(VIRTIO_NET_F_MRG_RXBUF)) != 0,
		       (dp & VU_BIT(VIRTIO_F_IN_ORDER)) != 0);
		rxq_free(d, q);
		int rc = rxq_create(d, q, dp);
		if (rc < 0)
			return rc;
	}
	for (uint16_t q = 0; q < d->eth.nb_tx_queues; q++) {
		if (d->txq[q].dp == dp)
			continue;
		txq_free(d, q);
		int rc = txq_create(d, q, dp);
		if (rc < 0)
			return rc;
	}
	d->dp_features = dp;
	return 0;
}

/* --- ethdev ops --- */

static int vu_infos_get(struct rf_eth_dev *eth, struct rf_eth_dev_info *info)
{
	struct vu_dev *d = vu_dev(eth);

	snprintf(info->driver_name, sizeof(info->driver_name), "%s", VU_DRIVER_NAME);
	info->max_rx_queues = d->max_queues;
	info->max_tx_queues = d->max_queues;
	info->min_rx_desc = info->min_tx_desc = VU_MIN_DESC;
	info->max_rx_desc = info->max_tx_desc = d->queue_size;
	/* A frame takes a header descriptor and one per segment (virtio_rxtx.c). */
	info->max_tx_segs = (uint16_t)(d->queue_size - 1u);
	pthread_mutex_lock(&d->lock);
	uint64_t dp = d->started ? d->dp_features : virtio_user_dp_features(d);
	info->features = d->state == VU_RUNNING ? d->features : (d->offered & d->want) | dp;
	/* Device RSS only with VIRTIO_NET_F_RSS (§5.1.6.5.7): no vhost-user back-end has it. */
	info->reta_size = virtio_user_reta_size(d);
	if (info->reta_size > 0) {
		info->flow_type_rss_offloads =
		    virtio_rss_hash_types_to_hf(d->rss_caps.supported_hash_types);
		info->hash_key_size = VIRTIO_RSS_KEY_LEN;
	}
	pthread_mutex_unlock(&d->lock);
	/* Without mergeable buffers a frame and its header must fit one default mbuf. */
	info->max_rx_pktlen = (dp & VU_BIT(VIRTIO_NET_F_MRG_RXBUF))
				  ? VU_MAX_RX_PKTLEN_MRG
				  : RF_MBUF_DEFAULT_DATAROOM - VU_HDR_SIZE;
	return 0;
}

static int vu_configure(struct rf_eth_dev *eth)
{
	struct vu_dev *d = vu_dev(eth);

	/* virtio-net queues come in pairs (§5.1.2), and vhost-user needs both of pair 0. */
	if (eth->nb_rx_queues != eth->nb_tx_queues) {
		RF_LOG(ERR, VIRTIO,
		       "%s: %u RX and %u TX queues: virtio queues come in pairs, configure as many "
		       "of each",
		       eth->name, eth->nb_rx_queues, eth->nb_tx_queues);
		return -EINVAL;
	}
	for (uint16_t q = eth->nb_rx_queues; q < RF_MAX_QUEUES_PER_PORT; q++) {
		rxq_free(d, q);
		txq_free(d, q);
	}
	/*
	 * Device RSS starts from the configured hash functions and key, and a
	 * round-robin table. The pairs in use are told to the device at start
	 * (VQ_PAIRS_SET, virtio_user_dev.c), once the control queue works.
	 */
	pthread_mutex_lock(&d->lock);
	d->rss_conf = eth->conf.rss;
	for (unsigned i = 0; i < VIRTIO_RSS_RETA_MAX; i++)
		d->reta[i] = eth->nb_rx_queues > 0 ? (uint16_t)(i % eth->nb_rx_queues) : 0;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* --- device RSS (VIRTIO_NET_F_RSS): RSS_CONFIG on the control queue --- */

static bool has_rss(const struct vu_dev *d)
{
	return virtio_user_reta_size(d) > 0;
}

/* Send the new settings if the device runs; on failure put the old ones back. */
static int rss_commit(struct vu_dev *d, const struct rf_eth_rss_conf *old_conf,
		      const uint16_t *old_reta)
{
	int rc = d->state == VU_RUNNING ? virtio_user_rss_apply(d) : 0;

	if (rc < 0) {
		d->rss_conf = *old_conf;
		memcpy(d->reta, old_reta, sizeof(d->reta));
	}
	return rc;
}

static int vu_rss_hash_update(struct rf_eth_dev *eth, const struct rf_eth_rss_conf *conf)
{
	struct vu_dev *d = vu_dev(eth);
	int rc = -ENOTSUP;

	pthread_mutex_lock(&d->lock);
	if (has_rss(d)) {
		struct rf_eth_rss_conf old = d->rss_conf;
		d->rss_conf = *conf;
		rc = rss_commit(d, &old, d->reta);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int vu_rss_hash_conf_get(struct rf_eth_dev *eth, struct rf_eth_rss_conf *conf)
{
	struct vu_dev *d = vu_dev(eth);
	int rc = -ENOTSUP;

	pthread_mutex_lock(&d->lock);
	if (has_rss(d)) {
		*conf = d->rss_conf;
		if (conf->key_len == 0) {
			memcpy(conf->key, rf_rss_default_key, RF_ETH_RSS_KEY_LEN);
			conf->key_len = RF_ETH_RSS_KEY_LEN;
		}
		rc = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int vu_reta_update(struct rf_eth_dev *eth, const uint16_t *reta, uint16_t size)
{
	struct vu_dev *d = vu_dev(eth);
	uint16_t old[VIRTIO_RSS_RETA_MAX];
	int rc = -ENOTSUP;

	pthread_mutex_lock(&d->lock);
	if (has_rss(d) && size <= VIRTIO_RSS_RETA_MAX) {
		memcpy(old, d->reta, sizeof(old));
		memcpy(d->reta, reta, sizeof(reta[0]) * size);
		rc = rss_commit(d, &d->rss_conf, old);
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int vu_reta_query(struct rf_eth_dev *eth, uint16_t *reta, uint16_t size)
{
	struct vu_dev *d = vu_dev(eth);
	int rc = -ENOTSUP;

	pthread_mutex_lock(&d->lock);
	if (has_rss(d) && size <= VIRTIO_RSS_RETA_MAX) {
		memcpy(reta, d->reta, sizeof(reta[0]) * size);
		rc = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

static int vu_rx_queue_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket,
			     struct rf_mempool *mp)
{
	struct vu_dev *d = vu_dev(eth);

	rxq_free(d, q);
	pthread_mutex_lock(&d->lock);
	uint64_t dp = virtio_user_dp_features(d);
	pthread_mutex_unlock(&d->lock);
	d->rxq[q].nb_desc = nb_desc;
	d->rxq[q].socket = socket;
	d->rxq[q].mp = mp;
	int rc = rxq_create(d, q, dp);
	if (rc < 0)
		RF_LOG(ERR, VIRTIO, "%s: RX queue %u (%u descriptors): %s", eth->name, q, nb_desc,
		       strerror(-rc));
	return rc;
}

static int vu_tx_queue_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket)
{
	struct vu_dev *d = vu_dev(eth);

	txq_free(d, q);
	pthread_mutex_lock(&d->lock);
	uint64_t dp = virtio_user_dp_features(d);
	pthread_mutex_unlock(&d->lock);
	d->txq[q].nb_desc = nb_desc;
	d->txq[q].socket = socket;
	int rc = txq_create(d, q, dp);
	if (rc < 0)
		RF_LOG(ERR, VIRTIO, "%s: TX queue %u (%u descriptors): %s", eth->name, q, nb_desc,
		       strerror(-rc));
	return rc;
}

static void release_queues(struct vu_dev *d)
{
	for (uint16_t q = 0; q < d->eth.nb_rx_queues; q++)
		if (d->rxq[q].q != NULL)
			virtnet_rxq_release(d->rxq[q].q);
	for (uint16_t q = 0; q < d->eth.nb_tx_queues; q++)
		if (d->txq[q].q != NULL)
			virtnet_txq_release(d->txq[q].q);
}

static int vu_start(struct rf_eth_dev *eth)
{
	struct vu_dev *d = vu_dev(eth);
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	/*
	 * A back-end we refused may suit queues rebuilt for it: start over
	 * with it from the handshake (it reconnects, or we do).
	 */
	if (d->state == VU_REFUSED)
		virtio_user_disconnect(d, NULL);
	/* With a back-end, its features; without, those the queues have (all alike). */
	uint64_t dp = d->state != VU_DISCONNECTED ? virtio_user_dp_features(d) : d->rxq[0].dp;
	rc = align_queues(d, dp);
	for (uint16_t q = 0; rc == 0 && q < eth->nb_rx_queues; q++) {
		rc = virtnet_rxq_fill(d->rxq[q].q);
		if (rc == -ENOMEM)
			RF_LOG(ERR, VIRTIO, "%s: RX queue %u: mempool %s has no free mbuf to post",
			       eth->name, q, d->rxq[q].mp->name);
		else if (rc < 0)
			RF_LOG(ERR, VIRTIO, "%s: RX queue %u: cannot post buffers: %s", eth->name,
			       q, strerror(-rc));
	}
	if (rc < 0) {
		release_queues(d);
		pthread_mutex_unlock(&d->lock);
		return rc;
	}
	d->started = true;
	if (d->state == VU_CONNECTED) {
		rc = virtio_user_setup(d);
		if (rc < 0)
			virtio_user_setup_failed(d, rc, "start");
	} else {
		RF_LOG(INFO, VIRTIO, "%s: started with no back-end yet; link down until %s",
		       eth->name, d->server ? "one connects" : "it can be reached");
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static bool any_queue_broken(const struct vu_dev *d)
{
	for (uint16_t q = 0; q < d->eth.nb_rx_queues; q++)
		if (d->rxq[q].q != NULL && virtnet_rxq_broken(d->rxq[q].q))
			return true;
	for (uint16_t q = 0; q < d->eth.nb_tx_queues; q++)
		if (d->txq[q].q != NULL && virtnet_txq_broken(d->txq[q].q))
			return true;
	return false;
}

/*
 * GET_VRING_BASE stops each ring in the back-end ("Ring states"): after the
 * reply it no longer touches our rings, so their mbufs can go back to the pool.
 * A back-end that already broke one of our rings is not asked: it may not
 * answer either, and each question would cost the reply timeout
 * (VU_REPLY_TIMEOUT_MS). We hang up on it instead, at once: a back-end that
 * breaks the protocol cannot be made to stop writing into memory it has
 * mapped, by GET_VRING_BASE or otherwise, so the question would buy nothing.
 */
static int vu_stop(struct rf_eth_dev *eth)
{
	struct vu_dev *d = vu_dev(eth);

	pthread_mutex_lock(&d->lock);
	d->started = false;
	if (d->state == VU_RUNNING && any_queue_broken(d))
		virtio_user_disconnect(d, "it broke a ring; stopping without asking for the "
					  "ring state");
	if (d->state == VU_RUNNING) {
		unsigned nvrings = 2u * eth->nb_rx_queues;
		for (uint32_t i = 0; i < nvrings; i++) {
			uint32_t base;
			int rc = rf_vhost_user_get_vring_base(&d->conn, i, &base);
			if (rc < 0) {
				/* It can no longer use the rings either way. */
				virtio_user_disconnect(d, d->conn.err);
				break;
			}
		}
		if (d->state == VU_RUNNING)
			d->state = VU_CONNECTED;
		d->rings_told = false;
	}
	rf_eth_dev_set_link(&d->eth, 0);
	release_queues(d);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vu_free(struct vu_dev *d)
{
	virtio_user_thread_stop(d);
	rf_vhost_user_close(&d->conn);
	if (d->listen_fd >= 0) {
		close_fd(&d->listen_fd);
		unlink(d->path);
	}
	for (uint16_t q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		rxq_free(d, q);
		txq_free(d, q);
		close_fd(&d->rxq[q].kickfd);
		close_fd(&d->rxq[q].callfd);
		close_fd(&d->txq[q].kickfd);
		close_fd(&d->txq[q].callfd);
	}
	close_fd(&d->wake_fd);
	virtio_cvq_free(d->cvq);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int vu_close(struct rf_eth_dev *eth)
{
	vu_free(vu_dev(eth));
	return 0;
}

static int vu_stats_get(struct rf_eth_dev *eth, struct rf_eth_stats *st)
{
	struct vu_dev *d = vu_dev(eth);

	for (uint16_t q = 0; q < eth->nb_rx_queues; q++) {
		if (d->rxq[q].q == NULL)
			continue;
		const struct virtnet_stats *s = virtnet_rxq_stats(d->rxq[q].q);
		uint64_t bad =
		    s->bad_id + s->not_posted + s->bad_len + s->idx_jump + s->bad_num_buffers;
		st->q_ipackets[q] = s->packets;
		st->q_ibytes[q] = s->bytes;
		st->q_errors[q] = s->errors + bad;
		st->ipackets += s->packets;
		st->ibytes += s->bytes;
		st->ierrors += s->errors + bad;
		st->rx_nombuf += s->nombuf;
	}
	for (uint16_t q = 0; q < eth->nb_tx_queues; q++) {
		if (d->txq[q].q == NULL)
			continue;
		const struct virtnet_stats *s = virtnet_txq_stats(d->txq[q].q);
		uint64_t bad = s->bad_id + s->not_posted + s->bad_len + s->idx_jump;
		st->q_opackets[q] = s->packets;
		st->q_obytes[q] = s->bytes;
		st->opackets += s->packets;
		st->obytes += s->bytes;
		st->oerrors += s->errors + bad;
		st->tx_oversize += s->oversize;
	}
	return 0;
}

static int vu_stats_reset(struct rf_eth_dev *eth)
{
	struct vu_dev *d = vu_dev(eth);

	for (uint16_t q = 0; q < eth->nb_rx_queues; q++)
		if (d->rxq[q].q != NULL)
			virtnet_rxq_stats_reset(d->rxq[q].q);
	for (uint16_t q = 0; q < eth->nb_tx_queues; q++)
		if (d->txq[q].q != NULL)
			virtnet_txq_stats_reset(d->txq[q].q);
	return 0;
}

/*
 * Per-queue counters beyond those ethdev already reports from stats_get
 * (rx_qN_packets/bytes/errors, tx_qN_packets/bytes): no name appears twice.
 */
static const struct {
	const char *name;
	size_t off;
	bool rx, tx;
} q_xstats[] = {
    {"errors", offsetof(struct virtnet_stats, errors), false, true},
    {"nombuf", offsetof(struct virtnet_stats, nombuf), true, false},
    {"ring_full", offsetof(struct virtnet_stats, ring_full), false, true},
    {"oversize", offsetof(struct virtnet_stats, oversize), false, true},
    {"kicks", offsetof(struct virtnet_stats, kicks), true, true},
    {"bad_id", offsetof(struct virtnet_stats, bad_id), true, true},
    {"not_posted", offsetof(struct virtnet_stats, not_posted), true, true},
    {"bad_len", offsetof(struct virtnet_stats, bad_len), true, true},
    {"idx_jump", offsetof(struct virtnet_stats, idx_jump), true, true},
    {"bad_num_buffers", offsetof(struct virtnet_stats, bad_num_buffers), true, false},
};

RF_PRINTF(5, 6)
static void xstat_put(struct rf_eth_xstat *xs, unsigned n, unsigned *idx, uint64_t value,
		      const char *fmt, ...)
{
	if (*idx < n) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(xs[*idx].name, sizeof(xs[*idx].name), fmt, ap);
		va_end(ap);
		xs[*idx].value = value;
	}
	(*idx)++;
}

static void queue_xstats(struct rf_eth_xstat *xs, unsigned n, unsigned *idx, bool rx, uint16_t q,
			 const struct virtnet_stats *s, bool broken)
{
	const char *dir = rx ? "rx" : "tx";

	for (unsigned i = 0; i < RF_DIM(q_xstats); i++) {
		if (!(rx ? q_xstats[i].rx : q_xstats[i].tx))
			continue;
		uint64_t v = *(const uint64_t *)((const char *)s + q_xstats[i].off);
		xstat_put(xs, n, idx, v, "%s_q%u_%s", dir, q, q_xstats[i].name);
	}
	xstat_put(xs, n, idx, broken, "%s_q%u_broken", dir, q);
}

static int vu_xstats_get(struct rf_eth_dev *eth, struct rf_eth_xstat *xs, unsigned n)
{
	struct vu_dev *d = vu_dev(eth);
	unsigned idx = 0;

	for (uint16_t q = 0; q < eth->nb_rx_queues; q++)
		if (d->rxq[q].q != NULL)
			queue_xstats(xs, n, &idx, true, q, virtnet_rxq_stats(d->rxq[q].q),
				     virtnet_rxq_broken(d->rxq[q].q));
	for (uint16_t q = 0; q < eth->nb_tx_queues; q++)
		if (d->txq[q].q != NULL)
			queue_xstats(xs, n, &idx, false, q, virtnet_txq_stats(d->txq[q].q),
				     virtnet_txq_broken(d->txq[q].q));
	pthread_mutex_lock(&d->lock);
	/* Connections after the first: each one is a back-end coming back. */
	uint64_t reconnects = d->nb_connects > 0 ? d->nb_connects - 1 : 0;
	uint64_t downs = d->link_down_events;
	uint64_t cvq_cmds = d->cvq != NULL ? d->cvq->commands : 0;
	uint64_t cvq_errs = d->cvq_errors;
	pthread_mutex_unlock(&d->lock);
	xstat_put(xs, n, &idx, reconnects, "reconnects");
	xstat_put(xs, n, &idx, downs, "link_down_events");
	xstat_put(xs, n, &idx, cvq_cmds, "cvq_commands");
	xstat_put(xs, n, &idx, cvq_errs, "cvq_errors");
	return (int)idx;
}

static const struct rf_eth_dev_ops vu_ops = {
    .dev_infos_get = vu_infos_get,
    .dev_configure = vu_configure,
    .rx_queue_setup = vu_rx_queue_setup,
    .tx_queue_setup = vu_tx_queue_setup,
    .dev_start = vu_start,
    .dev_stop = vu_stop,
    .dev_close = vu_close,
    .stats_get = vu_stats_get,
    .stats_reset = vu_stats_reset,
    .xstats_get = vu_xstats_get,
    .rss_hash_update = vu_rss_hash_update,
    .rss_hash_conf_get = vu_rss_hash_conf_get,
    .reta_update = vu_reta_update,
    .reta_query = vu_reta_query,
};

/* --- probe --- */

static const char *const vu_keys[] = {
    "path", "queues", "queue_size", "server", "mrg_rxbuf", "in_order", "mac", "reconnect_ms", NULL,
};

static int parse_args(struct vu_dev *d, const char *name, const struct rf_devargs *a, char *err,
		      size_t errlen)
{
	uint32_t queues, qsize, reconnect;
	int server, mrg, in_order, rc;
	const char *path = rf_devargs_get(a, "path");
	const char *mac = rf_devargs_get(a, "mac");

	if (path == NULL || *path == '\0') {
		snprintf(
		    err, errlen,
		    "%s: 'path' is required: the vhost-user socket (e.g. path=/tmp/vhost.sock)",
		    name);
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(d->path)) {
		snprintf(err, errlen, "path=%s: too long for a Unix socket (at most %zu bytes)",
			 path, sizeof(d->path) - 1);
		return -EINVAL;
	}
	snprintf(d->path, sizeof(d->path), "%s", path);
	if ((rc = rf_devargs_get_u32(a, "queues", 1, 1, RF_MAX_QUEUES_PER_PORT, &queues, err,
				     errlen)) < 0 ||
	    (rc = rf_devargs_get_u32(a, "queue_size", VU_DEFAULT_QUEUE_SIZE, VU_MIN_DESC,
				     VU_MAX_DESC, &qsize, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_u32(a, "reconnect_ms", VU_DEFAULT_RECONNECT, VU_BACKOFF_FIRST_MS,
				     60000, &reconnect, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(a, "server", 0, &server, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(a, "mrg_rxbuf", 1, &mrg, err, errlen)) < 0 ||
	    (rc = rf_devargs_get_bool(a, "in_order", 1, &in_order, err, errlen)) < 0)
		return rc;
	if (!rf_is_pow2(qsize)) {
		snprintf(err, errlen, "queue_size=%u: must be a power of two (virtio 1.x §2.6)",
			 qsize);
		return -EINVAL;
	}
	if (mac != NULL) {
		if (rf_ether_addr_parse(mac, &d->eth.mac) < 0) {
			snprintf(err, errlen,
				 "mac=%s: not a MAC address (e.g. mac=02:00:00:00:00:01)", mac);
			return -EINVAL;
		}
		if (d->eth.mac.addr_bytes[0] & 1) {
			snprintf(err, errlen,
				 "mac=%s: a multicast address cannot be a port's address", mac);
			return -EINVAL;
		}
	} /* else left zero: ethdev gives the port a random address (rf_ethdev_driver.h) */
	d->max_queues = (uint16_t)queues;
	d->queue_size = (uint16_t)qsize;
	d->server = server;
	d->reconnect_ms = reconnect;
	d->want = VU_BIT(VIRTIO_F_VERSION_1) | VU_BIT(VIRTIO_NET_F_MAC) |
		  VU_BIT(VIRTIO_NET_F_STATUS) | VU_BIT(RF_VHOST_USER_F_PROTOCOL_FEATURES);
	/*
	 * MQ depends on CTRL_VQ (§5.1.3.1): VQ_PAIRS_SET goes on the control
	 * queue. F_RSS and F_HASH_REPORT are not wanted: a vhost-user back-end
	 * could not be told the RSS settings (no message for them), and the
	 * device's limits are in a config space we do not read.
	 */
	if (queues > 1)
		d->want |= VU_BIT(VIRTIO_NET_F_MQ) | VU_BIT(VIRTIO_NET_F_CTRL_VQ);
	if (mrg)
		d->want |= VU_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (in_order)
		d->want |= VU_BIT(VIRTIO_F_IN_ORDER);
	return 0;
}

static struct vu_dev *vu_alloc(void)
{
	struct vu_dev *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	pthread_mutex_init(&d->lock, NULL);
	rf_vhost_user_conn_init(&d->conn, VU_REPLY_TIMEOUT_MS);
	d->listen_fd = -1;
	d->wake_fd = -1;
	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		d->rxq[q].kickfd = d->rxq[q].callfd = -1;
		d->txq[q].kickfd = d->txq[q].callfd = -1;
	}
	d->eth.ops = &vu_ops;
	d->eth.rx_burst = virtnet_recv_pkts;
	d->eth.tx_burst = virtnet_xmit_pkts;
	return d;
}

/*
 * Server mode: listen, and let the control thread accept. Client mode:
 * connect now, as DPDK does, so a wrong path fails here; a back-end that
 * dies later is only a link-down.
 */
static int vu_probe(const char *name, const struct rf_devargs *args, struct rf_eth_dev **out,
		    char *err, size_t errlen)
{
	const struct rf_eal_config *eal = rf_eal_config_get();
	struct vu_dev *d;
	int rc;

	if (eal == NULL) {
		snprintf(err, errlen, "%s: the EAL is not initialised (rf_eal_init)", name);
		return -EINVAL;
	}
	if (eal->mem.iova_mode != RF_IOVA_VA) {
		snprintf(err, errlen,
			 "%s: vhost-user shares memory by virtual address: use --iova-mode va",
			 name);
		return -EINVAL;
	}
	d = vu_alloc();
	if (d == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->eth.name, sizeof(d->eth.name), "%s", name);
	rc = parse_args(d, name, args, err, errlen);
	if (rc < 0)
		goto fail;
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: eventfd: %s", name, strerror(errno));
		goto fail;
	}
	rc = virtio_user_cvq_init(d);
	if (rc < 0) {
		snprintf(err, errlen, "%s: control queue: %s", name, strerror(-rc));
		goto fail;
	}
	if (d->server) {
		char why[RF_VHOST_USER_ERR_LEN];
		rc = rf_vhost_user_listen(d->path, why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", name, why);
			goto fail;
		}
		d->listen_fd = rc;
		RF_LOG(INFO, VIRTIO, "%s: listening on %s for a vhost-user back-end", name,
		       d->path);
	} else {
		rc = rf_vhost_user_connect(&d->conn, d->path);
		if (rc < 0) {
			/* The hint fits only a socket that is not there or not served yet. */
			snprintf(err, errlen, "%s: %s%s", name, d->conn.err,
				 rc == -ENOENT || rc == -ECONNREFUSED
				     ? " (start the vhost-user back-end first, or use server=1 "
				       "and let it connect)"
				     : "");
			goto fail;
		}
		d->state = VU_CONNECTED;
		d->nb_connects = 1;
		rc = virtio_user_handshake(d);
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", name, d->err);
			goto fail;
		}
	}
	rc = virtio_user_thread_start(d);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot start the control thread: %s", name,
			 strerror(-rc));
		goto fail;
	}
	*out = &d->eth;
	return 0;
fail:
	vu_free(d);
	return rc;
}

static const struct rf_eth_driver vu_driver = {
    .name = VU_DRIVER_NAME,
    .valid_keys = vu_keys,
    .probe = vu_probe,
};

RF_ETH_DRIVER_REGISTER(vu_driver)
