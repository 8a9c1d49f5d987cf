/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A /sys/bus/pci/devices tree in a temporary directory, laid out as the
 * kernel lays it out (Documentation/ABI/testing/sysfs-bus-pci): one directory
 * per device with vendor, device, class, numa_node, resource, resourceN,
 * config, and the driver and iommu_group links. resourceN and config are
 * plain files, so mapping a BAR or writing the command register can be
 * checked by reading the file back.
 */
#ifndef RF_FAKE_SYSFS_H
#define RF_FAKE_SYSFS_H

#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fake_bar {
	uint64_t start, len;
	int io; /* 1: port I/O, else memory */
};

struct fake_pci_dev {
	const char *bdf;
	uint16_t vendor, device;
	uint32_t class_id;
	int numa;	    /* -1: none */
	const char *driver; /* NULL: none */
	int group;	    /* -1: none */
	struct fake_bar bar[6];
};

static inline int fake_write(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* A fresh root: mkdtemp under /tmp, named for the test. Returns 0 or -1. */
static inline int fake_sysfs_root(char *root, size_t len, const char *who)
{
	snprintf(root, len, "/tmp/%s-sysfs-XXXXXX", who);
	return mkdtemp(root) != NULL ? 0 : -1;
}

static inline int fake_pci_add(const char *root, const struct fake_pci_dev *d)
{
	char dir[PATH_MAX], text[1024], path[PATH_MAX + 32];
	unsigned char config[256] = {0};
	size_t used = 0;
	FILE *f;

	if (snprintf(dir, sizeof(dir), "%s/%s", root, d->bdf) >= (int)sizeof(dir))
		return -1;
	if (mkdir(dir, 0755) != 0)
		return -1;
	snprintf(text, sizeof(text), "0x%04x\n", d->vendor);
	fake_write(dir, "vendor", text);
	fake_write(dir, "subsystem_vendor", text);
	snprintf(text, sizeof(text), "0x%04x\n", d->device);
	fake_write(dir, "device", text);
	fake_write(dir, "subsystem_device", "0x0001\n");
	snprintf(text, sizeof(text), "0x%06x\n", d->class_id);
	fake_write(dir, "class", text);
	snprintf(text, sizeof(text), "%d\n", d->numa);
	fake_write(dir, "numa_node", text);
	/* Six BARs, then the ROM and bridge windows, all "start end flags". */
	for (unsigned i = 0; i < 13; i++) {
		const struct fake_bar *b = i < 6 ? &d->bar[i] : NULL;

		if (b != NULL && b->len != 0)
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 "0x%016llx 0x%016llx 0x%016llx\n",
						 (unsigned long long)b->start,
						 (unsigned long long)(b->start + b->len - 1),
						 b->io ? 0x40101ULL : 0x40200ULL);
		else
			used +=
			    (size_t)snprintf(text + used, sizeof(text) - used,
					     "0x%016llx 0x%016llx 0x%016llx\n", 0ULL, 0ULL, 0ULL);
		if (b != NULL && b->len != 0) {
			if (snprintf(path, sizeof(path), "%s/resource%u", dir, i) >=
			    (int)sizeof(path))
				return -1;
			f = fopen(path, "w");
			if (f == NULL || ftruncate(fileno(f), (off_t)b->len) != 0)
				return -1;
			fclose(f);
		}
	}
	fake_write(dir, "resource", text);
	memcpy(config, &d->vendor, 2);
	memcpy(config + 2, &d->device, 2);
	if (snprintf(path, sizeof(path), "%s/config", dir) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (f == NULL || fwrite(config, 1, sizeof(config), f) != sizeof(config))
		return -1;
	fclose(f);
	if (d->driver != NULL) {
		snprintf(text, sizeof(text), "../../../bus/pci/drivers/%s", d->driver);
		if (snprintf(path, sizeof(path), "%s/driver", dir) >= (int)sizeof(path))
			return -1;
		if (symlink(text, path) != 0)
			return -1;
	}
	if (d->group >= 0) {
		snprintf(text, sizeof(text), "../../../kernel/iommu_groups/%d", d->group);
		if (snprintf(path, sizeof(path), "%s/iommu_group", dir) >= (int)sizeof(path))
			return -1;
		if (symlink(text, path) != 0)
			return -1;
	}
	return 0;
}

/* The 16-bit command register (offset 4) as the config file holds it now. */
static inline int fake_pci_command(const char *root, const char *bdf)
{
	char path[PATH_MAX];
	uint16_t cmd;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s/config", root, bdf) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fseek(f, 4, SEEK_SET) != 0 || fread(&cmd, 1, 2, f) != 2)
		cmd = 0xffff;
	fclose(f);
	return cmd;
}

static inline int fake_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fake_sysfs_remove(const char *root)
{
	nftw(root, fake_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif /* RF_FAKE_SYSFS_H */
