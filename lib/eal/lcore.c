/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lcores: the list parser, the pinned worker threads, and the launch/wait
 * handshake between the main lcore and each worker.
 *
 * A worker's life: WAIT (parked on its condvar) -> RUNNING (launch gave it a
 * function) -> FINISHED (the function returned) -> WAIT (rf_lcore_wait
 * collected the result). Each worker has its own mutex and condvar; the data
 * path never touches them.
 */
#include <errno.h>
#include <numa.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"
#include "rf_lcore.h"
#include "rf_log.h"
#include "rf_memseg.h"

enum lcore_state { LCORE_WAIT, LCORE_RUNNING, LCORE_FINISHED };

struct lcore {
	/* Written by rf_lcore_init/fini only, read-only while lcores are up. */
	bool enabled;
	bool started; /* a worker thread exists and must be joined */
	int socket;
	pthread_t thread;

	/* The handshake, all under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum lcore_state state;
	bool stop;
	rf_lcore_fn fn;
	void *arg;
	int ret;
};

static struct lcore lcores[RF_MAX_LCORE];
static unsigned main_lcore;
/* The CPU each lcore is pinned to: the lcore id itself unless "L@CPU" said otherwise. */
static unsigned lcore_cpu[RF_MAX_LCORE];
static unsigned nb_lcores;
static bool lcores_up;
/* The caller's affinity before rf_lcore_init pinned it; restored by fini. */
static cpu_set_t saved_affinity;

_Thread_local unsigned rf_lcore_this_id = RF_LCORE_ID_ANY;

/* Parses a decimal number below max at *s, advancing *s. */
static int parse_cpu(const char **s, unsigned max, unsigned *out)
{
	const char *p = *s;
	unsigned long v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v >= max)
			return -EINVAL;
	}
	*s = p;
	*out = (unsigned)v;
	return 0;
}

int rf_lcore_parse_map(const char *s, bool *set, unsigned *cpu, unsigned max)
{
	unsigned lo, hi, at, count = 0;

	if (s == NULL || set == NULL || *s == '\0')
		return -EINVAL;
	memset(set, 0, max * sizeof(*set));
	if (cpu != NULL)
		for (unsigned i = 0; i < max; i++)
			cpu[i] = i;
	for (;;) {
		if (parse_cpu(&s, max, &lo) != 0)
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_cpu(&s, max, &hi) != 0 || hi < lo)
				return -EINVAL;
		}
		/* "L@CPU" (DPDK's --lcores form): these lcores run on that CPU. */
		at = UINT32_MAX;
		if (*s == '@') {
			s++;
			if (cpu == NULL || parse_cpu(&s, CPU_SETSIZE, &at) != 0)
				return -EINVAL;
		}
		for (unsigned i = lo; i <= hi; i++) {
			count += !set[i];
			set[i] = true;
			if (cpu != NULL)
				cpu[i] = at != UINT32_MAX ? at : i;
		}
		if (*s == '\0')
			return (int)count;
		if (*s != ',')
			return -EINVAL;
		s++;
	}
}

int rf_lcore_parse_list(const char *s, bool *set, unsigned max)
{
	return rf_lcore_parse_map(s, set, NULL, max);
}

int rf_eal_allowed_cpus(cpu_set_t *set)
{
	if (lcores_up) {
		*set = saved_affinity;
		return 0;
	}
	CPU_ZERO(set);
	return sched_getaffinity(0, sizeof(*set), set) == 0 ? 0 : -errno;
}

static void *lcore_worker(void *arg)
{
	struct lcore *lc = arg;

	rf_lcore_this_id = (unsigned)(lc - lcores);
	pthread_mutex_lock(&lc->lock);
	for (;;) {
		while (lc->state != LCORE_RUNNING && !lc->stop)
			pthread_cond_wait(&lc->cond, &lc->lock);
		if (lc->stop)
			break;
		rf_lcore_fn fn = lc->fn;
		void *fn_arg = lc->arg;

		/* Run unlocked: fn may poll for hours; wait() sleeps on the condvar meanwhile. */
		pthread_mutex_unlock(&lc->lock);
		int ret = fn(fn_arg);
		pthread_mutex_lock(&lc->lock);
		lc->ret = ret;
		lc->state = LCORE_FINISHED;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return NULL;
}

static int lcore_start(unsigned id)
{
	struct lcore *lc = &lcores[id];
	pthread_attr_t attr;
	cpu_set_t cpu;
	char name[16];
	int ret;

	lc->state = LCORE_WAIT;
	lc->stop = false;
	pthread_mutex_init(&lc->lock, NULL);
	pthread_cond_init(&lc->cond, NULL);
	CPU_ZERO(&cpu);
	CPU_SET(lcore_cpu[id], &cpu);
	/* Pinned from its first instruction, so its stack is first-touched on its own node. */
	pthread_attr_init(&attr);
	ret = pthread_attr_setaffinity_np(&attr, sizeof(cpu), &cpu);
	if (ret == 0)
		ret = pthread_create(&lc->thread, &attr, lcore_worker, lc);
	pthread_attr_destroy(&attr);
	if (ret != 0) {
		RF_LOG(ERR, EAL, "lcore %u: cannot start a thread pinned to CPU %u: %s", id,
		       lcore_cpu[id], strerror(ret));
		pthread_cond_destroy(&lc->cond);
		pthread_mutex_destroy(&lc->lock);
		return -ret;
	}
	lc->started = true;
	/* Thread names hold 15 characters; ids are below RF_MAX_LCORE <= 1024 anyway. */
	snprintf(name, sizeof(name), "rf-lcore-%u", id % 100000u);
	pthread_setname_np(lc->thread, name);
	return 0;
}

static void lcore_stop(unsigned id)
{
	struct lcore *lc = &lcores[id];

	if (!lc->started)
		return;
	pthread_mutex_lock(&lc->lock);
	if (lc->state == LCORE_RUNNING)
		RF_LOG(NOTICE, EAL, "lcore %u: waiting for its function to return", id);
	lc->stop = true;
	pthread_cond_broadcast(&lc->cond);
	pthread_mutex_unlock(&lc->lock);
	pthread_join(lc->thread, NULL);
	pthread_cond_destroy(&lc->cond);
	pthread_mutex_destroy(&lc->lock);
	lc->started = false;
}

static int cpu_socket(unsigned cpu)
{
	int node = numa_available() >= 0 ? numa_node_of_cpu((int)cpu) : -1;

	return node >= 0 ? node : 0;
}

/* "0-3,6": a CPU set in the lcore-list syntax, for messages. */
static void format_cpus(const cpu_set_t *set, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < CPU_SETSIZE && off < len; i++) {
		int j = i;

		if (!CPU_ISSET(i, set))
			continue;
		while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, set))
			j++;
		off += (size_t)snprintf(buf + off, len - off, i == j ? "%s%d" : "%s%d-%d",
					off > 0 ? "," : "", i, j);
		i = j;
	}
}

int rf_eal_lcore_unusable(const bool *set, const unsigned *cpu, unsigned max, char *cpus,
			  size_t len)
{
	cpu_set_t allowed;

	if (rf_eal_allowed_cpus(&allowed) != 0)
		return -1; /* cannot tell here; rf_lcore_init_map checks again */
	for (unsigned i = 0; i < max; i++) {
		if (set[i] && (cpu[i] >= CPU_SETSIZE || !CPU_ISSET(cpu[i], &allowed))) {
			format_cpus(&allowed, cpus, len);
			return (int)i;
		}
	}
	return -1;
}

/* Checks the list against the CPUs we may use; logs the first bad one. */
static int lcore_check(const bool *set, const unsigned *cpu, unsigned max, unsigned main_id,
		       const cpu_set_t *allowed)
{
	if (main_id >= max || !set[main_id]) {
		RF_LOG(ERR, EAL, "main lcore %u is not in the lcore list", main_id);
		return -EINVAL;
	}
	for (unsigned i = 0; i < max; i++) {
		if (!set[i])
			continue;
		if (i >= RF_MAX_LCORE || i >= CPU_SETSIZE) {
			RF_LOG(ERR, EAL, "lcore %u: above the build limit of %u lcores", i,
			       RF_MAX_LCORE);
			return -EINVAL;
		}
		if (cpu[i] >= CPU_SETSIZE || !CPU_ISSET(cpu[i], allowed)) {
			char cpus[128];

			format_cpus(allowed, cpus, sizeof(cpus));
			RF_LOG(ERR, EAL,
			       "lcore %u: CPU %u is not online or not in this process's affinity; "
			       "usable CPUs: %s",
			       i, cpu[i], cpus);
			return -EINVAL;
		}
	}
	return 0;
}

int rf_lcore_init(const bool *set, unsigned max, unsigned main_id)
{
	return rf_lcore_init_map(set, NULL, max, main_id);
}

int rf_lcore_init_map(const bool *set, const unsigned *cpu_of, unsigned max, unsigned main_id)
{
	unsigned identity[RF_MAX_LCORE];
	cpu_set_t cpu;
	int ret;

	if (set == NULL || max > RF_MAX_LCORE)
		return -EINVAL;
	if (cpu_of == NULL) {
		for (unsigned i = 0; i < max; i++)
			identity[i] = i;
		cpu_of = identity;
	}
	if (lcores_up)
		return -EALREADY;
	ret = rf_eal_allowed_cpus(&saved_affinity);
	if (ret != 0) {
		RF_LOG(ERR, EAL, "cannot read this process's CPU affinity: %s", strerror(-ret));
		return ret;
	}
	ret = lcore_check(set, cpu_of, max, main_id, &saved_affinity);
	if (ret != 0)
		return ret;
	for (unsigned i = 0; i < max; i++)
		lcore_cpu[i] = cpu_of[i];

	CPU_ZERO(&cpu);
	CPU_SET(lcore_cpu[main_id], &cpu);
	ret = pthread_setaffinity_np(pthread_self(), sizeof(cpu), &cpu);
	if (ret != 0) {
		RF_LOG(ERR, EAL, "cannot pin the main lcore to CPU %u: %s", lcore_cpu[main_id],
		       strerror(ret));
		return -ret;
	}
	main_lcore = main_id;
	rf_lcore_this_id = main_id;
	nb_lcores = 0;
	lcores_up = true;
	for (unsigned i = 0; i < max; i++) {
		if (!set[i])
			continue;
		lcores[i].enabled = true;
		lcores[i].socket = cpu_socket(lcore_cpu[i]);
		nb_lcores++;
		if (i != main_id && (ret = lcore_start(i)) != 0) {
			rf_lcore_fini();
			return ret;
		}
	}
	RF_LOG(DEBUG, EAL, "%u lcores up, main lcore %u", nb_lcores, main_id);
	return 0;
}

void rf_lcore_fini(void)
{
	if (!lcores_up)
		return;
	for (unsigned i = 0; i < RF_MAX_LCORE; i++) {
		lcore_stop(i);
		lcores[i].enabled = false;
	}
	/* Give the caller back the CPUs it had, so a later init sees them all. */
	pthread_setaffinity_np(pthread_self(), sizeof(saved_affinity), &saved_affinity);
	rf_lcore_this_id = RF_LCORE_ID_ANY;
	nb_lcores = 0;
	main_lcore = 0;
	lcores_up = false;
}

unsigned rf_lcore_main(void)
{
	return main_lcore;
}

unsigned rf_lcore_count(void)
{
	return nb_lcores;
}

bool rf_lcore_is_enabled(unsigned lcore)
{
	return lcore < RF_MAX_LCORE && lcores[lcore].enabled;
}

unsigned rf_lcore_next(unsigned i, bool skip_main)
{
	/* i == UINT32_MAX starts the walk: i + 1 wraps to 0. */
	for (unsigned j = i + 1; j < RF_MAX_LCORE; j++)
		if (lcores[j].enabled && !(skip_main && j == main_lcore))
			return j;
	return RF_MAX_LCORE;
}

int rf_lcore_to_socket(unsigned lcore)
{
	return rf_lcore_is_enabled(lcore) ? lcores[lcore].socket : RF_SOCKET_ID_ANY;
}

static struct lcore *worker(unsigned lcore)
{
	if (!rf_lcore_is_enabled(lcore) || !lcores[lcore].started)
		return NULL;
	return &lcores[lcore];
}

int rf_lcore_launch(unsigned lcore, rf_lcore_fn fn, void *arg)
{
	struct lcore *lc = worker(lcore);
	int ret = 0;

	if (lc == NULL || fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&lc->lock);
	if (lc->state != LCORE_WAIT) {
		ret = -EBUSY;
	} else {
		lc->fn = fn;
		lc->arg = arg;
		lc->state = LCORE_RUNNING;
		pthread_cond_broadcast(&lc->cond);
	}
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

int rf_lcore_wait(unsigned lcore)
{
	struct lcore *lc = worker(lcore);
	int ret = 0;

	if (lc == NULL)
		return -EINVAL;
	pthread_mutex_lock(&lc->lock);
	while (lc->state == LCORE_RUNNING)
		pthread_cond_wait(&lc->cond, &lc->lock);
	if (lc->state == LCORE_FINISHED) {
		ret = lc->ret;
		lc->state = LCORE_WAIT;
	}
	pthread_mutex_unlock(&lc->lock);
	return ret;
}

void rf_lcore_wait_all(void)
{
	unsigned i;

	RF_LCORE_FOREACH_WORKER(i)
	rf_lcore_wait(i);
}
