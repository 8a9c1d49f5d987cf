/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Header parsing and checksums over mbuf chains. The per-header checksum
 * helpers are static inline in rf_net.h.
 */
#include <errno.h>

#include "rf_net.h"

int rf_raw_cksum_mbuf(const struct rf_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum)
{
	const struct rf_mbuf *seg = m;
	uint64_t sum = 0;
	bool odd = false;

	if ((uint64_t)off + len > m->pkt_len)
		return -EINVAL;
	while (seg != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	for (; len > 0 && seg != NULL; seg = seg->next, off = 0) {
		uint32_t n = RF_MIN(len, (uint32_t)(seg->data_len - off));
		uint16_t s = rf_raw_cksum(rf_pktmbuf_mtod_offset(seg, const uint8_t *, off), n);

		/*
		 * A piece that starts at an odd offset of the whole pairs its
		 * bytes the other way round: its sum is the byte-swapped sum
		 * of its bytes taken from an even start (RFC 1071 §2(B)).
		 */
		if (odd)
			s = (uint16_t)((s << 8) | (s >> 8));
		sum += s;
		if (n & 1)
			odd = !odd;
		len -= n;
	}
	if (len > 0)
		return -EINVAL; /* the segments hold fewer bytes than pkt_len claims */
	*cksum = rf_cksum_fold(sum);
	return 0;
}

/*
 * The L4 header of protocol proto at off, with the IP datagram ending at end
 * (both within the segment). Returns its RF_PTYPE_L4_* and sets *l4_len, or 0
 * when the header is not all there or is malformed.
 */
static uint32_t parse_l4(const uint8_t *p, uint32_t off, uint32_t end, uint8_t proto,
			 uint16_t *l4_len)
{
	uint32_t room = end > off ? end - off : 0;

	switch (proto) {
	case RF_IP_PROTO_TCP: {
		if (room < sizeof(struct rf_tcp_hdr))
			return 0;
		const struct rf_tcp_hdr *tcp = (const struct rf_tcp_hdr *)(p + off);
		uint32_t hlen = (uint32_t)(tcp->data_off >> 4) * 4;
		/* RFC 793 §3.1: data offset counts 32-bit words, at least 5. */
		if (hlen < sizeof(struct rf_tcp_hdr) || hlen > room)
			return 0;
		*l4_len = (uint16_t)hlen;
		return RF_PTYPE_L4_TCP;
	}
	case RF_IP_PROTO_UDP:
		if (room < sizeof(struct rf_udp_hdr))
			return 0;
		*l4_len = sizeof(struct rf_udp_hdr);
		return RF_PTYPE_L4_UDP;
	case RF_IP_PROTO_ICMP:
	case RF_IP_PROTO_ICMPV6:
		if (room < sizeof(struct rf_icmp_hdr))
			return 0;
		*l4_len = sizeof(struct rf_icmp_hdr);
		return RF_PTYPE_L4_ICMP;
	default:
		return 0;
	}
}

uint32_t rf_net_get_ptype(const struct rf_mbuf *m, struct rf_net_hdr_lens *hl)
{
	const uint8_t *p = rf_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = m->data_len;
	uint32_t ptype, off, end;
	uint16_t type;
	uint8_t proto;

	hl->l2_len = hl->l3_len = hl->l4_len = 0;
	if (len < sizeof(struct rf_ether_hdr))
		return 0;
	ptype = RF_PTYPE_L2_ETHER;
	off = sizeof(struct rf_ether_hdr);
	type = ntohs(((const struct rf_ether_hdr *)p)->ether_type);
	if (type == RF_ETHER_TYPE_VLAN) {
		if (len < off + sizeof(struct rf_vlan_hdr)) {
			hl->l2_len = (uint16_t)off;
			return ptype;
		}
		type = ntohs(((const struct rf_vlan_hdr *)(p + off))->eth_proto);
		off += sizeof(struct rf_vlan_hdr);
		ptype = RF_PTYPE_L2_ETHER_VLAN;
	}
	hl->l2_len = (uint16_t)off;

	if (type == RF_ETHER_TYPE_IPV4) {
		if (len - off < sizeof(struct rf_ipv4_hdr))
			return ptype;
		const struct rf_ipv4_hdr *ip = (const struct rf_ipv4_hdr *)(p + off);
		uint32_t ihl = rf_ipv4_hdr_len(ip);
		uint32_t total = ntohs(ip->total_length);
		if ((ip->version_ihl >> 4) != RF_IPV4_VERSION || ihl < sizeof(*ip) ||
		    ihl > len - off || total < ihl)
			return ptype;
		ptype |= RF_PTYPE_L3_IPV4;
		hl->l3_len = (uint16_t)ihl;
		/* Only the first fragment has the L4 header, and its checksum covers all. */
		if (ntohs(ip->fragment_offset) & (RF_IPV4_FLAG_MF | RF_IPV4_FRAG_OFFSET))
			return ptype | RF_PTYPE_L4_FRAG;
		proto = ip->next_proto_id;
		if (proto == RF_IP_PROTO_ICMPV6)
			return ptype;
		end = off + total;
		off += ihl;
	} else if (type == RF_ETHER_TYPE_IPV6) {
		if (len - off < sizeof(struct rf_ipv6_hdr))
			return ptype;
		const struct rf_ipv6_hdr *ip6 = (const struct rf_ipv6_hdr *)(p + off);
		if ((p[off] >> 4) != RF_IPV6_VERSION)
			return ptype;
		ptype |= RF_PTYPE_L3_IPV6;
		hl->l3_len = sizeof(*ip6);
		proto = ip6->proto;
		if (proto == RF_IP_PROTO_ICMP)
			return ptype;
		off += sizeof(*ip6);
		end = off + ntohs(ip6->payload_len);
	} else {
		return ptype;
	}

	/* The L4 header must lie inside both the segment and the IP datagram. */
	return ptype | parse_l4(p, off, RF_MIN(end, len), proto, &hl->l4_len);
}
