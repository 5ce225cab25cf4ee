/* SPDX-License-Identifier: BSD-3-Clause */
/* launcher.h - how this process was started, from its environment: as a
 * rank by an MPI launcher, as a task of srun that has no MPI plugin, or by
 * hand. Pure: the environment is read through the function it is given.
 *
 * Measured with Slurm 22.05 and Open MPI 4.1 (Debian 12): mpirun gives its
 * ranks OMPI_COMM_WORLD_RANK and PMIX_RANK; `srun --mpi=pmix` gives PMIX_RANK;
 * `srun --mpi=pmi2` gives PMI_RANK; `srun --mpi=none` gives none of them but,
 * like every srun task, SLURM_STEP_ID and SLURM_PROCID. A batch script itself
 * has SLURM_PROCID but no SLURM_STEP_ID: it is not a task of srun.
 */
#ifndef DISTMPI_LAUNCHER_H
#define DISTMPI_LAUNCHER_H

enum launcher {
    LAUNCHER_NONE,      /* started by hand (or by a batch script directly) */
    LAUNCHER_MPI,       /* a rank: OMPI_COMM_WORLD_RANK, PMIX_RANK or PMI_RANK */
    LAUNCHER_SRUN_NOPMI /* a task of srun without an MPI plugin (--mpi=none): MPI
                         * cannot start, and each task alone would run everything */
};

/* How this process was started, its environment read through get (getenv,
 * or a test's stand-in). A variable set to the empty string counts as
 * unset. */
enum launcher launcher_detect(char *(*get)(const char *));

#endif
