/* SPDX-License-Identifier: BSD-3-Clause */
/* workstate.h - what a worker may do, from rank 0's control messages taken
 * one at a time in the order they came: STOP, ABORT, PAUSE, RESUME, CANCEL
 * and the assignments. Pure (no MPI, no I/O), so unit tests drive it with message
 * sequences.
 *
 * A PAUSE asks for the queued shards back at the moment it is taken: a
 * RESUME right behind it (in the same batch of messages) cannot undo that.
 * PAUSE_SHARE asks for them back without pausing (a free rank runs them
 * instead of leaving them behind this one's current shard).
 * Once rank 0 stops the run (--max-failures, --fail-fast) no RESUME starts
 * anything again. A CANCEL ends one copy of a shard (--speculate): after an
 * ABORT, which ends everything, there is nothing left to cancel.
 */
#ifndef DISTMPI_WORKSTATE_H
#define DISTMPI_WORKSTATE_H

#include <stdbool.h>

#include "mpi/proto.h"

struct workstate {
    bool stopped;  /* STOP: finish what is queued, then end */
    bool aborting; /* ABORT (or a signal): end the shard, drop the queue, await STOP */
    bool paused;   /* PAUSE (host unhealthy), no RESUME since */
    bool winding;  /* PAUSE_STOP: paused for good */
};

/* What the worker does with one message (bits). */
enum {
    WS_QUEUE = 1,     /* an assignment: queue it */
    WS_DROP = 2,      /* an assignment: drop it (the run was aborted) */
    WS_GIVE_BACK = 4, /* give every queued shard back to rank 0 (after WS_QUEUE) */
    WS_MALFORMED = 8, /* not a message rank 0 sends: an error */
    WS_CANCEL = 16,   /* end the copy the CANCEL names: running, or queued (given back) */
};

/* The state before rank 0 has said anything. */
void workstate_init(struct workstate *s);

/* Take one message: tag (enum msg_tag) and, for TAG_PAUSE, flag (its byte,
 * -1 without one; for TAG_CANCEL, 0 when its payload is well formed, else
 * -1). Returns the WS_ bits of what to do now. */
int workstate_take(struct workstate *s, int tag, int flag);

/* Whether the next queued shard may start. */
bool workstate_may_start(const struct workstate *s);

#endif
