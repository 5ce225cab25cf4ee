/* SPDX-License-Identifier: BSD-3-Clause */
/* timeutil.h - clocks and how times are written. */
#ifndef DISTMPI_TIMEUTIL_H
#define DISTMPI_TIMEUTIL_H

#include <stddef.h>

/* Seconds on the monotonic clock (for deadlines). */
double time_mono(void);

/* Seconds since the epoch (for timestamps people read). */
double time_wall(void);

/* Write t (seconds since the epoch) as ISO 8601 UTC with milliseconds,
 * "2026-11-26T12:01:02.123Z". Pure. */
void time_format_iso(double t, char *buf, size_t len);

/* Write a duration for people: "0.31s", "12.5s", "5m 23s", "2h 05m". Pure. */
void time_format_duration(double seconds, char *buf, size_t len);

#endif
