/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Toeplitz tables and the redirection table: the control path of rf_rss.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rf_rss.h"

/* Microsoft RSS specification, "Verifying the RSS Hash Calculation". */
const uint8_t rf_rss_default_key[RF_RSS_KEY_LEN_DEFAULT] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
    0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
    0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/*
 * The 32 key bits starting at bit pos, bit 0 being the MSB of key[0]: what
 * input bit pos XORs into the hash when it is set. Bits past the key read 0;
 * the longest input (36 bytes) needs bits up to 319, all inside a 40-byte key.
 */
static uint32_t key_window(const uint8_t *key, size_t key_len, unsigned pos)
{
	uint64_t w = 0;

	for (unsigned i = 0; i < 8; i++) {
		size_t b = pos / 8 + i;
		w = (w << 8) | (b < key_len ? key[b] : 0);
	}
	return (uint32_t)((w << (pos % 8)) >> 32);
}

int rf_rss_ctx_init(struct rf_rss_ctx *ctx, const uint8_t *key, size_t key_len, bool symmetric)
{
	if (ctx == NULL)
		return -EINVAL;
	if (key == NULL) {
		key = rf_rss_default_key;
		key_len = sizeof(rf_rss_default_key);
	}
	if (key_len < RF_RSS_KEY_LEN_DEFAULT || key_len > RF_RSS_KEY_LEN_MAX)
		return -EINVAL;

	memset(ctx->key, 0, sizeof(ctx->key));
	memcpy(ctx->key, key, key_len);
	ctx->key_len = (uint8_t)key_len;
	ctx->symmetric = symmetric;

	for (unsigned i = 0; i < RF_RSS_INPUT_MAX; i++) {
		/* win[j]: the window of the byte's bit of value 1 << j, i.e. bit 7 - j from the
		 * MSB. */
		uint32_t win[8];
		for (unsigned j = 0; j < 8; j++)
			win[j] = key_window(ctx->key, key_len, i * 8 + 7 - j);
		/* Toeplitz is linear over XOR: v's entry is v-without-its-lowest-bit's ^ that
		 * bit's. */
		ctx->tbl[i][0] = 0;
		for (unsigned v = 1; v < 256; v++)
			ctx->tbl[i][v] = ctx->tbl[i][v & (v - 1)] ^ win[__builtin_ctz(v)];
	}
	return 0;
}

struct rf_rss_ctx *rf_rss_ctx_create(const uint8_t *key, size_t key_len, bool symmetric)
{
	struct rf_rss_ctx *ctx = aligned_alloc(RF_CACHE_LINE, sizeof(*ctx));
	int rc;

	if (ctx == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	rc = rf_rss_ctx_init(ctx, key, key_len, symmetric);
	if (rc < 0) {
		free(ctx);
		errno = -rc;
		return NULL;
	}
	return ctx;
}

void rf_rss_ctx_free(struct rf_rss_ctx *ctx)
{
	free(ctx);
}

static bool reta_size_ok(uint16_t n)
{
	return n <= RF_RSS_RETA_SIZE_MAX && rf_is_pow2(n);
}

int rf_rss_reta_init(struct rf_rss_reta *reta, uint16_t size, uint16_t nb_queues)
{
	if (size == 0)
		size = RF_RSS_RETA_SIZE_DEFAULT;
	if (reta == NULL || !reta_size_ok(size) || nb_queues == 0)
		return -EINVAL;
	reta->size = size;
	reta->mask = (uint16_t)(size - 1);
	reta->nb_queues = nb_queues;
	for (uint16_t i = 0; i < size; i++)
		reta->queue[i] = (uint16_t)(i % nb_queues);
	return 0;
}

int rf_rss_reta_set(struct rf_rss_reta *reta, const uint16_t *entries, uint16_t n)
{
	if (reta == NULL || entries == NULL || !reta_size_ok(n))
		return -EINVAL;
	/* Check every entry first, so that a bad one leaves the table whole. */
	for (uint16_t i = 0; i < n; i++)
		if (entries[i] >= reta->nb_queues)
			return -EINVAL;
	memcpy(reta->queue, entries, (size_t)n * sizeof(entries[0]));
	reta->size = n;
	reta->mask = (uint16_t)(n - 1);
	return 0;
}
