/* test_result.c - unit tests of shard results (result.h). */
#include "config.h"

#include "result.h"

#include <errno.h>
#include <math.h>

#include "proto.h"
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
    const char *want_outcome[OUTCOME_COUNT] = {"passed", "failed", "timeout", "crashed",
                                               "exec_error"};
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

/* Pack r, unpack it, and compare. Returns the packed bytes (heap) and length. */
static unsigned char *pack_result(const struct shard_result *r, size_t *len)
{
    struct packer p;
    packer_init(&p);
    result_pack(&p, r);
    unsigned char *d = packer_take(&p, len);
    ck_assert_ptr_nonnull(d);
    return d;
}

static void assert_same(const struct shard_result *a, const struct shard_result *b)
{
    ck_assert_int_eq(a->index, b->index);
    ck_assert_int_eq(a->status, b->status);
    ck_assert_int_eq(a->rank, b->rank);
    ck_assert_int_eq(a->slot, b->slot);
    ck_assert_int_eq(a->nattempts, b->nattempts);
    for (int i = 0; i < a->nattempts; i++) {
        ck_assert_int_eq(a->attempts[i].number, b->attempts[i].number);
        ck_assert_int_eq(a->attempts[i].rank, b->attempts[i].rank);
        ck_assert_int_eq(a->attempts[i].outcome, b->attempts[i].outcome);
        ck_assert_int_eq(a->attempts[i].exit_code, b->attempts[i].exit_code);
        ck_assert_int_eq(a->attempts[i].signal, b->attempts[i].signal);
        ck_assert_double_eq(a->attempts[i].start, b->attempts[i].start);
        ck_assert_double_eq(a->attempts[i].duration, b->attempts[i].duration);
    }
    if (a->log)
        ck_assert_str_eq(a->log, b->log);
    else
        ck_assert_ptr_null(b->log);
    if (a->error)
        ck_assert_str_eq(a->error, b->error);
    else
        ck_assert_ptr_null(b->error);
}

static void round_trip(const struct shard_result *r)
{
    size_t len;
    unsigned char *d = pack_result(r, &len);
    struct unpacker u;
    unpacker_init(&u, d, len);
    struct shard_result *back = result_unpack(&u);
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(u.failed, 0);
    assert_same(r, back);
    result_free(back);
    free(d);
}

START_TEST(pack_round_trip)
{
    struct attempt a[3] = {
        {OUTCOME_CRASHED, -1, 11, 1700000000.25, 0.5, 1, 7},
        {OUTCOME_TIMEOUT, -1, 15, 1700000003.5, 60.0, 2, 3},
        {OUTCOME_PASSED, 0, 0, 1700000070.125, 1e-6, 3, -1},
    };
    struct shard_result r = {.index = 12345,
                             .status = STATUS_FLAKY,
                             .rank = 7,
                             .slot = 3,
                             .nattempts = 3,
                             .attempts = a,
                             .log = "distmpi-runs/x/shard-12345.log",
                             .error = "sh: \xc3\xa9: not found"};
    round_trip(&r);

    /* NULL strings stay NULL, empty ones stay empty */
    r.log = NULL;
    r.error = NULL;
    round_trip(&r);
    r.log = "";
    round_trip(&r);

    /* numbers that do not start at 1 or leave gaps: a shard moved off a
     * lost host, at the top of the range */
    a[0].number = 4;
    a[1].number = 7;
    a[2].number = ATTEMPT_NUMBER_MAX;
    round_trip(&r);

    /* one failed attempt with an exit code at the top of its range */
    struct attempt f = {OUTCOME_FAILED, 255, 0, 1.0, 2.0, 1, 0};
    struct shard_result r2 = {
        .index = 0, .status = STATUS_FAILED, .rank = 0, .slot = 0, .nattempts = 1, .attempts = &f};
    round_trip(&r2);
}
END_TEST

START_TEST(pack_round_trip_missing)
{
    struct shard_result *r = result_new_missing(99, STATUS_LOST);
    round_trip(r);
    result_free(r);
    r = result_new_missing(100, STATUS_INTERRUPTED);
    round_trip(r);
    result_free(r);
}
END_TEST

START_TEST(unpack_truncated)
{
    struct attempt a[2] = {{OUTCOME_FAILED, 1, 0, 10, 1, 1, 1},
                           {OUTCOME_PASSED, 0, 0, 12, 1, 2, 1}};
    struct shard_result r = {.index = 3,
                             .status = STATUS_FLAKY,
                             .rank = 1,
                             .slot = 0,
                             .nattempts = 2,
                             .attempts = a,
                             .log = "log",
                             .error = NULL};
    size_t len;
    unsigned char *d = pack_result(&r, &len);
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, d, cut);
        struct unpacker u;
        unpacker_init(&u, copy, cut);
        struct shard_result *back = result_unpack(&u);
        unit_require(back == NULL, "a message cut to %zu of %zu bytes was read", cut, len);
        unit_require(u.failed, "cut %zu: failed not set", cut);
        free(copy);
    }
    free(d);
}
END_TEST

START_TEST(unpack_trailing_garbage)
{
    struct shard_result *r = result_new_missing(5, STATUS_LOST);
    struct packer p;
    packer_init(&p);
    result_pack(&p, r);
    pack_i64(&p, 0);
    size_t len;
    unsigned char *d = packer_take(&p, &len);
    struct unpacker u;
    unpacker_init(&u, d, len);
    ck_assert_ptr_null(result_unpack(&u));
    ck_assert_int_eq(u.failed, 1);
    /* a single extra byte too */
    unpacker_init(&u, d, len - 7);
    ck_assert_ptr_null(result_unpack(&u));
    ck_assert_int_eq(u.failed, 1);
    /* and exactly the message is fine */
    unpacker_init(&u, d, len - 8);
    struct shard_result *back = result_unpack(&u);
    ck_assert_ptr_nonnull(back);
    result_free(back);
    free(d);
    result_free(r);
}
END_TEST

/* Hand-made messages with one field out of its range. */
static struct shard_result *unpack_fields(const int64_t *head, int nhead)
{
    struct packer p;
    packer_init(&p);
    for (int i = 0; i < nhead; i++)
        pack_i64(&p, head[i]);
    pack_str(&p, NULL);
    pack_str(&p, NULL);
    size_t len;
    unsigned char *d = packer_take(&p, &len);
    struct unpacker u;
    unpacker_init(&u, d, len);
    struct shard_result *r = result_unpack(&u);
    if (!r)
        ck_assert_int_eq(u.failed, 1);
    free(d);
    return r;
}

START_TEST(unpack_out_of_range)
{
    /* index, status, rank, slot, nattempts */
    struct shard_result *r = unpack_fields((int64_t[]){1, STATUS_LOST, -1, -1, 0}, 5);
    ck_assert_ptr_nonnull(r); /* the valid baseline */
    result_free(r);
    ck_assert_ptr_null(unpack_fields((int64_t[]){-1, STATUS_LOST, -1, -1, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_COUNT, -1, -1, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, -1, -1, -1, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_LOST, -2, -1, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_LOST, (int64_t)1 << 40, -1, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_LOST, 0, -7, 0}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_LOST, 0, 0, -1}, 5));
    /* a huge attempt count with no attempts behind it: refused, not allocated */
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_FAILED, 0, 0, INT64_MAX}, 5));
    ck_assert_ptr_null(unpack_fields((int64_t[]){1, STATUS_FAILED, 0, 0, 1000000000}, 5));
}
END_TEST

START_TEST(unpack_bad_attempt)
{
    /* one attempt: number, rank, outcome, exit code, signal, then two
     * doubles packed as i64 0 */
    const int64_t good[] = {1, STATUS_FAILED, 0, 0, 1, 3, 5, OUTCOME_FAILED, 2, 0, 0, 0};
    struct shard_result *r = unpack_fields(good, 12);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->nattempts, 1);
    ck_assert_int_eq(r->attempts[0].number, 3);
    ck_assert_int_eq(r->attempts[0].rank, 5);
    ck_assert_int_eq(r->attempts[0].exit_code, 2);
    result_free(r);
    int64_t bad[12];
    const struct {
        int pos;
        int64_t v;
    } cases[] = {{5, 0},
                 {5, -1},
                 {5, (int64_t)ATTEMPT_NUMBER_MAX + 1},
                 {6, -2},
                 {6, (int64_t)1 << 40},
                 {7, OUTCOME_COUNT},
                 {7, -1},
                 {8, 256},
                 {8, -2},
                 {9, -1},
                 {9, 1025}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(bad, good, sizeof bad);
        bad[cases[i].pos] = cases[i].v;
        ck_assert_msg(unpack_fields(bad, 12) == NULL, "field %d = %lld accepted", cases[i].pos,
                      (long long)cases[i].v);
    }
}
END_TEST

/* Attempt numbers only grow: a second attempt numbered like the first, or
 * below it, is a broken message. */
START_TEST(unpack_numbers_grow)
{
    /* two attempts: number, rank, outcome, exit code, signal, start, duration */
    int64_t f[19] = {1, STATUS_FAILED,  0, 0, 2, 2, 0, OUTCOME_FAILED, 1, 0, 0, 0, 5,
                     0, OUTCOME_FAILED, 1, 0, 0, 0};
    struct shard_result *r = unpack_fields(f, 19);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(r->attempts[1].number, 5);
    ck_assert_int_eq(result_last_number(r), 5);
    result_free(r);
    f[12] = 2;
    ck_assert_ptr_null(unpack_fields(f, 19));
    f[12] = 1;
    ck_assert_ptr_null(unpack_fields(f, 19));
}
END_TEST

/* --retry-elsewhere: the attempts made where the shard could not start,
 * then the new host's; its class stands, but a pass becomes flaky. */
START_TEST(merge_attempts)
{
    struct shard_result *early = result_new_missing(4, STATUS_EXEC_ERROR);
    early->nattempts = 1;
    early->attempts = calloc(1, sizeof *early->attempts);
    early->attempts[0] = (struct attempt){OUTCOME_EXEC_ERROR, -1, 0, 10, 0, 1, 3};
    early->error = strdup("cannot run npx: No such file or directory");
    struct shard_result *late = result_new_missing(4, STATUS_PASSED);
    late->rank = late->slot = 1;
    late->nattempts = 1;
    late->attempts = calloc(1, sizeof *late->attempts);
    late->attempts[0] = (struct attempt){OUTCOME_PASSED, 0, 0, 11, 2, 2, 1};
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
    early->attempts[0] = (struct attempt){OUTCOME_EXEC_ERROR, -1, 0, 10, 0, 1, 3};
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

static int64_t double_bits(double v)
{
    int64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

/* An attempt's start and duration come from clocks: NaN, infinite or
 * negative ones are refused (found by fuzz/fuzz_msg: such a time reached
 * rank 0's duration formatting, and would vanish from the JSON report). */
START_TEST(unpack_bad_times)
{
    /* one attempt: number, rank, outcome, exit code, signal, start, duration */
    int64_t f[12] = {1, STATUS_FAILED, 0, 0, 1, 1, 0, OUTCOME_FAILED, 2, 0};
    f[10] = double_bits(1.7e9);
    f[11] = double_bits(0.0);
    struct shard_result *r = unpack_fields(f, 12);
    ck_assert_ptr_nonnull(r); /* the valid baseline */
    result_free(r);
    const double bad[] = {NAN, INFINITY, -INFINITY, -1.0};
    for (int pos = 10; pos <= 11; pos++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            int64_t m[12];
            memcpy(m, f, sizeof m);
            m[pos] = double_bits(bad[i]);
            ck_assert_msg(unpack_fields(m, 12) == NULL, "field %d = %g accepted", pos, bad[i]);
        }
    }
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

    tc = tcase_create("wire");
    tcase_add_test(tc, pack_round_trip);
    tcase_add_test(tc, pack_round_trip_missing);
    tcase_add_test(tc, unpack_truncated);
    tcase_add_test(tc, unpack_trailing_garbage);
    tcase_add_test(tc, unpack_out_of_range);
    tcase_add_test(tc, unpack_bad_attempt);
    tcase_add_test(tc, unpack_bad_times);
    tcase_add_test(tc, unpack_numbers_grow);
    tcase_add_test(tc, attempt_labels);
    tcase_add_test(tc, merge_attempts);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(result_suite());
}
