/* SPDX-License-Identifier: BSD-3-Clause */
/* loop.c - the event loop of rank 0 and the workers. */
#include "config.h"

#include "mpi/loop.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "mpi/waiter.h"

struct timer {
    double due; /* INFINITY: not armed */
    loop_timer_fn fn;
    void *arg;
};

struct loop {
    struct loop_io io;
    void *io_arg;
    struct loop_side side;
    struct timer timers[LOOP_TIMERS_MAX];
    int ntimers;
    struct waiter waiter;
    double last_look;   /* NAN before the first */
    double quick_until; /* a reply is due until then (or a message) */
    double last_send;   /* when the last send started */
    int pending;        /* sends under way at the last look */
};

struct loop *loop_create(const struct loop_io *io, void *io_arg, const struct loop_side *side)
{
    struct loop *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->io = *io;
    l->io_arg = io_arg;
    l->side = *side;
    l->last_look = NAN;
    l->quick_until = -INFINITY;
    l->last_send = -INFINITY;
    waiter_reset(&l->waiter);
    return l;
}

void loop_destroy(struct loop *l)
{
    free(l);
}

double loop_now(const struct loop *l)
{
    return l->io.now(l->io_arg);
}

int loop_timer_add(struct loop *l, double due, loop_timer_fn fn, void *arg)
{
    if (l->ntimers == LOOP_TIMERS_MAX) {
        errno = EINVAL;
        return -1;
    }
    l->timers[l->ntimers] = (struct timer){.due = due, .fn = fn, .arg = arg};
    return l->ntimers++;
}

void loop_timer_set(struct loop *l, int id, double due)
{
    l->timers[id].due = due;
}

double loop_timer_due(const struct loop *l, int id)
{
    return l->timers[id].due;
}

int loop_send(struct loop *l, int dest, int tag, unsigned char *data, size_t len, struct error *err)
{
    l->last_send = loop_now(l);
    return l->io.send(l->io_arg, dest, tag, data, len, err);
}

int loop_send_empty(struct loop *l, int dest, int tag, struct error *err)
{
    unsigned char *data = malloc(1); /* the io's, even when empty */
    if (!data)
        return errprintf(err, "out of memory");
    return loop_send(l, dest, tag, data, 0, err);
}

int loop_sends_pending(const struct loop *l)
{
    return l->pending;
}

int loop_abandon(struct loop *l, int dest, struct error *err)
{
    return l->io.abandon(l->io_arg, dest, err);
}

void loop_reply_due(struct loop *l)
{
    l->quick_until = loop_now(l) + LOOP_QUICK_FOR;
}

double loop_last_look(const struct loop *l)
{
    return l->last_look;
}

/* Take every waiting message. Returns how many, or -1 with err. */
static int take_messages(struct loop *l, struct error *err)
{
    int n = 0, got, src, tag;
    unsigned char *data;
    size_t len;
    while ((got = l->io.poll(l->io_arg, &src, &tag, &data, &len, err)) == 1) {
        n++;
        l->quick_until = -INFINITY; /* whatever came, the wait is over */
        int rc = l->side.message(l->side.arg, src, tag, data, len, err);
        free(data);
        if (rc < 0)
            return -1;
    }
    return got < 0 ? -1 : n;
}

/* Run the timers that are due. Returns 0, or -1 with err. */
static int run_timers(struct loop *l, struct error *err)
{
    double now = loop_now(l);
    for (int i = 0; i < l->ntimers; i++) {
        struct timer *t = &l->timers[i];
        if (t->due > now)
            continue;
        t->due = INFINITY;
        if (t->fn(t->arg, err) < 0)
            return -1;
    }
    return 0;
}

/* Sleep until the side's descriptor, a deadline or the back-off, with the
 * back-off capped while a reply is due or sends are under way. */
static void wait_a_little(struct loop *l)
{
    double now = loop_now(l);
    double deadline = l->side.wait_until ? l->side.wait_until(l->side.arg) : INFINITY;
    for (int i = 0; i < l->ntimers; i++)
        if (l->timers[i].due < deadline)
            deadline = l->timers[i].due;
    bool quick = now < l->quick_until || (l->pending > 0 && now < l->last_send + LOOP_QUICK_FOR);
    double max = quick ? LOOP_QUICK_WAIT : WAITER_MAX;
    double side_max = l->side.wait_max ? l->side.wait_max(l->side.arg) : WAITER_MAX;
    double secs = waiter_next(&l->waiter, deadline - now, side_max < max ? side_max : max);
    int fd = l->side.wait_fd ? l->side.wait_fd(l->side.arg) : -1;
    if (secs > 0)
        l->io.sleep(l->io_arg, fd, secs);
}

int loop_run(struct loop *l, struct error *err)
{
    while (!l->side.over(l->side.arg)) {
        double now = loop_now(l);
        if (l->side.stalled && !isnan(l->last_look) && now - l->last_look > LOOP_STALL)
            l->side.stalled(l->side.arg, l->last_look, now);
        l->last_look = now;
        int messages = take_messages(l, err);
        if (messages < 0)
            return -1;
        int worked = l->side.work ? l->side.work(l->side.arg, err) : 0;
        if (worked < 0 || run_timers(l, err) < 0)
            return -1;
        if ((l->pending = l->io.progress(l->io_arg, err)) < 0)
            return -1;
        /* a rank that spoke may say more soon: look again quickly; work
         * done (a shard started or finished) needs another turn at once,
         * not quicker looks afterwards (a rank's own shard wakes it
         * through the side's descriptor) */
        if (messages > 0)
            waiter_reset(&l->waiter);
        if (messages == 0 && worked == 0)
            wait_a_little(l);
    }
    return 0;
}

int loop_drain(struct loop *l, double timeout, void (*gave_up)(void *arg, int dest, int n),
               void *arg, struct error *err)
{
    double deadline = loop_now(l) + timeout;
    struct waiter w;
    waiter_reset(&w);
    for (;;) {
        if ((l->pending = l->io.progress(l->io_arg, err)) < 0)
            return -1;
        double left = deadline - loop_now(l);
        if (l->pending == 0 || left <= 0)
            break;
        l->io.sleep(l->io_arg, -1, waiter_next(&w, left, WAITER_MAX));
    }
    for (int dest; (dest = l->io.pending_dest(l->io_arg)) >= 0;) {
        int n = l->io.abandon(l->io_arg, dest, err);
        if (n < 0)
            return -1;
        if (n > 0 && gave_up)
            gave_up(arg, dest, n);
    }
    l->pending = 0;
    return 0;
}
