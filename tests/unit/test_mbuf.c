/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for lib/mbuf: pool layout and defaults, alloc/free and the pool
 * counters, reference counts, chains, the head/tail operations and their
 * failure paths, read/copy across segments, the chain checker, and bulk free
 * over several pools. Memory is the EAL heap in --no-huge mode (a plain
 * memfd), so no hugepages are needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rf_eal.h"
#include "rf_mbuf.h"
#include "rf_test_eal.h"

#define NB_MBUF 32

struct fixture {
	struct rf_mempool *mp;	  /* default buffers, no cache: exact counters */
	struct rf_mempool *small; /* 64 bytes of data room per mbuf, for multi-segment copies */
};

static int setup(void **state)
{
	static struct fixture f;

	f.mp = rf_pktmbuf_pool_create("test_mbuf", NB_MBUF, 0, 0, RF_MBUF_DEFAULT_BUF_SIZE,
				      RF_SOCKET_ID_ANY);
	f.small = rf_pktmbuf_pool_create("test_small", NB_MBUF, 0, 0, RF_PKTMBUF_HEADROOM + 64,
					 RF_SOCKET_ID_ANY);
	if (f.mp == NULL || f.small == NULL)
		return -1;
	*state = &f;
	return 0;
}

/* Every test must give back every mbuf it took. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	unsigned leak = rf_mempool_in_use_count(f->mp) + rf_mempool_in_use_count(f->small);

	rf_mempool_free(f->mp);
	rf_mempool_free(f->small);
	if (leak != 0) {
		fprintf(stderr, "%u mbufs leaked\n", leak);
		return -1;
	}
	return 0;
}

/* An mbuf holding len bytes of the pattern (start + i) & 0xff. */
static struct rf_mbuf *make_pkt(struct rf_mempool *mp, uint16_t len, uint8_t start)
{
	struct rf_mbuf *m = rf_pktmbuf_alloc(mp);
	assert_non_null(m);
	uint8_t *p = (uint8_t *)rf_pktmbuf_append(m, len);
	assert_non_null(p);
	for (uint16_t i = 0; i < len; i++)
		p[i] = (uint8_t)(start + i);
	return m;
}

/* A chain of three segments of 100, 50 and 200 bytes carrying 0, 1, 2, ... */
static struct rf_mbuf *make_chain(struct rf_mempool *mp)
{
	struct rf_mbuf *a = make_pkt(mp, 100, 0);
	struct rf_mbuf *b = make_pkt(mp, 50, 100);
	struct rf_mbuf *c = make_pkt(mp, 200, 150);

	assert_int_equal(rf_pktmbuf_chain(b, c), 0);
	assert_int_equal(rf_pktmbuf_chain(a, b), 0);
	return a;
}

static void test_pool_create(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->mp->size, NB_MBUF);
	assert_int_equal(rf_mempool_avail_count(f->mp), NB_MBUF);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
	assert_int_equal(rf_pktmbuf_data_room_size(f->mp), RF_MBUF_DEFAULT_BUF_SIZE);
	assert_int_equal(rf_pktmbuf_data_room_size(f->small), RF_PKTMBUF_HEADROOM + 64);
	assert_true(f->mp->elt_size >= sizeof(struct rf_mbuf) + RF_MBUF_DEFAULT_BUF_SIZE);

	errno = 0;
	assert_null(rf_pktmbuf_pool_create("bad_priv", 8, 0, 7, 256, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(rf_pktmbuf_pool_create("bad_n", 0, 0, 0, 256, RF_SOCKET_ID_ANY));
	assert_int_equal(errno, EINVAL);
}

static void test_defaults(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = rf_pktmbuf_alloc(f->mp);

	assert_non_null(m);
	assert_int_equal(rf_pktmbuf_headroom(m), 128);
	assert_int_equal(rf_pktmbuf_tailroom(m), 2048);
	assert_int_equal(m->buf_len, 128 + 2048);
	assert_ptr_equal(m->buf_addr, (char *)m + sizeof(struct rf_mbuf));
	assert_ptr_equal(m->pool, f->mp);
	assert_int_equal(rf_mbuf_refcnt_read(m), 1);
	assert_int_equal(m->nb_segs, 1);
	assert_int_equal(m->pkt_len, 0);
	assert_int_equal(m->data_len, 0);
	assert_null(m->next);
	assert_int_equal(m->port, UINT16_MAX);
	assert_int_equal(rf_mbuf_check(m, NULL), 0);
	rf_pktmbuf_free(m);
}

static void test_priv_area(void **state)
{
	(void)state;
	struct rf_mempool *mp =
	    rf_pktmbuf_pool_create("test_priv", 8, 0, 64, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	assert_non_null(mp);
	struct rf_mbuf *m = rf_pktmbuf_alloc(mp);
	assert_non_null(m);
	assert_int_equal(m->priv_size, 64);
	assert_ptr_equal(m->buf_addr, (char *)m + sizeof(struct rf_mbuf) + 64);
	assert_int_equal(rf_pktmbuf_headroom(m), 128);
	assert_int_equal(rf_pktmbuf_tailroom(m), 2048);
	const struct rf_pktmbuf_pool_private *priv = rf_mempool_get_priv(mp);
	assert_int_equal(priv->priv_size, 64);
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mempool_in_use_count(mp), 0);
	rf_mempool_free(mp);
}

static void check_iova(struct rf_mempool *mp, void *arg, void *obj, unsigned idx)
{
	const struct rf_mbuf *m = obj;
	unsigned *count = arg;

	(void)mp;
	(void)idx;
	assert_int_not_equal(m->buf_iova, RF_BAD_IOVA);
	assert_int_equal(m->buf_iova, rf_mem_virt2iova(m->buf_addr));
	(*count)++;
}

static void test_buf_iova(void **state)
{
	struct fixture *f = *state;
	unsigned count = 0;

	assert_int_equal(rf_mempool_obj_iter(f->mp, check_iova, &count), NB_MBUF);
	assert_int_equal(count, NB_MBUF);

	struct rf_mbuf *m = make_pkt(f->mp, 10, 0);
	assert_int_equal(rf_pktmbuf_iova(m), rf_mem_virt2iova(rf_pktmbuf_mtod(m, void *)));
	assert_int_equal(rf_pktmbuf_iova_offset(m, 4),
			 rf_mem_virt2iova(rf_pktmbuf_mtod_offset(m, char *, 4)));
	rf_pktmbuf_free(m);
}

static void test_alloc_free(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_pkt(f->mp, 60, 0);

	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
	m->ol_flags = RF_MBUF_F_RX_RSS_HASH;
	m->packet_type = RF_PTYPE_L3_IPV4;
	m->port = 3;
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);

	/* Reallocate every mbuf: none may keep the old packet's fields. */
	struct rf_mbuf *all[NB_MBUF];
	for (unsigned i = 0; i < NB_MBUF; i++) {
		all[i] = rf_pktmbuf_alloc(f->mp);
		assert_non_null(all[i]);
		assert_int_equal(all[i]->data_len, 0);
		assert_int_equal(all[i]->pkt_len, 0);
		assert_int_equal(all[i]->ol_flags, 0);
		assert_int_equal(all[i]->packet_type, 0);
		assert_int_equal(all[i]->port, UINT16_MAX);
		assert_int_equal(rf_pktmbuf_headroom(all[i]), RF_PKTMBUF_HEADROOM);
	}
	assert_null(rf_pktmbuf_alloc(f->mp));
	assert_int_equal(rf_mempool_avail_count(f->mp), 0);
	for (unsigned i = 0; i < NB_MBUF; i++)
		rf_pktmbuf_free(all[i]);
	assert_int_equal(rf_mempool_avail_count(f->mp), NB_MBUF);
	rf_pktmbuf_free(NULL);
}

static void test_alloc_bulk(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *held[NB_MBUF];
	struct rf_mbuf *bulk[8];

	for (unsigned i = 0; i < NB_MBUF - 3; i++)
		held[i] = rf_pktmbuf_alloc(f->mp);
	assert_int_equal(rf_mempool_avail_count(f->mp), 3);

	/* Four asked, three there: nothing taken. */
	memset(bulk, 0, sizeof(bulk));
	assert_int_equal(rf_pktmbuf_alloc_bulk(f->mp, bulk, 4), -ENOENT);
	assert_int_equal(rf_mempool_avail_count(f->mp), 3);

	assert_int_equal(rf_pktmbuf_alloc_bulk(f->mp, bulk, 3), 0);
	assert_int_equal(rf_mempool_avail_count(f->mp), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_non_null(bulk[i]);
		assert_int_equal(rf_mbuf_refcnt_read(bulk[i]), 1);
		assert_int_equal(rf_pktmbuf_headroom(bulk[i]), RF_PKTMBUF_HEADROOM);
		for (unsigned j = 0; j < i; j++)
			assert_ptr_not_equal(bulk[i], bulk[j]);
	}
	rf_pktmbuf_free_bulk(bulk, 3);
	rf_pktmbuf_free_bulk(held, NB_MBUF - 3);
	assert_int_equal(rf_mempool_avail_count(f->mp), NB_MBUF);
}

static void test_refcnt(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_pkt(f->mp, 64, 0);

	assert_int_equal(rf_mbuf_refcnt_update(m, 2), 3);
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mbuf_refcnt_read(m), 2);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mbuf_refcnt_read(m), 1);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);

	/* A chain whose second segment is shared: freeing the chain keeps that segment. */
	struct rf_mbuf *head = make_pkt(f->mp, 10, 0);
	struct rf_mbuf *shared = make_pkt(f->mp, 20, 0);
	rf_mbuf_refcnt_update(shared, 1);
	assert_int_equal(rf_pktmbuf_chain(head, shared), 0);
	rf_pktmbuf_free(head);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 1);
	assert_int_equal(rf_mbuf_refcnt_read(shared), 1);
	assert_int_equal(shared->data_len, 20);
	rf_pktmbuf_free(shared);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
}

static void test_chain(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_chain(f->mp);

	assert_int_equal(m->nb_segs, 3);
	assert_int_equal(m->pkt_len, 350);
	assert_int_equal(m->data_len, 100);
	assert_int_equal(rf_pktmbuf_lastseg(m)->data_len, 200);
	assert_int_equal(rf_mbuf_check(m, NULL), 0);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 3);

	/* nb_segs is 16 bits: a chain that would pass it is refused and left alone. */
	struct rf_mbuf *t = make_pkt(f->mp, 1, 0);
	t->nb_segs = UINT16_MAX - 2;
	assert_int_equal(rf_pktmbuf_chain(m, t), -EOVERFLOW);
	assert_int_equal(m->nb_segs, 3);
	assert_int_equal(m->pkt_len, 350);
	assert_null(rf_pktmbuf_lastseg(m)->next);
	t->nb_segs = 1;
	rf_pktmbuf_free(t);

	/* Freeing the head returns every segment. */
	rf_pktmbuf_free(m);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
}

static void test_prepend_adj(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_pkt(f->mp, 100, 0);
	char *start = rf_pktmbuf_mtod(m, char *);

	char *p = rf_pktmbuf_prepend(m, 14);
	assert_ptr_equal(p, start - 14);
	assert_int_equal(m->data_len, 114);
	assert_int_equal(m->pkt_len, 114);
	assert_int_equal(rf_pktmbuf_headroom(m), 128 - 14);

	/* No headroom left for 115: nothing changes. */
	assert_null(rf_pktmbuf_prepend(m, 115));
	assert_int_equal(m->data_len, 114);
	assert_int_equal(rf_pktmbuf_headroom(m), 114);
	assert_non_null(rf_pktmbuf_prepend(m, 114));
	assert_int_equal(rf_pktmbuf_headroom(m), 0);
	assert_null(rf_pktmbuf_prepend(m, 1));

	p = rf_pktmbuf_adj(m, 128);
	assert_ptr_equal(p, start);
	assert_int_equal(m->data_len, 100);
	assert_int_equal(m->pkt_len, 100);
	assert_int_equal((uint8_t)p[0], 0);

	/* adj works on the first segment only: past its data fails, even with more in the chain. */
	struct rf_mbuf *tail = make_pkt(f->mp, 10, 0);
	assert_int_equal(rf_pktmbuf_chain(m, tail), 0);
	assert_null(rf_pktmbuf_adj(m, 101));
	assert_int_equal(m->pkt_len, 110);
	m->next = NULL;
	m->nb_segs = 1;
	m->pkt_len = 100;
	rf_pktmbuf_free(tail);

	assert_null(rf_pktmbuf_adj(m, 101));
	assert_int_equal(m->data_len, 100);
	assert_ptr_equal(rf_pktmbuf_mtod(m, char *), start);
	assert_non_null(rf_pktmbuf_adj(m, 100));
	assert_int_equal(m->data_len, 0);
	assert_int_equal(m->pkt_len, 0);
	rf_pktmbuf_free(m);
}

static void test_append_trim(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = rf_pktmbuf_alloc(f->mp);

	char *p = rf_pktmbuf_append(m, 2000);
	assert_ptr_equal(p, rf_pktmbuf_mtod(m, char *));
	char *q = rf_pktmbuf_append(m, 48);
	assert_ptr_equal(q, p + 2000);
	assert_int_equal(rf_pktmbuf_tailroom(m), 0);
	assert_null(rf_pktmbuf_append(m, 1));
	assert_int_equal(m->pkt_len, 2048);

	assert_int_equal(rf_pktmbuf_trim(m, 2049), -EINVAL);
	assert_int_equal(m->pkt_len, 2048);
	assert_int_equal(rf_pktmbuf_trim(m, 48), 0);
	assert_int_equal(m->data_len, 2000);
	assert_int_equal(m->pkt_len, 2000);
	rf_pktmbuf_free(m);

	/* On a chain both work on the last segment and keep pkt_len on the head. */
	m = make_chain(f->mp);
	struct rf_mbuf *last = rf_pktmbuf_lastseg(m);
	q = rf_pktmbuf_append(m, 10);
	assert_ptr_equal(q, rf_pktmbuf_mtod_offset(last, char *, 200));
	assert_int_equal(last->data_len, 210);
	assert_int_equal(m->data_len, 100);
	assert_int_equal(m->pkt_len, 360);
	/* The room that counts is the last segment's (1838), not the head's (1948). */
	assert_null(rf_pktmbuf_append(m, 1839));
	assert_int_equal(m->pkt_len, 360);
	assert_int_equal(rf_pktmbuf_trim(m, 211), -EINVAL);
	assert_int_equal(rf_pktmbuf_trim(m, 210), 0);
	assert_int_equal(last->data_len, 0);
	assert_int_equal(m->pkt_len, 150);
	assert_int_equal(rf_mbuf_check(m, NULL), 0);
	rf_pktmbuf_free(m);
}

static void test_read(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_chain(f->mp);
	uint8_t buf[350];

	/* Inside one segment: a pointer into the mbuf, buf untouched. */
	memset(buf, 0xee, sizeof(buf));
	const uint8_t *p = rf_pktmbuf_read(m, 110, 20, buf);
	assert_ptr_equal(p, rf_pktmbuf_mtod_offset(m->next, uint8_t *, 10));
	assert_int_equal(p[0], 110);
	assert_int_equal(buf[0], 0xee);
	/* Starting exactly at a segment boundary: still no copy. */
	p = rf_pktmbuf_read(m, 100, 50, buf);
	assert_ptr_equal(p, rf_pktmbuf_mtod(m->next, uint8_t *));
	p = rf_pktmbuf_read(m, 150, 200, buf);
	assert_ptr_equal(p, rf_pktmbuf_mtod(m->next->next, uint8_t *));
	assert_int_equal(buf[0], 0xee);

	/* Across all three segments: copied into buf. */
	p = rf_pktmbuf_read(m, 90, 100, buf);
	assert_ptr_equal(p, buf);
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(p[i], (uint8_t)(90 + i));

	p = rf_pktmbuf_read(m, 0, 350, buf);
	assert_non_null(p);
	for (unsigned i = 0; i < 350; i++)
		assert_int_equal(p[i], (uint8_t)i);

	assert_null(rf_pktmbuf_read(m, 300, 51, buf));
	assert_null(rf_pktmbuf_read(m, 351, 0, buf));
	assert_null(rf_pktmbuf_read(m, UINT32_MAX, 2, buf));
	assert_non_null(rf_pktmbuf_read(m, 350, 0, buf));
	rf_pktmbuf_free(m);
}

static void test_copy(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_chain(f->mp);
	uint8_t buf[350];

	m->port = 2;
	m->ol_flags = RF_MBUF_F_RX_RSS_HASH;
	m->hash.rss = 0x1234;
	m->seqn = 77;

	/* 350 bytes into 64-byte buffers: six segments. */
	struct rf_mbuf *c = rf_pktmbuf_copy(m, f->small);
	assert_non_null(c);
	assert_int_equal(c->pkt_len, 350);
	assert_int_equal(c->nb_segs, 6);
	assert_int_equal(rf_mbuf_check(c, NULL), 0);
	assert_int_equal(c->port, 2);
	assert_int_equal(c->ol_flags, RF_MBUF_F_RX_RSS_HASH);
	assert_int_equal(c->hash.rss, 0x1234);
	assert_int_equal(c->seqn, 77);
	assert_int_equal(rf_mempool_in_use_count(f->small), 6);

	/* A deep copy: changing the original leaves the copy as it was. */
	rf_pktmbuf_mtod(m, uint8_t *)[5] = 0xff;
	const uint8_t *p = rf_pktmbuf_read(c, 0, 350, buf);
	for (unsigned i = 0; i < 350; i++)
		assert_int_equal(p[i], (uint8_t)i);
	rf_pktmbuf_free(c);

	/* Into the same big pool: one segment. */
	c = rf_pktmbuf_copy(m, f->mp);
	assert_non_null(c);
	assert_int_equal(c->nb_segs, 1);
	assert_int_equal(c->data_len, 350);
	assert_int_equal(rf_pktmbuf_mtod(c, uint8_t *)[5], 0xff);
	rf_pktmbuf_free(c);

	/* The pool runs dry halfway: NULL, ENOMEM, nothing leaked. */
	struct rf_mbuf *held[NB_MBUF];
	for (unsigned i = 0; i < NB_MBUF - 3; i++)
		held[i] = rf_pktmbuf_alloc(f->small);
	errno = 0;
	assert_null(rf_pktmbuf_copy(m, f->small));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(rf_mempool_in_use_count(f->small), NB_MBUF - 3);
	rf_pktmbuf_free_bulk(held, NB_MBUF - 3);
	rf_pktmbuf_free(m);
}

static void test_check(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_chain(f->mp);
	const char *why = NULL;

	assert_int_equal(rf_mbuf_check(m, &why), 0);
	assert_int_equal(rf_mbuf_check(NULL, &why), -EINVAL);
	assert_non_null(why);

	why = NULL;
	m->pkt_len++;
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	assert_non_null(strstr(why, "pkt_len"));
	m->pkt_len--;

	why = NULL;
	m->nb_segs = 2;
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	assert_non_null(strstr(why, "longer than nb_segs"));
	m->nb_segs = 4;
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	assert_non_null(strstr(why, "shorter than nb_segs"));
	m->nb_segs = 3;

	/* A loop in the chain is caught, not followed forever. */
	struct rf_mbuf *last = rf_pktmbuf_lastseg(m);
	last->next = m;
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	last->next = NULL;

	m->next->data_len = (uint16_t)(m->next->buf_len - m->next->data_off + 1);
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	assert_non_null(strstr(why, "buffer"));
	m->next->data_len = 50;

	m->next->pool = NULL;
	assert_int_equal(rf_mbuf_check(m, &why), -EINVAL);
	m->next->pool = f->mp;

	assert_int_equal(rf_mbuf_check(m, &why), 0);
	rf_pktmbuf_free(m);
}

static void test_free_bulk_mixed(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *pkts[10];

	for (unsigned i = 0; i < 8; i++)
		pkts[i] = make_pkt(i % 3 == 0 ? f->small : f->mp, 10, 0);
	/* A chain that mixes pools, and a shared mbuf that must survive. */
	pkts[8] = make_pkt(f->mp, 10, 0);
	assert_int_equal(rf_pktmbuf_chain(pkts[8], make_pkt(f->small, 10, 0)), 0);
	pkts[9] = make_pkt(f->small, 10, 0);
	rf_mbuf_refcnt_update(pkts[9], 1);

	assert_int_equal(rf_mempool_in_use_count(f->mp), 6);
	assert_int_equal(rf_mempool_in_use_count(f->small), 5);
	rf_pktmbuf_free_bulk(pkts, 10);
	assert_int_equal(rf_mempool_in_use_count(f->mp), 0);
	assert_int_equal(rf_mempool_in_use_count(f->small), 1);
	assert_int_equal(rf_mbuf_refcnt_read(pkts[9]), 1);
	rf_pktmbuf_free(pkts[9]);
	assert_int_equal(rf_mempool_in_use_count(f->small), 0);

	/* More than one internal batch from one pool. */
	struct rf_mbuf *all[NB_MBUF];
	assert_int_equal(rf_pktmbuf_alloc_bulk(f->mp, all, NB_MBUF), 0);
	rf_pktmbuf_free_bulk(all, NB_MBUF);
	assert_int_equal(rf_mempool_avail_count(f->mp), NB_MBUF);
}

static void test_dump(void **state)
{
	struct fixture *f = *state;
	struct rf_mbuf *m = make_pkt(f->mp, 20, 0x41);
	char *text = NULL;
	size_t len = 0;

	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	rf_pktmbuf_dump(out, m, 16);
	fclose(out);
	assert_non_null(strstr(text, "pkt_len 20"));
	assert_non_null(strstr(text, "41 42 43"));
	/* Bytes 0x41.. print as letters; byte 16 ('Q', line 0010) is past dump_len. */
	assert_non_null(strstr(text, "ABCDEFGHIJKLMNOP"));
	assert_null(strstr(text, "0010:"));
	assert_null(strstr(text, "INVALID"));
	free(text);
	rf_pktmbuf_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pool_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_priv_area, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_buf_iova, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alloc_free, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alloc_bulk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refcnt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_prepend_adj, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_trim, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_free_bulk_mixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
	};
	return cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown);
}
