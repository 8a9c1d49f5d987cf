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

static void *obj_at(const struct rf_mempool *mp, unsigned i)
{
	if (mp->objs_per_page == 0)
		return (char *)mp->base + (size_t)i * mp->stride;
	return (char *)mp->base + (size_t)(i / mp->objs_per_page) * mp->page_size +
	       (size_t)(i % mp->objs_per_page) * mp->stride;
}

static int first_seg(const struct rf_memseg *seg, void *arg)
{
	*(const struct rf_memseg **)arg = seg;
	return 1;
}

/*
 * iova-mode pa: the heap's pages are physically scattered, so objects are
 * packed whole into pages. Sets objs_per_page and page_size and returns the
 * bytes to allocate (aligned to a page), or 0 with errno. va mode: n * stride.
 */
static size_t plan_layout(struct rf_mempool *mp, unsigned n)
{
	const struct rf_memseg *seg = NULL;
	size_t pages;

	rf_memseg_walk(first_seg, &seg);
	if (seg == NULL || seg->iova_mode != RF_IOVA_PA)
		return (size_t)mp->stride * n;
	if (mp->stride > seg->page_size) {
		errno = EINVAL; /* an object would cross a page whatever we did */
		return 0;
	}
	mp->page_size = seg->page_size;
	mp->objs_per_page = (uint32_t)(seg->page_size / mp->stride);
	pages = (n + mp->objs_per_page - 1) / mp->objs_per_page;
	mp->page_iova = calloc(pages, sizeof(*mp->page_iova));
	if (mp->page_iova == NULL) {
		errno = ENOMEM;
		return 0;
	}
	return pages * seg->page_size;
}

/*
 * The check the device relies on: each page has a physical address, and
 * every object's first and last byte lie in one page.
 */
static int check_pa_layout(struct rf_mempool *mp, size_t bytes)
{
	for (size_t k = 0; k < bytes / mp->page_size; k++) {
		mp->page_iova[k] = rf_mem_virt2iova((char *)mp->base + k * mp->page_size);
		if (mp->page_iova[k] == RF_BAD_IOVA)
			return EINVAL;
	}
	for (unsigned i = 0; i < mp->size; i++) {
		size_t first = (size_t)((char *)obj_at(mp, i) - (char *)mp->base);
		size_t last = first + mp->elt_size - 1;

		if (first / mp->page_size != last / mp->page_size || last >= bytes)
			return EINVAL;
	}
	return 0;
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

	size_t bytes = plan_layout(mp, n);
	if (bytes == 0) {
		err = errno;
		goto fail;
	}
	mp->base =
	    rf_zmalloc(name, bytes, mp->objs_per_page != 0 ? mp->page_size : RF_CACHE_LINE, socket);
	if (mp->base == NULL) {
		err = errno;
		goto fail;
	}
	if (mp->objs_per_page != 0) {
		err = check_pa_layout(mp, bytes);
		if (err != 0)
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
		void *obj = obj_at(mp, i);
		if (obj_init != NULL)
			obj_init(mp, obj_init_arg, obj, i);
		/* Cannot fail: the ring's capacity is exactly n. */
		rf_ring_sp_enqueue_bulk(mp->ring, &obj, 1, NULL);
	}
	return mp;

fail:
	rf_free(mp->base);
	rf_ring_free(mp->ring);
	free(mp->page_iova);
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
	free(mp->page_iova);
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
		cb(mp, arg, obj_at(mp, i), i);
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
	if (mp->objs_per_page != 0)
		fprintf(out, "  iova-mode pa: %u objects per %zu-byte page\n", mp->objs_per_page,
			mp->page_size);
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
