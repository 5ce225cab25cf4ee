/* SPDX-License-Identifier: BSD-3-Clause */
/* childenv.h - what of a rank's environment a shard inherits.
 *
 * A rank's environment holds, besides the user's, what its launcher put
 * there to make it one process of distmpi's MPI job: its rank and the
 * job's size (OMPI_COMM_WORLD_*), the address of the local PMIx server and
 * its own PMIx identity (PMIX_*), its daemon's address and the job's
 * session directory (OMPI_MCA_orte_hnp_uri, OMPI_MCA_ess_base_jobid...),
 * or srun's PMI-2 descriptor and rank (PMI_*).
 * A shard that inherits them and calls MPI_Init (an MPI program under
 * test, a test tool built on mpi4py, an mpirun of its own) takes itself
 * for that rank of distmpi's job: its MPI_Init fails ("getting local rank
 * failed") and can leave distmpi's own mpirun waiting. So these are
 * left out, and a shard's MPI program starts as a job of its own (a
 * singleton, or its own mpirun's).
 *
 * Kept: everything else, the user's Open MPI settings among them
 * (OMPI_MCA_btl_..., given to the outer mpirun with --mca or -x, are
 * meant for the inner one too), OMPI_ALLOW_RUN_AS_ROOT*, PMIX_MCA_*, and
 * Slurm's SLURM_* (an srun in a shard runs in the job's allocation).
 * DISTMPI_* are not inherited either: the runner sets those of the
 * attempt. The notify command (--notify-command) loses the job variables
 * too, for the same reason.
 *
 * Pure: no I/O.
 */
#ifndef DISTMPI_CHILDENV_H
#define DISTMPI_CHILDENV_H

#include <stdbool.h>

/* Whether the environment entry ("NAME=VALUE", or a bare NAME) is one of
 * those that make a process part of its launcher's MPI job. */
bool childenv_is_job_var(const char *entry);

/* Whether the entry passes from the rank to a shard as it is: not a job
 * variable, and not DISTMPI_* (the runner sets the attempt's). */
bool childenv_inherits(const char *entry);

/* An environment for execve: the "NAME=VALUE" entries of extra (NULL-ended,
 * may be NULL), then those of base (NULL-ended: environ) that are not named
 * in extra, not a job variable and, with shard true, not DISTMPI_* either
 * (childenv_inherits). The strings are borrowed; free the array alone.
 * NULL when out of memory. */
char **childenv_make(char *const *base, char *const *extra, bool shard);

#endif
