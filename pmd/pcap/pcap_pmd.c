/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_pcap: a port whose wire is a capture file or a kernel interface seen
 * through libpcap. Devargs as DPDK's driver of the same name:
 *
 *   --vdev 'net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap'
 *   --vdev 'net_pcap0,rx_pcap=in.pcap,infinite_rx=1'
 *   --vdev 'net_pcap0,iface=eth1'            (rx_iface=, rx_iface_in=, tx_iface= too)
 *
 * Queues as DPDK's driver makes them: each RX source (rx_pcap, rx_iface,
 * rx_iface_in, iface) is one more RX queue and each TX sink (tx_pcap,
 * tx_iface, iface) one more TX queue, in argument order: TX queue q writes
 * the q-th tx_pcap file, RX queue q reads the q-th rx_pcap. A port may have
 * fewer queues configured than sources; the rest stay unused. The queues of
 * one direction are all files or all interfaces (the burst function is the
 * port's), so mixing rx_pcap with rx_iface, or tx_pcap with tx_iface, is
 * refused at probe. A port with no RX source takes up to
 * RF_MAX_QUEUES_PER_PORT RX queues that never receive; one with no TX sink
 * takes as many TX queues that free what they are given and count it as
 * sent (as DPDK's tx_drop), each with its own counters.
 *
 * - rx_pcap: records are read one at a time, with the checks of our own
 *   loader (rf_pcap_load.h), into mbuf chains with the capture's timestamp.
 *   At the end of the file RX returns 0. Each start reads from the beginning.
 * - infinite_rx=1: the whole capture is loaded into mbufs at start (from the
 *   RX queue's pool, so it must be large enough) and RX hands out copies, in
 *   file order, forever. Copies, not references: the caller owns what RX
 *   returns and may write to it. Timestamps are the file's, repeating.
 * - tx_pcap: a nanosecond pcap written through libpcap's dumper, each frame
 *   stamped with the time it was sent; flushed on stop, closed on close. The
 *   file is created at probe and kept across stop/start.
 * - live interfaces: libpcap in immediate, non-blocking mode; RX with
 *   pcap_next_ex, TX with pcap_inject. RX and TX use separate handles; the RX
 *   one of iface= and rx_iface_in= takes only incoming frames, so that a port
 *   does not receive what it sent. Interfaces are opened promiscuous.
 *
 * The link is always up. Counters are per queue, plain integers written by
 * the polling lcore and read by stats_get (torn reads acceptable, as in
 * virtio_rxtx.h).
 */
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "rf_ethdev_driver.h"
#include "rf_ethdev_iface.h"
#include "rf_log.h"
#include "rf_pcap_load.h"

#define PCAP_DRIVER_NAME  "net_pcap"
#define PCAP_LIVE_SNAPLEN 65535u /* DPDK's RTE_ETH_PCAP_SNAPSHOT_LEN */
/* libpcap's and tcpdump's largest (MAXIMUM_SNAPLEN): tx_pcap writes every frame it takes whole. */
#define PCAP_DUMP_SNAPLEN RF_PCAP_MAX_SNAPLEN
#define PCAP_LIVE_BUFSIZE (8u << 20)
#define PCAP_MAX_DESC	  32768u
#define PCAP_ERR_LEN	  320

enum rx_kind {
	RX_NONE,
	RX_FILE,     /* rx_pcap */
	RX_INFINITE, /* rx_pcap with infinite_rx=1 */
	RX_LIVE,     /* rx_iface, rx_iface_in, iface */
};

enum tx_kind {
	TX_DROP, /* no sink */
	TX_FILE, /* tx_pcap */
	TX_LIVE, /* tx_iface, iface */
};

struct pcap_rxq {
	/* (P) set at setup/start by the control path, read by the polling lcore */
	struct rf_mempool *mp;
	char *name; /* file or interface; NULL without a source */
	uint16_t port;
	struct rf_pcap_reader *reader; /* RX_FILE, while started */
	struct rf_pcap_capture cap;    /* RX_INFINITE, while started */
	pcap_t *live;		       /* RX_LIVE, from probe to close */
	uint64_t ts_mult;	       /* RX_LIVE: 1 if libpcap gives ns, 1000 if us */
	const char *what;	       /* "net_pcap0: rx_pcap=in.pcap", for messages */
	char what_buf[PCAP_ERR_LEN];

	/* (P) the polling lcore's state */
	struct rf_pcap_record rec; /* RX_FILE: read but not yet delivered (pool empty) */
	int have_rec;
	int eof;
	uint32_t next;	       /* RX_INFINITE: index of the next packet to copy */
	uint64_t seen_skipped; /* RX_FILE: the reader's skip count already in errors */

	/* counters (torn reads acceptable) */
	uint64_t packets, bytes, errors, nombuf, loops;
};

struct pcap_txq {
	char *name;	       /* file or interface; NULL without a sink */
	pcap_dumper_t *dumper; /* TX_FILE, from probe to close */
	pcap_t *live;	       /* TX_LIVE */
	uint8_t *lin;	       /* linearised chains: PCAP_DUMP_SNAPLEN or live snaplen */
	uint32_t lin_len;      /* also the longest frame the queue takes */
	uint64_t packets, bytes, errors;
	uint64_t oversize; /* frames over lin_len: dropped, never cut */
};

struct pcap_dev {
	struct rf_eth_dev eth; /* first: ethdev's handle */
	enum rx_kind rx;
	enum tx_kind tx;
	uint16_t nb_rx_src; /* RX sources given; 0: queues that never receive */
	uint16_t nb_tx_src; /* TX sinks given; 0: queues that drop */
	pcap_t *dead;	    /* TX_FILE: the handle every dumper writes for */
	struct pcap_rxq rxq[RF_MAX_QUEUES_PER_PORT];
	struct pcap_txq txq[RF_MAX_QUEUES_PER_PORT];
};

static const char *const pcap_valid_keys[] = {
    "rx_pcap", "tx_pcap",     "rx_iface", "rx_iface_in", "tx_iface",
    "iface",   "infinite_rx", "phy_mac",  NULL,
};

static struct pcap_dev *pcap_dev(struct rf_eth_dev *eth)
{
	return rf_container_of(eth, struct pcap_dev, eth);
}

RF_PRINTF(3, 4) static void perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- RX --- */

static uint16_t rx_none(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	(void)rxq;
	(void)pkts;
	(void)n;
	return 0;
}

/* The end of the capture: once per start, it says what was read and what was skipped. */
__attribute__((cold, noinline)) static void rx_file_eof(struct pcap_rxq *q, int rc)
{
	const struct rf_pcap_stats *st = rf_pcap_reader_stats(q->reader);

	q->eof = 1;
	if (rc < 0) {
		q->errors++;
		RF_LOG(ERR, PCAP, "%s: read failed after %llu packets: %s", q->what,
		       (unsigned long long)st->loaded, rf_pcap_error(q->reader));
	} else if (st->skipped > 0) {
		RF_LOG(WARNING, PCAP, "%s: end of capture: %llu packets, %llu records skipped (%s)",
		       q->what, (unsigned long long)st->loaded, (unsigned long long)st->skipped,
		       st->warning);
	} else {
		RF_LOG(INFO, PCAP, "%s: end of capture: %llu packets", q->what,
		       (unsigned long long)st->loaded);
	}
}

static uint16_t rx_file(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = rxq;
	uint16_t nb = 0;
	uint64_t bytes = 0;

	if (q->eof || q->reader == NULL)
		return 0;
	while (nb < n) {
		if (!q->have_rec) {
			int rc = rf_pcap_next(q->reader, &q->rec);
			uint64_t sk = rf_pcap_reader_stats(q->reader)->skipped;
			q->errors += sk - q->seen_skipped;
			q->seen_skipped = sk;
			if (rc != 1) {
				rx_file_eof(q, rc);
				break;
			}
			q->have_rec = 1;
		}
		struct rf_mbuf *m = rf_pcap_record_to_mbuf(&q->rec, q->mp);
		if (m == NULL) {
			if (errno == ENOMEM) {
				/* Keep the record: the next burst tries again. */
				q->nombuf++;
				break;
			}
			/* It can never fit this pool's mbufs: drop it. */
			q->errors++;
			q->have_rec = 0;
			continue;
		}
		q->have_rec = 0;
		m->port = q->port;
		bytes += m->pkt_len;
		pkts[nb++] = m;
	}
	q->packets += nb;
	q->bytes += bytes;
	return nb;
}

/* One copy of a preloaded packet: one segment in the common case, else a deep chain copy. */
static struct rf_mbuf *rx_copy_one(struct pcap_rxq *q, const struct rf_mbuf *src, struct rf_mbuf *m)
{
	if (src->nb_segs != 1 || m == NULL) {
		if (m != NULL)
			rf_pktmbuf_free(m);
		return rf_pktmbuf_copy(src, q->mp);
	}
	memcpy(rf_pktmbuf_mtod(m, void *), rf_pktmbuf_mtod(src, const void *), src->data_len);
	m->data_len = src->data_len;
	m->pkt_len = src->pkt_len;
	m->timestamp = src->timestamp;
	m->ol_flags = src->ol_flags;
	return m;
}

static uint16_t rx_infinite(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = rxq;
	const struct rf_pcap_capture *cap = &q->cap;
	uint16_t nb = 0;
	uint64_t bytes = 0;

	if (cap->nb_pkts == 0)
		return 0;
	/* One bulk get for the burst; near an empty pool, fall back to one at a time. */
	bool bulk = rf_pktmbuf_alloc_bulk(q->mp, pkts, n) == 0;
	for (; nb < n; nb++) {
		const struct rf_mbuf *src = cap->pkts[q->next];
		struct rf_mbuf *m = bulk ? pkts[nb] : rf_pktmbuf_alloc(q->mp);
		if (!bulk && m == NULL) {
			q->nombuf++;
			break;
		}
		m = rx_copy_one(q, src, m);
		if (m == NULL) {
			/* A chain copy ran out of mbufs: give back what this burst still holds. */
			q->nombuf++;
			if (bulk && nb + 1u < n)
				rf_pktmbuf_free_bulk(&pkts[nb + 1], (unsigned)(n - nb - 1));
			break;
		}
		m->port = q->port;
		bytes += m->pkt_len;
		pkts[nb] = m;
		if (++q->next == cap->nb_pkts) {
			q->next = 0;
			q->loops++;
		}
	}
	q->packets += nb;
	q->bytes += bytes;
	return nb;
}

static uint16_t rx_live(void *rxq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_rxq *q = rxq;
	uint16_t nb = 0;
	uint64_t bytes = 0;

	while (nb < n) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc = pcap_next_ex(q->live, &h, &data);
		if (rc == 0)
			break; /* non-blocking: nothing waiting */
		if (rc < 0) {
			q->errors++;
			break;
		}
		if (h->caplen == 0 || h->caplen > RF_PCAP_MAX_SNAPLEN) {
			q->errors++;
			continue;
		}
		struct rf_pcap_record rec = {
		    .data = data,
		    .caplen = h->caplen,
		    .origlen = h->len,
		    .ts_ns =
			(uint64_t)h->ts.tv_sec * 1000000000u + (uint64_t)h->ts.tv_usec * q->ts_mult,
		    .has_ts = 1,
		};
		struct rf_mbuf *m = rf_pcap_record_to_mbuf(&rec, q->mp);
		if (m == NULL) {
			/* libpcap's buffer can't be held: the frame is lost. */
			q->nombuf++;
			break;
		}
		m->port = q->port;
		bytes += m->pkt_len;
		pkts[nb++] = m;
	}
	q->packets += nb;
	q->bytes += bytes;
	return nb;
}

/* --- TX --- */

/* The frame's bytes in one piece (the mbuf's own when it has one segment), or NULL. */
static const uint8_t *tx_linear(struct pcap_txq *q, const struct rf_mbuf *m, uint32_t len)
{
	return rf_pktmbuf_read(m, 0, len, q->lin);
}

static uint16_t tx_drop(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = txq;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++)
		bytes += pkts[i]->pkt_len;
	rf_pktmbuf_free_bulk(pkts, n);
	q->packets += n;
	q->bytes += bytes;
	return n;
}

static uint16_t tx_file(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = txq;
	uint64_t bytes = 0, sent = 0;

	for (uint16_t i = 0; i < n; i++) {
		const struct rf_mbuf *m = pkts[i];
		uint32_t caplen = m->pkt_len;
		if (RF_UNLIKELY(caplen > q->lin_len)) {
			q->oversize++; /* a record would hold a different, truncated frame */
			continue;
		}
		const uint8_t *data = tx_linear(q, m, caplen);
		if (data == NULL || caplen == 0) {
			q->errors++; /* a chain shorter than its pkt_len */
			continue;
		}
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		/* With a nanosecond pcap_t the dumper writes ts.tv_usec as nanoseconds. */
		struct pcap_pkthdr h = {
		    .ts = {.tv_sec = now.tv_sec, .tv_usec = (suseconds_t)now.tv_nsec},
		    .caplen = caplen,
		    .len = m->pkt_len,
		};
		pcap_dump((u_char *)q->dumper, &h, data);
		bytes += m->pkt_len;
		sent++;
	}
	rf_pktmbuf_free_bulk(pkts, n);
	q->packets += sent;
	q->bytes += bytes;
	return n;
}

static uint16_t tx_live(void *txq, struct rf_mbuf **pkts, uint16_t n)
{
	struct pcap_txq *q = txq;
	uint64_t bytes = 0, sent = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct rf_mbuf *m = pkts[i];
		if (RF_UNLIKELY(m->pkt_len > q->lin_len)) {
			q->oversize++;
			rf_pktmbuf_free(m);
			continue;
		}
		const uint8_t *data = tx_linear(q, m, m->pkt_len);
		if (data == NULL || m->pkt_len == 0) {
			q->errors++;
			rf_pktmbuf_free(m);
			continue;
		}
		if (pcap_inject(q->live, data, m->pkt_len) < 0) {
			/* The socket is full: the caller keeps this one and the rest. */
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				break;
			q->errors++;
			rf_pktmbuf_free(m);
			continue;
		}
		bytes += m->pkt_len;
		sent++;
		rf_pktmbuf_free(m);
	}
	q->packets += sent;
	q->bytes += bytes;
	return i;
}

/* --- control path --- */

static int pcap_infos_get(struct rf_eth_dev *eth, struct rf_eth_dev_info *info)
{
	struct pcap_dev *d = pcap_dev(eth);

	snprintf(info->driver_name, sizeof(info->driver_name), "%s", PCAP_DRIVER_NAME);
	info->max_rx_queues = d->nb_rx_src > 0 ? d->nb_rx_src : RF_MAX_QUEUES_PER_PORT;
	info->max_tx_queues = d->nb_tx_src > 0 ? d->nb_tx_src : RF_MAX_QUEUES_PER_PORT;
	/* There is no descriptor ring: any power of two is accepted and ignored. */
	info->min_rx_desc = 1;
	info->max_rx_desc = PCAP_MAX_DESC;
	info->min_tx_desc = 1;
	info->max_tx_desc = PCAP_MAX_DESC;
	info->max_rx_pktlen = d->rx == RX_LIVE ? PCAP_LIVE_SNAPLEN : RF_PCAP_MAX_SNAPLEN;
	info->max_tx_pktlen = d->tx == TX_LIVE	 ? PCAP_LIVE_SNAPLEN
			      : d->tx == TX_FILE ? PCAP_DUMP_SNAPLEN
						 : 0;
	return 0;
}

static int pcap_rxq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket,
			  struct rf_mempool *mp)
{
	struct pcap_dev *d = pcap_dev(eth);

	(void)nb_desc;
	(void)socket;
	if (q >= RF_MAX_QUEUES_PER_PORT || (d->nb_rx_src > 0 && q >= d->nb_rx_src))
		return -EINVAL;
	if (rf_pktmbuf_data_room_size(mp) <= RF_PKTMBUF_HEADROOM) {
		RF_LOG(ERR, PCAP, "%s: pool %s has no data room beyond its headroom", eth->name,
		       mp->name);
		return -EINVAL;
	}
	d->rxq[q].mp = mp;
	eth->rxq[q] = &d->rxq[q];
	return 0;
}

static int pcap_txq_setup(struct rf_eth_dev *eth, uint16_t q, uint16_t nb_desc, int socket)
{
	struct pcap_dev *d = pcap_dev(eth);

	(void)nb_desc;
	(void)socket;
	if (q >= RF_MAX_QUEUES_PER_PORT || (d->nb_tx_src > 0 && q >= d->nb_tx_src))
		return -EINVAL;
	eth->txq[q] = &d->txq[q];
	return 0;
}

/* What a started RX queue holds (a reader or a preloaded capture) goes; the counters stay. */
static void rxq_release(struct pcap_rxq *q)
{
	rf_pcap_close(q->reader);
	q->reader = NULL;
	q->have_rec = 0;
	rf_pcap_capture_free(&q->cap);
}

static int rxq_start(struct rf_eth_dev *eth, enum rx_kind kind, struct pcap_rxq *q)
{
	char err[PCAP_ERR_LEN];

	q->port = eth->port_id;
	q->have_rec = 0;
	q->eof = 0;
	q->next = 0;
	q->seen_skipped = 0;
	if (kind == RX_FILE) {
		q->reader = rf_pcap_open(q->name, err, sizeof(err));
		if (q->reader == NULL) {
			int rc = -errno;
			RF_LOG(ERR, PCAP, "%s: %s", q->what, err);
			return rc;
		}
	} else if (kind == RX_INFINITE) {
		int rc = rf_pcap_preload(q->name, q->mp, 0, &q->cap, err, sizeof(err));
		if (rc < 0) {
			RF_LOG(ERR, PCAP, "%s with infinite_rx: %s", q->what, err);
			return rc;
		}
		if (q->cap.stats.skipped > 0)
			RF_LOG(WARNING, PCAP, "%s: %llu records skipped: %s", q->what,
			       (unsigned long long)q->cap.stats.skipped, q->cap.stats.warning);
		q->errors += q->cap.stats.skipped;
		RF_LOG(INFO, PCAP, "%s: %u packets, %llu bytes loaded for infinite_rx", q->what,
		       q->cap.nb_pkts, (unsigned long long)q->cap.bytes);
	}
	return 0;
}

/* Only the configured queues are opened: a source beyond nb_rx_queues stays unread. */
static int pcap_start(struct rf_eth_dev *eth)
{
	struct pcap_dev *d = pcap_dev(eth);

	for (uint16_t q = 0; q < eth->nb_rx_queues; q++) {
		int rc = rxq_start(eth, d->rx, &d->rxq[q]);
		if (rc < 0) {
			/* A failed start leaves nothing open, as if it had never begun. */
			while (q-- > 0)
				rxq_release(&d->rxq[q]);
			return rc;
		}
	}
	return 0;
}

static int pcap_stop(struct rf_eth_dev *eth)
{
	struct pcap_dev *d = pcap_dev(eth);

	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		rxq_release(&d->rxq[q]);
		/* A stopped port's captures are complete on disk. */
		if (d->txq[q].dumper != NULL && pcap_dump_flush(d->txq[q].dumper) < 0)
			RF_LOG(WARNING, PCAP, "%s: tx_pcap=%s: flush failed", eth->name,
			       d->txq[q].name);
	}
	return 0;
}

static void pcap_free(struct pcap_dev *d)
{
	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		struct pcap_rxq *rq = &d->rxq[q];
		struct pcap_txq *tq = &d->txq[q];

		rxq_release(rq);
		if (rq->live != NULL)
			pcap_close(rq->live);
		if (tq->dumper != NULL)
			pcap_dump_close(tq->dumper); /* flushes */
		if (tq->live != NULL)
			pcap_close(tq->live);
		free(tq->lin);
		free(rq->name);
		free(tq->name);
	}
	/* After the dumpers: each was opened for this handle. */
	if (d->dead != NULL)
		pcap_close(d->dead);
	free(d);
}

static int pcap_close_dev(struct rf_eth_dev *eth)
{
	pcap_free(pcap_dev(eth));
	return 0;
}

static int pcap_stats_get(struct rf_eth_dev *eth, struct rf_eth_stats *st)
{
	struct pcap_dev *d = pcap_dev(eth);

	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		const struct pcap_rxq *rq = &d->rxq[q];
		const struct pcap_txq *tq = &d->txq[q];

		st->q_ipackets[q] = rq->packets;
		st->q_ibytes[q] = rq->bytes;
		st->q_errors[q] = rq->errors;
		st->ierrors += rq->errors;
		st->rx_nombuf += rq->nombuf;
		st->q_opackets[q] = tq->packets;
		st->q_obytes[q] = tq->bytes;
		st->oerrors += tq->errors;
		st->tx_oversize += tq->oversize;
	}
	return 0;
}

static int pcap_stats_reset(struct rf_eth_dev *eth)
{
	struct pcap_dev *d = pcap_dev(eth);

	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		struct pcap_rxq *rq = &d->rxq[q];
		struct pcap_txq *tq = &d->txq[q];

		rq->packets = rq->bytes = rq->errors = rq->nombuf = rq->loops = 0;
		tq->packets = tq->bytes = tq->errors = tq->oversize = 0;
	}
	return 0;
}

/* rx_infinite_loops: the whole captures replayed, summed over the RX queues. */
static int pcap_xstats_get(struct rf_eth_dev *eth, struct rf_eth_xstat *xs, unsigned n)
{
	struct pcap_dev *d = pcap_dev(eth);

	if (n >= 1) {
		uint64_t loops = 0;
		for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++)
			loops += d->rxq[q].loops;
		snprintf(xs[0].name, sizeof(xs[0].name), "rx_infinite_loops");
		xs[0].value = loops;
	}
	return 1;
}

static int pcap_link_update(struct rf_eth_dev *eth, struct rf_eth_link *link)
{
	(void)eth;
	/* A file or a libpcap handle has no link to lose; DPDK's net_pcap says 10G up too. */
	link->status = RF_ETH_LINK_UP;
	link->speed_mbps = 10000;
	link->full_duplex = 1;
	return 0;
}

static int pcap_promiscuous_set(struct rf_eth_dev *eth, int on)
{
	struct pcap_dev *d = pcap_dev(eth);

	/* Live interfaces are opened promiscuous and stay so; a file has no filter. */
	if (!on && d->rx == RX_LIVE)
		return -ENOTSUP;
	return 0;
}

static const struct rf_eth_dev_ops pcap_ops = {
    .dev_infos_get = pcap_infos_get,
    .rx_queue_setup = pcap_rxq_setup,
    .tx_queue_setup = pcap_txq_setup,
    .dev_start = pcap_start,
    .dev_stop = pcap_stop,
    .dev_close = pcap_close_dev,
    .stats_get = pcap_stats_get,
    .stats_reset = pcap_stats_reset,
    .xstats_get = pcap_xstats_get,
    .link_update = pcap_link_update,
    .promiscuous_set = pcap_promiscuous_set,
};

/* --- probe --- */

/*
 * A live handle: immediate mode (each frame delivered as it arrives, not
 * when a block fills), non-blocking, nanosecond stamps where the kernel
 * gives them. 0 or -errno with a message.
 */
static int live_open(const char *key, const char *ifname, bool rx, bool in_only, pcap_t **out,
		     uint64_t *ts_mult, char *err, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_create(ifname, pe);

	if (p == NULL) {
		perr(err, errlen, "%s=%s: %s", key, ifname, pe);
		return -ENODEV;
	}
	pcap_set_snaplen(p, (int)PCAP_LIVE_SNAPLEN);
	pcap_set_promisc(p, rx ? 1 : 0);
	pcap_set_immediate_mode(p, 1);
	pcap_set_buffer_size(p, (int)PCAP_LIVE_BUFSIZE);
	bool nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
	int rc = pcap_activate(p);
	if (rc < 0) {
		perr(err, errlen, "%s=%s: cannot open the interface: %s%s%s", key, ifname,
		     pcap_statustostr(rc), rc == PCAP_ERROR ? ": " : "",
		     rc == PCAP_ERROR ? pcap_geterr(p) : "");
		pcap_close(p);
		return rc == PCAP_ERROR_PERM_DENIED ? -EPERM : -ENODEV;
	}
	if (rc > 0)
		RF_LOG(WARNING, PCAP, "%s=%s: %s", key, ifname, pcap_statustostr(rc));
	if (pcap_datalink(p) != DLT_EN10MB) {
		const char *n = pcap_datalink_val_to_name(pcap_datalink(p));
		perr(err, errlen, "%s=%s: link type %d (%s), only Ethernet (1) is supported", key,
		     ifname, pcap_datalink(p), n != NULL ? n : "unknown");
		pcap_close(p);
		return -ENOTSUP;
	}
	if (pcap_setnonblock(p, 1, pe) < 0) {
		perr(err, errlen, "%s=%s: cannot make it non-blocking: %s", key, ifname, pe);
		pcap_close(p);
		return -EIO;
	}
	if (in_only && pcap_setdirection(p, PCAP_D_IN) < 0) {
		perr(err, errlen, "%s=%s: cannot capture incoming frames only: %s", key, ifname,
		     pcap_geterr(p));
		pcap_close(p);
		return -ENOTSUP;
	}
	if (ts_mult != NULL)
		*ts_mult =
		    nano && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
	*out = p;
	return 0;
}

struct pcap_src {
	const char *key, *val;
};

struct pcap_args {
	struct pcap_src rx[RF_MAX_QUEUES_PER_PORT]; /* in argument order: RX queue i */
	struct pcap_src tx[RF_MAX_QUEUES_PER_PORT]; /* TX queue i */
	unsigned nb_rx, nb_tx;
	const char *iface; /* the first iface=, for phy_mac */
	int infinite_rx, phy_mac;
};

static bool is_live_key(const char *k)
{
	return strcmp(k, "rx_pcap") != 0 && strcmp(k, "tx_pcap") != 0;
}

/*
 * One more queue for src, in a direction whose queues share one kind (file
 * or interface) because the port has one burst function for them.
 */
static int add_src(struct pcap_src *list, unsigned *nb, const char *dir, const char *k,
		   const char *v, char *err, size_t errlen)
{
	if (*nb > 0 && is_live_key(list[0].key) != is_live_key(k)) {
		perr(err, errlen,
		     "%s=%s and %s=%s: the %s queues of a port are all capture files or all "
		     "interfaces; use one port for each",
		     list[0].key, list[0].val, k, v, dir);
		return -EINVAL;
	}
	if (*nb == RF_MAX_QUEUES_PER_PORT) {
		perr(err, errlen, "%s=%s: more than %u %s queues (one per %s source)", k, v,
		     RF_MAX_QUEUES_PER_PORT, dir, dir);
		return -EINVAL;
	}
	list[*nb] = (struct pcap_src){k, v};
	(*nb)++;
	return 0;
}

/* Sort the devargs into RX sources and TX sinks, each one queue, in argument order. */
static int pcap_parse(const struct rf_devargs *da, struct pcap_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	for (unsigned i = 0; i < da->nb_kv; i++) {
		const char *k = da->kv[i].key, *v = da->kv[i].value;
		bool rx = strcmp(k, "rx_pcap") == 0 || strcmp(k, "rx_iface") == 0 ||
			  strcmp(k, "rx_iface_in") == 0 || strcmp(k, "iface") == 0;
		bool tx = strcmp(k, "tx_pcap") == 0 || strcmp(k, "tx_iface") == 0 ||
			  strcmp(k, "iface") == 0;
		int rc = 0;

		if (rx || tx) {
			if (v == NULL || v[0] == '\0') {
				perr(err, errlen, "%s needs a value", k);
				return -EINVAL;
			}
		}
		if (rx)
			rc = add_src(a->rx, &a->nb_rx, "RX", k, v, err, errlen);
		if (rc == 0 && tx)
			rc = add_src(a->tx, &a->nb_tx, "TX", k, v, err, errlen);
		if (rc < 0)
			return rc;
		if (strcmp(k, "iface") == 0 && a->iface == NULL)
			a->iface = v;
	}
	if (a->nb_rx == 0 && a->nb_tx == 0) {
		perr(err, errlen,
		     "give at least one of rx_pcap, tx_pcap, rx_iface, rx_iface_in, tx_iface, "
		     "iface");
		return -EINVAL;
	}
	int rc = rf_devargs_get_bool(da, "infinite_rx", 0, &a->infinite_rx, err, errlen);
	if (rc == 0)
		rc = rf_devargs_get_bool(da, "phy_mac", 0, &a->phy_mac, err, errlen);
	if (rc < 0)
		return rc;
	if (a->infinite_rx && (a->nb_rx == 0 || is_live_key(a->rx[0].key))) {
		perr(err, errlen, "infinite_rx=1 needs rx_pcap=FILE");
		return -EINVAL;
	}
	if (a->phy_mac && a->iface == NULL) {
		perr(err, errlen, "phy_mac=1 needs iface=IF (it takes that interface's MAC)");
		return -EINVAL;
	}
	return 0;
}

static int pcap_setup_rxq(struct pcap_dev *d, uint16_t qi, const struct pcap_src *s, char *err,
			  size_t errlen)
{
	struct pcap_rxq *q = &d->rxq[qi];
	char lerr[PCAP_ERR_LEN];

	if (d->nb_rx_src > 1)
		snprintf(q->what_buf, sizeof(q->what_buf), "%s RX queue %u: %s=%s", d->eth.name, qi,
			 s->key, s->val);
	else
		snprintf(q->what_buf, sizeof(q->what_buf), "%s: %s=%s", d->eth.name, s->key,
			 s->val);
	q->what = q->what_buf;
	q->name = strdup(s->val);
	if (q->name == NULL)
		return -ENOMEM;
	if (d->rx == RX_LIVE)
		return live_open(s->key, s->val, true, strcmp(s->key, "rx_iface") != 0, &q->live,
				 &q->ts_mult, err, errlen);
	/* Read the file header now, so that a bad file fails the probe and not the start. */
	struct rf_pcap_reader *r = rf_pcap_open(s->val, lerr, sizeof(lerr));
	if (r == NULL) {
		int rc = -errno;
		perr(err, errlen, "%s=%s: %s", s->key, s->val, lerr);
		return rc;
	}
	rf_pcap_close(r);
	return 0;
}

static int pcap_setup_txq(struct pcap_dev *d, uint16_t qi, const struct pcap_src *s, char *err,
			  size_t errlen)
{
	struct pcap_txq *q = &d->txq[qi];

	q->name = strdup(s->val);
	if (q->name == NULL)
		return -ENOMEM;
	q->lin_len = d->tx == TX_LIVE ? PCAP_LIVE_SNAPLEN : PCAP_DUMP_SNAPLEN;
	q->lin = malloc(q->lin_len);
	if (q->lin == NULL)
		return -ENOMEM;
	if (d->tx == TX_LIVE)
		return live_open(s->key, s->val, false, false, &q->live, NULL, err, errlen);
	if (d->dead == NULL) {
		d->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, (int)PCAP_DUMP_SNAPLEN,
							       PCAP_TSTAMP_PRECISION_NANO);
		if (d->dead == NULL)
			return -ENOMEM;
	}
	q->dumper = pcap_dump_open(d->dead, s->val);
	if (q->dumper == NULL) {
		perr(err, errlen, "%s=%s: cannot create the capture: %s", s->key, s->val,
		     pcap_geterr(d->dead));
		return -EIO;
	}
	return 0;
}

static int pcap_probe(const char *name, const struct rf_devargs *da, struct rf_eth_dev **out,
		      char *err, size_t errlen)
{
	char lerr[PCAP_ERR_LEN] = "";
	struct pcap_args a;
	struct pcap_dev *d = NULL;
	int rc = pcap_parse(da, &a, lerr, sizeof(lerr));

	if (rc < 0)
		goto fail;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	snprintf(d->eth.name, sizeof(d->eth.name), "%s", name);
	d->eth.ops = &pcap_ops;
	d->eth.rx_burst = rx_none;
	d->eth.tx_burst = tx_drop;
	for (unsigned q = 0; q < RF_MAX_QUEUES_PER_PORT; q++) {
		d->rxq[q].ts_mult = 1;
		d->rxq[q].what = d->eth.name;
	}
	d->nb_rx_src = (uint16_t)a.nb_rx;
	d->nb_tx_src = (uint16_t)a.nb_tx;
	if (a.nb_rx > 0) {
		if (is_live_key(a.rx[0].key)) {
			d->rx = RX_LIVE;
			d->eth.rx_burst = rx_live;
		} else {
			d->rx = a.infinite_rx ? RX_INFINITE : RX_FILE;
			d->eth.rx_burst = a.infinite_rx ? rx_infinite : rx_file;
		}
	}
	if (a.nb_tx > 0) {
		d->tx = is_live_key(a.tx[0].key) ? TX_LIVE : TX_FILE;
		d->eth.tx_burst = d->tx == TX_LIVE ? tx_live : tx_file;
	}
	for (uint16_t q = 0; q < a.nb_rx; q++)
		if ((rc = pcap_setup_rxq(d, q, &a.rx[q], lerr, sizeof(lerr))) < 0)
			goto fail;
	for (uint16_t q = 0; q < a.nb_tx; q++)
		if ((rc = pcap_setup_txq(d, q, &a.tx[q], lerr, sizeof(lerr))) < 0)
			goto fail;

	/* Without phy_mac=1 the MAC stays zero: ethdev draws a random one. */
	if (a.phy_mac && (rc = rf_eth_iface_mac(a.iface, &d->eth.mac)) < 0) {
		perr(lerr, sizeof(lerr), "phy_mac=1: cannot read the MAC of %s: %s", a.iface,
		     strerror(-rc));
		goto fail;
	}
	rf_eth_dev_set_link(&d->eth, 1);
	*out = &d->eth;
	return 0;

fail:
	if (lerr[0] == '\0')
		snprintf(lerr, sizeof(lerr), "%s", strerror(-rc));
	perr(err, errlen, "%s: %s", name, lerr);
	if (d != NULL)
		pcap_free(d);
	return rc;
}

static const struct rf_eth_driver pcap_driver = {
    .name = PCAP_DRIVER_NAME,
    .valid_keys = pcap_valid_keys,
    .probe = pcap_probe,
};

RF_ETH_DRIVER_REGISTER(pcap_driver)
