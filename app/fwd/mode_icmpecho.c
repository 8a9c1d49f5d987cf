/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * icmpecho: answer ARP requests and ICMP echo requests in place, as
 * testpmd's icmpecho does; free everything else and count it as dropped.
 *
 * Like testpmd, the port claims every IPv4 address: an ARP request for any
 * target gets a reply with the TX port's MAC, and an echo request to any
 * address is answered. One 802.1Q tag is allowed and kept.
 */
#include <string.h>

#include "modes.h"
#include "rf_net.h"

/*
 * ARP request -> reply (RFC 826 "Packet Reception"): the reply goes to the
 * asker, says target IP is at our MAC, and swaps the protocol addresses.
 * false if this is not an Ethernet/IPv4 ARP request.
 */
static bool arp_reply(struct rf_fwd_stream *fs, struct rf_mbuf *m, uint16_t l2_len)
{
	uint8_t *p = rf_pktmbuf_mtod(m, uint8_t *);
	struct rf_ether_hdr *eth = (struct rf_ether_hdr *)p;
	const uint8_t *self = fs->tx_port_mac.addr_bytes;

	if (m->data_len < l2_len + sizeof(struct rf_arp_hdr))
		return false;
	struct rf_arp_hdr *arp = (struct rf_arp_hdr *)(p + l2_len);
	if (arp->arp_hardware != htons(RF_ARP_HRD_ETHER) ||
	    arp->arp_protocol != htons(RF_ETHER_TYPE_IPV4) || arp->arp_hlen != RF_ETHER_ADDR_LEN ||
	    arp->arp_plen != 4 || arp->arp_opcode != htons(RF_ARP_OP_REQUEST))
		return false;

	memcpy(eth->dst_addr, eth->src_addr, RF_ETHER_ADDR_LEN);
	memcpy(eth->src_addr, self, RF_ETHER_ADDR_LEN);
	arp->arp_opcode = htons(RF_ARP_OP_REPLY);
	memcpy(arp->arp_tha, arp->arp_sha, RF_ETHER_ADDR_LEN);
	memcpy(arp->arp_sha, self, RF_ETHER_ADDR_LEN);
	uint32_t ip = arp->arp_sip;
	arp->arp_sip = arp->arp_tip;
	arp->arp_tip = ip;
	return true;
}

static bool ipv4_is_multicast(uint32_t be_addr)
{
	return (ntohl(be_addr) & 0xf0000000u) == 0xe0000000u; /* 224.0.0.0/4, RFC 5771 */
}

/*
 * Echo request -> echo reply (RFC 792): swap MACs and IP addresses, type 0,
 * the rest of the ICMP message (identifier, sequence, data) unchanged.
 * false if this is not an unfragmented ICMP echo request.
 */
static bool icmp_echo_reply(struct rf_mbuf *m, uint32_t ptype, const struct rf_net_hdr_lens *hl)
{
	uint8_t *p = rf_pktmbuf_mtod(m, uint8_t *);

	if ((ptype & (RF_PTYPE_L3_MASK | RF_PTYPE_L4_MASK)) !=
	    (RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_ICMP))
		return false;
	struct rf_ipv4_hdr *ip = (struct rf_ipv4_hdr *)(p + hl->l2_len);
	struct rf_icmp_hdr *icmp = (struct rf_icmp_hdr *)(p + hl->l2_len + hl->l3_len);
	if (icmp->icmp_type != RF_ICMP_ECHO_REQUEST || icmp->icmp_code != 0)
		return false;

	struct rf_ether_hdr *eth = (struct rf_ether_hdr *)p;
	uint8_t mac[RF_ETHER_ADDR_LEN];
	memcpy(mac, eth->src_addr, RF_ETHER_ADDR_LEN);
	memcpy(eth->src_addr, eth->dst_addr, RF_ETHER_ADDR_LEN);
	memcpy(eth->dst_addr, mac, RF_ETHER_ADDR_LEN);

	uint32_t requester = ip->src_addr;
	if (ipv4_is_multicast(ip->dst_addr)) {
		/*
		 * A reply never comes from a multicast address. testpmd makes
		 * one up next to the requester's (low two bits 01, or 10 if
		 * the requester's are 01); do the same.
		 */
		uint32_t src = ntohl(requester) & ~3u;
		src |= (ntohl(requester) & 3u) == 1 ? 2u : 1u;
		ip->src_addr = htonl(src);
	} else {
		ip->src_addr = ip->dst_addr;
	}
	ip->dst_addr = requester;
	ip->hdr_checksum = rf_ipv4_cksum(ip);

	/* Only the type/code word changed: incremental update, RFC 1624 eqn. 3. */
	uint16_t old_word = htons(RF_ICMP_ECHO_REQUEST << 8);
	uint16_t new_word = htons(RF_ICMP_ECHO_REPLY << 8);
	icmp->icmp_type = RF_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = rf_cksum_update16(icmp->icmp_cksum, old_word, new_word);
	return true;
}

static uint16_t icmpecho_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	uint16_t out = 0;

	for (uint16_t i = 0; i < nb; i++) {
		struct rf_mbuf *m = pkts[i];
		struct rf_net_hdr_lens hl;
		uint32_t ptype = rf_net_get_ptype(m, &hl);
		bool reply = false;

		if (ptype != 0) {
			/* The innermost EtherType is the last two bytes of L2. */
			const uint8_t *type =
			    rf_pktmbuf_mtod_offset(m, const uint8_t *, hl.l2_len - 2);
			if (type[0] == (RF_ETHER_TYPE_ARP >> 8) &&
			    type[1] == (RF_ETHER_TYPE_ARP & 0xff))
				reply = arp_reply(fs, m, hl.l2_len);
			else
				reply = icmp_echo_reply(m, ptype, &hl);
		}
		if (reply) {
			pkts[out++] = m;
		} else {
			rf_pktmbuf_free(m);
		}
	}
	if (out < nb)
		rf_fwd_mode_ctr_add(&fs->dropped, nb - out);
	return out;
}

const struct rf_fwd_mode rf_fwd_mode_icmpecho = {
    .name = "icmpecho",
    .help = "reply to ARP requests and ICMP echo requests, drop everything else",
    .rx = true,
    .burst = icmpecho_burst,
};
