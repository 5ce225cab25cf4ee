/* SPDX-License-Identifier: BSD-3-Clause */
/* plan.h - which rank runs which shard: a fixed core-weighted plan (static)
 * or one shared queue that free ranks draw from (dynamic).
 *
 * Pure: no MPI, no I/O.
 */
#ifndef DISTMPI_PLAN_H
#define DISTMPI_PLAN_H

struct plan;

/* Split total shards over nhosts in proportion to weights (largest
 * remainder; ties go to the larger weight, then the earlier host). When every
 * weight is 0 the split is even. Writes nhosts counts into shares.
 * Returns 0, or -1 with errno EINVAL (nhosts < 1, total < 0, a weight < 0). */
int plan_shares(const long *weights, int nhosts, long total, long *shares);

/* A static plan: host h (rank_host[r] for each of nranks ranks) gets
 * plan_shares() of the ntodo shards in todo[] (in order, a contiguous block per
 * host, hosts in index order) and deals them round-robin to its ranks in rank
 * order. Returns a plan (free with plan_destroy) or NULL with errno set. */
struct plan *plan_create_static(int nranks, const int *rank_host, int nhosts,
                                const long *host_cores, const long *todo, long ntodo);

/* Put todo[] (ntodo shard indices) in the order of their predicted seconds,
 * longest first: predicted[i] for shard i, NAN when it has none. A shard
 * without a prediction counts as the median of the others, so that a new
 * shard (a test added since) neither waits behind every known one, where a
 * long one would end the run late, nor goes ahead of the long ones. Ties
 * keep their order. Without any prediction, todo stays as it is.
 * Returns 0, or -1 with errno ENOMEM (todo unchanged). */
int plan_longest_first(long *todo, long ntodo, const double *predicted);

/* A dynamic plan: one queue of todo[] in order, shared by every rank. */
struct plan *plan_create_dynamic(int nranks, const long *todo, long ntodo);

/* Free p; accepts NULL and keeps errno. */
void plan_destroy(struct plan *p);

/* The next shard index for rank, or -1 when it has nothing more to do. */
long plan_next(struct plan *p, int rank);

/* Give shard index back to the plan (a rank was given it but will not run
 * it): in a dynamic plan it is the next one plan_next hands out, to any rank.
 * Returns 0, or -1 with errno EINVAL (a static plan: its shards stay with
 * their rank) or ENOMEM. */
int plan_return(struct plan *p, long index);

/* Shards planned for rank that plan_next has not yet returned (static), or
 * the shared queue's length (dynamic). */
long plan_pending(const struct plan *p, int rank);

/* Shard i (0-based position) of rank's fixed list, for printing a static
 * plan; -1 past the end or for a dynamic plan. Counted from the start,
 * independent of plan_next. */
long plan_rank_shard(const struct plan *p, int rank, long i);

/* How many shards rank was planned in total (static); 0 for dynamic. */
long plan_rank_count(const struct plan *p, int rank);

int plan_is_static(const struct plan *p);

#endif
