/* SPDX-License-Identifier: BSD-3-Clause */
/* plan.h - which rank runs which shard: a fixed core-weighted plan (static),
 * a fixed plan that balances predicted time (LPT), or one shared queue that
 * free ranks draw from (dynamic).
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

/* A static plan by predicted time (LPT, longest processing time first): the
 * shards of todo[] (indices into seconds[], which holds each shard's
 * predicted seconds on a host of speed 1; NAN: unknown, counted as the
 * median of the known ones of todo, as plan_longest_first does) go, longest
 * first (ties in todo's order), each to the rank whose planned work would
 * end earliest with it: a rank's time for a shard is seconds / speed[host of
 * the rank]; speed NULL: all 1. Ties go to the lower rank. A host's cores
 * count through its ranks (one per slot), so a host with more cores and a
 * faster host both get more work. Ranks of a host with speed 0 (unhealthy)
 * get nothing, unless every host with a rank has speed 0 (then none is
 * excluded and every speed counts as 1, as plan_create_static treats
 * all-zero weights). When no shard of todo has a prediction, every shard
 * counts 1 second (the plan balances counts by speed) and the predicted
 * makespan is NAN. Each rank's list is in the order the shards were dealt
 * (longest first).
 *
 * Returns a static plan (plan_next, plan_rank_shard, plan_rank_count,
 * plan_pending and plan_return behave as for plan_create_static), or NULL
 * with errno set: EINVAL (nranks < 1, nhosts < 1, ntodo < 0, a rank_host
 * out of range, a negative or non-finite speed, a negative or infinite
 * prediction) or ENOMEM.
 *
 * Time: O(ntodo log ntodo + ntodo (S + log nranks)) for S distinct speeds
 * among the ranks: each distinct speed keeps its ranks in a heap by planned
 * work, since among ranks of one speed the least loaded ends first. */
struct plan *plan_create_lpt(int nranks, const int *rank_host, int nhosts, const double *speed,
                             const long *todo, long ntodo, const double *seconds);

/* The makespan a plan made by plan_create_lpt predicts: the largest sum of
 * seconds / speed over a rank's shards (NAN counted as plan_create_lpt
 * counted it); 0 without shards. NAN when nothing of todo had a prediction,
 * and for a plan made otherwise. For --dry-run. */
double plan_predicted_makespan(const struct plan *p);

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

/* Hosts this much slower than the fastest of a band open a band of their
 * own (plan_split_by_speed). Above it the speeds are as likely noise as a
 * slower host. */
#define PLAN_SPEED_BAND 0.75

/* Cut a dynamic plan's queue, longest first (plan_longest_first), into one
 * part for each band of host speed, so that a slow host's last shard is
 * short: where a slow host takes a long shard late, that shard ends the
 * run. Hosts group into bands, fastest first; a host slower than
 * PLAN_SPEED_BAND times the fastest of the band above opens a new band.
 * Each band gets a contiguous part of the queue in proportion to its
 * ranks' summed speed (speed[rank_host[rank]]) in predicted seconds
 * (seconds[shard]; NAN counts as the median of the queue's known ones):
 * the fastest band the longest shards, the slowest the shortest. A rank
 * takes the longest shard of its own band's part; when that part is empty,
 * the shortest of the nearest slower band's part that has any; then a
 * shard given back (plan_return); then the shortest of the nearest faster
 * band's. The fastest band takes shards given back first, as an unsplit
 * queue does. Ranks of speed 0 run nothing as far as the split goes: they
 * count in the slowest band, adding nothing to its share.
 *
 * Returns the number of bands; 1 leaves the queue as it was (one band, or
 * no shard with a prediction). -1 with errno EINVAL (a static plan, one
 * already split or handed from, a speed negative or not finite) or ENOMEM
 * (the plan unchanged). */
int plan_split_by_speed(struct plan *p, const int *rank_host, const double *speed,
                        const double *seconds);

/* The number of parts (1 unless split), rank's band (0 the fastest; 0 out
 * of range or unsplit) and how many shards a band's part held when the
 * queue was cut (0 unsplit or out of range): for --dry-run. */
int plan_bands(const struct plan *p);
int plan_band(const struct plan *p, int rank);
long plan_band_count(const struct plan *p, int band);

/* Play p out as the run would if every shard took its prediction: whichever
 * rank is free first (the lower on a tie) takes plan_next, and runs it for
 * seconds[shard] / speed[rank_host[rank]] (speed NULL: all 1; a shard
 * without a prediction, NAN, for the median of those p still holds). Ranks
 * of a host of speed 0 take nothing, unless every rank's host is of speed 0
 * (then every speed counts as 1). Returns the predicted makespan (0 when p
 * holds nothing), or NAN when none of p's shards has a prediction or
 * memory ran out. p is used up (plan_next gives -1 to every rank after). */
double plan_simulate(struct plan *p, const int *rank_host, const double *speed,
                     const double *seconds);

int plan_is_static(const struct plan *p);

#endif
