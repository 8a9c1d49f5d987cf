/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Receive Side Scaling: the Toeplitz hash and the redirection table (RETA).
 *
 * The hash is the one NICs compute, as the Microsoft RSS specification
 * defines it ("RSS hashing functions"): for every bit of the input, MSB of
 * the first byte first, that is set, XOR in the 32 key bits that start at
 * that bit's position. The inputs, in wire order:
 *
 *   IPv4      src(4) dst(4)                     8 bytes
 *   IPv4+L4   src(4) dst(4) sport(2) dport(2)  12 bytes
 *   IPv6      src(16) dst(16)                  32 bytes
 *   IPv6+L4   src(16) dst(16) sport(2) dport(2) 36 bytes
 *
 * Every argument below is in network byte order, as it sits in the packet.
 *
 * Input bit k contributes key bits k..k+31, so the contribution of byte i is
 * a function of that byte's value and of i alone. rf_rss_ctx_init() tabulates
 * it once per key: tbl[i][v] is the XOR of the key windows of the bits set in
 * v at byte position i. A hash is then one load and one XOR per input byte
 * (12 for IPv4+L4), with no loop over bits.
 *
 * Symmetric mode: the flow is put in a canonical direction before hashing,
 * the endpoint (address, then port on an address tie) with the smaller value
 * first, its port travelling with its address. a->b and b->a become the same
 * input, so they hash equal for every key and every tuple, and the hash keeps
 * the full 32 bits of the plain Toeplitz hash of that input. (The other known
 * construction, a key that repeats with a 16-bit period such as 0x6d5a...,
 * also gives hash(a->b) == hash(b->a), but the hash then only sees the XOR of
 * the input's 16-bit words: 16 bits of entropy, and a fixed key.)
 */
#ifndef RF_RSS_H
#define RF_RSS_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rf_common.h"
#include "rf_mbuf.h"
#include "rf_net.h"

/*
 * What to hash, a bit set. The values are those of RF_ETH_RSS_* in
 * rf_ethdev.h, which sits above lib/net and may alias these; lib/net does not
 * include it. An IPv4 (IPv6) packet whose L4 is TCP and RF_RSS_TCP is set, or
 * UDP and RF_RSS_UDP is set, is hashed over addresses and ports; otherwise,
 * with RF_RSS_IPV4 (RF_RSS_IPV6), over its addresses alone (fragments and
 * ICMP included); otherwise it is not hashed. As DPDK's RTE_ETH_RSS_TCP, the
 * L4 bits cover both IP versions.
 */
#define RF_RSS_IPV4 (1ull << 0)
#define RF_RSS_TCP  (1ull << 1)
#define RF_RSS_UDP  (1ull << 2)
#define RF_RSS_IPV6 (1ull << 3)

#define RF_RSS_KEY_LEN_DEFAULT 40 /* the Microsoft key size */
#define RF_RSS_KEY_LEN_MAX     52 /* e.g. Intel 700 series */
#define RF_RSS_INPUT_MAX       36 /* IPv6 + ports; it uses key bytes 0..39 */

/* The "default" key of the Microsoft RSS specification, used by most drivers. */
extern const uint8_t rf_rss_default_key[RF_RSS_KEY_LEN_DEFAULT];

struct rf_rss_ctx {
	/* tbl[i][v]: what input byte i contributes to the hash when it is v. */
	uint32_t tbl[RF_RSS_INPUT_MAX][256];
	uint8_t key[RF_RSS_KEY_LEN_MAX];
	uint8_t key_len;
	bool symmetric;
} RF_CACHE_ALIGNED;

/*
 * Build the tables for a key of key_len bytes, 40 to 52 (NULL: the default
 * key, key_len ignored). The tables read up to 40 key bytes: bytes beyond
 * that are kept only so that the key reads back as it was given. Returns 0 or
 * -EINVAL. About 9,000 table entries: a control-path call.
 */
int rf_rss_ctx_init(struct rf_rss_ctx *ctx, const uint8_t *key, size_t key_len, bool symmetric);

/* rf_rss_ctx_init() on a cache-aligned heap ctx. NULL + errno. */
struct rf_rss_ctx *rf_rss_ctx_create(const uint8_t *key, size_t key_len, bool symmetric);
void rf_rss_ctx_free(struct rf_rss_ctx *ctx);

/* The hash of len (<= RF_RSS_INPUT_MAX) bytes laid out as the table above. */
static inline uint32_t rf_rss_hash_bytes(const struct rf_rss_ctx *ctx, const uint8_t *in,
					 size_t len)
{
	uint32_t h = 0;

	for (size_t i = 0; i < len; i++)
		h ^= ctx->tbl[i][in[i]];
	return h;
}

/* The contribution of a 32-bit word (network order) at input bytes pos..pos+3. */
static inline uint32_t rf_rss_word32(const struct rf_rss_ctx *ctx, unsigned pos, uint32_t w_be)
{
	uint32_t w = ntohl(w_be);

	return ctx->tbl[pos][w >> 24] ^ ctx->tbl[pos + 1][(w >> 16) & 0xff] ^
	       ctx->tbl[pos + 2][(w >> 8) & 0xff] ^ ctx->tbl[pos + 3][w & 0xff];
}

/* The contribution of a 16-bit word (network order) at input bytes pos, pos+1. */
static inline uint32_t rf_rss_word16(const struct rf_rss_ctx *ctx, unsigned pos, uint16_t w_be)
{
	uint16_t w = ntohs(w_be);

	return ctx->tbl[pos][w >> 8] ^ ctx->tbl[pos + 1][w & 0xff];
}

static inline uint32_t rf_rss_hash_ipv4(const struct rf_rss_ctx *ctx, uint32_t src_be,
					uint32_t dst_be)
{
	/* Any total order makes a canonical direction: compare the raw values. */
	if (ctx->symmetric && src_be > dst_be) {
		uint32_t t = src_be;
		src_be = dst_be;
		dst_be = t;
	}
	return rf_rss_word32(ctx, 0, src_be) ^ rf_rss_word32(ctx, 4, dst_be);
}

static inline uint32_t rf_rss_hash_ipv4_l4(const struct rf_rss_ctx *ctx, uint32_t src_be,
					   uint32_t dst_be, uint16_t sport_be, uint16_t dport_be)
{
	if (ctx->symmetric && (src_be > dst_be || (src_be == dst_be && sport_be > dport_be))) {
		uint32_t t = src_be;
		uint16_t p = sport_be;
		src_be = dst_be;
		dst_be = t;
		sport_be = dport_be;
		dport_be = p;
	}
	return rf_rss_word32(ctx, 0, src_be) ^ rf_rss_word32(ctx, 4, dst_be) ^
	       rf_rss_word16(ctx, 8, sport_be) ^ rf_rss_word16(ctx, 10, dport_be);
}

/* The 32 address bytes: src at input byte 0, dst at 16. */
static inline uint32_t rf_rss_hash_ipv6_addrs(const struct rf_rss_ctx *ctx, const uint8_t *src,
					      const uint8_t *dst)
{
	uint32_t h = 0;

	for (unsigned i = 0; i < 16; i++)
		h ^= ctx->tbl[i][src[i]] ^ ctx->tbl[16 + i][dst[i]];
	return h;
}

/* src and dst: 16 bytes each, as in the IPv6 header. */
static inline uint32_t rf_rss_hash_ipv6(const struct rf_rss_ctx *ctx, const uint8_t *src,
					const uint8_t *dst)
{
	if (ctx->symmetric && memcmp(src, dst, 16) > 0)
		return rf_rss_hash_ipv6_addrs(ctx, dst, src);
	return rf_rss_hash_ipv6_addrs(ctx, src, dst);
}

static inline uint32_t rf_rss_hash_ipv6_l4(const struct rf_rss_ctx *ctx, const uint8_t *src,
					   const uint8_t *dst, uint16_t sport_be, uint16_t dport_be)
{
	if (ctx->symmetric) {
		int c = memcmp(src, dst, 16);
		if (c > 0 || (c == 0 && sport_be > dport_be)) {
			const uint8_t *t = src;
			uint16_t p = sport_be;
			src = dst;
			dst = t;
			sport_be = dport_be;
			dport_be = p;
		}
	}
	return rf_rss_hash_ipv6_addrs(ctx, src, dst) ^ rf_rss_word16(ctx, 32, sport_be) ^
	       rf_rss_word16(ctx, 34, dport_be);
}

/*
 * The hash of a packet already parsed by rf_net_get_ptype() (ptype, hl), per
 * rss_hf (RF_RSS_*, see above). Returns 0 when the packet is not hashed: not
 * IP, or no rss_hf bit covers it, or its IP header is truncated. A packet
 * whose L4 header is truncated is hashed as its IP version alone, as
 * rf_net_get_ptype() reports no L4 for it. A real hash can be 0 too; either
 * way RETA entry 0 steers it, as a NIC steers the packets it does not hash.
 */
static inline uint32_t rf_rss_hash_parsed(const struct rf_rss_ctx *ctx, const struct rf_mbuf *m,
					  uint32_t ptype, const struct rf_net_hdr_lens *hl,
					  uint64_t rss_hf)
{
	const uint8_t *l3 = rf_pktmbuf_mtod_offset(m, const uint8_t *, hl->l2_len);
	uint32_t l4 = ptype & RF_PTYPE_L4_MASK;
	bool ports = (l4 == RF_PTYPE_L4_TCP && (rss_hf & RF_RSS_TCP)) ||
		     (l4 == RF_PTYPE_L4_UDP && (rss_hf & RF_RSS_UDP));
	/* TCP and UDP both start with the source and destination ports. */
	const struct rf_udp_hdr *ph = (const struct rf_udp_hdr *)(l3 + hl->l3_len);

	switch (ptype & RF_PTYPE_L3_MASK) {
	case RF_PTYPE_L3_IPV4: {
		const struct rf_ipv4_hdr *ip = (const struct rf_ipv4_hdr *)l3;
		if (ports)
			return rf_rss_hash_ipv4_l4(ctx, ip->src_addr, ip->dst_addr, ph->src_port,
						   ph->dst_port);
		if (rss_hf & RF_RSS_IPV4)
			return rf_rss_hash_ipv4(ctx, ip->src_addr, ip->dst_addr);
		return 0;
	}
	case RF_PTYPE_L3_IPV6: {
		const struct rf_ipv6_hdr *ip6 = (const struct rf_ipv6_hdr *)l3;
		if (ports)
			return rf_rss_hash_ipv6_l4(ctx, ip6->src_addr, ip6->dst_addr, ph->src_port,
						   ph->dst_port);
		if (rss_hf & RF_RSS_IPV6)
			return rf_rss_hash_ipv6(ctx, ip6->src_addr, ip6->dst_addr);
		return 0;
	}
	default:
		return 0;
	}
}

/* Parse m's first segment with rf_net_get_ptype() and hash it as above. */
static inline uint32_t rf_rss_hash_mbuf(const struct rf_rss_ctx *ctx, const struct rf_mbuf *m,
					uint64_t rss_hf)
{
	struct rf_net_hdr_lens hl;
	uint32_t ptype = rf_net_get_ptype(m, &hl);

	return rf_rss_hash_parsed(ctx, m, ptype, &hl, rss_hf);
}

/* --- redirection table --- */

#define RF_RSS_RETA_SIZE_DEFAULT 128
#define RF_RSS_RETA_SIZE_MAX	 512

/*
 * hash -> queue. The size is a power of two and the low bits of the hash pick
 * the entry, as on NICs (e.g. the 7 LSBs for 128 entries).
 */
struct rf_rss_reta {
	uint16_t size; /* entries in use, a power of two */
	uint16_t mask; /* size - 1 */
	uint16_t nb_queues;
	uint16_t queue[RF_RSS_RETA_SIZE_MAX];
};

/*
 * size entries (a power of two, 1..RF_RSS_RETA_SIZE_MAX; 0: the default 128)
 * filled round-robin: entry i is queue i % nb_queues. 0 or -EINVAL.
 */
int rf_rss_reta_init(struct rf_rss_reta *reta, uint16_t size, uint16_t nb_queues);

/*
 * Replace the table with n entries (a power of two, 1..RF_RSS_RETA_SIZE_MAX),
 * each below reta->nb_queues. -EINVAL leaves the table as it was.
 */
int rf_rss_reta_set(struct rf_rss_reta *reta, const uint16_t *entries, uint16_t n);

static inline uint16_t rf_rss_queue(const struct rf_rss_reta *reta, uint32_t hash)
{
	return reta->queue[hash & reta->mask];
}

#endif /* RF_RSS_H */
