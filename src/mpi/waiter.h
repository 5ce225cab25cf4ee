/* SPDX-License-Identifier: BSD-3-Clause */
/* waiter.h - how a rank waits without spinning: the sleeps between two
 * polls double from WAITER_MIN up to WAITER_MAX while nothing happens, and
 * start short again after activity; a caller that expects an answer soon
 * caps them lower. Open MPI's blocking calls spin a whole core, so every
 * wait for another rank is a poll and one of these sleeps.
 *
 * waiter_next() is the pure policy; waiter_sleep() does the sleeping.
 */
#ifndef DISTMPI_WAITER_H
#define DISTMPI_WAITER_H

/* Measured with a prototype: doubling from ~10 us to 20 ms keeps dispatch
 * fast and an idle rank near 0.5 % of a core. */
#define WAITER_MIN 10e-6
#define WAITER_MAX 20e-3

struct waiter {
    double delay; /* the next sleep, before any cap */
};

/* Back to the shortest sleep (after activity). */
void waiter_reset(struct waiter *w);

/* The length of the next sleep: the current delay, but no more than max
 * nor than left (the time to the caller's next deadline), and not below 0.
 * The delay doubles for the sleep after, up to WAITER_MAX. */
double waiter_next(struct waiter *w, double left, double max);

/* Sleep for seconds, or until fd (when >= 0) becomes readable, or a
 * signal comes (no SA_RESTART: see signals.h), whichever is first. */
void waiter_sleep(int fd, double seconds);

/* Sleep waiter_next()'s length until the monotonic deadline, uncapped,
 * on fd as waiter_sleep(). */
void waiter_wait(struct waiter *w, int fd, double deadline);

#endif
