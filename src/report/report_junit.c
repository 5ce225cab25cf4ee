/* SPDX-License-Identifier: BSD-3-Clause */
/* report_junit.c - the JUnit XML report, streamed through libxml2's
 * xmlTextWriter (shape in report_junit.h). */
#include "config.h"

#include "report/report_junit.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/fsutil.h"
#include "report/junit_merge.h"
#include "report/junit_xml.h"
#include "report/verdict_gather.h"
#include "common/timeutil.h"

static const char *plural(long n)
{
    return n == 1 ? "" : "s";
}

/* A time attribute: seconds with milliseconds, never negative, never in
 * exponent form (the schema's SUREFIRE_TIME pattern). */
static void fmt_seconds(char *buf, size_t len, double s)
{
    if (!isfinite(s) || s < 0)
        s = 0;
    snprintf(buf, len, "%.3f", s);
}

/* "2026-11-26T12:01:02": UTC, as Ant and Surefire write timestamps. */
static void fmt_timestamp(char *buf, size_t len, double t)
{
    char iso[40];
    time_format_iso(t, iso, sizeof iso);
    snprintf(buf, len, "%.19s", iso);
}

/* How one attempt ended: "exit 1", "signal 11", "timeout after 30.00s"... */
static void describe_attempt(struct buf *b, const struct attempt *a)
{
    switch (a->outcome) {
    case OUTCOME_PASSED:
        buf_printf(b, "passed");
        break;
    case OUTCOME_FAILED:
        if (a->signal)
            buf_printf(b, "signal %d", a->signal);
        else
            buf_printf(b, "exit %d", a->exit_code);
        break;
    case OUTCOME_TIMEOUT:
        buf_printf(b, "timeout after %.2fs", isfinite(a->duration) ? a->duration : 0.0);
        if (a->signal)
            buf_printf(b, " (killed by signal %d)", a->signal);
        else if (a->exit_code >= 0)
            buf_printf(b, " (exit %d)", a->exit_code);
        break;
    case OUTCOME_CRASHED:
        buf_printf(b, "crashed (signal %d)", a->signal);
        break;
    case OUTCOME_EXEC_ERROR:
        buf_printf(b, "could not start");
        break;
    case OUTCOME_SUPERSEDED:
        buf_printf(b, "ended: another copy counted first");
        break;
    default:
        buf_printf(b, "unknown outcome %d", a->outcome);
        break;
    }
}

/* ------------------------------------------------------------ the writer */

/* What merged files add to a shard's counters, from the first pass. */
struct merged_counts {
    int tests, failures, errors, skipped;
};

struct builder {
    const struct report *rep;
    const struct junit_options *opt;
    struct xml_writer *w;
    int failed; /* the document is unusable: errno in err */
    int err;
    const char *reason;   /* distmpi's own reason for err, or NULL */
    struct buf msg, text; /* scratch, reused for every shard */
    /* rep->total entries when files are merged (the first pass), else NULL */
    struct merged_counts *merged;
    struct merged_counts merged_total;
};

static void fail_with(struct builder *b, int err, const char *reason)
{
    if (!b->failed) {
        b->err = err ? err : EIO;
        b->reason = reason;
    }
    b->failed = 1;
}

static void element(struct builder *b, const char *name)
{
    if (!b->failed && xml_writer_start(b->w, name) < 0)
        fail_with(b, errno, NULL);
}

static void end(struct builder *b)
{
    if (!b->failed && xml_writer_end(b->w) < 0)
        fail_with(b, errno, NULL);
}

/* An attribute of the element just opened; value is cleaned and escaped. A
 * NULL value (out of memory building it) fails the document. */
static void attr(struct builder *b, const char *name, const char *value)
{
    if (b->failed)
        return;
    char *clean = value ? junit_clean_text(value) : NULL;
    if (!clean)
        fail_with(b, ENOMEM, NULL);
    else if (xml_writer_attr(b->w, name, clean) < 0)
        fail_with(b, errno, NULL);
    free(clean);
}

static void attr_long(struct builder *b, const char *name, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    attr(b, name, buf);
}

static void attr_seconds(struct builder *b, const char *name, double s)
{
    char buf[64];
    fmt_seconds(buf, sizeof buf, s);
    attr(b, name, buf);
}

/* Cleaned text as content of the open element (NULL: out of memory
 * building it). */
static void add_text(struct builder *b, const char *text)
{
    if (b->failed)
        return;
    if (!text) {
        fail_with(b, ENOMEM, NULL);
        return;
    }
    if (!*text)
        return;
    char *clean = junit_clean_text(text);
    if (!clean)
        fail_with(b, ENOMEM, NULL);
    else if (xml_writer_text(b->w, clean) < 0)
        fail_with(b, errno, NULL);
    free(clean);
}

/* An element holding text, with its attributes (NULL name: none) set
 * before the text as the schema's order has no say in it. */
static void text_element(struct builder *b, const char *name, const char *text, const char *attr1,
                         const char *value1, const char *attr2, const char *value2)
{
    element(b, name);
    if (attr1)
        attr(b, attr1, value1);
    if (attr2)
        attr(b, attr2, value2);
    add_text(b, text);
    end(b);
}

static void property(struct builder *b, const char *name, const char *value)
{
    element(b, "property");
    attr(b, "name", name);
    attr(b, "value", value);
    end(b);
}

static void property_long(struct builder *b, const char *name, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    property(b, name, buf);
}

/* The host that ran r, or NULL. */
static const char *host_of(const struct report *rep, const struct shard_result *r)
{
    const struct cluster *c = rep->cluster;
    if (r && r->carried)
        return r->host; /* from the earlier run's journal */
    if (!r || !c || r->rank < 0 || r->rank >= c->nranks || !c->rank_host || !c->hosts)
        return NULL;
    int h = c->rank_host[r->rank];
    return h >= 0 && h < c->nhosts ? c->hosts[h].name : NULL;
}

/* Where attempt a of r ran, when that is not where r ended (an attempt on a
 * host where it could not start, --retry-elsewhere); NULL otherwise. */
static const char *elsewhere(const struct report *rep, const struct shard_result *r,
                             const struct attempt *a)
{
    const struct cluster *c = rep->cluster;
    if (r->carried || a->rank < 0 || a->rank == r->rank || !c || a->rank >= c->nranks ||
        !c->rank_host || !c->hosts)
        return NULL;
    int h = c->rank_host[a->rank];
    return h >= 0 && h < c->nhosts ? c->hosts[h].name : NULL;
}

/* Shard i's log tail, or NULL: read now (valid until the next call), so
 * that no more than one is in memory. */
static const char *log_tail(const struct builder *b, long i)
{
    const struct junit_options *o = b->opt;
    const char *t = !o             ? NULL
                    : o->read_tail ? o->read_tail(o->tail_arg, i)
                    : o->log_tails ? o->log_tails[i]
                                   : NULL;
    return t && *t ? t : NULL;
}

/* The message of a shard that did not pass: "exit 1 after 3 attempts". */
static void shard_message(struct buf *m, const struct shard_result *r, int status)
{
    int n = r ? r->nattempts : 0;
    const struct attempt *last = n > 0 ? &r->attempts[n - 1] : NULL;
    switch (status) {
    case STATUS_EXEC_ERROR:
        buf_printf(m, "could not start after %d attempt%s", n, plural(n));
        if (r && r->error)
            buf_printf(m, ": %s", r->error);
        break;
    case STATUS_LOST:
        buf_printf(m, "the shard never reported a result");
        break;
    case STATUS_INTERRUPTED:
        if (n > 0)
            buf_printf(m, "interrupted after %d attempt%s", n, plural(n));
        else
            buf_printf(m, "interrupted before the shard finished");
        break;
    default:
        if (last)
            describe_attempt(m, last);
        else
            buf_printf(m, "%s", status_label(status));
        buf_printf(m, " after %d attempt%s", n, plural(n));
        break;
    }
}

/* One line per attempt: "attempt 1 of 3: failed (exit 1), 0.310s, started
 * ...", and " on HOST" when it ran on another host than the last. */
static void attempt_line(struct buf *t, const struct attempt *a, int k, int n, const char *where)
{
    char ts[40];
    time_format_iso(a->start, ts, sizeof ts);
    char label[64];
    result_attempt_label(label, sizeof label, a, k, n);
    buf_printf(t, "%s: %s (", label, outcome_name(a->outcome));
    describe_attempt(t, a);
    buf_printf(t, "), %.3fs, started %s%s%s\n", isfinite(a->duration) ? a->duration : 0.0, ts,
               where ? " on " : "", where ? where : "");
}

/* The text of a <failure> or <error>: what happened, where, every attempt,
 * the log's path, and the log's tail. */
static void shard_text(struct builder *b, struct buf *t, long i, const struct shard_result *r,
                       int status, const char *message, const char *tail)
{
    const char *host = host_of(b->rep, r);
    buf_printf(t, "shard %ld %s: %s\n", i + 1, status_label(status), message);
    if (host)
        buf_printf(t, "host %s, rank %d, slot %d\n", host, r->rank, r->slot);
    int n = r ? r->nattempts : 0;
    for (int k = 0; k < n; k++)
        attempt_line(t, &r->attempts[k], k, n, elsewhere(b->rep, r, &r->attempts[k]));
    if (r && r->error)
        buf_printf(t, "error: %s\n", r->error);
    if (r && r->log)
        buf_printf(t, "log: %s%s%s\n", r->log, host ? " on " : "", host ? host : "");
    if (tail)
        buf_printf(t, "\n--- log tail ---\n%s%s", tail, tail[strlen(tail) - 1] == '\n' ? "" : "\n");
}

/* The text of a buffer, or NULL when building it ran out of memory. */
static const char *text_of(const struct buf *t)
{
    return t->failed ? NULL : buf_str(t);
}

/* A <flakyFailure>, <rerunFailure>... for attempt k of r. */
static void rerun_element(struct builder *b, const char *name, const struct shard_result *r, int k)
{
    const struct attempt *a = &r->attempts[k];
    buf_reset(&b->msg);
    describe_attempt(&b->msg, a);
    char label[64];
    result_attempt_label(label, sizeof label, a, k, r->nattempts);
    buf_printf(&b->msg, " (%s)", label);
    buf_reset(&b->text);
    attempt_line(&b->text, a, k, r->nattempts, elsewhere(b->rep, r, a));
    text_element(b, name, text_of(&b->text), "message", text_of(&b->msg), "type",
                 outcome_name(a->outcome));
}

/* ------------------------------------------------------------ merged files */

/* Whether the files of shard i are to be merged, and entry k. */
static const struct collected_file *collected_file(const struct junit_options *o, long i, int k)
{
    const struct collected_file *f = &o->collected[i][k];
    if (f->earlier) /* the shard's last attempt's tests stand for it */
        return NULL;
    if (o->xml_names_only) {
        size_t n = f->name ? strlen(f->name) : 0;
        if (n < 4 || strcmp(f->name + n - 4, ".xml"))
            return NULL;
    }
    return f;
}

static int has_collected(const struct junit_options *o, long i)
{
    return o && o->collected && o->ncollected && o->collected[i] && o->ncollected[i] > 0;
}

/* The test case being merged from the file of attempt of shard i. */
struct case_ctx {
    const struct report *rep;
    long shard;
    int attempt;
    const char *host; /* the name of the host that ran it, or NULL */
};

/* One element for a failed run of the test in another attempt of the
 * shard. */
static int rerun_write(struct xml_writer *w, const char *name, const struct report *rep,
                       const struct test_run *r)
{
    struct buf msg = BUF_INIT, text = BUF_INIT;
    const char *host = verdict_host_name(rep->cluster, r->host);
    buf_printf(&msg, "failed in attempt %d on %s", r->attempt, host);
    if (r->message)
        buf_printf(&msg, ": %s", r->message);
    buf_printf(&text, "shard %ld attempt %d on %s: ", r->shard + 1, r->attempt, host);
    if (r->failed_before > 0)
        buf_printf(&text, "failed %d time%s in the test tool's own retries, then ",
                   r->failed_before, plural(r->failed_before));
    buf_printf(&text, "%s", test_outcome_name(r->outcome));
    if (r->message)
        buf_printf(&text, ": %s", r->message);
    char *m = msg.failed ? NULL : junit_clean_text(buf_str(&msg));
    char *t = text.failed ? NULL : junit_clean_text(buf_str(&text));
    buf_free(&msg);
    buf_free(&text);
    int rc = -1;
    if (m && t)
        rc = xml_writer_start(w, name) < 0 || xml_writer_attr(w, "message", m) < 0 ||
                     xml_writer_attr(w, "type", "distmpi.attempt") < 0 ||
                     xml_writer_text(w, t) < 0 || xml_writer_end(w) < 0
                 ? -1
                 : 0;
    else
        errno = ENOMEM;
    free(m);
    free(t);
    return rc;
}

/* junit_case_fn: in a merged test case, the attempts of the same shard
 * (distmpi's retries) in which the test failed, as <flakyFailure> when it
 * passed in the end, else as <rerunFailure> (Surefire's names). */
static int add_reruns(void *arg, const struct junit_case *c, struct xml_writer *w)
{
    const struct case_ctx *cx = arg;
    /* the test as verdict_gather knows it */
    const struct verdict_test *x = verdict_table_find(cx->rep->verdicts, c->classname, c->name,
                                                      verdict_project(c->project, cx->host));
    if (!x || !w)
        return 0;
    for (size_t k = 0; k < x->nruns; k++) {
        const struct test_run *r = &x->runs[k];
        if (r->shard != cx->shard || r->attempt == cx->attempt ||
            (r->outcome != TEST_FAILED && r->failed_before == 0))
            continue;
        const char *name = c->outcome == JUNIT_CASE_FAILED ? "rerunFailure" : "flakyFailure";
        if (rerun_write(w, name, cx->rep, r) < 0)
            return -1;
    }
    return 0;
}

/* One test case carried over from an earlier attempt of shard i (see
 * carried_cases), written to w: its name and classname, <skipped/> when it
 * was skipped, and where it ran in <system-out>. */
static int carried_write(struct xml_writer *w, const struct report *rep,
                         const struct verdict_test *x, const struct test_run *r)
{
    struct buf t = BUF_INIT;
    buf_printf(&t,
               "%s in attempt %d on %s; not run again: the retry ran only the tests that "
               "failed (--retry-command)",
               test_outcome_name(r->outcome), r->attempt, verdict_host_name(rep->cluster, r->host));
    char *text = t.failed ? NULL : junit_clean_text(buf_str(&t));
    buf_free(&t);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = xml_writer_start(w, "testcase") < 0 || xml_writer_attr(w, "name", x->name) < 0 ||
                     xml_writer_attr(w, "classname", x->classname) < 0 ||
                     xml_writer_attr(w, "time", "0.000") < 0 ||
                     (r->outcome == TEST_SKIPPED &&
                      (xml_writer_start(w, "skipped") < 0 || xml_writer_end(w) < 0)) ||
                     xml_writer_start(w, "system-out") < 0 || xml_writer_text(w, text) < 0 ||
                     xml_writer_end(w) < 0 || xml_writer_end(w) < 0
                 ? -1
                 : 0;
    free(text);
    return rc;
}

/* A shard whose last attempt ran only the tests that failed before
 * (--retry-command): the tests that passed or were skipped in its earlier
 * attempts are in no file of the last one, and would drop out of the
 * report. Each is written (w set) or counted (w NULL) as it last ran there,
 * from the verdicts, which hold every attempt's runs. Returns 0, or -1
 * (errno) when w failed. */
static int carried_cases(struct builder *b, long i, struct xml_writer *w, struct junit_counts *c)
{
    const struct report *rep = b->rep;
    const struct shard_result *res = rep->results ? rep->results[i] : NULL;
    if (!rep->verdicts || !res || res->nattempts < 2 ||
        res->attempts[res->nattempts - 1].retried <= 0)
        return 0;
    int last = res->attempts[res->nattempts - 1].number;
    for (size_t t = 0; t < verdict_table_count(rep->verdicts); t++) {
        const struct verdict_test *x = verdict_table_test(rep->verdicts, t);
        const struct test_run *latest = NULL;
        bool in_last = false;
        for (size_t k = 0; k < x->nruns && !in_last; k++) {
            const struct test_run *r = &x->runs[k];
            if (r->shard != i)
                continue;
            in_last = r->attempt == last;
            if (!latest || r->attempt > latest->attempt)
                latest = r;
        }
        /* one that failed was retried: the last attempt's file has it */
        if (in_last || !latest || latest->outcome == TEST_FAILED)
            continue;
        c->tests++;
        c->skipped += latest->outcome == TEST_SKIPPED;
        if (w && carried_write(w, rep, x, latest) < 0)
            return -1;
    }
    return 0;
}

/* Merge (w set) or count (w NULL) the files collected for shard i, adding
 * their test cases to *c; a file that is missing or unusable is an error
 * entry. Returns 0, or -1 out of memory or when w failed (errno). */
static int each_collected(struct builder *b, long i, struct xml_writer *w, struct junit_counts *c)
{
    const struct junit_options *o = b->opt;
    for (int k = 0; has_collected(o, i) && k < o->ncollected[i]; k++) {
        const struct collected_file *f = collected_file(o, i, k);
        if (!f)
            continue;
        const char *name = f->name ? f->name : f->path;
        const char *error = f->error;
        char why[512];
        if (!error && !f->path)
            error = "no copy of the file on rank 0";
        if (!error) {
            const struct cluster *cl = b->rep->cluster;
            int h = cl && f->rank >= 0 && f->rank < cl->nranks ? cl->rank_host[f->rank] : -1;
            struct case_ctx cx = {b->rep, i, f->attempt, h >= 0 ? verdict_host_name(cl, h) : NULL};
            int rc = !w                 ? junit_merge_count(f->path, c, why, sizeof why)
                     : b->rep->verdicts ? junit_merge_write_cases(w, f->path, name, c, add_reruns,
                                                                  &cx, why, sizeof why)
                                        : junit_merge_write(w, f->path, name, c, why, sizeof why);
            if (rc == -2)
                return -1;
            if (rc < 0)
                error = why;
        }
        if (error && w && junit_merge_write_error(w, name, error, c) < 0)
            return -1;
        if (error && !w) {
            c->tests++;
            c->errors++;
        }
    }
    return carried_cases(b, i, w, c);
}

static int clamp_int(long v)
{
    return v > INT_MAX ? INT_MAX : v < 0 ? 0 : (int)v;
}

/* The first pass: what the files collected for each shard add to its
 * counters and to the run's, since both stand in start tags written before
 * the test cases. Each file is parsed, counted and freed; the counts are
 * all that stays (16 bytes a shard, only when files were collected). */
static void count_collected(struct builder *b)
{
    const struct report *rep = b->rep;
    const struct junit_options *o = b->opt;
    if (!o || !o->collected || !o->ncollected || rep->total <= 0)
        return;
    for (long i = 0; i < rep->total && !b->failed; i++) {
        if (!has_collected(o, i))
            continue;
        if (!b->merged && !(b->merged = calloc((size_t)rep->total, sizeof *b->merged))) {
            fail_with(b, ENOMEM, NULL);
            return;
        }
        struct junit_counts c = {0};
        if (each_collected(b, i, NULL, &c) < 0) {
            fail_with(b, errno, NULL);
            return;
        }
        b->merged[i] = (struct merged_counts){clamp_int(c.tests), clamp_int(c.failures),
                                              clamp_int(c.errors), clamp_int(c.skipped)};
        b->merged_total.tests = clamp_int((long)b->merged_total.tests + c.tests);
        b->merged_total.failures = clamp_int((long)b->merged_total.failures + c.failures);
        b->merged_total.errors = clamp_int((long)b->merged_total.errors + c.errors);
        b->merged_total.skipped = clamp_int((long)b->merged_total.skipped + c.skipped);
    }
}

/* The second pass for shard i: its files streamed into its open
 * <testsuite>, one at a time. They must come out as they were counted:
 * the counters are already written. */
static void merge_collected(struct builder *b, long i)
{
    if (b->failed || !b->merged || !has_collected(b->opt, i))
        return;
    struct junit_counts c = {0};
    if (each_collected(b, i, b->w, &c) < 0) {
        fail_with(b, errno, NULL);
        return;
    }
    const struct merged_counts *m = &b->merged[i];
    if (clamp_int(c.tests) != m->tests || clamp_int(c.failures) != m->failures ||
        clamp_int(c.errors) != m->errors || clamp_int(c.skipped) != m->skipped)
        fail_with(b, EIO, "a collected JUnit file changed while the report was written");
}

/* ------------------------------------------------------------ the document */

/* Shard i's <testsuite>. */
static void shard_suite(struct builder *b, long i)
{
    const struct report *rep = b->rep;
    const struct shard_result *r = rep->results ? rep->results[i] : NULL;
    int status = r ? r->status : STATUS_LOST;
    int n = r ? r->nattempts : 0;
    const struct attempt *last = n > 0 ? &r->attempts[n - 1] : NULL;
    const char *host = host_of(rep, r);
    double busy = r ? result_busy(r) : 0;
    int fail = status_is_test_failure(status);
    int skipped = status == STATUS_SKIPPED;
    int infra = !status_is_pass(status) && !fail && !skipped;
    struct merged_counts mc = b->merged ? b->merged[i] : (struct merged_counts){0};
    char buf[64];

    /* the test tool's own test cases count in the suite; its time stays
     * the shard's busy time: they ran within it, adding theirs would count
     * it twice */
    element(b, "testsuite");
    snprintf(buf, sizeof buf, "shard-%ld", i + 1);
    attr(b, "name", buf);
    attr_long(b, "id", i);
    attr_long(b, "tests", 1L + mc.tests);
    attr_long(b, "failures", (long)fail + mc.failures);
    attr_long(b, "errors", (long)infra + mc.errors);
    attr_long(b, "skipped", (long)skipped + mc.skipped);
    attr_seconds(b, "time", busy);
    if (n > 0) {
        fmt_timestamp(buf, sizeof buf, r->attempts[0].start);
        attr(b, "timestamp", buf);
    }
    if (host)
        attr(b, "hostname", host);

    element(b, "properties");
    if (rep->run_id)
        property(b, "run_id", rep->run_id);
    if (host)
        property(b, "host", host);
    if (host && r->rank >= 0) {
        property_long(b, "rank", r->rank);
        property_long(b, "slot", r->slot);
    }
    if (r && r->carried)
        property(b, "carried", "true");
    property_long(b, "attempts", n);
    /* --speculate: each copy ended because another counted first */
    for (int k = 0; r && k < r->nsuperseded; k++) {
        const struct superseded *x = &r->superseded[k];
        const char *where = elsewhere(rep, r, &x->attempt);
        char ts[40];
        time_format_iso(x->attempt.start, ts, sizeof ts);
        buf_reset(&b->msg);
        buf_printf(&b->msg, "attempt %d: superseded (", x->attempt.number);
        describe_attempt(&b->msg, &x->attempt);
        buf_printf(&b->msg, "), %.3fs, started %s%s%s",
                   isfinite(x->attempt.duration) ? x->attempt.duration : 0.0, ts,
                   where ? " on " : "", where ? where : "");
        if (x->log)
            buf_printf(&b->msg, ", log %s", x->log);
        property(b, "superseded", text_of(&b->msg));
    }
    property(b, "status", status_name(status));
    if (last && last->exit_code >= 0)
        property_long(b, "exit_code", last->exit_code);
    if (last && last->signal)
        property_long(b, "signal", last->signal);
    if (status == STATUS_FLAKY)
        property(b, "flaky", "true");
    if (r && r->log)
        property(b, "log", r->log);
    if (r && r->error)
        property(b, "error", r->error);
    end(b);

    element(b, "testcase");
    snprintf(buf, sizeof buf, "shard %ld", i + 1);
    attr(b, "name", buf);
    attr(b, "classname", "distmpi.shard");
    attr_seconds(b, "time", busy);

    const char *tail = log_tail(b, i);
    if (fail || infra) {
        buf_reset(&b->msg);
        shard_message(&b->msg, r, status);
        const char *message = text_of(&b->msg);
        buf_reset(&b->text);
        if (message)
            shard_text(b, &b->text, i, r, status, message, tail);
        text_element(b, fail ? "failure" : "error", text_of(&b->text), "message", message, "type",
                     status_name(status));
        /* the earlier attempts that did not pass either */
        for (int k = 0; k + 1 < n; k++) {
            int o = r->attempts[k].outcome;
            if (o != OUTCOME_PASSED)
                rerun_element(b, o == OUTCOME_EXEC_ERROR ? "rerunError" : "rerunFailure", r, k);
        }
    } else if (skipped) {
        element(b, "skipped");
        attr(b, "message", r && r->error ? r->error : "not started");
        end(b);
    } else if (status == STATUS_FLAKY) {
        for (int k = 0; k < n; k++) {
            int o = r->attempts[k].outcome;
            if (o != OUTCOME_PASSED)
                rerun_element(b, o == OUTCOME_EXEC_ERROR ? "flakyError" : "flakyFailure", r, k);
        }
    }
    if (tail)
        text_element(b, "system-out", tail, NULL, NULL, NULL, NULL);
    end(b); /* testcase */

    merge_collected(b, i);
    end(b); /* testsuite */
}

/* The whole document to sink. Returns 0, or -1 with errno set (and
 * *reason, when distmpi has one of its own, else NULL). */
static int write_document(const struct report *rep, const struct junit_options *opt,
                          xml_sink_fn sink, void *ctx, const char **reason)
{
    struct builder b = {.rep = rep, .opt = opt};
    *reason = NULL;
    count_collected(&b);
    if (!b.failed && !(b.w = xml_writer_create(sink, ctx)))
        fail_with(&b, errno, NULL);

    long failures = 0, errors = 0;
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = rep->results ? rep->results[i] : NULL;
        int status = r ? r->status : STATUS_LOST;
        if (status_is_test_failure(status))
            failures++;
        else if (!status_is_pass(status) && status != STATUS_SKIPPED)
            errors++;
    }
    element(&b, "testsuites");
    attr(&b, "name", opt && opt->name ? opt->name : "distmpi");
    attr_long(&b, "tests", rep->total + b.merged_total.tests);
    attr_long(&b, "failures", failures + b.merged_total.failures);
    attr_long(&b, "errors", errors + b.merged_total.errors);
    attr_seconds(&b, "time", rep->duration);
    for (long i = 0; i < rep->total && !b.failed; i++)
        shard_suite(&b, i);
    end(&b);
    if (!b.failed && xml_writer_finish(b.w) < 0)
        fail_with(&b, errno, NULL);
    xml_writer_destroy(b.w);
    buf_free(&b.msg);
    buf_free(&b.text);
    free(b.merged);
    if (b.failed) {
        *reason = b.reason;
        errno = b.err;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ entry points */

static int sink_buf(void *ctx, const char *data, size_t len)
{
    return buf_add(ctx, data, len);
}

char *report_junit_build(const struct report *rep, const struct junit_options *opt, size_t *len)
{
    struct buf out = BUF_INIT;
    const char *reason;
    if (write_document(rep, opt, sink_buf, &out, &reason) < 0) {
        buf_free(&out);
        errno = ENOMEM;
        return NULL;
    }
    size_t n = 0;
    char *s = buf_take(&out, &n);
    if (s && len)
        *len = n;
    return s;
}

struct file_sink {
    const struct report *rep;
    const struct junit_options *opt;
    const char *reason;
};

static int sink_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static int dump(FILE *f, void *arg)
{
    struct file_sink *s = arg;
    return write_document(s->rep, s->opt, sink_file, f, &s->reason);
}

int report_junit_write_opts(const char *path, const struct report *rep,
                            const struct junit_options *opt, struct error *err)
{
    struct file_sink s = {.rep = rep, .opt = opt};
    struct error local;
    if (!err)
        err = &local;
    if (fs_write_atomic(path, dump, &s, err) == 0)
        return 0;
    if (s.reason)
        return errprintf(err, "%s: %s", path, s.reason);
    return -1;
}

int report_junit_write(const char *path, const struct report *rep, struct error *err)
{
    return report_junit_write_opts(path, rep, NULL, err);
}
