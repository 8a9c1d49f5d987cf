/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry socket and its control thread.
 *
 * One thread, one poll() over a stop pipe, the listening socket and at most
 * RF_TEL_MAX_CLIENTS clients. Every socket is non-blocking: a reply that
 * finds the client's buffer full closes that client (it stopped reading),
 * so that one client can never stall the others or the thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "rf_telemetry.h"
#include "tel_private.h"

struct tel_server {
	pthread_t thread;
	bool up;
	int lfd;
	int stop_pipe[2];
	int clients[RF_TEL_MAX_CLIENTS]; /* (thread) -1: free */
	char dir[PATH_MAX];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char req[RF_TEL_MAX_REQUEST + 1]; /* (thread) one more: to see a request too long */
	char out[RF_TEL_MAX_OUTPUT];	  /* (thread) */
};

static struct tel_server srv = {.lfd = -1, .stop_pipe = {-1, -1}};

int rf_tel_runtime_dir(const char *prefix, char *dir, size_t len)
{
	const char *base = getenv("RUNTIME_DIRECTORY");
	int n;

	if (base == NULL || *base == '\0') {
		base = getuid() == 0 ? "/var/run" : getenv("XDG_RUNTIME_DIR");
		if (base == NULL || *base == '\0')
			base = "/tmp";
	}
	n = snprintf(dir, len, "%s/dpdk/%s", base, prefix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p, each level we make mode 0700 as DPDK's runtime dirs. */
static int make_dir(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int rc = mkdir(dir, 0700);
		*p = c;
		if (rc != 0 && errno != EEXIST)
			return -errno;
		if (c == '\0')
			return 0;
	}
}

/* Does a live process accept connections on path? */
static bool in_use(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true; /* cannot tell: do not take it */
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return live;
}

/* Bind and listen on path, replacing a stale socket file. fd, or -errno. */
static int bind_path(const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (rc != 0 && errno == EADDRINUSE && !in_use(&sun)) {
		unlink(path); /* stale: its process is gone */
		rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	}
	if (rc == 0)
		rc = listen(fd, 16);
	if (rc != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void send_msg(int *fd, const char *msg, size_t len)
{
	/* Not blocking, no SIGPIPE: a client that does not read, or left, is closed. */
	if (send(*fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)len) {
		close(*fd);
		*fd = -1;
	}
}

static void accept_client(void)
{
	int fd = accept4(srv.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct rf_tel_data d;

	if (fd < 0)
		return;
	for (unsigned i = 0; i < RF_TEL_MAX_CLIENTS; i++) {
		if (srv.clients[i] >= 0)
			continue;
		srv.clients[i] = fd;
		rf_tel_data_init(&d, srv.out, RF_TEL_MAX_OUTPUT);
		rf_tel_hello(&d);
		send_msg(&srv.clients[i], srv.out, d.len);
		return;
	}
	close(fd); /* too many clients: DPDK closes the connection too */
}

static void serve_client(int *fd)
{
	ssize_t n = recv(*fd, srv.req, sizeof(srv.req), MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	/* MSG_TRUNC gives the whole length: beyond the buffer means too long. */
	size_t len = (size_t)n < sizeof(srv.req) ? (size_t)n : sizeof(srv.req);
	size_t out = rf_tel_handle_request(srv.req, len, srv.out);
	send_msg(fd, srv.out, out);
}

static void *server_main(void *arg)
{
	struct pollfd pfd[2 + RF_TEL_MAX_CLIENTS];

	(void)arg;
	for (;;) {
		unsigned n = 2;

		pfd[0] = (struct pollfd){.fd = srv.stop_pipe[0], .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = srv.lfd, .events = POLLIN};
		for (unsigned i = 0; i < RF_TEL_MAX_CLIENTS; i++)
			pfd[n++] = (struct pollfd){.fd = srv.clients[i], .events = POLLIN};
		if (poll(pfd, n, -1) < 0)
			continue; /* EINTR; nothing else can fail with these arguments */
		if (pfd[0].revents != 0)
			break;
		for (unsigned i = 0; i < RF_TEL_MAX_CLIENTS; i++)
			if (srv.clients[i] >= 0 && pfd[2 + i].revents != 0)
				serve_client(&srv.clients[i]);
		if (pfd[1].revents != 0)
			accept_client();
	}
	return NULL;
}

static void close_all(void)
{
	for (unsigned i = 0; i < RF_TEL_MAX_CLIENTS; i++) {
		if (srv.clients[i] >= 0)
			close(srv.clients[i]);
		srv.clients[i] = -1;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (srv.stop_pipe[i] >= 0)
			close(srv.stop_pipe[i]);
		srv.stop_pipe[i] = -1;
	}
	if (srv.lfd >= 0) {
		close(srv.lfd);
		unlink(srv.path);
		rmdir(srv.dir); /* only if nothing else is in it */
	}
	srv.lfd = -1;
}

/* The first free name: dpdk_telemetry.v2, then dpdk_telemetry.v2:1, :2, ... */
#define TEL_MAX_SUFFIX 64

int rf_tel_start(const char *prefix, char *path, size_t len, char *err, size_t errlen)
{
	int rc = -EEXIST;

	if (srv.up)
		return -EALREADY;
	for (unsigned i = 0; i < RF_TEL_MAX_CLIENTS; i++)
		srv.clients[i] = -1;
	if (rf_tel_runtime_dir(prefix, srv.dir, sizeof(srv.dir)) != 0) {
		snprintf(err, errlen,
			 "telemetry: the runtime directory for prefix '%s' is too long", prefix);
		return -ENAMETOOLONG;
	}
	rc = make_dir(srv.dir);
	if (rc != 0) {
		snprintf(err, errlen,
			 "telemetry: cannot create %s: %s (or run with --no-telemetry)", srv.dir,
			 strerror(-rc));
		return rc;
	}
	for (unsigned i = 0; i < TEL_MAX_SUFFIX; i++) {
		int n = i == 0 ? snprintf(srv.path, sizeof(srv.path), "%s/%s", srv.dir,
					  RF_TEL_SOCKET_NAME)
			       : snprintf(srv.path, sizeof(srv.path), "%s/%s:%u", srv.dir,
					  RF_TEL_SOCKET_NAME, i);
		if (n < 0 || (size_t)n >= sizeof(srv.path)) {
			rc = -ENAMETOOLONG;
			break;
		}
		rc = bind_path(srv.path);
		if (rc != -EADDRINUSE)
			break;
	}
	if (rc < 0) {
		snprintf(err, errlen,
			 "telemetry: cannot listen on %s: %s (or run with --no-telemetry)",
			 srv.path, strerror(-rc));
		rmdir(srv.dir);
		return rc;
	}
	srv.lfd = rc;
	if (pipe2(srv.stop_pipe, O_CLOEXEC) != 0) {
		rc = -errno;
		goto fail;
	}
	rc = -pthread_create(&srv.thread, NULL, server_main, NULL);
	if (rc != 0)
		goto fail;
	pthread_setname_np(srv.thread, "rf-telemetry");
	srv.up = true;
	snprintf(path, len, "%s", srv.path);
	return 0;
fail:
	snprintf(err, errlen, "telemetry: cannot start its thread: %s", strerror(-rc));
	close_all();
	return rc;
}

void rf_tel_stop(void)
{
	if (!srv.up)
		return;
	/* Any byte wakes the poll; the thread then leaves. */
	if (write(srv.stop_pipe[1], "x", 1) != 1)
		pthread_cancel(srv.thread);
	pthread_join(srv.thread, NULL);
	close_all();
	srv.up = false;
}
