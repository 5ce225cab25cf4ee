/* SPDX-License-Identifier: BSD-3-Clause */
/* coord.c - the coordinator on rank 0: its run in the event loop (the
 * messages, its own slot, the timers) from start to end (the other parts:
 * coord_private.h). */
#include "config.h"

#include "coord/coord_private.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/signals.h"
#include "common/timeutil.h"
#include "report/metrics.h"
#include "exec/slot.h"
#include "sched/history.h"
#include "worker/workstate.h"

/* A TAG_LOG message from worker src. */
static int on_log(struct coord *co, int src, const unsigned char *data, size_t len,
                  struct error *err)
{
    long index;
    int attempt, kind;
    const void *piece;
    size_t n;
    if (proto_log_decode(data, len, &index, &attempt, &kind, &piece, &n) < 0 ||
        index >= co->in->spec->total)
        return errprintf(err, "malformed log message from rank %d", src);
    /* the rank running it, or a copy of it (--speculate), also one ended
     * for the other: its log ends as any other's */
    if ((co->shards[index].owner == src && !co->shards[index].result) ||
        coord_race_hears(co, src, index, true))
        coord_piece(co, src, index, attempt, kind, piece, n);
    return 0;
}

/* A TAG_COLLECT message from worker src. */
static int on_collect(struct coord *co, int src, const unsigned char *data, size_t len,
                      struct error *err)
{
    long index;
    int attempt;
    bool earlier;
    char *name, *error;
    const void *file;
    size_t n;
    if (proto_collect_decode(data, len, &index, &attempt, &earlier, &name, &error, &file, &n) < 0 ||
        index >= co->in->spec->total)
        return errprintf(err, "malformed message with a collected file from rank %d", src);
    if ((co->shards[index].owner == src && !co->shards[index].result) ||
        coord_race_hears(co, src, index, false))
        coord_add_collected(co, src, index, attempt, earlier, name, file, n, error);
    free(name);
    free(error);
    if (co->collect_failed)
        return errprintf(err, "out of memory recording a collected file");
    return 0;
}

/* A probe of host h: print a change of state, and on recovery give the
 * host's ranks work again. Returns 0, or -1 with err. */
static int on_probe(struct coord *co, int h, const struct probe *pr, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    struct watch *w = co->in->watch;
    int change = watch_update(w, h, pr, time_wall());
    if (change == -2)
        return errprintf(err, "out of memory");
    if (change == 0)
        return 0;
    int n;
    const struct watch_event *e = watch_events(w, h, &n);
    /* the host's ranks may hold shards they have not started: they start
     * none of them until the host is healthy again. Once the run stops,
     * coord_wind_down() has told every worker to start nothing more: no RESUME
     * may cross that (nor a PAUSE that asks for less) */
    for (int r = 1; r < c->nranks && !co->stopping; r++) {
        if (c->rank_host[r] != h || liveness_is_lost(co->alive, r))
            continue;
        /* a dynamic plan takes the queued shards back for other hosts; a
         * static one keeps them where it put them */
        int flag = plan_is_static(co->plan) ? PAUSE_KEEP : PAUSE_GIVE_BACK;
        if ((change < 0 ? coord_send_pause(co, r, flag, err)
                        : loop_send_empty(co->loop, r, TAG_RESUME, err)) < 0)
            return -1;
    }
    if (change < 0) {
        coord_say(co, "distmpi: host %s excluded: %s; it gets no new shards\n", c->hosts[h].name,
                  e[n - 1].reason);
        if (watch_count_healthy(w) == 0)
            coord_say(co, "distmpi: no healthy host left: waiting for one to recover\n");
    } else {
        coord_say(co, "distmpi: host %s healthy again (%s)\n", c->hosts[h].name, e[n - 1].reason);
        for (int r = 1; r < c->nranks; r++)
            if (c->rank_host[r] == h && coord_fill(co, r, err) < 0)
                return -1;
    }
    fflush(stdout);
    return 0;
}

/* A TAG_HEALTH message from host leader src. */
static int on_health(struct coord *co, int src, const unsigned char *data, size_t len,
                     struct error *err)
{
    const struct cluster *c = co->in->cluster;
    struct probe pr;
    if (proto_probe_decode(data, len, &pr) < 0)
        return errprintf(err, "malformed health message from rank %d", src);
    if (!co->in->watch || c->hosts[c->rank_host[src]].leader != src)
        return 0; /* not asked for, or not from the host's leader: ignore */
    return on_probe(co, c->rank_host[src], &pr, err);
}

/* Send every worker an empty message with tag: TAG_ABORT or TAG_STOP. */
static int tell_workers(struct coord *co, int tag, struct error *err)
{
    for (int r = 1; r < co->in->cluster->nranks; r++) {
        if (liveness_is_lost(co->alive, r))
            continue; /* it would never take the message */
        if (loop_send_empty(co->loop, r, tag, err) < 0)
            return -1;
    }
    return 0;
}

/* Rank r did not take n of our last messages within DRAIN_TIMEOUT: said on
 * stderr (every result is in: what is lost is only what we had to say to
 * r), and counted in co->stuck: r may not have our STOP, so MPI cannot be
 * finalized with it and the job ends without it, as without a lost rank. */
static void gave_up(void *arg, int r, int n)
{
    struct coord *co = arg;
    const struct cluster *c = co->in->cluster;
    fprintf(stderr, "distmpi: gave up %d message%s to rank %d (host %s): not taken within %g s\n",
            n, n == 1 ? "" : "s", r, c->hosts[c->rank_host[r]].name, DRAIN_TIMEOUT);
    co->stuck++;
}

/* The run is over: the sends to lost ranks are given up at once (a rank
 * that is stopped or cut off may never take them), the others get
 * DRAIN_TIMEOUT seconds (gave_up). Never blocks in MPI. Returns 0, or -1
 * with err. */
static int last_sends(struct coord *co, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    for (int r = 1; r < c->nranks; r++) {
        if (!liveness_is_lost(co->alive, r))
            continue;
        int n = loop_abandon(co->loop, r, err);
        if (n < 0)
            return -1;
        if (n > 0)
            fprintf(stderr, "distmpi: gave up %d message%s to lost rank %d (host %s)\n", n,
                    n == 1 ? "" : "s", r, c->hosts[c->rank_host[r]].name);
    }
    return loop_drain(co->loop, DRAIN_TIMEOUT, gave_up, co, err);
}

/* One message from rank src. */
static int on_message(void *arg, int src, int tag, const unsigned char *data, size_t len,
                      struct error *err)
{
    struct coord *co = arg;
    liveness_heard(co->alive, src, loop_now(co->loop));
    if (liveness_is_lost(co->alive, src) || tag == TAG_HEARTBEAT)
        return 0; /* a lost rank is not listened to any more; a heartbeat says only that */
    switch (tag) {
    case TAG_RESULT:
        return coord_on_result(co, src, data, len, err);
    case TAG_HEALTH:
        return on_health(co, src, data, len, err);
    case TAG_RETURN:
        return coord_on_return(co, src, data, len, err);
    case TAG_LOG:
        return on_log(co, src, data, len, err);
    case TAG_COLLECT:
        return on_collect(co, src, data, len, err);
    default:
        fprintf(stderr, "distmpi: ignoring a message with tag %d from rank %d\n", tag, src);
        return 0;
    }
}

/* The loop is over once every shard is settled (and every copy ended for
 * another has said its last: --speculate), or a signal came. */
static bool over(void *arg)
{
    struct coord *co = arg;
    return (co->done >= co->in->spec->total && !coord_races_ending(co)) ||
           (co->sig = signals_caught()) != 0;
}

/* After rank 0's own stall, what the others said in the meantime may take
 * a moment to show: the stall is not their silence. */
static void stalled(void *arg, double from, double to)
{
    struct coord *co = arg;
    liveness_excuse(co->alive, from, to);
}

/* Rank 0's own work each turn, after the messages: lost ranks, the wind
 * down, bars to redraw, and its own slot. */
static int work(void *arg, struct error *err)
{
    struct coord *co = arg;
    /* judged only just after a look: rank 0 may have been stopped since,
     * and the next look excuses that */
    for (int r; loop_now(co->loop) - loop_last_look(co->loop) <= LOOP_STALL &&
                (r = liveness_next_lost(co->alive, loop_now(co->loop))) >= 0;)
        if (coord_on_lost(co, r, err) < 0)
            return -1;
    if (co->stopping && coord_wind_down(co, err) < 0)
        return -1;
    if (coord_speculate(co, err) < 0)
        return -1;
    if (co->redraw) {
        if (co->mode == PROGRESS_BARS)
            coord_draw(co);
        fflush(stdout);
        co->redraw = false;
    }
    /* rank 0's own next shard starts before it records the last one's
     * result, unless that result may stop the run */
    struct shard_result *res = runner_step(co->runner);
    if (co->collect_failed) { /* an attempt's files, before its retry */
        result_free(res);
        return errprintf(err, "out of memory collecting a shard's files");
    }
    if (!(res && coord_may_stop(co, res)) && coord_fill_self(co) < 0) {
        result_free(res);
        return errprintf(err, "cannot start a shard on rank 0: %s", strerror(errno));
    }
    /* rank 0's slot free with nothing left to hand out: it takes what
     * waits behind another rank's shard */
    if (!runner_busy(co->runner) && co->nqueued > 0 && coord_usable(co->in, 0) &&
        coord_share_out(co, err) < 0) {
        result_free(res);
        return -1;
    }
    if (!co->first_round) { /* rank 0 took its first: the workers their second */
        co->first_round = true;
        if (coord_fill_all(co, err) < 0) {
            result_free(res);
            return -1;
        }
    }
    if (!res)
        return 0;
    coord_held_remove(co, 0, res->index);
    struct local_collect lc = {co, res->index, result_last_number(res), false};
    if (slot_collect(co->in->spec, co->in->me, co->runner, res, coord_local_collected, &lc) < 0 ||
        co->collect_failed) {
        result_free(res);
        return errprintf(err, "out of memory collecting a shard's files");
    }
    if (coord_race_claims(co, 0, res)) { /* --speculate: one of two copies */
        if (coord_race_settle(co, 0, res, err) < 0)
            return -1;
        return 1;
    }
    if (coord_settle(co, res, err) < 0)
        return -1;
    return 1;
}

/* Rank 0 leads its own host: it probes it itself. */
static int probe(void *arg, struct error *err)
{
    struct coord *co = arg;
    loop_timer_set(co->loop, co->probe_timer, loop_now(co->loop) + co->in->spec->health_interval);
    struct probe pr;
    hostinfo_probe(co->in->me, &pr);
    return on_probe(co, co->in->cluster->rank_host[0], &pr, err);
}

/* Bars: redraw when due; lines: a summary line when due. */
static int tick(void *arg, struct error *err)
{
    struct coord *co = arg;
    (void)err;
    coord_tick(co);
    loop_timer_set(co->loop, co->draw_timer, co->next_draw);
    return 0;
}

/* The results that wait for the journal's fsync get it (coord_record.c). */
static int sync_journal(void *arg, struct error *err)
{
    (void)err;
    coord_sync(arg);
    return 0;
}

/* --metrics during the run, every METRICS_EVERY seconds; a file that
 * cannot be written is said once, and the run goes on (the one at the end
 * counts). */
static int write_metrics(void *arg, struct error *err)
{
    struct coord *co = arg;
    (void)err;
    loop_timer_set(co->loop, co->metrics_timer, loop_now(co->loop) + METRICS_EVERY);
    struct error why;
    if (coord_write_metrics(co, false, 0, &why) < 0 && !co->metrics_warned) {
        fprintf(stderr, "distmpi: warning: cannot write the metrics during the run: %s\n",
                why.text);
        co->metrics_warned = true;
    }
    return 0;
}

/* --html during the run, every --html-interval seconds: a page that
 * reloads itself, rewritten atomically; one that cannot be written is said
 * once (the page at the end counts). */
static int write_live_html(void *arg, struct error *err)
{
    struct coord *co = arg;
    (void)err;
    loop_timer_set(co->loop, co->html_timer, loop_now(co->loop) + co->in->settings->html_interval);
    struct error why;
    if (coord_write_live_html(co, &why) < 0 && !co->html_warned) {
        fprintf(stderr, "distmpi: warning: cannot write the HTML report during the run: %s\n",
                why.text);
        co->html_warned = true;
    }
    return 0;
}

static int wait_fd(void *arg)
{
    return runner_fd(((struct coord *)arg)->runner);
}

/* The runner's next deadline, or just past the time some rank could be
 * lost (to judge it then). */
static double wait_until(void *arg)
{
    struct coord *co = arg;
    double deadline = runner_deadline(co->runner);
    double silent = liveness_deadline(co->alive) + 0.01;
    return silent < deadline ? silent : deadline;
}

/* At the tail of a dynamic run (shards left to hand out, but no more than
 * there are ranks, so none is queued ahead), every worker that reports
 * wants its next shard at once. Results come in bunches (shards started
 * together end together): for LOOP_QUICK_FOR seconds after each result
 * there, rank 0 looks every LOOK_AT_TAIL seconds at most instead of
 * backing off to WAITER_MAX. Not for longer: each look costs about
 * 0.1 ms of CPU here, and a tail can last as long as its longest shard. */
static double wait_max(void *arg)
{
    struct coord *co = arg;
    if (co->stopping || plan_is_static(co->plan))
        return WAITER_MAX;
    long left = plan_pending(co->plan, -1) + rescue_count(co->rescue);
    bool tail = left > 0 && left <= co->in->cluster->nranks;
    return tail && loop_now(co->loop) < co->last_result + LOOP_QUICK_FOR ? LOOK_AT_TAIL
                                                                         : WAITER_MAX;
}

/* Rank 0 keeps one record a shard for the whole run: 40 bytes of the
 * 100,000-shard budget (see docs/performance.md). */
_Static_assert(sizeof(struct shard_state) <= 40, "a shard's record grew past 40 bytes");

/* The arrays coord_finish hands the reports, from the records. Returns 0,
 * or -1 (ENOMEM). */
static int report_views(struct coord *co)
{
    long total = co->in->spec->total;
    size_t n = (size_t)(total > 0 ? total : 1);
    bool collect = co->in->spec->collect != NULL;
    bool lost = liveness_lost_count(co->alive) > 0; /* only then did shards move */
    if (!(co->results = malloc(n * sizeof *co->results)) ||
        (collect && !(co->collected = malloc(n * sizeof *co->collected))) ||
        (collect && !(co->ncollected = malloc(n * sizeof *co->ncollected))) ||
        (lost && !(co->moved = malloc(n * sizeof *co->moved))))
        return -1;
    for (long i = 0; i < total; i++) {
        const struct shard_state *s = &co->shards[i];
        struct shard_result *r = s->result;
        /* the log the journal named for it (coord_record) */
        if (s->log_named && !r->log &&
            !(r->log = logstore_name(co->logs, i, result_last_number(r))))
            return -1;
        /* a copy ended for the other (--speculate) printed to the end
         * since its result was recorded: its log is there now */
        for (int k = 0; !r->carried && k < r->nsuperseded; k++) {
            struct superseded *x = &r->superseded[k];
            free(x->log);
            x->log = logstore_path(co->logs, i, x->attempt.number);
        }
        co->results[i] = r;
        if (collect) {
            co->collected[i] = s->collected ? s->collected->files : NULL;
            co->ncollected[i] = s->collected ? s->collected->n : 0;
        }
        if (lost)
            co->moved[i] = s->moved;
    }
    return 0;
}

/* The bound on rank 0's open logs: $DISTMPI_MAX_OPEN_LOGS when it is a
 * positive number (tests make it small), else logstore's default. */
static int max_open_logs(void)
{
    const char *v = getenv("DISTMPI_MAX_OPEN_LOGS");
    if (!v || !*v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < 1 || n > INT_MAX) {
        fprintf(stderr, "distmpi: ignoring DISTMPI_MAX_OPEN_LOGS=%s: not a positive number\n", v);
        return 0;
    }
    return (int)n;
}

int coord_run(const struct coord_input *in, int *exit_status, int *lost, struct error *err)
{
    *lost = 0;
    const struct cluster *c = in->cluster;
    const struct spec *sp = in->spec;
    struct coord co = {.in = in};
    int status = -1;
    struct loop_side side = {.arg = &co,
                             .over = over,
                             .stalled = stalled,
                             .message = on_message,
                             .work = work,
                             .wait_fd = wait_fd,
                             .wait_until = wait_until,
                             .wait_max = wait_max};
    co.predicted = in->history ? coord_predictions(in) : NULL;
    co.speed = coord_host_speeds(in);
    co.plan = !in->history || co.predicted ? coord_make_plan(in, co.predicted, co.speed) : NULL;
    /* the predictions are in the plan: only this run's notes stay, until
     * coord_finish saves them (sched/history.h) */
    history_forget_loaded(in->history);
    co.ob = outbox_create();
    co.loop = co.ob ? loop_create(&msg_io, co.ob, &side) : NULL;
    co.runner = slot_runner_create(sp, in->me, coord_local_output, &co, coord_local_retry, &co);
    int runner_err = errno;
    co.logs = logstore_create(in->settings->logs ? in->settings->logs : sp->run_dir, sp->total,
                              c->nranks, max_open_logs());
    co.streams = calloc((size_t)c->nranks, sizeof *co.streams);
    co.shards = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.shards);
    co.outstanding = calloc((size_t)c->nranks, sizeof *co.outstanding);
    co.held = malloc((size_t)c->nranks * sizeof *co.held);
    co.eta_running = malloc((size_t)c->nranks * sizeof *co.eta_running);
    co.eta_slots = malloc((size_t)c->nranks * sizeof *co.eta_slots);
    co.host_done = calloc((size_t)c->nhosts, sizeof *co.host_done);
    co.host_assigned = calloc((size_t)c->nhosts, sizeof *co.host_assigned);
    co.alive = liveness_create(c->nranks, in->settings->heartbeat_timeout, time_mono());
    co.rescue = rescue_create(sp->total, c->nhosts);
    co.races = in->settings->speculate ? coord_races_create(c->nranks) : NULL;
    if (!co.runner) {
        errprintf(err, "cannot set up the shards' runner: %s", strerror(runner_err));
        goto out;
    }
    if (!co.plan || !co.loop || !co.logs || !co.streams || !co.shards || !co.outstanding ||
        !co.held || !co.eta_running || !co.eta_slots || !co.host_done || !co.host_assigned ||
        !co.alive || !co.rescue || (in->settings->speculate && !co.races)) {
        errprintf(err, "out of memory setting up the run");
        goto out;
    }
    if (!(co.eta = eta_create(co.predicted, sp->total))) {
        errprintf(err, "out of memory setting up the run");
        goto out;
    }
    for (long i = 0; i < sp->total; i++) {
        co.shards[i].owner = -1;
        co.shards[i].next_attempt = 1;
    }
    for (int r = 0; r < c->nranks; r++)
        co.held[r] = (struct held){.running = -1, .queued = -1, .since = 0, .asked = false};

    co.mode = in->settings->progress;
    if (co.mode == PROGRESS_AUTO) {
        const char *term = getenv("TERM");
        /* under mpirun our stdout is always a pty: TERM says whether a
         * person is watching (batch jobs have none) */
        co.mode = isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0
                      ? PROGRESS_BARS
                      : PROGRESS_LINES;
    }
    co.next_draw = co.mode == PROGRESS_LINES ? time_mono() + coord_summary_every() : 0;
    co.probe_timer = loop_timer_add(
        co.loop, in->watch ? time_mono() + sp->health_interval : INFINITY, probe, &co);
    co.draw_timer =
        loop_timer_add(co.loop, co.mode != PROGRESS_NONE ? co.next_draw : INFINITY, tick, &co);
    co.sync_timer = loop_timer_add(co.loop, INFINITY, sync_journal, &co);
    /* the first at once: a dashboard sees the run from its start */
    co.metrics_timer =
        loop_timer_add(co.loop, in->settings->metrics ? time_mono() : INFINITY, write_metrics, &co);
    co.html_timer = loop_timer_add(
        co.loop, in->settings->html && in->settings->html_interval > 0 ? time_mono() : INFINITY,
        write_live_html, &co);
    coord_header(&co);
    coord_carry_over(&co);
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25l"); /* no cursor blinking in the bars; coord_finish() restores it */
    for (int r = 1; r < c->nranks; r++)
        if (coord_fill(&co, r, err) < 0)
            goto out;

    if (loop_run(co.loop, err) < 0)
        goto out;
    coord_sync(&co); /* every result durable, and shown, before the end */
    if (co.sig) {
        /* every rank ends its shard now; the workers then wait for our STOP,
         * so that none leaves (and makes mpirun end the job) before the
         * summary and the reports are written */
        if (tell_workers(&co, TAG_ABORT, err) < 0)
            goto out;
        runner_cancel(co.runner);
        coord_races_interrupt(&co);
        for (long i = 0; i < sp->total; i++) {
            struct shard_state *s = &co.shards[i];
            if (s->partial) { /* the attempts it made on hosts where it could not start */
                s->result = s->partial;
                s->result->status = STATUS_INTERRUPTED;
                s->partial = NULL;
            }
            if (!s->result && !(s->result = result_new_missing(i, STATUS_INTERRUPTED))) {
                errprintf(err, "out of memory");
                goto out;
            }
            /* it was interrupted where it had been given: its host is known */
            if (s->result->status == STATUS_INTERRUPTED && s->owner >= 0) {
                s->result->rank = s->owner;
                s->result->slot = c->rank_slot ? c->rank_slot[s->owner] : -1;
            }
        }
        fprintf(stderr, "distmpi: stopped by signal %d; %ld of %ld shards had finished\n", co.sig,
                co.done, sp->total);
    }
    if (report_views(&co) < 0) {
        errprintf(err, "out of memory");
        goto out;
    }
    status = coord_finish(&co, co.sig, exit_status, err->text, sizeof err->text);
    if (status == 0 && (tell_workers(&co, TAG_STOP, err) < 0 || last_sends(&co, err) < 0))
        status = -1;
out:
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25h"); /* the cursor back, whatever happened */
    fflush(stdout);
    free(co.host_done);
    free(co.host_assigned);
    for (long i = 0; co.shards && i < sp->total; i++) {
        result_free(co.shards[i].result);
        result_free(co.shards[i].partial);
        coord_free_collected(&co.shards[i]);
    }
    free(co.shards);
    free(co.unshown);
    free(co.results);
    free(co.collected);
    free(co.ncollected);
    free(co.moved);
    free(co.outstanding);
    free(co.held);
    free(co.eta_running);
    free(co.eta_slots);
    eta_destroy(co.eta); /* before the predictions it reads */
    free(co.predicted);
    free(co.speed);
    runner_destroy(co.runner);
    logstore_destroy(co.logs);
    if (co.alive)
        *lost = liveness_lost_count(co.alive) + co.stuck;
    liveness_destroy(co.alive);
    rescue_destroy(co.rescue);
    coord_races_destroy(co.races);
    free(co.streams);
    loop_destroy(co.loop);
    outbox_destroy(co.ob);
    plan_destroy(co.plan);
    return status;
}
