/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for pmd/pcap: the capture loader on the corpus that
 * tests/data/make_bad_pcaps.py writes (every file gives its counts and its
 * message), the loader on truncated and corrupted copies in memory, and the
 * net_pcap port: RX from pcap and pcapng files checked byte for byte against
 * the generator's sidecar files, infinite_rx, TX to a file read back with
 * libpcap, devargs errors, and a veth pair in a private network namespace for
 * the live-interface mode (skipped without root).
 *
 * Every test ends with no port open and every mbuf back in the pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "rf_eal.h"
#include "rf_ethdev.h"
#include "rf_pcap_load.h"

#ifndef RF_PCAP_TEST_DATA
#error "RF_PCAP_TEST_DATA must name tests/data/pcap (tests/meson.build sets it)"
#endif

#define POOL_SIZE  2048
#define MAX_FRAMES 64
#define BURST	   32

static struct rf_mempool *pool;
static char tmpdir[64];

/* --- helpers --- */

static const char *data_path(const char *name)
{
	static char buf[4][512];
	static unsigned i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", RF_PCAP_TEST_DATA, name);
	return p;
}

static const char *tmp_path(const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

static void assert_contains(const char *s, const char *what)
{
	if (strstr(s, what) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, what);
}

/* What the generator wrote for a good capture: NAME.txt, "ts_ns origlen hex" per record. */
struct frame {
	uint64_t ts_ns;
	uint32_t origlen;
	uint32_t len;
	uint8_t *data;
};

struct frames {
	unsigned n;
	struct frame f[MAX_FRAMES];
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void sidecar_load(const char *capture, struct frames *fr)
{
	char name[256];
	snprintf(name, sizeof(name), "%s", capture);
	char *dot = strrchr(name, '.');
	assert_non_null(dot);
	strcpy(dot, ".txt");

	FILE *f = fopen(data_path(name), "r");
	assert_non_null(f);
	memset(fr, 0, sizeof(*fr));
	unsigned long long ts;
	unsigned origlen;
	static char hex[2 * 65536 + 2];
	while (fscanf(f, "%llu %u %131072s", &ts, &origlen, hex) == 3) {
		assert_true(fr->n < MAX_FRAMES);
		struct frame *x = &fr->f[fr->n++];
		size_t hl = strlen(hex);
		assert_int_equal(hl % 2, 0);
		x->ts_ns = ts;
		x->origlen = origlen;
		x->len = (uint32_t)(hl / 2);
		x->data = malloc(x->len);
		assert_non_null(x->data);
		for (size_t i = 0; i < x->len; i++) {
			int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
			assert_true(hi >= 0 && lo >= 0);
			x->data[i] = (uint8_t)(hi << 4 | lo);
		}
	}
	fclose(f);
	assert_true(fr->n > 0);
}

static void frames_free(struct frames *fr)
{
	for (unsigned i = 0; i < fr->n; i++)
		free(fr->f[i].data);
	fr->n = 0;
}

static uint8_t *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	long sz = ftell(f);
	assert_true(sz >= 0);
	rewind(f);
	/* Exactly the file's size (at least 1 byte), so that ASan sees any read past it. */
	uint8_t *b = malloc(sz > 0 ? (size_t)sz : 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*len = (size_t)sz;
	return b;
}

/* An mbuf chain's bytes, flat; the caller frees. */
static uint8_t *mbuf_flat(const struct rf_mbuf *m)
{
	uint8_t *b = malloc(m->pkt_len);
	assert_non_null(b);
	const void *p = rf_pktmbuf_read(m, 0, m->pkt_len, b);
	assert_non_null(p);
	if (p != b)
		memcpy(b, p, m->pkt_len);
	return b;
}

static void assert_mbuf_is_frame(const struct rf_mbuf *m, const struct frame *x)
{
	const char *why = NULL;
	if (rf_mbuf_check(m, &why) != 0)
		fail_msg("bad mbuf chain: %s", why != NULL ? why : "?");
	assert_int_equal(m->pkt_len, x->len);
	uint8_t *b = mbuf_flat(m);
	assert_memory_equal(b, x->data, x->len);
	free(b);
	assert_true(m->ol_flags & RF_MBUF_F_RX_TIMESTAMP);
	assert_int_equal(m->timestamp, x->ts_ns);
}

/* --- the corpus --- */

struct expect {
	const char *file;
	int rc;
	uint64_t loaded;
	uint64_t skipped;
	int reason; /* -1: none */
	int stopped;
	const char *text; /* in err (the error, or the warning of a load with skips) */
};

static const struct expect corpus[] = {
    {"good_64.pcap", 0, 8, 0, -1, 0, NULL},
    {"good_mixed.pcap", 0, 12, 0, -1, 0, NULL},
    {"good_nano.pcap", 0, 4, 0, -1, 0, NULL},
    {"good_be.pcap", 0, 3, 0, -1, 0, NULL},
    {"good_be_nano.pcap", 0, 2, 0, -1, 0, NULL},
    {"good_jumbo.pcap", 0, 4, 0, -1, 0, NULL},
    {"good.pcapng", 0, 3, 0, -1, 0, NULL},
    {"empty.pcap", -ENODATA, 0, 0, -1, 0, "empty capture"},
    {"header_only.pcap", -ENODATA, 0, 0, -1, 0, "no packets: the capture has a file header"},
    {"bad_magic.pcap", -EINVAL, 0, 0, -1, 0, "magic 0xdeadbeef"},
    {"truncated_global.pcap", -EINVAL, 0, 0, -1, 0, "truncated file header: 10 of 24 bytes"},
    {"linktype_sll.pcap", -ENOTSUP, 0, 0, -1, 0,
     "link type 113 (LINUX_SLL), only Ethernet (1) is supported"},
    {"truncated_record_hdr.pcap", 0, 2, 1, RF_PCAP_SKIP_TRUNCATED, 1,
     "record 2 at offset 184: truncated record header: 7 of 16 bytes"},
    {"truncated_record_data.pcap", 0, 2, 1, RF_PCAP_SKIP_TRUNCATED, 1,
     "truncated record data: 30 of 64 bytes"},
    {"caplen_over_snaplen.pcap", 0, 1, 1, RF_PCAP_SKIP_CAPLEN_OVER_SNAPLEN, 1,
     "caplen 200 exceeds the file's snaplen 128"},
    {"caplen_huge.pcap", 0, 1, 1, RF_PCAP_SKIP_CAPLEN_HUGE, 1,
     "caplen 268435456 exceeds the 262144-byte limit"},
    {"caplen_over_origlen.pcap", 0, 2, 1, RF_PCAP_SKIP_CAPLEN_OVER_ORIGLEN, 0,
     "caplen 64 > original length 60: skipped"},
    {"truncated.pcapng", 0, 2, 1, RF_PCAP_SKIP_TRUNCATED, 1, "truncated"},
};

/* Every record the loader hands out must satisfy what it promises. */
static int check_record_cb(void *arg, const struct rf_pcap_record *rec)
{
	uint64_t *n = arg;

	assert_non_null(rec->data);
	assert_true(rec->caplen >= 1 && rec->caplen <= RF_PCAP_MAX_SNAPLEN);
	assert_true(rec->caplen <= rec->origlen);
	(*n)++;
	return 0;
}

static void check_expect(const struct expect *e, int rc, const struct rf_pcap_stats *st,
			 uint64_t seen, const char *err)
{
	if (rc != e->rc)
		fail_msg("%s: rc %d, expected %d (%s)", e->file, rc, e->rc, err);
	if (e->text != NULL)
		assert_contains(err, e->text);
	if (e->rc == -EINVAL || e->rc == -ENOTSUP || e->rc == -ENODATA)
		assert_int_equal(seen, 0);
	if (rc == 0 || rc == -ENODATA) {
		assert_int_equal(st->loaded, e->loaded);
		assert_int_equal(seen, e->loaded);
		assert_int_equal(st->skipped, e->skipped);
		assert_int_equal(st->stopped, e->stopped);
		uint64_t sum = 0;
		for (int r = 0; r < RF_PCAP_SKIP_MAX; r++) {
			sum += st->skip[r];
			if (r != e->reason)
				assert_int_equal(st->skip[r], 0);
		}
		assert_int_equal(sum, st->skipped);
		if (e->reason >= 0) {
			assert_int_equal(st->skip[e->reason], e->skipped);
			assert_contains(st->warning, e->text);
		} else {
			assert_string_equal(st->warning, "");
		}
	}
}

static void test_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < RF_DIM(corpus); i++) {
		const struct expect *e = &corpus[i];
		struct rf_pcap_stats st;
		char err[RF_PCAP_MSG_LEN] = "";
		uint64_t seen = 0;

		memset(&st, 0xa5, sizeof(st));
		int rc = rf_pcap_load_file(data_path(e->file), check_record_cb, &seen, &st, err,
					   sizeof(err));
		check_expect(e, rc, &st, seen, err);

		/* The same from memory. */
		size_t len;
		uint8_t *buf = file_read(data_path(e->file), &len);
		char err2[RF_PCAP_MSG_LEN] = "";
		struct rf_pcap_stats st2;
		uint64_t seen2 = 0;
		memset(&st2, 0x5a, sizeof(st2));
		rc = rf_pcap_load_mem(buf, len, check_record_cb, &seen2, &st2, err2, sizeof(err2));
		check_expect(e, rc, &st2, seen2, err2);
		assert_string_equal(err, err2);
		free(buf);
	}
}

static void test_reader_api(void **state)
{
	char err[RF_PCAP_MSG_LEN] = "";
	struct rf_pcap_record rec;
	(void)state;

	/* Opening reports the file-level errors with errno. */
	errno = 0;
	assert_null(rf_pcap_open(data_path("does-not-exist.pcap"), err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_contains(err, "cannot open");
	assert_null(rf_pcap_open(data_path("linktype_sll.pcap"), err, sizeof(err)));
	assert_int_equal(errno, ENOTSUP);
	assert_null(rf_pcap_open_mem(NULL, 0, err, sizeof(err)));
	assert_int_equal(errno, ENODATA);
	assert_contains(err, "empty capture");

	/* pcapng: the first interface is read at open, so a link type shows there too. */
	struct rf_pcap_reader *r = rf_pcap_open(data_path("good.pcapng"), err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(rf_pcap_reader_format(r), RF_PCAP_FMT_PCAPNG);
	assert_int_equal(rf_pcap_reader_snaplen(r), 65535);
	unsigned n = 0;
	uint64_t last_index = 0;
	while (rf_pcap_next(r, &rec) == 1) {
		assert_true(rec.has_ts);
		if (n > 0)
			assert_true(rec.index > last_index);
		last_index = rec.index;
		n++;
	}
	assert_int_equal(n, 3);
	/* At the end it stays at the end. */
	assert_int_equal(rf_pcap_next(r, &rec), 0);
	assert_int_equal(rf_pcap_next(r, &rec), 0);
	assert_string_equal(rf_pcap_error(r), "");
	rf_pcap_close(r);

	r = rf_pcap_open(data_path("caplen_over_snaplen.pcap"), err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(rf_pcap_reader_format(r), RF_PCAP_FMT_PCAP);
	assert_int_equal(rf_pcap_reader_snaplen(r), 128);
	assert_int_equal(rf_pcap_next(r, &rec), 1);
	assert_int_equal(rec.index, 0);
	assert_int_equal(rec.offset, 24);
	assert_int_equal(rf_pcap_next(r, &rec), 0);
	assert_true(rf_pcap_reader_stats(r)->stopped);
	rf_pcap_close(r);
	rf_pcap_close(NULL);

	assert_string_equal(rf_pcap_skip_reason_str(RF_PCAP_SKIP_TRUNCATED), "truncated record");
	assert_string_equal(rf_pcap_skip_reason_str(RF_PCAP_SKIP_MAX), "?");
	assert_string_equal(rf_pcap_linktype_name(113), "LINUX_SLL");
	assert_null(rf_pcap_linktype_name(60000));
}

/* Records through the loader and through libpcap agree with the generator's sidecar. */
static void test_records_match_sidecar(void **state)
{
	static const char *const good[] = {"good_64.pcap", "good_mixed.pcap",	"good_nano.pcap",
					   "good_be.pcap", "good_be_nano.pcap", "good_jumbo.pcap",
					   "good.pcapng"};
	char err[RF_PCAP_MSG_LEN], perr[PCAP_ERRBUF_SIZE];
	(void)state;

	for (size_t g = 0; g < RF_DIM(good); g++) {
		struct frames fr;
		sidecar_load(good[g], &fr);

		struct rf_pcap_reader *r = rf_pcap_open(data_path(good[g]), err, sizeof(err));
		assert_non_null(r);
		pcap_t *p = pcap_open_offline_with_tstamp_precision(
		    data_path(good[g]), PCAP_TSTAMP_PRECISION_NANO, perr);
		if (p == NULL)
			fail_msg("libpcap: %s", perr);

		struct rf_pcap_record rec;
		for (unsigned i = 0; i < fr.n; i++) {
			const struct frame *x = &fr.f[i];
			assert_int_equal(rf_pcap_next(r, &rec), 1);
			assert_int_equal(rec.caplen, x->len);
			assert_int_equal(rec.origlen, x->origlen);
			assert_int_equal(rec.ts_ns, x->ts_ns);
			assert_memory_equal(rec.data, x->data, x->len);

			struct pcap_pkthdr *h;
			const u_char *d;
			assert_int_equal(pcap_next_ex(p, &h, &d), 1);
			assert_int_equal(h->caplen, x->len);
			assert_int_equal(h->len, x->origlen);
			assert_int_equal((uint64_t)h->ts.tv_sec * 1000000000u +
					     (uint64_t)h->ts.tv_usec,
					 x->ts_ns);
			assert_memory_equal(d, x->data, x->len);
		}
		assert_int_equal(rf_pcap_next(r, &rec), 0);
		struct pcap_pkthdr *h;
		const u_char *d;
		assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
		pcap_close(p);
		rf_pcap_close(r);
		frames_free(&fr);
	}
}

/*
 * Every prefix of a good capture: the complete records load, the cut one is
 * counted as truncated, and nothing reads past the buffer (each prefix is a
 * buffer of exactly that size).
 */
static void test_every_prefix(void **state)
{
	size_t len;
	uint8_t *full = file_read(data_path("good_64.pcap"), &len);
	(void)state;

	for (size_t l = 0; l <= len; l++) {
		uint8_t *b = malloc(l > 0 ? l : 1);
		assert_non_null(b);
		memcpy(b, full, l);
		struct rf_pcap_stats st;
		char err[RF_PCAP_MSG_LEN] = "";
		uint64_t seen = 0;
		int rc = rf_pcap_load_mem(b, l, check_record_cb, &seen, &st, err, sizeof(err));
		/* good_64.pcap: a 24-byte header, then records of 16 + 64 bytes. */
		uint64_t complete = l < 24 ? 0 : (l - 24) / 80;
		bool cut = l > 24 && (l - 24) % 80 != 0;
		if (l == 0) {
			assert_int_equal(rc, -ENODATA);
		} else if (l < 24) {
			assert_int_equal(rc, -EINVAL);
			assert_contains(err, "truncated file header");
		} else if (complete == 0) {
			assert_int_equal(rc, -ENODATA);
			assert_int_equal(st.skipped, cut ? 1 : 0);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(st.loaded, complete);
			assert_int_equal(seen, complete);
			assert_int_equal(st.skip[RF_PCAP_SKIP_TRUNCATED], cut ? 1 : 0);
			assert_int_equal(st.stopped, cut ? 1 : 0);
		}
		free(b);
	}
	free(full);

	/* pcapng: the same, block by block (3 packets; the custom block carries none). */
	full = file_read(data_path("good.pcapng"), &len);
	uint64_t prev = 0;
	for (size_t l = 0; l <= len; l++) {
		uint8_t *b = malloc(l > 0 ? l : 1);
		assert_non_null(b);
		memcpy(b, full, l);
		struct rf_pcap_stats st;
		char err[RF_PCAP_MSG_LEN] = "";
		uint64_t seen = 0;
		int rc = rf_pcap_load_mem(b, l, check_record_cb, &seen, &st, err, sizeof(err));
		assert_true(rc == 0 || rc == -ENODATA || rc == -EINVAL);
		if (rc == 0) {
			assert_true(st.loaded >= 1 && st.loaded <= 3);
			/* A longer prefix never loads fewer packets. */
			assert_true(st.loaded >= prev);
			prev = st.loaded;
			assert_int_equal(st.skipped, l == len ? 0 : st.skipped);
		}
		if (l == len) {
			assert_int_equal(rc, 0);
			assert_int_equal(st.loaded, 3);
			assert_int_equal(st.skipped, 0);
		}
		free(b);
	}
	free(full);
}

/* Each byte of each good capture flipped: any outcome but a crash, a hang or a broken promise. */
static void test_byte_flips(void **state)
{
	static const char *const files[] = {"good_64.pcap", "good.pcapng", "good_be_nano.pcap",
					    "caplen_over_origlen.pcap"};
	(void)state;

	for (size_t f = 0; f < RF_DIM(files); f++) {
		size_t len;
		uint8_t *b = file_read(data_path(files[f]), &len);
		for (size_t i = 0; i < len; i++) {
			for (unsigned k = 0; k < 2; k++) {
				uint8_t mask = k == 0 ? 0xff : 0x80;
				b[i] ^= mask;
				struct rf_pcap_stats st;
				char err[RF_PCAP_MSG_LEN] = "";
				uint64_t seen = 0;
				int rc = rf_pcap_load_mem(b, len, check_record_cb, &seen, &st, err,
							  sizeof(err));
				b[i] ^= mask;
				assert_true(rc == 0 || rc == -ENODATA || rc == -EINVAL ||
					    rc == -ENOTSUP);
				assert_true(err[0] != '\0' || rc == 0);
				if (rc == 0) {
					assert_true(st.loaded >= 1);
					assert_int_equal(seen, st.loaded);
				}
			}
		}
		free(b);
	}
}

/* --- into mbufs --- */

static void test_record_to_mbuf(void **state)
{
	struct frames fr;
	(void)state;

	sidecar_load("good_jumbo.pcap", &fr);
	for (unsigned i = 0; i < fr.n; i++) {
		struct rf_pcap_record rec = {.data = fr.f[i].data,
					     .caplen = fr.f[i].len,
					     .origlen = fr.f[i].origlen,
					     .ts_ns = fr.f[i].ts_ns,
					     .has_ts = 1};
		struct rf_mbuf *m = rf_pcap_record_to_mbuf(&rec, pool);
		assert_non_null(m);
		/* 2048 bytes of data room per segment. */
		assert_int_equal(m->nb_segs, (fr.f[i].len + RF_MBUF_DEFAULT_DATAROOM - 1) /
						 RF_MBUF_DEFAULT_DATAROOM);
		assert_mbuf_is_frame(m, &fr.f[i]);
		rf_pktmbuf_free(m);
	}
	frames_free(&fr);

	/* Without a timestamp (pcapng SPB) the flag stays clear. */
	uint8_t b[60] = {1, 2, 3};
	struct rf_pcap_record rec = {.data = b, .caplen = 60, .origlen = 60};
	struct rf_mbuf *m = rf_pcap_record_to_mbuf(&rec, pool);
	assert_non_null(m);
	assert_false(m->ol_flags & RF_MBUF_F_RX_TIMESTAMP);
	rf_pktmbuf_free(m);
}

static void test_preload(void **state)
{
	struct rf_pcap_capture cap;
	struct frames fr;
	char err[RF_PCAP_MSG_LEN] = "";
	(void)state;

	sidecar_load("good_mixed.pcap", &fr);
	assert_int_equal(
	    rf_pcap_preload(data_path("good_mixed.pcap"), pool, 0, &cap, err, sizeof(err)), 0);
	assert_int_equal(cap.nb_pkts, fr.n);
	assert_int_equal(rf_mempool_in_use_count(pool), fr.n);
	uint64_t bytes = 0;
	for (unsigned i = 0; i < fr.n; i++) {
		assert_mbuf_is_frame(cap.pkts[i], &fr.f[i]);
		bytes += fr.f[i].len;
	}
	assert_int_equal(cap.bytes, bytes);
	rf_pcap_capture_free(&cap);
	assert_null(cap.pkts);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);

	assert_int_equal(
	    rf_pcap_preload(data_path("good_mixed.pcap"), pool, 5, &cap, err, sizeof(err)), -E2BIG);
	assert_contains(err, "more than 5 packets");
	assert_int_equal(rf_mempool_in_use_count(pool), 0);

	/* A pool that runs out: nothing kept, and the message says so. */
	struct rf_mempool *tiny =
	    rf_pktmbuf_pool_create("pcap_tiny", 6, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(tiny);
	assert_int_equal(
	    rf_pcap_preload(data_path("good_mixed.pcap"), tiny, 0, &cap, err, sizeof(err)),
	    -ENOMEM);
	assert_contains(err, "ran out after 6 packets");
	assert_int_equal(rf_mempool_in_use_count(tiny), 0);
	rf_mempool_free(tiny);

	assert_int_equal(
	    rf_pcap_preload(data_path("header_only.pcap"), pool, 0, &cap, err, sizeof(err)),
	    -ENODATA);
	assert_int_equal(
	    rf_pcap_preload(data_path("bad_magic.pcap"), pool, 0, &cap, err, sizeof(err)), -EINVAL);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	frames_free(&fr);
}

/* --- the port --- */

static uint16_t port_up(const char *devargs, uint16_t nb_rxq, uint16_t nb_txq)
{
	char err[512] = "";
	uint16_t port;

	int rc = rf_eth_dev_create(devargs, &port, err, sizeof(err));
	if (rc != 0)
		fail_msg("create %s: %d %s", devargs, rc, err);
	assert_int_equal(rf_eth_dev_configure(port, nb_rxq, nb_txq, NULL), 0);
	if (nb_rxq > 0)
		assert_int_equal(rf_eth_rx_queue_setup(port, 0, 256, -1, pool), 0);
	if (nb_txq > 0)
		assert_int_equal(rf_eth_tx_queue_setup(port, 0, 256, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	return port;
}

/* Receive until a burst comes back empty; at most max packets. */
static unsigned rx_all(uint16_t port, struct rf_mbuf **pkts, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		uint16_t want = (uint16_t)RF_MIN((unsigned)BURST, max - n);
		if (want == 0)
			break;
		uint16_t got = rf_eth_rx_burst(port, 0, pkts + n, want);
		if (got == 0)
			break;
		n += got;
	}
	return n;
}

static void rx_file_check(const char *file)
{
	char devargs[600];
	struct frames fr;
	struct rf_mbuf *pkts[MAX_FRAMES + 1];

	sidecar_load(file, &fr);
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s", data_path(file));
	uint16_t port = port_up(devargs, 1, 1);

	for (int round = 0; round < 2; round++) {
		unsigned n = rx_all(port, pkts, MAX_FRAMES + 1);
		assert_int_equal(n, fr.n);
		uint64_t bytes = 0;
		for (unsigned i = 0; i < n; i++) {
			assert_mbuf_is_frame(pkts[i], &fr.f[i]);
			assert_int_equal(pkts[i]->port, port);
			bytes += pkts[i]->pkt_len;
		}
		rf_pktmbuf_free_bulk(pkts, n);
		/* The end of the file: nothing more, however often it is polled. */
		for (int k = 0; k < 3; k++)
			assert_int_equal(rf_eth_rx_burst(port, 0, pkts, BURST), 0);

		struct rf_eth_stats st;
		assert_int_equal(rf_eth_stats_get(port, &st), 0);
		assert_int_equal(st.ipackets, fr.n);
		assert_int_equal(st.ibytes, bytes);
		assert_int_equal(st.q_ipackets[0], fr.n);
		assert_int_equal(st.ierrors, 0);
		assert_int_equal(rf_eth_stats_reset(port), 0);

		/* A restart reads the file from its beginning again, as DPDK's does. */
		assert_int_equal(rf_eth_dev_stop(port), 0);
		assert_int_equal(rf_eth_dev_start(port), 0);
	}
	assert_int_equal(rf_eth_dev_close(port), 0);
	frames_free(&fr);
}

static void test_rx_file(void **state)
{
	(void)state;
	rx_file_check("good_mixed.pcap");
	rx_file_check("good_nano.pcap");
	rx_file_check("good_be.pcap");
	rx_file_check("good_jumbo.pcap");
	rx_file_check("good.pcapng");
}

static void test_rx_pool_empty(void **state)
{
	char devargs[600];
	struct frames fr;
	struct rf_mbuf *pkts[MAX_FRAMES];
	(void)state;

	/* A pool of 2: RX delivers what fits, counts the rest as rx_nombuf, and loses nothing. */
	struct rf_mempool *small =
	    rf_pktmbuf_pool_create("pcap_small", 2, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(small);
	sidecar_load("good_64.pcap", &fr);
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s", data_path("good_64.pcap"));
	uint16_t port;
	char err[256];
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 1, 0, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, small), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	unsigned total = 0;
	for (int k = 0; k < 20 && total < fr.n; k++) {
		uint16_t got = rf_eth_rx_burst(port, 0, pkts, BURST);
		assert_true(got <= 2);
		for (uint16_t i = 0; i < got; i++)
			assert_mbuf_is_frame(pkts[i], &fr.f[total + i]);
		total += got;
		rf_pktmbuf_free_bulk(pkts, got);
	}
	assert_int_equal(total, fr.n);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_true(st.rx_nombuf > 0);
	assert_int_equal(st.ipackets, fr.n);
	assert_int_equal(rf_eth_dev_close(port), 0);
	assert_int_equal(rf_mempool_in_use_count(small), 0);
	rf_mempool_free(small);
	frames_free(&fr);
}

static void test_rx_bad_records(void **state)
{
	char devargs[600];
	struct rf_mbuf *pkts[MAX_FRAMES];
	(void)state;

	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s",
		 data_path("truncated_record_data.pcap"));
	uint16_t port = port_up(devargs, 1, 0);
	unsigned n = rx_all(port, pkts, MAX_FRAMES);
	assert_int_equal(n, 2);
	rf_pktmbuf_free_bulk(pkts, n);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.ipackets, 2);
	assert_int_equal(st.ierrors, 1);
	assert_int_equal(st.q_errors[0], 1);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* A header-only file is a port that never receives. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s", data_path("header_only.pcap"));
	port = port_up(devargs, 1, 1);
	assert_int_equal(rf_eth_rx_burst(port, 0, pkts, BURST), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);
}

static uint64_t xstat(uint16_t port, const char *name)
{
	struct rf_eth_xstat xs[64];
	int n = rf_eth_xstats_get(port, xs, RF_DIM(xs));

	assert_true(n > 0 && n <= (int)RF_DIM(xs));
	for (int i = 0; i < n; i++)
		if (strcmp(xs[i].name, name) == 0)
			return xs[i].value;
	fail_msg("no xstat %s", name);
	return 0;
}

static void infinite_check(const char *file, unsigned loops)
{
	char devargs[600];
	struct frames fr;
	struct rf_mbuf *pkts[7];

	sidecar_load(file, &fr);
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,infinite_rx=1", data_path(file));
	uint16_t port = port_up(devargs, 1, 1);
	/* The preloaded capture sits in the pool while the port runs. */
	assert_true(rf_mempool_in_use_count(pool) >= fr.n);

	/* loops whole rounds and one packet of the next. */
	unsigned total = loops * fr.n + 1, seen = 0;
	while (seen < total) {
		uint16_t got = rf_eth_rx_burst(port, 0, pkts, (uint16_t)RF_MIN(7u, total - seen));
		assert_true(got > 0);
		for (uint16_t i = 0; i < got; i++) {
			assert_mbuf_is_frame(pkts[i], &fr.f[(seen + i) % fr.n]);
			/* Ours to write: the next round's copy must not see it. */
			rf_pktmbuf_mtod(pkts[i], uint8_t *)[0] ^= 0xff;
		}
		seen += got;
		rf_pktmbuf_free_bulk(pkts, got);
	}
	assert_int_equal(xstat(port, "rx_infinite_loops"), loops);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.ipackets, total);
	assert_int_equal(rf_eth_dev_stop(port), 0);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);
	frames_free(&fr);
}

static void test_infinite_rx(void **state)
{
	(void)state;
	infinite_check("good_64.pcap", 3);
	infinite_check("good_jumbo.pcap", 2); /* chains: the deep-copy path */
	infinite_check("good.pcapng", 4);
}

static void test_infinite_rx_errors(void **state)
{
	char devargs[600], err[256];
	uint16_t port;
	(void)state;

	/* Nothing to loop over: the start fails and says why in the log. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,infinite_rx=1",
		 data_path("header_only.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), -ENODATA);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* A pool too small for the capture. */
	struct rf_mempool *tiny =
	    rf_pktmbuf_pool_create("pcap_tiny2", 4, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(tiny);
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,infinite_rx=1",
		 data_path("good_64.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 1, 0, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, tiny), 0);
	assert_int_equal(rf_eth_dev_start(port), -ENOMEM);
	assert_int_equal(rf_mempool_in_use_count(tiny), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);
	rf_mempool_free(tiny);
}

/* Frames from the sidecar as mbufs: the loader's own conversion is checked above. */
static struct rf_mbuf *frame_mbuf(const struct frame *x)
{
	struct rf_pcap_record rec = {.data = x->data, .caplen = x->len, .origlen = x->len};
	struct rf_mbuf *m = rf_pcap_record_to_mbuf(&rec, pool);
	assert_non_null(m);
	return m;
}

static struct timespec now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

static uint64_t ts_ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_tx_file(void **state)
{
	char devargs[600], perr[PCAP_ERRBUF_SIZE];
	struct frames mixed, jumbo;
	struct rf_mbuf *pkts[MAX_FRAMES];
	(void)state;

	sidecar_load("good_mixed.pcap", &mixed);
	sidecar_load("good_jumbo.pcap", &jumbo);
	const char *out = tmp_path("tx.pcap");
	snprintf(devargs, sizeof(devargs), "net_pcap1,tx_pcap=%s", out);
	uint16_t port = port_up(devargs, 0, 1);

	uint64_t t0 = ts_ns(now_real());
	for (unsigned i = 0; i < mixed.n; i++)
		pkts[i] = frame_mbuf(&mixed.f[i]);
	assert_int_equal(rf_eth_tx_burst(port, 0, pkts, (uint16_t)mixed.n), mixed.n);
	/* Chains are written linearised. */
	for (unsigned i = 0; i < jumbo.n; i++)
		pkts[i] = frame_mbuf(&jumbo.f[i]);
	assert_true(pkts[0]->nb_segs > 1);
	assert_int_equal(rf_eth_tx_burst(port, 0, pkts, (uint16_t)jumbo.n), jumbo.n);
	/* TX took them all and freed them. */
	assert_int_equal(rf_mempool_in_use_count(pool), 0);

	/* Stop flushes: the file is complete now, while the port still exists. */
	assert_int_equal(rf_eth_dev_stop(port), 0);
	uint64_t t1 = ts_ns(now_real());
	pcap_t *p = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p == NULL)
		fail_msg("libpcap: %s", perr);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *d;
	for (unsigned i = 0; i < mixed.n + jumbo.n; i++) {
		const struct frame *x = i < mixed.n ? &mixed.f[i] : &jumbo.f[i - mixed.n];
		assert_int_equal(pcap_next_ex(p, &h, &d), 1);
		assert_int_equal(h->caplen, x->len);
		assert_int_equal(h->len, x->len);
		assert_memory_equal(d, x->data, x->len);
		uint64_t t = (uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec;
		assert_true(t >= t0 && t <= t1);
	}
	assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(p);

	/*
	 * Started again, the port appends; close flushes. Frames longer than
	 * 65535 bytes (BIG TCP, jumbograms) are written whole, up to libpcap's
	 * largest snapshot, 262144; one longer than that is dropped and
	 * counted, never written cut short.
	 */
	assert_int_equal(rf_eth_dev_start(port), 0);
	static const uint32_t big_len[] = {65536, 80000, RF_PCAP_MAX_SNAPLEN,
					   RF_PCAP_MAX_SNAPLEN + 1};
	uint8_t *bigdata = malloc(RF_PCAP_MAX_SNAPLEN + 1);
	assert_non_null(bigdata);
	for (uint32_t i = 0; i < RF_PCAP_MAX_SNAPLEN + 1; i++)
		bigdata[i] = (uint8_t)(i * 13 + (i >> 11));
	pkts[0] = frame_mbuf(&mixed.f[0]);
	for (unsigned k = 0; k < RF_DIM(big_len); k++) {
		/* The loader's records stop at RF_PCAP_MAX_SNAPLEN: the last one is chained by
		 * hand. */
		uint32_t part = RF_MIN(big_len[k], RF_PCAP_MAX_SNAPLEN);
		struct rf_pcap_record rec = {.data = bigdata, .caplen = part, .origlen = part};
		pkts[1 + k] = rf_pcap_record_to_mbuf(&rec, pool);
		assert_non_null(pkts[1 + k]);
		if (part < big_len[k]) {
			struct rf_pcap_record tail = {
			    .data = bigdata + part, .caplen = big_len[k] - part, .origlen = 1};
			struct rf_mbuf *t = rf_pcap_record_to_mbuf(&tail, pool);
			assert_non_null(t);
			assert_int_equal(rf_pktmbuf_chain(pkts[1 + k], t), 0);
		}
		assert_int_equal(pkts[1 + k]->pkt_len, big_len[k]);
	}
	assert_int_equal(rf_eth_tx_burst(port, 0, pkts, 1 + RF_DIM(big_len)), 1 + RF_DIM(big_len));
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.opackets, mixed.n + jumbo.n + RF_DIM(big_len));
	assert_int_equal(st.tx_oversize, 1);
	assert_int_equal(st.oerrors, 0);
	struct rf_eth_dev_info info;
	assert_int_equal(rf_eth_dev_info_get(port, &info), 0);
	assert_int_equal(info.max_tx_pktlen, RF_PCAP_MAX_SNAPLEN);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* Read back with our loader too: the capture is a nanosecond pcap. */
	struct rf_pcap_stats lst;
	char err[RF_PCAP_MSG_LEN];
	assert_int_equal(rf_pcap_load_file(out, NULL, NULL, &lst, err, sizeof(err)), 0);
	assert_int_equal(lst.loaded, mixed.n + jumbo.n + RF_DIM(big_len));
	assert_int_equal(lst.skipped, 0);
	p = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_NANO, perr);
	assert_non_null(p);
	for (unsigned i = 0; i < mixed.n + jumbo.n + 1; i++)
		assert_int_equal(pcap_next_ex(p, &h, &d), 1);
	for (unsigned k = 0; k + 1 < RF_DIM(big_len); k++) {
		assert_int_equal(pcap_next_ex(p, &h, &d), 1);
		assert_int_equal(h->caplen, big_len[k]);
		assert_int_equal(h->len, big_len[k]);
		assert_memory_equal(d, bigdata, big_len[k]);
	}
	assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(p);
	free(bigdata);
	frames_free(&mixed);
	frames_free(&jumbo);
}

/* testpmd's io forwarding between two files: what comes out is what went in. */
static void test_rx_to_tx_file(void **state)
{
	char devargs[600], perr[PCAP_ERRBUF_SIZE];
	struct frames fr;
	struct rf_mbuf *pkts[BURST];
	(void)state;

	sidecar_load("good_mixed.pcap", &fr);
	const char *out = tmp_path("fwd.pcap");
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,tx_pcap=%s",
		 data_path("good_mixed.pcap"), out);
	uint16_t port = port_up(devargs, 1, 1);
	uint16_t n;
	while ((n = rf_eth_rx_burst(port, 0, pkts, 5)) > 0)
		assert_int_equal(rf_eth_tx_burst(port, 0, pkts, n), n);
	assert_int_equal(rf_eth_dev_close(port), 0);

	pcap_t *p = pcap_open_offline_with_tstamp_precision(out, PCAP_TSTAMP_PRECISION_NANO, perr);
	assert_non_null(p);
	struct pcap_pkthdr *h;
	const u_char *d;
	for (unsigned i = 0; i < fr.n; i++) {
		assert_int_equal(pcap_next_ex(p, &h, &d), 1);
		assert_int_equal(h->caplen, fr.f[i].len);
		assert_memory_equal(d, fr.f[i].data, fr.f[i].len);
	}
	assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(p);
	frames_free(&fr);
}

/* fmt with every "@" replaced by the corpus directory. */
static void with_data_dir(char *out, size_t len, const char *fmt)
{
	size_t o = 0;

	for (const char *c = fmt; *c != '\0' && o + 1 < len; c++) {
		if (*c != '@') {
			out[o++] = *c;
			continue;
		}
		int w = snprintf(out + o, len - o, "%s", RF_PCAP_TEST_DATA);
		assert_true(w > 0 && (size_t)w < len - o);
		o += (size_t)w;
	}
	out[o] = '\0';
}

static void test_devargs_errors(void **state)
{
	char devargs[600], err[512];
	uint16_t port;
	(void)state;

	static const struct {
		const char *fmt; /* @: the corpus directory */
		int rc;
		const char *text;
	} cases[] = {
	    {"net_pcap0", -EINVAL, "give at least one of rx_pcap"},
	    /* One burst function per direction: files and interfaces don't mix. */
	    {"net_pcap0,rx_pcap=@/good_64.pcap,rx_iface=lo", -EINVAL,
	     "rx_pcap=" RF_PCAP_TEST_DATA "/good_64.pcap and rx_iface=lo: the RX queues of a "
	     "port are all capture files or all interfaces"},
	    {"net_pcap0,tx_pcap=/tmp/a.pcap,tx_iface=lo", -EINVAL,
	     "the TX queues of a port are all capture files or all interfaces"},
	    {"net_pcap0,iface=lo,rx_pcap=@/good_64.pcap", -EINVAL,
	     "the RX queues of a port are all"},
	    /* The second source is as checked as the first. */
	    {"net_pcap0,rx_pcap=@/good_64.pcap,rx_pcap=@/bad_magic.pcap", -EINVAL,
	     "bad_magic.pcap: not a pcap"},
	    {"net_pcap0,rx_pcap=@/good_64.pcap,rx_pcap=@/no-such-file.pcap", -ENOENT,
	     "cannot open"},
	    {"net_pcap0,rx_iface=lo,infinite_rx=1", -EINVAL, "infinite_rx=1 needs rx_pcap"},
	    {"net_pcap0,tx_pcap=/tmp/x.pcap,infinite_rx=1", -EINVAL, "infinite_rx=1 needs rx_pcap"},
	    {"net_pcap0,rx_pcap=@/good_64.pcap,infinite_rx=maybe", -EINVAL, "infinite_rx"},
	    {"net_pcap0,rx_pcap=@/good_64.pcap,phy_mac=1", -EINVAL, "phy_mac=1 needs iface"},
	    {"net_pcap0,rx_pcap=@/good_64.pcap,snaplen=9", -EINVAL, "snaplen"},
	    {"net_pcap0,rx_pcap=@/bad_magic.pcap", -EINVAL, "bad_magic.pcap: not a pcap"},
	    {"net_pcap0,rx_pcap=@/linktype_sll.pcap", -ENOTSUP,
	     "net_pcap0: rx_pcap=" RF_PCAP_TEST_DATA "/linktype_sll.pcap: link type 113"},
	    {"net_pcap0,rx_pcap=@/empty.pcap", -ENODATA, "empty capture"},
	    {"net_pcap0,rx_pcap=@/no-such-file.pcap", -ENOENT, "cannot open"},
	    {"net_pcap0,tx_pcap=/nonexistent-dir/out.pcap", -EIO, "cannot create the capture"},
	};
	for (size_t i = 0; i < RF_DIM(cases); i++) {
		with_data_dir(devargs, sizeof(devargs), cases[i].fmt);
		err[0] = '\0';
		int rc = rf_eth_dev_create(devargs, &port, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, expected %d (%s)", devargs, rc, cases[i].rc, err);
		assert_contains(err, cases[i].text);
	}
	/* A NULL message buffer is allowed. */
	assert_int_equal(rf_eth_dev_create("net_pcap0", &port, NULL, 0), -EINVAL);
	assert_int_equal(rf_eth_dev_count_avail(), 0);
}

static void test_port_info(void **state)
{
	char devargs[600];
	struct rf_eth_dev_info info;
	struct rf_eth_link link;
	struct rf_ether_addr mac;
	uint16_t port;
	char err[256];
	(void)state;

	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s", data_path("good_64.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_info_get(port, &info), 0);
	assert_string_equal(info.driver_name, "net_pcap");
	assert_int_equal(info.max_rx_queues, 1);
	/* No TX sink: as many dropping TX queues as ethdev allows. */
	assert_int_equal(info.max_tx_queues, RF_MAX_QUEUES_PER_PORT);
	assert_int_equal(info.max_rx_pktlen, RF_PCAP_MAX_SNAPLEN);
	/* One RX queue per rx_pcap. */
	assert_int_equal(rf_eth_dev_configure(port, 2, 1, NULL), -EINVAL);
	assert_int_equal(rf_eth_link_get_nowait(port, &link), 0);
	assert_int_equal(link.status, RF_ETH_LINK_UP);
	assert_int_equal(link.speed_mbps, 10000);
	assert_int_equal(rf_eth_macaddr_get(port, &mac), 0);
	/* No phy_mac=1: ethdev's random locally administered address. */
	assert_int_equal(mac.addr_bytes[0] & 0x03, 0x02);
	assert_true(info.mac_random);
	assert_int_equal(rf_eth_promiscuous_enable(port), 0);
	assert_int_equal(rf_eth_promiscuous_get(port), 1);
	/* A port without a TX sink takes and frees what it is given, as DPDK's tx_drop. */
	assert_int_equal(rf_eth_dev_configure(port, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	struct rf_mbuf *m = rf_pktmbuf_alloc(pool);
	assert_non_null(m);
	assert_non_null(rf_pktmbuf_append(m, 60));
	assert_int_equal(rf_eth_tx_burst(port, 0, &m, 1), 1);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.opackets, 1);
	assert_int_equal(st.obytes, 60);
	assert_int_equal(rf_eth_dev_close(port), 0);
}

/* --- several queues per port (one per source, as DPDK's net_pcap) --- */

/* Every frame of RX queue q until it is empty, checked against fr in order. */
static void rx_queue_is(uint16_t port, uint16_t q, const struct frames *fr)
{
	struct rf_mbuf *pkts[BURST];
	unsigned seen = 0;
	uint16_t got;

	while ((got = rf_eth_rx_burst(port, q, pkts, 5)) > 0) {
		for (uint16_t i = 0; i < got; i++) {
			assert_true(seen + i < fr->n);
			assert_mbuf_is_frame(pkts[i], &fr->f[seen + i]);
		}
		seen += got;
		rf_pktmbuf_free_bulk(pkts, got);
	}
	assert_int_equal(seen, fr->n);
}

/* A capture written by a TX queue holds exactly fr's frames, in order. */
static void capture_is(const char *path, const struct frames *fr)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);

	if (p == NULL)
		fail_msg("libpcap: %s: %s", path, perr);
	for (unsigned i = 0; i < fr->n; i++) {
		assert_int_equal(pcap_next_ex(p, &h, &d), 1);
		assert_int_equal(h->caplen, fr->f[i].len);
		assert_memory_equal(d, fr->f[i].data, fr->f[i].len);
	}
	assert_int_equal(pcap_next_ex(p, &h, &d), PCAP_ERROR_BREAK);
	pcap_close(p);
}

static void test_multi_queue_files(void **state)
{
	char devargs[1200], tx0[600], tx1[600];
	struct frames f64, mixed, nano;
	struct rf_eth_dev_info info;
	struct rf_mbuf *pkts[MAX_FRAMES];
	uint16_t port;
	char err[512];
	(void)state;

	sidecar_load("good_64.pcap", &f64);
	sidecar_load("good_mixed.pcap", &mixed);
	sidecar_load("good_nano.pcap", &nano);
	snprintf(tx0, sizeof(tx0), "%s", tmp_path("mq0.pcap"));
	snprintf(tx1, sizeof(tx1), "%s", tmp_path("mq1.pcap"));
	/* Keys interleaved: the order within each direction is what numbers the queues. */
	int w = snprintf(devargs, sizeof(devargs),
			 "net_pcap0,rx_pcap=%s,tx_pcap=%s,rx_pcap=%s,rx_pcap=%s,tx_pcap=%s",
			 data_path("good_64.pcap"), tx0, data_path("good_mixed.pcap"),
			 data_path("good_nano.pcap"), tx1);
	assert_true(w > 0 && (size_t)w < sizeof(devargs));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_info_get(port, &info), 0);
	assert_int_equal(info.max_rx_queues, 3);
	assert_int_equal(info.max_tx_queues, 2);
	assert_int_equal(rf_eth_dev_configure(port, 4, 2, NULL), -EINVAL);
	assert_int_equal(rf_eth_dev_configure(port, 3, 3, NULL), -EINVAL);
	assert_int_equal(rf_eth_dev_configure(port, 3, 2, NULL), 0);
	for (uint16_t q = 0; q < 3; q++)
		assert_int_equal(rf_eth_rx_queue_setup(port, q, 64, -1, pool), 0);
	for (uint16_t q = 0; q < 2; q++)
		assert_int_equal(rf_eth_tx_queue_setup(port, q, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);

	/* Each queue reads its own file, whatever the order they are polled in. */
	rx_queue_is(port, 2, &nano);
	rx_queue_is(port, 0, &f64);
	rx_queue_is(port, 1, &mixed);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_ipackets[0], f64.n);
	assert_int_equal(st.q_ipackets[1], mixed.n);
	assert_int_equal(st.q_ipackets[2], nano.n);
	assert_int_equal(st.ipackets, f64.n + mixed.n + nano.n);

	/* TX queue q writes the q-th tx_pcap: queue 1 first, to show it is not "the next file". */
	for (unsigned i = 0; i < mixed.n; i++)
		pkts[i] = frame_mbuf(&mixed.f[i]);
	assert_int_equal(rf_eth_tx_burst(port, 1, pkts, (uint16_t)mixed.n), mixed.n);
	for (unsigned i = 0; i < f64.n; i++)
		pkts[i] = frame_mbuf(&f64.f[i]);
	assert_int_equal(rf_eth_tx_burst(port, 0, pkts, (uint16_t)f64.n), f64.n);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_opackets[0], f64.n);
	assert_int_equal(st.q_opackets[1], mixed.n);
	assert_int_equal(st.opackets, f64.n + mixed.n);

	/* A restart reads every file from its beginning again. */
	assert_int_equal(rf_eth_dev_stop(port), 0);
	capture_is(tx0, &f64);
	capture_is(tx1, &mixed);
	assert_int_equal(rf_eth_dev_start(port), 0);
	rx_queue_is(port, 1, &mixed);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* Fewer queues than sources: the others are not opened, and can't be set up. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,rx_pcap=%s",
		 data_path("good_mixed.pcap"), data_path("good_64.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 1, 1, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, pool), 0);
	assert_true(rf_eth_rx_queue_setup(port, 1, 64, -1, pool) < 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	rx_queue_is(port, 0, &mixed);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* A second sink that can't be created fails the probe, and nothing stays open. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,tx_pcap=%s,tx_pcap=/nonexistent-dir/o.pcap",
		 tmp_path("mq-unused.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), -EIO);
	assert_contains(err, "tx_pcap=/nonexistent-dir/o.pcap: cannot create the capture");
	assert_int_equal(rf_eth_dev_count_avail(), 0);
	frames_free(&f64);
	frames_free(&mixed);
	frames_free(&nano);
}

static void test_multi_queue_no_source(void **state)
{
	char devargs[600], err[512];
	struct rf_eth_dev_info info;
	struct rf_mbuf *pkts[BURST];
	uint16_t port;
	(void)state;

	/* No RX source: up to RF_MAX_QUEUES_PER_PORT RX queues that never receive. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,tx_pcap=%s", tmp_path("norx.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_info_get(port, &info), 0);
	assert_int_equal(info.max_rx_queues, RF_MAX_QUEUES_PER_PORT);
	assert_int_equal(info.max_tx_queues, 1);
	assert_int_equal(rf_eth_dev_configure(port, RF_MAX_QUEUES_PER_PORT + 1, 1, NULL), -EINVAL);
	assert_int_equal(rf_eth_dev_configure(port, RF_MAX_QUEUES_PER_PORT, 1, NULL), 0);
	for (uint16_t q = 0; q < RF_MAX_QUEUES_PER_PORT; q++)
		assert_int_equal(rf_eth_rx_queue_setup(port, q, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	for (uint16_t q = 0; q < RF_MAX_QUEUES_PER_PORT; q++)
		assert_int_equal(rf_eth_rx_burst(port, q, pkts, BURST), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* No TX sink: dropping TX queues, each counting what it freed. */
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s", data_path("good_64.pcap"));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 1, 4, NULL), 0);
	assert_int_equal(rf_eth_rx_queue_setup(port, 0, 64, -1, pool), 0);
	for (uint16_t q = 0; q < 4; q++)
		assert_int_equal(rf_eth_tx_queue_setup(port, q, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	uint16_t n = rf_eth_rx_burst(port, 0, pkts, 4);
	assert_int_equal(n, 4);
	assert_int_equal(rf_eth_tx_burst(port, 2, pkts, 3), 3);
	assert_int_equal(rf_eth_tx_burst(port, 3, &pkts[3], 1), 1);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_opackets[0], 0);
	assert_int_equal(st.q_opackets[1], 0);
	assert_int_equal(st.q_opackets[2], 3);
	assert_int_equal(st.q_opackets[3], 1);
	assert_int_equal(st.opackets, 4);
	assert_int_equal(rf_eth_stats_reset(port), 0);
	assert_int_equal(rf_eth_stats_get(port, &st), 0);
	assert_int_equal(st.q_opackets[2], 0);
	assert_int_equal(rf_eth_dev_close(port), 0);

	/* More sources than ethdev has queues. */
	size_t o = (size_t)snprintf(devargs, sizeof(devargs), "net_pcap0");
	for (unsigned i = 0; i <= RF_MAX_QUEUES_PER_PORT; i++)
		o += (size_t)snprintf(devargs + o, sizeof(devargs) - o, ",tx_iface=lo");
	assert_true(o < sizeof(devargs));
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), -EINVAL);
	assert_contains(err, "more than 16 TX queues");
}

static void test_multi_queue_infinite(void **state)
{
	char devargs[600], err[512];
	struct frames f64, ng;
	uint16_t port;
	(void)state;

	sidecar_load("good_64.pcap", &f64);
	sidecar_load("good.pcapng", &ng);
	snprintf(devargs, sizeof(devargs), "net_pcap0,rx_pcap=%s,infinite_rx=1,rx_pcap=%s",
		 data_path("good_64.pcap"), data_path("good.pcapng"));
	uint16_t q;
	assert_int_equal(rf_eth_dev_create(devargs, &port, err, sizeof(err)), 0);
	assert_int_equal(rf_eth_dev_configure(port, 2, 1, NULL), 0);
	for (q = 0; q < 2; q++)
		assert_int_equal(rf_eth_rx_queue_setup(port, q, 64, -1, pool), 0);
	assert_int_equal(rf_eth_tx_queue_setup(port, 0, 64, -1), 0);
	assert_int_equal(rf_eth_dev_start(port), 0);
	/* Each queue loops over its own file: two rounds of each. */
	for (q = 0; q < 2; q++) {
		const struct frames *fr = q == 0 ? &f64 : &ng;
		for (unsigned i = 0; i < 2 * fr->n; i++) {
			struct rf_mbuf *m;
			assert_int_equal(rf_eth_rx_burst(port, q, &m, 1), 1);
			assert_mbuf_is_frame(m, &fr->f[i % fr->n]);
			rf_pktmbuf_free(m);
		}
	}
	assert_int_equal(xstat(port, "rx_infinite_loops"), 4);
	assert_int_equal(rf_eth_dev_stop(port), 0);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);

	/*
	 * Queue 1's pool is too small for its capture: the start fails, and
	 * queue 0's capture, already loaded, goes back to its pool.
	 */
	struct rf_mempool *tiny =
	    rf_pktmbuf_pool_create("pcap_tiny_mq", 2, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(tiny);
	assert_int_equal(rf_eth_rx_queue_setup(port, 1, 64, -1, tiny), 0);
	assert_int_equal(rf_eth_dev_start(port), -ENOMEM);
	assert_int_equal(rf_mempool_in_use_count(pool), 0);
	assert_int_equal(rf_mempool_in_use_count(tiny), 0);
	assert_int_equal(rf_eth_dev_close(port), 0);
	rf_mempool_free(tiny);
	frames_free(&f64);
	frames_free(&ng);
}

/* --- live interfaces --- */

struct netns {
	int orig; /* our original network namespace, to return to */
};

/*
 * A veth pair rfpcap0 <-> rfpcap1 in a network namespace of our own, made with
 * unshare(): it and the pair vanish when we leave it, whatever happens.
 */
static int netns_enter(struct netns *ns)
{
	if (geteuid() != 0)
		return -EPERM;
	ns->orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->orig < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		int e = errno;
		close(ns->orig);
		return -e;
	}
	/* No IPv6 router solicitations or DAD probes on the pair: fewer frames to filter. */
	FILE *f = fopen("/proc/sys/net/ipv6/conf/default/disable_ipv6", "w");
	if (f != NULL) {
		fputs("1\n", f);
		fclose(f);
	}
	int rc = system("ip link add rfpcap0 type veth peer name rfpcap1 && "
			"ip link set rfpcap0 up && ip link set rfpcap1 up");
	if (rc != 0) {
		assert_int_equal(setns(ns->orig, CLONE_NEWNET), 0);
		close(ns->orig);
		return -ENODEV;
	}
	return 0;
}

static void netns_leave(struct netns *ns)
{
	assert_int_equal(setns(ns->orig, CLONE_NEWNET), 0);
	close(ns->orig);
}

/* Our generator's frames go to 02:00:00:00:00:02 as IPv4: anything else on the wire is noise. */
static bool is_ours(const struct rf_mbuf *m)
{
	const uint8_t *b = rf_pktmbuf_mtod(m, const uint8_t *);
	static const uint8_t dst[6] = {2, 0, 0, 0, 0, 2};

	return m->data_len >= 14 && memcmp(b, dst, 6) == 0 && b[12] == 0x08 && b[13] == 0x00;
}

/* Poll until want frames of ours arrived, or a bounded number of empty polls passed. */
static unsigned rx_ours(uint16_t port, struct rf_mbuf **out, unsigned want)
{
	struct rf_mbuf *pkts[BURST];
	unsigned n = 0;

	for (unsigned idle = 0; n < want && idle < 2000; idle++) {
		uint16_t got = rf_eth_rx_burst(port, 0, pkts, BURST);
		if (got > 0)
			idle = 0;
		for (uint16_t i = 0; i < got; i++) {
			if (is_ours(pkts[i]) && n < want)
				out[n++] = pkts[i];
			else
				rf_pktmbuf_free(pkts[i]);
		}
		if (got == 0)
			usleep(1000);
	}
	return n;
}

static void test_live_veth(void **state)
{
	struct netns ns = {.orig = -1};
	struct frames fr;
	struct rf_mbuf *pkts[MAX_FRAMES];
	(void)state;

	int rc = netns_enter(&ns);
	if (rc < 0) {
		fprintf(stderr,
			"live test skipped: no private network namespace with a veth pair "
			"(%s; needs root and iproute2)\n",
			strerror(-rc));
		skip();
	}
	sidecar_load("good_mixed.pcap", &fr);
	uint16_t a = port_up("net_pcap2,iface=rfpcap0,phy_mac=1", 1, 1);
	uint16_t b = port_up("net_pcap3,rx_iface_in=rfpcap1,tx_iface=rfpcap1", 1, 1);

	/* phy_mac=1 takes the interface's own address (as iproute2 reports it). */
	struct rf_ether_addr mac, sys;
	char line[256] = "";
	FILE *f = popen("ip -o link show rfpcap0", "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	pclose(f);
	char *ether = strstr(line, "link/ether ");
	assert_non_null(ether);
	ether[11 + 17] = '\0';
	assert_int_equal(rf_ether_addr_parse(ether + 11, &sys), 0);
	assert_int_equal(rf_eth_macaddr_get(a, &mac), 0);
	assert_memory_equal(&mac, &sys, sizeof(mac));

	/*
	 * a -> b: every frame that fits the veth's 1500-byte MTU arrives intact,
	 * in order, stamped. The 1518-byte one (an IPv4 packet of 1504) is
	 * refused by the kernel: TX counts it as an error and frees it.
	 */
	unsigned fits = 0;
	for (unsigned i = 0; i < fr.n; i++) {
		pkts[i] = frame_mbuf(&fr.f[i]);
		fits += fr.f[i].len <= 1514;
	}
	assert_int_equal(fits, fr.n - 1);
	uint16_t sent = 0;
	for (int k = 0; k < 1000 && sent < fr.n; k++) {
		sent += rf_eth_tx_burst(a, 0, pkts + sent, (uint16_t)(fr.n - sent));
		if (sent < fr.n)
			usleep(1000);
	}
	assert_int_equal(sent, fr.n);
	uint64_t t0 = ts_ns(now_real()) - 60ull * 1000000000u;
	unsigned n = rx_ours(b, pkts, fits);
	assert_int_equal(n, fits);
	for (unsigned i = 0, j = 0; i < n; i++, j++) {
		if (fr.f[j].len > 1514)
			j++;
		assert_int_equal(pkts[i]->pkt_len, fr.f[j].len);
		uint8_t *bytes = mbuf_flat(pkts[i]);
		assert_memory_equal(bytes, fr.f[j].data, fr.f[j].len);
		free(bytes);
		assert_true(pkts[i]->ol_flags & RF_MBUF_F_RX_TIMESTAMP);
		assert_true(pkts[i]->timestamp > t0);
	}
	rf_pktmbuf_free_bulk(pkts, n);

	/* iface= takes incoming frames only: a did not receive what it sent. */
	assert_int_equal(rx_ours(a, pkts, 1), 0);

	/* b -> a. */
	pkts[0] = frame_mbuf(&fr.f[3]);
	sent = 0;
	for (int k = 0; k < 1000 && sent == 0; k++)
		sent = rf_eth_tx_burst(b, 0, pkts, 1);
	assert_int_equal(sent, 1);
	assert_int_equal(rx_ours(a, pkts, 1), 1);
	assert_int_equal(pkts[0]->pkt_len, fr.f[3].len);
	rf_pktmbuf_free(pkts[0]);

	struct rf_eth_stats st;
	assert_int_equal(rf_eth_stats_get(a, &st), 0);
	assert_int_equal(st.opackets, fits);
	assert_int_equal(st.oerrors, 1);
	assert_int_equal(rf_eth_stats_get(b, &st), 0);
	assert_int_equal(st.opackets, 1);
	assert_true(st.ipackets >= fits);
	/* Interfaces stay promiscuous. */
	assert_int_equal(rf_eth_promiscuous_disable(a), -ENOTSUP);
	assert_int_equal(rf_eth_dev_close(a), 0);
	assert_int_equal(rf_eth_dev_close(b), 0);

	char err[512];
	uint16_t port;
	rc = rf_eth_dev_create("net_pcap4,iface=rfpcap-nope", &port, err, sizeof(err));
	assert_true(rc < 0);
	assert_contains(err, "iface=rfpcap-nope");
	frames_free(&fr);
	netns_leave(&ns);
}

/* --- set-up --- */

static char *eal_argv[] = {"test_pcap", "--no-huge", "-l", "0", "-m", "128", "--log-level", "err"};

static int group_setup(void **state)
{
	(void)state;
	if (rf_eal_init((int)RF_DIM(eal_argv), eal_argv) < 0)
		return -1;
	pool = rf_pktmbuf_pool_create("test_pcap", POOL_SIZE, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	if (pool == NULL)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rf_test_pcap_XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	char cmd[128];
	(void)state;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (tmpdir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	rf_mempool_free(pool);
	rf_eal_cleanup();
	return 0;
}

static int teardown(void **state)
{
	uint16_t p;
	int rc = 0;
	(void)state;

	RF_ETH_FOREACH_DEV(p)
	{
		fprintf(stderr, "port %u left open\n", p);
		rf_eth_dev_close(p);
		rc = -1;
	}
	if (rf_mempool_in_use_count(pool) != 0) {
		fprintf(stderr, "%u mbufs leaked\n", rf_mempool_in_use_count(pool));
		rc = -1;
	}
	return rc;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_corpus, teardown),
	    cmocka_unit_test_teardown(test_reader_api, teardown),
	    cmocka_unit_test_teardown(test_records_match_sidecar, teardown),
	    cmocka_unit_test_teardown(test_every_prefix, teardown),
	    cmocka_unit_test_teardown(test_byte_flips, teardown),
	    cmocka_unit_test_teardown(test_record_to_mbuf, teardown),
	    cmocka_unit_test_teardown(test_preload, teardown),
	    cmocka_unit_test_teardown(test_rx_file, teardown),
	    cmocka_unit_test_teardown(test_rx_pool_empty, teardown),
	    cmocka_unit_test_teardown(test_rx_bad_records, teardown),
	    cmocka_unit_test_teardown(test_infinite_rx, teardown),
	    cmocka_unit_test_teardown(test_infinite_rx_errors, teardown),
	    cmocka_unit_test_teardown(test_tx_file, teardown),
	    cmocka_unit_test_teardown(test_rx_to_tx_file, teardown),
	    cmocka_unit_test_teardown(test_devargs_errors, teardown),
	    cmocka_unit_test_teardown(test_port_info, teardown),
	    cmocka_unit_test_teardown(test_multi_queue_files, teardown),
	    cmocka_unit_test_teardown(test_multi_queue_no_source, teardown),
	    cmocka_unit_test_teardown(test_multi_queue_infinite, teardown),
	    cmocka_unit_test_teardown(test_live_veth, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
