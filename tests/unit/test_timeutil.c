/* SPDX-License-Identifier: BSD-3-Clause */
/* test_timeutil.c - unit tests of how times are written (timeutil.h): the
 * documented examples, the boundaries between the forms, and values no clock
 * gives but a malformed message can (huge, negative, NaN, infinite). */
#include "config.h"

#include "common/timeutil.h"

#include <math.h>

#include "unit.h"

static const char *dur(double s)
{
    static char buf[64];
    memset(buf, 'X', sizeof buf);
    time_format_duration(s, buf, sizeof buf);
    return buf;
}

static const char *iso(double t)
{
    static char buf[64];
    memset(buf, 'X', sizeof buf);
    time_format_iso(t, buf, sizeof buf);
    return buf;
}

START_TEST(duration_forms)
{
    ck_assert_str_eq(dur(0.31), "0.31s");
    ck_assert_str_eq(dur(9.994), "9.99s");
    ck_assert_str_eq(dur(12.5), "12.5s");
    ck_assert_str_eq(dur(59.9), "59.9s");
    ck_assert_str_eq(dur(323), "5m 23s");
    ck_assert_str_eq(dur(3599), "59m 59s");
    ck_assert_str_eq(dur(3600), "1h 00m");
    ck_assert_str_eq(dur(7500), "2h 05m");
    ck_assert_str_eq(dur(100 * 3600 + 59 * 60 + 59), "100h 59m");
}
END_TEST

/* Durations past INT_MAX hours were converted to int: undefined behaviour,
 * found by fuzz/fuzz_msg under UBSan (a result message's attempt lasting
 * 8e130 s, printed in rank 0's progress line). */
START_TEST(duration_extremes)
{
    ck_assert_str_eq(dur(-1), "0.00s");
    ck_assert_str_eq(dur(NAN), "0.00s");
    ck_assert_str_eq(dur(INFINITY), "0.00s");
    ck_assert_str_eq(dur(-INFINITY), "0.00s");
    ck_assert_str_eq(dur(2147483648.0 * 3600), "2147483648h 00m");
    unit_assert_prefix(dur(1e20), "27777777777777776h ");
    /* whatever the value, the text is cut to fit the buffer */
    const char *big = dur(8e130);
    ck_assert_uint_lt(strnlen(big, 64), 64);
    ck_assert(big[0] >= '1' && big[0] <= '9');
    char small[6];
    time_format_duration(1e300, small, sizeof small);
    ck_assert_uint_eq(strlen(small), 5);
}
END_TEST

START_TEST(iso_forms)
{
    ck_assert_str_eq(iso(0), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(1795953662.125), "2026-11-29T12:01:02.125Z");
    ck_assert_str_eq(iso(253402300799.5), "9999-12-31T23:59:59.500Z");
}
END_TEST

/* Past year 9999 (and past a time_t) the time is not one: the epoch, as for
 * NaN and negative values, rather than an undefined conversion. */
START_TEST(iso_extremes)
{
    ck_assert_str_eq(iso(-1), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(NAN), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(INFINITY), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(253402300800.0), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(1e19), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(1e300), "1970-01-01T00:00:00.000Z");
}
END_TEST

static Suite *timeutil_suite(void)
{
    Suite *s = suite_create("timeutil");
    TCase *tc = tcase_create("timeutil");
    tcase_add_test(tc, duration_forms);
    tcase_add_test(tc, duration_extremes);
    tcase_add_test(tc, iso_forms);
    tcase_add_test(tc, iso_extremes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(timeutil_suite());
}
