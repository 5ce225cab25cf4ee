/* SPDX-License-Identifier: BSD-3-Clause */
/* reaper.h - end every process a rank's shards started, also those that
 * left the shard's process group (setsid, job control), and reap them.
 *
 * The rank is their child subreaper (runner.c sets it), so a shard's
 * orphans become its children. The kill functions are async-signal-safe
 * and keep errno; one runner per process runs shards, so the state here is
 * one set of statics.
 */
#ifndef DISTMPI_REAPER_H
#define DISTMPI_REAPER_H

#include <sys/types.h>

/* Note the children this process has now (the daemon Open MPI starts for
 * a rank run without mpirun, say): they are never killed. Called once
 * before the first shard starts; later calls do nothing. */
void reaper_note_prior(void);

/* The process group of the attempt running now (its leader's pid), or 0
 * when none runs. Set while the leader cannot be reaped yet, so that the
 * group named is never one whose pid was reused. */
void reaper_set_group(pid_t leader);

/* SIGSTOP, then SIGKILL, every child of this process (but the prior ones)
 * and all their descendants, each with its process group. Nothing is
 * waited for or reaped. For runner_cancel(). */
void reaper_kill_descendants(void);

/* For a signal handler that ends the process: reaper_kill_descendants(),
 * then the running attempt's group. Only the first call does anything. */
void reaper_kill_all(void);

/* Reap children that are not a running attempt: orphans handed to us as
 * subreaper after their shard's group was killed. Only called when no
 * attempt runs, so it cannot take an attempt's exit status. With patience,
 * waits up to that many seconds for children that are still dying. Once a
 * call has found no child at all, later ones return at once (no system
 * call) until reaper_set_group() names a new attempt. */
void reaper_reap_orphans(double patience);

#endif
