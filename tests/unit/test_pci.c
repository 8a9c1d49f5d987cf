/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/pci without a device: the sysfs scan against a tree this test builds,
 * the helpers, and what rf_eal_init makes of -a/-b/--no-pci/--iova-mode with
 * that tree (which devices are chosen, which IOVA mode, which refusals). No
 * root, no hugepages: every EAL here runs --no-huge.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_sysfs.h"
#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_ethdev_pci.h"
#include "rf_pci.h"

static char root[PATH_MAX];

/*
 * 00:02.0 virtio-net behind vfio-pci (group 7), 00:03.0 e1000 on its kernel
 * driver, 00:05.0 e1000e with no driver, 00:06.0 e1000 on uio_pci_generic.
 * Created out of order: the scan sorts.
 */
static const struct fake_pci_dev devs[] = {
    {"0000:00:06.0",
     0x8086,
     0x100e,
     0x020000,
     -1,
     "uio_pci_generic",
     -1,
     {{0xfeb80000, 0x20000, 0}, {0xc040, 0x40, 1}}},
    {"0000:00:03.0",
     0x8086,
     0x100e,
     0x020000,
     -1,
     "e1000",
     -1,
     {{0xfebc0000, 0x20000, 0}, {0xc000, 0x40, 1}}},
    {"0000:00:02.0",
     0x1af4,
     0x1000,
     0x020000,
     0,
     "vfio-pci",
     7,
     {{0xc080, 0x20, 1}, {0xfebd1000, 0x1000, 0}, {0}, {0}, {0xfe000000, 0x4000, 0}}},
    {"0000:00:05.0", 0x8086, 0x10d3, 0x020000, -1, NULL, -1, {{0xfeb00000, 0x20000, 0}}},
};

static int setup(void **state)
{
	(void)state;
	if (fake_sysfs_root(root, sizeof(root), "pci-unit") != 0)
		return -1;
	for (size_t i = 0; i < RF_DIM(devs); i++)
		if (fake_pci_add(root, &devs[i]) != 0)
			return -1;
	/* Not a device: ignored. */
	if (fake_write(root, "not-a-device", "x") != 0)
		return -1;
	rf_pci_set_sysfs_dir(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rf_pci_set_sysfs_dir(NULL);
	fake_sysfs_remove(root);
	return 0;
}

static void test_scan(void **state)
{
	struct rf_pci_device *list, *d;
	const char *order[] = {"0000:00:02.0", "0000:00:03.0", "0000:00:05.0", "0000:00:06.0"};
	unsigned i = 0;

	(void)state;
	assert_int_equal(rf_pci_scan_dir(root, &list), 4);
	for (d = list; d != NULL; d = d->next)
		assert_string_equal(d->name, order[i++]);

	d = list; /* 00:02.0 */
	assert_int_equal(d->id.vendor_id, 0x1af4);
	assert_int_equal(d->id.device_id, 0x1000);
	assert_int_equal(d->class_id, 0x020000);
	assert_int_equal(d->numa_node, 0);
	assert_string_equal(d->driver, "vfio-pci");
	assert_int_equal(d->iommu_group, 7);
	assert_int_equal(d->access, RF_PCI_ACCESS_VFIO);
	assert_true(d->bar[0].io);
	assert_int_equal(d->bar[0].phys, 0xc080);
	assert_int_equal(d->bar[0].len, 0x20);
	assert_false(d->bar[1].io);
	assert_int_equal(d->bar[1].len, 0x1000);
	assert_int_equal(d->bar[2].len, 0);
	assert_int_equal(d->bar[4].phys, 0xfe000000);
	assert_int_equal(d->bar[4].len, 0x4000);
	assert_false(d->is_open);

	d = d->next; /* 00:03.0 */
	assert_string_equal(d->driver, "e1000");
	assert_int_equal(d->access, RF_PCI_ACCESS_KERNEL);
	assert_int_equal(d->iommu_group, -1);
	assert_int_equal(d->numa_node, -1);
	assert_int_equal(d->bar[0].len, 0x20000);

	d = d->next; /* 00:05.0 */
	assert_string_equal(d->driver, "");
	assert_int_equal(d->access, RF_PCI_ACCESS_NONE);
	assert_int_equal(d->id.device_id, 0x10d3);

	d = d->next; /* 00:06.0 */
	assert_int_equal(d->access, RF_PCI_ACCESS_UIO);
	rf_pci_list_free(list);

	assert_int_equal(rf_pci_scan_dir("/nonexistent-pci-dir", &list), -ENOENT);
	assert_null(list);
}

static void test_helpers(void **state)
{
	static const struct rf_pci_id ids[] = {{0x8086, 0x100e}, {0x1af4, RF_PCI_ANY_ID}, {0}};
	struct rf_pci_device d = {.id = {0x8086, 0x100e}};
	enum rf_pci_access a;

	(void)state;
	assert_int_equal(rf_pci_access_of_driver("vfio-pci"), RF_PCI_ACCESS_VFIO);
	assert_int_equal(rf_pci_access_of_driver("uio_pci_generic"), RF_PCI_ACCESS_UIO);
	assert_int_equal(rf_pci_access_of_driver(""), RF_PCI_ACCESS_NONE);
	assert_int_equal(rf_pci_access_of_driver("virtio-pci"), RF_PCI_ACCESS_KERNEL);
	assert_string_equal(rf_pci_access_name(RF_PCI_ACCESS_SYSFS), "sysfs");

	assert_int_equal(rf_pci_devargs_access(NULL, &a), 0);
	assert_int_equal(a, RF_PCI_ACCESS_KERNEL);
	assert_int_equal(rf_pci_devargs_access("queues=2,pci_access=sysfs", &a), 0);
	assert_int_equal(a, RF_PCI_ACCESS_SYSFS);
	assert_int_equal(rf_pci_devargs_access("pci_access=vfio,x=1", &a), 0);
	assert_int_equal(a, RF_PCI_ACCESS_VFIO);
	assert_int_equal(rf_pci_devargs_access("pci_access=sysfsx", &a), -EINVAL);
	assert_int_equal(rf_pci_devargs_access("pci_access=", &a), -EINVAL);

	assert_true(rf_pci_id_match(ids, &d));
	d.id.device_id = 0x10d3;
	assert_false(rf_pci_id_match(ids, &d));
	d.id = (struct rf_pci_id){0x1af4, 0x1041};
	assert_true(rf_pci_id_match(ids, &d));
	assert_false(rf_pci_id_match(NULL, &d));
}

/*
 * rf_eal_init with these arguments after "prog --no-huge -l 0 -m 16 --log-level crit".
 * Cases refused before memory is set up may drop --no-huge: mem_flag.
 */
static char *mem_flag = "--no-huge";

static int eal_with(const char *first, ...)
{
	char *argv[24] = {"prog", mem_flag, "-l", "0", "-m", "16", "--log-level", "crit"};
	int argc = 8;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a != NULL && argc < 23; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	return rf_eal_init(argc, argv);
}

static struct rf_pci_device *dev_named(const char *bdf)
{
	struct rf_pci_addr a;

	if (rf_pci_addr_parse(bdf, &a) != 0)
		return NULL;
	return rf_pci_device_find(&a);
}

/* With no -a, the user-space-bound devices are chosen; a uio one makes it PA. */
static void test_eal_default_choice(void **state)
{
	(void)state;
	/* 00:06.0 on uio_pci_generic needs pa, and pa needs hugepages: refused. */
	assert_int_equal(eal_with(NULL), -EINVAL);
	assert_null(rf_pci_devices());
	/* Blocking it leaves the vfio device alone: va. */
	assert_true(eal_with("-b", "00:06.0", NULL) >= 0);
	assert_int_equal(rf_eal_config_get()->mem.iova_mode, RF_IOVA_VA);
	assert_true(dev_named("00:02.0")->selected);
	assert_false(dev_named("00:03.0")->selected);
	assert_false(dev_named("00:05.0")->selected);
	assert_false(dev_named("00:06.0")->selected);
	rf_eal_cleanup();
	assert_null(rf_pci_devices());
	/* --no-pci: no scan at all. */
	assert_true(eal_with("--no-pci", NULL) >= 0);
	assert_null(rf_pci_devices());
	assert_int_equal(rf_eal_config_get()->mem.iova_mode, RF_IOVA_VA);
	rf_eal_cleanup();
}

static void test_eal_allow(void **state)
{
	(void)state;
	assert_true(eal_with("-a", "0000:00:02.0,queues=2", NULL) >= 0);
	assert_true(dev_named("00:02.0")->selected);
	assert_true(dev_named("00:02.0")->allowed);
	assert_string_equal(dev_named("00:02.0")->devargs, "queues=2");
	/* -a names the only device to probe, even one on uio elsewhere. */
	assert_false(dev_named("00:06.0")->selected);
	assert_int_equal(rf_eal_config_get()->mem.iova_mode, RF_IOVA_VA);
	rf_eal_cleanup();
}

/* Each one line, and rf_eal_init fails, so the application exits 2 with nothing set up. */
static void test_eal_allow_refused(void **state)
{
	(void)state;
	assert_int_equal(eal_with("-a", "0000:00:09.0", NULL), -ENODEV); /* no such device */
	assert_int_equal(eal_with("-a", "00:03.0", NULL), -EBUSY);	 /* kernel driver */
	assert_int_equal(eal_with("-a", "00:05.0", NULL), -ENODEV);	 /* no driver, not asked */
	assert_int_equal(eal_with("-a", "00:05.0,pci_access=sysfs", NULL),
			 -EINVAL); /* pa with --no-huge */
	assert_int_equal(eal_with("-a", "00:02.0,pci_access=uio", NULL), -EINVAL);
	assert_int_equal(eal_with("-a", "00:02.0,pci_access=x", NULL), -EINVAL);
	/* An explicit mode the device can't use (refused at the scan, before any memory). */
	mem_flag = "-l0";
	assert_int_equal(eal_with("-a", "00:02.0", "--iova-mode", "pa", NULL), -EINVAL);
	mem_flag = "--no-huge";
	assert_int_equal(eal_with("-a", "00:05.0,pci_access=sysfs", "--iova-mode", "va", NULL),
			 -EINVAL);
	assert_int_equal(eal_with("-a", "00:03.0x", NULL), -EINVAL); /* malformed */
	assert_null(rf_pci_devices());
}

/* A driver for 1af4:1000 whose probe is never reached on this host. */
static int probes;

static int fake_probe(struct rf_pci_device *pdev, const struct rf_devargs *args,
		      struct rf_eth_dev **out, char *err, size_t errlen)
{
	(void)pdev;
	(void)args;
	(void)out;
	(void)err;
	(void)errlen;
	probes++;
	return -ENOTSUP;
}

static const struct rf_pci_id fake_ids[] = {{0x1af4, 0x1000}, {0}};
static const char *const fake_keys[] = {"queues", NULL};
static const struct rf_eth_pci_driver fake_drv = {
    .drv = {.name = "net_fake_pci", .valid_keys = fake_keys},
    .id_table = fake_ids,
    .probe = fake_probe,
};
RF_ETH_PCI_DRIVER_REGISTER(fake_drv)

/*
 * The fake tree says vfio-pci, but this host has no /dev/vfio: opening fails
 * with one line naming the file, probe is not reached and no port is made.
 * An unknown key is refused before any opening.
 */
static void test_probe_refused(void **state)
{
	char err[256] = "";

	(void)state;
	assert_true(eal_with("-a", "0000:00:02.0,bogus=1", NULL) >= 0);
	assert_int_equal(rf_eth_dev_probe_eal(err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key 'bogus'"));
	rf_eal_cleanup();

	assert_true(eal_with("-a", "0000:00:02.0,queues=2", NULL) >= 0);
	if (access("/dev/vfio/vfio", F_OK) == 0) {
		rf_eal_cleanup();
		skip(); /* a machine with VFIO: the guest tests cover it */
	}
	assert_true(rf_eth_dev_probe_eal(err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/dev/vfio/vfio"));
	assert_int_equal(probes, 0);
	assert_int_equal(rf_eth_dev_count_avail(), 0);
	assert_false(dev_named("00:02.0")->is_open);
	rf_eal_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scan),
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_eal_default_choice),
	    cmocka_unit_test(test_eal_allow),
	    cmocka_unit_test(test_eal_allow_refused),
	    cmocka_unit_test(test_probe_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
