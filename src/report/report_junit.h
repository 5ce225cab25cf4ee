/* SPDX-License-Identifier: BSD-3-Clause */
/* report_junit.h - the --junit report: JUnit XML that validates against the
 * schema Jenkins' xunit plugin checks (tests/data/junit-10.xsd), built with
 * libxml2's xmlTextWriter as a stream: rank 0 holds one shard's element
 * and one collected file at a time, never the document.
 *
 * Shape:
 *   <testsuites name="distmpi" tests= failures= errors= time=>
 *     <testsuite name="shard-N" id="N-1" tests="1" failures= errors= skipped="0"
 *                time=BUSY timestamp="2026-11-26T12:01:02" hostname=HOST>
 *       <properties> run_id, host, rank, slot, attempts, status, exit_code,
 *                    signal, flaky (only those known) </properties>
 *       <testcase name="shard N" classname="distmpi.shard" time=BUSY>
 *         passed:                     nothing
 *         flaky:                      <flakyFailure>/<flakyError> per failed attempt
 *         failed, timeout, crashed:   <failure type=STATUS message=...>,
 *                                     <rerunFailure>/<rerunError> per earlier attempt
 *         exec_error, lost,
 *         interrupted:                <error type=STATUS message=...>, the same
 *         with a log tail:            the tail in the failure text and <system-out>
 *       </testcase>
 *       <testcase>...                 the test cases of the shard's collected
 *                                     JUnit files (junit_merge.h), in order,
 *                                     each cleaned to what the schema allows
 *       <testcase name=FILE classname="distmpi.collect">
 *         <error type="collect_error" message=WHY>
 *                                     for each collected file that is missing
 *                                     or unusable (not JUnit, not well-formed,
 *                                     too large, unreadable)
 *     </testsuite>
 *   </testsuites>
 *
 * The counters of a shard's <testsuite> and of <testsuites> (tests,
 * failures, errors, and skipped where the schema has it) include the merged
 * test cases and the collect errors; time stays the shard's busy time and
 * the run's duration, since the merged tests ran within them.
 *
 * Every string is made valid XML 1.0 first: invalid UTF-8 and characters XML
 * forbids (control characters other than tab, newline and carriage return,
 * U+FFFE, U+FFFF) become U+FFFD. Timestamps are UTC without a zone suffix,
 * the form Ant and Surefire write.
 */
#ifndef DISTMPI_REPORT_JUNIT_H
#define DISTMPI_REPORT_JUNIT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "report/junit_xml.h"
#include "report/report_json.h"

/* What the JUnit report may show beyond struct report. Every field is
 * optional: zero-initialise and set what you have. */
struct junit_options {
    const char *name; /* of <testsuites>; NULL: "distmpi" */
    /* The tail of each shard's log (rep->total entries, indexed like
     * rep->results), or NULL for none; a NULL entry: none for that shard.
     * Shown in the failure or error text and in <system-out>. */
    const char *const *log_tails;
    /* Instead of log_tails (when set): the tail of shard index's log, read
     * when its element is written, or NULL for none; the text need stay
     * valid only until the next call (one buffer reused will do). */
    const char *(*read_tail)(void *tail_arg, long index);
    void *tail_arg;
    /* The JUnit files collected for each shard (rep->total entries, indexed
     * like rep->results; NULL: none at all), ncollected[i] entries in
     * collected[i] (a NULL collected[i] or ncollected[i] == 0: none for that
     * shard). Every entry with a path is read and parsed one at a time;
     * one with error, or without path, becomes a collect_error entry. A
     * shard whose expected file is missing must be given an entry with an
     * error, so that it is not counted as passed. Normally the files of the
     * shard's last attempt: files of several attempts would count the same
     * tests several times. In an entry (report_json.h), name NULL means
     * path; name is also the test case's name when the file cannot be
     * merged. Each file is parsed twice, one at a time: once to count its
     * test cases (the counters come first in the document), once to copy
     * them. */
    const struct collected_file *const *collected;
    const int *ncollected;
    /* Merge only the entries whose name ends in ".xml" (the others are
     * other files collected with the same patterns). */
    bool xml_names_only;
};

/* Write the report to path atomically (fs_write_atomic), streamed into the
 * temporary file shard by shard. Returns 0, or -1 with "PATH: reason" in
 * err (may be NULL). */
int report_junit_write(const char *path, const struct report *rep, struct error *err);

/* The same with options (opt may be NULL). */
int report_junit_write_opts(const char *path, const struct report *rep,
                            const struct junit_options *opt, struct error *err);

/* The report as a NUL-terminated XML document in a heap buffer (free with
 * free()), its length in *len if len is not NULL: the very bytes
 * report_junit_write_opts writes. Returns NULL with errno ENOMEM. */
char *report_junit_build(const struct report *rep, const struct junit_options *opt, size_t *len);

#endif
