/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --stats-prom: the counters in the Prometheus text exposition format
 * (version 0.0.4), for node-exporter's textfile collector. The file is
 * written whole under another name in the same directory, then renamed over
 * FILE, so that a reader sees the old set or the new one, never half.
 *
 * Names follow Prometheus' conventions: ringfwd_ prefix, base units, and
 * _total on counters; labels say which port (id and name) or lcore.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "prom.h"

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP ringfwd_%s %s\n# TYPE ringfwd_%s %s\n", name, help, name, type);
}

/* One sample per port of the value at byte offset off in its snapshot. */
struct port_metric {
	const char *name, *help;
	size_t off;
	bool hw; /* from the port's own statistics (only when it gave them) */
};

#define SW(field) offsetof(struct rf_fwd_port_snapshot, sw.field)
#define HW(field) offsetof(struct rf_fwd_port_snapshot, hw.field)

static const struct port_metric port_metrics[] = {
    {"port_rx_packets_total", "Packets received on the port by the forwarding lcores.",
     SW(rx_packets), false},
    {"port_rx_bytes_total", "Bytes received on the port by the forwarding lcores.", SW(rx_bytes),
     false},
    {"port_tx_packets_total", "Packets sent on the port.", SW(tx_packets), false},
    {"port_tx_bytes_total", "Bytes sent on the port.", SW(tx_bytes), false},
    {"port_dropped_total", "Packets towards the port that were dropped (TX refused, mode).",
     SW(dropped), false},
    {"port_rx_missed_total", "Packets the device dropped for lack of RX buffers.", HW(imissed),
     true},
    {"port_rx_nombuf_total", "RX refills that found the mempool empty.", HW(rx_nombuf), true},
    {"port_rx_errors_total", "Bad packets and device violations on RX.", HW(ierrors), true},
    {"port_tx_errors_total", "TX errors counted by the device.", HW(oerrors), true},
};

static void write_all(FILE *f, const struct rf_fwd_engine *e, const struct rf_fwd_snapshot *s)
{
	family(f, "info", "gauge", "ringfwd's version and forwarding mode, value 1.");
	fprintf(f, "ringfwd_info{version=\"%s\",mode=\"", RF_VERSION);
	label(f, e->mode != NULL ? e->mode->name : "");
	fputs("\"} 1\n", f);
	family(f, "forwarding_seconds_total", "counter", "Seconds spent forwarding.");
	fprintf(f, "ringfwd_forwarding_seconds_total %.6f\n", s->seconds);

	for (size_t m = 0; m < RF_DIM(port_metrics); m++) {
		const struct port_metric *pm = &port_metrics[m];

		family(f, pm->name, "counter", pm->help);
		for (unsigned i = 0; i < e->nb_ports; i++) {
			const struct rf_fwd_port_snapshot *p = &s->ports[i];
			uint64_t v;

			if (pm->hw && !p->hw_valid)
				continue;
			memcpy(&v, (const char *)p + pm->off, sizeof(v));
			fprintf(f, "ringfwd_%s{port=\"%u\",name=\"", pm->name, e->ports[i].port_id);
			label(f, e->ports[i].name);
			fprintf(f, "\"} %llu\n", (unsigned long long)v);
		}
	}

	static const struct {
		const char *name, *help;
		size_t off;
	} lc[] = {
	    {"lcore_rx_packets_total", "Packets the forwarding lcore received.",
	     offsetof(struct rf_fwd_counts, rx_packets)},
	    {"lcore_tx_packets_total", "Packets the forwarding lcore sent.",
	     offsetof(struct rf_fwd_counts, tx_packets)},
	    {"lcore_dropped_total", "Packets the forwarding lcore dropped.",
	     offsetof(struct rf_fwd_counts, dropped)},
	    {"lcore_busy_cycles_total", "TSC cycles in polls that moved packets.",
	     offsetof(struct rf_fwd_counts, busy_cycles)},
	};
	for (size_t m = 0; m < RF_DIM(lc); m++) {
		family(f, lc[m].name, "counter", lc[m].help);
		for (unsigned i = 0; i < e->nb_lcores; i++) {
			uint64_t v;

			memcpy(&v, (const char *)&s->lcores[i] + lc[m].off, sizeof(v));
			fprintf(f, "ringfwd_%s{lcore=\"%u\",role=\"%s\"} %llu\n", lc[m].name,
				e->lcores[i].lcore_id, rf_fwd_role_name(e->lcores[i].role),
				(unsigned long long)v);
		}
	}
}

int rf_fwd_stats_write_prom(const char *path, const struct rf_fwd_engine *e,
			    const struct rf_fwd_snapshot *s, char *err, size_t errlen)
{
	char tmp[4096];
	FILE *f;
	int rc = 0;

	/* Same directory, so that rename() is atomic; a name no other process uses. */
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "--stats-prom: the file name '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "--stats-prom: cannot write '%s': %s", tmp, strerror(-rc));
		return rc;
	}
	write_all(f, e, s);
	if (ferror(f) != 0)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(tmp);
		snprintf(err, errlen, "--stats-prom: cannot write '%s': %s", path, strerror(-rc));
	}
	return rc;
}
