/* SPDX-License-Identifier: BSD-3-Clause */
/* report_github.h - distmpi in a GitHub Actions job: a Markdown summary of
 * the run appended to the file GITHUB_STEP_SUMMARY names (the job's summary
 * page), and, with GITHUB_ACTIONS=true, an ::error annotation for each
 * failed test that its JUnit report places in a file and line, so that the
 * failure shows on the line of the pull request's diff.
 *
 * The Markdown and the annotation lines are made by pure functions; the
 * caller writes them.
 */
#ifndef DISTMPI_REPORT_GITHUB_H
#define DISTMPI_REPORT_GITHUB_H

#include <stdio.h>

#include "common/buf.h"
#include "common/error.h"
#include "report/report_json.h"

/* At most this many shards and tests are listed in the summary (the rest are
 * counted), and at most this many annotations are printed: GitHub itself
 * shows only the first few of each kind. */
#define GITHUB_LIST_MAX        50
#define GITHUB_ANNOTATIONS_MAX 50

/* Append rep's summary in GitHub-flavoured Markdown to b: a heading with
 * the outcome and exit status, the counts, a table of the hosts, the shards
 * that did not pass (status, host, attempts, log) and the tests that failed
 * or were flaky or host-specific (verdict, hosts). Text that comes from
 * hosts, commands or test tools is escaped for a table cell. Returns 0, or
 * -1 (ENOMEM). */
int github_summary(struct buf *b, const struct report *rep);

/* Append to path (GITHUB_STEP_SUMMARY) the summary of rep. Returns 0, or
 * -1 with "PATH: reason" in err. */
int github_summary_append(const char *path, const struct report *rep, struct error *err);

/* One failed test that a JUnit report placed in a file and at a line. */
struct github_failure {
    const char *file, *line; /* as the report gives them */
    const char *title;       /* the test's name */
    const char *message;     /* why (may be NULL) */
};

/* Append the workflow command that annotates f:
 * "::error file=F,line=L,title=T::MESSAGE\n", with the properties and the
 * message escaped as GitHub wants (%, CR, LF; and : and , in properties).
 * Returns 0, or -1 (ENOMEM). */
int github_annotation(struct buf *b, const struct github_failure *f);

/* Print to out an annotation for each failed test with a file and a line in
 * the JUnit files collected from the shards' last attempts (rep->collected),
 * at most GITHUB_ANNOTATIONS_MAX, then a notice of how many more there were.
 * Its title is the test's name; its message the first line of the test's
 * failure message that is not blank (at most 200 bytes, cut at a character,
 * "…" when more was left out) and "(shard N on HOST, distmpi)", or, when
 * the test gave no message, "NAME failed in shard N on HOST (distmpi)".
 * Returns how many were printed, or -1 (errno). */
long github_annotations_print(FILE *out, const struct report *rep);

#endif
