/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user: the session with the vhost-user back-end. The handshake
 * and feature negotiation (virtio 1.x §3.1.1, driver initialisation), the
 * messages that tell the back-end where our rings are, and one control
 * thread per port that watches the socket: a back-end that goes away is a
 * link-down event, and one that comes (back) gets the rings as they are
 * (virtio_rxtx.h), while the data path keeps polling.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rf_atomic.h"
#include "rf_eal.h"
#include "rf_log.h"
#include "rf_rss.h"
#include "virtio_user_dev.h"

int virtio_user_err(struct vu_dev *d, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* The connection failed in a call: keep its reason. */
static int vu_conn_err(struct vu_dev *d, int rc)
{
	return virtio_user_err(d, rc, "%s", d->conn.err);
}

static void wake_thread(struct vu_dev *d)
{
	uint64_t one = 1;

	if (d->wake_fd >= 0 && write(d->wake_fd, &one, sizeof(one)) < 0)
		RF_LOG(DEBUG, VIRTIO, "%s: wake control thread: %s", d->name, strerror(errno));
}

/* --- connection state --- */

static void set_link(struct vu_dev *d, bool up)
{
	rf_eth_dev_set_link(&d->eth, up);
}

/* Forget the back-end. Called with the lock held, from either thread. */
void virtio_user_disconnect(struct vu_dev *d, const char *why)
{
	if (d->state == VU_DISCONNECTED)
		return;
	if (d->state == VU_RUNNING)
		d->link_down_events++;
	set_link(d, false);
	rf_vhost_user_close(&d->conn);
	d->state = VU_DISCONNECTED;
	d->rings_told = false;
	d->conn_gen++;
	if (why != NULL)
		RF_LOG(WARNING, VIRTIO, "%s: back-end at %s lost: %s; %s", d->name, d->path, why,
		       d->server ? "waiting for it to connect again" : "retrying");
	wake_thread(d);
}

/* Queues left at the data path features of the back-end, or of the devargs if none. */
uint64_t virtio_user_dp_features(const struct vu_dev *d)
{
	if (d->state == VU_DISCONNECTED)
		return d->want & VU_DP_FEATURES;
	return d->offered & d->want & VU_DP_FEATURES;
}

/*
 * First messages on a new connection (vhost-user.rst "Communication"):
 * SET_OWNER, GET_FEATURES, then the protocol features and the queue count.
 */
int virtio_user_handshake(struct vu_dev *d)
{
	struct rf_vhost_user_conn *c = &d->conn;
	uint64_t pf = 0, nq = 1;
	int rc;

	/* A new back-end: no vring enabled yet, and one queue pair in use (§5.1.6.5.5). */
	d->pairs_on = 0;
	d->cvq_pairs = 1;
	if ((rc = rf_vhost_user_set_owner(c)) < 0 ||
	    (rc = rf_vhost_user_get_u64(c, RF_VHOST_USER_GET_FEATURES, &d->offered)) < 0)
		return vu_conn_err(d, rc);
	RF_LOG(INFO, VIRTIO, "%s: back-end offers features 0x%llx", d->name,
	       (unsigned long long)d->offered);
	if (!(d->offered & VU_BIT(VIRTIO_F_VERSION_1)))
		return virtio_user_err(
		    d, -ENOTSUP,
		    "back-end does not offer VIRTIO_F_VERSION_1 (features 0x%llx): legacy "
		    "devices are not supported",
		    (unsigned long long)d->offered);
	if (d->offered & VU_BIT(RF_VHOST_USER_F_PROTOCOL_FEATURES)) {
		rc = rf_vhost_user_get_u64(c, RF_VHOST_USER_GET_PROTOCOL_FEATURES, &pf);
		if (rc < 0)
			return vu_conn_err(d, rc);
		pf &= VU_PROTOCOL_FEATURES;
		rc = rf_vhost_user_set_u64(c, RF_VHOST_USER_SET_PROTOCOL_FEATURES, pf);
		if (rc < 0)
			return vu_conn_err(d, rc);
		/* From here on, REPLY_ACK (if agreed) makes every SET_* acknowledged. */
		c->protocol_features = pf;
	}
	/* GET_QUEUE_NUM is legal only with PROTOCOL_F_MQ; without it there is one queue pair. */
	if ((pf & VU_BIT(RF_VHOST_USER_PROTOCOL_F_MQ)) && (d->offered & VU_BIT(VIRTIO_NET_F_MQ))) {
		rc = rf_vhost_user_get_u64(c, RF_VHOST_USER_GET_QUEUE_NUM, &nq);
		if (rc < 0)
			return vu_conn_err(d, rc);
	}
	if (d->max_queues > nq)
		return virtio_user_err(
		    d, -EINVAL,
		    "queues=%u but the back-end at %s offers %llu queue pair%s; use queues=%llu "
		    "(and --rxq/--txq no higher), or give the back-end more queues",
		    d->max_queues, d->path, (unsigned long long)nq, nq == 1 ? "" : "s",
		    (unsigned long long)nq);
	return 0;
}

/* Each heap segment becomes one region, addressed by its VA (vhost-user.rst "Memory access"). */
struct mem_walk {
	struct rf_vhost_user_mem_region regions[RF_VHOST_USER_MAX_REGIONS];
	int fds[RF_VHOST_USER_MAX_REGIONS];
	unsigned n;
	bool too_many, not_va;
};

static int mem_walk_cb(const struct rf_memseg *seg, void *arg)
{
	struct mem_walk *w = arg;

	if (seg->iova_mode != RF_IOVA_VA) {
		w->not_va = true;
		return 1;
	}
	if (w->n == RF_VHOST_USER_MAX_REGIONS) {
		w->too_many = true;
		return 1;
	}
	w->regions[w->n] = (struct rf_vhost_user_mem_region){
	    .guest_phys_addr = (uint64_t)(uintptr_t)seg->va,
	    .memory_size = seg->len,
	    .userspace_addr = (uint64_t)(uintptr_t)seg->va,
	    .mmap_offset = (uint64_t)seg->offset,
	};
	w->fds[w->n] = seg->fd;
	w->n++;
	return 0;
}

static int vu_send_mem_table(struct vu_dev *d)
{
	struct mem_walk w = {.n = 0};

	rf_memseg_walk(mem_walk_cb, &w);
	if (w.not_va)
		return virtio_user_err(d, -EINVAL,
				       "memory is not in IOVA-as-VA mode: use --iova-mode va");
	if (w.too_many || w.n == 0)
		return virtio_user_err(d, -E2BIG, "%u memory segments: vhost-user takes 1 to %u",
				       rf_memseg_count(), RF_VHOST_USER_MAX_REGIONS);
	int rc = rf_vhost_user_set_mem_table(&d->conn, w.regions, w.fds, w.n);
	return rc < 0 ? vu_conn_err(d, rc) : 0;
}

/*
 * Tell the back-end about one vring. The base is the used index as it is in
 * the ring now: on a reconnect the buffers the dead back-end had not used are
 * still posted, and the new one carries on from there (virtio_rxtx.h).
 */
static int vu_setup_vring(struct vu_dev *d, uint32_t index, const struct virtnet_ring_info *ri,
			  int kickfd, int callfd)
{
	struct rf_vhost_user_conn *c = &d->conn;
	/* Relaxed: no device writes the used ring now (it is gone, or not yet told of it). */
	uint16_t base = rf_load_relaxed_u16(&ri->used->idx);
	struct vhost_vring_addr addr = {
	    .index = index,
	    .flags = 0,
	    .desc_user_addr = (uint64_t)(uintptr_t)ri->desc,
	    .used_user_addr = (uint64_t)(uintptr_t)ri->used,
	    .avail_user_addr = (uint64_t)(uintptr_t)ri->avail,
	    .log_guest_addr = 0,
	};
	int rc;

	rc = rf_vhost_user_set_vring_state(c, RF_VHOST_USER_SET_VRING_NUM, index, ri->size);
	if (rc == 0)
		rc = rf_vhost_user_set_vring_state(c, RF_VHOST_USER_SET_VRING_BASE, index, base);
	if (rc == 0)
		rc = rf_vhost_user_set_vring_addr(c, &addr);
	if (rc == 0)
		rc = rf_vhost_user_set_vring_fd(c, RF_VHOST_USER_SET_VRING_KICK, index, kickfd);
	if (rc == 0)
		rc = rf_vhost_user_set_vring_fd(c, RF_VHOST_USER_SET_VRING_CALL, index, callfd);
	if (rc < 0)
		return vu_conn_err(d, rc);
	/* With PROTOCOL_FEATURES a ring starts disabled (vhost-user.rst "Ring states"). */
	if (d->features & VU_BIT(RF_VHOST_USER_F_PROTOCOL_FEATURES)) {
		rc = rf_vhost_user_set_vring_state(c, RF_VHOST_USER_SET_VRING_ENABLE, index, 1);
		if (rc < 0)
			return vu_conn_err(d, rc);
		d->pairs_on |= 1u << (index / 2);
	}
	return 0;
}

/* --- the control virtqueue: the device side we play, and what the driver sends --- */

/* Both vrings of queue pair p (§5.1.2: receiveq 2p, transmitq 2p+1) on or off. */
static int vu_enable_pair(struct vu_dev *d, uint16_t p, bool on)
{
	for (uint32_t v = 2u * p; v <= 2u * p + 1; v++) {
		int rc =
		    rf_vhost_user_set_vring_state(&d->conn, RF_VHOST_USER_SET_VRING_ENABLE, v, on);
		if (rc < 0)
			return vu_conn_err(d, rc);
	}
	if (on)
		d->pairs_on |= 1u << p;
	else
		d->pairs_on &= ~(1u << p);
	RF_LOG(INFO, VIRTIO, "%s: queue pair %u (vrings %u, %u) %s", d->name, p, 2u * p, 2u * p + 1,
	       on ? "enabled" : "disabled");
	return 0;
}

/*
 * VQ_PAIRS_SET as the device: pairs below n that the back-end knows are
 * enabled, every pair from n on is disabled (VHOST_USER_SET_VRING_ENABLE,
 * as QEMU's vhost-user net does), so it no longer touches their rings.
 */
static int cvq_vq_pairs_set(void *arg, uint16_t n)
{
	struct vu_dev *d = arg;

	/* Without PROTOCOL_FEATURES there is no SET_VRING_ENABLE: rings run once kicked. */
	if (!(d->features & VU_BIT(RF_VHOST_USER_F_PROTOCOL_FEATURES)))
		return -ENOTSUP;
	for (uint16_t p = 0; p < RF_MAX_QUEUES_PER_PORT; p++) {
		bool want = p < n && p < d->eth.nb_rx_queues && d->rings_told;
		bool on = (d->pairs_on >> p) & 1;
		if (want == on)
			continue;
		int rc = vu_enable_pair(d, p, want);
		if (rc < 0)
			return rc;
	}
	d->cvq_pairs = n;
	return 0;
}

static const struct virtio_cvq_dev_ops cvq_dev_ops = {
    .vq_pairs_set = cvq_vq_pairs_set,
    /* RSS_CONFIG/HASH_CONFIG: vhost-user could not pass them on; F_RSS is never negotiated. */
    .rss_config = NULL,
};

/* The driver side's kick: the device is us, so it runs the command right here. */
static int cvq_notify(void *arg)
{
	struct vu_dev *d = arg;

	virtio_cvq_dev_process(&d->cvq_dev);
	return 0;
}

int virtio_user_cvq_init(struct vu_dev *d)
{
	if (!(d->want & VU_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	d->cvq = virtio_cvq_create(RF_SOCKET_ID_ANY, cvq_notify, d);
	return d->cvq == NULL ? -errno : 0;
}

uint16_t virtio_user_reta_size(const struct vu_dev *d)
{
	if (!(d->features & VU_BIT(VIRTIO_NET_F_RSS)) || d->rss_caps.max_reta_len == 0)
		return 0;
	/* §5.1.6.5.7.1: a power of two, at most rss_max_indirection_table_length. */
	uint16_t n = RF_MIN(d->rss_caps.max_reta_len, (uint16_t)VIRTIO_RSS_RETA_MAX);
	while (!rf_is_pow2(n))
		n &= (uint16_t)(n - 1);
	return n;
}

int virtio_user_rss_apply(struct vu_dev *d)
{
	struct virtio_rss_config c = {0};
	uint16_t n = virtio_user_reta_size(d);

	if (d->cvq == NULL || n == 0)
		return -ENOTSUP;
	c.hash_types =
	    virtio_rss_hf_to_hash_types(d->rss_conf.rss_hf) & d->rss_caps.supported_hash_types;
	c.reta_len = n;
	memcpy(c.reta, d->reta, sizeof(c.reta[0]) * n);
	c.max_tx_vq = RF_MAX(d->eth.nb_tx_queues, (uint16_t)1);
	c.key_len = VIRTIO_RSS_KEY_LEN;
	memcpy(c.key, d->rss_conf.key_len != 0 ? d->rss_conf.key : rf_rss_default_key,
	       VIRTIO_RSS_KEY_LEN);
	int rc = virtio_cvq_rss_config(d->cvq, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, &c);
	if (rc < 0)
		d->cvq_errors++;
	return rc;
}

/*
 * After DRIVER_OK (the control queue works from then on): tell the device
 * how many queue pairs are in use. Until VQ_PAIRS_SET it uses only the first
 * (§5.1.6.5.5); and pairs enabled by an earlier start with more queues must
 * be turned off, or the back-end would keep using rings we took back.
 */
static int vu_cvq_start(struct vu_dev *d)
{
	if (d->cvq == NULL || !(d->features & VU_BIT(VIRTIO_NET_F_CTRL_VQ)))
		return 0;
	/* Nothing is in flight between commands: the rings can start over with the features. */
	virtio_cvq_reset(d->cvq);
	virtio_cvq_dev_init(&d->cvq_dev, d->cvq, d->features, d->max_queues, &d->rss_caps,
			    &cvq_dev_ops, d);
	if (!(d->features & VU_BIT(VIRTIO_NET_F_MQ)))
		return 0;
	if ((d->features & VU_BIT(VIRTIO_NET_F_RSS)) && d->rss_conf.rss_hf != 0) {
		/* RSS_CONFIG sets the pairs too (§5.1.6.5.7). */
		int rc = virtio_user_rss_apply(d);
		return rc < 0 ? virtio_user_err(d, rc, "control queue: RSS_CONFIG failed: %s",
						strerror(-rc))
			      : 0;
	}
	uint16_t n = d->eth.nb_rx_queues;
	uint32_t beyond = d->pairs_on & ~((1u << n) - 1);
	if (n == d->cvq_pairs && beyond == 0)
		return 0;
	d->err[0] = '\0';
	int rc = virtio_cvq_vq_pairs_set(d->cvq, n);
	if (rc < 0) {
		d->cvq_errors++;
		/* A vhost-user message that failed in the device side has said why in d->err. */
		if (d->err[0] == '\0')
			virtio_user_err(d, rc, "control queue: VQ_PAIRS_SET %u failed: %s", n,
					rc == -EIO ? "the device answered VIRTIO_NET_ERR"
						   : strerror(-rc));
		return rc;
	}
	RF_LOG(INFO, VIRTIO, "%s: VQ_PAIRS_SET %u: %u queue pair%s in use", d->name, n, n,
	       n == 1 ? "" : "s");
	return 0;
}

static int vu_set_status(struct vu_dev *d, uint8_t status)
{
	if (!(d->conn.protocol_features & VU_BIT(RF_VHOST_USER_PROTOCOL_F_STATUS)))
		return 0;
	int rc = rf_vhost_user_set_u64(&d->conn, RF_VHOST_USER_SET_STATUS, status);
	return rc < 0 ? vu_conn_err(d, rc) : 0;
}

/* Negotiate features, with the device status steps of virtio 1.x §3.1.1 when STATUS is agreed. */
static int vu_set_features(struct vu_dev *d)
{
	const uint8_t drv = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	int rc;

	uint64_t missing = d->dp_features & ~d->offered;
	if (missing)
		return virtio_user_err(
		    d, -ENOTSUP,
		    "the queues use%s%s, which this back-end does not offer (features "
		    "0x%llx); stop and start the port to rebuild the queues for it, or "
		    "set mrg_rxbuf=0 / in_order=0",
		    missing & VU_BIT(VIRTIO_NET_F_MRG_RXBUF) ? " VIRTIO_NET_F_MRG_RXBUF" : "",
		    missing & VU_BIT(VIRTIO_F_IN_ORDER) ? " VIRTIO_F_IN_ORDER" : "",
		    (unsigned long long)d->offered);
	d->features = (d->offered & d->want & ~VU_DP_FEATURES) | d->dp_features;
	if (d->max_queues == 1)
		d->features &= ~VU_BIT(VIRTIO_NET_F_MQ);

	if ((rc = vu_set_status(d, 0)) < 0 || (rc = vu_set_status(d, drv)) < 0)
		return rc;
	rc = rf_vhost_user_set_u64(&d->conn, RF_VHOST_USER_SET_FEATURES, d->features);
	if (rc < 0)
		return vu_conn_err(d, rc);
	if (!(d->conn.protocol_features & VU_BIT(RF_VHOST_USER_PROTOCOL_F_STATUS)))
		return 0;
	if ((rc = vu_set_status(d, drv | VIRTIO_CONFIG_S_FEATURES_OK)) < 0)
		return rc;
	/* §3.1.1 step 6: re-read the status; FEATURES_OK still set means the device agreed. */
	uint64_t status;
	rc = rf_vhost_user_get_u64(&d->conn, RF_VHOST_USER_GET_STATUS, &status);
	if (rc < 0)
		return vu_conn_err(d, rc);
	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK))
		return virtio_user_err(d, -ENOTSUP,
				       "back-end refused features 0x%llx (status 0x%llx)",
				       (unsigned long long)d->features, (unsigned long long)status);
	return 0;
}

/* Wake a ring that a back-end following the spec would only start on a kick ("Ring states"). */
static void kick(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		RF_LOG(DEBUG, VIRTIO, "kick eventfd %d: %s", fd, strerror(errno));
}

/*
 * Give the back-end everything it needs to run our rings, then raise the
 * link. Lock held, port started, state CONNECTED.
 */
int virtio_user_setup(struct vu_dev *d)
{
	struct virtnet_ring_info ri;
	int rc;

	rc = vu_set_features(d);
	if (rc < 0)
		return rc;
	/* From here on the back-end may know where our rings are. */
	d->rings_told = true;
	rc = vu_send_mem_table(d);
	if (rc < 0)
		return rc;
	/* virtio-net §5.1.2: receiveqN is vring 2N, transmitqN is 2N+1. */
	for (uint16_t q = 0; q < d->eth.nb_rx_queues; q++) {
		virtnet_rxq_ring_info(d->rxq[q].q, &ri);
		rc = vu_setup_vring(d, 2u * q, &ri, d->rxq[q].kickfd, d->rxq[q].callfd);
		if (rc < 0)
			return rc;
	}
	for (uint16_t q = 0; q < d->eth.nb_tx_queues; q++) {
		virtnet_txq_ring_info(d->txq[q].q, &ri);
		rc = vu_setup_vring(d, 2u * q + 1, &ri, d->txq[q].kickfd, d->txq[q].callfd);
		if (rc < 0)
			return rc;
	}
	rc = vu_set_status(d, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
				  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	if (rc == 0)
		rc = vu_cvq_start(d);
	if (rc < 0)
		return rc;
	for (uint16_t q = 0; q < d->eth.nb_rx_queues; q++)
		kick(d->rxq[q].kickfd);
	for (uint16_t q = 0; q < d->eth.nb_tx_queues; q++)
		kick(d->txq[q].kickfd);
	d->state = VU_RUNNING;
	set_link(d, true);
	return 0;
}

/*
 * A refusal (features, queue count) won't change by retrying: keep the
 * connection and stay down until this back-end goes. Anything else (it died,
 * it broke the protocol), or a refusal once it knows our rings, closes the
 * connection.
 */
void virtio_user_setup_failed(struct vu_dev *d, int rc, const char *when)
{
	/*
	 * Once it may know our rings, only closing the connection is sure to
	 * stop it using them: stop would hand their mbufs back to the pool.
	 */
	bool refusal = rc == -ENOTSUP || rc == -EINVAL || rc == -EIO || rc == -E2BIG;
	if (refusal && !d->rings_told) {
		RF_LOG(ERR, VIRTIO, "%s: %s: %s; link stays down until the back-end changes",
		       d->name, when, d->err);
		set_link(d, false);
		d->state = VU_REFUSED;
		return;
	}
	virtio_user_disconnect(d, d->err);
}

/* A new connection (either mode): handshake, and set up the rings if the port runs. */
static void vu_on_connect(struct vu_dev *d)
{
	d->state = VU_CONNECTED;
	d->conn_gen++;
	d->nb_connects++;
	RF_LOG(INFO, VIRTIO, "%s: connected to back-end at %s", d->name, d->path);
	int rc = virtio_user_handshake(d);
	if (rc < 0) {
		virtio_user_setup_failed(d, rc, "handshake");
		return;
	}
	if (d->started) {
		rc = virtio_user_setup(d);
		if (rc < 0)
			virtio_user_setup_failed(d, rc, "set-up");
	}
}

/* --- the control thread --- */

/* Client mode: the next attempt waits twice as long, up to reconnect_ms. */
static unsigned next_backoff(const struct vu_dev *d, unsigned ms)
{
	return ms >= d->reconnect_ms / 2 ? d->reconnect_ms : ms * 2;
}

static void drain_wake(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		RF_LOG(DEBUG, VIRTIO, "wake eventfd: %s", strerror(errno));
}

/*
 * One per port. Sleeps in poll() on the socket (or the listening socket, or
 * a back-off timer); never spins and never touches the rings except to read
 * used->idx while setting up a new back-end.
 */
static void *vu_thread(void *arg)
{
	struct vu_dev *d = arg;
	unsigned backoff = VU_BACKOFF_FIRST_MS;
	bool accept_failed = false;

	pthread_mutex_lock(&d->lock);
	while (!d->quit) {
		struct pollfd pfd[2] = {{.fd = d->wake_fd, .events = POLLIN}, {.fd = -1}};
		int timeout = -1;
		unsigned gen = d->conn_gen;
		enum vu_state state = d->state;

		if (state != VU_DISCONNECTED)
			pfd[1] = (struct pollfd){.fd = d->conn.fd, .events = POLLIN};
		else if (d->server && !accept_failed)
			pfd[1] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
		else
			timeout = (int)backoff; /* client: next attempt; server: accept failed */
		accept_failed = false;
		pthread_mutex_unlock(&d->lock);

		int n = poll(pfd, 2, timeout);
		int poll_errno = errno;

		pthread_mutex_lock(&d->lock);
		if (pfd[0].revents)
			drain_wake(d->wake_fd);
		if (d->quit)
			break;
		if (n < 0) {
			if (poll_errno != EINTR)
				RF_LOG(ERR, VIRTIO, "%s: poll: %s", d->name, strerror(poll_errno));
			continue;
		}
		/* The app thread changed the connection while we slept: look again. */
		if (gen != d->conn_gen || state != d->state)
			continue;
		if (state != VU_DISCONNECTED) {
			if (pfd[1].revents && !rf_vhost_user_check_alive(&d->conn))
				virtio_user_disconnect(d, d->conn.err);
			continue;
		}
		if (d->server) {
			if (!pfd[1].revents)
				continue;
			int rc = rf_vhost_user_accept(&d->conn, d->listen_fd);
			if (rc == 0) {
				vu_on_connect(d);
			} else if (rc != -EAGAIN) {
				/* Out of fds, say: the socket stays readable, so wait, don't spin.
				 */
				RF_LOG(ERR, VIRTIO, "%s: %s", d->name, d->conn.err);
				accept_failed = true;
				backoff = d->reconnect_ms;
			}
			continue;
		}
		if (n == 0) {
			if (rf_vhost_user_connect(&d->conn, d->path) == 0) {
				backoff = VU_BACKOFF_FIRST_MS;
				vu_on_connect(d);
			} else {
				RF_LOG(DEBUG, VIRTIO, "%s: %s", d->name, d->conn.err);
				backoff = next_backoff(d, backoff);
			}
		}
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* CPUs no lcore polls on, so the control thread never competes with a data core. */
static void control_cpuset(cpu_set_t *set)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(set);
	for (long cpu = 0; cpu < ncpu && cpu < CPU_SETSIZE; cpu++)
		if (!rf_lcore_is_enabled((unsigned)cpu))
			CPU_SET((int)cpu, set);
	if (CPU_COUNT(set) == 0)
		for (long cpu = 0; cpu < ncpu && cpu < CPU_SETSIZE; cpu++)
			CPU_SET((int)cpu, set);
}

int virtio_user_thread_start(struct vu_dev *d)
{
	pthread_attr_t attr;
	sigset_t all, old;
	cpu_set_t cpus;
	int rc;

	control_cpuset(&cpus);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
	/* Signals are the application's business: the thread inherits a full mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&d->thread, &attr, vu_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return -rc;
	d->thread_started = true;
	char tname[16];
	snprintf(tname, sizeof(tname), "vu-ctrl-%s", d->name + strlen(VU_DRIVER_NAME));
	pthread_setname_np(d->thread, tname);
	return 0;
}

void virtio_user_thread_stop(struct vu_dev *d)
{
	if (!d->thread_started)
		return;
	pthread_mutex_lock(&d->lock);
	d->quit = true;
	pthread_mutex_unlock(&d->lock);
	wake_thread(d);
	pthread_join(d->thread, NULL);
	d->thread_started = false;
}
