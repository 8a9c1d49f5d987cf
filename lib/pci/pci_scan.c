/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bus scan: one directory per device under /sys/bus/pci/devices
 * (Documentation/ABI/testing/sysfs-bus-pci), and the EAL's choice of the
 * devices to probe from -a/-b.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_private.h"
#include "rf_eal.h"
#include "rf_log.h"
#include "rf_pci.h"

#define IORESOURCE_IO  0x00000100 /* include/linux/ioport.h: the flags column of "resource" */
#define IORESOURCE_MEM 0x00000200

static const char *sysfs_dir = RF_PCI_SYSFS_DEVICES;
static struct rf_pci_device *bus_devices; /* the EAL's scan, sorted by address */

void rf_pci_set_sysfs_dir(const char *dir)
{
	sysfs_dir = dir != NULL ? dir : RF_PCI_SYSFS_DEVICES;
}

const char *rf_pci_sysfs_dir(void)
{
	return sysfs_dir;
}

struct rf_pci_device *rf_pci_devices(void)
{
	return bus_devices;
}

struct rf_pci_device *rf_pci_device_find(const struct rf_pci_addr *addr)
{
	for (struct rf_pci_device *d = bus_devices; d != NULL; d = d->next)
		if (rf_pci_addr_cmp(&d->addr, addr) == 0)
			return d;
	return NULL;
}

/* dir/attr into path; -ENAMETOOLONG if it does not fit. */
static int attr_path(char *path, size_t len, const char *dir, const char *attr)
{
	int n = snprintf(path, len, "%s/%s", dir, attr);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* A sysfs attribute holding one number ("0x8086\n", "-1\n"). 0 or -errno. */
static int read_attr_long(const char *dev_dir, const char *attr, long long *out)
{
	char path[PATH_MAX], buf[64], *end;
	FILE *f;

	if (attr_path(path, sizeof(path), dev_dir, attr) != 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	errno = 0;
	*out = strtoll(buf, &end, 0);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

/* The last component of a symlink's target ("../../../bus/pci/drivers/e1000" -> "e1000"). */
static int read_link_base(const char *dev_dir, const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (attr_path(path, sizeof(path), dev_dir, link) != 0)
		return -ENAMETOOLONG;
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base != NULL ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(out, base);
	return 0;
}

/* "resource": one "start end flags" line per BAR, then the ROM and bridge windows. */
static int read_resources(const char *dev_dir, struct rf_pci_device *dev)
{
	char path[PATH_MAX], line[128];
	FILE *f;

	if (attr_path(path, sizeof(path), dev_dir, "resource") != 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	for (unsigned i = 0; i < RF_PCI_MAX_BARS && fgets(line, sizeof(line), f) != NULL; i++) {
		unsigned long long start, end, flags;
		struct rf_pci_bar *bar = &dev->bar[i];

		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3) {
			fclose(f);
			return -EINVAL;
		}
		if (end <= start || !(flags & (IORESOURCE_IO | IORESOURCE_MEM)))
			continue;
		bar->phys = start;
		bar->len = end - start + 1;
		bar->io = (flags & IORESOURCE_IO) != 0;
	}
	fclose(f);
	return 0;
}

static int read_device(const char *dir, const char *name, struct rf_pci_device *dev)
{
	char dev_dir[PATH_MAX], group[16];
	long long v;
	int ret;

	memset(dev, 0, sizeof(*dev));
	for (unsigned i = 0; i < RF_PCI_MAX_BARS; i++)
		dev->bar[i].fd = -1;
	dev->cfg_fd = -1;
	dev->vfio_fd = -1;
	if (rf_pci_addr_parse(name, &dev->addr) != 0)
		return -EINVAL;
	rf_pci_addr_format(&dev->addr, dev->name, sizeof(dev->name));
	if (attr_path(dev_dir, sizeof(dev_dir), dir, name) != 0)
		return -ENAMETOOLONG;

	if ((ret = read_attr_long(dev_dir, "vendor", &v)) != 0)
		return ret;
	dev->id.vendor_id = (uint16_t)v;
	if ((ret = read_attr_long(dev_dir, "device", &v)) != 0)
		return ret;
	dev->id.device_id = (uint16_t)v;
	if ((ret = read_attr_long(dev_dir, "class", &v)) != 0)
		return ret;
	dev->class_id = (uint32_t)v;
	dev->subsystem_vendor_id =
	    read_attr_long(dev_dir, "subsystem_vendor", &v) == 0 ? (uint16_t)v : 0;
	dev->subsystem_device_id =
	    read_attr_long(dev_dir, "subsystem_device", &v) == 0 ? (uint16_t)v : 0;
	dev->numa_node = read_attr_long(dev_dir, "numa_node", &v) == 0 && v >= 0 ? (int)v : -1;
	if (read_link_base(dev_dir, "driver", dev->driver, sizeof(dev->driver)) != 0)
		dev->driver[0] = '\0';
	dev->iommu_group = -1;
	if (read_link_base(dev_dir, "iommu_group", group, sizeof(group)) == 0)
		dev->iommu_group = atoi(group);
	ret = read_resources(dev_dir, dev);
	if (ret != 0)
		return ret;
	dev->access = rf_pci_access_of_driver(dev->driver);
	return 0;
}

static void list_insert_sorted(struct rf_pci_device **list, struct rf_pci_device *dev)
{
	struct rf_pci_device **pos = list;

	while (*pos != NULL && rf_pci_addr_cmp(&(*pos)->addr, &dev->addr) < 0)
		pos = &(*pos)->next;
	dev->next = *pos;
	*pos = dev;
}

int rf_pci_scan_dir(const char *dir, struct rf_pci_device **list)
{
	struct dirent *ent;
	DIR *d;
	int n = 0;

	*list = NULL;
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((ent = readdir(d)) != NULL) {
		struct rf_pci_device *dev;
		struct rf_pci_addr a;
		int ret;

		if (rf_pci_addr_parse(ent->d_name, &a) != 0)
			continue;
		dev = malloc(sizeof(*dev));
		if (dev == NULL) {
			closedir(d);
			rf_pci_list_free(*list);
			*list = NULL;
			return -ENOMEM;
		}
		ret = read_device(dir, ent->d_name, dev);
		if (ret != 0) {
			/* A device that vanished mid-scan, or one we can't read: not ours. */
			RF_LOG(DEBUG, PCI, "%s: skipped: %s", ent->d_name, strerror(-ret));
			free(dev);
			continue;
		}
		list_insert_sorted(list, dev);
		n++;
	}
	closedir(d);
	return n;
}

void rf_pci_list_free(struct rf_pci_device *list)
{
	while (list != NULL) {
		struct rf_pci_device *next = list->next;

		rf_pci_device_close(list);
		free(list);
		list = next;
	}
}

enum rf_pci_access rf_pci_access_of_driver(const char *driver)
{
	if (driver == NULL || driver[0] == '\0')
		return RF_PCI_ACCESS_NONE;
	if (strcmp(driver, "vfio-pci") == 0)
		return RF_PCI_ACCESS_VFIO;
	if (strcmp(driver, "uio_pci_generic") == 0)
		return RF_PCI_ACCESS_UIO;
	return RF_PCI_ACCESS_KERNEL;
}

const char *rf_pci_access_name(enum rf_pci_access a)
{
	switch (a) {
	case RF_PCI_ACCESS_VFIO:
		return "vfio-pci";
	case RF_PCI_ACCESS_UIO:
		return "uio_pci_generic";
	case RF_PCI_ACCESS_SYSFS:
		return "sysfs";
	case RF_PCI_ACCESS_NONE:
		return "none";
	case RF_PCI_ACCESS_KERNEL:
		break;
	}
	return "kernel";
}

int rf_pci_devargs_access(const char *devargs, enum rf_pci_access *out)
{
	static const char key[] = "pci_access=";
	const char *p = devargs;

	*out = RF_PCI_ACCESS_KERNEL;
	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ",");

		if (strncmp(p, key, sizeof(key) - 1) == 0) {
			const char *v = p + sizeof(key) - 1;
			size_t vlen = len - (sizeof(key) - 1);

			if (vlen == 4 && strncmp(v, "vfio", 4) == 0)
				*out = RF_PCI_ACCESS_VFIO;
			else if (vlen == 3 && strncmp(v, "uio", 3) == 0)
				*out = RF_PCI_ACCESS_UIO;
			else if (vlen == 5 && strncmp(v, "sysfs", 5) == 0)
				*out = RF_PCI_ACCESS_SYSFS;
			else
				return -EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

bool rf_pci_id_match(const struct rf_pci_id *table, const struct rf_pci_device *dev)
{
	for (; table != NULL && table->vendor_id != 0; table++)
		if (table->vendor_id == dev->id.vendor_id &&
		    (table->device_id == RF_PCI_ANY_ID || table->device_id == dev->id.device_id))
			return true;
	return false;
}

/*
 * A device named with -a must be usable, or start-up stops here with what to
 * do: bound to vfio-pci or uio_pci_generic, or driverless with
 * pci_access=sysfs. A pci_access that contradicts the binding is refused too.
 */
static int check_allowed(struct rf_pci_device *dev, const char *arg)
{
	enum rf_pci_access asked;

	if (rf_pci_devargs_access(dev->devargs, &asked) != 0) {
		RF_LOG(ERR, PCI, "-a %s: pci_access must be vfio, uio or sysfs", arg);
		return -EINVAL;
	}
	if (dev->access == RF_PCI_ACCESS_KERNEL) {
		RF_LOG(ERR, PCI,
		       "-a %s: the device is bound to the kernel driver %s; bind it to vfio-pci "
		       "first (ringfwd-devbind -b vfio-pci %s)",
		       arg, dev->driver, dev->name);
		return -EBUSY;
	}
	if (dev->access == RF_PCI_ACCESS_NONE) {
		if (asked == RF_PCI_ACCESS_SYSFS) {
			dev->access = RF_PCI_ACCESS_SYSFS;
			return 0;
		}
		RF_LOG(ERR, PCI,
		       "-a %s: the device has no driver; bind it to vfio-pci (ringfwd-devbind -b "
		       "vfio-pci %s), or add pci_access=sysfs to drive it without one, with no "
		       "IOMMU between it and memory",
		       arg, dev->name);
		return -ENODEV;
	}
	if (asked != RF_PCI_ACCESS_KERNEL && asked != dev->access) {
		RF_LOG(ERR, PCI, "-a %s: pci_access=%s, but the device is bound to %s", arg,
		       rf_pci_access_name(asked), dev->driver);
		return -EINVAL;
	}
	return 0;
}

static bool blocked(const struct rf_eal_config *cfg, const struct rf_pci_device *dev)
{
	for (unsigned i = 0; i < cfg->nb_block; i++)
		if (rf_pci_addr_cmp(&cfg->block[i].addr, &dev->addr) == 0)
			return true;
	return false;
}

static int select_devices(const struct rf_eal_config *cfg)
{
	for (unsigned i = 0; i < cfg->nb_allow; i++) {
		const struct rf_eal_pci_arg *a = &cfg->allow[i];
		struct rf_pci_device *dev = rf_pci_device_find(&a->addr);
		char bdf[RF_PCI_ADDR_LEN];
		int ret;

		rf_pci_addr_format(&a->addr, bdf, sizeof(bdf));
		if (dev == NULL) {
			RF_LOG(ERR, PCI,
			       "-a %s: no such PCI device in %s (ringfwd-devbind --status lists "
			       "them)",
			       bdf, sysfs_dir);
			return -ENODEV;
		}
		dev->allowed = true;
		dev->devargs = a->devargs;
		ret = check_allowed(dev, bdf);
		if (ret != 0)
			return ret;
		dev->selected = true;
	}
	if (cfg->nb_allow > 0)
		return 0;
	/* No -a: every device bound to a user-space method, as DPDK does. */
	for (struct rf_pci_device *d = bus_devices; d != NULL; d = d->next)
		d->selected = (d->access == RF_PCI_ACCESS_VFIO || d->access == RF_PCI_ACCESS_UIO) &&
			      !blocked(cfg, d);
	return 0;
}

static void bus_cleanup(void)
{
	rf_pci_list_free(bus_devices);
	bus_devices = NULL;
}

static int bus_scan(const struct rf_eal_config *cfg)
{
	int n, ret;

	bus_cleanup();
	if (cfg->no_pci)
		return 0;
	n = rf_pci_scan_dir(sysfs_dir, &bus_devices);
	if (n < 0) {
		/* A machine (or container) without PCI: fine unless devices were named. */
		if (cfg->nb_allow == 0)
			return 0;
		RF_LOG(ERR, PCI, "-a given, but %s cannot be read: %s", sysfs_dir, strerror(-n));
		return n;
	}
	ret = select_devices(cfg);
	if (ret != 0)
		return ret;
	for (struct rf_pci_device *d = bus_devices; d != NULL; d = d->next)
		if (d->selected)
			RF_LOG(INFO, PCI, "%s %04x:%04x (%s): to probe", d->name, d->id.vendor_id,
			       d->id.device_id, rf_pci_access_name(d->access));
	return 0;
}

/* VA if every chosen device is behind vfio-pci's IOMMU, PA if any is not, DC with none. */
static enum rf_iova_mode bus_iova_mode(char *why, size_t len)
{
	enum rf_iova_mode mode = RF_IOVA_DC;

	for (struct rf_pci_device *d = bus_devices; d != NULL; d = d->next) {
		if (!d->selected)
			continue;
		if (d->access != RF_PCI_ACCESS_VFIO) {
			snprintf(why, len,
				 "PCI device %s is %s%s, which puts no IOMMU between it and memory",
				 d->name,
				 d->access == RF_PCI_ACCESS_SYSFS ? "used through " : "bound to ",
				 rf_pci_access_name(d->access));
			return RF_IOVA_PA;
		}
		if (mode == RF_IOVA_DC)
			snprintf(why, len,
				 "PCI device %s is bound to vfio-pci, which maps memory "
				 "at IOVA = VA",
				 d->name);
		mode = RF_IOVA_VA;
	}
	return mode;
}

static const struct rf_eal_bus pci_bus = {
    .name = "pci",
    .scan = bus_scan,
    .iova_mode = bus_iova_mode,
    .cleanup = bus_cleanup,
};

__attribute__((constructor)) static void pci_bus_register(void)
{
	rf_eal_bus_register(&pci_bus);
}
