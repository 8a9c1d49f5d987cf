/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL unit tests: lcore lists, option parsing, segments, the heap, lcores,
 * time. No root needed; the hugepage case skips when none are free.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "rf_eal.h"

#define MB (1u << 20)

/* ---- rf_lcore_parse_list ---- */

static void test_parse_list_good(void **state)
{
	bool set[16];

	(void)state;
	assert_int_equal(rf_lcore_parse_list("0-3,5", set, 16), 5);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(set[i], i <= 3 || i == 5);

	assert_int_equal(rf_lcore_parse_list("7", set, 16), 1);
	assert_true(set[7]);
	assert_false(set[0]);

	/* Overlaps count each CPU once; the top of the range is max - 1. */
	assert_int_equal(rf_lcore_parse_list("1-2,2,15,2-3", set, 16), 4);
	assert_true(set[15]);
	assert_int_equal(rf_lcore_parse_list("4-4", set, 16), 1);
}

static void test_parse_list_bad(void **state)
{
	static const char *bad[] = {
	    "",			       /* empty */
	    "3-1",		       /* reversed range */
	    "a",		       /* not a number */
	    "1,,2",		       /* empty element */
	    "1-",		       /* open range */
	    "16",		       /* == max */
	    "0-16",		       /* range past max */
	    "1,",		       /* trailing comma */
	    ",1",		       /* leading comma */
	    "-1",		       /* sign */
	    " 1",		       /* spaces */
	    "1 ",		       /* trailing garbage */
	    "1-2-3",		       /* double range */
	    "0x1",		       /* hex */
	    "99999999999999999999999", /* overflow */
	    "1;2",		       /* wrong separator */
	};
	bool set[16];

	(void)state;
	for (size_t i = 0; i < RF_DIM(bad); i++) {
		if (rf_lcore_parse_list(bad[i], set, 16) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_parse_map(void **state)
{
	bool set[16];
	unsigned cpu[16];

	(void)state;
	/* DPDK's --lcores form: lcore 0 on CPU 0, lcores 1-2 on CPU 1, lcore 5 on CPU 5. */
	assert_int_equal(rf_lcore_parse_map("0@0,1-2@1,5", set, cpu, 16), 4);
	assert_true(set[0] && set[1] && set[2] && set[5]);
	assert_false(set[3]);
	assert_int_equal(cpu[0], 0);
	assert_int_equal(cpu[1], 1);
	assert_int_equal(cpu[2], 1);
	assert_int_equal(cpu[5], 5);
	assert_int_equal(cpu[7], 7); /* unlisted lcores keep their own number */

	assert_int_equal(rf_lcore_parse_map("3@", set, cpu, 16), -EINVAL);
	assert_int_equal(rf_lcore_parse_map("@1", set, cpu, 16), -EINVAL);
	assert_int_equal(rf_lcore_parse_map("1@x", set, cpu, 16), -EINVAL);
	assert_int_equal(rf_lcore_parse_map("1@1@1", set, cpu, 16), -EINVAL);
	/* The plain list has no CPU map to fill, so '@' is an error there. */
	assert_int_equal(rf_lcore_parse_list("1@1", set, 16), -EINVAL);
}

/* ---- rf_eal_parse_args ---- */

static int parse(struct rf_eal_config *cfg, int argc, const char **argv)
{
	return rf_eal_parse_args(argc, (char **)(uintptr_t)argv, cfg);
}

static void test_args_good(void **state)
{
	const char *argv[] = {"prog",
			      "-l",
			      "0-1",
			      "--main-lcore",
			      "1",
			      "-m",
			      "64",
			      "--no-huge",
			      "--vdev",
			      "net_null0",
			      "--vdev=net_pcap0,rx_pcap=a.pcap",
			      "--iova-mode=va",
			      "--file-prefix",
			      "t1",
			      "--log-level",
			      "debug",
			      "--no-pci",
			      "--huge-dir=/mnt/h",
			      "--",
			      "--nb-cores=1"};
	struct rf_eal_config cfg;
	int ret = parse(&cfg, RF_DIM(argv), argv);

	(void)state;
	assert_int_equal(ret, 18);
	assert_string_equal(argv[ret], "--");
	assert_true(cfg.lcores[0] && cfg.lcores[1] && !cfg.lcores[2]);
	assert_int_equal(cfg.main_lcore, 1);
	assert_int_equal(cfg.mem.initial_len, 64 * MB);
	assert_int_equal(cfg.mem.no_huge, 1);
	assert_int_equal(cfg.nb_vdevs, 2);
	assert_string_equal(cfg.vdevs[0], "net_null0");
	assert_string_equal(cfg.vdevs[1], "net_pcap0,rx_pcap=a.pcap");
	assert_int_equal(cfg.mem.iova_mode, RF_IOVA_VA);
	assert_int_equal(cfg.iova_asked, RF_IOVA_VA);
	assert_true(cfg.no_pci);
	assert_string_equal(cfg.mem.prefix, "t1");
	assert_int_equal(cfg.log_level, RF_LOG_DEBUG);
	assert_string_equal(cfg.mem.huge_dir, "/mnt/h");
}

static void test_args_defaults(void **state)
{
	const char *argv[] = {"prog", "-l1", "--lcores=0-1,1"};
	const char *bare[] = {"prog"};
	struct rf_eal_config cfg;

	(void)state;
	/* No "--": everything consumed. The last -l wins; main is its first CPU. */
	assert_int_equal(parse(&cfg, RF_DIM(argv), argv), 3);
	assert_true(cfg.lcores[0] && cfg.lcores[1]);
	assert_int_equal(cfg.main_lcore, 0);
	assert_int_equal(cfg.mem.no_huge, 0);
	assert_int_equal(cfg.mem.iova_mode, RF_IOVA_VA);
	/* Not given: rf_eal_init chooses from the devices. */
	assert_int_equal(cfg.iova_asked, RF_IOVA_DC);
	assert_false(cfg.no_pci);
	assert_int_equal(cfg.nb_allow, 0);
	assert_int_equal(cfg.nb_block, 0);
	assert_string_equal(cfg.mem.prefix, "rf");
	assert_int_equal(cfg.log_level, RF_LOG_NOTICE);

	assert_int_equal(parse(&cfg, 1, bare), 1);
	assert_true(cfg.lcores[cfg.main_lcore]);
	assert_int_equal(cfg.nb_vdevs, 0);
	assert_int_equal(parse(&cfg, 0, bare), 0);
}

static void test_args_bad(void **state)
{
	static const char *cases[][4] = {
	    {"prog", "--bogus"},
	    {"prog", "-x"},
	    {"prog", "-m"},
	    {"prog", "-m", "--"},
	    {"prog", "-m", "abc"},
	    {"prog", "-m", "0"},
	    {"prog", "-m", "12x"},
	    {"prog", "-m", "-5"},
	    {"prog", "-l", "0", "--main-lcore=1"},
	    {"prog", "--main-lcore", "x"},
	    {"prog", "-l", "3-1"},
	    {"prog", "--iova-mode", "pv"},
	    {"prog", "--log-level", "loud"},
	    {"prog", "--no-huge=1"},
	    {"prog", "--file-prefix", "a/b"},
	    {"prog", "stray"},
	    {"prog", "--lcores"},
	    {"prog", "--iova-mode", "pa", "--no-huge"}, /* pa needs hugepages */
	    {"prog", "-a", "00:03"},			/* no function */
	    {"prog", "-a", "0000:00:20.0"},		/* device 32 */
	    {"prog", "-a", "00:03.8"},			/* function 8 */
	    {"prog", "-a", "1:2:3:4.0"},
	    {"prog", "--allow", "00:03.0x"},
	    {"prog", "-b", "00:03.0,x=1"},	   /* -b takes no devargs */
	    {"prog", "-a", "00:03.0", "--no-pci"}, /* contradiction */
	    {"prog", "-a", ""},
	};
	struct rf_eal_config cfg;

	(void)state;
	for (size_t i = 0; i < RF_DIM(cases); i++) {
		int argc = 0;

		while (argc < 4 && cases[i][argc] != NULL)
			argc++;
		if (parse(&cfg, argc, cases[i]) != -EINVAL)
			fail_msg("case %zu (%s %s) was accepted", i, cases[i][1],
				 cases[i][2] != NULL ? cases[i][2] : "");
	}
}

static void test_args_pci(void **state)
{
	const char *argv[] = {"prog",
			      "-a",
			      "0000:00:03.0,pci_access=sysfs",
			      "--allow=00:04.1",
			      "-a0001:0a:1f.7",
			      "-b",
			      "00:05.0",
			      "--block",
			      "00:06.0"};
	const char *twice[] = {"prog", "-a", "00:03.0", "-a", "0000:00:03.0"};
	const char *both[] = {"prog", "-a", "00:03.0", "-b", "0000:00:03.0"};
	struct rf_eal_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, RF_DIM(argv), argv), RF_DIM(argv));
	assert_int_equal(cfg.nb_allow, 3);
	assert_int_equal(cfg.allow[0].addr.domain, 0);
	assert_int_equal(cfg.allow[0].addr.devid, 3);
	assert_string_equal(cfg.allow[0].devargs, "pci_access=sysfs");
	assert_int_equal(cfg.allow[1].addr.function, 1);
	assert_null(cfg.allow[1].devargs);
	assert_int_equal(cfg.allow[2].addr.domain, 1);
	assert_int_equal(cfg.allow[2].addr.bus, 0x0a);
	assert_int_equal(cfg.allow[2].addr.devid, 0x1f);
	assert_int_equal(cfg.allow[2].addr.function, 7);
	assert_int_equal(cfg.nb_block, 2);
	assert_int_equal(cfg.block[1].addr.devid, 6);
	/* One device named twice, or allowed and blocked: refused. */
	assert_int_equal(parse(&cfg, RF_DIM(twice), twice), -EINVAL);
	assert_int_equal(parse(&cfg, RF_DIM(both), both), -EINVAL);
}

static void test_pci_addr(void **state)
{
	struct rf_pci_addr a, b;
	char buf[RF_PCI_ADDR_LEN];
	const char *end;

	(void)state;
	assert_int_equal(rf_pci_addr_parse("0000:00:03.0", &a), 0);
	assert_int_equal(rf_pci_addr_parse("00:03.0", &b), 0);
	assert_int_equal(rf_pci_addr_cmp(&a, &b), 0);
	assert_int_equal(rf_pci_addr_parse("ffff:FF:1f.7", &a), 0);
	rf_pci_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "ffff:ff:1f.7");
	assert_true(rf_pci_addr_cmp(&b, &a) < 0);
	assert_int_equal(rf_pci_addr_parse_prefix("00:03.0,k=v", &a, &end), 0);
	assert_string_equal(end, ",k=v");
	static const char *bad[] = {"",		"0",	       "00:03",		"00:03.",
				    "00:03.8",	"00:20.0",     "10000:00:03.0", "000:100:03.0",
				    "00:03.0,", " 00:03.0",    "00:03.0 ",	"+0:03.0",
				    "00::03.0", "0000:00:03:0"};
	for (size_t i = 0; i < RF_DIM(bad); i++)
		if (rf_pci_addr_parse(bad[i], &a) == 0)
			fail_msg("'%s' was accepted", bad[i]);
}

static void test_args_too_many_vdevs(void **state)
{
	const char *argv[2 + 2 * (RF_EAL_MAX_VDEV + 1)];
	struct rf_eal_config cfg;
	int argc = 0;

	(void)state;
	argv[argc++] = "prog";
	for (unsigned i = 0; i < RF_EAL_MAX_VDEV; i++) {
		argv[argc++] = "--vdev";
		argv[argc++] = "net_null";
	}
	assert_int_equal(parse(&cfg, argc, argv), argc);
	assert_int_equal(cfg.nb_vdevs, RF_EAL_MAX_VDEV);
	argv[argc++] = "--vdev";
	argv[argc++] = "one_too_many";
	assert_int_equal(parse(&cfg, argc, argv), -EINVAL);
}

/* ---- memory segments ---- */

static void check_segment_shared(struct rf_memseg *seg)
{
	/* The fd must map the same memory: that is what a vhost-user backend relies on. */
	char *again = mmap(NULL, seg->len, PROT_READ, MAP_SHARED, seg->fd, seg->offset);

	assert_true(again != MAP_FAILED);
	((char *)seg->va)[seg->len - 1] = 0x5a;
	assert_int_equal(again[seg->len - 1], 0x5a);
	munmap(again, seg->len);
}

static void test_memseg_no_huge(void **state)
{
	struct rf_mem_config cfg = {.no_huge = 1, .prefix = "t", .iova_mode = RF_IOVA_VA};
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct rf_memseg *seg = rf_memseg_create(&cfg, MB + 1, RF_SOCKET_ID_ANY);

	(void)state;
	assert_non_null(seg);
	assert_int_equal(seg->kind, RF_MEM_PLAIN_MEMFD);
	assert_int_equal(seg->page_size, page);
	assert_int_equal(seg->len, MB + page);
	assert_true(seg->fd >= 0);
	check_segment_shared(seg);

	/* VA mode: the IOVA is the address; outside the segment there is none. */
	char *mid = (char *)seg->va + 12345;
	assert_int_equal(rf_memseg_virt2iova(seg, mid), (uint64_t)(uintptr_t)mid);
	assert_int_equal(rf_memseg_virt2iova(seg, (char *)seg->va + seg->len), RF_BAD_IOVA);
	assert_int_equal(rf_memseg_virt2iova(seg, &cfg), RF_BAD_IOVA);
	rf_memseg_destroy(seg);

	errno = 0;
	assert_null(rf_memseg_create(&cfg, 0, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
}

static long free_2mb_pages(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	long n = 0;

	if (f != NULL) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

static void test_memseg_huge(void **state)
{
	struct rf_mem_config cfg = {.prefix = "t", .iova_mode = RF_IOVA_VA};
	struct rf_memseg *seg;

	(void)state;
	if (free_2mb_pages() < 2)
		skip();
	seg = rf_memseg_create(&cfg, 3 * MB, 0);
	assert_non_null(seg);
	assert_int_not_equal(seg->kind, RF_MEM_PLAIN_MEMFD);
	assert_int_equal(seg->page_size, 2 * MB);
	assert_int_equal(seg->len, 4 * MB);
	check_segment_shared(seg);
	rf_memseg_destroy(seg);
}

/*
 * PA mode: hugepages only, and physical addresses from pagemap. Needs root
 * (pagemap hides PFNs without CAP_SYS_ADMIN) and two free 2 MB pages.
 */
static void test_memseg_pa(void **state)
{
	struct rf_mem_config cfg = {.prefix = "t", .iova_mode = RF_IOVA_PA};
	struct rf_mem_config plain = {.no_huge = 1, .prefix = "t", .iova_mode = RF_IOVA_PA};
	struct rf_memseg *seg;
	char *va;
	uint64_t pa;

	(void)state;
	/* 4 KB pages can move under a device: never in PA mode. */
	assert_null(rf_memseg_create(&plain, MB, RF_SOCKET_ID_ANY));
	if (geteuid() != 0)
		skip();
	seg = rf_memseg_create(&cfg, 4 * MB, RF_SOCKET_ID_ANY);
	if (seg == NULL)
		skip(); /* no hugepages free */
	assert_int_equal(seg->page_size, 2 * MB);
	/* Each page's IOVA is its own physical address, with the offset in the page kept. */
	for (size_t off = 0; off < seg->len; off += seg->page_size) {
		va = (char *)seg->va + off + 5 * 4096 + 100;
		pa = rf_memseg_virt2iova(seg, va);
		assert_int_not_equal(pa, RF_BAD_IOVA);
		assert_int_equal(pa, rf_mem_virt2phy(va));
		assert_int_not_equal(pa, (uint64_t)(uintptr_t)va);
		assert_int_equal(pa % (2 * MB), 5 * 4096 + 100);
	}
	assert_int_equal(rf_memseg_virt2iova(seg, (char *)seg->va + seg->len), RF_BAD_IOVA);
	rf_memseg_destroy(seg);
}

/* ---- heap ---- */

static int heap_setup(void **state)
{
	struct rf_mem_config cfg = {.no_huge = 1, .initial_len = 8 * MB, .prefix = "t"};

	(void)state;
	return rf_heap_init(&cfg);
}

static int heap_teardown(void **state)
{
	(void)state;
	rf_heap_fini();
	return 0;
}

static size_t total_seg_len(void)
{
	size_t used, avail;

	rf_heap_stats(&used, &avail);
	return used + avail;
}

/*
 * The heap is back to one free block spanning the first segment: nothing is
 * counted as allocated, and one allocation of the whole payload succeeds.
 */
static void assert_heap_whole(void)
{
	size_t used, avail;
	void *all;

	rf_heap_stats(&used, &avail);
	assert_int_equal(used, 0);
	assert_int_equal(avail, 8 * MB);
	all = rf_zmalloc("all", 8 * MB - RF_CACHE_LINE, 0, RF_SOCKET_ID_ANY);
	assert_non_null(all);
	rf_free(all);
}

struct churn {
	unsigned char tag; /* distinct per thread, so overlapping blocks show */
	int failures;
};

static size_t churn_size(size_t i)
{
	return 64 + i * 200;
}

/*
 * Allocates and frees in a loop, and checks that each block arrives zeroed and
 * still holds its own pattern when freed: two blocks handed out over the same
 * memory, by a broken free list or a race, would fail that.
 */
static int heap_churn(void *arg)
{
	struct churn *c = arg;
	unsigned char *p[16];

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < RF_DIM(p); i++) {
			p[i] = rf_zmalloc("churn", churn_size(i), (size_t)64 << (i % 4),
					  RF_SOCKET_ID_ANY);
			if (p[i] == NULL) {
				c->failures++;
				continue;
			}
			for (size_t k = 0; k < churn_size(i); k++)
				c->failures += p[i][k] != 0;
			memset(p[i], c->tag ^ (int)i, churn_size(i));
		}
		for (size_t j = 0; j < RF_DIM(p); j++) {
			size_t i = (j * 7) % RF_DIM(p); /* free out of order */

			if (p[i] == NULL)
				continue;
			for (size_t k = 0; k < churn_size(i); k++)
				c->failures += p[i][k] != (unsigned char)(c->tag ^ i);
			rf_free(p[i]);
		}
	}
	return 0;
}

static void test_heap_alloc_free_coalesce(void **state)
{
	size_t used0, free0, used, avail;
	char *a, *b, *c, *d;

	(void)state;
	rf_heap_stats(&used0, &free0);
	assert_int_equal(used0, 0);
	assert_int_equal(free0, 8 * MB);

	a = rf_zmalloc("a", MB, 0, RF_SOCKET_ID_ANY);
	b = rf_zmalloc("b", MB, 0, RF_SOCKET_ID_ANY);
	c = rf_zmalloc("c", MB, 0, RF_SOCKET_ID_ANY);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(b >= a + MB && c >= b + MB); /* first fit: in address order */
	assert_ptr_equal(rf_mem_lookup(b), rf_mem_lookup(a));
	rf_heap_stats(&used, &avail);
	assert_true(used >= 3 * MB);
	assert_int_equal(used + avail, 8 * MB);

	/* a and b merge into one free block; 2 MB fits there only if they did. */
	rf_free(b);
	rf_free(a);
	d = rf_zmalloc("d", 2 * MB, 0, RF_SOCKET_ID_ANY);
	assert_ptr_equal(d, a);

	rf_free(d);
	rf_free(c);
	assert_heap_whole();
	assert_int_equal(rf_memseg_count(), 1);
}

static void test_heap_align_and_zero(void **state)
{
	static const size_t aligns[] = {0, 8, 64, 128, 4096, 65536, 2 * MB};
	void *p[RF_DIM(aligns)];

	(void)state;
	for (size_t i = 0; i < RF_DIM(aligns); i++) {
		size_t al = aligns[i] < RF_CACHE_LINE ? RF_CACHE_LINE : aligns[i];

		p[i] = rf_zmalloc("al", 100 + i, aligns[i], RF_SOCKET_ID_ANY);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % al, 0);
		memset(p[i], 0xa5, 100 + i);
	}
	for (size_t i = 0; i < RF_DIM(aligns); i++)
		rf_free(p[i]);
	/* The gaps below over-aligned blocks were given back too. */
	assert_heap_whole();

	/* The same block comes back, and it must have been cleared. */
	unsigned char *q = rf_zmalloc("dirty", 4000, 0, RF_SOCKET_ID_ANY);
	memset(q, 0xff, 4000);
	rf_free(q);
	unsigned char *r = rf_zmalloc("clean", 4000, 0, RF_SOCKET_ID_ANY);
	assert_ptr_equal(r, q);
	for (size_t i = 0; i < 4000; i++)
		assert_int_equal(r[i], 0);
	rf_free(r);

	errno = 0;
	assert_null(rf_zmalloc("npot", 64, 96, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_zmalloc("zero", 0, 64, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
}

static void test_heap_grows(void **state)
{
	char *a, *b;

	(void)state;
	assert_int_equal(rf_memseg_count(), 1);
	a = rf_zmalloc("a", 6 * MB, 0, RF_SOCKET_ID_ANY);
	assert_non_null(a);
	b = rf_zmalloc("b", 6 * MB, 0, RF_SOCKET_ID_ANY);
	assert_non_null(b);
	assert_int_equal(rf_memseg_count(), 2);
	assert_ptr_not_equal(rf_mem_lookup(a), rf_mem_lookup(b));
	assert_true(total_seg_len() > 8 * MB);
	b[6 * MB - 1] = 1;
	/* The new segment is real memory that a device can address. */
	assert_int_equal(rf_mem_virt2iova(b), (uint64_t)(uintptr_t)b);
	rf_free(a);
	rf_free(b);
}

static bool overlap(const char *p, const char *q, size_t len)
{
	return p < q + len && q < p + len;
}

static void test_heap_foreign_free(void **state)
{
	size_t used0, free0, used, avail;
	char *a, *b, *c, *x, *y;
	int local;

	(void)state;
	a = rf_zmalloc("a", 1000, 0, RF_SOCKET_ID_ANY);
	b = rf_zmalloc("b", 1000, 0, RF_SOCKET_ID_ANY);
	c = rf_zmalloc("c", 1000, 0, RF_SOCKET_ID_ANY);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	rf_heap_stats(&used0, &free0);

	rf_free(NULL);
	rf_free(&local); /* not heap memory at all */
	rf_free(a + 64); /* inside a block, not its start */
	rf_free(a + 1);	 /* not even aligned */
	assert_null(rf_mem_lookup(&local));
	assert_int_equal(rf_mem_virt2iova(&local), RF_BAD_IOVA);
	rf_heap_stats(&used, &avail);
	assert_int_equal(used, used0);
	assert_int_equal(avail, free0);

	/* b sits between two live blocks, so it stays a block of its own when freed. */
	rf_free(b);
	rf_free(b); /* double free: logged, ignored */
	/* Had the second free been taken, b would be handed out twice. */
	x = rf_zmalloc("x", 1000, 0, RF_SOCKET_ID_ANY);
	y = rf_zmalloc("y", 1000, 0, RF_SOCKET_ID_ANY);
	assert_non_null(x);
	assert_non_null(y);
	assert_false(overlap(x, y, 1000));
	assert_false(overlap(x, a, 1000) || overlap(x, c, 1000));
	assert_false(overlap(y, a, 1000) || overlap(y, c, 1000));
	rf_free(a);
	rf_free(c);
	rf_free(x);
	rf_free(y);
	assert_heap_whole();

	/* And the heap still works after all that. */
	struct churn ch = {.tag = 0x33};
	heap_churn(&ch);
	assert_int_equal(ch.failures, 0);
	assert_heap_whole();
}

static void test_heap_threads(void **state)
{
	bool set[RF_MAX_LCORE] = {[0] = true, [1] = true};
	struct churn worker = {.tag = 0x11}, main_side = {.tag = 0x22};

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	assert_int_equal(rf_lcore_init(set, RF_MAX_LCORE, 0), 0);
	assert_int_equal(rf_lcore_launch(1, heap_churn, &worker), 0);
	heap_churn(&main_side);
	assert_int_equal(rf_lcore_wait(1), 0);
	rf_lcore_fini();
	assert_int_equal(worker.failures, 0);
	assert_int_equal(main_side.failures, 0);
	/* Everything came back and merged. */
	assert_heap_whole();
}

static void test_heap_not_initialised(void **state)
{
	(void)state;
	errno = 0;
	assert_null(rf_zmalloc("early", 64, 0, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, ENODEV);
}

/* ---- lcores ---- */

struct worker_report {
	int cpu;
	unsigned lcore;
	char name[16];
	atomic_int go; /* the test releases a blocked worker with this */
};

static int report_fn(void *arg)
{
	struct worker_report *r = arg;

	r->cpu = sched_getcpu();
	r->lcore = rf_lcore_id();
	pthread_getname_np(pthread_self(), r->name, sizeof(r->name));
	/* Blocks until the test says go; pairs with the release store in the test. */
	while (!atomic_load_explicit(&r->go, memory_order_acquire))
		sched_yield();
	return 1000 + r->cpu;
}

static void *foreign_thread(void *arg)
{
	*(unsigned *)arg = rf_lcore_id();
	return NULL;
}

static void test_lcore_launch(void **state)
{
	bool set[RF_MAX_LCORE] = {[0] = true, [1] = true};
	struct worker_report r = {.cpu = -1};
	unsigned foreign = 0, i, n = 0;
	pthread_t t;

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	assert_int_equal(rf_lcore_id(), RF_LCORE_ID_ANY);
	assert_int_equal(rf_lcore_init(set, RF_MAX_LCORE, 0), 0);
	assert_int_equal(rf_lcore_init(set, RF_MAX_LCORE, 0), -EALREADY);
	assert_int_equal(rf_lcore_id(), 0);
	assert_int_equal(sched_getcpu(), 0);
	assert_int_equal(rf_lcore_count(), 2);
	assert_int_equal(rf_lcore_main(), 0);
	RF_LCORE_FOREACH_WORKER(i)
	{
		assert_int_equal(i, 1);
		n++;
	}
	assert_int_equal(n, 1);

	assert_int_equal(rf_lcore_launch(1, report_fn, &r), 0);
	assert_int_equal(rf_lcore_launch(1, report_fn, &r), -EBUSY);
	assert_int_equal(rf_lcore_launch(0, report_fn, &r), -EINVAL); /* main is not a worker */
	atomic_store_explicit(&r.go, 1, memory_order_release);
	assert_int_equal(rf_lcore_wait(1), 1001);
	assert_int_equal(r.cpu, 1);
	assert_int_equal(r.lcore, 1);
	assert_string_equal(r.name, "rf-lcore-1");

	/* The worker is reusable, and wait without a launch returns 0. */
	assert_int_equal(rf_lcore_launch(1, report_fn, &r), 0);
	assert_int_equal(rf_lcore_wait(1), 1001);
	assert_int_equal(rf_lcore_wait(1), 0);
	assert_int_equal(rf_lcore_wait(5), -EINVAL);

	pthread_create(&t, NULL, foreign_thread, &foreign);
	pthread_join(t, NULL);
	assert_int_equal(foreign, RF_LCORE_ID_ANY);

	rf_lcore_fini();
	assert_int_equal(rf_lcore_id(), RF_LCORE_ID_ANY);
	assert_int_equal(rf_lcore_count(), 0);
}

/* Two lcores pinned to one CPU with the "L@CPU" map: each runs there. */
static void test_lcore_map_shared_cpu(void **state)
{
	bool set[RF_MAX_LCORE] = {[0] = true, [1] = true, [2] = true};
	unsigned cpu_of[RF_MAX_LCORE];
	struct worker_report r1 = {.cpu = -1}, r2 = {.cpu = -1};

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	for (unsigned i = 0; i < RF_MAX_LCORE; i++)
		cpu_of[i] = i;
	cpu_of[2] = 1;
	cpu_of[0] = 1; /* the main lcore need not be on CPU 0 either */
	assert_int_equal(rf_lcore_init_map(set, cpu_of, RF_MAX_LCORE, 0), 0);
	assert_int_equal(sched_getcpu(), 1);
	assert_int_equal(rf_lcore_count(), 3);
	assert_int_equal(rf_lcore_launch(1, report_fn, &r1), 0);
	assert_int_equal(rf_lcore_launch(2, report_fn, &r2), 0);
	atomic_store_explicit(&r1.go, 1, memory_order_release);
	atomic_store_explicit(&r2.go, 1, memory_order_release);
	assert_int_equal(rf_lcore_wait(1), 1001);
	assert_int_equal(rf_lcore_wait(2), 1001);
	assert_int_equal(r1.lcore, 1);
	assert_int_equal(r2.lcore, 2);
	assert_int_equal(r2.cpu, 1);
	rf_lcore_fini();
}

static void test_lcore_bad_cpu(void **state)
{
	bool set[RF_MAX_LCORE] = {[0] = true};
	long n = sysconf(_SC_NPROCESSORS_CONF);

	(void)state;
	if (n >= RF_MAX_LCORE)
		skip();
	set[n] = true; /* one past the last CPU this machine has */
	assert_int_equal(rf_lcore_init(set, RF_MAX_LCORE, 0), -EINVAL);
	set[n] = false;
	assert_int_equal(rf_lcore_init(set, RF_MAX_LCORE, 1), -EINVAL); /* main not listed */
	assert_int_equal(rf_lcore_count(), 0);
}

/* ---- time ---- */

static void test_time(void **state)
{
	uint64_t t0, t1, hz;

	(void)state;
	assert_int_equal(rf_time_init(), 0);
	assert_int_equal(rf_time_init(), 0);
	hz = rf_tsc_hz();
	assert_true(hz > 100000000ull);
	t0 = rf_tsc();
	for (int i = 0; i < 1000; i++) {
		t1 = rf_tsc();
		assert_true(t1 >= t0);
		t0 = t1;
	}
	/* A busy wait waits at least as long as asked. */
	t0 = rf_tsc();
	rf_delay_us(1000);
	assert_true(rf_tsc() - t0 >= hz / 1000);
}

/* ---- the whole EAL ---- */

static void test_eal_init_twice(void **state)
{
	const char *argv[] = {"prog", "--no-huge",	  "-m", "16", "-l",
			      "0",    "--file-prefix=te", "--", "app"};
	char **av = (char **)(uintptr_t)argv;
	const struct rf_eal_config *cfg;

	(void)state;
	assert_null(rf_eal_config_get());
	assert_int_equal(rf_eal_init(RF_DIM(argv), av), 7);
	cfg = rf_eal_config_get();
	assert_non_null(cfg);
	assert_int_equal(cfg->mem.initial_len, 16 * MB);
	assert_int_equal(rf_memseg_count(), 1);
	assert_int_equal(rf_lcore_id(), 0);
	assert_int_equal(rf_eal_init(RF_DIM(argv), av), -EALREADY);

	void *p = rf_zmalloc("p", 100, 0, RF_SOCKET_ID_ANY);
	assert_non_null(p);
	rf_free(p);
	rf_eal_cleanup();
	assert_null(rf_eal_config_get());
	assert_int_equal(rf_memseg_count(), 0);

	/* Cleanup makes init callable again. */
	assert_int_equal(rf_eal_init(RF_DIM(argv), av), 7);
	rf_eal_cleanup();
	rf_log_set_level(RF_LOG_NOTICE);

	const char *bad[] = {"prog", "--no-huge", "--bogus"};
	assert_int_equal(rf_eal_init(RF_DIM(bad), (char **)(uintptr_t)bad), -EINVAL);
	assert_null(rf_eal_config_get());
}

static void test_log_level(void **state)
{
	enum rf_log_level l;

	(void)state;
	assert_int_equal(rf_log_parse_level("err", &l), 0);
	assert_int_equal(l, RF_LOG_ERR);
	assert_int_equal(rf_log_parse_level("WARNING", &l), 0);
	assert_int_equal(l, RF_LOG_WARNING);
	assert_int_equal(rf_log_parse_level("8", &l), 0);
	assert_int_equal(l, RF_LOG_DEBUG);
	assert_int_equal(rf_log_parse_level("9", &l), -EINVAL);
	assert_int_equal(rf_log_parse_level("0", &l), -EINVAL);
	assert_int_equal(rf_log_parse_level("", &l), -EINVAL);
	assert_int_equal(rf_log_parse_level("verbose", &l), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_list_good),
	    cmocka_unit_test(test_parse_list_bad),
	    cmocka_unit_test(test_parse_map),
	    cmocka_unit_test(test_args_good),
	    cmocka_unit_test(test_args_defaults),
	    cmocka_unit_test(test_args_bad),
	    cmocka_unit_test(test_args_too_many_vdevs),
	    cmocka_unit_test(test_args_pci),
	    cmocka_unit_test(test_pci_addr),
	    cmocka_unit_test(test_log_level),
	    cmocka_unit_test(test_memseg_no_huge),
	    cmocka_unit_test(test_memseg_huge),
	    cmocka_unit_test(test_memseg_pa),
	    cmocka_unit_test(test_heap_not_initialised),
	    cmocka_unit_test_setup_teardown(test_heap_alloc_free_coalesce, heap_setup,
					    heap_teardown),
	    cmocka_unit_test_setup_teardown(test_heap_align_and_zero, heap_setup, heap_teardown),
	    cmocka_unit_test_setup_teardown(test_heap_grows, heap_setup, heap_teardown),
	    cmocka_unit_test_setup_teardown(test_heap_foreign_free, heap_setup, heap_teardown),
	    cmocka_unit_test_setup_teardown(test_heap_threads, heap_setup, heap_teardown),
	    cmocka_unit_test(test_lcore_launch),
	    cmocka_unit_test(test_lcore_map_shared_cpu),
	    cmocka_unit_test(test_lcore_bad_cpu),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_eal_init_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
