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
#include "worker.h"
#include "workstate.h"

/* A pause between two of rank 0's looks at its messages longer than this
 * (rank 0 was stopped, or busy) is not counted as the others' silence:
 * they may have spoken, and rank 0 did not listen. Its loop sleeps 20 ms
 * at most between looks. */
#define STALL_GAP 1.0

/* Shards shorter than this on average are handed out two at a time, so a
 * worker never waits for the round trip to rank 0 between tiny tasks; longer
 * ones one at a time, so no shard waits behind a slow one while a rank idles. */
#define PREFETCH_BELOW 0.1

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
    long retries = co->in->spec->retries;
    if (co->partial[index])
        retries -= co->partial[index]->nattempts;
    if (retries < 0)
        retries = 0;
    int first = co->next_attempt[index];
    long next = first + retries + 1;
    co->first_attempt[index] = first;
    co->next_attempt[index] = next < ATTEMPT_FIRST_MAX ? (int)next : ATTEMPT_FIRST_MAX;
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

static int prefetch_target(const struct coord *co)
{
    if (co->attempts_sum == 0)
        return 1;
    return co->busy_sum / (double)co->attempts_sum < PREFETCH_BELOW ? 2 : 1;
}

/* Give worker rank r shards until it holds its target. */
static int fill(struct coord *co, int r, char *err, size_t errlen)
{
    if (co->stopping || !rank_usable(co->in, r) || liveness_is_lost(co->alive, r))
        return 0;
    int target = prefetch_target(co);
    while (co->outstanding[r] < target) {
        long index = next_shard(co, r);
        if (index < 0)
            return 0;
        size_t len;
        struct assignment a = hand_out(co, index);
        unsigned char *data = proto_assign_encode(&a, &len);
        if (!data) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        if (outbox_send(co->ob, r, TAG_ASSIGN, data, len, err, errlen) < 0)
            return -1;
        co->owner[index] = r;
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
    co->owner[index] = 0;
    co->host_assigned[co->in->cluster->rank_host[0]]++;
    struct assignment a = hand_out(co, index);
    return worker_start_shard(co->runner, co->in->spec, &a);
}

/* Append res to this run's journal; a journal that cannot be written is
 * said once and makes the exit status 3. */
static void journal_write(struct coord *co, const struct shard_result *res, const char *host)
{
    char why[1024];
    if (!co->in->journal_out || co->journal_failed)
        return;
    if (journal_append(co->in->journal_out, res, host, why, sizeof why) < 0) {
        co->journal_failed = true;
        coord_say(co, "distmpi: %s; results are no longer recorded there\n", why);
    }
}

/* Take the results the earlier run settled (coord_keeps) into this run:
 * counted, in this run's journal, and not run again. */
static void carry_over(struct coord *co)
{
    const struct coord_input *in = co->in;
    long kept = 0;
    for (long i = 0; i < in->spec->total; i++) {
        if (!coord_keeps(in, i))
            continue;
        struct shard_result *r = in->journal->results[i];
        in->journal->results[i] = NULL;
        journal_write(co, r, r->host);
        co->results[i] = r;
        co->done++;
        kept++;
        if (status_is_pass(r->status))
            co->passed++;
        else
            co->failed++;
    }
    if (in->journal)
        printf("distmpi: %s: %ld shard%s settled there %s not run again; %ld to run\n",
               in->settings->resume ? in->settings->resume : in->settings->rerun_failed, kept,
               kept == 1 ? "" : "s", kept == 1 ? "is" : "are", in->spec->total - kept);
}

static void record(struct coord *co, struct shard_result *res)
{
    const struct cluster *c = co->in->cluster;
    /* the log is where rank 0 stored it, whoever ran the shard */
    free(res->log);
    int last = result_last_number(res);
    res->log = last > 0 ? logstore_path(co->logs, res->index, last) : NULL;
    int h = c->rank_host[res->rank];
    /* durable first: whatever happens next, this result is not lost */
    journal_write(co, res, c->hosts[h].name);
    co->results[res->index] = res;
    co->done++;
    co->busy_sum += result_busy(res);
    co->attempts_sum += res->nattempts;
    co->host_done[h]++;
    if (status_is_pass(res->status)) {
        co->passed++;
    } else {
        co->failed++;
        co->failed_now++;
    }
    const struct settings *s = co->in->settings;
    long max = s->fail_fast ? 1 : s->max_failures;
    if (max > 0 && co->failed_now >= max && !co->stopping) {
        co->stopping = true;
        coord_say(co, "distmpi: %ld shard%s did not pass (%s): no more shards are started\n",
                  co->failed_now, co->failed_now == 1 ? "" : "s",
                  s->fail_fast ? "--fail-fast" : "--max-failures");
    }
    if (co->mode == PROGRESS_LINES) {
        char line[1024];
        summary_result_line(line, sizeof line, res, co->done, co->in->spec->total,
                            c->hosts[h].name);
        coord_say(co, "%s\n", line);
    } else if (co->mode == PROGRESS_BARS && co->done == co->in->spec->total) {
        coord_draw(co); /* the last state stays on the screen */
    }
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
static int queue_first(struct coord *co, long index, char *err, size_t errlen)
{
    if (rescue_push(co->rescue, index) == 0)
        return 0;
    snprintf(err, errlen, "shard %ld queued twice", index + 1);
    return -1;
}

/* Give every rank work it may take (rank 0's own slot fills itself). */
static int fill_all(struct coord *co, char *err, size_t errlen)
{
    for (int r = 1; r < co->in->cluster->nranks; r++)
        if (fill(co, r, err, errlen) < 0)
            return -1;
    return 0;
}

/* The result of a shard's hand-out, from the rank that ran it (0
 * included), with the attempts it made before on hosts where it could not
 * start. With --retry-elsewhere, an exec error is not the end while retries
 * are left and a rank on another host may take the shard: it waits for
 * that rank, first in line. Otherwise the result is recorded. Returns 0, or
 * -1 with err (ENOMEM). */
static int settle(struct coord *co, struct shard_result *res, char *err, size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    long i = res->index;
    res = result_merge(co->partial[i], res);
    co->partial[i] = NULL;
    if (!res) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int h = c->rank_host[res->rank];
    if (co->in->settings->retry_elsewhere && res->status == STATUS_EXEC_ERROR && !co->stopping) {
        if (rescue_avoid(co->rescue, i, h) < 0) {
            result_free(res);
            snprintf(err, errlen, "out of memory");
            return -1;
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
            co->partial[i] = res;
            co->owner[i] = -1;
            co->host_assigned[h]--;
            co->next_attempt[i] = result_last_number(res) + 1;
            if (queue_first(co, i, err, errlen) < 0)
                return -1;
            return fill_all(co, err, errlen);
        }
    }
    record(co, res);
    return 0;
}

/* Shards waiting to retry on another host that no rank may take any more
 * (the others were lost): they end with the attempts they made. */
static void strand(struct coord *co)
{
    for (long k = 0; k < rescue_count(co->rescue);) {
        long i = rescue_at(co->rescue, k);
        if (!co->partial[i] || someone_may_run(co, i)) {
            k++;
            continue;
        }
        rescue_remove(co->rescue, k);
        coord_say(co, "distmpi: shard %ld: no host left to retry it on\n", i + 1);
        record(co, co->partial[i]);
        co->partial[i] = NULL;
    }
}

/* A result from worker src. Returns 0, or -1 with err for a broken message. */
static int on_result(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    struct shard_result *res = proto_result_decode(data, len);
    if (!res) {
        snprintf(err, errlen, "malformed result message from rank %d", src);
        return -1;
    }
    if (res->index >= co->in->spec->total || co->owner[res->index] != src ||
        co->results[res->index] || res->rank != src ||
        (res->nattempts > 0 && (res->attempts[0].number != co->first_attempt[res->index] ||
                                res->attempts[0].rank != src))) {
        fprintf(stderr,
                "distmpi: ignoring a result for shard %ld from rank %d: it was not "
                "running there\n",
                res->index + 1, src);
        result_free(res);
        return 0;
    }
    co->outstanding[src]--;
    if (settle(co, res, err, errlen) < 0)
        return -1;
    return fill(co, src, err, errlen);
}

/* A TAG_LOG message from worker src. */
static int on_log(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                  size_t errlen)
{
    long index;
    int attempt, kind;
    const void *piece;
    size_t n;
    if (proto_log_decode(data, len, &index, &attempt, &kind, &piece, &n) < 0 ||
        index >= co->in->spec->total) {
        snprintf(err, errlen, "malformed log message from rank %d", src);
        return -1;
    }
    if (co->owner[index] == src && !co->results[index])
        coord_piece(co, src, index, attempt, kind, piece, n);
    return 0;
}

/* A TAG_COLLECT message from worker src. */
static int on_collect(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                      size_t errlen)
{
    long index;
    char *name, *error;
    const void *file;
    size_t n;
    if (proto_collect_decode(data, len, &index, &name, &error, &file, &n) < 0 ||
        index >= co->in->spec->total) {
        snprintf(err, errlen, "malformed message with a collected file from rank %d", src);
        return -1;
    }
    if (co->owner[index] == src && !co->results[index])
        coord_add_collected(co, index, name, file, n, error);
    free(name);
    free(error);
    if (co->collect_failed) {
        snprintf(err, errlen, "out of memory recording a collected file");
        return -1;
    }
    return 0;
}

/* A probe of host h: print a change of state, and on recovery give the
 * host's ranks work again. Returns 0, or -1 with err. */
static int on_probe(struct coord *co, int h, const struct probe *pr, char *err, size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    struct watch *w = co->in->watch;
    int change = watch_update(w, h, pr, time_wall());
    if (change == -2) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
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
        if ((change < 0 ? outbox_send_flag(co->ob, r, TAG_PAUSE, flag, err, errlen)
                        : outbox_send_flag(co->ob, r, TAG_RESUME, -1, err, errlen)) < 0)
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
            if (c->rank_host[r] == h && fill(co, r, err, errlen) < 0)
                return -1;
    }
    fflush(stdout);
    return 0;
}

/* Worker src gave back shards it had not started: others may run them. */
static int on_return(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    long *indices;
    size_t n;
    if (proto_return_decode(data, len, co->in->spec->total, &indices, &n) < 0) {
        snprintf(err, errlen, "malformed message giving shards back from rank %d", src);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        long index = indices[i];
        if (co->owner[index] != src || co->results[index])
            continue; /* not src's to give back */
        co->owner[index] = -1;
        co->next_attempt[index] = co->first_attempt[index]; /* it used none */
        co->host_assigned[co->in->cluster->rank_host[src]]--;
        co->outstanding[src]--;
        if (co->stopping)
            continue; /* it will not run: --max-failures was reached */
        /* one that must avoid some hosts waits in the rescue queue again */
        if (rescue_avoided_count(co->rescue, index) > 0) {
            if (queue_first(co, index, err, errlen) < 0) {
                free(indices);
                return -1;
            }
        } else if (plan_return(co->plan, index) < 0) {
            free(indices);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    free(indices);
    return fill_all(co, err, errlen);
}

/* A TAG_HEALTH message from host leader src. */
static int on_health(struct coord *co, int src, const unsigned char *data, size_t len, char *err,
                     size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    struct probe pr;
    if (proto_probe_decode(data, len, &pr) < 0) {
        snprintf(err, errlen, "malformed health message from rank %d", src);
        return -1;
    }
    if (!co->in->watch || c->hosts[c->rank_host[src]].leader != src)
        return 0; /* not asked for, or not from the host's leader: ignore */
    return on_probe(co, c->rank_host[src], &pr, err, errlen);
}

/* --max-failures reached: every worker hands back the shards it has not
 * started (TAG_PAUSE asking for them); once no shard runs any more, those
 * never started are "not run". Returns 0, or -1 with err. */
static int wind_down(struct coord *co, char *err, size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    if (!co->stop_told) {
        for (int r = 1; r < c->nranks; r++) {
            if (liveness_is_lost(co->alive, r))
                continue;
            if (outbox_send_flag(co->ob, r, TAG_PAUSE, PAUSE_STOP, err, errlen) < 0)
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
        if (co->partial[i]) { /* it could not start where it ran: so it ends */
            record(co, co->partial[i]);
            co->partial[i] = NULL;
        }
        if (co->results[i])
            continue;
        struct shard_result *r = result_new_missing(i, STATUS_SKIPPED);
        if (!r || asprintf(&r->error, "not started: %ld shard%s had not passed (--%s)", limit,
                           limit == 1 ? "" : "s",
                           co->in->settings->fail_fast ? "fail-fast" : "max-failures") < 0) {
            result_free(r);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        co->results[i] = r;
        co->done++;
    }
    return 0;
}

/* Rank r has said nothing for the heartbeat timeout: it is lost. The shards
 * it held (and, in a static plan, those planned for it) go to the others;
 * nothing is sent to it any more, and what it says later is ignored.
 * Returns 0, or -1 with err. */
static int on_lost(struct coord *co, int r, char *err, size_t errlen)
{
    const struct cluster *c = co->in->cluster;
    long total = co->in->spec->total;
    int h = c->rank_host[r];
    char moved[256] = "";
    size_t used = 0;
    long nmoved = 0;
    for (long i = 0; i < total; i++) {
        if (co->owner[i] != r || co->results[i])
            continue;
        co->owner[i] = -1;
        co->moved[i]++;
        co->host_assigned[h]--;
        if (queue_first(co, i, err, errlen) < 0)
            return -1;
        if (used < sizeof moved - 16)
            used += (size_t)snprintf(moved + used, sizeof moved - used, "%s%ld", nmoved ? ", " : "",
                                     i + 1);
        nmoved++;
    }
    co->outstanding[r] = 0;
    for (long i; plan_is_static(co->plan) && (i = plan_next(co->plan, r)) >= 0;)
        if (queue_first(co, i, err, errlen) < 0)
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
    return fill_all(co, err, errlen);
}

/* Send every worker an empty message with tag: TAG_ABORT or TAG_STOP. */
static int tell_workers(struct coord *co, int tag, char *err, size_t errlen)
{
    for (int r = 1; r < co->in->cluster->nranks; r++) {
        if (liveness_is_lost(co->alive, r))
            continue; /* it would never take the message */
        if (outbox_send_flag(co->ob, r, tag, -1, err, errlen) < 0)
            return -1;
    }
    return 0;
}

/* Give up the sends rank r has not taken, and say so on stderr (every
 * result is in: what is lost is only what we had to say to r). Returns how
 * many were given up, or -1 with err. */
static int give_up_sends(struct coord *co, int r, char *err, size_t errlen)
{
    int n = outbox_abandon(co->ob, r, err, errlen);
    if (n <= 0)
        return n;
    const struct cluster *c = co->in->cluster;
    const char *host = c->hosts[c->rank_host[r]].name;
    if (liveness_is_lost(co->alive, r))
        fprintf(stderr, "distmpi: gave up %d message%s to lost rank %d (host %s)\n", n,
                n == 1 ? "" : "s", r, host);
    else
        fprintf(stderr,
                "distmpi: gave up %d message%s to rank %d (host %s): not taken within %g s\n", n,
                n == 1 ? "" : "s", r, host, DRAIN_TIMEOUT);
    return n;
}

/* The run is over: the sends to lost ranks are given up at once (a rank
 * that is stopped or cut off may never take them), the others get
 * DRAIN_TIMEOUT seconds. A rank that has not taken its messages by then is
 * given up too, and counted in *stuck: it may not have our STOP, so MPI
 * cannot be finalized with it and the job ends without it, as without a
 * lost rank. Never blocks in MPI. Returns 0, or -1 with err. */
static int last_sends(struct coord *co, int *stuck, char *err, size_t errlen)
{
    *stuck = 0;
    if (outbox_progress(co->ob, err, errlen) < 0)
        return -1;
    for (int r = 1; r < co->in->cluster->nranks; r++)
        if (liveness_is_lost(co->alive, r) && give_up_sends(co, r, err, errlen) < 0)
            return -1;
    if (outbox_drain(co->ob, time_mono() + DRAIN_TIMEOUT, err, errlen) < 0)
        return -1;
    for (int r; (r = outbox_pending_dest(co->ob)) >= 0;) {
        int n = give_up_sends(co, r, err, errlen);
        if (n < 0)
            return -1;
        *stuck += n > 0;
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

int coord_run(const struct coord_input *in, int *exit_status, int *lost, char *err, size_t errlen)
{
    *lost = 0;
    const struct cluster *c = in->cluster;
    const struct spec *sp = in->spec;
    struct coord co = {.in = in};
    int status = -1;
    int stuck = 0; /* ranks that did not take their last messages */
    co.plan = coord_make_plan(in);
    co.ob = outbox_create();
    co.runner = worker_runner_create(sp, in->me, coord_local_output, &co);
    int runner_err = errno;
    co.logs = logstore_create(in->settings->logs ? in->settings->logs : sp->run_dir, sp->total,
                              c->nranks, max_open_logs());
    co.streams = calloc((size_t)c->nranks, sizeof *co.streams);
    co.collected = calloc((size_t)sp->total, sizeof *co.collected);
    co.ncollected = calloc((size_t)sp->total, sizeof *co.ncollected);
    co.results = calloc((size_t)sp->total, sizeof *co.results);
    co.owner = malloc((size_t)sp->total * sizeof *co.owner);
    co.outstanding = calloc((size_t)c->nranks, sizeof *co.outstanding);
    co.host_done = calloc((size_t)c->nhosts, sizeof *co.host_done);
    co.host_assigned = calloc((size_t)c->nhosts, sizeof *co.host_assigned);
    co.alive = liveness_create(c->nranks, in->settings->heartbeat_timeout, time_mono());
    co.rescue = rescue_create(sp->total, c->nhosts);
    co.partial = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.partial);
    co.moved = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.moved);
    co.first_attempt = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.first_attempt);
    co.next_attempt = calloc((size_t)(sp->total > 0 ? sp->total : 1), sizeof *co.next_attempt);
    if (!co.runner) {
        snprintf(err, errlen, "cannot set up the shards' runner: %s", strerror(runner_err));
        goto out;
    }
    if (!co.plan || !co.ob || !co.logs || !co.streams || !co.collected || !co.ncollected ||
        !co.results || !co.owner || !co.outstanding || !co.host_done || !co.host_assigned ||
        !co.alive || !co.rescue || !co.moved || !co.first_attempt || !co.next_attempt ||
        !co.partial) {
        snprintf(err, errlen, "out of memory setting up the run");
        goto out;
    }
    for (long i = 0; i < sp->total; i++) {
        co.owner[i] = -1;
        co.next_attempt[i] = 1;
    }
    co.next_probe = in->watch ? time_mono() + sp->health_interval : INFINITY;

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
    coord_header(&co);
    carry_over(&co);
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25l"); /* no cursor blinking in the bars; coord_finish() restores it */
    for (int r = 1; r < c->nranks; r++)
        if (fill(&co, r, err, errlen) < 0)
            goto out;

    struct waiter w;
    waiter_reset(&w);
    int sig = 0;
    double last_look = time_mono();
    while (co.done < sp->total && !(sig = signals_caught())) {
        bool active = false;
        /* after rank 0's own stall, what the others said in the meantime
         * may take a moment to show: the stall is not their silence */
        double now = time_mono();
        if (now - last_look > STALL_GAP)
            liveness_excuse(co.alive, last_look, now);
        last_look = now;
        int src, tag, got;
        unsigned char *data;
        size_t len;
        while ((got = msg_poll(&src, &tag, &data, &len, err, errlen)) == 1) {
            int hrc = 0;
            liveness_heard(co.alive, src, time_mono());
            if (liveness_is_lost(co.alive, src) || tag == TAG_HEARTBEAT)
                ; /* a lost rank is not listened to any more; a heartbeat says only that */
            else if (tag == TAG_RESULT)
                hrc = on_result(&co, src, data, len, err, errlen);
            else if (tag == TAG_HEALTH)
                hrc = on_health(&co, src, data, len, err, errlen);
            else if (tag == TAG_RETURN)
                hrc = on_return(&co, src, data, len, err, errlen);
            else if (tag == TAG_LOG)
                hrc = on_log(&co, src, data, len, err, errlen);
            else if (tag == TAG_COLLECT)
                hrc = on_collect(&co, src, data, len, err, errlen);
            else
                fprintf(stderr, "distmpi: ignoring a message with tag %d from rank %d\n", tag, src);
            free(data);
            if (hrc < 0)
                goto out;
            active = true;
        }
        if (got < 0)
            goto out;
        /* judged only just after a look: rank 0 may have been stopped
         * since, and the next look excuses that */
        for (int r; time_mono() - last_look <= STALL_GAP &&
                    (r = liveness_next_lost(co.alive, time_mono())) >= 0;)
            if (on_lost(&co, r, err, errlen) < 0)
                goto out;
        if (co.stopping && wind_down(&co, err, errlen) < 0)
            goto out;
        if (co.redraw) {
            if (co.mode == PROGRESS_BARS)
                coord_draw(&co);
            fflush(stdout);
            co.redraw = false;
        }
        if (fill_self(&co) < 0) {
            snprintf(err, errlen, "cannot start a shard on rank 0: %s", strerror(errno));
            goto out;
        }
        struct shard_result *res = runner_step(co.runner);
        if (res) {
            struct local_collect lc = {&co, res->index};
            if (worker_collect(sp, in->me, co.runner, res, coord_local_collected, &lc) < 0 ||
                co.collect_failed) {
                result_free(res);
                snprintf(err, errlen, "out of memory collecting a shard's files");
                goto out;
            }
            if (settle(&co, res, err, errlen) < 0)
                goto out;
            active = true;
            continue; /* take the next shard at once */
        }
        if (time_mono() >= co.next_probe) { /* rank 0 leads its own host */
            struct probe pr;
            hostinfo_probe(in->me, &pr);
            if (on_probe(&co, c->rank_host[0], &pr, err, errlen) < 0)
                goto out;
            co.next_probe = time_mono() + sp->health_interval;
        }
        coord_tick(&co);
        if (outbox_progress(co.ob, err, errlen) < 0)
            goto out;
        if (active) {
            waiter_reset(&w);
        } else {
            double deadline = runner_deadline(co.runner);
            if (co.next_probe < deadline)
                deadline = co.next_probe;
            if (co.mode != PROGRESS_NONE && co.next_draw < deadline)
                deadline = co.next_draw;
            double silent = liveness_deadline(co.alive) + 0.01; /* just past the timeout */
            if (silent < deadline)
                deadline = silent;
            waiter_wait(&w, runner_fd(co.runner), deadline);
        }
    }
    if (sig) {
        /* every rank ends its shard now; the workers then wait for our STOP,
         * so that none leaves (and makes mpirun end the job) before the
         * summary and the reports are written */
        if (tell_workers(&co, TAG_ABORT, err, errlen) < 0)
            goto out;
        runner_cancel(co.runner);
        for (long i = 0; i < sp->total; i++) {
            if (co.partial[i]) { /* the attempts it made on hosts where it could not start */
                co.results[i] = co.partial[i];
                co.results[i]->status = STATUS_INTERRUPTED;
                co.partial[i] = NULL;
            }
            if (!co.results[i] && !(co.results[i] = result_new_missing(i, STATUS_INTERRUPTED))) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            /* it was interrupted where it had been given: its host is known */
            if (co.results[i]->status == STATUS_INTERRUPTED && co.owner[i] >= 0) {
                co.results[i]->rank = co.owner[i];
                co.results[i]->slot = c->rank_slot ? c->rank_slot[co.owner[i]] : -1;
            }
        }
        fprintf(stderr, "distmpi: stopped by signal %d; %ld of %ld shards had finished\n", sig,
                co.done, sp->total);
    }
    status = coord_finish(&co, sig, exit_status, err, errlen);
    if (status == 0 &&
        (tell_workers(&co, TAG_STOP, err, errlen) < 0 || last_sends(&co, &stuck, err, errlen) < 0))
        status = -1;
out:
    if (co.mode == PROGRESS_BARS)
        printf("\033[?25h"); /* the cursor back, whatever happened */
    fflush(stdout);
    free(co.host_done);
    free(co.host_assigned);
    if (co.results)
        for (long i = 0; i < sp->total; i++)
            result_free(co.results[i]);
    free(co.results);
    free(co.owner);
    free(co.outstanding);
    runner_destroy(co.runner);
    logstore_destroy(co.logs);
    if (co.alive)
        *lost = liveness_lost_count(co.alive) + stuck;
    liveness_destroy(co.alive);
    rescue_destroy(co.rescue);
    if (co.partial)
        for (long i = 0; i < sp->total; i++)
            result_free(co.partial[i]);
    free(co.partial);
    free(co.moved);
    free(co.first_attempt);
    free(co.next_attempt);
    free(co.streams);
    coord_free_collected(&co, sp->total);
    outbox_destroy(co.ob);
    plan_destroy(co.plan);
    return status;
}
