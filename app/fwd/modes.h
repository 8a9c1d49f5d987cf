/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forwarding modes, one struct each, defined in the mode_*.c files and
 * listed in the table in modes.c. Private to app/fwd and its tests.
 */
#ifndef RF_FWD_MODES_H
#define RF_FWD_MODES_H

#include <stdatomic.h>

#include "fwd_mode.h"

extern const struct rf_fwd_mode rf_fwd_mode_io;
extern const struct rf_fwd_mode rf_fwd_mode_mac;
extern const struct rf_fwd_mode rf_fwd_mode_macswap;
extern const struct rf_fwd_mode rf_fwd_mode_5tswap;
extern const struct rf_fwd_mode rf_fwd_mode_rxonly;
extern const struct rf_fwd_mode rf_fwd_mode_txonly;
extern const struct rf_fwd_mode rf_fwd_mode_flowgen;
extern const struct rf_fwd_mode rf_fwd_mode_icmpecho;
extern const struct rf_fwd_mode rf_fwd_mode_csum;

/*
 * Add to a stream counter (dropped, bad_*_csum). The polling lcore is its only
 * writer and the main lcore reads it while forwarding runs, both as relaxed
 * atomics, as the engine's rf_fwd_ctr_add/rf_fwd_ctr_read do: the reader never
 * sees a torn value, and a total needs no ordering. Modes add once per burst.
 */
static inline void rf_fwd_mode_ctr_add(uint64_t *c, uint64_t v)
{
	uint64_t old = atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);

	atomic_store_explicit((_Atomic uint64_t *)c, old + v, memory_order_relaxed);
}

#endif /* RF_FWD_MODES_H */
