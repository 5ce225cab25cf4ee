/* SPDX-License-Identifier: BSD-3-Clause */
/* test_rescue.c - unit tests of the rescue queue (rescue.h). */
#include "config.h"

#include "coord/rescue.h"

#include "unit.h"

START_TEST(first_in_first_out)
{
    struct rescue *q = rescue_create(10, 3);
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(rescue_take(q, 0), -1); /* empty */
    ck_assert_int_eq(rescue_push(q, 7), 0);
    ck_assert_int_eq(rescue_push(q, 2), 0);
    ck_assert_int_eq(rescue_push(q, 9), 0);
    ck_assert_int_eq(rescue_count(q), 3);
    ck_assert_int_eq(rescue_at(q, 1), 2);
    ck_assert_int_eq(rescue_take(q, 1), 7);
    ck_assert_int_eq(rescue_take(q, 2), 2);
    ck_assert_int_eq(rescue_take(q, 0), 9);
    ck_assert_int_eq(rescue_count(q), 0);
    rescue_destroy(q);
}
END_TEST

/* A shard that could not start on a host is not handed to it again; the
 * ones behind it are, in order. */
START_TEST(avoided_hosts_skipped)
{
    struct rescue *q = rescue_create(10, 4);
    ck_assert_int_eq(rescue_avoid(q, 3, 1), 0);
    ck_assert_int_eq(rescue_avoid(q, 3, 2), 0);
    ck_assert(rescue_avoids(q, 3, 1));
    ck_assert(!rescue_avoids(q, 3, 0));
    ck_assert(!rescue_avoids(q, 4, 1));
    ck_assert_int_eq(rescue_avoided_count(q, 3), 2);
    ck_assert_int_eq(rescue_avoided_count(q, 4), 0);
    ck_assert_int_eq(rescue_push(q, 3), 0);
    ck_assert_int_eq(rescue_push(q, 4), 0);
    ck_assert_int_eq(rescue_push(q, 5), 0);
    ck_assert_int_eq(rescue_take(q, 1), 4); /* 3 avoids host 1 */
    ck_assert_int_eq(rescue_take(q, 2), 5);
    ck_assert_int_eq(rescue_take(q, 2), -1); /* only 3 is left, and it avoids host 2 */
    ck_assert_int_eq(rescue_count(q), 1);
    ck_assert_int_eq(rescue_take(q, 3), 3);
    /* avoiding stays once taken: the shard may come back */
    ck_assert(rescue_avoids(q, 3, 2));
    rescue_destroy(q);
}
END_TEST

START_TEST(remove_in_the_middle)
{
    struct rescue *q = rescue_create(5, 1);
    for (long i = 0; i < 5; i++)
        ck_assert_int_eq(rescue_push(q, i), 0);
    rescue_remove(q, 2);
    rescue_remove(q, 3); /* the last one: 4 */
    rescue_remove(q, 0);
    ck_assert_int_eq(rescue_count(q), 2);
    ck_assert_int_eq(rescue_at(q, 0), 1);
    ck_assert_int_eq(rescue_at(q, 1), 3);
    rescue_destroy(q);
}
END_TEST

START_TEST(bad_arguments_refused)
{
    struct rescue *q = rescue_create(2, 2);
    ck_assert_int_eq(rescue_push(q, -1), -1);
    ck_assert_int_eq(rescue_push(q, 2), -1);
    ck_assert_int_eq(rescue_avoid(q, 0, 2), -1);
    ck_assert_int_eq(rescue_avoid(q, 0, -1), -1);
    ck_assert_int_eq(rescue_avoid(q, 5, 0), -1);
    ck_assert(!rescue_avoids(q, 5, 0));
    ck_assert_int_eq(rescue_push(q, 0), 0);
    ck_assert_int_eq(rescue_push(q, 1), 0);
    ck_assert_int_eq(rescue_push(q, 1), -1); /* full: a shard is queued once */
    rescue_destroy(q);
    rescue_destroy(NULL);
    q = rescue_create(0, 1); /* no shards at all */
    ck_assert_ptr_nonnull(q);
    ck_assert_int_eq(rescue_take(q, 0), -1);
    rescue_destroy(q);
}
END_TEST

static Suite *rescue_suite(void)
{
    Suite *s = suite_create("rescue");
    TCase *tc = tcase_create("queue");
    tcase_add_test(tc, first_in_first_out);
    tcase_add_test(tc, avoided_hosts_skipped);
    tcase_add_test(tc, remove_in_the_middle);
    tcase_add_test(tc, bad_arguments_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(rescue_suite());
}
