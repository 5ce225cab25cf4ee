/* SPDX-License-Identifier: BSD-3-Clause */
/* median.h - the median of the predictions that are known: what a shard, an
 * item or a batch without a prediction counts as, everywhere a schedule
 * needs a number for it (the queue's order, the split by host speed, LPT,
 * the dry run's play-out, the batches of --items).
 *
 * Pure: no I/O, no globals.
 */
#ifndef DISTMPI_MEDIAN_H
#define DISTMPI_MEDIAN_H

/* The median of the values of v that are not NAN, into *median (of an even
 * count, the mean of the middle two): v[at[k]] for k < n, or v[k] when at
 * is NULL. Returns how many are known (0: *median untouched), or -1 with
 * errno ENOMEM. */
long median_of_known(const double *v, const long *at, long n, double *median);

#endif
