/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small program that drives lib/pci directly, for the PCI tests (on a
 * sysfs tree a test built, and in the QEMU guest against QEMU's devices).
 *
 *   pci_tool [EAL options] -- scan
 *       every device the scan found, one line each, chosen or not
 *   pci_tool [EAL options] -a BDF -- read BAR OFFSET...
 *       open the device, print the 32-bit register at each OFFSET of BAR (hex)
 *   pci_tool [EAL options] -a BDF -- ioreg BAR OFFSET
 *       an e1000e's register through its port I/O BAR: OFFSET into IOADDR
 *       (BAR+0), then the value from IODATA (BAR+4) (82574 datasheet §9.3.2)
 *   pci_tool [EAL options] -a BDF -- e1000-run
 *       open an e1000, set RCTL.EN and TCTL.EN, print "running", wait for
 *       SIGTERM or SIGINT, then exit() with the device still open: lib/pci's
 *       exit path must reset it (the driver's quiesce hook clears the enable
 *       bits and sets CTRL.RST) and switch bus mastering off
 *   pci_tool [EAL options] -- mbuf-iova N
 *       a pool of N mbufs: every buf_iova must be the address pagemap gives
 *       (pa) or the virtual one (va), and no mbuf may cross a page (pa)
 *   pci_tool [EAL options] -- ports
 *       probe through ethdev with a test driver that claims e1000s (8086:100e):
 *       each becomes a port named by its address; then close them all
 *   pci_tool [EAL options] -a BDF -- vfio-maps [GROW_MB]
 *       open a vfio-pci device, then allocate GROW_MB more than the heap has
 *       (a segment added while the device is open); the container must map
 *       every memory segment, exactly; close it and say how many segments
 *       were unmapped
 *
 * RF_PCI_SYSFS_DIR in the environment replaces /sys/bus/pci/devices;
 * PCI_TOOL_UID=N makes the process drop root for uid and gid N first (the
 * guest's busybox has no su or chpst).
 * Exit: 0 done, 1 a check failed, 2 start-up refused (one line on stderr).
 */
#include <linux/vfio.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_ethdev_pci.h"
#include "rf_mbuf.h"
#include "rf_pci.h"

/* Intel 8254x SDM §13.4: the registers the e1000 test touches. */
#define E1000_CTRL     0x0000
#define E1000_STATUS   0x0008
#define E1000_RCTL     0x0100
#define E1000_TCTL     0x0400
#define E1000_CTRL_RST (1u << 26)
#define E1000_RCTL_EN  (1u << 1)
#define E1000_TCTL_EN  (1u << 1)

RF_PRINTF(1, 2) static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pci_tool: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 2;
}

static struct rf_pci_device *first_selected(void)
{
	for (struct rf_pci_device *d = rf_pci_devices(); d != NULL; d = d->next)
		if (d->selected)
			return d;
	return NULL;
}

static struct rf_pci_device *open_first(char *err, size_t errlen)
{
	struct rf_pci_device *d = first_selected();

	if (d == NULL) {
		snprintf(err, errlen, "no PCI device chosen: name one with -a");
		return NULL;
	}
	if (rf_pci_device_open(d, err, errlen) != 0)
		return NULL;
	return d;
}

static int cmd_scan(void)
{
	for (struct rf_pci_device *d = rf_pci_devices(); d != NULL; d = d->next) {
		printf("%s %04x:%04x class=%06x driver=%s group=%d numa=%d access=%s%s", d->name,
		       d->id.vendor_id, d->id.device_id, d->class_id,
		       d->driver[0] != '\0' ? d->driver : "-", d->iommu_group, d->numa_node,
		       rf_pci_access_name(d->access), d->selected ? " selected" : "");
		for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++)
			if (d->bar[i].len != 0)
				printf(" bar%u=%s:0x%" PRIx64 "/0x%" PRIx64, i,
				       d->bar[i].io ? "io" : "mem", d->bar[i].phys, d->bar[i].len);
		printf("\n");
	}
	return 0;
}

static int read_reg(const struct rf_pci_device *d, unsigned bar, uint32_t off, uint32_t *v)
{
	if (d->bar[bar].va != NULL) {
		*v = rf_pci_reg_read32(d->bar[bar].va, off);
		return 0;
	}
	return rf_pci_bar_read(d, bar, v, sizeof(*v), off);
}

static int cmd_read(const char *bar_s, char **offs, int n)
{
	char err[256];
	unsigned long bar = strtoul(bar_s, NULL, 0);
	struct rf_pci_device *d;
	int status = 0;

	if (bar >= RF_PCI_MAX_BARS)
		return fail("read: BAR %s: expected 0 to 5", bar_s);
	d = open_first(err, sizeof(err));
	if (d == NULL)
		return fail("%s", err);
	for (int i = 0; i < n; i++) {
		unsigned long off = strtoul(offs[i], NULL, 0);
		uint32_t v;

		if (d->bar[bar].len == 0 || off + 4 > d->bar[bar].len) {
			rf_pci_device_close(d);
			return fail("read: BAR %s has no offset %s", bar_s, offs[i]);
		}
		if (read_reg(d, (unsigned)bar, (uint32_t)off, &v) != 0) {
			status = 1;
			continue;
		}
		printf("%s bar%lu+0x%lx = 0x%08" PRIx32 " (%s)\n", d->name, bar, off, v,
		       rf_pci_access_name(d->access));
	}
	rf_pci_device_close(d);
	return status;
}

static int cmd_ioreg(const char *bar_s, const char *off_s)
{
	unsigned long bar = strtoul(bar_s, NULL, 0);
	uint32_t off = (uint32_t)strtoul(off_s, NULL, 0), v = 0;
	char err[256];
	struct rf_pci_device *d;
	int ret;

	if (bar >= RF_PCI_MAX_BARS)
		return fail("ioreg: BAR %s: expected 0 to 5", bar_s);
	d = open_first(err, sizeof(err));
	if (d == NULL)
		return fail("%s", err);
	if (!d->bar[bar].io || d->bar[bar].len < 8) {
		rf_pci_device_close(d);
		return fail("ioreg: BAR %s of %s is not a port I/O BAR", bar_s, d->name);
	}
	ret = rf_pci_bar_write(d, (unsigned)bar, &off, sizeof(off), 0);
	if (ret == 0)
		ret = rf_pci_bar_read(d, (unsigned)bar, &v, sizeof(v), 4);
	if (ret == 0)
		printf("%s io bar%lu reg 0x%" PRIx32 " = 0x%08" PRIx32 " (%s)\n", d->name, bar, off,
		       v, rf_pci_access_name(d->access));
	else
		fprintf(stderr, "pci_tool: ioreg: %s\n", strerror(-ret));
	rf_pci_device_close(d);
	return ret == 0 ? 0 : 1;
}

/* The minimal e1000 stop: receiver and transmitter off, then a device reset (SDM §14.5). */
static void e1000_quiesce(struct rf_pci_device *d, void *arg)
{
	void *bar0 = d->bar[0].va;

	(void)arg;
	rf_pci_reg_write32(bar0, E1000_RCTL, rf_pci_reg_read32(bar0, E1000_RCTL) & ~E1000_RCTL_EN);
	rf_pci_reg_write32(bar0, E1000_TCTL, rf_pci_reg_read32(bar0, E1000_TCTL) & ~E1000_TCTL_EN);
	rf_pci_reg_write32(bar0, E1000_CTRL, rf_pci_reg_read32(bar0, E1000_CTRL) | E1000_CTRL_RST);
}

static int cmd_e1000_run(const sigset_t *stop)
{
	char err[256];
	struct rf_pci_device *d = open_first(err, sizeof(err));
	void *bar0;
	int sig;

	if (d == NULL)
		return fail("%s", err);
	bar0 = d->bar[0].va;
	if (bar0 == NULL || d->bar[0].len < 0x1000) {
		rf_pci_device_close(d);
		return fail("%s: BAR0 is not a mapped e1000 register window", d->name);
	}
	d->quiesce = e1000_quiesce;
	rf_pci_reg_write32(bar0, E1000_RCTL, rf_pci_reg_read32(bar0, E1000_RCTL) | E1000_RCTL_EN);
	rf_pci_reg_write32(bar0, E1000_TCTL, rf_pci_reg_read32(bar0, E1000_TCTL) | E1000_TCTL_EN);
	printf("running: %s RCTL=0x%08" PRIx32 " TCTL=0x%08" PRIx32 "\n", d->name,
	       rf_pci_reg_read32(bar0, E1000_RCTL), rf_pci_reg_read32(bar0, E1000_TCTL));
	fflush(stdout);
	do
		sig = sigwaitinfo(stop, NULL);
	while (sig != SIGTERM && sig != SIGINT);
	printf("%s: exiting with %s still open\n", sig == SIGTERM ? "SIGTERM" : "SIGINT", d->name);
	fflush(stdout);
	exit(0); /* no close, no cleanup: the exit path must do it */
}

struct iova_check {
	uint64_t page;
	unsigned bad_iova, crossing, n;
};

static void check_mbuf(struct rf_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct iova_check *c = arg;
	struct rf_mbuf *m = obj;
	const struct rf_memseg *seg = rf_mem_lookup(obj);
	uint64_t want;

	(void)idx;
	c->n++;
	if (seg->iova_mode == RF_IOVA_PA) {
		char *first = obj, *last = (char *)obj + mp->elt_size - 1;

		want = rf_mem_virt2phy(m->buf_addr);
		if ((uintptr_t)first / c->page != (uintptr_t)last / c->page ||
		    rf_mem_virt2phy(last) - rf_mem_virt2phy(first) != mp->elt_size - 1)
			c->crossing++;
	} else {
		want = (uint64_t)(uintptr_t)m->buf_addr;
	}
	if (m->buf_iova != want || want == RF_BAD_IOVA)
		c->bad_iova++;
}

static int cmd_mbuf_iova(const char *n_s)
{
	unsigned long n = strtoul(n_s, NULL, 0);
	struct iova_check c = {0};
	struct rf_mempool *mp;

	if (n == 0 || n > 1u << 20)
		return fail("mbuf-iova: '%s': expected a count up to 1048576", n_s);
	mp = rf_pktmbuf_pool_create("pci_tool", (unsigned)n, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	if (mp == NULL)
		return fail("mbuf-iova: cannot create the pool: %s", strerror(errno));
	c.page = rf_mem_lookup(mp->base)->page_size;
	rf_mempool_obj_iter(mp, check_mbuf, &c);
	printf("%u mbufs, iova-mode %s, %zu-byte pages, %u objects per page: %u wrong IOVA, "
	       "%u crossing a page\n",
	       c.n, rf_mem_lookup(mp->base)->iova_mode == RF_IOVA_PA ? "pa" : "va", (size_t)c.page,
	       mp->objs_per_page, c.bad_iova, c.crossing);
	rf_mempool_free(mp);
	return c.bad_iova == 0 && c.crossing == 0 && c.n == n ? 0 : 1;
}

/* The test driver behind "ports": a port with no queues, whose close closes the device. */
struct tool_port {
	struct rf_eth_dev eth; /* first: ethdev frees through dev_close */
	struct rf_pci_device *pdev;
};

static int tool_close(struct rf_eth_dev *dev)
{
	struct tool_port *p = rf_container_of(dev, struct tool_port, eth);

	rf_pci_device_close(p->pdev);
	free(p);
	return 0;
}

static int tool_infos_get(struct rf_eth_dev *dev, struct rf_eth_dev_info *info)
{
	(void)dev;
	(void)info;
	return 0;
}

static const struct rf_eth_dev_ops tool_ops = {.dev_infos_get = tool_infos_get,
					       .dev_close = tool_close};

static int tool_probe(struct rf_pci_device *pdev, const struct rf_devargs *args,
		      struct rf_eth_dev **out, char *err, size_t errlen)
{
	struct tool_port *p = calloc(1, sizeof(*p));

	(void)args;
	if (p == NULL) {
		snprintf(err, errlen, "%s: out of memory", pdev->name);
		return -ENOMEM;
	}
	p->pdev = pdev;
	p->eth.ops = &tool_ops;
	*out = &p->eth;
	return 0;
}

static const struct rf_pci_id tool_ids[] = {{0x8086, 0x100e}, {0}};
static const struct rf_eth_pci_driver tool_drv = {
    .drv = {.name = "net_pci_tool"},
    .id_table = tool_ids,
    .probe = tool_probe,
};
RF_ETH_PCI_DRIVER_REGISTER(tool_drv)

static int cmd_ports(void)
{
	char err[256];
	uint16_t port;

	if (rf_eth_dev_probe_eal(err, sizeof(err)) != 0)
		return fail("%s", err);
	RF_ETH_FOREACH_DEV(port)
	{
		struct rf_eth_dev_info info;

		rf_eth_dev_info_get(port, &info);
		printf("port %u: %s (driver %s)\n", port, rf_eth_dev_name(port), info.driver_name);
	}
	RF_ETH_FOREACH_DEV(port)
	rf_eth_dev_close(port);
	return 0;
}

struct maps_check {
	int container;
	unsigned segs, exact;
	size_t bytes;
};

/* Whether the container takes a 4 KB mapping at iova: 0, or the errno it refused with. */
static int try_map_page(int container, uint64_t iova, const void *backing)
{
	struct vfio_iommu_type1_dma_map m = {.argsz = sizeof(m),
					     .flags = VFIO_DMA_MAP_FLAG_READ,
					     .vaddr = (uint64_t)(uintptr_t)backing,
					     .iova = iova,
					     .size = 4096};
	struct vfio_iommu_type1_dma_unmap u = {.argsz = sizeof(u), .iova = iova, .size = 4096};

	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m) != 0)
		return errno;
	ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u);
	return 0;
}

/*
 * Mapped exactly: mapping the segment again is refused (EEXIST, already
 * there), and the page on either side of it is free to map, unless it
 * belongs to another segment (then it is taken too).
 */
static int check_seg(const struct rf_memseg *seg, void *arg)
{
	struct maps_check *c = arg;
	struct vfio_iommu_type1_dma_map map = {.argsz = sizeof(map),
					       .flags = VFIO_DMA_MAP_FLAG_READ,
					       .vaddr = (uint64_t)(uintptr_t)seg->va,
					       .iova = (uint64_t)(uintptr_t)seg->va,
					       .size = seg->len};
	bool again = ioctl(c->container, VFIO_IOMMU_MAP_DMA, &map) != 0 && errno == EEXIST;
	uint64_t around[2] = {(uint64_t)(uintptr_t)seg->va - 4096,
			      (uint64_t)(uintptr_t)seg->va + seg->len};
	bool edges = true;

	for (unsigned i = 0; i < 2; i++) {
		bool other = rf_mem_lookup((const void *)(uintptr_t)around[i]) != NULL;
		int e = try_map_page(c->container, around[i], seg->va);

		if (other ? e != EEXIST : e != 0) {
			printf("vfio: segment %p+%zu: the page at 0x%" PRIx64 " (%s) gave %s\n",
			       seg->va, seg->len, around[i],
			       other ? "another segment" : "outside the heap",
			       e == 0 ? "no error" : strerror(e));
			edges = false;
		}
	}
	if (!again)
		printf("vfio: segment %p+%zu: mapping it again was not refused as existing\n",
		       seg->va, seg->len);
	c->segs++;
	c->bytes += seg->len;
	c->exact += again && edges;
	return 0;
}

static int cmd_vfio_maps(const char *grow_s)
{
	unsigned long grow = grow_s != NULL ? strtoul(grow_s, NULL, 10) : 0;
	struct maps_check c = {0};
	char err[256];
	struct rf_pci_device *d = open_first(err, sizeof(err));
	unsigned before = rf_memseg_count();
	void *big = NULL;

	if (d == NULL)
		return fail("%s", err);
	c.container = rf_pci_vfio_container();
	if (d->access != RF_PCI_ACCESS_VFIO || c.container < 0) {
		rf_pci_device_close(d);
		return fail("vfio-maps: %s is not bound to vfio-pci", d->name);
	}
	if (grow != 0) {
		big = rf_zmalloc("pci_tool", grow << 20, 0, RF_SOCKET_ID_ANY);
		if (big == NULL || rf_memseg_count() == before) {
			rf_free(big);
			rf_pci_device_close(d);
			return fail("vfio-maps: %lu MB did not grow the heap by a segment", grow);
		}
	}
	rf_memseg_walk(check_seg, &c);
	rf_free(big);
	printf("vfio: %u segments, %zu bytes, %u mapped exactly\n", c.segs, c.bytes, c.exact);
	rf_pci_device_close(d);
	printf("vfio: after close the container is %s\n",
	       rf_pci_vfio_container() < 0 ? "released" : "still open");
	return c.segs > 0 && c.exact == c.segs && rf_pci_vfio_container() < 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("RF_PCI_SYSFS_DIR");
	const char *uid = getenv("PCI_TOOL_UID");
	sigset_t stop;
	int rc, status;

	if (dir != NULL)
		rf_pci_set_sysfs_dir(dir);
	if (uid != NULL) {
		unsigned long id = strtoul(uid, NULL, 10);

		if (setgroups(0, NULL) != 0 || setresgid((gid_t)id, (gid_t)id, (gid_t)id) != 0 ||
		    setresuid((uid_t)id, (uid_t)id, (uid_t)id) != 0)
			return fail("cannot become uid %lu: %s", id, strerror(errno));
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	rc = rf_eal_init(argc, argv);
	if (rc < 0)
		return 2; /* the EAL said why, in one line */
	argc -= rc;
	argv += rc;
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc == 1 && strcmp(argv[0], "scan") == 0)
		status = cmd_scan();
	else if (argc >= 3 && strcmp(argv[0], "read") == 0)
		status = cmd_read(argv[1], argv + 2, argc - 2);
	else if (argc == 3 && strcmp(argv[0], "ioreg") == 0)
		status = cmd_ioreg(argv[1], argv[2]);
	else if (argc == 1 && strcmp(argv[0], "e1000-run") == 0)
		status = cmd_e1000_run(&stop);
	else if (argc == 2 && strcmp(argv[0], "mbuf-iova") == 0)
		status = cmd_mbuf_iova(argv[1]);
	else if (argc == 1 && strcmp(argv[0], "ports") == 0)
		status = cmd_ports();
	else if ((argc == 1 || argc == 2) && strcmp(argv[0], "vfio-maps") == 0)
		status = cmd_vfio_maps(argc == 2 ? argv[1] : NULL);
	else
		status = fail("expected one of: scan, read BAR OFFSET..., ioreg BAR OFFSET, "
			      "e1000-run, mbuf-iova N, "
			      "ports, vfio-maps [GROW_MB]");
	rf_eal_cleanup();
	return status;
}
