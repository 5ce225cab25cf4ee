/* SPDX-License-Identifier: BSD-3-Clause */
/* test_batch.c - unit tests of items packed into batches (sched/batch.h):
 * cases by hand, and on random small cases against a brute-force oracle:
 * the best packing found by trying every assignment, which LPT must come
 * within Graham's bound of (4/3 - 1/(3m) of the optimum for m batches). */
#include "config.h"

#include "sched/batch.h"

#include <errno.h>
#include <math.h>

#include "unit.h"

START_TEST(without_history_round_robin)
{
    double s[] = {NAN, NAN, NAN, NAN, NAN};
    long b[5];
    ck_assert_int_eq(batch_pack(s, 5, 2, b), 2);
    long want[] = {0, 1, 0, 1, 0};
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(b[k], want[k]);
    ck_assert_int_eq(batch_pack(s, 5, 9, b), 5); /* no more batches than items */
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(b[k], k);
}
END_TEST

/* 0.6 and 0.6 apart; numbered by their first item; unknown as the median. */
START_TEST(by_hand)
{
    double s[] = {0.6, 0.1, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1};
    long b[8];
    ck_assert_int_eq(batch_pack(s, 8, 2, b), 2);
    ck_assert_int_ne(b[0], b[2]);
    ck_assert_int_eq(b[0], 0);
    double load[2] = {0, 0};
    for (int k = 0; k < 8; k++)
        load[b[k]] += s[k];
    ck_assert(fabs(load[0] - load[1]) < 1e-9);
    double u[] = {NAN, 5, 1, 3}; /* the unknown counts 3 */
    ck_assert_int_eq(batch_pack(u, 4, 2, b), 2);
    /* 5, then (3) and 3 (ties in order) into the other, then 1 with 5:
     * {(3), 3} is batch 0, numbered by its first item, {5, 1} batch 1 */
    ck_assert_int_eq(b[0], 0);
    ck_assert_int_eq(b[3], 0);
    ck_assert_int_eq(b[1], 1);
    ck_assert_int_eq(b[2], 1);
}
END_TEST

START_TEST(refused)
{
    double s[] = {1, -1}, inf[] = {1, INFINITY};
    long b[2];
    errno = 0;
    ck_assert_int_eq(batch_pack(s, 2, 2, b), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(batch_pack(inf, 2, 2, b), -1);
    ck_assert_int_eq(batch_pack(s, 0, 2, b), -1);
    ck_assert_int_eq(batch_pack(s, 1, 0, b), -1);
}
END_TEST

/* The smallest possible largest batch, by trying every assignment. */
static double best(const double *s, int n, int m)
{
    long ways = 1;
    for (int k = 0; k < n; k++)
        ways *= m;
    double opt = INFINITY;
    for (long w = 0; w < ways; w++) {
        double load[4] = {0, 0, 0, 0};
        long x = w;
        for (int k = 0; k < n; k++, x /= m)
            load[x % m] += s[k];
        double top = 0;
        for (int j = 0; j < m; j++)
            top = fmax(top, load[j]);
        opt = fmin(opt, top);
    }
    return opt;
}

START_TEST(within_grahams_bound_of_the_best)
{
    unsigned x = 99;
#define RND(n) ((x = x * 1103515245u + 12345u) >> 16) % (unsigned)(n)
    for (int c = 0; c < 400; c++) {
        int n = 1 + (int)RND(8), m = 1 + (int)RND(3);
        double s[8];
        long b[8];
        for (int k = 0; k < n; k++)
            s[k] = 0.1 + RND(100) / 10.0;
        long nb = batch_pack(s, n, m, b);
        ck_assert_int_eq(nb, n < m ? n : m);
        double load[4] = {0, 0, 0, 0}, top = 0;
        long seen = 0;
        for (int k = 0; k < n; k++) {
            ck_assert(b[k] >= 0 && b[k] < nb);
            ck_assert_msg(b[k] <= seen, "case %d: batch %ld before batch %ld", c, b[k], seen);
            if (b[k] == seen)
                seen++;
            load[b[k]] += s[k];
        }
        ck_assert_int_eq(seen, nb); /* none empty */
        for (int j = 0; j < nb; j++)
            top = fmax(top, load[j]);
        double opt = best(s, n, (int)nb);
        ck_assert_msg(top <= opt * (4.0 / 3 - 1.0 / (3 * (double)nb)) + 1e-9,
                      "case %d: %g against the best %g", c, top, opt);
    }
#undef RND
}
END_TEST

int main(void)
{
    Suite *s = suite_create("batch");
    TCase *tc = tcase_create("batch");
    tcase_add_test(tc, without_history_round_robin);
    tcase_add_test(tc, by_hand);
    tcase_add_test(tc, refused);
    tcase_add_test(tc, within_grahams_bound_of_the_best);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
