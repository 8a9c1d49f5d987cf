/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the vhost-user front end (pmd/virtio/vhost_user.c, and
 * the negotiation in virtio_user_dev.c) against a back-end whose replies come
 * from the input.
 *
 * The front end talks over one end of a socketpair; this target is the
 * back-end on the other. The input is a script: the first byte sets the reply
 * timeout (0 or 1 ms: a reply that is not there yet is missing, so nothing
 * stalls) and the protocol features already agreed (REPLY_ACK); then each
 * operation is an opcode, its arguments, and the bytes the back-end writes
 * before the call, optionally carrying file descriptors (SCM_RIGHTS). The
 * bytes can be anything: a reply of the wrong size, for another request, with
 * a bad version, truncated, several replies at once, or none. After each call
 * the target reads what the front end sent and closes any fds that came with
 * it, as a back-end would.
 *
 * What must hold for any input (a broken rule aborts):
 *  - no crash, no sanitizer report, no leak (ASan, UBSan, LSan);
 *  - no fd leak: the number of open fds (/proc/self/fd) is the same after the
 *    input as before: every fd a reply carried was closed;
 *  - a call returns 0 or a negative errno, and on failure a message in
 *    conn.err (NUL-terminated);
 *  - what the front end sends is well-framed: version 1, no reply bit, a
 *    payload no larger than the message union.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_script.h"
#include "rf_eal.h"
#include "rf_log.h"
#include "rf_mbuf.h"
#include "vhost_user.h"
#include "virtio_user_dev.h"

#define MAX_OPS	    256
#define MAX_CHUNK   4096
#define MAX_SEND_FD 12 /* more than the front end has room for (8) */

/* FUZZ_VERBOSE=1: print each call's result, to see what a seed exercises. */
static bool verbose;
/* The queue pair set-up may hand over, and its kick/call eventfds; made once. */
static struct virtnet_rx *rxq;
static struct virtnet_tx *txq;
static int qfds[4];
static struct rf_mempool *mp; /* static: LSan sees it is still reachable at exit */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The EAL heap: virtio_user_setup() hands its segments to the back-end. */
	char *eal_argv[] = {"fuzz_vhost_user_reply", "--no-huge", "-l", "0", "-m", "16",
			    "--log-level",	     "err"};

	(void)argc;
	(void)argv;
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "fuzz_vhost_user_reply: rf_eal_init failed\n");
		abort();
	}
	rf_log_set_level(RF_LOG_CRIT);
	verbose = getenv("FUZZ_VERBOSE") != NULL;

	/* One queue pair whose rings set-up describes (never polled here). */
	const struct virtnet_cfg cfg = {.hdr_size = VU_HDR_SIZE, .mrg_rxbuf = true};
	mp = rf_pktmbuf_pool_create("fuzz_vu", 128, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				    RF_SOCKET_ID_ANY);
	check(mp != NULL);
	rxq = virtnet_rxq_create(&cfg, VIRTNET_RING_SIZE_MIN, RF_SOCKET_ID_ANY, mp);
	txq = virtnet_txq_create(&cfg, VIRTNET_RING_SIZE_MIN, RF_SOCKET_ID_ANY);
	check(rxq != NULL && txq != NULL);
	for (unsigned i = 0; i < RF_DIM(qfds); i++) {
		qfds[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		check(qfds[i] >= 0);
	}
	return 0;
}

struct run {
	struct vu_dev *d; /* d->conn is the front end's connection */
	int be;		  /* the back-end's end, -1 once closed */
};

/*
 * The back-end writes len bytes from the input, the first with nfds fresh
 * eventfds attached; its own copies are closed right after (the front end
 * must close those it receives). A full socket just drops the bytes.
 */
static void be_write(struct run *r, struct script *s)
{
	uint16_t len = get16(s) % (MAX_CHUNK + 1u);
	unsigned nfds = get8(s) % (MAX_SEND_FD + 1u);
	uint8_t buf[MAX_CHUNK];
	int fds[MAX_SEND_FD];
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_SEND_FD)];
		struct cmsghdr align;
	} ctrl;

	if (len > s->left)
		len = (uint16_t)s->left;
	memcpy(buf, s->p, len);
	s->p += len;
	s->left -= len;
	if (r->be < 0 || len == 0)
		return; /* SCM_RIGHTS needs at least one byte to ride on */

	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	unsigned made = 0;
	for (; made < nfds; made++) {
		fds[made] = eventfd(0, EFD_CLOEXEC);
		check(fds[made] >= 0);
	}
	if (made > 0) {
		memset(&ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * made);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * made);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * made);
	}
	(void)sendmsg(r->be, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	for (unsigned i = 0; i < made; i++)
		close(fds[i]);
}

/*
 * Read everything the front end sent, closing the fds it passed (our copies
 * of its memory and eventfds), and check the framing of each message.
 */
static void be_drain(struct run *r)
{
	static uint8_t stream[64 * 1024];
	size_t have = 0;

	if (r->be < 0)
		return;
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 16)];
			struct cmsghdr align;
		} ctrl;
		struct iovec iov = {.iov_base = stream + have, .iov_len = sizeof(stream) - have};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctrl.buf,
				    .msg_controllen = sizeof(ctrl.buf)};
		ssize_t n = recvmsg(r->be, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n <= 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
		have += (size_t)n;
		if (have == sizeof(stream))
			break;
	}
	/* Whole messages, as the front end never sends half of one unless it timed out. */
	size_t off = 0;
	while (off + sizeof(struct rf_vhost_user_hdr) <= have) {
		struct rf_vhost_user_hdr h;
		memcpy(&h, stream + off, sizeof(h));
		check((h.flags & RF_VHOST_USER_VERSION_MASK) == RF_VHOST_USER_VERSION);
		check(!(h.flags & RF_VHOST_USER_FLAG_REPLY));
		check(h.size <= sizeof(((struct rf_vhost_user_msg *)0)->payload));
		off += sizeof(h) + h.size;
	}
}

/* A call's result: 0, or -errno with a message. */
static void check_rc(const struct rf_vhost_user_conn *c, int rc)
{
	if (verbose)
		fprintf(stderr, "  rc %d%s%s\n", rc, rc < 0 ? ": " : "", rc < 0 ? c->err : "");
	check(rc <= 0);
	if (rc < 0) {
		check(memchr(c->err, '\0', sizeof(c->err)) != NULL);
		check(c->err[0] != '\0');
	}
}

static const uint32_t get_reqs[] = {RF_VHOST_USER_GET_FEATURES, RF_VHOST_USER_GET_PROTOCOL_FEATURES,
				    RF_VHOST_USER_GET_QUEUE_NUM, RF_VHOST_USER_GET_STATUS};
static const uint32_t set_reqs[] = {RF_VHOST_USER_SET_FEATURES, RF_VHOST_USER_SET_PROTOCOL_FEATURES,
				    RF_VHOST_USER_SET_STATUS};
static const uint32_t state_reqs[] = {RF_VHOST_USER_SET_VRING_NUM, RF_VHOST_USER_SET_VRING_BASE,
				      RF_VHOST_USER_SET_VRING_ENABLE};

static void op_mem_table(struct rf_vhost_user_conn *c, struct script *s)
{
	struct rf_vhost_user_mem_region regions[RF_VHOST_USER_MAX_REGIONS + 1];
	int fds[RF_VHOST_USER_MAX_REGIONS + 1];
	unsigned n = get8(s) % (RF_VHOST_USER_MAX_REGIONS + 2u); /* 0 and 9 are refused */

	for (unsigned i = 0; i < n; i++) {
		regions[i] = (struct rf_vhost_user_mem_region){
		    .guest_phys_addr = get64(s),
		    .memory_size = 4096,
		    .userspace_addr = get64(s),
		    .mmap_offset = 0,
		};
		fds[i] = eventfd(0, EFD_CLOEXEC);
		check(fds[i] >= 0);
	}
	check_rc(c, rf_vhost_user_set_mem_table(c, regions, fds, n));
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

static void op_vring_fd(struct rf_vhost_user_conn *c, struct script *s)
{
	uint8_t a = get8(s);
	uint32_t req = a & 1u ? RF_VHOST_USER_SET_VRING_CALL : RF_VHOST_USER_SET_VRING_KICK;
	uint32_t index = a & 2u ? get16(s) : get8(s) & 3u; /* sometimes beyond the 8-bit index */
	int fd = a & 4u ? -1 : eventfd(0, EFD_CLOEXEC);

	check_rc(c, rf_vhost_user_set_vring_fd(c, req, index, fd));
	if (fd >= 0)
		close(fd);
}

/* The whole negotiation of virtio_user_dev.c, as on a new connection. */
static void op_negotiate(struct run *r, struct script *s, bool setup)
{
	struct vu_dev *d = r->d;
	uint8_t a = get8(s);

	d->max_queues = (uint16_t)(a % 4u + 1u);
	d->want = VU_BIT(VIRTIO_F_VERSION_1) | VU_BIT(VIRTIO_NET_F_MAC) |
		  VU_BIT(VIRTIO_NET_F_STATUS) | VU_BIT(RF_VHOST_USER_F_PROTOCOL_FEATURES);
	if (d->max_queues > 1)
		d->want |= VU_BIT(VIRTIO_NET_F_MQ);
	if (a & 0x10u)
		d->want |= VU_BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (a & 0x20u)
		d->want |= VU_BIT(VIRTIO_F_IN_ORDER);
	d->dp_features = a & 0x40u ? d->want & VU_DP_FEATURES : 0;
	/* Bits 2-3: an RX and/or a TX queue for set-up to describe (vrings 0 and 1). */
	d->eth.nb_rx_queues = (a >> 2) & 1u;
	d->eth.nb_tx_queues = (a >> 3) & 1u;
	d->state = VU_CONNECTED;
	int rc = setup ? virtio_user_setup(d) : virtio_user_handshake(d);
	if (verbose)
		fprintf(stderr, "  %s: rc %d%s%s (features 0x%llx, protocol 0x%llx, state %d)\n",
			setup ? "set-up" : "handshake", rc, rc < 0 ? ": " : "",
			rc < 0 ? d->err : "", (unsigned long long)d->features,
			(unsigned long long)d->conn.protocol_features, (int)d->state);
	check(rc <= 0);
	if (rc < 0) {
		check(memchr(d->err, '\0', sizeof(d->err)) != NULL && d->err[0] != '\0');
		if (a & 0x80u)
			virtio_user_setup_failed(d, rc, setup ? "set-up" : "handshake");
	}
}

static void run_op(struct run *r, struct script *s)
{
	struct rf_vhost_user_conn *c = &r->d->conn;
	uint8_t op = get8(s) % 16u;

	if (verbose)
		fprintf(stderr, "op %u\n", op);
	be_write(r, s);
	switch (op) {
	case 0:
		check_rc(c, rf_vhost_user_set_owner(c));
		break;
	case 1: {
		uint64_t v = 0;
		check_rc(c, rf_vhost_user_get_u64(c, get_reqs[get8(s) % RF_DIM(get_reqs)], &v));
		break;
	}
	case 2: {
		uint32_t req = set_reqs[get8(s) % RF_DIM(set_reqs)];
		check_rc(c, rf_vhost_user_set_u64(c, req, get64(s)));
		break;
	}
	case 3:
		op_mem_table(c, s);
		break;
	case 4: {
		uint32_t req = state_reqs[get8(s) % RF_DIM(state_reqs)];
		uint32_t index = get8(s);
		check_rc(c, rf_vhost_user_set_vring_state(c, req, index, get16(s)));
		break;
	}
	case 5: {
		struct vhost_vring_addr addr = {.index = get8(s), .flags = 0};
		addr.desc_user_addr = get64(s);
		check_rc(c, rf_vhost_user_set_vring_addr(c, &addr));
		break;
	}
	case 6:
		op_vring_fd(c, s);
		break;
	case 7: {
		uint32_t index = get8(s) & 3u, num = 0xdeadu;
		check_rc(c, rf_vhost_user_get_vring_base(c, index, &num));
		break;
	}
	case 8: {
		int alive = rf_vhost_user_check_alive(c);
		check(alive == 0 || alive == 1);
		break;
	}
	case 9:
		c->protocol_features ^= VU_BIT(RF_VHOST_USER_PROTOCOL_F_REPLY_ACK);
		break;
	case 10:
		op_negotiate(r, s, false);
		break;
	case 11:
		op_negotiate(r, s, true);
		break;
	case 12:
		/* The back-end stops writing: a reply never comes, or comes cut. */
		if (r->be >= 0)
			shutdown(r->be, SHUT_WR);
		break;
	case 13:
		/* The back-end goes away entirely. */
		if (r->be >= 0) {
			be_drain(r);
			close(r->be);
			r->be = -1;
		}
		break;
	case 14: {
		/* The request names are printed in messages: any id must be safe. */
		const char *name = rf_vhost_user_req_name(get32(s));
		check(name != NULL && strlen(name) < 64);
		break;
	}
	default:
		/* Read a reply for nothing: check a stray message is seen (alive == 0). */
		break;
	}
	be_drain(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vu_dev dev;
	struct script s = {.p = data, .left = size};
	struct run r = {.d = &dev, .be = -1};
	int sv[2];
	int fds_before = count_fds();

	memset(&dev, 0, sizeof(dev));
	snprintf(dev.name, sizeof(dev.name), "net_virtio_user_fuzz");
	snprintf(dev.path, sizeof(dev.path), "/nonexistent/fuzz.sock");
	dev.listen_fd = -1;
	dev.wake_fd = -1;
	dev.rxq[0] = (struct vu_rxq){.q = rxq, .kickfd = qfds[0], .callfd = qfds[1], .nb_desc = 64};
	dev.txq[0] = (struct vu_txq){.q = txq, .kickfd = qfds[2], .callfd = qfds[3], .nb_desc = 64};
	uint8_t cfg = get8(&s);
	rf_vhost_user_conn_init(&dev.conn, cfg & 1u);
	if (cfg & 2u)
		dev.conn.protocol_features = VU_BIT(RF_VHOST_USER_PROTOCOL_F_REPLY_ACK);
	check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	dev.conn.fd = sv[0];
	r.be = sv[1];

	for (unsigned i = 0; i < MAX_OPS && s.left > 0; i++)
		run_op(&r, &s);

	rf_vhost_user_close(&dev.conn);
	if (r.be >= 0)
		close(r.be);
	check(count_fds() == fds_before);
	return 0;
}
