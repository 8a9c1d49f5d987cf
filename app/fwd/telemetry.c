/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd's telemetry commands. They run on the telemetry thread under
 * rf_tel_lock(), which main() and the shell hold while they start, stop or
 * re-plan the engine; the counters are read with a snapshot (stats.h), as
 * the periodic lines read them.
 */
#include <errno.h>

#include "app_telemetry.h"
#include "stats.h"
#include "telemetry.h"

static void counts(struct rf_tel_data *d, const struct rf_fwd_counts *c)
{
	rf_tel_u64(d, "rx_packets", c->rx_packets);
	rf_tel_u64(d, "rx_bytes", c->rx_bytes);
	rf_tel_u64(d, "tx_packets", c->tx_packets);
	rf_tel_u64(d, "tx_bytes", c->tx_bytes);
	rf_tel_u64(d, "dropped", c->dropped);
	rf_tel_u64(d, "busy_cycles", c->busy_cycles);
}

static int tel_info(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_fwd_engine *e = arg;

	(void)cmd;
	if (params != NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "mode", e->mode != NULL ? e->mode->name : "");
	rf_tel_str(d, "state", e->running ? "forwarding" : "stopped");
	rf_tel_str(d, "steering", rf_fwd_steering_name(e->steering));
	rf_tel_u64(d, "ports", e->nb_ports);
	rf_tel_u64(d, "streams", e->nb_streams);
	rf_tel_u64(d, "lcores", e->nb_lcores);
	rf_tel_f64(d, "seconds", rf_fwd_engine_seconds(e));
	rf_tel_end(d);
	return 0;
}

/* A snapshot of e for one reply. 0 or -ENOMEM. */
static int snap(struct rf_fwd_snapshot *s, const struct rf_fwd_engine *e)
{
	if (rf_fwd_snapshot_init(s, e) != 0)
		return -ENOMEM;
	rf_fwd_snapshot_take(s, e);
	return 0;
}

static int tel_streams(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_fwd_engine *e = arg;
	struct rf_fwd_snapshot s;

	(void)cmd;
	if (params != NULL || snap(&s, e) != 0)
		return -EINVAL;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < e->nb_streams && i < s.nb_streams; i++) {
		const struct rf_fwd_stream_slot *sl = &e->slots[i];

		rf_tel_dict_begin(d, NULL);
		rf_tel_u64(d, "stream", i);
		rf_tel_u64(d, "lcore", sl->lcore);
		rf_tel_u64(d, "rx_port", sl->fs.rx_port);
		rf_tel_u64(d, "rx_queue", sl->fs.rx_queue);
		rf_tel_u64(d, "tx_port", sl->fs.tx_port);
		rf_tel_u64(d, "tx_queue", sl->fs.tx_queue);
		counts(d, &s.streams[i]);
		rf_tel_end(d);
	}
	rf_tel_end(d);
	rf_fwd_snapshot_fini(&s);
	return 0;
}

static int tel_lcores(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_fwd_engine *e = arg;
	struct rf_fwd_snapshot s;

	(void)cmd;
	if (params != NULL || snap(&s, e) != 0)
		return -EINVAL;
	rf_tel_array_begin(d, NULL);
	for (unsigned i = 0; i < e->nb_lcores; i++) {
		rf_tel_dict_begin(d, NULL);
		rf_tel_u64(d, "lcore_id", e->lcores[i].lcore_id);
		rf_tel_str(d, "role", rf_fwd_role_name(e->lcores[i].role));
		rf_tel_u64(d, "streams", e->lcores[i].nb_streams);
		counts(d, &s.lcores[i]);
		rf_tel_end(d);
	}
	rf_tel_end(d);
	rf_fwd_snapshot_fini(&s);
	return 0;
}

static int tel_rss(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_fwd_engine *e = arg;

	(void)cmd;
	if (params != NULL)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_str(d, "steering", rf_fwd_steering_name(e->steering));
	rf_tel_str(d, "why", e->steering_why);
	rf_tel_array_begin(d, "ports");
	for (unsigned pi = 0; pi < e->nb_ports; pi++) {
		const struct rf_fwd_port *p = &e->ports[pi];

		rf_tel_dict_begin(d, NULL);
		rf_tel_u64(d, "port", p->port_id);
		rf_tel_bool(d, "device_hash", p->rss_hw);
		rf_tel_u64(d, "rss_hf", p->rss_hf_hw);
		rf_tel_array_begin(d, "reta");
		for (unsigned i = 0; i < p->reta.size && i < RF_RSS_RETA_SIZE_MAX; i++)
			rf_tel_u64(d, NULL, p->reta.queue[i]);
		rf_tel_end(d);
		rf_tel_end(d);
	}
	rf_tel_end(d);
	rf_tel_end(d);
	return 0;
}

/*
 * DPDK's shape: three arrays indexed alike. Busy is the TSC the lcore spent
 * in iterations that moved packets; total the TSC since forwarding started
 * (to its stop when stopped).
 */
static int tel_usage(const char *cmd, const char *params, struct rf_tel_data *d, void *arg)
{
	const struct rf_fwd_engine *e = arg;
	struct rf_fwd_snapshot s;
	uint64_t end = e->running ? rf_tsc() : e->stop_tsc;
	uint64_t total = e->start_tsc != 0 && end > e->start_tsc ? end - e->start_tsc : 0;

	(void)cmd;
	if (params != NULL || snap(&s, e) != 0)
		return -EINVAL;
	rf_tel_dict_begin(d, NULL);
	rf_tel_array_begin(d, "lcore_ids");
	for (unsigned i = 0; i < e->nb_lcores; i++)
		rf_tel_u64(d, NULL, e->lcores[i].lcore_id);
	rf_tel_end(d);
	rf_tel_array_begin(d, "total_cycles");
	for (unsigned i = 0; i < e->nb_lcores; i++)
		rf_tel_u64(d, NULL, total);
	rf_tel_end(d);
	rf_tel_array_begin(d, "busy_cycles");
	for (unsigned i = 0; i < e->nb_lcores; i++)
		rf_tel_u64(d, NULL,
			   s.lcores[i].busy_cycles < total ? s.lcores[i].busy_cycles : total);
	rf_tel_end(d);
	rf_tel_end(d);
	rf_fwd_snapshot_fini(&s);
	return 0;
}

int rf_fwd_telemetry_start(struct rf_fwd_engine *e, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		rf_tel_handler_t fn;
		const char *help;
	} cmds[] = {
	    {"/ringfwd/info", tel_info,
	     "Returns the forwarding mode, state and steering. Takes no parameters"},
	    {"/ringfwd/streams", tel_streams,
	     "Returns each stream's ports, queues and counters. Takes no parameters"},
	    {"/ringfwd/lcores", tel_lcores,
	     "Returns each forwarding lcore's role and counters. Takes no parameters"},
	    {"/ringfwd/rss", tel_rss,
	     "Returns the steering and each port's RETA. Takes no parameters"},
	    {"/eal/lcore/usage", tel_usage,
	     "Returns busy and total cycles of each forwarding lcore. Takes no parameters"},
	};
	const struct rf_eal_config *eal = rf_eal_config_get();

	if (eal == NULL || eal->no_telemetry)
		return 0;
	for (size_t i = 0; i < RF_DIM(cmds); i++) {
		int rc = rf_tel_register(cmds[i].name, cmds[i].fn, e, cmds[i].help);

		if (rc != 0 && rc != -EEXIST) {
			snprintf(err, errlen, "telemetry: cannot register %s", cmds[i].name);
			return rc;
		}
	}
	for (unsigned i = 0; i < RF_FWD_MAX_SOCKETS; i++)
		if (e->pools[i] != NULL)
			rf_app_tel_add_mempool(e->pools[i]);
	return rf_app_tel_start(err, errlen);
}

void rf_fwd_telemetry_stop(void)
{
	rf_app_tel_stop();
}
