/* SPDX-License-Identifier: BSD-3-Clause */
/* worker.h - a rank other than 0: run the shards rank 0 assigns, report each
 * result, and stop when told. */
#ifndef DISTMPI_WORKER_H
#define DISTMPI_WORKER_H

#include <stddef.h>

#include "common/error.h"
#include "mpi/hostinfo.h"
#include "model/spec.h"

/* Returns 0 after rank 0's stop or a signal (see signals_caught()), or -1
 * with a reason in err. */
int worker_run(const struct spec *spec, const struct self *me, struct error *err);

#endif
