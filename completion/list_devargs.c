/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build-time helper for the bash completion: one line per driver linked
 * into the binaries, its devargs name then its keys ("net_pcap rx_pcap
 * tx_pcap ..."), from the drivers' own tables.
 */
#include <stdio.h>

#include "rf_ethdev_driver.h"

int main(void)
{
	const struct rf_eth_driver *d;

	for (unsigned i = 0; (d = rf_eth_driver_at(i)) != NULL; i++) {
		printf("%s", d->name);
		for (const char *const *k = d->valid_keys; k != NULL && *k != NULL; k++)
			printf(" %s", *k);
		printf("\n");
	}
	return 0;
}
