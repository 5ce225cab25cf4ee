/* SPDX-License-Identifier: BSD-3-Clause */
/* test_verdict.c - unit tests of the verdict on a test (verdict.h). */
#include "config.h"

#include "report/verdict.h"

#include <errno.h>

#include "unit.h"

#define P TEST_PASSED
#define F TEST_FAILED
#define S TEST_SKIPPED

static struct test_run run(int host, int attempt, enum test_outcome o, int failed_before)
{
    return (struct test_run){
        .host = host, .shard = 0, .attempt = attempt, .outcome = o, .failed_before = failed_before};
}

/* The cases the issue names, one by one. */
START_TEST(table)
{
    static const struct {
        const char *what;
        struct test_run runs[4];
        size_t n;
        enum verdict want;
    } cases[] = {
        {"never ran", {{0, 0, 0, S, 0, NULL}}, 0, VERDICT_SKIPPED},
        {"skipped", {{0, 0, 1, S, 0, NULL}}, 1, VERDICT_SKIPPED},
        {"passed", {{0, 0, 1, P, 0, NULL}}, 1, VERDICT_PASSED},
        {"failed once, only try", {{0, 0, 1, F, 0, NULL}}, 1, VERDICT_FAILING},
        {"failed, then passed (distmpi's retry)",
         {{0, 0, 1, F, 0, NULL}, {0, 0, 2, P, 0, NULL}},
         2,
         VERDICT_FLAKY},
        {"failed every attempt",
         {{0, 0, 1, F, 0, NULL}, {0, 0, 2, F, 0, NULL}},
         2,
         VERDICT_FAILING},
        {"flakyFailure in the file", {{0, 0, 1, P, 1, NULL}}, 1, VERDICT_FLAKY},
        {"rerunFailure then failure", {{0, 0, 1, F, 2, NULL}}, 1, VERDICT_FAILING},
        {"failed on host 1, passed on host 0",
         {{1, 0, 1, F, 0, NULL}, {0, 0, 1, P, 0, NULL}},
         2,
         VERDICT_HOST_SPECIFIC},
        {"failed twice on host 1, passed on host 0",
         {{1, 0, 1, F, 0, NULL}, {1, 0, 2, F, 1, NULL}, {0, 0, 3, P, 0, NULL}},
         3,
         VERDICT_HOST_SPECIFIC},
        {"failed and passed on host 1, passed on host 0",
         {{1, 0, 1, F, 0, NULL}, {1, 0, 2, P, 0, NULL}, {0, 0, 1, P, 0, NULL}},
         3,
         VERDICT_FLAKY},
        {"failed on both hosts, passed on one",
         {{1, 0, 1, F, 0, NULL}, {0, 0, 1, F, 0, NULL}, {0, 0, 2, P, 0, NULL}},
         3,
         VERDICT_FLAKY},
        {"failed on both hosts",
         {{1, 0, 1, F, 0, NULL}, {0, 0, 2, F, 0, NULL}},
         2,
         VERDICT_FAILING},
        {"skipped on one host, failed on the other",
         {{1, 0, 1, S, 0, NULL}, {0, 0, 1, F, 0, NULL}},
         2,
         VERDICT_FAILING},
        {"skipped then passed", {{0, 0, 1, S, 0, NULL}, {0, 0, 2, P, 0, NULL}}, 2, VERDICT_PASSED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        enum verdict got = verdict_judge(cases[i].runs, cases[i].n);
        ck_assert_msg(got == cases[i].want, "%s: %s, not %s", cases[i].what, verdict_name(got),
                      verdict_name(cases[i].want));
    }
}
END_TEST

/* The definitions of verdict.h said again the long way, over the single
 * executions the runs stand for. */
static enum verdict reference(const struct test_run *runs, size_t n)
{
    int exec_host[64], exec_pass[64], ne = 0;
    for (size_t i = 0; i < n; i++) {
        for (int k = 0; k < runs[i].failed_before; k++) {
            exec_host[ne] = runs[i].host;
            exec_pass[ne++] = 0;
        }
        if (runs[i].outcome != TEST_SKIPPED) {
            exec_host[ne] = runs[i].host;
            exec_pass[ne++] = runs[i].outcome == TEST_PASSED;
        }
    }
    int any_pass = 0, any_fail = 0;
    for (int e = 0; e < ne; e++) {
        any_pass |= exec_pass[e];
        any_fail |= !exec_pass[e];
    }
    if (ne == 0)
        return VERDICT_SKIPPED;
    if (!any_fail)
        return VERDICT_PASSED;
    if (!any_pass)
        return VERDICT_FAILING;
    /* host-specific: a host h such that every failure is on h, nothing
     * passed on h, and something passed on a host other than h */
    for (int h = 0; h < 3; h++) {
        int all_fails_on_h = 1, passed_on_h = 0, passed_elsewhere = 0;
        for (int e = 0; e < ne; e++) {
            if (!exec_pass[e] && exec_host[e] != h)
                all_fails_on_h = 0;
            if (exec_pass[e] && exec_host[e] == h)
                passed_on_h = 1;
            if (exec_pass[e] && exec_host[e] != h)
                passed_elsewhere = 1;
        }
        if (all_fails_on_h && !passed_on_h && passed_elsewhere)
            return VERDICT_HOST_SPECIFIC;
    }
    return VERDICT_FLAKY;
}

/* Every list of up to 4 runs on up to 3 hosts, each passed, failed or
 * skipped with 0 to 2 failures before it: the verdict is the reference's,
 * does not depend on the order of the runs, and a run that fails can only
 * move a test away from passed. */
START_TEST(brute_force)
{
    enum { KINDS = 3 * 3 * 3 }; /* host x outcome x failed_before */
    long checked = 0;
    for (int n = 0; n <= 4; n++) {
        long total = 1;
        for (int i = 0; i < n; i++)
            total *= KINDS;
        for (long code = 0; code < total; code++) {
            struct test_run runs[4], rev[4];
            long c = code;
            for (int i = 0; i < n; i++, c /= KINDS) {
                int k = (int)(c % KINDS);
                runs[i] = run(k % 3, i + 1, (enum test_outcome)(k / 3 % 3), k / 9);
            }
            for (int i = 0; i < n; i++)
                rev[i] = runs[n - 1 - i];
            enum verdict got = verdict_judge(runs, (size_t)n);
            unit_require(got == reference(runs, (size_t)n), "case %d/%ld: %s, reference %s", n,
                         code, verdict_name(got), verdict_name(reference(runs, (size_t)n)));
            unit_require(got == verdict_judge(rev, (size_t)n), "case %d/%ld: order matters", n,
                         code);
            if (n < 4) { /* one more failing run */
                runs[n] = run(0, n + 1, TEST_FAILED, 0);
                enum verdict more = verdict_judge(runs, (size_t)n + 1);
                unit_require(more != VERDICT_PASSED && more != VERDICT_SKIPPED,
                             "case %d/%ld: a failure left it %s", n, code, verdict_name(more));
            }
            checked++;
        }
    }
    ck_assert_int_eq(checked, 1 + 27 + 27 * 27 + 27 * 27 * 27 + 27L * 27 * 27 * 27);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(verdict_name(VERDICT_FAILING), "failing");
    ck_assert_str_eq(verdict_name(VERDICT_HOST_SPECIFIC), "host-specific");
    ck_assert_str_eq(verdict_name(VERDICT_FLAKY), "flaky");
    ck_assert_str_eq(verdict_name(VERDICT_PASSED), "passed");
    ck_assert_str_eq(verdict_name(VERDICT_SKIPPED), "skipped");
    ck_assert_ptr_null(verdict_name(VERDICT_COUNT));
    ck_assert_str_eq(test_outcome_name(TEST_FAILED), "failed");
}
END_TEST

/* Runs of several tests, added interleaved, come out grouped, in the order
 * they were added, the tests ordered by verdict then by name. */
START_TEST(table_groups_and_orders)
{
    struct verdict_table *t = verdict_table_create();
    ck_assert_ptr_nonnull(t);
    struct test_run r1 = run(0, 1, F, 0), r2 = run(0, 2, P, 0), ok = run(1, 1, P, 0);
    ck_assert_int_eq(verdict_table_add(t, "b.spec", "flaky", "desktop", &r1), 0);
    ck_assert_int_eq(verdict_table_add(t, "a.spec", "ok", NULL, &ok), 0);
    ck_assert_int_eq(verdict_table_add(t, "b.spec", "flaky", "mobile", &ok), 0);
    ck_assert_int_eq(verdict_table_add(t, "b.spec", "flaky", "desktop", &r2), 0);
    ck_assert_int_eq(verdict_table_add(t, "c.spec", "bad", "", &r1), 0);
    ck_assert_uint_eq(verdict_table_count(t), 0); /* not judged yet */
    ck_assert_int_eq(verdict_table_judge(t), 0);
    ck_assert_int_eq(verdict_table_judge(t), 0);
    ck_assert_uint_eq(verdict_table_count(t), 4);
    const struct verdict_test *x = verdict_table_test(t, 0);
    ck_assert_str_eq(x->classname, "c.spec");
    ck_assert_int_eq(x->verdict, VERDICT_FAILING);
    x = verdict_table_test(t, 1);
    ck_assert_str_eq(x->project, "desktop");
    ck_assert_int_eq(x->verdict, VERDICT_FLAKY);
    ck_assert_uint_eq(x->nruns, 2);
    ck_assert_int_eq(x->runs[0].attempt, 1);
    ck_assert_int_eq(x->runs[1].attempt, 2);
    x = verdict_table_test(t, 2);
    ck_assert_str_eq(x->classname, "a.spec");
    ck_assert_str_eq(x->project, "");
    x = verdict_table_test(t, 3);
    ck_assert_str_eq(x->project, "mobile"); /* a project is a test of its own */
    ck_assert_int_eq(x->verdict, VERDICT_PASSED);
    ck_assert_ptr_null(verdict_table_test(t, 4));
    x = verdict_table_find(t, "b.spec", "flaky", "mobile");
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->verdict, VERDICT_PASSED);
    ck_assert_ptr_eq(verdict_table_find(t, "a.spec", "ok", NULL), verdict_table_test(t, 2));
    ck_assert_ptr_eq(verdict_table_find(t, "b.spec", "flaky", "desktop"), verdict_table_test(t, 1));
    ck_assert_ptr_null(verdict_table_find(t, "b.spec", "flaky", ""));
    ck_assert_ptr_null(verdict_table_find(t, "z", "", ""));
    long counts[VERDICT_COUNT];
    verdict_table_counts(t, counts);
    ck_assert_int_eq(counts[VERDICT_FAILING], 1);
    ck_assert_int_eq(counts[VERDICT_FLAKY], 1);
    ck_assert_int_eq(counts[VERDICT_PASSED], 2);
    ck_assert_int_eq(counts[VERDICT_HOST_SPECIFIC], 0);
    errno = 0;
    ck_assert_int_eq(verdict_table_add(t, "x", "y", "", &ok), -1);
    ck_assert_int_eq(errno, EINVAL);
    errno = 42;
    verdict_table_destroy(t);
    ck_assert_int_eq(errno, 42);
    verdict_table_destroy(NULL);
}
END_TEST

/* A run's message is copied, cut to VERDICT_MESSAGE_MAX bytes at the start
 * of a UTF-8 character. */
START_TEST(table_messages)
{
    struct verdict_table *t = verdict_table_create();
    ck_assert_ptr_nonnull(t);
    char msg[2 * VERDICT_MESSAGE_MAX], copy[16] = "expected 1";
    memset(msg, 'a', sizeof msg);
    msg[sizeof msg - 1] = '\0';
    memcpy(msg + VERDICT_MESSAGE_MAX - 1, "\xC3\xA9", 2); /* an e acute across the cut */
    struct test_run r = run(0, 1, F, 0);
    r.message = copy;
    ck_assert_int_eq(verdict_table_add(t, "c", "short", NULL, &r), 0);
    copy[0] = 'X'; /* the table has its own */
    r.message = msg;
    ck_assert_int_eq(verdict_table_add(t, "c", "long", NULL, &r), 0);
    r = run(0, 2, P, 0);
    ck_assert_int_eq(verdict_table_add(t, "c", "long", NULL, &r), 0);
    ck_assert_int_eq(verdict_table_judge(t), 0);
    const struct verdict_test *x = verdict_table_find(t, "c", "short", NULL);
    ck_assert_str_eq(x->runs[0].message, "expected 1");
    x = verdict_table_find(t, "c", "long", NULL);
    ck_assert_uint_eq(strlen(x->runs[0].message), VERDICT_MESSAGE_MAX - 1);
    ck_assert_int_eq(x->runs[0].message[VERDICT_MESSAGE_MAX - 2], 'a');
    ck_assert_ptr_null(x->runs[1].message);
    verdict_table_destroy(t);
}
END_TEST

/* Many runs of many tests: each test gets all of its runs. */
/* A table with no run (a run whose collected files hold no test case, or
 * none collected): judged, it has no test; a table of one test too (the
 * sorts have nothing to sort: under UBSan, no null array is passed). */
START_TEST(table_empty_and_single)
{
    struct verdict_table *t = verdict_table_create();
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(verdict_table_judge(t), 0);
    ck_assert_uint_eq(verdict_table_count(t), 0);
    ck_assert_ptr_null(verdict_table_find(t, "c", "n", NULL));
    long counts[VERDICT_COUNT];
    verdict_table_counts(t, counts);
    for (int v = 0; v < VERDICT_COUNT; v++)
        ck_assert_int_eq(counts[v], 0);
    verdict_table_destroy(t);
    t = verdict_table_create();
    struct test_run run = {.host = 0, .shard = 0, .attempt = 1, .outcome = TEST_PASSED};
    ck_assert_int_eq(verdict_table_add(t, "c", "n", NULL, &run), 0);
    ck_assert_int_eq(verdict_table_judge(t), 0);
    ck_assert_uint_eq(verdict_table_count(t), 1);
    ck_assert_ptr_nonnull(verdict_table_find(t, "c", "n", NULL));
    verdict_table_destroy(t);
}
END_TEST

START_TEST(table_many)
{
    struct verdict_table *t = verdict_table_create();
    ck_assert_ptr_nonnull(t);
    char name[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(name, sizeof name, "t%d", i % 1000);
        struct test_run r = run(i % 2, i / 1000 + 1, i % 1000 == 7 && i < 1000 ? F : P, 0);
        ck_assert_int_eq(verdict_table_add(t, "c", name, NULL, &r), 0);
    }
    ck_assert_int_eq(verdict_table_judge(t), 0);
    ck_assert_uint_eq(verdict_table_count(t), 1000);
    for (size_t i = 0; i < 1000; i++)
        unit_require(verdict_table_test(t, i)->nruns == 3, "test %zu has %zu runs", i,
                     verdict_table_test(t, i)->nruns);
    ck_assert_str_eq(verdict_table_test(t, 0)->name, "t7");
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "t%d", i);
        const struct verdict_test *x = verdict_table_find(t, "c", name, "");
        unit_require(x && !strcmp(x->name, name), "%s not found", name);
    }
    /* t7 failed on host 1 in attempt 1, passed on host 0 and 1 later */
    ck_assert_int_eq(verdict_table_test(t, 0)->verdict, VERDICT_FLAKY);
    verdict_table_destroy(t);
}
END_TEST

static Suite *verdict_suite(void)
{
    Suite *s = suite_create("verdict");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, table);
    tcase_add_test(tc, brute_force);
    tcase_add_test(tc, names);
    tcase_add_test(tc, table_groups_and_orders);
    tcase_add_test(tc, table_many);
    tcase_add_test(tc, table_empty_and_single);
    tcase_add_test(tc, table_messages);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(verdict_suite());
}
