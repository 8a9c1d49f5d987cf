/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory segments and the heap carved out of them.
 *
 * A segment is one mapping of one fd: memfd_create(MFD_HUGETLB) with 2 MB
 * pages first, then a file on a hugetlbfs mount, then a plain memfd (with a
 * warning). Devices that share our memory (a vhost-user backend) map the same
 * fd, so every segment keeps its fd open for its whole life. A vhost-user
 * memory table holds at most 8 regions: we use few, large segments, and the
 * heap grows by whole segments only when it must.
 */
#ifndef RF_MEMSEG_H
#define RF_MEMSEG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rf_common.h"

#define RF_MEMSEG_MAX     8
#define RF_SOCKET_ID_ANY  (-1)
#define RF_BAD_IOVA       UINT64_MAX

enum rf_mem_kind {
	RF_MEM_HUGE_MEMFD,  /* memfd_create(MFD_HUGETLB | MFD_HUGE_2MB) */
	RF_MEM_HUGETLBFS,   /* a file on a hugetlbfs mount, unlinked after open */
	RF_MEM_PLAIN_MEMFD, /* 4 KB pages: --no-huge, or no hugepages to be had */
};

enum rf_iova_mode {
	RF_IOVA_VA, /* the device uses our virtual addresses (vhost-user, vfio-pci's IOMMU) */
	RF_IOVA_PA, /* physical addresses from /proc/self/pagemap (PCI, no IOMMU) */
	RF_IOVA_DC, /* "don't care": --iova-mode not given; the EAL chooses before memory exists */
};

struct rf_memseg {
	void *va;
	size_t len;
	int fd;          /* stays open: a vhost-user backend maps it */
	off_t offset;    /* of va within fd (mmap offset) */
	size_t page_size;
	enum rf_mem_kind kind;
	enum rf_iova_mode iova_mode;
	int socket;      /* NUMA node the pages were bound to, or -1 */
};

/* How the EAL should get memory; filled from the EAL options (iova_mode is never DC here). */
struct rf_mem_config {
	int no_huge;           /* --no-huge: go straight to a plain memfd */
	const char *huge_dir;  /* --huge-dir: the hugetlbfs mount to try; NULL = search /proc/mounts */
	size_t initial_len;    /* -m: bytes of the first heap segment; 0 = default (256 MB) */
	enum rf_iova_mode iova_mode;
	const char *prefix;    /* --file-prefix: names memfds and hugetlbfs files */
};

/*
 * Create one segment of at least len bytes (rounded up to the page size),
 * trying the sources in order. Returns NULL with errno set when none works.
 */
struct rf_memseg *rf_memseg_create(const struct rf_mem_config *cfg, size_t len, int socket);
void rf_memseg_destroy(struct rf_memseg *seg);

/* IOVA of an address inside seg, or RF_BAD_IOVA. */
uint64_t rf_memseg_virt2iova(const struct rf_memseg *seg, const void *va);

/* Physical address of va from /proc/self/pagemap, or RF_BAD_IOVA (needs root). */
uint64_t rf_mem_virt2phy(const void *va);

/*
 * The heap: a first-fit allocator over up to RF_MEMSEG_MAX segments. It is a
 * control-path allocator (a mutex inside); the data path never calls it.
 */
int rf_heap_init(const struct rf_mem_config *cfg);
void rf_heap_fini(void);
/*
 * Zeroed memory, aligned to align (a power of two; 0 or anything below a cache
 * line means a cache line). NULL + errno: EINVAL for size 0 or a bad align,
 * ENOMEM, ENODEV before rf_heap_init. Call rf_heap_init (or rf_eal_init) first.
 */
void *rf_zmalloc(const char *what, size_t size, size_t align, int socket);
void rf_free(void *p);
/* The segment that holds p, or NULL if p is not heap memory. */
const struct rf_memseg *rf_mem_lookup(const void *p);
uint64_t rf_mem_virt2iova(const void *p);
/*
 * Memory events: a segment was added to the heap, or is about to be removed.
 * A device that reaches memory through an IOMMU maps each one (vfio-pci). The
 * callback runs under the heap's lock and must not allocate from the heap. An
 * ADD callback that fails (-errno) makes the heap give the segment back, so
 * no device is left unable to reach memory that was handed out.
 */
enum rf_mem_event {
	RF_MEM_EVENT_ADD,
	RF_MEM_EVENT_REMOVE,
};
typedef int(rf_mem_event_cb_t)(enum rf_mem_event ev, const struct rf_memseg *seg, void *arg);
/* 0, -EINVAL, or -ENOSPC when 4 are already registered. */
int rf_mem_event_callback_register(rf_mem_event_cb_t *cb, void *arg);
void rf_mem_event_callback_unregister(rf_mem_event_cb_t *cb, void *arg);

/* Calls fn on each segment in order; stops at the first non-zero return and returns it. */
int rf_memseg_walk(int (*fn)(const struct rf_memseg *seg, void *arg), void *arg);
unsigned rf_memseg_count(void);
/*
 * Bytes allocated and free over all segments. Both count the heap's per-block
 * header, so allocated + free is the total length of the segments.
 */
void rf_heap_stats(size_t *allocated, size_t *free_bytes);

#endif /* RF_MEMSEG_H */
