/* SPDX-License-Identifier: BSD-3-Clause */
/* hostspeed.h - each host's speed, learned from the timing history: the
 * same shard timed on different hosts says how much faster one host is than
 * another, and all the shards that two hosts share say it better than one.
 *
 * The model: shard k takes base(k) / speed(h) seconds on host h. The fit is
 * least squares on the logarithms (a host twice as fast is as far above 1 as
 * one half as fast is below), alternating between the bases and the speeds
 * until they settle. Why logarithms: a 10-minute shard and a 1-second one
 * then say as much about a host's speed, where plain differences would let
 * the long shards alone decide.
 *
 * What counts: records of at least HOSTSPEED_MIN_SECONDS (shorter ones time
 * the start-up of a process, not the host), of shards timed on two hosts or
 * more (one host alone says nothing about speed), each weighing as many runs
 * as it smooths (at most HOSTSPEED_MAX_WEIGHT). Each speed is pulled towards
 * 1 as if by HOSTSPEED_PRIOR runs at speed 1, so one shard timed once on a
 * busy host does not make the host slow. The pull is stronger than its
 * weight says: each shard's base moves with the speeds, so a shard timed on
 * two hosts says half a run's worth about each. At 1 it held speeds 4 : 1 of
 * forty such records 10 % short in the logarithm (1.89 : 0.54 for 2 : 0.5),
 * enough to give a host a quarter as fast 14 % too much work; at 0.25 one
 * shard timed once on two hosts still counts 80 % of the ratio it shows.
 *
 * Speeds are relative: the hosts that shards link (directly or through other
 * hosts) have speeds whose geometric mean is 1; a host never compared with
 * another has speed 1. Every speed is within [1 / HOSTSPEED_MAX,
 * HOSTSPEED_MAX].
 *
 * Pure: no I/O, no globals.
 */
#ifndef DISTMPI_HOSTSPEED_H
#define DISTMPI_HOSTSPEED_H

#include <math.h>

#include "sched/history_table.h"

#define HOSTSPEED_MIN_SECONDS 0.05
#define HOSTSPEED_MAX_WEIGHT  8
#define HOSTSPEED_PRIOR       0.25
#define HOSTSPEED_MAX         100.0

/* A speed to divide by: s when it is finite and > 0, else 1 (unknown, or
 * nonsense, counts as a host of the average speed). */
static inline double hostspeed_or_1(double s)
{
    return isfinite(s) && s > 0 ? s : 1;
}

/* Fit the speed of each host of t (t->nhosts of them) into speed[]. Returns
 * 0, or -1 with errno ENOMEM (speed[] then all 1). */
int hostspeed_fit(const struct htable *t, double *speed);

#endif
