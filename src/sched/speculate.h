/* SPDX-License-Identifier: BSD-3-Clause */
/* speculate.h - --speculate: which running shard gets a second copy on a
 * slot left idle at the end of a run.
 *
 * The shard to copy is the one predicted to finish last. A shard with a
 * prediction (its seconds at speed 1 from the timing history, divided by
 * the speed of the host it runs on) finishes at its start plus that; one
 * that has run past its prediction, or has none (no history, or a shard
 * new to it), is expected to run as long again as it has run so far, so
 * that without any history the shard that has run longest goes first. A
 * copy starts only where it can help: on another host than the shard's
 * (on its own host only when the run has a single host), and, for a shard
 * within its prediction, only when the copy is predicted to finish first
 * (on a faster host). Nor is a shard copied before it has run min_run
 * seconds: most shards that have just started end soon, and rank 0 hears of
 * a shard's end a moment after it. Ties go to the shard that started first,
 * then to the lower shard number, so the choice is the same every time.
 *
 * Pure: no MPI, no I/O, no globals.
 */
#ifndef DISTMPI_SPECULATE_H
#define DISTMPI_SPECULATE_H

/* A shard running on some rank, as rank 0 sees it. */
struct speculate_running {
    long shard;   /* its index, for predicted[] and the ties */
    int host;     /* the host it runs on, for speed[] */
    double since; /* when it started there (monotonic seconds) */
};

/* The seconds c is expected to run on after now: see above. predicted
 * (indexed by shard: seconds at speed 1, NAN when unknown) and speed
 * (indexed by host; a value that is not a positive number counts as 1)
 * may be NULL: none known. Never negative. */
double speculate_left(const struct speculate_running *c, const double *predicted,
                      const double *speed, double now);

/* Of the n shards c[] (each running, with no copy yet), the place in c of
 * the one to copy onto an idle slot of host idle_host, in a run on nhosts
 * hosts, or -1 when none should be. */
int speculate_pick(const struct speculate_running *c, int n, const double *predicted,
                   const double *speed, int idle_host, int nhosts, double min_run, double now);

#endif
