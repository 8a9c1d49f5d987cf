/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The report. The first lines are tcpreplay's ("Actual: ...", "Rated: ..."),
 * so scripts written for it keep working; then what tcpreplay does not say:
 * how close the rate and the gaps came to the schedule, and with --rx-port
 * what came back.
 *
 * Rates are over the send span: (packets - 1) / (last send - first send),
 * the gaps between the first and the last packet. Requested rate: the same
 * over the schedule of the same packets. Both come from the sending lcore's
 * TSC, so they are what was handed to the port, not what reached a wire.
 */
#include <errno.h>
#include <string.h>

#include "report.h"

struct rates {
	double secs;	 /* the run: start to after the last send (tcpreplay's "Actual") */
	double pps, Bps; /* over secs */
	double span_pps; /* first to last send */
	double req_pps;	 /* scheduled; 0 at top speed */
	double err_pct;	 /* achieved vs requested, % */
};

static struct rates rates_of(const struct rf_replay *r)
{
	const struct rf_replay_result *s = &r->res;
	struct rates x = {0};
	double hz = (double)r->hz;

	if (s->end_tsc > s->start_tsc) {
		x.secs = (double)(s->end_tsc - s->start_tsc) / hz;
		x.pps = (double)s->sent / x.secs;
		x.Bps = (double)s->sent_bytes / x.secs;
	}
	if (s->sent > 1 && s->last_tsc > s->first_tsc)
		x.span_pps = (double)(s->sent - 1) * hz / (double)(s->last_tsc - s->first_tsc);
	if (r->opt->rate != RF_REPLAY_RATE_TOPSPEED && s->sent > 1 &&
	    s->sched_last > s->sched_first) {
		x.req_pps = (double)(s->sent - 1) * hz / (double)(s->sched_last - s->sched_first);
		if (x.span_pps > 0)
			x.err_pct = (x.span_pps / x.req_pps - 1.0) * 100.0;
	}
	return x;
}

void rf_replay_print_load(FILE *out, const char *path, const struct rf_pcap_stats *st)
{
	fprintf(out, "File %s: loaded %llu packets (%llu bytes), skipped %llu\n", path,
		(unsigned long long)st->loaded, (unsigned long long)st->bytes,
		(unsigned long long)st->skipped);
	for (unsigned i = 0; i < RF_PCAP_SKIP_MAX; i++)
		if (st->skip[i] != 0)
			fprintf(out, "  skipped %llu: %s\n", (unsigned long long)st->skip[i],
				rf_pcap_skip_reason_str((enum rf_pcap_skip_reason)i));
	if (st->skipped != 0 || st->stopped)
		fprintf(out, "  %s%s\n",
			st->stopped ? "reading stopped early: " : "first skip: ", st->warning);
}

static void print_hist(FILE *out, const char *what, const struct rf_replay_hist *h)
{
	fprintf(out, "%s (ns): p50 %llu, p90 %llu, p99 %llu, max %llu, samples %llu\n", what,
		(unsigned long long)rf_replay_hist_quantile(h, 0.50),
		(unsigned long long)rf_replay_hist_quantile(h, 0.90),
		(unsigned long long)rf_replay_hist_quantile(h, 0.99), (unsigned long long)h->max,
		(unsigned long long)h->count);
}

void rf_replay_print(FILE *out, const struct rf_replay *r, unsigned leaked)
{
	const struct rf_replay_result *s = &r->res;
	struct rates x = rates_of(r);

	if (s->oversize != 0)
		fprintf(out,
			"Oversize: %llu packets (%llu bytes) not sent: longer than port %u can "
			"carry (at most %u bytes, %u segments; 0: no such limit)\n",
			(unsigned long long)s->oversize, (unsigned long long)s->oversize_bytes,
			r->opt->tx_port, s->max_tx_pktlen, s->max_tx_segs);
	fprintf(out, "Actual: %llu packets (%llu bytes) sent in %.6f seconds\n",
		(unsigned long long)s->sent, (unsigned long long)s->sent_bytes, x.secs);
	if (s->port_oversize != 0)
		fprintf(out,
			"Warning: port %u took %llu of those and dropped them as oversize "
			"(its tx_oversize_packets): they did not go out\n",
			r->opt->tx_port, (unsigned long long)s->port_oversize);
	fprintf(out, "Rated: %.1f Bps, %.3f Mbps, %.2f pps\n", x.Bps, x.Bps * 8 / 1e6, x.pps);
	if (r->opt->rate == RF_REPLAY_RATE_TOPSPEED) {
		fprintf(out, "Schedule: topspeed (no requested rate)\n");
	} else {
		fprintf(out,
			"Requested: %.2f pps (%s), achieved %.2f pps first to last send; "
			"rate error %+.3f%%\n",
			x.req_pps, rf_replay_rate_name(r->opt->rate), x.span_pps, x.err_pct);
		print_hist(out, "Gap error", &s->gap_err);
		print_hist(out, "Send lag", &s->send_lag);
	}
	fprintf(out, "Bursts refused in part: %llu%s\n", (unsigned long long)s->tx_retries,
		s->stopped ? "; stopped by a signal" : "");
	if (r->opt->rx_port >= 0) {
		fprintf(out,
			"Received: %llu packets (%llu bytes): lost %llu, duplicated %llu, "
			"reordered %llu, unmatched %llu\n",
			(unsigned long long)s->received, (unsigned long long)s->rx_bytes,
			(unsigned long long)s->lost, (unsigned long long)s->duplicated,
			(unsigned long long)s->reordered, (unsigned long long)s->unmatched);
		print_hist(out, "Latency", &s->latency);
		if (r->non_unique != 0)
			fprintf(out,
				"Note: %u frames repeat the bytes of an earlier one; they "
				"are matched together\n",
				r->non_unique);
	}
	fprintf(out, "Mbufs leaked: %u\n", leaked);
}

static void json_hist(FILE *f, const char *name, const struct rf_replay_hist *h)
{
	fprintf(f,
		"  \"%s\": {\"samples\": %llu, \"p50\": %llu, \"p90\": %llu, \"p99\": %llu, "
		"\"max\": %llu},\n",
		name, (unsigned long long)h->count,
		(unsigned long long)rf_replay_hist_quantile(h, 0.50),
		(unsigned long long)rf_replay_hist_quantile(h, 0.90),
		(unsigned long long)rf_replay_hist_quantile(h, 0.99), (unsigned long long)h->max);
}

int rf_replay_write_json(const char *path, const struct rf_replay *r, unsigned leaked, char *err,
			 size_t errlen)
{
	const struct rf_replay_result *s = &r->res;
	struct rates x = rates_of(r);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		int rc = -errno;
		snprintf(err, errlen, "--json %s: %s", path, strerror(errno));
		return rc;
	}
	fprintf(f, "{\n  \"rate_mode\": \"%s\",\n", rf_replay_rate_name(r->opt->rate));
	fprintf(f, "  \"capture\": {\"packets\": %u, \"bytes\": %llu, \"skipped\": %llu},\n",
		(unsigned)s->cap_pkts, (unsigned long long)s->cap_bytes,
		(unsigned long long)s->cap_skipped);
	fprintf(f,
		"  \"oversize\": {\"packets\": %llu, \"bytes\": %llu, \"max_tx_pktlen\": %u, "
		"\"max_tx_segs\": %u, \"port_dropped\": %llu},\n",
		(unsigned long long)s->oversize, (unsigned long long)s->oversize_bytes,
		s->max_tx_pktlen, s->max_tx_segs, (unsigned long long)s->port_oversize);
	fprintf(f,
		"  \"sent\": %llu,\n  \"sent_bytes\": %llu,\n  \"seconds\": %.9f,\n"
		"  \"pps\": %.3f,\n  \"bps\": %.3f,\n  \"span_pps\": %.3f,\n"
		"  \"requested_pps\": %.3f,\n"
		"  \"rate_error_pct\": %.6f,\n  \"tx_partial_bursts\": %llu,\n"
		"  \"late\": %llu,\n  \"stopped\": %s,\n",
		(unsigned long long)s->sent, (unsigned long long)s->sent_bytes, x.secs, x.pps,
		x.Bps * 8, x.span_pps, x.req_pps, x.err_pct, (unsigned long long)s->tx_retries,
		(unsigned long long)s->late, s->stopped ? "true" : "false");
	json_hist(f, "gap_error_ns", &s->gap_err);
	json_hist(f, "send_lag_ns", &s->send_lag);
	if (r->opt->rx_port >= 0) {
		fprintf(f,
			"  \"rx\": {\"received\": %llu, \"bytes\": %llu, \"lost\": %llu, "
			"\"duplicated\": %llu, \"reordered\": %llu, \"unmatched\": %llu, "
			"\"non_unique_frames\": %u},\n",
			(unsigned long long)s->received, (unsigned long long)s->rx_bytes,
			(unsigned long long)s->lost, (unsigned long long)s->duplicated,
			(unsigned long long)s->reordered, (unsigned long long)s->unmatched,
			r->non_unique);
		json_hist(f, "latency_ns", &s->latency);
	}
	fprintf(f, "  \"leaked_mbufs\": %u\n}\n", leaked);
	if (fclose(f) != 0) {
		int rc = -errno;
		snprintf(err, errlen, "--json %s: %s", path, strerror(errno));
		return rc;
	}
	return 0;
}
