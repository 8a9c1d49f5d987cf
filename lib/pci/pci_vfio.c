/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfio-pci (Documentation/driver-api/vfio.rst): one container per process,
 * one group per IOMMU group, one fd per device.
 *
 * The container holds the IOMMU's view of our memory. Every heap segment is
 * mapped in it at IOVA = VA when the first group joins, each segment added
 * later is mapped as it is added (a memory event), and all of it is unmapped
 * when the last device closes. A device behind it can reach that memory and
 * nothing else: a DMA anywhere else faults in the IOMMU.
 */
#include <linux/vfio.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pci_private.h"
#include "rf_log.h"
#include "rf_memseg.h"

#define MAX_GROUPS 32

struct vfio_group {
	int num;	/* IOMMU group number, /dev/vfio/<num> */
	int fd;		/* -1: slot free */
	unsigned users; /* open devices in this group */
};

/* Control path only: opened and closed from one thread at a time. */
static int container_fd = -1;
static bool iommu_set; /* VFIO_SET_IOMMU done: the container has a type */
static bool mem_cb_on; /* memory events registered */
static struct vfio_group groups[MAX_GROUPS] = {[0 ... MAX_GROUPS - 1] = {.fd = -1}};

RF_PRINTF(3, 4) static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int rf_pci_vfio_container(void)
{
	return iommu_set ? container_fd : -1;
}

static int dma_map(const struct rf_memseg *seg)
{
	struct vfio_iommu_type1_dma_map map = {
	    .argsz = sizeof(map),
	    .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
	    .vaddr = (uint64_t)(uintptr_t)seg->va,
	    .iova = (uint64_t)(uintptr_t)seg->va,
	    .size = seg->len,
	};

	if (ioctl(container_fd, VFIO_IOMMU_MAP_DMA, &map) != 0)
		return -errno;
	RF_LOG(DEBUG, PCI, "vfio: mapped %zu bytes at iova 0x%" PRIx64, seg->len,
	       (uint64_t)map.iova);
	return 0;
}

static int dma_unmap(const struct rf_memseg *seg)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
	    .argsz = sizeof(unmap),
	    .iova = (uint64_t)(uintptr_t)seg->va,
	    .size = seg->len,
	};

	if (ioctl(container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap) != 0)
		return -errno;
	/* The kernel writes back how much it unmapped: all of it, or the map was not ours. */
	return unmap.size == seg->len ? 0 : -EIO;
}

static int mem_event(enum rf_mem_event ev, const struct rf_memseg *seg, void *arg)
{
	(void)arg;
	if (container_fd < 0 || !iommu_set)
		return 0;
	if (ev == RF_MEM_EVENT_ADD)
		return dma_map(seg);
	if (dma_unmap(seg) != 0)
		RF_LOG(WARNING, PCI, "vfio: could not unmap a %zu-byte segment", seg->len);
	return 0;
}

static int map_one(const struct rf_memseg *seg, void *arg)
{
	int ret = dma_map(seg);

	if (ret != 0)
		*(const struct rf_memseg **)arg = seg;
	return ret;
}

static int unmap_one(const struct rf_memseg *seg, void *arg)
{
	unsigned *n = arg;

	if (dma_unmap(seg) == 0 && n != NULL)
		(*n)++;
	return 0;
}

/*
 * Unmap everything while a group still holds the container to its IOMMU:
 * once the last group is closed the container has no IOMMU left to unmap
 * from. So the last group_put calls this before closing its group.
 */
static void container_unmap_all(void)
{
	if (mem_cb_on) {
		rf_mem_event_callback_unregister(mem_event, NULL);
		mem_cb_on = false;
	}
	if (iommu_set) {
		unsigned n = 0;

		rf_memseg_walk(unmap_one, &n);
		RF_LOG(INFO, PCI, "vfio: %u of %u memory segments unmapped from the IOMMU", n,
		       rf_memseg_count());
	}
	iommu_set = false;
}

static void container_release(void)
{
	if (container_fd < 0)
		return;
	container_unmap_all();
	close(container_fd);
	container_fd = -1;
}

static int container_get(char *err, size_t errlen)
{
	if (container_fd >= 0)
		return 0;
	container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container_fd < 0) {
		int e = errno;

		seterr(err, errlen, "cannot open /dev/vfio/vfio: %s (load the vfio-pci module%s)",
		       strerror(e), e == EACCES ? ", and run as root" : "");
		return -e;
	}
	if (ioctl(container_fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(container_fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		seterr(err, errlen, "/dev/vfio/vfio: this kernel's VFIO has no type 1 v2 IOMMU");
		close(container_fd);
		container_fd = -1;
		return -ENOTSUP;
	}
	return 0;
}

/* The container's first group gives it its IOMMU; then every segment is mapped. */
static int container_setup_iommu(char *err, size_t errlen)
{
	const struct rf_memseg *failed = NULL;
	int ret;

	if (iommu_set)
		return 0;
	if (ioctl(container_fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0) {
		ret = -errno;
		seterr(err, errlen, "VFIO_SET_IOMMU: %s (is the guest booted with intel_iommu=on?)",
		       strerror(-ret));
		return ret;
	}
	iommu_set = true;
	ret = rf_memseg_walk(map_one, &failed);
	if (ret != 0) {
		seterr(err, errlen,
		       "VFIO_IOMMU_MAP_DMA of a %zu-byte segment at %p: %s (an IOMMU with fewer "
		       "address bits than user-space addresses refuses IOVA = VA)",
		       failed != NULL ? failed->len : 0, failed != NULL ? failed->va : NULL,
		       strerror(-ret));
		rf_memseg_walk(unmap_one, NULL);
		return ret;
	}
	ret = rf_mem_event_callback_register(mem_event, NULL);
	if (ret != 0) {
		seterr(err, errlen, "cannot follow memory growth: %s", strerror(-ret));
		return ret;
	}
	mem_cb_on = true;
	return 0;
}

static struct vfio_group *group_find(int num)
{
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		if (groups[i].fd >= 0 && groups[i].num == num)
			return &groups[i];
	return NULL;
}

static bool other_groups_open(const struct vfio_group *g)
{
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		if (&groups[i] != g && groups[i].fd >= 0)
			return true;
	return false;
}

static void group_put(struct vfio_group *g)
{
	bool last;

	if (g == NULL || --g->users > 0)
		return;
	last = !other_groups_open(g);
	if (last)
		container_unmap_all();
	close(g->fd);
	g->fd = -1;
	if (last)
		container_release();
}

static struct vfio_group *group_get(const struct rf_pci_device *dev, char *err, size_t errlen,
				    int *ret)
{
	struct vfio_group_status status = {.argsz = sizeof(status)};
	struct vfio_group *g = group_find(dev->iommu_group);
	char path[32];
	int fd;

	if (g != NULL) {
		g->users++;
		return g;
	}
	for (unsigned i = 0; i < MAX_GROUPS && g == NULL; i++)
		if (groups[i].fd < 0)
			g = &groups[i];
	if (g == NULL) {
		seterr(err, errlen, "%s: more than %u IOMMU groups", dev->name, MAX_GROUPS);
		*ret = -ENOSPC;
		return NULL;
	}
	*ret = container_get(err, errlen);
	if (*ret != 0)
		return NULL;
	snprintf(path, sizeof(path), "/dev/vfio/%d", dev->iommu_group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if (e == EBUSY)
			seterr(err, errlen, "%s: IOMMU group %d (%s) is in use by another process",
			       dev->name, dev->iommu_group, path);
		else
			seterr(err, errlen, "%s: cannot open %s: %s%s", dev->name, path,
			       strerror(e), e == EACCES || e == EPERM ? " (run as root)" : "");
		*ret = -e;
		goto fail;
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) != 0 ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		seterr(err, errlen,
		       "%s: IOMMU group %d is not viable: another device in it is bound to a "
		       "kernel driver (ls /sys/kernel/iommu_groups/%d/devices; bind them all to "
		       "vfio-pci)",
		       dev->name, dev->iommu_group, dev->iommu_group);
		close(fd);
		*ret = -EBUSY;
		goto fail;
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &container_fd) != 0) {
		*ret = -errno;
		seterr(err, errlen, "%s: VFIO_GROUP_SET_CONTAINER: %s", dev->name, strerror(-*ret));
		close(fd);
		goto fail;
	}
	g->num = dev->iommu_group;
	g->fd = fd;
	g->users = 1;
	*ret = container_setup_iommu(err, errlen);
	if (*ret != 0) {
		group_put(g);
		return NULL;
	}
	return g;
fail:
	/* Nothing else holds the container if no group is open. */
	for (unsigned i = 0; i < MAX_GROUPS; i++)
		if (groups[i].fd >= 0)
			return NULL;
	container_release();
	return NULL;
}

static void device_unmap(struct rf_pci_device *dev)
{
	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++) {
		struct rf_pci_bar *b = &dev->bar[i];

		if (b->va != NULL)
			munmap(b->va, b->len);
		b->va = NULL;
		b->fd = -1;
		b->off = 0;
	}
}

/* BARs through the region info: mmap where the region allows it, else pread/pwrite. */
static int map_bars(struct rf_pci_device *dev, char *err, size_t errlen)
{
	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++) {
		struct vfio_region_info reg = {.argsz = sizeof(reg), .index = i};
		struct rf_pci_bar *b = &dev->bar[i];

		if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &reg) != 0) {
			int e = errno;

			seterr(err, errlen, "%s: VFIO region info of BAR%u: %s", dev->name, i,
			       strerror(e));
			return -e;
		}
		if (reg.size == 0) {
			b->len = 0;
			continue;
		}
		b->len = reg.size;
		b->fd = dev->vfio_fd;
		b->off = (off_t)reg.offset;
		if (b->io || !(reg.flags & VFIO_REGION_INFO_FLAG_MMAP))
			continue;
		b->va = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED, dev->vfio_fd,
			     (off_t)reg.offset);
		if (b->va == MAP_FAILED) {
			int e = errno;

			b->va = NULL;
			seterr(err, errlen, "%s: cannot map BAR%u through VFIO: %s", dev->name, i,
			       strerror(e));
			return -e;
		}
	}
	return 0;
}

int rf_pci_vfio_open(struct rf_pci_device *dev, char *err, size_t errlen)
{
	struct vfio_device_info info = {.argsz = sizeof(info)};
	struct vfio_region_info cfg = {.argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX};
	struct vfio_group *g;
	int ret = 0;

	if (dev->iommu_group < 0) {
		seterr(err, errlen, "%s: bound to vfio-pci but in no IOMMU group", dev->name);
		return -ENODEV;
	}
	g = group_get(dev, err, errlen, &ret);
	if (g == NULL)
		return ret;
	dev->vfio_fd = ioctl(g->fd, VFIO_GROUP_GET_DEVICE_FD, dev->name);
	if (dev->vfio_fd < 0) {
		ret = -errno;
		seterr(err, errlen, "%s: VFIO_GROUP_GET_DEVICE_FD: %s%s", dev->name, strerror(-ret),
		       ret == -EBUSY ? " (the device is in use elsewhere)" : "");
		dev->vfio_fd = -1;
		group_put(g);
		return ret;
	}
	if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_INFO, &info) != 0 ||
	    ioctl(dev->vfio_fd, VFIO_DEVICE_GET_REGION_INFO, &cfg) != 0) {
		ret = -errno;
		seterr(err, errlen, "%s: VFIO device info: %s", dev->name, strerror(-ret));
		goto fail;
	}
	dev->vfio_reset = (info.flags & VFIO_DEVICE_FLAGS_RESET) != 0;
	dev->cfg_fd = dev->vfio_fd;
	dev->cfg_off = (off_t)cfg.offset;
	ret = map_bars(dev, err, errlen);
	if (ret != 0)
		goto fail;
	return 0;
fail:
	device_unmap(dev);
	close(dev->vfio_fd);
	dev->vfio_fd = -1;
	dev->cfg_fd = -1;
	group_put(g);
	return ret;
}

void rf_pci_vfio_reset(const struct rf_pci_device *dev)
{
	if (dev->vfio_fd >= 0 && dev->vfio_reset && ioctl(dev->vfio_fd, VFIO_DEVICE_RESET) != 0)
		RF_LOG(DEBUG, PCI, "%s: VFIO_DEVICE_RESET: %s", dev->name, strerror(errno));
}

void rf_pci_vfio_close(struct rf_pci_device *dev)
{
	device_unmap(dev);
	if (dev->vfio_fd >= 0)
		close(dev->vfio_fd);
	dev->vfio_fd = -1;
	dev->cfg_fd = -1;
	group_put(group_find(dev->iommu_group));
}
