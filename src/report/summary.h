/* SPDX-License-Identifier: BSD-3-Clause */
/* summary.h - per-host and total counts of a run, and how rank 0 prints
 * them. The counting is pure; the printing writes to the FILE it is given.
 */
#ifndef DISTMPI_SUMMARY_H
#define DISTMPI_SUMMARY_H

#include <stdio.h>

#include "mpi/hostinfo.h"
#include "model/result.h"
#include "health/watch.h"

struct tally {
    long shards;
    long count[STATUS_COUNT];
    long retries;    /* attempts beyond each shard's first */
    long superseded; /* copies ended because another counted first (--speculate) */
    double busy;     /* seconds of attempts */
};

struct summary {
    struct tally total;
    struct tally *hosts; /* one per host of the cluster */
    int nhosts;
};

/* Count results[0..total) (NULL entries count as lost) by host, using
 * rank_host[] to find each result's host. Returns 0, or -1 (ENOMEM). */
int summary_build(struct summary *s, int nhosts, const int *rank_host, int nranks,
                  struct shard_result *const *results, long total);
void summary_free(struct summary *s);

/* The share of a host's slot time (nranks x duration seconds) that t's
 * attempts kept busy; 0 when there was no slot time. */
double tally_busy_share(const struct tally *t, int nranks, double duration);
/* Mean seconds of attempts per shard; 0 without shards. */
double tally_mean_shard_seconds(const struct tally *t);

/* The line printed when a shard finishes, without a newline:
 * "[ 3/12] shard 5 failed (exit 1) after 3 attempts on node1 rank 2 slot 2, 0.31s". */
void summary_result_line(char *buf, size_t len, const struct shard_result *r, long done, long total,
                         const char *host);

/* The per-host table, the hosts that were unhealthy at some time (w may be
 * NULL: no health checks), the shards that did not pass, and the total line.
 * now is the wall clock at the end. */
/* The line of totals summary_print ends with ("48 shards: 46 passed (1
 * flaky), 2 failed, ...; 5m 23s"), without a newline, into buf. */
#define SUMMARY_LINE_MAX 512
void summary_total_line(const struct summary *s, double elapsed, char *buf, size_t len);

void summary_print(FILE *out, const struct summary *s, const struct cluster *c,
                   const struct watch *w, struct shard_result *const *results, long total,
                   double elapsed, double now);

#endif
