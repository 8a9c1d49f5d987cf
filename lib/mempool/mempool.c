/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mempool creation, teardown, counting and iteration. Get and put are inline
 * in rf_mempool.h.
 *
 * Memory: the objects are one region of the EAL heap (hugepage memory a
 * vhost-user backend can map), so an object's IOVA is base_iova plus its
 * offset. The control struct, with the per-lcore caches and the private area,
 * and the free-object ring hold only pointers and counters that no device
 * reads, so they live in ordinary memory.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rf_mempool.h"

/* Spill a cache to the ring once it holds more than 1.5 times its target. */
static uint32_t cache_flushthresh(uint32_t size)
{
	return size + size / 2;
}

static void cache_init(struct rf_mempool_cache *cache, uint32_t size)
{
	cache->size = size;
	cache->flushthresh = cache_flushthresh(size);
	cache->len = 0;
}

static int check_args(const char *name, unsigned n, unsigned elt_size, unsigned cache_size)
{
	if (name == NULL || n == 0 || elt_size == 0 || cache_size > RF_MEMPOOL_CACHE_MAX)
		return EINVAL;
	if (strlen(name) >= RF_MEMPOOL_NAMESIZE)
		return ENAMETOOLONG;
	/* The free ring must hold every object (EXACT_SZ rounds n + 1 up to a power of two). */
	if (n >= RF_RING_SZ_MAX / 2)
		return EINVAL;
	/*
	 * Caches larger than the pool would let one lcore sit on every object:
	 * the flush threshold must not exceed the pool size.
	 */
	if (cache_flushthresh(cache_size) > n)
		return EINVAL;
	return 0;
}

struct rf_mempool *rf_mempool_create(const char *name, unsigned n, unsigned elt_size,
				     unsigned cache_size, unsigned priv_size,
				     rf_mempool_obj_cb_t *obj_init, void *obj_init_arg, int socket)
{
	struct rf_mempool *mp;
	size_t head_bytes, priv_off;
	uint64_t stride;
	int err;

	err = check_args(name, n, elt_size, cache_size);
	if (err != 0) {
		errno = err;
		return NULL;
	}
	stride = rf_align_ceil(elt_size, RF_CACHE_LINE);
	if (stride > UINT32_MAX || stride * n > SIZE_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}

	/* The control struct and the private area, one block. */
	priv_off = rf_align_ceil(sizeof(*mp), RF_CACHE_LINE);
	head_bytes = rf_align_ceil(priv_off + priv_size, RF_CACHE_LINE);
	mp = aligned_alloc(RF_CACHE_LINE, head_bytes);
	if (mp == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(mp, 0, head_bytes);
	strcpy(mp->name, name);
	mp->size = n;
	mp->elt_size = elt_size;
	mp->stride = (uint32_t)stride;
	mp->cache_size = cache_size;
	mp->socket = socket;
	mp->priv_size = priv_size;
	mp->priv = priv_size != 0 ? (char *)mp + priv_off : NULL;
	for (unsigned i = 0; i < RF_MAX_LCORE; i++)
		cache_init(&mp->local_cache[i], cache_size);

	mp->base = rf_zmalloc(name, (size_t)stride * n, RF_CACHE_LINE, socket);
	if (mp->base == NULL) {
		err = errno;
		goto fail;
	}
	mp->ring = rf_ring_create(name, n, socket, RF_RING_F_EXACT_SZ);
	if (mp->ring == NULL) {
		err = errno;
		goto fail;
	}
	mp->seg = rf_mem_lookup(mp->base);
	mp->base_iova = rf_mem_virt2iova(mp->base);

	for (unsigned i = 0; i < n; i++) {
		void *obj = (char *)mp->base + (size_t)i * stride;
		if (obj_init != NULL)
			obj_init(mp, obj_init_arg, obj, i);
		/* Cannot fail: the ring's capacity is exactly n. */
		rf_ring_sp_enqueue_bulk(mp->ring, &obj, 1, NULL);
	}
	return mp;

fail:
	rf_free(mp->base);
	free(mp);
	errno = err;
	return NULL;
}

void rf_mempool_free(struct rf_mempool *mp)
{
	if (mp == NULL)
		return;
	rf_free(mp->base);
	rf_ring_free(mp->ring);
	free(mp);
}

struct rf_mempool_cache *rf_mempool_cache_create(unsigned size, int socket)
{
	struct rf_mempool_cache *cache;

	(void)socket;
	if (size == 0 || size > RF_MEMPOOL_CACHE_MAX) {
		errno = EINVAL;
		return NULL;
	}
	cache = aligned_alloc(RF_CACHE_LINE, sizeof(*cache));
	if (cache == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(cache, 0, sizeof(*cache));
	cache_init(cache, size);
	return cache;
}

void rf_mempool_cache_free(struct rf_mempool_cache *cache)
{
	free(cache);
}

void rf_mempool_cache_flush(struct rf_mempool_cache *cache, struct rf_mempool *mp)
{
	if (cache == NULL || mp == NULL || cache->len == 0)
		return;
	/* Cannot fail: the ring has room for every object of the pool. */
	rf_ring_mp_enqueue_bulk(mp->ring, cache->objs, cache->len, NULL);
	cache->len = 0;
}

/*
 * The cache lengths are plain fields that their owning lcores write without
 * synchronisation, so the sum is only meaningful at rest. Caller-owned caches
 * are unknown to the pool: flush them first.
 */
unsigned rf_mempool_avail_count(const struct rf_mempool *mp)
{
	unsigned count = rf_ring_count(mp->ring);

	if (mp->cache_size != 0) {
		for (unsigned i = 0; i < RF_MAX_LCORE; i++)
			count += mp->local_cache[i].len;
	}
	/* Mid-flight sums can overshoot: a put moves objects cache to ring. */
	return count > mp->size ? mp->size : count;
}

unsigned rf_mempool_in_use_count(const struct rf_mempool *mp)
{
	return mp->size - rf_mempool_avail_count(mp);
}

unsigned rf_mempool_obj_iter(struct rf_mempool *mp, rf_mempool_obj_cb_t *cb, void *arg)
{
	if (cb == NULL)
		return 0;
	for (unsigned i = 0; i < mp->size; i++)
		cb(mp, arg, (char *)mp->base + (size_t)i * mp->stride, i);
	return mp->size;
}

void rf_mempool_dump(FILE *out, const struct rf_mempool *mp)
{
	unsigned cached = 0;

	if (mp == NULL) {
		fprintf(out, "mempool <NULL>\n");
		return;
	}
	fprintf(out, "mempool <%s>@%p\n", mp->name, (const void *)mp);
	fprintf(out, "  size=%u elt_size=%u stride=%u priv_size=%u socket=%d\n", mp->size,
		mp->elt_size, mp->stride, mp->priv_size, mp->socket);
	fprintf(out, "  base=%p base_iova=0x%" PRIx64 "\n", mp->base, mp->base_iova);
	fprintf(out, "  avail=%u in_use=%u ring_count=%u\n", rf_mempool_avail_count(mp),
		rf_mempool_in_use_count(mp), rf_ring_count(mp->ring));
	fprintf(out, "  cache_size=%u flushthresh=%u\n", mp->cache_size,
		cache_flushthresh(mp->cache_size));
	if (mp->cache_size == 0)
		return;
	for (unsigned i = 0; i < RF_MAX_LCORE; i++) {
		unsigned len = mp->local_cache[i].len;
		if (len == 0)
			continue;
		fprintf(out, "    lcore %u: cache len=%u\n", i, len);
		cached += len;
	}
	fprintf(out, "  cached total=%u\n", cached);
}
