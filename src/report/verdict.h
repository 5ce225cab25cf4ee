/* SPDX-License-Identifier: BSD-3-Clause */
/* verdict.h - a verdict on every test, from what the test tool's JUnit
 * files (--collect) said about it in every attempt of its shard on every
 * host. Pure: no MPI, no I/O, no globals.
 *
 * A test is known by its classname, its name and its project (for
 * Playwright the project, which it puts in the hostname attribute of the
 * <testsuite>; see junit_merge.h junit_cases_read). Each JUnit file that
 * lists it gives one run (struct test_run): its last outcome in that file
 * and how many executions failed before it in the same file (the test
 * tool's own retries: Playwright's <flakyFailure>, pytest-rerunfailures'
 * and Surefire's <rerunFailure>). From all of a test's runs:
 *
 *   skipped        it never ran (every run skipped);
 *   passed         it ran and never failed;
 *   failing        it ran and failed every time;
 *   host-specific  it failed and passed, every failure was on one host,
 *                  it never passed there and it passed on another host;
 *   flaky          it failed and passed otherwise (failed, then passed on
 *                  a retry, of the tool's or of distmpi's).
 *
 * Host-specific comes before flaky on purpose: a test that fails on every
 * try on one machine and passes elsewhere points at the machine (a missing
 * font, another browser build), and retrying will not fix it.
 */
#ifndef DISTMPI_VERDICT_H
#define DISTMPI_VERDICT_H

#include <stddef.h>

enum test_outcome { TEST_PASSED, TEST_FAILED, TEST_SKIPPED };

/* In the order reports list them: the ones to look at first. */
enum verdict {
    VERDICT_FAILING,
    VERDICT_HOST_SPECIFIC,
    VERDICT_FLAKY,
    VERDICT_PASSED,
    VERDICT_SKIPPED,
    VERDICT_COUNT
};

/* A test as one JUnit file (one attempt of one shard, on one host) had it. */
struct test_run {
    int host;                  /* the host's number (any int naming it) */
    long shard;                /* the shard's index */
    int attempt;               /* distmpi's attempt number, from 1 */
    enum test_outcome outcome; /* its last outcome in the file */
    int failed_before;         /* executions that failed before it, in the file */
    const char *message;       /* why it failed (the file's message), or NULL; the
                                  table keeps a copy of at most VERDICT_MESSAGE_MAX
                                  bytes, cut at a UTF-8 character */
};

#define VERDICT_MESSAGE_MAX 300

/* The verdict on a test from its n runs (n 0: skipped). */
enum verdict verdict_judge(const struct test_run *runs, size_t n);

/* "failing", "host-specific", "flaky", "passed", "skipped"; NULL when v is
 * not a verdict. */
const char *verdict_name(enum verdict v);

/* "passed", "failed", "skipped". */
const char *test_outcome_name(enum test_outcome o);

/* A test and its verdict, once the table is judged. */
struct verdict_test {
    const char *classname, *name, *project; /* project "" when none */
    enum verdict verdict;
    const struct test_run *runs; /* in the order they were added */
    size_t nruns;
};

/* Runs gathered test by test. */
struct verdict_table;

/* An empty table, or NULL (ENOMEM). */
struct verdict_table *verdict_table_create(void);

/* Free t (NULL accepted; keeps errno). */
void verdict_table_destroy(struct verdict_table *t);

/* Add a run of the test (classname, name, project; NULL is ""), the strings
 * copied. Not after verdict_table_judge. Returns 0, or -1 with errno ENOMEM
 * (t unchanged) or EINVAL (already judged). */
int verdict_table_add(struct verdict_table *t, const char *classname, const char *name,
                      const char *project, const struct test_run *run);

/* Group the runs by test and judge each: tests are then ordered by verdict
 * (enum verdict's order), then by classname, name and project. Returns 0,
 * or -1 with errno ENOMEM (t unusable but freeable). Idempotent. */
int verdict_table_judge(struct verdict_table *t);

/* After judging: the number of tests, the i-th, and how many have each
 * verdict (counts[VERDICT_COUNT]). */
size_t verdict_table_count(const struct verdict_table *t);
const struct verdict_test *verdict_table_test(const struct verdict_table *t, size_t i);
void verdict_table_counts(const struct verdict_table *t, long counts[VERDICT_COUNT]);

/* After judging: the test (classname, name, project; NULL is ""), or NULL
 * when it has no run. */
const struct verdict_test *verdict_table_find(const struct verdict_table *t, const char *classname,
                                              const char *name, const char *project);

#endif
