/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ringfwd -i: a testpmd-style command shell over the engine.
 *
 * Commands come from one table (shell.c): name, arguments, help, handler.
 * A line is split into words, the longest command name that its first words
 * spell is chosen, and the remaining words are parsed as the command's typed
 * arguments by one parser. Help and tab completion read the same table.
 */
#ifndef RF_FWD_SHELL_H
#define RF_FWD_SHELL_H

#include <stddef.h>

#include "engine.h"

/*
 * Run --cmdline-file, then read commands from the terminal (libedit, history
 * in ~/.ringfwd_history) or, when stdin is not a terminal, line by line from
 * it, until quit or end of input. Returns 0 with forwarding stopped, or
 * -errno with err when the shell cannot run at all.
 */
int rf_fwd_shell_run(struct rf_fwd_engine *e, char *err, size_t errlen);

/*
 * Parse one line without running it: the index of the command in the table,
 * -1 for an empty line, or -EINVAL with one line in err saying what is wrong
 * and what is expected. e may be NULL: port ids are then only range-checked.
 * For tests and the fuzz target.
 */
int rf_fwd_shell_parse(const struct rf_fwd_engine *e, const char *line, char *err, size_t errlen);

#endif /* RF_FWD_SHELL_H */
