/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ring set-up and teardown. The enqueue and dequeue paths are inline in
 * rf_ring.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rf_ring.h"

_Static_assert(offsetof(struct rf_ring, prod) % RF_CACHE_LINE == 0, "prod on its own line");
_Static_assert(offsetof(struct rf_ring, cons) - offsetof(struct rf_ring, prod) >= 2 * RF_CACHE_LINE,
	       "prod and cons a line apart");
_Static_assert(offsetof(struct rf_ring, slots) - offsetof(struct rf_ring, cons) >=
		   2 * RF_CACHE_LINE,
	       "cons and slots a line apart");

size_t rf_ring_get_memsize(unsigned count)
{
	if (!rf_is_pow2(count) || count > RF_RING_SZ_MAX)
		return 0;
	return rf_align_ceil(sizeof(struct rf_ring) + (size_t)count * sizeof(void *),
			     RF_CACHE_LINE);
}

/* Slots needed for count under flags, or 0 if count is not valid. */
static uint32_t ring_size_for(unsigned count, unsigned flags)
{
	if (flags & RF_RING_F_EXACT_SZ) {
		/* One slot more than the capacity: a full ring must not look empty. */
		if (count == 0 || count >= RF_RING_SZ_MAX)
			return 0;
		return rf_align32pow2(count + 1);
	}
	/* A one-slot ring would have capacity 0. */
	if (count < 2 || !rf_is_pow2(count) || count > RF_RING_SZ_MAX)
		return 0;
	return count;
}

int rf_ring_init(struct rf_ring *r, const char *name, unsigned count, unsigned flags)
{
	uint32_t size;

	if (r == NULL || (flags & ~RF_RING_F_MASK) != 0)
		return -EINVAL;
	size = ring_size_for(count, flags);
	if (size == 0)
		return -EINVAL;
	if (name == NULL)
		name = "";
	if (strlen(name) >= sizeof(r->name))
		return -ENAMETOOLONG;

	memset(r, 0, sizeof(*r));
	strcpy(r->name, name);
	r->size = size;
	r->mask = size - 1;
	r->capacity = (flags & RF_RING_F_EXACT_SZ) ? count : size - 1;
	r->flags = flags;
	/*
	 * All four indexes start at 0. No other thread can see r before the
	 * caller hands it over (with its own synchronisation), so relaxed
	 * stores are enough.
	 */
	atomic_store_explicit(&r->prod.head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->prod.tail, 0, memory_order_relaxed);
	atomic_store_explicit(&r->cons.head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->cons.tail, 0, memory_order_relaxed);
	return 0;
}

struct rf_ring *rf_ring_create(const char *name, unsigned count, int socket, unsigned flags)
{
	struct rf_ring *r;
	uint32_t size;
	size_t bytes;
	int rc;

	(void)socket;
	if ((flags & ~RF_RING_F_MASK) != 0 || (size = ring_size_for(count, flags)) == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (name != NULL && strlen(name) >= RF_RING_NAMESIZE) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	bytes = rf_ring_get_memsize(size);
	if (bytes == 0) {
		errno = EINVAL;
		return NULL;
	}
	r = aligned_alloc(RF_CACHE_LINE, bytes);
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	rc = rf_ring_init(r, name, count, flags);
	if (rc != 0) {
		free(r);
		errno = -rc;
		return NULL;
	}
	return r;
}

void rf_ring_free(struct rf_ring *r)
{
	free(r);
}

void rf_ring_dump(FILE *out, const struct rf_ring *r)
{
	if (r == NULL) {
		fprintf(out, "ring <NULL>\n");
		return;
	}
	fprintf(out, "ring <%s>@%p\n", r->name, (const void *)r);
	fprintf(out, "  flags=0x%x%s%s%s\n", r->flags,
		(r->flags & RF_RING_F_SP_ENQ) ? " SP_ENQ" : "",
		(r->flags & RF_RING_F_SC_DEQ) ? " SC_DEQ" : "",
		(r->flags & RF_RING_F_EXACT_SZ) ? " EXACT_SZ" : "");
	fprintf(out, "  size=%u capacity=%u\n", r->size, r->capacity);
	fprintf(out, "  prod.head=%u prod.tail=%u\n",
		atomic_load_explicit(&r->prod.head, memory_order_relaxed),
		atomic_load_explicit(&r->prod.tail, memory_order_relaxed));
	fprintf(out, "  cons.head=%u cons.tail=%u\n",
		atomic_load_explicit(&r->cons.head, memory_order_relaxed),
		atomic_load_explicit(&r->cons.tail, memory_order_relaxed));
	fprintf(out, "  used=%u avail=%u\n", rf_ring_count(r), rf_ring_free_count(r));
}
