/* SPDX-License-Identifier: BSD-3-Clause */
/* worker.c - a worker rank: the shards rank 0 assigns, run on this rank's
 * slot one at a time, their output and results shipped to rank 0, in the
 * event loop (loop.h). */
#include "config.h"

#include "worker/worker.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi/hostinfo.h"
#include "mpi/loop.h"
#include "mpi/msg.h"
#include "mpi/proto.h"
#include "model/result.h"
#include "exec/runner.h"
#include "common/signals.h"
#include "exec/slot.h"
#include "worker/workstate.h"

/* How long a stopped worker waits for rank 0 to finish its reports and say
 * STOP, so that it does not leave first and make mpirun end rank 0 too. */
#define ABORT_WAIT 60.0

/* Output waiting to leave beyond this many messages (4 MiB of full pieces):
 * read no more of it until rank 0 has taken some. */
#define SHIP_BACKLOG 64

/* Assignments not yet started, first in first out. A worker holds one or
 * two (rank 0 hands out little ahead), so taking the first moves the rest. */
struct queue {
    struct assignment *items;
    size_t len, cap;
};

struct worker {
    const struct spec *spec;
    const struct self *me;
    struct loop *loop;
    struct runner *runner;
    struct queue q;
    struct workstate ws;
    double give_up; /* while aborting: when to stop waiting for rank 0 */
    int beat_timer, probe_timer;
    /* shipping output from the runner's callbacks, which cannot fail:
     * the first failure is kept here and ends the loop */
    bool ship_failed;
    struct error ship_err;
};

static int queue_push(struct queue *q, const struct assignment *a)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        struct assignment *items = realloc(q->items, cap * sizeof *items);
        if (!items)
            return -1;
        q->items = items;
        q->cap = cap;
    }
    q->items[q->len++] = *a;
    return 0;
}

/* Take the first assignment (q->len > 0). */
static struct assignment queue_pop(struct queue *q)
{
    struct assignment a = q->items[0];
    memmove(q->items, q->items + 1, --q->len * sizeof *q->items);
    return a;
}

/* Drop every assignment; the queue stays usable. */
static void queue_clear(struct queue *q)
{
    for (size_t i = 0; i < q->len; i++)
        free(q->items[i].task);
    q->len = 0;
}

/* Send data (len bytes, from a proto_*_encode: NULL when it ran out of
 * memory) to rank 0 with tag; what names it in errors. */
static int send_encoded(struct worker *w, unsigned char *data, size_t len, int tag,
                        const char *what, struct error *err)
{
    if (!data)
        return errprintf(err, "out of memory packing %s", what);
    return loop_send(w->loop, 0, tag, data, len, err);
}

/* Hand the shards not yet started back to rank 0 and empty the queue. */
static int give_back(struct worker *w, struct error *err)
{
    size_t len;
    unsigned char *data = proto_return_encode(w->q.items, w->q.len, &len);
    queue_clear(&w->q);
    return send_encoded(w, data, len, TAG_RETURN, "the shards given back", err);
}

/* --speculate: rank 0 ends the copy of shard index numbered from
 * first_attempt. Queued, it goes back at once (rank 0 drops it); running,
 * it ends the way a timeout ends an attempt, and its result (superseded)
 * goes to rank 0 as any other, which drops it. Already finished, its
 * result is on its way: nothing to do. */
static int cancel_copy(struct worker *w, long index, int first_attempt, struct error *err)
{
    for (size_t i = 0; i < w->q.len; i++) {
        struct assignment a = w->q.items[i];
        if (a.index != index || a.first_attempt != first_attempt)
            continue;
        memmove(w->q.items + i, w->q.items + i + 1, (w->q.len - i - 1) * sizeof *w->q.items);
        w->q.len--;
        size_t len;
        unsigned char *data = proto_return_encode(&a, 1, &len);
        free(a.task);
        return send_encoded(w, data, len, TAG_RETURN, "a cancelled copy given back", err);
    }
    (void)runner_supersede(w->runner, index, first_attempt);
    return 0;
}

/* One message from rank 0, in the order they came (workstate.h). */
static int on_message(void *arg, int src, int tag, const unsigned char *data, size_t len,
                      struct error *err)
{
    struct worker *w = arg;
    if (src != 0)
        return errprintf(err, "unexpected message (tag %d) from rank %d", tag, src);
    struct assignment a = {.task = NULL};
    if (tag == TAG_ASSIGN && proto_assign_decode(data, len, &a) < 0)
        return errprintf(err, "malformed assignment from rank 0");
    int flag = tag == TAG_PAUSE ? proto_pause_decode(data, len) : -1;
    long cancel_index = -1;
    int cancel_first = 0;
    if (tag == TAG_CANCEL)
        flag = proto_cancel_decode(data, len, w->spec->total, &cancel_index, &cancel_first);
    int what = workstate_take(&w->ws, tag, flag);
    if (what & WS_MALFORMED) {
        free(a.task);
        return errprintf(err, "malformed message (tag %d, %zu bytes) from rank 0", tag, len);
    }
    if (what & WS_DROP)
        free(a.task);
    if ((what & WS_QUEUE) && queue_push(&w->q, &a) < 0) {
        free(a.task);
        return errprintf(err, "out of memory queueing shard %ld", a.index + 1);
    }
    if ((what & WS_GIVE_BACK) && w->q.len > 0)
        return give_back(w, err);
    if (what & WS_CANCEL)
        return cancel_copy(w, cancel_index, cancel_first, err);
    return 0;
}

/* A signal here, or rank 0's ABORT: end the shard now, drop the queue, and
 * wait for rank 0 to write its reports and say STOP (ABORT_WAIT at most).
 * Rank 0's STOP with nothing left to run ends the loop too. */
static bool over(void *arg)
{
    struct worker *w = arg;
    if ((signals_caught() || w->ws.aborting) && w->give_up == INFINITY) {
        w->ws.aborting = true;
        runner_cancel(w->runner);
        queue_clear(&w->q);
        w->give_up = loop_now(w->loop) + ABORT_WAIT;
    }
    if (w->ws.aborting)
        return w->ws.stopped || loop_now(w->loop) > w->give_up;
    return w->ws.stopped && w->q.len == 0 && !runner_busy(w->runner);
}

/* Ships each piece of an attempt's output to rank 0 (TAG_LOG). */
static void ship_output(void *arg, long index, int attempt, int kind, const char *data, size_t len)
{
    struct worker *w = arg;
    if (w->ship_failed)
        return;
    size_t n;
    unsigned char *msg = proto_log_encode(index, attempt, kind, data, len, &n);
    if (!msg) {
        errprintf(&w->ship_err, "out of memory shipping output of shard %ld", index + 1);
        w->ship_failed = true;
        return;
    }
    if (loop_send(w->loop, 0, TAG_LOG, msg, n, &w->ship_err) < 0)
        w->ship_failed = true;
}

/* Ships the files collected after one shard (TAG_COLLECT). */
struct collect_ship {
    struct worker *w;
    long index;
    int attempt;
    bool earlier; /* a retry follows the attempt */
};

static void ship_collected(void *arg, const char *name, const char *data, size_t len,
                           const char *error)
{
    struct collect_ship *cs = arg;
    struct worker *w = cs->w;
    if (w->ship_failed)
        return;
    size_t n;
    unsigned char *msg = proto_collect_encode(cs->index, cs->attempt, cs->earlier, name, error,
                                              data, data ? len : 0, &n);
    if (!msg) {
        errprintf(&w->ship_err, "out of memory shipping %s", name);
        w->ship_failed = true;
        return;
    }
    if (loop_send(w->loop, 0, TAG_COLLECT, msg, n, &w->ship_err) < 0)
        w->ship_failed = true;
}

/* An attempt of shard index failed and will be retried: its files now,
 * before the retry overwrites them (a failure shows in w->ship_failed). */
static void ship_retried(void *arg, long index, int attempt)
{
    struct worker *w = arg;
    struct collect_ship cs = {w, index, attempt, true};
    if (!w->ship_failed &&
        slot_collect_attempt(w->spec, w->me, w->runner, index, attempt, ship_collected, &cs) < 0) {
        errprintf(&w->ship_err, "out of memory collecting a shard's files");
        w->ship_failed = true;
    }
}

/* A shard finished here: its files (--collect), then its result. */
static int report(struct worker *w, struct shard_result *res, struct error *err)
{
    struct collect_ship cs = {w, res->index, result_last_number(res), false};
    int rc = slot_collect(w->spec, w->me, w->runner, res, ship_collected, &cs);
    if (w->ship_failed) {
        *err = w->ship_err;
        rc = -1;
    } else if (rc < 0) {
        errprintf(err, "out of memory collecting a shard's files");
    } else {
        size_t len;
        unsigned char *data = proto_result_encode(res, &len);
        rc = send_encoded(w, data, len, TAG_RESULT, "a result", err);
    }
    result_free(res);
    return rc;
}

/* Step the runner; start the next queued shard as soon as the slot is
 * free, before a finished shard is reported (its files collected, its
 * result sent), so the slot idles as little as it can. A worker left with
 * nothing to run then awaits rank 0's answer to its result: the loop polls
 * quickly meanwhile (loop_reply_due). */
static int work(void *arg, struct error *err)
{
    struct worker *w = arg;
    struct shard_result *res = runner_step(w->runner);
    int did = res != NULL;
    if (workstate_may_start(&w->ws) && !runner_busy(w->runner) && w->q.len > 0) {
        struct assignment a = queue_pop(&w->q);
        int started = slot_start_shard(w->runner, w->spec, &a);
        int why = errno;
        free(a.task);
        if (started < 0) {
            result_free(res);
            return errprintf(err, "cannot start shard %ld: %s", a.index + 1, strerror(why));
        }
        did = 1;
    }
    if (res && report(w, res, err) < 0)
        return -1;
    if (w->ship_failed) {
        *err = w->ship_err;
        return -1;
    }
    if (res && !runner_busy(w->runner) && workstate_may_start(&w->ws) && !w->ws.stopped)
        loop_reply_due(w->loop);
    runner_hold_output(w->runner, loop_sends_pending(w->loop) > SHIP_BACKLOG);
    return did;
}

/* Rank 0 counts a rank silent for its heartbeat timeout as lost. */
static int heartbeat(void *arg, struct error *err)
{
    struct worker *w = arg;
    if (w->ws.aborting)
        return 0;
    loop_timer_set(w->loop, w->beat_timer, loop_now(w->loop) + w->spec->heartbeat);
    return loop_send_empty(w->loop, 0, TAG_HEARTBEAT, err);
}

/* A host's leader tells rank 0 how its host is doing; rank 0 judges. */
static int probe(void *arg, struct error *err)
{
    struct worker *w = arg;
    if (w->ws.aborting)
        return 0;
    loop_timer_set(w->loop, w->probe_timer, loop_now(w->loop) + w->spec->health_interval);
    struct probe pr;
    hostinfo_probe(w->me, &pr);
    size_t len;
    unsigned char *data = proto_probe_encode(&pr, &len);
    return send_encoded(w, data, len, TAG_HEALTH, "a health probe", err);
}

static int wait_fd(void *arg)
{
    return runner_fd(((struct worker *)arg)->runner);
}

static double wait_until(void *arg)
{
    return runner_deadline(((struct worker *)arg)->runner);
}

/* What rank 0 did not take of our last messages within DRAIN_TIMEOUT (it no
 * longer listens, or it is stopped itself): said on stderr. */
static void gave_up(void *arg, int dest, int n)
{
    const struct self *me = ((struct worker *)arg)->me;
    (void)dest;
    fprintf(stderr,
            "distmpi: rank %d on %s: gave up %d message%s to rank 0: not taken within %g s\n",
            me->rank, me->host, n, n == 1 ? "" : "s", DRAIN_TIMEOUT);
}

int worker_run(const struct spec *spec, const struct self *me, struct error *err)
{
    struct worker w = {.spec = spec, .me = me, .give_up = INFINITY};
    workstate_init(&w.ws);
    struct outbox *ob = outbox_create();
    struct loop_side side = {.arg = &w,
                             .over = over,
                             .message = on_message,
                             .work = work,
                             .wait_fd = wait_fd,
                             .wait_until = wait_until};
    w.loop = ob ? loop_create(&msg_io, ob, &side) : NULL;
    w.runner = slot_runner_create(spec, me, ship_output, &w, ship_retried, &w);
    int runner_err = errno;
    int status = -1;
    if (!w.runner) {
        errprintf(err, "cannot set up the shards' runner: %s", strerror(runner_err));
        goto out;
    }
    if (!w.loop) {
        errprintf(err, "out of memory");
        goto out;
    }
    double now = loop_now(w.loop);
    /* a host's leader probes its health every interval */
    bool prober = me->slot == 0 && !spec->skip_health;
    w.beat_timer = loop_timer_add(w.loop, spec->heartbeat > 0 ? now + spec->heartbeat : INFINITY,
                                  heartbeat, &w);
    w.probe_timer =
        loop_timer_add(w.loop, prober ? now + spec->health_interval : INFINITY, probe, &w);
    if (loop_run(w.loop, err) == 0)
        status = loop_drain(w.loop, DRAIN_TIMEOUT, gave_up, &w, err);
out:
    queue_clear(&w.q);
    free(w.q.items);
    runner_destroy(w.runner);
    loop_destroy(w.loop);
    outbox_destroy(ob);
    return status;
}
