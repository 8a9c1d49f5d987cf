/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd-replay's telemetry commands. The run's numbers come from
 * r->live, which the sending lcore stores once per burst (replay.h); the
 * rest (options, the capture) does not change while the socket is open.
 */
#include <errno.h>
#include <math.h>

#include "app_telemetry.h"
#include "rf_eal.h"
#include "rf_time.h"
#include "telemetry.h"

static uint64_t ld(_Atomic uint64_t *v)
{
	return atomic_load_explicit(v, memory_order_relaxed);
}

static const char *state(struct rf_replay *r)
{
	if (atomic_load_explicit(&r->done, memory_order_acquire))
		return "done";
	return ld(&r->live.start_tsc) != 0 ? "sending" : "waiting";
}

static int tel_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	(void)cmd;
	if (params != NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "mode", "replay");
	rf_tel_str(d, "state", state(arg));
	rf_tel_end(d);
	return 0;
}

/*
 * Progress is sent / total (null when it runs until stopped). The rate
 * error compares the time the sent packets took with the time their
 * schedule gave them: (scheduled / actual) - 1, so +0.01 means 1% faster
 * than asked, -0.01 1% slower; null at --topspeed or before two sends.
 */
static int tel_replay(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	struct rf_replay *r = arg;
	const struct rf_replay_options *o = r->opt;
	struct rf_replay_live *l = &r->live;
	uint64_t sent = ld(&l->sent), total = ld(&l->total);
	uint64_t first = ld(&l->first_tsc), last = ld(&l->last_tsc);
	uint64_t sfirst = ld(&l->sched_first), slast = ld(&l->sched_last);
	double hz = (double)r->hz;
	double actual = sent > 1 && last > first ? (double)(last - first) / hz : 0.0;
	double sched = slast > sfirst ? (double)(slast - sfirst) / hz : 0.0;

	(void)cmd;
	if (params != NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "state", state(r));
	rf_tel_str(d, "pcap", o->pcap);
	rf_tel_str(d, "rate", rf_replay_rate_name(o->rate));
	rf_tel_u64(d, "capture_packets", r->cap.nb_pkts);
	rf_tel_u64(d, "sent", sent);
	rf_tel_u64(d, "sent_bytes", ld(&l->sent_bytes));
	rf_tel_u64(d, "received", ld(&l->received));
	if (total != 0)
		rf_tel_u64(d, "total", total);
	else
		rf_tel_null(d, "total");
	rf_tel_f64(d, "progress", total != 0 ? (double)sent / (double)total : NAN);
	rf_tel_f64(d, "seconds", actual);
	rf_tel_f64(d, "pps", actual > 0 ? (double)(sent - 1) / actual : NAN);
	rf_tel_f64(d, "rate_error",
		   o->rate != RF_REPLAY_RATE_TOPSPEED && actual > 0 && sched > 0
		       ? sched / actual - 1.0
		       : NAN);
	rf_tel_end(d);
	return 0;
}

int rf_replay_telemetry_start(struct rf_replay *r, struct rf_mempool *mp, char *err, size_t errlen)
{
	const struct rf_eal_config *eal = rf_eal_config_get();
	int rc;

	if (eal == NULL || eal->no_telemetry)
		return 0;
	rc = rf_tel_register("/ringfwd/info", tel_info, r,
			     "Returns the mode (replay) and state. Takes no parameters");
	if (rc == 0)
		rc = rf_tel_register("/ringfwd/replay", tel_replay, r,
				     "Returns the replay's progress, counters and rate error. "
				     "Takes no parameters");
	if (rc == 0 && mp != NULL)
		rc = rf_app_tel_add_mempool(mp);
	if (rc != 0 && rc != -EEXIST) {
		snprintf(err, errlen, "telemetry: cannot register the replay commands");
		return rc;
	}
	return rf_app_tel_start(err, errlen);
}

void rf_replay_telemetry_stop(void)
{
	rf_app_tel_stop();
}
