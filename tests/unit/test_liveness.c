/* SPDX-License-Identifier: BSD-3-Clause */
/* test_liveness.c - unit tests of lost-rank detection (liveness.h). */
#include "config.h"

#include "coord/liveness.h"

#include <math.h>

#include "unit.h"

START_TEST(silent_rank_lost_once)
{
    struct liveness *l = liveness_create(4, 10, 100);
    ck_assert_ptr_nonnull(l);
    ck_assert_int_eq(liveness_next_lost(l, 110), -1); /* exactly the timeout: not yet */
    liveness_heard(l, 1, 105);
    liveness_heard(l, 3, 108);
    ck_assert_double_eq(liveness_deadline(l), 110); /* rank 2, heard at 100 */
    ck_assert_int_eq(liveness_next_lost(l, 110.5), 2);
    ck_assert_int_eq(liveness_next_lost(l, 110.5), -1); /* reported once */
    ck_assert(liveness_is_lost(l, 2));
    ck_assert(!liveness_is_lost(l, 1));
    ck_assert_int_eq(liveness_lost_count(l), 1);
    ck_assert_double_eq(liveness_deadline(l), 115);
    ck_assert_double_eq(liveness_silence(l, 1, 112), 7);
    /* a lost rank stays lost, whatever it says later */
    liveness_heard(l, 2, 111);
    ck_assert(liveness_is_lost(l, 2));
    ck_assert_int_eq(liveness_next_lost(l, 200), 1);
    ck_assert_int_eq(liveness_next_lost(l, 200), 3);
    ck_assert_int_eq(liveness_next_lost(l, 200), -1);
    ck_assert_int_eq(liveness_lost_count(l), 3);
    ck_assert(isinf(liveness_deadline(l)));
    liveness_destroy(l);
}
END_TEST

START_TEST(rank_zero_never_lost)
{
    struct liveness *l = liveness_create(2, 1, 0);
    liveness_heard(l, 1, 50);
    ck_assert_int_eq(liveness_next_lost(l, 50.5), -1);
    ck_assert(!liveness_is_lost(l, 0));
    liveness_destroy(l);
}
END_TEST

START_TEST(no_timeout_never_lost)
{
    struct liveness *l = liveness_create(3, 0, 0);
    ck_assert_int_eq(liveness_next_lost(l, 1e9), -1);
    ck_assert(isinf(liveness_deadline(l)));
    liveness_heard(l, 7, 5); /* out of range: ignored */
    liveness_heard(l, -1, 5);
    ck_assert(!liveness_is_lost(l, 7));
    liveness_destroy(l);
    liveness_destroy(NULL);
}
END_TEST

START_TEST(time_going_back_ignored)
{
    struct liveness *l = liveness_create(2, 10, 100);
    liveness_heard(l, 1, 50); /* older than what we know */
    ck_assert_int_eq(liveness_next_lost(l, 109), -1);
    ck_assert_int_eq(liveness_next_lost(l, 111), 1);
    liveness_destroy(l);
}
END_TEST

/* Rank 0 stopped from 105 to 125: nobody spoke to it then, as far as it
 * knows, and nobody is lost for that. */
START_TEST(rank_zero_stall_excused)
{
    struct liveness *l = liveness_create(4, 10, 100);
    liveness_heard(l, 1, 104);
    liveness_heard(l, 2, 105);
    ck_assert_int_eq(liveness_next_lost(l, 112), 3); /* lost before the stall */
    liveness_excuse(l, 105, 125);
    ck_assert_int_eq(liveness_next_lost(l, 125), -1);
    ck_assert_double_eq(liveness_silence(l, 1, 125), 1); /* 104 + 20 */
    ck_assert_double_eq(liveness_silence(l, 2, 125), 0);
    ck_assert_double_eq(liveness_deadline(l), 134);
    ck_assert_int_eq(liveness_next_lost(l, 134.5), 1); /* the order is kept */
    ck_assert_int_eq(liveness_next_lost(l, 134.5), -1);
    ck_assert_int_eq(liveness_next_lost(l, 135.5), 2);
    /* a lost rank stays as it was; an empty or backward gap changes nothing */
    ck_assert_double_eq(liveness_silence(l, 3, 125), 25);
    liveness_excuse(l, 130, 130);
    liveness_excuse(l, 130, 120);
    ck_assert_double_eq(liveness_silence(l, 1, 130), 6);
    liveness_destroy(l);
}
END_TEST

/* Heard during the gap (it cannot be, but the clock may say so): never
 * later than the gap's end. */
START_TEST(excuse_never_past_now)
{
    struct liveness *l = liveness_create(2, 10, 100);
    liveness_heard(l, 1, 118);
    liveness_excuse(l, 110, 120);
    ck_assert_double_eq(liveness_silence(l, 1, 120), 0);
    liveness_destroy(l);
}
END_TEST

static Suite *liveness_suite(void)
{
    Suite *s = suite_create("liveness");
    TCase *tc = tcase_create("liveness");
    tcase_add_test(tc, silent_rank_lost_once);
    tcase_add_test(tc, rank_zero_never_lost);
    tcase_add_test(tc, no_timeout_never_lost);
    tcase_add_test(tc, time_going_back_ignored);
    tcase_add_test(tc, rank_zero_stall_excused);
    tcase_add_test(tc, excuse_never_past_now);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(liveness_suite());
}
