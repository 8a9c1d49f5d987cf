/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stop signals for the front ends (ringfwd, ringfwd-replay).
 *
 * SIGINT and SIGTERM are blocked from start-up on, before any thread is
 * created, so every thread inherits the mask and none is ever interrupted
 * by them. The main thread takes them with sigtimedwait when it is ready:
 * no handler, no flag to race with. A signal that comes during start-up stays
 * pending, and start-up steps that wait (for a link) ask
 * rf_stop_signal_pending() so that they can give up at once.
 *
 * Once the front end has begun to stop, rf_stop_signals_stopping() unblocks
 * them in the main thread with a handler that only writes "already
 * stopping": a second Ctrl-C, or the second copy that `timeout -s INT` sends
 * to the process group, can no longer cut the final report short.
 */
#ifndef RF_STOP_SIGNALS_H
#define RF_STOP_SIGNALS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Block SIGINT and SIGTERM in the calling thread (and those it creates); fills set with them. */
void rf_stop_signals_block(sigset_t *set);

/* Is a stop signal pending? Leaves it pending. */
bool rf_stop_signal_pending(const sigset_t *set);

/*
 * Take a stop signal, waiting at most timeout_ns (UINT64_MAX: for ever).
 * Returns SIGINT or SIGTERM, or 0 when none came in time.
 */
int rf_stop_signal_wait(const sigset_t *set, uint64_t timeout_ns);

/*
 * Shutdown has begun: from now on a stop signal to this process only writes
 * "<prog>: SIGINT again: already stopping" on stderr. Call it from the main
 * thread; the other threads keep the signals blocked.
 */
void rf_stop_signals_stopping(const sigset_t *set, const char *prog);

#endif /* RF_STOP_SIGNALS_H */
