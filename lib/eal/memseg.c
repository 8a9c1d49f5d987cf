/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory segments: one fd, one shared mapping each (see rf_memseg.h).
 *
 * Sources, in order:
 *   1. memfd_create(MFD_HUGETLB | MFD_HUGE_2MB): no mount needed;
 *   2. a file on a hugetlbfs mount, unlinked as soon as it is open so nothing
 *      is left behind if we crash;
 *   3. a plain memfd with 4 KB pages.
 *
 * The hugepage pitfall: ftruncate() on a hugetlb file succeeds whatever the
 * pool holds, and a page that cannot be had shows up as SIGBUS on first touch.
 * The kernel does reserve pages for a shared mapping at mmap() time (ENOMEM if
 * short), but a NUMA policy that confines the pages to one node can still
 * starve the fault. So we check the free count before we start, bind, then
 * prefault with MADV_POPULATE_WRITE, which reports a failed fault as an error
 * instead of a signal, and fall back on any error.
 */
#include <linux/magic.h>
#include <linux/memfd.h> /* before sys/mman.h: MFD_HUGE_2MB, which glibc lacks */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <mntent.h>
#include <numa.h>
#include <numaif.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "eal_private.h"
#include "rf_log.h"
#include "rf_memseg.h"

#define HUGE_2MB	 (2u << 20)
#define SYSFS_HUGEPAGES	 "/sys/kernel/mm/hugepages"
#define PAGEMAP_PFN_MASK ((UINT64_C(1) << 55) - 1) /* Documentation/admin-guide/mm/pagemap.rst */
#define PAGEMAP_PRESENT	 (UINT64_C(1) << 63)

/* Why one source failed, for the single line that reports the outcome. */
#define WHY_LEN 160

/* Numbers segment names so two segments of one process are told apart in /proc/PID/maps. */
static _Atomic unsigned seg_serial;
/* Set by the first segment that logs "one NUMA node"; orders nothing. */
static atomic_flag one_node_logged = ATOMIC_FLAG_INIT;

static size_t base_page_size(void)
{
	long sz = sysconf(_SC_PAGESIZE);

	return sz > 0 ? (size_t)sz : 4096;
}

static long read_sysfs_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Hugepages of page_size that nobody has reserved yet: free minus reserved. */
static long huge_pages_available(size_t page_size)
{
	char path[128];
	long free_pages, resv;

	snprintf(path, sizeof(path), SYSFS_HUGEPAGES "/hugepages-%zukB/free_hugepages",
		 page_size >> 10);
	free_pages = read_sysfs_long(path);
	snprintf(path, sizeof(path), SYSFS_HUGEPAGES "/hugepages-%zukB/resv_hugepages",
		 page_size >> 10);
	resv = read_sysfs_long(path);
	if (free_pages < 0)
		return 0;
	return resv > 0 ? free_pages - resv : free_pages;
}

bool rf_eal_numa_multi_node(void)
{
	return numa_available() >= 0 && numa_num_configured_nodes() > 1;
}

/*
 * Bind [va, va+len) to a NUMA node before any page is faulted in. Failure is
 * not fatal: the memory still works, only its placement is left to the kernel.
 */
static int bind_to_node(void *va, size_t len, int socket)
{
	unsigned long mask[16] = {0};
	const unsigned bits = sizeof(mask) * CHAR_BIT;

	if (socket < 0 || numa_available() < 0)
		return RF_SOCKET_ID_ANY;
	if (numa_num_configured_nodes() == 1 && !atomic_flag_test_and_set(&one_node_logged))
		RF_LOG(INFO, EAL, "one NUMA node: memory placement is trivial");
	if ((unsigned)socket >= bits || socket > numa_max_node()) {
		RF_LOG(WARNING, EAL, "socket %d does not exist; segment left unbound", socket);
		return RF_SOCKET_ID_ANY;
	}
	mask[(unsigned)socket / (sizeof(mask[0]) * CHAR_BIT)] |=
	    1ul << ((unsigned)socket % (sizeof(mask[0]) * CHAR_BIT));
	if (mbind(va, len, MPOL_BIND, mask, bits, 0) != 0) {
		RF_LOG(WARNING, EAL, "mbind to node %d failed: %s; segment left unbound", socket,
		       strerror(errno));
		return RF_SOCKET_ID_ANY;
	}
	return socket;
}

/* Map fd, bind, prefault. Fills seg on success; the caller owns fd either way. */
static int seg_map(struct rf_memseg *seg, int fd, size_t len, size_t page_size, int socket)
{
	void *va = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (va == MAP_FAILED)
		return -errno;
	seg->socket = bind_to_node(va, len, socket);
	/*
	 * Prefault now so the data path never takes a page fault, and so a
	 * hugepage shortage is an error here rather than SIGBUS later. Kernels
	 * before 5.14 lack MADV_POPULATE_WRITE (EINVAL): pages then fault in on
	 * first use, which is safe once mmap() has reserved them.
	 */
	if (madvise(va, len, MADV_POPULATE_WRITE) != 0 && errno != EINVAL) {
		int err = -errno;

		munmap(va, len);
		return err;
	}
	seg->va = va;
	seg->len = len;
	seg->fd = fd;
	seg->offset = 0;
	seg->page_size = page_size;
	return 0;
}

static int round_len(size_t len, size_t page_size, size_t *out)
{
	if (len > SIZE_MAX - page_size)
		return -ENOMEM;
	*out = (size_t)rf_align_ceil(len, page_size);
	return 0;
}

/* Source 1: an anonymous hugetlb memfd with 2 MB pages. */
static int try_huge_memfd(struct rf_memseg *seg, const char *name, size_t len, int socket,
			  char *why)
{
	size_t need;
	long avail;
	int fd, ret;

	if (round_len(len, HUGE_2MB, &need) != 0) {
		snprintf(why, WHY_LEN, "size overflows");
		return -ENOMEM;
	}
	avail = huge_pages_available(HUGE_2MB);
	if (avail < 0 || (size_t)avail < need / HUGE_2MB) {
		snprintf(why, WHY_LEN, "%ld free, %zu needed", avail, need / HUGE_2MB);
		return -ENOMEM;
	}
	fd = memfd_create(name, MFD_CLOEXEC | MFD_HUGETLB | MFD_HUGE_2MB);
	if (fd < 0) {
		snprintf(why, WHY_LEN, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	if (ftruncate(fd, (off_t)need) != 0)
		ret = -errno;
	else
		ret = seg_map(seg, fd, need, HUGE_2MB, socket);
	if (ret != 0) {
		snprintf(why, WHY_LEN, "%zu MB: %s", need >> 20, strerror(-ret));
		close(fd);
		return ret;
	}
	seg->kind = RF_MEM_HUGE_MEMFD;
	return 0;
}

/* The configured hugetlbfs directory, or the first hugetlbfs in /proc/mounts. */
static int find_hugetlbfs(const struct rf_mem_config *cfg, char *dir, size_t dirlen,
			  size_t *page_size, char *why)
{
	struct statfs st;

	if (cfg->huge_dir != NULL) {
		if (strlen(cfg->huge_dir) >= dirlen) {
			snprintf(why, WHY_LEN, "--huge-dir: path too long");
			return -ENAMETOOLONG;
		}
		strcpy(dir, cfg->huge_dir);
	} else {
		FILE *mounts = setmntent("/proc/mounts", "re");
		struct mntent ent;
		char buf[1024];
		bool found = false;

		if (mounts == NULL) {
			snprintf(why, WHY_LEN, "/proc/mounts: %s", strerror(errno));
			return -errno;
		}
		while (!found && getmntent_r(mounts, &ent, buf, sizeof(buf)) != NULL) {
			if (strcmp(ent.mnt_type, "hugetlbfs") == 0 &&
			    strlen(ent.mnt_dir) < dirlen) {
				strcpy(dir, ent.mnt_dir);
				found = true;
			}
		}
		endmntent(mounts);
		if (!found) {
			snprintf(why, WHY_LEN, "none mounted");
			return -ENOENT;
		}
	}
	if (statfs(dir, &st) != 0) {
		snprintf(why, WHY_LEN, "%.100s: %s", dir, strerror(errno));
		return -errno;
	}
	if (st.f_type != HUGETLBFS_MAGIC) {
		snprintf(why, WHY_LEN, "%.100s is not a hugetlbfs mount", dir);
		return -EINVAL;
	}
	/* On hugetlbfs, f_bsize is the huge page size of the mount. */
	*page_size = (size_t)st.f_bsize;
	return 0;
}

/* Source 2: a file on a hugetlbfs mount, unlinked while we hold it open. */
static int try_hugetlbfs(struct rf_memseg *seg, const struct rf_mem_config *cfg, const char *name,
			 size_t len, int socket, char *why)
{
	char dir[PATH_MAX], path[PATH_MAX];
	size_t page_size = 0, need;
	long avail;
	int fd, ret;

	ret = find_hugetlbfs(cfg, dir, sizeof(dir), &page_size, why);
	if (ret != 0)
		return ret;
	if (!rf_is_pow2(page_size) || round_len(len, page_size, &need) != 0) {
		snprintf(why, WHY_LEN, "%.100s: odd page size %zu", dir, page_size);
		return -EINVAL;
	}
	avail = huge_pages_available(page_size);
	if (avail < 0 || (size_t)avail < need / page_size) {
		snprintf(why, WHY_LEN, "%.100s: %ld free %zu kB pages, %zu needed", dir, avail,
			 page_size >> 10, need / page_size);
		return -ENOMEM;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s-%ld", dir, name, (long)getpid()) >=
	    sizeof(path)) {
		snprintf(why, WHY_LEN, "%.100s: path too long", dir);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, WHY_LEN, "%.100s: %s", path, strerror(errno));
		return -errno;
	}
	unlink(path);
	if (ftruncate(fd, (off_t)need) != 0)
		ret = -errno;
	else
		ret = seg_map(seg, fd, need, page_size, socket);
	if (ret != 0) {
		snprintf(why, WHY_LEN, "%.100s, %zu MB: %s", dir, need >> 20, strerror(-ret));
		close(fd);
		return ret;
	}
	seg->kind = RF_MEM_HUGETLBFS;
	return 0;
}

/* MemAvailable from /proc/meminfo, in bytes; 0 when it cannot be read. */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	char line[128];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

/* Source 3: a plain memfd, 4 KB pages. */
static int try_plain_memfd(struct rf_memseg *seg, const char *name, size_t len, int socket,
			   char *why)
{
	size_t page_size = base_page_size();
	uint64_t avail;
	size_t need;
	int fd, ret;

	if (round_len(len, page_size, &need) != 0) {
		snprintf(why, WHY_LEN, "size overflows");
		return -ENOMEM;
	}
	/*
	 * Prefaulting more than the machine has does not fail: the OOM killer
	 * ends some process, maybe not us. Refuse before touching a page.
	 */
	avail = mem_available();
	if (avail != 0 && need > avail) {
		snprintf(why, WHY_LEN, "%zu MB needed, %llu MB available", need >> 20,
			 (unsigned long long)(avail >> 20));
		return -ENOMEM;
	}
	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(why, WHY_LEN, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	if (ftruncate(fd, (off_t)need) != 0)
		ret = -errno;
	else
		ret = seg_map(seg, fd, need, page_size, socket);
	if (ret != 0) {
		snprintf(why, WHY_LEN, "%s", strerror(-ret));
		close(fd);
		return ret;
	}
	seg->kind = RF_MEM_PLAIN_MEMFD;
	return 0;
}

/*
 * Every source failed: one line with each reason and what to do. When
 * memfd_create itself is refused (a kernel without it, or a seccomp sandbox),
 * only a hugetlbfs mount can still give memory, so the advice says that.
 */
static void log_no_memory(const struct rf_mem_config *cfg, size_t len, int ret,
			  const char *why_memfd, const char *why_fs, const char *why_plain)
{
	const char *advice;

	if (ret == -ENOSYS || ret == -EPERM || ret == -EACCES)
		advice = cfg->no_huge
			     ? "memfd_create is refused here, so only hugepages can back memory: "
			       "drop --no-huge, mount hugetlbfs (mount -t hugetlbfs nodev "
			       "/dev/hugepages) and reserve 2 MB pages in " SYSFS_HUGEPAGES
			       "/hugepages-2048kB/nr_hugepages"
			     : "memfd_create is refused here, so only a hugetlbfs mount can back "
			       "memory: mount one (mount -t hugetlbfs nodev /dev/hugepages, or "
			       "point --huge-dir at one) and reserve 2 MB pages in " SYSFS_HUGEPAGES
			       "/hugepages-2048kB/nr_hugepages";
	else
		advice = "ask for less with -m, or reserve 2 MB pages in " SYSFS_HUGEPAGES
			 "/hugepages-2048kB/nr_hugepages";
	if (cfg->no_huge)
		RF_LOG(ERR, EAL, "cannot get %zu MB of memory with --no-huge (4 KB pages: %s); %s",
		       len >> 20, why_plain, advice);
	else
		RF_LOG(ERR, EAL,
		       "cannot get %zu MB of memory (2 MB hugepage memfd: %s; hugetlbfs: %s; "
		       "4 KB pages: %s); %s",
		       len >> 20, why_memfd, why_fs, why_plain, advice);
}

struct rf_memseg *rf_memseg_create(const struct rf_mem_config *cfg, size_t len, int socket)
{
	char why_memfd[WHY_LEN] = "", why_fs[WHY_LEN] = "", why_plain[WHY_LEN] = "";
	struct rf_memseg *seg;
	char name[64];
	int ret;

	if (cfg == NULL || len == 0) {
		errno = EINVAL;
		return NULL;
	}
	seg = calloc(1, sizeof(*seg));
	if (seg == NULL) {
		RF_LOG(ERR, EAL, "out of memory for a segment descriptor");
		return NULL;
	}
	seg->fd = -1;
	seg->socket = RF_SOCKET_ID_ANY;
	seg->iova_mode = cfg->iova_mode;
	snprintf(name, sizeof(name), "%s-seg%u", cfg->prefix != NULL ? cfg->prefix : "rf",
		 atomic_fetch_add_explicit(&seg_serial, 1, memory_order_relaxed));

	if (!cfg->no_huge) {
		if (try_huge_memfd(seg, name, len, socket, why_memfd) == 0 ||
		    try_hugetlbfs(seg, cfg, name, len, socket, why_fs) == 0)
			goto done;
	}
	if (cfg->iova_mode == RF_IOVA_PA) {
		/*
		 * A device without an IOMMU keeps the physical address it was given:
		 * 4 KB pages may move (compaction, swap), hugepages stay put.
		 */
		RF_LOG(ERR, EAL,
		       "iova-mode pa needs hugepages and none could be had for %zu MB (2 MB "
		       "hugepage memfd: %s; hugetlbfs: %s); reserve 2 MB pages in " SYSFS_HUGEPAGES
		       "/hugepages-2048kB/nr_hugepages, or bind the devices to vfio-pci",
		       len >> 20, why_memfd, why_fs);
		free(seg);
		errno = ENOMEM;
		return NULL;
	}
	ret = try_plain_memfd(seg, name, len, socket, why_plain);
	if (ret != 0) {
		log_no_memory(cfg, len, ret, why_memfd, why_fs, why_plain);
		free(seg);
		errno = -ret;
		return NULL;
	}
	/* Said only now, and in one line with the reasons: it is a warning only if we go on. */
	if (!cfg->no_huge)
		RF_LOG(WARNING, EAL,
		       "hugepages were not available for a %zu MB segment (2 MB hugepage memfd: "
		       "%s; hugetlbfs: %s); using 4 KB pages, performance will suffer (reserve "
		       "2 MB pages in " SYSFS_HUGEPAGES "/hugepages-2048kB/nr_hugepages, or "
		       "pass --no-huge)",
		       len >> 20, why_memfd, why_fs);
done:
	if (seg->iova_mode == RF_IOVA_PA && rf_mem_virt2phy(seg->va) == RF_BAD_IOVA) {
		RF_LOG(ERR, EAL,
		       "iova-mode pa: /proc/self/pagemap shows no physical addresses (it needs "
		       "CAP_SYS_ADMIN): run as root, or bind the devices to vfio-pci");
		munmap(seg->va, seg->len);
		close(seg->fd);
		free(seg);
		errno = EPERM;
		return NULL;
	}
	RF_LOG(DEBUG, EAL, "segment %s: %zu bytes at %p, %zu-byte pages, node %d", name, seg->len,
	       seg->va, seg->page_size, seg->socket);
	return seg;
}

void rf_memseg_destroy(struct rf_memseg *seg)
{
	if (seg == NULL)
		return;
	munmap(seg->va, seg->len);
	close(seg->fd);
	free(seg);
}

uint64_t rf_memseg_virt2iova(const struct rf_memseg *seg, const void *va)
{
	uintptr_t p = (uintptr_t)va, base;

	if (seg == NULL)
		return RF_BAD_IOVA;
	base = (uintptr_t)seg->va;
	if (p < base || p - base >= seg->len)
		return RF_BAD_IOVA;
	if (seg->iova_mode == RF_IOVA_VA)
		return (uint64_t)p;
	return rf_mem_virt2phy(va);
}

uint64_t rf_mem_virt2phy(const void *va)
{
	size_t page_size = base_page_size();
	uintptr_t p = (uintptr_t)va;
	uint64_t entry, pfn;
	ssize_t n;
	int fd;

	/* pagemap has one 64-bit entry per base page, whatever the mapping's page size. */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RF_BAD_IOVA;
	n = pread(fd, &entry, sizeof(entry), (off_t)(p / page_size * sizeof(entry)));
	close(fd);
	if (n != (ssize_t)sizeof(entry) || !(entry & PAGEMAP_PRESENT))
		return RF_BAD_IOVA;
	/* Without CAP_SYS_ADMIN the kernel reports the PFN as 0 (since Linux 4.2). */
	pfn = entry & PAGEMAP_PFN_MASK;
	if (pfn == 0)
		return RF_BAD_IOVA;
	return pfn * page_size + p % page_size;
}
