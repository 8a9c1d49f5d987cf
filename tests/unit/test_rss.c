/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the Toeplitz RSS hash and the RETA (lib/net/rf_rss.h):
 *  - the verification vectors of the Microsoft RSS specification ("Verifying
 *    the RSS Hash Calculation": IPv4 and IPv6, each with and without TCP
 *    ports), exact;
 *  - the table-driven hash against a per-bit reference written from the
 *    specification's pseudocode, on random tuples and random keys;
 *  - the RETA, the symmetric mode, and hashing of whole packets.
 *
 * Packets are hand-made mbuf headers around heap buffers of exactly data_len
 * bytes, so any read past the end of a truncated packet is an ASan error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_rss.h"

/* --- per-bit reference: the specification's ComputeHash() --- */

/*
 * result = 0; for each input bit b, left to right: if b == 1, result ^= the
 * left-most 32 bits of K; shift K left one bit. The 32-bit register below is
 * the left-most 32 bits of K; each shift pulls in the next key bit (0 past the
 * end of the key).
 */
static uint32_t ref_toeplitz(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len)
{
	uint32_t result = 0;
	uint32_t k =
	    ((uint32_t)key[0] << 24) | ((uint32_t)key[1] << 16) | ((uint32_t)key[2] << 8) | key[3];
	size_t next = 32; /* index of the key bit that the next shift pulls in */

	for (size_t i = 0; i < len; i++) {
		for (int bit = 7; bit >= 0; bit--) {
			if (in[i] & (1u << bit))
				result ^= k;
			uint32_t nb = 0;
			if (next / 8 < key_len)
				nb = (key[next / 8] >> (7 - next % 8)) & 1;
			k = (k << 1) | nb;
			next++;
		}
	}
	return result;
}

/* --- helpers --- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd64(void)
{
	/* xorshift64*: deterministic across runs, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd32(void)
{
	return (uint32_t)(rnd64() >> 32);
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rnd64() >> 56);
}

static uint32_t ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

/* The input bytes of the four tuple kinds, as the spec lays them out. */
static size_t in_v4(uint8_t *in, uint32_t src, uint32_t dst, const uint16_t *sp, const uint16_t *dp)
{
	memcpy(in, &src, 4);
	memcpy(in + 4, &dst, 4);
	if (sp == NULL)
		return 8;
	memcpy(in + 8, sp, 2);
	memcpy(in + 10, dp, 2);
	return 12;
}

static size_t in_v6(uint8_t *in, const uint8_t *src, const uint8_t *dst, const uint16_t *sp,
		    const uint16_t *dp)
{
	memcpy(in, src, 16);
	memcpy(in + 16, dst, 16);
	if (sp == NULL)
		return 32;
	memcpy(in + 32, sp, 2);
	memcpy(in + 34, dp, 2);
	return 36;
}

static struct rf_rss_ctx *new_ctx(const uint8_t *key, size_t len, bool sym)
{
	struct rf_rss_ctx *ctx = rf_rss_ctx_create(key, len, sym);
	assert_non_null(ctx);
	return ctx;
}

/* --- the specification's verification vectors --- */

/*
 * Microsoft RSS specification, "Verifying the RSS Hash Calculation", with the
 * default key; the same suite is in the Intel 82599 datasheet §7.1.2.8.3. The
 * tables there list the destination first; the hash input is source first.
 */
struct v4_vec {
	uint8_t dst[4], src[4];
	uint16_t dport, sport;
	uint32_t hash_ip, hash_tcp;
};

static const struct v4_vec v4_vecs[] = {
    {{161, 142, 100, 80}, {66, 9, 149, 187}, 1766, 2794, 0x323e8fc2, 0x51ccc178},
    {{65, 69, 140, 83}, {199, 92, 111, 2}, 4739, 14230, 0xd718262a, 0xc626b0ea},
    {{12, 22, 207, 184}, {24, 19, 198, 95}, 38024, 12898, 0xd2d0a5de, 0x5c2b394a},
    {{209, 142, 163, 6}, {38, 27, 205, 30}, 2217, 48228, 0x82989176, 0xafc7327f},
    {{202, 188, 127, 2}, {153, 39, 163, 191}, 1303, 44251, 0x5d1809c5, 0x10e828a2},
};

struct v6_vec {
	uint8_t dst[16], src[16];
	uint16_t dport, sport;
	uint32_t hash_ip, hash_tcp;
};

static const struct v6_vec v6_vecs[] = {
    /* 3ffe:2501:200:3::1 <- 3ffe:2501:200:1fff::7 */
    {{0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x01},
     {0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x07},
     1766,
     2794,
     0x2cc18cd5,
     0x40207d3d},
    /* ff02::1 <- 3ffe:501:8::260:97ff:fe40:efab */
    {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01},
     {0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00, 0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef,
      0xab},
     4739,
     14230,
     0x0f0c461c,
     0xdde51bbf},
    /* fe80::200:f8ff:fe21:67cf <- 3ffe:1900:4545:3:200:f8ff:fe21:67cf */
    {{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf},
     {0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03, 0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67,
      0xcf},
     38024,
     44251,
     0x4b61e985,
     0x02d1feef},
};

static void test_default_key(void **state)
{
	static const uint8_t want[40] = {
	    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);

	(void)state;
	assert_memory_equal(rf_rss_default_key, want, sizeof(want));
	assert_int_equal(ctx->key_len, 40);
	assert_memory_equal(ctx->key, want, sizeof(want));
	rf_rss_ctx_free(ctx);
}

static void test_ms_vectors_ipv4(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(rf_rss_default_key, 40, false);

	(void)state;
	for (size_t i = 0; i < RF_DIM(v4_vecs); i++) {
		const struct v4_vec *v = &v4_vecs[i];
		uint32_t src, dst;
		uint16_t sp = htons(v->sport), dp = htons(v->dport);
		uint8_t in[12];

		memcpy(&src, v->src, 4);
		memcpy(&dst, v->dst, 4);
		assert_int_equal(rf_rss_hash_ipv4(ctx, src, dst), v->hash_ip);
		assert_int_equal(rf_rss_hash_ipv4_l4(ctx, src, dst, sp, dp), v->hash_tcp);
		/* The reference agrees too, so it can judge the random tuples below. */
		size_t n = in_v4(in, src, dst, NULL, NULL);
		assert_int_equal(ref_toeplitz(rf_rss_default_key, 40, in, n), v->hash_ip);
		assert_int_equal(rf_rss_hash_bytes(ctx, in, n), v->hash_ip);
		n = in_v4(in, src, dst, &sp, &dp);
		assert_int_equal(ref_toeplitz(rf_rss_default_key, 40, in, n), v->hash_tcp);
		assert_int_equal(rf_rss_hash_bytes(ctx, in, n), v->hash_tcp);
	}
	rf_rss_ctx_free(ctx);
}

static void test_ms_vectors_ipv6(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);

	(void)state;
	for (size_t i = 0; i < RF_DIM(v6_vecs); i++) {
		const struct v6_vec *v = &v6_vecs[i];
		uint16_t sp = htons(v->sport), dp = htons(v->dport);
		uint8_t in[36];

		assert_int_equal(rf_rss_hash_ipv6(ctx, v->src, v->dst), v->hash_ip);
		assert_int_equal(rf_rss_hash_ipv6_l4(ctx, v->src, v->dst, sp, dp), v->hash_tcp);
		size_t n = in_v6(in, v->src, v->dst, NULL, NULL);
		assert_int_equal(ref_toeplitz(rf_rss_default_key, 40, in, n), v->hash_ip);
		n = in_v6(in, v->src, v->dst, &sp, &dp);
		assert_int_equal(ref_toeplitz(rf_rss_default_key, 40, in, n), v->hash_tcp);
		assert_int_equal(rf_rss_hash_bytes(ctx, in, n), v->hash_tcp);
	}
	rf_rss_ctx_free(ctx);
}

/* --- tables against the reference --- */

#define RANDOM_TUPLES  100000
#define TUPLES_PER_KEY 1000

static void test_random_vs_reference(void **state)
{
	struct rf_rss_ctx *ctx = NULL;
	uint8_t key[RF_RSS_KEY_LEN_MAX];
	size_t key_len = 0;

	(void)state;
	for (int t = 0; t < RANDOM_TUPLES; t++) {
		if (t % TUPLES_PER_KEY == 0) {
			rf_rss_ctx_free(ctx);
			key_len = RF_RSS_KEY_LEN_DEFAULT + rnd32() % 13; /* 40..52 */
			rnd_bytes(key, key_len);
			ctx = new_ctx(key, key_len, false);
		}
		uint32_t src = rnd32(), dst = rnd32();
		uint16_t sp = (uint16_t)rnd32(), dp = (uint16_t)rnd32();
		uint8_t s6[16], d6[16], in[36];
		size_t n;

		rnd_bytes(s6, 16);
		rnd_bytes(d6, 16);
		n = in_v4(in, src, dst, NULL, NULL);
		assert_int_equal(rf_rss_hash_ipv4(ctx, src, dst),
				 ref_toeplitz(key, key_len, in, n));
		n = in_v4(in, src, dst, &sp, &dp);
		assert_int_equal(rf_rss_hash_ipv4_l4(ctx, src, dst, sp, dp),
				 ref_toeplitz(key, key_len, in, n));
		n = in_v6(in, s6, d6, NULL, NULL);
		assert_int_equal(rf_rss_hash_ipv6(ctx, s6, d6), ref_toeplitz(key, key_len, in, n));
		n = in_v6(in, s6, d6, &sp, &dp);
		assert_int_equal(rf_rss_hash_ipv6_l4(ctx, s6, d6, sp, dp),
				 ref_toeplitz(key, key_len, in, n));
	}
	rf_rss_ctx_free(ctx);
}

/* Every single-bit input hashes to its key window: each table entry's basis is right. */
static void test_single_bits(void **state)
{
	uint8_t key[RF_RSS_KEY_LEN_DEFAULT];
	struct rf_rss_ctx *ctx;

	(void)state;
	rnd_bytes(key, sizeof(key));
	ctx = new_ctx(key, sizeof(key), false);
	for (unsigned bit = 0; bit < RF_RSS_INPUT_MAX * 8; bit++) {
		uint8_t in[RF_RSS_INPUT_MAX] = {0};
		in[bit / 8] = (uint8_t)(0x80 >> (bit % 8));
		assert_int_equal(rf_rss_hash_bytes(ctx, in, sizeof(in)),
				 ref_toeplitz(key, sizeof(key), in, sizeof(in)));
	}
	rf_rss_ctx_free(ctx);
}

static void test_key_checks(void **state)
{
	uint8_t key[RF_RSS_KEY_LEN_MAX + 1];
	struct rf_rss_ctx *a, *b;

	(void)state;
	rnd_bytes(key, sizeof(key));
	errno = 0;
	assert_null(rf_rss_ctx_create(key, RF_RSS_KEY_LEN_DEFAULT - 1, false));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_rss_ctx_create(key, RF_RSS_KEY_LEN_MAX + 1, false));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rf_rss_ctx_init(NULL, key, 40, false), -EINVAL);

	/* A 52-byte key reads back whole; bytes past 40 do not reach a 36-byte input. */
	a = new_ctx(key, RF_RSS_KEY_LEN_MAX, false);
	assert_int_equal(a->key_len, RF_RSS_KEY_LEN_MAX);
	assert_memory_equal(a->key, key, RF_RSS_KEY_LEN_MAX);
	b = new_ctx(key, RF_RSS_KEY_LEN_DEFAULT, false);
	for (int i = 0; i < 1000; i++) {
		uint8_t s6[16], d6[16];
		uint16_t sp = (uint16_t)rnd32(), dp = (uint16_t)rnd32();
		rnd_bytes(s6, 16);
		rnd_bytes(d6, 16);
		assert_int_equal(rf_rss_hash_ipv6_l4(a, s6, d6, sp, dp),
				 rf_rss_hash_ipv6_l4(b, s6, d6, sp, dp));
	}
	/* A different key gives a different hash: the key is really used. */
	key[0] ^= 0x80;
	rf_rss_ctx_free(b);
	b = new_ctx(key, RF_RSS_KEY_LEN_DEFAULT, false);
	assert_int_not_equal(rf_rss_hash_ipv4(a, 0xffffffff, 0),
			     rf_rss_hash_ipv4(b, 0xffffffff, 0));
	rf_rss_ctx_free(a);
	rf_rss_ctx_free(b);
}

/* --- RETA --- */

static void test_reta_default_round_robin(void **state)
{
	struct rf_rss_reta reta;

	(void)state;
	assert_int_equal(rf_rss_reta_init(&reta, 0, 3), 0);
	assert_int_equal(reta.size, RF_RSS_RETA_SIZE_DEFAULT);
	assert_int_equal(reta.mask, RF_RSS_RETA_SIZE_DEFAULT - 1);
	for (unsigned i = 0; i < reta.size; i++)
		assert_int_equal(reta.queue[i], i % 3);

	/* 4 queues over 128 entries: 32 entries each. */
	unsigned count[4] = {0};
	assert_int_equal(rf_rss_reta_init(&reta, 128, 4), 0);
	for (unsigned i = 0; i < reta.size; i++)
		count[reta.queue[i]]++;
	for (unsigned q = 0; q < 4; q++)
		assert_int_equal(count[q], 32);
}

static void test_reta_queue_random(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);
	static const uint16_t sizes[] = {1, 64, 128, 512};
	struct rf_rss_reta reta;
	uint16_t entries[RF_RSS_RETA_SIZE_MAX];

	(void)state;
	for (size_t s = 0; s < RF_DIM(sizes); s++) {
		assert_int_equal(rf_rss_reta_init(&reta, sizes[s], 7), 0);
		for (unsigned i = 0; i < sizes[s]; i++)
			entries[i] = (uint16_t)(rnd32() % 7);
		assert_int_equal(rf_rss_reta_set(&reta, entries, sizes[s]), 0);
		assert_int_equal(reta.mask, sizes[s] - 1);
		for (int t = 0; t < 10000; t++) {
			uint32_t src = rnd32(), dst = rnd32();
			uint16_t sp = (uint16_t)rnd32(), dp = (uint16_t)rnd32();
			uint8_t in[12];
			size_t n = in_v4(in, src, dst, &sp, &dp);
			uint32_t h = ref_toeplitz(rf_rss_default_key, 40, in, n);

			assert_int_equal(rf_rss_hash_ipv4_l4(ctx, src, dst, sp, dp), h);
			/* The low bits pick the entry: hash mod size, size a power of two. */
			assert_int_equal(rf_rss_queue(&reta, h), entries[h % sizes[s]]);
		}
	}
	rf_rss_ctx_free(ctx);
}

static void test_reta_invalid(void **state)
{
	struct rf_rss_reta reta;
	uint16_t entries[RF_RSS_RETA_SIZE_MAX + 1] = {0};

	(void)state;
	assert_int_equal(rf_rss_reta_init(&reta, 100, 2), -EINVAL);
	assert_int_equal(rf_rss_reta_init(&reta, 1024, 2), -EINVAL);
	assert_int_equal(rf_rss_reta_init(&reta, 128, 0), -EINVAL);
	assert_int_equal(rf_rss_reta_init(NULL, 128, 2), -EINVAL);

	assert_int_equal(rf_rss_reta_init(&reta, 128, 2), 0);
	assert_int_equal(rf_rss_reta_set(&reta, entries, 96), -EINVAL);
	assert_int_equal(rf_rss_reta_set(&reta, entries, 0), -EINVAL);
	assert_int_equal(rf_rss_reta_set(&reta, entries, 1024), -EINVAL);
	assert_int_equal(rf_rss_reta_set(&reta, NULL, 64), -EINVAL);
	/* One entry naming a queue that does not exist: the table stays as it was. */
	entries[63] = 2;
	assert_int_equal(rf_rss_reta_set(&reta, entries, 64), -EINVAL);
	assert_int_equal(reta.size, 128);
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(reta.queue[i], i % 2);
	entries[63] = 1;
	assert_int_equal(rf_rss_reta_set(&reta, entries, 64), 0);
	assert_int_equal(reta.size, 64);
	assert_int_equal(rf_rss_queue(&reta, 63), 1);
	assert_int_equal(rf_rss_queue(&reta, 64 + 63), 1);
	assert_int_equal(rf_rss_queue(&reta, 62), 0);
}

/* --- symmetric mode --- */

static void test_symmetric(void **state)
{
	uint8_t key[RF_RSS_KEY_LEN_DEFAULT];
	struct rf_rss_ctx *sym, *plain;
	int asym = 0;

	(void)state;
	for (int k = 0; k < 10; k++) {
		rnd_bytes(key, sizeof(key));
		sym = new_ctx(key, sizeof(key), true);
		plain = new_ctx(key, sizeof(key), false);
		for (int t = 0; t < 10000; t++) {
			uint32_t a = rnd32(), b = rnd32();
			uint16_t pa = (uint16_t)rnd32(), pb = (uint16_t)rnd32();
			uint8_t a6[16], b6[16];

			/* Every 4th flow has equal addresses: the ports decide the direction. */
			if (t % 4 == 0)
				b = a;
			rnd_bytes(a6, 16);
			if (t % 4 == 0)
				memcpy(b6, a6, 16);
			else
				rnd_bytes(b6, 16);

			assert_int_equal(rf_rss_hash_ipv4(sym, a, b), rf_rss_hash_ipv4(sym, b, a));
			assert_int_equal(rf_rss_hash_ipv4_l4(sym, a, b, pa, pb),
					 rf_rss_hash_ipv4_l4(sym, b, a, pb, pa));
			assert_int_equal(rf_rss_hash_ipv6(sym, a6, b6),
					 rf_rss_hash_ipv6(sym, b6, a6));
			assert_int_equal(rf_rss_hash_ipv6_l4(sym, a6, b6, pa, pb),
					 rf_rss_hash_ipv6_l4(sym, b6, a6, pb, pa));

			/* It is the plain Toeplitz hash of the flow in one of its directions. */
			uint32_t h = rf_rss_hash_ipv4_l4(sym, a, b, pa, pb);
			assert_true(h == rf_rss_hash_ipv4_l4(plain, a, b, pa, pb) ||
				    h == rf_rss_hash_ipv4_l4(plain, b, a, pb, pa));
			h = rf_rss_hash_ipv6_l4(sym, a6, b6, pa, pb);
			assert_true(h == rf_rss_hash_ipv6_l4(plain, a6, b6, pa, pb) ||
				    h == rf_rss_hash_ipv6_l4(plain, b6, a6, pb, pa));

			/* Without the option the directions differ: the option does the work. */
			if (rf_rss_hash_ipv4_l4(plain, a, b, pa, pb) !=
			    rf_rss_hash_ipv4_l4(plain, b, a, pb, pa))
				asym++;
		}
		rf_rss_ctx_free(sym);
		rf_rss_ctx_free(plain);
	}
	assert_true(asym > 90000);
}

/*
 * The alternative the header mentions: with a key of 16-bit period the plain
 * hash is symmetric on its own, since swapping src and dst (or the ports)
 * moves each field by a multiple of 16 bits.
 */
static void test_symmetric_key_alternative(void **state)
{
	uint8_t key[RF_RSS_KEY_LEN_DEFAULT];
	struct rf_rss_ctx *ctx;

	(void)state;
	for (size_t i = 0; i < sizeof(key); i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	ctx = new_ctx(key, sizeof(key), false);
	for (int t = 0; t < 10000; t++) {
		uint32_t a = rnd32(), b = rnd32();
		uint16_t pa = (uint16_t)rnd32(), pb = (uint16_t)rnd32();
		uint8_t a6[16], b6[16];
		rnd_bytes(a6, 16);
		rnd_bytes(b6, 16);
		assert_int_equal(rf_rss_hash_ipv4_l4(ctx, a, b, pa, pb),
				 rf_rss_hash_ipv4_l4(ctx, b, a, pb, pa));
		assert_int_equal(rf_rss_hash_ipv6_l4(ctx, a6, b6, pa, pb),
				 rf_rss_hash_ipv6_l4(ctx, b6, a6, pb, pa));
	}
	rf_rss_ctx_free(ctx);
}

/* --- whole packets --- */

struct pkt {
	struct rf_mbuf m;
	uint8_t *buf;
};

#define L4_NONE 0

/*
 * Ether [/ VLAN] / IPv4 or IPv6 / TCP, UDP, ICMP or nothing, with a 4-byte
 * payload and consistent lengths; then cut to trunc bytes if trunc > 0. The
 * buffer is exactly data_len bytes.
 */
static void pkt_build(struct pkt *p, bool v6, bool vlan, uint8_t proto, const void *src,
		      const void *dst, uint16_t sport, uint16_t dport, uint16_t trunc)
{
	uint8_t f[256] = {0};
	size_t off = 12, l4len = 0;
	uint16_t et;

	memset(f, 0x02, 12);
	if (vlan) {
		et = htons(RF_ETHER_TYPE_VLAN);
		memcpy(f + off, &et, 2);
		f[off + 3] = 42; /* VID */
		off += 4;
	}
	et = htons(v6 ? RF_ETHER_TYPE_IPV6 : RF_ETHER_TYPE_IPV4);
	memcpy(f + off, &et, 2);
	off += 2;

	if (proto == RF_IP_PROTO_TCP)
		l4len = sizeof(struct rf_tcp_hdr);
	else if (proto == RF_IP_PROTO_UDP)
		l4len = sizeof(struct rf_udp_hdr);
	else if (proto == RF_IP_PROTO_ICMP || proto == RF_IP_PROTO_ICMPV6)
		l4len = sizeof(struct rf_icmp_hdr);
	l4len += 4;

	if (v6) {
		struct rf_ipv6_hdr ip6 = {0};
		ip6.vtc_flow = htonl(0x60000000);
		ip6.payload_len = htons((uint16_t)l4len);
		ip6.proto = proto;
		ip6.hop_limits = 64;
		memcpy(ip6.src_addr, src, 16);
		memcpy(ip6.dst_addr, dst, 16);
		memcpy(f + off, &ip6, sizeof(ip6));
		off += sizeof(ip6);
	} else {
		struct rf_ipv4_hdr ip = {0};
		ip.version_ihl = RF_IPV4_VHL_DEF;
		ip.total_length = htons((uint16_t)(sizeof(ip) + l4len));
		ip.time_to_live = 64;
		ip.next_proto_id = proto;
		memcpy(&ip.src_addr, src, 4);
		memcpy(&ip.dst_addr, dst, 4);
		ip.hdr_checksum = rf_ipv4_cksum(&ip);
		memcpy(f + off, &ip, sizeof(ip));
		off += sizeof(ip);
	}
	if (proto == RF_IP_PROTO_TCP) {
		struct rf_tcp_hdr tcp = {0};
		tcp.src_port = htons(sport);
		tcp.dst_port = htons(dport);
		tcp.data_off = 5 << 4;
		memcpy(f + off, &tcp, sizeof(tcp));
	} else if (proto == RF_IP_PROTO_UDP) {
		struct rf_udp_hdr udp = {0};
		udp.src_port = htons(sport);
		udp.dst_port = htons(dport);
		udp.dgram_len = htons((uint16_t)l4len);
		memcpy(f + off, &udp, sizeof(udp));
	}
	off += l4len;
	if (trunc > 0 && trunc < off)
		off = trunc;

	memset(&p->m, 0, sizeof(p->m));
	p->buf = malloc(off);
	assert_non_null(p->buf);
	memcpy(p->buf, f, off);
	p->m.buf_addr = p->buf;
	p->m.data_len = (uint16_t)off;
	p->m.pkt_len = (uint32_t)off;
	p->m.buf_len = (uint16_t)off;
	p->m.nb_segs = 1;
}

static void pkt_free(struct pkt *p)
{
	free(p->buf);
}

#define HF_ALL (RF_RSS_IPV4 | RF_RSS_IPV6 | RF_RSS_TCP | RF_RSS_UDP)

static void test_mbuf_vectors(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);
	struct pkt p;

	(void)state;
	/* The specification's vectors, as TCP packets on the wire. */
	for (size_t i = 0; i < RF_DIM(v4_vecs); i++) {
		const struct v4_vec *v = &v4_vecs[i];
		pkt_build(&p, false, false, RF_IP_PROTO_TCP, v->src, v->dst, v->sport, v->dport, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), v->hash_tcp);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV4), v->hash_ip);
		pkt_free(&p);
	}
	for (size_t i = 0; i < RF_DIM(v6_vecs); i++) {
		const struct v6_vec *v = &v6_vecs[i];
		pkt_build(&p, true, true, RF_IP_PROTO_TCP, v->src, v->dst, v->sport, v->dport, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), v->hash_tcp);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV6), v->hash_ip);
		pkt_free(&p);
	}
	rf_rss_ctx_free(ctx);
}

static void test_mbuf_matches_direct(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);
	struct pkt p;

	(void)state;
	for (int t = 0; t < 2000; t++) {
		uint32_t s4 = rnd32(), d4 = rnd32();
		uint8_t s6[16], d6[16];
		uint16_t sp = (uint16_t)rnd32(), dp = (uint16_t)rnd32();
		bool vlan = t & 1;
		rnd_bytes(s6, 16);
		rnd_bytes(d6, 16);
		uint32_t h4 = rf_rss_hash_ipv4(ctx, s4, d4);
		uint32_t h4p = rf_rss_hash_ipv4_l4(ctx, s4, d4, htons(sp), htons(dp));
		uint32_t h6 = rf_rss_hash_ipv6(ctx, s6, d6);
		uint32_t h6p = rf_rss_hash_ipv6_l4(ctx, s6, d6, htons(sp), htons(dp));

		/* IPv4/UDP */
		pkt_build(&p, false, vlan, RF_IP_PROTO_UDP, &s4, &d4, sp, dp, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h4p);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_UDP), h4p);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV4 | RF_RSS_TCP), h4);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV6 | RF_RSS_TCP), 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, 0), 0);
		pkt_free(&p);
		/* IPv4/TCP */
		pkt_build(&p, false, vlan, RF_IP_PROTO_TCP, &s4, &d4, sp, dp, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h4p);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV4 | RF_RSS_UDP), h4);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_UDP), 0);
		pkt_free(&p);
		/* IPv4/ICMP: addresses only. */
		pkt_build(&p, false, vlan, RF_IP_PROTO_ICMP, &s4, &d4, 0, 0, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h4);
		pkt_free(&p);
		/* IPv6/UDP */
		pkt_build(&p, true, vlan, RF_IP_PROTO_UDP, s6, d6, sp, dp, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h6p);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV6 | RF_RSS_TCP), h6);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_IPV4 | RF_RSS_TCP), 0);
		pkt_free(&p);
		/* IPv6/TCP */
		pkt_build(&p, true, vlan, RF_IP_PROTO_TCP, s6, d6, sp, dp, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h6p);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_TCP), h6p);
		pkt_free(&p);
	}
	rf_rss_ctx_free(ctx);
}

static void test_mbuf_not_hashed_and_truncated(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, false);
	uint32_t s4 = ipv4(10, 0, 0, 1), d4 = ipv4(10, 0, 0, 2);
	uint32_t h4 = rf_rss_hash_ipv4(ctx, s4, d4);
	uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
		d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	uint32_t h6 = rf_rss_hash_ipv6(ctx, s6, d6);
	struct pkt p;

	(void)state;
	assert_int_not_equal(h4, 0);
	assert_int_not_equal(h6, 0);

	/* Not IP (an ARP frame): 0. */
	{
		static const uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2,	  0,
						0,    0,    0,	  1,	0x08, 0x06, 0x00, 0x01,
						0x08, 0x00, 6,	  4,	0,    1};
		p.buf = malloc(sizeof(arp));
		assert_non_null(p.buf);
		memcpy(p.buf, arp, sizeof(arp));
		memset(&p.m, 0, sizeof(p.m));
		p.m.buf_addr = p.buf;
		p.m.data_len = p.m.buf_len = sizeof(arp);
		p.m.pkt_len = sizeof(arp);
		p.m.nb_segs = 1;
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), 0);
		pkt_free(&p);
	}

	/* UDP header cut short (14 + 20 + 5 bytes): hashed as IPv4 alone, or not at all. */
	pkt_build(&p, false, false, RF_IP_PROTO_UDP, &s4, &d4, 1000, 2000, 14 + 20 + 5);
	assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h4);
	assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_UDP), 0);
	pkt_free(&p);
	/* TCP cut short over IPv6. */
	pkt_build(&p, true, false, RF_IP_PROTO_TCP, s6, d6, 1000, 2000, 14 + 40 + 10);
	assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h6);
	pkt_free(&p);
	/* IP header cut short: no hash. Every length down to an empty frame. */
	for (uint16_t cut = 14 + 19; cut > 0; cut--) {
		pkt_build(&p, false, false, RF_IP_PROTO_UDP, &s4, &d4, 1000, 2000, cut);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), 0);
		pkt_free(&p);
	}
	for (uint16_t cut = 14 + 39; cut > 0; cut--) {
		pkt_build(&p, true, false, RF_IP_PROTO_UDP, s6, d6, 1000, 2000, cut);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), 0);
		pkt_free(&p);
	}

	/* An IPv4 fragment (MF set): no L4 header to trust, addresses only. */
	pkt_build(&p, false, false, RF_IP_PROTO_UDP, &s4, &d4, 1000, 2000, 0);
	{
		struct rf_ipv4_hdr *ip = (struct rf_ipv4_hdr *)(p.buf + 14);
		ip->fragment_offset = htons(RF_IPV4_FLAG_MF);
	}
	assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, HF_ALL), h4);
	assert_int_equal(rf_rss_hash_mbuf(ctx, &p.m, RF_RSS_UDP), 0);
	pkt_free(&p);
	rf_rss_ctx_free(ctx);
}

/* A reply hashes like its request with the symmetric option, through the parser too. */
static void test_mbuf_symmetric(void **state)
{
	struct rf_rss_ctx *ctx = new_ctx(NULL, 0, true);
	struct pkt req, rep;

	(void)state;
	for (int t = 0; t < 1000; t++) {
		uint32_t a = rnd32(), b = rnd32();
		uint8_t a6[16], b6[16];
		uint16_t pa = (uint16_t)rnd32(), pb = (uint16_t)rnd32();
		rnd_bytes(a6, 16);
		rnd_bytes(b6, 16);

		pkt_build(&req, false, false, RF_IP_PROTO_UDP, &a, &b, pa, pb, 0);
		pkt_build(&rep, false, false, RF_IP_PROTO_UDP, &b, &a, pb, pa, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &req.m, HF_ALL),
				 rf_rss_hash_mbuf(ctx, &rep.m, HF_ALL));
		pkt_free(&req);
		pkt_free(&rep);
		pkt_build(&req, true, false, RF_IP_PROTO_TCP, a6, b6, pa, pb, 0);
		pkt_build(&rep, true, false, RF_IP_PROTO_TCP, b6, a6, pb, pa, 0);
		assert_int_equal(rf_rss_hash_mbuf(ctx, &req.m, HF_ALL),
				 rf_rss_hash_mbuf(ctx, &rep.m, HF_ALL));
		pkt_free(&req);
		pkt_free(&rep);
	}
	rf_rss_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_key),
	    cmocka_unit_test(test_ms_vectors_ipv4),
	    cmocka_unit_test(test_ms_vectors_ipv6),
	    cmocka_unit_test(test_random_vs_reference),
	    cmocka_unit_test(test_single_bits),
	    cmocka_unit_test(test_key_checks),
	    cmocka_unit_test(test_reta_default_round_robin),
	    cmocka_unit_test(test_reta_queue_random),
	    cmocka_unit_test(test_reta_invalid),
	    cmocka_unit_test(test_symmetric),
	    cmocka_unit_test(test_symmetric_key_alternative),
	    cmocka_unit_test(test_mbuf_vectors),
	    cmocka_unit_test(test_mbuf_matches_direct),
	    cmocka_unit_test(test_mbuf_not_hashed_and_truncated),
	    cmocka_unit_test(test_mbuf_symmetric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
