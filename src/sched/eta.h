/* SPDX-License-Identifier: BSD-3-Clause */
/* eta.h - the predicted time left of a run (its ETA), from each shard's
 * predicted seconds (the timing history), what is done, what runs and for
 * how long, and the slots that may take shards.
 *
 * The estimate is the lower bound on the rest of the run that longest-first
 * scheduling gets close to, taken from now:
 *
 *   left = max(W / C, the longest remainder of a running shard,
 *              the longest shard not started / the fastest slot's speed)
 *
 * W is the work left on a host of speed 1: the predictions of the shards
 * not started plus what the running ones have still to do (prediction -
 * elapsed x speed, at least 0); C is the sum of the speeds of the slots
 * that may take shards. A running shard's remainder on its host is its
 * prediction / the host's speed - its elapsed time, at least 0: a shard
 * that outruns its prediction counts as ending now. The third term matters
 * when one long shard waits behind short ones (a static plan, a prefetched
 * shard): W / C alone would spread it over every slot.
 *
 * A shard without a prediction counts as the median of the known ones; when
 * none is known, as the mean of this run's finished shards (their seconds x
 * their host's speed); before any finished, there is no estimate.
 *
 * Pure: no MPI, no I/O, no clock (the caller gives the elapsed times).
 * Memory: 1 byte per shard and 16 per known prediction. Cost: eta_done is
 * O(log known), eta_left O(running + slots) plus, amortised over the run,
 * nearly O(1): no work proportional to the shards per estimate.
 */
#ifndef DISTMPI_ETA_H
#define DISTMPI_ETA_H

#include <stddef.h>

struct eta;

/* A shard some slot runs now. */
struct eta_running {
    long index;     /* the shard */
    double elapsed; /* seconds since it started there */
    double speed;   /* the speed of its host (1: a host of speed 1) */
};

/* An estimate for shards 0 to total - 1, none done yet. predicted: total
 * entries, each shard's predicted seconds on a host of speed 1 (NAN, or any
 * value that is not finite and >= 0: unknown), or NULL when none is known.
 * It is read now and by eta_done and eta_left, not copied: it must outlive
 * the estimate, unchanged. Returns the estimate (free with eta_destroy), or
 * NULL with errno EINVAL (total < 0) or ENOMEM. */
struct eta *eta_create(const double *predicted, long total);

/* Free e; accepts NULL; keeps errno. */
void eta_destroy(struct eta *e);

/* Shard index is done (settled: passed, failed or not to be run): its work
 * is no longer left. seconds: how long it held its slot in this run, on a
 * host of the given speed (> 0), which teaches the mean that stands for
 * unknown shards while none is known; NAN when it did not run in this run
 * (carried over from an earlier one). An index out of range, or one done
 * already, is ignored. */
void eta_done(struct eta *e, long index, double seconds, double speed);

/* The seconds left (>= 0, 0 when every shard is done), or NAN when there is
 * no estimate: a shard left has no prediction and nothing stands for it
 * (none known, none finished), or shards wait to start and no slot may take
 * them (nslots is 0). running: the nrunning shards running now (entries that
 * are done, out of range or repeated are ignored). slot_speed: the speed of
 * each of the nslots slots that may take shards (alive, on a healthy host;
 * busy or not); a speed that is not finite and > 0 counts as 1. */
double eta_left(struct eta *e, const struct eta_running *running, int nrunning,
                const double *slot_speed, int nslots);

/* For tests only: how many steps past done shards eta_left has taken in
 * all, to show that they do not grow with the shards done. */
long eta_steps(const struct eta *e);

/* Write seconds left for people, to the whole second rounded up: "0s",
 * "42s", "1m 23s", "2h 05m". */
void eta_format(double seconds, char *buf, size_t len);

#endif
