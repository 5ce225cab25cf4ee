/* SPDX-License-Identifier: BSD-3-Clause */
/* test_speculate.c - unit tests of the choice of the shard to copy
 * (--speculate, speculate.h): without history the one that has run
 * longest, with it the one predicted to finish last (host speeds
 * included), a straggler past its prediction, another host than the
 * shard's unless there is one host, a copy only where it is predicted to
 * finish first, stable ties; and against a brute-force oracle that
 * simulates both copies on random cases. */
#include "config.h"

#include "sched/speculate.h"

#include <math.h>
#include <stdbool.h>

#include "unit.h"

#define NOW 1000.0

START_TEST(nothing_to_copy)
{
    ck_assert_int_eq(speculate_pick(NULL, 0, NULL, NULL, 0, 2, 0, NOW), -1);
    struct speculate_running one = {.shard = 3, .host = 1, .since = NOW - 5};
    /* its own host, with another host in the run: no */
    ck_assert_int_eq(speculate_pick(&one, 1, NULL, NULL, 1, 2, 0, NOW), -1);
    /* a run on one host: its host is the only one */
    ck_assert_int_eq(speculate_pick(&one, 1, NULL, NULL, 1, 1, 0, NOW), 0);
    /* a place the caller left empty */
    one.shard = -1;
    ck_assert_int_eq(speculate_pick(&one, 1, NULL, NULL, 0, 2, 0, NOW), -1);
}
END_TEST

/* No history: each is expected to run as long again as it has; the one
 * that has run longest goes first. */
START_TEST(without_history_the_longest_running)
{
    struct speculate_running c[3] = {{.shard = 0, .host = 1, .since = NOW - 10},
                                     {.shard = 1, .host = 1, .since = NOW - 30},
                                     {.shard = 2, .host = 2, .since = NOW - 20}};
    ck_assert_int_eq(speculate_pick(c, 3, NULL, NULL, 0, 3, 0, NOW), 1);
    ck_assert_double_eq(speculate_left(&c[1], NULL, NULL, NOW), 30);
    /* from host 1's idle slot, only host 2's shard may be copied */
    ck_assert_int_eq(speculate_pick(c, 3, NULL, NULL, 1, 3, 0, NOW), 2);
    /* predictions all unknown: the same */
    double unknown[3] = {NAN, NAN, NAN};
    ck_assert_int_eq(speculate_pick(c, 3, unknown, NULL, 0, 3, 0, NOW), 1);
    /* a start after now: nothing left, and not run long enough */
    struct speculate_running early = {.shard = 0, .host = 1, .since = NOW + 1};
    ck_assert_double_eq(speculate_left(&early, NULL, NULL, NOW), 0);
    ck_assert_int_eq(speculate_pick(&early, 1, NULL, NULL, 0, 2, 0, NOW), -1);
}
END_TEST

/* With history: the predicted finish, at the speed of the shard's host. */
START_TEST(with_history_the_last_to_finish)
{
    /* shard 0: 100 s started 10 s ago (90 left); shard 1: 60 s started 50
     * s ago (10 left), but on a host at half speed (70 left); shard 2:
     * 200 s on a host twice as fast started just now (100 left) */
    struct speculate_running c[3] = {{.shard = 0, .host = 1, .since = NOW - 10},
                                     {.shard = 1, .host = 2, .since = NOW - 50},
                                     {.shard = 2, .host = 3, .since = NOW}};
    double pred[3] = {100, 60, 200};
    double speed[4] = {4, 1, 0.5, 2};
    ck_assert_double_eq_tol(speculate_left(&c[0], pred, speed, NOW), 90, 1e-9);
    ck_assert_double_eq_tol(speculate_left(&c[1], pred, speed, NOW), 70, 1e-9);
    ck_assert_double_eq_tol(speculate_left(&c[2], pred, speed, NOW), 100, 1e-9);
    /* host 0 (speed 4) copies shard 2 in 50 s, before its 100 */
    ck_assert_int_eq(speculate_pick(c, 3, pred, speed, 0, 4, 0, NOW), 2);
    /* host 3 runs shard 2 itself: shard 0, 50 s there against 90 */
    ck_assert_int_eq(speculate_pick(c, 3, pred, speed, 3, 4, 0, NOW), 0);
    /* host 1 (speed 1): 200 s > 100 left for shard 2; shard 0 is its own;
     * shard 1 in 60 s, before its 70 */
    ck_assert_int_eq(speculate_pick(c, 3, pred, speed, 1, 4, 0, NOW), 1);
    /* host 2 (speed 0.5): no copy finishes first anywhere */
    ck_assert_int_eq(speculate_pick(c, 3, pred, speed, 2, 4, 0, NOW), -1);
    /* speeds unknown (NULL, or not positive numbers): all 1 */
    double odd[4] = {0, -1, NAN, INFINITY};
    ck_assert_double_eq_tol(speculate_left(&c[1], pred, odd, NOW), 10, 1e-9);
    ck_assert_double_eq_tol(speculate_left(&c[1], pred, NULL, NOW), 10, 1e-9);
    /* equal speeds, predictions right so far: a copy never finishes first */
    ck_assert_int_eq(speculate_pick(c, 3, pred, NULL, 0, 4, 0, NOW), -1);
}
END_TEST

/* Past its prediction, a shard is a straggler: as long again as it ran,
 * and a copy may help wherever it goes. */
START_TEST(a_straggler_is_copied)
{
    struct speculate_running c[2] = {{.shard = 0, .host = 1, .since = NOW - 40},
                                     {.shard = 1, .host = 1, .since = NOW - 5}};
    double pred[2] = {10, 50};
    ck_assert_double_eq(speculate_left(&c[0], pred, NULL, NOW), 40);
    ck_assert_double_eq_tol(speculate_left(&c[1], pred, NULL, NOW), 45, 1e-9);
    ck_assert_int_eq(speculate_pick(c, 2, pred, NULL, 0, 2, 0, NOW), 0);
    /* a shard new to the history among known ones: by its time so far */
    double some[2] = {NAN, 50};
    ck_assert_int_eq(speculate_pick(c, 2, some, NULL, 0, 2, 0, NOW), 0);
}
END_TEST

/* A shard that has just started is left alone for min_run seconds. */
START_TEST(not_before_min_run)
{
    struct speculate_running c[2] = {{.shard = 0, .host = 1, .since = NOW - 0.5},
                                     {.shard = 1, .host = 1, .since = NOW - 0.2}};
    ck_assert_int_eq(speculate_pick(c, 2, NULL, NULL, 0, 2, 1, NOW), -1);
    ck_assert_int_eq(speculate_pick(c, 2, NULL, NULL, 0, 2, 1, NOW + 0.5), 0);
    ck_assert_int_eq(speculate_pick(&c[1], 1, NULL, NULL, 0, 2, 1, NOW + 0.5), -1);
    ck_assert_int_eq(speculate_pick(&c[1], 1, NULL, NULL, 0, 2, 1, NOW + 1), 0);
}
END_TEST

START_TEST(ties_are_stable)
{
    struct speculate_running c[3] = {{.shard = 5, .host = 1, .since = NOW - 10},
                                     {.shard = 2, .host = 1, .since = NOW - 10},
                                     {.shard = 9, .host = 1, .since = NOW - 10}};
    ck_assert_int_eq(speculate_pick(c, 3, NULL, NULL, 0, 2, 0, NOW), 1); /* shard 2 */
    double pred[10] = {0};
    for (int i = 0; i < 10; i++)
        pred[i] = i == 9 ? 30 : 20;
    /* shard 9: 30 - 10 = 20 left, as shards 5 and 2 have 10 */
    ck_assert_int_eq(speculate_pick(c, 3, pred, (double[]){2, 1}, 0, 2, 0, NOW), 2);
    /* the same prediction: the one that started first */
    c[0].since = NOW - 11;
    ck_assert_int_eq(speculate_pick(c, 3, NULL, NULL, 0, 2, 0, NOW), 0);
}
END_TEST

/* The oracle: of the shards that have run min_run at least, each one's
 * finish without a copy and with one, simulated apart from the module's
 * formulas (a straggler's or an unknown shard's expected run is twice its
 * time so far; a copy of an unknown shard is taken to help); of the shards
 * a copy makes finish earlier, the one whose finish without it is latest,
 * ties by start then number. */
static int oracle(const struct speculate_running *c, int n, const double *pred, const double *speed,
                  int idle, int nhosts, double min_run, double now)
{
    int best = -1;
    double best_end = 0;
    for (int i = 0; i < n; i++) {
        if ((nhosts > 1 && c[i].host == idle) || now - c[i].since < min_run)
            continue;
        double s = speed ? speed[c[i].host] : 1;
        double si = speed ? speed[idle] : 1;
        double ran = now - c[i].since;
        double end_alone;
        bool helps;
        if (pred && !isnan(pred[c[i].shard]) && c[i].since + pred[c[i].shard] / s > now) {
            end_alone = c[i].since + pred[c[i].shard] / s;
            helps = now + pred[c[i].shard] / si < end_alone;
        } else {
            end_alone = c[i].since + 2 * ran;
            helps = true;
        }
        if (!helps)
            continue;
        if (best < 0 || end_alone > best_end + 1e-9 ||
            (fabs(end_alone - best_end) <= 1e-9 &&
             (c[i].since < c[best].since ||
              (c[i].since == c[best].since && c[i].shard < c[best].shard)))) {
            best = i;
            best_end = end_alone;
        }
    }
    return best;
}

START_TEST(against_the_oracle)
{
    unsigned long long seed = 0x5eec0123ULL;
    for (int run = 0; run < 20000; run++) {
        int n = (int)unit_rand_range(&seed, 0, 6);
        int nhosts = (int)unit_rand_range(&seed, 1, 3);
        struct speculate_running c[6];
        double pred[6], speed[3];
        for (int h = 0; h < nhosts; h++)
            speed[h] = (double)unit_rand_range(&seed, 1, 4) / 2;
        for (int i = 0; i < n; i++) {
            /* whole seconds, so that ties happen */
            c[i] = (struct speculate_running){.shard = i,
                                              .host = (int)unit_rand_range(&seed, 0, nhosts - 1),
                                              .since = NOW - (double)unit_rand_range(&seed, 0, 8)};
            long p = unit_rand_range(&seed, -1, 12);
            pred[i] = p < 0 ? NAN : (double)p;
        }
        int idle = (int)unit_rand_range(&seed, 0, nhosts - 1);
        bool history = unit_rand_range(&seed, 0, 3) > 0, speeds = unit_rand_range(&seed, 0, 1);
        const double *pp = history ? pred : NULL, *sp = speeds ? speed : NULL;
        int got = speculate_pick(c, n, pp, sp, idle, nhosts, 2, NOW);
        int want = oracle(c, n, pp, sp, idle, nhosts, 2, NOW);
        unit_require(got == want, "run %d: picked %d, the oracle %d", run, got, want);
    }
}
END_TEST

static Suite *speculate_suite(void)
{
    Suite *s = suite_create("speculate");
    TCase *tc = tcase_create("pick");
    tcase_add_test(tc, nothing_to_copy);
    tcase_add_test(tc, without_history_the_longest_running);
    tcase_add_test(tc, with_history_the_last_to_finish);
    tcase_add_test(tc, a_straggler_is_copied);
    tcase_add_test(tc, not_before_min_run);
    tcase_add_test(tc, ties_are_stable);
    tcase_add_test(tc, against_the_oracle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(speculate_suite());
}
