/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_dispatch.c - which shard goes where on rank 0: the hand-outs
 * (each worker's share ahead, rank 0's own slot), the results and the
 * shards given back, --retry-elsewhere, lost ranks and the wind-down of
 * --max-failures. */
#include "config.h"

#include "coord/coord_private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/slot.h"
#include "common/timeutil.h"
#include "worker/workstate.h"

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
struct assignment coord_reserve(struct coord *co, long index)
{
    struct shard_state *s = &co->shards[index];
    long retries = co->in->spec->retries;
    if (s->partial)
        retries -= s->partial->nattempts;
    if (retries < 0)
        retries = 0;
    int first = s->next_attempt;
    long next = first + retries + 1;
    s->next_attempt = next < ATTEMPT_FIRST_MAX ? (int)next : ATTEMPT_FIRST_MAX;
    return (struct assignment){.index = index,
                               .first_attempt = first,
                               .retries = (int)retries,
                               .task = co->in->tasks ? co->in->tasks->lines[index] : NULL};
}

static struct assignment hand_out(struct coord *co, long index)
{
    struct assignment a = coord_reserve(co, index);
    co->shards[index].first_attempt = a.first_attempt;
    return a;
}

void coord_held_add(struct coord *co, int r, long index)
{
    struct held *h = &co->held[r];
    h->asked = false;
    if (h->running < 0) {
        h->running = index;
        h->since = loop_now(co->loop);
    } else {
        co->nqueued += h->queued < 0;
        h->queued = index;
    }
}

void coord_held_remove(struct coord *co, int r, long index)
{
    struct held *h = &co->held[r];
    h->asked = false;
    if (h->queued == index) {
        h->queued = -1;
        co->nqueued--;
    } else if (h->running == index) { /* the queued one starts (a worker's queue is in order) */
        co->nqueued -= h->queued >= 0;
        h->running = h->queued;
        h->queued = -1;
        h->since = loop_now(co->loop);
    }
}

void coord_held_clear(struct coord *co, int r)
{
    co->nqueued -= co->held[r].queued >= 0;
    co->held[r] = (struct held){.running = -1, .queued = -1, .since = 0, .asked = false};
}

int coord_share_out(struct coord *co, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    if (co->nqueued == 0 || co->stopping || plan_is_static(co->plan) ||
        plan_pending(co->plan, 0) > 0 || rescue_count(co->rescue) > 0)
        return 0;
    for (int r = 1; r < c->nranks; r++) {
        struct held *h = &co->held[r];
        if (h->queued < 0 || h->asked || liveness_is_lost(co->alive, r))
            continue;
        if (coord_send_pause(co, r, PAUSE_SHARE, err) < 0)
            return -1;
        h->asked = true;
    }
    return 0;
}

int coord_usable(const struct coord_input *in, int r)
{
    return !in->watch || watch_healthy(in->watch, in->cluster->rank_host[r]);
}

/* A shard predicted to run this long (on its host) gets nothing queued
 * behind it in a dynamic plan: the round trip to rank 0 that a queued shard
 * saves (under a millisecond) is nothing against it, and the queued shard,
 * the next longest of a longest-first queue, would wait for it while other
 * ranks run shorter ones, and end the run late. */
#define QUEUE_BEHIND_MAX 1.0

/* Whether rank r runs a shard predicted to take QUEUE_BEHIND_MAX or more. */
static bool runs_long(const struct coord *co, int r)
{
    long i = co->held[r].running;
    if (!co->predicted || i < 0 || isnan(co->predicted[i]))
        return false;
    return co->predicted[i] / coord_host_speed(co, co->in->cluster->rank_host[r]) >=
           QUEUE_BEHIND_MAX;
}

/* How many shards worker r should hold: the one it runs and, while more
 * are left to hand out than there are ranks (in a static plan: while r's
 * own list goes on), one more queued behind it, so that it starts the
 * next the moment its last one ends instead of after a round trip to rank
 * 0. Not at the tail: a shard queued behind a long one would wait while
 * another rank idles; nor behind one predicted long (runs_long). Nor in
 * the first round, in which every rank, rank 0 included, gets one shard in
 * rank order. */
static int fill_target(const struct coord *co, int r)
{
    if (!co->first_round) /* every rank its first shard before any its second */
        return 1;
    if (plan_is_static(co->plan))
        return plan_pending(co->plan, r) > 0 ? 2 : 1;
    if (runs_long(co, r))
        return 1;
    long left = plan_pending(co->plan, r) + rescue_count(co->rescue);
    return left > co->in->cluster->nranks ? 2 : 1;
}

int coord_send_pause(struct coord *co, int r, int flag, struct error *err)
{
    size_t len;
    unsigned char *data = proto_pause_encode(flag, &len);
    if (!data)
        return errprintf(err, "out of memory");
    return loop_send(co->loop, r, TAG_PAUSE, data, len, err);
}

/* Give worker rank r shards until it holds its target. */
int coord_fill(struct coord *co, int r, struct error *err)
{
    if (co->stopping || !coord_usable(co->in, r) || liveness_is_lost(co->alive, r))
        return 0;
    /* the target again after each: the shard just given may run long */
    while (co->outstanding[r] < fill_target(co, r)) {
        long index = next_shard(co, r);
        if (index < 0) /* nothing left: a free rank takes what waits elsewhere */
            return co->outstanding[r] == 0 ? coord_share_out(co, err) : 0;
        size_t len;
        struct assignment a = hand_out(co, index);
        unsigned char *data = proto_assign_encode(&a, &len);
        if (!data)
            return errprintf(err, "out of memory");
        if (loop_send(co->loop, r, TAG_ASSIGN, data, len, err) < 0)
            return -1;
        co->shards[index].owner = r;
        co->host_assigned[co->in->cluster->rank_host[r]]++;
        co->outstanding[r]++;
        coord_held_add(co, r, index);
    }
    return 0;
}

/* Rank 0's own slot takes its next shard when free. */
int coord_fill_self(struct coord *co)
{
    if (co->stopping || runner_busy(co->runner) || !coord_usable(co->in, 0))
        return 0;
    long index = next_shard(co, 0);
    if (index < 0)
        return 0;
    co->shards[index].owner = 0;
    co->host_assigned[co->in->cluster->rank_host[0]]++;
    coord_held_add(co, 0, index);
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
int coord_fill_all(struct coord *co, struct error *err)
{
    for (int r = 1; r < co->in->cluster->nranks; r++)
        if (coord_fill(co, r, err) < 0)
            return -1;
    return 0;
}

/* The result of a shard's hand-out, from the rank that ran it (0
 * included), with the attempts it made before on hosts where it could not
 * start. With --retry-elsewhere, an exec error is not the end while retries
 * are left and a rank on another host may take the shard: it waits for
 * that rank, first in line. Otherwise the result is recorded. Returns 0, or
 * -1 with err (ENOMEM). */
int coord_settle(struct coord *co, struct shard_result *res, struct error *err)
{
    co->last_result = loop_now(co->loop);
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
            return coord_fill_all(co, err);
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
bool coord_may_stop(const struct coord *co, const struct shard_result *res)
{
    const struct settings *s = co->in->settings;
    return !status_is_pass(res->status) && (s->fail_fast || s->max_failures > 0);
}

/* A result from worker src. Returns 0, or -1 with err for a broken message. */
int coord_on_result(struct coord *co, int src, const unsigned char *data, size_t len,
                    struct error *err)
{
    struct shard_result *res = proto_result_decode(data, len);
    if (!res)
        return errprintf(err, "malformed result message from rank %d", src);
    if (coord_race_claims(co, src, res)) { /* --speculate: one of two copies */
        co->outstanding[src]--;
        coord_held_remove(co, src, res->index);
        if (coord_race_settle(co, src, res, err) < 0)
            return -1;
        return coord_fill(co, src, err);
    }
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
    coord_held_remove(co, src, res->index);
    if (coord_may_stop(co, res)) { /* known before anything more starts */
        if (coord_settle(co, res, err) < 0)
            return -1;
        return coord_fill(co, src, err);
    }
    /* src's next shard first, then the bookkeeping */
    if (coord_fill(co, src, err) < 0) {
        result_free(res);
        return -1;
    }
    return coord_settle(co, res, err);
}

/* Worker src gave back shards it had not started: others may run them. */
int coord_on_return(struct coord *co, int src, const unsigned char *data, size_t len,
                    struct error *err)
{
    long *indices;
    size_t n;
    if (proto_return_decode(data, len, co->in->spec->total, &indices, &n) < 0)
        return errprintf(err, "malformed message giving shards back from rank %d", src);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        long index = indices[i];
        struct shard_state *s = &co->shards[index];
        int copy = coord_race_given_back(co, src, index, err);
        if (copy != 0) { /* a copy of a shard running twice (--speculate) */
            rc = copy < 0 ? -1 : 0;
            continue;
        }
        if (s->owner != src || s->result)
            continue; /* not src's to give back */
        s->owner = -1;
        s->next_attempt = s->first_attempt; /* it used none */
        co->host_assigned[co->in->cluster->rank_host[src]]--;
        co->outstanding[src]--;
        coord_held_remove(co, src, index);
        if (co->stopping)
            continue; /* it will not run: --max-failures was reached */
        /* one that must avoid some hosts waits in the rescue queue again */
        if (rescue_avoided_count(co->rescue, index) > 0)
            rc = queue_first(co, index, err);
        else if (plan_return(co->plan, index) < 0)
            rc = errprintf(err, "out of memory");
    }
    free(indices);
    return rc < 0 ? -1 : coord_fill_all(co, err);
}

/* --max-failures reached: every worker hands back the shards it has not
 * started (TAG_PAUSE asking for them); once no shard runs any more, those
 * never started are "not run". Returns 0, or -1 with err. */
int coord_wind_down(struct coord *co, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    if (!co->stop_told) {
        for (int r = 1; r < c->nranks; r++) {
            if (liveness_is_lost(co->alive, r))
                continue;
            if (coord_send_pause(co, r, PAUSE_STOP, err) < 0)
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
int coord_on_lost(struct coord *co, int r, struct error *err)
{
    const struct cluster *c = co->in->cluster;
    long total = co->in->spec->total;
    int h = c->rank_host[r];
    char moved[256] = "";
    size_t used = 0;
    long nmoved = 0;
    /* a copy of a shard running twice leaves the other copy running */
    if (coord_race_lost(co, r, err) < 0)
        return -1;
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
    coord_held_clear(co, r);
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
    return coord_fill_all(co, err);
}
