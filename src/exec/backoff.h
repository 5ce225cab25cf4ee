/* SPDX-License-Identifier: BSD-3-Clause */
/* backoff.h - the retry delay schedule. Pure. */
#ifndef DISTMPI_BACKOFF_H
#define DISTMPI_BACKOFF_H

/* Seconds to wait before retry number `retry` (1 = the first retry):
 * base * 2^(retry-1), capped at max, then multiplied by 1 + jitter * (2u - 1)
 * for u in [0, 1), and kept within [0, max]. */
double backoff_delay(double base, double max, double jitter, int retry, double u);

#endif
