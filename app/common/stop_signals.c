/* SPDX-License-Identifier: BSD-3-Clause */
#include "stop_signals.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void rf_stop_signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

bool rf_stop_signal_pending(const sigset_t *set)
{
	sigset_t pending;

	if (sigpending(&pending) != 0)
		return false;
	return (sigismember(set, SIGINT) && sigismember(&pending, SIGINT)) ||
	       (sigismember(set, SIGTERM) && sigismember(&pending, SIGTERM));
}

int rf_stop_signal_wait(const sigset_t *set, uint64_t timeout_ns)
{
	int sig;

	if (timeout_ns == UINT64_MAX) {
		sig = sigwaitinfo(set, NULL);
	} else {
		struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
				      .tv_nsec = (long)(timeout_ns % 1000000000u)};
		sig = sigtimedwait(set, NULL, &ts);
	}
	return sig == SIGINT || sig == SIGTERM ? sig : 0;
}

/* Written by the handler: built before it is installed, read-only after. */
static char note_int[96], note_term[96];
static size_t note_int_len, note_term_len;

/* Async-signal-safe: one write(2), errno kept for the code it interrupted. */
static void note_again(int sig)
{
	int saved = errno;
	const char *m = sig == SIGINT ? note_int : note_term;
	size_t len = sig == SIGINT ? note_int_len : note_term_len;

	if (write(STDERR_FILENO, m, len) < 0) {
		/* Nothing else to do from a handler: stderr is gone. */
	}
	errno = saved;
}

void rf_stop_signals_stopping(const sigset_t *set, const char *prog)
{
	struct sigaction sa;

	snprintf(note_int, sizeof(note_int),
		 "%s: SIGINT again: already stopping; the final report follows\n", prog);
	snprintf(note_term, sizeof(note_term),
		 "%s: SIGTERM again: already stopping; the final report follows\n", prog);
	note_int_len = strlen(note_int);
	note_term_len = strlen(note_term);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_again;
	/* Restart what it interrupts: the report's writes must not fail with EINTR. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_UNBLOCK, set, NULL);
}
