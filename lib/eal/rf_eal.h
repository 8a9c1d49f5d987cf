/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The environment: parses the EAL options every ringfwd binary shares, then
 * brings up time, logging, memory and lcores.
 *
 *   -l, --lcores LIST     lcores to use, "0-3,5"            (default: the first two CPUs this
 *                                                           process may use, 0 and 1 normally)
 *   --main-lcore N        the lcore that runs main()       (default: first in the list)
 *   -m MB                 memory to reserve at start-up     (default: 256)
 *   --no-huge             plain memfd, 4 KB pages
 *   --huge-dir DIR        the hugetlbfs mount to use
 *   --file-prefix NAME    names our memory files            (default: "rf")
 *   --iova-mode va|pa     how devices address our memory    (default: va when every PCI
 *                                                           device is behind an IOMMU, else pa)
 *   --vdev DEVARGS        a virtual device, repeatable
 *   -a, --allow BDF[,ARGS] probe only these PCI devices, repeatable
 *   -b, --block BDF       never probe this PCI device, repeatable
 *   --no-pci              do not scan the PCI bus
 *   --log-level LEVEL     err, warning, notice, info, debug (default: notice)
 *   --no-telemetry        no telemetry socket (the front ends serve one by default)
 */
#ifndef RF_EAL_H
#define RF_EAL_H

#include <stdio.h>

#include "rf_common.h"
#include "rf_log.h"
#include "rf_memseg.h"
#include "rf_lcore.h"
#include "rf_pci_addr.h"
#include "rf_time.h"

#define RF_EAL_MAX_VDEV 32
#define RF_EAL_MAX_PCI	32

/* One -a or -b: the device, and for -a what follows its first ',' (devargs). */
struct rf_eal_pci_arg {
	struct rf_pci_addr addr;
	const char *devargs; /* points into argv; NULL when none */
};

struct rf_eal_config {
	bool lcores[RF_MAX_LCORE];
	unsigned lcore_cpu[RF_MAX_LCORE]; /* CPU of each lcore (-l "1@0" form); default: itself */
	unsigned main_lcore;
	struct rf_mem_config mem;
	const char *vdevs[RF_EAL_MAX_VDEV]; /* point into argv */
	unsigned nb_vdevs;
	enum rf_log_level log_level; /* --log-level */
	struct rf_eal_pci_arg allow[RF_EAL_MAX_PCI]; /* -a/--allow */
	unsigned nb_allow;
	struct rf_eal_pci_arg block[RF_EAL_MAX_PCI]; /* -b/--block */
	unsigned nb_block;
	bool no_pci; /* --no-pci */
	/* mem.iova_mode as given: RF_IOVA_DC when --iova-mode was not; rf_eal_init then chooses. */
	enum rf_iova_mode iova_asked;
	bool no_telemetry; /* --no-telemetry */
};

/*
 * A bus (PCI) plugs into the EAL the way DPDK's buses do: it registers itself
 * from a constructor, the EAL has it scan before memory exists (the devices
 * decide the IOVA mode) and closes its devices before memory goes away.
 */
struct rf_eal_bus {
	const char *name;
	/* Find the devices and choose those to probe. 0 or -errno with one line logged. */
	int (*scan)(const struct rf_eal_config *cfg);
	/*
	 * The IOVA mode the chosen devices need, RF_IOVA_DC if any will do; why
	 * gets the device that decided and its binding ("0000:00:03.0 is bound
	 * to uio_pci_generic, which has no IOMMU").
	 */
	enum rf_iova_mode (*iova_mode)(char *why, size_t len);
	/* Reset and close every device, forget the scan. */
	void (*cleanup)(void);
};

/* From a constructor; at most 4 buses. */
void rf_eal_bus_register(const struct rf_eal_bus *bus);

/*
 * Parse EAL options from argv up to "--" (or the end), then initialise.
 * Returns the number of arguments consumed (so the caller continues at
 * argv[ret], which is "--" if there was one), or -errno. On error a message
 * naming the option and its value has been logged. Unknown options are
 * -EINVAL. May be called once per process.
 */
int rf_eal_init(int argc, char **argv);
/*
 * Parse only, no side effects: for --help and for tests. Same return as above.
 * An -l/--lcores list naming a CPU this process may not run on is -EINVAL here.
 */
int rf_eal_parse_args(int argc, char **argv, struct rf_eal_config *cfg);
/* Undo rf_eal_init: stop workers, unmap memory. */
void rf_eal_cleanup(void);
const struct rf_eal_config *rf_eal_config_get(void);
/* The EAL options, with their defaults, as --help text. */
void rf_eal_usage(FILE *out);

#endif /* RF_EAL_H */
