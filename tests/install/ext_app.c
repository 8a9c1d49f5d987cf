/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program outside the tree, built only from what `meson install` put in
 * place and what ringfwd.pc says: proves the installed headers and archives
 * are complete and link in the right order.
 */
#include <stdio.h>

#include <rf_eal.h>
#include <rf_mbuf.h>
#include <rf_ring.h>

int main(int argc, char **argv)
{
	char *args[] = {argv[0], "--no-huge",	  "-l",	   "0", "-m",
			"64",	 "--file-prefix", "rfext", NULL};
	struct rf_mempool *mp;
	struct rf_ring *r;
	struct rf_mbuf *m;
	void *o = NULL;

	(void)argc;
	if (rf_eal_init(8, args) < 0)
		return 1;
	mp = rf_pktmbuf_pool_create("ext", 1024, 32, 0, RF_MBUF_DEFAULT_BUF_SIZE, -1);
	r = rf_ring_create("ext", 64, -1, 0);
	if (mp == NULL || r == NULL)
		return 1;
	m = rf_pktmbuf_alloc(mp);
	if (m == NULL || rf_ring_enqueue(r, m) != 0 || rf_ring_dequeue(r, &o) != 0 || o != m)
		return 1;
	if (rf_mempool_in_use_count(mp) != 1)
		return 1;
	rf_pktmbuf_free(m);
	printf("in use after free: %u\n", rf_mempool_in_use_count(mp));
	return rf_mempool_in_use_count(mp) == 0 ? 0 : 1;
}
