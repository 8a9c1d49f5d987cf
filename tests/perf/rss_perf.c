/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cycles per IPv4+UDP Toeplitz hash, ringfwd's table-driven rf_rss (this
 * file) against DPDK's rte_softrss (dpdk_rss_perf.c). Both programs hash the
 * same tuples, made by the same generator from the same seed, kept in wire
 * order as a receive path finds them, with the default key; each prints
 *
 *   <name> <median TSC cycles per hash> <XOR of all hashes of one pass>
 *
 * and scripts/bench/rss.sh checks that the XORs agree before it compares the
 * cycles. A pass hashes NB_TUPLES tuples (few enough for L1, as a burst's
 * headers are); a trial repeats passes for about TRIAL_CYCLES, short against a
 * scheduler time slice, so that a preemption spoils few trials; the median of
 * TRIALS trials is printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_rss.h"

#define NB_TUPLES    1024
#define TRIAL_CYCLES 300000 /* ~0.1 ms: most trials run without a preemption */
#define TRIALS	     201

struct tuple {
	uint32_t src, dst;     /* network order */
	uint16_t sport, dport; /* network order */
};

/* Shared with dpdk_rss_perf.c: same seed, same sequence. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void make_tuples(struct tuple *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t p = rnd32();
		t[i].src = rnd32();
		t[i].dst = rnd32();
		t[i].sport = (uint16_t)(p >> 16);
		t[i].dport = (uint16_t)p;
	}
}

static inline uint64_t tsc(void)
{
	return __builtin_ia32_rdtsc();
}

/* Written once per pass, so that the compiler can neither drop nor merge passes. */
static volatile uint32_t sink;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef uint32_t (*pass_fn)(const void *arg);

/* The median over TRIALS of the cycles per hash of pass(), n hashes a pass. */
static double measure(pass_fn pass, const void *arg, unsigned n)
{
	static double c[TRIALS];
	uint64_t t0 = tsc();
	unsigned reps;

	sink = pass(arg); /* warm the tables, the caches and the branch predictors */
	reps = (unsigned)(TRIAL_CYCLES / (tsc() - t0 + 1)) + 1;
	for (unsigned r = 0; r < 4 * reps; r++)
		sink = pass(arg);
	for (int k = 0; k < TRIALS; k++) {
		t0 = tsc();
		for (unsigned r = 0; r < reps; r++)
			sink = pass(arg);
		c[k] = (double)(tsc() - t0) / ((double)reps * n);
	}
	qsort(c, TRIALS, sizeof(c[0]), cmp_double);
	return c[TRIALS / 2];
}

struct hash_arg {
	const struct rf_rss_ctx *ctx;
	const struct tuple *t;
};

static uint32_t pass_ipv4_l4(const void *p)
{
	const struct hash_arg *a = p;
	uint32_t acc = 0;

	for (unsigned i = 0; i < NB_TUPLES; i++)
		acc ^= rf_rss_hash_ipv4_l4(a->ctx, a->t[i].src, a->t[i].dst, a->t[i].sport,
					   a->t[i].dport);
	return acc;
}

/* Parser and hash on whole frames, for the cost of rf_rss_hash_mbuf() beside the bare hash. */
#define FRAME_LEN 64

struct mbuf_arg {
	const struct rf_rss_ctx *ctx;
	struct rf_mbuf *m;
};

static uint32_t pass_mbuf(const void *p)
{
	const struct mbuf_arg *a = p;
	uint32_t acc = 0;

	for (unsigned i = 0; i < NB_TUPLES; i++)
		acc ^= rf_rss_hash_mbuf(a->ctx, &a->m[i],
					RF_RSS_IPV4 | RF_RSS_IPV6 | RF_RSS_TCP | RF_RSS_UDP);
	return acc;
}

/* Ether / IPv4 / UDP frames of the tuples, in one buffer, with mbuf headers over them. */
static struct rf_mbuf *make_frames(const struct tuple *t, uint8_t **bufp)
{
	uint8_t *buf = calloc(NB_TUPLES, FRAME_LEN);
	struct rf_mbuf *m = aligned_alloc(RF_CACHE_LINE, NB_TUPLES * sizeof(*m));

	if (buf == NULL || m == NULL) {
		free(buf);
		free(m);
		return NULL;
	}
	memset(m, 0, NB_TUPLES * sizeof(*m));
	for (unsigned i = 0; i < NB_TUPLES; i++) {
		uint8_t *f = buf + (size_t)i * FRAME_LEN;
		struct rf_ether_hdr eth = {.ether_type = htons(RF_ETHER_TYPE_IPV4)};
		struct rf_ipv4_hdr ip = {.version_ihl = RF_IPV4_VHL_DEF,
					 .total_length = htons(FRAME_LEN - sizeof(eth)),
					 .time_to_live = 64,
					 .next_proto_id = RF_IP_PROTO_UDP,
					 .src_addr = t[i].src,
					 .dst_addr = t[i].dst};
		struct rf_udp_hdr udp = {.src_port = t[i].sport,
					 .dst_port = t[i].dport,
					 .dgram_len = htons(FRAME_LEN - sizeof(eth) - sizeof(ip))};

		memcpy(f, &eth, sizeof(eth));
		memcpy(f + sizeof(eth), &ip, sizeof(ip));
		memcpy(f + sizeof(eth) + sizeof(ip), &udp, sizeof(udp));
		m[i].buf_addr = f;
		m[i].data_len = m[i].buf_len = FRAME_LEN;
		m[i].pkt_len = FRAME_LEN;
		m[i].nb_segs = 1;
	}
	*bufp = buf;
	return m;
}

static uint32_t one_pass(pass_fn pass, const void *arg)
{
	return pass(arg);
}

int main(void)
{
	static struct tuple t[NB_TUPLES];
	struct rf_rss_ctx *plain = rf_rss_ctx_create(NULL, 0, false);
	struct rf_rss_ctx *sym = rf_rss_ctx_create(NULL, 0, true);
	uint8_t *frames = NULL;
	struct rf_mbuf *m;

	if (plain == NULL || sym == NULL) {
		perror("rss_perf: rf_rss_ctx_create");
		return 1;
	}
	make_tuples(t, NB_TUPLES);
	m = make_frames(t, &frames);
	if (m == NULL) {
		perror("rss_perf: frames");
		return 1;
	}

	struct hash_arg hp = {plain, t}, hs = {sym, t};
	struct mbuf_arg mp = {plain, m};

	printf("rf_rss_hash_ipv4_l4 %.2f %08x\n", measure(pass_ipv4_l4, &hp, NB_TUPLES),
	       one_pass(pass_ipv4_l4, &hp));
	/* The symmetric hash is a different function: its XOR is not compared. */
	printf("rf_rss_hash_ipv4_l4_sym %.2f %08x\n", measure(pass_ipv4_l4, &hs, NB_TUPLES),
	       one_pass(pass_ipv4_l4, &hs));
	printf("rf_rss_hash_mbuf %.2f %08x\n", measure(pass_mbuf, &mp, NB_TUPLES),
	       one_pass(pass_mbuf, &mp));

	free(m);
	free(frames);
	rf_rss_ctx_free(plain);
	rf_rss_ctx_free(sym);
	return 0;
}
