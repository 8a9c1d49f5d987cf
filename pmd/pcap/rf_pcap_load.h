/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture loader: reads classic pcap (both byte orders, microsecond and
 * nanosecond magic) and pcapng, from a file or from memory, and checks every
 * header field against what the file itself declared before using it.
 *
 * A capture is untrusted input. The loader never reads
 * past what it was given, never allocates more than it must to hold one
 * record (at most RF_PCAP_MAX_SNAPLEN bytes plus a block's options), and
 * always ends: every step consumes input or stops.
 *
 * What it does with damage:
 * - the file is unusable (empty, wrong magic, truncated file header, a link
 *   type other than Ethernet): an error, with a message saying what was found;
 * - one record is bad but the next can still be found (caplen > origlen,
 *   caplen 0, a pcapng packet on an interface that does not exist): the record
 *   is skipped and counted, and reading goes on;
 * - a record header can't be trusted to say where the next record starts
 *   (caplen over the snapshot length or over RF_PCAP_MAX_SNAPLEN, a pcapng
 *   block whose lengths disagree), or the file ends inside a record: that
 *   record is counted as skipped and reading stops, keeping what came before.
 *
 * It does not use libpcap, so that a broken file gets a precise message and
 * a count rather than libpcap's one error string, and so that a fuzz target
 * can drive it on a memory buffer.
 */
#ifndef RF_PCAP_LOAD_H
#define RF_PCAP_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "rf_mbuf.h"

/* The largest record accepted: libpcap's own limit for Ethernet (MAXIMUM_SNAPLEN). */
#define RF_PCAP_MAX_SNAPLEN 262144u

#define RF_PCAP_LINKTYPE_ETHERNET 1

#define RF_PCAP_MSG_LEN 256

enum rf_pcap_skip_reason {
	RF_PCAP_SKIP_TRUNCATED,		  /* file ends inside a record: stop */
	RF_PCAP_SKIP_CAPLEN_OVER_SNAPLEN, /* caplen > snapshot length: pcap stop, pcapng go on */
	RF_PCAP_SKIP_CAPLEN_HUGE,	  /* caplen (pcapng: block) over the limit: stop */
	RF_PCAP_SKIP_BAD_BLOCK,		  /* pcapng block lengths inconsistent: stop */
	RF_PCAP_SKIP_CAPLEN_OVER_ORIGLEN, /* caplen > original length: skip, go on */
	RF_PCAP_SKIP_EMPTY,		  /* caplen 0: nothing to deliver, go on */
	RF_PCAP_SKIP_BAD_IFACE,		  /* pcapng packet on an unknown interface: go on */
	RF_PCAP_SKIP_MAX
};

struct rf_pcap_stats {
	uint64_t loaded;		 /* records delivered */
	uint64_t bytes;			 /* their caplen, summed */
	uint64_t skipped;		 /* sum of skip[] */
	uint64_t skip[RF_PCAP_SKIP_MAX]; /* by reason */
	int stopped;			 /* reading ended before the end of the file */
	char warning[RF_PCAP_MSG_LEN];	 /* the first skip, or what stopped reading */
};

enum rf_pcap_format {
	RF_PCAP_FMT_PCAP,
	RF_PCAP_FMT_PCAPNG,
};

/* One record, valid until the next call on the same reader. */
struct rf_pcap_record {
	const uint8_t *data;
	uint32_t caplen;  /* bytes in data: 1..RF_PCAP_MAX_SNAPLEN */
	uint32_t origlen; /* length on the wire: >= caplen */
	uint64_t ts_ns;	  /* since the epoch, in ns; 0 without has_ts */
	int has_ts;	  /* 0 only for a pcapng Simple Packet Block, which has no time */
	uint64_t index;	  /* 0-based position among the file's records, skipped ones counted */
	uint64_t offset;  /* byte offset of its header in the file */
};

struct rf_pcap_reader;

/*
 * Open a capture and check its file header. NULL + errno on failure, with a
 * message in err: ENOENT & co. from fopen, EINVAL for a file that is not a
 * capture we can read, ENOTSUP for a link type other than Ethernet, ENODATA
 * for an empty file.
 */
struct rf_pcap_reader *rf_pcap_open(const char *path, char *err, size_t errlen);
/* The same on len bytes at buf, which must stay valid until rf_pcap_close. */
struct rf_pcap_reader *rf_pcap_open_mem(const void *buf, size_t len, char *err, size_t errlen);
/*
 * The next good record: 1 and *rec filled; 0 at the end (see the stats for
 * whether it stopped early); -errno on an error that makes the rest of the
 * file unreadable (the message is in rf_pcap_error). Once it returned 0 or
 * an error it keeps returning that.
 */
int rf_pcap_next(struct rf_pcap_reader *r, struct rf_pcap_record *rec);
const struct rf_pcap_stats *rf_pcap_reader_stats(const struct rf_pcap_reader *r);
const char *rf_pcap_error(const struct rf_pcap_reader *r); /* "" if none */
enum rf_pcap_format rf_pcap_reader_format(const struct rf_pcap_reader *r);
/* The snapshot length the file declares (pcapng: of its first interface). */
uint32_t rf_pcap_reader_snaplen(const struct rf_pcap_reader *r);
void rf_pcap_close(struct rf_pcap_reader *r);

/*
 * Return non-zero from the callback to stop: rf_pcap_load_* then returns
 * that value if it is negative, else 0.
 */
typedef int (*rf_pcap_record_cb_t)(void *arg, const struct rf_pcap_record *rec);

/*
 * Read a whole capture, calling cb on every good record. 0 when at least one
 * record was delivered (stats tells about skips); -ENODATA with a message when
 * none was (a capture with only its file header, or only bad records);
 * otherwise -errno as rf_pcap_open and rf_pcap_next. stats may be NULL.
 */
int rf_pcap_load_file(const char *path, rf_pcap_record_cb_t cb, void *arg,
		      struct rf_pcap_stats *stats, char *err, size_t errlen);
int rf_pcap_load_mem(const void *buf, size_t len, rf_pcap_record_cb_t cb, void *arg,
		     struct rf_pcap_stats *stats, char *err, size_t errlen);

/* "truncated record", ... for a reason; "?" for an unknown one. */
const char *rf_pcap_skip_reason_str(enum rf_pcap_skip_reason reason);
/* "LINUX_SLL" for 113, ... NULL for one it does not know. */
const char *rf_pcap_linktype_name(uint32_t linktype);

/*
 * A record as an mbuf chain from mp: as many segments as the data room needs,
 * pkt_len = caplen, timestamp = ts_ns with RF_MBUF_F_RX_TIMESTAMP. NULL +
 * ENOMEM when mp runs out (nothing is kept).
 */
struct rf_mbuf *rf_pcap_record_to_mbuf(const struct rf_pcap_record *rec, struct rf_mempool *mp);

/* A whole capture in mbufs, for replay. */
struct rf_pcap_capture {
	struct rf_mbuf **pkts; /* nb_pkts chains, in file order */
	uint32_t nb_pkts;
	uint64_t bytes; /* sum of pkt_len */
	struct rf_pcap_stats stats;
};

/*
 * Load every good record of path into mbufs from mp (at most max_pkts; 0 =
 * no limit). 0, or -errno with a message and nothing kept: the rf_pcap_open
 * errors, -ENODATA for no packets, -ENOMEM when mp runs out (the message
 * says how many mbufs it took), -E2BIG over max_pkts.
 */
int rf_pcap_preload(const char *path, struct rf_mempool *mp, uint32_t max_pkts,
		    struct rf_pcap_capture *cap, char *err, size_t errlen);
/* Frees every mbuf and the array; cap is zeroed. */
void rf_pcap_capture_free(struct rf_pcap_capture *cap);

#endif /* RF_PCAP_LOAD_H */
