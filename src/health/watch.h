/* SPDX-License-Identifier: BSD-3-Clause */
/* watch.h - rank 0's view of each host's health through a run: which hosts
 * may get new shards, when each was excluded or recovered, and why.
 *
 * Pure: no MPI, no I/O.
 */
#ifndef DISTMPI_WATCH_H
#define DISTMPI_WATCH_H

#include "health/health.h"
#include "health/probe.h"

/* A change of a host's state. */
struct watch_event {
    double time;      /* wall clock */
    int healthy;      /* the state it changed to */
    char reason[512]; /* unhealthy: what failed; healthy: the values */
};

struct watch;

/* Returns a watch of nhosts hosts judged by l (copied), all healthy until a
 * probe says otherwise, or NULL (ENOMEM). */
struct watch *watch_create(int nhosts, const struct health_limits *l);

/* Accepts NULL; keeps errno. */
void watch_destroy(struct watch *w);

/* Judge probe pr of host h taken at time now. A failed probe makes the host
 * unhealthy. Returns -1 when the host just became unhealthy, +1 when it just
 * became healthy again, 0 when its state did not change (or h is out of
 * range), and -2 when memory for the event ran out. */
int watch_update(struct watch *w, int h, const struct probe *pr, double now);

int watch_healthy(const struct watch *w, int h);
int watch_count_healthy(const struct watch *w);

/* The last probe of host h, or NULL when there was none. */
const struct probe *watch_last(const struct watch *w, int h);

/* The events of host h in order: *n of them. */
const struct watch_event *watch_events(const struct watch *w, int h, int *n);

/* Seconds host h spent unhealthy up to now. */
double watch_excluded_seconds(const struct watch *w, int h, double now);

const struct health_limits *watch_limits(const struct watch *w);

#endif
