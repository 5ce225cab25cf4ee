/* SPDX-License-Identifier: BSD-3-Clause */
/* rescue.h - the shards rank 0 hands out before the plan's: those taken
 * back from lost ranks, and those to retry on another host
 * (--retry-elsewhere), each with the hosts it must not go to again.
 *
 * Pure: no MPI, no I/O.
 */
#ifndef DISTMPI_RESCUE_H
#define DISTMPI_RESCUE_H

#include <stdbool.h>

struct rescue;

/* An empty queue for shards 0..total-1 on nhosts hosts. Returns NULL
 * (ENOMEM). */
struct rescue *rescue_create(long total, int nhosts);

/* Free q. Accepts NULL. */
void rescue_destroy(struct rescue *q);

/* Queue shard index (not queued yet). Returns 0, or -1 (ENOMEM). */
int rescue_push(struct rescue *q, long index);

/* Shard index must not run on host h again. Returns 0, or -1 (ENOMEM). */
int rescue_avoid(struct rescue *q, long index, int h);

/* Whether shard index must not run on host h. */
bool rescue_avoids(const struct rescue *q, long index, int h);

/* How many of the nhosts hosts shard index must not run on. */
int rescue_avoided_count(const struct rescue *q, long index);

/* Take the shard queued longest that may run on host h, or -1. */
long rescue_take(struct rescue *q, int h);

/* How many shards are queued, and the k-th of them (0 <= k < count). */
long rescue_count(const struct rescue *q);
long rescue_at(const struct rescue *q, long k);

/* Take the k-th queued shard out of the queue (0 <= k < count). */
void rescue_remove(struct rescue *q, long k);

#endif
