/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI ports: the ID-table registry and the probe of the devices the EAL's
 * PCI scan chose (rf_ethdev_pci.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rf_ethdev.h"
#include "rf_ethdev_pci.h"
#include "rf_log.h"

#define MAX_PCI_DRIVERS 16

/* Written by constructors before main, read-only afterwards. */
static const struct rf_eth_pci_driver *pci_drivers[MAX_PCI_DRIVERS];
static unsigned nb_pci_drivers;

RF_PRINTF(3, 4) static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void rf_eth_pci_driver_register(const struct rf_eth_pci_driver *drv)
{
	if (drv == NULL || drv->drv.name == NULL || drv->probe == NULL || drv->id_table == NULL) {
		RF_LOG(ERR, ETHDEV, "PCI driver with no name, IDs or probe: not registered");
		return;
	}
	if (nb_pci_drivers == MAX_PCI_DRIVERS) {
		RF_LOG(ERR, ETHDEV, "PCI driver '%s' not registered: already %u", drv->drv.name,
		       MAX_PCI_DRIVERS);
		return;
	}
	pci_drivers[nb_pci_drivers++] = drv;
}

static const struct rf_eth_pci_driver *find_driver(const struct rf_pci_device *dev)
{
	for (unsigned i = 0; i < nb_pci_drivers; i++)
		if (rf_pci_id_match(pci_drivers[i]->id_table, dev))
			return pci_drivers[i];
	return NULL;
}

/* pci_access is the bus's key, every other one the driver's. */
static int check_keys(const struct rf_devargs *da, const struct rf_eth_driver *drv, char *err,
		      size_t errlen)
{
	for (unsigned i = 0; i < da->nb_kv; i++) {
		if (strcmp(da->kv[i].key, "pci_access") == 0)
			continue;
		bool ok = false;

		for (const char *const *k = drv->valid_keys; k != NULL && *k != NULL && !ok; k++)
			ok = strcmp(*k, da->kv[i].key) == 0;
		if (!ok) {
			seterr(err, errlen, "%s: unknown key '%s' for driver %s", da->name,
			       da->kv[i].key, drv->name);
			return -EINVAL;
		}
	}
	return 0;
}

static int probe_one(struct rf_pci_device *pdev, const struct rf_eth_pci_driver *drv, char *err,
		     size_t errlen)
{
	char spec[RF_PCI_ADDR_LEN + 512];
	struct rf_eth_dev *dev = NULL;
	struct rf_devargs da;
	uint16_t port;
	int rc;

	if ((size_t)snprintf(spec, sizeof(spec), "%s%s%s", pdev->name,
			     pdev->devargs != NULL ? "," : "",
			     pdev->devargs != NULL ? pdev->devargs : "") >= sizeof(spec)) {
		seterr(err, errlen, "%s: device arguments too long", pdev->name);
		return -EINVAL;
	}
	rc = rf_devargs_parse(spec, &da, err, errlen);
	if (rc < 0)
		return rc;
	rc = check_keys(&da, &drv->drv, err, errlen);
	if (rc == 0)
		rc = rf_pci_device_open(pdev, err, errlen);
	if (rc == 0) {
		rc = drv->probe(pdev, &da, &dev, err, errlen);
		if (rc < 0)
			rf_pci_device_close(pdev);
	}
	rf_devargs_free(&da);
	if (rc < 0)
		return rc;
	return rf_eth_dev_attach(dev, pdev->name, &drv->drv, &port, err, errlen);
}

int rf_eth_dev_probe_eal_pci(char *err, size_t errlen)
{
	for (struct rf_pci_device *d = rf_pci_devices(); d != NULL; d = d->next) {
		const struct rf_eth_pci_driver *drv;
		int rc;

		if (!d->selected)
			continue;
		drv = find_driver(d);
		if (drv == NULL) {
			if (!d->allowed) {
				RF_LOG(INFO, ETHDEV, "%s %04x:%04x: no driver claims it, skipped",
				       d->name, d->id.vendor_id, d->id.device_id);
				continue;
			}
			seterr(err, errlen, "-a %s: no ringfwd driver handles PCI device %04x:%04x",
			       d->name, d->id.vendor_id, d->id.device_id);
			return -ENODEV;
		}
		rc = probe_one(d, drv, err, errlen);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int rf_eth_dev_probe_eal(char *err, size_t errlen)
{
	int rc = rf_eth_dev_probe_eal_pci(err, errlen);

	return rc < 0 ? rc : rf_eth_dev_probe_eal_vdevs(err, errlen);
}
