/* SPDX-License-Identifier: BSD-3-Clause */
/* coord.h - rank 0: plan, hand out shards, run its own share, collect every
 * result, print the summary and write the reports. */
#ifndef DISTMPI_COORD_H
#define DISTMPI_COORD_H

#include <stdio.h>

#include "mpi/hostinfo.h"
#include "coord/journal.h"
#include "config/settings.h"
#include "model/spec.h"
#include "config/tasks.h"
#include "health/watch.h"
#include "sched/batch.h"

struct history;

struct coord_input {
    const struct spec *spec;
    const struct settings *settings;
    const struct self *me;
    const struct cluster *cluster;
    const struct tasklist *tasks; /* task mode, else NULL */
    /* --items: the items of each batch (the tasks are the batches' lines),
     * whose predictions add up to the batch's, and among which a batch's
     * time is shared out to the history; else NULL */
    const struct item_batches *batches;
    char *const *command; /* command mode, else NULL */
    int ncommand;
    double started;      /* wall clock */
    struct watch *watch; /* hosts' health; NULL with --skip-health-checks */
    /* --resume or --rerun-failed: the earlier run; coord_run takes the
     * results it keeps out of it */
    struct journal_data *journal;
    struct journal *journal_out; /* where this run's results go (NULL: none) */
    const char *journal_path;
    /* the timing history (settings_history()), read before the plan;
     * NULL: none kept */
    struct history *history;
    /* where coord_finish writes the summary's line of totals
     * (SUMMARY_LINE_MAX bytes, report/summary.h), or NULL */
    char *summary_line;
};

/* Whether shard i keeps its result from the earlier run (in->journal) and is
 * not run again: with --resume when it passed, with --rerun-failed unless it
 * failed, timed out or crashed. */
int coord_keeps(const struct coord_input *in, long i);

/* Judge every host's start-up probe into in->watch and print each host that
 * is unhealthy. Returns how many hosts are healthy. */
int coord_judge_start(const struct coord_input *in, FILE *out);

/* Print the hosts and the plan for --dry-run. Returns 0, or -1 (ENOMEM). */
int coord_dry_run(FILE *out, const struct coord_input *in);

/* Run the whole job as rank 0 and set *exit_status: that of the results, or
 * 128+N when signal N stopped the run (every rank then ends its shard, and
 * the workers wait for rank 0's reports before they finish), and *lost: how
 * many ranks were lost (then MPI cannot be finalized: see main.c). Returns
 * 0, or -1 with a reason in err when the run itself broke down (MPI or
 * memory). */
int coord_run(const struct coord_input *in, int *exit_status, int *lost, struct error *err);

#endif
