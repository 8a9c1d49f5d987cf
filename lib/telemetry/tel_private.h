/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared between the telemetry library's own .c files; not installed. */
#ifndef RF_TEL_PRIVATE_H
#define RF_TEL_PRIVATE_H

#include "rf_telemetry.h"

/* The connect message, which /info repeats: version, pid, max_output_len. */
void rf_tel_hello(struct rf_tel_data *d);

#endif /* RF_TEL_PRIVATE_H */
