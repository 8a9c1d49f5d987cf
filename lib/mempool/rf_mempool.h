/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mempool: a fixed set of equal-size objects in heap (hugepage) memory.
 *
 * Free objects live in a lock-free ring (lib/ring). In front of it, each lcore
 * has a cache (a stack of object pointers) that only that lcore touches, so
 * most gets and puts are a memcpy of pointers with no atomic operation. A
 * cache that grows past its flush threshold spills to the ring in bulk; an
 * empty one refills from the ring in bulk.
 *
 * Invariant at rest (no get/put in flight): available + in_use == size.
 *
 * API IMPLEMENTED BY THE MEMPOOL MODULE; names are fixed, see below.
 */
#ifndef RF_MEMPOOL_H
#define RF_MEMPOOL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rf_common.h"
#include "rf_lcore.h"
#include "rf_memseg.h"
#include "rf_ring.h"

#define RF_MEMPOOL_NAMESIZE   32
#define RF_MEMPOOL_CACHE_MAX  512

/* A per-lcore (or caller-owned) cache. Touched by one thread only. */
struct rf_mempool_cache {
	uint32_t size;        /* target fill */
	uint32_t flushthresh; /* spill to the ring above this */
	uint32_t len;         /* objects held now */
	void *objs[RF_MEMPOOL_CACHE_MAX * 2];
} RF_CACHE_ALIGNED;

struct rf_mempool;
typedef void(rf_mempool_obj_cb_t)(struct rf_mempool *mp, void *arg, void *obj, unsigned idx);

struct rf_mempool {
	char name[RF_MEMPOOL_NAMESIZE];
	struct rf_ring *ring;      /* free objects not in any cache */
	uint32_t size;             /* objects in the pool */
	uint32_t elt_size;         /* bytes per object, as asked */
	uint32_t stride;           /* bytes between objects (elt_size rounded to a cache line) */
	uint32_t cache_size;
	void *base;                /* first object */
	uint64_t base_iova;        /* IOVA of base (VA mode: == base) */
	const struct rf_memseg *seg;
	/*
	 * iova-mode pa: objects are packed per page so that none crosses a page
	 * boundary (the next page is not physically next), and page_iova[k] is
	 * the IOVA of page k of the pool. 0 and NULL in va mode, where the
	 * objects are contiguous and base_iova + offset is right.
	 */
	uint32_t objs_per_page;
	size_t page_size;
	uint64_t *page_iova;
	void *priv;                /* private area (e.g. struct rf_pktmbuf_pool_private) */
	uint32_t priv_size;
	int socket;
	struct rf_mempool_cache local_cache[RF_MAX_LCORE];
} RF_CACHE_ALIGNED;

/*
 * n objects of elt_size bytes each, cache_size per lcore (0..RF_MEMPOOL_CACHE_MAX,
 * 0 = no cache), priv_size bytes of private area. obj_init runs once per object.
 * NULL + errno (EINVAL for bad sizes, ENOMEM). In iova-mode pa no object
 * crosses a page boundary, which is checked here: an object larger than a
 * page, or a page without a physical address, is EINVAL.
 */
struct rf_mempool *rf_mempool_create(const char *name, unsigned n, unsigned elt_size,
				     unsigned cache_size, unsigned priv_size,
				     rf_mempool_obj_cb_t *obj_init, void *obj_init_arg, int socket);
/* Frees the pool's memory; objects still out are lost (check rf_mempool_in_use_count first). */
void rf_mempool_free(struct rf_mempool *mp);

static inline void *rf_mempool_get_priv(const struct rf_mempool *mp)
{
	return mp->priv;
}

/* The calling lcore's cache, or NULL for a non-EAL thread or a pool without caches. */
static inline struct rf_mempool_cache *rf_mempool_default_cache(struct rf_mempool *mp,
								unsigned lcore_id)
{
	if (mp->cache_size == 0 || lcore_id >= RF_MAX_LCORE)
		return NULL;
	return &mp->local_cache[lcore_id];
}

/* A cache owned by the caller (tests, non-EAL threads). NULL + errno. */
struct rf_mempool_cache *rf_mempool_cache_create(unsigned size, int socket);
void rf_mempool_cache_free(struct rf_mempool_cache *cache);
/* Return everything in the cache to the pool's ring. */
void rf_mempool_cache_flush(struct rf_mempool_cache *cache, struct rf_mempool *mp);

/*
 * Bulk get through cache (NULL = straight from the ring): all n or none.
 * 0, or -ENOENT with nothing taken.
 * Bulk put: always succeeds (the ring holds every object).
 *
 * static inline int rf_mempool_generic_get(struct rf_mempool *mp, void **objs, unsigned n,
 *                                          struct rf_mempool_cache *cache);
 * static inline void rf_mempool_generic_put(struct rf_mempool *mp, void *const *objs, unsigned n,
 *                                           struct rf_mempool_cache *cache);
 * static inline int rf_mempool_get_bulk(struct rf_mempool *mp, void **objs, unsigned n);
 * static inline void rf_mempool_put_bulk(struct rf_mempool *mp, void *const *objs, unsigned n);
 * static inline int rf_mempool_get(struct rf_mempool *mp, void **obj);
 * static inline void rf_mempool_put(struct rf_mempool *mp, void *obj);
 *   (these three use rf_mempool_default_cache(mp, rf_lcore_id()))
 *
 * The cache is a stack: a get takes the n objects on top, the ones put last,
 * while they are still warm in this core's data cache (copied in stack order,
 * which lets the copy be a plain vectorised block move). The ring behind it
 * is multi-producer, multi-consumer, and its capacity is the pool size, so a
 * put to it never fails. Requests larger than the cache bypass it. A cache
 * serves one pool at a time: flush it before using it with another.
 */
static inline void rf_mempool_generic_put(struct rf_mempool *mp, void *const *objs, unsigned n,
					  struct rf_mempool_cache *cache)
{
	if (cache == NULL || n > cache->size) {
		rf_ring_mp_enqueue_bulk(mp->ring, objs, n, NULL);
		return;
	}
	if (cache->len + n > cache->flushthresh) {
		/*
		 * Spill so that, with the new objects on top, the cache holds
		 * exactly size: the bottom size - n objects stay, the
		 * len + n - size above them go to the ring in one bulk.
		 */
		uint32_t keep = cache->size - n;
		rf_ring_mp_enqueue_bulk(mp->ring, &cache->objs[keep], cache->len - keep, NULL);
		cache->len = keep;
	}
	rf_ring_copy_ptrs(&cache->objs[cache->len], objs, n);
	cache->len += n;
}

static inline int rf_mempool_generic_get(struct rf_mempool *mp, void **objs, unsigned n,
					 struct rf_mempool_cache *cache)
{
	if (cache == NULL || n > cache->size)
		return rf_ring_mc_dequeue_bulk(mp->ring, objs, n, NULL) == n ? 0 : -ENOENT;

	if (cache->len < n) {
		/*
		 * Refill in one bulk so that, after this get, the cache holds
		 * size objects again. If the ring has fewer, take just what
		 * this get lacks; if it has not even that, fail with the cache
		 * untouched.
		 */
		uint32_t want = cache->size + n - cache->len;
		if (rf_ring_mc_dequeue_bulk(mp->ring, &cache->objs[cache->len], want, NULL) == 0) {
			want = n - cache->len;
			if (rf_ring_mc_dequeue_bulk(mp->ring, &cache->objs[cache->len], want,
						    NULL) == 0)
				return -ENOENT;
		}
		cache->len += want;
	}
	cache->len -= n;
	rf_ring_copy_ptrs(objs, &cache->objs[cache->len], n);
	return 0;
}

static inline int rf_mempool_get_bulk(struct rf_mempool *mp, void **objs, unsigned n)
{
	return rf_mempool_generic_get(mp, objs, n, rf_mempool_default_cache(mp, rf_lcore_id()));
}

static inline void rf_mempool_put_bulk(struct rf_mempool *mp, void *const *objs, unsigned n)
{
	rf_mempool_generic_put(mp, objs, n, rf_mempool_default_cache(mp, rf_lcore_id()));
}

static inline int rf_mempool_get(struct rf_mempool *mp, void **obj)
{
	return rf_mempool_get_bulk(mp, obj, 1);
}

static inline void rf_mempool_put(struct rf_mempool *mp, void *obj)
{
	rf_mempool_put_bulk(mp, &obj, 1);
}

/* Objects free: in the ring plus in every cache. Exact only at rest. */
unsigned rf_mempool_avail_count(const struct rf_mempool *mp);
/* size - avail. */
unsigned rf_mempool_in_use_count(const struct rf_mempool *mp);
static inline int rf_mempool_full(const struct rf_mempool *mp)
{
	return rf_mempool_avail_count(mp) == mp->size;
}

/* IOVA of an address inside an object of this pool. */
static inline uint64_t rf_mempool_virt2iova(const struct rf_mempool *mp, const void *obj)
{
	size_t off = (size_t)((const char *)obj - (const char *)mp->base);

	if (mp->page_iova != NULL)
		return mp->page_iova[off / mp->page_size] + off % mp->page_size;
	return mp->base_iova + off;
}

/* Calls cb on every object (free or not), in address order; returns the count. */
unsigned rf_mempool_obj_iter(struct rf_mempool *mp, rf_mempool_obj_cb_t *cb, void *arg);
void rf_mempool_dump(FILE *out, const struct rf_mempool *mp);

#endif /* RF_MEMPOOL_H */
