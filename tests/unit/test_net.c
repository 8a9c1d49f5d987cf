/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/net: the Internet checksum against an independent
 * big-endian reference and against captures whose checksums tshark accepts,
 * incremental update, sums over chains with odd segment boundaries, and header
 * parsing (VLAN, IPv4 options, IPv6, ICMP, fragments, malformed headers).
 *
 * Parsing runs on mbuf headers made by hand around heap buffers of exactly
 * data_len bytes, so any read past the end of a truncated packet is an ASan
 * error. No EAL, no mempool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_net.h"

/*
 * Test vectors, made with Python (struct + a plain RFC 1071 sum) and checked
 * with `tshark -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o
 * tcp.check_checksum:TRUE`, which reports every checksum below as good.
 */

/* Ether / IPv4 192.168.0.1 -> 192.168.0.199 / UDP 1234 -> 5678 / "hello" (odd length). */
static const uint8_t pkt_udp4[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x21, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11, 0xa6, 0x7f, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8,
    0x00, 0xc7, 0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0d, 0x1e, 0xe9, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
#define UDP4_IP_CKSUM 0xa67f
#define UDP4_L4_CKSUM 0x1ee9

/* Ether / IPv4 with 4 bytes of options (IHL 6) / TCP SYN with an MSS option (data offset 6). */
static const uint8_t pkt_tcp4opt[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x46, 0x00,
    0x00, 0x30, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x11, 0x91, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x01, 0x01, 0x01, 0x00, 0x9c, 0x40, 0x00, 0x50, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x60, 0x02, 0xff, 0xff, 0xe7, 0x92, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
#define TCP4_IP_CKSUM 0x1191
#define TCP4_L4_CKSUM 0xe792

/* Ether / IPv6 2001:db8::1 -> 2001:db8::2 / UDP 1000 -> 2000 / "abc". */
static const uint8_t pkt_udp6[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00,
				   0x01, 0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x11, 0x40,
				   0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
				   0xe8, 0x07, 0xd0, 0x00, 0x0b, 0xd4, 0x48, 0x61, 0x62, 0x63};
#define UDP6_L4_CKSUM 0xd448

/* Ether / IPv6 fe80::1 -> fe80::2 / TCP 443 -> 51000 PSH|ACK / "GET / HTTP/1.0\r\n\r\n". */
static const uint8_t pkt_tcp6[] = {
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xdd, 0x60, 0x00,
    0x00, 0x00, 0x00, 0x26, 0x06, 0x40, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x01, 0xbb, 0xc7, 0x38, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b,
    0x0c, 0x0d, 0x50, 0x18, 0x04, 0x00, 0xed, 0x04, 0x00, 0x00, 0x47, 0x45, 0x54, 0x20, 0x2f, 0x20,
    0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e, 0x30, 0x0d, 0x0a, 0x0d, 0x0a};
#define TCP6_L4_CKSUM 0xed04

/* The IPv4 header example of the Wikipedia "Internet checksum" article: checksum 0xb861. */
static const uint8_t ipv4_wiki[] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				    0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

/* --- independent reference: big-endian 16-bit words, byte by byte --- */

static uint32_t ref_sum_add(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i += 2) {
		uint32_t w = (uint32_t)b[i] << 8;
		if (i + 1 < len)
			w |= b[i + 1];
		sum += w;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

/* The folded sum as a host-order number. */
static uint16_t ref_sum(const uint8_t *b, size_t len)
{
	return (uint16_t)ref_sum_add(0, b, len);
}

/* Checksum as a host-order number, of a buffer with the checksum field at cks_off zeroed. */
static uint16_t ref_cksum_skip(uint32_t sum, const uint8_t *b, size_t len, size_t cks_off)
{
	uint8_t *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, b, len);
	copy[cks_off] = copy[cks_off + 1] = 0;
	sum = ref_sum_add(sum, copy, len);
	free(copy);
	return (uint16_t)~sum;
}

static uint32_t lcg_state = 12345;

static uint8_t rnd8(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return (uint8_t)(lcg_state >> 16);
}

/* --- hand-made mbufs over exact-size buffers --- */

struct seg {
	struct rf_mbuf m;
	uint8_t *buf;
};

static void seg_init(struct seg *s, const uint8_t *data, uint16_t len)
{
	memset(&s->m, 0, sizeof(s->m));
	s->buf = malloc(len ? len : 1);
	assert_non_null(s->buf);
	if (len)
		memcpy(s->buf, data, len);
	s->m.buf_addr = s->buf;
	s->m.data_off = 0;
	s->m.data_len = len;
	s->m.buf_len = len;
	s->m.pkt_len = len;
	s->m.nb_segs = 1;
}

static void seg_fini(struct seg *s)
{
	free(s->buf);
}

static uint32_t parse(const uint8_t *data, uint16_t len, struct rf_net_hdr_lens *hl)
{
	struct seg s;
	seg_init(&s, data, len);
	uint32_t ptype = rf_net_get_ptype(&s.m, hl);
	seg_fini(&s);
	return ptype;
}

/* --- checksums --- */

static void test_raw_cksum_matches_reference(void **state)
{
	uint8_t buf[512 + 8];

	(void)state;
	for (size_t len = 0; len <= 512; len++) {
		for (size_t off = 0; off < 8; off++) {
			for (size_t i = 0; i < len; i++)
				buf[off + i] = rnd8();
			uint16_t got = rf_raw_cksum(buf + off, len);
			assert_int_equal(ntohs(got), ref_sum(buf + off, len));
		}
	}
}

static void test_raw_cksum_large(void **state)
{
	(void)state;
	/* 64 KB of 0xff: every word is -0, the sum folds to 0xffff. */
	size_t len = 65536;
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	memset(buf, 0xff, len);
	assert_int_equal(rf_raw_cksum(buf, len), 0xffff);
	/* 64 KB of 0x01: 32768 words of 0x0101 sum to 0x808000, which folds to 0x8080. */
	memset(buf, 0x01, len);
	assert_int_equal(rf_raw_cksum(buf, len), 0x8080);
	assert_int_equal(ref_sum(buf, len), 0x8080);
	assert_int_equal(rf_raw_cksum(buf, 0), 0);
	free(buf);
}

static void test_ipv4_cksum_known(void **state)
{
	uint8_t h[sizeof(ipv4_wiki)];
	const struct rf_ipv4_hdr *ip = (const struct rf_ipv4_hdr *)h;

	(void)state;
	memcpy(h, ipv4_wiki, sizeof(h));
	assert_int_equal(ntohs(rf_ipv4_cksum(ip)), 0xb861);
	assert_int_equal(rf_ipv4_cksum_verify(ip), 0);
	/* The current field content does not matter to the computation. */
	h[10] = 0xde;
	h[11] = 0xad;
	assert_int_equal(ntohs(rf_ipv4_cksum(ip)), 0xb861);
	assert_int_equal(rf_ipv4_cksum_verify(ip), -1);
	h[10] = 0xb8;
	h[11] = 0x61;
	h[8] = 0x3f; /* TTL 63: header corrupted */
	assert_int_equal(rf_ipv4_cksum_verify(ip), -1);

	/* The captures, one with options: the 24-byte header is covered. */
	assert_int_equal(ntohs(rf_ipv4_cksum((const void *)(pkt_udp4 + 14))), UDP4_IP_CKSUM);
	assert_int_equal(rf_ipv4_cksum_verify((const void *)(pkt_udp4 + 14)), 0);
	assert_int_equal(ntohs(rf_ipv4_cksum((const void *)(pkt_tcp4opt + 14))), TCP4_IP_CKSUM);
	assert_int_equal(rf_ipv4_cksum_verify((const void *)(pkt_tcp4opt + 14)), 0);
	uint8_t t[sizeof(pkt_tcp4opt)];
	memcpy(t, pkt_tcp4opt, sizeof(t));
	t[14 + 20] ^= 0x01; /* an option byte */
	assert_int_equal(rf_ipv4_cksum_verify((const void *)(t + 14)), -1);
}

static void check_l4_known(const uint8_t *pkt, size_t len, size_t l4_off, size_t cks_off,
			   uint16_t expect, bool v6)
{
	uint8_t *p = malloc(len);
	assert_non_null(p);
	memcpy(p, pkt, len);
	const void *l3 = p + 14;
	/* Last byte of the destination address: IPv4 offset 19, IPv6 offset 39. */
	size_t dst_last = 14 + (v6 ? 39 : 19);
	const void *l4 = p + l4_off;
	uint16_t got;

	got = v6 ? rf_ipv6_udptcp_cksum(l3, l4) : rf_ipv4_udptcp_cksum(l3, l4);
	assert_int_equal(ntohs(got), expect);
	assert_int_equal(
	    v6 ? rf_ipv6_udptcp_cksum_verify(l3, l4) : rf_ipv4_udptcp_cksum_verify(l3, l4), 0);
	/* A garbage field: the computation ignores it, the verification catches it. */
	p[l4_off + cks_off] ^= 0x5a;
	got = v6 ? rf_ipv6_udptcp_cksum(l3, l4) : rf_ipv4_udptcp_cksum(l3, l4);
	assert_int_equal(ntohs(got), expect);
	assert_int_equal(
	    v6 ? rf_ipv6_udptcp_cksum_verify(l3, l4) : rf_ipv4_udptcp_cksum_verify(l3, l4), -1);
	p[l4_off + cks_off] ^= 0x5a;
	/* The last payload byte and an address are covered. */
	p[len - 1] ^= 0x80;
	assert_int_equal(
	    v6 ? rf_ipv6_udptcp_cksum_verify(l3, l4) : rf_ipv4_udptcp_cksum_verify(l3, l4), -1);
	p[len - 1] ^= 0x80;
	p[dst_last] ^= 0x01;
	assert_int_equal(
	    v6 ? rf_ipv6_udptcp_cksum_verify(l3, l4) : rf_ipv4_udptcp_cksum_verify(l3, l4), -1);
	free(p);
}

static void test_udptcp_cksum_known(void **state)
{
	(void)state;
	check_l4_known(pkt_udp4, sizeof(pkt_udp4), 34, 6, UDP4_L4_CKSUM, false);
	check_l4_known(pkt_tcp4opt, sizeof(pkt_tcp4opt), 38, 16, TCP4_L4_CKSUM, false);
	check_l4_known(pkt_udp6, sizeof(pkt_udp6), 54, 6, UDP6_L4_CKSUM, true);
	check_l4_known(pkt_tcp6, sizeof(pkt_tcp6), 54, 16, TCP6_L4_CKSUM, true);
}

static void test_udp_zero_cksum(void **state)
{
	uint8_t p4[sizeof(pkt_udp4)], p6[sizeof(pkt_udp6)];

	(void)state;
	memcpy(p4, pkt_udp4, sizeof(p4));
	memcpy(p6, pkt_udp6, sizeof(p6));
	p4[40] = p4[41] = 0;
	p6[60] = p6[61] = 0;
	/* RFC 768: 0 means "no checksum" over IPv4; RFC 8200 §8.1: never valid over IPv6. */
	assert_int_equal(rf_ipv4_udptcp_cksum_verify((void *)(p4 + 14), p4 + 34), 0);
	assert_int_equal(rf_ipv6_udptcp_cksum_verify((void *)(p6 + 14), p6 + 54), -1);

	/*
	 * Make the segment sum to 0xffff with the field zero, by choosing the
	 * payload word "he": the checksum is then 0, which must go out as
	 * 0xffff. The reference: pseudo-header + UDP segment, big-endian.
	 */
	uint8_t ph[12];
	memcpy(ph, p4 + 26, 8);
	ph[8] = 0;
	ph[9] = RF_IP_PROTO_UDP;
	ph[10] = 0;
	ph[11] = 13;
	p4[42] = p4[43] = 0;
	uint32_t s = ref_sum_add(ref_sum_add(0, ph, sizeof(ph)), p4 + 34, 13);
	uint16_t w = (uint16_t)(0xffff - s);
	p4[42] = (uint8_t)(w >> 8);
	p4[43] = (uint8_t)w;
	assert_int_equal(ref_sum_add(ref_sum_add(0, ph, sizeof(ph)), p4 + 34, 13), 0xffff);
	assert_int_equal(rf_ipv4_udptcp_cksum((void *)(p4 + 14), p4 + 34), 0xffff);
	p4[40] = p4[41] = 0xff;
	assert_int_equal(rf_ipv4_udptcp_cksum_verify((void *)(p4 + 14), p4 + 34), 0);
}

static void test_cksum_update16(void **state)
{
	uint8_t h[20];
	struct rf_ipv4_hdr *ip = (struct rf_ipv4_hdr *)h;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof(h); i++)
			h[i] = rnd8();
		h[0] = 0x45;
		ip->hdr_checksum = rf_ipv4_cksum(ip);
		/* Any word but the first (it holds the header length) and the checksum. */
		size_t word = 2 + (rnd8() % 9) * 2;
		if (word == offsetof(struct rf_ipv4_hdr, hdr_checksum))
			word = 8;
		uint16_t old, new;
		memcpy(&old, h + word, 2);
		new = (uint16_t)(rnd8() << 8 | rnd8());
		memcpy(h + word, &new, 2);
		ip->hdr_checksum = rf_cksum_update16(ip->hdr_checksum, old, new);
		assert_int_equal(rf_ipv4_cksum_verify(ip), 0);
		/* Same as a full recomputation, which matches the reference; up to +0/-0. */
		uint16_t full = rf_ipv4_cksum(ip);
		assert_int_equal(ntohs(full), ref_cksum_skip(0, h, 20, 10));
		if (ip->hdr_checksum != full)
			assert_true((full == 0 && ip->hdr_checksum == 0xffff) ||
				    (full == 0xffff && ip->hdr_checksum == 0));
	}
}

static void test_raw_cksum_mbuf_chain(void **state)
{
	uint8_t data[101];
	struct seg s[3];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = rnd8();
	/* Every split into three non-empty segments, odd boundaries included. */
	for (uint16_t a = 1; a < 99; a += 3) {
		for (uint16_t b = 1; a + b < 100; b += 5) {
			uint16_t c = (uint16_t)(sizeof(data) - a - b);
			seg_init(&s[0], data, a);
			seg_init(&s[1], data + a, b);
			seg_init(&s[2], data + a + b, c);
			s[0].m.next = &s[1].m;
			s[1].m.next = &s[2].m;
			s[0].m.pkt_len = sizeof(data);
			s[0].m.nb_segs = 3;
			for (uint32_t off = 0; off <= sizeof(data); off += 7) {
				for (uint32_t len = 0; off + len <= sizeof(data); len += 11) {
					uint16_t got = 0x1234;
					assert_int_equal(rf_raw_cksum_mbuf(&s[0].m, off, len, &got),
							 0);
					assert_int_equal(ntohs(got), ref_sum(data + off, len));
				}
			}
			uint16_t dummy;
			assert_int_equal(rf_raw_cksum_mbuf(&s[0].m, 0, sizeof(data) + 1, &dummy),
					 -EINVAL);
			assert_int_equal(rf_raw_cksum_mbuf(&s[0].m, 100, 2, &dummy), -EINVAL);
			/* A chain holding less than pkt_len says: refused, not over-read. */
			s[0].m.pkt_len = sizeof(data) + 10;
			assert_int_equal(rf_raw_cksum_mbuf(&s[0].m, 0, sizeof(data) + 5, &dummy),
					 -EINVAL);
			for (int k = 0; k < 3; k++)
				seg_fini(&s[k]);
		}
	}
}

/* --- parsing --- */

struct vec {
	const char *name;
	uint8_t data[128];
	uint16_t len;
	uint32_t ptype;
	uint16_t l2, l3, l4;
};

static void vec_from(struct vec *v, const char *name, const uint8_t *data, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->name = name;
	assert_true(len <= sizeof(v->data));
	memcpy(v->data, data, len);
	v->len = (uint16_t)len;
}

/* Insert an 802.1Q tag (VID 100) after the MAC addresses. */
static void vec_add_vlan(struct vec *v)
{
	memmove(v->data + 16, v->data + 12, v->len - 12u);
	v->data[12] = 0x81;
	v->data[13] = 0x00;
	v->data[14] = 0x00;
	v->data[15] = 0x64;
	v->len += 4;
}

/* An Ether / IPv4 / ICMP echo request with 4 bytes of data. */
static void vec_icmp(struct vec *v)
{
	static const uint8_t icmp[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
				       0x00, 0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01,
				       0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01,
				       0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00, 0x00, 0x00, 0x07,
				       0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
	vec_from(v, "icmp4", icmp, sizeof(icmp));
}

static size_t make_vectors(struct vec *v)
{
	size_t n = 0;

	vec_from(&v[n], "udp4", pkt_udp4, sizeof(pkt_udp4));
	v[n].ptype = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_UDP;
	v[n].l2 = 14, v[n].l3 = 20, v[n].l4 = 8;
	n++;
	vec_from(&v[n], "tcp4opt", pkt_tcp4opt, sizeof(pkt_tcp4opt));
	v[n].ptype = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_TCP;
	v[n].l2 = 14, v[n].l3 = 24, v[n].l4 = 24;
	n++;
	vec_from(&v[n], "udp6", pkt_udp6, sizeof(pkt_udp6));
	v[n].ptype = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV6 | RF_PTYPE_L4_UDP;
	v[n].l2 = 14, v[n].l3 = 40, v[n].l4 = 8;
	n++;
	vec_from(&v[n], "tcp6", pkt_tcp6, sizeof(pkt_tcp6));
	v[n].ptype = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV6 | RF_PTYPE_L4_TCP;
	v[n].l2 = 14, v[n].l3 = 40, v[n].l4 = 20;
	n++;
	vec_from(&v[n], "vlan-tcp4opt", pkt_tcp4opt, sizeof(pkt_tcp4opt));
	vec_add_vlan(&v[n]);
	v[n].ptype = RF_PTYPE_L2_ETHER_VLAN | RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_TCP;
	v[n].l2 = 18, v[n].l3 = 24, v[n].l4 = 24;
	n++;
	vec_from(&v[n], "vlan-udp6", pkt_udp6, sizeof(pkt_udp6));
	vec_add_vlan(&v[n]);
	v[n].ptype = RF_PTYPE_L2_ETHER_VLAN | RF_PTYPE_L3_IPV6 | RF_PTYPE_L4_UDP;
	v[n].l2 = 18, v[n].l3 = 40, v[n].l4 = 8;
	n++;
	vec_icmp(&v[n]);
	v[n].ptype = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_ICMP;
	v[n].l2 = 14, v[n].l3 = 20, v[n].l4 = 8;
	n++;
	return n;
}

static void test_ptype_vectors(void **state)
{
	struct vec v[8];
	size_t n = make_vectors(v);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		struct rf_net_hdr_lens hl = {1, 1, 1};
		uint32_t ptype = parse(v[i].data, v[i].len, &hl);
		if (ptype != v[i].ptype)
			fail_msg("%s: ptype %#x, expected %#x", v[i].name, ptype, v[i].ptype);
		assert_int_equal(hl.l2_len, v[i].l2);
		assert_int_equal(hl.l3_len, v[i].l3);
		assert_int_equal(hl.l4_len, v[i].l4);
	}
}

/*
 * Every prefix of every vector: the parse reads only the prefix (the buffer
 * is exactly that long, ASan checks), never reports a header that does not
 * fit, and reports the whole packet type as soon as all headers are there.
 */
static void test_ptype_truncated(void **state)
{
	struct vec v[8];
	size_t n = make_vectors(v);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint16_t hdrs = (uint16_t)(v[i].l2 + v[i].l3 + v[i].l4);
		for (uint16_t len = 0; len <= v[i].len; len++) {
			struct rf_net_hdr_lens hl;
			uint32_t ptype = parse(v[i].data, len, &hl);
			assert_true(hl.l2_len + hl.l3_len + hl.l4_len <= len);
			if (len >= hdrs)
				assert_int_equal(ptype, v[i].ptype);
			else
				assert_int_not_equal(ptype, v[i].ptype);
			if (len < 14)
				assert_int_equal(ptype, 0);
			if (hl.l3_len == 0)
				assert_int_equal(ptype & RF_PTYPE_L3_MASK, 0);
			if (hl.l4_len == 0)
				assert_int_equal(ptype & RF_PTYPE_L4_MASK, 0);
		}
	}
}

static void expect_ptype(const struct vec *v, uint32_t ptype, uint16_t l2, uint16_t l3, uint16_t l4)
{
	struct rf_net_hdr_lens hl;
	uint32_t got = parse(v->data, v->len, &hl);

	if (got != ptype)
		fail_msg("%s: ptype %#x, expected %#x", v->name, got, ptype);
	assert_int_equal(hl.l2_len, l2);
	assert_int_equal(hl.l3_len, l3);
	assert_int_equal(hl.l4_len, l4);
}

static void test_ptype_other_and_malformed(void **state)
{
	struct vec v;
	const uint32_t E = RF_PTYPE_L2_ETHER, V4 = RF_PTYPE_L3_IPV4, V6 = RF_PTYPE_L3_IPV6;

	(void)state;
	/* ARP: L2 only. */
	static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0,    0,
					1,    0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};
	vec_from(&v, "arp", arp, sizeof(arp));
	expect_ptype(&v, E, 14, 0, 0);

	/* IPv4 fragments: L4_FRAG and no L4 header, first (MF) or later (offset). */
	vec_from(&v, "frag-mf", pkt_udp4, sizeof(pkt_udp4));
	v.data[20] = 0x20;
	v.data[21] = 0x00;
	expect_ptype(&v, E | V4 | RF_PTYPE_L4_FRAG, 14, 20, 0);
	vec_from(&v, "frag-off", pkt_udp4, sizeof(pkt_udp4));
	v.data[20] = 0x00;
	v.data[21] = 0x10;
	expect_ptype(&v, E | V4 | RF_PTYPE_L4_FRAG, 14, 20, 0);

	/* IHL below 5, wrong version, total_length shorter than the header. */
	vec_from(&v, "ihl4", pkt_udp4, sizeof(pkt_udp4));
	v.data[14] = 0x44;
	expect_ptype(&v, E, 14, 0, 0);
	vec_from(&v, "ver6-in-v4", pkt_udp4, sizeof(pkt_udp4));
	v.data[14] = 0x65;
	expect_ptype(&v, E, 14, 0, 0);
	vec_from(&v, "totlen-short", pkt_udp4, sizeof(pkt_udp4));
	v.data[16] = 0;
	v.data[17] = 19;
	expect_ptype(&v, E, 14, 0, 0);
	/* IHL 15 says 60 bytes of header, the frame has 33 after Ethernet. */
	vec_from(&v, "ihl-past-end", pkt_udp4, sizeof(pkt_udp4));
	v.data[14] = 0x4f;
	expect_ptype(&v, E, 14, 0, 0);

	/* total_length ends the datagram before the UDP header does (the rest is padding). */
	vec_from(&v, "udp-outside-datagram", pkt_udp4, sizeof(pkt_udp4));
	v.data[17] = 24;
	expect_ptype(&v, E | V4, 14, 20, 0);

	/* TCP data offset below 5, and one reaching past the segment. */
	vec_from(&v, "tcp-doff4", pkt_tcp4opt, sizeof(pkt_tcp4opt));
	v.data[50] = 0x40;
	expect_ptype(&v, E | V4, 14, 24, 0);
	vec_from(&v, "tcp-doff15", pkt_tcp4opt, sizeof(pkt_tcp4opt));
	v.data[50] = 0xf0;
	expect_ptype(&v, E | V4, 14, 24, 0);

	/* IPv6: bad version; payload_len too short for UDP; ICMPv6 is ICMP; ICMPv4 is not. */
	vec_from(&v, "v6-ver4", pkt_udp6, sizeof(pkt_udp6));
	v.data[14] = 0x40;
	expect_ptype(&v, E, 14, 0, 0);
	vec_from(&v, "v6-short-payload", pkt_udp6, sizeof(pkt_udp6));
	v.data[19] = 7;
	expect_ptype(&v, E | V6, 14, 40, 0);
	vec_from(&v, "icmpv6", pkt_udp6, sizeof(pkt_udp6));
	v.data[20] = RF_IP_PROTO_ICMPV6;
	expect_ptype(&v, E | V6 | RF_PTYPE_L4_ICMP, 14, 40, 8);
	vec_from(&v, "icmpv4-in-v6", pkt_udp6, sizeof(pkt_udp6));
	v.data[20] = RF_IP_PROTO_ICMP;
	expect_ptype(&v, E | V6, 14, 40, 0);
	/* An unknown L4 protocol (SCTP). */
	vec_from(&v, "sctp", pkt_udp4, sizeof(pkt_udp4));
	v.data[23] = 132;
	expect_ptype(&v, E | V4, 14, 20, 0);

	/* A VLAN tag cut in the middle: Ethernet only. */
	vec_from(&v, "vlan-cut", pkt_udp4, sizeof(pkt_udp4));
	vec_add_vlan(&v);
	v.len = 16;
	expect_ptype(&v, E, 14, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raw_cksum_matches_reference),
	    cmocka_unit_test(test_raw_cksum_large),
	    cmocka_unit_test(test_ipv4_cksum_known),
	    cmocka_unit_test(test_udptcp_cksum_known),
	    cmocka_unit_test(test_udp_zero_cksum),
	    cmocka_unit_test(test_cksum_update16),
	    cmocka_unit_test(test_raw_cksum_mbuf_chain),
	    cmocka_unit_test(test_ptype_vectors),
	    cmocka_unit_test(test_ptype_truncated),
	    cmocka_unit_test(test_ptype_other_and_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
