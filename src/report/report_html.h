/* SPDX-License-Identifier: BSD-3-Clause */
/* report_html.h - the --html report: one self-contained HTML file (inline CSS,
 * no scripts, no external references) that a browser shows offline.
 *
 * Shape, in order (ids and classes are stable; tests and users' scripts
 * may rely on them):
 *   <header id="run">      run id, command or task file, start (UTC),
 *                          duration, schedule, exit status and its meaning
 *   <section id="summary"> one <div class="count c-CLASS" id="count-CLASS">
 *                          per class (shards, passed, flaky, failed,
 *                          timeout, crashed, exec_error, lost, interrupted,
 *                          retries), the number in its <b>
 *   <section id="hosts">   a table: one <tr class="host"> per host (cores,
 *                          ranks, shards, counts, retries, busy, busy share,
 *                          mean shard time, health when checked), then
 *                          <tr class="total">
 *   <section id="timeline"> one <div class="row"> per slot, labelled
 *                          "HOST / slot N (rank R)", on a time axis from the
 *                          run's start to its end; one
 *                          <span class="bar o-OUTCOME"> per attempt (class
 *                          "retry" added from the second attempt on), placed
 *                          by start and duration, with a title; the periods
 *                          a host was unhealthy as <span class="down">
 *   <section id="failures"> one <article class="failure s-STATUS"
 *                          id="shard-N"> per shard that did not pass, with
 *                          where it ran, its attempts, error text, log path
 *                          and log tail (<pre class="tail">); then the flaky
 *                          shards (<li class="flaky" id="shard-N">)
 *
 * Every string that comes from outside (command words, host names, errors,
 * reasons, paths, log tails) is made valid UTF-8 with junit_clean_text and
 * HTML-escaped (& < > " '). A Content-Security-Policy meta tag forbids any
 * script or fetch as a second line of defence.
 *
 * The document is also well-formed XML (void elements are closed with "/>",
 * the only named entities are XML's), so any XML parser can check it.
 */
#ifndef DISTMPI_REPORT_HTML_H
#define DISTMPI_REPORT_HTML_H

#include <stddef.h>

#include "common/error.h"
#include "report/report_json.h"

/* What the HTML report may show beyond struct report. Zero-initialise and
 * set what you have; the options pointer itself may be NULL. */
struct html_options {
    /* The tail of each shard's last-attempt log (rep->total entries, indexed
     * like rep->results), or NULL for none; a NULL entry: none for that
     * shard. Shown under the shard in the failures. */
    const char *const *log_tails;
    /* Instead of log_tails (when set): the tail of shard index's log, read
     * when its failure is written, or NULL for none; the text need stay
     * valid only until the next call (one buffer reused will do). */
    const char *(*read_tail)(void *tail_arg, long index);
    void *tail_arg;
    /* A page written while the run goes on (--html-interval): it reloads
     * itself every live_every seconds, says it is live and how many shards
     * are done, and counts the pending shards (rep->results entries that
     * are NULL, pending of them) as pending, not lost. 0: the final page,
     * which does not reload. */
    double live_every;
    long pending;
};

/* The document, NUL-terminated, in a heap buffer (free with free()), its
 * length in *len if len is not NULL: the very bytes report_html_write
 * writes. Returns NULL on ENOMEM. Pure. */
char *report_html_build(const struct report *rep, const struct html_options *opt, size_t *len);

/* Write the document to path atomically (fs_write_atomic: a temporary file
 * renamed over path, never following a symlink), as it is made: rank 0
 * never holds the page. Returns 0, or -1 with "PATH: reason" in err (may
 * be NULL). */
int report_html_write(const char *path, const struct report *rep, const struct html_options *opt,
                      struct error *err);

#endif
