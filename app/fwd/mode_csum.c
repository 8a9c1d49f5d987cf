/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * csum: check the IPv4 header checksum and the TCP/UDP checksum of every
 * packet in software, count the bad ones (fs->bad_ip_csum, fs->bad_l4_csum),
 * rewrite them correct, and forward everything. Packets that are not IP, IP
 * fragments, and packets shorter than their IP length (whose L4 checksum
 * cannot be computed) go out with whatever they have. The parsed header
 * lengths and packet type are left in the mbuf.
 */
#include <string.h>

#include "modes.h"
#include "rf_net.h"

/*
 * Check and fix the L4 checksum: phdr is the pseudo-header sum, the segment
 * is l4_len bytes at l4_off (its header in the first segment, the rest
 * anywhere in the chain). Returns 1 if it was bad, 0 if not.
 */
static int fix_l4(struct rf_mbuf *m, bool ipv6, uint8_t proto, uint64_t phdr, uint32_t l4_off,
		  uint32_t l4_len)
{
	uint8_t *field = rf_pktmbuf_mtod_offset(m, uint8_t *, l4_off + rf_l4_cksum_offset(proto));
	uint16_t old, raw, good;

	memcpy(&old, field, sizeof(old));
	/*
	 * A zero UDP checksum means "none": allowed over IPv4 (RFC 768),
	 * invalid over IPv6 (RFC 8200 §8.1) whatever the data sums to.
	 */
	bool none = proto == RF_IP_PROTO_UDP && old == 0;
	if (none && !ipv6)
		return 0;
	/*
	 * A datagram longer than the packet (its IP length says more than
	 * pkt_len, or the chain holds less) has no sum to check: refused here.
	 */
	if (rf_raw_cksum_mbuf(m, l4_off, l4_len, &raw) != 0)
		return 0;
	if (!none && rf_cksum_fold(phdr + raw) == 0xffff)
		return 0;
	/* The sum without the old field is the sum plus its complement (RFC 1624). */
	good = (uint16_t)~rf_cksum_fold(phdr + raw + (uint16_t)~old);
	if (proto == RF_IP_PROTO_UDP && good == 0)
		good = 0xffff; /* RFC 768: a computed 0 goes out as all ones */
	memcpy(field, &good, sizeof(good));
	return 1;
}

/* What one burst found, added to the stream's counters once at its end. */
struct csum_counts {
	uint64_t bad_ip, bad_l4;
};

static void csum_ipv4(struct csum_counts *cnt, struct rf_mbuf *m, uint32_t ptype,
		      const struct rf_net_hdr_lens *hl)
{
	struct rf_ipv4_hdr *ip = rf_pktmbuf_mtod_offset(m, struct rf_ipv4_hdr *, hl->l2_len);

	if (rf_ipv4_cksum_verify(ip) != 0) {
		cnt->bad_ip++;
		ip->hdr_checksum = rf_ipv4_cksum(ip);
	}
	uint32_t l4 = ptype & RF_PTYPE_L4_MASK;
	if (l4 != RF_PTYPE_L4_TCP && l4 != RF_PTYPE_L4_UDP)
		return;
	uint32_t l4_len = (uint32_t)ntohs(ip->total_length) - hl->l3_len;
	uint32_t l4_off = (uint32_t)hl->l2_len + hl->l3_len;
	cnt->bad_l4 += (uint64_t)fix_l4(m, false, ip->next_proto_id, rf_ipv4_phdr_sum(ip, l4_len),
					l4_off, l4_len);
}

static void csum_ipv6(struct csum_counts *cnt, struct rf_mbuf *m, uint32_t ptype,
		      const struct rf_net_hdr_lens *hl)
{
	const struct rf_ipv6_hdr *ip6 =
	    rf_pktmbuf_mtod_offset(m, const struct rf_ipv6_hdr *, hl->l2_len);
	uint32_t l4 = ptype & RF_PTYPE_L4_MASK;

	if (l4 != RF_PTYPE_L4_TCP && l4 != RF_PTYPE_L4_UDP)
		return;
	uint32_t l4_len = ntohs(ip6->payload_len);
	uint32_t l4_off = (uint32_t)hl->l2_len + hl->l3_len;
	cnt->bad_l4 += (uint64_t)fix_l4(m, true, ip6->proto,
					rf_ipv6_phdr_sum(ip6, ip6->proto, l4_len), l4_off, l4_len);
}

static uint16_t csum_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	struct csum_counts cnt = {0, 0};

	for (uint16_t i = 0; i < nb; i++) {
		struct rf_mbuf *m = pkts[i];
		struct rf_net_hdr_lens hl;
		uint32_t ptype = rf_net_get_ptype(m, &hl);

		m->packet_type = ptype;
		m->l2_len = hl.l2_len;
		m->l3_len = hl.l3_len;
		m->l4_len = hl.l4_len;
		switch (ptype & RF_PTYPE_L3_MASK) {
		case RF_PTYPE_L3_IPV4:
			csum_ipv4(&cnt, m, ptype, &hl);
			break;
		case RF_PTYPE_L3_IPV6:
			csum_ipv6(&cnt, m, ptype, &hl);
			break;
		default:
			break;
		}
	}
	if (cnt.bad_ip != 0)
		rf_fwd_mode_ctr_add(&fs->bad_ip_csum, cnt.bad_ip);
	if (cnt.bad_l4 != 0)
		rf_fwd_mode_ctr_add(&fs->bad_l4_csum, cnt.bad_l4);
	return nb;
}

const struct rf_fwd_mode rf_fwd_mode_csum = {
    .name = "csum",
    .help = "verify IPv4/TCP/UDP checksums in software, count and fix bad ones, forward",
    .rx = true,
    .burst = csum_burst,
};
