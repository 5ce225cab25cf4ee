/* worker.h - a rank other than 0: run the shards rank 0 assigns, report each
 * result, and stop when told. */
#ifndef DISTMPI_WORKER_H
#define DISTMPI_WORKER_H

#include <stddef.h>

#include "collect.h"
#include "error.h"
#include "hostinfo.h"
#include "runner.h"
#include "spec.h"

struct runner;

/* The runner for this rank's slot, set up from the run spec; each piece of
 * output goes to output(arg, ...) (see runner.h). Returns NULL with errno
 * set. */
struct runner *worker_runner_create(const struct spec *spec, const struct self *me,
                                    runner_output_fn output, void *arg);

/* Start the shard a on runner: the spec's command, or in task mode a->task
 * (the shard's line). Returns runner_start()'s result. */
int worker_start_shard(struct runner *runner, const struct spec *spec, const struct assignment *a);

/* --collect after shard res finished on this rank (nothing without a
 * pattern in the spec): each file goes to fn (see collect.h); a shard that
 * passed but whose JUnit report is missing or unusable becomes failed, with
 * the reason as its error. Returns 0, or -1 (ENOMEM). */
int worker_collect(const struct spec *spec, const struct self *me, const struct runner *runner,
                   struct shard_result *res, collect_fn fn, void *arg);

/* Returns 0 after rank 0's stop or a signal (see signals_caught()), or -1
 * with a reason in err. */
int worker_run(const struct spec *spec, const struct self *me, struct error *err);

#endif
