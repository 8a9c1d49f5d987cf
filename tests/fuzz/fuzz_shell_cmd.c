/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shell's command parser on arbitrary lines: tokenizer, longest-prefix
 * match over the command table and the typed argument parser. Any input must
 * give a command index, -1 (empty) or -EINVAL with a one-line, NUL-terminated
 * message; never a crash, an overrun or undefined behaviour.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[2048], err[512];

	if (size >= sizeof(line))
		size = sizeof(line) - 1;
	memcpy(line, data, size);
	line[size] = '\0';
	memset(err, 0, sizeof(err));
	int rc = rf_fwd_shell_parse(NULL, line, err, sizeof(err));
	if (rc == -EINVAL) {
		/* One line, terminated, and not empty. */
		size_t len = strnlen(err, sizeof(err));

		if (len == 0 || len == sizeof(err) || memchr(err, '\n', len) != NULL)
			abort();
	} else if (rc < -1) {
		abort();
	}
	/* A small buffer: messages are cut, never overrun. */
	char small[8];
	rf_fwd_shell_parse(NULL, line, small, sizeof(small));
	return 0;
}
