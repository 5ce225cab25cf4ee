/* SPDX-License-Identifier: BSD-3-Clause */
/* healthcmd.h - `distmpi health`: check hosts over SSH before a run, all at
 * once, report like the team's health monitor, and write a hostfile of the
 * healthy ones for mpirun. No MPI. */
#ifndef DISTMPI_HEALTHCMD_H
#define DISTMPI_HEALTHCMD_H

/* Run the command on argv[1..] (argv[0] is "health" or "launch"). Returns
 * the exit status: health: 0 enough hosts healthy, 1 not, 2 usage error;
 * launch (launching != 0): the check, then mpirun on the healthy hosts of
 * --hostfile with the words before "--" and distmpi with the words after it;
 * mpirun's status, or 3 when too few hosts are healthy (nothing started). */
int healthcmd_main(int argc, char **argv, int launching);

#endif
