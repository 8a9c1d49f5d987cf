/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: device arguments ("net_pcap0,rx_pcap=...,infinite_rx=1",
 * lib/ethdev/rf_devargs.h), parsed and then given to rf_eth_dev_create() for
 * the drivers linked in (net_pcap, net_virtio_user).
 *
 * The input is the devargs string (up to the first NUL). Every '@' in it
 * becomes the path of a scratch directory made at start-up, which holds a
 * valid capture (a.pcap) and a broken one (bad.pcap). Nothing may reach
 * outside it: the string goes to rf_eth_dev_create() only if every file or
 * socket it names (rx_pcap, tx_pcap, path) is inside the scratch directory,
 * tx_pcap only as a new file (out*), and it names no live interface (iface,
 * rx_iface, rx_iface_in, tx_iface). net_virtio_user in client mode thus finds
 * nobody listening, and in server mode listens in the scratch directory.
 *
 * What must hold for any input (a broken rule aborts):
 *  - no crash, no sanitizer report, no leak, no fd left open;
 *  - parse: 0, or -EINVAL/-ENOMEM with a NUL-terminated message, also into
 *    a small buffer; on success the name and driver are as documented, every
 *    key is non-empty without '=' or ',', rf_devargs_get returns the last
 *    value of a key; get_u32 stays in its bounds, get_bool gives 0 or 1;
 *    check_keys fails exactly when a key is not in the list;
 *  - create: a string parse rejects, create rejects with the same error; on
 *    success the port exists under the name given and closes with 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_script.h"
#include "rf_devargs.h"
#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_log.h"

#define MAX_ARGS_LEN 1024

static char scratch[64];

static void write_file(const char *name, const void *data, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	FILE *f = fopen(path, "wb");
	check(f != NULL);
	check(fwrite(data, 1, len, f) == len);
	check(fclose(f) == 0);
}

static void remove_scratch(void)
{
	DIR *d = opendir(scratch);

	if (d == NULL)
		return;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char path[384];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(scratch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal_argv[] = {"fuzz_devargs", "--no-huge", "-l",		"0",
			    "-m",	    "32",	 "--log-level", "err"};

	(void)argc;
	(void)argv;
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0) {
		fprintf(stderr, "fuzz_devargs: rf_eal_init failed\n");
		abort();
	}
	rf_log_set_level(RF_LOG_CRIT);
	snprintf(scratch, sizeof(scratch), "/tmp/rf-fuzz-devargs.XXXXXX");
	check(mkdtemp(scratch) != NULL);
	atexit(remove_scratch);

	/* Classic pcap, microseconds, Ethernet, one 60-byte frame. */
	uint8_t pcap[24 + 16 + 60];
	const uint32_t fh[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};
	const uint32_t rh[4] = {1, 2, 60, 60};
	memcpy(pcap, fh, sizeof(fh));
	memcpy(pcap + 24, rh, sizeof(rh));
	for (unsigned i = 0; i < 60; i++)
		pcap[40 + i] = (uint8_t)(i < 12 ? 0xff : i);
	write_file("a.pcap", pcap, sizeof(pcap));
	write_file("bad.pcap", "not a capture", 13);
	return 0;
}

/* The input as a string, '@' replaced by the scratch directory. */
static void expand(const uint8_t *data, size_t size, char *out, size_t cap)
{
	size_t n = 0, sl = strlen(scratch);

	for (size_t i = 0; i < size && data[i] != '\0'; i++) {
		if (data[i] == '@') {
			if (n + sl >= cap)
				break;
			memcpy(out + n, scratch, sl);
			n += sl;
		} else {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)data[i];
		}
	}
	out[n] = '\0';
}

static bool in_scratch(const char *v, const char *prefix)
{
	size_t sl = strlen(scratch);

	if (strncmp(v, scratch, sl) != 0 || v[sl] != '/' || strstr(v, "/..") != NULL)
		return false;
	return prefix == NULL || strncmp(v + sl + 1, prefix, strlen(prefix)) == 0;
}

/* Nothing outside the scratch directory, no live interface. */
static bool safe_to_create(const struct rf_devargs *da)
{
	for (unsigned i = 0; i < da->nb_kv; i++) {
		const char *k = da->kv[i].key, *v = da->kv[i].value;

		if (strstr(k, "iface") != NULL)
			return false;
		if (strcmp(k, "path") == 0 || strcmp(k, "rx_pcap") == 0) {
			if (!in_scratch(v, NULL))
				return false;
		} else if (strcmp(k, "tx_pcap") == 0) {
			if (!in_scratch(v, "out"))
				return false;
		}
	}
	return true;
}

static void check_msg(const char *err, size_t len)
{
	check(memchr(err, '\0', len) != NULL);
	check(err[0] != '\0');
}

/* What a successful parse must look like, and what the getters make of it. */
static void check_parsed(const struct rf_devargs *da, const char *s)
{
	size_t nl = strlen(da->name), dl = strlen(da->driver);

	check(nl > 0 && nl < sizeof(da->name));
	check(dl > 0 && dl <= nl && strncmp(da->name, da->driver, dl) == 0);
	for (size_t i = dl; i < nl; i++)
		check(da->name[i] >= '0' && da->name[i] <= '9');
	check(da->driver[dl - 1] < '0' || da->driver[dl - 1] > '9');
	check(strncmp(s, da->name, nl) == 0 && (s[nl] == '\0' || s[nl] == ','));
	check(da->nb_kv <= RF_DEVARGS_MAX_KV);

	static const char *const valid[] = {"path", "queues", "rx_pcap", "server", NULL};
	bool all_valid = true;
	char err[128];

	for (unsigned i = 0; i < da->nb_kv; i++) {
		const char *k = da->kv[i].key, *v = da->kv[i].value;

		check(k != NULL && v != NULL && k[0] != '\0');
		check(strchr(k, '=') == NULL && strchr(k, ',') == NULL && strchr(v, ',') == NULL);
		/* The last one wins. */
		const char *last = v;
		for (unsigned j = i + 1; j < da->nb_kv; j++)
			if (strcmp(da->kv[j].key, k) == 0)
				last = da->kv[j].value;
		check(rf_devargs_get(da, k) == last);

		uint32_t lo = (uint32_t)(strlen(v) % 3u), hi = lo + 1000000u, u = 0;
		err[0] = '\0';
		int rc = rf_devargs_get_u32(da, k, 7, lo, hi, &u, err, sizeof(err));
		check(rc == 0 || rc == -EINVAL);
		if (rc == 0)
			check(u >= lo && u <= hi);
		else
			check_msg(err, sizeof(err));
		int b = -1;
		rc = rf_devargs_get_bool(da, k, 0, &b, err, 1); /* a message cut to nothing */
		check(rc == 0 || rc == -EINVAL);
		if (rc == 0)
			check(b == 0 || b == 1);
		bool known = false;
		for (unsigned j = 0; valid[j] != NULL; j++)
			known |= strcmp(k, valid[j]) == 0;
		all_valid &= known;
	}
	uint32_t u = 0;
	/* No key holds '=': the first one in an argument ends the key. */
	check(rf_devargs_get(da, "no=key") == NULL);
	check(rf_devargs_get_u32(da, "no=key", 42, 0, 100, &u, NULL, 0) == 0 && u == 42);
	int rc = rf_devargs_check_keys(da, valid, err, sizeof(err));
	check((rc == 0) == all_valid);
	if (rc < 0)
		check_msg(err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char s[MAX_ARGS_LEN + 256];
	struct rf_devargs da;
	char err[256], small[8];

	if (size > MAX_ARGS_LEN)
		return 0;
	expand(data, size, s, sizeof(s));

	/* A message cut short must still be a string. */
	memset(small, 'x', sizeof(small));
	int rc = rf_devargs_parse(s, &da, small, sizeof(small));
	check(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc == 0)
		rf_devargs_free(&da);
	else
		check(memchr(small, '\0', sizeof(small)) != NULL);

	err[0] = '\0';
	rc = rf_devargs_parse(s, &da, err, sizeof(err));
	check(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
	if (rc < 0) {
		check_msg(err, sizeof(err));
		check(da.buf == NULL && da.nb_kv == 0);
		/* The port factory parses the same way. */
		uint16_t port = UINT16_MAX;
		check(rf_eth_dev_create(s, &port, err, sizeof(err)) == rc);
		check(port == UINT16_MAX);
		return 0;
	}
	check_parsed(&da, s);
	bool safe = safe_to_create(&da);
	char name[sizeof(da.name)];
	memcpy(name, da.name, sizeof(name));
	rf_devargs_free(&da);
	check(da.buf == NULL);
	if (!safe)
		return 0;

	int fds_before = count_fds();
	uint16_t port = UINT16_MAX;
	err[0] = '\0';
	rc = rf_eth_dev_create(s, &port, err, sizeof(err));
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "create '%s': %d %s\n", s, rc, rc < 0 ? err : "");
	check(rc <= 0);
	if (rc < 0) {
		check_msg(err, sizeof(err));
	} else {
		check(rf_eth_dev_is_valid_port(port));
		check(strcmp(rf_eth_dev_name(port), name) == 0);
		check(rf_eth_dev_close(port) == 0);
		check(!rf_eth_dev_is_valid_port(port));
	}
	check(rf_eth_dev_count_avail() == 0);
	check(count_fds() == fds_before);
	return 0;
}
