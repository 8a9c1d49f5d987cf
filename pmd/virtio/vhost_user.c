/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vhost-user front-end: socket set-up, message framing and file-descriptor
 * passing (QEMU docs/interop/vhost-user.rst). See vhost_user.h for what is
 * checked in a reply.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rf_time.h"
#include "vhost_user.h"

/* Most fds any message carries: SET_MEM_TABLE, one per region. */
#define VU_MAX_FDS RF_VHOST_USER_MAX_REGIONS

/* Record why a call failed in c->err; returns rc (a -errno) for the caller to pass on. */
RF_PRINTF(3, 4) static int vu_fail(struct rf_vhost_user_conn *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return rc;
}

void rf_vhost_user_conn_init(struct rf_vhost_user_conn *c, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
}

void rf_vhost_user_close(struct rf_vhost_user_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->protocol_features = 0;
}

const char *rf_vhost_user_req_name(uint32_t request)
{
	static const char *const names[] = {
	    [RF_VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	    [RF_VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	    [RF_VHOST_USER_SET_OWNER] = "SET_OWNER",
	    [RF_VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	    [RF_VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	    [RF_VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	    [RF_VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	    [RF_VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	    [RF_VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	    [RF_VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	    [RF_VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	    [RF_VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	    [RF_VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	    [RF_VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	    [RF_VHOST_USER_SET_STATUS] = "SET_STATUS",
	    [RF_VHOST_USER_GET_STATUS] = "GET_STATUS",
	};

	if (request < RF_DIM(names) && names[request] != NULL)
		return names[request];
	return "unknown request";
}

static int fill_sockaddr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/* "a regular file", "a directory": what is at a path that should be a socket. */
static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFLNK:
		return "a symbolic link";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	}
	return "not a socket";
}

/*
 * Why connect() to path failed, and what to do, in one line (errno e). A
 * non-socket file at the path is told as such, and returned as -ENOTSOCK:
 * connect() itself only says ECONNREFUSED then, which would read as "the
 * back-end is not up yet".
 */
static int connect_failed(struct rf_vhost_user_conn *c, const char *path, int e)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return vu_fail(c, -ENOTSOCK,
			       "cannot connect to %s: %s: it is %s, not a socket; give the "
			       "back-end's socket path",
			       path, strerror(e), file_kind(st.st_mode));
	if (e == EACCES || e == EPERM)
		return vu_fail(c, -e,
			       "cannot connect to %s: %s: uid %u needs write access to the "
			       "socket and search access to its directories; run as a user who "
			       "has them",
			       path, strerror(e), (unsigned)geteuid());
	return vu_fail(c, -e, "cannot connect to %s: %s", path, strerror(e));
}

int rf_vhost_user_connect(struct rf_vhost_user_conn *c, const char *path)
{
	struct sockaddr_un sun;
	int rc = fill_sockaddr(&sun, path);

	if (rc < 0)
		return vu_fail(c, rc, "socket path '%s' is too long (at most %zu bytes)", path,
			       sizeof(sun.sun_path) - 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return vu_fail(c, -errno, "socket(AF_UNIX): %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = connect_failed(c, path, errno);
		close(fd);
		return rc;
	}
	rf_vhost_user_close(c);
	c->fd = fd;
	return 0;
}

/* A socket file is stale when nobody accepts on it: connect() is refused. */
static int socket_is_stale(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;

	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return 0;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int stale =
	    connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0 && errno == ECONNREFUSED;
	close(fd);
	return stale;
}

/*
 * Why bind() on path failed, and what to do, in one line (errno e). A file
 * that is not a socket is the user's: it is named and left alone.
 */
static void listen_failed(const char *path, int e, char *err, size_t errlen)
{
	struct stat st;

	if (e == EADDRINUSE && lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		snprintf(err, errlen,
			 "cannot listen on %s: it is %s, not a socket, and is left alone; "
			 "remove it or choose another path",
			 path, file_kind(st.st_mode));
	else if (e == EADDRINUSE)
		snprintf(err, errlen,
			 "cannot listen on %s: another process is listening there; stop it or "
			 "choose another path",
			 path);
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen,
			 "cannot create the socket %s: %s: uid %u needs write access to its "
			 "directory; choose another directory or user",
			 path, strerror(e), (unsigned)geteuid());
	else if (e == ENOENT || e == ENOTDIR)
		snprintf(err, errlen,
			 "cannot create the socket %s: %s: its directory does not exist; create "
			 "it or choose another path",
			 path, strerror(e));
	else
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(e));
}

int rf_vhost_user_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int rc = fill_sockaddr(&sun, path);

	if (rc < 0) {
		snprintf(err, errlen, "socket path '%s' is too long (at most %zu bytes)", path,
			 sizeof(sun.sun_path) - 1);
		return rc;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket(AF_UNIX): %s", strerror(errno));
		return rc;
	}
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (rc < 0 && errno == EADDRINUSE && socket_is_stale(path, &sun)) {
		/* Left behind by a process that died; nobody can be using it. */
		unlink(path);
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	}
	if (rc < 0) {
		rc = -errno;
		listen_failed(path, errno, err, errlen);
		close(fd);
		return rc;
	}
	if (listen(fd, 1) < 0) {
		rc = -errno;
		snprintf(err, errlen, "listen on %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return rc;
	}
	return fd;
}

int rf_vhost_user_accept(struct rf_vhost_user_conn *c, int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		return vu_fail(c, -errno, "accept: %s", strerror(errno));
	}
	rf_vhost_user_close(c);
	c->fd = fd;
	return 0;
}

static uint64_t deadline_ns(const struct rf_vhost_user_conn *c)
{
	return rf_time_mono_ns() + (uint64_t)c->timeout_ms * 1000000ull;
}

/* Wait for events on the socket until the deadline. 0, or -ETIMEDOUT / -errno. */
static int wait_fd(struct rf_vhost_user_conn *c, short events, uint64_t deadline)
{
	for (;;) {
		uint64_t now = rf_time_mono_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		int ms = (int)((deadline - now + 999999) / 1000000);
		struct pollfd pfd = {.fd = c->fd, .events = events};
		int n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return 0; /* readable, writable, or hung up: the I/O call says which */
	}
}

static void close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Send one message, its fds in SCM_RIGHTS with the first byte. MSG_DONTWAIT
 * plus poll: a back-end that stopped reading can't block us past the timeout.
 */
static int vu_send(struct rf_vhost_user_conn *c, struct rf_vhost_user_msg *msg, const int *fds,
		   unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} ctrl;
	const char *name = rf_vhost_user_req_name(msg->hdr.request);
	size_t len = sizeof(msg->hdr) + msg->hdr.size;
	size_t sent = 0;
	uint64_t deadline = deadline_ns(c);

	if (c->fd < 0)
		return vu_fail(c, -ENOTCONN, "%s: not connected", name);
	if (nfds > VU_MAX_FDS)
		return vu_fail(c, -EINVAL, "%s: %u fds, at most %u", name, nfds, VU_MAX_FDS);
	while (sent < len) {
		struct iovec iov = {.iov_base = (char *)msg + sent, .iov_len = len - sent};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

		if (sent == 0 && nfds > 0) {
			memset(&ctrl, 0, sizeof(ctrl));
			mh.msg_control = ctrl.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
		}
		ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_fd(c, POLLOUT, deadline);
			if (rc < 0)
				return vu_fail(c, rc, "%s: send: %s", name,
					       rc == -ETIMEDOUT ? "back-end not reading (timed out)"
								: strerror(-rc));
			continue;
		}
		if (n < 0)
			return vu_fail(c, -errno, "%s: send: %s", name, strerror(errno));
		sent += (size_t)n;
	}
	return 0;
}

/*
 * Read exactly len bytes. Any fds that arrive are closed and counted in
 * *nfds_seen: no reply we ask for carries one.
 */
static int vu_recv_exact(struct rf_vhost_user_conn *c, void *buf, size_t len, uint64_t deadline,
			 unsigned *nfds_seen, const char *name, const char *what)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
		struct cmsghdr align;
	} ctrl;
	size_t got = 0;

	while (got < len) {
		struct iovec iov = {.iov_base = (char *)buf + got, .iov_len = len - got};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctrl.buf,
				    .msg_controllen = sizeof(ctrl.buf)};

		ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int rc = wait_fd(c, POLLIN, deadline);
			if (rc == -ETIMEDOUT)
				return vu_fail(c, rc, "%s: no %s from the back-end within %d ms",
					       name, what, c->timeout_ms);
			if (rc < 0)
				return vu_fail(c, rc, "%s: waiting for the %s: %s", name, what,
					       strerror(-rc));
			continue;
		}
		if (n < 0)
			return vu_fail(c, -errno, "%s: receive: %s", name, strerror(errno));
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			unsigned k = (unsigned)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			int fds[VU_MAX_FDS];
			k = RF_MIN(k, (unsigned)VU_MAX_FDS);
			memcpy(fds, CMSG_DATA(cm), k * sizeof(int));
			close_fds(fds, k);
			*nfds_seen += k;
		}
		if (mh.msg_flags & MSG_CTRUNC)
			(*nfds_seen)++; /* more than we have room for: the kernel dropped them */
		if (n == 0)
			return vu_fail(
			    c, -ECONNRESET, "%s: back-end closed the connection %s", name,
			    got == 0 ? "instead of replying" : "in the middle of a reply");
		got += (size_t)n;
	}
	return 0;
}

/*
 * Read the reply to `request` into msg and check it against what we asked:
 * same request id, version 1 with the reply flag, payload exactly
 * `expect_size` bytes, no fds.
 */
static int vu_recv_reply(struct rf_vhost_user_conn *c, uint32_t request,
			 struct rf_vhost_user_msg *msg, uint32_t expect_size)
{
	const char *name = rf_vhost_user_req_name(request);
	uint64_t deadline = deadline_ns(c);
	unsigned nfds = 0;
	int rc;

	rc = vu_recv_exact(c, &msg->hdr, sizeof(msg->hdr), deadline, &nfds, name, "reply");
	if (rc < 0)
		return rc;
	if (msg->hdr.request != request)
		return vu_fail(c, -EPROTO, "%s: reply is for request %u (%s)", name,
			       msg->hdr.request, rf_vhost_user_req_name(msg->hdr.request));
	if ((msg->hdr.flags & RF_VHOST_USER_VERSION_MASK) != RF_VHOST_USER_VERSION ||
	    !(msg->hdr.flags & RF_VHOST_USER_FLAG_REPLY))
		return vu_fail(c, -EPROTO,
			       "%s: reply has flags 0x%x (want version 1 and the reply bit)", name,
			       msg->hdr.flags);
	if (msg->hdr.size != expect_size)
		return vu_fail(c, -EPROTO, "%s: reply payload is %u bytes, expected %u", name,
			       msg->hdr.size, expect_size);
	rc = vu_recv_exact(c, &msg->payload, expect_size, deadline, &nfds, name, "reply payload");
	if (rc < 0)
		return rc;
	if (nfds > 0)
		return vu_fail(c, -EPROTO,
			       "%s: reply carried %u unexpected file descriptor(s) (closed)", name,
			       nfds);
	return 0;
}

static void msg_init(struct rf_vhost_user_msg *msg, uint32_t request, uint32_t size)
{
	memset(msg, 0, sizeof(*msg));
	msg->hdr.request = request;
	msg->hdr.flags = RF_VHOST_USER_VERSION;
	msg->hdr.size = size;
}

/*
 * Send a message that has no reply of its own. With REPLY_ACK negotiated,
 * ask for one (need_reply) so a failure shows at the message that caused it
 * ("REPLY_ACK": u64 0 = success).
 */
static int vu_send_acked(struct rf_vhost_user_conn *c, struct rf_vhost_user_msg *msg,
			 const int *fds, unsigned nfds)
{
	uint32_t request = msg->hdr.request;
	int ack = (c->protocol_features >> RF_VHOST_USER_PROTOCOL_F_REPLY_ACK) & 1;
	int rc;

	if (ack)
		msg->hdr.flags |= RF_VHOST_USER_FLAG_NEED_REPLY;
	rc = vu_send(c, msg, fds, nfds);
	if (rc < 0 || !ack)
		return rc;
	struct rf_vhost_user_msg reply;
	rc = vu_recv_reply(c, request, &reply, sizeof(reply.payload.u64));
	if (rc < 0)
		return rc;
	if (reply.payload.u64 != 0)
		return vu_fail(c, -EIO, "%s: the back-end refused it (status %llu)",
			       rf_vhost_user_req_name(request),
			       (unsigned long long)reply.payload.u64);
	return 0;
}

int rf_vhost_user_set_owner(struct rf_vhost_user_conn *c)
{
	struct rf_vhost_user_msg msg;

	msg_init(&msg, RF_VHOST_USER_SET_OWNER, 0);
	return vu_send_acked(c, &msg, NULL, 0);
}

int rf_vhost_user_get_u64(struct rf_vhost_user_conn *c, uint32_t request, uint64_t *val)
{
	struct rf_vhost_user_msg msg;
	int rc;

	msg_init(&msg, request, 0);
	rc = vu_send(c, &msg, NULL, 0);
	if (rc < 0)
		return rc;
	rc = vu_recv_reply(c, request, &msg, sizeof(msg.payload.u64));
	if (rc < 0)
		return rc;
	*val = msg.payload.u64;
	return 0;
}

int rf_vhost_user_set_u64(struct rf_vhost_user_conn *c, uint32_t request, uint64_t val)
{
	struct rf_vhost_user_msg msg;

	msg_init(&msg, request, sizeof(msg.payload.u64));
	msg.payload.u64 = val;
	return vu_send_acked(c, &msg, NULL, 0);
}

int rf_vhost_user_set_mem_table(struct rf_vhost_user_conn *c,
				const struct rf_vhost_user_mem_region *regions, const int *fds,
				unsigned n)
{
	struct rf_vhost_user_msg msg;

	if (n == 0 || n > RF_VHOST_USER_MAX_REGIONS)
		return vu_fail(c, -EINVAL, "SET_MEM_TABLE: %u regions (1 to %u allowed)", n,
			       RF_VHOST_USER_MAX_REGIONS);
	/* The payload is the full 8-region table whatever nregions says, as QEMU sends it. */
	msg_init(&msg, RF_VHOST_USER_SET_MEM_TABLE, sizeof(msg.payload.memory));
	msg.payload.memory.nregions = n;
	memcpy(msg.payload.memory.regions, regions, n * sizeof(regions[0]));
	return vu_send_acked(c, &msg, fds, n);
}

int rf_vhost_user_set_vring_state(struct rf_vhost_user_conn *c, uint32_t request, uint32_t index,
				  uint32_t num)
{
	struct rf_vhost_user_msg msg;

	msg_init(&msg, request, sizeof(msg.payload.state));
	msg.payload.state.index = index;
	msg.payload.state.num = num;
	return vu_send_acked(c, &msg, NULL, 0);
}

int rf_vhost_user_set_vring_addr(struct rf_vhost_user_conn *c, const struct vhost_vring_addr *addr)
{
	struct rf_vhost_user_msg msg;

	msg_init(&msg, RF_VHOST_USER_SET_VRING_ADDR, sizeof(msg.payload.addr));
	msg.payload.addr = *addr;
	return vu_send_acked(c, &msg, NULL, 0);
}

int rf_vhost_user_set_vring_fd(struct rf_vhost_user_conn *c, uint32_t request, uint32_t index,
			       int fd)
{
	struct rf_vhost_user_msg msg;

	if (index > RF_VHOST_USER_VRING_IDX_MASK || fd < 0)
		return vu_fail(c, -EINVAL, "%s: bad vring %u / fd %d",
			       rf_vhost_user_req_name(request), index, fd);
	msg_init(&msg, request, sizeof(msg.payload.u64));
	msg.payload.u64 = index;
	return vu_send_acked(c, &msg, &fd, 1);
}

int rf_vhost_user_get_vring_base(struct rf_vhost_user_conn *c, uint32_t index, uint32_t *num)
{
	struct rf_vhost_user_msg msg;
	int rc;

	msg_init(&msg, RF_VHOST_USER_GET_VRING_BASE, sizeof(msg.payload.state));
	msg.payload.state.index = index;
	rc = vu_send(c, &msg, NULL, 0);
	if (rc < 0)
		return rc;
	rc = vu_recv_reply(c, RF_VHOST_USER_GET_VRING_BASE, &msg, sizeof(msg.payload.state));
	if (rc < 0)
		return rc;
	if (msg.payload.state.index != index)
		return vu_fail(c, -EPROTO, "GET_VRING_BASE: reply is for vring %u, asked for %u",
			       msg.payload.state.index, index);
	*num = msg.payload.state.num;
	return 0;
}

int rf_vhost_user_check_alive(struct rf_vhost_user_conn *c)
{
	char byte;

	if (c->fd < 0)
		return 0;
	ssize_t n = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 1;
	if (n < 0)
		return vu_fail(c, 0, "back-end connection: %s", strerror(errno));
	if (n == 0)
		return vu_fail(c, 0, "back-end closed the connection");
	return vu_fail(c, 0, "back-end sent a message nobody asked for");
}
