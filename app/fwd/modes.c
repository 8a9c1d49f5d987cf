/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of forwarding modes, in the order testpmd lists them.
 */
#include <stdio.h>
#include <string.h>

#include "modes.h"

const struct rf_fwd_mode *const rf_fwd_modes[] = {
    &rf_fwd_mode_io,	  &rf_fwd_mode_mac,
    &rf_fwd_mode_macswap, &rf_fwd_mode_5tswap,
    &rf_fwd_mode_rxonly,  &rf_fwd_mode_txonly,
    &rf_fwd_mode_flowgen, &rf_fwd_mode_icmpecho,
    &rf_fwd_mode_csum,	  NULL,
};

const struct rf_fwd_mode *rf_fwd_mode_find(const char *name)
{
	for (const struct rf_fwd_mode *const *m = rf_fwd_modes; *m != NULL; m++)
		if (strcmp((*m)->name, name) == 0)
			return *m;
	return NULL;
}

/* Whole names only: a name that does not fit is left out, with those after it. */
void rf_fwd_mode_list(char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (const struct rf_fwd_mode *const *m = rf_fwd_modes; *m != NULL; m++) {
		const char *sep = m == rf_fwd_modes ? "" : " ";
		size_t need = strlen(sep) + strlen((*m)->name);

		if (used + need >= len)
			return;
		snprintf(buf + used, len - used, "%s%s", sep, (*m)->name);
		used += need;
	}
}
