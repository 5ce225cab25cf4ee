/* SPDX-License-Identifier: BSD-3-Clause */
/* test_progress.c - the live view's text. */
#include "config.h"

#include "coord/progress.h"

#include "unit.h"

static int max_line(const char *buf)
{
    int longest = 0, cur = 0;
    for (const char *p = buf; *p; p++) {
        if (*p == '\n') {
            longest = cur > longest ? cur : longest;
            cur = 0;
        } else {
            cur++;
        }
    }
    return cur > longest ? cur : longest;
}

START_TEST(the_seed_example)
{
    struct progress_host hosts[] = {
        {"local", 12, 16}, {"moruk", 22, 24}, {"ilko2", 1, 4}, {"pi", 0, 4}};
    struct progress_view v = {48, 35, 33, 2, 323, 4, hosts, false, 0};
    char buf[4096];
    int n = progress_render(&v, 80, buf, sizeof buf);
    ck_assert_int_eq(n, 8);
    ck_assert_ptr_nonnull(strstr(buf, "Overall: 35/48 (72.9%)\n"));
    ck_assert_ptr_nonnull(strstr(buf, "Passed: 33\nFailed: 2\nTime: 5m 23s\n"));
    /* 40 columns of bar: moruk 22/24 fills 36 of them */
    ck_assert_ptr_nonnull(strstr(buf, "moruk [####################################....] 22/24\n"));
    ck_assert_ptr_nonnull(strstr(buf, "pi    [........................................]   0/4\n"));
}
END_TEST

START_TEST(fits_every_width)
{
    struct progress_host hosts[] = {{"a-very-long-host-name-indeed.example.org", 5, 1000},
                                    {"b", 1000, 1000}};
    struct progress_view v = {2000, 1005, 1000, 5, 3725, 2, hosts, true, 7199.5};
    /* from 30 columns on every line fits ("Overall: 1005/2000 (50.2%)" is 26,
     * "Time: 1h 02m, ETA 2h 00m" 24) */
    for (int width = 30; width <= 200; width++) {
        char buf[4096];
        int n = progress_render(&v, width, buf, sizeof buf);
        unit_require(n == 6, "width %d: %d lines", width, n);
        unit_require(max_line(buf) <= width - 1, "width %d: a line of %d characters", width,
                     max_line(buf));
    }
    /* narrower than 20 draws as 20 */
    char narrow[4096], twenty[4096];
    progress_render(&v, 3, narrow, sizeof narrow);
    progress_render(&v, 20, twenty, sizeof twenty);
    ck_assert_str_eq(narrow, twenty);
}
END_TEST

START_TEST(the_eta_on_the_time_line)
{
    struct progress_host hosts[] = {{"moruk", 22, 24}};
    struct progress_view v = {48, 35, 33, 2, 323, 1, hosts, true, 82.4};
    char buf[4096];
    ck_assert_int_eq(progress_render(&v, 80, buf, sizeof buf), 5);
    ck_assert_ptr_nonnull(strstr(buf, "Failed: 2\nTime: 5m 23s, ETA 1m 23s\nmoruk"));
    /* no estimate: no ETA, not a made-up one */
    v.has_eta = false;
    progress_render(&v, 80, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "Failed: 2\nTime: 5m 23s\nmoruk"));
    ck_assert_ptr_null(strstr(buf, "ETA"));
}
END_TEST

START_TEST(nothing_assigned_and_done)
{
    struct progress_host hosts[] = {{"idle", 0, 0}};
    struct progress_view v = {0, 0, 0, 0, 0, 1, hosts, false, 0};
    char buf[1024];
    progress_render(&v, 40, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "Overall: 0/0 (100.0%)\n"));
    ck_assert_ptr_nonnull(strstr(buf, "idle ["));
    ck_assert_ptr_null(strstr(buf, "#"));
}
END_TEST

START_TEST(small_buffer_is_cut_and_terminated)
{
    struct progress_host hosts[] = {{"h", 1, 2}};
    struct progress_view v = {2, 1, 1, 0, 1, 1, hosts, false, 0};
    char buf[10];
    memset(buf, 'x', sizeof buf);
    progress_render(&v, 80, buf, sizeof buf);
    ck_assert_int_lt(strlen(buf), sizeof buf);
    ck_assert(!strncmp(buf, "Overall: ", 9));
}
END_TEST

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, the_seed_example);
    tcase_add_test(tc, fits_every_width);
    tcase_add_test(tc, the_eta_on_the_time_line);
    tcase_add_test(tc, nothing_assigned_and_done);
    tcase_add_test(tc, small_buffer_is_cut_and_terminated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(progress_suite());
}
