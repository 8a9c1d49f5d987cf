/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PCI bus: what /sys/bus/pci/devices shows, which of those devices this
 * process may drive, and access to a device from user space (docs/pci.md).
 *
 * The EAL has the bus scan before memory exists (rf_eal_init), because the
 * devices decide the IOVA mode. A driver then opens a device: its BARs are
 * mapped, bus mastering is switched on, and with vfio-pci every memory
 * segment is mapped in the IOMMU at IOVA = VA. Closing a device, or the
 * process exiting normally (an atexit handler) with the device still open,
 * resets it and switches bus mastering off, so it stops DMA into memory that
 * the next process will reuse.
 *
 * Access methods, chosen per device from what it is bound to:
 *   vfio-pci         container + group; BARs and config space through VFIO
 *                    regions; the IOMMU confines the device to our memory;
 *   uio_pci_generic  BARs from sysfs resourceN, config space from sysfs config,
 *                    IOVA = physical address; the device can write anywhere;
 *   no driver        the same through sysfs, only when asked for with the
 *                    devarg pci_access=sysfs, with the same warning.
 */
#ifndef RF_PCI_H
#define RF_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rf_pci_addr.h"

#define RF_PCI_MAX_BARS	     6
#define RF_PCI_ANY_ID	     0xffff
#define RF_PCI_SYSFS_DEVICES "/sys/bus/pci/devices"

/* One row of a driver's ID table; the table ends with a row whose vendor_id is 0. */
struct rf_pci_id {
	uint16_t vendor_id;
	uint16_t device_id; /* RF_PCI_ANY_ID matches every device of the vendor */
};

enum rf_pci_access {
	RF_PCI_ACCESS_KERNEL, /* bound to a kernel driver: not ours */
	RF_PCI_ACCESS_NONE,   /* no driver: usable only through sysfs, when asked */
	RF_PCI_ACCESS_VFIO,   /* vfio-pci */
	RF_PCI_ACCESS_UIO,    /* uio_pci_generic */
	RF_PCI_ACCESS_SYSFS,  /* no driver, asked for with pci_access=sysfs */
};

struct rf_pci_bar {
	uint64_t phys; /* bus address the BIOS/kernel assigned */
	uint64_t len;  /* 0: the device has no such BAR */
	bool io;       /* a port I/O BAR: pread/pwrite only, never mapped */
	void *va;      /* (P) mapped MMIO while open; NULL if not mapped */
	int fd;	       /* (P) resourceN or the VFIO device fd; -1 when closed */
	off_t off;     /* (P) offset of the BAR within fd */
};

struct rf_pci_device {
	struct rf_pci_addr addr;
	char name[RF_PCI_ADDR_LEN]; /* "0000:00:03.0" */
	struct rf_pci_id id;
	uint16_t subsystem_vendor_id, subsystem_device_id;
	uint32_t class_id; /* 0x020000: network, ethernet */
	int numa_node;	   /* -1 when the machine does not say */
	char driver[32];   /* kernel driver bound ("vfio-pci"), "" for none */
	int iommu_group;   /* -1 when the device is behind no IOMMU */
	struct rf_pci_bar bar[RF_PCI_MAX_BARS];
	enum rf_pci_access access; /* from the binding and the devargs */

	/* What the EAL options made of it. */
	bool selected;	     /* to be probed: -a named it, or no -a and it is ours */
	bool allowed;	     /* -a named it */
	const char *devargs; /* what followed the BDF in -a, or NULL; points into argv */

	/* (P) While open. */
	bool is_open;
	int cfg_fd;	 /* sysfs config, or the VFIO device fd */
	off_t cfg_off;	 /* offset of config space within cfg_fd */
	int vfio_fd;	 /* -1 unless VFIO */
	bool vfio_reset; /* the VFIO device can be reset (VFIO_DEVICE_FLAGS_RESET) */
	/*
	 * The driver's own stop (an e1000 writes CTRL.RST): called first at
	 * close, with quiesce_arg, while the BARs are still mapped.
	 */
	void (*quiesce)(struct rf_pci_device *dev, void *arg);
	void *quiesce_arg;
	struct rf_pci_device *next;
};

/*
 * Scan a sysfs devices directory (RF_PCI_SYSFS_DEVICES, or a tree a test
 * built) into a new list, sorted by address. The count, or -errno.
 */
int rf_pci_scan_dir(const char *dir, struct rf_pci_device **list);
void rf_pci_list_free(struct rf_pci_device *list);

/* The directory the EAL's scan reads; for tests. NULL: RF_PCI_SYSFS_DEVICES. */
void rf_pci_set_sysfs_dir(const char *dir);
/* The devices the EAL scanned, in address order; NULL before rf_eal_init or with --no-pci. */
struct rf_pci_device *rf_pci_devices(void);
struct rf_pci_device *rf_pci_device_find(const struct rf_pci_addr *addr);

/* The access method a kernel driver name gives ("vfio-pci" -> VFIO, "" -> NONE). */
enum rf_pci_access rf_pci_access_of_driver(const char *driver);
/* "vfio-pci", "uio_pci_generic", "sysfs", "none", "kernel". */
const char *rf_pci_access_name(enum rf_pci_access a);
/*
 * The pci_access=vfio|uio|sysfs devarg in a devargs string (NULL: none given).
 * 0 with *out set (KERNEL when absent), or -EINVAL for another value.
 */
int rf_pci_devargs_access(const char *devargs, enum rf_pci_access *out);
/* True when table (ended by vendor_id 0) has a row for dev. */
bool rf_pci_id_match(const struct rf_pci_id *table, const struct rf_pci_device *dev);

/*
 * Open dev with its access method: map the BARs, switch bus mastering on,
 * and with VFIO map every memory segment in the IOMMU. 0, or -errno with one
 * line in err saying what failed and what to do.
 */
int rf_pci_device_open(struct rf_pci_device *dev, char *err, size_t errlen);
/* quiesce, reset, bus mastering off, unmap. Safe on a device that is not open. */
void rf_pci_device_close(struct rf_pci_device *dev);

/* The VFIO container fd while a vfio-pci device is open, else -1: for tests and diagnostics. */
int rf_pci_vfio_container(void);

/* Config space. 0 or -errno (-EIO on a short transfer). */
int rf_pci_cfg_read(const struct rf_pci_device *dev, void *buf, size_t len, off_t off);
int rf_pci_cfg_write(const struct rf_pci_device *dev, const void *buf, size_t len, off_t off);
int rf_pci_set_bus_master(const struct rf_pci_device *dev, bool on);

/* Port I/O (or an unmapped memory BAR), 1, 2 or 4 bytes at off. 0 or -errno. */
int rf_pci_bar_read(const struct rf_pci_device *dev, unsigned bar, void *buf, size_t len,
		    off_t off);
int rf_pci_bar_write(const struct rf_pci_device *dev, unsigned bar, const void *buf, size_t len,
		     off_t off);

/* MMIO: 32-bit register access through a mapped BAR. */
static inline uint32_t rf_pci_reg_read32(const void *base, uint32_t off)
{
	return *(const volatile uint32_t *)(const void *)((const char *)base + off);
}

static inline void rf_pci_reg_write32(void *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(void *)((char *)base + off) = v;
}

#endif /* RF_PCI_H */
