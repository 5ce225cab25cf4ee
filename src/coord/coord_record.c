/* SPDX-License-Identifier: BSD-3-Clause */
/* coord_record.c - what rank 0 does with each result it settles: into the
 * journal at once, and onto the screen (the counts of the bars, a line in
 * lines mode) only once an fsync of the journal covers it. The fsyncs come
 * a batch at a time, JOURNAL_SYNC_EVERY seconds after the first result
 * that waits for one, instead of one per result. */
#include "config.h"

#include "coord/coord_private.h"

#include <math.h>
#include <stdlib.h>

#include "report/summary.h"

/* Append res to this run's journal; a journal that cannot be written is
 * said once and makes the exit status 3. */
static void journal_write(struct coord *co, const struct shard_result *res, const char *host,
                          const char *log)
{
    struct error why;
    if (!co->in->journal_out || co->journal_failed)
        return;
    if (journal_append(co->in->journal_out, res, host, log, &why) < 0) {
        co->journal_failed = true;
        coord_say(co, "distmpi: %s; results are no longer recorded there\n", why.text);
    }
}

/* Shard index's result is in the journal, durably: count it on the
 * screen, and give it a line in lines mode. */
static void show(struct coord *co, long index)
{
    const struct shard_result *res = co->shards[index].result;
    co->shown++;
    if (status_is_pass(res->status))
        co->passed++;
    else
        co->failed++;
    if (res->carried) /* from an earlier run: counted, not shown one by one */
        return;
    const struct cluster *c = co->in->cluster;
    int h = c->rank_host[res->rank];
    co->host_done[h]++;
    if (co->mode == PROGRESS_LINES) {
        char line[1024];
        summary_result_line(line, sizeof line, res, co->shown, co->in->spec->total,
                            c->hosts[h].name);
        coord_say(co, "%s\n", line);
    } else if (co->mode == PROGRESS_BARS && co->shown == co->in->spec->total) {
        coord_draw(co); /* the last state stays on the screen */
    }
}

void coord_sync(struct coord *co)
{
    if (co->nunshown == 0)
        return;
    struct error why;
    if (co->in->journal_out && !co->journal_failed && journal_sync(co->in->journal_out, &why) < 0) {
        co->journal_failed = true;
        coord_say(co, "distmpi: %s; results are no longer recorded there\n", why.text);
    }
    for (long k = 0; k < co->nunshown; k++)
        show(co, co->unshown[k]);
    co->nunshown = 0;
    if (co->loop)
        loop_timer_set(co->loop, co->sync_timer, INFINITY);
}

/* Res waits for the journal's next fsync to be shown: that comes
 * JOURNAL_SYNC_EVERY seconds after the first result that waits. */
static void wait_for_sync(struct coord *co, const struct shard_result *res)
{
    if (co->nunshown == co->unshown_cap) {
        long cap = co->unshown_cap ? 2 * co->unshown_cap : 64;
        long *unshown = realloc(co->unshown, (size_t)cap * sizeof *unshown);
        if (!unshown)
            coord_sync(co); /* then it needs no room */
        else {
            co->unshown = unshown;
            co->unshown_cap = cap;
        }
    }
    co->unshown[co->nunshown++] = res->index;
    if (!co->in->journal_out || co->journal_failed)
        coord_sync(co); /* nothing to wait for */
    else if (isinf(loop_timer_due(co->loop, co->sync_timer)))
        loop_timer_set(co->loop, co->sync_timer, loop_now(co->loop) + JOURNAL_SYNC_EVERY);
}

void coord_record(struct coord *co, struct shard_result *res)
{
    const struct cluster *c = co->in->cluster;
    /* the log is where rank 0 stored it, whoever ran the shard: its path
     * goes into the journal now, into the reports at the end (made again
     * then, not kept meanwhile) */
    free(res->log);
    res->log = NULL;
    int last = result_last_number(res);
    char *log = last > 0 ? logstore_path(co->logs, res->index, last) : NULL;
    /* in the journal first: whatever happens next, this result is not lost */
    journal_write(co, res, c->hosts[c->rank_host[res->rank]].name, log);
    co->shards[res->index].log_named = log != NULL;
    free(log);
    co->shards[res->index].result = res;
    co->done++;
    /* the time it held its slot(s) teaches the ETA a mean while no
     * prediction is known */
    bool ran = res->nattempts > 0 && res->rank >= 0 && res->rank < c->nranks;
    eta_done(co->eta, res->index, ran ? result_elapsed(res) : NAN,
             ran ? coord_host_speed(co, c->rank_host[res->rank]) : 1);
    wait_for_sync(co, res);
    if (status_is_pass(res->status))
        return;
    co->failed_now++;
    const struct settings *s = co->in->settings;
    long max = s->fail_fast ? 1 : s->max_failures;
    if (max > 0 && co->failed_now >= max && !co->stopping) {
        co->stopping = true;
        coord_sync(co); /* the results that stop the run, on the screen first */
        coord_say(co, "distmpi: %ld shard%s did not pass (%s): no more shards are started\n",
                  co->failed_now, co->failed_now == 1 ? "" : "s",
                  s->fail_fast ? "--fail-fast" : "--max-failures");
    }
}

void coord_carry_over(struct coord *co)
{
    const struct coord_input *in = co->in;
    long kept = 0;
    for (long i = 0; i < in->spec->total; i++) {
        if (!coord_keeps(in, i))
            continue;
        struct shard_result *r = in->journal->results[i];
        in->journal->results[i] = NULL;
        journal_write(co, r, r->host, r->log);
        co->shards[i].result = r;
        co->done++;
        eta_done(co->eta, i, NAN, 1); /* not this run's time */
        wait_for_sync(co, r);
        kept++;
    }
    coord_sync(co);
    if (in->journal)
        printf("distmpi: %s: %ld shard%s settled there %s not run again; %ld to run\n",
               in->settings->resume ? in->settings->resume : in->settings->rerun_failed, kept,
               kept == 1 ? "" : "s", kept == 1 ? "is" : "are", in->spec->total - kept);
}
