/* SPDX-License-Identifier: BSD-3-Clause */
/* slot.h - a rank's slot, on rank 0 and on the workers alike: the runner
 * set up from the run's spec, a shard assignment started on it, and the
 * files collected after a shard (--collect). What differs between the two
 * sides (where output and collected files go) is passed in. */
#ifndef DISTMPI_SLOT_H
#define DISTMPI_SLOT_H

#include "exec/collect.h"
#include "mpi/hostinfo.h"
#include "model/result.h"
#include "exec/runner.h"
#include "model/spec.h"

/* The runner for this rank's slot, set up from the run spec; each piece of
 * output goes to output(arg, ...), and retry(retry_arg, ...) is called
 * between a failed attempt and its retry (see runner.h; NULL: not). Returns
 * NULL with errno set. */
struct runner *slot_runner_create(const struct spec *spec, const struct self *me,
                                  runner_output_fn output, void *arg, runner_retry_fn retry,
                                  void *retry_arg);

/* Start the shard a on runner: the spec's command, or in task mode a->task
 * (the shard's line). Returns runner_start()'s result. */
int slot_start_shard(struct runner *runner, const struct spec *spec, const struct assignment *a);

/* --collect after shard res finished on this rank (nothing without a
 * pattern in the spec, nor after a copy ended as superseded): each file goes to fn (see collect.h);
 * a shard that passed but whose JUnit report is missing or unusable becomes failed, with the reason
 * as its error. Returns 0, or -1 (ENOMEM). */
int slot_collect(const struct spec *spec, const struct self *me, const struct runner *runner,
                 struct shard_result *res, collect_fn fn, void *arg);

/* --collect after attempt (its number) of shard index, one that failed and
 * will be retried: the files it left go to fn as slot_collect's do, so that
 * every attempt's test results reach rank 0 (the retry would overwrite
 * them). Nothing is judged: the attempt failed already. Returns 0, or -1
 * (ENOMEM). */
int slot_collect_attempt(const struct spec *spec, const struct self *me,
                         const struct runner *runner, long index, int attempt, collect_fn fn,
                         void *arg);

#endif
