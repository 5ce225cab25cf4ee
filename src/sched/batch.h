/* SPDX-License-Identifier: BSD-3-Clause */
/* batch.h - work items packed into batches by predicted time (--items): the
 * batches are the shards of the run, handed out as any shards are.
 *
 * Pure: no I/O.
 */
#ifndef DISTMPI_BATCH_H
#define DISTMPI_BATCH_H

/* Pack n items into min(nbatches, n) batches so that their predicted
 * seconds are as even as a greedy rule makes them (LPT: the longest item
 * first, each into the batch with the least predicted time so far, the
 * lower batch on a tie). seconds[k] is item k's prediction (NAN: unknown,
 * counted as the median of the known ones, or 1 when none is known, so that
 * without a history the items are dealt round-robin in their order).
 * Batches are numbered in the order of their first item, and each batch's
 * items keep their order: batch_of[k] is item k's batch. Returns the number
 * of batches, or -1 with errno EINVAL (n < 1, nbatches < 1, a prediction
 * negative or infinite) or ENOMEM. O(n log n). */
long batch_pack(const double *seconds, long n, long nbatches, long *batch_of);

/* What the timing history needs of a run's batches: batch b's items are
 * key[first[b] .. first[b + 1]), each item's history key, with pred[] their
 * predictions when the batches were packed (NAN: unknown), kept because the
 * history forgets what it loaded once the plan is made. */
struct item_batches {
    long nbatches;
    long *first;
    char **key;
    double *pred;
};

/* Free b; accepts NULL. */
void item_batches_destroy(struct item_batches *b);

#endif
