/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL for unit tests that need heap memory: plain memfd (--no-huge), one
 * lcore, 64 MB, so they run without root or hugepages. Used as a cmocka group
 * fixture: cmocka_run_group_tests(tests, rf_test_eal_setup, rf_test_eal_teardown).
 */
#ifndef RF_TEST_EAL_H
#define RF_TEST_EAL_H

#include <stdio.h>

#include "rf_eal.h"

static inline int rf_test_eal_setup(void **state)
{
	char *argv[] = {"unit-test", "--no-huge", "-l", "0", "-m", "64", "--log-level", "err"};
	int rc;

	(void)state;
	rc = rf_eal_init((int)RF_DIM(argv), argv);
	if (rc < 0) {
		fprintf(stderr, "rf_eal_init: %d\n", rc);
		return -1;
	}
	return 0;
}

static inline int rf_test_eal_teardown(void **state)
{
	(void)state;
	rf_eal_cleanup();
	return 0;
}

#endif /* RF_TEST_EAL_H */
