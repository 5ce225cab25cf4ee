/* SPDX-License-Identifier: BSD-3-Clause */
/* junit_merge.h - JUnit XML files written by the test tool (collected with
 * --collect) checked on the worker and merged into the --junit report on
 * rank 0. Pure: no MPI, no globals; libxml2 parses from memory.
 *
 * What is accepted: a document whose root is <testsuites> or <testsuite>;
 * test cases are the <testcase> elements of every <testsuite>, however
 * deeply suites nest (Surefire, gotestsum, Jest, pytest, Playwright all write
 * one of these shapes). Element names are matched without their namespace.
 *
 * Safety, whatever the file holds:
 * - at most JUNIT_MERGE_MAX_BYTES (64 MiB) are parsed; a larger file is
 *   refused, so a runaway log written as system-out cannot exhaust rank 0;
 * - no network (XML_PARSE_NONET), no external DTD or entity is ever loaded
 *   and no entity is substituted: an XXE such as
 *   <!ENTITY e SYSTEM "file:///etc/passwd"> reads nothing, and a reference
 *   to an entity the file declares itself is copied as the literal text
 *   "&name;", so entity amplification ("billion laughs") cannot grow the
 *   report; libxml2's own limits (no XML_PARSE_HUGE) stay on;
 * - libxml2 prints nothing: its first error becomes the one-line reason;
 * - every attribute and text copied into the report goes through
 *   junit_clean_text() (junit_xml.h).
 * A UTF-8 file (declared so, or without a declaration) that is not
 * well-formed only because of raw control characters, NUL bytes or invalid
 * UTF-8 (ANSI colour codes in captured output are the usual cause) is
 * parsed again with those bytes, and character references to characters
 * XML forbids ("&#27;"), replaced by U+FFFD: the tests stay visible.
 */
#ifndef DISTMPI_JUNIT_MERGE_H
#define DISTMPI_JUNIT_MERGE_H

#include <stddef.h>

/* libxml2's element type, declared here so that callers of junit_file_check
 * need not see libxml2's headers. */
struct _xmlNode;
struct xml_writer; /* junit_xml.h */

/* The largest file parsed, in bytes. */
#define JUNIT_MERGE_MAX_BYTES (64L * 1024 * 1024)

/* The classname of the test case standing for a file that could not be
 * merged, and the type of its <error>. */
#define JUNIT_COLLECT_CLASSNAME "distmpi.collect"
#define JUNIT_COLLECT_ERROR     "collect_error"

/* What merged test cases add to their suite's counters. A test case counts
 * once, as a failure if it has a <failure>, else as an error if it has an
 * <error>, else as skipped if it has a <skipped>. */
struct junit_counts {
    long tests, failures, errors, skipped;
    double time; /* the sum of their time attributes, in seconds */
};

/* Whether buf (len bytes, need not be NUL-terminated) is a JUnit document.
 * Returns its number of test cases (>= 0), or -1 with a one-line reason in
 * why: "empty file", "not well-formed XML: line 3: ...", "root element is
 * <html>, not <testsuites> or <testsuite>", "refused XML (entity
 * expansion): line 16: ...", "larger than 64 MiB (...)", "out of memory"
 * (errno ENOMEM). Reasons are valid UTF-8, cut at a character boundary to
 * fit whylen. On success why is "" or, when invalid characters had to be
 * replaced, says so. why may be NULL when whylen is 0. */
int junit_file_check(const char *buf, size_t len, char *why, size_t whylen);

/* Append to suite (an element of a libxml2 document, the shard's
 * <testsuite>) a cleaned copy of every test case of the JUnit document in
 * buf: a <testcase> with name (missing: "(unnamed)"), classname (missing:
 * the name of the nearest enclosing <testsuite>, else file_name, else none)
 * and time ("%.3f"; missing, negative or not a number: 0.000), and of its
 * children only those the JUnit schema allows: <failure>, <error>,
 * <skipped> (attributes message and type, and their text), <rerunFailure>,
 * <rerunError>, <flakyFailure>, <flakyError> (message, type, text, and
 * their <stackTrace>, <system-out>, <system-err>), <system-out> and
 * <system-err>. Everything else (<properties> inside a test case, other
 * attributes, comments, processing instructions) is dropped. CDATA becomes
 * text. file_name (may be NULL) is the file's name as the user knows it.
 *
 * Returns the number of test cases appended (>= 0) and adds them to *counts
 * (may be NULL); -1 when the file is unusable, with the reason in why
 * (as junit_file_check); -2 when out of memory (errno ENOMEM). On -1 and
 * -2 suite is unchanged and *counts untouched. */
int junit_merge_buffer(struct _xmlNode *suite, const char *buf, size_t len, const char *file_name,
                       struct junit_counts *counts, char *why, size_t whylen);

/* junit_merge_buffer on the contents of the file at path (rank 0's copy),
 * read whole and freed before returning. A file that cannot be read, or of
 * more than JUNIT_MERGE_MAX_BYTES, is unusable (-1). */
int junit_merge_file(struct _xmlNode *suite, const char *path, const char *file_name,
                     struct junit_counts *counts, char *why, size_t whylen);

/* Append the test case that stands for a file that is missing or unusable:
 * <testcase name=FILE classname="distmpi.collect" time="0.000">
 *   <error type="collect_error" message=WHY>FILE: WHY</error></testcase>
 * (file_name NULL: "(unknown file)"; why NULL: "unusable"), counted as one
 * test and one error in *counts (may be NULL). Returns 0, or -1 with errno
 * ENOMEM (suite unchanged, counts untouched). */
int junit_merge_error(struct _xmlNode *suite, const char *file_name, const char *why,
                      struct junit_counts *counts);

/* Count the test cases of the file at path as junit_merge_file would
 * merge them, copying nothing: returns their number (>= 0) and adds them to
 * *counts (may be NULL); -1 when the file is unusable (why as
 * junit_merge_file), -2 out of memory (errno ENOMEM). */
int junit_merge_count(const char *path, struct junit_counts *counts, char *why, size_t whylen);

/* junit_merge_file with the copies written to w, as children of w's open
 * element (the shard's <testsuite>), the file being read and parsed whole
 * and freed before returning. Returns as junit_merge_file; on -1 nothing
 * was written; -2 when memory ran out or w failed (errno says which; the
 * document is then cut short and unusable). */
int junit_merge_write(struct xml_writer *w, const char *path, const char *file_name,
                      struct junit_counts *counts, char *why, size_t whylen);

/* The same for the JUnit document in buf (len bytes), as
 * junit_merge_buffer reads it. */
int junit_merge_write_buffer(struct xml_writer *w, const char *buf, size_t len,
                             const char *file_name, struct junit_counts *counts, char *why,
                             size_t whylen);

/* A test case as the merge reads it: what the verdicts (verdict.h), the
 * retry of failed tests (retryfailed.h) and the GitHub annotations
 * (report_github.h) need of it. Its cleaned name ("(unnamed)" when
 * missing) and classname (as the merge gives it: when missing, the name of
 * the nearest enclosing <testsuite>, else the file's name, else ""), with
 * has_name and has_classname saying whether they are its own attributes
 * (words for a test tool are made from those alone); its cleaned file and
 * line attributes (NULL when missing); project (the hostname attribute of
 * its nearest <testsuite> that has one, where Playwright puts the project;
 * NULL when none); its outcome: failed with a <failure> or <error>, else
 * skipped with a <skipped>, else passed; and failed_before, its
 * <rerunFailure>, <rerunError>, <flakyFailure> and <flakyError> elements:
 * executions that failed before that outcome, in the test tool's own
 * retries. */
enum junit_case_outcome { JUNIT_CASE_PASSED, JUNIT_CASE_FAILED, JUNIT_CASE_SKIPPED };
struct junit_case {
    const char *classname, *name, *project;
    int has_classname, has_name;
    const char *file, *line;
    enum junit_case_outcome outcome;
    int failed_before;
    const char *message; /* the message of its <failure> or <error>, else of its first
                            rerun element; NULL: none */
};

/* Called for each test case: with w NULL when reading (junit_cases_read,
 * junit_each_case), or with the case's <testcase> open in w when writing
 * (junit_merge_write_cases), after its children, to add elements of its
 * own. Returns 0, or -1 with errno set to stop. */
typedef int (*junit_case_fn)(void *arg, const struct junit_case *c, struct xml_writer *w);

/* Pass every test case of the JUnit document in buf (len bytes), in
 * document order, to fn(arg, case, NULL), the file parsed as
 * junit_file_check parses it; a classname falls back on no file name.
 * Returns the number of test cases (>= 0); -1 when the file is unusable,
 * with the reason in why; -2 when out of memory or fn failed (errno says
 * which). */
int junit_each_case(const char *buf, size_t len, junit_case_fn fn, void *arg, char *why,
                    size_t whylen);

/* fn for every test case of the JUnit file at path (rank 0's copy),
 * copying nothing; file_name (may be NULL) as for junit_merge_file, so
 * that each case's classname is the one the merge gives it. Returns the
 * number of test cases (>= 0); -1 when the file is unusable (why as
 * junit_merge_file); -2 out of memory or when fn failed (errno). */
int junit_cases_read(const char *path, const char *file_name, junit_case_fn fn, void *arg,
                     char *why, size_t whylen);

/* junit_merge_write, calling fn (NULL: none) in each <testcase> it
 * writes. Returns as junit_merge_write; fn failing is -2. */
int junit_merge_write_cases(struct xml_writer *w, const char *path, const char *file_name,
                            struct junit_counts *counts, junit_case_fn fn, void *arg, char *why,
                            size_t whylen);

/* junit_merge_error written to w. Returns 0, or -1 with errno set (w
 * failed). */
int junit_merge_write_error(struct xml_writer *w, const char *file_name, const char *why,
                            struct junit_counts *counts);

#endif
