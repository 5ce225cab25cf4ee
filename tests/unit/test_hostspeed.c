/* SPDX-License-Identifier: BSD-3-Clause */
/* test_hostspeed.c - unit tests of the host speeds learned from the timing
 * history (hostspeed.h): exact data gives back the speeds it was made with
 * (up to the prior's pull), speeds are relative (geometric mean 1 per linked
 * group, 1 for a host never compared), short records and one-host shards
 * say nothing, a single timing is trusted less than many, and the answer
 * depends neither on the unit of time nor on the order of the hosts. */
#include "config.h"

#include "sched/hostspeed.h"

#include <math.h>
#include <string.h>

#include "unit.h"

/* A table of nshards shards "k0".."kN" whose records are given as
 * (shard, host name, runs, seconds). */
struct rec {
    int shard;
    const char *host;
    long long runs;
    double seconds;
};

static void build(struct htable *t, int nshards, const struct rec *recs, int nrecs)
{
    memset(t, 0, sizeof *t);
    for (int k = 0; k < nshards; k++) {
        char key[16];
        int len = snprintf(key, sizeof key, "k%03d", k);
        ck_assert_int_eq(htable_add_shard(t, key, (size_t)len, 1), k);
    }
    for (int i = 0; i < nrecs; i++)
        ck_assert_int_eq(
            htable_add_rec(t, (size_t)recs[i].shard, htable_intern_host(t, recs[i].host),
                           recs[i].runs, recs[i].seconds),
            0);
}

static double speed_of(const struct htable *t, const double *speed, const char *host)
{
    for (size_t h = 0; h < t->nhosts; h++)
        if (!strcmp(t->hosts[h], host))
            return speed[h];
    ck_abort_msg("no host %s", host);
    return NAN;
}

#define ck_assert_near(got, want, tol)                                                \
    do {                                                                              \
        double g_ = (got), w_ = (want);                                               \
        ck_assert_msg(fabs(g_ - w_) <= (tol), "%s is %.9g, want %.9g", #got, g_, w_); \
    } while (0)

START_TEST(one_host_is_speed_one)
{
    struct rec r[] = {{0, "a", 3, 10}, {1, "a", 3, 20}};
    struct htable t;
    build(&t, 2, r, 2);
    double speed[1];
    ck_assert_int_eq(hostspeed_fit(&t, speed), 0);
    ck_assert_near(speed[0], 1, 0);
    htable_free(&t);
}
END_TEST

/* Three hosts of speeds 4, 1 and 0.25 (a server, a laptop, a small board)
 * timing 20 shards of lognormal-ish bases, each on two of them, 8 runs
 * each: the speeds come back within 1 % (the prior, a quarter of a run
 * against 8 per record, pulls them a little towards 1). */
START_TEST(exact_data_gives_back_the_speeds)
{
    const char *names[] = {"server", "laptop", "board"};
    double truth[] = {4, 1, 0.25};
    struct rec r[40];
    int n = 0;
    for (int k = 0; k < 20; k++) {
        double base = 1 + (k * 37 % 23) * 3.5;
        for (int j = 0; j < 2; j++) {
            int h = (k + j) % 3;
            r[n++] = (struct rec){k, names[h], 8, base / truth[h]};
        }
    }
    struct htable t;
    build(&t, 20, r, n);
    double speed[3];
    ck_assert_int_eq(hostspeed_fit(&t, speed), 0);
    for (int h = 0; h < 3; h++)
        ck_assert_near(speed_of(&t, speed, names[h]), truth[h], truth[h] * 0.01);
    double product = 1;
    for (int h = 0; h < 3; h++)
        product *= speed[h];
    ck_assert_near(product, 1, 1e-9);
    htable_free(&t);
}
END_TEST

/* One shard timed once at 10 s on a and 20 s on b: the shard's base is the
 * mean of the two whatever the speeds, so each host's log speed is half the
 * log ratio over 1 + the prior (log speed a = log 2 / 2.5): 80 % of it. */
START_TEST(one_timing_is_trusted_less)
{
    struct rec r[] = {{0, "a", 1, 10}, {0, "b", 1, 20}};
    struct htable t;
    build(&t, 1, r, 2);
    double speed[2];
    ck_assert_int_eq(hostspeed_fit(&t, speed), 0);
    ck_assert_near(speed_of(&t, speed, "a"), pow(2, 0.5 / (1 + HOSTSPEED_PRIOR)), 1e-9);
    ck_assert_near(speed_of(&t, speed, "b"), pow(2, -0.5 / (1 + HOSTSPEED_PRIOR)), 1e-9);
    ck_assert_near(speed_of(&t, speed, "a"), pow(2, 0.4), 1e-9); /* the prior is 0.25 */
    htable_free(&t);
}
END_TEST

/* What says nothing about speed: shards timed on one host only (c never
 * shares one: speed 1), records under HOSTSPEED_MIN_SECONDS (d and e time
 * only process start-up), and non-finite seconds. */
START_TEST(what_says_nothing)
{
    struct rec r[] = {
        {0, "a", 8, 10},    {0, "b", 8, 20}, /* a twice as fast as b */
        {1, "c", 8, 100},   {2, "c", 8, 1},  /* c alone */
        {3, "d", 8, 0.001}, {3, "e", 8, 0.04},     {4, "d", 8, 0.049},
        {4, "e", 8, 0.01},  {5, "d", 8, INFINITY}, {5, "e", 8, 3},
    };
    struct htable t;
    build(&t, 6, r, (int)(sizeof r / sizeof r[0]));
    double speed[5];
    ck_assert_int_eq(hostspeed_fit(&t, speed), 0);
    double ratio = speed_of(&t, speed, "a") / speed_of(&t, speed, "b");
    ck_assert_msg(ratio > 1.8 && ratio < 2, "a / b is %g", ratio);
    ck_assert_near(speed_of(&t, speed, "a") * speed_of(&t, speed, "b"), 1, 1e-9);
    ck_assert_near(speed_of(&t, speed, "c"), 1, 0);
    ck_assert_near(speed_of(&t, speed, "d"), 1, 0);
    ck_assert_near(speed_of(&t, speed, "e"), 1, 0);
    htable_free(&t);
}
END_TEST

/* Two groups of hosts that no shard links: each group's speeds have a
 * geometric mean of 1 on its own (nothing says how a compares with x). */
START_TEST(unlinked_groups_are_each_centred)
{
    struct rec r[] = {
        {0, "a", 8, 10}, {0, "b", 8, 40}, {1, "a", 8, 5},  {1, "b", 8, 20},
        {2, "x", 8, 10}, {2, "y", 8, 10}, {2, "z", 8, 90},
    };
    struct htable t;
    build(&t, 3, r, (int)(sizeof r / sizeof r[0]));
    double speed[5];
    ck_assert_int_eq(hostspeed_fit(&t, speed), 0);
    ck_assert_near(speed_of(&t, speed, "a") * speed_of(&t, speed, "b"), 1, 1e-9);
    ck_assert_near(speed_of(&t, speed, "x") * speed_of(&t, speed, "y") * speed_of(&t, speed, "z"),
                   1, 1e-9);
    ck_assert(speed_of(&t, speed, "a") > 1.8);
    ck_assert_near(speed_of(&t, speed, "x"), speed_of(&t, speed, "y"), 1e-9);
    ck_assert(speed_of(&t, speed, "z") < speed_of(&t, speed, "x"));
    htable_free(&t);
}
END_TEST

/* Seconds or minutes, hosts in any order: the same speeds. And a host a
 * million times slower is held at 1 / HOSTSPEED_MAX of the other. */
START_TEST(unit_and_order_do_not_matter)
{
    struct rec r[] = {{0, "a", 4, 10}, {0, "b", 2, 30}, {1, "b", 4, 7},
                      {1, "c", 3, 2},  {2, "a", 1, 3},  {2, "c", 5, 4}};
    struct rec scaled[6], reversed[6];
    for (int i = 0; i < 6; i++) {
        scaled[i] = r[i];
        scaled[i].seconds *= 60;
        reversed[i] = r[5 - i];
    }
    struct htable t, ts, tr;
    build(&t, 3, r, 6);
    build(&ts, 3, scaled, 6);
    build(&tr, 3, reversed, 6);
    double s[3], ss[3], sr[3];
    ck_assert_int_eq(hostspeed_fit(&t, s), 0);
    ck_assert_int_eq(hostspeed_fit(&ts, ss), 0);
    ck_assert_int_eq(hostspeed_fit(&tr, sr), 0);
    const char *names[] = {"a", "b", "c"};
    for (int h = 0; h < 3; h++) {
        ck_assert_near(speed_of(&ts, ss, names[h]), speed_of(&t, s, names[h]), 1e-6);
        ck_assert_near(speed_of(&tr, sr, names[h]), speed_of(&t, s, names[h]), 1e-6);
    }
    htable_free(&t);
    htable_free(&ts);
    htable_free(&tr);

    struct rec far[] = {{0, "fast", 8, 1}, {0, "slow", 8, 1e6}};
    build(&t, 1, far, 2);
    ck_assert_int_eq(hostspeed_fit(&t, s), 0);
    ck_assert_near(speed_of(&t, s, "fast"), HOSTSPEED_MAX, 1e-9);
    ck_assert_near(speed_of(&t, s, "slow"), 1 / HOSTSPEED_MAX, 1e-9);
    htable_free(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostspeed");
    TCase *tc = tcase_create("hostspeed");
    tcase_add_test(tc, one_host_is_speed_one);
    tcase_add_test(tc, exact_data_gives_back_the_speeds);
    tcase_add_test(tc, one_timing_is_trusted_less);
    tcase_add_test(tc, what_says_nothing);
    tcase_add_test(tc, unlinked_groups_are_each_centred);
    tcase_add_test(tc, unit_and_order_do_not_matter);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
