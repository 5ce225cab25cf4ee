/* SPDX-License-Identifier: BSD-3-Clause */
/* msg.h - MPI messages between rank 0 and the workers, sent without blocking
 * and received by polling, with waiter.h's sleeps in between.
 *
 * Open MPI's blocking receive spins a whole core: nothing here blocks in MPI
 * while shards run.
 */
#ifndef DISTMPI_MSG_H
#define DISTMPI_MSG_H

#include <mpi.h>
#include <stddef.h>

#include "common/error.h"
#include "mpi/loop.h"
#include "mpi/waiter.h"

/* How long the last sends of a run may take before they are given up: a
 * rank that is alive takes its messages within milliseconds; one that is
 * stopped or cut off may never take them, and the sender must not wait for
 * it for good. */
#define DRAIN_TIMEOUT 5.0

struct outbox;

/* Returns an empty outbox, or NULL (ENOMEM). */
struct outbox *outbox_create(void);

/* Free ob and the buffers of the sends that completed. Sends still under
 * way are given up first (outbox_abandon); the buffers of those given up
 * are not freed, as MPI may still read them (see outbox_abandon): they go
 * with the process, which ends soon after. Accepts NULL. */
void outbox_destroy(struct outbox *ob);

/* Start sending len bytes of data (the outbox takes ownership of data) to
 * dest with tag. Returns 0, or -1 with a reason in err. */
int outbox_send(struct outbox *ob, int dest, int tag, unsigned char *data, size_t len,
                struct error *err);

/* Release the sends that have completed. Returns how many are still pending,
 * or -1 with a reason in err. */
int outbox_progress(struct outbox *ob, struct error *err);

/* The destination of a pending send, or -1 when none is pending. */
int outbox_pending_dest(const struct outbox *ob);

/* Give up every pending send to dest (a rank that is lost, or that did not
 * take its messages by a drain's deadline): each is cancelled, and one
 * that neither was cancelled nor completed is freed with MPI_Request_free
 * and never waited on (Open MPI cannot cancel a send, and one whose
 * receiver never matches it never completes). Its buffer is kept to the end
 * of the process: MPI may still send from it (a receiver that wakes up
 * copies straight from the sender's memory). Returns how many sends were
 * given up (not delivered), or -1 with a reason in err. */
int outbox_abandon(struct outbox *ob, int dest, struct error *err);

/* Wait for req (a non-blocking collective, say MPI_Ibcast) to complete,
 * polling it with MPI_Test and the waiter's sleeps in between, so that a
 * rank waiting for rank 0 at start-up costs nothing either. what names the
 * call in errors. Returns 0, or -1 with "WHAT: MPI's reason" in err (the
 * request is then left as it is: the caller ends the job). */
int msg_wait(MPI_Request *req, const char *what, struct error *err);

/* Start a collective (its MPI return code in rc, the call named what) and
 * wait for it with msg_wait. Returns 0, or -1 with the reason in err. */
int msg_collective(int rc, MPI_Request *req, const char *what, struct error *err);

/* Take one waiting message, if any: returns 1 and sets *src, *tag, *data (heap,
 * caller frees) and *len; 0 when nothing is waiting; -1 with a reason in err. */
int msg_poll(int *src, int *tag, unsigned char **data, size_t *len, struct error *err);

/* The event loop's io (loop.h) over MPI: its io argument is an outbox, the
 * messages are msg_poll()'s, the clock time_mono() and the sleep
 * waiter_sleep(). */
extern const struct loop_io msg_io;

#endif
