/* SPDX-License-Identifier: BSD-3-Clause */
/* --version for the front ends: answered before anything else, like --help. */
#ifndef RF_APP_VERSION_H
#define RF_APP_VERSION_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rf_config.h"

/* "--version" anywhere, before or after "--". */
static inline bool rf_app_wants_version(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--version") == 0)
			return true;
	return false;
}

/* "ringfwd 0.1.0": the program and the project's version (meson.build). */
static inline void rf_app_print_version(FILE *out, const char *prog)
{
	fprintf(out, "%s %s\n", prog, RF_VERSION);
}

#endif /* RF_APP_VERSION_H */
