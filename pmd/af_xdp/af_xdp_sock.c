/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_af_xdp: the sockets, their UMEM and rings, and the XDP program that
 * redirects the interface's frames into them.
 *
 * Socket set-up follows Documentation/networking/af_xdp.rst: XDP_UMEM_REG,
 * the four ring sizes, XDP_MMAP_OFFSETS and mmap, then bind to (ifindex,
 * queue). Zero-copy is asked first (unless force_copy=1) and copy mode taken
 * when the driver has none (veth, generic XDP).
 *
 * The program: libxdp finds and opens it (its default xsk_def_xdp_prog.o, or
 * the user's file), libbpf loads it and attaches it through a BPF link. A
 * link belongs to its fd: when ringfwd closes the port, exits, or is killed,
 * the kernel detaches the program, so no stale program blocks the next start.
 * An interface that already has a program is refused, never overwritten: the
 * kernel itself refuses a link over a program attached another way.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/libxdp.h>

#include "af_xdp.h"
#include "rf_log.h"
#include "rf_mbuf.h"

#define AXDP_MIN_CHUNK	  2048u /* the kernel's XDP_UMEM_MIN_CHUNK_SIZE */
#define AXDP_DEFAULT_PROG "xsk_def_xdp_prog.o"
#define AXDP_XSKMAP	  "xsks_map"
#define AXDP_BUSY_POLL_US 20

RF_PRINTF(3, 4) static int serr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 0;
}

/* libbpf and libxdp talk on stderr by default; their words go to our debug log. */
__attribute__((format(printf, 2, 0))) static int lib_print(enum libbpf_print_level level,
							   const char *fmt, va_list ap)
{
	char buf[512];

	(void)level;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	RF_LOG(DEBUG, AF_XDP, "libbpf: %s", buf);
	return 0;
}

__attribute__((format(printf, 2, 0))) static int xdp_lib_print(enum libxdp_print_level level,
							       const char *fmt, va_list ap)
{
	return lib_print((enum libbpf_print_level)level, fmt, ap);
}

static void quiet_libs(void)
{
	libbpf_set_print(lib_print);
	libxdp_set_print(xdp_lib_print);
}

/* --- the XDP program --- */

int axdp_check_no_prog(const struct axdp_dev *d, char *err, size_t errlen)
{
	__u32 id = 0;
	int rc = bpf_xdp_query_id(d->ifindex, 0, &id);

	if (rc < 0) {
		serr(err, errlen, "iface=%s: cannot query its XDP program: %s", d->ifname,
		     strerror(-rc));
		return rc == -EPERM ? -EPERM : -ENODEV;
	}
	if (id != 0) {
		serr(err, errlen,
		     "iface=%s already has an XDP program (id %u); ringfwd does not replace "
		     "it: remove it ('ip link set dev %s xdp off') or stop its owner",
		     d->ifname, id, d->ifname);
		return -EBUSY;
	}
	return 0;
}

static struct xdp_program *prog_open(const char *path)
{
	quiet_libs();
	return path != NULL ? xdp_program__open_file(path, NULL, NULL)
			    : xdp_program__find_file(AXDP_DEFAULT_PROG, NULL, NULL);
}

/* A user's program must be an ELF object with an XSKMAP named xsks_map, as DPDK asks. */
int axdp_prog_check_file(const char *path, char *err, size_t errlen)
{
	struct xdp_program *p = prog_open(path);
	long e = libxdp_get_error(p);

	if (e != 0) {
		serr(err, errlen, "xdp_prog=%s: cannot open it as a BPF object: %s", path,
		     strerror((int)-e));
		return -EINVAL;
	}
	struct bpf_map *m = bpf_object__find_map_by_name(xdp_program__bpf_obj(p), AXDP_XSKMAP);
	int rc = 0;
	if (m == NULL || bpf_map__type(m) != BPF_MAP_TYPE_XSKMAP) {
		serr(err, errlen, "xdp_prog=%s: no XSKMAP named %s to put the sockets in", path,
		     AXDP_XSKMAP);
		rc = -EINVAL;
	}
	xdp_program__close(p);
	return rc;
}

int axdp_prog_attach(struct axdp_dev *d, char *err, size_t errlen)
{
	const char *what = d->prog_path != NULL ? d->prog_path : "libxdp's " AXDP_DEFAULT_PROG;
	struct xdp_program *p = prog_open(d->prog_path);
	long e = libxdp_get_error(p);
	int rc;

	if (e != 0) {
		serr(err, errlen, "cannot open the XDP program %s: %s", what, strerror((int)-e));
		return (int)e;
	}
	struct bpf_object *obj = xdp_program__bpf_obj(p);
	struct bpf_program *bp = bpf_object__next_program(obj, NULL);
	if (bp == NULL) {
		serr(err, errlen, "%s holds no program", what);
		rc = -EINVAL;
		goto fail;
	}
	bpf_program__set_type(bp, BPF_PROG_TYPE_XDP);
	rc = bpf_object__load(obj);
	if (rc < 0) {
		serr(err, errlen,
		     "cannot load the XDP program %s: %s (needs root: CAP_BPF and "
		     "CAP_NET_ADMIN)",
		     what, strerror(-rc));
		goto fail;
	}
	struct bpf_map *map = bpf_object__find_map_by_name(obj, AXDP_XSKMAP);
	if (map == NULL) {
		serr(err, errlen, "%s has no map %s", what, AXDP_XSKMAP);
		rc = -EINVAL;
		goto fail;
	}
	struct bpf_link *link = bpf_program__attach_xdp(bp, d->ifindex);
	e = libbpf_get_error(link);
	if (e != 0) {
		rc = (int)e;
		if (rc == -EBUSY || rc == -EEXIST)
			serr(err, errlen,
			     "iface=%s already has an XDP program; ringfwd does not replace it",
			     d->ifname);
		else
			serr(err, errlen, "cannot attach %s to iface=%s: %s", what, d->ifname,
			     strerror(-rc));
		goto fail;
	}
	d->prog = p;
	d->link = link;
	int map_fd = bpf_map__fd(map);
	for (uint16_t i = 0; i < d->nb_sockets; i++) {
		__u32 key = d->start_queue + i;
		int fd = d->q[i]->fd;
		rc = bpf_map_update_elem(map_fd, &key, &fd, BPF_ANY);
		if (rc < 0) {
			rc = -errno;
			serr(err, errlen, "cannot put the socket of queue %u in %s: %s", key,
			     AXDP_XSKMAP, strerror(errno));
			axdp_prog_detach(d);
			return rc;
		}
	}
	return 0;

fail:
	xdp_program__close(p);
	return rc;
}

void axdp_prog_detach(struct axdp_dev *d)
{
	if (d->link != NULL) {
		bpf_link__destroy(d->link); /* the kernel detaches the program here */
		d->link = NULL;
	}
	if (d->prog != NULL) {
		xdp_program__close(d->prog);
		d->prog = NULL;
	}
}

/* --- UMEM and rings --- */

/* The UMEM: the pool's objects, widened to whole pages (the kernel wants them aligned). */
static int umem_layout(struct axdp_queue *q, char *err, size_t errlen)
{
	const struct rf_mempool *mp = q->mp;
	const struct rf_pktmbuf_pool_private *pp = rf_mempool_get_priv(mp);
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base = (uint64_t)(uintptr_t)mp->base;
	uint64_t start = base & ~(pg - 1);
	uint64_t end = rf_align_ceil(base + (uint64_t)mp->stride * mp->size, pg);

	q->umem_va = (char *)(uintptr_t)start;
	q->umem_len = end - start;
	q->pool_off = base - start;
	q->stride = mp->stride;
	q->nb_obj = mp->size;
	q->data_min = (uint32_t)sizeof(struct rf_mbuf) + pp->priv_size;
	q->rx_data_off = RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM;
	if (mp->seg == NULL || end > (uint64_t)(uintptr_t)mp->seg->va + mp->seg->len ||
	    start < (uint64_t)(uintptr_t)mp->seg->va) {
		serr(err, errlen, "pool %s is not inside one memory segment", mp->name);
		return -EINVAL;
	}
	if (q->stride < AXDP_MIN_CHUNK || q->stride > pg ||
	    q->data_min + RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM + RF_ETHER_ADDR_LEN * 2u >=
		q->stride ||
	    pp->data_room_size < RF_PKTMBUF_HEADROOM + XDP_PACKET_HEADROOM + 64u) {
		serr(err, errlen,
		     "pool %s: %u-byte mbufs cannot be UMEM chunks (%u..%llu bytes, with %u of "
		     "headroom for the kernel)",
		     mp->name, q->stride, AXDP_MIN_CHUNK, (unsigned long long)pg,
		     XDP_PACKET_HEADROOM);
		return -EINVAL;
	}
	return 0;
}

static int ring_map(struct axdp_queue *q, struct axdp_ring *r, const struct xdp_ring_offset *off,
		    uint32_t n, size_t entry, off_t pgoff)
{
	r->map_len = off->desc + (size_t)n * entry;
	r->map =
	    mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, q->fd, pgoff);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->producer = (uint32_t *)((char *)r->map + off->producer);
	r->consumer = (uint32_t *)((char *)r->map + off->consumer);
	r->flags = (uint32_t *)((char *)r->map + off->flags);
	r->descs = (char *)r->map + off->desc;
	r->mask = n - 1;
	/*
	 * A fresh ring starts at 0 on both sides; reading ours back once here,
	 * before the kernel runs, is the only time we do.
	 */
	r->idx = 0;
	return 0;
}

static void ring_unmap(struct axdp_ring *r)
{
	/* idx and mask stay: closing a queue still walks what was sent. */
	if (r->map != NULL)
		munmap(r->map, r->map_len);
	r->map = NULL;
	r->producer = r->consumer = r->flags = NULL;
	r->descs = NULL;
}

static int set_ring(int fd, int opt, uint32_t n)
{
	return setsockopt(fd, SOL_XDP, opt, &n, sizeof(n)) < 0 ? -errno : 0;
}

static int socket_rings(struct axdp_queue *q, char *err, size_t errlen)
{
	struct xdp_mmap_offsets off;
	socklen_t ol = sizeof(off);
	int rc = set_ring(q->fd, XDP_UMEM_FILL_RING, q->nb_rx_desc);

	if (rc == 0)
		rc = set_ring(q->fd, XDP_UMEM_COMPLETION_RING, q->nb_tx_desc);
	if (rc == 0)
		rc = set_ring(q->fd, XDP_RX_RING, q->nb_rx_desc);
	if (rc == 0)
		rc = set_ring(q->fd, XDP_TX_RING, q->nb_tx_desc);
	if (rc == 0 && getsockopt(q->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &ol) < 0)
		rc = -errno;
	if (rc == 0)
		rc = ring_map(q, &q->fill, &off.fr, q->nb_rx_desc, sizeof(uint64_t),
			      XDP_UMEM_PGOFF_FILL_RING);
	if (rc == 0)
		rc = ring_map(q, &q->comp, &off.cr, q->nb_tx_desc, sizeof(uint64_t),
			      XDP_UMEM_PGOFF_COMPLETION_RING);
	if (rc == 0)
		rc = ring_map(q, &q->rx, &off.rx, q->nb_rx_desc, sizeof(struct xdp_desc),
			      XDP_PGOFF_RX_RING);
	if (rc == 0)
		rc = ring_map(q, &q->tx, &off.tx, q->nb_tx_desc, sizeof(struct xdp_desc),
			      XDP_PGOFF_TX_RING);
	if (rc < 0)
		serr(err, errlen, "queue %u: cannot set up the AF_XDP rings: %s", q->qid,
		     strerror(-rc));
	return rc;
}

static int bind_queue(struct axdp_dev *d, struct axdp_queue *q, char *err, size_t errlen)
{
	struct sockaddr_xdp sxdp = {
	    .sxdp_family = AF_XDP,
	    .sxdp_ifindex = (__u32)d->ifindex,
	    .sxdp_queue_id = d->start_queue + q->qid,
	    .sxdp_flags = XDP_USE_NEED_WAKEUP | (d->force_copy ? XDP_COPY : XDP_ZEROCOPY),
	};
	int rc = bind(q->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0 ? -errno : 0;

	if (rc < 0 && !d->force_copy && rc != -EBUSY && rc != -ENODEV) {
		/* No zero-copy in this driver (veth, generic XDP): copy mode. */
		sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP | XDP_COPY;
		rc = bind(q->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) < 0 ? -errno : 0;
		if (rc == 0)
			d->zero_copy = false;
	} else if (rc == 0) {
		d->zero_copy = !d->force_copy;
	}
	if (rc == -EBUSY)
		serr(err, errlen,
		     "iface=%s queue %u already has an AF_XDP socket (another process?)", d->ifname,
		     sxdp.sxdp_queue_id);
	else if (rc < 0)
		serr(err, errlen, "iface=%s queue %u: cannot bind the AF_XDP socket: %s", d->ifname,
		     sxdp.sxdp_queue_id, strerror(-rc));
	return rc;
}

/* Preferred busy polling (kernel 5.11): NAPI runs from our recvfrom/sendto calls. */
static int busy_poll(struct axdp_queue *q, char *err, size_t errlen)
{
	int one = 1, us = AXDP_BUSY_POLL_US, budget = (int)q->busy_budget;

	if (q->busy_budget == 0)
		return 0;
	if (setsockopt(q->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) < 0 ||
	    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof(us)) < 0 ||
	    setsockopt(q->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)) < 0) {
		int rc = -errno;
		serr(err, errlen, "busy_budget=%u: cannot turn on preferred busy polling: %s",
		     q->busy_budget, strerror(errno));
		return rc;
	}
	return 0;
}

int axdp_queue_open(struct axdp_dev *d, struct axdp_queue *q, char *err, size_t errlen)
{
	int rc = umem_layout(q, err, errlen);

	if (rc < 0)
		return rc;
	q->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		rc = -errno;
		if (rc == -EPERM || rc == -EACCES)
			serr(err, errlen,
			     "no permission to open an AF_XDP socket: run as root "
			     "(CAP_NET_RAW, CAP_BPF, CAP_NET_ADMIN)");
		else
			serr(err, errlen, "cannot open an AF_XDP socket: %s", strerror(-rc));
		return rc;
	}
	struct xdp_umem_reg reg = {
	    .addr = (uint64_t)(uintptr_t)q->umem_va,
	    .len = q->umem_len,
	    .chunk_size = q->stride,
	    /* The frame lands past the mbuf header and its headroom (see af_xdp.h). */
	    .headroom = q->data_min + RF_PKTMBUF_HEADROOM,
	    .flags = XDP_UMEM_UNALIGNED_CHUNK_FLAG,
	};
	if (setsockopt(q->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0) {
		rc = -errno;
		serr(err, errlen, "cannot register pool %s (%llu bytes) as UMEM: %s%s", q->mp->name,
		     (unsigned long long)q->umem_len, strerror(-rc),
		     rc == -ENOMEM || rc == -EPERM ? " (RLIMIT_MEMLOCK? run as root)" : "");
		return rc;
	}
	rc = socket_rings(q, err, errlen);
	if (rc < 0)
		return rc;
	q->in_kernel = calloc(q->nb_obj, 1);
	q->tx_mbuf = calloc(q->nb_tx_desc, sizeof(*q->tx_mbuf));
	q->tx_addr = calloc(q->nb_tx_desc, sizeof(*q->tx_addr));
	if (q->in_kernel == NULL || q->tx_mbuf == NULL || q->tx_addr == NULL) {
		serr(err, errlen, "queue %u: out of memory", q->qid);
		return -ENOMEM;
	}
	q->posted = 0;
	q->tx_done = 0;
	/* Chunks on the fill ring before bind: the first frames have somewhere to go. */
	axdp_rx_refill(q);
	rc = bind_queue(d, q, err, errlen);
	if (rc == 0)
		rc = busy_poll(q, err, errlen);
	return rc;
}

/* Close the socket (the kernel stops using the chunks), then take them back. */
void axdp_queue_close(struct axdp_queue *q)
{
	/* The mappings hold the socket's rings: unmap them all, then close. */
	ring_unmap(&q->rx);
	ring_unmap(&q->fill);
	ring_unmap(&q->tx);
	ring_unmap(&q->comp);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	axdp_queue_release_mbufs(q);
	free(q->in_kernel);
	free(q->tx_mbuf);
	free(q->tx_addr);
	q->in_kernel = NULL;
	q->tx_mbuf = NULL;
	q->tx_addr = NULL;
}
