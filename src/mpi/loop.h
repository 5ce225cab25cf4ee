/* SPDX-License-Identifier: BSD-3-Clause */
/* loop.h - the event loop that rank 0 and the workers share.
 *
 * Each turn it takes every waiting message and hands it to its side, lets
 * the side do its own work (start a shard, step the runner), runs the
 * timers that are due, moves the sends along, and then, when nothing
 * happened, sleeps until the side's descriptor wakes it, a deadline comes
 * or the back-off sleep (waiter.h) ends. A side that expects a reply soon
 * says so (loop_reply_due): the sleeps then stay short, so that the reply
 * is seen within a fraction of a millisecond instead of a whole back-off
 * step. At the end of a run loop_drain() gives the last sends a bounded
 * time and gives up the rest.
 *
 * Everything the loop does outside itself goes through a struct loop_io:
 * the messages (MPI in the program: msg.h's msg_io), the clock and the
 * sleep. The unit tests drive the loop with a fake one.
 */
#ifndef DISTMPI_LOOP_H
#define DISTMPI_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* While a reply is due, the loop sleeps at most this long between polls,
 * for at most LOOP_QUICK_FOR seconds (the other side may be slow or gone:
 * then the usual back-off resumes). Sends still under way keep the sleeps
 * as short, for as long after the last send: Open MPI moves a send along
 * only when its rank calls into MPI. */
#define LOOP_QUICK_WAIT 200e-6
#define LOOP_QUICK_FOR  0.2

/* A pause between two of the loop's looks at its messages longer than this
 * (the process was stopped, or busy) is reported to the side (stalled): it
 * is not the other ranks' silence. */
#define LOOP_STALL 1.0

/* The most timers a loop holds. */
#define LOOP_TIMERS_MAX 8

/* What the loop does outside itself; io is the first argument of each. */
struct loop_io {
    /* Take one waiting message: 1 with *src, *tag, *data (heap: the loop
     * frees it) and *len; 0 when none is waiting; -1 with err. */
    int (*poll)(void *io, int *src, int *tag, unsigned char **data, size_t *len, struct error *err);
    /* Start sending len bytes of data (whose ownership passes) to dest.
     * Returns 0, or -1 with err. */
    int (*send)(void *io, int dest, int tag, unsigned char *data, size_t len, struct error *err);
    /* Release the sends that completed. Returns how many are still under
     * way, or -1 with err. */
    int (*progress)(void *io, struct error *err);
    /* The destination of a send still under way, or -1 when none is. */
    int (*pending_dest)(void *io);
    /* Give up every send to dest still under way. Returns how many were
     * not delivered, or -1 with err. */
    int (*abandon)(void *io, int dest, struct error *err);
    /* The monotonic clock, in seconds. */
    double (*now)(void *io);
    /* Sleep for seconds at most, less when fd (if >= 0) becomes readable. */
    void (*sleep)(void *io, int fd, double seconds);
};

/* What a side (rank 0's coordinator, a worker) plugs in; arg is the first
 * argument of each. Every one but message and over may be NULL. */
struct loop_side {
    void *arg;
    /* At the start of each turn: whether the loop is over (it may act
     * first: a worker ends its shard on an abort). */
    bool (*over)(void *arg);
    /* The loop did not look at its messages from `from` to `to` (longer
     * than LOOP_STALL). */
    void (*stalled)(void *arg, double from, double to);
    /* One message, in the order they came (data is freed after). Returns
     * 0, or -1 with err. */
    int (*message)(void *arg, int src, int tag, const unsigned char *data, size_t len,
                   struct error *err);
    /* The side's own work, once a turn after the messages. Returns 1 when
     * it did something (the loop goes round again without sleeping; the
     * back-off goes on where it was: only messages start it over), 0 when
     * there was nothing to do, or -1 with err. */
    int (*work)(void *arg, struct error *err);
    /* What may end a sleep early besides the timers: a descriptor that
     * becomes readable (-1: none) and a monotonic deadline (INFINITY:
     * none). */
    int (*wait_fd)(void *arg);
    double (*wait_until)(void *arg);
    /* The longest sleep between two looks the side wants now (rank 0 at
     * the tail of a run, where every result wants an answer at once), or
     * NULL: WAITER_MAX. */
    double (*wait_max)(void *arg);
};

/* A timer's work: 0, or -1 with err (which ends loop_run). It re-arms
 * itself with loop_timer_set() if it wants to run again. */
typedef int (*loop_timer_fn)(void *arg, struct error *err);

struct loop;

/* A loop over io (io_arg) for side (both copied; what they point to must
 * outlive the loop). Returns NULL (ENOMEM). */
struct loop *loop_create(const struct loop_io *io, void *io_arg, const struct loop_side *side);

/* Free l. Sends still under way are io's (msg.h's outbox gives them up
 * when destroyed). Accepts NULL. */
void loop_destroy(struct loop *l);

/* Turn until side->over() says so. Returns 0, or -1 with err when a
 * message, the side's work, a timer or io failed. */
int loop_run(struct loop *l, struct error *err);

/* A timer that runs fn(arg) once the monotonic time due has come
 * (INFINITY: not armed). Returns its id, or -1 with errno EINVAL when the
 * loop holds LOOP_TIMERS_MAX already. */
int loop_timer_add(struct loop *l, double due, loop_timer_fn fn, void *arg);

/* Arm timer id for due (INFINITY: disarm). A timer is disarmed just before
 * it runs. */
void loop_timer_set(struct loop *l, int id, double due);

/* When timer id runs next (INFINITY: not armed). */
double loop_timer_due(const struct loop *l, int id);

/* Send through io (ownership of data passes, even on failure). Returns 0,
 * or -1 with err. */
int loop_send(struct loop *l, int dest, int tag, unsigned char *data, size_t len,
              struct error *err);

/* A message with no payload. Returns 0, or -1 with err. */
int loop_send_empty(struct loop *l, int dest, int tag, struct error *err);

/* How many sends were still under way at the last look (each turn looks
 * once). */
int loop_sends_pending(const struct loop *l);

/* Give up the sends to dest still under way (a lost rank). Returns how
 * many were not delivered, or -1 with err. */
int loop_abandon(struct loop *l, int dest, struct error *err);

/* A reply is due from another rank: until a message comes (or
 * LOOP_QUICK_FOR seconds pass) the loop sleeps LOOP_QUICK_WAIT at most. */
void loop_reply_due(struct loop *l);

/* When the loop last looked at its messages (the start of this turn's). */
double loop_last_look(const struct loop *l);

/* io's clock. */
double loop_now(const struct loop *l);

/* The run is over: wait, polling with the usual sleeps, until every send
 * has completed or timeout seconds have passed, then give up what is
 * left, calling gave_up(arg, dest, n) (when not NULL) for each destination
 * that did not take n of its messages. Messages that arrive meanwhile are
 * left alone. Returns 0, or -1 with err. */
int loop_drain(struct loop *l, double timeout, void (*gave_up)(void *arg, int dest, int n),
               void *arg, struct error *err);

#endif
