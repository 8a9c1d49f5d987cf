/* SPDX-License-Identifier: BSD-3-Clause */
#include "rf_ethdev_iface.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int rf_eth_iface_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	if (strlen(ifname) >= sizeof(ifr->ifr_name))
		return -ENAMETOOLONG;
	memcpy(ifr->ifr_name, ifname, strlen(ifname));
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = ioctl(fd, req, ifr) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int rf_eth_iface_ethtool(const char *ifname, void *cmd)
{
	struct ifreq ifr;

	if (strlen(ifname) >= sizeof(ifr.ifr_name))
		return -ENAMETOOLONG;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_data = cmd;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

int rf_eth_iface_flags(const char *ifname, short *flags)
{
	struct ifreq ifr;
	int rc = rf_eth_iface_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (rc == 0)
		*flags = ifr.ifr_flags;
	return rc;
}

int rf_eth_iface_mac(const char *ifname, struct rf_ether_addr *mac)
{
	struct ifreq ifr;
	int rc = rf_eth_iface_ioctl(ifname, SIOCGIFHWADDR, &ifr);

	if (rc < 0)
		return rc;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -ENOTSUP;
	memcpy(mac->addr_bytes, ifr.ifr_hwaddr.sa_data, RF_ETHER_ADDR_LEN);
	return 0;
}

uint32_t rf_eth_iface_speed(const char *ifname, bool *full_duplex)
{
	struct ethtool_cmd cmd = {.cmd = ETHTOOL_GSET};

	if (full_duplex != NULL)
		*full_duplex = false;
	if (rf_eth_iface_ethtool(ifname, &cmd) < 0)
		return 0;
	if (full_duplex != NULL)
		*full_duplex = cmd.duplex == DUPLEX_FULL;
	uint32_t s = ethtool_cmd_speed(&cmd);
	return s == (uint32_t)SPEED_UNKNOWN ? 0 : s;
}
