/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the fuzz targets share: the input read as a script of little-endian
 * values (past its end every read is 0, so any input is a whole script), and
 * check(), which names the broken rule before aborting so that libFuzzer
 * keeps the input.
 */
#ifndef RF_FUZZ_SCRIPT_H
#define RF_FUZZ_SCRIPT_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct script {
	const uint8_t *p;
	size_t left;
};

static inline uint8_t get8(struct script *s)
{
	if (s->left == 0)
		return 0;
	s->left--;
	return *s->p++;
}

static inline uint16_t get16(struct script *s)
{
	uint16_t lo = get8(s);
	return (uint16_t)(lo | (uint16_t)get8(s) << 8);
}

static inline uint32_t get32(struct script *s)
{
	uint32_t lo = get16(s);
	return lo | (uint32_t)get16(s) << 16;
}

static inline uint64_t get64(struct script *s)
{
	uint64_t lo = get32(s);
	return lo | (uint64_t)get32(s) << 32;
}

#define check(ok)                                                                                  \
	do {                                                                                       \
		if (!(ok)) {                                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #ok);     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* Open file descriptors of this process (with the one that lists them). */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	check(d != NULL);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

#endif /* RF_FUZZ_SCRIPT_H */
