/* report_junit.c - the JUnit XML report, built with libxml2 (shape in
 * report_junit.h). */
#include "config.h"

#include "report_junit.h"

#include <errno.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "junit_merge.h"
#include "timeutil.h"

/* ------------------------------------------------------------ clean text */

/* The length of the valid UTF-8 sequence at s (n bytes left) that encodes a
 * character XML 1.0 allows, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
    unsigned char b = s[0];
    if (b < 0x80)
        return b >= 0x20 || b == '\t' || b == '\n' || b == '\r' ? 1 : 0;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    size_t len;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (b == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0)
            lo = 0x90; /* no overlong forms */
        else if (b == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0; /* a continuation byte, an overlong lead, or 0xF5..0xFF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    /* U+FFFE and U+FFFF are valid UTF-8 but not XML characters */
    if (b == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF))
        return 0;
    return len;
}

char *junit_clean_text(const char *s)
{
    if (!s)
        s = "";
    size_t n = strlen(s);
    if (n > (((size_t)-1) - 1) / 3)
        return NULL;
    char *out = malloc(3 * n + 1); /* a byte becomes at most 3 */
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t len = xml_char_len(p + i, n - i);
        if (len) {
            memcpy(out + o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

/* ------------------------------------------------------------ allocation */

/* libxml2's allocator hooks take no context, so the count is process-wide;
 * only rank 0's main thread uses libxml2. */
static _Atomic unsigned long xml_failures;
static int (*_Atomic xml_should_fail)(void);

/* Whether the test hook wants this allocation to fail. */
static int xml_injected(void)
{
    int (*f)(void) = xml_should_fail;
    return f && f();
}

static void *xml_malloc(size_t n)
{
    void *p = xml_injected() ? NULL : malloc(n);
    if (!p)
        xml_failures++;
    return p;
}

static void *xml_realloc(void *old, size_t n)
{
    void *p = xml_injected() ? NULL : realloc(old, n);
    if (!p)
        xml_failures++;
    return p;
}

static char *xml_strdup(const char *str)
{
    char *p = xml_injected() ? NULL : strdup(str);
    if (!p)
        xml_failures++;
    return p;
}

void junit_xml_setup(void)
{
    xmlFreeFunc f;
    xmlMallocFunc m;
    xmlReallocFunc r;
    xmlStrdupFunc d;
    if (xmlMemGet(&f, &m, &r, &d) == 0 && m == xml_malloc)
        return;
    xmlMemSetup(free, xml_malloc, xml_realloc, xml_strdup);
}

unsigned long junit_xml_failures(void)
{
    return xml_failures;
}

void junit_xml_fail_when(int (*should_fail)(void))
{
    junit_xml_setup();
    xml_should_fail = should_fail;
}

/* ------------------------------------------------------------ strings */

struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if (b->s && (size_t)n < b->cap - b->len) {
        b->len += (size_t)n;
        return;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap <= b->len + (size_t)n)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return;
    }
    b->s = s;
    b->cap = cap;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The text so far ("" when empty); NULL after running out of memory. */
static const char *sb_str(const struct sbuf *b)
{
    if (b->oom)
        return NULL;
    return b->s ? b->s : "";
}

static void sb_reset(struct sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

static void sb_free(struct sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

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
static void describe_attempt(struct sbuf *b, const struct attempt *a)
{
    switch (a->outcome) {
    case OUTCOME_PASSED:
        sb_printf(b, "passed");
        break;
    case OUTCOME_FAILED:
        if (a->signal)
            sb_printf(b, "signal %d", a->signal);
        else
            sb_printf(b, "exit %d", a->exit_code);
        break;
    case OUTCOME_TIMEOUT:
        sb_printf(b, "timeout after %.2fs", isfinite(a->duration) ? a->duration : 0.0);
        if (a->signal)
            sb_printf(b, " (killed by signal %d)", a->signal);
        else if (a->exit_code >= 0)
            sb_printf(b, " (exit %d)", a->exit_code);
        break;
    case OUTCOME_CRASHED:
        sb_printf(b, "crashed (signal %d)", a->signal);
        break;
    case OUTCOME_EXEC_ERROR:
        sb_printf(b, "could not start");
        break;
    default:
        sb_printf(b, "unknown outcome %d", a->outcome);
        break;
    }
}

/* ------------------------------------------------------------ the tree */

struct builder {
    const struct report *rep;
    const struct junit_options *opt;
    int oom;
    struct sbuf msg, text; /* scratch */
};

/* A child element of parent (no content), or NULL. */
static xmlNodePtr element(struct builder *b, xmlNodePtr parent, const char *name)
{
    if (!parent || b->oom)
        return NULL;
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
    if (!n)
        b->oom = 1;
    return n;
}

/* An attribute; value is cleaned and escaped. A NULL value (out of memory
 * building it) marks the builder. */
static void attr(struct builder *b, xmlNodePtr node, const char *name, const char *value)
{
    if (!node || b->oom)
        return;
    char *clean = value ? junit_clean_text(value) : NULL;
    if (!clean || !xmlNewProp(node, BAD_CAST name, BAD_CAST clean))
        b->oom = 1;
    free(clean);
}

static void attr_long(struct builder *b, xmlNodePtr node, const char *name, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    attr(b, node, name, buf);
}

/* Replace the value of an attribute set before (its place stays). */
static void reset_long(struct builder *b, xmlNodePtr node, const char *name, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    if (node && !b->oom && !xmlSetProp(node, BAD_CAST name, BAD_CAST buf))
        b->oom = 1;
}

static void attr_seconds(struct builder *b, xmlNodePtr node, const char *name, double s)
{
    char buf[64];
    fmt_seconds(buf, sizeof buf, s);
    attr(b, node, name, buf);
}

/* Append cleaned text to node (escaped when the document is written). */
static void add_text(struct builder *b, xmlNodePtr node, const char *text)
{
    if (!node || b->oom)
        return;
    if (!text) {
        b->oom = 1;
        return;
    }
    if (!*text)
        return;
    char *clean = junit_clean_text(text);
    xmlNodePtr t = clean ? xmlNewText(BAD_CAST clean) : NULL;
    free(clean);
    if (!t || !xmlAddChild(node, t)) {
        xmlFreeNode(t);
        b->oom = 1;
    }
}

/* A child element holding text. */
static xmlNodePtr text_element(struct builder *b, xmlNodePtr parent, const char *name,
                               const char *text)
{
    xmlNodePtr n = element(b, parent, name);
    add_text(b, n, text);
    return n;
}

static void property(struct builder *b, xmlNodePtr props, const char *name, const char *value)
{
    xmlNodePtr p = element(b, props, "property");
    attr(b, p, "name", name);
    attr(b, p, "value", value);
}

static void property_long(struct builder *b, xmlNodePtr props, const char *name, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    property(b, props, name, buf);
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

static const char *log_tail(const struct builder *b, long i)
{
    if (!b->opt || !b->opt->log_tails)
        return NULL;
    const char *t = b->opt->log_tails[i];
    return t && *t ? t : NULL;
}

/* The message of a shard that did not pass: "exit 1 after 3 attempts". */
static void shard_message(struct sbuf *m, const struct shard_result *r, int status)
{
    int n = r ? r->nattempts : 0;
    const struct attempt *last = n > 0 ? &r->attempts[n - 1] : NULL;
    switch (status) {
    case STATUS_EXEC_ERROR:
        sb_printf(m, "could not start after %d attempt%s", n, plural(n));
        if (r && r->error)
            sb_printf(m, ": %s", r->error);
        break;
    case STATUS_LOST:
        sb_printf(m, "the shard never reported a result");
        break;
    case STATUS_INTERRUPTED:
        if (n > 0)
            sb_printf(m, "interrupted after %d attempt%s", n, plural(n));
        else
            sb_printf(m, "interrupted before the shard finished");
        break;
    default:
        if (last)
            describe_attempt(m, last);
        else
            sb_printf(m, "%s", status_label(status));
        sb_printf(m, " after %d attempt%s", n, plural(n));
        break;
    }
}

/* One line per attempt: "attempt 1 of 3: failed (exit 1), 0.310s, started
 * ...", and " on HOST" when it ran on another host than the last. */
static void attempt_line(struct sbuf *t, const struct attempt *a, int k, int n, const char *where)
{
    char ts[40];
    time_format_iso(a->start, ts, sizeof ts);
    char label[64];
    result_attempt_label(label, sizeof label, a, k, n);
    sb_printf(t, "%s: %s (", label, outcome_name(a->outcome));
    describe_attempt(t, a);
    sb_printf(t, "), %.3fs, started %s%s%s\n", isfinite(a->duration) ? a->duration : 0.0, ts,
              where ? " on " : "", where ? where : "");
}

/* The text of a <failure> or <error>: what happened, where, every attempt,
 * the log's path, and the log's tail. */
static void shard_text(struct builder *b, struct sbuf *t, long i, const struct shard_result *r,
                       int status, const char *message)
{
    const char *host = host_of(b->rep, r);
    sb_printf(t, "shard %ld %s: %s\n", i + 1, status_label(status), message);
    if (host)
        sb_printf(t, "host %s, rank %d, slot %d\n", host, r->rank, r->slot);
    int n = r ? r->nattempts : 0;
    for (int k = 0; k < n; k++)
        attempt_line(t, &r->attempts[k], k, n, elsewhere(b->rep, r, &r->attempts[k]));
    if (r && r->error)
        sb_printf(t, "error: %s\n", r->error);
    if (r && r->log)
        sb_printf(t, "log: %s%s%s\n", r->log, host ? " on " : "", host ? host : "");
    const char *tail = log_tail(b, i);
    if (tail)
        sb_printf(t, "\n--- log tail ---\n%s%s", tail, tail[strlen(tail) - 1] == '\n' ? "" : "\n");
}

/* A <flakyFailure>, <rerunFailure>... for attempt k of r. */
static void rerun_element(struct builder *b, xmlNodePtr tc, const char *name,
                          const struct shard_result *r, int k)
{
    const struct attempt *a = &r->attempts[k];
    sb_reset(&b->msg);
    describe_attempt(&b->msg, a);
    char label[64];
    result_attempt_label(label, sizeof label, a, k, r->nattempts);
    sb_printf(&b->msg, " (%s)", label);
    sb_reset(&b->text);
    attempt_line(&b->text, a, k, r->nattempts, elsewhere(b->rep, r, a));
    xmlNodePtr e = text_element(b, tc, name, sb_str(&b->text));
    attr(b, e, "message", sb_str(&b->msg));
    attr(b, e, "type", outcome_name(a->outcome));
}

/* Merge the files collected for shard i into its suite ts, adding their
 * test cases to *c; a file that is missing or unusable becomes an error. */
static void merge_collected(struct builder *b, xmlNodePtr ts, long i, struct junit_counts *c)
{
    const struct junit_options *o = b->opt;
    if (!ts || !o || !o->collected || !o->ncollected || !o->collected[i])
        return;
    for (int k = 0; k < o->ncollected[i] && !b->oom; k++) {
        const struct collected_file *f = &o->collected[i][k];
        const char *name = f->name ? f->name : f->path;
        const char *error = f->error;
        char why[512];
        if (!error && !f->path)
            error = "no copy of the file on rank 0";
        if (!error) {
            int rc = junit_merge_file(ts, f->path, name, c, why, sizeof why);
            if (rc == -2)
                b->oom = 1;
            else if (rc < 0)
                error = why;
        }
        if (error && !b->oom && junit_merge_error(ts, name, error, c) < 0)
            b->oom = 1;
    }
}

/* Shard i's <testsuite>; what merged files add to the counts in *merged. */
static void shard_suite(struct builder *b, xmlNodePtr root, long i, struct junit_counts *merged)
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
    char buf[64];

    xmlNodePtr ts = element(b, root, "testsuite");
    snprintf(buf, sizeof buf, "shard-%ld", i + 1);
    attr(b, ts, "name", buf);
    attr_long(b, ts, "id", i);
    attr(b, ts, "tests", "1");
    attr(b, ts, "failures", fail ? "1" : "0");
    attr(b, ts, "errors", infra ? "1" : "0");
    attr(b, ts, "skipped", skipped ? "1" : "0");
    attr_seconds(b, ts, "time", busy);
    if (n > 0) {
        fmt_timestamp(buf, sizeof buf, r->attempts[0].start);
        attr(b, ts, "timestamp", buf);
    }
    if (host)
        attr(b, ts, "hostname", host);

    xmlNodePtr props = element(b, ts, "properties");
    if (rep->run_id)
        property(b, props, "run_id", rep->run_id);
    if (host)
        property(b, props, "host", host);
    if (host && r->rank >= 0) {
        property_long(b, props, "rank", r->rank);
        property_long(b, props, "slot", r->slot);
    }
    if (r && r->carried)
        property(b, props, "carried", "true");
    property_long(b, props, "attempts", n);
    property(b, props, "status", status_name(status));
    if (last && last->exit_code >= 0)
        property_long(b, props, "exit_code", last->exit_code);
    if (last && last->signal)
        property_long(b, props, "signal", last->signal);
    if (status == STATUS_FLAKY)
        property(b, props, "flaky", "true");
    if (r && r->log)
        property(b, props, "log", r->log);
    if (r && r->error)
        property(b, props, "error", r->error);

    xmlNodePtr tc = element(b, ts, "testcase");
    snprintf(buf, sizeof buf, "shard %ld", i + 1);
    attr(b, tc, "name", buf);
    attr(b, tc, "classname", "distmpi.shard");
    attr_seconds(b, tc, "time", busy);

    if (fail || infra) {
        sb_reset(&b->msg);
        shard_message(&b->msg, r, status);
        const char *message = sb_str(&b->msg);
        sb_reset(&b->text);
        if (message)
            shard_text(b, &b->text, i, r, status, message);
        xmlNodePtr e = text_element(b, tc, fail ? "failure" : "error", sb_str(&b->text));
        attr(b, e, "message", message);
        attr(b, e, "type", status_name(status));
        /* the earlier attempts that did not pass either */
        for (int k = 0; k + 1 < n; k++) {
            int o = r->attempts[k].outcome;
            if (o != OUTCOME_PASSED)
                rerun_element(b, tc, o == OUTCOME_EXEC_ERROR ? "rerunError" : "rerunFailure", r, k);
        }
    } else if (skipped) {
        xmlNodePtr e = element(b, tc, "skipped");
        attr(b, e, "message", r && r->error ? r->error : "not started");
    } else if (status == STATUS_FLAKY) {
        for (int k = 0; k < n; k++) {
            int o = r->attempts[k].outcome;
            if (o != OUTCOME_PASSED)
                rerun_element(b, tc, o == OUTCOME_EXEC_ERROR ? "flakyError" : "flakyFailure", r, k);
        }
    }
    const char *tail = log_tail(b, i);
    if (tail)
        text_element(b, tc, "system-out", tail);

    /* the test tool's own test cases; the suite's time stays the shard's
     * busy time: they ran within it, adding theirs would count it twice */
    struct junit_counts c = {0};
    merge_collected(b, ts, i, &c);
    if (c.tests) {
        reset_long(b, ts, "tests", 1 + c.tests);
        reset_long(b, ts, "failures", fail + c.failures);
        reset_long(b, ts, "errors", infra + c.errors);
        reset_long(b, ts, "skipped", skipped + c.skipped);
        merged->tests += c.tests;
        merged->failures += c.failures;
        merged->errors += c.errors;
        merged->skipped += c.skipped;
    }
    if (b->msg.oom || b->text.oom)
        b->oom = 1;
}

static xmlDocPtr build(const struct report *rep, const struct junit_options *opt)
{
    junit_xml_setup();
    unsigned long xml_failed = junit_xml_failures();
    struct builder b = {.rep = rep, .opt = opt};
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "testsuites", NULL) : NULL;
    if (!root) {
        xmlFreeDoc(doc);
        errno = ENOMEM;
        return NULL;
    }
    xmlDocSetRootElement(doc, root);

    long failures = 0, errors = 0;
    for (long i = 0; i < rep->total; i++) {
        const struct shard_result *r = rep->results ? rep->results[i] : NULL;
        int status = r ? r->status : STATUS_LOST;
        if (status_is_test_failure(status))
            failures++;
        else if (!status_is_pass(status) && status != STATUS_SKIPPED)
            errors++;
    }
    attr(&b, root, "name", opt && opt->name ? opt->name : "distmpi");
    attr_long(&b, root, "tests", rep->total);
    attr_long(&b, root, "failures", failures);
    attr_long(&b, root, "errors", errors);
    attr_seconds(&b, root, "time", rep->duration);

    struct junit_counts merged = {0};
    for (long i = 0; i < rep->total && !b.oom; i++)
        shard_suite(&b, root, i, &merged);
    if (merged.tests) {
        reset_long(&b, root, "tests", rep->total + merged.tests);
        reset_long(&b, root, "failures", failures + merged.failures);
        reset_long(&b, root, "errors", errors + merged.errors);
    }
    sb_free(&b.msg);
    sb_free(&b.text);
    if (b.oom || junit_xml_failures() != xml_failed) {
        xmlFreeDoc(doc);
        errno = ENOMEM;
        return NULL;
    }
    return doc;
}

char *report_junit_build(const struct report *rep, const struct junit_options *opt, size_t *len)
{
    xmlDocPtr doc = build(rep, opt);
    if (!doc)
        return NULL;
    xmlChar *mem = NULL;
    int size = 0;
    unsigned long xml_failed = junit_xml_failures();
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    if (junit_xml_failures() != xml_failed)
        size = -1; /* cut short where libxml2 ran out of memory */
    xmlFreeDoc(doc);
    char *out = NULL;
    if (mem && size >= 0) {
        out = malloc((size_t)size + 1);
        if (out) {
            memcpy(out, mem, (size_t)size);
            out[size] = '\0';
            if (len)
                *len = (size_t)size;
        }
    }
    xmlFree(mem);
    if (!out)
        errno = ENOMEM;
    return out;
}

/* ------------------------------------------------------------ writing */

struct sink {
    FILE *f;
    int failed;
};

static int sink_write(void *ctx, const char *buf, int len)
{
    struct sink *s = ctx;
    if (len > 0 && fwrite(buf, 1, (size_t)len, s->f) != (size_t)len) {
        s->failed = 1;
        return -1;
    }
    return len;
}

static int sink_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static int dump(FILE *f, void *arg)
{
    struct sink s = {.f = f};
    unsigned long xml_failed = junit_xml_failures();
    xmlSaveCtxtPtr save = xmlSaveToIO(sink_write, sink_close, &s, "UTF-8", XML_SAVE_FORMAT);
    if (!save) {
        errno = ENOMEM;
        return -1;
    }
    long rc = xmlSaveDoc(save, arg);
    if (xmlSaveClose(save) < 0 || rc < 0)
        s.failed = 1;
    if (!s.failed && junit_xml_failures() != xml_failed) {
        s.failed = 1; /* cut short where libxml2 ran out of memory */
        errno = ENOMEM;
    }
    if (s.failed && !errno)
        errno = EIO;
    return s.failed ? -1 : 0;
}

int report_junit_write_opts(const char *path, const struct report *rep,
                            const struct junit_options *opt, char *err, size_t errlen)
{
    xmlDocPtr doc = build(rep, opt);
    if (!doc) {
        snprintf(err, errlen, "%s: out of memory building the report", path);
        return -1;
    }
    struct error e;
    int rc = fs_write_atomic(path, dump, doc, &e);
    if (rc < 0) {
        int saved = errno;
        snprintf(err, errlen, "%s", e.text);
        errno = saved;
    }
    xmlFreeDoc(doc);
    return rc;
}

int report_junit_write(const char *path, const struct report *rep, char *err, size_t errlen)
{
    return report_junit_write_opts(path, rep, NULL, err, errlen);
}
