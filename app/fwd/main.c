/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd: forward packets between ports, testpmd-style.
 *
 *   ringfwd [EAL options] -- [options]        (ringfwd --help lists them all)
 *
 * main() is the table of contents: options, environment, ports, run, report.
 * Exit status: 0 after a clean stop; 2 when start-up is refused: a bad option
 * or value, or an environment that does not fit it (no memory, a socket path
 * that is missing, taken or forbidden, an lcore without a CPU, more queues
 * than a device has, a capture that cannot be read). That is told in one line
 * on stderr saying what and what to do, and everything set up so far is given
 * back first (ports closed, our sockets removed, memory unmapped). 1 when
 * forwarding, the shell or the final report fails.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "options.h"
#include "prom.h"
#include "rf_eal.h"
#include "stats.h"
#include "rf_telemetry.h"
#include "stop_signals.h"
#include "version.h"
#include "telemetry.h"
#if RF_FWD_HAVE_SHELL
#include "shell.h"
#endif

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static char err[512];

/* --help / -h anywhere, before or after "--": answered before anything needs root. */
static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

/*
 * testpmd takes -i before the "--" too; the EAL does not know it. Move it
 * (and --interactive) after the "--", adding one if there is none, so both
 * parsers see only their own options. args holds argc + 2 pointers.
 */
static int move_interactive(int argc, char **argv, char **args)
{
	static char dashdash[] = "--", dash_i[] = "-i";
	int n = 0, i = 0;
	bool moved = false;

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (i > 0 && (strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "--interactive") == 0))
			moved = true;
		else
			args[n++] = argv[i];
	}
	args[n++] = dashdash;
	if (moved)
		args[n++] = dash_i;
	for (i++; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	return n;
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "ringfwd: %s\n", msg);
	return EXIT_USAGE;
}

/* For the engine's wait for links: give up when the user asks to stop. */
static bool stop_pending(void *arg)
{
	return rf_stop_signal_pending(arg);
}

/* --stats-prom each period: a failure is said on stderr, and forwarding goes on. */
static void write_prom(const struct rf_fwd_engine *e, const struct rf_fwd_snapshot *s)
{
	char msg[512];

	if (e->opt->stats_prom != NULL &&
	    rf_fwd_stats_write_prom(e->opt->stats_prom, e, s, msg, sizeof(msg)) != 0)
		fprintf(stderr, "ringfwd: %s\n", msg);
}

/*
 * The main lcore does not forward and does not spin: it sleeps in
 * sigtimedwait until a stop signal, waking every --stats-period seconds to
 * print a line per port.
 */
static int run_until_signal(struct rf_fwd_engine *e, const sigset_t *stop)
{
	unsigned period = e->opt->stats_period;
	struct rf_fwd_snapshot prev, cur;
	uint64_t next_ns = 0;
	int sig;

	if (period != 0) {
		int a = rf_fwd_snapshot_init(&prev, e), b = rf_fwd_snapshot_init(&cur, e);

		if (a != 0 || b != 0) {
			/* No room for two snapshots: forward anyway, report only at the end. */
			rf_fwd_snapshot_fini(&prev);
			rf_fwd_snapshot_fini(&cur);
			period = 0;
		} else {
			rf_fwd_snapshot_take(&prev, e);
			rf_fwd_stats_print_header(stdout);
			next_ns = rf_time_mono_ns() + (uint64_t)period * 1000000000u;
		}
	}
	fflush(stdout);
	for (;;) {
		if (period == 0) {
			sig = rf_stop_signal_wait(stop, UINT64_MAX);
		} else {
			uint64_t now = rf_time_mono_ns();

			if (now >= next_ns) {
				rf_fwd_snapshot_take(&cur, e);
				rf_fwd_stats_print_period(stdout, e, &prev, &cur);
				write_prom(e, &cur);
				struct rf_fwd_snapshot t = prev;
				prev = cur;
				cur = t;
				next_ns = now + (uint64_t)period * 1000000000u;
				continue;
			}
			sig = rf_stop_signal_wait(stop, next_ns - now);
		}
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	if (period != 0) {
		rf_fwd_snapshot_fini(&prev);
		rf_fwd_snapshot_fini(&cur);
	}
	printf("ringfwd: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	fflush(stdout); /* before any "already stopping" on stderr */
	return sig;
}

/* Start the lcores, sleep until a stop signal, stop them. 0 or -errno with err. */
static int run_forwarding(struct rf_fwd_engine *e, const sigset_t *stop)
{
	/* Telemetry handlers read the engine's state: not while it changes. */
	rf_tel_lock();
	int rc = rf_fwd_engine_start(e, err, sizeof(err));
	rf_tel_unlock();

	if (rc != 0)
		return rc;
	run_until_signal(e, stop);
	rf_tel_lock();
	rf_fwd_engine_stop(e);
	rf_tel_unlock();
	return 0;
}

#if RF_FWD_HAVE_SHELL
static int run_shell(struct rf_fwd_engine *e)
{
	return rf_fwd_shell_run(e, err, sizeof(err));
}
#else
/* Not reached: -i is refused with the options when there is no shell. */
static int run_shell(struct rf_fwd_engine *e)
{
	(void)e;
	snprintf(err, sizeof(err), "-i/--interactive: the interactive shell is not built yet");
	return -ENOTSUP;
}
#endif

/* Final numbers: snapshot while the ports exist, close them (every mbuf home), print. */
static int report(struct rf_fwd_engine *e)
{
	struct rf_fwd_snapshot s;
	int status = EXIT_OK;

	if (rf_fwd_snapshot_init(&s, e) != 0) {
		fprintf(stderr, "ringfwd: out of memory for the final statistics\n");
		rf_fwd_engine_close(e);
		return EXIT_FAIL;
	}
	rf_fwd_snapshot_take(&s, e);
	unsigned leaked = rf_fwd_engine_close(e);
	rf_fwd_stats_print_final(stdout, e, &s, leaked);
	if (leaked != 0)
		fprintf(stderr, "ringfwd: %u mbufs did not come back to their pool\n", leaked);
	if (e->opt->stats_json != NULL &&
	    rf_fwd_stats_write_json(e->opt->stats_json, e, &s, leaked, err, sizeof(err)) != 0) {
		fprintf(stderr, "ringfwd: %s\n", err);
		status = EXIT_FAIL;
	}
	if (e->opt->stats_prom != NULL &&
	    rf_fwd_stats_write_prom(e->opt->stats_prom, e, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "ringfwd: %s\n", err);
		status = EXIT_FAIL;
	}
	rf_fwd_snapshot_fini(&s);
	return status;
}

/* Start-up failed after the EAL came up: give everything back, then exit. */
static int fail_after_eal(struct rf_fwd_engine *e, int status)
{
	fprintf(stderr, "ringfwd: %s\n", err);
	rf_fwd_telemetry_stop();
	rf_fwd_engine_stop(e);
	rf_fwd_engine_close(e);
	rf_fwd_engine_free(e);
	rf_eal_cleanup();
	return status;
}

int main(int argc, char **argv)
{
	static struct rf_eal_config eal;
	static struct rf_fwd_options opt;
	static struct rf_fwd_engine engine;
	sigset_t stop;
	int rc, status;

	/* 1. Options: all checked before anything is set up. */
	if (rf_app_wants_version(argc, argv)) {
		rf_app_print_version(stdout, "ringfwd");
		return EXIT_OK;
	}
	if (wants_help(argc, argv)) {
		rf_fwd_options_usage(stdout);
		return EXIT_OK;
	}
	/* Static: the EAL may keep pointers into it until exit. */
	static char **args;
	args = calloc((size_t)argc + 2, sizeof(*args));
	if (args == NULL)
		return usage_error("out of memory for the arguments");
	argc = move_interactive(argc, argv, args);
	argv = args;
	int dashdash = rf_eal_parse_args(argc, argv, &eal);
	if (dashdash < 0)
		return EXIT_USAGE; /* the EAL said which option, in one line */
	int app_first = dashdash < argc ? dashdash + 1 : argc;
	if (rf_fwd_options_parse(argc - app_first, argv + app_first, &opt, err, sizeof(err)) != 0)
		return usage_error(err);
	if (rf_fwd_options_check_lcores(&opt, &eal, err, sizeof(err)) != 0)
		return usage_error(err);
#if !RF_FWD_HAVE_SHELL
	if (opt.interactive)
		return usage_error("-i/--interactive: the interactive shell is not built yet; "
				   "run without -i and forwarding starts at once");
#endif

	/*
	 * 2. Environment: memory, lcores (they inherit the blocked stop
	 * signals, stop_signals.h). A signal during start-up stays pending:
	 * forwarding then stops as soon as it has started.
	 */
	rf_stop_signals_block(&stop);
	rc = rf_eal_init(argc, argv);
	if (rc < 0)
		return EXIT_USAGE; /* the EAL said what, and what to do, in one line */

	/* 3. Ports: probe the --vdev devices, plan streams on lcores, start the ports. */
	if (rf_eth_dev_probe_eal(err, sizeof(err)) < 0 ||
	    rf_fwd_engine_plan(&engine, &opt, rf_eal_config_get(), err, sizeof(err)) != 0)
		return fail_after_eal(&engine, EXIT_USAGE);
	engine.stop_requested = stop_pending; /* after the plan, which starts the engine afresh */
	engine.stop_requested_arg = &stop;
	if (rf_fwd_engine_setup(&engine, err, sizeof(err)) != 0)
		return fail_after_eal(&engine, EXIT_USAGE);
	if (rf_fwd_telemetry_start(&engine, err, sizeof(err)) != 0)
		return fail_after_eal(&engine, EXIT_USAGE);

	/* 4. Run: forward until SIGINT/SIGTERM (or the shell's quit). */
	rc = opt.interactive ? run_shell(&engine) : run_forwarding(&engine, &stop);
	if (rc != 0)
		return fail_after_eal(&engine, EXIT_FAIL);

	/* 5. Report: final table, leaks, JSON; more stop signals only get "already stopping". */
	rf_fwd_telemetry_stop(); /* before the ports it reads are closed */
	rf_stop_signals_stopping(&stop, "ringfwd");
	status = report(&engine);
	rf_fwd_engine_free(&engine);
	rf_eal_cleanup();
	return status;
}
