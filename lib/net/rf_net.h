/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet headers and the Internet checksum.
 *
 * Wire structs: every multi-byte field is in network byte order (big-endian)
 * as it sits in the frame; convert with htons()/ntohl() and friends. The
 * structs are packed because a header after a 14-byte Ethernet header is only
 * 2-byte aligned, and a packed struct makes the compiler emit accesses that
 * are safe at any alignment.
 *
 * Checksums follow RFC 1071: the one's complement of the one's complement sum
 * of 16-bit words. rf_raw_cksum() and friends sum the words as the CPU reads
 * them from memory (host order). One's complement addition commutes with a
 * byte swap (RFC 1071 §2(B)), so the folded result is already in network
 * order as a value in memory: store it with a plain 16-bit write, and compare
 * it with a field read the same way. Words built from host-order numbers (a
 * protocol number, a length) are added after htons().
 *
 * Room is left for the Toeplitz RSS hash, which will live in this module too.
 */
#ifndef RF_NET_H
#define RF_NET_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rf_common.h"
#include "rf_mbuf.h"

/* Also in rf_ethdev.h; both say 6, and either header may come first. */
#ifndef RF_ETHER_ADDR_LEN
#define RF_ETHER_ADDR_LEN 6
#endif

/* EtherTypes (IEEE 802.3 / IANA), host order: compare with ntohs(field). */
#define RF_ETHER_TYPE_IPV4 0x0800
#define RF_ETHER_TYPE_ARP  0x0806
#define RF_ETHER_TYPE_VLAN 0x8100 /* IEEE 802.1Q C-tag */
#define RF_ETHER_TYPE_IPV6 0x86DD

/* IP protocol numbers (IANA). */
#define RF_IP_PROTO_ICMP   1
#define RF_IP_PROTO_TCP	   6
#define RF_IP_PROTO_UDP	   17
#define RF_IP_PROTO_ICMPV6 58

/* ICMP types (RFC 792). */
#define RF_ICMP_ECHO_REPLY   0
#define RF_ICMP_ECHO_REQUEST 8

/* ARP (RFC 826). */
#define RF_ARP_HRD_ETHER  1
#define RF_ARP_OP_REQUEST 1
#define RF_ARP_OP_REPLY	  2

/* IPv4 (RFC 791). */
#define RF_IPV4_VERSION	    4
#define RF_IPV4_IHL_MIN	    5	   /* 32-bit words: a header without options */
#define RF_IPV4_VHL_DEF	    0x45   /* version 4, 20-byte header */
#define RF_IPV4_FLAG_MF	    0x2000 /* more fragments, in host-order fragment_offset */
#define RF_IPV4_FRAG_OFFSET 0x1fff /* fragment offset in 8-byte units, host order */
#define RF_IPV4_DEFAULT_TTL 64	   /* RFC 1700 */
#define RF_IPV6_VERSION	    6

/*
 * packet_type values beyond the ones rf_mbuf.h defines, same DPDK encoding:
 * one nibble per layer. Test a layer with (ptype & RF_PTYPE_Lx_MASK) == ....
 */
#define RF_PTYPE_L2_MASK       0x0000000f
#define RF_PTYPE_L2_ETHER_VLAN 0x00000006 /* Ethernet with one 802.1Q tag */
#define RF_PTYPE_L3_MASK       0x000000f0
#define RF_PTYPE_L4_MASK       0x00000f00
#define RF_PTYPE_L4_FRAG       0x00000300 /* an IPv4 fragment: no L4 header to parse */

struct rf_ether_hdr {
	uint8_t dst_addr[RF_ETHER_ADDR_LEN];
	uint8_t src_addr[RF_ETHER_ADDR_LEN];
	uint16_t ether_type; /* RF_ETHER_TYPE_*, network order */
} RF_PACKED;

/* 802.1Q tag, after the outer ether_type (0x8100). */
struct rf_vlan_hdr {
	uint16_t vlan_tci;  /* PCP(3) DEI(1) VID(12) */
	uint16_t eth_proto; /* the encapsulated EtherType */
} RF_PACKED;

/* ARP for IPv4 over Ethernet (RFC 826): hlen 6, plen 4. */
struct rf_arp_hdr {
	uint16_t arp_hardware; /* RF_ARP_HRD_ETHER */
	uint16_t arp_protocol; /* RF_ETHER_TYPE_IPV4 */
	uint8_t arp_hlen;
	uint8_t arp_plen;
	uint16_t arp_opcode;
	uint8_t arp_sha[RF_ETHER_ADDR_LEN];
	uint32_t arp_sip;
	uint8_t arp_tha[RF_ETHER_ADDR_LEN];
	uint32_t arp_tip;
} RF_PACKED;

struct rf_ipv4_hdr {
	uint8_t version_ihl; /* version(4) | header length in 32-bit words(4) */
	uint8_t type_of_service;
	uint16_t total_length; /* header + payload, bytes */
	uint16_t packet_id;
	uint16_t fragment_offset; /* flags(3) | offset(13) */
	uint8_t time_to_live;
	uint8_t next_proto_id;
	uint16_t hdr_checksum;
	uint32_t src_addr;
	uint32_t dst_addr;
	/* options, up to 40 bytes, when ihl > 5 */
} RF_PACKED;

struct rf_ipv6_hdr {
	uint32_t vtc_flow;    /* version(4) | traffic class(8) | flow label(20) */
	uint16_t payload_len; /* bytes after this header */
	uint8_t proto;	      /* next header */
	uint8_t hop_limits;
	uint8_t src_addr[16];
	uint8_t dst_addr[16];
} RF_PACKED;

struct rf_udp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t dgram_len;   /* header + payload */
	uint16_t dgram_cksum; /* 0 over IPv4 means "none" (RFC 768) */
} RF_PACKED;

struct rf_tcp_hdr {
	uint16_t src_port;
	uint16_t dst_port;
	uint32_t sent_seq;
	uint32_t recv_ack;
	uint8_t data_off; /* header length in 32-bit words, high nibble */
	uint8_t tcp_flags;
	uint16_t rx_win;
	uint16_t cksum;
	uint16_t tcp_urp;
	/* options when data_off > 5 */
} RF_PACKED;

/* ICMP echo header (RFC 792); other types share the first four bytes. */
struct rf_icmp_hdr {
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_cksum;
	uint16_t icmp_ident;
	uint16_t icmp_seq_nb;
} RF_PACKED;

_Static_assert(sizeof(struct rf_ether_hdr) == 14, "Ethernet header is 14 bytes");
_Static_assert(sizeof(struct rf_vlan_hdr) == 4, "802.1Q tag is 4 bytes");
_Static_assert(sizeof(struct rf_arp_hdr) == 28, "ARP for IPv4 over Ethernet is 28 bytes");
_Static_assert(offsetof(struct rf_arp_hdr, arp_tip) == 24, "ARP target IP at 24");
_Static_assert(sizeof(struct rf_ipv4_hdr) == 20, "IPv4 header without options is 20 bytes");
_Static_assert(offsetof(struct rf_ipv4_hdr, hdr_checksum) == 10, "IPv4 checksum at 10");
_Static_assert(offsetof(struct rf_ipv4_hdr, dst_addr) == 16, "IPv4 destination at 16");
_Static_assert(sizeof(struct rf_ipv6_hdr) == 40, "IPv6 header is 40 bytes");
_Static_assert(offsetof(struct rf_ipv6_hdr, dst_addr) == 24, "IPv6 destination at 24");
_Static_assert(sizeof(struct rf_udp_hdr) == 8, "UDP header is 8 bytes");
_Static_assert(offsetof(struct rf_udp_hdr, dgram_cksum) == 6, "UDP checksum at 6");
_Static_assert(sizeof(struct rf_tcp_hdr) == 20, "TCP header without options is 20 bytes");
_Static_assert(offsetof(struct rf_tcp_hdr, cksum) == 16, "TCP checksum at 16");
_Static_assert(sizeof(struct rf_icmp_hdr) == 8, "ICMP echo header is 8 bytes");

static inline uint16_t rf_ipv4_hdr_len(const struct rf_ipv4_hdr *ip)
{
	return (uint16_t)((ip->version_ihl & 0x0f) * 4);
}

/* --- checksums --- */

/*
 * Add len bytes at buf to a running sum. 32-bit words go into a 64-bit
 * accumulator, which cannot overflow below 2^34 bytes. An odd trailing byte
 * counts as the first byte of a word whose second byte is zero (RFC 1071
 * §4.1), so only the last piece of a split buffer may have an odd length.
 */
static inline uint64_t rf_raw_cksum_partial(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = (const uint8_t *)buf;

	for (; len >= 4; len -= 4, p += 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		sum += w;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		sum += w;
		len -= 2;
		p += 2;
	}
	if (len == 1) {
		uint16_t w = 0;
		memcpy(&w, p, 1);
		sum += w;
	}
	return sum;
}

/* Fold a running sum to 16 bits with end-around carry. */
static inline uint16_t rf_cksum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The folded one's complement sum of a buffer, not complemented. */
static inline uint16_t rf_raw_cksum(const void *buf, size_t len)
{
	return rf_cksum_fold(rf_raw_cksum_partial(buf, len, 0));
}

/*
 * Incremental update (RFC 1624 eqn. 3): a checksum field cksum covered a
 * 16-bit word old that is now new; returns the new checksum. All three as read
 * from memory.
 */
static inline uint16_t rf_cksum_update16(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint64_t sum = (uint16_t)~cksum;
	sum += (uint16_t)~old;
	sum += new;
	return (uint16_t)~rf_cksum_fold(sum);
}

/*
 * The IPv4 header checksum to store in hdr_checksum (RFC 791 §3.1), over
 * rf_ipv4_hdr_len(ip) bytes, which the caller has checked are there. The
 * current content of hdr_checksum is ignored.
 */
static inline uint16_t rf_ipv4_cksum(const struct rf_ipv4_hdr *ip)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint64_t sum = rf_raw_cksum_partial(p, offsetof(struct rf_ipv4_hdr, hdr_checksum), 0);
	size_t after = offsetof(struct rf_ipv4_hdr, hdr_checksum) + 2;

	sum = rf_raw_cksum_partial(p + after, rf_ipv4_hdr_len(ip) - after, sum);
	return (uint16_t)~rf_cksum_fold(sum);
}

/* 0 if the IPv4 header checksum is right, -1 if not. */
static inline int rf_ipv4_cksum_verify(const struct rf_ipv4_hdr *ip)
{
	return rf_raw_cksum(ip, rf_ipv4_hdr_len(ip)) == 0xffff ? 0 : -1;
}

/* Sum of the IPv4 pseudo-header (RFC 768, RFC 793 §3.1) for an L4 segment of l4_len bytes. */
static inline uint64_t rf_ipv4_phdr_sum(const struct rf_ipv4_hdr *ip, uint32_t l4_len)
{
	uint64_t sum = rf_raw_cksum_partial(
	    (const uint8_t *)ip + offsetof(struct rf_ipv4_hdr, src_addr), 8, 0);
	sum += htons(ip->next_proto_id);
	sum += htons((uint16_t)l4_len);
	return sum;
}

/* Sum of the IPv6 pseudo-header (RFC 8200 §8.1); l4_len is 32 bits there. */
static inline uint64_t rf_ipv6_phdr_sum(const struct rf_ipv6_hdr *ip6, uint8_t proto,
					uint32_t l4_len)
{
	uint64_t sum = rf_raw_cksum_partial(ip6->src_addr, 32, 0);
	sum += htonl(l4_len) & 0xffff;
	sum += htonl(l4_len) >> 16;
	sum += htons(proto);
	return sum;
}

/* Offset of the checksum field in a TCP or UDP header. */
static inline size_t rf_l4_cksum_offset(uint8_t proto)
{
	return proto == RF_IP_PROTO_TCP ? offsetof(struct rf_tcp_hdr, cksum)
					: offsetof(struct rf_udp_hdr, dgram_cksum);
}

/* The checksum over pseudo-header sum phdr and l4_len contiguous bytes, field skipped. */
static inline uint16_t rf_l4_cksum(uint64_t phdr, const void *l4, uint32_t l4_len, uint8_t proto)
{
	const uint8_t *p = (const uint8_t *)l4;
	size_t off = rf_l4_cksum_offset(proto);
	uint64_t sum = rf_raw_cksum_partial(p, off, phdr);
	uint16_t cksum;

	sum = rf_raw_cksum_partial(p + off + 2, l4_len - off - 2, sum);
	cksum = (uint16_t)~rf_cksum_fold(sum);
	/* RFC 768: a computed 0 is sent as all ones; 0 means "no checksum". */
	if (proto == RF_IP_PROTO_UDP && cksum == 0)
		cksum = 0xffff;
	return cksum;
}

/*
 * The TCP or UDP checksum (ip->next_proto_id says which) to store in the L4
 * header at l4, which starts right after the IPv4 header. The segment is
 * total_length - header length bytes, contiguous, and the caller has checked
 * they are there. The current content of the checksum field is ignored.
 */
static inline uint16_t rf_ipv4_udptcp_cksum(const struct rf_ipv4_hdr *ip, const void *l4)
{
	uint32_t l4_len = (uint32_t)ntohs(ip->total_length) - rf_ipv4_hdr_len(ip);

	return rf_l4_cksum(rf_ipv4_phdr_sum(ip, l4_len), l4, l4_len, ip->next_proto_id);
}

/*
 * 0 if the TCP/UDP checksum at l4 is right, -1 if not. A UDP checksum of 0
 * means the sender computed none, which is allowed over IPv4 (RFC 768).
 */
static inline int rf_ipv4_udptcp_cksum_verify(const struct rf_ipv4_hdr *ip, const void *l4)
{
	uint32_t l4_len = (uint32_t)ntohs(ip->total_length) - rf_ipv4_hdr_len(ip);
	const struct rf_udp_hdr *udp = (const struct rf_udp_hdr *)l4;

	if (ip->next_proto_id == RF_IP_PROTO_UDP && udp->dgram_cksum == 0)
		return 0;
	uint64_t sum = rf_raw_cksum_partial(l4, l4_len, rf_ipv4_phdr_sum(ip, l4_len));
	return rf_cksum_fold(sum) == 0xffff ? 0 : -1;
}

/*
 * As rf_ipv4_udptcp_cksum for IPv6 without extension headers: the segment
 * (payload_len bytes) follows the fixed header, and ip6->proto is TCP or UDP.
 */
static inline uint16_t rf_ipv6_udptcp_cksum(const struct rf_ipv6_hdr *ip6, const void *l4)
{
	uint32_t l4_len = ntohs(ip6->payload_len);

	return rf_l4_cksum(rf_ipv6_phdr_sum(ip6, ip6->proto, l4_len), l4, l4_len, ip6->proto);
}

/* 0 or -1. Over IPv6 a zero UDP checksum is invalid (RFC 8200 §8.1). */
static inline int rf_ipv6_udptcp_cksum_verify(const struct rf_ipv6_hdr *ip6, const void *l4)
{
	uint32_t l4_len = ntohs(ip6->payload_len);
	const struct rf_udp_hdr *udp = (const struct rf_udp_hdr *)l4;

	if (ip6->proto == RF_IP_PROTO_UDP && udp->dgram_cksum == 0)
		return -1;
	uint64_t sum = rf_raw_cksum_partial(l4, l4_len, rf_ipv6_phdr_sum(ip6, ip6->proto, l4_len));
	return rf_cksum_fold(sum) == 0xffff ? 0 : -1;
}

/*
 * The folded raw sum of len bytes at offset off of a chain, whose segments
 * may have odd lengths. 0, or -EINVAL if off + len runs past pkt_len or the
 * chain is shorter than pkt_len says.
 */
int rf_raw_cksum_mbuf(const struct rf_mbuf *m, uint32_t off, uint32_t len, uint16_t *cksum);

/* --- parsing --- */

struct rf_net_hdr_lens {
	uint16_t l2_len; /* Ethernet, plus the VLAN tag if any */
	uint16_t l3_len; /* IPv4 with options, or the IPv6 fixed header; 0 if no L3 */
	uint16_t l4_len; /* TCP with options, UDP, ICMP echo; 0 if no L4 */
};

/*
 * Parse the headers in the first segment: Ethernet, one optional 802.1Q tag,
 * IPv4 (with options) or IPv6 (fixed header only), then TCP, UDP or ICMP.
 * Returns the RF_PTYPE_* bits of every layer found whole and fills hl.
 *
 * Nothing is read past data_len. A layer counts only if its whole header is
 * in the segment and is consistent (IP version, IHL >= 5, IPv4 total_length
 * covers the header, TCP data offset >= 5, the L4 header inside the IP
 * length); parsing stops at the first layer that is not, so a truncated
 * packet reports only its complete outer layers. Fragments of IPv4 report
 * RF_PTYPE_L4_FRAG and no L4 header. A frame shorter than Ethernet is 0.
 */
uint32_t rf_net_get_ptype(const struct rf_mbuf *m, struct rf_net_hdr_lens *hl);

#endif /* RF_NET_H */
