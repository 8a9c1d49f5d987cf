/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux network interfaces, for the drivers that sit on one (net_pcap's live
 * ports, net_af_packet, net_af_xdp). Asked of the kernel through a socket,
 * which lives in our network namespace: sysfs would show the namespace it was
 * mounted in. Every call returns 0 or -errno (-ENAMETOOLONG for a name that
 * does not fit IFNAMSIZ).
 */
#ifndef RF_ETHDEV_IFACE_H
#define RF_ETHDEV_IFACE_H

#include <stdbool.h>
#include <stdint.h>

#include <net/if.h>

#include "rf_ethdev.h"

/* ioctl(req) on the interface's ifreq, which is zeroed and named first. */
int rf_eth_iface_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr);
/* SIOCETHTOOL with cmd (a struct ethtool_* whose first field is the command). */
int rf_eth_iface_ethtool(const char *ifname, void *cmd);
/* IFF_* flags. */
int rf_eth_iface_flags(const char *ifname, short *flags);
/* The interface's MAC; -ENOTSUP if it is not Ethernet. */
int rf_eth_iface_mac(const char *ifname, struct rf_ether_addr *mac);
/* Mb/s from ethtool, 0 where the interface does not say; *full_duplex (may be NULL). */
uint32_t rf_eth_iface_speed(const char *ifname, bool *full_duplex);

#endif /* RF_ETHDEV_IFACE_H */
