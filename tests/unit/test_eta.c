/* SPDX-License-Identifier: BSD-3-Clause */
/* test_eta.c - the predicted time left: hand-computed cases, and random
 * runs against a plain recomputation of the formula from scratch. */
#include "config.h"

#include "sched/eta.h"

#include <math.h>

#include "unit.h"

#define EPS 1e-9

static const double one_slot[] = {1}, two_slots[] = {1, 1}, three_slots[] = {1, 1, 1};

static void assert_near(double got, double want)
{
    ck_assert_msg(fabs(got - want) < EPS, "got %.12g, want %.12g", got, want);
}

START_TEST(no_history_no_estimate_until_a_shard_ends)
{
    struct eta *e = eta_create(NULL, 4);
    ck_assert_ptr_nonnull(e);
    ck_assert(isnan(eta_left(e, NULL, 0, two_slots, 2)));
    /* running and still nothing to go by */
    struct eta_running run[] = {{0, 5, 1}, {1, 5, 1}};
    ck_assert(isnan(eta_left(e, run, 2, two_slots, 2)));
    /* shard 0 took 10 s: the 3 left count 10 s each; shard 1 has run 4 */
    eta_done(e, 0, 10, 1);
    struct eta_running one[] = {{1, 4, 1}};
    /* W = 3 x 10 - 4 = 26 over 2 slots = 13; shard 1 has 6 left; 10 waits */
    assert_near(eta_left(e, one, 1, two_slots, 2), 13);
    /* the mean moves: (10 + 20) / 2 = 15 for each of the two left */
    eta_done(e, 1, 20, 1);
    assert_near(eta_left(e, NULL, 0, two_slots, 2), 15);
    eta_destroy(e);
}
END_TEST

START_TEST(all_unknown_is_no_history)
{
    double p[] = {NAN, NAN, -1, INFINITY};
    struct eta *e = eta_create(p, 4);
    ck_assert(isnan(eta_left(e, NULL, 0, one_slot, 1)));
    /* a carried result teaches nothing */
    eta_done(e, 3, NAN, 1);
    ck_assert(isnan(eta_left(e, NULL, 0, one_slot, 1)));
    /* 6 s on a host twice as fast: 12 s on a host of speed 1, for each of
     * the 2 left */
    eta_done(e, 2, 6, 2);
    assert_near(eta_left(e, NULL, 0, one_slot, 1), 24);
    assert_near(eta_left(e, NULL, 0, two_slots, 2), 12);
    eta_destroy(e);
}
END_TEST

START_TEST(known_predictions)
{
    double p[] = {10, 4, 6, 2};
    struct eta *e = eta_create(p, 4);
    /* nothing runs: W = 22 over 2 slots = 11 > the longest, 10 */
    assert_near(eta_left(e, NULL, 0, two_slots, 2), 11);
    /* shard 0 has run 3 s: W = 19 -> 9.5; its rest 7; 6 waits */
    struct eta_running run[] = {{0, 3, 1}};
    assert_near(eta_left(e, run, 1, two_slots, 2), 9.5);
    /* on one slot: all of W */
    assert_near(eta_left(e, run, 1, one_slot, 1), 19);
    /* 0 and 2 done, 1 ran 1 s: W = 4 - 1 + 2 = 5 over 2 = 2.5, but 1 has 3 left */
    eta_done(e, 0, 10, 1);
    eta_done(e, 2, 6, 1);
    struct eta_running r1[] = {{1, 1, 1}};
    assert_near(eta_left(e, r1, 1, two_slots, 2), 3);
    eta_done(e, 1, 4, 1);
    eta_done(e, 3, 2, 1);
    assert_near(eta_left(e, NULL, 0, two_slots, 2), 0);
    eta_destroy(e);
}
END_TEST

START_TEST(running_over_their_prediction)
{
    double p[] = {2, 3};
    struct eta *e = eta_create(p, 2);
    /* 0 is 3 s over: it counts as ending now; 1 has 2 s left */
    struct eta_running run[] = {{0, 5, 1}, {1, 1, 1}};
    assert_near(eta_left(e, run, 2, two_slots, 2), 2);
    /* both over: 0, not a negative time */
    struct eta_running over[] = {{0, 5, 1}, {1, 4, 1}};
    assert_near(eta_left(e, over, 2, two_slots, 2), 0);
    /* one over, another waiting: the waiting one's whole prediction */
    double q[] = {2, 3, 4};
    struct eta *f = eta_create(q, 3);
    struct eta_running late[] = {{0, 9, 1}};
    /* W = 3 + 4 (0 did all of its 2) over 1 slot */
    assert_near(eta_left(f, late, 1, one_slot, 1), 7);
    eta_destroy(f);
    eta_destroy(e);
}
END_TEST

START_TEST(unknown_shards_count_as_the_median)
{
    /* known 8, 4, 2: median 4 */
    double p[] = {NAN, 8, 2, 4};
    struct eta *e = eta_create(p, 4);
    /* W = 4 + 14 = 18 over 3 = 6, the longest is 8 */
    assert_near(eta_left(e, NULL, 0, three_slots, 3), 8);
    assert_near(eta_left(e, NULL, 0, one_slot, 1), 18);
    /* known 8, 6, 4, 2: median 5; W = 5 + 20 = 25 over 2 */
    double q[] = {NAN, 8, 2, 4, 6};
    struct eta *f = eta_create(q, 5);
    assert_near(eta_left(f, NULL, 0, two_slots, 2), 12.5);
    /* the unknown one running 1 s: W = 24 over 2; its rest 4 */
    struct eta_running run[] = {{0, 1, 1}};
    assert_near(eta_left(f, run, 1, two_slots, 2), 12);
    /* what finishes does not move the median */
    eta_done(f, 1, 100, 1);
    eta_done(f, 2, 100, 1);
    eta_done(f, 3, 100, 1);
    eta_done(f, 4, 100, 1);
    assert_near(eta_left(f, NULL, 0, two_slots, 2), 5);
    eta_destroy(f);
    eta_destroy(e);
}
END_TEST

START_TEST(a_long_shard_waiting_is_not_spread_over_the_slots)
{
    double p[] = {1, 1, 100};
    struct eta *e = eta_create(p, 3);
    /* W = 101.0 over 2 = 50.5, but shard 3 alone takes 100 */
    struct eta_running run[] = {{0, 0.5, 1}, {1, 0.5, 1}};
    assert_near(eta_left(e, run, 2, two_slots, 2), 100);
    /* on the fastest slot, 4 times as fast: 25; W = 101 over 5 = 20.2 */
    double fast[] = {1, 4};
    assert_near(eta_left(e, run, 2, fast, 2), 25);
    eta_destroy(e);
}
END_TEST

START_TEST(host_speeds)
{
    double p[] = {12, 12};
    struct eta *e = eta_create(p, 2);
    /* 0 runs on a host of speed 2 for 1 s: 12 / 2 - 1 = 5 left there, and
     * 2 s of speed-1 work done; W = 22 over the slots' 2 + 1 = 3 */
    struct eta_running run[] = {{0, 1, 2}};
    double slots[] = {2, 1};
    assert_near(eta_left(e, run, 1, slots, 2), 22.0 / 3);
    /* 0 on a slow host (0.5): 24 - 1 = 23 left there, while W = 23.5 over
     * 4.5 and 1 on the fast slot takes 3 */
    struct eta_running slow[] = {{0, 1, 0.5}};
    double slow_slots[] = {0.5, 4};
    assert_near(eta_left(e, slow, 1, slow_slots, 2), 23);
    /* a speed that is not a speed counts as 1: W = 23 over 2, but 1 waits
     * whole */
    struct eta_running odd[] = {{0, 1, 0}};
    double odd_slots[] = {NAN, -1};
    assert_near(eta_left(e, odd, 1, odd_slots, 2), 12);
    eta_destroy(e);
}
END_TEST

START_TEST(no_slot_may_take_the_waiting_shards)
{
    double p[] = {5, 7};
    struct eta *e = eta_create(p, 2);
    /* 1 waits and no slot may take it: no estimate */
    struct eta_running run[] = {{0, 1, 1}};
    ck_assert(isnan(eta_left(e, run, 1, NULL, 0)));
    /* only the running one is left: its rest */
    eta_done(e, 1, 7, 1);
    assert_near(eta_left(e, run, 1, NULL, 0), 4);
    eta_destroy(e);
}
END_TEST

START_TEST(odd_input_is_ignored)
{
    double p[] = {3, 3};
    struct eta *e = eta_create(p, 2);
    eta_done(e, -1, 1, 1);
    eta_done(e, 2, 1, 1);
    eta_done(e, 0, 3, 1);
    eta_done(e, 0, 3, 1); /* twice: once */
    /* running entries done, out of range or repeated */
    struct eta_running run[] = {{0, 1, 1}, {7, 1, 1}, {-2, 1, 1}, {1, 1, 1}, {1, 2, 1}};
    assert_near(eta_left(e, run, 5, one_slot, 1), 2);
    /* the marks are gone: without it running, 1 waits whole */
    assert_near(eta_left(e, NULL, 0, one_slot, 1), 3);
    ck_assert_ptr_null(eta_create(p, -1));
    struct eta *none = eta_create(NULL, 0);
    assert_near(eta_left(none, NULL, 0, NULL, 0), 0);
    eta_destroy(none);
    eta_destroy(NULL);
    eta_destroy(e);
}
END_TEST

/* The formula from eta.h, recomputed from scratch. */
static double oracle(const double *p, long n, const int *done, const struct eta_running *run,
                     int nrun, const double *slots, int nslots, double learned, long nlearned)
{
    double known[n > 0 ? n : 1];
    long nk = 0;
    for (long i = 0; i < n; i++)
        if (!isnan(p[i]))
            known[nk++] = p[i];
    for (long a = 0; a < nk; a++) /* sorted ascending, by hand */
        for (long b = a + 1; b < nk; b++)
            if (known[b] < known[a]) {
                double t = known[a];
                known[a] = known[b];
                known[b] = t;
            }
    double fill = nk ? (nk % 2 ? known[nk / 2] : (known[nk / 2 - 1] + known[nk / 2]) / 2)
                     : (nlearned ? learned / (double)nlearned : NAN);
    long left = 0;
    for (long i = 0; i < n; i++)
        left += !done[i];
    if (!left)
        return 0;
    int running[n > 0 ? n : 1];
    memset(running, 0, sizeof running);
    double work = 0, longest_run = 0, longest_wait = 0, fastest = 0, capacity = 0;
    int waiting = 0;
    for (int k = 0; k < nrun; k++)
        running[run[k].index] = k + 1;
    for (long i = 0; i < n; i++) {
        if (done[i])
            continue;
        double pi = isnan(p[i]) ? fill : p[i];
        if (isnan(pi))
            return NAN;
        if (running[i]) {
            const struct eta_running *r = &run[running[i] - 1];
            work += fmax(pi - r->elapsed * r->speed, 0);
            longest_run = fmax(longest_run, pi / r->speed - r->elapsed);
        } else {
            work += pi;
            longest_wait = fmax(longest_wait, pi);
            waiting = 1;
        }
    }
    for (int k = 0; k < nslots; k++) {
        capacity += slots[k];
        fastest = fmax(fastest, slots[k]);
    }
    double t = longest_run;
    if (waiting) {
        if (capacity <= 0)
            return NAN;
        t = fmax(t, fmax(work / capacity, longest_wait / fastest));
    }
    return fmax(t, 0);
}

/* Random runs: shards end in random order, others run for random times on
 * random hosts, some unknown; after every step eta_left agrees with the
 * oracle. */
START_TEST(random_runs_agree_with_the_oracle)
{
    srand(13);
    for (int trial = 0; trial < 300; trial++) {
        long n = 1 + rand() % 40;
        double p[40];
        int done[40] = {0};
        int unknown_share = rand() % 4; /* 0: all known ... 3: most unknown */
        for (long i = 0; i < n; i++)
            p[i] = rand() % 4 < unknown_share ? NAN : (double)(rand() % 1000) / 10;
        struct eta *e = eta_create(p, n);
        ck_assert_ptr_nonnull(e);
        double learned = 0;
        long nlearned = 0;
        for (long step = 0; step <= n; step++) {
            int nslots = 1 + rand() % 4;
            double slots[4];
            for (int k = 0; k < nslots; k++)
                slots[k] = 0.5 + (double)(rand() % 4) / 2;
            struct eta_running run[4];
            int nrun = 0;
            for (int tries = 0; tries < 8 && nrun < nslots; tries++) {
                long i = rand() % n;
                int dup = 0;
                for (int k = 0; k < nrun; k++)
                    dup |= run[k].index == i;
                if (done[i] || dup)
                    continue;
                run[nrun] = (struct eta_running){i, (double)(rand() % 200) / 10, slots[nrun]};
                nrun++;
            }
            double got = eta_left(e, run, nrun, slots, nslots);
            double want = oracle(p, n, done, run, nrun, slots, nslots, learned, nlearned);
            unit_require(isnan(got) == isnan(want) && (isnan(got) || fabs(got - want) < 1e-6),
                         "trial %d step %ld: got %g, want %g", trial, step, got, want);
            if (step < n) { /* one more shard ends */
                long i = rand() % n;
                while (done[i])
                    i = (i + 1) % n;
                double secs = (double)(rand() % 500) / 10, speed = 1 + rand() % 2;
                eta_done(e, i, secs, speed);
                done[i] = 1;
                learned += secs * speed;
                nlearned++;
            }
        }
        eta_destroy(e);
    }
}
END_TEST

START_TEST(formats)
{
    char buf[32];
    struct {
        double s;
        const char *want;
    } cases[] = {{0, "0s"},      {0.2, "1s"},        {42, "42s"},      {59.5, "1m 00s"},
                 {83, "1m 23s"}, {3599.2, "1h 00m"}, {7500, "2h 05m"}, {NAN, "0s"},
                 {-3, "0s"},     {60, "1m 00s"},     {3600, "1h 00m"}, {86400, "24h 00m"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        eta_format(cases[k].s, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[k].want);
    }
}
END_TEST

/* At 100,000 shards with one long shard running while every other ends,
 * longest first as the queue hands them out, each estimate stays cheap: a
 * scan past the done shards every time would take 5 x 10^9 steps here. */
START_TEST(many_shards_stay_cheap)
{
    long n = 100000;
    double *p = malloc((size_t)n * sizeof *p);
    ck_assert_ptr_nonnull(p);
    for (long i = 0; i < n; i++)
        p[i] = i == 0 ? 1e6 : 1 + (double)(n - i) / 1000;
    struct eta *e = eta_create(p, n);
    struct eta_running run[] = {{0, 10, 1}};
    double slots[] = {1, 1};
    for (long i = 1; i < n; i++) {
        eta_done(e, i, p[i], 1);
        unit_require(eta_left(e, run, 1, slots, 2) > 0, "step %ld", i);
    }
    assert_near(eta_left(e, run, 1, slots, 2), 1e6 - 10);
    ck_assert_int_le(eta_steps(e), 4 * n);
    eta_destroy(e);
    free(p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("eta");
    TCase *tc = tcase_create("eta");
    tcase_add_test(tc, no_history_no_estimate_until_a_shard_ends);
    tcase_add_test(tc, all_unknown_is_no_history);
    tcase_add_test(tc, known_predictions);
    tcase_add_test(tc, running_over_their_prediction);
    tcase_add_test(tc, unknown_shards_count_as_the_median);
    tcase_add_test(tc, a_long_shard_waiting_is_not_spread_over_the_slots);
    tcase_add_test(tc, host_speeds);
    tcase_add_test(tc, no_slot_may_take_the_waiting_shards);
    tcase_add_test(tc, odd_input_is_ignored);
    tcase_add_test(tc, random_runs_agree_with_the_oracle);
    tcase_add_test(tc, formats);
    tcase_add_test(tc, many_shards_stay_cheap);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
