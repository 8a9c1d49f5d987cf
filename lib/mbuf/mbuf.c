/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet buffers: pool creation and the slow paths (chains, copy, checks,
 * dump). The per-packet operations are static inline in rf_mbuf.h.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "rf_log.h"
#include "rf_mbuf.h"

/* What every object of the pool needs at init time, before the pool's private area is filled. */
struct pktmbuf_init_arg {
	uint16_t priv_size;
	uint16_t buf_len;
};

/*
 * Runs once per object at pool creation: the buffer address and its IOVA never
 * change afterwards, so the data path never translates an address.
 */
static void pktmbuf_obj_init(struct rf_mempool *mp, void *arg, void *obj, unsigned idx)
{
	const struct pktmbuf_init_arg *ia = arg;
	struct rf_mbuf *m = obj;

	(void)idx;
	memset(m, 0, sizeof(*m));
	m->buf_addr = (char *)obj + sizeof(struct rf_mbuf) + ia->priv_size;
	m->buf_iova = rf_mempool_virt2iova(mp, m->buf_addr);
	m->buf_len = ia->buf_len;
	m->pool = mp;
	m->priv_size = ia->priv_size;
	rf_mbuf_refcnt_set(m, 1);
	m->nb_segs = 1;
	m->port = UINT16_MAX;
	m->data_off = RF_MIN((uint16_t)RF_PKTMBUF_HEADROOM, ia->buf_len);
}

struct rf_mempool *rf_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache_size,
					  uint16_t priv_size, uint16_t data_room_size, int socket)
{
	/* The buffer follows the private area: keep it 8-byte aligned for the headers in it. */
	if (name == NULL || n == 0 || priv_size % 8 != 0) {
		errno = EINVAL;
		return NULL;
	}

	struct pktmbuf_init_arg ia = {.priv_size = priv_size, .buf_len = data_room_size};
	unsigned elt_size = (unsigned)sizeof(struct rf_mbuf) + priv_size + data_room_size;
	struct rf_mempool *mp =
	    rf_mempool_create(name, n, elt_size, cache_size, sizeof(struct rf_pktmbuf_pool_private),
			      pktmbuf_obj_init, &ia, socket);
	if (mp == NULL)
		return NULL;

	struct rf_pktmbuf_pool_private *priv = rf_mempool_get_priv(mp);
	priv->data_room_size = data_room_size;
	priv->priv_size = priv_size;
	return mp;
}

/*
 * Segments waiting to go back to one pool. Consecutive mbufs usually come from
 * the same pool (one RX queue's pool), so a batch is flushed only when the
 * pool changes or the batch is full.
 */
#define FREE_BATCH 64

struct free_batch {
	struct rf_mempool *pool;
	unsigned n;
	void *objs[FREE_BATCH];
};

static void free_batch_flush(struct free_batch *b)
{
	if (b->n > 0)
		rf_mempool_put_bulk(b->pool, b->objs, b->n);
	b->n = 0;
}

static void free_batch_add(struct free_batch *b, struct rf_mbuf *seg)
{
	if (b->n == FREE_BATCH || (b->n > 0 && b->pool != seg->pool))
		free_batch_flush(b);
	b->pool = seg->pool;
	b->objs[b->n++] = seg;
}

void rf_pktmbuf_free_bulk(struct rf_mbuf **mbufs, unsigned n)
{
	struct free_batch b = {.pool = NULL, .n = 0};

	for (unsigned i = 0; i < n; i++) {
		struct rf_mbuf *m = mbufs[i];

		while (m != NULL) {
			/* Read next first: prefree_seg clears it on the last reference. */
			struct rf_mbuf *next = m->next;

			if (rf_pktmbuf_prefree_seg(m) != NULL)
				free_batch_add(&b, m);
			m = next;
		}
	}
	free_batch_flush(&b);
}

char *rf_pktmbuf_prepend(struct rf_mbuf *m, uint16_t len)
{
	if (len > rf_pktmbuf_headroom(m))
		return NULL;
	m->data_off = (uint16_t)(m->data_off - len);
	m->data_len = (uint16_t)(m->data_len + len);
	m->pkt_len += len;
	return rf_pktmbuf_mtod(m, char *);
}

char *rf_pktmbuf_append(struct rf_mbuf *m, uint16_t len)
{
	struct rf_mbuf *last = rf_pktmbuf_lastseg(m);

	if (len > rf_pktmbuf_tailroom(last))
		return NULL;
	char *tail = rf_pktmbuf_mtod_offset(last, char *, last->data_len);
	last->data_len = (uint16_t)(last->data_len + len);
	m->pkt_len += len;
	return tail;
}

char *rf_pktmbuf_adj(struct rf_mbuf *m, uint16_t len)
{
	if (len > m->data_len)
		return NULL;
	m->data_off = (uint16_t)(m->data_off + len);
	m->data_len = (uint16_t)(m->data_len - len);
	m->pkt_len -= len;
	return rf_pktmbuf_mtod(m, char *);
}

int rf_pktmbuf_trim(struct rf_mbuf *m, uint16_t len)
{
	struct rf_mbuf *last = rf_pktmbuf_lastseg(m);

	if (len > last->data_len)
		return -EINVAL;
	last->data_len = (uint16_t)(last->data_len - len);
	m->pkt_len -= len;
	return 0;
}

int rf_pktmbuf_chain(struct rf_mbuf *head, struct rf_mbuf *tail)
{
	if ((unsigned)head->nb_segs + tail->nb_segs > UINT16_MAX)
		return -EOVERFLOW;
	rf_pktmbuf_lastseg(head)->next = tail;
	head->nb_segs = (uint16_t)(head->nb_segs + tail->nb_segs);
	head->pkt_len += tail->pkt_len;
	/* tail is now an inner segment: its chain-wide fields no longer mean anything. */
	tail->pkt_len = tail->data_len;
	tail->nb_segs = 1;
	return 0;
}

const void *rf_pktmbuf_read(const struct rf_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	if ((uint64_t)off + len > m->pkt_len)
		return NULL;

	const struct rf_mbuf *seg = m;
	while (seg->next != NULL && off >= seg->data_len) {
		off -= seg->data_len;
		seg = seg->next;
	}
	if ((uint64_t)off + len <= seg->data_len)
		return rf_pktmbuf_mtod_offset(seg, const char *, off);

	/* The bytes span segments: gather them into the caller's buffer. */
	char *dst = buf;
	uint32_t left = len;
	while (left > 0 && seg != NULL) {
		uint32_t chunk = RF_MIN((uint32_t)seg->data_len - off, left);

		memcpy(dst, rf_pktmbuf_mtod_offset(seg, const char *, off), chunk);
		dst += chunk;
		left -= chunk;
		off = 0;
		seg = seg->next;
	}
	return left == 0 ? buf : NULL;
}

static void copy_metadata(struct rf_mbuf *dst, const struct rf_mbuf *src)
{
	dst->port = src->port;
	dst->queue = src->queue;
	dst->ol_flags = src->ol_flags;
	dst->packet_type = src->packet_type;
	dst->vlan_tci = src->vlan_tci;
	dst->hash = src->hash;
	dst->seqn = src->seqn;
	dst->rx_tsc = src->rx_tsc;
	dst->udata64 = src->udata64;
	dst->timestamp = src->timestamp;
	dst->l2_len = src->l2_len;
	dst->l3_len = src->l3_len;
	dst->l4_len = src->l4_len;
	memcpy(dst->dynfield, src->dynfield, sizeof(dst->dynfield));
}

struct rf_mbuf *rf_pktmbuf_copy(const struct rf_mbuf *m, struct rf_mempool *mp)
{
	struct rf_mbuf *head = rf_pktmbuf_alloc(mp);
	if (head == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	/* A pool whose buffers are all headroom could never hold a byte. */
	if (m->pkt_len > 0 && rf_pktmbuf_tailroom(head) == 0) {
		rf_pktmbuf_free(head);
		errno = EINVAL;
		return NULL;
	}
	copy_metadata(head, m);

	struct rf_mbuf *cur = head;
	const struct rf_mbuf *src = m;
	uint32_t src_off = 0;

	while (src != NULL) {
		if (src_off == src->data_len) {
			src = src->next;
			src_off = 0;
			continue;
		}
		if (rf_pktmbuf_tailroom(cur) == 0) {
			if (head->nb_segs == UINT16_MAX) {
				rf_pktmbuf_free(head);
				errno = EOVERFLOW;
				return NULL;
			}
			struct rf_mbuf *seg = rf_pktmbuf_alloc(mp);
			if (seg == NULL) {
				rf_pktmbuf_free(head);
				errno = ENOMEM;
				return NULL;
			}
			cur->next = seg;
			cur = seg;
			head->nb_segs++;
		}
		uint16_t chunk = (uint16_t)RF_MIN((uint32_t)rf_pktmbuf_tailroom(cur),
						  (uint32_t)src->data_len - src_off);
		memcpy(rf_pktmbuf_mtod_offset(cur, char *, cur->data_len),
		       rf_pktmbuf_mtod_offset(src, const char *, src_off), chunk);
		cur->data_len = (uint16_t)(cur->data_len + chunk);
		head->pkt_len += chunk;
		src_off += chunk;
	}
	return head;
}

static int check_fail(const char **reason, const char *why)
{
	if (reason != NULL)
		*reason = why;
	return -EINVAL;
}

int rf_mbuf_check(const struct rf_mbuf *m, const char **reason)
{
	if (m == NULL)
		return check_fail(reason, "mbuf is NULL");
	if (m->nb_segs == 0)
		return check_fail(reason, "nb_segs is 0");

	uint32_t sum = 0;
	unsigned segs = 0;
	for (const struct rf_mbuf *s = m; s != NULL; s = s->next) {
		/* More segments than announced: also what a loop in the chain looks like. */
		if (++segs > m->nb_segs)
			return check_fail(reason, "chain longer than nb_segs");
		if (s->pool == NULL)
			return check_fail(reason, "segment has no pool");
		if (s->buf_addr == NULL)
			return check_fail(reason, "segment has no buffer");
		if (rf_mbuf_refcnt_read(s) == 0)
			return check_fail(reason, "segment has refcnt 0");
		if ((uint32_t)s->data_off + s->data_len > s->buf_len)
			return check_fail(reason, "data outside the buffer");
		sum += s->data_len;
	}
	if (segs != m->nb_segs)
		return check_fail(reason, "chain shorter than nb_segs");
	if (sum != m->pkt_len)
		return check_fail(reason, "pkt_len is not the sum of data_len");
	return 0;
}

static void hexdump(FILE *out, const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i < len; i += 16) {
		unsigned n = RF_MIN(16u, len - i);

		fprintf(out, "  %04x:", i);
		for (unsigned j = 0; j < 16; j++) {
			if (j < n)
				fprintf(out, " %02x", p[i + j]);
			else
				fputs("   ", out);
		}
		fputs("  ", out);
		for (unsigned j = 0; j < n; j++)
			fputc(isprint(p[i + j]) ? p[i + j] : '.', out);
		fputc('\n', out);
	}
}

void rf_pktmbuf_dump(FILE *out, const struct rf_mbuf *m, unsigned dump_len)
{
	const char *reason = NULL;

	fprintf(out, "mbuf %p: pool %s, buf_addr %p, buf_iova 0x%" PRIx64 ", buf_len %u\n",
		(const void *)m, m->pool != NULL ? m->pool->name : "(none)", m->buf_addr,
		m->buf_iova, m->buf_len);
	fprintf(out,
		"  pkt_len %u, nb_segs %u, port %u, queue %u, refcnt %u, ol_flags 0x%" PRIx64
		", packet_type 0x%x\n",
		m->pkt_len, m->nb_segs, m->port, m->queue, rf_mbuf_refcnt_read(m), m->ol_flags,
		m->packet_type);
	if (rf_mbuf_check(m, &reason) < 0)
		fprintf(out, "  INVALID: %s\n", reason);

	unsigned left = RF_MIN(dump_len, m->pkt_len);
	unsigned segs = 0;
	for (const struct rf_mbuf *s = m; s != NULL && segs < m->nb_segs; s = s->next, segs++) {
		fprintf(out, "  segment %u: %p data_off %u data_len %u\n", segs, (const void *)s,
			s->data_off, s->data_len);
		unsigned n = RF_MIN(left, (unsigned)s->data_len);
		if (n > 0 && (uint32_t)s->data_off + n <= s->buf_len)
			hexdump(out, rf_pktmbuf_mtod(s, const uint8_t *), n);
		left -= n;
	}
}
