/* SPDX-License-Identifier: BSD-3-Clause */
/* test_plan_simulate.c - unit tests of a dynamic queue split by host speed
 * (plan_split_by_speed: by hand, refusals, and against a plain reading of
 * the rule on random cases) and of a plan played out on its predictions
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

/* Three hosts of speeds 2, 1 and 0.5 (ranks 0 and 1, 2, 3) and ten shards
 * of 42 s, worked by hand: the shares are 42 x 4/5.5, 1/5.5 and 0.5/5.5
 * (30.5, 7.6 and 3.8 s); a shard goes where its middle falls, so the parts
 * are 10 8 6 5 | 4 3 2 | 2 1 1. A rank takes the head of its own part, then
 * the shortest of the nearest slower part, then shards given back, then the
 * shortest of a faster part; the fastest band takes those given back
 * first. */
START_TEST(split_by_hand)
{
    long todo[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    double sec[] = {10, 8, 6, 5, 4, 3, 2, 2, 1, 1};
    int rank_host[] = {0, 0, 1, 2};
    double speed[] = {2, 1, 0.5};
    struct plan *p = plan_create_dynamic(4, todo, 10);
    ck_assert_int_eq(plan_bands(p), 1);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, speed, sec), 3);
    ck_assert_int_eq(plan_bands(p), 3);
    ck_assert_int_eq(plan_band(p, 1), 0);
    ck_assert_int_eq(plan_band(p, 2), 1);
    ck_assert_int_eq(plan_band(p, 3), 2);
    ck_assert_int_eq(plan_band(p, 4), 0);
    ck_assert_int_eq(plan_band_count(p, 0), 4);
    ck_assert_int_eq(plan_band_count(p, 1), 3);
    ck_assert_int_eq(plan_band_count(p, 2), 3);
    ck_assert_int_eq(plan_band_count(p, 3), 0);
    ck_assert_int_eq(plan_next(p, 3), 7);
    ck_assert_int_eq(plan_next(p, 2), 4);
    for (long i = 0; i < 4; i++)
        ck_assert_int_eq(plan_next(p, i % 2), i);
    ck_assert_int_eq(plan_pending(p, 0), 4);
    ck_assert_int_eq(plan_next(p, 0), 6); /* the shortest of the next part */
    ck_assert_int_eq(plan_next(p, 1), 5);
    ck_assert_int_eq(plan_next(p, 0), 9); /* then of the part after */
    ck_assert_int_eq(plan_return(p, 0), 0);
    ck_assert_int_eq(plan_next(p, 2), 8); /* a slower part before those given back */
    ck_assert_int_eq(plan_next(p, 2), 0);
    ck_assert_int_eq(plan_return(p, 3), 0);
    ck_assert_int_eq(plan_return(p, 2), 0);
    ck_assert_int_eq(plan_next(p, 1), 2); /* the fastest band: given back first */
    ck_assert_int_eq(plan_next(p, 3), 3);
    ck_assert_int_eq(plan_pending(p, 0), 0);
    ck_assert_int_eq(plan_next(p, 3), -1);
    ck_assert_int_eq(plan_next(p, 0), -1);
    plan_destroy(p);

    /* a slow rank steals the shortest of a faster part once all else is gone */
    p = plan_create_dynamic(4, todo, 10);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, speed, sec), 3);
    for (long i = 7; i < 10; i++)
        ck_assert_int_eq(plan_next(p, 3), i);
    ck_assert_int_eq(plan_next(p, 3), 6); /* the nearest faster part first */
    ck_assert_int_eq(plan_next(p, 3), 5);
    ck_assert_int_eq(plan_next(p, 3), 4);
    ck_assert_int_eq(plan_next(p, 3), 3);
    plan_destroy(p);
}
END_TEST

/* What does not split: speeds within 3/4 of each other (one band), no
 * prediction at all, a static plan, a plan split or handed from already,
 * a speed below 0 or not a number. Ranks of a host of speed 0 count in the
 * slowest band and add nothing to it. */
START_TEST(split_refused_or_whole)
{
    long todo[] = {0, 1, 2, 3};
    double sec[] = {4, 3, 2, 1}, none[] = {NAN, NAN, NAN, NAN};
    int rank_host[] = {0, 1, 2};
    double close[] = {2, 1.5, 1.6}, apart[] = {2, 1, 1}, stopped[] = {2, 0, 1};
    double bad[] = {2, -1, 1}, nan[] = {2, NAN, 1};
    struct plan *p = plan_create_dynamic(3, todo, 4);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, close, sec), 1);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, apart, none), 1);
    ck_assert_int_eq(plan_bands(p), 1);
    ck_assert_int_eq(plan_band_count(p, 0), 0); /* unsplit */
    ck_assert_int_eq(plan_next(p, 2), 0);       /* one queue, from its head */
    errno = 0;
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, apart, sec), -1);
    ck_assert_int_eq(errno, EINVAL);
    plan_destroy(p);

    const double *wrong[] = {bad, nan};
    for (int k = 0; k < 2; k++) {
        p = plan_create_dynamic(3, todo, 4);
        errno = 0;
        ck_assert_int_eq(plan_split_by_speed(p, rank_host, wrong[k], sec), -1);
        ck_assert_int_eq(errno, EINVAL);
        ck_assert_int_eq(plan_next(p, 1), 0); /* unchanged */
        plan_destroy(p);
    }

    p = plan_create_dynamic(3, todo, 4);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, apart, sec), 2);
    errno = 0;
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, apart, sec), -1); /* split already */
    ck_assert_int_eq(errno, EINVAL);
    plan_destroy(p);

    /* speed 0: rank 1 is in the slowest band, which weighs 1 of 3 */
    p = plan_create_dynamic(3, todo, 4);
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, stopped, sec), 2);
    ck_assert_int_eq(plan_band(p, 1), 1);
    ck_assert_int_eq(plan_band_count(p, 0), 2); /* 4 3 | 2 1: 6.7 s and 3.3 s */
    ck_assert_int_eq(plan_band_count(p, 1), 2);
    plan_destroy(p);

    int one_host[] = {0, 0};
    long cores[] = {2};
    p = plan_create_static(2, one_host, 1, cores, todo, 4);
    errno = 0;
    ck_assert_int_eq(plan_split_by_speed(p, one_host, apart, sec), -1);
    ck_assert_int_eq(errno, EINVAL);
    plan_destroy(p);
}
END_TEST

/* On 500 random cases (1-8 ranks on 1-4 hosts of speeds 0.1-3, some 0;
 * 0-40 shards of 0.1-20 s, some unknown) against a plain reading of the
 * rule: the bands are the hosts' speeds grouped as the rule says; the parts,
 * put end to end, are the queue as it was, each part's work is within one
 * shard of its band's share; and handing everything out to random ranks
 * gives every shard exactly once. */
START_TEST(split_matches_the_rule)
{
    unsigned x = 4242;
#define RND(n) ((x = x * 1103515245u + 12345u) >> 16) % (unsigned)(n)
    for (int c = 0; c < 500; c++) {
        int nhosts = 1 + (int)RND(4), nranks = 1 + (int)RND(8);
        int rank_host[8];
        double speed[4];
        for (int h = 0; h < nhosts; h++)
            speed[h] = RND(8) == 0 ? 0 : 0.1 + RND(30) / 10.0;
        for (int r = 0; r < nranks; r++)
            rank_host[r] = (int)RND(nhosts);
        long n = (long)RND(41), todo[40], seen[40] = {0};
        double sec[40], known[40];
        long nknown = 0;
        for (long i = 0; i < n; i++) {
            sec[i] = RND(6) == 0 ? NAN : 0.1 + RND(200) / 10.0;
            if (!isnan(sec[i]))
                known[nknown++] = sec[i];
            todo[i] = i;
        }
        ck_assert_int_eq(plan_longest_first(todo, n, sec), 0);

        /* the oracle's bands: distinct speeds above 0, fastest first, a new
         * band below 3/4 of the band's first; speed 0 in the last */
        double distinct[8];
        int nd = 0;
        for (int r = 0; r < nranks; r++) {
            double v = speed[rank_host[r]];
            int dup = v <= 0;
            for (int k = 0; k < nd; k++)
                dup |= distinct[k] == v;
            if (!dup)
                distinct[nd++] = v;
        }
        for (int a = 0; a < nd; a++) /* sort, fastest first */
            for (int b = a + 1; b < nd; b++)
                if (distinct[b] > distinct[a]) {
                    double t = distinct[a];
                    distinct[a] = distinct[b];
                    distinct[b] = t;
                }
        int want_band[8], nbands = 0;
        double top = 0;
        for (int r = 0; r < nranks; r++)
            want_band[r] = -1;
        for (int k = 0; k < nd; k++) {
            if (nbands == 0 || distinct[k] < PLAN_SPEED_BAND * top) {
                nbands++;
                top = distinct[k];
            }
            for (int r = 0; r < nranks; r++)
                if (speed[rank_host[r]] == distinct[k])
                    want_band[r] = nbands - 1;
        }
        for (int r = 0; r < nranks; r++)
            if (want_band[r] < 0)
                want_band[r] = nbands > 0 ? nbands - 1 : 0;
        int want = nbands >= 2 && nknown > 0 ? nbands : 1;

        struct plan *p = plan_create_dynamic(nranks, todo, n);
        ck_assert_int_eq(plan_split_by_speed(p, rank_host, speed, sec), want);
        ck_assert_int_eq(plan_bands(p), want);
        if (want > 1) {
            /* the median stands in for the unknown, as plan_longest_first */
            for (long a = 0; a < nknown; a++)
                for (long b = a + 1; b < nknown; b++)
                    if (known[b] < known[a]) {
                        double t = known[a];
                        known[a] = known[b];
                        known[b] = t;
                    }
            double median =
                nknown % 2 ? known[nknown / 2] : (known[nknown / 2 - 1] + known[nknown / 2]) / 2;
            double work = 0, all = 0, longest = 0, share[8] = {0};
            for (long i = 0; i < n; i++) {
                double s = isnan(sec[i]) ? median : sec[i];
                work += s;
                longest = s > longest ? s : longest;
            }
            for (int r = 0; r < nranks; r++) {
                ck_assert_int_eq(plan_band(p, r), want_band[r]);
                all += speed[rank_host[r]];
            }
            for (int r = 0; r < nranks; r++)
                share[want_band[r]] += work * speed[rank_host[r]] / all;
            long pos = 0;
            for (int b = 0; b < want; b++) {
                double part = 0;
                for (long k = 0; k < plan_band_count(p, b); k++, pos++)
                    part += isnan(sec[todo[pos]]) ? median : sec[todo[pos]];
                ck_assert_msg(fabs(part - share[b]) <= longest + 1e-9,
                              "case %d band %d: %g s, share %g s", c, b, part, share[b]);
            }
            ck_assert_int_eq(pos, n);
            /* a rank of each band whose part is not empty takes its head */
            pos = 0;
            for (int b = 0; b < want; b++) {
                int r = 0;
                while (r < nranks && plan_band(p, r) != b)
                    r++;
                if (r < nranks && plan_band_count(p, b) > 0) {
                    long i = plan_next(p, r);
                    ck_assert_int_eq(i, todo[pos]);
                    seen[i]++;
                }
                pos += plan_band_count(p, b);
            }
        }
        for (long got; plan_pending(p, 0) > 0;) {
            got = plan_next(p, (int)RND(nranks));
            ck_assert(got >= 0 && got < n);
            seen[got]++;
        }
        for (int r = 0; r < nranks; r++)
            ck_assert_int_eq(plan_next(p, r), -1);
        for (long i = 0; i < n; i++)
            ck_assert_msg(seen[i] == 1, "case %d: shard %ld handed out %ld times", c, i, seen[i]);
        plan_destroy(p);
    }
#undef RND
}
END_TEST

/* Five shards 3 3 2 2 2 on two ranks, worked by hand: equal speeds end at 7;
 * rank 0 twice as fast ends at 5 (rank 1 takes the last 2 at 3); and with
 * the queue split by speed (the slow rank on the short part), 4. */
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
    ck_assert_int_eq(plan_split_by_speed(p, rank_host, speed, sec), 2); /* 3 3 2 | 2 2 */
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
    tcase_add_test(tc, split_by_hand);
    tcase_add_test(tc, split_refused_or_whole);
    tcase_add_test(tc, split_matches_the_rule);
    tcase_add_test(tc, dynamic_by_hand);
    tcase_add_test(tc, unknowns_empty_and_stopped_hosts);
    tcase_add_test(tc, static_lpt_plays_out_as_predicted);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
