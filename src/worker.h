/* worker.h - a rank other than 0: run the shards rank 0 assigns, report each
 * result, and stop when told. */
#ifndef DISTMPI_WORKER_H
#define DISTMPI_WORKER_H

#include <stddef.h>

#include "hostinfo.h"
#include "spec.h"

struct runner;

/* The runner for this rank's slot, set up from the run spec.
 * Returns NULL with errno set. */
struct runner *worker_runner_create(const struct spec *spec, const struct self *me);

/* Start shard index on runner: the spec's command, or in task mode task (the
 * shard's line). Returns runner_start()'s result. */
int worker_start_shard(struct runner *runner, const struct spec *spec, long index, char *task);

/* Returns 0 after rank 0's stop or a signal (see signals_caught()), or -1
 * with a reason in err. */
int worker_run(const struct spec *spec, const struct self *me, char *err, size_t errlen);

#endif
