/* SPDX-License-Identifier: BSD-3-Clause */
/* verdict_gather.h - rank 0's verdicts on the tests: the collected JUnit
 * files of every attempt of every shard read into a verdict table
 * (verdict.h), and the tests to look at printed at the end of the run.
 */
#ifndef DISTMPI_VERDICT_GATHER_H
#define DISTMPI_VERDICT_GATHER_H

#include <stdbool.h>
#include <stdio.h>

#include "common/error.h"
#include "mpi/hostinfo.h"
#include "report/report_json.h"
#include "report/verdict.h"

/* How many tests the end-of-run summary names at most. */
#define VERDICT_PRINT_MAX 10

/* Read every collected file of rep whose name ends in ".xml" and that
 * arrived usable (rep->collected, rep->ncollected, rep->total;
 * rep->cluster for the host of the rank that sent it) into a judged table:
 * each test case is a run of its test on that host, in that shard and
 * attempt. The project is the suite's hostname attribute unless that is
 * the name of the host that ran it (pytest and others put the machine's
 * name there, Playwright its project), or its first label. A file that
 * cannot be read now is left out (the JUnit report shows it as an error).
 * Returns 0 with *out (NULL when rep collected nothing), or -1 with err
 * (out of memory). */
int verdict_gather(const struct report *rep, struct verdict_table **out, struct error *err);

/* The project of a test case as verdict_gather takes it: project, or NULL
 * when it is empty or names host (whole, or its first label). */
const char *verdict_project(const char *project, const char *host);

/* The name of host index h of c, or "?" when there is none. */
const char *verdict_host_name(const struct cluster *c, int h);

/* Whether --fail-on-flaky fails the run: a flaky shard (flaky_shards > 0)
 * or a test (t, may be NULL) judged flaky or host-specific, both having
 * failed before they passed. */
bool verdict_any_flaky(const struct verdict_table *t, long flaky_shards);

/* The end-of-run section: the count of tests by verdict and the tests that
 * failed at all (failing, host-specific, flaky), at most max of them, each
 * with the hosts and attempts where it failed and passed. Nothing when t
 * is NULL or empty. */
void verdict_print(FILE *f, const struct verdict_table *t, const struct cluster *c, int max);

#endif
