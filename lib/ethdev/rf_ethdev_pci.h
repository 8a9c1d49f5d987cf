/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI network drivers: they register the vendor:device IDs they handle, as
 * --vdev drivers register a name, and a device the PCI bus chose (see
 * rf_pci.h) becomes a port named by its address ("0000:00:03.0"), exactly
 * like a --vdev port.
 *
 * Before probe, ethdev has opened the device (BARs mapped, bus mastering on,
 * memory mapped in the IOMMU with vfio-pci). The driver's dev_close stops the
 * device and calls rf_pci_device_close; if probe fails, ethdev closes it.
 */
#ifndef RF_ETHDEV_PCI_H
#define RF_ETHDEV_PCI_H

#include "rf_ethdev_driver.h"
#include "rf_pci.h"

struct rf_eth_pci_driver {
	/* name ("net_e1000_em") and valid_keys; drv.probe is not used for PCI. */
	struct rf_eth_driver drv;
	const struct rf_pci_id *id_table; /* ends with a row whose vendor_id is 0 */
	/* As rf_eth_driver.probe, with the opened device instead of a name. */
	int (*probe)(struct rf_pci_device *pdev, const struct rf_devargs *args,
		     struct rf_eth_dev **out, char *err, size_t errlen);
};

void rf_eth_pci_driver_register(const struct rf_eth_pci_driver *drv);

/* Registers at load time; the driver's library must be linked whole. */
#define RF_ETH_PCI_DRIVER_REGISTER(d)                                                              \
	__attribute__((constructor)) static void rf_eth_pci_driver_reg_##d(void)                   \
	{                                                                                          \
		rf_eth_pci_driver_register(&(d));                                                  \
	}

/*
 * Probe the PCI devices the EAL chose: each one a driver claims becomes a
 * port. A device named with -a that no driver claims is an error; others are
 * skipped. Stops at the first failure: 0 or -errno with err.
 */
int rf_eth_dev_probe_eal_pci(char *err, size_t errlen);

#endif /* RF_ETHDEV_PCI_H */
