/* SPDX-License-Identifier: BSD-3-Clause */
/* test_backoff.c - unit tests of the retry delay schedule (backoff.h). */
#include "config.h"

#include "exec/backoff.h"

#include <limits.h>
#include <math.h>

#include "unit.h"

/* Just below 1: the largest u the contract allows. */
#define U_TOP nextafter(1.0, 0.0)

/* The contract written out plainly, to compare the function with. */
static double oracle(double base, double max, double jitter, int retry, double u)
{
    if (retry < 1 || base <= 0)
        return 0;
    double d = fmin(base * pow(2.0, retry - 1), max); /* pow: inf past the range, then max */
    d *= 1.0 + jitter * (2.0 * u - 1.0);
    return fmax(0.0, fmin(d, max));
}

START_TEST(doubles_from_base)
{
    ck_assert_double_eq(backoff_delay(5, 300, 0, 1, 0.3), 5);
    ck_assert_double_eq(backoff_delay(5, 300, 0, 2, 0.3), 10);
    ck_assert_double_eq(backoff_delay(5, 300, 0, 3, 0.3), 20);
    ck_assert_double_eq(backoff_delay(5, 300, 0, 4, 0.9), 40);
    ck_assert_double_eq(backoff_delay(0.5, 300, 0, 1, 0), 0.5);
}
END_TEST

START_TEST(middle_u_cancels_jitter)
{
    /* u = 0.5 makes the jitter factor exactly 1 */
    ck_assert_double_eq(backoff_delay(5, 300, 0.1, 1, 0.5), 5);
    ck_assert_double_eq(backoff_delay(5, 300, 0.1, 2, 0.5), 10);
    ck_assert_double_eq(backoff_delay(5, 300, 0.1, 3, 0.5), 20);
    ck_assert_double_eq(backoff_delay(5, 300, 1.0, 3, 0.5), 20);
}
END_TEST

START_TEST(capped_at_max)
{
    ck_assert_double_eq(backoff_delay(5, 30, 0, 3, 0.5), 20);
    ck_assert_double_eq(backoff_delay(5, 30, 0, 4, 0.5), 30);
    ck_assert_double_eq(backoff_delay(5, 30, 0, 10, 0.5), 30);
    /* max below base: the cap wins from the first retry */
    ck_assert_double_eq(backoff_delay(10, 4, 0, 1, 0.5), 4);
    /* max 0: never wait */
    ck_assert_double_eq(backoff_delay(10, 0, 0.5, 1, 0.9), 0);
}
END_TEST

START_TEST(jitter_bounds)
{
    /* base 10, jitter 0.2: [8, 12) */
    ck_assert_double_eq_tol(backoff_delay(10, 1000, 0.2, 1, 0.0), 8, 1e-12);
    ck_assert_double_eq_tol(backoff_delay(10, 1000, 0.2, 1, U_TOP), 12, 1e-9);
    ck_assert_double_eq_tol(backoff_delay(10, 1000, 0.2, 1, 0.25), 9, 1e-12);
    for (int i = 0; i <= 1000; i++) {
        double u = i / 1001.0;
        double d = backoff_delay(10, 1000, 0.2, 1, u);
        ck_assert_msg(d >= 8 - 1e-12 && d < 12, "u=%g gives %g, outside [8, 12)", u, d);
        /* monotone in u */
        if (i > 0)
            ck_assert_double_ge(d, backoff_delay(10, 1000, 0.2, 1, (i - 1) / 1001.0));
    }
}
END_TEST

START_TEST(jitter_kept_within_zero_and_max)
{
    /* at the cap, jitter may lower the delay but never raise it past max */
    ck_assert_double_eq(backoff_delay(5, 30, 0.5, 10, U_TOP), 30);
    ck_assert_double_eq_tol(backoff_delay(5, 30, 0.5, 10, 0.0), 15, 1e-12);
    /* a jitter of 1 can reach 0, and more than 1 must not go negative */
    ck_assert_double_eq(backoff_delay(5, 30, 1.0, 1, 0.0), 0);
    ck_assert_double_eq(backoff_delay(5, 30, 3.0, 1, 0.0), 0);
    ck_assert_double_eq_tol(backoff_delay(5, 30, 3.0, 1, U_TOP), 20, 1e-9);
    ck_assert_double_eq(backoff_delay(5, 30, 3.0, 3, U_TOP), 30);
}
END_TEST

START_TEST(no_delay_before_first_retry)
{
    ck_assert_double_eq(backoff_delay(5, 300, 0, 0, 0.5), 0);
    ck_assert_double_eq(backoff_delay(5, 300, 0.1, -1, 0.9), 0);
    ck_assert_double_eq(backoff_delay(5, 300, 0.1, INT_MIN, 0.9), 0);
}
END_TEST

START_TEST(zero_base_is_no_delay)
{
    ck_assert_double_eq(backoff_delay(0, 300, 0, 1, 0.5), 0);
    ck_assert_double_eq(backoff_delay(0, 300, 0.1, 5, 0.9), 0);
    ck_assert_double_eq(backoff_delay(0, 300, 0.1, 1000, 0.9), 0);
}
END_TEST

START_TEST(huge_retry_numbers)
{
    const int retries[] = {31, 32, 62, 63, 64, 65, 100, 1000, 1024, 1025, 5000, INT_MAX};
    for (size_t i = 0; i < sizeof retries / sizeof retries[0]; i++) {
        double d = backoff_delay(5, 300, 0, retries[i], 0.5);
        ck_assert_msg(isfinite(d), "retry %d gives %g", retries[i], d);
        ck_assert_msg(d == 300, "retry %d gives %g, not the cap 300", retries[i], d);
        d = backoff_delay(5, 300, 0.1, retries[i], U_TOP);
        ck_assert_msg(d == 300, "retry %d with jitter gives %g, not the cap 300", retries[i], d);
        d = backoff_delay(5, 300, 0.1, retries[i], 0.0);
        ck_assert_msg(isfinite(d) && fabs(d - 270) < 1e-9, "retry %d, u 0 gives %g", retries[i], d);
    }
}
END_TEST

/* The doubling must be exact until the cap, however many retries it takes
 * to get there: a tiny base needs more than 63 doublings. */
START_TEST(tiny_base_keeps_doubling)
{
    ck_assert_double_eq(backoff_delay(1.0 / 1024, 300, 0, 11, 0.5), 1);
    double base = 1e-20;
    double want = base * ldexp(1.0, 63); /* about 0.092 s, far below the cap */
    double got = backoff_delay(base, 86400, 0, 64, 0.5);
    ck_assert_msg(fabs(got - want) < 1e-12, "base %g retry 64: got %g, want %g", base, got, want);
    got = backoff_delay(base, 86400, 0, 70, 0.5);
    want = base * ldexp(1.0, 69);
    ck_assert_msg(fabs(got - want) < 1e-9, "base %g retry 70: got %g, want %g", base, got, want);
}
END_TEST

START_TEST(random_against_oracle)
{
    unsigned long long st = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 20000; i++) {
        double base =
            ldexp((double)unit_rand_range(&st, 1, 1000), (int)unit_rand_range(&st, -40, 10));
        double max = (double)unit_rand_range(&st, 0, 86400);
        double jitter = (double)unit_rand_range(&st, 0, 100) / 100;
        int retry = (int)unit_rand_range(&st, -2, 1100);
        double u = (double)(unit_rand(&st) >> 11) / 9007199254740992.0; /* [0, 1) */
        double got = backoff_delay(base, max, jitter, retry, u);
        double want = oracle(base, max, jitter, retry, u);
        ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1.0, want),
                      "backoff_delay(%a, %g, %g, %d, %a) = %g, want %g", base, max, jitter, retry,
                      u, got, want);
        ck_assert_msg(got >= 0 && got <= max, "outside [0, max]: %g", got);
    }
}
END_TEST

static Suite *backoff_suite(void)
{
    Suite *s = suite_create("backoff");
    TCase *tc = tcase_create("backoff");
    tcase_add_test(tc, doubles_from_base);
    tcase_add_test(tc, middle_u_cancels_jitter);
    tcase_add_test(tc, capped_at_max);
    tcase_add_test(tc, jitter_bounds);
    tcase_add_test(tc, jitter_kept_within_zero_and_max);
    tcase_add_test(tc, no_delay_before_first_retry);
    tcase_add_test(tc, zero_base_is_no_delay);
    tcase_add_test(tc, huge_retry_numbers);
    tcase_add_test(tc, tiny_base_keeps_doubling);
    tcase_add_test(tc, random_against_oracle);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(backoff_suite());
}
