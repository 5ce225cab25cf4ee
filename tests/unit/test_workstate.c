/* SPDX-License-Identifier: BSD-3-Clause */
/* test_workstate.c - unit tests of a worker's state under rank 0's control
 * messages (workstate.h), driven by message sequences the way the worker
 * loop takes them: a batch of messages, then a turn that may start the next
 * queued shard. */
#include "config.h"

#include "worker/workstate.h"

#include "mpi/proto.h"
#include "unit.h"

/* A worker without MPI: how many shards it holds, gave back and started. */
struct sim {
    struct workstate ws;
    int queued, given_back, started, dropped;
};

static void sim_init(struct sim *w)
{
    *w = (struct sim){.queued = 0};
    workstate_init(&w->ws);
}

/* Take one message as worker.c does: queue, drop, give back. */
static int sim_take(struct sim *w, int tag, int flag)
{
    int what = workstate_take(&w->ws, tag, flag);
    if (what & WS_MALFORMED)
        return what;
    if (what & WS_QUEUE)
        w->queued++;
    if (what & WS_DROP)
        w->dropped++;
    if (what & WS_GIVE_BACK) {
        w->given_back += w->queued;
        w->queued = 0;
    }
    return what;
}

/* After a batch: the worker starts its next queued shard when it may
 * (its slot is taken to be free). */
static void sim_turn(struct sim *w)
{
    if (workstate_may_start(&w->ws) && w->queued > 0) {
        w->queued--;
        w->started++;
    }
}

static void assign(struct sim *w, int n)
{
    for (int i = 0; i < n; i++)
        sim_take(w, TAG_ASSIGN, -1);
}

START_TEST(assignments_start_one_per_turn)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    ck_assert_int_eq(w.queued, 2);
    sim_turn(&w);
    sim_turn(&w);
    sim_turn(&w);
    ck_assert_int_eq(w.started, 2);
    ck_assert_int_eq(w.queued, 0);
}
END_TEST

/* The race: rank 0 asks for the queued shards back (host unhealthy) and the
 * host recovers before the worker looks: PAUSE and RESUME in one batch. The
 * shards were asked for: they go back, and none starts here. */
START_TEST(pause_and_resume_in_one_batch_still_give_back)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    sim_take(&w, TAG_PAUSE, PAUSE_GIVE_BACK);
    sim_take(&w, TAG_RESUME, -1);
    sim_turn(&w);
    ck_assert_int_eq(w.given_back, 2);
    ck_assert_int_eq(w.started, 0);
    ck_assert_int_eq(w.queued, 0);
    /* resumed: what comes next runs */
    assign(&w, 1);
    sim_turn(&w);
    ck_assert_int_eq(w.started, 1);
}
END_TEST

START_TEST(pause_then_resume_in_two_batches)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 1);
    sim_take(&w, TAG_PAUSE, PAUSE_GIVE_BACK);
    sim_turn(&w);
    ck_assert_int_eq(w.given_back, 1);
    assign(&w, 1); /* a static plan's shard, or one sent before the PAUSE: it waits */
    sim_turn(&w);
    ck_assert_int_eq(w.started, 0);
    sim_take(&w, TAG_RESUME, -1);
    sim_turn(&w);
    ck_assert_int_eq(w.started, 1);
}
END_TEST

/* A static plan keeps the shards where it put them: they wait for RESUME. */
START_TEST(pause_keep_waits_for_resume)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    sim_take(&w, TAG_PAUSE, PAUSE_KEEP);
    sim_turn(&w);
    ck_assert_int_eq(w.given_back, 0);
    ck_assert_int_eq(w.started, 0);
    sim_take(&w, TAG_RESUME, -1);
    sim_turn(&w);
    ck_assert_int_eq(w.started, 1);
    ck_assert_int_eq(w.queued, 1);
    /* a later PAUSE asking for them back gets the one left */
    sim_take(&w, TAG_PAUSE, PAUSE_GIVE_BACK);
    ck_assert_int_eq(w.given_back, 1);
}
END_TEST

/* --max-failures: rank 0 stops the run. A RESUME behind the stop (in the
 * same batch or later) starts nothing again. */
START_TEST(resume_after_stop_starts_nothing)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    sim_take(&w, TAG_PAUSE, PAUSE_STOP);
    sim_take(&w, TAG_RESUME, -1);
    sim_turn(&w);
    ck_assert_int_eq(w.given_back, 2);
    ck_assert_int_eq(w.started, 0);
    sim_take(&w, TAG_RESUME, -1);
    sim_turn(&w);
    ck_assert(!workstate_may_start(&w.ws));
    /* an assignment that crossed the stop goes straight back */
    assign(&w, 1);
    ck_assert_int_eq(w.given_back, 3);
    ck_assert_int_eq(w.queued, 0);
    /* nor does a health PAUSE/RESUME pair undo the stop */
    sim_take(&w, TAG_PAUSE, PAUSE_KEEP);
    sim_take(&w, TAG_RESUME, -1);
    ck_assert(!workstate_may_start(&w.ws));
    sim_take(&w, TAG_STOP, -1);
    ck_assert(w.ws.stopped);
    ck_assert_int_eq(w.started, 0);
}
END_TEST

/* The stop overtakes an earlier health PAUSE that kept the shards. */
START_TEST(stop_after_pause_keep_gives_back)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    sim_take(&w, TAG_PAUSE, PAUSE_KEEP);
    sim_turn(&w);
    sim_take(&w, TAG_PAUSE, PAUSE_STOP);
    sim_turn(&w);
    ck_assert_int_eq(w.given_back, 2);
    ck_assert_int_eq(w.started, 0);
}
END_TEST

/* Work stealing: PAUSE_SHARE gives the queued shards back and pauses
 * nothing; nor does it undo a health PAUSE or a stop. */
START_TEST(share_gives_back_without_pausing)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    sim_turn(&w); /* one runs, one waits behind it */
    ck_assert_int_eq(sim_take(&w, TAG_PAUSE, PAUSE_SHARE), WS_GIVE_BACK);
    ck_assert_int_eq(w.given_back, 1);
    ck_assert(workstate_may_start(&w.ws));
    assign(&w, 1); /* later hand-outs start as ever */
    sim_turn(&w);
    ck_assert_int_eq(w.started, 2);
    sim_take(&w, TAG_PAUSE, PAUSE_KEEP);
    sim_take(&w, TAG_PAUSE, PAUSE_SHARE);
    ck_assert(!workstate_may_start(&w.ws));
    sim_take(&w, TAG_PAUSE, PAUSE_STOP);
    sim_take(&w, TAG_PAUSE, PAUSE_SHARE);
    sim_take(&w, TAG_RESUME, -1);
    ck_assert(!workstate_may_start(&w.ws));
}
END_TEST

START_TEST(abort_drops_what_crosses_it)
{
    struct sim w;
    sim_init(&w);
    sim_take(&w, TAG_ABORT, -1);
    ck_assert(w.ws.aborting);
    assign(&w, 1);
    ck_assert_int_eq(w.dropped, 1);
    ck_assert_int_eq(w.queued, 0);
    sim_take(&w, TAG_RESUME, -1);
    ck_assert(!workstate_may_start(&w.ws));
    ck_assert(!w.ws.stopped);
    sim_take(&w, TAG_STOP, -1);
    ck_assert(w.ws.stopped);
}
END_TEST

START_TEST(stop_finishes_the_queue)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 1);
    sim_take(&w, TAG_STOP, -1);
    ck_assert(w.ws.stopped);
    sim_turn(&w);
    ck_assert_int_eq(w.started, 1);
}
END_TEST

START_TEST(malformed_messages)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 1);
    ck_assert_int_eq(sim_take(&w, TAG_PAUSE, -1), WS_MALFORMED); /* no byte */
    ck_assert_int_eq(sim_take(&w, TAG_PAUSE, 4), WS_MALFORMED);
    ck_assert_int_eq(sim_take(&w, TAG_PAUSE, 255), WS_MALFORMED);
    ck_assert_int_eq(sim_take(&w, TAG_RESULT, -1), WS_MALFORMED); /* a worker's tag */
    ck_assert_int_eq(sim_take(&w, TAG_HEARTBEAT, -1), WS_MALFORMED);
    ck_assert_int_eq(sim_take(&w, 999, -1), WS_MALFORMED);
    /* none of them changed anything */
    ck_assert(workstate_may_start(&w.ws));
    ck_assert_int_eq(w.queued, 1);
    ck_assert_int_eq(w.given_back, 0);
}
END_TEST

/* --speculate: a CANCEL ends one copy, whatever the pause; nothing once
 * the run was aborted (the abort ended it); a CANCEL whose payload is not
 * one is an error. It changes nothing else. */
START_TEST(cancel_ends_a_copy)
{
    struct sim w;
    sim_init(&w);
    assign(&w, 2);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, 0), WS_CANCEL);
    ck_assert_int_eq(w.queued, 2);
    ck_assert(workstate_may_start(&w.ws));
    sim_take(&w, TAG_PAUSE, PAUSE_KEEP);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, 0), WS_CANCEL); /* a queued copy goes back */
    ck_assert(!workstate_may_start(&w.ws));                   /* still paused */
    sim_take(&w, TAG_PAUSE, PAUSE_STOP);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, 0), WS_CANCEL);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, -1), WS_MALFORMED);
    sim_take(&w, TAG_ABORT, -1);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, 0), 0);
    ck_assert_int_eq(sim_take(&w, TAG_CANCEL, -1), WS_MALFORMED);
}
END_TEST

/* Random sequences against what rank 0 means: a shard starts only while the
 * last PAUSE (if any) was followed by a RESUME, never after a stop or an
 * abort, and the shards queued when a PAUSE asked for them go back. */
START_TEST(random_sequences)
{
    unsigned long long seed = 0x5eedULL;
    for (int run = 0; run < 2000; run++) {
        struct sim w;
        sim_init(&w);
        bool paused = false, stop = false, abort = false;
        int nmsg = (int)unit_rand_range(&seed, 1, 30);
        for (int m = 0; m < nmsg; m++) {
            long k = unit_rand_range(&seed, 0, 9);
            int queued = w.queued, back = w.given_back, started = w.started;
            if (k < 4) {
                sim_take(&w, TAG_ASSIGN, -1);
                if (abort)
                    unit_require(w.dropped > 0 && w.queued == queued, "run %d: kept after ABORT",
                                 run);
                else if (stop)
                    unit_require(w.given_back == back + queued + 1, "run %d: kept after stop", run);
            } else if (k < 7) {
                int flag =
                    (int)unit_rand_range(&seed, PAUSE_KEEP, k == 6 ? PAUSE_STOP : PAUSE_GIVE_BACK);
                if (k == 4 && unit_rand_range(&seed, 0, 1)) /* work stealing */
                    flag = PAUSE_SHARE;
                sim_take(&w, TAG_PAUSE, flag);
                paused = paused || flag != PAUSE_SHARE;
                stop = stop || flag == PAUSE_STOP;
                if (flag != PAUSE_KEEP)
                    unit_require(w.queued == 0 && w.given_back == back + queued,
                                 "run %d: PAUSE %d did not give back", run, flag);
            } else if (k < 9) {
                sim_take(&w, TAG_RESUME, -1);
                paused = paused && stop;
            } else if (unit_rand_range(&seed, 0, 3) == 0) {
                sim_take(&w, TAG_ABORT, -1);
                abort = true;
            } else {
                /* a CANCEL changes nothing of what may start */
                int what = sim_take(&w, TAG_CANCEL, 0);
                unit_require(what == (abort ? 0 : WS_CANCEL), "run %d: CANCEL gave %d", run, what);
            }
            if (unit_rand_range(&seed, 0, 2) == 0) { /* the batch ends */
                queued = w.queued;
                sim_turn(&w);
                bool may = !paused && !stop && !abort;
                unit_require(w.started == started + (may && queued > 0 ? 1 : 0),
                             "run %d, message %d: started %d, want %d", run, m, w.started - started,
                             may && queued > 0);
            }
        }
    }
}
END_TEST

static Suite *workstate_suite(void)
{
    Suite *s = suite_create("workstate");
    TCase *tc = tcase_create("workstate");
    tcase_add_test(tc, assignments_start_one_per_turn);
    tcase_add_test(tc, pause_and_resume_in_one_batch_still_give_back);
    tcase_add_test(tc, pause_then_resume_in_two_batches);
    tcase_add_test(tc, pause_keep_waits_for_resume);
    tcase_add_test(tc, resume_after_stop_starts_nothing);
    tcase_add_test(tc, stop_after_pause_keep_gives_back);
    tcase_add_test(tc, share_gives_back_without_pausing);
    tcase_add_test(tc, abort_drops_what_crosses_it);
    tcase_add_test(tc, stop_finishes_the_queue);
    tcase_add_test(tc, malformed_messages);
    tcase_add_test(tc, cancel_ends_a_copy);
    tcase_add_test(tc, random_sequences);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(workstate_suite());
}
