/* report_junit.h - the --junit report: JUnit XML that validates against the
 * schema Jenkins' xunit plugin checks (tests/data/junit-10.xsd), built with
 * libxml2.
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

#include <stddef.h>

#include "report_json.h"

/* What the JUnit report may show beyond struct report. Every field is
 * optional: zero-initialise and set what you have. */
struct junit_options {
    const char *name; /* of <testsuites>; NULL: "distmpi" */
    /* The tail of each shard's log (rep->total entries, indexed like
     * rep->results), or NULL for none; a NULL entry: none for that shard.
     * Shown in the failure or error text and in <system-out>. */
    const char *const *log_tails;
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
     * merged. */
    const struct collected_file *const *collected;
    const int *ncollected;
};

/* Write the report to path atomically. Returns 0, or -1 with a reason in err. */
int report_junit_write(const char *path, const struct report *rep, char *err, size_t errlen);

/* The same with options (opt may be NULL). */
int report_junit_write_opts(const char *path, const struct report *rep,
                            const struct junit_options *opt, char *err, size_t errlen);

/* libxml2 2.9 does not always notice when it runs out of memory: an
 * attribute whose value it could not copy is parsed as empty, a node may
 * lose its name, a document being written is cut short. So distmpi has
 * libxml2 allocate through allocators that count failures (plain malloc,
 * realloc, strdup and free, so memory allocated before stays valid), and a
 * parse, build or write during which the count changed is out of memory,
 * whatever libxml2 returned. junit_xml_setup installs them (idempotent; the
 * report and the merge call it themselves); junit_xml_failures is the count
 * so far in this process. */
void junit_xml_setup(void);
unsigned long junit_xml_failures(void);

/* For tests: while should_fail (NULL: never) returns non-zero, each libxml2
 * allocation fails (and is counted). */
void junit_xml_fail_when(int (*should_fail)(void));

/* The report as a NUL-terminated XML document in a heap buffer (free with
 * free()), its length in *len if len is not NULL. Returns NULL with errno
 * ENOMEM. */
char *report_junit_build(const struct report *rep, const struct junit_options *opt, size_t *len);

/* s (NULL: "") made fit for an XML 1.0 document: a heap copy in which every
 * byte that does not start a valid UTF-8 sequence, and every character XML
 * 1.0 forbids, is replaced by U+FFFD. Returns NULL on ENOMEM. */
char *junit_clean_text(const char *s);

#endif
