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
 *     </testsuite>
 *   </testsuites>
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
};

/* Write the report to path atomically. Returns 0, or -1 with a reason in err. */
int report_junit_write(const char *path, const struct report *rep, char *err, size_t errlen);

/* The same with options (opt may be NULL). */
int report_junit_write_opts(const char *path, const struct report *rep,
                            const struct junit_options *opt, char *err, size_t errlen);

/* The report as a NUL-terminated XML document in a heap buffer (free with
 * free()), its length in *len if len is not NULL. Returns NULL on ENOMEM. */
char *report_junit_build(const struct report *rep, const struct junit_options *opt, size_t *len);

/* s (NULL: "") made fit for an XML 1.0 document: a heap copy in which every
 * byte that does not start a valid UTF-8 sequence, and every character XML
 * 1.0 forbids, is replaced by U+FFFD. Returns NULL on ENOMEM. */
char *junit_clean_text(const char *s);

#endif
