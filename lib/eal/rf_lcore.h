/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcores: one thread per listed CPU, pinned with pthread_setaffinity_np. The
 * main lcore is the thread that called rf_eal_init(); each worker waits for a
 * function to run (rf_lcore_launch) and reports its return (rf_lcore_wait).
 */
#ifndef RF_LCORE_H
#define RF_LCORE_H

#include <stdbool.h>

#include "rf_common.h"

#define RF_LCORE_ID_ANY UINT32_MAX

typedef int (*rf_lcore_fn)(void *arg);

/*
 * Parse a DPDK-style list "0-3,5,7" into set[] (set[i] = true for each CPU i,
 * i < max). Returns the number of CPUs listed, or -EINVAL for a malformed list
 * (empty, bad range, reversed range, a number >= max, trailing garbage).
 */
int rf_lcore_parse_list(const char *s, bool *set, unsigned max);
/*
 * The same list, where an element may also say which CPU its lcores run on,
 * as DPDK's --lcores does: "0@0,1-2@1" is lcore 0 on CPU 0 and lcores 1 and 2
 * both on CPU 1 (useful for functional tests with more lcores than CPUs).
 * cpu[i] is set for every i < max (i itself where no "@" applies).
 */
int rf_lcore_parse_map(const char *s, bool *set, unsigned *cpu, unsigned max);

/*
 * Create and pin one worker thread per listed lcore other than main_lcore, and
 * pin the calling thread to main_lcore. 0 or -errno (-EINVAL if main_lcore is
 * not in the list or a CPU does not exist on this machine).
 */
int rf_lcore_init(const bool *set, unsigned max, unsigned main_lcore);
/* As rf_lcore_init, with lcore i pinned to CPU cpu_of[i] (NULL: CPU i). */
int rf_lcore_init_map(const bool *set, const unsigned *cpu_of, unsigned max, unsigned main_lcore);
void rf_lcore_fini(void);

/* Set once per thread by the EAL; read through rf_lcore_id(). */
extern _Thread_local unsigned rf_lcore_this_id;

/*
 * The calling thread's lcore id, or RF_LCORE_ID_ANY for a thread the EAL did
 * not make. Inline: the mempool reads it on every get and put.
 */
static inline unsigned rf_lcore_id(void)
{
	return rf_lcore_this_id;
}
unsigned rf_lcore_main(void);
unsigned rf_lcore_count(void); /* enabled lcores, main included */
bool rf_lcore_is_enabled(unsigned lcore);
/* Next enabled lcore after i (skipping main if skip_main), or RF_MAX_LCORE when none. */
unsigned rf_lcore_next(unsigned i, bool skip_main);
int rf_lcore_to_socket(unsigned lcore);

#define RF_LCORE_FOREACH_WORKER(i)                                                                 \
	for ((i) = rf_lcore_next(UINT32_MAX, true); (i) < RF_MAX_LCORE;                            \
	     (i) = rf_lcore_next((i), true))

/* Run fn(arg) on a waiting worker. 0, -EBUSY if it is running something, -EINVAL. */
int rf_lcore_launch(unsigned lcore, rf_lcore_fn fn, void *arg);
/* Wait for the worker to finish; returns what fn returned (or -EINVAL). */
int rf_lcore_wait(unsigned lcore);
void rf_lcore_wait_all(void);

#endif /* RF_LCORE_H */
