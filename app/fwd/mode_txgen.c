/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The generator modes: txonly sends one UDP flow, flowgen cycles the
 * destination IP over cfg->flowgen_flows flows (as testpmd's flowgen does)
 * and frees whatever it receives.
 *
 * Every frame is Ether / IPv4 / UDP / payload, cfg->txpkts[] segment lengths
 * long in all, from the TX port's MAC to its --eth-peer and from --tx-ip SRC
 * to DST. stream_init builds the 42 header bytes once for the frame size (the
 * template), with the folded IPv4 sum of everything but the destination
 * address; the burst copies the template to the start of the data and writes
 * nothing else into the frame, as testpmd does: the payload is whatever the
 * pool's memory holds, so the UDP checksum is 0, "none" (RFC 768; allowed
 * over IPv4). flowgen adds each flow's destination to the IPv4 sum.
 */
#include <errno.h>
#include <string.h>

#include "modes.h"
#include "rf_net.h"

#define TXGEN_HDR_LEN                                                                              \
	(sizeof(struct rf_ether_hdr) + sizeof(struct rf_ipv4_hdr) + sizeof(struct rf_udp_hdr))
#define TXGEN_IP_OFF  sizeof(struct rf_ether_hdr)
#define TXGEN_UDP_OFF (TXGEN_IP_OFF + sizeof(struct rf_ipv4_hdr))

/* Kept in fs->mode_state, copied in and out with memcpy. */
struct txgen_state {
	uint8_t hdr[TXGEN_HDR_LEN]; /* the frame's headers, for cfg->tx_ip_dst */
	uint16_t ip_sum; /* folded sum of the IPv4 header, checksum and destination zero */
	uint16_t frame_len;
	uint32_t next_flow; /* flowgen: flow of the next packet, 0..flowgen_flows-1 */
};

_Static_assert(sizeof(struct txgen_state) <= sizeof(((struct rf_fwd_stream *)0)->mode_state),
	       "txgen state fits in mode_state");

static void txgen_load(const struct rf_fwd_stream *fs, struct txgen_state *st)
{
	memcpy(st, fs->mode_state, sizeof(*st));
}

static void txgen_store(struct rf_fwd_stream *fs, const struct txgen_state *st)
{
	memcpy(fs->mode_state, st, sizeof(*st));
}

/* Write destination dst (host order) into hdr, and the IPv4 checksum to match. */
static inline void txgen_set_dst(uint8_t *hdr, const struct txgen_state *st, uint32_t dst)
{
	uint32_t be = htonl(dst);
	uint16_t w[2];
	uint16_t ip_cksum;

	memcpy(hdr + TXGEN_IP_OFF + offsetof(struct rf_ipv4_hdr, dst_addr), &be, 4);
	memcpy(w, &be, 4);
	ip_cksum = (uint16_t)~rf_cksum_fold((uint64_t)st->ip_sum + w[0] + w[1]);
	memcpy(hdr + TXGEN_IP_OFF + offsetof(struct rf_ipv4_hdr, hdr_checksum), &ip_cksum, 2);
}

/* Check the config against the pool and build the template. 0 or -EINVAL. */
static int txgen_init(struct rf_fwd_stream *fs)
{
	const struct rf_fwd_config *cfg = fs->cfg;
	struct txgen_state st;
	uint32_t frame = 0;

	if (fs->pool == NULL || cfg->nb_txpkts == 0 || cfg->nb_txpkts > RF_FWD_MAX_TXPKTS_SEGS)
		return -EINVAL;
	uint16_t room = rf_pktmbuf_data_room_size(fs->pool);
	room = room > RF_PKTMBUF_HEADROOM ? (uint16_t)(room - RF_PKTMBUF_HEADROOM) : 0;
	for (uint16_t i = 0; i < cfg->nb_txpkts; i++) {
		if (cfg->txpkts[i] == 0 || cfg->txpkts[i] > room)
			return -EINVAL;
		frame += cfg->txpkts[i];
	}
	/* The headers must fit, and the IPv4 total length is 16 bits. */
	if (frame < TXGEN_HDR_LEN || frame - TXGEN_IP_OFF > UINT16_MAX)
		return -EINVAL;

	memset(&st, 0, sizeof(st));
	st.frame_len = (uint16_t)frame;

	struct rf_ether_hdr eth;
	memcpy(eth.dst_addr, cfg->eth_peer[fs->tx_port].addr_bytes, RF_ETHER_ADDR_LEN);
	memcpy(eth.src_addr, fs->tx_port_mac.addr_bytes, RF_ETHER_ADDR_LEN);
	eth.ether_type = htons(RF_ETHER_TYPE_IPV4);

	struct rf_ipv4_hdr ip = {
	    .version_ihl = RF_IPV4_VHL_DEF,
	    .total_length = htons((uint16_t)(frame - TXGEN_IP_OFF)),
	    .time_to_live = RF_IPV4_DEFAULT_TTL,
	    .next_proto_id = RF_IP_PROTO_UDP,
	    .src_addr = htonl(cfg->tx_ip_src),
	    .dst_addr = 0,
	};
	struct rf_udp_hdr udp = {
	    .src_port = htons(cfg->tx_udp_src),
	    .dst_port = htons(cfg->tx_udp_dst),
	    .dgram_len = htons((uint16_t)(frame - TXGEN_UDP_OFF)),
	    .dgram_cksum = 0, /* none: the payload is not ours to sum */
	};

	st.ip_sum = rf_raw_cksum(&ip, sizeof(ip));
	memcpy(st.hdr, &eth, sizeof(eth));
	memcpy(st.hdr + TXGEN_IP_OFF, &ip, sizeof(ip));
	memcpy(st.hdr + TXGEN_UDP_OFF, &udp, sizeof(udp));
	txgen_set_dst(st.hdr, &st, cfg->tx_ip_dst);
	txgen_store(fs, &st);
	return 0;
}

/* The fields every generated head carries, whatever its segments. */
static inline void txgen_set_meta(struct rf_mbuf *m, uint16_t frame_len)
{
	m->pkt_len = frame_len;
	m->packet_type = RF_PTYPE_L2_ETHER | RF_PTYPE_L3_IPV4 | RF_PTYPE_L4_UDP;
	m->l2_len = sizeof(struct rf_ether_hdr);
	m->l3_len = sizeof(struct rf_ipv4_hdr);
	m->l4_len = sizeof(struct rf_udp_hdr);
}

/* Give a fresh head the segments and lengths of cfg->txpkts. 0, or -ENOENT (head untouched). */
static int txgen_shape(struct rf_fwd_stream *fs, struct rf_mbuf *m, uint16_t frame_len)
{
	const struct rf_fwd_config *cfg = fs->cfg;
	struct rf_mbuf *segs[RF_FWD_MAX_TXPKTS_SEGS];
	uint16_t nseg = cfg->nb_txpkts;

	if (nseg > 1 && rf_pktmbuf_alloc_bulk(fs->pool, segs, nseg - 1u) != 0)
		return -ENOENT;
	m->data_len = cfg->txpkts[0];
	struct rf_mbuf *last = m;
	for (uint16_t s = 1; s < nseg; s++) {
		segs[s - 1]->data_len = cfg->txpkts[s];
		last->next = segs[s - 1];
		last = segs[s - 1];
	}
	m->nb_segs = nseg;
	txgen_set_meta(m, frame_len);
	return 0;
}

/* Up to n shaped packets into pkts; returns how many the pool had. */
static uint16_t txgen_alloc(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t n,
			    uint16_t frame_len)
{
	if (rf_pktmbuf_alloc_bulk(fs->pool, pkts, n) != 0) {
		/* Less than a burst left: take what there is. */
		uint16_t got = 0;
		while (got < n && (pkts[got] = rf_pktmbuf_alloc(fs->pool)) != NULL)
			got++;
		n = got;
	}
	if (fs->cfg->nb_txpkts == 1) {
		/* One segment (the common case): fresh mbufs already have nb_segs 1, next NULL. */
		for (uint16_t i = 0; i < n; i++) {
			pkts[i]->data_len = frame_len;
			txgen_set_meta(pkts[i], frame_len);
		}
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (txgen_shape(fs, pkts[i], frame_len) != 0) {
			rf_pktmbuf_free_bulk(&pkts[i], n - i);
			return i;
		}
	}
	return n;
}

/*
 * Copy the headers over the start of the chain; the payload is left as it
 * is. A first segment that holds them all (every one-segment frame) takes a
 * copy of constant size, which the compiler turns into a few stores.
 */
static inline void txgen_fill(struct rf_mbuf *m, const uint8_t *hdr)
{
	if (RF_LIKELY(m->data_len >= TXGEN_HDR_LEN)) {
		memcpy(rf_pktmbuf_mtod(m, uint8_t *), hdr, TXGEN_HDR_LEN);
		return;
	}
	size_t left = TXGEN_HDR_LEN;
	for (struct rf_mbuf *s = m; s != NULL && left > 0; s = s->next) {
		size_t n = RF_MIN(left, (size_t)s->data_len);

		memcpy(rf_pktmbuf_mtod(s, uint8_t *), hdr, n);
		hdr += n;
		left -= n;
	}
}

static uint16_t txonly_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	struct txgen_state st;

	(void)nb; /* a generator mode is called with nothing received */
	txgen_load(fs, &st);
	uint16_t n = txgen_alloc(fs, pkts, fs->cfg->burst, st.frame_len);
	for (uint16_t i = 0; i < n; i++)
		txgen_fill(pkts[i], st.hdr);
	return n;
}

const struct rf_fwd_mode rf_fwd_mode_txonly = {
    .name = "txonly",
    .help = "send UDP packets of --txpkts bytes, receive nothing",
    .rx = false,
    .stream_init = txgen_init,
    .burst = txonly_burst,
};

static int flowgen_init(struct rf_fwd_stream *fs)
{
	if (fs->cfg->flowgen_flows == 0)
		return -EINVAL;
	return txgen_init(fs);
}

static uint16_t flowgen_burst(struct rf_fwd_stream *fs, struct rf_mbuf **pkts, uint16_t nb)
{
	const struct rf_fwd_config *cfg = fs->cfg;
	struct txgen_state st;
	uint8_t hdr[TXGEN_HDR_LEN];

	/* What came in is consumed here; the engine has already counted it. */
	rf_pktmbuf_free_bulk(pkts, nb);

	txgen_load(fs, &st);
	memcpy(hdr, st.hdr, sizeof(hdr));
	uint16_t n = txgen_alloc(fs, pkts, cfg->burst, st.frame_len);
	for (uint16_t i = 0; i < n; i++) {
		txgen_set_dst(hdr, &st, cfg->tx_ip_dst + st.next_flow);
		txgen_fill(pkts[i], hdr);
		if (++st.next_flow >= cfg->flowgen_flows)
			st.next_flow = 0;
	}
	txgen_store(fs, &st);
	return n;
}

const struct rf_fwd_mode rf_fwd_mode_flowgen = {
    .name = "flowgen",
    .help = "send UDP packets over --flowgen-flows destination IPs, free what is received",
    .rx = true,
    .stream_init = flowgen_init,
    .burst = flowgen_burst,
};
