/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening and closing a device, config space and BAR access. The uio and
 * sysfs methods live here (both are sysfs files: resourceN for the BARs,
 * config for config space); vfio-pci is in pci_vfio.c.
 *
 * Every open device is also on open_devs, so that an atexit handler closes
 * what a program left open: the device is reset and stops bus mastering
 * before the process's memory goes back to the kernel (see rf_pci.h).
 */
#include <linux/pci_regs.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pci_private.h"
#include "rf_eal.h"
#include "rf_log.h"
#include "rf_pci.h"

#define MAX_OPEN 64

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rf_pci_device *open_devs[MAX_OPEN]; /* (open_lock) */
static bool atexit_done;			  /* (open_lock) */

RF_PRINTF(3, 4) static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int rf_pci_cfg_read(const struct rf_pci_device *dev, void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (!dev->is_open || dev->cfg_fd < 0)
		return -EBADF;
	n = pread(dev->cfg_fd, buf, len, dev->cfg_off + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int rf_pci_cfg_write(const struct rf_pci_device *dev, const void *buf, size_t len, off_t off)
{
	ssize_t n;

	if (!dev->is_open || dev->cfg_fd < 0)
		return -EBADF;
	n = pwrite(dev->cfg_fd, buf, len, dev->cfg_off + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Read-modify-write of the command register (PCI Local Bus 3.0 §6.2.2). */
static int cmd_update(const struct rf_pci_device *dev, uint16_t set, uint16_t clear)
{
	uint16_t cmd;
	int ret = rf_pci_cfg_read(dev, &cmd, sizeof(cmd), PCI_COMMAND);

	if (ret != 0)
		return ret;
	cmd = (uint16_t)((cmd | set) & ~clear);
	return rf_pci_cfg_write(dev, &cmd, sizeof(cmd), PCI_COMMAND);
}

int rf_pci_set_bus_master(const struct rf_pci_device *dev, bool on)
{
	return on ? cmd_update(dev, PCI_COMMAND_MASTER, 0) : cmd_update(dev, 0, PCI_COMMAND_MASTER);
}

/* A port I/O access of len bytes at off in an open BAR with a file to it: 0, or the error. */
static int bar_check(const struct rf_pci_device *dev, unsigned bar, size_t len, off_t off)
{
	if (!dev->is_open || bar >= RF_PCI_MAX_BARS || dev->bar[bar].len == 0)
		return -EINVAL;
	if (len != 1 && len != 2 && len != 4)
		return -EINVAL;
	if (off < 0 || (uint64_t)off + len > dev->bar[bar].len)
		return -ERANGE;
	if (dev->bar[bar].fd < 0)
		return -EBADF;
	return 0;
}

int rf_pci_bar_read(const struct rf_pci_device *dev, unsigned bar, void *buf, size_t len, off_t off)
{
	int ret = bar_check(dev, bar, len, off);
	ssize_t n;

	if (ret != 0)
		return ret;
	const struct rf_pci_bar *b = &dev->bar[bar];
	n = pread(b->fd, buf, len, b->off + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int rf_pci_bar_write(const struct rf_pci_device *dev, unsigned bar, const void *buf, size_t len,
		     off_t off)
{
	int ret = bar_check(dev, bar, len, off);
	ssize_t n;

	if (ret != 0)
		return ret;
	const struct rf_pci_bar *b = &dev->bar[bar];
	n = pwrite(b->fd, buf, len, b->off + off);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static void dev_path(const struct rf_pci_device *dev, const char *attr, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s/%s", rf_pci_sysfs_dir(), dev->name, attr);
}

static void sysfs_unmap(struct rf_pci_device *dev)
{
	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++) {
		struct rf_pci_bar *b = &dev->bar[i];

		if (b->va != NULL)
			munmap(b->va, b->len);
		if (b->fd >= 0)
			close(b->fd);
		b->va = NULL;
		b->fd = -1;
		b->off = 0;
	}
	if (dev->cfg_fd >= 0)
		close(dev->cfg_fd);
	dev->cfg_fd = -1;
}

/* uio_pci_generic or no driver: config and resourceN from sysfs. */
static int sysfs_open(struct rf_pci_device *dev, char *err, size_t errlen)
{
	char path[PATH_MAX];

	dev_path(dev, "config", path, sizeof(path));
	dev->cfg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (dev->cfg_fd < 0) {
		int e = errno;

		seterr(err, errlen, "%s: cannot open %s: %s%s", dev->name, path, strerror(e),
		       e == EACCES || e == EPERM ? " (run as root)" : "");
		return -e;
	}
	dev->cfg_off = 0;
	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++) {
		struct rf_pci_bar *b = &dev->bar[i];
		char name[16];

		if (b->len == 0)
			continue;
		snprintf(name, sizeof(name), "resource%u", i);
		dev_path(dev, name, path, sizeof(path));
		b->fd = open(path, O_RDWR | O_CLOEXEC);
		if (b->fd < 0) {
			int e = errno;

			seterr(err, errlen, "%s: cannot open %s: %s%s", dev->name, path,
			       strerror(e), e == EACCES || e == EPERM ? " (run as root)" : "");
			sysfs_unmap(dev);
			return -e;
		}
		if (b->io)
			continue; /* port I/O: pread/pwrite on the file */
		b->va = mmap(NULL, b->len, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
		if (b->va == MAP_FAILED) {
			int e = errno;

			b->va = NULL;
			seterr(err, errlen, "%s: cannot map BAR%u (%s, %llu bytes): %s", dev->name,
			       i, path, (unsigned long long)b->len, strerror(e));
			sysfs_unmap(dev);
			return -e;
		}
	}
	return 0;
}

/* A function-level reset through sysfs, where the kernel offers one for the device. */
static void sysfs_reset(const struct rf_pci_device *dev)
{
	char path[PATH_MAX];
	int fd;

	dev_path(dev, "reset", path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) != 1)
		RF_LOG(DEBUG, PCI, "%s: reset through %s failed: %s", dev->name, path,
		       strerror(errno));
	close(fd);
}

static void close_all_at_exit(void)
{
	for (;;) {
		struct rf_pci_device *dev = NULL;

		pthread_mutex_lock(&open_lock);
		for (unsigned i = 0; i < MAX_OPEN && dev == NULL; i++)
			dev = open_devs[i];
		pthread_mutex_unlock(&open_lock);
		if (dev == NULL)
			return;
		rf_pci_device_close(dev);
	}
}

static int track_open(struct rf_pci_device *dev)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&open_lock);
	if (!atexit_done && atexit(close_all_at_exit) == 0)
		atexit_done = true;
	for (unsigned i = 0; i < MAX_OPEN; i++) {
		if (open_devs[i] == NULL) {
			open_devs[i] = dev;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&open_lock);
	return ret;
}

static void untrack(const struct rf_pci_device *dev)
{
	pthread_mutex_lock(&open_lock);
	for (unsigned i = 0; i < MAX_OPEN; i++)
		if (open_devs[i] == dev)
			open_devs[i] = NULL;
	pthread_mutex_unlock(&open_lock);
}

/* The EAL's IOVA mode must be the one this device can use. */
static int check_iova(const struct rf_pci_device *dev, char *err, size_t errlen)
{
	const struct rf_eal_config *cfg = rf_eal_config_get();
	enum rf_iova_mode need = dev->access == RF_PCI_ACCESS_VFIO ? RF_IOVA_VA : RF_IOVA_PA;

	if (cfg == NULL) {
		seterr(err, errlen, "%s: the EAL is not up: call rf_eal_init first", dev->name);
		return -ENODEV;
	}
	if (cfg->mem.iova_mode == need)
		return 0;
	seterr(err, errlen,
	       "%s (%s) needs iova-mode %s, but memory is in iova-mode %s; bind every device "
	       "to the same kind of driver",
	       dev->name, rf_pci_access_name(dev->access), need == RF_IOVA_VA ? "va" : "pa",
	       need == RF_IOVA_VA ? "pa" : "va");
	return -EINVAL;
}

int rf_pci_device_open(struct rf_pci_device *dev, char *err, size_t errlen)
{
	int ret;

	if (dev == NULL)
		return -EINVAL;
	if (dev->is_open) {
		seterr(err, errlen, "%s: already open", dev->name);
		return -EALREADY;
	}
	switch (dev->access) {
	case RF_PCI_ACCESS_VFIO:
	case RF_PCI_ACCESS_UIO:
	case RF_PCI_ACCESS_SYSFS:
		break;
	case RF_PCI_ACCESS_KERNEL:
		seterr(err, errlen,
		       "%s: bound to the kernel driver %s (ringfwd-devbind -b vfio-pci %s)",
		       dev->name, dev->driver, dev->name);
		return -EBUSY;
	case RF_PCI_ACCESS_NONE:
		seterr(err, errlen,
		       "%s: no driver; bind it to vfio-pci, or ask for pci_access=sysfs",
		       dev->name);
		return -ENODEV;
	}
	ret = check_iova(dev, err, errlen);
	if (ret != 0)
		return ret;
	ret = dev->access == RF_PCI_ACCESS_VFIO ? rf_pci_vfio_open(dev, err, errlen)
						: sysfs_open(dev, err, errlen);
	if (ret != 0)
		return ret;
	dev->is_open = true;
	/* Decode the BARs and let the device master the bus (PCI_COMMAND). */
	uint16_t enable = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;

	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++)
		if (dev->bar[i].len != 0 && dev->bar[i].io)
			enable |= PCI_COMMAND_IO;
	ret = cmd_update(dev, enable, 0);
	if (ret == 0)
		ret = track_open(dev);
	if (ret != 0) {
		seterr(err, errlen, "%s: cannot enable the device in its command register: %s",
		       dev->name, strerror(-ret));
		rf_pci_device_close(dev);
		return ret;
	}
	if (dev->access != RF_PCI_ACCESS_VFIO)
		RF_LOG(WARNING, PCI,
		       "%s is driven through %s: no IOMMU stands between it and memory, so the "
		       "device can write anywhere in this machine's memory (bind it to vfio-pci "
		       "to confine it)",
		       dev->name, rf_pci_access_name(dev->access));
	RF_LOG(INFO, PCI, "%s %04x:%04x opened through %s", dev->name, dev->id.vendor_id,
	       dev->id.device_id, rf_pci_access_name(dev->access));
	return 0;
}

void rf_pci_device_close(struct rf_pci_device *dev)
{
	if (dev == NULL || !dev->is_open)
		return;
	if (dev->quiesce != NULL)
		dev->quiesce(dev, dev->quiesce_arg);
	/*
	 * A function reset saves and restores config space around itself, the
	 * command register included: so reset first, then clear bus mastering,
	 * so that it stays off.
	 */
	if (dev->access == RF_PCI_ACCESS_VFIO)
		rf_pci_vfio_reset(dev);
	else
		sysfs_reset(dev);
	if (rf_pci_set_bus_master(dev, false) != 0)
		RF_LOG(WARNING, PCI, "%s: could not switch bus mastering off", dev->name);
	if (dev->access == RF_PCI_ACCESS_VFIO)
		rf_pci_vfio_close(dev);
	else
		sysfs_unmap(dev);
	dev->is_open = false;
	dev->quiesce = NULL;
	untrack(dev);
	RF_LOG(INFO, PCI, "%s closed: reset, bus mastering off", dev->name);
}
