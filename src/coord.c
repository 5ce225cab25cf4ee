/* coord.c - the coordinator loop on rank 0: dispatch, messages, lost ranks,
 * --max-failures (the other parts: coord_private.h). */
#include "config.h"

#include "coord_private.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"
#include "timeutil.h"
#include "slot.h"
#include "workstate.h"

/* The next shard for rank r: one a lost rank left behind or one to retry
 * away from its host (unless that is r's), else the plan's. */
static long next_shard(struct coord *co, int r)
{
    long i = rescue_take(co->rescue, co->in->cluster->rank_host[r]);
    return i >= 0 ? i : plan_next(co->plan, r);
}

/* Shard index's next hand-out: the retries it has left (attempts made on
 * hosts where it could not start count), and its attempt numbers. It may
 * use all of those (1 + retries), so the next hand-out starts after them: a
 * copy left running on a lost host may go on using its numbers, and the
 * copy that replaces it must not share its output directories. */
static struct assignment hand_out(struct coord *co, long index)
{
    struct shard_state *s = &co->shards[index];
    long retries = co->in->spec->retries;
    if (s->partial)
        retries -= s->partial->nattempts;
    if (retries < 0)
        retries = 0;
    int first = s->next_attempt;
    long next = first + retries + 1;
    s->first_attempt = first;
    s->next_attempt = next < ATTEMPT_FIRST_MAX ? (int)next : ATTEMPT_FIRST_MAX;
    return (struct assignment){.index = index,
                               .first_attempt = first,
                               .retries = (int)retries,
                               .task = co->in->tasks ? co->in->tasks->lines[index] : NULL};
}

/* Whether rank r's host may get new shards. */
static int rank_usable(const struct coord_input *in, int r)
{
    return !in->watch || watch_healthy(in->watch, in->cluster->rank_host[r]);
}

/* How many shards worker r should hold: the one it runs and, while more
 * are left to hand out than there are ranks (in a static plan: while r's
 * own list goes on), one more queued behind it, so that it starts the
 * next the moment its last one ends instead of after a round trip to rank
 * 0. Not at the tail: a shard queued behind a long one would wait while
 * another rank idles. Nor in the first round, in which every rank, rank 0
 * included, gets one shard in rank order. */
static int fill_target(const struct coord *co, int r)
{
    if (!co->first_round) /* every rank its first shard before any its second */
        return 1;
    if (plan_is_static(co->plan))
        return plan_pending(co->plan, r) > 0 ? 2 : 1;
    long left = plan_pending(co->plan, r) + rescue_count(co->rescue);
    return left > co->in->cluster->nranks ? 2 : 1;
}

/* Give worker rank r shards until it holds its target. */
static int fill(struct coord *co, int r, struct error *err)
{
    if (co->stopping || !rank_usable(co->in, r) || liveness_is_lost(co->alive, r))
        return 0;
    int target = fill_target(co, r);
    while (co->outstanding[r] < target) {
        long index = next_shard(co, r);
        if (index < 0)
            return 0;
        size_t len;
        struct assignment a = hand_out(co, index);
        unsigned char *data = assign_pack(&a, &len);
        if (!data)
            return errprintf(err, "out of memory");
        if (loop_send(co->loop, r, TAG_ASSIGN, data, len, err) < 0)
            return -1;
        co->shards[index].owner = r;
        co->host_assigned[co->in->cluster->rank_host[r]]++;
        co->outstanding[r]++;
    }
    return 0;
}

/* Rank 0's own slot takes its next shard when free. */
static int fill_self(struct coord *co)
{
    if (co->stopping || runner_busy(co->runner) || !rank_usable(co->in, 0))
        return 0;
    long index = next_shard(co, 0);
    if (index < 0)
        return 0;
    co->shards[index].owner = 0;
    co->host_assigned[co->in->cluster->rank_host[0]]++;
    struct assignment a = hand_out(co, index);
    return slot_start_shard(co->runner, co->in->spec, &a);
}

/* Whether a rank that is not lost may take shard index (not on a host it
 * must avoid). */
static bool someone_may_run(const struct coord *co, long index)
{
    const struct cluster *c = co->in->cluster;
    for (int r = 0; r < c->nranks; r++)
        if (!liveness_is_lost(co->alive, r) && !rescue_avoids(co->rescue, index, c->rank_host[r]))
            return true;
    return false;
}

/* Put shard index first in line (rescue.h). Returns 0, or -1 with err: it
 * was queued already, a mistake of ours. */
static int queue_first(struct coord *co, long index, struct error *err)
{
    if (rescue_push(co->rescue, index) == 0)
        return 0;
    return errprintf(err, "shard %ld queued twice", index + 1);
}

/* Give every rank work it may take (rank 0's own slot fills itself). */
static int fill_all(struct coord *co, struct error *err)
{
    for (int r = 1; r < co->in->cluster->nranks; r++)
        if (fill(co, r, err) < 0)
            return -1;
    return 0;
}

/* The result of a shard's hand-out, from the rank that ran it (0
 * included), with the attempts it made before on hosts where it could not
 * start. With --retry-elsewhere, an exec error is not the end while retries
 * are left and a rank on another host may take the shard: it waits for
 * that rank, first in line. Otherwise the result is recorded. Returns 0, or
 * -1 with err (ENOMEM). */
static int settle(struct coord *co, struct shard_result *res, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    long i = res->index;
    res = result_merge(co->shards[i].partial, res);
    co->shards[i].partial = NULL;
    if (!res)
        return errprintf(err, "out of memory");
    int h = c->rank_host[res->rank];
    if (co->in->settings->retry_elsewhere && res->status == STATUS_EXEC_ERROR && !co->stopping) {
        if (rescue_avoid(co->rescue, i, h) < 0) {
            result_free(res);
            return errprintf(err, "out of memory");
        }
        const char *why = res->error ? res->error : "exec error";
        if (res->nattempts > co->in->spec->retries) {
            coord_say(co, "distmpi: shard %ld could not start on %s (%s); no retry is left\n",
                      i + 1, c->hosts[h].name, why);
        } else if (!someone_may_run(co, i)) {
            coord_say(co,
                      "distmpi: shard %ld could not start on %s (%s); no other host to retry it "
                      "on\n",
                      i + 1, c->hosts[h].name, why);
        } else {
            coord_say(co,
                      "distmpi: shard %ld could not start on %s (%s); its next attempt runs on "
                      "another host (--retry-elsewhere)\n",
                      i + 1, c->hosts[h].name, why);
            co->shards[i].partial = res;
            co->shards[i].owner = -1;
            co->host_assigned[h]--;
            co->shards[i].next_attempt = result_last_number(res) + 1;
            if (queue_first(co, i, err) < 0)
                return -1;
            return fill_all(co, err);
        }
    }
    coord_record(co, res);
    return 0;
}

/* Shards waiting to retry on another host that no rank may take any more
 * (the others were lost): they end with the attempts they made. */
static void strand(struct coord *co)
{
    for (long k = 0; k < rescue_count(co->rescue);) {
        long i = rescue_at(co->rescue, k);
        if (!co->shards[i].partial || someone_may_run(co, i)) {
            k++;
            continue;
        }
        rescue_remove(co->rescue, k);
        coord_say(co, "distmpi: shard %ld: no host left to retry it on\n", i + 1);
        coord_record(co, co->shards[i].partial);
        co->shards[i].partial = NULL;
    }
}

/* Whether res may stop the run (--max-failures, --fail-fast): then it is
 * recorded before the next shard is handed out, not after. */
static bool may_stop(const struct coord *co, const struct shard_result *res)
{
    const struct settings *s = co->in->settings;
    return !status_is_pass(res->status) && (s->fail_fast || s->max_failures > 0);
}

/* A result from worker src. Returns 0, or -1 with err for a broken message. */
static int on_result(struct coord *co, int src, const unsigned char *data, size_t len,
                     struct error *err)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    struct shard_result *res = result_unpack(&u);
    if (!res)
        return errprintf(err, "malformed result message from rank %d", src);
    const struct shard_state *s = res->index < co->in->spec->total ? &co->shards[res->index] : NULL;
    if (!s || s->owner != src || s->result || res->rank != src ||
        (res->nattempts > 0 &&
         (res->attempts[0].number != s->first_attempt || res->attempts[0].rank != src))) {
        fprintf(stderr,
                "distmpi: ignoring a result for shard %ld from rank %d: it was not "
                "running there\n",
                res->index + 1, src);
        result_free(res);
        return 0;
    }
    co->outstanding[src]--;
    if (may_stop(co, res)) { /* known before anything more starts */
        if (settle(co, res, err) < 0)
            return -1;
        return fill(co, src, err);
    }
    /* src's next shard first, then the bookkeeping */
    if (fill(co, src, err) < 0) {
        result_free(res);
        return -1;
    }
    return settle(co, res, err);
}

/* A TAG_LOG message from worker src. */
static int on_log(struct coord *co, int src, const unsigned char *data, size_t len,
                  struct error *err)
{
    long index;
    int attempt, kind;
    const void *piece;
    size_t n;
    if (logpiece_unpack(data, len, &index, &attempt, &kind, &piece, &n) < 0 ||
        index >= co->in->spec->total)
        return errprintf(err, "malformed log message from rank %d", src);
    if (co->shards[index].owner == src && !co->shards[index].result)
        coord_piece(co, src, index, attempt, kind, piece, n);
    return 0;
}

/* A TAG_COLLECT message from worker src. */
static int on_collect(struct coord *co, int src, const unsigned char *data, size_t len,
                      struct error *err)
{
    long index;
    char *name, *error;
    const void *file;
    size_t n;
    if (collected_unpack(data, len, &index, &name, &error, &file, &n) < 0 ||
        index >= co->in->spec->total)
        return errprintf(err, "malformed message with a collected file from rank %d", src);
    if (co->shards[index].owner == src && !co->shards[index].result)
        coord_add_collected(co, index, name, file, n, error);
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
     * wind_down() has told every worker to start nothing more: no RESUME
     * may cross that (nor a PAUSE that asks for less) */
    for (int r = 1; r < c->nranks && !co->stopping; r++) {
        if (c->rank_host[r] != h || liveness_is_lost(co->alive, r))
            continue;
        /* a dynamic plan takes the queued shards back for other hosts; a
         * static one keeps them where it put them */
        int flag = plan_is_static(co->plan) ? PAUSE_KEEP : PAUSE_GIVE_BACK;
        if ((change < 0 ? loop_send_flag(co->loop, r, TAG_PAUSE, flag, err)
                        : loop_send_flag(co->loop, r, TAG_RESUME, -1, err)) < 0)
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
            if (c->rank_host[r] == h && fill(co, r, err) < 0)
                return -1;
    }
    fflush(stdout);
    return 0;
}

/* Worker src gave back shards it had not started: others may run them. */
static int on_return(struct coord *co, int src, const unsigned char *data, size_t len,
                     struct error *err)
{
    struct unpacker u;
    unpacker_init(&u, data, len);
    long n = (long)unpack_range(&u, 0, co->in->spec->total);
    for (long i = 0; i < n && !u.failed; i++) {
        long index = (long)unpack_range(&u, 0, co->in->spec->total - 1);
        struct shard_state *s = &co->shards[index];
        if (u.failed || s->owner != src || s->result)
            continue; /* not src's to give back */
        s->owner = -1;
        s->next_attempt = s->first_attempt; /* it used none */
        co->host_assigned[co->in->cluster->rank_host[src]]--;
        co->outstanding[src]--;
        if (co->stopping)
            continue; /* it will not run: --max-failures was reached */
        /* one that must avoid some hosts waits in the rescue queue again */
        if (rescue_avoided_count(co->rescue, index) > 0) {
            if (queue_first(co, index, err) < 0)
                return -1;
        } else if (plan_return(co->plan, index) < 0)
            return errprintf(err, "out of memory");
    }
    if (u.failed || u.pos != u.len)
        return errprintf(err, "malformed message giving shards back from rank %d", src);
    return fill_all(co, err);
}

/* A TAG_HEALTH message from host leader src. */
static int on_health(struct coord *co, int src, const unsigned char *data, size_t len,
                     struct error *err)
{
    const struct cluster *c = co->in->cluster;
    struct unpacker u;
    unpacker_init(&u, data, len);
    struct probe pr;
    if (probe_unpack(&u, &pr) < 0 || u.pos != u.len)
        return errprintf(err, "malformed health message from rank %d", src);
    if (!co->in->watch || c->hosts[c->rank_host[src]].leader != src)
        return 0; /* not asked for, or not from the host's leader: ignore */
    return on_probe(co, c->rank_host[src], &pr, err);
}

/* --max-failures reached: every worker hands back the shards it has not
 * started (TAG_PAUSE asking for them); once no shard runs any more, those
 * never started are "not run". Returns 0, or -1 with err. */
static int wind_down(struct coord *co, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    if (!co->stop_told) {
        for (int r = 1; r < c->nranks; r++) {
            if (liveness_is_lost(co->alive, r))
                continue;
            if (loop_send_flag(co->loop, r, TAG_PAUSE, PAUSE_STOP, err) < 0)
                return -1;
        }
        co->stop_told = true;
    }
    if (runner_busy(co->runner))
        return 0;
    for (int r = 1; r < c->nranks; r++)
        if (co->outstanding[r] > 0)
            return 0;
    long limit = co->in->settings->fail_fast ? 1 : co->in->settings->max_failures;
    for (long i = 0; i < co->in->spec->total; i++) {
        if (co->shards[i].partial) { /* it could not start where it ran: so it ends */
            coord_record(co, co->shards[i].partial);
            co->shards[i].partial = NULL;
        }
        if (co->shards[i].result)
            continue;
        struct shard_result *r = result_new_missing(i, STATUS_SKIPPED);
        if (!r || asprintf(&r->error, "not started: %ld shard%s had not passed (--%s)", limit,
                           limit == 1 ? "" : "s",
                           co->in->settings->fail_fast ? "fail-fast" : "max-failures") < 0) {
            result_free(r);
            return errprintf(err, "out of memory");
        }
        co->shards[i].result = r;
        co->done++;
        co->shown++; /* not in the journal: a shard not run is run by --resume */
    }
    return 0;
}

/* Rank r has said nothing for the heartbeat timeout: it is lost. The shards
 * it held (and, in a static plan, those planned for it) go to the others;
 * nothing is sent to it any more, and what it says later is ignored.
 * Returns 0, or -1 with err. */
static int on_lost(struct coord *co, int r, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    long total = co->in->spec->total;
    int h = c->rank_host[r];
    char moved[256] = "";
    size_t used = 0;
    long nmoved = 0;
    for (long i = 0; i < total; i++) {
        if (co->shards[i].owner != r || co->shards[i].result)
            continue;
        co->shards[i].owner = -1;
        co->shards[i].moved++;
        co->host_assigned[h]--;
        if (queue_first(co, i, err) < 0)
            return -1;
        if (used < sizeof moved - 16)
            used += (size_t)snprintf(moved + used, sizeof moved - used, "%s%ld", nmoved ? ", " : "",
                                     i + 1);
        nmoved++;
    }
    co->outstanding[r] = 0;
    for (long i; plan_is_static(co->plan) && (i = plan_next(co->plan, r)) >= 0;)
        if (queue_first(co, i, err) < 0)
            return -1;
    lines_init(&co->streams[r]);      /* its unfinished line will not be finished */
    logstore_close_rank(co->logs, r); /* nor its log */
    char what[320];
    if (nmoved == 0)
        snprintf(what, sizeof what, "it held no shard");
    else
        snprintf(what, sizeof what, "shard%s %s move%s to other ranks (not counted as retries)",
                 nmoved > 1 ? "s" : "", moved, nmoved > 1 ? "" : "s");
    coord_say(co, "distmpi: rank %d on %s lost: silent for %.0f s (--heartbeat-timeout %g); %s\n",
              r, c->hosts[h].name, liveness_silence(co->alive, r, time_mono()),
              co->in->settings->heartbeat_timeout, what);
    strand(co);
    return fill_all(co, err);
}

/* Send every worker an empty message with tag: TAG_ABORT or TAG_STOP. */
static int tell_workers(struct coord *co, int tag, struct error *err)
{
    for (int r = 1; r < co->in->cluster->nranks; r++) {
        if (liveness_is_lost(co->alive, r))
            continue; /* it would never take the message */
        if (loop_send_flag(co->loop, r, tag, -1, err) < 0)
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
        return on_result(co, src, data, len, err);
    case TAG_HEALTH:
        return on_health(co, src, data, len, err);
    case TAG_RETURN:
        return on_return(co, src, data, len, err);
    case TAG_LOG:
        return on_log(co, src, data, len, err);
    case TAG_COLLECT:
        return on_collect(co, src, data, len, err);
    default:
        fprintf(stderr, "distmpi: ignoring a message with tag %d from rank %d\n", tag, src);
        return 0;
    }
}

/* The loop is over once every shard is settled, or a signal came. */
static bool over(void *arg)
{
    struct coord *co = arg;
    return co->done >= co->in->spec->total || (co->sig = signals_caught()) != 0;
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
        if (on_lost(co, r, err) < 0)
            return -1;
    if (co->stopping && wind_down(co, err) < 0)
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
    if (!(res && may_stop(co, res)) && fill_self(co) < 0) {
        result_free(res);
        return errprintf(err, "cannot start a shard on rank 0: %s", strerror(errno));
    }
    if (!co->first_round) { /* rank 0 took its first: the workers their second */
        co->first_round = true;
        if (fill_all(co, err) < 0) {
            result_free(res);
            return -1;
        }
    }
    if (!res)
        return 0;
    struct local_collect lc = {co, res->index};
    if (slot_collect(co->in->spec, co->in->me, co->runner, res, coord_local_collected, &lc) < 0 ||
        co->collect_failed) {
        result_free(res);
        return errprintf(err, "out of memory collecting a shard's files");
    }
    if (settle(co, res, err) < 0)
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

/* The arrays coord_finish hands the reports, from the records. Returns 0,
 * or -1 (ENOMEM). */
static int report_views(struct coord *co)
{
    size_t n = (size_t)(co->in->spec->total > 0 ? co->in->spec->total : 1);
    co->results = malloc(n * sizeof *co->results);
    co->collected = malloc(n * sizeof *co->collected);
    co->ncollected = malloc(n * sizeof *co->ncollected);
    co->moved = malloc(n * sizeof *co->moved);
    if (!co->results || !co->collected || !co->ncollected || !co->moved)
        return -1;
    for (long i = 0; i < co->in->spec->total; i++) {
        const struct shard_state *s = &co->shards[i];
        struct shard_result *r = s->result;
        /* the log is where rank 0 stored it, whoever ran the shard */
        int last = r && !r->carried ? result_last_number(r) : 0;
        errno = 0;
        if (last > 0 && !r->log && !(r->log = logstore_path(co->logs, i, last)) && errno == ENOMEM)
            return -1;
        co->results[i] = s->result;
        co->collected[i] = s->collected;
        co->ncollected[i] = s->ncollected;
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
                             .wait_until = wait_until};
    co.plan = coord_make_plan(in);
    co.ob = outbox_create();
    co.loop = co.ob ? loop_create(&msg_io, co.ob, &side) : NULL;
    co.runner = slot_runner_create(sp, in->me, coord_local_output, &co);
    int runner_err = errno;
    co.logs = logstore_create(in->settings->logs ? in->settings->logs : sp->run_dir, sp->total,
                              c->nranks, max_open_logs());
    co.streams = calloc((size_t)c->nranks, sizeof *co.streams);
    co.shards = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.shards);
    co.unshown = malloc((size_t)(sp->total > 0 ? sp->total : 1) * sizeof *co.unshown);
    co.outstanding = calloc((size_t)c->nranks, sizeof *co.outstanding);
    co.host_done = calloc((size_t)c->nhosts, sizeof *co.host_done);
    co.host_assigned = calloc((size_t)c->nhosts, sizeof *co.host_assigned);
    co.alive = liveness_create(c->nranks, in->settings->heartbeat_timeout, time_mono());
    co.rescue = rescue_create(sp->total, c->nhosts);
    if (!co.runner) {
        errprintf(err, "cannot set up the shards' runner: %s", strerror(runner_err));
        goto out;
    }
    if (!co.plan || !co.loop || !co.logs || !co.streams || !co.shards || !co.unshown ||
        !co.outstanding || !co.host_done || !co.host_assigned || !co.alive || !co.rescue) {
        errprintf(err, "out of memory setting up the run");
        goto out;
    }
    for (long i = 0; i < sp->total; i++) {
        co.shards[i].owner = -1;
        co.shards[i].next_attempt = 1;
    }

    co.mode = in->settings->progress;
    if (co.mode == PROGRESS_AUTO) {
        const char *term = getenv("TERM");
        /* under mpirun our stdout is always a pty: TERM says whether a
         * person is watching (batch jobs have none) */
        co.mode = isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0
                      ? PROGRESS_BARS
                      : PROGRESS_LINES;
    }
    co.next_draw = co.mode == PROGRESS_LINES ? time_mono() + SUMMARY_EVERY : 0;
    co.probe_timer = loop_timer_add(
        co.loop, in->watch ? time_mono() + sp->health_interval : INFINITY, probe, &co);
    co.draw_timer =
        loop_timer_add(co.loop, co.mode != PROGRESS_NONE ? co.next_draw : INFINITY, tick, &co);
    co.sync_timer = loop_timer_add(co.loop, INFINITY, sync_journal, &co);
    coord_header(&co);
    coord_carry_over(&co);
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25l"); /* no cursor blinking in the bars; coord_finish() restores it */
    for (int r = 1; r < c->nranks; r++)
        if (fill(&co, r, err) < 0)
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
    runner_destroy(co.runner);
    logstore_destroy(co.logs);
    if (co.alive)
        *lost = liveness_lost_count(co.alive) + co.stuck;
    liveness_destroy(co.alive);
    rescue_destroy(co.rescue);
    free(co.streams);
    loop_destroy(co.loop);
    outbox_destroy(co.ob);
    plan_destroy(co.plan);
    return status;
}
