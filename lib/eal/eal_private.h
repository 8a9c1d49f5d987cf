/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared between the EAL's own .c files; not installed, not for other layers.
 */
#ifndef RF_EAL_PRIVATE_H
#define RF_EAL_PRIVATE_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The CPUs this process may run on: the affinity the process had before
 * rf_lcore_init pinned the calling thread (so it stays right while lcores are
 * up). 0 or -errno.
 */
int rf_eal_allowed_cpus(cpu_set_t *set);

/*
 * The first lcore in set (of max) whose CPU, cpu[lcore], this process may not
 * run on, with the usable CPUs written to cpus as a list ("0-1"); -1 when
 * every one is usable or the affinity cannot be read.
 */
int rf_eal_lcore_unusable(const bool *set, const unsigned *cpu, unsigned max, char *cpus,
			  size_t len);

/* True when libnuma works and the machine has more than one node. */
bool rf_eal_numa_multi_node(void);

#endif /* RF_EAL_PRIVATE_H */
