/* SPDX-License-Identifier: BSD-3-Clause */
/* probe.h - one probe of one host's health, as its leader rank took it:
 * what rank 0 judges (watch.h) and reports.
 *
 * Pure: no MPI, no I/O, no wire form (that is in proto.h).
 */
#ifndef DISTMPI_PROBE_H
#define DISTMPI_PROBE_H

#include <stddef.h>

#include "health/health.h"

/* One probe of one host, as its leader took it. */
struct probe {
    int ok;                      /* 0: the probe itself failed, see error */
    struct health_sample sample; /* when ok */
    char error[256];             /* when !ok */
};

/* The probe on one line: "Disk: 91% free, Memory: 23.0% used, CPU: Load 0.18
 * (0.01/core)", or "probe failed: ERROR". Always NUL-terminated when len > 0. */
void probe_format_line(const struct probe *pr, char *buf, size_t len);

#endif
