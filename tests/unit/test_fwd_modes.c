/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the forwarding modes of app/fwd, one burst at a time on
 * packets built by hand: the exact bytes each mode sends, checksums verified
 * by an independent implementation (below, byte by byte, big-endian), what
 * is dropped and counted, and that every mbuf is back in the pool at the end
 * of each test. No port is needed: the stream's tx_port_mac is set as the
 * engine would set it. Memory is the EAL heap in --no-huge mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fwd_mode.h"
#include "rf_eal.h"
#include "rf_mbuf.h"
#include "rf_test_eal.h"

#define NB_MBUF 512
#define MAX_PKT 2048

static struct rf_mempool *pool;
static struct rf_fwd_config cfg;
static struct rf_fwd_stream fs;

static const uint8_t TX_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xaa};
static const uint8_t MAC_A[6] = {0x02, 0x11, 0x11, 0x11, 0x11, 0x11}; /* sender of test frames */
static const uint8_t MAC_B[6] = {0x02, 0x22, 0x22, 0x22, 0x22, 0x22}; /* their destination */
static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define IP(a, b, c, d)                                                                             \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

/* --- byte helpers and the reference checksum --- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* One's complement sum of big-endian words, folded as it goes. */
static uint32_t ref_add(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i += 2) {
		sum += (uint32_t)b[i] << 8 | (i + 1 < len ? b[i + 1] : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

/* Pseudo-header sum for an L4 segment: IPv4 (RFC 768) or IPv6 (RFC 8200 §8.1). */
static uint32_t ref_phdr(const uint8_t *l3, int ipver, uint8_t proto, uint32_t l4_len)
{
	uint8_t tail[8] = {0};
	uint32_t sum;

	if (ipver == 4) {
		sum = ref_add(0, l3 + 12, 8);
		tail[1] = proto;
		put16(tail + 2, (uint16_t)l4_len);
		return ref_add(sum, tail, 4);
	}
	sum = ref_add(0, l3 + 8, 32);
	put32(tail, l4_len);
	tail[7] = proto;
	return ref_add(sum, tail, 8);
}

/*
 * Check every checksum of a frame the reference way: IPv4 header, TCP/UDP
 * with pseudo-header, ICMP over the message. A zero UDP checksum passes over
 * IPv4 only if allow_udp0.
 */
static void assert_cksums_ok(const uint8_t *f, size_t len, bool allow_udp0)
{
	size_t l2 = 14;
	uint16_t type = get16(f + 12);

	if (type == 0x8100) {
		type = get16(f + 16);
		l2 = 18;
	}
	const uint8_t *l3 = f + l2;
	uint8_t proto;
	size_t l3_len;
	uint32_t l4_len;
	int ipver;
	if (type == 0x0800) {
		ipver = 4;
		l3_len = (size_t)(l3[0] & 0xf) * 4;
		assert_int_equal(ref_add(0, l3, l3_len), 0xffff);
		proto = l3[9];
		l4_len = get16(l3 + 2) - (uint32_t)l3_len;
	} else if (type == 0x86dd) {
		ipver = 6;
		l3_len = 40;
		proto = l3[6];
		l4_len = get16(l3 + 4);
	} else {
		return;
	}
	assert_true(l2 + l3_len + l4_len <= len);
	const uint8_t *l4 = l3 + l3_len;
	if (proto == 1) {
		assert_int_equal(ref_add(0, l4, l4_len), 0xffff);
	} else if (proto == 6 || proto == 17) {
		if (proto == 17 && get16(l4 + 6) == 0) {
			assert_true(allow_udp0 && ipver == 4);
			return;
		}
		assert_int_equal(ref_add(ref_phdr(l3, ipver, proto, l4_len), l4, l4_len), 0xffff);
	}
}

/* --- test frames --- */

struct spec {
	const uint8_t *mac_dst, *mac_src;
	bool vlan;
	int ipver;	   /* 4 or 6 */
	uint8_t ip_opts;   /* IPv4 option bytes, a multiple of 4 */
	uint8_t proto;	   /* 6 TCP, 17 UDP, 1 ICMP (echo) */
	uint8_t tcp_opts;  /* a multiple of 4 */
	uint8_t icmp_type; /* 8 request, 0 reply */
	uint16_t payload;  /* bytes after the L4 header */
	uint16_t sport, dport;
	uint32_t src4, dst4;
	uint8_t src6[16], dst6[16];
};

struct pkt {
	uint8_t b[MAX_PKT];
	uint16_t len, l2, l3, l4; /* frame length and header lengths */
};

static void spec_default(struct spec *s, int ipver, uint8_t proto)
{
	memset(s, 0, sizeof(*s));
	s->mac_dst = MAC_B;
	s->mac_src = MAC_A;
	s->ipver = ipver;
	s->proto = proto;
	s->icmp_type = 8;
	s->payload = 21;
	s->sport = 1111;
	s->dport = 2222;
	s->src4 = IP(10, 0, 0, 1);
	s->dst4 = IP(10, 0, 0, 2);
	s->src6[0] = s->dst6[0] = 0x20;
	s->src6[1] = s->dst6[1] = 0x01;
	s->src6[15] = 1;
	s->dst6[15] = 2;
}

/* Build the frame of s with every checksum correct (computed the reference way). */
static void make_pkt(struct pkt *p, const struct spec *s)
{
	uint8_t *b = p->b;
	size_t l2 = 12;

	memset(p, 0, sizeof(*p));
	memcpy(b, s->mac_dst, 6);
	memcpy(b + 6, s->mac_src, 6);
	if (s->vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 0x2064); /* PCP 1, VID 100 */
		l2 += 4;
	}
	put16(b + l2, s->ipver == 4 ? 0x0800 : 0x86dd);
	l2 += 2;

	size_t l3 = s->ipver == 4 ? 20u + s->ip_opts : 40u;
	size_t l4 = s->proto == 6 ? 20u + s->tcp_opts : 8u;
	uint8_t *ip = b + l2, *h = ip + l3;
	uint32_t seg = (uint32_t)(l4 + s->payload);

	for (size_t i = 0; i < s->payload; i++)
		h[l4 + i] = (uint8_t)(i * 7 + 3);
	if (s->proto == 6) {
		put16(h, s->sport);
		put16(h + 2, s->dport);
		put32(h + 4, 0x01020304);
		put32(h + 8, 0x0a0b0c0d);
		h[12] = (uint8_t)((l4 / 4) << 4);
		h[13] = 0x18;
		put16(h + 14, 4096);
		for (size_t i = 20; i < l4; i++)
			h[i] = 0x01; /* NOP options */
	} else if (s->proto == 17) {
		put16(h, s->sport);
		put16(h + 2, s->dport);
		put16(h + 4, (uint16_t)seg);
	} else {
		h[0] = s->icmp_type;
		put16(h + 4, 0x1234);
		put16(h + 6, 0x0001);
	}

	if (s->ipver == 4) {
		ip[0] = (uint8_t)(0x40 | l3 / 4);
		put16(ip + 2, (uint16_t)(l3 + seg));
		put16(ip + 4, 0x4242);
		ip[8] = 64;
		ip[9] = s->proto;
		put32(ip + 12, s->src4);
		put32(ip + 16, s->dst4);
		for (size_t i = 20; i < l3; i++)
			ip[i] = 0x01;
		put16(ip + 10, (uint16_t)~ref_add(0, ip, l3));
	} else {
		put32(ip, 0x60000000);
		put16(ip + 4, (uint16_t)seg);
		ip[6] = s->proto;
		ip[7] = 64;
		memcpy(ip + 8, s->src6, 16);
		memcpy(ip + 24, s->dst6, 16);
	}

	if (s->proto == 1) {
		put16(h + 2, (uint16_t)~ref_add(0, h, seg));
	} else {
		size_t off = s->proto == 6 ? 16 : 6;
		uint16_t c = (uint16_t)~ref_add(ref_phdr(ip, s->ipver, s->proto, seg), h, seg);
		if (s->proto == 17 && c == 0)
			c = 0xffff;
		put16(h + off, c);
	}
	p->len = (uint16_t)(l2 + l3 + seg);
	p->l2 = (uint16_t)l2;
	p->l3 = (uint16_t)l3;
	p->l4 = (uint16_t)l4;
	assert_cksums_ok(p->b, p->len, false);
}

/* An ARP frame, padded to the 60-byte Ethernet minimum. */
static void make_arp(struct pkt *p, bool vlan, uint16_t op, uint8_t plen)
{
	uint8_t *b = p->b;
	size_t l2 = 12;

	memset(p, 0, sizeof(*p));
	memcpy(b, BCAST, 6);
	memcpy(b + 6, MAC_A, 6);
	if (vlan) {
		put16(b + 12, 0x8100);
		put16(b + 14, 100);
		l2 += 4;
	}
	put16(b + l2, 0x0806);
	l2 += 2;
	uint8_t *a = b + l2;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = plen;
	put16(a + 6, op);
	memcpy(a + 8, MAC_A, 6);
	put32(a + 14, IP(10, 0, 0, 1));
	put32(a + 24, IP(10, 0, 0, 99));
	for (size_t i = l2 + 28; i < 60; i++)
		b[i] = 0xee;
	p->len = 60;
	p->l2 = (uint16_t)l2;
}

/* --- mbufs --- */

/* The frame in a chain of segments of the given lengths (their sum is len). */
static struct rf_mbuf *mk_chain(const uint8_t *data, uint16_t len, const uint16_t *segs,
				unsigned nseg)
{
	struct rf_mbuf *head = NULL, *last = NULL;
	uint16_t off = 0;

	for (unsigned i = 0; i < nseg; i++) {
		struct rf_mbuf *m = rf_pktmbuf_alloc(pool);
		assert_non_null(m);
		memcpy(rf_pktmbuf_mtod(m, uint8_t *), data + off, segs[i]);
		m->data_len = segs[i];
		off = (uint16_t)(off + segs[i]);
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
		}
		last = m;
	}
	assert_int_equal(off, len);
	head->pkt_len = len;
	return head;
}

static struct rf_mbuf *mk_mbuf(const uint8_t *data, uint16_t len)
{
	return mk_chain(data, len, &len, 1);
}

/* Copy a chain out flat; checks pkt_len against the segments. */
static uint32_t flat(const struct rf_mbuf *m, uint8_t *out)
{
	uint32_t n = 0;
	uint16_t segs = 0;

	for (const struct rf_mbuf *s = m; s != NULL; s = s->next, segs++) {
		memcpy(out + n, rf_pktmbuf_mtod(s, const uint8_t *), s->data_len);
		n += s->data_len;
	}
	assert_int_equal(n, m->pkt_len);
	assert_int_equal(segs, m->nb_segs);
	return n;
}

static void assert_mbuf_bytes(const struct rf_mbuf *m, const uint8_t *expect, uint16_t len)
{
	static uint8_t got[16384];

	assert_int_equal(flat(m, got), len);
	assert_memory_equal(got, expect, len);
}

static void free_all(struct rf_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		rf_pktmbuf_free(pkts[i]);
}

#define assert_pool_full() assert_int_equal(rf_mempool_avail_count(pool), NB_MBUF)

/* Fill every buffer of the pool with 0xa5, so that fresh memory cannot pass for zero payload. */
static void dirty_pool(void)
{
	static struct rf_mbuf *all[NB_MBUF];

	assert_int_equal(rf_pktmbuf_alloc_bulk(pool, all, NB_MBUF), 0);
	for (unsigned i = 0; i < NB_MBUF; i++)
		memset(all[i]->buf_addr, 0xa5, all[i]->buf_len);
	rf_pktmbuf_free_bulk(all, NB_MBUF);
}

static uint16_t run(const char *mode, struct rf_mbuf **pkts, uint16_t n)
{
	const struct rf_fwd_mode *m = rf_fwd_mode_find(mode);

	assert_non_null(m);
	if (m->stream_init != NULL)
		assert_int_equal(m->stream_init(&fs), 0);
	return m->burst(&fs, pkts, n);
}

/* --- fixtures --- */

static int setup(void **state)
{
	(void)state;
	/* No per-lcore cache, so the available count is exact at any time. */
	pool = rf_pktmbuf_pool_create("fwd_modes", NB_MBUF, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				      RF_SOCKET_ID_ANY);
	if (pool == NULL)
		return -1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.burst = 32;
	cfg.txpkts[0] = 64;
	cfg.nb_txpkts = 1;
	cfg.tx_ip_src = IP(198, 18, 0, 1);
	cfg.tx_ip_dst = IP(198, 18, 0, 2);
	cfg.tx_udp_src = 9;
	cfg.tx_udp_dst = 9;
	for (unsigned p = 0; p < RF_MAX_ETHPORTS; p++) {
		memcpy(cfg.eth_peer[p].addr_bytes, (uint8_t[6]){0x02, 0, 0, 0, 0, 0}, 6);
		cfg.eth_peer[p].addr_bytes[5] = (uint8_t)p;
	}
	cfg.flowgen_flows = 1024;
	memset(&fs, 0, sizeof(fs));
	fs.rx_port = 0;
	fs.tx_port = 1;
	fs.cfg = &cfg;
	fs.pool = pool;
	memcpy(fs.tx_port_mac.addr_bytes, TX_MAC, 6);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsigned avail = rf_mempool_avail_count(pool);
	rf_mempool_free(pool);
	pool = NULL;
	return avail == NB_MBUF ? 0 : -1;
}

/* --- the table --- */

static void test_mode_table(void **state)
{
	static const char *const names[] = {"io",     "mac",	 "macswap",  "5tswap", "rxonly",
					    "txonly", "flowgen", "icmpecho", "csum"};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < RF_DIM(names); i++) {
		const struct rf_fwd_mode *m = rf_fwd_mode_find(names[i]);
		assert_non_null(m);
		assert_string_equal(m->name, names[i]);
		assert_ptr_equal(rf_fwd_modes[i], m);
		assert_non_null(m->burst);
		assert_non_null(m->help);
		assert_int_equal(m->rx, strcmp(names[i], "txonly") != 0);
	}
	assert_null(rf_fwd_modes[RF_DIM(names)]);
	assert_null(rf_fwd_mode_find("bogus"));
	assert_null(rf_fwd_mode_find("IO"));

	rf_fwd_mode_list(buf, sizeof(buf));
	assert_string_equal(buf, "io mac macswap 5tswap rxonly txonly flowgen icmpecho csum");
	rf_fwd_mode_list(buf, 9);
	assert_int_equal(strlen(buf), 6); /* "io mac": " macswap" did not fit */
	assert_string_equal(buf, "io mac");
	buf[0] = 'x';
	rf_fwd_mode_list(buf, 0);
	assert_int_equal(buf[0], 'x');
	assert_pool_full();
}

/* --- io, mac, macswap, 5tswap, rxonly --- */

static void test_io(void **state)
{
	struct spec s;
	struct pkt p[3];
	struct rf_mbuf *pkts[3];

	(void)state;
	spec_default(&s, 4, 17);
	make_pkt(&p[0], &s);
	spec_default(&s, 6, 6);
	make_pkt(&p[1], &s);
	make_arp(&p[2], false, 1, 4);
	for (int i = 0; i < 3; i++)
		pkts[i] = mk_mbuf(p[i].b, p[i].len);
	struct rf_mbuf *before[3] = {pkts[0], pkts[1], pkts[2]};
	assert_int_equal(run("io", pkts, 3), 3);
	for (int i = 0; i < 3; i++) {
		assert_ptr_equal(pkts[i], before[i]);
		assert_mbuf_bytes(pkts[i], p[i].b, p[i].len);
	}
	free_all(pkts, 3);
	assert_pool_full();
}

static void test_mac(void **state)
{
	struct spec s;
	struct pkt p, expect;
	const uint8_t runt[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct rf_mbuf *pkts[2];

	(void)state;
	spec_default(&s, 4, 6);
	make_pkt(&p, &s);
	expect = p;
	memcpy(expect.b, (uint8_t[6]){0x02, 0, 0, 0, 0, 1}, 6); /* eth_peer[tx_port 1] */
	memcpy(expect.b + 6, TX_MAC, 6);
	pkts[0] = mk_mbuf(p.b, p.len);
	pkts[1] = mk_mbuf(runt, sizeof(runt));
	assert_int_equal(run("mac", pkts, 2), 2);
	assert_mbuf_bytes(pkts[0], expect.b, expect.len);
	assert_mbuf_bytes(pkts[1], runt, sizeof(runt)); /* too short to rewrite */
	free_all(pkts, 2);
	assert_pool_full();
}

static void test_macswap(void **state)
{
	struct spec s;
	struct pkt p, expect;
	struct rf_mbuf *pkts[1];

	(void)state;
	spec_default(&s, 6, 17);
	s.vlan = true;
	make_pkt(&p, &s);
	s.mac_dst = MAC_A;
	s.mac_src = MAC_B;
	make_pkt(&expect, &s);
	pkts[0] = mk_mbuf(p.b, p.len);
	assert_int_equal(run("macswap", pkts, 1), 1);
	assert_mbuf_bytes(pkts[0], expect.b, expect.len);
	free_all(pkts, 1);
	assert_pool_full();
}

static void swap_at(uint8_t *b, size_t x, size_t y, size_t len)
{
	uint8_t t[16];
	memcpy(t, b + x, len);
	memcpy(b + x, b + y, len);
	memcpy(b + y, t, len);
}

static void test_5tswap(void **state)
{
	struct {
		int ipver;
		uint8_t proto;
		bool vlan;
		uint8_t ip_opts, tcp_opts;
	} cases[] = {
	    {4, 17, false, 0, 0}, {4, 6, false, 4, 8}, {6, 17, false, 0, 0},
	    {6, 6, true, 0, 4},	  {4, 17, true, 8, 0}, {4, 1, false, 0, 0},
	};
	enum { N = RF_DIM(cases) };
	struct pkt p[N], expect[N];
	struct rf_mbuf *pkts[N + 2];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct spec s;
		spec_default(&s, cases[i].ipver, cases[i].proto);
		s.vlan = cases[i].vlan;
		s.ip_opts = cases[i].ip_opts;
		s.tcp_opts = cases[i].tcp_opts;
		s.payload = (uint16_t)(30 + i);
		make_pkt(&p[i], &s);
		expect[i] = p[i];
		uint8_t *e = expect[i].b;
		swap_at(e, 0, 6, 6);
		if (cases[i].ipver == 4)
			swap_at(e, p[i].l2 + 12u, p[i].l2 + 16u, 4);
		else
			swap_at(e, p[i].l2 + 8u, p[i].l2 + 24u, 16);
		if (cases[i].proto != 1)
			swap_at(e, (size_t)p[i].l2 + p[i].l3, (size_t)p[i].l2 + p[i].l3 + 2, 2);
		pkts[i] = mk_mbuf(p[i].b, p[i].len);
	}
	/* ARP: MACs only. An IPv4 fragment: addresses but no ports (no L4 header). */
	struct pkt arp, arp_expect, frag, frag_expect;
	make_arp(&arp, false, 1, 4);
	arp_expect = arp;
	swap_at(arp_expect.b, 0, 6, 6);
	pkts[N] = mk_mbuf(arp.b, arp.len);
	struct spec s;
	spec_default(&s, 4, 17);
	make_pkt(&frag, &s);
	put16(frag.b + 14 + 6, 0x0010); /* fragment offset 16 */
	frag_expect = frag;
	swap_at(frag_expect.b, 0, 6, 6);
	swap_at(frag_expect.b, 26, 30, 4);
	pkts[N + 1] = mk_mbuf(frag.b, frag.len);

	assert_int_equal(run("5tswap", pkts, N + 2), N + 2);
	for (size_t i = 0; i < N; i++) {
		assert_mbuf_bytes(pkts[i], expect[i].b, expect[i].len);
		/* Swaps keep every sum: the untouched checksums are still right. */
		assert_cksums_ok(rf_pktmbuf_mtod(pkts[i], const uint8_t *), pkts[i]->data_len,
				 false);
	}
	assert_mbuf_bytes(pkts[N], arp_expect.b, arp_expect.len);
	assert_mbuf_bytes(pkts[N + 1], frag_expect.b, frag_expect.len);
	free_all(pkts, N + 2);
	assert_pool_full();
}

static void test_rxonly(void **state)
{
	struct spec s;
	struct pkt p;
	struct rf_mbuf *pkts[5];

	(void)state;
	spec_default(&s, 4, 17);
	make_pkt(&p, &s);
	for (int i = 0; i < 4; i++)
		pkts[i] = mk_mbuf(p.b, p.len);
	uint16_t split[3] = {20, 20, (uint16_t)(p.len - 40)};
	pkts[4] = mk_chain(p.b, p.len, split, 3);
	assert_int_equal(rf_mempool_avail_count(pool), NB_MBUF - 7);
	assert_int_equal(run("rxonly", pkts, 5), 0);
	assert_int_equal(fs.dropped, 0); /* consumed by design, not dropped */
	assert_pool_full();
}

/* --- txonly, flowgen --- */

/*
 * A generated frame: addresses, fields, the IPv4 checksum, UDP checksum 0
 * ("none": the generator does not write or sum the payload). untouched: the
 * pool was dirtied (dirty_pool) with every mbuf in it just before the burst,
 * so the payload must still hold the pool's 0xa5 bytes, unwritten.
 */
static void check_gen_frame(const uint8_t *f, uint32_t len, uint32_t dst, bool untouched)
{
	assert_memory_equal(f, ((uint8_t[6]){0x02, 0, 0, 0, 0, 1}), 6);
	assert_memory_equal(f + 6, TX_MAC, 6);
	assert_int_equal(get16(f + 12), 0x0800);
	const uint8_t *ip = f + 14;
	assert_int_equal(ip[0], 0x45);
	assert_int_equal(ip[1], 0);
	assert_int_equal(get16(ip + 2), len - 14);
	assert_int_equal(get16(ip + 6), 0); /* no fragment flags */
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[9], 17);
	assert_int_equal(get32(ip + 12), cfg.tx_ip_src);
	assert_int_equal(get32(ip + 16), dst);
	const uint8_t *udp = ip + 20;
	assert_int_equal(get16(udp), cfg.tx_udp_src);
	assert_int_equal(get16(udp + 2), cfg.tx_udp_dst);
	assert_int_equal(get16(udp + 4), len - 34);
	assert_int_equal(get16(udp + 6), 0); /* "none" (RFC 768) */
	assert_cksums_ok(f, len, true);
	for (uint32_t i = 42; untouched && i < len; i++)
		assert_int_equal(f[i], 0xa5);
}

static void test_txonly_single_segment(void **state)
{
	struct rf_mbuf *pkts[32];
	static uint8_t f[MAX_PKT];

	(void)state;
	dirty_pool();
	cfg.burst = 8;
	assert_int_equal(run("txonly", pkts, 0), 8);
	assert_int_equal(rf_mempool_avail_count(pool), NB_MBUF - 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pkts[i]->nb_segs, 1);
		assert_int_equal(pkts[i]->data_len, 64);
		assert_null(pkts[i]->next);
		check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst, true);
	}
	free_all(pkts, 8);

	/* Another size and addresses: the template follows the config at stream_init. */
	cfg.txpkts[0] = 1500;
	cfg.tx_ip_dst = IP(203, 0, 113, 77);
	cfg.tx_udp_src = 4000;
	cfg.tx_udp_dst = 5001;
	cfg.burst = 3;
	dirty_pool();
	assert_int_equal(run("txonly", pkts, 0), 3);
	for (int i = 0; i < 3; i++)
		check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst, true);
	free_all(pkts, 3);
	assert_pool_full();
}

static void test_txonly_multi_segment(void **state)
{
	struct rf_mbuf *pkts[32];
	static uint8_t f[MAX_PKT * 8];
	/* The first segment shorter than the 42 header bytes: they span two segments. */
	const uint16_t shapes[][4] = {{20, 30, 61, 0}, {64, 1000, 0, 0}, {42, 1, 1, 7}};
	const uint16_t nshape[] = {3, 2, 4};

	(void)state;
	cfg.burst = 5;
	for (size_t k = 0; k < RF_DIM(shapes); k++) {
		uint32_t total = 0;
		dirty_pool();
		cfg.nb_txpkts = nshape[k];
		for (uint16_t i = 0; i < nshape[k]; i++) {
			cfg.txpkts[i] = shapes[k][i];
			total += shapes[k][i];
		}
		assert_int_equal(run("txonly", pkts, 0), 5);
		for (int i = 0; i < 5; i++) {
			assert_int_equal(pkts[i]->nb_segs, nshape[k]);
			assert_int_equal(pkts[i]->pkt_len, total);
			uint16_t sgi = 0;
			for (struct rf_mbuf *sg = pkts[i]; sg != NULL; sg = sg->next, sgi++)
				assert_int_equal(sg->data_len, shapes[k][sgi]);
			check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst, true);
		}
		free_all(pkts, 5);
		assert_pool_full();
	}
}

static void test_txonly_bad_config(void **state)
{
	const struct rf_fwd_mode *tx = rf_fwd_mode_find("txonly");
	const struct rf_fwd_mode *fg = rf_fwd_mode_find("flowgen");

	(void)state;
	assert_int_equal(tx->stream_init(&fs), 0);
	cfg.nb_txpkts = 0;
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	cfg.nb_txpkts = RF_FWD_MAX_TXPKTS_SEGS + 1;
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	cfg.nb_txpkts = 1;
	cfg.txpkts[0] = 41; /* Ether + IPv4 + UDP need 42 */
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	cfg.txpkts[0] = 42;
	assert_int_equal(tx->stream_init(&fs), 0);
	cfg.txpkts[0] = RF_MBUF_DEFAULT_DATAROOM + 1; /* more than one mbuf holds */
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	cfg.txpkts[0] = RF_MBUF_DEFAULT_DATAROOM;
	assert_int_equal(tx->stream_init(&fs), 0);
	cfg.nb_txpkts = 2;
	cfg.txpkts[0] = 64;
	cfg.txpkts[1] = 0; /* an empty segment */
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	cfg.nb_txpkts = 1;
	cfg.flowgen_flows = 0;
	assert_int_equal(fg->stream_init(&fs), -EINVAL);
	cfg.flowgen_flows = 1;
	assert_int_equal(fg->stream_init(&fs), 0);
	fs.pool = NULL;
	assert_int_equal(tx->stream_init(&fs), -EINVAL);
	fs.pool = pool;
	assert_pool_full();
}

/* When the pool runs short, the generators send what they could build and leak nothing. */
static void test_txonly_pool_exhaustion(void **state)
{
	struct rf_mbuf *hold[NB_MBUF];
	struct rf_mbuf *pkts[32];

	(void)state;
	cfg.burst = 32;
	cfg.nb_txpkts = 2;
	cfg.txpkts[0] = 64;
	cfg.txpkts[1] = 64;
	/* 40 left: 32 heads in bulk, then segments for 8 of them. */
	assert_int_equal(rf_pktmbuf_alloc_bulk(pool, hold, NB_MBUF - 40), 0);
	assert_int_equal(run("txonly", pkts, 0), 8);
	assert_int_equal(rf_mempool_avail_count(pool), 40 - 16);
	free_all(pkts, 8);
	/* 20 left: no bulk of 32, 20 heads one by one, then no segment for any. */
	struct rf_mbuf *hold2[20];
	assert_int_equal(rf_pktmbuf_alloc_bulk(pool, hold2, 20), 0);
	assert_int_equal(rf_mempool_avail_count(pool), 20);
	assert_int_equal(run("txonly", pkts, 0), 0);
	assert_int_equal(rf_mempool_avail_count(pool), 20);
	/* Single segments: all 20. */
	cfg.nb_txpkts = 1;
	assert_int_equal(run("txonly", pkts, 0), 20);
	free_all(pkts, 20);
	rf_pktmbuf_free_bulk(hold2, 20);
	rf_pktmbuf_free_bulk(hold, NB_MBUF - 40);
	assert_pool_full();
}

static void test_flowgen(void **state)
{
	struct spec s;
	struct pkt p;
	struct rf_mbuf *pkts[32];
	static uint8_t f[MAX_PKT];
	const struct rf_fwd_mode *fg = rf_fwd_mode_find("flowgen");

	(void)state;
	dirty_pool();
	cfg.burst = 10;
	cfg.flowgen_flows = 4;
	cfg.txpkts[0] = 100;
	assert_int_equal(fg->stream_init(&fs), 0);
	spec_default(&s, 4, 17);
	make_pkt(&p, &s);
	for (int i = 0; i < 3; i++)
		pkts[i] = mk_mbuf(p.b, p.len);

	/* The 3 received are freed, 10 generated over flows 0,1,2,3,0,... */
	assert_int_equal(fg->burst(&fs, pkts, 3), 10);
	assert_int_equal(rf_mempool_avail_count(pool), NB_MBUF - 10);
	/* The received frames' buffers may come back as generated ones: no payload check. */
	for (uint32_t i = 0; i < 10; i++)
		check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst + i % 4, false);
	free_all(pkts, 10);

	/* The next burst goes on where this one stopped (flow 2). */
	dirty_pool();
	assert_int_equal(fg->burst(&fs, pkts, 0), 10);
	for (uint32_t i = 0; i < 10; i++)
		check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst + (10 + i) % 4, true);
	free_all(pkts, 10);
	assert_int_equal(fs.dropped, 0);

	/* Multi-segment too, and a destination whose flows wrap past 255.255.255.255. */
	cfg.nb_txpkts = 2;
	cfg.txpkts[0] = 30;
	cfg.txpkts[1] = 33;
	cfg.tx_ip_dst = IP(255, 255, 255, 254);
	assert_int_equal(fg->stream_init(&fs), 0);
	dirty_pool();
	assert_int_equal(fg->burst(&fs, pkts, 0), 10);
	for (uint32_t i = 0; i < 10; i++)
		check_gen_frame(f, flat(pkts[i], f), cfg.tx_ip_dst + i % 4, true);
	free_all(pkts, 10);
	assert_pool_full();
}

/* --- icmpecho --- */

static void test_icmpecho_arp(void **state)
{
	struct pkt req, vreq;
	struct rf_mbuf *pkts[2];

	(void)state;
	make_arp(&req, false, 1, 4);
	make_arp(&vreq, true, 1, 4);
	pkts[0] = mk_mbuf(req.b, req.len);
	pkts[1] = mk_mbuf(vreq.b, vreq.len);
	assert_int_equal(run("icmpecho", pkts, 2), 2);
	for (int i = 0; i < 2; i++) {
		const struct pkt *in = i == 0 ? &req : &vreq;
		struct pkt e = *in;
		uint8_t *a = e.b + in->l2;
		/* RFC 826: to the asker, from us; target IP is at our MAC. */
		memcpy(e.b, MAC_A, 6);
		memcpy(e.b + 6, TX_MAC, 6);
		put16(a + 6, 2);
		memcpy(a + 8, TX_MAC, 6);
		put32(a + 14, IP(10, 0, 0, 99));
		memcpy(a + 18, MAC_A, 6);
		put32(a + 24, IP(10, 0, 0, 1));
		assert_mbuf_bytes(pkts[i], e.b, e.len);
	}
	free_all(pkts, 2);
	assert_int_equal(fs.dropped, 0);
	assert_pool_full();
}

static void test_icmpecho_echo(void **state)
{
	struct {
		bool vlan;
		uint8_t ip_opts;
		uint16_t payload;
		uint32_t dst;
		uint32_t reply_src;
	} cases[] = {
	    {false, 0, 56, IP(10, 0, 0, 2), IP(10, 0, 0, 2)},
	    {true, 8, 37, IP(10, 0, 0, 2), IP(10, 0, 0, 2)}, /* tag, options, odd data */
	    /* To a group: testpmd's made-up source next to the requester's (10.0.0.1). */
	    {false, 0, 8, IP(224, 0, 0, 1), IP(10, 0, 0, 2)},
	    {false, 0, 8, IP(239, 1, 2, 3), IP(10, 0, 0, 2)},
	};
	enum { N = RF_DIM(cases) };
	struct pkt req[N], exp[N];
	struct rf_mbuf *pkts[N + 1];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct spec s;
		spec_default(&s, 4, 1);
		s.vlan = cases[i].vlan;
		s.ip_opts = cases[i].ip_opts;
		s.payload = cases[i].payload;
		s.dst4 = cases[i].dst;
		make_pkt(&req[i], &s);
		/* The reply, built independently: swapped, type 0, fresh checksums. */
		s.mac_dst = MAC_A;
		s.mac_src = MAC_B;
		s.src4 = cases[i].reply_src;
		s.dst4 = IP(10, 0, 0, 1);
		s.icmp_type = 0;
		make_pkt(&exp[i], &s);
		pkts[i] = mk_mbuf(req[i].b, req[i].len);
	}
	/* A request whose data runs on in a second segment, after an odd split. */
	uint16_t split[2] = {(uint16_t)(req[0].len - 27), 27};
	pkts[N] = mk_chain(req[0].b, req[0].len, split, 2);

	assert_int_equal(run("icmpecho", pkts, N + 1), N + 1);
	for (size_t i = 0; i < N; i++) {
		assert_mbuf_bytes(pkts[i], exp[i].b, exp[i].len);
		assert_cksums_ok(exp[i].b, exp[i].len, false);
	}
	assert_mbuf_bytes(pkts[N], exp[0].b, exp[0].len);
	free_all(pkts, N + 1);
	assert_int_equal(fs.dropped, 0);
	assert_pool_full();
}

static void test_icmpecho_drops(void **state)
{
	struct spec s;
	struct pkt p[12];
	uint16_t n = 0;
	struct rf_mbuf *pkts[12];

	(void)state;
	spec_default(&s, 4, 17); /* UDP */
	make_pkt(&p[n++], &s);
	spec_default(&s, 4, 1);
	s.icmp_type = 0; /* an echo reply */
	make_pkt(&p[n++], &s);
	spec_default(&s, 6, 6); /* IPv6 */
	make_pkt(&p[n++], &s);
	spec_default(&s, 4, 1); /* code 1 */
	make_pkt(&p[n], &s);
	p[n].b[35] = 1;
	n++;
	spec_default(&s, 4, 1); /* a fragment of an echo request */
	make_pkt(&p[n], &s);
	put16(p[n].b + 20, 0x2000);
	n++;
	spec_default(&s, 4, 1); /* ICMP header cut short */
	make_pkt(&p[n], &s);
	p[n].len = 14 + 20 + 6;
	n++;
	make_arp(&p[n++], false, 2, 4); /* ARP reply */
	make_arp(&p[n++], false, 1, 6); /* ARP with 6-byte protocol addresses */
	make_arp(&p[n], false, 1, 4);	/* ARP cut short */
	p[n].len = 14 + 20;
	n++;
	memset(&p[n], 0, sizeof(p[n])); /* a runt */
	p[n].len = 10;
	n++;
	spec_default(&s, 4, 1); /* and one good request among them */
	make_pkt(&p[n++], &s);
	for (uint16_t i = 0; i < n; i++)
		pkts[i] = mk_mbuf(p[i].b, p[i].len);
	struct rf_mbuf *good = pkts[n - 1];

	assert_int_equal(run("icmpecho", pkts, n), 1);
	assert_ptr_equal(pkts[0], good);
	assert_int_equal(rf_mempool_avail_count(pool), NB_MBUF - 1);
	assert_int_equal(fs.dropped, n - 1);
	assert_int_equal(rf_pktmbuf_mtod(good, uint8_t *)[34], 0); /* answered */
	free_all(pkts, 1);
	assert_pool_full();
}

/* --- csum --- */

static void test_csum_good_and_fixed(void **state)
{
	struct {
		int ipver;
		uint8_t proto;
		bool vlan;
		uint8_t ip_opts, tcp_opts;
		bool bad_ip, bad_l4;
	} cases[] = {
	    {4, 17, false, 0, 0, false, false}, {4, 6, true, 4, 8, false, false},
	    {6, 17, false, 0, 0, false, false}, {4, 17, false, 0, 0, true, false},
	    {4, 17, false, 0, 0, false, true},	{4, 6, true, 8, 4, true, true},
	    {6, 6, false, 0, 0, false, true},	{6, 17, true, 0, 0, false, true},
	    {4, 1, false, 0, 0, true, false}, /* ICMP: only the IP header is checked */
	};
	enum { N = RF_DIM(cases) };
	struct pkt good[N];
	struct rf_mbuf *pkts[N];
	uint64_t bad_ip = 0, bad_l4 = 0;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		struct spec s;
		spec_default(&s, cases[i].ipver, cases[i].proto);
		s.vlan = cases[i].vlan;
		s.ip_opts = cases[i].ip_opts;
		s.tcp_opts = cases[i].tcp_opts;
		s.payload = (uint16_t)(40 + i);
		make_pkt(&good[i], &s);
		struct pkt bad = good[i];
		if (cases[i].bad_ip) {
			bad.b[bad.l2 + 10] ^= 0x11;
			bad_ip++;
		}
		if (cases[i].bad_l4) {
			bad.b[bad.l2 + bad.l3 + (cases[i].proto == 6 ? 16 : 6)] ^= 0x40;
			bad_l4++;
		}
		pkts[i] = mk_mbuf(bad.b, bad.len);
	}
	assert_int_equal(run("csum", pkts, N), N);
	assert_int_equal(fs.bad_ip_csum, bad_ip);
	assert_int_equal(fs.bad_l4_csum, bad_l4);
	for (size_t i = 0; i < N; i++)
		assert_mbuf_bytes(pkts[i], good[i].b, good[i].len);
	/* The parse is left in the mbuf: case 1 is VLAN / IPv4 + 4 / TCP + 8. */
	assert_int_equal(pkts[1]->l2_len, 18);
	assert_int_equal(pkts[1]->l3_len, 24);
	assert_int_equal(pkts[1]->l4_len, 28);
	assert_int_equal(pkts[1]->packet_type & 0xf00, RF_PTYPE_L4_TCP);
	free_all(pkts, N);
	assert_pool_full();
}

static void test_csum_special(void **state)
{
	struct spec s;
	struct pkt v4z, v6z, v6z_fixed, pad, pad_good, chain_good, trunc, arp;
	struct rf_mbuf *pkts[8];

	(void)state;
	/* UDP checksum 0: "none" over IPv4, left alone; invalid over IPv6, fixed. */
	spec_default(&s, 4, 17);
	make_pkt(&v4z, &s);
	put16(v4z.b + 40, 0);
	spec_default(&s, 6, 17);
	make_pkt(&v6z_fixed, &s);
	v6z = v6z_fixed;
	put16(v6z.b + 14 + 40 + 6, 0);

	/* Ethernet padding after a short datagram: the sum covers the IP length only. */
	spec_default(&s, 4, 17);
	s.payload = 5;
	make_pkt(&pad_good, &s);
	memset(pad_good.b + pad_good.len, 0xee, 60u - pad_good.len);
	pad_good.len = 60;
	pad = pad_good;
	pad.b[40] ^= 0xff;

	/* A TCP segment over three mbufs split at odd offsets, its checksum bad. */
	spec_default(&s, 4, 6);
	s.payload = 301;
	make_pkt(&chain_good, &s);
	struct pkt chain = chain_good;
	chain.b[14 + 20 + 16] ^= 0x01;
	uint16_t split[3] = {61, 101, (uint16_t)(chain.len - 162)};

	/* total_length past the end of the frame: the L4 sum cannot be checked. */
	spec_default(&s, 4, 17);
	make_pkt(&trunc, &s);
	put16(trunc.b + 16, 200);
	put16(trunc.b + 24, 0);
	put16(trunc.b + 24, (uint16_t)~ref_add(0, trunc.b + 14, 20));
	trunc.b[40] ^= 0x01;

	make_arp(&arp, false, 1, 4);

	/*
	 * UDP over IPv6 whose correct checksum computes to 0, so is sent as
	 * 0xffff: the first payload word is chosen to make the sum 0xffff.
	 */
	struct pkt ones_good, ones;
	spec_default(&s, 6, 17);
	make_pkt(&ones_good, &s);
	uint8_t *u6 = ones_good.b + 14 + 40;
	put16(u6 + 6, 0);
	put16(u6 + 8, 0);
	uint32_t rest =
	    ref_add(ref_phdr(ones_good.b + 14, 6, 17, 8 + s.payload), u6, 8u + s.payload);
	put16(u6 + 8, (uint16_t)(0xffff - rest));
	put16(u6 + 6, 0xffff);
	assert_cksums_ok(ones_good.b, ones_good.len, false);
	ones = ones_good;
	put16(ones.b + 14 + 40 + 6, 0x1234);
	/* The same with checksum 0: its data sums right, but 0 is never valid over IPv6. */
	struct pkt ones_zero = ones_good;
	put16(ones_zero.b + 14 + 40 + 6, 0);

	pkts[0] = mk_mbuf(v4z.b, v4z.len);
	pkts[1] = mk_mbuf(v6z.b, v6z.len);
	pkts[2] = mk_mbuf(pad.b, pad.len);
	pkts[3] = mk_chain(chain.b, chain.len, split, 3);
	pkts[4] = mk_mbuf(trunc.b, trunc.len);
	pkts[5] = mk_mbuf(arp.b, arp.len);
	pkts[6] = mk_mbuf(ones.b, ones.len);
	pkts[7] = mk_mbuf(ones_zero.b, ones_zero.len);
	assert_int_equal(run("csum", pkts, 8), 8);
	assert_int_equal(fs.bad_ip_csum, 0);
	assert_int_equal(fs.bad_l4_csum, 5); /* v6 zero, padded, chained, all-ones twice */
	assert_mbuf_bytes(pkts[0], v4z.b, v4z.len);
	assert_mbuf_bytes(pkts[1], v6z_fixed.b, v6z_fixed.len);
	assert_mbuf_bytes(pkts[2], pad_good.b, pad_good.len);
	assert_mbuf_bytes(pkts[3], chain_good.b, chain_good.len);
	assert_mbuf_bytes(pkts[4], trunc.b, trunc.len);
	assert_mbuf_bytes(pkts[5], arp.b, arp.len);
	assert_mbuf_bytes(pkts[6], ones_good.b, ones_good.len);
	assert_mbuf_bytes(pkts[7], ones_good.b, ones_good.len);
	free_all(pkts, 8);
	assert_pool_full();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_mode_table, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_io, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mac, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_macswap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_5tswap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rxonly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txonly_single_segment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txonly_multi_segment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txonly_bad_config, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_txonly_pool_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_flowgen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmpecho_arp, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmpecho_echo, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_icmpecho_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csum_good_and_fixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_csum_special, setup, teardown),
	};
	return cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown);
}
