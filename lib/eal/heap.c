/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The heap: first-fit over the free elements of up to RF_MEMSEG_MAX segments.
 *
 * Each segment is tiled by elements. An element is a one-cache-line header
 * followed by its payload; every element starts on a cache line and its size
 * is a multiple of one, so a user pointer is always header + 64 and the
 * header of any user pointer is found by subtraction. Physical neighbours are
 * reached through size (next) and prev, which is what lets rf_free coalesce in
 * O(1). Free elements are also on one doubly linked list, searched in order.
 *
 * This is a control-path allocator: one mutex guards everything but the
 * segment table, which is append-only so lookups stay lock-free (see segs_n).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "eal_private.h"
#include "rf_log.h"
#include "rf_memseg.h"

#define HEAP_DEFAULT_LEN (256u << 20)
#define HEAP_GROW_ALIGN	 (2u << 20)
#define ELEM_HDR	 ((size_t)RF_CACHE_LINE)
#define ELEM_MIN_SPLIT	 (2 * ELEM_HDR) /* a tail smaller than this stays with the block */
#define ELEM_FREE	 UINT64_C(0x7266686561704652) /* "RFheapFR" */
#define ELEM_BUSY	 UINT64_C(0x7266686561704255) /* "RFheapBU" */

struct heap_elem {
	uint64_t magic;		     /* ELEM_FREE or ELEM_BUSY */
	size_t size;		     /* whole element, header included, multiple of 64 */
	struct heap_elem *prev;	     /* physical neighbour below, NULL at segment start */
	struct heap_elem *next_free; /* free list links, valid only while free */
	struct heap_elem *prev_free;
	uint32_t seg;  /* index into segs[] */
	char what[20]; /* the caller's label, for the leak report */
} RF_CACHE_ALIGNED;

_Static_assert(sizeof(struct heap_elem) == ELEM_HDR, "element header is one cache line");

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rf_mem_config heap_cfg; /* (lock) */
static bool heap_ready;		      /* (lock) */
static bool heap_numa;		      /* (lock) more than one NUMA node: match sockets */
static struct heap_elem *free_head;   /* (lock) */

static struct rf_memseg *segs[RF_MEMSEG_MAX];
/*
 * Number of valid entries in segs[]. Writers (under heap_lock) fill segs[n]
 * and then store n+1 with release; readers load with acquire and may then use
 * segs[0..n) without the lock. Pairs: heap_add_segment's release with the acquire in
 * seg_count(). Entries are removed only by rf_heap_fini, which the caller must
 * not race with lookups.
 */
static _Atomic unsigned segs_n;

#define MAX_MEM_CB 4
static struct {
	rf_mem_event_cb_t *cb;
	void *arg;
} mem_cbs[MAX_MEM_CB]; /* (lock) */

static unsigned seg_count(void)
{
	return atomic_load_explicit(&segs_n, memory_order_acquire);
}

static void *elem_end(const struct heap_elem *e)
{
	return (char *)e + e->size;
}

static struct heap_elem *elem_next(const struct heap_elem *e)
{
	const struct rf_memseg *s = segs[e->seg];
	char *end = elem_end(e);

	return end < (char *)s->va + s->len ? (struct heap_elem *)(void *)end : NULL;
}

static void free_list_insert(struct heap_elem *e)
{
	e->magic = ELEM_FREE;
	e->prev_free = NULL;
	e->next_free = free_head;
	if (free_head != NULL)
		free_head->prev_free = e;
	free_head = e;
}

static void free_list_remove(struct heap_elem *e)
{
	if (e->prev_free != NULL)
		e->prev_free->next_free = e->next_free;
	else
		free_head = e->next_free;
	if (e->next_free != NULL)
		e->next_free->prev_free = e->prev_free;
}

/* Carve a new element at e + at (at a multiple of 64, inside e). Returns it. */
static struct heap_elem *elem_split(struct heap_elem *e, size_t at)
{
	struct heap_elem *tail = (struct heap_elem *)(void *)((char *)e + at);
	struct heap_elem *next;

	tail->size = e->size - at;
	tail->prev = e;
	tail->seg = e->seg;
	e->size = at;
	next = elem_next(tail);
	if (next != NULL)
		next->prev = tail;
	return tail;
}

/* Absorb e's physical successor, which must not be on the free list. */
static void elem_merge_next(struct heap_elem *e, struct heap_elem *succ)
{
	struct heap_elem *after;

	e->size += succ->size;
	after = elem_next(e);
	if (after != NULL)
		after->prev = e;
}

static bool socket_ok(const struct heap_elem *e, int socket)
{
	int s = segs[e->seg]->socket;

	/*
	 * On one node (or without libnuma) every segment is local to every core.
	 * On more, a request for a socket takes only memory bound to it, growing
	 * a segment there if need be; unbound memory serves SOCKET_ID_ANY.
	 */
	return !heap_numa || socket < 0 || s == socket;
}

/* First fit: take need bytes of payload at align from the first free element that holds them. */
static void *heap_take(size_t need, size_t align, int socket, const char *what)
{
	for (struct heap_elem *e = free_head; e != NULL; e = e->next_free) {
		uintptr_t base = (uintptr_t)e;
		uintptr_t user = (uintptr_t)rf_align_ceil(base + ELEM_HDR, align);
		size_t lead = user - ELEM_HDR - base;

		if (lead + ELEM_HDR + need > e->size || !socket_ok(e, socket))
			continue;
		free_list_remove(e);
		if (lead > 0) {
			/* Leave the gap below an over-aligned block as a free element. */
			struct heap_elem *b = elem_split(e, lead);

			free_list_insert(e);
			e = b;
		}
		if (e->size - ELEM_HDR - need >= ELEM_MIN_SPLIT)
			free_list_insert(elem_split(e, ELEM_HDR + need));
		e->magic = ELEM_BUSY;
		snprintf(e->what, sizeof(e->what), "%s", what != NULL ? what : "");
		return (void *)user;
	}
	return NULL;
}

static int heap_add_segment(size_t len, int socket)
{
	unsigned n = seg_count();
	struct rf_memseg *s;
	struct heap_elem *e;

	if (n == RF_MEMSEG_MAX)
		return -ENOMEM;
	s = rf_memseg_create(&heap_cfg, len, socket);
	if (s == NULL)
		return -errno;
	for (unsigned i = 0; i < MAX_MEM_CB; i++) {
		int ret =
		    mem_cbs[i].cb != NULL ? mem_cbs[i].cb(RF_MEM_EVENT_ADD, s, mem_cbs[i].arg) : 0;

		if (ret != 0) {
			for (unsigned j = 0; j < i; j++)
				if (mem_cbs[j].cb != NULL)
					mem_cbs[j].cb(RF_MEM_EVENT_REMOVE, s, mem_cbs[j].arg);
			rf_memseg_destroy(s);
			return ret;
		}
	}
	e = s->va;
	e->size = s->len;
	e->prev = NULL;
	e->seg = n;
	free_list_insert(e);
	segs[n] = s;
	/* Publishes segs[n] to lock-free readers; pairs with seg_count(). */
	atomic_store_explicit(&segs_n, n + 1, memory_order_release);
	return 0;
}

int rf_heap_init(const struct rf_mem_config *cfg)
{
	int ret;

	if (cfg == NULL)
		return -EINVAL;
	pthread_mutex_lock(&heap_lock);
	if (heap_ready) {
		pthread_mutex_unlock(&heap_lock);
		return -EALREADY;
	}
	heap_cfg = *cfg;
	heap_numa = rf_eal_numa_multi_node();
	ret = heap_add_segment(cfg->initial_len != 0 ? cfg->initial_len : HEAP_DEFAULT_LEN,
			       RF_SOCKET_ID_ANY);
	heap_ready = ret == 0;
	pthread_mutex_unlock(&heap_lock);
	return ret;
}

void rf_heap_fini(void)
{
	size_t used = 0;
	unsigned blocks = 0;

	pthread_mutex_lock(&heap_lock);
	for (unsigned i = 0; i < seg_count(); i++) {
		for (struct heap_elem *e = segs[i]->va; e != NULL; e = elem_next(e)) {
			if (e->magic == ELEM_BUSY) {
				used += e->size - ELEM_HDR;
				blocks++;
				RF_LOG(DEBUG, EAL, "heap: '%s' (%zu bytes) still allocated",
				       e->what, e->size - ELEM_HDR);
			}
		}
		for (unsigned c = 0; c < MAX_MEM_CB; c++)
			if (mem_cbs[c].cb != NULL)
				mem_cbs[c].cb(RF_MEM_EVENT_REMOVE, segs[i], mem_cbs[c].arg);
		rf_memseg_destroy(segs[i]);
		segs[i] = NULL;
	}
	if (blocks > 0)
		RF_LOG(INFO, EAL, "heap: %u blocks (%zu bytes) still allocated at cleanup", blocks,
		       used);
	atomic_store_explicit(&segs_n, 0, memory_order_release);
	free_head = NULL;
	heap_ready = false;
	pthread_mutex_unlock(&heap_lock);
}

void *rf_zmalloc(const char *what, size_t size, size_t align, int socket)
{
	size_t need;
	void *p = NULL;
	int err = 0;

	/* Any power of two below a cache line is met by cache-line alignment. */
	if (align < RF_CACHE_LINE)
		align = RF_CACHE_LINE;
	if (size == 0 || !rf_is_pow2(align) || size > SIZE_MAX / 2 || align > SIZE_MAX / 4) {
		errno = EINVAL;
		return NULL;
	}
	need = (size_t)rf_align_ceil(size, RF_CACHE_LINE);

	pthread_mutex_lock(&heap_lock);
	if (!heap_ready) {
		RF_LOG(ERR, EAL, "rf_zmalloc(%s): heap not initialised; call rf_eal_init first",
		       what != NULL ? what : "");
		err = ENODEV;
		goto out;
	}
	p = heap_take(need, align, socket, what);
	if (p == NULL) {
		/* Full: grow by one segment big enough for this request at any alignment. */
		size_t grow = RF_MAX(need + align + 2 * ELEM_HDR, (size_t)HEAP_DEFAULT_LEN);
		int ret = heap_add_segment(rf_align_ceil(grow, HEAP_GROW_ALIGN), socket);

		if (ret == 0)
			p = heap_take(need, align, socket, what);
		if (p == NULL) {
			RF_LOG(ERR, EAL,
			       "rf_zmalloc(%s, %zu bytes): out of memory in %u segments%s",
			       what != NULL ? what : "", size, seg_count(),
			       seg_count() == RF_MEMSEG_MAX ? " (the most there can be)" : "");
			err = ENOMEM;
			goto out;
		}
	}
out:
	pthread_mutex_unlock(&heap_lock);
	if (p == NULL) {
		errno = err;
		return NULL;
	}
	/* Freed memory is not cleared, so clear here; outside the lock, the block is ours. */
	memset(p, 0, size);
	return p;
}

void rf_free(void *p)
{
	const struct rf_memseg *s;
	struct heap_elem *e, *n;

	if (p == NULL)
		return;
	s = rf_mem_lookup(p);
	e = (struct heap_elem *)(void *)((char *)p - ELEM_HDR);
	if (s == NULL || (uintptr_t)p % RF_CACHE_LINE != 0 || (void *)e < s->va) {
		RF_LOG(ERR, EAL, "rf_free(%p): not memory from rf_zmalloc; ignored", p);
		return;
	}
	pthread_mutex_lock(&heap_lock);
	if (e->magic != ELEM_BUSY || e->seg >= RF_MEMSEG_MAX || segs[e->seg] != s) {
		RF_LOG(ERR, EAL, "rf_free(%p): %s; ignored", p,
		       e->magic == ELEM_FREE ? "already freed" : "not the start of a block");
		goto out;
	}
	n = elem_next(e);
	if (n != NULL && n->magic == ELEM_FREE) {
		free_list_remove(n);
		elem_merge_next(e, n);
	}
	if (e->prev != NULL && e->prev->magic == ELEM_FREE) {
		/* The lower neighbour is already on the free list; it just grows. */
		elem_merge_next(e->prev, e);
		e->magic = 0;
	} else {
		free_list_insert(e);
	}
out:
	pthread_mutex_unlock(&heap_lock);
}

const struct rf_memseg *rf_mem_lookup(const void *p)
{
	unsigned n = seg_count();
	uintptr_t a = (uintptr_t)p;

	for (unsigned i = 0; i < n; i++) {
		uintptr_t base = (uintptr_t)segs[i]->va;

		if (a >= base && a - base < segs[i]->len)
			return segs[i];
	}
	return NULL;
}

uint64_t rf_mem_virt2iova(const void *p)
{
	return rf_memseg_virt2iova(rf_mem_lookup(p), p);
}

int rf_mem_event_callback_register(rf_mem_event_cb_t *cb, void *arg)
{
	int ret = -ENOSPC;

	if (cb == NULL)
		return -EINVAL;
	pthread_mutex_lock(&heap_lock);
	for (unsigned i = 0; i < MAX_MEM_CB; i++) {
		if (mem_cbs[i].cb == NULL) {
			mem_cbs[i].cb = cb;
			mem_cbs[i].arg = arg;
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&heap_lock);
	return ret;
}

void rf_mem_event_callback_unregister(rf_mem_event_cb_t *cb, void *arg)
{
	pthread_mutex_lock(&heap_lock);
	for (unsigned i = 0; i < MAX_MEM_CB; i++)
		if (mem_cbs[i].cb == cb && mem_cbs[i].arg == arg)
			mem_cbs[i].cb = NULL;
	pthread_mutex_unlock(&heap_lock);
}

int rf_memseg_walk(int (*fn)(const struct rf_memseg *seg, void *arg), void *arg)
{
	unsigned n = seg_count();

	for (unsigned i = 0; i < n; i++) {
		int ret = fn(segs[i], arg);

		if (ret != 0)
			return ret;
	}
	return 0;
}

unsigned rf_memseg_count(void)
{
	return seg_count();
}

void rf_heap_stats(size_t *allocated, size_t *free_bytes)
{
	size_t used = 0, avail = 0;

	pthread_mutex_lock(&heap_lock);
	for (unsigned i = 0; i < seg_count(); i++)
		for (struct heap_elem *e = segs[i]->va; e != NULL; e = elem_next(e))
			*(e->magic == ELEM_BUSY ? &used : &avail) += e->size;
	pthread_mutex_unlock(&heap_lock);
	if (allocated != NULL)
		*allocated = used;
	if (free_bytes != NULL)
		*free_bytes = avail;
}
