/* SPDX-License-Identifier: BSD-3-Clause */
/* itembatch.h - rank 0 turns --items into the run's shards: each item's
 * predicted time from the timing history, the items packed into batches
 * (sched/batch.h), and each batch written as a task line (config/items.h).
 */
#ifndef DISTMPI_ITEMBATCH_H
#define DISTMPI_ITEMBATCH_H

#include "common/error.h"
#include "config/items.h"
#include "config/tasks.h"
#include "sched/batch.h"

struct history;

/* An item's key in the timing history: the task line that would run it
 * alone, with {shard}, {index} and {total} put in as for a run of one
 * shard (template_key), so that it stays the same whichever batch the item
 * lands in. Heap, or NULL (ENOMEM). */
char *itembatch_key(char *const *words, int nwords, const char *item);

/* Pack items into at most nbatches batches by their predicted time in
 * history (NULL: none, the items dealt round-robin in their order) and make
 * each batch a task line of the command words (which passed
 * items_check_command). Returns 0 with the lines in *tasks (free with
 * tasks_destroy) and each batch's items' history keys in *batches (free
 * with item_batches_destroy), or -1 with err. */
int itembatch_make(char *const *words, int nwords, const struct itemlist *items,
                   const struct history *history, long nbatches, struct tasklist **tasks,
                   struct item_batches **batches, struct error *err);

#endif
