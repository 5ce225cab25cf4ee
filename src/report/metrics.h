/* SPDX-License-Identifier: BSD-3-Clause */
/* metrics.h - --metrics FILE: the run's counts in the OpenMetrics text
 * format, which Prometheus' node_exporter reads from its textfile
 * collector directory: per host and in all, shards by state, retries, busy
 * seconds, cores, ranks and health, and the run's duration and outcome.
 * Rank 0 writes the file atomically (a reader never sees half of it) every
 * few seconds during the run and once at its end.
 *
 * Every value is a gauge (a run's counts start again at 0 with the next
 * run). metrics_format is pure; metrics_write writes the file.
 */
#ifndef DISTMPI_METRICS_H
#define DISTMPI_METRICS_H

#include "common/buf.h"
#include "common/error.h"
#include "health/watch.h"
#include "mpi/hostinfo.h"
#include "report/summary.h"

/* How often the file is written during the run, in seconds. */
#define METRICS_EVERY 5.0

struct metrics_view {
    const char *run_id;
    const struct cluster *cluster;
    /* the shards settled so far, by host (summary_build: a shard without a
     * result counts as lost there, pending of them are only not done yet) */
    const struct summary *summary;
    long pending;
    const struct watch *watch; /* each host's health, or NULL (not checked) */
    double elapsed;            /* seconds since the run started */
    int finished;              /* 0 during the run, 1 at its end */
    int exit_status;           /* at the end */
};

/* Append v in the OpenMetrics text format to b, "# EOF" last. Host names
 * are escaped as label values. Returns 0, or -1 (ENOMEM). */
int metrics_format(struct buf *b, const struct metrics_view *v);

/* Write v to path atomically (fsutil.h's fs_write_atomic). Returns 0, or
 * -1 with "PATH: reason" in err. */
int metrics_write(const char *path, const struct metrics_view *v, struct error *err);

#endif
