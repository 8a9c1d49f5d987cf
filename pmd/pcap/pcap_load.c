/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Capture loader (rf_pcap_load.h). Two formats:
 *
 * - classic pcap (draft-ietf-opsawg-pcap §4-§5): a 24-byte file header, then
 *   records of a 16-byte header and caplen bytes. Nothing but caplen says
 *   where the next record starts, so a caplen we can't believe ends reading.
 * - pcapng (draft-ietf-opsawg-pcapng §3-§4): blocks framed by a total length
 *   written at both ends. The framing lets us step over unknown blocks and
 *   over bad packets; a block whose two lengths disagree ends reading.
 *
 * Input comes from a FILE or a memory buffer through src_take(), which hands
 * out n contiguous bytes or says how many there were. Every parse step takes
 * at least 8 bytes or ends, so no input makes the reader loop.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_pcap_load.h"

#define PCAP_FILE_HDR_LEN    24
#define PCAP_REC_HDR_LEN     16
#define PCAP_MAGIC_US	     0xa1b2c3d4u /* fractions are microseconds */
#define PCAP_MAGIC_NS	     0xa1b23c4du /* fractions are nanoseconds */
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u
#define PCAP_LT_RESERVED     0x03ff0000u /* bits 16-25 of the link type field: must be 0 (§4) */

#define NG_BT_SHB	   0x0a0d0d0au
#define NG_BT_IDB	   0x00000001u
#define NG_BT_PB	   0x00000002u /* obsolete Packet Block (§B) */
#define NG_BT_SPB	   0x00000003u
#define NG_BT_EPB	   0x00000006u
#define NG_BOM		   0x1a2b3c4du
#define NG_OPT_ENDOFOPT	   0
#define NG_OPT_IF_TSRESOL  9
#define NG_OPT_IF_TSOFFSET 14
#define NG_MIN_BLOCK	   12u
#define NG_SHB_MIN	   28u
/* Room for a packet block's options beside its data; anything longer is not a block we trust. */
#define NG_MAX_OPTIONS 65536u
#define NG_MAX_BLOCK   (RF_PCAP_MAX_SNAPLEN + NG_MAX_OPTIONS)
#define NG_MAX_IFACES  4096u

struct ng_iface {
	uint32_t snaplen;
	uint8_t tsresol;  /* if_tsresol as written: bit 7 = power of 2, else power of 10 */
	int64_t tsoffset; /* seconds added to every timestamp */
};

struct rf_pcap_reader {
	FILE *f;	    /* file source, or NULL */
	const uint8_t *mem; /* memory source */
	size_t mem_len;
	uint64_t pos; /* bytes taken so far = offset of the next byte */

	enum rf_pcap_format fmt;
	bool big;	  /* the file (pcapng: the current section) is big-endian */
	bool nano;	  /* classic: fractions are ns */
	uint32_t snaplen; /* classic: declared; 0 and over-limit read as RF_PCAP_MAX_SNAPLEN */

	struct ng_iface *ifaces;
	uint32_t nb_ifaces, ifaces_cap;
	uint32_t first_snaplen;
	uint32_t nb_sections;

	uint8_t *buf; /* file source: holds the bytes src_take returned */
	size_t buf_cap;

	uint64_t index;	  /* records seen, good or bad */
	int state;	  /* 0 reading, 1 ended, < 0 failed with -errno */
	bool has_pending; /* pcapng: open() read a packet while looking for the first IDB */
	struct rf_pcap_record pending;
	struct rf_pcap_stats stats;
	char err[RF_PCAP_MSG_LEN];
};

static const char *const skip_names[RF_PCAP_SKIP_MAX] = {
    [RF_PCAP_SKIP_TRUNCATED] = "truncated record",
    [RF_PCAP_SKIP_CAPLEN_OVER_SNAPLEN] = "caplen over snaplen",
    [RF_PCAP_SKIP_CAPLEN_HUGE] = "caplen over the limit",
    [RF_PCAP_SKIP_BAD_BLOCK] = "malformed block",
    [RF_PCAP_SKIP_CAPLEN_OVER_ORIGLEN] = "caplen over original length",
    [RF_PCAP_SKIP_EMPTY] = "empty record",
    [RF_PCAP_SKIP_BAD_IFACE] = "unknown interface",
};

const char *rf_pcap_skip_reason_str(enum rf_pcap_skip_reason reason)
{
	if ((unsigned)reason >= RF_PCAP_SKIP_MAX)
		return "?";
	return skip_names[reason];
}

/* The LINKTYPE_ names of the tcpdump.org registry that a user is likely to meet. */
const char *rf_pcap_linktype_name(uint32_t linktype)
{
	static const struct {
		uint32_t v;
		const char *name;
	} names[] = {
	    {0, "NULL"},
	    {1, "ETHERNET"},
	    {6, "IEEE802_5"},
	    {9, "PPP"},
	    {101, "RAW"},
	    {104, "C_HDLC"},
	    {105, "IEEE802_11"},
	    {108, "LOOP"},
	    {113, "LINUX_SLL"},
	    {127, "IEEE802_11_RADIOTAP"},
	    {192, "PPI"},
	    {195, "IEEE802_15_4_WITHFCS"},
	    {220, "USB_LINUX_MMAPPED"},
	    {228, "IPV4"},
	    {229, "IPV6"},
	    {249, "NETLINK"},
	    {276, "LINUX_SLL2"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].v == linktype)
			return names[i].name;
	return NULL;
}

RF_PRINTF(3, 4) static void msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* A failure that makes the rest of the input unreadable: every later call returns it. */
RF_PRINTF(3, 4) static int fail(struct rf_pcap_reader *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->state = rc;
	return rc;
}

/*
 * Count a bad record. A reason that stops reading always leaves its message
 * (it explains why the rest is missing); otherwise the first skip's stays.
 */
RF_PRINTF(4, 5)
static void skip(struct rf_pcap_reader *r, enum rf_pcap_skip_reason why, bool stop, const char *fmt,
		 ...)
{
	va_list ap;

	r->stats.skip[why]++;
	r->stats.skipped++;
	if (stop || r->stats.warning[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(r->stats.warning, sizeof(r->stats.warning), fmt, ap);
		va_end(ap);
	}
	if (stop) {
		r->stats.stopped = 1;
		r->state = 1;
	}
}

/* --- input --- */

/*
 * n contiguous bytes of input, or NULL with *got < n (the input ended). For a
 * memory source they point into the caller's buffer, so that a sanitizer sees
 * any read past what we were given.
 */
static const uint8_t *src_take(struct rf_pcap_reader *r, size_t n, size_t *got)
{
	const uint8_t *p;

	if (r->f == NULL) {
		size_t left = r->mem_len - (size_t)r->pos;
		*got = RF_MIN(n, left);
		p = r->mem + r->pos;
		r->pos += *got;
		return *got == n ? p : NULL;
	}
	if (n > r->buf_cap) {
		/* Callers bound n by NG_MAX_BLOCK; grow geometrically to keep copies rare. */
		size_t cap = RF_MAX(n, r->buf_cap * 2);
		uint8_t *nb = realloc(r->buf, cap);
		if (nb == NULL) {
			*got = 0;
			fail(r, -ENOMEM, "out of memory for a %zu-byte record", n);
			return NULL;
		}
		r->buf = nb;
		r->buf_cap = cap;
	}
	*got = fread(r->buf, 1, n, r->f);
	r->pos += *got;
	if (*got < n && ferror(r->f)) {
		fail(r, -EIO, "read error at offset %llu", (unsigned long long)r->pos);
		return NULL;
	}
	return *got == n ? r->buf : NULL;
}

/* Step over n bytes; false if the input ended first. */
static bool src_skip(struct rf_pcap_reader *r, uint64_t n)
{
	if (r->f == NULL) {
		uint64_t left = r->mem_len - r->pos;
		if (n > left) {
			r->pos = r->mem_len;
			return false;
		}
		r->pos += n;
		return true;
	}
	while (n > 0) {
		size_t got, chunk = (size_t)RF_MIN(n, (uint64_t)65536);
		if (src_take(r, chunk, &got) == NULL)
			return false;
		n -= chunk;
	}
	return true;
}

static uint16_t rd16(const struct rf_pcap_reader *r, const uint8_t *p)
{
	return r->big ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

static uint32_t rd32(const struct rf_pcap_reader *r, const uint8_t *p)
{
	if (r->big)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint32_t bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static int linktype_check(struct rf_pcap_reader *r, uint32_t lt, const char *where)
{
	if (lt == RF_PCAP_LINKTYPE_ETHERNET)
		return 0;
	const char *name = rf_pcap_linktype_name(lt);
	return fail(r, -ENOTSUP, "%slink type %u (%s), only Ethernet (1) is supported", where, lt,
		    name != NULL ? name : "unknown");
}

static void record_fill(struct rf_pcap_reader *r, struct rf_pcap_record *rec, const uint8_t *data,
			uint32_t caplen, uint32_t origlen, uint64_t ts_ns, bool has_ts,
			uint64_t idx, uint64_t offset)
{
	rec->data = data;
	rec->caplen = caplen;
	rec->origlen = origlen;
	rec->ts_ns = ts_ns;
	rec->has_ts = has_ts;
	rec->index = idx;
	rec->offset = offset;
	r->stats.loaded++;
	r->stats.bytes += caplen;
}

/* --- classic pcap --- */

static int pcap_open_hdr(struct rf_pcap_reader *r, uint32_t magic_le)
{
	size_t got;

	switch (magic_le) {
	case PCAP_MAGIC_US:
		break;
	case PCAP_MAGIC_NS:
		r->nano = true;
		break;
	default:
		r->big = true;
		r->nano = bswap32(magic_le) == PCAP_MAGIC_NS;
		break;
	}
	const uint8_t *h = src_take(r, PCAP_FILE_HDR_LEN - 4, &got);
	if (h == NULL) {
		if (r->state < 0)
			return r->state;
		return fail(r, -EINVAL, "truncated file header: %zu of %u bytes", got + 4,
			    PCAP_FILE_HDR_LEN);
	}
	uint16_t major = rd16(r, h), minor = rd16(r, h + 2);
	uint32_t snaplen = rd32(r, h + 12), ltf = rd32(r, h + 16);
	if (major != 2)
		return fail(r, -EINVAL, "pcap version %u.%u: only version 2.x is supported", major,
			    minor);
	if (ltf & PCAP_LT_RESERVED)
		return fail(r, -EINVAL, "link type field 0x%08x has reserved bits set", ltf);
	/* Bits 26-31 say whether frames carry an FCS (§4): they stay Ethernet frames. */
	int rc = linktype_check(r, ltf & 0xffff, "");
	if (rc < 0)
		return rc;
	/* Writers that leave snaplen 0 or absurd mean "no limit"; libpcap reads them so too. */
	r->snaplen = snaplen == 0 || snaplen > RF_PCAP_MAX_SNAPLEN ? RF_PCAP_MAX_SNAPLEN : snaplen;
	r->first_snaplen = snaplen;
	r->fmt = RF_PCAP_FMT_PCAP;
	return 0;
}

static int pcap_next_rec(struct rf_pcap_reader *r, struct rf_pcap_record *rec)
{
	size_t got;

	for (;;) {
		uint64_t off = r->pos;
		const uint8_t *h = src_take(r, PCAP_REC_HDR_LEN, &got);
		if (h == NULL) {
			if (r->state < 0)
				return r->state;
			if (got > 0) {
				skip(r, RF_PCAP_SKIP_TRUNCATED, true,
				     "record %llu at offset %llu: truncated record header: %zu of "
				     "%u bytes; stopped",
				     (unsigned long long)r->index, (unsigned long long)off, got,
				     PCAP_REC_HDR_LEN);
				r->index++;
			}
			r->state = 1;
			return 0;
		}
		uint32_t sec = rd32(r, h), frac = rd32(r, h + 4);
		uint32_t caplen = rd32(r, h + 8), origlen = rd32(r, h + 12);
		uint64_t idx = r->index++;

		if (caplen > RF_PCAP_MAX_SNAPLEN) {
			skip(r, RF_PCAP_SKIP_CAPLEN_HUGE, true,
			     "record %llu at offset %llu: caplen %u exceeds the %u-byte limit: the "
			     "next record cannot be found; stopped",
			     (unsigned long long)idx, (unsigned long long)off, caplen,
			     RF_PCAP_MAX_SNAPLEN);
			return 0;
		}
		if (caplen > r->snaplen) {
			skip(r, RF_PCAP_SKIP_CAPLEN_OVER_SNAPLEN, true,
			     "record %llu at offset %llu: caplen %u exceeds the file's snaplen %u: "
			     "the next record cannot be found; stopped",
			     (unsigned long long)idx, (unsigned long long)off, caplen, r->snaplen);
			return 0;
		}
		const uint8_t *data = src_take(r, caplen, &got);
		if (data == NULL && caplen > 0) {
			if (r->state < 0)
				return r->state;
			skip(r, RF_PCAP_SKIP_TRUNCATED, true,
			     "record %llu at offset %llu: truncated record data: %zu of %u bytes; "
			     "stopped",
			     (unsigned long long)idx, (unsigned long long)off, got, caplen);
			return 0;
		}
		if (caplen > origlen) {
			skip(r, RF_PCAP_SKIP_CAPLEN_OVER_ORIGLEN, false,
			     "record %llu at offset %llu: caplen %u > original length %u: skipped",
			     (unsigned long long)idx, (unsigned long long)off, caplen, origlen);
			continue;
		}
		if (caplen == 0) {
			skip(r, RF_PCAP_SKIP_EMPTY, false,
			     "record %llu at offset %llu: caplen 0: skipped",
			     (unsigned long long)idx, (unsigned long long)off);
			continue;
		}
		/* Both fit: sec * 1e9 < 4.3e18, frac * 1000 < 4.3e12. */
		uint64_t ts = (uint64_t)sec * 1000000000u + (uint64_t)frac * (r->nano ? 1u : 1000u);
		record_fill(r, rec, data, caplen, origlen, ts, true, idx, off);
		return 1;
	}
}

/* --- pcapng --- */

/* 10^e for e <= 19, the largest power of ten in a uint64_t. */
static uint64_t pow10u(unsigned e)
{
	uint64_t v = 1;

	while (e-- > 0)
		v *= 10;
	return v;
}

/* if_tsresol (§4.2): bit 7 clear = 10^-v s per unit, set = 2^-(v & 0x7f). */
static bool tsresol_valid(uint8_t v)
{
	return (v & 0x80) ? (v & 0x7f) <= 63 : v <= 28;
}

static uint64_t ng_ts_ns(const struct ng_iface *ifc, uint64_t units)
{
	uint8_t v = ifc->tsresol;
	uint64_t ns;

	if (v & 0x80) {
		unsigned __int128 t = (unsigned __int128)units * 1000000000u;
		ns = (uint64_t)(t >> (v & 0x7f));
	} else if (v <= 9) {
		unsigned __int128 t = (unsigned __int128)units * pow10u(9u - v);
		ns = t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
	} else {
		ns = units / pow10u(v - 9u);
	}
	/* Unsigned: a negative offset wraps back to the right value, without overflow UB. */
	return ns + (uint64_t)ifc->tsoffset * 1000000000u;
}

/* Walk an option list (§3.5); false if an option runs past the block. */
static bool ng_options(struct rf_pcap_reader *r, const uint8_t *p, uint32_t len,
		       struct ng_iface *ifc)
{
	uint32_t at = 0;

	while (len - at >= 4) {
		uint16_t code = rd16(r, p + at), olen = rd16(r, p + at + 2);
		at += 4;
		if (code == NG_OPT_ENDOFOPT)
			return true;
		uint32_t padded = ((uint32_t)olen + 3u) & ~3u;
		if (padded > len - at)
			return false;
		if (ifc != NULL && code == NG_OPT_IF_TSRESOL && olen == 1) {
			if (!tsresol_valid(p[at]))
				return false;
			ifc->tsresol = p[at];
		} else if (ifc != NULL && code == NG_OPT_IF_TSOFFSET && olen == 8) {
			/* A 64-bit value in the section's byte order. */
			uint64_t w0 = rd32(r, p + at), w1 = rd32(r, p + at + 4);
			uint64_t v = r->big ? (w0 << 32 | w1) : (w1 << 32 | w0);
			ifc->tsoffset = (int64_t)v;
		}
		at += padded;
	}
	/* 1-3 stray bytes can't be an option; a list may also end without opt_endofopt. */
	return at == len;
}

static int ng_add_iface(struct rf_pcap_reader *r, const uint8_t *body, uint32_t blen, uint64_t off)
{
	if (blen < 8) {
		skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
		     "interface description block at offset %llu: %u bytes, too short; stopped",
		     (unsigned long long)off, blen);
		return 0;
	}
	char where[48];
	snprintf(where, sizeof(where), "interface %u: ", r->nb_ifaces);
	int rc = linktype_check(r, rd16(r, body), where);
	if (rc < 0)
		return rc;
	struct ng_iface ifc = {.snaplen = rd32(r, body + 4), .tsresol = 6, .tsoffset = 0};
	if (!ng_options(r, body + 8, blen - 8, &ifc)) {
		skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
		     "interface description block at offset %llu: malformed options; stopped",
		     (unsigned long long)off);
		return 0;
	}
	if (r->nb_ifaces == NG_MAX_IFACES) {
		skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
		     "interface description block at offset %llu: more than %u interfaces; "
		     "stopped",
		     (unsigned long long)off, NG_MAX_IFACES);
		return 0;
	}
	if (r->nb_ifaces == r->ifaces_cap) {
		uint32_t cap = r->ifaces_cap == 0 ? 4 : r->ifaces_cap * 2;
		struct ng_iface *n = realloc(r->ifaces, cap * sizeof(*n));
		if (n == NULL)
			return fail(r, -ENOMEM, "out of memory for %u interfaces", cap);
		r->ifaces = n;
		r->ifaces_cap = cap;
	}
	if (ifc.snaplen == 0 || ifc.snaplen > RF_PCAP_MAX_SNAPLEN)
		ifc.snaplen = RF_PCAP_MAX_SNAPLEN;
	if (r->nb_ifaces == 0 && r->first_snaplen == 0)
		r->first_snaplen = rd32(r, body + 4);
	r->ifaces[r->nb_ifaces++] = ifc;
	return 0;
}

/* A section header's body after the byte-order magic: version (§4.1). */
static int ng_section(struct rf_pcap_reader *r, const uint8_t *p, uint64_t off)
{
	uint16_t major = rd16(r, p), minor = rd16(r, p + 2);

	if (major != 1)
		return fail(r, -EINVAL,
			    "pcapng section at offset %llu: version %u.%u, only 1.x is supported",
			    (unsigned long long)off, major, minor);
	/* Interface ids count from 0 again in each section (§4.2). */
	r->nb_ifaces = 0;
	r->nb_sections++;
	return 0;
}

/*
 * A packet block's body to a record. kind: EPB, PB or SPB. Returns 1 with a
 * record, 0 when the block was skipped or reading stopped.
 */
static int ng_packet(struct rf_pcap_reader *r, uint32_t type, const uint8_t *b, uint32_t blen,
		     uint64_t off, struct rf_pcap_record *rec)
{
	uint32_t ifid, caplen, origlen, hdr;
	uint64_t units = 0;
	uint64_t idx = r->index++;

	if (type == NG_BT_SPB) {
		hdr = 4;
		if (blen < hdr)
			goto short_block;
		ifid = 0;
		origlen = rd32(r, b);
		caplen = RF_MIN(origlen, blen - hdr);
	} else {
		hdr = 20;
		if (blen < hdr)
			goto short_block;
		/* EPB: interface id is 32 bits; the obsolete PB has 16 of id, 16 of drops. */
		ifid = type == NG_BT_EPB ? rd32(r, b) : rd16(r, b);
		units = (uint64_t)rd32(r, b + 4) << 32 | rd32(r, b + 8);
		caplen = rd32(r, b + 12);
		origlen = rd32(r, b + 16);
	}
	if (caplen > blen - hdr) {
		skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
		     "record %llu at offset %llu: caplen %u but the block holds %u bytes of data; "
		     "stopped",
		     (unsigned long long)idx, (unsigned long long)off, caplen, blen - hdr);
		return 0;
	}
	if (ifid >= r->nb_ifaces) {
		skip(r, RF_PCAP_SKIP_BAD_IFACE, false,
		     "record %llu at offset %llu: interface %u not described (%u known): skipped",
		     (unsigned long long)idx, (unsigned long long)off, ifid, r->nb_ifaces);
		return 0;
	}
	const struct ng_iface *ifc = &r->ifaces[ifid];
	if (type == NG_BT_SPB)
		caplen = RF_MIN(caplen, ifc->snaplen); /* §4.4: the SPB is cut at the snaplen */
	if (caplen > ifc->snaplen) {
		/* The block length still frames the file: step over this one and go on. */
		skip(r, RF_PCAP_SKIP_CAPLEN_OVER_SNAPLEN, false,
		     "record %llu at offset %llu: caplen %u exceeds interface %u's snaplen %u: "
		     "skipped",
		     (unsigned long long)idx, (unsigned long long)off, caplen, ifid, ifc->snaplen);
		return 0;
	}
	if (caplen > origlen) {
		skip(r, RF_PCAP_SKIP_CAPLEN_OVER_ORIGLEN, false,
		     "record %llu at offset %llu: caplen %u > original length %u: skipped",
		     (unsigned long long)idx, (unsigned long long)off, caplen, origlen);
		return 0;
	}
	if (caplen == 0) {
		skip(r, RF_PCAP_SKIP_EMPTY, false, "record %llu at offset %llu: caplen 0: skipped",
		     (unsigned long long)idx, (unsigned long long)off);
		return 0;
	}
	uint64_t ts = type == NG_BT_SPB ? 0 : ng_ts_ns(ifc, units);
	record_fill(r, rec, b + hdr, caplen, origlen, ts, type != NG_BT_SPB, idx, off);
	return 1;

short_block:
	skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
	     "record %llu at offset %llu: packet block of %u bytes is too short; stopped",
	     (unsigned long long)idx, (unsigned long long)off, blen + NG_MIN_BLOCK);
	return 0;
}

/*
 * One block: 1 = a record in *rec, 0 = a block that was no record (or a
 * skipped one; r->state says whether reading ended), < 0 = failed.
 */
static int ng_block(struct rf_pcap_reader *r, struct rf_pcap_record *rec, bool type_taken)
{
	uint64_t off = r->pos - (type_taken ? 4 : 0);
	size_t got;
	const uint8_t *h = src_take(r, type_taken ? 4 : 8, &got);

	if (h == NULL) {
		if (r->state < 0)
			return r->state;
		if (got > 0 || type_taken)
			skip(
			    r, RF_PCAP_SKIP_TRUNCATED, true,
			    "block at offset %llu: truncated block header: %zu of 8 bytes; stopped",
			    (unsigned long long)off, got + (type_taken ? 4 : 0));
		r->state = 1;
		return 0;
	}
	/* Copied: the next src_take may reuse the buffer h points into. */
	uint8_t hdr[8];
	if (type_taken) {
		/* The section header's type reads the same in both byte orders. */
		hdr[0] = 0x0a, hdr[1] = 0x0d, hdr[2] = 0x0d, hdr[3] = 0x0a;
		memcpy(hdr + 4, h, 4);
	} else {
		memcpy(hdr, h, 8);
	}
	uint32_t type = rd32(r, hdr), total = rd32(r, hdr + 4);
	uint32_t taken = 8;

	if (type == NG_BT_SHB) {
		/* The byte order of this section comes from the magic inside it (§4.1). */
		const uint8_t *bom = src_take(r, 4, &got);
		if (bom == NULL) {
			if (r->state < 0)
				return r->state;
			skip(r, RF_PCAP_SKIP_TRUNCATED, true,
			     "section header at offset %llu: truncated; stopped",
			     (unsigned long long)off);
			return 0;
		}
		uint32_t m = le32(bom);
		if (m != NG_BOM && m != bswap32(NG_BOM))
			return fail(r, -EINVAL,
				    "pcapng section header at offset %llu: byte-order magic 0x%08x "
				    "is neither 1a2b3c4d nor 4d3c2b1a",
				    (unsigned long long)off, m);
		r->big = m != NG_BOM;
		total = rd32(r, hdr + 4);
		taken = 12;
	}
	if (total < (type == NG_BT_SHB ? NG_SHB_MIN : NG_MIN_BLOCK) || total % 4 != 0) {
		skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
		     "block type 0x%08x at offset %llu: total length %u is not a multiple of 4 of "
		     "at least %u; stopped",
		     type, (unsigned long long)off, total,
		     type == NG_BT_SHB ? NG_SHB_MIN : NG_MIN_BLOCK);
		return 0;
	}
	bool known = type == NG_BT_SHB || type == NG_BT_IDB || type == NG_BT_EPB ||
		     type == NG_BT_SPB || type == NG_BT_PB;
	if (!known) {
		/* Name resolution, statistics, custom blocks...: none carries a frame. */
		if (!src_skip(r, (uint64_t)total - 12)) {
			if (r->state < 0)
				return r->state;
			goto truncated;
		}
		const uint8_t *t = src_take(r, 4, &got);
		if (t == NULL) {
			if (r->state < 0)
				return r->state;
			goto truncated;
		}
		if (rd32(r, t) != total)
			goto mismatch;
		return 0;
	}
	if (total > NG_MAX_BLOCK) {
		bool pkt = type == NG_BT_EPB || type == NG_BT_SPB || type == NG_BT_PB;
		skip(r, pkt ? RF_PCAP_SKIP_CAPLEN_HUGE : RF_PCAP_SKIP_BAD_BLOCK, true,
		     "block type 0x%08x at offset %llu: total length %u exceeds the %u-byte limit; "
		     "stopped",
		     type, (unsigned long long)off, total, NG_MAX_BLOCK);
		if (pkt)
			r->index++;
		return 0;
	}
	/* The rest of the block, trailing length included. */
	const uint8_t *b = src_take(r, total - taken, &got);
	if (b == NULL) {
		if (r->state < 0)
			return r->state;
		goto truncated;
	}
	uint32_t blen = total - taken - 4; /* body without the trailing length */
	if (rd32(r, b + blen) != total)
		goto mismatch;

	switch (type) {
	case NG_BT_SHB:
		return ng_section(r, b, off);
	case NG_BT_IDB:
		return ng_add_iface(r, b, blen, off);
	default:
		return ng_packet(r, type, b, blen, off, rec);
	}

truncated:
	if (type == NG_BT_EPB || type == NG_BT_SPB || type == NG_BT_PB)
		r->index++;
	skip(r, RF_PCAP_SKIP_TRUNCATED, true,
	     "block type 0x%08x at offset %llu: truncated: the file ends inside its %u bytes; "
	     "stopped",
	     type, (unsigned long long)off, total);
	return 0;
mismatch:
	skip(r, RF_PCAP_SKIP_BAD_BLOCK, true,
	     "block type 0x%08x at offset %llu: trailing total length differs from the leading "
	     "%u; stopped",
	     type, (unsigned long long)off, total);
	return 0;
}

static int ng_next_rec(struct rf_pcap_reader *r, struct rf_pcap_record *rec)
{
	while (r->state == 0) {
		int rc = ng_block(r, rec, false);
		if (rc != 0)
			return rc;
	}
	return r->state < 0 ? r->state : 0;
}

/*
 * Read up to the first interface description, so that open() reports a
 * wrong link type as classic pcap does. A packet met first is kept for
 * the first rf_pcap_next().
 */
static int ng_open(struct rf_pcap_reader *r)
{
	bool first = true;

	r->fmt = RF_PCAP_FMT_PCAPNG;
	while (r->state == 0 && r->nb_ifaces == 0) {
		/* The first block's type is the magic reader_start already took. */
		int rc = ng_block(r, &r->pending, first);
		if (rc < 0)
			return rc;
		if (first && r->nb_sections == 0)
			return fail(r, -EINVAL, "bad pcapng file header: %s", r->stats.warning);
		first = false;
		if (rc == 1) {
			r->has_pending = true;
			break;
		}
	}
	return 0;
}

/* --- open, next, close --- */

static int reader_start(struct rf_pcap_reader *r)
{
	size_t got;
	const uint8_t *m = src_take(r, 4, &got);

	if (m == NULL) {
		if (r->state < 0)
			return r->state;
		if (got == 0)
			return fail(r, -ENODATA, "empty capture: the file has no bytes");
		return fail(r, -EINVAL, "truncated file header: %zu of %u bytes", got,
			    PCAP_FILE_HDR_LEN);
	}
	uint32_t magic = le32(m);
	uint8_t first4[4];
	memcpy(first4, m, 4);
	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS || bswap32(magic) == PCAP_MAGIC_US ||
	    bswap32(magic) == PCAP_MAGIC_NS)
		return pcap_open_hdr(r, magic);
	if (magic == NG_BT_SHB)
		return ng_open(r);
	if (magic == PCAP_MAGIC_KUZNETZOV || bswap32(magic) == PCAP_MAGIC_KUZNETZOV)
		return fail(r, -EINVAL,
			    "modified (Kuznetzov) pcap, magic 0x%08x, is not supported: convert "
			    "it with editcap -F pcap",
			    magic);
	if (first4[0] == 0x1f && first4[1] == 0x8b)
		return fail(r, -EINVAL, "gzip-compressed file (bytes 1f 8b): gunzip it first");
	return fail(r, -EINVAL,
		    "not a pcap or pcapng file: magic 0x%08x (bytes %02x %02x %02x %02x); "
		    "expected a1b2c3d4 or a1b23c4d (pcap) or 0a0d0d0a (pcapng); give a capture "
		    "file, as written by tcpdump -w or tshark -w",
		    magic, first4[0], first4[1], first4[2], first4[3]);
}

static struct rf_pcap_reader *reader_finish_open(struct rf_pcap_reader *r, char *err, size_t errlen)
{
	int rc = reader_start(r);

	if (rc < 0) {
		msg(err, errlen, "%s", r->err);
		rf_pcap_close(r);
		errno = -rc;
		return NULL;
	}
	return r;
}

struct rf_pcap_reader *rf_pcap_open(const char *path, char *err, size_t errlen)
{
	if (path == NULL) {
		msg(err, errlen, "no file name");
		errno = EINVAL;
		return NULL;
	}
	struct rf_pcap_reader *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		msg(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->f = fopen(path, "rb");
	if (r->f == NULL) {
		int e = errno;
		msg(err, errlen, "cannot open: %s%s", strerror(e),
		    e == ENOENT	  ? "; check the path"
		    : e == EACCES ? "; give this user read access to it (and search access to "
				    "its directories), or run as a user who has it"
				  : "");
		free(r);
		errno = e;
		return NULL;
	}
	/* Large enough that a full-size record is one read. */
	setvbuf(r->f, NULL, _IOFBF, 1u << 18);
	return reader_finish_open(r, err, errlen);
}

struct rf_pcap_reader *rf_pcap_open_mem(const void *buf, size_t len, char *err, size_t errlen)
{
	if (buf == NULL && len > 0) {
		msg(err, errlen, "no buffer");
		errno = EINVAL;
		return NULL;
	}
	struct rf_pcap_reader *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		msg(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->mem = buf;
	r->mem_len = len;
	return reader_finish_open(r, err, errlen);
}

int rf_pcap_next(struct rf_pcap_reader *r, struct rf_pcap_record *rec)
{
	if (r->has_pending) {
		r->has_pending = false;
		*rec = r->pending;
		return 1;
	}
	if (r->state != 0)
		return r->state < 0 ? r->state : 0;
	return r->fmt == RF_PCAP_FMT_PCAP ? pcap_next_rec(r, rec) : ng_next_rec(r, rec);
}

const struct rf_pcap_stats *rf_pcap_reader_stats(const struct rf_pcap_reader *r)
{
	return &r->stats;
}

const char *rf_pcap_error(const struct rf_pcap_reader *r)
{
	return r->err;
}

enum rf_pcap_format rf_pcap_reader_format(const struct rf_pcap_reader *r)
{
	return r->fmt;
}

uint32_t rf_pcap_reader_snaplen(const struct rf_pcap_reader *r)
{
	return r->first_snaplen;
}

void rf_pcap_close(struct rf_pcap_reader *r)
{
	if (r == NULL)
		return;
	if (r->f != NULL)
		fclose(r->f);
	free(r->buf);
	free(r->ifaces);
	free(r);
}

/* --- whole captures --- */

static int load(struct rf_pcap_reader *r, rf_pcap_record_cb_t cb, void *arg,
		struct rf_pcap_stats *stats, char *err, size_t errlen)
{
	struct rf_pcap_record rec;
	int rc;

	while ((rc = rf_pcap_next(r, &rec)) == 1) {
		int crc = cb != NULL ? cb(arg, &rec) : 0;
		if (crc != 0) {
			rc = crc < 0 ? crc : 0;
			break;
		}
	}
	const struct rf_pcap_stats *st = rf_pcap_reader_stats(r);
	if (stats != NULL)
		*stats = *st;
	if (rc < 0) {
		if (r->err[0] != '\0')
			msg(err, errlen, "%s", r->err);
		return rc;
	}
	if (st->loaded == 0 && rc == 0) {
		if (st->skipped == 0)
			msg(err, errlen,
			    "no packets: the capture has a file header and no records");
		else
			msg(err, errlen, "no usable packets: %llu record(s) skipped: %s",
			    (unsigned long long)st->skipped, st->warning);
		return -ENODATA;
	}
	if (st->warning[0] != '\0')
		msg(err, errlen, "%s", st->warning);
	return 0;
}

int rf_pcap_load_file(const char *path, rf_pcap_record_cb_t cb, void *arg,
		      struct rf_pcap_stats *stats, char *err, size_t errlen)
{
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	struct rf_pcap_reader *r = rf_pcap_open(path, err, errlen);

	if (r == NULL)
		return -errno;
	int rc = load(r, cb, arg, stats, err, errlen);
	rf_pcap_close(r);
	return rc;
}

int rf_pcap_load_mem(const void *buf, size_t len, rf_pcap_record_cb_t cb, void *arg,
		     struct rf_pcap_stats *stats, char *err, size_t errlen)
{
	if (stats != NULL)
		memset(stats, 0, sizeof(*stats));
	struct rf_pcap_reader *r = rf_pcap_open_mem(buf, len, err, errlen);

	if (r == NULL)
		return -errno;
	int rc = load(r, cb, arg, stats, err, errlen);
	rf_pcap_close(r);
	return rc;
}

/* --- into mbufs --- */

struct rf_mbuf *rf_pcap_record_to_mbuf(const struct rf_pcap_record *rec, struct rf_mempool *mp)
{
	struct rf_mbuf *head = NULL, *last = NULL;
	uint32_t off = 0;

	do {
		struct rf_mbuf *m = rf_pktmbuf_alloc(mp);
		if (m == NULL) {
			rf_pktmbuf_free(head);
			errno = ENOMEM;
			return NULL;
		}
		uint16_t room = rf_pktmbuf_tailroom(m);
		if (room == 0 || (head != NULL && head->nb_segs == UINT16_MAX)) {
			rf_pktmbuf_free(m);
			rf_pktmbuf_free(head);
			errno = room == 0 ? EINVAL : EOVERFLOW;
			return NULL;
		}
		uint16_t n = (uint16_t)RF_MIN((uint32_t)room, rec->caplen - off);
		memcpy(rf_pktmbuf_mtod(m, uint8_t *), rec->data + off, n);
		m->data_len = n;
		off += n;
		if (head == NULL) {
			head = m;
		} else {
			last->next = m;
			head->nb_segs++;
		}
		last = m;
	} while (off < rec->caplen);

	head->pkt_len = rec->caplen;
	if (rec->has_ts) {
		head->timestamp = rec->ts_ns;
		head->ol_flags |= RF_MBUF_F_RX_TIMESTAMP;
	}
	return head;
}

struct preload_ctx {
	struct rf_pcap_capture *cap;
	struct rf_mempool *mp;
	uint32_t cap_pkts; /* room in cap->pkts */
	uint32_t max_pkts;
	int err;
};

static int preload_cb(void *arg, const struct rf_pcap_record *rec)
{
	struct preload_ctx *c = arg;
	struct rf_pcap_capture *cap = c->cap;

	if (c->max_pkts != 0 && cap->nb_pkts == c->max_pkts)
		return -E2BIG;
	if (cap->nb_pkts == c->cap_pkts) {
		uint32_t n = c->cap_pkts == 0 ? 256 : c->cap_pkts * 2;
		if (n < c->cap_pkts)
			return -E2BIG;
		struct rf_mbuf **p = realloc(cap->pkts, (size_t)n * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		cap->pkts = p;
		c->cap_pkts = n;
	}
	struct rf_mbuf *m = rf_pcap_record_to_mbuf(rec, c->mp);
	if (m == NULL) {
		c->err = errno;
		return -errno;
	}
	cap->pkts[cap->nb_pkts++] = m;
	cap->bytes += m->pkt_len;
	return 0;
}

int rf_pcap_preload(const char *path, struct rf_mempool *mp, uint32_t max_pkts,
		    struct rf_pcap_capture *cap, char *err, size_t errlen)
{
	struct preload_ctx c = {.cap = cap, .mp = mp, .max_pkts = max_pkts};

	memset(cap, 0, sizeof(*cap));
	int rc = rf_pcap_load_file(path, preload_cb, &c, &cap->stats, err, errlen);
	if (rc == -ENOMEM && c.err == ENOMEM)
		msg(err, errlen,
		    "mempool %s ran out after %u packets (%u mbufs in use of %u): give it more "
		    "mbufs",
		    mp->name, cap->nb_pkts, rf_mempool_in_use_count(mp), mp->size);
	else if (rc == -ENOMEM)
		msg(err, errlen, "out of memory after %u packets", cap->nb_pkts);
	else if (rc == -E2BIG)
		msg(err, errlen, "more than %u packets", max_pkts);
	else if (rc < 0 && c.err != 0)
		msg(err, errlen, "packet %u does not fit in mbufs of pool %s: %s", cap->nb_pkts,
		    mp->name, strerror(c.err));
	if (rc < 0) {
		struct rf_pcap_stats st = cap->stats;
		rf_pcap_capture_free(cap);
		cap->stats = st;
	}
	return rc;
}

void rf_pcap_capture_free(struct rf_pcap_capture *cap)
{
	if (cap->pkts != NULL)
		rf_pktmbuf_free_bulk(cap->pkts, cap->nb_pkts);
	free(cap->pkts);
	memset(cap, 0, sizeof(*cap));
}
