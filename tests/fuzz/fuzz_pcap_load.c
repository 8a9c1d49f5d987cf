/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the capture loader on arbitrary bytes in memory.
 *
 * What must hold for any input (rf_pcap_load.h): it ends, never reads past
 * the buffer (ASan), and what it delivers is consistent: every record has
 * 1..RF_PCAP_MAX_SNAPLEN bytes inside the input, caplen <= origlen, indexes
 * increase; the stats add up; success means at least one record, failure
 * comes with a message. A broken rule aborts, which libFuzzer reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rf_pcap_load.h"

struct seen {
	const uint8_t *buf;
	size_t len;
	uint64_t records, bytes, last_index;
	unsigned sink;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

static int on_record(void *arg, const struct rf_pcap_record *rec)
{
	struct seen *s = arg;

	check(rec->caplen >= 1 && rec->caplen <= RF_PCAP_MAX_SNAPLEN);
	check(rec->caplen <= rec->origlen);
	check(s->records == 0 || rec->index > s->last_index);
	check(rec->offset < s->len);
	/* Touch every byte, so ASan sees a read past what the loader may hand out. */
	for (uint32_t i = 0; i < rec->caplen; i++)
		s->sink += rec->data[i];
	s->last_index = rec->index;
	s->records++;
	s->bytes += rec->caplen;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen s = {.buf = data, .len = size};
	struct rf_pcap_stats st;
	char err[RF_PCAP_MSG_LEN];
	uint64_t sum = 0;

	memset(&st, 0, sizeof(st));
	err[0] = '\0';
	int rc = rf_pcap_load_mem(data, size, on_record, &s, &st, err, sizeof(err));

	check(rc <= 0);
	check(st.loaded == s.records && st.bytes == s.bytes);
	for (unsigned i = 0; i < RF_PCAP_SKIP_MAX; i++)
		sum += st.skip[i];
	check(sum == st.skipped);
	if (rc == 0)
		check(s.records > 0);
	else
		check(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
	return 0;
}
