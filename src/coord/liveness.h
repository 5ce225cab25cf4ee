/* SPDX-License-Identifier: BSD-3-Clause */
/* liveness.h - which ranks rank 0 still hears from. Every message a worker
 * sends (heartbeats between the others) proves it alive; a rank silent for
 * longer than the timeout is lost, for good.
 *
 * Pure: times are passed in (monotonic seconds).
 */
#ifndef DISTMPI_LIVENESS_H
#define DISTMPI_LIVENESS_H

#include <stdbool.h>

struct liveness;

/* nranks ranks, all heard from at now; timeout <= 0: never lost. Returns
 * NULL (ENOMEM). */
struct liveness *liveness_create(int nranks, double timeout, double now);

/* Free l. Accepts NULL. */
void liveness_destroy(struct liveness *l);

/* Rank r was heard from at now (ignored once r is lost). */
void liveness_heard(struct liveness *l, int r, double now);

/* Rank 0 did not listen from `from` to `to` (it was stopped, or busy for
 * that long): that time is no rank's silence. Every rank not lost counts
 * as heard that much later (never later than to). */
void liveness_excuse(struct liveness *l, double from, double to);

/* The next rank (from 1: rank 0 is the one listening) silent for longer
 * than the timeout at now and not yet reported, now marked lost; -1 when
 * there is none. Call until -1. */
int liveness_next_lost(struct liveness *l, double now);

bool liveness_is_lost(const struct liveness *l, int r);

/* How many ranks are lost. */
int liveness_lost_count(const struct liveness *l);

/* Seconds since r was last heard from. */
double liveness_silence(const struct liveness *l, int r, double now);

/* The monotonic time by which some rank could become lost (for sleeping);
 * INFINITY when none can. */
double liveness_deadline(const struct liveness *l);

#endif
