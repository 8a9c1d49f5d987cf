/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The modes that forward what they receive, rewriting addresses at most:
 * io, mac, macswap, 5tswap; and rxonly, which forwards nothing.
 */
#include <string.h>

#include "modes.h"
#include "rf_net.h"

/* io: forward as received. */
static uint16_t io_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	(void)fs;
	(void)pkts;
	return nb;
}

const struct rf_fwd_mode rf_fwd_mode_io = {
    .name = "io",
    .help = "forward packets unchanged",
    .rx = true,
    .burst = io_burst,
};

/*
 * A frame too short for an Ethernet header has no addresses to rewrite; the
 * address modes forward it untouched rather than write past its end.
 */
static inline struct rf_ether_hdr *eth_hdr_of(struct rf_mbuf *m)
{
	if (RF_UNLIKELY(m->data_len < sizeof(struct rf_ether_hdr)))
		return NULL;
	return rf_pktmbuf_mtod(m, struct rf_ether_hdr *);
}

static inline void swap_bytes(void *a, void *b, size_t len)
{
	uint8_t tmp[16];

	memcpy(tmp, a, len);
	memcpy(a, b, len);
	memcpy(b, tmp, len);
}

/* mac: source = the TX port's MAC, destination = its --eth-peer. */
static uint16_t mac_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	const uint8_t *peer = fs->cfg->eth_peer[fs->tx_port].addr_bytes;
	const uint8_t *self = fs->tx_port_mac.addr_bytes;

	for (uint16_t i = 0; i < nb; i++) {
		struct rf_ether_hdr *eth = eth_hdr_of(pkts[i]);
		if (eth == NULL)
			continue;
		memcpy(eth->dst_addr, peer, RF_ETHER_ADDR_LEN);
		memcpy(eth->src_addr, self, RF_ETHER_ADDR_LEN);
	}
	return nb;
}

const struct rf_fwd_mode rf_fwd_mode_mac = {
    .name = "mac",
    .help = "set source MAC to the TX port's and destination MAC to its peer",
    .rx = true,
    .burst = mac_burst,
};

/* macswap: send each frame back to its source. */
static uint16_t macswap_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	(void)fs;
	for (uint16_t i = 0; i < nb; i++) {
		struct rf_ether_hdr *eth = eth_hdr_of(pkts[i]);
		if (eth != NULL)
			swap_bytes(eth->dst_addr, eth->src_addr, RF_ETHER_ADDR_LEN);
	}
	return nb;
}

const struct rf_fwd_mode rf_fwd_mode_macswap = {
    .name = "macswap",
    .help = "swap source and destination MAC addresses",
    .rx = true,
    .burst = macswap_burst,
};

/*
 * 5tswap: swap source and destination at every layer found: MAC, IPv4/IPv6
 * address, TCP/UDP port. Each swap exchanges two 16-bit-aligned fields that
 * the same checksum covers (the IPv4 header sum; the L4 sum through the
 * pseudo-header), and one's complement addition commutes, so every checksum
 * stays valid without being touched.
 */
static void swap_5tuple(struct rf_mbuf *m)
{
	struct rf_net_hdr_lens hl;
	uint32_t ptype = rf_net_get_ptype(m, &hl);
	uint8_t *p = rf_pktmbuf_mtod(m, uint8_t *);

	if (ptype == 0)
		return;
	swap_bytes(p, p + RF_ETHER_ADDR_LEN, RF_ETHER_ADDR_LEN);

	uint8_t *l3 = p + hl.l2_len;
	switch (ptype & RF_PTYPE_L3_MASK) {
	case RF_PTYPE_L3_IPV4:
		swap_bytes(l3 + offsetof(struct rf_ipv4_hdr, src_addr),
			   l3 + offsetof(struct rf_ipv4_hdr, dst_addr), 4);
		break;
	case RF_PTYPE_L3_IPV6:
		swap_bytes(l3 + offsetof(struct rf_ipv6_hdr, src_addr),
			   l3 + offsetof(struct rf_ipv6_hdr, dst_addr), 16);
		break;
	default:
		return;
	}

	uint32_t l4 = ptype & RF_PTYPE_L4_MASK;
	if (l4 == RF_PTYPE_L4_TCP || l4 == RF_PTYPE_L4_UDP) {
		/* Ports are the first two fields of both headers. */
		uint8_t *ports = l3 + hl.l3_len;
		swap_bytes(ports, ports + 2, 2);
	}
}

static uint16_t tswap_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	(void)fs;
	for (uint16_t i = 0; i < nb; i++)
		swap_5tuple(pkts[i]);
	return nb;
}

const struct rf_fwd_mode rf_fwd_mode_5tswap = {
    .name = "5tswap",
    .help = "swap source and destination MAC, IP address and TCP/UDP port",
    .rx = true,
    .burst = tswap_burst,
};

/* rxonly: receive and free; the engine has counted them. */
static uint16_t rxonly_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	(void)fs;
	rf_pktmbuf_free_bulk(pkts, nb);
	return 0;
}

const struct rf_fwd_mode rf_fwd_mode_rxonly = {
    .name = "rxonly",
    .help = "receive and free packets, send nothing",
    .rx = true,
    .burst = rxonly_burst,
};
