/* SPDX-License-Identifier: BSD-3-Clause */
/* test_median.c - unit tests of the median of the known predictions
 * (median.h): odd and even counts, unknowns left out, through an index or
 * not, and nothing known. */
#include "config.h"

#include "sched/median.h"

#include <math.h>

#include "unit.h"

START_TEST(odd_even_and_unknown)
{
    double v[] = {5, NAN, 1, 3, NAN, 10};
    double m = -1;
    ck_assert_int_eq(median_of_known(v, NULL, 4, &m), 3); /* 5 1 3 */
    ck_assert(m == 3);
    ck_assert_int_eq(median_of_known(v, NULL, 6, &m), 4); /* 1 3 5 10 */
    ck_assert(m == 4);
    long at[] = {5, 0, 1}; /* 10 5: the mean of the middle two */
    ck_assert_int_eq(median_of_known(v, at, 3, &m), 2);
    ck_assert(m == 7.5);
    long one[] = {2};
    ck_assert_int_eq(median_of_known(v, one, 1, &m), 1);
    ck_assert(m == 1);
}
END_TEST

START_TEST(nothing_known_leaves_it)
{
    double v[] = {NAN, NAN};
    double m = 42;
    ck_assert_int_eq(median_of_known(v, NULL, 2, &m), 0);
    ck_assert(m == 42);
    ck_assert_int_eq(median_of_known(v, NULL, 0, &m), 0);
    ck_assert(m == 42);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("median");
    TCase *tc = tcase_create("median");
    tcase_add_test(tc, odd_even_and_unknown);
    tcase_add_test(tc, nothing_known_leaves_it);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
