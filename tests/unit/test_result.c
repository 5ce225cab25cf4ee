/* SPDX-License-Identifier: BSD-3-Clause */
/* test_result.c - unit tests of shard results (result.h). */
#include "config.h"

#include "model/result.h"

#include <errno.h>
#include <math.h>

#include "unit.h"

static struct attempt att(int outcome, double start, double duration)
{
    return (struct attempt){.outcome = outcome,
                            .exit_code = outcome == OUTCOME_PASSED ? 0 : -1,
                            .signal = 0,
                            .start = start,
                            .duration = duration};
}

/* The class of the attempts with these outcomes (n at most 8). */
static int status_of(const int *outcomes, int n)
{
    struct attempt a[8];
    for (int i = 0; i < n; i++)
        a[i] = att(outcomes[i], i, 1);
    return result_status_from_attempts(n ? a : NULL, n);
}

START_TEST(status_single_attempt)
{
    ck_assert_int_eq(status_of((int[]){OUTCOME_PASSED}, 1), STATUS_PASSED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_FAILED}, 1), STATUS_FAILED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_TIMEOUT}, 1), STATUS_TIMEOUT);
    ck_assert_int_eq(status_of((int[]){OUTCOME_CRASHED}, 1), STATUS_CRASHED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_EXEC_ERROR}, 1), STATUS_EXEC_ERROR);
}
END_TEST

START_TEST(status_no_attempts_is_lost)
{
    ck_assert_int_eq(result_status_from_attempts(NULL, 0), STATUS_LOST);
}
END_TEST

START_TEST(status_pass_after_failure_is_flaky)
{
    ck_assert_int_eq(status_of((int[]){OUTCOME_FAILED, OUTCOME_PASSED}, 2), STATUS_FLAKY);
    ck_assert_int_eq(status_of((int[]){OUTCOME_TIMEOUT, OUTCOME_PASSED}, 2), STATUS_FLAKY);
    ck_assert_int_eq(status_of((int[]){OUTCOME_CRASHED, OUTCOME_FAILED, OUTCOME_PASSED}, 3),
                     STATUS_FLAKY);
    ck_assert_int_eq(status_of((int[]){OUTCOME_EXEC_ERROR, OUTCOME_PASSED}, 2), STATUS_FLAKY);
}
END_TEST

START_TEST(status_last_attempt_decides)
{
    ck_assert_int_eq(status_of((int[]){OUTCOME_PASSED, OUTCOME_FAILED}, 2), STATUS_FAILED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_FAILED, OUTCOME_TIMEOUT}, 2), STATUS_TIMEOUT);
    ck_assert_int_eq(status_of((int[]){OUTCOME_TIMEOUT, OUTCOME_CRASHED}, 2), STATUS_CRASHED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_FAILED, OUTCOME_FAILED, OUTCOME_EXEC_ERROR}, 3),
                     STATUS_EXEC_ERROR);
    ck_assert_int_eq(status_of((int[]){OUTCOME_CRASHED, OUTCOME_FAILED, OUTCOME_FAILED}, 3),
                     STATUS_FAILED);
}
END_TEST

START_TEST(status_classes_partition)
{
    /* a shard not run (--max-failures) is none of them: the failures that
     * stopped the run decide */
    for (int s = 0; s < STATUS_COUNT; s++) {
        int n = (status_is_pass(s) != 0) + (status_is_test_failure(s) != 0) +
                (status_is_infra(s) != 0) + (s == STATUS_SKIPPED);
        ck_assert_msg(n == 1, "status %s is in %d classes", status_name(s), n);
    }
    ck_assert(status_is_pass(STATUS_PASSED));
    ck_assert(status_is_pass(STATUS_FLAKY));
    ck_assert(status_is_test_failure(STATUS_FAILED));
    ck_assert(status_is_test_failure(STATUS_TIMEOUT));
    ck_assert(status_is_test_failure(STATUS_CRASHED));
    ck_assert(status_is_infra(STATUS_EXEC_ERROR));
    ck_assert(status_is_infra(STATUS_LOST));
    ck_assert(status_is_infra(STATUS_INTERRUPTED));
}
END_TEST

START_TEST(exit_status_precedence)
{
    long c[STATUS_COUNT] = {0};
    ck_assert_int_eq(result_exit_status(c), EXIT_PASSED); /* nothing ran */
    c[STATUS_PASSED] = 10;
    ck_assert_int_eq(result_exit_status(c), 0);
    c[STATUS_FLAKY] = 3;
    ck_assert_int_eq(result_exit_status(c), 0); /* flaky only: still a pass */
    c[STATUS_SKIPPED] = 4;
    ck_assert_int_eq(result_exit_status(c), 0); /* not run: no failure of its own */
    c[STATUS_SKIPPED] = 0;
    c[STATUS_TIMEOUT] = 1;
    ck_assert_int_eq(result_exit_status(c), 1);
    c[STATUS_LOST] = 1;
    ck_assert_int_eq(result_exit_status(c), 3);
    c[STATUS_TIMEOUT] = 0;
    ck_assert_int_eq(result_exit_status(c), 3);

    long only_flaky[STATUS_COUNT] = {0};
    only_flaky[STATUS_FLAKY] = 1;
    ck_assert_int_eq(result_exit_status(only_flaky), 0);
    ck_assert_int_eq(EXIT_PASSED, 0);
    ck_assert_int_eq(EXIT_TEST_FAILED, 1);
    ck_assert_int_eq(EXIT_USAGE, 2);
    ck_assert_int_eq(EXIT_INFRA, 3);
}
END_TEST

/* Every combination of present and absent classes. */
START_TEST(exit_status_all_combinations)
{
    for (int mask = 0; mask < (1 << STATUS_COUNT); mask++) {
        long c[STATUS_COUNT];
        int infra = 0, fail = 0;
        for (int s = 0; s < STATUS_COUNT; s++) {
            c[s] = (mask >> s) & 1 ? 1 + s : 0;
            if (c[s] && (s == STATUS_EXEC_ERROR || s == STATUS_LOST || s == STATUS_INTERRUPTED))
                infra = 1;
            if (c[s] && (s == STATUS_FAILED || s == STATUS_TIMEOUT || s == STATUS_CRASHED))
                fail = 1;
        }
        int want = infra ? 3 : fail ? 1 : 0;
        unit_require(result_exit_status(c) == want, "mask %#x: %d, want %d", mask,
                     result_exit_status(c), want);
    }
}
END_TEST

START_TEST(names)
{
    const char *want[STATUS_COUNT] = {"passed",     "flaky", "failed",      "timeout", "crashed",
                                      "exec_error", "lost",  "interrupted", "skipped"};
    for (int s = 0; s < STATUS_COUNT; s++) {
        ck_assert_str_eq(status_name(s), want[s]);
        ck_assert_int_eq(status_from_name(want[s]), s);
        ck_assert_ptr_nonnull(status_label(s));
        ck_assert_ptr_null(strchr(status_label(s), '_'));
    }
    ck_assert_int_eq(status_from_name("great"), -1);
    ck_assert_int_eq(outcome_from_name("crashed"), OUTCOME_CRASHED);
    ck_assert_int_eq(outcome_from_name("skipped"), -1);
    ck_assert_str_eq(status_label(STATUS_SKIPPED), "not run");
    ck_assert_str_eq(status_label(STATUS_EXEC_ERROR), "exec error");
    ck_assert_str_eq(status_label(STATUS_PASSED), "passed");
    const char *want_outcome[OUTCOME_COUNT] = {"passed",  "failed",     "timeout",
                                               "crashed", "exec_error", "superseded"};
    for (int o = 0; o < OUTCOME_COUNT; o++)
        ck_assert_str_eq(outcome_name(o), want_outcome[o]);
    /* out-of-range values still give a printable name */
    ck_assert_ptr_nonnull(status_name(-1));
    ck_assert_ptr_nonnull(status_name(STATUS_COUNT));
    ck_assert_ptr_nonnull(status_label(STATUS_COUNT + 5));
    ck_assert_ptr_nonnull(outcome_name(OUTCOME_COUNT));
}
END_TEST

START_TEST(elapsed_and_busy)
{
    struct attempt a[3] = {att(OUTCOME_FAILED, 100, 2), att(OUTCOME_FAILED, 105, 1.5),
                           att(OUTCOME_PASSED, 110, 3)};
    struct shard_result r = {.index = 0, .nattempts = 3, .attempts = a};
    ck_assert_double_eq_tol(result_elapsed(&r), 13, 1e-9);
    ck_assert_double_eq_tol(result_busy(&r), 6.5, 1e-9);
    r.nattempts = 1;
    ck_assert_double_eq_tol(result_elapsed(&r), 2, 1e-9);
    ck_assert_double_eq_tol(result_busy(&r), 2, 1e-9);
    r.nattempts = 0;
    r.attempts = NULL;
    ck_assert_double_eq(result_elapsed(&r), 0);
    ck_assert_double_eq(result_busy(&r), 0);
}
END_TEST

START_TEST(new_missing)
{
    struct shard_result *r = result_new_missing(41, STATUS_LOST);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->index, 41);
    ck_assert_int_eq(r->status, STATUS_LOST);
    ck_assert_int_eq(r->rank, -1);
    ck_assert_int_eq(r->slot, -1);
    ck_assert_int_eq(r->nattempts, 0);
    ck_assert_ptr_null(r->attempts);
    ck_assert_ptr_null(r->log);
    ck_assert_ptr_null(r->error);
    errno = EXDEV;
    result_free(r);
    ck_assert_int_eq(errno, EXDEV);
    result_free(NULL);
    ck_assert_int_eq(errno, EXDEV);

    r = result_new_missing(0, STATUS_INTERRUPTED);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->index, 0);
    ck_assert_int_eq(r->status, STATUS_INTERRUPTED);
    ck_assert_int_eq(r->rank, -1);
    ck_assert_int_eq(r->nattempts, 0);
    result_free(r);
}
END_TEST

/* --retry-elsewhere: the attempts made where the shard could not start,
 * then the new host's; its class stands, but a pass becomes flaky. */
START_TEST(merge_attempts)
{
    struct shard_result *early = result_new_missing(4, STATUS_EXEC_ERROR);
    early->nattempts = 1;
    early->attempts = calloc(1, sizeof *early->attempts);
    early->attempts[0] = (struct attempt){OUTCOME_EXEC_ERROR, -1, 0, 10, 0, 1, 3, 0};
    early->error = strdup("cannot run npx: No such file or directory");
    struct shard_result *late = result_new_missing(4, STATUS_PASSED);
    late->rank = late->slot = 1;
    late->nattempts = 1;
    late->attempts = calloc(1, sizeof *late->attempts);
    late->attempts[0] = (struct attempt){OUTCOME_PASSED, 0, 0, 11, 2, 2, 1, 0};
    struct shard_result *m = result_merge(early, late);
    ck_assert_ptr_eq(m, late);
    ck_assert_int_eq(m->nattempts, 2);
    ck_assert_int_eq(m->attempts[0].rank, 3);
    ck_assert_int_eq(m->attempts[0].outcome, OUTCOME_EXEC_ERROR);
    ck_assert_int_eq(m->attempts[1].number, 2);
    ck_assert_int_eq(m->status, STATUS_FLAKY);
    ck_assert_int_eq(m->rank, 1);
    ck_assert_ptr_null(m->error); /* it did start in the end */
    ck_assert_double_eq(result_elapsed(m), 3);

    /* a class --collect set stays: failed, though the last attempt passed */
    early = result_new_missing(4, STATUS_EXEC_ERROR);
    early->nattempts = 1;
    early->attempts = calloc(1, sizeof *early->attempts);
    early->attempts[0] = (struct attempt){OUTCOME_EXEC_ERROR, -1, 0, 10, 0, 1, 3, 0};
    m->status = STATUS_FAILED;
    m = result_merge(early, m);
    ck_assert_int_eq(m->nattempts, 3);
    ck_assert_int_eq(m->status, STATUS_FAILED);
    result_free(m);

    /* nothing earlier: later as it is */
    late = result_new_missing(1, STATUS_LOST);
    ck_assert_ptr_eq(result_merge(NULL, late), late);
    result_free(late);
}
END_TEST

/* --speculate: a copy ended because the other counted first. Its run's
 * own result (never recorded) is interrupted; the record of it stays apart
 * from the attempts, so it changes neither the class nor the busy time,
 * and a merge keeps it. */
START_TEST(superseded_copies)
{
    ck_assert_int_eq(status_of((int[]){OUTCOME_SUPERSEDED}, 1), STATUS_INTERRUPTED);
    ck_assert_int_eq(status_of((int[]){OUTCOME_FAILED, OUTCOME_SUPERSEDED}, 2), STATUS_INTERRUPTED);
    ck_assert_int_eq(outcome_from_name("superseded"), OUTCOME_SUPERSEDED);

    struct shard_result *r = result_new_missing(2, STATUS_FAILED);
    r->nattempts = 1;
    r->attempts = calloc(1, sizeof *r->attempts);
    r->attempts[0] = (struct attempt){OUTCOME_FAILED, 1, 0, 11, 2, 4, 1, 0};
    struct attempt ended = {OUTCOME_SUPERSEDED, -1, 0, 10, 3.5, 1, 2, 0};
    ck_assert_int_eq(result_add_superseded(r, &ended, "/runs/shard-3/attempt-1.log"), 0);
    ck_assert_int_eq(result_add_superseded(r, &ended, NULL), 0);
    ck_assert_int_eq(r->nsuperseded, 2);
    ck_assert_int_eq(r->superseded[0].attempt.number, 1);
    ck_assert_int_eq(r->superseded[0].attempt.rank, 2);
    ck_assert_str_eq(r->superseded[0].log, "/runs/shard-3/attempt-1.log");
    ck_assert_ptr_null(r->superseded[1].log);
    ck_assert_double_eq(result_busy(r), 2);
    ck_assert_int_eq(result_last_number(r), 4);

    /* a failed copy's result merged before the one that passed keeps the
     * copies ended meanwhile */
    struct shard_result *pass = result_new_missing(2, STATUS_PASSED);
    pass->nattempts = 1;
    pass->attempts = calloc(1, sizeof *pass->attempts);
    pass->attempts[0] = (struct attempt){OUTCOME_PASSED, 0, 0, 20, 1, 7, 3, 0};
    struct shard_result *m = result_merge(r, pass);
    ck_assert_ptr_eq(m, pass);
    ck_assert_int_eq(m->nsuperseded, 2);
    ck_assert_str_eq(m->superseded[0].log, "/runs/shard-3/attempt-1.log");
    ck_assert_int_eq(m->nattempts, 2);
    ck_assert_int_eq(m->status, STATUS_FLAKY);
    result_free(m);
}
END_TEST

START_TEST(attempt_labels)
{
    char buf[64];
    struct attempt a = {.number = 2};
    result_attempt_label(buf, sizeof buf, &a, 1, 3);
    ck_assert_str_eq(buf, "attempt 2 of 3");
    a.number = 4; /* moved off a lost host */
    result_attempt_label(buf, sizeof buf, &a, 0, 1);
    ck_assert_str_eq(buf, "attempt 4 (1 of 1)");
    struct shard_result none = {.nattempts = 0};
    ck_assert_int_eq(result_last_number(&none), 0);
    ck_assert_int_eq(result_last_number(NULL), 0);
}
END_TEST

static Suite *result_suite(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, status_single_attempt);
    tcase_add_test(tc, status_no_attempts_is_lost);
    tcase_add_test(tc, status_pass_after_failure_is_flaky);
    tcase_add_test(tc, status_last_attempt_decides);
    tcase_add_test(tc, status_classes_partition);
    tcase_add_test(tc, exit_status_precedence);
    tcase_add_test(tc, exit_status_all_combinations);
    tcase_add_test(tc, names);
    tcase_add_test(tc, elapsed_and_busy);
    tcase_add_test(tc, new_missing);
    suite_add_tcase(s, tc);

    tc = tcase_create("attempts");
    tcase_add_test(tc, attempt_labels);
    tcase_add_test(tc, merge_attempts);
    tcase_add_test(tc, superseded_copies);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(result_suite());
}
