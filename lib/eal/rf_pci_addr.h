/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PCI addresses ("BDF"): domain:bus:device.function, as Linux names them in
 * /sys/bus/pci/devices ("0000:00:03.0"). In the EAL because -a/--allow and
 * -b/--block are EAL options checked before any bus exists.
 */
#ifndef RF_PCI_ADDR_H
#define RF_PCI_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define RF_PCI_ADDR_LEN 16 /* "0000:00:03.0" and its NUL, with room for a 5-digit domain */

struct rf_pci_addr {
	uint32_t domain; /* 0..0xffff */
	uint8_t bus;
	uint8_t devid;	  /* 0..31 */
	uint8_t function; /* 0..7 */
};

/*
 * "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hex, nothing before or after.
 * 0 or -EINVAL.
 */
int rf_pci_addr_parse(const char *s, struct rf_pci_addr *out);
/* The same prefix of s up to the first ',' (devargs follow it); end gets what follows. */
int rf_pci_addr_parse_prefix(const char *s, struct rf_pci_addr *out, const char **end);
/* "0000:00:03.0" into buf (at least RF_PCI_ADDR_LEN bytes). */
void rf_pci_addr_format(const struct rf_pci_addr *a, char *buf, size_t len);
/* Negative, 0 or positive, like strcmp. */
int rf_pci_addr_cmp(const struct rf_pci_addr *a, const struct rf_pci_addr *b);

#endif /* RF_PCI_ADDR_H */
