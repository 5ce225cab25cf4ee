/* SPDX-License-Identifier: BSD-3-Clause */
/* test_plan_simulate.c - unit tests of a dynamic queue's short end for slow
 * hosts (plan_take_shortest) and of a plan played out on its predictions
 * (plan_simulate): cases worked by hand, and a static LPT plan whose played
 * out makespan must be the one plan_create_lpt predicted, on random cases. */
#include "config.h"

#include "coord/plan.h"

#include <errno.h>
#include <math.h>

#include "unit.h"

#define ck_assert_near(got, want)                                                     \
    do {                                                                              \
        double g_ = (got), w_ = (want);                                               \
        ck_assert_msg(fabs(g_ - w_) < 1e-9, "%s is %.17g, want %.17g", #got, g_, w_); \
    } while (0)

/* Rank 1 takes from the end; returned shards only once the queue is empty;
 * pending counts both ends; a static plan has no end to take from. */
START_TEST(take_shortest_takes_from_the_end)
{
    long todo[] = {10, 11, 12, 13, 14, 15};
    struct plan *p = plan_create_dynamic(3, todo, 6);
    ck_assert_int_eq(plan_takes_shortest(p, 1), 0);
    ck_assert_int_eq(plan_take_shortest(p, 1), 0);
    ck_assert_int_eq(plan_takes_shortest(p, 1), 1);
    ck_assert_int_eq(plan_takes_shortest(p, 0), 0);
    ck_assert_int_eq(plan_takes_shortest(p, 3), 0);
    ck_assert_int_eq(plan_next(p, 0), 10);
    ck_assert_int_eq(plan_next(p, 1), 15);
    ck_assert_int_eq(plan_next(p, 1), 14);
    ck_assert_int_eq(plan_next(p, 2), 11);
    ck_assert_int_eq(plan_pending(p, 0), 2);
    ck_assert_int_eq(plan_return(p, 10), 0);
    ck_assert_int_eq(plan_pending(p, 0), 3);
    ck_assert_int_eq(plan_next(p, 1), 13); /* the queue before the returned */
    ck_assert_int_eq(plan_next(p, 0), 10); /* the returned first, as ever */
    ck_assert_int_eq(plan_next(p, 1), 12);
    ck_assert_int_eq(plan_pending(p, 0), 0);
    ck_assert_int_eq(plan_next(p, 1), -1);
    ck_assert_int_eq(plan_return(p, 12), 0);
    ck_assert_int_eq(plan_next(p, 1), 12); /* queue empty: the returned */
    ck_assert_int_eq(plan_next(p, 2), -1);
    errno = 0;
    ck_assert_int_eq(plan_take_shortest(p, 3), -1);
    ck_assert_int_eq(errno, EINVAL);
    plan_destroy(p);

    int rank_host[] = {0, 0};
    long cores[] = {2};
    p = plan_create_static(2, rank_host, 1, cores, todo, 6);
    errno = 0;
    ck_assert_int_eq(plan_take_shortest(p, 0), -1);
    ck_assert_int_eq(errno, EINVAL);
    plan_destroy(p);
}
END_TEST

/* Five shards 3 3 2 2 2 on two ranks, worked by hand: equal speeds end at 7;
 * rank 0 twice as fast ends at 5 (rank 1 takes the last 2 at 3); and with
 * the slow rank taking the short end, 4. */
START_TEST(dynamic_by_hand)
{
    long todo[] = {0, 1, 2, 3, 4};
    double sec[] = {3, 3, 2, 2, 2};
    int rank_host[] = {0, 1};
    double speed[] = {2, 1};
    struct plan *p = plan_create_dynamic(2, todo, 5);
    ck_assert_near(plan_simulate(p, rank_host, NULL, sec), 7);
    ck_assert_int_eq(plan_next(p, 0), -1); /* used up */
    plan_destroy(p);
    p = plan_create_dynamic(2, todo, 5);
    ck_assert_near(plan_simulate(p, rank_host, speed, sec), 5);
    plan_destroy(p);
    p = plan_create_dynamic(2, todo, 5);
    ck_assert_int_eq(plan_take_shortest(p, 1), 0);
    ck_assert_near(plan_simulate(p, rank_host, speed, sec), 4);
    plan_destroy(p);
}
END_TEST

/* Unknown shards count as the median of the known (2 of 1, 2, 3: 1 2 3 2
 * on one rank is 8); none known is NAN; nothing to run is 0; a host of
 * speed 0 runs nothing, unless all are. */
START_TEST(unknowns_empty_and_stopped_hosts)
{
    long todo[] = {0, 1, 2, 3};
    double sec[] = {1, 2, 3, NAN};
    double none[] = {NAN, NAN, NAN, NAN};
    int rank_host[] = {0, 1};
    double stopped[] = {1, 0}, all_stopped[] = {0, 0};
    struct plan *p = plan_create_dynamic(1, todo, 4);
    ck_assert_near(plan_simulate(p, rank_host, NULL, sec), 8);
    plan_destroy(p);
    p = plan_create_dynamic(1, todo, 4);
    ck_assert(isnan(plan_simulate(p, rank_host, NULL, none)));
    plan_destroy(p);
    p = plan_create_dynamic(2, todo, 0);
    ck_assert_near(plan_simulate(p, rank_host, NULL, sec), 0);
    plan_destroy(p);
    p = plan_create_dynamic(2, todo, 4);
    ck_assert_near(plan_simulate(p, rank_host, stopped, sec), 8);
    plan_destroy(p);
    p = plan_create_dynamic(2, todo, 4);
    ck_assert_near(plan_simulate(p, rank_host, all_stopped, sec), 4); /* 1+3, 2+2 */
    plan_destroy(p);
}
END_TEST

/* A static plan's ranks run their own lists one after the other, so the
 * played-out makespan of an LPT plan is exactly the one it predicted: 300
 * random cases of 1-6 ranks on 1-3 hosts of speeds 0.5-2 (some 0), 0-25
 * shards of 0.1-20 s, some unknown. */
START_TEST(static_lpt_plays_out_as_predicted)
{
    unsigned x = 12345;
#define RND(n) ((x = x * 1103515245u + 12345u) >> 16) % (unsigned)(n)
    for (int c = 0; c < 300; c++) {
        int nhosts = 1 + (int)RND(3), nranks = 1 + (int)RND(6);
        int rank_host[6];
        double speed[3];
        for (int h = 0; h < nhosts; h++)
            speed[h] = RND(7) == 0 ? 0 : 0.5 + RND(16) / 10.0;
        for (int r = 0; r < nranks; r++)
            rank_host[r] = (int)RND(nhosts);
        long n = (long)RND(26), todo[25];
        double sec[25];
        for (long i = 0; i < n; i++) {
            todo[i] = n - 1 - i;
            sec[i] = RND(5) == 0 ? NAN : 0.1 + RND(200) / 10.0;
        }
        struct plan *p = plan_create_lpt(nranks, rank_host, nhosts, speed, todo, n, sec);
        ck_assert_ptr_nonnull(p);
        double want = plan_predicted_makespan(p);
        double got = plan_simulate(p, rank_host, speed, sec);
        if (isnan(want))
            ck_assert_msg(isnan(got), "case %d: %g, want NAN", c, got);
        else
            ck_assert_msg(fabs(got - want) < 1e-9, "case %d: %.17g, want %.17g", c, got, want);
        plan_destroy(p);
    }
#undef RND
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plan_simulate");
    TCase *tc = tcase_create("plan_simulate");
    tcase_add_test(tc, take_shortest_takes_from_the_end);
    tcase_add_test(tc, dynamic_by_hand);
    tcase_add_test(tc, unknowns_empty_and_stopped_hosts);
    tcase_add_test(tc, static_lpt_plays_out_as_predicted);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
