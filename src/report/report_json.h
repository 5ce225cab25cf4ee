/* SPDX-License-Identifier: BSD-3-Clause */
/* report_json.h - the --json report (format in distmpi(1), JSON REPORT). */
#ifndef DISTMPI_REPORT_JSON_H
#define DISTMPI_REPORT_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "mpi/hostinfo.h"
#include "model/result.h"
#include "report/summary.h"
#include "health/watch.h"

/* A file collected after a shard (--collect). */
struct collected_file {
    const char *name;  /* as the pattern matched it on the host that ran the shard */
    const char *path;  /* rank 0's copy, or NULL when there is none */
    const char *error; /* NULL, or why it is missing or unusable */
    int attempt;       /* the number of the attempt that left it (0: unknown) */
    int rank;          /* the rank that sent it (-1: unknown) */
    bool earlier;      /* left by an attempt that was retried: not the shard's last
                          word, so not merged as its test cases, but part of the
                          verdicts (verdict.h) */
};

struct verdict_table;

struct report {
    const char *run_id;
    const char *run_dir;
    char *const *command; /* NULL in task mode */
    int ncommand;
    const char *tasks; /* task file, or NULL */
    const char *schedule;
    long total;
    double started; /* wall clock */
    double duration;
    int exit_status;
    const struct cluster *cluster;
    const struct summary *summary;
    struct shard_result *const *results; /* total entries, NULL = lost */
    const struct watch *watch;           /* NULL: no health checks */
    double health_interval;
    /* --collect: each shard's files (total lists of ncollected[i] entries),
     * or NULL when nothing was collected */
    const struct collected_file *const *collected;
    const int *ncollected;
    /* how often each shard was taken from a lost rank (total entries, or
     * NULL), and the ranks lost during the run */
    const int *moved;
    const int *lost_ranks;
    int nlost_ranks;
    /* the timing history's predictions: each shard's seconds on a host of
     * speed 1 (total entries, NAN: none), or NULL without a history; and
     * each host's speed (nhosts entries), or NULL: 1 everywhere */
    const double *predicted;
    const double *speed;
    /* the verdicts on the tests of the collected JUnit files (verdict.h),
     * or NULL: none */
    const struct verdict_table *verdicts;
};

/* Write the report to path atomically (fs_write_atomic), streamed into the
 * temporary file shard by shard. Returns 0, or -1 with "PATH: reason" in
 * err (may be NULL). */
int report_json_write(const char *path, const struct report *rep, struct error *err);

#endif
