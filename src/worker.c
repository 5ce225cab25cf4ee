/* worker.c - the worker loop: poll MPI, run the child, sleep cheaply. */
#include "config.h"

#include "worker.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "proto.h"
#include "result.h"
#include "runner.h"
#include "signals.h"
#include "hostinfo.h"
#include "timeutil.h"
#include "workstate.h"

/* Assignments not yet started, first in first out. */
struct queue {
    struct assignment *items;
    size_t head, len, cap;
};

static int queue_push(struct queue *q, const struct assignment *a)
{
    if (q->head + q->len == q->cap) {
        if (q->head > 0) { /* slide down before growing */
            memmove(q->items, q->items + q->head, q->len * sizeof *q->items);
            q->head = 0;
        } else {
            size_t cap = q->cap ? q->cap * 2 : 8;
            struct assignment *items = realloc(q->items, cap * sizeof *items);
            if (!items)
                return -1;
            q->items = items;
            q->cap = cap;
        }
    }
    q->items[q->head + q->len++] = *a;
    return 0;
}

static void queue_free(struct queue *q)
{
    for (size_t i = 0; i < q->len; i++)
        free(q->items[q->head + i].task);
    free(q->items);
}

/* A host's leader tells rank 0 how its host is doing. */
static int send_probe(struct outbox *ob, const struct self *me, char *err, size_t errlen)
{
    struct probe pr;
    hostinfo_probe(me, &pr);
    size_t len;
    unsigned char *data = proto_probe_encode(&pr, &len);
    if (!data) {
        snprintf(err, errlen, "out of memory packing a health probe");
        return -1;
    }
    return outbox_send(ob, 0, TAG_HEALTH, data, len, err, errlen);
}

/* Hand the shards not yet started back to rank 0 and empty the queue. */
static int give_back(struct outbox *ob, struct queue *q, char *err, size_t errlen)
{
    size_t len;
    unsigned char *data = proto_return_encode(q->items + q->head, q->len, &len);
    if (!data) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    queue_free(q);
    memset(q, 0, sizeof *q);
    return outbox_send(ob, 0, TAG_RETURN, data, len, err, errlen);
}

static int send_result(struct outbox *ob, const struct shard_result *res, char *err, size_t errlen)
{
    size_t len;
    unsigned char *data = proto_result_encode(res, &len);
    if (!data) {
        snprintf(err, errlen, "out of memory packing a result");
        return -1;
    }
    return outbox_send(ob, 0, TAG_RESULT, data, len, err, errlen);
}

/* How long a stopped worker waits for rank 0 to finish its reports and say
 * STOP, so that it does not leave first and make mpirun end rank 0 too. */
#define ABORT_WAIT 60.0

/* Handle one message from rank 0, in the order they came (workstate.h).
 * Returns 0, or -1 with err. */
static int handle(struct outbox *ob, struct queue *q, struct workstate *ws, int src, int tag,
                  const unsigned char *data, size_t len, char *err, size_t errlen)
{
    if (src != 0) {
        snprintf(err, errlen, "unexpected message (tag %d) from rank %d", tag, src);
        return -1;
    }
    struct assignment a = {.task = NULL};
    if (tag == TAG_ASSIGN && proto_assign_decode(data, len, &a) < 0) {
        snprintf(err, errlen, "malformed assignment from rank 0");
        return -1;
    }
    int flag = tag == TAG_PAUSE ? proto_pause_decode(data, len) : -1;
    int what = workstate_take(ws, tag, flag);
    if (what & WS_MALFORMED) {
        free(a.task);
        snprintf(err, errlen, "malformed message (tag %d, %zu bytes) from rank 0", tag, len);
        return -1;
    }
    if (what & WS_DROP)
        free(a.task);
    if ((what & WS_QUEUE) && queue_push(q, &a) < 0) {
        free(a.task);
        snprintf(err, errlen, "out of memory queueing shard %ld", a.index + 1);
        return -1;
    }
    if ((what & WS_GIVE_BACK) && q->len > 0)
        return give_back(ob, q, err, errlen);
    return 0;
}

/* The run is over for this rank: its last messages get DRAIN_TIMEOUT
 * seconds; what rank 0 has not taken by then (it no longer listens, or it
 * is stopped itself) is given up, and said on stderr. Returns 0, or -1
 * with err. */
static int last_sends(struct outbox *ob, const struct self *me, char *err, size_t errlen)
{
    if (outbox_drain(ob, time_mono() + DRAIN_TIMEOUT, err, errlen) < 0)
        return -1;
    int n = outbox_abandon(ob, 0, err, errlen);
    if (n < 0)
        return -1;
    if (n > 0)
        fprintf(stderr,
                "distmpi: rank %d on %s: gave up %d message%s to rank 0: not taken within %g s\n",
                me->rank, me->host, n, n == 1 ? "" : "s", DRAIN_TIMEOUT);
    return 0;
}

/* Ships each piece of an attempt's output to rank 0 (TAG_LOG). */
struct shipper {
    struct outbox *ob;
    bool failed;
    char err[256];
};

static void ship_output(void *arg, long index, int attempt, int kind, const char *data, size_t len)
{
    struct shipper *sh = arg;
    if (sh->failed)
        return;
    size_t n;
    unsigned char *msg = proto_log_encode(index, attempt, kind, data, len, &n);
    if (!msg) {
        snprintf(sh->err, sizeof sh->err, "out of memory shipping output of shard %ld", index + 1);
        sh->failed = true;
        return;
    }
    if (outbox_send(sh->ob, 0, TAG_LOG, msg, n, sh->err, sizeof sh->err) < 0)
        sh->failed = true;
}

int worker_collect(const struct spec *spec, const struct self *me, const struct runner *runner,
                   struct shard_result *res, collect_fn fn, void *arg)
{
    if (!spec->collect)
        return 0;
    /* the last attempt's files: one that could not start made none */
    int attempt = result_last_number(res);
    if (attempt == 0)
        return 0;
    char *outdir = runner_output_dir(runner, res->index, attempt);
    if (!outdir)
        return -1;
    struct subst v = {.shard = res->index + 1,
                      .index = res->index,
                      .total = spec->total,
                      .host = me->host,
                      .rank = me->rank,
                      .slot = me->slot,
                      .attempt = attempt,
                      .output_dir = outdir};
    struct error why;
    int problems = collect_files(spec->collect, &v, fn, arg, &why);
    free(outdir);
    if (problems < 0)
        return -1;
    /* no report, no proof that the tests passed */
    if (problems > 0 && status_is_pass(res->status)) {
        char *error;
        if (asprintf(&error, "--collect: %s", why.text) < 0)
            return -1;
        free(res->error);
        res->error = error;
        res->status = STATUS_FAILED;
    }
    return 0;
}

/* Ships the files collected after one shard (TAG_COLLECT). */
struct collect_ship {
    struct shipper *sh;
    long index;
};

static void ship_collected(void *arg, const char *name, const char *data, size_t len,
                           const char *error)
{
    struct collect_ship *cs = arg;
    struct shipper *sh = cs->sh;
    if (sh->failed)
        return;
    size_t n;
    unsigned char *msg = proto_collect_encode(cs->index, name, error, data, data ? len : 0, &n);
    if (!msg) {
        snprintf(sh->err, sizeof sh->err, "out of memory shipping %s", name);
        sh->failed = true;
        return;
    }
    if (outbox_send(sh->ob, 0, TAG_COLLECT, msg, n, sh->err, sizeof sh->err) < 0)
        sh->failed = true;
}

/* Output waiting to leave beyond this many messages (4 MiB of full pieces):
 * read no more of it until rank 0 has taken some. */
#define SHIP_BACKLOG 64

struct runner *worker_runner_create(const struct spec *spec, const struct self *me,
                                    runner_output_fn output, void *arg)
{
    struct runner_config rc = {
        .timeout = spec->timeout,
        .kill_grace = spec->kill_grace,
        .backoff = spec->backoff,
        .backoff_max = spec->backoff_max,
        .backoff_jitter = spec->backoff_jitter,
        .run_dir = spec->run_dir,
        .host = me->host,
        .rank = me->rank,
        .slot = me->slot,
        .total = spec->total,
        .max_log_bytes = (size_t)spec->max_log_bytes,
        .stream = spec->stream,
        .file_limit = me->file_limit,
        .output = output,
        .output_arg = arg,
    };
    return runner_create(&rc);
}

int worker_start_shard(struct runner *runner, const struct spec *spec, const struct assignment *a)
{
    if (spec->shell) {
        char *task = a->task;
        return runner_start(runner, a->index, a->first_attempt, a->retries, &task, 1, true);
    }
    return runner_start(runner, a->index, a->first_attempt, a->retries, spec->words, spec->nwords,
                        false);
}

int worker_run(const struct spec *spec, const struct self *me, char *err, size_t errlen)
{
    struct outbox *ob = outbox_create();
    struct shipper sh = {.ob = ob};
    struct runner *runner = worker_runner_create(spec, me, ship_output, &sh);
    int runner_err = errno;
    struct queue q = {0};
    struct workstate ws;
    workstate_init(&ws);
    double give_up = INFINITY; /* while aborting: stop waiting for rank 0 */
    /* a host's leader probes its health every interval; rank 0 judges */
    bool prober = me->slot == 0 && !spec->skip_health;
    double next_probe = prober ? time_mono() + spec->health_interval : INFINITY;
    /* rank 0 counts a rank silent for its heartbeat timeout as lost */
    double next_beat = spec->heartbeat > 0 ? time_mono() + spec->heartbeat : INFINITY;
    int status = -1;
    struct waiter w;
    waiter_reset(&w);
    if (!runner) {
        snprintf(err, errlen, "cannot set up the shards' runner: %s", strerror(runner_err));
        goto out;
    }
    if (!ob) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (;;) {
        /* a signal here, or rank 0's ABORT: end the shard now, drop the queue,
         * and wait for rank 0 to write its reports and say STOP */
        if ((signals_caught() || ws.aborting) && give_up == INFINITY) {
            ws.aborting = true;
            runner_cancel(runner);
            queue_free(&q);
            memset(&q, 0, sizeof q);
            give_up = time_mono() + ABORT_WAIT;
        }
        if (ws.aborting && (ws.stopped || time_mono() > give_up))
            break;
        bool active = false;
        int src, tag, got;
        unsigned char *data;
        size_t len;
        while ((got = msg_poll(&src, &tag, &data, &len, err, errlen)) == 1) {
            int hrc = handle(ob, &q, &ws, src, tag, data, len, err, errlen);
            free(data);
            if (hrc < 0)
                goto out;
            active = true;
        }
        if (got < 0)
            goto out;
        if (workstate_may_start(&ws) && !runner_busy(runner) && q.len > 0) {
            struct assignment a = q.items[q.head];
            q.head++;
            q.len--;
            int started = worker_start_shard(runner, spec, &a);
            int why = errno;
            free(a.task);
            if (started < 0) {
                snprintf(err, errlen, "cannot start shard %ld: %s", a.index + 1, strerror(why));
                goto out;
            }
            active = true;
        }
        struct shard_result *res = runner_step(runner);
        if (sh.failed) {
            result_free(res);
            snprintf(err, errlen, "%s", sh.err);
            goto out;
        }
        if (res) {
            struct collect_ship cs = {&sh, res->index};
            if (worker_collect(spec, me, runner, res, ship_collected, &cs) < 0 || sh.failed) {
                snprintf(err, errlen, "%s",
                         sh.failed ? sh.err : "out of memory collecting a shard's files");
                result_free(res);
                goto out;
            }
            int src_rc = send_result(ob, res, err, errlen);
            result_free(res);
            if (src_rc < 0)
                goto out;
            active = true;
        }
        if (!ws.aborting && time_mono() >= next_beat) {
            if (outbox_send_flag(ob, 0, TAG_HEARTBEAT, -1, err, errlen) < 0)
                goto out;
            next_beat = time_mono() + spec->heartbeat;
        }
        if (!ws.aborting && time_mono() >= next_probe) {
            if (send_probe(ob, me, err, errlen) < 0)
                goto out;
            next_probe = time_mono() + spec->health_interval;
        }
        int pending = outbox_progress(ob, err, errlen);
        if (pending < 0)
            goto out;
        runner_hold_output(runner, pending > SHIP_BACKLOG);
        if (ws.stopped && q.len == 0 && !runner_busy(runner))
            break;
        if (active) {
            waiter_reset(&w);
        } else {
            double deadline = runner_deadline(runner);
            if (next_probe < deadline)
                deadline = next_probe;
            if (next_beat < deadline)
                deadline = next_beat;
            waiter_wait(&w, runner_fd(runner), deadline);
        }
    }
    status = last_sends(ob, me, err, errlen);
out:
    queue_free(&q);
    runner_destroy(runner);
    outbox_destroy(ob);
    return status;
}
