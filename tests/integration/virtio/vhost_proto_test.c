/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_virtio_user against a scripted fake vhost-user back-end, for what a
 * real one (testpmd) never does: replies with the wrong id, size or flags,
 * file descriptors nobody asked for, a reply cut short, no reply at all, a
 * queue count too small, a refused feature set, a message out of the blue.
 * Each must fail cleanly with a message that says what happened, leak no fd,
 * and never crash. A well-behaved fake also checks the message sequence of a
 * start and of a reconnect, where SET_VRING_BASE must carry the used index
 * the rings hold.
 *
 * The wire format is written out here from QEMU's docs/interop/vhost-user.rst,
 * not taken from the driver's headers, so that the two are checked against
 * each other. Uses only the public ethdev API on the driver side.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_mbuf.h"

/* vhost-user.rst, "Front-end message types" */
enum {
	GET_FEATURES = 1,
	SET_FEATURES = 2,
	SET_OWNER = 3,
	SET_MEM_TABLE = 5,
	SET_VRING_NUM = 8,
	SET_VRING_ADDR = 9,
	SET_VRING_BASE = 10,
	GET_VRING_BASE = 11,
	SET_VRING_KICK = 12,
	SET_VRING_CALL = 13,
	GET_PROTOCOL_FEATURES = 15,
	SET_PROTOCOL_FEATURES = 16,
	GET_QUEUE_NUM = 17,
	SET_VRING_ENABLE = 18,
};
#define F_VERSION      0x1u
#define F_REPLY	       0x4u
#define F_NEED_REPLY   0x8u
#define VERSION_1      (1ull << 32)
#define PROTOCOL_FEATS (1ull << 30)
#define NET_F_MQ       (1ull << 22)
#define NET_F_MRG      (1ull << 15)
#define IN_ORDER       (1ull << 35)
#define PF_MQ	       (1ull << 0)
#define PF_REPLY_ACK   (1ull << 3)

struct hdr {
	uint32_t request, flags, size;
};

struct msg {
	struct hdr h;
	uint8_t payload[512];
	int fds[8];
	int nfds;
};

/* Payload layouts ("A vring state description", "A vring address description"). */
struct state {
	uint32_t index, num;
};
struct addr {
	uint32_t index, flags;
	uint64_t desc, used, avail, log;
};

#define MAX_SEEN 256

struct fake {
	char dir[64];
	char path[96];
	int lfd;
	pthread_t th;
	void (*script)(struct fake *f);
	/* what the scripts saw */
	uint32_t seen[MAX_SEEN];
	uint32_t seen_flags[MAX_SEEN];
	unsigned nseen;
	uint32_t base[2][4];   /* SET_VRING_BASE per connection, per vring */
	uint64_t used_addr[4]; /* SET_VRING_ADDR used ring, per vring */
	int mem_regions, mem_fds;
	int kick_fds, call_fds;
	uint64_t set_features;
	uint32_t get_vring_base_seen;
	int conn;	/* connections accepted */
	char fail[256]; /* a script's own check that failed */
	/* behaviour of the generic back-end */
	uint64_t features, protocol_features, queue_num;
	uint32_t nack_request; /* refuse this one (REPLY_ACK) */
};

static char g_prefix[64];

RF_PRINTF(2, 3) static void fake_fail(struct fake *f, const char *fmt, ...)
{
	va_list ap;

	if (f->fail[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(f->fail, sizeof(f->fail), fmt, ap);
	va_end(ap);
}

/* One message, fds included; 0, or -1 at EOF or after 10 s of silence. */
static int fake_recv(struct fake *f, int cfd, struct msg *m)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} ctrl;
	struct pollfd p = {.fd = cfd, .events = POLLIN};

	memset(m, 0, sizeof(*m));
	if (poll(&p, 1, 10000) != 1)
		return -1;
	struct iovec iov = {.iov_base = &m->h, .iov_len = sizeof(m->h)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctrl.buf,
			    .msg_controllen = sizeof(ctrl.buf)};
	ssize_t n = recvmsg(cfd, &mh, MSG_WAITALL);
	if (n != (ssize_t)sizeof(m->h))
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			m->nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(m->fds, CMSG_DATA(c), sizeof(int) * (size_t)m->nfds);
		}
	}
	if (m->h.size > sizeof(m->payload)) {
		fake_fail(f, "request %u has a %u-byte payload", m->h.request, m->h.size);
		return -1;
	}
	if (m->h.size > 0 && recv(cfd, m->payload, m->h.size, MSG_WAITALL) != (ssize_t)m->h.size)
		return -1;
	if ((m->h.flags & 0x3) != F_VERSION)
		fake_fail(f, "request %u: flags 0x%x, version is not 1", m->h.request, m->h.flags);
	if (f->nseen < MAX_SEEN) {
		f->seen_flags[f->nseen] = m->h.flags;
		f->seen[f->nseen++] = m->h.request;
	}
	return 0;
}

static void close_fds(struct msg *m)
{
	for (int i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	m->nfds = 0;
}

/* Send a header (as given), a payload, and optionally one fd. */
static void fake_send(int cfd, uint32_t req, uint32_t flags, uint32_t size, const void *payload,
		      uint32_t payload_len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	uint8_t buf[sizeof(struct hdr) + 512];
	struct hdr h = {req, flags, size};

	memcpy(buf, &h, sizeof(h));
	if (payload_len > 0)
		memcpy(buf + sizeof(h), payload, payload_len);
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(h) + payload_len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl.buf;
		mh.msg_controllen = sizeof(ctrl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	if (sendmsg(cfd, &mh, MSG_NOSIGNAL) < 0)
		perror("fake back-end: sendmsg");
}

static void reply_u64(int cfd, uint32_t req, uint64_t v)
{
	fake_send(cfd, req, F_VERSION | F_REPLY, 8, &v, 8, -1);
}

static int fake_accept(struct fake *f)
{
	struct pollfd p = {.fd = f->lfd, .events = POLLIN};

	if (poll(&p, 1, 10000) != 1)
		return -1;
	f->conn++;
	return accept(f->lfd, NULL, NULL);
}

/* Read until the driver closes the connection. */
static void drain_until_eof(struct fake *f, int cfd)
{
	struct msg m;

	while (fake_recv(f, cfd, &m) == 0)
		close_fds(&m);
}

/*
 * A back-end that does what DPDK's does: answers GET_*, acks when asked,
 * keeps note. Returns when stop(f, m) says so (after handling m) or at EOF.
 */
static void serve(struct fake *f, int cfd, int (*stop)(struct fake *f, const struct msg *m))
{
	struct msg m;
	int c = f->conn > 1 ? 1 : 0;

	while (fake_recv(f, cfd, &m) == 0) {
		uint64_t ack = 0;
		switch (m.h.request) {
		case GET_FEATURES:
			reply_u64(cfd, m.h.request, f->features);
			break;
		case GET_PROTOCOL_FEATURES:
			reply_u64(cfd, m.h.request, f->protocol_features);
			break;
		case GET_QUEUE_NUM:
			reply_u64(cfd, m.h.request, f->queue_num);
			break;
		case SET_FEATURES:
			memcpy(&f->set_features, m.payload, 8);
			break;
		case SET_MEM_TABLE:
			f->mem_regions = (int)*(uint32_t *)m.payload;
			f->mem_fds = m.nfds;
			break;
		case SET_VRING_BASE: {
			struct state s;
			memcpy(&s, m.payload, sizeof(s));
			if (s.index < 4)
				f->base[c][s.index] = s.num;
			break;
		}
		case SET_VRING_ADDR: {
			struct addr a;
			memcpy(&a, m.payload, sizeof(a));
			if (a.index < 4)
				f->used_addr[a.index] = a.used;
			break;
		}
		case SET_VRING_KICK:
			f->kick_fds += m.nfds;
			break;
		case SET_VRING_CALL:
			f->call_fds += m.nfds;
			break;
		case GET_VRING_BASE: {
			struct state s;
			memcpy(&s, m.payload, sizeof(s));
			f->get_vring_base_seen++;
			fake_send(cfd, GET_VRING_BASE, F_VERSION | F_REPLY, 8, &s, 8, -1);
			break;
		}
		default:
			break;
		}
		if (m.h.request == f->nack_request)
			ack = 1;
		/* REPLY_ACK: a request that has no reply of its own gets a u64 status. */
		if ((m.h.flags & F_NEED_REPLY) && m.h.request != GET_VRING_BASE &&
		    m.h.request != GET_FEATURES && m.h.request != GET_PROTOCOL_FEATURES &&
		    m.h.request != GET_QUEUE_NUM)
			reply_u64(cfd, m.h.request, ack);
		close_fds(&m);
		if (stop != NULL && stop(f, &m))
			return;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;

	f->script(f);
	return NULL;
}

static void fake_start(struct fake *f, void (*script)(struct fake *f))
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(f->dir, sizeof(f->dir), "/tmp/rf-vproto.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/vhost.sock", f->dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", f->path);
	f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	f->features = VERSION_1 | PROTOCOL_FEATS | NET_F_MRG | IN_ORDER;
	f->protocol_features = PF_REPLY_ACK;
	f->queue_num = 1;
	f->script = script;
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void fake_join(struct fake *f)
{
	pthread_join(f->th, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
	if (f->fail[0] != '\0')
		fail_msg("fake back-end: %s", f->fail);
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the DIR's own */
}

/* Probe a client-mode port against the fake; returns rf_eth_dev_create's result. */
static int probe(struct fake *f, const char *extra, char *err, size_t errlen, uint16_t *port)
{
	char args[512];

	snprintf(args, sizeof(args), "net_virtio_user0,path=%s%s", f->path, extra);
	err[0] = '\0';
	return rf_eth_dev_create(args, port, err, errlen);
}

/* --- scripts: the first messages, then a bad GET_FEATURES reply --- */

static int wait_get_features(struct fake *f, int cfd)
{
	struct msg m;

	while (fake_recv(f, cfd, &m) == 0) {
		close_fds(&m);
		if (m.h.request == GET_FEATURES)
			return 0;
	}
	fake_fail(f, "no GET_FEATURES");
	return -1;
}

static void script_wrong_id(struct fake *f)
{
	int cfd = fake_accept(f);
	uint64_t v = VERSION_1;

	if (wait_get_features(f, cfd) == 0)
		fake_send(cfd, SET_FEATURES, F_VERSION | F_REPLY, 8, &v, 8, -1);
	drain_until_eof(f, cfd);
	close(cfd);
}

static void script_wrong_size(struct fake *f)
{
	int cfd = fake_accept(f);
	uint32_t v = 1;

	if (wait_get_features(f, cfd) == 0)
		fake_send(cfd, GET_FEATURES, F_VERSION | F_REPLY, 4, &v, 4, -1);
	drain_until_eof(f, cfd);
	close(cfd);
}

static void script_huge_size(struct fake *f)
{
	int cfd = fake_accept(f);
	uint64_t v = VERSION_1;

	if (wait_get_features(f, cfd) == 0)
		fake_send(cfd, GET_FEATURES, F_VERSION | F_REPLY, 0xfffffff0u, &v, 8, -1);
	drain_until_eof(f, cfd);
	close(cfd);
}

static void script_no_reply_flag(struct fake *f)
{
	int cfd = fake_accept(f);
	uint64_t v = VERSION_1;

	if (wait_get_features(f, cfd) == 0)
		fake_send(cfd, GET_FEATURES, F_VERSION, 8, &v, 8, -1);
	drain_until_eof(f, cfd);
	close(cfd);
}

static void script_fd_in_reply(struct fake *f)
{
	int cfd = fake_accept(f);
	uint64_t v = VERSION_1;

	if (wait_get_features(f, cfd) == 0) {
		int efd = eventfd(0, EFD_CLOEXEC);
		fake_send(cfd, GET_FEATURES, F_VERSION | F_REPLY, 8, &v, 8, efd);
		close(efd);
	}
	drain_until_eof(f, cfd);
	close(cfd);
}

static void script_cut_short(struct fake *f)
{
	int cfd = fake_accept(f);
	uint32_t v = 1;

	if (wait_get_features(f, cfd) == 0)
		fake_send(cfd, GET_FEATURES, F_VERSION | F_REPLY, 8, &v, 4, -1);
	close(cfd);
}

static void script_silent(struct fake *f)
{
	int cfd = fake_accept(f);

	if (wait_get_features(f, cfd) == 0)
		drain_until_eof(f, cfd);
	close(cfd);
}

static void script_serve(struct fake *f)
{
	int cfd = fake_accept(f);

	serve(f, cfd, NULL);
	close(cfd);
}

/* --- tests --- */

struct bad_reply_case {
	void (*script)(struct fake *f);
	const char *expect;
};

static void check_bad_reply(const struct bad_reply_case *c)
{
	struct fake f = {0};
	char err[512];
	uint16_t port;
	int before = count_fds();

	fake_start(&f, c->script);
	int rc = probe(&f, "", err, sizeof(err), &port);
	fake_join(&f);
	print_message("probe: %s\n", err);
	assert_true(rc < 0);
	assert_non_null(strstr(err, c->expect));
	assert_int_equal(rf_eth_dev_count_avail(), 0);
	/* Every fd the driver opened or was sent is closed again. */
	assert_int_equal(count_fds(), before);
}

static void test_reply_wrong_request(void **state)
{
	(void)state;
	check_bad_reply(
	    &(struct bad_reply_case){script_wrong_id, "GET_FEATURES: reply is for request 2"});
}

static void test_reply_wrong_size(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){
	    script_wrong_size, "GET_FEATURES: reply payload is 4 bytes, expected 8"});
}

static void test_reply_huge_size(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){
	    script_huge_size, "GET_FEATURES: reply payload is 4294967280 bytes, expected 8"});
}

static void test_reply_without_reply_flag(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){script_no_reply_flag, "reply bit"});
}

static void test_reply_with_fd(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){script_fd_in_reply,
						 "1 unexpected file descriptor(s) (closed)"});
}

static void test_reply_cut_short(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){
	    script_cut_short, "back-end closed the connection in the middle of a reply"});
}

static void test_reply_never_comes(void **state)
{
	(void)state;
	check_bad_reply(&(struct bad_reply_case){
	    script_silent, "GET_FEATURES: no reply from the back-end within 5000 ms"});
}

static void test_no_version_1(void **state)
{
	struct fake f = {0};
	char err[512];
	uint16_t port;

	(void)state;
	fake_start(&f, script_serve);
	f.features = PROTOCOL_FEATS | NET_F_MRG; /* a legacy device */
	int rc = probe(&f, "", err, sizeof(err), &port);
	fake_join(&f);
	print_message("probe: %s\n", err);
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(err, "does not offer VIRTIO_F_VERSION_1"));
}

static void test_too_many_queues(void **state)
{
	struct fake f = {0};
	char err[512], want[256];
	uint16_t port;

	(void)state;
	fake_start(&f, script_serve);
	f.features |= NET_F_MQ;
	f.protocol_features |= PF_MQ;
	f.queue_num = 1;
	int rc = probe(&f, ",queues=2", err, sizeof(err), &port);
	fake_join(&f);
	print_message("probe: %s\n", err);
	assert_int_equal(rc, -EINVAL);
	snprintf(want, sizeof(want), "queues=2 but the back-end at %s offers 1 queue pair", f.path);
	assert_non_null(strstr(err, want));
}

static struct rf_mempool *g_mp;

static void port_setup(uint16_t port)
{
	assert_int_equal(rf_eth_dev_configure(port, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, RF_SOCKET_ID_ANY, g_mp), 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, RF_SOCKET_ID_ANY), 0);
}

static int link_status(uint16_t port)
{
	struct rf_eth_link l;

	assert_int_equal(rf_eth_link_get_nowait(port, &l), 0);
	return l.status;
}

static uint64_t xstat(uint16_t port, const char *name)
{
	struct rf_eth_xstat xs[128];
	int n = rf_eth_xstats_get(port, xs, 128);

	for (int i = 0; i < n && i < 128; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	fail_msg("no xstat %s", name);
	return 0;
}

/* REPLY_ACK: the back-end refuses SET_FEATURES; the port starts, its link stays down. */
static void test_refused_features(void **state)
{
	struct fake f = {0};
	char err[512];
	uint16_t port;

	(void)state;
	fake_start(&f, script_serve);
	f.nack_request = SET_FEATURES;
	assert_int_equal(probe(&f, "", err, sizeof(err), &port), 0);
	port_setup(port);
	assert_int_equal(rf_eth_dev_start(port), 0);
	assert_int_equal(link_status(port), RF_ETH_LINK_DOWN);
	assert_int_equal(rf_eth_dev_close(port), 0);
	fake_join(&f);
	/* It was asked for an ack, and nothing after the refusal was sent. */
	int saw = 0;
	for (unsigned i = 0; i < f.nseen; i++) {
		if (f.seen[i] == SET_FEATURES) {
			saw = 1;
			assert_true(f.seen_flags[i] & F_NEED_REPLY);
		}
		assert_int_not_equal(f.seen[i], SET_MEM_TABLE);
	}
	assert_true(saw);
	assert_int_equal(rf_mempool_in_use_count(g_mp), 0);
}

/* Stop serving once every vring is enabled: the set-up is complete. */
static int after_enable_1(struct fake *f, const struct msg *m)
{
	(void)f;
	struct state s;
	memcpy(&s, m->payload, sizeof(s));
	return m->h.request == SET_VRING_ENABLE && s.index == 1;
}

/*
 * First connection: serve the start, then leave used->idx of the TX ring at
 * 7, as a device that dies mid-way leaves it, and send a message nobody asked
 * for. The driver must drop the connection and reconnect; the second set-up
 * must carry SET_VRING_BASE 7 for vring 1.
 */
static void script_reconnect(struct fake *f)
{
	int cfd = fake_accept(f);

	serve(f, cfd, after_enable_1);
	if (f->used_addr[1] == 0) {
		fake_fail(f, "no SET_VRING_ADDR for vring 1");
		close(cfd);
		return;
	}
	/* The used ring is ours to write, as the device (vring_used.idx at offset 2). */
	uint16_t *used_idx = (uint16_t *)(uintptr_t)(f->used_addr[1] + 2);
	__atomic_store_n(used_idx, 7, __ATOMIC_RELEASE);
	fake_send(cfd, 99, F_VERSION, 0, NULL, 0, -1);
	drain_until_eof(f, cfd);
	close(cfd);
	cfd = fake_accept(f);
	if (cfd < 0) {
		fake_fail(f, "the driver did not reconnect");
		return;
	}
	serve(f, cfd, NULL);
	close(cfd);
}

static void test_start_and_reconnect(void **state)
{
	struct fake f = {0};
	char err[512];
	uint16_t port;

	(void)state;
	fake_start(&f, script_reconnect);
	assert_int_equal(probe(&f, ",reconnect_ms=100", err, sizeof(err), &port), 0);
	port_setup(port);
	assert_int_equal(rf_eth_dev_start(port), 0);
	assert_int_equal(link_status(port), RF_ETH_LINK_UP);
	/* Down (the unasked message), then up again with the second connection. */
	int went_down = 0, back = 0;
	for (int i = 0; i < 1000 && !back; i++) {
		int up = link_status(port) == RF_ETH_LINK_UP;
		went_down |= !up;
		back = went_down && up;
		usleep(10000);
	}
	assert_true(back);
	assert_int_equal(xstat(port, "reconnects"), 1);
	assert_int_equal(xstat(port, "link_down_events"), 1);
	assert_int_equal(rf_eth_dev_stop(port), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);
	fake_join(&f);

	/* virtio-net: vring 0 is receiveq1, vring 1 transmitq1. */
	assert_int_equal(f.conn, 2);
	assert_int_equal(f.base[0][0], 0);
	assert_int_equal(f.base[0][1], 0);
	assert_int_equal(f.base[1][0], 0);
	assert_int_equal(f.base[1][1], 7);
	/* Both set-ups: a region (with its fd) per segment, a kick and a call fd per vring. */
	assert_true(f.mem_regions >= 1);
	assert_int_equal(f.mem_fds, f.mem_regions);
	assert_int_equal(f.kick_fds, 4);
	assert_int_equal(f.call_fds, 4);
	assert_int_equal(f.set_features, VERSION_1 | PROTOCOL_FEATS | NET_F_MRG | IN_ORDER);
	/* stop stopped both rings of the live connection. */
	assert_int_equal(f.get_vring_base_seen, 2);
	assert_int_equal(rf_mempool_in_use_count(g_mp), 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	snprintf(g_prefix, sizeof(g_prefix), "rfvproto-%d", (int)getpid());
	char *eal_argv[] = {argv[0],	     "-l",     "0", "--no-huge", "-m", "64",
			    "--file-prefix", g_prefix, NULL};
	if (rf_eal_init(8, eal_argv) < 0) {
		fprintf(stderr, "SKIP: EAL init failed\n");
		return 77;
	}
	g_mp = rf_pktmbuf_pool_create("vproto", 1023, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				      RF_SOCKET_ID_ANY);
	if (g_mp == NULL) {
		fprintf(stderr, "mempool: %s\n", strerror(errno));
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_wrong_request),
	    cmocka_unit_test(test_reply_wrong_size),
	    cmocka_unit_test(test_reply_huge_size),
	    cmocka_unit_test(test_reply_without_reply_flag),
	    cmocka_unit_test(test_reply_with_fd),
	    cmocka_unit_test(test_reply_cut_short),
	    cmocka_unit_test(test_reply_never_comes),
	    cmocka_unit_test(test_no_version_1),
	    cmocka_unit_test(test_too_many_queues),
	    cmocka_unit_test(test_refused_features),
	    cmocka_unit_test(test_start_and_reconnect),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	rf_mempool_free(g_mp);
	rf_eal_cleanup();
	return rc;
}
