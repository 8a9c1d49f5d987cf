/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between lib/pci's own files; not installed.
 */
#ifndef RF_PCI_PRIVATE_H
#define RF_PCI_PRIVATE_H

#include <stddef.h>

#include "rf_pci.h"

const char *rf_pci_sysfs_dir(void);

/* vfio-pci: open and close one device (pci_vfio.c). 0 or -errno with err. */
int rf_pci_vfio_open(struct rf_pci_device *dev, char *err, size_t errlen);
void rf_pci_vfio_close(struct rf_pci_device *dev);
/* VFIO_DEVICE_RESET where the device has one. */
void rf_pci_vfio_reset(const struct rf_pci_device *dev);

#endif /* RF_PCI_PRIVATE_H */
